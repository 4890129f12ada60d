/* web_report: "Report a security breach" (issue 4), a GOV.UK question
 * journey for every account: a start page, one question per page, Check
 * your answers with Change links, and a confirmation panel with the
 * reference. The answers are kept as typed in the session's draft
 * (service/drafts.h) between pages; each page checks its own answers when
 * saved, and the whole report is checked again, by the same rules as the
 * API's (registry_report), when it is sent.
 *
 * The steps are rows of a table: each has a slug (/report/SLUG and the
 * template report_SLUG), a save function that reads its form into the
 * draft and adds GOV.UK error messages, and a fill function that builds
 * the page's context from the draft. Times are typed as UK local time
 * and stored in UTC (core/date.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/catalogue.h"
#include "core/guidance.h"
#include "core/jsonx.h"
#include "core/org.h"
#include "http/http.h"
#include "http/web.h"
#include "service/drafts.h"
#include "service/registry.h"

#define MAX_TYPES 64

struct step {
	const char *slug;
	const char *title;
	/* Reads f into draft; adds an error per bad answer. */
	void (*save)(struct req *r, const struct form *f, json_t *draft, json_t *errors);
	/* The page's context from the draft. */
	int (*fill)(struct req *r, const json_t *draft, json_t *page, struct err *e);
};

/* ---- small helpers ---- */

static const char *dget(const json_t *draft, const char *key)
{
	const char *v = json_string_value(json_object_get(draft, key));
	return v ? v : "";
}

static void dset(json_t *draft, const char *key, const char *val)
{
	json_object_set_new(draft, key, jsonx_text_value(val));
}

static bool is_yes(const json_t *draft, const char *key)
{
	return strcmp(dget(draft, key), "yes") == 0;
}

static json_t *option(const char *id, const char *value, const char *text, const char *hint,
		      bool checked)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "id", id, "value", value, "text", text,
			 "hint", hint ? hint : "", "checked", checked);
}

/* The error text of field, or "" (every sub-context sets "error", so a
 * partial never finds the page's error map by looking outwards). */
static json_t *field_error(const json_t *errors, const char *field)
{
	if (!errors)
		return json_string("");
	size_t i;
	json_t *it;
	json_array_foreach(errors, i, it)
	{
		if (strcmp(json_string_value(json_object_get(it, "field")), field) == 0)
			return json_incref(json_object_get(it, "text"));
	}
	return json_string("");
}

/* Radios from a table of value, text, hint. */
struct choice {
	const char *value, *text, *hint;
};

static json_t *radios(const char *name, const char *legend, const char *hint,
		      const struct choice *c, size_t n, const char *current)
{
	json_t *opts = json_array();
	for (size_t i = 0; i < n; i++) {
		char id[96];
		/* The first is the group's id, for the error summary's link. */
		if (i)
			snprintf(id, sizeof id, "%s-%s", name, c[i].value);
		else
			snprintf(id, sizeof id, "%s", name);
		json_array_append_new(opts, option(id, c[i].value, c[i].text, c[i].hint,
						   strcmp(current, c[i].value) == 0));
		json_object_set_new(json_array_get(opts, i), "name", json_string(name));
	}
	return json_pack("{s:s, s:s, s:s, s:o}", "id", name, "legend", legend, "hint",
			 hint ? hint : "", "options", opts);
}

static json_t *yesno(const char *name, const char *legend, const char *hint, const json_t *draft)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:b}", "id", name, "legend", legend, "hint",
			 hint ? hint : "", "yes", strcmp(dget(draft, name), "yes") == 0, "no",
			 strcmp(dget(draft, name), "no") == 0);
}

static void save_yesno(const struct form *f, const char *name, const char *message,
		       json_t *draft, json_t *errors)
{
	const char *v = form_get(f, name);
	if (!v || (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)) {
		dset(draft, name, "");
		web_error_add(errors, name, message);
		return;
	}
	dset(draft, name, v);
}

static bool in_choices(const struct choice *c, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].value, v) == 0)
			return true;
	return false;
}

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- step: kind ---- */

static const struct choice kinds[] = {
    {"breach", "A breach happened", "Something was lost, seen, shared or done that should not have been"},
    {"near-miss", "It was a near miss", "It could have happened but was caught in time"},
};

static void save_kind(struct req *r, const struct form *f, json_t *draft, json_t *errors)
{
	(void)r;
	const char *v = form_get(f, "kind");
	if (!v || !in_choices(kinds, LEN(kinds), v)) {
		web_error_add(errors, "kind", "Select whether a breach happened or it was a near miss");
		return;
	}
	dset(draft, "kind", v);
}

static int fill_kind(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	(void)r;
	(void)e;
	json_t *k = radios("kind", "", NULL, kinds, LEN(kinds), dget(draft, "kind"));
	json_object_set(page, "kinds", json_object_get(k, "options"));
	json_decref(k);
	return 0;
}

