/* registry_import: a legacy spreadsheet register of incidents brought in
 * from CSV (SPEC 6.1 `import FILE.csv`), all rows or none (see registry.h).
 *
 * Each row becomes the SPEC 6.1 incident JSON and goes through
 * incident_parse, so a row is checked exactly as `report` checks one. The
 * rows, their rollup contribution and one audit entry are written in one
 * transaction; if any row is bad nothing is written and every bad row is
 * reported.
 *
 * Built for a million rows: the guidance of each organisation and each
 * person are read once and cached; an incident is dropped once written;
 * the rollup contributions are summed in memory (not read back from the
 * store per row, as reg_rollup_after does for one report) and added to the
 * rollups at the end. Memory is the caches plus the distinct rollup cells. */
#include <sodium.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/alloc.h"
#include "core/csv.h"
#include "core/jsonx.h"
#include "core/rollup.h"
#include "service/registry.h"
#include "service/registry_internal.h"

/* Distinct rollup cells summed in memory before they are added to the
 * store's rollups: the bound on that table's memory (a cell is about 180
 * bytes). The rollups are upserts, so adding in several goes is the same. */
#define IMPORT_FLUSH_AT 262144

#define IMPORT_ACTION "incident.import"

/* How a cell becomes a member of the incident JSON. */
enum cell {
	CELL_TEXT,  /* the string as it is */
	CELL_LIST,  /* ";"-separated codes or staff ids: an array of strings */
	CELL_BOOL,  /* see bool_words */
	CELL_COUNT, /* a whole number */
	CELL_OWN,   /* read by the import itself: not part of the JSON */
};

enum col {
	COL_KIND,
	COL_ORG,
	COL_TYPES,
	COL_OCCURRED,
	COL_DISCOVERED,
	COL_REPORTED,
	COL_LOCATION,
	COL_DESCRIPTION,
	COL_REPORTER,
	COL_CONFIDENTIAL,
	COL_SUBJECTS,
	COL_CLASSIFICATION,
	COL_STRAP,
	COL_THIRD_PARTY,
	COL_AUTHORISED,
	COL_CRIMINAL,
	COL_RECORDS,
	COL_SPECIAL,
	COL_INTENT,
	COL_DAMAGE,
	COL_STATE,
	COL_CLOSED,
	NCOLS
};

/* The columns a file may have, named as the members of SPEC 6.1's
 * incident JSON (personal ones inside "personal_data"). Required ones must
 * be in the header: without them every row would fail alike. */
static const struct column {
	const char *name;
	enum cell cell;
	bool personal;
	bool required;
} columns[NCOLS] = {
    [COL_KIND] = {"kind", CELL_TEXT, false, false},
    [COL_ORG] = {"org", CELL_TEXT, false, true},
    [COL_TYPES] = {"types", CELL_LIST, false, true},
    [COL_OCCURRED] = {"occurred_at", CELL_TEXT, false, false},
    [COL_DISCOVERED] = {"discovered_at", CELL_TEXT, false, false},
    /* Kept as the legacy register has it: report would set it to now. */
    [COL_REPORTED] = {"reported_at", CELL_OWN, false, true},
    [COL_LOCATION] = {"location", CELL_TEXT, false, false},
    [COL_DESCRIPTION] = {"description", CELL_TEXT, false, true},
    [COL_REPORTER] = {"reporter", CELL_TEXT, false, true},
    [COL_CONFIDENTIAL] = {"confidential_reporter", CELL_BOOL, false, false},
    [COL_SUBJECTS] = {"subjects", CELL_LIST, false, false},
    [COL_CLASSIFICATION] = {"classification", CELL_TEXT, false, false},
    [COL_STRAP] = {"strap", CELL_BOOL, false, false},
    [COL_THIRD_PARTY] = {"third_party_disclosure", CELL_BOOL, false, false},
    [COL_AUTHORISED] = {"authorised", CELL_BOOL, false, false},
    [COL_CRIMINAL] = {"criminal", CELL_BOOL, false, false},
    [COL_RECORDS] = {"records", CELL_COUNT, true, false},
    [COL_SPECIAL] = {"special_category", CELL_BOOL, true, false},
    [COL_INTENT] = {"intent", CELL_TEXT, false, false},
    [COL_DAMAGE] = {"damage", CELL_TEXT, false, false},
    /* A legacy row may already be closed (at closed_at, else reported_at). */
    [COL_STATE] = {"state", CELL_OWN, false, false},
    [COL_CLOSED] = {"closed_at", CELL_OWN, false, false},
};

