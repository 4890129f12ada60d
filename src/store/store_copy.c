/* store_copy: a whole SQLite register copied into an empty PostgreSQL one
 * (breachreg migrate, see store.h). Both schemas are the same numbered
 * migrations with the same tables and columns, so rows travel verbatim:
 * the audit chain's hashes still match, ids and numbers stay. It knows
 * both engines' formats because copying between them is its one job. */
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "store/store.h"

static int pg_fail(PGconn *c, PGresult *r, const char *what, struct err *e)
{
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;

	return err_set(e, ERR_RUNTIME, "to", "%s: %.300s", what,
		       msg ? msg : PQerrorMessage(c));
}

static int pg_cmd(PGconn *c, const char *sql, struct err *e)
{
	PGresult *r = PQexec(c, sql);
	int ret = 0;

	if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
		ret = pg_fail(c, r, sql, e);
	PQclear(r);
	return ret;
}

static int64_t pg_count(PGconn *c, const char *table, struct err *e)
{
	char sql[128];
	PGresult *r;
	int64_t n = -1;

	snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\"", table);
	r = PQexec(c, sql);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	else
		pg_fail(c, r, sql, e);
	PQclear(r);
	return n;
}

/* One value in COPY's text format: \N for NULL, \\x hex for a blob, text
 * with backslash, tab, newline and carriage return escaped. */
static void copy_value(struct buf *b, sqlite3_stmt *st, int col)
{
	static const char digits[] = "0123456789abcdef";

	switch (sqlite3_column_type(st, col)) {
	case SQLITE_NULL:
		buf_puts(b, "\\N");
		return;
	case SQLITE_BLOB: {
		const unsigned char *v = sqlite3_column_blob(st, col);
		int n = sqlite3_column_bytes(st, col);

		buf_puts(b, "\\\\x");
		for (int i = 0; i < n; i++) {
			buf_addch(b, digits[v[i] >> 4]);
			buf_addch(b, digits[v[i] & 15]);
		}
		return;
	}
	default: {
		const unsigned char *s = sqlite3_column_text(st, col);

		for (; s && *s; s++) {
			switch (*s) {
			case '\\': buf_puts(b, "\\\\"); break;
			case '\t': buf_puts(b, "\\t"); break;
			case '\n': buf_puts(b, "\\n"); break;
			case '\r': buf_puts(b, "\\r"); break;
			default: buf_addch(b, (char)*s);
			}
		}
	}
	}
}

/* Copies one table's rows (in rowid or key order) with COPY; *rows counts them. */
static int copy_table(sqlite3 *src, PGconn *dst, const char *table, int64_t *rows, struct err *e)
{
	char sql[256];
	sqlite3_stmt *st = NULL;
	struct buf cmd, line;
	PGresult *r = NULL;
	int ncols, rc, ret = -1;

	buf_init(&cmd);
	buf_init(&line);
	*rows = 0;
	snprintf(sql, sizeof sql, "SELECT * FROM \"%s\"", table);
	if (sqlite3_prepare_v2(src, sql, -1, &st, NULL) != SQLITE_OK) {
		err_set(e, ERR_RUNTIME, "from", "table \"%s\": %s", table, sqlite3_errmsg(src));
		goto out;
	}
	ncols = sqlite3_column_count(st);
	buf_printf(&cmd, "COPY \"%s\" (", table);
	for (int i = 0; i < ncols; i++)
		buf_printf(&cmd, "%s\"%s\"", i ? ", " : "", sqlite3_column_name(st, i));
	buf_puts(&cmd, ") FROM STDIN");
	r = PQexec(dst, buf_str(&cmd));
	if (PQresultStatus(r) != PGRES_COPY_IN) {
		pg_fail(dst, r, table, e);
		goto out;
	}
	PQclear(r);
	r = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_reset(&line);
		for (int i = 0; i < ncols; i++) {
			if (i)
				buf_addch(&line, '\t');
			copy_value(&line, st, i);
		}
		buf_addch(&line, '\n');
		if (PQputCopyData(dst, buf_str(&line), (int)line.len) != 1) {
			err_set(e, ERR_RUNTIME, "to", "table \"%s\": %s", table, PQerrorMessage(dst));
			PQputCopyEnd(dst, "aborted");
			goto drain;
		}
		(*rows)++;
	}
	if (rc != SQLITE_DONE) {
		err_set(e, ERR_RUNTIME, "from", "table \"%s\": %s", table, sqlite3_errmsg(src));
		PQputCopyEnd(dst, "aborted");
		goto drain;
	}
	if (PQputCopyEnd(dst, NULL) != 1) {
		err_set(e, ERR_RUNTIME, "to", "table \"%s\": %s", table, PQerrorMessage(dst));
		goto drain;
	}
	ret = 0;
drain:
	while ((r = PQgetResult(dst))) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && ret == 0)
			ret = pg_fail(dst, r, table, e);
		PQclear(r);
	}
