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
	return EXIT_OK;
}

CLI_COMMAND(signals)
{
	struct err e = {0};
	struct signals_query q;
	struct actor a;
	struct store *s;
	json_t *out = NULL, *v;
	const char *val;
	size_t i;

	signals_query_init(&q);
	for (int k = 1; k < argc; k++) {
		int r;
		if ((r = cli_opt(argc, argv, &k, "--month", &val)) > 0) {
			if (rollup_period_parse(val, false, &q.month) || strchr(val, 'Q'))
				return err_set(&e, ERR_INVALID, "month",
					       "\"month\" must be a month YYYY-MM"),
				       cli_fail(&e);
		} else if (r == 0 && (r = cli_opt(argc, argv, &k, "--org", &val)) > 0) {
			struct trends_query tq;
			trends_query_init(&tq);
			if (trends_query_set(&tq, "org", val, &e))
				return cli_fail(&e);
			snprintf(q.org, sizeof q.org, "%s", val);
		} else if (r < 0) {
			return cli_usage("signals", "%s needs a value", argv[k]);
		} else {
			return cli_usage("signals", "unknown option \"%s\"", argv[k]);
		}
	}
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);
	cli_actor(c, &a);
	if (registry_signals(s, &a, &q, c->now, &out, &e))
		return cli_fail(&e);
	if (c->json) {
		cli_print_json(out);
		return EXIT_OK;
	}
	printf("Signals for %s (window %s to %s)\n\n", json_string_value(json_object_get(out, "month")),
	       json_string_value(json_object_get(json_object_get(out, "window"), "from")),
	       json_string_value(json_object_get(json_object_get(out, "window"), "to")));
	printf("Rising trends (%s):\n",
	       json_string_value(json_object_get(json_object_get(out, "methods"), "rising")));
	json_array_foreach(json_object_get(out, "rising"), i, v)
	printf("  %-28s %-28s %lld this month against %.1f a month (p = %.2g)\n",
	       json_string_value(json_object_get(v, "org")),
	       json_string_value(json_object_get(v, "type")),
	       (long long)json_integer_value(json_object_get(v, "count")),
	       json_real_value(json_object_get(v, "baseline_mean")),
	       json_real_value(json_object_get(v, "p_value")));
	if (!json_array_size(json_object_get(out, "rising")))
		printf("  none\n");
	printf("\nRepeat subjects (2 or more incidents in the window):\n");
	json_array_foreach(json_object_get(out, "repeat_subjects"), i, v)
	printf("  %-14s %lld incidents\n", json_string_value(json_object_get(v, "subject")),
	       (long long)json_integer_value(json_object_get(v, "incidents")));
	if (!json_is_array(json_object_get(out, "repeat_subjects")))
		printf("  (estate-wide only: run without --org)\n");
	else if (!json_array_size(json_object_get(out, "repeat_subjects")))
		printf("  none\n");
	printf("\nControl adequacy (incidents weighted minor 1, serious 3, gross 9):\n");
	json_array_foreach(json_object_get(out, "control_adequacy"), i, v)
	{
		json_t *w, *where = json_object_get(v, "where");
		size_t k;
		printf("  %-22s score %5lld  %4lld incidents (%lld gross, %lld serious); most in", json_string_value(json_object_get(v, "control")),
		       (long long)json_integer_value(json_object_get(v, "score")),
		       (long long)json_integer_value(json_object_get(v, "incidents")),
		       (long long)json_integer_value(json_object_get(v, "gross")),
		       (long long)json_integer_value(json_object_get(v, "serious")));
		json_array_foreach(where, k, w)
		printf("%s %s (%lld)", k ? "," : "", json_string_value(json_object_get(w, "org")),
		       (long long)json_integer_value(json_object_get(w, "incidents")));
		putchar('\n');
	}
	printf("\nConsistency of outcomes (POLSBP004), %lld comparisons, flagged:\n",
	       (long long)json_integer_value(json_object_get(out, "consistency_tests")));
	json_array_foreach(json_object_get(out, "consistency"), i, v)
	printf("  %s %s, %s %s: sanctioned %lld of %lld against %lld of %lld elsewhere (%s, p = %.2g)\n",
	       json_string_value(json_object_get(v, "type")),
	       json_string_value(json_object_get(v, "severity")),
	       json_string_value(json_object_get(v, "by")),
	       json_string_value(json_object_get(v, "group")),
	       (long long)json_integer_value(json_object_get(v, "sanctioned")),
	       (long long)(json_integer_value(json_object_get(v, "sanctioned")) +
			   json_integer_value(json_object_get(v, "not_sanctioned"))),
	       (long long)json_integer_value(json_object_get(v, "rest_sanctioned")),
	       (long long)(json_integer_value(json_object_get(v, "rest_sanctioned")) +
			   json_integer_value(json_object_get(v, "rest_not_sanctioned"))),
	       json_string_value(json_object_get(v, "direction")),
	       json_real_value(json_object_get(v, "p_value")));
	if (!json_array_size(json_object_get(out, "consistency")))
		printf("  none\n");
	json_decref(out);
	return EXIT_OK;
}

