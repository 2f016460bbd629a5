/* SPDX-License-Identifier: MIT */
/* msikit: the subcommands, --help, --version. */
#include "cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
	"usage: msikit <command> [options]\n"
	"\n"
	"  run FILE.lua [--seed N] [--form before|after] [--json] [-o REPORT.json]\n"
	"               [--dot OUT.dot] [--trace OUT.csv] [--quiet]\n"
	"        run a scenario: domain tree, interrupts table, ledger, violations,\n"
	"        errors, then PASS or FAIL\n"
	"  demo [--json]\n"
	"        the seed stories, before and after, side by side\n"
	"  explore FILE.lua --seeds A..B [--form before|after] [--json]\n"
	"        the same scenario under many seeds; prints the failing seeds and\n"
	"        the command that replays each\n"
	"  bench [NAME...] [--json]\n"
	"        benchmarks: value, baseline measured in the same run, ratio\n"
	"  import [--proc-interrupts FILE] [--sysfs DIR] [--proc-irq DIR] [--arch A]\n"
	"         [--scale N] [-o FILE.lua]\n"
	"        a scenario rebuilding a real machine's devices and vectors (this one\n"
	"        by default) and replaying their interrupt counts, CPU by CPU\n"
	"  --help, --version\n"
	"\n"
	"exit status: 0 every expectation held; 1 an expectation, the lifecycle\n"
	"contract or an invariant failed; 2 bad usage or bad input; 3 internal error\n";

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("msikit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* "DIR/stories" is there: DIR is a scenario directory. */
static bool has_stories(const char *dir)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/stories", dir);
	FILE *f = fopen(path, "r");
	if (f)
		fclose(f);
	return f != NULL;
}

const char *cli_scenario_dir(void)
{
	const char *env = getenv("MSIKIT_SCENARIOS");
	if (env && *env)
		return env;
	/* Installed: next to the binary (bin/../share/msikit/scenarios), whatever the prefix. */
	static char near_exe[4096];
	ssize_t n = readlink("/proc/self/exe", near_exe, sizeof(near_exe) - 1);
	near_exe[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(near_exe, '/');
	if (slash &&
	    (size_t)(slash - near_exe) + sizeof(MSK_SCENARIO_FROM_BINDIR) + 1 < sizeof(near_exe)) {
		snprintf(slash, sizeof(near_exe) - (size_t)(slash - near_exe), "/%s",
			 MSK_SCENARIO_FROM_BINDIR);
		static char real[4096];
		if (has_stories(near_exe) && realpath(near_exe, real)) /* without the bin/.. */
			return real;
	}
	if (has_stories(MSK_SCENARIO_DIR)) /* the build tree's binary: the source tree */
		return MSK_SCENARIO_DIR;
	return MSK_SCENARIO_INSTALL_DIR;
}

int msk_cli_main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return CLI_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage, stdout);
		return CLI_EXIT_PASS;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("msikit %s\n", msk_version());
		return CLI_EXIT_PASS;
	}
	static const struct {
		const char *name;
		int (*fn)(int argc, char **argv);
	} cmds[] = {
		{ "run", cmd_run },	{ "demo", cmd_demo },	  { "explore", cmd_explore },
		{ "bench", cmd_bench }, { "import", cmd_import },
	};
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	cli_error("unknown command '%s' (msikit --help)", cmd);
	return CLI_EXIT_USAGE;
}
