/* cli: the command-line adapter (SPEC 6.1). main.c parses global options
 * and dispatches through a table to one cmd_*.c file per command; each
 * command parses its own arguments, calls services, and prints. Exit codes:
 * 0 ok, 1 runtime error, 2 usage or invalid input. */
#ifndef BR_CLI_H
#define BR_CLI_H
#include <jansson.h>
#include <stdbool.h>

#include "core/date.h"
#include "core/err.h"
#include "core/vocab.h"

struct store;
struct actor;

struct cli {
	const char *db;       /* --db, BREACHREG_DB or ./breachreg.db */
	bool json;            /* --json: machine output on stdout */
	char actor[ACTOR_MAX]; /* "cli:<unix user>" */
	ts_t now;             /* the clock, read once in main (BREACHREG_NOW overrides) */
	bool clock_fixed;     /* BREACHREG_NOW set it: a server keeps that time */
	struct store *store;  /* opened on first use by cli_store() */
};

enum { EXIT_OK = 0, EXIT_RUNTIME = 1, EXIT_USAGE = 2 };

/* Opens (and migrates) the store on first call; NULL with e filled. */
struct store *cli_store(struct cli *c, struct err *e);
/* Prints "breachreg: [field] message" to stderr; returns the exit code. */
int cli_fail(const struct err *e);
/* Usage error for a command: prints and returns EXIT_USAGE. */
int cli_usage(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Reads a whole file ("-" is stdin) as JSON; ERR_INVALID naming "file" or
 * the JSON position on failure. Caller owns the result. */
json_t *cli_read_json(const char *path, struct err *e);
/* Reads a whole file ("-" is stdin); NUL-terminated, *len bytes. */
char *cli_read_file(const char *path, size_t *len, struct err *e);
/* --db as it may be printed: a URL's password (postgres://user:pw@...)
 * replaced by "***". The result lives until the next call. */
const char *cli_db_shown(const struct cli *c);
/* The CLI's actor: the local system administrator, "cli:<unix user>". */
void cli_actor(const struct cli *c, struct actor *a);
/* Prints a JSON value to stdout (pretty, with a newline). Consumes v. */
void cli_print_json(json_t *v);
/* Option parsing: if argv[*i] is `name`, stores the next argument in *val
 * and advances; returns 1 if matched, 0 if not, -1 if the value is missing. */
int cli_opt(int argc, char **argv, int *i, const char *name, const char **val);

#define CLI_COMMAND(name) int cmd_##name(struct cli *c, int argc, char **argv)
CLI_COMMAND(init);
CLI_COMMAND(assess);
CLI_COMMAND(catalogue);
CLI_COMMAND(org);
CLI_COMMAND(person);
CLI_COMMAND(guidance);
CLI_COMMAND(report);
CLI_COMMAND(incidents);
CLI_COMMAND(show);
CLI_COMMAND(transition);
CLI_COMMAND(note);
CLI_COMMAND(assess_incident);
CLI_COMMAND(decide);
CLI_COMMAND(notice);
CLI_COMMAND(warnings);
CLI_COMMAND(audit);
CLI_COMMAND(backup);
CLI_COMMAND(restore);
CLI_COMMAND(summary);
CLI_COMMAND(user);
CLI_COMMAND(serve);
CLI_COMMAND(ico);
CLI_COMMAND(hr_outcome);
CLI_COMMAND(export);
CLI_COMMAND(trends);
CLI_COMMAND(import);
CLI_COMMAND(signals);
CLI_COMMAND(return);
CLI_COMMAND(retention);
CLI_COMMAND(migrate);

#endif
