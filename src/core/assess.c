/* assess: rule tables and the engine (see assess.h). */
#include "core/assess.h"

#include <stdio.h>
#include <string.h>

#include "core/catalogue.h"

/* Facts derived once per assessment, read by several rules. */
struct ctx {
	const struct facts *f;
	const struct guidance *g;
	int live;
	unsigned flags;    /* union of the listed types' flags */
	unsigned controls; /* bit per enum control of the listed types */
};

static bool any_personal_data(const struct facts *f)
{
	return f->records > 0 || f->special_category;
}

static bool is_secret(const struct ctx *c)
{
	return c->f->classification >= CLS_SECRET || c->f->strap;
}
static bool is_disclosure(const struct ctx *c)
{
	return c->f->third_party_disclosure && c->f->classification >= CLS_OFFICIAL &&
	       !c->f->authorised;
}
static bool is_criminal(const struct ctx *c)
{
	return c->f->criminal;
}
static bool is_official_material(const struct ctx *c)
{
	unsigned want = 1u << CTL_INFORMATION_HANDLING | 1u << CTL_ASSET_MANAGEMENT;
	return (c->f->classification == CLS_OFFICIAL ||
		c->f->classification == CLS_OFFICIAL_SENSITIVE) &&
	       (c->controls & want);
}
static bool is_personal_data(const struct ctx *c)
{
	return c->f->records >= c->g->significant_records || c->f->special_category;
}
static bool is_deliberate_misuse(const struct ctx *c)
{
	return (c->flags & TYPE_ASSET_MISUSE) && c->f->intent == INT_DELIBERATE;
}
static bool is_aggravated(const struct ctx *c)
{
	return c->f->intent == INT_DELIBERATE || c->f->intent == INT_RECKLESS || c->live > 0;
}

enum effect { RAISE_TO, STEP_UP };

/* Severity rules in the order SPEC 3.1 applies them. */
static const struct severity_rule {
	enum rule_id id;
	enum effect effect;
	enum severity level;
	bool (*fires)(const struct ctx *);
} severity_rules[] = {
	{RULE_SECRET_MATERIAL, RAISE_TO, SEV_GROSS, is_secret},
	{RULE_CLASSIFIED_DISCLOSURE, RAISE_TO, SEV_GROSS, is_disclosure},
	{RULE_CRIMINAL, RAISE_TO, SEV_GROSS, is_criminal},
	{RULE_OFFICIAL_MATERIAL, RAISE_TO, SEV_SERIOUS, is_official_material},
	{RULE_PERSONAL_DATA, RAISE_TO, SEV_SERIOUS, is_personal_data},
	{RULE_DELIBERATE_MISUSE, RAISE_TO, SEV_GROSS, is_deliberate_misuse},
	{RULE_AGGRAVATION, STEP_UP, SEV_GROSS, is_aggravated},
};

/* Rule ids, the statement each implements, for explanations. */
static const struct rule_meta {
	const char *name;
	const char *policy;
} rule_meta[RULE_COUNT] = {
	[RULE_BASELINE] = {"baseline", "POLSBP003"},
	[RULE_SECRET_MATERIAL] = {"secret-material", "POLSBP006"},
	[RULE_CLASSIFIED_DISCLOSURE] = {"classified-disclosure", "POLSBP006"},
	[RULE_CRIMINAL] = {"criminal", "POLSBP006"},
	[RULE_OFFICIAL_MATERIAL] = {"official-material", "POLSBP006"},
	[RULE_PERSONAL_DATA] = {"personal-data", "POLSBP006"},
	[RULE_DELIBERATE_MISUSE] = {"deliberate-misuse", "POLSBP006"},
	[RULE_AGGRAVATION] = {"aggravation", "POLSBP006"},
	[RULE_WARNINGS] = {"warnings", "POLSBP003"},
	[RULE_ROUTE] = {"route", "POLSBP005"},
	[RULE_RECOMMENDATION] = {"recommendation", "POLSBP003"},
};

