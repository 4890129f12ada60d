/* test_registry_perms: registry_incident_perms and registry_may_decide_for
 * (what the incident pages offer) agree with what the services allow, on
 * a real SQLite register in a temporary directory (no mocks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixture.h"

#include "core/alloc.h"
#include "service/registry.h"
#include "store/store.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
	struct actor sys;
	ts_t now;
	char ref[REF_MAX];
};

static struct actor actor(const char *name, const char *staff_id, const char *org, unsigned roles)
{
	struct actor a = {0};
	snprintf(a.name, sizeof a.name, "user:%s", name);
	snprintf(a.staff_id, sizeof a.staff_id, "%s", staff_id);
	snprintf(a.org, sizeof a.org, "%s", org);
	a.roles = roles | ROLE_BIT(ROLE_REPORTER);
	return a;
}

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct err e = {0};
	struct incident inc;

	snprintf(f->dir, sizeof f->dir, "/tmp/brperms.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->path, sizeof f->path, "%s/reg.db", f->dir);
	if (store_sqlite_open(f->path, &f->s, &e))
		return -1;
	snprintf(f->sys.name, sizeof f->sys.name, "cli:test");
	f->sys.system = true;
	f->now = fx_ts("2026-11-28T10:00:00Z");
	if (registry_init(f->s, &f->sys, f->now, &e))
		return -1;
	fx_add_org(f->s, "hmcts", "moj");
	fx_add_org(f->s, "laa", "moj");
	fx_add_person(f->s, "M1", "hmcts", NULL);
	fx_add_person(f->s, "S1", "hmcts", "M1");
	fx_add_person(f->s, "R1", "hmcts", NULL);
	fx_add_person(f->s, "X1", "laa", NULL);
	fx_add_person(f->s, "I1", "hmcts", NULL);
	json_t *in = json_pack("{s:s, s:s, s:[s], s:s, s:s, s:s, s:[s]}", "kind", "breach", "org",
			       "hmcts", "types", "pass-lost", "discovered_at", "2026-11-27T09:00:00Z",
			       "description", "Pass lost", "reporter", "R1", "subjects", "S1");
	incident_init(&inc);
	int rc = registry_report(f->s, &f->sys, in, f->now, &inc, &e);
	json_decref(in);
	if (rc)
		return -1;
	snprintf(f->ref, sizeof f->ref, "%s", inc.ref);
	incident_release(&inc);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	f->s->ops->close(f->s);
	fx_rmtree(f->dir);
	free(f);
	return 0;
}

static unsigned perms_of(struct fx *f, const struct actor *a, int want_rc, enum err_kind kind)
{
	struct err e = {0};
	unsigned p = 0;
	assert_int_equal(registry_incident_perms(f->s, a, f->ref, &p, &e), want_rc);
	assert_int_equal(e.kind, want_rc ? kind : ERR_NONE);
	return p;
}

static bool may_decide(struct fx *f, const struct actor *a, const char *subject)
{
	struct err e = {0};
	bool ok = true;
	assert_int_equal(registry_may_decide_for(f->s, a, subject, &ok, &e), 0);
	return ok;
}

static void test_each_role_gets_what_the_services_allow(void **state)
{
	struct fx *f = *state;
	struct actor sec = actor("sec", "X1", "laa", ROLE_BIT(ROLE_SECURITY));
	struct actor mgr = actor("mgr", "M1", "hmcts", ROLE_BIT(ROLE_MANAGER));
	struct actor inv = actor("inv", "I1", "hmcts", ROLE_BIT(ROLE_INVESTIGATOR));
	struct actor rep = actor("rep", "R1", "hmcts", 0);

	unsigned p = perms_of(f, &sec, 0, ERR_NONE);
	assert_true(p & PERM_REOPEN);
	assert_true(p & PERM_DECIDE);
	assert_true(may_decide(f, &sec, "S1"));

	p = perms_of(f, &mgr, 0, ERR_NONE);
	assert_true((p & (PERM_SEE_CASE | PERM_WORK | PERM_ASSESS | PERM_DECIDE)) ==
		    (PERM_SEE_CASE | PERM_WORK | PERM_ASSESS | PERM_DECIDE));
	assert_false(p & PERM_REOPEN);
	assert_true(may_decide(f, &mgr, "S1"));
	assert_false(may_decide(f, &mgr, "X1"));

	p = perms_of(f, &inv, 0, ERR_NONE);
	assert_true(p & PERM_WORK);
	assert_false(p & PERM_DECIDE);
	assert_false(may_decide(f, &inv, "S1"));

	/* The reporter follows the report, not the case. */
	p = perms_of(f, &rep, 0, ERR_NONE);
	assert_int_equal(p & (PERM_SEE | PERM_SEE_CASE | PERM_WORK), PERM_SEE);
}

static void test_what_an_account_may_not_see_is_absent(void **state)
{
	struct fx *f = *state;
	/* The subject, whatever their roles, and a manager outside the line. */
	struct actor subj = actor("subj", "S1", "hmcts", ROLE_BIT(ROLE_MANAGER));
	struct actor other = actor("other", "X1", "laa", ROLE_BIT(ROLE_MANAGER));
	struct actor admin = actor("admin", "X1", "laa", ROLE_BIT(ROLE_ADMIN));
	struct err e = {0};
	unsigned p = 0;

	perms_of(f, &subj, -1, ERR_NOT_FOUND);
	perms_of(f, &other, -1, ERR_NOT_FOUND);
	perms_of(f, &admin, -1, ERR_NOT_FOUND);
	assert_int_equal(registry_incident_perms(f->s, &f->sys, "SB-2026-999999", &p, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_each_role_gets_what_the_services_allow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_what_an_account_may_not_see_is_absent, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
