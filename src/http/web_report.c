/* web_report: "Report a security breach", a GOV.UK question journey. */
#include "http/http.h"
#include "http/web.h"

enum MHD_Result page_report_start(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_report_step(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_report_save(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_report_check(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_report_submit(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_report_done(struct req *r) { return web_error(r, 501, "Not built yet."); }
