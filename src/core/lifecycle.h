/* lifecycle: the incident state machine (SPEC 4) as a table of allowed
 * transitions. reported -> triaged -> investigating -> awaiting-decision ->
 * decided -> closed; unfounded and withdrawn from any open state with a
 * reason; a closed, unfounded or withdrawn incident is reopened back to
 * investigating by security only, with a reason. */
#ifndef BR_LIFECYCLE_H
#define BR_LIFECYCLE_H
#include <stdbool.h>

#include "core/err.h"
#include "core/vocab.h"

/* Parses a target named on the command line or in the API. "reopened" is
 * accepted as the name of the reopen transition and means investigating. */
int lifecycle_parse_target(const char *s, enum state *to, struct err *e);
bool lifecycle_is_open(enum state s);
/* Checks from -> to. On refusal: ERR_CONFLICT naming "status" with the
 * allowed next states in the message, or ERR_INVALID naming "reason",
 * or ERR_FORBIDDEN for a reopen by someone not in security. */
int lifecycle_check(enum state from, enum state to, bool security, bool has_reason, struct err *e);
/* Fills out with the states reachable from `from` (for the given power);
 * returns how many. */
int lifecycle_allowed(enum state from, bool security, enum state out[ST_COUNT]);
/* Whether from -> to needs a reason. */
bool lifecycle_needs_reason(enum state from, enum state to);

#endif
