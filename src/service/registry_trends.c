/* registry_trends: trend answers from the rollups (SPEC 5). Nothing here
 * reads an incident: every count is a sum of rollup cells, so the cost
 * follows the number of months, organisations and categories asked about,
 * not the size of the register. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/stats.h"
#include "service/registry_internal.h"

void trends_query_init(struct trends_query *q)
{
	memset(q, 0, sizeof *q);
	q->kind = q->severity = q->control = q->outcome = q->engagement = ROLLUP_ANY;
}

/* A month bound: YYYY-MM, YYYYQn or a date (its month). */
static int parse_month(const char *v, const char *field, bool last, int *out, struct err *e)
{
	date_t d;

	if (rollup_period_parse(v, last, out) == 0)
		return 0;
	if (date_parse(v, &d) == 0) {
		int y, m, dd;

		date_to_ymd(d, &y, &m, &dd);
		*out = y * 100 + m;
		return 0;
	}
	return err_set(e, ERR_INVALID, field, "\"%s\" must be a month YYYY-MM, a quarter YYYYQn or a date",
		       field);
}

static int parse_enum(const struct vocab *v, const char *field, const char *val, int *out,
		      struct err *e)
{
	char list[256];

	*out = vocab_parse(v, val);
	if (*out >= 0)
		return 0;
	vocab_list(v, list, sizeof list);
	return err_set(e, ERR_INVALID, field, "invalid value \"%.40s\" for \"%s\" (one of %s)", val,
		       field, list);
}

int trends_query_set(struct trends_query *q, const char *name, const char *val, struct err *e)
{
	int d;

	if (!val)
		return err_set(e, ERR_INVALID, name, "\"%s\" needs a value", name);
	if (strcmp(name, "by") == 0) {
		if (parse_enum(&vocab_trend_dim, "by", val, &d, e))
			return -1;
		q->by |= 1u << d;
		return 0;
	}
	if (strcmp(name, "from") == 0)
		return parse_month(val, "from", false, &q->month_from, e);
	if (strcmp(name, "to") == 0)
		return parse_month(val, "to", true, &q->month_to, e);
	if (strcmp(name, "org") == 0 || strcmp(name, "type") == 0) {
		char *dst = name[0] == 'o' ? q->org : q->type;

		if (!jsonx_is_code(val))
			return err_set(e, ERR_INVALID, name, "invalid code \"%.64s\" for \"%s\"", val,
				       name);
		snprintf(dst, CODE_MAX, "%s", val);
		return 0;
	}
	if (strcmp(name, "severity") == 0)
		return parse_enum(&vocab_severity, "severity", val, &q->severity, e);
	if (strcmp(name, "kind") == 0)
		return parse_enum(&vocab_kind, "kind", val, &q->kind, e);
	if (strcmp(name, "control") == 0)
		return parse_enum(&vocab_control, "control", val, &q->control, e);
	if (strcmp(name, "outcome") == 0)
		return parse_enum(&vocab_outcome, "outcome", val, &q->outcome, e);
	if (strcmp(name, "engagement") == 0)
		return parse_enum(&vocab_engagement, "engagement", val, &q->engagement, e);
	if (strcmp(name, "all") == 0) {
		if (strcmp(val, "true") != 0 && strcmp(val, "false") != 0)
			return err_set(e, ERR_INVALID, "all", "\"all\" must be true or false");
		q->all = strcmp(val, "true") == 0;
		return 0;
	}
	return err_set(e, ERR_INVALID, name, "unknown trends parameter \"%.40s\"", name);
}

/* ------------------------------------------------------------------------
 * The organisation tree, for scoping and rolling up */

void reg_tree_release(struct reg_tree *t)
{
	org_list_free(t->orgs, t->n);
	free(t->parent);
	free(t->codes);
	memset(t, 0, sizeof *t);
}

int reg_tree_load(struct store *s, struct reg_tree *t, struct err *e)
{
	memset(t, 0, sizeof *t);
	if (s->ops->org_list(s, &t->orgs, &t->n, e))
		return -1;
	t->parent = xmalloc((t->n + 1) * sizeof *t->parent);
	t->codes = xmalloc((t->n + 1) * sizeof *t->codes);
	for (size_t i = 0; i < t->n; i++) {
		t->parent[i] = -1;
		snprintf(t->codes[i], CODE_MAX, "%s", t->orgs[i].code);
		for (size_t k = 0; k < t->n; k++)
			if (t->orgs[i].parent[0] && strcmp(t->orgs[k].code, t->orgs[i].parent) == 0)
				t->parent[i] = (int)k;
	}
	return 0;
}

