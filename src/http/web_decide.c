/* web_decide: the manager's decision form (SPEC 4: the recommendation and
 * the three factors of POLSBP003, a rationale, and an override reason
 * when the decision differs), breach notices (issue, a printable A4
 * document, the addressee's acknowledgement) and a person's warnings.
 * The services authorise every read and write; what an account may not
 * see is a 404 here as in the API. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/assess.h"
#include "core/jsonx.h"
#include "http/http.h"
#include "http/web.h"
#include "service/registry.h"

/* ---- plain words for the policy's vocabularies ---- */

struct words {
	const char *label, *hint;
};

static const struct words outcome_words[OUT_COUNT] = {
    [OUT_NO_ACTION] = {"No action", "The breach is not upheld, or it needs nothing further."},
    [OUT_ADVICE] = {"Advice", "Informal advice or guidance from you. It is not a warning."},
    [OUT_BREACH_NOTICE] = {"Breach notice",
			   "A numbered notice to the person. It is a live warning for the "
			   "period the guidance sets (POLSBP006)."},
    [OUT_FORMAL_ACTION] = {"Formal disciplinary action",
			   "Under the MoJ or HMPPS Disciplinary Policy (POLSBP005)."},
    [OUT_PROBATION_REVIEW] = {"Probation review",
			      "For an employee on probation: dealt with under the probation "
			      "policy (POLSBP005)."},
    [OUT_CONTRACT_REVIEW] = {"Contract review",
			     "For contractors and agency staff: the contract manager reviews "
			     "the contract, which may be cancelled."},
    [OUT_REFERRAL] = {"Referral",
		      "For ministers, special advisers, permanent secretaries and judicial "
		      "officers: referred to the authority for that role."},
};

static const struct words severity_words[SEV_COUNT] = {
    [SEV_UNGRADED] = {"Ungraded", "The guidance does not grade it: you grade it."},
    [SEV_MINOR] = {"Minor misconduct", "For example a lost pass or an unlocked workstation."},
    [SEV_SERIOUS] = {"Serious misconduct",
		     "For example unsecured OFFICIAL documents or a lost laptop."},
    [SEV_GROSS] = {"Gross misconduct",
		   "For example disclosure of classified material, or a criminal act."},
};

static const char *const damage_words[DMG_COUNT] = {
    [DMG_NONE] = "None: no damage, actual or potential",
    [DMG_LOW] = "Low: little harm, actual or potential",
    [DMG_MODERATE] = "Moderate: some harm, actual or potential",
    [DMG_HIGH] = "High: significant harm, actual or potential",
    [DMG_SEVERE] = "Severe: serious harm, actual or potential",
};

static const char *const intent_words[INT_COUNT] = {
    [INT_ACCIDENTAL] = "Accidental: an honest mistake",
    [INT_NEGLIGENT] = "Negligent: carelessness, or not following procedure",
    [INT_RECKLESS] = "Reckless: a decision to ignore a known problem",
    [INT_DELIBERATE] = "Deliberate: done on purpose",
};

static const char *const recommendation_words[REC_COUNT] = {
    [REC_ADVICE] = "Advice",
    [REC_BREACH_NOTICE] = "Breach notice",
    [REC_FORMAL_ACTION] = "Formal disciplinary action",
    [REC_MANAGER_TO_GRADE] = "None: the guidance does not grade this breach, so you grade it",
};

static const char *const route_words[ROUTE_COUNT] = {
    [ROUTE_DISCIPLINARY] = "Disciplinary policy",
    [ROUTE_PROBATION] = "Probation policy (the person is on probation)",
    [ROUTE_CONTRACT] = "Contract review (contractor or agency staff)",
    [ROUTE_REFERRAL] = "Referral to the authority for the person's role",
};

static const char *const level_words[WRN_COUNT] = {
    [WRN_BREACH_NOTICE] = "Breach notice",
    [WRN_WRITTEN] = "Written warning",
    [WRN_FINAL_WRITTEN] = "Final written warning",
};