/* The return's sections as CSV rows: section, key, count. */
static void return_csv(json_t *r)
{
	static const char *const sections[][2] = {
	    {"by_type", "type"}, {"by_severity", "severity"}, {"by_org", "org"}};
	json_t *v;
	size_t i;

	printf("section,key,count\r\n");
	printf("quarter,%s,\r\n", json_string_value(json_object_get(r, "quarter")));
	printf("marking,%s,\r\n", json_string_value(json_object_get(r, "marking")));
	printf("total,breaches,%lld\r\n", (long long)json_integer_value(json_object_get(r, "breaches")));
	printf("total,near_misses,%lld\r\n",
	       (long long)json_integer_value(json_object_get(r, "near_misses")));
	const char *name;
	json_object_foreach(json_object_get(r, "personal_data"), name, v)
	printf("personal_data,%s,%lld\r\n", name, (long long)json_integer_value(v));
	json_object_foreach(json_object_get(r, "open"), name, v)
	printf("open,%s,%lld\r\n", name, (long long)json_integer_value(v));
	for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++)
		json_array_foreach(json_object_get(r, sections[s][0]), i, v)
		printf("%s,%s,%lld\r\n", sections[s][0],
		       json_string_value(json_object_get(v, sections[s][1])),
		       (long long)json_integer_value(json_object_get(v, "count")));
}

CLI_COMMAND(return)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	json_t *out = NULL, *v;
	const char *quarter = NULL;
	bool csv = false;
	int month;
	size_t i;

	for (int k = 1; k < argc; k++) {
		int r;
		if (strcmp(argv[k], "--csv") == 0)
			csv = true;
		else if ((r = cli_opt(argc, argv, &k, "--quarter", &quarter)) < 0)
			return cli_usage("return", "--quarter needs a value");
		else if (r == 0)
			return cli_usage("return", "unknown option \"%s\"", argv[k]);
	}
	if (!quarter)
		return cli_usage("return", "--quarter YYYYQn is required");
	if (!strchr(quarter, 'Q') || rollup_period_parse(quarter, false, &month))
		return err_set(&e, ERR_INVALID, "quarter", "\"quarter\" must be YYYYQn, e.g. 2026Q3"),
		       cli_fail(&e);
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);
	cli_actor(c, &a);
	if (registry_return(s, &a, month, &out, &e))
		return cli_fail(&e);
	if (csv) {
		return_csv(out);
		json_decref(out);
		return EXIT_OK;
	}
	if (c->json) {
		cli_print_json(out);
		return EXIT_OK;
	}
	json_t *pd = json_object_get(out, "personal_data"), *op = json_object_get(out, "open");
	printf("%s\nDepartmental security incidents, quarter %s (%s to %s)\n\n",
	       json_string_value(json_object_get(out, "marking")),
	       json_string_value(json_object_get(out, "quarter")),
	       json_string_value(json_object_get(out, "from")),
	       json_string_value(json_object_get(out, "to")));
	printf("Breaches: %lld   Near misses: %lld\n",
	       (long long)json_integer_value(json_object_get(out, "breaches")),
	       (long long)json_integer_value(json_object_get(out, "near_misses")));
	printf("Personal-data breaches: %lld (reported to the ICO: %lld; not reported: %lld; "
	       "decision pending: %lld)\n",
	       (long long)json_integer_value(json_object_get(pd, "breaches")),
	       (long long)json_integer_value(json_object_get(pd, "reported_to_ico")),
	       (long long)json_integer_value(json_object_get(pd, "not_reported_to_ico")),
	       (long long)json_integer_value(json_object_get(pd, "ico_decision_pending")));
	printf("Open cases: %lld of this quarter's; %lld in all\n",
	       (long long)json_integer_value(json_object_get(op, "from_quarter")),
	       (long long)json_integer_value(json_object_get(op, "all")));
	printf("\nBy severity:\n");
	json_array_foreach(json_object_get(out, "by_severity"), i, v)
	printf("  %-12s %lld\n", json_string_value(json_object_get(v, "severity")),
	       (long long)json_integer_value(json_object_get(v, "count")));
	printf("\nBy type:\n");
	json_array_foreach(json_object_get(out, "by_type"), i, v)
	printf("  %-32s %lld\n", json_string_value(json_object_get(v, "type")),
	       (long long)json_integer_value(json_object_get(v, "count")));
	printf("\nBy organisation (with those below it):\n");
	json_array_foreach(json_object_get(out, "by_org"), i, v)
	printf("  %-32s %lld\n", json_string_value(json_object_get(v, "org")),
	       (long long)json_integer_value(json_object_get(v, "count")));
	printf("\n%s\n", json_string_value(json_object_get(out, "marking")));
	json_decref(out);
	return EXIT_OK;
}
