/* test_core_template: the template engine (src/core/template.h): escaping
 * of every special character and of a set of XSS payloads in text and in
 * quoted attributes, sections, inverted sections, dotted paths, partials
 * and their depth limit, trusted fragments, and the compile errors with
 * their line:column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/template.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD	   "\xef\xbf\xbd"

static struct template *compile_ok(const char *src)
{
	struct template *t = NULL;
	struct err e;

	err_clear(&e);
	if (template_compile("test", src, strlen(src), &t, &e) != 0)
		fail_msg("compile \"%s\": %s", src, e.msg);
	assert_non_null(t);
	return t;
}

/* Renders t against ctx (a new ref, consumed); returns a new string. */
static char *render_t(const struct template *t, json_t *ctx, const struct template_env *env)
{
	struct buf b = BUF_INIT;
	struct err e;

	err_clear(&e);
	if (template_render(t, ctx, env, &b, &e) != 0)
		fail_msg("render: %s", e.msg);
	json_decref(ctx);
	return buf_detach(&b, NULL);
}

/* Compiles src, renders it against the JSON text ctx, checks want. */
static void expect(const char *src, const char *ctx, const char *want)
{
	struct template *t = compile_ok(src);
	json_error_t je;
	json_t *c = json_loads(ctx, JSON_DECODE_ANY, &je);
	char *got;

	if (!c)
		fail_msg("bad test JSON %s: %s", ctx, je.text);
	got = render_t(t, c, NULL);
	if (strcmp(got, want) != 0)
		fail_msg("template %s with %s:\n got  \"%s\"\n want \"%s\"", src, ctx, got, want);
	free(got);
	template_free(t);
}

/* Renders src with {"x": x} (x may hold any bytes). */
static char *render_x(const char *src, const char *x, size_t xlen)
{
	struct template *t = compile_ok(src);
	json_t *ctx = json_object();
	char *got;

	json_object_set_new(ctx, "x", json_stringn_nocheck(x, xlen));
	got = render_t(t, ctx, NULL);
	template_free(t);
	return got;
}

static void test_escape_each_char(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"&", "&amp;"},	    {"<", "&lt;"},	{">", "&gt;"},
	    {"\"", "&quot;"},	    {"'", "&#39;"},	{"`", "&#96;"},
	    {"=", "&#61;"},	    {"plain", "plain"}, {"a&b<c", "a&amp;b&lt;c"},
	    {"&amp;", "&amp;amp;"}, /* entities are escaped again */
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		char *got = render_x("{{x}}", cases[i].in, strlen(cases[i].in));
		assert_string_equal(got, cases[i].out);
		free(got);
	}
}

static const char *const payloads[] = {
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "' onmouseover='x",
    "javascript:alert(1)",
    "\" autofocus onfocus=\"alert(1)",
    "</textarea><script>alert(1)</script>",
    "<!--",
    "`${alert(1)}`",
    "{{x}}",
    "{{&x}}",
};

/* What escaping must never let through, in any context. */
static void assert_no_specials(const char *s, const char *what)
{
	if (strpbrk(s, "<>\"'`="))
		fail_msg("%s: an unescaped special character in \"%s\"", what, s);
}

static void test_xss_payloads(void **state)
{
	static const struct {
		const char *src, *before, *after;
	} contexts[] = {
	    {"<p>{{x}}</p>", "<p>", "</p>"},
	    {"<input value=\"{{x}}\">", "<input value=\"", "\">"},
	    {"<p title='{{x}}'>q</p>", "<p title='", "'>q</p>"},
	    {"<a href=\"/incidents/{{x}}\">", "<a href=\"/incidents/", "\">"},
	    {"<textarea>{{x}}</textarea>", "<textarea>", "</textarea>"},
	};

	(void)state;
	for (size_t i = 0; i < N_ELEMS(payloads); i++) {
		char *alone = render_x("{{x}}", payloads[i], strlen(payloads[i]));

		assert_no_specials(alone, payloads[i]);
		if (strstr(payloads[i], "{{")) /* not special: printed as it is, not expanded */
			assert_non_null(strstr(alone, "{{"));
		for (size_t k = 0; k < N_ELEMS(contexts); k++) {
			char *got = render_x(contexts[k].src, payloads[i], strlen(payloads[i]));
			size_t nb = strlen(contexts[k].before), na = strlen(contexts[k].after);
			size_t ng = strlen(got);

			/* The output is exactly the literal template around the
			 * escaped value: nothing of the payload closes the quote. */
			assert_true(ng == nb + strlen(alone) + na);
			assert_memory_equal(got, contexts[k].before, nb);
			assert_memory_equal(got + nb, alone, strlen(alone));
			assert_string_equal(got + nb + strlen(alone), contexts[k].after);
			free(got);
		}
		free(alone);
	}
}

