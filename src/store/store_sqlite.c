/* store_sqlite: the SQLite backend of struct store_ops (see store.h). It owns
 * the database file: the connection and its settings, the schema and its
 * migrations, the cached prepared statements, gap-free reference numbering,
 * and the mapping between records and rows. Rows are written to be read
 * with the sqlite3 tool: enums as their vocab names, times as ISO 8601 text
 * ("YYYY-MM-DDTHH:MM:SSZ", which also sorts in time order), dates as
 * "YYYY-MM-DD", and every absent value (TS_NONE, DATE_NONE, -1, "") as NULL.
 *
 * Foreign keys point at the natural keys the API speaks (orgs.code,
 * people.staff_id, incidents.ref, notices.number), so child tables read
 * well and lists by reference need no join. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/authz.h"
#include "core/catalogue.h"
#include "core/stats.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* PRAGMA application_id of a breachreg database: "BReg". */
#define BR_APPLICATION_ID 0x42526567
#define BUSY_TIMEOUT_MS	  5000

/* ------------------------------------------------------------------------
 * Schema and migrations
 *
 * Each row is applied once, in order, inside one transaction with the
 * version written to PRAGMA user_version, so a store is always at exactly
 * one version. Never edit a published row: add the next one. (A migration
 * that rebuilds a table must follow SQLite's 12-step ALTER procedure.)
 * Enum columns carry no CHECK lists: a new vocab word would then need a
 * table rebuild; the store validates enums on write and on read instead. */

struct migration {
	int version;
	const char *sql;
};

static const struct migration migrations[] = {
    {1, "PRAGMA application_id = 1112696167;" /* BR_APPLICATION_ID */

	"CREATE TABLE orgs ("
	" id INTEGER PRIMARY KEY,"
	" code TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" parent TEXT REFERENCES orgs(code) ON UPDATE CASCADE,"
	" discipline_policy TEXT," /* moj | hmpps; NULL: inherit */
	" head TEXT,"		   /* staff id; no FK: heads may be added later */
	" headcount INTEGER,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX orgs_parent ON orgs(parent);"

	"CREATE TABLE people ("
	" id INTEGER PRIMARY KEY,"
	" staff_id TEXT NOT NULL UNIQUE,"
	" name TEXT NOT NULL,"
	" email TEXT,"
	" org TEXT NOT NULL REFERENCES orgs(code) ON UPDATE CASCADE,"
	" line_manager TEXT REFERENCES people(staff_id) ON UPDATE CASCADE,"
	" engagement TEXT NOT NULL,"
	" probation_until TEXT,"
	" clearance TEXT NOT NULL,"
	" created_at TEXT NOT NULL);"
	"CREATE INDEX people_org ON people(org);"
	"CREATE INDEX people_line_manager ON people(line_manager);"

	"CREATE TABLE guidance ("
	" id INTEGER PRIMARY KEY,"
	" org TEXT NOT NULL REFERENCES orgs(code) ON UPDATE CASCADE,"
	" version INTEGER NOT NULL CHECK (version >= 1),"
	" doc TEXT NOT NULL,"
	" published_at TEXT NOT NULL,"
	" published_by TEXT NOT NULL,"
	" UNIQUE (org, version));"

	/* Gap-free yearly counters: "SB" (incidents), "BN" (notices). */
	"CREATE TABLE sequences ("
	" name TEXT NOT NULL,"
	" year INTEGER NOT NULL,"
	" last INTEGER NOT NULL,"
	" PRIMARY KEY (name, year)) WITHOUT ROWID;"

	"CREATE TABLE incidents ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL UNIQUE,"
	" year INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" kind TEXT NOT NULL,"
	" org TEXT NOT NULL REFERENCES orgs(code) ON UPDATE CASCADE,"
	" state TEXT NOT NULL,"
	" severity TEXT,"
	" classification TEXT NOT NULL,"
	" strap INTEGER NOT NULL,"
	" third_party_disclosure INTEGER NOT NULL,"
	" authorised INTEGER NOT NULL,"
	" criminal INTEGER NOT NULL,"
	" records INTEGER NOT NULL,"
	" special_category INTEGER NOT NULL,"
	" intent TEXT NOT NULL,"
	" damage TEXT NOT NULL,"
	" description TEXT NOT NULL,"
	" location TEXT,"
	" occurred_at TEXT NOT NULL,"
	" discovered_at TEXT NOT NULL,"
	" reported_at TEXT NOT NULL,"
	" updated_at TEXT NOT NULL,"
	" closed_at TEXT,"
	" reporter TEXT REFERENCES people(staff_id) ON UPDATE CASCADE,"
	" confidential_reporter INTEGER NOT NULL,"
	" UNIQUE (year, seq));"
	/* The list order (newest first) and the reported_at range walk
	 * this index; the others serve the equality filters. */
	"CREATE INDEX incidents_reported ON incidents(reported_at, ref);"
	"CREATE INDEX incidents_org ON incidents(org, reported_at);"
	"CREATE INDEX incidents_state ON incidents(state, reported_at);"
	"CREATE INDEX incidents_severity ON incidents(severity, reported_at);"
	"CREATE INDEX incidents_reporter ON incidents(reporter, reported_at);"

	"CREATE TABLE incident_types ("
	" ref TEXT NOT NULL REFERENCES incidents(ref) ON UPDATE CASCADE,"
	" position INTEGER NOT NULL,"
	" type TEXT NOT NULL," /* no FK: types live in guidance documents */
	" PRIMARY KEY (ref, type)) WITHOUT ROWID;"
	"CREATE INDEX incident_types_type ON incident_types(type, ref);"

	"CREATE TABLE incident_subjects ("
	" ref TEXT NOT NULL REFERENCES incidents(ref) ON UPDATE CASCADE,"
	" position INTEGER NOT NULL,"
	" staff_id TEXT NOT NULL REFERENCES people(staff_id) ON UPDATE CASCADE,"
	" PRIMARY KEY (ref, staff_id)) WITHOUT ROWID;"
	"CREATE INDEX incident_subjects_staff ON incident_subjects(staff_id, ref);"

	"CREATE TABLE transitions ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES incidents(ref) ON UPDATE CASCADE,"
	" from_state TEXT NOT NULL,"
	" to_state TEXT NOT NULL,"
	" reason TEXT,"
	" actor TEXT NOT NULL,"
	" at TEXT NOT NULL);"
	"CREATE INDEX transitions_ref ON transitions(ref, id);"

	"CREATE TABLE notes ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL REFERENCES incidents(ref) ON UPDATE CASCADE,"
	" author TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" at TEXT NOT NULL);"
	"CREATE INDEX notes_ref ON notes(ref, id);"

	/* Assessments, decisions and notices concern a subject of the
	 * incident: the composite key says so. */
	"CREATE TABLE assessments ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" baseline TEXT NOT NULL,"
	" route TEXT NOT NULL,"
	" recommendation TEXT NOT NULL,"
	" live_warnings INTEGER NOT NULL,"
	" guidance_version TEXT NOT NULL,"
	" facts TEXT NOT NULL,"
	" result TEXT NOT NULL,"
	" assessed_by TEXT NOT NULL,"
	" assessed_at TEXT NOT NULL,"
	" UNIQUE (ref, subject),"
	" FOREIGN KEY (ref, subject) REFERENCES incident_subjects(ref, staff_id)"
	"  ON UPDATE CASCADE);"

	"CREATE TABLE decisions ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" outcome TEXT NOT NULL,"
	" damage TEXT NOT NULL,"
	" intent TEXT NOT NULL,"
	" live_warnings INTEGER NOT NULL,"
	" assessed_severity TEXT NOT NULL,"
	" recommendation TEXT NOT NULL,"
	" rationale TEXT NOT NULL,"
	" override_reason TEXT,"
	" decided_by TEXT NOT NULL,"
	" decided_at TEXT NOT NULL,"
	" UNIQUE (ref, subject),"
	" FOREIGN KEY (ref, subject) REFERENCES incident_subjects(ref, staff_id)"
	"  ON UPDATE CASCADE);"
	"CREATE INDEX decisions_subject ON decisions(subject);"

	"CREATE TABLE notices ("
	" id INTEGER PRIMARY KEY,"
	" number TEXT NOT NULL UNIQUE,"
	" year INTEGER NOT NULL,"
	" seq INTEGER NOT NULL,"
	" ref TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" issued_on TEXT NOT NULL,"
	" acknowledge_by TEXT,"
	" acknowledged_on TEXT,"
	" issued_by TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" UNIQUE (year, seq),"
	" FOREIGN KEY (ref, subject) REFERENCES incident_subjects(ref, staff_id)"
	"  ON UPDATE CASCADE);"
	"CREATE INDEX notices_ref ON notices(ref, subject);"
	"CREATE INDEX notices_subject ON notices(subject, issued_on);"

	"CREATE TABLE warnings ("
	" id INTEGER PRIMARY KEY,"
	" staff_id TEXT NOT NULL REFERENCES people(staff_id) ON UPDATE CASCADE,"
	" level TEXT NOT NULL,"
	" issued_on TEXT NOT NULL,"
	" source TEXT REFERENCES notices(number) ON UPDATE CASCADE,"
	" ref TEXT REFERENCES incidents(ref) ON UPDATE CASCADE);"
	"CREATE INDEX warnings_staff ON warnings(staff_id, issued_on);"
	"CREATE INDEX warnings_source ON warnings(source);"
	"CREATE INDEX warnings_ref ON warnings(ref);"

	/* Hash-chained (core/audit.h). seq is the rowid; text columns hold
	 * exactly what was hashed ("" stays ""), so verify sees any edit. */
	"CREATE TABLE audit ("
	" seq INTEGER PRIMARY KEY,"
	" at TEXT NOT NULL,"
	" actor TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" entity TEXT NOT NULL,"
	" detail TEXT,"
	" prev TEXT NOT NULL,"
	" hash TEXT NOT NULL);"
	"CREATE INDEX audit_entity ON audit(entity, seq);"
	/* The chain's head, moved by every append in the same transaction:
	 * deleting the newest entries leaves the head pointing past the
	 * table's end, which the chain alone could not show. */
	"CREATE TABLE audit_head ("
	" id INTEGER PRIMARY KEY CHECK (id = 1),"
	" seq INTEGER NOT NULL,"
	" hash TEXT NOT NULL);"},

    /* Accounts, API tokens and web sessions (SPEC 1, 6.2, 7). No secret is
     * stored: a password as its Argon2id string, a token or session id as
     * the hex SHA-256 of it. roles is the comma-separated role names. */
    {2, "CREATE TABLE accounts ("
	" id INTEGER PRIMARY KEY,"
	" name TEXT NOT NULL UNIQUE,"
	" staff_id TEXT NOT NULL REFERENCES people(staff_id) ON UPDATE CASCADE,"
	" roles TEXT NOT NULL,"
	" pw_hash TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" disabled INTEGER NOT NULL,"
	" failed_logins INTEGER NOT NULL,"
	" locked_until TEXT);"
	"CREATE INDEX accounts_staff ON accounts(staff_id);"

	"CREATE TABLE api_tokens ("
	" id INTEGER PRIMARY KEY,"
	" account TEXT NOT NULL REFERENCES accounts(name) ON UPDATE CASCADE,"
	" label TEXT,"
	" hash TEXT NOT NULL UNIQUE,"
	" created_at TEXT NOT NULL,"
	" last_used_at TEXT,"
	" revoked_at TEXT);"
	"CREATE INDEX api_tokens_account ON api_tokens(account, id);"

	/* Rows come and go with sign-ins: keyed by the id's hash alone. */
	"CREATE TABLE sessions ("
	" hash TEXT PRIMARY KEY,"
	" account TEXT NOT NULL REFERENCES accounts(name) ON UPDATE CASCADE,"
	" csrf TEXT NOT NULL,"
	" created_at TEXT NOT NULL,"
	" last_seen_at TEXT NOT NULL,"
	" expires_at TEXT NOT NULL) WITHOUT ROWID;"
	"CREATE INDEX sessions_account ON sessions(account);"},

    /* What follows a decision: the DPO's ICO decision, HR's outcome. */
    {3, "CREATE TABLE ico_decisions ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL UNIQUE REFERENCES incidents(ref) ON UPDATE CASCADE,"
	" notify INTEGER NOT NULL,"
	" notified_at TEXT,"
	" ico_reference TEXT,"
	" reason TEXT NOT NULL,"
	" decided_by TEXT NOT NULL,"
	" decided_at TEXT NOT NULL);"

	"CREATE TABLE hr_outcomes ("
	" id INTEGER PRIMARY KEY,"
	" ref TEXT NOT NULL,"
	" subject TEXT NOT NULL,"
	" outcome TEXT NOT NULL,"
	" notes TEXT NOT NULL,"
	" effective_on TEXT NOT NULL,"
	" recorded_by TEXT NOT NULL,"
	" recorded_at TEXT NOT NULL,"
	" UNIQUE (ref, subject),"
	" FOREIGN KEY (ref, subject) REFERENCES incident_subjects(ref, staff_id)"
	"  ON UPDATE CASCADE);"},

    /* The central record (SPEC 5, core/rollup.h). Each type keeps the
     * control area and each subject the engagement they had when the
     * incident was reported; the rollups are derived counts (rebuilt from
     * the incidents when meta says "rollup_stale"). Controls of existing
     * rows are filled in C after this runs (fill_controls). */
    {4, "ALTER TABLE incident_types ADD COLUMN control TEXT;"
	"ALTER TABLE incident_subjects ADD COLUMN engagement TEXT;"
	"UPDATE incident_subjects SET engagement = (SELECT engagement FROM people"
	" WHERE people.staff_id = incident_subjects.staff_id);"

	/* Not-applicable dimensions hold "" (see store_sqlite.c dim_*). */
	"CREATE TABLE rollup ("
	" mask INTEGER NOT NULL,"
	" month INTEGER NOT NULL," /* YYYYMM */
	" org TEXT NOT NULL,"
	" kind TEXT NOT NULL,"
	" status TEXT NOT NULL,"
	" severity TEXT NOT NULL,"
	" personal INTEGER NOT NULL,"
	" ico INTEGER NOT NULL,"
	" type TEXT NOT NULL,"
	" control TEXT NOT NULL,"
	" outcome TEXT NOT NULL,"
	" engagement TEXT NOT NULL,"
	" n INTEGER NOT NULL,"
	" PRIMARY KEY (mask, month, org, kind, status, severity, personal, ico, type,"
	"  control, outcome, engagement)) WITHOUT ROWID;"

	"CREATE TABLE rollup_times ("
	" metric TEXT NOT NULL,"
	" month INTEGER NOT NULL,"
	" org TEXT NOT NULL,"
	" bucket INTEGER NOT NULL,"
	" n INTEGER NOT NULL,"
	" PRIMARY KEY (metric, month, org, bucket)) WITHOUT ROWID;"

	"CREATE TABLE meta ("
	" name TEXT PRIMARY KEY,"
	" value BLOB NOT NULL) WITHOUT ROWID;"
	"INSERT INTO meta (name, value) VALUES ('rollup_stale', x'01');"},

    /* Retention (SPEC 7): when an incident's people and free text were
     * replaced; NULL while it is whole. */
    {5, "ALTER TABLE incidents ADD COLUMN pseudonymised_at TEXT;"
	"CREATE INDEX incidents_closed ON incidents(org, closed_at)"
	" WHERE pseudonymised_at IS NULL AND closed_at IS NOT NULL;"},

    /* The web report journey's answers between its pages: one row per
     * session, deleted with it (purges and sign-outs included). */
    {6, "CREATE TABLE drafts ("
	" session TEXT PRIMARY KEY REFERENCES sessions(hash) ON DELETE CASCADE,"
	" doc TEXT NOT NULL,"
	" updated_at TEXT NOT NULL) WITHOUT ROWID;"},
};

_Static_assert(BR_APPLICATION_ID == 1112696167, "migration 1 writes BR_APPLICATION_ID");

/* ------------------------------------------------------------------------
 * Statements: one row per query, prepared once on first use and kept. */

#define ORG_COLS "id, code, name, parent, discipline_policy, head, headcount, created_at"
#define PERSON_COLS                                                                                \
	"id, staff_id, name, email, org, line_manager, engagement, probation_until, clearance, "   \
	"created_at"
#define GUIDANCE_COLS "org, version, doc, published_at, published_by"
#define INCIDENT_COLS                                                                              \
	"id, ref, kind, org, state, severity, classification, strap, third_party_disclosure, "     \
	"authorised, criminal, records, special_category, intent, damage, description, "           \
	"location, occurred_at, discovered_at, reported_at, updated_at, closed_at, reporter, "     \
	"confidential_reporter"
/* After INCIDENT_COLS, for a record (core/record.h): "type=control" per
 * type, and per subject "staff_id engagement outcome severity decided_at
 * notice", fields split by US (0x1f) and items by RS (0x1e), which no
 * stored code or staff id contains; then the ICO decision. */
#define RECORD_EXTRA                                                                               \
	"(SELECT group_concat(x, char(30)) FROM (SELECT t.type || char(31) ||"                    \
	" coalesce(t.control, '') AS x FROM incident_types t WHERE t.ref = i.ref"                  \
	" ORDER BY t.position)),"                                                                  \
	" (SELECT group_concat(x, char(30)) FROM (SELECT s.staff_id || char(31) ||"               \
	" coalesce(s.engagement, '') || char(31) || coalesce(d.outcome, '') || char(31) ||"        \
	" coalesce(d.severity, '') || char(31) || coalesce(d.decided_at, '') || char(31) ||"       \
	" coalesce((SELECT n.number FROM notices n WHERE n.ref = s.ref AND"                        \
	" n.subject = s.staff_id ORDER BY n.id DESC LIMIT 1), '') AS x"                            \
	" FROM incident_subjects s LEFT JOIN decisions d ON d.ref = s.ref AND"                     \
	" d.subject = s.staff_id WHERE s.ref = i.ref ORDER BY s.position)),"                       \
	" (SELECT notify FROM ico_decisions c WHERE c.ref = i.ref)"
#define TRANSITION_COLS "id, ref, from_state, to_state, reason, actor, at"
/* The incident list, with its state condition (see Q_INCIDENT_LIST). */
#define INCIDENT_LIST_SQL(state_cond)                                                              \
	"WITH RECURSIVE sub(code) AS ("                                                            \
	" SELECT code FROM orgs WHERE code = ?1"                                                   \
	" UNION SELECT orgs.code FROM orgs JOIN sub ON orgs.parent = sub.code)"                    \
	" SELECT " INCIDENT_COLS " FROM incidents"                                                 \
	" WHERE reported_at >= ?8 AND reported_at < ?9"                                            \
	" AND (?1 IS NULL OR org IN (SELECT code FROM sub))"                                       \
	" AND " state_cond " AND (?3 IS NULL OR severity = ?3)"                                    \
	" AND (?4 IS NULL OR EXISTS (SELECT 1 FROM incident_types t"                               \
	"  WHERE t.ref = incidents.ref AND t.type = ?4))"                                          \
	" AND (?5 IS NULL OR EXISTS (SELECT 1 FROM incident_subjects s"                            \
	"  WHERE s.ref = incidents.ref AND s.staff_id = ?5))"                                      \
	" AND (?6 IS NULL OR reporter = ?6)"                                                       \
	" AND (?7 = 0 OR state NOT IN (?12, ?13, ?14))"                                            \
	" ORDER BY reported_at DESC, ref DESC LIMIT ?10 OFFSET ?11"
#define NOTE_COLS	"id, ref, author, body, at"
#define ASSESSMENT_COLS                                                                            \
	"id, ref, subject, severity, baseline, route, recommendation, live_warnings, "             \
	"guidance_version, facts, result, assessed_by, assessed_at"
#define DECISION_COLS                                                                              \
	"id, ref, subject, severity, outcome, damage, intent, live_warnings, assessed_severity, "  \
	"recommendation, rationale, override_reason, decided_by, decided_at"
#define NOTICE_COLS                                                                                \
	"id, number, ref, subject, severity, issued_on, acknowledge_by, acknowledged_on, "         \
	"issued_by, body"
#define WARNING_COLS "id, staff_id, level, issued_on, source, ref"
#define AUDIT_COLS   "seq, at, actor, action, entity, detail, prev, hash"
#define ACCOUNT_COLS                                                                               \
	"id, name, staff_id, roles, pw_hash, created_at, disabled, failed_logins, locked_until"
#define TOKEN_COLS   "id, account, label, hash, created_at, last_used_at, revoked_at"
#define SESSION_COLS "hash, account, csrf, created_at, last_seen_at, expires_at"

