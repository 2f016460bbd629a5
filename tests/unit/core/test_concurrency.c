/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: CPUs deliver interrupts on several threads while a control
 * thread disables, enables, masks, moves affinity (stable core), and
 * allocates, requests, frees (churn core). Stable irqs must lose nothing
 * and deliver nothing twice: the ledger must read raised == delivered.
 * Run under TSan and ASan by `make sanitize`.
 */
#include "msk_test.h"
#include "test_hier.h"

#include <pthread.h>

#define NSTABLE	 16
#define NCPUS	 4
#define NDELIVER 2
#define ITERS	 60000

struct world {
	struct th stable, churn;
	struct msk_ledger *ls, *lc;
	unsigned int svirq[NSTABLE];
	_Atomic int stop;
	_Atomic unsigned int churn_lo, churn_hi; /* virq window the churn thread uses */
	_Atomic uint64_t runs[NSTABLE];
};

static struct world W;

static enum msk_irqreturn stable_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	atomic_fetch_add_explicit(&W.runs[(uintptr_t)dev_id], 1, memory_order_relaxed);
	return MSK_IRQ_HANDLED;
}

static enum msk_irqreturn churn_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static uint32_t rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void *deliverer(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	uint32_t seed = 0x9e3779b9u * (cpu + 1);
	for (int i = 0; i < ITERS; i++) {
		unsigned int k = rnd(&seed) % NSTABLE;
		msk_ledger_raise(W.ls, 1);
		msk_handle_irq(W.stable.core, cpu, W.svirq[k], 1);
		unsigned int lo = atomic_load(&W.churn_lo), hi = atomic_load(&W.churn_hi);
		unsigned int v = lo + rnd(&seed) % (hi - lo + 1);
		msk_ledger_raise(W.lc, 1);
		msk_handle_irq(W.churn.core, cpu, v, 1);
	}
	return NULL;
}

static void *controller(void *arg)
{
	(void)arg;
	uint32_t seed = 12345;
	unsigned int round = 0;
	while (!atomic_load(&W.stop)) {
		round++;
		/* Stable core: block and unblock, move affinity. */
		unsigned int k = rnd(&seed) % NSTABLE, v = W.svirq[k];
		switch (rnd(&seed) % 3) {
		case 0:
			msk_irq_disable(W.stable.core, v);
			msk_irq_enable(W.stable.core, v);
			break;
		case 1:
			msk_irq_mask(W.stable.core, v);
			msk_irq_unmask(W.stable.core, v);
			break;
		default: {
			struct msk_cpumask m = msk_cpumask_of(rnd(&seed) % NCPUS);
			msk_irq_set_affinity(W.stable.core, v, &m);
			break;
		}
		}
		/* Churn core: a short-lived virq range with a handler. */
		unsigned int first, nr = 1 + rnd(&seed) % 4;
		if (th_alloc(&W.churn, nr, (round * 4) % 2000, &first) == 0) {
			for (unsigned int i = 0; i < nr; i++)
				msk_request_irq(W.churn.core, first + i, churn_handler, "c", NULL);
			if (rnd(&seed) % 2) {
				msk_irq_disable(W.churn.core, first);
				struct msk_cpumask m = msk_cpumask_of(rnd(&seed) % NCPUS);
				msk_irq_set_affinity(W.churn.core, first, &m);
			}
			for (unsigned int i = 0; i < nr; i++)
				msk_free_irq(W.churn.core, first + i);
			msk_domain_free_irqs(W.churn.core, first, nr);
		}
	}
	return NULL;
}

static void test_deliver_while_controlling(void **state)
{
	(void)state;
	assert_msk_ok(msk_ledger_create(&W.ls));
	assert_msk_ok(msk_ledger_create(&W.lc));
	assert_msk_ok(th_create(&W.stable, NCPUS, W.ls));
	assert_msk_ok(th_create(&W.churn, NCPUS, W.lc));
	for (uintptr_t k = 0; k < NSTABLE; k++) {
		assert_msk_ok(th_alloc(&W.stable, 1, (unsigned)k, &W.svirq[k]));
		assert_msk_ok(
			msk_request_irq(W.stable.core, W.svirq[k], stable_handler, "s", (void *)k));
	}
	atomic_store(&W.churn_lo, 1);
	atomic_store(&W.churn_hi, 8);

	pthread_t ctl, cpu[NDELIVER];
	pthread_create(&ctl, NULL, controller, NULL);
	for (uintptr_t c = 0; c < NDELIVER; c++)
		pthread_create(&cpu[c], NULL, deliverer, (void *)c);
	for (int c = 0; c < NDELIVER; c++)
		pthread_join(cpu[c], NULL);
	atomic_store(&W.stop, 1);
	pthread_join(ctl, NULL);

	/* Every stable event was delivered exactly once: nothing lost, nothing held. */
	struct msk_ledger_counts c;
	msk_ledger_read(W.ls, &c);
	assert_int_equal(c.raised, (uint64_t)NDELIVER * ITERS);
	assert_int_equal(c.lost, 0);
	assert_int_equal(msk_core_held(W.stable.core), 0);
	assert_int_equal(c.delivered, c.raised);
	uint64_t runs = 0;
	for (int k = 0; k < NSTABLE; k++) {
		assert_true(atomic_load(&W.runs[k]) > 0);
		runs += atomic_load(&W.runs[k]);
	}
	assert_true(runs <= c.raised); /* coalescing may merge, never multiply */
	/* Churn: every event accounted for; losses only for the expected reasons. */
	assert_msk_ok(msk_ledger_check(W.lc, msk_core_held(W.churn.core)));
	msk_ledger_read(W.lc, &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_UNHANDLED], 0);
	assert_int_equal(c.lost, c.lost_by_reason[MSK_LOSS_NO_DESCRIPTOR] +
					 c.lost_by_reason[MSK_LOSS_NO_HANDLER] +
					 c.lost_by_reason[MSK_LOSS_FREED_WHILE_PENDING]);

	for (int k = 0; k < NSTABLE; k++)
		assert_msk_ok(msk_free_irq(W.stable.core, W.svirq[k]));
	th_destroy(&W.stable);
	th_destroy(&W.churn);
	assert_int_equal(th_live(&W.churn), 0);
	msk_ledger_destroy(W.ls);
	msk_ledger_destroy(W.lc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deliver_while_controlling),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
