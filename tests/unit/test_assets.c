/* test_assets: the embedded web assets and templates (src/http/assets.h),
 * tested against the contract in the header: each URL is the fingerprint of
 * what it serves, lookups find every asset both ways, every reference from
 * CSS lands on an embedded asset, and each extension has its content type. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "http/assets.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

/* A failing asset is printed and counted rather than ending the test, so
 * one run names every bad asset; each test asserts at its end none failed. */
static int bad;
#define FAIL_ROW(...)                                                                              \
	do {                                                                                       \
		print_error(__VA_ARGS__);                                                          \
		print_error("\n");                                                                 \
		bad++;                                                                             \
	} while (0)

static void check_bad(void)
{
	if (bad)
		fail_msg("%d check(s) failed", bad);
}

static void test_urls_resolve_to_themselves(void **state)
{
	(void)state;
	bad = 0;
	assert_true(assets_count() > 0);
	assert_null(assets_at(assets_count()));
	for (size_t i = 0; i < assets_count(); i++) {
		const struct asset *a = assets_at(i);
		if (assets_by_url(a->url) != a)
			FAIL_ROW("assets_by_url(\"%s\") is not \"%s\"", a->url, a->name);
		if (assets_by_name(a->name) != a)
			FAIL_ROW("assets_by_name(\"%s\") is not itself", a->name);
		if (i > 0 && strcmp(assets_at(i - 1)->url, a->url) >= 0)
			FAIL_ROW("\"%s\" is out of URL order", a->url);
		if (a->data[a->len] != 0)
			FAIL_ROW("\"%s\" is not NUL-terminated", a->name);
	}
	assert_null(assets_by_url("/assets/nothing-0000000000.css"));
	assert_null(assets_by_url(""));
	assert_null(assets_by_name("nothing.css"));
	check_bad();
}

static void test_names_unique(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < assets_count(); i++)
		for (size_t j = i + 1; j < assets_count(); j++)
			if (strcmp(assets_at(i)->name, assets_at(j)->name) == 0 ||
			    strcmp(assets_at(i)->url, assets_at(j)->url) == 0)
				FAIL_ROW("\"%s\" appears twice", assets_at(i)->name);
	check_bad();
}

/* /assets/<dir/><stem>-<10 hex><.ext> from the name and the content. */
static void test_fingerprints_are_content_hashes(void **state)
{
	(void)state;
	bad = 0;
	assert_true(sodium_init() >= 0);
	for (size_t i = 0; i < assets_count(); i++) {
		const struct asset *a = assets_at(i);
		unsigned char h[crypto_hash_sha256_BYTES];
		char hex[2 * crypto_hash_sha256_BYTES + 1], want[1024], etag[32];
		const char *base = strrchr(a->name, '/'), *dot;

		crypto_hash_sha256(h, a->data, a->len);
		sodium_bin2hex(hex, sizeof hex, h, sizeof h);
		base = base ? base + 1 : a->name;
		dot = strrchr(base, '.');
		if (!dot || dot == base)
			dot = base + strlen(base);
		snprintf(want, sizeof want, "/assets/%.*s-%.10s%s", (int)(dot - a->name), a->name,
			 hex, dot);
		snprintf(etag, sizeof etag, "\"%.16s\"", hex);
		if (strcmp(a->url, want) != 0)
			FAIL_ROW("\"%s\" is at \"%s\", expected \"%s\"", a->name, a->url, want);
		if (strcmp(a->etag, etag) != 0)
			FAIL_ROW("\"%s\" has ETag %s, expected %s", a->name, a->etag, etag);
	}
	check_bad();
}

/* Every url() of every CSS file names an embedded asset's fingerprinted
 * URL (data: and #fragment aside): nothing the browser fetches 404s. */
static void test_css_urls_resolve(void **state)
{
	size_t css = 0, refs = 0;

	(void)state;
	bad = 0;
	for (size_t i = 0; i < assets_count(); i++) {
		const struct asset *a = assets_at(i);
		const char *p = (const char *)a->data;

		if (strncmp(a->type, "text/css", 8) != 0)
			continue;
		css++;
		while ((p = strstr(p, "url("))) {
			char target[1024];
			size_t n;

			p += 4;
			if (*p == '"' || *p == '\'')
				p++;
			n = strcspn(p, "\"')");
			snprintf(target, sizeof target, "%.*s", (int)n, p);
			p += n;
			if (strncmp(target, "data:", 5) == 0 || target[0] == '#')
				continue;
			refs++;
			if (!assets_by_url(target))
				FAIL_ROW("url(%s) in \"%s\" is no embedded asset", target, a->name);
		}
	}
	assert_true(css >= 3); /* GOV.UK, MoJ, ours */
	assert_true(refs > 0);
	check_bad();
}

