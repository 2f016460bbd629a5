/* SPDX-License-Identifier: MIT */
/* The x86 interrupt hardware model: creation, destruction, counters. */
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "hw/x86/vtd.h"

static int check_config(const struct msk_x86_config *cfg)
{
	if (cfg->ncpus < 1 || cfg->ncpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "x86: %u CPUs, want 1..%u", cfg->ncpus, MSK_MAX_CPUS);
	if (cfg->ir_base & (MSK_VTD_REG_SIZE - 1))
		return msk_err(MSK_EINVAL, "x86: VT-d register base 0x%llx is not 4 KiB aligned",
			       (unsigned long long)cfg->ir_base);
	if (!cfg->apic_ids)
		return 0;
	for (unsigned int i = 0; i < cfg->ncpus; i++) {
		if (cfg->apic_ids[i] == 0xFFFFFFFFu)
			return msk_err(MSK_EINVAL,
				       "x86: CPU %u: APIC ID 0xffffffff is the broadcast", i);
		for (unsigned int j = 0; j < i; j++)
			if (cfg->apic_ids[j] == cfg->apic_ids[i])
				return msk_err(MSK_EINVAL, "x86: CPUs %u and %u share APIC ID %u",
					       j, i, cfg->apic_ids[i]);
	}
	return 0;
}

/* Unmap what is mapped; 0 or -MSK_ENOMEM (then the rest stays mapped). */
static int unmap_all(struct msk_x86 *x86)
{
	if (x86->vtd_mapped) {
		int rc = msk_bus_unmap(x86->bus, x86->ir_base);
		if (rc < 0)
			return msk_err_context("x86: unmapping the VT-d registers");
		x86->vtd_mapped = false;
	}
	if (x86->msi_mapped) {
		int rc = msk_bus_unmap(x86->bus, MSK_X86_MSI_BASE);
		if (rc < 0)
			return msk_err_context("x86: unmapping the MSI window");
		x86->msi_mapped = false;
	}
	return 0;
}

static void free_x86(struct msk_x86 *x86)
{
	msk_vtd_destroy(x86->vtd);
	for (unsigned int c = 0; c < x86->ncpus; c++)
		msk_lapic_fini(&x86->cpu[c]);
	msk_free(x86);
}

int msk_x86_create(struct msk_bus *bus, const struct msk_x86_config *cfg,
		   const struct msk_cpu_notify *notify, struct msk_x86 **out)
{
	int rc = check_config(cfg);
	if (rc < 0)
		return rc;
	struct msk_x86 *x86 = msk_calloc(1, sizeof(*x86) + cfg->ncpus * sizeof(x86->cpu[0]));
	if (!x86)
		return msk_err(MSK_ENOMEM, "x86: out of memory for %u CPUs", cfg->ncpus);
	x86->bus = bus;
	x86->ledger = msk_bus_ledger(bus);
	if (notify)
		x86->notify = *notify;
	x86->ncpus = cfg->ncpus;
	x86->ir_base = cfg->ir_base;
	for (unsigned int c = 0; c < cfg->ncpus; c++)
		msk_lapic_init(&x86->cpu[c], cfg->apic_ids ? cfg->apic_ids[c] : c);
	if (cfg->ir_base) {
		rc = msk_vtd_create(x86, &x86->vtd);
		if (rc < 0)
			goto fail;
	}
	rc = msk_bus_map(bus, MSK_X86_MSI_BASE, MSK_X86_MSI_SIZE, &msk_x86_msi_ops, x86, "x86-msi");
	if (rc < 0)
		goto fail;
	x86->msi_mapped = true;
	if (x86->vtd) {
		rc = msk_bus_map(bus, cfg->ir_base, MSK_VTD_REG_SIZE, &msk_vtd_mmio_ops, x86->vtd,
				 "vtd");
		if (rc < 0)
			goto fail;
		x86->vtd_mapped = true;
	}
	*out = x86;
	return 0;
fail:
	rc = msk_err_context("x86 interrupt hardware");
	if (unmap_all(x86) < 0) {
		/*
		 * The bus had no memory to unmap a window again: the model must
		 * stay alive behind it, so it is leaked rather than freed.
		 */
		return msk_err(MSK_ENOMEM, "x86 interrupt hardware: creation failed and a "
					   "window could not be unmapped (model leaked)");
	}
	free_x86(x86);
	return rc;
}

int msk_x86_destroy(struct msk_x86 *x86)
{
	if (!x86)
		return 0;
	int rc = unmap_all(x86);
	if (rc < 0)
		return rc;
	free_x86(x86);
	return 0;
}

unsigned int msk_x86_ncpus(const struct msk_x86 *x86)
{
	return x86->ncpus;
}

bool msk_x86_has_ir(const struct msk_x86 *x86)
{
	return x86->vtd != NULL;
}

void msk_x86_stats(const struct msk_x86 *x86, struct msk_x86_stats *out)
{
	memset(out, 0, sizeof(*out));
	struct msk_x86 *m = (struct msk_x86 *)x86;
	out->messages = atomic_load(&m->messages);
	out->compat = atomic_load(&m->compat);
	out->remappable = atomic_load(&m->remappable);
	if (m->vtd)
		msk_vtd_get_stats(m->vtd, out);
}

int msk_x86_vtd_state(const struct msk_x86 *x86, struct msk_vtd_state *out)
{
	if (!x86->vtd)
		return msk_err(MSK_ENODEV, "x86: no VT-d remapping unit");
	msk_vtd_get_state(x86->vtd, out);
	return 0;
}
