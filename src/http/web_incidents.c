/* web_incidents: the incident pages (issue 4): the list with its filters,
 * my reports, one incident's case page and the actions on it
 * (transitions, notes, assessment). Each handler calls the registry with
 * r->actor, which authorises; the page offers only what
 * registry_incident_perms says the account may do, and the service checks
 * again on every POST. Codes become plain words here, so the templates
 * only lay out what this file prepares. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/lifecycle.h"
#include "http/http.h"
#include "http/web.h"
#include "service/registry.h"

#define PAGE_SIZE 25
/* The list counts matching incidents this far past the page's start and
 * no further, so a deep register costs one bounded walk per page; past
 * it the page says "more" instead of a total. */
#define LIST_COUNT_MAX 1000
#define PAGE_MAX 100000

/* ---- plain words ---- */

/* "awaiting-decision" -> "Awaiting decision" (a new string). */
static json_t *words(const char *code)
{
	char buf[128];
	if (!code)
		return json_null();
	snprintf(buf, sizeof buf, "%s", code);
	for (char *p = buf; *p; p++)
		if (*p == '-' || *p == '_')
			*p = ' ';
	if (buf[0] >= 'a' && buf[0] <= 'z')
		buf[0] = (char)(buf[0] - 'a' + 'A');
	return jsonx_text_value(buf);
}

static const char *words_of(const json_t *v)
{
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The GOV.UK tag colour of each state; the tag's text says the state. */
static const char *const state_tags[ST_COUNT] = {
	[ST_REPORTED] = "blue",	    [ST_TRIAGED] = "light-blue",     [ST_INVESTIGATING] = "purple",
	[ST_AWAITING_DECISION] = "yellow", [ST_DECIDED] = "green", [ST_CLOSED] = "grey",
	[ST_UNFOUNDED] = "grey",    [ST_WITHDRAWN] = "grey",
};

/* What each transition button says, by target (reopen apart). */
static const char *const state_verbs[ST_COUNT] = {
	[ST_TRIAGED] = "Mark as triaged",
	[ST_INVESTIGATING] = "Start the investigation",
	[ST_AWAITING_DECISION] = "Ready for a decision",
	[ST_DECIDED] = "Mark as decided",
	[ST_CLOSED] = "Close the case",
	[ST_UNFOUNDED] = "Mark as unfounded",
	[ST_WITHDRAWN] = "Withdraw the report",
};

static const struct {
	const char *code, *title;
} action_titles[] = {
	{"dpo-notify", "Tell the Data Protection Officer"},
	{"dso-notify", "Tell the Departmental Security Officer"},
	{"legal-referral", "Refer to legal advisers"},
	{"vetting-notify", "Tell National Security Vetting"},
	{"contract-manager-notify", "Tell the contract manager"},
	{"access-review", "Review access"},
};

/* The policy statements (policy/security-breach-policy.md), in short. */
static const struct {
	const char *code, *title;
} statements[] = {
	{"POLSBP001", "everyone observes security policy"},
	{"POLSBP002", "breaches are investigated and recorded centrally"},
	{"POLSBP003", "guidance grades breaches; managers decide on the factors"},
	{"POLSBP004", "security applies equally to all"},
	{"POLSBP005", "discipline, or probation for those on probation"},
	{"POLSBP006", "breach notices; repeated or deliberate breaches weigh more"},
};

static const char *const months[12] = {"January", "February", "March",	   "April",
				       "May",	  "June",     "July",	   "August",
				       "September", "October", "November", "December"};

/* {"iso", "text": "28 November 2026, 10:06 UTC"} for a stored time, or null. */
static json_t *time_value(ts_t t)
{
	char iso[TS_BUF], text[64];
	int y, m, d;
	if (t == TS_NONE)
		return json_null();
	date_format_ts(t, iso);
	date_to_ymd(date_of_ts(t), &y, &m, &d);
	int64_t secs = t - (int64_t)date_ts_of(date_of_ts(t));
	snprintf(text, sizeof text, "%d %s %d, %02d:%02d UTC", d, months[m - 1], y,
		 (int)(secs / 3600), (int)(secs / 60 % 60));
	return json_pack("{s:s, s:s}", "iso", iso, "text", text);
}

static json_t *time_of(const json_t *v)
{
	ts_t t;
	if (!json_is_string(v) || date_parse_ts(json_string_value(v), &t))
		return json_null();
	return time_value(t);
}

/* {"iso", "text": "28 Nov 2026"} for a list's narrow column. */
static json_t *short_date(ts_t t)
{
	char iso[DATE_BUF], text[32];
	int y, m, d;
	date_to_ymd(date_of_ts(t), &y, &m, &d);
	date_format(date_of_ts(t), iso);
	snprintf(text, sizeof text, "%d %.3s %d", d, months[m - 1], y);
	return json_pack("{s:s, s:s}", "iso", iso, "text", text);
}

/* {"iso", "text": "28 November 2026"} for a stored date or time, or null. */
static json_t *date_of(const json_t *v)
{
	ts_t t;
	char text[48], iso[DATE_BUF];
	int y, m, d;
	if (!json_is_string(v) || date_parse_ts(json_string_value(v), &t))
		return json_null();
	date_to_ymd(date_of_ts(t), &y, &m, &d);
	date_format(date_of_ts(t), iso);
	snprintf(text, sizeof text, "%d %s %d", d, months[m - 1], y);
	return json_pack("{s:s, s:s}", "iso", iso, "text", text);
}

static json_t *yes_no(const json_t *v)
{
	return json_string(json_is_true(v) ? "Yes" : "No");
}

static json_t *classification_words(const char *c)
{
	if (!c || strcmp(c, "none") == 0)
		return json_string("Not classified");
	char up[64];
	size_t i = 0;
	for (; c[i] && i + 1 < sizeof up; i++)
		up[i] = c[i] == '-' && strcmp(c, "top-secret") == 0 ? ' '
			: (c[i] >= 'a' && c[i] <= 'z') ? (char)(c[i] - 'a' + 'A')
						       : c[i];
	up[i] = '\0';
	return jsonx_text_value(up);
}

static json_t *policy_words(const char *p)
{
	if (!p)
		return json_null();
	if (strcmp(p, "moj") == 0)
		return json_string("MoJ");
	if (strcmp(p, "hmpps") == 0)
		return json_string("HMPPS");
	return words(p);
}

/* ---- titles of breach types and names of organisations ---- */

/* code -> title of every type in the guidance in force for org, added to
 * titles (first title wins: a type's title is the same wherever the
 * guidance that defined it is inherited). */
static int add_titles(struct store *s, const char *org, json_t *titles, struct err *e)
{
	struct guidance g;
	if (registry_guidance_resolve(s, org, &g, e))
		return -1;
	for (size_t i = 0; i < g.ntypes; i++)
		if (!json_object_get(titles, g.types[i].code))
			json_object_set_new(titles, g.types[i].code,
					    jsonx_text_value(g.types[i].title ? g.types[i].title
									      : g.types[i].code));
	guidance_release(&g);
	return 0;
}

static json_t *type_titles(const json_t *types, const json_t *titles)
{
	json_t *out = json_array();
	size_t i;
	json_t *t;
	json_array_foreach(types, i, t)
	{
		const json_t *title = json_object_get(titles, json_string_value(t));
		json_array_append_new(out, title ? json_incref((json_t *)title) : words(json_string_value(t)));
	}
	return out;
}

/* ---- query strings ---- */

static void qs_add(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!value || !*value)
		return;
	if (b->len)
		buf_addch(b, '&');
	buf_puts(b, name);
	buf_addch(b, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    strchr("-._~", *p)) {
			buf_addch(b, (char)*p);
		} else {
			buf_addch(b, '%');
			buf_addch(b, hex[*p >> 4]);
			buf_addch(b, hex[*p & 15]);
		}
	}
}