/* Route by engagement (SPEC 3.2); probation is decided in route_of(). */
static const struct route_row {
	enum route route;
	const char *policy;
} route_rows[ENG_COUNT] = {
	[ENG_EMPLOYEE] = {ROUTE_DISCIPLINARY, "POLSBP005"},
	[ENG_CONTRACTOR] = {ROUTE_CONTRACT, "POLSBP001"},
	[ENG_AGENCY] = {ROUTE_CONTRACT, "POLSBP001"},
	[ENG_MINISTER] = {ROUTE_REFERRAL, "POLSBP004"},
	[ENG_SPECIAL_ADVISER] = {ROUTE_REFERRAL, "POLSBP004"},
	[ENG_PERMANENT_SECRETARY] = {ROUTE_REFERRAL, "POLSBP004"},
	[ENG_JUDICIAL_OFFICER] = {ROUTE_REFERRAL, "POLSBP004"},
};

/* SPEC 3.3: [severity][mitigated?]. */
static const enum recommendation rec_table[SEV_COUNT][2] = {
	[SEV_UNGRADED] = {REC_MANAGER_TO_GRADE, REC_MANAGER_TO_GRADE},
	[SEV_MINOR] = {REC_BREACH_NOTICE, REC_ADVICE},
	[SEV_SERIOUS] = {REC_FORMAL_ACTION, REC_BREACH_NOTICE},
	[SEV_GROSS] = {REC_FORMAL_ACTION, REC_FORMAL_ACTION},
};

static bool needs_dpo(const struct ctx *c)
{
	return any_personal_data(c->f);
}
static bool needs_dso(const struct ctx *c)
{
	return is_secret(c);
}
/* SPEC 3.4 as written: legal referral on the `criminal` fact; vetting on a
 * circumstances or criminal *type* for a person cleared above BPSS. */
static bool needs_legal(const struct ctx *c)
{
	return c->f->criminal;
}
static bool needs_vetting(const struct ctx *c)
{
	return c->f->subject.clearance > CLR_BPSS &&
	       (c->flags & (TYPE_CIRCUMSTANCES | TYPE_CRIMINAL));
}
static bool needs_access_review(const struct ctx *c)
{
	return (c->flags & TYPE_ACCESS) != 0;
}

/* SPEC 3.4, in output order. due_hours 0: no statutory time. */
static const struct action_row {
	enum action_code code;
	bool (*due_when)(const struct ctx *);
	int due_hours;
	const char *text;
} action_rows[] = {
	{ACT_DPO_NOTIFY, needs_dpo, 72,
	 "tell the Data Protection Officer: the ICO must be notified within 72 hours of discovery "
	 "unless the breach is unlikely to risk people's rights (UK GDPR Art. 33)"},
	{ACT_DSO_NOTIFY, needs_dso, 0,
	 "tell the Departmental Security Officer: SECRET, TOP SECRET or STRAP material is involved"},
	{ACT_LEGAL_REFERRAL, needs_legal, 0, "refer to legal services: a criminal act is alleged"},
	{ACT_VETTING_NOTIFY, needs_vetting, 0,
	 "tell the vetting authority: a cleared person's circumstances or conduct bear on their "
	 "clearance"},
	{ACT_CONTRACT_MANAGER_NOTIFY, NULL, 0,
	 "tell the contract manager: the contract is reviewed and may be cancelled"},
	{ACT_ACCESS_REVIEW, needs_access_review, 0,
	 "review and reset the passes or accounts involved"},
};

date_t assess_warning_expires(const struct warning_fact *w, const struct guidance *g)
{
	return date_add_months(w->issued_on, g->live_months[w->level]);
}

bool assess_warning_live(const struct warning_fact *w, date_t today, const struct guidance *g)
{
	return w->issued_on <= today && today < assess_warning_expires(w, g);
}

static enum route route_of(const struct facts *f)
{
	const struct subject_fact *s = &f->subject;
	if (s->engagement == ENG_EMPLOYEE &&
	    (s->on_probation || (s->probation_until != DATE_NONE && s->probation_until >= f->today)))
		return ROUTE_PROBATION;
	return route_rows[s->engagement].route;
}

static const char *discipline_of(const struct subject_fact *s)
{
	if (s->discipline_policy >= 0)
		return vocab_name(&vocab_discipline, s->discipline_policy);
	if (strcmp(s->org, "hmpps") == 0 || strncmp(s->org, "hmpps-", 6) == 0)
		return vocab_name(&vocab_discipline, DISC_HMPPS);
	return vocab_name(&vocab_discipline, DISC_MOJ);
}

static void explain(struct assessment *a, enum rule_id id, enum severity from, enum severity to)
{
	a->expl[a->nexpl++] = (struct explanation){id, from, to};
}

