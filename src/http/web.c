/* web: the page framework (see web.h): compiled views, the layout and its
 * context, forms and their CSRF check, redirects and error pages, and the
 * pages that are not about incidents: assets, sign-in, sign-out, home. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/template.h"
#include "http/assets.h"
#include "http/http.h"
#include "http/web.h"
#include "service/accounts.h"

#define SERVICE_NAME "Security Breach Register"
#define LOGIN_COOKIE "br_login" /* the sign-in form's CSRF token (double submit) */

/* Pages may load our own scripts, styles, fonts and images and nothing
 * else: no inline script or style, no framing, forms post only here. */
#define PAGE_CSP                                                                                   \
	"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "                \
	"font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "        \
	"base-uri 'none'; object-src 'none'"

struct views {
	struct template_partial *partials; /* every template, by name, for {{> name}} */
	size_t n;
	const struct template *layout;
};

int views_new(struct views **out, struct err *e)
{
	size_t n = 0;
	const struct web_template_src *src = web_templates(&n);
	struct views *v = xcalloc(1, sizeof *v);
	int ret = -1;

	v->partials = xcalloc(n + 1, sizeof *v->partials);
	for (size_t i = 0; i < n; i++) {
		struct template *t;
		if (template_compile(src[i].name, src[i].src, src[i].len, &t, e)) {
			char why[sizeof e->msg];
			snprintf(why, sizeof why, "%s", e->msg);
			err_set(e, ERR_RUNTIME, "template", "web/templates/%s.html: %s", src[i].name,
				why);
			goto out;
		}
		v->partials[v->n].name = template_name(t);
		v->partials[v->n].tpl = t;
		v->n++;
		if (strcmp(src[i].name, "layout") == 0)
			v->layout = t;
	}
	if (!v->layout) {
		err_set(e, ERR_RUNTIME, "template", "web/templates/layout.html is missing");
		goto out;
	}
	*out = v;
	v = NULL;
	ret = 0;
out:
	views_free(v);
	return ret;
}

void views_free(struct views *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++)
		template_free((struct template *)v->partials[i].tpl);
	free(v->partials);
	free(v);
}

static const struct template *view(const struct views *v, const char *name)
{
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->partials[i].name, name) == 0)
			/* cppcheck reads "template" as C++'s keyword and loses the type. */
			// cppcheck-suppress CastIntegerToAddressAtReturn
			return v->partials[i].tpl;
	return NULL;
}

/* ---- the layout's context ---- */

/* The fingerprinted name of an asset after "/assets/", for the layout's
 * href="/assets/{{assets.x}}". */
static json_t *asset_path(const char *name)
{
	const struct asset *a = assets_by_name(name);
	return json_string(a ? a->url + strlen("/assets/") : name);
}

static json_t *assets_ctx(void)
{
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "govuk_css",
			 asset_path("govuk-frontend.min.css"), "moj_css",
			 asset_path("moj-frontend.min.css"), "app_css", asset_path("app.css"),
			 "govuk_js", asset_path("govuk-frontend.min.js"), "moj_js",
			 asset_path("moj-frontend.min.js"), "app_js", asset_path("app.js"),
			 "favicon", asset_path("images/favicon.ico"), "favicon_svg",
			 asset_path("images/favicon.svg"));
}

/* What the signed-in account may reach, for the navigation. */
static json_t *user_ctx(const struct actor *a)
{
	json_t *roles = json_array();
	for (int i = 0; i < ROLE_COUNT; i++)
		if (a->roles & ROLE_BIT(i))
			json_array_append_new(roles, json_string(vocab_name(&vocab_role, i)));
	bool works = a->roles & (ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_INVESTIGATOR) |
				 ROLE_BIT(ROLE_SECURITY) | ROLE_BIT(ROLE_HR) | ROLE_BIT(ROLE_DPO));
	const char *account = strncmp(a->name, "user:", 5) == 0 ? a->name + 5 : a->name;
	return json_pack("{s:s, s:s, s:o, s:b, s:b, s:b, s:b, s:b}", "name", account, "staff_id",
			 a->staff_id, "roles", roles, "can_list", works, "can_trends",
			 authz_power(a, POW_TRENDS), "can_catalogue", authz_power(a, POW_CATALOGUE),
			 "can_audit", authz_power(a, POW_AUDIT), "is_security",
			 authz_is_security(a));
}

