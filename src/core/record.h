/* record: one incident with what the central record needs of its case
 * (SPEC 5): the control area of each breach type, and per subject the
 * engagement, decision and notice. It is what trends count (core/rollup.h)
 * and what exports write (core/export.h), read by the store in one pass
 * (store_ops.record_get / record_each).
 *
 * Ownership: a record owns its incident's owned members (description,
 * location); record_release frees them. */
#ifndef BR_RECORD_H
#define BR_RECORD_H
#include <stdbool.h>

#include "core/date.h"
#include "core/incident.h"
#include "core/vocab.h"

struct record_subject {
	char staff_id[STAFF_MAX];
	enum engagement engagement; /* as recorded when the incident was reported */
	int outcome;                /* enum outcome of the decision; -1 undecided */
	int decided_severity;       /* enum severity of the decision; -1 undecided */
	ts_t decided_at;            /* TS_NONE undecided */
	char notice[REF_MAX];       /* BN-YYYY-NNNNNN of the latest notice, "" none */
};

struct record {
	struct incident inc; /* inc.controls: the control area of each type */
	/* Parallel to inc.subjects[0..inc.nsubjects). */
	struct record_subject subjects[INCIDENT_MAX_SUBJECTS];
	int ico_notify; /* the DPO's decision: -1 none yet, 0 not notified, 1 notified */
};

void record_init(struct record *r);
void record_release(struct record *r);
/* Whether the incident involves personal data (SPEC 7's PERSONAL DATA). */
bool record_personal(const struct incident *inc);
/* Whether the incident is still open (not closed, unfounded or withdrawn). */
bool record_open(enum state st);

#endif
