/* assets: the web UI's static files (GOV.UK Frontend, MoJ Frontend and
 * web/static/) and its page templates (web/templates/), embedded in the
 * binary at build time by cmake/embed_assets.c. Every asset is served at a
 * fingerprinted URL, /assets/<dir/><stem>-<first 10 hex of SHA-256><.ext>,
 * so a response may be cached for ever; url() references in CSS, and
 * "/assets/NAME" strings in JS and JSON, are rewritten to those URLs at
 * build time. All data is static and read-only: nothing here is freed. */
#ifndef BR_ASSETS_H
#define BR_ASSETS_H
#include <stddef.h>

struct asset {
	const char *name;	   /* logical, as the package lays it out: "govuk-frontend.min.css",
				      "moj-frontend.min.js", "app.css", "fonts/bold-b542beb274-v2.woff2",
				      "images/govuk-crest.svg" */
	const char *url;	   /* fingerprinted: "/assets/govuk-frontend.min-1a2b3c4d5e.css" */
	const char *type;	   /* "text/css; charset=utf-8", "text/javascript; charset=utf-8",
				      "font/woff2", "image/svg+xml", "image/png", "image/x-icon",
				      "application/manifest+json" … */
	const unsigned char *data; /* len bytes, then a NUL not counted in len */
	size_t len;
	const char *etag; /* "\"<first 16 hex of SHA-256>\"" */
};

/** The asset served at exactly this fingerprinted URL ("/assets/…", no
 * query string), else NULL. O(log n). */
const struct asset *assets_by_url(const char *url);

/** The asset of this logical name ("images/govuk-crest.svg"), else NULL.
 * Templates use it to turn a name into its URL. O(log n). */
const struct asset *assets_by_name(const char *name);

/** How many assets are embedded. */
size_t assets_count(void);

/** The i-th asset in URL order, or NULL when i >= assets_count(). */
const struct asset *assets_at(size_t i);

struct web_template_src {
	const char *name; /* file stem: "layout" for web/templates/layout.html */
	const char *src;  /* len bytes, then a NUL not counted in len */
	size_t len;
};

/** The embedded templates, sorted by name; their count in *n. */
const struct web_template_src *web_templates(size_t *n);

#endif
