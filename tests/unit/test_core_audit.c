/* test_core_audit: the audit log's SHA-256 hash chain (SPEC 7;
 * src/core/audit.h). A chain of five entries verifies; editing any field
 * of any entry, removing an entry or reordering entries is found, and the
 * error names the entry "audit[N]" where N is the seq of the first entry,
 * in the order presented, that does not follow the chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/audit.h"

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
#define NCHAIN 5

/* Five entries as a store would append them: seq 1..5, each chained to
 * the one before, the first to the genesis hash. */
static void make_chain(struct audit_entry chain[NCHAIN])
{
	static const char *const actors[] = {"cli:root", "user:alice", "user:bob", "user:alice",
					     "cli:root"};
	static const char *const actions[] = {"incident.report", "incident.read",
					      "incident.transition", "decision.record",
					      "notice.issue"};
	const char *prev = AUDIT_GENESIS;
	for (int i = 0; i < NCHAIN; i++) {
		struct audit_entry *a = &chain[i];
		memset(a, 0, sizeof *a);
		a->seq = i + 1;
		a->at = 1795167000 + i * 61; /* 2026-11-20T09:30:00Z onwards */
		snprintf(a->actor, sizeof a->actor, "%s", actors[i]);
		snprintf(a->action, sizeof a->action, "%s", actions[i]);
		snprintf(a->entity, sizeof a->entity, "SB-2026-%06d", 100 + i);
		a->detail = audit_detail(json_pack("{s:i, s:s}", "n", i, "to", "triaged"));
		snprintf(a->prev, sizeof a->prev, "%s", prev);
		audit_compute(a, a->hash);
		prev = a->hash;
	}
}

static void release_chain(struct audit_entry *chain, int n)
{
	for (int i = 0; i < n; i++)
		audit_entry_release(&chain[i]);
}

/* Verifies entries in the order given; returns the index that failed, or
 * -1 when all follow, with e filled by the verifier. */
static int verify(const struct audit_entry *const *entries, int n, struct err *e)
{
	struct audit_verifier v;
	audit_verify_init(&v);
	err_clear(e);
	for (int i = 0; i < n; i++)
		if (audit_verify_next(&v, entries[i], e) != 0)
			return i;
	if (v.count != n)
		FAIL_ROW("verifier counted %lld of %d entries", (long long)v.count, n);
	return -1;
}

static void expect_broken(const struct audit_entry *const *entries, int n, const char *field,
			  const char *word, const char *what)
{
	struct err e;
	int at = verify(entries, n, &e);
	if (at < 0)
		FAIL_ROW("%s: the chain still verifies", what);
	if (strcmp(e.field, field) != 0)
		FAIL_ROW("%s: error names \"%s\" (%s), expected \"%s\"", what, e.field, e.msg,
			 field);
	if (!e.msg[0] || (word && !strstr(e.msg, word)))
		FAIL_ROW("%s: message \"%s\" does not say %s", what, e.msg, word);
}

