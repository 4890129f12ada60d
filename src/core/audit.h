/* audit: the audit log's entries and their hash chain (SPEC 7). Each entry
 * is hashed with SHA-256 over a canonical, length-prefixed encoding of its
 * fields and the previous entry's hash, so editing, removing or reordering
 * any entry breaks every hash after it. Pure: the store appends and reads;
 * this module only encodes and checks. */
#ifndef BR_AUDIT_H
#define BR_AUDIT_H
#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define AUDIT_HASH_HEX 65 /* 64 hex digits + NUL */
#define AUDIT_ACTION_MAX 64
#define AUDIT_ENTITY_MAX 96
/* The hash that the first entry chains to. */
#define AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

struct audit_entry {
	int64_t seq; /* 1, 2, 3, ... assigned by the store */
	ts_t at;
	char actor[ACTOR_MAX];
	char action[AUDIT_ACTION_MAX]; /* "incident.report", "incident.read", ... */
	char entity[AUDIT_ENTITY_MAX]; /* the reference, staff id or code acted on */
	char *detail;                  /* owned: canonical JSON text (sorted, compact) */
	char prev[AUDIT_HASH_HEX];
	char hash[AUDIT_HASH_HEX];
};

void audit_entry_release(struct audit_entry *a);
/* Canonical detail text for a JSON value (sorted keys, compact); consumes
 * detail (NULL gives "{}"). The caller frees the result. */
char *audit_detail(json_t *detail);
/* hash = hex(SHA-256(encoding of seq, at, actor, action, entity, detail,
 * prev)). Fills out. */
void audit_compute(const struct audit_entry *a, char out[AUDIT_HASH_HEX]);

/* Incremental verification: feed entries in seq order. */
struct audit_verifier {
	int64_t count;
	int64_t expect_seq;
	char prev[AUDIT_HASH_HEX];
};
void audit_verify_init(struct audit_verifier *v);
/* 0 if the entry follows the chain; -1 with e naming the entry and what is
 * wrong (edited, removed, reordered) otherwise. */
int audit_verify_next(struct audit_verifier *v, const struct audit_entry *a, struct err *e);

json_t *audit_entry_to_json(const struct audit_entry *a);

#endif
