/* test_core_date: strict ISO 8601 dates and UTC timestamps (src/core/date.h),
 * tested against the contract in the header and SPEC 3 (UTC due times
 * "YYYY-MM-DDTHH:MM:SSZ", warnings live for calendar months, SPEC 3.5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/date.h"

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

/* ---- date_parse: valid days ---- */

static const struct ymd_case {
	const char *text;
	int y, m, d;
} valid_dates[] = {
    {"2026-11-28", 2026, 11, 28}, {"2024-02-29", 2024, 2, 29}, /* leap year */
    {"2000-02-29", 2000, 2, 29},			       /* divisible by 400 */
    {"2026-02-28", 2026, 2, 28},  {"2026-12-31", 2026, 12, 31}, {"2026-01-01", 2026, 1, 1},
    {"1970-01-01", 1970, 1, 1},	  {"1969-12-31", 1969, 12, 31}, {"2026-04-30", 2026, 4, 30},
    {"2099-12-31", 2099, 12, 31},
};

static void test_parse_valid_dates(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(valid_dates); i++) {
		const struct ymd_case *c = &valid_dates[i];
		date_t d = 12345;
		int y = 0, m = 0, dd = 0;
		if (date_parse(c->text, &d) != 0)
			FAIL_ROW("date_parse(\"%s\") failed", c->text);
		if (d != date_from_ymd(c->y, c->m, c->d))
			FAIL_ROW("date_parse(\"%s\") gave day %d", c->text, (int)d);
		date_to_ymd(d, &y, &m, &dd);
		if (y != c->y || m != c->m || dd != c->d)
			FAIL_ROW("\"%s\" came back as %04d-%02d-%02d", c->text, y, m, dd);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- date_parse: strict format, real calendar days only ---- */

static const char *const invalid_dates[] = {
    "2026-02-29", /* 2026 is not a leap year */
    "1900-02-29", /* divisible by 100, not by 400 */
    "2100-02-29", /* likewise */
    "2026-04-31", /* April has 30 days */
    "2026-06-31",  "2026-09-31",
    "2026-11-31",  "2026-01-32",
    "2026-13-01",  "2026-00-10",
    "2026-01-00",  "2026-1-01", /* month not zero-padded */
    "2026-01-1",		/* day not zero-padded */
    "26-01-01",			/* two-digit year */
    "2026/01/01",  "2026.01.01",
    "20260101",	   "2026-01-01 ",	   /* trailing space */
    " 2026-01-01",			   /* leading space */
    "2026-01-01x", "2026-01-01T00:00:00Z", /* a timestamp is not a date */
    "2026-0a-01",  "2026--1-01",
    "+026-01-01",  "",
    "2026-01",	   "2026",
    "today",
};

static void test_parse_invalid_dates(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(invalid_dates); i++) {
		date_t d = 4242;
		if (date_parse(invalid_dates[i], &d) != -1)
			FAIL_ROW("date_parse(\"%s\") accepted an invalid date", invalid_dates[i]);
	}
	date_t d = 0;
	assert_int_equal(date_parse(NULL, &d), -1);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- the epoch and negative days ---- */

static void test_epoch_edges(void **state)
{
	(void)state;
	bad = 0;
	char buf[DATE_BUF];
	char tbuf[TS_BUF];
	int y, m, d;
	assert_int_equal(date_from_ymd(1970, 1, 1), 0);
	assert_int_equal(date_from_ymd(1970, 1, 2), 1);
	assert_int_equal(date_from_ymd(1969, 12, 31), -1);
	assert_int_equal(date_from_ymd(1971, 1, 1), 365);
	assert_int_equal(date_from_ymd(2000, 3, 1), 11017);

	date_to_ymd(-1, &y, &m, &d);
	assert_int_equal(y, 1969);
	assert_int_equal(m, 12);
	assert_int_equal(d, 31);
	date_format(-1, buf);
	assert_string_equal(buf, "1969-12-31");
	date_format(0, buf);
	assert_string_equal(buf, "1970-01-01");

	date_format_ts(0, tbuf);
	assert_string_equal(tbuf, "1970-01-01T00:00:00Z");
	date_format_ts(-1, tbuf);
	assert_string_equal(tbuf, "1969-12-31T23:59:59Z");
	date_format_ts(-86400, tbuf);
	assert_string_equal(tbuf, "1969-12-31T00:00:00Z");
	date_format_ts(-86401, tbuf);
	assert_string_equal(tbuf, "1969-12-30T23:59:59Z");

	/* date_of_ts floors towards the past, not towards zero. */
	assert_int_equal(date_of_ts(0), 0);
	assert_int_equal(date_of_ts(86399), 0);
	assert_int_equal(date_of_ts(86400), 1);
	assert_int_equal(date_of_ts(-1), -1);
	assert_int_equal(date_of_ts(-86400), -1);
	assert_int_equal(date_of_ts(-86401), -2);
	assert_int_equal(date_ts_of(0), 0);
	assert_int_equal(date_ts_of(-1), -86400);
	assert_int_equal(date_ts_of(1), 86400);

	ts_t t = 0;
	assert_int_equal(date_parse_ts("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(date_parse_ts("1970-01-01T00:00:00+01:00", &t), 0);
	assert_int_equal(t, -3600);
	date_format_ts(t, tbuf);
	assert_string_equal(tbuf, "1969-12-31T23:00:00Z");
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- round trips over two centuries ---- */

static void test_date_round_trip(void **state)
{
	(void)state;
	bad = 0;
	date_t from = date_from_ymd(1900, 1, 1), to = date_from_ymd(2100, 12, 31);
	int py = 1899, pm = 12, pd = 31; /* the day before `from` */
	char buf[DATE_BUF];
	for (date_t d = from; d <= to; d++) {
		int y, m, dd;
		date_t back = 0;
		date_to_ymd(d, &y, &m, &dd);
		/* consecutive days are consecutive calendar days */
		if (dd == 1) {
			if (m == 1) {
				if (!(py == y - 1 && pm == 12 && pd == 31))
					FAIL_ROW("no 31 December before %04d-01-01", y);
			} else if (!(py == y && pm == m - 1 && pd >= 28)) {
				FAIL_ROW("bad month change before %04d-%02d-01", y, m);
			}
		} else if (!(py == y && pm == m && pd == dd - 1)) {
			FAIL_ROW("day %d does not follow %04d-%02d-%02d", (int)d, py, pm, pd);
		}
		assert_int_equal(date_from_ymd(y, m, dd), d);
		date_format(d, buf);
		assert_int_equal(strlen(buf), 10);
		if (date_parse(buf, &back) != 0 || back != d)
			FAIL_ROW("\"%s\" does not parse back to %d", buf, (int)d);
		py = y;
		pm = m;
		pd = dd;
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static const ts_t ts_samples[] = {
    0,
    1,
    59,
    3599,
    86399,
    86400,
    951782400 /* 2000-02-29 */,
    1700000000,
    1795167000 /* 2026-11-20T09:30:00Z */,
    4102444799 /* 2099-12-31T23:59:59Z */,
    -1,
    -86401,
};

static void test_ts_round_trip(void **state)
{
	(void)state;
	bad = 0;
	char buf[TS_BUF];
	for (size_t i = 0; i < N_ELEMS(ts_samples); i++) {
		ts_t back = 0;
		date_format_ts(ts_samples[i], buf);
		if (strlen(buf) != 20 || buf[10] != 'T' || buf[19] != 'Z')
			FAIL_ROW("%lld formatted as \"%s\"", (long long)ts_samples[i], buf);
		if (date_parse_ts(buf, &back) != 0 || back != ts_samples[i])
			FAIL_ROW("\"%s\" does not parse back to %lld", buf,
				 (long long)ts_samples[i]);
	}
	/* every second of one day round-trips */
	for (ts_t t = 1795132800; t < 1795132800 + 86400; t += 7) {
		ts_t back = 0;
		date_format_ts(t, buf);
		assert_int_equal(date_parse_ts(buf, &back), 0);
		assert_int_equal(back, t);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- date_parse_ts: strict, offsets normalised to UTC, fractions ---- */

static const struct ts_case {
	const char *text;
	const char *utc; /* as date_format_ts writes it */
} valid_ts[] = {
    {"2026-11-20T09:30:00Z", "2026-11-20T09:30:00Z"},
    {"2026-11-20T10:30:00+01:00", "2026-11-20T09:30:00Z"},
    {"2026-11-20T08:30:00-01:00", "2026-11-20T09:30:00Z"},
    {"2026-11-20T09:30:00+00:00", "2026-11-20T09:30:00Z"},
    {"2026-11-20T09:30:00-00:00", "2026-11-20T09:30:00Z"},
    {"2026-11-20T15:00:00+05:30", "2026-11-20T09:30:00Z"},
    {"2026-11-21T00:30:00+01:00", "2026-11-20T23:30:00Z"}, /* offset crosses midnight */
    {"2026-12-31T20:00:00-05:00", "2027-01-01T01:00:00Z"}, /* and the year */
    {"2024-03-01T00:30:00+01:00", "2024-02-29T23:30:00Z"}, /* and a leap day */
    {"2026-11-20T09:30:00.5Z", "2026-11-20T09:30:00Z"},	   /* fraction dropped */
    {"2026-11-20T09:30:00.999999Z", "2026-11-20T09:30:00Z"},
    {"2026-11-20T10:30:00.123+01:00", "2026-11-20T09:30:00Z"},
    {"2026-11-20", "2026-11-20T00:00:00Z"}, /* a bare date is midnight UTC */
    {"2024-02-29T23:59:59Z", "2024-02-29T23:59:59Z"},
    {"2026-11-20T00:00:00Z", "2026-11-20T00:00:00Z"},
};

static void test_parse_ts_valid(void **state)
{
	(void)state;
	bad = 0;
	char buf[TS_BUF];
	for (size_t i = 0; i < N_ELEMS(valid_ts); i++) {
		ts_t t = 0;
		if (date_parse_ts(valid_ts[i].text, &t) != 0)
			FAIL_ROW("date_parse_ts(\"%s\") failed", valid_ts[i].text);
		date_format_ts(t, buf);
		if (strcmp(buf, valid_ts[i].utc) != 0)
			FAIL_ROW("\"%s\" is %s, expected %s", valid_ts[i].text, buf,
				 valid_ts[i].utc);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static const char *const invalid_ts[] = {
    "2026-11-20T09:30:00", /* no zone: the header requires Z or an offset */
    "2026-11-20T09:30Z",   /* no seconds */
    "2026-11-20T9:30:00Z", /* hour not zero-padded */
    "2026-11-20T24:00:00Z",
    "2026-11-20T23:60:00Z",
    "2026-11-20T23:59:60Z",
    "2026-02-29T09:30:00Z", /* not a leap year */
    "2026-11-31T09:30:00Z",
    "2026-11-20T09:30:00+0100", /* offset without colon */
    "2026-11-20T09:30:00+01",
    "2026-11-20T09:30:00+1:00",
    "2026-11-20T09:30:00+24:00",
    "2026-11-20T09:30:00+01:60",
    "2026-11-20T09:30:00.Z", /* empty fraction */
    "2026-11-20T09:30:00Zjunk",
    "2026-11-20T09:30:00Z ",
    "2026-11-20T09:30:00 Z",
    "2026-11-20X09:30:00Z",
    "2026-11-20T09:30:00.12a3Z",
    "2026-11-20T09-30-00Z",
    "",
    "2026-11",
    "not a time",
};

static void test_parse_ts_invalid(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(invalid_ts); i++) {
		ts_t t = 77;
		if (date_parse_ts(invalid_ts[i], &t) != -1)
			FAIL_ROW("date_parse_ts(\"%s\") accepted an invalid time", invalid_ts[i]);
	}
	ts_t t = 0;
	assert_int_equal(date_parse_ts(NULL, &t), -1);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* The 72-hour ICO deadline (SPEC 3.4) is plain arithmetic on ts_t. */
static void test_ts_arithmetic(void **state)
{
	(void)state;
	bad = 0;
	ts_t t = 0;
	char buf[TS_BUF];
	assert_int_equal(date_parse_ts("2026-11-20T09:30:00Z", &t), 0);
	date_format_ts(t + 72 * 3600, buf);
	assert_string_equal(buf, "2026-11-23T09:30:00Z");
	assert_int_equal(date_of_ts(t), date_from_ymd(2026, 11, 20));
	assert_int_equal(date_ts_of(date_from_ymd(2026, 11, 20)) + 9 * 3600 + 30 * 60, t);
	assert_int_equal(date_parse_ts("2026-02-27T12:00:00Z", &t), 0);
	date_format_ts(t + 72 * 3600, buf);
	assert_string_equal(buf, "2026-03-02T12:00:00Z");
	assert_int_equal(date_parse_ts("2028-02-27T12:00:00Z", &t), 0);
	date_format_ts(t + 72 * 3600, buf);
	assert_string_equal(buf, "2028-03-01T12:00:00Z");
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* ---- date_add_months: calendar months, clamped to the month's end ---- */

static const struct months_case {
	const char *from;
	int months;
	const char *to;
} months_cases[] = {
    {"2026-01-31", 1, "2026-02-28"}, /* the header's own example */
    {"2024-01-31", 1, "2024-02-29"}, /* leap year */
    {"2026-01-30", 1, "2026-02-28"},   {"2026-01-28", 1, "2026-02-28"},
    {"2026-03-31", 1, "2026-04-30"},   {"2026-05-31", 4, "2026-09-30"},
    {"2026-08-31", 1, "2026-09-30"},   {"2026-01-31", 2, "2026-03-31"},
    {"2025-11-28", 12, "2026-11-28"}, /* SPEC 3.5 worked example */
    {"2026-05-28", 6, "2026-11-28"},   {"2026-12-15", 1, "2027-01-15"},
    {"2026-11-30", 3, "2027-02-28"},   {"2024-02-29", 12, "2025-02-28"},
    {"2024-02-29", 48, "2028-02-29"},  {"2026-07-04", 0, "2026-07-04"},
    {"2026-03-31", -1, "2026-02-28"},  {"2026-01-15", -1, "2025-12-15"},
    {"2026-11-28", -12, "2025-11-28"}, {"1970-01-31", -1, "1969-12-31"},
    {"1969-12-31", 1, "1970-01-31"},   {"2026-06-15", 120, "2036-06-15"},
};

static void test_add_months(void **state)
{
	(void)state;
	bad = 0;
	char buf[DATE_BUF];
	for (size_t i = 0; i < N_ELEMS(months_cases); i++) {
		const struct months_case *c = &months_cases[i];
		date_t d = 0;
		assert_int_equal(date_parse(c->from, &d), 0);
		date_format(date_add_months(d, c->months), buf);
		if (strcmp(buf, c->to) != 0)
			FAIL_ROW("%s %+d months is %s, expected %s", c->from, c->months, buf,
				 c->to);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

/* UK civil time: the BST boundaries of 2026 (29 March, 25 October) and
 * wall-clock times either side. */
static void test_london(void **state)
{
	(void)state;
	ts_t t;
	char buf[TS_BUF];
	assert_int_equal(date_parse_ts("2026-03-29T00:59:59Z", &t), 0);
	assert_int_equal(date_london_offset(t), 0);
	assert_int_equal(date_london_offset(t + 1), 3600);
	assert_int_equal(date_parse_ts("2026-10-25T00:59:59Z", &t), 0);
	assert_int_equal(date_london_offset(t), 3600);
	assert_int_equal(date_london_offset(t + 1), 0);
	date_format_ts(date_london_to_utc(date_from_ymd(2026, 7, 1), 17, 30), buf);
	assert_string_equal(buf, "2026-07-01T16:30:00Z");
	date_format_ts(date_london_to_utc(date_from_ymd(2026, 11, 20), 9, 30), buf);
	assert_string_equal(buf, "2026-11-20T09:30:00Z");
	/* 01:30 on 25 October happens twice: the first time, in BST. */
	date_format_ts(date_london_to_utc(date_from_ymd(2026, 10, 25), 1, 30), buf);
	assert_string_equal(buf, "2026-10-25T00:30:00Z");
	/* Before and after the clocks go forward on 29 March 2026. */
	date_format_ts(date_london_to_utc(date_from_ymd(2026, 3, 29), 0, 30), buf);
	assert_string_equal(buf, "2026-03-29T00:30:00Z");
	date_format_ts(date_london_to_utc(date_from_ymd(2026, 3, 29), 3, 0), buf);
	assert_string_equal(buf, "2026-03-29T02:00:00Z");
	assert_true(date_ymd_valid(2024, 2, 29));
	assert_false(date_ymd_valid(2026, 2, 29));
	assert_false(date_ymd_valid(2026, 13, 1));
	assert_false(date_ymd_valid(2026, 4, 31));
	assert_false(date_ymd_valid(1899, 1, 1));
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_london),
	    cmocka_unit_test(test_parse_valid_dates), cmocka_unit_test(test_parse_invalid_dates),
	    cmocka_unit_test(test_epoch_edges),	      cmocka_unit_test(test_date_round_trip),
	    cmocka_unit_test(test_ts_round_trip),     cmocka_unit_test(test_parse_ts_valid),
	    cmocka_unit_test(test_parse_ts_invalid),  cmocka_unit_test(test_ts_arithmetic),
	    cmocka_unit_test(test_add_months),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
