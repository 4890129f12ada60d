/* store: the register's persistence behind one vtable (SPEC 6, STYLE 6).
 * store_open() picks the backend from the URL in one place: a path or
 * "sqlite:PATH" is SQLite (store_sqlite.c); "postgres://" or
 * "postgresql://" is PostgreSQL (store_pgsql.c, a libpq connection URI).
 * Callers never know which.
 *
 * Transactions: every service operation is begin() ... commit(), or
 * rollback() on any error, so a failed command changes nothing. Reads
 * outside a transaction see a consistent committed state.
 *
 * Ownership: *_get fills a caller's struct whose owned members the caller
 * releases with the type's _release; *_list returns a malloc'd array the
 * caller frees with the type's _list_free. Inputs are borrowed.
 * Errors: ERR_NOT_FOUND when a named row is absent, ERR_CONFLICT when a
 * unique key exists, ERR_RUNTIME for database failures. */
#ifndef BR_STORE_H
#define BR_STORE_H
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/account.h"
#include "core/audit.h"
#include "core/decision.h"
#include "core/hr.h"
#include "core/ico.h"
#include "core/err.h"
#include "core/incident.h"
#include "core/notice.h"
#include "core/org.h"
#include "core/person.h"
#include "core/record.h"
#include "core/rollup.h"

struct store;

/* A person's staff id and the pseudonym that replaces it (retention). */
struct pseudonym_pair {
	char from[STAFF_MAX];
	char to[STAFF_MAX];
};

struct guidance_doc {
	char org[CODE_MAX];
	int version;
	char *doc; /* owned: the published JSON text */
	ts_t published_at;
	char published_by[ACTOR_MAX];
};
void guidance_doc_release(struct guidance_doc *d);
void guidance_doc_list_free(struct guidance_doc *list, size_t n);

/* Empty strings, -1 and TS_NONE mean "no filter". */
struct incident_filter {
	char org[CODE_MAX]; /* that organisation and every descendant */
	int state;          /* enum state */
	int severity;       /* enum severity */
	char type[CODE_MAX];
	char subject[STAFF_MAX];
	char reporter[STAFF_MAX];
	ts_t from, to; /* reported_at in [from, to) */
	bool open_only;
	int64_t limit; /* 0: no limit */
	int64_t offset;
};
void incident_filter_init(struct incident_filter *f);

typedef int (*incident_cb)(const struct incident *inc, void *ctx);
typedef int (*audit_cb)(const struct audit_entry *a, void *ctx);
typedef int (*record_cb)(const struct record *r, void *ctx);
typedef int (*rollup_cb)(const struct rollup_cell *c, void *ctx);
typedef int (*rollup_time_cb)(const struct rollup_time *t, void *ctx);

struct store_ops {
	const char *name;
	void (*close)(struct store *s);
	int (*begin)(struct store *s, struct err *e); /* a write transaction */
	/* A read-only snapshot, ended by commit(): takes no write lock. */
	int (*begin_read)(struct store *s, struct err *e);
	/* Group commit: one transaction around many operations. Inside a
	 * group, begin/commit/rollback act on savepoints, so each operation
	 * still succeeds or fails alone, but nothing is durable until
	 * group_end(commit true) commits them all (and if that fails, none). */
	int (*group_begin)(struct store *s, struct err *e);
	int (*group_end)(struct store *s, bool commit, struct err *e);
	int (*commit)(struct store *s, struct err *e);
	void (*rollback)(struct store *s);
	/* A consistent copy of the whole store at path (online). */
	int (*backup)(struct store *s, const char *path, struct err *e);

	int (*org_insert)(struct store *s, struct org *o, struct err *e); /* sets o->id */
	int (*org_get)(struct store *s, const char *code, struct org *out, struct err *e);
	int (*org_list)(struct store *s, struct org **out, size_t *n, struct err *e);

	int (*person_insert)(struct store *s, struct person *p, struct err *e); /* sets p->id */
	int (*person_get)(struct store *s, const char *staff_id, struct person *out, struct err *e);
	/* Direct reports of a manager (one level). */
	int (*person_reports)(struct store *s, const char *manager, struct person **out, size_t *n,
			      struct err *e);

	/* Publishes the next version (latest + 1, from 1) of org's guidance. */
	int (*guidance_insert)(struct store *s, struct guidance_doc *d, struct err *e);
	/* version 0: the latest. ERR_NOT_FOUND when the org has none. */
	int (*guidance_get)(struct store *s, const char *org, int version, struct guidance_doc *out,
			    struct err *e);
	int (*guidance_list)(struct store *s, const char *org, struct guidance_doc **out, size_t *n,
			     struct err *e);

