/* api_incidents: the incident resources of SPEC 6.2. Each handler parses,
 * calls one registry service with the request's actor (the services
 * authorise), and replies with the CLI's --json shapes. */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"
#include "core/lifecycle.h"
#include "http/http.h"
#include "service/registry.h"

/* ---- list and create ---- */

struct list_ctx {
	json_t *arr;
};

static int list_cb(const struct incident *inc, unsigned perms, void *ctx)
{
	struct list_ctx *l = ctx;
	/* The summary only: free text and people are read (and audited) one
	 * incident at a time. */
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o}", "ref", inc->ref, "kind",
			      vocab_name(&vocab_kind, inc->kind), "org", inc->org, "status",
			      vocab_name(&vocab_state, inc->state), "severity",
			      inc->severity >= 0 ? json_string(vocab_name(&vocab_severity, inc->severity))
						 : json_null(),
			      "types", json_array());
	for (int i = 0; i < inc->ntypes; i++)
		json_array_append_new(json_object_get(o, "types"), json_string(inc->types[i]));
	char at[TS_BUF];
	date_format_ts(inc->reported_at, at);
	json_object_set_new(o, "reported_at", json_string(at));
	date_format_ts(inc->discovered_at, at);
	json_object_set_new(o, "discovered_at", json_string(at));
	json_object_set_new(o, "view", json_string(perms & PERM_SEE_CASE ? "case" : "report"));
	json_array_append_new(l->arr, o);
	return 0;
}

static int parse_when(const char *v, const char *field, bool end, ts_t *out, struct err *e)
{
	if (date_parse_bound(v, end, out) == 0)
		return 0;
	return err_set(e, ERR_INVALID, field, "\"%s\" must be a date YYYY-MM-DD or a UTC time", field);
}

static int parse_filter(struct req *r, struct incident_filter *f, struct err *e)
{
	const char *v;
	incident_filter_init(f);
	if ((v = req_arg(r, "org"))) {
		if (!jsonx_is_code(v))
			return err_set(e, ERR_INVALID, "org", "invalid organisation code");
		snprintf(f->org, sizeof f->org, "%s", v);
	}
	if ((v = req_arg(r, "status")) && (f->state = vocab_parse(&vocab_state, v)) < 0)
		return err_set(e, ERR_INVALID, "status", "invalid value \"%.40s\" for \"status\"", v);
	if ((v = req_arg(r, "severity")) && (f->severity = vocab_parse(&vocab_severity, v)) < 0)
		return err_set(e, ERR_INVALID, "severity", "invalid value \"%.40s\" for \"severity\"", v);
	if ((v = req_arg(r, "type"))) {
		if (!jsonx_is_code(v))
			return err_set(e, ERR_INVALID, "type", "invalid breach type");
		snprintf(f->type, sizeof f->type, "%s", v);
	}
	if ((v = req_arg(r, "subject"))) {
		if (!jsonx_is_staff_id(v))
			return err_set(e, ERR_INVALID, "subject", "invalid staff id");
		snprintf(f->subject, sizeof f->subject, "%s", v);
	}
	if ((v = req_arg(r, "from")) && parse_when(v, "from", false, &f->from, e))
		return -1;
	if ((v = req_arg(r, "to")) && parse_when(v, "to", true, &f->to, e))
		return -1;
	f->limit = 100;
	if ((v = req_arg(r, "limit"))) {
		char *end;
		f->limit = strtoll(v, &end, 10);
		if (!*v || *end || f->limit < 1 || f->limit > 1000)
			return err_set(e, ERR_INVALID, "limit", "\"limit\" must be from 1 to 1000");
	}
	if ((v = req_arg(r, "offset"))) {
		char *end;
		f->offset = strtoll(v, &end, 10);
		if (!*v || *end || f->offset < 0)
			return err_set(e, ERR_INVALID, "offset", "\"offset\" must be 0 or more");
	}
	return 0;
}

enum MHD_Result api_incidents_list(struct req *r)
{
	struct err e = {0};
	struct incident_filter f;
	struct list_ctx l = {json_array()};
	if (parse_filter(r, &f, &e) ||
	    registry_incident_list(r->store, &r->actor, &f, list_cb, &l, &e)) {
		json_decref(l.arr);
		return reply_err(r, &e);
	}
	return reply_json(r, 200,
			  json_pack("{s:o, s:I, s:I}", "incidents", l.arr, "limit",
				    (json_int_t)f.limit, "offset", (json_int_t)f.offset));
}

