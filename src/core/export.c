/* export: CSV, JSON and VERIS formatting of records (see export.h). The
 * columns and the VERIS mapping are tables; nothing here reads or writes
 * anything but the caller's buffer. */
#include "core/export.h"

#include <string.h>

#include "core/jsonx.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static const char *const format_names[] = {"csv", "json", "xlsx", "veris"};
_Static_assert(N_ELEMS(format_names) == EXPORT_COUNT, "format table size");
const struct vocab export_formats = {"format", format_names, EXPORT_COUNT};

static const struct {
	const char *media_type, *extension;
} formats[EXPORT_COUNT] = {
	[EXPORT_CSV] = {"text/csv; charset=utf-8", "csv"},
	[EXPORT_JSON] = {"application/json", "json"},
	[EXPORT_XLSX] = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
			 "xlsx"},
	[EXPORT_VERIS] = {"application/json", "veris.json"},
};

const char *export_media_type(enum export_format f)
{
	return f < EXPORT_COUNT ? formats[f].media_type : "application/octet-stream";
}

const char *export_extension(enum export_format f)
{
	return f < EXPORT_COUNT ? formats[f].extension : "bin";
}

const char *export_marking(const struct incident *inc)
{
	return record_personal(inc) ? EXPORT_MARKING_PERSONAL : EXPORT_MARKING;
}

/* ---- columns ---- */

static void put_ts(struct buf *out, ts_t t)
{
	char s[TS_BUF];
	if (t == TS_NONE)
		return;
	date_format_ts(t, s);
	buf_puts(out, s);
}

static void put_bool(struct buf *out, bool v)
{
	buf_puts(out, v ? "true" : "false");
}

/* A vocab name, or nothing for the -1 of "none yet". */
static void put_opt(struct buf *out, const struct vocab *v, int i)
{
	if (i >= 0)
		buf_puts(out, vocab_name(v, i));
}

static void col_ref(const struct record *r, struct buf *o)
{
	buf_puts(o, r->inc.ref);
}

static void col_kind(const struct record *r, struct buf *o)
{
	buf_puts(o, vocab_name(&vocab_kind, (int)r->inc.kind));
}

static void col_org(const struct record *r, struct buf *o)
{
	buf_puts(o, r->inc.org);
}

static void col_status(const struct record *r, struct buf *o)
{
	buf_puts(o, vocab_name(&vocab_state, (int)r->inc.state));
}

static void col_severity(const struct record *r, struct buf *o)
{
	put_opt(o, &vocab_severity, r->inc.severity);
}

static void col_types(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.ntypes; i++)
		buf_printf(o, "%s%s", i ? ";" : "", r->inc.types[i]);
}

static const char *control_name(const struct record *r, int i)
{
	return vocab_name(&vocab_control, (int)r->inc.controls[i]);
}

static void col_controls(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.ntypes; i++)
		buf_printf(o, "%s%s", i ? ";" : "", control_name(r, i));
}

static void col_classification(const struct record *r, struct buf *o)
{
	buf_puts(o, vocab_name(&vocab_classification, (int)r->inc.classification));
}

static void col_records(const struct record *r, struct buf *o)
{
	buf_printf(o, "%lld", (long long)r->inc.records);
}

static void col_personal(const struct record *r, struct buf *o)
{
	put_bool(o, record_personal(&r->inc));
}

static void col_special(const struct record *r, struct buf *o)
{
	put_bool(o, r->inc.special_category);
}

static void col_intent(const struct record *r, struct buf *o)
{
	buf_puts(o, vocab_name(&vocab_intent, (int)r->inc.intent));
}

static void col_damage(const struct record *r, struct buf *o)
{
	buf_puts(o, vocab_name(&vocab_damage, (int)r->inc.damage));
}

static void col_occurred(const struct record *r, struct buf *o)
{
	put_ts(o, r->inc.occurred_at);
}

static void col_discovered(const struct record *r, struct buf *o)
{
	put_ts(o, r->inc.discovered_at);
}

static void col_reported(const struct record *r, struct buf *o)
{
	put_ts(o, r->inc.reported_at);
}

static void col_closed(const struct record *r, struct buf *o)
{
	put_ts(o, r->inc.closed_at);
}

/* Per-subject lists are parallel to "subjects": an undecided subject
 * leaves an empty item, so positions still line up. */
