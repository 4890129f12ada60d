/* assets_data: the tables the build generates (build/gen/assets_data.c,
 * written by cmake/embed_assets.c) and assets.c looks up. Not for other
 * callers: use assets.h. */
#ifndef BR_ASSETS_DATA_H
#define BR_ASSETS_DATA_H
#include <stddef.h>

#include "http/assets.h"

extern const struct asset assets_table[]; /* sorted by url (strcmp) */
extern const size_t assets_table_len;
extern const size_t assets_name_order[]; /* indexes of assets_table, sorted by name */
extern const struct web_template_src web_templates_table[]; /* sorted by name */
extern const size_t web_templates_len;

#endif
