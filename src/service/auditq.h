/* auditq: group commit of audit entries for a process with many
 * connections to one register (the HTTP server). Audited reads are the
 * commonest write of all. Callers submit an entry and are called back
 * once it is durable; a writer thread with its own store connection
 * commits everything queued since its last commit in one transaction. A
 * caller hands its response over only in that callback, so no read is
 * ever answered unaudited, yet N concurrent reads cost one commit, and no
 * worker thread waits for the disk meanwhile. */
#ifndef BR_AUDITQ_H
#define BR_AUDITQ_H
#include <jansson.h>

#include "core/authz.h"
#include "core/err.h"
#include "store/store.h"

struct auditq;

/* Called on the writer thread once the entry's batch has committed (rc 0)
 * or failed (rc -1, e says why). It must not block. */
typedef void (*auditq_done_fn)(void *ctx, int rc, const struct err *e);

/* Starts the writer on store w, which the queue owns from then on (it is
 * closed by auditq_free). */
struct auditq *auditq_new(struct store *w);
/* Commits what is queued, stops the writer, closes its store. */
void auditq_free(struct auditq *q);
/* Queues one entry (detail consumed, may be NULL); done(ctx, ...) follows
 * exactly once, on the writer thread. */
void auditq_submit(struct auditq *q, const struct actor *a, ts_t now, const char *action,
		   const char *entity, json_t *detail, auditq_done_fn done, void *ctx);

#endif
