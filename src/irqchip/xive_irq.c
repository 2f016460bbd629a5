/* SPDX-License-Identifier: MIT */
/*
 * The XIVE root domain's per-LISN side: allocation (H_INT_GET_SOURCE_INFO),
 * routing at activation (H_INT_SET_SOURCE_CONFIG, EISN = LISN), and the
 * fasteoi chip working on the ESB pages.
 */
#include "irqchip/xive_internal.h"

#include <stdio.h>
#include <string.h>

#include <msikit/domain.h>

#include "base/alloc.h"
#include "base/error.h"

#define ESB_P 0x2u
#define ESB_Q 0x1u

/* --- ESB accesses: 8-byte loads and stores, as the OS does them ------------------------------- */

static uint64_t esb_load(struct xive_irq *xd, uint64_t offset)
{
	uint64_t v = ~0ull;
	msk_bus_read(xd->drv->bus, xd->mgmt + offset, 8, NULL, &v);
	return v;
}

static void esb_store(struct xive_irq *xd, uint64_t addr)
{
	msk_bus_write(xd->drv->bus, addr, 0, 8, NULL);
}

/* --- the chip ------------------------------------------------------------------------------------ */

static void xive_irq_mask(struct msk_irq_data *d)
{
	struct xive_irq *xd = d->chip_data;
	pthread_mutex_lock(&xd->lock);
	uint64_t old = esb_load(xd, MSK_XIVE_ESB_SET_PQ_01);
	/* P set: an entry may sit in a queue; unmask must not re-enable before its EOI. */
	if (!xd->masked && old != ~0ull && (old & ESB_P))
		xd->saved_p = true;
	xd->masked = true;
	pthread_mutex_unlock(&xd->lock);
}

static void xive_irq_unmask(struct msk_irq_data *d)
{
	struct xive_irq *xd = d->chip_data;
	pthread_mutex_lock(&xd->lock);
	esb_load(xd, xd->saved_p ? MSK_XIVE_ESB_SET_PQ_10 : MSK_XIVE_ESB_SET_PQ_00);
	xd->saved_p = false;
	xd->masked = false;
	pthread_mutex_unlock(&xd->lock);
}

/*
 * Linux's xive_do_source_eoi for MSIs. Masked: the ESB stays off and the
 * entry no longer occupies a queue slot (saved P cleared). Store-EOI
 * sources take a store at 0x400; the others SET_PQ_00, and a Q that was
 * set means a trigger coalesced while P was set: re-trigger it (outside
 * the lock, the store notifies).
 */
static void xive_irq_eoi(struct msk_irq_data *d)
{
	struct xive_irq *xd = d->chip_data;
	pthread_mutex_lock(&xd->lock);
	if (xd->masked) {
		xd->saved_p = false;
		pthread_mutex_unlock(&xd->lock);
		return;
	}
	if (xd->store_eoi) {
		msk_bus_write(xd->drv->bus, xd->mgmt + MSK_XIVE_ESB_STORE_EOI, 0, 8, NULL);
		pthread_mutex_unlock(&xd->lock);
		return;
	}
	uint64_t old = esb_load(xd, MSK_XIVE_ESB_SET_PQ_00);
	pthread_mutex_unlock(&xd->lock);
	if (old != ~0ull && (old & ESB_Q))
		esb_store(xd, xd->trig);
}

void xive_irq_resend(struct xive_irq *xd, uint32_t weight)
{
	pthread_mutex_lock(&xd->lock);
	xd->saved_p = false;
	esb_load(xd, MSK_XIVE_ESB_SET_PQ_00);
	pthread_mutex_unlock(&xd->lock);
	const struct msk_bus_attrs attrs = { .requester_id = MSK_RID_CPU, .weight = weight };
	msk_bus_write(xd->drv->bus, xd->trig, 0, 8, &attrs);
}

/*
 * The CPU a source goes to: among the requested CPUs this platform runs
 * (online, with a queue), the one with the fewest sources; -1 if none.
 * Called with drv->lock held.
 */
static int pick_target(struct xive_drv *x, const struct msk_cpumask *want)
{
	struct msk_cpumask online = msk_core_online_cpus(x->core);
	int best = -1;
	for (unsigned int c = 0; c < x->ncpus; c++) {
		if (!msk_cpumask_test(want, c) || !msk_cpumask_test(&online, c))
			continue;
		if (best < 0 || x->targets[c] < x->targets[best])
			best = (int)c;
	}
	return best;
}

/*
 * Route xd to cpu (EISN = LISN, priority XIVE_DRV_PRIO). drv->lock held.
 * `must`: a move that cannot be refused - the CPU hotplug migration, which
 * takes the CPU away whatever happens - gets one more try after a
 * hardware error, like the other paths that cannot fail.
 */
