/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_ARM64_FIXTURE_H
#define MSK_TEST_ARM64_FIXTURE_H

/*
 * An arm64 machine for the driver tests: a bus with RAM and a ledger, a
 * core, the arm64 platform (GICv3 + ITS models and drivers) and PCI
 * function models attached with msk_platform_pci_add. Events travel
 * device -> MSI-X entry -> GITS_TRANSLATER -> LPI pending in an RD ->
 * msk_platform_cpu_service -> GICv3 root -> flow -> handler.
 */
#include "msk_test.h"

#include <stdatomic.h>
#include <string.h>

#include <msikit.h>

#include "platform/arm64.h"

#define AM_RAM_BASE  0x40000000ull
#define AM_RAM_SIZE  (256ull << 20)
#define AM_TABLES    (AM_RAM_BASE + (16ull << 20))
#define AM_TABLES_SZ (64ull << 20)
#define AM_MAX_FN    16
#define AM_NCPUS     4

struct am {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	struct msk_gic *gic;
	struct its *its;
	struct msk_pcifn *fn[AM_MAX_FN];
	struct msk_pci_dev *pdev[AM_MAX_FN];
	unsigned int nfn;
	_Atomic unsigned int calls[4096];  /* handler runs per virq */
	_Atomic unsigned int on_cpu[4096]; /* CPU of the last run + 1 */
};

static inline enum msk_irqreturn am_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct am *m = dev_id;
	atomic_fetch_add(&m->calls[virq % 4096], 1);
	atomic_store(&m->on_cpu[virq % 4096], cpu + 1);
	return MSK_IRQ_HANDLED;
}

static inline void am_config(struct msk_platform_config *c, bool alloc_dyn)
{
	memset(c, 0, sizeof(*c));
	c->ncpus = AM_NCPUS;
	c->table_base = AM_TABLES;
	c->table_size = AM_TABLES_SZ;
	c->its.alloc_dyn = alloc_dyn;
}

static inline int am_setup_cfg(struct am *m, const struct msk_platform_config *c)
{
	memset(m, 0, sizeof(*m));
	if (msk_ledger_create(&m->ledger) < 0 ||
	    msk_bus_create(AM_RAM_BASE, AM_RAM_SIZE, m->ledger, &m->bus) < 0)
		return -1;
	struct msk_core_config cc = { .nr_cpus = c->ncpus, .ledger = m->ledger };
	if (msk_core_create(&cc, &m->core) < 0)
		return -1;
	if (msk_platform_create("arm64", m->core, m->bus, c, &m->p) < 0)
		return -1;
	m->gic = arm64_platform_gic(m->p);
	m->its = arm64_platform_its(m->p);
	return 0;
}

static inline int am_setup(struct am *m, bool alloc_dyn)
{
	struct msk_platform_config c;
	am_config(&c, alloc_dyn);
	return am_setup_cfg(m, &c);
}

/* Function bb:dd.f with `msi` MSI vectors and `msix` MSI-X entries, attached. */
static inline struct msk_pci_dev *am_add(struct am *m, unsigned int bus, unsigned int dev,
					 unsigned int msi, unsigned int msix)
{
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = bus;
	c.dev = dev;
	c.vendor_id = 0x19e5;
	c.device_id = 0xa222;
	c.msi_vectors = msi;
	c.msi_64bit = true;
	c.msi_pvm = true;
	c.msix_entries = msix;
	c.manual_bars = true;
	assert_true(m->nfn < AM_MAX_FN);
	unsigned int i = m->nfn;
	assert_msk_ok(msk_pcifn_create(m->bus, &c, &m->fn[i]));
	assert_msk_ok(msk_platform_pci_add(m->p, m->fn[i], &m->pdev[i]));
	m->nfn++;
	return m->pdev[i];
}

/* Run every CPU's service until nothing is pending; returns interrupts taken. */
static inline unsigned int am_service_all(struct am *m)
{
	unsigned int total = 0, n;
	do {
		n = 0;
		for (unsigned int c = 0; c < m->p->cfg.ncpus; c++) {
			int rc = msk_platform_cpu_service(m->p, c, 1000);
			assert_true(rc >= 0);
			n += (unsigned)rc;
		}
		total += n;
	} while (n);
	return total;
}

static inline uint64_t am_held(struct am *m)
{
	uint64_t held = msk_core_held(m->core) + msk_platform_held(m->p);
	for (unsigned int i = 0; i < m->nfn; i++)
		if (m->fn[i])
			held += msk_pcifn_held(m->fn[i]);
	return held;
}

/* raised == delivered + held (core + GIC + devices) + lost */
static inline void am_balanced(struct am *m)
{
	assert_msk_ok(msk_ledger_check(m->ledger, am_held(m)));
}

static inline uint64_t am_lost(struct am *m)
{
	struct msk_ledger_counts c;
	msk_ledger_read(m->ledger, &c);
	return c.lost;
}

static inline struct msk_irq_domain *am_domain(struct msk_pci_dev *pdev)
{
	return msk_msi_get_device_domain(msk_pci_msi_device(pdev), MSK_MSI_DEFAULT_DOMAIN);
}

/* The LPI (ITS-level hwirq) and EventID of a virq. */
static inline uint32_t am_lpi(struct am *m, unsigned int virq)
{
	struct msk_irq_data *d = msk_irq_get_irq_data(m->core, virq);
	while (d && d->domain != m->its->domain)
		d = d->parent_data;
	assert_non_null(d);
	return (uint32_t)d->hwirq;
}

static inline int64_t am_counter(struct am *m, const char *name)
{
	struct msk_platform_counter c[16];
	size_t n = msk_platform_counters(m->p, c, 16);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return -1;
}

/* Remove every device (handlers must be freed), check, and take the machine down. */
static inline void am_teardown(struct am *m)
{
	am_balanced(m);
	for (unsigned int i = 0; i < m->nfn; i++)
		if (m->pdev[i])
			assert_msk_ok(msk_platform_pci_remove(m->p, m->pdev[i]));
	assert_int_equal(am_counter(m, "lpis"), 0);
	assert_int_equal(am_counter(m, "its_devices"), 0);
	for (unsigned int i = 0; i < msk_msi_violation_count(m->core); i++) {
		struct msk_msi_violation v;
		msk_msi_get_violation(m->core, i, &v);
		assert_true(v.rule != MSK_MSI_RULE_RESOURCES_RETURNED);
	}
	am_balanced(m);
	msk_platform_destroy(m->p);
	for (unsigned int i = 0; i < m->nfn; i++)
		msk_pcifn_destroy(m->fn[i]);
	msk_core_destroy(m->core);
	assert_msk_ok(msk_ledger_check(m->ledger, 0));
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->ledger);
}

#endif
