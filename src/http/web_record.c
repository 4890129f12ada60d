/* web_record: the central record's pages (SPEC 5, 6.3): the trends
 * dashboard (SVG charts beside their tables, the signals, and the
 * quarterly return), the guidance catalogue with its version history, and
 * the audit log. Trend pages show counts, never incident content; the
 * services authorise (registry_trends and friends answer ERR_FORBIDDEN to
 * an account without the power, and that is the page's 403). The
 * catalogue and the audit log check their power here exactly as the API
 * handlers do (api_misc.c), since no service call stands behind them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/catalogue.h"
#include "core/date.h"
#include "core/jsonx.h"
#include "core/rollup.h"
#include "core/template.h"
#include "http/chart.h"
#include "http/http.h"
#include "http/web.h"
#include "service/registry.h"

#define AUDIT_PAGE_SIZE 50

/* ---- words for codes ---- */

/* "physical-access" as "Physical access"; "it-use" as "IT use". */
static json_t *words(const char *code)
{
	struct buf b = BUF_INIT;
	if (!code)
		return json_string("");
	if (strncmp(code, "it-", 3) == 0) {
		buf_puts(&b, "IT ");
		code += 3;
	}
	for (const char *p = code; *p; p++) {
		char c = *p == '-' ? ' ' : *p;
		if (b.len == 0 && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		buf_addch(&b, c);
	}
	json_t *s = jsonx_text_value(buf_str(&b));
	buf_release(&b);
	return s;
}

/* The govuk-tag colour of a grade; the tag's text says the grade, so
 * the colour is never the only sign. */
static const char *severity_tag(const char *sev)
{
	static const char *const tags[][2] = {
	    {"minor", "govuk-tag--green"},
	    {"serious", "govuk-tag--orange"},
	    {"gross", "govuk-tag--red"},
	};
	for (size_t i = 0; sev && i < sizeof tags / sizeof tags[0]; i++)
		if (strcmp(sev, tags[i][0]) == 0)
			return tags[i][1];
	return "govuk-tag--grey";
}

/* ---- organisations and breach types, for names and the selects ---- */

struct names {
	json_t *orgs;  /* {code: name} */
	json_t *types; /* {code: title}, from every organisation's guidance in force */
	json_t *order; /* [code, ...] of the organisations, in the store's order */
};

static void names_release(struct names *n)
{
	json_decref(n->orgs);
	json_decref(n->types);
	json_decref(n->order);
}

static int names_load(struct req *r, bool with_types, struct names *n, struct err *e)
{
	struct org *list = NULL;
	size_t count = 0;
	int ret = -1;

	n->orgs = json_object();
	n->types = json_object();
	n->order = json_array();
	if (r->store->ops->org_list(r->store, &list, &count, e))
		goto out;
	for (size_t i = 0; i < count; i++) {
		json_object_set_new(n->orgs, list[i].code, jsonx_text_value(list[i].name));
		json_array_append_new(n->order, json_string(list[i].code));
	}
	/* Types are defined down the tree (HMPPS adds keys-lost): a title
	 * comes from whichever organisation's guidance defines it. */
	for (size_t i = 0; with_types && i < count; i++) {
		struct guidance g;
		if (registry_guidance_resolve(r->store, list[i].code, &g, e))
			goto out;
		for (size_t k = 0; k < g.ntypes; k++)
			if (!json_object_get(n->types, g.types[k].code))
				json_object_set_new(n->types, g.types[k].code,
						    jsonx_text_value(g.types[k].title));
		guidance_release(&g);
	}
	ret = 0;
out:
	org_list_free(list, count);
	return ret;
}

static const char *org_name(const struct names *n, const char *code)
{
	const char *s = json_string_value(json_object_get(n->orgs, code ? code : ""));
	return s ? s : code ? code : "";
}

static const char *type_title(const struct names *n, const char *code)
{
	const char *s = json_string_value(json_object_get(n->types, code ? code : ""));
	return s ? s : code ? code : "";
}

/* ---- the trends dashboard ---- */

/* The filter form's fields: the query parameter, as trends_query_set
 * names it, is also the input's id. */
static const char *const filter_fields[] = {"org", "from", "to", "severity", "type", "kind"};

/* One chart of the dashboard: a dimension, a heading and the fragment's
 * name in the template ({{&chart_NAME}}). */
struct dash_chart {
	enum trend_dim dim;
	const char *key;     /* page.by_KEY and {{&chart_KEY}} */
	const char *heading; /* also the chart's title and the table's caption */
	const char *label_head; /* the table's first column */
	bool columns;        /* a time series */
	bool sort;           /* largest first */
};

static const struct dash_chart dash_charts[] = {
    {TD_MONTH, "month", "Incidents by month", "Month", true, false},
    {TD_ORG, "org", "Incidents by organisation", "Organisation", false, false},
    {TD_TYPE, "type", "Incidents by breach type", "Breach type", false, true},
    {TD_SEVERITY, "severity", "Incidents by severity", "Severity", false, false},
    {TD_CONTROL, "control", "Incidents by control area", "Control area", false, true},
    {TD_OUTCOME, "outcome", "Incidents by outcome", "Outcome", false, true},
};
#define N_CHARTS (sizeof dash_charts / sizeof dash_charts[0])

static int by_count_desc(const void *a, const void *b)
{
	json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "count"));
	json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "count"));
	return x < y ? 1 : x > y ? -1 : 0;
}

