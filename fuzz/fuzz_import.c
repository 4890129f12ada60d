/* fuzz_import: bytes as a legacy register CSV through the real importer
 * (registry_incident_import: csv_next, the header map, each row's cells
 * as incident JSON, incident_parse, the people and organisation lookups,
 * the inserts and the rollups) against a real SQLite register, and the
 * same bytes as a people CSV (registry_person_import).
 *
 * The register is made once per process (common.c). Each input runs
 * inside a group (store_ops.group_begin), in which the imports' own
 * transactions are savepoints; the group is then ended without commit,
 * so a successful import is undone and every input meets the same
 * register. Oracles besides the sanitizers: the report agrees with the
 * return value and lists every error it counts (up to the cap), the
 * store never fails, and the group ends cleanly (no savepoint left
 * open). */
#include <stdio.h>
#include <stdlib.h>

#include "common.h"
#include "service/registry.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_init();
	fuzz_store(NULL);
	return 0;
}

static void fail(const char *what, const struct err *e)
{
	fuzz_die(what, e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct store *s = fuzz_store(NULL);
	struct registry_import_report rep;
	struct err e = {0};
	int added = -1, rc;

	if (s->ops->group_begin(s, &e))
		fail("group_begin", &e);

	rc = registry_incident_import(s, fuzz_system(), (const char *)data, size, fuzz_now(), &rep,
				      &e);
	if (rc == 0 && (rep.nerrors != 0 || rep.imported != rep.rows))
		fail("an import that succeeded reports errors or missing rows", NULL);
	if (rc != 0 && (rep.imported != 0 || e.kind == ERR_NONE))
		fail("a refused import reports rows imported or no error", &e);
	if (rc != 0 && e.kind == ERR_RUNTIME)
		fail("the store failed under an import", &e);
	if ((int64_t)json_array_size(rep.errors) !=
	    (rep.nerrors < REGISTRY_IMPORT_MAX_ERRORS ? rep.nerrors : REGISTRY_IMPORT_MAX_ERRORS))
		fail("the errors listed are not every error counted (up to the cap)", NULL);
	registry_import_report_release(&rep);

	err_clear(&e);
	rc = registry_person_import(s, fuzz_system(), (const char *)data, size, fuzz_now(), &added,
				    &e);
	if (rc != 0 && e.kind == ERR_RUNTIME)
		fail("the store failed under a people import", &e);

	err_clear(&e);
	if (s->ops->group_end(s, false, &e))
		fail("group_end: an import left its transaction open", &e);
	return 0;
}
