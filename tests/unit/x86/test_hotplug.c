/* SPDX-License-Identifier: MIT */
/* CPU hotplug on x86: managed shutdown and restart, migration, refusal, drain. */
#include "x86_fixture.h"

static struct xf F;

static int setup4(void **state)
{
	*state = &F;
	return xf_setup(&F, 4, false);
}

static int setup4_ir(void **state)
{
	*state = &F;
	return xf_setup(&F, 4, true);
}

static int setup2(void **state)
{
	*state = &F;
	return xf_setup(&F, 2, false);
}

static int teardown(void **state)
{
	xf_teardown(*state);
	return 0;
}

/* Four managed queues, one per CPU; returns the virq of queue q. */
static void managed_queues(struct xf *f)
{
	assert_int_equal(xf_add(f, 1, 0, false, 8, 0), 0);
	int n = msk_pci_alloc_irq_vectors(f->pdev[0], 4, 4, MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY,
					  NULL);
	assert_int_equal(n, 4);
	for (unsigned int q = 0; q < 4; q++)
		assert_msk_ok(msk_request_irq(f->core, xf_virq(f, 0, q), xf_handler, "q", f));
}

static void managed_shutdown_and_restart(struct xf *f)
{
	managed_queues(f);
	unsigned int v3 = xf_virq(f, 0, 3);
	struct msk_x86_irq_vector v = xf_vec(f, v3);
	assert_true(v.managed && v.assigned);
	assert_int_equal(v.cpu, 3);
	assert_msk_ok(msk_platform_cpu_offline(f->p, 3));
	struct msk_cpumask on = msk_core_online_cpus(f->core);
	assert_false(msk_cpumask_test(&on, 3));
	/* Queue 3 is shut down: no vector, entry masked, affinity kept. */
	v = xf_vec(f, v3);
	assert_false(v.assigned);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f->core, v3, &info));
	assert_false(info.started);
	assert_true(msk_cpumask_test(&info.affinity, 3));
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 3, &e));
	assert_true(e.masked);
	struct msk_matrix_cpu_stats cs;
	assert_msk_ok(msk_x86_platform_matrix_cpu_stats(f->p, 3, &cs));
	assert_int_equal(cs.allocated, 0);
	assert_int_equal(cs.managed, 1); /* its slot stays reserved */
	/* An event meanwhile waits in the device. */
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 3));
	assert_int_equal(msk_pcifn_held(f->fn[0]), 1);
	/* The other queues are untouched. */
	for (unsigned int q = 0; q < 3; q++) {
		assert_msk_ok(msk_pcifn_raise(f->fn[0], q));
		assert_int_equal(xf_vec(f, xf_virq(f, 0, q)).cpu, q);
	}
	xf_service(f);
	for (unsigned int q = 0; q < 3; q++)
		assert_int_equal(atomic_load(&f->calls[xf_virq(f, 0, q)]), 1);
	assert_int_equal(atomic_load(&f->calls[v3]), 0);
	xf_balanced(f);
	/* CPU 3 returns: queue 3 starts again and gets its event, once. */
	assert_msk_ok(msk_platform_cpu_online(f->p, 3));
	v = xf_vec(f, v3);
	assert_true(v.assigned);
	assert_int_equal(v.cpu, 3);
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[v3]), 1);
	assert_int_equal(atomic_load(&f->on_cpu[v3]), 4);
	assert_msk_ok(msk_irq_get_info(f->core, v3, &info));
	assert_true(info.started);
	assert_int_equal(info.depth, 0);
	assert_msk_error(msk_platform_cpu_online(f->p, 3), MSK_EALREADY);
	xf_balanced(f);
}

static void test_managed_shutdown_and_restart(void **state)
{
	managed_shutdown_and_restart(*state);
}

static void test_managed_shutdown_and_restart_remapped(void **state)
{
	managed_shutdown_and_restart(*state);
}

