/* SPDX-License-Identifier: MIT */
/*
 * The pSeries MSI parent: the "pSeries-MSI" domain and chip, and what it
 * installs in every per-device domain (prepare/teardown through RTAS, the
 * post_free replay, the caching write_msi_msg, the fasteoi flow).
 */
#include "irqchip/pseries_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "irqchip/xive.h"

static struct pseries_msi *ps_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

/* --- the pSeries-MSI level --------------------------------------------------------------------- */

/* The message the firmware programmed: its MSI window, data = LISN. */
static void pseries_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	struct pseries_msi *ps = ps_of(d->domain);
	msg->address_lo = (uint32_t)ps->window;
	msg->address_hi = (uint32_t)(ps->window >> 32);
	msg->data = (uint32_t)d->hwirq;
}

static const struct msk_irq_chip pseries_chip = {
	.name = "pSeries-MSI",
	.irq_mask = msk_irq_chip_mask_parent,
	.irq_unmask = msk_irq_chip_unmask_parent,
	.irq_eoi = msk_irq_chip_eoi_parent,
	.irq_set_affinity = msk_irq_chip_set_affinity_parent,
	.irq_compose_msi_msg = pseries_compose,
};

static void pseries_domain_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		struct pseries_dev *md = irqd ? irqd->chip_data : NULL;
		if (md && md->used)
			md->used--;
	}
	msk_domain_free_irqs_common(d, virq, nr);
}

static int pseries_domain_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr,
				void *argp)
{
	struct msk_msi_alloc_info *arg = argp;
	struct pseries_dev *md = arg ? arg->scratchpad[0].ptr : NULL;
	if (!md || !arg->desc)
		return msk_err(MSK_EINVAL, "pSeries-MSI: the device domain was not prepared");
	uint32_t index = arg->desc->msi_index;
	/* The Dec 2025 fix: beyond the firmware's grant, say "no room" so the caller shrinks. */
	if (md->used + nr > md->quota || index >= md->quota || nr > md->quota - index)
		return msk_err(MSK_ENOSPC,
			       "pSeries-MSI: %s: firmware granted %u vectors (PE quota), %u in "
			       "use, index %u + %u does not fit",
			       msk_device_name(md->pfn->dev), md->quota, md->used, index, nr);
	unsigned int i;
	int rc = 0;
	for (i = 0; i < nr; i++) {
		struct xive_fwspec spec = { md->lisn[index + i] };
		rc = msk_domain_alloc_irqs_parent(d, virq + i, 1, &spec);
		if (rc < 0)
			break;
		rc = msk_domain_set_hwirq_and_chip(d, virq + i, spec.lisn, &pseries_chip, md);
		if (rc < 0) {
			msk_domain_free_irqs_parent(d, virq + i, 1);
			break;
		}
	}
	if (rc < 0) {
		/* Exactly the vectors done (the 6.18 code freed i - 1, -1 for the first). */
		for (unsigned int j = 0; j < i; j++) {
			msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + j));
			msk_domain_free_irqs_parent(d, virq + j, 1);
		}
		return rc;
	}
	md->used += nr;
	return 0;
}

static void pseries_domain_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd,
				      char *buf, size_t size)
{
	struct pseries_msi *ps = ps_of(d);
	struct pseries_dev *md = irqd ? irqd->chip_data : NULL;
	if (!irqd)
		snprintf(buf, size, "buid: 0x%llx msi-window: 0x%llx%s",
			 (unsigned long long)ps->buid, (unsigned long long)ps->window,
			 ps->post_free ? " post-free" : "");
	else if (md)
		snprintf(buf, size, "lisn: 0x%llx quota: %u used: %u",
			 (unsigned long long)irqd->hwirq, md->quota, md->used);
	else
		snprintf(buf, size, "%s", "");
}

static const struct msk_irq_domain_ops pseries_domain_ops = {
	.alloc = pseries_domain_alloc,
	.free = pseries_domain_free,
	.debug_show = pseries_domain_debug_show,
};