/* ---- the lists ---- */

/* The filters of the list page, as typed (for the form) and as parsed. */
#define NFILTERS 6
static const struct filter_row {
	const char *name;    /* query parameter and input id */
	const char *heading; /* the selected-filters heading */
} filter_rows[NFILTERS] = {
	{"org", "Organisation"}, {"status", "Status"}, {"severity", "Severity"},
	{"type", "Breach type"}, {"from", "Reported from"}, {"to", "Reported up to"},
};

struct list_page {
	struct incident_filter f;
	const char *typed[NFILTERS]; /* what the query said, or "" */
	long page;
	json_t *rows;
	int64_t seen;   /* matches walked from the page's start */
	bool personal;  /* a row involves personal data */
	bool report_only; /* every row is the report alone */
	const json_t *titles, *orgs;
};

static int list_cb(const struct incident *inc, unsigned perms, void *ctx)
{
	struct list_page *l = ctx;
	l->seen++;
	if (json_array_size(l->rows) >= PAGE_SIZE)
		return 0;
	bool case_view = perms & PERM_SEE_CASE;
	json_t *types = json_array();
	for (int i = 0; i < inc->ntypes; i++)
		json_array_append_new(types, json_string(inc->types[i]));
	const json_t *org = json_object_get(l->orgs, inc->org);
	json_t *o = json_pack(
		"{s:s, s:s, s:o, s:s, s:o, s:s, s:o, s:o}", "ref", inc->ref, "kind",
		inc->kind == KIND_NEAR_MISS ? "Near miss" : "Breach", "org",
		org ? json_incref((json_t *)org) : jsonx_text_value(inc->org), "status",
		vocab_name(&vocab_state, inc->state), "status_text",
		words(vocab_name(&vocab_state, inc->state)), "tag", state_tags[inc->state], "types",
		type_titles(types, l->titles), "reported", short_date(inc->reported_at));
	json_decref(types);
	/* The severity is the assessment's or the decision's: part of the
	 * case, not of the report (SPEC 1). */
	json_object_set_new(o, "severity", case_view && inc->severity >= 0
						   ? words(vocab_name(&vocab_severity, inc->severity))
						   : json_null());
	json_object_set_new(o, "case", json_boolean(case_view));
	if (case_view)
		l->report_only = false;
	if (inc->records > 0 || inc->special_category)
		l->personal = true;
	json_array_append_new(l->rows, o);
	return 0;
}

/* Parses the list's query into l, adding a GOV.UK error naming the filter
 * for each bad value. */
static void parse_list_query(struct req *r, struct list_page *l, json_t *errors)
{
	const char *v;
	incident_filter_init(&l->f);
	for (int i = 0; i < NFILTERS; i++) {
		v = req_arg(r, filter_rows[i].name);
		l->typed[i] = v ? v : "";
	}
	if (*(v = l->typed[0])) {
		if (!jsonx_is_code(v) || !json_object_get(l->orgs, v))
			web_error_add(errors, "org", "Select an organisation from the list");
		else
			snprintf(l->f.org, sizeof l->f.org, "%s", v);
	}
	if (*(v = l->typed[1])) {
		if (strcmp(v, "open") == 0)
			l->f.open_only = true;
		else if ((l->f.state = vocab_parse(&vocab_state, v)) < 0)
			web_error_add(errors, "status", "Select a status from the list");
	}
	if (*(v = l->typed[2]) && (l->f.severity = vocab_parse(&vocab_severity, v)) < 0)
		web_error_add(errors, "severity", "Select a severity from the list");
	if (*(v = l->typed[3])) {
		if (!jsonx_is_code(v) || !json_object_get(l->titles, v))
			web_error_add(errors, "type", "Select a breach type from the list");
		else
			snprintf(l->f.type, sizeof l->f.type, "%s", v);
	}
	date_t d;
	if (*(v = l->typed[4])) {
		if (date_parse(v, &d))
			web_error_add(errors, "from",
				      "Reported from must be a real date, like 2026-11-01");
		else
			l->f.from = date_ts_of(d);
	}
	if (*(v = l->typed[5])) {
		if (date_parse(v, &d))
			web_error_add(errors, "to", "Reported up to must be a real date, like 2026-11-30");
		else
			l->f.to = date_ts_of(d) + 86400; /* the whole day */
	}
	if (*l->typed[4] && *l->typed[5] && l->f.from != TS_NONE && l->f.to != TS_NONE &&
	    l->f.to <= l->f.from)
		web_error_add(errors, "to", "Reported up to must be the same as or after reported from");
	l->page = 1;
	if ((v = req_arg(r, "page")) && *v) {
		char *end;
		l->page = strtol(v, &end, 10);
		if (*end || l->page < 1 || l->page > PAGE_MAX) {
			web_error_add(errors, "page", "The page number must be a whole number from 1");
			l->page = 1;
		}
	}
}