/* A queue its driver disabled stays disabled across offline/online. */
static void test_managed_respects_disable_depth(void **state)
{
	struct xf *f = *state;
	managed_queues(f);
	unsigned int v2 = xf_virq(f, 0, 2);
	assert_msk_ok(msk_irq_disable(f->core, v2));
	assert_msk_ok(msk_platform_cpu_offline(f->p, 2));
	assert_msk_ok(msk_platform_cpu_online(f->p, 2));
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f->core, v2, &info));
	assert_int_equal(info.depth, 1);
	assert_true(info.disabled);
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 2));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[v2]), 0); /* held, not handled */
	xf_balanced(f);
	assert_msk_ok(msk_irq_enable(f->core, v2));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[v2]), 1);
	xf_balanced(f);
}

/*
 * An event the core holds for a queue that is shut down is replayed when
 * its CPU comes back and the queue starts again - also when nothing can be
 * allocated then (the core's replay list cannot grow: it scans instead).
 */
static void test_restart_replays_without_memory(void **state)
{
	struct xf *f = *state;
	managed_queues(f);
	unsigned int v3 = xf_virq(f, 0, 3);
	assert_msk_ok(msk_platform_cpu_offline(f->p, 3));
	assert_int_equal(msk_handle_irq(f->core, 0, v3, 1), MSK_FLOW_PENDING); /* late: held */
	assert_int_equal(msk_core_held(f->core), 1);
	msk_fault_fail_alloc_from(1);
	int rc = msk_platform_cpu_online(f->p, 3);
	msk_fault_reset();
	assert_msk_ok(rc);
	assert_int_equal(msk_core_held(f->core), 0);
	assert_int_equal(atomic_load(&f->calls[v3]), 1);
}

/* A normal irq on the CPU moves; with no CPU of its mask left, affinity breaks. */
static void test_normal_irqs_migrate(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 1, 0, false, 8, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int a = xf_virq(f, 0, 0), b = xf_virq(f, 0, 1);
	struct msk_cpumask only1 = msk_cpumask_of(1), one_or_two = msk_cpumask_of(1);
	msk_cpumask_set(&one_or_two, 2);
	assert_msk_ok(msk_irq_set_affinity(f->core, a, &only1));
	assert_msk_ok(msk_irq_set_affinity(f->core, b, &one_or_two));
	assert_msk_ok(msk_request_irq(f->core, a, xf_handler, "a", f));
	assert_msk_ok(msk_request_irq(f->core, b, xf_handler, "b", f));
	assert_int_equal(xf_vec(f, a).cpu, 1);
	struct msk_cpumask eff_b = msk_irq_get_effective_affinity(f->core, b);
	if (!msk_cpumask_test(&eff_b, 1)) { /* put b on CPU 1 too */
		assert_msk_ok(msk_pcifn_raise(f->fn[0], 1));
		xf_service(f);
		assert_msk_ok(msk_irq_set_affinity(f->core, b, &only1));
		assert_msk_ok(msk_pcifn_raise(f->fn[0], 1));
		xf_service(f);
		assert_msk_ok(msk_irq_set_affinity(f->core, b, &one_or_two));
	}
	assert_int_equal(xf_vec(f, b).cpu, 1);
	unsigned int calls_b = atomic_load(&f->calls[b]);
	/* An event pending on CPU 1 when it goes: CPU 1 handles it before it leaves. */
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	assert_msk_ok(msk_platform_cpu_offline(f->p, 1));
	assert_int_equal(atomic_load(&f->calls[a]), 1);
	assert_int_equal(atomic_load(&f->on_cpu[a]), 2);
	struct msk_x86_irq_vector va = xf_vec(f, a), vb = xf_vec(f, b);
	assert_true(va.assigned && vb.assigned);
	assert_int_not_equal(va.cpu, 1);
	assert_int_equal(vb.cpu, 2); /* the other CPU of its mask */
	struct msk_cpumask aff_a = msk_irq_get_affinity(f->core, a);
	assert_int_equal(msk_cpumask_weight(&aff_a), 3); /* broken: every online CPU */
	struct msk_cpumask aff_b = msk_irq_get_affinity(f->core, b);
	assert_true(msk_cpumask_equal(&aff_b, &one_or_two)); /* kept */
	struct msk_matrix_cpu_stats cs;
	assert_msk_ok(msk_x86_platform_matrix_cpu_stats(f->p, 1, &cs));
	assert_int_equal(cs.allocated, 0); /* old vectors released */
	assert_false(cs.online);
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 1));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[a]), 2);
	assert_int_equal(atomic_load(&f->calls[b]), calls_b + 1);
	assert_int_equal(atomic_load(&f->on_cpu[b]), 3);
	assert_int_equal(xf_lost(f, MSK_LOSS_VECTOR_NOT_ASSIGNED), 0);
	assert_msk_error(msk_platform_cpu_offline(f->p, 1), MSK_EALREADY);
	assert_msk_ok(msk_platform_cpu_online(f->p, 1));
	xf_balanced(f);
}

