/* export: the register's exports (SPEC 5) to a file or stdout. CSV, JSON
 * and VERIS stream record by record through a buffer (core/export.h);
 * XLSX is a workbook of three sheets written with libxlsxwriter: the
 * incidents (the CSV's columns), the decisions (one row per decided
 * subject) and the trends (incidents by month and organisation, counted
 * from the records walked). Every sheet carries SPEC 7's marking at top
 * and bottom: the highest its rows may carry, as the JSON document does,
 * since the top is written before the rows are known.
 *
 * With --out the export is written beside FILE under a temporary name
 * (mode 0600: the content is OFFICIAL-SENSITIVE) and renamed into place
 * only when whole, so a failed export never leaves half a file. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "core/buf.h"
#include "core/export.h"
#include "core/jsonx.h"
#include "service/registry.h"

/* Text is handed to the FILE in pieces of about this size. */
#define FLUSH_AT (64 * 1024)

/* One cell of the trends sheet. */
struct trend_row {
	char month[8]; /* YYYY-MM of reported_at */
	char org[CODE_MAX];
	int64_t incidents, breaches, near_misses, personal;
};

struct xlsx {
	lxw_workbook *wb;
	lxw_worksheet *incidents, *decisions, *trends;
	lxw_format *bold;
	lxw_row_t inc_row, dec_row;
	struct trend_row *rows;
	size_t nrows, cap;
};

struct export_run {
	enum export_format format;
	struct export_writer w;
	struct buf b;
	FILE *out;
	const char *out_name; /* for messages: the --out path or "stdout" */
	struct xlsx x;
	struct err err; /* why the walk was stopped, if it was */
};

