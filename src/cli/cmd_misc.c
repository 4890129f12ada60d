/* warnings, audit, backup, summary: a person's warnings, the audit chain,
 * an online copy of the store, and the security officer's first look. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "service/registry.h"

CLI_COMMAND(warnings)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	json_t *out;
	if (argc != 2)
		return cli_usage("warnings", "warnings STAFF_ID");
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_warnings(s, &a, argv[1], c->now, &out, &e))
		return cli_fail(&e);
	if (c->json) {
		cli_print_json(out);
		return EXIT_OK;
	}
	size_t i;
	json_t *w;
	printf("%s (%s): %lld live warning(s)\n", argv[1],
	       json_string_value(json_object_get(out, "name")),
	       (long long)json_integer_value(json_object_get(out, "live")));
	json_array_foreach(json_object_get(out, "warnings"), i, w)
		printf("  %-22s issued %s  %s %s  %s\n", json_string_value(json_object_get(w, "level")),
		       json_string_value(json_object_get(w, "issued_on")),
		       json_is_true(json_object_get(w, "live")) ? "live until" : "expired on",
		       json_string_value(json_object_get(w, "expires_on")),
		       json_is_string(json_object_get(w, "notice"))
			       ? json_string_value(json_object_get(w, "notice"))
			       : "");
	json_decref(out);
	return EXIT_OK;
}

struct log_ctx {
	bool json;
	json_t *arr;
};

static int log_cb(const struct audit_entry *ae, void *ctx)
{
	struct log_ctx *l = ctx;
	if (l->json) {
		json_array_append_new(l->arr, audit_entry_to_json(ae));
		return 0;
	}
	char at[TS_BUF];
	date_format_ts(ae->at, at);
	printf("%6lld %s %-22s %-20s %-16s %s\n", (long long)ae->seq, at, ae->actor, ae->action,
	       ae->entity, ae->detail ? ae->detail : "");
	return 0;
}

CLI_COMMAND(audit)
{
	struct err e = {0};
	struct store *s;
	if (argc == 2 && strcmp(argv[1], "verify") == 0) {
		int64_t n;
		if (!(s = cli_store(c, &e)))
			return cli_fail(&e);
		if (registry_audit_verify(s, &n, &e)) {
			if (c->json)
				cli_print_json(json_pack("{s:b, s:I, s:s, s:s}", "ok", 0, "verified",
							 (json_int_t)n, "entry", e.field, "error", e.msg));
			fprintf(stderr, "breachreg: audit chain broken at %s: %s\n", e.field, e.msg);
			return EXIT_RUNTIME;
		}
		if (c->json)
			cli_print_json(json_pack("{s:b, s:I}", "ok", 1, "verified", (json_int_t)n));
		else
			printf("audit chain intact: %lld entries verified\n", (long long)n);
		return EXIT_OK;
	}
	if (argc >= 2 && strcmp(argv[1], "log") == 0) {
		const char *ref = NULL;
		for (int i = 2; i < argc; i++)
			if (cli_opt(argc, argv, &i, "--ref", &ref) <= 0)
				return cli_usage("audit", "unexpected argument \"%s\"", argv[i]);
		struct log_ctx l = {c->json, c->json ? json_array() : NULL};
		if (!(s = cli_store(c, &e)) || s->ops->audit_each(s, ref, log_cb, &l, &e)) {
			json_decref(l.arr);
			return cli_fail(&e);
		}
		if (c->json)
			cli_print_json(l.arr);
		return EXIT_OK;
	}
	return cli_usage("audit", "expected \"verify\" or \"log\"");
}

CLI_COMMAND(backup)
{
	struct err e = {0};
	struct store *s;
	if (argc != 2)
		return cli_usage("backup", "backup FILE");
	if (!(s = cli_store(c, &e)) || s->ops->backup(s, argv[1], &e))
		return cli_fail(&e);
	if (c->json)
		cli_print_json(json_pack("{s:s}", "backup", argv[1]));
	else
		printf("backed up to %s\n", argv[1]);
	return EXIT_OK;
}

CLI_COMMAND(summary)
{
	struct err e = {0};
	struct store *s;
	json_t *out;
	(void)argv;
	if (argc != 1)
		return cli_usage("summary", "takes no arguments");
	if (!(s = cli_store(c, &e)) || registry_summary(s, c->now, &out, &e))
		return cli_fail(&e);
	if (c->json) {
		cli_print_json(out);
		return EXIT_OK;
	}
	const char *k;
	json_t *v;
	size_t i;
	printf("OFFICIAL-SENSITIVE HR / MANAGEMENT\n\n");
	printf("breachreg register %s, as of %s\n", cli_db_shown(c),
	       json_string_value(json_object_get(out, "as_of")));
	printf("open incidents: %lld\n", (long long)json_integer_value(json_object_get(out, "open")));
	printf("\nby status:\n");
	json_object_foreach(json_object_get(out, "by_status"), k, v)
		printf("  %-20s %lld\n", k, (long long)json_integer_value(v));
	printf("\nby severity:\n");
	json_object_foreach(json_object_get(out, "by_severity"), k, v)
		printf("  %-20s %lld\n", k, (long long)json_integer_value(v));
	printf("\nby organisation:\n");
	json_object_foreach(json_object_get(out, "by_org"), k, v)
		printf("  %-20s %lld\n", k, (long long)json_integer_value(v));
	printf("\nactions due (soonest first):\n");
	if (json_array_size(json_object_get(out, "actions_due")) == 0)
		printf("  none\n");
	json_array_foreach(json_object_get(out, "actions_due"), i, v)
	{
		const char *due = json_string_value(json_object_get(v, "due"));
		ts_t t;
		bool late = date_parse_ts(due, &t) == 0 && t < c->now;
		printf("  %s %-7s %-16s %-8s %s\n", due, late ? "OVERDUE" : "",
		       json_string_value(json_object_get(v, "ref")),
		       json_string_value(json_object_get(v, "subject")),
		       json_string_value(json_object_get(v, "code")));
	}
	printf("\nOFFICIAL-SENSITIVE HR / MANAGEMENT\n");
	json_decref(out);
	return EXIT_OK;
}
