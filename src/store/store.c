/* store: backend selection and shared record helpers (see store.h). */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void guidance_doc_release(struct guidance_doc *d)
{
	free(d->doc);
	d->doc = NULL;
}

void guidance_doc_list_free(struct guidance_doc *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		guidance_doc_release(&list[i]);
	free(list);
}

void incident_filter_init(struct incident_filter *f)
{
	memset(f, 0, sizeof *f);
	f->state = -1;
	f->severity = -1;
	f->from = f->to = TS_NONE;
}

static bool is_pgsql(const char *url)
{
	return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

bool store_exists(const char *url)
{
	if (!url || !*url)
		return false;
	if (is_pgsql(url))
		return true;
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	return access(url, F_OK) == 0;
}

int store_open(const char *url, struct store **out, struct err *e)
{
	if (!url || !*url)
		return err_set(e, ERR_INVALID, "db", "no database given");
	if (is_pgsql(url))
		return store_pgsql_open(url, out, e);
	if (strncmp(url, "sqlite:", 7) == 0)
		url += 7;
	return store_sqlite_open(url, out, e);
}

int store_memory_limit(int64_t bytes, struct err *e)
{
	return store_sqlite_memory_limit(bytes, e);
}

void store_memory_stats(struct store_memory *out)
{
	memset(out, 0, sizeof *out);
	store_sqlite_memory_stats(out);
}

void store_close(struct store *s)
{
	if (s)
		s->ops->close(s);
}
