/* main: global options, the command table, and the process-wide things
 * that only main may do (read the clock and the environment, print, exit). */
#include <pwd.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "service/registry.h"
#include "store/store.h"

static const struct command {
	const char *name;
	int (*run)(struct cli *c, int argc, char **argv);
	const char *usage;
} commands[] = {
	{"init", cmd_init, "init [--demo]"},
	{"assess", cmd_assess, "assess FILE|-"},
	{"catalogue", cmd_catalogue, "catalogue [--org CODE]"},
	{"org", cmd_org, "org add CODE NAME [--parent CODE] [--discipline moj|hmpps] [--head STAFF_ID] "
			 "[--headcount N] | org list"},
	{"person", cmd_person, "person add STAFF_ID --name N --org CODE [--email E] [--manager ID] "
			       "[--engagement E] [--probation-until DATE] [--clearance C] | person "
			       "import FILE.csv"},
	{"guidance", cmd_guidance, "guidance publish ORG FILE|- | guidance show ORG [--version N] | "
				   "guidance history ORG"},
	{"report", cmd_report, "report FILE|-"},
	{"incidents", cmd_incidents, "incidents [--org C] [--status S] [--severity S] [--type T] "
				     "[--subject ID] [--from D] [--to D] [--limit N]"},
	{"show", cmd_show, "show REF"},
	{"transition", cmd_transition, "transition REF STATE [--reason TEXT]"},
	{"note", cmd_note, "note REF TEXT"},
	{"assess-incident", cmd_assess_incident, "assess-incident REF"},
	{"decide", cmd_decide, "decide REF --subject ID --outcome O --severity S --rationale TEXT "
			       "[--override-reason TEXT]"},
	{"notice", cmd_notice, "notice REF --subject ID"},
	{"ico", cmd_ico, "ico REF --notify yes|no --reason TEXT [--ico-reference R] [--notified-at TIME]"},
	{"hr-outcome", cmd_hr_outcome, "hr-outcome REF --subject ID --outcome O --notes TEXT "
				       "[--effective-on DATE]"},
	{"warnings", cmd_warnings, "warnings STAFF_ID"},
	{"trends", cmd_trends, "trends [--by DIM]... [--from M] [--to M] [--org C] [--type T] "
			       "[--severity S] [--kind K] [--control C] [--outcome O] [--engagement E] "
			       "[--all] [--csv] | trends rebuild | trends verify"},
	{"export", cmd_export, "export csv|json|xlsx|veris [--out FILE] [--pseudonymise] [--org C] "
			       "[--from D] [--to D]"},
	{"import", cmd_import, "import FILE.csv"},
	{"signals", cmd_signals, "signals [--month YYYY-MM] [--org C]"},
	{"return", cmd_return, "return --quarter YYYYQn [--csv]"},
	{"retention", cmd_retention, "retention apply [--dry-run]"},
	{"audit", cmd_audit, "audit verify | audit log [--ref REF]"},
	{"backup", cmd_backup, "backup FILE"},
	{"restore", cmd_restore, "restore FILE (stop the server first)"},
	{"migrate", cmd_migrate, "migrate --from sqlite:PATH --to postgres://..."},
	{"summary", cmd_summary, "summary"},
	{"user", cmd_user, "user add NAME --person STAFF_ID --role R [--role R]... (password on "
			 "stdin) | user token NAME [--label L] | user tokens NAME | user revoke NAME "
			 "TOKEN_ID | user list | user roles NAME --role R... | user disable|enable NAME"},
	{"serve", cmd_serve, "serve [--listen ADDR:PORT] [--threads N] [--access-log FILE|-]"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *out)
{
	fprintf(out, "usage: breachreg [--db URL] [--json] COMMAND ...\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(out, "  %s\n", commands[i].usage);
	fprintf(out, "\n--db (or BREACHREG_DB): a SQLite path, default ./breachreg.db\n");
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "breachreg %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, cmd) == 0)
			fprintf(stderr, "usage: breachreg %s\n", commands[i].usage);
	return EXIT_USAGE;
}

int cli_fail(const struct err *e)
{
	if (e->field[0])
		fprintf(stderr, "breachreg: %s: %s\n", e->field, e->msg);
	else
		fprintf(stderr, "breachreg: %s\n", e->msg[0] ? e->msg : "failed");
	return e->kind == ERR_RUNTIME ? EXIT_RUNTIME : EXIT_USAGE;
}

struct store *cli_store(struct cli *c, struct err *e)
{
	if (c->store)
		return c->store;
	if (store_open(c->db, &c->store, e))
		return NULL;
	/* After a migration the rollups are recounted once, before any
	 * command reads or writes them. */
	if (registry_rollup_ensure(c->store, e)) {
		store_close(c->store);
		c->store = NULL;
		return NULL;
	}
	return c->store;
}

static ts_t clock_now(struct err *e, int *bad, bool *is_fixed)
{
	const char *fixed = getenv("BREACHREG_NOW");
	ts_t t;
	*bad = 0;
	*is_fixed = false;
	if (fixed && *fixed) {
		if (date_parse_ts(fixed, &t) == 0) {
			*is_fixed = true;
			return t;
		}
		*bad = 1;
		err_set(e, ERR_INVALID, "BREACHREG_NOW", "must be a UTC time YYYY-MM-DDTHH:MM:SSZ");
	}
	return (ts_t)time(NULL);
}

int main(int argc, char **argv)
{
	struct cli c = {0};
	struct err e = {0};
	char **args = xcalloc((size_t)argc + 1, sizeof *args);
	int nargs = 0, ret, bad;

	alloc_install_json();
	if (sodium_init() < 0) {
		fprintf(stderr, "breachreg: libsodium failed to initialise\n");
		return EXIT_RUNTIME;
	}
	c.db = getenv("BREACHREG_DB");
	if (!c.db || !*c.db)
		c.db = "breachreg.db";
	/* Global options may stand before or after the command. */
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			c.json = true;
		} else if (strcmp(argv[i], "--db") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "breachreg: --db needs a value\n");
				free(args);
				return EXIT_USAGE;
			}
			c.db = argv[++i];
		} else if (strncmp(argv[i], "--db=", 5) == 0) {
			c.db = argv[i] + 5;
		} else if (nargs == 0 && (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)) {
			usage(stdout);
			free(args);
			return EXIT_OK;
		} else {
			args[nargs++] = argv[i];
		}
	}
	if (nargs == 0) {
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	c.now = clock_now(&e, &bad, &c.clock_fixed);
	if (bad) {
		free(args);
		return cli_fail(&e);
	}
	struct passwd *pw = getpwuid(getuid());
	snprintf(c.actor, sizeof c.actor, "cli:%s", pw && pw->pw_name ? pw->pw_name : "unknown");

	const struct command *cmd = NULL;
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, args[0]) == 0)
			cmd = &commands[i];
	if (!cmd) {
		fprintf(stderr, "breachreg: unknown command \"%s\"\n", args[0]);
		usage(stderr);
		free(args);
		return EXIT_USAGE;
	}
	ret = cmd->run(&c, nargs, args);
	store_close(c.store);
	free(args);
	return ret;
}
