/* registry: organisations, people, guidance and the audit chain (see
 * registry.h). Incident operations are in registry_incident.c. */
#include "service/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/catalogue.h"
#include "core/csv.h"
#include "core/jsonx.h"
#include "service/registry_internal.h"

int reg_audit(struct store *s, const struct actor *a, ts_t now, const char *action,
	      const char *entity, json_t *detail, struct err *e)
{
	struct audit_entry ae = {0};
	int ret;
	ae.at = now;
	snprintf(ae.actor, sizeof ae.actor, "%s", a->name);
	snprintf(ae.action, sizeof ae.action, "%s", action);
	snprintf(ae.entity, sizeof ae.entity, "%s", entity ? entity : "");
	ae.detail = audit_detail(detail);
	ret = s->ops->audit_append(s, &ae, e);
	audit_entry_release(&ae);
	return ret;
}

int reg_org_chain(struct store *s, const char *code, char chain[][CODE_MAX], int max, int *n,
		  struct err *e)
{
	char cur[CODE_MAX];
	int depth = 0;
	snprintf(cur, sizeof cur, "%s", code);
	while (cur[0]) {
		struct org o;
		org_init(&o);
		if (depth >= max)
			return err_set(e, ERR_RUNTIME, "org", "organisation tree deeper than %d", max);
		if (s->ops->org_get(s, cur, &o, e)) {
			if (e->kind == ERR_NOT_FOUND)
				err_set(e, ERR_NOT_FOUND, "org", "unknown organisation \"%s\"", cur);
			return -1;
		}
		snprintf(chain[depth++], CODE_MAX, "%s", cur);
		snprintf(cur, sizeof cur, "%s", o.parent);
		org_release(&o);
	}
	/* Reverse: root first. */
	for (int i = 0; i < depth / 2; i++) {
		char tmp[CODE_MAX];
		memcpy(tmp, chain[i], CODE_MAX);
		memcpy(chain[i], chain[depth - 1 - i], CODE_MAX);
		memcpy(chain[depth - 1 - i], tmp, CODE_MAX);
	}
	*n = depth;
	return 0;
}

int reg_org_head(struct store *s, const char *code, char head[STAFF_MAX], struct err *e)
{
	char chain[REG_MAX_DEPTH][CODE_MAX];
	int n;
	head[0] = '\0';
	if (reg_org_chain(s, code, chain, REG_MAX_DEPTH, &n, e))
		return -1;
	for (int i = n - 1; i >= 0 && !head[0]; i--) {
		struct org o;
		org_init(&o);
		if (s->ops->org_get(s, chain[i], &o, e))
			return -1;
		snprintf(head, STAFF_MAX, "%s", o.head);
		org_release(&o);
	}
	return 0;
}

int registry_init(struct store *s, const struct actor *a, ts_t now, struct err *e)
{
	struct org root;
	struct guidance_doc gd = {0};
	struct err nf = {0};
	bool created = false;
	int ret = -1;

	org_init(&root);
	if (s->ops->begin(s, e))
		return -1;
	if (s->ops->org_get(s, CATALOGUE_ROOT_ORG, &root, &nf)) {
		if (nf.kind != ERR_NOT_FOUND) {
			*e = nf;
			goto out;
		}
		snprintf(root.code, sizeof root.code, "%s", CATALOGUE_ROOT_ORG);
		root.name = xstrdup("Ministry of Justice");
		root.discipline_policy = DISC_MOJ;
		root.created_at = now;
		if (s->ops->org_insert(s, &root, e))
			goto out;
		created = true;
	}
	if (s->ops->guidance_get(s, CATALOGUE_ROOT_ORG, 0, &gd, &nf)) {
		if (nf.kind != ERR_NOT_FOUND) {
			*e = nf;
			goto out;
		}
		snprintf(gd.org, sizeof gd.org, "%s", CATALOGUE_ROOT_ORG);
		gd.doc = audit_detail(guidance_baseline_doc());
		gd.published_at = now;
		snprintf(gd.published_by, sizeof gd.published_by, "%s", a->name);
		if (s->ops->guidance_insert(s, &gd, e))
			goto out;
		created = true;
	}
	if (created && reg_audit(s, a, now, "store.init", CATALOGUE_ROOT_ORG,
				 json_pack("{s:s}", "guidance", CATALOGUE_ROOT_ORG "/1"), e))
		goto out;
	if (s->ops->commit(s, e))
		goto out;
	ret = 0;
out:
	if (ret)
		s->ops->rollback(s);
	org_release(&root);
	guidance_doc_release(&gd);
	return ret;
}