/* The query string of the list with filter `skip` left out (-1: none)
 * and page n (0: none). */
static json_t *list_qs(const struct list_page *l, int skip, long n)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < NFILTERS; i++)
		if (i != skip)
			qs_add(&b, filter_rows[i].name, l->typed[i]);
	if (n > 1) {
		char num[24];
		snprintf(num, sizeof num, "%ld", n);
		qs_add(&b, "page", num);
	}
	json_t *out = jsonx_text_value(buf_str(&b));
	buf_release(&b);
	return out;
}

static json_t *option(const char *value, json_t *text, const char *typed)
{
	return json_pack("{s:s, s:o, s:b}", "value", value, "text", text, "selected",
			 strcmp(value, typed) == 0);
}

static int by_text(const void *a, const void *b)
{
	return strcmp(json_string_value(json_object_get(*(json_t *const *)a, "text")),
		      json_string_value(json_object_get(*(json_t *const *)b, "text")));
}

/* Sorts an array of options by their text, for a select a person scans. */
static void sort_by_text(json_t *arr)
{
	size_t n = json_array_size(arr);
	json_t **items = xcalloc(n + 1, sizeof *items);
	for (size_t i = 0; i < n; i++)
		items[i] = json_incref(json_array_get(arr, i));
	qsort(items, n, sizeof *items, by_text);
	json_array_clear(arr);
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, items[i]);
	free(items);
}

/* The form's choices and the selected-filters panel. */
static void list_form(const struct list_page *l, json_t *orgs_sorted, json_t *data)
{
	json_t *a = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(orgs_sorted, i, it)
	{
		const char *code = json_string_value(json_object_get(it, "code"));
		json_array_append_new(a, option(code, json_incref(json_object_get(it, "name")),
						l->typed[0]));
	}
	json_object_set_new(data, "orgs", a);
	a = json_array();
	json_array_append_new(a, option("open", json_string("Any open state"), l->typed[1]));
	for (int s = 0; s < ST_COUNT; s++)
		json_array_append_new(a, option(vocab_name(&vocab_state, s),
						words(vocab_name(&vocab_state, s)), l->typed[1]));
	json_object_set_new(data, "states", a);
	a = json_array();
	for (int s = SEV_COUNT - 1; s >= 0; s--)
		json_array_append_new(a, option(vocab_name(&vocab_severity, s),
						words(vocab_name(&vocab_severity, s)), l->typed[2]));
	json_object_set_new(data, "severities", a);
	a = json_array();
	const char *code;
	json_t *title;
	json_object_foreach((json_t *)l->titles, code, title)
		json_array_append_new(a, option(code, json_incref(title), l->typed[3]));
	sort_by_text(a);
	json_object_set_new(data, "types", a);

	json_t *typed = json_object();
	json_t *selected = json_array();
	for (int k = 0; k < NFILTERS; k++) {
		const char *v = l->typed[k];
		json_object_set_new(typed, filter_rows[k].name, jsonx_text_value(v));
		if (!*v)
			continue;
		json_t *text = NULL;
		if (k == 0)
			text = json_incref(json_object_get(l->orgs, v));
		else if (k == 1)
			text = strcmp(v, "open") == 0 ? json_string("Any open state") : words(v);
		else if (k == 2)
			text = words(v);
		else if (k == 3)
			text = json_incref(json_object_get(l->titles, v));
		else
			text = jsonx_text_value(v);
		json_array_append_new(selected,
				      json_pack("{s:s, s:o, s:o}", "heading", filter_rows[k].heading,
						"text", text ? text : jsonx_text_value(v), "qs",
						list_qs(l, k, 0)));
	}
	json_object_set_new(data, "typed", typed);
	json_object_set_new(data, "has_selected", json_boolean(json_array_size(selected) > 0));
	json_object_set_new(data, "selected", selected);
}

/* moj-pagination: previous, next, numbered pages when the total is
 * known, and the results line. */
static void list_pagination(const struct list_page *l, json_t *data)
{
	int64_t start = (int64_t)(l->page - 1) * PAGE_SIZE;
	int64_t shown = (int64_t)json_array_size(l->rows);
	bool exact = l->seen <= LIST_COUNT_MAX;
	int64_t total = start + l->seen;
	json_t *p = json_object();
	json_object_set_new(p, "from", json_integer(shown ? start + 1 : 0));
	json_object_set_new(p, "to", json_integer(start + shown));
	json_object_set_new(p, "exact", json_boolean(exact));
	json_object_set_new(p, "shown", json_boolean(shown > 0));
	json_object_set_new(p, "count", json_integer(total));
	/* Objects, so a link to the bare first page ("") still shows. */
	json_object_set_new(p, "prev", l->page > 1 ? json_pack("{s:o}", "qs", list_qs(l, -1, l->page - 1))
						   : json_false());
	json_object_set_new(p, "next", l->seen > PAGE_SIZE
					       ? json_pack("{s:o}", "qs", list_qs(l, -1, l->page + 1))
					       : json_false());
	json_object_set_new(p, "pages", json_boolean(l->page > 1 || l->seen > PAGE_SIZE));
	json_object_set_new(p, "items", json_array());
	json_object_set_new(p, "has_items", json_false());
	if (exact && total > PAGE_SIZE) {
		long last = (long)((total + PAGE_SIZE - 1) / PAGE_SIZE);
		json_t *items = json_object_get(p, "items");
		bool gap = false;
		for (long n = 1; n <= last; n++) {
			if (n != 1 && n != last && labs(n - l->page) > 2) {
				if (!gap)
					json_array_append_new(items, json_pack("{s:b, s:b}", "ellipsis", 1,
									       "number", 0));
				gap = true;
				continue;
			}
			gap = false;
			json_array_append_new(items, json_pack("{s:I, s:o, s:b, s:b}", "number",
							       (json_int_t)n, "qs", list_qs(l, -1, n),
							       "current", n == l->page, "ellipsis", 0));
		}
		json_object_set_new(p, "has_items", json_true());
	}
	json_object_set_new(data, "pagination", p);
}

