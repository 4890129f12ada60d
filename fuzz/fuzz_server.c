/* fuzz_server: bytes as a raw HTTP request to the real server, started
 * in this process (server_run on a thread, the tests' fixed clock) on a
 * free loopback port against the register of common.c. Each input is
 * written on a new TCP connection, the write side is shut, and the reply
 * is read to the end: libmicrohttpd's parsing and ours (routing,
 * authentication, query strings, bodies, every handler and the services
 * under them) on real sockets. "@token@", "@sid@" and "@csrf@" in the
 * input become the fuzz account's secrets (common.c).
 *
 * libmicrohttpd (0.9.75, epoll, edge-triggered) misses a FIN that comes
 * in with the request's last bytes and would wait for more until its
 * idle timeout; so the write side is shut only once the server's end of
 * the connection (found in this process: the socket whose peer is the
 * client's port) has no unread bytes left. A connection then ends
 * without waiting on any clock: a complete request is answered, an
 * incomplete one is dropped at the FIN.
 *
 * Each input meets the same register: when a request wrote to it (seen
 * by PRAGMA data_version on the harness's own connection), every table
 * is copied back from a snapshot taken after setup, once the reply has
 * been read (writes are durable before their reply is sent). What stays
 * between inputs is the server's memory: metrics counters and the
 * sign-in throttle by address (after 20 failed sign-ins from 127.0.0.1
 * further ones are refused with 429).
 *
 * Oracles: the server ends every connection within 5 seconds and never
 * answers 500 (a store or server failure that no input, well-formed or
 * not, may cause). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "core/alloc.h"
#include "http/server.h"
#include "service/registry.h"

#define REPLY_TIMEOUT_MS 5000

static struct server_config cfg;
static char listen_at[32];
static struct sockaddr_in addr;
static pthread_t server_thread;
static sigset_t stop;
static sqlite3 *db; /* the harness's connection, snapshot attached as "snap" */
static char snap_path[128];
static int64_t data_version;
static char **tables;
static size_t ntables;

static void die(const char *what)
{
	fprintf(stderr, "fuzz_server: %s (%s)\n", what, strerror(errno));
	abort();
}

static void *serve(void *arg)
{
	struct err e = {0};

	(void)arg;
	if (server_run(&cfg, &stop, &e))
		fuzz_die("server_run", &e);
	return NULL;
}

static void stop_server(void)
{
	pthread_kill(server_thread, SIGRTMIN + 1);
	pthread_join(server_thread, NULL);
	sqlite3_close(db);
	unlink(snap_path);
	for (size_t i = 0; i < ntables; i++)
		free(tables[i]);
	free(tables);
}

/* A port free now (the kernel's pick for port 0), for the server. */
static unsigned free_port(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof sa) ||
	    getsockname(fd, (struct sockaddr *)&sa, &len))
		die("free port");
	close(fd);
	return ntohs(sa.sin_port);
}

static int connect_server(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket");
	if (connect(fd, (struct sockaddr *)&addr, sizeof addr)) {
		close(fd);
		return -1;
	}
	return fd;
}

static void exec_sql(const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		fprintf(stderr, "fuzz_server: %s: %s\n", sql, msg);
		abort();
	}
}