int registry_guidance_resolve(struct store *s, const char *org, struct guidance *g,
			      struct err *e)
{
	char chain[REG_MAX_DEPTH][CODE_MAX];
	int n;
	/* Every layer sits on the baseline catalogue; the root's version 1 is
	 * that catalogue itself, so applying it changes nothing but labels. */
	guidance_init_baseline(g);
	if (reg_org_chain(s, org, chain, REG_MAX_DEPTH, &n, e))
		goto fail;
	for (int i = 0; i < n; i++) {
		struct guidance_doc gd = {0};
		struct err nf = {0};
		char label[VERSION_MAX];
		if (s->ops->guidance_get(s, chain[i], 0, &gd, &nf)) {
			if (nf.kind == ERR_NOT_FOUND)
				continue;
			*e = nf;
			goto fail;
		}
		if (i == 0 && gd.version == 1 && strcmp(gd.org, CATALOGUE_ROOT_ORG) == 0) {
			guidance_doc_release(&gd); /* the baseline itself, already in g */
			continue;
		}
		json_t *doc = json_loads(gd.doc, 0, NULL);
		snprintf(label, sizeof label, "%s/%d", gd.org, gd.version);
		int rc = doc ? guidance_apply(g, doc, label, e)
			     : err_set(e, ERR_RUNTIME, "guidance", "stored guidance %s is not JSON",
				       label);
		json_decref(doc);
		guidance_doc_release(&gd);
		if (rc)
			goto fail;
	}
	return 0;
fail:
	guidance_release(g);
	return -1;
}

int registry_guidance_publish(struct store *s, const struct actor *a, const char *org,
			      const json_t *doc, ts_t now, int *version, struct err *e)
{
	if (reg_power(a, POW_GUIDANCE, e))
		return -1;
	struct guidance g;
	struct org o;
	struct guidance_doc gd = {0};
	char label[VERSION_MAX];
	int ret = -1;
	bool have_g = false;

	org_init(&o);
	if (s->ops->begin(s, e))
		return -1;
	if (s->ops->org_get(s, org, &o, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "org", "unknown organisation \"%s\"", org);
		goto out;
	}
	/* The new version replaces the organisation's own previous one: it is
	 * layered over the parent's guidance in force (the baseline catalogue
	 * for the root), and must keep every type in force there now. */
	struct guidance before;
	if (registry_guidance_resolve(s, org, &before, e))
		goto out;
	if (o.parent[0]) {
		if (registry_guidance_resolve(s, o.parent, &g, e)) {
			guidance_release(&before);
			goto out;
		}
	} else {
		guidance_init_baseline(&g);
	}
	have_g = true;
	snprintf(label, sizeof label, "%s/next", org);
	if (guidance_apply(&g, doc, label, e)) {
		guidance_release(&before);
		goto out;
	}
	for (size_t i = 0; i < before.ntypes; i++) {
		if (guidance_find(&g, before.types[i].code) >= 0)
			continue;
		err_set(e, ERR_INVALID, "types",
			"breach type \"%s\" (from %s) would be withdrawn: a published type may be "
			"in use, so a new version must keep it",
			before.types[i].code, before.types[i].defined_by);
		guidance_release(&before);
		goto out;
	}
	guidance_release(&before);
	snprintf(gd.org, sizeof gd.org, "%s", org);
	gd.doc = audit_detail(json_deep_copy(doc));
	gd.published_at = now;
	snprintf(gd.published_by, sizeof gd.published_by, "%s", a->name);
	if (s->ops->guidance_insert(s, &gd, e))
		goto out;
	snprintf(label, sizeof label, "%s/%d", org, gd.version);
	if (reg_audit(s, a, now, "guidance.publish", org,
		      json_pack("{s:s, s:i}", "version", label, "types", (int)g.ntypes), e))
		goto out;
	if (s->ops->commit(s, e))
		goto out;
	*version = gd.version;
	ret = 0;
out:
	if (ret)
		s->ops->rollback(s);
	if (have_g)
		guidance_release(&g);
	org_release(&o);
	guidance_doc_release(&gd);
	return ret;
}

