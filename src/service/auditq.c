/* auditq: a writer thread committing audit entries in batches (see
 * auditq.h). */
#include "service/auditq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

struct item {
	struct audit_entry entry;
	auditq_done_fn done;
	void *ctx;
	struct item *next;
};

struct auditq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *head, **tail;
	bool stopping;
	struct store *w;
	pthread_t thread;
};

/* Commits a batch in one transaction: all entries or none. */
static int commit_batch(struct store *s, struct item *batch, struct err *e)
{
	if (s->ops->begin(s, e))
		return -1;
	for (struct item *it = batch; it; it = it->next)
		if (s->ops->audit_append(s, &it->entry, e)) {
			s->ops->rollback(s);
			return -1;
		}
	if (s->ops->commit(s, e)) {
		s->ops->rollback(s);
		return -1;
	}
	return 0;
}

static void *writer(void *arg)
{
	struct auditq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head && q->stopping)
			break;
		/* Take everything queued while the last batch committed. */
		struct item *batch = q->head;
		q->head = NULL;
		q->tail = &q->head;
		pthread_mutex_unlock(&q->mu);

		struct err e = {0};
		int rc = commit_batch(q->w, batch, &e);
		while (batch) {
			struct item *next = batch->next;
			batch->done(batch->ctx, rc, &e);
			audit_entry_release(&batch->entry);
			free(batch);
			batch = next;
		}
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct auditq *auditq_new(struct store *w)
{
	struct auditq *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->tail = &q->head;
	q->w = w;
	if (pthread_create(&q->thread, NULL, writer, q) != 0) {
		fprintf(stderr, "breachreg: cannot start the audit writer thread\n");
		abort();
	}
	return q;
}

void auditq_free(struct auditq *q)
{
	if (!q)
		return;
	pthread_mutex_lock(&q->mu);
	q->stopping = true;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->thread, NULL);
	store_close(q->w);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

void auditq_submit(struct auditq *q, const struct actor *a, ts_t now, const char *action,
		   const char *entity, json_t *detail, auditq_done_fn done, void *ctx)
{
	struct item *it = xcalloc(1, sizeof *it);
	it->entry.at = now;
	snprintf(it->entry.actor, sizeof it->entry.actor, "%s", a->name);
	snprintf(it->entry.action, sizeof it->entry.action, "%s", action);
	snprintf(it->entry.entity, sizeof it->entry.entity, "%s", entity ? entity : "");
	it->entry.detail = audit_detail(detail);
	it->done = done;
	it->ctx = ctx;
	pthread_mutex_lock(&q->mu);
	*q->tail = it;
	q->tail = &it->next;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}