/* The rows of month: every month of the range, with 0 where the service
 * has none (a gap in a time series is a zero, not a missing month). */
static json_t *month_rows(json_t *rows, int from, int to)
{
	json_t *out = json_array();
	if (!from || !to || from > to || (to / 100 - from / 100) > 10) {
		json_t *row;
		size_t i;
		json_array_foreach(rows, i, row)
		json_array_append(out, row);
		return out;
	}
	for (int m = from; m <= to; m = m % 100 == 12 ? (m / 100 + 1) * 100 + 1 : m + 1) {
		char label[8];
		json_int_t count = 0;
		json_t *row;
		size_t i;
		rollup_month_format(m, label);
		json_array_foreach(rows, i, row)
		if (json_is_string(json_object_get(row, "month")) &&
		    strcmp(json_string_value(json_object_get(row, "month")), label) == 0)
			count = json_integer_value(json_object_get(row, "count"));
		json_array_append_new(out, json_pack("{s:s, s:I}", "month", label, "count", count));
	}
	return out;
}

/* The label of a trends row for its dimension, in words. */
static json_t *row_label(const struct dash_chart *c, json_t *row, const struct names *n)
{
	const char *v = json_string_value(json_object_get(row, c->key));
	switch (c->dim) {
	case TD_ORG:
		return jsonx_text_value(org_name(n, v));
	case TD_TYPE:
		return jsonx_text_value(type_title(n, v));
	case TD_MONTH:
		return jsonx_text_value(v ? v : "");
	default:
		return words(v);
	}
}

static json_t *fmt_hours(json_t *v)
{
	if (!json_is_number(v))
		return json_null();
	char b[32];
	snprintf(b, sizeof b, "%.1f", json_number_value(v));
	return json_string(b);
}

/* The times from discovery, as the summary list shows them. */
static json_t *times_rows(json_t *times)
{
	static const char *const what[][2] = {
	    {"report", "Discovery to report"},
	    {"decision", "Discovery to decision"},
	    {"close", "Discovery to close"},
	};
	json_t *out = json_array();
	for (size_t i = 0; i < sizeof what / sizeof what[0]; i++) {
		json_t *m = json_object_get(times, what[i][0]);
		json_t *med = json_object_get(m, "median_hours");
		json_array_append_new(
		    out, json_pack("{s:s, s:b, s:o, s:o, s:I}", "name", what[i][1], "known",
				   json_is_number(med), "median", fmt_hours(med), "p90",
				   fmt_hours(json_object_get(m, "p90_hours")), "count",
				   json_integer_value(json_object_get(m, "count"))));
	}
	return out;
}

/* Draws one chart of rows into svg and returns its page data: {rows:
 * [{label, count, ...}], heading, id}. */
static json_t *dash_chart_data(const struct dash_chart *c, json_t *rows, const struct names *n,
			       struct buf *svg)
{
	size_t nrows = json_array_size(rows), i;
	json_t **sorted = calloc(nrows ? nrows : 1, sizeof *sorted);
	struct chart_bar *bars = calloc(nrows ? nrows : 1, sizeof *bars);
	json_t *out_rows = json_array(), *row;

	json_array_foreach(rows, i, row)
	sorted[i] = row;
	if (c->sort)
		qsort(sorted, nrows, sizeof *sorted, by_count_desc);
	for (i = 0; i < nrows; i++) {
		json_t *o = json_object();
		json_t *label = row_label(c, sorted[i], n);
		json_object_set_new(o, "label", label);
		json_object_set(o, "count", json_object_get(sorted[i], "count"));
		if (c->dim == TD_ORG) {
			json_t *rate = json_object_get(sorted[i], "rate_per_1000");
			json_t *hc = json_object_get(sorted[i], "headcount");
			char b[32];
			json_object_set_new(o, "code",
					    json_string(json_string_value(
						json_object_get(sorted[i], "org"))));
			json_object_set(o, "own", json_object_get(sorted[i], "own"));
			json_object_set(o, "headcount", json_is_integer(hc) ? hc : NULL);
			if (json_is_number(rate)) {
				snprintf(b, sizeof b, "%.1f", json_number_value(rate));
				json_object_set_new(o, "rate", json_string(b));
			}
		}
		if (c->dim == TD_TYPE)
			json_object_set(o, "code", json_object_get(sorted[i], "type"));
		if (c->dim == TD_SEVERITY)
			json_object_set_new(
			    o, "tag",
			    json_string(severity_tag(
				json_string_value(json_object_get(sorted[i], "severity")))));
		bars[i].label = json_string_value(label);
		bars[i].value = (double)json_integer_value(json_object_get(sorted[i], "count"));
		json_array_append_new(out_rows, o);
	}
	char id[32];
	snprintf(id, sizeof id, "chart-%s", c->key);
	struct chart ch = {.id = id, .title = c->heading, .bars = bars, .n = nrows};
	if (c->columns)
		chart_columns(svg, &ch);
	else
		chart_bars(svg, &ch);
	free(bars);
	free(sorted);
	return json_pack("{s:o, s:s, s:s, s:s}", "rows", out_rows, "heading", c->heading,
			 "label_head", c->label_head, "id", id);
}

