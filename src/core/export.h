/* export: the register's exports (SPEC 5) as pure formatting of records:
 * CSV (RFC 4180), JSON and VERIS 1.4 JSON, appended to a struct buf that
 * the caller flushes wherever it writes (a file, an HTTP body). XLSX is
 * written by the CLI (libxlsxwriter does its own I/O) from the same
 * columns (export_column_*). Every export carries the protective marking
 * of SPEC 7.
 *
 * Records come as the registry hands them over (registry_export):
 * pseudonymised ones already carry pseudonyms for staff ids and no
 * description or location, so nothing here needs to know who asked.
 *
 * Ownership: json_t results are new references the caller decrefs; the
 * record is only read. */
#ifndef BR_EXPORT_H
#define BR_EXPORT_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "core/record.h"
#include "core/vocab.h"

enum export_format { EXPORT_CSV, EXPORT_JSON, EXPORT_XLSX, EXPORT_VERIS, EXPORT_COUNT };
/* "csv", "json", "xlsx", "veris"; the field is "format". */
extern const struct vocab export_formats;
/* The media type ("text/csv; charset=utf-8") and file extension ("csv"). */
const char *export_media_type(enum export_format f);
const char *export_extension(enum export_format f);

#define EXPORT_MARKING "OFFICIAL-SENSITIVE HR / MANAGEMENT"
#define EXPORT_MARKING_PERSONAL EXPORT_MARKING " / PERSONAL DATA"
/* SPEC 7's marking of one incident: PERSONAL DATA when record_personal. */
const char *export_marking(const struct incident *inc);

/* ---- the columns of CSV and of the XLSX "incidents" sheet ---- */

enum export_column_kind { EXPORT_COL_TEXT, EXPORT_COL_NUMBER };
size_t export_column_count(void);
const char *export_column_name(size_t col);
enum export_column_kind export_column_kind(size_t col);
/* Appends column col of r to out as text: times RFC 3339 UTC, lists
 * joined with ";", absent values (no severity yet, still open) empty. */
void export_cell(const struct record *r, size_t col, struct buf *out);

/* One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, with
 * quotes doubled. A text field that a spreadsheet would run as a formula
 * gets a leading apostrophe (see export.c). */
void export_csv_field(struct buf *b, const char *s, size_t n, bool text);
/* The header row and one row per record, each ending in CRLF. */
void export_csv_header(struct buf *b);
void export_csv_row(struct buf *b, const struct record *r);

/* ---- JSON ---- */

/* incident_to_json's fields plus "controls", "subjects_detail"
 * [{staff_id, engagement, outcome, decided_severity, decided_at,
 * notice}], "ico_notified" (true, false, or null before the DPO's
 * decision) and "marking". A confidential reporter is left out. */
json_t *export_record_json(const struct record *r);
/* The "subjects_detail" array alone. */
json_t *export_subjects_json(const struct record *r);

/* ---- VERIS 1.4 ---- */

#define EXPORT_VERIS_SCHEMA_VERSION "1.4.0"
#define EXPORT_VERIS_SUMMARY_MAX 1000 /* bytes of description kept */
/* The summary of a record without a description: a pseudonymised one. */
#define EXPORT_VERIS_WITHHELD "Pseudonymised record: the description is withheld."
/* One VERIS incident (verisc-merged.json, draft-04), with the policy's
 * own fields under plus.breachreg. */
json_t *export_veris_json(const struct record *r);

/* ---- streaming: the whole export, one record at a time ---- */

/* CSV: the header, then rows. JSON: {"marking", "incidents": [...]}.
 * VERIS: a JSON array of incidents. XLSX does not stream as text. */
struct export_writer {
	enum export_format format;
	struct buf *out; /* borrowed; the caller may flush and reset it between calls */
	int64_t n;       /* records added */
};

/* Writes the opening. -1 (ERR_INVALID naming "format") for XLSX. */
int export_begin(struct export_writer *w, enum export_format format, struct buf *out,
		 struct err *e);
void export_add(struct export_writer *w, const struct record *r);
/* Writes the closing. */
void export_end(struct export_writer *w);

#endif
