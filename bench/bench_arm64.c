/* SPDX-License-Identifier: MIT */
/*
 * arm64: the GICv3 ITS platform (models + drivers + PCI function models).
 *
 * arm64.deliver: ns per delivered interrupt, device raise to handler: the
 *   function's MSI-X entry -> message write -> GITS_TRANSLATER -> device
 *   and interrupt translation tables in guest RAM -> LPI pending in the
 *   redistributor -> ack -> GICv3 root reverse map -> fasteoi flow ->
 *   handler -> EOI. Baseline: the bare dispatch of the same handler through
 *   an array of function pointers, in the same run.
 *
 * arm64.setup: vectors set up through the whole stack, 64 per device (PCI
 *   function model, pci_add, alloc_irq_vectors: prepare = ITT + LPI range +
 *   MAPD; per vector MAPTI + SYNC, MSI-X entry programmed). The target is
 *   1M vectors (16384 x 64); with 20 LPI INTID bits a GIC has 2^20 - 8192 =
 *   1040384 LPIs, so 16256 devices x 64 = 1040384 vectors is the most one
 *   GIC holds, and that is what runs (unless the ~20 s budget stops it
 *   earlier; then the fraction set up is printed and the per-vector numbers
 *   are what is measured, with the 1M total extrapolated linearly).
 *   Baseline: a virq allocated in a bare root domain (no hardware) in the
 *   same run, 64 per call. Per-vector setup time grows with the number of
 *   virqs already allocated (the core's virq range search is linear), so
 *   the linear 1M estimate printed is a lower bound. Bytes: heap delta (mallinfo2: core, PCI layer, function
 *   models, drivers, guest RAM pages) per vector; the parts are in params.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <msikit.h>

#include "bench.h"
#include "platform/arm64.h"

#define RAM_BASE	0x40000000ull
#define RAM_SIZE	(1ull << 30)
#define TABLE_BASE	(RAM_BASE + (64ull << 20))
#define TABLE_SIZE	(512ull << 20)

#define DELIVER_VECTORS 64
#define DELIVER_ITERS	(1u << 18)
#define ROUNDS		5
#define SETUP_DEVICES	16256u
#define SETUP_VECTORS	64u
#define SETUP_BUDGET_NS (14ull * 1000000000ull)

struct machine {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
};

static int machine_up(struct machine *m, unsigned int ncpus, unsigned int lpi_bits,
		      unsigned int nr_irqs)
{
	memset(m, 0, sizeof(*m));
	struct msk_platform_config c = { .ncpus = ncpus,
					 .table_base = TABLE_BASE,
					 .table_size = TABLE_SIZE };
	c.its.alloc_dyn = true;
	c.its.lpi_bits = lpi_bits;
	struct msk_core_config cc = { .nr_cpus = ncpus, .nr_irqs = nr_irqs };
	if (msk_ledger_create(&m->ledger) < 0 ||
	    msk_bus_create(RAM_BASE, RAM_SIZE, m->ledger, &m->bus) < 0)
		return -1;
	cc.ledger = m->ledger;
	if (msk_core_create(&cc, &m->core) < 0 ||
	    msk_platform_create("arm64", m->core, m->bus, &c, &m->p) < 0)
		return -1;
	return 0;
}

static void machine_down(struct machine *m)
{
	if (m->p)
		msk_platform_destroy(m->p);
	msk_core_destroy(m->core);
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->ledger);
}

static int add_fn(struct machine *m, uint32_t rid, unsigned int entries, struct msk_pcifn **fn,
		  struct msk_pci_dev **pdev)
{
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = rid >> 8;
	c.dev = (rid >> 3) & 31;
	c.fn = rid & 7;
	c.vendor_id = 0x19e5;
	c.device_id = 0xa222;
	c.msix_entries = entries;
	c.manual_bars = true;
	if (msk_pcifn_create(m->bus, &c, fn) < 0)
		return -1;
	return msk_platform_pci_add(m->p, *fn, pdev);
}

static int bench_deliver(struct bench_report *rep)
{
	struct machine m;
	struct msk_pcifn *fn = NULL;
	struct msk_pci_dev *pdev = NULL;
	struct bench_counter c = { 0 };
	unsigned int virq[DELIVER_VECTORS];
	int rc = machine_up(&m, 1, 0, 0);
	if (rc == 0)
		rc = add_fn(&m, 0x100, DELIVER_VECTORS, &fn, &pdev);
	if (rc == 0 && msk_pci_alloc_irq_vectors(pdev, DELIVER_VECTORS, DELIVER_VECTORS,
						 MSK_PCI_IRQ_MSIX, NULL) != DELIVER_VECTORS)
		rc = -1;
	for (unsigned int k = 0; rc == 0 && k < DELIVER_VECTORS; k++) {
		virq[k] = (unsigned)msk_pci_irq_vector(pdev, k);
		rc = msk_request_irq(m.core, virq[k], bench_count_handler, "bench", &c);
	}
	if (rc < 0) {
		fprintf(stderr, "bench arm64.deliver: %s\n", msk_last_error());
		return -1;
	}
	unsigned int order[DELIVER_VECTORS];
	bench_order(order, DELIVER_VECTORS, false);
	uint64_t best = UINT64_MAX;
	bench_bare_dispatch(order, DELIVER_VECTORS, DELIVER_ITERS, ROUNDS, &c);
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < DELIVER_ITERS; i++) {
			msk_pcifn_raise(fn, (i * 37u) & (DELIVER_VECTORS - 1));
			msk_platform_cpu_service(m.p, 0, 1);
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	double its = (double)best / DELIVER_ITERS;
	double bare = bench_bare_dispatch(order, DELIVER_VECTORS, DELIVER_ITERS, ROUNDS, &c);
	struct msk_ledger_counts lc;
	msk_ledger_read(m.ledger, &lc);
	uint64_t held = msk_core_held(m.core) + msk_platform_held(m.p) + msk_pcifn_held(fn);
	bool ok = lc.lost == 0 && msk_ledger_check(m.ledger, held) == 0 &&
		  lc.delivered == (uint64_t)ROUNDS * DELIVER_ITERS;
	char params[128];
	snprintf(params, sizeof(params), "vectors=%u iters=%u best-of=%d cpus=1 lost=%llu",
		 DELIVER_VECTORS, DELIVER_ITERS, ROUNDS, (unsigned long long)lc.lost);
	bench_add(rep, "arm64.deliver.its", "ns/irq", its, bare, params);
	for (unsigned int k = 0; k < DELIVER_VECTORS; k++)
		msk_free_irq(m.core, virq[k]);
	msk_platform_pci_remove(m.p, pdev);
	msk_pcifn_destroy(fn);
	machine_down(&m);
	if (!ok)
		fprintf(stderr, "bench arm64.deliver: ledger does not balance or events lost\n");
	return ok ? 0 : -1;
}

static uint64_t heap_bytes(void)
{
	struct mallinfo2 mi = mallinfo2();
	return mi.uordblks + mi.hblkhd;
}

/* Baseline: virqs in a bare root domain, same count per call as a device. */
static int bare_setup(unsigned int nvec, double *ns, double *bytes)
{
	struct msk_core *core;
	struct msk_irq_domain *root;
	unsigned int next = 0, virq;
	struct msk_core_config cc = { .nr_cpus = 1, .nr_irqs = 1u << 21 };
	if (msk_core_create(&cc, &core) < 0 ||
	    bench_bare_root_create(core, "BARE-ROOT", 0, &next, &root) < 0)
		return -1;
	uint64_t h0 = heap_bytes(), t0 = bench_now_ns();
	for (unsigned int i = 0; i < nvec / SETUP_VECTORS; i++)
		if (msk_domain_alloc_irqs(root, SETUP_VECTORS, NULL, NULL, &virq) < 0)
			return -1;
	*ns = (double)(bench_now_ns() - t0) / nvec;
	*bytes = (double)(heap_bytes() - h0) / nvec;
	msk_core_destroy(core);
	return 0;
}

