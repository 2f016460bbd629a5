/* SPDX-License-Identifier: MIT */
/*
 * The scenario msikit import writes: a header saying where everything
 * came from and what was inferred, the machine, one table of the real
 * functions and vectors, the replay (import_replay.lua, the same for every
 * import), the expected counts, and the loop that checks them
 * (import_check.lua).
 */
#include "import.h"

#include <inttypes.h>
#include <string.h>

#include "cli.h"
/* The generic Lua (import_replay.lua, import_check.lua), as C strings (CMake) */
#include "import_lua.h"

#define LIST_MAX 1200

static const char *cpulist(const struct msk_cpumask *m, char buf[LIST_MAX])
{
	return msk_cpumask_format(m, buf, LIST_MAX);
}

static void lua_string(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f) /* the file stays ASCII: bytes as Lua's \ddd */
			fprintf(o, "\\%03u", c);
		else
			fputc(c, o);
	}
	fputc('"', o);
}

/* --- header ------------------------------------------------------------------------- */

static const char *model_text(const struct imp *im)
{
	if (im->model == IMP_MODEL_GLOBAL)
		return "one global PCI/MSI domain (Linux before 6.2): msi = \"global\"";
	return "a PCI/MSI domain per device (Linux 6.2 and later)";
}

static void write_header(FILE *o, const struct imp *im, const struct imp_sources *src)
{
	char list[LIST_MAX];
	fprintf(o, "-- Imported by msikit import (msikit %s) from\n", msk_version());
	fprintf(o, "--   /proc/interrupts  %s\n", src->proc);
	if (src->sysfs)
		fprintf(o, "--   PCI functions     %s (vendor, device, config, msi_irqs)\n",
			src->sysfs);
	if (src->procirq)
		fprintf(o,
			"--   affinity          %s (effective_affinity_list, smp_affinity_list)\n",
			src->procirq);
	fprintf(o, "--\n-- The real machine: %u CPUs online (%s), %u PCI functions with %u\n",
		msk_cpumask_weight(&im->online), cpulist(&im->online, list), im->ndevs,
		im->nvectors);
	fprintf(o, "-- MSI/MSI-X vectors (managed queues: %u), %" PRIu64 " interrupts on them.\n",
		im->nmanaged, im->real_total);
	const char *remap = strcmp(im->arch, "x86") != 0 ? ""
			    : im->ir			 ? " with interrupt remapping"
							 : " without interrupt remapping";
	fprintf(o, "-- Chips like %s: %s%s;\n-- %s.\n", im->chip_example, im->arch, remap,
		model_text(im));
	fputs("--\n"
	      "-- The replay: every function is plugged in with its capabilities, its vectors\n"
	      "-- are allocated as the kernel did (managed queues with affinity spreading) and\n"
	      "-- requested under their real names. Then, one vector at a time, for each CPU\n"
	      "-- that took some of its interrupts, the vector is steered there\n"
	      "-- (m:set_affinity) and the device raises that many interrupts, one per tick\n"
	      "-- (d:raise(i, n, { every = 1 })), so that each is taken on its own, as the\n"
	      "-- kernel counted them. Managed queues cannot be steered: their interrupts go\n"
	      "-- where this platform placed them (the run prints where that differs from the\n"
	      "-- kernel). Each vector then gets its real affinity back. The expectations at\n"
	      "-- the end check every count, CPU by CPU, and that nothing was lost.\n--\n",
	      o);
	if (!src->procirq)
		fputs("-- Affinity: no /proc/irq given, so inferred from the counts: a vector "
		      "that\n"
		      "-- took interrupts ends on the CPU that took most of them (inferred = "
		      "true);\n"
		      "-- the others keep the affinity they were allocated with.\n",
		      o);
	else if (im->ninferred_aff)
		fprintf(o,
			"-- Affinity: from /proc/irq; %u vectors had no entry there and are "
			"inferred\n"
			"-- from their counts (inferred = true): the CPU that took most of them.\n",
			im->ninferred_aff);
	else
		fputs("-- Affinity: from /proc/irq: aff is smp_affinity_list (where a vector may\n"
		      "-- go), eff the first CPU of effective_affinity_list (where it went).\n",
		      o);
	if (im->scale == 1)
		fprintf(o, "-- Counts: exact (%" PRIu64 " interrupts replayed).\n",
			im->replay_total);
	else
		fprintf(o,
			"-- Counts: divided by %" PRIu64 " (%s), rounded:\n-- %" PRIu64
			" interrupts replayed for %" PRIu64
			" real ones (the expected rows keep both).\n-- --scale 1 replays them "
			"all.\n",
			im->scale,
			im->scale_auto ? "chosen by import: an exact replay would be slow"
				       : "--scale",
			im->replay_total, im->real_total);
	if (im->folded)
		fprintf(o,
			"-- CPUs: the machine had CPUs up to %u; the simulator has at most %u, so "
			"CPU\n"
			"-- n is taken as CPU n mod %u here (its counts and affinity fold onto "
			"it).\n",
			im->real_cpus - 1, im->cpu_limit, im->cpu_limit);
	if (im->possible > msk_cpumask_weight(&im->online))
		fprintf(o,
			"-- CPUs: %u managed queues on one function mean the kernel spread over "
			"at\n"
			"-- least %u possible CPUs; those it did not list as online start "
			"offline.\n",
			im->possible, im->possible);
	if (im->ninferred_index)
		fprintf(o,
			"-- Indices: %u vectors come from chips that do not name their function;\n"
			"-- msi_irqs/ does, and their index is their rank there.\n",
			im->ninferred_index);
	if (im->skipped_rows)
		fprintf(o, "-- Skipped: %u vectors of functions outside PCI segment 0000.\n",
			im->skipped_rows);
	fputc('\n', o);
}