static const char *const engagement_words[ENG_COUNT] = {
    [ENG_EMPLOYEE] = "Employee",
    [ENG_CONTRACTOR] = "Contractor",
    [ENG_AGENCY] = "Agency staff",
    [ENG_MINISTER] = "Minister",
    [ENG_SPECIAL_ADVISER] = "Special adviser",
    [ENG_PERMANENT_SECRETARY] = "Permanent secretary",
    [ENG_JUDICIAL_OFFICER] = "Judicial officer",
};

static const char *const clearance_words[CLR_COUNT] = {
    [CLR_NONE] = "None",
    [CLR_BPSS] = "BPSS (Baseline Personnel Security Standard)",
    [CLR_CTC] = "CTC (Counter-Terrorist Check)",
    [CLR_SC] = "SC (Security Check)",
    [CLR_DV] = "DV (Developed Vetting)",
};

/* The label of vocab value name in table (n rows), or name itself. */
static const char *words_of(const struct vocab *v, const char *const *table, int n,
			    const char *name)
{
	int i = name ? vocab_parse(v, name) : -1;
	return i >= 0 && i < n && table[i] ? table[i] : (name ? name : "");
}

static const char *const month_names[12] = {"January",	 "February", "March",	 "April",
					    "May",	 "June",     "July",	 "August",
					    "September", "October",  "November", "December"};

/* "2026-11-28" (or a UTC time) as "28 November 2026", the GOV.UK style;
 * null stays null. */
static json_t *day_words(const char *ymd)
{
	date_t d;
	char buf[DATE_BUF];
	int y, m, dd;
	if (!ymd)
		return json_null();
	snprintf(buf, sizeof buf, "%.10s", ymd);
	if (date_parse(buf, &d))
		return jsonx_text_value(ymd);
	date_to_ymd(d, &y, &m, &dd);
	return json_sprintf("%d %s %d", dd, month_names[m - 1], y);
}

static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* o's member key, borrowed, or JSON null: for "O" in json_pack. */
static json_t *jv(const json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return v ? v : json_null();
}

static const char *outcome_label(const char *name)
{
	int i = name ? vocab_parse(&vocab_outcome, name) : -1;
	return i >= 0 ? outcome_words[i].label : (name ? name : "");
}

/* The assessment's route in plain words, with the policy or authority. */
static json_t *route_label(const json_t *as)
{
	const char *route = jstr(as, "route"), *policy = jstr(as, "route_policy");
	const char *label = words_of(&vocab_route, route_words, ROUTE_COUNT, route);
	if (route && strcmp(route, "disciplinary") == 0 && policy)
		return json_sprintf("%s %s", strcmp(policy, "hmpps") == 0 ? "HMPPS" : "MoJ", label);
	if (route && strcmp(route, "referral") == 0 && policy)
		return json_sprintf("%s: %s", label, policy);
	return json_string(label);
}

static const char *severity_label(const char *name)
{
	int i = name ? vocab_parse(&vocab_severity, name) : -1;
	return i >= 0 ? severity_words[i].label : (name ? name : "");
}

/* The item of array whose key is val, borrowed, or NULL. */
static json_t *find_by(const json_t *array, const char *key, const char *val)
{
	size_t i;
	json_t *it;
	json_array_foreach(array, i, it)
	{
		const char *v = jstr(it, key);
		if (v && val && strcmp(v, val) == 0)
			return it;
	}
	return NULL;
}

static bool is_notice_number(const char *s)
{
	if (!s || strlen(s) != 14 || strncmp(s, "BN-", 3) != 0 || s[7] != '-')
		return false;
	for (int i = 3; i < 14; i++)
		if (i != 7 && (s[i] < '0' || s[i] > '9'))
			return false;
	return true;
}

/* An organisation's name, or its code when it has none. */
static json_t *org_name(struct store *st, const char *code)
{
	struct org o;
	struct err e = {0};
	json_t *out;
	org_init(&o);
	if (code && st->ops->org_get(st, code, &o, &e) == 0 && o.name && *o.name)
		out = jsonx_text_value(o.name);
	else
		out = jsonx_text_value(code ? code : "");
	org_release(&o);
	return out;
}

