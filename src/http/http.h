/* http: the HTTP adapter's internals (SPEC 6.2), shared by server.c (the
 * daemon and request lifecycle), routes.c (the routes table and
 * dispatch), api_*.c (JSON handlers) and metrics.c. Handlers parse, call a
 * service with the request's actor, and reply; the services authorise. */
#ifndef BR_HTTP_H
#define BR_HTTP_H
#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/account.h"
#include "core/authz.h"
#include "core/err.h"
#include "http/arena.h"
#include "http/server.h"
#include "service/writeq.h"
#include "store/store.h"

#define MAX_PATH_PARAMS 3
#define JSON_MAX_DEPTH 16
#define SESSION_COOKIE "br_session"

struct server;
struct req;

typedef enum MHD_Result (*handler_fn)(struct req *r);

enum auth_need {
	AUTH_NONE,   /* public: health, metrics, openapi, sign-in */
	AUTH_ANY,    /* any signed-in account or token */
	AUTH_PAGE,   /* a web page: a session cookie only, else sent to /login; POST
		      * forms carry the CSRF token as a field (web.h) */
};

struct api_route {
	const char *method;
	const char *pattern; /* "/api/v1/incidents/{ref}/notes" */
	handler_fn handler;
	enum auth_need auth;
	const char *summary; /* for the OpenAPI check and docs */
};

extern const struct api_route routes[];
extern const size_t routes_count;
/* The web pages' routes (web_routes.c), matched after the API's. */
extern const struct api_route page_routes[];
extern const size_t page_routes_count;
/* Every route, the API's first: index i of routes_total(). */
const struct api_route *route_at(size_t i);
size_t routes_total(void);

struct req {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *url;
	struct arena arena;
	char *body; /* owned (xrealloc), NUL-terminated */
	size_t len, cap;
	bool too_large;
	const struct api_route *route;
	int route_index; /* -1: no route */
	const char *params[MAX_PATH_PARAMS];
	struct actor actor;
	bool authed, via_cookie;
	char csrf[ACCOUNT_CSRF_BUF];
	struct store *store; /* checked out of the pool while handling */
	ts_t now;
	int64_t t0_ns;
	unsigned status;
	size_t sent;
	char ip[64];
	const char *set_cookie; /* arena string: a Set-Cookie header to send */
	const char *location;   /* arena string: a Location header to send */
	const char *disposition; /* arena string: a Content-Disposition header to send */
	bool unsupported_media; /* the body's Content-Type was not JSON: 415 */
	/* A write run by the writer thread (writeq): the connection is
	 * suspended until it is durable, then job_finish builds the reply. */
	bool awaiting_write;
	enum MHD_Result (*job_finish)(struct req *r);
	void (*job_cleanup)(struct req *r); /* if the reply is never built */
	void *job; /* the handler's state for job_finish and job_cleanup */
	int job_rc;
	struct err job_err;
	json_t *held; /* an audited read's reply, sent once its audit is durable */
	char *held_html; /* ...or an audited page's HTML (owned) */
	size_t held_html_len;
	char allow[64];         /* for a 405: the methods the path takes */
	/* Web pages: the session's id (cookie) when signed in by cookie, and
	 * headers that differ from the API's defaults (arena strings or
	 * literals; NULL: the default). */
	const char *sid;
	const char *csp;           /* default: default-src 'none' */
	const char *cache_control; /* default: no-store */
	const char *etag;
	/* The reply's body lives as long as the process (an embedded asset):
	 * sent without a copy. */
	bool body_static;
};

/* Replies: each queues the response and returns the MHD result. The JSON
 * value is consumed. */
enum MHD_Result reply_json(struct req *r, unsigned status, json_t *body);
/* RFC 9457 problem details, naming the offending field when there is one. */
enum MHD_Result reply_problem(struct req *r, unsigned status, const char *title,
			      const char *field, const char *detail);
/* Runs fn(store, arg, e) on the writer thread in a group commit: the
 * connection is suspended (the worker serves others meanwhile) and, once
 * the write is durable or has failed (r->job_rc, r->job_err), finish
 * builds the reply; cleanup (may be NULL) frees arg if it never runs. */
enum MHD_Result reply_after_write(struct req *r, writeq_fn fn, void *arg,
				  enum MHD_Result (*finish)(struct req *r),
				  void (*cleanup)(struct req *r));
/* Replies 200 with body once the read of incident r->params[0] has been
 * audited (a write in the group commit). */
enum MHD_Result reply_audited(struct req *r, json_t *body);
/* Replies 200 with html (len bytes, owned, freed here) once the read of
 * incident r->params[0] has been audited. */
