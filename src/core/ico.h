/* ico: the DPO's decision on notifying the Information Commissioner of a
 * personal data breach (UK GDPR Art. 33: within 72 hours of discovery,
 * unless the breach is unlikely to result in a risk to people's rights).
 * One per incident; recording it completes the dpo-notify action. */
#ifndef BR_ICO_H
#define BR_ICO_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define ICO_TEXT_MAX 10000
#define ICO_REFERENCE_MAX 64
#define ICO_DEADLINE_HOURS 72

struct ico_decision {
	int64_t id;
	char ref[REF_MAX];
	bool notify;           /* reported to the ICO */
	ts_t notified_at;      /* when it was reported; TS_NONE unless notify */
	char ico_reference[ICO_REFERENCE_MAX]; /* the ICO's case number, or "" */
	char *reason;          /* owned, required: why (not) */
	char decided_by[ACTOR_MAX];
	ts_t decided_at;
};

void ico_decision_init(struct ico_decision *d);
void ico_decision_release(struct ico_decision *d);
/* Reads {"notify", "reason", "notified_at", "ico_reference"}; now is the
 * default notified_at when notify is true. */
int ico_decision_parse(struct ico_decision *d, const json_t *in, ts_t now, struct err *e);
/* Whether the decision was taken within 72 hours of discovery. */
bool ico_decision_in_time(const struct ico_decision *d, ts_t discovered_at);
json_t *ico_decision_to_json(const struct ico_decision *d, ts_t discovered_at);

#endif