/* ---- step: what ---- */

/* The breach types under the guidance in force for the draft's (or the
 * reporter's) organisation, in plain words. */
static int load_guidance(struct req *r, const json_t *draft, struct guidance *g, struct err *e)
{
	const char *org = dget(draft, "org");
	if (!*org)
		org = r->actor.org;
	if (*org && registry_guidance_resolve(r->store, org, g, e) == 0)
		return 0;
	return registry_guidance_resolve(r->store, "", g, e);
}

static void save_what(struct req *r, const struct form *f, json_t *draft, json_t *errors)
{
	const char *types[MAX_TYPES];
	size_t n = form_all(f, "types", types, MAX_TYPES);
	struct guidance g;
	struct err e = {0};
	json_t *arr = json_array();
	bool bad = n > MAX_TYPES;

	if (load_guidance(r, draft, &g, &e) == 0) {
		for (size_t i = 0; i < n && i < MAX_TYPES; i++) {
			if (guidance_find(&g, types[i]) < 0)
				bad = true;
			else
				json_array_append_new(arr, json_string(types[i]));
		}
		guidance_release(&g);
	}
	json_object_set_new(draft, "types", arr);
	if (bad || n == 0)
		web_error_add(errors, "types",
			      bad ? "Select what happened from the list"
				  : "Select what happened, or \"Any other breach\"");
	const char *desc = form_text(&r->arena, f, "description");
	dset(draft, "description", desc);
	if (!*desc)
		web_error_add(errors, "description", "Describe what happened");
	else if (strlen(desc) > INCIDENT_DESCRIPTION_MAX)
		web_error_add(errors, "description",
			      "Description must be 20,000 characters or fewer");
}

static bool draft_has_type(const json_t *draft, const char *code)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(draft, "types"), i, it)
	{
		if (strcmp(json_string_value(it), code) == 0)
			return true;
	}
	return false;
}

static int fill_what(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	struct guidance g;
	if (load_guidance(r, draft, &g, e))
		return -1;
	json_t *opts = json_array();
	for (size_t i = 0; i < g.ntypes; i++) {
		char id[96];
		if (i)
			snprintf(id, sizeof id, "types-%s", g.types[i].code);
		else
			snprintf(id, sizeof id, "types");
		json_array_append_new(opts, option(id, g.types[i].code, g.types[i].title, NULL,
						   draft_has_type(draft, g.types[i].code)));
	}
	guidance_release(&g);
	json_object_set_new(page, "types", opts);
	json_object_set_new(page, "description", jsonx_text_value(dget(draft, "description")));
	return 0;
}

/* ---- step: when ---- */

/* Reads "NAME-day/-month/-year/-time" as UK local time into *out (UTC).
 * time_required: an empty time is an error, else it means 00:00. Adds a
 * GOV.UK message naming what is wrong; 0 or -1. */
static int parse_when(const json_t *draft, const char *name, const char *what,
		      bool time_required, ts_t now, ts_t *out, json_t *errors)
{
	char key[32], msg[160], fid[40];
	/* Errors link to the day input, the group's first (GOV.UK). */
	snprintf(fid, sizeof fid, "%s-day", name);
	const char *part[4];
	static const char *const parts[] = {"day", "month", "year", "time"};
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof key, "%s-%s", name, parts[i]);
		part[i] = dget(draft, key);
	}
	if (!*part[0] && !*part[1] && !*part[2]) {
		snprintf(msg, sizeof msg, "Enter the date %s", what);
		web_error_add(errors, fid, msg);
		return -1;
	}
	for (int i = 0; i < 3; i++)
		if (!*part[i]) {
			snprintf(msg, sizeof msg, "Date %s must include a %s", what, parts[i]);
			web_error_add(errors, fid, msg);
			return -1;
		}
	char *end;
	long d = strtol(part[0], &end, 10);
	bool ok = !*end;
	long m = strtol(part[1], &end, 10);
	ok = ok && !*end;
	long y = strtol(part[2], &end, 10);
	ok = ok && !*end && strlen(part[2]) == 4;
	if (!ok || !date_ymd_valid((int)y, (int)m, (int)d)) {
		snprintf(msg, sizeof msg, "Date %s must be a real date", what);
		web_error_add(errors, fid, msg);
		return -1;
	}
	int hh = 0, mm = 0;
	const char *t = part[3];
	if (*t) {
		int n = 0;
		if (sscanf(t, "%2d:%2d%n", &hh, &mm, &n) != 2 || t[n] || hh > 23 || mm > 59 ||
		    hh < 0 || mm < 0) {
			snprintf(msg, sizeof msg,
				 "Time %s must be in the 24-hour clock, for example 17:30", what);
			web_error_add(errors, fid, msg);
			return -1;
		}
	} else if (time_required) {
		snprintf(msg, sizeof msg, "Enter the time %s, for example 17:30", what);
		web_error_add(errors, fid, msg);
		return -1;
	}
	*out = date_london_to_utc(date_from_ymd((int)y, (int)m, (int)d), hh, mm);
	if (*out > now) {
		snprintf(msg, sizeof msg, "Date %s must be today or in the past", what);
		web_error_add(errors, fid, msg);
		return -1;
	}
	return 0;
}

