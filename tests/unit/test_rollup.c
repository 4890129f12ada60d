/* rollup: the counts a write leaves in the rollups equal a full recount,
 * after random sequences of reports, assessments, decisions, transitions,
 * reopenings, withdrawals and ICO decisions (issue 5's property test);
 * and the unit of count (an incident once per group) holds. Runs the real
 * registry on a real SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "core/catalogue.h"
#include "core/lifecycle.h"
#include "core/stats.h"
#include "fixture.h"
#include "service/registry.h"

struct fx {
	char dir[128], path[160];
	struct store *s;
	struct actor a;
	ts_t now;
	unsigned seed;
};

static const char *const orgs[][2] = {
    {"hmcts", "moj"}, {"hmcts-crown", "hmcts"}, {"hmpps", "moj"}, {"laa", "moj"}};
static const char *const engagements[] = {"employee", "contractor", "agency", "employee",
					  "special-adviser"};
#define NPEOPLE 10

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct err e = {0};

	snprintf(f->dir, sizeof f->dir, "/tmp/br-rollup-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(fx_open(f->dir, "r.db", f->path, sizeof f->path, &f->s, &e), 0);
	snprintf(f->a.name, sizeof f->a.name, "cli:test");
	f->a.system = true;
	f->a.roles = (1u << ROLE_COUNT) - 1;
	f->now = fx_ts("2026-01-05T09:00:00Z");
	assert_int_equal(registry_init(f->s, &f->a, f->now, &e), 0);
	for (size_t i = 0; i < sizeof orgs / sizeof orgs[0]; i++) {
		struct org o;
		org_init(&o);
		snprintf(o.code, sizeof o.code, "%s", orgs[i][0]);
		o.name = xstrdup(orgs[i][0]);
		snprintf(o.parent, sizeof o.parent, "%s", orgs[i][1]);
		o.headcount = 100 * (int64_t)(i + 1);
		assert_int_equal(registry_org_add(f->s, &f->a, &o, f->now, &e), 0);
		org_release(&o);
	}
	for (int i = 0; i < NPEOPLE; i++) {
		struct person p;
		char name[32];
		person_init(&p);
		snprintf(p.staff_id, sizeof p.staff_id, "P%03d", i);
		snprintf(name, sizeof name, "Person %d", i);
		p.name = xstrdup(name);
		snprintf(p.org, sizeof p.org, "%s", orgs[i % 4][0]);
		p.engagement = vocab_parse(&vocab_engagement, engagements[i % 5]);
		p.clearance = CLR_BPSS;
		assert_int_equal(registry_person_add(f->s, &f->a, &p, f->now, &e), 0);
		person_release(&p);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	store_close(f->s);
	fx_drop(f->path);
	fx_rmtree(f->dir);
	free(f);
	return 0;
}

static int rnd(struct fx *f, int n)
{
	return (int)(rand_r(&f->seed) % (unsigned)n);
}

static void verify(struct fx *f)
{
	struct err e = {0};
	int64_t records = -1, diff = -1;

	assert_int_equal(registry_rollup_verify(f->s, &records, &diff, &e), 0);
	assert_int_equal(diff, 0);
}

/* Reports one incident at f->now with 1..3 types and 1..3 subjects. */
static void report(struct fx *f, char ref[REF_MAX])
{
	struct err e = {0};
	struct incident inc;
	json_t *types = json_array(), *subjects = json_array(), *in;
	char at[TS_BUF];
	int nt = 1 + rnd(f, 3), ns = 1 + rnd(f, 3);

	for (int i = 0; i < nt; i++) {
		const char *code = catalogue_baseline[rnd(f, (int)catalogue_baseline_count)].code;
		bool dup = false;
		size_t k;
		json_t *v;
		json_array_foreach(types, k, v) dup = dup || strcmp(json_string_value(v), code) == 0;
		if (!dup)
			json_array_append_new(types, json_string(code));
	}
	for (int i = 0; i < ns; i++) {
		char id[8];
		bool dup = false;
		size_t k;
		json_t *v;
		snprintf(id, sizeof id, "P%03d", rnd(f, NPEOPLE));
		json_array_foreach(subjects, k, v) dup = dup || strcmp(json_string_value(v), id) == 0;
		if (!dup)
			json_array_append_new(subjects, json_string(id));
	}
	date_format_ts(f->now - 3600 * (1 + rnd(f, 200)), at);
	in = json_pack("{s:s, s:s, s:o, s:s, s:s, s:s, s:s, s:s, s:o, s:{s:I}}", "kind",
		       rnd(f, 5) ? "breach" : "near-miss", "org", orgs[rnd(f, 4)][0], "types", types,
		       "intent", rnd(f, 2) ? "negligent" : "accidental", "damage", "low",
		       "description", "property test", "discovered_at", at, "reporter", "P000",
		       "subjects", subjects, "personal_data", "records",
		       (json_int_t)(rnd(f, 3) ? 0 : 50));
	assert_non_null(in);
	incident_init(&inc);
	if (registry_report(f->s, &f->a, in, f->now, &inc, &e))
		fail_msg("report: %s: %s", e.field, e.msg);
	snprintf(ref, REF_MAX, "%s", inc.ref);
	incident_release(&inc);
	json_decref(in);
}

