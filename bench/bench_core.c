/* SPDX-License-Identifier: MIT */
/*
 * core.dispatch: ns per delivered interrupt through the core's entry path
 * (virq lookup under RCU + edge flow + handler), against the bare dispatch
 * of the same handler through an array of function pointers indexed by
 * number, in the same run. Also through a root domain's reverse map
 * (hwirq -> virq, as the controller entry path does), and with a ledger.
 */
#include <stdio.h>
#include <stdlib.h>

#include <msikit.h>

#include "bench.h"

#define NVIRQ  1024 /* the largest working set measured */
#define ROUNDS 7
#define ITERS  (1u << 22)

/* Pseudo-random visiting order so neither side benefits from a trivial pattern. */
static unsigned int order[NVIRQ];

static unsigned int nvirq = NVIRQ; /* working set of this run (a power of two) */

static double time_core(struct msk_core *core, const unsigned int *virq)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ITERS; i++)
			msk_handle_irq(core, 0, virq[order[i & (nvirq - 1)]], 1);
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / ITERS;
}

static double time_revmap(struct msk_irq_domain *root)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ITERS; i++)
			msk_domain_handle_irq(root, 0, order[i & (nvirq - 1)], 1);
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / ITERS;
}

static int setup(struct msk_ledger *ledger, struct msk_core **core, struct msk_irq_domain **root,
		 unsigned int *virq, struct bench_counter *c, unsigned int *next)
{
	const unsigned int NV = nvirq;
	struct msk_core_config cfg = { .nr_cpus = 2, .ledger = ledger };
	unsigned int first;
	if (msk_core_create(&cfg, core) < 0 ||
	    bench_bare_root_create(*core, "BENCH-ROOT", NVIRQ, next, root) < 0 ||
	    msk_domain_alloc_irqs(*root, NV, NULL, NULL, &first) < 0)
		return -1;
	for (unsigned int k = 0; k < NV; k++) {
		virq[k] = first + k;
		if (msk_request_irq(*core, virq[k], bench_count_handler, "bench", c) < 0)
			return -1;
	}
	return 0;
}

static int dispatch(struct bench_report *rep, unsigned int n)
{
	nvirq = n;
	static unsigned int virq[NVIRQ];
	struct bench_counter c = { 0 };
	bench_order(order, nvirq, true);

	struct msk_core *core;
	struct msk_irq_domain *root;
	unsigned int next;
	if (setup(NULL, &core, &root, virq, &c, &next) < 0) {
		fprintf(stderr, "bench core.dispatch: %s\n", msk_last_error());
		return -1;
	}
	/* Warm up both paths, then interleave measurements. */
	bench_bare_dispatch(order, nvirq, ITERS, ROUNDS, &c);
	time_core(core, virq);
	double bare = bench_bare_dispatch(order, nvirq, ITERS, ROUNDS, &c);
	double flow = time_core(core, virq);
	double bare2 = bench_bare_dispatch(order, nvirq, ITERS, ROUNDS, &c);
	double rev = time_revmap(root);
	if (bare2 < bare)
		bare = bare2;
	char params[128];
	snprintf(params, sizeof(params), "virqs=%u iters=%u best-of=%d cpu=0", nvirq, ITERS,
		 ROUNDS);
	char name[64];
	snprintf(name, sizeof(name), "core.dispatch.virq.%u", nvirq);
	bench_add(rep, name, "ns/irq", flow, bare, params);
	snprintf(name, sizeof(name), "core.dispatch.hwirq.%u", nvirq);
	bench_add(rep, name, "ns/irq", rev, bare, params);
	msk_core_destroy(core);

	struct msk_ledger *ledger;
	if (msk_ledger_create(&ledger) < 0 || setup(ledger, &core, &root, virq, &c, &next) < 0) {
		fprintf(stderr, "bench core.dispatch: %s\n", msk_last_error());
		return -1;
	}
	double led = time_core(core, virq);
	bare = bench_bare_dispatch(order, nvirq, ITERS, ROUNDS, &c);
	snprintf(name, sizeof(name), "core.dispatch.ledger.%u", nvirq);
	bench_add(rep, name, "ns/irq", led, bare, params);
	msk_core_destroy(core);
	msk_ledger_destroy(ledger);
	return c.n ? 0 : -1;
}

int bench_core_dispatch(struct bench_report *rep)
{
	/* Cache-resident (16 descriptors) and a 1024-descriptor working set. */
	if (dispatch(rep, 16) < 0)
		return -1;
	return dispatch(rep, NVIRQ);
}
