/* test_core_assess: the policy engine (src/core/assess.h, facts.h) against
 * SPEC 3: severity rules 3.1, routes 3.2, recommendations 3.3, actions 3.4,
 * warnings 3.5, equal treatment (POLSBP004), explanations, parse errors and
 * the worked examples in shared/scenarios (one JSON file each).
 *
 * Facts are written as JSON with single quotes (turned into double quotes
 * before parsing) so that the tables read like the SPEC. Unless a row says
 * otherwise, today is 2026-11-28 and discovered_at 2026-11-20T09:30:00Z. */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/assess.h"
#include "core/facts.h"
#include "core/guidance.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A failing table row is printed and counted rather than ending the test,
 * so that one run shows every failing row; each test asserts at its end
 * that none failed. */
static int bad;
#define FAIL_ROW(...)                                                                              \
	do {                                                                                       \
		print_error(__VA_ARGS__);                                                          \
		print_error("\n");                                                                 \
		bad++;                                                                             \
	} while (0)
#define TODAY	   "2026-11-28"
#define DISCOVERED "2026-11-20T09:30:00Z"

/* ---- helpers ---- */

/* Loads single-quoted JSON text; fails the test on a syntax error. */
static json_t *load_sq(const char *sq)
{
	char *text = xstrdup(sq);
	json_error_t jerr;
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_t *j = json_loads(text, 0, &jerr);
	if (!j)
		fail_msg("test JSON does not parse (%s): %s", jerr.text, text);
	free(text);
	return j;
}

/* A guidance: the baseline, with doc (single-quoted JSON) layered on as
 * "test/2" when doc is not NULL. Release with guidance_release. */
static void make_guidance(struct guidance *g, const char *doc)
{
	guidance_init_baseline(g);
	if (!doc)
		return;
	json_t *j = load_sq(doc);
	struct err e;
	err_clear(&e);
	if (guidance_apply(g, j, "test/2", &e) != 0)
		fail_msg("guidance %s rejected: %s: %s", doc, e.field, e.msg);
	json_decref(j);
}

/* Parses facts (single-quoted JSON, today and discovered_at defaulted) and
 * assesses them under g; fails the test on any error. */
static void assess_sq(const char *facts_sq, const struct guidance *g, struct facts *f,
		      struct assessment *a)
{
	json_t *j = load_sq(facts_sq);
	struct err e;
	err_clear(&e);
	if (!json_object_get(j, "today"))
		json_object_set_new(j, "today", json_string(TODAY));
	if (!json_object_get(j, "discovered_at"))
		json_object_set_new(j, "discovered_at", json_string(DISCOVERED));
	facts_init(f);
	if (facts_parse(f, j, g, &e) != 0)
		fail_msg("facts %s rejected: %s: %s", facts_sq, e.field, e.msg);
	json_decref(j);
	if (assess(f, g, a, &e) != 0)
		fail_msg("assess(%s) failed: %s: %s", facts_sq, e.field, e.msg);
}

static const char *sev(enum severity s)
{
	return vocab_name(&vocab_severity, s);
}

/* Whether the assessment's explanation has a line for that rule. */
static bool explains(const json_t *out, const char *rule)
{
	const json_t *ex = json_object_get(out, "explanation");
	size_t i;
	const json_t *line;
	json_array_foreach(ex, i, line)
	{
		const char *r = json_string_value(json_object_get(line, "rule"));
		if (r && strcmp(r, rule) == 0)
			return true;
	}
	return false;
}

static bool has_action(const struct assessment *a, enum action_code code)
{
	for (int i = 0; i < a->nactions; i++)
		if (a->actions[i].code == code)
			return true;
	return false;
}

/* Checks every explanation line: rule, policy and text are non-empty
 * strings and policy names one of the statements POLSBP001-006. */
static void check_explanation(const json_t *out, const char *what)
{
	const json_t *ex = json_object_get(out, "explanation");
	size_t i;
	const json_t *line;
	if (!json_is_array(ex) || json_array_size(ex) == 0)
		FAIL_ROW("%s: explanation is missing or empty", what);
	json_array_foreach(ex, i, line)
	{
		const char *rule = json_string_value(json_object_get(line, "rule"));
		const char *pol = json_string_value(json_object_get(line, "policy"));
		const char *text = json_string_value(json_object_get(line, "text"));
		if (!rule || !*rule || !pol || !text || !*text) {
			FAIL_ROW("%s: explanation[%zu] lacks rule, policy or text", what, i);
			continue;
		}
		if (strlen(pol) != 9 || strncmp(pol, "POLSBP00", 8) != 0 || pol[8] < '1' ||
		    pol[8] > '6')
			FAIL_ROW("%s: explanation[%zu] (%s) cites \"%s\", not POLSBP001-006", what,
				 i, rule, pol);
	}
}

/* ---- SPEC 3.1 severity rules, each firing and not, at its boundary ---- */

