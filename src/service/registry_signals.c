/* registry_signals: what the central record points a security team at
 * (POLSBP002, POLSBP004), each by a stated method (docs/signals.md):
 * rising trends, repeat subjects, control adequacy, and consistency of
 * outcomes across engagement and organisation. And the quarterly return.
 * Counts come from the rollups; only repeat subjects read incidents (one
 * window's, by index). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/pseudonym.h"
#include "core/stats.h"
#include "service/registry_internal.h"

/* The methods' constants, stated once (docs/signals.md quotes them). */
#define RISING_ALPHA 0.01	/* one-sided exact test */
#define RISING_MIN_COUNT 3	/* fewer in a month is never a trend */
#define BASELINE_MONTHS 12
#define CONSISTENCY_ALPHA 0.05 /* two-sided Fisher's exact test */
#define REPEAT_MIN 2
#define CONTROL_WHERE 3 /* organisations named per control area */

static const int severity_weight[SEV_COUNT] = {
    [SEV_UNGRADED] = 1, [SEV_MINOR] = 1, [SEV_SERIOUS] = 3, [SEV_GROSS] = 9};

static int month_add(int month, int delta)
{
	int idx = (month / 100) * 12 + (month % 100 - 1) + delta;

	return (idx / 12) * 100 + idx % 12 + 1;
}

static bool counted(int status)
{
	return status != RS_WITHDRAWN && status != RS_UNFOUNDED;
}

/* Whether an outcome is a sanction (anything beyond no action or advice;
 * the routed outcomes for probationers, contractors and office holders
 * stand in for formal action, POLSBP005/006). */
static bool sanction(int outcome)
{
	return outcome != OUT_NO_ACTION && outcome != OUT_ADVICE && outcome != ROLLUP_UNDECIDED;
}

/* ------------------------------------------------------------------------
 * Collecting rollup rows */

struct cells {
	struct rollup_cell *v;
	size_t n, cap;
};

/* Every cell, withdrawn and unfounded included. */
static int collect_all(const struct rollup_cell *c, void *ctx)
{
	struct cells *cs = ctx;

	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 256;
		cs->v = xrealloc(cs->v, cs->cap * sizeof *cs->v);
	}
	cs->v[cs->n++] = *c;
	return 0;
}

/* The cells that count: withdrawn and unfounded left out. */
static int collect(const struct rollup_cell *c, void *ctx)
{
	return counted(c->status) ? collect_all(c, ctx) : 0;
}

static int query(struct store *s, unsigned group, unsigned extra_mask, int from, int to,
		 char (*scope)[CODE_MAX], size_t nscope, struct cells *out, struct err *e)
{
	struct rollup_filter f;

	rollup_filter_init(&f);
	f.group = group | (1u << RD_STATUS);
	f.month_from = from;
	f.month_to = to;
	f.orgs = scope;
	f.norgs = nscope;
	f.mask = rollup_filter_mask(&f) | extra_mask;
	memset(out, 0, sizeof *out);
	return s->ops->rollup_query(s, &f, collect, out, e);
}

/* ------------------------------------------------------------------------
 * Rising trends: a month's count for an organisation (with its
 * descendants) and type against the trailing 12 months. Under "no change
 * in rate", given n = x + B incidents over the 13 months, the month's
 * share x is Binomial(n, 1/13): exact for small counts, needing no
 * estimate of the rate. */

struct series {
	char org[CODE_MAX];
	char type[CODE_MAX];
	int64_t month, baseline;
};

static struct series *series_at(struct series **v, size_t *n, size_t *cap, const char *org,
				const char *type)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].org, org) == 0 && strcmp((*v)[i].type, type) == 0)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof **v);
	snprintf((*v)[*n].org, CODE_MAX, "%s", org);
	snprintf((*v)[*n].type, CODE_MAX, "%s", type);
	return &(*v)[(*n)++];
}