/* Organisations by code -> name (*names) and as [{code, name}] sorted by
 * name (*sorted). */
static int org_names(struct store *s, json_t **names, json_t **sorted, struct err *e)
{
	struct org *list = NULL;
	size_t n = 0;
	if (s->ops->org_list(s, &list, &n, e))
		return -1;
	*names = json_object();
	*sorted = json_array();
	for (size_t i = 0; i < n; i++) {
		json_object_set_new(*names, list[i].code,
				    jsonx_text_value(list[i].name ? list[i].name : list[i].code));
		/* Insertion by name: there are tens of organisations. */
		size_t at = 0;
		while (at < json_array_size(*sorted) &&
		       strcmp(json_string_value(json_object_get(json_array_get(*sorted, at), "name")),
			      list[i].name ? list[i].name : list[i].code) < 0)
			at++;
		json_array_insert_new(*sorted, at,
				      json_pack("{s:s, s:o}", "code", list[i].code, "name",
						jsonx_text_value(list[i].name ? list[i].name
									      : list[i].code)));
	}
	org_list_free(list, n);
	return 0;
}

/* The list page and my reports differ in their filter and template. */
static enum MHD_Result list_page(struct req *r, bool mine)
{
	struct err e = {0};
	struct list_page l = {0};
	json_t *names = NULL, *sorted = NULL, *titles = json_object(), *errors = json_array();
	json_t *data = json_object();
	enum MHD_Result ret;

	if (org_names(r->store, &names, &sorted, &e))
		goto fail;
	/* Every organisation's guidance, for the titles of its own types. */
	size_t i;
	json_t *it;
	json_array_foreach(sorted, i, it)
	{
		if (add_titles(r->store, json_string_value(json_object_get(it, "code")), titles, &e))
			goto fail;
	}
	l.titles = titles;
	l.orgs = names;
	l.rows = json_array();
	l.report_only = true;
	if (mine) {
		incident_filter_init(&l.f);
		for (int k = 0; k < NFILTERS; k++)
			l.typed[k] = "";
		l.page = 1;
		const char *v = req_arg(r, "page");
		if (v && *v) {
			char *end;
			l.page = strtol(v, &end, 10);
			if (*end || l.page < 1 || l.page > PAGE_MAX) {
				web_error_add(errors, "page",
					      "The page number must be a whole number from 1");
				l.page = 1;
			}
		}
		snprintf(l.f.reporter, sizeof l.f.reporter, "%s", r->actor.staff_id);
	} else {
		parse_list_query(r, &l, errors);
	}
	bool bad = json_array_size(errors) > 0;
	/* An account without a person has reported nothing. */
	if (!bad && (!mine || r->actor.staff_id[0])) {
		l.f.offset = (int64_t)(l.page - 1) * PAGE_SIZE;
		l.f.limit = LIST_COUNT_MAX + 1;
		if (registry_incident_list(r->store, &r->actor, &l.f, list_cb, &l, &e))
			goto fail;
	}
	if (!mine)
		list_form(&l, sorted, data);
	list_pagination(&l, data);
	json_object_set_new(data, "rows", l.rows);
	l.rows = NULL;
	json_object_set_new(data, "bad", json_boolean(bad));
	json_object_set_new(data, "mine", json_boolean(mine));
	json_object_set_new(data, "caption",
			    json_string(mine ? "Your reports, newest first" : "Incidents, newest first"));
	json_object_set_new(data, "can_list", json_boolean(r->actor.roles &
							   (ROLE_BIT(ROLE_MANAGER) |
							    ROLE_BIT(ROLE_INVESTIGATOR) |
							    ROLE_BIT(ROLE_SECURITY) | ROLE_BIT(ROLE_HR) |
							    ROLE_BIT(ROLE_DPO))));
	bool any = json_array_size(json_object_get(data, "rows")) > 0;
	/* Sections over arrays repeat; these say whether to show a block once. */
	json_object_set_new(data, "has_rows", json_boolean(any));
	struct web_page p = {
		.title = mine ? (bad ? "Error: Breaches you reported" : "Breaches you reported")
			      : (bad ? "Error: Incidents" : "Incidents"),
		.template = mine ? "inc_mine" : "incidents",
		.data = data,
		.errors = errors,
		.nav = mine ? "my-reports" : "incidents",
		/* The summary is incident content: marked as the most marked row. */
		.marking = !any		? NULL
			   : l.personal ? "OFFICIAL-SENSITIVE HR / MANAGEMENT / PERSONAL DATA"
					: "OFFICIAL-SENSITIVE HR / MANAGEMENT",
	};
	ret = web_render(r, bad ? 400 : 200, &p);
	json_decref(names);
	json_decref(sorted);
	json_decref(titles);
	return ret;
fail:
	json_decref(l.rows);
	json_decref(names);
	json_decref(sorted);
	json_decref(titles);
	json_decref(errors);
	json_decref(data);
	return web_err(r, &e);
}

enum MHD_Result page_incidents(struct req *r)
{
	return list_page(r, false);
}

enum MHD_Result page_my_reports(struct req *r)
{
	return list_page(r, true);
}

/* ---- one incident ---- */

/* What a re-rendered case page keeps of a refused form. */
struct case_form {
	json_t *errors;	    /* consumed; NULL when none */
	const json_t *errors_shown; /* the same, borrowed while the page is built */
	const char *open;   /* the transition target whose reason form is open */
	const char *reason; /* what was typed there */
	const char *note;   /* the note as typed */
	const char *flash;
};

