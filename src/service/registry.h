/* registry: the service layer between the adapters (CLI, HTTP) and the
 * store. Each call that writes is exactly one store transaction: it either
 * commits with its audit entry or changes nothing. Callers parse and
 * authorise; the registry enforces the policy's rules (lifecycle, decision
 * checks, numbering) and writes the audit log.
 *
 * Ownership: json_t **out results are new references the caller decrefs;
 * struct outputs are the caller's to release with their type's _release. */
#ifndef BR_REGISTRY_H
#define BR_REGISTRY_H
#include <jansson.h>
#include <stdbool.h>

#include "core/authz.h"
#include "core/decision.h"
#include "core/guidance.h"
#include "core/hr.h"
#include "core/ico.h"
#include "core/incident.h"
#include "core/notice.h"
#include "core/org.h"
#include "core/person.h"
#include "core/record.h"
#include "store/store.h"


/* Creates the root organisation and the baseline guidance (root version
 * 1) if they are absent. Idempotent. */
int registry_init(struct store *s, const struct actor *a, ts_t now, struct err *e);

/* The guidance in force for org (the root's latest version with each
 * descendant's latest layered on). g is uninitialised on entry and must
 * be released on success. */
int registry_guidance_resolve(struct store *s, const char *org, struct guidance *g,
			      struct err *e);
/* Validates doc against the parent's guidance in force and publishes it as
 * org's next version; *version gets its number. */
int registry_guidance_publish(struct store *s, const struct actor *a, const char *org,
			      const json_t *doc, ts_t now, int *version, struct err *e);
/* {"org", "in_force": guidance_to_json, "own": {"version", "doc"} or null}
 * for a given own version (0: latest). */
int registry_guidance_show(struct store *s, const char *org, int version, json_t **out,
			   struct err *e);
int registry_guidance_history(struct store *s, const char *org, json_t **out, struct err *e);

/* A parent of "" means the root; the root itself has none. */
int registry_org_add(struct store *s, const struct actor *a, struct org *o, ts_t now,
		     struct err *e);
/* The organisation's discipline policy, inherited up the tree. */
int registry_org_discipline(struct store *s, const char *code, enum discipline *out,
			    struct err *e);
int registry_person_add(struct store *s, const struct actor *a, struct person *p, ts_t now,
			struct err *e);
/* Adds every row of a CSV (header: staff_id,name,email,org,manager,
 * engagement,probation_until,clearance) or none; *added counts them. The
 * error names "row N: column". */
int registry_person_import(struct store *s, const struct actor *a, const char *csv, size_t len,
			   ts_t now, int *added, struct err *e);

/* Records an incident from SPEC 6.1 JSON. A reporter on the actor (an
 * account's person) wins over the JSON's. out is filled (ref assigned). */
int registry_report(struct store *s, const struct actor *a, const json_t *in, ts_t now,
		    struct incident *out, struct err *e);
int registry_transition(struct store *s, const struct actor *a, const char *ref,
			const char *target, const char *reason, ts_t now, struct err *e);
int registry_note(struct store *s, const struct actor *a, const char *ref, const char *text,
		  ts_t now, struct err *e);
/* Assesses every undecided subject from the incident's facts and their live
 * warnings in the register, under the guidance in force for the incident's
 * organisation; stores each. *out: {"ref", "assessments": [...]}. */
int registry_assess_incident(struct store *s, const struct actor *a, const char *ref, ts_t now,
			     json_t **out, struct err *e);
/* d carries subject, severity, outcome, rationale, override_reason; the
 * rest is filled from the stored assessment. */
int registry_decide(struct store *s, const struct actor *a, const char *ref, struct decision *d,
		    ts_t now, struct err *e);
int registry_notice(struct store *s, const struct actor *a, const char *ref, const char *subject,
		    ts_t now, struct notice *out, struct err *e);
/* Breach notice number as notice_to_json gives it, plus "marking" (its
 * incident's), "policy_refs" ([{code, text}]: the POLSBP statements its
 * document and the subject's assessment rest on), "addressee" (whether a
 * is the person it is addressed to) and "acknowledged". Only the addressee
 * and those who may see the incident's case file may read it; anyone else
 * gets ERR_NOT_FOUND, as for a notice that does not exist. The read is
 * audited as a read of the incident ("incident.read", detail {notice}) in
 * the same transaction. */
int registry_notice_get(struct store *s, const struct actor *a, const char *number, ts_t now,
			json_t **out, struct err *e);
/* The addressee's acknowledgement of notice number: sets acknowledged_on
 * to today, once (ERR_CONFLICT after), with its audit entry
 * ("notice.acknowledge"), one transaction. Anyone else who may read the
 * notice gets ERR_FORBIDDEN; one who may not, ERR_NOT_FOUND. */