static int route(struct xive_drv *x, struct xive_irq *xd, int cpu, bool must)
{
	uint64_t rets[MSK_HCALL_NRETS];
	int64_t h = must ? xive_hcall_cannot_fail(x, MSK_H_INT_SET_SOURCE_CONFIG,
						  MSK_H_INT_SRC_SET_EISN, xd->lisn, (uint64_t)cpu,
						  XIVE_DRV_PRIO, xd->lisn)
			 : xive_hcall(x, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN,
				      xd->lisn, (uint64_t)cpu, XIVE_DRV_PRIO, xd->lisn, rets);
	if (h != MSK_H_SUCCESS)
		return msk_err(MSK_EIO,
			       "H_INT_SET_SOURCE_CONFIG lisn=0x%x cpu=%d prio=%u failed %lld (%s)",
			       xd->lisn, cpu, XIVE_DRV_PRIO, (long long)h, xive_hcall_name(h));
	if (xd->target >= 0)
		x->targets[xd->target]--;
	x->targets[cpu]++;
	xd->target = cpu;
	return 0;
}

static int xive_irq_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct xive_irq *xd = d->chip_data;
	struct xive_drv *x = xd->drv;
	pthread_mutex_lock(&x->lock);
	int cpu = pick_target(x, mask);
	int rc = 0;
	if (cpu < 0)
		rc = msk_err(MSK_EINVAL,
			     "XIVE: lisn 0x%x: no online CPU of this platform in the mask",
			     xd->lisn);
	else if (xd->target >= 0 && xd->target != cpu)
		rc = route(x, xd, cpu,
			   force); /* not routed yet: activation uses the new affinity */
	pthread_mutex_unlock(&x->lock);
	if (rc < 0)
		return rc;
	struct msk_cpumask one = msk_cpumask_of((unsigned int)cpu);
	msk_irq_data_update_effective_affinity(d, &one);
	/* The message (MSI window, data = LISN) does not depend on the target. */
	return MSK_IRQ_SET_MASK_OK_DONE;
}

static const struct msk_irq_chip xive_chip = {
	.name = "XIVE",
	.irq_mask = xive_irq_mask,
	.irq_unmask = xive_irq_unmask,
	.irq_eoi = xive_irq_eoi,
	.irq_set_affinity = xive_irq_set_affinity,
};

/* --- the domain --------------------------------------------------------------------------------- */

static struct xive_drv *drv_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

/* Learn a source's ESB pages; the failure names the hcall, the LISN and the code. */
static int source_new(struct xive_drv *x, uint32_t lisn, struct xive_irq **out)
{
	uint64_t rets[MSK_HCALL_NRETS];
	int64_t h = xive_hcall(x, MSK_H_INT_GET_SOURCE_INFO, 0, lisn, 0, 0, 0, rets);
	if (h != MSK_H_SUCCESS)
		return msk_err(MSK_EIO, "H_INT_GET_SOURCE_INFO lisn=0x%x failed %lld (%s)", lisn,
			       (long long)h, xive_hcall_name(h));
	uint64_t flags = rets[0];
	if (flags & (MSK_H_INT_SRC_H_INT_ESB | MSK_H_INT_SRC_LSI))
		return msk_err(MSK_ENOTSUP,
			       "XIVE: lisn 0x%x: flags 0x%llx (LSI or H_INT_ESB-only sources are "
			       "not supported)",
			       lisn, (unsigned long long)flags);
	struct xive_irq *xd = msk_calloc(1, sizeof(*xd));
	if (!xd)
		return msk_err(MSK_ENOMEM, "XIVE: lisn 0x%x", lisn);
	xd->drv = x;
	xd->lisn = lisn;
	xd->mgmt = rets[1];
	xd->trig = rets[2];
	xd->store_eoi = flags & MSK_H_INT_SRC_STORE_EOI;
	xd->target = -1;
	pthread_mutex_init(&xd->lock, NULL);
	/* Off until started, whatever state the source was left in (Linux does the same). */
	esb_load(xd, MSK_XIVE_ESB_SET_PQ_01);
	xd->masked = true;
	*out = xd;
	return 0;
}

static void source_free(struct xive_irq *xd)
{
	pthread_mutex_destroy(&xd->lock);
	msk_free(xd);
}

