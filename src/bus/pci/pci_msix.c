/* SPDX-License-Identifier: MIT */
/*
 * MSI-X: enabling with the function masked while the table is set up,
 * dynamic vectors, disabling. Called with the device's descriptor lock.
 */
#include "bus/pci/pci_internal.h"

#include "base/error.h"

int pci_setup_domain(struct msk_pci_dev *p, bool msix)
{
	struct msk_irq_domain *d = msk_msi_get_device_domain(p->dev, MSK_MSI_DEFAULT_DOMAIN);
	enum msk_bus_token want =
		msix ? MSK_DOMAIN_BUS_PCI_DEVICE_MSIX : MSK_DOMAIN_BUS_PCI_DEVICE_MSI;
	if (d && msk_domain_bus_token(d) == want)
		return 0; /* same kind: reused as it is, no new prepare */
	if (d) {
		/* Switching between MSI and MSI-X replaces the domain (teardown, then prepare). */
		int rc = msk_msi_remove_device_domain(p->dev, MSK_MSI_DEFAULT_DOMAIN);
		if (rc < 0)
			return rc;
	}
	struct msk_msi_domain_template t;
	if (msix)
		pci_msix_template(&t);
	else
		pci_msi_template(&t);
	/* hwsize: the table size / the capability's vector count (not the request). */
	return msk_msi_create_device_domain(p->dev, MSK_MSI_DEFAULT_DOMAIN, &t,
					    msix ? p->msix_entries : p->msi_vectors, NULL, p);
}

static void msix_set_ctrl(struct msk_pci_dev *p, uint32_t set, uint32_t clear)
{
	uint32_t ctrl = pci_cfg_read(p, p->msix_cap + PCI_MSIX_FLAGS, 2);
	pci_cfg_write(p, p->msix_cap + PCI_MSIX_FLAGS, (ctrl & ~clear) | set, 2);
}

static bool no_mask(struct msk_pci_dev *p)
{
	struct msk_msi_domain_info *info =
		msk_msi_domain_get_info(msk_msi_get_device_domain(p->dev, MSK_MSI_DEFAULT_DOMAIN));
	return info && (info->flags & MSK_MSI_FLAG_NO_MASK);
}

/* Mask every table entry (allocated or not), as Linux does before use. */
static void mask_all_entries(struct msk_pci_dev *p)
{
	for (unsigned int i = 0; i < p->msix_entries; i++) {
		uint64_t ctrl =
			p->table_off + (uint64_t)i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_CTRL;
		uint32_t v = pci_bar_read32(p, p->table_bar, ctrl);
		if (!(v & PCI_MSIX_ENTRY_CTRL_MASK))
			pci_bar_write32(p, p->table_bar, ctrl, v | PCI_MSIX_ENTRY_CTRL_MASK);
	}
}

