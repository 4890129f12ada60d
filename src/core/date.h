/* date: calendar dates and UTC timestamps as plain integers, with strict
 * ISO 8601 parsing and formatting. Pure arithmetic: no clock, no locale,
 * no time zone database (every stored time is UTC). */
#ifndef BR_DATE_H
#define BR_DATE_H
#include <stdbool.h>
#include <stdint.h>

typedef int32_t date_t; /* days since 1970-01-01 */
typedef int64_t ts_t;   /* seconds since 1970-01-01T00:00:00Z */

#define DATE_NONE INT32_MIN
#define TS_NONE INT64_MIN
#define DATE_BUF 11 /* "YYYY-MM-DD" + NUL */
#define TS_BUF 21   /* "YYYY-MM-DDTHH:MM:SSZ" + NUL */

date_t date_from_ymd(int y, int m, int d);
void date_to_ymd(date_t d, int *y, int *m, int *dd);
/* Strict "YYYY-MM-DD" with a real calendar day; 0 or -1. */
int date_parse(const char *s, date_t *out);
void date_format(date_t d, char buf[DATE_BUF]);
/* Adds calendar months; a day past the end of the target month is clamped
 * to its last day (2026-01-31 + 1 month = 2026-02-28). */
date_t date_add_months(date_t d, int months);

/* "YYYY-MM-DDTHH:MM:SS" with optional fraction, then "Z" or "+HH:MM" /
 * "-HH:MM"; a bare "YYYY-MM-DD" means midnight UTC. 0 or -1. */
int date_parse_ts(const char *s, ts_t *out);
void date_format_ts(ts_t t, char buf[TS_BUF]);
date_t date_of_ts(ts_t t);
/* A bound of a time range given as a date or a time: a date names its
 * whole day, so as an end (end_of_day) it means the next midnight, as a
 * start its own midnight. 0 or -1. */
int date_parse_bound(const char *s, bool end_of_day, ts_t *out);
ts_t date_ts_of(date_t d);

/* UK civil time (GMT, and BST = UTC+1 from 01:00 UTC on the last Sunday
 * of March to 01:00 UTC on the last Sunday of October), for people who
 * type and read local times; the rule is arithmetic, not a zone file.
 * The offset in seconds (0 or 3600) in force at utc. */
int date_london_offset(ts_t utc);
/* The UTC time of a London wall-clock time (d at hh:mm). In the hour
 * that repeats in October the earlier (BST) one; in the hour skipped in
 * March as BST (the clocks have gone forward). */
ts_t date_london_to_utc(date_t d, int hh, int mm);
/* True when y-m-d is a real calendar day (years 1900..9999). */
bool date_ymd_valid(int y, int m, int d);

#endif
