/* SPDX-License-Identifier: MIT */
/* The three-level test hierarchy (see test_hier.h). */
#include "test_hier.h"

#include <stdio.h>
#include <string.h>

static struct th *th_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

static void th_logf(struct th *t, const char *what, const char *level, unsigned int virq)
{
	size_t len = strlen(t->log);
	snprintf(t->log + len, sizeof(t->log) - len, "%s %s %u;", what, level, virq);
}

static const char *lvname(enum th_level l)
{
	return l == TH_ROOT ? "ROOT" : l == TH_MID ? "MID" : "DEV";
}

/* --- chips ---------------------------------------------------------------------- */

static void root_ack(struct msk_irq_data *d)
{
	struct th *t = th_of(d->domain);
	__atomic_fetch_add(&t->lv[TH_ROOT].acks, 1, __ATOMIC_RELAXED);
}

static void root_eoi(struct msk_irq_data *d)
{
	struct th *t = th_of(d->domain);
	__atomic_fetch_add(&t->lv[TH_ROOT].eois, 1, __ATOMIC_RELAXED);
}

static int root_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct th *t = th_of(d->domain);
	struct msk_cpumask online = msk_core_online_cpus(t->core), eff;
	msk_cpumask_and(&eff, mask, &online);
	unsigned int cpu = msk_cpumask_first(&eff);
	if (cpu == MSK_CPU_NONE)
		return -MSK_EINVAL;
	struct msk_cpumask one = msk_cpumask_of(cpu);
	msk_irq_data_update_effective_affinity(d, &one);
	t->last_affinity = *mask;
	t->affinity_calls++;
	return MSK_IRQ_SET_MASK_OK;
}

static void root_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	msg->address_lo = 0xfee00000;
	msg->address_hi = 0;
	msg->data = (uint32_t)d->hwirq;
}

static const struct msk_irq_chip root_chip = {
	.name = "TEST-ROOT",
	.irq_ack = root_ack,
	.irq_eoi = root_eoi,
	.irq_set_affinity = root_set_affinity,
	.irq_compose_msi_msg = root_compose,
};

static const struct msk_irq_chip mid_chip = {
	.name = "TEST-MID",
	.irq_mask = msk_irq_chip_mask_parent,
	.irq_unmask = msk_irq_chip_unmask_parent,
	.irq_ack = msk_irq_chip_ack_parent,
	.irq_eoi = msk_irq_chip_eoi_parent,
	.irq_set_affinity = msk_irq_chip_set_affinity_parent,
};

static void dev_mask(struct msk_irq_data *d)
{
	struct th *t = th_of(d->domain);
	t->lv[TH_DEV].masked++;
}

static void dev_unmask(struct msk_irq_data *d)
{
	struct th *t = th_of(d->domain);
	t->lv[TH_DEV].masked--;
}

static void dev_write(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	struct th *t = th_of(d->domain);
	t->lv[TH_DEV].writes++;
}

static const struct msk_irq_chip dev_chip = {
	.name = "TEST-DEV",
	.irq_mask = dev_mask,
	.irq_unmask = dev_unmask,
	.irq_ack = msk_irq_chip_ack_parent,
	.irq_eoi = msk_irq_chip_eoi_parent,
	.irq_set_affinity = msk_irq_chip_set_affinity_parent,
	.irq_write_msi_msg = dev_write,
};

/* --- domain ops ------------------------------------------------------------------- */

static int root_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	struct th *t = th_of(d);
	unsigned int done = 0;
	for (; done < nr; done++) {
		if (t->lv[TH_ROOT].fail_alloc_index == (int)done)
			goto fail;
		unsigned int hw = 1;
		while (hw < 4096 && t->root_hw[hw])
			hw++;
		if (hw == 4096)
			goto fail;
		t->root_hw[hw] = virq + done;
		msk_domain_set_hwirq_and_chip(d, virq + done, hw, &root_chip, t);
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq + done), MSK_FLOW_EDGE);
		t->lv[TH_ROOT].live++;
		th_logf(t, "alloc", "ROOT", virq + done);
	}
	return 0;