/* --- what every device domain gets ------------------------------------------------------------ */

static const char *type_name(unsigned int type)
{
	return type == MSK_RTAS_TYPE_MSIX ? "MSI-X" : "MSI";
}

/* RTAS status -> error code. */
static int rtas_errno(int32_t status)
{
	return status == MSK_RTAS_PARAM_ERROR ? MSK_EINVAL : MSK_EIO;
}

/*
 * Give the grant back to the firmware (ibm,change-msi count 0, retried
 * once on a refusal). False when the firmware kept it: then it still holds
 * the LISNs and the domain still counts them.
 */
static bool release_grant(struct msk_irq_domain *d, struct pseries_dev *md)
{
	if (!md->fw_holds)
		return true;
	if (!pseries_rtas_release(md->ps, md->pfn, md->type))
		return false;
	md->fw_holds = false;
	msk_msi_monitor_resource(d, "lisn", -(int64_t)md->quota);
	return true;
}

/* Prepare's rollback of a grant it got: released, or left stranded with the function. */
static void undo_grant(struct pseries_msi *ps, struct pseries_fn *pfn, unsigned int type,
		       uint32_t got)
{
	pseries_set_stranded(pfn, pseries_rtas_release(ps, pfn, type) ? 0 : got);
}

static int prepare_failed(struct msk_device *dev, const char *call, unsigned int type, uint32_t n,
			  int32_t st)
{
	return msk_err(rtas_errno(st), "pSeries: %s: RTAS %s(%s, %u) failed %d (%s)",
		       msk_device_name(dev), call, type_name(type), n, st,
		       pseries_rtas_status_name(st));
}

/* Give back the grant prepared into arg (if any) and forget it. */
static void free_grant(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg)
{
	struct pseries_dev *md = arg->scratchpad[0].ptr;
	if (!md)
		return;
	/*
	 * Refused even on the retry: the firmware keeps the LISNs. Say so
	 * rather than pretend - the domain's "lisn" count stays (the monitor
	 * reports resources-returned) and the function holds them stranded.
	 */
	if (!release_grant(d, md))
		pseries_set_stranded(md->pfn, md->quota);
	arg->scratchpad[0].ptr = NULL;
	msk_free(md);
}

/*
 * With prepare = per-alloc (the MSI core's old mode) every allocation is
 * prepared into its own arg; the domain's template keeps the latest grant
 * so that the next prepare and msi_teardown find it. A new prepare
 * replaces the firmware's grant (ibm,change-msi), which is only possible
 * while no vector uses it. In the per-device mode prepare runs once and
 * the template is still empty here.
 */
static int replace_grant(struct msk_irq_domain *d, struct msk_msi_domain_info *info)
{
	struct pseries_dev *old = info->alloc_data->scratchpad[0].ptr;
	if (old && old->used)
		return msk_err(MSK_EBUSY,
			       "pSeries: %s: prepare again while %u vectors use the firmware's "
			       "grant",
			       msk_domain_name(d), old->used);
	free_grant(d, info->alloc_data);
	return 0;
}

