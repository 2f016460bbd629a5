/* SPDX-License-Identifier: MIT */
/* CPU-list formatting and parsing ("0-3,8"), as /proc/irq/N/smp_affinity_list. */
#include <msikit/cpumask.h>

#include <stdio.h>
#include <stdlib.h>

#include "base/error.h"

char *msk_cpumask_format(const struct msk_cpumask *m, char *buf, unsigned long size)
{
	size_t used = 0;
	if (size)
		buf[0] = '\0';
	unsigned int c = msk_cpumask_first(m);
	while (c != MSK_CPU_NONE) {
		unsigned int end = c;
		while (end + 1 < MSK_MAX_CPUS && msk_cpumask_test(m, end + 1))
			end++;
		int n;
		const char *sep = used ? "," : "";
		if (end == c)
			n = snprintf(buf + used, size > used ? size - used : 0, "%s%u", sep, c);
		else
			n = snprintf(buf + used, size > used ? size - used : 0, "%s%u-%u", sep, c,
				     end);
		if (n < 0 || used + (size_t)n >= size)
			break;
		used += (size_t)n;
		c = msk_cpumask_next(m, end + 1);
	}
	return buf;
}

static int parse_num(const char **p, unsigned int *out)
{
	char *end;
	if (**p < '0' || **p > '9')
		return -1;
	unsigned long v = strtoul(*p, &end, 10);
	if (v >= MSK_MAX_CPUS)
		return -1;
	*out = (unsigned int)v;
	*p = end;
	return 0;
}

int msk_cpumask_parse(const char *s, struct msk_cpumask *m)
{
	struct msk_cpumask r;
	msk_cpumask_clear(&r);
	const char *p = s;
	while (*p == ' ')
		p++;
	while (*p && *p != '\n') {
		unsigned int a, b;
		if (parse_num(&p, &a) < 0)
			return msk_err(MSK_EINVAL, "bad CPU list \"%s\"", s);
		b = a;
		if (*p == '-') {
			p++;
			if (parse_num(&p, &b) < 0 || b < a)
				return msk_err(MSK_EINVAL, "bad CPU range in \"%s\"", s);
		}
		for (unsigned int c = a; c <= b; c++)
			msk_cpumask_set(&r, c);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return msk_err(MSK_EINVAL, "bad CPU list \"%s\"", s);
	}
	*m = r;
	return 0;
}
