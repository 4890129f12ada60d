/* drafts: the web report journey's answers between its pages (issue 4),
 * kept in the store beside the session that typed them, so any node of a
 * shared deployment can serve the next page and they end with the
 * session. A draft is the session's own: every call takes the session id
 * (from the cookie) and finds the draft by its hash, so one session can
 * never read another's. Drafts are not register records and are not
 * audited; the report they become is (incident.report).
 *
 * Ownership: *out is a new reference the caller decrefs. */
#ifndef BR_DRAFTS_H
#define BR_DRAFTS_H
#include <jansson.h>

#include "core/authz.h"
#include "core/date.h"
#include "core/err.h"
#include "core/incident.h"
#include "store/store.h"

#define DRAFTS_MAX_BYTES (64 * 1024) /* a draft's JSON text, at most */

/* The session's draft, or an empty object when it has none. */
int drafts_get(struct store *s, const char *sid, json_t **out, struct err *e);
/* Replaces the session's draft with doc (an object); ERR_INVALID
 * ("draft") when its text is over DRAFTS_MAX_BYTES. One transaction. */
int drafts_put(struct store *s, const char *sid, const json_t *doc, ts_t now, struct err *e);
/* Reports the incident in (registry_report, as actor a) and removes the
 * session's draft, in one transaction: a report is never sent twice
 * from one draft, and a failed report keeps the draft. */
int drafts_report(struct store *s, const struct actor *a, const char *sid, const json_t *in,
		  ts_t now, struct incident *out, struct err *e);

#endif
