/* transition, note, assess-incident, decide, notice: the verbs of working
 * a case through its lifecycle (SPEC 4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "service/registry.h"

CLI_COMMAND(transition)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	const char *reason = NULL, *ref = NULL, *state = NULL;

	for (int i = 1; i < argc; i++) {
		int r = cli_opt(argc, argv, &i, "--reason", &reason);
		if (r < 0)
			return cli_usage("transition", "--reason needs a value");
		if (r > 0)
			continue;
		if (!ref)
			ref = argv[i];
		else if (!state)
			state = argv[i];
		else
			return cli_usage("transition", "unexpected argument \"%s\"", argv[i]);
	}
	if (!ref || !state)
		return cli_usage("transition", "needs REF and STATE");
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_transition(s, &a, ref, state, reason, c->now, &e))
		return cli_fail(&e);
	if (c->json) {
		json_t *o;
		if (registry_show(s, &a, ref, c->now, &o, &e))
			return cli_fail(&e);
		cli_print_json(json_pack("{s:s, s:O}", "ref", ref, "status", json_object_get(o, "status")));
		json_decref(o);
	} else {
		printf("%s %s\n", ref, state);
	}
	return EXIT_OK;
}

CLI_COMMAND(note)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	if (argc != 3)
		return cli_usage("note", "note REF TEXT");
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_note(s, &a, argv[1], argv[2], c->now, &e))
		return cli_fail(&e);
	if (c->json)
		cli_print_json(json_pack("{s:s, s:s}", "ref", argv[1], "note", "added"));
	else
		printf("%s note added\n", argv[1]);
	return EXIT_OK;
}

CLI_COMMAND(assess_incident)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	json_t *out;
	if (argc != 2)
		return cli_usage("assess-incident", "assess-incident REF");
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_assess_incident(s, &a, argv[1], c->now, &out, &e))
		return cli_fail(&e);
	if (c->json) {
		cli_print_json(out);
		return EXIT_OK;
	}
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(out, "assessments"), i, v)
	{
		size_t k;
		json_t *x;
		printf("%s %s: %s (baseline %s), route %s, recommend %s, %lld live warning(s)\n",
		       argv[1], json_string_value(json_object_get(v, "subject")),
		       json_string_value(json_object_get(v, "severity")),
		       json_string_value(json_object_get(v, "baseline")),
		       json_string_value(json_object_get(v, "route")),
		       json_string_value(json_object_get(v, "recommendation")),
		       (long long)json_integer_value(json_object_get(v, "live_warnings")));
		json_array_foreach(json_object_get(v, "explanation"), k, x)
			printf("  [%s %s] %s\n", json_string_value(json_object_get(x, "policy")),
			       json_string_value(json_object_get(x, "rule")),
			       json_string_value(json_object_get(x, "text")));
	}
	json_decref(out);
	return EXIT_OK;
}

CLI_COMMAND(decide)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	struct decision d;
	const char *ref = NULL, *subject = NULL, *outcome = NULL, *severity = NULL, *v;
	int ret = EXIT_USAGE;

	decision_init(&d);
	for (int i = 1; i < argc; i++) {
		int r;
		if ((r = cli_opt(argc, argv, &i, "--subject", &subject)) ||
		    (r = cli_opt(argc, argv, &i, "--outcome", &outcome)) ||
		    (r = cli_opt(argc, argv, &i, "--severity", &severity))) {
			if (r < 0)
				goto usage_value;
		} else if ((r = cli_opt(argc, argv, &i, "--rationale", &v))) {
			if (r < 0)
				goto usage_value;
			free(d.rationale);
			d.rationale = xstrdup(v);
		} else if ((r = cli_opt(argc, argv, &i, "--override-reason", &v))) {
			if (r < 0)
				goto usage_value;
			free(d.override_reason);
			d.override_reason = xstrdup(v);
		} else if (!ref && argv[i][0] != '-') {
			ref = argv[i];
		} else {
			ret = cli_usage("decide", "unexpected argument \"%s\"", argv[i]);
			goto out;
		}
		continue;
usage_value:
		ret = cli_usage("decide", "%s needs a value", argv[i]);
		goto out;
	}
	if (!ref) {
		ret = cli_usage("decide", "needs REF");
		goto out;
	}
	if (!subject) {
		err_set(&e, ERR_INVALID, "subject", "\"--subject\" is required");
		goto fail;
	}
	if (!outcome) {
		err_set(&e, ERR_INVALID, "outcome", "\"--outcome\" is required");
		goto fail;
	}
	if (!severity) {
		err_set(&e, ERR_INVALID, "severity", "\"--severity\" is required");
		goto fail;
	}
	int o = vocab_parse(&vocab_outcome, outcome), sv = vocab_parse(&vocab_severity, severity);
	if (o < 0) {
		char list[256];
		vocab_list(&vocab_outcome, list, sizeof list);
		err_set(&e, ERR_INVALID, "outcome", "invalid value \"%.40s\" for \"outcome\", expected one of: %s",
			outcome, list);
		goto fail;
	}
	if (sv <= SEV_UNGRADED) {
		err_set(&e, ERR_INVALID, "severity",
			"invalid value \"%.40s\" for \"severity\", expected one of: minor, serious, gross",
			severity);
		goto fail;
	}
	if (strlen(subject) >= sizeof d.subject) {
		err_set(&e, ERR_INVALID, "subject", "invalid staff id");
		goto fail;
	}
	snprintf(d.subject, sizeof d.subject, "%s", subject);
	d.outcome = (enum outcome)o;
	d.severity = (enum severity)sv;
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_decide(s, &a, ref, &d, c->now, &e))
		goto fail;
	if (c->json)
		cli_print_json(decision_to_json(&d));
	else
		printf("%s %s: %s, %s\n", ref, d.subject, vocab_name(&vocab_severity, d.severity),
		       vocab_name(&vocab_outcome, d.outcome));
	ret = EXIT_OK;
	goto out;
fail:
	ret = cli_fail(&e);
out:
	decision_release(&d);
	return ret;
}

CLI_COMMAND(notice)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	struct notice n;
	const char *ref = NULL, *subject = NULL;

	for (int i = 1; i < argc; i++) {
		int r = cli_opt(argc, argv, &i, "--subject", &subject);
		if (r < 0)
			return cli_usage("notice", "--subject needs a value");
		if (r > 0)
			continue;
		if (ref)
			return cli_usage("notice", "unexpected argument \"%s\"", argv[i]);
		ref = argv[i];
	}
	if (!ref)
		return cli_usage("notice", "needs REF");
	if (!subject) {
		err_set(&e, ERR_INVALID, "subject", "\"--subject\" is required");
		return cli_fail(&e);
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || registry_notice(s, &a, ref, subject, c->now, &n, &e))
		return cli_fail(&e);
	if (c->json)
		cli_print_json(notice_to_json(&n));
	else
		printf("%s\n", n.number);
	notice_release(&n);
	return EXIT_OK;
}
