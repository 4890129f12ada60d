/* api_misc: health, metrics, the OpenAPI document, sign-in, the bare
 * assessment, people, organisations, catalogue, guidance and audit
 * resources of SPEC 6.2. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/assess.h"
#include "core/catalogue.h"
#include "core/jsonx.h"
#include "http/http.h"
#include "http/openapi.h"
#include "service/accounts.h"
#include "service/registry.h"

enum MHD_Result api_health(struct req *r)
{
	struct err e = {0};
	struct org o;
	org_init(&o);
	/* Healthy when the store answers a read. */
	int rc = r->store->ops->org_get(r->store, CATALOGUE_ROOT_ORG, &o, &e);
	org_release(&o);
	if (rc && e.kind != ERR_NOT_FOUND)
		return reply_json(r, 503, json_pack("{s:s, s:s}", "status", "unavailable", "store", e.msg));
	return reply_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

enum MHD_Result api_metrics(struct req *r)
{
	struct err e = {0};
	int64_t by_state[ST_COUNT] = {0};
	struct store_memory sm;
	if (r->store->ops->incident_counts(r->store, by_state, &e))
		return reply_err(r, &e);
	store_memory_stats(&sm);
	char *text =
		metrics_render(server_metrics(r->srv), by_state, server_connections(r->srv), &sm);
	enum MHD_Result ret =
		reply_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, strlen(text));
	free(text);
	return ret;
}

enum MHD_Result api_openapi(struct req *r)
{
	return reply_text(r, 200, "application/json", openapi_json, openapi_json_len);
}

/* ---- sessions ---- */

static json_t *whoami(const struct actor *a, const char *csrf)
{
	json_t *roles = json_array();
	for (int i = 0; i < ROLE_COUNT; i++)
		if (a->roles & ROLE_BIT(i))
			json_array_append_new(roles, json_string(vocab_name(&vocab_role, i)));
	json_t *o = json_pack("{s:s, s:o, s:o, s:o}", "actor", a->name, "staff_id",
			      a->staff_id[0] ? json_string(a->staff_id) : json_null(), "org",
			      a->org[0] ? json_string(a->org) : json_null(), "roles", roles);
	if (csrf && *csrf)
		json_object_set_new(o, "csrf", json_string(csrf));
	return o;
}

enum MHD_Result api_session_create(struct req *r)
{
	struct err e = {0};
	const char *name, *password;
	char sid[ACCOUNT_SID_BUF], csrf[ACCOUNT_CSRF_BUF];
	struct actor a = {0};
	json_t *in;

	if (server_login_throttled(r->srv, r->ip, r->now))
		return reply_problem(r, 429, NULL, NULL,
				     "too many failed sign-ins from this address; try again later");
	if (!(in = req_json(r, &e)))
		return reply_err(r, &e);
	if (jsonx_str(in, "name", "name", ACCOUNT_NAME_MAX - 1, true, NULL, &name, &e) ||
	    jsonx_str(in, "password", "password", ACCOUNT_PASSWORD_MAX, true, NULL, &password, &e)) {
		json_decref(in);
		return reply_err(r, &e);
	}
	int rc = accounts_login(r->store, name, password, r->now, sid, csrf, &a, &e);
	json_decref(in);
	if (rc) {
		if (e.kind == ERR_FORBIDDEN) {
			server_login_failed(r->srv, r->ip, r->now);
			return reply_problem(r, 401, NULL, "name", e.msg);
		}
		return reply_err(r, &e);
	}
	r->set_cookie = arena_printf(&r->arena,
				     "%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d",
				     SESSION_COOKIE, sid, ACCOUNTS_SESSION_SECONDS);
	r->authed = true;
	r->actor = a;
	return reply_json(r, 201, whoami(&a, csrf));
}

enum MHD_Result api_session_get(struct req *r)
{
	return reply_json(r, 200, whoami(&r->actor, r->via_cookie ? r->csrf : NULL));
}

enum MHD_Result api_session_delete(struct req *r)
{
	struct err e = {0};
	const char *sid = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
	if (sid && accounts_logout(r->store, sid, r->now, &e))
		return reply_err(r, &e);
	r->set_cookie = arena_printf(&r->arena, "%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
				     SESSION_COOKIE);
	return reply_json(r, 200, json_pack("{s:b}", "signed_in", 0));
}

/* ---- the bare assessment ---- */

enum MHD_Result api_assess(struct req *r)
{
	struct err e = {0};
	struct guidance g;
	struct facts f;
	struct assessment a;
	char code[CODE_MAX];
	enum MHD_Result ret;
	json_t *in;