int registry_guidance_show(struct store *s, const char *org, int version, json_t **out,
			   struct err *e)
{
	struct guidance g;
	struct guidance_doc gd = {0};
	struct err nf = {0};
	json_t *own = json_null();
	if (registry_guidance_resolve(s, org, &g, e))
		return -1;
	if (s->ops->guidance_get(s, org, version, &gd, &nf) == 0) {
		json_t *doc = json_loads(gd.doc, 0, NULL);
		char at[TS_BUF];
		date_format_ts(gd.published_at, at);
		own = json_pack("{s:i, s:o, s:s, s:s}", "version", gd.version, "doc",
				doc ? doc : json_null(), "published_at", at, "published_by",
				gd.published_by);
		guidance_doc_release(&gd);
	} else if (nf.kind != ERR_NOT_FOUND || version != 0) {
		guidance_release(&g);
		*e = nf;
		if (nf.kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "version", "%s has no guidance version %d", org,
				version);
		return -1;
	}
	*out = json_pack("{s:s, s:o, s:o}", "org", org, "in_force", guidance_to_json(&g), "own",
			 own);
	guidance_release(&g);
	return 0;
}

int registry_guidance_history(struct store *s, const char *org, json_t **out, struct err *e)
{
	struct guidance_doc *list = NULL;
	size_t n = 0;
	struct org o;
	org_init(&o);
	if (s->ops->org_get(s, org, &o, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "org", "unknown organisation \"%s\"", org);
		return -1;
	}
	org_release(&o);
	if (s->ops->guidance_list(s, org, &list, &n, e))
		return -1;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		char at[TS_BUF];
		date_format_ts(list[i].published_at, at);
		json_t *doc = json_loads(list[i].doc, 0, NULL);
		json_array_append_new(arr, json_pack("{s:i, s:s, s:s, s:o}", "version",
						     list[i].version, "published_at", at,
						     "published_by", list[i].published_by, "doc",
						     doc ? doc : json_null()));
	}
	guidance_doc_list_free(list, n);
	*out = json_pack("{s:s, s:o}", "org", org, "versions", arr);
	return 0;
}

int registry_org_add(struct store *s, const struct actor *a, struct org *o, ts_t now,
		     struct err *e)
{
	if (reg_power(a, POW_ORGS, e))
		return -1;
	struct org parent;
	int ret = -1;
	org_init(&parent);
	if (!o->parent[0] && strcmp(o->code, CATALOGUE_ROOT_ORG) != 0)
		snprintf(o->parent, sizeof o->parent, "%s", CATALOGUE_ROOT_ORG);
	if (org_validate(o, e))
		return -1;
	if (s->ops->begin(s, e))
		return -1;
	if (o->parent[0] && s->ops->org_get(s, o->parent, &parent, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "parent", "unknown parent organisation \"%s\"",
				o->parent);
		goto out;
	}
	o->created_at = now;
	if (s->ops->org_insert(s, o, e))
		goto out;
	if (reg_audit(s, a, now, "org.add", o->code, org_to_json(o), e))
		goto out;
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	org_release(&parent);
	return ret;
}

int registry_org_discipline(struct store *s, const char *code, enum discipline *out,
			    struct err *e)
{
	char chain[REG_MAX_DEPTH][CODE_MAX];
	int n;
	*out = DISC_MOJ;
	if (reg_org_chain(s, code, chain, REG_MAX_DEPTH, &n, e))
		return -1;
	for (int i = n - 1; i >= 0; i--) {
		struct org o;
		org_init(&o);
		if (s->ops->org_get(s, chain[i], &o, e))
			return -1;
		int d = o.discipline_policy;
		org_release(&o);
		if (d >= 0) {
			*out = (enum discipline)d;
			return 0;
		}
	}
	/* No organisation in the chain says: HMPPS codes keep the HMPPS
	 * policy, as in a bare assessment (SPEC 3.2). */
	if (strcmp(code, "hmpps") == 0 || strncmp(code, "hmpps-", 6) == 0)
		*out = DISC_HMPPS;
	return 0;
}

