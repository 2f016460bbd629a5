/* SPDX-License-Identifier: MIT */
/* Platforms: the per-architecture constructor and the ops dispatch. */
#include <msikit/platform.h>

#include <string.h>

#include "base/error.h"

int msk_platform_create(const char *arch, struct msk_core *core, struct msk_bus *bus,
			const struct msk_platform_config *cfg, struct msk_platform **out)
{
	if (!arch || !core || !bus || !cfg || !out)
		return msk_err(MSK_EINVAL, "platform: missing argument");
	if (cfg->ncpus < 1 || cfg->ncpus > msk_core_nr_cpus(core))
		return msk_err(MSK_EINVAL, "platform %s: %u CPUs, the core has %u", arch,
			       cfg->ncpus, msk_core_nr_cpus(core));
	if (strcmp(arch, "x86") == 0)
		return msk_x86_platform_create(core, bus, cfg, out);
	if (strcmp(arch, "arm64") == 0)
		return msk_arm64_platform_create(core, bus, cfg, out);
	if (strcmp(arch, "ppc64") == 0)
		return msk_ppc64_platform_create(core, bus, cfg, out);
	return msk_err(MSK_EINVAL, "unknown arch \"%s\" (x86, arm64, ppc64)", arch);
}

void msk_platform_destroy(struct msk_platform *p)
{
	if (p)
		p->ops->destroy(p);
}

struct msk_irq_domain *msk_platform_msi_parent(struct msk_platform *p)
{
	return p->ops->msi_parent ? p->ops->msi_parent(p) : NULL;
}

struct msk_irq_domain *msk_platform_device_msi_parent(struct msk_platform *p)
{
	return p->device_msi_parent ? p->device_msi_parent : msk_platform_msi_parent(p);
}

void msk_platform_set_device_msi_parent(struct msk_platform *p, struct msk_irq_domain *d)
{
	p->device_msi_parent = d;
}

int msk_platform_cpu_service(struct msk_platform *p, unsigned int cpu, unsigned int max)
{
	if (!p->ops->cpu_service || p->cfg.bare)
		return msk_err(MSK_ENOTSUP, "%s: a bare platform has no OS to run", p->ops->arch);
	if (cpu >= p->cfg.ncpus)
		return msk_err(MSK_EINVAL, "%s: no CPU %u", p->ops->arch, cpu);
	return p->ops->cpu_service(p, cpu, max);
}

int msk_platform_cpu_take(struct msk_platform *p, unsigned int cpu, uint64_t *id, uint64_t *weight)
{
	if (!p->ops->cpu_take)
		return msk_err(MSK_ENOTSUP, "%s: no raw CPU interface", p->ops->arch);
	if (cpu >= p->cfg.ncpus)
		return msk_err(MSK_EINVAL, "%s: no CPU %u", p->ops->arch, cpu);
	return p->ops->cpu_take(p, cpu, id, weight);
}

uint64_t msk_platform_held(struct msk_platform *p)
{
	return p->ops->held ? p->ops->held(p) : 0;
}

int msk_platform_cpu_offline(struct msk_platform *p, unsigned int cpu)
{
	if (!p->ops->cpu_offline)
		return msk_err(MSK_ENOTSUP, "%s: no CPU hotplug", p->ops->arch);
	return p->ops->cpu_offline(p, cpu);
}

int msk_platform_cpu_online(struct msk_platform *p, unsigned int cpu)
{
	if (!p->ops->cpu_online)
		return msk_err(MSK_ENOTSUP, "%s: no CPU hotplug", p->ops->arch);
	return p->ops->cpu_online(p, cpu);
}

int msk_platform_pci_add(struct msk_platform *p, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	if (!p->ops->pci_add)
		return msk_err(MSK_ENOTSUP, "%s: cannot attach PCI functions", p->ops->arch);
	return p->ops->pci_add(p, fn, out);
}

int msk_platform_pci_remove(struct msk_platform *p, struct msk_pci_dev *pdev)
{
	if (!p->ops->pci_remove)
		return msk_pci_dev_destroy(pdev);
	return p->ops->pci_remove(p, pdev);
}

void msk_platform_layout(struct msk_platform *p, struct msk_platform_layout *out)
{
	memset(out, 0, sizeof(*out));
	if (p->ops->layout)
		p->ops->layout(p, out);
}

size_t msk_platform_counters(struct msk_platform *p, struct msk_platform_counter *out, size_t max)
{
	return p->ops->counters ? p->ops->counters(p, out, max) : 0;
}

static const char *const fault_names[MSK_PLATFORM_FAULT__COUNT] = {
	[MSK_PLATFORM_FAULT_DEFAULT] = "default",
	[MSK_PLATFORM_FAULT_ITS_COMMAND] = "its-command",
	[MSK_PLATFORM_FAULT_FIRMWARE] = "firmware",
	[MSK_PLATFORM_FAULT_IRTE] = "irte",
};

const char *msk_platform_fault_name(enum msk_platform_fault_kind kind)
{
	return (unsigned int)kind < MSK_PLATFORM_FAULT__COUNT ? fault_names[kind] : NULL;
}

int msk_platform_fault_parse(const char *name, enum msk_platform_fault_kind *out)
{
	for (unsigned int k = 0; name && k < MSK_PLATFORM_FAULT__COUNT; k++)
		if (strcmp(name, fault_names[k]) == 0) {
			*out = (enum msk_platform_fault_kind)k;
			return 0;
		}
	return msk_err(MSK_EINVAL,
		       "unknown controller fault \"%s\" (its-command, firmware, irte, default)",
		       name ? name : "(null)");
}

int msk_platform_fault_arm(struct msk_platform *p, enum msk_platform_fault_kind kind, uint64_t nth)
{
	if ((unsigned int)kind >= MSK_PLATFORM_FAULT__COUNT)
		return msk_err(MSK_EINVAL, "%s: controller fault kind %d", p->ops->arch, (int)kind);
	if (!p->ops->fault_arm || (kind == MSK_PLATFORM_FAULT_DEFAULT && !p->ops->fault_default))
		return msk_err(MSK_ENOTSUP, "%s: no controller fault injection", p->ops->arch);
	if (kind == MSK_PLATFORM_FAULT_DEFAULT)
		kind = p->ops->fault_default(p);
	if (kind == MSK_PLATFORM_FAULT_DEFAULT)
		return msk_err(MSK_ENOTSUP, "%s: no controller fault in this configuration",
			       p->ops->arch);
	return p->ops->fault_arm(p, kind, nth);
}

void msk_platform_fault_state(struct msk_platform *p, struct msk_platform_fault_state *out)
{
	memset(out, 0, sizeof(*out));
	if (p->ops->fault_state)
		p->ops->fault_state(p, out);
}

int msk_platform_route(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		       struct msk_platform_route *out)
{
	memset(out, 0, sizeof(*out));
	if (!p->ops->route)
		return msk_err(MSK_ENOTSUP, "%s: cannot follow a message", p->ops->arch);
	return p->ops->route(p, requester_id, addr, data, out);
}
