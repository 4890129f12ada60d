/* web_routes: the web pages' routes table (SPEC 6.3, issue 4), matched
 * after the API's (routes.c). The API's OpenAPI document does not list
 * these: they answer HTML. Order matters where a literal segment and a
 * parameter could both match ("/report/check" before "/report/{step}"). */
#include "http/http.h"
#include "http/web.h"

const struct api_route page_routes[] = {
	{"GET", "/assets/{*}", page_asset, AUTH_NONE, "fingerprinted static assets"},
	{"GET", "/login", page_login_form, AUTH_NONE, "the sign-in page"},
	{"POST", "/login", page_login, AUTH_NONE, "sign in"},
	{"POST", "/logout", page_logout, AUTH_PAGE, "sign out"},
	{"GET", "/", page_home, AUTH_PAGE, "home"},
	{"GET", "/report", page_report_start, AUTH_PAGE, "report a security breach: start"},
	{"POST", "/report", page_report_discard, AUTH_PAGE, "start the report again"},
	{"GET", "/report/check", page_report_check, AUTH_PAGE, "check your answers"},
	{"POST", "/report/check", page_report_submit, AUTH_PAGE, "send the report"},
	{"GET", "/report/done/{ref}", page_report_done, AUTH_PAGE, "report sent"},
	{"GET", "/report/{step}", page_report_step, AUTH_PAGE, "one question of the report"},
	{"POST", "/report/{step}", page_report_save, AUTH_PAGE, "answer one question"},
	{"GET", "/incidents", page_incidents, AUTH_PAGE, "incidents"},
	{"GET", "/my-reports", page_my_reports, AUTH_PAGE, "the incidents I reported"},
	{"GET", "/incidents/{ref}", page_incident, AUTH_PAGE, "one incident"},
	{"POST", "/incidents/{ref}/transition", page_incident_transition, AUTH_PAGE,
	 "move along the lifecycle"},
	{"POST", "/incidents/{ref}/notes", page_incident_note, AUTH_PAGE, "add a note"},
	{"POST", "/incidents/{ref}/assessment", page_incident_assess, AUTH_PAGE,
	 "assess each subject"},
	{"GET", "/incidents/{ref}/decide", page_decision_form, AUTH_PAGE, "the decision form"},
	{"POST", "/incidents/{ref}/decide", page_decision, AUTH_PAGE, "record a decision"},
	{"POST", "/incidents/{ref}/notices", page_notice_issue, AUTH_PAGE, "issue a breach notice"},
	{"GET", "/notices/{number}", page_notice, AUTH_PAGE, "a breach notice, printable"},
	{"POST", "/notices/{number}/acknowledge", page_notice_ack, AUTH_PAGE,
	 "acknowledge a breach notice"},
	{"GET", "/people/{staff_id}", page_person, AUTH_PAGE, "a person's warnings"},
	{"GET", "/trends", page_trends, AUTH_PAGE, "trends dashboard"},
	{"GET", "/trends/return", page_trends_return, AUTH_PAGE, "the quarterly return"},
	{"GET", "/catalogue", page_catalogue, AUTH_PAGE, "the guidance in force"},
	{"GET", "/audit", page_audit, AUTH_PAGE, "the audit log"},
};
const size_t page_routes_count = sizeof page_routes / sizeof page_routes[0];
