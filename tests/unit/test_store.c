/* test_store: the SQLite backend against the store.h contract, on a real
 * database in a temporary directory (no mocks). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixture.h"
#include <sqlite3.h>

#include "core/alloc.h"
#include "store/store.h"

struct fx {
	char dir[64];
	char path[128];
	struct store *s;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof *f);
	struct err e;

	snprintf(f->dir, sizeof f->dir, "/tmp/brstore.XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	err_clear(&e);
	if (fx_open(f->dir, "reg.db", f->path, sizeof f->path, &f->s, &e)) {
		fprintf(stderr, "open: %s\n", e.msg);
		return -1;
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

/* A tree moj > hmcts > hmcts-crown, moj > laa; people in each. */
static void seed(struct store *s)
{
	fx_add_org(s, "moj", NULL);
	fx_add_org(s, "hmcts", "moj");
	fx_add_org(s, "hmcts-crown", "hmcts");
	fx_add_org(s, "laa", "moj");
	fx_add_person(s, "S1", "moj", NULL);
	fx_add_person(s, "S2", "hmcts", "S1");
	fx_add_person(s, "S3", "hmcts-crown", "S2");
	fx_add_person(s, "S4", "laa", "S1");
}

static void make_incident(struct incident *inc, const char *org, const char *reported,
			  const char *subject)
{
	incident_init(inc);
	snprintf(inc->org, sizeof inc->org, "%s", org);
	inc->description = xstrdup("laptop left on a train");
	inc->reported_at = fx_ts(reported);
	inc->occurred_at = inc->discovered_at = inc->updated_at = inc->reported_at;
	if (subject) {
		snprintf(inc->subjects[0], STAFF_MAX, "%s", subject);
		inc->nsubjects = 1;
	}
}

/* Reports an incident and returns its reference in ref. */
static void report(struct store *s, const char *org, const char *reported, const char *subject,
		   char ref[REF_MAX])
{
	struct incident inc;
	struct err e;

	make_incident(&inc, org, reported, subject);
	err_clear(&e);
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), 0);
	memcpy(ref, inc.ref, REF_MAX);
	incident_release(&inc);
}

/* ---- open and migrate ------------------------------------------------ */

static void test_open_twice(void **state)
{
	struct fx *f = *state;
	struct store *s2 = NULL;
	struct err e;
	struct stat sb;

	fx_sqlite_only(); /* the file: its mode, PRAGMAs */

	err_clear(&e);
	fx_add_org(f->s, "moj", NULL);
	store_close(f->s);
	f->s = NULL;
	/* Reopening migrates nothing and keeps the data. */
	assert_int_equal(store_sqlite_open(f->path, &f->s, &e), 0);
	assert_int_equal(store_sqlite_open(f->path, &s2, &e), 0);
	store_close(s2);
	assert_int_equal(fx_raw_int(f->path, "PRAGMA user_version"), 6);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 1);
	/* The register is private to its owner. */
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	assert_string_equal(f->s->ops->name, "sqlite");
}

static void test_open_refuses(void **state)
{
	struct fx *f = *state;
	struct store *s2 = NULL;
	struct err e;
	char other[160];
	FILE *fp;

	/* A newer schema than this binary knows. */
	store_close(f->s);
	f->s = NULL;
	if (fx_pg()) {
		fx_raw_exec(f->path, "UPDATE breachreg_schema SET version = 99");
		err_clear(&e);
		assert_int_equal(store_open(f->path, &s2, &e), -1);
		assert_null(s2);
		assert_int_equal(e.kind, ERR_RUNTIME);
		assert_string_equal(e.field, "db");
		assert_non_null(strstr(e.msg, "newer"));
		fx_raw_exec(f->path, "UPDATE breachreg_schema SET version = 6");
		assert_int_equal(store_open(f->path, &f->s, &e), 0);
		return; /* the rest is about files */
	}
	fx_raw_exec(f->path, "PRAGMA user_version = 99");
	err_clear(&e);
	assert_int_equal(store_sqlite_open(f->path, &s2, &e), -1);
	assert_null(s2);
	assert_int_equal(e.kind, ERR_RUNTIME);
	assert_string_equal(e.field, "db");
	assert_non_null(strstr(e.msg, "newer"));

	/* Another program's database is left alone. */
	snprintf(other, sizeof other, "%s/other.db", f->dir);
	fx_raw_exec(other, "CREATE TABLE t (x)");
	err_clear(&e);
	assert_int_equal(store_sqlite_open(other, &s2, &e), -1);
	assert_int_equal(e.kind, ERR_RUNTIME);
	assert_non_null(strstr(e.msg, "not a breachreg database"));

	/* Not a database at all. */
	snprintf(other, sizeof other, "%s/text.db", f->dir);
	fp = fopen(other, "w");
	assert_non_null(fp);
	fputs("this is not a database, just some text that is long enough to have a header\n", fp);
	fclose(fp);
	err_clear(&e);
	assert_int_equal(store_sqlite_open(other, &s2, &e), -1);
	assert_int_equal(e.kind, ERR_RUNTIME);
	assert_string_equal(e.field, "db");

	fx_raw_exec(f->path, "PRAGMA user_version = 6");
	assert_int_equal(store_sqlite_open(f->path, &f->s, &e), 0);
}

/* ---- organisations and people --------------------------------------- */

