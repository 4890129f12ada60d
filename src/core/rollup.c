/* rollup: an incident's contribution to the central record's counts, and
 * the difference a write makes to them (see rollup.h for the unit). */
#include "core/rollup.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/stats.h"

static const char *const status_names[RS_COUNT] = {"open", "closed", "unfounded", "withdrawn"};
const struct vocab vocab_rollup_status = {"status", status_names, RS_COUNT};

static const char *const metric_names[RM_COUNT] = {"report", "decision", "close"};
const struct vocab vocab_rollup_metric = {"metric", metric_names, RM_COUNT};

static const char *const trend_dim_names[TD_COUNT] = {
    "month", "quarter", "org", "type", "control", "severity", "outcome", "engagement", "kind",
    "status"};
const struct vocab vocab_trend_dim = {"by", trend_dim_names, TD_COUNT};

/* The masks a record contributes under, in a fixed order. */
static const unsigned masks[ROLLUP_MASKS] = {
    0,
    ROLLUP_CONTROL,
    ROLLUP_CONTROL | ROLLUP_TYPE,
    ROLLUP_OUTCOME,
    ROLLUP_CONTROL | ROLLUP_OUTCOME,
    ROLLUP_CONTROL | ROLLUP_TYPE | ROLLUP_OUTCOME,
    ROLLUP_ENGAGEMENT,
    ROLLUP_CONTROL | ROLLUP_ENGAGEMENT,
    ROLLUP_CONTROL | ROLLUP_TYPE | ROLLUP_ENGAGEMENT,
    ROLLUP_OUTCOME | ROLLUP_ENGAGEMENT,
    ROLLUP_CONTROL | ROLLUP_OUTCOME | ROLLUP_ENGAGEMENT,
    ROLLUP_CONTROL | ROLLUP_TYPE | ROLLUP_OUTCOME | ROLLUP_ENGAGEMENT,
};

enum rollup_status rollup_status_of(enum state st)
{
	switch (st) {
	case ST_CLOSED:
		return RS_CLOSED;
	case ST_UNFOUNDED:
		return RS_UNFOUNDED;
	case ST_WITHDRAWN:
		return RS_WITHDRAWN;
	default:
		return RS_OPEN;
	}
}

static int month_of(ts_t t)
{
	int y, m, d;

	date_to_ymd(date_of_ts(t), &y, &m, &d);
	return y * 100 + m;
}

static int cmp_int(int a, int b)
{
	return (a > b) - (a < b);
}

int rollup_cell_cmp(const struct rollup_cell *a, const struct rollup_cell *b)
{
	int c;

	if ((c = cmp_int((int)a->mask, (int)b->mask)) || (c = cmp_int(a->month, b->month)) ||
	    (c = strcmp(a->org, b->org)) || (c = cmp_int((int)a->kind, (int)b->kind)) ||
	    (c = cmp_int((int)a->status, (int)b->status)) ||
	    (c = cmp_int(a->severity, b->severity)) || (c = cmp_int(a->personal, b->personal)) ||
	    (c = cmp_int(a->ico, b->ico)) || (c = strcmp(a->type, b->type)) ||
	    (c = cmp_int(a->control, b->control)) || (c = cmp_int(a->outcome, b->outcome)) ||
	    (c = cmp_int(a->engagement, b->engagement)))
		return c;
	return 0;
}

int rollup_time_cmp(const struct rollup_time *a, const struct rollup_time *b)
{
	int c;

	if ((c = cmp_int((int)a->metric, (int)b->metric)) || (c = cmp_int(a->month, b->month)) ||
	    (c = strcmp(a->org, b->org)) || (c = cmp_int(a->bucket, b->bucket)))
		return c;
	return 0;
}

static int qcmp_cell(const void *a, const void *b)
{
	return rollup_cell_cmp(a, b);
}

static int qcmp_time(const void *a, const void *b)
{
	return rollup_time_cmp(a, b);
}

/* A growing array of cells. */
struct cells {
	struct rollup_cell *v;
	size_t n, cap;
};

static struct rollup_cell *cells_push(struct cells *c)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 16;
		c->v = xrealloc(c->v, c->cap * sizeof *c->v);
	}
	memset(&c->v[c->n], 0, sizeof c->v[0]);
	return &c->v[c->n++];
}

/* One projection of the many-valued dimensions. */
struct proj {
	char type[CODE_MAX];
	int control, outcome, engagement;
};

/* Distinct projections of the types (by the T part of mask) into out;
 * returns how many. */
static int type_projections(const struct incident *inc, unsigned mask,
			    struct proj out[FACTS_MAX_TYPES + 1])
{
	int n = 0;

