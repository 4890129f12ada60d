/* registry_internal: helpers shared by the registry's source files only. */
#ifndef BR_REGISTRY_INTERNAL_H
#define BR_REGISTRY_INTERNAL_H
#include "service/registry.h"

/* Appends an audit entry inside the open transaction; consumes detail. */
int reg_audit(struct store *s, const struct actor *a, ts_t now, const char *action,
	      const char *entity, json_t *detail, struct err *e);
/* The organisation codes from the root down to code (inclusive); n <= max. */
int reg_org_chain(struct store *s, const char *code, char chain[][CODE_MAX], int max, int *n,
		  struct err *e);
/* The head of unit for org, walking up the tree; "" if none is set. */
int reg_org_head(struct store *s, const char *code, char head[STAFF_MAX], struct err *e);

#define REG_MAX_DEPTH 32

#endif
