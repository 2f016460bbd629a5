/* SPDX-License-Identifier: MIT */
/*
 * msikit import [--proc-interrupts FILE] [--sysfs DIR] [--arch A] [-o FILE.lua]:
 * a scenario that rebuilds a real machine's MSI/MSI-X devices and vectors.
 *
 * From /proc/interrupts: the CPU count (header), and every row whose chip
 * is a per-device PCI MSI domain ("[prefix]PCI-MSIX-<bdf>" or
 * "[prefix]PCI-MSI-<bdf>"): device, vector index (the hwirq column) and
 * handler name. The prefix names the platform: "IR-" x86 with remapping,
 * "ITS-" arm64, "pSeries-" ppc64, none x86. From /sys/bus/pci/devices
 * (optional): each device's vendor and device IDs and, from its config
 * space, the MSI-X table size and MSI vector count. The scenario allocates
 * each device's vectors as the kernel did, requests them under their real
 * names and expects the interrupts table to list them all.
 */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEVS    256
#define MAX_VECTORS 2048

struct idev {
	char bdf[16];
	bool msix;
	unsigned int nvec; /* highest index + 1 */
	char *names[MAX_VECTORS];
	unsigned int vendor, device;
	unsigned int msix_size, msi_vectors; /* from config space; 0: unknown */
};

struct import {
	unsigned int ncpus;
	char prefix[16];
	struct idev *devs[MAX_DEVS];
	unsigned int ndevs, nvectors;
};

static struct idev *dev_for(struct import *im, const char *bdf, bool msix)
{
	for (unsigned int i = 0; i < im->ndevs; i++)
		if (strcmp(im->devs[i]->bdf, bdf) == 0)
			return im->devs[i];
	if (im->ndevs == MAX_DEVS)
		return NULL;
	struct idev *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->msix = msix;
	im->devs[im->ndevs++] = d;
	return d;
}

/* One row: " 28:   0   0 PCI-MSIX-0000:00:01.0   0-edge      virtio0-config" */
static void parse_row(struct import *im, char *line)
{
	char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (!isdigit((unsigned char)*p))
		return; /* NMI:, LOC:, ... */
	p = strchr(p, ':');
	if (!p)
		return;
	p++;
	for (unsigned int c = 0; c < im->ncpus; c++) {
		char *end;
		strtoull(p, &end, 10);
		if (end == p)
			return;
		p = end;
	}
	char chip[96], hwflow[64];
	int used = 0;
	if (sscanf(p, " %95s %63s %n", chip, hwflow, &used) < 2)
		return;
	char *name = p + used;
	name[strcspn(name, "\r\n")] = '\0';
	const char *kind = strstr(chip, "PCI-MSIX-");
	bool msix = kind != NULL;
	if (!kind)
		kind = strstr(chip, "PCI-MSI-");
	if (!kind)
		return;
	size_t plen = (size_t)(kind - chip);
	if (plen < sizeof(im->prefix) && !im->prefix[0])
		snprintf(im->prefix, sizeof(im->prefix), "%.*s", (int)plen, chip);
	const char *bdf = kind + (msix ? 9 : 8);
	char *end;
	unsigned long index = strtoul(hwflow, &end, 10);
	if (end == hwflow || index >= MAX_VECTORS)
		return;
	struct idev *d = dev_for(im, bdf, msix);
	if (!d || d->names[index])
		return;
	d->names[index] = strdup(*name ? name : "-");
	if (index + 1 > d->nvec)
		d->nvec = (unsigned int)index + 1;
	im->nvectors++;
}

