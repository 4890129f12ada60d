/* decision: what is stored about a subject of an incident: the assessment
 * the engine gave (kept with the facts and guidance version it used, so it
 * stays explainable) and the manager's decision on it (SPEC 4). */
#ifndef BR_DECISION_H
#define BR_DECISION_H
#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define DECISION_TEXT_MAX 10000

struct assessment_record {
	int64_t id;
	char ref[REF_MAX];
	char subject[STAFF_MAX];
	enum severity severity, baseline;
	enum route route;
	enum recommendation recommendation;
	int live_warnings;
	char guidance_version[VERSION_MAX];
	char *facts;  /* owned: the facts JSON the engine was given */
	char *result; /* owned: the engine's output JSON */
	char assessed_by[ACTOR_MAX];
	ts_t assessed_at;
};

struct decision {
	int64_t id;
	char ref[REF_MAX];
	char subject[STAFF_MAX];
	enum severity severity; /* decided: minor, serious or gross */
	enum outcome outcome;
	/* The three factors of POLSBP003 as they stood when deciding. */
	enum damage damage;
	enum intent intent;
	int live_warnings;
	/* What the engine recommended, to show where the manager differed. */
	enum severity assessed_severity;
	enum recommendation recommendation;
	char *rationale;       /* owned, required */
	char *override_reason; /* owned, NULL unless differing */
	char decided_by[ACTOR_MAX];
	ts_t decided_at;
};

void assessment_record_release(struct assessment_record *r);
void assessment_record_list_free(struct assessment_record *list, size_t n);
/* {"subject", "assessed_at", "assessed_by", "facts", ...the engine output}. */
json_t *assessment_record_to_json(const struct assessment_record *r);

void decision_init(struct decision *d);
void decision_release(struct decision *d);
void decision_list_free(struct decision *list, size_t n);
/* Checks the decision against the stored assessment of its subject: a
 * graded severity, a rationale, and an override reason whenever the
 * outcome or severity differs from the recommendation. */
int decision_check(const struct decision *d, const struct assessment_record *a, struct err *e);
json_t *decision_to_json(const struct decision *d);

#endif