static const struct type_case {
	const char *suffix, *type;
} types[] = {
    {".css", "text/css; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".woff2", "font/woff2"},
    {".woff", "font/woff"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {"manifest.json", "application/manifest+json"},
};

static void test_types_by_extension(void **state)
{
	(void)state;
	bad = 0;
	for (size_t i = 0; i < assets_count(); i++) {
		const struct asset *a = assets_at(i);
		size_t n = strlen(a->name);
		const struct type_case *want = NULL;

		for (size_t j = 0; j < N_ELEMS(types) && !want; j++) {
			size_t m = strlen(types[j].suffix);
			if (n >= m && strcmp(a->name + n - m, types[j].suffix) == 0)
				want = &types[j];
		}
		if (!want)
			FAIL_ROW("\"%s\" has an extension this test does not know", a->name);
		else if (strcmp(a->type, want->type) != 0)
			FAIL_ROW("\"%s\" is %s, expected %s", a->name, a->type, want->type);
	}
	check_bad();
}

/* What the layout links to, by the names the packages use. */
static void test_expected_assets(void **state)
{
	static const char *const names[] = {
	    "govuk-frontend.min.css",
	    "govuk-frontend.min.js",
	    "moj-frontend.min.css",
	    "moj-frontend.min.js",
	    "app.css",
	    "app.js",
	    "manifest.json",
	    "fonts/bold-b542beb274-v2.woff2",
	    "fonts/light-94a07e06a1-v2.woff2",
	    "images/govuk-crest.svg",
	    "images/favicon.ico",
	    "images/favicon.svg",
	    "images/govuk-icon-180.png",
	    "images/icon-progress-tick.svg",
	};
	const struct asset *css = assets_by_name("govuk-frontend.min.css");
	const struct asset *manifest = assets_by_name("manifest.json");

	(void)state;
	for (size_t i = 0; i < N_ELEMS(names); i++)
		if (!assets_by_name(names[i]))
			fail_msg("\"%s\" is not embedded", names[i]);
	for (size_t i = 0; i < assets_count(); i++) {
		const struct asset *a = assets_at(i);
		if (strstr(a->name, ".map"))
			fail_msg("source map \"%s\" is embedded", a->name);
		/* nor named: the browser would fetch it and get 404 */
		if (strncmp(a->type, "text/", 5) == 0 &&
		    strstr((const char *)a->data, "sourceMappingURL="))
			fail_msg("\"%s\" names a source map", a->name);
	}
	/* GOV.UK's CSS points at the fingerprinted font, not the package path. */
	assert_non_null(
	    strstr((const char *)css->data, assets_by_name("fonts/bold-b542beb274-v2.woff2")->url));
	assert_null(strstr((const char *)css->data, "url(/assets/fonts/bold-b542beb274-v2.woff2)"));
	/* The manifest's icons are fingerprinted too. */
	assert_non_null(
	    strstr((const char *)manifest->data, assets_by_name("images/favicon.ico")->url));
}

static void test_templates(void **state)
{
	size_t n = 0, found = 0;
	const struct web_template_src *t = web_templates(&n);

	(void)state;
	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].name);
		assert_int_equal(strlen(t[i].src), t[i].len);
		assert_null(strchr(t[i].name, '.'));
		if (i > 0)
			assert_true(strcmp(t[i - 1].name, t[i].name) < 0);
		if (strcmp(t[i].name, "layout") == 0) {
			found++;
			assert_non_null(strstr(t[i].src, "<html"));
		}
	}
	assert_int_equal(found, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_urls_resolve_to_themselves),
	    cmocka_unit_test(test_names_unique),
	    cmocka_unit_test(test_fingerprints_are_content_hashes),
	    cmocka_unit_test(test_css_urls_resolve),
	    cmocka_unit_test(test_types_by_extension),
	    cmocka_unit_test(test_expected_assets),
	    cmocka_unit_test(test_templates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
