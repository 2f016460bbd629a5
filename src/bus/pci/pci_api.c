/* SPDX-License-Identifier: MIT */
/*
 * The driver API: pci_alloc_irq_vectors with its MSI-X -> MSI fallback,
 * affinity spreading and the "retry with fewer" loop; pci_irq_vector;
 * pci_free_irq_vectors; IMS.
 */
#include "bus/pci/pci_internal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

/* Affinity masks for nvec vectors, or NULL without AFFINITY (caller frees). */
static int make_masks(struct msk_pci_dev *p, unsigned int nvec, struct msk_irq_affinity *affd,
		      struct msk_irq_affinity_desc **out)
{
	*out = NULL;
	if (!affd)
		return 0;
	struct msk_irq_affinity_desc *m = msk_calloc(nvec, sizeof(*m));
	if (!m)
		return msk_err(MSK_ENOMEM, "PCI %s: affinity masks", p->name);
	struct msk_cpumask all;
	msk_cpumask_fill(&all, msk_core_nr_cpus(p->core));
	int rc = msk_irq_create_affinity_masks(nvec, affd, &all, &all, m);
	if (rc < 0) {
		msk_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

/*
 * Enable MSI-X or MSI with between min and max vectors (Linux
 * __pci_enable_msix_range / __pci_enable_msi_range): a positive answer from
 * the hierarchy means "room for that many" and the request shrinks.
 */
static int enable_range(struct msk_pci_dev *p, bool msix, unsigned int min, unsigned int max,
			struct msk_irq_affinity *affd)
{
	unsigned int cap = msix ? p->msix_entries : p->msi_vectors;
	const char *what = msix ? "MSI-X" : "MSI";
	unsigned int nvec = max < cap ? max : cap;
	if (nvec < min)
		return msk_err(MSK_ENOSPC, "PCI %s: %s has %u vectors, at least %u wanted", p->name,
			       what, cap, min);
	int rc = pci_setup_domain(p, msix);
	if (rc < 0)
		return rc;
	for (;;) {
		if (affd) {
			rc = msk_irq_calc_affinity_vectors(min, nvec, affd,
							   msk_core_nr_cpus(p->core));
			if (rc < 0)
				return rc;
			if ((unsigned int)rc < min)
				return msk_err(MSK_ENOSPC,
					       "PCI %s: affinity leaves %d of %u vectors", p->name,
					       rc, min);
			nvec = (unsigned int)rc;
		}
		struct msk_irq_affinity_desc *masks;
		rc = make_masks(p, nvec, affd, &masks);
		if (rc < 0)
			return rc;
		rc = msix ? pci_msix_enable(p, nvec, masks) : pci_msi_enable(p, nvec, masks);
		msk_free(masks);
		if (rc == 0)
			return (int)nvec;
		if (rc < 0)
			return rc;
		if ((unsigned int)rc < min)
			return msk_err(MSK_ENOSPC,
				       "PCI %s: %s: room for %d vectors, at least %u wanted",
				       p->name, what, rc, min);
		nvec = (unsigned int)rc; /* retry with what fits */
	}
}

int msk_pci_alloc_irq_vectors(struct msk_pci_dev *p, unsigned int min, unsigned int max,
			      unsigned int flags, const struct msk_irq_affinity *affd)
{
	if (!p)
		return msk_err(MSK_EINVAL, "PCI: no device");
	if (msk_in_interrupt())
		return msk_err(MSK_EPERM, "PCI %s: alloc_irq_vectors from an interrupt handler",
			       p->name);
	/* Linux 6.12 __pci_enable_msix_range / __pci_enable_msi_range: maxvec < minvec. */
	if (min > max)
		return msk_err(MSK_ERANGE, "PCI %s: vector range %u..%u: min > max", p->name, min,
			       max);
	if (min == 0)
		return msk_err(MSK_EINVAL, "PCI %s: vector range 0..%u: at least 1 vector", p->name,
			       max);
	/* pci_alloc_irq_vectors_affinity: no mode asked for leaves its initial -ENOSPC. */
	if (!(flags & (MSK_PCI_IRQ_MSI | MSK_PCI_IRQ_MSIX)))
		return msk_err(MSK_ENOSPC, "PCI %s: neither MSI nor MSI-X asked for", p->name);
	struct msk_irq_affinity local, *aff = NULL;
	if (flags & MSK_PCI_IRQ_AFFINITY) {
		memset(&local, 0, sizeof(local));
		if (affd)
			local = *affd;
		aff = &local;
	}
	msk_msi_lock_descs(p->dev);
	int rc;
	if (p->msi_enabled || p->msix_enabled) {
		rc = msk_err(MSK_EINVAL, "PCI %s: %s is already enabled", p->name,
			     p->msix_enabled ? "MSI-X" : "MSI");
		goto out;
	}
	rc = -MSK_EINVAL;
	if ((flags & MSK_PCI_IRQ_MSIX) && p->msix_cap) {
		rc = enable_range(p, true, min, max, aff);
		if (rc > 0)
			goto out;
	}
	if ((flags & MSK_PCI_IRQ_MSI) && p->msi_cap) {
		if (aff && (flags & MSK_PCI_IRQ_MSIX)) { /* calc_sets may have changed it */
			memset(&local, 0, sizeof(local));
			if (affd)
				local = *affd;
		}
		rc = enable_range(p, false, min, max, aff);
		if (rc > 0)
			goto out;
	}
	if (rc == -MSK_EINVAL && !((flags & MSK_PCI_IRQ_MSIX) && p->msix_cap) &&
	    !((flags & MSK_PCI_IRQ_MSI) && p->msi_cap))
		rc = msk_err(MSK_EINVAL, "PCI %s has no %s capability", p->name,
			     (flags & MSK_PCI_IRQ_MSIX) && !(flags & MSK_PCI_IRQ_MSI) ? "MSI-X"
			     : (flags & MSK_PCI_IRQ_MSI) && !(flags & MSK_PCI_IRQ_MSIX)
				     ? "MSI"
				     : "MSI or MSI-X");
out:
	msk_msi_unlock_descs(p->dev);
	return rc;
}

int msk_pci_irq_vector(struct msk_pci_dev *p, unsigned int nr)
{
	if (!p)
		return msk_err(MSK_EINVAL, "PCI: no device");
	msk_msi_lock_descs(p->dev);
	int rc;
	if (p->msix_enabled) {
		struct msk_msi_desc *d = msk_msi_find_desc(p->dev, MSK_MSI_DEFAULT_DOMAIN, nr);
		rc = d && d->irq ? (int)d->irq
				 : msk_err(MSK_EINVAL, "PCI %s: no MSI-X vector %u", p->name, nr);
	} else if (p->msi_enabled) {
		rc = nr < p->nvec ? (int)msk_msi_get_virq(p->dev, MSK_MSI_DEFAULT_DOMAIN, nr)
				  : msk_err(MSK_EINVAL, "PCI %s: MSI vector %u of %u", p->name, nr,
					    p->nvec);
	} else {
		rc = msk_err(MSK_EINVAL, "PCI %s: MSI and MSI-X are off", p->name);
	}
	msk_msi_unlock_descs(p->dev);
	return rc;
}

int msk_pci_free_irq_vectors(struct msk_pci_dev *p)
{
	if (!p)
		return msk_err(MSK_EINVAL, "PCI: no device");
	if (msk_in_interrupt())
		return msk_err(MSK_EPERM, "PCI %s: free_irq_vectors from an interrupt handler",
			       p->name);
	msk_msi_lock_descs(p->dev);
	int rc = 0;
	if (p->msix_enabled || p->msi_enabled) {
		/* Refuses (changing nothing) while a handler is installed. */
		rc = msk_msi_domain_free_irqs_all(p->dev, MSK_MSI_DEFAULT_DOMAIN);
		if (rc == 0) {
			if (p->msix_enabled)
				pci_msix_disable(p);
			else
				pci_msi_disable(p);
		}
	}
	msk_msi_unlock_descs(p->dev);
	return rc;
}

/* --- IMS ------------------------------------------------------------------------------------- */

int msk_pci_create_ims_domain(struct msk_pci_dev *p, const struct msk_pci_ims_store *store,
			      const struct msk_msi_domain_template *tmpl)
{
	if (!p || !store)
		return msk_err(MSK_EINVAL, "PCI: IMS needs a device and a store");
	if (store->bar > 5 || store->entries == 0 || store->entries > MSK_MSI_MAX_HWSIZE ||
	    (store->offset & (PCI_MSIX_ENTRY_SIZE - 1)))
		return msk_err(MSK_EINVAL,
			       "PCI %s: bad IMS store (BAR %u, offset 0x%llx, %u entries)", p->name,
			       store->bar, (unsigned long long)store->offset, store->entries);
	msk_msi_lock_descs(p->dev);
	struct msk_msi_domain_template t;
	if (tmpl)
		t = *tmpl;
	else
		pci_ims_template(&t);
	struct msk_pci_ims_store old = p->ims_store;
	p->ims_store = *store;
	int rc = msk_msi_create_device_domain(p->dev, MSK_MSI_SECONDARY_DOMAIN, &t, store->entries,
					      NULL, p);
	if (rc == 0)
		p->ims = true;
	else
		p->ims_store = old;
	msk_msi_unlock_descs(p->dev);
	return rc;
}

struct msk_msi_map msk_pci_ims_alloc_irq(struct msk_pci_dev *p, uint64_t icookie,
					 const struct msk_irq_affinity_desc *affinity)
{
	struct msk_msi_map map = { -MSK_EINVAL, 0 };
	if (!p) {
		msk_err(MSK_EINVAL, "PCI: no device");
		return map;
	}
	msk_msi_lock_descs(p->dev);
	if (!p->ims) {
		map.index = msk_err(MSK_ENODEV, "PCI %s has no IMS domain", p->name);
	} else {
		pci_set_master(p);
		map = msk_msi_domain_alloc_irq_at(p->dev, MSK_MSI_SECONDARY_DOMAIN,
						  MSK_MSI_ANY_INDEX, affinity, icookie, NULL);
	}
	msk_msi_unlock_descs(p->dev);
	return map;
}

int msk_pci_ims_free_irq(struct msk_pci_dev *p, struct msk_msi_map map)
{
	if (!p)
		return msk_err(MSK_EINVAL, "PCI: no device");
	msk_msi_lock_descs(p->dev);
	int rc;
	struct msk_msi_desc *d =
		map.index >= 0
			? msk_msi_find_desc(p->dev, MSK_MSI_SECONDARY_DOMAIN, (uint32_t)map.index)
			: NULL;
	if (!p->ims || !d || !d->irq || d->irq != map.virq)
		rc = msk_err(MSK_EINVAL, "PCI %s: no IMS vector %d with virq %u", p->name,
			     map.index, map.virq);
	else
		rc = msk_msi_domain_free_irqs_range(p->dev, MSK_MSI_SECONDARY_DOMAIN,
						    (uint32_t)map.index, (uint32_t)map.index);
	msk_msi_unlock_descs(p->dev);
	return rc;
}
