/* SPDX-License-Identifier: MIT */
/*
 * The ITS MSI parent (Linux irq-gic-its-msi-parent.c + the its_domain of
 * irq-gic-v3-its.c). Per-device domains are named "ITS-PCI-MSIX-<bdf>".
 *
 *  prepare   DeviceID = requester ID (identity map). nvec rounded up to a
 *            power of two, at least 32 for DeviceID 0; a DeviceID already
 *            mapped is reused as it is (no resize, as Linux); otherwise an
 *            ITT of max(2, nvec) entries (>= 256 bytes, 256-aligned), an
 *            LPI range (first fit, halving) and MAPD(valid).
 *  alloc     a free aligned block of events in the device's LPI range;
 *            hwirq = LPI, the parent (GICv3) maps the same INTID.
 *  activate  MAPTI (event = hwirq - lpi_base, collection of the chosen CPU)
 *  deactivate DISCARD; set_affinity MOVI and OK_DONE (message unchanged);
 *  mask/unmask the LPI configuration byte + INV; each followed by SYNC.
 *  teardown  when the last user goes: MAPD(valid = 0), LPIs and ITT freed.
 * Resources "lpi" (LPIs of the range) and "itt" (ITT bytes) are reported
 * to the contract monitor of every device domain using the device.
 */
#include "irqchip/its.h"

#include <stdio.h>
#include <string.h>

#include <msikit/pci.h>

#include "base/alloc.h"
#include "base/error.h"

static struct its *its_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

/* ---- sizing (Linux its_pci_msi_prepare + its_create_device) ---------------------- */

unsigned int its_pci_nvecs(uint32_t devid, unsigned int nvec)
{
	unsigned int n = 1;
	while (n < nvec && n < (1u << 31))
		n <<= 1;
	if (devid == 0 && n < 32)
		n = 32; /* "broken systems where all devices appear as DevID 0" */
	return n;
}

unsigned int its_itt_entries(unsigned int nvecs)
{
	return nvecs < 2 ? 2 : nvecs;
}

uint64_t its_itt_bytes(unsigned int entries, unsigned int ite_size)
{
	uint64_t b = (uint64_t)entries * ite_size;
	if (b < 256)
		b = 256;
	return (b + 255) & ~255ull;
}

static unsigned int log2u(unsigned int v)
{
	unsigned int l = 0;
	while ((1u << l) < v)
		l++;
	return l;
}

/* ---- devices ------------------------------------------------------------------------ */

struct its_device *its_find_device(struct its *its, uint32_t devid)
{
	for (struct its_device *d = its->devices; d; d = d->next)
		if (d->devid == devid)
			return d;
	return NULL;
}

static void report(struct its_device *dev, struct msk_irq_domain *d, int sign)
{
	msk_msi_monitor_resource(d, "lpi", sign * (int64_t)dev->nr_lpis);
	msk_msi_monitor_resource(d, "itt", sign * (int64_t)dev->itt_bytes);
}

static void device_free(struct its *its, struct its_device *dev)
{
	if (dev->itt_pa)
		gic_ram_free(its->gic->ram, dev->itt_pa, dev->itt_bytes);
	its_lpi_free(&its->lpis, dev->lpi_base, dev->nr_lpis);
	msk_free(dev->used);
	msk_free(dev->mapped);
	msk_free(dev->col);
	msk_free(dev->users);
	msk_free(dev);
}

static int device_create(struct its *its, uint32_t devid, unsigned int nvecs,
			 struct its_device **out)
{
	unsigned int entries = its_itt_entries(nvecs);
	if (its->id_bits < 32 && entries > (1u << its->id_bits))
		return msk_err(MSK_ENOSPC,
			       "%s: DeviceID 0x%x needs %u events, the ITS has %u ID bits",
			       its->name, devid, entries, its->id_bits);
	int rc = its_device_table_prepare(its, devid);
	if (rc < 0)
		return rc;
	struct its_device *dev = msk_calloc(1, sizeof(*dev));
	if (!dev)
		return msk_err(MSK_ENOMEM, "%s: out of memory", its->name);
	dev->devid = devid;
	dev->nvecs = nvecs;
	dev->nr_ites = entries;
	dev->itt_bytes = its_itt_bytes(entries, its->ite_size);
	rc = gic_ram_alloc(its->gic->ram, dev->itt_bytes, 256, "ITT", &dev->itt_pa);
	if (rc < 0) {
		dev->itt_pa = 0;
		goto fail;
	}
	rc = its_lpi_alloc(&its->lpis, nvecs, &dev->lpi_base, &dev->nr_lpis);
	if (rc < 0) {
		msk_err_context("%s: DeviceID 0x%x", its->name, devid);
		goto fail;
	}
	dev->used = msk_calloc(dev->nr_lpis, 1);
	dev->mapped = msk_calloc(dev->nr_lpis, 1);
	dev->col = msk_calloc(dev->nr_lpis, sizeof(*dev->col));
	if (!dev->used || !dev->mapped || !dev->col) {
		rc = msk_err(MSK_ENOMEM, "%s: out of memory", its->name);
		goto fail;
	}
	struct its_cmd mapd;
	its_encode_mapd(&mapd, devid, log2u(entries), dev->itt_pa, true);
	rc = its_send(its, &mapd, 1);
	if (rc < 0)
		goto fail;
	*out = dev;
	return 0;
fail:
	device_free(its, dev);
	return rc;
}

