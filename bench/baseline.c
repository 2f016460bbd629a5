/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark compares against, in one place: the handler all of
 * them install, the bare dispatch of that handler through an array of
 * function pointers (the cost of an interrupt with no interrupt code at
 * all), and a root domain with no hardware behind it.
 */
#include "bench.h"

#include <stdint.h>

__attribute__((noinline)) enum msk_irqreturn bench_count_handler(unsigned int virq,
								 unsigned int cpu, void *dev)
{
	(void)virq;
	(void)cpu;
	((struct bench_counter *)dev)->n++;
	return MSK_IRQ_HANDLED;
}

void bench_order(unsigned int *order, unsigned int n, bool shuffle)
{
	for (unsigned int k = 0; k < n; k++)
		order[k] = shuffle ? k : (k * 37u) & (n - 1);
	if (!shuffle)
		return;
	/* Fisher-Yates with a fixed LCG: the same order in every run. */
	uint32_t s = 1;
	for (unsigned int k = n - 1; k > 0; k--) {
		s = s * 1103515245u + 12345u;
		unsigned int j = (s >> 8) % (k + 1), t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
}

double bench_bare_dispatch(const unsigned int *order, unsigned int n, unsigned int iters,
			   unsigned int rounds, struct bench_counter *c)
{
	typedef enum msk_irqreturn (*handler_fn)(unsigned int, unsigned int, void *);
	static handler_fn table[BENCH_BARE_MAX];
	/* volatile: the compiler must load the pointer, as a real vector table does. */
	handler_fn volatile *vt = table;
	for (unsigned int k = 0; k < n && k < BENCH_BARE_MAX; k++)
		table[k] = bench_count_handler;
	uint64_t best = UINT64_MAX;
	for (unsigned int r = 0; r < rounds; r++) {
		uint64_t t0 = bench_now_ns();
		for (unsigned int i = 0; i < iters; i++) {
			unsigned int k = order[i & (n - 1)];
			vt[k](k, 0, c);
		}
		uint64_t dt = bench_now_ns() - t0;
		if (dt < best)
			best = dt;
	}
	return (double)best / iters;
}

static const struct msk_irq_chip bare_chip = { .name = "BARE" };

static int bare_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	(void)arg;
	unsigned int *next = msk_domain_host_data(d);
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_set_hwirq_and_chip(d, virq + i, (*next)++, &bare_chip, NULL);
	return 0;
}

static void bare_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static const struct msk_irq_domain_ops bare_ops = { .alloc = bare_alloc, .free = bare_free };

int bench_bare_root_create(struct msk_core *core, const char *name, unsigned int hwirq_max,
			   unsigned int *next, struct msk_irq_domain **out)
{
	*next = 0;
	struct msk_irq_domain_info info = {
		.name = name, .ops = &bare_ops, .host_data = next, .hwirq_max = hwirq_max
	};
	return msk_domain_create(core, &info, out);
}
