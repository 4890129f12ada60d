/* test_core_stats: exact tails, Fisher's exact test and the latency
 * histogram (src/core/stats.h). Reference values were computed with mpmath
 * at 40 digits (direct sums of the mass functions) and agree with R's
 * pbinom, ppois and fisher.test where R prints them. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "core/stats.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A failing table row is printed and counted rather than ending the test,
 * so that one run shows every failing row; each test asserts at its end
 * that none failed. */
static int bad;
#define FAIL_ROW(...)                                                                              \
	do {                                                                                       \
		print_error(__VA_ARGS__);                                                          \
		print_error("\n");                                                                 \
		bad++;                                                                             \
	} while (0)

/* Relative closeness; a NaN on either side is never close. */
static int close_rel(double got, double want, double tol)
{
	if (isnan(got) || isnan(want))
		return 0;
	if (want == 0)
		return got == 0;
	return fabs(got - want) <= tol * fabs(want);
}

#define CHECK_REL(what, got, want, tol)                                                            \
	do {                                                                                       \
		double got_ = (got), want_ = (want);                                               \
		if (!close_rel(got_, want_, (tol)))                                                \
			FAIL_ROW("%s = %.17g, expected %.17g", (what), got_, want_);               \
	} while (0)

/* ---- binomial upper tail ---- */

static const struct binom_case {
	int64_t k, n;
	double p, want, tol;
} binom_cases[] = {
    {5, 10, 0.5, 0.623046875, 1e-14},
    {3, 3, 0.5, 0.125, 1e-14},
    {12, 20, 0.3, 0.005138161535121406107, 1e-13},
    {120, 1000, 0.1, 0.02199614496579438224, 1e-12},
    {600, 1000, 0.5, 1.364232078033009213e-10, 1e-12},	 /* far upper tail */
    {1000, 1000, 0.5, 9.332636185032188790e-302, 1e-12}, /* 2^-1000: no underflow */
    {500000, 1000000, 0.5, 0.5003989421806658750, 1e-12},
    {3, 1000000, 1e-6, 0.08030130510144958906, 1e-12},
    {2, 3000000, 0.5e-6, 0.4421746414658400204, 1e-12},
    {1500, 3000000, 0.5e-3, 0.5034361369298342664, 1e-11},
    {1400, 3000000, 0.5e-3, 0.9956164777740144073, 1e-12}, /* below the mean */
};

static void test_binom_known_values(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(binom_cases); i++) {
		const struct binom_case *c = &binom_cases[i];
		double got = stats_binom_upper(c->k, c->n, c->p);
		if (!close_rel(got, c->want, c->tol))
			FAIL_ROW("P(X >= %lld | n=%lld, p=%g) = %.17g, expected %.17g",
				 (long long)c->k, (long long)c->n, c->p, got, c->want);
	}
	/* the brief's large case, to the stated 1e-6 */
	assert_true(fabs(stats_binom_upper(500000, 1000000, 0.5) - 0.500398942) < 1e-6);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_binom_edges(void **state)
{
	(void)state;
	assert_true(stats_binom_upper(0, 10, 0.3) == 1.0);
	assert_true(stats_binom_upper(-4, 10, 0.3) == 1.0);
	assert_true(stats_binom_upper(0, 0, 0.3) == 1.0);
	assert_true(stats_binom_upper(11, 10, 0.3) == 0.0);
	assert_true(stats_binom_upper(1, 0, 0.3) == 0.0);
	/* p = 0: X is always 0; p = 1: X is always n */
	assert_true(stats_binom_upper(1, 10, 0.0) == 0.0);
	assert_true(stats_binom_upper(0, 10, 0.0) == 1.0);
	assert_true(stats_binom_upper(10, 10, 1.0) == 1.0);
	assert_true(stats_binom_upper(11, 10, 1.0) == 0.0);
	/* k = 1 is 1 - (1-p)^n, k = n is p^n */
	CHECK_REL("P(X>=1|7,0.2)", stats_binom_upper(1, 7, 0.2), 1 - pow(0.8, 7), 1e-14);
	CHECK_REL("P(X>=7|7,0.2)", stats_binom_upper(7, 7, 0.2), pow(0.2, 7), 1e-14);
	/* out of the domain */
	assert_true(isnan(stats_binom_upper(1, 10, -0.1)));
	assert_true(isnan(stats_binom_upper(1, 10, 1.5)));
	assert_true(isnan(stats_binom_upper(1, 10, NAN)));
	assert_true(isnan(stats_binom_upper(1, -1, 0.5)));
}