static int rising(struct store *s, const struct reg_tree *tree, int root, int month,
		  char (*scope)[CODE_MAX], size_t nscope, json_t *out, struct err *e)
{
	struct cells cs;
	struct series *v = NULL;
	size_t n = 0, cap = 0;

	if (query(s, (1u << RD_MONTH) | (1u << RD_ORG) | (1u << RD_TYPE), 0,
		  month_add(month, -BASELINE_MONTHS), month, scope, nscope, &cs, e))
		return -1;
	for (size_t i = 0; i < cs.n; i++) {
		const struct rollup_cell *c = &cs.v[i];
		int o = reg_tree_find(tree, c->org);

		/* At the organisation and each ancestor within scope. */
		for (int depth = 0; o >= 0 && depth < REG_MAX_DEPTH; depth++) {
			struct series *x = series_at(&v, &n, &cap, tree->orgs[o].code, c->type);

			if (c->month == month)
				x->month += c->n;
			else
				x->baseline += c->n;
			if (o == root)
				break;
			o = tree->parent[o];
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct series *x = &v[i];
		double p;

		if (x->month < RISING_MIN_COUNT)
			continue;
		p = stats_binom_upper(x->month, x->month + x->baseline, 1.0 / (BASELINE_MONTHS + 1));
		if (p >= RISING_ALPHA)
			continue;
		json_array_append_new(
		    out, json_pack("{s:s, s:s, s:I, s:I, s:f, s:f}", "org", x->org, "type", x->type,
				   "count", (json_int_t)x->month, "baseline_total",
				   (json_int_t)x->baseline, "baseline_mean",
				   (double)x->baseline / BASELINE_MONTHS, "p_value", p));
	}
	free(v);
	free(cs.v);
	return 0;
}

/* ------------------------------------------------------------------------
 * Control adequacy: control areas ranked by severity-weighted incidents
 * (minor 1, serious 3, gross 9) over the window, with where they fail. */

struct control_tally {
	int64_t incidents, by_sev[SEV_COUNT + 1], score;
	struct {
		char org[CODE_MAX];
		int64_t n;
	} *where;
	size_t nwhere;
};

static int by_score(const void *a, const void *b)
{
	const struct control_tally *x = *(struct control_tally *const *)a;
	const struct control_tally *y = *(struct control_tally *const *)b;

	if (x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return (x->incidents < y->incidents) - (x->incidents > y->incidents);
}

static int by_where(const void *a, const void *b)
{
	const int64_t x = *(const int64_t *)((const char *)a + CODE_MAX);
	const int64_t y = *(const int64_t *)((const char *)b + CODE_MAX);

	return (x < y) - (x > y);
}

static int controls(struct store *s, int from, int to, char (*scope)[CODE_MAX], size_t nscope,
		    json_t *out, struct err *e)
{
	struct control_tally t[CTL_COUNT] = {0};
	struct control_tally *order[CTL_COUNT];
	struct cells cs;

	if (query(s, (1u << RD_CONTROL) | (1u << RD_SEVERITY) | (1u << RD_ORG), 0, from, to, scope,
		  nscope, &cs, e))
		return -1;
	for (size_t i = 0; i < cs.n; i++) {
		const struct rollup_cell *c = &cs.v[i];
		struct control_tally *x;
		size_t k;

		if (c->control < 0 || c->control >= CTL_COUNT)
			continue;
		x = &t[c->control];
		x->incidents += c->n;
		x->by_sev[c->severity < 0 ? SEV_COUNT : c->severity] += c->n;
		x->score += c->n * (c->severity < 0 ? 1 : severity_weight[c->severity]);
		for (k = 0; k < x->nwhere && strcmp(x->where[k].org, c->org) != 0; k++)
			;
		if (k == x->nwhere) {
			x->where = xrealloc(x->where, (x->nwhere + 1) * sizeof *x->where);
			snprintf(x->where[k].org, CODE_MAX, "%s", c->org);
			x->where[k].n = 0;
			x->nwhere++;
		}
		x->where[k].n += c->n;
	}
	for (int i = 0; i < CTL_COUNT; i++)
		order[i] = &t[i];
	qsort(order, CTL_COUNT, sizeof order[0], by_score);
	for (int i = 0; i < CTL_COUNT; i++) {
		struct control_tally *x = order[i];
		json_t *where;

		if (x->incidents == 0)
			continue;
		where = json_array();
		qsort(x->where, x->nwhere, sizeof *x->where, by_where);
		for (size_t k = 0; k < x->nwhere && k < CONTROL_WHERE; k++)
			json_array_append_new(where, json_pack("{s:s, s:I}", "org", x->where[k].org,
							       "incidents", (json_int_t)x->where[k].n));
		json_array_append_new(
		    out, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:o}", "control",
				   vocab_name(&vocab_control, (int)(x - t)), "incidents",
				   (json_int_t)x->incidents, "score", (json_int_t)x->score, "minor",
				   (json_int_t)x->by_sev[SEV_MINOR], "serious",
				   (json_int_t)x->by_sev[SEV_SERIOUS], "gross",
				   (json_int_t)x->by_sev[SEV_GROSS], "where", where));
	}
	for (int i = 0; i < CTL_COUNT; i++)
		free(t[i].where);
	free(cs.v);
	return 0;
}

