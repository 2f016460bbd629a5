/* SPDX-License-Identifier: MIT */
/*
 * ppc64.delivery: ns per delivered interrupt on the pSeries platform, the
 * whole path - PCI function model raises an MSI-X vector, the message hits
 * the XIVE MSI window, PQ + EAS + END write the event queue in guest RAM,
 * msk_platform_cpu_service takes it, the XIVE root's reverse map finds the
 * virq, the fasteoi flow runs the handler and EOIs on the ESB - against
 * the bare dispatch of the same handler through an array of function
 * pointers indexed by number, measured in the same run. A second figure
 * raises a batch of vectors before the CPU services them (one take per
 * entry, kicks amortised).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msikit.h>

#include "bench.h"

#define NVEC   16
#define ROUNDS 7
#define ITERS  (1u << 17)

struct machine {
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
};

static unsigned int order[NVEC];

/* Raise one vector, service CPU 0 for one entry; per delivered interrupt. */
static double time_one_by_one(struct machine *m)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ITERS; i++) {
			msk_pcifn_raise(m->fn, order[i & (NVEC - 1)]);
			msk_platform_cpu_service(m->p, 0, 1);
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / ITERS;
}

/* Raise all NVEC vectors, then service them in one call. */
static double time_batched(struct machine *m)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ITERS; i += NVEC) {
			for (unsigned int k = 0; k < NVEC; k++)
				msk_pcifn_raise(m->fn, order[k]);
			msk_platform_cpu_service(m->p, 0, NVEC);
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / ITERS;
}

static int setup(struct machine *m, struct bench_counter *c)
{
	memset(m, 0, sizeof(*m));
	if (msk_ledger_create(&m->l) < 0 || msk_bus_create(0, 16ull << 20, m->l, &m->bus) < 0)
		return -1;
	struct msk_core_config cc = { .nr_cpus = 1, .ledger = m->l };
	if (msk_core_create(&cc, &m->core) < 0)
		return -1;
	struct msk_platform_config pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 1;
	pc.table_base = 0x100000;
	pc.table_size = 0x100000;
	if (msk_platform_create("ppc64", m->core, m->bus, &pc, &m->p) < 0)
		return -1;
	struct msk_pcifn_config fc;
	memset(&fc, 0, sizeof(fc));
	fc.bus = 1;
	fc.vendor_id = 0x144d;
	fc.msix_entries = NVEC;
	fc.manual_bars = true;
	if (msk_pcifn_create(m->bus, &fc, &m->fn) < 0 ||
	    msk_platform_pci_add(m->p, m->fn, &m->pdev) < 0 ||
	    msk_pci_alloc_irq_vectors(m->pdev, NVEC, NVEC, MSK_PCI_IRQ_MSIX, NULL) != NVEC)
		return -1;
	for (unsigned int v = 0; v < NVEC; v++) {
		int virq = msk_pci_irq_vector(m->pdev, v);
		if (virq < 0 || msk_request_irq(m->core, (unsigned int)virq, bench_count_handler,
						"bench", c) < 0)
			return -1;
	}
	return 0;
}

static void teardown(struct machine *m)
{
	for (unsigned int v = 0; m->pdev && v < NVEC; v++) {
		int virq = msk_pci_irq_vector(m->pdev, v);
		if (virq > 0)
			msk_free_irq(m->core, (unsigned int)virq);
	}
	if (m->pdev)
		msk_platform_pci_remove(m->p, m->pdev);
	msk_pcifn_destroy(m->fn);
	msk_platform_destroy(m->p);
	msk_core_destroy(m->core);
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->l);
}

int bench_ppc64(struct bench_report *rep)
{
	struct bench_counter c = { 0 };
	bench_order(order, NVEC, true);
	struct machine m;
	if (setup(&m, &c) < 0) {
		fprintf(stderr, "bench ppc64.delivery: %s\n", msk_last_error());
		teardown(&m);
		return -1;
	}
	bench_bare_dispatch(order, NVEC, ITERS, ROUNDS, &c);
	time_one_by_one(&m);
	double bare = bench_bare_dispatch(order, NVEC, ITERS, ROUNDS, &c);
	double one = time_one_by_one(&m);
	double batch = time_batched(&m);
	double bare2 = bench_bare_dispatch(order, NVEC, ITERS, ROUNDS, &c);
	if (bare2 < bare)
		bare = bare2;
	/* Every raised event was delivered: nothing lost, nothing left behind. */
	struct msk_ledger_counts lc;
	msk_ledger_read(m.l, &lc);
	int rc = 0;
	if (lc.lost || lc.delivered != lc.raised || msk_platform_held(m.p)) {
		fprintf(stderr, "bench ppc64.delivery: raised %llu delivered %llu lost %llu\n",
			(unsigned long long)lc.raised, (unsigned long long)lc.delivered,
			(unsigned long long)lc.lost);
		rc = -1;
	}
	char params[128];
	snprintf(params, sizeof(params), "vectors=%u iters=%u best-of=%d cpus=1 msix", NVEC, ITERS,
		 ROUNDS);
	bench_add(rep, "ppc64.delivery.one", "ns/irq", one, bare, params);
	bench_add(rep, "ppc64.delivery.batch16", "ns/irq", batch, bare, params);
	teardown(&m);
	return rc;
}
