/* err: error values (see err.h). */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->kind = ERR_NONE;
	e->field[0] = '\0';
	e->msg[0] = '\0';
}

int err_set(struct err *e, enum err_kind kind, const char *field, const char *fmt, ...)
{
	if (!e)
		return -1;
	va_list ap;
	e->kind = kind;
	snprintf(e->field, sizeof e->field, "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -1;
}

const char *err_kind_name(enum err_kind kind)
{
	switch (kind) {
	case ERR_NONE:
		return "ok";
	case ERR_INVALID:
		return "invalid";
	case ERR_NOT_FOUND:
		return "not-found";
	case ERR_CONFLICT:
		return "conflict";
	case ERR_FORBIDDEN:
		return "forbidden";
	case ERR_RUNTIME:
		return "runtime";
	}
	return "unknown";
}
