/* incidents and show: list incidents by filter; one whole case. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/jsonx.h"
#include "service/registry.h"

struct list_ctx {
	bool json;
	json_t *arr;
	int64_t n;
};

static int list_cb(const struct incident *inc, unsigned perms, void *ctx)
{
	struct list_ctx *l = ctx;
	(void)perms; /* the CLI is the system actor: it may see everything */
	l->n++;
	if (l->json) {
		/* The CLI is the system administrator, who may see reporters. */
		json_array_append_new(l->arr, incident_to_json(inc, true));
		return 0;
	}
	char at[TS_BUF], types[256] = "";
	int off = 0;
	date_format_ts(inc->reported_at, at);
	for (int i = 0; i < inc->ntypes && off < (int)sizeof types; i++)
		off += snprintf(types + off, sizeof types - (size_t)off, "%s%s", i ? "," : "",
				inc->types[i]);
	printf("%-15s %-20s %-17s %-9s %-16s %s\n", inc->ref, at, vocab_name(&vocab_state, inc->state),
	       inc->severity >= 0 ? vocab_name(&vocab_severity, inc->severity) : "-", inc->org, types);
	return 0;
}

static int parse_range(const char *v, const char *field, bool end, ts_t *out, struct err *e)
{
	if (date_parse_bound(v, end, out) == 0)
		return 0;
	return err_set(e, ERR_INVALID, field, "\"%s\" must be a date YYYY-MM-DD or a UTC time", field);
}

