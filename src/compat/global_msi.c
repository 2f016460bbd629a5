/* SPDX-License-Identifier: MIT */
/*
 * msi = "global": one PCI/MSI domain shared by every device, as before
 * Linux 6.2 (see compat.h). It is an MSI parent stacked on the platform's
 * MSI parent: it hands the child's info to the platform parent to fill in
 * (prepare, chip callbacks), then takes away what the old model did not
 * have: dynamic MSI-X allocation and IMS.
 */
#include "compat/compat.h"

#include <stdio.h>
#include <string.h>

#include <msikit/pci.h>

#include "base/alloc.h"
#include "base/error.h"

#define GLOBAL_INDEX_BITS 11u /* MSI-X table index: 0..2047 */
#define GLOBAL_MISSING	  (MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN | MSK_MSI_FLAG_PCI_IMS)

struct global_msi {
	struct msk_msi_parent_ops pops;
	char name[64];
};

static const struct msk_irq_chip global_chip = {
	.name = "PCI-MSI",
	.irq_mask = msk_irq_chip_mask_parent,
	.irq_unmask = msk_irq_chip_unmask_parent,
	.irq_ack = msk_irq_chip_ack_parent,
	.irq_eoi = msk_irq_chip_eoi_parent,
	.irq_set_affinity = msk_irq_chip_set_affinity_parent,
};

/* The old global hwirq: requester ID and vector index (pci_msi_domain_calc_hwirq). */
static int global_hwirq(struct msk_irq_domain *d, const struct msk_msi_alloc_info *arg,
			uint64_t *hw)
{
	const struct msk_msi_desc *desc = arg ? arg->desc : NULL;
	struct msk_pci_dev *pdev = desc && desc->dev ? msk_device_bus_data(desc->dev) : NULL;
	if (!pdev)
		return msk_err(MSK_EINVAL, "%s: only PCI devices have vectors here",
			       msk_domain_name(d));
	if (desc->msi_index >= (1u << GLOBAL_INDEX_BITS))
		return msk_err(MSK_ERANGE, "%s: %s index %u beyond the PCI/MSI range",
			       msk_domain_name(d), msk_pci_name(pdev), desc->msi_index);
	*hw = (uint64_t)msk_pci_rid(pdev) << GLOBAL_INDEX_BITS | desc->msi_index;
	return 0;
}

static int global_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *argp)
{
	uint64_t hw = 0;
	int rc = global_hwirq(d, argp, &hw);
	if (rc < 0)
		return rc;
	rc = msk_domain_alloc_irqs_parent(d, virq, nr, argp);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < nr; i++) {
		rc = msk_domain_set_hwirq_and_chip(d, virq + i, hw + i, &global_chip, NULL);
		if (rc < 0) {
			msk_domain_free_irqs_common(d, virq, nr);
			return rc;
		}
	}
	return 0;
}

static void global_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_free_irqs_common(d, virq, nr);
}

static void global_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			      size_t size)
{
	if (irqd)
		snprintf(buf, size, "rid %02x:%02x.%u vector %u",
			 (unsigned int)(irqd->hwirq >> (GLOBAL_INDEX_BITS + 8)) & 0xff,
			 (unsigned int)(irqd->hwirq >> (GLOBAL_INDEX_BITS + 3)) & 0x1f,
			 (unsigned int)(irqd->hwirq >> GLOBAL_INDEX_BITS) & 7,
			 (unsigned int)(irqd->hwirq & ((1u << GLOBAL_INDEX_BITS) - 1)));
	else
		snprintf(buf, size,
			 "global PCI/MSI domain (pre-6.2 model): no dynamic MSI-X, no IMS");
}

static void global_destroy(struct msk_irq_domain *d)
{
	msk_free(msk_domain_host_data(d));
}

static const struct msk_irq_domain_ops global_ops = {
	.alloc = global_alloc,
	.free = global_free,
	.debug_show = global_debug_show,
	.destroy = global_destroy,
};

static bool global_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				     struct msk_irq_domain *real_parent,
				     struct msk_msi_domain_info *info)
{
	if (info->bus_token == MSK_DOMAIN_BUS_PCI_DEVICE_IMS) {
		msk_err(MSK_ENOTSUP,
			"device %s: msi=global: the one PCI/MSI domain %s serves MSI and MSI-X "
			"only; IMS beside MSI-X needs per-device MSI domains (msi=per-device)",
			msk_device_name(dev), msk_domain_name(domain));
		return false;
	}
	/* The platform parent fills the info in, under our (reduced) flags. */
	if (!msk_msi_parent_init_dev_msi_info(dev, domain, real_parent, info))
		return false;
	info->flags &= ~GLOBAL_MISSING;
	return true;
}

bool msk_compat_is_global_msi(const struct msk_irq_domain *d)
{
	const struct msk_msi_parent_ops *pops = msk_msi_parent_ops(d);
	return pops && pops->init_dev_msi_info == global_init_dev_msi_info;
}

int msk_compat_global_msi_create(struct msk_irq_domain *parent, struct msk_irq_domain **out)
{
	const struct msk_msi_parent_ops *ppops = msk_msi_parent_ops(parent);
	if (!ppops || !out)
		return msk_err(MSK_EINVAL, "msi=global: %s is not an MSI parent",
			       parent ? msk_domain_name(parent) : "(none)");
	struct global_msi *g = msk_calloc(1, sizeof(*g));
	if (!g)
		return msk_err(MSK_ENOMEM, "msi=global: out of memory");
	snprintf(g->name, sizeof(g->name), "%sPCI-MSI", ppops->prefix ? ppops->prefix : "");
	g->pops.supported_flags = ppops->supported_flags & ~GLOBAL_MISSING;
	g->pops.required_flags = ppops->required_flags & ~GLOBAL_MISSING;
	g->pops.chip_flags = ppops->chip_flags;
	g->pops.bus_select_token = MSK_DOMAIN_BUS_PCI_MSI;
	g->pops.prefix = "";
	g->pops.init_dev_msi_info = global_init_dev_msi_info;
	struct msk_irq_domain_info di = {
		.name = g->name,
		.ops = &global_ops,
		.parent = parent,
		.host_data = g,
		.hwirq_max = 1ull << (16 + GLOBAL_INDEX_BITS),
		.bus_token = MSK_DOMAIN_BUS_PCI_MSI,
		.flags = MSK_DOMAIN_FLAG_MSI,
	};
	struct msk_irq_domain *d;
	int rc = msk_domain_create(msk_domain_core(parent), &di, &d);
	if (rc < 0) {
		msk_free(g);
		return rc;
	}
	rc = msk_msi_set_parent_ops(d, &g->pops);
	if (rc < 0) {
		msk_domain_remove(d); /* frees g through destroy */
		return rc;
	}
	*out = d;
	return 0;
}