/* The quarter before the one of now, as "YYYYQn": the latest complete
 * quarter, whose return can be sent. */
static void last_quarter(ts_t now, char out[8])
{
	int y, m, d;
	date_to_ymd(date_of_ts(now), &y, &m, &d);
	int q = (m - 1) / 3; /* the current quarter, 0-based */
	if (q == 0) {
		y--;
		q = 4;
	}
	rollup_quarter_format(y * 100 + (q - 1) * 3 + 1, out);
}

/* The month of now minus back months, as "YYYY-MM". */
static void month_back(ts_t now, int back, char out[8])
{
	int y, m, d;
	date_to_ymd(date_of_ts(now), &y, &m, &d);
	int idx = y * 12 + (m - 1) - back;
	rollup_month_format((idx / 12) * 100 + idx % 12 + 1, out);
}

/* The selects' options, with what the person chose selected. */
static json_t *options_vocab(const struct vocab *v, const char *chosen)
{
	json_t *a = json_array();
	for (int i = 0; i < v->count; i++) {
		const char *name = vocab_name(v, i);
		json_array_append_new(a, json_pack("{s:s, s:o, s:b}", "value", name, "text",
						   words(name), "selected",
						   chosen && strcmp(chosen, name) == 0));
	}
	return a;
}

static json_t *options_orgs(const struct names *n, const char *chosen)
{
	json_t *a = json_array(), *code;
	size_t i;
	json_array_foreach(n->order, i, code)
	{
		const char *c = json_string_value(code);
		json_array_append_new(a, json_pack("{s:s, s:s, s:b}", "value", c, "text",
						   org_name(n, c), "selected",
						   chosen && strcmp(chosen, c) == 0));
	}
	return a;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "text")),
		      json_string_value(json_object_get(*(json_t *const *)b, "text")));
}

static json_t *options_types(const struct names *n, const char *chosen)
{
	size_t count = json_object_size(n->types), i = 0;
	json_t **opts = calloc(count ? count : 1, sizeof *opts), *title, *a = json_array();
	const char *code;
	json_object_foreach(n->types, code, title)
	opts[i++] = json_pack("{s:s, s:O?, s:b}", "value", code, "text", title, "selected",
			      chosen && strcmp(chosen, code) == 0);
	qsort(opts, count, sizeof *opts, by_text);
	for (i = 0; i < count; i++)
		json_array_append_new(a, opts[i]);
	free(opts);
	return a;
}

/* The signals as tables: names and titles in words, numbers rounded. */
static json_t *signals_data(json_t *sig, const struct names *n)
{
	json_t *rising = json_array(), *controls = json_array(), *flags = json_array(), *v;
	size_t i, k;
	char b[32];

	json_array_foreach(json_object_get(sig, "rising"), i, v)
	{
		snprintf(b, sizeof b, "%.1f", json_number_value(json_object_get(v, "baseline_mean")));
		json_t *o = json_pack("{s:s, s:s, s:O?, s:s}", "org",
				      org_name(n, json_string_value(json_object_get(v, "org"))),
				      "type",
				      type_title(n, json_string_value(json_object_get(v, "type"))),
				      "count", json_object_get(v, "count"), "baseline", b);
		snprintf(b, sizeof b, "%.2g", json_number_value(json_object_get(v, "p_value")));
		json_object_set_new(o, "p", json_string(b));
		json_array_append_new(rising, o);
	}
	json_array_foreach(json_object_get(sig, "control_adequacy"), i, v)
	{
		struct buf where = BUF_INIT;
		json_t *w;
		json_array_foreach(json_object_get(v, "where"), k, w)
		buf_printf(&where, "%s%s (%lld)", k ? ", " : "",
			   org_name(n, json_string_value(json_object_get(w, "org"))),
			   (long long)json_integer_value(json_object_get(w, "incidents")));
		json_array_append_new(
		    controls,
		    json_pack("{s:o, s:O?, s:O?, s:O?, s:O?, s:O?, s:o}", "control",
			      words(json_string_value(json_object_get(v, "control"))), "incidents",
			      json_object_get(v, "incidents"), "score", json_object_get(v, "score"),
			      "minor", json_object_get(v, "minor"), "serious",
			      json_object_get(v, "serious"), "gross", json_object_get(v, "gross"),
			      "where", jsonx_text_value(buf_str(&where))));
		buf_release(&where);
	}
	json_array_foreach(json_object_get(sig, "consistency"), i, v)
	{
		const char *by = json_string_value(json_object_get(v, "by"));
		const char *group = json_string_value(json_object_get(v, "group"));
		json_int_t s = json_integer_value(json_object_get(v, "sanctioned"));
		json_int_t ns = json_integer_value(json_object_get(v, "not_sanctioned"));
		json_int_t rs = json_integer_value(json_object_get(v, "rest_sanctioned"));
		json_int_t rns = json_integer_value(json_object_get(v, "rest_not_sanctioned"));
		snprintf(b, sizeof b, "%.2g", json_number_value(json_object_get(v, "p_value")));
		json_array_append_new(
		    flags,
		    json_pack("{s:s, s:o, s:o, s:o, s:I, s:I, s:I, s:I, s:o, s:s}", "type",
			      type_title(n, json_string_value(json_object_get(v, "type"))),
			      "severity", words(json_string_value(json_object_get(v, "severity"))),
			      "by", words(by), "group",
			      by && strcmp(by, "org") == 0 ? jsonx_text_value(org_name(n, group))
							   : words(group),
			      "sanctioned", s, "of", s + ns, "rest_sanctioned", rs, "rest_of",
			      rs + rns, "direction",
			      words(json_string_value(json_object_get(v, "direction"))), "p", b));
	}
	json_t *repeat = json_object_get(sig, "repeat_subjects");
	return json_pack("{s:O?, s:O?, s:o, s:O?, s:b, s:o, s:o, s:O?}", "month",
			 json_object_get(sig, "month"), "window", json_object_get(sig, "window"),
			 "rising", rising, "repeat", json_is_array(repeat) ? repeat : json_null(),
			 "repeat_estate", json_is_array(repeat), "controls", controls,
			 "consistency", flags, "consistency_tests",
			 json_object_get(sig, "consistency_tests"));
}

