/* stats: the exact small-sample tests and histogram quantiles behind the
 * central record's signals (docs/signals.md). Pure functions of counts:
 * no I/O, no allocation, no globals. */
#ifndef BR_STATS_H
#define BR_STATS_H
#include <stddef.h>
#include <stdint.h>

/* P(X >= k) for X ~ Binomial(n, p), exact: the tail beyond the mean is
 * summed relative to its first term, whose log comes from a saddle-point
 * form, so it stays accurate to ~1e-13 relative for n in the millions and
 * far tails do not underflow before the end. k <= 0 gives 1, k > n gives 0;
 * p = 0 gives 0 and p = 1 gives 1 (for 0 < k <= n). n < 0 or p outside
 * [0, 1] gives NaN. Cost: about ten times sqrt(n p (1 - p)) steps. */
double stats_binom_upper(int64_t k, int64_t n, double p);

/* P(X >= k) for X ~ Poisson(lambda), exact: summed directly when
 * k >= lambda (so a far upper tail keeps its relative precision), else as
 * 1 - P(X <= k - 1). k <= 0 gives 1; lambda = 0 gives 0 for k > 0; lambda
 * negative or NaN gives NaN. */
double stats_poisson_upper(int64_t k, double lambda);

/* Two-sided p-value of Fisher's exact test on the 2x2 table
 *   | a b |
 *   | c d |
 * (the sum of the probabilities of every table with the same margins that
 * is no more likely than the observed one, with R's relative tolerance
 * 1e-7), as R's fisher.test. All counts >= 0; an empty margin gives 1; a
 * negative count (or one above 2^50) gives NaN. */
double stats_fisher_2x2(int64_t a, int64_t b, int64_t c, int64_t d);

/* Latency histogram: elapsed times in hours fall into fixed buckets
 * (1-hour wide below 72 h, 1-day wide below 90 days, 30-day wide below
 * 1,110 days, then one open bucket: 72 + 87 + 34 + 1), so a median or 90th
 * percentile can be read from counts kept in rollups without touching the
 * incidents. */
#define STATS_HOURS_BUCKETS 194
/* The bucket of an elapsed time in seconds (negative counts as 0). */
int stats_hours_bucket(int64_t seconds);
/* The bounds in hours of bucket b: [*lo, *hi); the last bucket's *hi is
 * its *lo (open-ended). A b outside [0, STATS_HOURS_BUCKETS) gives -1, -1. */
void stats_hours_bounds(int b, double *lo, double *hi);
/* The q-quantile (0 < q < 1) in hours of counts[0..STATS_HOURS_BUCKETS):
 * the first bucket whose cumulative count reaches q * total, interpolated
 * linearly inside it (lo + (hi - lo) * (q * total - before) / count); in the
 * open bucket, its lo. Negative counts count as 0; q is clamped to [0, 1];
 * -1 when every count is 0 or q is NaN. */
double stats_hours_quantile(const int64_t counts[STATS_HOURS_BUCKETS], double q);

#endif
