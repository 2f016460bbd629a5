/* SPDX-License-Identifier: MIT */
/* The "test" arch (see test_platform.h). */
#include "test_platform.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "test_msi_parent.h"

#define TPL_HWIRQS 4096u

struct tplat {
	struct msk_platform base;
	struct tp tp;
	uint32_t *pending; /* [cpu * TPL_HWIRQS + hwirq] = weight */
	uint64_t held;
	bool mapped;
};

static struct tplat *tpl(struct msk_platform *p)
{
	return (struct tplat *)p;
}

static void doorbell_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
			   const struct msk_bus_attrs *attrs)
{
	struct tplat *t = opaque;
	if (!attrs->is_msi)
		return;
	struct msk_ledger *l = msk_bus_ledger(t->base.bus);
	unsigned int cpu = (unsigned int)(off >> 12) & 0xff;
	uint32_t hw = (uint32_t)value;
	if (cpu >= t->base.cfg.ncpus) {
		msk_ledger_lose(l, MSK_LOSS_APIC_NO_TARGET, attrs->weight);
		return;
	}
	if (hw >= TPL_HWIRQS) {
		msk_ledger_lose(l, MSK_LOSS_VECTOR_NOT_ASSIGNED, attrs->weight);
		return;
	}
	uint32_t *slot = &t->pending[cpu * TPL_HWIRQS + hw];
	if (*slot > UINT32_MAX - attrs->weight) {
		msk_ledger_lose(l, MSK_LOSS_PENDING_OVERFLOW, attrs->weight);
		return;
	}
	*slot += attrs->weight;
	t->held += attrs->weight;
	if (t->base.cfg.notify.kick)
		t->base.cfg.notify.kick(t->base.cfg.notify.ctx, cpu);
}

static uint64_t doorbell_read(void *opaque, uint64_t off, unsigned int size,
			      const struct msk_bus_attrs *attrs)
{
	return 0;
}

static const struct msk_mmio_ops doorbell_ops = { doorbell_read, doorbell_write };

/* The lowest pending hwirq of cpu, taken out with its weight; false if none. */
static bool take_lowest(struct tplat *t, unsigned int cpu, uint32_t *hw, uint32_t *weight)
{
	uint32_t *row = &t->pending[cpu * TPL_HWIRQS];
	for (uint32_t h = 0; h < TPL_HWIRQS; h++)
		if (row[h]) {
			*hw = h;
			*weight = row[h];
			t->held -= row[h];
			row[h] = 0;
			return true;
		}
	return false;
}

static int tpl_cpu_service(struct msk_platform *p, unsigned int cpu, unsigned int max)
{
	struct tplat *t = tpl(p);
	int n = 0;
	uint32_t hw, w;
	while ((unsigned int)n < max && take_lowest(t, cpu, &hw, &w)) {
		msk_domain_handle_irq(t->tp.domain, cpu, hw, w);
		n++;
	}
	return n;
}

static int tpl_cpu_take(struct msk_platform *p, unsigned int cpu, uint64_t *id, uint64_t *weight)
{
	struct tplat *t = tpl(p);
	uint32_t hw, w;
	if (!take_lowest(t, cpu, &hw, &w))
		return 0;
	msk_ledger_deliver(msk_bus_ledger(p->bus), w);
	*id = hw;
	*weight = w;
	return 1;
}

static uint64_t tpl_held(struct msk_platform *p)
{
	return tpl(p)->held;
}

struct virqs {
	unsigned int v[TPL_HWIRQS];
	unsigned int n;
	struct msk_core *core;
	unsigned int cpu;
};

static int collect_on_cpu(void *ctx, unsigned int virq)
{
	struct virqs *c = ctx;
	struct msk_cpumask eff = msk_irq_get_effective_affinity(c->core, virq);
	if (msk_cpumask_test(&eff, c->cpu) && c->n < TPL_HWIRQS)
		c->v[c->n++] = virq;
	return 0;
}

static int tpl_cpu_offline(struct msk_platform *p, unsigned int cpu)
{
	struct tplat *t = tpl(p);
	int rc = msk_core_set_cpu_online(p->core, cpu, false);
	if (rc < 0)
		return rc;
	struct msk_cpumask online = msk_core_online_cpus(p->core);
	unsigned int to = msk_cpumask_first(&online);
	struct virqs *c = calloc(1, sizeof(*c));
	if (!c)
		return msk_err(MSK_ENOMEM, "test platform: out of memory");
	c->core = p->core;
	c->cpu = cpu;
	msk_core_for_each_irq(p->core, collect_on_cpu, c);
	for (unsigned int i = 0; i < c->n; i++)
		msk_irq_set_affinity(p->core, c->v[i],
				     &online); /* managed ones refuse: they wait */
	free(c);
	for (uint32_t h = 0; h < TPL_HWIRQS; h++) {
		uint32_t *from = &t->pending[cpu * TPL_HWIRQS + h];
		if (*from) {
			t->pending[to * TPL_HWIRQS + h] += *from;
			*from = 0;
		}
	}
	if (p->cfg.notify.kick)
		p->cfg.notify.kick(p->cfg.notify.ctx, to);
	return 0;
}

