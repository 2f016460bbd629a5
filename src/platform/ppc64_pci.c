/* SPDX-License-Identifier: MIT */
/*
 * The ppc64 board's PCI host bridge: each PCI function is registered with
 * the pSeries firmware (its own PE; the firmware writes the function's
 * messages into its MSI capability or MSI-X table, as PowerVM and QEMU's
 * spapr_pci do on ibm,change-msi), then handed to the pSeries MSI driver
 * for the OS view. Removal runs the other way. The board detaches every
 * function before it destroys the driver (ppc64_phb_detach_all).
 */
#include "platform/ppc64.h"

#include <msikit/hw_pci.h>

#include "base/alloc.h"
#include "base/error.h"

/* A PCI function registered with the firmware and attached to the driver. */
struct ppc64_fn {
	struct ppc64_fn *next;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
	uint32_t config_addr; /* bus << 16 | devfn << 8 */
	/* Where the firmware writes messages: MSI capability, MSI-X table. */
	unsigned int msi_cap;
	bool msi_64;
	unsigned int msix_entries;
	unsigned int table_bar;
	uint32_t table_offset;
};

#define MSI_ADDRESS_LO 4
#define MSI_ADDRESS_HI 8
#define MSI_DATA_32    8
#define MSI_DATA_64    12

/*
 * The firmware's write of an MSI or MSI-X message (addr 0 / data 0: clear)
 * through the function's config space or MSI-X table BAR; mask bits are
 * not touched. Runs under the firmware's lock.
 */
static int fw_write_msg(void *ctx, bool msix, unsigned int index, uint64_t addr, uint32_t data)
{
	struct ppc64_fn *pf = ctx;
	int rc = 0;
	if (msix) {
		if (index >= pf->msix_entries)
			return -MSK_ERANGE;
		uint64_t e = pf->table_offset + 16ull * index;
		rc |= msk_pcifn_bar_write(pf->fn, pf->table_bar, e, (uint32_t)addr, 4);
		rc |= msk_pcifn_bar_write(pf->fn, pf->table_bar, e + 4, (uint32_t)(addr >> 32), 4);
		rc |= msk_pcifn_bar_write(pf->fn, pf->table_bar, e + 8, data, 4);
		return rc ? -MSK_EIO : 0;
	}
	if (!pf->msi_cap || index != 0)
		return -MSK_EINVAL;
	if ((!pf->msi_64 && (addr >> 32)) || data > 0xffff)
		return -MSK_ERANGE; /* the capability cannot hold it */
	rc |= msk_pcifn_cfg_write(pf->fn, pf->msi_cap + MSI_ADDRESS_LO, (uint32_t)addr, 4);
	if (pf->msi_64) {
		rc |= msk_pcifn_cfg_write(pf->fn, pf->msi_cap + MSI_ADDRESS_HI, addr >> 32, 4);
		rc |= msk_pcifn_cfg_write(pf->fn, pf->msi_cap + MSI_DATA_64, data, 2);
	} else {
		rc |= msk_pcifn_cfg_write(pf->fn, pf->msi_cap + MSI_DATA_32, data, 2);
	}
	return rc ? -MSK_EIO : 0;
}

void ppc64_phb_init(struct ppc64_phb *phb, struct msk_spapr *fw, uint64_t buid,
		    struct pseries_msi *ps)
{
	phb->fw = fw;
	phb->buid = buid;
	phb->ps = ps;
	phb->fns = NULL;
	pthread_mutex_init(&phb->lock, NULL);
}

void ppc64_phb_fini(struct ppc64_phb *phb)
{
	pthread_mutex_destroy(&phb->lock);
}

/* The record of fn (match_fn) or of pdev, or NULL. Under phb->lock. */
static struct ppc64_fn **find_locked(struct ppc64_phb *phb, const struct msk_pcifn *fn,
				     const struct msk_pci_dev *pdev)
{
	struct ppc64_fn **pp = &phb->fns;
	while (*pp && (fn ? (*pp)->fn != fn : (*pp)->pdev != pdev))
		pp = &(*pp)->next;
	return *pp ? pp : NULL;
}

