/* stats: exact binomial and Poisson tails, Fisher's exact test and the
 * latency histogram (see stats.h). Probabilities come from Loader's
 * saddle-point form of the mass functions ("Fast and Accurate Computation of
 * Binomial Probabilities", 2000, as used by R's dbinom and dpois), which keeps
 * full relative precision where lgamma differences of numbers in the millions
 * would lose six or more digits. */
#include "core/stats.h"

#include <float.h>
#include <math.h>

#define LN_2PI 1.837877066409345483560659472811235279722794947275566825634

/* A tail sum stops once the rest of it is provably below this fraction of
 * what has been summed: below the rounding of the sum itself. */
#define TAIL_EPS (DBL_EPSILON / 8)

/* R's fisher.test counts a table as "no more likely" than the observed one
 * within this relative tolerance, so that tables of equal probability are
 * not split by rounding. */
#define FISHER_REL_ERR (1 + 1e-7)

/* The error of Stirling's formula, ln(x!) - ln(sqrt(2 pi x) (x/e)^x), at
 * integers 0..15 (computed to 20 digits with mpmath; R's table at the same
 * points agrees). Below 16 the asymptotic series is not yet accurate, and
 * lgamma minus the formula would cancel away several digits. */
static const double stirlerr_small[16] = {
    0.0, /* unused: x = 0 is handled apart by every caller */
    0.08106146679532725822,
    0.041340695955409294094,
    0.027677925684998339149,
    0.020790672103765093112,
    0.016644691189821192163,
    0.013876128823070747999,
    0.011896709945891770095,
    0.010411265261972096497,
    0.0092554621827127329177,
    0.0083305634333628712565,
    0.007573675487951840795,
    0.0069428401072095298657,
    0.0064089941880042070684,
    0.0059513701127588477356,
    0.005554733551962801371,
};

static double stirlerr(double x)
{
	const double s0 = 1.0 / 12, s1 = 1.0 / 360, s2 = 1.0 / 1260, s3 = 1.0 / 1680,
		     s4 = 1.0 / 1188;
	if (x <= 15)
		return stirlerr_small[(int)x];
	double xx = x * x;
	/* fewer terms of the series suffice as x grows (Loader's cut-offs) */
	if (x > 500)
		return (s0 - s1 / xx) / x;
	if (x > 80)
		return (s0 - (s1 - s2 / xx) / xx) / x;
	if (x > 35)
		return (s0 - (s1 - (s2 - s3 / xx) / xx) / xx) / x;
	return (s0 - (s1 - (s2 - (s3 - s4 / xx) / xx) / xx) / xx) / x;
}

/* The deviance term x ln(x/np) + np - x, by its series when x is near np,
 * where the closed form would subtract nearly equal numbers. */
static double bd0(double x, double np)
{
	if (fabs(x - np) < 0.1 * (x + np)) {
		double v = (x - np) / (x + np);
		double s = (x - np) * v;
		double ej = 2 * x * v;
		v = v * v;
		for (int j = 1; j < 1000; j++) {
			ej *= v;
			double s1 = s + ej / (2 * j + 1);
			if (s1 == s)
				return s1;
			s = s1;
		}
	}
	return x * log(x / np) + np - x;
}

/* ln P(X = x), X ~ Binomial(n, p), for 0 <= x <= n and 0 < p < 1. */
static double log_dbinom(double x, double n, double p)
{
	double q = 1 - p;
	if (x == 0)
		return n * log1p(-p);
	if (x == n)
		return n * log(p);
	double lc = stirlerr(n) - stirlerr(x) - stirlerr(n - x) - bd0(x, n * p) - bd0(n - x, n * q);
	double lf = LN_2PI + log(x) + log1p(-x / n);
	return lc - 0.5 * lf;
}

/* ln P(X = x), X ~ Poisson(lambda), for x >= 0 and lambda > 0. */
static double log_dpois(double x, double lambda)
{
	if (x == 0)
		return -lambda;
	return -stirlerr(x) - bd0(x, lambda) - 0.5 * (LN_2PI + log(x));
}

/* Every sum below runs from its first term away from the mode, so the ratio
 * r of each term to the one before only falls; once r < 1 the rest of the
 * sum is at most next / (1 - r). That bound, not a fixed count, ends it. */
static int tail_done(double next, double r, double sum)
{
	return r < 1 && next <= sum * TAIL_EPS * (1 - r);
}