static void save_date_fields(const struct form *f, const char *name, json_t *draft)
{
	static const char *const parts[] = {"day", "month", "year", "time"};
	char key[32];
	for (int i = 0; i < 4; i++) {
		snprintf(key, sizeof key, "%s-%s", name, parts[i]);
		const char *v = form_get(f, key);
		/* What a person typed, trimmed, up to a sane length. */
		char buf[16];
		snprintf(buf, sizeof buf, "%s", v ? v : "");
		char *s = buf;
		while (*s == ' ')
			s++;
		size_t n = strlen(s);
		while (n && s[n - 1] == ' ')
			s[--n] = '\0';
		dset(draft, key, s);
	}
}

static void save_when(struct req *r, const struct form *f, json_t *draft, json_t *errors)
{
	ts_t occurred = TS_NONE, discovered = TS_NONE;
	save_date_fields(f, "occurred", draft);
	save_date_fields(f, "discovered", draft);
	int a = parse_when(draft, "occurred", "it happened", false, r->now, &occurred, errors);
	int b = parse_when(draft, "discovered", "it was found", true, r->now, &discovered, errors);
	if (a == 0 && b == 0 && discovered < occurred)
		web_error_add(errors, "discovered-day",
			      "Date it was found must be the same as or after the date it happened");
	const char *loc = form_text(&r->arena, f, "location");
	dset(draft, "location", loc);
	if (strlen(loc) > INCIDENT_LOCATION_MAX)
		web_error_add(errors, "location", "Where it happened must be 500 characters or fewer");
}

static json_t *date_ctx(const json_t *draft, const char *name, const char *legend,
			const char *hint, const json_t *errors)
{
	char k[4][32];
	snprintf(k[0], sizeof k[0], "%s-day", name);
	snprintf(k[1], sizeof k[1], "%s-month", name);
	snprintf(k[2], sizeof k[2], "%s-year", name);
	snprintf(k[3], sizeof k[3], "%s-time", name);
	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "id", name, "legend", legend,
			 "hint", hint, "day", jsonx_text_value(dget(draft, k[0])), "month",
			 jsonx_text_value(dget(draft, k[1])), "year",
			 jsonx_text_value(dget(draft, k[2])), "time",
			 jsonx_text_value(dget(draft, k[3])), "error", field_error(errors, k[0]));
}

/* The errors of the page being shown (set by render_step on a
 * re-render), borrowed; NULL when there are none. */
static const json_t *page_errors(const json_t *page)
{
	return json_object_get(page, "_errors");
}

static int fill_when(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	(void)r;
	(void)e;
	const json_t *errs = page_errors(page);
	json_object_set_new(page, "occurred",
			    date_ctx(draft, "occurred", "When did it happen?",
				     "For example, 27 11 2026 and 17:30. UK time, in the 24-hour "
				     "clock. Leave the time empty if you do not know it.",
				     errs));
	json_object_set_new(page, "discovered",
			    date_ctx(draft, "discovered", "When was it found or first noticed?",
				     "For example, 28 11 2026 and 09:15. The 72 hours for telling "
				     "the Information Commissioner's Office run from this time.",
				     errs));
	json_object_set_new(page, "location", jsonx_text_value(dget(draft, "location")));
	return 0;
}

/* ---- step: who ---- */

static void save_who(struct req *r, const struct form *f, json_t *draft, json_t *errors)
{
	struct err e = {0};
	struct org o;
	const char *org = form_get(f, "org");
	if (!org || !jsonx_is_code(org) || r->store->ops->org_get(r->store, org, &o, &e)) {
		dset(draft, "org", "");
		web_error_add(errors, "org", "Select where it happened");
	} else {
		dset(draft, "org", org);
		org_release(&o);
	}
	const char *subjects = form_text(&r->arena, f, "subjects");
	dset(draft, "subjects", subjects);
	/* Shapes only: whether they are people of the register is checked
	 * when the report is sent, like the API does. */
	char *copy = arena_strdup(&r->arena, subjects), *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(copy, ", ;", &save); tok; tok = strtok_r(NULL, ", ;", &save)) {
		if (!jsonx_is_staff_id(tok) || ++n > INCIDENT_MAX_SUBJECTS) {
			web_error_add(errors, "subjects",
				      n > INCIDENT_MAX_SUBJECTS
					      ? "Enter at most 32 staff numbers"
					      : "Enter staff numbers separated by commas, for example "
						"S1001, S2002");
			break;
		}
	}
	dset(draft, "confidential", form_get(f, "confidential") ? "yes" : "");
}

