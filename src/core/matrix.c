/* SPDX-License-Identifier: MIT */
/*
 * The per-CPU vector matrix (include/msikit/matrix.h): allocation with the
 * most-free-CPU policy, global and managed reservations, CPU hotplug, and
 * the debug table. The caller serialises all calls.
 */
#include <msikit/matrix.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "base/alloc.h"
#include "base/error.h"

#define WORDS		(MSK_MATRIX_MAX_BITS / 64u)
#define NO_BIT		UINT_MAX
#define MAX_CPUS_LISTED 8u /* CPUs described one by one in an error message */

struct matrix_cpu {
	uint64_t alloc_map[WORDS];   /* allocated, managed or not */
	uint64_t managed_map[WORDS]; /* managed slots, allocated or not */
	unsigned int available;	     /* free bits of the allocation range */
	unsigned int allocated;	     /* bits in alloc_map */
	unsigned int managed;	     /* bits in managed_map */
	unsigned int managed_allocated;
	bool online;
};

struct msk_matrix {
	unsigned int nbits, alloc_start, alloc_end, alloc_size, ncpus;
	unsigned int system_bits, system_in_alloc;
	unsigned int online_cpus;
	unsigned int global_available; /* sum of available over online CPUs */
	unsigned int global_reserved;
	unsigned int total_allocated; /* sum of allocated over all CPUs */
	uint64_t range_map[WORDS];    /* [alloc_start, alloc_end) */
	uint64_t system_map[WORDS];
	struct matrix_cpu cpu[];
};

/* ---- bitmaps ------------------------------------------------------------- */

static bool bit_test(const uint64_t *map, unsigned int bit)
{
	return (map[bit / 64] >> (bit % 64)) & 1;
}

static void bit_set(uint64_t *map, unsigned int bit)
{
	map[bit / 64] |= 1ull << (bit % 64);
}

static void bit_clear(uint64_t *map, unsigned int bit)
{
	map[bit / 64] &= ~(1ull << (bit % 64));
}

/* The lowest bit of the allocation range neither system, managed nor allocated. */
static unsigned int lowest_free(const struct msk_matrix *m, const struct matrix_cpu *c)
{
	for (unsigned int w = 0; w < WORDS; w++) {
		uint64_t free =
			m->range_map[w] & ~(m->system_map[w] | c->managed_map[w] | c->alloc_map[w]);
		if (free)
			return w * 64 + (unsigned int)__builtin_ctzll(free);
	}
	return NO_BIT;
}

/* The lowest managed slot not allocated. */
static unsigned int lowest_managed_free(const struct matrix_cpu *c)
{
	for (unsigned int w = 0; w < WORDS; w++) {
		uint64_t free = c->managed_map[w] & ~c->alloc_map[w];
		if (free)
			return w * 64 + (unsigned int)__builtin_ctzll(free);
	}
	return NO_BIT;
}

/* ---- text ---------------------------------------------------------------- */

/* An snprintf-like sink: writes what fits, counts everything. */
struct sink {
	char *buf;
	size_t size, len;
};

static void sink_init(struct sink *s, char *buf, size_t size)
{
	s->buf = buf;
	s->size = size;
	s->len = 0;
	if (size)
		buf[0] = '\0';
}