/* Reporting runs on the writer thread, in a group commit with the other
 * writes under way. */
struct report_job {
	json_t *in;
	struct incident inc;
};

static int report_job_run(struct store *s, void *arg, struct err *e)
{
	struct req *r = arg;
	struct report_job *j = r->job;
	return registry_report(s, &r->actor, j->in, r->now, &j->inc, e);
}

static void report_job_cleanup(struct req *r)
{
	struct report_job *j = r->job;
	json_decref(j->in);
	incident_release(&j->inc);
}

static enum MHD_Result report_job_finish(struct req *r)
{
	struct report_job *j = r->job;
	enum MHD_Result ret;
	if (r->job_rc) {
		ret = reply_err(r, &r->job_err);
	} else {
		r->location = arena_printf(&r->arena, "/api/v1/incidents/%s", j->inc.ref);
		ret = reply_json(r, 201, incident_to_json(&j->inc, true));
	}
	report_job_cleanup(r);
	return ret;
}

enum MHD_Result api_incidents_create(struct req *r)
{
	struct err e = {0};
	struct report_job *j = arena_alloc(&r->arena, sizeof *j);
	if (!(j->in = req_json(r, &e)))
		return reply_err(r, &e);
	incident_init(&j->inc);
	r->job = j;
	return reply_after_write(r, report_job_run, r, report_job_finish, report_job_cleanup);
}

/* ---- one incident ---- */

static enum MHD_Result show_part(struct req *r, const char *part)
{
	struct err e = {0};
	json_t *o;
	/* Read now; reply once the read's audit entry is durable. */
	if (registry_read_case(r->store, &r->actor, r->params[0], &o, &e))
		return reply_err(r, &e);
	if (!part)
		return reply_audited(r, o);
	json_t *arr = json_object_get(o, part);
	const char *view = json_string_value(json_object_get(o, "view"));
	if (!arr || !view || strcmp(view, "case") != 0) {
		json_decref(o);
		err_set(&e, ERR_FORBIDDEN, "ref", "%s may not see the case file of %s", r->actor.name,
			r->params[0]);
		return reply_err(r, &e);
	}
	json_t *out = json_pack("{s:s, s:O}", "ref", r->params[0], part, arr);
	json_decref(o);
	return reply_audited(r, out);
}

enum MHD_Result api_incident_get(struct req *r)
{
	return show_part(r, NULL);
}
enum MHD_Result api_notes_list(struct req *r)
{
	return show_part(r, "notes");
}
enum MHD_Result api_assessments_list(struct req *r)
{
	return show_part(r, "assessments");
}
enum MHD_Result api_decisions_list(struct req *r)
{
	return show_part(r, "decisions");
}
enum MHD_Result api_notices_list(struct req *r)
{
	return show_part(r, "notices");
}

enum MHD_Result api_transition(struct req *r)
{
	struct err e = {0};
	const char *to = NULL, *reason = NULL;
	json_t *in = req_json(r, &e);
	if (!in)
		return reply_err(r, &e);
	/* "status" as in the incident; "to" as in a transition record. */
	const char *key = json_object_get(in, "status") ? "status" : "to";
	if (jsonx_str(in, key, "status", 64, true, NULL, &to, &e) ||
	    jsonx_str(in, "reason", "reason", INCIDENT_REASON_MAX, false, NULL, &reason, &e) ||
	    registry_transition(r->store, &r->actor, r->params[0], to, reason, r->now, &e)) {
		json_decref(in);
		return reply_err(r, &e);
	}
	enum state st;
	lifecycle_parse_target(to, &st, NULL);
	json_t *out = json_pack("{s:s, s:s}", "ref", r->params[0], "status", vocab_name(&vocab_state, st));
	json_decref(in);
	return reply_json(r, 200, out);
}

enum MHD_Result api_note_create(struct req *r)
{
	struct err e = {0};
	const char *text;
	json_t *in = req_json(r, &e);
	if (!in)
		return reply_err(r, &e);
	if (jsonx_str(in, "text", "text", NOTE_MAX, true, NULL, &text, &e) ||
	    registry_note(r->store, &r->actor, r->params[0], text, r->now, &e)) {
		json_decref(in);
		return reply_err(r, &e);
	}
	json_t *out = json_pack("{s:s, s:s, s:s}", "ref", r->params[0], "author", r->actor.name,
				"text", text);
	json_decref(in);
	return reply_json(r, 201, out);
}

