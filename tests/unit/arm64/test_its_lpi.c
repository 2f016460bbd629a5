/* SPDX-License-Identifier: MIT */
/* The LPI allocator (first fit from 8192, halving, exhaustion, merge) and the range allocator. */
#include "msk_test.h"

#include <msikit.h>

#include "irqchip/its.h"

static void test_first_fit_from_8192(void **state)
{
	struct gic_ranges r;
	assert_msk_ok(gic_ranges_init(&r, 8192, 1024));
	uint32_t a, b, c;
	unsigned int na, nb, nc;
	assert_msk_ok(its_lpi_alloc(&r, 32, &a, &na));
	assert_msk_ok(its_lpi_alloc(&r, 64, &b, &nb));
	assert_msk_ok(its_lpi_alloc(&r, 32, &c, &nc));
	assert_int_equal(a, 8192);
	assert_int_equal(na, 32);
	assert_int_equal(b, 8192 + 32);
	assert_int_equal(c, 8192 + 96);
	/* A hole of 64 after freeing b: a 32 goes first-fit into it, at its start. */
	its_lpi_free(&r, b, nb);
	assert_msk_ok(its_lpi_alloc(&r, 32, &b, &nb));
	assert_int_equal(b, 8192 + 32);
	assert_int_equal(r.free, 1024 - 96);
	gic_ranges_destroy(&r);
}

static void test_halving_when_short(void **state)
{
	struct gic_ranges r;
	assert_msk_ok(gic_ranges_init(&r, 8192, 100));
	uint32_t a, b;
	unsigned int na, nb;
	assert_msk_ok(its_lpi_alloc(&r, 64, &a, &na));
	assert_int_equal(na, 64);
	/* 36 left: 64 -> 32. */
	assert_msk_ok(its_lpi_alloc(&r, 64, &b, &nb));
	assert_int_equal(nb, 32);
	assert_int_equal(b, 8192 + 64);
	/* 4 left: 2048 -> ... -> 4. */
	assert_msk_ok(its_lpi_alloc(&r, 2048, &b, &nb));
	assert_int_equal(nb, 4);
	/* Nothing left: ENOSPC, nothing changed. */
	assert_msk_error(its_lpi_alloc(&r, 1, &b, &nb), MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "no free LPI"));
	assert_int_equal(r.free, 0);
	gic_ranges_destroy(&r);
}

static void test_merge_on_free(void **state)
{
	struct gic_ranges r;
	assert_msk_ok(gic_ranges_init(&r, 8192, 96));
	uint32_t x[3];
	unsigned int n[3];
	for (int i = 0; i < 3; i++)
		assert_msk_ok(its_lpi_alloc(&r, 32, &x[i], &n[i]));
	its_lpi_free(&r, x[0], 32);
	its_lpi_free(&r, x[2], 32);
	assert_int_equal(r.n, 2);
	assert_int_equal(gic_ranges_largest(&r), 32);
	uint32_t big;
	unsigned int nbig;
	assert_msk_ok(its_lpi_alloc(&r, 64, &big, &nbig));
	assert_int_equal(nbig, 32); /* fragmented: halved */
	its_lpi_free(&r, big, nbig);
	its_lpi_free(&r, x[1], 32); /* joins both neighbours */
	assert_int_equal(r.n, 1);
	assert_int_equal(gic_ranges_largest(&r), 96);
	assert_msk_ok(its_lpi_alloc(&r, 64, &big, &nbig));
	assert_int_equal(nbig, 64);
	assert_int_equal(big, 8192);
	gic_ranges_destroy(&r);
}

static void test_ranges_alignment_and_bad_frees(void **state)
{
	struct gic_ranges r;
	assert_msk_ok(gic_ranges_init(&r, 0x1000, 0x10000));
	uint64_t a, b;
	assert_msk_ok(gic_ranges_alloc(&r, 0x100, 1, &a));
	assert_int_equal(a, 0x1000);
	assert_msk_ok(gic_ranges_alloc(&r, 0x1000, 0x4000, &b));
	assert_int_equal(b, 0x4000);
	assert_int_equal(r.n, 2); /* a hole before b, the rest after */
	uint64_t free_before = r.free;
	assert_msk_error(gic_ranges_free(&r, 0x1100, 0x100), MSK_EINVAL);  /* already free */
	assert_msk_error(gic_ranges_free(&r, 0x20000, 0x100), MSK_EINVAL); /* outside */
	assert_msk_error(gic_ranges_alloc(&r, 0, 1, &a), MSK_EINVAL);
	assert_msk_error(gic_ranges_alloc(&r, 1, 3, &a), MSK_EINVAL);
	assert_msk_error(gic_ranges_alloc(&r, 0x20000, 1, &a), MSK_ENOSPC);
	assert_int_equal(r.free, free_before);
	assert_msk_ok(gic_ranges_free(&r, b, 0x1000));
	assert_msk_ok(gic_ranges_free(&r, 0x1000, 0x100));
	assert_int_equal(r.n, 1);
	assert_int_equal(r.free, 0x10000);
	gic_ranges_destroy(&r);
}

/* Many allocations and frees in shuffled order end with one range again. */
static void test_ranges_churn(void **state)
{
	struct gic_ranges r;
	assert_msk_ok(gic_ranges_init(&r, 8192, 4096));
	uint64_t at[128];
	for (int i = 0; i < 128; i++)
		assert_msk_ok(gic_ranges_alloc(&r, 32, 1, &at[i]));
	assert_int_equal(r.free, 0);
	for (int i = 0; i < 128; i++) {
		int k = (i * 37) % 128;
		assert_msk_ok(gic_ranges_free(&r, at[k], 32));
	}
	assert_int_equal(r.n, 1);
	assert_int_equal(r.free, 4096);
	gic_ranges_destroy(&r);
}

static void test_ranges_fault_injection(void **state)
{
	struct gic_ranges r;
	assert_msk_ok(gic_ranges_init(&r, 0, 1 << 20));
	uint64_t a;
	unsigned int i = 0;
	/* Growing the array may fail: state unchanged, then it works. */
	for (; i < 64; i++) {
		msk_fault_fail_alloc(1);
		uint64_t before = r.free;
		int rc = gic_ranges_alloc(&r, 16, 1, &a);
		msk_fault_reset();
		if (rc == -MSK_ENOMEM) {
			assert_int_equal(r.free, before);
			break;
		}
		assert_msk_ok(rc);
	}
	assert_true(i < 64);
	assert_msk_ok(gic_ranges_alloc(&r, 16, 1, &a));
	gic_ranges_destroy(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_fit_from_8192),
		cmocka_unit_test(test_halving_when_short),
		cmocka_unit_test(test_merge_on_free),
		cmocka_unit_test(test_ranges_alignment_and_bad_frees),
		cmocka_unit_test(test_ranges_churn),
		cmocka_unit_test(test_ranges_fault_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
