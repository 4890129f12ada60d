/* ico, hr-outcome: what follows a decision: the DPO's decision on
 * notifying the ICO, and HR's disciplinary outcome (SPEC 1). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "service/registry.h"

CLI_COMMAND(ico)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	struct ico_decision d;
	const char *ref = NULL, *notify = NULL, *reason = NULL, *icoref = NULL, *at = NULL;

	for (int i = 1; i < argc; i++) {
		int r;
		if ((r = cli_opt(argc, argv, &i, "--notify", &notify)) ||
		    (r = cli_opt(argc, argv, &i, "--reason", &reason)) ||
		    (r = cli_opt(argc, argv, &i, "--ico-reference", &icoref)) ||
		    (r = cli_opt(argc, argv, &i, "--notified-at", &at))) {
			if (r < 0)
				return cli_usage("ico", "%s needs a value", argv[i]);
		} else if (!ref && argv[i][0] != '-') {
			ref = argv[i];
		} else {
			return cli_usage("ico", "unexpected argument \"%s\"", argv[i]);
		}
	}
	if (!ref)
		return cli_usage("ico", "needs REF");
	if (!notify || (strcmp(notify, "yes") != 0 && strcmp(notify, "no") != 0)) {
		err_set(&e, ERR_INVALID, "notify", "\"--notify\" must be yes or no");
		return cli_fail(&e);
	}
	json_t *in = json_pack("{s:b}", "notify", strcmp(notify, "yes") == 0);
	if (reason)
		json_object_set_new(in, "reason", json_string(reason));
	if (icoref)
		json_object_set_new(in, "ico_reference", json_string(icoref));
	if (at)
		json_object_set_new(in, "notified_at", json_string(at));
	cli_actor(c, &a);
	int rc = !(s = cli_store(c, &e)) || registry_ico_decide(s, &a, ref, in, c->now, &d, &e);
	json_decref(in);
	if (rc)
		return cli_fail(&e);
	if (c->json)
		cli_print_json(ico_decision_to_json(&d, TS_NONE));
	else
		printf("%s ICO %s\n", ref, d.notify ? "notified" : "not notified");
	ico_decision_release(&d);
	return EXIT_OK;
}

CLI_COMMAND(hr_outcome)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	struct hr_outcome h;
	const char *ref = NULL, *subject = NULL, *outcome = NULL, *notes = NULL, *on = NULL;

	for (int i = 1; i < argc; i++) {
		int r;
		if ((r = cli_opt(argc, argv, &i, "--subject", &subject)) ||
		    (r = cli_opt(argc, argv, &i, "--outcome", &outcome)) ||
		    (r = cli_opt(argc, argv, &i, "--notes", &notes)) ||
		    (r = cli_opt(argc, argv, &i, "--effective-on", &on))) {
			if (r < 0)
				return cli_usage("hr-outcome", "%s needs a value", argv[i]);
		} else if (!ref && argv[i][0] != '-') {
			ref = argv[i];
		} else {
			return cli_usage("hr-outcome", "unexpected argument \"%s\"", argv[i]);
		}
	}
	if (!ref)
		return cli_usage("hr-outcome", "needs REF");
	json_t *in = json_object();
	if (subject)
		json_object_set_new(in, "subject", json_string(subject));
	if (outcome)
		json_object_set_new(in, "outcome", json_string(outcome));
	if (notes)
		json_object_set_new(in, "notes", json_string(notes));
	if (on)
		json_object_set_new(in, "effective_on", json_string(on));
	cli_actor(c, &a);
	int rc = !(s = cli_store(c, &e)) || registry_hr_outcome(s, &a, ref, in, c->now, &h, &e);
	json_decref(in);
	if (rc)
		return cli_fail(&e);
	if (c->json)
		cli_print_json(hr_outcome_to_json(&h));
	else
		printf("%s %s: %s\n", ref, h.subject, vocab_name(&vocab_hr_outcome, h.outcome));
	hr_outcome_release(&h);
	return EXIT_OK;
}