bool assess_outcome_follows(enum recommendation rec, enum route route, enum outcome outcome)
{
	/* The disciplinary route's own outcomes are breach-notice and
	 * formal-action themselves: OUT_COUNT matches nothing. */
	static const enum outcome route_outcome[ROUTE_COUNT] = {
		[ROUTE_DISCIPLINARY] = OUT_COUNT,
		[ROUTE_PROBATION] = OUT_PROBATION_REVIEW,
		[ROUTE_CONTRACT] = OUT_CONTRACT_REVIEW,
		[ROUTE_REFERRAL] = OUT_REFERRAL,
	};
	switch (rec) {
	case REC_MANAGER_TO_GRADE:
		return true;
	case REC_ADVICE:
		return outcome == OUT_ADVICE;
	case REC_BREACH_NOTICE:
		return outcome == OUT_BREACH_NOTICE || outcome == route_outcome[route];
	case REC_FORMAL_ACTION:
		return outcome == OUT_FORMAL_ACTION || outcome == route_outcome[route];
	case REC_COUNT:
		break;
	}
	return false;
}

int assess(const struct facts *f, const struct guidance *g, struct assessment *a, struct err *e)
{
	struct ctx c = {f, g, 0, 0, 0};
	if (f->ntypes < 1)
		return err_set(e, ERR_INVALID, "types", "\"types\" must name at least one breach type");
	if (f->today == DATE_NONE)
		return err_set(e, ERR_INVALID, "today", "\"today\" is required to judge warnings");
	memset(a, 0, sizeof *a);
	a->guidance_version = g->version;

	/* Rule 1: the highest grade of the listed types (ungraded adds none). */
	enum severity sev = SEV_UNGRADED;
	for (int i = 0; i < f->ntypes; i++) {
		const struct guidance_type *t = &g->types[f->types[i]];
		if (t->grade > sev)
			sev = t->grade;
		c.flags |= t->flags;
		c.controls |= 1u << t->control;
	}
	a->baseline = sev;
	explain(a, RULE_BASELINE, SEV_UNGRADED, sev);

	for (int i = 0; i < f->nwarnings; i++)
		c.live += assess_warning_live(&f->warnings[i], f->today, g);
	a->live_warnings = c.live;
	if (f->nwarnings > 0)
		explain(a, RULE_WARNINGS, sev, sev);

	/* Rules 2-8: raise only, never below the baseline, never above gross. */
	for (size_t i = 0; i < sizeof severity_rules / sizeof severity_rules[0]; i++) {
		const struct severity_rule *r = &severity_rules[i];
		if (!r->fires(&c))
			continue;
		enum severity from = sev;
		if (r->effect == RAISE_TO && sev < r->level)
			sev = r->level;
		else if (r->effect == STEP_UP && sev != SEV_UNGRADED && sev < SEV_GROSS)
			sev = (enum severity)(sev + 1);
		explain(a, r->id, from, sev);
	}
	a->severity = sev;

	/* Route by the subject (the only place engagement is read). */
	a->route = route_of(f);
	a->route_policy = NULL;
	if (a->route == ROUTE_DISCIPLINARY)
		a->route_policy = discipline_of(&f->subject);
	else if (a->route == ROUTE_REFERRAL)
		a->route_policy = g->referral[f->subject.engagement];
	explain(a, RULE_ROUTE, sev, sev);

	bool mitigated = c.live == 0 && f->intent <= INT_NEGLIGENT && f->damage <= DMG_MODERATE;
	a->recommendation = rec_table[sev][mitigated];
	explain(a, RULE_RECOMMENDATION, sev, sev);

	for (size_t i = 0; i < sizeof action_rows / sizeof action_rows[0]; i++) {
		const struct action_row *r = &action_rows[i];
		bool due = r->due_when ? r->due_when(&c) : a->route == ROUTE_CONTRACT;
		if (!due)
			continue;
		struct action *act = &a->actions[a->nactions++];
		act->code = r->code;
		act->due = r->due_hours && f->discovered_at != TS_NONE
				   ? f->discovered_at + (ts_t)r->due_hours * 3600
				   : TS_NONE;
	}
	return 0;
}

/* ---- explanation text: formatted only when output is asked for ---- */

static const char *sev_name(enum severity s)
{
	return vocab_name(&vocab_severity, s);
}

