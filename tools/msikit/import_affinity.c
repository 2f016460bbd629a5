/* SPDX-License-Identifier: MIT */
/*
 * /proc/irq/N: where each vector is steered. effective_affinity_list is
 * where the kernel delivers it now (x86: one CPU), smp_affinity_list what
 * was asked for (by the user, irqbalance, or the spreading of a managed
 * queue). Both are Linux CPU lists ("0-3,8,10-11"); an empty one is
 * valid (an interrupt that is not started has no effective CPU).
 */
#include "import.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CPU_NUMBER_LIMIT (1u << 20)

static bool cpu_number(const char **s, unsigned int *out)
{
	if (!isdigit((unsigned char)**s))
		return false;
	unsigned long v = 0;
	while (isdigit((unsigned char)**s)) {
		v = v * 10 + (unsigned long)(**s - '0');
		if (v >= CPU_NUMBER_LIMIT)
			return false;
		(*s)++;
	}
	*out = (unsigned int)v;
	return true;
}

int imp_cpulist_parse(const char *s, unsigned int limit, struct msk_cpumask *out, bool *folded,
		      const char **why)
{
	struct msk_cpumask m;
	msk_cpumask_clear(&m);
	while (*s == ' ' || *s == '\t')
		s++;
	while (*s && *s != '\n') {
		unsigned int lo, hi;
		if (!cpu_number(&s, &lo)) {
			*why = "a CPU number was expected";
			return -1;
		}
		hi = lo;
		if (*s == '-') {
			s++;
			if (!cpu_number(&s, &hi)) {
				*why = "a CPU number was expected after '-'";
				return -1;
			}
			if (hi < lo) {
				*why = "a range that goes backwards";
				return -1;
			}
		}
		for (unsigned long c = lo; c <= hi; c++) {
			if (c >= limit)
				*folded = true;
			msk_cpumask_set(&m, (unsigned int)(c % limit));
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n') {
			*why = "',' or the end of the list was expected";
			return -1;
		}
	}
	if (*s == '\n' && s[1]) {
		*why = "more than one line";
		return -1;
	}
	*out = m;
	return 0;
}

/* One list file: 1 read, 0 absent, -1 malformed (reported). */
static int read_list(const struct imp_fs *fs, const char *dir, uint32_t irq, const char *name,
		     unsigned int limit, struct msk_cpumask *out, bool *folded)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%u/%s", dir, irq, name);
	FILE *f;
	int o = imp_fs_open(fs, path, false, true, &f);
	if (o <= 0)
		return o;
	char buf[8192];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	bool err = ferror(f);
	imp_fs_close(f);
	if (err)
		return imp_fail(path, 1, "read error");
	if (n == sizeof(buf) - 1)
		return imp_fail(path, 1, "longer than a CPU list");
	buf[n] = '\0';
	if (strlen(buf) != n)
		return imp_fail(path, 1, "binary data in a CPU list");
	const char *why = NULL;
	if (imp_cpulist_parse(buf, limit, out, folded, &why) < 0)
		return imp_fail(path, 1, "not a CPU list like \"0-3,8\": %s", why);
	return 1;
}

int imp_affinity_read(const struct imp_fs *fs, const char *dir, uint32_t irq, unsigned int limit,
		      struct imp_vector *v, bool *folded)
{
	int e = read_list(fs, dir, irq, "effective_affinity_list", limit, &v->eff, folded);
	if (e < 0)
		return -1;
	int s = read_list(fs, dir, irq, "smp_affinity_list", limit, &v->smp, folded);
	if (s < 0)
		return -1;
	v->has_eff = e > 0 && !msk_cpumask_empty(&v->eff);
	v->has_smp = s > 0 && !msk_cpumask_empty(&v->smp);
	return 0;
}
