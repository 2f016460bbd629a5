/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_PPC64_FIXTURE_H
#define MSK_TEST_PPC64_FIXTURE_H

/*
 * A pSeries machine for the driver tests: 64 MiB of RAM at 0 (the drivers'
 * queues at PP_TABLE), a core with a ledger, the ppc64 platform, and PCI
 * function models attached through msk_platform_pci_add. Events travel
 * device -> message write -> MSI window -> XIVE source -> EAS -> queue ->
 * msk_platform_cpu_service -> XIVE root -> handler -> EOI on the ESB.
 */
#include "msk_test.h"

#include <msikit/hw_pci.h>
#include <msikit/hw_xive.h>
#include <msikit/platform.h>
#include <msikit/platform_ppc64.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define PP_RAM_SIZE   (64ull << 20)
#define PP_TABLE      0x100000ull
#define PP_TABLE_SIZE (1ull << 20)
#define PP_MAX_FNS    8

struct pp {
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	unsigned int ncpus;
	struct msk_pcifn *fn[PP_MAX_FNS];
	struct msk_pci_dev *pdev[PP_MAX_FNS];
	_Atomic unsigned int calls[4096]; /* handler runs per virq */
	_Atomic unsigned int kicks[8];
};

static inline void pp_kick(void *ctx, unsigned int cpu)
{
	struct pp *t = ctx;
	if (cpu < 8)
		atomic_fetch_add(&t->kicks[cpu], 1);
}

static inline enum msk_irqreturn pp_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct pp *t = dev_id;
	atomic_fetch_add(&t->calls[virq % 4096], 1);
	return MSK_IRQ_HANDLED;
}

static inline struct msk_platform_config pp_config(unsigned int ncpus, bool bare)
{
	struct msk_platform_config cfg;
	memset(&cfg, 0, sizeof(cfg));
	cfg.ncpus = ncpus;
	cfg.bare = bare;
	cfg.table_base = PP_TABLE;
	cfg.table_size = PP_TABLE_SIZE;
	return cfg;
}

/* The machine without a platform (tests of platform creation). */
static inline struct pp *pp_machine(unsigned int ncpus)
{
	struct pp *t = calloc(1, sizeof(*t));
	assert_non_null(t);
	t->ncpus = ncpus;
	assert_msk_ok(msk_ledger_create(&t->l));
	assert_msk_ok(msk_bus_create(0, PP_RAM_SIZE, t->l, &t->bus));
	struct msk_core_config cc = { .nr_cpus = ncpus, .ledger = t->l };
	assert_msk_ok(msk_core_create(&cc, &t->core));
	return t;
}

static inline struct pp *pp_new_cfg(struct msk_platform_config cfg)
{
	struct pp *t = pp_machine(cfg.ncpus);
	cfg.notify.kick = pp_kick;
	cfg.notify.ctx = t;
	assert_msk_ok(msk_platform_create("ppc64", t->core, t->bus, &cfg, &t->p));
	return t;
}

static inline struct pp *pp_new(unsigned int ncpus, bool post_free, unsigned int quota)
{
	struct msk_platform_config cfg = pp_config(ncpus, false);
	cfg.pseries.post_free = post_free;
	cfg.pseries.pe_quota = quota;
	return pp_new_cfg(cfg);
}

/* Function 01:<dev>.0 with MSI (vectors, per-vector mask) and MSI-X, attached. */
static inline unsigned int pp_add_fn(struct pp *t, unsigned int dev, unsigned int msi,
				     unsigned int msix)
{
	unsigned int i = 0;
	while (i < PP_MAX_FNS && t->fn[i])
		i++;
	assert_true(i < PP_MAX_FNS);
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 1;
	c.dev = dev;
	c.vendor_id = 0x144d; /* an NVMe-style function */
	c.device_id = 0xa808;
	c.msi_vectors = msi;
	c.msi_64bit = true;
	c.msi_pvm = true;
	c.msix_entries = msix;
	c.manual_bars = true;
	assert_msk_ok(msk_pcifn_create(t->bus, &c, &t->fn[i]));
	assert_msk_ok(msk_platform_pci_add(t->p, t->fn[i], &t->pdev[i]));
	return i;
}

