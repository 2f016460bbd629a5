/* SPDX-License-Identifier: MIT */
/* Vector moves without losing interrupts, and spreading of managed vectors. */
#include "x86_fixture.h"

#include <pthread.h>
#include <sched.h>

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
	xf_teardown(*state);
	return 0;
}

static bool matrix_allocated(struct xf *f, unsigned int cpu, unsigned int n)
{
	struct msk_matrix_cpu_stats cs;
	assert_msk_ok(msk_x86_platform_matrix_cpu_stats(f->p, cpu, &cs));
	return cs.allocated == n;
}

/*
 * One event in the old CPU's IRR when the move happens, one on the new
 * vector: both delivered once; the old vector stays valid until the
 * first interrupt on the new one and until it is no longer pending.
 */
static void move_keeps_old_vector(struct xf *f)
{
	assert_int_equal(xf_add(f, 1, 0, false, 4, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = xf_virq(f, 0, 0);
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
	struct msk_x86_irq_vector v0 = xf_vec(f, virq);
	unsigned int old = v0.cpu, target = (old + 1) % 4;
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0)); /* pending in the old CPU's IRR */
	struct msk_cpumask m = msk_cpumask_of(target);
	assert_msk_ok(msk_irq_set_affinity(f->core, virq, &m));
	struct msk_x86_irq_vector v1 = xf_vec(f, virq);
	assert_true(v1.move_in_progress);
	assert_int_equal(v1.cpu, target);
	assert_int_equal(v1.prev_cpu, old);
	assert_int_equal(v1.prev_vector, v0.vector);
	assert_true(matrix_allocated(f, old, 1));
	assert_true(matrix_allocated(f, target, 1));
	/* A second move while this one is in progress is refused. */
	struct msk_cpumask m2 = msk_cpumask_of((target + 1) % 4);
	assert_msk_error(msk_irq_set_affinity(f->core, virq, &m2), MSK_EBUSY);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(f->core, virq);
	assert_true(msk_cpumask_equal(&eff, &m));
	/* The next event goes to the new vector. */
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	assert_int_equal(msk_platform_cpu_service(f->p, target, 16), 1);
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	v1 = xf_vec(f, virq);
	assert_false(v1.move_in_progress);
	/* The old vector still has an interrupt pending: not released yet. */
	assert_int_equal(v1.cleanup_pending, 1);
	assert_true(matrix_allocated(f, old, 1));
	assert_msk_error(msk_irq_set_affinity(f->core, virq, &m2), MSK_EBUSY);
	/* The old CPU takes it through the old vector, then the vector goes. */
	assert_int_equal(msk_platform_cpu_service(f->p, old, 16), 1);
	assert_int_equal(atomic_load(&f->calls[virq]), 2);
	assert_int_equal(atomic_load(&f->on_cpu[virq]), old + 1);
	v1 = xf_vec(f, virq);
	assert_int_equal(v1.cleanup_pending, 0);
	assert_true(matrix_allocated(f, old, 0));
	assert_true(matrix_allocated(f, target, 1));
	assert_int_equal(xf_lost(f, MSK_LOSS_VECTOR_NOT_ASSIGNED), 0);
	/* Now it may move again; moving to where it is changes nothing. */
	assert_msk_ok(msk_irq_set_affinity(f->core, virq, &m2));
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 3);
	struct msk_x86_irq_vector v2 = xf_vec(f, virq);
	assert_msk_ok(msk_irq_set_affinity(f->core, virq, &m2));
	assert_int_equal(xf_vec(f, virq).vector, v2.vector);
	assert_false(xf_vec(f, virq).move_in_progress);
	xf_balanced(f);
}

static void test_move_keeps_old_vector_compat(void **state)
{
	move_keeps_old_vector(*state);
}

static void test_move_keeps_old_vector_remapped(void **state)
{
	move_keeps_old_vector(*state);
}

/* Several CPU threads service while a device fires and the irq keeps moving. */
struct stress {
	struct xf *f;
	unsigned int virq;
	_Atomic int stop;
	_Atomic unsigned int raised;
	unsigned int cpu;
};

