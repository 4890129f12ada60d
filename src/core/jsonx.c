/* jsonx: typed member reads with field-naming errors (see jsonx.h). */
#include "core/jsonx.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

const char *jsonx_type_name(const json_t *v)
{
	if (!v)
		return "null";
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
		return "null";
	}
	return "unknown";
}

static const json_t *member(const json_t *obj, const char *key)
{
	const json_t *v = obj ? json_object_get(obj, key) : NULL;
	return v && !json_is_null(v) ? v : NULL;
}

int jsonx_enum(const json_t *obj, const char *key, const char *name, const struct vocab *v,
	       int dflt, int *out, struct err *e)
{
	const json_t *j = member(obj, key);
	if (!j) {
		*out = dflt;
		return 0;
	}
	int i = json_is_string(j) ? vocab_parse(v, json_string_value(j)) : -1;
	if (i >= 0) {
		*out = i;
		return 0;
	}
	/* The list of words only for the message: parsing a valid value is
	 * on every report's path. */
	char list[512];
	vocab_list(v, list, sizeof list);
	if (!json_is_string(j))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a string, one of: %s", name,
			       list);
	return err_set(e, ERR_INVALID, name, "invalid value \"%.64s\" for \"%s\", expected one of: %s",
		       json_string_value(j), name, list);
}

int jsonx_bool(const json_t *obj, const char *key, const char *name, bool dflt, bool *out,
	       struct err *e)
{
	const json_t *j = member(obj, key);
	if (!j) {
		*out = dflt;
		return 0;
	}
	if (!json_is_boolean(j))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be true or false, not %s", name,
			       jsonx_type_name(j));
	*out = json_is_true(j);
	return 0;
}

int jsonx_int(const json_t *obj, const char *key, const char *name, int64_t min, int64_t max,
	      int64_t dflt, int64_t *out, struct err *e)
{
	const json_t *j = member(obj, key);
	if (!j) {
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(j))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a whole number, not %s", name,
			       jsonx_type_name(j));
	json_int_t v = json_integer_value(j);
	if (v < min || v > max)
		return err_set(e, ERR_INVALID, name, "\"%s\" must be between %lld and %lld", name,
			       (long long)min, (long long)max);
	*out = v;
	return 0;
}

int jsonx_str(const json_t *obj, const char *key, const char *name, size_t maxlen, bool required,
	      const char *dflt, const char **out, struct err *e)
{
	const json_t *j = member(obj, key);
	if (!j) {
		if (required)
			return err_set(e, ERR_INVALID, name, "\"%s\" is required", name);
		*out = dflt;
		return 0;
	}
	if (!json_is_string(j))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a string, not %s", name,
			       jsonx_type_name(j));
	size_t len = json_string_length(j);
	const char *s = json_string_value(j);
	if (strlen(s) != len)
		return err_set(e, ERR_INVALID, name, "\"%s\" must not contain NUL characters", name);
	if (len > maxlen)
		return err_set(e, ERR_INVALID, name, "\"%s\" is too long (%zu bytes, at most %zu)",
			       name, len, maxlen);
	if (required && len == 0)
		return err_set(e, ERR_INVALID, name, "\"%s\" must not be empty", name);
	*out = s;
	return 0;
}

int jsonx_code(const json_t *obj, const char *key, const char *name, bool required, char *buf,
	       size_t cap, struct err *e)
{
	const char *s = NULL;
	if (jsonx_str(obj, key, name, cap - 1, required, NULL, &s, e))
		return -1;
	buf[0] = '\0';
	if (s)
		snprintf(buf, cap, "%s", s);
	return 0;
}

int jsonx_date(const json_t *obj, const char *key, const char *name, date_t dflt, date_t *out,
	       struct err *e)
{
	const json_t *j = member(obj, key);
	if (!j) {
		*out = dflt;
		return 0;
	}
	if (!json_is_string(j) || date_parse(json_string_value(j), out))
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a date YYYY-MM-DD", name);
	return 0;
}

int jsonx_ts(const json_t *obj, const char *key, const char *name, ts_t dflt, ts_t *out,
	     struct err *e)
{
	const json_t *j = member(obj, key);
	if (!j) {
		*out = dflt;
		return 0;
	}
	if (!json_is_string(j) || date_parse_ts(json_string_value(j), out))
		return err_set(e, ERR_INVALID, name,
			       "\"%s\" must be a UTC time YYYY-MM-DDTHH:MM:SSZ", name);
	return 0;
}

bool jsonx_is_code(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= CODE_MAX || s[0] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return false;
	return true;
}

bool jsonx_is_staff_id(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n >= STAFF_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

json_t *jsonx_ts_value(ts_t t)
{
	char buf[TS_BUF];
	if (t == TS_NONE)
		return json_null();
	date_format_ts(t, buf);
	return json_string(buf);
}

json_t *jsonx_date_value(date_t d)
{
	char buf[DATE_BUF];
	if (d == DATE_NONE)
		return json_null();
	date_format(d, buf);
	return json_string(buf);
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no
 * overlong forms, surrogates or code points past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1fu;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0fu;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07u;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* a NUL ends the string here too */
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

json_t *jsonx_text_value(const char *s)
{
	static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
	json_t *v;
	char *clean, *o;

	if (!s)
		s = "";
	if ((v = json_string(s)))
		return v;
	o = clean = xmalloc(strlen(s) * 3 + 1);
	for (const unsigned char *p = (const unsigned char *)s; *p;) {
		size_t n = utf8_len(p);

		if (n) {
			memcpy(o, p, n);
			o += n;
			p += n;
		} else {
			memcpy(o, replacement, 3);
			o += 3;
			p++;
		}
	}
	*o = '\0';
	v = json_string(clean);
	free(clean);
	return v;
}
