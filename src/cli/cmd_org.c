/* org: add or list organisations. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "service/registry.h"

static int org_add(struct cli *c, int argc, char **argv)
{
	struct err e = {0};
	struct org o;
	struct actor a;
	struct store *s;
	const char *v;
	int ret;

	if (argc < 4 || argv[2][0] == '-' || argv[3][0] == '-')
		return cli_usage("org", "org add needs CODE and NAME");
	org_init(&o);
	snprintf(o.code, sizeof o.code, "%s", argv[2]);
	if (strlen(argv[2]) >= sizeof o.code)
		o.code[0] = '\0';
	o.name = xstrdup(argv[3]);
	for (int i = 4; i < argc; i++) {
		int r;
		if ((r = cli_opt(argc, argv, &i, "--parent", &v)) > 0) {
			snprintf(o.parent, sizeof o.parent, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--discipline", &v)) > 0) {
			o.discipline_policy = vocab_parse(&vocab_discipline, v);
			if (o.discipline_policy < 0) {
				org_release(&o);
				err_set(&e, ERR_INVALID, "discipline",
					"invalid value \"%s\" for \"discipline\", expected one of: moj, hmpps", v);
				return cli_fail(&e);
			}
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--head", &v)) > 0) {
			snprintf(o.head, sizeof o.head, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--headcount", &v)) > 0) {
			char *end;
			long long n = strtoll(v, &end, 10);
			if (!*v || *end || n < 0) {
				org_release(&o);
				err_set(&e, ERR_INVALID, "headcount", "\"headcount\" must be a whole number, 0 or more");
				return cli_fail(&e);
			}
			o.headcount = n;
		}
		if (r <= 0) {
			org_release(&o);
			return cli_usage("org", r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					 argv[i]);
		}
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_org_add(s, &a, &o, c->now, &e)) {
		org_release(&o);
		return cli_fail(&e);
	}
	if (c->json)
		cli_print_json(org_to_json(&o));
	else
		printf("%s\n", o.code);
	ret = EXIT_OK;
	org_release(&o);
	return ret;
}

static int org_list(struct cli *c)
{
	struct err e = {0};
	struct org *list = NULL;
	size_t n = 0;
	struct store *s;
	if (!(s = cli_store(c, &e)) || s->ops->org_list(s, &list, &n, &e))
		return cli_fail(&e);
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, org_to_json(&list[i]));
		cli_print_json(arr);
	} else {
		printf("%-18s %-18s %-10s %-10s %s\n", "CODE", "PARENT", "POLICY", "HEADCOUNT", "NAME");
		for (size_t i = 0; i < n; i++) {
			char hc[24] = "-";
			if (list[i].headcount >= 0)
				snprintf(hc, sizeof hc, "%lld", (long long)list[i].headcount);
			printf("%-18s %-18s %-10s %-10s %s\n", list[i].code,
			       list[i].parent[0] ? list[i].parent : "-",
			       list[i].discipline_policy >= 0
				       ? vocab_name(&vocab_discipline, list[i].discipline_policy)
				       : "(inherit)",
			       hc, list[i].name);
		}
	}
	org_list_free(list, n);
	return EXIT_OK;
}

CLI_COMMAND(org)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return org_add(c, argc, argv);
	if (argc == 2 && strcmp(argv[1], "list") == 0)
		return org_list(c);
	return cli_usage("org", "expected \"add\" or \"list\"");
}
