/* SPDX-License-Identifier: MIT */
/* msikit-bench [NAME...] [--json]: the benchmarks without the msikit command. */
#include "bench.h"

int main(int argc, char **argv)
{
	return bench_main(argc, argv, "msikit-bench");
}
