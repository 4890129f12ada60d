/* web_record: the central record's pages: the trends dashboard (SVG
 * charts beside their tables), the guidance catalogue and the audit log. */
#include "http/http.h"
#include "http/web.h"

enum MHD_Result page_trends(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_catalogue(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_audit(struct req *r) { return web_error(r, 501, "Not built yet."); }