/* Inserts p inside the caller's transaction, checking org and manager. */
static int person_insert_checked(struct store *s, const struct actor *a, struct person *p,
				 ts_t now, struct err *e)
{
	struct org o;
	struct person m;
	int ret = -1;
	org_init(&o);
	person_init(&m);
	if (person_validate(p, e))
		goto out;
	if (s->ops->org_get(s, p->org, &o, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "org", "unknown organisation \"%s\"", p->org);
		goto out;
	}
	if (p->manager[0] && s->ops->person_get(s, p->manager, &m, e)) {
		if (e->kind == ERR_NOT_FOUND)
			err_set(e, ERR_NOT_FOUND, "manager", "unknown line manager \"%s\"",
				p->manager);
		goto out;
	}
	p->created_at = now;
	if (s->ops->person_insert(s, p, e))
		goto out;
	ret = reg_audit(s, a, now, "person.add", p->staff_id,
			json_pack("{s:s, s:s}", "org", p->org, "engagement",
				  vocab_name(&vocab_engagement, p->engagement)),
			e);
out:
	org_release(&o);
	person_release(&m);
	return ret;
}

int registry_person_add(struct store *s, const struct actor *a, struct person *p, ts_t now,
			struct err *e)
{
	if (reg_power(a, POW_ORGS, e))
		return -1;
	if (person_validate(p, e) || s->ops->begin(s, e))
		return -1;
	if (person_insert_checked(s, a, p, now, e) || s->ops->commit(s, e)) {
		s->ops->rollback(s);
		return -1;
	}
	return 0;
}

enum { COL_STAFF, COL_NAME, COL_EMAIL, COL_ORG, COL_MANAGER, COL_ENG, COL_PROB, COL_CLR, NCOL };
static const char *const person_cols[NCOL] = {"staff_id",   "name",	    "email",
					      "org",	    "manager",	    "engagement",
					      "probation_until", "clearance"};

/* Fills p from one CSV record using the header's column map. */
static int person_from_row(struct person *p, char **f, size_t n, const int map[NCOL], int row,
			   struct err *e)
{
	char name[64];
	const char *v[NCOL];
	for (int c = 0; c < NCOL; c++)
		v[c] = map[c] >= 0 && (size_t)map[c] < n ? f[map[c]] : "";
	person_init(p);
	snprintf(p->staff_id, sizeof p->staff_id, "%s", v[COL_STAFF]);
	if (strlen(v[COL_STAFF]) >= STAFF_MAX)
		p->staff_id[0] = '\0';
	p->name = xstrdup(v[COL_NAME]);
	p->email = v[COL_EMAIL][0] ? xstrdup(v[COL_EMAIL]) : NULL;
	snprintf(p->org, sizeof p->org, "%s", v[COL_ORG]);
	snprintf(p->manager, sizeof p->manager, "%s", v[COL_MANAGER]);
	int eng = v[COL_ENG][0] ? vocab_parse(&vocab_engagement, v[COL_ENG]) : ENG_EMPLOYEE;
	int clr = v[COL_CLR][0] ? vocab_parse(&vocab_clearance, v[COL_CLR]) : CLR_BPSS;
	snprintf(name, sizeof name, "row %d: engagement", row);
	if (eng < 0)
		return err_set(e, ERR_INVALID, name, "invalid value \"%.40s\" for \"engagement\"",
			       v[COL_ENG]);
	snprintf(name, sizeof name, "row %d: clearance", row);
	if (clr < 0)
		return err_set(e, ERR_INVALID, name, "invalid value \"%.40s\" for \"clearance\"",
			       v[COL_CLR]);
	snprintf(name, sizeof name, "row %d: probation_until", row);
	if (v[COL_PROB][0] && date_parse(v[COL_PROB], &p->probation_until))
		return err_set(e, ERR_INVALID, name, "\"probation_until\" must be a date YYYY-MM-DD");
	p->engagement = (enum engagement)eng;
	p->clearance = (enum clearance)clr;
	return 0;
}

