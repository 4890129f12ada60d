/* registry_record: the central record's upkeep (rollups kept in each
 * write's transaction, rebuilt and verified against a recount) and the
 * export walk with its pseudonyms. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/pseudonym.h"
#include "service/registry_internal.h"

#define META_ROLLUP_STALE "rollup_stale"
#define META_PSEUDONYM_KEY "pseudonym_key"

void reg_rollup_none(struct rollup_snap *snap)
{
	memset(snap, 0, sizeof *snap);
}

void reg_rollup_release(struct rollup_snap *snap)
{
	free(snap->cells);
	free(snap->times);
	reg_rollup_none(snap);
}

static int snap_of(struct store *s, const char *ref, struct rollup_snap *snap, struct err *e)
{
	struct record r;

	reg_rollup_none(snap);
	if (s->ops->record_get(s, ref, &r, e))
		return -1;
	rollup_cells(&r, &snap->cells, &snap->ncells, &snap->times, &snap->ntimes);
	record_release(&r);
	return 0;
}

int reg_rollup_before(struct store *s, const char *ref, struct rollup_snap *snap, struct err *e)
{
	return snap_of(s, ref, snap, e);
}

int reg_rollup_after(struct store *s, const char *ref, struct rollup_snap *before, struct err *e)
{
	struct rollup_snap after;
	struct rollup_cell *dc = NULL;
	struct rollup_time *dt = NULL;
	size_t ndc = 0, ndt = 0;
	int ret = -1;

	if (snap_of(s, ref, &after, e))
		goto out;
	rollup_diff(before->cells, before->ncells, after.cells, after.ncells, &dc, &ndc);
	rollup_time_diff(before->times, before->ntimes, after.times, after.ntimes, &dt, &ndt);
	ret = s->ops->rollup_add(s, dc, ndc, dt, ndt, e);
out:
	free(dc);
	free(dt);
	reg_rollup_release(&after);
	reg_rollup_release(before);
	return ret;
}

/* ------------------------------------------------------------------------
 * Recounting: every record's cells, merged as they come so that memory
 * stays bounded by the number of distinct cells, not of incidents. */

#define RECOUNT_MERGE_AT 262144

struct recount {
	struct rollup_cell *cells;
	size_t ncells, capcells, merged; /* cells[0..merged) are merged */
	struct rollup_time *times;
	size_t ntimes, captimes, tmerged;
	int64_t records;
};

static void recount_release(struct recount *rc)
{
	free(rc->cells);
	free(rc->times);
	memset(rc, 0, sizeof *rc);
}

static void recount_merge(struct recount *rc)
{
	rollup_cells_merge(rc->cells, &rc->ncells);
	rollup_times_merge(rc->times, &rc->ntimes);
	rc->merged = rc->ncells;
	rc->tmerged = rc->ntimes;
}

static int recount_cb(const struct record *r, void *ctx)
{
	struct recount *rc = ctx;
	struct rollup_cell *c;
	struct rollup_time *t;
	size_t nc, nt;

	rollup_cells(r, &c, &nc, &t, &nt);
	if (rc->ncells + nc > rc->capcells) {
		rc->capcells = (rc->ncells + nc) * 2;
		rc->cells = xrealloc(rc->cells, rc->capcells * sizeof *rc->cells);
	}
	memcpy(rc->cells + rc->ncells, c, nc * sizeof *c);
	rc->ncells += nc;
	if (rc->ntimes + nt > rc->captimes) {
		rc->captimes = (rc->ntimes + nt) * 2 + 16;
		rc->times = xrealloc(rc->times, rc->captimes * sizeof *rc->times);
	}
	memcpy(rc->times + rc->ntimes, t, nt * sizeof *t);
	rc->ntimes += nt;
	free(c);
	free(t);
	rc->records++;
	if (rc->ncells - rc->merged > RECOUNT_MERGE_AT)
		recount_merge(rc);
	return 0;
}

/* Counts every incident afresh (inside the caller's snapshot). */
static int recount(struct store *s, struct recount *rc, struct err *e)
{
	struct incident_filter f;

	memset(rc, 0, sizeof *rc);
	incident_filter_init(&f);
	if (s->ops->record_each(s, &f, recount_cb, rc, e)) {
		recount_release(rc);
		return -1;
	}
	recount_merge(rc);
	return 0;
}

