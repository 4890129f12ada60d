/* import: a legacy spreadsheet register of incidents from CSV, all rows or
 * none (registry_incident_import); a refused file gets every bad row
 * reported, one per line on stderr (with --json also as an object on
 * stdout). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "service/registry.h"

/* The file's bytes: mapped, since a register of a million rows is some
 * hundreds of megabytes, beyond cli_read_file's cap for small documents;
 * "-" and anything not a regular file are read into memory as usual. */
struct input {
	const char *data;
	size_t len;
	void *map;  /* or NULL */
	char *heap; /* or NULL */
};

static int input_open(const char *path, struct input *in, struct err *e)
{
	struct stat st;
	int fd;

	memset(in, 0, sizeof *in);
	if (strcmp(path, "-") == 0)
		goto read;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return err_set(e, ERR_INVALID, "file", "cannot open \"%s\": %s", path,
			       strerror(errno));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		goto read;
	}
	in->len = (size_t)st.st_size;
	in->data = "";
	if (in->len) {
		in->map = mmap(NULL, in->len, PROT_READ, MAP_PRIVATE, fd, 0);
		if (in->map == MAP_FAILED) {
			in->map = NULL;
			close(fd);
			return err_set(e, ERR_RUNTIME, "file", "cannot map \"%s\": %s", path,
				       strerror(errno));
		}
		/* Read once, front to back. */
		madvise(in->map, in->len, MADV_SEQUENTIAL);
		in->data = in->map;
	}
	close(fd);
	return 0;
read:
	if (!(in->heap = cli_read_file(path, &in->len, e)))
		return -1;
	in->data = in->heap;
	return 0;
}

static void input_close(struct input *in)
{
	if (in->map)
		munmap(in->map, in->len);
	free(in->heap);
}

static void print_refused(const struct registry_import_report *r)
{
	size_t i;
	json_t *x;

	json_array_foreach(r->errors, i, x)
	{
		const char *field = json_string_value(json_object_get(x, "field"));

		fprintf(stderr, "breachreg: row %d: %s%s%s\n",
			(int)json_integer_value(json_object_get(x, "row")), field,
			field[0] ? ": " : "", json_string_value(json_object_get(x, "message")));
	}
	if (r->nerrors > (int64_t)json_array_size(r->errors))
		fprintf(stderr, "breachreg: ... and %lld more\n",
			(long long)(r->nerrors - (int64_t)json_array_size(r->errors)));
	/* Header errors are all there is when there are any (rows are not read). */
	if (json_integer_value(json_object_get(json_array_get(r->errors, 0), "row")) == 1)
		fprintf(stderr, "breachreg: nothing imported: the header row is not usable\n");
	else
		fprintf(stderr, "breachreg: nothing imported: %lld of %lld rows %s refused\n",
			(long long)r->nerrors, (long long)r->rows,
			r->nerrors == 1 ? "was" : "were");
}

CLI_COMMAND(import)
{
	struct err e = {0};
	struct registry_import_report r = {0};
	struct input in;
	struct actor a;
	struct store *s;
	int ret;

	if (argc != 2)
		return cli_usage("import", "import FILE.csv");
	if (input_open(argv[1], &in, &e))
		return cli_fail(&e);
	cli_actor(c, &a);
	if (!(s = cli_store(c, &e))) {
		ret = cli_fail(&e);
		goto out;
	}
	if (registry_incident_import(s, &a, in.data, in.len, c->now, &r, &e)) {
		if (json_array_size(r.errors) == 0) {
			ret = cli_fail(&e);
			goto out;
		}
		if (c->json)
			cli_print_json(json_pack("{s:i, s:O, s:I}", "imported", 0, "errors",
						 r.errors, "error_count", (json_int_t)r.nerrors));
		print_refused(&r);
		ret = EXIT_USAGE;
		goto out;
	}
	if (c->json)
		cli_print_json(json_pack("{s:I, s:s?, s:s?}", "imported", (json_int_t)r.imported,
					 "first", r.first[0] ? r.first : NULL, "last",
					 r.last[0] ? r.last : NULL));
	else if (r.imported)
		printf("imported %lld incidents (%s to %s)\n", (long long)r.imported, r.first,
		       r.last);
	else
		printf("imported 0 incidents: the file has a header and no rows\n");
	ret = EXIT_OK;
out:
	registry_import_report_release(&r);
	input_close(&in);
	return ret;
}
