/* test_core_incident: incident JSON of SPEC 6.1 (src/core/incident.h): the
 * facts of SPEC 3 plus kind, org, times, location, description, reporter
 * and subjects; errors name the field; the facts kept with an incident
 * assess exactly as the facts it was reported with. */
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
#include "core/incident.h"

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

#define NOW "2026-11-20T12:00:00Z"

/* The SPEC 6.1 example, with the SPEC 3 facts of the laptop case. */
#define EXAMPLE                                                                                    \
	"{'kind':'breach','org':'hmcts','occurred_at':'2026-11-19T17:00:00Z',"                     \
	"'discovered_at':'2026-11-20T09:30:00Z','location':'Petty France, 5th floor',"             \
	"'description':'Laptop left on a train','reporter':'S1001',"                               \
	"'confidential_reporter':false,'subjects':['S2002'],"                                      \
	"'types':['portable-asset-lost'],'classification':'official',"                             \
	"'personal_data':{'records':120,'special_category':false},'intent':'negligent',"           \
	"'damage':'moderate'}"

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

static ts_t ts(const char *s)
{
	ts_t t = 0;
	if (date_parse_ts(s, &t) != 0)
		fail_msg("bad test time %s", s);
	return t;
}

static void test_parse_example(void **state)
{
	(void)state;
	struct guidance g;
	struct incident inc;
	struct err e;
	char org[CODE_MAX];
	guidance_init_baseline(&g);
	json_t *j = load_sq(EXAMPLE);
	assert_int_equal(incident_org_code(j, org, &e), 0);
	assert_string_equal(org, "hmcts");
	incident_init(&inc);
	if (incident_parse(&inc, j, &g, ts(NOW), &e) != 0)
		fail_msg("example refused: %s: %s", e.field, e.msg);
	json_decref(j);
	assert_int_equal(inc.kind, KIND_BREACH);
	assert_string_equal(inc.org, "hmcts");
	assert_int_equal(inc.state, ST_REPORTED);
	assert_int_equal(inc.ntypes, 1);
	assert_string_equal(inc.types[0], "portable-asset-lost");
	assert_int_equal(inc.classification, CLS_OFFICIAL);
	assert_int_equal(inc.records, 120);
	assert_int_equal(inc.intent, INT_NEGLIGENT);
	assert_int_equal(inc.damage, DMG_MODERATE);
	assert_string_equal(inc.description, "Laptop left on a train");
	assert_string_equal(inc.location, "Petty France, 5th floor");
	assert_int_equal(inc.occurred_at, ts("2026-11-19T17:00:00Z"));
	assert_int_equal(inc.discovered_at, ts("2026-11-20T09:30:00Z"));
	assert_int_equal(inc.reported_at, ts(NOW));
	assert_int_equal(inc.closed_at, TS_NONE);
	assert_string_equal(inc.reporter, "S1001");
	assert_false(inc.confidential_reporter);
	assert_int_equal(inc.nsubjects, 1);
	assert_string_equal(inc.subjects[0], "S2002");

	/* the reporter is shown only when asked (confidential reporters) */
	json_t *shown = incident_to_json(&inc, true), *hidden = incident_to_json(&inc, false);
	assert_string_equal(json_string_value(json_object_get(shown, "reporter")), "S1001");
	const json_t *r = json_object_get(hidden, "reporter");
	assert_true(r == NULL || json_is_null(r));
	assert_string_equal(json_string_value(json_object_get(shown, "status")), "reported");
	assert_string_equal(json_string_value(json_object_get(shown, "occurred_at")),
			    "2026-11-19T17:00:00Z");
	json_decref(shown);
	json_decref(hidden);
	incident_release(&inc);
	guidance_release(&g);
}