__attribute__((format(printf, 2, 3))) static void sink_printf(struct sink *s, const char *fmt, ...)
{
	size_t room = s->len < s->size ? s->size - s->len : 0;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(room ? s->buf + s->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += (size_t)n;
}

/* A bitmap as a list: "32-35,128". */
static void sink_bits(struct sink *s, const uint64_t *map, unsigned int nbits)
{
	const char *sep = "";
	for (unsigned int b = 0; b < nbits; b++) {
		if (!bit_test(map, b))
			continue;
		unsigned int end = b;
		while (end + 1 < nbits && bit_test(map, end + 1))
			end++;
		if (end == b)
			sink_printf(s, "%s%u", sep, b);
		else
			sink_printf(s, "%s%u-%u", sep, b, end);
		sep = ",";
		b = end;
	}
}

typedef void (*describe_cpu_fn)(const struct msk_matrix *m, unsigned int cpu, struct sink *s);

/* "CPU 0 has 0 of 204 available, CPU 1 offline" for the first CPUs of mask. */
static void describe_cpus(const struct msk_matrix *m, const struct msk_cpumask *mask,
			  describe_cpu_fn fn, char *buf, size_t size)
{
	struct sink s;
	unsigned int cpu, n = 0, total = msk_cpumask_weight(mask);
	sink_init(&s, buf, size);
	msk_for_each_cpu(cpu, mask)
	{
		if (n == MAX_CPUS_LISTED) {
			sink_printf(&s, ", and %u more CPUs", total - n);
			break;
		}
		sink_printf(&s, "%s", n ? ", " : "");
		fn(m, cpu, &s);
		n++;
	}
}

static unsigned int capacity(const struct msk_matrix *m)
{
	return m->alloc_size - m->system_in_alloc;
}

static void describe_available(const struct msk_matrix *m, unsigned int cpu, struct sink *s)
{
	const struct matrix_cpu *c = &m->cpu[cpu];
	if (!c->online)
		sink_printf(s, "CPU %u offline", cpu);
	else
		sink_printf(s, "CPU %u has %u of %u available", cpu, c->available, capacity(m));
}

static void describe_managed(const struct msk_matrix *m, unsigned int cpu, struct sink *s)
{
	const struct matrix_cpu *c = &m->cpu[cpu];
	if (!c->online)
		sink_printf(s, "CPU %u offline", cpu);
	else if (!c->managed)
		sink_printf(s, "CPU %u has no managed slot", cpu);
	else
		sink_printf(s, "CPU %u has %u of %u managed slots allocated", cpu,
			    c->managed_allocated, c->managed);
}

/* ---- checks ---------------------------------------------------------------- */

static int check_cpu(const struct msk_matrix *m, unsigned int cpu, const char *what)
{
	if (cpu >= m->ncpus)
		return msk_err(MSK_EINVAL, "%s: CPU %u >= %u possible CPUs", what, cpu, m->ncpus);
	return 0;
}

static int check_mask(const struct msk_matrix *m, const struct msk_cpumask *mask, const char *what)
{
	char list[96];
	if (!mask || msk_cpumask_empty(mask))
		return msk_err(MSK_EINVAL, "%s: empty CPU mask", what);
	unsigned int beyond = msk_cpumask_next(mask, m->ncpus);
	if (beyond != MSK_CPU_NONE)
		return msk_err(MSK_EINVAL, "%s: CPU mask %s has CPU %u, only %u possible CPUs",
			       what, msk_cpumask_format(mask, list, sizeof(list)), beyond,
			       m->ncpus);
	return 0;
}

/*
 * May `n` free vectors of online CPUs be consumed without a reservation?
 * Keeps global_available >= global_reserved.
 */
static bool unreserved_fits(const struct msk_matrix *m, unsigned int n)
{
	return m->global_available >= m->global_reserved &&
	       m->global_available - m->global_reserved >= n;
}

/* ---- life cycle ------------------------------------------------------------ */

int msk_matrix_create(unsigned int nbits, unsigned int alloc_start, unsigned int alloc_end,
		      unsigned int ncpus, struct msk_matrix **out)
{
	if (!out)
		return msk_err(MSK_EINVAL, "matrix: no result pointer");
	if (nbits == 0 || nbits > MSK_MATRIX_MAX_BITS)
		return msk_err(MSK_EINVAL, "matrix: %u vectors per CPU, must be 1..%u", nbits,
			       MSK_MATRIX_MAX_BITS);
	if (alloc_start >= alloc_end || alloc_end > nbits)
		return msk_err(MSK_EINVAL,
			       "matrix: allocation range [%u, %u) not inside [0, %u) or empty",
			       alloc_start, alloc_end, nbits);
	if (ncpus == 0 || ncpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "matrix: %u CPUs, must be 1..%u", ncpus, MSK_MAX_CPUS);
	struct msk_matrix *m = msk_calloc(1, sizeof(*m) + ncpus * sizeof(struct matrix_cpu));
	if (!m)
		return msk_err(MSK_ENOMEM, "matrix: %u CPUs", ncpus);
	m->nbits = nbits;
	m->alloc_start = alloc_start;
	m->alloc_end = alloc_end;
	m->alloc_size = alloc_end - alloc_start;
	m->ncpus = ncpus;
	for (unsigned int b = alloc_start; b < alloc_end; b++)
		bit_set(m->range_map, b);
	for (unsigned int cpu = 0; cpu < ncpus; cpu++)
		m->cpu[cpu].available = m->alloc_size;
	*out = m;
	return 0;
}

void msk_matrix_destroy(struct msk_matrix *m)
{
	msk_free(m);
}

/* ---- system vectors -------------------------------------------------------- */

int msk_matrix_assign_system_range(struct msk_matrix *m, unsigned int first, unsigned int count)
{
	if (count == 0 || first >= m->nbits || count > m->nbits - first)
		return msk_err(MSK_EINVAL, "system vectors %u..%u: outside [0, %u) or none", first,
			       first + count - 1, m->nbits);
	unsigned int in_alloc = 0;
	for (unsigned int b = first; b < first + count; b++) {
		if (bit_test(m->system_map, b))
			return msk_err(MSK_EEXIST, "vector %u is already a system vector", b);
		if (bit_test(m->range_map, b))
			in_alloc++;
	}
	for (unsigned int cpu = 0; in_alloc && cpu < m->ncpus; cpu++) {
		const struct matrix_cpu *c = &m->cpu[cpu];
		for (unsigned int b = first; b < first + count; b++) {
			if (bit_test(c->alloc_map, b))
				return msk_err(MSK_EBUSY, "system vector %u is allocated on CPU %u",
					       b, cpu);
			if (bit_test(c->managed_map, b))
				return msk_err(MSK_EBUSY,
					       "system vector %u is a managed slot on CPU %u", b,
					       cpu);
		}
	}
	if (!unreserved_fits(m, in_alloc * m->online_cpus))
		return msk_err(MSK_ENOSPC,
			       "system vectors %u..%u take %u vectors of %u online CPUs: %u "
			       "available, %u reserved",
			       first, first + count - 1, in_alloc * m->online_cpus, m->online_cpus,
			       m->global_available, m->global_reserved);
	for (unsigned int b = first; b < first + count; b++)
		bit_set(m->system_map, b);
	m->system_bits += count;
	m->system_in_alloc += in_alloc;
	for (unsigned int cpu = 0; cpu < m->ncpus; cpu++)
		m->cpu[cpu].available -= in_alloc;
	m->global_available -= in_alloc * m->online_cpus;
	return 0;
}

int msk_matrix_assign_system(struct msk_matrix *m, unsigned int bit)
{
	return msk_matrix_assign_system_range(m, bit, 1);
}

/* ---- hotplug --------------------------------------------------------------- */

int msk_matrix_online(struct msk_matrix *m, unsigned int cpu)
{
	int rc = check_cpu(m, cpu, "online");
	if (rc)
		return rc;
	struct matrix_cpu *c = &m->cpu[cpu];
	if (c->online)
		return msk_err(MSK_EALREADY, "CPU %u is already online", cpu);
	c->online = true;
	m->online_cpus++;
	m->global_available += c->available;
	return 0;
}

int msk_matrix_offline(struct msk_matrix *m, unsigned int cpu)
{
	int rc = check_cpu(m, cpu, "offline");
	if (rc)
		return rc;
	struct matrix_cpu *c = &m->cpu[cpu];
	if (!c->online)
		return msk_err(MSK_EALREADY, "CPU %u is already offline", cpu);
	c->online = false;
	m->online_cpus--;
	m->global_available -= c->available;
	return 0;
}

int msk_matrix_can_offline(const struct msk_matrix *m, unsigned int cpu,
			   struct msk_matrix_offline_check *check)
{
	int rc = check_cpu(m, cpu, "can offline");
	if (rc)
		return rc;
	const struct matrix_cpu *c = &m->cpu[cpu];
	if (!c->online)
		return msk_err(MSK_EINVAL, "can offline: CPU %u is not online", cpu);
	struct msk_matrix_offline_check r;
	r.to_move = c->allocated - c->managed_allocated;
	r.available = m->global_available - c->available;
	r.reserved = m->global_reserved;
	r.reservations_at_risk = r.available < r.to_move || r.available - r.to_move < r.reserved;
	if (check)
		*check = r;
	if (r.available < r.to_move)
		return msk_err(MSK_ENOSPC,
			       "CPU %u has %u vectors, %u available on the other %u "
			       "online CPUs",
			       cpu, r.to_move, r.available, m->online_cpus - 1);
	return 0;
}

/* ---- global reservations ------------------------------------------------- */

int msk_matrix_reserve(struct msk_matrix *m)
{
	if (m->global_reserved >= m->global_available)
		return msk_err(MSK_ENOSPC,
			       "cannot reserve a vector: %u available on %u online CPUs, %u "
			       "already reserved",
			       m->global_available, m->online_cpus, m->global_reserved);
	m->global_reserved++;
	return 0;
}

int msk_matrix_remove_reserved(struct msk_matrix *m)
{
	if (!m->global_reserved)
		return msk_err(MSK_EINVAL, "no global vector reservation to remove");
	m->global_reserved--;
	return 0;
}

/* Counters say there is a free bit but the maps have none: a corrupted matrix. */
static int inconsistent(unsigned int cpu, const char *what, unsigned int count)
{
	return msk_err(MSK_EIO, "matrix corrupted: CPU %u counts %u %s but has no such vector", cpu,
		       count, what);
}

/* ---- managed slots --------------------------------------------------------- */

int msk_matrix_reserve_managed(struct msk_matrix *m, const struct msk_cpumask *mask)
{
	char list[96];
	unsigned int cpu, online = 0;
	int rc = check_mask(m, mask, "managed reservation");
	if (rc)
		return rc;
	msk_cpumask_format(mask, list, sizeof(list));
	msk_for_each_cpu(cpu, mask)
	{
		const struct matrix_cpu *c = &m->cpu[cpu];
		if (!c->available)
			return msk_err(MSK_ENOSPC,
				       "no managed slot on CPUs %s: CPU %u has 0 of %u available",
				       list, cpu, capacity(m));
		if (lowest_free(m, c) == NO_BIT)
			return inconsistent(cpu, "available", c->available);
		online += c->online;
	}
	if (!unreserved_fits(m, online))
		return msk_err(MSK_ENOSPC,
			       "managed reservation on CPUs %s takes %u vectors of online CPUs: "
			       "%u available, %u reserved",
			       list, online, m->global_available, m->global_reserved);
	msk_for_each_cpu(cpu, mask)
	{
		struct matrix_cpu *c = &m->cpu[cpu];
		bit_set(c->managed_map, lowest_free(m, c));
		c->managed++;
		c->available--;
		if (c->online)
			m->global_available--;
	}
	return 0;
}

int msk_matrix_remove_managed(struct msk_matrix *m, const struct msk_cpumask *mask)
{
	unsigned int cpu;
	int rc = check_mask(m, mask, "managed removal");
	if (rc)
		return rc;
	msk_for_each_cpu(cpu, mask)
	{
		const struct matrix_cpu *c = &m->cpu[cpu];
		if (!c->managed)
			return msk_err(MSK_EINVAL, "managed removal: CPU %u has no managed slot",
				       cpu);
		if (c->managed_allocated == c->managed)
			return msk_err(MSK_EBUSY,
				       "managed removal: all %u managed slots of CPU %u are "
				       "allocated",
				       c->managed, cpu);
		if (lowest_managed_free(c) == NO_BIT)
			return inconsistent(cpu, "free managed slots",
					    c->managed - c->managed_allocated);
	}
	msk_for_each_cpu(cpu, mask)
	{
		struct matrix_cpu *c = &m->cpu[cpu];
		bit_clear(c->managed_map, lowest_managed_free(c));
		c->managed--;
		c->available++;
		if (c->online)
			m->global_available++;
	}
	return 0;
}

/* ---- allocation ------------------------------------------------------------ */

int msk_matrix_alloc(struct msk_matrix *m, const struct msk_cpumask *mask, bool reserved,
		     unsigned int *cpu_out)
{
	char list[96], detail[320];
	unsigned int cpu, best = MSK_CPU_NONE, most = 0;
	int rc = check_mask(m, mask, "vector allocation");
	if (rc)
		return rc;
	if (!cpu_out)
		return msk_err(MSK_EINVAL, "vector allocation: no CPU result pointer");
	if (reserved && !m->global_reserved)
		return msk_err(MSK_EINVAL, "reserved vector allocation without a global "
					   "reservation");
	msk_for_each_cpu(cpu, mask)
	{
		const struct matrix_cpu *c = &m->cpu[cpu];
		if (c->online && c->available > most) {
			best = cpu;
			most = c->available;
		}
	}
	if (best == MSK_CPU_NONE) {
		describe_cpus(m, mask, describe_available, detail, sizeof(detail));
		return msk_err(MSK_ENOSPC, "no vector on CPUs %s: %s",
			       msk_cpumask_format(mask, list, sizeof(list)), detail);
	}
	if (!reserved && !unreserved_fits(m, 1))
		return msk_err(MSK_ENOSPC,
			       "no unreserved vector on CPUs %s: %u available on %u online "
			       "CPUs, %u of them reserved",
			       msk_cpumask_format(mask, list, sizeof(list)), m->global_available,
			       m->online_cpus, m->global_reserved);
	struct matrix_cpu *c = &m->cpu[best];
	unsigned int bit = lowest_free(m, c);
	if (bit == NO_BIT)
		return inconsistent(best, "available", c->available);
	bit_set(c->alloc_map, bit);
	c->allocated++;
	c->available--;
	m->total_allocated++;
	m->global_available--;
	if (reserved)
		m->global_reserved--;
	*cpu_out = best;
	return (int)bit;
}

int msk_matrix_alloc_managed(struct msk_matrix *m, const struct msk_cpumask *mask,
			     unsigned int *cpu_out)
{
	char list[96], detail[320];
	unsigned int cpu, best = MSK_CPU_NONE, fewest = UINT_MAX;
	int rc = check_mask(m, mask, "managed vector allocation");
	if (rc)
		return rc;
	if (!cpu_out)
		return msk_err(MSK_EINVAL, "managed vector allocation: no CPU result pointer");
	msk_for_each_cpu(cpu, mask)
	{
		const struct matrix_cpu *c = &m->cpu[cpu];
		if (c->online && c->managed_allocated < c->managed &&
		    c->managed_allocated < fewest) {
			best = cpu;
			fewest = c->managed_allocated;
		}
	}
	if (best == MSK_CPU_NONE) {
		describe_cpus(m, mask, describe_managed, detail, sizeof(detail));
		return msk_err(MSK_ENOSPC, "no reserved managed vector on CPUs %s: %s",
			       msk_cpumask_format(mask, list, sizeof(list)), detail);
	}
	struct matrix_cpu *c = &m->cpu[best];
	unsigned int bit = lowest_managed_free(c);
	if (bit == NO_BIT)
		return inconsistent(best, "free managed slots", c->managed - c->managed_allocated);
	bit_set(c->alloc_map, bit);
	c->allocated++;
	c->managed_allocated++;
	m->total_allocated++;
	*cpu_out = best;
	return (int)bit;
}

static const char *const bit_names[] = {
	[MSK_MATRIX_BIT_OUTSIDE] = "outside the allocation range",
	[MSK_MATRIX_BIT_SYSTEM] = "a system vector",
	[MSK_MATRIX_BIT_FREE] = "free",
	[MSK_MATRIX_BIT_MANAGED] = "a reserved managed slot",
	[MSK_MATRIX_BIT_MANAGED_ALLOCATED] = "an allocated managed vector",
	[MSK_MATRIX_BIT_ALLOCATED] = "allocated",
};

static enum msk_matrix_bit state_of(const struct msk_matrix *m, const struct matrix_cpu *c,
				    unsigned int bit)
{
	if (bit_test(m->system_map, bit))
		return MSK_MATRIX_BIT_SYSTEM;
	if (!bit_test(m->range_map, bit))
		return MSK_MATRIX_BIT_OUTSIDE;
	bool alloc = bit_test(c->alloc_map, bit), managed = bit_test(c->managed_map, bit);
	if (alloc)
		return managed ? MSK_MATRIX_BIT_MANAGED_ALLOCATED : MSK_MATRIX_BIT_ALLOCATED;
	return managed ? MSK_MATRIX_BIT_MANAGED : MSK_MATRIX_BIT_FREE;
}

int msk_matrix_assign(struct msk_matrix *m, unsigned int cpu, unsigned int bit)
{
	int rc = check_cpu(m, cpu, "vector assignment");
	if (rc)
		return rc;
	if (bit >= m->nbits || !bit_test(m->range_map, bit))
		return msk_err(MSK_EINVAL, "vector assignment: vector %u outside [%u, %u)", bit,
			       m->alloc_start, m->alloc_end);
	struct matrix_cpu *c = &m->cpu[cpu];
	enum msk_matrix_bit st = state_of(m, c, bit);
	if (st != MSK_MATRIX_BIT_FREE)
		return msk_err(MSK_EBUSY, "vector assignment: vector %u on CPU %u is %s", bit, cpu,
			       bit_names[st]);
	if (c->online && !unreserved_fits(m, 1))
		return msk_err(MSK_ENOSPC,
			       "vector assignment: vector %u on CPU %u: %u available on online "
			       "CPUs, all reserved",
			       bit, cpu, m->global_available);
	bit_set(c->alloc_map, bit);
	c->allocated++;
	c->available--;
	m->total_allocated++;
	if (c->online)
		m->global_available--;
	return 0;
}

int msk_matrix_free(struct msk_matrix *m, unsigned int cpu, unsigned int bit, bool managed)
{
	int rc = check_cpu(m, cpu, "vector free");
	if (rc)
		return rc;
	if (bit >= m->nbits || !bit_test(m->range_map, bit))
		return msk_err(MSK_EINVAL, "vector free: vector %u outside [%u, %u)", bit,
			       m->alloc_start, m->alloc_end);
	struct matrix_cpu *c = &m->cpu[cpu];
	enum msk_matrix_bit st = state_of(m, c, bit);
	if (st != MSK_MATRIX_BIT_ALLOCATED && st != MSK_MATRIX_BIT_MANAGED_ALLOCATED)
		return msk_err(MSK_EINVAL, "vector free: vector %u on CPU %u is %s, not allocated",
			       bit, cpu, bit_names[st]);
	if (managed != (st == MSK_MATRIX_BIT_MANAGED_ALLOCATED))
		return msk_err(MSK_EINVAL, "vector free: vector %u on CPU %u is %s, freed as %s",
			       bit, cpu, bit_names[st], managed ? "managed" : "not managed");
	bit_clear(c->alloc_map, bit);
	c->allocated--;
	m->total_allocated--;
	if (managed) {
		c->managed_allocated--;
	} else {
		c->available++;
		if (c->online)
			m->global_available++;
	}
	return 0;
}

/* ---- inspection ------------------------------------------------------------ */

void msk_matrix_stats(const struct msk_matrix *m, struct msk_matrix_stats *out)
{
	out->nbits = m->nbits;
	out->alloc_start = m->alloc_start;
	out->alloc_end = m->alloc_end;
	out->alloc_size = m->alloc_size;
	out->system_bits = m->system_bits;
	out->system_in_alloc = m->system_in_alloc;
	out->ncpus = m->ncpus;
	out->online_cpus = m->online_cpus;
	out->global_available = m->global_available;
	out->global_reserved = m->global_reserved;
	out->total_allocated = m->total_allocated;
}

int msk_matrix_cpu_stats(const struct msk_matrix *m, unsigned int cpu,
			 struct msk_matrix_cpu_stats *out)
{
	int rc = check_cpu(m, cpu, "CPU stats");
	if (rc)
		return rc;
	const struct matrix_cpu *c = &m->cpu[cpu];
	out->available = c->available;
	out->allocated = c->allocated;
	out->managed = c->managed;
	out->managed_allocated = c->managed_allocated;
	out->online = c->online;
	return 0;
}

int msk_matrix_bit_state(const struct msk_matrix *m, unsigned int cpu, unsigned int bit)
{
	int rc = check_cpu(m, cpu, "vector state");
	if (rc)
		return rc;
	if (bit >= m->nbits)
		return msk_err(MSK_EINVAL, "vector state: vector %u >= %u", bit, m->nbits);
	return (int)state_of(m, &m->cpu[cpu], bit);
}

size_t msk_matrix_dump(const struct msk_matrix *m, char *buf, size_t size)
{
	struct sink s;
	sink_init(&s, buf, size);
	sink_printf(&s, "Online bitmaps:   %6u\n", m->online_cpus);
	sink_printf(&s, "Global available: %6u\n", m->global_available);
	sink_printf(&s, "Global reserved:  %6u\n", m->global_reserved);
	sink_printf(&s, "Total allocated:  %6u\n", m->total_allocated);
	sink_printf(&s, "System: %u: ", m->system_bits);
	sink_bits(&s, m->system_map, m->nbits);
	sink_printf(&s, "\n | CPU | avl | man | mac | act | vectors\n");
	for (unsigned int cpu = 0; cpu < m->ncpus; cpu++) {
		const struct matrix_cpu *c = &m->cpu[cpu];
		if (!c->online)
			continue;
		sink_printf(&s, " %5u %5u %5u %5u %5u   ", cpu, c->available, c->managed,
			    c->managed_allocated, c->allocated);
		sink_bits(&s, c->alloc_map, m->nbits);
		sink_printf(&s, "\n");
	}
	return s.len;
}