	/* Assigns id and ref SB-<year of reported_at>-NNNNNN (gap-free per year),
	 * and stores types and subjects. */
	int (*incident_insert)(struct store *s, struct incident *inc, struct err *e);
	int (*incident_get)(struct store *s, const char *ref, struct incident *out, struct err *e);
	/* Saves state, severity, updated_at, closed_at. */
	int (*incident_update)(struct store *s, const struct incident *inc, struct err *e);
	/* Calls cb for each match, newest reported first; a non-zero return
	 * from cb stops the walk and is returned. */
	int (*incident_list)(struct store *s, const struct incident_filter *f, incident_cb cb,
			     void *ctx, struct err *e);
	/* How many incidents are in each state (an index walk, for metrics). */
	int (*incident_counts)(struct store *s, int64_t counts[ST_COUNT], struct err *e);

	int (*transition_insert)(struct store *s, struct incident_transition *t, struct err *e);
	int (*transition_list)(struct store *s, const char *ref, struct incident_transition **out,
			       size_t *n, struct err *e);
	int (*note_insert)(struct store *s, struct incident_note *n, struct err *e);
	int (*note_list)(struct store *s, const char *ref, struct incident_note **out, size_t *n,
			 struct err *e);

	/* One assessment per (ref, subject): a new one replaces the old. */
	int (*assessment_put)(struct store *s, struct assessment_record *r, struct err *e);
	int (*assessment_get)(struct store *s, const char *ref, const char *subject,
			      struct assessment_record *out, struct err *e);
	int (*assessment_list)(struct store *s, const char *ref, struct assessment_record **out,
			       size_t *n, struct err *e);

	/* One decision per (ref, subject): ERR_CONFLICT if it exists. */
	int (*decision_insert)(struct store *s, struct decision *d, struct err *e);
	int (*decision_get)(struct store *s, const char *ref, const char *subject,
			    struct decision *out, struct err *e);
	int (*decision_list)(struct store *s, const char *ref, struct decision **out, size_t *n,
			     struct err *e);

	/* Assigns id and number BN-<year of issued_on>-NNNNNN. */
	int (*notice_insert)(struct store *s, struct notice *n, struct err *e);
	/* By incident (ref) or subject, either may be NULL. */
	int (*notice_list)(struct store *s, const char *ref, const char *subject,
			   struct notice **out, size_t *n, struct err *e);
	/* By number; ERR_NOT_FOUND ("number") when absent. */
	int (*notice_get)(struct store *s, const char *number, struct notice *out, struct err *e);
	/* Sets acknowledged_on = on, once: ERR_CONFLICT ("number") if it is
	 * set already, ERR_NOT_FOUND ("number") for an unknown notice. */
	int (*notice_acknowledge)(struct store *s, const char *number, date_t on, struct err *e);

	/* The DPO's ICO decision: one per incident (ERR_CONFLICT if recorded). */
	int (*ico_put)(struct store *s, struct ico_decision *d, struct err *e);
	int (*ico_get)(struct store *s, const char *ref, struct ico_decision *out, struct err *e);
	/* HR outcomes: one per (ref, subject) (ERR_CONFLICT if recorded). */
	int (*hr_insert)(struct store *s, struct hr_outcome *h, struct err *e);
	int (*hr_list)(struct store *s, const char *ref, struct hr_outcome **out, size_t *n,
		       struct err *e);

	int (*warning_insert)(struct store *s, struct warning_record *w, struct err *e);
	/* Oldest first. */
	int (*warning_list)(struct store *s, const char *staff_id, struct warning_record **out,
			    size_t *n, struct err *e);

	/* Fills a->seq, a->prev and a->hash (audit_compute) and appends, inside
	 * the caller's transaction. */
	int (*audit_append)(struct store *s, struct audit_entry *a, struct err *e);
	/* In seq order; entity NULL for all. */
	int (*audit_each)(struct store *s, const char *entity, audit_cb cb, void *ctx,
			  struct err *e);
	/* The head recorded by the last append: seq 0 and "" when none. */
	int (*audit_head)(struct store *s, int64_t *seq, char hash[AUDIT_HASH_HEX],
			  struct err *e);

