/* SPDX-License-Identifier: MIT */
/*
 * x86: ns per delivered interrupt from a device raise (msk_pcifn_raise:
 * MSI-X entry -> message write -> MSI window [-> VT-d IRTE] -> LAPIC IRR)
 * through the CPU service (take, vector table, core entry path, handler,
 * EOI), in compatibility format and remapped, each against the bare
 * dispatch of the same handler measured in the same run. And the cost of
 * assigning one vector on a CPU with 200 vectors in use against one with 1
 * in use: the matrix alone, and request_irq/free_irq of a reservation-mode
 * MSI-X vector (activation: matrix allocation, table publication, message
 * or IRTE write).
 */
#include <stdio.h>
#include <string.h>

#include <msikit.h>

#include "bench.h"

#define NVEC	     64
#define ROUNDS	     5
#define DELIVER_ITER (1u << 20)
#define ALLOC_ITER   (1u << 16)
#define RAM_BASE     0x10000000ull

struct machine {
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
};

static int machine_up(struct machine *m, bool ir, unsigned int msix)
{
	memset(m, 0, sizeof(*m));
	struct msk_core_config cc = { .nr_cpus = 1 };
	struct msk_platform_config pc = { .ncpus = 1,
					  .table_base = RAM_BASE,
					  .table_size = 1u << 20 };
	pc.x86.ir = ir;
	struct msk_pcifn_config fc = { .bus = 1,
				       .vendor_id = 0x8086,
				       .device_id = 0x1,
				       .msix_entries = msix,
				       .manual_bars = true };
	if (msk_ledger_create(&m->ledger) < 0 ||
	    msk_bus_create(RAM_BASE, 16u << 20, m->ledger, &m->bus) < 0)
		return -1;
	cc.ledger = m->ledger;
	if (msk_core_create(&cc, &m->core) < 0 ||
	    msk_platform_create("x86", m->core, m->bus, &pc, &m->p) < 0 ||
	    msk_pcifn_create(m->bus, &fc, &m->fn) < 0 ||
	    msk_platform_pci_add(m->p, m->fn, &m->pdev) < 0)
		return -1;
	return 0;
}

static void machine_down(struct machine *m)
{
	if (m->pdev) {
		struct msk_pci_state st;
		msk_pci_get_state(m->pdev, &st);
		for (unsigned int i = 0; i < st.nvec; i++) {
			int v = msk_pci_irq_vector(m->pdev, i);
			if (v > 0)
				msk_free_irq(m->core, (unsigned int)v);
		}
		msk_platform_pci_remove(m->p, m->pdev);
	}
	msk_pcifn_destroy(m->fn);
	msk_platform_destroy(m->p);
	msk_core_destroy(m->core);
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->ledger);
}

/* ns per interrupt, raise to handler; -1 on error or a lost/unhandled event. */
static double time_delivery(bool ir)
{
	struct machine m;
	struct bench_counter c = { 0 };
	double best = -1;
	if (machine_up(&m, ir, NVEC) < 0 ||
	    msk_pci_alloc_irq_vectors(m.pdev, NVEC, NVEC, MSK_PCI_IRQ_MSIX, NULL) != NVEC)
		goto out;
	for (unsigned int i = 0; i < NVEC; i++)
		if (msk_request_irq(m.core, (unsigned int)msk_pci_irq_vector(m.pdev, i),
				    bench_count_handler, "bench", &c) < 0)
			goto out;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < DELIVER_ITER; i++) {
			msk_pcifn_raise(m.fn, (i * 37u) & (NVEC - 1));
			msk_platform_cpu_service(m.p, 0, 1);
		}
		double ns = (double)(bench_now_ns() - t0) / DELIVER_ITER;
		if (best < 0 || ns < best)
			best = ns;
	}
	struct msk_ledger_counts lc;
	msk_ledger_read(m.ledger, &lc);
	if (c.n != (uint64_t)ROUNDS * DELIVER_ITER || lc.lost) {
		fprintf(stderr, "bench x86: %llu of %llu delivered, %llu lost\n",
			(unsigned long long)c.n, (unsigned long long)ROUNDS * DELIVER_ITER,
			(unsigned long long)lc.lost);
		best = -1;
	}
