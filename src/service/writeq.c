/* writeq: a writer thread running queued writes in group transactions
 * (see writeq.h). */
#include "service/writeq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/alloc.h"

struct item {
	writeq_fn fn;
	void *arg;
	writeq_done_fn done;
	void *ctx;
	int rc;
	struct err err;
	struct item *next;
};

struct writeq {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct item *head, **tail;
	bool stopping;
	struct store *w;
	pthread_t thread;
};

/* Runs a batch in one group: each operation succeeds or fails alone; the
 * group's commit makes the successes durable, or fails them all. */
static void run_batch(struct store *s, struct item *batch)
{
	struct err ge = {0};
	if (s->ops->group_begin(s, &ge)) {
		for (struct item *it = batch; it; it = it->next)
			it->rc = -1, it->err = ge;
		return;
	}
	for (struct item *it = batch; it; it = it->next)
		it->rc = it->fn(s, it->arg, &it->err);
	if (s->ops->group_end(s, true, &ge))
		for (struct item *it = batch; it; it = it->next)
			if (it->rc == 0)
				it->rc = -1, it->err = ge;
}

static void *writer(void *arg)
{
	struct writeq *q = arg;
	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->head && !q->stopping)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->head && q->stopping)
			break;
		/* Take everything queued while the last group committed. */
		struct item *batch = q->head;
		q->head = NULL;
		q->tail = &q->head;
		pthread_mutex_unlock(&q->mu);

		run_batch(q->w, batch);
		while (batch) {
			struct item *next = batch->next;
			batch->done(batch->ctx, batch->rc, &batch->err);
			free(batch);
			batch = next;
		}
		pthread_mutex_lock(&q->mu);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct writeq *writeq_new(struct store *w)
{
	struct writeq *q = xcalloc(1, sizeof *q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	q->tail = &q->head;
	q->w = w;
	if (pthread_create(&q->thread, NULL, writer, q) != 0) {
		fprintf(stderr, "breachreg: cannot start the writer thread\n");
		abort();
	}
	return q;
}

void writeq_free(struct writeq *q)
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

void writeq_submit(struct writeq *q, writeq_fn fn, void *arg, writeq_done_fn done, void *ctx)
{
	struct item *it = xcalloc(1, sizeof *it);
	it->fn = fn;
	it->arg = arg;
	it->done = done;
	it->ctx = ctx;
	pthread_mutex_lock(&q->mu);
	*q->tail = it;
	q->tail = &it->next;
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&q->mu);
}