enum MHD_Result api_assessments_create(struct req *r)
{
	struct err e = {0};
	json_t *out;
	if (registry_assess_incident(r->store, &r->actor, r->params[0], r->now, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 201, out);
}

enum MHD_Result api_decision_create(struct req *r)
{
	struct err e = {0};
	struct decision d;
	const char *subject, *rationale, *override;
	int outcome, severity;
	enum MHD_Result ret;
	json_t *in = req_json(r, &e);
	decision_init(&d);
	if (!in)
		return reply_err(r, &e);
	if (jsonx_str(in, "subject", "subject", STAFF_MAX - 1, true, NULL, &subject, &e) ||
	    (!json_object_get(in, "outcome") &&
	     err_set(&e, ERR_INVALID, "outcome", "\"outcome\" is required")) ||
	    jsonx_enum(in, "outcome", "outcome", &vocab_outcome, 0, &outcome, &e) ||
	    (!json_object_get(in, "severity") &&
	     err_set(&e, ERR_INVALID, "severity", "\"severity\" is required")) ||
	    jsonx_enum(in, "severity", "severity", &vocab_severity, 0, &severity, &e) ||
	    jsonx_str(in, "rationale", "rationale", DECISION_TEXT_MAX, false, NULL, &rationale, &e) ||
	    jsonx_str(in, "override_reason", "override_reason", DECISION_TEXT_MAX, false, NULL,
		      &override, &e)) {
		ret = reply_err(r, &e);
		goto out;
	}
	snprintf(d.subject, sizeof d.subject, "%s", subject);
	d.outcome = (enum outcome)outcome;
	d.severity = (enum severity)severity;
	d.rationale = xstrdup(rationale);
	d.override_reason = xstrdup(override);
	if (registry_decide(r->store, &r->actor, r->params[0], &d, r->now, &e))
		ret = reply_err(r, &e);
	else
		ret = reply_json(r, 201, decision_to_json(&d));
out:
	json_decref(in);
	decision_release(&d);
	return ret;
}

enum MHD_Result api_notice_create(struct req *r)
{
	struct err e = {0};
	struct notice n;
	const char *subject;
	json_t *in = req_json(r, &e);
	if (!in)
		return reply_err(r, &e);
	if (jsonx_str(in, "subject", "subject", STAFF_MAX - 1, true, NULL, &subject, &e) ||
	    registry_notice(r->store, &r->actor, r->params[0], subject, r->now, &n, &e)) {
		json_decref(in);
		return reply_err(r, &e);
	}
	json_decref(in);
	json_t *out = notice_to_json(&n);
	notice_release(&n);
	return reply_json(r, 201, out);
}

enum MHD_Result api_ico_decision(struct req *r)
{
	struct err e = {0};
	struct ico_decision d;
	json_t *in = req_json(r, &e);
	if (!in)
		return reply_err(r, &e);
	int rc = registry_ico_decide(r->store, &r->actor, r->params[0], in, r->now, &d, &e);
	json_decref(in);
	if (rc)
		return reply_err(r, &e);
	json_t *out = ico_decision_to_json(&d, TS_NONE);
	ico_decision_release(&d);
	json_object_del(out, "within_72_hours"); /* the case read says, against discovery */
	return reply_json(r, 201, out);
}

enum MHD_Result api_hr_outcome(struct req *r)
{
	struct err e = {0};
	struct hr_outcome h;
	json_t *in = req_json(r, &e);
	if (!in)
		return reply_err(r, &e);
	int rc = registry_hr_outcome(r->store, &r->actor, r->params[0], in, r->now, &h, &e);
	json_decref(in);
	if (rc)
		return reply_err(r, &e);
	json_t *out = hr_outcome_to_json(&h);
	hr_outcome_release(&h);
	return reply_json(r, 201, out);
}

/* ---- one breach notice ---- */

enum MHD_Result api_notice_get(struct req *r)
{
	struct err e = {0};
	json_t *out;
	/* The service audits the read as a read of the notice's incident. */
	if (registry_notice_get(r->store, &r->actor, r->params[0], r->now, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}

enum MHD_Result api_notice_acknowledge(struct req *r)
{
	struct err e = {0};
	json_t *out;
	if (registry_notice_acknowledge(r->store, &r->actor, r->params[0], r->now, &e) ||
	    registry_notice_get(r->store, &r->actor, r->params[0], r->now, &out, &e))
		return reply_err(r, &e);
	return reply_json(r, 200, out);
}
