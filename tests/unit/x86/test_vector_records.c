/* SPDX-License-Identifier: MIT */
/*
 * VECTOR's cleanup records: one previous vector per irq, embedded (Linux's
 * apic_chip_data.clist), so CPU hotplug and deactivation allocate nothing
 * and cannot fail for want of memory; a move in progress is force-completed
 * first; a vector retired while an interrupt on it is pending is kept
 * (record or parked) until its CPU has taken that interrupt.
 */
#include "x86_fixture.h"

static struct xf F;

static int setup_compat(void **state)
{
	*state = &F;
	return xf_setup(&F, 4, false);
}

static int setup_ir(void **state)
{
	*state = &F;
	return xf_setup(&F, 4, true);
}

static int teardown(void **state)
{
	msk_fault_reset();
	xf_teardown(*state);
	return 0;
}

static int64_t counter(struct xf *f, const char *name)
{
	struct msk_platform_counter c[32];
	size_t n = msk_platform_counters(f->p, c, 32);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return -1;
}

static unsigned int cpu_allocated(struct xf *f, unsigned int cpu)
{
	struct msk_matrix_cpu_stats cs;
	assert_msk_ok(msk_x86_platform_matrix_cpu_stats(f->p, cpu, &cs));
	return cs.allocated;
}

/* The matrix as the platform left it before any device: per-CPU allocations and the totals. */
struct baseline {
	struct msk_matrix_stats st;
	unsigned int allocated[4];
};

static void take_baseline(struct xf *f, struct baseline *b)
{
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &b->st));
	for (unsigned int c = 0; c < 4; c++)
		b->allocated[c] = cpu_allocated(f, c);
}

static void assert_baseline(struct xf *f, const struct baseline *b)
{
	struct msk_matrix_stats st;
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &st));
	assert_int_equal(st.total_allocated, b->st.total_allocated);
	assert_int_equal(st.global_reserved, b->st.global_reserved);
	assert_int_equal(st.global_available, b->st.global_available);
	assert_int_equal(st.online_cpus, b->st.online_cpus);
	for (unsigned int c = 0; c < 4; c++)
		assert_int_equal(cpu_allocated(f, c), b->allocated[c]);
	assert_int_equal(counter(f, "cleanup_pending"), 0);
	assert_int_equal(counter(f, "vectors_parked"), 0);
}

/* Run `call` with every heap allocation failing; it must succeed all the same. */
#define assert_ok_without_memory(call)                                                            \
	do {                                                                                      \
		msk_fault_reset();                                                                \
		msk_fault_fail_alloc_from(1);                                                     \
		int rc_ = (call);                                                                 \
		unsigned long failed_ = msk_fault_injected_count();                               \
		msk_fault_reset();                                                                \
		if (rc_ < 0)                                                                      \
			fail_msg("%s failed without memory (%lu allocations refused): %s", #call, \
				 failed_, msk_last_error());                                      \
	} while (0)

/* Remove device `dev` (OS view, then the function), leaving the fixture nothing to do for it. */
static void remove_dev(struct xf *f, unsigned int dev)
{
	xf_free_handlers(f, dev);
	assert_msk_ok(msk_platform_pci_remove(f->p, f->pdev[dev]));
	msk_pcifn_destroy(f->fn[dev]);
	f->pdev[dev] = NULL;
	f->fn[dev] = NULL;
}

static uint64_t lost_total(struct xf *f)
{
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	return c.lost;
}

/*
 * One vector, moved from CPU A to CPU B with an event still pending on A
 * (the move is in progress), and a second event pending on B. Returns the
 * virq; *a, *b, *va, *vb are the CPUs and vectors.
 */