CLI_COMMAND(incidents)
{
	struct err e = {0};
	struct incident_filter f;
	struct list_ctx l = {c->json, NULL, 0};
	struct store *s;
	const char *v;

	incident_filter_init(&f);
	for (int i = 1; i < argc; i++) {
		int r = 0;
		if ((r = cli_opt(argc, argv, &i, "--org", &v)) > 0) {
			if (!jsonx_is_code(v))
				return err_set(&e, ERR_INVALID, "org", "invalid organisation code \"%.64s\"", v),
				       cli_fail(&e);
			snprintf(f.org, sizeof f.org, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--status", &v)) > 0) {
			if ((f.state = vocab_parse(&vocab_state, v)) < 0)
				return err_set(&e, ERR_INVALID, "status", "invalid value \"%.40s\" for \"status\"", v),
				       cli_fail(&e);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--severity", &v)) > 0) {
			if ((f.severity = vocab_parse(&vocab_severity, v)) < 0)
				return err_set(&e, ERR_INVALID, "severity", "invalid value \"%.40s\" for \"severity\"", v),
				       cli_fail(&e);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--type", &v)) > 0) {
			if (!jsonx_is_code(v))
				return err_set(&e, ERR_INVALID, "type", "invalid breach type \"%.64s\"", v),
				       cli_fail(&e);
			snprintf(f.type, sizeof f.type, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--subject", &v)) > 0) {
			if (!jsonx_is_staff_id(v))
				return err_set(&e, ERR_INVALID, "subject", "invalid staff id \"%.32s\"", v),
				       cli_fail(&e);
			snprintf(f.subject, sizeof f.subject, "%s", v);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--from", &v)) > 0) {
			if (parse_range(v, "from", false, &f.from, &e))
				return cli_fail(&e);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--to", &v)) > 0) {
			if (parse_range(v, "to", true, &f.to, &e))
				return cli_fail(&e);
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--limit", &v)) > 0) {
			char *end;
			f.limit = strtoll(v, &end, 10);
			if (!*v || *end || f.limit < 1)
				return err_set(&e, ERR_INVALID, "limit", "\"limit\" must be a whole number from 1"),
				       cli_fail(&e);
		}
		if (r <= 0)
			return cli_usage("incidents", r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					 argv[i]);
	}
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);
	if (c->json)
		l.arr = json_array();
	else
		printf("%-15s %-20s %-17s %-9s %-16s %s\n", "REF", "REPORTED", "STATUS", "SEVERITY",
		       "ORG", "TYPES");
	struct actor a;
	cli_actor(c, &a);
	if (registry_incident_list(s, &a, &f, list_cb, &l, &e)) {
		json_decref(l.arr);
		return cli_fail(&e);
	}
	if (c->json)
		cli_print_json(l.arr);
	return EXIT_OK;
}

static void print_case(const json_t *o)
{
	size_t i;
	json_t *v;
	const char *marking = json_string_value(json_object_get(o, "marking"));
	printf("%s\n\n", marking);
	printf("%s  %s  %s  severity %s\n", json_string_value(json_object_get(o, "ref")),
	       json_string_value(json_object_get(o, "kind")),
	       json_string_value(json_object_get(o, "status")),
	       json_is_string(json_object_get(o, "severity"))
		       ? json_string_value(json_object_get(o, "severity"))
		       : "not assessed");
	printf("organisation: %s\n", json_string_value(json_object_get(o, "org")));
	printf("types:");
	json_array_foreach(json_object_get(o, "types"), i, v) printf(" %s", json_string_value(v));
	printf("\nsubjects:");
	json_array_foreach(json_object_get(o, "subjects"), i, v) printf(" %s", json_string_value(v));
	printf("\noccurred %s, discovered %s, reported %s\n",
	       json_string_value(json_object_get(o, "occurred_at")),
	       json_string_value(json_object_get(o, "discovered_at")),
	       json_string_value(json_object_get(o, "reported_at")));
	if (json_is_string(json_object_get(o, "location")))
		printf("location: %s\n", json_string_value(json_object_get(o, "location")));
	printf("description: %s\n", json_string_value(json_object_get(o, "description")));
	json_array_foreach(json_object_get(o, "transitions"), i, v)
		printf("  %s  %s -> %s by %s%s%s\n", json_string_value(json_object_get(v, "at")),
		       json_string_value(json_object_get(v, "from")),
		       json_string_value(json_object_get(v, "to")),
		       json_string_value(json_object_get(v, "actor")),
		       json_is_string(json_object_get(v, "reason")) ? ": " : "",
		       json_is_string(json_object_get(v, "reason"))
			       ? json_string_value(json_object_get(v, "reason"))
			       : "");
	json_array_foreach(json_object_get(o, "notes"), i, v)
		printf("  note %s by %s: %s\n", json_string_value(json_object_get(v, "at")),
		       json_string_value(json_object_get(v, "author")),
		       json_string_value(json_object_get(v, "text")));
	json_array_foreach(json_object_get(o, "assessments"), i, v)
	{
		size_t k;
		json_t *x;
		printf("\nassessment of %s (guidance %s): %s, route %s, recommend %s\n",
		       json_string_value(json_object_get(v, "subject")),
		       json_string_value(json_object_get(v, "guidance_version")),
		       json_string_value(json_object_get(v, "severity")),
		       json_string_value(json_object_get(v, "route")),
		       json_string_value(json_object_get(v, "recommendation")));
		json_array_foreach(json_object_get(v, "explanation"), k, x)
			printf("  [%s %s] %s\n", json_string_value(json_object_get(x, "policy")),
			       json_string_value(json_object_get(x, "rule")),
			       json_string_value(json_object_get(x, "text")));
		json_array_foreach(json_object_get(v, "actions"), k, x)
			printf("  action %s%s%s\n", json_string_value(json_object_get(x, "code")),
			       json_is_string(json_object_get(x, "due")) ? " due " : "",
			       json_is_string(json_object_get(x, "due"))
				       ? json_string_value(json_object_get(x, "due"))
				       : "");
	}
	json_array_foreach(json_object_get(o, "decisions"), i, v)
		printf("\ndecision on %s by %s: %s, %s\n  rationale: %s\n%s%s%s",
		       json_string_value(json_object_get(v, "subject")),
		       json_string_value(json_object_get(v, "decided_by")),
		       json_string_value(json_object_get(v, "severity")),
		       json_string_value(json_object_get(v, "outcome")),
		       json_string_value(json_object_get(v, "rationale")),
		       json_is_string(json_object_get(v, "override_reason")) ? "  override: " : "",
		       json_is_string(json_object_get(v, "override_reason"))
			       ? json_string_value(json_object_get(v, "override_reason"))
			       : "",
		       json_is_string(json_object_get(v, "override_reason")) ? "\n" : "");
	json_array_foreach(json_object_get(o, "notices"), i, v)
		printf("\nbreach notice %s to %s issued %s\n",
		       json_string_value(json_object_get(v, "number")),
		       json_string_value(json_object_get(v, "subject")),
		       json_string_value(json_object_get(v, "issued_on")));
	printf("\n%s\n", marking);
}

CLI_COMMAND(show)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	json_t *out;
	if (argc != 2)
		return cli_usage("show", "show REF");
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_show(s, &a, argv[1], c->now, &out, &e))
		return cli_fail(&e);
	if (c->json) {
		cli_print_json(out);
	} else {
		print_case(out);
		json_decref(out);
	}
	return EXIT_OK;
}