static void test_data_is_not_expanded(void **state)
{
	(void)state;
	/* A value that looks like a tag prints as text, never as a tag. */
	expect("<p>{{x}}</p>", "{\"x\": \"{{y}}\", \"y\": \"BOOM\"}", "<p>{{y}}</p>");
	expect("{{x}}", "{\"x\": \"{{#y}}{{/y}}\", \"y\": [1]}", "{{#y}}{{/y}}");
}

static void test_utf8(void **state)
{
	char *got;

	(void)state;
	got = render_x("{{x}}", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", 14);
	assert_string_equal(got, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92");
	free(got);
	/* A lead byte cannot swallow the quote after it. */
	got = render_x("<p title=\"{{x}}\">", "\xc3\"><b>", 6);
	assert_string_equal(got, "<p title=\"" FFFD "&quot;&gt;&lt;b&gt;\">");
	free(got);
	got = render_x("{{x}}", "\xe2\x82'", 3);
	assert_string_equal(got, FFFD FFFD "&#39;");
	free(got);
	got = render_x("{{x}}", "\xc0\xbc\xed\xa0\x80\xf4\x90\x80\x80",
		       9); /* overlong "<", surrogate */
	assert_no_specials(got, "overlong");
	assert_string_equal(got, FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD FFFD);
	free(got);
	got = render_x("[{{x}}]", "a\0<", 3); /* a NUL inside a JSON string */
	assert_string_equal(got, "[a" FFFD "&lt;]");
	free(got);
}

static void test_values(void **state)
{
	(void)state;
	expect(
	    "{{n}} {{r}} {{t}} {{f}} [{{z}}] [{{missing}}] [{{o}}] [{{a}}]",
	    "{\"n\": -42, \"r\": 2.5, \"t\": true, \"f\": false, \"z\": null, \"o\": {\"k\": 1}, "
	    "\"a\": [1]}",
	    "-42 2.5 true false [] [] [] []");
	expect("{{ n }}", "{\"n\": 7}", "7");
	expect("no tags at all", "{}", "no tags at all");
	expect("", "{}", "");
}

static void test_dotted_paths(void **state)
{
	static const char ctx[] =
	    "{\"incident\": {\"ref\": \"BR-1\", \"org\": {\"name\": \"A&B\"}},"
	    " \"s\": \"str\"}";

	(void)state;
	expect("{{incident.ref}}/{{incident.org.name}}", ctx, "BR-1/A&amp;B");
	expect("[{{incident.nope.name}}][{{s.len}}][{{nope.ref}}]", ctx, "[][][]");
	/* Later segments look only inside what the first found. */
	expect("{{#incident}}{{ref}} {{s}} [{{org.ref}}]{{/incident}}", ctx, "BR-1 str []");
}

static void test_sections(void **state)
{
	(void)state;
	expect("<ul>{{#items}}<li>{{ref}}</li>{{/items}}</ul>",
	       "{\"items\": [{\"ref\": \"a\"}, {\"ref\": \"<b>\"}]}",
	       "<ul><li>a</li><li>&lt;b&gt;</li></ul>");
	expect("{{#tags}}[{{.}}]{{/tags}}", "{\"tags\": [\"x\", 2, true]}", "[x][2][true]");
	expect("a{{#items}}X{{/items}}b", "{\"items\": []}", "ab");
	expect("{{#o}}{{name}} of {{org}}{{/o}}", "{\"o\": {\"name\": \"n\"}, \"org\": \"outer\"}",
	       "n of outer");
	expect("{{#t}}yes{{/t}}{{#f}}no{{/f}}{{#m}}no{{/m}}", "{\"t\": true, \"f\": false}", "yes");
	expect("{{#z}}no{{/z}}{{#e}}no{{/e}}{{#n}}n={{.}}{{/n}}",
	       "{\"z\": 0, \"e\": \"\", \"n\": 3}", "n=3");
	expect("{{#a}}{{#b}}{{x}}{{/b}}{{/a}}", "{\"a\": [{\"b\": [{\"x\": 1}, {\"x\": 2}]}, {}]}",
	       "12");
	expect("{{#a.b}}in{{/a.b}}", "{\"a\": {\"b\": true}}", "in");
}

static void test_inverted(void **state)
{
	(void)state;
	expect("{{^items}}none{{/items}}", "{\"items\": []}", "none");
	expect("{{^items}}none{{/items}}", "{\"items\": [1]}", "");
	expect("{{^m}}missing{{/m}}{{^f}} false{{/f}}{{^t}}never{{/t}}", "{\"f\": false, \"t\": 1}",
	       "missing false");
	expect("{{#l}}{{v}}{{/l}}{{^l}}empty{{/l}}", "{\"l\": [{\"v\": 1}]}", "1");
}

static void test_render_many_and_append(void **state)
{
	struct template *t = compile_ok("<b>{{x}}</b>");
	struct buf b = BUF_INIT;
	struct err e;

	(void)state;
	buf_puts(&b, "head:");
	for (int i = 0; i < 3; i++) {
		json_t *ctx = json_pack("{s:i}", "x", i);
		assert_int_equal(template_render(t, ctx, NULL, &b, &e), 0);
		json_decref(ctx);
	}
	assert_string_equal(buf_str(&b), "head:<b>0</b><b>1</b><b>2</b>");
	/* Any context renders: data never fails a render. */
	assert_int_equal(template_render(t, NULL, NULL, &b, &e), 0);
	assert_string_equal(buf_str(&b), "head:<b>0</b><b>1</b><b>2</b><b></b>");
	buf_release(&b);
	template_free(t);
	template_free(NULL);
}

static void test_partials(void **state)
{
	struct template *row = compile_ok("<li>{{name}}</li>");
	struct template *page = compile_ok("<ul>{{#people}}{{> row}}{{/people}}</ul>");
	const struct template_partial parts[] = {{"row", row}};
	const struct template_env env = {parts, N_ELEMS(parts), NULL, 0, 0};
	char *got;

	(void)state;
	got = render_t(page, json_pack("{s:[{s:s},{s:s}]}", "people", "name", "Al", "name", "<i>"),
		       &env);
	assert_string_equal(got, "<ul><li>Al</li><li>&lt;i&gt;</li></ul>");
	free(got);
	template_free(page);
	template_free(row);
}

static void test_partial_depth_and_unknown(void **state)
{
	/* A tree: each node renders its children with the same partial. A
	 * leaf needs "kids": [], or the lookup finds its parent's. */
	struct template *tree = compile_ok("({{name}}{{#kids}}{{> tree}}{{/kids}})");
	const struct template_partial parts[] = {{"tree", tree}};
	struct template_env env = {parts, N_ELEMS(parts), NULL, 0, 3};
	struct template *bad = compile_ok("a\n {{> nope}}");
	json_t *ok = json_loads("{\"name\": \"r\", \"kids\": [{\"name\": \"c\", \"kids\": "
				"[{\"name\": \"g\", \"kids\": []}]}]}",
				0, NULL);
	json_t *deep =
	    json_loads("{\"name\": 1, \"kids\": [{\"name\": 2, \"kids\": [{\"name\": 3, "
		       "\"kids\": [{\"name\": 4, \"kids\": [{\"name\": 5, \"kids\": []}]}]}]}]}",
		       0, NULL);
	struct buf b = BUF_INIT;
	struct err e;

	(void)state;
	if (template_render(tree, ok, &env, &b, &e) != 0)
		fail_msg("%s", e.msg);
	assert_string_equal(buf_str(&b), "(r(c(g)))");
	buf_reset(&b);
	buf_puts(&b, "kept");
	assert_int_equal(template_render(tree, deep, &env, &b, &e), -1);
	assert_string_equal(e.field, "template");
	assert_int_equal(e.kind, ERR_INVALID);
	assert_non_null(strstr(e.msg, "partial \"tree\" at 1:19 in \"test\" nested deeper than 3"));
	assert_string_equal(buf_str(&b), "kept"); /* no half page */
	/* The default limit stops a partial that includes itself for ever. */
	env.max_depth = 0;
	assert_int_equal(template_render(tree, deep, &env, &b, &e), 0);
	{
		json_t *loop = json_pack("{s:[{}]}", "kids");
		json_t *kid = json_array_get(json_object_get(loop, "kids"), 0);
		json_object_set(kid, "kids", json_object_get(loop, "kids")); /* a cycle */
		assert_int_equal(template_render(tree, loop, &env, &b, &e), -1);
		assert_non_null(strstr(e.msg, "nested deeper than 16"));
		json_object_del(kid, "kids"); /* break the cycle to free it */
		json_decref(loop);
	}
	assert_int_equal(template_render(bad, NULL, &env, &b, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_non_null(strstr(e.msg, "unknown partial \"nope\" at 2:2"));
	assert_int_equal(template_render(bad, NULL, NULL, &b, &e), -1);
	json_decref(ok);
	json_decref(deep);
	buf_release(&b);
	template_free(bad);
	template_free(tree);
}

static void test_trusted(void **state)
{
	struct template *t = compile_ok("<div>{{&chart}}</div><p>{{chart}}</p>");
	const struct template_trusted frags[] = {{"chart", "<svg><rect width=\"1\"/></svg>"}};
	const struct template_env env = {NULL, 0, frags, N_ELEMS(frags), 0};
	struct buf b = BUF_INIT;
	struct err e;
	json_t *ctx;

	(void)state;
	/* Raw from the side table; a JSON value of the same name escapes. */
	ctx = json_pack("{s:s}", "chart", "<script>alert(1)</script>");
	assert_int_equal(template_render(t, ctx, &env, &b, &e), 0);
	assert_string_equal(buf_str(&b), "<div><svg><rect width=\"1\"/></svg></div>"
					 "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
	json_decref(ctx);
	/* Without the row, the JSON context is never consulted. */
	buf_reset(&b);
	ctx = json_pack("{s:s}", "chart", "<b>raw</b>");
	assert_int_equal(template_render(t, ctx, NULL, &b, &e), -1);
	assert_int_equal(e.kind, ERR_NOT_FOUND);
	assert_non_null(strstr(e.msg, "unknown trusted fragment \"chart\" at 1:6"));
	assert_string_equal(buf_str(&b), "");
	json_decref(ctx);
	template_free(t);
	/* A forged wrapper object is just data: it prints nothing or escapes. */
	expect("[{{x}}][{{x.__trusted_html}}]", "{\"x\": {\"__trusted_html\": \"<b>\"}}",
	       "[][&lt;b&gt;]");
	buf_release(&b);
}

static void test_template_escape(void **state)
{
	struct buf b = BUF_INIT;

	(void)state;
	template_escape(&b, "<text x=\"1\">a&b</text>", 22);
	assert_string_equal(buf_str(&b), "&lt;text x&#61;&quot;1&quot;&gt;a&amp;b&lt;/text&gt;");
	buf_release(&b);
}

static const struct compile_case {
	const char *src, *msg;
} bad_cases[] = {
    {"<ul>\n  {{#list}}<li>{{.}}</li>\n</ul>", "unclosed section \"list\" at 2:3"},
    {"{{#a.b}}x", "unclosed section \"a.b\" at 1:1"},
    {"{{#a}}{{#b}}{{/a}}{{/b}}", "mismatched close \"a\" at 1:13: section \"b\" opened at 1:7"},
    {"x\n{{/a}}", "close of \"a\" at 2:1 without an open section"},
    {"<p>\n<button onclick=\"go({{x}})\">", "{{x}} in attribute \"onclick\" at 2:21"},
    {"<a ONMOUSEOVER='{{x}}'>", "attribute \"onmouseover\" at 1:17"},
    {"<a href=\"{{url}}\">", "{{x}} in attribute \"href\" at 1:10"},
    {"<a HREF=\"{{url}}\">", "in attribute \"href\" at 1:10"},
    {"<a href=\"/{{x}}\">", "in attribute \"href\" at 1:11"},
    {"<a href=\"//{{x}}\">", "in attribute \"href\" at 1:12"},
    {"<a href=\"{{#a}}/x{{/a}}{{x}}\">", "in attribute \"href\" at 1:24"},
    {"<img src=\"{{x}}\">", "in attribute \"src\" at 1:11"},
    {"<form action=\"{{x}}\">", "in attribute \"action\" at 1:15"},
    {"<button formaction=\"{{x}}\">", "in attribute \"formaction\" at 1:21"},
    {"<p style=\"color: {{c}}\">", "{{x}} in attribute \"style\" at 1:18"},
    {"<p title=\"{{&x}}\">", "{{&x}} inside attribute \"title\" at 1:11"},
    {"<p title=\"{{> x}}\">", "{{>x}} inside attribute \"title\" at 1:11"},
    {"<p {{&x}}>", "{{&x}} inside an HTML tag, outside a quoted attribute value at 1:4"},
    {"<div {{x}}>", "{{x}} inside an HTML tag, outside a quoted attribute value at 1:6"},
    {"<p title={{x}}>", "{{x}} in the unquoted value of attribute \"title\" at 1:10"},
    {"<script>\nvar a = \"{{x}}\";</script>", "{{x}} inside <script> at 2:10"},
    {"<style>p { color: {{x}} }</style>", "{{x}} inside <style> at 1:19"},
    {"<!-- {{x}} -->", "{{x}} inside an HTML comment at 1:6"},
    {"<p>{{x</p>", "unterminated tag at 1:4"},
    {"ok\n\xc3\xa9t\xc3\xa9 {{x", "unterminated tag at 2:5"}, /* columns count characters */
    {"{{{x}}}", "\"{{{\" at 1:1 is not supported"},
    {"{{=<% %>=}}", "\"{{=\" at 1:1 is not supported"},
    {"{{a b}}", "invalid name \"a b\" at 1:1"},
    {"{{a..b}}", "invalid name \"a..b\" at 1:1"},
    {"{{}}", "invalid name \"\" at 1:1"},
    {"{{#a}}<p title=\"{{/a}}\">", "section \"a\" closed at 1:17 in another HTML context"},
    {"<p title=\"x", "template ends at 1:12 inside an HTML tag"},
    {"<script>x", "template ends at 1:10 inside <script>"},
    {"<!-- x -", "template ends at 1:9 inside an HTML tag or comment"},
};

static void test_compile_errors(void **state)
{
	struct template *sentinel = compile_ok("x");
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(bad_cases); i++) {
		struct template *t = sentinel; /* must become NULL */
		struct err e;
		int rc;

		err_clear(&e);
		rc = template_compile("t", bad_cases[i].src, strlen(bad_cases[i].src), &t, &e);
		if (rc != -1 || t != NULL || e.kind != ERR_INVALID ||
		    strcmp(e.field, "template") != 0 || !strstr(e.msg, bad_cases[i].msg)) {
			print_error("case %zu %s: rc %d, msg \"%s\", want \"%s\"\n", i,
				    bad_cases[i].src, rc, e.msg, bad_cases[i].msg);
			bad++;
			if (rc == 0)
				template_free(t);
		}
	}
	template_free(sentinel);
	if (bad)
		fail_msg("%d case(s) failed", bad);
}

static void test_nesting_limit(void **state)
{
	struct buf src = BUF_INIT;
	struct template *t = NULL;
	struct err e;

	(void)state;
	for (int i = 0; i < TEMPLATE_MAX_NESTING; i++)
		buf_puts(&src, "{{#a}}");
	for (int i = 0; i < TEMPLATE_MAX_NESTING; i++)
		buf_puts(&src, "{{/a}}");
	assert_int_equal(template_compile("t", src.data, src.len, &t, &e), 0);
	template_free(t);
	buf_reset(&src);
	for (int i = 0; i <= TEMPLATE_MAX_NESTING; i++)
		buf_puts(&src, "{{#a}}");
	assert_int_equal(template_compile("t", src.data, src.len, &t, &e), -1);
	assert_non_null(strstr(e.msg, "section at 1:193 nested deeper than 32"));
	buf_release(&src);
}

/* What the checks must not refuse. */
static void test_compile_allowed(void **state)
{
	(void)state;
	expect("<a href=\"/incidents/{{ref}}?tab={{tab}}\" class=\"{{#on}}active{{/on}}\">x</a>",
	       "{\"ref\": \"BR-1\\\"><x\", \"tab\": \"a&b\", \"on\": true}",
	       "<a href=\"/incidents/BR-1&quot;&gt;&lt;x?tab=a&amp;b\" class=\"active\">x</a>");
	expect("<option value=\"{{v}}\" {{#sel}}selected{{/sel}}>{{v}}</option>",
	       "{\"v\": \"x\", \"sel\": true}", "<option value=\"x\" selected>x</option>");
	expect("<input data-ref='{{r}}' alt=\"{{r}}\">", "{\"r\": \"'\"}",
	       "<input data-ref='&#39;' alt=\"&#39;\">");
	expect("<p>a < b, {{x}}</p><textarea>{{x}}</textarea>", "{\"x\": \"</textarea>\"}",
	       "<p>a < b, &lt;/textarea&gt;</p><textarea>&lt;/textarea&gt;</textarea>");
	expect("<script src=\"/app.js\"></script><style>p>a{color:red}</style>{{x}}", "{\"x\": 1}",
	       "<script src=\"/app.js\"></script><style>p>a{color:red}</style>1");
	expect("<!doctype html><!-- {{! a comment tag }} -->{{x}}{{! gone }}", "{\"x\": 2}",
	       "<!doctype html><!--  -->2");
	expect("<div\n  title=\"{{a}}\"\n  >{{#l}}<b>{{.}}</b>{{/l}}</div>",
	       "{\"a\": \"t\", \"l\": [1]}", "<div\n  title=\"t\"\n  ><b>1</b></div>");
	/* A fragment of this page: whatever follows "#" stays on it (the
	 * GOV.UK error summary links to its inputs). */
	expect("<a href=\"#{{f}}\">x</a>", "{\"f\": \"javascript:alert(1)\"}",
	       "<a href=\"#javascript:alert(1)\">x</a>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escape_each_char),
	    cmocka_unit_test(test_xss_payloads),
	    cmocka_unit_test(test_data_is_not_expanded),
	    cmocka_unit_test(test_utf8),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_dotted_paths),
	    cmocka_unit_test(test_sections),
	    cmocka_unit_test(test_inverted),
	    cmocka_unit_test(test_render_many_and_append),
	    cmocka_unit_test(test_partials),
	    cmocka_unit_test(test_partial_depth_and_unknown),
	    cmocka_unit_test(test_trusted),
	    cmocka_unit_test(test_template_escape),
	    cmocka_unit_test(test_compile_errors),
	    cmocka_unit_test(test_nesting_limit),
	    cmocka_unit_test(test_compile_allowed),
	};

	alloc_install_json();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
