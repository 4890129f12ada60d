/* fuzz_http: bytes as a raw HTTP/1.1 request through our side of the
 * request path, without libmicrohttpd (which owns the socket layer and
 * the parsing of the request line, headers and query string; this
 * harness splits them leniently itself, percent-decoding the path and
 * the arguments as libmicrohttpd does):
 *   - routing: routes_match with the method and path, routes_allowed
 *     when only the method is wrong (the 405 Allow header);
 *   - the body: req_json_parse with the Content-Type header (the depth
 *     check, then jansson);
 *   - query parameters: every argument through trends_query_set as
 *     api_trends gives them ("by" split on commas), and the month,
 *     quarter and date parameters through the parsers the handlers use;
 *   - authentication: a bearer token through account_token_shape and
 *     accounts_authenticate_token, the br_session cookie through
 *     account_sid_shape and accounts_session, X-CSRF-Token against the
 *     session's with account_csrf_equal, against a real register with
 *     one account (common.c: "@token@", "@sid@" and "@csrf@" in the
 *     input become its secrets).
 * Oracles: a matched route has the request's method (or GET for HEAD)
 * and only non-empty, slash-free parameters (but a trailing "{*}"); a 405 names some method;
 * authentication succeeds exactly for the account's own secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common.h"
#include "core/rollup.h"
#include "core/vocab.h"
#include "http/http.h"
#include "service/accounts.h"
#include "service/registry.h"

#define MAX_HEADERS 32
#define MAX_ARGS    32

struct request {
	char *method, *path;
	struct {
		char *name, *value;
	} headers[MAX_HEADERS], args[MAX_ARGS];
	int nheaders, nargs;
	const char *body;
	size_t blen;
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_accounts();
	return 0;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = (char)(c | 0x20);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %XX in place, as MHD_http_unescape does. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '%' && hex(s[1]) >= 0 && hex(s[2]) >= 0) {
			*o++ = (char)(hex(s[1]) * 16 + hex(s[2]));
			s += 2;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/* The next line of buf (ending in LF or CRLF) as a string, or NULL at the
 * blank line that ends the head. */
static char *next_line(char **at, char *end)
{
	char *s = *at, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	*at = nl ? nl + 1 : end;
	if (nl)
		*nl = '\0';
	if (nl && nl > s && nl[-1] == '\r')
		nl[-1] = '\0';
	return *s ? s : NULL;
}

static void split_query(struct request *q, char *query)
{
	char *save = NULL;

	for (char *t = strtok_r(query, "&", &save); t && q->nargs < MAX_ARGS;
	     t = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(t, '=');

		if (eq)
			*eq++ = '\0';
		unescape(t);
		if (eq)
			unescape(eq);
		q->args[q->nargs].name = t;
		q->args[q->nargs++].value = eq; /* NULL for "?name" alone */
	}
}

/* Splits buf (NUL-terminated, len bytes, modified) into q; 0 when it has
 * at least a request line. */
static int split(struct request *q, char *buf, size_t len)
{
	char *at = buf, *end = buf + len, *line, *sp, *query;

	memset(q, 0, sizeof *q);
	if (!(line = next_line(&at, end)))
		return -1;
	q->method = line;
	if (!(sp = strchr(line, ' ')))
		return -1;
	*sp = '\0';
	q->path = sp + 1;
	if ((sp = strchr(q->path, ' ')))
		*sp = '\0'; /* the HTTP version */
	if ((query = strchr(q->path, '?'))) {
		*query++ = '\0';
		split_query(q, query);
	}
	unescape(q->path);
	while ((line = next_line(&at, end)) && q->nheaders < MAX_HEADERS) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		q->headers[q->nheaders].name = line;
		q->headers[q->nheaders++].value = colon + 1 + strspn(colon + 1, " \t");
	}
	if (line)
		while (next_line(&at, end))
			; /* headers past the harness's table */
	q->body = at < end ? at : NULL;
	q->blen = at < end ? (size_t)(end - at) : 0;
	return 0;
}

static const char *header(const struct request *q, const char *name)
{
	for (int i = 0; i < q->nheaders; i++)
		if (strcasecmp(q->headers[i].name, name) == 0)
			return q->headers[i].value;
	return NULL;
}

/* The value of cookie name in a Cookie header ("a=1; br_session=x"). */
static void cookie(const char *h, const char *name, char *out, size_t cap)
{
	size_t n = strlen(name);

	out[0] = '\0';
	while (h && *h) {
		h += strspn(h, " ;");
		if (strncmp(h, name, n) == 0 && h[n] == '=') {
			snprintf(out, cap, "%.*s", (int)strcspn(h + n + 1, ";"), h + n + 1);
			return;
		}
		h += strcspn(h, ";");
	}
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_http: %s\n", what);
	abort();
}

