/* date: civil-calendar arithmetic (proleptic Gregorian, H. Hinnant's
 * days-from-civil algorithm) and ISO 8601 text (see date.h). */
#include "core/date.h"

#include <string.h>

date_t date_from_ymd(int y, int m, int d)
{
	y -= m <= 2;
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (date_t)(era * 146097 + doe - 719468);
}

void date_to_ymd(date_t d, int *y, int *m, int *dd)
{
	int z = d + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	*dd = doy - (153 * mp + 2) / 5 + 1;
	*m = mp + (mp < 10 ? 3 : -9);
	*y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int y, int m)
{
	static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* Reads exactly n decimal digits. */
static int digits(const char *s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_ymd(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' ||
	    digits(s + 8, 2, d))
		return -1;
	if (*y < 1900 || *y > 9999 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int date_parse(const char *s, date_t *out)
{
	int y, m, d;
	if (!s || strlen(s) != 10 || parse_ymd(s, &y, &m, &d))
		return -1;
	*out = date_from_ymd(y, m, d);
	return 0;
}

/* Writes v as exactly n decimal digits (v is in range by construction). */
static void put_digits(char *p, unsigned v, int n)
{
	while (n-- > 0) {
		p[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void put_ymd(char *buf, date_t d)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	put_digits(buf, (unsigned)(y < 0 ? 0 : y % 10000), 4);
	buf[4] = '-';
	put_digits(buf + 5, (unsigned)m, 2);
	buf[7] = '-';
	put_digits(buf + 8, (unsigned)dd, 2);
}

void date_format(date_t d, char buf[DATE_BUF])
{
	put_ymd(buf, d);
	buf[10] = '\0';
}

date_t date_add_months(date_t d, int months)
{
	int y, m, dd;
	date_to_ymd(d, &y, &m, &dd);
	int idx = y * 12 + (m - 1) + months;
	y = idx / 12;
	m = idx % 12 + 1;
	if (dd > days_in_month(y, m))
		dd = days_in_month(y, m);
	return date_from_ymd(y, m, dd);
}

int date_parse_ts(const char *s, ts_t *out)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	if (!s || strlen(s) < 10 || parse_ymd(s, &y, &mo, &d))
		return -1;
	const char *p = s + 10;
	if (*p == '\0')
		goto done;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi) || p[5] != ':' ||
	    digits(p + 6, 2, &sec))
		return -1;
	if (h > 23 || mi > 59 || sec > 59)
		return -1;
	p += 8;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		off = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
		p += 6;
	} else {
		return -1;
	}
	if (*p != '\0')
		return -1;
done:
	*out = (ts_t)date_from_ymd(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
	return 0;
}

void date_format_ts(ts_t t, char buf[TS_BUF])
{
	/* Out of the 4-digit-year range (TS_NONE among them): the epoch, so
	 * formatting never overflows. */
	if (t < -2208988800LL || t > 253402300799LL)
		t = 0;
	ts_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	int rem = (int)(t - days * 86400);
	put_ymd(buf, (date_t)days);
	buf[10] = 'T';
	put_digits(buf + 11, (unsigned)(rem / 3600), 2);
	buf[13] = ':';
	put_digits(buf + 14, (unsigned)(rem / 60 % 60), 2);
	buf[16] = ':';
	put_digits(buf + 17, (unsigned)(rem % 60), 2);
	buf[19] = 'Z';
	buf[20] = '\0';
}

date_t date_of_ts(ts_t t)
{
	return (date_t)(t >= 0 ? t / 86400 : -((-t + 86399) / 86400));
}

ts_t date_ts_of(date_t d)
{
	return (ts_t)d * 86400;
}

int date_parse_bound(const char *s, bool end_of_day, ts_t *out)
{
	date_t d;
	if (date_parse(s, &d) == 0) {
		*out = date_ts_of(end_of_day ? d + 1 : d);
		return 0;
	}
	return date_parse_ts(s, out);
}

/* The last Sunday of month m of year y (1970-01-01 was a Thursday). */
static date_t last_sunday(int y, int m)
{
	date_t last = date_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1;
	int wd = (int)(((last % 7) + 7 + 4) % 7); /* 0 = Sunday */
	return last - wd;
}

int date_london_offset(ts_t utc)
{
	int y, m, d;
	date_to_ymd(date_of_ts(utc), &y, &m, &d);
	ts_t start = date_ts_of(last_sunday(y, 3)) + 3600;
	ts_t end = date_ts_of(last_sunday(y, 10)) + 3600;
	return utc >= start && utc < end ? 3600 : 0;
}

ts_t date_london_to_utc(date_t d, int hh, int mm)
{
	ts_t wall = date_ts_of(d) + (ts_t)hh * 3600 + (ts_t)mm * 60;
	/* As BST if that reading is in BST, else as GMT. */
	if (date_london_offset(wall - 3600) == 3600)
		return wall - 3600;
	return wall;
}

bool date_ymd_valid(int y, int m, int d)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (y < 1900 || y > 9999 || m < 1 || m > 12 || d < 1)
		return false;
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return d <= days[m - 1] + (m == 2 && leap);
}