/* The service's refusals as pages: what may not be seen or done here is
 * absent, as the API says; a state that does not allow it is a 409. */
static enum MHD_Result refused(struct req *r, const struct err *e)
{
	if (e->kind == ERR_FORBIDDEN || e->kind == ERR_NOT_FOUND) {
		struct err nf = {0};
		err_set(&nf, ERR_NOT_FOUND, "", "not found");
		return web_err(r, &nf);
	}
	return web_err(r, e);
}

/* The breach types of an incident with their titles under the guidance in
 * force for its organisation. */
static json_t *breach_types(struct store *s, const json_t *inc)
{
	struct guidance g;
	struct err e = {0};
	bool have = registry_guidance_resolve(s, jstr(inc, "org"), &g, &e) == 0;
	json_t *out = json_array(), *v;
	size_t i;
	json_array_foreach(jv(inc, "types"), i, v)
	{
		const char *code = json_string_value(v);
		int at = have && code ? guidance_find(&g, code) : -1;
		json_array_append_new(out,
				      json_pack("{s:s, s:o}", "code", code ? code : "", "title",
						jsonx_text_value(at >= 0 ? g.types[at].title
								 : code	 ? code
									 : "")));
	}
	if (have)
		guidance_release(&g);
	return out;
}

/* ---- the decision form ---- */

/* What the person typed (or, on first sight, the recommendation). */
struct decide_input {
	const char *subject;
	const char *outcome, *severity; /* vocab names, or NULL */
	const char *rationale, *override_reason;
	bool override_open;
};

static json_t *outcome_items(const char *chosen, const char *recommended)
{
	json_t *a = json_array();
	for (int i = 0; i < OUT_COUNT; i++) {
		const char *name = vocab_name(&vocab_outcome, i);
		char id[32];
		/* The first item's id is the field's, for the error summary. */
		if (i == 0)
			snprintf(id, sizeof id, "outcome");
		else
			snprintf(id, sizeof id, "outcome-%d", i + 1);
		json_array_append_new(
		    a, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "id", id, "value", name, "label",
				 outcome_words[i].label, "hint", outcome_words[i].hint, "checked",
				 chosen && strcmp(chosen, name) == 0, "recommended",
				 recommended && strcmp(recommended, name) == 0));
	}
	return a;
}

static json_t *severity_items(const char *chosen, const char *assessed)
{
	json_t *a = json_array();
	for (int i = SEV_MINOR; i < SEV_COUNT; i++) {
		const char *name = vocab_name(&vocab_severity, i);
		char id[32];
		if (i == SEV_MINOR)
			snprintf(id, sizeof id, "severity");
		else
			snprintf(id, sizeof id, "severity-%d", i);
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b}", "id", id,
						   "value", name, "label", severity_words[i].label,
						   "hint", severity_words[i].hint, "checked",
						   chosen && strcmp(chosen, name) == 0, "assessed",
						   assessed && strcmp(assessed, name) == 0));
	}
	return a;
}

/* The subject's live warnings as the services let a see them, for the
 * third factor; NULL when a may not see that person's record. */
static json_t *live_warnings(struct req *r, const char *subject, json_t **name)
{
	struct err e = {0};
	json_t *w, *out, *it;
	size_t i;
	*name = NULL;
	if (registry_warnings(r->store, &r->actor, subject, r->now, &w, &e))
		return NULL;
	*name = json_incref(jv(w, "name"));
	out = json_array();
	json_array_foreach(jv(w, "warnings"), i, it)
	{
		if (!json_is_true(jv(it, "live")))
			continue;
		json_array_append_new(
		    out, json_pack("{s:s, s:o, s:o, s:O}", "level",
				   words_of(&vocab_warning_level, level_words, WRN_COUNT,
					    jstr(it, "level")),
				   "issued_on", day_words(jstr(it, "issued_on")), "expires_on",
				   day_words(jstr(it, "expires_on")), "notice", jv(it, "notice")));
	}
	json_decref(w);
	return out;
}

