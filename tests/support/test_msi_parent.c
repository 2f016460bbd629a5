/* SPDX-License-Identifier: MIT */
/* The test MSI parent (see test_msi_parent.h). */
#include "test_msi_parent.h"

#include "base/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp_devchip tp_dev;

static struct tp *tp_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

/* --- the parent's own chip and domain ------------------------------------------ */

static int tp_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct tp *t = tp_of(d->domain);
	struct msk_cpumask one = msk_cpumask_of(msk_cpumask_first(mask));
	msk_irq_data_update_effective_affinity(d, &one);
	return t->affinity_result;
}

static void tp_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	unsigned int cpu = msk_cpumask_first(msk_irq_data_effective_affinity(d));
	msg->address_lo = 0xfee00000u | ((cpu == MSK_CPU_NONE ? 0u : cpu) << 12);
	msg->address_hi = 0;
	msg->data = (uint32_t)d->hwirq;
}

static const struct msk_irq_chip tp_chip = {
	.name = "TEST-PARENT",
	.irq_set_affinity = tp_set_affinity,
	.irq_compose_msi_msg = tp_compose,
};

static int tp_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *argp)
{
	struct tp *t = tp_of(d);
	struct msk_msi_alloc_info *arg = argp;
	struct tp_devtable *tab = arg->scratchpad[0].ptr;
	if (!tab)
		return msk_err(MSK_EINVAL, "TEST-PARENT: device was not prepared");
	/* A block of nr consecutive table slots starting at the descriptor's index. */
	uint64_t base = arg->hwirq;
	if (base + nr > tab->size)
		return msk_err(MSK_ENOSPC,
			       "TEST-PARENT: table of %u entries, index %llu out of range",
			       tab->size, (unsigned long long)(base + nr - 1));
	for (unsigned int i = 0; i < nr; i++)
		if (tab->slot[base + i])
			return msk_err(MSK_EBUSY, "TEST-PARENT: slot %llu in use",
				       (unsigned long long)(base + i));
	if (t->pool_used + nr > t->pool_size)
		return msk_err(MSK_ENOSPC, "TEST-PARENT: pool exhausted (%u of %u)", t->pool_used,
			       t->pool_size);
	/* A naturally aligned power-of-two block (multi-MSI ORs the vector into the data). */
	unsigned int block = 1;
	while (block < nr)
		block <<= 1;
	unsigned int first = 0;
	for (;; first += block) {
		if (first + block > t->pool_size)
			return msk_err(MSK_ENOSPC, "TEST-PARENT: no aligned block of %u", block);
		unsigned int k = 0;
		while (k < block && !t->pool[first + k])
			k++;
		if (k == block)
			break;
	}
	for (unsigned int i = 0; i < nr; i++) {
		unsigned int hw = first + i;
		t->pool[hw] = 1;
		t->pool_used++;
		tab->slot[base + i] = 1;
		tab->used++;
		msk_domain_set_hwirq_and_chip(d, virq + i, hw, &tp_chip, tab);
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		irqd->chip_data = (void *)(uintptr_t)(base + i + 1); /* slot + 1 */
		(void)irqd;
	}
	return 0;
}

static void tp_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct tp *t = tp_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		t->pool[irqd->hwirq] = 0;
		t->pool_used--;
		msk_domain_reset_irq_data(irqd);
	}
}

static int tp_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct tp *t = tp_of(d);
	t->activations++;
	if (reserve)
		t->reserve_activations++;
	const struct msk_cpumask *aff = msk_irq_data_affinity(irqd);
	struct msk_cpumask one = msk_cpumask_of(msk_cpumask_first(aff));
	msk_irq_data_update_effective_affinity(irqd, &one);
	return 0;
}

static void tp_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	tp_of(d)->deactivations++;
}

static const struct msk_irq_domain_ops tp_ops = {
	.alloc = tp_alloc,
	.free = tp_free,
	.activate = tp_activate,
	.deactivate = tp_deactivate,
};

