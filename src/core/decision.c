/* decision: assessment records and decisions (see decision.h). */
#include "core/decision.h"

#include <stdlib.h>
#include <string.h>

#include "core/assess.h"
#include "core/jsonx.h"

void assessment_record_release(struct assessment_record *r)
{
	free(r->facts);
	free(r->result);
	r->facts = r->result = NULL;
}

void assessment_record_list_free(struct assessment_record *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assessment_record_release(&list[i]);
	free(list);
}

json_t *assessment_record_to_json(const struct assessment_record *r)
{
	json_t *o = r->result ? json_loads(r->result, 0, NULL) : NULL;
	if (!json_is_object(o)) {
		json_decref(o);
		o = json_object();
	}
	json_t *facts = r->facts ? json_loads(r->facts, 0, NULL) : NULL;
	json_object_set_new(o, "subject", json_string(r->subject));
	json_object_set_new(o, "assessed_at", jsonx_ts_value(r->assessed_at));
	json_object_set_new(o, "assessed_by", json_string(r->assessed_by));
	json_object_set_new(o, "facts", facts ? facts : json_null());
	return o;
}

void decision_init(struct decision *d)
{
	memset(d, 0, sizeof *d);
	d->decided_at = TS_NONE;
}

void decision_release(struct decision *d)
{
	free(d->rationale);
	free(d->override_reason);
	d->rationale = d->override_reason = NULL;
}

void decision_list_free(struct decision *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		decision_release(&list[i]);
	free(list);
}

int decision_check(const struct decision *d, const struct assessment_record *a, struct err *e)
{
	if (d->severity == SEV_UNGRADED || d->severity >= SEV_COUNT)
		return err_set(e, ERR_INVALID, "severity",
			       "the decided severity must be minor, serious or gross");
	if (!d->rationale || !d->rationale[strspn(d->rationale, " \t\r\n")])
		return err_set(e, ERR_INVALID, "rationale",
			       "\"rationale\" is required: say why, considering damage, intent and "
			       "previous warnings");
	if (strlen(d->rationale) > DECISION_TEXT_MAX)
		return err_set(e, ERR_INVALID, "rationale", "\"rationale\" is too long (at most %d bytes)",
			       DECISION_TEXT_MAX);
	bool has_override = d->override_reason && d->override_reason[strspn(d->override_reason, " \t\r\n")];
	if (has_override && strlen(d->override_reason) > DECISION_TEXT_MAX)
		return err_set(e, ERR_INVALID, "override_reason",
			       "\"override_reason\" is too long (at most %d bytes)", DECISION_TEXT_MAX);
	/* An ungraded assessment leaves the grade to the manager. */
	bool sev_differs = a->severity != SEV_UNGRADED && d->severity != a->severity;
	bool out_differs = !assess_outcome_follows(a->recommendation, a->route, d->outcome);
	if ((sev_differs || out_differs) && !has_override)
		return err_set(e, ERR_INVALID, "override_reason",
			       "\"override_reason\" is required: the decision (%s, %s) differs from "
			       "the recommendation (%s, %s)",
			       vocab_name(&vocab_severity, d->severity),
			       vocab_name(&vocab_outcome, d->outcome),
			       vocab_name(&vocab_severity, a->severity),
			       vocab_name(&vocab_recommendation, a->recommendation));
	return 0;
}

json_t *decision_to_json(const struct decision *d)
{
	return json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:i}, s:s, s:s, s:s, s:o, s:s, s:o}",
			 "subject", d->subject, "severity", vocab_name(&vocab_severity, d->severity),
			 "outcome", vocab_name(&vocab_outcome, d->outcome), "factors", "damage",
			 vocab_name(&vocab_damage, d->damage), "intent",
			 vocab_name(&vocab_intent, d->intent), "live_warnings", d->live_warnings,
			 "assessed_severity", vocab_name(&vocab_severity, d->assessed_severity),
			 "recommendation", vocab_name(&vocab_recommendation, d->recommendation),
			 "rationale", d->rationale ? d->rationale : "", "override_reason",
			 d->override_reason ? json_string(d->override_reason) : json_null(),
			 "decided_by", d->decided_by, "decided_at", jsonx_ts_value(d->decided_at));
}