/* The page's context for subject of case c (borrowed). */
static json_t *decide_ctx(struct req *r, const json_t *c, const struct decide_input *in)
{
	const char *subject = in->subject;
	json_t *as = find_by(jv(c, "assessments"), "subject", subject);
	json_t *dec = find_by(jv(c, "decisions"), "subject", subject);
	json_t *notice = find_by(jv(c, "notices"), "subject", subject);
	json_t *name = NULL;
	json_t *warnings = live_warnings(r, subject, &name);
	const char *rec = as ? jstr(as, "recommendation") : NULL;
	const char *sev = as ? jstr(as, "severity") : NULL;
	const char *status = jstr(c, "status");
	bool open = status && (strcmp(status, "investigating") == 0 ||
			       strcmp(status, "awaiting-decision") == 0);
	/* What a may do here, as the services will judge it: the form and the
	 * notice action only for the subject's manager or security; the Assess
	 * action for whoever may assess. A store failure offers nothing. */
	struct err pe = {0};
	unsigned perms = 0;
	bool may = false;
	if (registry_incident_perms(r->store, &r->actor, jstr(c, "ref"), &perms, &pe) == 0 &&
	    (perms & PERM_DECIDE))
		registry_may_decide_for(r->store, &r->actor, subject, &may, &pe);

	json_t *o =
	    json_pack("{s:s, s:s, s:o, s:o, s:s, s:s, s:s}", "ref", jstr(c, "ref"), "subject",
		      subject, "subject_name", name ? name : json_null(), "types",
		      breach_types(r->store, c), "status", status ? status : "", "damage",
		      words_of(&vocab_damage, damage_words, DMG_COUNT, jstr(c, "damage")), "intent",
		      words_of(&vocab_intent, intent_words, INT_COUNT, jstr(c, "intent")));
	json_object_set_new(o, "warnings_visible", json_boolean(warnings != NULL));
	json_object_set_new(o, "has_warnings", json_boolean(json_array_size(warnings) > 0));
	json_object_set_new(o, "warnings", warnings ? warnings : json_array());
	if (as) {
		json_t *expl = json_array(), *it;
		size_t i;
		json_array_foreach(jv(as, "explanation"), i, it)
		    json_array_append_new(expl, json_pack("{s:O, s:O}", "policy", jv(it, "policy"),
							  "text", jv(it, "text")));
		json_object_set_new(
		    o, "assessment",
		    json_pack("{s:s, s:s, s:s, s:s, s:o, s:O, s:O, s:o, s:o}", "severity",
			      sev ? sev : "", "severity_label", severity_label(sev),
			      "recommendation", rec ? rec : "", "recommendation_label",
			      words_of(&vocab_recommendation, recommendation_words, REC_COUNT, rec),
			      "route", route_label(as), "live_warnings", jv(as, "live_warnings"),
			      "guidance_version", jv(as, "guidance_version"), "assessed_on",
			      day_words(jstr(as, "assessed_at")), "explanation", expl));
	}
	if (dec) {
		const char *out = jstr(dec, "outcome");
		json_object_set_new(
		    o, "decision",
		    json_pack("{s:s, s:s, s:O, s:O, s:O, s:o}", "outcome", outcome_label(out),
			      "severity", severity_label(jstr(dec, "severity")), "rationale",
			      jv(dec, "rationale"), "override_reason", jv(dec, "override_reason"),
			      "decided_by", jv(dec, "decided_by"), "decided_on",
			      day_words(jstr(dec, "decided_at"))));
		bool calls = out && strcmp(out, "no-action") != 0 && strcmp(out, "advice") != 0;
		json_object_set_new(o, "can_issue_notice", json_boolean(may && calls && !notice));
	}
	if (notice)
		json_object_set_new(o, "notice",
				    json_pack("{s:O}", "number", jv(notice, "number")));
	/* The form, while the case is open to a decision and none is made. */
	if (!dec && open && !may) {
		json_object_set_new(o, "not_yours", json_true());
		json_object_set_new(o, "can_assess", json_boolean(!as && (perms & PERM_ASSESS)));
	} else if (!dec && as && open) {
		bool fresh = !in->outcome && !in->severity && !in->rationale;
		const char *oc = in->outcome, *sv = in->severity;
		if (fresh) {
			/* The recommendation, where it names an outcome. */
			oc = rec && vocab_parse(&vocab_outcome, rec) >= 0 ? rec : NULL;
			sv = sev && strcmp(sev, "ungraded") != 0 ? sev : NULL;
		}
		json_object_set_new(
		    o, "form",
		    json_pack("{s:o, s:o, s:o, s:o, s:b}", "outcomes", outcome_items(oc, rec),
			      "severities", severity_items(sv, sev), "rationale",
			      jsonx_text_value(in->rationale ? in->rationale : ""),
			      "override_reason",
			      jsonx_text_value(in->override_reason ? in->override_reason : ""),
			      "override_open", in->override_open));
	} else if (!dec && !as && open) {
		json_object_set_new(o, "needs_assessment", json_true());
		json_object_set_new(o, "can_assess", json_boolean(perms & PERM_ASSESS));
	} else if (!dec) {
		json_object_set_new(o, "closed_to_decision", json_true());
	}
	return o;
}

