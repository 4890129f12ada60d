/* test_chart: the SVG charts of the trends page (src/http/chart.h):
 * labels, titles and summaries escaped; empty data, all zeros, one bar,
 * negative, NaN and huge values drawn without nonsense; the output a
 * well-formed SVG element with a title and a description. */
#include <math.h>
#include <stdbool.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/buf.h"
#include "http/chart.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

typedef void (*draw_fn)(struct buf *, const struct chart *);

static char *draw(draw_fn fn, const struct chart *c)
{
	struct buf b = BUF_INIT;
	fn(&b, c);
	return buf_detach(&b, NULL);
}

/* A small XML well-formedness check: every tag closes in order, attribute
 * values are quoted, no raw '<' or '&' outside a tag or an entity. Enough
 * for what chart.c writes (no comments, CDATA or processing
 * instructions). */
static void assert_well_formed(const char *s)
{
	const char *stack[64];
	size_t depth = 0, lens[64];
	const char *p = s;

	assert_true(strncmp(s, "<svg ", 5) == 0);
	while (*p) {
		if (*p == '&') {
			const char *semi = strchr(p, ';');
			assert_non_null(semi);
			assert_true(semi - p < 10);
			for (const char *q = p + 1; q < semi; q++)
				assert_true((*q >= 'a' && *q <= 'z') || (*q >= '0' && *q <= '9') ||
					    *q == '#' || (*q >= 'A' && *q <= 'Z'));
			p = semi + 1;
			continue;
		}
		if (*p == '>')
			fail_msg("raw '>' in text at %d", (int)(p - s));
		if (*p != '<') {
			p++;
			continue;
		}
		bool closing = p[1] == '/';
		const char *name = p + (closing ? 2 : 1);
		size_t n = strcspn(name, " />");
		assert_true(n > 0);
		const char *q = name + n;
		/* Attributes: name="value" with no '<' inside. */
		bool in_value = false;
		for (; *q && (in_value || *q != '>'); q++) {
			if (*q == '"')
				in_value = !in_value;
			assert_true(*q != '<');
		}
		assert_int_equal(*q, '>');
		bool self = q[-1] == '/';
		if (closing) {
			assert_true(depth > 0);
			depth--;
			assert_int_equal(lens[depth], n);
			assert_memory_equal(stack[depth], name, n);
		} else if (!self) {
			assert_true(depth < N_ELEMS(stack));
			stack[depth] = name;
			lens[depth++] = n;
		}
		p = q + 1;
		if (depth == 0) {
			assert_int_equal(*p, '\0'); /* one root element */
			break;
		}
	}
	assert_int_equal(depth, 0);
}

static void assert_has(const char *s, const char *what)
{
	if (!strstr(s, what))
		fail_msg("no \"%s\" in %s", what, s);
}

static void assert_lacks(const char *s, const char *what)
{
	if (strstr(s, what))
		fail_msg("\"%s\" in %s", what, s);
}