fail:
	while (done--) {
		struct msk_irq_data *l = msk_domain_get_irq_data(d, virq + done);
		t->root_hw[l->hwirq] = 0;
		msk_domain_reset_irq_data(l);
		t->lv[TH_ROOT].live--;
	}
	return -MSK_ENOSPC;
}

static void root_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct th *t = th_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *l = msk_domain_get_irq_data(d, virq + i);
		t->root_hw[l->hwirq] = 0;
		msk_domain_reset_irq_data(l);
		t->lv[TH_ROOT].live--;
		th_logf(t, "free", "ROOT", virq + i);
	}
}

/* MID and DEV: allocate the parent first, then this level; undo on failure. */
static int stacked_alloc(struct msk_irq_domain *d, enum th_level lv, unsigned int virq,
			 unsigned int nr, void *arg)
{
	struct th *t = th_of(d);
	int rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
	if (rc < 0)
		return rc;
	unsigned int done = 0;
	for (; done < nr; done++) {
		if (t->lv[lv].fail_alloc_index == (int)done) {
			rc = -MSK_ENOMEM;
			goto fail;
		}
		struct msk_irq_data *parent =
			msk_domain_get_irq_data(msk_domain_parent(d), virq + done);
		uint64_t hw = lv == TH_MID ? 0x1000 + parent->hwirq : *(unsigned int *)arg + done;
		rc = msk_domain_set_hwirq_and_chip(d, virq + done, hw,
						   lv == TH_MID ? &mid_chip : &dev_chip, t);
		if (rc < 0)
			goto fail;
		t->lv[lv].live++;
		th_logf(t, "alloc", lvname(lv), virq + done);
	}
	return 0;
fail:
	while (done--) {
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + done));
		t->lv[lv].live--;
	}
	msk_domain_free_irqs_parent(d, virq, nr);
	return rc;
}

static void stacked_free(struct msk_irq_domain *d, enum th_level lv, unsigned int virq,
			 unsigned int nr)
{
	struct th *t = th_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		th_logf(t, "free", lvname(lv), virq + i);
		t->lv[lv].live--;
	}
	msk_domain_free_irqs_common(d, virq, nr);
}

static int activate(struct msk_irq_domain *d, enum th_level lv, struct msk_irq_data *irqd)
{
	struct th *t = th_of(d);
	if (t->lv[lv].fail_activate) {
		t->lv[lv].fail_activate = 0;
		return -MSK_EIO;
	}
	th_logf(t, "activate", lvname(lv), irqd->virq);
	if (lv == TH_ROOT) {
		struct msk_cpumask online = msk_core_online_cpus(t->core), eff;
		msk_cpumask_and(&eff, msk_irq_data_affinity(irqd), &online);
		unsigned int cpu = msk_cpumask_first(&eff);
		struct msk_cpumask one = msk_cpumask_of(cpu == MSK_CPU_NONE ? 0 : cpu);
		msk_irq_data_update_effective_affinity(irqd, &one);
	}
	if (lv == TH_DEV) {
		struct msk_msi_msg msg;
		if (msk_irq_chip_compose_msi_msg(irqd, &msg) == 0)
			dev_write(irqd, &msg);
	}
	return 0;
}

static void deactivate(struct msk_irq_domain *d, enum th_level lv, struct msk_irq_data *irqd)
{
	th_logf(th_of(d), "deactivate", lvname(lv), irqd->virq);
}

#define LEVEL_OPS(name, LV)                                                                        \
	static int name##_alloc(struct msk_irq_domain *d, unsigned int v, unsigned int n, void *a) \
	{                                                                                          \
		return stacked_alloc(d, LV, v, n, a);                                              \
	}                                                                                          \
	static void name##_free(struct msk_irq_domain *d, unsigned int v, unsigned int n)          \
	{                                                                                          \
		stacked_free(d, LV, v, n);                                                         \
	}

