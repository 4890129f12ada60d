/* server: the libmicrohttpd daemon, the request lifecycle (body limits,
 * routing, authentication, security headers, access log, metrics), the
 * store connection pool and graceful shutdown (see server.h, http.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "http/http.h"
#include "http/log.h"
#include "http/web.h"
#include "service/accounts.h"
#include "service/registry.h"
#include "service/writeq.h"

#define THROTTLE_SLOTS 1024
#define THROTTLE_WINDOW 900 /* seconds */
#define THROTTLE_MAX 20     /* failed sign-ins per address per window */

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct store **free;
	size_t nfree, n;
};

struct throttle_slot {
	char ip[64];
	int fails;
	ts_t since;
};

struct server {
	const struct server_config *cfg;
	struct MHD_Daemon *d;
	struct pool pool;
	struct metrics *metrics;
	struct views *views;
	struct log log;
	pthread_mutex_t write_mu; /* shared by the pool's connections (store.h) */
	struct writeq *writeq;
	pthread_mutex_t throttle_mu;
	struct throttle_slot throttle[THROTTLE_SLOTS];
	atomic_long connections;
};

void server_config_init(struct server_config *c)
{
	memset(c, 0, sizeof *c);
	c->db = "breachreg.db";
	c->listen = "127.0.0.1:8080";
	c->threads = 4;
	c->max_body = 1024 * 1024;
	c->conn_limit = 512;
	c->timeout_s = 30;
	c->fixed_now = TS_NONE;
	c->tick_s = 5;
}

static int64_t now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* ---- store pool: one connection per worker, checked out per request ---- */

struct store *server_store_get(struct server *s)
{
	struct store *st;
	pthread_mutex_lock(&s->pool.mu);
	while (s->pool.nfree == 0)
		pthread_cond_wait(&s->pool.cv, &s->pool.mu);
	st = s->pool.free[--s->pool.nfree];
	pthread_mutex_unlock(&s->pool.mu);
	return st;
}

void server_store_put(struct server *s, struct store *st)
{
	pthread_mutex_lock(&s->pool.mu);
	s->pool.free[s->pool.nfree++] = st;
	pthread_cond_signal(&s->pool.cv);
	pthread_mutex_unlock(&s->pool.mu);
}

struct metrics *server_metrics(struct server *s)
{
	return s->metrics;
}

struct views *server_views(struct server *s)
{
	return s->views;
}

int64_t server_connections(struct server *s)
{
	return atomic_load(&s->connections);
}

/* ---- sign-in throttling by client address (accounts lock themselves) ---- */