	if (!authz_power(&r->actor, POW_ASSESS_FACTS))
		return reply_problem(r, 403, NULL, NULL, "this account may not assess");
	if (!(in = req_json(r, &e)))
		return reply_err(r, &e);
	if (facts_guidance_code(in, code, &e)) {
		json_decref(in);
		return reply_err(r, &e);
	}
	if (code[0]) {
		if (registry_guidance_resolve(r->store, code, &g, &e)) {
			json_decref(in);
			if (e.kind == ERR_NOT_FOUND)
				snprintf(e.field, sizeof e.field, "guidance");
			return reply_err(r, &e);
		}
	} else {
		guidance_init_baseline(&g);
	}
	facts_init(&f);
	if (facts_parse(&f, in, &g, &e)) {
		ret = reply_err(r, &e);
		goto out;
	}
	if (f.today == DATE_NONE)
		f.today = date_of_ts(r->now);
	if (f.discovered_at == TS_NONE)
		f.discovered_at = r->now;
	if (assess(&f, &g, &a, &e))
		ret = reply_err(r, &e);
	else
		ret = reply_json(r, 200, assessment_to_json(&a, &f, &g));
out:
	json_decref(in);
	guidance_release(&g);
	return ret;
}

/* ---- people and organisations ---- */

enum MHD_Result api_people_create(struct req *r)
{
	struct err e = {0};
	struct person p;
	const char *name, *email, *mgr, *staff, *org;
	int eng, clr;
	enum MHD_Result ret;
	json_t *in = req_json(r, &e);
	person_init(&p);
	if (!in)
		return reply_err(r, &e);
	const char *mkey = json_object_get(in, "line_manager") ? "line_manager" : "manager";
	if (jsonx_str(in, "staff_id", "staff_id", STAFF_MAX - 1, true, NULL, &staff, &e) ||
	    jsonx_str(in, "name", "name", PERSON_NAME_MAX, true, NULL, &name, &e) ||
	    jsonx_str(in, "email", "email", PERSON_EMAIL_MAX, false, NULL, &email, &e) ||
	    jsonx_str(in, "org", "org", CODE_MAX - 1, true, NULL, &org, &e) ||
	    jsonx_str(in, mkey, mkey, STAFF_MAX - 1, false, NULL, &mgr, &e) ||
	    jsonx_enum(in, "engagement", "engagement", &vocab_engagement, ENG_EMPLOYEE, &eng, &e) ||
	    jsonx_enum(in, "clearance", "clearance", &vocab_clearance, CLR_BPSS, &clr, &e) ||
	    jsonx_date(in, "probation_until", "probation_until", DATE_NONE, &p.probation_until, &e)) {
		ret = reply_err(r, &e);
		goto out;
	}
	snprintf(p.staff_id, sizeof p.staff_id, "%s", staff);
	p.name = xstrdup(name);
	p.email = xstrdup(email);
	snprintf(p.org, sizeof p.org, "%s", org);
	snprintf(p.manager, sizeof p.manager, "%s", mgr ? mgr : "");
	p.engagement = (enum engagement)eng;
	p.clearance = (enum clearance)clr;
	if (registry_person_add(r->store, &r->actor, &p, r->now, &e))
		ret = reply_err(r, &e);
	else
		ret = reply_json(r, 201, person_to_json(&p));
out:
	json_decref(in);
	person_release(&p);
	return ret;
}

enum MHD_Result api_person_get(struct req *r)
{
	struct err e = {0};
	struct person p;
	enum MHD_Result ret;
	person_init(&p);
	if (r->store->ops->person_get(r->store, r->params[0], &p, &e)) {
		if (e.kind == ERR_NOT_FOUND)
			err_set(&e, ERR_NOT_FOUND, "staff_id", "unknown person \"%s\"", r->params[0]);
		ret = reply_err(r, &e);
	} else if (!authz_power(&r->actor, POW_ORGS) &&
		   registry_person_visible(r->store, &r->actor, &p, &e)) {
		/* Admins keep people's records (not their warnings). */
		ret = reply_err(r, &e);
	} else {
		ret = reply_json(r, 200, person_to_json(&p));
	}
	person_release(&p);
	return ret;
}

