/* bench_assess: in-process assessment throughput on one core (issue 2's
 * target: 1,000,000 assessments/s), against a baseline measured in the
 * same run: jansson parsing the same facts text, the cheapest thing any
 * interface must do before it can assess. Usage: bench_assess [N] */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "core/alloc.h"
#include "core/assess.h"

static const char *const cases[] = {
	"{\"types\":[\"pass-lost\"],\"intent\":\"accidental\",\"damage\":\"low\"}",
	"{\"types\":[\"portable-asset-lost\"],\"classification\":\"official\",\"damage\":\"moderate\","
	"\"subject\":{\"engagement\":\"employee\",\"clearance\":\"sc\",\"org\":\"hmcts\"}}",
	"{\"types\":[\"cabinet-unlocked\"],\"classification\":\"secret\"}",
	"{\"types\":[\"account-sharing\"],\"subject\":{\"on_probation\":true}}",
	"{\"types\":[\"personal-data-release\"],\"classification\":\"official\",\"personal_data\":"
	"{\"records\":5000},\"damage\":\"high\",\"subject\":{\"engagement\":\"contractor\"},"
	"\"discovered_at\":\"2026-11-20T09:30:00Z\"}",
	"{\"types\":[\"workstation-unlocked\"],\"intent\":\"accidental\",\"warnings\":[{\"level\":"
	"\"breach-notice\",\"issued_on\":\"2026-06-30\"},{\"level\":\"written-warning\","
	"\"issued_on\":\"2025-01-10\"}]}",
	"{\"types\":[\"classified-disclosure\"],\"classification\":\"official\","
	"\"third_party_disclosure\":true,\"intent\":\"deliberate\",\"subject\":{\"engagement\":"
	"\"minister\"}}",
	"{\"types\":[\"criminal-act\",\"asset-misuse\"],\"criminal\":true,\"intent\":\"deliberate\","
	"\"subject\":{\"engagement\":\"agency\",\"clearance\":\"sc\",\"org\":\"hmpps\"}}",
	"{\"types\":[\"other\"]}",
};
#define NCASES (sizeof cases / sizeof cases[0])

static double seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000000;
	struct guidance g;
	struct facts f[NCASES];
	struct assessment a;
	struct err e = {0};
	unsigned long sink = 0;
	date_t today;

	alloc_install_json();
	guidance_init_baseline(&g);
	date_parse("2026-11-28", &today);
	for (size_t i = 0; i < NCASES; i++) {
		json_t *j = json_loads(cases[i], 0, NULL);
		facts_init(&f[i]);
		if (!j || facts_parse(&f[i], j, &g, &e)) {
			fprintf(stderr, "case %zu: %s: %s\n", i, e.field, e.msg);
			return 1;
		}
		f[i].today = today;
		json_decref(j);
	}

	double t0 = seconds();
	for (long i = 0; i < n; i++) {
		assess(&f[i % NCASES], &g, &a, &e);
		sink += a.severity + (unsigned long)a.nactions;
	}
	double engine = (double)n / (seconds() - t0);

	long nb = n / 20;
	t0 = seconds();
	for (long i = 0; i < nb; i++) {
		json_t *j = json_loads(cases[i % NCASES], 0, NULL);
		sink += json_object_size(j);
		json_decref(j);
	}
	double parse = (double)nb / (seconds() - t0);

	printf("assess (engine only, %ld runs over %zu cases): %.0f assessments/s\n", n, NCASES, engine);
	printf("baseline json_loads of the same facts text:      %.0f parses/s\n", parse);
	printf("ratio engine/baseline: %.1f; target 1,000,000/s: %s (%.2fx)\n", engine / parse,
	       engine >= 1e6 ? "met" : "NOT met", engine / 1e6);
	guidance_release(&g);
	return sink == 42 ? 2 : 0;
}