out:
	machine_down(&m);
	return best;
}

/* Matrix: allocate + free one vector with `busy` vectors in use on the CPU. */
static double time_matrix(unsigned int busy)
{
	struct msk_matrix *mx;
	if (msk_matrix_create(256, 0x20, 0xEC, 1, &mx) < 0)
		return -1;
	msk_matrix_assign_system(mx, 0x80);
	msk_matrix_online(mx, 0);
	struct msk_cpumask cpu0 = msk_cpumask_of(0);
	unsigned int cpu;
	for (unsigned int i = 0; i < busy; i++)
		msk_matrix_alloc(mx, &cpu0, false, &cpu);
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ALLOC_ITER * 16; i++) {
			int v = msk_matrix_alloc(mx, &cpu0, false, &cpu);
			msk_matrix_free(mx, cpu, (unsigned int)v, false);
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	msk_matrix_destroy(mx);
	return (double)best / (ALLOC_ITER * 16);
}

/* Driver: request_irq + free_irq (vector assigned, then back to a reservation). */
static double time_request(unsigned int busy)
{
	struct machine m;
	struct bench_counter c = { 0 };
	double best = -1;
	if (machine_up(&m, false, 256) < 0 ||
	    msk_pci_alloc_irq_vectors(m.pdev, busy + 1, busy + 1, MSK_PCI_IRQ_MSIX, NULL) !=
		    (int)busy + 1)
		goto out;
	for (unsigned int i = 0; i < busy; i++)
		if (msk_request_irq(m.core, (unsigned int)msk_pci_irq_vector(m.pdev, i),
				    bench_count_handler, "busy", &c) < 0)
			goto out;
	unsigned int virq = (unsigned int)msk_pci_irq_vector(m.pdev, busy);
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ALLOC_ITER; i++) {
			msk_request_irq(m.core, virq, bench_count_handler, "one", &c);
			msk_free_irq(m.core, virq);
		}
		double ns = (double)(bench_now_ns() - t0) / ALLOC_ITER;
		if (best < 0 || ns < best)
			best = ns;
	}
out:
	machine_down(&m);
	return best;
}

int bench_x86(struct bench_report *rep)
{
	struct bench_counter c = { 0 };
	unsigned int order[NVEC];
	bench_order(order, NVEC, false);
	double bare = bench_bare_dispatch(order, NVEC, DELIVER_ITER, ROUNDS, &c);
	double compat = time_delivery(false);
	double remap = time_delivery(true);
	double bare2 = bench_bare_dispatch(order, NVEC, DELIVER_ITER, ROUNDS, &c);
	if (bare2 < bare)
		bare = bare2;
	if (compat < 0 || remap < 0) {
		fprintf(stderr, "bench x86: delivery setup failed: %s\n", msk_last_error());
		return -1;
	}
	char params[128];
	snprintf(params, sizeof(params), "%u MSI-X vectors, 1 CPU, raise+service, best of %d", NVEC,
		 ROUNDS);
	bench_add(rep, "x86.deliver.compat", "ns", compat, bare, params);
	bench_add(rep, "x86.deliver.remapped", "ns", remap, bare, params);

	double m1 = time_matrix(1), m200 = time_matrix(200);
	double r1 = time_request(1), r200 = time_request(200);
	if (m1 < 0 || m200 < 0 || r1 < 0 || r200 < 0) {
		fprintf(stderr, "bench x86: allocation setup failed: %s\n", msk_last_error());
		return -1;
	}
	bench_add(rep, "x86.alloc.matrix_200_vs_1", "ns", m200, m1,
		  "alloc+free of one vector, 200 vs 1 in use on the CPU");
	bench_add(rep, "x86.alloc.request_200_vs_1", "ns", r200, r1,
		  "request_irq+free_irq (vector assign), 200 vs 1 in use");
	return 0;
}