enum MHD_Result page_trends(struct req *r)
{
	struct err e = {0};
	struct trends_query q;
	struct names n = {0};
	struct buf svg[N_CHARTS];
	struct template_trusted trusted[N_CHARTS];
	json_t *form = json_object(), *errors = json_array(), *data = NULL, *out = NULL;
	json_t *sig = NULL;
	enum MHD_Result ret;
	char from[8], to[8], quarter[8];

	for (size_t i = 0; i < N_CHARTS; i++)
		buf_init(&svg[i]);
	trends_query_init(&q);
	/* The same parser as the CLI's --NAME and the API's query string:
	 * each bad parameter is named, for the error summary. */
	bool ranged = false;
	for (size_t i = 0; i < sizeof filter_fields / sizeof filter_fields[0]; i++) {
		const char *v = req_arg(r, filter_fields[i]);
		struct err fe = {0};
		if (!v || !*v)
			continue;
		json_object_set_new(form, filter_fields[i], jsonx_text_value(v));
		ranged = ranged || i == 1 || i == 2;
		if (trends_query_set(&q, filter_fields[i], v, &fe)) {
			json_t *one = web_errors_from(&fe, filter_fields[i]);
			json_array_extend(errors, one);
			json_decref(one);
		}
	}
	/* No range asked for: the 12 months to this one. */
	if (!ranged) {
		month_back(r->now, 11, from);
		month_back(r->now, 0, to);
		trends_query_set(&q, "from", from, &e);
		trends_query_set(&q, "to", to, &e);
		json_object_set_new(form, "from", json_string(from));
		json_object_set_new(form, "to", json_string(to));
	}
	if (!json_array_size(errors) && q.month_from && q.month_to && q.month_from > q.month_to)
		web_error_add(errors, "to", "\"to\" must be the same as or after \"from\"");
	if (json_array_size(errors)) {
		/* The service decides who may see trends at all, before the
		 * form's mistakes are shown. */
		struct trends_query plain;
		trends_query_init(&plain);
		if (registry_trends(r->store, &r->actor, &plain, &out, &e)) {
			ret = web_err(r, &e);
			goto out;
		}
	} else {
		q.by = 1u << TD_MONTH;
		if (registry_trends(r->store, &r->actor, &q, &out, &e)) {
			/* An unknown organisation (ERR_NOT_FOUND "org") is the
			 * form's mistake too: it names one of our fields. */
			const char *field = NULL;
			for (size_t i = 0; i < sizeof filter_fields / sizeof filter_fields[0]; i++)
				if (strcmp(e.field, filter_fields[i]) == 0)
					field = filter_fields[i];
			if (!field || (e.kind != ERR_INVALID && e.kind != ERR_NOT_FOUND)) {
				ret = web_err(r, &e);
				goto out;
			}
			json_t *one = web_errors_from(&e, field);
			json_array_extend(errors, one);
			json_decref(one);
		}
	}
	if (names_load(r, true, &n, &e)) {
		ret = web_err(r, &e);
		goto out;
	}
	const char *chosen_org = json_string_value(json_object_get(form, "org"));
	data = json_pack("{s:O?, s:o, s:o, s:o, s:o}", "form", form, "orgs",
			 options_orgs(&n, chosen_org), "severities",
			 options_vocab(&vocab_severity,
				       json_string_value(json_object_get(form, "severity"))),
			 "kinds",
			 options_vocab(&vocab_kind, json_string_value(json_object_get(form, "kind"))),
			 "types",
			 options_types(&n, json_string_value(json_object_get(form, "type"))));
	last_quarter(r->now, quarter);
	json_object_set_new(data, "quarter", json_string(quarter));
	if (json_array_size(errors)) {
		struct web_page p = {.title = "Error: Trends",
				     .template = "trends",
				     .data = data,
				     .errors = errors,
				     .nav = "trends"};
		data = errors = NULL;
		ret = web_render(r, 400, &p);
		goto out;
	}
	{
		const char *f = json_string_value(json_object_get(form, "from"));
		const char *t = json_string_value(json_object_get(form, "to"));
		char range[64];
		snprintf(range, sizeof range, "%s%s%s%s", f ? "from " : "", f ? f : "",
			 t ? (f ? " to " : "to ") : "", t ? t : "");
		json_object_set_new(data, "range", jsonx_text_value(range));
	}
	json_object_set(data, "incidents", json_object_get(out, "incidents"));
	json_object_set(data, "excluded", json_object_get(out, "excluded"));
	json_object_set_new(data, "times", times_rows(json_object_get(out, "times")));
	if (q.org[0])
		json_object_set_new(data, "org_name", jsonx_text_value(org_name(&n, q.org)));
	for (size_t i = 0; i < N_CHARTS; i++) {
		const struct dash_chart *c = &dash_charts[i];
		json_t *t = NULL, *rows;
		struct trends_query one = q;
		one.by = 1u << c->dim;
		if (c->dim == TD_MONTH) {
			t = json_incref(out);
		} else if (registry_trends(r->store, &r->actor, &one, &t, &e)) {
			ret = web_err(r, &e);
			goto out;
		}
		rows = c->dim == TD_MONTH
			   ? month_rows(json_object_get(t, "rows"), q.month_from, q.month_to)
			   : json_incref(json_object_get(t, "rows"));
		char key[32];
		snprintf(key, sizeof key, "by_%s", c->key);
		json_object_set_new(data, key, dash_chart_data(c, rows, &n, &svg[i]));
		json_decref(rows);
		json_decref(t);
		trusted[i].name = arena_printf(&r->arena, "chart_%s", c->key);
		trusted[i].html = buf_str(&svg[i]);
	}
	struct signals_query sq;
	signals_query_init(&sq);
	snprintf(sq.org, sizeof sq.org, "%s", q.org);
	if (req_arg(r, "to") && *req_arg(r, "to") && q.month_to)
		sq.month = q.month_to;
	if (registry_signals(r->store, &r->actor, &sq, r->now, &sig, &e)) {
		ret = web_err(r, &e);
		goto out;
	}
	json_object_set_new(data, "signals", signals_data(sig, &n));
	struct web_page p = {.title = "Trends",
			     .template = "trends",
			     .data = data,
			     .nav = "trends",
			     .trusted = trusted,
			     .n_trusted = N_CHARTS};
	data = NULL;
	ret = web_render(r, 200, &p);
out:
	for (size_t i = 0; i < N_CHARTS; i++)
		buf_release(&svg[i]);
	names_release(&n);
	json_decref(form);
	json_decref(errors);
	json_decref(data);
	json_decref(out);
	json_decref(sig);
	return ret;
}