static json_t *person_ref(struct req *r, const char *staff_id, bool link)
{
	json_t *o = json_pack("{s:o, s:b, s:n}", "staff_id", jsonx_text_value(staff_id), "link",
			      link, "name");
	struct person p;
	struct err e = {0};
	person_init(&p);
	/* A name only where the account may read the person's record. */
	if (strcmp(staff_id, r->actor.staff_id) == 0)
		json_object_set_new(o, "name", json_string("You"));
	else if (link && r->store->ops->person_get(r->store, staff_id, &p, &e) == 0 &&
		 registry_person_visible(r->store, &r->actor, &p, &e) == 0 && p.name)
		json_object_set_new(o, "name", jsonx_text_value(p.name));
	person_release(&p);
	return o;
}

static json_t *facts_json(struct req *r, const json_t *c, const json_t *titles, bool case_view)
{
	json_t *f = json_object();
	const json_t *pd = json_object_get(c, "personal_data");
	json_int_t records = json_integer_value(json_object_get(pd, "records"));
	bool special = json_is_true(json_object_get(pd, "special_category"));
	char buf[160];
	if (records > 0 || special) {
		snprintf(buf, sizeof buf, "%lld %s%s", (long long)records,
			 records == 1 ? "record" : "records",
			 special ? ", including special category data" : "");
		json_object_set_new(f, "personal_data", json_string(buf));
	} else {
		json_object_set_new(f, "personal_data", json_string("None"));
	}
	json_object_set_new(f, "types", type_titles(json_object_get(c, "types"), titles));
	json_object_set_new(f, "classification",
			    classification_words(words_of(json_object_get(c, "classification"))));
	json_object_set_new(f, "strap", yes_no(json_object_get(c, "strap")));
	const char *third = !json_is_true(json_object_get(c, "third_party_disclosure")) ? "No"
			    : json_is_true(json_object_get(c, "authorised"))	      ? "Yes, with authority"
											      : "Yes, without authority";
	json_object_set_new(f, "third_party", json_string(third));
	json_object_set_new(f, "criminal", yes_no(json_object_get(c, "criminal")));
	json_object_set_new(f, "intent", words(words_of(json_object_get(c, "intent"))));
	json_object_set_new(f, "damage", words(words_of(json_object_get(c, "damage"))));
	json_object_set(f, "description", json_object_get(c, "description"));
	json_object_set(f, "location", json_object_get(c, "location"));
	json_object_set_new(f, "occurred", time_of(json_object_get(c, "occurred_at")));
	json_object_set_new(f, "discovered", time_of(json_object_get(c, "discovered_at")));
	json_object_set_new(f, "reported", time_of(json_object_get(c, "reported_at")));
	json_object_set_new(f, "closed", time_of(json_object_get(c, "closed_at")));
	/* Present only when the account may see who reported it. */
	const char *reporter = words_of(json_object_get(c, "reporter"));
	if (reporter)
		json_object_set_new(f, "reporter", person_ref(r, reporter, case_view));
	json_object_set_new(f, "confidential",
			    json_boolean(json_is_true(json_object_get(c, "confidential_reporter"))));
	json_t *subjects = json_array();
	size_t i;
	json_t *s;
	json_array_foreach(json_object_get(c, "subjects"), i, s)
		json_array_append_new(subjects, person_ref(r, json_string_value(s), case_view));
	json_object_set_new(f, "subjects", subjects);
	return f;
}

/* Transitions and notes, newest first, after the report itself. */
static int by_time_desc(const void *a, const void *b)
{
	const char *x = json_string_value(json_object_get(json_object_get(*(json_t *const *)a, "at"), "iso"));
	const char *y = json_string_value(json_object_get(json_object_get(*(json_t *const *)b, "at"), "iso"));
	return strcmp(y ? y : "", x ? x : "");
}

static json_t *timeline_json(const json_t *c)
{
	size_t n = json_array_size(json_object_get(c, "transitions")) +
		   json_array_size(json_object_get(c, "notes")) + 1;
	json_t **items = xcalloc(n, sizeof *items);
	size_t k = 0, i;
	json_t *it;
	char title[160];
	json_array_foreach(json_object_get(c, "transitions"), i, it)
	{
		const char *from = words_of(json_object_get(it, "from"));
		const char *to = words_of(json_object_get(it, "to"));
		json_t *fw = words(from), *tw = words(to);
		snprintf(title, sizeof title, "Status changed from %s to %s",
			 json_string_value(fw) ? json_string_value(fw) : "?",
			 json_string_value(tw) ? json_string_value(tw) : "?");
		json_decref(fw);
		json_decref(tw);
		items[k++] = json_pack("{s:o, s:O?, s:o, s:O?}", "title", jsonx_text_value(title), "by",
				       json_object_get(it, "actor"), "at",
				       time_of(json_object_get(it, "at")), "text",
				       json_object_get(it, "reason"));
	}
	json_array_foreach(json_object_get(c, "notes"), i, it)
		items[k++] = json_pack("{s:s, s:O?, s:o, s:O?}", "title", "Note added", "by",
				       json_object_get(it, "author"), "at",
				       time_of(json_object_get(it, "at")), "text",
				       json_object_get(it, "text"));
	items[k++] = json_pack("{s:s, s:o, s:o, s:n}", "title", "Reported", "by",
			       json_object_get(c, "reporter") ? json_incref(json_object_get(c, "reporter"))
							      : json_null(),
			       "at", time_of(json_object_get(c, "reported_at")), "text");
	qsort(items, k, sizeof *items, by_time_desc);
	json_t *out = json_array();
	for (size_t j = 0; j < k; j++)
		json_array_append_new(out, items[j]);
	free(items);
	return out;
}

static json_t *find_by_subject(const json_t *arr, const char *subject)
{
	size_t i;
	json_t *it;
	json_array_foreach(arr, i, it)
	{
		const char *s = words_of(json_object_get(it, "subject"));
		if (s && strcmp(s, subject) == 0)
			return it;
	}
	return NULL;
}