static int fill_who(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	struct org *list = NULL;
	size_t n = 0;
	if (r->store->ops->org_list(r->store, &list, &n, e))
		return -1;
	const char *cur = dget(draft, "org");
	if (!*cur)
		cur = r->actor.org;
	json_t *opts = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(opts, option("org", list[i].code, list[i].name, NULL,
						   strcmp(cur, list[i].code) == 0));
	org_list_free(list, n);
	json_object_set_new(page, "orgs", opts);
	json_object_set_new(page, "subjects", jsonx_text_value(dget(draft, "subjects")));
	json_object_set_new(page, "confidential", json_boolean(is_yes(draft, "confidential")));
	return 0;
}

/* ---- step: info ---- */

static const struct choice classifications[] = {
    {"none", "Not marked", "Nothing classified, or you are not sure"},
    {"official", "OFFICIAL", "Most of our everyday information"},
    {"official-sensitive", "OFFICIAL-SENSITIVE", "Marked OFFICIAL-SENSITIVE, for example case or HR files"},
    {"secret", "SECRET", NULL},
    {"top-secret", "TOP SECRET", NULL},
};

static void save_info(struct req *r, const struct form *f, json_t *draft, json_t *errors)
{
	const char *v = form_get(f, "classification");
	if (!v || !in_choices(classifications, LEN(classifications), v)) {
		dset(draft, "classification", "");
		web_error_add(errors, "classification",
			      "Select the highest protective marking of what was involved");
	} else {
		dset(draft, "classification", v);
	}
	dset(draft, "strap", form_get(f, "strap") ? "yes" : "");
	save_yesno(f, "personal", "Select yes if personal data was involved", draft, errors);
	const char *rec = form_text(&r->arena, f, "records");
	dset(draft, "records", rec);
	if (is_yes(draft, "personal")) {
		char *end;
		long long n = strtoll(rec, &end, 10);
		if (!*rec)
			web_error_add(errors, "records",
				      "Enter about how many people's personal data was involved");
		else if (*end || n < 1 || n > 1000000000LL)
			web_error_add(errors, "records",
				      "Number of people must be a whole number, for example 120");
	}
	dset(draft, "special", form_get(f, "special") ? "yes" : "");
	save_yesno(f, "disclosed",
		   "Select yes if the information was given or shown to someone who should not "
		   "have it",
		   draft, errors);
	if (is_yes(draft, "disclosed"))
		save_yesno(f, "authorised", "Select yes if whoever shared it had the authority to",
			   draft, errors);
	else
		dset(draft, "authorised", form_get(f, "authorised") ? form_get(f, "authorised") : "");
}

static int fill_info(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	(void)r;
	(void)e;
	const json_t *errs = page_errors(page);
	json_t *c = radios("classification", "What was the highest protective marking?",
			   "The marking on the documents, system or asset", classifications,
			   LEN(classifications), dget(draft, "classification"));
	json_object_set_new(c, "error", field_error(errs, "classification"));
	json_object_set_new(page, "classification", c);
	json_object_set_new(page, "strap", json_boolean(is_yes(draft, "strap")));
	json_t *p = yesno("personal", "Was anyone's personal data involved?",
			  "Information about a living person: names, addresses, case details", draft);
	json_object_set_new(p, "error", field_error(errs, "personal"));
	json_object_set_new(page, "personal", p);
	json_object_set_new(page, "records", jsonx_text_value(dget(draft, "records")));
	json_object_set_new(page, "special", json_boolean(is_yes(draft, "special")));
	json_t *d = yesno("disclosed",
			  "Was it given or shown to someone outside who should not have it?", NULL,
			  draft);
	json_object_set_new(d, "error", field_error(errs, "disclosed"));
	json_object_set_new(page, "disclosed", d);
	json_t *a = yesno("authorised", "If it was shared, did whoever shared it have the authority to?",
			  "Answer only if it was shared", draft);
	json_object_set_new(a, "error", field_error(errs, "authorised"));
	json_object_set_new(page, "authorised", a);
	return 0;
}

/* ---- step: how ---- */

static const struct choice intents[] = {
    {"accidental", "It was an accident", "Nobody could reasonably have prevented it"},
    {"negligent", "Someone was careless", "A rule was not followed through lack of care"},
    {"reckless", "Someone knew of the risk and ignored it", "They decided to carry on anyway"},
    {"deliberate", "It was done on purpose", "Someone meant to break the rules"},
};

static const struct choice damages[] = {
    {"none", "None", "No harm was done and none could have been"},
    {"low", "Low", "Little real risk, and it was contained quickly"},
    {"moderate", "Moderate", "Some risk to people, cases or operations"},
    {"high", "High", "Serious risk to people's safety, a case or an operation"},
    {"severe", "Severe", "Lasting harm to people or to the department"},
};

