/* SPDX-License-Identifier: MIT */
/*
 * The arm64 platform: a GICv3 model (redistributors + ITS) and, unless
 * bare, the GICv3 root driver and the ITS MSI parent on top of it.
 *
 * CPU service: msk_gic_ack (ICC_IAR1) -> the root domain's entry path ->
 * EOI. With the fasteoi flow the chip writes the EOI; an INTID with no
 * descriptor is ended here, as Linux's gic_handle_irq does.
 *
 * Controller fault "its-command": the ITS model's command-error injection;
 * route: arm64_route.c.
 *
 * Lifetime: the platform and its two domains each hold a reference to the
 * driver state. Destroying the platform with every PCI device removed
 * removes the domains, disables the ITS and frees the tables. If devices
 * remain, their domains keep the (now hardware-less) drivers until the
 * core removes them.
 */
#include "platform/arm64.h"

#include <stdio.h>
#include <string.h>

#include <msikit/hw_gic.h>
#include <msikit/pci.h>

#include "base/alloc.h"
#include <msikit/cpuhotplug.h>

#include "base/error.h"

struct arm64_platform {
	struct msk_platform pub;
	struct msk_gic *model;
	struct gic_ram ram;
	struct gic_v3 gic;
	struct its its;
	bool ram_live, gic_live, its_live;
	bool fault_armed; /* the ITS command fault was armed once */
	_Atomic int refs;
};

static const struct msk_platform_ops arm64_ops;

static struct arm64_platform *ap_of(struct msk_platform *p)
{
	return (struct arm64_platform *)p;
}

static void release_drivers(struct arm64_platform *ap)
{
	if (ap->its_live)
		its_fini(&ap->its);
	if (ap->gic_live)
		gic_v3_fini(&ap->gic);
	if (ap->ram_live)
		gic_ram_destroy(&ap->ram);
	ap->its_live = ap->gic_live = ap->ram_live = false;
}

static void put(void *ctx)
{
	struct arm64_platform *ap = ctx;
	if (atomic_fetch_sub(&ap->refs, 1) != 1)
		return;
	release_drivers(ap);
	msk_free(ap);
}

static void arm64_destroy(struct msk_platform *p)
{
	struct arm64_platform *ap = ap_of(p);
	if (ap->its.domain)
		msk_domain_remove(ap->its.domain);
	if (!ap->its.domain && ap->gic.domain)
		msk_domain_remove(ap->gic.domain);
	if (!ap->its.domain && !ap->gic.domain) {
		release_drivers(ap); /* with the hardware still there: the ITS is disabled */
	} else {
		atomic_store(&ap->its.dead, true);
		atomic_store(&ap->gic.dead, true);
	}
	msk_gic_destroy(ap->model);
	ap->model = NULL;
	put(ap);
}

static struct msk_irq_domain *arm64_msi_parent(struct msk_platform *p)
{
	return ap_of(p)->its.domain;
}

static int arm64_cpu_service(struct msk_platform *p, unsigned int cpu, unsigned int max)
{
	struct arm64_platform *ap = ap_of(p);
	unsigned int n = 0;
	while (n < max) {
		uint32_t intid;
		uint64_t w;
		int rc = msk_gic_ack(ap->model, cpu, &intid, &w);
		if (rc < 0)
			return n ? (int)n : rc;
		if (rc == 0)
			break;
		gic_v3_cpu_enter(&ap->gic, cpu);
		do {
			uint32_t part = w > UINT32_MAX ? UINT32_MAX : (uint32_t)w;
			msk_domain_handle_irq(ap->gic.domain, cpu, intid, part);
			w -= part;
		} while (w);
		if (!gic_v3_cpu_exit())
			msk_gic_eoi(ap->model, cpu, intid); /* no descriptor: end it here */
		n++;
	}
	return (int)n;
}

static int arm64_cpu_take(struct msk_platform *p, unsigned int cpu, uint64_t *id, uint64_t *weight)
{
	struct arm64_platform *ap = ap_of(p);
	uint32_t intid;
	uint64_t w;
	int rc = msk_gic_ack(ap->model, cpu, &intid, &w);
	if (rc <= 0)
		return rc;
	msk_gic_eoi(ap->model, cpu, intid); /* LPIs have no active state */
	*id = intid;
	if (weight)
		*weight = w;
	return 1;
}

static uint64_t arm64_held(struct msk_platform *p)
{
	return msk_gic_held(ap_of(p)->model);
}

static int arm64_pci_add(struct msk_platform *p, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	struct arm64_platform *ap = ap_of(p);
	if (p->cfg.bare || !ap->its.domain)
		return msk_err(MSK_ENOTSUP, "arm64: a bare platform has no ITS driver");
	/* DeviceID = RID (no msi-map): nothing to register beyond the OS view. */
	return msk_pci_dev_create_pcifn(p->core, msk_platform_device_msi_parent(p), fn, 0, out);
}

