/* assets: lookups over the tables generated at build time (see assets.h
 * and assets_data.h). Pure functions over static data. */
#include <string.h>

#include "http/assets.h"
#include "http/assets_data.h"

const struct asset *assets_by_url(const char *url)
{
	size_t lo = 0, hi = assets_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(url, assets_table[mid].url);
		if (c == 0)
			return &assets_table[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const struct asset *assets_by_name(const char *name)
{
	size_t lo = 0, hi = assets_table_len;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct asset *a = &assets_table[assets_name_order[mid]];
		int c = strcmp(name, a->name);
		if (c == 0)
			return a;
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

size_t assets_count(void)
{
	return assets_table_len;
}

const struct asset *assets_at(size_t i)
{
	return i < assets_table_len ? &assets_table[i] : NULL;
}

const struct web_template_src *web_templates(size_t *n)
{
	*n = web_templates_len;
	return web_templates_table;
}
