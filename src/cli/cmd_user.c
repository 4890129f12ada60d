/* user: accounts and their API tokens (SPEC 6.1). A password is read from
 * stdin (its first line), never from the command line, where other users
 * could see it; a token is printed once and never again. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "service/accounts.h"

/* Reads the first line of stdin into a new buffer (newline and a CR before
 * it stripped). At a terminal, prompts on stderr without echo. The caller
 * wipes and frees the result with free_secret. */
static char *read_password(struct err *e)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &old) == 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	if (tty) {
		fputs("password: ", stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	errno = 0;
	n = getline(&line, &cap, stdin);
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (n < 0) {
		if (line)
			sodium_memzero(line, cap);
		free(line);
		if (errno)
			err_set(e, ERR_INVALID, "password",
				"cannot read the password from stdin: %s", strerror(errno));
		else
			err_set(e, ERR_INVALID, "password",
				"\"password\" is required: give it on stdin");
		return NULL;
	}
	if (n > 0 && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n > 0 && line[n - 1] == '\r')
		line[--n] = '\0';
	if ((size_t)n != strlen(line)) {
		sodium_memzero(line, cap);
		free(line);
		err_set(e, ERR_INVALID, "password", "\"password\" must not contain a NUL byte");
		return NULL;
	}
	return line;
}

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

/* Adds the role named v to *roles; ERR_INVALID naming "role". */
static int add_role(const char *v, unsigned *roles, struct err *e)
{
	char list[256];
	int r = vocab_parse(&vocab_role, v);

	if (r < 0) {
		vocab_list(&vocab_role, list, sizeof list);
		return err_set(e, ERR_INVALID, "role",
			       "invalid value \"%.40s\" for \"role\", expected one of: %s", v,
			       list);
	}
	*roles |= ROLE_BIT(r);
	return 0;
}

static int user_add(struct cli *c, int argc, char **argv)
{
	struct err e = {0};
	struct account acc;
	struct actor a;
	struct store *s;
	const char *person = NULL, *v;
	char *password = NULL;
	unsigned roles = 0;
	int nroles = 0, ret;

	account_init(&acc);
	if (argc < 3 || argv[2][0] == '-')
		return cli_usage("user", "user add needs a NAME");
	for (int i = 3; i < argc; i++) {
		int r;
		if ((r = cli_opt(argc, argv, &i, "--person", &v)) > 0) {
			person = v;
		} else if (r == 0 && (r = cli_opt(argc, argv, &i, "--role", &v)) > 0) {
			if (add_role(v, &roles, &e))
				goto fail;
			nroles++;
		}
		if (r <= 0)
			return cli_usage("user",
					 r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					 argv[i]);
	}
	if (!person)
		return cli_usage("user", "--person is required");
	if (!nroles)
		return cli_usage("user", "--role is required (every account is a reporter: "
					 "--role reporter for no more)");
	if (!(password = read_password(&e)))
		goto fail;
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) ||
	    accounts_add(s, &a, argv[2], person, roles, password, c->now, &e) ||
	    accounts_get(s, &a, argv[2], &acc, &e))
		goto fail;
	if (c->json)
		cli_print_json(account_to_json(&acc));
	else
		printf("%s\n", acc.name);
	ret = EXIT_OK;
	goto out;
fail:
	ret = cli_fail(&e);
out:
	free_secret(password);
	account_release(&acc);
	return ret;
}

static int user_token(struct cli *c, int argc, char **argv)
{
	struct err e = {0};
	struct api_token t;
	struct actor a;
	struct store *s;
	const char *label = "", *v;
	char token[ACCOUNT_TOKEN_BUF];

	if (argc < 3 || argv[2][0] == '-')
		return cli_usage("user", "user token needs a NAME");
	for (int i = 3; i < argc; i++) {
		int r = cli_opt(argc, argv, &i, "--label", &v);
		if (r <= 0)
			return cli_usage("user",
					 r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
					 argv[i]);
		label = v;
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) ||
	    accounts_token_create(s, &a, argv[2], label, c->now, token, &t, &e))
		return cli_fail(&e);
	if (c->json) {
		json_t *o = api_token_to_json(&t);
		json_object_set_new(o, "token", json_string(token));
		cli_print_json(o);
	} else {
		printf("%s\n", token);
	}
	fflush(stdout);
	sodium_memzero(token, sizeof token);
	return EXIT_OK;
}

static void ts_text(ts_t t, char buf[TS_BUF])
{
	if (t == TS_NONE)
		snprintf(buf, TS_BUF, "-");
	else
		date_format_ts(t, buf);
}

