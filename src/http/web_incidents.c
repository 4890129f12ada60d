/* web_incidents: the incident pages: the list with its filters, my
 * reports, one incident's page and the actions on it (transitions, notes,
 * assessment). */
#include "http/http.h"
#include "http/web.h"

enum MHD_Result page_incidents(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_my_reports(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_incident(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_incident_transition(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_incident_note(struct req *r) { return web_error(r, 501, "Not built yet."); }
enum MHD_Result page_incident_assess(struct req *r) { return web_error(r, 501, "Not built yet."); }