static void save_how(struct req *r, const struct form *f, json_t *draft, json_t *errors)
{
	(void)r;
	const char *v = form_get(f, "intent");
	if (!v || !in_choices(intents, LEN(intents), v)) {
		dset(draft, "intent", "");
		web_error_add(errors, "intent", "Select how it happened");
	} else {
		dset(draft, "intent", v);
	}
	v = form_get(f, "damage");
	if (!v || !in_choices(damages, LEN(damages), v)) {
		dset(draft, "damage", "");
		web_error_add(errors, "damage", "Select how much harm it did or could have done");
	} else {
		dset(draft, "damage", v);
	}
	save_yesno(f, "criminal", "Select yes if a crime may have been committed", draft, errors);
}

static int fill_how(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	(void)r;
	(void)e;
	const json_t *errs = page_errors(page);
	json_t *i = radios("intent", "Which is closest to how it happened?", NULL, intents,
			   LEN(intents), dget(draft, "intent"));
	json_object_set_new(i, "error", field_error(errs, "intent"));
	json_object_set_new(page, "intent", i);
	json_t *d = radios("damage", "How much harm did it do, or could it have done?",
			   "Think about the people whose information or safety was at risk",
			   damages, LEN(damages), dget(draft, "damage"));
	json_object_set_new(d, "error", field_error(errs, "damage"));
	json_object_set_new(page, "damage", d);
	json_t *c = yesno("criminal", "Could a crime have been committed?",
			  "For example theft, fraud or assault", draft);
	json_object_set_new(c, "error", field_error(errs, "criminal"));
	json_object_set_new(page, "criminal", c);
	return 0;
}

/* ---- the steps ---- */

static const struct step steps[] = {
    {"kind", "Did a security breach happen, or was it a near miss?", save_kind, fill_kind},
    {"what", "What happened?", save_what, fill_what},
    {"when", "When and where did it happen?", save_when, fill_when},
    {"who", "Who was involved?", save_who, fill_who},
    {"info", "What information was involved?", save_info, fill_info},
    {"how", "How did it happen?", save_how, fill_how},
};

static const struct step *step_by_slug(const char *slug, size_t *index)
{
	for (size_t i = 0; i < LEN(steps); i++)
		if (strcmp(steps[i].slug, slug) == 0) {
			*index = i;
			return &steps[i];
		}
	return NULL;
}

/* ---- the incident from the draft ---- */

/* The incident JSON of SPEC 6.1 from the answers, or NULL with errors
 * filled (each naming the step's field) when an answer is missing or
 * wrong. */
static json_t *draft_incident(struct req *r, const json_t *draft, json_t *errors)
{
	ts_t occurred = TS_NONE, discovered = TS_NONE;
	char at[TS_BUF];
	json_t *in = json_object();

	json_object_set_new(in, "kind", jsonx_text_value(dget(draft, "kind")));
	json_object_set_new(in, "org", jsonx_text_value(dget(draft, "org")));
	json_object_set(in, "types",
			json_object_get(draft, "types") ? json_object_get(draft, "types")
							: json_array());
	json_object_set_new(in, "description", jsonx_text_value(dget(draft, "description")));
	if (*dget(draft, "location"))
		json_object_set_new(in, "location", jsonx_text_value(dget(draft, "location")));
	if (parse_when(draft, "occurred", "it happened", false, r->now, &occurred, errors) == 0) {
		date_format_ts(occurred, at);
		json_object_set_new(in, "occurred_at", json_string(at));
	}
	if (parse_when(draft, "discovered", "it was found", true, r->now, &discovered, errors) ==
	    0) {
		date_format_ts(discovered, at);
		json_object_set_new(in, "discovered_at", json_string(at));
	}
	json_object_set_new(in, "classification", jsonx_text_value(dget(draft, "classification")));
	json_object_set_new(in, "strap", json_boolean(is_yes(draft, "strap")));
	bool personal = is_yes(draft, "personal");
	json_object_set_new(in, "personal_data",
			    json_pack("{s:I, s:b}", "records",
				      personal ? (json_int_t)strtoll(dget(draft, "records"), NULL, 10)
					       : (json_int_t)0,
				      "special_category", personal && is_yes(draft, "special")));
	bool disclosed = is_yes(draft, "disclosed");
	json_object_set_new(in, "third_party_disclosure", json_boolean(disclosed));
	json_object_set_new(in, "authorised", json_boolean(disclosed && is_yes(draft, "authorised")));
	json_object_set_new(in, "criminal", json_boolean(is_yes(draft, "criminal")));
	json_object_set_new(in, "intent", jsonx_text_value(dget(draft, "intent")));
	json_object_set_new(in, "damage", jsonx_text_value(dget(draft, "damage")));
	json_object_set_new(in, "confidential_reporter", json_boolean(is_yes(draft, "confidential")));
	json_t *subs = json_array();
	char *copy = arena_strdup(&r->arena, dget(draft, "subjects")), *save = NULL;
	for (char *tok = strtok_r(copy, ", ;", &save); tok; tok = strtok_r(NULL, ", ;", &save))
		json_array_append_new(subs, jsonx_text_value(tok));
	json_object_set_new(in, "subjects", subs);
	if (json_array_size(errors)) {
		json_decref(in);
		return NULL;
	}
	return in;
}