static json_t *assessment_json(const json_t *a)
{
	json_t *o = json_object();
	json_object_set_new(o, "severity", words(words_of(json_object_get(a, "severity"))));
	json_object_set_new(o, "baseline", words(words_of(json_object_get(a, "baseline"))));
	json_object_set_new(o, "route", words(words_of(json_object_get(a, "route"))));
	json_object_set_new(o, "route_policy", policy_words(words_of(json_object_get(a, "route_policy"))));
	json_object_set_new(o, "recommendation",
			    words(words_of(json_object_get(a, "recommendation"))));
	json_object_set(o, "live_warnings", json_object_get(a, "live_warnings"));
	json_object_set(o, "guidance_version", json_object_get(a, "guidance_version"));
	json_object_set(o, "assessed_by", json_object_get(a, "assessed_by"));
	json_object_set_new(o, "assessed_at", time_of(json_object_get(a, "assessed_at")));
	json_t *lines = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(a, "explanation"), i, it)
	{
		const char *pol = words_of(json_object_get(it, "policy"));
		const char *st = NULL;
		for (size_t k = 0; pol && k < sizeof statements / sizeof statements[0]; k++)
			if (strcmp(statements[k].code, pol) == 0)
				st = statements[k].title;
		json_array_append_new(lines,
				      json_pack("{s:O?, s:O?, s:o, s:O?}", "rule", json_object_get(it, "rule"),
						"policy", json_object_get(it, "policy"), "statement",
						st ? json_string(st) : json_null(), "text",
						json_object_get(it, "text")));
	}
	json_object_set_new(o, "explanation", lines);
	json_t *acts = json_array();
	json_array_foreach(json_object_get(a, "actions"), i, it)
	{
		const char *code = words_of(json_object_get(it, "code"));
		const char *title = NULL;
		for (size_t k = 0; code && k < sizeof action_titles / sizeof action_titles[0]; k++)
			if (strcmp(action_titles[k].code, code) == 0)
				title = action_titles[k].title;
		json_array_append_new(acts, json_pack("{s:o, s:O?, s:o}", "title",
						      title ? json_string(title) : words(code), "text",
						      json_object_get(it, "text"), "due",
						      time_of(json_object_get(it, "due"))));
	}
	json_object_set_new(o, "has_actions", json_boolean(json_array_size(acts) > 0));
	json_object_set_new(o, "actions", acts);
	return o;
}

static json_t *decision_json(const json_t *d)
{
	const json_t *f = json_object_get(d, "factors");
	return json_pack("{s:o, s:o, s:o, s:o, s:O?, s:O?, s:O?, s:O?, s:o}", "severity",
			 words(words_of(json_object_get(d, "severity"))), "outcome",
			 words(words_of(json_object_get(d, "outcome"))), "damage",
			 words(words_of(json_object_get(f, "damage"))), "intent",
			 words(words_of(json_object_get(f, "intent"))), "live_warnings",
			 json_object_get(f, "live_warnings"), "rationale",
			 json_object_get(d, "rationale"), "override_reason",
			 json_object_get(d, "override_reason"), "decided_by",
			 json_object_get(d, "decided_by"), "decided_at",
			 time_of(json_object_get(d, "decided_at")));
}

static json_t *notices_json(const json_t *all, const char *subject)
{
	json_t *out = json_array();
	size_t i;
	json_t *it;
	json_array_foreach(all, i, it)
	{
		const char *s = words_of(json_object_get(it, "subject"));
		if (!s || strcmp(s, subject) != 0)
			continue;
		json_array_append_new(out, json_pack("{s:O?, s:o, s:o, s:o}", "number",
						     json_object_get(it, "number"), "issued_on",
						     date_of(json_object_get(it, "issued_on")),
						     "acknowledge_by",
						     date_of(json_object_get(it, "acknowledge_by")),
						     "acknowledged_on",
						     date_of(json_object_get(it, "acknowledged_on"))));
	}
	return out;
}

/* One section per subject: their assessment, decision and notices, and
 * what the account may do next for them. */
static int subjects_json(struct req *r, const json_t *c, unsigned perms, enum state st,
			 json_t *data, struct err *e)
{
	json_t *out = json_array();
	size_t i;
	json_t *s;
	bool any_undecided = false;
	bool deciding = st == ST_INVESTIGATING || st == ST_AWAITING_DECISION;
	json_array_foreach(json_object_get(c, "subjects"), i, s)
	{
		const char *id = json_string_value(s);
		const json_t *a = find_by_subject(json_object_get(c, "assessments"), id);
		const json_t *d = find_by_subject(json_object_get(c, "decisions"), id);
		json_t *notices = notices_json(json_object_get(c, "notices"), id);
		json_t *o = person_ref(r, id, true);
		bool may = false;
		if ((perms & PERM_DECIDE) && registry_may_decide_for(r->store, &r->actor, id, &may, e)) {
			json_decref(o);
			json_decref(notices);
			json_decref(out);
			return -1;
		}
		const char *outcome = d ? words_of(json_object_get(d, "outcome")) : NULL;
		bool calls_for_notice = outcome && strcmp(outcome, "no-action") != 0 &&
					strcmp(outcome, "advice") != 0;
		any_undecided |= !d;
		json_object_set_new(o, "assessment", a ? assessment_json(a) : json_null());
		json_object_set_new(o, "decision", d ? decision_json(d) : json_null());
		json_object_set_new(o, "can_decide", json_boolean(may && a && !d && deciding));
		json_object_set_new(o, "can_notice", json_boolean(may && calls_for_notice &&
								  json_array_size(notices) == 0));
		json_object_set_new(o, "notices", notices);
		json_array_append_new(out, o);
	}
	json_object_set_new(data, "subjects", out);
	json_object_set_new(data, "can_assess", json_boolean((perms & PERM_ASSESS) && any_undecided &&
							     st <= ST_AWAITING_DECISION));
	json_object_set_new(data, "assessed",
			    json_boolean(json_array_size(json_object_get(c, "assessments")) > 0));
	return 0;
}

