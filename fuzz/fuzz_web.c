/* fuzz_web: the web pages' input and output paths, pure:
 *   - form_parse (http/form.c) on the bytes as a form body. Oracles: at
 *     most FORM_MAX_FIELDS fields, every name and value NUL-free UTF-8
 *     (jansson's check agrees), and a parse of the pairs encoded again
 *     gives the same pairs;
 *   - the template engine (core/template.c): the bytes up to the first
 *     NUL as a template, the rest as a JSON context; whatever compiles
 *     renders without error (no partials or fragments named) or fails
 *     only with ERR_NOT_FOUND/ERR_INVALID;
 *   - escaping: the bytes as the value of {{x}} in text and in quoted
 *     attributes, and in a same-origin URL. Oracle: nothing of the value
 *     reaches the output as markup: between the template's literal
 *     parts there is no < > " ' or backtick. */
#define _GNU_SOURCE /* memmem */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/buf.h"
#include "core/jsonx.h"
#include "core/template.h"
#include "http/arena.h"
#include "http/form.h"

static struct template *escaping;
static const char escaping_src[] =
	"<p>{{x}}</p><a href=\"/incidents/{{x}}\" title='{{x}}'>{{x}}</a><textarea>{{x}}</textarea>";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct err e = {0};
	(void)argc;
	(void)argv;
	fuzz_init();
	if (template_compile("escaping", escaping_src, sizeof escaping_src - 1, &escaping, &e))
		fuzz_die("the escaping template does not compile", &e);
	return 0;
}

static void die(const char *what)
{
	fprintf(stderr, "fuzz_web: %s\n", what);
	abort();
}

static void urlencode(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.')
			buf_addch(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

static void run_form(const uint8_t *data, size_t size)
{
	struct arena a;
	struct form *f = malloc(sizeof *f), *g = malloc(sizeof *g);
	struct err e = {0};
	struct buf b = BUF_INIT;

	arena_init(&a);
	if (form_parse(&a, (const char *)data, size, f, &e) == 0) {
		if (f->n > FORM_MAX_FIELDS)
			die("more fields than allowed");
		for (size_t i = 0; i < f->n; i++) {
			json_t *n = json_string(f->fields[i].name);
			json_t *v = json_string(f->fields[i].value);
			if (!n || !v)
				die("a field that is not UTF-8");
			json_decref(n);
			json_decref(v);
			if (i)
				buf_addch(&b, '&');
			urlencode(&b, f->fields[i].name);
			buf_addch(&b, '=');
			urlencode(&b, f->fields[i].value);
		}
		if (form_parse(&a, b.data, b.len, g, &e))
			die("the pairs encoded again do not parse");
		if (g->n != f->n)
			die("the pairs encoded again are another number");
		for (size_t i = 0; i < f->n; i++)
			if (strcmp(f->fields[i].name, g->fields[i].name) ||
			    strcmp(f->fields[i].value, g->fields[i].value))
				die("the pairs encoded again differ");
	} else if (e.kind != ERR_INVALID || strcmp(e.field, "body") != 0) {
		die("a refused form not named \"body\"");
	}
	buf_release(&b);
	arena_release(&a);
	free(f);
	free(g);
}

static void run_template(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct template *t = NULL;
	struct err e = {0};
	struct buf out = BUF_INIT;

	if (template_compile("fuzz", (const char *)data, tlen, &t, &e) == 0) {
		json_t *ctx = nul ? json_loadb((const char *)nul + 1, size - tlen - 1, 0, NULL) : NULL;
		struct err re = {0};
		if (template_render(t, ctx, NULL, &out, &re) &&
		    re.kind != ERR_NOT_FOUND && re.kind != ERR_INVALID)
			die("a render failed with an unexpected kind of error");
		json_decref(ctx);
		template_free(t);
	} else if (e.kind != ERR_INVALID) {
		die("a compile failed with an unexpected kind of error");
	}
	buf_release(&out);
}

static void run_escaping(const uint8_t *data, size_t size)
{
	struct err e = {0};
	struct buf out = BUF_INIT;
	char *value = strndup((const char *)data, size);
	json_t *ctx = json_pack("{s:o}", "x", jsonx_text_value(value));
	free(value);
	if (template_render(escaping, ctx, NULL, &out, &e))
		fuzz_die("the escaping template does not render", &e);
	/* Walk the literal parts of the template; what lies between them is
	 * the value, escaped. */
	const char *lit = escaping_src, *o = buf_str(&out);
	while (*lit) {
		const char *tag = strstr(lit, "{{x}}");
		size_t n = tag ? (size_t)(tag - lit) : strlen(lit);
		if (strncmp(o, lit, n) != 0)
			die("the template's own text changed");
		o += n;
		if (!tag)
			break;
		lit = tag + 5;
		const char *next = strstr(lit, "{{x}}");
		size_t ln = next ? (size_t)(next - lit) : strlen(lit);
		/* The value runs up to the next literal part (ln bytes of lit). */
		const char *end = ln ? memmem(o, strlen(o), lit, ln) : o + strlen(o);
		if (!end)
			die("the template's own text is missing");
		for (const char *p = o; p < end; p++)
			if (strchr("<>\"'`", *p))
				die("markup of the value reached the output");
		o = end;
	}
	json_decref(ctx);
	buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run_form(data, size);
	run_template(data, size);
	run_escaping(data, size);
	return 0;
}