/* Spreadsheets write booleans in several ways; case does not matter. */
static const struct {
	const char *word;
	bool value;
} bool_words[] = {
    {"true", true}, {"yes", true}, {"1", true}, {"false", false}, {"no", false}, {"0", false},
};

/* The states a legacy row may be in: still open as reported, or done. */
static const enum state import_states[] = {ST_REPORTED, ST_CLOSED};

/* ------------------------------------------------------------------------
 * Caches: open addressing over entries whose first member is their key. */

struct cache {
	void **items;
	size_t n;
	uint32_t *slots; /* index + 1 into items; 0 is empty */
	size_t cap;	 /* a power of two */
};

static uint32_t key_hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void *cache_get(const struct cache *c, const char *key)
{
	if (!c->cap)
		return NULL;
	for (size_t i = key_hash(key) & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
		uint32_t at = c->slots[i];

		if (!at)
			return NULL;
		if (strcmp(c->items[at - 1], key) == 0)
			return c->items[at - 1];
	}
}

static void cache_slot(struct cache *c, size_t index)
{
	size_t i = key_hash(c->items[index]) & (c->cap - 1);

	while (c->slots[i])
		i = (i + 1) & (c->cap - 1);
	c->slots[i] = (uint32_t)index + 1;
}

/* Takes item (malloc'd, key first; not yet present). */
static void cache_put(struct cache *c, void *item)
{
	/* At most half full: items has room for cap / 2. */
	if ((c->n + 1) * 2 > c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->items = xrealloc(c->items, c->cap / 2 * sizeof *c->items);
		free(c->slots);
		c->slots = xcalloc(c->cap, sizeof *c->slots);
		for (size_t i = 0; i < c->n; i++)
			cache_slot(c, i);
	}
	c->items[c->n] = item;
	cache_slot(c, c->n++);
}

/* An organisation as rows name it: the guidance in force there, or why
 * it cannot be used; its head of unit once a row needs one. */
struct org_entry {
	char code[CODE_MAX];
	bool known;
	struct guidance g; /* when known */
	struct err err;	   /* when not */
	bool head_read;
	char head[STAFF_MAX];
};

struct person_entry {
	char staff_id[STAFF_MAX];
	int engagement; /* enum engagement; -1: no such person */
};

/* ------------------------------------------------------------------------
 * Sums of rollup cells (or times): each row adds a dozen or more, many of
 * them equal to ones seen before. They are summed in a hash table as they
 * come, not appended and merged by sorting the whole buffer every so
 * often as the recount does (registry_record.c): the merged part grows
 * with the register's distinct cells and is sorted again at every merge,
 * which made sorting the largest cost outside the store in a profile of
 * the first version. */

struct sums {
	char *items; /* n distinct items of size bytes, each with its count */
	size_t size, n, cap;
	uint32_t *slots; /* index + 1 into items; 0 is empty */
	size_t nslots;	 /* a power of two */
	uint64_t (*hash)(const void *);
	int (*cmp)(const void *, const void *);
	size_t count_at; /* offset of the item's int64_t count */
};

static uint64_t hash_int(uint64_t h, int64_t v)
{
	return (h ^ (uint64_t)v) * UINT64_C(0x100000001b3);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * UINT64_C(0x100000001b3);
	return h;
}

static uint64_t hash_end(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	return h ^ (h >> 33);
}

/* Over the same members as rollup_cell_cmp compares (not the bytes: the
 * ends of the strings are not always zeroed). */