	if (!(mask & ROLLUP_CONTROL)) {
		out[0].type[0] = '\0';
		out[0].control = ROLLUP_UNKEYED;
		return 1;
	}
	for (int i = 0; i < inc->ntypes; i++) {
		struct proj p = {.control = (int)inc->controls[i]};
		bool seen = false;

		if (mask & ROLLUP_TYPE)
			snprintf(p.type, sizeof p.type, "%s", inc->types[i]);
		for (int k = 0; k < n && !seen; k++)
			seen = strcmp(out[k].type, p.type) == 0 && out[k].control == p.control;
		if (!seen)
			out[n++] = p;
	}
	return n;
}

/* Distinct projections of the subjects (by the S part of mask). */
static int subject_projections(const struct record *r, unsigned mask,
			       struct proj out[INCIDENT_MAX_SUBJECTS + 1])
{
	int n = 0;

	if (!(mask & (ROLLUP_OUTCOME | ROLLUP_ENGAGEMENT))) {
		out[0].outcome = out[0].engagement = ROLLUP_UNKEYED;
		return 1;
	}
	for (int i = 0; i < r->inc.nsubjects; i++) {
		const struct record_subject *s = &r->subjects[i];
		struct proj p = {.outcome = ROLLUP_UNKEYED, .engagement = ROLLUP_UNKEYED};
		bool seen = false;

		if (mask & ROLLUP_OUTCOME)
			p.outcome = s->outcome >= 0 ? s->outcome : ROLLUP_UNDECIDED;
		if (mask & ROLLUP_ENGAGEMENT)
			p.engagement = (int)s->engagement;
		for (int k = 0; k < n && !seen; k++)
			seen = out[k].outcome == p.outcome && out[k].engagement == p.engagement;
		if (!seen)
			out[n++] = p;
	}
	return n;
}

static void time_push(struct rollup_time **v, size_t *n, enum rollup_metric m, int month,
		      const char *org, int64_t seconds)
{
	struct rollup_time *t;

	*v = xrealloc(*v, (*n + 1) * sizeof **v);
	t = &(*v)[(*n)++];
	memset(t, 0, sizeof *t);
	t->metric = m;
	t->month = month;
	snprintf(t->org, sizeof t->org, "%s", org);
	t->bucket = stats_hours_bucket(seconds);
	t->n = 1;
}

void rollup_cells(const struct record *r, struct rollup_cell **cells, size_t *ncells,
		  struct rollup_time **times, size_t *ntimes)
{
	struct cells c = {0};
	struct proj tp[FACTS_MAX_TYPES + 1], sp[INCIDENT_MAX_SUBJECTS + 1];
	const struct incident *inc;
	int month;

	*times = NULL;
	*ntimes = 0;
	if (!r) {
		*cells = NULL;
		*ncells = 0;
		return;
	}
	inc = &r->inc;
	month = month_of(inc->reported_at);
	for (int m = 0; m < ROLLUP_MASKS; m++) {
		int nt = type_projections(inc, masks[m], tp);
		int ns = subject_projections(r, masks[m], sp);

		for (int i = 0; i < nt; i++)
			for (int k = 0; k < ns; k++) {
				struct rollup_cell *x = cells_push(&c);

				x->mask = masks[m];
				x->month = month;
				memcpy(x->org, inc->org, sizeof x->org);
				x->kind = inc->kind;
				x->status = rollup_status_of(inc->state);
				x->severity = inc->severity;
				x->personal = record_personal(inc);
				x->ico = r->ico_notify;
				memcpy(x->type, tp[i].type, sizeof x->type);
				x->control = tp[i].control;
				x->outcome = sp[k].outcome;
				x->engagement = sp[k].engagement;
				x->n = 1;
			}
	}
	*cells = c.v;
	*ncells = c.n;

	/* Times from discovery, each once it is known. A decision time needs
	 * every subject decided: the latest decision closes the question. */
	if (inc->discovered_at != TS_NONE) {
		ts_t decided = TS_NONE;
		bool all = inc->nsubjects > 0;

		time_push(times, ntimes, RM_REPORT, month, inc->org,
			  inc->reported_at - inc->discovered_at);
		for (int i = 0; i < inc->nsubjects; i++) {
			if (r->subjects[i].decided_at == TS_NONE)
				all = false;
			else if (decided == TS_NONE || r->subjects[i].decided_at > decided)
				decided = r->subjects[i].decided_at;
		}
		if (all && decided != TS_NONE)
			time_push(times, ntimes, RM_DECISION, month, inc->org,
				  decided - inc->discovered_at);
		if (inc->state == ST_CLOSED && inc->closed_at != TS_NONE)
			time_push(times, ntimes, RM_CLOSE, month, inc->org,
				  inc->closed_at - inc->discovered_at);
	}
}

/* The one merge behind cells and times: sorts n elements of size bytes
 * by cmp, adds up the counts (an int64_t at n_off) of equal keys and drops
 * zero counts; returns how many remain. */