static void test_chain_verifies(void **state)
{
	(void)state;
	bad = 0;
	struct audit_entry chain[NCHAIN];
	const struct audit_entry *p[NCHAIN];
	struct err e;
	make_chain(chain);
	for (int i = 0; i < NCHAIN; i++) {
		p[i] = &chain[i];
		assert_int_equal(strlen(chain[i].hash), 64);
		for (int k = 0; k < 64; k++)
			if (!((chain[i].hash[k] >= '0' && chain[i].hash[k] <= '9') ||
			      (chain[i].hash[k] >= 'a' && chain[i].hash[k] <= 'f')))
				FAIL_ROW("hash %s is not lowercase hex", chain[i].hash);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(chain[i].hash, chain[k].hash);
	}
	assert_int_equal(verify(p, NCHAIN, &e), -1);
	assert_int_equal(verify(p, 0, &e), -1); /* an empty log verifies */
	/* the hash is a pure function of the entry */
	char h[AUDIT_HASH_HEX];
	audit_compute(&chain[2], h);
	assert_string_equal(h, chain[2].hash);
	release_chain(chain, NCHAIN);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Canonical detail: sorted keys, compact; NULL is "{}". */
static void test_detail_canonical(void **state)
{
	(void)state;
	bad = 0;
	char *s = audit_detail(
	    json_pack("{s:i, s:s, s:{s:b, s:n}}", "zeta", 1, "alpha", "x", "mid", "b", 1, "a"));
	assert_string_equal(s, "{\"alpha\":\"x\",\"mid\":{\"a\":null,\"b\":true},\"zeta\":1}");
	free(s);
	/* key order of the input does not change the detail, so not the hash */
	char *a = audit_detail(json_pack("{s:i, s:i}", "a", 1, "b", 2));
	char *b = audit_detail(json_pack("{s:i, s:i}", "b", 2, "a", 1));
	assert_string_equal(a, b);
	free(a);
	free(b);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* NULL detail gives "{}" (and, under ASan, must not leak). */
static void test_detail_null(void **state)
{
	(void)state;
	bad = 0;
	char *s = audit_detail(NULL);
	assert_string_equal(s, "{}");
	free(s);
	s = audit_detail(json_object());
	assert_string_equal(s, "{}");
	free(s);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

enum field { F_AT, F_ACTOR, F_ACTION, F_ENTITY, F_DETAIL, F_PREV, F_HASH, F_COUNT };
static const char *const field_names[F_COUNT] = {"at",	   "actor", "action", "entity",
						 "detail", "prev",  "hash"};

static void edit(struct audit_entry *a, enum field f)
{
	switch (f) {
	case F_AT:
		a->at += 1;
		break;
	case F_ACTOR:
		a->actor[0] = a->actor[0] == 'x' ? 'y' : 'x';
		break;
	case F_ACTION:
		snprintf(a->action, sizeof a->action, "incident.delete");
		break;
	case F_ENTITY:
		a->entity[strlen(a->entity) - 1] ^= 1;
		break;
	case F_DETAIL:
		free(a->detail);
		a->detail = xstrdup("{\"n\":99,\"to\":\"closed\"}");
		break;
	case F_PREV:
		a->prev[0] = a->prev[0] == 'f' ? 'e' : 'f';
		break;
	case F_HASH:
		a->hash[63] = a->hash[63] == '0' ? '1' : '0';
		break;
	case F_COUNT:
		break;
	}
}

/* Editing any field of any entry breaks the chain at that entry. */
static void test_edit_any_field(void **state)
{
	(void)state;
	bad = 0;
	for (int i = 0; i < NCHAIN; i++) {
		for (int f = 0; f < F_COUNT; f++) {
			struct audit_entry chain[NCHAIN];
			const struct audit_entry *p[NCHAIN];
			char field[32], what[96];
			make_chain(chain);
			for (int k = 0; k < NCHAIN; k++)
				p[k] = &chain[k];
			edit(&chain[i], (enum field)f);
			snprintf(field, sizeof field, "audit[%d]", i + 1);
			snprintf(what, sizeof what, "%s of entry %d edited", field_names[f], i + 1);
			expect_broken(p, NCHAIN, field, "edited", what);
			release_chain(chain, NCHAIN);
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Editing an entry and recomputing its own hash still breaks the chain at
 * the next entry, which chained to the old hash. */
static void test_edit_and_rehash(void **state)
{
	(void)state;
	bad = 0;
	for (int i = 0; i < NCHAIN - 1; i++) {
		struct audit_entry chain[NCHAIN];
		const struct audit_entry *p[NCHAIN];
		char field[32];
		make_chain(chain);
		for (int k = 0; k < NCHAIN; k++)
			p[k] = &chain[k];
		edit(&chain[i], F_DETAIL);
		audit_compute(&chain[i], chain[i].hash);
		snprintf(field, sizeof field, "audit[%d]", i + 2);
		expect_broken(p, NCHAIN, field, NULL, "edited and rehashed");
		release_chain(chain, NCHAIN);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* An edited seq is found (the name it is reported under is not settled
 * when the seq itself is what was edited). */
static void test_edit_seq(void **state)
{
	(void)state;
	bad = 0;
	for (int i = 0; i < NCHAIN; i++) {
		struct audit_entry chain[NCHAIN];
		const struct audit_entry *p[NCHAIN];
		struct err e;
		make_chain(chain);
		for (int k = 0; k < NCHAIN; k++)
			p[k] = &chain[k];
		chain[i].seq += 10;
		if (verify(p, NCHAIN, &e) != i)
			FAIL_ROW("seq of entry %d edited: not found at that entry", i + 1);
		assert_true(strncmp(e.field, "audit[", 6) == 0);
		release_chain(chain, NCHAIN);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Removing an entry breaks the chain at the entry after the gap. (Removing
 * the newest entry leaves a shorter valid chain: only a count or head
 * hash kept elsewhere can show that, which is the store's part.) */
static void test_remove_entry(void **state)
{
	(void)state;
	bad = 0;
	for (int r = 0; r < NCHAIN - 1; r++) {
		struct audit_entry chain[NCHAIN];
		const struct audit_entry *p[NCHAIN];
		char field[32], what[64];
		int n = 0;
		make_chain(chain);
		for (int k = 0; k < NCHAIN; k++)
			if (k != r)
				p[n++] = &chain[k];
		snprintf(field, sizeof field, "audit[%d]", r + 2);
		snprintf(what, sizeof what, "entry %d removed", r + 1);
		expect_broken(p, n, field, "removed", what);
		release_chain(chain, NCHAIN);
	}
	/* two removed */
	struct audit_entry chain[NCHAIN];
	const struct audit_entry *p[3];
	make_chain(chain);
	p[0] = &chain[0];
	p[1] = &chain[3];
	p[2] = &chain[4];
	expect_broken(p, 3, "audit[4]", "removed", "entries 2 and 3 removed");
	release_chain(chain, NCHAIN);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Swapping two entries breaks the chain at the first one out of place. */
static void test_swap_entries(void **state)
{
	(void)state;
	bad = 0;
	for (int i = 0; i < NCHAIN; i++) {
		for (int j = i + 1; j < NCHAIN; j++) {
			struct audit_entry chain[NCHAIN];
			const struct audit_entry *p[NCHAIN];
			char field[32], what[64];
			make_chain(chain);
			for (int k = 0; k < NCHAIN; k++)
				p[k] = &chain[k];
			p[i] = &chain[j];
			p[j] = &chain[i];
			/* the entry now at position i is seq j + 1 */
			snprintf(field, sizeof field, "audit[%d]", j + 1);
			snprintf(what, sizeof what, "entries %d and %d swapped", i + 1, j + 1);
			expect_broken(p, NCHAIN, field, "reordered", what);
			release_chain(chain, NCHAIN);
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* Swapping two entries together with their seqs (renumbered to look in
 * order) is still found: the hashes no longer chain. */
static void test_swap_renumbered(void **state)
{
	(void)state;
	bad = 0;
	struct audit_entry chain[NCHAIN];
	const struct audit_entry *p[NCHAIN];
	make_chain(chain);
	for (int k = 0; k < NCHAIN; k++)
		p[k] = &chain[k];
	p[1] = &chain[2];
	p[2] = &chain[1];
	chain[2].seq = 2;
	chain[1].seq = 3;
	expect_broken(p, NCHAIN, "audit[2]", NULL, "swapped and renumbered");
	release_chain(chain, NCHAIN);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_entry_json(void **state)
{
	(void)state;
	bad = 0;
	struct audit_entry chain[NCHAIN];
	make_chain(chain);
	json_t *j = audit_entry_to_json(&chain[1]);
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 2);
	assert_string_equal(json_string_value(json_object_get(j, "at")), "2026-11-20T09:31:01Z");
	assert_string_equal(json_string_value(json_object_get(j, "actor")), "user:alice");
	assert_string_equal(json_string_value(json_object_get(j, "prev")), chain[0].hash);
	assert_string_equal(json_string_value(json_object_get(j, "hash")), chain[1].hash);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "detail"), "n")), 1);
	json_decref(j);
	release_chain(chain, NCHAIN);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_verifies),  cmocka_unit_test(test_detail_canonical),
	    cmocka_unit_test(test_detail_null),	    cmocka_unit_test(test_edit_any_field),
	    cmocka_unit_test(test_edit_and_rehash), cmocka_unit_test(test_edit_seq),
	    cmocka_unit_test(test_remove_entry),    cmocka_unit_test(test_swap_entries),
	    cmocka_unit_test(test_swap_renumbered), cmocka_unit_test(test_entry_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