/* The incident's case as r's actor may see it, or a page refusing it:
 * *c NULL means the reply has been queued in *ret. Only the case view
 * (PERM_SEE_CASE) reaches the decision form; the subject, and a reporter
 * who sees only their report, get 404. */
static int read_case(struct req *r, json_t **c, enum MHD_Result *ret)
{
	struct err e = {0};
	*c = NULL;
	if (registry_read_case(r->store, &r->actor, r->params[0], c, &e)) {
		*ret = refused(r, &e);
		return -1;
	}
	const char *view = jstr(*c, "view");
	if (!view || strcmp(view, "case") != 0) {
		json_decref(*c);
		*c = NULL;
		err_set(&e, ERR_NOT_FOUND, "ref", "not found");
		*ret = refused(r, &e);
		return -1;
	}
	return 0;
}

/* The subject the form is about: ?subject= (or the field), or the only
 * subject; NULL when there are several and none was chosen. "" when the
 * one given is not a subject of the case. */
static const char *pick_subject(const json_t *c, const char *given)
{
	json_t *subjects = jv(c, "subjects"), *v;
	size_t i;
	if (!given || !*given)
		return json_array_size(subjects) == 1
			   ? json_string_value(json_array_get(subjects, 0))
			   : NULL;
	json_array_foreach(subjects, i, v) if (strcmp(json_string_value(v), given) ==
					       0) return json_string_value(v);
	return "";
}

static enum MHD_Result choose_subject(struct req *r, json_t *c)
{
	json_t *subjects = json_array(), *v;
	size_t i;
	json_array_foreach(jv(c, "subjects"), i, v)
	{
		json_t *as = find_by(jv(c, "assessments"), "subject", json_string_value(v));
		json_t *dec = find_by(jv(c, "decisions"), "subject", json_string_value(v));
		json_array_append_new(subjects,
				      json_pack("{s:O, s:b, s:b}", "staff_id", v, "assessed",
						as != NULL, "decided", dec != NULL));
	}
	struct web_page p = {
	    .title = "Choose whose decision to record",
	    .template = "decide",
	    .data = json_pack("{s:s, s:o, s:b}", "ref", jstr(c, "ref"), "subjects", subjects,
			      "choose", 1),
	    .marking = jstr(c, "marking"),
	    .nav = "incidents",
	};
	enum MHD_Result ret = web_render_audited(r, &p);
	json_decref(c);
	return ret;
}

