/* SPDX-License-Identifier: MIT */
/*
 * The pSeries parent's firmware side: attaching PCI functions (firmware
 * registration with a callback that writes messages into the function),
 * removal, and the RTAS calls the parent makes.
 */
#include "irqchip/pseries_internal.h"

#include <string.h>

#include <msikit/hw_pci.h>

#include "base/alloc.h"
#include "base/error.h"

/* --- RTAS ------------------------------------------------------------------------------------- */

#define RTAS_BUSY_RETRIES 64

static bool rtas_busy(int32_t status)
{
	return status == MSK_RTAS_BUSY || (status >= 9900 && status <= 9905);
}

int32_t pseries_rtas_change_msi(struct pseries_msi *ps, struct pseries_fn *pfn, uint32_t func,
				uint32_t count, uint32_t *granted)
{
	uint32_t seq = 1;
	uint32_t rets[4] = { (uint32_t)MSK_RTAS_HW_ERROR, 0, 0, 0 };
	for (int tries = 0; tries < RTAS_BUSY_RETRIES; tries++) {
		uint32_t args[6] = { pfn->config_addr,
				     (uint32_t)(ps->buid >> 32),
				     (uint32_t)ps->buid,
				     func,
				     count,
				     seq };
		if (msk_spapr_rtas_call(ps->fw, MSK_RTAS_CHANGE_MSI, args, 6, rets, 4) < 0)
			return MSK_RTAS_PARAM_ERROR;
		if (!rtas_busy((int32_t)rets[0]))
			break;
		seq = rets[2];
	}
	*granted = rets[1];
	return (int32_t)rets[0];
}

const char *pseries_rtas_status_name(int32_t status)
{
	switch (status) {
	case MSK_RTAS_SUCCESS:
		return "success";
	case MSK_RTAS_HW_ERROR:
		return "hardware error";
	case MSK_RTAS_BUSY:
		return "busy";
	case MSK_RTAS_PARAM_ERROR:
		return "parameter error";
	default:
		return status >= 9900 && status <= 9905 ? "extended delay" : "unknown status";
	}
}

bool pseries_rtas_release(struct pseries_msi *ps, struct pseries_fn *pfn, unsigned int type)
{
	uint32_t func = type == MSK_RTAS_TYPE_MSIX ? MSK_RTAS_MSI_FN_MSIX : MSK_RTAS_MSI_FN_MSI;
	uint32_t got;
	if (pseries_rtas_change_msi(ps, pfn, func, 0, &got) == MSK_RTAS_SUCCESS)
		return true;
	/* Linux's fallback: the generic code releases MSI and MSI-X alike. */
	return pseries_rtas_change_msi(ps, pfn, MSK_RTAS_MSI_FN_CHANGE, 0, &got) ==
	       MSK_RTAS_SUCCESS;
}

void pseries_set_stranded(struct pseries_fn *pfn, uint32_t count)
{
	pthread_mutex_lock(&pfn->ps->lock);
	pfn->stranded = count;
	pthread_mutex_unlock(&pfn->ps->lock);
}

uint32_t pseries_stranded(struct pseries_msi *ps)
{
	uint32_t n = 0;
	pthread_mutex_lock(&ps->lock);
	for (struct pseries_fn *pf = ps->fns; pf; pf = pf->next)
		n += pf->stranded;
	pthread_mutex_unlock(&ps->lock);
	return n;
}

int32_t pseries_rtas_query_source(struct pseries_msi *ps, struct pseries_fn *pfn, uint32_t index,
				  uint32_t *lisn)
{
	uint32_t args[4] = { pfn->config_addr, (uint32_t)(ps->buid >> 32), (uint32_t)ps->buid,
			     index };
	uint32_t rets[3] = { (uint32_t)MSK_RTAS_HW_ERROR, 0, 0 };
	for (int tries = 0; tries < RTAS_BUSY_RETRIES; tries++) {
		if (msk_spapr_rtas_call(ps->fw, MSK_RTAS_QUERY_SOURCE, args, 4, rets, 3) < 0)
			return MSK_RTAS_PARAM_ERROR;
		if (!rtas_busy((int32_t)rets[0]))
			break;
	}
	*lisn = rets[1];
	return (int32_t)rets[0];
}

