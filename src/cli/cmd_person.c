/* person: add one person, or import many from CSV (all or none). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "service/registry.h"

static int person_add(struct cli *c, int argc, char **argv)
{
	struct err e = {0};
	struct person p;
	struct actor a;
	struct store *s;
	const char *v;
	int ret = EXIT_USAGE;

	if (argc < 3 || argv[2][0] == '-')
		return cli_usage("person", "person add needs a STAFF_ID");
	person_init(&p);
	snprintf(p.staff_id, sizeof p.staff_id, "%s", argv[2]);
	if (strlen(argv[2]) >= sizeof p.staff_id)
		p.staff_id[0] = '\0';
	for (int i = 3; i < argc; i++) {
		int r = 0;
		if ((r = cli_opt(argc, argv, &i, "--name", &v)) > 0) {
			free(p.name);
			p.name = xstrdup(v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--org", &v)) > 0) {
			snprintf(p.org, sizeof p.org, "%s", v);
			if (strlen(v) >= sizeof p.org)
				p.org[0] = '\0';
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--email", &v)) > 0) {
			free(p.email);
			p.email = xstrdup(v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--manager", &v)) > 0) {
			snprintf(p.manager, sizeof p.manager, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--engagement", &v)) > 0) {
			int x = vocab_parse(&vocab_engagement, v);
			if (x < 0) {
				char list[256];
				vocab_list(&vocab_engagement, list, sizeof list);
				err_set(&e, ERR_INVALID, "engagement",
					"invalid value \"%.40s\" for \"engagement\", expected one of: %s", v, list);
				goto fail;
			}
			p.engagement = (enum engagement)x;
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--probation-until", &v)) > 0) {
			if (date_parse(v, &p.probation_until)) {
				err_set(&e, ERR_INVALID, "probation_until",
					"\"probation_until\" must be a date YYYY-MM-DD");
				goto fail;
			}
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--clearance", &v)) > 0) {
			int x = vocab_parse(&vocab_clearance, v);
			if (x < 0) {
				err_set(&e, ERR_INVALID, "clearance",
					"invalid value \"%.40s\" for \"clearance\", expected one of: none, "
					"bpss, ctc, sc, dv", v);
				goto fail;
			}
			p.clearance = (enum clearance)x;
		}
		if (r <= 0) {
			ret = cli_usage("person", r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					argv[i]);
			goto out;
		}
	}
	if (!p.name) {
		ret = cli_usage("person", "--name is required");
		goto out;
	}
	if (!p.org[0]) {
		ret = cli_usage("person", "--org is required");
		goto out;
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_person_add(s, &a, &p, c->now, &e))
		goto fail;
	if (c->json)
		cli_print_json(person_to_json(&p));
	else
		printf("%s\n", p.staff_id);
	ret = EXIT_OK;
	goto out;
fail:
	ret = cli_fail(&e);
out:
	person_release(&p);
	return ret;
}

static int person_import(struct cli *c, const char *path)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	size_t len;
	int added;
	char *buf = cli_read_file(path, &len, &e);
	if (!buf)
		return cli_fail(&e);
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) ||
	    registry_person_import(s, &a, buf, len, c->now, &added, &e)) {
		free(buf);
		return cli_fail(&e);
	}
	free(buf);
	if (c->json)
		cli_print_json(json_pack("{s:i}", "added", added));
	else
		printf("added %d people\n", added);
	return EXIT_OK;
}

CLI_COMMAND(person)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return person_add(c, argc, argv);
	if (argc == 3 && strcmp(argv[1], "import") == 0)
		return person_import(c, argv[2]);
	return cli_usage("person", "expected \"add\" or \"import FILE.csv\"");
}
