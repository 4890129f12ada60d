/* rollup: the counts behind every trend answer (SPEC 5), kept in the same
 * transaction as each write so that no trend question scans incidents.
 *
 * The unit is the incident: an incident counts once in every group it
 * belongs to. Month (of reporting), organisation, kind, status, severity,
 * personal data and the ICO decision have one value per incident; breach
 * type and control area (one per type) and outcome and engagement (one per
 * subject) may have several. So each incident contributes one cell per
 * *distinct projection* onto each combination ("mask") of the
 * many-valued dimensions it may be grouped by: an incident with two types
 * of the same control area is one incident in that area, and one in each
 * type. A query picks the mask of the many-valued dimensions it groups or
 * filters by and sums cells; the cost depends on the number of cells
 * (months x organisations x ...), never on the number of incidents.
 *
 * Elapsed times (discovery to report, to decision, to close) are counted
 * in histograms (core/stats.h buckets) by month and organisation, so
 * medians and 90th percentiles come from counts as well.
 *
 * rollup_cells is a pure function of a record; maintenance is the
 * difference between the cells before and after a write (rollup_diff). */
#ifndef BR_ROLLUP_H
#define BR_ROLLUP_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/record.h"

/* Mask bits: which many-valued dimensions a cell is keyed by. Type implies
 * its control area; ROLLUP_CONTROL alone is the distinct control areas. */
enum {
	ROLLUP_CONTROL = 1u << 0,
	ROLLUP_TYPE = 1u << 1, /* with ROLLUP_CONTROL always */
	ROLLUP_OUTCOME = 1u << 2,
	ROLLUP_ENGAGEMENT = 1u << 3,
};
#define ROLLUP_MASKS 12 /* {none, control, type+control} x subsets of {outcome, engagement} */

/* The status dimension: open (any state before closed) or how it ended. */
enum rollup_status { RS_OPEN, RS_CLOSED, RS_UNFOUNDED, RS_WITHDRAWN, RS_COUNT };
extern const struct vocab vocab_rollup_status;

/* Elapsed-time metrics, all from discovery. */
enum rollup_metric { RM_REPORT, RM_DECISION, RM_CLOSE, RM_COUNT };
extern const struct vocab vocab_rollup_metric;

struct rollup_cell {
	unsigned mask;
	int month; /* YYYYMM of reported_at */
	char org[CODE_MAX];
	enum kind kind;
	enum rollup_status status;
	int severity; /* enum severity; -1 not yet assessed */
	int personal; /* 0 or 1 */
	int ico;      /* -1 no ICO decision, 0 not notified, 1 notified */
	/* The many-valued dimensions: "" or -1 unless the mask keys them. */
	char type[CODE_MAX];
	int control;    /* enum control */
	int outcome;    /* enum outcome; ROLLUP_UNDECIDED for an undecided subject */
	int engagement; /* enum engagement */
	int64_t n;      /* count, or a change in count */
};
#define ROLLUP_UNDECIDED OUT_COUNT
#define ROLLUP_UNKEYED (-1)

struct rollup_time {
	enum rollup_metric metric;
	int month; /* YYYYMM of reported_at */
	char org[CODE_MAX];
	int bucket; /* stats_hours_bucket */
	int64_t n;
};

/* A record's contribution (every n is 1): *cells and *times are new
 * arrays the caller frees. A NULL record contributes nothing. */
void rollup_cells(const struct record *r, struct rollup_cell **cells, size_t *ncells,
		  struct rollup_time **times, size_t *ntimes);

/* What a write changes: after minus before, cells that cancel dropped.
 * Consumes neither input; *out is a new array (n carries +1 / -1 / ...). */
void rollup_diff(const struct rollup_cell *before, size_t nbefore, const struct rollup_cell *after,
		 size_t nafter, struct rollup_cell **out, size_t *nout);
void rollup_time_diff(const struct rollup_time *before, size_t nbefore,
		      const struct rollup_time *after, size_t nafter, struct rollup_time **out,
		      size_t *nout);

/* Orders cells by every key (then n): for diffs and for comparing a
 * maintained rollup with a recount. */
int rollup_cell_cmp(const struct rollup_cell *a, const struct rollup_cell *b);
int rollup_time_cmp(const struct rollup_time *a, const struct rollup_time *b);

/* Adds cells with equal keys together and drops zero counts; sorts. */
void rollup_cells_merge(struct rollup_cell *cells, size_t *n);
void rollup_times_merge(struct rollup_time *times, size_t *n);

/* Trend queries (store_ops.rollup_query): sum the cells of one mask,
 * grouped by some dimensions, filtered on others. */
enum rollup_dim {
	RD_MONTH,
	RD_ORG,
	RD_KIND,
	RD_STATUS,
	RD_SEVERITY,
	RD_PERSONAL,
	RD_ICO,
	RD_TYPE,
	RD_CONTROL,
	RD_OUTCOME,
	RD_ENGAGEMENT,
	RD_COUNT
};
#define ROLLUP_ANY (-2) /* an int filter that matches every value */

struct rollup_filter {
	unsigned mask;  /* which cells to sum: the many-valued dims grouped or filtered */
	unsigned group; /* 1u << enum rollup_dim for each dimension grouped by */
	int month_from, month_to; /* YYYYMM inclusive; 0: open */
	const char (*orgs)[CODE_MAX]; /* NULL: every organisation */
	size_t norgs;
	/* Equality filters, ROLLUP_ANY (or "" for type) for none. */
	int kind, status, severity, personal, ico, control, outcome, engagement;
	char type[CODE_MAX];
};
/* Every filter open, no grouping, mask 0. */
void rollup_filter_init(struct rollup_filter *f);
/* The mask a filter needs for its groups and filters. */
unsigned rollup_filter_mask(const struct rollup_filter *f);

struct rollup_time_filter {
	unsigned group; /* (1u << RD_MONTH) and/or (1u << RD_ORG) */
	int month_from, month_to;
	const char (*orgs)[CODE_MAX];
	size_t norgs;
};

/* The dimensions a trend may be grouped by (SPEC 5, `trends --by`). */
enum trend_dim {
	TD_MONTH,
	TD_QUARTER,
	TD_ORG,
	TD_TYPE,
	TD_CONTROL,
	TD_SEVERITY,
	TD_OUTCOME,
	TD_ENGAGEMENT,
	TD_KIND,
	TD_STATUS,
	TD_COUNT
};
extern const struct vocab vocab_trend_dim;

/* "YYYY-MM" and "YYYYQn" forms of a YYYYMM month; parse accepts both
 * (a quarter as its first or last month, per last). 0 or -1. */
void rollup_month_format(int month, char buf[8]);
void rollup_quarter_format(int month, char buf[8]);
int rollup_period_parse(const char *s, bool last, int *month);

/* The status dimension of a state. */
enum rollup_status rollup_status_of(enum state st);

#endif
