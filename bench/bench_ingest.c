/* bench_ingest: the store-ingest benchmark of issue 2. Three modes over the
 * same rows, one durable transaction per incident (as `report` commits):
 *   bench_ingest store DB N     incident_insert + audit_append through the
 *                               store API (struct store_ops)
 *   bench_ingest report DB N    the whole service path (registry_report:
 *                               JSON parse, guidance, people checks, audit)
 *   bench_ingest sql N          prints the equivalent SQL for the sqlite3
 *                               shell, same PRAGMAs, the baseline
 * DB must have been made by `breachreg init` (bench/run.sh does that), with
 * organisation "bench" and person "B1". Timing is left to hyperfine. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "service/registry.h"

#define T0 1780000000 /* 2026-05-28: every row lands in one year */

static void fill(struct incident *inc, long i)
{
	incident_init(inc);
	snprintf(inc->org, sizeof inc->org, "bench");
	inc->ntypes = 1;
	snprintf(inc->types[0], CODE_MAX, "%s", i % 3 ? "pass-not-worn" : "portable-asset-lost");
	inc->classification = i % 3 ? CLS_NONE : CLS_OFFICIAL;
	inc->description = xstrdup("Laptop left on a train between Euston and Milton Keynes");
	inc->location = xstrdup("Petty France, 5th floor");
	inc->occurred_at = T0 + i - 3600;
	inc->discovered_at = T0 + i - 600;
	inc->reported_at = inc->updated_at = T0 + i;
	snprintf(inc->reporter, sizeof inc->reporter, "B1");
	inc->nsubjects = 1;
	snprintf(inc->subjects[0], STAFF_MAX, "B1");
}

static int run_store(const char *db, long n)
{
	struct store *s;
	struct err e = {0};
	if (store_open(db, &s, &e))
		goto fail;
	for (long i = 0; i < n; i++) {
		struct incident inc;
		struct audit_entry a = {0};
		fill(&inc, i);
		a.at = inc.reported_at;
		snprintf(a.actor, sizeof a.actor, "bench");
		snprintf(a.action, sizeof a.action, "incident.report");
		int rc = s->ops->begin(s, &e) || s->ops->incident_insert(s, &inc, &e);
		if (!rc) {
			snprintf(a.entity, sizeof a.entity, "%s", inc.ref);
			a.detail = audit_detail(json_pack("{s:s, s:s}", "org", "bench", "kind", "breach"));
			rc = s->ops->audit_append(s, &a, &e) || s->ops->commit(s, &e);
		}
		audit_entry_release(&a);
		incident_release(&inc);
		if (rc) {
			s->ops->rollback(s);
			store_close(s);
			goto fail;
		}
	}
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "bench_ingest: %s: %s\n", e.field, e.msg);
	return 1;
}

static int run_report(const char *db, long n)
{
	struct store *s;
	struct err e = {0};
	struct actor a = {.name = "bench"};
	if (store_open(db, &s, &e))
		goto fail;
	for (long i = 0; i < n; i++) {
		struct incident inc;
		char at[TS_BUF];
		date_format_ts(T0 + i - 600, at);
		json_t *in = json_pack("{s:s, s:[s], s:s, s:s, s:s, s:s, s:s, s:[s]}", "org", "bench",
				       "types", i % 3 ? "pass-not-worn" : "portable-asset-lost",
				       "classification", i % 3 ? "none" : "official", "discovered_at",
				       at, "location", "Petty France, 5th floor", "description",
				       "Laptop left on a train between Euston and Milton Keynes",
				       "reporter", "B1", "subjects", "B1");
		int rc = registry_report(s, &a, in, T0 + i, &inc, &e);
		json_decref(in);
		incident_release(&inc);
		if (rc) {
			store_close(s);
			goto fail;
		}
	}
	store_close(s);
	return 0;
fail:
	fprintf(stderr, "bench_ingest: %s: %s\n", e.field, e.msg);
	return 1;
}

/* The same rows as run_store, as the sqlite3 shell would insert them:
 * a sequence bump, the incident, its type and subject, an audit row with
 * a hash-sized value, one transaction each, the store's PRAGMAs. */
static int emit_sql(long n)
{
	printf("PRAGMA journal_mode=WAL;\nPRAGMA synchronous=NORMAL;\nPRAGMA foreign_keys=ON;\n");
	for (long i = 0; i < n; i++) {
		char occ[TS_BUF], disc[TS_BUF], rep[TS_BUF], ref[48];
		date_format_ts(T0 + i - 3600, occ);
		date_format_ts(T0 + i - 600, disc);
		date_format_ts(T0 + i, rep);
		snprintf(ref, sizeof ref, "SB-2026-%06ld", i + 1);
		const char *type = i % 3 ? "pass-not-worn" : "portable-asset-lost";
		printf("BEGIN IMMEDIATE;\n"
		       "INSERT INTO sequences(name,year,last) VALUES('SB',2026,1) ON CONFLICT(name,year) "
		       "DO UPDATE SET last=last+1;\n"
		       "INSERT INTO incidents(ref,year,seq,kind,org,state,severity,classification,strap,"
		       "third_party_disclosure,authorised,criminal,records,special_category,intent,damage,"
		       "description,location,occurred_at,discovered_at,reported_at,updated_at,closed_at,"
		       "reporter,confidential_reporter) VALUES('%s',2026,%ld,'breach','bench','reported',"
		       "NULL,'%s',0,0,0,0,0,0,'negligent','low','Laptop left on a train between Euston "
		       "and Milton Keynes','Petty France, 5th floor','%s','%s','%s','%s',NULL,'B1',0);\n"
		       "INSERT INTO incident_types(ref,position,type) VALUES('%s',0,'%s');\n"
		       "INSERT INTO incident_subjects(ref,position,staff_id) VALUES('%s',0,'B1');\n"
		       "INSERT INTO audit(at,actor,action,entity,detail,prev,hash) VALUES('%s','bench',"
		       "'incident.report','%s','{\"kind\":\"breach\",\"org\":\"bench\"}',"
		       "'%064ld','%064ld');\nCOMMIT;\n",
		       ref, i + 1, i % 3 ? "none" : "official", occ, disc, rep, rep, ref, type, ref, rep,
		       ref, i, i + 1);
	}
	return 0;
}

int main(int argc, char **argv)
{
	alloc_install_json();
	if (argc == 4 && strcmp(argv[1], "store") == 0)
		return run_store(argv[2], atol(argv[3]));
	if (argc == 4 && strcmp(argv[1], "report") == 0)
		return run_report(argv[2], atol(argv[3]));
	if (argc == 3 && strcmp(argv[1], "sql") == 0)
		return emit_sql(atol(argv[2]));
	fprintf(stderr, "usage: bench_ingest store|report DB N | bench_ingest sql N\n");
	return 2;
}
