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

/* The organisation tree, loaded once for a query (registry_trends.c). */
struct reg_tree {
	struct org *orgs;
	size_t n;
	int *parent;		 /* index of each org's parent, -1 for the root */
	char (*codes)[CODE_MAX]; /* the codes, in orgs' order */
};
int reg_tree_load(struct store *s, struct reg_tree *t, struct err *e);
void reg_tree_release(struct reg_tree *t);
/* Index of code, or -1. */
int reg_tree_find(const struct reg_tree *t, const char *code);
/* Whether org i is root or below it. */
bool reg_tree_within(const struct reg_tree *t, int i, int root);
/* The codes of org and its descendants as a new array (*codes NULL and
 * *n 0 when org is "" or NULL: everywhere); ERR_NOT_FOUND for an unknown
 * org. */
int reg_tree_scope(const struct reg_tree *t, const char *org, char (**codes)[CODE_MAX],
		   size_t *n, struct err *e);

/* An incident's contribution to the rollups before a write changes it
 * (registry_record.c). Every write that changes what trends count takes
 * one after loading the incident and applies it before committing:
 *   reg_rollup_before(s, ref, &snap) ... write ... reg_rollup_after(s, ref, &snap)
 * A new incident starts from an empty snap (reg_rollup_none). */
struct rollup_snap {
	struct rollup_cell *cells;
	size_t ncells;
	struct rollup_time *times;
	size_t ntimes;
};
void reg_rollup_none(struct rollup_snap *snap);
int reg_rollup_before(struct store *s, const char *ref, struct rollup_snap *snap, struct err *e);
/* Adds (after - before) to the rollups inside the open transaction and
 * releases snap (also on error). */
int reg_rollup_after(struct store *s, const char *ref, struct rollup_snap *snap, struct err *e);
void reg_rollup_release(struct rollup_snap *snap);

#endif
