/* server: `breachreg serve`, the HTTP JSON API on libmicrohttpd (its
 * internal epoll thread pool). */
#ifndef BR_SERVER_H
#define BR_SERVER_H
#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "core/date.h"
#include "core/err.h"

struct server_config {
	const char *db;       /* store URL */
	const char *listen;   /* "127.0.0.1:8080" */
	int threads;          /* worker threads (each with its own store connection) */
	size_t max_body;      /* bytes; larger requests get 413 */
	unsigned conn_limit;  /* concurrent connections */
	unsigned timeout_s;   /* idle connection timeout */
	FILE *access_log;     /* JSON lines, or NULL */
	FILE *error_log;      /* JSON lines, or NULL */
	ts_t fixed_now;       /* TS_NONE: the real clock (tests fix it) */
	/* Called every tick_s seconds (default 5) on the thread that waits
	 * for the stop signal, never during a request's own work; NULL: none.
	 * The program's own upkeep (serve gives the C heap's free pages back). */
	void (*tick)(void);
	unsigned tick_s;
};

void server_config_init(struct server_config *c);
/* Runs until one of the signals in `stop` (blocked by the caller in every
 * thread) arrives: then stops accepting, lets in-flight requests finish,
 * and closes the store. Prints the listening URL to stdout once ready. */
int server_run(const struct server_config *c, const sigset_t *stop, struct err *e);

#endif
