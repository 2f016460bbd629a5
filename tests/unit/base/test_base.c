/* SPDX-License-Identifier: MIT */
/* Errors, fault injection, cpumasks and the ledger. */
#include "msk_test.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

static void test_error_messages(void **state)
{
	(void)state;
	msk_clear_error();
	assert_string_equal(msk_last_error(), "");
	assert_int_equal(msk_err(MSK_ENOSPC, "ITT of %s has %d entries", "0000:01:00.0", 8),
			 -MSK_ENOSPC);
	assert_string_equal(msk_last_error(), "ENOSPC: ITT of 0000:01:00.0 has 8 entries");
	assert_int_equal(msk_last_error_code(), -MSK_ENOSPC);
	assert_int_equal(msk_err_context("device %s", "nvme"), -MSK_ENOSPC);
	assert_string_equal(msk_last_error(),
			    "ENOSPC: device nvme: ITT of 0000:01:00.0 has 8 entries");
	assert_string_equal(msk_errname(-MSK_EINVAL), "EINVAL");
	assert_string_equal(msk_strerror(MSK_EINVAL), "EINVAL: invalid argument");
	assert_string_equal(msk_errname(12345), "E?");
	msk_clear_error();
	assert_int_equal(msk_last_error_code(), 0);
}

static void test_fault_injection(void **state)
{
	(void)state;
	msk_fault_reset();
	void *a = msk_malloc(8), *b = msk_malloc(8);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(msk_fault_alloc_count(), 2);
	msk_fault_fail_alloc(2);
	void *c = msk_malloc(8);
	void *d = msk_malloc(8); /* fails */
	void *e = msk_malloc(8);
	assert_non_null(c);
	assert_null(d);
	assert_non_null(e);
	assert_int_equal(msk_fault_injected_count(), 1);
	msk_fault_fail_alloc_from(1);
	assert_null(msk_calloc(1, 1));
	assert_null(msk_strdup("x"));
	msk_fault_reset();
	char *s = msk_strdup("abc");
	assert_string_equal(s, "abc");
	msk_free(s);
	msk_free(a);
	msk_free(b);
	msk_free(c);
	msk_free(e);
}

static void test_cpumask(void **state)
{
	(void)state;
	struct msk_cpumask m, n;
	char buf[64];
	assert_msk_ok(msk_cpumask_parse("0-3,8,10-11", &m));
	assert_int_equal(msk_cpumask_weight(&m), 7);
	assert_string_equal(msk_cpumask_format(&m, buf, sizeof(buf)), "0-3,8,10-11");
	assert_int_equal(msk_cpumask_next(&m, 4), 8);
	msk_cpumask_fill(&n, 2);
	assert_true(msk_cpumask_subset(&n, &m));
	assert_msk_error(msk_cpumask_parse("3-1", &n), MSK_EINVAL);
	assert_msk_error(msk_cpumask_parse("999", &n), MSK_EINVAL);
	assert_msk_error(msk_cpumask_parse("1;2", &n), MSK_EINVAL);
	assert_int_equal(msk_cpumask_weight(&n), 2); /* unchanged on failure */
	msk_cpumask_set(&m, 255);
	assert_true(msk_cpumask_test(&m, 255));
	msk_cpumask_set(&m, 256); /* out of range: ignored */
	unsigned int cpu, count = 0;
	msk_for_each_cpu(cpu, &m) count++;
	assert_int_equal(count, 8);
}

static void test_ledger(void **state)
{
	(void)state;
	struct msk_ledger *l;
	assert_msk_ok(msk_ledger_create(&l));
	msk_ledger_raise(l, 5);
	msk_ledger_deliver(l, 2);
	msk_ledger_lose(l, MSK_LOSS_MSIX_DISABLED, 1);
	assert_msk_ok(msk_ledger_check(l, 2));
	assert_msk_error(msk_ledger_check(l, 1), MSK_EIO);
	struct msk_ledger_counts c;
	msk_ledger_read(l, &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_MSIX_DISABLED], 1);
	assert_int_equal(c.lost, 1);
	assert_string_equal(msk_loss_name(MSK_LOSS_ITT_OUT_OF_RANGE), "itt-out-of-range");
	assert_int_equal(msk_loss_from_name("no-handler"), MSK_LOSS_NO_HANDLER);
	assert_msk_error(msk_loss_from_name("bogus"), MSK_EINVAL);
	for (int i = 0; i < MSK_LOSS__COUNT; i++)
		assert_string_not_equal(msk_loss_name(i), "?");
	msk_ledger_reset(l);
	msk_ledger_read(l, &c);
	assert_int_equal(c.raised, 0);
	msk_ledger_raise(NULL, 1); /* NULL ledger: no-op */
	msk_ledger_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_cpumask),
		cmocka_unit_test(test_ledger),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
