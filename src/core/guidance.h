/* guidance: an organisation's breach guidance in force (POLSBP003). The
 * root's version 1 is the baseline catalogue; any organisation may publish
 * immutable versions that re-grade or add types and change thresholds, and
 * inherits from its parent what it does not define. A resolved guidance is
 * the root's latest version with each descendant's latest layered on, down
 * to the organisation asked about.
 *
 * Published document (every key optional):
 *   {"grades": {"clear-desk-failure": "minor"},
 *    "types": [{"code", "title", "baseline", "control"}],
 *    "significant_records": 50,
 *    "live_months": {"breach-notice": 6},
 *    "referral": {"minister": "prime-minister"},
 *    "retention_months": 72}
 */
#ifndef BR_GUIDANCE_H
#define BR_GUIDANCE_H
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/vocab.h"

#define GUIDANCE_MAX_TYPES 512
#define GUIDANCE_DEFAULT_SIGNIFICANT_RECORDS 100
#define GUIDANCE_DEFAULT_RETENTION_MONTHS 72

struct guidance_type {
	char code[CODE_MAX];
	char *title;                  /* owned */
	enum severity baseline;       /* as the defining version set it */
	enum severity grade;          /* in force after every layer */
	enum control control;
	unsigned flags;               /* enum type_flag, for baseline codes */
	char defined_by[VERSION_MAX]; /* version that defined the type */
	char graded_by[VERSION_MAX];  /* version whose grade is in force */
};

struct guidance {
	char version[VERSION_MAX]; /* the nearest layer: "hmcts/2" */
	char chain[512];           /* every layer, root first: "moj/1 hmcts/2" */
	struct guidance_type *types;
	size_t ntypes;
	int64_t significant_records;
	int live_months[WRN_COUNT];
	char referral[ENG_COUNT][CODE_MAX]; /* authority, for referral engagements */
	int retention_months;
};

/* Defaults with no types and no layers: g must be released. */
void guidance_init(struct guidance *g);
/* The baseline: the catalogue as version "moj/1". g must be released. */
void guidance_init_baseline(struct guidance *g);
void guidance_release(struct guidance *g);
/* Deep copy into an uninitialised dst. */
void guidance_copy(struct guidance *dst, const struct guidance *src);

/* Layers one published document over g and records `label` ("org/N") as
 * the version in force. On error g is unchanged and e names the field. */
int guidance_apply(struct guidance *g, const json_t *doc, const char *label, struct err *e);

/* Index of the type with that code, or -1. */
int guidance_find(const struct guidance *g, const char *code);
/* The baseline document (root version 1), new reference. */
json_t *guidance_baseline_doc(void);
/* {"version", "chain", "significant_records", "live_months", "referral",
 *  "retention_months", "types": [...]} as a new reference. */
json_t *guidance_to_json(const struct guidance *g);
json_t *guidance_type_to_json(const struct guidance_type *t);

#endif
