/* test_core_decision: the manager's decision checked against the stored
 * assessment (SPEC 4, 3.3; src/core/decision.h): a rationale is always
 * required; an override reason whenever the decided outcome or severity
 * differs from the recommendation, and not when they match; an ungraded
 * assessment leaves the grade to the manager; a probationer's
 * probation-review, a contractor's contract-review and a referral follow a
 * breach-notice or formal-action recommendation on their route. */
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
#include "core/decision.h"

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

static const char *sev(enum severity s)
{
	return vocab_name(&vocab_severity, s);
}
static const char *out_name(enum outcome o)
{
	return vocab_name(&vocab_outcome, o);
}
static const char *rec_name(enum recommendation r)
{
	return vocab_name(&vocab_recommendation, r);
}

/* ---- the table ---- */

#define OK NULL /* accepted */
static const struct dec_case {
	const char *name;
	/* the stored assessment */
	enum severity a_sev;
	enum recommendation rec;
	enum route route;
	/* the decision */
	enum severity d_sev;
	enum outcome outcome;
	const char *rationale, *override_reason;
	const char *field; /* the field named by the refusal, or OK */
} dec_cases[] = {
    /* rationale is required */
    {"matching, with rationale", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_BREACH_NOTICE, "laptop left on a train; first breach", NULL, OK},
    {"no rationale", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_BREACH_NOTICE, NULL, NULL, "rationale"},
    {"empty rationale", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_BREACH_NOTICE, "", NULL, "rationale"},
    {"blank rationale", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_BREACH_NOTICE, " \t\n ", NULL, "rationale"},
    {"no rationale, even with an override reason", SEV_SERIOUS, REC_BREACH_NOTICE,
     ROUTE_DISCIPLINARY, SEV_MINOR, OUT_ADVICE, NULL, "mitigating circumstances", "rationale"},
    {"no rationale when ungraded", SEV_UNGRADED, REC_MANAGER_TO_GRADE, ROUTE_DISCIPLINARY,
     SEV_MINOR, OUT_ADVICE, NULL, NULL, "rationale"},
    /* severity differs */
    {"severity lowered, no reason", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY, SEV_MINOR,
     OUT_BREACH_NOTICE, "r", NULL, "override_reason"},
    {"severity lowered, with reason", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY, SEV_MINOR,
     OUT_BREACH_NOTICE, "r", "damage was contained at once", OK},
    {"severity raised, no reason", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY, SEV_GROSS, OUT_ADVICE,
     "r", NULL, "override_reason"},
    {"severity raised, blank reason", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_ADVICE, "r", "   ", "override_reason"},
    {"severity raised, with reason", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_ADVICE, "r", "third time this year", OK},
    /* outcome differs */
    {"advice recommended, no-action decided", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY, SEV_MINOR,
     OUT_NO_ACTION, "r", NULL, "override_reason"},
    {"advice recommended, breach notice decided", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY,
     SEV_MINOR, OUT_BREACH_NOTICE, "r", NULL, "override_reason"},
    {"advice recommended, breach notice with reason", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY,
     SEV_MINOR, OUT_BREACH_NOTICE, "r", "lent the pass knowingly", OK},
    {"breach notice recommended, advice decided", SEV_SERIOUS, REC_BREACH_NOTICE,
     ROUTE_DISCIPLINARY, SEV_SERIOUS, OUT_ADVICE, "r", NULL, "override_reason"},
    {"breach notice recommended, formal action decided", SEV_SERIOUS, REC_BREACH_NOTICE,
     ROUTE_DISCIPLINARY, SEV_SERIOUS, OUT_FORMAL_ACTION, "r", NULL, "override_reason"},
    {"formal action recommended and decided", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_DISCIPLINARY,
     SEV_GROSS, OUT_FORMAL_ACTION, "r", NULL, OK},
    {"formal action recommended, breach notice decided", SEV_GROSS, REC_FORMAL_ACTION,
     ROUTE_DISCIPLINARY, SEV_GROSS, OUT_BREACH_NOTICE, "r", NULL, "override_reason"},
    {"both differ, with reason", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_BREACH_NOTICE, "r", "criminal allegation withdrawn by police", OK},
    {"advice matches, override given anyway", SEV_MINOR, REC_ADVICE, ROUTE_DISCIPLINARY, SEV_MINOR,
     OUT_ADVICE, "r", "not needed", OK},
    /* ungraded: the manager grades */
    {"ungraded graded minor", SEV_UNGRADED, REC_MANAGER_TO_GRADE, ROUTE_DISCIPLINARY, SEV_MINOR,
     OUT_ADVICE, "clear desk: papers left overnight", NULL, OK},
    {"ungraded graded serious", SEV_UNGRADED, REC_MANAGER_TO_GRADE, ROUTE_DISCIPLINARY, SEV_SERIOUS,
     OUT_BREACH_NOTICE, "r", NULL, OK},
    {"ungraded graded gross", SEV_UNGRADED, REC_MANAGER_TO_GRADE, ROUTE_DISCIPLINARY, SEV_GROSS,
     OUT_FORMAL_ACTION, "r", NULL, OK},
    {"ungraded on probation", SEV_UNGRADED, REC_MANAGER_TO_GRADE, ROUTE_PROBATION, SEV_SERIOUS,
     OUT_PROBATION_REVIEW, "r", NULL, OK},
    {"decided severity must be graded", SEV_UNGRADED, REC_MANAGER_TO_GRADE, ROUTE_DISCIPLINARY,
     SEV_UNGRADED, OUT_ADVICE, "r", NULL, "severity"},
    {"decided severity must be graded, graded assessment", SEV_MINOR, REC_ADVICE,
     ROUTE_DISCIPLINARY, SEV_UNGRADED, OUT_ADVICE, "r", "x", "severity"},
    /* routes: the route's own outcome follows a breach notice or formal action */
    {"probation review follows a breach notice", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_PROBATION,
     SEV_SERIOUS, OUT_PROBATION_REVIEW, "r", NULL, OK},
    {"probation review follows formal action", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_PROBATION,
     SEV_GROSS, OUT_PROBATION_REVIEW, "r", NULL, OK},
    {"breach notice on probation", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_PROBATION, SEV_SERIOUS,
     OUT_BREACH_NOTICE, "r", NULL, OK},
    {"probation review instead of advice", SEV_MINOR, REC_ADVICE, ROUTE_PROBATION, SEV_MINOR,
     OUT_PROBATION_REVIEW, "r", NULL, "override_reason"},
    {"probation review off probation", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_DISCIPLINARY,
     SEV_SERIOUS, OUT_PROBATION_REVIEW, "r", NULL, "override_reason"},
    {"probation review, severity differs", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_PROBATION,
     SEV_MINOR, OUT_PROBATION_REVIEW, "r", NULL, "override_reason"},
    {"contract review follows a breach notice", SEV_SERIOUS, REC_BREACH_NOTICE, ROUTE_CONTRACT,
     SEV_SERIOUS, OUT_CONTRACT_REVIEW, "r", NULL, OK},
    {"contract review follows formal action", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_CONTRACT,
     SEV_GROSS, OUT_CONTRACT_REVIEW, "r", NULL, OK},
    {"contract review for an employee", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_DISCIPLINARY, SEV_GROSS,
     OUT_CONTRACT_REVIEW, "r", NULL, "override_reason"},
    {"referral follows formal action", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_REFERRAL, SEV_GROSS,
     OUT_REFERRAL, "r", NULL, OK},
    {"referral for a contractor", SEV_GROSS, REC_FORMAL_ACTION, ROUTE_CONTRACT, SEV_GROSS,
     OUT_REFERRAL, "r", NULL, "override_reason"},
};