static void col_subjects(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.nsubjects; i++)
		buf_printf(o, "%s%s", i ? ";" : "", r->inc.subjects[i]);
}

static void col_engagements(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.nsubjects; i++)
		buf_printf(o, "%s%s", i ? ";" : "",
			   vocab_name(&vocab_engagement, (int)r->subjects[i].engagement));
}

static void col_outcomes(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.nsubjects; i++) {
		if (i)
			buf_addch(o, ';');
		put_opt(o, &vocab_outcome, r->subjects[i].outcome);
	}
}

static void col_decided(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.nsubjects; i++) {
		if (i)
			buf_addch(o, ';');
		put_opt(o, &vocab_severity, r->subjects[i].decided_severity);
	}
}

static void col_notices(const struct record *r, struct buf *o)
{
	for (int i = 0; i < r->inc.nsubjects; i++)
		buf_printf(o, "%s%s", i ? ";" : "", r->subjects[i].notice);
}

static void col_ico(const struct record *r, struct buf *o)
{
	if (r->ico_notify >= 0)
		put_bool(o, r->ico_notify > 0);
}

static void col_location(const struct record *r, struct buf *o)
{
	if (r->inc.location)
		buf_puts(o, r->inc.location);
}

static void col_description(const struct record *r, struct buf *o)
{
	if (r->inc.description)
		buf_puts(o, r->inc.description);
}

static void col_marking(const struct record *r, struct buf *o)
{
	buf_puts(o, export_marking(&r->inc));
}

static const struct column {
	const char *name;
	enum export_column_kind kind;
	void (*put)(const struct record *r, struct buf *out);
} columns[] = {
	{"ref", EXPORT_COL_TEXT, col_ref},
	{"kind", EXPORT_COL_TEXT, col_kind},
	{"org", EXPORT_COL_TEXT, col_org},
	{"status", EXPORT_COL_TEXT, col_status},
	{"severity", EXPORT_COL_TEXT, col_severity},
	{"types", EXPORT_COL_TEXT, col_types},
	{"controls", EXPORT_COL_TEXT, col_controls},
	{"classification", EXPORT_COL_TEXT, col_classification},
	{"records", EXPORT_COL_NUMBER, col_records},
	{"personal_data", EXPORT_COL_TEXT, col_personal},
	{"special_category", EXPORT_COL_TEXT, col_special},
	{"intent", EXPORT_COL_TEXT, col_intent},
	{"damage", EXPORT_COL_TEXT, col_damage},
	{"occurred_at", EXPORT_COL_TEXT, col_occurred},
	{"discovered_at", EXPORT_COL_TEXT, col_discovered},
	{"reported_at", EXPORT_COL_TEXT, col_reported},
	{"closed_at", EXPORT_COL_TEXT, col_closed},
	{"subjects", EXPORT_COL_TEXT, col_subjects},
	{"engagements", EXPORT_COL_TEXT, col_engagements},
	{"outcomes", EXPORT_COL_TEXT, col_outcomes},
	{"decided_severities", EXPORT_COL_TEXT, col_decided},
	{"notices", EXPORT_COL_TEXT, col_notices},
	{"ico_notified", EXPORT_COL_TEXT, col_ico},
	{"location", EXPORT_COL_TEXT, col_location},
	{"description", EXPORT_COL_TEXT, col_description},
	/* Per row, so that a CSV keeps its header first and still carries
	 * SPEC 7's marking wherever its rows are pasted. */
	{"marking", EXPORT_COL_TEXT, col_marking},
};

size_t export_column_count(void)
{
	return N_ELEMS(columns);
}

const char *export_column_name(size_t col)
{
	return col < N_ELEMS(columns) ? columns[col].name : "";
}

enum export_column_kind export_column_kind(size_t col)
{
	return col < N_ELEMS(columns) ? columns[col].kind : EXPORT_COL_TEXT;
}

void export_cell(const struct record *r, size_t col, struct buf *out)
{
	if (col < N_ELEMS(columns))
		columns[col].put(r, out);
}

/* ---- CSV ---- */