/* Prepare DeviceID devid for device domain d. Lock held. */
static int prepare_locked(struct its *its, struct msk_irq_domain *d, uint32_t devid,
			  unsigned int nvecs, struct its_device **out)
{
	struct its_device *dev = its_find_device(its, devid);
	if (dev) {
		/* Reused as it is, whatever nvecs asks now (Linux's "shared" device). */
		for (unsigned int i = 0; i < dev->nr_users; i++)
			if (dev->users[i].domain == d) {
				dev->users[i].prepares++;
				*out = dev;
				return 0;
			}
		struct its_user *u =
			msk_realloc(dev->users, (dev->nr_users + 1) * sizeof(*dev->users));
		if (!u)
			return msk_err(MSK_ENOMEM, "%s: out of memory", its->name);
		dev->users = u;
		u[dev->nr_users].domain = d;
		u[dev->nr_users].prepares = 1;
		dev->nr_users++;
		report(dev, d, +1);
		*out = dev;
		return 0;
	}
	int rc = device_create(its, devid, nvecs, &dev);
	if (rc < 0)
		return rc;
	dev->users = msk_calloc(1, sizeof(*dev->users));
	if (!dev->users) {
		struct its_cmd unmap;
		its_encode_mapd(&unmap, devid, 1, 0, false);
		its_send(its, &unmap, 1);
		device_free(its, dev);
		return msk_err(MSK_ENOMEM, "%s: out of memory", its->name);
	}
	dev->users[0].domain = d;
	dev->users[0].prepares = 1;
	dev->nr_users = 1;
	dev->next = its->devices;
	its->devices = dev;
	atomic_fetch_add(&its->nr_devices, 1);
	report(dev, d, +1);
	*out = dev;
	return 0;
}

static bool its_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				  struct msk_irq_domain *real_parent,
				  struct msk_msi_domain_info *info);

/*
 * The ITS under device domain d: its parent, or with msi = global
 * (src/compat) further down, below the one PCI/MSI domain. NULL if none.
 */
static struct its *its_below(struct msk_irq_domain *d)
{
	for (struct msk_irq_domain *p = msk_domain_parent(d); p; p = msk_domain_parent(p)) {
		const struct msk_msi_parent_ops *ops = msk_msi_parent_ops(p);
		if (ops && ops->init_dev_msi_info == its_init_dev_msi_info)
			return its_of(p);
	}
	return NULL;
}

static int its_pci_msi_prepare(struct msk_irq_domain *d, struct msk_device *mdev, unsigned int nvec,
			       struct msk_msi_alloc_info *arg)
{
	struct its *its = its_below(d);
	if (!its)
		return msk_err(MSK_EINVAL, "%s: no ITS below it", msk_domain_name(d));
	enum msk_bus_token tok = msk_domain_bus_token(d);
	struct msk_pci_dev *pdev = msk_device_bus_data(mdev);
	if ((tok != MSK_DOMAIN_BUS_PCI_DEVICE_MSI && tok != MSK_DOMAIN_BUS_PCI_DEVICE_MSIX) ||
	    !pdev)
		return msk_err(MSK_ENOTSUP, "%s: %s is not a PCI MSI/MSI-X domain", its->name,
			       msk_domain_name(d));
	uint32_t devid = msk_pci_rid(pdev); /* no msi-map: DeviceID = RID */
	unsigned int nvecs = its_pci_nvecs(devid, nvec);
	struct its_device *dev = NULL;
	pthread_mutex_lock(&its->lock);
	int rc = prepare_locked(its, d, devid, nvecs, &dev);
	pthread_mutex_unlock(&its->lock);
	if (rc < 0)
		return msk_err_context("%s prepare(%u)", msk_domain_name(d), nvec);
	memset(arg, 0, sizeof(*arg));
	arg->scratchpad[0].ptr = dev;
	arg->scratchpad[1].ul = devid;
	return 0;
}

