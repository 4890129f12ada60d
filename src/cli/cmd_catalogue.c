/* catalogue: breach types with their grade under an organisation's
 * guidance (the baseline without a store or --org). */
#include <stdio.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/catalogue.h"
#include "service/registry.h"

CLI_COMMAND(catalogue)
{
	struct err e = {0};
	struct guidance g;
	const char *org = NULL;
	struct store *s;

	for (int i = 1; i < argc; i++) {
		int r = cli_opt(argc, argv, &i, "--org", &org);
		if (r <= 0)
			return cli_usage("catalogue", r < 0 ? "--org needs a value" : "unknown argument \"%s\"",
					 argv[i]);
	}
	if (org || store_exists(c->db)) {
		if (!(s = cli_store(c, &e)) ||
		    registry_guidance_resolve(s, org ? org : CATALOGUE_ROOT_ORG, &g, &e))
			return cli_fail(&e);
	} else {
		guidance_init_baseline(&g);
	}
	if (c->json) {
		json_t *types = json_array();
		for (size_t i = 0; i < g.ntypes; i++)
			json_array_append_new(types, guidance_type_to_json(&g.types[i]));
		cli_print_json(json_pack("{s:s, s:s, s:o}", "org", org ? org : CATALOGUE_ROOT_ORG,
					 "guidance_version", g.version, "types", types));
	} else {
		printf("guidance %s (%s)\n", g.version, g.chain);
		printf("%-38s %-9s %-21s %s\n", "CODE", "GRADE", "CONTROL", "BREACH");
		for (size_t i = 0; i < g.ntypes; i++)
			printf("%-38s %-9s %-21s %s\n", g.types[i].code,
			       vocab_name(&vocab_severity, g.types[i].grade),
			       vocab_name(&vocab_control, g.types[i].control), g.types[i].title);
	}
	guidance_release(&g);
	return EXIT_OK;
}
