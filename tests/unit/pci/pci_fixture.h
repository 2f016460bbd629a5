/* SPDX-License-Identifier: MIT */
#ifndef MSK_PCI_FIXTURE_H
#define MSK_PCI_FIXTURE_H

/*
 * A machine for PCI layer tests: a bus with a ledger, the test MSI parent
 * with its doorbell, and PCI function models driven by the PCI layer.
 * Events travel device -> message write -> doorbell -> core -> handler.
 */
#include "msk_test.h"
#include "test_msi_parent.h"

#include <msikit/hw_pci.h>

#define PF_SUPPORTED                                                                            \
	(MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_MULTI_PCI_MSI | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN | \
	 MSK_MSI_FLAG_PCI_IMS)

struct pf {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct tp tp;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
	_Atomic unsigned int calls[4096]; /* handler runs per virq */
};

static inline enum msk_irqreturn pf_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct pf *f = dev_id;
	atomic_fetch_add(&f->calls[virq % 4096], 1);
	return MSK_IRQ_HANDLED;
}

static inline int pf_setup(struct pf *f, uint32_t supported, unsigned int pool)
{
	memset(f, 0, sizeof(*f));
	if (msk_ledger_create(&f->ledger) < 0 || msk_bus_create(0, 0, f->ledger, &f->bus) < 0)
		return -1;
	if (tp_create(&f->tp, 4, pool, supported, f->ledger) < 0 ||
	    tp_attach_doorbell(&f->tp, f->bus) < 0)
		return -1;
	return 0;
}

/* A function 01:00.0 with these capabilities, and its PCI layer view. */
static inline int pf_add(struct pf *f, unsigned int msi, bool pvm, unsigned int msix,
			 unsigned int ims, enum msk_pcifn_while_disabled policy)
{
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 1;
	c.vendor_id = 0x8086;
	c.device_id = 0x0b25;
	c.msi_vectors = msi;
	c.msi_64bit = true;
	c.msi_pvm = pvm;
	c.msix_entries = msix;
	c.msix_while_disabled = policy;
	c.ims_entries = ims;
	if (ims) {
		c.ims.set = true;
		c.ims.bar = 2;
		c.ims.offset = 0;
	}
	c.manual_bars = true;
	if (msk_pcifn_create(f->bus, &c, &f->fn) < 0)
		return -1;
	return msk_pci_dev_create_pcifn(f->tp.core, f->tp.domain, f->fn, 0, &f->pdev);
}

/* raised == delivered + held (device + core) + lost */
static inline void pf_balanced(struct pf *f)
{
	uint64_t held = msk_core_held(f->tp.core) + (f->fn ? msk_pcifn_held(f->fn) : 0);
	assert_msk_ok(msk_ledger_check(f->ledger, held));
}

static inline void pf_teardown(struct pf *f)
{
	if (f->pdev)
		assert_msk_ok(msk_pci_dev_destroy(f->pdev));
	if (f->fn)
		msk_pcifn_destroy(f->fn);
	tp_destroy(&f->tp);
	msk_bus_destroy(f->bus);
	msk_ledger_destroy(f->ledger);
}

#endif
