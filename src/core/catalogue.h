/* catalogue: the MoJ baseline catalogue of breach types (SPEC 2.1, taken
 * from the policy's lists of minor, serious and gross misconduct). It is
 * version 1 of the root organisation's guidance; guidance.c layers each
 * organisation's published versions over it. */
#ifndef BR_CATALOGUE_H
#define BR_CATALOGUE_H
#include <stddef.h>

#include "core/vocab.h"

/* Facts about a type that the rules read, beyond its grade and control. */
enum type_flag {
	TYPE_CIRCUMSTANCES = 1 << 0, /* change of personal circumstances: vetting */
	TYPE_CRIMINAL = 1 << 1,      /* a criminal act */
	TYPE_ASSET_MISUSE = 1 << 2,  /* misuse of assets: gross when deliberate */
	TYPE_ACCESS = 1 << 3,        /* pass or account misuse: access review */
};

struct catalogue_entry {
	const char *code;
	const char *title;
	enum severity baseline; /* SEV_UNGRADED: the policy gives no level */
	enum control control;
	unsigned flags;
};

extern const struct catalogue_entry catalogue_baseline[];
extern const size_t catalogue_baseline_count;

#define CATALOGUE_ROOT_ORG "moj"

/* The baseline entry with that code, or NULL. */
const struct catalogue_entry *catalogue_find(const char *code);

#endif
