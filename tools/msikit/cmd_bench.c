/* SPDX-License-Identifier: MIT */
/* msikit bench [NAME...] [--json]: the benchmarks of bench/ (the same table as msikit-bench). */
#include "cli.h"

#include "bench.h"

int cmd_bench(int argc, char **argv)
{
	return bench_main(argc, argv, "msikit bench");
}