static void *cpu_thread(void *arg)
{
	struct stress *s = arg;
	struct stress *base = s - s->cpu;
	while (!atomic_load(&base->stop))
		msk_platform_cpu_service(base->f->p, s->cpu, 64);
	return NULL;
}

static void *raise_thread(void *arg)
{
	struct stress *s = arg;
	while (!atomic_load(&s->stop) || atomic_load(&s->raised) < 1000) {
		if (msk_pcifn_raise(s->f->fn[0], 0) == 0)
			atomic_fetch_add(&s->raised, 1);
	}
	return NULL;
}

static void move_while_firing(struct xf *f)
{
	assert_int_equal(xf_add(f, 1, 0, false, 4, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = xf_virq(f, 0, 0);
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
	struct stress s[4];
	memset(s, 0, sizeof(s));
	pthread_t cpu[4], raiser;
	for (unsigned int c = 0; c < 4; c++) {
		s[c].f = f;
		s[c].virq = virq;
		s[c].cpu = c;
		pthread_create(&cpu[c], NULL, cpu_thread, &s[c]);
	}
	struct stress rs;
	memset(&rs, 0, sizeof(rs));
	rs.f = f;
	pthread_create(&raiser, NULL, raise_thread, &rs);
	/* 100 completed moves (a move waits for an interrupt on its new vector). */
	unsigned int moves = 0, busy = 0;
	for (unsigned int i = 0; moves < 100 && i < 50000000; i++) {
		struct msk_cpumask m = msk_cpumask_of(moves % 4);
		int rc = msk_irq_set_affinity(f->core, virq, &m);
		if (rc == 0)
			moves++;
		else if (rc == -MSK_EBUSY && ++busy)
			sched_yield();
		else
			fail_msg("set_affinity: %s", msk_last_error());
	}
	atomic_store(&rs.stop, 1);
	pthread_join(raiser, NULL);
	atomic_store(&s[0].stop, 1);
	for (unsigned int c = 0; c < 4; c++)
		pthread_join(cpu[c], NULL);
	/* The last move completes with the next interrupt on its new vector. */
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	atomic_fetch_add(&rs.raised, 1);
	xf_service(f);
	msk_x86_platform_cleanup(f->p);
	unsigned int raised = atomic_load(&rs.raised);
	assert_int_equal(moves, 100);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	for (unsigned int r = 0; r < MSK_LOSS__COUNT; r++)
		if (c.lost_by_reason[r])
			print_message("lost %s: %llu\n", msk_loss_name(r),
				      (unsigned long long)c.lost_by_reason[r]);
	assert_int_equal(c.lost, 0);	       /* no loss ... */
	assert_int_equal(c.delivered, raised); /* ... and no duplicate */
	assert_int_equal(xf_vec(f, virq).cleanup_pending, 0);
	assert_true(matrix_allocated(f, xf_vec(f, virq).cpu, 1));
	xf_balanced(f);
	print_message("%u moves, %u refused while in progress, %u handler runs\n", moves, busy,
		      atomic_load(&f->calls[virq]));
}

static void test_move_while_firing_compat(void **state)
{
	move_while_firing(*state);
}

static void test_move_while_firing_remapped(void **state)
{
	move_while_firing(*state);
}

/* Spreading through msk_pci_alloc_irq_vectors(AFFINITY): Linux's results. */
struct spread_case {
	unsigned int ncpus, max, pre, post, want;
};

static void check_spread(const struct spread_case *k)
{
	struct xf f;
	assert_int_equal(xf_setup(&f, k->ncpus, false), 0);
	assert_int_equal(xf_add(&f, 1, 0, false, 64, 0), 0);
	struct msk_irq_affinity affd = { .pre_vectors = k->pre, .post_vectors = k->post };
	/* min above pre + post: Linux gives 0 vectors for spreading otherwise. */
	int n = msk_pci_alloc_irq_vectors(f.pdev[0], k->pre + k->post + 1, k->max,
					  MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, &affd);
	if (n != (int)k->want)
		fail_msg("%u CPUs, max %u, pre %u, post %u: %d (%s)", k->ncpus, k->max, k->pre,
			 k->post, n, msk_last_error());
	unsigned int managed = (unsigned int)n - k->pre - k->post;
	unsigned int per_cpu[8] = { 0 };
	for (unsigned int i = 0; i < (unsigned int)n; i++) {
		unsigned int virq = xf_virq(&f, 0, i);
		struct msk_irq_info info;
		assert_msk_ok(msk_irq_get_info(f.core, virq, &info));
		bool is_managed = i >= k->pre && i < (unsigned int)n - k->post;
		assert_int_equal(info.managed, is_managed);
		assert_int_equal(xf_vec(&f, virq).managed, is_managed);
		if (is_managed) {
			/* Queue j of V over C CPUs: C/V consecutive CPUs (or one, round robin). */
			unsigned int j = i - k->pre;
			assert_true(msk_cpumask_weight(&info.affinity) >= 1);
			if (managed <= k->ncpus) {
				unsigned int cpu = msk_cpumask_first(&info.affinity);
				unsigned int per = k->ncpus / managed, extra = k->ncpus % managed;
				unsigned int first = j * per + (j < extra ? j : extra);
				assert_int_equal(cpu, first);
				assert_int_equal(msk_cpumask_weight(&info.affinity),
						 per + (j < extra));
			} else {
				assert_int_equal(msk_cpumask_first(&info.affinity), j % k->ncpus);
			}
		} else {
			assert_int_equal(msk_cpumask_weight(&info.affinity), k->ncpus);
		}
		assert_msk_ok(msk_request_irq(f.core, virq, xf_handler, "q", &f));
		struct msk_cpumask eff = msk_irq_get_effective_affinity(f.core, virq);
		assert_int_equal(msk_cpumask_weight(&eff), 1);
		assert_true(msk_cpumask_subset(&eff, &info.affinity));
		per_cpu[msk_cpumask_first(&eff)]++;
		assert_msk_ok(msk_pcifn_raise(f.fn[0], i));
	}
	/* Managed slots: one per managed vector on each CPU of its mask. */
	unsigned int slots = 0;
	for (unsigned int c = 0; c < k->ncpus; c++) {
		struct msk_matrix_cpu_stats cs;
		assert_msk_ok(msk_x86_platform_matrix_cpu_stats(f.p, c, &cs));
		slots += cs.managed;
	}
	unsigned int want_slots = 0;
	for (unsigned int i = k->pre; i < (unsigned int)n - k->post; i++) {
		struct msk_irq_info info;
		assert_msk_ok(msk_irq_get_info(f.core, xf_virq(&f, 0, i), &info));
		want_slots += msk_cpumask_weight(&info.affinity);
	}
	assert_int_equal(slots, want_slots);
	assert_int_equal(xf_service(&f), (unsigned int)n);
	for (unsigned int i = 0; i < (unsigned int)n; i++)
		assert_int_equal(atomic_load(&f.calls[xf_virq(&f, 0, i)]), 1);
	xf_balanced(&f);
	xf_teardown(&f);
}

static void test_spreading(void **state)
{
	static const struct spread_case cases[] = {
		{ 4, 16, 0, 0, 4 },		       /* one queue per CPU */
		{ 4, 16, 1, 0, 5 },		       /* + an admin vector */
		{ 4, 16, 1, 1, 6 }, { 8, 4, 0, 0, 4 }, /* fewer queues than CPUs: 2 CPUs each */
		{ 6, 4, 0, 0, 4 },		       /* 6 CPUs over 4 queues: 2, 2, 1, 1 */
		{ 2, 8, 2, 1, 5 },  { 4, 3, 1, 0, 3 }, /* 2 queues over 4 CPUs */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_spread(&cases[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_move_keeps_old_vector_compat, setup_compat,
						teardown),
		cmocka_unit_test_setup_teardown(test_move_keeps_old_vector_remapped, setup_ir,
						teardown),
		cmocka_unit_test_setup_teardown(test_move_while_firing_compat, setup_compat,
						teardown),
		cmocka_unit_test_setup_teardown(test_move_while_firing_remapped, setup_ir,
						teardown),
		cmocka_unit_test(test_spreading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