static struct throttle_slot *slot_for(struct server *s, const char *ip)
{
	unsigned h = 2166136261u;
	for (const char *p = ip; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &s->throttle[h % THROTTLE_SLOTS];
}

bool server_login_throttled(struct server *s, const char *ip, ts_t now)
{
	bool hit;
	pthread_mutex_lock(&s->throttle_mu);
	struct throttle_slot *t = slot_for(s, ip);
	hit = strcmp(t->ip, ip) == 0 && now - t->since < THROTTLE_WINDOW && t->fails >= THROTTLE_MAX;
	pthread_mutex_unlock(&s->throttle_mu);
	return hit;
}

void server_login_failed(struct server *s, const char *ip, ts_t now)
{
	pthread_mutex_lock(&s->throttle_mu);
	struct throttle_slot *t = slot_for(s, ip);
	if (strcmp(t->ip, ip) != 0 || now - t->since >= THROTTLE_WINDOW) {
		snprintf(t->ip, sizeof t->ip, "%s", ip);
		t->fails = 0;
		t->since = now;
	}
	t->fails++;
	pthread_mutex_unlock(&s->throttle_mu);
}

/* ---- responses ---- */

static const char *reason(unsigned status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

enum MHD_Result reply_text(struct req *r, unsigned status, const char *type, const char *body,
			   size_t len)
{
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(len, (void *)body,
						r->body_static ? MHD_RESPMEM_PERSISTENT
							       : MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", type);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
				r->csp ? r->csp : "default-src 'none'; frame-ancestors 'none'");
	MHD_add_response_header(resp, "Cache-Control",
				r->cache_control ? r->cache_control : "no-store");
	if (r->etag)
		MHD_add_response_header(resp, "ETag", r->etag);
	if (status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"breachreg\"");
	if (r->set_cookie)
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (r->location)
		MHD_add_response_header(resp, "Location", r->location);
	if (r->disposition)
		MHD_add_response_header(resp, "Content-Disposition", r->disposition);
	if (status == 405 && r->allow[0])
		MHD_add_response_header(resp, "Allow", r->allow);
	r->status = status;
	r->sent = len;
	enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result reply_json(struct req *r, unsigned status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(body);
	if (!s)
		return reply_text(r, 500, "text/plain", "", 0);
	enum MHD_Result ret = reply_text(r, status, "application/json", s, strlen(s));
	free(s);
	return ret;
}

enum MHD_Result reply_problem(struct req *r, unsigned status, const char *title,
			      const char *field, const char *detail)
{
	/* The detail, the field and the path may quote the client's bytes. */
	json_t *p = json_pack("{s:s, s:o, s:i, s:o}", "type", "about:blank", "title",
			      jsonx_text_value(title ? title : reason(status)), "status",
			      (int)status, "detail", jsonx_text_value(detail ? detail : reason(status)));
	if (field && *field)
		json_object_set_new(p, "field", jsonx_text_value(field));
	json_object_set_new(p, "instance", jsonx_text_value(r->url));
	char *s = json_dumps(p, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(p);
	enum MHD_Result ret = reply_text(r, status, "application/problem+json", s, strlen(s));
	free(s);
	return ret;
}

void req_log_error(struct req *r, const struct err *e)
{
	log_error(&r->srv->log, LOG_ERROR, "request", "%s %s: %s: %s", r->method, r->url, e->field,
		  e->msg);
}

enum MHD_Result reply_err(struct req *r, const struct err *e)
{
	unsigned status;
	switch (e->kind) {
	case ERR_INVALID:
		status = r->unsupported_media ? 415 : 400;
		break;
	case ERR_NOT_FOUND:
		status = 404;
		break;
	case ERR_CONFLICT:
		status = 409;
		break;
	case ERR_FORBIDDEN:
		status = 403;
		break;
	default:
		log_error(&r->srv->log, LOG_ERROR, "request", "%s %s: %s: %s", r->method, r->url,
			  e->field, e->msg);
		return reply_problem(r, 500, NULL, NULL, "the request could not be completed");
	}
	return reply_problem(r, status, NULL, e->field, e->msg);
}

static void write_done(void *ctx, int rc, const struct err *e)
{
	struct req *r = ctx;
	r->job_rc = rc;
	if (rc)
		r->job_err = *e;
	/* The worker picks the request up again in on_request. */
	MHD_resume_connection(r->conn);
}

enum MHD_Result reply_after_write(struct req *r, writeq_fn fn, void *arg,
				  enum MHD_Result (*finish)(struct req *r),
				  void (*cleanup)(struct req *r))
{
	r->job_finish = finish;
	r->job_cleanup = cleanup;
	r->awaiting_write = true;
	/* Suspend before queueing: the writer may finish before we return. */
	MHD_suspend_connection(r->conn);
	writeq_submit(r->srv->writeq, fn, arg, write_done, r);
	return MHD_YES;
}

static int audit_read_job(struct store *s, void *arg, struct err *e)
{
	struct req *r = arg;
	return registry_audit_read(s, &r->actor, r->params[0], r->now, e);
}

static enum MHD_Result finish_audited(struct req *r)
{
	json_t *body = r->held;
	r->held = NULL;
	if (r->held_html) {
		char *html = r->held_html;
		r->held_html = NULL;
		enum MHD_Result ret =
			r->job_rc ? web_err(r, &r->job_err)
				  : reply_text(r, 200, "text/html; charset=utf-8", html,
					       r->held_html_len);
		free(html);
		return ret;
	}
	if (r->job_rc) {
		json_decref(body);
		return reply_err(r, &r->job_err);
	}
	return reply_json(r, 200, body);
}

enum MHD_Result reply_audited_html(struct req *r, char *html, size_t len)
{
	r->held_html = html;
	r->held_html_len = len;
	return reply_after_write(r, audit_read_job, r, finish_audited, NULL);
}

enum MHD_Result reply_audited(struct req *r, json_t *body)
{
	r->held = body;
	return reply_after_write(r, audit_read_job, r, finish_audited, NULL);
}

/* ---- request reading ---- */

const char *req_arg(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

/* Refuses nesting deeper than JSON_MAX_DEPTH before jansson recurses. */
static bool depth_ok(const char *s, size_t n)
{
	int depth = 0;
	bool in_str = false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > JSON_MAX_DEPTH)
				return false;
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return true;
}

json_t *req_json(struct req *r, struct err *e)
{
	return req_json_parse(req_header(r, "Content-Type"), r->body, r->len,
			      &r->unsupported_media, e);
}

json_t *req_json_parse(const char *ct, const char *body, size_t len, bool *unsupported_media,
		       struct err *e)
{
	json_error_t je;
	/* application/json, optionally with parameters (charset=utf-8). */
	if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
	    (ct[16] != '\0' && ct[16] != ';' && ct[16] != ' ')) {
		*unsupported_media = true;
		err_set(e, ERR_INVALID, "Content-Type", "the body must be application/json");
		return NULL;
	}
	if (!body || len == 0) {
		err_set(e, ERR_INVALID, "body", "the request needs a JSON body");
		return NULL;
	}
	if (!depth_ok(body, len)) {
		err_set(e, ERR_INVALID, "body", "JSON nested deeper than %d levels", JSON_MAX_DEPTH);
		return NULL;
	}
	json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
	if (!v) {
		err_set(e, ERR_INVALID, "body", "malformed JSON at line %d, column %d: %s", je.line,
			je.column, je.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		err_set(e, ERR_INVALID, "body", "the body must be a JSON object");
		return NULL;
	}
	return v;
}

/* ---- authentication ---- */

static const char *cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* Fills r->actor from a bearer token or a session cookie; a state-changing
 * request on a cookie must carry the session's CSRF token (a page's form
 * carries it as a field, which web_form checks). Pages take cookies only. */
static int authenticate(struct req *r, struct err *e)
{
	const char *auth = req_header(r, "Authorization");
	bool page = r->route->auth == AUTH_PAGE;
	if (!page && auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		if (accounts_authenticate_token(r->store, auth + 7, r->now, &r->actor, e))
			return -1;
		r->authed = true;
		return 0;
	}
	const char *sid = cookie(r, SESSION_COOKIE);
	if (sid) {
		if (accounts_session(r->store, sid, r->now, &r->actor, r->csrf, e))
			return -1;
		r->authed = r->via_cookie = true;
		r->sid = sid;
		if (!page && strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
			const char *tok = req_header(r, "X-CSRF-Token");
			if (!tok || !account_csrf_equal(r->csrf, tok))
				return err_set(e, ERR_FORBIDDEN, "X-CSRF-Token",
					       "a signed-in browser request must carry its CSRF token");
		}
		return 0;
	}
	return err_set(e, ERR_FORBIDDEN, "Authorization", "sign in or send a bearer token");
}

/* ---- the request lifecycle ---- */

static void client_ip(struct req *r)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(r->ip, sizeof r->ip, "-");
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->ip, sizeof r->ip);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->ip,
			  sizeof r->ip);
}