/* One random write on incident ref; failures the rules refuse are fine
 * (they must change nothing either). */
static void act(struct fx *f, const char *ref)
{
	struct err e = {0};
	struct incident inc;
	enum state next[ST_COUNT];
	int n;

	incident_init(&inc);
	assert_int_equal(f->s->ops->incident_get(f->s, ref, &inc, &e), 0);
	switch (rnd(f, 5)) {
	case 0: /* move along the lifecycle, anywhere allowed */
		n = lifecycle_allowed(inc.state, true, next);
		if (n > 0)
			registry_transition(f->s, &f->a, ref, vocab_name(&vocab_state, next[rnd(f, n)]),
					    "property test", f->now, &e);
		break;
	case 1: {
		json_t *out = NULL;
		if (registry_assess_incident(f->s, &f->a, ref, f->now, &out, &e) == 0)
			json_decref(out);
		break;
	}
	case 2: { /* decide one subject, following or overriding */
		struct decision d;
		decision_init(&d);
		snprintf(d.subject, sizeof d.subject, "%s", inc.subjects[rnd(f, inc.nsubjects)]);
		d.severity = (enum severity)(1 + rnd(f, 3));
		d.outcome = (enum outcome)rnd(f, OUT_COUNT);
		d.rationale = xstrdup("weighed damage, intent and warnings");
		d.override_reason = xstrdup("the circumstances differ");
		registry_decide(f->s, &f->a, ref, &d, f->now, &e);
		decision_release(&d);
		break;
	}
	case 3: { /* the DPO's decision */
		struct ico_decision d;
		json_t *in = json_pack("{s:b, s:s}", "notify", rnd(f, 2), "reason", "assessed risk");
		if (registry_ico_decide(f->s, &f->a, ref, in, f->now, &d, &e) == 0)
			ico_decision_release(&d);
		json_decref(in);
		break;
	}
	default: /* withdraw, find unfounded, or reopen */
		registry_transition(f->s, &f->a, ref,
				    rnd(f, 3) == 0   ? "withdrawn"
				    : rnd(f, 2) == 0 ? "unfounded"
						     : "reopened",
				    "property test", f->now, &e);
		break;
	}
	incident_release(&inc);
}

static int count_cells(const struct rollup_cell *c, void *ctx)
{
	*(int64_t *)ctx += c->n;
	return 0;
}

static void test_rollup_equals_recount(void **state)
{
	struct fx *f = *state;
	char refs[60][REF_MAX];
	int nrefs = 0;

	for (unsigned round = 0; round < 4; round++) {
		f->seed = 1234u + round * 7919u;
		for (int step = 0; step < 150; step++) {
			/* Time moves on, across month ends. */
			f->now += 3600 * (1 + rnd(f, 48));
			if (nrefs < 60 && (nrefs == 0 || rnd(f, 3) == 0))
				report(f, refs[nrefs++]);
			else
				act(f, refs[rnd(f, nrefs)]);
			if (step % 25 == 0)
				verify(f);
		}
		verify(f);
	}
	/* The walk reached the states and outcomes it is meant to test. */
	{
		struct err e = {0};
		struct trends_query q;
		json_t *out = NULL;
		trends_query_init(&q);
		q.all = true;
		trends_query_set(&q, "by", "status", &e);
		assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
		assert_true(json_array_size(json_object_get(out, "rows")) >= 3);
		json_decref(out);
		/* Some ICO decisions were recorded (they need personal data). */
		{
			struct rollup_filter rf;
			int64_t ico = 0;
			rollup_filter_init(&rf);
			rf.ico = 1;
			assert_int_equal(f->s->ops->rollup_query(f->s, &rf, count_cells, &ico, &e), 0);
			rf.ico = 0;
			assert_int_equal(f->s->ops->rollup_query(f->s, &rf, count_cells, &ico, &e), 0);
			assert_true(ico > 0);
		}
		trends_query_init(&q);
		trends_query_set(&q, "by", "outcome", &e);
		q.all = true;
		assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
		assert_true(json_array_size(json_object_get(out, "rows")) >= 4);
		json_decref(out);
	}
	/* A rebuild from nothing gives the same counts. */
	{
		struct err e = {0};
		int64_t n = 0;
		assert_int_equal(registry_rollup_rebuild(f->s, &n, &e), 0);
		assert_int_equal(n, nrefs);
		verify(f);
	}
	/* And a rollup someone changed by hand is caught. */
	fx_raw_exec(f->path, "UPDATE rollup SET n = n + 1 WHERE mask = 0 AND"
			     " month = (SELECT min(month) FROM rollup)");
	{
		struct err e = {0};
		int64_t records = 0, diff = 0;
		assert_int_equal(registry_rollup_verify(f->s, &records, &diff, &e), 0);
		assert_true(diff > 0);
	}
}