static unsigned int move_with_both_pending(struct xf *f, unsigned int dev, unsigned int *a,
					   unsigned int *b, unsigned int *va, unsigned int *vb)
{
	unsigned int virq = xf_virq(f, dev, 0);
	struct msk_x86_irq_vector v0 = xf_vec(f, virq);
	assert_true(v0.assigned);
	*a = v0.cpu;
	*va = v0.vector;
	*b = *a == 3 ? 1 : *a + 1; /* never CPU 0: tests take B offline */
	assert_msk_ok(msk_pcifn_raise(f->fn[dev], 0));
	struct msk_cpumask m = msk_cpumask_of(*b);
	assert_msk_ok(msk_irq_set_affinity(f->core, virq, &m));
	struct msk_x86_irq_vector v1 = xf_vec(f, virq);
	assert_true(v1.move_in_progress);
	assert_int_equal(v1.cpu, *b);
	assert_int_equal(v1.prev_cpu, *a);
	*vb = v1.vector;
	assert_msk_ok(msk_pcifn_raise(f->fn[dev], 0));
	struct msk_x86_cpu_state st;
	assert_msk_ok(msk_x86_cpu_state(msk_x86_platform_model(f->p), *a, &st));
	assert_true((st.irr[*va / 64] >> (*va % 64)) & 1);
	assert_msk_ok(msk_x86_cpu_state(msk_x86_platform_model(f->p), *b, &st));
	assert_true((st.irr[*vb / 64] >> (*vb % 64)) & 1);
	return virq;
}

static unsigned int one_vector_device(struct xf *f, unsigned int busno)
{
	int dev = xf_add(f, busno, 0, false, 4, 0);
	assert_true(dev >= 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[dev], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_msk_ok(
		msk_request_irq(f->core, xf_virq(f, (unsigned int)dev, 0), xf_handler, "q", f));
	return (unsigned int)dev;
}

/*
 * The CPU the irq moves to goes offline while the move is in progress and
 * nothing can be allocated: the forced move force-completes the move (the
 * previous vector, still pending on A, waits in the record), the vector on
 * B - pending too - is parked while the record is taken, B hands its event
 * over before it goes. Both events are delivered, nothing is lost.
 */
static void offline_force_completes(struct xf *f)
{
	struct baseline base;
	take_baseline(f, &base);
	unsigned int dev = one_vector_device(f, 1);
	unsigned int a, b, va, vb;
	unsigned int virq = move_with_both_pending(f, dev, &a, &b, &va, &vb);
	int64_t forced = counter(f, "moves_forced");

	assert_ok_without_memory(msk_platform_cpu_offline(f->p, b));
	struct msk_cpumask on = msk_core_online_cpus(f->core);
	assert_false(msk_cpumask_test(&on, b));
	assert_int_equal(counter(f, "moves_forced"), forced + 1);
	/* B took its event through the parked vector before it went. */
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	assert_int_equal(atomic_load(&f->on_cpu[virq]), b + 1);
	assert_int_equal(cpu_allocated(f, b), 0);
	assert_int_equal(counter(f, "vectors_parked"), 0);
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	assert_true(v.assigned);
	assert_int_not_equal(v.cpu, b);
	assert_false(v.move_in_progress);
	assert_int_equal(v.cleanup_pending, 1); /* A's vector: its event is still pending */
	/* A takes it through its old vector; then the vector goes. */
	assert_int_equal(msk_platform_cpu_service(f->p, a, 16), 1);
	assert_int_equal(atomic_load(&f->calls[virq]), 2);
	assert_int_equal(atomic_load(&f->on_cpu[virq]), a + 1);
	assert_int_equal(xf_vec(f, virq).cleanup_pending, 0);
	/* And the irq works where it is now. */
	assert_msk_ok(msk_pcifn_raise(f->fn[dev], 0));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 3);
	assert_int_equal(atomic_load(&f->on_cpu[virq]), v.cpu + 1);
	assert_int_equal(lost_total(f), 0);
	xf_balanced(f);

	assert_ok_without_memory(msk_platform_cpu_online(f->p, b));
	remove_dev(f, dev);
	assert_baseline(f, &base);
	xf_balanced(f);
}

static void test_offline_force_completes_compat(void **state)
{
	offline_force_completes(*state);
}

static void test_offline_force_completes_remapped(void **state)
{
	offline_force_completes(*state);
}

