/* auditq: leader/follower group commit of audit entries (see auditq.h). */
#include "service/auditq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

struct pending {
	struct audit_entry entry;
	bool done;
	int rc;
	struct err err;
};

struct auditq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct pending **queue;
	size_t n, cap;
	bool leading; /* a leader is committing a batch */
};

struct auditq *auditq_new(void)
{
	struct auditq *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	return q;
}

void auditq_free(struct auditq *q)
{
	if (!q)
		return;
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->queue);
	free(q);
}

/* Commits a batch in one transaction: all entries or none. */
static int commit_batch(struct store *s, struct pending **batch, size_t n, struct err *e)
{
	if (s->ops->begin(s, e))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (s->ops->audit_append(s, &batch[i]->entry, e)) {
			s->ops->rollback(s);
			return -1;
		}
	if (s->ops->commit(s, e)) {
		s->ops->rollback(s);
		return -1;
	}
	return 0;
}

int auditq_append(struct auditq *q, struct store *s, const struct actor *a, ts_t now,
		  const char *action, const char *entity, json_t *detail, struct err *e)
{
	struct pending me = {0};
	me.entry.at = now;
	snprintf(me.entry.actor, sizeof me.entry.actor, "%s", a->name);
	snprintf(me.entry.action, sizeof me.entry.action, "%s", action);
	snprintf(me.entry.entity, sizeof me.entry.entity, "%s", entity ? entity : "");
	me.entry.detail = audit_detail(detail);

	pthread_mutex_lock(&q->mu);
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 64;
		q->queue = xrealloc(q->queue, q->cap * sizeof *q->queue);
	}
	q->queue[q->n++] = &me;
	while (!me.done) {
		if (q->leading) {
			pthread_cond_wait(&q->cv, &q->mu);
			continue;
		}
		/* Lead: take everything queued, commit it unlocked. */
		q->leading = true;
		struct pending **batch = q->queue;
		size_t n = q->n;
		q->queue = NULL;
		q->n = q->cap = 0;
		pthread_mutex_unlock(&q->mu);

		struct err be = {0};
		int rc = commit_batch(s, batch, n, &be);

		pthread_mutex_lock(&q->mu);
		for (size_t i = 0; i < n; i++) {
			batch[i]->rc = rc;
			batch[i]->err = be;
			batch[i]->done = true;
		}
		free(batch);
		q->leading = false;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	audit_entry_release(&me.entry);
	if (me.rc && e)
		*e = me.err;
	return me.rc;
}
