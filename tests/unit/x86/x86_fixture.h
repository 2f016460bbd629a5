/* SPDX-License-Identifier: MIT */
#ifndef MSK_X86_FIXTURE_H
#define MSK_X86_FIXTURE_H

/*
 * An x86 machine for driver tests: a bus with RAM and a ledger, a core,
 * the x86 platform (VECTOR, optionally INTEL-IR-0) and PCI function
 * models attached through the platform. Events travel device -> message
 * write -> MSI window (-> VT-d) -> LAPIC -> CPU service -> core -> handler.
 */
#include "msk_test.h"

#include <msikit/hw_pci.h>

#define XF_RAM_BASE   0x10000000ull
#define XF_RAM_SIZE   (64ull << 20)
#define XF_TABLE_SIZE (1ull << 20)
#define XF_MAX_FN     16

struct xf {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	struct msk_pcifn *fn[XF_MAX_FN];
	struct msk_pci_dev *pdev[XF_MAX_FN];
	unsigned int nfn;
	unsigned int ncpus;
	_Atomic unsigned int calls[4096];  /* handler runs per virq */
	_Atomic unsigned int on_cpu[4096]; /* CPU of the last run + 1 */
};

static inline enum msk_irqreturn xf_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct xf *f = dev_id;
	atomic_fetch_add(&f->calls[virq % 4096], 1);
	atomic_store(&f->on_cpu[virq % 4096], cpu + 1);
	return MSK_IRQ_HANDLED;
}

static inline int xf_setup(struct xf *f, unsigned int ncpus, bool ir)
{
	memset(f, 0, sizeof(*f));
	f->ncpus = ncpus;
	if (msk_ledger_create(&f->ledger) < 0 ||
	    msk_bus_create(XF_RAM_BASE, XF_RAM_SIZE, f->ledger, &f->bus) < 0)
		return -1;
	struct msk_core_config cc = { .nr_cpus = ncpus, .ledger = f->ledger };
	if (msk_core_create(&cc, &f->core) < 0)
		return -1;
	struct msk_platform_config pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = ncpus;
	pc.table_base = XF_RAM_BASE;
	pc.table_size = XF_TABLE_SIZE;
	pc.x86.ir = ir;
	return msk_platform_create("x86", f->core, f->bus, &pc, &f->p);
}

/* A function on bus `busno` (RID busno << 8) with these capabilities; returns its index. */
static inline int xf_add(struct xf *f, unsigned int busno, unsigned int msi, bool pvm,
			 unsigned int msix, unsigned int ims)
{
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = busno;
	c.vendor_id = 0x8086;
	c.device_id = 0x0b25;
	c.msi_vectors = msi;
	c.msi_64bit = true;
	c.msi_pvm = pvm;
	c.msix_entries = msix;
	c.ims_entries = ims;
	if (ims) {
		c.ims.set = true;
		c.ims.bar = 2;
		c.ims.offset = 0;
	}
	c.manual_bars = true;
	unsigned int i = f->nfn;
	if (i >= XF_MAX_FN || msk_pcifn_create(f->bus, &c, &f->fn[i]) < 0)
		return -1;
	if (msk_platform_pci_add(f->p, f->fn[i], &f->pdev[i]) < 0)
		return -1;
	f->nfn++;
	return (int)i;
}

/* Service every CPU until none has anything pending. Returns interrupts taken. */
static inline unsigned int xf_service(struct xf *f)
{
	unsigned int total = 0;
	for (;;) {
		unsigned int n = 0;
		for (unsigned int c = 0; c < f->ncpus; c++) {
			int r = msk_platform_cpu_service(f->p, c, 1024);
			assert_true(r >= 0);
			n += (unsigned int)r;
		}
		if (!n)
			return total;
		total += n;
	}
}

static inline uint64_t xf_held(struct xf *f)
{
	uint64_t held = msk_core_held(f->core) + msk_platform_held(f->p);
	for (unsigned int i = 0; i < f->nfn; i++)
		if (f->fn[i])
			held += msk_pcifn_held(f->fn[i]);
	return held;
}

/* raised == delivered + held (device + platform + core) + lost */
static inline void xf_balanced(struct xf *f)
{
	assert_msk_ok(msk_ledger_check(f->ledger, xf_held(f)));
}

static inline uint64_t xf_lost(struct xf *f, enum msk_loss reason)
{
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	return c.lost_by_reason[reason];
}

static inline struct msk_x86_irq_vector xf_vec(struct xf *f, unsigned int virq)
{
	struct msk_x86_irq_vector v;
	assert_msk_ok(msk_x86_platform_irq_vector(f->p, virq, &v));
	return v;
}

static inline unsigned int xf_virq(struct xf *f, unsigned int dev, unsigned int nr)
{
	int v = msk_pci_irq_vector(f->pdev[dev], nr);
	assert_true(v > 0);
	return (unsigned int)v;
}

/* Free every handler of a device's MSI/MSI-X vectors (ignoring those without one). */
static inline void xf_free_handlers(struct xf *f, unsigned int dev)
{
	struct msk_pci_state st;
	msk_pci_get_state(f->pdev[dev], &st);
	for (unsigned int i = 0; i < st.nvec; i++) {
		int v = msk_pci_irq_vector(f->pdev[dev], i);
		if (v > 0)
			msk_free_irq(f->core, (unsigned int)v);
	}
}

static inline void xf_teardown(struct xf *f)
{
	for (unsigned int i = 0; i < f->nfn; i++) {
		if (!f->pdev[i])
			continue;
		xf_free_handlers(f, i);
		assert_msk_ok(msk_platform_pci_remove(f->p, f->pdev[i]));
		msk_pcifn_destroy(f->fn[i]);
	}
	assert_int_equal(msk_msi_violation_count(f->core), 0);
	msk_platform_destroy(f->p);
	msk_core_destroy(f->core);
	msk_bus_destroy(f->bus);
	msk_ledger_destroy(f->ledger);
}

#endif
