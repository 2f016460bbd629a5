/* SPDX-License-Identifier: MIT */
/*
 * /sys/bus/pci/devices/<bdf>/: vendor and device IDs, the config space
 * (its MSI and MSI-X capabilities: how many vectors the function offers)
 * and msi_irqs/ (one file per Linux irq the function owns, saying "msi" or
 * "msix"). msi_irqs/ is what ties an irq to its function when the chip
 * name does not (XIVE-IRQ, the 3.x "PCI-MSI-edge", ...), and what tells
 * MSI from MSI-X when the chip is a global "PCI-MSI" domain.
 */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* "0000:00:1f.3": segment, bus, device, function, as sysfs names them. */
static bool is_bdf(const char *s)
{
	unsigned int seg, bus, dev, fn;
	char tail;
	return strlen(s) == 12 && sscanf(s, "%4x:%2x:%2x.%1x%c", &seg, &bus, &dev, &fn, &tail) == 4;
}

static int by_irq(const void *a, const void *b)
{
	const struct imp_msi_irq *x = a, *y = b;
	return x->irq < y->irq ? -1 : x->irq > y->irq;
}

void imp_sysfs_free(struct imp_sysfs *s)
{
	free(s->irqs);
	s->irqs = NULL;
	s->nirqs = 0;
}

struct scan {
	struct imp_sysfs *s;
	unsigned int cap;
	const char *bdf;
};

/* One msi_irqs/<irq> file. */
static int add_irq(void *arg, const char *ent)
{
	struct scan *sc = arg;
	struct imp_sysfs *s = sc->s;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/msi_irqs/%s", s->dir, sc->bdf, ent);
	char *end;
	errno = 0;
	unsigned long irq = strtoul(ent, &end, 10);
	if (!isdigit((unsigned char)*ent) || *end || errno || irq >= IMP_NO_IRQ)
		return imp_fail(path, 0, "msi_irqs/ should hold irq numbers");
	char kind[16] = "";
	FILE *f;
	if (imp_fs_open(s->fs, path, false, false, &f) < 0)
		return -1;
	bool got = fgets(kind, sizeof(kind), f) != NULL;
	bool err = ferror(f);
	imp_fs_close(f);
	if (err)
		return imp_fail(path, 1, "read error");
	kind[strcspn(kind, "\n")] = '\0';
	if (!got || (strcmp(kind, "msi") != 0 && strcmp(kind, "msix") != 0))
		return imp_fail(path, 1, "\"%s\": \"msi\" or \"msix\" expected", kind);
	if (s->nirqs == sc->cap) {
		if (sc->cap >= IMP_MAX_TOTAL_VECTORS)
			return imp_fail(path, 0, "more than %u msi_irqs/ entries",
					IMP_MAX_TOTAL_VECTORS);
		sc->cap = sc->cap ? sc->cap * 2 : 64;
		struct imp_msi_irq *n = realloc(s->irqs, sc->cap * sizeof(*n));
		if (!n)
			return imp_fail(path, 0, "out of memory");
		s->irqs = n;
	}
	struct imp_msi_irq *e = &s->irqs[s->nirqs++];
	e->irq = (uint32_t)irq;
	snprintf(e->bdf, sizeof(e->bdf), "%s", sc->bdf);
	e->msix = strcmp(kind, "msix") == 0;
	return 0;
}

static int scan_dev(void *arg, const char *bdf)
{
	struct scan *sc = arg;
	if (!is_bdf(bdf))
		return 0;
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/msi_irqs", sc->s->dir, bdf);
	sc->bdf = bdf;
	int rc = sc->s->fs->list(sc->s->fs, path, add_irq, sc);
	if (rc == -ENOENT)
		return 0; /* no MSI in use, or not copied */
	if (rc < -1) {
		char why[160];
		return imp_fail(path, 0, "cannot list: %s", imp_fs_why(rc, why, sizeof(why)));
	}
	return rc;
}