static int tpl_cpu_online(struct msk_platform *p, unsigned int cpu)
{
	return msk_core_set_cpu_online(p->core, cpu, true);
}

static int tpl_pci_add(struct msk_platform *p, struct msk_pcifn *fn, struct msk_pci_dev **out)
{
	if (p->cfg.bare)
		return msk_err(MSK_ENOTSUP, "test platform: bare, no OS to attach devices to");
	return msk_pci_dev_create_pcifn(p->core, msk_platform_device_msi_parent(p), fn, 0, out);
}

static int tpl_pci_remove(struct msk_platform *p, struct msk_pci_dev *pdev)
{
	return msk_pci_dev_destroy(pdev);
}

static struct msk_irq_domain *tpl_msi_parent(struct msk_platform *p)
{
	return p->cfg.bare ? NULL : tpl(p)->tp.domain;
}

static void tpl_layout(struct msk_platform *p, struct msk_platform_layout *out)
{
	out->msi = TP_DOORBELL;
}

static size_t tpl_counters(struct msk_platform *p, struct msk_platform_counter *out, size_t max)
{
	struct tplat *t = tpl(p);
	int64_t tables = 0, entries = 0;
	for (int i = 0; i < TP_MAX_TABLES; i++)
		if (t->tp.tables[i]) {
			tables++;
			entries += t->tp.tables[i]->size;
		}
	const struct {
		const char *name;
		int64_t value;
	} c[] = {
		{ "hwirqs", t->tp.pool_used },	  { "tables", tables },
		{ "table_entries", entries },	  { "prepares", t->tp.prepares },
		{ "teardowns", t->tp.teardowns },
	};
	size_t n = 0;
	for (; n < max && n < sizeof(c) / sizeof(c[0]); n++) {
		strcpy(out[n].name, c[n].name);
		out[n].value = c[n].value;
	}
	return n;
}

static void tpl_destroy(struct msk_platform *p)
{
	struct tplat *t = tpl(p);
	if (t->mapped)
		msk_bus_unmap(p->bus, TP_DOORBELL);
	if (t->tp.domain)
		msk_domain_remove(t->tp.domain);
	tp_free_tables(&t->tp);
	free(t->pending);
	free(t);
}

static const struct msk_platform_ops tpl_ops = {
	.arch = "test",
	.destroy = tpl_destroy,
	.msi_parent = tpl_msi_parent,
	.cpu_service = tpl_cpu_service,
	.cpu_take = tpl_cpu_take,
	.held = tpl_held,
	.cpu_offline = tpl_cpu_offline,
	.cpu_online = tpl_cpu_online,
	.pci_add = tpl_pci_add,
	.pci_remove = tpl_pci_remove,
	.layout = tpl_layout,
	.counters = tpl_counters,
};

int test_platform_create(struct msk_core *core, struct msk_bus *bus,
			 const struct msk_platform_config *cfg, struct msk_platform **out)
{
	if (cfg->ncpus > 255)
		return msk_err(MSK_EINVAL, "test platform: at most 255 CPUs");
	struct tplat *t = calloc(1, sizeof(*t));
	if (!t)
		return msk_err(MSK_ENOMEM, "test platform: out of memory");
	t->pending = calloc((size_t)cfg->ncpus * TPL_HWIRQS, sizeof(uint32_t));
	t->base.ops = &tpl_ops;
	t->base.core = core;
	t->base.bus = bus;
	t->base.cfg = *cfg;
	uint32_t supported = MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_MULTI_PCI_MSI |
			     MSK_MSI_FLAG_PCI_IMS |
			     (cfg->its.alloc_dyn ? MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN : 0);
	int rc = t->pending ? 0 : msk_err(MSK_ENOMEM, "test platform: out of memory");
	if (rc == 0 && !cfg->bare)
		rc = tp_init(&t->tp, core, cfg->ncpus, TPL_HWIRQS, supported);
	if (rc == 0) {
		t->tp.post_free_bug = cfg->pseries.post_free;
		t->tp.quota = cfg->pseries.pe_quota;
		rc = msk_bus_map(bus, TP_DOORBELL, 1u << 20, &doorbell_ops, t, "TEST-DOORBELL");
		t->mapped = rc == 0;
	}
	if (rc < 0) {
		tpl_destroy(&t->base);
		return rc;
	}
	*out = &t->base;
	return 0;
}

int test_platform_register(void)
{
	return msk_machine_register_arch("test", test_platform_create);
}
