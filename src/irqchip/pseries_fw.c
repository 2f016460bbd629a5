/* SPDX-License-Identifier: MIT */
/*
 * The pSeries parent's firmware side: the RTAS calls the parent makes, and
 * the functions it knows (their firmware config address, the OS view under
 * "pSeries-MSI", LISNs stranded). Registering a function with the firmware
 * (who writes its messages) is the board's part: src/platform/ppc64_pci.c.
 */
#include "irqchip/pseries_internal.h"

#include <string.h>

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

int pseries_pci_attach(struct pseries_msi *ps, struct msk_pcifn *fn, uint32_t config_addr,
		       struct msk_pci_dev **out)
{
	if (!fn || !out)
		return msk_err(MSK_EINVAL, "pSeries: attach needs a function");
	struct pseries_fn *pf = msk_calloc(1, sizeof(*pf));
	if (!pf)
		return msk_err(MSK_ENOMEM, "pSeries: function %s", msk_pcifn_name(fn));
	pf->ps = ps;
	pf->config_addr = config_addr;
	int rc = msk_pci_dev_create_pcifn(ps->core, ps->domain, fn, 0, &pf->pdev);
	if (rc < 0) {
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
