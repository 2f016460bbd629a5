/* SPDX-License-Identifier: MIT */
/*
 * The ppc64 (pSeries) platform: a XIVE and the pSeries firmware models,
 * and - unless bare - the XIVE root driver and the pSeries MSI parent on
 * top of them, wired to a core (see msikit/platform_ppc64.h and
 * docs/platform-ppc64.md).
 */
#include <msikit/platform_ppc64.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include <msikit/cpuhotplug.h>

#include "base/error.h"
#include "platform/ppc64.h"

static const struct msk_platform_ops ppc64_ops;

struct msk_xive *msk_ppc64_platform_xive(struct msk_platform *p)
{
	return p && p->ops == &ppc64_ops ? ppc64_of(p)->xive : NULL;
}

struct msk_spapr *msk_ppc64_platform_firmware(struct msk_platform *p)
{
	return p && p->ops == &ppc64_ops ? ppc64_of(p)->fw : NULL;
}

/* Tear down what exists, drivers first. False if a driver is still in use. */
static bool teardown(struct ppc64 *pp)
{
	if (pp->ps) {
		/* The board's functions first: the driver refuses to go while they are attached. */
		if (ppc64_phb_detach_all(&pp->phb) < 0 || pseries_msi_destroy(pp->ps) < 0)
			return false;
		ppc64_phb_fini(&pp->phb);
		pp->ps = NULL;
	}
	if (pp->xdrv) {
		if (xive_drv_destroy(pp->xdrv) < 0)
			return false;
		pp->xdrv = NULL;
	}
	msk_spapr_destroy(pp->fw);
	pp->fw = NULL;
	msk_xive_destroy(pp->xive);
	pp->xive = NULL;
	return true;
}

static void ppc64_destroy(struct msk_platform *p)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!teardown(pp)) {
		/* The core's domains still use the drivers: keep everything alive. */
		msk_err_context("ppc64: platform still in use, not destroyed");
		return;
	}
	msk_free(pp);
}

static struct msk_irq_domain *ppc64_msi_parent(struct msk_platform *p)
{
	struct ppc64 *pp = ppc64_of(p);
	return pp->ps ? pseries_msi_domain(pp->ps) : NULL;
}

static int ppc64_cpu_service(struct msk_platform *p, unsigned int cpu, unsigned int max)
{
	return xive_drv_service(ppc64_of(p)->xdrv, cpu, max);
}

/* Bare: the raw EISN of CPU cpu's most favoured queue entry. */
static int ppc64_cpu_take(struct msk_platform *p, unsigned int cpu, uint64_t *id, uint64_t *weight)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!p->cfg.bare)
		return msk_err(
			MSK_ENOTSUP,
			"ppc64: the drivers own the queues; take with msk_platform_cpu_service");
	uint32_t eisn, w;
	unsigned int prio;
	int rc = msk_xive_take(pp->xive, cpu, &eisn, &prio, &w);
	if (rc == 1) {
		*id = eisn;
		*weight = w;
		/* Bare: the guest that takes the entry is its consumer - its events are delivered. */
		msk_ledger_deliver(msk_bus_ledger(p->bus), w);
	}
	return rc;
}

static uint64_t ppc64_held(struct msk_platform *p)
{
	return msk_xive_held(ppc64_of(p)->xive);
}

static int ppc64_pci_add(struct msk_platform *p, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!pp->ps)
		return msk_err(MSK_ENOTSUP,
			       "ppc64: a bare platform has no OS view; register functions with "
			       "msk_spapr_add_function on msk_ppc64_platform_firmware()");
	return ppc64_phb_attach(&pp->phb, fn, out);
}

static int ppc64_pci_remove(struct msk_platform *p, struct msk_pci_dev *pdev)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!pp->ps)
		return msk_pci_dev_destroy(pdev);
	return ppc64_phb_detach(&pp->phb, pdev);
}

static void ppc64_layout(struct msk_platform *p, struct msk_platform_layout *out)
{
	out->esb = MSK_PPC64_ESB_BASE;
	out->esb_stride = 2ull << MSK_PPC64_ESB_SHIFT;
	out->msi_window = MSK_PPC64_MSI_WINDOW;
}

