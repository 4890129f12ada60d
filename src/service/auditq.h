/* auditq: group commit of audit entries for a process with many
 * connections to one register (the HTTP server). Audited reads are the
 * commonest write of all: each caller queues its entry and waits; the
 * first waiter becomes the leader and commits everything queued so far in
 * one transaction on its own connection, then wakes the others. Every
 * caller returns only once its entry is durable, so a read is never
 * handed over unaudited, but N concurrent reads cost one commit, not N. */
#ifndef BR_AUDITQ_H
#define BR_AUDITQ_H
#include <jansson.h>

#include "core/authz.h"
#include "core/err.h"
#include "store/store.h"

struct auditq;

struct auditq *auditq_new(void);
void auditq_free(struct auditq *q);
/* Appends one entry (detail consumed, may be NULL) and blocks until the
 * batch holding it has committed. s is the caller's own connection; it
 * may be used to commit other callers' entries too. */
int auditq_append(struct auditq *q, struct store *s, const struct actor *a, ts_t now,
		  const char *action, const char *entity, json_t *detail, struct err *e);

#endif
