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

/* Where a stands relative to inc: organisation subtree, line management of
 * a subject, subject, reporter (reads the store). */
int reg_scope(struct store *s, const struct actor *a, const struct incident *inc,
	      struct incident_scope *out, struct err *e);
/* Loads incident ref for a, who must hold every PERM_ bit in need: one
 * who may not even see it gets ERR_NOT_FOUND (its existence is not
 * disclosed), one who may see but not act ERR_FORBIDDEN. *perms (may be
 * NULL) gets a's permissions; inc is initialised either way. */
int reg_incident_for(struct store *s, const struct actor *a, const char *ref, unsigned need,
		     struct incident *inc, unsigned *perms, struct err *e);
/* Whether staff_id is one of the incident's subjects. */
bool reg_is_subject(const struct incident *inc, const char *staff_id);
/* ERR_FORBIDDEN unless a holds power p. */
int reg_power(const struct actor *a, enum power p, struct err *e);

#endif
