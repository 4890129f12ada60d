/* util: shared helpers of the CLI commands (see cli.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/alloc.h"
#include "service/registry.h"

/* Refuse absurd inputs before parsing: a facts or incident file is small. */
#define CLI_MAX_INPUT (64 * 1024 * 1024)

char *cli_read_file(const char *path, size_t *len, struct err *e)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	if (!f) {
		err_set(e, ERR_INVALID, "file", "cannot open \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (n + 65536 + 1 > cap) {
			cap = cap ? cap * 2 : 131072;
			buf = xrealloc(buf, cap);
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (n > CLI_MAX_INPUT) {
			err_set(e, ERR_INVALID, "file", "\"%s\" is too large", path);
			goto fail;
		}
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		err_set(e, ERR_INVALID, "file", "cannot read \"%s\": %s", path, strerror(errno));
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

json_t *cli_read_json(const char *path, struct err *e)
{
	size_t len;
	json_error_t je;
	char *buf = cli_read_file(path, &len, e);
	if (!buf)
		return NULL;
	json_t *v = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	free(buf);
	if (!v)
		err_set(e, ERR_INVALID, "json", "malformed JSON at line %d, column %d: %s", je.line,
			je.column, je.text);
	return v;
}

void cli_print_json(json_t *v)
{
	char *s = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		free(s);
	}
	json_decref(v);
}

int cli_opt(int argc, char **argv, int *i, const char *name, const char **val)
{
	if (strcmp(argv[*i], name) != 0)
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*val = argv[++*i];
	return 1;
}

const char *cli_db_shown(const struct cli *c)
{
	static char shown[512];
	const char *scheme = strstr(c->db, "://"), *at, *colon;

	if (!scheme)
		return c->db;
	at = strchr(scheme + 3, '@');
	colon = at ? memchr(scheme + 3, ':', (size_t)(at - (scheme + 3))) : NULL;
	if (!colon)
		return c->db;
	snprintf(shown, sizeof shown, "%.*s:***%s", (int)(colon - c->db), c->db, at);
	return shown;
}

void cli_actor(const struct cli *c, struct actor *a)
{
	memset(a, 0, sizeof *a);
	snprintf(a->name, sizeof a->name, "%s", c->actor);
	/* The local system administrator: every power (SPEC 6.1). */
	a->system = true;
	a->roles = ~0u & ((1u << ROLE_COUNT) - 1);
}