static enum MHD_Result dispatch(struct server *s, struct req *r)
{
	struct err e = {0};
	bool known = false;
	enum MHD_Result ret;

	r->now = s->cfg->fixed_now != TS_NONE ? s->cfg->fixed_now : (ts_t)time(NULL);
	if (r->too_large)
		return reply_problem(r, 413, NULL, "body", "the request body is larger than allowed");
	r->route = routes_match(r, r->url, &known);
	if (!r->route && known)
		routes_allowed(r->url, r->allow, sizeof r->allow);
	if (!r->route) {
		r->route_index = known ? -2 : -1;
		if (known)
			return reply_problem(r, 405, NULL, NULL, "method not allowed on this path");
		/* A person's browser gets a page; a program under /api a problem. */
		if (strncmp(r->url, "/api/", 5) != 0 && strcmp(r->url, "/api") != 0)
			return web_error(r, 404, "If you typed the web address, check it is correct.");
		return reply_problem(r, 404, NULL, NULL, "no such resource");
	}
	r->store = server_store_get(s);
	if (r->route->auth != AUTH_NONE && authenticate(r, &e)) {
		server_store_put(s, r->store);
		r->store = NULL;
		if (r->route->auth == AUTH_PAGE) {
			/* A browser that is not signed in goes to the sign-in page,
			 * and comes back to a page it asked for by GET. */
			bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
			char *next = get && web_local_path(r->url) && strlen(r->url) < 512
					     ? arena_printf(&r->arena, "/login?next=%s", r->url)
					     : "/login";
			return web_redirect(r, next);
		}
		if (e.kind == ERR_FORBIDDEN && strcmp(e.field, "X-CSRF-Token") == 0)
			return reply_problem(r, 403, NULL, e.field, e.msg);
		return reply_problem(r, 401, NULL, e.field[0] ? e.field : "Authorization",
				     e.kind == ERR_RUNTIME ? "authentication failed" : e.msg);
	}
	ret = r->route->handler(r);
	server_store_put(s, r->store);
	r->store = NULL;
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)version;
	if (!r) {
		r = xcalloc(1, sizeof *r);
		r->srv = s;
		r->conn = conn;
		r->method = method;
		r->url = url;
		r->route_index = -1;
		r->t0_ns = now_ns();
		arena_init(&r->arena);
		client_ip(r);
		*con_cls = r;
		const char *cl = req_header(r, "Content-Length");
		if (cl && strtoull(cl, NULL, 10) > s->cfg->max_body) {
			r->too_large = true;
			return reply_problem(r, 413, NULL, "body",
					     "the request body is larger than allowed");
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (!r->too_large) {
			if (r->len + *upload_size > s->cfg->max_body) {
				r->too_large = true;
				free(r->body);
				r->body = NULL;
				r->len = r->cap = 0;
			} else {
				if (r->len + *upload_size + 1 > r->cap) {
					r->cap = (r->len + *upload_size + 1) * 2;
					r->body = xrealloc(r->body, r->cap);
				}
				memcpy(r->body + r->len, upload_data, *upload_size);
				r->len += *upload_size;
				r->body[r->len] = '\0';
			}
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->awaiting_write) {
		r->awaiting_write = false;
		r->job_cleanup = NULL;
		return r->job_finish(r);
	}
	if (r->status)
		return MHD_YES; /* already answered (413 on Content-Length) */
	return dispatch(s, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *s = cls;
	struct req *r = *con_cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	int64_t ns = now_ns() - r->t0_ns;
	metrics_observe(s->metrics, r->route_index, r->status, ns);
	log_access(&s->log, r->now ? r->now : (ts_t)time(NULL), r->ip, r->method, r->url,
		   r->route ? r->route->pattern : NULL, r->status, r->sent, (double)ns / 1e6,
		   r->authed ? r->actor.name : NULL);
	if (r->store)
		server_store_put(s, r->store);
	if (r->job_cleanup)
		r->job_cleanup(r);
	json_decref(r->held);
	free(r->held_html);
	arena_release(&r->arena);
	free(r->body);
	free(r);
	*con_cls = NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct server *s = cls;
	(void)conn;
	(void)socket_context;
	if (toe == MHD_CONNECTION_NOTIFY_STARTED)
		atomic_fetch_add(&s->connections, 1);
	else
		atomic_fetch_sub(&s->connections, 1);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct err *e)
{
	char host[64];
	const char *colon = strrchr(listen, ':');
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - listen) >= sizeof host)
		return err_set(e, ERR_INVALID, "listen", "\"listen\" must be ADDR:PORT");
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	char *end;
	long port = strtol(colon + 1, &end, 10);
	if (!colon[1] || *end || port < 0 || port > 65535)
		return err_set(e, ERR_INVALID, "listen", "invalid port in \"%s\"", listen);
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return err_set(e, ERR_INVALID, "listen", "invalid IPv4 address \"%s\"", host);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

int server_run(const struct server_config *cfg, const sigset_t *stop, struct err *e)
{
	struct server *s = xcalloc(1, sizeof *s);
	struct sockaddr_in sa;
	int ret = -1, sig;

	s->cfg = cfg;
	s->log.access = cfg->access_log;
	s->log.error = cfg->error_log;
	s->log.level = LOG_INFO;
	pthread_mutex_init(&s->pool.mu, NULL);
	pthread_cond_init(&s->pool.cv, NULL);
	pthread_mutex_init(&s->throttle_mu, NULL);
	pthread_mutex_init(&s->write_mu, NULL);
	if (parse_listen(cfg->listen, &sa, e))
		goto out;
	/* One store connection per worker thread, plus one for /metrics
	 * and other short reads, so a worker never waits for another. */
	s->pool.n = (size_t)cfg->threads + 1;
	s->pool.free = xcalloc(s->pool.n, sizeof *s->pool.free);
	for (size_t i = 0; i < s->pool.n; i++) {
		if (store_open(cfg->db, &s->pool.free[i], e))
			goto out;
		s->pool.free[i]->write_lock = &s->write_mu;
		s->pool.nfree++;
	}
	/* The writer has a connection of its own. */
	struct store *w;
	if (store_open(cfg->db, &w, e))
		goto out;
	w->write_lock = &s->write_mu;
	s->writeq = writeq_new(w);
	s->metrics = metrics_new(routes_total());
	if (views_new(&s->views, e))
		goto out;
	s->d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG |
			MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->threads, MHD_OPTION_CONNECTION_LIMIT,
		cfg->conn_limit, MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
		on_connection, s, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u, MHD_OPTION_END);
	if (!s->d) {
		err_set(e, ERR_RUNTIME, "listen", "cannot listen on %s: %s", cfg->listen,
			strerror(errno));
		goto out;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
	printf("breachreg listening on http://%s:%u/\n", inet_ntoa(sa.sin_addr),
	       di ? di->port : ntohs(sa.sin_port));
	fflush(stdout);
	log_error(&s->log, LOG_INFO, "start", "listening on %s with %d threads", cfg->listen,
		  cfg->threads);

	/* Wait for the stop signal, running the program's upkeep meanwhile. */
	for (;;) {
		struct timespec tick = {cfg->tick_s ? cfg->tick_s : 5, 0};
		sig = sigtimedwait(stop, NULL, &tick);
		if (sig > 0)
			break;
		if (sig < 0 && errno == EAGAIN && cfg->tick)
			cfg->tick();
	}

	/* Graceful: stop accepting, let in-flight requests finish (bounded),
	 * then stop the daemon and close every store connection. */
	log_error(&s->log, LOG_INFO, "stop", "signal %d: draining", sig);
	MHD_socket lsock = MHD_quiesce_daemon(s->d);
	for (int i = 0; i < 100 && atomic_load(&s->connections) > 0; i++)
		usleep(100 * 1000);
	/* Commit what is queued and resume its held replies before stopping:
	 * no suspended connection may outlive the daemon. */
	writeq_free(s->writeq);
	s->writeq = NULL;
	MHD_stop_daemon(s->d);
	if (lsock != MHD_INVALID_SOCKET)
		close(lsock);
	s->d = NULL;
	ret = 0;
out:
	writeq_free(s->writeq);
	if (s->d)
		MHD_stop_daemon(s->d);
	for (size_t i = 0; i < s->pool.nfree; i++)
		store_close(s->pool.free[i]);
	free(s->pool.free);
	metrics_free(s->metrics);
	views_free(s->views);
	pthread_mutex_destroy(&s->pool.mu);
	pthread_cond_destroy(&s->pool.cv);
	pthread_mutex_destroy(&s->throttle_mu);
	pthread_mutex_destroy(&s->write_mu);
	free(s);
	return ret;
}