static int64_t version_now(void)
{
	sqlite3_stmt *st = NULL;
	int64_t v;

	if (sqlite3_prepare_v2(db, "PRAGMA data_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		die("data_version");
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Copies the register as it is now to snap_path and keeps the names of
 * its tables. */
static void snapshot(const char *path)
{
	sqlite3_stmt *st = NULL;
	char sql[256];

	snprintf(snap_path, sizeof snap_path, "%s.snapshot", path);
	unlink(snap_path);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die("open the register");
	sqlite3_busy_timeout(db, 5000);
	snprintf(sql, sizeof sql, "VACUUM INTO '%s'", snap_path);
	exec_sql(sql);
	snprintf(sql, sizeof sql, "ATTACH '%s' AS snap", snap_path);
	exec_sql(sql);
	exec_sql("PRAGMA synchronous = OFF");
	if (sqlite3_prepare_v2(db,
			       "SELECT name FROM snap.sqlite_master WHERE type = 'table' "
			       "AND name NOT IN ('sqlite_stat1', 'sqlite_stat4')",
			       -1, &st, NULL) != SQLITE_OK)
		die("list tables");
	while (sqlite3_step(st) == SQLITE_ROW) {
		tables = xrealloc(tables, (ntables + 1) * sizeof *tables);
		tables[ntables++] = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	data_version = version_now();
}

/* Puts every table back as the snapshot has it, if anything was written. */
static void restore(void)
{
	char sql[512];

	if (version_now() == data_version)
		return;
	exec_sql("BEGIN IMMEDIATE");
	for (size_t i = 0; i < ntables; i++) {
		snprintf(
		    sql, sizeof sql,
		    "DELETE FROM main.\"%s\"; INSERT INTO main.\"%s\" SELECT * FROM snap.\"%s\"",
		    tables[i], tables[i], tables[i]);
		exec_sql(sql);
	}
	exec_sql("COMMIT");
	data_version = version_now();
}

/* One incident, so that the paths naming SB-2030-000001 find it. */
static void seed_incident(struct store *s)
{
	struct incident inc;
	struct err e = {0};
	json_t *in = json_pack("{s:s, s:[s], s:s, s:s, s:[s], s:s}", "org", "hmcts", "types",
			       "workstation-unlocked", "description", "Workstation left unlocked",
			       "reporter", "R3001", "subjects", "S2001", "discovered_at",
			       "2030-03-01T09:00:00Z");

	incident_init(&inc);
	if (registry_report(s, fuzz_system(), in, fuzz_now(), &inc, &e))
		fuzz_die("seed incident", &e);
	incident_release(&inc);
	json_decref(in);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *path;
	struct store *s;
	sigset_t old;

	(void)argc;
	(void)argv;
	fuzz_init();
	s = fuzz_store(&path);
	fuzz_accounts();
	seed_incident(s);
	snapshot(path);

	server_config_init(&cfg);
	cfg.db = path;
	snprintf(listen_at, sizeof listen_at, "127.0.0.1:%u", free_port());
	cfg.listen = listen_at;
	cfg.threads = 1;
	cfg.timeout_s = 5;
	cfg.fixed_now = fuzz_now();
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = htons((uint16_t)atoi(strchr(listen_at, ':') + 1));

	/* server_run waits for the stop signal: blocked in its threads only
	 * (they inherit the mask), and sent by stop_server at exit. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGRTMIN + 1);
	pthread_sigmask(SIG_BLOCK, &stop, &old);
	if (pthread_create(&server_thread, NULL, serve, NULL))
		die("pthread_create");
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	for (int i = 0;; i++) {
		int fd = connect_server();

		if (fd >= 0) {
			close(fd);
			break;
		}
		if (i == 500)
			die("the server did not start");
		usleep(10000);
	}
	atexit(stop_server);
	return 0;
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return; /* the server closed early (a 413, a bad request line) */
		}
		p += w;
		n -= (size_t)w;
	}
}

/* Reads the reply to the end; how many bytes, its first 12 in status. */
static size_t read_reply(int fd, char status[13])
{
	char buf[16384];
	size_t got = 0;

	memset(status, 0, 13);
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int rc = poll(&p, 1, REPLY_TIMEOUT_MS);
		ssize_t n;

		if (rc < 0 && errno == EINTR)
			continue;
		if (rc == 0) {
			fprintf(stderr,
				"fuzz_server: no end of reply after %d ms (%zu bytes: %.12s)\n",
				REPLY_TIMEOUT_MS, got, status);
			abort();
		}
		n = recv(fd, buf, sizeof buf, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return got;
		if (got < 12)
			memcpy(status + got, buf, (size_t)n < 12 - got ? (size_t)n : 12 - got);
		got += (size_t)n;
	}
}

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The server's end of the connection from client port `port`, or -1. */
static int server_end(int client_fd, uint16_t port)
{
	for (int fd = 3; fd < client_fd + 64; fd++) {
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;

		if (fd != client_fd && getpeername(fd, (struct sockaddr *)&peer, &len) == 0 &&
		    peer.sin_family == AF_INET && peer.sin_port == port &&
		    peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK))
			return fd;
	}
	return -1;
}

/* Whether a reply or the server's FIN is waiting on fd. */
static bool replied(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};

	return poll(&p, 1, 0) > 0;
}

/* Returns once the server has read every byte sent on fd, or has closed
 * its end (then the reply, if any, is waiting on fd). */
static void await_read(int fd)
{
	struct sockaddr_in me;
	socklen_t len = sizeof me;
	int64_t until = now_ms() + REPLY_TIMEOUT_MS;
	bool seen = false;

	if (getsockname(fd, (struct sockaddr *)&me, &len))
		die("getsockname");
	for (;;) {
		int sfd = server_end(fd, me.sin_port), unread = 0;

		if (sfd >= 0 && ioctl(sfd, FIONREAD, &unread) == 0 && unread == 0)
			return;
		if (sfd < 0 && (seen || replied(fd)))
			return; /* answered and closed, or dropped */
		seen |= sfd >= 0;
		if (now_ms() > until) {
			fprintf(stderr, "fuzz_server: the server left %d bytes unread for %d ms\n",
				unread, REPLY_TIMEOUT_MS);
			abort();
		}
		sched_yield();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t len;
	char *req = fuzz_substitute(data, size, &len);
	char status[13];
	int fd = connect_server();

	if (fd < 0)
		die("connect");
	write_all(fd, req, len);
	await_read(fd);
	shutdown(fd, SHUT_WR);
	read_reply(fd, status);
	close(fd);
	free(req);
	if (strncmp(status, "HTTP/1.", 7) == 0 && strncmp(status + 9, "500", 3) == 0) {
		fprintf(stderr, "fuzz_server: the server answered %.12s\n", status);
		abort();
	}
	restore();
	return 0;
}
