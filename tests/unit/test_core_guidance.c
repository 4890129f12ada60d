/* test_core_guidance: the baseline catalogue (SPEC 2.1) and layered,
 * versioned guidance (SPEC 2, POLSBP003; src/core/guidance.h): re-grading,
 * new types, inheritance, version labels, and errors that name the field and
 * leave the guidance as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/catalogue.h"
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

/* Loads single-quoted JSON (quotes turned into double quotes). */
static json_t *load_sq(const char *sq)
{
	char *text = xstrdup(sq);
	json_error_t jerr;
	for (char *p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);
	if (!j)
		fail_msg("test JSON does not parse (%s): %s", jerr.text, text);
	free(text);
	return j;
}

/* Applies a single-quoted document; fails the test if it is refused. */
static void apply_ok(struct guidance *g, const char *doc, const char *label)
{
	json_t *j = load_sq(doc);
	struct err e;
	err_clear(&e);
	if (guidance_apply(g, j, label, &e) != 0)
		fail_msg("%s refused: %s: %s", doc, e.field, e.msg);
	json_decref(j);
}

static const struct guidance_type *type_of(const struct guidance *g, const char *code)
{
	int i = guidance_find(g, code);
	if (i < 0)
		fail_msg("no type \"%s\" in guidance %s", code, g->version);
	return &g->types[i];
}

/* ---- SPEC 2.1, row by row ---- */

static const struct cat_row {
	const char *code;
	enum severity grade;
	enum control control;
} spec_catalogue[] = {
    {"pass-lost", SEV_MINOR, CTL_PHYSICAL_ACCESS},
    {"pass-not-worn", SEV_MINOR, CTL_PHYSICAL_ACCESS},
    {"workstation-unlocked", SEV_MINOR, CTL_IT_ACCESS},
    {"circumstances-unreported", SEV_MINOR, CTL_PERSONNEL_SECURITY},
    {"pass-misuse", SEV_SERIOUS, CTL_PHYSICAL_ACCESS},
    {"account-sharing", SEV_SERIOUS, CTL_IT_ACCESS},
    {"official-docs-unsecured", SEV_SERIOUS, CTL_INFORMATION_HANDLING},
    {"official-material-lost", SEV_SERIOUS, CTL_INFORMATION_HANDLING},
    {"personal-data-release", SEV_SERIOUS, CTL_DATA_PROTECTION},
    {"cabinet-unlocked", SEV_SERIOUS, CTL_PHYSICAL_SECURITY},
    {"portable-asset-lost", SEV_SERIOUS, CTL_ASSET_MANAGEMENT},
    {"equipment-abroad", SEV_SERIOUS, CTL_ASSET_MANAGEMENT},
    {"asset-misuse", SEV_SERIOUS, CTL_CONDUCT},
    {"significant-circumstances-unreported", SEV_SERIOUS, CTL_PERSONNEL_SECURITY},
    {"classified-disclosure", SEV_GROSS, CTL_INFORMATION_HANDLING},
    {"secret-material-breach", SEV_GROSS, CTL_INFORMATION_HANDLING},
    {"criminal-act", SEV_GROSS, CTL_CONDUCT},
    {"it-policy-serious-breach", SEV_GROSS, CTL_IT_USE},
    {"clear-desk-failure", SEV_UNGRADED, CTL_PHYSICAL_SECURITY},
    {"sensitive-info-unprotected", SEV_UNGRADED, CTL_INFORMATION_HANDLING},
    {"other", SEV_UNGRADED, CTL_OTHER},
};

