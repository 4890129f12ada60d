/* chart: SVG charts for the trends page (SPEC 6.3: "charts as SVG beside
 * their data table"), drawn on the server so they need no script. Pure:
 * rows of label and value in, SVG text out into a struct buf; no I/O.
 *
 * The output is a trusted fragment (core/template.h): every label, the
 * title, the summary and the id are escaped with template_escape, so a
 * label such as "<script>" arrives as "&lt;script&gt;". Styling comes
 * from classes in web/static/app.css (app-chart, app-chart__bar,
 * app-chart__axis ...), never style attributes (the CSP forbids them).
 *
 * Accessibility: the <svg> is role="img" labelled by its <title> and
 * described by its <desc> (the text summary); each bar carries its value
 * as text, so nothing is told by colour alone. The table beside it, which
 * the page draws, is the full account. */
#ifndef BR_CHART_H
#define BR_CHART_H
#include <stddef.h>

#include "core/buf.h"

/* One bar (borrowed strings). label may be NULL (drawn as ""). Values
 * that are negative, NaN or infinite draw no bar; the value label still
 * says what was given ("-3"; NaN and infinities as "n/a"). */
struct chart_bar {
	const char *label;
	double value;
};

struct chart {
	const char *id;      /* unique in the page: the <title> is ID-title, <desc> ID-desc */
	const char *title;   /* the accessible name, e.g. "Incidents by month" */
	const char *summary; /* the text summary; NULL: one is written from the data */
	const struct chart_bar *bars;
	size_t n; /* 0 draws an empty chart that says "No incidents" */
};

/* Appends a horizontal bar chart (one row per bar, label on the left,
 * value after the bar): for categories with long names. */
void chart_bars(struct buf *out, const struct chart *c);
/* Appends a column chart (bars side by side, labels beneath): for a
 * time series such as months. Labels are shortened to fit. */
void chart_columns(struct buf *out, const struct chart *c);

#endif