int imp_sysfs_scan(struct imp_sysfs *s, const struct imp_fs *fs, const char *dir)
{
	memset(s, 0, sizeof(*s));
	s->fs = fs ? fs : &imp_fs_real;
	s->dir = dir;
	struct scan sc = { .s = s };
	int rc = s->fs->list(s->fs, dir, scan_dev, &sc);
	if (rc < -1) {
		char why[160];
		rc = imp_fail(dir, 0, "cannot open: %s", imp_fs_why(rc, why, sizeof(why)));
	}
	if (rc == 0 && s->nirqs) {
		qsort(s->irqs, s->nirqs, sizeof(*s->irqs), by_irq);
		for (unsigned int i = 1; i < s->nirqs && rc == 0; i++)
			if (s->irqs[i].irq == s->irqs[i - 1].irq)
				rc = imp_fail(dir, 0, "irq %u is in msi_irqs/ of both %s and %s",
					      s->irqs[i].irq, s->irqs[i - 1].bdf, s->irqs[i].bdf);
	}
	if (rc < 0)
		imp_sysfs_free(s);
	return rc;
}

const struct imp_msi_irq *imp_sysfs_irq(const struct imp_sysfs *s, uint32_t irq)
{
	struct imp_msi_irq key = { .irq = irq };
	return s->nirqs ? bsearch(&key, s->irqs, s->nirqs, sizeof(key), by_irq) : NULL;
}

/* "0x1af4\n" (sysfs vendor, device). 1 read, 0 absent, -1 malformed (reported). */
static int read_id(const struct imp_sysfs *s, const char *bdf, const char *name, unsigned int *out)
{
	char path[4096], buf[32] = "";
	snprintf(path, sizeof(path), "%s/%s/%s", s->dir, bdf, name);
	FILE *f;
	int o = imp_fs_open(s->fs, path, false, true, &f);
	if (o <= 0)
		return o;
	bool got = fgets(buf, sizeof(buf), f) != NULL;
	imp_fs_close(f);
	char *end;
	errno = 0;
	unsigned long v = got ? strtoul(buf, &end, 16) : 0;
	if (!got || end == buf || (*end && *end != '\n') || errno || v > 0xffff)
		return imp_fail(path, 1, "a 16-bit hex ID like 0x8086 expected");
	*out = (unsigned int)v;
	return 1;
}

/* The MSI and MSI-X capabilities of a config-space image (a bounded walk). */
static int read_config(const struct imp_sysfs *s, const char *bdf, struct imp_sysfs_dev *out)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s/config", s->dir, bdf);
	FILE *f;
	int o = imp_fs_open(s->fs, path, false, true, &f);
	if (o <= 0)
		return o;
	uint8_t c[256] = { 0 };
	size_t n = fread(c, 1, sizeof(c), f);
	bool err = ferror(f);
	imp_fs_close(f);
	if (err)
		return imp_fail(path, 0, "read error");
	if (n < 64)
		return imp_fail(path, 0, "a config space image of %zu bytes (at least 64)", n);
	if (!(c[6] & 0x10)) /* Status: no capability list */
		return 0;
	unsigned int pos = c[0x34] & 0xfc;
	for (int ttl = 48; ttl && pos >= 0x40 && pos + 4 <= n; ttl--) {
		unsigned int ctrl = c[pos + 2] | (unsigned int)c[pos + 3] << 8;
		if (c[pos] == 0x11) {
			out->has_msix_cap = true;
			out->msix_size = (ctrl & 0x7ff) + 1;
		} else if (c[pos] == 0x05) {
			out->has_msi_cap = true;
			out->msi_vectors = 1u << ((ctrl >> 1) & 7);
			if (out->msi_vectors > 32)
				out->msi_vectors = 32; /* 110b, 111b are reserved */
		}
		pos = c[pos + 1] & 0xfc;
	}
	return 0;
}

int imp_sysfs_read_dev(const struct imp_sysfs *s, const char *bdf, struct imp_sysfs_dev *out)
{
	memset(out, 0, sizeof(*out));
	if (read_id(s, bdf, "vendor", &out->vendor) < 0 ||
	    read_id(s, bdf, "device", &out->device) < 0)
		return -1;
	return read_config(s, bdf, out);
}
