/* SPDX-License-Identifier: MIT */
/*
 * msk_report_utf8_clean(): well-formed UTF-8 passes unchanged; each byte
 * of an ill-formed sequence (stray continuation, overlong, surrogate, past
 * U+10FFFF, truncated, 0xc0/0xc1/0xf5..0xff) becomes U+FFFD; the length is
 * returned as snprintf() does and a short buffer is cut at a boundary.
 */
#include "msk_test.h"

#include <msikit/report.h>

#define FFFD "\xef\xbf\xbd"

static void clean_is(const char *in, const char *want)
{
	char out[128];
	size_t n = msk_report_utf8_clean(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(msk_report_utf8_clean(in, NULL, 0), strlen(want));
}

static void test_well_formed_unchanged(void **state)
{
	(void)state;
	clean_is("", "");
	clean_is("nvme0q1", "nvme0q1");
	clean_is("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
		 "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
	clean_is("\xed\x9f\xbf", "\xed\x9f\xbf");	  /* U+D7FF, just below the surrogates */
	clean_is("\xf4\x8f\xbf\xbf", "\xf4\x8f\xbf\xbf"); /* U+10FFFF */
}

static void test_each_bad_byte_replaced(void **state)
{
	(void)state;
	clean_is("eth\xff", "eth" FFFD);
	clean_is("\x80x", FFFD "x");			   /* stray continuation */
	clean_is("\xc0\xaf", FFFD FFFD);		   /* overlong '/' */
	clean_is("\xe0\x80\xaf", FFFD FFFD FFFD);	   /* overlong, 3 bytes */
	clean_is("\xed\xa0\x80", FFFD FFFD FFFD);	   /* surrogate U+D800 */
	clean_is("\xf4\x90\x80\x80", FFFD FFFD FFFD FFFD); /* U+110000 */
	clean_is("\xf5\x80", FFFD FFFD);
	clean_is("a\xe2\x82", "a" FFFD FFFD); /* truncated at the end */
	clean_is("\xe2\x82z", FFFD FFFD "z"); /* truncated in the middle */
}

static void test_short_buffer(void **state)
{
	(void)state;
	char out[6];
	/* "ab" + U+FFFD = 5 bytes fit; the next U+FFFD does not, and is not cut */
	assert_int_equal(msk_report_utf8_clean("ab\xff\xff", out, sizeof(out)), 8);
	assert_string_equal(out, "ab" FFFD);
	assert_int_equal(msk_report_utf8_clean("abcdefgh", out, sizeof(out)), 8);
	assert_string_equal(out, "abcde");
	char one[1] = { 'x' };
	assert_int_equal(msk_report_utf8_clean("abc", one, 1), 3);
	assert_int_equal(one[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_well_formed_unchanged),
		cmocka_unit_test(test_each_bad_byte_replaced),
		cmocka_unit_test(test_short_buffer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