static const char *const decision_columns[] = {
	"ref", "subject", "engagement", "decided_severity", "outcome", "decided_at", "notice",
};
static const char *const trend_columns[] = {
	"month", "org", "incidents", "breaches", "near_misses", "with_personal_data",
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int parse_range(const char *v, const char *field, bool end, ts_t *out, struct err *e)
{
	if (date_parse_bound(v, end, out) == 0)
		return 0;
	return err_set(e, ERR_INVALID, field, "\"%s\" must be a date YYYY-MM-DD or a UTC time",
		       field);
}

/* ---- text formats ---- */

static int flush(struct export_run *x)
{
	if (x->b.len && fwrite(x->b.data, 1, x->b.len, x->out) != x->b.len)
		return err_set(&x->err, ERR_RUNTIME, "out", "cannot write \"%s\": %s", x->out_name,
			       strerror(errno));
	buf_reset(&x->b);
	return 0;
}

/* ---- XLSX ---- */

static int xlsx_check(struct export_run *x, lxw_error rc)
{
	if (rc == LXW_NO_ERROR)
		return 0;
	return err_set(&x->err, ERR_RUNTIME, "out", "cannot write \"%s\": %s", x->out_name,
		       lxw_strerror(rc));
}

static int xlsx_text(struct export_run *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
		     const char *s, lxw_format *fmt)
{
	/* An empty string would still make a cell; leave it blank. */
	if (!s || !*s)
		return 0;
	return xlsx_check(x, worksheet_write_string(ws, row, col, s, fmt));
}

/* The marking row and the header row of a sheet; data starts at row 2. */
static int xlsx_head(struct export_run *x, lxw_worksheet *ws, const char *const *names,
		     size_t n)
{
	if (xlsx_text(x, ws, 0, 0, EXPORT_MARKING_PERSONAL, x->x.bold))
		return -1;
	for (size_t i = 0; i < n; i++)
		if (xlsx_text(x, ws, 1, (lxw_col_t)i, names[i], x->x.bold))
			return -1;
	worksheet_freeze_panes(ws, 2, 0);
	return 0;
}

static int xlsx_open(struct export_run *x, const char *path)
{
	static const char *const sheet_names[] = {"incidents", "decisions", "trends"};
	const char *inc_names[64];
	size_t ncols = export_column_count();
	lxw_workbook_options opt = {.constant_memory = LXW_TRUE};

	/* Rows are written in order, so the workbook needs no more memory
	 * than a row whatever the register's size. */
	x->x.wb = workbook_new_opt(path, &opt);
	if (!x->x.wb)
		return err_set(&x->err, ERR_RUNTIME, "out", "cannot create \"%s\"", x->out_name);
	x->x.bold = workbook_add_format(x->x.wb);
	format_set_bold(x->x.bold);
	x->x.incidents = workbook_add_worksheet(x->x.wb, sheet_names[0]);
	x->x.decisions = workbook_add_worksheet(x->x.wb, sheet_names[1]);
	x->x.trends = workbook_add_worksheet(x->x.wb, sheet_names[2]);
	if (!x->x.incidents || !x->x.decisions || !x->x.trends || ncols > N_ELEMS(inc_names))
		return err_set(&x->err, ERR_RUNTIME, "out", "cannot create \"%s\"", x->out_name);
	for (size_t i = 0; i < ncols; i++)
		inc_names[i] = export_column_name(i);
	if (xlsx_head(x, x->x.incidents, inc_names, ncols) ||
	    xlsx_head(x, x->x.decisions, decision_columns, N_ELEMS(decision_columns)) ||
	    xlsx_head(x, x->x.trends, trend_columns, N_ELEMS(trend_columns)))
		return -1;
	x->x.inc_row = x->x.dec_row = 2;
	return 0;
}

static struct trend_row *trend_row(struct xlsx *xl, const char *month, const char *org)
{
	for (size_t i = 0; i < xl->nrows; i++)
		if (strcmp(xl->rows[i].month, month) == 0 && strcmp(xl->rows[i].org, org) == 0)
			return &xl->rows[i];
	if (xl->nrows == xl->cap) {
		xl->cap = xl->cap ? 2 * xl->cap : 64;
		xl->rows = xrealloc(xl->rows, xl->cap * sizeof *xl->rows);
	}
	struct trend_row *t = &xl->rows[xl->nrows++];
	memset(t, 0, sizeof *t);
	snprintf(t->month, sizeof t->month, "%.7s", month);
	snprintf(t->org, sizeof t->org, "%s", org);
	return t;
}

static int xlsx_record(struct export_run *x, const struct record *r)
{
	struct xlsx *xl = &x->x;
	struct buf cell = BUF_INIT;
	int ret = -1;

	for (size_t i = 0; i < export_column_count(); i++) {
		buf_reset(&cell);
		export_cell(r, i, &cell);
		if (export_column_kind(i) == EXPORT_COL_NUMBER && cell.len) {
			if (xlsx_check(x, worksheet_write_number(xl->incidents, xl->inc_row,
								 (lxw_col_t)i,
								 strtod(cell.data, NULL), NULL)))
				goto out;
		} else if (xlsx_text(x, xl->incidents, xl->inc_row, (lxw_col_t)i, buf_str(&cell),
				     NULL)) {
			goto out;
		}
	}
	xl->inc_row++;

	for (int i = 0; i < r->inc.nsubjects; i++) {
		const struct record_subject *s = &r->subjects[i];
		char at[TS_BUF] = "";
		if (s->outcome < 0)
			continue;
		if (s->decided_at != TS_NONE)
			date_format_ts(s->decided_at, at);
		const char *row[] = {
		    r->inc.ref,
		    r->inc.subjects[i],
		    vocab_name(&vocab_engagement, (int)s->engagement),
		    s->decided_severity >= 0 ? vocab_name(&vocab_severity, s->decided_severity)
					     : "",
		    vocab_name(&vocab_outcome, s->outcome),
		    at,
		    s->notice,
		};
		_Static_assert(N_ELEMS(row) == N_ELEMS(decision_columns), "decision row width");
		for (size_t k = 0; k < N_ELEMS(row); k++)
			if (xlsx_text(x, xl->decisions, xl->dec_row, (lxw_col_t)k, row[k], NULL))
				goto out;
		xl->dec_row++;
	}

	char month[TS_BUF];
	date_format_ts(r->inc.reported_at, month);
	month[7] = '\0';
	struct trend_row *t = trend_row(xl, month, r->inc.org);
	t->incidents++;
	t->breaches += r->inc.kind == KIND_BREACH;
	t->near_misses += r->inc.kind == KIND_NEAR_MISS;
	t->personal += record_personal(&r->inc);
	ret = 0;
out:
	buf_release(&cell);
	return ret;
}

static int trend_cmp(const void *a, const void *b)
{
	const struct trend_row *x = a, *y = b;
	int c = strcmp(x->month, y->month);
	return c ? c : strcmp(x->org, y->org);
}

/* The trends sheet and the closing markings; then the file is written. */
static int xlsx_close(struct export_run *x)
{
	struct xlsx *xl = &x->x;
	lxw_row_t row = 2;
	lxw_workbook *wb = xl->wb;

	qsort(xl->rows, xl->nrows, sizeof *xl->rows, trend_cmp);
	for (size_t i = 0; i < xl->nrows; i++, row++) {
		const struct trend_row *t = &xl->rows[i];
		const int64_t counts[] = {t->incidents, t->breaches, t->near_misses, t->personal};
		if (xlsx_text(x, xl->trends, row, 0, t->month, NULL) ||
		    xlsx_text(x, xl->trends, row, 1, t->org, NULL))
			return -1;
		for (size_t k = 0; k < N_ELEMS(counts); k++)
			if (xlsx_check(x,
				       worksheet_write_number(xl->trends, row, (lxw_col_t)(2 + k),
							      (double)counts[k], NULL)))
				return -1;
	}
	if (xlsx_text(x, xl->incidents, xl->inc_row + 1, 0, EXPORT_MARKING_PERSONAL, xl->bold) ||
	    xlsx_text(x, xl->decisions, xl->dec_row + 1, 0, EXPORT_MARKING_PERSONAL, xl->bold) ||
	    xlsx_text(x, xl->trends, row + 1, 0, EXPORT_MARKING_PERSONAL, xl->bold))
		return -1;
	xl->wb = NULL;
	return xlsx_check(x, workbook_close(wb));
}

/* ---- the walk ---- */

static int walk_cb(const struct record *r, void *ctx)
{
	struct export_run *x = ctx;
	if (x->format == EXPORT_XLSX)
		return xlsx_record(x, r);
	export_add(&x->w, r);
	return x->b.len >= FLUSH_AT ? flush(x) : 0;
}

/* A temporary file beside path (same directory, so rename is atomic). */
static char *temp_beside(const char *path, int *fd, struct err *e)
{
	size_t n = strlen(path) + sizeof ".tmp-XXXXXX";
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s.tmp-XXXXXX", path);
	if ((*fd = mkstemp(tmp)) < 0) {
		err_set(e, ERR_INVALID, "out", "cannot create \"%s\": %s", path, strerror(errno));
		free(tmp);
		return NULL;
	}
	return tmp;
}

CLI_COMMAND(export)
{
	struct err e = {0};
	struct incident_filter f;
	struct export_run x = {0};
	struct actor a;
	struct store *s;
	const char *v, *format = NULL, *out = NULL;
	char *tmp = NULL;
	bool pseudonymise = false;
	int64_t count = 0;
	int fd = -1, ret = EXIT_RUNTIME;

	incident_filter_init(&f);
	buf_init(&x.b);
	for (int i = 1; i < argc; i++) {
		int r = 0;
		if ((r = cli_opt(argc, argv, &i, "--out", &v)) > 0) {
			out = v;
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--org", &v)) > 0) {
			if (!jsonx_is_code(v))
				return err_set(&e, ERR_INVALID, "org",
					       "invalid organisation code \"%.64s\"", v),
				       cli_fail(&e);
			snprintf(f.org, sizeof f.org, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--from", &v)) > 0) {
			if (parse_range(v, "from", false, &f.from, &e))
				return cli_fail(&e);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--to", &v)) > 0) {
			if (parse_range(v, "to", true, &f.to, &e))
				return cli_fail(&e);
		} else if (r == 0 && strcmp(argv[i], "--pseudonymise") == 0) {
			pseudonymise = true;
			r = 1;
		} else if (r == 0 && !format && argv[i][0] != '-') {
			format = argv[i];
			r = 1;
		}
		if (r <= 0)
			return cli_usage("export",
					 r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					 argv[i]);
	}
	char names[64];
	vocab_list(&export_formats, names, sizeof names);
	if (!format)
		return err_set(&e, ERR_INVALID, "format", "missing \"format\": one of %s", names),
		       cli_fail(&e);
	int fmt = vocab_parse(&export_formats, format);
	if (fmt < 0)
		return err_set(&e, ERR_INVALID, "format",
			       "invalid value \"%.40s\" for \"format\": one of %s", format, names),
		       cli_fail(&e);
	x.format = (enum export_format)fmt;
	if (x.format == EXPORT_XLSX && !out)
		return err_set(&e, ERR_INVALID, "out", "an xlsx export needs \"--out FILE\""),
		       cli_fail(&e);
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);

	x.out = stdout;
	x.out_name = out ? out : "stdout";
	if (out && !(tmp = temp_beside(out, &fd, &e)))
		goto fail;
	if (x.format == EXPORT_XLSX) {
		close(fd); /* libxlsxwriter writes the (0600) file by its name */
		fd = -1;
		if (xlsx_open(&x, tmp))
			goto fail_run;
	} else {
		if (out) {
			if (!(x.out = fdopen(fd, "wb"))) {
				err_set(&e, ERR_RUNTIME, "out", "cannot open \"%s\": %s", out,
					strerror(errno));
				goto fail;
			}
			fd = -1;
		}
		if (export_begin(&x.w, x.format, &x.b, &e))
			goto fail;
	}

	cli_actor(c, &a);
	if (registry_export(s, &a, &f, vocab_name(&export_formats, fmt), pseudonymise, c->now,
			    walk_cb, &x, &count, &e)) {
		if (x.err.kind != ERR_NONE)
			goto fail_run;
		goto fail;
	}
	if (x.format == EXPORT_XLSX) {
		if (xlsx_close(&x))
			goto fail_run;
	} else {
		export_end(&x.w);
		if (flush(&x))
			goto fail_run;
		if (fflush(x.out) != 0 || ferror(x.out)) {
			err_set(&x.err, ERR_RUNTIME, "out", "cannot write \"%s\": %s", x.out_name,
				strerror(errno));
			goto fail_run;
		}
	}
	if (out) {
		if (x.out != stdout) {
			FILE *fp = x.out;
			int synced = fsync(fileno(fp));
			x.out = stdout;
			if (fclose(fp) != 0 || synced != 0) {
				err_set(&x.err, ERR_RUNTIME, "out", "cannot write \"%s\": %s", out,
					strerror(errno));
				goto fail_run;
			}
		}
		if (rename(tmp, out) != 0) {
			err_set(&x.err, ERR_RUNTIME, "out", "cannot write \"%s\": %s", out,
				strerror(errno));
			goto fail_run;
		}
		free(tmp);
		tmp = NULL;
		fprintf(stderr, "exported %lld incident%s to %s\n", (long long)count,
			count == 1 ? "" : "s", out);
	}
	ret = EXIT_OK;
	goto out;

fail_run:
	e = x.err;
fail:
	ret = cli_fail(&e);
out:
	if (x.x.wb)
		workbook_close(x.x.wb); /* frees it; the temporary file goes below */
	free(x.x.rows);
	if (x.out && x.out != stdout)
		fclose(x.out);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	buf_release(&x.b);
	return ret;
}
