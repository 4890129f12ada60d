/* init: create or migrate the store, load the baseline guidance, and with
 * --demo the demo register. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "service/demo.h"
#include "service/registry.h"

CLI_COMMAND(init)
{
	struct err e = {0};
	struct actor a;
	struct demo_stats st = {0};
	bool demo = false;
	struct store *s;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--demo") == 0)
			demo = true;
		else
			return cli_usage("init", "unknown option \"%s\"", argv[i]);
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_init(s, &a, c->now, &e))
		return cli_fail(&e);
	if (demo && demo_load(s, &a, c->now, &st, &e))
		return cli_fail(&e);
	if (c->json) {
		json_t *o = json_pack("{s:s, s:b}", "db", cli_db_shown(c), "demo", demo);
		if (demo)
			json_object_set_new(o, "loaded",
					    json_pack("{s:i, s:i, s:i, s:i, s:i, s:i}", "orgs", st.orgs,
						      "people", st.people, "incidents", st.incidents,
						      "decisions", st.decisions, "notices", st.notices,
						      "accounts", st.accounts));
		cli_print_json(o);
	} else if (demo) {
		printf("initialised %s with the demo register: %d organisations, %d people, %d "
		       "incidents, %d decisions, %d notices, %d accounts\n",
		       cli_db_shown(c), st.orgs, st.people, st.incidents, st.decisions, st.notices,
		       st.accounts);
	} else {
		printf("initialised %s\n", cli_db_shown(c));
	}
	return EXIT_OK;
}