static size_t count(const char *s, const char *what)
{
	size_t n = 0;
	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void both(void (*check)(draw_fn))
{
	check(chart_bars);
	check(chart_columns);
}

static void escaping_one(draw_fn fn)
{
	const struct chart_bar bars[] = {{"<script>alert(1)</script>", 3},
					 {"\"><img src=x onerror=alert(1)>", 2},
					 {"Tom & Jerry's", 1}};
	struct chart c = {.id = "x\"y", .title = "<b>Title</b>", .bars = bars,
			  .n = N_ELEMS(bars)};
	char *svg = draw(fn, &c);
	assert_well_formed(svg);
	assert_lacks(svg, "<script");
	assert_lacks(svg, "<img");
	assert_lacks(svg, "<b>");
	assert_lacks(svg, "x\"y");
	assert_has(svg, "&lt;script&gt;");
	assert_has(svg, "&lt;b&gt;Title&lt;/b&gt;");
	assert_has(svg, "Tom &amp; Jerry&#39;s");
	free(svg);

	/* A caller's summary is escaped too. */
	c.summary = "<i>";
	svg = draw(fn, &c);
	assert_has(svg, "&lt;i&gt;</desc>");
	free(svg);
}

static void test_escaping(void **state)
{
	(void)state;
	both(escaping_one);
}

static void empty_one(draw_fn fn)
{
	struct chart c = {.id = "e", .title = "Nothing", .bars = NULL, .n = 0};
	char *svg = draw(fn, &c);
	assert_well_formed(svg);
	assert_has(svg, "<title id=\"e-title\">Nothing</title>");
	assert_has(svg, "aria-labelledby=\"e-title\"");
	assert_has(svg, "role=\"img\"");
	assert_has(svg, "No incidents");
	assert_lacks(svg, "<rect");
	free(svg);
}

static void test_empty(void **state)
{
	(void)state;
	both(empty_one);
}

static void zero_one(draw_fn fn)
{
	const struct chart_bar bars[] = {{"a", 0}, {"b", 0}};
	struct chart c = {.id = "z", .title = "Zeros", .bars = bars, .n = 2};
	char *svg = draw(fn, &c);
	assert_well_formed(svg);
	assert_lacks(svg, "<rect"); /* no division by a zero maximum */
	assert_lacks(svg, "nan");
	assert_lacks(svg, "inf");
	assert_int_equal(count(svg, ">0</text>"), 2);
	assert_has(svg, "Every value is zero.");
	free(svg);
}

static void test_zero_max(void **state)
{
	(void)state;
	both(zero_one);
}

static void one_one(draw_fn fn)
{
	const struct chart_bar bars[] = {{"only", 7}};
	struct chart c = {.id = "o", .title = "One", .bars = bars, .n = 1};
	char *svg = draw(fn, &c);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "<rect"), 1);
	assert_has(svg, ">7</text>");
	assert_has(svg, ">only</text>");
	assert_has(svg, "1 item. The largest is only with 7. In all 7.");
	free(svg);
}

static void test_one_bar(void **state)
{
	(void)state;
	both(one_one);
}

static void odd_one(draw_fn fn)
{
	const struct chart_bar bars[] = {
	    {"neg", -3}, {"nan", NAN}, {"inf", INFINITY}, {"huge", 1e300}, {"small", 1}, {NULL, 2.5}};
	struct chart c = {.id = "n", .title = "Odd", .bars = bars, .n = N_ELEMS(bars)};
	char *svg = draw(fn, &c);
	assert_well_formed(svg);
	/* Only the finite positive values draw: huge, small and 2.5. */
	assert_int_equal(count(svg, "<rect"), 3);
	assert_has(svg, ">-3</text>");
	assert_int_equal(count(svg, ">n/a</text>"), 2);
	assert_has(svg, ">1e+300</text>");
	assert_has(svg, ">2.5</text>");
	assert_lacks(svg, "nan\"");
	assert_lacks(svg, "-nan");
	assert_lacks(svg, "=\"inf");
	free(svg);
}

static void test_odd_values(void **state)
{
	(void)state;
	both(odd_one);
}

static void test_long_labels_shortened(void **state)
{
	/* 50 two-byte characters: cut at a character, with an ellipsis. */
	char label[101];
	for (int i = 0; i < 50; i++)
		memcpy(label + 2 * i, "\xc3\xa9", 2);
	label[100] = '\0';
	const struct chart_bar bars[] = {{label, 1}};
	struct chart c = {.id = "l", .title = "Long", .bars = bars, .n = 1};
	(void)state;
	char *svg = draw(chart_bars, &c);
	assert_well_formed(svg);
	assert_has(svg, "\xc3\xa9\xe2\x80\xa6</text>");
	char whole[120];
	snprintf(whole, sizeof whole, ">%s</text>", label);
	assert_lacks(svg, whole); /* not the whole label in the bar's text */
	assert_has(svg, label);   /* but whole in the description (largest) */
	free(svg);
}

static void test_many_columns(void **state)
{
	struct chart_bar bars[120];
	(void)state;
	for (size_t i = 0; i < N_ELEMS(bars); i++) {
		bars[i].label = "2026-01";
		bars[i].value = (double)i;
	}
	struct chart c = {.id = "m", .title = "Many", .bars = bars, .n = N_ELEMS(bars)};
	char *svg = draw(chart_columns, &c);
	assert_well_formed(svg);
	assert_int_equal(count(svg, "<rect"), N_ELEMS(bars) - 1);
	free(svg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_escaping),	  cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_zero_max),	  cmocka_unit_test(test_one_bar),
	    cmocka_unit_test(test_odd_values),	  cmocka_unit_test(test_long_labels_shortened),
	    cmocka_unit_test(test_many_columns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