int reg_tree_find(const struct reg_tree *t, const char *code)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->orgs[i].code, code) == 0)
			return (int)i;
	return -1;
}

bool reg_tree_within(const struct reg_tree *t, int i, int root)
{
	for (int depth = 0; i >= 0 && depth <= REG_MAX_DEPTH; depth++, i = t->parent[i])
		if (i == root)
			return true;
	return false;
}

int reg_tree_scope(const struct reg_tree *t, const char *org, char (**codes)[CODE_MAX],
		   size_t *n, struct err *e)
{
	int root;

	*codes = NULL;
	*n = 0;
	if (!org || !org[0])
		return 0;
	root = reg_tree_find(t, org);
	if (root < 0)
		return err_set(e, ERR_NOT_FOUND, "org", "no organisation \"%s\"", org);
	*codes = xmalloc((t->n + 1) * sizeof **codes);
	for (size_t i = 0; i < t->n; i++)
		if (reg_tree_within(t, (int)i, root))
			snprintf((*codes)[(*n)++], CODE_MAX, "%s", t->orgs[i].code);
	return 0;
}

/* ------------------------------------------------------------------------
 * Trends */

/* One output row: the grouped dimensions (others unkeyed) and counts. */
struct trow {
	struct rollup_cell key; /* month holds the period: YYYYMM, or YYYY0Q for quarters */
	int64_t count;		/* with the organisation's descendants */
	int64_t own;		/* at the organisation itself */
};

struct trend_walk {
	const struct trends_query *q;
	const struct reg_tree *tree;
	int scope_root; /* -1: the whole tree */
	struct trow *rows;
	size_t n, cap;
};

static void trow_push(struct trend_walk *w, const struct rollup_cell *key, int64_t count,
		      int64_t own)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->rows = xrealloc(w->rows, w->cap * sizeof *w->rows);
	}
	w->rows[w->n].key = *key;
	w->rows[w->n].key.n = 0;
	w->rows[w->n].count = count;
	w->rows[w->n].own = own;
	w->n++;
}

static bool counted(const struct trends_query *q, enum rollup_status st)
{
	/* Withdrawn reports were made in error and unfounded ones were no
	 * breach: they are not trends unless asked for. */
	return q->all || (q->by & (1u << TD_STATUS)) || (st != RS_WITHDRAWN && st != RS_UNFOUNDED);
}

static int trend_cb(const struct rollup_cell *c, void *ctx)
{
	struct trend_walk *w = ctx;
	const struct trends_query *q = w->q;
	struct rollup_cell key = *c;
	int i;

	if (!counted(q, c->status))
		return 0;
	if (!(q->by & (1u << TD_STATUS)))
		key.status = RS_OPEN;
	if (q->by & (1u << TD_QUARTER))
		key.month = (c->month / 100) * 100 + (c->month % 100 + 2) / 3;
	if (!(q->by & (1u << TD_ORG))) {
		trow_push(w, &key, c->n, c->n);
		return 0;
	}
	/* Rolled up the tree: counted at the organisation and at each
	 * ancestor inside the scope. */
	i = reg_tree_find(w->tree, c->org);
	trow_push(w, &key, c->n, c->n);
	for (int depth = 0; i >= 0 && i != w->scope_root && depth < REG_MAX_DEPTH; depth++) {
		i = w->tree->parent[i];
		if (i < 0)
			break;
		snprintf(key.org, sizeof key.org, "%s", w->tree->orgs[i].code);
		trow_push(w, &key, c->n, 0);
	}
	return 0;
}

static int trow_cmp(const void *a, const void *b)
{
	return rollup_cell_cmp(&((const struct trow *)a)->key, &((const struct trow *)b)->key);
}

/* Known headcount of an organisation and its descendants; -1 if none. */
static int64_t headcount_of(const struct reg_tree *t, int root)
{
	int64_t sum = -1;

	for (size_t i = 0; i < t->n; i++)
		if (t->orgs[i].headcount >= 0 && reg_tree_within(t, (int)i, root))
			sum = (sum < 0 ? 0 : sum) + t->orgs[i].headcount;
	return sum;
}