static int arm64_pci_remove(struct msk_platform *p, struct msk_pci_dev *pdev)
{
	return msk_pci_dev_destroy(pdev);
}

static void arm64_layout(struct msk_platform *p, struct msk_platform_layout *out)
{
	out->its = ARM64_ITS_BASE;
	out->redist = ARM64_REDIST_BASE;
	out->redist_stride = MSK_GICR_STRIDE;
}

static size_t arm64_counters(struct msk_platform *p, struct msk_platform_counter *out, size_t max)
{
	struct arm64_platform *ap = ap_of(p);
	struct msk_its_stats st;
	msk_its_stats(ap->model, &st);
	struct msk_platform_counter c[] = {
		{ "lpis", (int64_t)atomic_load(&ap->its.lpis_in_use) },
		{ "its_devices", (int64_t)atomic_load(&ap->its.nr_devices) },
		{ "its_cmd_errors",
		  p->cfg.bare ? (int64_t)st.errors : (int64_t)atomic_load(&ap->its.cmd_errors) },
		{ "its_commands", (int64_t)st.commands },
		{ "its_translations", (int64_t)st.translations },
		{ "its_dropped", (int64_t)st.dropped },
		{ "lpis_quarantined", (int64_t)atomic_load(&ap->its.lpis_quarantined) },
	};
	size_t n = sizeof(c) / sizeof(c[0]);
	for (size_t i = 0; i < n && i < max; i++)
		out[i] = c[i];
	return n < max ? n : max;
}

/*
 * CPU hotplug: the generic part moves or shuts down the CPU's virqs through
 * the chips (MOVI moves pending LPIs with them); then the outgoing CPU handles what was already
 * pending for it, as its last act. The caller keeps that CPU's service
 * thread stopped meanwhile (msikit/cpuhotplug.h).
 */
static int arm64_cpu_offline(struct msk_platform *p, unsigned int cpu)
{
	if (cpu >= p->cfg.ncpus)
		return msk_err(MSK_EINVAL, "arm64: no CPU %u", cpu);
	struct msk_hotplug_stats st;
	int rc = msk_irq_cpu_offline(p->core, cpu, &st);
	if (rc == -MSK_EINVAL || rc == -MSK_EALREADY)
		return rc;
	while (arm64_cpu_service(p, cpu, 256) > 0)
		;
	return rc;
}

static int arm64_cpu_online(struct msk_platform *p, unsigned int cpu)
{
	if (cpu >= p->cfg.ncpus)
		return msk_err(MSK_EINVAL, "arm64: no CPU %u", cpu);
	return msk_irq_cpu_online(p->core, cpu, NULL);
}

/*
 * Controller faults: the ITS model's command-error injection (hw_gic.h),
 * one command. The drivers see it as any command error (its_event.c).
 */
static int arm64_fault_arm(struct msk_platform *p, enum msk_platform_fault_kind kind, uint64_t nth)
{
	struct arm64_platform *ap = ap_of(p);
	if (kind != MSK_PLATFORM_FAULT_ITS_COMMAND)
		return msk_err(MSK_ENOTSUP, "arm64: no \"%s\" fault (the ITS's is its-command)",
			       msk_platform_fault_name(kind));
	int rc = msk_its_inject_command_error(ap->model, nth, 1);
	if (rc == 0 && nth)
		ap->fault_armed = true;
	return rc;
}

static void arm64_fault_state(struct msk_platform *p, struct msk_platform_fault_state *out)
{
	struct arm64_platform *ap = ap_of(p);
	if (!ap->fault_armed)
		return;
	struct msk_its_injection in;
	msk_its_injection(ap->model, &in);
	out->kind = MSK_PLATFORM_FAULT_ITS_COMMAND;
	out->nth = in.nth;
	out->seen = in.seen;
	out->fired = in.fired;
	snprintf(out->what, sizeof(out->what), "%s", in.what);
}

static enum msk_platform_fault_kind arm64_fault_default(struct msk_platform *p)
{
	(void)p;
	return MSK_PLATFORM_FAULT_ITS_COMMAND;
}

static const struct msk_platform_ops arm64_ops = {
	.arch = "arm64",
	.destroy = arm64_destroy,
	.msi_parent = arm64_msi_parent,
	.cpu_service = arm64_cpu_service,
	.cpu_take = arm64_cpu_take,
	.held = arm64_held,
	.cpu_offline = arm64_cpu_offline,
	.cpu_online = arm64_cpu_online,
	.pci_add = arm64_pci_add,
	.pci_remove = arm64_pci_remove,
	.layout = arm64_layout,
	.counters = arm64_counters,
	.fault_arm = arm64_fault_arm,
	.fault_state = arm64_fault_state,
	.fault_default = arm64_fault_default,
	.route = arm64_route,
};