/* The ICO clock: 72 hours from discovery while the DPO has not decided. */
static json_t *ico_json(struct req *r, const json_t *c, enum state st)
{
	const json_t *pd = json_object_get(c, "personal_data");
	bool personal = json_integer_value(json_object_get(pd, "records")) > 0 ||
			json_is_true(json_object_get(pd, "special_category"));
	const json_t *d = json_object_get(c, "ico_decision");
	ts_t disc;
	if (!personal)
		return json_null();
	if (json_is_object(d))
		return json_pack("{s:o, s:O?, s:O?, s:o, s:O?, s:o, s:O?}", "decision",
				 yes_no(json_object_get(d, "notify")), "reason",
				 json_object_get(d, "reason"), "ico_reference",
				 json_object_get(d, "ico_reference"), "notified_at",
				 time_of(json_object_get(d, "notified_at")), "decided_by",
				 json_object_get(d, "decided_by"), "decided_at",
				 time_of(json_object_get(d, "decided_at")), "within_72_hours",
				 json_object_get(d, "within_72_hours"));
	/* Nothing to notify about what did not happen. */
	if (st == ST_UNFOUNDED || st == ST_WITHDRAWN ||
	    date_parse_ts(words_of(json_object_get(c, "discovered_at")), &disc))
		return json_null();
	ts_t due = disc + (ts_t)ICO_DEADLINE_HOURS * 3600;
	/* Minutes rounded as app.js rounds them, so the text does not jump
	 * when the script takes over. */
	int64_t diff = due - r->now;
	int64_t left = diff >= 0 ? (diff + 30) / 60 : -((-diff + 29) / 60);
	int64_t mag = left < 0 ? -left : left;
	char text[96], now[TS_BUF], due_iso[TS_BUF];
	if (left >= 0)
		snprintf(text, sizeof text, "%lld hours %lld minutes left", (long long)(mag / 60),
			 (long long)(mag % 60));
	else
		snprintf(text, sizeof text, "overdue by %lld hours %lld minutes",
			 (long long)(mag / 60), (long long)(mag % 60));
	date_format_ts(r->now, now);
	date_format_ts(due, due_iso);
	return json_pack("{s:{s:s, s:s, s:s, s:b, s:o}}", "clock", "due", due_iso, "now", now,
			 "text", text, "overdue", left < 0, "due_at", time_value(due));
}

/* Transition buttons: those from the current state that the account may
 * make; the ones that need a reason each have their own form. */
static json_t *transitions_json(enum state st, unsigned perms, const struct case_form *cf)
{
	json_t *plain = json_array(), *reasoned = json_array();
	if (perms & PERM_WORK) {
		enum state next[ST_COUNT];
		int n = lifecycle_allowed(st, (perms & PERM_REOPEN) != 0, next);
		for (int i = 0; i < n; i++) {
			const char *to = vocab_name(&vocab_state, next[i]);
			const char *label = !lifecycle_is_open(st) ? "Reopen the case"
					    : st == ST_AWAITING_DECISION && next[i] == ST_INVESTIGATING
						    ? "Send back for more investigation"
						    : state_verbs[next[i]];
			if (!lifecycle_needs_reason(st, next[i])) {
				/* The first is the way forward; the rest are secondary. */
				json_array_append_new(plain, json_pack("{s:s, s:s, s:b}", "to", to, "label",
								       label ? label : to, "primary",
								       json_array_size(plain) == 0));
				continue;
			}
			bool open = cf && cf->open && strcmp(cf->open, to) == 0;
			const json_t *why = NULL;
			if (open && cf->errors_shown)
				why = json_object_get(json_array_get(cf->errors_shown, 0), "text");
			json_array_append_new(
				reasoned,
				json_pack("{s:s, s:s, s:b, s:o, s:O?}", "to", to, "label",
					  label ? label : to, "open", open, "reason",
					  jsonx_text_value(open && cf->reason ? cf->reason : ""),
					  "error_text", why));
		}
	}
	return json_pack("{s:b, s:o, s:o}", "has_plain", json_array_size(plain) > 0, "plain", plain,
			 "reasoned", reasoned);
}

static enum MHD_Result case_page(struct req *r, unsigned status, struct case_form *cf)
{
	struct err e = {0};
	json_t *c = NULL, *titles = json_object(), *data = NULL;
	unsigned perms = 0;
	const char *ref = r->params[0];
	json_t *errors = cf ? cf->errors : NULL;
	enum MHD_Result ret;
	bool snap = false;
	if (cf) {
		cf->errors_shown = errors;
		cf->errors = NULL;
	}

	/* Everything the page shows around the case (permissions, guidance
	 * titles, names, who may decide) is read in the case's snapshot: one
	 * consistent moment, and one lock and cache check instead of one per
	 * read. Released before the page is rendered and audited. */
	struct err nested = {0};
	snap = r->store->ops->begin_read(r->store, &nested) == 0;
	if (registry_read_case(r->store, &r->actor, ref, &c, &e) ||
	    registry_incident_perms(r->store, &r->actor, ref, &perms, &e) ||
	    add_titles(r->store, words_of(json_object_get(c, "org")), titles, &e))
		goto fail;
	enum state st;
	if (lifecycle_parse_target(words_of(json_object_get(c, "status")), &st, &e))
		goto fail;
	bool case_view = strcmp(words_of(json_object_get(c, "view")) ? words_of(json_object_get(c, "view")) : "", "case") == 0;
	struct org o;
	org_init(&o);
	json_t *org_name = NULL;
	if (r->store->ops->org_get(r->store, words_of(json_object_get(c, "org")), &o, &e) == 0 && o.name)
		org_name = jsonx_text_value(o.name);
	org_release(&o);
	err_clear(&e);
	const char *kind = words_of(json_object_get(c, "kind"));
	data = json_pack("{s:s, s:b, s:s, s:o, s:s, s:o, s:s, s:o}", "ref", ref, "case", case_view,
			 "kind", kind && strcmp(kind, "near-miss") == 0 ? "Near miss" : "Breach",
			 "org", org_name ? org_name : jsonx_text_value(words_of(json_object_get(c, "org"))),
			 "status", vocab_name(&vocab_state, st), "status_text",
			 words(vocab_name(&vocab_state, st)), "tag", state_tags[st], "facts",
			 facts_json(r, c, titles, case_view));
	if (case_view) {
		const char *sev = words_of(json_object_get(c, "severity"));
		if (sev)
			json_object_set_new(data, "severity", words(sev));
		json_object_set_new(data, "timeline", timeline_json(c));
		if (subjects_json(r, c, perms, st, data, &e))
			goto fail;
		json_object_set_new(data, "ico", ico_json(r, c, st));
		json_object_set_new(data, "transitions", transitions_json(st, perms, cf));
		json_object_set_new(data, "can_note", json_boolean(perms & PERM_WORK));
		json_object_set_new(data, "note",
				    jsonx_text_value(cf && cf->note ? cf->note : ""));
		json_t *hr = json_array();
		size_t i;
		json_t *it;
		json_array_foreach(json_object_get(c, "hr_outcomes"), i, it)
			json_array_append_new(hr, json_pack("{s:O?, s:o, s:O?, s:o}", "subject",
							    json_object_get(it, "subject"), "outcome",
							    words(words_of(json_object_get(it, "outcome"))),
							    "notes", json_object_get(it, "notes"),
							    "effective_on",
							    date_of(json_object_get(it, "effective_on"))));
		json_object_set_new(data, "has_hr", json_boolean(json_array_size(hr) > 0));
		json_object_set_new(data, "hr_outcomes", hr);
	}
	if (snap) {
		snap = false;
		if (r->store->ops->commit(r->store, &e))
			goto fail;
	}
	char title[64];
	snprintf(title, sizeof title, "%s%s", errors ? "Error: " : "", ref);
	struct web_page p = {
		.title = title,
		.template = "incident",
		.data = data,
		.errors = errors,
		.marking = words_of(json_object_get(c, "marking")),
		.nav = case_view ? "incidents" : "my-reports",
		.flash = cf ? cf->flash : NULL,
	};
	data = errors = NULL;
	if (status == 200) {
		ret = web_render_audited(r, &p);
	} else if (registry_audit_read(r->store, &r->actor, ref, r->now, &e)) {
		/* A re-rendered form shows the case too: audited before it is sent. */
		json_decref(p.data);
		json_decref(p.errors);
		ret = web_err(r, &e);
	} else {
		ret = web_render(r, status, &p);
	}
	json_decref(c);
	json_decref(titles);
	return ret;
fail:
	if (snap)
		r->store->ops->rollback(r->store);
	json_decref(c);
	json_decref(titles);
	json_decref(data);
	json_decref(errors);
	return web_err(r, &e);
}