int registry_notice_acknowledge(struct store *s, const struct actor *a, const char *number,
				ts_t now, struct err *e);
/* The case as a may see it (the whole file, or the report alone), read
 * in one snapshot, without auditing: the caller must audit the read
 * ("incident.read") before handing it over (the HTTP server batches those
 * entries in group commits). */
int registry_read_case(struct store *s, const struct actor *a, const char *ref, json_t **out,
		       struct err *e);
/* The DPO's decision on notifying the ICO (in: {"notify", "reason",
 * "notified_at", "ico_reference"}); one per incident with personal data.
 * out is filled (caller releases). */
int registry_ico_decide(struct store *s, const struct actor *a, const char *ref,
			const json_t *in, ts_t now, struct ico_decision *out, struct err *e);
/* HR's disciplinary outcome for a decided subject (in: {"subject",
 * "outcome", "notes", "effective_on"}); a written or final written warning
 * goes on record as a warning. out is filled (caller releases). */
int registry_hr_outcome(struct store *s, const struct actor *a, const char *ref,
			const json_t *in, ts_t now, struct hr_outcome *out, struct err *e);
/* Audits a's read of incident ref ("incident.read"), one transaction. */
int registry_audit_read(struct store *s, const struct actor *a, const char *ref, ts_t now,
			struct err *e);
/* The whole case: facts, timeline, assessments, decisions, notices,
 * notes; the read is audited. */
int registry_show(struct store *s, const struct actor *a, const char *ref, ts_t now,
		  json_t **out, struct err *e);
/* {"staff_id", "warnings": [{level, issued_on, expires_on, live, ...}]}. */
int registry_warnings(struct store *s, const struct actor *a, const char *staff_id, ts_t now,
		      json_t **out, struct err *e);
/* ERR_NOT_FOUND (as if absent) unless a may read p's record. */
int registry_person_visible(struct store *s, const struct actor *a, const struct person *p,
			    struct err *e);
/* Incidents matching f that a may see, with a's permissions on each;
 * paging (f->limit, f->offset) counts only those. A non-zero return of cb
 * stops the walk and is returned. */
typedef int (*registry_incident_cb)(const struct incident *inc, unsigned perms, void *ctx);
int registry_incident_list(struct store *s, const struct actor *a, const struct incident_filter *f,
			   registry_incident_cb cb, void *ctx, struct err *e);
/* a's permissions on incident ref (a PERM_ bit set, as every service
 * call on it computes them), for a page to offer only what a may do;
 * ERR_NOT_FOUND when a may not see it. */
int registry_incident_perms(struct store *s, const struct actor *a, const char *ref,
			    unsigned *perms, struct err *e);
/* *ok: whether a may decide for, and issue breach notices to, subject
 * (beyond PERM_DECIDE on the incident: their line manager, or security).
 * -1 only when the store fails. */
int registry_may_decide_for(struct store *s, const struct actor *a, const char *subject,
			    bool *ok, struct err *e);
/* Walks the chain; *count entries verified. */
int registry_audit_verify(struct store *s, int64_t *count, struct err *e);
/* What a security officer looks at first: open incidents by state,
 * severity and organisation, and actions due. */
int registry_summary(struct store *s, ts_t now, json_t **out, struct err *e);

/* Rollups (core/rollup.h). rebuild recounts every incident into them in
 * one transaction (*records: how many; may be NULL); ensure rebuilds only
 * when the store says they are stale (after a migration); verify
 * recounts in one snapshot and compares, *differences 0 when they agree. */
int registry_rollup_rebuild(struct store *s, int64_t *records, struct err *e);
int registry_rollup_ensure(struct store *s, struct err *e);
int registry_rollup_verify(struct store *s, int64_t *records, int64_t *differences,
			   struct err *e);

/* Trends (SPEC 5): counts of incidents grouped by the dimensions in by
 * (1u << enum trend_dim), reported within [month_from, month_to]
 * (YYYYMM, 0 open), in org and below (rolled up the tree when grouped by
 * org, with rates per 1,000 staff where headcounts are known), filtered on
 * the rest (ROLLUP_ANY / "" for none); withdrawn and unfounded reports
 * only when all. Plus the times from discovery to report, decision and
 * close (count, median and 90th percentile in hours). Needs POW_TRENDS;
 * reads only rollups. */
struct trends_query {
	unsigned by;
	int month_from, month_to;
	char org[CODE_MAX];
	char type[CODE_MAX];
	int kind, severity, control, outcome, engagement;
	bool all;
};
void trends_query_init(struct trends_query *q);
/* Sets one parameter by name, as the CLI's --NAME and the API's query
 * string give it: by (repeatable), from, to (YYYY-MM, YYYYQn or a date),
 * org, type, severity, kind, control, outcome, engagement, all
 * (true|false). ERR_INVALID naming the parameter. */