/* ------------------------------------------------------------------------
 * Consistency (POLSBP004): for one type and severity, is a group (an
 * engagement, or an organisation) sanctioned more or less often than
 * everyone else? A 2x2 table per group, Fisher's exact test (exact for
 * the small numbers one type and severity gives). */

struct cgroup {
	char type[CODE_MAX];
	int severity;
	char group[CODE_MAX];
	int64_t sanctioned, other;
};

static struct cgroup *cgroup_at(struct cgroup **v, size_t *n, size_t *cap, const char *type,
				int severity, const char *group)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i].severity == severity && strcmp((*v)[i].type, type) == 0 &&
		    strcmp((*v)[i].group, group) == 0)
			return &(*v)[i];
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		*v = xrealloc(*v, *cap * sizeof **v);
	}
	memset(&(*v)[*n], 0, sizeof **v);
	snprintf((*v)[*n].type, CODE_MAX, "%s", type);
	(*v)[*n].severity = severity;
	snprintf((*v)[*n].group, CODE_MAX, "%s", group);
	return &(*v)[(*n)++];
}

static int consistency_by(struct store *s, bool by_org, int from, int to,
			  char (*scope)[CODE_MAX], size_t nscope, json_t *out, int64_t *tests,
			  struct err *e)
{
	struct cells cs;
	struct cgroup *v = NULL;
	size_t n = 0, cap = 0;
	unsigned group = (1u << RD_TYPE) | (1u << RD_SEVERITY) | (1u << RD_OUTCOME) |
			 (by_org ? (1u << RD_ORG) : (1u << RD_ENGAGEMENT));

	if (query(s, group, 0, from, to, scope, nscope, &cs, e))
		return -1;
	for (size_t i = 0; i < cs.n; i++) {
		const struct rollup_cell *c = &cs.v[i];
		const char *g = by_org ? c->org : vocab_name(&vocab_engagement, c->engagement);
		struct cgroup *x;

		if (c->outcome == ROLLUP_UNDECIDED || c->outcome < 0)
			continue;
		x = cgroup_at(&v, &n, &cap, c->type, c->severity, g);
		if (sanction(c->outcome))
			x->sanctioned += c->n;
		else
			x->other += c->n;
	}
	for (size_t i = 0; i < n; i++) {
		const struct cgroup *x = &v[i];
		int64_t rs = 0, ro = 0;
		double p, rate, rest_rate;

		for (size_t k = 0; k < n; k++)
			if (k != i && v[k].severity == x->severity && strcmp(v[k].type, x->type) == 0) {
				rs += v[k].sanctioned;
				ro += v[k].other;
			}
		if (rs + ro == 0 || x->sanctioned + x->other == 0)
			continue; /* nothing to compare with */
		(*tests)++;
		p = stats_fisher_2x2(x->sanctioned, x->other, rs, ro);
		if (!(p < CONSISTENCY_ALPHA))
			continue;
		rate = (double)x->sanctioned / (double)(x->sanctioned + x->other);
		rest_rate = (double)rs / (double)(rs + ro);
		json_array_append_new(
		    out, json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:f, s:f, s:s}",
				   "type", x->type, "severity",
				   x->severity < 0 ? "unassessed"
						   : vocab_name(&vocab_severity, x->severity),
				   "by", by_org ? "org" : "engagement", "group", x->group,
				   "sanctioned", (json_int_t)x->sanctioned, "not_sanctioned",
				   (json_int_t)x->other, "rest_sanctioned", (json_int_t)rs,
				   "rest_not_sanctioned", (json_int_t)ro, "rate", rate, "rest_rate",
				   rest_rate, "p_value", p, "direction",
				   rate > rest_rate ? "harsher" : "more lenient"));
	}
	free(v);
	free(cs.v);
	return 0;
}

/* ------------------------------------------------------------------------
 * Repeat subjects */

struct repeat_ctx {
	json_t *out;
	bool pseudonymise;
	unsigned char key[PSEUDONYM_KEY_BYTES];
};

