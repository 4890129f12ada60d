/* log: JSON-lines logging (see log.h). */
#include "http/log.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "core/jsonx.h"

static const char *const level_names[] = {"debug", "info", "warn", "error"};

static void put(FILE *f, json_t *o)
{
	char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (s) {
		fprintf(f, "%s\n", s);
		fflush(f);
		free(s);
	}
	json_decref(o);
}

void log_error(const struct log *l, enum log_level level, const char *event, const char *fmt, ...)
{
	char msg[1024], at[TS_BUF];
	va_list ap;
	if (!l->error || level < l->level)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	date_format_ts((ts_t)time(NULL), at);
	put(l->error, json_pack("{s:s, s:s, s:s, s:o}", "ts", at, "level", level_names[level],
				"event", event, "msg", jsonx_text_value(msg)));
}

void log_access(const struct log *l, ts_t at, const char *ip, const char *method,
		const char *path, const char *route, unsigned status, size_t bytes, double ms,
		const char *actor)
{
	char ts[TS_BUF];
	if (!l->access)
		return;
	date_format_ts(at, ts);
	/* Method and path are the client's bytes: a line jansson refused
	 * would be a request missing from the log. */
	put(l->access, json_pack("{s:s, s:s, s:o, s:o, s:s, s:i, s:I, s:f, s:s}", "ts", ts, "ip",
				 ip, "method", jsonx_text_value(method), "path",
				 jsonx_text_value(path), "route", route ? route : "-",
				 "status", (int)status, "bytes", (json_int_t)bytes, "ms", ms,
				 "actor", actor && *actor ? actor : "-"));
}