static size_t ppc64_counters(struct msk_platform *p, struct msk_platform_counter *out, size_t max)
{
	struct ppc64 *pp = ppc64_of(p);
	uint32_t ipi_base, ipis, msi_base, msis;
	msk_spapr_ipi_range(pp->fw, &ipi_base, &ipis);
	msk_spapr_msi_range(pp->fw, &msi_base, &msis);
	uint32_t pool_free = msk_spapr_pool_free(pp->fw);
	struct msk_platform_counter c[] = {
		{ "lisns", (int64_t)(msis - pool_free) }, /* MSI LISNs the firmware handed out */
		{ "lisn-pool-free", pool_free },
		{ "pe-quota", pp->pe_quota },
		{ "ipis", ipis },
		{ "xive-mapped", pp->xdrv ? msk_domain_mapcount(xive_drv_domain(pp->xdrv)) : 0 },
		{ "pci-functions", pp->ps ? pseries_attached(pp->ps) : 0 },
		{ "xive-queues", pp->xdrv ? xive_drv_queues(pp->xdrv) : 0 },
		/* LISNs the firmware kept after refusing to take them back (normally 0). */
		{ "lisns-stranded", pp->ps ? pseries_stranded(pp->ps) : 0 },
	};
	size_t n = sizeof(c) / sizeof(c[0]);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = c[i];
	return n < max ? n : max;
}

/*
 * CPU hotplug: the generic part moves or shuts down the CPU's virqs through
 * the chips (H_INT_SET_SOURCE_CONFIG retargets the sources; entries already
 * queued stay in the outgoing CPU's event queue); then the queue is
 * flushed as Linux's xive_smp_disable_cpu() does (xive_drv_flush_cpu:
 * every entry re-triggered at its source, reaching its new CPU, or lost
 * "xive-eas-masked" for a source shut down), and it is removed (kept while a source that could not be moved still targets
 * it). Online configures the queue again before anything may target the
 * CPU; a refusal leaves the CPU offline. The caller keeps that CPU's
 * service thread stopped meanwhile (msikit/cpuhotplug.h).
 */
static int ppc64_cpu_offline(struct msk_platform *p, unsigned int cpu)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!pp->xdrv)
		return msk_err(MSK_ENOTSUP,
			       "ppc64: a bare platform has no drivers to move sources");
	if (cpu >= p->cfg.ncpus)
		return msk_err(MSK_EINVAL, "ppc64: no CPU %u", cpu);
	struct msk_hotplug_stats st;
	int rc = msk_irq_cpu_offline(p->core, cpu, &st);
	if (rc == -MSK_EINVAL || rc == -MSK_EALREADY)
		return rc;
	xive_drv_flush_cpu(pp->xdrv, cpu);
	xive_drv_cpu_down(pp->xdrv, cpu);
	return rc;
}

static int ppc64_cpu_online(struct msk_platform *p, unsigned int cpu)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!pp->xdrv)
		return msk_err(MSK_ENOTSUP, "ppc64: a bare platform has no drivers");
	if (cpu >= p->cfg.ncpus)
		return msk_err(MSK_EINVAL, "ppc64: no CPU %u", cpu);
	int rc = xive_drv_cpu_up(pp->xdrv, cpu);
	if (rc < 0)
		return msk_err_context("ppc64: CPU %u stays offline", cpu);
	return msk_irq_cpu_online(p->core, cpu, NULL);
}

/*
 * Controller faults: the firmware refuses the Nth call the OS makes
 * (msk_spapr_fault_arm, once). The drivers see RTAS -1 / H_HARDWARE.
 */
static int ppc64_fault_arm(struct msk_platform *p, enum msk_platform_fault_kind kind, uint64_t nth)
{
	struct ppc64 *pp = ppc64_of(p);
	if (kind != MSK_PLATFORM_FAULT_FIRMWARE)
		return msk_err(MSK_ENOTSUP,
			       "ppc64: no \"%s\" fault (the pSeries platform has \"firmware\")",
			       msk_platform_fault_name(kind));
	msk_spapr_fault_arm(pp->fw, nth, 1);
	pp->fault_armed = true;
	return 0;
}

static void ppc64_fault_state(struct msk_platform *p, struct msk_platform_fault_state *out)
{
	struct ppc64 *pp = ppc64_of(p);
	if (!pp->fault_armed)
		return;
	struct msk_spapr_fault_state st;
	msk_spapr_fault_state(pp->fw, &st);
	out->kind = MSK_PLATFORM_FAULT_FIRMWARE;
	out->nth = st.nth;
	out->seen = st.seen;
	out->fired = st.fired;
	snprintf(out->what, sizeof(out->what), "%s", st.what);
}

static enum msk_platform_fault_kind ppc64_fault_default(struct msk_platform *p)
{
	return MSK_PLATFORM_FAULT_FIRMWARE;
}