enum q {
	Q_BEGIN,
	Q_BEGIN_READ,
	Q_NEST,
	Q_NEST_RELEASE,
	Q_NEST_ROLLBACK,
	Q_COMMIT,
	Q_ROLLBACK,
	Q_SAVEPOINT,
	Q_RELEASE,
	Q_ROLLBACK_TO,
	Q_ORG_EXISTS,
	Q_PERSON_EXISTS,
	Q_INCIDENT_EXISTS,
	Q_SUBJECT_EXISTS,
	Q_NOTICE_EXISTS,
	Q_SEQ_NEXT,
	Q_ORG_INSERT,
	Q_ORG_GET,
	Q_ORG_LIST,
	Q_PERSON_INSERT,
	Q_PERSON_GET,
	Q_PERSON_REPORTS,
	Q_GUIDANCE_INSERT,
	Q_GUIDANCE_GET,
	Q_GUIDANCE_LIST,
	Q_INCIDENT_INSERT,
	Q_INCIDENT_TYPE_INSERT,
	Q_INCIDENT_SUBJECT_INSERT,
	Q_INCIDENT_GET,
	Q_INCIDENT_TYPES,
	Q_INCIDENT_SUBJECTS,
	Q_INCIDENT_UPDATE,
	Q_INCIDENT_LIST,
	Q_INCIDENT_LIST_STATE,
	Q_TRANSITION_INSERT,
	Q_TRANSITION_LIST,
	Q_NOTE_INSERT,
	Q_NOTE_LIST,
	Q_ASSESSMENT_PUT,
	Q_ASSESSMENT_GET,
	Q_ASSESSMENT_LIST,
	Q_DECISION_INSERT,
	Q_DECISION_GET,
	Q_DECISION_LIST,
	Q_NOTICE_INSERT,
	Q_NOTICE_BY_REF,
	Q_NOTICE_BY_SUBJECT,
	Q_NOTICE_ALL,
	Q_NOTICE_GET,
	Q_NOTICE_ACK,
	Q_NOTICE_ACKED,
	Q_ICO_INSERT,
	Q_ICO_GET,
	Q_HR_INSERT,
	Q_HR_LIST,
	Q_WARNING_INSERT,
	Q_WARNING_LIST,
	Q_INCIDENT_COUNTS,
	Q_RECORD_GET,
	Q_RECORD_LIST,
	Q_ROLLUP_TIME_ADD,
	Q_ROLLUP_CLEAR,
	Q_ROLLUP_TIMES_CLEAR,
	Q_META_GET,
	Q_META_PUT,
	Q_CONTROL_FILL,
	Q_REPEAT_SUBJECTS,
	Q_RETENTION_DUE,
	Q_PSEUDO_SUBJECT,
	Q_PSEUDO_WARNINGS,
	Q_PSEUDO_INCIDENT,
	Q_PSEUDO_NOTES,
	Q_PSEUDO_TRANSITIONS,
	Q_PSEUDO_DECISIONS,
	Q_PSEUDO_NOTICES,
	Q_PSEUDO_HR,
	Q_PSEUDO_ICO,
	Q_AUDIT_LAST,
	Q_AUDIT_HEAD_SET,
	Q_AUDIT_HEAD_GET,
	Q_AUDIT_INSERT,
	Q_AUDIT_ALL,
	Q_AUDIT_ENTITY,
	Q_ACCOUNT_EXISTS,
	Q_ACCOUNT_INSERT,
	Q_ACCOUNT_GET,
	Q_ACCOUNT_LIST,
	Q_ACCOUNT_UPDATE,
	Q_TOKEN_INSERT,
	Q_TOKEN_BY_HASH,
	Q_TOKEN_LIST,
	Q_TOKEN_REVOKE,
	Q_TOKEN_REVOKED,
	Q_TOKEN_TOUCH,
	Q_SESSION_INSERT,
	Q_SESSION_BY_HASH,
	Q_SESSION_TOUCH,
	Q_SESSION_DELETE,
	Q_SESSION_DELETE_ACCOUNT,
	Q_SESSION_PURGE,
	Q_DRAFT_GET,
	Q_DRAFT_PUT,
	Q_DRAFT_DELETE,
	Q_COUNT
};

static const char *const queries[Q_COUNT] = {
    [Q_BEGIN] = "BEGIN IMMEDIATE",
    /* A snapshot for a consistent multi-query read; takes no write lock. */
    [Q_BEGIN_READ] = "BEGIN DEFERRED",
    [Q_NEST] = "SAVEPOINT br_nest",
    [Q_NEST_RELEASE] = "RELEASE br_nest",
    [Q_NEST_ROLLBACK] = "ROLLBACK TO br_nest",
    [Q_COMMIT] = "COMMIT",
    [Q_ROLLBACK] = "ROLLBACK",
    [Q_SAVEPOINT] = "SAVEPOINT br_op",
    [Q_RELEASE] = "RELEASE br_op",
    [Q_ROLLBACK_TO] = "ROLLBACK TO br_op",

    [Q_ORG_EXISTS] = "SELECT 1 FROM orgs WHERE code = ?",
    [Q_PERSON_EXISTS] = "SELECT 1 FROM people WHERE staff_id = ?",
    [Q_INCIDENT_EXISTS] = "SELECT 1 FROM incidents WHERE ref = ?",
    [Q_SUBJECT_EXISTS] = "SELECT 1 FROM incident_subjects WHERE ref = ? AND staff_id = ?",
    [Q_NOTICE_EXISTS] = "SELECT 1 FROM notices WHERE number = ?",
    [Q_SEQ_NEXT] = "INSERT INTO sequences (name, year, last) VALUES (?, ?, 1)"
		   " ON CONFLICT (name, year) DO UPDATE SET last = last + 1 RETURNING last",

    [Q_ORG_INSERT] = "INSERT INTO orgs (code, name, parent, discipline_policy, head, headcount,"
		     " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [Q_ORG_GET] = "SELECT " ORG_COLS " FROM orgs WHERE code = ?",
    [Q_ORG_LIST] = "SELECT " ORG_COLS " FROM orgs ORDER BY code",

    [Q_PERSON_INSERT] = "INSERT INTO people (staff_id, name, email, org, line_manager,"
			" engagement, probation_until, clearance, created_at)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_PERSON_GET] = "SELECT " PERSON_COLS " FROM people WHERE staff_id = ?",
    [Q_PERSON_REPORTS] = "SELECT " PERSON_COLS " FROM people WHERE line_manager = ?"
			 " ORDER BY staff_id",

    /* The next version in the same statement that writes it. */
    [Q_GUIDANCE_INSERT] = "INSERT INTO guidance (org, version, doc, published_at, published_by)"
			  " SELECT ?1, coalesce(max(version), 0) + 1, ?2, ?3, ?4"
			  " FROM guidance WHERE org = ?1 RETURNING version",
    [Q_GUIDANCE_GET] = "SELECT " GUIDANCE_COLS " FROM guidance WHERE org = ?1"
		       " AND (?2 = 0 OR version = ?2) ORDER BY version DESC LIMIT 1",
    [Q_GUIDANCE_LIST] = "SELECT " GUIDANCE_COLS " FROM guidance"
			" WHERE ?1 IS NULL OR org = ?1 ORDER BY org, version",

    [Q_INCIDENT_INSERT] =
	"INSERT INTO incidents (ref, year, seq, kind, org, state, severity, classification,"
	" strap, third_party_disclosure, authorised, criminal, records, special_category,"
	" intent, damage, description, location, occurred_at, discovered_at, reported_at,"
	" updated_at, closed_at, reporter, confidential_reporter)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_INCIDENT_TYPE_INSERT] = "INSERT INTO incident_types (ref, position, type, control)"
			       " VALUES (?, ?, ?, ?)",
    /* The engagement as it is now: the incident keeps it. */
    [Q_INCIDENT_SUBJECT_INSERT] = "INSERT INTO incident_subjects (ref, position, staff_id,"
				  " engagement) VALUES (?1, ?2, ?3,"
				  " (SELECT engagement FROM people WHERE staff_id = ?3))",
    [Q_INCIDENT_GET] = "SELECT " INCIDENT_COLS " FROM incidents WHERE ref = ?",
    [Q_INCIDENT_TYPES] = "SELECT type, control FROM incident_types WHERE ref = ?"
			 " ORDER BY position",
    [Q_INCIDENT_SUBJECTS] = "SELECT staff_id FROM incident_subjects WHERE ref = ?"
			    " ORDER BY position",
    [Q_INCIDENT_UPDATE] = "UPDATE incidents SET state = ?, severity = ?, updated_at = ?,"
			  " closed_at = ? WHERE ref = ?",
    /* One cached statement serves every filter: a NULL parameter means
     * "no filter". The reported_at bounds are always bound ("" and "~"
     * when open), which keeps them usable as an index range. UNION (not
     * UNION ALL) also stops the walk should the tree ever hold a cycle.
     * With a state, a second statement says "state = ?2" outright, so
     * that SQLite walks incidents_state instead of filtering the whole
     * reported_at index for a rare state. */
    [Q_INCIDENT_LIST] = INCIDENT_LIST_SQL("(?2 IS NULL OR state = ?2)"),
    [Q_INCIDENT_LIST_STATE] = INCIDENT_LIST_SQL("state = ?2"),

    [Q_TRANSITION_INSERT] = "INSERT INTO transitions (ref, from_state, to_state, reason, actor,"
			    " at) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_TRANSITION_LIST] = "SELECT " TRANSITION_COLS " FROM transitions WHERE ref = ?"
			  " ORDER BY id",
    [Q_NOTE_INSERT] = "INSERT INTO notes (ref, author, body, at) VALUES (?, ?, ?, ?)",
    [Q_NOTE_LIST] = "SELECT " NOTE_COLS " FROM notes WHERE ref = ? ORDER BY id",

    /* An upsert keeps the row's id when an assessment is replaced. */
    [Q_ASSESSMENT_PUT] =
	"INSERT INTO assessments (ref, subject, severity, baseline, route, recommendation,"
	" live_warnings, guidance_version, facts, result, assessed_by, assessed_at)"
	" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	" ON CONFLICT (ref, subject) DO UPDATE SET severity = excluded.severity,"
	" baseline = excluded.baseline, route = excluded.route,"
	" recommendation = excluded.recommendation,"
	" live_warnings = excluded.live_warnings,"
	" guidance_version = excluded.guidance_version, facts = excluded.facts,"
	" result = excluded.result, assessed_by = excluded.assessed_by,"
	" assessed_at = excluded.assessed_at RETURNING id",
    [Q_ASSESSMENT_GET] = "SELECT " ASSESSMENT_COLS " FROM assessments"
			 " WHERE ref = ? AND subject = ?",
    [Q_ASSESSMENT_LIST] = "SELECT " ASSESSMENT_COLS " FROM assessments WHERE ref = ?"
			  " ORDER BY id",

    [Q_DECISION_INSERT] =
	"INSERT INTO decisions (ref, subject, severity, outcome, damage, intent,"
	" live_warnings, assessed_severity, recommendation, rationale, override_reason,"
	" decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_DECISION_GET] = "SELECT " DECISION_COLS " FROM decisions WHERE ref = ? AND subject = ?",
    [Q_DECISION_LIST] = "SELECT " DECISION_COLS " FROM decisions WHERE ref = ? ORDER BY id",

    [Q_NOTICE_INSERT] = "INSERT INTO notices (number, year, seq, ref, subject, severity,"
			" issued_on, acknowledge_by, acknowledged_on, issued_by, body)"
			" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_NOTICE_BY_REF] = "SELECT " NOTICE_COLS " FROM notices WHERE ref = ?1"
			" AND (?2 IS NULL OR subject = ?2) ORDER BY issued_on, id",
    [Q_NOTICE_BY_SUBJECT] = "SELECT " NOTICE_COLS " FROM notices WHERE subject = ?"
			    " ORDER BY issued_on, id",
    [Q_NOTICE_ALL] = "SELECT " NOTICE_COLS " FROM notices ORDER BY issued_on, id",
    [Q_NOTICE_GET] = "SELECT " NOTICE_COLS " FROM notices WHERE number = ?",
    /* Once: a second acknowledgement changes nothing (Q_NOTICE_ACKED says why). */
    [Q_NOTICE_ACK] = "UPDATE notices SET acknowledged_on = ?2"
		     " WHERE number = ?1 AND acknowledged_on IS NULL",
    [Q_NOTICE_ACKED] = "SELECT 1 FROM notices WHERE number = ? AND acknowledged_on IS NOT NULL",

    [Q_ICO_INSERT] = "INSERT INTO ico_decisions (ref, notify, notified_at, ico_reference, reason,"
		     " decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [Q_ICO_GET] = "SELECT id, ref, notify, notified_at, ico_reference, reason, decided_by,"
		  " decided_at FROM ico_decisions WHERE ref = ?",
    [Q_HR_INSERT] = "INSERT INTO hr_outcomes (ref, subject, outcome, notes, effective_on,"
		    " recorded_by, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
    [Q_HR_LIST] = "SELECT id, ref, subject, outcome, notes, effective_on, recorded_by,"
		  " recorded_at FROM hr_outcomes WHERE ref = ? ORDER BY id",
    [Q_WARNING_INSERT] = "INSERT INTO warnings (staff_id, level, issued_on, source, ref)"
			 " VALUES (?, ?, ?, ?, ?)",
    [Q_WARNING_LIST] = "SELECT " WARNING_COLS " FROM warnings WHERE staff_id = ?"
		       " ORDER BY issued_on, id",

    /* The recorded head wins, so an append after tampering does not
     * paper over removed entries; the table's last row is the fallback
     * for a log with no head yet. */
    [Q_INCIDENT_COUNTS] = "SELECT state, count(*) FROM incidents GROUP BY state",
    [Q_RECORD_GET] = "SELECT " INCIDENT_COLS ", " RECORD_EXTRA " FROM incidents i WHERE ref = ?",
    /* Q_INCIDENT_LIST's parameters (bind_filter), oldest first. */
    [Q_RECORD_LIST] = "WITH RECURSIVE sub(code) AS ("
		      " SELECT code FROM orgs WHERE code = ?1"
		      " UNION SELECT orgs.code FROM orgs JOIN sub ON orgs.parent = sub.code)"
		      " SELECT " INCIDENT_COLS ", " RECORD_EXTRA " FROM incidents i"
		      " WHERE reported_at >= ?8 AND reported_at < ?9"
		      " AND (?1 IS NULL OR org IN (SELECT code FROM sub))"
		      " AND (?2 IS NULL OR state = ?2)"
		      " AND (?3 IS NULL OR severity = ?3)"
		      " AND (?4 IS NULL OR EXISTS (SELECT 1 FROM incident_types t"
		      "  WHERE t.ref = i.ref AND t.type = ?4))"
		      " AND (?5 IS NULL OR EXISTS (SELECT 1 FROM incident_subjects s"
		      "  WHERE s.ref = i.ref AND s.staff_id = ?5))"
		      " AND (?6 IS NULL OR reporter = ?6)"
		      " AND (?7 = 0 OR state NOT IN (?12, ?13, ?14))"
		      " ORDER BY reported_at, ref LIMIT ?10 OFFSET ?11",
    [Q_ROLLUP_TIME_ADD] = "INSERT INTO rollup_times (metric, month, org, bucket, n)"
			  " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n",
    [Q_ROLLUP_CLEAR] = "DELETE FROM rollup",
    [Q_ROLLUP_TIMES_CLEAR] = "DELETE FROM rollup_times",
    [Q_META_GET] = "SELECT value FROM meta WHERE name = ?",
    [Q_META_PUT] = "INSERT INTO meta (name, value) VALUES (?, ?)"
		   " ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    [Q_REPEAT_SUBJECTS] = "SELECT s.staff_id, count(*), group_concat(i.ref, ' ')"
			  " FROM (SELECT ref, reported_at FROM incidents WHERE reported_at >= ?1"
			  " AND reported_at < ?2 AND state NOT IN ('withdrawn', 'unfounded')"
			  " ORDER BY reported_at DESC) i"
			  " JOIN incident_subjects s ON s.ref = i.ref"
			  " GROUP BY s.staff_id HAVING count(*) >= ?3 ORDER BY count(*) DESC, s.staff_id",
    [Q_RETENTION_DUE] = "SELECT ref FROM incidents WHERE org = ?1 AND closed_at IS NOT NULL"
			" AND closed_at < ?2 AND pseudonymised_at IS NULL ORDER BY closed_at, ref",
    /* Moves the subject's decision, assessment, notices and HR outcome
     * with it (their foreign keys cascade on update). */
    [Q_PSEUDO_SUBJECT] = "UPDATE incident_subjects SET staff_id = ?3 WHERE ref = ?1"
			 " AND staff_id = ?2",
    [Q_PSEUDO_WARNINGS] = "UPDATE warnings SET staff_id = ?3 WHERE ref = ?1 AND staff_id = ?2",
    [Q_PSEUDO_INCIDENT] = "UPDATE incidents SET reporter = ?2, description = ?3, location = NULL,"
			  " pseudonymised_at = ?4 WHERE ref = ?1",
    [Q_PSEUDO_NOTES] = "UPDATE notes SET body = ?2 WHERE ref = ?1",
    [Q_PSEUDO_TRANSITIONS] = "UPDATE transitions SET reason = ?2 WHERE ref = ?1"
			     " AND reason IS NOT NULL",
    [Q_PSEUDO_DECISIONS] = "UPDATE decisions SET rationale = ?2, override_reason ="
			   " CASE WHEN override_reason IS NULL THEN NULL ELSE ?2 END WHERE ref = ?1",
    [Q_PSEUDO_NOTICES] = "UPDATE notices SET body = ?2 WHERE ref = ?1",
    [Q_PSEUDO_HR] = "UPDATE hr_outcomes SET notes = ?2 WHERE ref = ?1",
    [Q_PSEUDO_ICO] = "UPDATE ico_decisions SET reason = ?2 WHERE ref = ?1",
    [Q_CONTROL_FILL] = "UPDATE incident_types SET control = ?2 WHERE control IS NULL"
		       " AND (?1 IS NULL OR type = ?1)",
    [Q_AUDIT_LAST] = "SELECT seq, hash FROM audit_head WHERE id = 1 UNION ALL"
		     " SELECT * FROM (SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1)"
		     " LIMIT 1",
    [Q_AUDIT_HEAD_SET] = "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)"
			 " ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
    [Q_AUDIT_HEAD_GET] = "SELECT seq, hash FROM audit_head WHERE id = 1",
    [Q_AUDIT_INSERT] = "INSERT INTO audit (" AUDIT_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_AUDIT_ALL] = "SELECT " AUDIT_COLS " FROM audit ORDER BY seq",
    [Q_AUDIT_ENTITY] = "SELECT " AUDIT_COLS " FROM audit WHERE entity = ? ORDER BY seq",

    [Q_ACCOUNT_EXISTS] = "SELECT 1 FROM accounts WHERE name = ?",
    [Q_ACCOUNT_INSERT] = "INSERT INTO accounts (name, staff_id, roles, pw_hash, created_at,"
			 " disabled, failed_logins, locked_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    [Q_ACCOUNT_GET] = "SELECT " ACCOUNT_COLS " FROM accounts WHERE name = ?",
    [Q_ACCOUNT_LIST] = "SELECT " ACCOUNT_COLS " FROM accounts ORDER BY name",
    [Q_ACCOUNT_UPDATE] = "UPDATE accounts SET roles = ?, disabled = ?, pw_hash = ?,"
			 " failed_logins = ?, locked_until = ? WHERE name = ?",
    [Q_TOKEN_INSERT] = "INSERT INTO api_tokens (account, label, hash, created_at, last_used_at,"
		       " revoked_at) VALUES (?, ?, ?, ?, ?, ?)",
    [Q_TOKEN_BY_HASH] = "SELECT " TOKEN_COLS " FROM api_tokens WHERE hash = ?",
    [Q_TOKEN_LIST] = "SELECT " TOKEN_COLS " FROM api_tokens WHERE account = ? ORDER BY id",
    [Q_TOKEN_REVOKE] = "UPDATE api_tokens SET revoked_at = ?3 WHERE id = ?1 AND account = ?2"
		       " AND revoked_at IS NULL",
    [Q_TOKEN_REVOKED] = "SELECT revoked_at IS NOT NULL FROM api_tokens"
			" WHERE id = ?1 AND account = ?2",
    [Q_TOKEN_TOUCH] = "UPDATE api_tokens SET last_used_at = ?2 WHERE id = ?1",
    [Q_SESSION_INSERT] = "INSERT INTO sessions (" SESSION_COLS ") VALUES (?, ?, ?, ?, ?, ?)",
    [Q_SESSION_BY_HASH] = "SELECT " SESSION_COLS " FROM sessions WHERE hash = ?",
    [Q_SESSION_TOUCH] = "UPDATE sessions SET last_seen_at = ?2 WHERE hash = ?1",
    [Q_SESSION_DELETE] = "DELETE FROM sessions WHERE hash = ?",
    [Q_SESSION_DELETE_ACCOUNT] = "DELETE FROM sessions WHERE account = ?",
    [Q_SESSION_PURGE] = "DELETE FROM sessions WHERE expires_at <= ?1 OR last_seen_at <= ?2",
    [Q_DRAFT_GET] = "SELECT doc FROM drafts WHERE session = ?",
    [Q_DRAFT_PUT] = "INSERT INTO drafts (session, doc, updated_at) VALUES (?1, ?2, ?3)"
		    " ON CONFLICT (session) DO UPDATE SET doc = ?2, updated_at = ?3",
    [Q_DRAFT_DELETE] = "DELETE FROM drafts WHERE session = ?",
};