static int types_text(char *buf, size_t size, const struct facts *f, const struct guidance *g)
{
	int off = 0;
	for (int i = 0; i < f->ntypes && (size_t)off < size; i++) {
		const struct guidance_type *t = &g->types[f->types[i]];
		off += snprintf(buf + off, size - (size_t)off, "%s%s (%s, %s)", i ? "; " : "",
				t->code, t->title, sev_name(t->grade));
	}
	return off;
}

static void warnings_text(char *buf, size_t size, const struct facts *f, const struct guidance *g,
			  int live)
{
	char d1[DATE_BUF], d2[DATE_BUF], today[DATE_BUF];
	date_format(f->today, today);
	int off = snprintf(buf, size, "%d of %d previous warning%s live on %s:", live, f->nwarnings,
		       f->nwarnings == 1 ? "" : "s", today);
	for (int i = 0; i < f->nwarnings && off > 0 && (size_t)off < size; i++) {
		const struct warning_fact *w = &f->warnings[i];
		date_format(w->issued_on, d1);
		date_format(assess_warning_expires(w, g), d2);
		off += snprintf(buf + off, size - (size_t)off, "%s %s issued %s, %s %s", i ? ";" : "",
				vocab_name(&vocab_warning_level, w->level), d1,
				assess_warning_live(w, f->today, g) ? "live until" : "expired on", d2);
	}
}

static void explanation_text(char *buf, size_t size, const struct explanation *x,
			     const struct assessment *a, const struct facts *f,
			     const struct guidance *g)
{
	char types[1024];
	switch (x->rule) {
	case RULE_BASELINE:
		types_text(types, sizeof types, f, g);
		if (x->to == SEV_UNGRADED)
			snprintf(buf, size,
				 "guidance %s gives no grade for %s: the manager must grade this breach",
				 g->version, types);
		else
			snprintf(buf, size, "guidance %s grades %s: baseline %s", g->version, types,
				 sev_name(x->to));
		return;
	case RULE_SECRET_MATERIAL:
		snprintf(buf, size,
			 "%s material%s is involved: a breach involving SECRET, TOP SECRET or STRAP "
			 "material is gross misconduct",
			 vocab_name(&vocab_classification, f->classification),
			 f->strap ? " with STRAP" : "");
		return;
	case RULE_CLASSIFIED_DISCLOSURE:
		snprintf(buf, size,
			 "%s material was disclosed to a third party without authority: gross "
			 "misconduct",
			 vocab_name(&vocab_classification, f->classification));
		return;
	case RULE_CRIMINAL:
		snprintf(buf, size, "a criminal act (fraud, theft, assault or other) is gross misconduct");
		return;
	case RULE_OFFICIAL_MATERIAL:
		snprintf(buf, size,
			 "%s documents or assets were not secured or were lost: at least serious "
			 "misconduct",
			 vocab_name(&vocab_classification, f->classification));
		return;
	case RULE_PERSONAL_DATA:
		snprintf(buf, size,
			 "%lld personal data record%s%s (significant from %lld under %s): at least "
			 "serious misconduct",
			 (long long)f->records, f->records == 1 ? "" : "s",
			 f->special_category ? ", special category" : "",
			 (long long)g->significant_records, g->version);
		return;
	case RULE_DELIBERATE_MISUSE:
		snprintf(buf, size, "deliberate misuse of assets or sensitive information: gross misconduct");
		return;
	case RULE_AGGRAVATION: {
		char why[256];
		int off = 0;
		if (f->intent >= INT_RECKLESS)
			off += snprintf(why, sizeof why, "%s intent",
					vocab_name(&vocab_intent, f->intent));
		if (a->live_warnings > 0)
			snprintf(why + off, sizeof why - (size_t)off, "%s%d live warning%s",
				 off ? " and " : "", a->live_warnings,
				 a->live_warnings == 1 ? "" : "s");
		if (x->from == SEV_UNGRADED)
			snprintf(buf, size,
				 "%s: repeated or deliberate breaches weigh more; the manager grades "
				 "with this in mind",
				 why);
		else if (x->from == x->to)
			snprintf(buf, size, "%s: repeated or deliberate breach, already %s", why,
				 sev_name(x->to));
		else
			snprintf(buf, size, "%s: repeated or deliberate breach, raised from %s to %s",
				 why, sev_name(x->from), sev_name(x->to));
		return;
	}
	case RULE_WARNINGS:
		warnings_text(buf, size, f, g, a->live_warnings);
		return;
	case RULE_ROUTE: {
		const char *eng = vocab_name(&vocab_engagement, f->subject.engagement);
		switch (a->route) {
		case ROUTE_PROBATION:
			snprintf(buf, size,
				 "employee on probation: dealt with under the probation policy, not the "
				 "disciplinary policy");
			return;
		case ROUTE_DISCIPLINARY:
			snprintf(buf, size, "employee: %s disciplinary policy applies",
				 strcmp(a->route_policy, "hmpps") == 0 ? "HMPPS" : "MoJ");
			return;
		case ROUTE_CONTRACT:
			snprintf(buf, size,
				 "%s: the contract is reviewed; failure to comply might lead to its "
				 "cancellation",
				 eng);
			return;
		case ROUTE_REFERRAL:
		case ROUTE_COUNT:
			snprintf(buf, size,
				 "%s: security procedures apply equally to all; referred to %s",
				 eng, a->route_policy ? a->route_policy : "the configured authority");
			return;
		}
		return;
	}
	case RULE_RECOMMENDATION:
		if (a->severity == SEV_UNGRADED)
			snprintf(buf, size, "ungraded: the manager grades and decides, and records why");
		else
			snprintf(buf, size,
				 "%s misconduct with %d live warning%s, %s intent and %s damage: "
				 "recommend %s; the manager decides and records why if they differ",
				 sev_name(a->severity), a->live_warnings,
				 a->live_warnings == 1 ? "" : "s", vocab_name(&vocab_intent, f->intent),
				 vocab_name(&vocab_damage, f->damage),
				 vocab_name(&vocab_recommendation, a->recommendation));
		return;
	case RULE_COUNT:
		break;
	}
	buf[0] = '\0';
}