static int repeat_cb(const char *staff_id, int64_t n, const char *refs, void *ctx)
{
	struct repeat_ctx *r = ctx;
	char who[STAFF_MAX];
	json_t *list = json_array();
	char *copy = xstrdup(refs), *save = NULL;

	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save))
		json_array_append_new(list, json_string(t));
	free(copy);
	if (r->pseudonymise)
		pseudonym_of(r->key, staff_id, who);
	else
		snprintf(who, sizeof who, "%s", staff_id);
	json_array_append_new(r->out, json_pack("{s:s, s:I, s:o}", "subject", who, "incidents",
						(json_int_t)n, "refs", list));
	return 0;
}

/* ------------------------------------------------------------------------
 * The whole report */

void signals_query_init(struct signals_query *q)
{
	memset(q, 0, sizeof *q);
}

int registry_signals(struct store *s, const struct actor *a, const struct signals_query *q,
		     ts_t now, json_t **out, struct err *e)
{
	struct reg_tree tree = {0};
	struct repeat_ctx rc = {0};
	char (*scope)[CODE_MAX] = NULL;
	size_t nscope = 0;
	json_t *rise = json_array(), *ctl = json_array(), *cons = json_array();
	int64_t tests = 0;
	int month = q->month, from, y, m, d, root = -1;
	char mbuf[8], fbuf[8];
	bool open = false;
	int ret = -1;

	*out = NULL;
	rc.out = json_array();
	if (reg_power(a, POW_TRENDS, e))
		goto out;
	if (month == 0) {
		date_to_ymd(date_of_ts(now), &y, &m, &d);
		month = y * 100 + m;
	}
	from = month_add(month, -(BASELINE_MONTHS - 1));
	rc.pseudonymise = !authz_power(a, POW_IDENTIFIED);
	if (rc.pseudonymise) {
		char probe[STAFF_MAX];
		/* Makes the key on first use (its own transaction). */
		if (registry_pseudonym(s, "", probe, e))
			goto out;
	}
	if (s->ops->begin_read(s, e))
		goto out;
	open = true;
	if (rc.pseudonymise) {
		size_t len = sizeof rc.key;
		if (s->ops->meta_get(s, "pseudonym_key", rc.key, &len, e))
			goto out;
	}
	if (reg_tree_load(s, &tree, e) || reg_tree_scope(&tree, q->org, &scope, &nscope, e))
		goto out;
	if (q->org[0])
		root = reg_tree_find(&tree, q->org);
	if (rising(s, &tree, root, month, scope, nscope, rise, e) ||
	    controls(s, from, month, scope, nscope, ctl, e) ||
	    consistency_by(s, false, from, month, scope, nscope, cons, &tests, e) ||
	    consistency_by(s, true, from, month, scope, nscope, cons, &tests, e))
		goto out;
	{
		/* Repeat subjects over the 12 months ending with the month. */
		date_t start = date_from_ymd(from / 100, from % 100, 1);
		int next = month_add(month, 1);
		date_t end = date_from_ymd(next / 100, next % 100, 1);

		if (s->ops->repeat_subjects(s, date_ts_of(start), date_ts_of(end), REPEAT_MIN,
					    repeat_cb, &rc, e))
			goto out;
	}
	if (nscope) {
		/* The store lists repeat subjects estate-wide; a person's
		 * incidents may lie in several organisations, so they are
		 * shown only for the whole estate. */
		json_decref(rc.out);
		rc.out = json_null();
	}
	rollup_month_format(month, mbuf);
	rollup_month_format(from, fbuf);
	*out = json_pack(
	    "{s:s, s:{s:s, s:s}, s:o, s:o, s:o, s:o, s:o, s:I, s:{s:s, s:s, s:s, s:s}}", "month", mbuf,
	    "window", "from", fbuf, "to", mbuf, "org", q->org[0] ? json_string(q->org) : json_null(),
	    "rising", rise, "repeat_subjects", rc.out, "control_adequacy", ctl, "consistency", cons,
	    "consistency_tests", (json_int_t)tests, "methods", "rising",
	    "one-sided exact binomial test of the month's count x against the trailing 12 months' "
	    "total B: x ~ Binomial(x + B, 1/13); flagged when x >= 3 and p < 0.01",
	    "repeat_subjects", "subjects of 2 or more incidents reported in the window",
	    "control_adequacy", "control areas ranked by incidents weighted minor 1, serious 3, gross 9",
	    "consistency",
	    "per type and severity, each engagement or organisation against the rest: sanctioned "
	    "(beyond no-action or advice) or not, two-sided Fisher's exact test, flagged when p < "
	    "0.05");
	rise = ctl = cons = NULL;
	rc.out = NULL;
	ret = s->ops->commit(s, e);
	open = false;
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
out:
	if (open)
		s->ops->rollback(s);
	json_decref(rise);
	json_decref(ctl);
	json_decref(cons);
	json_decref(rc.out);
	sodium_memzero(rc.key, sizeof rc.key);
	free(scope);
	reg_tree_release(&tree);
	return ret;
}