/* ---- the quarterly return ---- */

static json_t *return_rows(json_t *rows, const char *key, const struct names *n)
{
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach(rows, i, v)
	{
		const char *code = json_string_value(json_object_get(v, key));
		json_t *label = strcmp(key, "org") == 0    ? jsonx_text_value(org_name(n, code))
				: strcmp(key, "type") == 0 ? jsonx_text_value(type_title(n, code))
							   : words(code);
		json_array_append_new(out, json_pack("{s:o, s:s, s:O?}", "label", label, "code",
						     code ? code : "", "count",
						     json_object_get(v, "count")));
	}
	return out;
}

enum MHD_Result page_trends_return(struct req *r)
{
	struct err e = {0};
	struct names n = {0};
	json_t *out = NULL;
	enum MHD_Result ret;
	char quarter[8];
	const char *asked = req_arg(r, "quarter");
	int month;

	last_quarter(r->now, quarter);
	if (asked && *asked)
		snprintf(quarter, sizeof quarter, "%.7s", asked);
	bool bad = !strchr(quarter, 'Q') || strlen(asked ? asked : quarter) > 7 ||
		   rollup_period_parse(quarter, false, &month);
	if (bad) {
		/* Who may see returns at all, before the mistake is shown. */
		char last[8];
		last_quarter(r->now, last);
		rollup_period_parse(last, false, &month);
		if (registry_return(r->store, &r->actor, month, &out, &e)) {
			ret = web_err(r, &e);
			goto out;
		}
		err_set(&e, ERR_INVALID, "quarter", "Enter the quarter as YYYYQn, for example %s",
			last);
		struct web_page p = {
		    .title = "Error: Quarterly return",
		    .template = "rec_return",
		    .data = json_pack("{s:o}", "asked", jsonx_text_value(asked ? asked : "")),
		    .errors = web_errors_from(&e, "quarter"),
		    .nav = "trends"};
		ret = web_render(r, 400, &p);
		goto out;
	}
	if (registry_return(r->store, &r->actor, month, &out, &e)) {
		ret = web_err(r, &e);
		goto out;
	}
	if (names_load(r, true, &n, &e)) {
		ret = web_err(r, &e);
		goto out;
	}
	json_t *data = json_pack(
	    "{s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:O?, s:o, s:o, s:o, s:s}", "quarter",
	    json_object_get(out, "quarter"), "from", json_object_get(out, "from"), "to",
	    json_object_get(out, "to"), "breaches", json_object_get(out, "breaches"), "near_misses",
	    json_object_get(out, "near_misses"), "personal_data",
	    json_object_get(out, "personal_data"), "open", json_object_get(out, "open"),
	    "withdrawn_or_unfounded", json_object_get(out, "withdrawn_or_unfounded"), "marking",
	    json_object_get(out, "marking"), "by_severity",
	    return_rows(json_object_get(out, "by_severity"), "severity", &n), "by_type",
	    return_rows(json_object_get(out, "by_type"), "type", &n), "by_org",
	    return_rows(json_object_get(out, "by_org"), "org", &n), "asked", quarter);
	/* Marked as the CLI's `return` prints it (cmd_trends.c). */
	const char *m = json_string_value(json_object_get(out, "marking"));
	const char *marking = arena_strdup(&r->arena, m ? m : "OFFICIAL-SENSITIVE");
	struct web_page p = {.title = "Quarterly return",
			     .template = "rec_return",
			     .data = data,
			     .marking = marking,
			     .nav = "trends"};
	ret = web_render(r, 200, &p);
out:
	names_release(&n);
	json_decref(out);
	return ret;
}