static int parse_proc(struct import *im, const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		cli_error("import: %s: %s", path, strerror(errno));
		return -1;
	}
	char line[4096];
	if (!fgets(line, sizeof(line), f)) {
		fclose(f);
		cli_error("import: %s is empty", path);
		return -1;
	}
	for (char *p = strstr(line, "CPU"); p; p = strstr(p + 3, "CPU"))
		im->ncpus++;
	if (im->ncpus == 0 || im->ncpus > MSK_MAX_CPUS) {
		fclose(f);
		cli_error("import: %s: no CPU columns in the first line", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		parse_row(im, line);
	fclose(f);
	return 0;
}

static unsigned int read_hex_file(const char *dir, const char *bdf, const char *name)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s/%s", dir, bdf, name);
	FILE *f = fopen(path, "r");
	unsigned int v = 0;
	if (f) {
		if (fscanf(f, "%x", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

/* The MSI and MSI-X capabilities of a config-space image (bounded walk). */
static void read_config(const char *dir, struct idev *d)
{
	char path[1024];
	snprintf(path, sizeof(path), "%s/%s/config", dir, d->bdf);
	FILE *f = fopen(path, "rb");
	if (!f)
		return;
	uint8_t c[256] = { 0 };
	size_t n = fread(c, 1, sizeof(c), f);
	fclose(f);
	if (n < 64 || !(c[6] & 0x10))
		return;
	unsigned int pos = c[0x34] & 0xfc;
	for (int ttl = 48; ttl && pos >= 0x40 && pos + 4 <= n; ttl--) {
		unsigned int ctrl = c[pos + 2] | (unsigned)c[pos + 3] << 8;
		if (c[pos] == 0x11)
			d->msix_size = (ctrl & 0x7ff) + 1;
		else if (c[pos] == 0x05)
			d->msi_vectors = 1u << ((ctrl >> 1) & 7);
		pos = c[pos + 1] & 0xfc;
	}
}

static const char *arch_of(const char *prefix, bool *ir)
{
	*ir = strcmp(prefix, "IR-") == 0;
	if (strcmp(prefix, "ITS-") == 0)
		return "arm64";
	if (strncmp(prefix, "pSeries", 7) == 0)
		return "ppc64";
	return "x86";
}

static void lua_string(FILE *o, const char *s)
{
	fputc('"', o);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', o);
		if ((unsigned char)*s >= 0x20)
			fputc(*s, o);
	}
	fputc('"', o);
}

static void write_scenario(FILE *o, const struct import *im, const char *arch, bool ir,
			   const char *proc, const char *sysfs)
{
	fprintf(o, "-- Imported by msikit import from %s%s%s.\n", proc, sysfs ? " and " : "",
		sysfs ? sysfs : "");
	fprintf(o,
		"-- %u CPUs, %u devices, %u MSI/MSI-X vectors. Each device gets its "
		"real\n-- capabilities, its vectors as the kernel allocated them, and "
		"their names.\n\n",
		im->ncpus, im->ndevs, im->nvectors);
	fprintf(o, "local m = msikit.machine{ arch = \"%s\", cpus = %u%s }\n\n", arch, im->ncpus,
		ir ? ", x86 = { ir = true }" : "");
	fputs("local function bring_up(spec)\n"
	      "  local d = m:pci{ bdf = spec.bdf, msix = spec.msix, msi = spec.msi,\n"
	      "                   vendor = spec.vendor, device = spec.device }\n"
	      "  local n, err = d:alloc_vectors{ min = spec.vectors, max = spec.vectors, "
	      "type = spec.type }\n"
	      "  msikit.expect(n == spec.vectors, spec.bdf .. \": \" .. spec.vectors .. \" "
	      "vectors \" .. tostring(err or \"\"))\n"
	      "  for index = 0, spec.vectors - 1 do\n"
	      "    local name = spec.names[index]\n"
	      "    if name then\n"
	      "      msikit.expect(d:request(index, name), spec.bdf .. \" vector \" .. index .. "
	      "\" requested\")\n"
	      "    end\n"
	      "  end\n"
	      "end\n\n",
	      o);
	for (unsigned int i = 0; i < im->ndevs; i++) {
		const struct idev *d = im->devs[i];
		unsigned int msix =
			d->msix ? (d->msix_size >= d->nvec ? d->msix_size : d->nvec) : 0;
		unsigned int want = d->nvec, msi = 0;
		if (!d->msix) {
			unsigned int p2 = 1;
			while (p2 < want)
				p2 <<= 1;
			want = p2;
			msi = d->msi_vectors >= want ? d->msi_vectors : want;
		}
		fprintf(o, "bring_up{ bdf = \"%s\", vendor = 0x%04x, device = 0x%04x, ", d->bdf,
			d->vendor ? d->vendor : 0x1af4, d->device);
		if (msix)
			fprintf(o, "msix = %u, type = \"msix\",", msix);
		else
			fprintf(o, "msi = %u, type = \"msi\",", msi);
		fprintf(o, " vectors = %u,\n  names = {", want);
		for (unsigned int k = 0; k < d->nvec; k++) {
			if (!d->names[k])
				continue;
			fprintf(o, " [%u] = ", k);
			lua_string(o, d->names[k]);
			fputc(',', o);
		}
		fputs(" } }\n", o);
	}
	fprintf(o,
		"\nm:run()\nmsikit.expect(#m:irqs() == %u, \"every imported vector is in the "
		"interrupts table\")\n",
		im->nvectors);
}

int cmd_import(int argc, char **argv)
{
	const char *proc = NULL, *sysfs = NULL, *out = NULL, *arch = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (i + 1 >= argc || a[0] != '-') {
			cli_error("import: unexpected %s (msikit import --proc-interrupts FILE "
				  "[--sysfs DIR] [--arch A] [-o FILE.lua])",
				  a);
			return CLI_EXIT_USAGE;
		}
		if (strcmp(a, "--proc-interrupts") == 0)
			proc = argv[++i];
		else if (strcmp(a, "--sysfs") == 0)
			sysfs = argv[++i];
		else if (strcmp(a, "-o") == 0)
			out = argv[++i];
		else if (strcmp(a, "--arch") == 0)
			arch = argv[++i];
		else {
			cli_error("import: unknown option %s", a);
			return CLI_EXIT_USAGE;
		}
	}
	if (!proc)
		proc = "/proc/interrupts";
	struct import im;
	memset(&im, 0, sizeof(im));
	int code = CLI_EXIT_PASS;
	if (parse_proc(&im, proc) < 0) {
		code = CLI_EXIT_USAGE;
		goto out;
	}
	if (im.ndevs == 0) {
		cli_error("import: %s lists no per-device PCI MSI/MSI-X interrupts", proc);
		code = CLI_EXIT_USAGE;
		goto out;
	}
	for (unsigned int i = 0; sysfs && i < im.ndevs; i++) {
		im.devs[i]->vendor = read_hex_file(sysfs, im.devs[i]->bdf, "vendor");
		im.devs[i]->device = read_hex_file(sysfs, im.devs[i]->bdf, "device");
		read_config(sysfs, im.devs[i]);
	}
	bool ir;
	const char *guessed = arch_of(im.prefix, &ir);
	FILE *o = out ? fopen(out, "w") : stdout;
	if (!o) {
		cli_error("import: %s: %s", out, strerror(errno));
		code = CLI_EXIT_USAGE;
		goto out;
	}
	write_scenario(o, &im, arch ? arch : guessed, ir, proc, sysfs);
	if (out && fclose(o) != 0) {
		cli_error("import: %s: cannot write", out);
		code = CLI_EXIT_INTERNAL;
	}
out:
	for (unsigned int i = 0; i < im.ndevs; i++) {
		for (unsigned int k = 0; k < MAX_VECTORS; k++)
			free(im.devs[i]->names[k]);
		free(im.devs[i]);
	}
	return code;
}
