/* report: record an incident from JSON; prints its reference. */
#include <stdio.h>

#include "cli/cli.h"
#include "service/registry.h"

CLI_COMMAND(report)
{
	struct err e = {0};
	struct actor a;
	struct incident inc;
	struct store *s;
	json_t *in;

	if (argc != 2)
		return cli_usage("report", "report FILE|-");
	if (!(in = cli_read_json(argv[1], &e)))
		return cli_fail(&e);
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_report(s, &a, in, c->now, &inc, &e)) {
		json_decref(in);
		incident_release(&inc);
		return cli_fail(&e);
	}
	json_decref(in);
	if (c->json)
		cli_print_json(incident_to_json(&inc, true));
	else
		printf("%s\n", inc.ref);
	incident_release(&inc);
	return EXIT_OK;
}