LEVEL_OPS(mid, TH_MID)
LEVEL_OPS(dev, TH_DEV)

#define ACT_OPS(name, LV)                                                                    \
	static int name##_activate(struct msk_irq_domain *d, struct msk_irq_data *i, bool r) \
	{                                                                                    \
		return activate(d, LV, i);                                                   \
	}                                                                                    \
	static void name##_deactivate(struct msk_irq_domain *d, struct msk_irq_data *i)      \
	{                                                                                    \
		deactivate(d, LV, i);                                                        \
	}

ACT_OPS(root, TH_ROOT)
ACT_OPS(mid, TH_MID)
ACT_OPS(dev, TH_DEV)

static const struct msk_irq_domain_ops root_ops = {
	.alloc = root_alloc,
	.free = root_free,
	.activate = root_activate,
	.deactivate = root_deactivate,
};
static const struct msk_irq_domain_ops mid_ops = {
	.alloc = mid_alloc,
	.free = mid_free,
	.activate = mid_activate,
	.deactivate = mid_deactivate,
};
static const struct msk_irq_domain_ops dev_ops = {
	.alloc = dev_alloc,
	.free = dev_free,
	.activate = dev_activate,
	.deactivate = dev_deactivate,
};

int th_create(struct th *t, unsigned int nr_cpus, struct msk_ledger *ledger)
{
	return th_create_sized(t, nr_cpus, 0, ledger);
}

int th_create_sized(struct th *t, unsigned int nr_cpus, unsigned int nr_irqs,
		    struct msk_ledger *ledger)
{
	memset(t, 0, sizeof(*t));
	for (int i = 0; i < TH_LEVELS; i++)
		t->lv[i].fail_alloc_index = -1;
	struct msk_core_config cfg = { .nr_cpus = nr_cpus, .nr_irqs = nr_irqs, .ledger = ledger };
	int rc = msk_core_create(&cfg, &t->core);
	if (rc < 0)
		return rc;
	struct msk_irq_domain_info root = {
		.name = "TEST-ROOT", .ops = &root_ops, .host_data = t, .hwirq_max = 4096
	};
	struct msk_irq_domain_info mid = {
		.name = "TEST-MID", .ops = &mid_ops, .host_data = t, .hwirq_max = 0x2000
	};
	struct msk_irq_domain_info dev = { .name = "TEST-DEV",
					   .ops = &dev_ops,
					   .host_data = t,
					   .hwirq_max = 2048,
					   .bus_token = MSK_DOMAIN_BUS_PCI_DEVICE_MSIX,
					   .flags = MSK_DOMAIN_FLAG_MSI_DEVICE };
	if ((rc = msk_domain_create(t->core, &root, &t->lv[TH_ROOT].domain)) < 0)
		return rc;
	mid.parent = t->lv[TH_ROOT].domain;
	if ((rc = msk_domain_create(t->core, &mid, &t->lv[TH_MID].domain)) < 0)
		return rc;
	dev.parent = t->lv[TH_MID].domain;
	return msk_domain_create(t->core, &dev, &t->lv[TH_DEV].domain);
}

void th_destroy(struct th *t)
{
	msk_core_destroy(t->core);
	t->core = NULL;
}

int th_alloc(struct th *t, unsigned int nr, unsigned int first_index, unsigned int *virq)
{
	return msk_domain_alloc_irqs(t->lv[TH_DEV].domain, nr, &first_index, NULL, virq);
}

unsigned int th_live(const struct th *t)
{
	unsigned int n = 0;
	for (int i = 0; i < TH_LEVELS; i++)
		n += t->lv[i].live;
	return n;
}

void th_log_clear(struct th *t)
{
	t->log[0] = '\0';
}