#define ROLLUP_BATCH 16

struct sqlite_store {
	struct store base; /* first: a struct store * is a struct sqlite_store * */
	sqlite3 *db;
	bool write_locked; /* holds base.write_lock (when one is shared) */
	/* Write transactions nest: level 1 is BEGIN IMMEDIATE, deeper levels
	 * are savepoints. A group (group_begin) owns level 1, so that the
	 * operations run inside it commit and roll back only their own
	 * savepoints. */
	int depth;
	bool group;
	sqlite3_stmt *stmts[Q_COUNT];
	/* Rollup upserts of 1..ROLLUP_BATCH rows in one statement (see
	 * rollup_batch_stmt): a write adds a dozen cells, and one statement
	 * for them all costs a third of a dozen. */
	sqlite3_stmt *rollup_batch[ROLLUP_BATCH + 1];
};

static struct sqlite_store *sq(struct store *s)
{
	return (struct sqlite_store *)s;
}

/* ------------------------------------------------------------------------
 * Errors */

static bool is_unique(int rc)
{
	return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY;
}

/* The last failure on the connection as an error value. Unique keys are
 * named by the caller (it knows the key); the foreign keys are checked
 * before writing (need_*) so that the field can be named, and this is the
 * backstop. */
static int db_fail(struct sqlite_store *ss, struct err *e)
{
	const char *msg = sqlite3_errmsg(ss->db);
	const char *col;

	switch (sqlite3_extended_errcode(ss->db)) {
	case SQLITE_CONSTRAINT_NOTNULL:
		/* "NOT NULL constraint failed: table.column" */
		col = strrchr(msg, '.');
		col = col ? col + 1 : "";
		return err_set(e, ERR_INVALID, col, "\"%s\" is required", col);
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return err_set(e, ERR_NOT_FOUND, "", "a record it refers to does not exist");
	default:
		return err_set(e, ERR_RUNTIME, "db", "%s", msg);
	}
}

/* ------------------------------------------------------------------------
 * Statement cache */

/* The cached statement for id, prepared on first use. If it is busy (a
 * callback of incident_list or audit_each re-entered the store with the
 * same query), a private one is prepared instead; stmt_put finalizes it. */
static sqlite3_stmt *stmt_get(struct sqlite_store *ss, enum q id, struct err *e)
{
	sqlite3_stmt *st = ss->stmts[id];
	sqlite3_stmt *fresh = NULL;

	if (st && !sqlite3_stmt_busy(st))
		return st;
	if (sqlite3_prepare_v3(ss->db, queries[id], -1, st ? 0 : SQLITE_PREPARE_PERSISTENT, &fresh,
			       NULL) != SQLITE_OK) {
		db_fail(ss, e);
		sqlite3_finalize(fresh);
		return NULL;
	}
	if (!st)
		ss->stmts[id] = fresh;
	return fresh;
}

/* Resets a statement for its next use, dropping bound copies. */
static void stmt_put(struct sqlite_store *ss, enum q id, sqlite3_stmt *st)
{
	if (!st)
		return;
	if (st != ss->stmts[id]) {
		sqlite3_finalize(st);
		return;
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a statement without parameters to completion. */
static int run(struct sqlite_store *ss, enum q id, struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, id, e);
	int rc, ret = -1;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		db_fail(ss, e);
		goto out;
	}
	ret = 0;
out:
	stmt_put(ss, id, st);
	return ret;
}

/* ------------------------------------------------------------------------
 * Binding values (a cursor over the parameters, checked once at the end) */

struct bind {
	sqlite3_stmt *st;
	int i;		 /* next parameter, from 1 */
	int rc;		 /* the first binding failure */
	const char *bad; /* field of the first enum out of range */
	int badval;
};

static struct bind bind_start(sqlite3_stmt *st)
{
	return (struct bind){.st = st, .i = 1, .rc = SQLITE_OK};
}

static void b_rc(struct bind *b, int rc)
{
	if (rc != SQLITE_OK && b->rc == SQLITE_OK)
		b->rc = rc;
	b->i++;
}

static void b_null(struct bind *b)
{
	b_rc(b, sqlite3_bind_null(b->st, b->i));
}

static void b_int(struct bind *b, int64_t v)
{
	b_rc(b, sqlite3_bind_int64(b->st, b->i, v));
}

/* -1 (unknown) is NULL. */
static void b_int_opt(struct bind *b, int64_t v)
{
	if (v < 0)
		b_null(b);
	else
		b_int(b, v);
}

static void b_bool(struct bind *b, bool v)
{
	b_int(b, v ? 1 : 0);
}

/* Text as given: "" stays "" (the audit log hashes exactly this). */
static void b_exact(struct bind *b, const char *s)
{
	if (!s)
		b_null(b);
	else
		b_rc(b, sqlite3_bind_text(b->st, b->i, s, -1, SQLITE_TRANSIENT));
}

/* Text the caller keeps alive and unchanged until the statement is reset:
 * bound without a copy (for the hot rollup upserts). */
static void b_static(struct bind *b, const char *s)
{
	b_rc(b, sqlite3_bind_text(b->st, b->i, s, -1, SQLITE_STATIC));
}

/* Text where "" means absent: stored as NULL. */
static void b_text(struct bind *b, const char *s)
{
	b_exact(b, s && *s ? s : NULL);
}

static void b_ts(struct bind *b, ts_t t)
{
	char buf[TS_BUF];

	if (t == TS_NONE) {
		b_null(b);
		return;
	}
	date_format_ts(t, buf);
	b_exact(b, buf);
}

static void b_date(struct bind *b, date_t d)
{
	char buf[DATE_BUF];

	if (d == DATE_NONE) {
		b_null(b);
		return;
	}
	date_format(d, buf);
	b_exact(b, buf);
}

static void b_enum(struct bind *b, const struct vocab *v, int val)
{
	if (val < 0 || val >= v->count) {
		if (!b->bad) {
			b->bad = v->field;
			b->badval = val;
		}
		b_null(b);
		return;
	}
	b_exact(b, vocab_name(v, val));
}

/* -1 (none) is NULL. */
static void b_enum_opt(struct bind *b, const struct vocab *v, int val)
{
	if (val == -1)
		b_null(b);
	else
		b_enum(b, v, val);
}

static int b_done(const struct bind *b, struct err *e)
{
	if (b->bad)
		return err_set(e, ERR_INVALID, b->bad, "invalid value %d for \"%s\"", b->badval,
			       b->bad);
	if (b->rc != SQLITE_OK)
		return err_set(e, ERR_RUNTIME, "db", "%s", sqlite3_errstr(b->rc));
	return 0;
}

/* ------------------------------------------------------------------------
 * Reading rows (a cursor over the columns; a value that does not parse
 * back is reported once, by column, at the end) */

struct row {
	sqlite3_stmt *st;
	int i;	 /* next column */
	int bad; /* first unreadable column, or -1 */
};

static struct row row_start(sqlite3_stmt *st)
{
	return (struct row){.st = st, .i = 0, .bad = -1};
}

static void r_bad(struct row *r, int col)
{
	if (r->bad < 0)
		r->bad = col;
}

static const char *r_str(struct row *r)
{
	return (const char *)sqlite3_column_text(r->st, r->i++);
}

static int64_t r_int(struct row *r)
{
	return sqlite3_column_int64(r->st, r->i++);
}

/* NULL is -1. */
static int64_t r_int_opt(struct row *r)
{
	if (sqlite3_column_type(r->st, r->i) == SQLITE_NULL) {
		r->i++;
		return -1;
	}
	return r_int(r);
}

static bool r_bool(struct row *r)
{
	return r_int(r) != 0;
}

/* Into a fixed buffer; NULL is "". */
static void r_text(struct row *r, char *buf, size_t size)
{
	const char *s = r_str(r);
	snprintf(buf, size, "%s", s ? s : "");
}

/* A new copy; NULL stays NULL. */
static char *r_dup(struct row *r)
{
	return xstrdup(r_str(r));
}

static ts_t r_ts(struct row *r)
{
	int col = r->i;
	const char *s = r_str(r);
	ts_t t;

	if (!s)
		return TS_NONE;
	if (date_parse_ts(s, &t)) {
		r_bad(r, col);
		return TS_NONE;
	}
	return t;
}

static date_t r_date(struct row *r)
{
	int col = r->i;
	const char *s = r_str(r);
	date_t d;

	if (!s)
		return DATE_NONE;
	if (date_parse(s, &d)) {
		r_bad(r, col);
		return DATE_NONE;
	}
	return d;
}

/* NULL is -1; an unknown word is an error. */
static int r_enum_opt(struct row *r, const struct vocab *v)
{
	int col = r->i;
	const char *s = r_str(r);
	int val;

	if (!s)
		return -1;
	val = vocab_parse(v, s);
	if (val < 0)
		r_bad(r, col);
	return val;
}

static int r_enum(struct row *r, const struct vocab *v)
{
	int col = r->i;
	int val = r_enum_opt(r, v);

	if (val < 0) {
		r_bad(r, col);
		return 0;
	}
	return val;
}

static int r_done(const struct row *r, struct err *e)
{
	if (r->bad < 0)
		return 0;
	return err_set(e, ERR_RUNTIME, "db", "invalid stored value in column \"%s\"",
		       sqlite3_column_name(r->st, r->bad));
}

/* ------------------------------------------------------------------------
 * Reading: every get, list and walk is the same use of a cached statement
 * (bind the keys, step, read each row, reset), written once here. What
 * differs comes in as arguments: a binder with the keys it binds, and a
 * record_rows (or a row_fn) for what each row becomes. */

/* Binds a read's parameters from its keys (whatever the read passed). */
typedef void (*binder)(struct bind *b, const void *keys);

/* Called on the current row of st; non-zero stops a walk (-1: an error,
 * set in e). */
typedef int (*row_fn)(sqlite3_stmt *st, void *arg, struct err *e);

typedef void (*elem_release)(void *elem);

/* How rows become records of one type: a record's size, what reads the
 * current row into a zeroed or initialised one, and what frees its owned
 * members (NULL: it owns none). */
struct record_rows {
	size_t size;
	row_fn read;
	elem_release release;
};

/* One text key, bound as given (NULL binds NULL). */
static void bind_key(struct bind *b, const void *key)
{
	b_exact(b, key);
}

/* Two text keys, bound in order as given. */
struct key_pair {
	const char *first, *second;
};

static void bind_pair(struct bind *b, const void *keys)
{
	const struct key_pair *k = keys;

	b_exact(b, k->first);
	b_exact(b, k->second);
}

/* The cached statement for id (see stmt_get) with its parameters bound by
 * bind_keys (NULL: it has none). NULL on error, with nothing to put. */
static sqlite3_stmt *stmt_bind(struct sqlite_store *ss, enum q id, binder bind_keys,
			       const void *keys, struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, id, e);
	struct bind b;

	if (!st)
		return NULL;
	b = bind_start(st);
	if (bind_keys)
		bind_keys(&b, keys);
	if (b_done(&b, e)) {
		stmt_put(ss, id, st);
		return NULL;
	}
	return st;
}

/* Reads the one row query id finds for keys into out (rows NULL: only
 * looks). Returns the number of rows read, 1 or 0 (none: e is untouched),
 * or -1 on error, having released a half-read record. The statement is
 * reset on return, so the caller may go on to query the store. */
static int fetch_one(struct sqlite_store *ss, enum q id, binder bind_keys, const void *keys,
		     const struct record_rows *rows, void *out, struct err *e)
{
	sqlite3_stmt *st = stmt_bind(ss, id, bind_keys, keys, e);
	int rc, ret = -1;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		ret = 0;
	else if (rc != SQLITE_ROW)
		db_fail(ss, e);
	else if (!rows || rows->read(st, out, e) == 0)
		ret = 1;
	else if (rows->release)
		rows->release(out);
	stmt_put(ss, id, st);
	return ret;
}

/* Calls fn(st, arg) on each row query id finds for keys, in the query's
 * order; a non-zero return from fn stops the walk and is returned. fn may
 * re-enter the store, even with query id: stmt_get then prepares a private
 * copy of the busy statement. */
static int each_row(struct sqlite_store *ss, enum q id, binder bind_keys, const void *keys,
		    row_fn fn, void *arg, struct err *e)
{
	sqlite3_stmt *st = stmt_bind(ss, id, bind_keys, keys, e);
	int rc = SQLITE_ROW, ret = 0;

	if (!st)
		return -1;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
		ret = fn(st, arg, e);
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(ss, e);
	stmt_put(ss, id, st);
	return ret;
}

/* The array fetch_all grows: n records of rows->size bytes. */
struct record_array {
	const struct record_rows *rows;
	char *items;
	size_t n, cap;
};

static int append_row(sqlite3_stmt *st, void *arg, struct err *e)
{
	struct record_array *a = arg;
	char *item;

	if (a->n == a->cap) {
		a->cap = a->cap ? a->cap * 2 : 8;
		a->items = xrealloc(a->items, a->cap * a->rows->size);
	}
	/* Counted before it is read, so that a half-read record is released. */
	item = a->items + a->n++ * a->rows->size;
	memset(item, 0, a->rows->size);
	return a->rows->read(st, item, e);
}

/* Reads every row query id finds for keys into a new array of *n records,
 * *out (NULL when there are none). On error *out is NULL and *n 0. */
static int fetch_all(struct sqlite_store *ss, enum q id, binder bind_keys, const void *keys,
		     const struct record_rows *rows, void **out, size_t *n, struct err *e)
{
	struct record_array a = {.rows = rows};
	int ret = each_row(ss, id, bind_keys, keys, append_row, &a, e);

	if (ret) {
		for (size_t i = 0; rows->release && i < a.n; i++)
			rows->release(a.items + i * rows->size);
		free(a.items);
		a.items = NULL;
		a.n = 0;
	}
	*out = a.items;
	*n = a.n;
	return ret;
}

/* ------------------------------------------------------------------------
 * Shared helpers: steps, existence checks, numbering, atomic ops */

/* Steps a write to completion; conflict_field names a unique key whose
 * violation is reported as ERR_CONFLICT with conflict_msg. */
static int step_write(struct sqlite_store *ss, sqlite3_stmt *st, const char *conflict_field,
		      const char *conflict_msg, struct err *e)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_DONE)
		return 0;
	if (conflict_field && is_unique(rc))
		return err_set(e, ERR_CONFLICT, conflict_field, "%s", conflict_msg);
	return db_fail(ss, e);
}

/* Steps an INSERT ... RETURNING of one integer. */
static int step_returning(struct sqlite_store *ss, sqlite3_stmt *st, int64_t *out, struct err *e)
{
	if (sqlite3_step(st) != SQLITE_ROW)
		return db_fail(ss, e);
	*out = sqlite3_column_int64(st, 0);
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(ss, e);
	return 0;
}

/* 1 if query id finds a row for key (and key2, unless NULL), 0 if not, -1
 * on error. */
static int exists(struct sqlite_store *ss, enum q id, const char *key, const char *key2,
		  struct err *e)
{
	const struct key_pair pair = {key, key2};

	if (key2)
		return fetch_one(ss, id, bind_pair, &pair, NULL, NULL, e);
	return fetch_one(ss, id, bind_key, key, NULL, NULL, e);
}

static int need_org(struct sqlite_store *ss, const char *code, const char *field, struct err *e)
{
	int r = exists(ss, Q_ORG_EXISTS, code, NULL, e);

	if (r < 0)
		return -1;
	return r ? 0 : err_set(e, ERR_NOT_FOUND, field, "organisation \"%s\" not found", code);
}

static int need_person(struct sqlite_store *ss, const char *staff_id, const char *field,
		       struct err *e)
{
	int r = exists(ss, Q_PERSON_EXISTS, staff_id, NULL, e);

	if (r < 0)
		return -1;
	return r ? 0 : err_set(e, ERR_NOT_FOUND, field, "person \"%s\" not found", staff_id);
}

static int need_incident(struct sqlite_store *ss, const char *ref, struct err *e)
{
	int r = exists(ss, Q_INCIDENT_EXISTS, ref, NULL, e);

	if (r < 0)
		return -1;
	return r ? 0 : err_set(e, ERR_NOT_FOUND, "ref", "incident \"%s\" not found", ref);
}

/* The incident exists and names subject among its subjects. */
static int need_subject(struct sqlite_store *ss, const char *ref, const char *subject,
			struct err *e)
{
	int r;

	if (need_incident(ss, ref, e))
		return -1;
	r = exists(ss, Q_SUBJECT_EXISTS, ref, subject, e);
	if (r < 0)
		return -1;
	return r ? 0
		 : err_set(e, ERR_NOT_FOUND, "subject",
			   "\"%s\" is not a subject of incident \"%s\"", subject, ref);
}

static int need_notice(struct sqlite_store *ss, const char *number, const char *field,
		       struct err *e)
{
	int r = exists(ss, Q_NOTICE_EXISTS, number, NULL, e);

	if (r < 0)
		return -1;
	return r ? 0 : err_set(e, ERR_NOT_FOUND, field, "breach notice \"%s\" not found", number);
}

/* The next number of a yearly sequence ("SB", "BN"). It is taken inside the
 * writing transaction, so a rollback gives it back: numbers have no gaps,
 * and concurrent writers queue on the write lock (BEGIN IMMEDIATE). */
static int seq_next(struct sqlite_store *ss, const char *name, int year, int64_t *out,
		    struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, Q_SEQ_NEXT, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, name);
	b_int(&b, year);
	if (b_done(&b, e) || step_returning(ss, st, out, e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, Q_SEQ_NEXT, st);
	return ret;
}

/* "SB-2026-000001": prefix, year, number zero-padded to six digits. */
static int format_number(char out[REF_MAX], const char *prefix, int year, int64_t seq,
			 const char *field, struct err *e)
{
	int n = snprintf(out, REF_MAX, "%s-%04d-%06lld", prefix, year, (long long)seq);

	if (n < 0 || n >= REF_MAX)
		return err_set(e, ERR_RUNTIME, field, "%s numbers for %d are exhausted", prefix,
			       year);
	return 0;
}

static int year_of_date(date_t d)
{
	int y, m, dd;

	date_to_ymd(d, &y, &m, &dd);
	return y;
}

/* The store may read the clock (core may not): a time the caller left
 * unset on a record that must carry one. */
static ts_t now_or(ts_t t)
{
	return t == TS_NONE ? (ts_t)time(NULL) : t;
}

/* A write of several statements is all or nothing even if the caller did
 * not begin(): inside a transaction it is a savepoint, so a failure undoes
 * just this call and the caller's transaction stays usable; outside one it
 * is its own BEGIN IMMEDIATE ... COMMIT. */
struct op {
	bool own;
	bool open;
};

/* Writers of one process queue on the shared mutex (when the caller set
 * one) instead of in SQLite's busy handler, which sleeps and backs off:
 * under load that turns a microsecond wait into milliseconds. */
static void write_lock(struct sqlite_store *ss)
{
	if (ss->base.write_lock && !ss->write_locked) {
		pthread_mutex_lock(ss->base.write_lock);
		ss->write_locked = true;
	}
}

static void write_unlock(struct sqlite_store *ss)
{
	if (ss->write_locked) {
		ss->write_locked = false;
		pthread_mutex_unlock(ss->base.write_lock);
	}
}

