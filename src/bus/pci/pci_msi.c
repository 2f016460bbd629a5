/* SPDX-License-Identifier: MIT */
/*
 * MSI: one descriptor for a power-of-two block of vectors (the device ORs
 * the vector number into the low data bits), Multiple Message Enable, the
 * optional per-vector mask register. Called with the descriptor lock.
 */
#include "bus/pci/pci_internal.h"

#include "base/error.h"

static unsigned int log2_ceil(unsigned int n)
{
	unsigned int l = 0;
	while ((1u << l) < n)
		l++;
	return l;
}

/* Mask bits of every capable vector (Linux msi_multi_mask). */
static uint32_t multi_mask(struct msk_pci_dev *p)
{
	return p->msi_vectors >= 32 ? 0xffffffffu : (1u << p->msi_vectors) - 1;
}

static void msi_set_flags(struct msk_pci_dev *p, uint32_t set, uint32_t clear)
{
	uint32_t flags = pci_cfg_read(p, p->msi_cap + PCI_MSI_FLAGS, 2);
	pci_cfg_write(p, p->msi_cap + PCI_MSI_FLAGS, (flags & ~clear) | set, 2);
}

int pci_msi_enable(struct msk_pci_dev *p, unsigned int nvec,
		   const struct msk_irq_affinity_desc *masks)
{
	struct msk_msi_domain_info *info =
		msk_msi_domain_get_info(msk_msi_get_device_domain(p->dev, MSK_MSI_DEFAULT_DOMAIN));
	if (nvec > 1 && !(info->flags & MSK_MSI_FLAG_MULTI_PCI_MSI))
		return 1; /* the parent cannot do multi-MSI: retry with one vector */
	pci_set_master(p);
	msi_set_flags(p, 0, PCI_MSI_FLAGS_ENABLE);
	bool can_mask = p->msi_pvm && !(info->flags & MSK_MSI_FLAG_NO_MASK);
	struct msk_msi_desc d = { .msi_index = 0, .nvec_used = nvec };
	d.pci.is_64 = p->msi_64;
	d.pci.can_mask = can_mask;
	d.pci.multiple = (uint8_t)log2_ceil(nvec);
	d.pci.multi_cap = (uint8_t)log2_ceil(p->msi_vectors);
	d.affinity = (struct msk_irq_affinity_desc *)masks;
	if (can_mask) {
		/* Every vector masked until its irq is started. */
		d.pci.mask = multi_mask(p);
		pci_cfg_write(p, p->msi_cap + (p->msi_64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32),
			      d.pci.mask, 4);
	}
	int rc = msk_msi_insert_desc(p->dev, MSK_MSI_DEFAULT_DOMAIN, &d);
	if (rc == 0)
		rc = msk_msi_domain_alloc_irqs_all(p->dev, MSK_MSI_DEFAULT_DOMAIN);
	if (rc != 0) {
		msk_msi_free_descs(p->dev, MSK_MSI_DEFAULT_DOMAIN, 0, UINT32_MAX);
		return rc;
	}
	msi_set_flags(p, ((uint32_t)d.pci.multiple << 4) | PCI_MSI_FLAGS_ENABLE,
		      PCI_MSI_FLAGS_QSIZE);
	p->msi_enabled = true;
	p->nvec = nvec;
	return 0;
}

void pci_msi_disable(struct msk_pci_dev *p)
{
	msi_set_flags(p, 0, PCI_MSI_FLAGS_ENABLE | PCI_MSI_FLAGS_QSIZE);
	if (p->msi_pvm) /* the function goes back unmasked, as it came */
		pci_cfg_write(p, p->msi_cap + (p->msi_64 ? PCI_MSI_MASK_64 : PCI_MSI_MASK_32), 0,
			      4);
	p->msi_enabled = false;
	p->nvec = 0;
}