static json_t *layout_ctx(struct req *r, struct web_page *p)
{
	json_t *c = json_object();
	json_t *nav = json_object();
	json_object_set_new(c, "title", jsonx_text_value(p->title ? p->title : SERVICE_NAME));
	json_object_set_new(c, "service", json_string(SERVICE_NAME));
	json_object_set_new(c, "assets", assets_ctx());
	if (r->authed && r->via_cookie) {
		json_object_set_new(c, "user", user_ctx(&r->actor));
		json_object_set_new(c, "csrf", json_string(r->csrf));
	}
	if (p->nav)
		json_object_set_new(nav, p->nav, json_true());
	json_object_set_new(c, "nav", nav);
	if (p->marking) {
		json_object_set_new(c, "marking", jsonx_text_value(p->marking));
		json_object_set_new(c, "personal_data",
				    json_boolean(strstr(p->marking, "PERSONAL DATA") != NULL));
	}
	if (p->flash)
		json_object_set_new(c, "flash", jsonx_text_value(p->flash));
	if (p->errors && json_array_size(p->errors)) {
		json_object_set(c, "errors", p->errors);
		json_object_set_new(c, "has_errors", json_true());
		/* Each field's own message, for the error message above its input:
		 * {{#error.when-day}}...{{/error.when-day}}. */
		json_t *by = json_object();
		size_t i;
		json_t *it;
		json_array_foreach(p->errors, i, it)
		{
			const char *f = json_string_value(json_object_get(it, "field"));
			if (f && !json_object_get(by, f))
				json_object_set(by, f, json_object_get(it, "text"));
		}
		json_object_set_new(c, "error", by);
	}
	json_object_set_new(c, "page", p->data ? p->data : json_object());
	p->data = NULL;
	json_decref(p->errors);
	p->errors = NULL;
	return c;
}

/* Renders p into a new string (*html, *len), or -1 with e filled. */
static int render(struct req *r, struct web_page *p, char **html, size_t *len, struct err *e)
{
	const struct views *v = server_views(r->srv);
	const struct template *page = view(v, p->template);
	json_t *ctx = layout_ctx(r, p);
	struct buf out = BUF_INIT;
	int ret = -1;

	if (!page) {
		err_set(e, ERR_RUNTIME, "template", "no template \"%s\"", p->template);
		goto out;
	}
	/* Every template as a partial, and the page itself as "content". */
	struct template_partial *parts = arena_alloc(&r->arena, (v->n + 1) * sizeof *parts);
	memcpy(parts, v->partials, v->n * sizeof *parts);
	parts[v->n].name = "content";
	parts[v->n].tpl = page;
	struct template_env env = {parts, v->n + 1, p->trusted, p->n_trusted, 0};
	if (template_render(v->layout, ctx, &env, &out, e))
		goto out;
	*html = buf_detach(&out, len);
	ret = 0;
out:
	buf_release(&out);
	json_decref(ctx);
	return ret;
}

static void page_headers(struct req *r)
{
	r->csp = PAGE_CSP;
}

enum MHD_Result web_render(struct req *r, unsigned status, struct web_page *p)
{
	struct err e = {0};
	char *html;
	size_t len;
	if (render(r, p, &html, &len, &e)) {
		req_log_error(r, &e);
		return reply_problem(r, 500, NULL, NULL, "the page could not be shown");
	}
	page_headers(r);
	enum MHD_Result ret = reply_text(r, status, "text/html; charset=utf-8", html, len);
	free(html);
	return ret;
}

