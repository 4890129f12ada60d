/* A stand-in until the embedded asset tables land: no assets, and the
 * templates read from the source tree (BR_SOURCE_DIR) on first use. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "http/assets.h"
#include "core/alloc.h"
const struct asset *assets_by_url(const char *url) { (void)url; return NULL; }
const struct asset *assets_by_name(const char *name) { (void)name; return NULL; }
size_t assets_count(void) { return 0; }
const struct asset *assets_at(size_t i) { (void)i; return NULL; }
static struct web_template_src tpl[64];
static size_t ntpl;
const struct web_template_src *web_templates(size_t *n)
{
	if (!ntpl) {
		DIR *d = opendir(BR_SOURCE_DIR "/web/templates");
		struct dirent *de;
		while (d && (de = readdir(d))) {
			size_t l = strlen(de->d_name);
			if (l < 6 || strcmp(de->d_name + l - 5, ".html")) continue;
			char path[512];
			snprintf(path, sizeof path, BR_SOURCE_DIR "/web/templates/%s", de->d_name);
			FILE *f = fopen(path, "rb");
			if (!f) continue;
			fseek(f, 0, SEEK_END); long sz = ftell(f); fseek(f, 0, SEEK_SET);
			char *b = xmalloc((size_t)sz + 1);
			size_t got = fread(b, 1, (size_t)sz, f); b[got] = 0; fclose(f);
			{ char *nm = xstrdup(de->d_name); nm[l - 5] = 0; tpl[ntpl].name = nm; }
			tpl[ntpl].src = b; tpl[ntpl].len = got; ntpl++;
		}
		if (d) closedir(d);
	}
	*n = ntpl;
	return tpl;
}