/* ---- the catalogue ---- */

/* Where a type's grade comes from, in words: this organisation's own
 * guidance, the MoJ baseline (root version 1, SPEC 2), or inherited from
 * an organisation above. */
static json_t *grade_source(const char *org, const char *graded_by, const struct names *n)
{
	char code[CODE_MAX], text[256];
	if (!graded_by || !strchr(graded_by, '/') ||
	    strcmp(graded_by, CATALOGUE_ROOT_ORG "/1") == 0)
		return json_pack("{s:s, s:s, s:s}", "kind", "baseline", "text", "MoJ baseline",
				 "version", graded_by ? graded_by : "");
	snprintf(code, sizeof code, "%.*s", (int)strcspn(graded_by, "/"), graded_by);
	if (strcmp(code, org) == 0)
		return json_pack("{s:s, s:s, s:s}", "kind", "own", "text", "Own guidance",
				 "version", graded_by);
	snprintf(text, sizeof text, "Inherited from %s", org_name(n, code));
	return json_pack("{s:s, s:o, s:s}", "kind", "inherited", "text", jsonx_text_value(text),
			 "version", graded_by);
}

static json_t *catalogue_types(const char *org, json_t *types, const struct names *n)
{
	json_t *out = json_array(), *t;
	size_t i;
	json_array_foreach(types, i, t)
	{
		const char *grade = json_string_value(json_object_get(t, "grade"));
		const char *by = json_string_value(json_object_get(t, "graded_by"));
		json_t *src = grade_source(org, by, n);
		json_array_append_new(
		    out, json_pack("{s:O?, s:O?, s:O?, s:o, s:s, s:o, s:o}", "code",
				   json_object_get(t, "code"), "title", json_object_get(t, "title"),
				   "grade", json_object_get(t, "grade"), "grade_words", words(grade),
				   "tag", severity_tag(grade), "control",
				   words(json_string_value(json_object_get(t, "control"))), "source",
				   src));
	}
	return out;
}

/* An own version's document, as tables: grades it sets, types it adds,
 * settings it changes. */
static json_t *version_doc(json_t *own, const struct names *n)
{
	json_t *doc = json_object_get(own, "doc"), *grades = json_array(), *types = json_array();
	json_t *settings = json_array(), *v;
	const char *k;
	size_t i;

	json_object_foreach(json_object_get(doc, "grades"), k, v)
	json_array_append_new(grades, json_pack("{s:s, s:s, s:O?, s:o, s:s}", "code", k, "title",
						type_title(n, k), "grade", v, "grade_words",
						words(json_string_value(v)), "tag",
						severity_tag(json_string_value(v))));
	json_array_foreach(json_object_get(doc, "types"), i, v)
	{
		const char *b = json_string_value(json_object_get(v, "baseline"));
		json_array_append_new(
		    types, json_pack("{s:O?, s:O?, s:o, s:s, s:o}", "code", json_object_get(v, "code"),
				     "title", json_object_get(v, "title"), "grade_words", words(b),
				     "tag", severity_tag(b), "control",
				     words(json_string_value(json_object_get(v, "control")))));
	}
	json_object_foreach(doc, k, v)
	{
		if (strcmp(k, "grades") == 0 || strcmp(k, "types") == 0)
			continue;
		char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		json_array_append_new(settings, json_pack("{s:o, s:o}", "name", words(k), "value",
							  jsonx_text_value(text ? text : "")));
		free(text);
	}
	return json_pack("{s:O?, s:O?, s:O?, s:o, s:o, s:o}", "version",
			 json_object_get(own, "version"), "published_at",
			 json_object_get(own, "published_at"), "published_by",
			 json_object_get(own, "published_by"), "grades", grades, "types", types,
			 "settings", settings);
}