json_t *assessment_to_json(const struct assessment *a, const struct facts *f,
			   const struct guidance *g)
{
	json_t *actions = json_array(), *expl = json_array(), *warnings = json_array();
	char text[2048], t[TS_BUF], d1[DATE_BUF], d2[DATE_BUF];

	for (int i = 0; i < a->nactions; i++) {
		const struct action *act = &a->actions[i];
		const char *say = "";
		for (size_t k = 0; k < sizeof action_rows / sizeof action_rows[0]; k++)
			if (action_rows[k].code == act->code)
				say = action_rows[k].text;
		json_t *due = json_null();
		if (act->due != TS_NONE) {
			date_format_ts(act->due, t);
			due = json_string(t);
		}
		json_array_append_new(actions, json_pack("{s:s, s:o, s:s}", "code",
							 vocab_name(&vocab_action, act->code),
							 "due", due, "text", say));
	}
	for (int i = 0; i < a->nexpl; i++) {
		const struct explanation *x = &a->expl[i];
		const char *policy = rule_meta[x->rule].policy;
		if (x->rule == RULE_ROUTE)
			policy = a->route == ROUTE_PROBATION ? "POLSBP005"
							     : route_rows[f->subject.engagement].policy;
		explanation_text(text, sizeof text, x, a, f, g);
		json_array_append_new(expl, json_pack("{s:s, s:s, s:s}", "rule",
						      rule_meta[x->rule].name, "policy", policy,
						      "text", text));
	}
	for (int i = 0; i < f->nwarnings; i++) {
		const struct warning_fact *w = &f->warnings[i];
		date_format(w->issued_on, d1);
		date_format(assess_warning_expires(w, g), d2);
		json_array_append_new(
			warnings,
			json_pack("{s:s, s:s, s:s, s:b}", "level",
				  vocab_name(&vocab_warning_level, w->level), "issued_on", d1,
				  "expires_on", d2, "live", assess_warning_live(w, f->today, g)));
	}
	return json_pack("{s:s, s:s, s:s, s:o, s:s, s:o, s:i, s:o, s:o, s:s, s:s}", "severity",
			 sev_name(a->severity), "baseline", sev_name(a->baseline), "route",
			 vocab_name(&vocab_route, a->route), "route_policy",
			 a->route_policy ? json_string(a->route_policy) : json_null(),
			 "recommendation", vocab_name(&vocab_recommendation, a->recommendation),
			 "actions", actions, "live_warnings", a->live_warnings, "warnings", warnings,
			 "explanation", expl, "guidance_version", a->guidance_version,
			 "guidance_chain", g->chain);
}