int ppc64_phb_attach(struct ppc64_phb *phb, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	if (!fn || !out)
		return msk_err(MSK_EINVAL, "pSeries: attach needs a function");
	pthread_mutex_lock(&phb->lock);
	bool known = find_locked(phb, fn, NULL) != NULL;
	pthread_mutex_unlock(&phb->lock);
	if (known)
		return msk_err(MSK_EEXIST, "pSeries: function %s is already attached",
			       msk_pcifn_name(fn));
	struct ppc64_fn *pf = msk_calloc(1, sizeof(*pf));
	if (!pf)
		return msk_err(MSK_ENOMEM, "pSeries: function %s", msk_pcifn_name(fn));
	struct msk_pcifn_msi_state msi;
	struct msk_pcifn_msix_state msix;
	msk_pcifn_msi_state(fn, &msi);
	msk_pcifn_msix_state(fn, &msix);
	uint16_t rid = msk_pcifn_rid(fn);
	pf->fn = fn;
	pf->config_addr = (uint32_t)(rid >> 8) << 16 | (uint32_t)(rid & 0xff) << 8;
	pf->msi_cap = msi.cap;
	pf->msi_64 = msi.is_64bit;
	pf->msix_entries = msix.cap ? msix.entries : 0;
	pf->table_bar = msix.table_bar;
	pf->table_offset = msix.table_offset;
	struct msk_spapr_fn_ops ops = {
		.write_msi_msg = fw_write_msg,
		.max_msi = msi.cap ? msi.vectors_capable : 0,
		.max_msix = pf->msix_entries,
	};
	int rc = msk_spapr_add_function(phb->fw, phb->buid, pf->config_addr, MSK_SPAPR_PE_OWN, &ops,
					pf);
	if (rc < 0) {
		msk_err_context("pSeries: registering %s with the firmware", msk_pcifn_name(fn));
		msk_free(pf);
		return rc;
	}
	rc = pseries_pci_attach(phb->ps, fn, pf->config_addr, &pf->pdev);
	if (rc < 0) {
		msk_spapr_remove_function(phb->fw, phb->buid, pf->config_addr);
		msk_free(pf);
		return rc;
	}
	pthread_mutex_lock(&phb->lock);
	pf->next = phb->fns;
	phb->fns = pf;
	pthread_mutex_unlock(&phb->lock);
	*out = pf->pdev;
	return 0;
}

int ppc64_phb_detach(struct ppc64_phb *phb, struct msk_pci_dev *pdev)
{
	pthread_mutex_lock(&phb->lock);
	struct ppc64_fn **at = pdev ? find_locked(phb, NULL, pdev) : NULL;
	struct ppc64_fn *pf = at ? *at : NULL;
	pthread_mutex_unlock(&phb->lock);
	if (!pf) /* pdev may be stale: do not look into it */
		return msk_err(MSK_ENOENT, "pSeries: PCI device %p is not attached", (void *)pdev);
	int rc = pseries_pci_detach(phb->ps, pdev);
	if (rc < 0)
		return rc;
	/*
	 * Whatever the firmware still holds for it goes back: nothing after a
	 * teardown it accepted, the stranded LISNs after one it refused.
	 */
	msk_spapr_remove_function(phb->fw, phb->buid, pf->config_addr);
	pthread_mutex_lock(&phb->lock);
	at = find_locked(phb, NULL, pdev);
	*at = pf->next;
	pthread_mutex_unlock(&phb->lock);
	msk_free(pf);
	return 0;
}

int ppc64_phb_detach_all(struct ppc64_phb *phb)
{
	for (;;) {
		pthread_mutex_lock(&phb->lock);
		struct msk_pci_dev *pdev = phb->fns ? phb->fns->pdev : NULL;
		pthread_mutex_unlock(&phb->lock);
		if (!pdev)
			return 0;
		int rc = ppc64_phb_detach(phb, pdev);
		if (rc < 0)
			return rc;
	}
}