static void its_msi_teardown(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg)
{
	struct its *its = its_below(d);
	if (!its)
		return;
	pthread_mutex_lock(&its->lock);
	struct its_device **pp, *dev = NULL;
	unsigned int u = 0;
	/* The device d uses (per-alloc prepare leaves the template empty: search). */
	for (pp = &its->devices; *pp; pp = &(*pp)->next) {
		for (u = 0; u < (*pp)->nr_users; u++)
			if ((*pp)->users[u].domain == d)
				break;
		if (u < (*pp)->nr_users) {
			dev = *pp;
			break;
		}
	}
	if (dev) {
		report(dev, d, -1);
		dev->users[u] = dev->users[--dev->nr_users];
		if (dev->nr_users == 0) {
			struct its_cmd unmap;
			its_encode_mapd(&unmap, dev->devid, 1, 0, false);
			its_send(its, &unmap, 1); /* an error is counted; the device goes anyway */
			*pp = dev->next;
			atomic_fetch_sub(&its->nr_devices, 1);
			device_free(its, dev);
		}
	}
	pthread_mutex_unlock(&its->lock);
	arg->scratchpad[0].ptr = NULL;
}

static int its_msi_init_virq(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			     unsigned int virq, uint64_t hwirq, struct msk_msi_alloc_info *arg)
{
	int rc = msk_domain_set_hwirq_and_chip(d, virq, hwirq, info->chip, info->chip_data);
	if (rc == 0) /* LPIs: the GIC's fasteoi flow for the whole descriptor */
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq), MSK_FLOW_FASTEOI);
	return rc;
}

static bool its_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				  struct msk_irq_domain *real_parent,
				  struct msk_msi_domain_info *info)
{
	if (!msk_msi_lib_init_dev_msi_info(dev, domain, real_parent, info))
		return false;
	info->ops->msi_prepare = its_pci_msi_prepare;
	info->ops->msi_teardown = its_msi_teardown;
	info->ops->msi_init = its_msi_init_virq;
	return true;
}

/* ---- CPU choice ------------------------------------------------------------------ */

/* The least loaded online CPU of mask (lowest on ties), or MSK_CPU_NONE. Lock held. */
static unsigned int select_cpu(struct its *its, const struct msk_cpumask *mask)
{
	struct msk_cpumask online = msk_core_online_cpus(its->gic->core), m;
	msk_cpumask_and(&m, mask, &online);
	unsigned int best = MSK_CPU_NONE, cpu;
	msk_for_each_cpu(cpu, &m)
	{
		if (cpu >= its->gic->ncpus)
			break;
		if (best == MSK_CPU_NONE || its->cpu_lpis[cpu] < its->cpu_lpis[best])
			best = cpu;
	}
	return best;
}

/* ---- the ITS chip ------------------------------------------------------------------ */

static uint32_t event_of(struct msk_irq_data *d)
{
	struct its_device *dev = d->chip_data;
	return (uint32_t)(d->hwirq - dev->lpi_base);
}

static void its_set_enabled(struct msk_irq_data *d, bool on)
{
	struct its *its = its_of(d->domain);
	struct its_device *dev = d->chip_data;
	uint32_t ev = event_of(d);
	pthread_mutex_lock(&its->lock);
	gic_v3_lpi_config(its->gic, (uint32_t)d->hwirq, on);
	if (dev->mapped[ev]) {
		struct its_cmd inv;
		its_encode_event(&inv, MSK_ITS_CMD_INV, dev->devid, ev);
		its_send_sync(its, &inv, dev->col[ev]);
	}
	pthread_mutex_unlock(&its->lock);
}

static void its_mask(struct msk_irq_data *d)
{
	its_set_enabled(d, false);
}

static void its_unmask(struct msk_irq_data *d)
{
	its_set_enabled(d, true);
}