static size_t merge(void *base, size_t n, size_t size, size_t n_off,
		    int (*cmp)(const void *, const void *))
{
	char *v = base;
	size_t w = 0;

	if (n > 1)
		qsort(v, n, size, cmp);
	for (size_t i = 0; i < n; i++) {
		int64_t *ni = (int64_t *)(void *)(v + i * size + n_off);

		if (w > 0 && cmp(v + (w - 1) * size, v + i * size) == 0) {
			int64_t *nw = (int64_t *)(void *)(v + (w - 1) * size + n_off);

			*nw += *ni;
			if (*nw == 0)
				w--;
			continue;
		}
		if (*ni != 0) {
			if (w != i)
				memcpy(v + w * size, v + i * size, size);
			w++;
		}
	}
	return w;
}

/* after minus before as a new merged array (see merge). */
static void *diff(const void *before, size_t nbefore, const void *after, size_t nafter,
		  size_t size, size_t n_off, int (*cmp)(const void *, const void *), size_t *nout)
{
	char *v = xmalloc((nbefore + nafter + 1) * size);

	if (nbefore)
		memcpy(v, before, nbefore * size);
	for (size_t i = 0; i < nbefore; i++) {
		int64_t *ni = (int64_t *)(void *)(v + i * size + n_off);
		*ni = -*ni;
	}
	if (nafter)
		memcpy(v + nbefore * size, after, nafter * size);
	*nout = merge(v, nbefore + nafter, size, n_off, cmp);
	return v;
}

void rollup_cells_merge(struct rollup_cell *cells, size_t *n)
{
	*n = merge(cells, *n, sizeof *cells, offsetof(struct rollup_cell, n), qcmp_cell);
}

void rollup_times_merge(struct rollup_time *times, size_t *n)
{
	*n = merge(times, *n, sizeof *times, offsetof(struct rollup_time, n), qcmp_time);
}

void rollup_diff(const struct rollup_cell *before, size_t nbefore, const struct rollup_cell *after,
		 size_t nafter, struct rollup_cell **out, size_t *nout)
{
	*out = diff(before, nbefore, after, nafter, sizeof **out, offsetof(struct rollup_cell, n),
		    qcmp_cell, nout);
}

void rollup_time_diff(const struct rollup_time *before, size_t nbefore,
		      const struct rollup_time *after, size_t nafter, struct rollup_time **out,
		      size_t *nout)
{
	*out = diff(before, nbefore, after, nafter, sizeof **out, offsetof(struct rollup_time, n),
		    qcmp_time, nout);
}

void rollup_filter_init(struct rollup_filter *f)
{
	memset(f, 0, sizeof *f);
	f->kind = f->status = f->severity = f->personal = f->ico = ROLLUP_ANY;
	f->control = f->outcome = f->engagement = ROLLUP_ANY;
}

unsigned rollup_filter_mask(const struct rollup_filter *f)
{
	unsigned m = 0;

	if ((f->group & (1u << RD_CONTROL)) || f->control != ROLLUP_ANY)
		m |= ROLLUP_CONTROL;
	if ((f->group & (1u << RD_TYPE)) || f->type[0])
		m |= ROLLUP_CONTROL | ROLLUP_TYPE;
	if ((f->group & (1u << RD_OUTCOME)) || f->outcome != ROLLUP_ANY)
		m |= ROLLUP_OUTCOME;
	if ((f->group & (1u << RD_ENGAGEMENT)) || f->engagement != ROLLUP_ANY)
		m |= ROLLUP_ENGAGEMENT;
	return m;
}

void rollup_month_format(int month, char buf[8])
{
	snprintf(buf, 8, "%04u-%02u", (unsigned)(month / 100) % 10000u, (unsigned)(month % 100) % 100u);
}

void rollup_quarter_format(int month, char buf[8])
{
	snprintf(buf, 8, "%04uQ%u", (unsigned)(month / 100) % 10000u,
		 ((unsigned)(month % 100) % 100u + 2) / 3 % 10u);
}

int rollup_period_parse(const char *s, bool last, int *month)
{
	int y, m, q, n = 0;

	if (!s)
		return -1;
	if (sscanf(s, "%4d-%2d%n", &y, &m, &n) == 2 && n == 7 && s[n] == '\0' && m >= 1 &&
	    m <= 12 && y >= 1900) {
		*month = y * 100 + m;
		return 0;
	}
	n = 0;
	if (sscanf(s, "%4dQ%1d%n", &y, &q, &n) == 2 && n == 6 && s[n] == '\0' && q >= 1 &&
	    q <= 4 && y >= 1900) {
		*month = y * 100 + (last ? q * 3 : q * 3 - 2);
		return 0;
	}
	return -1;
}