int registry_person_import(struct store *s, const struct actor *a, const char *csv, size_t len,
			   ts_t now, int *added, struct err *e)
{
	if (reg_power(a, POW_ORGS, e))
		return -1;
	struct csv_reader r;
	char **f = NULL;
	size_t nf = 0;
	struct person *people = NULL;
	int *rows = NULL;
	size_t np = 0;
	int map[NCOL];
	int ret = -1, rc;
	bool txn = false;

	*added = 0;
	csv_init(&r, csv, len);
	if ((rc = csv_next(&r, &f, &nf, e)) <= 0) {
		if (rc == 0)
			err_set(e, ERR_INVALID, "file", "the CSV file is empty: it needs a header row");
		goto out;
	}
	for (int c = 0; c < NCOL; c++) {
		map[c] = -1;
		for (size_t i = 0; i < nf; i++)
			if (strcmp(f[i], person_cols[c]) == 0)
				map[c] = (int)i;
	}
	csv_fields_free(f, nf);
	f = NULL;
	nf = 0;
	if (map[COL_STAFF] < 0 || map[COL_NAME] < 0 || map[COL_ORG] < 0) {
		err_set(e, ERR_INVALID, "row 1",
			"the header must name at least staff_id, name and org");
		goto out;
	}
	while ((rc = csv_next(&r, &f, &nf, e)) == 1) {
		people = xrealloc(people, (np + 1) * sizeof *people);
		rows = xrealloc(rows, (np + 1) * sizeof *rows);
		rows[np] = r.record;
		rc = person_from_row(&people[np], f, nf, map, r.record, e);
		np++;
		csv_fields_free(f, nf);
		f = NULL;
		nf = 0;
		if (rc)
			goto out;
	}
	if (rc < 0)
		goto out;
	if (s->ops->begin(s, e))
		goto out;
	txn = true;
	/* Managers may appear after their reports: insert in passes, each
	 * taking the rows whose manager is already in the register. */
	bool *done = xcalloc(np ? np : 1, sizeof *done);
	size_t left = np;
	while (left > 0) {
		size_t progress = 0;
		for (size_t i = 0; i < np; i++) {
			if (done[i])
				continue;
			if (people[i].manager[0]) {
				bool pending = false;
				for (size_t k = 0; k < np && !pending; k++)
					pending = !done[k] && k != i &&
						  strcmp(people[k].staff_id, people[i].manager) == 0;
				if (pending)
					continue;
			}
			if (person_insert_checked(s, a, &people[i], now, e)) {
				char name[sizeof e->field];
				memcpy(name, e->field, sizeof name);
				snprintf(e->field, sizeof e->field, "row %d: %.100s", rows[i], name);
				free(done);
				goto out;
			}
			done[i] = true;
			progress++;
			left--;
		}
		if (!progress) {
			free(done);
			err_set(e, ERR_INVALID, "manager", "line managers form a cycle");
			goto out;
		}
	}
	free(done);
	if (s->ops->commit(s, e))
		goto out;
	txn = false;
	*added = (int)np;
	ret = 0;
out:
	if (txn)
		s->ops->rollback(s);
	csv_fields_free(f, nf);
	person_list_free(people, np);
	free(rows);
	return ret;
}

struct verify_ctx {
	struct audit_verifier v;
	struct err err;
};

static int verify_cb(const struct audit_entry *ae, void *ctx)
{
	struct verify_ctx *vc = ctx;
	return audit_verify_next(&vc->v, ae, &vc->err) ? 1 : 0;
}

/* The walk and the head are read in one snapshot: otherwise a writer
 * (another node, another process) appending between the two reads would
 * look like removed entries. Inside a caller's transaction (where
 * begin_read refuses) its reads are the snapshot. */
int registry_audit_verify(struct store *s, int64_t *count, struct err *e)
{
	struct verify_ctx vc = {0};
	audit_verify_init(&vc.v);
	int64_t head_seq;
	char head[AUDIT_HASH_HEX];
	struct err ignored = {0};
	bool snap = s->ops->begin_read(s, &ignored) == 0;
	int rc = s->ops->audit_each(s, NULL, verify_cb, &vc, e);
	*count = vc.v.count;
	if (rc == 0)
		rc = s->ops->audit_head(s, &head_seq, head, e);
	if (snap)
		s->ops->commit(s, &ignored);
	if (rc > 0) {
		*e = vc.err;
		return -1;
	}
	if (rc)
		return -1;
	/* The chain ends where the last append left it, or entries at its
	 * end were removed (or the head itself was tampered with). */
	if (head_seq != vc.v.expect_seq - 1 || (head_seq > 0 && strcmp(head, vc.v.prev) != 0)) {
		char field[48];
		snprintf(field, sizeof field, "audit[%lld]", (long long)vc.v.expect_seq);
		return err_set(e, ERR_INVALID, field,
			       "the log ends at entry %lld but its recorded head is entry %lld: "
			       "entries at the end were removed or the head was altered",
			       (long long)(vc.v.expect_seq - 1), (long long)head_seq);
	}
	return 0;
}