/* Every step's answers checked again as its save would, so Check your
 * answers names what is missing (a journey started elsewhere, an answer
 * skipped by typing a URL). */
static void check_all(struct req *r, const json_t *draft, json_t *errors)
{
	for (size_t i = 0; i < LEN(steps); i++) {
		/* Re-run the step's save on a form built from the draft. */
		struct form f = {.n = 0};
		const char *key;
		json_t *v;
		json_t *copy = json_deep_copy(draft);
		json_object_foreach((json_t *)draft, key, v)
		{
			if (f.n >= FORM_MAX_FIELDS)
				break;
			if (json_is_string(v) && *json_string_value(v)) {
				f.fields[f.n].name = arena_strdup(&r->arena, key);
				f.fields[f.n].value = arena_strdup(&r->arena, json_string_value(v));
				f.n++;
			} else if (json_is_array(v)) {
				size_t k;
				json_t *it;
				json_array_foreach(v, k, it)
				{
					if (f.n >= FORM_MAX_FIELDS || !json_is_string(it))
						break;
					f.fields[f.n].name = arena_strdup(&r->arena, key);
					f.fields[f.n].value =
						arena_strdup(&r->arena, json_string_value(it));
					f.n++;
				}
			}
		}
		json_t *errs = json_array();
		steps[i].save(r, &f, copy, errs);
		size_t k;
		json_t *it;
		json_array_foreach(errs, k, it)
		{
			json_object_set_new(it, "step", json_string(steps[i].slug));
			json_array_append(errors, it);
		}
		json_decref(errs);
		json_decref(copy);
	}
}

/* ---- Check your answers ---- */

static const char *choice_text(const struct choice *c, size_t n, const char *v)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].value, v) == 0)
			return c[i].text;
	return "Not answered";
}

static void row(json_t *rows, const char *step, const char *key, const char *value)
{
	json_array_append_new(rows, json_pack("{s:s, s:s, s:o, s:n}", "step", step, "key", key,
					      "value", jsonx_text_value(*value ? value : "Not given"),
					      "lines"));
}

static void row_lines(json_t *rows, const char *step, const char *key, json_t *lines)
{
	if (!json_array_size(lines)) {
		json_decref(lines);
		row(rows, step, key, "Not given");
		return;
	}
	json_array_append_new(rows, json_pack("{s:s, s:s, s:s, s:o}", "step", step, "key", key,
					      "value", "", "lines", lines));
}

static const char *when_text(struct req *r, const json_t *draft, const char *name)
{
	char k[4][32];
	snprintf(k[0], sizeof k[0], "%s-day", name);
	snprintf(k[1], sizeof k[1], "%s-month", name);
	snprintf(k[2], sizeof k[2], "%s-year", name);
	snprintf(k[3], sizeof k[3], "%s-time", name);
	static const char *const months[] = {"January", "February", "March",	 "April",
					     "May",	"June",	    "July",	 "August",
					     "September", "October", "November", "December"};
	int m = atoi(dget(draft, k[1]));
	if (!*dget(draft, k[0]) || m < 1 || m > 12)
		return "";
	return arena_printf(&r->arena, "%d %s %s%s%s", atoi(dget(draft, k[0])), months[m - 1],
			    dget(draft, k[2]), *dget(draft, k[3]) ? " at " : "",
			    dget(draft, k[3]));
}