static void xive_domain_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct xive_drv *x = drv_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		/* This level's own irq_data: the per-LISN data lives here and nowhere else. */
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		struct xive_irq *xd = irqd ? irqd->chip_data : NULL;
		if (xd) {
			pthread_mutex_lock(&x->lock);
			if (xd->target >= 0)
				x->targets[xd->target]--;
			pthread_mutex_unlock(&x->lock);
			source_free(xd);
		}
		if (irqd)
			msk_domain_reset_irq_data(irqd);
	}
}

static int xive_domain_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr,
			     void *arg)
{
	struct xive_drv *x = drv_of(d);
	const struct xive_fwspec *spec = arg;
	if (!spec)
		return msk_err(MSK_EINVAL, "XIVE: allocation without a LISN");
	for (unsigned int i = 0; i < nr; i++) {
		uint32_t lisn = spec->lisn + i;
		if (lisn < spec->lisn || lisn >= x->nr_sources) {
			xive_domain_free(d, virq, i);
			return msk_err(MSK_EINVAL, "XIVE: lisn 0x%x beyond the %u sources", lisn,
				       x->nr_sources);
		}
		struct xive_irq *xd = NULL;
		int rc = source_new(x, lisn, &xd);
		if (rc == 0) {
			rc = msk_domain_set_hwirq_and_chip(d, virq + i, lisn, &xive_chip, xd);
			if (rc < 0)
				source_free(xd);
		}
		if (rc < 0) {
			xive_domain_free(d, virq, i); /* exactly the ones done */
			return rc;
		}
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq + i), MSK_FLOW_FASTEOI);
	}
	return 0;
}

/* Route the source to a CPU of its affinity (the ESB stays off until unmask). */
static int xive_domain_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct xive_drv *x = drv_of(d);
	struct xive_irq *xd = irqd->chip_data;
	pthread_mutex_lock(&x->lock);
	int cpu = pick_target(x, msk_irq_data_affinity(irqd));
	if (cpu < 0) {
		struct msk_cpumask all;
		msk_cpumask_fill(&all, x->ncpus);
		cpu = pick_target(x, &all);
	}
	int rc = cpu < 0 ? msk_err(MSK_EINVAL, "XIVE: lisn 0x%x: no online CPU", xd->lisn)
			 : route(x, xd, cpu, false);
	pthread_mutex_unlock(&x->lock);
	if (rc < 0)
		return rc;
	struct msk_cpumask one = msk_cpumask_of((unsigned int)cpu);
	msk_irq_data_update_effective_affinity(irqd, &one);
	return 0;
}

/*
 * Linux's shutdown of a source: ESB off, then the EAS masked (priority
 * 0xFF). The ESB is what stops the source; the EAS is tidied after it.
 * If the firmware refuses that (retried once) or already took the source
 * back (H_P2), the EAS keeps its old target, which nothing reaches while
 * the ESB is off - and activation routes it afresh.
 */
static void xive_domain_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	struct xive_drv *x = drv_of(d);
	struct xive_irq *xd = irqd->chip_data;
	pthread_mutex_lock(&xd->lock);
	uint64_t old = esb_load(xd, MSK_XIVE_ESB_SET_PQ_01);
	if (!xd->masked && old != ~0ull && (old & ESB_P))
		xd->saved_p = true;
	xd->masked = true;
	pthread_mutex_unlock(&xd->lock);
	xive_hcall_cannot_fail(x, MSK_H_INT_SET_SOURCE_CONFIG, 0, xd->lisn, 0,
			       MSK_H_INT_PRIO_MASKED, 0);
	pthread_mutex_lock(&x->lock);
	if (xd->target >= 0)
		x->targets[xd->target]--;
	xd->target = -1;
	pthread_mutex_unlock(&x->lock);
}

static void xive_domain_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
				   size_t size)
{
	struct xive_drv *x = drv_of(d);
	if (!irqd) {
		snprintf(buf, size, "queues: %u x %u bytes at 0x%llx, priority %u", x->ncpus,
			 1u << x->qshift, (unsigned long long)x->qbase, XIVE_DRV_PRIO);
		return;
	}
	struct xive_irq *xd = irqd->chip_data;
	if (!xd) {
		snprintf(buf, size, "%s", "");
		return;
	}
	snprintf(buf, size, "lisn: 0x%x target: %d prio: %u eoi: %s trigger: 0x%llx", xd->lisn,
		 xd->target, XIVE_DRV_PRIO, xd->store_eoi ? "store" : "load",
		 (unsigned long long)xd->trig);
}

const struct msk_irq_domain_ops xive_domain_ops = {
	.alloc = xive_domain_alloc,
	.free = xive_domain_free,
	.activate = xive_domain_activate,
	.deactivate = xive_domain_deactivate,
	.debug_show = xive_domain_debug_show,
};
