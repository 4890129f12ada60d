/* web_decide: the decision form and breach notices (issue, print,
 * acknowledge). */
#include "http/http.h"
#include "http/web.h"

enum MHD_Result page_decision_form(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_decision(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_notice_issue(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_notice(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_notice_ack(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_person(struct req *r) { return web_error(r, 501, "Not built yet."); }
