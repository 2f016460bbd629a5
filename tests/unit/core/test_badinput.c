/* SPDX-License-Identifier: MIT */
/* Bad input: every call fails with a clear error and leaves state unchanged. */
#include "msk_test.h"
#include "test_hier.h"

static enum msk_irqreturn handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static void snapshot(struct th *t, struct msk_core_stats *st)
{
	msk_core_get_stats(t->core, st);
}

static void assert_same(struct th *t, const struct msk_core_stats *before)
{
	struct msk_core_stats now;
	snapshot(t, &now);
	assert_int_equal(now.virqs, before->virqs);
	assert_int_equal(now.irq_data, before->irq_data);
	assert_int_equal(now.actions, before->actions);
	assert_int_equal(now.revmap_entries, before->revmap_entries);
	assert_int_equal(now.domains, before->domains);
}

static void test_core_config(void **state)
{
	(void)state;
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 0 };
	assert_msk_error(msk_core_create(&cfg, &core), MSK_EINVAL);
	cfg.nr_cpus = MSK_MAX_CPUS + 1;
	assert_msk_error(msk_core_create(&cfg, &core), MSK_EINVAL);
	cfg.nr_cpus = 2;
	cfg.nr_irqs = MSK_MAX_NR_IRQS + 1;
	assert_msk_error(msk_core_create(&cfg, &core), MSK_EINVAL);
	assert_msk_error(msk_core_create(NULL, &core), MSK_EINVAL);
	cfg.nr_irqs = 0;
	msk_fault_fail_alloc(1);
	assert_msk_error(msk_core_create(&cfg, &core), MSK_ENOMEM);
	msk_fault_reset();
	assert_msk_ok(msk_core_create(&cfg, &core));
	assert_int_equal(msk_core_nr_irqs(core), MSK_DEFAULT_NR_IRQS);
	assert_msk_error(msk_core_set_cpu_online(core, 2, false), MSK_EINVAL);
	assert_msk_ok(msk_core_set_cpu_online(core, 0, false));
	assert_msk_error(msk_core_set_cpu_online(core, 1, false), MSK_EINVAL); /* last one */
	msk_core_destroy(core);
	msk_core_destroy(NULL);
}