static json_t *trow_json(const struct trow *r, const struct trends_query *q,
			 const struct reg_tree *tree)
{
	json_t *o = json_object();
	char buf[8];

	if (q->by & (1u << TD_MONTH)) {
		rollup_month_format(r->key.month, buf);
		json_object_set_new(o, "month", json_string(buf));
	}
	if (q->by & (1u << TD_QUARTER)) {
		snprintf(buf, sizeof buf, "%04uQ%u", (unsigned)(r->key.month / 100) % 10000u,
			 (unsigned)(r->key.month % 100) % 10u);
		json_object_set_new(o, "quarter", json_string(buf));
	}
	if (q->by & (1u << TD_ORG))
		json_object_set_new(o, "org", json_string(r->key.org));
	if (q->by & (1u << TD_TYPE))
		json_object_set_new(o, "type", json_string(r->key.type));
	if (q->by & (1u << TD_CONTROL))
		json_object_set_new(o, "control",
				    json_string(vocab_name(&vocab_control, r->key.control)));
	if (q->by & (1u << TD_SEVERITY))
		json_object_set_new(o, "severity",
				    json_string(r->key.severity < 0
						    ? "unassessed"
						    : vocab_name(&vocab_severity, r->key.severity)));
	if (q->by & (1u << TD_OUTCOME))
		json_object_set_new(o, "outcome",
				    json_string(r->key.outcome == ROLLUP_UNDECIDED
						    ? "undecided"
						    : vocab_name(&vocab_outcome, r->key.outcome)));
	if (q->by & (1u << TD_ENGAGEMENT))
		json_object_set_new(o, "engagement",
				    json_string(vocab_name(&vocab_engagement, r->key.engagement)));
	if (q->by & (1u << TD_KIND))
		json_object_set_new(o, "kind", json_string(vocab_name(&vocab_kind, r->key.kind)));
	if (q->by & (1u << TD_STATUS))
		json_object_set_new(o, "status",
				    json_string(vocab_name(&vocab_rollup_status, r->key.status)));
	json_object_set_new(o, "count", json_integer(r->count));
	if (q->by & (1u << TD_ORG)) {
		int i = reg_tree_find(tree, r->key.org);
		int64_t hc = i >= 0 ? headcount_of(tree, i) : -1;

		json_object_set_new(o, "own", json_integer(r->own));
		json_object_set_new(o, "headcount", hc >= 0 ? json_integer(hc) : json_null());
		json_object_set_new(o, "rate_per_1000",
				    hc > 0 ? json_real((double)r->count * 1000.0 / (double)hc)
					   : json_null());
	}
	return o;
}

struct time_hist {
	int64_t counts[RM_COUNT][STATS_HOURS_BUCKETS];
};

static int time_cb(const struct rollup_time *t, void *ctx)
{
	struct time_hist *h = ctx;

	h->counts[t->metric][t->bucket] += t->n;
	return 0;
}

static json_t *times_json(const struct time_hist *h)
{
	json_t *o = json_object();

	for (int m = 0; m < RM_COUNT; m++) {
		int64_t n = 0;
		double med = stats_hours_quantile(h->counts[m], 0.5);
		double p90 = stats_hours_quantile(h->counts[m], 0.9);

		for (int b = 0; b < STATS_HOURS_BUCKETS; b++)
			n += h->counts[m][b];
		json_object_set_new(o, vocab_name(&vocab_rollup_metric, m),
				    json_pack("{s:I, s:o, s:o}", "count", (json_int_t)n,
					      "median_hours", med < 0 ? json_null() : json_real(med),
					      "p90_hours", p90 < 0 ? json_null() : json_real(p90)));
	}
	return o;
}

static json_t *dims_json(unsigned by)
{
	json_t *a = json_array();

	for (int d = 0; d < TD_COUNT; d++)
		if (by & (1u << d))
			json_array_append_new(a, json_string(vocab_name(&vocab_trend_dim, d)));
	return a;
}