static int pseries_msi_prepare(struct msk_irq_domain *d, struct msk_device *dev, unsigned int nvec,
			       struct msk_msi_alloc_info *arg)
{
	struct pseries_msi *ps = ps_of(msk_domain_parent(d));
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	struct pseries_fn *pfn = pseries_find_fn(ps, dev);
	if (!pfn)
		return msk_err(MSK_ENODEV,
			       "pSeries: %s is not known to the firmware (attach it with "
			       "msk_platform_pci_add)",
			       msk_device_name(dev));
	int rc = replace_grant(d, info);
	if (rc < 0)
		return rc;
	/* The type comes from the domain (msix_enabled is not set yet at creation). */
	unsigned int type =
		(info->flags & MSK_MSI_FLAG_PCI_MSIX) ? MSK_RTAS_TYPE_MSIX : MSK_RTAS_TYPE_MSI;
	uint32_t func = type == MSK_RTAS_TYPE_MSIX ? MSK_RTAS_MSI_FN_MSIX : MSK_RTAS_MSI_FN_MSI;
	uint32_t got = 0, asked = nvec;
	int32_t st = pseries_rtas_change_msi(ps, pfn, func, nvec, &got);
	if (st == MSK_RTAS_SUCCESS && got != nvec && got > 0 && got < nvec) {
		/* The PE quota is smaller: nothing was allocated; take what is offered. */
		asked = got;
		st = pseries_rtas_change_msi(ps, pfn, func, asked, &got);
		if (st == MSK_RTAS_SUCCESS && got != asked)
			return msk_err(
				MSK_ENOSPC,
				"pSeries: %s: RTAS ibm,change-msi offered %u %s vectors, then "
				"granted %u",
				msk_device_name(dev), asked, type_name(type), got);
	}
	/* A refused call changed nothing: no grant to undo. */
	if (st != MSK_RTAS_SUCCESS)
		return prepare_failed(dev, "ibm,change-msi", type, asked, st);
	if (got == 0 || got > nvec)
		return msk_err(MSK_ENOSPC, "pSeries: %s: RTAS ibm,change-msi granted %u of %u %s",
			       msk_device_name(dev), got, nvec, type_name(type));
	/* The firmware replaced whatever it still held for the function. */
	pseries_set_stranded(pfn, 0);

	struct pseries_dev *md = msk_calloc(1, sizeof(*md) + (size_t)got * sizeof(uint32_t));
	if (!md) {
		undo_grant(ps, pfn, type, got);
		return msk_err(MSK_ENOMEM, "pSeries: %s: %u LISNs", msk_device_name(dev), got);
	}
	md->ps = ps;
	md->pfn = pfn;
	md->type = type;
	md->quota = got;
	md->fw_holds = true;
	for (uint32_t i = 0; i < got; i++) {
		st = pseries_rtas_query_source(ps, pfn, i, &md->lisn[i]);
		if (st != MSK_RTAS_SUCCESS) {
			rc = msk_err(rtas_errno(st),
				     "pSeries: %s: RTAS ibm,query-interrupt-source-number(%u) "
				     "failed %d (%s)",
				     msk_device_name(dev), i, st, pseries_rtas_status_name(st));
			undo_grant(ps, pfn, type, got);
			msk_free(md);
			return rc;
		}
	}
	memset(arg, 0, sizeof(*arg));
	arg->scratchpad[0].ptr = md;
	info->alloc_data->scratchpad[0].ptr = md;
	msk_msi_monitor_resource(d, "lisn", got);
	return 0;
}

static void pseries_msi_teardown(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg)
{
	/* The template holds what prepare wrote; arg->desc is nobody (the Oct 2025 fix). */
	free_grant(d, arg);
}

/* The first conversion's hook: RTAS disable after every free (undoes prepare). */
static void pseries_msi_post_free(struct msk_irq_domain *d, struct msk_device *dev)
{
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	struct pseries_dev *md = info ? info->alloc_data->scratchpad[0].ptr : NULL;
	/* A refusal leaves the grant with the domain (fw_holds): teardown tries again. */
	if (md)
		release_grant(d, md);
}

/* The firmware wrote the message at prepare; the OS keeps a copy only. */
static void pseries_cache_msi_msg(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	struct msk_msi_desc *desc = msk_desc_msi_desc(d->desc);
	if (desc && desc->irq == d->virq)
		desc->msg = *msg;
}

/* The device level: hwirq = the index, fasteoi like the XIVE below. */
static int pseries_msi_init(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			    unsigned int virq, uint64_t hwirq, struct msk_msi_alloc_info *arg)
{
	int rc = msk_domain_set_hwirq_and_chip(d, virq, hwirq, info->chip, info->chip_data);
	if (rc == 0)
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq), MSK_FLOW_FASTEOI);
	return rc;
}

