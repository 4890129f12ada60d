/* chart: SVG bar and column charts as trusted fragments (see chart.h).
 * Geometry is in SVG user units; the viewBox lets CSS scale the chart
 * down on a narrow screen (.app-chart { max-width: 100% }). */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/template.h"
#include "http/chart.h"

#define WIDTH 720

/* Horizontal bars. */
#define ROW_H 28
#define BAR_H 18
#define LABEL_W 290      /* labels end here, bars start */
#define BAR_MAX 330      /* the longest bar */
#define LABEL_CHARS 34   /* what fits in LABEL_W at 14px */

/* Columns. */
#define COL_TOP 28       /* room for the value above the tallest column */
#define COL_PLOT 200     /* the tallest column */
#define COL_BOTTOM 36    /* room for the labels beneath */
#define COL_LEFT 10

static void esc(struct buf *out, const char *s)
{
	if (s)
		template_escape(out, s, strlen(s));
}

/* Escapes at most max characters (UTF-8 code points) of s, with an
 * ellipsis when it was longer; never cuts a character in two. */
static void esc_short(struct buf *out, const char *s, size_t max)
{
	size_t chars = 0, i = 0;
	if (!s)
		return;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xC0) != 0x80) {
			if (chars == max)
				break;
			chars++;
		}
	}
	if (!s[i]) {
		template_escape(out, s, i);
		return;
	}
	/* One character fewer, to leave room for the ellipsis. */
	size_t keep = 0;
	chars = 0;
	for (size_t k = 0; s[k]; k++) {
		if (((unsigned char)s[k] & 0xC0) != 0x80) {
			if (chars + 1 == max)
				break;
			chars++;
		}
		keep = k + 1;
	}
	template_escape(out, s, keep);
	buf_puts(out, "\xe2\x80\xa6");
}

/* A value as a person reads it: whole numbers without decimals. */
static void fmt_value(char *b, size_t n, double v)
{
	if (!isfinite(v))
		snprintf(b, n, "n/a");
	else if (fabs(v) < 1e15 && v == floor(v))
		snprintf(b, n, "%.0f", v);
	else if (fabs(v) < 1e15)
		snprintf(b, n, "%.1f", v);
	else
		snprintf(b, n, "%.3g", v);
}

/* A value that draws a bar: finite and positive. */
static bool drawable(double v)
{
	return isfinite(v) && v > 0;
}

static double max_value(const struct chart *c)
{
	double max = 0;
	for (size_t i = 0; i < c->n; i++)
		if (drawable(c->bars[i].value) && c->bars[i].value > max)
			max = c->bars[i].value;
	return max;
}

/* The length of a bar of value v when max draws full (0 for none). */
static double scaled(double v, double max, double full)
{
	if (!drawable(v) || max <= 0)
		return 0;
	double len = v / max * full;
	return len < 1 ? 1 : len; /* a tiny value still shows */
}

/* "12 items. The largest is X with 40. In all 120." when the caller
 * gave no summary. */
static void summary(struct buf *out, const struct chart *c)
{
	char v[64];
	size_t top = 0;
	double total = 0;
	bool any = false;

	if (c->summary) {
		esc(out, c->summary);
		return;
	}
	for (size_t i = 0; i < c->n; i++) {
		if (!isfinite(c->bars[i].value))
			continue;
		total += c->bars[i].value;
		if (!any || c->bars[i].value > c->bars[top].value)
			top = i;
		any = true;
	}
	if (!c->n || !any || max_value(c) <= 0) {
		buf_puts(out, c->n ? "Every value is zero." : "No incidents.");
		return;
	}
	buf_printf(out, "%zu %s. The largest is ", c->n, c->n == 1 ? "item" : "items");
	esc(out, c->bars[top].label ? c->bars[top].label : "");
	fmt_value(v, sizeof v, c->bars[top].value);
	buf_printf(out, " with %s. In all ", v);
	fmt_value(v, sizeof v, total);
	buf_printf(out, "%s.", v);
}