int registry_rollup_rebuild(struct store *s, int64_t *records, struct err *e)
{
	struct recount rc = {0};
	const unsigned char fresh = 0;
	int ret = -1;

	if (s->ops->begin(s, e))
		return -1;
	if (recount(s, &rc, e) || s->ops->rollup_clear(s, e) ||
	    s->ops->rollup_add(s, rc.cells, rc.ncells, rc.times, rc.ntimes, e) ||
	    s->ops->meta_put(s, META_ROLLUP_STALE, &fresh, 1, e))
		goto out;
	if (records)
		*records = rc.records;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	recount_release(&rc);
	return ret;
}

int registry_rollup_ensure(struct store *s, struct err *e)
{
	unsigned char stale = 0;
	size_t len = sizeof stale;
	struct err nf = {0};

	if (s->ops->meta_get(s, META_ROLLUP_STALE, &stale, &len, &nf)) {
		if (nf.kind != ERR_NOT_FOUND) {
			*e = nf;
			return -1;
		}
		return 0;
	}
	return stale ? registry_rollup_rebuild(s, NULL, e) : 0;
}

/* The stored cells of one mask, every dimension grouped. */
struct stored {
	struct rollup_cell *cells;
	size_t n, cap;
};

static int stored_cb(const struct rollup_cell *c, void *ctx)
{
	struct stored *st = ctx;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 1024;
		st->cells = xrealloc(st->cells, st->cap * sizeof *st->cells);
	}
	st->cells[st->n++] = *c;
	return 0;
}

struct stored_times {
	struct rollup_time *times;
	size_t n, cap;
};

static int stored_time_cb(const struct rollup_time *t, void *ctx)
{
	struct stored_times *st = ctx;

	if (st->n == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 1024;
		st->times = xrealloc(st->times, st->cap * sizeof *st->times);
	}
	st->times[st->n++] = *t;
	return 0;
}

int registry_rollup_verify(struct store *s, int64_t *records, int64_t *differences,
			   struct err *e)
{
	static const unsigned all_masks[ROLLUP_MASKS] = {
	    0, 1, 3, 4, 5, 7, 8, 9, 11, 12, 13, 15,
	};
	struct recount rc = {0};
	struct stored st = {0};
	struct stored_times stt = {0};
	struct rollup_filter f;
	struct rollup_time_filter tf = {.group = (1u << RD_MONTH) | (1u << RD_ORG)};
	int64_t diff = 0;
	int ret = -1;

	if (s->ops->begin_read(s, e))
		return -1;
	if (recount(s, &rc, e))
		goto out;
	for (int m = 0; m < ROLLUP_MASKS; m++) {
		rollup_filter_init(&f);
		f.mask = all_masks[m];
		f.group = (1u << RD_COUNT) - 1;
		if (s->ops->rollup_query(s, &f, stored_cb, &st, e))
			goto out;
	}
	if (s->ops->rollup_time_query(s, &tf, stored_time_cb, &stt, e))
		goto out;
	/* The stored cells come back with every dimension filled, as the
	 * recount has them, so the two sorted lists must be equal. */
	rollup_cells_merge(st.cells, &st.n);
	rollup_times_merge(stt.times, &stt.n);
	{
		size_t i = 0, k = 0;

		while (i < rc.ncells || k < st.n) {
			int c = i == rc.ncells ? 1
				: k == st.n    ? -1
					       : rollup_cell_cmp(&rc.cells[i], &st.cells[k]);
			if (c == 0 && rc.cells[i].n != st.cells[k].n)
				diff++;
			if (c != 0)
				diff++;
			if (c <= 0)
				i++;
			if (c >= 0)
				k++;
		}
		i = k = 0;
		while (i < rc.ntimes || k < stt.n) {
			int c = i == rc.ntimes ? 1
				: k == stt.n   ? -1
					       : rollup_time_cmp(&rc.times[i], &stt.times[k]);
			if ((c == 0 && rc.times[i].n != stt.times[k].n) || c != 0)
				diff++;
			if (c <= 0)
				i++;
			if (c >= 0)
				k++;
		}
	}
	if (records)
		*records = rc.records;
	*differences = diff;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	recount_release(&rc);
	free(st.cells);
	free(stt.times);
	return ret;
}