enum MHD_Result api_person_warnings(struct req *r)
{
	struct err e = {0};
	json_t *out;
	if (registry_warnings(r->store, &r->actor, r->params[0], r->now, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}

enum MHD_Result api_orgs_list(struct req *r)
{
	struct err e = {0};
	struct org *list = NULL;
	size_t n = 0;
	if (r->store->ops->org_list(r->store, &list, &n, &e))
		return reply_err(r, &e);
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, org_to_json(&list[i]));
	org_list_free(list, n);
	return reply_json(r, 200, json_pack("{s:o}", "orgs", arr));
}

enum MHD_Result api_orgs_create(struct req *r)
{
	struct err e = {0};
	struct org o;
	const char *code, *name, *parent, *head;
	int disc;
	int64_t headcount;
	enum MHD_Result ret;
	json_t *in = req_json(r, &e);
	org_init(&o);
	if (!in)
		return reply_err(r, &e);
	if (jsonx_str(in, "code", "code", CODE_MAX - 1, true, NULL, &code, &e) ||
	    jsonx_str(in, "name", "name", ORG_NAME_MAX, true, NULL, &name, &e) ||
	    jsonx_str(in, "parent", "parent", CODE_MAX - 1, false, "", &parent, &e) ||
	    jsonx_str(in, "head", "head", STAFF_MAX - 1, false, "", &head, &e) ||
	    jsonx_enum(in, "discipline_policy", "discipline_policy", &vocab_discipline, -1, &disc,
		       &e) ||
	    jsonx_int(in, "headcount", "headcount", 0, 10000000, -1, &headcount, &e)) {
		ret = reply_err(r, &e);
		goto out;
	}
	snprintf(o.code, sizeof o.code, "%s", code);
	o.name = xstrdup(name);
	snprintf(o.parent, sizeof o.parent, "%s", parent);
	snprintf(o.head, sizeof o.head, "%s", head);
	o.discipline_policy = disc;
	o.headcount = headcount;
	if (registry_org_add(r->store, &r->actor, &o, r->now, &e))
		ret = reply_err(r, &e);
	else
		ret = reply_json(r, 201, org_to_json(&o));
out:
	json_decref(in);
	org_release(&o);
	return ret;
}

/* ---- catalogue and guidance ---- */

enum MHD_Result api_catalogue(struct req *r)
{
	struct err e = {0};
	struct guidance g;
	const char *org = req_arg(r, "org");
	if (!authz_power(&r->actor, POW_CATALOGUE))
		return reply_problem(r, 403, NULL, NULL, "this account may not read the catalogue");
	if (registry_guidance_resolve(r->store, org ? org : CATALOGUE_ROOT_ORG, &g, &e))
		return reply_err(r, &e);
	json_t *types = json_array();
	for (size_t i = 0; i < g.ntypes; i++)
		json_array_append_new(types, guidance_type_to_json(&g.types[i]));
	json_t *out = json_pack("{s:s, s:s, s:o}", "org", org ? org : CATALOGUE_ROOT_ORG,
				"guidance_version", g.version, "types", types);
	guidance_release(&g);
	return reply_json(r, 200, out);
}

enum MHD_Result api_guidance_get(struct req *r)
{
	struct err e = {0};
	json_t *out;
	long version = 0;
	const char *v = req_arg(r, "version");
	if (v) {
		char *end;
		version = strtol(v, &end, 10);
		if (!*v || *end || version < 1) {
			err_set(&e, ERR_INVALID, "version", "\"version\" must be a number from 1");
			return reply_err(r, &e);
		}
	}
	if (!authz_power(&r->actor, POW_CATALOGUE))
		return reply_problem(r, 403, NULL, NULL, "this account may not read guidance");
	if (registry_guidance_show(r->store, r->params[0], (int)version, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}

enum MHD_Result api_guidance_history(struct req *r)
{
	struct err e = {0};
	json_t *out;
	if (!authz_power(&r->actor, POW_CATALOGUE))
		return reply_problem(r, 403, NULL, NULL, "this account may not read guidance");
	if (registry_guidance_history(r->store, r->params[0], &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}

enum MHD_Result api_guidance_publish(struct req *r)
{
	struct err e = {0};
	int version;
	json_t *in = req_json(r, &e);
	if (!in)
		return reply_err(r, &e);
	int rc = registry_guidance_publish(r->store, &r->actor, r->params[0], in, r->now, &version,
					   &e);
	json_decref(in);
	if (rc)
		return reply_err(r, &e);
	char label[VERSION_MAX];
	snprintf(label, sizeof label, "%s/%d", r->params[0], version);
	return reply_json(r, 201, json_pack("{s:s, s:i, s:s}", "org", r->params[0], "version",
					    version, "guidance_version", label));
}

/* ---- audit ---- */

static int audit_row_cb(const struct audit_entry *ae, void *ctx)
{
	json_array_append_new(ctx, audit_entry_to_json(ae));
	return 0;
}

enum MHD_Result api_audit_list(struct req *r)
{
	struct err e = {0};
	if (!authz_power(&r->actor, POW_AUDIT))
		return reply_problem(r, 403, NULL, NULL, "only the security team reads the audit log");
	json_t *arr = json_array();
	if (r->store->ops->audit_each(r->store, req_arg(r, "ref"), audit_row_cb, arr, &e)) {
		json_decref(arr);
		return reply_err(r, &e);
	}
	return reply_json(r, 200, json_pack("{s:o}", "entries", arr));
}

enum MHD_Result api_audit_verify(struct req *r)
{
	struct err e = {0};
	int64_t n;
	if (!authz_power(&r->actor, POW_AUDIT))
		return reply_problem(r, 403, NULL, NULL, "only the security team verifies the audit log");
	if (registry_audit_verify(r->store, &n, &e)) {
		if (e.kind == ERR_RUNTIME)
			return reply_err(r, &e);
		return reply_json(r, 200, json_pack("{s:b, s:I, s:s, s:s}", "ok", 0, "verified",
						    (json_int_t)n, "entry", e.field, "error", e.msg));
	}
	return reply_json(r, 200, json_pack("{s:b, s:I}", "ok", 1, "verified", (json_int_t)n));
}
