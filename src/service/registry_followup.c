/* registry_followup: what follows a decision, recorded by the roles SPEC 1
 * names for it: the DPO's decision on notifying the ICO (UK GDPR Art. 33)
 * and HR's disciplinary outcome, which puts a written warning on record.
 * Each is one transaction with its audit entry. */
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "service/registry.h"
#include "service/registry_internal.h"

int registry_ico_decide(struct store *s, const struct actor *a, const char *ref,
			const json_t *in, ts_t now, struct ico_decision *out, struct err *e)
{
	struct incident inc;
	struct err nf = {0};
	struct rollup_snap snap;
	int ret = -1;

	incident_init(&inc);
	reg_rollup_none(&snap);
	ico_decision_init(out);
	if (ico_decision_parse(out, in, now, e))
		return -1;
	if (s->ops->begin(s, e))
		goto out;
	if (reg_incident_for(s, a, ref, PERM_ICO, &inc, NULL, e))
		goto out;
	if (inc.records == 0 && !inc.special_category) {
		err_set(e, ERR_CONFLICT, "ref",
			"%s involves no personal data: there is nothing to notify the ICO of", ref);
		goto out;
	}
	struct ico_decision existing;
	ico_decision_init(&existing);
	if (s->ops->ico_get(s, ref, &existing, &nf) == 0) {
		ico_decision_release(&existing);
		err_set(e, ERR_CONFLICT, "ref", "the ICO decision on %s is already recorded", ref);
		goto out;
	}
	if (nf.kind != ERR_NOT_FOUND) {
		*e = nf;
		goto out;
	}
	snprintf(out->ref, sizeof out->ref, "%s", ref);
	snprintf(out->decided_by, sizeof out->decided_by, "%s", a->name);
	out->decided_at = now;
	if (reg_rollup_before(s, ref, &snap, e) || s->ops->ico_put(s, out, e) ||
	    reg_rollup_after(s, ref, &snap, e))
		goto out;
	if (reg_audit(s, a, now, "incident.ico", ref,
		      json_pack("{s:b, s:b}", "notify", out->notify, "within_72_hours",
				ico_decision_in_time(out, inc.discovered_at)),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret) {
		s->ops->rollback(s);
		ico_decision_release(out);
	}
	incident_release(&inc);
	reg_rollup_release(&snap);
	return ret;
}

int registry_hr_outcome(struct store *s, const struct actor *a, const char *ref,
			const json_t *in, ts_t now, struct hr_outcome *out, struct err *e)
{
	struct incident inc;
	struct decision d;
	int ret = -1;

	incident_init(&inc);
	decision_init(&d);
	hr_outcome_init(out);
	if (hr_outcome_parse(out, in, date_of_ts(now), e))
		return -1;
	if (s->ops->begin(s, e))
		goto out;
	if (reg_incident_for(s, a, ref, PERM_HR, &inc, NULL, e))
		goto out;
	if (!reg_is_subject(&inc, out->subject)) {
		err_set(e, ERR_INVALID, "subject", "\"%s\" is not a subject of %s", out->subject, ref);
		goto out;
	}
	/* HR records the end of the procedure a manager's decision began. */
	if (s->ops->decision_get(s, ref, out->subject, &d, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_CONFLICT, "subject",
				"no decision is recorded for \"%s\" on %s yet", out->subject, ref);
		goto out;
	}
	snprintf(out->ref, sizeof out->ref, "%s", ref);
	snprintf(out->recorded_by, sizeof out->recorded_by, "%s", a->name);
	out->recorded_at = now;
	if (s->ops->hr_insert(s, out, e)) {
		if (e->kind == ERR_CONFLICT)
			err_set(e, ERR_CONFLICT, "subject",
				"an HR outcome for \"%s\" on %s is already recorded", out->subject, ref);
		goto out;
	}
	int level = hr_outcome_warning(out->outcome);
	if (level >= 0) {
		struct warning_record w = {0};
		snprintf(w.staff_id, sizeof w.staff_id, "%s", out->subject);
		w.level = (enum warning_level)level;
		w.issued_on = out->effective_on;
		snprintf(w.ref, sizeof w.ref, "%s", ref);
		if (s->ops->warning_insert(s, &w, e))
			goto out;
	}
	if (reg_audit(s, a, now, "incident.hr-outcome", ref,
		      json_pack("{s:s, s:s}", "subject", out->subject, "outcome",
				vocab_name(&vocab_hr_outcome, out->outcome)),
		      e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret) {
		s->ops->rollback(s);
		hr_outcome_release(out);
	}
	incident_release(&inc);
	decision_release(&d);
	return ret;
}
