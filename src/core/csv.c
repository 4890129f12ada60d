/* csv: RFC 4180 reader (see csv.h). */
#include "core/csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"

void csv_init(struct csv_reader *r, const char *buf, size_t len)
{
	r->p = buf;
	r->end = buf + len;
	r->record = 0;
	/* A UTF-8 byte order mark from a spreadsheet is not part of a field. */
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		r->p += 3;
}

struct field {
	char *s;
	size_t len, cap;
};

static void fadd(struct field *f, char c)
{
	if (f->len + 1 >= f->cap) {
		f->cap = f->cap ? f->cap * 2 : 32;
		f->s = xrealloc(f->s, f->cap);
	}
	f->s[f->len++] = c;
	f->s[f->len] = '\0';
}

static void push(char ***fields, size_t *n, struct field *f)
{
	*fields = xrealloc(*fields, (*n + 1) * sizeof **fields);
	(*fields)[(*n)++] = f->s ? f->s : xstrdup("");
	memset(f, 0, sizeof *f);
}

int csv_next(struct csv_reader *r, char ***fields, size_t *n, struct err *e)
{
	struct field f = {0};
	*fields = NULL;
	*n = 0;
	/* Skip blank lines between records. */
	while (r->p < r->end && (*r->p == '\n' || *r->p == '\r'))
		r->p++;
	if (r->p >= r->end)
		return 0;
	r->record++;
	for (;;) {
		if (r->p < r->end && *r->p == '"') {
			r->p++;
			for (;;) {
				if (r->p >= r->end) {
					free(f.s);
					csv_fields_free(*fields, *n);
					*fields = NULL;
					*n = 0;
					char name[32];
					snprintf(name, sizeof name, "row %d", r->record);
					return err_set(e, ERR_INVALID, name,
						       "unterminated quoted field in row %d", r->record);
				}
				if (*r->p == '"') {
					if (r->p + 1 < r->end && r->p[1] == '"') {
						fadd(&f, '"');
						r->p += 2;
						continue;
					}
					r->p++;
					break;
				}
				fadd(&f, *r->p++);
			}
		}
		while (r->p < r->end && *r->p != ',' && *r->p != '\n' && *r->p != '\r')
			fadd(&f, *r->p++);
		push(fields, n, &f);
		if (r->p < r->end && *r->p == ',') {
			r->p++;
			continue;
		}
		if (r->p < r->end && *r->p == '\r')
			r->p++;
		if (r->p < r->end && *r->p == '\n')
			r->p++;
		return 1;
	}
}

void csv_fields_free(char **fields, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(fields[i]);
	free(fields);
}