/* The unit: an incident counts once per group it is in. */
static void test_unit_of_count(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct incident inc;
	struct trends_query q;
	json_t *in, *out = NULL, *rows;
	/* Two types in one control area (physical-access), two subjects. */
	in = json_pack("{s:s, s:s, s:[s, s], s:s, s:s, s:s, s:s, s:[s, s]}", "kind", "breach", "org",
		       "hmcts-crown", "types", "pass-lost", "pass-not-worn", "intent", "negligent",
		       "damage", "low", "description", "two passes", "reporter", "P000", "subjects",
		       "P001", "P006");
	incident_init(&inc);
	assert_int_equal(registry_report(f->s, &f->a, in, f->now, &inc, &e), 0);
	incident_release(&inc);
	json_decref(in);

	trends_query_init(&q);
	assert_int_equal(trends_query_set(&q, "by", "control", &e), 0);
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
	rows = json_object_get(out, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(rows, 0), "control")),
			    "physical-access");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "count")), 1);
	assert_int_equal(json_integer_value(json_object_get(out, "incidents")), 1);
	json_decref(out);

	trends_query_init(&q);
	trends_query_set(&q, "by", "type", &e);
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "rows")), 2);
	json_decref(out);

	/* Engagement: P001 is a contractor, P006 a contractor too (i % 5). */
	trends_query_init(&q);
	trends_query_set(&q, "by", "engagement", &e);
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
	rows = json_object_get(out, "rows");
	assert_int_equal(json_array_size(rows), 1);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(rows, 0), "count")), 1);
	json_decref(out);

	/* Rolled up the tree with rates: hmcts holds hmcts-crown's incident. */
	trends_query_init(&q);
	trends_query_set(&q, "by", "org", &e);
	trends_query_set(&q, "org", "hmcts", &e);
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
	rows = json_object_get(out, "rows");
	assert_int_equal(json_array_size(rows), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *r = json_array_get(rows, i);
		const char *org = json_string_value(json_object_get(r, "org"));
		assert_int_equal(json_integer_value(json_object_get(r, "count")), 1);
		assert_int_equal(json_integer_value(json_object_get(r, "own")),
				 strcmp(org, "hmcts-crown") == 0);
		/* headcounts: hmcts 100 + hmcts-crown 200 = 300 rolled up. */
		assert_int_equal(json_integer_value(json_object_get(r, "headcount")),
				 strcmp(org, "hmcts") == 0 ? 300 : 200);
	}
	json_decref(out);

	/* Withdrawn reports are not counted unless asked for. */
	{
		char ref[REF_MAX];
		json_t *list = NULL;
		(void)list;
		f->seed = 99;
		report(f, ref);
		assert_int_equal(
		    registry_transition(f->s, &f->a, ref, "withdrawn", "in error", f->now, &e), 0);
	}
	trends_query_init(&q);
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "incidents")), 1);
	json_decref(out);
	q.all = true;
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(out, "incidents")), 2);
	json_decref(out);
	verify(f);
}

/* Bad parameters name themselves; trends need the power. */
static void test_trends_errors(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct trends_query q;
	struct actor reporter = {.name = "user:r", .staff_id = "P001", .roles = ROLE_BIT(ROLE_REPORTER)};
	json_t *out = NULL;

	trends_query_init(&q);
	assert_int_equal(trends_query_set(&q, "by", "colour", &e), -1);
	assert_string_equal(e.field, "by");
	assert_int_equal(trends_query_set(&q, "from", "2026-13", &e), -1);
	assert_string_equal(e.field, "from");
	assert_int_equal(trends_query_set(&q, "from", "2026Q3", &e), 0);
	assert_int_equal(q.month_from, 202607);
	assert_int_equal(trends_query_set(&q, "to", "2026Q3", &e), 0);
	assert_int_equal(q.month_to, 202609);
	assert_int_equal(trends_query_set(&q, "org", "no such", &e), -1);
	assert_string_equal(e.field, "org");
	trends_query_init(&q);
	assert_int_equal(registry_trends(f->s, &reporter, &q, &out, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	trends_query_set(&q, "org", "nowhere", &e);
	assert_int_equal(registry_trends(f->s, &f->a, &q, &out, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "org");
}

int main(void)
{
	if (fx_backend_missing())
		return FX_SKIP;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_rollup_equals_recount, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unit_of_count, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_trends_errors, setup, teardown),
	};
	alloc_install_json();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
