/* SPDX-License-Identifier: MIT */
#ifndef MSK_BENCH_H
#define MSK_BENCH_H

/*
 * Benchmarks: each measures a value and, in the same run, a baseline, and
 * reports their ratio (performance claims are ratios measured together,
 * never absolute numbers from a test).
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit.h>

#define BENCH_MAX_RESULTS 64

struct bench_result {
	char name[64];
	char unit[16];
	double value;
	double baseline; /* 0: no baseline */
	double ratio;	 /* value / baseline */
	char params[128];
};

struct bench_report {
	unsigned int n;
	struct bench_result r[BENCH_MAX_RESULTS];
};

struct bench {
	const char *name;
	const char *what;
	/* Adds results to rep; returns 0 or a negative error (message printed). */
	int (*run)(struct bench_report *rep);
};

/* Monotonic nanoseconds. */
uint64_t bench_now_ns(void);

/* Append a result (ratio computed when baseline > 0). */
void bench_add(struct bench_report *rep, const char *name, const char *unit, double value,
	       double baseline, const char *params);

/* --- baselines (baseline.c) --- */

/* The handler every delivery benchmark installs: counts its calls. */
struct bench_counter {
	uint64_t n;
};
enum msk_irqreturn bench_count_handler(unsigned int virq, unsigned int cpu, void *dev);

/*
 * A visiting order of n (a power of two) indices: a fixed shuffle, or the
 * stride-37 walk (every index once per n steps, never sequential).
 */
void bench_order(unsigned int *order, unsigned int n, bool shuffle);

/*
 * The baseline of every delivery benchmark: ns per call of
 * bench_count_handler through an array of function pointers, visiting
 * order[i & (n - 1)], best of `rounds` runs of `iters` calls.
 * n <= BENCH_BARE_MAX.
 */
#define BENCH_BARE_MAX 1024
double bench_bare_dispatch(const unsigned int *order, unsigned int n, unsigned int iters,
			   unsigned int rounds, struct bench_counter *c);

/*
 * A root domain with no hardware (chip "BARE", hwirq = allocation order,
 * kept in *next): the baseline for setup costs and core.dispatch's root.
 */
int bench_bare_root_create(struct msk_core *core, const char *name, unsigned int hwirq_max,
			   unsigned int *next, struct msk_irq_domain **out);

int bench_core_dispatch(struct bench_report *rep);
int bench_pci_alloc_at(struct bench_report *rep);
int bench_arm64(struct bench_report *rep);
int bench_x86(struct bench_report *rep);
int bench_ppc64(struct bench_report *rep);

/*
 * Run the benchmarks named in argv[1..] (all when none) and print them
 * (--json: {"benchmarks":[...]}). prog names the command in messages.
 * Returns 0, 1 (a benchmark failed) or 2 (bad usage).
 */
int bench_main(int argc, char **argv, const char *prog);

#endif