/* --- the machine and its functions ----------------------------------------------------- */

static void write_machine(FILE *o, const struct imp *im, const struct imp_sources *src, bool raise)
{
	fprintf(o,
		"local RAISE = %s -- false: allocate, request and steer only (what import "
		"checks)\n",
		raise ? "true" : "false");
	fprintf(o, "local CPUS = %u\n", im->ncpus);
	fprintf(o, "local m = msikit.machine{ arch = \"%s\", cpus = CPUS",
		src->arch_override ? src->arch_override : im->arch);
	if (im->ir)
		fputs(", x86 = { ir = true }", o);
	if (im->model == IMP_MODEL_GLOBAL)
		fputs(", msi = \"global\"", o);
	uint64_t steps = 4 * im->replay_total + 1000000;
	if (steps > 10000000)
		fprintf(o, ", max_steps = %" PRIu64, steps);
	fputs(" }\n", o);
	struct msk_cpumask off;
	msk_cpumask_fill(&off, im->ncpus);
	msk_cpumask_andnot(&off, &off, &im->online);
	if (!msk_cpumask_empty(&off)) {
		char list[LIST_MAX];
		fprintf(o, "local OFFLINE = \"%s\" -- not online on the real machine\n",
			cpulist(&off, list));
	} else {
		fputs("local OFFLINE = \"\"\n", o);
	}
}

static void write_vector(FILE *o, const struct imp *im, const struct imp_vector *v, unsigned int k)
{
	char list[LIST_MAX];
	fprintf(o, "      [%u] = { ", k);
	lua_string(o, v->name);
	if (v->managed)
		fputs(", managed = true", o);
	if (v->has_smp)
		fprintf(o, ", aff = \"%s\"", cpulist(&v->smp, list));
	if (v->has_eff)
		fprintf(o, ", eff = %u", msk_cpumask_first(&v->eff));
	if (v->aff_src == IMP_AFF_COUNTS)
		fputs(", inferred = true", o);
	bool any = false;
	for (unsigned int c = 0; c < im->ncpus; c++)
		if (v->count[c]) {
			fprintf(o, "%s[%u] = %" PRIu64, any ? ", " : ", counts = { ", c,
				v->count[c]);
			any = true;
		}
	if (any)
		fputs(" }", o);
	fprintf(o, " },%s\n", v->index_inferred ? " -- index: rank in msi_irqs/" : "");
}

