/* incident: a reported breach or near-miss (SPEC 4): its facts, people,
 * times and state, plus the append-only notes and transitions that hang
 * off it. Parsing validates against the guidance in force for the
 * incident's organisation (which knows its breach types). */
#ifndef BR_INCIDENT_H
#define BR_INCIDENT_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/facts.h"
#include "core/guidance.h"
#include "core/vocab.h"

#define INCIDENT_MAX_SUBJECTS 32
#define INCIDENT_DESCRIPTION_MAX 20000
#define INCIDENT_LOCATION_MAX 500
#define INCIDENT_REASON_MAX 2000
#define NOTE_MAX 20000
/* Clock skew tolerated for times said to be in the past. */
#define INCIDENT_FUTURE_SLACK 300

struct incident {
	int64_t id;
	char ref[REF_MAX]; /* SB-YYYY-NNNNNN, assigned by the store */
	enum kind kind;
	char org[CODE_MAX];
	enum state state;
	int severity; /* enum severity of the latest assessment or decision; -1 none */
	char types[FACTS_MAX_TYPES][CODE_MAX];
	/* The control area of each type under the guidance in force when it
	 * was reported: trends count it there even if guidance moves later. */
	enum control controls[FACTS_MAX_TYPES];
	int ntypes;
	enum classification classification;
	bool strap, third_party_disclosure, authorised, criminal;
	int64_t records;
	bool special_category;
	enum intent intent;
	enum damage damage;
	char *description; /* owned */
	char *location;    /* owned, may be NULL */
	ts_t occurred_at, discovered_at, reported_at, updated_at;
	ts_t closed_at; /* TS_NONE while open */
	char reporter[STAFF_MAX];
	bool confidential_reporter;
	char subjects[INCIDENT_MAX_SUBJECTS][STAFF_MAX];
	int nsubjects; /* 0 in input means: the head of unit (set by the service) */
};

struct incident_note {
	int64_t id;
	char ref[REF_MAX];
	char author[ACTOR_MAX];
	char *body; /* owned */
	ts_t at;
};

struct incident_transition {
	int64_t id;
	char ref[REF_MAX];
	enum state from, to;
	char *reason; /* owned, may be NULL */
	char actor[ACTOR_MAX];
	ts_t at;
};

void incident_init(struct incident *inc);
void incident_release(struct incident *inc);
/* Parses SPEC 6.1 incident JSON. "org" must already have been read to find
 * g (see incident_org_code). reported_at becomes now; occurred_at defaults
 * to discovered_at, which defaults to now. */
int incident_parse(struct incident *inc, const json_t *in, const struct guidance *g, ts_t now,
		   struct err *e);
/* The required "org" member of incident JSON, validated. */
int incident_org_code(const json_t *in, char out[CODE_MAX], struct err *e);
/* The facts of SPEC 3 held by the incident (no subject, warnings, today). */
json_t *incident_facts_json(const struct incident *inc);
/* The whole record; the reporter is shown only when show_reporter. */
json_t *incident_to_json(const struct incident *inc, bool show_reporter);

void incident_note_release(struct incident_note *n);
void incident_note_list_free(struct incident_note *list, size_t n);
json_t *incident_note_to_json(const struct incident_note *n);
void incident_transition_release(struct incident_transition *t);
void incident_transition_list_free(struct incident_transition *list, size_t n);
json_t *incident_transition_to_json(const struct incident_transition *t);

#endif