/* --- the firmware writing messages into the function ------------------------------------------- */

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
	struct pseries_fn *pf = ctx;
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

/* --- attach / detach -------------------------------------------------------------------------- */

struct pseries_fn *pseries_find_fn(struct pseries_msi *ps, struct msk_device *dev)
{
	pthread_mutex_lock(&ps->lock);
	struct pseries_fn *pf = ps->fns;
	while (pf && pf->dev != dev)
		pf = pf->next;
	pthread_mutex_unlock(&ps->lock);
	return pf;
}

static bool attached(struct pseries_msi *ps, struct msk_pcifn *fn)
{
	pthread_mutex_lock(&ps->lock);
	struct pseries_fn *pf = ps->fns;
	while (pf && pf->fn != fn)
		pf = pf->next;
	pthread_mutex_unlock(&ps->lock);
	return pf != NULL;
}

int pseries_pci_attach(struct pseries_msi *ps, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	if (!fn || !out)
		return msk_err(MSK_EINVAL, "pSeries: attach needs a function");
	if (attached(ps, fn))
		return msk_err(MSK_EEXIST, "pSeries: function %s is already attached",
			       msk_pcifn_name(fn));
	struct pseries_fn *pf = msk_calloc(1, sizeof(*pf));
	if (!pf)
		return msk_err(MSK_ENOMEM, "pSeries: function %s", msk_pcifn_name(fn));
	struct msk_pcifn_msi_state msi;
	struct msk_pcifn_msix_state msix;
	msk_pcifn_msi_state(fn, &msi);
	msk_pcifn_msix_state(fn, &msix);
	uint16_t rid = msk_pcifn_rid(fn);
	pf->ps = ps;
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
	int rc = msk_spapr_add_function(ps->fw, ps->buid, pf->config_addr, MSK_SPAPR_PE_OWN, &ops,
					pf);
	if (rc < 0) {
		msk_err_context("pSeries: registering %s with the firmware", msk_pcifn_name(fn));
		msk_free(pf);
		return rc;
	}
	rc = msk_pci_dev_create_pcifn(ps->core, ps->domain, fn, 0, &pf->pdev);
	if (rc < 0) {
		msk_spapr_remove_function(ps->fw, ps->buid, pf->config_addr);
		msk_free(pf);
		return rc;
	}
	pf->dev = msk_pci_msi_device(pf->pdev);
	pthread_mutex_lock(&ps->lock);
	pf->next = ps->fns;
	ps->fns = pf;
	pthread_mutex_unlock(&ps->lock);
	*out = pf->pdev;
	return 0;
}

int pseries_pci_detach(struct pseries_msi *ps, struct msk_pci_dev *pdev)
{
	pthread_mutex_lock(&ps->lock);
	struct pseries_fn *pf = ps->fns;
	while (pf && pf->pdev != pdev)
		pf = pf->next;
	pthread_mutex_unlock(&ps->lock);
	if (!pf || !pdev) /* pdev may be stale: do not look into it */
		return msk_err(MSK_ENOENT, "pSeries: PCI device %p is not attached", (void *)pdev);
	/* Frees the vectors and removes the domains: teardown disables MSI in firmware. */
	int rc = msk_pci_dev_destroy(pdev);
	if (rc < 0)
		return rc;
	/*
	 * Whatever the firmware still holds for it goes back: nothing after a
	 * teardown it accepted, the stranded LISNs after one it refused.
	 */
	msk_spapr_remove_function(ps->fw, ps->buid, pf->config_addr);
	pthread_mutex_lock(&ps->lock);
	struct pseries_fn **pp = &ps->fns;
	while (*pp != pf)
		pp = &(*pp)->next;
	*pp = pf->next;
	pthread_mutex_unlock(&ps->lock);
	msk_free(pf);
	return 0;
}

unsigned int pseries_attached(struct pseries_msi *ps)
{
	unsigned int n = 0;
	pthread_mutex_lock(&ps->lock);
	for (struct pseries_fn *pf = ps->fns; pf; pf = pf->next)
		n++;
	pthread_mutex_unlock(&ps->lock);
	return n;
}