/* ------------------------------------------------------------------------
 * The quarterly return of departmental security incidents */

static json_t *trend_rows(struct store *s, const struct actor *a, int from, int to,
			  enum trend_dim dim, struct err *e)
{
	struct trends_query q;
	json_t *t = NULL, *rows;

	trends_query_init(&q);
	q.by = 1u << dim;
	q.month_from = from;
	q.month_to = to;
	if (registry_trends(s, a, &q, &t, e))
		return NULL;
	rows = json_incref(json_object_get(t, "rows"));
	json_decref(t);
	return rows;
}

int registry_return(struct store *s, const struct actor *a, int quarter_month, json_t **out,
		    struct err *e)
{
	struct cells cs = {0}, all = {0};
	json_t *by_type = NULL, *by_sev = NULL, *by_org = NULL;
	int from = quarter_month, to = month_add(quarter_month, 2);
	int64_t breaches = 0, near = 0, personal = 0, ico = 0, ico_no = 0, open_q = 0, open_all = 0;
	int64_t excluded = 0;
	char qbuf[8], fbuf[8], tbuf[8];
	int ret = -1;

	*out = NULL;
	if (reg_power(a, POW_TRENDS, e))
		return -1;
	if (!(by_type = trend_rows(s, a, from, to, TD_TYPE, e)) ||
	    !(by_sev = trend_rows(s, a, from, to, TD_SEVERITY, e)) ||
	    !(by_org = trend_rows(s, a, from, to, TD_ORG, e)))
		goto out;
	{
		struct rollup_filter f;

		rollup_filter_init(&f);
		f.group = (1u << RD_KIND) | (1u << RD_STATUS) | (1u << RD_PERSONAL) | (1u << RD_ICO);
		f.month_from = from;
		f.month_to = to;
		if (s->ops->rollup_query(s, &f, collect_all, &cs, e))
			goto out;
		f.group = 1u << RD_STATUS;
		f.month_from = f.month_to = 0;
		if (s->ops->rollup_query(s, &f, collect_all, &all, e))
			goto out;
	}
	for (size_t i = 0; i < cs.n; i++) {
		const struct rollup_cell *c = &cs.v[i];

		if (!counted(c->status)) {
			excluded += c->n;
			continue;
		}
		if (c->kind == KIND_NEAR_MISS) {
			near += c->n;
			continue;
		}
		breaches += c->n;
		if (c->status == RS_OPEN)
			open_q += c->n;
		if (c->personal) {
			personal += c->n;
			if (c->ico == 1)
				ico += c->n;
			else if (c->ico == 0)
				ico_no += c->n;
		}
	}
	for (size_t i = 0; i < cs.n; i++)
		if (cs.v[i].kind == KIND_NEAR_MISS && cs.v[i].status == RS_OPEN)
			open_q += cs.v[i].n;
	for (size_t i = 0; i < all.n; i++)
		if (all.v[i].status == RS_OPEN)
			open_all += all.v[i].n;
	rollup_quarter_format(from, qbuf);
	rollup_month_format(from, fbuf);
	rollup_month_format(to, tbuf);
	*out = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I},"
			 " s:I, s:O, s:O, s:O}",
			 "quarter", qbuf, "from", fbuf, "to", tbuf, "marking", "OFFICIAL-SENSITIVE",
			 "breaches", (json_int_t)breaches, "near_misses", (json_int_t)near,
			 "personal_data", "breaches", (json_int_t)personal, "reported_to_ico",
			 (json_int_t)ico, "not_reported_to_ico", (json_int_t)ico_no,
			 "ico_decision_pending", (json_int_t)(personal - ico - ico_no), "open",
			 "from_quarter", (json_int_t)open_q, "all", (json_int_t)open_all,
			 "withdrawn_or_unfounded", (json_int_t)excluded, "by_type", by_type,
			 "by_severity", by_sev, "by_org", by_org);
	ret = 0;
out:
	json_decref(by_type);
	json_decref(by_sev);
	json_decref(by_org);
	free(cs.v);
	free(all.v);
	return ret;
}
