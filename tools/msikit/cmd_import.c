/* SPDX-License-Identifier: MIT */
/*
 * msikit import [--proc-interrupts FILE] [--sysfs DIR] [--proc-irq DIR]
 *               [--arch A] [--scale N] [-o FILE.lua]
 *
 * A scenario that rebuilds a real machine's PCI MSI/MSI-X functions and
 * vectors and replays their interrupts, CPU by CPU (import.h). Without
 * --proc-interrupts it imports this machine: /proc/interrupts, and
 * /sys/bus/pci/devices and /proc/irq unless given otherwise.
 */
#include "cli.h"
#include "import.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define USAGE                                                                               \
	"msikit import [--proc-interrupts FILE] [--sysfs DIR] [--proc-irq DIR] [--arch A] " \
	"[--scale N] [-o FILE.lua]"

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

struct import_opts {
	const char *proc, *sysfs, *procirq, *out, *arch;
	uint64_t scale;
};

enum { OPT_PROC = 1, OPT_SYSFS, OPT_PROCIRQ, OPT_OUT, OPT_ARCH, OPT_SCALE };

static const struct cli_opt import_opts[] = {
	{ "--proc-interrupts", "FILE", OPT_PROC },
	{ "--sysfs", "DIR", OPT_SYSFS },
	{ "--proc-irq", "DIR", OPT_PROCIRQ },
	{ "-o", "FILE.lua", OPT_OUT },
	{ "--arch", "A", OPT_ARCH },
	{ "--scale", "N", OPT_SCALE },
	{ NULL, NULL, 0 },
};

static int on_import_opt(void *ctx, int id, const char *name, const char *v)
{
	(void)name;
	struct import_opts *o = ctx;
	const char **slot[] = { [OPT_PROC] = &o->proc,
				[OPT_SYSFS] = &o->sysfs,
				[OPT_PROCIRQ] = &o->procirq,
				[OPT_OUT] = &o->out,
				[OPT_ARCH] = &o->arch };
	if (id == CLI_OPERAND) {
		cli_error("import: unexpected %s (%s)", v, USAGE);
		return -1;
	}
	if (id != OPT_SCALE) {
		*slot[id] = v;
		return 0;
	}
	if (!cli_parse_u64(v, &o->scale) || o->scale == 0) {
		cli_error("import: --scale needs a whole number >= 1, not \"%s\"", v);
		return -1;
	}
	return 0;
}

/* 0, CLI_PARSE_HELP (usage printed) or -1 (error printed). */
static int parse_args(int argc, char **argv, struct import_opts *o)
{
	memset(o, 0, sizeof(*o));
	int prc = cli_parse("import", argc, argv, import_opts, on_import_opt, o);
	if (prc != CLI_PARSE_OK)
		return prc;
	if (o->arch && strcmp(o->arch, "x86") != 0 && strcmp(o->arch, "arm64") != 0 &&
	    strcmp(o->arch, "ppc64") != 0) {
		cli_error("import: --arch %s: x86, arm64 or ppc64", o->arch);
		return -1;
	}
	if (!o->proc) { /* this machine */
		o->proc = "/proc/interrupts";
		if (!o->sysfs && is_dir("/sys/bus/pci/devices"))
			o->sysfs = "/sys/bus/pci/devices";
		if (!o->procirq && is_dir("/proc/irq"))
			o->procirq = "/proc/irq";
	}
	if (o->procirq && !is_dir(o->procirq)) {
		cli_error("%s: not a directory (--proc-irq wants a copy of /proc/irq)", o->procirq);
		return -1;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	struct import_opts o;
	int prc = parse_args(argc, argv, &o);
	if (prc != 0)
		return prc == CLI_PARSE_HELP ? CLI_EXIT_PASS : CLI_EXIT_USAGE;
	struct imp im;
	memset(&im, 0, sizeof(im));
	im.procirq_dir = o.procirq;
	im.arch_override = o.arch;
	int code = CLI_EXIT_USAGE;
	/* sysfs first: it says which rows of other chips are PCI MSI vectors to keep */
	if (o.sysfs && imp_sysfs_scan(&im.sysfs, NULL, o.sysfs) < 0)
		goto out;
	if (imp_proc_read(&im.proc, NULL, o.proc, imp_row_wanted, &im) < 0)
		goto out;
	if (imp_build(&im) < 0)
		goto out;
	imp_choose_scale(&im, o.scale);
	if (imp_check_counts(&im) < 0)
		goto out;
	if (im.real_cpus > im.cpu_limit)
		imp_warn("%s: %u CPUs; the simulated %s has at most %u: CPU n is replayed as CPU n "
			 "mod %u",
			 o.proc, im.real_cpus, o.arch ? o.arch : im.arch, im.cpu_limit,
			 im.cpu_limit);
	if (im.scale_auto)
		imp_warn("%s: replaying all %" PRIu64 " interrupts would take long: counts are "
			 "divided by %" PRIu64 " (--scale 1 to replay them all)",
			 o.proc, im.real_total, im.scale);
	struct imp_sources src = {
		.proc = o.proc, .sysfs = o.sysfs, .procirq = o.procirq, .arch_override = o.arch
	};
	if (imp_check_runs(&im, &src, o.out) < 0)
		goto out;
	char why[128];
	FILE *f = o.out ? fopen(o.out, "w") : stdout;
	if (!f) {
		cli_error("%s: cannot write: %s", o.out, cli_errno_text(errno, why, sizeof(why)));
		goto out;
	}
	int w = imp_write(f, &im, &src, true);
	errno = 0;
	if ((o.out ? fclose(f) : fflush(f)) != 0 || w < 0) {
		cli_error("%s: cannot write the scenario: %s", o.out ? o.out : "stdout",
			  cli_errno_text(errno ? errno : EIO, why, sizeof(why)));
		code = CLI_EXIT_INTERNAL;
		goto out;
	}
	if (o.out)
		printf("%s: %u PCI functions, %u vectors, %" PRIu64 " interrupts to replay%s\n",
		       o.out, im.ndevs, im.nvectors, im.replay_total,
		       im.scale > 1 ? " (scaled)" : "");
	code = CLI_EXIT_PASS;
out:
	imp_free(&im);
	return code;
}