static int check_sections(struct req *r, const json_t *draft, json_t *page, struct err *e)
{
	json_t *sections = json_array();
	json_t *rows;
	struct guidance g;

	rows = json_array();
	row(rows, "kind", "Breach or near miss", choice_text(kinds, LEN(kinds), dget(draft, "kind")));
	json_t *types = json_array();
	if (load_guidance(r, draft, &g, e))
		goto fail;
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(draft, "types"), i, it)
	{
		int k = guidance_find(&g, json_string_value(it));
		if (k >= 0)
			json_array_append_new(types, jsonx_text_value(g.types[k].title));
	}
	guidance_release(&g);
	row_lines(rows, "what", "What happened", types);
	row(rows, "what", "Description", dget(draft, "description"));
	json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", "What happened", "rows", rows));

	rows = json_array();
	row(rows, "when", "When it happened", when_text(r, draft, "occurred"));
	row(rows, "when", "When it was found", when_text(r, draft, "discovered"));
	row(rows, "when", "Where", dget(draft, "location"));
	json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", "When and where", "rows", rows));

	rows = json_array();
	struct org o;
	struct err oe = {0};
	const char *org = dget(draft, "org");
	if (*org && r->store->ops->org_get(r->store, org, &o, &oe) == 0) {
		row(rows, "who", "Part of the MoJ", o.name);
		org_release(&o);
	} else {
		row(rows, "who", "Part of the MoJ", "");
	}
	row(rows, "who", "People responsible",
	    *dget(draft, "subjects") ? dget(draft, "subjects") : "Not known: the head of unit");
	row(rows, "who", "Your name on the report",
	    is_yes(draft, "confidential") ? "Only the central security team may see it"
					  : "Visible to those handling the case");
	json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", "Who was involved", "rows", rows));

	rows = json_array();
	row(rows, "info", "Protective marking",
	    arena_printf(&r->arena, "%s%s",
			 choice_text(classifications, LEN(classifications),
				     dget(draft, "classification")),
			 is_yes(draft, "strap") ? ", STRAP" : ""));
	row(rows, "info", "Personal data",
	    is_yes(draft, "personal")
		    ? arena_printf(&r->arena, "Yes, about %s people%s", dget(draft, "records"),
				   is_yes(draft, "special") ? ", including special category data" : "")
		    : *dget(draft, "personal") ? "No" : "");
	row(rows, "info", "Shared with someone outside",
	    is_yes(draft, "disclosed")
		    ? (is_yes(draft, "authorised") ? "Yes, with authority" : "Yes, without authority")
		    : *dget(draft, "disclosed") ? "No" : "");
	json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", "Information involved", "rows", rows));

	rows = json_array();
	row(rows, "how", "How it happened", choice_text(intents, LEN(intents), dget(draft, "intent")));
	row(rows, "how", "Harm", choice_text(damages, LEN(damages), dget(draft, "damage")));
	row(rows, "how", "Could be a crime",
	    is_yes(draft, "criminal") ? "Yes" : *dget(draft, "criminal") ? "No" : "");
	json_array_append_new(sections, json_pack("{s:s, s:o}", "heading", "How it happened", "rows", rows));

	json_object_set_new(page, "sections", sections);
	return 0;
fail:
	json_decref(types);
	json_decref(rows);
	json_decref(sections);
	return -1;
}

/* The protective marking of the report being written (SPEC 7), for the
 * pages that show its answers back: registry_marking's rule, on what the
 * draft says of personal data. */
static const char *draft_marking(const json_t *draft)
{
	struct incident tmp;
	incident_init(&tmp);
	if (is_yes(draft, "personal")) {
		tmp.records = strtoll(dget(draft, "records"), NULL, 10);
		tmp.special_category = is_yes(draft, "special");
	}
	const char *m = registry_marking(&tmp);
	incident_release(&tmp);
	return m;
}

/* ---- handlers ---- */

static int load_draft(struct req *r, json_t **draft, struct err *e)
{
	*draft = NULL;
	if (!r->sid)
		return err_set(e, ERR_FORBIDDEN, "session", "sign in to report a breach");
	return drafts_get(r->store, r->sid, draft, e);
}

enum MHD_Result page_report_start(struct req *r)
{
	struct err e = {0};
	json_t *draft = NULL;
	if (load_draft(r, &draft, &e))
		return web_err(r, &e);
	struct web_page p = {
		.title = "Report a security breach",
		.template = "report_start",
		.nav = "report",
		.data = json_pack("{s:b}", "in_progress", json_object_size(draft) > 0),
	};
	json_decref(draft);
	return web_render(r, 200, &p);
}

/* POST /report: start again (the draft is emptied). */
enum MHD_Result page_report_discard(struct req *r)
{
	struct err e = {0};
	struct form f;
	json_t *empty = json_object();
	int rc = web_form(r, &f, &e) || drafts_put(r->store, r->sid, empty, r->now, &e);
	json_decref(empty);
	if (rc)
		return web_err(r, &e);
	return web_redirect(r, "/report/kind");
}

/* Renders step s (index i) from draft, with errors (consumed) if any. */
static enum MHD_Result render_step(struct req *r, const struct step *s, const json_t *draft,
				   json_t *errors, bool change)
{
	struct err e = {0};
	char tpl[48];
	json_t *page = json_object();
	if (errors)
		json_object_set(page, "_errors", errors);
	if (s->fill(r, draft, page, &e)) {
		json_decref(page);
		json_decref(errors);
		return web_err(r, &e);
	}
	json_object_del(page, "_errors");
	json_object_set_new(page, "change", json_boolean(change));
	snprintf(tpl, sizeof tpl, "report_%s", s->slug);
	struct web_page p = {
		.marking = json_object_size(draft) ? draft_marking(draft) : NULL,
		.title = errors ? arena_printf(&r->arena, "Error: %s", s->title) : s->title,
		.template = arena_strdup(&r->arena, tpl),
		.nav = "report",
		.data = page,
		.errors = errors,
	};
	return web_render(r, errors ? 400 : 200, &p);
}

