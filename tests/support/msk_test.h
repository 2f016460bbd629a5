/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_H
#define MSK_TEST_H

/* Shared includes and small helpers for the cmocka unit tests. */
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <msikit.h>

/* Assert that a call failed with -code and left a message naming it. */
#define assert_msk_error(expr, code)                                                           \
	do {                                                                                   \
		int rc_ = (expr);                                                              \
		if (rc_ != -(code))                                                            \
			fail_msg("%s returned %d (%s), wanted %s; last error: %s", #expr, rc_, \
				 msk_errname(rc_), msk_errname(code), msk_last_error());       \
		assert_string_not_equal(msk_last_error(), "");                                 \
	} while (0)

#define assert_msk_ok(expr)                                                          \
	do {                                                                         \
		int rc_ = (expr);                                                    \
		if (rc_ < 0)                                                         \
			fail_msg("%s failed: %d: %s", #expr, rc_, msk_last_error()); \
	} while (0)

#endif