static const struct sev_case {
	const char *name;
	const char *guidance; /* layered over the baseline, or NULL */
	const char *facts;
	enum severity severity, baseline;
	const char *rule; /* the rule under test, or NULL */
	bool fires;	  /* whether it must (true) or must not (false) explain */
} sev_cases[] = {
    /* 1 baseline: the highest baseline of the listed types */
    {"baseline highest of two", NULL, "{'types':['pass-lost','account-sharing']}", SEV_SERIOUS,
     SEV_SERIOUS, "baseline", true},
    {"baseline order does not matter", NULL, "{'types':['account-sharing','pass-lost']}",
     SEV_SERIOUS, SEV_SERIOUS, "baseline", true},
    {"baseline two minors", NULL, "{'types':['pass-lost','workstation-unlocked']}", SEV_MINOR,
     SEV_MINOR, "baseline", true},
    {"baseline three grades", NULL,
     "{'types':['pass-lost','cabinet-unlocked','it-policy-serious-breach']}", SEV_GROSS, SEV_GROSS,
     "baseline", true},
    {"baseline ungraded adds nothing", NULL, "{'types':['other','pass-lost']}", SEV_MINOR,
     SEV_MINOR, "baseline", true},
    {"baseline gross type without criminal fact", NULL, "{'types':['pass-lost','criminal-act']}",
     SEV_GROSS, SEV_GROSS, "criminal", false},
    {"baseline all ungraded", NULL,
     "{'types':['clear-desk-failure','sensitive-info-unprotected','other']}", SEV_UNGRADED,
     SEV_UNGRADED, "baseline", true},
    /* 2 secret-material */
    {"secret", NULL, "{'types':['pass-lost'],'classification':'secret'}", SEV_GROSS, SEV_MINOR,
     "secret-material", true},
    {"top-secret", NULL, "{'types':['pass-lost'],'classification':'top-secret'}", SEV_GROSS,
     SEV_MINOR, "secret-material", true},
    {"strap unclassified", NULL, "{'types':['pass-lost'],'strap':true}", SEV_GROSS, SEV_MINOR,
     "secret-material", true},
    {"official-sensitive is below secret", NULL,
     "{'types':['pass-lost'],'classification':'official-sensitive'}", SEV_MINOR, SEV_MINOR,
     "secret-material", false},
    {"strap false", NULL, "{'types':['pass-lost'],'classification':'official','strap':false}",
     SEV_MINOR, SEV_MINOR, "secret-material", false},
    {"secret raises an ungraded type", NULL, "{'types':['other'],'classification':'secret'}",
     SEV_GROSS, SEV_UNGRADED, "secret-material", true},
    /* 3 classified-disclosure */
    {"disclosure official unauthorised", NULL,
     "{'types':['pass-lost'],'third_party_disclosure':true,'classification':'official'}", SEV_GROSS,
     SEV_MINOR, "classified-disclosure", true},
    {"disclosure official-sensitive", NULL,
     "{'types':['pass-lost'],'third_party_disclosure':true,"
     "'classification':'official-sensitive'}",
     SEV_GROSS, SEV_MINOR, "classified-disclosure", true},
    {"disclosure authorised", NULL,
     "{'types':['pass-lost'],'third_party_disclosure':true,'classification':'official',"
     "'authorised':true}",
     SEV_MINOR, SEV_MINOR, "classified-disclosure", false},
    {"disclosure of unclassified material", NULL,
     "{'types':['pass-lost'],'third_party_disclosure':true,'classification':'none'}", SEV_MINOR,
     SEV_MINOR, "classified-disclosure", false},
    {"no disclosure", NULL,
     "{'types':['pass-lost'],'third_party_disclosure':false,'classification':'official'}",
     SEV_MINOR, SEV_MINOR, "classified-disclosure", false},
    /* 4 criminal */
    {"criminal", NULL, "{'types':['pass-lost'],'criminal':true}", SEV_GROSS, SEV_MINOR, "criminal",
     true},
    {"not criminal", NULL, "{'types':['pass-lost'],'criminal':false}", SEV_MINOR, SEV_MINOR,
     "criminal", false},
    /* 5 official-material */
    {"official info-handling type", NULL,
     "{'types':['sensitive-info-unprotected'],'classification':'official'}", SEV_SERIOUS,
     SEV_UNGRADED, "official-material", true},
    {"official-sensitive info-handling type", NULL,
     "{'types':['sensitive-info-unprotected'],'classification':'official-sensitive'}", SEV_SERIOUS,
     SEV_UNGRADED, "official-material", true},
    {"unclassified info-handling type", NULL,
     "{'types':['sensitive-info-unprotected'],'classification':'none'}", SEV_UNGRADED, SEV_UNGRADED,
     "official-material", false},
    {"official physical-access type", NULL, "{'types':['pass-lost'],'classification':'official'}",
     SEV_MINOR, SEV_MINOR, "official-material", false},
    {"official it-access type", NULL,
     "{'types':['workstation-unlocked'],'classification':'official-sensitive'}", SEV_MINOR,
     SEV_MINOR, "official-material", false},
    {"official with one info-handling type among others", NULL,
     "{'types':['pass-lost','sensitive-info-unprotected'],'classification':'official'}",
     SEV_SERIOUS, SEV_MINOR, "official-material", true},
    {"official asset-management type re-graded minor", "{'grades':{'portable-asset-lost':'minor'}}",
     "{'types':['portable-asset-lost'],'classification':'official'}", SEV_SERIOUS, SEV_MINOR,
     "official-material", true},
    {"unclassified asset-management type re-graded minor",
     "{'grades':{'portable-asset-lost':'minor'}}", "{'types':['portable-asset-lost']}", SEV_MINOR,
     SEV_MINOR, "official-material", false},
    {"official guidance-defined info-handling type",
     "{'types':[{'code':'court-list-disclosed','title':'Court list sent to the wrong party',"
     "'baseline':'minor','control':'information-handling'}]}",
     "{'types':['court-list-disclosed'],'classification':'official'}", SEV_SERIOUS, SEV_MINOR,
     "official-material", true},
    {"official material already serious", NULL,
     "{'types':['official-docs-unsecured'],'classification':'official'}", SEV_SERIOUS, SEV_SERIOUS,
     NULL, false},
    /* 6 personal-data (significant_records 100 by default) */
    {"99 records", NULL, "{'types':['pass-lost'],'personal_data':{'records':99}}", SEV_MINOR,
     SEV_MINOR, "personal-data", false},
    {"100 records", NULL, "{'types':['pass-lost'],'personal_data':{'records':100}}", SEV_SERIOUS,
     SEV_MINOR, "personal-data", true},
    {"5000 records", NULL, "{'types':['pass-lost'],'personal_data':{'records':5000}}", SEV_SERIOUS,
     SEV_MINOR, "personal-data", true},
    {"special category, no count", NULL,
     "{'types':['pass-lost'],'personal_data':{'records':0,'special_category':true}}", SEV_SERIOUS,
     SEV_MINOR, "personal-data", true},
    {"one special-category record", NULL,
     "{'types':['pass-lost'],'personal_data':{'records':1,'special_category':true}}", SEV_SERIOUS,
     SEV_MINOR, "personal-data", true},
    {"49 records, significant 50", "{'significant_records':50}",
     "{'types':['pass-lost'],'personal_data':{'records':49}}", SEV_MINOR, SEV_MINOR,
     "personal-data", false},
    {"50 records, significant 50", "{'significant_records':50}",
     "{'types':['pass-lost'],'personal_data':{'records':50}}", SEV_SERIOUS, SEV_MINOR,
     "personal-data", true},
    {"99 records, significant 50", "{'significant_records':50}",
     "{'types':['pass-lost'],'personal_data':{'records':99}}", SEV_SERIOUS, SEV_MINOR,
     "personal-data", true},
    {"100 records, significant 500", "{'significant_records':500}",
     "{'types':['pass-lost'],'personal_data':{'records':100}}", SEV_MINOR, SEV_MINOR,
     "personal-data", false},
    /* 7 deliberate-misuse */
    {"deliberate asset misuse", NULL, "{'types':['asset-misuse'],'intent':'deliberate'}", SEV_GROSS,
     SEV_SERIOUS, "deliberate-misuse", true},
    {"negligent asset misuse", NULL, "{'types':['asset-misuse'],'intent':'negligent'}", SEV_SERIOUS,
     SEV_SERIOUS, "deliberate-misuse", false},
    {"deliberate misuse re-graded minor is still gross", "{'grades':{'asset-misuse':'minor'}}",
     "{'types':['asset-misuse'],'intent':'deliberate'}", SEV_GROSS, SEV_MINOR, "deliberate-misuse",
     true},
    {"reckless misuse re-graded minor: aggravation only", "{'grades':{'asset-misuse':'minor'}}",
     "{'types':['asset-misuse'],'intent':'reckless'}", SEV_SERIOUS, SEV_MINOR, "deliberate-misuse",
     false},
    {"negligent misuse re-graded minor", "{'grades':{'asset-misuse':'minor'}}",
     "{'types':['asset-misuse'],'intent':'negligent'}", SEV_MINOR, SEV_MINOR, "deliberate-misuse",
     false},
    {"deliberate misuse among other types", "{'grades':{'asset-misuse':'minor'}}",
     "{'types':['pass-lost','asset-misuse'],'intent':'deliberate'}", SEV_GROSS, SEV_MINOR,
     "deliberate-misuse", true},
    {"deliberate but not asset misuse", NULL, "{'types':['pass-lost'],'intent':'deliberate'}",
     SEV_SERIOUS, SEV_MINOR, "deliberate-misuse", false},
    /* 8 aggravation: one level up, once, never above gross */
    {"deliberate minor", NULL, "{'types':['pass-lost'],'intent':'deliberate'}", SEV_SERIOUS,
     SEV_MINOR, "aggravation", true},
    {"reckless minor", NULL, "{'types':['pass-lost'],'intent':'reckless'}", SEV_SERIOUS, SEV_MINOR,
     "aggravation", true},
    {"negligent minor", NULL, "{'types':['pass-lost'],'intent':'negligent'}", SEV_MINOR, SEV_MINOR,
     "aggravation", false},
    {"accidental minor", NULL, "{'types':['pass-lost'],'intent':'accidental'}", SEV_MINOR,
     SEV_MINOR, "aggravation", false},
    {"one live warning", NULL,
     "{'types':['pass-lost'],'intent':'accidental',"
     "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
     SEV_SERIOUS, SEV_MINOR, "aggravation", true},
    {"an expired warning", NULL,
     "{'types':['pass-lost'],'intent':'accidental',"
     "'warnings':[{'level':'breach-notice','issued_on':'2024-10-01'}]}",
     SEV_MINOR, SEV_MINOR, "aggravation", false},
    {"reckless serious", NULL, "{'types':['account-sharing'],'intent':'reckless'}", SEV_GROSS,
     SEV_SERIOUS, "aggravation", true},
    {"deliberate gross stays gross", NULL, "{'types':['criminal-act'],'intent':'deliberate'}",
     SEV_GROSS, SEV_GROSS, "aggravation", true},
    {"deliberate and a live warning: once", NULL,
     "{'types':['pass-lost'],'intent':'deliberate',"
     "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
     SEV_SERIOUS, SEV_MINOR, "aggravation", true},
    {"reckless and two live warnings: once", NULL,
     "{'types':['pass-lost'],'intent':'reckless',"
     "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'},"
     "{'level':'final-written-warning','issued_on':'2026-01-05'}]}",
     SEV_SERIOUS, SEV_MINOR, "aggravation", true},
    {"two live warnings: once", NULL,
     "{'types':['pass-lost'],'intent':'accidental',"
     "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'},"
     "{'level':'breach-notice','issued_on':'2026-09-01'}]}",
     SEV_SERIOUS, SEV_MINOR, "aggravation", true},
    {"raised by a rule, then aggravated", NULL,
     "{'types':['pass-lost'],'intent':'reckless','personal_data':{'records':100}}", SEV_GROSS,
     SEV_MINOR, "aggravation", true},
    {"live written warning (6 months)", NULL,
     "{'types':['pass-lost'],'intent':'accidental',"
     "'warnings':[{'level':'written-warning','issued_on':'2026-06-01'}]}",
     SEV_SERIOUS, SEV_MINOR, "aggravation", true},
    {"written warning expired today (6 months)", NULL,
     "{'types':['pass-lost'],'intent':'accidental',"
     "'warnings':[{'level':'written-warning','issued_on':'2026-05-28'}]}",
     SEV_MINOR, SEV_MINOR, "aggravation", false},
};

