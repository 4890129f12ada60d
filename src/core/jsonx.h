/* jsonx: strict typed reads of JSON object members, shared by every parser
 * (facts, incidents, guidance, decisions), so each bad value gives the same
 * kind of message naming the field. `name` is the field's full name used in
 * the message ("subject.engagement"); `key` the member looked up in obj.
 * A member that is absent or JSON null takes the default; every getter
 * returns 0 or -1 with e filled (ERR_INVALID). */
#ifndef BR_JSONX_H
#define BR_JSONX_H
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

int jsonx_enum(const json_t *obj, const char *key, const char *name, const struct vocab *v,
	       int dflt, int *out, struct err *e);
int jsonx_bool(const json_t *obj, const char *key, const char *name, bool dflt, bool *out,
	       struct err *e);
int jsonx_int(const json_t *obj, const char *key, const char *name, int64_t min, int64_t max,
	      int64_t dflt, int64_t *out, struct err *e);
/* *out points into obj (borrowed) or is dflt; maxlen counts bytes. With
 * required, an absent, null or empty string is an error. */
int jsonx_str(const json_t *obj, const char *key, const char *name, size_t maxlen, bool required,
	      const char *dflt, const char **out, struct err *e);
/* Copies into a fixed buffer of size cap (value must fit, else invalid). */
int jsonx_code(const json_t *obj, const char *key, const char *name, bool required, char *buf,
	       size_t cap, struct err *e);
int jsonx_date(const json_t *obj, const char *key, const char *name, date_t dflt, date_t *out,
	       struct err *e);
int jsonx_ts(const json_t *obj, const char *key, const char *name, ts_t dflt, ts_t *out,
	     struct err *e);
/* True when s is a code: 1..63 of [a-z0-9-], starting with a letter or digit. */
bool jsonx_is_code(const char *s);
/* True when s is a staff id: 1..31 of [A-Za-z0-9._-]. */
bool jsonx_is_staff_id(const char *s);
const char *jsonx_type_name(const json_t *v);
/* A time as "YYYY-MM-DDTHH:MM:SSZ", or JSON null for TS_NONE (new ref). */
json_t *jsonx_ts_value(ts_t t);
/* A date as "YYYY-MM-DD", or JSON null for DATE_NONE (new ref). */
json_t *jsonx_date_value(date_t d);
/* Text that may quote a caller's bytes (an error message or field, a
 * request path) as a JSON string, new ref, never NULL: jansson refuses
 * what is not UTF-8, and a message can hold raw bytes from a URL or a
 * CSV cell, or a character cut in half by a "%.40s" or by the size of
 * struct err. Each byte of an invalid sequence becomes U+FFFD. */
json_t *jsonx_text_value(const char *s);

#endif
