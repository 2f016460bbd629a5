/* SPDX-License-Identifier: MIT */
/*
 * The machine's nothing-stranded invariant (docs/sim.md), checked at
 * quiescence: a started, unmasked, enabled vector whose CPU is online holds
 * no event anywhere on an idle machine. On ppc64: two events coalesce at the
 * XIVE source (Q); a mask and unmask settle the second (lost xive-q-dropped)
 * and nothing is reported; a Q cleared behind the OS's back by SET_PQ_00,
 * which leaves the coalesced weight for a re-trigger that never comes, is.
 */
#include <msikit/machine.h>

#include "ppc64_fixture.h"

#include <string.h>

static enum msk_irqreturn nop(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

struct one {
	struct msk_machine *m;
	struct msk_machine_dev *dev;
	unsigned int virq;
	uint32_t lisn;
};

static void one_vector(struct one *o)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "ppc64";
	cfg.ncpus = 2;
	assert_msk_ok(msk_machine_create(&cfg, &o->m));
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = 2;
	assert_msk_ok(msk_machine_pci_add(o->m, &pc, &o->dev));
	struct msk_pci_dev *pdev = msk_machine_dev_pci(o->dev);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	o->virq = (unsigned int)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(msk_machine_core(o->m), o->virq, nop, "q", NULL));
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(msk_machine_dev_fn(o->dev), 0, &v));
	o->lisn = v.data; /* the pSeries message data is the LISN */
	/* Two events before any CPU runs: one queued (P), one coalesced (Q). */
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(o->dev), 0));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(o->dev), 0));
}

static bool reported(struct msk_machine *m, const char *rule)
{
	for (unsigned int i = 0; i < msk_machine_invariant_count(m); i++)
		if (strstr(msk_machine_invariant(m, i), rule))
			return true;
	return false;
}

static void test_mask_unmask_settles(void **state)
{
	(void)state;
	struct one o;
	one_vector(&o);
	struct msk_core *core = msk_machine_core(o.m);
	assert_msk_ok(msk_irq_mask(core, o.virq));
	assert_msk_ok(msk_irq_unmask(core, o.virq));
	assert_msk_ok(msk_machine_run(o.m));
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(o.m), &c);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_XIVE_Q_DROPPED], 1);
	assert_int_equal(msk_machine_held(o.m), 0);
	assert_int_equal(msk_machine_invariant_count(o.m), 0);
	msk_machine_destroy(o.m);
}

static void test_stranded_q_is_reported(void **state)
{
	(void)state;
	struct one o;
	one_vector(&o);
	struct msk_xive *x = msk_ppc64_platform_xive(msk_machine_platform(o.m));
	uint64_t old;
	assert_msk_ok(msk_xive_esb_access(x, o.lisn, MSK_XIVE_ESB_SET_PQ_00, false, &old));
	assert_int_equal(old, MSK_XIVE_PQ_QUEUED);
	assert_msk_ok(msk_machine_run(o.m));
	/* The queued entry was delivered; its EOI found Q clear: one event waits forever. */
	assert_int_equal(msk_machine_held(o.m), 1);
	assert_true(reported(o.m, "nothing-stranded"));
	assert_true(reported(o.m, "controller 1"));
	assert_false(reported(o.m, "msi-route"));
	msk_machine_destroy(o.m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_unmask_settles),
		cmocka_unit_test(test_stranded_q_is_reported),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