static void test_baseline_catalogue(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	assert_int_equal(g.ntypes, N_ELEMS(spec_catalogue));
	assert_int_equal(catalogue_baseline_count, N_ELEMS(spec_catalogue));
	assert_string_equal(g.version, "moj/1");
	assert_string_equal(g.chain, "moj/1");
	assert_int_equal(g.significant_records, 100);
	assert_int_equal(g.live_months[WRN_BREACH_NOTICE], 12);
	assert_int_equal(g.live_months[WRN_WRITTEN], 6);
	assert_int_equal(g.live_months[WRN_FINAL_WRITTEN], 12);
	for (size_t i = 0; i < N_ELEMS(spec_catalogue); i++) {
		const struct cat_row *r = &spec_catalogue[i];
		const struct guidance_type *t = type_of(&g, r->code);
		const struct catalogue_entry *c = catalogue_find(r->code);
		if (t->grade != r->grade || t->baseline != r->grade || t->control != r->control)
			FAIL_ROW("%s: grade %s baseline %s control %s, SPEC 2.1 says %s %s",
				 r->code, vocab_name(&vocab_severity, t->grade),
				 vocab_name(&vocab_severity, t->baseline),
				 vocab_name(&vocab_control, t->control),
				 vocab_name(&vocab_severity, r->grade),
				 vocab_name(&vocab_control, r->control));
		if (!t->title || !t->title[0])
			FAIL_ROW("%s has no title", r->code);
		assert_string_equal(t->defined_by, "moj/1");
		assert_string_equal(t->graded_by, "moj/1");
		if (!c || c->baseline != r->grade || c->control != r->control)
			FAIL_ROW("catalogue_find(\"%s\") disagrees with SPEC 2.1", r->code);
	}
	/* no type twice */
	for (size_t i = 0; i < g.ntypes; i++)
		for (size_t k = i + 1; k < g.ntypes; k++)
			if (strcmp(g.types[i].code, g.types[k].code) == 0)
				FAIL_ROW("%s listed twice", g.types[i].code);
	assert_int_equal(guidance_find(&g, "no-such-type"), -1);
	assert_null(catalogue_find("no-such-type"));
	/* The JSON view agrees. */
	json_t *j = guidance_to_json(&g);
	assert_string_equal(json_string_value(json_object_get(j, "version")), "moj/1");
	assert_int_equal(json_array_size(json_object_get(j, "types")), N_ELEMS(spec_catalogue));
	json_decref(j);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- layering ---- */

static void test_grades_override(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	apply_ok(&g, "{'grades':{'clear-desk-failure':'minor','pass-not-worn':'serious'}}",
		 "hmcts/2");
	assert_string_equal(g.version, "hmcts/2");
	assert_string_equal(g.chain, "moj/1 hmcts/2");
	assert_int_equal(g.ntypes, N_ELEMS(spec_catalogue));
	const struct guidance_type *t = type_of(&g, "clear-desk-failure");
	assert_int_equal(t->grade, SEV_MINOR);
	assert_string_equal(t->graded_by, "hmcts/2");
	assert_string_equal(t->defined_by, "moj/1");
	t = type_of(&g, "pass-not-worn");
	assert_int_equal(t->grade, SEV_SERIOUS);
	assert_string_equal(t->graded_by, "hmcts/2");
	/* what the layer does not grade is inherited */
	for (size_t i = 0; i < N_ELEMS(spec_catalogue); i++) {
		const char *code = spec_catalogue[i].code;
		if (strcmp(code, "clear-desk-failure") == 0 || strcmp(code, "pass-not-worn") == 0)
			continue;
		t = type_of(&g, code);
		if (t->grade != spec_catalogue[i].grade || strcmp(t->graded_by, "moj/1") != 0)
			FAIL_ROW("%s changed by a layer that does not grade it", code);
	}
	assert_int_equal(g.significant_records, 100);
	assert_int_equal(g.live_months[WRN_BREACH_NOTICE], 12);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_new_types(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	apply_ok(&g,
		 "{'types':[{'code':'court-list-disclosed','title':'Court list sent to the wrong "
		 "party','baseline':'serious','control':'information-handling'},"
		 "{'code':'tailgating','title':'Letting someone tailgate','baseline':'minor',"
		 "'control':'physical-access'}]}",
		 "hmcts/2");
	assert_int_equal(g.ntypes, N_ELEMS(spec_catalogue) + 2);
	const struct guidance_type *t = type_of(&g, "court-list-disclosed");
	assert_int_equal(t->grade, SEV_SERIOUS);
	assert_int_equal(t->baseline, SEV_SERIOUS);
	assert_int_equal(t->control, CTL_INFORMATION_HANDLING);
	assert_string_equal(t->title, "Court list sent to the wrong party");
	assert_string_equal(t->defined_by, "hmcts/2");
	t = type_of(&g, "tailgating");
	assert_int_equal(t->grade, SEV_MINOR);
	assert_int_equal(t->control, CTL_PHYSICAL_ACCESS);
	/* the baseline types are all still there */
	for (size_t i = 0; i < N_ELEMS(spec_catalogue); i++)
		assert_int_equal(type_of(&g, spec_catalogue[i].code)->grade,
				 spec_catalogue[i].grade);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* root -> hmpps -> hmpps-xyz: each inherits what it does not define. */
static void test_inheritance_chain(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	apply_ok(&g,
		 "{'significant_records':50,'grades':{'other':'minor'},"
		 "'types':[{'code':'cell-key-lost','title':'Cell key lost','baseline':'serious',"
		 "'control':'physical-security'}]}",
		 "hmpps/1");
	apply_ok(&g, "{'live_months':{'breach-notice':6},'grades':{'cell-key-lost':'gross'}}",
		 "hmpps-xyz/3");
	assert_string_equal(g.version, "hmpps-xyz/3");
	assert_string_equal(g.chain, "moj/1 hmpps/1 hmpps-xyz/3");
	assert_int_equal(g.significant_records, 50);		/* from hmpps/1 */
	assert_int_equal(g.live_months[WRN_BREACH_NOTICE], 6);	/* own */
	assert_int_equal(g.live_months[WRN_WRITTEN], 6);	/* default */
	assert_int_equal(g.live_months[WRN_FINAL_WRITTEN], 12); /* default */
	const struct guidance_type *t = type_of(&g, "other");
	assert_int_equal(t->grade, SEV_MINOR);
	assert_string_equal(t->graded_by, "hmpps/1");
	t = type_of(&g, "cell-key-lost");
	assert_int_equal(t->grade, SEV_GROSS);
	assert_int_equal(t->baseline, SEV_SERIOUS); /* as defined by hmpps/1 */
	assert_string_equal(t->defined_by, "hmpps/1");
	assert_string_equal(t->graded_by, "hmpps-xyz/3");
	assert_int_equal(type_of(&g, "pass-lost")->grade, SEV_MINOR);
	/* a later layer may re-grade again and change the threshold again */
	apply_ok(&g, "{'significant_records':250,'grades':{'other':'serious'}}", "hmpps-xyz/4");
	assert_int_equal(g.significant_records, 250);
	assert_int_equal(type_of(&g, "other")->grade, SEV_SERIOUS);
	assert_int_equal(type_of(&g, "cell-key-lost")->grade, SEV_GROSS);
	assert_int_equal(g.live_months[WRN_BREACH_NOTICE], 6);
	assert_string_equal(g.chain, "moj/1 hmpps/1 hmpps-xyz/3 hmpps-xyz/4");
	/* an empty document is a new version that changes nothing else */
	json_t *before = guidance_to_json(&g);
	apply_ok(&g, "{}", "hmpps-xyz/5");
	json_t *after = guidance_to_json(&g);
	assert_string_equal(g.version, "hmpps-xyz/5");
	json_object_del(before, "version");
	json_object_del(before, "chain");
	json_object_del(after, "version");
	json_object_del(after, "chain");
	assert_true(json_equal(before, after));
	json_decref(before);
	json_decref(after);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- errors: the field is named and the guidance is left unchanged ---- */

static const struct gerr_case {
	const char *doc;
	const char *field;
} gerr_cases[] = {
    {"{'grades':{'xyz':'minor'}}", "grades.xyz"},
    {"{'grades':{'pass-lost':'minor','xyz':'serious'}}", "grades.xyz"},
    {"{'grades':{'pass-lost':'huge'}}", "grades.pass-lost"},
    {"{'grades':{'pass-lost':'Serious'}}", "grades.pass-lost"},
    {"{'grades':{'pass-lost':2}}", "grades.pass-lost"},
    {"{'grades':{'pass-lost':null}}", "grades.pass-lost"},
    {"{'grades':['pass-lost']}", "grades"},
    {"{'types':'court-list-disclosed'}", "types"},
    {"{'types':['court-list-disclosed']}", "types[0]"},
    {"{'types':[{'title':'No code','baseline':'minor','control':'other'}]}", "types[0].code"},
    {"{'types':[{'code':'Bad Code','title':'t','baseline':'minor','control':'other'}]}",
     "types[0].code"},
    {"{'types':[{'code':'a-type','title':'t','baseline':'huge','control':'other'}]}",
     "types[0].baseline"},
    {"{'types':[{'code':'a-type','title':'t','baseline':'minor','control':'nowhere'}]}",
     "types[0].control"},
    {"{'types':[{'code':'a-type','title':'t','baseline':'minor','control':'other'},"
     "{'code':'b-type','title':'t','baseline':'minor','control':'elsewhere'}]}",
     "types[1].control"},
    {"{'significant_records':'fifty'}", "significant_records"},
    {"{'significant_records':-1}", "significant_records"},
    {"{'significant_records':12.5}", "significant_records"},
    {"{'live_months':{'verbal':3}}", "live_months.verbal"},
    {"{'live_months':{'breach-notice':'six'}}", "live_months.breach-notice"},
    {"{'live_months':{'breach-notice':-6}}", "live_months.breach-notice"},
    {"{'live_months':6}", "live_months"},
    {"{'colour':'purple'}", "colour"},
    {"{'grades':{'pass-lost':'serious'},'colour':'purple'}", "colour"},
    /* valid parts first, a bad part last: nothing may be half-applied */
    {"{'grades':{'pass-lost':'gross'},'significant_records':7,"
     "'types':[{'code':'new-one','title':'t','baseline':'minor','control':'other'}],"
     "'live_months':{'breach-notice':'x'}}",
     "live_months.breach-notice"},
    {"{'types':[{'code':'new-one','title':'t','baseline':'minor','control':'other'}],"
     "'grades':{'new-two':'minor'}}",
     "grades.new-two"},
};

static void test_apply_errors(void **state)
{
	(void)state;
	bad = 0;
	struct guidance g;
	guidance_init_baseline(&g);
	apply_ok(&g, "{'grades':{'other':'minor'},'significant_records':60}", "hmcts/2");
	json_t *before = guidance_to_json(&g);
	size_t ntypes = g.ntypes;
	for (size_t i = 0; i < N_ELEMS(gerr_cases); i++) {
		const struct gerr_case *c = &gerr_cases[i];
		json_t *doc = load_sq(c->doc);
		struct guidance w;
		struct err e;
		err_clear(&e);
		guidance_copy(&w, &g);
		int rc = guidance_apply(&w, doc, "hmcts/3", &e);
		json_decref(doc);
		if (rc != -1) {
			FAIL_ROW("%s: accepted, expected an error naming \"%s\"", c->doc, c->field);
			guidance_release(&w);
			continue;
		}
		if (strcmp(e.field, c->field) != 0)
			FAIL_ROW("%s: error names \"%s\" (%s), expected \"%s\"", c->doc, e.field,
				 e.msg, c->field);
		if (e.kind != ERR_INVALID || !e.msg[0])
			FAIL_ROW("%s: kind %s, message \"%s\"", c->doc, err_kind_name(e.kind),
				 e.msg);
		json_t *after = guidance_to_json(&w);
		if (!json_equal(before, after) || w.ntypes != ntypes)
			FAIL_ROW("%s: the refused document changed the guidance", c->doc);
		json_decref(after);
		guidance_release(&w);
	}
	/* A document that is not an object is refused too. */
	json_t *arr = load_sq("['grades']");
	struct err e;
	assert_int_equal(guidance_apply(&g, arr, "hmcts/3", &e), -1);
	json_decref(arr);
	assert_string_equal(g.version, "hmcts/2");
	assert_string_equal(g.chain, "moj/1 hmcts/2");
	json_decref(before);
	guidance_release(&g);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* The baseline document applied to empty guidance is the baseline. */
static void test_baseline_doc_round_trip(void **state)
{
	(void)state;
	bad = 0;
	struct guidance a, b;
	struct err e;
	guidance_init_baseline(&a);
	guidance_init(&b);
	assert_int_equal(b.ntypes, 0);
	json_t *doc = guidance_baseline_doc();
	assert_non_null(doc);
	if (guidance_apply(&b, doc, "moj/1", &e) != 0)
		fail_msg("baseline document refused: %s: %s", e.field, e.msg);
	json_decref(doc);
	json_t *ja = guidance_to_json(&a), *jb = guidance_to_json(&b);
	if (!json_equal(ja, jb)) {
		char *sa = json_dumps(ja, JSON_COMPACT), *sb = json_dumps(jb, JSON_COMPACT);
		FAIL_ROW("baseline %s\nfrom doc %s", sa, sb);
		free(sa);
		free(sb);
	}
	json_decref(ja);
	json_decref(jb);
	assert_int_equal(a.ntypes, b.ntypes);
	for (size_t i = 0; i < a.ntypes; i++) {
		const struct guidance_type *tb = type_of(&b, a.types[i].code);
		/* the facts the rules read beyond grade and control (vetting,
		 * criminal, misuse, access review) must survive the round trip */
		if (tb->flags != a.types[i].flags || tb->grade != a.types[i].grade ||
		    tb->control != a.types[i].control || strcmp(tb->title, a.types[i].title) != 0)
			FAIL_ROW("%s differs after the round trip", a.types[i].code);
	}
	assert_int_equal(a.significant_records, b.significant_records);
	assert_memory_equal(a.live_months, b.live_months, sizeof a.live_months);
	assert_memory_equal(a.referral, b.referral, sizeof a.referral);
	assert_int_equal(a.retention_months, b.retention_months);
	assert_string_equal(a.version, b.version);
	assert_string_equal(a.chain, b.chain);
	guidance_release(&a);
	guidance_release(&b);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* A copy is deep: it outlives the original and does not share changes. */
static void test_copy_is_deep(void **state)
{
	(void)state;
	bad = 0;
	struct guidance a, b;
	guidance_init_baseline(&a);
	guidance_copy(&b, &a);
	apply_ok(&a, "{'grades':{'pass-lost':'gross'}}", "hq/2");
	assert_int_equal(type_of(&b, "pass-lost")->grade, SEV_MINOR);
	assert_string_equal(b.version, "moj/1");
	guidance_release(&a);
	assert_string_equal(type_of(&b, "other")->title, catalogue_find("other")->title);
	guidance_release(&b);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_baseline_catalogue),
	    cmocka_unit_test(test_grades_override),
	    cmocka_unit_test(test_new_types),
	    cmocka_unit_test(test_inheritance_chain),
	    cmocka_unit_test(test_apply_errors),
	    cmocka_unit_test(test_baseline_doc_round_trip),
	    cmocka_unit_test(test_copy_is_deep),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
