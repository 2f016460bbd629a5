/* SPDX-License-Identifier: MIT */
#ifndef MSK_BENCH_H
#define MSK_BENCH_H

/*
 * Benchmarks: each measures a value and, in the same run, a baseline, and
 * reports their ratio (performance claims are ratios measured together,
 * never absolute numbers from a test).
 */

#include <stdint.h>

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
