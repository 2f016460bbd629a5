/* SPDX-License-Identifier: MIT */
/* msikit bench [NAME...] [--json]: the benchmarks of bench/ (the same table as msikit-bench). */
#include "cli.h"

#include <stdlib.h>

#include "bench.h"

int cmd_bench(int argc, char **argv)
{
	bool json;
	struct strlist names = { 0 };
	int prc = cli_parse_json_only("bench", argc, argv, &json, &names);
	if (prc != CLI_PARSE_OK) {
		strlist_free(&names);
		return cli_parse_exit(prc);
	}
	/* bench_main's own argv: the names, then --json. */
	char **args = calloc(names.n + 3, sizeof(*args));
	if (!args) {
		strlist_free(&names);
		cli_error("bench: out of memory");
		return CLI_EXIT_INTERNAL;
	}
	int n = 0;
	args[n++] = argv[0];
	for (unsigned int i = 0; i < names.n; i++)
		args[n++] = names.v[i];
	if (json)
		args[n++] = (char *)"--json";
	int rc = bench_main(n, args, "msikit bench");
	free(args);
	strlist_free(&names);
	return rc;
}