static void run_routes(const struct request *q)
{
	struct req r = {0};
	bool known = false;
	char allow[64];
	const struct api_route *route;

	arena_init(&r.arena);
	r.method = q->method;
	route = routes_match(&r, q->path, &known);
	if (route) {
		if (!known)
			die("a route matched on a path no route has");
		if (strcmp(route->method, q->method) != 0 &&
		    !(strcmp(q->method, "HEAD") == 0 && strcmp(route->method, "GET") == 0))
			die("a route matched with another method");
		/* Only the pattern's own parameters are set. */
		int np = 0;

		for (const char *p = route->pattern; (p = strchr(p, '{')); p++)
			np++;
		/* A trailing "{*}" (the assets) takes the rest, slashes and all. */
		bool rest = strstr(route->pattern, "{*}") != NULL;
		for (int i = 0; i < np; i++)
			if (!r.params[i] || !r.params[i][0] ||
			    (strchr(r.params[i], '/') && !(rest && i == np - 1)))
				die("an empty or slashed path parameter");
	} else if (known) {
		routes_allowed(q->path, allow, sizeof allow);
		if (!allow[0])
			die("a known path allows no method");
	}
	arena_release(&r.arena);
}

static void run_body(const struct request *q)
{
	struct err e = {0};
	bool unsupported = false;
	json_t *v = req_json_parse(header(q, "Content-Type"), q->body, q->blen, &unsupported, &e);

	if (v && !json_is_object(v))
		die("a body that is not an object was accepted");
	if (!v && e.kind != ERR_INVALID)
		die("a refused body without ERR_INVALID");
	json_decref(v);
}

/* As api_trends, api_signals, api_return and the list filters read them. */
static void run_args(const struct request *q)
{
	struct trends_query tq;
	struct err e = {0};
	bool failed = false;
	char buf[256];

	trends_query_init(&tq);
	for (int i = 0; i < q->nargs && !failed; i++) {
		const char *k = q->args[i].name, *v = q->args[i].value;

		if (strcmp(k, "by") == 0 && v && strchr(v, ',')) {
			char *save = NULL;

			snprintf(buf, sizeof buf, "%s", v);
			for (char *t = strtok_r(buf, ",", &save); t && !failed;
			     t = strtok_r(NULL, ",", &save))
				failed = trends_query_set(&tq, "by", t, &e) != 0;
		} else {
			failed = trends_query_set(&tq, k, v ? v : "", &e) != 0;
		}
	}
	for (int i = 0; i < q->nargs; i++) {
		const char *k = q->args[i].name, *v = q->args[i].value ? q->args[i].value : "";
		int month;
		ts_t t;

		if (strcmp(k, "month") == 0 || strcmp(k, "quarter") == 0)
			(void)rollup_period_parse(v, false, &month);
		else if (strcmp(k, "from") == 0 || strcmp(k, "to") == 0)
			(void)date_parse_bound(v, k[0] == 't', &t);
		else if (strcmp(k, "status") == 0)
			(void)vocab_parse(&vocab_state, v);
		else if (strcmp(k, "severity") == 0)
			(void)vocab_parse(&vocab_severity, v);
	}
}

static void run_auth(const struct request *q)
{
	const struct fuzz_secrets *sec = fuzz_accounts();
	struct store *s = fuzz_store(NULL);
	const char *auth = header(q, "Authorization"), *csrf = header(q, "X-CSRF-Token");
	char sid[256], session_csrf[ACCOUNT_CSRF_BUF];
	struct actor a;
	struct err e = {0};

	if (auth && strncasecmp(auth, "Bearer ", 7) == 0) {
		int rc = accounts_authenticate_token(s, auth + 7, fuzz_now(), &a, &e);

		(void)account_token_shape(auth + 7);
		if ((rc == 0) != (strcmp(auth + 7, sec->token) == 0))
			die("a bearer token was judged wrongly");
	}
	cookie(header(q, "Cookie"), SESSION_COOKIE, sid, sizeof sid);
	if (sid[0]) {
		int rc = accounts_session(s, sid, fuzz_now(), &a, session_csrf, &e);

		(void)account_sid_shape(sid);
		if ((rc == 0) != (strcmp(sid, sec->sid) == 0))
			die("a session id was judged wrongly");
		if (rc == 0 && csrf &&
		    account_csrf_equal(session_csrf, csrf) != (strcmp(csrf, sec->csrf) == 0))
			die("a CSRF token was judged wrongly");
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct request q;
	size_t len;
	char *buf = fuzz_substitute(data, size, &len);

	if (split(&q, buf, len) == 0) {
		run_routes(&q);
		run_body(&q);
		run_args(&q);
		run_auth(&q);
	}
	free(buf);
	return 0;
}