	/* The central record (core/record.h, core/rollup.h). */
	/* One incident with its case summary (record_release it). */
	int (*record_get)(struct store *s, const char *ref, struct record *out, struct err *e);
	/* Every incident matching f (org, from, to; the rest ignored),
	 * oldest reported first, in one statement. */
	int (*record_each)(struct store *s, const struct incident_filter *f, record_cb cb,
			   void *ctx, struct err *e);
	/* Adds each cell's n (and each time's n) to the rollups, dropping
	 * rows that reach 0. */
	int (*rollup_add)(struct store *s, const struct rollup_cell *cells, size_t ncells,
			  const struct rollup_time *times, size_t ntimes, struct err *e);
	/* Empties the rollups (before a rebuild). */
	int (*rollup_clear)(struct store *s, struct err *e);
	/* Sums of f->mask's cells grouped by f->group; dimensions not grouped
	 * come back unkeyed ("" / ROLLUP_UNKEYED; month 0). */
	int (*rollup_query)(struct store *s, const struct rollup_filter *f, rollup_cb cb,
			    void *ctx, struct err *e);
	int (*rollup_time_query)(struct store *s, const struct rollup_time_filter *f,
				 rollup_time_cb cb, void *ctx, struct err *e);
	/* People who are subjects of at least min incidents reported in
	 * [from, to) that were neither withdrawn nor unfounded, with how many
	 * and their references (newest first), most incidents first. Walks
	 * the window's incidents only (by the reported_at index). */
	int (*repeat_subjects)(struct store *s, ts_t from, ts_t to, int min,
			       int (*cb)(const char *staff_id, int64_t n, const char *refs,
					 void *ctx),
			       void *ctx, struct err *e);
	/* Retention (SPEC 7). The incidents of org (that organisation only)
	 * closed before cutoff and not yet pseudonymised, oldest first: a
	 * new array of *n references the caller frees. */
	int (*retention_due)(struct store *s, const char *org, ts_t cutoff,
			     char (**refs)[REF_MAX], size_t *n, struct err *e);
	/* Replaces the people and free text of incident ref: each subject
	 * from -> to (people that must exist; the subject's assessment,
	 * decision, notices, HR outcome and warnings follow), the reporter by
	 * reporter (NULL or "": none), every free text by removed, notice
	 * bodies by a stub; stamps pseudonymised_at = at. Counts, types,
	 * severities and outcomes stay. ERR_NOT_FOUND for an unknown ref or
	 * person. */
	int (*incident_pseudonymise)(struct store *s, const char *ref,
				     const struct pseudonym_pair *subjects, size_t n,
				     const char *reporter, const char *removed, ts_t at,
				     struct err *e);
	/* Small named values the register keeps about itself (the pseudonym
	 * key, whether the rollups need a rebuild). get: ERR_NOT_FOUND when
	 * absent; *len in: the buffer's size, out: the value's length. */
	int (*meta_get)(struct store *s, const char *name, void *buf, size_t *len, struct err *e);
	int (*meta_put)(struct store *s, const char *name, const void *val, size_t len,
			struct err *e);

	/* Accounts (by name), their API tokens and web sessions. Secrets
	 * never reach the store: tokens and sessions are found by the hex
	 * SHA-256 of the secret. */
	/* Sets a->id; ERR_CONFLICT ("name") if the name is taken, ERR_NOT_FOUND
	 * ("person") if a->staff_id is no person. */
	int (*account_insert)(struct store *s, struct account *a, struct err *e);
	/* ERR_NOT_FOUND ("name") when absent. */
	int (*account_get)(struct store *s, const char *name, struct account *out, struct err *e);
	/* By name. */
	int (*account_list)(struct store *s, struct account **out, size_t *n, struct err *e);
	/* Saves roles, disabled, pw_hash, failed_logins and locked_until of
	 * the account named a->name; ERR_NOT_FOUND ("name") when absent. */
	int (*account_update)(struct store *s, const struct account *a, struct err *e);

	/* Sets t->id; ERR_NOT_FOUND ("account") for an unknown account,
	 * ERR_CONFLICT ("token") if the hash exists. */
	int (*token_insert)(struct store *s, struct api_token *t, struct err *e);
	/* ERR_NOT_FOUND ("token") when no token has that hash. */
	int (*token_get_by_hash)(struct store *s, const char *hash, struct api_token *out,
				 struct err *e);
	/* The account's tokens, revoked ones included, oldest first;
	 * ERR_NOT_FOUND ("name") for an unknown account. */
	int (*token_list)(struct store *s, const char *account, struct api_token **out, size_t *n,
			  struct err *e);
	/* Sets revoked_at of token id of account: ERR_NOT_FOUND ("token") if
	 * the account has no such token, ERR_CONFLICT ("token") if it is
	 * already revoked. */
	int (*token_revoke)(struct store *s, const char *account, int64_t id, ts_t at,
			    struct err *e);
	/* Sets last_used_at; a missing token is not an error. */
	int (*token_touch)(struct store *s, int64_t id, ts_t at, struct err *e);

