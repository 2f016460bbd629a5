/* SPDX-License-Identifier: MIT */
/* msikit: the subcommands, help, --version. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct cli_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *synopsis; /* the lines after "msikit " */
	const char *what;     /* one line for the command list */
	const char *help;     /* the options, for `msikit help CMD` */
};

/* The limit options of run and explore (cli_limits.c; the defaults: SCN_DEFAULT_*). */
#define LIMITS_HELP                                                             \
	"limits (0 lifts one; docs/sim.md, \"What a scenario may do\"):\n"      \
	"  --max-instructions N   Lua instructions of the run (default 10^9)\n" \
	"  --max-memory BYTES     Lua memory, K/M/G suffixes (default 256M)\n"  \
	"  --max-guest-ram BYTES  guest RAM made resident (default 256M)\n"     \
	"  --timeout SECONDS      wall clock of a run (default 900)\n"          \
	"  --allow-system         the whole standard library (files, os.execute)\n"

static const struct cli_cmd cmds[] = {
	{ "run", cmd_run,
	  "run FILE.lua [--seed N] [--form before|after] [--view V[,V...]] [--json]\n"
	  "           [-o REPORT.json] [--dot OUT.dot] [--trace OUT.csv] [--quiet] [LIMITS]",
	  "run a scenario; print what happened, then PASS or FAIL",
	  "  --seed N         the seed (decimal or 0x hex): orders the actors, draws the faults\n"
	  "  --form F         a story's form: before or after (default after)\n"
	  "  --view V,...     what to print before the verdict (repeatable):\n"
	  "                     summary  the machine, its busiest devices and what they\n"
	  "                              lost, on one screen (the default)\n"
	  "                     tree     the domain tree and every virq's levels\n"
	  "                     table    the interrupts table (/proc/interrupts)\n"
	  "                     ledger   every device's events: raised, delivered, lost\n"
	  "                     all      all of the above\n"
	  "                   --view tree,table is the full output of msikit 0.1\n"
	  "  --json           the JSON report on stdout instead (print() goes to stderr)\n"
	  "  -o FILE          also write the JSON report to FILE\n"
	  "  --dot FILE       write a Graphviz picture to FILE: domains, virqs, CPUs, losses\n"
	  "  --trace FILE     write every ledger fate to FILE as CSV (columns: docs/sim.md)\n"
	  "  --quiet          print only PASS or FAIL: reason\n"
	  "Output files are checked before the run (exit 2 when one cannot be "
	  "written).\n" LIMITS_HELP },
	{ "explore", cmd_explore,
	  "explore FILE.lua --seeds A..B [--form before|after] [--json] [LIMITS]",
	  "the same scenario under many seeds; the failing ones and how to replay each",
	  "  --seeds A..B     every seed from A to B (fewer than 10^8)\n"
	  "  --form F         a story's form: before or after\n"
	  "  --json           the result as JSON\n" LIMITS_HELP },
	{ "demo", cmd_demo, "demo [--json]", "the seed stories, before and after, side by side",
	  "  --json           the result as JSON\n" },
	{ "bench", cmd_bench, "bench [NAME...] [--json]",
	  "benchmarks: value, baseline measured in the same run, ratio",
	  "  NAME             only these benchmarks (core, pci, x86, arm64, ppc64)\n"
	  "  --json           the result as JSON\n" },
	{ "import", cmd_import,
	  "import [--proc-interrupts FILE] [--sysfs DIR] [--proc-irq DIR] [--arch A]\n"
	  "           [--scale N] [-o FILE.lua]",
	  "a scenario rebuilding a real machine's devices and vectors and replaying their counts",
	  "  --proc-interrupts FILE  a copy of /proc/interrupts (default: this machine's)\n"
	  "  --sysfs DIR      a copy of /sys/bus/pci/devices (IDs, capabilities)\n"
	  "  --proc-irq DIR   a copy of /proc/irq (each vector's affinity)\n"
	  "  --arch A         x86, arm64 or ppc64 instead of what the chip names imply\n"
	  "  --scale N        divide every count by N\n"
	  "  -o FILE          write the scenario to FILE (default: stdout)\n" },
	{ "help", NULL, "help [COMMAND]", "this list, or one command's options", "" },
};

#define NR_CMDS (sizeof(cmds) / sizeof(cmds[0]))

static const char exit_status[] =
	"exit status: 0 every expectation held; 1 an expectation, the lifecycle\n"
	"contract or an invariant failed; 2 bad usage or bad input; 3 internal error\n"
	"(a report or output that cannot be written, a ledger that does not balance)\n";

static const struct cli_cmd *find_cmd(const char *name)
{
	for (size_t i = 0; i < NR_CMDS; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return NULL;
}

static void list_commands(FILE *f)
{
	fputs("usage: msikit <command> [options]   (msikit help COMMAND: its options)\n\n", f);
	for (size_t i = 0; i < NR_CMDS; i++)
		fprintf(f, "  %s\n        %s\n", cmds[i].synopsis, cmds[i].what);
	fputs("  --help, --version\n\n", f);
	fputs(exit_status, f);
}

bool cli_usage(const char *cmd, FILE *f)
{
	const struct cli_cmd *c = find_cmd(cmd);
	if (!c)
		return false;
	fprintf(f, "usage: msikit %s\n%s.\n\n%s", c->synopsis, c->what, c->help);
	if (c->fn)
		fprintf(f, "\n%s", exit_status);
	return true;
}

static void unknown_command(const char *cmd)
{
	const char *names[NR_CMDS];
	for (size_t i = 0; i < NR_CMDS; i++)
		names[i] = cmds[i].name;
	const char *near = cli_suggest(cmd, names, NR_CMDS);
	if (near)
		cli_error("unknown command '%s': did you mean '%s'? (msikit --help)", cmd, near);
	else
		cli_error("unknown command '%s' (msikit --help)", cmd);
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		list_commands(stdout);
		return CLI_EXIT_PASS;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		cli_usage("help", stdout);
		return CLI_EXIT_PASS;
	}
	if (argc > 2) {
		cli_error("help: one command at a time (msikit help COMMAND)");
		return CLI_EXIT_USAGE;
	}
	if (!cli_usage(argv[1], stdout)) {
		unknown_command(argv[1]);
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_PASS;
}

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

/* Write out what stdout still buffers; a write error of the command's output is exit 3. */
static int finish_stdout(int code)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return code;
	char why[128];
	cli_error("standard output: %s", cli_errno_text(errno ? errno : EIO, why, sizeof(why)));
	return CLI_EXIT_INTERNAL;
}

int msk_cli_main(int argc, char **argv)
{
	if (argc < 2) {
		list_commands(stderr);
		return CLI_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	errno = 0;
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return finish_stdout(cmd_help(1, argv + 1));
	if (strcmp(cmd, "--version") == 0) {
		printf("msikit %s\n", msk_version());
		return finish_stdout(CLI_EXIT_PASS);
	}
	const struct cli_cmd *c = find_cmd(cmd);
	if (!c) {
		unknown_command(cmd);
		return CLI_EXIT_USAGE;
	}
	int code = c->fn ? c->fn(argc - 1, argv + 1) : cmd_help(argc - 1, argv + 1);
	return finish_stdout(code);
}
