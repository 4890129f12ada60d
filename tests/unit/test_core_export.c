/* test_core_export: the exports of SPEC 5 (src/core/export.h): RFC 4180
 * quoting and formula neutralising, header and rows of the same width,
 * the JSON document and its markings, and VERIS objects with every field
 * the schema requires for each baseline breach type, intent and kind
 * (tests/cli/test_export.py validates them against the schema itself). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/catalogue.h"
#include "core/csv.h"
#include "core/export.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A failing table row is printed and counted rather than ending the test,
 * so that one run shows every failing row. */
static int bad;
#define FAIL_ROW(...)                                                                              \
	do {                                                                                       \
		print_error(__VA_ARGS__);                                                          \
		print_error("\n");                                                                 \
		bad++;                                                                             \
	} while (0)

static ts_t ts(const char *s)
{
	ts_t t = 0;
	if (date_parse_ts(s, &t) != 0)
		fail_msg("bad test time %s", s);
	return t;
}

/* The laptop case of SPEC 6.1, decided for its one subject. */
static void sample(struct record *r)
{
	record_init(r);
	snprintf(r->inc.ref, sizeof r->inc.ref, "SB-2026-000042");
	snprintf(r->inc.org, sizeof r->inc.org, "hmcts");
	r->inc.kind = KIND_BREACH;
	r->inc.state = ST_DECIDED;
	r->inc.severity = SEV_SERIOUS;
	r->inc.ntypes = 1;
	snprintf(r->inc.types[0], CODE_MAX, "portable-asset-lost");
	r->inc.controls[0] = CTL_ASSET_MANAGEMENT;
	r->inc.classification = CLS_OFFICIAL;
	r->inc.records = 120;
	r->inc.intent = INT_NEGLIGENT;
	r->inc.damage = DMG_MODERATE;
	r->inc.description = xstrdup("Laptop left on a train");
	r->inc.location = xstrdup("Petty France, 5th floor");
	r->inc.occurred_at = ts("2026-11-19T17:00:00Z");
	r->inc.discovered_at = ts("2026-11-20T09:30:00Z");
	r->inc.reported_at = r->inc.updated_at = ts("2026-11-20T10:00:00Z");
	snprintf(r->inc.reporter, STAFF_MAX, "S1001");
	r->inc.nsubjects = 2;
	snprintf(r->inc.subjects[0], STAFF_MAX, "S2002");
	snprintf(r->inc.subjects[1], STAFF_MAX, "C3003");
	r->subjects[0].engagement = ENG_EMPLOYEE;
	r->subjects[0].outcome = OUT_BREACH_NOTICE;
	r->subjects[0].decided_severity = SEV_SERIOUS;
	r->subjects[0].decided_at = ts("2026-11-25T12:00:00Z");
	snprintf(r->subjects[0].notice, REF_MAX, "BN-2026-000007");
	r->subjects[1].engagement = ENG_CONTRACTOR;
	snprintf(r->subjects[1].staff_id, STAFF_MAX, "C3003");
	snprintf(r->subjects[0].staff_id, STAFF_MAX, "S2002");
	r->ico_notify = 1;
}

static void set_description(struct record *r, const char *d)
{
	free(r->inc.description);
	r->inc.description = d ? xstrdup(d) : NULL;
}

/* Reads every record of CSV text; *nrec records, widths in w[]. */
static char ***read_csv(const char *text, size_t *nrec, size_t *widths)
{
	struct csv_reader rd;
	struct err e = {0};
	char ***rows = NULL;
	char **f;
	size_t n;
	int rc;
	*nrec = 0;
	csv_init(&rd, text, strlen(text));
	while ((rc = csv_next(&rd, &f, &n, &e)) == 1) {
		rows = xrealloc(rows, (*nrec + 1) * sizeof *rows);
		widths[*nrec] = n;
		rows[(*nrec)++] = f;
	}
	if (rc < 0)
		fail_msg("CSV does not parse: %s: %s\n%s", e.field, e.msg, text);
	return rows;
}