static uint64_t cell_hash(const void *p)
{
	const struct rollup_cell *c = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = hash_int(h, c->mask);
	h = hash_int(h, c->month);
	h = hash_int(h, c->kind);
	h = hash_int(h, c->status);
	h = hash_int(h, c->severity);
	h = hash_int(h, c->personal);
	h = hash_int(h, c->ico);
	h = hash_int(h, c->control);
	h = hash_int(h, c->outcome);
	h = hash_int(h, c->engagement);
	return hash_end(hash_str(hash_str(h, c->org), c->type));
}

static int cell_cmp(const void *a, const void *b)
{
	return rollup_cell_cmp(a, b);
}

static uint64_t time_hash(const void *p)
{
	const struct rollup_time *t = p;
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	h = hash_int(h, t->metric);
	h = hash_int(h, t->month);
	h = hash_int(h, t->bucket);
	return hash_end(hash_str(h, t->org));
}

static int time_cmp(const void *a, const void *b)
{
	return rollup_time_cmp(a, b);
}

static void sums_slot(struct sums *m, size_t index)
{
	size_t i = m->hash(m->items + index * m->size) & (m->nslots - 1);

	while (m->slots[i])
		i = (i + 1) & (m->nslots - 1);
	m->slots[i] = (uint32_t)index + 1;
}