static int bench_setup(struct bench_report *rep)
{
	struct machine m;
	uint64_t h0 = heap_bytes();
	if (machine_up(&m, 4, 20, 1u << 21) < 0) {
		fprintf(stderr, "bench arm64.setup: %s\n", msk_last_error());
		return -1;
	}
	struct msk_pcifn **fn = calloc(SETUP_DEVICES, sizeof(*fn));
	struct msk_pci_dev **pdev = calloc(SETUP_DEVICES, sizeof(*pdev));
	uint64_t ram0 = msk_ram_resident(m.bus);
	struct msk_core_stats cs0;
	msk_core_get_stats(m.core, &cs0);
	uint64_t h1 = heap_bytes();
	uint64_t t0 = bench_now_ns();
	unsigned int done = 0;
	int rc = 0;
	for (; done < SETUP_DEVICES; done++) {
		if (bench_now_ns() - t0 > SETUP_BUDGET_NS)
			break;
		rc = add_fn(&m, 0x100 + done, SETUP_VECTORS, &fn[done], &pdev[done]);
		if (rc == 0 && msk_pci_alloc_irq_vectors(pdev[done], SETUP_VECTORS, SETUP_VECTORS,
							 MSK_PCI_IRQ_MSIX, NULL) != SETUP_VECTORS)
			rc = -1;
		if (rc < 0)
			break;
	}
	uint64_t t1 = bench_now_ns();
	if (rc < 0) {
		fprintf(stderr, "bench arm64.setup: device %u: %s\n", done, msk_last_error());
		done++;
	}
	uint64_t nvec = (uint64_t)done * SETUP_VECTORS;
	struct msk_core_stats cs1;
	msk_core_get_stats(m.core, &cs1);
	double per_vec_ns = (double)(t1 - t0) / (double)nvec;
	double heap_per_vec = (double)(heap_bytes() - h1) / (double)nvec;
	double core_per_vec = (double)(cs1.bytes - cs0.bytes) / (double)nvec;
	double ram_per_vec = (double)(msk_ram_resident(m.bus) - ram0) / (double)nvec;
	double fixed = (double)(h1 - h0);
	struct its *its = arm64_platform_its(m.p);
	uint64_t lpis = atomic_load(&its->lpis_in_use);
	uint64_t t2 = bench_now_ns();
	for (unsigned int i = 0; i < done; i++) {
		if (pdev[i])
			msk_platform_pci_remove(m.p, pdev[i]);
		if (fn[i])
			msk_pcifn_destroy(fn[i]);
	}
	double teardown_ns = (double)(bench_now_ns() - t2) / (double)nvec;
	bool clean = atomic_load(&its->lpis_in_use) == 0 && atomic_load(&its->nr_devices) == 0;
	machine_down(&m);
	free(fn);
	free(pdev);
	double bare_ns, bare_bytes;
	if (bare_setup((unsigned)nvec, &bare_ns, &bare_bytes) < 0) {
		fprintf(stderr, "bench arm64.setup baseline: %s\n", msk_last_error());
		return -1;
	}
	char params[128];
	snprintf(params, sizeof(params),
		 "vectors=%llu of 1M (%.1f%%) devices=%ux%u; 1M linear est >= %.0f s",
		 (unsigned long long)nvec, 100.0 * (double)nvec / 1048576.0, done, SETUP_VECTORS,
		 per_vec_ns * 1048576.0 / 1e9);
	bench_add(rep, "arm64.setup.time", "us/vec", per_vec_ns / 1000.0, bare_ns / 1000.0, params);
	snprintf(params, sizeof(params), "heap delta incl. fn models; fixed %.1f MiB; lpis=%llu",
		 fixed / 1048576.0, (unsigned long long)lpis);
	bench_add(rep, "arm64.setup.bytes", "B/vec", heap_per_vec, bare_bytes, params);
	snprintf(params, sizeof(params), "core stats bytes only (virq, levels, revmaps)");
	bench_add(rep, "arm64.setup.core_bytes", "B/vec", core_per_vec, bare_bytes, params);
	snprintf(params, sizeof(params),
		 "guest RAM resident: ITTs (8 B/event) + device table pages");
	bench_add(rep, "arm64.setup.ram_bytes", "B/vec", ram_per_vec, bare_bytes, params);
	snprintf(params, sizeof(params),
		 "pci_remove: DISCARD+SYNC, MAPD(0), LPIs+ITT freed; clean=%d", clean);
	bench_add(rep, "arm64.teardown.time", "us/vec", teardown_ns / 1000.0, bare_ns / 1000.0,
		  params);
	return clean ? 0 : -1;
}

int bench_arm64(struct bench_report *rep)
{
	if (bench_deliver(rep) < 0)
		return -1;
	return bench_setup(rep);
}
