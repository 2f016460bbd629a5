/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_MACHINE_ONE_H
#define MSK_TEST_MACHINE_ONE_H

/*
 * A machine of `arch` with two CPUs and one MSI-X function (bus 1, two
 * entries) whose vector 0 is allocated and requested with a handler that
 * does nothing; and whether an invariant message containing `what` was
 * recorded. For the invariant tests (tests/unit/<arch>/test_*_stranded.c).
 */
#include <msikit/machine.h>

#include "msk_test.h"

struct machine_one {
	struct msk_machine *m;
	struct msk_machine_dev *dev;
	unsigned int virq;
};

static enum msk_irqreturn machine_one_nop(unsigned int virq, unsigned int cpu, void *dev_id)
{
	(void)virq;
	(void)cpu;
	(void)dev_id;
	return MSK_IRQ_HANDLED;
}

static __attribute__((unused)) void machine_one_new(struct machine_one *o, const char *arch)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = arch;
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
	assert_msk_ok(msk_request_irq(msk_machine_core(o->m), o->virq, machine_one_nop, "q", NULL));
}

static __attribute__((unused)) bool machine_one_reported(struct msk_machine *m, const char *what)
{
	for (unsigned int i = 0; i < msk_machine_invariant_count(m); i++)
		if (strstr(msk_machine_invariant(m, i), what))
			return true;
	return false;
}

#endif