/* --- what the parent installs in every child ---------------------------------------------- */

/*
 * The test parent is the root under a device domain (directly, or below a
 * stacked compat domain such as the global PCI/MSI one); find it.
 */
static struct tp *tp_of_child(struct msk_irq_domain *child)
{
	return tp_of(msk_domain_root(child));
}

/*
 * The MSI core frees slots through the level's free op only for the
 * parent; the table slot is released by msi_free of the child.
 */
static void tp_msi_free(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			unsigned int virq)
{
	struct msk_irq_data *p = msk_domain_get_irq_data(msk_domain_root(d), virq);
	struct tp_devtable *tab = info->alloc_data->scratchpad[0].ptr;
	uintptr_t slot = (uintptr_t)p->chip_data;
	if (tab && slot && tab->slot[slot - 1]) {
		tab->slot[slot - 1] = 0;
		tab->used--;
	}
}

static int tp_msi_prepare(struct msk_irq_domain *d, struct msk_device *dev, unsigned int nvec,
			  struct msk_msi_alloc_info *arg)
{
	struct tp *t = tp_of_child(d);
	t->prepares++;
	t->last_prepare_nvec = nvec;
	if (t->fail_prepare)
		return msk_err(-t->fail_prepare, "TEST-PARENT: prepare refused");
	unsigned int size = nvec;
	if (t->quota && size > t->quota)
		size = t->quota;
	struct tp_devtable *tab = calloc(1, sizeof(*tab));
	tab->size = size;
	tab->slot = calloc(size ? size : 1, 1);
	for (int i = 0; i < TP_MAX_TABLES; i++)
		if (!t->tables[i]) {
			t->tables[i] = tab;
			break;
		}
	memset(arg, 0, sizeof(*arg));
	arg->scratchpad[0].ptr = tab;
	msk_msi_monitor_resource(d, "table", size);
	return 0;
}

static void tp_msi_teardown(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg)
{
	struct tp *t = tp_of_child(d);
	t->teardowns++;
	struct tp_devtable *tab = arg->scratchpad[0].ptr;
	if (!tab)
		return;
	if (!t->leak)
		msk_msi_monitor_resource(d, "table", -(int64_t)tab->size);
	for (int i = 0; i < TP_MAX_TABLES; i++)
		if (t->tables[i] == tab)
			t->tables[i] = NULL;
	free(tab->slot);
	free(tab);
	arg->scratchpad[0].ptr = NULL;
}

/* The pSeries bug: disables the device's MSI (frees its table) on every free. */
static void tp_msi_post_free(struct msk_irq_domain *d, struct msk_device *dev)
{
	struct tp *t = tp_of_child(d);
	t->post_frees++;
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	struct tp_devtable *tab = info->alloc_data->scratchpad[0].ptr;
	if (tab && tab->size) {
		/* "Firmware disabled MSI": it took every entry back; none is usable any more. */
		msk_msi_monitor_resource(d, "table", -(int64_t)tab->size);
		tab->size = 0;
	}
}

static bool tp_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				 struct msk_irq_domain *real_parent,
				 struct msk_msi_domain_info *info)
{
	struct tp *t = tp_of(domain);
	if (!msk_msi_lib_init_dev_msi_info(dev, domain, real_parent, info))
		return false;
	info->ops->msi_prepare = tp_msi_prepare;
	info->ops->msi_teardown = tp_msi_teardown;
	info->ops->msi_free = tp_msi_free;
	if (t->post_free_bug)
		info->ops->msi_post_free = tp_msi_post_free;
	return true;
}

