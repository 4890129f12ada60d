/* registry_notice: a breach notice by number is for its addressee and for
 * those who may see the case file (anyone else: as if absent), its read
 * is audited as a read of the incident, and only the addressee
 * acknowledges it, once. Runs the real registry on a real SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "fixture.h"
#include "service/registry.h"

struct fx {
	char dir[128], path[160];
	struct store *s;
	struct actor cli, manager, subject, reporter;
	ts_t now;
	char ref[REF_MAX], number[REF_MAX];
};

static void account(struct actor *a, const char *name, const char *staff_id, unsigned roles)
{
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "user:%s", name);
	snprintf(a->staff_id, sizeof a->staff_id, "%s", staff_id);
	snprintf(a->org, sizeof a->org, "hmcts");
	a->roles = ROLE_BIT(ROLE_REPORTER) | roles;
}

static void person(struct fx *f, const char *staff_id, const char *manager)
{
	struct person p;
	struct err e = {0};
	person_init(&p);
	snprintf(p.staff_id, sizeof p.staff_id, "%s", staff_id);
	snprintf(p.org, sizeof p.org, "hmcts");
	snprintf(p.manager, sizeof p.manager, "%s", manager ? manager : "");
	p.name = xstrdup(staff_id);
	p.clearance = CLR_BPSS;
	assert_int_equal(registry_person_add(f->s, &f->cli, &p, f->now, &e), 0);
	person_release(&p);
}

/* An incident of R1's about S1 (managed by M1), decided as a breach
 * notice by M1, who issues the notice. */
static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct err e = {0};
	struct org o;
	struct incident inc;
	struct decision d;
	struct notice n;
	json_t *in, *out = NULL;

	snprintf(f->dir, sizeof f->dir, "/tmp/br-notice-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof f->path, "%s/r.db", f->dir);
	assert_int_equal(store_open(f->path, &f->s, &e), 0);
	snprintf(f->cli.name, sizeof f->cli.name, "cli:test");
	f->cli.system = true;
	f->cli.roles = (1u << ROLE_COUNT) - 1;
	f->now = fx_ts("2026-11-28T12:00:00Z");
	assert_int_equal(registry_init(f->s, &f->cli, f->now, &e), 0);
	org_init(&o);
	snprintf(o.code, sizeof o.code, "hmcts");
	o.name = xstrdup("HMCTS");
	assert_int_equal(registry_org_add(f->s, &f->cli, &o, f->now, &e), 0);
	org_release(&o);
	person(f, "M1", NULL);
	person(f, "S1", "M1");
	person(f, "R1", NULL);
	account(&f->manager, "manager", "M1", ROLE_BIT(ROLE_MANAGER));
	account(&f->subject, "subject", "S1", 0);
	account(&f->reporter, "reporter", "R1", 0);

	in = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:[s]}", "kind", "breach", "org", "hmcts",
		       "types", "portable-asset-lost", "description", "laptop left on a train",
		       "discovered_at", "2026-11-20T09:30:00Z", "reporter", "R1", "subjects", "S1");
	incident_init(&inc);
	assert_int_equal(registry_report(f->s, &f->cli, in, f->now, &inc, &e), 0);
	json_decref(in);
	memcpy(f->ref, inc.ref, REF_MAX);
	incident_release(&inc);
	assert_int_equal(registry_transition(f->s, &f->cli, f->ref, "triaged", NULL, f->now, &e),
			 0);
	assert_int_equal(
	    registry_transition(f->s, &f->cli, f->ref, "investigating", NULL, f->now, &e), 0);
	assert_int_equal(registry_assess_incident(f->s, &f->manager, f->ref, f->now, &out, &e), 0);
	json_decref(out);
	decision_init(&d);
	snprintf(d.subject, sizeof d.subject, "S1");
	d.severity = SEV_SERIOUS;
	d.outcome = OUT_BREACH_NOTICE;
	d.rationale = xstrdup("left unattended on a train");
	d.override_reason = xstrdup("weighed differently");
	assert_int_equal(registry_decide(f->s, &f->manager, f->ref, &d, f->now, &e), 0);
	decision_release(&d);
	assert_int_equal(registry_notice(f->s, &f->manager, f->ref, "S1", f->now, &n, &e), 0);
	memcpy(f->number, n.number, REF_MAX);
	notice_release(&n);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	store_close(f->s);
	fx_rmtree(f->dir);
	free(f);
	return 0;
}

