/* writeq: group commit for a process with many connections to one
 * register (the HTTP server). Callers submit write operations and are
 * called back once the operation is durable (or has failed); a writer
 * thread with its own store connection runs everything queued since its
 * last commit inside one group transaction (store group_begin), each
 * operation in its own savepoint, and commits once. So N concurrent
 * writes (audited reads among them, the commonest write of all) cost one
 * commit, the writer's page cache stays warm, and no worker thread waits
 * for the disk: a caller hands its response over only in its callback. */
#ifndef BR_WRITEQ_H
#define BR_WRITEQ_H
#include "core/err.h"
#include "store/store.h"

struct writeq;

/* One write, run on the writer thread with the writer's store: a service
 * call (which begins and commits as usual; inside the group those are
 * savepoints). 0 or -1 with e filled. */
typedef int (*writeq_fn)(struct store *s, void *arg, struct err *e);
/* Called on the writer thread once the group holding the operation has
 * committed (rc 0) or the operation or the group failed (rc -1, e says
 * why). It must not block. */
typedef void (*writeq_done_fn)(void *ctx, int rc, const struct err *e);

/* Starts the writer on store w, which the queue owns from then on. */
struct writeq *writeq_new(struct store *w);
/* Runs what is queued, stops the writer, closes its store. */
void writeq_free(struct writeq *q);
/* Queues fn(store, arg); done(ctx, ...) follows exactly once. arg and ctx
 * must stay valid until then. */
void writeq_submit(struct writeq *q, writeq_fn fn, void *arg, writeq_done_fn done, void *ctx);

#endif