/* Refused when the remaining CPU cannot take the vectors; nothing changes. */
static void test_offline_refused_when_full(void **state)
{
	struct xf *f = *state;
	for (unsigned int d = 0; d < 5; d++) {
		assert_int_equal(xf_add(f, 1 + d, 0, false, 64, 0), (int)d);
		assert_int_equal(
			msk_pci_alloc_irq_vectors(f->pdev[d], 64, 64, MSK_PCI_IRQ_MSIX, NULL), 64);
		for (unsigned int i = 0; i < 64; i++)
			assert_msk_ok(
				msk_request_irq(f->core, xf_virq(f, d, i), xf_handler, "q", f));
	}
	struct msk_matrix_stats before, after;
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &before));
	assert_msk_error(msk_platform_cpu_offline(f->p, 1), MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "CPU 1 has 160 vectors, 43 available"));
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &after));
	assert_int_equal(after.online_cpus, 2);
	assert_int_equal(after.total_allocated, before.total_allocated);
	assert_int_equal(after.global_available, before.global_available);
	struct msk_cpumask on = msk_core_online_cpus(f->core);
	assert_int_equal(msk_cpumask_weight(&on), 2);
	/* The last CPU never goes. */
	xf_free_handlers(f, 0);
	for (unsigned int d = 0; d < 5; d++) {
		xf_free_handlers(f, d);
		assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[d]));
	}
	assert_msk_ok(msk_platform_cpu_offline(f->p, 1));
	assert_msk_error(msk_platform_cpu_offline(f->p, 0), MSK_EINVAL);
	assert_msk_ok(msk_platform_cpu_online(f->p, 1));
	xf_balanced(f);
}

/* The generic API on its own: bad calls change nothing. */
static void test_generic_bad_calls(void **state)
{
	struct xf *f = *state;
	struct msk_hotplug_stats st;
	assert_msk_error(msk_irq_cpu_offline(f->core, 7, &st), MSK_EINVAL);
	assert_msk_error(msk_irq_cpu_online(f->core, 0, &st), MSK_EALREADY);
	assert_msk_error(msk_platform_cpu_offline(f->p, 9), MSK_EINVAL);
	struct msk_cpumask on = msk_core_online_cpus(f->core);
	assert_int_equal(msk_cpumask_weight(&on), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_managed_shutdown_and_restart, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_managed_shutdown_and_restart_remapped,
						setup4_ir, teardown),
		cmocka_unit_test_setup_teardown(test_managed_respects_disable_depth, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_restart_replays_without_memory, setup4,
						teardown),
		cmocka_unit_test_setup_teardown(test_normal_irqs_migrate, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_offline_refused_when_full, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_generic_bad_calls, setup4, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