/* Exact reference for small n: C(n, i) p^i q^(n-i) summed in long double. */
static long double binom_upper_naive(int k, int n, long double p)
{
	long double sum = 0, choose = 1; /* C(n, i) */
	for (int i = 0; i <= n; i++) {
		if (i >= k)
			sum += choose * powl(p, i) * powl(1 - p, n - i);
		choose = choose * (n - i) / (i + 1);
	}
	return sum;
}

static void test_binom_against_naive_sum(void **state)
{
	(void)state;
	bad = 0;
	static const double ps[] = {1e-3, 0.05, 0.3, 0.5, 0.77, 0.999};
	for (int n = 1; n <= 60; n++) {
		for (size_t j = 0; j < N_ELEMS(ps); j++) {
			for (int k = 1; k <= n; k++) {
				double want = (double)binom_upper_naive(k, n, ps[j]);
				double got = stats_binom_upper(k, n, ps[j]);
				if (!close_rel(got, want, 1e-12))
					FAIL_ROW("P(X >= %d | n=%d, p=%g) = %.17g, expected %.17g",
						 k, n, ps[j], got, want);
			}
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* P(X >= k | n, p) + P(n - X >= n - k + 1 | n, 1 - p) = 1, and the tail
 * falls with k, also where the sum switches sides of the mean. */
static void test_binom_complement_and_monotone(void **state)
{
	(void)state;
	bad = 0;
	static const struct {
		int64_t n;
		double p;
	} cases[] = {{50, 0.3}, {1001, 0.5}, {20000, 0.01}, {2000000, 0.25}};
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		int64_t n = cases[i].n;
		double p = cases[i].p;
		int64_t mean = (int64_t)((double)n * p);
		double prev = 1.0;
		for (int64_t k = mean - 40 > 0 ? mean - 40 : 1; k <= mean + 40; k++) {
			double up = stats_binom_upper(k, n, p);
			double low = stats_binom_upper(n - k + 1, n, 1 - p);
			if (fabs(up + low - 1) > 1e-12)
				FAIL_ROW("n=%lld p=%g k=%lld: %.17g + %.17g != 1", (long long)n, p,
					 (long long)k, up, low);
			if (up > prev)
				FAIL_ROW("n=%lld p=%g: tail rises at k=%lld", (long long)n, p,
					 (long long)k);
			prev = up;
		}
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- Poisson upper tail ---- */

static const struct poisson_case {
	int64_t k;
	double lambda, want, tol;
} poisson_cases[] = {
    {5, 1.0, 0.00365984682734371234546, 1e-13},
    {3, 10.0, 0.99723060428448842406, 1e-14}, /* below the mean */
    {50, 10.0, 1.8547268838697993006e-19, 1e-12},
    {200, 100.0, 9.3431500729883902803e-19, 1e-12},
    {1000, 800.0, 5.5014197761792281398e-12, 1e-12},
    {1000000, 1000000.0, 0.50013298076087259124, 1e-12},
};

static void test_poisson_known_values(void **state)
{
	(void)state;
	bad = 0;
	CHECK_REL("P(X>=1|2)", stats_poisson_upper(1, 2.0), 1 - exp(-2.0), 1e-14);
	CHECK_REL("P(X>=1|1e-9)", stats_poisson_upper(1, 1e-9), -expm1(-1e-9), 1e-12);
	for (size_t i = 0; i < N_ELEMS(poisson_cases); i++) {
		const struct poisson_case *c = &poisson_cases[i];
		double got = stats_poisson_upper(c->k, c->lambda);
		if (!close_rel(got, c->want, c->tol))
			FAIL_ROW("P(X >= %lld | lambda=%g) = %.17g, expected %.17g",
				 (long long)c->k, c->lambda, got, c->want);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_poisson_edges(void **state)
{
	(void)state;
	assert_true(stats_poisson_upper(0, 2.0) == 1.0);
	assert_true(stats_poisson_upper(-3, 2.0) == 1.0);
	assert_true(stats_poisson_upper(0, 0.0) == 1.0);
	assert_true(stats_poisson_upper(1, 0.0) == 0.0);
	assert_true(stats_poisson_upper(1, INFINITY) == 1.0);
	assert_true(stats_poisson_upper(1, 1000.0) == 1.0); /* 1 - e^-1000 */
	assert_true(stats_poisson_upper(400, 1.0) == 0.0);  /* ~1e-870 underflows */
	assert_true(isnan(stats_poisson_upper(1, -1.0)));
	assert_true(isnan(stats_poisson_upper(1, NAN)));
}

/* Successive tails differ by the mass at k, on both sides of the mean. */
static void test_poisson_differences(void **state)
{
	(void)state;
	bad = 0;
	const double lambda = 3.7;
	for (int k = 0; k <= 40; k++) {
		double pmf = exp(k * log(lambda) - lambda - lgamma(k + 1.0));
		double diff = stats_poisson_upper(k, lambda) - stats_poisson_upper(k + 1, lambda);
		if (fabs(diff - pmf) > 1e-15 + 1e-12 * pmf)
			FAIL_ROW("P(X>=%d) - P(X>=%d) = %.17g, P(X=%d) = %.17g", k, k + 1, diff, k,
				 pmf);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- Fisher's exact test ---- */

static const struct fisher_case {
	int64_t a, b, c, d;
	double want, tol;
} fisher_cases[] = {
    {3, 1, 1, 3, 0.48571428571428571429, 1e-12}, /* tea tasting; ties need R's tolerance */
    {10, 0, 0, 10, 1.0825088224469029423e-05, 1e-10},
    {1, 9, 11, 3, 0.0027594561852200834567, 1e-10},
    {2, 7, 8, 2, 0.023014137565221156552, 1e-10},
    {0, 5, 5, 0, 0.0079365079365079365079, 1e-10},
    {12, 5, 7, 7, 0.28830810401250987410, 1e-10},
    {20, 0, 0, 20, 1.4508889103849688074e-11, 1e-10},
    {500, 480, 450, 530, 0.026759973843889757100, 1e-9},
    /* ties that rounding would split without R's relative tolerance */
    {1, 5, 9, 2, 0.034502262443438914027, 1e-12},
    {2, 10, 5, 4, 0.15882352941176470588, 1e-12},
    {0, 20, 23, 6, 1.6346231208197867481e-08, 1e-10},
    {3, 0, 0, 0, 1.0, 0},
    {0, 0, 0, 0, 1.0, 0},
};

static void test_fisher_known_values(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(fisher_cases); i++) {
		const struct fisher_case *c = &fisher_cases[i];
		double got = stats_fisher_2x2(c->a, c->b, c->c, c->d);
		if (!close_rel(got, c->want, c->tol))
			FAIL_ROW("fisher(%lld, %lld, %lld, %lld) = %.17g, expected %.17g",
				 (long long)c->a, (long long)c->b, (long long)c->c, (long long)c->d,
				 got, c->want);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* The two-sided p depends on the table only up to transposition and swaps
 * of rows or columns. */
static void test_fisher_symmetries(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(fisher_cases); i++) {
		const struct fisher_case *c = &fisher_cases[i];
		double p = stats_fisher_2x2(c->a, c->b, c->c, c->d);
		double variants[] = {
		    stats_fisher_2x2(c->a, c->c, c->b, c->d), /* transposed */
		    stats_fisher_2x2(c->c, c->d, c->a, c->b), /* rows swapped */
		    stats_fisher_2x2(c->b, c->a, c->d, c->c), /* columns swapped */
		    stats_fisher_2x2(c->d, c->c, c->b, c->a), /* both swapped */
		};
		for (size_t j = 0; j < N_ELEMS(variants); j++)
			if (!close_rel(variants[j], p, 1e-9))
				FAIL_ROW("fisher(%lld, %lld, %lld, %lld) variant %zu: %.17g vs "
					 "%.17g",
					 (long long)c->a, (long long)c->b, (long long)c->c,
					 (long long)c->d, j, variants[j], p);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_fisher_edges(void **state)
{
	(void)state;
	/* an empty row or column leaves one possible table */
	assert_true(stats_fisher_2x2(0, 0, 4, 9) == 1.0);
	assert_true(stats_fisher_2x2(4, 0, 9, 0) == 1.0);
	/* the most likely table is as extreme as any */
	assert_true(stats_fisher_2x2(5, 5, 5, 5) == 1.0);
	assert_true(stats_fisher_2x2(100000, 100000, 100000, 100000) == 1.0);
	/* a large, lopsided table is far in the tail but stays in [0, 1] */
	double p = stats_fisher_2x2(300000, 100000, 100000, 300000);
	assert_true(p >= 0.0 && p < 1e-300);
	assert_true(isnan(stats_fisher_2x2(-1, 2, 3, 4)));
	assert_true(isnan(stats_fisher_2x2(1, 2, 3, -4)));
}

/* ---- latency histogram ---- */

#define HOUR 3600LL
#define DAY  (24 * HOUR)

static const struct bucket_case {
	int64_t seconds;
	int bucket;
} bucket_cases[] = {
    {-5, 0},
    {0, 0},
    {3599, 0},
    {HOUR, 1},
    {72 * HOUR - 1, 71},
    {72 * HOUR, 72},
    {4 * DAY - 1, 72},
    {4 * DAY, 73},
    {90 * DAY - 1, 158},
    {90 * DAY, 159},
    {120 * DAY - 1, 159},
    {120 * DAY, 160},
    {1110 * DAY - 1, 192},
    {1110 * DAY, 193},
    {INT64_MAX, 193},
};

static void test_hours_bucket(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(bucket_cases); i++) {
		const struct bucket_case *c = &bucket_cases[i];
		int got = stats_hours_bucket(c->seconds);
		if (got != c->bucket)
			FAIL_ROW("%lld s is in bucket %d, expected %d", (long long)c->seconds, got,
				 c->bucket);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_hours_bounds(void **state)
{
	(void)state;
	bad = 0;
	double lo, hi, prev_hi = 0;
	for (int b = 0; b < STATS_HOURS_BUCKETS; b++) {
		stats_hours_bounds(b, &lo, &hi);
		if (lo != prev_hi)
			FAIL_ROW("bucket %d starts at %g, bucket %d ended at %g", b, lo, b - 1,
				 prev_hi);
		if (b < STATS_HOURS_BUCKETS - 1) {
			/* the bounds agree with stats_hours_bucket at both edges */
			if (!(hi > lo))
				FAIL_ROW("bucket %d is [%g, %g)", b, lo, hi);
			if (stats_hours_bucket((int64_t)lo * HOUR) != b ||
			    stats_hours_bucket((int64_t)hi * HOUR - 1) != b)
				FAIL_ROW("bucket %d [%g, %g) disagrees with stats_hours_bucket", b,
					 lo, hi);
		} else if (hi != lo || lo != 1110 * 24) {
			FAIL_ROW("open bucket is [%g, %g)", lo, hi);
		}
		prev_hi = hi;
	}
	stats_hours_bounds(72, &lo, &hi);
	assert_true(lo == 72 && hi == 96);
	stats_hours_bounds(159, &lo, &hi);
	assert_true(lo == 90 * 24 && hi == 120 * 24);
	stats_hours_bounds(-1, &lo, &hi);
	assert_true(lo == -1 && hi == -1);
	stats_hours_bounds(STATS_HOURS_BUCKETS, &lo, &hi);
	assert_true(lo == -1 && hi == -1);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_hours_quantile(void **state)
{
	(void)state;
	int64_t counts[STATS_HOURS_BUCKETS] = {0};

	assert_true(stats_hours_quantile(counts, 0.5) == -1);

	counts[5] = 1; /* one incident in [5 h, 6 h) */
	assert_true(fabs(stats_hours_quantile(counts, 0.5) - 5.5) < 1e-12);
	assert_true(stats_hours_quantile(counts, NAN) == -1);
	counts[5] = 0;

	/* 1 in [3, 4), 3 in [4, 5), 4 in [264, 288) h: the median (rank 4)
	 * ends bucket 4; rank 2 is a third into it; rank 7.2 is 3.2 of the 4
	 * into bucket 80 */
	counts[3] = 1;
	counts[4] = 3;
	counts[80] = 4;
	assert_true(fabs(stats_hours_quantile(counts, 0.5) - 5.0) < 1e-12);
	assert_true(fabs(stats_hours_quantile(counts, 0.25) - (4 + 1.0 / 3)) < 1e-12);
	assert_true(fabs(stats_hours_quantile(counts, 0.9) - 283.2) < 1e-9);
	assert_true(fabs(stats_hours_quantile(counts, 0.0625) - 3.5) < 1e-12);

	/* negative counts count as 0 */
	counts[100] = -7;
	assert_true(fabs(stats_hours_quantile(counts, 0.9) - 283.2) < 1e-9);

	/* the open bucket reports its lower bound */
	counts[193] = 8; /* now 16 in all: the 0.75 quantile (rank 12) is in it */
	assert_true(stats_hours_quantile(counts, 0.75) == 1110 * 24);
	assert_true(stats_hours_quantile(counts, 0.99) == 1110 * 24);

	/* quantiles never fall as q rises */
	double prev = 0;
	for (int i = 1; i < 100; i++) {
		double v = stats_hours_quantile(counts, i / 100.0);
		assert_true(v >= prev);
		prev = v;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_binom_known_values),
	    cmocka_unit_test(test_binom_edges),
	    cmocka_unit_test(test_binom_against_naive_sum),
	    cmocka_unit_test(test_binom_complement_and_monotone),
	    cmocka_unit_test(test_poisson_known_values),
	    cmocka_unit_test(test_poisson_edges),
	    cmocka_unit_test(test_poisson_differences),
	    cmocka_unit_test(test_fisher_known_values),
	    cmocka_unit_test(test_fisher_symmetries),
	    cmocka_unit_test(test_fisher_edges),
	    cmocka_unit_test(test_hours_bucket),
	    cmocka_unit_test(test_hours_bounds),
	    cmocka_unit_test(test_hours_quantile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
