/* registry_retention: incidents past the retention period of their
 * organisation's guidance lose their people and free text (SPEC 7), and
 * keep what the central record counts, so trends do not change.
 *
 * An incident is due when it was closed (closed, unfounded or withdrawn)
 * more than retention_months before today; open cases are never touched.
 * Each person named (subjects and reporter) is replaced by a pseudonymous
 * person "P-..." (the register's keyed pseudonym, core/pseudonym.h) in the
 * same organisation with the same engagement, so counts by engagement and
 * repeat patterns survive but the name does not. Each incident is one
 * transaction with its audit entry ("incident.retention"). */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/pseudonym.h"
#include "service/registry_internal.h"

#define RETENTION_REMOVED "[removed under the retention policy]"

/* The pseudonymous person for staff_id, made if absent: same organisation
 * and engagement, nothing else. */
static int pseudonymous_person(struct store *s, const unsigned char *key, const char *staff_id,
			       ts_t now, char out[STAFF_MAX], struct err *e)
{
	struct person p, q;
	struct err nf = {0};
	int ret = -1;

	pseudonym_of(key, staff_id, out);
	person_init(&p);
	person_init(&q);
	if (s->ops->person_get(s, out, &q, &nf) == 0) {
		ret = 0;
		goto done;
	}
	if (nf.kind != ERR_NOT_FOUND) {
		*e = nf;
		goto done;
	}
	if (s->ops->person_get(s, staff_id, &p, e))
		goto done;
	snprintf(q.staff_id, sizeof q.staff_id, "%s", out);
	q.name = xstrdup("Pseudonymised person");
	snprintf(q.org, sizeof q.org, "%s", p.org);
	q.engagement = p.engagement;
	q.clearance = CLR_NONE;
	q.probation_until = DATE_NONE;
	q.created_at = now;
	ret = s->ops->person_insert(s, &q, e);
done:
	person_release(&p);
	person_release(&q);
	return ret;
}

static int retain_one(struct store *s, const struct actor *a, const unsigned char *key,
		      const char *ref, int months, ts_t now, struct err *e)
{
	struct incident inc;
	struct pseudonym_pair pairs[INCIDENT_MAX_SUBJECTS] = {0};
	struct rollup_snap snap;
	char reporter[STAFF_MAX] = "";
	int ret = -1;

	incident_init(&inc);
	reg_rollup_none(&snap);
	if (s->ops->begin(s, e))
		return -1;
	if (s->ops->incident_get(s, ref, &inc, e) || reg_rollup_before(s, ref, &snap, e))
		goto out;
	for (int i = 0; i < inc.nsubjects; i++) {
		snprintf(pairs[i].from, sizeof pairs[i].from, "%s", inc.subjects[i]);
		if (pseudonymous_person(s, key, inc.subjects[i], now, pairs[i].to, e))
			goto out;
	}
	if (inc.reporter[0] && pseudonymous_person(s, key, inc.reporter, now, reporter, e))
		goto out;
	if (s->ops->incident_pseudonymise(s, ref, pairs, (size_t)inc.nsubjects, reporter,
					  RETENTION_REMOVED, now, e) ||
	    reg_rollup_after(s, ref, &snap, e))
		goto out;
	{
		char closed[TS_BUF];
		date_format_ts(inc.closed_at, closed);
		if (reg_audit(s, a, now, "incident.retention", ref,
			      json_pack("{s:s, s:i, s:i}", "closed_at", closed, "retention_months",
					months, "people", inc.nsubjects + (reporter[0] != '\0')),
			      e))
			goto out;
	}
	ret = s->ops->commit(s, e);
out:
	if (ret)
		s->ops->rollback(s);
	reg_rollup_release(&snap);
	incident_release(&inc);
	return ret;
}

int registry_retention_apply(struct store *s, const struct actor *a, ts_t now, bool dry_run,
			     json_t **out, struct err *e)
{
	struct reg_tree tree = {0};
	unsigned char key[PSEUDONYM_KEY_BYTES];
	json_t *done = json_array();
	bool have_key = false;
	int ret = -1;

	*out = NULL;
	if (!a->system && !authz_is_security(a)) {
		err_set(e, ERR_FORBIDDEN, "", "%s may not apply retention", a->name);
		goto out;
	}
	if (reg_tree_load(s, &tree, e))
		goto out;
	for (size_t i = 0; i < tree.n; i++) {
		struct guidance g;
		char (*refs)[REF_MAX] = NULL;
		size_t n = 0;
		date_t cutoff;
		int rc;

		if (registry_guidance_resolve(s, tree.orgs[i].code, &g, e))
			goto out;
		cutoff = date_add_months(date_of_ts(now), -g.retention_months);
		rc = s->ops->retention_due(s, tree.orgs[i].code, date_ts_of(cutoff), &refs, &n, e);
		for (size_t k = 0; rc == 0 && k < n; k++) {
			if (!dry_run && !have_key) {
				char probe[STAFF_MAX];
				size_t len = sizeof key;
				/* Makes the key on first use, then reads it. */
				rc = registry_pseudonym(s, "", probe, e) ||
				     s->ops->meta_get(s, "pseudonym_key", key, &len, e);
				have_key = rc == 0;
			}
			if (rc == 0 && !dry_run)
				rc = retain_one(s, a, key, refs[k], g.retention_months, now, e);
			if (rc == 0)
				json_array_append_new(
				    done, json_pack("{s:s, s:s, s:i}", "ref", refs[k], "org",
						    tree.orgs[i].code, "retention_months",
						    g.retention_months));
		}
		free(refs);
		guidance_release(&g);
		if (rc)
			goto out;
	}
	*out = json_pack("{s:b, s:I, s:O}", "dry_run", dry_run, "count",
			 (json_int_t)json_array_size(done), "incidents", done);
	ret = 0;
out:
	json_decref(done);
	sodium_memzero(key, sizeof key);
	reg_tree_release(&tree);
	return ret;
}