static int op_begin(struct sqlite_store *ss, struct op *op, struct err *e)
{
	op->own = sqlite3_get_autocommit(ss->db) != 0;
	op->open = false;
	if (op->own)
		write_lock(ss);
	if (run(ss, op->own ? Q_BEGIN : Q_SAVEPOINT, e)) {
		if (op->own)
			write_unlock(ss);
		return -1;
	}
	op->open = true;
	return 0;
}

/* Commits (ret 0) or undoes the op; returns its final status. */
static int op_end(struct sqlite_store *ss, struct op *op, int ret, struct err *e)
{
	if (!op->open)
		return ret;
	op->open = false;
	if (ret == 0) {
		if (run(ss, op->own ? Q_COMMIT : Q_RELEASE, e) == 0) {
			if (op->own)
				write_unlock(ss);
			return 0;
		}
		ret = -1;
	}
	if (op->own) {
		if (!sqlite3_get_autocommit(ss->db))
			run(ss, Q_ROLLBACK, NULL);
		write_unlock(ss);
	} else if (run(ss, Q_ROLLBACK_TO, NULL) == 0) {
		run(ss, Q_RELEASE, NULL);
	}
	return ret;
}

/* ------------------------------------------------------------------------
 * Transactions and backup */

static int sq_begin(struct store *s, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	if (ss->depth > 0) {
		/* Inside a group: a savepoint. If the group's transaction was
		 * lost (SQLite rolls back on some I/O errors), refuse: a
		 * savepoint outside a transaction would commit on release. */
		if (sqlite3_get_autocommit(ss->db))
			return err_set(e, ERR_RUNTIME, "db", "the enclosing transaction was lost");
		if (run(ss, Q_NEST, e))
			return -1;
		ss->depth++;
		return 0;
	}
	write_lock(ss);
	if (run(ss, Q_BEGIN, e)) {
		write_unlock(ss);
		return -1;
	}
	ss->depth = 1;
	return 0;
}

static int sq_begin_read(struct store *s, struct err *e)
{
	return run(sq(s), Q_BEGIN_READ, e);
}

static int sq_commit(struct store *s, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	if (ss->depth > 1) {
		if (run(ss, Q_NEST_RELEASE, e))
			return -1;
		ss->depth--;
		return 0;
	}
	if (ss->depth == 1 && ss->group)
		return err_set(e, ERR_RUNTIME, "db", "commit without a matching begin in a group");
	/* Level 1, or the end of a read snapshot (depth 0). */
	int rc = run(ss, Q_COMMIT, e);
	/* A failed COMMIT leaves the transaction open for rollback(). */
	if (rc == 0 || sqlite3_get_autocommit(ss->db)) {
		ss->depth = 0;
		write_unlock(ss);
	}
	return rc;
}

static void sq_rollback(struct store *s)
{
	struct sqlite_store *ss = sq(s);

	if (ss->depth > 1) {
		if (!sqlite3_get_autocommit(ss->db) && run(ss, Q_NEST_ROLLBACK, NULL) == 0)
			run(ss, Q_NEST_RELEASE, NULL);
		ss->depth--;
		return;
	}
	/* A stray rollback inside a group must not undo the others' work. */
	if (ss->depth == 1 && ss->group)
		return;
	if (!sqlite3_get_autocommit(ss->db))
		run(ss, Q_ROLLBACK, NULL);
	ss->depth = 0;
	write_unlock(ss);
}

static int sq_group_begin(struct store *s, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	if (ss->depth != 0)
		return err_set(e, ERR_RUNTIME, "db", "a group cannot start inside a transaction");
	if (sq_begin(s, e))
		return -1;
	ss->group = true;
	return 0;
}

static int sq_group_end(struct store *s, bool commit, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	int rc = 0;
	ss->group = false;
	/* Operations that left savepoints open are undone with the group. */
	if (ss->depth != 1)
		commit = false, rc = err_set(e, ERR_RUNTIME, "db", "an operation left a savepoint open");
	if (commit && sqlite3_get_autocommit(ss->db))
		commit = false, rc = err_set(e, ERR_RUNTIME, "db", "the group's transaction was lost");
	if (commit && sq_commit(s, e) == 0)
		return 0;
	if (commit)
		rc = -1;
	while (ss->depth > 1)
		sq_rollback(s);
	sq_rollback(s);
	return commit ? -1 : rc;
}

/* The file is created here with O_EXCL, so an existing file is never
 * overwritten (not even one that appears after a check), and mode 0600:
 * the copy holds the same OFFICIAL-SENSITIVE records. */
static int sq_backup(struct store *s, const char *path, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3 *dst = NULL;
	sqlite3_backup *bk;
	bool created = false;
	int fd, rc = SQLITE_ERROR, ret = -1;

	if (!path || !*path)
		return err_set(e, ERR_INVALID, "file", "no backup file given");
	if (!sqlite3_get_autocommit(ss->db))
		return err_set(e, ERR_RUNTIME, "db", "cannot back up inside a transaction");
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		if (errno == EEXIST)
			return err_set(e, ERR_INVALID, "file", "file \"%s\" already exists", path);
		return err_set(e, ERR_RUNTIME, "file", "cannot create \"%s\": %s", path,
			       strerror(errno));
	}
	close(fd);
	created = true;
	if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		err_set(e, ERR_RUNTIME, "file", "cannot open \"%s\": %s", path,
			dst ? sqlite3_errmsg(dst) : "out of memory");
		goto out;
	}
	bk = sqlite3_backup_init(dst, "main", ss->db, "main");
	if (!bk) {
		err_set(e, ERR_RUNTIME, "file", "cannot back up to \"%s\": %s", path,
			sqlite3_errmsg(dst));
		goto out;
	}
	/* All pages in one step: the copy is one consistent snapshot. */
	for (int tries = 0; tries < BUSY_TIMEOUT_MS / 50; tries++) {
		rc = sqlite3_backup_step(bk, -1);
		if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
			break;
		sqlite3_sleep(50);
	}
	sqlite3_backup_finish(bk);
	if (rc != SQLITE_DONE) {
		err_set(e, ERR_RUNTIME, "file", "cannot back up to \"%s\": %s", path,
			sqlite3_errstr(rc));
		goto out;
	}
	ret = 0;
out:
	sqlite3_close(dst);
	if (ret && created)
		unlink(path);
	return ret;
}

/* ------------------------------------------------------------------------
 * Organisations */