/* The facts an incident keeps assess exactly like the facts reported. */
static void test_facts_round_trip(void **state)
{
	(void)state;
	static const char *const extra[] = {
	    "",
	    ",'strap':true,'classification':'secret'",
	    ",'third_party_disclosure':true,'authorised':true",
	    ",'criminal':true,'intent':'deliberate','damage':'severe'",
	    ",'personal_data':{'records':3,'special_category':true}",
	    ",'personal_data':{'records':150},'intent':'accidental','damage':'none'",
	};
	struct guidance g;
	guidance_init_baseline(&g);
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(extra); i++) {
		char text[2048];
		struct incident inc;
		struct facts f1, f2;
		struct assessment a1, a2;
		struct err e;
		snprintf(text, sizeof text,
			 "{'org':'hq','description':'d','types':['pass-lost','cabinet-unlocked'],"
			 "'discovered_at':'2026-11-20T09:30:00Z'%s}",
			 extra[i]);
		json_t *j = load_sq(text);
		incident_init(&inc);
		if (incident_parse(&inc, j, &g, ts(NOW), &e) != 0)
			fail_msg("%s refused: %s: %s", text, e.field, e.msg);
		facts_init(&f1);
		assert_int_equal(facts_parse(&f1, j, &g, &e), 0);
		json_decref(j);
		json_t *kept = incident_facts_json(&inc);
		facts_init(&f2);
		if (facts_parse(&f2, kept, &g, &e) != 0)
			fail_msg("kept facts refused: %s: %s", e.field, e.msg);
		json_decref(kept);
		assert_int_equal(date_parse("2026-11-28", &f1.today), 0);
		f2.today = f1.today;
		json_t *j1 = facts_to_json(&f1, &g), *j2 = facts_to_json(&f2, &g);
		if (!json_equal(j1, j2)) {
			char *s1 = json_dumps(j1, JSON_COMPACT | JSON_SORT_KEYS);
			char *s2 = json_dumps(j2, JSON_COMPACT | JSON_SORT_KEYS);
			FAIL_ROW("facts reported %s\nfacts kept %s", s1, s2);
			free(s1);
			free(s2);
		}
		json_decref(j1);
		json_decref(j2);
		assert_int_equal(assess(&f1, &g, &a1, &e), 0);
		assert_int_equal(assess(&f2, &g, &a2, &e), 0);
		if (a1.severity != a2.severity || a1.recommendation != a2.recommendation ||
		    a1.nactions != a2.nactions)
			FAIL_ROW("%s: the kept facts assess differently", text);
		for (int k = 0; k < a1.nactions && k < a2.nactions; k++)
			if (a1.actions[k].code != a2.actions[k].code ||
			    a1.actions[k].due != a2.actions[k].due)
				FAIL_ROW("%s: action %d differs", text, k);
		incident_release(&inc);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Defaults: occurred_at is discovered_at, which is now; a near miss. */
static void test_defaults(void **state)
{
	(void)state;
	struct guidance g;
	struct incident inc;
	struct err e;
	guidance_init_baseline(&g);
	json_t *j = load_sq("{'org':'hq','description':'d','types':['pass-lost'],"
			    "'kind':'near-miss'}");
	incident_init(&inc);
	assert_int_equal(incident_parse(&inc, j, &g, ts(NOW), &e), 0);
	json_decref(j);
	assert_int_equal(inc.kind, KIND_NEAR_MISS);
	assert_int_equal(inc.discovered_at, ts(NOW));
	assert_int_equal(inc.occurred_at, ts(NOW));
	assert_int_equal(inc.nsubjects, 0); /* the head of unit is set by the service */
	assert_null(inc.location);
	incident_release(&inc);

	j = load_sq("{'org':'hq','description':'d','types':['pass-lost'],"
		    "'discovered_at':'2026-11-20T09:30:00Z'}");
	incident_init(&inc);
	assert_int_equal(incident_parse(&inc, j, &g, ts(NOW), &e), 0);
	json_decref(j);
	assert_int_equal(inc.kind, KIND_BREACH);
	assert_int_equal(inc.occurred_at, ts("2026-11-20T09:30:00Z"));
	incident_release(&inc);
	guidance_release(&g);
}

static const struct ierr_case {
	const char *incident;
	const char *field;
} ierr_cases[] = {
    {"{'description':'d','types':['pass-lost']}", "org"},
    {"{'org':'','description':'d','types':['pass-lost']}", "org"},
    {"{'org':'HMCTS','description':'d','types':['pass-lost']}", "org"},
    {"{'org':7,'description':'d','types':['pass-lost']}", "org"},
    {"{'org':'hq','description':'d'}", "types"},
    {"{'org':'hq','description':'d','types':[]}", "types"},
    {"{'org':'hq','description':'d','types':['pass-lost','lost-cat']}", "types[1]"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'intent':'evil'}", "intent"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'kind':'incident'}", "kind"},
    {"{'org':'hq','types':['pass-lost']}", "description"},
    {"{'org':'hq','description':'','types':['pass-lost']}", "description"},
    {"{'org':'hq','description':42,'types':['pass-lost']}", "description"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'location':5}", "location"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'occurred_at':'last week'}",
     "occurred_at"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'discovered_at':'2026-11-31'}",
     "discovered_at"},
    {"{'org':'hq','description':'d','types':['pass-lost'],"
     "'discovered_at':'2026-11-20T09:30:00Z','occurred_at':'2026-11-20T10:00:00Z'}",
     "occurred_at"},
    {"{'org':'hq','description':'d','types':['pass-lost'],"
     "'discovered_at':'2026-12-20T09:30:00Z'}",
     "discovered_at"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'reporter':'S 1001'}", "reporter"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'confidential_reporter':'yes'}",
     "confidential_reporter"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'subjects':'S2002'}", "subjects"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'subjects':['S2002','']}", "subjects[1]"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'subjects':[2002]}", "subjects[0]"},
    {"{'org':'hq','description':'d','types':['pass-lost'],'subjects':['S2002','S2002']}",
     "subjects[1]"},
};

static void test_parse_errors(void **state)
{
	(void)state;
	struct guidance g;
	guidance_init_baseline(&g);
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(ierr_cases); i++) {
		const struct ierr_case *c = &ierr_cases[i];
		json_t *j = load_sq(c->incident);
		struct incident inc;
		struct err e;
		incident_init(&inc);
		err_clear(&e);
		int rc = incident_parse(&inc, j, &g, ts(NOW), &e);
		json_decref(j);
		incident_release(&inc);
		if (rc != -1) {
			FAIL_ROW("%s: accepted, expected an error naming \"%s\"", c->incident,
				 c->field);
			continue;
		}
		if (strcmp(e.field, c->field) != 0 || e.kind != ERR_INVALID || !e.msg[0])
			FAIL_ROW("%s: %s error names \"%s\" (%s), expected \"%s\"", c->incident,
				 err_kind_name(e.kind), e.field, e.msg, c->field);
	}
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_example),
	    cmocka_unit_test(test_facts_round_trip),
	    cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
