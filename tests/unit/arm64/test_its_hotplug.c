/* SPDX-License-Identifier: MIT */
/*
 * CPU hotplug on arm64: LPIs move off an outgoing CPU with MOVI (a pending
 * one with them) and nothing is lost; a managed vector whose only CPU goes
 * offline is shut down, holds its events in the device, and comes back
 * with the CPU.
 */
#include "msk_test.h"
#include "arm64_fixture.h"

static uint64_t count_on(struct am *m, unsigned int virq, unsigned int cpu)
{
	return msk_irq_count(m->core, virq, cpu);
}

static uint64_t count_all(struct am *m, unsigned int virq)
{
	uint64_t n = 0;
	for (unsigned int c = 0; c < AM_NCPUS; c++)
		n += count_on(m, virq, c);
	return n;
}

static void test_migrate_with_pending(void **state)
{
	(void)state;
	static struct am m;
	assert_int_equal(am_setup(&m, true), 0);
	struct msk_pci_dev *pdev = am_add(&m, 1, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int v = (unsigned)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(m.core, v, am_handler, "q0", &m));
	struct msk_cpumask one = msk_cpumask_of(1);
	assert_msk_ok(msk_irq_set_affinity(m.core, v, &one));
	assert_msk_ok(msk_pcifn_raise(m.fn[0], 0));
	am_service_all(&m);
	assert_int_equal(count_on(&m, v, 1), 1);
	/* Pending on CPU 1's redistributor when CPU 1 goes. */
	assert_msk_ok(msk_pcifn_raise(m.fn[0], 0));
	assert_msk_ok(msk_platform_cpu_offline(m.p, 1));
	am_service_all(&m);
	assert_int_equal(count_all(&m, v), 2);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(m.core, v);
	assert_false(msk_cpumask_test(&eff, 1));
	/* Later events go to an online CPU. */
	uint64_t on1 = count_on(&m, v, 1);
	assert_msk_ok(msk_pcifn_raise(m.fn[0], 0));
	am_service_all(&m);
	assert_int_equal(count_all(&m, v), 3);
	assert_int_equal(count_on(&m, v, 1), on1);
	assert_msk_error(msk_platform_cpu_offline(m.p, 1), MSK_EALREADY);
	assert_msk_ok(msk_platform_cpu_online(m.p, 1));
	assert_int_equal(am_lost(&m), 0);
	am_balanced(&m);
	assert_msk_ok(msk_free_irq(m.core, v));
	am_teardown(&m);
}

static void test_managed_shutdown_and_restart(void **state)
{
	(void)state;
	static struct am m;
	assert_int_equal(am_setup(&m, true), 0);
	struct msk_pci_dev *pdev = am_add(&m, 1, 0, 0, 8);
	struct msk_irq_affinity affd = { 0 };
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 4, 4,
						   MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, &affd),
			 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_request_irq(m.core, (unsigned)msk_pci_irq_vector(pdev, i),
					      am_handler, "q", &m));
	unsigned int v2 = (unsigned)msk_pci_irq_vector(pdev, 2);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(m.core, v2, &info));
	assert_true(info.managed);
	assert_true(msk_cpumask_test(&info.affinity, 2));
	assert_int_equal(msk_cpumask_weight(&info.affinity), 1);
	assert_msk_ok(msk_platform_cpu_offline(m.p, 2));
	assert_msk_ok(msk_irq_get_info(m.core, v2, &info));
	assert_false(info.started);
	/* Its events wait in the device (entry masked): not delivered, not lost. */
	assert_msk_ok(msk_pcifn_raise(m.fn[0], 2));
	am_service_all(&m);
	assert_int_equal(count_all(&m, v2), 0);
	assert_int_equal(am_lost(&m), 0);
	am_balanced(&m);
	assert_msk_ok(msk_platform_cpu_online(m.p, 2));
	am_service_all(&m);
	assert_int_equal(count_all(&m, v2), 1);
	assert_int_equal(count_on(&m, v2, 2), 1);
	assert_int_equal(am_lost(&m), 0);
	am_balanced(&m);
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_free_irq(m.core, (unsigned)msk_pci_irq_vector(pdev, i)));
	am_teardown(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_with_pending),
		cmocka_unit_test(test_managed_shutdown_and_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