static void free_csv(char ***rows, size_t nrec, const size_t *widths)
{
	for (size_t i = 0; i < nrec; i++)
		csv_fields_free(rows[i], widths[i]);
	free(rows);
}

static void test_csv_field(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool text;
		const char *want;
	} cases[] = {
		{"plain", true, "plain"},
		{"", true, ""},
		{"a,b", true, "\"a,b\""},
		{"say \"hi\"", true, "\"say \"\"hi\"\"\""},
		{"two\nlines", true, "\"two\nlines\""},
		{"cr\rhere", true, "\"cr\rhere\""},
		{"=1+1", true, "'=1+1"},
		{"+44 20", true, "'+44 20"},
		{"-2", true, "'-2"},
		{"@SUM(A1)", true, "'@SUM(A1)"},
		{"\tx", true, "'\tx"},
		{"\rx", true, "\"'\rx\""},
		{"=HYPERLINK(\"http://x\",\"y\")", true, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
		{"a=b", true, "a=b"},
		{"-2", false, "-2"},
		{"120", false, "120"},
	};
	bad = 0;
	for (size_t i = 0; i < N_ELEMS(cases); i++) {
		struct buf b = BUF_INIT;
		export_csv_field(&b, cases[i].in, strlen(cases[i].in), cases[i].text);
		if (strcmp(buf_str(&b), cases[i].want) != 0)
			FAIL_ROW("field %zu %s: got [%s], want [%s]", i, cases[i].in, buf_str(&b),
				 cases[i].want);
		buf_release(&b);
	}
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_csv_rows(void **state)
{
	(void)state;
	struct record r;
	struct buf b = BUF_INIT;
	size_t widths[4], nrec;
	const char *desc = "Letters, \"urgent\" ones,\r\nposted to the wrong address\n=cmd|' /C calc'!A0";

	sample(&r);
	set_description(&r, desc);
	export_csv_header(&b);
	export_csv_row(&b, &r);
	/* RFC 4180: every record ends in CRLF. */
	assert_true(b.len > 2 && memcmp(b.data + b.len - 2, "\r\n", 2) == 0);
	char ***rows = read_csv(buf_str(&b), &nrec, widths);
	assert_int_equal(nrec, 2);
	assert_int_equal(widths[0], export_column_count());
	assert_int_equal(widths[1], widths[0]);
	for (size_t i = 0; i < widths[0]; i++)
		assert_string_equal(rows[0][i], export_column_name(i));
	for (size_t i = 0; i < widths[0]; i++) {
		const char *name = rows[0][i], *v = rows[1][i];
		if (strcmp(name, "description") == 0)
			assert_string_equal(v, desc);
		else if (strcmp(name, "ref") == 0)
			assert_string_equal(v, "SB-2026-000042");
		else if (strcmp(name, "occurred_at") == 0)
			assert_string_equal(v, "2026-11-19T17:00:00Z");
		else if (strcmp(name, "closed_at") == 0)
			assert_string_equal(v, "");
		else if (strcmp(name, "subjects") == 0)
			assert_string_equal(v, "S2002;C3003");
		else if (strcmp(name, "engagements") == 0)
			assert_string_equal(v, "employee;contractor");
		else if (strcmp(name, "outcomes") == 0)
			assert_string_equal(v, "breach-notice;");
		else if (strcmp(name, "records") == 0)
			assert_string_equal(v, "120");
		else if (strcmp(name, "marking") == 0)
			assert_string_equal(v, EXPORT_MARKING_PERSONAL);
	}
	free_csv(rows, nrec, widths);

	/* A description that a spreadsheet would run keeps its text behind
	 * an apostrophe. */
	buf_reset(&b);
	set_description(&r, "=1+2");
	export_csv_row(&b, &r);
	rows = read_csv(buf_str(&b), &nrec, widths);
	assert_int_equal(nrec, 1);
	for (size_t i = 0; i < widths[0]; i++)
		if (strcmp(export_column_name(i), "description") == 0)
			assert_string_equal(rows[0][i], "'=1+2");
	free_csv(rows, nrec, widths);
	buf_release(&b);
	record_release(&r);
}

static void test_json_record(void **state)
{
	(void)state;
	struct record r;
	sample(&r);
	json_t *o = export_record_json(&r);
	assert_string_equal(json_string_value(json_object_get(o, "ref")), "SB-2026-000042");
	assert_string_equal(json_string_value(json_object_get(o, "status")), "decided");
	assert_string_equal(json_string_value(json_object_get(o, "marking")), EXPORT_MARKING_PERSONAL);
	assert_string_equal(json_string_value(json_object_get(o, "reporter")), "S1001");
	assert_true(json_is_true(json_object_get(o, "ico_notified")));
	assert_string_equal(json_string_value(json_array_get(json_object_get(o, "controls"), 0)),
			    "asset-management");
	json_t *sd = json_object_get(o, "subjects_detail");
	assert_int_equal(json_array_size(sd), 2);
	json_t *s0 = json_array_get(sd, 0), *s1 = json_array_get(sd, 1);
	assert_string_equal(json_string_value(json_object_get(s0, "staff_id")), "S2002");
	assert_string_equal(json_string_value(json_object_get(s0, "outcome")), "breach-notice");
	assert_string_equal(json_string_value(json_object_get(s0, "decided_severity")), "serious");
	assert_string_equal(json_string_value(json_object_get(s0, "notice")), "BN-2026-000007");
	assert_string_equal(json_string_value(json_object_get(s1, "engagement")), "contractor");
	assert_true(json_is_null(json_object_get(s1, "outcome")));
	assert_true(json_is_null(json_object_get(s1, "notice")));
	json_decref(o);

	/* No personal data: no PERSONAL DATA; a confidential reporter and an
	 * undecided ICO question stay out. */
	r.inc.records = 0;
	r.inc.confidential_reporter = true;
	r.ico_notify = -1;
	o = export_record_json(&r);
	assert_string_equal(json_string_value(json_object_get(o, "marking")), EXPORT_MARKING);
	assert_true(json_is_null(json_object_get(o, "reporter")));
	assert_true(json_is_null(json_object_get(o, "ico_notified")));
	json_decref(o);
	record_release(&r);
}

static void test_writer(void **state)
{
	(void)state;
	struct record r;
	struct buf b = BUF_INIT;
	struct export_writer w;
	struct err e = {0};
	json_error_t je;

	sample(&r);
	/* JSON: a document, records in order, whole after the closing. */
	assert_int_equal(export_begin(&w, EXPORT_JSON, &b, &e), 0);
	export_add(&w, &r);
	export_add(&w, &r);
	export_end(&w);
	json_t *doc = json_loadb(b.data, b.len, 0, &je);
	if (!doc)
		fail_msg("JSON export does not parse: %s\n%s", je.text, buf_str(&b));
	assert_string_equal(json_string_value(json_object_get(doc, "marking")),
			    EXPORT_MARKING_PERSONAL);
	assert_int_equal(json_array_size(json_object_get(doc, "incidents")), 2);
	json_decref(doc);

	/* Empty exports are still documents. */
	buf_reset(&b);
	assert_int_equal(export_begin(&w, EXPORT_VERIS, &b, &e), 0);
	export_end(&w);
	doc = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(doc);
	assert_true(json_is_array(doc) && json_array_size(doc) == 0);
	json_decref(doc);

	buf_reset(&b);
	assert_int_equal(export_begin(&w, EXPORT_VERIS, &b, &e), 0);
	export_add(&w, &r);
	export_end(&w);
	doc = json_loadb(b.data, b.len, 0, &je);
	assert_non_null(doc);
	assert_int_equal(json_array_size(doc), 1);
	json_decref(doc);

	/* CSV: the header first, even with no records. */
	buf_reset(&b);
	assert_int_equal(export_begin(&w, EXPORT_CSV, &b, &e), 0);
	export_end(&w);
	assert_true(strncmp(buf_str(&b), "ref,kind,org,", 13) == 0);

	/* XLSX is not a text stream. */
	assert_int_equal(export_begin(&w, EXPORT_XLSX, &b, &e), -1);
	assert_string_equal(e.field, "format");
	assert_int_equal(vocab_parse(&export_formats, "veris"), EXPORT_VERIS);
	assert_int_equal(vocab_parse(&export_formats, "pdf"), -1);
	buf_release(&b);
	record_release(&r);
}

static bool is_nonempty_array(json_t *v)
{
	return json_is_array(v) && json_array_size(v) > 0;
}

/* What verisc-merged.json requires of every incident, and the parts of
 * its nested objects that we fill. */
static void check_veris(json_t *v, const char *what)
{
	static const char *const required[] = {
		"actor", "action", "discovery_method", "schema_version", "asset",
		"timeline", "incident_id", "security_incident", "summary",
	};
	for (size_t i = 0; i < N_ELEMS(required); i++)
		if (!json_object_get(v, required[i]))
			FAIL_ROW("%s: no \"%s\"", what, required[i]);
	json_t *action = json_object_get(v, "action");
	if (json_object_size(action) < 1)
		FAIL_ROW("%s: action is empty", what);
	const char *cat;
	json_t *a;
	json_object_foreach(action, cat, a)
	{
		if (!is_nonempty_array(json_object_get(a, "variety")) ||
		    !is_nonempty_array(json_object_get(a, "vector")))
			FAIL_ROW("%s: action.%s needs variety and vector", what, cat);
	}
	json_t *in = json_object_get(json_object_get(v, "actor"), "internal");
	if (!is_nonempty_array(json_object_get(in, "variety")) ||
	    !is_nonempty_array(json_object_get(in, "motive")))
		FAIL_ROW("%s: actor.internal needs variety and motive", what);
	json_t *asset = json_object_get(v, "asset");
	if (!is_nonempty_array(json_object_get(asset, "assets")) ||
	    !is_nonempty_array(json_object_get(asset, "cloud")))
		FAIL_ROW("%s: asset needs assets and cloud", what);
	if (!json_is_integer(json_object_get(json_object_get(json_object_get(v, "timeline"),
							     "incident"),
					     "year")))
		FAIL_ROW("%s: timeline.incident.year", what);
	json_t *victim = json_object_get(v, "victim");
	static const char *const vreq[] = {"country", "employee_count", "industry", "government"};
	for (size_t i = 0; i < N_ELEMS(vreq); i++)
		if (!json_object_get(victim, vreq[i]))
			FAIL_ROW("%s: victim has no \"%s\"", what, vreq[i]);
	json_t *conf = json_object_get(json_object_get(v, "attribute"), "confidentiality");
	if (conf && !json_is_string(json_object_get(conf, "data_disclosure")))
		FAIL_ROW("%s: confidentiality without data_disclosure", what);
	if (strcmp(json_string_value(json_object_get(v, "schema_version")), "1.4.0") != 0)
		FAIL_ROW("%s: schema_version", what);
}

static void test_veris_every_type(void **state)
{
	(void)state;
	struct record r;
	char what[160];
	bad = 0;
	sample(&r);
	for (size_t t = 0; t < catalogue_baseline_count; t++)
		for (int in = 0; in < INT_COUNT; in++)
			for (int k = 0; k < KIND_COUNT; k++) {
				snprintf(r.inc.types[0], CODE_MAX, "%s", catalogue_baseline[t].code);
				r.inc.controls[0] = catalogue_baseline[t].control;
				r.inc.intent = (enum intent)in;
				r.inc.kind = (enum kind)k;
				snprintf(what, sizeof what, "%s/%s/%s", catalogue_baseline[t].code,
					 vocab_name(&vocab_intent, in), vocab_name(&vocab_kind, k));
				json_t *v = export_veris_json(&r);
				check_veris(v, what);
				json_decref(v);
			}
	/* An organisation's own type maps by its control area. */
	snprintf(r.inc.types[0], CODE_MAX, "court-list-disclosed");
	for (int c = 0; c < CTL_COUNT; c++) {
		r.inc.controls[0] = (enum control)c;
		snprintf(what, sizeof what, "own type under %s", vocab_name(&vocab_control, c));
		json_t *v = export_veris_json(&r);
		check_veris(v, what);
		json_decref(v);
	}
	/* No types and no subjects still make a whole incident. */
	r.inc.ntypes = 0;
	r.inc.nsubjects = 0;
	json_t *v = export_veris_json(&r);
	check_veris(v, "no types, no subjects");
	json_decref(v);
	record_release(&r);
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static const char *get_s(json_t *v, const char *path)
{
	char key[64];
	while (v && strchr(path, '.')) {
		size_t n = (size_t)(strchr(path, '.') - path);
		snprintf(key, sizeof key, "%.*s", (int)n, path);
		v = json_object_get(v, key);
		path += n + 1;
	}
	v = json_object_get(v, path);
	if (json_is_array(v))
		v = json_array_get(v, 0);
	return json_string_value(v);
}

static void test_veris_mapping(void **state)
{
	(void)state;
	struct record r;
	sample(&r);

	/* The laptop case: a negligent loss by an employee and a contractor. */
	json_t *v = export_veris_json(&r);
	assert_string_equal(get_s(v, "security_incident"), "Confirmed");
	assert_string_equal(get_s(v, "incident_id"), "SB-2026-000042");
	assert_string_equal(get_s(v, "reference"), "SB-2026-000042");
	assert_string_equal(get_s(v, "summary"), "Laptop left on a train");
	assert_string_equal(get_s(v, "action.error.variety"), "Loss");
	assert_string_equal(get_s(v, "action.error.vector"), "Carelessness");
	assert_null(json_object_get(json_object_get(v, "action"), "misuse"));
	assert_string_equal(get_s(v, "actor.internal.motive"), "NA");
	json_t *variety = json_object_get(json_object_get(json_object_get(v, "actor"), "internal"),
					  "variety");
	assert_int_equal(json_array_size(variety), 2); /* End-user, Other */
	json_t *a0 = json_array_get(json_object_get(json_object_get(v, "asset"), "assets"), 0);
	assert_string_equal(json_string_value(json_object_get(a0, "variety")), "U - Unknown");
	assert_string_equal(get_s(v, "attribute.confidentiality.data_disclosure"), "Potentially");
	json_t *data = json_object_get(
		json_object_get(json_object_get(v, "attribute"), "confidentiality"), "data");
	assert_string_equal(json_string_value(json_object_get(json_array_get(data, 0), "variety")),
			    "Personal");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(data, 0), "amount")), 120);
	assert_string_equal(get_s(v, "attribute.availability.variety"), "Loss");
	json_t *inc = json_object_get(json_object_get(v, "timeline"), "incident");
	assert_int_equal(json_integer_value(json_object_get(inc, "year")), 2026);
	assert_int_equal(json_integer_value(json_object_get(inc, "month")), 11);
	assert_int_equal(json_integer_value(json_object_get(inc, "day")), 19);
	assert_string_equal(get_s(v, "timeline.discovery.unit"), "Hours");
	assert_int_equal(json_integer_value(json_object_get(
				 json_object_get(json_object_get(v, "timeline"), "discovery"), "value")),
			 16);
	assert_string_equal(get_s(v, "impact.overall_rating"), "Painful");
	assert_string_equal(get_s(v, "control_failure"), "asset-management");
	assert_string_equal(get_s(v, "plus.breachreg.severity"), "serious");
	assert_string_equal(get_s(v, "plus.breachreg.marking"), EXPORT_MARKING_PERSONAL);
	json_decref(v);

	/* A near miss: nothing got out, nothing was lost. */
	r.inc.kind = KIND_NEAR_MISS;
	v = export_veris_json(&r);
	assert_string_equal(get_s(v, "security_incident"), "Near miss");
	assert_string_equal(get_s(v, "attribute.confidentiality.data_disclosure"), "No");
	assert_null(json_object_get(json_object_get(v, "attribute"), "availability"));
	json_decref(v);

	/* Deliberate account sharing is misuse; a disclosure to a third party
	 * is one. */
	r.inc.kind = KIND_BREACH;
	r.inc.intent = INT_DELIBERATE;
	r.inc.third_party_disclosure = true;
	snprintf(r.inc.types[0], CODE_MAX, "account-sharing");
	r.inc.controls[0] = CTL_IT_ACCESS;
	v = export_veris_json(&r);
	assert_string_equal(get_s(v, "action.misuse.variety"), "Password or Session Sharing");
	assert_null(json_object_get(json_object_get(v, "action"), "error"));
	assert_string_equal(get_s(v, "attribute.confidentiality.data_disclosure"), "Yes");
	json_decref(v);

	/* Two types: both actions, once each. */
	r.inc.intent = INT_NEGLIGENT;
	r.inc.ntypes = 2;
	snprintf(r.inc.types[0], CODE_MAX, "pass-lost");
	snprintf(r.inc.types[1], CODE_MAX, "portable-asset-lost");
	r.inc.controls[0] = CTL_PHYSICAL_ACCESS;
	r.inc.controls[1] = CTL_ASSET_MANAGEMENT;
	v = export_veris_json(&r);
	json_t *ev = json_object_get(json_object_get(json_object_get(v, "action"), "error"), "variety");
	assert_int_equal(json_array_size(ev), 1); /* Loss, once */
	assert_int_equal(json_array_size(json_object_get(json_object_get(v, "asset"), "assets")), 2);
	assert_string_equal(get_s(v, "control_failure"), "physical-access; asset-management");
	json_decref(v);
	record_release(&r);
}