enum MHD_Result web_render_audited(struct req *r, struct web_page *p)
{
	struct err e = {0};
	char *html;
	size_t len;
	if (render(r, p, &html, &len, &e)) {
		req_log_error(r, &e);
		return reply_problem(r, 500, NULL, NULL, "the page could not be shown");
	}
	page_headers(r);
	return reply_audited_html(r, html, len);
}

bool web_local_path(const char *path)
{
	if (!path || path[0] != '/' || path[1] == '/' || path[1] == '\\')
		return false;
	for (const char *p = path; *p; p++)
		if ((unsigned char)*p < 0x21 || (unsigned char)*p > 0x7e || *p == '\\')
			return false;
	return true;
}

enum MHD_Result web_redirect(struct req *r, const char *path)
{
	static const char body[] = "See other";
	r->location = path;
	return reply_text(r, 303, "text/plain; charset=utf-8", body, sizeof body - 1);
}

enum MHD_Result web_error(struct req *r, unsigned status, const char *message)
{
	const char *title = status == 404   ? "Page not found"
			    : status == 403 ? "You cannot do that"
			    : status == 409 ? "That cannot be done now"
			    : status >= 500 ? "Sorry, there is a problem with the service"
					    : "There is a problem";
	struct web_page p = {
		.title = title,
		.template = "error",
		.data = json_pack("{s:s, s:o, s:i}", "heading", title, "message",
				  jsonx_text_value(message ? message : ""), "status", (int)status),
	};
	return web_render(r, status, &p);
}

enum MHD_Result web_err(struct req *r, const struct err *e)
{
	switch (e->kind) {
	case ERR_INVALID:
		return web_error(r, 400, e->msg);
	case ERR_NOT_FOUND:
		/* As the API: what an account may not see is absent. */
		return web_error(r, 404, "If you typed the web address, check it is correct.");
	case ERR_CONFLICT:
		return web_error(r, 409, e->msg);
	case ERR_FORBIDDEN:
		return web_error(r, 403, e->msg);
	default:
		req_log_error(r, e);
		return web_error(r, 500, "Try again later.");
	}
}

int web_form(struct req *r, struct form *f, struct err *e)
{
	bool get = strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0;
	if (get) {
		/* libmicrohttpd has decoded the query already. */
		f->n = 0;
		return 0;
	}
	const char *ct = req_header(r, "Content-Type");
	if (r->len && (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0))
		return err_set(e, ERR_INVALID, "Content-Type", "a form must be URL-encoded");
	if (form_parse(&r->arena, r->body, r->len, f, e))
		return -1;
	if (r->route->auth == AUTH_PAGE && !account_csrf_equal(r->csrf, form_get(f, "csrf")))
		return err_set(e, ERR_FORBIDDEN, "csrf",
			       "the form has expired or was not sent from this service; "
			       "go back, reload the page and try again");
	return 0;
}

void web_error_add(json_t *errors, const char *field, const char *text)
{
	json_array_append_new(errors,
			      json_pack("{s:s, s:o}", "field", field, "text", jsonx_text_value(text)));
}

json_t *web_errors_from(const struct err *e, const char *field_id)
{
	json_t *a = json_array();
	char msg[sizeof e->msg];
	snprintf(msg, sizeof msg, "%s", e->msg);
	if (msg[0] >= 'a' && msg[0] <= 'z')
		msg[0] = (char)(msg[0] - 'a' + 'A');
	web_error_add(a, field_id, msg);
	return a;
}

/* ---- assets ---- */

enum MHD_Result page_asset(struct req *r)
{
	const struct asset *a = assets_by_url(r->url);
	if (!a)
		return reply_problem(r, 404, NULL, NULL, "no such asset");
	r->etag = a->etag;
	/* The name carries the content's hash: it never changes. */
	r->cache_control = "public, max-age=31536000, immutable";
	const char *inm = req_header(r, "If-None-Match");
	if (inm && strcmp(inm, a->etag) == 0)
		return reply_text(r, 304, a->type, "", 0);
	r->body_static = true;
	return reply_text(r, 200, a->type, (const char *)a->data, a->len);
}