static void test_alloc_free_errors(void **state)
{
	(void)state;
	struct th t;
	assert_msk_ok(th_create(&t, 2, NULL));
	struct msk_core_stats st;
	unsigned int virq, v2;
	snapshot(&t, &st);
	assert_msk_error(msk_domain_alloc_irqs(t.lv[TH_DEV].domain, 0, &virq, NULL, &virq),
			 MSK_EINVAL);
	assert_msk_error(th_alloc(&t, MSK_DEFAULT_NR_IRQS, 0, &virq), MSK_EINVAL);
	assert_msk_error(th_alloc(&t, 5000, 0, &virq), MSK_ENOSPC); /* ROOT has 4095 hwirqs */
	assert_same(&t, &st);

	assert_msk_ok(th_alloc(&t, 2, 0, &virq));
	snapshot(&t, &st);
	assert_msk_error(msk_domain_free_irqs(t.core, 0, 1), MSK_EINVAL);
	assert_msk_error(msk_domain_free_irqs(t.core, virq, 0), MSK_EINVAL);
	assert_msk_error(msk_domain_free_irqs(t.core, virq + 2, 1), MSK_EINVAL); /* unallocated */
	assert_msk_error(msk_domain_free_irqs(t.core, virq, 3), MSK_EINVAL);	 /* partly */
	assert_msk_error(msk_domain_free_irqs(t.core, MSK_DEFAULT_NR_IRQS - 1, 2), MSK_EINVAL);
	assert_same(&t, &st);

	/* A virq with a handler cannot be freed; then it can. */
	assert_msk_ok(msk_request_irq(t.core, virq, handler, "h", NULL));
	assert_msk_error(msk_request_irq(t.core, virq, handler, "again", NULL), MSK_EBUSY);
	assert_msk_error(msk_request_irq(t.core, virq + 1, NULL, "null", NULL), MSK_EINVAL);
	snapshot(&t, &st);
	assert_msk_error(msk_domain_free_irqs(t.core, virq, 2), MSK_EBUSY);
	assert_same(&t, &st);
	assert_msk_ok(msk_free_irq(t.core, virq));
	assert_msk_error(msk_free_irq(t.core, virq), MSK_EINVAL);
	assert_msk_ok(msk_domain_free_irqs(t.core, virq, 2));

	/* Double free, and calls on a freed virq. */
	snapshot(&t, &st);
	assert_msk_error(msk_domain_free_irqs(t.core, virq, 2), MSK_EINVAL);
	assert_msk_error(msk_request_irq(t.core, virq, handler, "gone", NULL), MSK_EINVAL);
	assert_msk_error(msk_irq_enable(t.core, virq), MSK_EINVAL);
	assert_msk_error(msk_irq_disable(t.core, virq), MSK_EINVAL);
	assert_msk_error(msk_irq_mask(t.core, virq), MSK_EINVAL);
	assert_msk_error(msk_irq_unmask(t.core, virq), MSK_EINVAL);
	assert_msk_error(msk_synchronize_irq(t.core, virq), MSK_EINVAL);
	struct msk_cpumask m = msk_cpumask_of(0);
	assert_msk_error(msk_irq_set_affinity(t.core, virq, &m), MSK_EINVAL);
	assert_msk_error(msk_irq_activate(t.core, virq, false), MSK_EINVAL);
	struct msk_irq_info info;
	assert_msk_error(msk_irq_get_info(t.core, virq, &info), MSK_EINVAL);
	assert_null(msk_irq_to_desc(t.core, virq));
	assert_null(msk_irq_to_desc(t.core, 0));
	assert_null(msk_irq_to_desc(t.core, ~0u));
	assert_msk_error(msk_handle_irq(t.core, 7, virq, 1), MSK_EINVAL); /* no CPU 7 */
	assert_int_equal(msk_handle_irq(t.core, 0, virq, 1), MSK_FLOW_NO_DESC);
	assert_int_equal(msk_handle_irq(t.core, 0, ~0u, 1), MSK_FLOW_NO_DESC);
	assert_same(&t, &st);

	/* Managed virqs refuse user affinity. */
	struct msk_irq_affinity_desc aff = { .mask = msk_cpumask_of(1), .is_managed = true };
	unsigned int idx = 0;
	assert_msk_ok(msk_domain_alloc_irqs(t.lv[TH_DEV].domain, 1, &idx, &aff, &v2));
	assert_msk_ok(msk_request_irq(t.core, v2, handler, "m", NULL));
	assert_msk_error(msk_irq_set_affinity(t.core, v2, &m), MSK_EPERM);
	assert_msk_ok(msk_free_irq(t.core, v2));
	assert_msk_ok(msk_domain_free_irqs(t.core, v2, 1));
	th_destroy(&t);
}

/* Exhaust a small virq space, then find runs in a fragmented one. */
static void test_virq_space(void **state)
{
	(void)state;
	struct th t;
	/* 17 virqs: 1..16 usable. */
	assert_msk_ok(th_create_sized(&t, 1, 17, NULL));
	unsigned int x, y;
	assert_msk_ok(th_alloc(&t, 16, 0, &x));
	assert_int_equal(x, 1);
	struct msk_core_stats st;
	msk_core_get_stats(t.core, &st);
	assert_msk_error(th_alloc(&t, 1, 100, &y), MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "TEST-DEV"));
	assert_same(&t, &st);
	assert_msk_ok(msk_domain_free_irqs(t.core, 5, 1)); /* part of a run may be freed */
	assert_msk_ok(th_alloc(&t, 1, 100, &y));
	assert_int_equal(y, 5);
	th_destroy(&t);

	assert_msk_ok(th_create(&t, 1, NULL));
	unsigned int v[8];
	for (int i = 0; i < 8; i++)
		assert_msk_ok(th_alloc(&t, 2, (unsigned)i * 2, &v[i]));
	/* Free every other pair: runs of 2 are free, runs of 4 are not. */
	for (int i = 0; i < 8; i += 2)
		assert_msk_ok(msk_domain_free_irqs(t.core, v[i], 2));
	unsigned int a;
	assert_msk_ok(th_alloc(&t, 2, 100, &a));
	assert_int_equal(a, v[0]); /* first fit */
	assert_msk_ok(th_alloc(&t, 4, 200, &a));
	assert_true(a > v[7]);
	th_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_core_config),
		cmocka_unit_test(test_alloc_free_errors),
		cmocka_unit_test(test_virq_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
