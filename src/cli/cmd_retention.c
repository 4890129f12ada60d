/* retention: apply the guidance's retention period (SPEC 7). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/authz.h"
#include "service/registry.h"

CLI_COMMAND(retention)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	json_t *out = NULL, *v;
	bool dry_run = false;
	size_t i;

	if (argc < 2 || strcmp(argv[1], "apply") != 0)
		return cli_usage("retention", "retention apply [--dry-run]");
	for (int k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--dry-run") == 0)
			dry_run = true;
		else
			return cli_usage("retention", "unknown option \"%s\"", argv[k]);
	}
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);
	cli_actor(c, &a);
	if (registry_retention_apply(s, &a, c->now, dry_run, &out, &e))
		return cli_fail(&e);
	if (c->json) {
		cli_print_json(out);
		return EXIT_OK;
	}
	json_array_foreach(json_object_get(out, "incidents"), i, v)
	printf("%s  %-20s past %lld months\n", json_string_value(json_object_get(v, "ref")),
	       json_string_value(json_object_get(v, "org")),
	       (long long)json_integer_value(json_object_get(v, "retention_months")));
	printf("%s %lld incidents\n", dry_run ? "would pseudonymise" : "pseudonymised",
	       (long long)json_integer_value(json_object_get(out, "count")));
	json_decref(out);
	return EXIT_OK;
}