static int read_org(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct org *o = elem;
	struct row r = row_start(st);

	org_init(o);
	o->id = r_int(&r);
	r_text(&r, o->code, sizeof o->code);
	o->name = r_dup(&r);
	r_text(&r, o->parent, sizeof o->parent);
	o->discipline_policy = r_enum_opt(&r, &vocab_discipline);
	r_text(&r, o->head, sizeof o->head);
	o->headcount = r_int_opt(&r);
	o->created_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_org(void *elem)
{
	org_release(elem);
}

static const struct record_rows org_rows = {
    .size = sizeof(struct org), .read = read_org, .release = release_org};

static int sq_org_insert(struct store *s, struct org *o, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	char msg[CODE_MAX + 32];
	ts_t created = now_or(o->created_at);
	int ret = -1;

	if (o->parent[0] && need_org(ss, o->parent, "parent", e))
		return -1;
	st = stmt_get(ss, Q_ORG_INSERT, e);
	if (!st)
		goto out;
	b = bind_start(st);
	b_exact(&b, o->code);
	b_text(&b, o->name);
	b_text(&b, o->parent);
	b_enum_opt(&b, &vocab_discipline, o->discipline_policy);
	b_text(&b, o->head);
	b_int_opt(&b, o->headcount);
	b_ts(&b, created);
	if (b_done(&b, e))
		goto out;
	snprintf(msg, sizeof msg, "organisation \"%s\" already exists", o->code);
	if (step_write(ss, st, "code", msg, e))
		goto out;
	o->id = sqlite3_last_insert_rowid(ss->db);
	o->created_at = created;
	ret = 0;
out:
	stmt_put(ss, Q_ORG_INSERT, st);
	return ret;
}

static int sq_org_get(struct store *s, const char *code, struct org *out, struct err *e)
{
	int r;

	org_init(out);
	r = fetch_one(sq(s), Q_ORG_GET, bind_key, code, &org_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "code", "organisation \"%s\" not found", code);
	return r == 1 ? 0 : -1;
}

static int sq_org_list(struct store *s, struct org **out, size_t *n, struct err *e)
{
	void *list;
	int ret = fetch_all(sq(s), Q_ORG_LIST, NULL, NULL, &org_rows, &list, n, e);

	*out = list;
	return ret;
}

/* ------------------------------------------------------------------------
 * People */

static int read_person(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct person *p = elem;
	struct row r = row_start(st);

	person_init(p);
	p->id = r_int(&r);
	r_text(&r, p->staff_id, sizeof p->staff_id);
	p->name = r_dup(&r);
	p->email = r_dup(&r);
	r_text(&r, p->org, sizeof p->org);
	r_text(&r, p->manager, sizeof p->manager);
	p->engagement = r_enum(&r, &vocab_engagement);
	p->probation_until = r_date(&r);
	p->clearance = r_enum(&r, &vocab_clearance);
	p->created_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_person(void *elem)
{
	person_release(elem);
}

static const struct record_rows person_rows = {
    .size = sizeof(struct person), .read = read_person, .release = release_person};

static int sq_person_insert(struct store *s, struct person *p, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	char msg[STAFF_MAX + 32];
	ts_t created = now_or(p->created_at);
	int ret = -1;

	if (need_org(ss, p->org, "org", e))
		return -1;
	if (p->manager[0] && need_person(ss, p->manager, "manager", e))
		return -1;
	st = stmt_get(ss, Q_PERSON_INSERT, e);
	if (!st)
		goto out;
	b = bind_start(st);
	b_exact(&b, p->staff_id);
	b_text(&b, p->name);
	b_text(&b, p->email);
	b_exact(&b, p->org);
	b_text(&b, p->manager);
	b_enum(&b, &vocab_engagement, (int)p->engagement);
	b_date(&b, p->probation_until);
	b_enum(&b, &vocab_clearance, (int)p->clearance);
	b_ts(&b, created);
	if (b_done(&b, e))
		goto out;
	snprintf(msg, sizeof msg, "person \"%s\" already exists", p->staff_id);
	if (step_write(ss, st, "staff_id", msg, e))
		goto out;
	p->id = sqlite3_last_insert_rowid(ss->db);
	p->created_at = created;
	ret = 0;
out:
	stmt_put(ss, Q_PERSON_INSERT, st);
	return ret;
}

static int sq_person_get(struct store *s, const char *staff_id, struct person *out, struct err *e)
{
	int r;

	person_init(out);
	r = fetch_one(sq(s), Q_PERSON_GET, bind_key, staff_id, &person_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "staff_id", "person \"%s\" not found", staff_id);
	return r == 1 ? 0 : -1;
}

static int sq_person_reports(struct store *s, const char *manager, struct person **out, size_t *n,
			     struct err *e)
{
	struct sqlite_store *ss = sq(s);
	void *list;
	int ret = fetch_all(ss, Q_PERSON_REPORTS, bind_key, manager, &person_rows, &list, n, e);

	/* No reports: say so when the manager is unknown. */
	if (ret == 0 && *n == 0)
		ret = need_person(ss, manager, "staff_id", e);
	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * Guidance */

static int read_guidance(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct guidance_doc *d = elem;
	struct row r = row_start(st);

	memset(d, 0, sizeof *d);
	r_text(&r, d->org, sizeof d->org);
	d->version = (int)r_int(&r);
	d->doc = r_dup(&r);
	d->published_at = r_ts(&r);
	r_text(&r, d->published_by, sizeof d->published_by);
	return r_done(&r, e);
}

static void release_guidance(void *elem)
{
	guidance_doc_release(elem);
}

static const struct record_rows guidance_rows = {
    .size = sizeof(struct guidance_doc), .read = read_guidance, .release = release_guidance};

/* Q_GUIDANCE_GET's keys: version 0 is the latest. */
struct guidance_key {
	const char *org;
	int version;
};

static void bind_guidance_key(struct bind *b, const void *keys)
{
	const struct guidance_key *k = keys;

	b_exact(b, k->org);
	b_int(b, k->version);
}

static int sq_guidance_insert(struct store *s, struct guidance_doc *d, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	ts_t at = now_or(d->published_at);
	int64_t version = 0;
	int ret = -1;

	if (need_org(ss, d->org, "org", e))
		return -1;
	st = stmt_get(ss, Q_GUIDANCE_INSERT, e);
	if (!st)
		goto out;
	b = bind_start(st);
	b_exact(&b, d->org);
	b_text(&b, d->doc);
	b_ts(&b, at);
	b_text(&b, d->published_by);
	if (b_done(&b, e) || step_returning(ss, st, &version, e))
		goto out;
	d->version = (int)version;
	d->published_at = at;
	ret = 0;
out:
	stmt_put(ss, Q_GUIDANCE_INSERT, st);
	return ret;
}

static int sq_guidance_get(struct store *s, const char *org, int version, struct guidance_doc *out,
			   struct err *e)
{
	const struct guidance_key key = {org, version};
	int r;

	memset(out, 0, sizeof *out);
	r = fetch_one(sq(s), Q_GUIDANCE_GET, bind_guidance_key, &key, &guidance_rows, out, e);
	if (r == 0 && version)
		err_set(e, ERR_NOT_FOUND, "version", "guidance \"%s/%d\" not found", org, version);
	else if (r == 0)
		err_set(e, ERR_NOT_FOUND, "org", "no guidance is published for organisation \"%s\"",
			org);
	return r == 1 ? 0 : -1;
}

/* org NULL or "": every organisation's versions. */
static int sq_guidance_list(struct store *s, const char *org, struct guidance_doc **out, size_t *n,
			    struct err *e)
{
	struct sqlite_store *ss = sq(s);
	const char *key = org && *org ? org : NULL; /* NULL: no filter */
	void *list;
	int ret = fetch_all(ss, Q_GUIDANCE_LIST, bind_key, key, &guidance_rows, &list, n, e);

	if (ret == 0 && *n == 0 && key)
		ret = need_org(ss, key, "org", e);
	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * Incidents */

static int read_incident(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct incident *inc = elem;
	struct row r = row_start(st);

	inc->id = r_int(&r);
	r_text(&r, inc->ref, sizeof inc->ref);
	inc->kind = r_enum(&r, &vocab_kind);
	r_text(&r, inc->org, sizeof inc->org);
	inc->state = r_enum(&r, &vocab_state);
	inc->severity = r_enum_opt(&r, &vocab_severity);
	inc->classification = r_enum(&r, &vocab_classification);
	inc->strap = r_bool(&r);
	inc->third_party_disclosure = r_bool(&r);
	inc->authorised = r_bool(&r);
	inc->criminal = r_bool(&r);
	inc->records = r_int(&r);
	inc->special_category = r_bool(&r);
	inc->intent = r_enum(&r, &vocab_intent);
	inc->damage = r_enum(&r, &vocab_damage);
	inc->description = r_dup(&r);
	inc->location = r_dup(&r);
	inc->occurred_at = r_ts(&r);
	inc->discovered_at = r_ts(&r);
	inc->reported_at = r_ts(&r);
	inc->updated_at = r_ts(&r);
	inc->closed_at = r_ts(&r);
	r_text(&r, inc->reporter, sizeof inc->reporter);
	inc->confidential_reporter = r_bool(&r);
	return r_done(&r, e);
}

static void release_incident(void *elem)
{
	incident_release(elem);
}

/* Without types and subjects: see read_incident_children. */
static const struct record_rows incident_rows = {
    .size = sizeof(struct incident), .read = read_incident, .release = release_incident};

/* The codes read_codes is filling: up to max of width bytes each. */
struct codes {
	char *items;
	size_t width;
	int max;
	int *count;
};

static int add_code(sqlite3_stmt *st, void *arg, struct err *e)
{
	struct codes *c = arg;
	const char *s;

	(void)e;
	if (*c->count == c->max)
		return 0; /* more than the record holds: cannot happen via the store */
	s = (const char *)sqlite3_column_text(st, 0);
	snprintf(c->items + (size_t)*c->count * c->width, c->width, "%s", s ? s : "");
	(*c->count)++;
	return 0;
}

/* Fills up to max codes of the incident's types or subjects into
 * items[max][width], in the order they were given. */
static int read_codes(struct sqlite_store *ss, enum q id, const char *ref, char *items,
		      size_t width, int max, int *count, struct err *e)
{
	struct codes c = {.items = items, .width = width, .max = max, .count = count};

	*count = 0;
	return each_row(ss, id, bind_key, ref, add_code, &c, e);
}

static int add_type(sqlite3_stmt *st, void *arg, struct err *e)
{
	struct incident *inc = arg;
	struct row r = row_start(st);

	if (inc->ntypes == FACTS_MAX_TYPES)
		return 0; /* more than the record holds: cannot happen via the store */
	r_text(&r, inc->types[inc->ntypes], CODE_MAX);
	inc->controls[inc->ntypes] = r_enum(&r, &vocab_control);
	inc->ntypes++;
	return r_done(&r, e);
}

static int read_incident_children(struct sqlite_store *ss, struct incident *inc, struct err *e)
{
	inc->ntypes = 0;
	if (each_row(ss, Q_INCIDENT_TYPES, bind_key, inc->ref, add_type, inc, e))
		return -1;
	return read_codes(ss, Q_INCIDENT_SUBJECTS, inc->ref, &inc->subjects[0][0], STAFF_MAX,
			  INCIDENT_MAX_SUBJECTS, &inc->nsubjects, e);
}

/* Types and subjects: in range and none named twice. */
static int check_incident_lists(const struct incident *inc, struct err *e)
{
	char field[32];

	if (inc->ntypes < 0 || inc->ntypes > FACTS_MAX_TYPES)
		return err_set(e, ERR_INVALID, "types", "at most %d types", FACTS_MAX_TYPES);
	if (inc->nsubjects < 0 || inc->nsubjects > INCIDENT_MAX_SUBJECTS)
		return err_set(e, ERR_INVALID, "subjects", "at most %d subjects",
			       INCIDENT_MAX_SUBJECTS);
	for (int i = 0; i < inc->ntypes; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(inc->types[i], inc->types[k]) == 0) {
				snprintf(field, sizeof field, "types[%d]", i);
				return err_set(e, ERR_INVALID, field, "\"%s\" is named twice",
					       inc->types[i]);
			}
	for (int i = 0; i < inc->nsubjects; i++)
		for (int k = 0; k < i; k++)
			if (strcmp(inc->subjects[i], inc->subjects[k]) == 0) {
				snprintf(field, sizeof field, "subjects[%d]", i);
				return err_set(e, ERR_INVALID, field, "\"%s\" is named twice",
					       inc->subjects[i]);
			}
	return 0;
}

/* Inserts (ref, position, code) rows for the incident's types or subjects. */
static int write_codes(struct sqlite_store *ss, enum q id, const char *ref, const char *items,
		       size_t width, int count, struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, id, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	for (int i = 0; i < count; i++) {
		b = bind_start(st);
		b_exact(&b, ref);
		b_int(&b, i);
		b_exact(&b, items + (size_t)i * width);
		if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
			goto out;
		sqlite3_reset(st);
	}
	ret = 0;
out:
	stmt_put(ss, id, st);
	return ret;
}

/* Inserts (ref, position, type, control) rows for the incident's types. */
static int write_types(struct sqlite_store *ss, const char *ref, const struct incident *inc,
		       struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, Q_INCIDENT_TYPE_INSERT, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	for (int i = 0; i < inc->ntypes; i++) {
		b = bind_start(st);
		b_exact(&b, ref);
		b_int(&b, i);
		b_exact(&b, inc->types[i]);
		b_enum(&b, &vocab_control, (int)inc->controls[i]);
		if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
			goto out;
		sqlite3_reset(st);
	}
	ret = 0;
out:
	stmt_put(ss, Q_INCIDENT_TYPE_INSERT, st);
	return ret;
}

static int sq_incident_insert(struct store *s, struct incident *inc, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct op op = {0};
	struct bind b;
	char ref[REF_MAX], field[32];
	int64_t seq = 0, id = 0;
	int year, ret = -1;

	if (inc->reported_at == TS_NONE)
		return err_set(e, ERR_INVALID, "reported_at", "\"reported_at\" is required");
	if (check_incident_lists(inc, e) || op_begin(ss, &op, e))
		return -1;
	if (need_org(ss, inc->org, "org", e))
		goto out;
	if (inc->reporter[0] && need_person(ss, inc->reporter, "reporter", e))
		goto out;
	for (int i = 0; i < inc->nsubjects; i++) {
		snprintf(field, sizeof field, "subjects[%d]", i);
		if (need_person(ss, inc->subjects[i], field, e))
			goto out;
	}
	year = year_of_date(date_of_ts(inc->reported_at));
	if (seq_next(ss, "SB", year, &seq, e) || format_number(ref, "SB", year, seq, "ref", e))
		goto out;

	st = stmt_get(ss, Q_INCIDENT_INSERT, e);
	if (!st)
		goto out;
	b = bind_start(st);
	b_exact(&b, ref);
	b_int(&b, year);
	b_int(&b, seq);
	b_enum(&b, &vocab_kind, (int)inc->kind);
	b_exact(&b, inc->org);
	b_enum(&b, &vocab_state, (int)inc->state);
	b_enum_opt(&b, &vocab_severity, inc->severity);
	b_enum(&b, &vocab_classification, (int)inc->classification);
	b_bool(&b, inc->strap);
	b_bool(&b, inc->third_party_disclosure);
	b_bool(&b, inc->authorised);
	b_bool(&b, inc->criminal);
	b_int(&b, inc->records);
	b_bool(&b, inc->special_category);
	b_enum(&b, &vocab_intent, (int)inc->intent);
	b_enum(&b, &vocab_damage, (int)inc->damage);
	b_text(&b, inc->description);
	b_text(&b, inc->location);
	b_ts(&b, inc->occurred_at);
	b_ts(&b, inc->discovered_at);
	b_ts(&b, inc->reported_at);
	b_ts(&b, inc->updated_at == TS_NONE ? inc->reported_at : inc->updated_at);
	b_ts(&b, inc->closed_at);
	b_text(&b, inc->reporter);
	b_bool(&b, inc->confidential_reporter);
	if (b_done(&b, e) || step_write(ss, st, "ref", "incident reference already in use", e))
		goto out;
	id = sqlite3_last_insert_rowid(ss->db);
	if (write_types(ss, ref, inc, e) ||
	    write_codes(ss, Q_INCIDENT_SUBJECT_INSERT, ref, &inc->subjects[0][0], STAFF_MAX,
			inc->nsubjects, e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, Q_INCIDENT_INSERT, st);
	ret = op_end(ss, &op, ret, e);
	if (ret == 0) {
		inc->id = id;
		memcpy(inc->ref, ref, sizeof ref);
		if (inc->updated_at == TS_NONE)
			inc->updated_at = inc->reported_at;
	}
	return ret;
}

static int sq_incident_get(struct store *s, const char *ref, struct incident *out, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	int r, ret = -1;

	incident_init(out);
	r = fetch_one(ss, Q_INCIDENT_GET, bind_key, ref, &incident_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "ref", "incident \"%s\" not found", ref);
	else if (r == 1 && read_incident_children(ss, out, e) == 0)
		ret = 0;
	if (ret)
		incident_release(out);
	return ret;
}

static int sq_incident_update(struct store *s, const struct incident *inc, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_INCIDENT_UPDATE, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_enum(&b, &vocab_state, (int)inc->state);
	b_enum_opt(&b, &vocab_severity, inc->severity);
	b_ts(&b, inc->updated_at);
	b_ts(&b, inc->closed_at);
	b_exact(&b, inc->ref);
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	if (sqlite3_changes(ss->db) == 0) {
		err_set(e, ERR_NOT_FOUND, "ref", "incident \"%s\" not found", inc->ref);
		goto out;
	}
	ret = 0;
out:
	stmt_put(ss, Q_INCIDENT_UPDATE, st);
	return ret;
}

/* Q_INCIDENT_LIST's parameters from a struct incident_filter. */
static void bind_filter(struct bind *b, const void *keys)
{
	const struct incident_filter *f = keys;

	b_text(b, f->org);			     /* ?1 */
	b_enum_opt(b, &vocab_state, f->state);	     /* ?2 */
	b_enum_opt(b, &vocab_severity, f->severity); /* ?3 */
	b_text(b, f->type);			     /* ?4 */
	b_text(b, f->subject);			     /* ?5 */
	b_text(b, f->reporter);			     /* ?6 */
	b_bool(b, f->open_only);		     /* ?7 */
	if (f->from == TS_NONE)			     /* ?8 */
		b_exact(b, "");
	else
		b_ts(b, f->from);
	if (f->to == TS_NONE) /* ?9: after any digit */
		b_exact(b, "~");
	else
		b_ts(b, f->to);
	b_int(b, f->limit > 0 ? f->limit : -1);	 /* ?10 */
	b_int(b, f->offset > 0 ? f->offset : 0); /* ?11 */
	b_enum(b, &vocab_state, ST_CLOSED);	 /* ?12..?14 */
	b_enum(b, &vocab_state, ST_UNFOUNDED);
	b_enum(b, &vocab_state, ST_WITHDRAWN);
}

/* The caller's callback, which incident_list hands each incident. */
struct incident_walk {
	struct sqlite_store *ss;
	incident_cb cb;
	void *ctx;
};

static int walk_incident(sqlite3_stmt *st, void *arg, struct err *e)
{
	const struct incident_walk *w = arg;
	struct incident inc;
	int r = -1;

	incident_init(&inc);
	if (read_incident(st, &inc, e) == 0 && read_incident_children(w->ss, &inc, e) == 0)
		r = w->cb(&inc, w->ctx);
	incident_release(&inc);
	return r;
}

static int sq_incident_list(struct store *s, const struct incident_filter *f, incident_cb cb,
			    void *ctx, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	struct incident_walk w = {.ss = ss, .cb = cb, .ctx = ctx};

	if (f->org[0] && need_org(ss, f->org, "org", e))
		return -1;
	return each_row(ss, f->state >= 0 ? Q_INCIDENT_LIST_STATE : Q_INCIDENT_LIST, bind_filter, f,
			walk_incident, &w, e);
}

/* ------------------------------------------------------------------------
 * Transitions and notes */

static int read_transition(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct incident_transition *t = elem;
	struct row r = row_start(st);

	t->id = r_int(&r);
	r_text(&r, t->ref, sizeof t->ref);
	t->from = r_enum(&r, &vocab_state);
	t->to = r_enum(&r, &vocab_state);
	t->reason = r_dup(&r);
	r_text(&r, t->actor, sizeof t->actor);
	t->at = r_ts(&r);
	return r_done(&r, e);
}

static void release_transition(void *elem)
{
	incident_transition_release(elem);
}

static const struct record_rows transition_rows = {.size = sizeof(struct incident_transition),
						   .read = read_transition,
						   .release = release_transition};

static int read_note(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct incident_note *n = elem;
	struct row r = row_start(st);

	n->id = r_int(&r);
	r_text(&r, n->ref, sizeof n->ref);
	r_text(&r, n->author, sizeof n->author);
	n->body = r_dup(&r);
	n->at = r_ts(&r);
	return r_done(&r, e);
}

static void release_note(void *elem)
{
	incident_note_release(elem);
}

static const struct record_rows note_rows = {
    .size = sizeof(struct incident_note), .read = read_note, .release = release_note};

/* Lists the rows of query id for one incident; an unknown incident is
 * ERR_NOT_FOUND rather than an empty list. */
static int list_by_ref(struct sqlite_store *ss, enum q id, const char *ref,
		       const struct record_rows *rows, void **out, size_t *n, struct err *e)
{
	int ret = fetch_all(ss, id, bind_key, ref, rows, out, n, e);

	if (ret == 0 && *n == 0)
		ret = need_incident(ss, ref, e);
	return ret;
}

static int sq_transition_insert(struct store *s, struct incident_transition *t, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	ts_t at = now_or(t->at);
	int ret = -1;

	if (need_incident(ss, t->ref, e))
		return -1;
	st = stmt_get(ss, Q_TRANSITION_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, t->ref);
	b_enum(&b, &vocab_state, (int)t->from);
	b_enum(&b, &vocab_state, (int)t->to);
	b_text(&b, t->reason);
	b_text(&b, t->actor);
	b_ts(&b, at);
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	t->id = sqlite3_last_insert_rowid(ss->db);
	t->at = at;
	ret = 0;
out:
	stmt_put(ss, Q_TRANSITION_INSERT, st);
	return ret;
}

static int sq_transition_list(struct store *s, const char *ref, struct incident_transition **out,
			      size_t *n, struct err *e)
{
	void *list;
	int ret = list_by_ref(sq(s), Q_TRANSITION_LIST, ref, &transition_rows, &list, n, e);

	*out = list; /* NULL when there are none */
	return ret;
}

static int sq_note_insert(struct store *s, struct incident_note *n, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	ts_t at = now_or(n->at);
	int ret = -1;

	if (need_incident(ss, n->ref, e))
		return -1;
	st = stmt_get(ss, Q_NOTE_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, n->ref);
	b_text(&b, n->author);
	b_text(&b, n->body);
	b_ts(&b, at);
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	n->id = sqlite3_last_insert_rowid(ss->db);
	n->at = at;
	ret = 0;
out:
	stmt_put(ss, Q_NOTE_INSERT, st);
	return ret;
}

static int sq_note_list(struct store *s, const char *ref, struct incident_note **out, size_t *n,
			struct err *e)
{
	void *list;
	int ret = list_by_ref(sq(s), Q_NOTE_LIST, ref, &note_rows, &list, n, e);

	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * Assessments */

static int read_assessment(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct assessment_record *a = elem;
	struct row r = row_start(st);

	a->id = r_int(&r);
	r_text(&r, a->ref, sizeof a->ref);
	r_text(&r, a->subject, sizeof a->subject);
	a->severity = r_enum(&r, &vocab_severity);
	a->baseline = r_enum(&r, &vocab_severity);
	a->route = r_enum(&r, &vocab_route);
	a->recommendation = r_enum(&r, &vocab_recommendation);
	a->live_warnings = (int)r_int(&r);
	r_text(&r, a->guidance_version, sizeof a->guidance_version);
	a->facts = r_dup(&r);
	a->result = r_dup(&r);
	r_text(&r, a->assessed_by, sizeof a->assessed_by);
	a->assessed_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_assessment(void *elem)
{
	assessment_record_release(elem);
}

static const struct record_rows assessment_rows = {.size = sizeof(struct assessment_record),
						   .read = read_assessment,
						   .release = release_assessment};

static int sq_assessment_put(struct store *s, struct assessment_record *a, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	ts_t at = now_or(a->assessed_at);
	int64_t id = 0;
	int ret = -1;

	if (need_subject(ss, a->ref, a->subject, e))
		return -1;
	st = stmt_get(ss, Q_ASSESSMENT_PUT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, a->ref);
	b_exact(&b, a->subject);
	b_enum(&b, &vocab_severity, (int)a->severity);
	b_enum(&b, &vocab_severity, (int)a->baseline);
	b_enum(&b, &vocab_route, (int)a->route);
	b_enum(&b, &vocab_recommendation, (int)a->recommendation);
	b_int(&b, a->live_warnings);
	b_text(&b, a->guidance_version);
	b_text(&b, a->facts);
	b_text(&b, a->result);
	b_text(&b, a->assessed_by);
	b_ts(&b, at);
	if (b_done(&b, e) || step_returning(ss, st, &id, e))
		goto out;
	a->id = id;
	a->assessed_at = at;
	ret = 0;
out:
	stmt_put(ss, Q_ASSESSMENT_PUT, st);
	return ret;
}

/* A (ref, subject) read that found no row: which of the two is absent. */
static int missing_for_subject(struct sqlite_store *ss, const char *what, const char *ref,
			       const char *subject, struct err *e)
{
	if (need_incident(ss, ref, e))
		return -1;
	return err_set(e, ERR_NOT_FOUND, "subject", "no %s for \"%s\" on incident \"%s\"", what,
		       subject, ref);
}

static int sq_assessment_get(struct store *s, const char *ref, const char *subject,
			     struct assessment_record *out, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	const struct key_pair key = {ref, subject};
	int r;

	memset(out, 0, sizeof *out);
	r = fetch_one(ss, Q_ASSESSMENT_GET, bind_pair, &key, &assessment_rows, out, e);
	if (r == 0)
		missing_for_subject(ss, "assessment", ref, subject, e);
	return r == 1 ? 0 : -1;
}

static int sq_assessment_list(struct store *s, const char *ref, struct assessment_record **out,
			      size_t *n, struct err *e)
{
	void *list;
	int ret = list_by_ref(sq(s), Q_ASSESSMENT_LIST, ref, &assessment_rows, &list, n, e);

	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * Decisions */

static int read_decision(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct decision *d = elem;
	struct row r = row_start(st);

	decision_init(d);
	d->id = r_int(&r);
	r_text(&r, d->ref, sizeof d->ref);
	r_text(&r, d->subject, sizeof d->subject);
	d->severity = r_enum(&r, &vocab_severity);
	d->outcome = r_enum(&r, &vocab_outcome);
	d->damage = r_enum(&r, &vocab_damage);
	d->intent = r_enum(&r, &vocab_intent);
	d->live_warnings = (int)r_int(&r);
	d->assessed_severity = r_enum(&r, &vocab_severity);
	d->recommendation = r_enum(&r, &vocab_recommendation);
	d->rationale = r_dup(&r);
	d->override_reason = r_dup(&r);
	r_text(&r, d->decided_by, sizeof d->decided_by);
	d->decided_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_decision(void *elem)
{
	decision_release(elem);
}

static const struct record_rows decision_rows = {
    .size = sizeof(struct decision), .read = read_decision, .release = release_decision};

static int sq_decision_insert(struct store *s, struct decision *d, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	char msg[REF_MAX + STAFF_MAX + 64];
	ts_t at = now_or(d->decided_at);
	int ret = -1;

	if (need_subject(ss, d->ref, d->subject, e))
		return -1;
	st = stmt_get(ss, Q_DECISION_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, d->ref);
	b_exact(&b, d->subject);
	b_enum(&b, &vocab_severity, (int)d->severity);
	b_enum(&b, &vocab_outcome, (int)d->outcome);
	b_enum(&b, &vocab_damage, (int)d->damage);
	b_enum(&b, &vocab_intent, (int)d->intent);
	b_int(&b, d->live_warnings);
	b_enum(&b, &vocab_severity, (int)d->assessed_severity);
	b_enum(&b, &vocab_recommendation, (int)d->recommendation);
	b_text(&b, d->rationale);
	b_text(&b, d->override_reason);
	b_text(&b, d->decided_by);
	b_ts(&b, at);
	if (b_done(&b, e))
		goto out;
	snprintf(msg, sizeof msg, "a decision for \"%s\" on incident \"%s\" already exists",
		 d->subject, d->ref);
	if (step_write(ss, st, "subject", msg, e))
		goto out;
	d->id = sqlite3_last_insert_rowid(ss->db);
	d->decided_at = at;
	ret = 0;
out:
	stmt_put(ss, Q_DECISION_INSERT, st);
	return ret;
}

static int sq_decision_get(struct store *s, const char *ref, const char *subject,
			   struct decision *out, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	const struct key_pair key = {ref, subject};
	int r;

	decision_init(out);
	r = fetch_one(ss, Q_DECISION_GET, bind_pair, &key, &decision_rows, out, e);
	if (r == 0)
		missing_for_subject(ss, "decision", ref, subject, e);
	return r == 1 ? 0 : -1;
}

static int sq_decision_list(struct store *s, const char *ref, struct decision **out, size_t *n,
			    struct err *e)
{
	void *list;
	int ret = list_by_ref(sq(s), Q_DECISION_LIST, ref, &decision_rows, &list, n, e);

	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * Breach notices and warnings */

static int read_notice(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct notice *n = elem;
	struct row r = row_start(st);

	notice_init(n);
	n->id = r_int(&r);
	r_text(&r, n->number, sizeof n->number);
	r_text(&r, n->ref, sizeof n->ref);
	r_text(&r, n->subject, sizeof n->subject);
	n->severity = r_enum(&r, &vocab_severity);
	n->issued_on = r_date(&r);
	n->acknowledge_by = r_date(&r);
	n->acknowledged_on = r_date(&r);
	r_text(&r, n->issued_by, sizeof n->issued_by);
	n->body = r_dup(&r);
	return r_done(&r, e);
}

static void release_notice(void *elem)
{
	notice_release(elem);
}

static const struct record_rows notice_rows = {
    .size = sizeof(struct notice), .read = read_notice, .release = release_notice};

static int sq_notice_insert(struct store *s, struct notice *n, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct op op = {0};
	struct bind b;
	char number[REF_MAX];
	int64_t seq = 0, id = 0;
	int year, ret = -1;

	if (n->issued_on == DATE_NONE)
		return err_set(e, ERR_INVALID, "issued_on", "\"issued_on\" is required");
	if (op_begin(ss, &op, e))
		return -1;
	if (need_subject(ss, n->ref, n->subject, e))
		goto out;
	year = year_of_date(n->issued_on);
	if (seq_next(ss, "BN", year, &seq, e) ||
	    format_number(number, "BN", year, seq, "number", e))
		goto out;
	st = stmt_get(ss, Q_NOTICE_INSERT, e);
	if (!st)
		goto out;
	b = bind_start(st);
	b_exact(&b, number);
	b_int(&b, year);
	b_int(&b, seq);
	b_exact(&b, n->ref);
	b_exact(&b, n->subject);
	b_enum(&b, &vocab_severity, (int)n->severity);
	b_date(&b, n->issued_on);
	b_date(&b, n->acknowledge_by);
	b_date(&b, n->acknowledged_on);
	b_text(&b, n->issued_by);
	b_text(&b, n->body);
	if (b_done(&b, e) || step_write(ss, st, "number", "breach notice number already in use", e))
		goto out;
	id = sqlite3_last_insert_rowid(ss->db);
	ret = 0;
out:
	stmt_put(ss, Q_NOTICE_INSERT, st);
	ret = op_end(ss, &op, ret, e);
	if (ret == 0) {
		n->id = id;
		memcpy(n->number, number, sizeof number);
	}
	return ret;
}

static int sq_notice_get(struct store *s, const char *number, struct notice *out, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	int r;

	notice_init(out);
	r = fetch_one(ss, Q_NOTICE_GET, bind_key, number, &notice_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "number", "breach notice \"%.32s\" not found", number);
	return r == 1 ? 0 : -1;
}

static int sq_notice_acknowledge(struct store *s, const char *number, date_t on, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_NOTICE_ACK, e);
	struct bind b;
	int r, ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, number);
	b_date(&b, on);
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	if (sqlite3_changes(ss->db) > 0) {
		ret = 0;
		goto out;
	}
	/* Nothing changed: say whether it is absent or acknowledged already. */
	r = exists(ss, Q_NOTICE_ACKED, number, NULL, e);
	if (r > 0)
		err_set(e, ERR_CONFLICT, "number", "breach notice \"%.32s\" is already acknowledged",
			number);
	else if (r == 0)
		err_set(e, ERR_NOT_FOUND, "number", "breach notice \"%.32s\" not found", number);
out:
	stmt_put(ss, Q_NOTICE_ACK, st);
	return ret;
}

static int sq_notice_list(struct store *s, const char *ref, const char *subject,
			  struct notice **out, size_t *n, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	bool by_ref = ref && *ref, by_subject = subject && *subject;
	const struct key_pair key = {ref, by_subject ? subject : NULL}; /* NULL: any subject */
	void *list;
	int ret;

	if (by_ref)
		ret = fetch_all(ss, Q_NOTICE_BY_REF, bind_pair, &key, &notice_rows, &list, n, e);
	else if (by_subject)
		ret = fetch_all(ss, Q_NOTICE_BY_SUBJECT, bind_key, subject, &notice_rows, &list, n,
				e);
	else
		ret = fetch_all(ss, Q_NOTICE_ALL, NULL, NULL, &notice_rows, &list, n, e);
	/* None: say so when the incident or the person is unknown. */
	if (ret == 0 && *n == 0 && by_ref)
		ret = need_incident(ss, ref, e);
	if (ret == 0 && *n == 0 && by_subject)
		ret = need_person(ss, subject, "subject", e);
	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * What follows a decision: ICO decisions and HR outcomes */

static int read_ico(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct ico_decision *d = elem;
	struct row r = row_start(st);

	d->id = r_int(&r);
	r_text(&r, d->ref, sizeof d->ref);
	d->notify = r_bool(&r);
	d->notified_at = r_ts(&r);
	r_text(&r, d->ico_reference, sizeof d->ico_reference);
	d->reason = r_dup(&r);
	r_text(&r, d->decided_by, sizeof d->decided_by);
	d->decided_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_ico(void *elem)
{
	ico_decision_release(elem);
}

static const struct record_rows ico_rows = {
    .size = sizeof(struct ico_decision), .read = read_ico, .release = release_ico};

static int sq_ico_put(struct store *s, struct ico_decision *d, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st;
	struct bind b;
	int ret = -1;

	if (need_incident(ss, d->ref, e))
		return -1;
	if (!(st = stmt_get(ss, Q_ICO_INSERT, e)))
		return -1;
	b = bind_start(st);
	b_exact(&b, d->ref);
	b_bool(&b, d->notify);
	b_ts(&b, d->notified_at);
	b_text(&b, d->ico_reference);
	b_exact(&b, d->reason);
	b_exact(&b, d->decided_by);
	b_ts(&b, d->decided_at);
	if (b_done(&b, e) ||
	    step_write(ss, st, "ref", "the ICO decision on this incident is already recorded", e))
		goto out;
	d->id = sqlite3_last_insert_rowid(ss->db);
	ret = 0;
out:
	stmt_put(ss, Q_ICO_INSERT, st);
	return ret;
}

static int sq_ico_get(struct store *s, const char *ref, struct ico_decision *out, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	ico_decision_init(out);
	int r = fetch_one(ss, Q_ICO_GET, bind_key, ref, &ico_rows, out, e);
	if (r == 0 && need_incident(ss, ref, e) == 0)
		err_set(e, ERR_NOT_FOUND, "ref", "no ICO decision on incident \"%s\"", ref);
	return r == 1 ? 0 : -1;
}

static int read_hr(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct hr_outcome *h = elem;
	struct row r = row_start(st);

	h->id = r_int(&r);
	r_text(&r, h->ref, sizeof h->ref);
	r_text(&r, h->subject, sizeof h->subject);
	h->outcome = r_enum(&r, &vocab_hr_outcome);
	h->notes = r_dup(&r);
	h->effective_on = r_date(&r);
	r_text(&r, h->recorded_by, sizeof h->recorded_by);
	h->recorded_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_hr(void *elem)
{
	hr_outcome_release(elem);
}

static const struct record_rows hr_rows = {
    .size = sizeof(struct hr_outcome), .read = read_hr, .release = release_hr};

static int sq_hr_insert(struct store *s, struct hr_outcome *h, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st;
	struct bind b;
	int ret = -1;

	if (need_incident(ss, h->ref, e) || need_person(ss, h->subject, "subject", e))
		return -1;
	if (!(st = stmt_get(ss, Q_HR_INSERT, e)))
		return -1;
	b = bind_start(st);
	b_exact(&b, h->ref);
	b_exact(&b, h->subject);
	b_enum(&b, &vocab_hr_outcome, (int)h->outcome);
	b_exact(&b, h->notes);
	b_date(&b, h->effective_on);
	b_exact(&b, h->recorded_by);
	b_ts(&b, h->recorded_at);
	if (b_done(&b, e) ||
	    step_write(ss, st, "subject", "an HR outcome for this subject is already recorded", e))
		goto out;
	h->id = sqlite3_last_insert_rowid(ss->db);
	ret = 0;
out:
	stmt_put(ss, Q_HR_INSERT, st);
	return ret;
}

static int sq_hr_list(struct store *s, const char *ref, struct hr_outcome **out, size_t *n,
		      struct err *e)
{
	void *list;
	int ret = fetch_all(sq(s), Q_HR_LIST, bind_key, ref, &hr_rows, &list, n, e);
	*out = list;
	return ret;
}


static int read_warning(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct warning_record *w = elem;
	struct row r = row_start(st);

	w->id = r_int(&r);
	r_text(&r, w->staff_id, sizeof w->staff_id);
	w->level = r_enum(&r, &vocab_warning_level);
	w->issued_on = r_date(&r);
	r_text(&r, w->source, sizeof w->source);
	r_text(&r, w->ref, sizeof w->ref);
	return r_done(&r, e);
}

static const struct record_rows warning_rows = {
    .size = sizeof(struct warning_record), .read = read_warning, .release = NULL};

static int sq_warning_insert(struct store *s, struct warning_record *w, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	int ret = -1;

	if (w->issued_on == DATE_NONE)
		return err_set(e, ERR_INVALID, "issued_on", "\"issued_on\" is required");
	if (need_person(ss, w->staff_id, "staff_id", e) ||
	    (w->source[0] && need_notice(ss, w->source, "source", e)) ||
	    (w->ref[0] && need_incident(ss, w->ref, e)))
		return -1;
	st = stmt_get(ss, Q_WARNING_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, w->staff_id);
	b_enum(&b, &vocab_warning_level, (int)w->level);
	b_date(&b, w->issued_on);
	b_text(&b, w->source);
	b_text(&b, w->ref);
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	w->id = sqlite3_last_insert_rowid(ss->db);
	ret = 0;
out:
	stmt_put(ss, Q_WARNING_INSERT, st);
	return ret;
}

static int sq_warning_list(struct store *s, const char *staff_id, struct warning_record **out,
			   size_t *n, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	void *list;
	int ret = fetch_all(ss, Q_WARNING_LIST, bind_key, staff_id, &warning_rows, &list, n, e);

	/* None: say so when the person is unknown. */
	if (ret == 0 && *n == 0)
		ret = need_person(ss, staff_id, "staff_id", e);
	*out = list; /* NULL when there are none */
	return ret;
}

/* ------------------------------------------------------------------------
 * Audit log */

/* Exactly as stored, recomputing nothing: audit verify judges these
 * values. A time that does not parse was edited; it is read as the epoch,
 * which no real entry carries, so its hash cannot match and verify reports
 * the entry as edited instead of this walk failing. (Not TS_NONE: the hash
 * formats the time, and date_format_ts is undefined for TS_NONE.) */
static void read_audit(sqlite3_stmt *st, struct audit_entry *a)
{
	struct row r = row_start(st);
	const char *at;

	a->seq = r_int(&r);
	at = r_str(&r);
	if (!at || date_parse_ts(at, &a->at))
		a->at = 0;
	r_text(&r, a->actor, sizeof a->actor);
	r_text(&r, a->action, sizeof a->action);
	r_text(&r, a->entity, sizeof a->entity);
	a->detail = r_dup(&r);
	r_text(&r, a->prev, sizeof a->prev);
	r_text(&r, a->hash, sizeof a->hash);
}

static int sq_audit_append(struct store *s, struct audit_entry *a, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *last = NULL, *ins = NULL, *head = NULL;
	struct audit_entry next = *a; /* shares detail; a is updated on success only */
	struct op op = {0};
	struct bind b;
	int rc, ret = -1;

	if (a->at == TS_NONE)
		return err_set(e, ERR_INVALID, "at", "an audit entry needs a time");
	if (op_begin(ss, &op, e))
		return -1;
	last = stmt_get(ss, Q_AUDIT_LAST, e);
	if (!last)
		goto out;
	rc = sqlite3_step(last);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(last, 1);
		next.seq = sqlite3_column_int64(last, 0) + 1;
		snprintf(next.prev, sizeof next.prev, "%s", h ? h : "");
	} else if (rc == SQLITE_DONE) {
		next.seq = 1;
		snprintf(next.prev, sizeof next.prev, "%s", AUDIT_GENESIS);
	} else {
		db_fail(ss, e);
		goto out;
	}
	audit_compute(&next, next.hash);

	ins = stmt_get(ss, Q_AUDIT_INSERT, e);
	if (!ins)
		goto out;
	b = bind_start(ins);
	b_int(&b, next.seq);
	b_ts(&b, next.at);
	b_exact(&b, next.actor);
	b_exact(&b, next.action);
	b_exact(&b, next.entity);
	b_exact(&b, next.detail);
	b_exact(&b, next.prev);
	b_exact(&b, next.hash);
	if (b_done(&b, e) || step_write(ss, ins, NULL, NULL, e))
		goto out;
	head = stmt_get(ss, Q_AUDIT_HEAD_SET, e);
	if (!head)
		goto out;
	b = bind_start(head);
	b_int(&b, next.seq);
	b_exact(&b, next.hash);
	if (b_done(&b, e) || step_write(ss, head, NULL, NULL, e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, Q_AUDIT_LAST, last);
	stmt_put(ss, Q_AUDIT_INSERT, ins);
	stmt_put(ss, Q_AUDIT_HEAD_SET, head);
	ret = op_end(ss, &op, ret, e);
	if (ret == 0) {
		a->seq = next.seq;
		memcpy(a->prev, next.prev, sizeof a->prev);
		memcpy(a->hash, next.hash, sizeof a->hash);
	}
	return ret;
}

/* A (state, count) row into counts[state]; an unknown state is skipped. */
static int add_count(sqlite3_stmt *st, void *arg, struct err *e)
{
	int64_t *counts = arg;
	int state = vocab_parse(&vocab_state, (const char *)sqlite3_column_text(st, 0));

	(void)e;
	if (state >= 0)
		counts[state] = sqlite3_column_int64(st, 1);
	return 0;
}

static int sq_incident_counts(struct store *s, int64_t counts[ST_COUNT], struct err *e)
{
	for (int i = 0; i < ST_COUNT; i++)
		counts[i] = 0;
	return each_row(sq(s), Q_INCIDENT_COUNTS, NULL, NULL, add_count, counts, e);
}

/* The caller's callback, which audit_each hands each entry. */
struct audit_walk {
	audit_cb cb;
	void *ctx;
	struct audit_entry a; /* the entry being handed on */
};

static int walk_audit(sqlite3_stmt *st, void *arg, struct err *e)
{
	struct audit_walk *w = arg;
	int r;

	(void)e;
	read_audit(st, &w->a);
	r = w->cb(&w->a, w->ctx);
	audit_entry_release(&w->a);
	return r;
}

static int sq_audit_each(struct store *s, const char *entity, audit_cb cb, void *ctx, struct err *e)
{
	struct audit_walk w = {.cb = cb, .ctx = ctx};

	if (entity && *entity)
		return each_row(sq(s), Q_AUDIT_ENTITY, bind_key, entity, walk_audit, &w, e);
	return each_row(sq(s), Q_AUDIT_ALL, NULL, NULL, walk_audit, &w, e);
}

static int sq_audit_head(struct store *s, int64_t *seq, char hash[AUDIT_HASH_HEX], struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_AUDIT_HEAD_GET, e);
	int rc, ret = -1;

	*seq = 0;
	hash[0] = '\0';
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *h = (const char *)sqlite3_column_text(st, 1);
		*seq = sqlite3_column_int64(st, 0);
		snprintf(hash, AUDIT_HASH_HEX, "%s", h ? h : "");
	} else if (rc != SQLITE_DONE) {
		db_fail(ss, e);
		goto out;
	}
	ret = 0;
out:
	stmt_put(ss, Q_AUDIT_HEAD_GET, st);
	return ret;
}

/* ------------------------------------------------------------------------
 * Accounts, API tokens and sessions */

static int need_account(struct sqlite_store *ss, const char *name, const char *field, struct err *e)
{
	int r = exists(ss, Q_ACCOUNT_EXISTS, name, NULL, e);

	if (r < 0)
		return -1;
	return r ? 0 : err_set(e, ERR_NOT_FOUND, field, "account \"%s\" not found", name);
}

/* Steps a write and reports how many rows it changed. */
static int step_changes(struct sqlite_store *ss, sqlite3_stmt *st, int64_t *n, struct err *e)
{
	if (sqlite3_step(st) != SQLITE_DONE)
		return db_fail(ss, e);
	*n = sqlite3_changes(ss->db);
	return 0;
}

static int read_account(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct account *a = elem;
	struct row r = row_start(st);
	const char *roles;
	int col;

	account_init(a);
	a->id = r_int(&r);
	r_text(&r, a->name, sizeof a->name);
	r_text(&r, a->staff_id, sizeof a->staff_id);
	col = r.i;
	roles = r_str(&r);
	if (account_roles_parse(roles, &a->roles))
		r_bad(&r, col);
	r_text(&r, a->pw_hash, sizeof a->pw_hash);
	a->created_at = r_ts(&r);
	a->disabled = r_bool(&r);
	a->failed_logins = (int)r_int(&r);
	a->locked_until = r_ts(&r);
	return r_done(&r, e);
}

static void release_account(void *elem)
{
	account_release(elem);
}

static const struct record_rows account_rows = {
    .size = sizeof(struct account), .read = read_account, .release = release_account};

/* Binds roles as their names (an unknown bit is an invalid "role"). */
static int b_roles(struct bind *b, unsigned roles, struct err *e)
{
	char text[256];

	if (roles & ~((1u << ROLE_COUNT) - 1))
		return err_set(e, ERR_INVALID, "role", "unknown role bits 0x%x", roles);
	account_roles_format(roles, text, sizeof text);
	b_text(b, text);
	return 0;
}

static int sq_account_insert(struct store *s, struct account *a, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	char msg[ACCOUNT_NAME_MAX + 32];
	ts_t created = now_or(a->created_at);
	int ret = -1;

	if (need_person(ss, a->staff_id, "person", e))
		return -1;
	st = stmt_get(ss, Q_ACCOUNT_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, a->name);
	b_exact(&b, a->staff_id);
	if (b_roles(&b, a->roles, e))
		goto out;
	b_text(&b, a->pw_hash);
	b_ts(&b, created);
	b_bool(&b, a->disabled);
	b_int(&b, a->failed_logins);
	b_ts(&b, a->locked_until);
	if (b_done(&b, e))
		goto out;
	snprintf(msg, sizeof msg, "account \"%s\" already exists", a->name);
	if (step_write(ss, st, "name", msg, e))
		goto out;
	a->id = sqlite3_last_insert_rowid(ss->db);
	a->created_at = created;
	ret = 0;
out:
	stmt_put(ss, Q_ACCOUNT_INSERT, st);
	return ret;
}

static int sq_account_get(struct store *s, const char *name, struct account *out, struct err *e)
{
	int r;

	account_init(out);
	r = fetch_one(sq(s), Q_ACCOUNT_GET, bind_key, name, &account_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "name", "account \"%.64s\" not found", name);
	else if (r < 0)
		account_init(out); /* blank rather than half-read */
	return r == 1 ? 0 : -1;
}

static int sq_account_list(struct store *s, struct account **out, size_t *n, struct err *e)
{
	void *list;
	int ret = fetch_all(sq(s), Q_ACCOUNT_LIST, NULL, NULL, &account_rows, &list, n, e);

	*out = list;
	return ret;
}

static int sq_account_update(struct store *s, const struct account *a, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_ACCOUNT_UPDATE, e);
	struct bind b;
	int64_t changed = 0;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	if (b_roles(&b, a->roles, e))
		goto out;
	b_bool(&b, a->disabled);
	b_text(&b, a->pw_hash);
	b_int(&b, a->failed_logins);
	b_ts(&b, a->locked_until);
	b_exact(&b, a->name);
	if (b_done(&b, e) || step_changes(ss, st, &changed, e))
		goto out;
	if (!changed) {
		err_set(e, ERR_NOT_FOUND, "name", "account \"%.64s\" not found", a->name);
		goto out;
	}
	ret = 0;
out:
	stmt_put(ss, Q_ACCOUNT_UPDATE, st);
	return ret;
}

static int read_token(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct api_token *t = elem;
	struct row r = row_start(st);

	api_token_init(t);
	t->id = r_int(&r);
	r_text(&r, t->account, sizeof t->account);
	r_text(&r, t->label, sizeof t->label);
	r_text(&r, t->hash, sizeof t->hash);
	t->created_at = r_ts(&r);
	t->last_used_at = r_ts(&r);
	t->revoked_at = r_ts(&r);
	return r_done(&r, e);
}

/* A token owns nothing (api_token_release is a no-op). */
static const struct record_rows token_rows = {
    .size = sizeof(struct api_token), .read = read_token, .release = NULL};

static int sq_token_insert(struct store *s, struct api_token *t, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	ts_t created = now_or(t->created_at);
	int ret = -1;

	if (need_account(ss, t->account, "account", e))
		return -1;
	st = stmt_get(ss, Q_TOKEN_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, t->account);
	b_text(&b, t->label);
	b_exact(&b, t->hash);
	b_ts(&b, created);
	b_ts(&b, t->last_used_at);
	b_ts(&b, t->revoked_at);
	if (b_done(&b, e) || step_write(ss, st, "token", "token already exists", e))
		goto out;
	t->id = sqlite3_last_insert_rowid(ss->db);
	t->created_at = created;
	ret = 0;
out:
	stmt_put(ss, Q_TOKEN_INSERT, st);
	return ret;
}

static int sq_token_get_by_hash(struct store *s, const char *hash, struct api_token *out,
				struct err *e)
{
	int r;

	api_token_init(out);
	r = fetch_one(sq(s), Q_TOKEN_BY_HASH, bind_key, hash, &token_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "token", "token not found");
	else if (r < 0)
		api_token_init(out); /* blank rather than half-read */
	return r == 1 ? 0 : -1;
}

static int sq_token_list(struct store *s, const char *account, struct api_token **out, size_t *n,
			 struct err *e)
{
	struct sqlite_store *ss = sq(s);
	void *list;
	int ret = fetch_all(ss, Q_TOKEN_LIST, bind_key, account, &token_rows, &list, n, e);

	/* None: say so when the account is unknown. */
	if (ret == 0 && *n == 0)
		ret = need_account(ss, account, "name", e);
	*out = list; /* NULL when there are none */
	return ret;
}

static int sq_token_revoke(struct store *s, const char *account, int64_t id, ts_t at, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_TOKEN_REVOKE, e), *chk = NULL;
	struct bind b;
	int64_t changed = 0;
	int rc, ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_int(&b, id);
	b_exact(&b, account);
	b_ts(&b, now_or(at));
	if (b_done(&b, e) || step_changes(ss, st, &changed, e))
		goto out;
	if (changed) {
		ret = 0;
		goto out;
	}
	/* Nothing changed: say whether the token is absent or already revoked. */
	chk = stmt_get(ss, Q_TOKEN_REVOKED, e);
	if (!chk)
		goto out;
	b = bind_start(chk);
	b_int(&b, id);
	b_exact(&b, account);
	if (b_done(&b, e))
		goto out;
	rc = sqlite3_step(chk);
	if (rc == SQLITE_ROW)
		err_set(e, ERR_CONFLICT, "token", "token %lld of \"%.64s\" is already revoked",
			(long long)id, account);
	else if (rc == SQLITE_DONE)
		err_set(e, ERR_NOT_FOUND, "token", "account \"%.64s\" has no token %lld", account,
			(long long)id);
	else
		db_fail(ss, e);
out:
	stmt_put(ss, Q_TOKEN_REVOKED, chk);
	stmt_put(ss, Q_TOKEN_REVOKE, st);
	return ret;
}

static int sq_token_touch(struct store *s, int64_t id, ts_t at, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_TOKEN_TOUCH, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_int(&b, id);
	b_ts(&b, now_or(at));
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, Q_TOKEN_TOUCH, st);
	return ret;
}

static int read_session(sqlite3_stmt *st, void *elem, struct err *e)
{
	struct session *x = elem;
	struct row r = row_start(st);

	session_init(x);
	r_text(&r, x->hash, sizeof x->hash);
	r_text(&r, x->account, sizeof x->account);
	r_text(&r, x->csrf, sizeof x->csrf);
	x->created_at = r_ts(&r);
	x->last_seen_at = r_ts(&r);
	x->expires_at = r_ts(&r);
	return r_done(&r, e);
}

static void release_session(void *elem)
{
	session_release(elem);
}

static const struct record_rows session_rows = {
    .size = sizeof(struct session), .read = read_session, .release = release_session};

static int sq_session_insert(struct store *s, const struct session *x, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL;
	struct bind b;
	int ret = -1;

	if (x->created_at == TS_NONE || x->last_seen_at == TS_NONE || x->expires_at == TS_NONE)
		return err_set(e, ERR_INVALID, "expires_at", "a session needs its times");
	if (need_account(ss, x->account, "account", e))
		return -1;
	st = stmt_get(ss, Q_SESSION_INSERT, e);
	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, x->hash);
	b_exact(&b, x->account);
	b_exact(&b, x->csrf);
	b_ts(&b, x->created_at);
	b_ts(&b, x->last_seen_at);
	b_ts(&b, x->expires_at);
	if (b_done(&b, e) || step_write(ss, st, "session", "session already exists", e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, Q_SESSION_INSERT, st);
	return ret;
}

static int sq_session_get_by_hash(struct store *s, const char *hash, struct session *out,
				  struct err *e)
{
	int r;

	session_init(out);
	r = fetch_one(sq(s), Q_SESSION_BY_HASH, bind_key, hash, &session_rows, out, e);
	if (r == 0)
		err_set(e, ERR_NOT_FOUND, "session", "session not found");
	else if (r < 0)
		session_init(out); /* blank rather than half-read */
	return r == 1 ? 0 : -1;
}

static int sq_session_touch(struct store *s, const char *hash, ts_t at, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_SESSION_TOUCH, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, hash);
	b_ts(&b, now_or(at));
	if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, Q_SESSION_TOUCH, st);
	return ret;
}

/* Runs a DELETE keyed by one text value; *n rows went. */
static int delete_by(struct sqlite_store *ss, enum q id, const char *key, int64_t *n, struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, id, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, key);
	if (b_done(&b, e) || step_changes(ss, st, n, e))
		goto out;
	ret = 0;
out:
	stmt_put(ss, id, st);
	return ret;
}

static int sq_session_delete(struct store *s, const char *hash, struct err *e)
{
	int64_t n = 0;

	if (delete_by(sq(s), Q_SESSION_DELETE, hash, &n, e))
		return -1;
	return n ? 0 : err_set(e, ERR_NOT_FOUND, "session", "session not found");
}

static int sq_session_delete_account(struct store *s, const char *account, struct err *e)
{
	int64_t n = 0;

	return delete_by(sq(s), Q_SESSION_DELETE_ACCOUNT, account, &n, e);
}

static int sq_draft_get(struct store *s, const char *hash, char **doc, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_bind(ss, Q_DRAFT_GET, bind_key, hash, e);
	int rc, ret = -1;

	*doc = NULL;
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		err_set(e, ERR_NOT_FOUND, "draft", "no report in progress");
	} else if (rc != SQLITE_ROW) {
		db_fail(ss, e);
	} else {
		*doc = xstrdup((const char *)sqlite3_column_text(st, 0));
		ret = 0;
	}
	stmt_put(ss, Q_DRAFT_GET, st);
	return ret;
}

static int sq_draft_put(struct store *s, const char *hash, const char *doc, ts_t at,
			struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_DRAFT_PUT, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, hash);
	b_exact(&b, doc);
	b_ts(&b, now_or(at));
	if (b_done(&b, e) == 0 && step_write(ss, st, NULL, NULL, e) == 0)
		ret = 0;
	else if (sqlite3_extended_errcode(ss->db) == SQLITE_CONSTRAINT_FOREIGNKEY)
		err_set(e, ERR_NOT_FOUND, "session", "session not found");
	stmt_put(ss, Q_DRAFT_PUT, st);
	return ret;
}

static int sq_draft_delete(struct store *s, const char *hash, struct err *e)
{
	int64_t n = 0;

	return delete_by(sq(s), Q_DRAFT_DELETE, hash, &n, e);
}

static int sq_session_purge(struct store *s, ts_t now, ts_t idle_before, int64_t *n, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_SESSION_PURGE, e);
	struct bind b;
	int64_t gone = 0;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_ts(&b, now_or(now));
	b_ts(&b, idle_before);
	if (b_done(&b, e) || step_changes(ss, st, &gone, e))
		goto out;
	if (n)
		*n = gone;
	ret = 0;
out:
	stmt_put(ss, Q_SESSION_PURGE, st);
	return ret;
}

