/* assess: print the assessment of a facts file (SPEC 3); needs no store,
 * but reads the named organisation's guidance when a store exists. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/assess.h"
#include "service/registry.h"

CLI_COMMAND(assess)
{
	struct err e = {0};
	struct guidance g;
	struct facts f;
	struct assessment a;
	char code[CODE_MAX];
	json_t *in = NULL;
	int ret = EXIT_USAGE;

	guidance_init_baseline(&g);
	if (argc != 2)
		return guidance_release(&g), cli_usage("assess", "assess FILE|-");
	if (!(in = cli_read_json(argv[1], &e)) || facts_guidance_code(in, code, &e))
		goto fail;
	/* The baseline unless the facts name an organisation and a register
	 * exists to say what that organisation's guidance is. */
	if (code[0] && store_exists(c->db)) {
		struct store *s = cli_store(c, &e);
		if (!s)
			goto fail;
		guidance_release(&g);
		if (registry_guidance_resolve(s, code, &g, &e)) {
			guidance_init_baseline(&g); /* so that out: has one to release */
			goto fail;
		}
	}
	facts_init(&f);
	if (facts_parse(&f, in, &g, &e))
		goto fail;
	if (f.today == DATE_NONE)
		f.today = date_of_ts(c->now);
	if (f.discovered_at == TS_NONE)
		f.discovered_at = c->now;
	if (assess(&f, &g, &a, &e))
		goto fail;
	cli_print_json(assessment_to_json(&a, &f, &g));
	ret = EXIT_OK;
	goto out;
fail:
	ret = cli_fail(&e);
out:
	json_decref(in);
	guidance_release(&g);
	return ret;
}
