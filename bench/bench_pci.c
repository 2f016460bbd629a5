/* SPDX-License-Identifier: MIT */
/*
 * pci.alloc_at: the cost of adding (and removing) one MSI-X vector with
 * msk_pci_msix_alloc_irq_at() on a 2048-entry function when 2047 vectors
 * are active, against the same with 1 active, in one run. And the path a
 * global PCI/MSI domain forces on a driver that wants one more vector:
 * free every vector (MSI-X off) and enable again with one more.
 *
 * The MSI parent here is a minimal root domain (hwirq = next free number),
 * so the numbers measure the core, the MSI core and the PCI layer with
 * the PCI function model, not a controller.
 */
#include <stdio.h>
#include <string.h>

#include <msikit.h>

#include "bench.h"

#define ENTRIES 2048
#define ROUNDS	7
#define REPS	200

static const struct msk_irq_chip root_chip = { .name = "BENCH-PARENT" };

/* The parent's hwirqs: an O(1) free stack, so the benchmark measures msikit, not itself. */
#define NHW (ENTRIES * 2)
static unsigned int free_hw[NHW], nfree;

static void hw_reset(void)
{
	nfree = 0;
	for (unsigned int hw = NHW; hw-- > 0;)
		free_hw[nfree++] = hw;
}

static int root_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	if (nfree < nr)
		return -MSK_ENOSPC;
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_set_hwirq_and_chip(d, virq + i, free_hw[--nfree], &root_chip, NULL);
	return 0;
}

static void root_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *l = msk_domain_get_irq_data(d, virq + i);
		free_hw[nfree++] = (unsigned int)l->hwirq;
		msk_domain_reset_irq_data(l);
	}
}

static void root_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	msg->address_lo = 0xfee00000u;
	msg->address_hi = 0;
	msg->data = (uint32_t)d->hwirq;
}

static const struct msk_irq_chip root_chip_msg = { .name = "BENCH-PARENT",
						   .irq_compose_msi_msg = root_compose };

static int root_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	irqd->chip = &root_chip_msg;
	return 0;
}

static const struct msk_irq_domain_ops root_ops = { .alloc = root_alloc,
						    .free = root_free,
						    .activate = root_activate };

static bool init_info(struct msk_device *dev, struct msk_irq_domain *domain,
		      struct msk_irq_domain *real_parent, struct msk_msi_domain_info *info)
{
	return msk_msi_lib_init_dev_msi_info(dev, domain, real_parent, info);
}

static const struct msk_msi_parent_ops parent_ops = {
	.supported_flags = MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN,
	.required_flags = MSK_MSI_FLAG_USE_DEF_DOM_OPS | MSK_MSI_FLAG_USE_DEF_CHIP_OPS,
	.prefix = "",
	.init_dev_msi_info = init_info,
};

struct rig {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_irq_domain *parent;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
};

static int rig_up(struct rig *r)
{
	memset(r, 0, sizeof(*r));
	hw_reset();
	struct msk_core_config cc = { .nr_cpus = 2 };
	struct msk_irq_domain_info di = { .name = "BENCH-PARENT",
					  .ops = &root_ops,
					  .hwirq_max = NHW };
	struct msk_pcifn_config fc;
	memset(&fc, 0, sizeof(fc));
	fc.bus = 1;
	fc.vendor_id = 0x8086;
	fc.msix_entries = ENTRIES;
	fc.manual_bars = true;
	if (msk_ledger_create(&r->ledger) < 0 || msk_bus_create(0, 0, r->ledger, &r->bus) < 0 ||
	    msk_core_create(&cc, &r->core) < 0 || msk_domain_create(r->core, &di, &r->parent) < 0 ||
	    msk_msi_set_parent_ops(r->parent, &parent_ops) < 0 ||
	    msk_pcifn_create(r->bus, &fc, &r->fn) < 0 ||
	    msk_pci_dev_create_pcifn(r->core, r->parent, r->fn, 0, &r->pdev) < 0)
		return -1;
	return 0;
}

static void rig_down(struct rig *r)
{
	msk_pci_dev_destroy(r->pdev);
	msk_pcifn_destroy(r->fn);
	msk_core_destroy(r->core);
	msk_bus_destroy(r->bus);
	msk_ledger_destroy(r->ledger);
}

/* ns to add and remove the vector at `index`, best of ROUNDS x REPS. */
static double time_add_remove(struct rig *r, uint32_t index)
{
	uint64_t best = UINT64_MAX;
	for (int round = 0; round < ROUNDS; round++) {
		uint64_t t0 = bench_now_ns();
		for (int i = 0; i < REPS; i++) {
			struct msk_msi_map m = msk_pci_msix_alloc_irq_at(r->pdev, index, NULL);
			if (m.index < 0 || msk_pci_msix_free_irq(r->pdev, m) < 0)
				return -1;
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / REPS;
}

/* ns to grow from n to n + 1 vectors the global-domain way: off, then on with one more. */
static double time_regrow(struct rig *r, unsigned int n)
{
	uint64_t best = UINT64_MAX;
	for (int round = 0; round < 3; round++) {
		if (msk_pci_free_irq_vectors(r->pdev) < 0 ||
		    msk_pci_alloc_irq_vectors(r->pdev, n, n, MSK_PCI_IRQ_MSIX, NULL) != (int)n)
			return -1;
		uint64_t t0 = bench_now_ns();
		if (msk_pci_free_irq_vectors(r->pdev) < 0 ||
		    msk_pci_alloc_irq_vectors(r->pdev, n + 1, n + 1, MSK_PCI_IRQ_MSIX, NULL) !=
			    (int)(n + 1))
			return -1;
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best;
}

int bench_pci_alloc_at(struct bench_report *rep)
{
	struct rig r;
	if (rig_up(&r) < 0) {
		fprintf(stderr, "bench pci: %s\n", msk_last_error());
		return -1;
	}
	/* 1 active vector: measure adding index 1. */
	if (msk_pci_alloc_irq_vectors(r.pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL) != 1)
		goto fail;
	double one = time_add_remove(&r, 1);
	/* 2047 active: fill 1..2046 dynamically, measure adding index 2047. */
	for (uint32_t i = 1; i < ENTRIES - 1; i++) {
		struct msk_msi_map m = msk_pci_msix_alloc_irq_at(r.pdev, i, NULL);
		if (m.index < 0)
			goto fail;
	}
	double full = time_add_remove(&r, ENTRIES - 1);
	double regrow = time_regrow(&r, ENTRIES - 1);
	if (one < 0 || full < 0 || regrow < 0)
		goto fail;
	bench_add(rep, "pci.alloc_at.2047_vs_1", "ns", full, one,
		  "add+remove one MSI-X vector, 2047 active vs 1 (2048-entry table)");
	bench_add(rep, "pci.grow.global_vs_dyn", "ns", regrow, full,
		  "2047->2048 vectors: free all + enable 2048 vs one alloc_at");
	rig_down(&r);
	return 0;
fail:
	fprintf(stderr, "bench pci: %s\n", msk_last_error());
	rig_down(&r);
	return -1;
}
