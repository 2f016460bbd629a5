/* SPDX-License-Identifier: MIT */
/*
 * The device-domain templates and chips of PCI functions: "PCI-MSIX"
 * (table entries in a BAR), "PCI-MSI" (the capability's registers) and
 * "IMS" (an IDXD-style store of 16-byte entries in a BAR). Each chip
 * reaches the function only through its config space and BAR accessors.
 */
#include "bus/pci/pci_internal.h"

#include <stdio.h>
#include <string.h>

static struct msk_pci_dev *pdev_of(struct msk_irq_data *d)
{
	return d->chip_data;
}

static struct msk_msi_desc *desc_of(struct msk_irq_data *d)
{
	return msk_desc_msi_desc(d->desc);
}

static uint32_t domain_flags(struct msk_irq_data *d)
{
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d->domain);
	return info ? info->flags : 0;
}

/* --- entries in a BAR (MSI-X table, IMS store): same 16-byte layout ---------------------- */

struct entry_loc {
	unsigned int bar;
	uint64_t base; /* the entry's offset in the BAR */
};

static struct entry_loc entry_of(struct msk_pci_dev *p, struct msk_irq_data *d,
				 const struct msk_msi_desc *desc)
{
	struct entry_loc e;
	if (msk_domain_bus_token(d->domain) == MSK_DOMAIN_BUS_PCI_DEVICE_IMS) {
		e.bar = p->ims_store.bar;
		e.base = p->ims_store.offset + (uint64_t)desc->msi_index * PCI_MSIX_ENTRY_SIZE;
	} else {
		e.bar = p->table_bar;
		e.base = p->table_off + (uint64_t)desc->msi_index * PCI_MSIX_ENTRY_SIZE;
	}
	return e;
}

static void entry_set_mask(struct msk_pci_dev *p, struct entry_loc e, struct msk_msi_desc *desc,
			   bool mask)
{
	uint32_t ctrl = mask ? desc->pci.mask | PCI_MSIX_ENTRY_CTRL_MASK
			     : desc->pci.mask & ~(uint32_t)PCI_MSIX_ENTRY_CTRL_MASK;
	desc->pci.mask = ctrl;
	pci_bar_write32(p, e.bar, e.base + PCI_MSIX_ENTRY_CTRL, ctrl);
	if (mask) /* read back: the mask has reached the device before we go on */
		(void)pci_bar_read32(p, e.bar, e.base + PCI_MSIX_ENTRY_CTRL);
}

void pci_msix_mask_entry(struct msk_pci_dev *p, struct msk_msi_desc *desc, bool mask)
{
	struct entry_loc e = { p->table_bar,
			       p->table_off + (uint64_t)desc->msi_index * PCI_MSIX_ENTRY_SIZE };
	if (!desc->pci.is_virtual)
		entry_set_mask(p, e, desc, mask);
}

static void entry_mask(struct msk_irq_data *d)
{
	struct msk_msi_desc *desc = desc_of(d);
	uint32_t flags = domain_flags(d);
	if (!desc->pci.is_virtual && !(flags & MSK_MSI_FLAG_NO_MASK))
		entry_set_mask(pdev_of(d), entry_of(pdev_of(d), d, desc), desc, true);
	if (flags & MSK_MSI_FLAG_PCI_MSI_MASK_PARENT)
		msk_irq_chip_mask_parent(d);
}

static void entry_unmask(struct msk_irq_data *d)
{
	struct msk_msi_desc *desc = desc_of(d);
	uint32_t flags = domain_flags(d);
	if (flags & MSK_MSI_FLAG_PCI_MSI_MASK_PARENT)
		msk_irq_chip_unmask_parent(d);
	if (!desc->pci.is_virtual && !(flags & MSK_MSI_FLAG_NO_MASK))
		entry_set_mask(pdev_of(d), entry_of(pdev_of(d), d, desc), desc, false);
}

/* Write an entry's message with the entry masked while it changes. */
static void entry_write_msg(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	struct msk_pci_dev *p = pdev_of(d);
	struct msk_msi_desc *desc = desc_of(d);
	if (desc->pci.is_virtual)
		return;
	struct entry_loc e = entry_of(p, d, desc);
	bool unmasked = !(desc->pci.mask & PCI_MSIX_ENTRY_CTRL_MASK) &&
			!(domain_flags(d) & MSK_MSI_FLAG_NO_MASK);
	if (unmasked)
		pci_bar_write32(p, e.bar, e.base + PCI_MSIX_ENTRY_CTRL,
				desc->pci.mask | PCI_MSIX_ENTRY_CTRL_MASK);
	pci_bar_write32(p, e.bar, e.base + PCI_MSIX_ENTRY_LOWER, msg->address_lo);
	pci_bar_write32(p, e.bar, e.base + PCI_MSIX_ENTRY_UPPER, msg->address_hi);
	pci_bar_write32(p, e.bar, e.base + PCI_MSIX_ENTRY_DATA, msg->data);
	if (unmasked)
		pci_bar_write32(p, e.bar, e.base + PCI_MSIX_ENTRY_CTRL, desc->pci.mask);
	(void)pci_bar_read32(p, e.bar, e.base + PCI_MSIX_ENTRY_DATA); /* flush */
}

