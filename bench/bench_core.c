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

struct counter {
	uint64_t n;
};

typedef enum msk_irqreturn (*handler_fn)(unsigned int, unsigned int, void *);

static __attribute__((noinline)) enum msk_irqreturn count_handler(unsigned int virq,
								  unsigned int cpu, void *dev)
{
	((struct counter *)dev)->n++;
	return MSK_IRQ_HANDLED;
}

/* A minimal root domain: hwirq = index. */
static const struct msk_irq_chip bench_chip = { .name = "BENCH" };

static int bench_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	unsigned int *next = msk_domain_host_data(d);
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_set_hwirq_and_chip(d, virq + i, (*next)++, &bench_chip, NULL);
	return 0;
}

static void bench_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static const struct msk_irq_domain_ops bench_ops = { .alloc = bench_alloc, .free = bench_free };

/* Pseudo-random visiting order so neither side benefits from a trivial pattern. */
static unsigned int order[NVIRQ];

static unsigned int nvirq = NVIRQ; /* working set of this run (a power of two) */

static double time_bare(handler_fn *table, struct counter *c)
{
	uint64_t best = UINT64_MAX;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < ITERS; i++) {
			unsigned int k = order[i & (nvirq - 1)];
			table[k](k, 0, c);
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / ITERS;
}

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
		 unsigned int *virq, struct counter *c, unsigned int *next)
{
	const unsigned int NV = nvirq;
	struct msk_core_config cfg = { .nr_cpus = 2, .ledger = ledger };
	struct msk_irq_domain_info info = {
		.name = "BENCH-ROOT", .ops = &bench_ops, .host_data = next, .hwirq_max = NVIRQ
	};
	unsigned int first;
	*next = 0;
	if (msk_core_create(&cfg, core) < 0 || msk_domain_create(*core, &info, root) < 0 ||
	    msk_domain_alloc_irqs(*root, NV, NULL, NULL, &first) < 0)
		return -1;
	for (unsigned int k = 0; k < NV; k++) {
		virq[k] = first + k;
		if (msk_request_irq(*core, virq[k], count_handler, "bench", c) < 0)
			return -1;
	}
	return 0;
}

static int dispatch(struct bench_report *rep, unsigned int n)
{
	nvirq = n;
	static handler_fn table[NVIRQ];
	static unsigned int virq[NVIRQ];
	struct counter c = { 0 };
	uint32_t s = 1;
	for (unsigned int k = 0; k < nvirq; k++)
		order[k] = k;
	for (unsigned int k = nvirq - 1; k > 0; k--) {
		s = s * 1103515245u + 12345u;
		unsigned int j = (s >> 8) % (k + 1), t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
	for (unsigned int k = 0; k < NVIRQ; k++)
		table[k] = count_handler;

	struct msk_core *core;
	struct msk_irq_domain *root;
	unsigned int next;
	if (setup(NULL, &core, &root, virq, &c, &next) < 0) {
		fprintf(stderr, "bench core.dispatch: %s\n", msk_last_error());
		return -1;
	}
	/* Warm up both paths, then interleave measurements. */
	time_bare(table, &c);
	time_core(core, virq);
	double bare = time_bare(table, &c);
	double flow = time_core(core, virq);
	double bare2 = time_bare(table, &c);
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
	bare = time_bare(table, &c);
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
