/* SPDX-License-Identifier: MIT */
/*
 * The benchmark table and its runner, shared by msikit-bench (bench/main.c)
 * and `msikit bench`: select by name, run, print value, baseline, ratio.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <msikit.h>

#include "bench.h"

static const struct bench benches[] = {
	{ "core", "ns per delivered interrupt: lookup + edge flow + handler vs bare dispatch",
	  bench_core_dispatch },
	{ "pci", "adding one MSI-X vector with 2047 active vs 1; growing the global-domain way",
	  bench_pci_alloc_at },
	{ "x86",
	  "x86: ns per interrupt raise->handler (compat, remapped); vector allocation 200 vs 1 in "
	  "use",
	  bench_x86 },
	{ "arm64", "ITS: device-to-handler ns; 1M-vector setup time, bytes", bench_arm64 },
	{ "ppc64", "ns per delivered interrupt: MSI-X -> XIVE -> queue -> CPU -> handler -> EOI",
	  bench_ppc64 },
};

uint64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_add(struct bench_report *rep, const char *name, const char *unit, double value,
	       double baseline, const char *params)
{
	if (rep->n >= BENCH_MAX_RESULTS)
		return;
	struct bench_result *r = &rep->r[rep->n++];
	snprintf(r->name, sizeof(r->name), "%s", name);
	snprintf(r->unit, sizeof(r->unit), "%s", unit);
	snprintf(r->params, sizeof(r->params), "%s", params ? params : "");
	r->value = value;
	r->baseline = baseline;
	r->ratio = baseline > 0 ? value / baseline : 0;
}

static void print_text(const struct bench_report *rep)
{
	printf("%-30s %12s %12s %8s  %s\n", "benchmark", "value", "baseline", "ratio", "params");
	for (unsigned int i = 0; i < rep->n; i++) {
		const struct bench_result *r = &rep->r[i];
		printf("%-30s %9.2f %-2s %9.2f %-2s %7.2fx  %s\n", r->name, r->value, r->unit,
		       r->baseline, r->unit, r->ratio, r->params);
	}
}

static void print_json(const struct bench_report *rep)
{
	printf("{\"benchmarks\":[");
	for (unsigned int i = 0; i < rep->n; i++) {
		const struct bench_result *r = &rep->r[i];
		printf("%s{\"name\":\"%s\",\"unit\":\"%s\",\"value\":%.3f,\"baseline\":%.3f,"
		       "\"ratio\":%.3f,\"params\":\"%s\"}",
		       i ? "," : "", r->name, r->unit, r->value, r->baseline, r->ratio, r->params);
	}
	printf("]}\n");
}

int bench_main(int argc, char **argv, const char *prog)
{
	int json = 0, rc = 0, selected = 0;
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] != '-')
			selected = 1;
		else {
			fprintf(stderr, "usage: %s [NAME...] [--json]\n", prog);
			return 2;
		}
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] == '-')
			continue;
		int known = 0;
		for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
			known |= strcmp(argv[i], benches[b].name) == 0;
		if (!known) {
			fprintf(stderr, "%s: no benchmark named %s; there are:", prog, argv[i]);
			for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++)
				fprintf(stderr, " %s", benches[b].name);
			fputc('\n', stderr);
			return 2;
		}
	}
	struct bench_report rep = { 0 };
	for (size_t b = 0; b < sizeof(benches) / sizeof(benches[0]); b++) {
		int want = !selected;
		for (int i = 1; i < argc; i++)
			if (strcmp(argv[i], benches[b].name) == 0)
				want = 1;
		if (want && benches[b].run(&rep) < 0)
			rc = 1;
	}
	if (json)
		print_json(&rep);
	else
		print_text(&rep);
	return rc;
}
