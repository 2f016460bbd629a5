/* SPDX-License-Identifier: MIT */
/*
 * CPU hotplug on ppc64: sources are retargeted off an outgoing CPU
 * (H_INT_SET_SOURCE_CONFIG) and what was already queued for it is handled
 * before it goes - nothing lost; a managed vector whose only CPU goes
 * offline is shut down and comes back with the CPU; the CPU's event queue
 * goes and comes back with it.
 */
#include "msk_test.h"
#include "ppc64_fixture.h"

#include "irqchip/xive.h"

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

/*
 * The outgoing CPU's event queue goes with it (H_INT_SET_QUEUE_CONFIG size
 * 0) and comes back zeroed with it; while a source that could not be moved
 * still targets the CPU, the queue stays.
 */
static void test_queue_follows_the_cpu(void **state)
{
	(void)state;
	struct pp *t = pp_new(4, false, 0);
	struct msk_xive *x = msk_ppc64_platform_xive(t->p);
	unsigned int i = pp_add_fn(t, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, i, 1);
	unsigned int v = (unsigned)msk_pci_irq_vector(t->pdev[i], 0);
	struct msk_cpumask two = msk_cpumask_of(2);
	assert_msk_ok(msk_irq_set_affinity(t->core, v, &two));
	for (int k = 0; k < 3; k++) { /* entries written: the queue's indexes move on */
		assert_msk_ok(msk_pcifn_raise(t->fn[i], 0));
		pp_service(t);
	}
	assert_int_equal(pp_counter(t, "xive-queues"), 4);
	assert_msk_ok(msk_platform_cpu_offline(t->p, 2));
	assert_int_equal(pp_counter(t, "xive-queues"), 3);
	struct msk_xive_end_info e;
	assert_msk_ok(msk_xive_get_queue(x, 2, XIVE_DRV_PRIO, &e));
	assert_false(e.enqueue);
	assert_msk_ok(msk_platform_cpu_online(t->p, 2));
	assert_msk_ok(msk_xive_get_queue(x, 2, XIVE_DRV_PRIO, &e));
	assert_true(e.enqueue);
	assert_int_equal(e.windex, 0);
	assert_true(e.generation);
	assert_msk_ok(msk_irq_set_affinity(t->core, v, &two));
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 0));
	pp_service(t);
	assert_int_equal(msk_irq_count(t->core, v, 2), 4);

	/* A refused retarget is tried once more: CPU 2 goes, its queue with it. */
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	msk_spapr_fault_arm(fw, 1, 1);
	assert_msk_ok(msk_platform_cpu_offline(t->p, 2));
	assert_int_equal(pp_counter(t, "xive-queues"), 3);
	assert_msk_ok(msk_platform_cpu_online(t->p, 2));
	assert_msk_ok(msk_irq_set_affinity(t->core, v, &two));

	/* A source the firmware would not move at all keeps CPU 2's queue alive. */
	msk_spapr_fault_arm(fw, 1, 2);
	assert_msk_error(msk_platform_cpu_offline(t->p, 2), MSK_EIO);
	msk_spapr_fault_arm(fw, 0, 0);
	assert_int_equal(pp_counter(t, "xive-queues"), 4);
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 0));
	struct msk_platform_route r;
	struct msk_pcifn_vector m;
	assert_msk_ok(msk_pcifn_msix_entry(t->fn[i], 0, &m));
	assert_msk_ok(msk_platform_route(t->p, msk_pcifn_rid(t->fn[i]), m.addr, m.data, &r));
	assert_false(r.lost);
	assert_int_equal(r.cpu, 2);
	pp_service(t);
	assert_int_equal(msk_irq_count(t->core, v, 2), 5);
	/* Online again: the queue was never removed, nothing is reset. */
	assert_msk_ok(msk_platform_cpu_online(t->p, 2));
	assert_int_equal(pp_counter(t, "xive-queues"), 4);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
	pp_free_irqs(t, i, 1);
	pp_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_with_queued_event),
		cmocka_unit_test(test_managed_shutdown_and_restart),
		cmocka_unit_test(test_queue_follows_the_cpu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