static int its_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct its *its = its_of(d->domain);
	struct its_device *dev = d->chip_data;
	uint32_t ev = event_of(d);
	pthread_mutex_lock(&its->lock);
	unsigned int cpu = select_cpu(its, mask);
	if (cpu == MSK_CPU_NONE) {
		pthread_mutex_unlock(&its->lock);
		return msk_err(MSK_EINVAL, "%s: no online CPU of this GIC in the mask", its->name);
	}
	if (dev->mapped[ev] && cpu != dev->col[ev]) {
		struct its_cmd movi;
		its_encode_movi(&movi, dev->devid, ev, cpu);
		int rc = its_send_sync(its, &movi, cpu);
		if (rc < 0) {
			pthread_mutex_unlock(&its->lock);
			return rc;
		}
		its->cpu_lpis[dev->col[ev]]--;
		its->cpu_lpis[cpu]++;
	}
	dev->col[ev] = (uint16_t)cpu;
	pthread_mutex_unlock(&its->lock);
	struct msk_cpumask eff = msk_cpumask_of(cpu);
	msk_irq_data_update_effective_affinity(d, &eff);
	return MSK_IRQ_SET_MASK_OK_DONE; /* the message (TRANSLATER, EventID) never changes */
}

static void its_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	struct its *its = its_of(d->domain);
	uint64_t addr = its->base + MSK_GITS_TRANSLATER;
	msg->address_lo = (uint32_t)addr;
	msg->address_hi = (uint32_t)(addr >> 32);
	msg->data = event_of(d);
}

static const struct msk_irq_chip its_chip = {
	.name = "ITS",
	.irq_mask = its_mask,
	.irq_unmask = its_unmask,
	.irq_eoi = msk_irq_chip_eoi_parent,
	.irq_set_affinity = its_set_affinity,
	.irq_compose_msi_msg = its_compose,
};

/* ---- the ITS domain ------------------------------------------------------------------ */

static int its_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *argp)
{
	struct its *its = its_of(d);
	struct msk_msi_alloc_info *arg = argp;
	struct its_device *dev = arg ? arg->scratchpad[0].ptr : NULL;
	if (!dev)
		return msk_err(MSK_EINVAL, "%s: allocation for a device that was not prepared",
			       its->name);
	unsigned int block = 1u << log2u(nr);
	pthread_mutex_lock(&its->lock);
	/* A free, naturally aligned block of events (multi-MSI ORs the vector into the data). */
	unsigned int ev = 0;
	for (; ev + block <= dev->nr_lpis; ev += block) {
		unsigned int k = 0;
		while (k < nr && !dev->used[ev + k])
			k++;
		if (k == nr)
			break;
	}
	if (ev + block > dev->nr_lpis) {
		pthread_mutex_unlock(&its->lock);
		return msk_err(MSK_ENOSPC,
			       "%s: DeviceID 0x%x: no free block of %u events: ITT of %u entries "
			       "prepared for %u vectors, %u LPIs, %u in use",
			       its->name, dev->devid, nr, dev->nr_ites, dev->nvecs, dev->nr_lpis,
			       dev->events_used);
	}
	struct gic_v3_fwspec spec = { dev->lpi_base + ev };
	int rc = msk_domain_alloc_irqs_parent(d, virq, nr, &spec);
	if (rc < 0) {
		pthread_mutex_unlock(&its->lock);
		return rc;
	}
	for (unsigned int i = 0; i < nr; i++) {
		rc = msk_domain_set_hwirq_and_chip(d, virq + i, spec.intid + i, &its_chip, dev);
		if (rc < 0) {
			while (i--)
				msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
			msk_domain_free_irqs_parent(d, virq, nr);
			pthread_mutex_unlock(&its->lock);
			return rc;
		}
	}
	for (unsigned int i = 0; i < nr; i++) {
		dev->used[ev + i] = 1;
		gic_v3_lpi_config(its->gic, spec.intid + i, false);
	}
	dev->events_used += nr;
	atomic_fetch_add(&its->lpis_in_use, nr);
	pthread_mutex_unlock(&its->lock);
	return 0;
}

static void its_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct its *its = its_of(d);
	pthread_mutex_lock(&its->lock);
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		struct its_device *dev = irqd->chip_data;
		if (dev) {
			dev->used[event_of(irqd)] = 0;
			dev->events_used--;
			atomic_fetch_sub(&its->lpis_in_use, 1);
		}
		msk_domain_reset_irq_data(irqd);
	}
	pthread_mutex_unlock(&its->lock);
	msk_domain_free_irqs_parent(d, virq, nr);
}

