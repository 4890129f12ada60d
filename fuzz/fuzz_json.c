/* fuzz_json: bytes as the JSON the assess and report commands take, through
 * both parsers that read it and the engine: json_loadb (as the CLI and API
 * load it) -> facts_parse under the baseline guidance -> assess ->
 * assessment_to_json; and incident_parse of the same document.
 *
 * Oracles besides the sanitizers: parsed facts written back as JSON
 * (facts_to_json) must parse again to the same JSON; a parsed incident
 * written back (incident_to_json) must parse again to the same incident.
 *
 * A member "$guidance" (harness only, ignored by both parsers) holding an
 * object is first published over the baseline with guidance_apply, so the
 * guidance parser and re-graded types are fuzzed too. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "core/assess.h"
#include "core/facts.h"
#include "core/incident.h"

static struct guidance baseline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	guidance_init_baseline(&baseline);
	return 0;
}

static void check(bool ok, const char *what, const json_t *a, const json_t *b)
{
	char *sa, *sb;

	if (ok)
		return;
	sa = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	sb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);
	fprintf(stderr, "fuzz_json: %s\n first:  %s\n second: %s\n", what, sa, sb);
	abort();
}

/* Facts, the engine, and the facts written back and read again. */
static void run_facts(const json_t *in, const struct guidance *g)
{
	struct facts f, again;
	struct assessment a;
	struct err e = {0};
	char code[CODE_MAX];
	json_t *out, *back, *back2;

	if (facts_guidance_code(in, code, &e))
		return;
	facts_init(&f);
	if (facts_parse(&f, in, g, &e))
		return;
	/* As cmd_assess and api_assess fill what the caller's clock gives. */
	if (f.today == DATE_NONE)
		f.today = date_of_ts(fuzz_now());
	if (f.discovered_at == TS_NONE)
		f.discovered_at = fuzz_now();
	if (assess(&f, g, &a, &e) == 0) {
		char *s;

		out = assessment_to_json(&a, &f, g);
		s = json_dumps(out, JSON_COMPACT);
		if (!s)
			abort();
		free(s);
		json_decref(out);
	}
	back = facts_to_json(&f, g);
	facts_init(&again);
	if (facts_parse(&again, back, g, &e)) {
		fprintf(stderr, "fuzz_json: facts_to_json does not parse: %s: %s\n", e.field,
			e.msg);
		check(false, "facts written back are refused", back, back);
	}
	back2 = facts_to_json(&again, g);
	check(json_equal(back, back2), "facts written back read differently", back, back2);
	json_decref(back);
	json_decref(back2);
}

/* The incident parser and its JSON read again: what report stores must be
 * what a second report of its JSON would store. */
static void run_incident(const json_t *in, const struct guidance *g)
{
	struct incident inc, again;
	struct err e = {0};
	char org[CODE_MAX];
	json_t *out, *out2, *facts;

	if (incident_org_code(in, org, &e))
		return;
	incident_init(&inc);
	if (incident_parse(&inc, in, g, fuzz_now(), &e)) {
		incident_release(&inc);
		return;
	}
	facts = incident_facts_json(&inc);
	out = incident_to_json(&inc, true);
	/* The record's JSON as report input: reported_at and the rest of
	 * what the store adds are ignored members. */
	incident_init(&again);
	if (incident_parse(&again, out, g, fuzz_now(), &e)) {
		fprintf(stderr, "fuzz_json: incident_to_json does not parse: %s: %s\n", e.field,
			e.msg);
		check(false, "an incident written back is refused", out, out);
	}
	out2 = incident_to_json(&again, true);
	check(json_equal(out, out2), "an incident written back reads differently", out, out2);
	json_decref(out2);
	json_decref(out);
	json_decref(facts);
	incident_release(&again);
	incident_release(&inc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *in = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	const json_t *doc;
	struct guidance own;
	const struct guidance *g = &baseline;
	bool applied = false;

	if (!in)
		return 0;
	doc = json_is_object(in) ? json_object_get(in, "$guidance") : NULL;
	if (json_is_object(doc)) {
		struct err e = {0};

		guidance_copy(&own, &baseline);
		if (guidance_apply(&own, doc, "hmcts/1", &e) == 0) {
			json_t *shown = guidance_to_json(&own);

			json_decref(shown);
			g = &own;
		}
		applied = true;
	}
	run_facts(in, g);
	run_incident(in, g);
	if (applied)
		guidance_release(&own);
	json_decref(in);
	return 0;
}
