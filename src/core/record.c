/* record: an incident with its case summary for trends and exports. */
#include "core/record.h"

#include <string.h>

void record_init(struct record *r)
{
	memset(r, 0, sizeof *r);
	incident_init(&r->inc);
	r->ico_notify = -1;
	for (int i = 0; i < INCIDENT_MAX_SUBJECTS; i++) {
		r->subjects[i].outcome = -1;
		r->subjects[i].decided_severity = -1;
		r->subjects[i].decided_at = TS_NONE;
	}
}

void record_release(struct record *r)
{
	incident_release(&r->inc);
}

bool record_personal(const struct incident *inc)
{
	return inc->records > 0 || inc->special_category;
}

bool record_open(enum state st)
{
	return st != ST_CLOSED && st != ST_UNFOUNDED && st != ST_WITHDRAWN;
}