/* ------------------------------------------------------------------------
 * The central record: records, rollups, meta */

/* Splits s at sep in place into at most max pointers; returns how many. */
static int split(char *s, char sep, char **out, int max)
{
	int n = 0;

	if (!s)
		return 0;
	while (n < max) {
		char *end = strchr(s, sep);

		out[n++] = s;
		if (!end)
			break;
		*end = '\0';
		s = end + 1;
	}
	return n;
}

static int bad_record(struct err *e, const char *ref)
{
	return err_set(e, ERR_RUNTIME, "db", "invalid stored case of \"%s\"", ref);
}

/* The record columns after INCIDENT_COLS (RECORD_EXTRA) into r. */
static int read_record_extra(sqlite3_stmt *st, struct record *r, struct err *e)
{
	const int col = 24; /* the columns of INCIDENT_COLS */
	char *types = xstrdup((const char *)sqlite3_column_text(st, col));
	char *subjects = xstrdup((const char *)sqlite3_column_text(st, col + 1));
	char *items[INCIDENT_MAX_SUBJECTS + 1], *f[6];
	int n, ret = -1;

	n = split(types, '\x1e', items, FACTS_MAX_TYPES);
	r->inc.ntypes = 0;
	for (int i = 0; i < n; i++) {
		int c;

		if (split(items[i], '\x1f', f, 2) != 2 || (c = vocab_parse(&vocab_control, f[1])) < 0)
			goto bad;
		snprintf(r->inc.types[i], CODE_MAX, "%s", f[0]);
		r->inc.controls[i] = (enum control)c;
		r->inc.ntypes++;
	}
	n = split(subjects, '\x1e', items, INCIDENT_MAX_SUBJECTS);
	r->inc.nsubjects = 0;
	for (int i = 0; i < n; i++) {
		struct record_subject *x = &r->subjects[i];
		int eng;

		if (split(items[i], '\x1f', f, 6) != 6 ||
		    (eng = vocab_parse(&vocab_engagement, f[1])) < 0)
			goto bad;
		snprintf(r->inc.subjects[i], STAFF_MAX, "%s", f[0]);
		snprintf(x->staff_id, STAFF_MAX, "%s", f[0]);
		x->engagement = (enum engagement)eng;
		x->outcome = *f[2] ? vocab_parse(&vocab_outcome, f[2]) : -1;
		x->decided_severity = *f[3] ? vocab_parse(&vocab_severity, f[3]) : -1;
		x->decided_at = TS_NONE;
		if ((*f[2] && x->outcome < 0) || (*f[3] && x->decided_severity < 0) ||
		    (*f[4] && date_parse_ts(f[4], &x->decided_at)))
			goto bad;
		snprintf(x->notice, REF_MAX, "%s", f[5]);
		r->inc.nsubjects++;
	}
	if (sqlite3_column_type(st, col + 2) == SQLITE_NULL)
		r->ico_notify = -1;
	else
		r->ico_notify = sqlite3_column_int(st, col + 2) != 0;
	ret = 0;
	goto out;
bad:
	bad_record(e, r->inc.ref);
out:
	free(types);
	free(subjects);
	return ret;
}