static void test_org(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct org o, got, *list = NULL;
	size_t n = 0;
	struct err e;

	err_clear(&e);
	org_init(&o);
	snprintf(o.code, sizeof o.code, "moj");
	o.name = xstrdup("Ministry of Justice");
	o.discipline_policy = DISC_MOJ;
	snprintf(o.head, sizeof o.head, "S9");
	o.headcount = 1200;
	o.created_at = fx_ts("2026-01-02T03:04:05Z");
	assert_int_equal(s->ops->org_insert(s, &o, &e), 0);
	assert_true(o.id > 0);

	assert_int_equal(s->ops->org_get(s, "moj", &got, &e), 0);
	assert_int_equal(got.id, o.id);
	assert_string_equal(got.name, "Ministry of Justice");
	assert_string_equal(got.parent, "");
	assert_int_equal(got.discipline_policy, DISC_MOJ);
	assert_string_equal(got.head, "S9");
	assert_int_equal(got.headcount, 1200);
	assert_int_equal(got.created_at, o.created_at);
	org_release(&got);

	/* Conflict names the key. */
	assert_int_equal(s->ops->org_insert(s, &o, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.field, "code");
	assert_string_equal(e.msg, "organisation \"moj\" already exists");
	org_release(&o);

	/* Absent values come back absent. */
	fx_add_org(s, "hmcts", "moj");
	assert_int_equal(s->ops->org_get(s, "hmcts", &got, &e), 0);
	assert_string_equal(got.parent, "moj");
	assert_int_equal(got.discipline_policy, -1);
	assert_string_equal(got.head, "");
	assert_int_equal(got.headcount, -1);
	assert_true(got.created_at != TS_NONE);
	org_release(&got);

	err_clear(&e);
	assert_int_equal(s->ops->org_get(s, "nope", &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "code");

	org_init(&o);
	snprintf(o.code, sizeof o.code, "orphan");
	snprintf(o.parent, sizeof o.parent, "nope");
	o.name = xstrdup("Orphan");
	assert_int_equal(s->ops->org_insert(s, &o, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "parent");
	org_release(&o);

	assert_int_equal(s->ops->org_list(s, &list, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_string_equal(list[0].code, "hmcts");
	assert_string_equal(list[1].code, "moj");
	org_list_free(list, n);
}

static void test_person(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct person p, got, *list = NULL;
	size_t n = 0;
	struct err e;

	fx_add_org(s, "moj", NULL);
	fx_add_person(s, "S1", "moj", NULL);

	err_clear(&e);
	person_init(&p);
	snprintf(p.staff_id, sizeof p.staff_id, "S2");
	p.name = xstrdup("Alex Smith");
	p.email = xstrdup("alex@example.gov.uk");
	snprintf(p.org, sizeof p.org, "moj");
	snprintf(p.manager, sizeof p.manager, "S1");
	p.engagement = ENG_CONTRACTOR;
	p.probation_until = fx_day("2026-06-30");
	p.clearance = CLR_SC;
	assert_int_equal(s->ops->person_insert(s, &p, &e), 0);
	assert_true(p.id > 0);

	assert_int_equal(s->ops->person_get(s, "S2", &got, &e), 0);
	assert_string_equal(got.name, "Alex Smith");
	assert_string_equal(got.email, "alex@example.gov.uk");
	assert_string_equal(got.org, "moj");
	assert_string_equal(got.manager, "S1");
	assert_int_equal(got.engagement, ENG_CONTRACTOR);
	assert_int_equal(got.probation_until, p.probation_until);
	assert_int_equal(got.clearance, CLR_SC);
	person_release(&got);

	assert_int_equal(s->ops->person_get(s, "S1", &got, &e), 0);
	assert_null(got.email);
	assert_string_equal(got.manager, "");
	assert_int_equal(got.probation_until, DATE_NONE);
	assert_int_equal(got.engagement, ENG_EMPLOYEE);
	person_release(&got);

	assert_int_equal(s->ops->person_insert(s, &p, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.field, "staff_id");

	snprintf(p.staff_id, sizeof p.staff_id, "S3");
	snprintf(p.org, sizeof p.org, "nope");
	assert_int_equal(s->ops->person_insert(s, &p, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "org");

	snprintf(p.org, sizeof p.org, "moj");
	snprintf(p.manager, sizeof p.manager, "S99");
	assert_int_equal(s->ops->person_insert(s, &p, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "manager");

	/* An enum out of range is bad input, named. */
	snprintf(p.manager, sizeof p.manager, "S1");
	p.clearance = (enum clearance)42;
	assert_int_equal(s->ops->person_insert(s, &p, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "clearance");
	person_release(&p);

	assert_int_equal(s->ops->person_get(s, "S3", &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "staff_id");

	assert_int_equal(s->ops->person_reports(s, "S1", &list, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].staff_id, "S2");
	person_list_free(list, n);
	assert_int_equal(s->ops->person_reports(s, "S2", &list, &n, &e), 0);
	assert_int_equal(n, 0);
	person_list_free(list, n);
	assert_int_equal(s->ops->person_reports(s, "S99", &list, &n, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
}

/* ---- guidance -------------------------------------------------------- */

static void publish(struct store *s, const char *org, const char *doc, int expect)
{
	struct guidance_doc d;
	struct err e;

	memset(&d, 0, sizeof d);
	snprintf(d.org, sizeof d.org, "%s", org);
	d.doc = xstrdup(doc);
	d.published_at = fx_ts("2026-02-01T00:00:00Z");
	snprintf(d.published_by, sizeof d.published_by, "cli:root");
	err_clear(&e);
	assert_int_equal(s->ops->guidance_insert(s, &d, &e), 0);
	assert_int_equal(d.version, expect);
	guidance_doc_release(&d);
}

static void test_guidance(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct guidance_doc d, *list = NULL;
	size_t n = 0;
	struct err e;

	seed(s);
	publish(s, "moj", "{\"v\":1}", 1);
	publish(s, "moj", "{\"v\":2}", 2);
	publish(s, "hmcts", "{}", 1);

	err_clear(&e);
	assert_int_equal(s->ops->guidance_get(s, "moj", 0, &d, &e), 0);
	assert_int_equal(d.version, 2);
	assert_string_equal(d.doc, "{\"v\":2}");
	assert_string_equal(d.org, "moj");
	assert_string_equal(d.published_by, "cli:root");
	assert_int_equal(d.published_at, fx_ts("2026-02-01T00:00:00Z"));
	guidance_doc_release(&d);

	assert_int_equal(s->ops->guidance_get(s, "moj", 1, &d, &e), 0);
	assert_string_equal(d.doc, "{\"v\":1}");
	guidance_doc_release(&d);

	assert_int_equal(s->ops->guidance_get(s, "moj", 3, &d, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_int_equal(s->ops->guidance_get(s, "laa", 0, &d, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "org");

	assert_int_equal(s->ops->guidance_list(s, "moj", &list, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(list[0].version, 1);
	assert_int_equal(list[1].version, 2);
	guidance_doc_list_free(list, n);
	assert_int_equal(s->ops->guidance_list(s, "laa", &list, &n, &e), 0);
	assert_int_equal(n, 0);
	guidance_doc_list_free(list, n);
	assert_int_equal(s->ops->guidance_list(s, "nope", &list, &n, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);

	memset(&d, 0, sizeof d);
	snprintf(d.org, sizeof d.org, "nope");
	d.doc = xstrdup("{}");
	snprintf(d.published_by, sizeof d.published_by, "cli:root");
	assert_int_equal(s->ops->guidance_insert(s, &d, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "org");
	guidance_doc_release(&d);
}

/* ---- incidents ------------------------------------------------------- */

static void test_incident_numbering(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct incident inc;
	char ref[REF_MAX];
	struct err e;

	seed(s);
	report(s, "hmcts", "2026-01-05T10:00:00Z", "S2", ref);
	assert_string_equal(ref, "SB-2026-000001");
	report(s, "hmcts", "2026-12-31T23:59:59Z", "S2", ref);
	assert_string_equal(ref, "SB-2026-000002");
	report(s, "hmcts", "2025-12-31T23:59:59Z", NULL, ref);
	assert_string_equal(ref, "SB-2025-000001");

	/* A failed report takes no number: the next one has no gap. */
	make_incident(&inc, "hmcts", "2026-03-01T00:00:00Z", "S99");
	err_clear(&e);
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "subjects[0]");
	assert_string_equal(inc.ref, "");
	snprintf(inc.subjects[0], STAFF_MAX, "S2");
	snprintf(inc.org, sizeof inc.org, "nope");
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), -1);
	assert_string_equal(e.field, "org");
	snprintf(inc.org, sizeof inc.org, "hmcts");
	snprintf(inc.reporter, sizeof inc.reporter, "S99");
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), -1);
	assert_string_equal(e.field, "reporter");
	incident_release(&inc);
	report(s, "hmcts", "2026-03-01T00:00:00Z", "S2", ref);
	assert_string_equal(ref, "SB-2026-000003");

	/* Inside a transaction that rolls back, the number is given back. */
	assert_int_equal(s->ops->begin(s, &e), 0);
	report(s, "hmcts", "2026-03-02T00:00:00Z", "S2", ref);
	assert_string_equal(ref, "SB-2026-000004");
	s->ops->rollback(s);
	report(s, "hmcts", "2026-03-02T00:00:00Z", "S2", ref);
	assert_string_equal(ref, "SB-2026-000004");
}

static void test_incident_roundtrip(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct incident inc, got;
	struct err e;

	seed(s);
	incident_init(&inc);
	inc.kind = KIND_NEAR_MISS;
	snprintf(inc.org, sizeof inc.org, "hmcts-crown");
	inc.state = ST_TRIAGED;
	inc.severity = SEV_SERIOUS;
	snprintf(inc.types[0], CODE_MAX, "portable-asset-lost");
	snprintf(inc.types[1], CODE_MAX, "official-material-lost");
	inc.ntypes = 2;
	inc.classification = CLS_OFFICIAL_SENSITIVE;
	inc.strap = true;
	inc.third_party_disclosure = true;
	inc.authorised = false;
	inc.criminal = true;
	inc.records = 250;
	inc.special_category = true;
	inc.intent = INT_RECKLESS;
	inc.damage = DMG_HIGH;
	inc.description = xstrdup("Laptop left on a train");
	inc.location = xstrdup("Petty France, 5th floor");
	inc.occurred_at = fx_ts("2026-11-19T17:00:00Z");
	inc.discovered_at = fx_ts("2026-11-20T09:30:00Z");
	inc.reported_at = fx_ts("2026-11-20T10:00:00Z");
	inc.updated_at = fx_ts("2026-11-20T11:00:00Z");
	snprintf(inc.reporter, sizeof inc.reporter, "S1");
	inc.confidential_reporter = true;
	snprintf(inc.subjects[0], STAFF_MAX, "S3");
	snprintf(inc.subjects[1], STAFF_MAX, "S2");
	inc.nsubjects = 2;
	err_clear(&e);
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), 0);
	assert_true(inc.id > 0);
	assert_string_equal(inc.ref, "SB-2026-000001");

	assert_int_equal(s->ops->incident_get(s, inc.ref, &got, &e), 0);
	assert_int_equal(got.id, inc.id);
	assert_string_equal(got.ref, inc.ref);
	assert_int_equal(got.kind, KIND_NEAR_MISS);
	assert_string_equal(got.org, "hmcts-crown");
	assert_int_equal(got.state, ST_TRIAGED);
	assert_int_equal(got.severity, SEV_SERIOUS);
	assert_int_equal(got.ntypes, 2);
	assert_string_equal(got.types[0], "portable-asset-lost");
	assert_string_equal(got.types[1], "official-material-lost");
	assert_int_equal(got.classification, CLS_OFFICIAL_SENSITIVE);
	assert_true(got.strap);
	assert_true(got.third_party_disclosure);
	assert_false(got.authorised);
	assert_true(got.criminal);
	assert_int_equal(got.records, 250);
	assert_true(got.special_category);
	assert_int_equal(got.intent, INT_RECKLESS);
	assert_int_equal(got.damage, DMG_HIGH);
	assert_string_equal(got.description, "Laptop left on a train");
	assert_string_equal(got.location, "Petty France, 5th floor");
	assert_int_equal(got.occurred_at, inc.occurred_at);
	assert_int_equal(got.discovered_at, inc.discovered_at);
	assert_int_equal(got.reported_at, inc.reported_at);
	assert_int_equal(got.updated_at, inc.updated_at);
	assert_int_equal(got.closed_at, TS_NONE);
	assert_string_equal(got.reporter, "S1");
	assert_true(got.confidential_reporter);
	assert_int_equal(got.nsubjects, 2);
	assert_string_equal(got.subjects[0], "S3");
	assert_string_equal(got.subjects[1], "S2");
	incident_release(&got);

	/* The file reads well with the sqlite3 tool. */
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM incidents WHERE state = 'triaged'"
					  " AND intent = 'reckless' AND closed_at IS NULL"
					  " AND reported_at = '2026-11-20T10:00:00Z'"),
			 1);

	/* Update saves state, severity and times. */
	inc.state = ST_CLOSED;
	inc.severity = -1;
	inc.updated_at = inc.closed_at = fx_ts("2026-12-01T12:00:00Z");
	assert_int_equal(s->ops->incident_update(s, &inc, &e), 0);
	assert_int_equal(s->ops->incident_get(s, inc.ref, &got, &e), 0);
	assert_int_equal(got.state, ST_CLOSED);
	assert_int_equal(got.severity, -1);
	assert_int_equal(got.closed_at, inc.closed_at);
	assert_int_equal(got.updated_at, inc.closed_at);
	incident_release(&got);

	/* NULLs: no location, no reporter, no severity, no types. */
	incident_release(&inc);
	make_incident(&inc, "moj", "2026-11-21T10:00:00Z", NULL);
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), 0);
	assert_int_equal(s->ops->incident_get(s, inc.ref, &got, &e), 0);
	assert_null(got.location);
	assert_string_equal(got.reporter, "");
	assert_int_equal(got.severity, -1);
	assert_int_equal(got.ntypes, 0);
	assert_int_equal(got.nsubjects, 0);
	incident_release(&got);

	snprintf(inc.ref, sizeof inc.ref, "SB-2026-999999");
	assert_int_equal(s->ops->incident_update(s, &inc, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "ref");
	assert_int_equal(s->ops->incident_get(s, "SB-2026-999999", &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "ref");
	incident_release(&inc);
}

struct collected {
	char refs[16][REF_MAX];
	int n;
	int stop_after; /* 0: never */
};

static int collect_cb(const struct incident *inc, void *ctx)
{
	struct collected *c = ctx;
	if (c->n < 16)
		memcpy(c->refs[c->n], inc->ref, REF_MAX);
	c->n++;
	assert_non_null(inc->description);
	return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

static int list_incidents(struct store *s, const struct incident_filter *flt, struct collected *c)
{
	struct err e;
	int stop = c->stop_after;

	memset(c, 0, sizeof *c);
	c->stop_after = stop;
	err_clear(&e);
	return s->ops->incident_list(s, flt, collect_cb, c, &e);
}

static void test_incident_list(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct incident_filter flt;
	struct collected c;
	struct incident inc;
	char r[6][REF_MAX];
	struct err e;

	seed(s);
	report(s, "moj", "2026-01-01T10:00:00Z", "S1", r[0]);
	report(s, "hmcts", "2026-02-01T10:00:00Z", "S2", r[1]);
	report(s, "hmcts-crown", "2026-03-01T10:00:00Z", "S3", r[2]);
	report(s, "laa", "2026-04-01T10:00:00Z", "S4", r[3]);
	/* Two in the same second: the later reference first. */
	make_incident(&inc, "hmcts-crown", "2026-05-01T10:00:00Z", "S3");
	snprintf(inc.types[0], CODE_MAX, "pass-lost");
	inc.ntypes = 1;
	inc.severity = SEV_MINOR;
	snprintf(inc.reporter, sizeof inc.reporter, "S2");
	err_clear(&e);
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), 0);
	memcpy(r[4], inc.ref, REF_MAX);
	incident_release(&inc);
	make_incident(&inc, "hmcts", "2026-05-01T10:00:00Z", "S2");
	inc.state = ST_CLOSED;
	inc.closed_at = inc.reported_at;
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), 0);
	memcpy(r[5], inc.ref, REF_MAX);
	incident_release(&inc);

	memset(&c, 0, sizeof c);
	incident_filter_init(&flt);
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 6);
	assert_string_equal(c.refs[0], r[5]);
	assert_string_equal(c.refs[1], r[4]);
	assert_string_equal(c.refs[5], r[0]);

	/* org: the subtree. */
	snprintf(flt.org, sizeof flt.org, "hmcts");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 4);
	snprintf(flt.org, sizeof flt.org, "moj");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 6);
	snprintf(flt.org, sizeof flt.org, "laa");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.refs[0], r[3]);
	snprintf(flt.org, sizeof flt.org, "nope");
	assert_int_equal(s->ops->incident_list(s, &flt, collect_cb, &c, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "org");

	incident_filter_init(&flt);
	flt.state = ST_CLOSED;
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.refs[0], r[5]);

	incident_filter_init(&flt);
	flt.open_only = true;
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 5);

	incident_filter_init(&flt);
	flt.severity = SEV_MINOR;
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.refs[0], r[4]);

	incident_filter_init(&flt);
	snprintf(flt.type, sizeof flt.type, "pass-lost");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.refs[0], r[4]);

	incident_filter_init(&flt);
	snprintf(flt.subject, sizeof flt.subject, "S3");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.refs[0], r[4]);
	assert_string_equal(c.refs[1], r[2]);

	incident_filter_init(&flt);
	snprintf(flt.reporter, sizeof flt.reporter, "S2");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 1);

	/* [from, to) */
	incident_filter_init(&flt);
	flt.from = fx_ts("2026-02-01T10:00:00Z");
	flt.to = fx_ts("2026-04-01T10:00:00Z");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.refs[0], r[2]);
	assert_string_equal(c.refs[1], r[1]);

	/* Filters combine. */
	incident_filter_init(&flt);
	snprintf(flt.org, sizeof flt.org, "hmcts");
	flt.open_only = true;
	snprintf(flt.subject, sizeof flt.subject, "S2");
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.refs[0], r[1]);

	incident_filter_init(&flt);
	flt.limit = 2;
	flt.offset = 1;
	assert_int_equal(list_incidents(s, &flt, &c), 0);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.refs[0], r[4]);
	assert_string_equal(c.refs[1], r[3]);

	/* A callback's non-zero return stops the walk and is returned. */
	incident_filter_init(&flt);
	c.stop_after = 3;
	assert_int_equal(list_incidents(s, &flt, &c), 7);
	assert_int_equal(c.n, 3);

	/* Bad filter values are named. */
	incident_filter_init(&flt);
	flt.state = 99;
	assert_int_equal(s->ops->incident_list(s, &flt, collect_cb, &c, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "status");
}