enum MHD_Result page_catalogue(struct req *r)
{
	struct err e = {0};
	struct names n = {0};
	json_t *shown = NULL, *hist = NULL, *data = NULL;
	enum MHD_Result ret;
	const char *org = req_arg(r, "org");
	const char *v = req_arg(r, "version");
	long version = 0;

	if (!org || !*org)
		org = CATALOGUE_ROOT_ORG;
	/* As GET /api/v1/catalogue: the power is the handler's check. */
	if (!authz_power(&r->actor, POW_CATALOGUE))
		return web_error(r, 403, "Your account cannot read the guidance catalogue.");
	if (v && *v) {
		char *end;
		version = strtol(v, &end, 10);
		if (*end || version < 1 || version > 1000000)
			return web_error(r, 400, "The version must be a whole number from 1.");
	}
	if (!jsonx_is_code(org))
		return web_error(r, 404, "There is no such organisation.");
	if (registry_guidance_show(r->store, org, (int)version, &shown, &e) ||
	    registry_guidance_history(r->store, org, &hist, &e) || names_load(r, true, &n, &e)) {
		ret = web_err(r, &e);
		goto out;
	}
	json_t *in_force = json_object_get(shown, "in_force");
	json_t *lm = json_array(), *val, *versions = json_array(), *hv;
	const char *k;
	size_t i;
	json_object_foreach(json_object_get(in_force, "live_months"), k, val)
	{
		/* Mid-sentence: "A breach notice stays live for". */
		char level[64];
		snprintf(level, sizeof level, "%s", k);
		for (char *c = level; *c; c++)
			if (*c == '-')
				*c = ' ';
		json_array_append_new(lm, json_pack("{s:s, s:O?}", "level", level, "months", val));
	}
	json_array_foreach(json_object_get(hist, "versions"), i, hv)
	json_array_append_new(versions,
			      json_pack("{s:O?, s:O?, s:O?, s:b}", "version",
					json_object_get(hv, "version"), "published_at",
					json_object_get(hv, "published_at"), "published_by",
					json_object_get(hv, "published_by"), "current",
					version && json_integer_value(json_object_get(hv, "version")) ==
							   version));
	data = json_pack("{s:s, s:s, s:o, s:O?, s:O?, s:O?, s:O?, s:o, s:o, s:o}", "org", org,
			 "org_name", org_name(&n, org), "orgs", options_orgs(&n, org), "version",
			 json_object_get(in_force, "version"), "chain",
			 json_object_get(in_force, "chain"), "significant_records",
			 json_object_get(in_force, "significant_records"), "retention_months",
			 json_object_get(in_force, "retention_months"), "live_months", lm,
			 "types", catalogue_types(org, json_object_get(in_force, "types"), &n),
			 "versions", versions);
	json_t *own = json_object_get(shown, "own");
	if (version && json_is_object(own))
		json_object_set_new(data, "viewing", version_doc(own, &n));
	else if (version) {
		/* Guidance versions are the organisation's own; none that number. */
		ret = web_error(r, 404, "That organisation has no such version of its guidance.");
		goto out;
	}
	struct web_page p = {.title = "Guidance in force",
			     .template = "catalogue",
			     .data = data,
			     .nav = "catalogue"};
	data = NULL;
	ret = web_render(r, 200, &p);
out:
	names_release(&n);
	json_decref(shown);
	json_decref(hist);
	json_decref(data);
	return ret;
}

/* ---- the audit log ---- */

struct audit_walk {
	int64_t count;     /* entries seen so far */
	int64_t lo, hi;    /* the page's window, as 0-based positions, oldest first */
	json_t *entries;   /* the window's entries, oldest first */
};

static int audit_count_cb(const struct audit_entry *ae, void *ctx)
{
	(void)ae;
	((struct audit_walk *)ctx)->count++;
	return 0;
}

/* An incident reference (SB-YYYY-NNNNNN), safe in a path. */
static bool is_ref(const char *s)
{
	if (strncmp(s, "SB-", 3) != 0)
		return false;
	for (const char *p = s + 3; *p; p++)
		if (!((*p >= '0' && *p <= '9') || *p == '-'))
			return false;
	return true;
}

static int audit_page_cb(const struct audit_entry *ae, void *ctx)
{
	struct audit_walk *w = ctx;
	int64_t at = w->count++;
	if (at < w->lo || at > w->hi)
		return 0;
	char when[TS_BUF];
	date_format_ts(ae->at, when);
	json_t *o = json_pack("{s:I, s:s, s:o, s:o, s:o, s:o, s:b}", "seq", (json_int_t)ae->seq,
			      "at", when, "actor", jsonx_text_value(ae->actor), "action",
			      jsonx_text_value(ae->action), "entity", jsonx_text_value(ae->entity),
			      "detail", jsonx_text_value(ae->detail ? ae->detail : ""), "is_ref",
			      is_ref(ae->entity));
	json_array_append_new(w->entries, o);
	return 0;
}

