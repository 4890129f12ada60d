/* facts: the input of an assessment (SPEC 3), parsed and validated against
 * the guidance in force (which knows the breach types). Fixed-size, so the
 * engine runs without allocating. */
#ifndef BR_FACTS_H
#define BR_FACTS_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/guidance.h"
#include "core/vocab.h"

#define FACTS_MAX_TYPES 16
#define FACTS_MAX_WARNINGS 64

struct warning_fact {
	enum warning_level level;
	date_t issued_on;
};

struct subject_fact {
	enum engagement engagement;
	bool on_probation;
	date_t probation_until; /* DATE_NONE when not given */
	enum clearance clearance;
	char org[CODE_MAX];
	int discipline_policy; /* enum discipline, or -1 when not given */
};

struct facts {
	uint16_t types[FACTS_MAX_TYPES]; /* indexes into the guidance's types */
	int ntypes;
	enum classification classification;
	bool strap, third_party_disclosure, authorised, criminal;
	int64_t records;
	bool special_category;
	enum intent intent;
	enum damage damage;
	struct subject_fact subject;
	struct warning_fact warnings[FACTS_MAX_WARNINGS];
	int nwarnings;
	ts_t discovered_at; /* TS_NONE until given or filled by the caller */
	date_t today;       /* DATE_NONE until given or filled by the caller */
	char guidance[CODE_MAX]; /* "" or the organisation whose guidance applies */
};

/* The SPEC 3 defaults: no types, classification none, intent negligent,
 * damage low, an employee of the root organisation cleared to BPSS. */
void facts_init(struct facts *f);
/* Reads in over the defaults. Unknown members are ignored; types resolve
 * against g (which must outlive f). */
int facts_parse(struct facts *f, const json_t *in, const struct guidance *g, struct err *e);
/* The "guidance" member of a facts object, validated ("" when absent). */
int facts_guidance_code(const json_t *in, char out[CODE_MAX], struct err *e);
/* The facts as the JSON object they were parsed from (defaults filled). */
json_t *facts_to_json(const struct facts *f, const struct guidance *g);

#endif
