/* form: urlencoded form and query parsing (see form.h). */
#include <string.h>

#include "http/form.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates). */
static bool utf8_ok(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i];
		size_t k;
		unsigned cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + k >= n)
			return false;
		for (size_t j = 1; j <= k; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i + j] & 0x3f);
		}
		if ((k == 1 && cp < 0x80) || (k == 2 && cp < 0x800) || (k == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += k + 1;
	}
	return true;
}

/* Decodes s[0..n) into arena memory; NULL on a bad escape, a NUL or bad
 * UTF-8. */
static const char *decode(struct arena *a, const char *s, size_t n)
{
	char *out = arena_alloc(a, n + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi, lo;
			if (i + 2 >= n)
				return NULL;
			if ((hi = hexval(s[i + 1])) < 0 || (lo = hexval(s[i + 2])) < 0)
				return NULL;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0')
			return NULL;
		out[o++] = c;
	}
	out[o] = '\0';
	return utf8_ok((const unsigned char *)out, o) ? out : NULL;
}

int form_parse(struct arena *a, const char *body, size_t len, struct form *f, struct err *e)
{
	size_t i = 0;
	f->n = 0;
	while (i < len) {
		size_t end = i;
		while (end < len && body[end] != '&')
			end++;
		if (end > i) {
			const char *eq = memchr(body + i, '=', end - i);
			size_t nlen = eq ? (size_t)(eq - (body + i)) : end - i;
			const char *vs = eq ? eq + 1 : body + end;
			size_t vlen = eq ? (size_t)(body + end - vs) : 0;
			if (f->n == FORM_MAX_FIELDS)
				return err_set(e, ERR_INVALID, "body", "the form has more than %d fields",
					       FORM_MAX_FIELDS);
			const char *name = decode(a, body + i, nlen);
			const char *value = decode(a, vs, vlen);
			if (!name || !value)
				return err_set(e, ERR_INVALID, "body",
					       "the form is not valid URL-encoded UTF-8 text");
			f->fields[f->n].name = name;
			f->fields[f->n].value = value;
			f->n++;
		}
		i = end + 1;
	}
	return 0;
}

const char *form_get(const struct form *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return f->fields[i].value;
	return NULL;
}

const char *form_text(struct arena *a, const struct form *f, const char *name)
{
	const char *v = form_get(f, name);
	if (!v)
		return "";
	while (*v == ' ' || *v == '\t' || *v == '\r' || *v == '\n')
		v++;
	size_t n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
		n--;
	return arena_strndup(a, v, n);
}

size_t form_all(const struct form *f, const char *name, const char **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->fields[i].name, name) == 0) {
			if (k < max)
				out[k] = f->fields[i].value;
			k++;
		}
	return k;
}

bool form_has(const struct form *f, const char *name)
{
	return form_get(f, name) != NULL;
}