/* Adds item's count to its equal, or keeps a copy of it. */
static void sums_add(struct sums *m, const void *item)
{
	int64_t n;

	memcpy(&n, (const char *)item + m->count_at, sizeof n);
	if (m->nslots) {
		for (size_t i = m->hash(item) & (m->nslots - 1);; i = (i + 1) & (m->nslots - 1)) {
			uint32_t at = m->slots[i];
			char *x;
			int64_t sum;

			if (!at)
				break;
			x = m->items + (size_t)(at - 1) * m->size;
			if (m->cmp(x, item) == 0) {
				memcpy(&sum, x + m->count_at, sizeof sum);
				sum += n;
				memcpy(x + m->count_at, &sum, sizeof sum);
				return;
			}
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 1024;
		m->items = xrealloc(m->items, m->cap * m->size);
	}
	memcpy(m->items + m->n * m->size, item, m->size);
	m->n++;
	if (m->n * 2 > m->nslots) {
		m->nslots = m->nslots ? m->nslots * 2 : 2048;
		free(m->slots);
		m->slots = xcalloc(m->nslots, sizeof *m->slots);
		for (size_t i = 0; i < m->n; i++)
			sums_slot(m, i);
	} else {
		sums_slot(m, m->n - 1);
	}
}

static void sums_clear(struct sums *m)
{
	m->n = 0;
	if (m->nslots)
		memset(m->slots, 0, m->nslots * sizeof *m->slots);
}

static void sums_release(struct sums *m)
{
	free(m->items);
	free(m->slots);
}

/* ------------------------------------------------------------------------
 * One import */

struct import {
	struct store *s;
	ts_t now;
	int map[NCOLS]; /* the file's column of each field, -1 absent */
	size_t nheader;
	struct cache orgs, people;
	struct record rec;	  /* the row in hand, as trends count it */
	json_t *doc;		  /* the row in hand as incident JSON (row_json) */
	json_t *personal;	  /* its "personal_data" (borrowed from doc) */
	struct sums cells, times; /* the rows' rollup contributions so far */
	struct registry_import_report *out;
	int first_row; /* of the first error */
	struct err first;
};

static void import_release(struct import *im)
{
	for (size_t i = 0; i < im->orgs.n; i++) {
		struct org_entry *o = im->orgs.items[i];

		if (o->known)
			guidance_release(&o->g);
		free(o);
	}
	for (size_t i = 0; i < im->people.n; i++)
		free(im->people.items[i]);
	free(im->orgs.items);
	free(im->orgs.slots);
	free(im->people.items);
	free(im->people.slots);
	record_release(&im->rec);
	json_decref(im->doc);
	sums_release(&im->cells);
	sums_release(&im->times);
}

/* The column a field of incident_parse's errors comes from:
 * "types[1]" is the types column, "personal_data.records" records. */
static void column_of(const char *field, char *out, size_t cap)
{
	static const char personal[] = "personal_data.";

	if (strncmp(field, personal, sizeof personal - 1) == 0)
		field += sizeof personal - 1;
	snprintf(out, cap, "%.*s", (int)strcspn(field, "["), field);
}

/* Notes a bad row; only the first REGISTRY_IMPORT_MAX_ERRORS are kept. */
static void import_refuse(struct import *im, int row, const struct err *e)
{
	char field[sizeof e->field];

	column_of(e->field, field, sizeof field);
	if (im->out->nerrors++ == 0) {
		im->first = *e;
		memcpy(im->first.field, field, sizeof field);
		im->first_row = row;
	}
	if (json_array_size(im->out->errors) < REGISTRY_IMPORT_MAX_ERRORS)
		json_array_append_new(
		    im->out->errors,
		    json_pack("{s:i, s:o, s:o}", "row", row, "field", jsonx_text_value(field),
			      "message", jsonx_text_value(e->msg)));
}

/* Maps the header's names (any order, any case) to columns. Every unknown,
 * repeated or missing column is refused as row 1; 0 if none was. */
static int read_header(struct import *im, char **f, size_t nf)
{
	struct err e = {0};
	int64_t before = im->out->nerrors;

	for (int c = 0; c < NCOLS; c++)
		im->map[c] = -1;
	im->nheader = nf;
	for (size_t i = 0; i < nf; i++) {
		const char *name = f[i] + strspn(f[i], " \t");
		size_t len = strlen(name);
		int found = -1;

		while (len && (name[len - 1] == ' ' || name[len - 1] == '\t'))
			len--;
		for (int c = 0; c < NCOLS && found < 0; c++)
			if (strlen(columns[c].name) == len &&
			    strncasecmp(columns[c].name, name, len) == 0)
				found = c;
		if (found < 0) {
			err_set(&e, ERR_INVALID, "", "unknown column \"%.*s\"",
				(int)(len > 64 ? 64 : len), name);
			snprintf(e.field, sizeof e.field, "%.*s", (int)(len > 64 ? 64 : len), name);
			if (!len)
				snprintf(e.field, sizeof e.field, "column %zu", i + 1);
			import_refuse(im, 1, &e);
		} else if (im->map[found] >= 0) {
			err_set(&e, ERR_INVALID, columns[found].name,
				"column \"%s\" is named twice", columns[found].name);
			import_refuse(im, 1, &e);
		} else {
			im->map[found] = (int)i;
		}
	}
	for (int c = 0; c < NCOLS; c++)
		if (columns[c].required && im->map[c] < 0) {
			err_set(&e, ERR_INVALID, columns[c].name, "the header has no \"%s\" column",
				columns[c].name);
			import_refuse(im, 1, &e);
		}
	return im->out->nerrors == before ? 0 : -1;
}

static const char *cell_at(const struct import *im, char **f, enum col c)
{
	return im->map[c] >= 0 ? f[im->map[c]] : "";
}

static int bad_utf8(const char *name, struct err *e)
{
	return err_set(e, ERR_INVALID, name, "\"%s\" is not valid UTF-8", name);
}

/* "a; b;c" into arr as ["a", "b", "c"]: blanks around items and empty
 * items go. */
static int cell_list(json_t *arr, const char *name, const char *v, struct err *e)
{
	json_array_clear(arr);
	while (*v) {
		size_t len, end;

		v += strspn(v, " \t");
		len = end = strcspn(v, ";");
		while (end && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end) {
			json_t *s = json_stringn(v, end);

			if (!s)
				return bad_utf8(name, e);
			json_array_append_new(arr, s);
		}
		v += len;
		if (*v == ';')
			v++;
	}
	return 0;
}

static int cell_bool(const char *name, const char *v, bool *out, struct err *e)
{
	for (size_t i = 0; i < sizeof bool_words / sizeof bool_words[0]; i++)
		if (strcasecmp(v, bool_words[i].word) == 0) {
			*out = bool_words[i].value;
			return 0;
		}
	return err_set(e, ERR_INVALID, name,
		       "invalid value \"%.40s\" for \"%s\", expected true, false, yes, no, 1 or 0",
		       v, name);
}

static int cell_count(const char *name, const char *v, json_int_t *out, struct err *e)
{
	if (v[strspn(v, "0123456789")] != '\0' || strlen(v) > 18)
		return err_set(e, ERR_INVALID, name, "\"%s\" must be a whole number, not \"%.40s\"",
			       name, v);
	*out = (json_int_t)strtoll(v, NULL, 10);
	return 0;
}

/* One cell as a member of obj, reusing the value the previous row left
 * there where it has the same type: most cells of a row change only
 * their text, and making the JSON afresh for each row was as costly as
 * parsing it. */
static int cell_set(json_t *obj, const struct column *col, const char *v, struct err *e)
{
	json_t *old = json_object_get(obj, col->name), *arr;
	json_int_t n = 0;
	bool b = false;

	switch (col->cell) {
	case CELL_TEXT:
		if (json_is_string(old))
			return json_string_set(old, v) ? bad_utf8(col->name, e) : 0;
		if (!(old = json_string(v)))
			return bad_utf8(col->name, e);
		return json_object_set_new(obj, col->name, old);
	case CELL_LIST:
		if (!json_is_array(old)) {
			arr = json_array();
			json_object_set_new(obj, col->name, arr);
			old = arr;
		}
		return cell_list(old, col->name, v, e);
	case CELL_BOOL:
		if (cell_bool(col->name, v, &b, e))
			return -1;
		return json_object_set_new(obj, col->name, json_boolean(b));
	case CELL_COUNT:
		if (cell_count(col->name, v, &n, e))
			return -1;
		if (json_is_integer(old))
			return json_integer_set(old, n);
		return json_object_set_new(obj, col->name, json_integer(n));
	case CELL_OWN:
		break;
	}
	return 0;
}

/* The row as SPEC 6.1 incident JSON, in im->doc; an empty cell is an
 * absent member, so it takes report's default. -1 with e naming the
 * column. */
static int row_json(struct import *im, char **f, struct err *e)
{
	for (int c = 0; c < NCOLS; c++) {
		const struct column *col = &columns[c];
		const char *v = cell_at(im, f, (enum col)c);
		json_t *obj = col->personal ? im->personal : im->doc;

		if (col->cell == CELL_OWN)
			continue;
		if (!v[0])
			json_object_del(obj, col->name);
		else if (cell_set(obj, col, v, e))
			return -1;
	}
	return 0;
}

/* A time column: TS_NONE when empty. */
static int row_time(const struct import *im, char **f, enum col c, ts_t *out, struct err *e)
{
	const char *v = cell_at(im, f, c);

	*out = TS_NONE;
	if (!v[0])
		return 0;
	if (date_parse_ts(v, out))
		return err_set(e, ERR_INVALID, columns[c].name,
			       "\"%s\" must be a UTC time YYYY-MM-DDTHH:MM:SSZ", columns[c].name);
	if (*out > im->now + INCIDENT_FUTURE_SLACK)
		return err_set(e, ERR_INVALID, columns[c].name, "\"%s\" is in the future",
			       columns[c].name);
	return 0;
}

/* What the import reads itself: when the row was reported and whether
 * (and when) it was closed. */
static int row_times(const struct import *im, char **f, ts_t *reported, enum state *st,
		     ts_t *closed, struct err *e)
{
	const char *v = cell_at(im, f, COL_STATE);
	ts_t discovered;

	*st = ST_REPORTED;
	if (row_time(im, f, COL_REPORTED, reported, e) || row_time(im, f, COL_CLOSED, closed, e))
		return -1;
	if (*reported == TS_NONE)
		return err_set(e, ERR_INVALID, "reported_at",
			       "\"reported_at\" is required: when the legacy register recorded it");
	/* report checks discovery against its clock; here the row's own
	 * reporting time is the clock, so say which times disagree. */
	if (date_parse_ts(cell_at(im, f, COL_DISCOVERED), &discovered) == 0 &&
	    discovered > *reported)
		return err_set(e, ERR_INVALID, "discovered_at",
			       "\"discovered_at\" is after \"reported_at\"");
	if (v[0]) {
		int found = -1;

		for (size_t i = 0; i < sizeof import_states / sizeof import_states[0]; i++)
			if (strcmp(v, vocab_name(&vocab_state, (int)import_states[i])) == 0)
				found = (int)i;
		if (found < 0)
			return err_set(e, ERR_INVALID, "state",
				       "invalid value \"%.40s\" for \"state\", expected %s or %s",
				       v, vocab_name(&vocab_state, ST_REPORTED),
				       vocab_name(&vocab_state, ST_CLOSED));
		*st = import_states[found];
	}
	if (*st != ST_CLOSED) {
		if (*closed != TS_NONE)
			return err_set(e, ERR_INVALID, "closed_at",
				       "\"closed_at\" is given but \"state\" is not closed");
		return 0;
	}
	if (*closed == TS_NONE)
		*closed = *reported;
	if (*closed < *reported)
		return err_set(e, ERR_INVALID, "closed_at",
			       "\"closed_at\" is before \"reported_at\"");
	return 0;
}

/* The organisation a row names, from the cache or read once. An unknown
 * one is remembered too, so each of its rows is refused without a look. */
static int org_lookup(struct import *im, const json_t *doc, struct org_entry **out, struct err *e)
{
	char code[CODE_MAX];
	struct org_entry *o;

	if (incident_org_code(doc, code, e))
		return -1;
	if (!(o = cache_get(&im->orgs, code))) {
		o = xcalloc(1, sizeof *o);
		snprintf(o->code, sizeof o->code, "%s", code);
		if (registry_guidance_resolve(im->s, code, &o->g, &o->err) == 0) {
			o->known = true;
		} else if (o->err.kind == ERR_RUNTIME) {
			*e = o->err;
			free(o);
			return -1;
		}
		cache_put(&im->orgs, o);
	}
	if (!o->known) {
		*e = o->err;
		return -1;
	}
	*out = o;
	return 0;
}

static int org_head(struct import *im, struct org_entry *o, struct err *e)
{
	if (!o->head_read) {
		if (reg_org_head(im->s, o->code, o->head, e))
			return -1;
		o->head_read = true;
	}
	if (!o->head[0])
		return err_set(e, ERR_INVALID, "subjects",
			       "no subject named and organisation \"%s\" has no head of unit",
			       o->code);
	return 0;
}

/* The person, from the cache or read once; *engagement (may be NULL) gets
 * theirs, which the incident keeps (store_ops.incident_insert). */
static int person_lookup(struct import *im, const char *staff_id, const char *field,
			 int *engagement, struct err *e)
{
	struct person_entry *pe = cache_get(&im->people, staff_id);

	if (!pe) {
		struct person p;
		struct err nf = {0};

		person_init(&p);
		pe = xcalloc(1, sizeof *pe);
		snprintf(pe->staff_id, sizeof pe->staff_id, "%s", staff_id);
		pe->engagement = -1;
		if (im->s->ops->person_get(im->s, staff_id, &p, &nf) == 0) {
			pe->engagement = (int)p.engagement;
		} else if (nf.kind != ERR_NOT_FOUND) {
			person_release(&p);
			free(pe);
			*e = nf;
			return -1;
		}
		person_release(&p);
		cache_put(&im->people, pe);
	}
	if (pe->engagement < 0)
		return err_set(e, ERR_NOT_FOUND, field, "unknown person \"%s\"", staff_id);
	if (engagement)
		*engagement = pe->engagement;
	return 0;
}

/* Adds the sums to the store's rollups, in key order (rollup_cells_merge
 * sorts them), which keeps the store's index writes local. */
static int rollup_flush(struct import *im, struct err *e)
{
	rollup_cells_merge((struct rollup_cell *)im->cells.items, &im->cells.n);
	rollup_times_merge((struct rollup_time *)im->times.items, &im->times.n);
	if (im->s->ops->rollup_add(im->s, (struct rollup_cell *)im->cells.items, im->cells.n,
				   (struct rollup_time *)im->times.items, im->times.n, e))
		return -1;
	sums_clear(&im->cells);
	sums_clear(&im->times);
	return 0;
}

/* Adds the row's contribution to the rollups: what reg_rollup_after would
 * find in the store for it (no assessment, decision or ICO decision). */
static int rollup_row(struct import *im, struct err *e)
{
	struct rollup_cell *c;
	struct rollup_time *t;
	size_t nc, nt;

	rollup_cells(&im->rec, &c, &nc, &t, &nt);
	for (size_t i = 0; i < nc; i++)
		sums_add(&im->cells, &c[i]);
	for (size_t i = 0; i < nt; i++)
		sums_add(&im->times, &t[i]);
	free(c);
	free(t);
	if (im->cells.n > IMPORT_FLUSH_AT)
		return rollup_flush(im, e);
	return 0;
}

/* One data row: checks it and, while every row so far was good, writes
 * it. 0 when good; -1 with e filled otherwise: ERR_RUNTIME stops the
 * import, any other kind is this row's fault. */
static int import_row(struct import *im, char **f, size_t nf, struct err *e)
{
	struct incident *inc = &im->rec.inc;
	struct org_entry *o;
	ts_t reported, closed;
	enum state st;
	int eng = 0;

	incident_release(inc);
	incident_init(inc);
	if (nf != im->nheader)
		return err_set(e, ERR_INVALID, "",
			       "the row has %zu fields where the header has %zu", nf, im->nheader);
	if (row_times(im, f, &reported, &st, &closed, e) || row_json(im, f, e) ||
	    org_lookup(im, im->doc, &o, e) || incident_parse(inc, im->doc, &o->g, reported, e))
		return -1;
	if (!inc->reporter[0])
		return err_set(e, ERR_INVALID, "reporter",
			       "\"reporter\" is required: the staff id of who reported");
	if (person_lookup(im, inc->reporter, "reporter", NULL, e))
		return -1;
	for (int i = 0; i < inc->nsubjects; i++) {
		if (person_lookup(im, inc->subjects[i], "subjects", &eng, e))
			return -1;
		im->rec.subjects[i].engagement = (enum engagement)eng;
	}
	if (inc->nsubjects == 0) {
		/* No one identified: the head of unit is accountable (SPEC 4). */
		if (org_head(im, o, e) || person_lookup(im, o->head, "subjects", &eng, e))
			return -1;
		snprintf(inc->subjects[0], STAFF_MAX, "%s", o->head);
		im->rec.subjects[0].engagement = (enum engagement)eng;
		inc->nsubjects = 1;
	}
	if (st == ST_CLOSED) {
		inc->state = ST_CLOSED;
		inc->closed_at = inc->updated_at = closed;
	}
	/* After the first bad row nothing will be kept: check, don't write. */
	if (im->out->nerrors)
		return 0;
	if (im->s->ops->incident_insert(im->s, inc, e) || rollup_row(im, e))
		return -1;
	if (!im->out->first[0])
		memcpy(im->out->first, inc->ref, REF_MAX);
	memcpy(im->out->last, inc->ref, REF_MAX);
	return 0;
}

/* The audit entry of an earlier import of the same bytes, if any. */
struct earlier {
	bool found;
	int64_t seq;
	ts_t at;
};

static int earlier_cb(const struct audit_entry *ae, void *ctx)
{
	struct earlier *x = ctx;

	if (strcmp(ae->action, IMPORT_ACTION) != 0)
		return 0;
	x->found = true;
	x->seq = ae->seq;
	x->at = ae->at;
	return 1;
}

/* A legacy register is brought in once: the same file again would add
 * every incident a second time under new references. */
static int imported_before(struct store *s, const char *sha256, struct err *e)
{
	struct earlier x = {0};
	char at[TS_BUF];

	if (s->ops->audit_each(s, sha256, earlier_cb, &x, e) < 0)
		return -1;
	if (!x.found)
		return 0;
	date_format_ts(x.at, at);
	return err_set(e, ERR_CONFLICT, "file",
		       "this file was imported already, at %s (audit entry %lld)", at,
		       (long long)x.seq);
}

void registry_import_report_release(struct registry_import_report *r)
{
	json_decref(r->errors);
	r->errors = NULL;
}

int registry_incident_import(struct store *s, const struct actor *a, const char *csv, size_t len,
			     ts_t now, struct registry_import_report *out, struct err *e)
{
	struct import im = {
	    .s = s,
	    .now = now,
	    .out = out,
	    .cells = {.size = sizeof(struct rollup_cell),
		      .hash = cell_hash,
		      .cmp = cell_cmp,
		      .count_at = offsetof(struct rollup_cell, n)},
	    .times = {.size = sizeof(struct rollup_time),
		      .hash = time_hash,
		      .cmp = time_cmp,
		      .count_at = offsetof(struct rollup_time, n)},
	};
	struct csv_reader r;
	unsigned char sum[crypto_hash_sha256_BYTES];
	char **f = NULL;
	size_t nf = 0;
	bool txn = false;
	int rc, ret = -1;

	memset(out, 0, sizeof *out);
	out->errors = json_array();
	record_init(&im.rec);
	im.doc = json_object();
	im.personal = json_object();
	json_object_set_new(im.doc, "personal_data", im.personal);
	/* Rows name their reporters and subjects: only who may see and act on
	 * every incident brings in a register's worth of them. */
	if (!a->system && !authz_is_security(a)) {
		err_set(e, ERR_FORBIDDEN, "", "%s may not import incidents: security does",
			a->name);
		goto out;
	}
	crypto_hash_sha256(sum, (const unsigned char *)csv, len);
	sodium_bin2hex(out->sha256, sizeof out->sha256, sum, sizeof sum);

	csv_init(&r, csv, len);
	if ((rc = csv_next(&r, &f, &nf, e)) <= 0) {
		if (rc == 0)
			err_set(e, ERR_INVALID, "file",
				"the CSV file is empty: it needs a header row");
		goto out;
	}
	rc = read_header(&im, f, nf);
	csv_fields_free(f, nf);
	f = NULL;
	nf = 0;
	if (rc)
		goto refused;
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	if (imported_before(s, out->sha256, e))
		goto out;
	for (;;) {
		struct err row = {0};

		rc = csv_next(&r, &f, &nf, &row);
		if (rc == 0)
			break;
		out->rows++;
		if (rc < 0) {
			/* A quote left open swallows the rest: nothing to go on with. */
			err_set(&row, ERR_INVALID, "",
				"a quoted field is still open at the end of the file");
			import_refuse(&im, r.record, &row);
			break;
		}
		if (import_row(&im, f, nf, &row)) {
			if (row.kind == ERR_RUNTIME) {
				*e = row;
				goto out;
			}
			import_refuse(&im, r.record, &row);
		}
		csv_fields_free(f, nf);
		f = NULL;
		nf = 0;
	}
	if (out->nerrors)
		goto refused;
	if (out->rows == 0) {
		/* A header alone: nothing to import, nothing to record. */
		ret = 0;
		goto out;
	}
	if (rollup_flush(&im, e) ||
	    reg_audit(s, a, now, IMPORT_ACTION, out->sha256,
		      json_pack("{s:I, s:s, s:s}", "rows", (json_int_t)out->rows, "first_ref",
				out->first, "last_ref", out->last),
		      e) ||
	    s->ops->commit(s, e))
		goto out;
	txn = false;
	out->imported = out->rows;
	ret = 0;
	goto out;
refused : {
	char row[24];

	snprintf(row, sizeof row, "row %d", im.first_row);
	if (im.first.field[0])
		err_set(e, ERR_INVALID, row, "%s: %s", im.first.field, im.first.msg);
	else
		err_set(e, ERR_INVALID, row, "%s", im.first.msg);
}
out:
	if (txn)
		s->ops->rollback(s);
	if (ret) {
		out->imported = 0;
		out->first[0] = out->last[0] = '\0';
	}
	csv_fields_free(f, nf);
	import_release(&im);
	return ret;
}