void export_csv_field(struct buf *b, const char *s, size_t n, bool text)
{
	/* Formula injection (CWE-1236): a spreadsheet opening the file runs a
	 * cell that starts with = + - @ (and, in some, TAB or CR) as a
	 * formula, and free text here is written by whoever reported the
	 * breach. A leading apostrophe makes the cell plain text (OWASP's
	 * advice); numbers are ours and never start that way. */
	bool formula = text && n > 0 && s[0] && strchr("=+-@\t\r", s[0]);
	bool quote = false;
	for (size_t i = 0; i < n && !quote; i++)
		quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	if (quote)
		buf_addch(b, '"');
	if (formula)
		buf_addch(b, '\'');
	if (!quote) {
		buf_add(b, s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addch(b, '"');
		buf_addch(b, s[i]);
	}
	buf_addch(b, '"');
}

void export_csv_header(struct buf *b)
{
	for (size_t i = 0; i < N_ELEMS(columns); i++) {
		if (i)
			buf_addch(b, ',');
		buf_puts(b, columns[i].name);
	}
	buf_puts(b, "\r\n");
}

void export_csv_row(struct buf *b, const struct record *r)
{
	struct buf cell = BUF_INIT;
	for (size_t i = 0; i < N_ELEMS(columns); i++) {
		if (i)
			buf_addch(b, ',');
		buf_reset(&cell);
		columns[i].put(r, &cell);
		export_csv_field(b, buf_str(&cell), cell.len, columns[i].kind == EXPORT_COL_TEXT);
	}
	buf_puts(b, "\r\n");
	buf_release(&cell);
}

/* ---- JSON ---- */

static json_t *opt_name(const struct vocab *v, int i)
{
	return i >= 0 ? json_string(vocab_name(v, i)) : json_null();
}

json_t *export_subjects_json(const struct record *r)
{
	json_t *arr = json_array();
	for (int i = 0; i < r->inc.nsubjects; i++) {
		const struct record_subject *s = &r->subjects[i];
		json_t *o =
		    json_pack("{s:s, s:s, s:o, s:o, s:o, s:o}", "staff_id", r->inc.subjects[i],
			      "engagement", vocab_name(&vocab_engagement, (int)s->engagement),
			      "outcome", opt_name(&vocab_outcome, s->outcome), "decided_severity",
			      opt_name(&vocab_severity, s->decided_severity), "decided_at",
			      jsonx_ts_value(s->decided_at), "notice",
			      s->notice[0] ? json_string(s->notice) : json_null());
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *controls_json(const struct record *r)
{
	json_t *arr = json_array();
	for (int i = 0; i < r->inc.ntypes; i++)
		json_array_append_new(arr, json_string(control_name(r, i)));
	return arr;
}

static json_t *ico_json(const struct record *r)
{
	return r->ico_notify < 0 ? json_null() : json_boolean(r->ico_notify > 0);
}

json_t *export_record_json(const struct record *r)
{
	/* An export travels further than a screen: a reporter who asked for
	 * confidentiality stays out of it, whoever exports. */
	json_t *o = incident_to_json(&r->inc, !r->inc.confidential_reporter);
	json_object_set_new(o, "controls", controls_json(r));
	json_object_set_new(o, "subjects_detail", export_subjects_json(r));
	json_object_set_new(o, "ico_notified", ico_json(r));
	json_object_set_new(o, "marking", json_string(export_marking(&r->inc)));
	return o;
}

/* ---- VERIS 1.4 ----
 *
 * The mapping of the MoJ policy onto VERIS (verisc-merged.json). An
 * error is "anything done (or left undone) incorrectly or inadvertently",
 * misuse "the use of entrusted resources or privileges contrary to their
 * purpose": so the incident's intent chooses between a type's error and
 * its misuse, and a type that can only be one of them has only that. */

enum veris_disclosure { DISC_NONE, DISC_POTENTIALLY, DISC_YES };

struct veris_map {
	const char *code; /* baseline breach type; NULL in the by-control table */
	const char *error_variety;  /* when accidental or negligent; NULL: never an error */
	const char *misuse_variety; /* when reckless or deliberate; NULL: never misuse */
	const char *misuse_vector;
	const char *physical_variety; /* always, when set */
	const char *physical_vector;
	const char *asset; /* asset.assets[].variety */
	const char *cloud; /* asset.cloud */
	enum veris_disclosure disclosure; /* what the type says of confidentiality */
	bool loss;                        /* availability: the asset is gone */
};

/* The baseline catalogue (catalogue.c), type by type. */
static const struct veris_map veris_types[] = {
	{"pass-lost", "Loss", NULL, NULL, NULL, NULL, "M - Smart card", "NA", DISC_NONE, true},
	{"pass-not-worn", "Other", "Unapproved workaround", "Physical access", NULL, NULL,
	 "M - Smart card", "NA", DISC_NONE, false},
	{"workstation-unlocked", "Other", "Unapproved workaround", "Physical access", NULL, NULL,
	 "U - Desktop or laptop", "On-Premise Asset(s)", DISC_POTENTIALLY, false},
	{"circumstances-unreported", "Other", "Other", "Non-corporate", NULL, NULL,
	 "P - End-user or employee", "NA", DISC_NONE, false},
	{"pass-misuse", NULL, "Possession abuse", "Physical access", NULL, NULL, "M - Smart card",
	 "NA", DISC_NONE, false},
	{"account-sharing", NULL, "Password or Session Sharing", "LAN access", NULL, NULL,
	 "S - Authentication", "On-Premise Asset(s)", DISC_POTENTIALLY, false},
	{"official-docs-unsecured", "Other", "Data mishandling", "Physical access", NULL, NULL,
	 "M - Documents", "NA", DISC_POTENTIALLY, false},
	{"official-material-lost", "Loss", "Data mishandling", "Non-corporate", NULL, NULL,
	 "M - Documents", "NA", DISC_POTENTIALLY, true},
	{"personal-data-release", "Misdelivery", "Data mishandling", "Other", NULL, NULL, "Unknown",
	 "Unknown", DISC_YES, false},
	{"cabinet-unlocked", "Other", "Unapproved workaround", "Physical access", NULL, NULL,
	 "M - Documents", "NA", DISC_POTENTIALLY, false},
	{"portable-asset-lost", "Loss", NULL, NULL, NULL, NULL, "U - Unknown", "NA",
	 DISC_POTENTIALLY, true},
	{"equipment-abroad", "Other", "Unapproved workaround", "Non-corporate", NULL, NULL,
	 "U - Unknown", "NA", DISC_POTENTIALLY, false},
	{"asset-misuse", NULL, "Possession abuse", "Physical access", NULL, NULL, "Other",
	 "Unknown", DISC_POTENTIALLY, false},
	{"significant-circumstances-unreported", "Other", "Other", "Non-corporate", NULL, NULL,
	 "P - End-user or employee", "NA", DISC_NONE, false},
	{"classified-disclosure", "Misdelivery", "Data mishandling", "Other", NULL, NULL,
	 "M - Documents", "NA", DISC_YES, false},
	{"secret-material-breach", "Other", "Data mishandling", "Other", NULL, NULL,
	 "M - Documents", "NA", DISC_POTENTIALLY, false},
	/* Theft is the policy's example of a criminal act that touches
	 * security; fraud or assault show in the description. */
	{"criminal-act", NULL, NULL, NULL, "Theft", "Victim work area", "Unknown", "Unknown",
	 DISC_POTENTIALLY, true},
	{"it-policy-serious-breach", NULL, "Net misuse", "LAN access", NULL, NULL,
	 "U - Desktop or laptop", "On-Premise Asset(s)", DISC_NONE, false},
	{"clear-desk-failure", "Other", "Unapproved workaround", "Physical access", NULL, NULL,
	 "M - Documents", "NA", DISC_POTENTIALLY, false},
	{"sensitive-info-unprotected", "Other", "Data mishandling", "Other", NULL, NULL, "Unknown",
	 "Unknown", DISC_POTENTIALLY, false},
	{"other", "Other", "Other", "Other", NULL, NULL, "Unknown", "Unknown", DISC_NONE, false},
};

/* An organisation's own types (published guidance) by their control area. */
static const struct veris_map veris_controls[CTL_COUNT] = {
	[CTL_PHYSICAL_ACCESS] = {NULL, "Other", "Unapproved workaround", "Physical access", NULL,
				 NULL, "M - Smart card", "NA", DISC_NONE, false},
	[CTL_IT_ACCESS] = {NULL, "Other", "Privilege abuse", "LAN access", NULL, NULL,
			   "S - Authentication", "On-Premise Asset(s)", DISC_POTENTIALLY, false},
	[CTL_PERSONNEL_SECURITY] = {NULL, "Other", "Other", "Non-corporate", NULL, NULL,
				    "P - End-user or employee", "NA", DISC_NONE, false},
	[CTL_INFORMATION_HANDLING] = {NULL, "Other", "Data mishandling", "Other", NULL, NULL,
				      "M - Documents", "NA", DISC_POTENTIALLY, false},
	[CTL_DATA_PROTECTION] = {NULL, "Other", "Data mishandling", "Other", NULL, NULL, "Unknown",
				 "Unknown", DISC_POTENTIALLY, false},
	[CTL_PHYSICAL_SECURITY] = {NULL, "Other", "Unapproved workaround", "Physical access", NULL,
				   NULL, "M - Documents", "NA", DISC_POTENTIALLY, false},
	[CTL_ASSET_MANAGEMENT] = {NULL, "Loss", "Possession abuse", "Physical access", NULL, NULL,
				  "U - Unknown", "NA", DISC_POTENTIALLY, true},
	[CTL_CONDUCT] = {NULL, "Other", "Other", "Other", NULL, NULL, "Unknown", "Unknown",
			 DISC_NONE, false},
	[CTL_IT_USE] = {NULL, "Other", "Net misuse", "LAN access", NULL, NULL,
			"U - Desktop or laptop", "On-Premise Asset(s)", DISC_NONE, false},
	[CTL_OTHER] = {NULL, "Other", "Other", "Other", NULL, NULL, "Unknown", "Unknown", DISC_NONE,
		       false},
};

/* By intent: error or misuse, the actor's motive (VERIS: "NA" for
 * errors; convenience for the shortcut of a reckless breach; a deliberate
 * one's motive is not recorded here), the error's vector, targeted. */
static const struct veris_intent {
	bool misuse;
	const char *motive, *error_vector, *targeted;
} veris_intents[INT_COUNT] = {
	[INT_ACCIDENTAL] = {false, "NA", "Random error", "NA"},
	[INT_NEGLIGENT] = {false, "NA", "Carelessness", "NA"},
	[INT_RECKLESS] = {true, "Convenience", "Carelessness", "NA"},
	[INT_DELIBERATE] = {true, "Unknown", "Carelessness", "Unknown"},
};

/* actor.internal.variety by engagement. VERIS counts independent
 * contractors and temporary staff as internal actors; their role is not
 * recorded, hence "Other". Office holders are executives. */
static const char *const veris_engagements[ENG_COUNT] = {
	[ENG_EMPLOYEE] = "End-user",
	[ENG_CONTRACTOR] = "Other",
	[ENG_AGENCY] = "Other",
	[ENG_MINISTER] = "Executive",
	[ENG_SPECIAL_ADVISER] = "Executive",
	[ENG_PERMANENT_SECRETARY] = "Executive",
	[ENG_JUDICIAL_OFFICER] = "Other",
};

/* impact.overall_rating by damage: five steps onto five. */
static const char *const veris_damage[DMG_COUNT] = {
	[DMG_NONE] = "Insignificant", [DMG_LOW] = "Distracting", [DMG_MODERATE] = "Painful",
	[DMG_HIGH] = "Damaging",      [DMG_SEVERE] = "Catastrophic",
};

static const char *const veris_disclosures[] = {
	[DISC_NONE] = "No", [DISC_POTENTIALLY] = "Potentially", [DISC_YES] = "Yes"};

/* timeline.discovery: the largest unit that fits, in whole units. */
static const struct {
	int64_t seconds;
	const char *unit;
} veris_units[] = {
	{365 * 86400, "Years"}, {30 * 86400, "Months"}, {7 * 86400, "Weeks"}, {86400, "Days"},
	{3600, "Hours"},        {60, "Minutes"},        {1, "Seconds"},
};

static const struct veris_map *veris_row(const struct record *r, int i)
{
	for (size_t k = 0; k < N_ELEMS(veris_types); k++)
		if (strcmp(veris_types[k].code, r->inc.types[i]) == 0)
			return &veris_types[k];
	return r->inc.controls[i] < CTL_COUNT ? &veris_controls[r->inc.controls[i]]
					  : &veris_controls[CTL_OTHER];
}

/* VERIS arrays are uniqueItems: one entry per string. */
static void add_unique(json_t *arr, const char *s)
{
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (strcmp(json_string_value(v), s) == 0)
			return;
	}
	json_array_append_new(arr, json_string(s));
}

/* Adds {category: {variety: [v], vector: [vec]}} to action, merging. */
static void add_action(json_t *action, const char *category, const char *variety,
		       const char *vector)
{
	json_t *c = json_object_get(action, category);
	if (!c) {
		c = json_pack("{s:[], s:[]}", "variety", "vector");
		json_object_set_new(action, category, c);
	}
	add_unique(json_object_get(c, "variety"), variety);
	add_unique(json_object_get(c, "vector"), vector);
}

static json_t *veris_actor(const struct record *r, const struct veris_intent *in)
{
	json_t *variety = json_array();
	for (int i = 0; i < r->inc.nsubjects; i++) {
		enum engagement g = r->subjects[i].engagement;
		add_unique(variety, g < ENG_COUNT ? veris_engagements[g] : "Unknown");
	}
	if (json_array_size(variety) == 0)
		add_unique(variety, "Unknown");
	return json_pack("{s:{s:o, s:[s]}}", "internal", "variety", variety, "motive", in->motive);
}

static json_t *veris_timeline(const struct record *r)
{
	ts_t at = r->inc.occurred_at != TS_NONE ? r->inc.occurred_at : r->inc.discovered_at;
	int y = 0, m = 0, d = 0;
	json_t *t;

	if (at == TS_NONE)
		at = r->inc.reported_at;
	date_to_ymd(date_of_ts(at), &y, &m, &d);
	t = json_pack("{s:{s:i, s:i, s:i}}", "incident", "year", y, "month", m, "day", d);
	if (r->inc.occurred_at != TS_NONE && r->inc.discovered_at != TS_NONE &&
	    r->inc.discovered_at >= r->inc.occurred_at) {
		int64_t secs = r->inc.discovered_at - r->inc.occurred_at;
		size_t k = 0;
		while (k + 1 < N_ELEMS(veris_units) && secs < veris_units[k].seconds)
			k++;
		json_object_set_new(t, "discovery",
				    json_pack("{s:s, s:I}", "unit", veris_units[k].unit, "value",
					      (json_int_t)(secs / veris_units[k].seconds)));
	} else {
		json_object_set_new(t, "discovery", json_pack("{s:s}", "unit", "Unknown"));
	}
	return t;
}

/* attribute: confidentiality when the types or the facts put data at
 * stake, availability when the asset is gone; NULL when neither. */
static json_t *veris_attribute(const struct record *r, enum veris_disclosure types_disc,
			       bool loss)
{
	const struct incident *inc = &r->inc;
	bool classified = inc->strap || inc->classification >= CLS_SECRET;
	json_t *attr = json_object();
	json_t *data = json_array();
	enum veris_disclosure disc = types_disc;

	if (record_personal(inc) || classified)
		disc = disc > DISC_POTENTIALLY ? disc : DISC_POTENTIALLY;
	if (inc->third_party_disclosure)
		disc = DISC_YES;
	/* Something was or may have been disclosed: say what. */
	if (disc != DISC_NONE) {
		if (inc->records > 0)
			json_array_append_new(data, json_pack("{s:s, s:I}", "variety", "Personal",
							      "amount", (json_int_t)inc->records));
		if (inc->special_category)
			json_array_append_new(data,
					      json_pack("{s:s}", "variety", "Sensitive Personal"));
		if (classified)
			json_array_append_new(data, json_pack("{s:s}", "variety", "Classified"));
		else if (inc->classification >= CLS_OFFICIAL)
			json_array_append_new(data, json_pack("{s:s}", "variety", "Internal"));
		/* A near miss is one where nothing got out. */
		if (inc->kind == KIND_NEAR_MISS)
			disc = DISC_NONE;
		json_t *c = json_pack("{s:s}", "data_disclosure", veris_disclosures[disc]);
		if (json_array_size(data))
			json_object_set_new(c, "data", json_incref(data));
		json_object_set_new(attr, "confidentiality", c);
	}
	if (loss && inc->kind != KIND_NEAR_MISS)
		json_object_set_new(attr, "availability", json_pack("{s:[s]}", "variety", "Loss"));
	json_decref(data);
	if (json_object_size(attr) == 0) {
		json_decref(attr);
		return NULL;
	}
	return attr;
}

static json_t *veris_summary(const struct incident *inc)
{
	const char *d = inc->description;
	size_t n;
	if (!d || !*d)
		return json_string(EXPORT_VERIS_WITHHELD);
	n = strlen(d);
	if (n <= EXPORT_VERIS_SUMMARY_MAX)
		return json_string(d);
	/* Cut on a character boundary so the string stays UTF-8. */
	n = EXPORT_VERIS_SUMMARY_MAX;
	while (n > 0 && ((unsigned char)d[n] & 0xC0) == 0x80)
		n--;
	struct buf b = BUF_INIT;
	buf_add(&b, d, n);
	buf_puts(&b, "\xe2\x80\xa6"); /* U+2026 HORIZONTAL ELLIPSIS */
	json_t *s = json_stringn(b.data, b.len);
	buf_release(&b);
	return s;
}

static json_t *veris_plus(const struct record *r)
{
	json_t *types = json_array();
	for (int i = 0; i < r->inc.ntypes; i++)
		json_array_append_new(types, json_string(r->inc.types[i]));
	/* plus is VERIS's place for an organisation's own fields: the
	 * policy's, under one name so they never meet a future VERIS one. */
	return json_pack("{s:{s:s, s:s, s:s, s:o, s:o, s:o, s:s, s:s, s:s, s:o, s:o, s:s}}",
			 "breachreg", "org", r->inc.org, "kind",
			 vocab_name(&vocab_kind, (int)r->inc.kind), "status",
			 vocab_name(&vocab_state, (int)r->inc.state), "severity",
			 opt_name(&vocab_severity, r->inc.severity), "types", types, "controls",
			 controls_json(r), "classification",
			 vocab_name(&vocab_classification, (int)r->inc.classification), "intent",
			 vocab_name(&vocab_intent, (int)r->inc.intent), "damage",
			 vocab_name(&vocab_damage, (int)r->inc.damage), "subjects",
			 export_subjects_json(r), "ico_notified", ico_json(r), "marking",
			 export_marking(&r->inc));
}

/* What the incident's types add up to: actions, assets, confidentiality,
 * loss, and the control areas that failed. */
struct veris_acc {
	json_t *action;              /* {category: {variety, vector}} */
	json_t *assets, *cloud;      /* arrays of strings, unique */
	enum veris_disclosure disc;  /* the most any type says */
	bool loss;
	struct buf failures;         /* control_failure: "a; b" */
	bool failed[CTL_COUNT];
};

static void veris_add_type(struct veris_acc *acc, const struct veris_map *m,
			   const struct veris_intent *in, int control)
{
	/* The intent's choice, unless the type can only be the other. */
	bool misuse = in->misuse ? m->misuse_variety != NULL : m->error_variety == NULL;
	if (misuse && m->misuse_variety)
		add_action(acc->action, "misuse", m->misuse_variety, m->misuse_vector);
	else if (!misuse && m->error_variety)
		add_action(acc->action, "error", m->error_variety, in->error_vector);
	if (m->physical_variety)
		add_action(acc->action, "physical", m->physical_variety, m->physical_vector);
	add_unique(acc->assets, m->asset);
	add_unique(acc->cloud, m->cloud);
	acc->disc = m->disclosure > acc->disc ? m->disclosure : acc->disc;
	acc->loss |= m->loss;
	if (control >= 0 && control < CTL_COUNT && !acc->failed[control]) {
		acc->failed[control] = true;
		buf_printf(&acc->failures, "%s%s", acc->failures.len ? "; " : "",
			   vocab_name(&vocab_control, control));
	}
}

/* The victim is the department. NAICS 922 is justice, public order and
 * safety (courts 922110, prisons 922140, probation 922150); national
 * government is VERIS's "Federal"; UN M.49 150154 is Northern Europe. */
static json_t *veris_victim(void)
{
	return json_pack("{s:s, s:s, s:s, s:[s], s:[s], s:[s]}", "victim_id",
			 "Ministry of Justice", "industry", "922", "employee_count", "Large",
			 "government", "Federal", "country", "GB", "region", "150154");
}

json_t *export_veris_json(const struct record *r)
{
	const struct incident *inc = &r->inc;
	const struct veris_intent *in =
		&veris_intents[inc->intent < INT_COUNT ? inc->intent : INT_NEGLIGENT];
	struct veris_acc acc = {json_object(), json_array(), json_array(), DISC_NONE, false,
				BUF_INIT, {false}};
	json_t *v, *assets, *attr;
	size_t i;
	json_t *a;

	for (int t = 0; t < inc->ntypes; t++)
		veris_add_type(&acc, veris_row(r, t), in, (int)inc->controls[t]);
	if (inc->ntypes == 0)
		veris_add_type(&acc, &veris_controls[CTL_OTHER], in, -1);
	assets = json_array();
	json_array_foreach(acc.assets, i, a)
		json_array_append_new(assets, json_pack("{s:O}", "variety", a));

	v = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:s}", "schema_version",
		      EXPORT_VERIS_SCHEMA_VERSION, "schema_name", "verisc", "incident_id", inc->ref,
		      "summary", veris_summary(inc), "reference", inc->ref, "source_id",
		      "breachreg", "security_incident",
		      inc->kind == KIND_NEAR_MISS ? "Near miss" : "Confirmed");
	json_object_set_new(v, "timeline", veris_timeline(r));
	json_object_set_new(v, "actor", veris_actor(r, in));
	json_object_set_new(v, "action", acc.action);
	json_object_set_new(v, "asset",
			    json_pack("{s:o, s:o}", "assets", assets, "cloud", acc.cloud));
	json_object_set_new(
	    v, "discovery_method",
	    json_pack("{s:{s:[s]}}", "internal", "variety", "Reported by employee"));
	json_object_set_new(v, "victim", veris_victim());
	json_object_set_new(
	    v, "impact",
	    json_pack("{s:s}", "overall_rating",
		      veris_damage[inc->damage < DMG_COUNT ? inc->damage : DMG_LOW]));
	json_object_set_new(v, "targeted", json_string(in->targeted));
	if ((attr = veris_attribute(r, acc.disc, acc.loss)))
		json_object_set_new(v, "attribute", attr);
	if (acc.failures.len)
		json_object_set_new(v, "control_failure", json_string(acc.failures.data));
	json_object_set_new(v, "plus", veris_plus(r));
	json_decref(acc.assets);
	buf_release(&acc.failures);
	return v;
}