/* Terms are summed relative to the first, whose log is added back at the
 * end, so a tail whose first term would underflow still sums correctly up
 * to the final exp. The tail is taken on the far side of the mean (the
 * upper tail itself when k >= np, else 1 - the lower tail below k), where
 * the terms fall from the first. */
double stats_binom_upper(int64_t k, int64_t n, double p)
{
	if (n < 0 || isnan(p) || p < 0 || p > 1)
		return NAN;
	if (k <= 0)
		return 1.0;
	if (k > n)
		return 0.0;
	if (p == 0)
		return 0.0;
	if (p == 1)
		return 1.0;

	double dn = (double)n, odds = p / (1 - p), sum = 0, t = 1;
	if ((double)k >= dn * p) {
		double lead = log_dbinom((double)k, dn, p);
		for (int64_t i = k;; i++) {
			sum += t;
			if (i == n)
				break;
			double r = (dn - (double)i) / ((double)i + 1) * odds;
			t *= r;
			if (tail_done(t, r, sum))
				break;
		}
		return fmin(1.0, exp(lead + log(sum)));
	}

	double lead = log_dbinom((double)(k - 1), dn, p);
	for (int64_t i = k - 1;; i--) {
		sum += t;
		if (i == 0)
			break;
		double r = (double)i / (dn - (double)i + 1) / odds;
		t *= r;
		if (tail_done(t, r, sum))
			break;
	}
	return fmax(0.0, 1.0 - exp(lead + log(sum)));
}

/* As stats_binom_upper: the upper tail is summed directly when k >= lambda
 * (so a far tail keeps its relative precision), else 1 - the lower tail. */
double stats_poisson_upper(int64_t k, double lambda)
{
	if (isnan(lambda) || lambda < 0)
		return NAN;
	if (k <= 0)
		return 1.0;
	if (lambda == 0)
		return 0.0;
	if (isinf(lambda))
		return 1.0;

	double sum = 0, t = 1;
	if ((double)k >= lambda) {
		double lead = log_dpois((double)k, lambda);
		for (int64_t i = k;; i++) {
			sum += t;
			double r = lambda / ((double)i + 1);
			t *= r;
			if (t == 0 || tail_done(t, r, sum))
				break;
		}
		return fmin(1.0, exp(lead + log(sum)));
	}

	double lead = log_dpois((double)(k - 1), lambda);
	for (int64_t i = k - 1;; i--) {
		sum += t;
		if (i == 0)
			break;
		double r = (double)i / lambda;
		t *= r;
		if (tail_done(t, r, sum))
			break;
	}
	return fmax(0.0, 1.0 - exp(lead + log(sum)));
}

/* Fisher's test works on the hypergeometric law of the top-left cell x given
 * the margins: m = a + c, n = b + d, k = a + b. Weights are kept relative
 * to the mode's (1), stepping outward by the ratio of neighbouring terms, so
 * nothing overflows; far tails underflow to 0 as they do in R. */
struct hyper {
	double m, n, k;
};

/* weight(x + 1) / weight(x) */
static double hyper_up(const struct hyper *h, int64_t x)
{
	double dx = (double)x;
	return (h->m - dx) * (h->k - dx) / ((dx + 1) * (h->n - h->k + dx + 1));
}

/* weight(x - 1) / weight(x) */
static double hyper_down(const struct hyper *h, int64_t x)
{
	double dx = (double)x;
	return dx * (h->n - h->k + dx) / ((h->m - dx + 1) * (h->k - dx + 1));
}

/* Counts above this are rejected: margins must stay exact in a double and
 * sums of counts must not overflow. */
#define FISHER_MAX_COUNT ((int64_t)1 << 50)