enum MHD_Result page_report_step(struct req *r)
{
	struct err e = {0};
	size_t i;
	json_t *draft = NULL;
	const struct step *s = step_by_slug(r->params[0], &i);
	if (!s)
		return web_error(r, 404, "If you typed the web address, check it is correct.");
	if (load_draft(r, &draft, &e))
		return web_err(r, &e);
	enum MHD_Result ret = render_step(r, s, draft, NULL, req_arg(r, "change") != NULL);
	json_decref(draft);
	return ret;
}

enum MHD_Result page_report_save(struct req *r)
{
	struct err e = {0};
	struct form f;
	size_t i;
	json_t *draft = NULL;
	enum MHD_Result ret;
	const struct step *s = step_by_slug(r->params[0], &i);
	if (!s)
		return web_error(r, 404, "If you typed the web address, check it is correct.");
	if (web_form(r, &f, &e) || load_draft(r, &draft, &e))
		return web_err(r, &e);
	json_t *errors = json_array();
	s->save(r, &f, draft, errors);
	/* Keep what was typed even when it is wrong, so it is shown again. */
	if (drafts_put(r->store, r->sid, draft, r->now, &e)) {
		json_decref(errors);
		json_decref(draft);
		return web_err(r, &e);
	}
	bool change = form_has(&f, "change");
	if (json_array_size(errors)) {
		ret = render_step(r, s, draft, errors, change);
	} else {
		json_decref(errors);
		ret = web_redirect(r, change || i + 1 == LEN(steps)
					      ? "/report/check"
					      : arena_printf(&r->arena, "/report/%s", steps[i + 1].slug));
	}
	json_decref(draft);
	return ret;
}

static enum MHD_Result render_check(struct req *r, const json_t *draft, json_t *errors)
{
	struct err e = {0};
	json_t *page = json_object();
	if (check_sections(r, draft, page, &e)) {
		json_decref(page);
		json_decref(errors);
		return web_err(r, &e);
	}
	struct web_page p = {
		.title = errors ? "Error: Check your answers" : "Check your answers",
		.template = "report_check",
		.nav = "report",
		.marking = draft_marking(draft),
		.data = page,
		.errors = errors,
	};
	return web_render(r, errors ? 400 : 200, &p);
}

enum MHD_Result page_report_check(struct req *r)
{
	struct err e = {0};
	json_t *draft = NULL;
	if (load_draft(r, &draft, &e))
		return web_err(r, &e);
	if (json_object_size(draft) == 0) {
		json_decref(draft);
		return web_redirect(r, "/report");
	}
	enum MHD_Result ret = render_check(r, draft, NULL);
	json_decref(draft);
	return ret;
}

enum MHD_Result page_report_submit(struct req *r)
{
	struct err e = {0};
	struct form f;
	struct incident inc;
	json_t *draft = NULL;
	enum MHD_Result ret;

	if (web_form(r, &f, &e) || load_draft(r, &draft, &e))
		return web_err(r, &e);
	json_t *errors = json_array();
	check_all(r, draft, errors);
	json_t *in = json_array_size(errors) ? NULL : draft_incident(r, draft, errors);
	if (!in) {
		ret = render_check(r, draft, errors);
		json_decref(draft);
		return ret;
	}
	incident_init(&inc);
	if (drafts_report(r->store, &r->actor, r->sid, in, r->now, &inc, &e)) {
		if (e.kind == ERR_INVALID || e.kind == ERR_NOT_FOUND) {
			/* What the register refused (a staff number that is no
			 * one's), named on the step that asked for it. */
			bool subject = strncmp(e.field, "subjects", 8) == 0;
			web_error_add(errors, subject ? "subjects" : "check",
				      subject ? "A staff number you gave is not in the register: "
						"check the numbers of the people responsible"
					      : e.msg);
			if (subject)
				json_object_set_new(json_array_get(errors, json_array_size(errors) - 1),
						    "step", json_string("who"));
			ret = render_check(r, draft, errors);
		} else {
			json_decref(errors);
			ret = web_err(r, &e);
		}
	} else {
		json_decref(errors);
		ret = web_redirect(r, arena_printf(&r->arena, "/report/done/%s", inc.ref));
	}
	incident_release(&inc);
	json_decref(in);
	json_decref(draft);
	return ret;
}

enum MHD_Result page_report_done(struct req *r)
{
	struct err e = {0};
	json_t *cs = NULL;
	/* The reporter's own report, as they may see it: a reference that is
	 * not theirs is absent. */
	if (registry_read_case(r->store, &r->actor, r->params[0], &cs, &e))
		return web_err(r, &e);
	const json_t *pd = json_object_get(cs, "personal_data");
	bool personal = json_integer_value(json_object_get(pd, "records")) > 0 ||
			json_is_true(json_object_get(pd, "special_category"));
	struct web_page p = {
		.title = "Report sent",
		.template = "report_done",
		.nav = "report",
		.data = json_pack("{s:o, s:b}", "ref", jsonx_text_value(r->params[0]),
				  "personal_data", personal),
	};
	json_decref(cs);
	return web_render_audited(r, &p);
}