static inline void pp_remove_fn(struct pp *t, unsigned int i)
{
	assert_msk_ok(msk_platform_pci_remove(t->p, t->pdev[i]));
	t->pdev[i] = NULL;
	msk_pcifn_destroy(t->fn[i]);
	t->fn[i] = NULL;
}

static inline uint64_t pp_fn_held(struct pp *t)
{
	uint64_t held = 0;
	for (unsigned int i = 0; i < PP_MAX_FNS; i++)
		if (t->fn[i])
			held += msk_pcifn_held(t->fn[i]);
	return held;
}

/* raised == delivered + held (core + XIVE + devices) + lost */
static inline void pp_balanced(struct pp *t)
{
	uint64_t held = msk_core_held(t->core) + msk_platform_held(t->p) + pp_fn_held(t);
	assert_msk_ok(msk_ledger_check(t->l, held));
}

static inline struct msk_ledger_counts pp_counts(struct pp *t)
{
	struct msk_ledger_counts c;
	msk_ledger_read(t->l, &c);
	return c;
}

/* Run every CPU until none has anything left; returns how many were taken. */
static inline unsigned int pp_service(struct pp *t)
{
	unsigned int total = 0;
	for (;;) {
		int round = 0;
		for (unsigned int c = 0; c < t->ncpus; c++) {
			int n = msk_platform_cpu_service(t->p, c, 64);
			assert_true(n >= 0);
			round += n;
		}
		if (!round)
			return total;
		total += (unsigned int)round;
	}
}

/* Request every vector [0, n) of function i with pp_handler. */
static inline void pp_request(struct pp *t, unsigned int i, unsigned int n)
{
	for (unsigned int v = 0; v < n; v++) {
		int virq = msk_pci_irq_vector(t->pdev[i], v);
		assert_true(virq > 0);
		assert_msk_ok(msk_request_irq(t->core, (unsigned int)virq, pp_handler, "q", t));
	}
}

static inline void pp_free_irqs(struct pp *t, unsigned int i, unsigned int n)
{
	for (unsigned int v = 0; v < n; v++)
		assert_msk_ok(
			msk_free_irq(t->core, (unsigned int)msk_pci_irq_vector(t->pdev[i], v)));
}

static inline struct msk_irq_domain *pp_devdom(struct pp *t, unsigned int i)
{
	return msk_msi_get_device_domain(msk_pci_msi_device(t->pdev[i]), MSK_MSI_DEFAULT_DOMAIN);
}

/* The LISN behind vector v of function i (the XIVE level's hwirq). */
static inline uint32_t pp_lisn(struct pp *t, unsigned int i, unsigned int v)
{
	int virq = msk_pci_irq_vector(t->pdev[i], v);
	assert_true(virq > 0);
	struct msk_irq_data *d = msk_irq_get_irq_data(t->core, (unsigned int)virq);
	assert_non_null(d->parent_data);
	assert_non_null(d->parent_data->parent_data);
	assert_int_equal(d->parent_data->hwirq, d->parent_data->parent_data->hwirq);
	return (uint32_t)d->parent_data->parent_data->hwirq;
}

static inline uint8_t pp_pq(struct pp *t, uint32_t lisn)
{
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(msk_ppc64_platform_xive(t->p), lisn, &si));
	return si.pq;
}

static inline struct msk_spapr_fn_info pp_fw_fn(struct pp *t, unsigned int i)
{
	uint16_t rid = msk_pcifn_rid(t->fn[i]);
	struct msk_spapr_fn_info info;
	assert_msk_ok(msk_spapr_get_function(
		msk_ppc64_platform_firmware(t->p), MSK_PPC64_BUID,
		(uint32_t)(rid >> 8) << 16 | (uint32_t)(rid & 0xff) << 8, &info));
	return info;
}