double stats_fisher_2x2(int64_t a, int64_t b, int64_t c, int64_t d)
{
	if (a < 0 || b < 0 || c < 0 || d < 0)
		return NAN;
	if (a > FISHER_MAX_COUNT || b > FISHER_MAX_COUNT || c > FISHER_MAX_COUNT ||
	    d > FISHER_MAX_COUNT)
		return NAN;
	int64_t m = a + c, n = b + d, k = a + b;
	if (m == 0 || n == 0 || k == 0 || k == m + n)
		return 1.0; /* one table has these margins */

	const struct hyper h = {(double)m, (double)n, (double)k};
	int64_t lo = k > n ? k - n : 0, hi = k < m ? k : m;
	int64_t mode = (int64_t)floor(((double)k + 1) * ((double)m + 1) / ((double)(m + n) + 2));
	if (mode < lo)
		mode = lo;
	if (mode > hi)
		mode = hi;

	/* The observed weight, reached by the same products as in the sums
	 * below, so the observed table compares equal to itself exactly. */
	double w_obs = 1;
	for (int64_t x = mode; x < a && w_obs > 0; x++)
		w_obs *= hyper_up(&h, x);
	for (int64_t x = mode; x > a && w_obs > 0; x--)
		w_obs *= hyper_down(&h, x);
	double limit = w_obs * FISHER_REL_ERR;

	double total = 0, as_extreme = 0, w = 1;
	for (int64_t x = mode; x <= hi && w > 0; x++) {
		total += w;
		if (w <= limit)
			as_extreme += w;
		if (x < hi)
			w *= hyper_up(&h, x);
	}
	w = 1;
	for (int64_t x = mode; x > lo; x--) {
		w *= hyper_down(&h, x);
		if (w == 0)
			break;
		total += w;
		if (w <= limit)
			as_extreme += w;
	}
	double pv = as_extreme / total;
	return pv < 0 ? 0 : pv > 1 ? 1 : pv;
}

/* ---- latency histogram ---- */

/* The histogram's tiers, in hours: each row is `count` buckets of `width`
 * hours from `lo`; the last row is the one open bucket. */
enum { TIER_HOURS = 72, TIER_DAYS = 87, TIER_MONTHS = 34, TIER_OPEN = 1 };
_Static_assert(TIER_HOURS + TIER_DAYS + TIER_MONTHS + TIER_OPEN == STATS_HOURS_BUCKETS,
	       "the tiers must cover every bucket");

static const struct tier {
	int first;     /* first bucket of the tier */
	int64_t lo;    /* hours */
	int64_t width; /* hours; 0 for the open bucket */
	int count;
} tiers[] = {
    {0, 0, 1, TIER_HOURS},
    {TIER_HOURS, 72, 24, TIER_DAYS},
    {TIER_HOURS + TIER_DAYS, 90 * 24, 30 * 24, TIER_MONTHS},
    {TIER_HOURS + TIER_DAYS + TIER_MONTHS, 1110 * 24, 0, TIER_OPEN},
};
#define N_TIERS ((int)(sizeof(tiers) / sizeof(tiers[0])))

int stats_hours_bucket(int64_t seconds)
{
	if (seconds < 0)
		seconds = 0;
	for (int i = 0; i < N_TIERS - 1; i++) {
		const struct tier *t = &tiers[i];
		int64_t end = (t->lo + t->width * t->count) * 3600;
		if (seconds < end)
			return t->first + (int)((seconds - t->lo * 3600) / (t->width * 3600));
	}
	return STATS_HOURS_BUCKETS - 1;
}

void stats_hours_bounds(int b, double *lo, double *hi)
{
	*lo = *hi = -1;
	for (int i = 0; i < N_TIERS; i++) {
		const struct tier *t = &tiers[i];
		if (b >= t->first && b < t->first + t->count) {
			*lo = (double)(t->lo + t->width * (b - t->first));
			*hi = *lo + (double)t->width;
			return;
		}
	}
}

/* Counts are accumulated in doubles: exact up to 2^53 in all, and no
 * signed overflow whatever the rollups hold. The open bucket has hi == lo,
 * so the interpolation gives its lo without a special case. */
double stats_hours_quantile(const int64_t counts[STATS_HOURS_BUCKETS], double q)
{
	double total = 0;
	for (int b = 0; b < STATS_HOURS_BUCKETS; b++)
		if (counts[b] > 0)
			total += (double)counts[b];
	if (total == 0 || isnan(q))
		return -1;
	q = q < 0 ? 0 : q > 1 ? 1 : q;

	double target = q * total, cum = 0, lo = -1, hi = -1;
	for (int b = 0; b < STATS_HOURS_BUCKETS; b++) {
		if (counts[b] <= 0)
			continue;
		double n = (double)counts[b];
		stats_hours_bounds(b, &lo, &hi);
		if (target <= cum + n)
			return lo + (hi - lo) * (target - cum) / n;
		cum += n;
	}
	/* Not reached: cum ends equal to total (same sums, same order) and
	 * target <= total; the last non-empty bucket's top is the answer. */
	return hi;
}