static int read_record(sqlite3_stmt *st, struct record *r, struct err *e)
{
	if (read_incident(st, &r->inc, e))
		return -1;
	return read_record_extra(st, r, e);
}

static int sq_record_get(struct store *s, const char *ref, struct record *out, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st;
	int rc, ret = -1;

	record_init(out);
	st = stmt_bind(ss, Q_RECORD_GET, bind_key, ref, e);
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE)
		err_set(e, ERR_NOT_FOUND, "ref", "incident \"%s\" not found", ref);
	else if (rc != SQLITE_ROW)
		db_fail(ss, e);
	else if (read_record(st, out, e) == 0)
		ret = 0;
	stmt_put(ss, Q_RECORD_GET, st);
	if (ret)
		record_release(out);
	return ret;
}

struct record_walk {
	record_cb cb;
	void *ctx;
};

static int walk_record(sqlite3_stmt *st, void *arg, struct err *e)
{
	const struct record_walk *w = arg;
	struct record r;
	int ret = -1;

	record_init(&r);
	if (read_record(st, &r, e) == 0)
		ret = w->cb(&r, w->ctx);
	record_release(&r);
	return ret;
}

static int sq_record_each(struct store *s, const struct incident_filter *f, record_cb cb,
			  void *ctx, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	struct record_walk w = {.cb = cb, .ctx = ctx};

	if (f->org[0] && need_org(ss, f->org, "org", e))
		return -1;
	return each_row(ss, Q_RECORD_LIST, bind_filter, f, walk_record, &w, e);
}

/* Dimensions as stored: "" where a cell does not key the dimension. */
static const char *dim_severity(int v)
{
	return v < 0 ? "" : vocab_name(&vocab_severity, v);
}

static const char *dim_enum(const struct vocab *v, int val)
{
	return val == ROLLUP_UNKEYED ? "" : vocab_name(v, val);
}

static const char *dim_outcome(int v)
{
	if (v == ROLLUP_UNKEYED)
		return "";
	return v == ROLLUP_UNDECIDED ? "undecided" : vocab_name(&vocab_outcome, v);
}

static int undim_severity(const char *s)
{
	return !s || !*s ? -1 : vocab_parse(&vocab_severity, s);
}

static int undim_enum(const struct vocab *v, const char *s)
{
	return !s || !*s ? ROLLUP_UNKEYED : vocab_parse(v, s);
}

static int undim_outcome(const char *s)
{
	if (!s || !*s)
		return ROLLUP_UNKEYED;
	return strcmp(s, "undecided") == 0 ? ROLLUP_UNDECIDED : vocab_parse(&vocab_outcome, s);
}

/* The cached upsert of n rollup rows (prepared on first use). */
static sqlite3_stmt *rollup_batch_stmt(struct sqlite_store *ss, size_t n, struct err *e)
{
	char sql[64 + ROLLUP_BATCH * 32 + 256];
	size_t off;

	if (ss->rollup_batch[n])
		return ss->rollup_batch[n];
	off = (size_t)snprintf(sql, sizeof sql,
			       "INSERT INTO rollup (mask, month, org, kind, status, severity,"
			       " personal, ico, type, control, outcome, engagement, n) VALUES ");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(sql + off, sizeof sql - off, "%s(?,?,?,?,?,?,?,?,?,?,?,?,?)",
					i ? "," : "");
	snprintf(sql + off, sizeof sql - off, " ON CONFLICT DO UPDATE SET n = n + excluded.n");
	if (sqlite3_prepare_v3(ss->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &ss->rollup_batch[n],
			       NULL) != SQLITE_OK) {
		db_fail(ss, e);
		sqlite3_finalize(ss->rollup_batch[n]);
		ss->rollup_batch[n] = NULL;
	}
	return ss->rollup_batch[n];
}

/* Every string is the cell's own or a name table's: both outlive the
 * statement's step, so nothing is copied. */
static void bind_cell(struct bind *b, const struct rollup_cell *c)
{
	b_int(b, c->mask);
	b_int(b, c->month);
	b_static(b, c->org);
	b_static(b, vocab_name(&vocab_kind, (int)c->kind));
	b_static(b, vocab_name(&vocab_rollup_status, (int)c->status));
	b_static(b, dim_severity(c->severity));
	b_int(b, c->personal);
	b_int(b, c->ico);
	b_static(b, c->type);
	b_static(b, dim_enum(&vocab_control, c->control));
	b_static(b, dim_outcome(c->outcome));
	b_static(b, dim_enum(&vocab_engagement, c->engagement));
	b_int(b, c->n);
}

static int sq_rollup_add(struct store *s, const struct rollup_cell *cells, size_t ncells,
			 const struct rollup_time *times, size_t ntimes, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = NULL, *tt = NULL;
	struct op op = {0};
	struct bind b;
	int ret = -1;

	if (ncells == 0 && ntimes == 0)
		return 0;
	if (op_begin(ss, &op, e))
		return -1;
	for (size_t i = 0; i < ncells;) {
		size_t k = ncells - i < ROLLUP_BATCH ? ncells - i : ROLLUP_BATCH;

		/* Cells are distinct (merged), so no row of a batch meets
		 * another of the same batch in the upsert. */
		if (!(st = rollup_batch_stmt(ss, k, e)))
			goto out;
		b = bind_start(st);
		for (size_t j = 0; j < k; j++)
			bind_cell(&b, &cells[i + j]);
		if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e)) {
			sqlite3_reset(st);
			goto out;
		}
		sqlite3_reset(st);
		i += k;
	}
	if (ntimes && !(tt = stmt_get(ss, Q_ROLLUP_TIME_ADD, e)))
		goto out;
	for (size_t i = 0; i < ntimes; i++) {
		b = bind_start(tt);
		b_enum(&b, &vocab_rollup_metric, (int)times[i].metric);
		b_int(&b, times[i].month);
		b_exact(&b, times[i].org);
		b_int(&b, times[i].bucket);
		b_int(&b, times[i].n);
		if (b_done(&b, e) || step_write(ss, tt, NULL, NULL, e))
			goto out;
		sqlite3_reset(tt);
	}
	ret = 0;
out:
	stmt_put(ss, Q_ROLLUP_TIME_ADD, tt);
	return op_end(ss, &op, ret, e);
}

static int sq_rollup_clear(struct store *s, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	struct op op = {0};
	int ret = -1;

	if (op_begin(ss, &op, e))
		return -1;
	if (run(ss, Q_ROLLUP_CLEAR, e) == 0 && run(ss, Q_ROLLUP_TIMES_CLEAR, e) == 0)
		ret = 0;
	return op_end(ss, &op, ret, e);
}

/* The rollup's columns in enum rollup_dim order. */
static const char *const dim_cols[RD_COUNT] = {
    [RD_MONTH] = "month",	    [RD_ORG] = "org",		[RD_KIND] = "kind",
    [RD_STATUS] = "status",	    [RD_SEVERITY] = "severity", [RD_PERSONAL] = "personal",
    [RD_ICO] = "ico",		    [RD_TYPE] = "type",		[RD_CONTROL] = "control",
    [RD_OUTCOME] = "outcome",	    [RD_ENGAGEMENT] = "engagement",
};

/* A query whose text depends on the grouping: built from our own column
 * names only; every value is a bound parameter. */
struct sqlbuf {
	char s[4096];
	size_t n;
	bool over;
};

static void sql_add(struct sqlbuf *q, const char *text)
{
	size_t len = strlen(text);

	if (q->n + len + 1 > sizeof q->s) {
		q->over = true;
		return;
	}
	memcpy(q->s + q->n, text, len + 1);
	q->n += len;
}

static void sql_orgs(struct sqlbuf *q, size_t norgs)
{
	sql_add(q, " AND org IN (");
	for (size_t i = 0; i < norgs; i++)
		sql_add(q, i ? ",?" : "?");
	sql_add(q, ")");
}

static sqlite3_stmt *prepare_dynamic(struct sqlite_store *ss, const struct sqlbuf *q,
				     struct err *e)
{
	sqlite3_stmt *st = NULL;

	if (q->over) {
		err_set(e, ERR_INVALID, "org", "too many organisations in one query");
		return NULL;
	}
	if (sqlite3_prepare_v2(ss->db, q->s, -1, &st, NULL) != SQLITE_OK) {
		db_fail(ss, e);
		sqlite3_finalize(st);
		return NULL;
	}
	return st;
}

static int sq_rollup_query(struct store *s, const struct rollup_filter *f, rollup_cb cb,
			   void *ctx, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	struct sqlbuf q = {0};
	sqlite3_stmt *st = NULL;
	struct bind b;
	int rc = SQLITE_ROW, ret = -1;

	if (f->norgs > 1000)
		return err_set(e, ERR_INVALID, "org", "too many organisations in one query");
	sql_add(&q, "SELECT ");
	for (int d = 0; d < RD_COUNT; d++) {
		sql_add(&q, (f->group & (1u << d)) ? dim_cols[d] : "NULL");
		sql_add(&q, ", ");
	}
	sql_add(&q, "sum(n) FROM rollup WHERE mask = ? AND month BETWEEN ? AND ?");
	if (f->orgs)
		sql_orgs(&q, f->norgs);
	sql_add(&q, " AND kind = coalesce(?, kind)"
		    " AND status = coalesce(?, status) AND severity = coalesce(?, severity)"
		    " AND personal = coalesce(?, personal) AND ico = coalesce(?, ico)"
		    " AND type = coalesce(?, type) AND control = coalesce(?, control)"
		    " AND outcome = coalesce(?, outcome)"
		    " AND engagement = coalesce(?, engagement)");
	{
		bool first = true;

		for (int d = 0; d < RD_COUNT; d++)
			if (f->group & (1u << d)) {
				sql_add(&q, first ? " GROUP BY " : ", ");
				sql_add(&q, dim_cols[d]);
				first = false;
			}
		sql_add(&q, " HAVING sum(n) <> 0");
	}
	if (!(st = prepare_dynamic(ss, &q, e)))
		return -1;
	b = bind_start(st);
	b_int(&b, f->mask);
	b_int(&b, f->month_from > 0 ? f->month_from : 0);
	b_int(&b, f->month_to > 0 ? f->month_to : 999999);
	for (size_t i = 0; f->orgs && i < f->norgs; i++)
		b_exact(&b, f->orgs[i]);
	b_exact(&b, f->kind == ROLLUP_ANY ? NULL : vocab_name(&vocab_kind, f->kind));
	b_exact(&b, f->status == ROLLUP_ANY ? NULL : vocab_name(&vocab_rollup_status, f->status));
	b_exact(&b, f->severity == ROLLUP_ANY ? NULL : dim_severity(f->severity));
	if (f->personal == ROLLUP_ANY)
		b_null(&b);
	else
		b_int(&b, f->personal);
	if (f->ico == ROLLUP_ANY)
		b_null(&b);
	else
		b_int(&b, f->ico);
	b_exact(&b, f->type[0] ? f->type : NULL);
	b_exact(&b, f->control == ROLLUP_ANY ? NULL : dim_enum(&vocab_control, f->control));
	b_exact(&b, f->outcome == ROLLUP_ANY ? NULL : dim_outcome(f->outcome));
	b_exact(&b, f->engagement == ROLLUP_ANY ? NULL
						 : dim_enum(&vocab_engagement, f->engagement));
	if (b_done(&b, e))
		goto out;
	ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rollup_cell c = {.mask = f->mask};
		struct row r = row_start(st);
		const char *t;

		c.month = (int)r_int(&r);
		r_text(&r, c.org, sizeof c.org);
		t = r_str(&r);
		c.kind = t ? (enum kind)vocab_parse(&vocab_kind, t) : KIND_BREACH;
		t = r_str(&r);
		c.status = t ? (enum rollup_status)vocab_parse(&vocab_rollup_status, t) : RS_OPEN;
		t = r_str(&r);
		c.severity = t ? undim_severity(t) : ROLLUP_UNKEYED;
		c.personal = (int)r_int_opt(&r);
		t = r_str(&r);
		c.ico = t ? atoi(t) : ROLLUP_ANY;
		r_text(&r, c.type, sizeof c.type);
		c.control = undim_enum(&vocab_control, r_str(&r));
		c.outcome = undim_outcome(r_str(&r));
		c.engagement = undim_enum(&vocab_engagement, r_str(&r));
		c.n = r_int(&r);
		ret = cb(&c, ctx);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(ss, e);
out:
	sqlite3_finalize(st);
	return ret;
}

static int sq_rollup_time_query(struct store *s, const struct rollup_time_filter *f,
				rollup_time_cb cb, void *ctx, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	struct sqlbuf q = {0};
	sqlite3_stmt *st = NULL;
	struct bind b;
	bool by_month = f->group & (1u << RD_MONTH), by_org = f->group & (1u << RD_ORG);
	int rc = SQLITE_ROW, ret = -1;

	if (f->norgs > 1000)
		return err_set(e, ERR_INVALID, "org", "too many organisations in one query");
	sql_add(&q, "SELECT metric, ");
	sql_add(&q, by_month ? "month, " : "0, ");
	sql_add(&q, by_org ? "org, " : "'', ");
	sql_add(&q, "bucket, sum(n) FROM rollup_times WHERE month BETWEEN ? AND ?");
	if (f->orgs)
		sql_orgs(&q, f->norgs);
	sql_add(&q, " GROUP BY metric, ");
	sql_add(&q, by_month ? "month, " : "");
	sql_add(&q, by_org ? "org, " : "");
	sql_add(&q, "bucket HAVING sum(n) <> 0");
	if (!(st = prepare_dynamic(ss, &q, e)))
		return -1;
	b = bind_start(st);
	b_int(&b, f->month_from > 0 ? f->month_from : 0);
	b_int(&b, f->month_to > 0 ? f->month_to : 999999);
	for (size_t i = 0; f->orgs && i < f->norgs; i++)
		b_exact(&b, f->orgs[i]);
	if (b_done(&b, e))
		goto out;
	ret = 0;
	while (ret == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rollup_time t = {0};
		struct row r = row_start(st);

		t.metric = (enum rollup_metric)r_enum(&r, &vocab_rollup_metric);
		t.month = (int)r_int(&r);
		r_text(&r, t.org, sizeof t.org);
		t.bucket = (int)r_int(&r);
		t.n = r_int(&r);
		if (r_done(&r, e) || t.bucket < 0 || t.bucket >= STATS_HOURS_BUCKETS) {
			ret = err_set(e, ERR_RUNTIME, "db", "invalid stored rollup time");
			break;
		}
		ret = cb(&t, ctx);
	}
	if (ret == 0 && rc != SQLITE_DONE)
		ret = db_fail(ss, e);
out:
	sqlite3_finalize(st);
	return ret;
}