/* ---- sign-in and sign-out ---- */

static enum MHD_Result login_page(struct req *r, unsigned status, const char *name,
				  const char *next, json_t *errors)
{
	unsigned char raw[32];
	char token[65];
	randombytes_buf(raw, sizeof raw);
	sodium_bin2hex(token, sizeof token, raw, sizeof raw);
	r->set_cookie = arena_printf(&r->arena, "%s=%s; Path=/login; HttpOnly; SameSite=Strict",
				     LOGIN_COOKIE, token);
	struct web_page p = {
		.title = errors ? "Error: Sign in" : "Sign in",
		.template = "login",
		.data = json_pack("{s:s, s:o, s:o}", "token", token, "name",
				  jsonx_text_value(name ? name : ""), "next",
				  next && web_local_path(next) ? jsonx_text_value(next) : json_null()),
		.errors = errors,
		.flash = !errors && req_arg(r, "signed_out") ? "You have signed out" : NULL,
	};
	return web_render(r, status, &p);
}

enum MHD_Result page_login_form(struct req *r)
{
	return login_page(r, 200, NULL, req_arg(r, "next"), NULL);
}

enum MHD_Result page_login(struct req *r)
{
	struct err e = {0};
	struct form f;
	char sid[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF];
	struct actor a = {0};

	if (web_form(r, &f, &e))
		return web_err(r, &e);
	const char *name = form_text(&r->arena, &f, "name");
	const char *password = form_get(&f, "password");
	if (!password)
		password = "";
	const char *next = form_get(&f, "next");
	const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, LOGIN_COOKIE);
	if (!cookie || !account_csrf_equal(cookie, form_get(&f, "token")))
		return web_error(r, 403,
				 "The sign-in form has expired or was not sent from this service. "
				 "Go back, reload the page and sign in again.");
	if (server_login_throttled(r->srv, r->ip, r->now))
		return web_error(r, 429,
				 "There have been too many failed attempts to sign in from here. "
				 "Wait 15 minutes, then try again.");
	json_t *errors = json_array();
	if (!*name)
		web_error_add(errors, "name", "Enter your account name");
	if (!*password)
		web_error_add(errors, "password", "Enter your password");
	if (json_array_size(errors))
		return login_page(r, 400, name, next, errors);
	if (strlen(name) >= ACCOUNT_NAME_MAX || strlen(password) > ACCOUNT_PASSWORD_MAX ||
	    accounts_login(r->store, name, password, r->now, sid, csrf, &a, &e)) {
		if (e.kind == ERR_RUNTIME) {
			json_decref(errors);
			return web_err(r, &e);
		}
		server_login_failed(r->srv, r->ip, r->now);
		web_error_add(errors, "name",
			      "The account name or password is not right, or the account is locked");
		return login_page(r, 401, name, next, errors);
	}
	json_decref(errors);
	sodium_memzero(csrf, sizeof csrf);
	r->set_cookie = arena_printf(&r->arena,
				     "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
				     SESSION_COOKIE, sid, ACCOUNTS_SESSION_SECONDS);
	sodium_memzero(sid, sizeof sid);
	r->authed = true;
	r->actor = a;
	return web_redirect(r, next && web_local_path(next) && strncmp(next, "/login", 6) != 0
				       ? arena_strdup(&r->arena, next)
				       : "/");
}

enum MHD_Result page_logout(struct req *r)
{
	struct err e = {0};
	struct form f;
	if (web_form(r, &f, &e))
		return web_err(r, &e);
	if (r->sid && accounts_logout(r->store, r->sid, r->now, &e))
		return web_err(r, &e);
	r->set_cookie = arena_printf(&r->arena, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
				     SESSION_COOKIE);
	return web_redirect(r, "/login?signed_out=1");
}

enum MHD_Result page_home(struct req *r)
{
	struct web_page p = {.title = "Home", .template = "home", .nav = "home"};
	return web_render(r, 200, &p);
}
