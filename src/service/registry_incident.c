/* registry_incident: the incident lifecycle as services: report,
 * transition, note, assess, decide, notice, show (see registry.h). Every
 * writing call is one transaction with its audit entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/assess.h"
#include "core/catalogue.h"
#include "core/lifecycle.h"
#include "service/registry.h"
#include "service/registry_internal.h"

const char *registry_marking(const struct incident *inc)
{
	if (inc->records > 0 || inc->special_category)
		return "OFFICIAL-SENSITIVE HR / MANAGEMENT / PERSONAL DATA";
	return "OFFICIAL-SENSITIVE HR / MANAGEMENT";
}

static int get_incident(struct store *s, const char *ref, struct incident *inc, struct err *e)
{
	incident_init(inc);
	if (s->ops->incident_get(s, ref, inc, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "ref", "no incident \"%.32s\"", ref);
		return -1;
	}
	return 0;
}

int reg_power(const struct actor *a, enum power p, struct err *e)
{
	if (authz_power(a, p))
		return 0;
	return err_set(e, ERR_FORBIDDEN, "", "%s may not do this", a->name);
}

/* Whether manager is above staff_id in the line-management chain. */
static int manages(struct store *s, const char *manager, const char *staff_id, bool *out,
		   struct err *e)
{
	char cur[STAFF_MAX];
	*out = false;
	snprintf(cur, sizeof cur, "%s", staff_id);
	for (int depth = 0; depth < REG_MAX_DEPTH && cur[0]; depth++) {
		struct person p;
		person_init(&p);
		if (s->ops->person_get(s, cur, &p, e)) {
			if (e->kind != ERR_NOT_FOUND)
				return -1;
			err_clear(e);
			return 0;
		}
		snprintf(cur, sizeof cur, "%s", p.manager);
		person_release(&p);
		if (cur[0] && strcmp(cur, manager) == 0) {
			*out = true;
			return 0;
		}
	}
	return 0;
}

/* A decision or notice concerns one subject: beyond PERM_DECIDE on the
 * incident (which a manager has when any subject is in their line), the
 * actor must manage that subject, unless they are security. */
static int may_decide_for(struct store *s, const struct actor *a, const char *subject,
			  struct err *e)
{
	bool m = false;
	if (authz_is_security(a))
		return 0;
	if (a->staff_id[0] && manages(s, a->staff_id, subject, &m, e))
		return -1;
	if (!m)
		return err_set(e, ERR_FORBIDDEN, "subject",
			       "\"%s\" is not in %s's line: their manager or security decides",
			       subject, a->name);
	return 0;
}

int reg_scope(struct store *s, const struct actor *a, const struct incident *inc,
	      struct incident_scope *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	out->personal_data = inc->records > 0 || inc->special_category;
	out->confidential_reporter = inc->confidential_reporter;
	if (!a->staff_id[0])
		return 0;
	out->is_reporter = strcmp(inc->reporter, a->staff_id) == 0;
	/* Only the relations the actor's roles can use are looked up: a
	 * line-management walk for managers, the organisation tree for those
	 * whose reach is their subtree. */
	bool want_line = a->roles & ROLE_BIT(ROLE_MANAGER);
	bool want_org = a->roles & (ROLE_BIT(ROLE_INVESTIGATOR) | ROLE_BIT(ROLE_HR));
	for (int i = 0; i < inc->nsubjects; i++) {
		bool m = false;
		out->is_subject |= strcmp(inc->subjects[i], a->staff_id) == 0;
		if (want_line && !out->manages_subject &&
		    manages(s, a->staff_id, inc->subjects[i], &m, e))
			return -1;
		out->manages_subject |= m;
	}
	if (want_org && a->org[0]) {
		char chain[REG_MAX_DEPTH][CODE_MAX];
		int n;
		if (reg_org_chain(s, inc->org, chain, REG_MAX_DEPTH, &n, e))
			return -1;
		for (int i = 0; i < n; i++)
			out->in_org |= strcmp(chain[i], a->org) == 0;
	}
	return 0;
}

int reg_incident_for(struct store *s, const struct actor *a, const char *ref, unsigned need,
		     struct incident *inc, unsigned *perms, struct err *e)
{
	struct incident_scope sc;
	unsigned p;
	if (get_incident(s, ref, inc, e))
		return -1;
	if (a->system) {
		p = ~0u;
	} else {
		if (reg_scope(s, a, inc, &sc, e))
			return -1;
		p = authz_incident(a, &sc);
	}
	if (perms)
		*perms = p;
	if (!(p & PERM_SEE))
		return err_set(e, ERR_NOT_FOUND, "ref", "no incident \"%.32s\"", ref);
	if ((p & need) != need)
		return err_set(e, ERR_FORBIDDEN, "ref", "%s may not do this on %s", a->name, ref);
	return 0;
}

int registry_incident_perms(struct store *s, const struct actor *a, const char *ref,
			    unsigned *perms, struct err *e)
{
	struct incident inc;
	int ret = reg_incident_for(s, a, ref, PERM_SEE, &inc, perms, e);
	incident_release(&inc);
	return ret;
}