static void test_severity_rules(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(sev_cases); i++) {
		const struct sev_case *c = &sev_cases[i];
		struct guidance g;
		struct facts f;
		struct assessment a;
		make_guidance(&g, c->guidance);
		assess_sq(c->facts, &g, &f, &a);
		json_t *out = assessment_to_json(&a, &f, &g);
		if (a.severity != c->severity || a.baseline != c->baseline)
			FAIL_ROW("%s: severity %s (baseline %s), expected %s (baseline %s)",
				 c->name, sev(a.severity), sev(a.baseline), sev(c->severity),
				 sev(c->baseline));
		const char *js = json_string_value(json_object_get(out, "severity"));
		const char *jb = json_string_value(json_object_get(out, "baseline"));
		if (!js || strcmp(js, sev(c->severity)) != 0 || !jb ||
		    strcmp(jb, sev(c->baseline)) != 0)
			FAIL_ROW("%s: JSON severity/baseline %s/%s", c->name, js ? js : "(none)",
				 jb ? jb : "(none)");
		/* Severity never goes below the baseline. */
		if (a.severity < a.baseline)
			FAIL_ROW("%s: severity %s below baseline %s", c->name, sev(a.severity),
				 sev(a.baseline));
		if (c->rule && explains(out, c->rule) != c->fires)
			FAIL_ROW("%s: rule \"%s\" %s explained", c->name, c->rule,
				 c->fires ? "is not" : "is wrongly");
		check_explanation(out, c->name);
		json_decref(out);
		guidance_release(&g);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Severity never goes below the baseline, whatever the mitigation, for
 * every baseline type. */
static void test_never_below_baseline(void **state)
{
	(void)state;
	bad = 0;
	static const char *const mitigations[] = {
	    "'intent':'accidental','damage':'none'",
	    "'intent':'negligent','damage':'low','authorised':true",
	    "'intent':'accidental','classification':'none','strap':false,'criminal':false",
	    "'intent':'accidental','subject':{'engagement':'minister'}",
	};
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t t = 0; t < g.ntypes; t++) {
		for (size_t m = 0; m < N_ELEMS(mitigations); m++) {
			char facts[512];
			struct facts f;
			struct assessment a;
			snprintf(facts, sizeof facts, "{'types':['%s'],%s}", g.types[t].code,
				 mitigations[m]);
			assess_sq(facts, &g, &f, &a);
			if (a.baseline != g.types[t].grade || a.severity != g.types[t].grade)
				FAIL_ROW("%s: baseline %s severity %s, expected %s for both", facts,
					 sev(a.baseline), sev(a.severity), sev(g.types[t].grade));
		}
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* All-ungraded: ungraded, and the manager grades (SPEC 2.1, 3.3). */
static void test_all_ungraded(void **state)
{
	(void)state;
	bad = 0;
	static const char *const facts[] = {
	    "{'types':['other']}",
	    "{'types':['clear-desk-failure','other']}",
	    "{'types':['sensitive-info-unprotected'],'damage':'severe'}",
	    "{'types':['other'],'intent':'deliberate'}",
	    "{'types':['clear-desk-failure'],'intent':'accidental',"
	    "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
	};
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(facts); i++) {
		struct facts f;
		struct assessment a;
		assess_sq(facts[i], &g, &f, &a);
		if (a.severity != SEV_UNGRADED || a.baseline != SEV_UNGRADED)
			FAIL_ROW("%s: severity %s baseline %s, expected ungraded", facts[i],
				 sev(a.severity), sev(a.baseline));
		if (a.recommendation != REC_MANAGER_TO_GRADE)
			FAIL_ROW("%s: recommendation %s, expected manager-to-grade", facts[i],
				 vocab_name(&vocab_recommendation, a.recommendation));
	}
	/* Once the organisation grades it, it is graded. */
	guidance_release(&g);
	make_guidance(&g, "{'grades':{'clear-desk-failure':'minor'}}");
	struct facts f;
	struct assessment a;
	assess_sq("{'types':['clear-desk-failure'],'intent':'accidental'}", &g, &f, &a);
	assert_int_equal(a.severity, SEV_MINOR);
	assert_int_equal(a.recommendation, REC_ADVICE);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- SPEC 3.5 warnings ---- */

static const struct warn_case {
	const char *name;
	const char *guidance;
	const char *level, *issued_on, *today;
	bool live;
} warn_cases[] = {
    {"breach notice, last live day", NULL, "breach-notice", "2025-11-28", "2026-11-27", true},
    {"breach notice, first day not live (SPEC example)", NULL, "breach-notice", "2025-11-28",
     "2026-11-28", false},
    {"breach notice, day issued", NULL, "breach-notice", "2025-11-28", "2025-11-28", true},
    {"breach notice, issued after today", NULL, "breach-notice", "2026-11-29", "2026-11-28", false},
    {"breach notice, issued long after today", NULL, "breach-notice", "2027-03-01", "2026-11-28",
     false},
    {"breach notice from a leap day, last live day", NULL, "breach-notice", "2024-02-29",
     "2025-02-27", true},
    {"breach notice from a leap day, expired", NULL, "breach-notice", "2024-02-29", "2025-02-28",
     false},
    {"written warning, last live day", NULL, "written-warning", "2026-05-28", "2026-11-27", true},
    {"written warning, expired after 6 months", NULL, "written-warning", "2026-05-28", "2026-11-28",
     false},
    {"written warning, 7 months old", NULL, "written-warning", "2026-04-28", "2026-11-27", false},
    {"final written warning, last live day", NULL, "final-written-warning", "2025-11-28",
     "2026-11-27", true},
    {"final written warning, expired after 12 months", NULL, "final-written-warning", "2025-11-28",
     "2026-11-28", false},
    {"guidance: breach notice 6 months, last live day", "{'live_months':{'breach-notice':6}}",
     "breach-notice", "2026-05-28", "2026-11-27", true},
    {"guidance: breach notice 6 months, expired", "{'live_months':{'breach-notice':6}}",
     "breach-notice", "2026-05-28", "2026-11-28", false},
    {"guidance: breach notice 6 months, 8 months old", "{'live_months':{'breach-notice':6}}",
     "breach-notice", "2026-03-02", "2026-11-28", false},
    {"guidance: written warning 24 months", "{'live_months':{'written-warning':24}}",
     "written-warning", "2025-01-10", "2026-11-28", true},
    {"guidance on one level leaves the others", "{'live_months':{'breach-notice':6}}",
     "written-warning", "2026-05-29", "2026-11-28", true},
};

static void test_warnings_live(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(warn_cases); i++) {
		const struct warn_case *c = &warn_cases[i];
		struct guidance g;
		struct warning_fact w;
		date_t today;
		char facts[512];
		struct facts f;
		struct assessment a;
		make_guidance(&g, c->guidance);
		w.level = (enum warning_level)vocab_parse(&vocab_warning_level, c->level);
		assert_int_equal(date_parse(c->issued_on, &w.issued_on), 0);
		assert_int_equal(date_parse(c->today, &today), 0);
		if (assess_warning_live(&w, today, &g) != c->live)
			FAIL_ROW("%s: assess_warning_live is %d", c->name, !c->live);
		/* and through the engine: live_warnings and the aggravation */
		snprintf(facts, sizeof facts,
			 "{'types':['pass-lost'],'intent':'accidental','today':'%s',"
			 "'warnings':[{'level':'%s','issued_on':'%s'}]}",
			 c->today, c->level, c->issued_on);
		assess_sq(facts, &g, &f, &a);
		if (a.live_warnings != (c->live ? 1 : 0))
			FAIL_ROW("%s: live_warnings %d", c->name, a.live_warnings);
		if (a.severity != (c->live ? SEV_SERIOUS : SEV_MINOR))
			FAIL_ROW("%s: severity %s", c->name, sev(a.severity));
		guidance_release(&g);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_live_warning_count(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	struct facts f;
	struct assessment a;
	guidance_init_baseline(&g);
	assess_sq("{'types':['pass-lost'],'warnings':["
		  "{'level':'breach-notice','issued_on':'2026-06-30'},"
		  "{'level':'written-warning','issued_on':'2026-10-01'},"
		  "{'level':'breach-notice','issued_on':'2024-10-01'},"
		  "{'level':'written-warning','issued_on':'2026-01-01'},"
		  "{'level':'final-written-warning','issued_on':'2026-12-01'}]}",
		  &g, &f, &a);
	assert_int_equal(a.live_warnings, 2);
	json_t *out = assessment_to_json(&a, &f, &g);
	assert_int_equal(json_integer_value(json_object_get(out, "live_warnings")), 2);
	json_decref(out);
	assess_sq("{'types':['pass-lost']}", &g, &f, &a);
	assert_int_equal(a.live_warnings, 0);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- SPEC 3.2 routes ---- */

static const struct route_case {
	const char *subject; /* the "subject" member, or NULL for the default */
	const char *today;
	enum route route;
	const char *policy; /* expected route_policy; "*" means any non-empty */
} route_cases[] = {
    {NULL, TODAY, ROUTE_DISCIPLINARY, "moj"},
    {"{'engagement':'employee','org':'hq'}", TODAY, ROUTE_DISCIPLINARY, "moj"},
    {"{'engagement':'employee','org':'hmcts'}", TODAY, ROUTE_DISCIPLINARY, "moj"},
    {"{'engagement':'employee','org':'hmpps'}", TODAY, ROUTE_DISCIPLINARY, "hmpps"},
    {"{'engagement':'employee','org':'hmpps-xyz'}", TODAY, ROUTE_DISCIPLINARY, "hmpps"},
    {"{'engagement':'employee','org':'hmppsx'}", TODAY, ROUTE_DISCIPLINARY, "moj"},
    {"{'engagement':'employee','org':'x-hmpps'}", TODAY, ROUTE_DISCIPLINARY, "moj"},
    {"{'engagement':'employee','org':'hmpps','discipline_policy':'moj'}", TODAY, ROUTE_DISCIPLINARY,
     "moj"},
    {"{'engagement':'employee','org':'hq','discipline_policy':'hmpps'}", TODAY, ROUTE_DISCIPLINARY,
     "hmpps"},
    {"{'engagement':'employee','on_probation':true}", TODAY, ROUTE_PROBATION, NULL},
    {"{'engagement':'employee','on_probation':true,'org':'hmpps'}", TODAY, ROUTE_PROBATION, NULL},
    {"{'engagement':'employee','probation_until':'2026-11-28'}", "2026-11-28", ROUTE_PROBATION,
     NULL},
    {"{'engagement':'employee','probation_until':'2027-05-01'}", "2026-11-28", ROUTE_PROBATION,
     NULL},
    {"{'engagement':'employee','probation_until':'2026-11-27'}", "2026-11-28", ROUTE_DISCIPLINARY,
     "moj"},
    {"{'engagement':'employee','on_probation':false,'probation_until':'2026-11-27'}", "2026-11-28",
     ROUTE_DISCIPLINARY, "moj"},
    {"{'engagement':'contractor'}", TODAY, ROUTE_CONTRACT, NULL},
    {"{'engagement':'agency','org':'hmpps'}", TODAY, ROUTE_CONTRACT, NULL},
    {"{'engagement':'contractor','on_probation':true}", TODAY, ROUTE_CONTRACT, NULL},
    {"{'engagement':'minister'}", TODAY, ROUTE_REFERRAL, "*"},
    {"{'engagement':'special-adviser'}", TODAY, ROUTE_REFERRAL, "*"},
    {"{'engagement':'permanent-secretary'}", TODAY, ROUTE_REFERRAL, "*"},
    {"{'engagement':'judicial-officer','org':'hmcts'}", TODAY, ROUTE_REFERRAL, "*"},
    {"{'engagement':'minister','on_probation':true}", TODAY, ROUTE_REFERRAL, "*"},
};

static void test_routes(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(route_cases); i++) {
		const struct route_case *c = &route_cases[i];
		char facts[512];
		struct facts f;
		struct assessment a;
		if (c->subject)
			snprintf(facts, sizeof facts,
				 "{'types':['pass-lost'],'subject':%s,'today':'%s'}", c->subject,
				 c->today);
		else
			snprintf(facts, sizeof facts, "{'types':['pass-lost'],'today':'%s'}",
				 c->today);
		assess_sq(facts, &g, &f, &a);
		if (a.route != c->route)
			FAIL_ROW("%s: route %s, expected %s", facts,
				 vocab_name(&vocab_route, a.route),
				 vocab_name(&vocab_route, c->route));
		json_t *out = assessment_to_json(&a, &f, &g);
		const json_t *jp = json_object_get(out, "route_policy");
		const char *rp = json_string_value(jp);
		if (!c->policy) {
			if (!json_is_null(jp))
				FAIL_ROW("%s: route_policy %s, expected null", facts,
					 rp ? rp : "?");
		} else if (strcmp(c->policy, "*") == 0) {
			if (!rp || !*rp)
				FAIL_ROW("%s: a referral must name its authority in route_policy "
					 "(SPEC 3.2)",
					 facts);
		} else if (!rp || strcmp(rp, c->policy) != 0) {
			FAIL_ROW("%s: route_policy %s, expected %s", facts, rp ? rp : "null",
				 c->policy);
		}
		const char *jr = json_string_value(json_object_get(out, "route"));
		if (!jr || strcmp(jr, vocab_name(&vocab_route, c->route)) != 0)
			FAIL_ROW("%s: JSON route %s", facts, jr ? jr : "(none)");
		json_decref(out);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* The authority for a referral is the one configured in the guidance. */
static void test_referral_authority_from_guidance(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	struct facts f;
	struct assessment a;
	make_guidance(&g, "{'referral':{'minister':'cabinet-office-propriety'}}");
	assess_sq("{'types':['pass-lost'],'subject':{'engagement':'minister'}}", &g, &f, &a);
	assert_int_equal(a.route, ROUTE_REFERRAL);
	assert_non_null(a.route_policy);
	assert_string_equal(a.route_policy, "cabinet-office-propriety");
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- SPEC 3.3 recommendation table ---- */

static const struct rec_case {
	const char *facts;
	enum severity severity;
	enum recommendation rec;
} rec_cases[] = {
    /* minor */
    {"{'types':['pass-lost'],'intent':'accidental','damage':'none'}", SEV_MINOR, REC_ADVICE},
    {"{'types':['pass-lost'],'intent':'negligent','damage':'low'}", SEV_MINOR, REC_ADVICE},
    {"{'types':['pass-lost'],'intent':'negligent','damage':'moderate'}", SEV_MINOR, REC_ADVICE},
    {"{'types':['pass-lost']}", SEV_MINOR, REC_ADVICE}, /* defaults: negligent, low */
    {"{'types':['pass-lost'],'intent':'negligent','damage':'high'}", SEV_MINOR, REC_BREACH_NOTICE},
    {"{'types':['pass-lost'],'intent':'accidental','damage':'severe'}", SEV_MINOR,
     REC_BREACH_NOTICE},
    /* serious */
    {"{'types':['account-sharing'],'intent':'accidental','damage':'none'}", SEV_SERIOUS,
     REC_BREACH_NOTICE},
    {"{'types':['account-sharing'],'intent':'negligent','damage':'moderate'}", SEV_SERIOUS,
     REC_BREACH_NOTICE},
    {"{'types':['account-sharing'],'intent':'negligent','damage':'high'}", SEV_SERIOUS,
     REC_FORMAL_ACTION},
    {"{'types':['pass-lost'],'intent':'reckless','damage':'none'}", SEV_SERIOUS, REC_FORMAL_ACTION},
    {"{'types':['pass-lost'],'intent':'deliberate','damage':'low'}", SEV_SERIOUS,
     REC_FORMAL_ACTION},
    {"{'types':['pass-lost'],'intent':'accidental','damage':'none',"
     "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
     SEV_SERIOUS, REC_FORMAL_ACTION},
    {"{'types':['pass-lost'],'intent':'accidental','damage':'none',"
     "'warnings':[{'level':'breach-notice','issued_on':'2024-06-30'}]}",
     SEV_MINOR, REC_ADVICE}, /* an expired warning is no warning */
    /* gross */
    {"{'types':['criminal-act'],'intent':'accidental','damage':'none'}", SEV_GROSS,
     REC_FORMAL_ACTION},
    {"{'types':['criminal-act'],'intent':'negligent','damage':'severe'}", SEV_GROSS,
     REC_FORMAL_ACTION},
    {"{'types':['pass-lost'],'classification':'secret','intent':'accidental',"
     "'damage':'none'}",
     SEV_GROSS, REC_FORMAL_ACTION},
    /* ungraded */
    {"{'types':['other'],'intent':'accidental','damage':'none'}", SEV_UNGRADED,
     REC_MANAGER_TO_GRADE},
    {"{'types':['other'],'intent':'deliberate','damage':'severe',"
     "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
     SEV_UNGRADED, REC_MANAGER_TO_GRADE},
};

static void test_recommendations(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(rec_cases); i++) {
		const struct rec_case *c = &rec_cases[i];
		struct facts f;
		struct assessment a;
		assess_sq(c->facts, &g, &f, &a);
		if (a.severity != c->severity || a.recommendation != c->rec)
			FAIL_ROW("%s: %s/%s, expected %s/%s", c->facts, sev(a.severity),
				 vocab_name(&vocab_recommendation, a.recommendation),
				 sev(c->severity), vocab_name(&vocab_recommendation, c->rec));
		json_t *out = assessment_to_json(&a, &f, &g);
		const char *jr = json_string_value(json_object_get(out, "recommendation"));
		if (!jr || strcmp(jr, vocab_name(&vocab_recommendation, c->rec)) != 0)
			FAIL_ROW("%s: JSON recommendation %s", c->facts, jr ? jr : "(none)");
		json_decref(out);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- SPEC 3.4 actions ---- */

static const struct action_case {
	const char *facts;
	const char *const expect[ACT_COUNT + 1]; /* the exact set, NULL-terminated */
} action_cases[] = {
    {"{'types':['pass-lost']}", {NULL}},
    /* dpo-notify: any personal data */
    {"{'types':['pass-lost'],'personal_data':{'records':1}}", {"dpo-notify", NULL}},
    {"{'types':['pass-lost'],'personal_data':{'records':0,'special_category':true}}",
     {"dpo-notify", NULL}},
    {"{'types':['pass-lost'],'personal_data':{'records':0,'special_category':false}}", {NULL}},
    /* dso-notify: secret, top-secret or strap */
    {"{'types':['pass-lost'],'classification':'secret'}", {"dso-notify", NULL}},
    {"{'types':['pass-lost'],'classification':'top-secret'}", {"dso-notify", NULL}},
    {"{'types':['pass-lost'],'strap':true}", {"dso-notify", NULL}},
    {"{'types':['pass-lost'],'classification':'official-sensitive'}", {NULL}},
    /* legal-referral: criminal */
    {"{'types':['pass-lost'],'criminal':true}", {"legal-referral", NULL}},
    {"{'types':['criminal-act'],'criminal':true,'subject':{'clearance':'bpss'}}",
     {"legal-referral", NULL}},
    /* vetting-notify: clearance above bpss and a circumstances or criminal type */
    {"{'types':['circumstances-unreported'],'subject':{'clearance':'sc'}}",
     {"vetting-notify", NULL}},
    {"{'types':['circumstances-unreported'],'subject':{'clearance':'ctc'}}",
     {"vetting-notify", NULL}},
    {"{'types':['significant-circumstances-unreported'],'subject':{'clearance':'dv'}}",
     {"vetting-notify", NULL}},
    {"{'types':['circumstances-unreported'],'subject':{'clearance':'bpss'}}", {NULL}},
    {"{'types':['circumstances-unreported'],'subject':{'clearance':'none'}}", {NULL}},
    {"{'types':['significant-circumstances-unreported']}", {NULL}}, /* default bpss */
    {"{'types':['criminal-act'],'criminal':true,'subject':{'clearance':'sc'}}",
     {"legal-referral", "vetting-notify", NULL}},
    {"{'types':['pass-lost'],'subject':{'clearance':'dv'}}", {NULL}},
    /* SPEC 3.4 as written: the criminal fact refers to legal services, a
     * criminal *type* (with clearance above bpss) tells vetting. */
    {"{'types':['criminal-act'],'subject':{'clearance':'sc'}}", {"vetting-notify", NULL}},
    {"{'types':['criminal-act'],'subject':{'clearance':'bpss'}}", {NULL}},
    {"{'types':['portable-asset-lost'],'criminal':true,'subject':{'clearance':'sc'}}",
     {"legal-referral", NULL}},
    {"{'types':['account-sharing'],'subject':{'clearance':'sc'}}", {"access-review", NULL}},
    /* contract-manager-notify: route contract */
    {"{'types':['pass-lost'],'subject':{'engagement':'contractor'}}",
     {"contract-manager-notify", NULL}},
    {"{'types':['pass-lost'],'subject':{'engagement':'agency'}}",
     {"contract-manager-notify", NULL}},
    {"{'types':['pass-lost'],'subject':{'engagement':'employee'}}", {NULL}},
    {"{'types':['pass-lost'],'subject':{'engagement':'minister'}}", {NULL}},
    {"{'types':['pass-lost'],'subject':{'engagement':'employee','on_probation':true}}", {NULL}},
    /* access-review: pass-misuse, account-sharing */
    {"{'types':['pass-misuse']}", {"access-review", NULL}},
    {"{'types':['account-sharing']}", {"access-review", NULL}},
    {"{'types':['pass-lost','pass-not-worn','workstation-unlocked']}", {NULL}},
    /* several at once */
    {"{'types':['pass-misuse','circumstances-unreported'],'classification':'secret',"
     "'criminal':true,'personal_data':{'records':5},"
     "'subject':{'engagement':'agency','clearance':'sc'}}",
     {"dpo-notify", "dso-notify", "legal-referral", "vetting-notify", "contract-manager-notify",
      "access-review", NULL}},
};

static void test_actions(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(action_cases); i++) {
		const struct action_case *c = &action_cases[i];
		struct facts f;
		struct assessment a;
		int n = 0;
		assess_sq(c->facts, &g, &f, &a);
		for (; c->expect[n]; n++) {
			int code = vocab_parse(&vocab_action, c->expect[n]);
			assert_true(code >= 0);
			if (!has_action(&a, (enum action_code)code))
				FAIL_ROW("%s: no %s action", c->facts, c->expect[n]);
		}
		if (a.nactions != n) {
			char got[256] = "";
			int off = 0;
			for (int k = 0; k < a.nactions && off < (int)sizeof got; k++)
				off += snprintf(got + off, sizeof got - (size_t)off, " %s",
						vocab_name(&vocab_action, a.actions[k].code));
			FAIL_ROW("%s: actions%s, expected %d", c->facts, got, n);
		}
		/* Each action once, and the JSON agrees. */
		json_t *out = assessment_to_json(&a, &f, &g);
		const json_t *acts = json_object_get(out, "actions");
		assert_true(json_is_array(acts));
		assert_int_equal(json_array_size(acts), (size_t)n);
		for (int k = 0; k < n; k++) {
			bool seen = false;
			size_t x;
			const json_t *act;
			json_array_foreach(acts, x, act)
			{
				const char *code = json_string_value(json_object_get(act, "code"));
				if (code && strcmp(code, c->expect[k]) == 0) {
					if (seen)
						FAIL_ROW("%s: %s listed twice", c->facts, code);
					seen = true;
				}
			}
			if (!seen)
				FAIL_ROW("%s: JSON lacks %s", c->facts, c->expect[k]);
		}
		json_decref(out);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* dpo-notify is due discovered_at + 72 h, formatted UTC "...Z"; the other
 * actions have no statutory time. */
static void test_dpo_due(void **state)
{
	(void)state;
	bad = 0;
	static const struct {
		const char *discovered, *due;
	} cases[] = {
	    {"2026-11-20T09:30:00Z", "2026-11-23T09:30:00Z"},
	    {"2026-11-20T10:30:00+01:00", "2026-11-23T09:30:00Z"},
	    {"2026-11-20T09:30:00.750Z", "2026-11-23T09:30:00Z"},
	    {"2026-02-27T12:00:00Z", "2026-03-02T12:00:00Z"},
	    {"2028-02-27T23:59:59Z", "2028-03-01T23:59:59Z"},
	    {"2026-12-30T00:00:00Z", "2027-01-02T00:00:00Z"},
	    {"2026-03-27T01:30:00Z", "2026-03-30T01:30:00Z"}, /* UK clocks change: still UTC */
	};
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char facts[512];
		struct facts f;
		struct assessment a;
		snprintf(facts, sizeof facts,
			 "{'types':['personal-data-release'],'personal_data':{'records':5000},"
			 "'classification':'secret','discovered_at':'%s'}",
			 cases[i].discovered);
		assess_sq(facts, &g, &f, &a);
		json_t *out = assessment_to_json(&a, &f, &g);
		const json_t *acts = json_object_get(out, "actions");
		size_t x;
		const json_t *act;
		bool dpo = false;
		json_array_foreach(acts, x, act)
		{
			const char *code = json_string_value(json_object_get(act, "code"));
			const json_t *due = json_object_get(act, "due");
			assert_non_null(code);
			if (strcmp(code, "dpo-notify") == 0) {
				dpo = true;
				if (!json_is_string(due) ||
				    strcmp(json_string_value(due), cases[i].due) != 0)
					FAIL_ROW("discovered %s: dpo-notify due %s, expected %s",
						 cases[i].discovered,
						 json_is_string(due) ? json_string_value(due)
								     : "null",
						 cases[i].due);
			} else if (due && !json_is_null(due)) {
				FAIL_ROW("%s has a due time but no law or policy sets one", code);
			}
		}
		if (!dpo)
			FAIL_ROW("discovered %s: no dpo-notify", cases[i].discovered);
		json_decref(out);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- POLSBP004: the same facts give the same severity for everyone ---- */

static const char *const equal_facts[] = {
    "{'types':['pass-lost'],'intent':'accidental'}",
    "{'types':['pass-not-worn'],'intent':'negligent','damage':'moderate'}",
    "{'types':['account-sharing'],'intent':'reckless'}",
    "{'types':['portable-asset-lost'],'classification':'official','damage':'high'}",
    "{'types':['classified-disclosure'],'classification':'official',"
    "'third_party_disclosure':true,'intent':'deliberate'}",
    "{'types':['asset-misuse'],'intent':'deliberate'}",
    "{'types':['personal-data-release'],'personal_data':{'records':5000}}",
    "{'types':['workstation-unlocked'],'intent':'accidental',"
    "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
    "{'types':['other'],'damage':'severe'}",
    "{'types':['cabinet-unlocked'],'classification':'secret'}",
    "{'types':['circumstances-unreported'],'criminal':true}",
};

static const char *const equal_subjects[] = {
    "{'engagement':'employee','org':'hq','clearance':'bpss'}",
    "{'engagement':'employee','org':'hmpps','clearance':'dv'}",
    "{'engagement':'employee','on_probation':true,'clearance':'none'}",
    "{'engagement':'employee','probation_until':'2027-01-01','org':'laa'}",
    "{'engagement':'contractor','org':'laa','clearance':'sc'}",
    "{'engagement':'agency','org':'hmpps-xyz'}",
    "{'engagement':'minister','org':'hq','clearance':'dv'}",
    "{'engagement':'special-adviser','clearance':'sc'}",
    "{'engagement':'permanent-secretary','clearance':'dv'}",
    "{'engagement':'judicial-officer','org':'hmcts','clearance':'ctc'}",
};

static void test_equal_treatment(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(equal_facts); i++) {
		struct assessment first;
		for (size_t s = 0; s < N_ELEMS(equal_subjects); s++) {
			json_t *j = load_sq(equal_facts[i]);
			json_t *sub = load_sq(equal_subjects[s]);
			char *text;
			struct facts f;
			struct assessment a;
			json_object_set_new(j, "subject", sub);
			text = json_dumps(j, JSON_COMPACT);
			json_decref(j);
			assess_sq(text, &g, &f, &a);
			if (s == 0)
				first = a;
			else if (a.severity != first.severity || a.baseline != first.baseline ||
				 a.recommendation != first.recommendation ||
				 a.live_warnings != first.live_warnings)
				FAIL_ROW("%s: %s gives %s/%s, %s gives %s/%s", equal_facts[i],
					 equal_subjects[s], sev(a.severity),
					 vocab_name(&vocab_recommendation, a.recommendation),
					 equal_subjects[0], sev(first.severity),
					 vocab_name(&vocab_recommendation, first.recommendation));
			free(text);
		}
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- explanations and output ---- */

static void test_explanation_and_output(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	struct facts f;
	struct assessment a;
	guidance_init_baseline(&g);
	/* Every rule of 3.1 fires at once. */
	assess_sq("{'types':['pass-lost','asset-misuse'],'classification':'secret',"
		  "'third_party_disclosure':true,'criminal':true,'intent':'deliberate',"
		  "'personal_data':{'records':100,'special_category':true},"
		  "'warnings':[{'level':'breach-notice','issued_on':'2026-06-30'}]}",
		  &g, &f, &a);
	json_t *out = assessment_to_json(&a, &f, &g);
	static const char *const rules[] = {
	    "baseline",	  "secret-material", "classified-disclosure",
	    "criminal",	  "personal-data",   "deliberate-misuse",
	    "aggravation"};
	for (size_t i = 0; i < N_ELEMS(rules); i++)
		if (!explains(out, rules[i]))
			FAIL_ROW("rule \"%s\" fired but is not explained", rules[i]);
	check_explanation(out, "all rules");
	assert_int_equal(a.severity, SEV_GROSS);

	/* The SPEC 3 output members. */
	static const char *const keys[] = {"severity",	    "baseline",	      "route",
					   "route_policy",  "recommendation", "actions",
					   "live_warnings", "explanation",    "guidance_version"};
	for (size_t i = 0; i < N_ELEMS(keys); i++)
		if (!json_object_get(out, keys[i]))
			FAIL_ROW("output lacks \"%s\"", keys[i]);
	assert_string_equal(json_string_value(json_object_get(out, "guidance_version")), "moj/1");
	json_decref(out);
	guidance_release(&g);

	/* The version of the guidance used is recorded. */
	guidance_init_baseline(&g);
	json_t *doc = load_sq("{'grades':{'pass-lost':'serious'}}");
	struct err e;
	assert_int_equal(guidance_apply(&g, doc, "hmcts/2", &e), 0);
	json_decref(doc);
	assess_sq("{'types':['pass-lost']}", &g, &f, &a);
	assert_int_equal(a.severity, SEV_SERIOUS);
	out = assessment_to_json(&a, &f, &g);
	assert_string_equal(json_string_value(json_object_get(out, "guidance_version")), "hmcts/2");
	check_explanation(out, "hmcts/2");
	json_decref(out);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- the worked examples in shared/scenarios ---- */

/* The scenarios folder: $BR_SCENARIOS, or shared/ beside the checkout
 * (looked for from the repository root, from a build directory inside
 * it, and from this file's own path). */
static bool find_scenarios(char *dir, size_t size)
{
	const char *env = getenv("BR_SCENARIOS");
	char from_file[1024];
	const char *cands[] = {env, "../shared/scenarios", "../../shared/scenarios",
			       "../../../shared/scenarios", from_file};
	snprintf(from_file, sizeof from_file, "%s", __FILE__);
	char *slash = strrchr(from_file, '/');
	if (slash && slash - from_file < 900)
		snprintf(slash, sizeof from_file - (size_t)(slash - from_file),
			 "/../../../shared/scenarios");
	else
		from_file[0] = '\0';
	for (size_t i = 0; i < N_ELEMS(cands); i++) {
		DIR *d;
		if (!cands[i] || !cands[i][0] || !(d = opendir(cands[i])))
			continue;
		closedir(d);
		snprintf(dir, size, "%s", cands[i]);
		return true;
	}
	return false;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void check_scenario(const char *path, const struct guidance *g)
{
	json_error_t jerr;
	json_t *sc = json_load_file(path, 0, &jerr);
	struct facts f;
	struct assessment a;
	struct err e;
	if (!sc)
		fail_msg("%s: %s", path, jerr.text);
	const json_t *in = json_object_get(sc, "input"), *ex = json_object_get(sc, "expect");
	if (!json_is_object(in) || !json_is_object(ex))
		fail_msg("%s: no input or expect", path);
	facts_init(&f);
	err_clear(&e);
	if (facts_parse(&f, in, g, &e) != 0)
		fail_msg("%s: facts rejected: %s: %s", path, e.field, e.msg);
	if (assess(&f, g, &a, &e) != 0)
		fail_msg("%s: assess failed: %s: %s", path, e.field, e.msg);
	json_t *out = assessment_to_json(&a, &f, g);

	static const char *const fields[] = {"severity", "route", "recommendation"};
	for (size_t i = 0; i < N_ELEMS(fields); i++) {
		const json_t *want = json_object_get(ex, fields[i]);
		const json_t *got = json_object_get(out, fields[i]);
		if (want && !json_equal(want, got))
			FAIL_ROW("%s: %s is %s, expected %s", path, fields[i],
				 json_is_string(got) ? json_string_value(got) : "?",
				 json_string_value(want));
	}
	const json_t *wlive = json_object_get(ex, "live_warnings");
	if (wlive && json_integer_value(wlive) != a.live_warnings)
		FAIL_ROW("%s: live_warnings %d, expected %lld", path, a.live_warnings,
			 (long long)json_integer_value(wlive));

	/* route_policy: moj|hmpps for disciplinary, null for probation and
	 * contract. For a referral SPEC 3.2 says route_policy is "the
	 * authority configured for that engagement", so it is checked to be
	 * a non-empty authority whatever the example says (p08 says null,
	 * which contradicts SPEC 3.2 and the output comment in SPEC 3). */
	const json_t *wpol = json_object_get(ex, "route_policy");
	const json_t *gpol = json_object_get(out, "route_policy");
	if (a.route == ROUTE_REFERRAL) {
		if (!json_is_string(gpol) || !json_string_length(gpol))
			FAIL_ROW("%s: referral without an authority in route_policy", path);
	} else if (wpol && !json_equal(wpol, gpol)) {
		FAIL_ROW("%s: route_policy %s, expected %s", path,
			 json_is_string(gpol) ? json_string_value(gpol) : "null",
			 json_is_string(wpol) ? json_string_value(wpol) : "null");
	}

	/* actions: the same set of codes */
	const json_t *wacts = json_object_get(ex, "actions");
	if (wacts) {
		const json_t *gacts = json_object_get(out, "actions");
		const char *w[ACT_COUNT + 8], *gv[ACT_COUNT + 8];
		size_t nw = json_array_size(wacts), ng = json_array_size(gacts), x;
		assert_true(nw <= N_ELEMS(w) && ng <= N_ELEMS(gv));
		for (x = 0; x < nw; x++)
			w[x] = json_string_value(json_array_get(wacts, x));
		for (x = 0; x < ng; x++)
			gv[x] =
			    json_string_value(json_object_get(json_array_get(gacts, x), "code"));
		qsort(w, nw, sizeof w[0], cmp_str);
		qsort(gv, ng, sizeof gv[0], cmp_str);
		if (nw != ng)
			FAIL_ROW("%s: %zu actions, expected %zu", path, ng, nw);
		else
			for (size_t k = 0; k < nw; k++)
				if (strcmp(w[k], gv[k]) != 0)
					FAIL_ROW("%s: actions differ at %s / %s", path, w[k],
						 gv[k]);
	}
	const json_t *wdue = json_object_get(ex, "action_due");
	if (wdue) {
		const char *code;
		const json_t *due;
		json_object_foreach((json_t *)wdue, code, due)
		{
			const json_t *gacts = json_object_get(out, "actions"), *act;
			size_t x;
			bool found = false;
			json_array_foreach(gacts, x, act)
			{
				if (strcmp(json_string_value(json_object_get(act, "code")), code) !=
				    0)
					continue;
				found = true;
				if (!json_equal(json_object_get(act, "due"), due))
					FAIL_ROW("%s: %s due %s, expected %s", path, code,
						 json_string_value(json_object_get(act, "due")),
						 json_string_value(due));
			}
			if (!found)
				FAIL_ROW("%s: no %s action", path, code);
		}
	}
	check_explanation(out, path);
	json_decref(out);
	json_decref(sc);
}

static void test_scenarios(void **state)
{
	(void)state;
	bad = 0;
	char dir[1024];
	struct guidance g;
	struct dirent *de;
	int n = 0;
	if (!find_scenarios(dir, sizeof dir)) {
		print_message("scenarios not found (set BR_SCENARIOS): skipped\n");
		skip();
	}
	DIR *d = opendir(dir);
	assert_non_null(d);
	guidance_init_baseline(&g);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char path[2048];
		if (len < 6 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		check_scenario(path, &g);
		n++;
	}
	closedir(d);
	guidance_release(&g);
	if (n == 0)
		FAIL_ROW("no scenario files in %s", dir);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- facts_parse: defaults, and errors naming the field ---- */

static void test_parse_defaults(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	struct facts f;
	struct err e;
	guidance_init_baseline(&g);
	json_t *j = load_sq("{'types':['pass-lost'],'colour':'purple','extra':{'a':1}}");
	facts_init(&f);
	assert_int_equal(facts_parse(&f, j, &g, &e), 0); /* unknown fields are ignored */
	json_decref(j);
	assert_int_equal(f.ntypes, 1);
	assert_string_equal(g.types[f.types[0]].code, "pass-lost");
	assert_int_equal(f.classification, CLS_NONE);
	assert_false(f.strap);
	assert_false(f.third_party_disclosure);
	assert_false(f.authorised);
	assert_false(f.criminal);
	assert_int_equal(f.records, 0);
	assert_false(f.special_category);
	assert_int_equal(f.intent, INT_NEGLIGENT);
	assert_int_equal(f.damage, DMG_LOW);
	assert_int_equal(f.subject.engagement, ENG_EMPLOYEE);
	assert_int_equal(f.subject.clearance, CLR_BPSS);
	assert_false(f.subject.on_probation);
	assert_string_equal(f.subject.org, "moj");
	assert_int_equal(f.nwarnings, 0);
	assert_int_equal(f.today, DATE_NONE); /* the engine never reads a clock */
	assert_int_equal(f.discovered_at, TS_NONE);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static const struct perr_case {
	const char *facts;
	const char *field;
} perr_cases[] = {
    {"{}", "types"},
    {"{'types':null}", "types"},
    {"{'types':[]}", "types"},
    {"{'types':'pass-lost'}", "types"},
    {"{'types':{'pass-lost':true}}", "types"},
    {"{'types':['no-such-type']}", "types[0]"},
    {"{'types':['pass-lost','no-such-type']}", "types[1]"},
    {"{'types':['Pass-Lost']}", "types[0]"},
    {"{'types':[7]}", "types[0]"},
    {"{'types':[null]}", "types[0]"},
    {"{'types':['pass-lost'],'classification':'restricted'}", "classification"},
    {"{'types':['pass-lost'],'classification':'SECRET'}", "classification"},
    {"{'types':['pass-lost'],'classification':3}", "classification"},
    {"{'types':['pass-lost'],'intent':'careless'}", "intent"},
    {"{'types':['pass-lost'],'intent':true}", "intent"},
    {"{'types':['pass-lost'],'damage':'huge'}", "damage"},
    {"{'types':['pass-lost'],'damage':['low']}", "damage"},
    {"{'types':['pass-lost'],'strap':'yes'}", "strap"},
    {"{'types':['pass-lost'],'criminal':1}", "criminal"},
    {"{'types':['pass-lost'],'authorised':'false'}", "authorised"},
    {"{'types':['pass-lost'],'third_party_disclosure':0}", "third_party_disclosure"},
    {"{'types':['pass-lost'],'personal_data':5}", "personal_data"},
    {"{'types':['pass-lost'],'personal_data':{'records':'5'}}", "personal_data.records"},
    {"{'types':['pass-lost'],'personal_data':{'records':-1}}", "personal_data.records"},
    {"{'types':['pass-lost'],'personal_data':{'records':1.5}}", "personal_data.records"},
    {"{'types':['pass-lost'],'personal_data':{'special_category':'yes'}}",
     "personal_data.special_category"},
    {"{'types':['pass-lost'],'subject':'employee'}", "subject"},
    {"{'types':['pass-lost'],'subject':{'engagement':'volunteer'}}", "subject.engagement"},
    {"{'types':['pass-lost'],'subject':{'engagement':2}}", "subject.engagement"},
    {"{'types':['pass-lost'],'subject':{'clearance':'top'}}", "subject.clearance"},
    {"{'types':['pass-lost'],'subject':{'on_probation':'no'}}", "subject.on_probation"},
    {"{'types':['pass-lost'],'subject':{'probation_until':'2026-02-29'}}",
     "subject.probation_until"},
    {"{'types':['pass-lost'],'subject':{'discipline_policy':'army'}}", "subject.discipline_policy"},
    {"{'types':['pass-lost'],'warnings':'none'}", "warnings"},
    {"{'types':['pass-lost'],'warnings':['breach-notice']}", "warnings[0]"},
    {"{'types':['pass-lost'],'warnings':[{'level':'breach-notice','issued_on':'2026-13-01'}]}",
     "warnings[0].issued_on"},
    {"{'types':['pass-lost'],'warnings':[{'level':'breach-notice','issued_on':'2026-02-29'}]}",
     "warnings[0].issued_on"},
    {"{'types':['pass-lost'],'warnings':[{'level':'breach-notice'}]}", "warnings[0].issued_on"},
    {"{'types':['pass-lost'],'warnings':[{'level':'breach-notice','issued_on':20260101}]}",
     "warnings[0].issued_on"},
    {"{'types':['pass-lost'],'warnings':[{'level':'breach-notice','issued_on':'2026-01-01'},"
     "{'level':'verbal','issued_on':'2026-01-01'}]}",
     "warnings[1].level"},
    {"{'types':['pass-lost'],'warnings':[{'level':'breach-notice','issued_on':'2026-01-01'},"
     "{'level':'breach-notice','issued_on':'01/02/2026'}]}",
     "warnings[1].issued_on"},
    {"{'types':['pass-lost'],'discovered_at':'yesterday'}", "discovered_at"},
    {"{'types':['pass-lost'],'discovered_at':'2026-11-20T25:00:00Z'}", "discovered_at"},
    {"{'types':['pass-lost'],'today':'2026-11-31'}", "today"},
    {"{'types':['pass-lost'],'today':20261128}", "today"},
    {"{'types':['pass-lost'],'subject':{'org':'HQ'}}", "subject.org"},
    {"{'types':['pass-lost'],'warnings':[{'issued_on':'2026-01-01'}]}", "warnings[0].level"},
    {"{'types':['pass-lost'],'warnings':[{'level':2,'issued_on':'2026-01-01'}]}",
     "warnings[0].level"},
    {"{'types':['pass-lost'],'guidance':'Not A Code'}", "guidance"},
    {"{'types':['pass-lost'],'guidance':5}", "guidance"},
};

static void test_parse_errors(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	for (size_t i = 0; i < N_ELEMS(perr_cases); i++) {
		const struct perr_case *c = &perr_cases[i];
		json_t *j = load_sq(c->facts);
		struct facts f;
		struct err e;
		facts_init(&f);
		err_clear(&e);
		int rc = facts_parse(&f, j, &g, &e);
		json_decref(j);
		if (rc != -1) {
			FAIL_ROW("%s: accepted, expected an error naming \"%s\"", c->facts,
				 c->field);
			continue;
		}
		if (strcmp(e.field, c->field) != 0)
			FAIL_ROW("%s: error names \"%s\" (%s), expected \"%s\"", c->facts, e.field,
				 e.msg, c->field);
		if (e.kind != ERR_INVALID || !e.msg[0])
			FAIL_ROW("%s: error kind %s with message \"%s\"", c->facts,
				 err_kind_name(e.kind), e.msg);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* A type the organisation's guidance adds is known to facts parsed
 * against that guidance, and unknown to the baseline. */
static void test_parse_guidance_types(void **state)
{
	(void)state;
	bad = 0;
	struct guidance base, local;
	struct facts f;
	struct err e;
	guidance_init_baseline(&base);
	make_guidance(&local, "{'types':[{'code':'court-list-disclosed','title':'Court list',"
			      "'baseline':'serious','control':'information-handling'}]}");
	json_t *j = load_sq("{'types':['court-list-disclosed'],'today':'2026-11-28'}");
	facts_init(&f);
	assert_int_equal(facts_parse(&f, j, &base, &e), -1);
	assert_string_equal(e.field, "types[0]");
	facts_init(&f);
	assert_int_equal(facts_parse(&f, j, &local, &e), 0);
	json_decref(j);
	struct assessment a;
	assert_int_equal(assess(&f, &local, &a, &e), 0);
	assert_int_equal(a.severity, SEV_SERIOUS);
	assert_string_equal(a.guidance_version, "test/2");
	guidance_release(&base);
	guidance_release(&local);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_severity_rules),
	    cmocka_unit_test(test_never_below_baseline),
	    cmocka_unit_test(test_all_ungraded),
	    cmocka_unit_test(test_warnings_live),
	    cmocka_unit_test(test_live_warning_count),
	    cmocka_unit_test(test_routes),
	    cmocka_unit_test(test_referral_authority_from_guidance),
	    cmocka_unit_test(test_recommendations),
	    cmocka_unit_test(test_actions),
	    cmocka_unit_test(test_dpo_due),
	    cmocka_unit_test(test_equal_treatment),
	    cmocka_unit_test(test_explanation_and_output),
	    cmocka_unit_test(test_scenarios),
	    cmocka_unit_test(test_parse_defaults),
	    cmocka_unit_test(test_parse_errors),
	    cmocka_unit_test(test_parse_guidance_types),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