static int its_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct its *its = its_of(d);
	struct its_device *dev = irqd->chip_data;
	uint32_t ev = event_of(irqd);
	pthread_mutex_lock(&its->lock);
	unsigned int cpu = select_cpu(its, msk_irq_data_affinity(irqd));
	if (cpu == MSK_CPU_NONE) {
		struct msk_cpumask all;
		msk_cpumask_fill(&all, its->gic->ncpus);
		cpu = select_cpu(its, &all);
	}
	struct its_cmd mapti;
	its_encode_mapti(&mapti, dev->devid, ev, (uint32_t)irqd->hwirq, cpu);
	int rc = its_send_sync(its, &mapti, cpu);
	if (rc == 0) {
		dev->mapped[ev] = 1;
		dev->col[ev] = (uint16_t)cpu;
		its->cpu_lpis[cpu]++;
	}
	pthread_mutex_unlock(&its->lock);
	if (rc < 0)
		return rc;
	struct msk_cpumask eff = msk_cpumask_of(cpu);
	msk_irq_data_update_effective_affinity(irqd, &eff);
	return 0;
}

static void its_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	struct its *its = its_of(d);
	struct its_device *dev = irqd->chip_data;
	uint32_t ev = event_of(irqd);
	pthread_mutex_lock(&its->lock);
	if (dev->mapped[ev]) {
		struct its_cmd discard;
		its_encode_event(&discard, MSK_ITS_CMD_DISCARD, dev->devid, ev);
		its_send_sync(its, &discard, dev->col[ev]);
		dev->mapped[ev] = 0;
		its->cpu_lpis[dev->col[ev]]--;
	}
	pthread_mutex_unlock(&its->lock);
}

static void its_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			   size_t size)
{
	struct its *its = its_of(d);
	if (irqd) {
		struct its_device *dev = irqd->chip_data;
		snprintf(buf, size, "devid: 0x%x\nevent: %u\nlpi: %llu\n", dev->devid,
			 event_of(irqd), (unsigned long long)irqd->hwirq);
		return;
	}
	snprintf(buf, size, "devices: %llu\nlpis_in_use: %llu\ncommand_errors: %llu\n",
		 (unsigned long long)atomic_load(&its->nr_devices),
		 (unsigned long long)atomic_load(&its->lpis_in_use),
		 (unsigned long long)atomic_load(&its->cmd_errors));
}

static void its_domain_destroy(struct msk_irq_domain *d)
{
	struct its *its = its_of(d);
	its->domain = NULL;
	if (its->release)
		its->release(its->release_ctx);
}

static const struct msk_irq_domain_ops its_domain_ops = {
	.alloc = its_alloc,
	.free = its_free,
	.activate = its_activate,
	.deactivate = its_deactivate,
	.debug_show = its_debug_show,
	.destroy = its_domain_destroy,
};

int its_msi_init(struct its *its, struct msk_core *core, bool alloc_dyn)
{
	its->pops.supported_flags = MSK_MSI_GENERIC_FLAGS_MASK | MSK_MSI_FLAG_PCI_MSIX |
				    MSK_MSI_FLAG_MULTI_PCI_MSI |
				    (alloc_dyn ? MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN : 0);
	its->pops.required_flags = MSK_MSI_FLAG_USE_DEF_DOM_OPS | MSK_MSI_FLAG_USE_DEF_CHIP_OPS |
				   MSK_MSI_FLAG_PCI_MSI_MASK_PARENT;
	its->pops.chip_flags = MSK_MSI_CHIP_FLAG_SET_EOI;
	its->pops.bus_select_token = MSK_DOMAIN_BUS_NEXUS;
	its->pops.prefix = "ITS-";
	its->pops.init_dev_msi_info = its_init_dev_msi_info;
	struct msk_irq_domain_info info = { .name = its->name,
					    .ops = &its_domain_ops,
					    .parent = its->gic->domain,
					    .host_data = its,
					    .hwirq_max = 1ull << its->gic->lpi_bits,
					    .bus_token = MSK_DOMAIN_BUS_NEXUS,
					    .flags = MSK_DOMAIN_FLAG_MSI_PARENT |
						     MSK_DOMAIN_FLAG_MSI_IMMUTABLE };
	int rc = msk_domain_create(core, &info, &its->domain);
	if (rc < 0)
		return rc;
	rc = msk_msi_set_parent_ops(its->domain, &its->pops);
	if (rc < 0) {
		struct msk_irq_domain *d = its->domain;
		its->release = NULL;
		msk_domain_remove(d);
		its->domain = NULL;
	}
	return rc;
}