/* ------------------------------------------------------------------------
 * Pseudonyms and exports */

/* The register's pseudonym key, made on first use (its own transaction,
 * so call it outside one). */
static int pseudonym_key(struct store *s, unsigned char key[PSEUDONYM_KEY_BYTES], struct err *e)
{
	size_t len = PSEUDONYM_KEY_BYTES;
	struct err nf = {0};
	int ret = -1;

	if (s->ops->meta_get(s, META_PSEUDONYM_KEY, key, &len, &nf) == 0 &&
	    len == PSEUDONYM_KEY_BYTES)
		return 0;
	if (nf.kind && nf.kind != ERR_NOT_FOUND) {
		*e = nf;
		return -1;
	}
	if (s->ops->begin(s, e))
		return -1;
	/* Again under the write lock: another writer may have made it. */
	len = PSEUDONYM_KEY_BYTES;
	memset(&nf, 0, sizeof nf);
	if (s->ops->meta_get(s, META_PSEUDONYM_KEY, key, &len, &nf) == 0 &&
	    len == PSEUDONYM_KEY_BYTES) {
		ret = s->ops->commit(s, e);
		goto out;
	}
	crypto_auth_hmacsha256_keygen(key);
	if (s->ops->meta_put(s, META_PSEUDONYM_KEY, key, PSEUDONYM_KEY_BYTES, e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	return ret;
}

int registry_pseudonym(struct store *s, const char *staff_id, char out[STAFF_MAX], struct err *e)
{
	unsigned char key[PSEUDONYM_KEY_BYTES];

	if (pseudonym_key(s, key, e))
		return -1;
	pseudonym_of(key, staff_id, out);
	sodium_memzero(key, sizeof key);
	return 0;
}

struct export_walk {
	registry_record_cb cb;
	void *ctx;
	bool pseudonymise;
	unsigned char key[PSEUDONYM_KEY_BYTES];
	int64_t count;
};

static int export_cb(const struct record *r, void *ctx)
{
	struct export_walk *w = ctx;
	struct record p;

	w->count++;
	if (!w->pseudonymise)
		return w->cb(r, w->ctx);
	/* A shallow copy whose people are pseudonyms and whose free text is
	 * withheld: the owned strings stay the walk's. */
	p = *r;
	p.inc.description = "";
	p.inc.location = NULL;
	pseudonym_of(w->key, r->inc.reporter, p.inc.reporter);
	for (int i = 0; i < r->inc.nsubjects; i++) {
		pseudonym_of(w->key, r->inc.subjects[i], p.inc.subjects[i]);
		memcpy(p.subjects[i].staff_id, p.inc.subjects[i], STAFF_MAX);
	}
	return w->cb(&p, w->ctx);
}

int registry_export(struct store *s, const struct actor *a, const struct incident_filter *f,
		    const char *format, bool pseudonymise, ts_t now, registry_record_cb cb, void *ctx,
		    int64_t *count, struct err *e)
{
	struct export_walk w = {.cb = cb, .ctx = ctx};
	int ret = -1;

	if (reg_power(a, POW_EXPORT, e))
		return -1;
	/* Who may not see people by name sees pseudonyms, asked or not. */
	w.pseudonymise = pseudonymise || !authz_power(a, POW_IDENTIFIED);
	if (w.pseudonymise && pseudonym_key(s, w.key, e))
		return -1;
	if (s->ops->begin(s, e))
		goto out;
	if (reg_audit(s, a, now, "export", format,
		      json_pack("{s:s?, s:b}", "org", f->org[0] ? f->org : NULL, "pseudonymised",
				w.pseudonymise),
		      e)) {
		s->ops->rollback(s);
		goto out;
	}
	if (s->ops->commit(s, e))
		goto out;
	/* One snapshot: an export is a consistent picture of the register. */
	if (s->ops->begin_read(s, e))
		goto out;
	ret = s->ops->record_each(s, f, export_cb, &w, e);
	if (ret) {
		s->ops->rollback(s);
		goto out;
	}
	ret = s->ops->commit(s, e);
out:
	sodium_memzero(w.key, sizeof w.key);
	if (count)
		*count = w.count;
	return ret;
}
