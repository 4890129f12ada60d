/* assess: the policy engine (SPEC 3). A pure function of facts and the
 * guidance in force: no I/O, no clock, no allocation. Severity rules,
 * routes, recommendations and actions are rows of tables in assess.c,
 * each carrying its rule id and the POLSBP statement it implements, so the
 * explanation is generated from the same data that decided. */
#ifndef BR_ASSESS_H
#define BR_ASSESS_H
#include <jansson.h>

#include "core/facts.h"
#include "core/guidance.h"

enum rule_id {
	RULE_BASELINE,
	RULE_SECRET_MATERIAL,
	RULE_CLASSIFIED_DISCLOSURE,
	RULE_CRIMINAL,
	RULE_OFFICIAL_MATERIAL,
	RULE_PERSONAL_DATA,
	RULE_DELIBERATE_MISUSE,
	RULE_AGGRAVATION,
	RULE_WARNINGS,
	RULE_ROUTE,
	RULE_RECOMMENDATION,
	RULE_COUNT
};

struct explanation {
	enum rule_id rule;
	enum severity from, to; /* severity before and after the rule */
};

struct action {
	enum action_code code;
	ts_t due; /* TS_NONE when neither law nor policy sets a time */
};

/* Borrowed pointers (route_policy, guidance_version) point into the
 * guidance or static storage: the assessment is valid while g lives. */
struct assessment {
	enum severity severity, baseline;
	enum route route;
	const char *route_policy; /* NULL for probation and contract */
	enum recommendation recommendation;
	struct action actions[ACT_COUNT];
	int nactions;
	int live_warnings;
	struct explanation expl[RULE_COUNT];
	int nexpl;
	const char *guidance_version;
};

/* Assesses f under g. f->today must be set (the caller owns the clock);
 * discovered_at may be TS_NONE, in which case no action gets a due time. */
int assess(const struct facts *f, const struct guidance *g, struct assessment *a, struct err *e);

/* The SPEC 3 output object, new reference. */
json_t *assessment_to_json(const struct assessment *a, const struct facts *f,
			   const struct guidance *g);

/* The first day a warning is no longer live under g. */
date_t assess_warning_expires(const struct warning_fact *w, const struct guidance *g);
/* Live on `today`: issued on or before it and today < expiry (SPEC 3.5). */
bool assess_warning_live(const struct warning_fact *w, date_t today, const struct guidance *g);

/* Whether an outcome follows the recommendation for that route, or needs
 * an override reason (a probationer's probation-review, a contractor's
 * contract-review and a referral count as following a breach-notice or
 * formal-action recommendation). */
bool assess_outcome_follows(enum recommendation rec, enum route route, enum outcome outcome);

#endif
