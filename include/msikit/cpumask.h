/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_CPUMASK_H
#define MSIKIT_CPUMASK_H

/*
 * Fixed-size CPU sets. A machine has at most MSK_MAX_CPUS CPUs, numbered
 * from 0. Plain values: copy them, compare them, put them on the stack.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_MAX_CPUS  256u
#define MSK_CPU_WORDS (MSK_MAX_CPUS / 64u)
#define MSK_CPU_NONE  (~0u) /* "no CPU": returned by the searches below */

struct msk_cpumask {
	uint64_t bits[MSK_CPU_WORDS];
};

static inline void msk_cpumask_clear(struct msk_cpumask *m)
{
	memset(m, 0, sizeof(*m));
}

/* The set {0, ..., n-1}. */
static inline void msk_cpumask_fill(struct msk_cpumask *m, unsigned int n)
{
	msk_cpumask_clear(m);
	for (unsigned int c = 0; c < n && c < MSK_MAX_CPUS; c++)
		m->bits[c / 64] |= 1ull << (c % 64);
}

static inline void msk_cpumask_set(struct msk_cpumask *m, unsigned int cpu)
{
	if (cpu < MSK_MAX_CPUS)
		m->bits[cpu / 64] |= 1ull << (cpu % 64);
}

static inline void msk_cpumask_unset(struct msk_cpumask *m, unsigned int cpu)
{
	if (cpu < MSK_MAX_CPUS)
		m->bits[cpu / 64] &= ~(1ull << (cpu % 64));
}

static inline bool msk_cpumask_test(const struct msk_cpumask *m, unsigned int cpu)
{
	return cpu < MSK_MAX_CPUS && (m->bits[cpu / 64] >> (cpu % 64)) & 1;
}

static inline struct msk_cpumask msk_cpumask_of(unsigned int cpu)
{
	struct msk_cpumask m;
	msk_cpumask_clear(&m);
	msk_cpumask_set(&m, cpu);
	return m;
}

static inline bool msk_cpumask_empty(const struct msk_cpumask *m)
{
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		if (m->bits[i])
			return false;
	return true;
}

static inline bool msk_cpumask_equal(const struct msk_cpumask *a, const struct msk_cpumask *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static inline unsigned int msk_cpumask_weight(const struct msk_cpumask *m)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		n += (unsigned int)__builtin_popcountll(m->bits[i]);
	return n;
}

static inline void msk_cpumask_and(struct msk_cpumask *r, const struct msk_cpumask *a,
				   const struct msk_cpumask *b)
{
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		r->bits[i] = a->bits[i] & b->bits[i];
}

static inline void msk_cpumask_or(struct msk_cpumask *r, const struct msk_cpumask *a,
				  const struct msk_cpumask *b)
{
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		r->bits[i] = a->bits[i] | b->bits[i];
}

static inline void msk_cpumask_andnot(struct msk_cpumask *r, const struct msk_cpumask *a,
				      const struct msk_cpumask *b)
{
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		r->bits[i] = a->bits[i] & ~b->bits[i];
}

static inline bool msk_cpumask_intersects(const struct msk_cpumask *a, const struct msk_cpumask *b)
{
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		if (a->bits[i] & b->bits[i])
			return true;
	return false;
}

/* Is every CPU of a also in b? */
static inline bool msk_cpumask_subset(const struct msk_cpumask *a, const struct msk_cpumask *b)
{
	for (unsigned int i = 0; i < MSK_CPU_WORDS; i++)
		if (a->bits[i] & ~b->bits[i])
			return false;
	return true;
}

/* First CPU >= from in m, or MSK_CPU_NONE. */
static inline unsigned int msk_cpumask_next(const struct msk_cpumask *m, unsigned int from)
{
	for (unsigned int c = from; c < MSK_MAX_CPUS;) {
		uint64_t w = m->bits[c / 64] >> (c % 64);
		if (w)
			return c + (unsigned int)__builtin_ctzll(w);
		c = (c / 64 + 1) * 64;
	}
	return MSK_CPU_NONE;
}

static inline unsigned int msk_cpumask_first(const struct msk_cpumask *m)
{
	return msk_cpumask_next(m, 0);
}

#define msk_for_each_cpu(cpu, mask)                                  \
	for ((cpu) = msk_cpumask_first(mask); (cpu) != MSK_CPU_NONE; \
	     (cpu) = msk_cpumask_next((mask), (cpu) + 1))

/*
 * Print as a Linux-style list ("0-3,8,10-11") into buf; returns buf.
 * An empty set prints as "".
 */
char *msk_cpumask_format(const struct msk_cpumask *m, char *buf, unsigned long size);

/*
 * Parse a Linux-style list ("0-3,8"). Returns 0, or -MSK_EINVAL for bad
 * syntax or a CPU >= MSK_MAX_CPUS (m unchanged then).
 */
int msk_cpumask_parse(const char *s, struct msk_cpumask *m);

#ifdef __cplusplus
}
#endif
#endif