static inline int64_t pp_counter(struct pp *t, const char *name)
{
	struct msk_platform_counter c[16];
	size_t n = msk_platform_counters(t->p, c, 16);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return -1;
}

static inline unsigned int pp_violations(struct pp *t, enum msk_msi_rule rule)
{
	unsigned int n = 0, all = msk_msi_violation_count(t->core);
	for (unsigned int i = 0; i < all; i++) {
		struct msk_msi_violation v;
		if (msk_msi_get_violation(t->core, i, &v) == 0 && v.rule == rule)
			n++;
	}
	return n;
}

/* Route (addr, data) from function i; fail unless it reaches virq on a CPU of its affinity. */
static inline void pp_route_reaches(struct pp *t, unsigned int i, uint64_t addr, uint32_t data,
				    unsigned int virq)
{
	struct msk_platform_route r;
	assert_msk_ok(msk_platform_route(t->p, msk_pcifn_rid(t->fn[i]), addr, data, &r));
	if (r.lost || r.virq != virq)
		fail_msg("message 0x%llx data 0x%x of virq %u: %s %s virq %u (%s)",
			 (unsigned long long)addr, data, virq, r.lost ? "lost" : "reaches",
			 r.lost ? msk_loss_name(r.reason) : "", r.virq, r.detail);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(t->core, virq);
	if (!msk_cpumask_empty(&eff) && !msk_cpumask_test(&eff, r.cpu))
		fail_msg("virq %u reached on CPU %u, outside its effective affinity (%s)", virq,
			 r.cpu, r.detail);
}

/*
 * The machine's msi-route invariant for function i: every allocated,
 * unmasked MSI-X entry and enabled MSI vector reaches its own virq.
 * Returns how many messages were followed.
 */
static inline unsigned int pp_check_routes(struct pp *t, unsigned int i)
{
	struct msk_device *dev = msk_pci_msi_device(t->pdev[i]);
	unsigned int n = 0;
	struct msk_pcifn_msix_state x;
	msk_pcifn_msix_state(t->fn[i], &x);
	for (unsigned int e = 0; x.cap && x.enabled && !x.function_mask && e < x.entries; e++) {
		unsigned int virq = msk_msi_get_virq(dev, MSK_MSI_DEFAULT_DOMAIN, e);
		struct msk_pcifn_vector v;
		if (!virq || msk_pcifn_msix_entry(t->fn[i], e, &v) < 0 || v.masked)
			continue;
		pp_route_reaches(t, i, v.addr, v.data, virq);
		n++;
	}
	struct msk_pcifn_msi_state m;
	msk_pcifn_msi_state(t->fn[i], &m);
	unsigned int nv = m.vectors_enabled ? m.vectors_enabled : 1;
	for (unsigned int k = 0; m.cap && m.enabled && k < nv; k++) {
		unsigned int virq = msk_msi_get_virq(dev, MSK_MSI_DEFAULT_DOMAIN, k);
		if (!virq || (m.pvm && (m.mask & (1u << k))))
			continue;
		pp_route_reaches(t, i, m.addr, (uint32_t)((m.data & ~(nv - 1)) | k), virq);
		n++;
	}
	return n;
}

static inline void pp_free(struct pp *t)
{
	for (unsigned int i = 0; i < PP_MAX_FNS; i++) {
		if (t->pdev[i])
			assert_msk_ok(msk_platform_pci_remove(t->p, t->pdev[i]));
		if (t->fn[i])
			msk_pcifn_destroy(t->fn[i]);
	}
	msk_platform_destroy(t->p);
	msk_core_destroy(t->core);
	msk_bus_destroy(t->bus);
	msk_ledger_destroy(t->l);
	free(t);
}

#endif