/* The query's ref percent-encoded for a link (references are codes, but
 * what was typed may be anything). */
static char *url_encode(struct arena *a, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = strlen(s);
	char *out = arena_alloc(a, 3 * n + 1), *p = out;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.') {
			*p++ = (char)c;
		} else {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		}
	}
	*p = '\0';
	return out;
}

/* moj-pagination items: the first and last pages, and those next to the
 * current one, with an ellipsis for each gap. */
static json_t *pagination(int64_t page, int64_t pages, const char *ref_q)
{
	json_t *items = json_array();
	int64_t last = 0;
	for (int64_t i = 1; i <= pages; i++) {
		if (i != 1 && i != pages && (i < page - 1 || i > page + 1))
			continue;
		if (last && i > last + 1)
			json_array_append_new(items, json_pack("{s:b}", "ellipsis", 1));
		json_array_append_new(items, json_pack("{s:I, s:b, s:s}", "number", (json_int_t)i,
						       "current", i == page, "ref_q", ref_q));
		last = i;
	}
	json_t *o = json_pack("{s:o, s:b, s:I, s:I, s:s}", "items", items, "many", pages > 1,
			      "page", (json_int_t)page, "pages", (json_int_t)pages, "ref_q", ref_q);
	if (page > 1)
		json_object_set_new(o, "prev", json_integer(page - 1));
	if (page < pages)
		json_object_set_new(o, "next", json_integer(page + 1));
	return o;
}

enum MHD_Result page_audit(struct req *r)
{
	struct err e = {0};
	struct audit_walk w = {0};
	json_t *verify, *data;
	const char *ref = req_arg(r, "ref"), *pg = req_arg(r, "page");
	int64_t page = 1, n = 0;

	/* As GET /api/v1/audit: only the security team reads the log. The
	 * API does not audit reading it, and nor does this page. */
	if (!authz_power(&r->actor, POW_AUDIT))
		return web_error(r, 403, "Only the security team can read the audit log.");
	if (ref && !*ref)
		ref = NULL;
	if (ref && strlen(ref) >= AUDIT_ENTITY_MAX) {
		json_t *errors = json_array();
		web_error_add(errors, "ref",
			      "The reference must be shorter; references look like SB-2026-000123");
		struct web_page p = {
		    .title = "Error: Audit log",
		    .template = "audit",
		    .data = json_pack("{s:o, s:[]}", "ref", jsonx_text_value(""), "entries"),
		    .errors = errors,
		    .nav = "audit"};
		return web_render(r, 400, &p);
	}
	if (pg && *pg) {
		char *end;
		long long v = strtoll(pg, &end, 10);
		if (!*end && v >= 1)
			page = v;
	}
	if (registry_audit_verify(r->store, &n, &e)) {
		if (e.kind == ERR_RUNTIME)
			return web_err(r, &e);
		verify = json_pack("{s:b, s:I, s:o, s:o}", "ok", 0, "verified", (json_int_t)n,
				   "entry", jsonx_text_value(e.field), "error",
				   jsonx_text_value(e.msg));
		err_clear(&e);
	} else {
		verify = json_pack("{s:b, s:I}", "ok", 1, "verified", (json_int_t)n);
	}
	/* Newest first: count, then take the page's window from the end. */
	if (r->store->ops->audit_each(r->store, ref, audit_count_cb, &w, &e)) {
		json_decref(verify);
		return web_err(r, &e);
	}
	int64_t total = w.count;
	int64_t pages = total ? (total + AUDIT_PAGE_SIZE - 1) / AUDIT_PAGE_SIZE : 1;
	if (page > pages)
		page = pages;
	w.hi = total - 1 - (page - 1) * AUDIT_PAGE_SIZE;
	w.lo = w.hi - AUDIT_PAGE_SIZE + 1;
	if (w.lo < 0)
		w.lo = 0;
	w.count = 0;
	w.entries = json_array();
	if (total && r->store->ops->audit_each(r->store, ref, audit_page_cb, &w, &e)) {
		json_decref(verify);
		json_decref(w.entries);
		return web_err(r, &e);
	}
	json_t *newest = json_array();
	for (size_t i = json_array_size(w.entries); i > 0; i--)
		json_array_append(newest, json_array_get(w.entries, i - 1));
	json_decref(w.entries);
	const char *ref_q = ref ? url_encode(&r->arena, ref) : "";
	data = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I, s:o}", "verify", verify, "entries", newest,
			 "ref", jsonx_text_value(ref ? ref : ""), "total", (json_int_t)total,
			 "from", (json_int_t)(total ? total - w.hi : 0), "to",
			 (json_int_t)(total ? total - w.lo : 0), "pagination",
			 pagination(page, pages, ref_q));
	struct web_page p = {.title = "Audit log", .template = "audit", .data = data, .nav = "audit"};
	return web_render(r, 200, &p);
}