enum MHD_Result reply_audited_html(struct req *r, char *html, size_t len);
/* Logs an unexpected error of the request to the error log. */
void req_log_error(struct req *r, const struct err *e);
/* Maps an err to its status (400/404/409/403/500) and replies. */
enum MHD_Result reply_err(struct req *r, const struct err *e);
enum MHD_Result reply_text(struct req *r, unsigned status, const char *type, const char *body,
			   size_t len);

/* The request body as a JSON object, checked for depth and UTF-8 (jansson
 * refuses invalid UTF-8). NULL with e filled (field "body"). */
json_t *req_json(struct req *r, struct err *e);
/* req_json's work on a Content-Type (may be NULL) and a body of len bytes
 * (borrowed), without the connection: *unsupported_media is set when the
 * type is not JSON (a 415). Pure, for the fuzz harness (fuzz/fuzz_http.c). */
json_t *req_json_parse(const char *ct, const char *body, size_t len, bool *unsupported_media,
		       struct err *e);
/* A query-string argument, or NULL. */
const char *req_arg(struct req *r, const char *name);
const char *req_header(struct req *r, const char *name);

/* Handlers (api_*.c). */
enum MHD_Result api_health(struct req *r);
enum MHD_Result api_metrics(struct req *r);
enum MHD_Result api_openapi(struct req *r);
enum MHD_Result api_session_create(struct req *r);
enum MHD_Result api_session_get(struct req *r);
enum MHD_Result api_session_delete(struct req *r);
enum MHD_Result api_assess(struct req *r);
enum MHD_Result api_incidents_list(struct req *r);
enum MHD_Result api_incidents_create(struct req *r);
enum MHD_Result api_incident_get(struct req *r);
enum MHD_Result api_transition(struct req *r);
enum MHD_Result api_notes_list(struct req *r);
enum MHD_Result api_note_create(struct req *r);
enum MHD_Result api_assessments_list(struct req *r);
enum MHD_Result api_assessments_create(struct req *r);
enum MHD_Result api_decisions_list(struct req *r);
enum MHD_Result api_decision_create(struct req *r);
enum MHD_Result api_notices_list(struct req *r);
enum MHD_Result api_notice_create(struct req *r);
enum MHD_Result api_notice_get(struct req *r);
enum MHD_Result api_notice_acknowledge(struct req *r);
enum MHD_Result api_ico_decision(struct req *r);
enum MHD_Result api_hr_outcome(struct req *r);
enum MHD_Result api_people_create(struct req *r);
enum MHD_Result api_person_get(struct req *r);
enum MHD_Result api_person_warnings(struct req *r);
enum MHD_Result api_orgs_list(struct req *r);
enum MHD_Result api_orgs_create(struct req *r);
enum MHD_Result api_catalogue(struct req *r);
enum MHD_Result api_guidance_get(struct req *r);
enum MHD_Result api_guidance_publish(struct req *r);
enum MHD_Result api_guidance_history(struct req *r);
enum MHD_Result api_audit_list(struct req *r);
enum MHD_Result api_audit_verify(struct req *r);
enum MHD_Result api_export(struct req *r);
enum MHD_Result api_trends(struct req *r);
enum MHD_Result api_signals(struct req *r);
enum MHD_Result api_return(struct req *r);

/* Routing: finds the route for method and path, filling r->params. Sets
 * *path_known when some route has that path (for 405). */
const struct api_route *routes_match(struct req *r, const char *path, bool *path_known);
/* The methods some route takes on path, "GET, POST" (for Allow). */
void routes_allowed(const char *path, char *buf, size_t size);

/* Metrics (metrics.c): the server's counters, lock-free. */
struct metrics;
struct metrics *metrics_new(size_t nroutes);
void metrics_free(struct metrics *m);
void metrics_observe(struct metrics *m, int route, unsigned status, int64_t ns);
/* The Prometheus text exposition in a new string (caller frees): m's
 * counters, the incidents by state, the open connections, the store's
 * memory (sm, borrowed) and the C heap's. */
char *metrics_render(struct metrics *m, const int64_t by_state[ST_COUNT], int64_t connections,
		     const struct store_memory *sm);

/* The server (server.c) as handlers see it. */
struct store *server_store_get(struct server *s);
void server_store_put(struct server *s, struct store *st);
struct metrics *server_metrics(struct server *s);
struct views *server_views(struct server *s);

int64_t server_connections(struct server *s);
/* Sign-in throttling by client address: true when too many recent failures. */
bool server_login_throttled(struct server *s, const char *ip, ts_t now);
void server_login_failed(struct server *s, const char *ip, ts_t now);

#endif