int registry_may_decide_for(struct store *s, const struct actor *a, const char *subject,
			    bool *ok, struct err *e)
{
	struct err why = {0};
	*ok = false;
	if (may_decide_for(s, a, subject, &why) == 0) {
		*ok = true;
		return 0;
	}
	if (why.kind == ERR_FORBIDDEN)
		return 0;
	*e = why;
	return -1;
}

bool reg_is_subject(const struct incident *inc, const char *staff_id)
{
	for (int i = 0; i < inc->nsubjects; i++)
		if (strcmp(inc->subjects[i], staff_id) == 0)
			return true;
	return false;
}

static int person_exists(struct store *s, const char *staff_id, const char *field, struct err *e)
{
	struct person p;
	person_init(&p);
	int rc = s->ops->person_get(s, staff_id, &p, e);
	person_release(&p);
	if (rc && e->kind == ERR_NOT_FOUND)
		err_set(e, ERR_NOT_FOUND, field, "unknown person \"%s\"", staff_id);
	return rc;
}

int registry_report(struct store *s, const struct actor *a, const json_t *in, ts_t now,
		    struct incident *out, struct err *e)
{
	struct guidance g;
	char org[CODE_MAX], name[32];
	bool have_g = false;
	int ret = -1;

	incident_init(out);
	if (reg_power(a, POW_REPORT, e) || incident_org_code(in, org, e))
		return -1;
	if (s->ops->begin(s, e))
		return -1;
	if (registry_guidance_resolve(s, org, &g, e))
		goto out;
	have_g = true;
	if (incident_parse(out, in, &g, now, e))
		goto out;
	if (a->staff_id[0])
		snprintf(out->reporter, sizeof out->reporter, "%s", a->staff_id);
	if (!out->reporter[0]) {
		err_set(e, ERR_INVALID, "reporter", "\"reporter\" is required: the staff id of who reports");
		goto out;
	}
	if (person_exists(s, out->reporter, "reporter", e))
		goto out;
	for (int i = 0; i < out->nsubjects; i++) {
		/* A self-report names the reporter, who was just found. */
		if (strcmp(out->subjects[i], out->reporter) == 0)
			continue;
		snprintf(name, sizeof name, "subjects[%d]", i);
		if (person_exists(s, out->subjects[i], name, e))
			goto out;
	}
	if (out->nsubjects == 0) {
		/* No one identified: the head of unit is accountable (SPEC 4). */
		if (reg_org_head(s, org, out->subjects[0], e))
			goto out;
		if (!out->subjects[0][0]) {
			err_set(e, ERR_INVALID, "subjects",
				"no subject named and organisation \"%s\" has no head of unit", org);
			goto out;
		}
		if (person_exists(s, out->subjects[0], "subjects", e))
			goto out;
		out->nsubjects = 1;
	}
	if (s->ops->incident_insert(s, out, e))
		goto out;
	struct rollup_snap none;
	reg_rollup_none(&none);
	if (reg_rollup_after(s, out->ref, &none, e))
		goto out;
	json_t *types = json_array(), *subs = json_array();
	for (int i = 0; i < out->ntypes; i++)
		json_array_append_new(types, json_string(out->types[i]));
	for (int i = 0; i < out->nsubjects; i++)
		json_array_append_new(subs, json_string(out->subjects[i]));
	if (reg_audit(s, a, now, "incident.report", out->ref,
		      json_pack("{s:s, s:s, s:o, s:o, s:s}", "org", out->org, "kind",
				vocab_name(&vocab_kind, out->kind), "types", types, "subjects", subs,
				"reporter", out->reporter),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	if (have_g)
		guidance_release(&g);
	return ret;
}

int registry_transition(struct store *s, const struct actor *a, const char *ref,
			const char *target, const char *reason, ts_t now, struct err *e)
{
	struct incident inc;
	struct incident_transition t = {0};
	struct rollup_snap snap;
	enum state to;
	bool has_reason = reason && reason[strspn(reason, " \t\r\n")];
	int ret = -1;

	incident_init(&inc);
	reg_rollup_none(&snap);
	if (lifecycle_parse_target(target, &to, e))
		return -1;
	if (reason && strlen(reason) > INCIDENT_REASON_MAX)
		return err_set(e, ERR_INVALID, "reason", "\"reason\" is too long (at most %d bytes)",
			       INCIDENT_REASON_MAX);
	if (s->ops->begin(s, e))
		return -1;
	unsigned perms;
	if (reg_incident_for(s, a, ref, PERM_WORK, &inc, &perms, e))
		goto out;
	if (lifecycle_check(inc.state, to, (perms & PERM_REOPEN) != 0, has_reason, e))
		goto out;
	if (to == ST_DECIDED) {
		for (int i = 0; i < inc.nsubjects; i++) {
			struct decision d;
			decision_init(&d);
			if (s->ops->decision_get(s, ref, inc.subjects[i], &d, e)) {
				if (e->kind == ERR_NOT_FOUND)
					err_set(e, ERR_CONFLICT, "status",
						"no decision is recorded for subject \"%s\" yet",
						inc.subjects[i]);
				goto out;
			}
			decision_release(&d);
		}
	}
	t.from = inc.state;
	t.to = to;
	snprintf(t.ref, sizeof t.ref, "%s", ref);
	snprintf(t.actor, sizeof t.actor, "%s", a->name);
	t.reason = has_reason ? xstrdup(reason) : NULL;
	t.at = now;
	inc.state = to;
	inc.updated_at = now;
	inc.closed_at = lifecycle_is_open(to) ? TS_NONE : now;
	if (reg_rollup_before(s, ref, &snap, e) || s->ops->incident_update(s, &inc, e) ||
	    s->ops->transition_insert(s, &t, e) || reg_rollup_after(s, ref, &snap, e))
		goto out;
	if (reg_audit(s, a, now, "incident.transition", ref,
		      json_pack("{s:s, s:s, s:o}", "from", vocab_name(&vocab_state, t.from), "to",
				vocab_name(&vocab_state, t.to), "reason",
				t.reason ? json_string(t.reason) : json_null()),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	incident_release(&inc);
	incident_transition_release(&t);
	reg_rollup_release(&snap);
	return ret;
}

int registry_note(struct store *s, const struct actor *a, const char *ref, const char *text,
		  ts_t now, struct err *e)
{
	struct incident inc;
	struct incident_note n = {0};
	int ret = -1;

	incident_init(&inc);
	if (!text || !text[strspn(text, " \t\r\n")])
		return err_set(e, ERR_INVALID, "text", "the note is empty");
	if (strlen(text) > NOTE_MAX)
		return err_set(e, ERR_INVALID, "text", "the note is too long (at most %d bytes)",
			       NOTE_MAX);
	if (s->ops->begin(s, e))
		return -1;
	if (reg_incident_for(s, a, ref, PERM_WORK, &inc, NULL, e))
		goto out;
	snprintf(n.ref, sizeof n.ref, "%s", ref);
	snprintf(n.author, sizeof n.author, "%s", a->name);
	n.body = xstrdup(text);
	n.at = now;
	inc.updated_at = now;
	if (s->ops->note_insert(s, &n, e) || s->ops->incident_update(s, &inc, e))
		goto out;
	if (reg_audit(s, a, now, "incident.note", ref,
		      json_pack("{s:I}", "bytes", (json_int_t)strlen(text)), e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	incident_release(&inc);
	incident_note_release(&n);
	return ret;
}

/* The facts of SPEC 3 for one subject: the incident's facts, the person
 * as subject, their warnings in the register (not those from this very
 * incident), today. New reference. */
static int subject_facts(struct store *s, const struct incident *inc, const char *staff_id,
			 ts_t now, json_t **out, struct err *e)
{
	struct person p;
	struct warning_record *ws = NULL;
	size_t nw = 0;
	enum discipline disc;
	char d[DATE_BUF];
	int ret = -1;

	person_init(&p);
	if (s->ops->person_get(s, staff_id, &p, e) ||
	    registry_org_discipline(s, p.org, &disc, e) ||
	    s->ops->warning_list(s, staff_id, &ws, &nw, e))
		goto out;
	json_t *f = incident_facts_json(inc);
	json_t *sub = json_pack("{s:s, s:s, s:s, s:s}", "engagement",
				vocab_name(&vocab_engagement, p.engagement), "clearance",
				vocab_name(&vocab_clearance, p.clearance), "org", p.org,
				"discipline_policy", vocab_name(&vocab_discipline, disc));
	if (p.probation_until != DATE_NONE) {
		date_format(p.probation_until, d);
		json_object_set_new(sub, "probation_until", json_string(d));
	}
	json_object_set_new(f, "subject", sub);
	/* The newest warnings matter; the engine takes a bounded number. */
	json_t *warr = json_array();
	size_t first = nw > FACTS_MAX_WARNINGS ? nw - FACTS_MAX_WARNINGS : 0;
	for (size_t i = first; i < nw; i++) {
		if (strcmp(ws[i].ref, inc->ref) == 0)
			continue;
		date_format(ws[i].issued_on, d);
		json_array_append_new(warr, json_pack("{s:s, s:s}", "level",
						      vocab_name(&vocab_warning_level, ws[i].level),
						      "issued_on", d));
	}
	json_object_set_new(f, "warnings", warr);
	date_format(date_of_ts(now), d);
	json_object_set_new(f, "today", json_string(d));
	*out = f;
	ret = 0;
out:
	person_release(&p);
	warning_record_list_free(ws, nw);
	return ret;
}

int registry_assess_incident(struct store *s, const struct actor *a, const char *ref, ts_t now,
			     json_t **out, struct err *e)
{
	struct incident inc;
	struct guidance g;
	struct rollup_snap snap;
	bool have_g = false;
	json_t *results = json_array();
	int ret = -1, worst = -1;

	incident_init(&inc);
	reg_rollup_none(&snap);
	if (s->ops->begin(s, e))
		goto out;
	if (reg_incident_for(s, a, ref, PERM_ASSESS, &inc, NULL, e) ||
	    reg_rollup_before(s, ref, &snap, e))
		goto out;
	if (inc.state > ST_AWAITING_DECISION) {
		err_set(e, ERR_CONFLICT, "status", "incident %s is %s: it can no longer be assessed",
			ref, vocab_name(&vocab_state, inc.state));
		goto out;
	}
	if (registry_guidance_resolve(s, inc.org, &g, e))
		goto out;
	have_g = true;
	/* A manager assesses only the subjects in their line: an assessment
	 * shows a person's warnings. Security and the organisation's
	 * investigators assess every subject. */
	bool all_subjects = authz_is_security(a);
	if (!all_subjects && (a->roles & ROLE_BIT(ROLE_INVESTIGATOR))) {
		struct incident_scope sc;
		if (reg_scope(s, a, &inc, &sc, e))
			goto out;
		all_subjects = sc.in_org;
	}
	for (int i = 0; i < inc.nsubjects; i++) {
		struct decision d;
		struct err nf = {0};
		bool mine = all_subjects;
		if (!mine && a->staff_id[0] && manages(s, a->staff_id, inc.subjects[i], &mine, e))
			goto out;
		if (!mine)
			continue;
		decision_init(&d);
		if (s->ops->decision_get(s, ref, inc.subjects[i], &d, &nf) == 0) {
			/* Already decided: its assessment stands as decided on. */
			if ((int)d.severity > worst)
				worst = d.severity;
			decision_release(&d);
			continue;
		}
		if (nf.kind != ERR_NOT_FOUND) {
			*e = nf;
			goto out;
		}
		json_t *fj = NULL;
		struct facts f;
		struct assessment as;
		struct assessment_record rec = {0};
		if (subject_facts(s, &inc, inc.subjects[i], now, &fj, e))
			goto out;
		facts_init(&f);
		int rc = facts_parse(&f, fj, &g, e) || assess(&f, &g, &as, e);
		if (rc) {
			json_decref(fj);
			goto out;
		}
		json_t *res = assessment_to_json(&as, &f, &g);
		snprintf(rec.ref, sizeof rec.ref, "%s", ref);
		snprintf(rec.subject, sizeof rec.subject, "%s", inc.subjects[i]);
		rec.severity = as.severity;
		rec.baseline = as.baseline;
		rec.route = as.route;
		rec.recommendation = as.recommendation;
		rec.live_warnings = as.live_warnings;
		snprintf(rec.guidance_version, sizeof rec.guidance_version, "%s", g.version);
		rec.facts = audit_detail(fj);
		rec.result = audit_detail(json_incref(res));
		snprintf(rec.assessed_by, sizeof rec.assessed_by, "%s", a->name);
		rec.assessed_at = now;
		rc = s->ops->assessment_put(s, &rec, e);
		if (!rc)
			rc = reg_audit(s, a, now, "incident.assess", ref,
				       json_pack("{s:s, s:s, s:s, s:s}", "subject", rec.subject,
						 "severity", vocab_name(&vocab_severity, as.severity),
						 "recommendation",
						 vocab_name(&vocab_recommendation, as.recommendation),
						 "guidance", g.version),
				       e);
		assessment_record_release(&rec);
		if (rc) {
			json_decref(res);
			goto out;
		}
		json_object_set_new(res, "subject", json_string(inc.subjects[i]));
		json_array_append_new(results, res);
		if ((int)as.severity > worst)
			worst = as.severity;
	}
	inc.severity = worst;
	inc.updated_at = now;
	if (s->ops->incident_update(s, &inc, e) || reg_rollup_after(s, ref, &snap, e) ||
	    s->ops->commit(s, e))
		goto out;
	*out = json_pack("{s:s, s:s, s:O}", "ref", ref, "guidance_version", g.version,
			 "assessments", results);
	ret = 0;
out:
	if (ret)
		s->ops->rollback(s);
	json_decref(results);
	if (have_g)
		guidance_release(&g);
	incident_release(&inc);
	reg_rollup_release(&snap);
	return ret;
}

int registry_decide(struct store *s, const struct actor *a, const char *ref, struct decision *d,
		    ts_t now, struct err *e)
{
	struct incident inc;
	struct assessment_record rec = {0};
	struct rollup_snap snap;
	int ret = -1;

	incident_init(&inc);
	reg_rollup_none(&snap);
	if (s->ops->begin(s, e))
		return -1;
	if (reg_incident_for(s, a, ref, PERM_DECIDE, &inc, NULL, e) ||
	    reg_rollup_before(s, ref, &snap, e))
		goto out;
	if (inc.state != ST_INVESTIGATING && inc.state != ST_AWAITING_DECISION) {
		err_set(e, ERR_CONFLICT, "status",
			"incident %s is %s: decisions are made while investigating or awaiting "
			"decision",
			ref, vocab_name(&vocab_state, inc.state));
		goto out;
	}
	if (!reg_is_subject(&inc, d->subject)) {
		err_set(e, ERR_INVALID, "subject", "\"%s\" is not a subject of %s", d->subject, ref);
		goto out;
	}
	if (may_decide_for(s, a, d->subject, e))
		goto out;
	if (s->ops->assessment_get(s, ref, d->subject, &rec, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_CONFLICT, "subject",
				"\"%s\" has not been assessed: run assess-incident first", d->subject);
		goto out;
	}
	if (decision_check(d, &rec, e))
		goto out;
	snprintf(d->ref, sizeof d->ref, "%s", ref);
	d->damage = inc.damage;
	d->intent = inc.intent;
	d->live_warnings = rec.live_warnings;
	d->assessed_severity = rec.severity;
	d->recommendation = rec.recommendation;
	if (d->override_reason && !d->override_reason[strspn(d->override_reason, " \t\r\n")]) {
		free(d->override_reason);
		d->override_reason = NULL;
	}
	snprintf(d->decided_by, sizeof d->decided_by, "%s", a->name);
	d->decided_at = now;
	if (s->ops->decision_insert(s, d, e)) {
		if (e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "subject", "a decision for \"%s\" on %s already exists",
				d->subject, ref);
		goto out;
	}
	if ((int)d->severity > inc.severity)
		inc.severity = d->severity;
	inc.updated_at = now;
	if (s->ops->incident_update(s, &inc, e) || reg_rollup_after(s, ref, &snap, e))
		goto out;
	if (reg_audit(s, a, now, "incident.decide", ref,
		      json_pack("{s:s, s:s, s:s, s:s, s:b}", "subject", d->subject, "severity",
				vocab_name(&vocab_severity, d->severity), "outcome",
				vocab_name(&vocab_outcome, d->outcome), "recommendation",
				vocab_name(&vocab_recommendation, d->recommendation), "override",
				d->override_reason != NULL),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	incident_release(&inc);
	assessment_record_release(&rec);
	reg_rollup_release(&snap);
	return ret;
}

static const char *consequences(enum severity sev)
{
	switch (sev) {
	case SEV_MINOR:
		return "This notice is a formal record of a minor security breach. It stays live "
		       "on your record for the period the guidance sets; a further breach while it "
		       "is live is treated as repeated and may lead to disciplinary action.";
	case SEV_SERIOUS:
		return "This notice records serious misconduct. It stays live on your record for the "
		       "period the guidance sets, and may initiate disciplinary procedures under the "
		       "MoJ (or HMPPS) Disciplinary Policy. A further breach while it is live is "
		       "treated as repeated.";
	default:
		return "This notice records gross misconduct. It may initiate disciplinary "
		       "procedures, which can lead to dismissal; a contractor's contract may be "
		       "cancelled, and legal action may be taken.";
	}
}

int registry_notice(struct store *s, const struct actor *a, const char *ref, const char *subject,
		    ts_t now, struct notice *out, struct err *e)
{
	struct incident inc;
	struct decision d;
	struct person p;
	struct guidance g;
	struct notice *existing = NULL;
	size_t nexisting = 0;
	bool have_g = false;
	int ret = -1;

	incident_init(&inc);
	decision_init(&d);
	person_init(&p);
	notice_init(out);
	if (s->ops->begin(s, e))
		return -1;
	if (reg_incident_for(s, a, ref, PERM_DECIDE, &inc, NULL, e))
		goto out;
	if (!reg_is_subject(&inc, subject)) {
		err_set(e, ERR_INVALID, "subject", "\"%s\" is not a subject of %s", subject, ref);
		goto out;
	}
	if (may_decide_for(s, a, subject, e))
		goto out;
	if (s->ops->decision_get(s, ref, subject, &d, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_CONFLICT, "subject",
				"no decision is recorded for \"%s\": decide before issuing a notice",
				subject);
		goto out;
	}
	if (d.outcome == OUT_NO_ACTION || d.outcome == OUT_ADVICE) {
		err_set(e, ERR_CONFLICT, "subject",
			"the decision for \"%s\" was %s: it does not call for a breach notice", subject,
			vocab_name(&vocab_outcome, d.outcome));
		goto out;
	}
	if (s->ops->notice_list(s, ref, subject, &existing, &nexisting, e))
		goto out;
	if (nexisting > 0) {
		err_set(e, ERR_CONFLICT, "subject", "breach notice %s was already issued to \"%s\"",
			existing[0].number, subject);
		goto out;
	}
	if (s->ops->person_get(s, subject, &p, e) ||
	    registry_guidance_resolve(s, inc.org, &g, e))
		goto out;
	have_g = true;

	date_t today = date_of_ts(now);
	struct warning_fact wf = {WRN_BREACH_NOTICE, today};
	char until[DATE_BUF], ack[DATE_BUF];
	date_format(assess_warning_expires(&wf, &g), until);
	snprintf(out->ref, sizeof out->ref, "%s", ref);
	snprintf(out->subject, sizeof out->subject, "%s", subject);
	snprintf(out->issued_by, sizeof out->issued_by, "%s", a->name);
	out->severity = d.severity;
	out->issued_on = today;
	out->acknowledge_by = today + NOTICE_ACK_DAYS;
	date_format(out->acknowledge_by, ack);

	json_t *breaches = json_array();
	for (int i = 0; i < inc.ntypes; i++) {
		int at = guidance_find(&g, inc.types[i]);
		json_array_append_new(breaches,
				      json_pack("{s:s, s:s}", "code", inc.types[i], "title",
						at >= 0 ? g.types[at].title : inc.types[i]));
	}
	json_t *doc = json_pack(
		"{s:s, s:{s:s, s:s, s:s}, s:o, s:s, s:s, s:[s, s, s], s:s, s:s, s:s, s:s}",
		"marking", registry_marking(&inc), "to", "name", p.name, "staff_id", p.staff_id,
		"org", p.org, "breaches", breaches, "severity",
		vocab_name(&vocab_severity, d.severity), "outcome",
		vocab_name(&vocab_outcome, d.outcome), "policy", "POLSBP003", "POLSBP005",
		"POLSBP006", "consequences", consequences(d.severity), "live_until", until,
		"acknowledge_by", ack, "guidance", g.version);
	out->body = audit_detail(doc);
	if (s->ops->notice_insert(s, out, e))
		goto out;
	struct warning_record w = {0};
	snprintf(w.staff_id, sizeof w.staff_id, "%s", subject);
	w.level = WRN_BREACH_NOTICE;
	w.issued_on = today;
	snprintf(w.source, sizeof w.source, "%s", out->number);
	snprintf(w.ref, sizeof w.ref, "%s", ref);
	if (s->ops->warning_insert(s, &w, e))
		goto out;
	if (reg_audit(s, a, now, "notice.issue", out->number,
		      json_pack("{s:s, s:s, s:s}", "ref", ref, "subject", subject, "severity",
				vocab_name(&vocab_severity, d.severity)),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret) {
		s->ops->rollback(s);
		notice_release(out);
	}
	if (have_g)
		guidance_release(&g);
	notice_list_free(existing, nexisting);
	incident_release(&inc);
	decision_release(&d);
	person_release(&p);
	return ret;
}

int registry_read_case(struct store *s, const struct actor *a, const char *ref, json_t **out,
		       struct err *e)
{
	struct incident inc;
	struct incident_transition *ts = NULL;
	struct incident_note *ns = NULL;
	struct assessment_record *as = NULL;
	struct decision *ds = NULL;
	struct notice *nn = NULL;
	struct hr_outcome *hs = NULL;
	struct ico_decision ico;
	struct err nf = {0};
	bool have_ico = false;
	size_t nts = 0, nns = 0, nas = 0, nds = 0, nnn = 0, nhs = 0;
	unsigned perms;
	struct err nested = {0};
	bool snap;
	int ret = -1;

	incident_init(&inc);
	ico_decision_init(&ico);
	/* One snapshot, so the case is read as it stood at one moment; inside
	 * a caller's (where begin_read refuses: a page that reads more around
	 * the case) that one is the snapshot. */
	snap = s->ops->begin_read(s, &nested) == 0;
	if (reg_incident_for(s, a, ref, PERM_SEE, &inc, &perms, e))
		goto out;
	/* Only what the actor may see is read at all. */
	if ((perms & PERM_SEE_CASE) &&
	    (s->ops->transition_list(s, ref, &ts, &nts, e) ||
	     s->ops->note_list(s, ref, &ns, &nns, e) ||
	     s->ops->assessment_list(s, ref, &as, &nas, e) ||
	     s->ops->decision_list(s, ref, &ds, &nds, e) ||
	     s->ops->notice_list(s, ref, NULL, &nn, &nnn, e) ||
	     s->ops->hr_list(s, ref, &hs, &nhs, e)))
		goto out;
	if ((perms & PERM_SEE_CASE) && s->ops->ico_get(s, ref, &ico, &nf) == 0)
		have_ico = true;
	else if (nf.kind != ERR_NONE && nf.kind != ERR_NOT_FOUND) {
		*e = nf;
		goto out;
	}
	if (snap && s->ops->commit(s, e))
		goto out;
	snap = false;
	json_t *o = incident_to_json(&inc, (perms & PERM_SEE_REPORTER) != 0);
	json_t *arr;
	json_object_set_new(o, "marking", json_string(registry_marking(&inc)));
	json_object_set_new(o, "view", json_string(perms & PERM_SEE_CASE ? "case" : "report"));
	/* The lists are always there, empty in the report view (nothing of
	 * the case file was read for it). */
	{
		arr = json_array();
		for (size_t i = 0; i < nts; i++)
			json_array_append_new(arr, incident_transition_to_json(&ts[i]));
		json_object_set_new(o, "transitions", arr);
		arr = json_array();
		for (size_t i = 0; i < nns; i++)
			json_array_append_new(arr, incident_note_to_json(&ns[i]));
		json_object_set_new(o, "notes", arr);
		arr = json_array();
		for (size_t i = 0; i < nas; i++)
			json_array_append_new(arr, assessment_record_to_json(&as[i]));
		json_object_set_new(o, "assessments", arr);
		arr = json_array();
		for (size_t i = 0; i < nds; i++)
			json_array_append_new(arr, decision_to_json(&ds[i]));
		json_object_set_new(o, "decisions", arr);
		arr = json_array();
		for (size_t i = 0; i < nnn; i++)
			json_array_append_new(arr, notice_to_json(&nn[i]));
		json_object_set_new(o, "notices", arr);
		arr = json_array();
		for (size_t i = 0; i < nhs; i++)
			json_array_append_new(arr, hr_outcome_to_json(&hs[i]));
		json_object_set_new(o, "hr_outcomes", arr);
		json_object_set_new(o, "ico_decision",
				    have_ico ? ico_decision_to_json(&ico, inc.discovered_at)
					     : json_null());
	}
	*out = o;
	ret = 0;
out:
	if (ret && snap)
		s->ops->rollback(s);
	incident_release(&inc);
	incident_transition_list_free(ts, nts);
	incident_note_list_free(ns, nns);
	assessment_record_list_free(as, nas);
	decision_list_free(ds, nds);
	notice_list_free(nn, nnn);
	hr_outcome_list_free(hs, nhs);
	ico_decision_release(&ico);
	return ret;
}

int registry_audit_read(struct store *s, const struct actor *a, const char *ref, ts_t now,
			struct err *e)
{
	if (s->ops->begin(s, e))
		return -1;
	if (reg_audit(s, a, now, "incident.read", ref, NULL, e) || s->ops->commit(s, e)) {
		s->ops->rollback(s);
		return -1;
	}
	return 0;
}

int registry_show(struct store *s, const struct actor *a, const char *ref, ts_t now,
		  json_t **out, struct err *e)
{
	json_t *o;
	if (registry_read_case(s, a, ref, &o, e))
		return -1;
	/* The read of personal content is audited before it is handed over. */
	if (registry_audit_read(s, a, ref, now, e)) {
		json_decref(o);
		return -1;
	}
	*out = o;
	return 0;
}

int registry_warnings(struct store *s, const struct actor *a, const char *staff_id, ts_t now,
		      json_t **out, struct err *e)
{
	struct person p;
	struct guidance g;
	struct warning_record *ws = NULL;
	size_t n = 0;
	int ret = -1;

	person_init(&p);
	if (s->ops->person_get(s, staff_id, &p, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "staff_id", "unknown person \"%s\"", staff_id);
		goto out;
	}
	if (registry_person_visible(s, a, &p, e))
		goto out;
	if (registry_guidance_resolve(s, p.org, &g, e))
		goto out;
	if (s->ops->warning_list(s, staff_id, &ws, &n, e)) {
		guidance_release(&g);
		goto out;
	}
	date_t today = date_of_ts(now);
	json_t *arr = json_array();
	int live = 0;
	for (size_t i = 0; i < n; i++) {
		struct warning_fact wf = {ws[i].level, ws[i].issued_on};
		char d1[DATE_BUF], d2[DATE_BUF];
		bool is_live = assess_warning_live(&wf, today, &g);
		live += is_live;
		date_format(ws[i].issued_on, d1);
		date_format(assess_warning_expires(&wf, &g), d2);
		json_array_append_new(
			arr, json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "level",
				       vocab_name(&vocab_warning_level, ws[i].level), "issued_on", d1,
				       "expires_on", d2, "live", is_live, "notice",
				       ws[i].source[0] ? json_string(ws[i].source) : json_null(),
				       "ref", ws[i].ref[0] ? json_string(ws[i].ref) : json_null()));
	}
	*out = json_pack("{s:s, s:s, s:i, s:o, s:s}", "staff_id", staff_id, "name", p.name,
			 "live", live, "warnings", arr, "guidance_version", g.version);
	guidance_release(&g);
	ret = 0;
out:
	person_release(&p);
	warning_record_list_free(ws, n);
	return ret;
}

struct summary_ctx {
	struct store *s;
	ts_t now;
	int64_t open;
	int64_t by_state[ST_COUNT];
	int64_t by_severity[SEV_COUNT + 1]; /* last: not yet assessed */
	json_t *by_org;
	json_t *due;
	struct err *e;
};

static int summary_cb(const struct incident *inc, void *ctx)
{
	struct summary_ctx *c = ctx;
	struct assessment_record *as = NULL;
	size_t n = 0;
	c->open++;
	c->by_state[inc->state]++;
	c->by_severity[inc->severity >= 0 ? inc->severity : SEV_COUNT]++;
	json_t *cnt = json_object_get(c->by_org, inc->org);
	json_object_set_new(c->by_org, inc->org,
			    json_integer(cnt ? json_integer_value(cnt) + 1 : 1));
	if (c->s->ops->assessment_list(c->s, inc->ref, &as, &n, c->e))
		return -1;
	/* A recorded ICO decision completes the DPO's action. */
	struct ico_decision ico;
	struct err nf = {0};
	ico_decision_init(&ico);
	bool ico_done = c->s->ops->ico_get(c->s, inc->ref, &ico, &nf) == 0;
	ico_decision_release(&ico);
	for (size_t i = 0; i < n; i++) {
		json_t *res = json_loads(as[i].result, 0, NULL);
		size_t k;
		json_t *act;
		json_array_foreach(json_object_get(res, "actions"), k, act)
		{
			const char *due = json_string_value(json_object_get(act, "due"));
			const char *code = json_string_value(json_object_get(act, "code"));
			if (!due || (ico_done && code && strcmp(code, "dpo-notify") == 0))
				continue;
			json_array_append_new(
				c->due, json_pack("{s:s, s:s, s:s, s:s}", "ref", inc->ref, "subject",
						  as[i].subject, "code",
						  json_string_value(json_object_get(act, "code")),
						  "due", due));
		}
		json_decref(res);
	}
	assessment_record_list_free(as, n);
	return 0;
}

static int by_due(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	return strcmp(json_string_value(json_object_get(x, "due")),
		      json_string_value(json_object_get(y, "due")));
}

int registry_summary(struct store *s, ts_t now, json_t **out, struct err *e)
{
	struct incident_filter f;
	struct summary_ctx c = {0};
	c.s = s;
	c.now = now;
	c.e = e;
	c.by_org = json_object();
	c.due = json_array();
	incident_filter_init(&f);
	f.open_only = true;
	if (s->ops->incident_list(s, &f, summary_cb, &c, e)) {
		json_decref(c.by_org);
		json_decref(c.due);
		return -1;
	}
	size_t nd = json_array_size(c.due);
	json_t **items = xmalloc((nd ? nd : 1) * sizeof *items);
	for (size_t i = 0; i < nd; i++)
		items[i] = json_incref(json_array_get(c.due, i));
	qsort(items, nd, sizeof *items, by_due);
	json_t *due = json_array();
	for (size_t i = 0; i < nd; i++)
		json_array_append_new(due, items[i]);
	free(items);
	json_decref(c.due);
	json_t *st = json_object(), *sv = json_object();
	for (int i = 0; i < ST_COUNT; i++)
		if (c.by_state[i])
			json_object_set_new(st, vocab_name(&vocab_state, i), json_integer(c.by_state[i]));
	for (int i = 0; i <= SEV_COUNT; i++)
		if (c.by_severity[i])
			json_object_set_new(sv, i < SEV_COUNT ? vocab_name(&vocab_severity, i)
							      : "not-assessed",
					    json_integer(c.by_severity[i]));
	char at[TS_BUF];
	date_format_ts(now, at);
	*out = json_pack("{s:s, s:I, s:o, s:o, s:o, s:o}", "as_of", at, "open", (json_int_t)c.open,
			 "by_status", st, "by_severity", sv, "by_org", c.by_org, "actions_due",
			 due);
	return 0;
}

int registry_person_visible(struct store *s, const struct actor *a, const struct person *p,
			    struct err *e)
{
	bool self = a->staff_id[0] && strcmp(a->staff_id, p->staff_id) == 0;
	bool mgr = false, in_org = false;
	if (!a->system && a->staff_id[0] && manages(s, a->staff_id, p->staff_id, &mgr, e))
		return -1;
	if (!a->system && a->org[0]) {
		char chain[REG_MAX_DEPTH][CODE_MAX];
		int n;
		if (reg_org_chain(s, p->org, chain, REG_MAX_DEPTH, &n, e))
			return -1;
		for (int i = 0; i < n; i++)
			in_org |= strcmp(chain[i], a->org) == 0;
	}
	if (authz_person(a, self, mgr, in_org))
		return 0;
	/* Not disclosed: the same answer as for a person who does not exist. */
	return err_set(e, ERR_NOT_FOUND, "staff_id", "unknown person \"%s\"", p->staff_id);
}

struct list_filter_ctx {
	struct store *s;
	const struct actor *a;
	registry_incident_cb cb;
	void *ctx;
	struct err *e;
	int64_t skip, left;
};

static int list_filter_cb(const struct incident *inc, void *ctx)
{
	struct list_filter_ctx *l = ctx;
	unsigned perms = ~0u;
	if (!l->a->system) {
		struct incident_scope sc;
		if (reg_scope(l->s, l->a, inc, &sc, l->e))
			return -1;
		perms = authz_incident(l->a, &sc);
	}
	if (!(perms & PERM_SEE))
		return 0;
	if (l->skip > 0) {
		l->skip--;
		return 0;
	}
	if (l->left == 0)
		return 1; /* stop: the page is full */
	if (l->left > 0)
		l->left--;
	return l->cb(inc, perms, l->ctx);
}

int registry_incident_list(struct store *s, const struct actor *a, const struct incident_filter *f,
			   registry_incident_cb cb, void *ctx, struct err *e)
{
	struct incident_filter inner = *f;
	struct list_filter_ctx l = {s, a, cb, ctx, e, f->offset, f->limit > 0 ? f->limit : -1};
	/* The store pages before authorisation would: page after it instead,
	 * so a list never counts or shows what a read would refuse. */
	if (!a->system) {
		inner.limit = 0;
		inner.offset = 0;
	} else {
		l.skip = 0;
		l.left = -1;
	}
	int rc = s->ops->incident_list(s, &inner, list_filter_cb, &l, e);
	return rc == 1 && l.left == 0 ? 0 : rc;
}
