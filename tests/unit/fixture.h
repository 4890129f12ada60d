/* fixture: what the store-backed unit tests share: a throwaway directory
 * for the register, time literals, direct SQL on the file (as someone with
 * the sqlite3 tool would), and minimal organisations and people. Static
 * inline, so each test file uses what it needs. Include after <cmocka.h>. */
#ifndef BR_TEST_FIXTURE_H
#define BR_TEST_FIXTURE_H
#include <dirent.h>
#include <sqlite3.h>
#include <stdio.h>
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

/* Runs a statement on the file directly, as someone with sqlite3 would. */
static inline void fx_raw_exec(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static inline int64_t fx_raw_int(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int64_t v;

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
