/* SPDX-License-Identifier: MIT */
/*
 * The machine's nothing-stranded invariant on arm64 (docs/sim.md): an
 * unmask whose INV fails twice leaves the LPI disabled in the GIC's
 * configuration cache (docs/platform-arm64.md, Faults); the vector is
 * started, unmasked and enabled, so the event the device then sends waits in
 * the redistributor of an online CPU - forever, on an idle machine. The
 * invariant reports it at quiescence (msk_platform_route().held); a plain
 * mask/unmask reports nothing.
 */
#include <msikit/machine.h>

#include "arm64_fixture.h"
#include "irqchip/arm64_platform.h"

#include <string.h>

static enum msk_irqreturn nop(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static bool reported(struct msk_machine *m, const char *what)
{
	for (unsigned int i = 0; i < msk_machine_invariant_count(m); i++)
		if (strstr(msk_machine_invariant(m, i), what))
			return true;
	return false;
}

static void run(bool stale)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "arm64";
	cfg.ncpus = 2;
	struct msk_machine *m;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = 2;
	struct msk_machine_dev *dev;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &dev));
	struct msk_pci_dev *pdev = msk_machine_dev_pci(dev);
	struct msk_core *core = msk_machine_core(m);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(core, virq, nop, "q", NULL));
	assert_msk_ok(msk_irq_mask(core, virq));
	if (stale) /* the next three commands fail: the unmask's INV, on both tries */
		assert_msk_ok(msk_its_inject_command_error(
			arm64_platform_gic(msk_machine_platform(m)), 1, 3));
	msk_irq_unmask(core, virq);
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(dev), 0));
	assert_msk_ok(msk_machine_run(m));
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(m), &c);
	assert_int_equal(c.lost, 0);
	if (stale) {
		assert_int_equal(c.delivered, 0);
		assert_int_equal(msk_machine_held(m), 1);
		assert_true(reported(m, "nothing-stranded"));
		assert_true(reported(m, "controller 1"));
	} else {
		assert_int_equal(c.delivered, 1);
		assert_int_equal(msk_machine_invariant_count(m), 0);
	}
	msk_machine_destroy(m);
}

static void test_unmask_settles(void **state)
{
	(void)state;
	run(false);
}

static void test_stale_inv_is_reported(void **state)
{
	(void)state;
	run(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unmask_settles),
		cmocka_unit_test(test_stale_inv_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