/* ---- streaming ---- */

static int dump_cb(const char *p, size_t n, void *ctx)
{
	buf_add(ctx, p, n);
	return 0;
}

static void dump(struct buf *b, json_t *v)
{
	json_dump_callback(v, dump_cb, b, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	json_decref(v);
}

int export_begin(struct export_writer *w, enum export_format format, struct buf *out,
		 struct err *e)
{
	w->format = format;
	w->out = out;
	w->n = 0;
	switch (format) {
	case EXPORT_CSV:
		export_csv_header(out);
		return 0;
	case EXPORT_JSON:
		/* The document's marking is written before its records are
		 * known, so it is the highest they can carry: over-marking is
		 * allowed, under-marking is not. Each record has its own. */
		buf_puts(out, "{\"marking\":");
		dump(out, json_string(EXPORT_MARKING_PERSONAL));
		buf_puts(out, ",\"incidents\":[");
		return 0;
	case EXPORT_VERIS:
		buf_addch(out, '[');
		return 0;
	default:
		return err_set(e, ERR_INVALID, "format", "\"%s\" is not written as a text stream",
			       vocab_name(&export_formats, (int)format));
	}
}

void export_add(struct export_writer *w, const struct record *r)
{
	switch (w->format) {
	case EXPORT_CSV:
		export_csv_row(w->out, r);
		break;
	case EXPORT_JSON:
		buf_puts(w->out, w->n ? ",\n" : "\n");
		dump(w->out, export_record_json(r));
		break;
	case EXPORT_VERIS:
		buf_puts(w->out, w->n ? ",\n" : "\n");
		dump(w->out, export_veris_json(r));
		break;
	default:
		return;
	}
	w->n++;
}

void export_end(struct export_writer *w)
{
	switch (w->format) {
	case EXPORT_JSON:
		buf_puts(w->out, w->n ? "\n]}\n" : "]}\n");
		break;
	case EXPORT_VERIS:
		buf_puts(w->out, w->n ? "\n]\n" : "]\n");
		break;
	default:
		break;
	}
}
