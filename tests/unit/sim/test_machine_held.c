/* SPDX-License-Identifier: MIT */
/*
 * The held count of a machine, as an embedder uses it: a report set up with
 * .held_extra = msk_machine_models_held(m) balances while both the core and
 * a PCI function hold events (the core's are not counted twice).
 */
#include "msk_test.h"
#include "test_platform.h"

static enum msk_irqreturn handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static int setup(void **state)
{
	return test_platform_register();
}

static void test_report_balances_with_core_and_model_held(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "test";
	struct msk_machine *m = NULL;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = 8;
	struct msk_machine_dev *d = NULL;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &d));
	struct msk_pci_dev *p = msk_machine_dev_pci(d);
	struct msk_core *core = msk_machine_core(m);
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
	unsigned int virq[3];
	for (unsigned int i = 0; i < 3; i++) {
		virq[i] = (unsigned int)msk_pci_irq_vector(p, i);
		assert_msk_ok(msk_request_irq(core, virq[i], handler, "q", NULL));
	}
	/* Vector 0 delivered; vector 1 held by the core (disabled); vector 2 by the function (masked). */
	assert_msk_ok(msk_irq_disable(core, virq[1]));
	assert_msk_ok(msk_irq_mask(core, virq[2]));
	for (unsigned int i = 0; i < 3; i++)
		assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), i));
	assert_msk_ok(msk_machine_run(m));

	uint64_t models = msk_machine_models_held(m);
	uint64_t in_core = msk_core_held(core);
	assert_true(models >= 1);
	assert_true(in_core >= 1);
	assert_int_equal(models + in_core, 2);

	struct msk_report_src src = { .core = core,
				      .ledger = msk_machine_ledger(m),
				      .held_extra = msk_machine_models_held(m) };
	struct msk_report_snapshot *snap = NULL;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	assert_int_equal(snap->ledger.counts.raised, 3);
	assert_int_equal(snap->ledger.counts.delivered, 1);
	assert_int_equal(snap->ledger.held, 2);
	assert_true(snap->ledger.balanced);
	assert_true(msk_report_passed(snap));
	msk_report_snapshot_free(snap);

	assert_msk_ok(msk_machine_check(m)); /* the machine's own invariant agrees */
	assert_int_equal(msk_machine_models_held(NULL), 0);
	msk_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_report_balances_with_core_and_model_held, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