out:
	PQclear(r);
	sqlite3_finalize(st);
	buf_release(&cmd);
	buf_release(&line);
	return ret;
}

int store_copy_sqlite_to_pgsql(const char *from, const char *to, struct store_copy_count *counts,
			       size_t max, size_t *n, struct err *e)
{
	struct store *s = NULL;
	sqlite3 *src = NULL;
	sqlite3_stmt *tables = NULL;
	PGconn *dst = NULL;
	int rc, ret = -1;

	*n = 0;
	if (strncmp(from, "sqlite:", 7) == 0)
		from += 7;
	if (!store_exists(from))
		return err_set(e, ERR_INVALID, "from", "no register at \"%s\"", from);
	if (strncmp(to, "postgres://", 11) != 0 && strncmp(to, "postgresql://", 13) != 0)
		return err_set(e, ERR_INVALID, "to", "\"to\" must be a postgres:// URL");
	/* Both at the binary's schema version: the columns then match. */
	if (store_sqlite_open(from, &s, e))
		return -1;
	store_close(s);
	s = NULL;
	if (store_pgsql_open(to, &s, e))
		return -1;
	store_close(s);
	if (sqlite3_open_v2(from, &src, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		err_set(e, ERR_RUNTIME, "from", "cannot open \"%s\"", from);
		goto out;
	}
	dst = PQconnectdb(to);
	if (PQstatus(dst) != CONNECTION_OK) {
		err_set(e, ERR_RUNTIME, "to", "cannot connect to PostgreSQL: %s", PQerrorMessage(dst));
		goto out;
	}
	/* One transaction on each side: a snapshot of the source, and all
	 * or nothing on the destination (the writers' lock keeps nodes out). */
	if (sqlite3_exec(src, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    pg_cmd(dst, "BEGIN; SELECT pg_advisory_xact_lock(1112696167);"
			" SET CONSTRAINTS ALL DEFERRED", e))
		goto out;
	{
		int64_t orgs = pg_count(dst, "orgs", e), audit = pg_count(dst, "audit", e);

		if (orgs < 0 || audit < 0)
			goto out;
		if (orgs || audit) {
			err_set(e, ERR_CONFLICT, "to",
				"the PostgreSQL register is not empty (%lld organisations, %lld "
				"audit entries)", (long long)orgs, (long long)audit);
			goto out;
		}
	}
	/* What migrations seeded (meta's "rollup_stale") comes from the source. */
	if (pg_cmd(dst, "DELETE FROM meta", e))
		goto out;
	if (sqlite3_prepare_v2(src, "SELECT name FROM sqlite_master WHERE type = 'table'"
				    " AND name NOT LIKE 'sqlite_%' ORDER BY name",
			       -1, &tables, NULL) != SQLITE_OK) {
		err_set(e, ERR_RUNTIME, "from", "%s", sqlite3_errmsg(src));
		goto out;
	}
	while ((rc = sqlite3_step(tables)) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tables, 0);
		char sql[256];
		int64_t rows = 0, copied;

		if (copy_table(src, dst, t, &rows, e))
			goto out;
		copied = pg_count(dst, t, e);
		if (copied < 0)
			goto out;
		if (copied != rows) {
			err_set(e, ERR_RUNTIME, "to", "table \"%s\": %lld rows read, %lld stored", t,
				(long long)rows, (long long)copied);
			goto out;
		}
		/* Ids given by the copy: the identity goes on after them. */
		snprintf(sql, sizeof sql,
			 "SELECT setval(pg_get_serial_sequence('\"%s\"', 'id'), max(id))"
			 " FROM \"%s\" HAVING max(id) IS NOT NULL AND"
			 " pg_get_serial_sequence('\"%s\"', 'id') IS NOT NULL",
			 t, t, t);
		{
			PGresult *r = PQexecParams(dst,
						   "SELECT 1 FROM information_schema.columns WHERE"
						   " table_name = $1 AND column_name = 'id' AND"
						   " is_identity = 'YES'",
						   1, NULL, &t, NULL, NULL, 0);
			bool identity = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0;

			PQclear(r);
			if (identity && pg_cmd(dst, sql, e))
				goto out;
		}
		if (*n < max) {
			snprintf(counts[*n].table, sizeof counts[*n].table, "%s", t);
			counts[*n].rows = rows;
			(*n)++;
		}
	}
	if (rc != SQLITE_DONE) {
		err_set(e, ERR_RUNTIME, "from", "%s", sqlite3_errmsg(src));
		goto out;
	}
	if (pg_cmd(dst, "COMMIT", e))
		goto out;
	ret = 0;
out:
	sqlite3_finalize(tables);
	if (src) {
		sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_close(src);
	}
	if (dst) {
		if (PQtransactionStatus(dst) != PQTRANS_IDLE)
			pg_cmd(dst, "ROLLBACK", NULL);
		PQfinish(dst);
	}
	return ret;
}
