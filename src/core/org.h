/* org: organisations of the MoJ estate, a tree (SPEC 2). */
#ifndef BR_ORG_H
#define BR_ORG_H
#include <jansson.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

#define ORG_NAME_MAX 200

struct org {
	int64_t id;
	char code[CODE_MAX];
	char *name;             /* owned */
	char parent[CODE_MAX];  /* "" for the root */
	int discipline_policy;  /* enum discipline, or -1: inherit from parent */
	char head[STAFF_MAX];   /* head of unit's staff id, or "" */
	int64_t headcount;      /* -1 when unknown */
	ts_t created_at;
};

void org_init(struct org *o);
void org_release(struct org *o);
/* Frees an array of n orgs from a store list call. */
void org_list_free(struct org *list, size_t n);
/* Checks code, name and headcount; names the field on error. */
int org_validate(const struct org *o, struct err *e);
json_t *org_to_json(const struct org *o);

#endif
