/* form: HTML form bodies (application/x-www-form-urlencoded) and query
 * strings for the web pages. Pure: parses bytes into name/value pairs in
 * an arena; no I/O. A name may repeat (checkboxes): form_get gives the
 * first, form_all every one.
 *
 * Ownership: every string lives in the arena passed to form_parse and is
 * freed with it; a struct form is a view into that memory. */
#ifndef BR_FORM_H
#define BR_FORM_H
#include <stdbool.h>
#include <stddef.h>

#include "core/err.h"
#include "http/arena.h"

#define FORM_MAX_FIELDS 256

struct form_field {
	const char *name;
	const char *value; /* decoded, NUL-terminated; never NULL */
};

struct form {
	struct form_field fields[FORM_MAX_FIELDS];
	size_t n;
};

/* Parses len bytes of body (need not be NUL-terminated; may be NULL with
 * len 0) into f. '+' is a space and %XX a byte. Refuses, with e naming
 * "body": more than FORM_MAX_FIELDS fields, a malformed %-escape, a NUL
 * byte, and names or values that are not UTF-8. */
int form_parse(struct arena *a, const char *body, size_t len, struct form *f, struct err *e);
/* The first value of name, or NULL when absent. */
const char *form_get(const struct form *f, const char *name);
/* The first value of name with surrounding white space removed, or ""
 * when absent (for text inputs: what a person typed). Arena memory. */
const char *form_text(struct arena *a, const struct form *f, const char *name);
/* Every value of name in order: fills out (up to max) and returns how
 * many there are. */
size_t form_all(const struct form *f, const char *name, const char **out, size_t max);
bool form_has(const struct form *f, const char *name);

#endif
