/* SPDX-License-Identifier: MIT */
/* The sparse radix map: insert, erase, lookup and ordered next, against a reference. */
#include "msk_test.h"

#include "core/radix.h"

#define KEYS 20000u

static void test_against_reference(void **state)
{
	(void)state;
	struct msk_radix r;
	assert_msk_ok(msk_radix_init(&r, 15, 6)); /* 32768 keys, 3 levels */
	static unsigned char present[1u << 15];
	static uintptr_t value[1u << 15];
	memset(present, 0, sizeof(present));
	uint32_t s = 7;
	for (unsigned int step = 0; step < KEYS; step++) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		uint32_t k = s & 0x7fff;
		if (present[k] && (s & 0x10000)) {
			assert_ptr_equal(msk_radix_erase(&r, k), (void *)value[k]);
			present[k] = 0;
		} else if (!present[k]) {
			value[k] = (uintptr_t)(k + 1) * 16;
			assert_msk_ok(msk_radix_insert(&r, k, (void *)value[k]));
			present[k] = 1;
		} else {
			assert_int_equal(msk_radix_insert(&r, k, (void *)1), -MSK_EEXIST);
		}
		if (step % 997 == 0) {
			/* next() visits exactly the present keys, in order. */
			uint64_t from = 0, key;
			void *v;
			uint32_t want = 0;
			while ((v = msk_radix_next(&r, from, &key))) {
				while (want < key)
					assert_false(present[want++]);
				assert_true(present[key]);
				assert_ptr_equal(v, (void *)value[key]);
				want = (uint32_t)key + 1;
				from = key + 1;
			}
			while (want < (1u << 15))
				assert_false(present[want++]);
		}
	}
	for (uint32_t k = 0; k < (1u << 15); k++)
		assert_ptr_equal(msk_radix_lookup(&r, k), present[k] ? (void *)value[k] : NULL);
	assert_null(msk_radix_lookup(&r, 1u << 15));
	assert_int_equal(msk_radix_insert(&r, 1u << 15, (void *)1), -MSK_ERANGE);
	uint64_t key;
	assert_null(msk_radix_next(&r, 1u << 15, &key));
	msk_radix_fini(&r);
	assert_msk_error(msk_radix_init(&r, 0, 6), MSK_EINVAL);
	assert_msk_error(msk_radix_init(&r, 33, 6), MSK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