static int user_tokens(struct cli *c, const char *name)
{
	struct err e = {0};
	struct api_token *list = NULL;
	struct actor a;
	struct store *s;
	size_t n = 0;

	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || accounts_token_list(s, &a, name, &list, &n, &e))
		return cli_fail(&e);
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, api_token_to_json(&list[i]));
		cli_print_json(arr);
	} else {
		printf("%-6s %-24s %-20s %-20s %s\n", "ID", "LABEL", "CREATED", "LAST USED",
		       "REVOKED");
		for (size_t i = 0; i < n; i++) {
			char cr[TS_BUF], used[TS_BUF], rv[TS_BUF];
			ts_text(list[i].created_at, cr);
			ts_text(list[i].last_used_at, used);
			ts_text(list[i].revoked_at, rv);
			printf("%-6lld %-24s %-20s %-20s %s\n", (long long)list[i].id,
			       list[i].label[0] ? list[i].label : "-", cr, used, rv);
		}
	}
	api_token_list_free(list, n);
	return EXIT_OK;
}

static int user_revoke(struct cli *c, const char *name, const char *id_text)
{
	struct err e = {0};
	struct actor a;
	struct store *s;
	char *end = NULL;
	long long id;

	errno = 0;
	id = strtoll(id_text, &end, 10);
	if (errno || end == id_text || *end || id <= 0) {
		err_set(&e, ERR_INVALID, "token", "invalid token id \"%.32s\": a positive number",
			id_text);
		return cli_fail(&e);
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || accounts_token_revoke(s, &a, name, id, c->now, &e))
		return cli_fail(&e);
	if (c->json)
		cli_print_json(json_pack("{s:s, s:I, s:b}", "account", name, "id", (json_int_t)id,
					 "revoked", 1));
	else
		printf("revoked token %lld of %s\n", id, name);
	return EXIT_OK;
}

static int user_list(struct cli *c)
{
	struct err e = {0};
	struct account *list = NULL;
	struct actor a;
	struct store *s;
	size_t n = 0;

	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)) || accounts_list(s, &a, &list, &n, &e))
		return cli_fail(&e);
	if (c->json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(arr, account_to_json(&list[i]));
		cli_print_json(arr);
	} else {
		printf("%-24s %-12s %-9s %s\n", "NAME", "PERSON", "STATUS", "ROLES");
		for (size_t i = 0; i < n; i++) {
			char roles[256];
			account_roles_format(list[i].roles, roles, sizeof roles);
			printf("%-24s %-12s %-9s %s\n", list[i].name, list[i].staff_id,
			       list[i].disabled ? "disabled" : "active", roles);
		}
	}
	account_list_free(list, n);
	return EXIT_OK;
}

/* user roles NAME --role R..., user disable NAME, user enable NAME. */
static int user_change(struct cli *c, int argc, char **argv)
{
	struct err e = {0};
	struct account acc;
	struct actor a;
	struct store *s;
	const char *verb = argv[1], *name = argv[2], *v;
	unsigned roles = 0;
	int nroles = 0, rc, ret;

	account_init(&acc);
	if (strcmp(verb, "roles") == 0) {
		for (int i = 3; i < argc; i++) {
			int r = cli_opt(argc, argv, &i, "--role", &v);
			if (r <= 0)
				return cli_usage(
				    "user", r < 0 ? "%s needs a value" : "unknown argument \"%s\"",
				    argv[i]);
			if (add_role(v, &roles, &e))
				return cli_fail(&e);
			nroles++;
		}
		if (!nroles)
			return cli_usage("user", "--role is required");
	} else if (argc != 3) {
		return cli_usage("user", "unknown argument \"%s\"", argv[3]);
	}
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e)))
		return cli_fail(&e);
	if (strcmp(verb, "roles") == 0)
		rc = accounts_set_roles(s, &a, name, roles, c->now, &e);
	else if (strcmp(verb, "disable") == 0)
		rc = accounts_disable(s, &a, name, c->now, &e);
	else
		rc = accounts_enable(s, &a, name, c->now, &e);
	if (rc || accounts_get(s, &a, name, &acc, &e)) {
		ret = cli_fail(&e);
		goto out;
	}
	if (c->json)
		cli_print_json(account_to_json(&acc));
	else
		printf("%s\n", acc.name);
	ret = EXIT_OK;
out:
	account_release(&acc);
	return ret;
}

CLI_COMMAND(user)
{
	const char *verb = argc >= 2 ? argv[1] : "";

	if (strcmp(verb, "add") == 0)
		return user_add(c, argc, argv);
	if (strcmp(verb, "token") == 0)
		return user_token(c, argc, argv);
	if (strcmp(verb, "tokens") == 0 && argc == 3)
		return user_tokens(c, argv[2]);
	if (strcmp(verb, "revoke") == 0 && argc == 4)
		return user_revoke(c, argv[2], argv[3]);
	if (strcmp(verb, "list") == 0 && argc == 2)
		return user_list(c);
	if ((strcmp(verb, "roles") == 0 || strcmp(verb, "disable") == 0 ||
	     strcmp(verb, "enable") == 0) &&
	    argc >= 3 && argv[2][0] != '-')
		return user_change(c, argc, argv);
	return cli_usage("user", "expected \"add\", \"token\", \"tokens\", \"revoke\", \"list\", "
				 "\"roles\", \"disable\" or \"enable\"");
}