static void test_veris_summary(void **state)
{
	(void)state;
	struct record r;
	sample(&r);

	/* Pseudonymised records come without a description. */
	set_description(&r, NULL);
	json_t *v = export_veris_json(&r);
	assert_string_equal(get_s(v, "summary"), EXPORT_VERIS_WITHHELD);
	json_decref(v);
	set_description(&r, "");
	v = export_veris_json(&r);
	assert_string_equal(get_s(v, "summary"), EXPORT_VERIS_WITHHELD);
	json_decref(v);

	/* A long description is cut on a character boundary. */
	char *longd = xmalloc(3 * EXPORT_VERIS_SUMMARY_MAX + 1);
	for (size_t i = 0; i < EXPORT_VERIS_SUMMARY_MAX; i++)
		memcpy(longd + 3 * i, "\xe2\x82\xac", 3); /* EURO SIGN */
	longd[3 * EXPORT_VERIS_SUMMARY_MAX] = '\0';
	set_description(&r, longd);
	free(longd);
	v = export_veris_json(&r);
	const char *s = get_s(v, "summary");
	assert_non_null(s); /* jansson refuses a string that is not UTF-8 */
	assert_true(strlen(s) <= EXPORT_VERIS_SUMMARY_MAX + 3);
	assert_true(strlen(s) % 3 == 0);
	json_decref(v);
	record_release(&r);
}

static void test_buf(void **state)
{
	(void)state;
	struct buf b = BUF_INIT;
	size_t len;
	assert_string_equal(buf_str(&b), "");
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%04d,", i);
	assert_int_equal(b.len, 5000);
	assert_int_equal(strncmp(b.data + 4995, "0999,", 5), 0);
	buf_reset(&b);
	assert_int_equal(b.len, 0);
	buf_add(&b, "a\0b", 3);
	assert_int_equal(b.len, 3);
	char *p = buf_detach(&b, &len);
	assert_int_equal(len, 3);
	assert_int_equal(memcmp(p, "a\0b", 4), 0);
	free(p);
	assert_null(b.data);
	p = buf_detach(&b, NULL);
	assert_string_equal(p, "");
	free(p);
	buf_release(&b);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_csv_field),
		cmocka_unit_test(test_csv_rows),
		cmocka_unit_test(test_json_record),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_veris_every_type),
		cmocka_unit_test(test_veris_mapping),
		cmocka_unit_test(test_veris_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
