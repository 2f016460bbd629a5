/* SPDX-License-Identifier: MIT */
/*
 * CPU hotplug on ppc64: sources are retargeted off an outgoing CPU
 * (H_INT_SET_SOURCE_CONFIG) and what was already queued for it is handled
 * before it goes - nothing lost; a managed vector whose only CPU goes
 * offline is shut down and comes back with the CPU.
 */
#include "msk_test.h"
#include "ppc64_fixture.h"

static uint64_t count_all(struct pp *t, unsigned int virq)
{
	uint64_t n = 0;
	for (unsigned int c = 0; c < t->ncpus; c++)
		n += msk_irq_count(t->core, virq, c);
	return n;
}

static void test_migrate_with_queued_event(void **state)
{
	(void)state;
	struct pp *t = pp_new(4, false, 0);
	unsigned int i = pp_add_fn(t, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	pp_request(t, i, 2);
	unsigned int v = (unsigned)msk_pci_irq_vector(t->pdev[i], 0);
	struct msk_cpumask one = msk_cpumask_of(1);
	assert_msk_ok(msk_irq_set_affinity(t->core, v, &one));
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 0));
	pp_service(t);
	assert_int_equal(msk_irq_count(t->core, v, 1), 1);
	/* Queued for CPU 1 when it goes: handled on the way out. */
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 0));
	assert_msk_ok(msk_platform_cpu_offline(t->p, 1));
	pp_service(t);
	assert_int_equal(count_all(t, v), 2);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(t->core, v);
	assert_false(msk_cpumask_test(&eff, 1));
	uint64_t on1 = msk_irq_count(t->core, v, 1);
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 0));
	pp_service(t);
	assert_int_equal(count_all(t, v), 3);
	assert_int_equal(msk_irq_count(t->core, v, 1), on1);
	assert_msk_ok(msk_platform_cpu_online(t->p, 1));
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
	pp_free_irqs(t, i, 2);
	pp_free(t);
}

static void test_managed_shutdown_and_restart(void **state)
{
	(void)state;
	struct pp *t = pp_new(4, false, 0);
	unsigned int i = pp_add_fn(t, 0, 0, 8);
	struct msk_irq_affinity affd = { 0 };
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 4, 4,
						   MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, &affd),
			 4);
	pp_request(t, i, 4);
	unsigned int v2 = (unsigned)msk_pci_irq_vector(t->pdev[i], 2);
	assert_msk_ok(msk_platform_cpu_offline(t->p, 2));
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(t->core, v2, &info));
	assert_false(info.started);
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 2));
	pp_service(t);
	assert_int_equal(count_all(t, v2), 0);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
	assert_msk_ok(msk_platform_cpu_online(t->p, 2));
	pp_service(t);
	assert_int_equal(count_all(t, v2), 1);
	assert_int_equal(msk_irq_count(t->core, v2, 2), 1);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
	pp_free_irqs(t, i, 4);
	pp_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_with_queued_event),
		cmocka_unit_test(test_managed_shutdown_and_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