static void write_functions(FILE *o, const struct imp *im)
{
	fputs("\n-- The real PCI functions. A vector is [index] = { name, aff = the CPUs it may\n"
	      "-- go to, eff = the CPU it was delivered to, counts = { [cpu] = interrupts },\n"
	      "-- managed = true for a queue the kernel spread }. A name \"\" is an irq whose\n"
	      "-- handler had been freed: it gets one only while its counts are replayed.\n"
	      "-- sparse = true: MSI-X indices with gaps (vfio-pci, pci_msix_alloc_irq_at()):\n"
	      "-- vectors 0 .. nvec - 1 are allocated, then each other one up to last on its\n"
	      "-- own (d:alloc_at), as dynamic MSI-X does; without it, all of 0 .. last.\n"
	      "local functions = {\n",
	      o);
	for (unsigned int i = 0; i < im->ndevs; i++) {
		const struct imp_dev *d = im->devs[i];
		unsigned int want = d->nvec;
		fprintf(o, "  { bdf = \"%s\"", d->bdf);
		if (d->sys.vendor)
			fprintf(o, ", vendor = 0x%04x, device = 0x%04x", d->sys.vendor,
				d->sys.device);
		if (d->msix) {
			unsigned int size = d->sys.msix_size > want ? d->sys.msix_size : want;
			fprintf(o, ", msix = %u", size);
		} else {
			unsigned int p2 = 1;
			while (p2 < want)
				p2 <<= 1;
			want = p2;
			fprintf(o, ", msi = %u",
				d->sys.msi_vectors > want ? d->sys.msi_vectors : want);
		}
		unsigned int present = 0, prefix = 0;
		for (unsigned int k = 0; k < d->nvec; k++)
			if (d->vec[k].present && ++present == k + 1)
				prefix = k + 1;
		if (d->msix && !d->managed && present < d->nvec) /* sparse: gaps in the indices */
			fprintf(o, ", nvec = %u, last = %u, sparse = true", prefix ? prefix : 1,
				d->nvec - 1);
		else
			fprintf(o, ", nvec = %u", want);
		if (d->managed)
			fprintf(o, ", affinity = { pre = %u, post = %u }", d->pre, d->post);
		fputs(",", o);
		if (d->kind_guessed)
			fprintf(o, " -- MSI or MSI-X? the chip does not say: imported as %s",
				d->msix ? "MSI-X" : "MSI");
		fputs("\n    vectors = {\n", o);
		for (unsigned int k = 0; k < d->nvec; k++)
			if (d->vec[k].present)
				write_vector(o, im, &d->vec[k], k);
		fputs("    } },\n", o);
	}
	fputs("}\n", o);
}

/* --- the check ------------------------------------------------------------------------------- */

static void write_expected(FILE *o, const struct imp *im)
{
	fputs("\n-- The check: every vector's interrupts, CPU by CPU, as /proc/interrupts had "
	      "them:\n"
	      "-- { bdf, index, cpu, count",
	      o);
	fputs(im->scale > 1 ? ", real count }" : " }", o);
	fputs(". A managed queue's are expected on the CPU this\n"
	      "-- platform delivered it to; any count not listed here must be 0.\n"
	      "local expected = {\n",
	      o);
	for (unsigned int i = 0; i < im->ndevs; i++) {
		const struct imp_dev *d = im->devs[i];
		for (unsigned int k = 0; k < d->nvec; k++) {
			const struct imp_vector *v = &d->vec[k];
			for (unsigned int c = 0; v->present && c < im->ncpus; c++) {
				if (!v->count[c])
					continue;
				fprintf(o, "  { \"%s\", %u, %u, %" PRIu64, d->bdf, k, c,
					v->count[c]);
				if (im->scale > 1)
					fprintf(o, ", %" PRIu64, v->real[c]);
				fputs(" },\n", o);
			}
		}
	}
	fputs("}\n", o);
}

int imp_write(FILE *o, const struct imp *im, const struct imp_sources *src, bool raise)
{
	write_header(o, im, src);
	write_machine(o, im, src, raise);
	write_functions(o, im);
	fputs(import_replay_lua, o);
	write_expected(o, im);
	fputs(import_check_lua, o);
	return ferror(o) ? -1 : 0;
}
