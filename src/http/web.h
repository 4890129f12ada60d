/* web: the HTML pages of SPEC 6.3 (issue 4), server-rendered from the
 * templates in web/templates (embedded at build, compiled once when the
 * server starts) into the layout, in the GOV.UK Design System and MoJ
 * Frontend. Every page works without JavaScript.
 *
 * The page routes (page_routes[] in web_routes.c) sit beside the API's:
 * AUTH_PAGE routes need a session cookie (a browser without one is sent to
 * /login) and never take bearer tokens; a POST to one must carry the
 * session's CSRF token in the form field "csrf" (web_form checks it).
 * Handlers parse, call one service with r->actor (the services
 * authorise, as for the API), and render or redirect (303, POST/redirect/
 * GET). Errors of the person's input re-render the form with the GOV.UK
 * error summary; other errors become an HTML error page of the status the
 * API would answer.
 *
 * Escaping: templates print data only through {{x}}, which escapes; raw
 * HTML comes only from template text and from trusted fragments that C
 * code builds (the SVG charts), each escaping its data with
 * template_escape (core/template.h).
 *
 * Ownership: json_t values passed to web_render are consumed. */
#ifndef BR_WEB_H
#define BR_WEB_H
#include <jansson.h>
#include <microhttpd.h>

#include "core/err.h"
#include "core/template.h"
#include "http/form.h"

struct req;
struct views;

/* Compiles every embedded template; *out is freed with views_free. A
 * template that does not compile is the build's fault: e names it. */
int views_new(struct views **out, struct err *e);
void views_free(struct views *v);

/* What a handler gives the layout. */
struct web_page {
	const char *title;    /* the <title> before " - Security Breach Register" */
	const char *template; /* the page's template name (web/templates/NAME.html) */
	json_t *data;         /* the page's own context, {{page.x}} (consumed; may be NULL) */
	json_t *errors;       /* [{"field", "text"}] for the error summary (consumed; may be NULL) */
	const char *marking;  /* protective marking shown top and bottom, or NULL */
	const char *nav;      /* the current navigation item: "home", "report", "incidents", ... */
	const char *flash;    /* a success message for the notification banner, or NULL */
	/* Raw HTML fragments built by C code, for {{&name}} (borrowed; each
	 * escapes its data with template_escape). */
	const struct template_trusted *trusted;
	size_t n_trusted;
};

/* Renders p into the layout and replies with status. */
enum MHD_Result web_render(struct req *r, unsigned status, struct web_page *p);
/* As web_render, but the reply waits until the read of incident
 * r->params[0] is in the audit log (SPEC 1: every read of a case). */
enum MHD_Result web_render_audited(struct req *r, struct web_page *p);
/* 303 See Other to a local path (a path from our own code or checked
 * with web_local_path). */
enum MHD_Result web_redirect(struct req *r, const char *path);
/* An HTML error page of status with a message for a person. */
enum MHD_Result web_error(struct req *r, unsigned status, const char *message);
/* An error from a service as the API would map it: 400/404/409/403/500. */
enum MHD_Result web_err(struct req *r, const struct err *e);
/* Parses the request body (or, for GET, the query string) into f; on a
 * POST also checks the CSRF token. -1 with e filled (ERR_INVALID for a
 * malformed form, ERR_FORBIDDEN "csrf" for a missing or wrong token). */
int web_form(struct req *r, struct form *f, struct err *e);
/* True when path is a local path we may redirect to ("/x...", not "//"). */
bool web_local_path(const char *path);
/* An errors array entry, for the error summary: appends {field, text}. */
void web_error_add(json_t *errors, const char *field, const char *text);
/* The GOV.UK error summary from a service's error on a form: one entry
 * naming e->field (as the form's input id map gives it) with e->msg. */
json_t *web_errors_from(const struct err *e, const char *field_id);

/* Page handlers (web_*.c). */
enum MHD_Result page_asset(struct req *r);
enum MHD_Result page_login_form(struct req *r);
enum MHD_Result page_login(struct req *r);
enum MHD_Result page_logout(struct req *r);
enum MHD_Result page_home(struct req *r);

enum MHD_Result page_report_start(struct req *r);
enum MHD_Result page_report_discard(struct req *r);
enum MHD_Result page_report_step(struct req *r);
enum MHD_Result page_report_save(struct req *r);
enum MHD_Result page_report_check(struct req *r);
enum MHD_Result page_report_submit(struct req *r);
enum MHD_Result page_report_done(struct req *r);

enum MHD_Result page_incidents(struct req *r);
enum MHD_Result page_my_reports(struct req *r);
enum MHD_Result page_incident(struct req *r);
enum MHD_Result page_incident_transition(struct req *r);
enum MHD_Result page_incident_note(struct req *r);
enum MHD_Result page_incident_assess(struct req *r);
enum MHD_Result page_decision_form(struct req *r);
enum MHD_Result page_decision(struct req *r);
enum MHD_Result page_notice_issue(struct req *r);
enum MHD_Result page_notice(struct req *r);
enum MHD_Result page_notice_ack(struct req *r);
enum MHD_Result page_person(struct req *r);
enum MHD_Result page_trends(struct req *r);
enum MHD_Result page_trends_return(struct req *r);
enum MHD_Result page_catalogue(struct req *r);
enum MHD_Result page_audit(struct req *r);

#endif
