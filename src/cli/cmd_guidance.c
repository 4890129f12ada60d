/* guidance: publish, show and list versions of an organisation's guidance
 * (POLSBP003). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "service/registry.h"

static int publish(struct cli *c, const char *org, const char *file)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	int version;
	json_t *doc = cli_read_json(file, &e);
	if (!doc)
		return cli_fail(&e);
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) ||
	    registry_guidance_publish(s, &a, org, doc, c->now, &version, &e)) {
		json_decref(doc);
		return cli_fail(&e);
	}
	json_decref(doc);
	char label[VERSION_MAX];
	snprintf(label, sizeof label, "%s/%d", org, version);
	if (c->json)
		cli_print_json(json_pack("{s:s, s:i, s:s}", "org", org, "version", version,
					 "guidance_version", label));
	else
		printf("%s\n", label);
	return EXIT_OK;
}

static void print_show(const json_t *o)
{
	const json_t *in = json_object_get(o, "in_force");
	const json_t *own = json_object_get(o, "own");
	printf("organisation %s: guidance in force %s (layers: %s)\n",
	       json_string_value(json_object_get(o, "org")),
	       json_string_value(json_object_get(in, "version")),
	       json_string_value(json_object_get(in, "chain")));
	if (json_is_object(own))
		printf("own version %lld published %s by %s\n",
		       (long long)json_integer_value(json_object_get(own, "version")),
		       json_string_value(json_object_get(own, "published_at")),
		       json_string_value(json_object_get(own, "published_by")));
	else
		printf("no own version: everything is inherited\n");
	printf("significant personal data records: %lld\n",
	       (long long)json_integer_value(json_object_get(in, "significant_records")));
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)json_object_get(in, "live_months"), k, v)
		printf("warning %s live for %lld months\n", k, (long long)json_integer_value(v));
	size_t i;
	json_t *t;
	printf("%-38s %-9s %-12s %s\n", "CODE", "GRADE", "FROM", "BREACH");
	json_array_foreach(json_object_get(in, "types"), i, t)
		printf("%-38s %-9s %-12s %s\n", json_string_value(json_object_get(t, "code")),
		       json_string_value(json_object_get(t, "grade")),
		       json_string_value(json_object_get(t, "graded_by")),
		       json_string_value(json_object_get(t, "title")));
}

CLI_COMMAND(guidance)
{
	struct err e = {0};
	struct store *s;
	json_t *out = NULL;

	if (argc == 4 && strcmp(argv[1], "publish") == 0)
		return publish(c, argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "show") == 0) {
		int version = 0;
		const char *v;
		for (int i = 3; i < argc; i++) {
			int r = cli_opt(argc, argv, &i, "--version", &v);
			if (r <= 0)
				return cli_usage("guidance", "unknown argument \"%s\"", argv[i]);
			char *end;
			long n = strtol(v, &end, 10);
			if (!*v || *end || n < 1) {
				err_set(&e, ERR_INVALID, "version", "\"version\" must be a number from 1");
				return cli_fail(&e);
			}
			version = (int)n;
		}
		if (!(s = cli_store(c, &e)) || registry_guidance_show(s, argv[2], version, &out, &e))
			return cli_fail(&e);
		if (c->json)
			cli_print_json(out);
		else {
			print_show(out);
			json_decref(out);
		}
		return EXIT_OK;
	}
	if (argc == 3 && strcmp(argv[1], "history") == 0) {
		if (!(s = cli_store(c, &e)) || registry_guidance_history(s, argv[2], &out, &e))
			return cli_fail(&e);
		if (c->json) {
			cli_print_json(out);
		} else {
			size_t i;
			json_t *v;
			json_array_foreach(json_object_get(out, "versions"), i, v)
				printf("%s/%lld  %s  %s\n", argv[2],
				       (long long)json_integer_value(json_object_get(v, "version")),
				       json_string_value(json_object_get(v, "published_at")),
				       json_string_value(json_object_get(v, "published_by")));
			json_decref(out);
		}
		return EXIT_OK;
	}
	return cli_usage("guidance", "expected publish, show or history");
}