static void open_svg(struct buf *out, const struct chart *c, int height)
{
	buf_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"app-chart\" role=\"img\" "
		      "focusable=\"false\" aria-labelledby=\"");
	esc(out, c->id);
	buf_puts(out, "-title\" aria-describedby=\"");
	esc(out, c->id);
	buf_printf(out, "-desc\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\">", WIDTH, height,
		   WIDTH, height);
	buf_puts(out, "<title id=\"");
	esc(out, c->id);
	buf_puts(out, "-title\">");
	esc(out, c->title ? c->title : "Chart");
	buf_puts(out, "</title><desc id=\"");
	esc(out, c->id);
	buf_puts(out, "-desc\">");
	summary(out, c);
	buf_puts(out, "</desc>");
}

static void empty(struct buf *out, int height)
{
	buf_printf(out, "<text class=\"app-chart__empty\" x=\"%d\" y=\"%d\">No incidents</text>",
		   10, height / 2);
}

void chart_bars(struct buf *out, const struct chart *c)
{
	int height = c->n ? (int)c->n * ROW_H + 12 : 60;
	double max = max_value(c);
	char v[64];

	open_svg(out, c, height);
	if (!c->n) {
		empty(out, height);
		buf_puts(out, "</svg>");
		return;
	}
	buf_printf(out, "<line class=\"app-chart__axis\" x1=\"%d\" y1=\"4\" x2=\"%d\" y2=\"%d\"/>",
		   LABEL_W, LABEL_W, height - 4);
	for (size_t i = 0; i < c->n; i++) {
		int y = 8 + (int)i * ROW_H;
		double len = scaled(c->bars[i].value, max, BAR_MAX);
		fmt_value(v, sizeof v, c->bars[i].value);
		buf_printf(out, "<g><text class=\"app-chart__label\" x=\"%d\" y=\"%d\" "
				"text-anchor=\"end\">",
			   LABEL_W - 8, y + 14);
		esc_short(out, c->bars[i].label, LABEL_CHARS);
		buf_puts(out, "</text>");
		if (len > 0)
			buf_printf(out, "<rect class=\"app-chart__bar\" x=\"%d\" y=\"%d\" "
					"width=\"%.1f\" height=\"%d\"/>",
				   LABEL_W, y, len, BAR_H);
		buf_printf(out, "<text class=\"app-chart__value\" x=\"%.1f\" y=\"%d\">%s</text></g>",
			   LABEL_W + len + 6, y + 14, v);
	}
	buf_puts(out, "</svg>");
}

void chart_columns(struct buf *out, const struct chart *c)
{
	int height = COL_TOP + COL_PLOT + COL_BOTTOM;
	int base = COL_TOP + COL_PLOT;
	double max = max_value(c);
	char v[64];

	open_svg(out, c, height);
	if (!c->n) {
		empty(out, height);
		buf_puts(out, "</svg>");
		return;
	}
	double slot = (double)(WIDTH - 2 * COL_LEFT) / (double)c->n;
	double w = slot * 0.7;
	/* About 7 units a character at 12px. */
	size_t chars = slot / 7 < 3 ? 3 : (size_t)(slot / 7);
	buf_printf(out, "<line class=\"app-chart__axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>",
		   COL_LEFT, base, WIDTH - COL_LEFT, base);
	for (size_t i = 0; i < c->n; i++) {
		double x = COL_LEFT + slot * (double)i + (slot - w) / 2;
		double mid = COL_LEFT + slot * (double)i + slot / 2;
		double h = scaled(c->bars[i].value, max, COL_PLOT);
		fmt_value(v, sizeof v, c->bars[i].value);
		buf_puts(out, "<g>");
		if (h > 0)
			buf_printf(out, "<rect class=\"app-chart__bar\" x=\"%.1f\" y=\"%.1f\" "
					"width=\"%.1f\" height=\"%.1f\"/>",
				   x, base - h, w, h);
		buf_printf(out, "<text class=\"app-chart__value\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">%s</text>",
			   mid, base - h - 6, v);
		buf_printf(out, "<text class=\"app-chart__label app-chart__label--small\" "
				"x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">",
			   mid, base + 20);
		esc_short(out, c->bars[i].label, chars);
		buf_puts(out, "</text></g>");
	}
	buf_puts(out, "</svg>");
}
