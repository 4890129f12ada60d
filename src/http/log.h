/* log: the server's logs, as JSON lines: an access log (one line per
 * request) apart from the error log (levelled, checked before anything is
 * formatted). stdio locks each FILE, so lines from worker threads never
 * interleave. */
#ifndef BR_LOG_H
#define BR_LOG_H
#include <stdio.h>

#include "core/date.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct log {
	FILE *access; /* NULL: no access log */
	FILE *error;  /* NULL: no error log */
	enum log_level level;
};

void log_error(const struct log *l, enum log_level level, const char *event, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void log_access(const struct log *l, ts_t at, const char *ip, const char *method,
		const char *path, const char *route, unsigned status, size_t bytes, double ms,
		const char *actor);

#endif
