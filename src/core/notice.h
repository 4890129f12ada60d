/* notice: breach notices (POLSBP006) and the warnings they become. A
 * notice is a numbered document addressed to the subject; issuing one
 * records a breach-notice warning that is live for the guidance's period. */
#ifndef BR_NOTICE_H
#define BR_NOTICE_H
#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/vocab.h"

/* Days the subject has to acknowledge a notice. */
#define NOTICE_ACK_DAYS 10

struct notice {
	int64_t id;
	char number[REF_MAX]; /* BN-YYYY-NNNNNN, assigned by the store */
	char ref[REF_MAX];
	char subject[STAFF_MAX];
	enum severity severity;
	date_t issued_on;
	date_t acknowledge_by;
	date_t acknowledged_on; /* DATE_NONE until acknowledged */
	char issued_by[ACTOR_MAX];
	char *body; /* owned: the notice document as JSON text */
};

struct warning_record {
	int64_t id;
	char staff_id[STAFF_MAX];
	enum warning_level level;
	date_t issued_on;
	char source[REF_MAX]; /* the notice number, or "" */
	char ref[REF_MAX];    /* the incident, or "" */
};

void notice_init(struct notice *n);
void notice_release(struct notice *n);
void notice_list_free(struct notice *list, size_t n);
json_t *notice_to_json(const struct notice *n);
void warning_record_list_free(struct warning_record *list, size_t n);

#endif
