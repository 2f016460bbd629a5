/* SPDX-License-Identifier: MIT */
/*
 * Two CPU threads run msk_platform_cpu_service while the main thread adds
 * and removes dynamic MSI-X vectors, moves affinity and raises events:
 * every event raised is delivered exactly once (zero lost) and the ledger
 * balances. Run under TSan by `make tsan`.
 */
#include "arm64_fixture.h"

#include <pthread.h>
#include <sched.h>

#define NCPU   2
#define ROUNDS 200

static struct am M;
static _Atomic bool stop;

static void *cpu_thread(void *arg)
{
	unsigned int cpu = (unsigned int)(uintptr_t)arg;
	while (!atomic_load(&stop)) {
		if (msk_platform_cpu_service(M.p, cpu, 16) == 0)
			sched_yield();
	}
	return NULL;
}

static void wait_calls(unsigned int virq, unsigned int want)
{
	for (unsigned long spin = 0; atomic_load(&M.calls[virq]) < want; spin++) {
		if (spin > 50000000ul)
			fail_msg("virq %u: %u calls, want %u", virq, atomic_load(&M.calls[virq]),
				 want);
		sched_yield();
	}
}

static void test_alloc_and_free_while_cpus_service(void **state)
{
	struct msk_platform_config c;
	am_config(&c, true);
	c.ncpus = NCPU;
	assert_int_equal(am_setup_cfg(&M, &c), 0);
	struct msk_pci_dev *pdev = am_add(&M, 0x31, 0, 0, 64);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int fixed[2];
	for (unsigned int i = 0; i < 2; i++) {
		fixed[i] = (unsigned)msk_pci_irq_vector(pdev, i);
		assert_msk_ok(msk_request_irq(M.core, fixed[i], am_handler, "fixed", &M));
	}
	atomic_store(&stop, false);
	pthread_t t[NCPU];
	for (unsigned int i = 0; i < NCPU; i++)
		assert_int_equal(pthread_create(&t[i], NULL, cpu_thread, (void *)(uintptr_t)i), 0);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		unsigned int idx = 8 + r % 50;
		struct msk_msi_map v = msk_pci_msix_alloc_irq_at(pdev, idx, NULL);
		assert_int_equal(v.index, (int)idx);
		assert_msk_ok(msk_request_irq(M.core, v.virq, am_handler, "dyn", &M));
		unsigned int before = atomic_load(&M.calls[v.virq]);
		assert_msk_ok(msk_pcifn_raise(M.fn[0], idx));
		assert_msk_ok(msk_pcifn_raise(M.fn[0], r % 2));
		struct msk_cpumask to = msk_cpumask_of(r % NCPU);
		assert_msk_ok(msk_irq_set_affinity(M.core, fixed[r % 2], &to));
		wait_calls(v.virq, before + 1);
		assert_msk_ok(msk_free_irq(M.core, v.virq));
		assert_msk_ok(msk_pci_msix_free_irq(pdev, v));
	}
	/* Every fixed-vector event is delivered (events may coalesce into fewer runs). */
	for (unsigned long spin = 0;; spin++) {
		struct msk_ledger_counts lc;
		msk_ledger_read(M.ledger, &lc);
		if (lc.delivered == lc.raised)
			break;
		if (spin > 50000000ul)
			fail_msg("delivered %llu of %llu", (unsigned long long)lc.delivered,
				 (unsigned long long)lc.raised);
		sched_yield();
	}
	atomic_store(&stop, true);
	for (unsigned int i = 0; i < NCPU; i++)
		pthread_join(t[i], NULL);
	assert_true(atomic_load(&M.calls[fixed[0]]) + atomic_load(&M.calls[fixed[1]]) >= 1);
	assert_int_equal(am_lost(&M), 0);
	assert_int_equal(am_counter(&M, "its_cmd_errors"), 0);
	assert_int_equal(am_counter(&M, "lpis"), 2);
	am_balanced(&M);
	for (unsigned int i = 0; i < 2; i++)
		assert_msk_ok(msk_free_irq(M.core, fixed[i]));
	am_teardown(&M);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_and_free_while_cpus_service),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
