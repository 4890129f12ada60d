/* assets: the embedded static assets and templates (stand-in header). */
#ifndef BR_ASSETS_H
#define BR_ASSETS_H
#include <stddef.h>
struct asset {
	const char *name;
	const char *url;
	const char *type;
	const unsigned char *data;
	size_t len;
	const char *etag;
};
const struct asset *assets_by_url(const char *url);
const struct asset *assets_by_name(const char *name);
size_t assets_count(void);
const struct asset *assets_at(size_t i);
struct web_template_src { const char *name; const char *src; size_t len; };
const struct web_template_src *web_templates(size_t *n);
#endif
