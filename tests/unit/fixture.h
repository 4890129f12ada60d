/* fixture: what the store-backed unit tests share: a throwaway register,
 * time literals, direct SQL on it (as someone with the sqlite3 or psql
 * tool would), and minimal organisations and people. Static inline, so
 * each test file uses what it needs. Include after <cmocka.h>.
 *
 * Backends: with BR_TEST_BACKEND=pgsql (ctest's *_pg tests) each test
 * gets a new database in the cluster whose Unix socket folder is
 * BREACHREG_TEST_PG (scripts/pg-cluster.sh), dropped at teardown;
 * otherwise a SQLite file in the test's temporary folder. Tests of what
 * only a SQLite file has (its header, PRAGMAs, file backup) call
 * fx_sqlite_only() and are skipped on PostgreSQL. */
#ifndef BR_TEST_FIXTURE_H
#define BR_TEST_FIXTURE_H
#include <dirent.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/date.h"
#include "store/store.h"

/* Removes every file in dir, then dir. */
static inline void fx_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[512];

	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
	closedir(d);
	rmdir(dir);
}

/* ctest's code for a skipped test (SKIP_RETURN_CODE in CMakeLists.txt). */
#define FX_SKIP 77

static inline bool fx_pg(void)
{
	const char *b = getenv("BR_TEST_BACKEND");
	return b && strcmp(b, "pgsql") == 0;
}

/* Call first in main(): a PostgreSQL run without a cluster is skipped. */
static inline bool fx_backend_missing(void)
{
	const char *h = getenv("BREACHREG_TEST_PG");

	if (fx_pg() && (!h || !*h)) {
		fprintf(stderr, "skipped: BR_TEST_BACKEND=pgsql needs BREACHREG_TEST_PG\n");
		return true;
	}
	return false;
}

static inline bool fx_is_pg_url(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0;
}

/* Skips the calling test on PostgreSQL. */
#define fx_sqlite_only()                                                                           \
	do {                                                                                       \
		if (fx_pg())                                                                       \
			skip();                                                                    \
	} while (0)

static inline void fx_pg_admin(const char *sql)
{
	char url[256];
	PGconn *c;
	PGresult *r;

	snprintf(url, sizeof url, "postgres://breachreg@/breachreg?host=%s",
		 getenv("BREACHREG_TEST_PG"));
	c = PQconnectdb(url);
	assert_int_equal(PQstatus(c), CONNECTION_OK);
	r = PQexec(c, sql);
	if (PQresultStatus(r) != PGRES_COMMAND_OK)
		fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
	assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
	PQclear(r);
	PQfinish(c);
}

/* Opens a new, empty register for one test: file (SQLite, inside dir) or
 * a new database; url (size bytes) gets what store_open takes to reopen it. */
static inline int fx_open(const char *dir, const char *file, char *url, size_t size,
			  struct store **s, struct err *e)
{
	if (fx_pg()) {
		static unsigned n;
		char name[64], sql[128];

		snprintf(name, sizeof name, "brt_%ld_%u", (long)getpid(), n++);
		snprintf(sql, sizeof sql, "CREATE DATABASE %s STRATEGY FILE_COPY", name);
		fx_pg_admin(sql);
		snprintf(url, size, "postgres://breachreg@/%s?host=%s", name,
			 getenv("BREACHREG_TEST_PG"));
	} else {
		snprintf(url, size, "%s/%s", dir, file);
	}
	return store_open(url, s, e);
}

/* Drops the database fx_open made (nothing for a file: fx_rmtree). */
static inline void fx_drop(const char *url)
{
	const char *name, *end;
	char sql[128];

	if (!fx_is_pg_url(url))
		return;
	name = strchr(url + 11, '/');
	assert_non_null(name);
	name++;
	end = strchr(name, '?');
	snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %.*s WITH (FORCE)",
		 (int)(end ? end - name : (long)strlen(name)), name);
	fx_pg_admin(sql);
}

static inline ts_t fx_ts(const char *s)
{
	ts_t t = TS_NONE;
	assert_int_equal(date_parse_ts(s, &t), 0);
	return t;
}

static inline date_t fx_day(const char *s)
{
	date_t d = DATE_NONE;
	assert_int_equal(date_parse(s, &d), 0);
	return d;
}

/* Runs a statement on the register directly, as someone with sqlite3 (or
 * psql) would. */
static inline void fx_raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;

	if (fx_is_pg_url(path)) {
		PGconn *c = PQconnectdb(path);
		PGresult *r = PQexec(c, sql);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			fprintf(stderr, "%s: %s", sql, PQerrorMessage(c));
		assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
		PQclear(r);
		PQfinish(c);
		return;
	}
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static inline int64_t fx_raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

	if (fx_is_pg_url(path)) {
		PGconn *c = PQconnectdb(path);
		PGresult *r = PQexec(c, sql);
		assert_int_equal(PQresultStatus(r), PGRES_TUPLES_OK);
		assert_true(PQntuples(r) > 0);
		/* A boolean comes back as "t" or "f" where SQLite says 1 or 0. */
		v = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? 1 : strtoll(PQgetvalue(r, 0, 0), NULL, 10);
		PQclear(r);
		PQfinish(c);
		return v;
	}
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static inline void fx_add_org(struct store *s, const char *code, const char *parent)
{
	struct org o;
	struct err e = {0};

	org_init(&o);
	snprintf(o.code, sizeof o.code, "%s", code);
	snprintf(o.parent, sizeof o.parent, "%s", parent ? parent : "");
	o.name = xstrdup(code);
	assert_int_equal(s->ops->org_insert(s, &o, &e), 0);
	org_release(&o);
}

static inline void fx_add_person(struct store *s, const char *staff_id, const char *org,
				 const char *manager)
{
	struct person p;
	struct err e = {0};

	person_init(&p);
	snprintf(p.staff_id, sizeof p.staff_id, "%s", staff_id);
	snprintf(p.org, sizeof p.org, "%s", org);
	snprintf(p.manager, sizeof p.manager, "%s", manager ? manager : "");
	p.name = xstrdup(staff_id);
	assert_int_equal(s->ops->person_insert(s, &p, &e), 0);
	person_release(&p);
}

#endif
