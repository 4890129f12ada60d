/* ico: ICO notification decisions (see ico.h). */
#include "core/ico.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"

void ico_decision_init(struct ico_decision *d)
{
	memset(d, 0, sizeof *d);
	d->notified_at = d->decided_at = TS_NONE;
}

void ico_decision_release(struct ico_decision *d)
{
	free(d->reason);
	d->reason = NULL;
}

int ico_decision_parse(struct ico_decision *d, const json_t *in, ts_t now, struct err *e)
{
	const char *reason, *icoref;
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, "", "the decision must be a JSON object");
	if (!json_object_get(in, "notify"))
		return err_set(e, ERR_INVALID, "notify",
			       "\"notify\" is required: true if the ICO was (or will be) notified");
	if (jsonx_bool(in, "notify", "notify", false, &d->notify, e) ||
	    jsonx_str(in, "reason", "reason", ICO_TEXT_MAX, true, NULL, &reason, e) ||
	    jsonx_str(in, "ico_reference", "ico_reference", ICO_REFERENCE_MAX - 1, false, "",
		      &icoref, e) ||
	    jsonx_ts(in, "notified_at", "notified_at", d->notify ? now : TS_NONE, &d->notified_at,
		     e))
		return -1;
	if (!d->notify && (d->notified_at != TS_NONE || icoref[0]))
		return err_set(e, ERR_INVALID, "notify",
			       "\"notified_at\" and \"ico_reference\" go with \"notify\": true");
	if (d->notified_at != TS_NONE && d->notified_at > now + 300)
		return err_set(e, ERR_INVALID, "notified_at", "\"notified_at\" is in the future");
	free(d->reason);
	d->reason = xstrdup(reason);
	snprintf(d->ico_reference, sizeof d->ico_reference, "%s", icoref);
	return 0;
}

bool ico_decision_in_time(const struct ico_decision *d, ts_t discovered_at)
{
	ts_t when = d->notify ? d->notified_at : d->decided_at;
	return discovered_at != TS_NONE && when <= discovered_at + ICO_DEADLINE_HOURS * 3600;
}

json_t *ico_decision_to_json(const struct ico_decision *d, ts_t discovered_at)
{
	return json_pack("{s:b, s:o, s:o, s:s, s:s, s:o, s:b}", "notify", d->notify, "notified_at",
			 jsonx_ts_value(d->notified_at), "ico_reference",
			 d->ico_reference[0] ? json_string(d->ico_reference) : json_null(),
			 "reason", d->reason ? d->reason : "", "decided_by", d->decided_by,
			 "decided_at", jsonx_ts_value(d->decided_at), "within_72_hours",
			 ico_decision_in_time(d, discovered_at));
}
