/* demo: the demonstration register that `breachreg init --demo` loads
 * (SPEC 6.1): the MoJ organisation tree under the root (HQ, HMPPS with its
 * prisons, probation and youth custody, HMCTS with its jurisdictions, LAA,
 * OPG, CICA), some 450 people of every engagement with line-management
 * chains, organisations' own guidance versions, and a year of incidents
 * ending at `now` over every breach type, walked through the lifecycle
 * with assessments, decisions (some overriding the recommendation),
 * breach notices and notes, the newest left open.
 *
 * It is a client of the registry: every record goes through the services
 * of registry.h, so the demo is validated and audited exactly like real
 * data, and it holds no state of its own beyond the call. The content is
 * generated from the tables in demo.c with a fixed-seed PRNG: the same
 * `now` (and the same actor's security power, which decides whether one
 * closed case is reopened) always gives the same register. */
#ifndef BR_DEMO_H
#define BR_DEMO_H
#include "core/date.h"
#include "core/err.h"
#include "service/registry.h"
#include "store/store.h"

/* What demo_load added. */
struct demo_stats {
	int orgs; /* organisations below the root */
	int people;
	int incidents; /* reported */
	int decisions;
	int notices;
	int accounts; /* one per role, named after it, password DEMO_PASSWORD */
};

/* The demo accounts' password: demonstration data only. */
#define DEMO_PASSWORD "breachreg-demo"

/* Loads the demo into s. The store must have been prepared by
 * registry_init (root "moj" and its baseline guidance) and hold none of
 * the demo's organisations yet: a second load fails on the first
 * organisation, which already exists.
 *
 * Times: organisations, people and guidance are set up a week before the
 * year of incidents, which ends at `now`; every service call gets the
 * simulated time of its step, and the calls are made in time order, so
 * warnings issued earlier in the year are live for later assessments.
 * Nothing is written with a time after `now`.
 *
 * a is borrowed and recorded as the actor of every audit entry; its
 * staff_id is not used (each incident's JSON names its reporter). stats,
 * which may be NULL, is filled with what was added, also on failure.
 *
 * Each service call is its own transaction, so a failure stops the load
 * with what was already added left in place; e then names the failing
 * field. Returns 0 or -1. */
int demo_load(struct store *s, const struct actor *a, ts_t now, struct demo_stats *stats,
	      struct err *e);

#endif