/*
 * free_irq (deactivation) with a move in progress, both vectors pending,
 * and nothing to allocate: the move is force-completed, the previous
 * vector waits in the record, the current one is parked - both stay out
 * of the allocator until their CPUs have taken the events, which reach
 * the irq (now without a handler: lost as no-handler, as the driver asked).
 */
static void test_deactivate_parks_pending(void **state)
{
	struct xf *f = *state;
	struct baseline base;
	take_baseline(f, &base);
	unsigned int dev = one_vector_device(f, 1);
	unsigned int a, b, va, vb;
	unsigned int virq = move_with_both_pending(f, dev, &a, &b, &va, &vb);

	assert_ok_without_memory(msk_free_irq(f->core, virq));
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	assert_false(v.assigned);
	assert_true(v.reserved); /* back to reservation mode */
	assert_false(v.move_in_progress);
	assert_int_equal(v.cleanup_pending, 1);
	assert_int_equal(counter(f, "moves_forced"), 1);
	assert_int_equal(counter(f, "vectors_parked"), 1);
	assert_int_equal(counter(f, "cleanup_pending"), 2);
	assert_int_equal(cpu_allocated(f, a), base.allocated[a] + 1);
	assert_int_equal(cpu_allocated(f, b), base.allocated[b] + 1);

	/* Another device's vectors, on every CPU, never get the two kept vectors. */
	int other = xf_add(f, 2, 0, false, 16, 0);
	assert_int_equal(other, 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[1], 16, 16, MSK_PCI_IRQ_MSIX, NULL), 16);
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int ov = xf_virq(f, 1, i);
		struct msk_cpumask m = msk_cpumask_of(i % 4);
		assert_msk_ok(msk_irq_set_affinity(f->core, ov, &m));
		assert_msk_ok(msk_request_irq(f->core, ov, xf_handler, "other", f));
		struct msk_x86_irq_vector w = xf_vec(f, ov);
		assert_false(w.cpu == a && w.vector == va);
		assert_false(w.cpu == b && w.vector == vb);
	}

	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 0);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(atomic_load(&f->calls[xf_virq(f, 1, i)]), 0);
	assert_int_equal(xf_lost(f, MSK_LOSS_NO_HANDLER), 2);
	assert_int_equal(xf_lost(f, MSK_LOSS_VECTOR_NOT_ASSIGNED), 0);
	assert_int_equal(lost_total(f), 2);
	assert_int_equal(counter(f, "vectors_parked"), 0);
	assert_int_equal(counter(f, "cleanup_pending"), 0);
	assert_int_equal(xf_vec(f, virq).cleanup_pending, 0);
	xf_balanced(f);
	remove_dev(f, 1);
	remove_dev(f, dev);
	assert_baseline(f, &base);
}

/*
 * The irq is freed altogether before its CPUs take the events: both
 * vectors are parked with empty table entries - the events are lost as
 * vector-not-assigned, and never handed to an irq that got the vector.
 */
static void test_free_parks_without_owner(void **state)
{
	struct xf *f = *state;
	struct baseline base;
	take_baseline(f, &base);
	unsigned int dev = one_vector_device(f, 1);
	unsigned int a, b, va, vb;
	move_with_both_pending(f, dev, &a, &b, &va, &vb);

	xf_free_handlers(f, dev);
	assert_ok_without_memory(msk_pci_free_irq_vectors(f->pdev[dev]));
	assert_int_equal(counter(f, "vectors_parked"), 2);
	assert_int_equal(cpu_allocated(f, a), base.allocated[a] + 1);
	assert_int_equal(cpu_allocated(f, b), base.allocated[b] + 1);

	int other = xf_add(f, 2, 0, false, 16, 0);
	assert_int_equal(other, 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[1], 16, 16, MSK_PCI_IRQ_MSIX, NULL), 16);
	for (unsigned int i = 0; i < 16; i++) {
		unsigned int ov = xf_virq(f, 1, i);
		struct msk_cpumask m = msk_cpumask_of(i % 4);
		assert_msk_ok(msk_irq_set_affinity(f->core, ov, &m));
		assert_msk_ok(msk_request_irq(f->core, ov, xf_handler, "other", f));
		struct msk_x86_irq_vector w = xf_vec(f, ov);
		assert_false(w.cpu == a && w.vector == va);
		assert_false(w.cpu == b && w.vector == vb);
	}
	xf_service(f);
	for (unsigned int i = 0; i < 16; i++)
		assert_int_equal(atomic_load(&f->calls[xf_virq(f, 1, i)]), 0);
	assert_int_equal(xf_lost(f, MSK_LOSS_VECTOR_NOT_ASSIGNED), 2);
	assert_int_equal(lost_total(f), 2);
	assert_int_equal(counter(f, "vectors_parked"), 0);
	xf_balanced(f);
	remove_dev(f, 1);
	remove_dev(f, dev);
	assert_baseline(f, &base);
}