static int drivers_init(struct arm64_platform *ap, unsigned int lpi_bits)
{
	const struct msk_platform_config *cfg = &ap->pub.cfg;
	int rc = gic_ram_init(&ap->ram, ap->pub.bus, cfg->table_base, cfg->table_size);
	if (rc < 0)
		return rc;
	ap->ram_live = true;
	rc = gic_v3_init(&ap->gic, ap->pub.core, ap->pub.bus, ap->model, &ap->ram,
			 ARM64_REDIST_BASE, cfg->ncpus, lpi_bits);
	if (rc < 0)
		return rc;
	ap->gic_live = true;
	rc = its_probe(&ap->its, &ap->gic, ap->model, ARM64_ITS_BASE);
	if (rc < 0)
		return rc;
	ap->its_live = true;
	rc = its_msi_init(&ap->its, ap->pub.core, cfg->its.alloc_dyn);
	if (rc < 0)
		return rc;
	ap->gic.release = put;
	ap->gic.release_ctx = ap;
	ap->its.release = put;
	ap->its.release_ctx = ap;
	atomic_store(&ap->refs, 3);
	return 0;
}

int msk_arm64_platform_create(struct msk_core *core, struct msk_bus *bus,
			      const struct msk_platform_config *cfg, struct msk_platform **out)
{
	if (!core || !bus || !cfg || !out)
		return msk_err(MSK_EINVAL, "arm64: missing argument");
	unsigned int lpi_bits = cfg->its.lpi_bits ? cfg->its.lpi_bits : ARM64_LPI_BITS;
	if (cfg->ncpus < 1 || cfg->ncpus > MSK_GIC_MAX_CPUS || cfg->ncpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "arm64: %u CPUs (1..%u)", cfg->ncpus, MSK_MAX_CPUS);
	if (lpi_bits < 14 || lpi_bits > 20)
		return msk_err(MSK_EINVAL, "arm64: %u LPI INTID bits (14..20)", lpi_bits);
	struct arm64_platform *ap = msk_calloc(1, sizeof(*ap));
	if (!ap)
		return msk_err(MSK_ENOMEM, "arm64: out of memory");
	ap->pub.ops = &arm64_ops;
	ap->pub.core = core;
	ap->pub.bus = bus;
	ap->pub.cfg = *cfg;
	atomic_store(&ap->refs, 1);
	struct msk_gic_config g = {
		.nr_cpus = cfg->ncpus,
		.redist_base = ARM64_REDIST_BASE,
		.its_base = ARM64_ITS_BASE,
		.lpi_id_bits = lpi_bits,
		.devbits = cfg->its.devbits,
		.eventid_bits = cfg->its.idbits,
		.error_policy = cfg->its.stall_on_error ? MSK_ITS_ERR_STALL : MSK_ITS_ERR_SKIP,
		.notify = cfg->notify,
		.ack_hands_over = !cfg->bare, /* the core reports what the handler did */
	};
	int rc = msk_gic_create(bus, &g, &ap->model);
	if (rc < 0) {
		msk_free(ap);
		return msk_err_context("arm64 platform");
	}
	if (!cfg->bare) {
		rc = drivers_init(ap, lpi_bits);
		if (rc < 0) {
			msk_err_context("arm64 platform");
			if (ap->its.domain) {
				ap->its.release = NULL;
				msk_domain_remove(ap->its.domain);
			}
			if (ap->gic.domain) {
				ap->gic.release = NULL;
				msk_domain_remove(ap->gic.domain);
			}
			release_drivers(ap);
			msk_gic_destroy(ap->model);
			msk_free(ap);
			return rc;
		}
	}
	*out = &ap->pub;
	return 0;
}

struct msk_gic *arm64_platform_gic(struct msk_platform *p)
{
	return p && p->ops == &arm64_ops ? ap_of(p)->model : NULL;
}

struct its *arm64_platform_its(struct msk_platform *p)
{
	return p && p->ops == &arm64_ops && !p->cfg.bare ? &ap_of(p)->its : NULL;
}

struct gic_ram *arm64_platform_ram(struct msk_platform *p)
{
	return p && p->ops == &arm64_ops && !p->cfg.bare ? &ap_of(p)->ram : NULL;
}

struct msk_irq_domain *arm64_platform_root(struct msk_platform *p)
{
	return p && p->ops == &arm64_ops && !p->cfg.bare ? ap_of(p)->gic.domain : NULL;
}