static enum MHD_Result decide_page(struct req *r, json_t *c, const struct decide_input *in,
				   json_t *errors)
{
	char title[96];
	snprintf(title, sizeof title, "%sDecide on %s for %s", errors ? "Error: " : "",
		 jstr(c, "ref"), in->subject);
	struct web_page p = {
	    .title = title,
	    .template = "decide",
	    .data = decide_ctx(r, c, in),
	    .errors = errors,
	    .marking = jstr(c, "marking"),
	    .nav = "incidents",
	};
	enum MHD_Result ret;
	if (!errors) {
		ret = web_render_audited(r, &p);
	} else {
		/* A 400 carries the case again: its read is audited first. */
		struct err e = {0};
		if (registry_audit_read(r->store, &r->actor, r->params[0], r->now, &e)) {
			json_decref(p.data);
			json_decref(p.errors);
			ret = web_err(r, &e);
		} else {
			ret = web_render(r, 400, &p);
		}
	}
	json_decref(c);
	return ret;
}

enum MHD_Result page_decision_form(struct req *r)
{
	enum MHD_Result ret;
	json_t *c;
	if (read_case(r, &c, &ret))
		return ret;
	const char *given = req_arg(r, "subject");
	const char *subject = pick_subject(c, given);
	if (!subject)
		return choose_subject(r, c);
	if (!*subject) {
		json_decref(c);
		return web_error(r, 404, "That person is not a subject of this incident.");
	}
	struct decide_input in = {.subject = arena_strdup(&r->arena, subject)};
	return decide_page(r, c, &in, NULL);
}

enum MHD_Result page_decision(struct req *r)
{
	struct err e = {0};
	struct form f;
	struct decision d;
	enum MHD_Result ret;
	json_t *c;

	if (web_form(r, &f, &e))
		return web_err(r, &e);
	if (read_case(r, &c, &ret))
		return ret;
	const char *subject = pick_subject(c, form_text(&r->arena, &f, "subject"));
	if (!subject || !*subject) {
		json_decref(c);
		return web_error(r, 404, "That person is not a subject of this incident.");
	}
	struct decide_input in = {
	    .subject = arena_strdup(&r->arena, subject),
	    .outcome = form_get(&f, "outcome"),
	    .severity = form_get(&f, "severity"),
	    .rationale = form_get(&f, "rationale"),
	    .override_reason = form_get(&f, "override_reason"),
	    .override_open = form_has(&f, "override"),
	};
	int outcome = in.outcome ? vocab_parse(&vocab_outcome, in.outcome) : -1;
	int severity = in.severity ? vocab_parse(&vocab_severity, in.severity) : -1;
	const char *rationale = form_text(&r->arena, &f, "rationale");
	const char *override = form_text(&r->arena, &f, "override_reason");
	json_t *errors = json_array();

	if (outcome < 0) {
		in.outcome = NULL;
		web_error_add(errors, "outcome", "Select the outcome of your decision");
	}
	if (severity <= SEV_UNGRADED) {
		in.severity = NULL;
		web_error_add(errors, "severity", "Select the severity you decide on");
	}
	if (!*rationale)
		web_error_add(errors, "rationale",
			      "Enter your rationale: why, considering the damage, the intent and "
			      "previous warnings");
	else if (strlen(rationale) > DECISION_TEXT_MAX)
		web_error_add(errors, "rationale",
			      "Your rationale must be 10,000 characters or fewer");
	/* Whether it differs, as decision_check will judge it, so that every
	 * missing answer is named at once; the service checks again. */
	json_t *as = find_by(jv(c, "assessments"), "subject", subject);
	if (as && outcome >= 0 && severity > SEV_UNGRADED && !*override) {
		int rec = vocab_parse(&vocab_recommendation, jstr(as, "recommendation"));
		int route = vocab_parse(&vocab_route, jstr(as, "route"));
		int asev = vocab_parse(&vocab_severity, jstr(as, "severity"));
		bool differs = (asev > SEV_UNGRADED && asev != severity) ||
			       (rec >= 0 && route >= 0 &&
				!assess_outcome_follows((enum recommendation)rec, (enum route)route,
							(enum outcome)outcome));
		if (differs)
			web_error_add(errors, "override_reason",
				      "Enter why your decision differs from the recommendation");
	} else if (strlen(override) > DECISION_TEXT_MAX) {
		web_error_add(errors, "override_reason",
			      "Your reason must be 10,000 characters or fewer");
	}
	if (json_array_size(errors)) {
		if (find_by(errors, "field", "override_reason"))
			in.override_open = true;
		return decide_page(r, c, &in, errors);
	}
	json_decref(errors);

