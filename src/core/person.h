/* person: people who may report, be the subject of, or decide incidents
 * (SPEC 2): staff, contractors, office holders. */
#ifndef BR_PERSON_H
#define BR_PERSON_H
#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define PERSON_NAME_MAX 200
#define PERSON_EMAIL_MAX 254

struct person {
	int64_t id;
	char staff_id[STAFF_MAX];
	char *name;  /* owned */
	char *email; /* owned, may be NULL */
	char org[CODE_MAX];
	char manager[STAFF_MAX]; /* line manager's staff id, or "" */
	enum engagement engagement;
	date_t probation_until; /* DATE_NONE when not on probation */
	enum clearance clearance;
	ts_t created_at;
};

void person_init(struct person *p);
void person_release(struct person *p);
void person_list_free(struct person *list, size_t n);
int person_validate(const struct person *p, struct err *e);
json_t *person_to_json(const struct person *p);

#endif