/*
 * Hotplug and deactivation with every allocation failing, over a mix of
 * irqs: eight normal ones (one of them mid-move), four managed queues,
 * events pending everywhere. The CPU goes offline with every vector moved
 * off it (its managed queue shut down), comes back, and the irqs are freed;
 * every event is delivered but the one pending at the shut-down queue's
 * last CPU (lost cpu-offline, Linux's fixup_irqs() skips VECTOR_SHUTDOWN)
 * and those pending at free_irq (no-handler); the matrix ends where it began.
 */
static void hotplug_without_memory(struct xf *f)
{
	struct baseline base;
	take_baseline(f, &base);
	assert_int_equal(xf_add(f, 1, 0, false, 8, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 8, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_msk_ok(msk_request_irq(f->core, xf_virq(f, 0, i), xf_handler, "n", f));
	assert_int_equal(xf_add(f, 2, 0, false, 4, 0), 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[1], 4, 4,
						   MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, NULL),
			 4);
	for (unsigned int q = 0; q < 4; q++)
		assert_msk_ok(msk_request_irq(f->core, xf_virq(f, 1, q), xf_handler, "m", f));

	/* Vector 0 of device 0 mid-move to the CPU that goes, events pending on both ends. */
	unsigned int a, d, va, vd;
	unsigned int moving = move_with_both_pending(f, 0, &a, &d, &va, &vd);
	uint64_t raised = 2;
	for (unsigned int i = 1; i < 8; i++, raised++)
		assert_msk_ok(msk_pcifn_raise(f->fn[0], i));
	for (unsigned int q = 0; q < 4; q++, raised++)
		assert_msk_ok(msk_pcifn_raise(f->fn[1], q));
	unsigned int queue_d = xf_virq(f, 1, d); /* managed queue q sits on CPU q */
	assert_int_equal(xf_vec(f, queue_d).cpu, d);

	assert_ok_without_memory(msk_platform_cpu_offline(f->p, d));
	struct msk_cpumask on = msk_core_online_cpus(f->core);
	assert_false(msk_cpumask_test(&on, d));
	assert_int_equal(cpu_allocated(f, d), 0);
	for (unsigned int i = 0; i < 8; i++) {
		struct msk_x86_irq_vector v = xf_vec(f, xf_virq(f, 0, i));
		assert_true(v.assigned);
		assert_int_not_equal(v.cpu, d);
	}
	for (unsigned int q = 0; q < 4; q++) {
		struct msk_x86_irq_vector v = xf_vec(f, xf_virq(f, 1, q));
		assert_true(q == d ? !v.assigned : v.assigned && v.cpu == q);
	}
	/*
	 * The drain took what CPU d held: the moved vectors' events were
	 * delivered, the shut-down queue's event is lost (its vector was
	 * VECTOR_SHUTDOWN); the rest arrives now.
	 */
	assert_int_equal(msk_core_held(f->core), 0);
	assert_int_equal(xf_lost(f, MSK_LOSS_CPU_OFFLINE), 1);
	assert_int_equal(atomic_load(&f->calls[queue_d]), 0);
	xf_service(f);
	uint64_t delivered = 0;
	for (unsigned int i = 0; i < 8; i++)
		delivered += atomic_load(&f->calls[xf_virq(f, 0, i)]);
	for (unsigned int q = 0; q < 4; q++)
		delivered += atomic_load(&f->calls[xf_virq(f, 1, q)]);
	assert_int_equal(delivered, raised - 1);
	assert_int_equal(atomic_load(&f->calls[moving]), 2);
	assert_int_equal(lost_total(f), 1);
	assert_int_equal(counter(f, "cleanup_pending"), 0);
	xf_balanced(f);

	/* Another event for the shut-down queue waits in the device; online restarts it. */
	assert_msk_ok(msk_pcifn_raise(f->fn[1], d));
	assert_ok_without_memory(msk_platform_cpu_online(f->p, d));
	assert_int_equal(xf_vec(f, queue_d).cpu, d);
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[queue_d]), 1);
	assert_int_equal(atomic_load(&f->on_cpu[queue_d]), d + 1);
	assert_int_equal(msk_core_held(f->core), 0);
	assert_int_equal(lost_total(f), 1);

	/* Deactivation: a move in progress again, events pending, then free_irq for all. */
	move_with_both_pending(f, 0, &a, &d, &va, &vd);
	for (unsigned int q = 0; q < 4; q++)
		assert_msk_ok(msk_pcifn_raise(f->fn[1], q));
	for (unsigned int i = 0; i < 8; i++)
		assert_ok_without_memory(msk_free_irq(f->core, xf_virq(f, 0, i)));
	for (unsigned int q = 0; q < 4; q++)
		assert_ok_without_memory(msk_free_irq(f->core, xf_virq(f, 1, q)));
	for (unsigned int i = 0; i < 8; i++)
		assert_false(xf_vec(f, xf_virq(f, 0, i)).assigned);
	xf_service(f);
	assert_int_equal(xf_lost(f, MSK_LOSS_NO_HANDLER), 6);
	assert_int_equal(lost_total(f), 7);
	assert_int_equal(counter(f, "cleanup_pending"), 0);
	xf_balanced(f);
	remove_dev(f, 1);
	remove_dev(f, 0);
	assert_baseline(f, &base);
	xf_balanced(f);
}