int tp_init(struct tp *t, struct msk_core *core, unsigned int nr_cpus, unsigned int pool_size,
	    uint32_t supported)
{
	memset(t, 0, sizeof(*t));
	t->core = core;
	t->pool_size = pool_size > 4096 ? 4096 : pool_size;
	t->nr_cpus = nr_cpus;
	struct msk_irq_domain_info info = { .name = "TEST-PARENT",
					    .ops = &tp_ops,
					    .host_data = t,
					    .hwirq_max = 4096,
					    .bus_token = MSK_DOMAIN_BUS_NEXUS };
	int rc = msk_domain_create(t->core, &info, &t->domain);
	if (rc < 0)
		return rc;
	t->pops.supported_flags = supported;
	t->pops.required_flags = MSK_MSI_FLAG_USE_DEF_DOM_OPS | MSK_MSI_FLAG_USE_DEF_CHIP_OPS;
	t->pops.bus_select_token = MSK_DOMAIN_BUS_NEXUS;
	t->pops.prefix = "TEST-";
	t->pops.init_dev_msi_info = tp_init_dev_msi_info;
	return msk_msi_set_parent_ops(t->domain, &t->pops);
}

int tp_create(struct tp *t, unsigned int nr_cpus, unsigned int pool_size, uint32_t supported,
	      struct msk_ledger *ledger)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = nr_cpus, .ledger = ledger };
	int rc = msk_core_create(&cfg, &core);
	if (rc < 0)
		return rc;
	return tp_init(t, core, nr_cpus, pool_size, supported);
}

void tp_free_tables(struct tp *t)
{
	for (int i = 0; i < TP_MAX_TABLES; i++)
		if (t->tables[i]) {
			free(t->tables[i]->slot);
			free(t->tables[i]);
			t->tables[i] = NULL;
		}
}

static void doorbell_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
			   const struct msk_bus_attrs *attrs)
{
	struct tp *t = opaque;
	if (!attrs->is_msi)
		return;
	unsigned int cpu = (unsigned int)(off >> 12) & 0xff;
	if (cpu >= t->nr_cpus) {
		msk_ledger_lose(msk_bus_ledger(t->bus), MSK_LOSS_APIC_NO_TARGET, attrs->weight);
		return;
	}
	msk_domain_handle_irq(t->domain, cpu, value & 0xffffffffu, attrs->weight);
}

static uint64_t doorbell_read(void *opaque, uint64_t off, unsigned int size,
			      const struct msk_bus_attrs *attrs)
{
	return 0;
}

static const struct msk_mmio_ops doorbell_ops = { doorbell_read, doorbell_write };

int tp_attach_doorbell(struct tp *t, struct msk_bus *bus)
{
	t->bus = bus;
	return msk_bus_map(bus, TP_DOORBELL, 1u << 20, &doorbell_ops, t, "TEST-DOORBELL");
}

void tp_destroy(struct tp *t)
{
	if (t->bus)
		msk_bus_unmap(t->bus, TP_DOORBELL);
	msk_core_destroy(t->core);
	/* Tables a per-alloc prepare made and no teardown ever saw (as pre-2025 ITS). */
	tp_free_tables(t);
}

/* --- the device side ---------------------------------------------------------------------- */

static void dev_mask(struct msk_irq_data *d)
{
	tp_dev.masked[d->hwirq & 2047] = 1;
}

static void dev_unmask(struct msk_irq_data *d)
{
	tp_dev.masked[d->hwirq & 2047] = 0;
}

static void dev_write(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	tp_dev.msg[d->hwirq & 2047] = *msg;
	tp_dev.writes++;
}

void tp_template(struct msk_msi_domain_template *tmpl, const char *name, enum msk_bus_token token,
		 uint32_t flags)
{
	memset(tmpl, 0, sizeof(*tmpl));
	snprintf(tmpl->name, sizeof(tmpl->name), "%s", name);
	tmpl->chip.name = tmpl->name;
	tmpl->chip.irq_mask = dev_mask;
	tmpl->chip.irq_unmask = dev_unmask;
	tmpl->chip.irq_write_msi_msg = dev_write;
	tmpl->info.bus_token = token;
	tmpl->info.flags = flags;
}