static const struct msk_platform_ops ppc64_ops = {
	.arch = "ppc64",
	.destroy = ppc64_destroy,
	.msi_parent = ppc64_msi_parent,
	.cpu_service = ppc64_cpu_service,
	.cpu_take = ppc64_cpu_take,
	.held = ppc64_held,
	.cpu_offline = ppc64_cpu_offline,
	.cpu_online = ppc64_cpu_online,
	.pci_add = ppc64_pci_add,
	.pci_remove = ppc64_pci_remove,
	.layout = ppc64_layout,
	.counters = ppc64_counters,
	.fault_arm = ppc64_fault_arm,
	.fault_state = ppc64_fault_state,
	.fault_default = ppc64_fault_default,
	.route = ppc64_route,
};

static int create_models(struct ppc64 *pp, struct msk_bus *bus,
			 const struct msk_platform_config *cfg)
{
	struct msk_xive_config xc = {
		.nr_sources = MSK_PPC64_NR_SOURCES,
		.nr_cpus = cfg->ncpus,
		.esb_base = MSK_PPC64_ESB_BASE,
		.esb_shift = MSK_PPC64_ESB_SHIFT,
		.msi_window_base = MSK_PPC64_MSI_WINDOW,
		.msi_window_size = 0x10000,
		.store_eoi = false,
		.notify = cfg->notify,
	};
	int rc = msk_xive_create(bus, &xc, &pp->xive);
	if (rc < 0)
		return rc;
	struct msk_spapr_config sc = { .ipi_count = cfg->ncpus, .pe_quota = pp->pe_quota };
	return msk_spapr_create(pp->xive, &sc, &pp->fw);
}

static int create_drivers(struct ppc64 *pp, struct msk_core *core, struct msk_bus *bus,
			  const struct msk_platform_config *cfg)
{
	struct xive_drv_config xc = {
		.core = core,
		.bus = bus,
		.xive = pp->xive,
		.fw = pp->fw,
		.ncpus = cfg->ncpus,
		.table_base = cfg->table_base,
		.table_size = cfg->table_size,
	};
	int rc = xive_drv_create(&xc, &pp->xdrv);
	if (rc < 0)
		return rc;
	struct pseries_msi_config pc = {
		.core = core,
		.xive = pp->xive,
		.fw = pp->fw,
		.parent = xive_drv_domain(pp->xdrv),
		.buid = MSK_PPC64_BUID,
		.post_free = cfg->pseries.post_free,
	};
	rc = pseries_msi_create(&pc, &pp->ps);
	if (rc == 0)
		ppc64_phb_init(&pp->phb, pp->fw, MSK_PPC64_BUID, pp->ps);
	return rc;
}

int msk_ppc64_platform_create(struct msk_core *core, struct msk_bus *bus,
			      const struct msk_platform_config *cfg, struct msk_platform **out)
{
	if (!core || !bus || !cfg || !out)
		return msk_err(MSK_EINVAL, "ppc64: missing argument");
	if (cfg->ncpus < 1 || cfg->ncpus > MSK_XIVE_MAX_CPUS ||
	    cfg->ncpus >= MSK_PPC64_NR_SOURCES / 2)
		return msk_err(MSK_EINVAL, "ppc64: %u CPUs", cfg->ncpus);
	if (!cfg->bare &&
	    (!cfg->table_size || !msk_ram_contains(bus, cfg->table_base, cfg->table_size)))
		return msk_err(
			MSK_EINVAL, "ppc64: the driver table area [0x%llx, +0x%llx) must be RAM",
			(unsigned long long)cfg->table_base, (unsigned long long)cfg->table_size);
	struct ppc64 *pp = msk_calloc(1, sizeof(*pp));
	if (!pp)
		return msk_err(MSK_ENOMEM, "ppc64: platform");
	pp->pub.ops = &ppc64_ops;
	pp->pub.core = core;
	pp->pub.bus = bus;
	pp->pub.cfg = *cfg;
	pp->pe_quota = cfg->pseries.pe_quota ? cfg->pseries.pe_quota : MSK_PPC64_PE_QUOTA_DEF;
	int rc = create_models(pp, bus, cfg);
	if (rc == 0 && !cfg->bare)
		rc = create_drivers(pp, core, bus, cfg);
	if (rc < 0) {
		teardown(pp); /* nothing is in use yet: always succeeds */
		msk_free(pp);
		return rc;
	}
	*out = &pp->pub;
	return 0;
}
