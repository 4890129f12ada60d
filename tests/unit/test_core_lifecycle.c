/* test_core_lifecycle: the incident state machine of SPEC 4
 * (src/core/lifecycle.h): reported -> triaged -> investigating ->
 * awaiting-decision -> decided -> closed; unfounded and withdrawn from any
 * open state with a reason; reopened back to investigating by security
 * only; every other move refused with the allowed next states (a 409). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/lifecycle.h"

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

static const char *st(enum state s)
{
	return vocab_name(&vocab_state, s);
}

static const enum state open_states[] = {ST_REPORTED, ST_TRIAGED, ST_INVESTIGATING,
					 ST_AWAITING_DECISION, ST_DECIDED};

static bool is_open(enum state s)
{
	for (size_t i = 0; i < N_ELEMS(open_states); i++)
		if (open_states[i] == s)
			return true;
	return false;
}

static bool is_terminal(enum state s)
{
	return s == ST_CLOSED || s == ST_UNFOUNDED || s == ST_WITHDRAWN;
}

/* What SPEC 4 says about from -> to: 1 allowed, 0 refused, -1 the SPEC
 * does not settle it (left to the implementation, not asserted). */
static int spec_allows(enum state from, enum state to)
{
	static const enum state forward[][2] = {
	    {ST_REPORTED, ST_TRIAGED},
	    {ST_TRIAGED, ST_INVESTIGATING},
	    {ST_INVESTIGATING, ST_AWAITING_DECISION},
	    {ST_AWAITING_DECISION, ST_DECIDED},
	    {ST_DECIDED, ST_CLOSED},
	};
	for (size_t i = 0; i < N_ELEMS(forward); i++)
		if (forward[i][0] == from && forward[i][1] == to)
			return 1;
	if ((to == ST_UNFOUNDED || to == ST_WITHDRAWN) && is_open(from))
		return 1;
	if (from == ST_CLOSED && to == ST_INVESTIGATING)
		return 1; /* reopened */
	/* Reopening an unfounded or withdrawn incident, and sending an
	 * incident awaiting decision back to investigation, are not named by
	 * SPEC 4 either way. */
	if (to == ST_INVESTIGATING &&
	    (from == ST_UNFOUNDED || from == ST_WITHDRAWN || from == ST_AWAITING_DECISION))
		return -1;
	return 0;
}