	/* ERR_NOT_FOUND ("account") for an unknown account. */
	int (*session_insert)(struct store *s, const struct session *ss, struct err *e);
	/* ERR_NOT_FOUND ("session") when no session has that hash. */
	int (*session_get_by_hash)(struct store *s, const char *hash, struct session *out,
				   struct err *e);
	/* Sets last_seen_at; a missing session is not an error. */
	int (*session_touch)(struct store *s, const char *hash, ts_t at, struct err *e);
	/* ERR_NOT_FOUND ("session") when absent. */
	int (*session_delete)(struct store *s, const char *hash, struct err *e);
	/* Every session of the account (none is not an error). */
	int (*session_delete_account)(struct store *s, const char *account, struct err *e);
	/* Every session that expired (expires_at <= now) or was idle since
	 * idle_before (last_seen_at <= idle_before); *n counts them (n may be
	 * NULL). */
	int (*session_purge)(struct store *s, ts_t now, ts_t idle_before, int64_t *n,
			     struct err *e);

	/* A web session's unfinished report (the report journey's answers,
	 * JSON text), one per session, gone with the session. get: *doc a
	 * new string the caller frees, ERR_NOT_FOUND ("draft") when none.
	 * put: ERR_NOT_FOUND ("session") for an unknown session. delete:
	 * none is not an error. */
	int (*draft_get)(struct store *s, const char *session_hash, char **doc, struct err *e);
	int (*draft_put)(struct store *s, const char *session_hash, const char *doc, ts_t at,
			 struct err *e);
	int (*draft_delete)(struct store *s, const char *session_hash, struct err *e);
};

struct store {
	const struct store_ops *ops;
	/* Optional, set by the owner of several connections to one database
	 * (the HTTP server's pool): writers of this process take it for the
	 * length of a write transaction. NULL: none. */
	pthread_mutex_t *write_lock;
};

/* Opens the store at url (creating it if absent) and migrates its schema to
 * the binary's version. On success *out must be closed with store_close. */
int store_open(const char *url, struct store **out, struct err *e);
void store_close(struct store *s);
/* Whether there is a register at url to read without creating one: a
 * SQLite file that exists; a PostgreSQL URL always (its server holds it). */
bool store_exists(const char *url);

/* Gives every store of this process one fixed budget of bytes for its
 * page caches, reserved and made resident at once (SQLite: one buffer of
 * page slots shared by every connection; a connection whose cache wants
 * more once it is nearly full reuses its own oldest pages), and bounds
 * the rest of the backend's memory by the same figure (a soft heap
 * limit). A long-running server's RSS then holds its caches from the
 * start instead of growing as they fill with a growing database. Call
 * once, before any store is opened: ERR_RUNTIME otherwise. 0: no budget
 * and no bound. The reservation lasts as long as the process. */
int store_memory_limit(int64_t bytes, struct err *e);

/* What every store of this process holds in memory together, in bytes,
 * for /metrics (a figure a backend does not keep is 0). Highwaters are
 * since the process started. */
struct store_memory {
	/* Held by the backend's own allocator now, and the most held at
	 * once (SQLite: not counting the reserved page slots). */
	int64_t used, used_highwater;
	/* Page caches: the reservation of store_memory_limit, and what the
	 * caches hold now, in reserved slots and beyond them (SQLite: the
	 * pages beyond each connection's first small bulk allocation when
	 * nothing is reserved). */
	int64_t page_cache_reserved, page_cache, page_cache_highwater;
	int64_t allocations; /* outstanding */
	int64_t limit;       /* the bound of store_memory_limit; 0: none */
};
void store_memory_stats(struct store_memory *out);

/* breachreg migrate: copies every table of the SQLite register at from (a
 * path or "sqlite:PATH", migrated to this binary's schema first) into the
 * PostgreSQL register at to (a postgres:// URL, created or migrated), in
 * one PostgreSQL transaction holding the writers' lock. to must hold no
 * organisations and no audit entries (ERR_CONFLICT naming "to"). Rows go
 * verbatim (ids, references, the audit chain); each table's stored count
 * must equal the rows read. counts gets up to max tables' counts, *n how
 * many were filled. */
struct store_copy_count {
	char table[32];
	int64_t rows;
};
int store_copy_sqlite_to_pgsql(const char *from, const char *to, struct store_copy_count *counts,
			       size_t max, size_t *n, struct err *e);

/* Backends (store_open chooses). */
int store_sqlite_open(const char *path, struct store **out, struct err *e);
int store_sqlite_memory_limit(int64_t bytes, struct err *e);
void store_sqlite_memory_stats(struct store_memory *out);
/* url: a libpq connection URI ("postgres://..."). */
int store_pgsql_open(const char *url, struct store **out, struct err *e);

#endif
