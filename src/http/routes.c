/* routes: the API's routes table (SPEC 6.2) and path matching. One row per
 * method and path; "{name}" segments are captured in order into
 * r->params. The OpenAPI document (web/openapi.json) lists the same rows,
 * and a test keeps them in step. */
#include <stdio.h>
#include <string.h>

#include "http/http.h"

const struct api_route routes[] = {
	{"GET", "/healthz", api_health, AUTH_NONE, "liveness and store check"},
	{"GET", "/metrics", api_metrics, AUTH_NONE, "Prometheus metrics"},
	{"GET", "/api/v1/openapi.json", api_openapi, AUTH_NONE, "this API's OpenAPI 3.1 document"},
	{"POST", "/api/v1/session", api_session_create, AUTH_NONE, "sign in"},
	{"GET", "/api/v1/session", api_session_get, AUTH_ANY, "who is signed in"},
	{"DELETE", "/api/v1/session", api_session_delete, AUTH_ANY, "sign out"},
	{"POST", "/api/v1/assess", api_assess, AUTH_ANY, "assess facts (SPEC 3)"},
	{"GET", "/api/v1/incidents", api_incidents_list, AUTH_ANY, "list incidents"},
	{"POST", "/api/v1/incidents", api_incidents_create, AUTH_ANY, "report an incident"},
	{"GET", "/api/v1/incidents/{ref}", api_incident_get, AUTH_ANY, "one incident"},
	{"POST", "/api/v1/incidents/{ref}/transitions", api_transition, AUTH_ANY,
	 "move along the lifecycle"},
	{"GET", "/api/v1/incidents/{ref}/notes", api_notes_list, AUTH_ANY, "investigation notes"},
	{"POST", "/api/v1/incidents/{ref}/notes", api_note_create, AUTH_ANY, "append a note"},
	{"GET", "/api/v1/incidents/{ref}/assessments", api_assessments_list, AUTH_ANY,
	 "stored assessments"},
	{"POST", "/api/v1/incidents/{ref}/assessments", api_assessments_create, AUTH_ANY,
	 "assess every undecided subject"},
	{"GET", "/api/v1/incidents/{ref}/decisions", api_decisions_list, AUTH_ANY, "decisions"},
	{"POST", "/api/v1/incidents/{ref}/decisions", api_decision_create, AUTH_ANY,
	 "record a decision"},
	{"GET", "/api/v1/incidents/{ref}/notices", api_notices_list, AUTH_ANY, "breach notices"},
	{"POST", "/api/v1/incidents/{ref}/notices", api_notice_create, AUTH_ANY,
	 "issue a breach notice"},
	{"GET", "/api/v1/notices/{number}", api_notice_get, AUTH_ANY, "one breach notice"},
	{"POST", "/api/v1/notices/{number}/acknowledgement", api_notice_acknowledge, AUTH_ANY,
	 "acknowledge a breach notice (its addressee)"},
	{"POST", "/api/v1/incidents/{ref}/ico-decision", api_ico_decision, AUTH_ANY,
	 "record the DPO's ICO notification decision"},
	{"POST", "/api/v1/incidents/{ref}/hr-outcomes", api_hr_outcome, AUTH_ANY,
	 "record HR's disciplinary outcome"},
	{"POST", "/api/v1/people", api_people_create, AUTH_ANY, "add a person"},
	{"GET", "/api/v1/people/{staff_id}", api_person_get, AUTH_ANY, "one person"},
	{"GET", "/api/v1/people/{staff_id}/warnings", api_person_warnings, AUTH_ANY,
	 "a person's warnings"},
	{"GET", "/api/v1/orgs", api_orgs_list, AUTH_ANY, "organisations"},
	{"POST", "/api/v1/orgs", api_orgs_create, AUTH_ANY, "add an organisation"},
	{"GET", "/api/v1/catalogue", api_catalogue, AUTH_ANY, "breach types under a guidance"},
	{"GET", "/api/v1/guidance/{org}", api_guidance_get, AUTH_ANY, "guidance in force"},
	{"POST", "/api/v1/guidance/{org}", api_guidance_publish, AUTH_ANY,
	 "publish a guidance version"},
	{"GET", "/api/v1/guidance/{org}/history", api_guidance_history, AUTH_ANY,
	 "guidance versions"},
	{"GET", "/api/v1/audit", api_audit_list, AUTH_ANY, "the audit log"},
	{"GET", "/api/v1/audit/verify", api_audit_verify, AUTH_ANY, "verify the audit chain"},
	{"GET", "/api/v1/trends", api_trends, AUTH_ANY, "counts and rates from the central record"},
	{"GET", "/api/v1/signals", api_signals, AUTH_ANY,
	 "rising trends, repeat subjects, control adequacy, consistency"},
	{"GET", "/api/v1/returns/{quarter}", api_return, AUTH_ANY,
	 "the quarterly return of departmental security incidents"},
	{"GET", "/api/v1/exports/{format}", api_export, AUTH_ANY,
	 "export incidents as CSV, JSON or VERIS"},
};
const size_t routes_count = sizeof routes / sizeof routes[0];

const struct api_route *route_at(size_t i)
{
	return i < routes_count ? &routes[i] : &page_routes[i - routes_count];
}

size_t routes_total(void)
{
	return routes_count + page_routes_count;
}

/* Matches one pattern against a path, capturing parameters into the
 * request's arena. A parameter is one non-empty segment; a pattern that
 * ends "{*}" captures the non-empty rest of the path. */
static bool match(struct req *r, const char *pat, const char *path, const char **params)
{
	int np = 0;
	while (*pat && *path) {
		if (strcmp(pat, "{*}") == 0) {
			if (np >= MAX_PATH_PARAMS)
				return false;
			params[np] = arena_strdup(&r->arena, path);
			return true;
		}
		if (*pat == '{') {
			const char *pe = strchr(pat, '}');
			const char *se = strchr(path, '/');
			size_t n = se ? (size_t)(se - path) : strlen(path);
			if (!pe || n == 0 || np >= MAX_PATH_PARAMS)
				return false;
			params[np++] = arena_strndup(&r->arena, path, n);
			pat = pe + 1;
			path += n;
			continue;
		}
		if (*pat != *path)
			return false;
		pat++;
		path++;
	}
	return *pat == '\0' && (*path == '\0' || (path[0] == '/' && path[1] == '\0'));
}

const struct api_route *routes_match(struct req *r, const char *path, bool *path_known)
{
	const char *params[MAX_PATH_PARAMS];
	size_t n = routes_total();
	*path_known = false;
	for (size_t i = 0; i < n; i++) {
		const struct api_route *rt = route_at(i);
		if (!match(r, rt->pattern, path, params))
			continue;
		*path_known = true;
		/* HEAD is GET without the body (libmicrohttpd drops it). */
		bool head = strcmp(r->method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0;
		if (!head && strcmp(rt->method, r->method) != 0)
			continue;
		memcpy(r->params, params, sizeof params);
		r->route_index = (int)i;
		return rt;
	}
	return NULL;
}

void routes_allowed(const char *path, char *buf, size_t size)
{
	struct req scratch = {0};
	const char *params[MAX_PATH_PARAMS];
	size_t off = 0;
	buf[0] = '\0';
	arena_init(&scratch.arena);
	for (size_t i = 0; i < routes_total() && off < size; i++)
		if (match(&scratch, route_at(i)->pattern, path, params) &&
		    !strstr(buf, route_at(i)->method))
			off += (size_t)snprintf(buf + off, size - off, "%s%s", off ? ", " : "",
						route_at(i)->method);
	arena_release(&scratch.arena);
}