	decision_init(&d);
	snprintf(d.subject, sizeof d.subject, "%s", subject);
	d.outcome = (enum outcome)outcome;
	d.severity = (enum severity)severity;
	d.rationale = xstrdup(in.rationale);
	d.override_reason = *override ? xstrdup(in.override_reason) : NULL;
	if (registry_decide(r->store, &r->actor, r->params[0], &d, r->now, &e)) {
		decision_release(&d);
		if (e.kind == ERR_INVALID) {
			const char *field = strcmp(e.field, "override_reason") == 0
						? "override_reason"
					    : strcmp(e.field, "severity") == 0 ? "severity"
					    : strcmp(e.field, "outcome") == 0  ? "outcome"
									       : "rationale";
			in.override_open =
			    in.override_open || strcmp(field, "override_reason") == 0;
			return decide_page(r, c, &in, web_errors_from(&e, field));
		}
		json_decref(c);
		return refused(r, &e);
	}
	decision_release(&d);
	const char *path = arena_printf(&r->arena, "/incidents/%s?done=decision", jstr(c, "ref"));
	json_decref(c);
	return web_redirect(r, web_local_path(path) ? path : "/");
}

/* ---- breach notices ---- */

enum MHD_Result page_notice_issue(struct req *r)
{
	struct err e = {0};
	struct form f;
	struct notice n;
	if (web_form(r, &f, &e))
		return web_err(r, &e);
	const char *subject = form_text(&r->arena, &f, "subject");
	if (!*subject || !jsonx_is_staff_id(subject))
		return web_error(r, 400, "Choose the person the breach notice is for.");
	if (registry_notice(r->store, &r->actor, r->params[0], subject, r->now, &n, &e))
		return refused(r, &e);
	const char *path = arena_printf(&r->arena, "/notices/%s", n.number);
	notice_release(&n);
	return web_redirect(r, path);
}

enum MHD_Result page_notice(struct req *r)
{
	struct err e = {0};
	json_t *o;
	if (!is_notice_number(r->params[0]))
		return web_error(r, 404, "If you typed the web address, check it is correct.");
	/* The service audits the read as one of the notice's incident. */
	if (registry_notice_get(r->store, &r->actor, r->params[0], r->now, &o, &e))
		return refused(r, &e);
	json_t *doc = jv(o, "document");
	json_t *to = jv(doc, "to");
	const char *sev = jstr(o, "severity");
	const char *outcome = jstr(doc, "outcome");
	json_t *data = json_pack(
	    "{s:O, s:O, s:O, s:O, s:o, s:s, s:s, s:O, s:O, s:o, s:o, s:o, s:o, s:O, s:O, s:O}",
	    "number", jv(o, "number"), "ref", jv(o, "ref"), "name",
	    to ? jv(to, "name") : jv(o, "subject"), "staff_id", jv(o, "subject"), "org",
	    org_name(r->store, to ? jstr(to, "org") : NULL), "severity", severity_label(sev),
	    "outcome", outcome_label(outcome), "breaches", jv(doc, "breaches"), "consequences",
	    jv(doc, "consequences"), "issued_on", day_words(jstr(o, "issued_on")), "live_until",
	    day_words(jstr(doc, "live_until")), "acknowledge_by",
	    day_words(jstr(o, "acknowledge_by")), "acknowledged_on",
	    day_words(jstr(o, "acknowledged_on")), "policy_refs", jv(o, "policy_refs"), "addressee",
	    jv(o, "addressee"), "guidance", jv(doc, "guidance"));
	char title[64];
	snprintf(title, sizeof title, "Breach notice %s", jstr(o, "number"));
	const char *done = req_arg(r, "done");
	struct web_page p = {
	    .title = title,
	    .template = "notice",
	    .data = data,
	    .marking = arena_strdup(&r->arena, jstr(o, "marking")),
	    .nav = json_is_true(jv(o, "addressee")) ? "my-reports" : "incidents",
	    .flash = done && strcmp(done, "acknowledged") == 0
			 ? "You have acknowledged this breach notice"
			 : NULL,
	};
	enum MHD_Result ret = web_render(r, 200, &p);
	json_decref(o);
	return ret;
}