static int64_t audits(struct fx *f, const char *action, const char *entity)
{
	char sql[256];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM audit WHERE action = '%s' AND entity = '%s'", action,
		 entity);
	return fx_raw_int(f->path, sql);
}

static void test_get(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	json_t *o = NULL;
	int64_t reads = audits(f, "incident.read", f->ref);

	/* The addressee, who may not see the case itself. */
	assert_int_equal(registry_notice_get(f->s, &f->subject, f->number, f->now, &o, &e), 0);
	assert_string_equal(json_string_value(json_object_get(o, "number")), f->number);
	assert_true(json_is_true(json_object_get(o, "addressee")));
	assert_true(json_is_false(json_object_get(o, "acknowledged")));
	assert_string_equal(json_string_value(json_object_get(o, "marking")),
			    "OFFICIAL-SENSITIVE HR / MANAGEMENT");
	json_t *refs = json_object_get(o, "policy_refs");
	assert_true(json_array_size(refs) >= 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(refs, 0), "code")),
			    "POLSBP003");
	json_decref(o);
	assert_int_equal(registry_read_case(f->s, &f->subject, f->ref, &o, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);

	/* The manager, who sees the case. */
	err_clear(&e);
	assert_int_equal(registry_notice_get(f->s, &f->manager, f->number, f->now, &o, &e), 0);
	assert_true(json_is_false(json_object_get(o, "addressee")));
	json_decref(o);
	assert_int_equal(audits(f, "incident.read", f->ref), reads + 2);

	/* The reporter sees the report, not the case: not the notice. */
	assert_int_equal(registry_notice_get(f->s, &f->reporter, f->number, f->now, &o, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "number");
	err_clear(&e);
	assert_int_equal(registry_notice_get(f->s, &f->manager, "BN-2026-000099", f->now, &o, &e),
			 -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	/* Refused reads are not audited as reads. */
	assert_int_equal(audits(f, "incident.read", f->ref), reads + 2);
}

static void test_acknowledge(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	json_t *o = NULL;
	ts_t later = f->now + 2 * 86400;

	assert_int_equal(registry_notice_acknowledge(f->s, &f->manager, f->number, later, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	err_clear(&e);
	assert_int_equal(registry_notice_acknowledge(f->s, &f->reporter, f->number, later, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	err_clear(&e);
	assert_int_equal(registry_notice_acknowledge(f->s, &f->cli, f->number, later, &e), -1);
	assert_int_equal(e.kind, ERR_FORBIDDEN);
	assert_int_equal(audits(f, "notice.acknowledge", f->number), 0);

	err_clear(&e);
	assert_int_equal(registry_notice_acknowledge(f->s, &f->subject, f->number, later, &e), 0);
	assert_int_equal(audits(f, "notice.acknowledge", f->number), 1);
	assert_int_equal(registry_notice_get(f->s, &f->subject, f->number, later, &o, &e), 0);
	assert_true(json_is_true(json_object_get(o, "acknowledged")));
	assert_string_equal(json_string_value(json_object_get(o, "acknowledged_on")), "2026-11-30");
	json_decref(o);

	assert_int_equal(
	    registry_notice_acknowledge(f->s, &f->subject, f->number, later + 86400, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_int_equal(audits(f, "notice.acknowledge", f->number), 1);
	int64_t n = 0;
	assert_int_equal(registry_audit_verify(f->s, &n, &e), 0);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_get, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_acknowledge, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
