/* hr: the disciplinary outcome HR records for a subject once the
 * procedure a decision started has run (SPEC 1: "record disciplinary
 * outcomes"). A written or final written warning becomes a warning in the
 * register, live for the guidance's period, so it weighs on later breaches
 * (SPEC 3.5). */
#ifndef BR_HR_H
#define BR_HR_H
#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define HR_TEXT_MAX 10000

enum hr_outcome_code {
	HR_NO_FURTHER_ACTION,
	HR_WRITTEN_WARNING,
	HR_FINAL_WRITTEN_WARNING,
	HR_DISMISSAL,
	HR_CONTRACT_ENDED,
	HR_OTHER,
	HR_COUNT
};
extern const struct vocab vocab_hr_outcome;

struct hr_outcome {
	int64_t id;
	char ref[REF_MAX];
	char subject[STAFF_MAX];
	enum hr_outcome_code outcome;
	char *notes; /* owned, required */
	date_t effective_on;
	char recorded_by[ACTOR_MAX];
	ts_t recorded_at;
};

void hr_outcome_init(struct hr_outcome *h);
void hr_outcome_release(struct hr_outcome *h);
void hr_outcome_list_free(struct hr_outcome *list, size_t n);
/* Reads {"subject", "outcome", "notes", "effective_on"} (today default). */
int hr_outcome_parse(struct hr_outcome *h, const json_t *in, date_t today, struct err *e);
/* The warning level an outcome puts on record, or -1 for none. */
int hr_outcome_warning(enum hr_outcome_code o);
json_t *hr_outcome_to_json(const struct hr_outcome *h);

#endif