int trends_query_set(struct trends_query *q, const char *name, const char *val, struct err *e);
int registry_trends(struct store *s, const struct actor *a, const struct trends_query *q,
		    json_t **out, struct err *e);

/* Signals (docs/signals.md) for the month q->month (YYYYMM; 0: the
 * current month) and the 12 months ending with it, in q->org and below:
 * rising trends, repeat subjects (estate-wide only; pseudonymised unless
 * a may see people by name), control adequacy, and consistency of
 * outcomes. Needs POW_TRENDS. */
struct signals_query {
	int month;
	char org[CODE_MAX];
};
void signals_query_init(struct signals_query *q);
int registry_signals(struct store *s, const struct actor *a, const struct signals_query *q,
		     ts_t now, json_t **out, struct err *e);
/* The quarterly return of departmental security incidents for the
 * quarter starting with quarter_month (YYYYMM, its first month): breaches
 * and near misses, personal-data breaches and how many went to the ICO,
 * open cases, by type, severity and organisation. Needs POW_TRENDS. */
int registry_return(struct store *s, const struct actor *a, int quarter_month, json_t **out,
		    struct err *e);

/* Exports (SPEC 5): calls cb for each incident matching f, oldest reported
 * first, as one read snapshot. Allowed to security (whole records) and
 * analyst (always pseudonymised); pseudonymise asks for it for anyone.
 * Pseudonymised records carry keyed pseudonyms ("P-" and 12 hex digits,
 * stable for a register: HMAC-SHA-256 under a secret kept in the store)
 * in place of every staff id, and no description or location (free text
 * names people). The export is audited ("export", with format and
 * filter) before the first record; *count gets the number written. A
 * non-zero return of cb stops the walk and is returned. */
typedef int (*registry_record_cb)(const struct record *r, void *ctx);
int registry_export(struct store *s, const struct actor *a, const struct incident_filter *f,
		    const char *format, bool pseudonymise, ts_t now, registry_record_cb cb, void *ctx,
		    int64_t *count, struct err *e);
/* The pseudonym of staff_id under this register's key (see above). */
int registry_pseudonym(struct store *s, const char *staff_id, char out[STAFF_MAX], struct err *e);

/* Imports a legacy register of incidents from CSV (SPEC 6.1 `import
 * FILE.csv`), all rows or none. The header row (row 1) names the columns,
 * in any order and case: the members of SPEC 6.1's incident JSON (types
 * and subjects ";"-separated, records and special_category as their own
 * columns, booleans true/false/yes/no/1/0, an empty cell absent), plus
 * reported_at (required, kept as given, not in the future), state
 * (reported, the default, or closed) and closed_at (a closed row's, else
 * its reported_at). Each row is checked as registry_report checks one.
 * Good rows, their rollups and one audit entry ("incident.import", entity
 * the file's hex SHA-256, detail {rows, first_ref, last_ref}) are one
 * transaction. If any row is bad nothing is written and e is ERR_INVALID
 * naming "row N" of the first; out->errors lists them all (up to the cap).
 * A file whose bytes were imported before is refused (ERR_CONFLICT, "file").
 * Only security (or the CLI's system actor) may import. out is filled on
 * every return; release it with registry_import_report_release. */
#define REGISTRY_IMPORT_MAX_ERRORS 1000
struct registry_import_report {
	int64_t rows;                        /* data rows read (the header not counted) */
	int64_t imported;                    /* incidents written: rows, or 0 */
	char first[REF_MAX], last[REF_MAX];  /* references of the first and last row, or "" */
	char sha256[65];                     /* hex SHA-256 of the file */
	int64_t nerrors;                     /* bad rows, every one */
	json_t *errors;                      /* owned: [{row, field, message}], at most the cap */
};
int registry_incident_import(struct store *s, const struct actor *a, const char *csv,
			     size_t len, ts_t now, struct registry_import_report *out,
			     struct err *e);
void registry_import_report_release(struct registry_import_report *r);

/* Retention (SPEC 7): every incident closed more than its organisation's
 * guidance retention_months before now loses its people (subjects and
 * reporter become pseudonymous people of the same organisation and
 * engagement) and free text; counts, types, severities and outcomes stay,
 * so trends are unchanged. One transaction and audit entry
 * ("incident.retention") per incident; dry_run only lists them. Security
 * or the CLI. *out: {"dry_run", "count", "incidents": [{ref, org,
 * retention_months}]}. */
int registry_retention_apply(struct store *s, const struct actor *a, ts_t now, bool dry_run,
			     json_t **out, struct err *e);

/* The protective marking of SPEC 7 for an incident. */
const char *registry_marking(const struct incident *inc);

#endif