int pci_msix_enable(struct msk_pci_dev *p, unsigned int nvec,
		    const struct msk_irq_affinity_desc *masks)
{
	pci_set_master(p);
	/* Some devices need Enable to reach the table: enable, function-masked. */
	msix_set_ctrl(p, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL, 0);
	bool nomask = no_mask(p);
	int rc = 0;
	for (unsigned int i = 0; i < nvec && rc == 0; i++) {
		struct msk_msi_desc d = { .msi_index = i, .nvec_used = 1 };
		d.pci.is_msix = true;
		d.pci.is_64 = true;
		d.pci.can_mask = !nomask;
		d.pci.mask = pci_bar_read32(p, p->table_bar,
					    p->table_off + (uint64_t)i * PCI_MSIX_ENTRY_SIZE +
						    PCI_MSIX_ENTRY_CTRL);
		d.affinity = masks ? (struct msk_irq_affinity_desc *)&masks[i] : NULL;
		rc = msk_msi_insert_desc(p->dev, MSK_MSI_DEFAULT_DOMAIN, &d);
	}
	if (rc == 0)
		rc = msk_msi_domain_alloc_irqs_all(p->dev, MSK_MSI_DEFAULT_DOMAIN);
	if (rc != 0) {
		msk_msi_free_descs(p->dev, MSK_MSI_DEFAULT_DOMAIN, 0, UINT32_MAX);
		msix_set_ctrl(p, 0, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
		return rc;
	}
	if (!nomask)
		mask_all_entries(p);
	msix_set_ctrl(p, 0, PCI_MSIX_FLAGS_MASKALL);
	p->msix_enabled = true;
	p->nvec = nvec;
	return 0;
}

void pci_msix_disable(struct msk_pci_dev *p)
{
	if (!no_mask(p))
		mask_all_entries(p);
	msix_set_ctrl(p, 0, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
	p->msix_enabled = false;
	p->nvec = 0;
}

bool msk_pci_msix_can_alloc_dyn(struct msk_pci_dev *p)
{
	if (!p || !p->msix_cap)
		return false;
	struct msk_irq_domain *d = msk_msi_get_device_domain(p->dev, MSK_MSI_DEFAULT_DOMAIN);
	if (d && msk_domain_bus_token(d) == MSK_DOMAIN_BUS_PCI_DEVICE_MSIX)
		return msk_msi_domain_get_info(d)->flags & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN;
	/* Before the domain exists, the parent's rules say (parents never add PCI features). */
	const struct msk_msi_parent_ops *pops = msk_msi_parent_ops(msk_device_msi_parent(p->dev));
	return pops && (pops->supported_flags & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN);
}

/*
 * Why no vector can be added: the one refusal of a dynamic add, whatever the
 * caller (the Lua binding, the machine tests, the benchmarks). A global
 * PCI/MSI domain (bus token PCI_MSI, src/compat/: the pre-6.2 model) is named
 * as such, with the way out.
 */
static int no_alloc_dyn(struct msk_pci_dev *p)
{
	struct msk_irq_domain *parent = msk_device_msi_parent(p->dev);
	if (parent && msk_domain_bus_token(parent) == MSK_DOMAIN_BUS_PCI_MSI)
		return msk_err(MSK_ENOTSUP,
			       "PCI %s: msi=global: one PCI/MSI domain for all devices (%s, the "
			       "pre-6.2 model) cannot add a vector after MSI-X is enabled; "
			       "disable, free and enable again with more",
			       p->name, msk_domain_name(parent));
	return msk_err(MSK_ENOTSUP,
		       "PCI %s: %s cannot add MSI-X vectors after enable (no PCI_MSIX_ALLOC_DYN)",
		       p->name, msk_domain_name(parent));
}

struct msk_msi_map msk_pci_msix_alloc_irq_at(struct msk_pci_dev *p, uint32_t index,
					     const struct msk_irq_affinity_desc *affinity)
{
	struct msk_msi_map map = { -MSK_EINVAL, 0 };
	if (!p) {
		msk_err(MSK_EINVAL, "PCI: no device");
		return map;
	}
	msk_msi_lock_descs(p->dev);
	if (!p->msix_enabled) {
		map.index = msk_err(MSK_ENOTSUP, "PCI %s: MSI-X is not enabled", p->name);
	} else if (!msk_pci_msix_can_alloc_dyn(p)) {
		map.index = no_alloc_dyn(p);
	} else {
		map = msk_msi_domain_alloc_irq_at(p->dev, MSK_MSI_DEFAULT_DOMAIN, index, affinity,
						  0, NULL);
		if (map.index >= 0)
			p->nvec++;
	}
	msk_msi_unlock_descs(p->dev);
	return map;
}

int msk_pci_msix_free_irq(struct msk_pci_dev *p, struct msk_msi_map map)
{
	if (!p)
		return msk_err(MSK_EINVAL, "PCI: no device");
	msk_msi_lock_descs(p->dev);
	int rc;
	struct msk_msi_desc *d = map.index >= 0 ? msk_msi_find_desc(p->dev, MSK_MSI_DEFAULT_DOMAIN,
								    (uint32_t)map.index)
						: NULL;
	if (!p->msix_enabled) {
		rc = msk_err(MSK_ENOTSUP, "PCI %s: MSI-X is not enabled", p->name);
	} else if (!msk_pci_msix_can_alloc_dyn(p)) {
		/* As Linux (pci_msix_free_irq): the parent handles the vectors as one set. */
		rc = msk_err(MSK_ENOTSUP,
			     "PCI %s: no dynamic MSI-X here, one vector cannot be freed alone "
			     "(msk_pci_free_irq_vectors frees them all)",
			     p->name);
	} else if (!d || !d->irq || d->irq != map.virq) {
		rc = msk_err(MSK_EINVAL, "PCI %s: no MSI-X vector %d with virq %u", p->name,
			     map.index, map.virq);
	} else {
		rc = msk_msi_domain_free_irqs_range(p->dev, MSK_MSI_DEFAULT_DOMAIN,
						    (uint32_t)map.index, (uint32_t)map.index);
		if (rc == 0)
			p->nvec--;
	}
	msk_msi_unlock_descs(p->dev);
	return rc;
}