static bool pseries_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				      struct msk_irq_domain *real_parent,
				      struct msk_msi_domain_info *info)
{
	struct pseries_msi *ps = ps_of(domain);
	if (!msk_msi_lib_init_dev_msi_info(dev, domain, real_parent, info))
		return false;
	if (info->flags & MSK_MSI_FLAG_PCI_MSIX)
		info->flags |= MSK_MSI_FLAG_MSIX_CONTIGUOUS; /* firmware: entries 0..n-1 */
	info->chip->irq_write_msi_msg = pseries_cache_msi_msg;
	info->ops->msi_init = pseries_msi_init;
	info->ops->msi_prepare = pseries_msi_prepare;
	/* Teardown also frees the prepared state in post_free mode (and any grant left). */
	info->ops->msi_teardown = pseries_msi_teardown;
	if (ps->post_free)
		info->ops->msi_post_free = pseries_msi_post_free;
	return true;
}

/* --- creation --------------------------------------------------------------------------------- */

int pseries_msi_create(const struct pseries_msi_config *cfg, struct pseries_msi **out)
{
	if (!cfg || !cfg->core || !cfg->xive || !cfg->fw || !cfg->parent || !out)
		return msk_err(MSK_EINVAL, "pSeries: bad configuration");
	struct pseries_msi *ps = msk_calloc(1, sizeof(*ps));
	if (!ps)
		return msk_err(MSK_ENOMEM, "pSeries: parent state");
	ps->core = cfg->core;
	ps->fw = cfg->fw;
	ps->window = msk_xive_msi_window(cfg->xive);
	ps->buid = cfg->buid;
	ps->post_free = cfg->post_free;
	pthread_mutex_init(&ps->lock, NULL);
	ps->pops.supported_flags =
		MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_MSIX_CONTIGUOUS | MSK_MSI_FLAG_MULTI_PCI_MSI;
	ps->pops.required_flags = MSK_MSI_FLAG_USE_DEF_DOM_OPS | MSK_MSI_FLAG_USE_DEF_CHIP_OPS |
				  MSK_MSI_FLAG_PCI_MSI_MASK_PARENT;
	ps->pops.chip_flags = MSK_MSI_CHIP_FLAG_SET_EOI;
	ps->pops.bus_select_token = MSK_DOMAIN_BUS_NEXUS;
	ps->pops.prefix = "pSeries-";
	ps->pops.init_dev_msi_info = pseries_init_dev_msi_info;
	struct msk_irq_domain_info info = {
		.name = "pSeries-MSI",
		.ops = &pseries_domain_ops,
		.parent = cfg->parent,
		.host_data = ps,
		.hwirq_max = msk_xive_nr_sources(cfg->xive),
		.bus_token = MSK_DOMAIN_BUS_NEXUS,
		.flags = MSK_DOMAIN_FLAG_MSI_IMMUTABLE,
	};
	int rc = msk_domain_create(cfg->core, &info, &ps->domain);
	if (rc == 0) {
		rc = msk_msi_set_parent_ops(ps->domain, &ps->pops);
		if (rc < 0)
			msk_domain_remove(ps->domain);
	}
	if (rc < 0) {
		pthread_mutex_destroy(&ps->lock);
		msk_free(ps);
		return rc;
	}
	*out = ps;
	return 0;
}

int pseries_msi_destroy(struct pseries_msi *ps)
{
	if (!ps)
		return 0;
	unsigned int n = pseries_attached(ps);
	if (n)
		return msk_err(MSK_EBUSY, "pSeries: %u PCI function(s) still attached", n);
	int rc = msk_domain_remove(ps->domain);
	if (rc < 0)
		return rc;
	pthread_mutex_destroy(&ps->lock);
	msk_free(ps);
	return 0;
}

struct msk_irq_domain *pseries_msi_domain(struct pseries_msi *ps)
{
	return ps->domain;
}