static void test_decision_check(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(dec_cases); i++) {
		const struct dec_case *c = &dec_cases[i];
		struct assessment_record a;
		struct decision d;
		struct err e;
		memset(&a, 0, sizeof a);
		a.severity = a.baseline = c->a_sev;
		a.recommendation = c->rec;
		a.route = c->route;
		decision_init(&d);
		d.severity = c->d_sev;
		d.outcome = c->outcome;
		d.assessed_severity = c->a_sev;
		d.recommendation = c->rec;
		d.rationale = xstrdup(c->rationale);
		d.override_reason = xstrdup(c->override_reason);
		err_clear(&e);
		int rc = decision_check(&d, &a, &e);
		if (c->field == OK && rc != 0)
			FAIL_ROW("%s (%s/%s on %s, recommended %s/%s): refused: %s: %s", c->name,
				 sev(c->d_sev), out_name(c->outcome),
				 vocab_name(&vocab_route, c->route), sev(c->a_sev),
				 rec_name(c->rec), e.field, e.msg);
		if (c->field != OK && rc != -1) {
			FAIL_ROW("%s: accepted, expected an error naming \"%s\"", c->name,
				 c->field);
		} else if (c->field != OK) {
			if (strcmp(e.field, c->field) != 0)
				FAIL_ROW("%s: error names \"%s\" (%s), expected \"%s\"", c->name,
					 e.field, e.msg, c->field);
			if (e.kind != ERR_INVALID || !e.msg[0])
				FAIL_ROW("%s: kind %s, message \"%s\"", c->name,
					 err_kind_name(e.kind), e.msg);
		}
		decision_release(&d);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* The rationale and override reason have a size limit. */
static void test_text_limits(void **state)
{
	(void)state;
	bad = 0;
	struct assessment_record a;
	struct decision d;
	struct err e;
	memset(&a, 0, sizeof a);
	a.severity = SEV_SERIOUS;
	a.recommendation = REC_BREACH_NOTICE;
	a.route = ROUTE_DISCIPLINARY;
	decision_init(&d);
	d.severity = SEV_SERIOUS;
	d.outcome = OUT_BREACH_NOTICE;
	d.rationale = xmalloc(DECISION_TEXT_MAX + 2);
	memset(d.rationale, 'r', DECISION_TEXT_MAX);
	d.rationale[DECISION_TEXT_MAX] = '\0';
	assert_int_equal(decision_check(&d, &a, &e), 0);
	d.rationale[DECISION_TEXT_MAX] = 'r';
	d.rationale[DECISION_TEXT_MAX + 1] = '\0';
	assert_int_equal(decision_check(&d, &a, &e), -1);
	assert_string_equal(e.field, "rationale");
	decision_release(&d);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* assess_outcome_follows, the rule decision_check applies: which outcome
 * follows which recommendation on which route. */
static void test_outcome_follows(void **state)
{
	(void)state;
	bad = 0;
	for (int rec = 0; rec < REC_COUNT; rec++) {
		for (int route = 0; route < ROUTE_COUNT; route++) {
			for (int o = 0; o < OUT_COUNT; o++) {
				bool want;
				/* The outcome that is the route's own way of acting on a
				 * breach notice or formal action (assess.h); the
				 * disciplinary route has none beyond those two. */
				static const int own[ROUTE_COUNT] = {
				    [ROUTE_DISCIPLINARY] = -1,
				    [ROUTE_PROBATION] = OUT_PROBATION_REVIEW,
				    [ROUTE_CONTRACT] = OUT_CONTRACT_REVIEW,
				    [ROUTE_REFERRAL] = OUT_REFERRAL,
				};
				switch (rec) {
				case REC_MANAGER_TO_GRADE:
					want = true; /* the manager decides freely */
					break;
				case REC_ADVICE:
					want = o == OUT_ADVICE;
					break;
				case REC_BREACH_NOTICE:
					want = o == OUT_BREACH_NOTICE || o == own[route];
					break;
				default: /* REC_FORMAL_ACTION */
					want = o == OUT_FORMAL_ACTION || o == own[route];
					break;
				}
				bool got = assess_outcome_follows(
				    (enum recommendation)rec, (enum route)route, (enum outcome)o);
				if (got != want)
					FAIL_ROW(
					    "%s on %s route, outcome %s: follows=%d, expected %d",
					    rec_name((enum recommendation)rec),
					    vocab_name(&vocab_route, route),
					    out_name((enum outcome)o), got, want);
			}
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_decision_json(void **state)
{
	(void)state;
	bad = 0;
	struct decision d;
	decision_init(&d);
	snprintf(d.subject, sizeof d.subject, "S2002");
	d.severity = SEV_SERIOUS;
	d.outcome = OUT_BREACH_NOTICE;
	d.damage = DMG_MODERATE;
	d.intent = INT_NEGLIGENT;
	d.live_warnings = 1;
	d.assessed_severity = SEV_GROSS;
	d.recommendation = REC_FORMAL_ACTION;
	d.rationale = xstrdup("first breach");
	d.override_reason = xstrdup("contained at once");
	snprintf(d.decided_by, sizeof d.decided_by, "user:alice");
	assert_int_equal(date_parse_ts("2026-11-28T10:00:00Z", &d.decided_at), 0);
	json_t *j = decision_to_json(&d);
	assert_string_equal(json_string_value(json_object_get(j, "severity")), "serious");
	assert_string_equal(json_string_value(json_object_get(j, "outcome")), "breach-notice");
	assert_string_equal(json_string_value(json_object_get(j, "rationale")), "first breach");
	assert_string_equal(json_string_value(json_object_get(j, "override_reason")),
			    "contained at once");
	assert_string_equal(json_string_value(json_object_get(j, "decided_at")),
			    "2026-11-28T10:00:00Z");
	/* the three factors of POLSBP003 */
	const json_t *f = json_object_get(j, "factors");
	assert_non_null(f);
	assert_string_equal(json_string_value(json_object_get(f, "damage")), "moderate");
	assert_string_equal(json_string_value(json_object_get(f, "intent")), "negligent");
	assert_int_equal(json_integer_value(json_object_get(f, "live_warnings")), 1);
	json_decref(j);
	decision_release(&d);
	/* released twice is harmless, and an undecided one prints null */
	decision_release(&d);
	decision_init(&d);
	j = decision_to_json(&d);
	assert_true(json_is_null(json_object_get(j, "override_reason")));
	json_decref(j);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_decision_check),
	    cmocka_unit_test(test_text_limits),
	    cmocka_unit_test(test_outcome_follows),
	    cmocka_unit_test(test_decision_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