enum MHD_Result page_notice_ack(struct req *r)
{
	struct err e = {0};
	struct form f;
	if (web_form(r, &f, &e))
		return web_err(r, &e);
	if (!is_notice_number(r->params[0]))
		return web_error(r, 404, "If you typed the web address, check it is correct.");
	if (registry_notice_acknowledge(r->store, &r->actor, r->params[0], r->now, &e)) {
		if (e.kind == ERR_CONFLICT)
			return web_error(r, 409,
					 "You have already acknowledged this breach notice.");
		if (e.kind == ERR_FORBIDDEN)
			return web_error(r, 403,
					 "Only the person a breach notice is addressed to can "
					 "acknowledge it.");
		return refused(r, &e);
	}
	return web_redirect(r,
			    arena_printf(&r->arena, "/notices/%s?done=acknowledged", r->params[0]));
}

/* ---- a person and their warnings ---- */

enum MHD_Result page_person(struct req *r)
{
	struct err e = {0};
	struct person p;
	json_t *w = NULL;
	enum MHD_Result ret;

	if (!jsonx_is_staff_id(r->params[0]))
		return web_error(r, 404, "If you typed the web address, check it is correct.");
	person_init(&p);
	/* registry_warnings decides who may see the person. */
	if (registry_warnings(r->store, &r->actor, r->params[0], r->now, &w, &e) ||
	    r->store->ops->person_get(r->store, r->params[0], &p, &e)) {
		json_decref(w);
		person_release(&p);
		return refused(r, &e);
	}
	json_t *live = json_array(), *expired = json_array(), *it;
	size_t i;
	json_array_foreach(jv(w, "warnings"), i, it)
	{
		json_t *row = json_pack(
		    "{s:s, s:o, s:o, s:O, s:O}", "level",
		    words_of(&vocab_warning_level, level_words, WRN_COUNT, jstr(it, "level")),
		    "issued_on", day_words(jstr(it, "issued_on")), "expires_on",
		    day_words(jstr(it, "expires_on")), "notice", jv(it, "notice"), "ref",
		    jv(it, "ref"));
		json_array_append_new(json_is_true(jv(it, "live")) ? live : expired, row);
	}
	char prob[DATE_BUF] = "";
	if (p.probation_until != DATE_NONE)
		date_format(p.probation_until, prob);
	bool on_probation =
	    p.probation_until != DATE_NONE && p.probation_until >= date_of_ts(r->now);
	bool self = r->actor.staff_id[0] && strcmp(r->actor.staff_id, p.staff_id) == 0;
	json_t *data =
	    json_pack("{s:s, s:o, s:o, s:s, s:o, s:s, s:s, s:o, s:b, s:o, s:o, s:O, s:O, s:b}",
		      "staff_id", p.staff_id, "name", jsonx_text_value(p.name ? p.name : ""),
		      "org_name", org_name(r->store, p.org), "org", p.org, "line_manager",
		      p.manager[0] ? json_string(p.manager) : json_null(), "engagement",
		      engagement_words[p.engagement], "clearance", clearance_words[p.clearance],
		      "probation_until", prob[0] ? day_words(prob) : json_null(), "on_probation",
		      on_probation, "live", live, "expired", expired, "live_count", jv(w, "live"),
		      "guidance_version", jv(w, "guidance_version"), "self", self);
	char title[160];
	snprintf(title, sizeof title, "%s", p.name && *p.name ? p.name : p.staff_id);
	struct web_page pg = {
	    .title = title,
	    .template = "person",
	    .data = data,
	    /* A named person's disciplinary record. */
	    .marking = "OFFICIAL-SENSITIVE HR / MANAGEMENT / PERSONAL DATA",
	    .nav = "incidents",
	};
	ret = web_render(r, 200, &pg);
	json_decref(w);
	person_release(&p);
	return ret;
}