/* A descriptor made by the MSI core (dynamic MSI-X, IMS): fill in the PCI details. */
static void entry_prepare_desc(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg,
			       struct msk_msi_desc *desc)
{
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	struct msk_pci_dev *p = info->chip_data;
	bool ims = msk_domain_bus_token(d) == MSK_DOMAIN_BUS_PCI_DEVICE_IMS;
	desc->pci.is_msix = !ims;
	desc->pci.is_64 = true;
	desc->pci.can_mask = !(info->flags & MSK_MSI_FLAG_NO_MASK);
	unsigned int bar = ims ? p->ims_store.bar : p->table_bar;
	uint64_t base = (ims ? p->ims_store.offset : p->table_off) +
			(uint64_t)desc->msi_index * PCI_MSIX_ENTRY_SIZE;
	desc->pci.mask = pci_bar_read32(p, bar, base + PCI_MSIX_ENTRY_CTRL);
}

/* --- MSI: the capability's mask register and message registers ---------------------------- */

static unsigned int msi_mask_pos(struct msk_pci_dev *p)
{
	return p->msi_cap + (p->msi_64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32);
}

static void msi_set_mask(struct msk_irq_data *d, bool mask)
{
	struct msk_pci_dev *p = pdev_of(d);
	struct msk_msi_desc *desc = desc_of(d);
	if (!desc->pci.can_mask || (domain_flags(d) & MSK_MSI_FLAG_NO_MASK))
		return;
	uint32_t bit = 1u << (d->virq - desc->irq);
	desc->pci.mask = mask ? desc->pci.mask | bit : desc->pci.mask & ~bit;
	pci_cfg_write(p, msi_mask_pos(p), desc->pci.mask, 4);
}

static void msi_mask(struct msk_irq_data *d)
{
	msi_set_mask(d, true);
	if (domain_flags(d) & MSK_MSI_FLAG_PCI_MSI_MASK_PARENT)
		msk_irq_chip_mask_parent(d);
}

static void msi_unmask(struct msk_irq_data *d)
{
	if (domain_flags(d) & MSK_MSI_FLAG_PCI_MSI_MASK_PARENT)
		msk_irq_chip_unmask_parent(d);
	msi_set_mask(d, false);
}

/* Only the block's first virq writes: the device ORs the vector number into the data. */
static void msi_write_msg(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	struct msk_pci_dev *p = pdev_of(d);
	struct msk_msi_desc *desc = desc_of(d);
	if (desc->irq != d->virq)
		return;
	pci_cfg_write(p, p->msi_cap + PCI_MSI_ADDRESS_LO, msg->address_lo, 4);
	if (p->msi_64) {
		pci_cfg_write(p, p->msi_cap + PCI_MSI_ADDRESS_HI, msg->address_hi, 4);
		pci_cfg_write(p, p->msi_cap + PCI_MSI_DATA_64, msg->data & 0xffff, 2);
	} else {
		pci_cfg_write(p, p->msi_cap + PCI_MSI_DATA_32, msg->data & 0xffff, 2);
	}
}

/* --- templates ------------------------------------------------------------------------------- */

#define PCI_COMMON_FLAGS \
	(MSK_MSI_FLAG_ACTIVATE_EARLY | MSK_MSI_FLAG_FREE_MSI_DESCS | MSK_MSI_FLAG_MUST_REACTIVATE)

void pci_msix_template(struct msk_msi_domain_template *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "PCI-MSIX");
	t->chip.irq_mask = entry_mask;
	t->chip.irq_unmask = entry_unmask;
	t->chip.irq_write_msi_msg = entry_write_msg;
	t->ops.prepare_desc = entry_prepare_desc;
	t->info.bus_token = MSK_DOMAIN_BUS_PCI_DEVICE_MSIX;
	t->info.flags = PCI_COMMON_FLAGS | MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN;
}

void pci_msi_template(struct msk_msi_domain_template *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "PCI-MSI");
	t->chip.irq_mask = msi_mask;
	t->chip.irq_unmask = msi_unmask;
	t->chip.irq_write_msi_msg = msi_write_msg;
	t->info.bus_token = MSK_DOMAIN_BUS_PCI_DEVICE_MSI;
	t->info.flags = PCI_COMMON_FLAGS | MSK_MSI_FLAG_MULTI_PCI_MSI;
}

void pci_ims_template(struct msk_msi_domain_template *t)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "IMS");
	t->chip.irq_mask = entry_mask;
	t->chip.irq_unmask = entry_unmask;
	t->chip.irq_write_msi_msg = entry_write_msg;
	t->ops.prepare_desc = entry_prepare_desc;
	t->info.bus_token = MSK_DOMAIN_BUS_PCI_DEVICE_IMS;
	t->info.flags = MSK_MSI_FLAG_ACTIVATE_EARLY | MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS |
			MSK_MSI_FLAG_FREE_MSI_DESCS;
}
