/* hr: disciplinary outcomes (see hr.h). */
#include "core/hr.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/jsonx.h"

static const char *const hr_names[] = {"no-further-action", "written-warning",
				       "final-written-warning", "dismissal", "contract-ended",
				       "other"};
_Static_assert(sizeof hr_names / sizeof hr_names[0] == HR_COUNT, "hr outcome table size");
const struct vocab vocab_hr_outcome = {"outcome", hr_names, HR_COUNT};

void hr_outcome_init(struct hr_outcome *h)
{
	memset(h, 0, sizeof *h);
	h->effective_on = DATE_NONE;
	h->recorded_at = TS_NONE;
}

void hr_outcome_release(struct hr_outcome *h)
{
	free(h->notes);
	h->notes = NULL;
}

void hr_outcome_list_free(struct hr_outcome *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		hr_outcome_release(&list[i]);
	free(list);
}

int hr_outcome_parse(struct hr_outcome *h, const json_t *in, date_t today, struct err *e)
{
	const char *notes;
	int o;
	if (!json_is_object(in))
		return err_set(e, ERR_INVALID, "", "the outcome must be a JSON object");
	if (jsonx_code(in, "subject", "subject", true, h->subject, sizeof h->subject, e))
		return -1;
	if (!jsonx_is_staff_id(h->subject))
		return err_set(e, ERR_INVALID, "subject", "\"subject\" must be a staff id");
	if (!json_object_get(in, "outcome"))
		return err_set(e, ERR_INVALID, "outcome", "\"outcome\" is required");
	if (jsonx_enum(in, "outcome", "outcome", &vocab_hr_outcome, 0, &o, e) ||
	    jsonx_str(in, "notes", "notes", HR_TEXT_MAX, true, NULL, &notes, e) ||
	    jsonx_date(in, "effective_on", "effective_on", today, &h->effective_on, e))
		return -1;
	if (h->effective_on > today)
		return err_set(e, ERR_INVALID, "effective_on", "\"effective_on\" is in the future");
	h->outcome = (enum hr_outcome_code)o;
	free(h->notes);
	h->notes = xstrdup(notes);
	return 0;
}

int hr_outcome_warning(enum hr_outcome_code o)
{
	switch (o) {
	case HR_WRITTEN_WARNING:
		return WRN_WRITTEN;
	case HR_FINAL_WRITTEN_WARNING:
		return WRN_FINAL_WRITTEN;
	default:
		return -1;
	}
}

json_t *hr_outcome_to_json(const struct hr_outcome *h)
{
	char d[DATE_BUF], at[TS_BUF];
	date_format(h->effective_on, d);
	date_format_ts(h->recorded_at, at);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "subject", h->subject, "outcome",
			 vocab_name(&vocab_hr_outcome, h->outcome), "notes",
			 h->notes ? h->notes : "", "effective_on", d, "recorded_by", h->recorded_by,
			 "recorded_at", at);
}