int registry_trends(struct store *s, const struct actor *a, const struct trends_query *q,
		    json_t **out, struct err *e)
{
	static const int to_rollup[TD_COUNT] = {
	    [TD_MONTH] = RD_MONTH,	 [TD_QUARTER] = RD_MONTH,   [TD_ORG] = RD_ORG,
	    [TD_TYPE] = RD_TYPE,	 [TD_CONTROL] = RD_CONTROL, [TD_SEVERITY] = RD_SEVERITY,
	    [TD_OUTCOME] = RD_OUTCOME, [TD_ENGAGEMENT] = RD_ENGAGEMENT, [TD_KIND] = RD_KIND,
	    [TD_STATUS] = RD_STATUS,
	};
	struct reg_tree tree = {0};
	struct trend_walk w = {.q = q, .scope_root = -1};
	struct rollup_filter f;
	struct rollup_time_filter tf = {0};
	struct time_hist *hist = xcalloc(1, sizeof *hist);
	char (*scope)[CODE_MAX] = NULL;
	size_t nscope = 0;
	int64_t total = 0;
	json_t *rows = NULL;
	bool open = false;
	char from[8] = "", to[8] = "";
	int ret = -1;

	*out = NULL;
	if (reg_power(a, POW_TRENDS, e))
		goto out;
	if ((q->by & (1u << TD_MONTH)) && (q->by & (1u << TD_QUARTER))) {
		err_set(e, ERR_INVALID, "by", "group by month or by quarter, not both");
		goto out;
	}
	if (s->ops->begin_read(s, e))
		goto out;
	open = true;
	if (reg_tree_load(s, &tree, e) || reg_tree_scope(&tree, q->org, &scope, &nscope, e))
		goto out;
	w.tree = &tree;
	if (q->org[0])
		w.scope_root = reg_tree_find(&tree, q->org);

	rollup_filter_init(&f);
	for (int d = 0; d < TD_COUNT; d++)
		if (q->by & (1u << d))
			f.group |= 1u << to_rollup[d];
	f.group |= 1u << RD_STATUS;
	f.month_from = q->month_from;
	f.month_to = q->month_to;
	f.orgs = scope;
	f.norgs = nscope;
	snprintf(f.type, sizeof f.type, "%s", q->type);
	f.kind = q->kind;
	f.severity = q->severity;
	f.control = q->control;
	f.outcome = q->outcome == ROLLUP_ANY ? ROLLUP_ANY : q->outcome;
	f.engagement = q->engagement;
	f.mask = rollup_filter_mask(&f);
	if (s->ops->rollup_query(s, &f, trend_cb, &w, e))
		goto out;

	/* The incidents in scope, each once: the mask-0 cells. */
	{
		struct trends_query tq = *q;
		struct trend_walk tw = {.q = &tq, .tree = &tree, .scope_root = w.scope_root};
		struct rollup_filter tf0 = f;

		tq.by = q->by & (1u << TD_STATUS);
		tf0.group = 1u << RD_STATUS;
		if (s->ops->rollup_query(s, &tf0, trend_cb, &tw, e)) {
			free(tw.rows);
			goto out;
		}
		for (size_t i = 0; i < tw.n; i++)
			total += tw.rows[i].own;
		free(tw.rows);
	}

	tf.month_from = q->month_from;
	tf.month_to = q->month_to;
	tf.orgs = scope;
	tf.norgs = nscope;
	if (s->ops->rollup_time_query(s, &tf, time_cb, hist, e))
		goto out;

	if (w.n > 1)
		qsort(w.rows, w.n, sizeof *w.rows, trow_cmp);
	rows = json_array();
	for (size_t i = 0; i < w.n;) {
		struct trow r = w.rows[i];
		size_t k = i + 1;

		for (; k < w.n && rollup_cell_cmp(&w.rows[k].key, &r.key) == 0; k++) {
			r.count += w.rows[k].count;
			r.own += w.rows[k].own;
		}
		if (r.count)
			json_array_append_new(rows, trow_json(&r, q, &tree));
		i = k;
	}
	if (q->month_from)
		rollup_month_format(q->month_from, from);
	if (q->month_to)
		rollup_month_format(q->month_to, to);
	*out = json_pack("{s:o, s:o, s:o, s:o, s:s, s:I, s:o, s:o, s:s}", "by", dims_json(q->by),
			 "from", from[0] ? json_string(from) : json_null(), "to",
			 to[0] ? json_string(to) : json_null(), "org",
			 q->org[0] ? json_string(q->org) : json_null(), "unit", "incidents",
			 "incidents", (json_int_t)total, "rows", rows, "times", times_json(hist),
			 "excluded",
			 q->all || (q->by & (1u << TD_STATUS)) ? "" : "withdrawn and unfounded reports");
	rows = NULL;
	ret = s->ops->commit(s, e);
	open = false;
	if (ret) {
		json_decref(*out);
		*out = NULL;
	}
out:
	if (open)
		s->ops->rollback(s);
	json_decref(rows);
	free(w.rows);
	free(scope);
	free(hist);
	reg_tree_release(&tree);
	return ret;
}