enum MHD_Result page_incident(struct req *r)
{
	/* A fixed message for each action's redirect: nothing of the query
	 * is shown. */
	static const struct {
		const char *done, *message;
	} flashes[] = {
		{"transition", "The status was changed"},
		{"note", "Your note was added"},
		{"assessment", "Each undecided subject was assessed"},
		{"decision", "Your decision was recorded"},
	};
	struct case_form cf = {0};
	const char *done = req_arg(r, "done");
	for (size_t i = 0; done && i < sizeof flashes / sizeof flashes[0]; i++)
		if (strcmp(done, flashes[i].done) == 0)
			cf.flash = flashes[i].message;
	return case_page(r, 200, &cf);
}

static enum MHD_Result back_to_case(struct req *r, const char *done)
{
	return web_redirect(r, arena_printf(&r->arena, "/incidents/%s?done=%s", r->params[0], done));
}

/* A 409 that says what can be done instead (the service's message names
 * the allowed next states) and leads back to the case. */
static enum MHD_Result conflict(struct req *r, const struct err *e)
{
	char msg[sizeof e->msg + 2];
	snprintf(msg, sizeof msg, "%s.", e->msg);
	if (msg[0] >= 'a' && msg[0] <= 'z')
		msg[0] = (char)(msg[0] - 'a' + 'A');
	struct web_page p = {
		.title = "That cannot be done now",
		.template = "inc_conflict",
		.data = json_pack("{s:o, s:o}", "message", jsonx_text_value(msg), "ref",
				  jsonx_text_value(r->params[0])),
	};
	return web_render(r, 409, &p);
}

enum MHD_Result page_incident_transition(struct req *r)
{
	struct err e = {0};
	struct form f;
	if (web_form(r, &f, &e))
		return web_err(r, &e);
	const char *to = form_text(&r->arena, &f, "to");
	const char *reason = form_text(&r->arena, &f, "reason");
	if (!jsonx_is_code(to))
		return web_error(r, 400, "Choose what to do with the incident.");
	if (registry_transition(r->store, &r->actor, r->params[0], to, *reason ? reason : NULL,
				r->now, &e) == 0)
		return back_to_case(r, "transition");
	if (e.kind == ERR_CONFLICT)
		return conflict(r, &e);
	if (e.kind == ERR_INVALID && strcmp(e.field, "reason") == 0) {
		json_t *errors = json_array();
		char id[96];
		snprintf(id, sizeof id, "reason-%s", to);
		web_error_add(errors, id,
			      *reason ? "The reason is too long: shorten it"
				      : "Enter the reason for this change");
		struct case_form cf = {.errors = errors, .open = to, .reason = reason};
		return case_page(r, 400, &cf);
	}
	return web_err(r, &e);
}

enum MHD_Result page_incident_note(struct req *r)
{
	struct err e = {0};
	struct form f;
	if (web_form(r, &f, &e))
		return web_err(r, &e);
	const char *text = form_get(&f, "text");
	if (registry_note(r->store, &r->actor, r->params[0], text ? text : "", r->now, &e) == 0)
		return back_to_case(r, "note");
	if (e.kind == ERR_INVALID && strcmp(e.field, "text") == 0) {
		json_t *errors = json_array();
		web_error_add(errors, "note",
			      text && text[strspn(text, " \t\r\n")] ? "The note is too long: shorten it"
								    : "Enter a note");
		struct case_form cf = {.errors = errors, .note = text};
		return case_page(r, 400, &cf);
	}
	return e.kind == ERR_CONFLICT ? conflict(r, &e) : web_err(r, &e);
}

enum MHD_Result page_incident_assess(struct req *r)
{
	struct err e = {0};
	struct form f;
	json_t *out = NULL;
	if (web_form(r, &f, &e))
		return web_err(r, &e);
	if (registry_assess_incident(r->store, &r->actor, r->params[0], r->now, &out, &e) == 0) {
		json_decref(out);
		return back_to_case(r, "assessment");
	}
	return e.kind == ERR_CONFLICT ? conflict(r, &e) : web_err(r, &e);
}
