/* test_core_jsonx: jsonx_text_value (src/core/jsonx.h), the JSON string of
 * text that may quote a caller's bytes. Found by fuzz/fuzz_server.c: a
 * query parameter with a byte that is not UTF-8, quoted in an error
 * message, made the problem body's json_pack fail and the server crash
 * in strlen(NULL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/alloc.h"
#include "core/jsonx.h"

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD	   "\xef\xbf\xbd"

static const struct text_case {
	const char *in, *out;
} text_cases[] = {
    {"", ""},
    {"invalid value \"purple\" for \"intent\"", "invalid value \"purple\" for \"intent\""},
    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92"},
    {"\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"}, /* U+10FFFF, the last code point */
    {"mino\xd9r", "mino" FFFD "r"},	      /* the fuzzer's input */
    {"\"a\xc3\"", "\"a" FFFD "\""},	      /* "é" cut by a "%.2s" */
    {"\xe2\x82", FFFD FFFD},		      /* cut at the end */
    {"\xff\xfe", FFFD FFFD},
    {"\x80", FFFD},			       /* a lone continuation byte */
    {"\xc0\xaf", FFFD FFFD},		       /* overlong "/" */
    {"\xe0\x80\xaf", FFFD FFFD FFFD},	       /* overlong "/" */
    {"\xed\xa0\x80", FFFD FFFD FFFD},	       /* a surrogate, U+D800 */
    {"\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD}, /* past U+10FFFF */
    {"\xf5\x80\x80\x80", FFFD FFFD FFFD FFFD},
};

static void test_text_value(void **state)
{
	int bad = 0;

	(void)state;
	for (size_t i = 0; i < N_ELEMS(text_cases); i++) {
		json_t *v = jsonx_text_value(text_cases[i].in);

		if (!json_is_string(v) || strcmp(json_string_value(v), text_cases[i].out) != 0) {
			print_error("case %zu: got \"%s\"\n", i, v ? json_string_value(v) : "NULL");
			bad++;
		}
		json_decref(v);
	}
	if (bad)
		fail_msg("%d case(s) failed", bad);
}

static void test_text_value_null(void **state)
{
	json_t *v = jsonx_text_value(NULL);

	(void)state;
	assert_true(json_is_string(v));
	assert_string_equal(json_string_value(v), "");
	json_decref(v);
}

int main(void)
{
	alloc_install_json();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_text_value),
	    cmocka_unit_test(test_text_value_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