struct repeat_args {
	ts_t from, to;
	int min;
};

static void bind_repeat(struct bind *b, const void *keys)
{
	const struct repeat_args *k = keys;

	b_ts(b, k->from);
	b_ts(b, k->to);
	b_int(b, k->min);
}

struct repeat_walk {
	int (*cb)(const char *staff_id, int64_t n, const char *refs, void *ctx);
	void *ctx;
};

static int walk_repeat(sqlite3_stmt *st, void *arg, struct err *e)
{
	const struct repeat_walk *w = arg;
	struct row r = row_start(st);
	const char *id = r_str(&r);
	int64_t n = r_int(&r);
	const char *refs = r_str(&r);

	(void)e;
	return w->cb(id ? id : "", n, refs ? refs : "", w->ctx);
}

static int sq_repeat_subjects(struct store *s, ts_t from, ts_t to, int min,
			      int (*cb)(const char *staff_id, int64_t n, const char *refs,
					void *ctx),
			      void *ctx, struct err *e)
{
	const struct repeat_args k = {from, to, min};
	struct repeat_walk w = {cb, ctx};

	return each_row(sq(s), Q_REPEAT_SUBJECTS, bind_repeat, &k, walk_repeat, &w, e);
}

struct retention_args {
	const char *org;
	ts_t cutoff;
};

static void bind_retention(struct bind *b, const void *keys)
{
	const struct retention_args *k = keys;

	b_exact(b, k->org);
	b_ts(b, k->cutoff);
}

struct ref_list {
	char (*refs)[REF_MAX];
	size_t n, cap;
};

static int add_ref(sqlite3_stmt *st, void *arg, struct err *e)
{
	struct ref_list *l = arg;
	const char *ref = (const char *)sqlite3_column_text(st, 0);

	(void)e;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->refs = xrealloc(l->refs, l->cap * sizeof *l->refs);
	}
	snprintf(l->refs[l->n++], REF_MAX, "%s", ref ? ref : "");
	return 0;
}

static int sq_retention_due(struct store *s, const char *org, ts_t cutoff,
			    char (**refs)[REF_MAX], size_t *n, struct err *e)
{
	const struct retention_args k = {org, cutoff};
	struct ref_list l = {0};

	if (each_row(sq(s), Q_RETENTION_DUE, bind_retention, &k, add_ref, &l, e)) {
		free(l.refs);
		*refs = NULL;
		*n = 0;
		return -1;
	}
	*refs = l.refs;
	*n = l.n;
	return 0;
}

/* Runs a write of query id with the given text parameters (NULL binds
 * NULL), to completion. */
static int write_texts(struct sqlite_store *ss, enum q id, const char *const *vals, int nvals,
		       struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, id, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	for (int i = 0; i < nvals; i++)
		b_exact(&b, vals[i]);
	if (b_done(&b, e) == 0 && step_write(ss, st, NULL, NULL, e) == 0)
		ret = 0;
	stmt_put(ss, id, st);
	return ret;
}

static int sq_incident_pseudonymise(struct store *s, const char *ref,
				    const struct pseudonym_pair *subjects, size_t n,
				    const char *reporter, const char *removed, ts_t at,
				    struct err *e)
{
	struct sqlite_store *ss = sq(s);
	struct op op = {0};
	char when[TS_BUF];
	int ret = -1;

	if (op_begin(ss, &op, e))
		return -1;
	if (need_incident(ss, ref, e))
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *v[] = {ref, subjects[i].from, subjects[i].to};

		if (need_person(ss, subjects[i].to, "subjects", e) ||
		    write_texts(ss, Q_PSEUDO_SUBJECT, v, 3, e) ||
		    write_texts(ss, Q_PSEUDO_WARNINGS, v, 3, e))
			goto out;
	}
	if (reporter && *reporter && need_person(ss, reporter, "reporter", e))
		goto out;
	date_format_ts(at, when);
	{
		const char *inc[] = {ref, reporter && *reporter ? reporter : NULL, removed, when};
		const char *two[] = {ref, removed};

		if (write_texts(ss, Q_PSEUDO_INCIDENT, inc, 4, e) ||
		    write_texts(ss, Q_PSEUDO_NOTES, two, 2, e) ||
		    write_texts(ss, Q_PSEUDO_TRANSITIONS, two, 2, e) ||
		    write_texts(ss, Q_PSEUDO_DECISIONS, two, 2, e) ||
		    write_texts(ss, Q_PSEUDO_HR, two, 2, e) ||
		    write_texts(ss, Q_PSEUDO_ICO, two, 2, e))
			goto out;
	}
	{
		/* A notice's body names its addressee: what stays is that it
		 * was issued (number, severity, dates in the row). */
		const char *v[] = {ref, "{\"pseudonymised\":true}"};
		if (write_texts(ss, Q_PSEUDO_NOTICES, v, 2, e))
			goto out;
	}
	ret = 0;
out:
	return op_end(ss, &op, ret, e);
}

static int sq_meta_get(struct store *s, const char *name, void *buf, size_t *len, struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_bind(ss, Q_META_GET, bind_key, name, e);
	int rc, ret = -1;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_DONE) {
		err_set(e, ERR_NOT_FOUND, "name", "no meta value \"%s\"", name);
	} else if (rc != SQLITE_ROW) {
		db_fail(ss, e);
	} else {
		size_t n = (size_t)sqlite3_column_bytes(st, 0);
		const void *v = sqlite3_column_blob(st, 0);

		if (n > *len) {
			err_set(e, ERR_RUNTIME, "db", "meta value \"%s\" too long", name);
		} else {
			if (n)
				memcpy(buf, v, n);
			*len = n;
			ret = 0;
		}
	}
	stmt_put(ss, Q_META_GET, st);
	return ret;
}

static int sq_meta_put(struct store *s, const char *name, const void *val, size_t len,
		       struct err *e)
{
	struct sqlite_store *ss = sq(s);
	sqlite3_stmt *st = stmt_get(ss, Q_META_PUT, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	b = bind_start(st);
	b_exact(&b, name);
	b_rc(&b, sqlite3_bind_blob(st, b.i, val, (int)len, SQLITE_TRANSIENT));
	if (b_done(&b, e) == 0 && step_write(ss, st, NULL, NULL, e) == 0)
		ret = 0;
	stmt_put(ss, Q_META_PUT, st);
	return ret;
}

/* Migration 4's control areas for types recorded before it: the baseline
 * catalogue's, and "other" for a type an organisation's guidance added
 * (its area was not kept then). */
static int fill_controls(struct sqlite_store *ss, struct err *e)
{
	sqlite3_stmt *st = stmt_get(ss, Q_CONTROL_FILL, e);
	struct bind b;
	int ret = -1;

	if (!st)
		return -1;
	for (size_t i = 0; i <= catalogue_baseline_count; i++) {
		bool last = i == catalogue_baseline_count;

		b = bind_start(st);
		b_exact(&b, last ? NULL : catalogue_baseline[i].code);
		b_enum(&b, &vocab_control,
		       last ? (int)CTL_OTHER : (int)catalogue_baseline[i].control);
		if (b_done(&b, e) || step_write(ss, st, NULL, NULL, e))
			goto out;
		sqlite3_reset(st);
	}
	ret = 0;
out:
	stmt_put(ss, Q_CONTROL_FILL, st);
	return ret;
}

/* ------------------------------------------------------------------------
 * Opening, migrating, closing */

/* The register is OFFICIAL-SENSITIVE: a new database file is created
 * readable by its owner only (SQLite gives its -wal and -shm files the
 * same mode). An existing file keeps its mode. */
static void create_private(const char *path)
{
	int fd;

	if (strcmp(path, ":memory:") == 0 || strncmp(path, "file:", 5) == 0)
		return;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

/* Runs a PRAGMA (or one-off query) and returns its first column as text
 * (into buf) or integer (into *num); either may be NULL. */
static int pragma(struct sqlite_store *ss, const char *path, const char *sql, char *buf,
		  size_t size, int64_t *num, struct err *e)
{
	sqlite3_stmt *st = NULL;
	int rc, ret = -1;

	if (sqlite3_prepare_v2(ss->db, sql, -1, &st, NULL) != SQLITE_OK)
		goto fail;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (buf)
			snprintf(buf, size, "%s", s ? s : "");
		if (num)
			*num = sqlite3_column_int64(st, 0);
	} else if (rc != SQLITE_DONE) {
		goto fail;
	}
	ret = 0;
	goto out;
fail:
	err_set(e, ERR_RUNTIME, "db", "database \"%s\": %s", path, sqlite3_errmsg(ss->db));
out:
	sqlite3_finalize(st);
	return ret;
}

static int configure(struct sqlite_store *ss, const char *path, struct err *e)
{
	char mode[32];
	int64_t fk = 0;

	sqlite3_extended_result_codes(ss->db, 1);
	sqlite3_busy_timeout(ss->db, BUSY_TIMEOUT_MS);
	if (pragma(ss, path, "PRAGMA journal_mode = WAL", mode, sizeof mode, NULL, e))
		return -1;
	/* In WAL mode NORMAL loses no committed transaction on a crash of the
	 * program and keeps the file consistent on power loss; without WAL
	 * (an in-memory database, a file system that cannot share memory)
	 * only FULL is safe. */
	if (pragma(ss, path,
		   strcmp(mode, "wal") == 0 ? "PRAGMA synchronous = NORMAL"
					    : "PRAGMA synchronous = FULL",
		   NULL, 0, NULL, e) ||
	    pragma(ss, path, "PRAGMA foreign_keys = ON", NULL, 0, NULL, e) ||
	    pragma(ss, path, "PRAGMA foreign_keys", NULL, 0, &fk, e))
		return -1;
	if (fk != 1)
		return err_set(e, ERR_RUNTIME, "db", "this SQLite cannot enforce foreign keys");
	/* Statement journals (savepoints inside a write) in memory, not in a
	 * temporary file opened, written and unlinked per write. */
	return pragma(ss, path, "PRAGMA temp_store = MEMORY", NULL, 0, NULL, e);
}

/* Refuses a store written by a newer binary, or a database that is not a
 * register (another program's file given by mistake is left untouched). */
static int check_version(struct sqlite_store *ss, const char *path, int64_t *version, struct err *e)
{
	const int latest = migrations[ARRAY_LEN(migrations) - 1].version;
	int64_t app = 0, tables = 0;

	if (pragma(ss, path, "PRAGMA application_id", NULL, 0, &app, e) ||
	    pragma(ss, path, "PRAGMA user_version", NULL, 0, version, e))
		return -1;
	if (app != 0 && app != BR_APPLICATION_ID)
		return err_set(e, ERR_RUNTIME, "db", "\"%s\" is not a breachreg database", path);
	if (*version > latest)
		return err_set(e, ERR_RUNTIME, "db",
			       "database \"%s\" has schema version %lld, newer than this "
			       "breachreg knows (%d): upgrade breachreg",
			       path, (long long)*version, latest);
	if (*version == 0) {
		if (pragma(ss, path, "SELECT count(*) FROM sqlite_master", NULL, 0, &tables, e))
			return -1;
		if (tables > 0)
			return err_set(e, ERR_RUNTIME, "db", "\"%s\" is not a breachreg database",
				       path);
	}
	return 0;
}

static int migrate(struct sqlite_store *ss, const char *path, struct err *e)
{
	const int latest = migrations[ARRAY_LEN(migrations) - 1].version;
	char sql[48];
	char *msg = NULL;
	int64_t version = 0;
	bool open = false;
	int ret = -1;

	if (check_version(ss, path, &version, e))
		goto out;
	if (version == latest)
		return 0;
	if (run(ss, Q_BEGIN, e))
		goto out;
	open = true;
	/* Again under the write lock: another process may have migrated. */
	if (check_version(ss, path, &version, e))
		goto out;
	for (size_t i = 0; i < ARRAY_LEN(migrations); i++) {
		if (migrations[i].version <= version)
			continue;
		if (sqlite3_exec(ss->db, migrations[i].sql, NULL, NULL, &msg) != SQLITE_OK) {
			err_set(e, ERR_RUNTIME, "db", "database \"%s\": migration %d failed: %s",
				path, migrations[i].version, msg ? msg : "unknown error");
			goto out;
		}
		if (migrations[i].version == 4 && fill_controls(ss, e))
			goto out;
	}
	/* A PRAGMA takes no parameters; the value is our own constant. */
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", latest);
	if (pragma(ss, path, sql, NULL, 0, NULL, e) || run(ss, Q_COMMIT, e))
		goto out;
	open = false;
	ret = 0;
out:
	sqlite3_free(msg);
	if (open && !sqlite3_get_autocommit(ss->db))
		run(ss, Q_ROLLBACK, NULL);
	return ret;
}

static void sq_close(struct store *s)
{
	struct sqlite_store *ss = sq(s);

	if (!ss)
		return;
	for (size_t i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(ss->stmts[i]);
	for (size_t i = 0; i <= ROLLUP_BATCH; i++)
		sqlite3_finalize(ss->rollup_batch[i]);
	sqlite3_close(ss->db);
	free(ss);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .begin = sq_begin,
    .begin_read = sq_begin_read,
    .group_begin = sq_group_begin,
    .group_end = sq_group_end,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .backup = sq_backup,
    .org_insert = sq_org_insert,
    .org_get = sq_org_get,
    .org_list = sq_org_list,
    .person_insert = sq_person_insert,
    .person_get = sq_person_get,
    .person_reports = sq_person_reports,
    .guidance_insert = sq_guidance_insert,
    .guidance_get = sq_guidance_get,
    .guidance_list = sq_guidance_list,
    .incident_insert = sq_incident_insert,
    .incident_get = sq_incident_get,
    .incident_update = sq_incident_update,
    .incident_list = sq_incident_list,
    .transition_insert = sq_transition_insert,
    .transition_list = sq_transition_list,
    .note_insert = sq_note_insert,
    .note_list = sq_note_list,
    .assessment_put = sq_assessment_put,
    .assessment_get = sq_assessment_get,
    .assessment_list = sq_assessment_list,
    .decision_insert = sq_decision_insert,
    .decision_get = sq_decision_get,
    .decision_list = sq_decision_list,
    .notice_insert = sq_notice_insert,
    .notice_list = sq_notice_list,
    .notice_get = sq_notice_get,
    .notice_acknowledge = sq_notice_acknowledge,
    .ico_put = sq_ico_put,
    .ico_get = sq_ico_get,
    .hr_insert = sq_hr_insert,
    .hr_list = sq_hr_list,
    .warning_insert = sq_warning_insert,
    .warning_list = sq_warning_list,
    .audit_append = sq_audit_append,
    .incident_counts = sq_incident_counts,
    .record_get = sq_record_get,
    .record_each = sq_record_each,
    .rollup_add = sq_rollup_add,
    .rollup_clear = sq_rollup_clear,
    .rollup_query = sq_rollup_query,
    .rollup_time_query = sq_rollup_time_query,
    .repeat_subjects = sq_repeat_subjects,
    .retention_due = sq_retention_due,
    .incident_pseudonymise = sq_incident_pseudonymise,
    .meta_get = sq_meta_get,
    .meta_put = sq_meta_put,
    .audit_each = sq_audit_each,
    .audit_head = sq_audit_head,
    .account_insert = sq_account_insert,
    .account_get = sq_account_get,
    .account_list = sq_account_list,
    .account_update = sq_account_update,
    .token_insert = sq_token_insert,
    .token_get_by_hash = sq_token_get_by_hash,
    .token_list = sq_token_list,
    .token_revoke = sq_token_revoke,
    .token_touch = sq_token_touch,
    .session_insert = sq_session_insert,
    .session_get_by_hash = sq_session_get_by_hash,
    .session_touch = sq_session_touch,
    .session_delete = sq_session_delete,
    .draft_get = sq_draft_get,
    .draft_put = sq_draft_put,
    .draft_delete = sq_draft_delete,
    .session_delete_account = sq_session_delete_account,
    .session_purge = sq_session_purge,
};

/* The page-cache reservation (store_memory_limit): one buffer of slots
 * for every connection's pages, which SQLite uses until the process
 * ends, so it is never freed. Slots fit SQLite's default page size, the
 * size of every register; a database with larger pages would take its
 * pages from the heap, within the soft limit. */
#define PAGE_SLOT_PAGE 4096
static struct {
	void *buf;
	int slot, nslots;
} page_slots;

int store_sqlite_memory_limit(int64_t bytes, struct err *e)
{
	int hdr = 0, slot, n;
	void *buf;

	if (bytes <= 0) {
		sqlite3_soft_heap_limit64(0);
		return 0;
	}
	if (page_slots.buf)
		return err_set(e, ERR_RUNTIME, "memory", "the page caches have their budget already");
	/* Before anything initialises SQLite (the soft limit below does):
	 * the page-cache buffer can only be given to an idle library. */
	if (sqlite3_config(SQLITE_CONFIG_PCACHE_HDRSZ, &hdr) != SQLITE_OK)
		return err_set(e, ERR_RUNTIME, "memory",
			       "cannot budget the page caches once a store is open");
	slot = (PAGE_SLOT_PAGE + hdr + 7) & ~7;
	n = (int)(bytes / slot);
	if (n < 1)
		return err_set(e, ERR_INVALID, "memory", "a budget of %lld bytes holds no page",
			       (long long)bytes);
	buf = xmalloc((size_t)n * (size_t)slot);
	/* Resident now: the budget is what the process holds from its start,
	 * not something its RSS grows into as the caches fill. */
	memset(buf, 0, (size_t)n * (size_t)slot);
	if (sqlite3_config(SQLITE_CONFIG_PAGECACHE, buf, slot, n) != SQLITE_OK) {
		free(buf);
		return err_set(e, ERR_RUNTIME, "memory",
			       "cannot budget the page caches once a store is open");
	}
	page_slots.buf = buf;
	page_slots.slot = slot;
	page_slots.nslots = n;
	sqlite3_soft_heap_limit64(bytes);
	return 0;
}

/* SQLite's own process-wide counters (sqlite3_status64): every
 * connection allocates through one allocator. Page caches take reserved
 * slots (PAGECACHE_USED counts them) and, beyond them or with none
 * reserved, heap (PAGECACHE_OVERFLOW, in bytes). */
void store_sqlite_memory_stats(struct store_memory *out)
{
	sqlite3_int64 cur = 0, hi = 0, ocur = 0, ohi = 0;

	if (sqlite3_status64(SQLITE_STATUS_MEMORY_USED, &cur, &hi, 0) == SQLITE_OK) {
		out->used = cur;
		out->used_highwater = hi;
	}
	if (sqlite3_status64(SQLITE_STATUS_MALLOC_COUNT, &cur, &hi, 0) == SQLITE_OK)
		out->allocations = cur;
	if (sqlite3_status64(SQLITE_STATUS_PAGECACHE_USED, &cur, &hi, 0) != SQLITE_OK)
		cur = hi = 0;
	if (sqlite3_status64(SQLITE_STATUS_PAGECACHE_OVERFLOW, &ocur, &ohi, 0) != SQLITE_OK)
		ocur = ohi = 0;
	out->page_cache_reserved = (int64_t)page_slots.nslots * page_slots.slot;
	out->page_cache = cur * page_slots.slot + ocur;
	out->page_cache_highwater = hi * page_slots.slot + ohi;
	out->limit = sqlite3_soft_heap_limit64(-1);
}

int store_sqlite_open(const char *path, struct store **out, struct err *e)
{
	struct sqlite_store *ss = NULL;
	int ret = -1;

	*out = NULL;
	if (!path || !*path)
		return err_set(e, ERR_INVALID, "db", "no database path given");
	create_private(path);
	ss = xcalloc(1, sizeof *ss);
	ss->base.ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &ss->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err_set(e, ERR_RUNTIME, "db", "cannot open database \"%s\": %s", path,
			ss->db ? sqlite3_errmsg(ss->db) : "out of memory");
		goto out;
	}
	if (configure(ss, path, e) || migrate(ss, path, e))
		goto out;
	*out = &ss->base;
	ss = NULL;
	ret = 0;
out:
	if (ss)
		sq_close(&ss->base);
	return ret;
}
