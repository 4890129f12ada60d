/* trends: counts and rates from the central record (SPEC 5), and the
 * upkeep of the rollups behind them (rebuild, verify). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/authz.h"
#include "service/registry.h"

/* The row's value of a grouped dimension, as text. */
static const char *cell(json_t *row, const char *dim, char *buf, size_t size)
{
	json_t *v = json_object_get(row, dim);

	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v)) {
		snprintf(buf, size, "%lld", (long long)json_integer_value(v));
		return buf;
	}
	if (json_is_real(v)) {
		snprintf(buf, size, "%.2f", json_real_value(v));
		return buf;
	}
	return "";
}

/* RFC 4180: our values are codes and numbers, but quote anything odd. */
static void csv_field(const char *s, bool last)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
	fputs(last ? "\r\n" : ",", stdout);
}

static void print_trends(json_t *t, bool csv)
{
	json_t *by = json_object_get(t, "by"), *rows = json_object_get(t, "rows"), *row, *d;
	const char *cols[16];
	size_t ncols = 0, i, k;
	char buf[64];
	bool by_org = false;

	json_array_foreach(by, i, d)
	{
		cols[ncols++] = json_string_value(d);
		by_org = by_org || strcmp(json_string_value(d), "org") == 0;
	}
	cols[ncols++] = "count";
	if (by_org) {
		cols[ncols++] = "own";
		cols[ncols++] = "headcount";
		cols[ncols++] = "rate_per_1000";
	}
	if (csv) {
		for (k = 0; k < ncols; k++)
			csv_field(cols[k], k + 1 == ncols);
		json_array_foreach(rows, i, row)
		for (k = 0; k < ncols; k++)
			csv_field(cell(row, cols[k], buf, sizeof buf), k + 1 == ncols);
		return;
	}
	int width[16];
	for (k = 0; k < ncols; k++)
		width[k] = (int)strlen(cols[k]);
	json_array_foreach(rows, i, row)
	for (k = 0; k < ncols; k++) {
		int w = (int)strlen(cell(row, cols[k], buf, sizeof buf));
		if (w > width[k])
			width[k] = w;
	}
	for (k = 0; k < ncols; k++)
		printf("%-*s%s", width[k], cols[k], k + 1 == ncols ? "\n" : "  ");
	json_array_foreach(rows, i, row)
	for (k = 0; k < ncols; k++)
		printf("%-*s%s", width[k], cell(row, cols[k], buf, sizeof buf),
		       k + 1 == ncols ? "\n" : "  ");
	printf("\nincidents: %lld", (long long)json_integer_value(json_object_get(t, "incidents")));
	if (json_string_length(json_object_get(t, "excluded")))
		printf(" (%s not counted; --all counts them)",
		       json_string_value(json_object_get(t, "excluded")));
	putchar('\n');
	json_t *times = json_object_get(t, "times"), *m;
	const char *name;
	json_object_foreach(times, name, m)
	{
		json_t *med = json_object_get(m, "median_hours"), *p90 = json_object_get(m, "p90_hours");
		if (!json_is_real(med))
			continue;
		printf("discovery to %-8s median %.1f h, 90th percentile %.1f h (%lld incidents)\n",
		       name, json_real_value(med), json_real_value(p90),
		       (long long)json_integer_value(json_object_get(m, "count")));
	}
}

static int rollup_admin(struct cli *c, const char *what)
{
	struct err e = {0};
	struct store *s = cli_store(c, &e);
	int64_t records = 0, diff = 0;

	if (!s)
		return cli_fail(&e);
	if (strcmp(what, "rebuild") == 0) {
		if (registry_rollup_rebuild(s, &records, &e))
			return cli_fail(&e);
		if (c->json)
			cli_print_json(json_pack("{s:I}", "incidents", (json_int_t)records));
		else
			printf("rollups rebuilt from %lld incidents\n", (long long)records);
		return EXIT_OK;
	}
	if (registry_rollup_verify(s, &records, &diff, &e))
		return cli_fail(&e);
	if (c->json)
		cli_print_json(json_pack("{s:I, s:I, s:b}", "incidents", (json_int_t)records,
					 "differences", (json_int_t)diff, "ok", diff == 0));
	else if (diff == 0)
		printf("rollups agree with a recount of %lld incidents\n", (long long)records);
	else
		fprintf(stderr, "breachreg: rollups differ from a recount of %lld incidents in %lld "
				"cells: run \"breachreg trends rebuild\"\n",
			(long long)records, (long long)diff);
	return diff == 0 ? EXIT_OK : EXIT_RUNTIME;
}

CLI_COMMAND(trends)
{
	static const char *const opts[] = {"by",      "from",	 "to",	       "org",
					   "type",    "severity", "kind",       "control",
					   "outcome", "engagement"};
	struct err e = {0};
	struct trends_query q;
	struct actor a;
	struct store *s;
	json_t *out = NULL;
	bool csv = false;
	int ret;

	if (argc == 2 && (strcmp(argv[1], "rebuild") == 0 || strcmp(argv[1], "verify") == 0))
		return rollup_admin(c, argv[1]);
	trends_query_init(&q);
	for (int i = 1; i < argc; i++) {
		bool matched = false;

		if (strcmp(argv[i], "--csv") == 0) {
			csv = true;
			continue;
		}
		if (strcmp(argv[i], "--all") == 0) {
			q.all = true;
			continue;
		}
		for (size_t k = 0; k < sizeof opts / sizeof opts[0] && !matched; k++) {
			char flag[32];
			const char *v;
			int r;

			snprintf(flag, sizeof flag, "--%s", opts[k]);
			r = cli_opt(argc, argv, &i, flag, &v);
			if (r < 0)
				return cli_usage("trends", "%s needs a value", flag);
			if (r > 0) {
				if (trends_query_set(&q, opts[k], v, &e))
					return cli_fail(&e);
				matched = true;
			}
		}
		if (!matched)
			return cli_usage("trends", "unknown option \"%s\"", argv[i]);
	}
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);
	cli_actor(c, &a);
	if (registry_trends(s, &a, &q, &out, &e))
		return cli_fail(&e);
	if (c->json && !csv) {
		cli_print_json(out);
		return EXIT_OK;
	}
	print_trends(out, csv);
	json_decref(out);
	ret = EXIT_OK;
	return ret;
}
