/* serve: the HTTP server (SPEC 6.2). SIGTERM and SIGINT are blocked in
 * every thread and taken by server_run with sigtimedwait, which then drains. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/server.h"
#include "service/registry.h"

#define SERVE_CACHE_BYTES (8 * 1024 * 1024)
/* glibc gives each thread that contends for malloc an arena of its own
 * (up to 8 per core), and each arena keeps its own free space: with a
 * worker pool the heap's resident size then depends on how the load
 * happened to fall on the threads. Two arenas are enough for a pool of
 * workers that mostly wait on SQLite. */
#define SERVE_MALLOC_ARENAS 2

/* free() keeps the pages of freed memory inside an arena resident, so
 * the heap's RSS is the highest it ever was, however little is in use
 * now; every few seconds, give those pages back. */
static void serve_tick(void)
{
	malloc_trim(0);
}

CLI_COMMAND(serve)
{
	struct err e = {0};
	struct server_config cfg;
	struct actor a;
	struct store *s;
	const char *v, *access = NULL;
	sigset_t stop;
	FILE *alog = NULL;
	int ret;

	server_config_init(&cfg);
	cfg.db = c->db;
	for (int i = 1; i < argc; i++) {
		int r;
		if ((r = cli_opt(argc, argv, &i, "--listen", &v)) > 0) {
			cfg.listen = v;
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--threads", &v)) > 0) {
			char *end;
			long n = strtol(v, &end, 10);
			if (!*v || *end || n < 1 || n > 256)
				return err_set(&e, ERR_INVALID, "threads", "\"threads\" must be 1 to 256"),
				       cli_fail(&e);
			cfg.threads = (int)n;
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--access-log", &v)) > 0) {
			access = v;
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--max-body", &v)) > 0) {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (!*v || *end || n < 1024)
				return err_set(&e, ERR_INVALID, "max-body", "\"max-body\" must be at least 1024 bytes"),
				       cli_fail(&e);
			cfg.max_body = (size_t)n;
		}
		if (r <= 0)
			return cli_usage("serve", r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					 argv[i]);
	}
	/* Before any thread starts: arenas are made on first contention. */
	mallopt(M_ARENA_MAX, SERVE_MALLOC_ARENAS);
	/* Every connection's page cache shares one budget (8 MiB), reserved
	 * now, so the server's memory is level from the start however large
	 * the register grows. */
	if (store_memory_limit(SERVE_CACHE_BYTES, &e))
		return cli_fail(&e);
	/* The register must exist and be current before anyone connects. */
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_init(s, &a, c->now, &e))
		return cli_fail(&e);
	if (access) {
		alog = strcmp(access, "-") == 0 ? stdout : fopen(access, "a");
		if (!alog)
			return err_set(&e, ERR_INVALID, "access-log", "cannot open \"%s\": %s", access,
				       strerror(errno)),
			       cli_fail(&e);
		cfg.access_log = alog;
	}
	cfg.error_log = stderr;
	cfg.tick = serve_tick;
	if (c->clock_fixed)
		cfg.fixed_now = c->now;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	ret = server_run(&cfg, &stop, &e) ? cli_fail(&e) : EXIT_OK;
	if (alog && alog != stdout)
		fclose(alog);
	return ret;
}