/* The callback re-enters the store, including the list itself. */
static int nested_cb(const struct incident *inc, void *ctx)
{
	struct store *s = ctx;
	struct incident got;
	struct incident_filter flt;
	struct collected c;
	struct err e;

	err_clear(&e);
	assert_int_equal(s->ops->incident_get(s, inc->ref, &got, &e), 0);
	assert_string_equal(got.ref, inc->ref);
	incident_release(&got);
	incident_filter_init(&flt);
	memset(&c, 0, sizeof c);
	assert_int_equal(s->ops->incident_list(s, &flt, collect_cb, &c, &e), 0);
	assert_int_equal(c.n, 2);
	return 0;
}

static void test_incident_list_reentrant(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct incident_filter flt;
	char ref[REF_MAX];
	struct err e;

	seed(s);
	report(s, "moj", "2026-01-01T10:00:00Z", "S1", ref);
	report(s, "moj", "2026-01-02T10:00:00Z", "S1", ref);
	incident_filter_init(&flt);
	err_clear(&e);
	assert_int_equal(s->ops->incident_list(s, &flt, nested_cb, s, &e), 0);
}

/* ---- transitions and notes ------------------------------------------ */

static void test_transitions_notes(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct incident_transition t, *tl = NULL;
	struct incident_note n, *nl = NULL;
	size_t cnt = 0;
	char ref[REF_MAX];
	struct err e;

	seed(s);
	report(s, "moj", "2026-01-01T10:00:00Z", "S1", ref);
	err_clear(&e);

	memset(&t, 0, sizeof t);
	memcpy(t.ref, ref, REF_MAX);
	t.from = ST_REPORTED;
	t.to = ST_WITHDRAWN;
	t.reason = xstrdup("reported twice");
	snprintf(t.actor, sizeof t.actor, "user:alice");
	t.at = fx_ts("2026-01-02T00:00:00Z");
	assert_int_equal(s->ops->transition_insert(s, &t, &e), 0);
	assert_true(t.id > 0);
	incident_transition_release(&t);

	assert_int_equal(s->ops->transition_list(s, ref, &tl, &cnt, &e), 0);
	assert_int_equal(cnt, 1);
	assert_int_equal(tl[0].from, ST_REPORTED);
	assert_int_equal(tl[0].to, ST_WITHDRAWN);
	assert_string_equal(tl[0].reason, "reported twice");
	assert_string_equal(tl[0].actor, "user:alice");
	assert_int_equal(tl[0].at, fx_ts("2026-01-02T00:00:00Z"));
	incident_transition_list_free(tl, cnt);

	memset(&n, 0, sizeof n);
	memcpy(n.ref, ref, REF_MAX);
	snprintf(n.author, sizeof n.author, "user:bob");
	n.body = xstrdup("spoke to the subject");
	n.at = fx_ts("2026-01-03T00:00:00Z");
	assert_int_equal(s->ops->note_insert(s, &n, &e), 0);
	free(n.body);
	n.body = xstrdup("second note");
	assert_int_equal(s->ops->note_insert(s, &n, &e), 0);
	incident_note_release(&n);
	assert_int_equal(s->ops->note_list(s, ref, &nl, &cnt, &e), 0);
	assert_int_equal(cnt, 2);
	assert_string_equal(nl[0].body, "spoke to the subject");
	assert_string_equal(nl[1].body, "second note");
	assert_string_equal(nl[1].author, "user:bob");
	incident_note_list_free(nl, cnt);

	/* Unknown incident; a required field missing. */
	assert_int_equal(s->ops->note_list(s, "SB-2026-999999", &nl, &cnt, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "ref");
	memset(&n, 0, sizeof n);
	memcpy(n.ref, ref, REF_MAX);
	snprintf(n.author, sizeof n.author, "user:bob");
	assert_int_equal(s->ops->note_insert(s, &n, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "body");
}

/* ---- assessments and decisions -------------------------------------- */

static void make_assessment(struct assessment_record *a, const char *ref, const char *subject,
			    enum severity sev)
{
	memset(a, 0, sizeof *a);
	snprintf(a->ref, sizeof a->ref, "%s", ref);
	snprintf(a->subject, sizeof a->subject, "%s", subject);
	a->severity = sev;
	a->baseline = SEV_SERIOUS;
	a->route = ROUTE_PROBATION;
	a->recommendation = REC_BREACH_NOTICE;
	a->live_warnings = 1;
	snprintf(a->guidance_version, sizeof a->guidance_version, "moj/1");
	a->facts = xstrdup("{\"types\":[]}");
	a->result = xstrdup("{\"severity\":\"serious\"}");
	snprintf(a->assessed_by, sizeof a->assessed_by, "cli:root");
	a->assessed_at = fx_ts("2026-01-05T00:00:00Z");
}

static void test_assessment(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct assessment_record a, got, *l = NULL;
	size_t n = 0;
	int64_t first;
	char ref[REF_MAX];
	struct err e;

	seed(s);
	report(s, "hmcts", "2026-01-01T10:00:00Z", "S2", ref);
	err_clear(&e);

	make_assessment(&a, ref, "S2", SEV_SERIOUS);
	assert_int_equal(s->ops->assessment_put(s, &a, &e), 0);
	first = a.id;
	assessment_record_release(&a);

	make_assessment(&a, ref, "S2", SEV_GROSS);
	free(a.result);
	a.result = xstrdup("{\"severity\":\"gross\"}");
	assert_int_equal(s->ops->assessment_put(s, &a, &e), 0);
	assert_int_equal(a.id, first);
	assessment_record_release(&a);

	assert_int_equal(s->ops->assessment_list(s, ref, &l, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].severity, SEV_GROSS);
	assessment_record_list_free(l, n);

	assert_int_equal(s->ops->assessment_get(s, ref, "S2", &got, &e), 0);
	assert_int_equal(got.severity, SEV_GROSS);
	assert_int_equal(got.baseline, SEV_SERIOUS);
	assert_int_equal(got.route, ROUTE_PROBATION);
	assert_int_equal(got.recommendation, REC_BREACH_NOTICE);
	assert_int_equal(got.live_warnings, 1);
	assert_string_equal(got.guidance_version, "moj/1");
	assert_string_equal(got.facts, "{\"types\":[]}");
	assert_string_equal(got.result, "{\"severity\":\"gross\"}");
	assert_string_equal(got.assessed_by, "cli:root");
	assert_int_equal(got.assessed_at, fx_ts("2026-01-05T00:00:00Z"));
	assessment_record_release(&got);

	assert_int_equal(s->ops->assessment_get(s, ref, "S3", &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "subject");

	/* Only a subject of the incident can be assessed. */
	make_assessment(&a, ref, "S3", SEV_GROSS);
	assert_int_equal(s->ops->assessment_put(s, &a, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "subject");
	assessment_record_release(&a);
}

static void make_decision(struct decision *d, const char *ref, const char *subject)
{
	decision_init(d);
	snprintf(d->ref, sizeof d->ref, "%s", ref);
	snprintf(d->subject, sizeof d->subject, "%s", subject);
	d->severity = SEV_SERIOUS;
	d->outcome = OUT_BREACH_NOTICE;
	d->damage = DMG_MODERATE;
	d->intent = INT_NEGLIGENT;
	d->live_warnings = 2;
	d->assessed_severity = SEV_GROSS;
	d->recommendation = REC_FORMAL_ACTION;
	d->rationale = xstrdup("first breach in years");
	d->override_reason = xstrdup("mitigating circumstances");
	snprintf(d->decided_by, sizeof d->decided_by, "user:manager");
	d->decided_at = fx_ts("2026-01-06T00:00:00Z");
}

static void test_decision(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct decision d, got, *l = NULL;
	size_t n = 0;
	char ref[REF_MAX];
	struct err e;

	seed(s);
	report(s, "hmcts", "2026-01-01T10:00:00Z", "S2", ref);
	err_clear(&e);

	make_decision(&d, ref, "S2");
	assert_int_equal(s->ops->decision_insert(s, &d, &e), 0);
	assert_true(d.id > 0);
	assert_int_equal(s->ops->decision_insert(s, &d, &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.field, "subject");
	decision_release(&d);

	assert_int_equal(s->ops->decision_get(s, ref, "S2", &got, &e), 0);
	assert_int_equal(got.severity, SEV_SERIOUS);
	assert_int_equal(got.outcome, OUT_BREACH_NOTICE);
	assert_int_equal(got.damage, DMG_MODERATE);
	assert_int_equal(got.intent, INT_NEGLIGENT);
	assert_int_equal(got.live_warnings, 2);
	assert_int_equal(got.assessed_severity, SEV_GROSS);
	assert_int_equal(got.recommendation, REC_FORMAL_ACTION);
	assert_string_equal(got.rationale, "first breach in years");
	assert_string_equal(got.override_reason, "mitigating circumstances");
	assert_string_equal(got.decided_by, "user:manager");
	assert_int_equal(got.decided_at, fx_ts("2026-01-06T00:00:00Z"));
	decision_release(&got);

	assert_int_equal(s->ops->decision_list(s, ref, &l, &n, &e), 0);
	assert_int_equal(n, 1);
	decision_list_free(l, n);

	assert_int_equal(s->ops->decision_get(s, "SB-2026-999999", "S2", &got, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "ref");

	make_decision(&d, ref, "S4");
	assert_int_equal(s->ops->decision_insert(s, &d, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "subject");
	free(d.rationale);
	d.rationale = NULL;
	snprintf(d.subject, sizeof d.subject, "S2");
	report(s, "hmcts", "2026-01-02T10:00:00Z", "S2", d.ref);
	assert_int_equal(s->ops->decision_insert(s, &d, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "rationale");
	decision_release(&d);
}

/* ---- notices and warnings ------------------------------------------- */

static void issue(struct store *s, const char *ref, const char *subject, const char *on,
		  char number[REF_MAX])
{
	struct notice n;
	struct err e;

	notice_init(&n);
	snprintf(n.ref, sizeof n.ref, "%s", ref);
	snprintf(n.subject, sizeof n.subject, "%s", subject);
	n.severity = SEV_SERIOUS;
	n.issued_on = fx_day(on);
	n.acknowledge_by = n.issued_on + NOTICE_ACK_DAYS;
	snprintf(n.issued_by, sizeof n.issued_by, "user:manager");
	n.body = xstrdup("{\"title\":\"breach notice\"}");
	err_clear(&e);
	assert_int_equal(s->ops->notice_insert(s, &n, &e), 0);
	assert_true(n.id > 0);
	memcpy(number, n.number, REF_MAX);
	notice_release(&n);
}

static void test_notice(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct notice *l = NULL, n;
	size_t cnt = 0;
	char ref[REF_MAX], ref2[REF_MAX], num[REF_MAX];
	struct err e;

	seed(s);
	report(s, "hmcts", "2026-01-01T10:00:00Z", "S2", ref);
	report(s, "hmcts", "2026-01-02T10:00:00Z", "S3", ref2);

	issue(s, ref, "S2", "2026-02-01", num);
	assert_string_equal(num, "BN-2026-000001");
	issue(s, ref2, "S3", "2026-02-02", num);
	assert_string_equal(num, "BN-2026-000002");
	/* Numbered by the year of issue, not of the incident. */
	issue(s, ref, "S2", "2027-01-04", num);
	assert_string_equal(num, "BN-2027-000001");

	err_clear(&e);
	assert_int_equal(s->ops->notice_list(s, ref, NULL, &l, &cnt, &e), 0);
	assert_int_equal(cnt, 2);
	assert_string_equal(l[0].number, "BN-2026-000001");
	assert_string_equal(l[0].subject, "S2");
	assert_int_equal(l[0].severity, SEV_SERIOUS);
	assert_int_equal(l[0].issued_on, fx_day("2026-02-01"));
	assert_int_equal(l[0].acknowledge_by, fx_day("2026-02-01") + NOTICE_ACK_DAYS);
	assert_int_equal(l[0].acknowledged_on, DATE_NONE);
	assert_string_equal(l[0].issued_by, "user:manager");
	assert_string_equal(l[0].body, "{\"title\":\"breach notice\"}");
	notice_list_free(l, cnt);

	assert_int_equal(s->ops->notice_list(s, NULL, "S3", &l, &cnt, &e), 0);
	assert_int_equal(cnt, 1);
	assert_string_equal(l[0].number, "BN-2026-000002");
	notice_list_free(l, cnt);
	assert_int_equal(s->ops->notice_list(s, ref, "S3", &l, &cnt, &e), 0);
	assert_int_equal(cnt, 0);
	notice_list_free(l, cnt);
	assert_int_equal(s->ops->notice_list(s, NULL, NULL, &l, &cnt, &e), 0);
	assert_int_equal(cnt, 3);
	notice_list_free(l, cnt);

	/* Only to a subject of the incident; a failure takes no number. */
	notice_init(&n);
	memcpy(n.ref, ref, REF_MAX);
	snprintf(n.subject, sizeof n.subject, "S3");
	n.issued_on = fx_day("2026-03-01");
	snprintf(n.issued_by, sizeof n.issued_by, "user:manager");
	n.body = xstrdup("{}");
	assert_int_equal(s->ops->notice_insert(s, &n, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "subject");
	notice_release(&n);
	issue(s, ref2, "S3", "2026-03-01", num);
	assert_string_equal(num, "BN-2026-000003");
}

/* By number, and the addressee's acknowledgement: once. */
static void test_notice_get_acknowledge(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct notice n;
	char ref[REF_MAX], num[REF_MAX];
	struct err e;

	seed(s);
	report(s, "hmcts", "2026-01-01T10:00:00Z", "S2", ref);
	issue(s, ref, "S2", "2026-02-01", num);

	err_clear(&e);
	assert_int_equal(s->ops->notice_get(s, num, &n, &e), 0);
	assert_string_equal(n.number, num);
	assert_string_equal(n.ref, ref);
	assert_string_equal(n.subject, "S2");
	assert_int_equal(n.acknowledged_on, DATE_NONE);
	assert_string_equal(n.body, "{\"title\":\"breach notice\"}");
	notice_release(&n);

	assert_int_equal(s->ops->notice_get(s, "BN-2026-000099", &n, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "number");
	notice_release(&n);

	err_clear(&e);
	assert_int_equal(s->ops->notice_acknowledge(s, num, fx_day("2026-02-03"), &e), 0);
	assert_int_equal(s->ops->notice_get(s, num, &n, &e), 0);
	assert_int_equal(n.acknowledged_on, fx_day("2026-02-03"));
	notice_release(&n);
	/* A second time is a conflict and keeps the first date. */
	assert_int_equal(s->ops->notice_acknowledge(s, num, fx_day("2026-02-05"), &e), -1);
	assert_int_equal(e.kind, ERR_CONFLICT);
	assert_string_equal(e.field, "number");
	err_clear(&e);
	assert_int_equal(s->ops->notice_get(s, num, &n, &e), 0);
	assert_int_equal(n.acknowledged_on, fx_day("2026-02-03"));
	notice_release(&n);
	assert_int_equal(s->ops->notice_acknowledge(s, "BN-2026-000099", fx_day("2026-02-05"), &e),
			 -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
}

static void test_warnings(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct warning_record w, *l = NULL;
	size_t n = 0;
	char ref[REF_MAX], num[REF_MAX];
	struct err e;

	seed(s);
	report(s, "hmcts", "2026-01-01T10:00:00Z", "S2", ref);
	issue(s, ref, "S2", "2026-02-01", num);
	err_clear(&e);

	memset(&w, 0, sizeof w);
	snprintf(w.staff_id, sizeof w.staff_id, "S2");
	w.level = WRN_BREACH_NOTICE;
	w.issued_on = fx_day("2026-02-01");
	memcpy(w.source, num, REF_MAX);
	memcpy(w.ref, ref, REF_MAX);
	assert_int_equal(s->ops->warning_insert(s, &w, &e), 0);
	memset(&w, 0, sizeof w);
	snprintf(w.staff_id, sizeof w.staff_id, "S2");
	w.level = WRN_WRITTEN;
	w.issued_on = fx_day("2025-06-01");
	assert_int_equal(s->ops->warning_insert(s, &w, &e), 0);

	assert_int_equal(s->ops->warning_list(s, "S2", &l, &n, &e), 0);
	assert_int_equal(n, 2);
	assert_int_equal(l[0].level, WRN_WRITTEN); /* oldest first */
	assert_string_equal(l[0].source, "");
	assert_string_equal(l[0].ref, "");
	assert_int_equal(l[1].level, WRN_BREACH_NOTICE);
	assert_string_equal(l[1].source, num);
	assert_string_equal(l[1].ref, ref);
	assert_int_equal(l[1].issued_on, fx_day("2026-02-01"));
	warning_record_list_free(l, n);

	assert_int_equal(s->ops->warning_list(s, "S3", &l, &n, &e), 0);
	assert_int_equal(n, 0);
	warning_record_list_free(l, n);
	assert_int_equal(s->ops->warning_list(s, "S99", &l, &n, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "staff_id");

	snprintf(w.source, sizeof w.source, "BN-2026-999999");
	assert_int_equal(s->ops->warning_insert(s, &w, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_string_equal(e.field, "source");
}

/* ---- audit and transactions ----------------------------------------- */

/* An entry by cli:root at the start of 2026 (release it). */
static void entry_init(struct audit_entry *a, const char *action, const char *entity,
		       const char *detail)
{
	memset(a, 0, sizeof *a);
	a->at = fx_ts("2026-01-01T00:00:00Z");
	snprintf(a->actor, sizeof a->actor, "cli:root");
	snprintf(a->action, sizeof a->action, "%s", action);
	snprintf(a->entity, sizeof a->entity, "%s", entity);
	a->detail = detail ? xstrdup(detail) : NULL;
}

static void append(struct store *s, const char *action, const char *entity, const char *detail,
		   struct audit_entry *out)
{
	struct audit_entry a;
	struct err e;

	entry_init(&a, action, entity, detail);
	err_clear(&e);
	assert_int_equal(s->ops->audit_append(s, &a, &e), 0);
	if (out) {
		*out = a;
		out->detail = NULL;
	}
	audit_entry_release(&a);
}

struct verify {
	struct audit_verifier v;
	struct err e;
	int failed;
	int64_t seen;
};

static int verify_cb(const struct audit_entry *a, void *ctx)
{
	struct verify *vf = ctx;
	vf->seen++;
	if (audit_verify_next(&vf->v, a, &vf->e)) {
		vf->failed = 1;
		return 1;
	}
	return 0;
}

/* 0 if the whole log verifies; the count of entries seen in *seen. */
static int verify(struct store *s, const char *entity, struct verify *vf)
{
	struct err e;

	memset(vf, 0, sizeof *vf);
	audit_verify_init(&vf->v);
	err_clear(&e);
	int r = s->ops->audit_each(s, entity, verify_cb, vf, &e);
	assert_true(r == 0 || r == 1);
	return vf->failed;
}

static void test_audit(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct audit_entry a1, a2, a3;
	struct verify vf;
	struct err e;

	err_clear(&e);
	assert_int_equal(s->ops->begin(s, &e), 0);
	append(s, "org.add", "moj", "{\"code\":\"moj\"}", &a1);
	append(s, "incident.read", "SB-2026-000001", "", &a2); /* "" is not NULL */
	append(s, "org.add", "hmcts", NULL, &a3);
	assert_int_equal(s->ops->commit(s, &e), 0);

	assert_int_equal(a1.seq, 1);
	assert_string_equal(a1.prev, AUDIT_GENESIS);
	assert_int_equal(a2.seq, 2);
	assert_string_equal(a2.prev, a1.hash);
	assert_int_equal(a3.seq, 3);
	assert_string_equal(a3.prev, a2.hash);

	assert_int_equal(verify(s, NULL, &vf), 0);
	assert_int_equal(vf.seen, 3);
	assert_int_equal(vf.v.count, 3);

	/* Entity filter, in seq order. */
	memset(&vf, 0, sizeof vf);
	verify(s, "hmcts", &vf);
	assert_int_equal(vf.seen, 1);

	/* Outside a transaction it is still one atomic append. */
	append(s, "org.add", "laa", "{}", NULL);
	assert_int_equal(verify(s, NULL, &vf), 0);
	assert_int_equal(vf.seen, 4);

	/* Edited in the file: found. */
	fx_raw_exec(f->path, "UPDATE audit SET actor = 'cli:mallory' WHERE seq = 2");
	assert_int_equal(verify(s, NULL, &vf), 1);
	assert_string_equal(vf.e.field, "audit[2]");
	fx_raw_exec(f->path, "UPDATE audit SET actor = 'cli:root' WHERE seq = 2");
	assert_int_equal(verify(s, NULL, &vf), 0);
	fx_raw_exec(f->path, "UPDATE audit SET at = '2026-01-01T00:00:01Z' WHERE seq = 3");
	assert_int_equal(verify(s, NULL, &vf), 1);
	fx_raw_exec(f->path, "UPDATE audit SET at = 'garbage' WHERE seq = 3");
	assert_int_equal(verify(s, NULL, &vf), 1);
	fx_raw_exec(f->path, "UPDATE audit SET at = '2026-01-01T00:00:00Z' WHERE seq = 3");
	assert_int_equal(verify(s, NULL, &vf), 0);
	fx_raw_exec(f->path, "UPDATE audit SET detail = NULL WHERE seq = 2");
	assert_int_equal(verify(s, NULL, &vf), 1);
	fx_raw_exec(f->path, "UPDATE audit SET detail = '' WHERE seq = 2");
	assert_int_equal(verify(s, NULL, &vf), 0);

	/* Reordered: found. */
	fx_raw_exec(f->path, "UPDATE audit SET seq = 10 WHERE seq = 2;"
			  "UPDATE audit SET seq = 2 WHERE seq = 3;"
			  "UPDATE audit SET seq = 3 WHERE seq = 10");
	assert_int_equal(verify(s, NULL, &vf), 1);
	fx_raw_exec(f->path, "UPDATE audit SET seq = 10 WHERE seq = 2;"
			  "UPDATE audit SET seq = 2 WHERE seq = 3;"
			  "UPDATE audit SET seq = 3 WHERE seq = 10");
	assert_int_equal(verify(s, NULL, &vf), 0);

	/* Removed: found. */
	fx_raw_exec(f->path, "DELETE FROM audit WHERE seq = 2");
	assert_int_equal(verify(s, NULL, &vf), 1);

	memset(&a1, 0, sizeof a1);
	a1.at = TS_NONE;
	assert_int_equal(s->ops->audit_append(s, &a1, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "at");
}

/* PostgreSQL sends blind writes (an audit entry among them) without
 * waiting for their results: one that fails must still fail the commit,
 * leave nothing behind, and leave the connection usable. Invalid UTF-8 is
 * a value only the server refuses, after the client has moved on. */
static void test_blind_write_fails_the_commit(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct audit_entry bad;
	struct verify vf;
	struct err e;
	int rc;

	if (!fx_pg())
		return;
	entry_init(&bad, "org.add", "moj", "{\"name\":\"\xff\xfe\"}");

	/* A transaction: the failure surfaces by the commit at the latest. */
	err_clear(&e);
	assert_int_equal(s->ops->begin(s, &e), 0);
	append(s, "org.add", "hmcts", "{}", NULL);
	rc = s->ops->audit_append(s, &bad, &e);
	if (rc == 0)
		rc = s->ops->commit(s, &e);
	assert_int_equal(rc, -1);
	assert_int_equal(e.kind, ERR_RUNTIME);
	s->ops->rollback(s);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM audit"), 0);

	/* A group (the server's writer): its end fails, nothing is kept. */
	err_clear(&e);
	assert_int_equal(s->ops->group_begin(s, &e), 0);
	assert_int_equal(s->ops->begin(s, &e), 0);
	append(s, "org.add", "laa", "{}", NULL);
	assert_int_equal(s->ops->commit(s, &e), 0);
	assert_int_equal(s->ops->begin(s, &e), 0);
	rc = s->ops->audit_append(s, &bad, &e);
	if (rc == 0)
		rc = s->ops->commit(s, &e);
	if (rc)
		s->ops->rollback(s);
	err_clear(&e);
	assert_int_equal(s->ops->group_end(s, true, &e), -1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM audit"), 0);

	/* The connection goes on as before. */
	assert_int_equal(s->ops->begin(s, &e), 0);
	append(s, "org.add", "opg", "{}", NULL);
	assert_int_equal(s->ops->commit(s, &e), 0);
	assert_int_equal(verify(s, NULL, &vf), 0);
	assert_int_equal(vf.seen, 1);
	audit_entry_release(&bad);
}

static void test_rollback(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct incident inc;
	struct org o;
	struct verify vf;
	struct err e;

	err_clear(&e);
	s->ops->rollback(s); /* no transaction: harmless */
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "moj", NULL);
	append(s, "org.add", "moj", "{}", NULL);
	fx_add_person(s, "S1", "moj", NULL);
	s->ops->rollback(s);
	s->ops->rollback(s);

	assert_int_equal(s->ops->org_get(s, "moj", &o, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_int_equal(verify(s, NULL, &vf), 0);
	assert_int_equal(vf.seen, 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM people"), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM audit"), 0);

	/* begin inside a transaction nests: the inner level is a savepoint
	 * whose rollback undoes only its own work. Commit without a
	 * transaction is an error. */
	assert_int_equal(s->ops->begin(s, &e), 0);
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "gone", NULL);
	s->ops->rollback(s);
	fx_add_org(s, "moj", NULL);
	/* A failed multi-statement write undoes only itself: the transaction
	 * stays usable and commits the rest. */
	make_incident(&inc, "moj", "2026-01-01T00:00:00Z", "S99");
	assert_int_equal(s->ops->incident_insert(s, &inc, &e), -1);
	assert_string_equal(e.field, "subjects[0]");
	incident_release(&inc);
	fx_add_person(s, "S1", "moj", NULL);
	assert_int_equal(s->ops->commit(s, &e), 0);
	assert_int_equal(s->ops->commit(s, &e), -1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs WHERE code = 'gone'"), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM people"), 1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM sequences"), 0);
}

/* Group commit: each operation in the group succeeds or fails alone, a
 * stray rollback cannot undo the others, and nothing is durable before
 * group_end commits. */
static void test_group(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s;
	struct err e;

	err_clear(&e);
	assert_int_equal(s->ops->group_begin(s, &e), 0);
	/* Operation 1 commits its savepoint. */
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "moj", NULL);
	assert_int_equal(s->ops->commit(s, &e), 0);
	/* Operation 2 fails and rolls back, twice over: only itself. */
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "hmcts", "moj");
	s->ops->rollback(s);
	s->ops->rollback(s);
	/* Not yet durable: another connection sees nothing. */
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 0);
	assert_int_equal(s->ops->group_end(s, true, &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 1);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs WHERE code = 'moj'"), 1);

	/* A group that is not committed leaves nothing. */
	assert_int_equal(s->ops->group_begin(s, &e), 0);
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "laa", "moj");
	assert_int_equal(s->ops->commit(s, &e), 0);
	assert_int_equal(s->ops->group_end(s, false, &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 1);

	/* An operation that leaves its savepoint open fails the group. */
	assert_int_equal(s->ops->group_begin(s, &e), 0);
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "opg", "moj");
	assert_int_equal(s->ops->group_end(s, true, &e), -1);
	assert_int_equal(e.kind, ERR_RUNTIME);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 1);
	/* And the connection is usable again. */
	assert_int_equal(s->ops->begin(s, &e), 0);
	fx_add_org(s, "opg", "moj");
	assert_int_equal(s->ops->commit(s, &e), 0);
	assert_int_equal(fx_raw_int(f->path, "SELECT count(*) FROM orgs"), 2);
}

/* ---- backup ----------------------------------------------------------- */

static int count_cb(const struct incident *inc, void *ctx)
{
	(void)inc;
	(*(int *)ctx)++;
	return 0;
}

static int audit_count_cb(const struct audit_entry *a, void *ctx)
{
	(void)a;
	(*(int *)ctx)++;
	return 0;
}

static void test_backup(void **state)
{
	struct fx *f = *state;
	struct store *s = f->s, *b = NULL;
	struct incident_filter flt;
	struct org *orgs = NULL;
	struct verify vf;
	size_t n = 0;
	char path[160], ref[REF_MAX];
	int incidents = 0, entries = 0;
	struct err e;
	fx_sqlite_only(); /* the file: its mode, PRAGMAs, a file copy */

	seed(s);
	report(s, "hmcts", "2026-01-01T10:00:00Z", "S2", ref);
	report(s, "laa", "2026-01-02T10:00:00Z", "S4", ref);
	append(s, "incident.report", ref, "{}", NULL);
	append(s, "incident.report", ref, "{}", NULL);

	snprintf(path, sizeof path, "%s/backup.db", f->dir);
	err_clear(&e);
	assert_int_equal(s->ops->backup(s, path, &e), 0);
	assert_int_equal(s->ops->backup(s, path, &e), -1);
	assert_int_equal(e.kind, ERR_INVALID);
	assert_string_equal(e.field, "file");

	assert_int_equal(store_sqlite_open(path, &b, &e), 0);
	assert_int_equal(b->ops->org_list(b, &orgs, &n, &e), 0);
	assert_int_equal(n, 4);
	org_list_free(orgs, n);
	incident_filter_init(&flt);
	assert_int_equal(b->ops->incident_list(b, &flt, count_cb, &incidents, &e), 0);
	assert_int_equal(incidents, 2);
	assert_int_equal(b->ops->audit_each(b, NULL, audit_count_cb, &entries, &e), 0);
	assert_int_equal(entries, 2);
	assert_int_equal(verify(b, NULL, &vf), 0);
	/* The copy numbers on from where the original was. */
	report(b, "laa", "2026-01-03T10:00:00Z", "S4", ref);
	assert_string_equal(ref, "SB-2026-000003");
	store_close(b);

	/* Not inside a transaction. */
	snprintf(path, sizeof path, "%s/backup2.db", f->dir);
	assert_int_equal(s->ops->begin(s, &e), 0);
	assert_int_equal(s->ops->backup(s, path, &e), -1);
	s->ops->rollback(s);
	assert_int_equal(access(path, F_OK), -1);
}

int main(void)
{
	if (fx_backend_missing())
		return FX_SKIP;
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_open_twice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_open_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_org, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_person, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guidance, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incident_numbering, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incident_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incident_list, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_incident_list_reentrant, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_transitions_notes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_assessment, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_decision, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_notice, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_notice_get_acknowledge, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_warnings, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_audit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_blind_write_fails_the_commit, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_group, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_backup, setup, teardown),
	};
	return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