static void test_hotplug_without_memory_compat(void **state)
{
	hotplug_without_memory(*state);
}

static void test_hotplug_without_memory_remapped(void **state)
{
	hotplug_without_memory(*state);
}

/* A move in progress (or an old vector awaiting cleanup) still refuses a normal move. */
static void test_normal_move_still_busy(void **state)
{
	struct xf *f = *state;
	unsigned int dev = one_vector_device(f, 1);
	unsigned int a, b, va, vb;
	unsigned int virq = move_with_both_pending(f, dev, &a, &b, &va, &vb);
	struct msk_cpumask m = msk_cpumask_of(a);
	assert_msk_error(msk_irq_set_affinity(f->core, virq, &m), MSK_EBUSY);
	assert_non_null(strstr(msk_last_error(), "in progress"));
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	assert_true(v.move_in_progress);
	assert_int_equal(v.cpu, b);
	assert_int_equal(v.vector, vb);
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 2);
	assert_msk_ok(msk_irq_set_affinity(f->core, virq, &m));
	xf_balanced(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_offline_force_completes_compat, setup_compat,
						teardown),
		cmocka_unit_test_setup_teardown(test_offline_force_completes_remapped, setup_ir,
						teardown),
		cmocka_unit_test_setup_teardown(test_deactivate_parks_pending, setup_compat,
						teardown),
		cmocka_unit_test_setup_teardown(test_free_parks_without_owner, setup_ir, teardown),
		cmocka_unit_test_setup_teardown(test_hotplug_without_memory_compat, setup_compat,
						teardown),
		cmocka_unit_test_setup_teardown(test_hotplug_without_memory_remapped, setup_ir,
						teardown),
		cmocka_unit_test_setup_teardown(test_normal_move_still_busy, setup_compat,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