static void test_full_path(void **state)
{
	(void)state;
	bad = 0;
	static const enum state path[] = {ST_REPORTED,		ST_TRIAGED, ST_INVESTIGATING,
					  ST_AWAITING_DECISION, ST_DECIDED, ST_CLOSED};
	for (size_t i = 0; i + 1 < N_ELEMS(path); i++) {
		struct err e;
		err_clear(&e);
		/* no reason and no special power needed along the main path */
		if (lifecycle_check(path[i], path[i + 1], false, false, &e) != 0)
			FAIL_ROW("%s -> %s refused: %s", st(path[i]), st(path[i + 1]), e.msg);
		assert_false(lifecycle_needs_reason(path[i], path[i + 1]));
		if (lifecycle_check(path[i], path[i + 1], true, true, &e) != 0)
			FAIL_ROW("%s -> %s refused with a reason: %s", st(path[i]), st(path[i + 1]),
				 e.msg);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Every pair the SPEC settles, with every power and reason. */
static void test_transition_matrix(void **state)
{
	(void)state;
	bad = 0;
	for (int from = 0; from < ST_COUNT; from++) {
		for (int to = 0; to < ST_COUNT; to++) {
			int want = spec_allows((enum state)from, (enum state)to);
			struct err e;
			if (want < 0)
				continue;
			err_clear(&e);
			int rc = lifecycle_check((enum state)from, (enum state)to, true, true, &e);
			if (want == 1 && rc != 0)
				FAIL_ROW("%s -> %s refused: %s", st((enum state)from),
					 st((enum state)to), e.msg);
			if (want == 0 && rc == 0)
				FAIL_ROW("%s -> %s allowed; SPEC 4 does not allow it",
					 st((enum state)from), st((enum state)to));
			if (want == 0 && e.kind != ERR_CONFLICT)
				FAIL_ROW("%s -> %s: %s, expected a conflict (409)",
					 st((enum state)from), st((enum state)to),
					 err_kind_name(e.kind));
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* An illegal move names "status" and lists the allowed next states. */
static const struct illegal_case {
	enum state from, to;
	bool security;
	enum state allowed[4];
	int nallowed;
} illegal_cases[] = {
    {ST_REPORTED, ST_INVESTIGATING, false, {ST_TRIAGED, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_REPORTED, ST_CLOSED, false, {ST_TRIAGED, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_REPORTED, ST_REPORTED, false, {ST_TRIAGED, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_TRIAGED, ST_DECIDED, false, {ST_INVESTIGATING, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_TRIAGED, ST_REPORTED, true, {ST_INVESTIGATING, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_INVESTIGATING, ST_CLOSED, false, {ST_AWAITING_DECISION, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_INVESTIGATING, ST_DECIDED, true, {ST_AWAITING_DECISION, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_AWAITING_DECISION, ST_CLOSED, false, {ST_DECIDED, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_DECIDED, ST_AWAITING_DECISION, false, {ST_CLOSED, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_DECIDED, ST_REPORTED, true, {ST_CLOSED, ST_UNFOUNDED, ST_WITHDRAWN}, 3},
    {ST_CLOSED, ST_DECIDED, true, {ST_INVESTIGATING}, 1},
    {ST_CLOSED, ST_REPORTED, true, {ST_INVESTIGATING}, 1},
    {ST_CLOSED, ST_UNFOUNDED, true, {ST_INVESTIGATING}, 1},
    {ST_CLOSED, ST_WITHDRAWN, true, {ST_INVESTIGATING}, 1},
    /* whether these may be reopened is not settled by SPEC 4 */
    {ST_UNFOUNDED, ST_CLOSED, true, {ST_REPORTED}, 0},
    {ST_WITHDRAWN, ST_TRIAGED, true, {ST_REPORTED}, 0},
};

static void test_illegal_lists_allowed(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(illegal_cases); i++) {
		const struct illegal_case *c = &illegal_cases[i];
		struct err e;
		err_clear(&e);
		if (lifecycle_check(c->from, c->to, c->security, true, &e) != -1)
			FAIL_ROW("%s -> %s allowed", st(c->from), st(c->to));
		if (e.kind != ERR_CONFLICT)
			FAIL_ROW("%s -> %s: %s, expected conflict", st(c->from), st(c->to),
				 err_kind_name(e.kind));
		assert_string_equal(e.field, "status");
		/* the message lists each allowed next state, after naming the
		 * refused move */
		const char *tail = strstr(e.msg, st(c->to));
		if (!tail)
			FAIL_ROW("message does not name the refused state: %s", e.msg);
		for (int k = 0; k < c->nallowed; k++)
			if (!strstr(e.msg, st(c->allowed[k])))
				FAIL_ROW("%s -> %s: \"%s\" does not list %s", st(c->from),
					 st(c->to), e.msg, st(c->allowed[k]));
		/* and lifecycle_allowed agrees */
		enum state out[ST_COUNT];
		int n = lifecycle_allowed(c->from, c->security, out);
		for (int k = 0; k < c->nallowed; k++) {
			bool seen = false;
			for (int x = 0; x < n; x++)
				seen |= out[x] == c->allowed[k];
			if (!seen)
				FAIL_ROW("lifecycle_allowed(%s) lacks %s", st(c->from),
					 st(c->allowed[k]));
		}
		for (int x = 0; x < n; x++)
			if (spec_allows(c->from, out[x]) == 0)
				FAIL_ROW("lifecycle_allowed(%s) offers %s", st(c->from),
					 st(out[x]));
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* unfounded and withdrawn need a reason, from every open state. */
static void test_reason_required(void **state)
{
	(void)state;
	bad = 0;
	static const enum state ends[] = {ST_UNFOUNDED, ST_WITHDRAWN};
	for (size_t i = 0; i < N_ELEMS(open_states); i++) {
		for (size_t k = 0; k < N_ELEMS(ends); k++) {
			struct err e;
			err_clear(&e);
			if (lifecycle_check(open_states[i], ends[k], true, false, &e) != -1)
				FAIL_ROW("%s -> %s allowed without a reason", st(open_states[i]),
					 st(ends[k]));
			assert_string_equal(e.field, "reason");
			assert_int_equal(e.kind, ERR_INVALID);
			assert_true(lifecycle_needs_reason(open_states[i], ends[k]));
			err_clear(&e);
			if (lifecycle_check(open_states[i], ends[k], false, true, &e) != 0)
				FAIL_ROW("%s -> %s with a reason refused: %s", st(open_states[i]),
					 st(ends[k]), e.msg);
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Reopen: closed -> investigating, security only, with a reason. */
static void test_reopen(void **state)
{
	(void)state;
	bad = 0;
	struct err e;
	err_clear(&e);
	assert_int_equal(lifecycle_check(ST_CLOSED, ST_INVESTIGATING, true, true, &e), 0);
	assert_true(lifecycle_needs_reason(ST_CLOSED, ST_INVESTIGATING));

	err_clear(&e);
	assert_int_equal(lifecycle_check(ST_CLOSED, ST_INVESTIGATING, false, true, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);

	err_clear(&e);
	assert_int_equal(lifecycle_check(ST_CLOSED, ST_INVESTIGATING, true, false, &e), -1);
	assert_string_equal(e.field, "reason");

	err_clear(&e);
	assert_int_equal(lifecycle_check(ST_CLOSED, ST_INVESTIGATING, false, false, &e), -1);

	/* Without security nothing leaves a closed incident. */
	enum state out[ST_COUNT];
	assert_int_equal(lifecycle_allowed(ST_CLOSED, false, out), 0);
	int n = lifecycle_allowed(ST_CLOSED, true, out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], ST_INVESTIGATING);
	/* no terminal state is left without security */
	for (int s = 0; s < ST_COUNT; s++)
		if (is_terminal((enum state)s))
			assert_int_equal(lifecycle_allowed((enum state)s, false, out), 0);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Target names: every state's name, and the "reopened" alias. */
static void test_parse_target(void **state)
{
	(void)state;
	bad = 0;
	for (int s = 0; s < ST_COUNT; s++) {
		enum state to = ST_COUNT;
		struct err e;
		assert_int_equal(lifecycle_parse_target(st((enum state)s), &to, &e), 0);
		assert_int_equal(to, s);
	}
	static const struct {
		const char *name;
		enum state to;
	} names[] = {
	    {"reported", ST_REPORTED},
	    {"triaged", ST_TRIAGED},
	    {"investigating", ST_INVESTIGATING},
	    {"awaiting-decision", ST_AWAITING_DECISION},
	    {"decided", ST_DECIDED},
	    {"closed", ST_CLOSED},
	    {"unfounded", ST_UNFOUNDED},
	    {"withdrawn", ST_WITHDRAWN},
	    {"reopened", ST_INVESTIGATING},
	};
	for (size_t i = 0; i < N_ELEMS(names); i++) {
		enum state to = ST_COUNT;
		struct err e;
		if (lifecycle_parse_target(names[i].name, &to, &e) != 0 || to != names[i].to)
			FAIL_ROW("\"%s\" does not parse to %s", names[i].name, st(names[i].to));
	}
	static const char *const bad_names[] = {"",	   "open",	"Closed",
						"closed ", "re-opened", "decide"};
	for (size_t i = 0; i < N_ELEMS(bad_names); i++) {
		enum state to = ST_COUNT;
		struct err e;
		err_clear(&e);
		if (lifecycle_parse_target(bad_names[i], &to, &e) != -1)
			FAIL_ROW("\"%s\" accepted as a state", bad_names[i]);
		assert_string_equal(e.field, "status");
		assert_int_equal(e.kind, ERR_INVALID);
	}
	/* "reopened" then checked like any move to investigating */
	enum state to;
	struct err e;
	assert_int_equal(lifecycle_parse_target("reopened", &to, &e), 0);
	assert_int_equal(lifecycle_check(ST_CLOSED, to, true, true, &e), 0);
	assert_int_equal(lifecycle_check(ST_CLOSED, to, false, true, &e), -1);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_is_open(void **state)
{
	(void)state;
	bad = 0;
	for (int s = 0; s < ST_COUNT; s++)
		if (lifecycle_is_open((enum state)s) != is_open((enum state)s))
			FAIL_ROW("lifecycle_is_open(%s) is %d", st((enum state)s),
				 lifecycle_is_open((enum state)s));
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_path),
	    cmocka_unit_test(test_transition_matrix),
	    cmocka_unit_test(test_illegal_lists_allowed),
	    cmocka_unit_test(test_reason_required),
	    cmocka_unit_test(test_reopen),
	    cmocka_unit_test(test_parse_target),
	    cmocka_unit_test(test_is_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
