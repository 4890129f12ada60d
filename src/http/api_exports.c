/* api_exports: GET /api/v1/exports/{format} (SPEC 5, 6.2): CSV, JSON or
 * VERIS JSON of the incidents matching org, from and to, built in memory
 * and sent as an attachment. The registry authorises (security; an
 * analyst always gets pseudonyms), pseudonymises and audits. XLSX is
 * written by the CLI only: libxlsxwriter needs a file, and is linked into
 * the breachreg program alone. */
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/export.h"
#include "core/jsonx.h"
#include "http/http.h"
#include "service/registry.h"

static int parse_when(const char *v, const char *field, bool end, ts_t *out, struct err *e)
{
	if (date_parse_bound(v, end, out) == 0)
		return 0;
	return err_set(e, ERR_INVALID, field, "\"%s\" must be a date YYYY-MM-DD or a UTC time",
		       field);
}

static const struct {
	const char *text;
	bool value;
} bools[] = {{"true", true}, {"1", true}, {"yes", true}, {"false", false}, {"0", false},
	     {"no", false}};

static int parse_bool(const char *v, const char *field, bool *out, struct err *e)
{
	for (size_t i = 0; i < sizeof bools / sizeof bools[0]; i++)
		if (strcmp(v, bools[i].text) == 0) {
			*out = bools[i].value;
			return 0;
		}
	return err_set(e, ERR_INVALID, field, "\"%s\" must be true or false", field);
}

static int parse_query(struct req *r, struct incident_filter *f, bool *pseudonymise,
		       struct err *e)
{
	const char *v;
	incident_filter_init(f);
	*pseudonymise = false;
	if ((v = req_arg(r, "org"))) {
		if (!jsonx_is_code(v))
			return err_set(e, ERR_INVALID, "org", "invalid organisation code");
		snprintf(f->org, sizeof f->org, "%s", v);
	}
	if ((v = req_arg(r, "from")) && parse_when(v, "from", false, &f->from, e))
		return -1;
	if ((v = req_arg(r, "to")) && parse_when(v, "to", true, &f->to, e))
		return -1;
	if ((v = req_arg(r, "pseudonymise")) && parse_bool(v, "pseudonymise", pseudonymise, e))
		return -1;
	return 0;
}

static int add_cb(const struct record *rec, void *ctx)
{
	export_add(ctx, rec);
	return 0;
}

enum MHD_Result api_export(struct req *r)
{
	struct err e = {0};
	struct incident_filter f;
	struct export_writer w;
	struct buf body = BUF_INIT;
	bool pseudonymise;
	int64_t count = 0;
	char names[64], day[TS_BUF];
	enum MHD_Result ret;
	int fmt = vocab_parse(&export_formats, r->params[0]);

	vocab_list(&export_formats, names, sizeof names);
	if (fmt < 0) {
		err_set(&e, ERR_INVALID, "format",
			"invalid value \"%.40s\" for \"format\": one of %s", r->params[0], names);
		return reply_err(r, &e);
	}
	if (fmt == EXPORT_XLSX) {
		err_set(&e, ERR_INVALID, "format",
			"\"xlsx\" is exported by the command line only; here one of csv, json, veris");
		return reply_err(r, &e);
	}
	if (parse_query(r, &f, &pseudonymise, &e) ||
	    export_begin(&w, (enum export_format)fmt, &body, &e) ||
	    registry_export(r->store, &r->actor, &f, r->params[0], pseudonymise, r->now, add_cb, &w,
			    &count, &e)) {
		buf_release(&body);
		return reply_err(r, &e);
	}
	export_end(&w);
	date_format_ts(r->now, day);
	day[10] = '\0';
	r->disposition = arena_printf(&r->arena, "attachment; filename=\"breachreg-%s.%s\"", day,
				      export_extension((enum export_format)fmt));
	ret = reply_text(r, 200, export_media_type((enum export_format)fmt), buf_str(&body),
			 body.len);
	buf_release(&body);
	return ret;
}
