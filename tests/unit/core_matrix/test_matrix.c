/* SPDX-License-Identifier: MIT */
/* The per-CPU vector matrix: policy, reservations, managed slots, hotplug, errors. */
#include "msk_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define X86_START 0x20u
#define X86_END	  0xecu			/* FIRST_SYSTEM_VECTOR */
#define X86_SIZE  (X86_END - X86_START) /* 204 */

static struct msk_cpumask cpus(const char *list)
{
	struct msk_cpumask m;
	if (msk_cpumask_parse(list, &m) < 0)
		fail_msg("bad CPU list %s", list);
	return m;
}

/* An x86-shaped matrix with `ncpus` CPUs, all online, 0x80 reserved if asked. */
static struct msk_matrix *x86_matrix(unsigned int ncpus, bool syscall_vector)
{
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, X86_START, X86_END, ncpus, &m));
	if (syscall_vector)
		assert_msk_ok(msk_matrix_assign_system(m, 0x80));
	for (unsigned int c = 0; c < ncpus; c++)
		assert_msk_ok(msk_matrix_online(m, c));
	return m;
}

static struct msk_matrix_cpu_stats cpu_stats(const struct msk_matrix *m, unsigned int cpu)
{
	struct msk_matrix_cpu_stats s;
	assert_msk_ok(msk_matrix_cpu_stats(m, cpu, &s));
	return s;
}

static struct msk_matrix_stats stats(const struct msk_matrix *m)
{
	struct msk_matrix_stats s;
	msk_matrix_stats(m, &s);
	return s;
}

static int alloc_on(struct msk_matrix *m, const char *list, unsigned int *cpu)
{
	struct msk_cpumask mask = cpus(list);
	return msk_matrix_alloc(m, &mask, false, cpu);
}

/* Everything observable about a matrix, to check that a failed call changed nothing. */
struct snap {
	struct msk_matrix_stats g;
	struct msk_matrix_cpu_stats c[16];
	unsigned char bits[16][256];
	char dump[8192];
};

static void snap_take(const struct msk_matrix *m, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	msk_matrix_stats(m, &s->g);
	assert_true(s->g.ncpus <= 16);
	for (unsigned int c = 0; c < s->g.ncpus; c++) {
		s->c[c] = cpu_stats(m, c);
		for (unsigned int b = 0; b < s->g.nbits; b++) {
			int st = msk_matrix_bit_state(m, c, b);
			assert_true(st >= 0);
			s->bits[c][b] = (unsigned char)st;
		}
	}
	assert_true(msk_matrix_dump(m, s->dump, sizeof(s->dump)) < sizeof(s->dump));
}

static void assert_unchanged(const struct msk_matrix *m, const struct snap *before)
{
	struct snap *now = malloc(sizeof(*now));
	assert_non_null(now);
	snap_take(m, now);
	assert_memory_equal(&now->g, &before->g, sizeof(now->g));
	for (unsigned int c = 0; c < before->g.ncpus; c++) {
		assert_int_equal(now->c[c].available, before->c[c].available);
		assert_int_equal(now->c[c].allocated, before->c[c].allocated);
		assert_int_equal(now->c[c].managed, before->c[c].managed);
		assert_int_equal(now->c[c].managed_allocated, before->c[c].managed_allocated);
		assert_int_equal(now->c[c].online, before->c[c].online);
	}
	assert_memory_equal(now->bits, before->bits, sizeof(now->bits));
	assert_string_equal(now->dump, before->dump);
	free(now);
}

/* The counters agree with the per-vector states, and the global ones with the per-CPU ones. */
static void check_invariants(const struct msk_matrix *m)
{
	struct msk_matrix_stats g = stats(m);
	unsigned int sum_avl = 0, sum_alloc = 0, online = 0;
	for (unsigned int c = 0; c < g.ncpus; c++) {
		struct msk_matrix_cpu_stats s = cpu_stats(m, c);
		unsigned int n[6] = { 0 };
		for (unsigned int b = 0; b < g.nbits; b++)
			n[msk_matrix_bit_state(m, c, b)]++;
		assert_int_equal(n[MSK_MATRIX_BIT_FREE], s.available);
		assert_int_equal(n[MSK_MATRIX_BIT_ALLOCATED] + n[MSK_MATRIX_BIT_MANAGED_ALLOCATED],
				 s.allocated);
		assert_int_equal(n[MSK_MATRIX_BIT_MANAGED] + n[MSK_MATRIX_BIT_MANAGED_ALLOCATED],
				 s.managed);
		assert_int_equal(n[MSK_MATRIX_BIT_MANAGED_ALLOCATED], s.managed_allocated);
		assert_int_equal(n[MSK_MATRIX_BIT_SYSTEM], g.system_bits);
		assert_int_equal(s.available + s.managed + s.allocated - s.managed_allocated +
					 g.system_in_alloc,
				 g.alloc_size);
		if (s.online) {
			sum_avl += s.available;
			online++;
		}
		sum_alloc += s.allocated;
	}
	assert_int_equal(g.global_available, sum_avl);
	assert_int_equal(g.total_allocated, sum_alloc);
	assert_int_equal(g.online_cpus, online);
}

static void assert_error_is(const char *want)
{
	assert_string_equal(msk_last_error(), want);
}

/* ---- creation and geometry ------------------------------------------------ */

static void test_create_rejects_bad_geometry(void **state)
{
	(void)state;
	struct msk_matrix *m = (struct msk_matrix *)0x1;
	assert_msk_error(msk_matrix_create(0, 0, 1, 1, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(257, 0x20, 0xec, 1, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(256, 0x20, 0x20, 1, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(256, 0x30, 0x20, 1, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(128, 0x20, 0x81, 1, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(256, 0x20, 0xec, 0, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(256, 0x20, 0xec, MSK_MAX_CPUS + 1, &m), MSK_EINVAL);
	assert_msk_error(msk_matrix_create(256, 0x20, 0xec, 1, NULL), MSK_EINVAL);
	assert_ptr_equal(m, (struct msk_matrix *)0x1);
	msk_matrix_destroy(NULL);
}

static void test_create_out_of_memory(void **state)
{
	(void)state;
	struct msk_matrix *m = (struct msk_matrix *)0x1;
	msk_fault_reset();
	msk_fault_fail_alloc(1);
	assert_msk_error(msk_matrix_create(256, X86_START, X86_END, 8, &m), MSK_ENOMEM);
	assert_ptr_equal(m, (struct msk_matrix *)0x1);
	assert_int_equal(msk_fault_injected_count(), 1);
	msk_fault_reset();
	assert_msk_ok(msk_matrix_create(256, X86_START, X86_END, 8, &m));
	assert_int_equal(msk_fault_alloc_count(), 1); /* one allocation, at creation only */
	unsigned int cpu;
	assert_msk_ok(msk_matrix_online(m, 0));
	struct msk_cpumask zero = cpus("0");
	assert_msk_ok(msk_matrix_reserve_managed(m, &zero));
	assert_true(msk_matrix_alloc(m, &zero, false, &cpu) >= 0);
	assert_true(msk_matrix_alloc_managed(m, &zero, &cpu) >= 0);
	assert_int_equal(msk_fault_alloc_count(), 1);
	msk_fault_reset();
	msk_matrix_destroy(m);
}

static void test_fresh_matrix_counts(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, X86_START, X86_END, 4, &m));
	struct msk_matrix_stats g = stats(m);
	assert_int_equal(g.alloc_size, 204);
	assert_int_equal(g.ncpus, 4);
	assert_int_equal(g.online_cpus, 0);
	assert_int_equal(g.global_available, 0); /* offline CPUs do not count */
	assert_int_equal(cpu_stats(m, 3).available, 204);
	assert_false(cpu_stats(m, 3).online);
	assert_msk_ok(msk_matrix_online(m, 1));
	assert_msk_ok(msk_matrix_online(m, 3));
	g = stats(m);
	assert_int_equal(g.online_cpus, 2);
	assert_int_equal(g.global_available, 408);
	assert_int_equal(g.total_allocated, 0);
	assert_int_equal(msk_matrix_bit_state(m, 0, 0x1f), MSK_MATRIX_BIT_OUTSIDE);
	assert_int_equal(msk_matrix_bit_state(m, 0, 0x20), MSK_MATRIX_BIT_FREE);
	assert_int_equal(msk_matrix_bit_state(m, 0, 0xec), MSK_MATRIX_BIT_OUTSIDE);
	assert_msk_error(msk_matrix_bit_state(m, 4, 0x20), MSK_EINVAL);
	assert_msk_error(msk_matrix_bit_state(m, 0, 256), MSK_EINVAL);
	assert_msk_error(msk_matrix_cpu_stats(m, 4, &(struct msk_matrix_cpu_stats){ 0 }),
			 MSK_EINVAL);
	check_invariants(m);
	msk_matrix_destroy(m);
}

/* ---- system vectors -------------------------------------------------------- */

static void test_system_vectors_reserved_everywhere(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, true);
	assert_int_equal(cpu_stats(m, 0).available, 203);
	assert_int_equal(stats(m).global_available, 406);
	assert_int_equal(msk_matrix_bit_state(m, 1, 0x80), MSK_MATRIX_BIT_SYSTEM);
	/* ISA vectors 0x30..0x3f, and system vectors outside the range. */
	assert_msk_ok(msk_matrix_assign_system_range(m, 0x30, 16));
	assert_msk_ok(msk_matrix_assign_system_range(m, X86_END, 256 - X86_END));
	struct msk_matrix_stats g = stats(m);
	assert_int_equal(g.system_bits, 1 + 16 + 20);
	assert_int_equal(g.system_in_alloc, 17);
	assert_int_equal(cpu_stats(m, 0).available, 187);
	assert_int_equal(g.global_available, 374);
	check_invariants(m);

	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_assign_system(m, 0x80), MSK_EEXIST);
	assert_error_is("EEXIST: vector 128 is already a system vector");
	assert_msk_error(msk_matrix_assign_system_range(m, 0x40, 0x41), MSK_EEXIST); /* hits 0x80 */
	assert_msk_error(msk_matrix_assign_system(m, 256), MSK_EINVAL);
	assert_msk_error(msk_matrix_assign_system_range(m, 0xf0, 17), MSK_EINVAL);
	assert_msk_error(msk_matrix_assign_system_range(m, 0x20, 0), MSK_EINVAL);
	assert_unchanged(m, s);

	/* Never handed out: drain CPU 0 completely. */
	unsigned int cpu, n = 0;
	int bit;
	while ((bit = alloc_on(m, "0", &cpu)) >= 0) {
		assert_int_equal(cpu, 0);
		assert_true(bit >= 0x20 && bit < 0xec);
		assert_true(bit != 0x80 && (bit < 0x30 || bit > 0x3f));
		n++;
	}
	assert_int_equal(n, 187);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_system_vector_refused_when_in_use(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(3, false);
	unsigned int cpu;
	assert_int_equal(alloc_on(m, "2", &cpu), 0x20);
	struct msk_cpumask one = cpus("1");
	assert_msk_ok(msk_matrix_reserve_managed(m, &one)); /* managed slot 0x20 on CPU 1 */
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_assign_system(m, 0x20), MSK_EBUSY);
	assert_error_is("EBUSY: system vector 32 is a managed slot on CPU 1");
	assert_msk_ok(msk_matrix_remove_managed(m, &one));
	snap_take(m, s);
	assert_msk_error(msk_matrix_assign_system_range(m, 0x1f, 2), MSK_EBUSY);
	assert_error_is("EBUSY: system vector 32 is allocated on CPU 2");
	assert_unchanged(m, s);
	free(s);
	msk_matrix_destroy(m);
}

static void test_system_vector_respects_reservations(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, 0x20, 0x24, 2, &m)); /* 4 vectors per CPU */
	assert_msk_ok(msk_matrix_online(m, 0));
	assert_msk_ok(msk_matrix_online(m, 1));
	for (int i = 0; i < 7; i++)
		assert_msk_ok(msk_matrix_reserve(m));
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	/* A system vector costs one vector on each of the 2 online CPUs: 8 - 2 < 7. */
	assert_msk_error(msk_matrix_assign_system(m, 0x21), MSK_ENOSPC);
	assert_error_is("ENOSPC: system vectors 33..33 take 2 vectors of 2 online CPUs: 8 "
			"available, 7 reserved");
	assert_unchanged(m, s);
	assert_msk_ok(msk_matrix_remove_reserved(m));
	assert_msk_ok(msk_matrix_assign_system(m, 0x21));
	assert_int_equal(stats(m).global_available, 6);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

/* ---- allocation policy ----------------------------------------------------- */

static void test_lowest_free_vector_first(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(1, false);
	unsigned int cpu;
	assert_int_equal(alloc_on(m, "0", &cpu), 0x20);
	assert_int_equal(alloc_on(m, "0", &cpu), 0x21);
	assert_int_equal(alloc_on(m, "0", &cpu), 0x22);
	assert_msk_ok(msk_matrix_free(m, 0, 0x21, false));
	assert_int_equal(msk_matrix_bit_state(m, 0, 0x21), MSK_MATRIX_BIT_FREE);
	assert_int_equal(alloc_on(m, "0", &cpu), 0x21);
	assert_int_equal(alloc_on(m, "0", &cpu), 0x23);
	assert_int_equal(cpu_stats(m, 0).allocated, 4);
	assert_int_equal(cpu_stats(m, 0).available, 200);
	check_invariants(m);
	msk_matrix_destroy(m);
}

static void test_most_free_cpu_chosen(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, false);
	unsigned int cpu;
	for (int i = 0; i < 10; i++)
		assert_true(alloc_on(m, "0", &cpu) >= 0);
	for (int i = 0; i < 3; i++)
		assert_true(alloc_on(m, "1", &cpu) >= 0);
	/* CPU 0: 194 available, CPU 1: 201 -> CPU 1, seven times, then both have 194. */
	for (int i = 0; i < 7; i++) {
		cpu = 99;
		assert_int_equal(alloc_on(m, "0-1", &cpu), 0x23 + i);
		assert_int_equal(cpu, 1);
	}
	assert_int_equal(cpu_stats(m, 0).available, cpu_stats(m, 1).available);
	/* Tie: the lowest CPU, then they alternate. */
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x2a);
	assert_int_equal(cpu, 0);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x2a);
	assert_int_equal(cpu, 1);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x2b);
	assert_int_equal(cpu, 0);
	check_invariants(m);
	msk_matrix_destroy(m);
}

static void test_ties_go_to_lowest_cpu_of_mask(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(4, false);
	unsigned int cpu;
	assert_int_equal(alloc_on(m, "1,3", &cpu), 0x20);
	assert_int_equal(cpu, 1);
	assert_int_equal(alloc_on(m, "1,3", &cpu), 0x20);
	assert_int_equal(cpu, 3);
	assert_int_equal(alloc_on(m, "1-3", &cpu), 0x20); /* CPU 2 has the most */
	assert_int_equal(cpu, 2);
	assert_int_equal(alloc_on(m, "0-3", &cpu), 0x20);
	assert_int_equal(cpu, 0);
	assert_int_equal(alloc_on(m, "3,2", &cpu), 0x21);
	assert_int_equal(cpu, 2);
	msk_matrix_destroy(m);
}

static void test_offline_cpus_skipped(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, false);
	unsigned int cpu;
	assert_msk_ok(msk_matrix_offline(m, 0));
	assert_int_equal(stats(m).global_available, 204);
	assert_int_equal(stats(m).online_cpus, 1);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x20); /* CPU 0 has more, but is offline */
	assert_int_equal(cpu, 1);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	cpu = 77;
	assert_msk_error(alloc_on(m, "0", &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no vector on CPUs 0: CPU 0 offline");
	assert_int_equal(cpu, 77);
	assert_msk_error(msk_matrix_offline(m, 0), MSK_EALREADY);
	assert_msk_error(msk_matrix_offline(m, 2), MSK_EINVAL);
	assert_msk_error(msk_matrix_online(m, 1), MSK_EALREADY);
	assert_msk_error(msk_matrix_online(m, 256), MSK_EINVAL);
	assert_unchanged(m, s);
	assert_msk_ok(msk_matrix_online(m, 0));
	assert_int_equal(stats(m).global_available, 204 + 203);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x20);
	assert_int_equal(cpu, 0);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void exhaust_two_cpus(bool syscall_vector, unsigned int per_cpu)
{
	struct msk_matrix *m = x86_matrix(2, syscall_vector);
	static bool seen[2][256];
	memset(seen, 0, sizeof(seen));
	unsigned int n = 0, cpu;
	int bit;
	while ((bit = alloc_on(m, "0-1", &cpu)) >= 0) {
		assert_true(cpu < 2);
		assert_false(seen[cpu][bit]);
		seen[cpu][bit] = true;
		n++;
	}
	assert_int_equal(n, 2 * per_cpu);
	assert_int_equal(stats(m).total_allocated, 2 * per_cpu);
	assert_int_equal(stats(m).global_available, 0);
	check_invariants(m);

	char want[200];
	snprintf(want, sizeof(want),
		 "ENOSPC: no vector on CPUs 0-1: CPU 0 has 0 of %u available, CPU 1 has 0 of %u "
		 "available",
		 per_cpu, per_cpu);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	cpu = 55;
	assert_msk_error(alloc_on(m, "0-1", &cpu), MSK_ENOSPC);
	assert_error_is(want);
	assert_int_equal(cpu, 55);
	struct msk_cpumask both = cpus("0-1");
	assert_msk_error(msk_matrix_reserve_managed(m, &both), MSK_ENOSPC);
	assert_msk_error(msk_matrix_reserve(m), MSK_ENOSPC);
	assert_unchanged(m, s);

	/* Recovery: a freed vector is the next one handed out. */
	assert_msk_ok(msk_matrix_free(m, 1, 0x55, false));
	assert_int_equal(stats(m).global_available, 1);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x55);
	assert_int_equal(cpu, 1);
	assert_msk_error(alloc_on(m, "0-1", &cpu), MSK_ENOSPC);
	assert_msk_ok(msk_matrix_free(m, 0, 0x20, false));
	assert_msk_ok(msk_matrix_free(m, 0, 0xeb, false));
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x20);
	assert_int_equal(alloc_on(m, "1,0", &cpu), 0xeb);
	assert_int_equal(cpu, 0);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_exhaustion_two_cpus(void **state)
{
	(void)state;
	exhaust_two_cpus(false, 204);
}

static void test_exhaustion_two_cpus_with_syscall_vector(void **state)
{
	(void)state;
	exhaust_two_cpus(true, 203);
}

static void test_enospc_message_lists_at_most_eight_cpus(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, 0x20, 0xec, 12, &m));
	unsigned int cpu;
	assert_msk_error(alloc_on(m, "0-11", &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no vector on CPUs 0-11: CPU 0 offline, CPU 1 offline, CPU 2 "
			"offline, CPU 3 offline, CPU 4 offline, CPU 5 offline, CPU 6 offline, CPU "
			"7 offline, and 4 more CPUs");
	msk_matrix_destroy(m);
}

static void test_bad_masks_rejected(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(4, false);
	struct msk_cpumask empty, beyond = cpus("2,5");
	msk_cpumask_clear(&empty);
	unsigned int cpu;
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_alloc(m, &empty, false, &cpu), MSK_EINVAL);
	assert_error_is("EINVAL: vector allocation: empty CPU mask");
	assert_msk_error(msk_matrix_alloc(m, &beyond, false, &cpu), MSK_EINVAL);
	assert_error_is("EINVAL: vector allocation: CPU mask 2,5 has CPU 5, only 4 possible CPUs");
	assert_msk_error(msk_matrix_alloc(m, NULL, false, &cpu), MSK_EINVAL);
	struct msk_cpumask ok = cpus("0");
	assert_msk_error(msk_matrix_alloc(m, &ok, false, NULL), MSK_EINVAL);
	assert_msk_error(msk_matrix_alloc_managed(m, &empty, &cpu), MSK_EINVAL);
	assert_msk_error(msk_matrix_alloc_managed(m, &ok, NULL), MSK_EINVAL);
	assert_msk_error(msk_matrix_reserve_managed(m, &beyond), MSK_EINVAL);
	assert_msk_error(msk_matrix_remove_managed(m, &empty), MSK_EINVAL);
	assert_unchanged(m, s);
	free(s);
	msk_matrix_destroy(m);
}

/* ---- global reservations --------------------------------------------------- */

static void test_global_reservation_guarantees_allocation(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(1, false);
	unsigned int cpu;
	for (int i = 0; i < 3; i++)
		assert_msk_ok(msk_matrix_reserve(m));
	assert_int_equal(stats(m).global_reserved, 3);
	assert_int_equal(stats(m).global_available, 204); /* a reservation is a counter */
	for (int i = 0; i < 201; i++)
		assert_true(alloc_on(m, "0", &cpu) >= 0);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(alloc_on(m, "0", &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no unreserved vector on CPUs 0: 3 available on 1 online CPUs, 3 "
			"of them reserved");
	struct msk_cpumask zero = cpus("0");
	assert_msk_error(msk_matrix_assign(m, 0, 0xeb), MSK_ENOSPC);
	assert_msk_error(msk_matrix_reserve_managed(m, &zero), MSK_ENOSPC);
	assert_error_is("ENOSPC: managed reservation on CPUs 0 takes 1 vectors of online CPUs: 3 "
			"available, 3 reserved");
	assert_msk_error(msk_matrix_reserve(m), MSK_ENOSPC);
	assert_error_is("ENOSPC: cannot reserve a vector: 3 available on 1 online CPUs, 3 already "
			"reserved");
	assert_unchanged(m, s);
	/* The reserved allocations still succeed and consume the reservations. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(msk_matrix_alloc(m, &zero, true, &cpu), 0x20 + 201 + i);
		assert_int_equal(stats(m).global_reserved, 2 - i);
	}
	assert_int_equal(stats(m).global_available, 0);
	snap_take(m, s);
	assert_msk_error(msk_matrix_alloc(m, &zero, true, &cpu), MSK_EINVAL);
	assert_error_is("EINVAL: reserved vector allocation without a global reservation");
	assert_msk_error(msk_matrix_remove_reserved(m), MSK_EINVAL);
	assert_unchanged(m, s);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_reservation_removed_frees_room(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, 0x20, 0x22, 1, &m)); /* 2 vectors */
	assert_msk_ok(msk_matrix_online(m, 0));
	unsigned int cpu;
	assert_msk_ok(msk_matrix_reserve(m));
	assert_msk_ok(msk_matrix_reserve(m));
	assert_msk_error(msk_matrix_reserve(m), MSK_ENOSPC);
	assert_msk_error(alloc_on(m, "0", &cpu), MSK_ENOSPC);
	assert_msk_ok(msk_matrix_remove_reserved(m));
	assert_int_equal(alloc_on(m, "0", &cpu), 0x20);
	assert_msk_error(alloc_on(m, "0", &cpu), MSK_ENOSPC);
	struct msk_cpumask zero = cpus("0");
	assert_int_equal(msk_matrix_alloc(m, &zero, true, &cpu), 0x21);
	assert_int_equal(stats(m).global_reserved, 0);
	check_invariants(m);
	msk_matrix_destroy(m);
}

static void test_reserved_allocation_failure_keeps_reservation(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, 0x20, 0x22, 2, &m));
	assert_msk_ok(msk_matrix_online(m, 0));
	assert_msk_ok(msk_matrix_online(m, 1));
	unsigned int cpu;
	assert_msk_ok(msk_matrix_reserve(m));
	assert_true(alloc_on(m, "0", &cpu) >= 0);
	assert_true(alloc_on(m, "0", &cpu) >= 0);
	struct msk_cpumask zero = cpus("0");
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	/* The reservation promises a vector somewhere, not on CPU 0. */
	assert_msk_error(msk_matrix_alloc(m, &zero, true, &cpu), MSK_ENOSPC);
	assert_unchanged(m, s);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x20); /* 2 available, 1 reserved */
	assert_msk_error(alloc_on(m, "0-1", &cpu), MSK_ENOSPC);
	struct msk_cpumask all = cpus("0-1");
	assert_int_equal(msk_matrix_alloc(m, &all, true, &cpu), 0x21);
	assert_int_equal(cpu, 1);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_offline_can_break_reservations(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, 0x20, 0x24, 2, &m)); /* 4 vectors per CPU */
	assert_msk_ok(msk_matrix_online(m, 0));
	assert_msk_ok(msk_matrix_online(m, 1));
	for (int i = 0; i < 6; i++)
		assert_msk_ok(msk_matrix_reserve(m));
	struct msk_matrix_offline_check chk;
	assert_msk_ok(msk_matrix_can_offline(m, 1, &chk));
	assert_true(chk.reservations_at_risk);
	assert_int_equal(chk.available, 4);
	assert_int_equal(chk.reserved, 6);
	assert_msk_ok(msk_matrix_offline(m, 1)); /* not refused, as Linux */
	assert_int_equal(stats(m).global_available, 4);
	unsigned int cpu;
	assert_msk_error(alloc_on(m, "0-1", &cpu), MSK_ENOSPC);
	struct msk_cpumask all = cpus("0-1");
	assert_int_equal(msk_matrix_alloc(m, &all, true, &cpu), 0x20);
	assert_int_equal(cpu, 0);
	assert_msk_ok(msk_matrix_online(m, 1));
	assert_int_equal(stats(m).global_available, 7);
	assert_int_equal(stats(m).global_reserved, 5);
	assert_int_equal(alloc_on(m, "0-1", &cpu), 0x20);
	assert_int_equal(cpu, 1);
	check_invariants(m);
	msk_matrix_destroy(m);
}

/* ---- managed slots --------------------------------------------------------- */

static void test_managed_reserve_and_alloc(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(4, false);
	struct msk_cpumask all = cpus("0-3");
	unsigned int cpu;
	assert_msk_ok(msk_matrix_reserve_managed(m, &all));
	for (unsigned int c = 0; c < 4; c++) {
		struct msk_matrix_cpu_stats s = cpu_stats(m, c);
		assert_int_equal(s.managed, 1);
		assert_int_equal(s.managed_allocated, 0);
		assert_int_equal(s.allocated, 0);
		assert_int_equal(s.available, 203);
		assert_int_equal(msk_matrix_bit_state(m, c, 0x20), MSK_MATRIX_BIT_MANAGED);
	}
	assert_int_equal(stats(m).global_available, 4 * 203);
	/* A normal allocation does not take a managed slot. */
	assert_int_equal(alloc_on(m, "2", &cpu), 0x21);
	/* Fewest managed allocations, ties on the lowest CPU. */
	for (unsigned int c = 0; c < 4; c++) {
		cpu = 99;
		assert_int_equal(msk_matrix_alloc_managed(m, &all, &cpu), 0x20);
		assert_int_equal(cpu, c);
		assert_int_equal(msk_matrix_bit_state(m, c, 0x20),
				 MSK_MATRIX_BIT_MANAGED_ALLOCATED);
	}
	struct msk_matrix_cpu_stats s = cpu_stats(m, 2);
	assert_int_equal(s.allocated, 2);
	assert_int_equal(s.managed_allocated, 1);
	assert_int_equal(s.available, 202); /* a managed allocation does not change it */
	assert_int_equal(stats(m).total_allocated, 5);
	struct snap *sn = malloc(sizeof(*sn));
	snap_take(m, sn);
	assert_msk_error(msk_matrix_alloc_managed(m, &all, &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no reserved managed vector on CPUs 0-3: CPU 0 has 1 of 1 managed "
			"slots allocated, CPU 1 has 1 of 1 managed slots allocated, CPU 2 has 1 of "
			"1 managed slots allocated, CPU 3 has 1 of 1 managed slots allocated");
	assert_unchanged(m, sn);
	check_invariants(m);
	free(sn);
	msk_matrix_destroy(m);
}

static void test_managed_free_keeps_slot(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, false);
	struct msk_cpumask one = cpus("1");
	unsigned int cpu;
	assert_true(alloc_on(m, "1", &cpu) == 0x20);
	assert_msk_ok(msk_matrix_reserve_managed(m, &one));
	assert_int_equal(msk_matrix_alloc_managed(m, &one, &cpu), 0x21);
	assert_int_equal(cpu, 1);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_free(m, 1, 0x21, false), MSK_EINVAL);
	assert_error_is("EINVAL: vector free: vector 33 on CPU 1 is an allocated managed vector, "
			"freed as not managed");
	assert_msk_error(msk_matrix_free(m, 1, 0x20, true), MSK_EINVAL);
	assert_error_is("EINVAL: vector free: vector 32 on CPU 1 is allocated, freed as managed");
	assert_unchanged(m, s);
	assert_msk_ok(msk_matrix_free(m, 1, 0x21, true));
	struct msk_matrix_cpu_stats st = cpu_stats(m, 1);
	assert_int_equal(st.managed, 1);
	assert_int_equal(st.managed_allocated, 0);
	assert_int_equal(st.allocated, 1);
	assert_int_equal(st.available, 202); /* the slot stays reserved */
	assert_int_equal(stats(m).global_available, 204 + 202);
	assert_int_equal(msk_matrix_bit_state(m, 1, 0x21), MSK_MATRIX_BIT_MANAGED);
	/* A normal allocation skips the free managed slot; the managed one gets it back. */
	assert_int_equal(alloc_on(m, "1", &cpu), 0x22);
	assert_int_equal(msk_matrix_alloc_managed(m, &one, &cpu), 0x21);
	assert_msk_error(msk_matrix_free(m, 1, 0x23, false), MSK_EINVAL);
	assert_error_is("EINVAL: vector free: vector 35 on CPU 1 is free, not allocated");
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_managed_fewest_allocations_policy(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, false);
	struct msk_cpumask both = cpus("0-1"), one = cpus("1");
	unsigned int cpu;
	assert_msk_ok(msk_matrix_reserve_managed(m, &both));
	assert_msk_ok(msk_matrix_reserve_managed(m, &both));
	assert_msk_ok(msk_matrix_reserve_managed(m, &one));
	assert_int_equal(cpu_stats(m, 0).managed, 2);
	assert_int_equal(cpu_stats(m, 1).managed, 3);
	const unsigned int want_cpu[] = { 0, 1, 0, 1, 1 };
	const int want_bit[] = { 0x20, 0x20, 0x21, 0x21, 0x22 };
	for (unsigned int i = 0; i < 5; i++) {
		assert_int_equal(msk_matrix_alloc_managed(m, &both, &cpu), want_bit[i]);
		assert_int_equal(cpu, want_cpu[i]);
	}
	assert_msk_error(msk_matrix_alloc_managed(m, &both, &cpu), MSK_ENOSPC);
	/* A freed managed vector goes back to its slot and is found again. */
	assert_msk_ok(msk_matrix_free(m, 1, 0x21, true));
	assert_int_equal(msk_matrix_alloc_managed(m, &both, &cpu), 0x21);
	assert_int_equal(cpu, 1);
	check_invariants(m);
	msk_matrix_destroy(m);
}

static void test_managed_reserve_is_all_or_nothing(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(4, false);
	unsigned int cpu;
	while (alloc_on(m, "2", &cpu) >= 0)
		;
	struct msk_cpumask all = cpus("0-3");
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_reserve_managed(m, &all), MSK_ENOSPC);
	assert_error_is("ENOSPC: no managed slot on CPUs 0-3: CPU 2 has 0 of 204 available");
	assert_unchanged(m, s);
	assert_msk_ok(msk_matrix_free(m, 2, 0x40, false));
	assert_msk_ok(msk_matrix_reserve_managed(m, &all));
	assert_int_equal(msk_matrix_bit_state(m, 2, 0x40), MSK_MATRIX_BIT_MANAGED);
	assert_int_equal(msk_matrix_bit_state(m, 0, 0x20), MSK_MATRIX_BIT_MANAGED);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_managed_on_offline_cpu(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, X86_START, X86_END, 4, &m));
	assert_msk_ok(msk_matrix_online(m, 0));
	struct msk_cpumask three = cpus("3"), mixed = cpus("0,3");
	unsigned int cpu;
	assert_msk_ok(msk_matrix_reserve_managed(m, &mixed));
	assert_int_equal(cpu_stats(m, 3).managed, 1);
	assert_int_equal(cpu_stats(m, 3).available, 203);
	assert_int_equal(stats(m).global_available, 203); /* only CPU 0 counts */
	assert_msk_error(msk_matrix_alloc_managed(m, &three, &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no reserved managed vector on CPUs 3: CPU 3 offline");
	struct msk_cpumask two_three = cpus("2-3");
	assert_msk_error(msk_matrix_alloc_managed(m, &two_three, &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no reserved managed vector on CPUs 2-3: CPU 2 offline, CPU 3 "
			"offline");
	assert_msk_ok(msk_matrix_online(m, 2));
	assert_msk_error(msk_matrix_alloc_managed(m, &two_three, &cpu), MSK_ENOSPC);
	assert_error_is("ENOSPC: no reserved managed vector on CPUs 2-3: CPU 2 has no managed "
			"slot, CPU 3 offline");
	assert_msk_ok(msk_matrix_online(m, 3));
	assert_int_equal(stats(m).global_available, 203 + 204 + 203);
	assert_int_equal(msk_matrix_alloc_managed(m, &two_three, &cpu), 0x20);
	assert_int_equal(cpu, 3);
	check_invariants(m);
	msk_matrix_destroy(m);
}

static void test_remove_managed(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(3, false);
	struct msk_cpumask two = cpus("0-1");
	unsigned int cpu;
	assert_msk_ok(msk_matrix_reserve_managed(m, &two));
	assert_int_equal(msk_matrix_alloc_managed(m, &two, &cpu), 0x20);
	assert_int_equal(cpu, 0);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	struct msk_cpumask one_two = cpus("1-2");
	assert_msk_error(msk_matrix_remove_managed(m, &one_two), MSK_EINVAL);
	assert_error_is("EINVAL: managed removal: CPU 2 has no managed slot");
	assert_msk_error(msk_matrix_remove_managed(m, &two), MSK_EBUSY);
	assert_error_is("EBUSY: managed removal: all 1 managed slots of CPU 0 are allocated");
	assert_unchanged(m, s);
	assert_msk_ok(msk_matrix_free(m, 0, 0x20, true));
	assert_msk_ok(msk_matrix_remove_managed(m, &two));
	for (unsigned int c = 0; c < 3; c++) {
		assert_int_equal(cpu_stats(m, c).managed, 0);
		assert_int_equal(cpu_stats(m, c).available, 204);
	}
	assert_int_equal(stats(m).global_available, 3 * 204);
	assert_int_equal(stats(m).total_allocated, 0);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

/* ---- fixed assignment and free --------------------------------------------- */

static void test_fixed_assignment(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, true);
	unsigned int cpu;
	assert_msk_ok(msk_matrix_assign(m, 1, 0x21));
	assert_int_equal(msk_matrix_bit_state(m, 1, 0x21), MSK_MATRIX_BIT_ALLOCATED);
	assert_int_equal(cpu_stats(m, 1).allocated, 1);
	assert_int_equal(cpu_stats(m, 1).available, 202);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_assign(m, 1, 0x21), MSK_EBUSY);
	assert_error_is("EBUSY: vector assignment: vector 33 on CPU 1 is allocated");
	assert_msk_error(msk_matrix_assign(m, 0, 0x80), MSK_EBUSY);
	assert_error_is("EBUSY: vector assignment: vector 128 on CPU 0 is a system vector");
	assert_msk_error(msk_matrix_assign(m, 0, 0x1f), MSK_EINVAL);
	assert_msk_error(msk_matrix_assign(m, 0, 0xec), MSK_EINVAL);
	assert_msk_error(msk_matrix_assign(m, 0, 300), MSK_EINVAL);
	assert_msk_error(msk_matrix_assign(m, 2, 0x21), MSK_EINVAL);
	assert_unchanged(m, s);
	assert_int_equal(alloc_on(m, "1", &cpu), 0x20);
	assert_int_equal(alloc_on(m, "1", &cpu), 0x22); /* skips the fixed vector */
	assert_msk_ok(msk_matrix_free(m, 1, 0x21, false));
	assert_int_equal(alloc_on(m, "1", &cpu), 0x21);
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_free_rejects_bad_vectors(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, true);
	unsigned int cpu;
	assert_int_equal(alloc_on(m, "0", &cpu), 0x20);
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_free(m, 2, 0x20, false), MSK_EINVAL);
	assert_error_is("EINVAL: vector free: CPU 2 >= 2 possible CPUs");
	assert_msk_error(msk_matrix_free(m, 0, 0x1f, false), MSK_EINVAL);
	assert_error_is("EINVAL: vector free: vector 31 outside [32, 236)");
	assert_msk_error(msk_matrix_free(m, 0, 0xec, false), MSK_EINVAL);
	assert_msk_error(msk_matrix_free(m, 0, 1000, false), MSK_EINVAL);
	assert_msk_error(msk_matrix_free(m, 1, 0x20, false), MSK_EINVAL); /* other CPU */
	assert_msk_error(msk_matrix_free(m, 0, 0x80, false), MSK_EINVAL);
	assert_error_is("EINVAL: vector free: vector 128 on CPU 0 is a system vector, not "
			"allocated");
	assert_unchanged(m, s);
	assert_msk_ok(msk_matrix_free(m, 0, 0x20, false));
	assert_msk_error(msk_matrix_free(m, 0, 0x20, false), MSK_EINVAL); /* double free */
	check_invariants(m);
	free(s);
	msk_matrix_destroy(m);
}

static void test_free_on_offline_cpu(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(2, false);
	unsigned int cpu;
	assert_int_equal(alloc_on(m, "1", &cpu), 0x20);
	assert_msk_ok(msk_matrix_offline(m, 1));
	assert_int_equal(cpu_stats(m, 1).allocated, 1); /* stays until freed */
	assert_int_equal(stats(m).total_allocated, 1);
	assert_int_equal(stats(m).global_available, 204);
	assert_msk_ok(msk_matrix_free(m, 1, 0x20, false));
	assert_int_equal(cpu_stats(m, 1).available, 204);
	assert_int_equal(stats(m).global_available, 204);
	assert_int_equal(stats(m).total_allocated, 0);
	assert_msk_ok(msk_matrix_online(m, 1));
	assert_int_equal(stats(m).global_available, 408);
	check_invariants(m);
	msk_matrix_destroy(m);
}

/* ---- hotplug check ------------------------------------------------------- */

static void test_can_offline(void **state)
{
	(void)state;
	struct msk_matrix *m;
	assert_msk_ok(msk_matrix_create(256, 0x20, 0x60, 4, &m)); /* 64 per CPU */
	for (unsigned int c = 0; c < 4; c++)
		assert_msk_ok(msk_matrix_online(m, c));
	unsigned int cpu;
	for (int i = 0; i < 40; i++)
		assert_true(alloc_on(m, "3", &cpu) >= 0);
	for (int i = 0; i < 3 * 60; i++)
		assert_true(alloc_on(m, "0-2", &cpu) >= 0);
	/* A managed vector on CPU 3 is shut down, not moved: not counted. */
	struct msk_cpumask three = cpus("3");
	assert_msk_ok(msk_matrix_reserve_managed(m, &three));
	assert_int_equal(msk_matrix_alloc_managed(m, &three, &cpu), 0x48);
	struct msk_matrix_offline_check chk;
	struct snap *s = malloc(sizeof(*s));
	snap_take(m, s);
	assert_msk_error(msk_matrix_can_offline(m, 3, &chk), MSK_ENOSPC);
	assert_error_is("ENOSPC: CPU 3 has 40 vectors, 12 available on the other 3 online CPUs");
	assert_int_equal(chk.to_move, 40);
	assert_int_equal(chk.available, 12);
	assert_int_equal(chk.reserved, 0);
	assert_true(chk.reservations_at_risk);
	assert_unchanged(m, s);
	for (unsigned int b = 0x20; b < 0x20 + 28; b++)
		assert_msk_ok(msk_matrix_free(m, 3, b, false));
	assert_msk_ok(msk_matrix_can_offline(m, 3, &chk));
	assert_int_equal(chk.to_move, 12);
	assert_false(chk.reservations_at_risk);
	assert_msk_ok(msk_matrix_reserve(m));
	assert_msk_ok(msk_matrix_can_offline(m, 3, NULL));
	assert_msk_ok(msk_matrix_can_offline(m, 3, &chk));
	assert_true(chk.reservations_at_risk); /* 12 - 12 < 1 */
	assert_msk_ok(msk_matrix_offline(m, 3));
	assert_msk_error(msk_matrix_can_offline(m, 3, &chk), MSK_EINVAL);
	assert_msk_error(msk_matrix_can_offline(m, 4, &chk), MSK_EINVAL);
	free(s);
	msk_matrix_destroy(m);
}

/* ---- debug table ----------------------------------------------------------- */

static void test_dump_table(void **state)
{
	(void)state;
	struct msk_matrix *m = x86_matrix(3, true);
	assert_msk_ok(msk_matrix_assign_system_range(m, X86_END, 256 - X86_END));
	assert_msk_ok(msk_matrix_offline(m, 2));
	unsigned int cpu;
	struct msk_cpumask one = cpus("1");
	assert_int_equal(alloc_on(m, "0", &cpu), 0x20);
	assert_int_equal(alloc_on(m, "0", &cpu), 0x21);
	assert_int_equal(alloc_on(m, "0", &cpu), 0x22);
	assert_msk_ok(msk_matrix_free(m, 0, 0x21, false));
	assert_msk_ok(msk_matrix_reserve_managed(m, &one));
	assert_msk_ok(msk_matrix_reserve_managed(m, &one));
	assert_int_equal(msk_matrix_alloc_managed(m, &one, &cpu), 0x20);
	assert_msk_ok(msk_matrix_reserve(m));
	char buf[1024];
	size_t n = msk_matrix_dump(m, buf, sizeof(buf));
	const char *want = "Online bitmaps:        2\n"
			   "Global available:    402\n"
			   "Global reserved:       1\n"
			   "Total allocated:       3\n"
			   "System: 21: 128,236-255\n"
			   " | CPU | avl | man | mac | act | vectors\n"
			   "     0   201     0     0     2   32,34\n"
			   "     1   201     2     1     1   32\n";
	assert_string_equal(buf, want);
	assert_int_equal(n, strlen(want));
	/* Truncation: snprintf-like. */
	char small[10];
	memset(small, 'x', sizeof(small));
	assert_int_equal(msk_matrix_dump(m, small, sizeof(small)), strlen(want));
	assert_string_equal(small, "Online bi");
	assert_int_equal(msk_matrix_dump(m, NULL, 0), strlen(want));
	msk_matrix_destroy(m);
}

/* ---- random operations against the invariants ------------------------------ */

struct held {
	unsigned int cpu, bit;
	bool managed;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned int rnd(unsigned int n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned int)(rng_state % n);
}

static struct msk_cpumask random_mask(unsigned int ncpus)
{
	struct msk_cpumask m;
	msk_cpumask_clear(&m);
	unsigned int n = 1 + rnd(ncpus);
	for (unsigned int i = 0; i < n; i++)
		msk_cpumask_set(&m, rnd(ncpus));
	return m;
}

static void test_random_operations_keep_invariants(void **state)
{
	(void)state;
	enum { NCPUS = 6, STEPS = 6000 };
	struct msk_matrix *m;
	/* A small range so that exhaustion and reservations bite often. */
	assert_msk_ok(msk_matrix_create(128, 0x20, 0x38, NCPUS, &m));
	assert_msk_ok(msk_matrix_assign_system(m, 0x30));
	static struct held held[NCPUS * 128];
	unsigned int nheld = 0;
	struct snap *s = malloc(sizeof(*s));
	unsigned int ok = 0, failed = 0;
	for (unsigned int step = 0; step < STEPS; step++) {
		struct msk_cpumask mask = random_mask(NCPUS);
		unsigned int cpu = rnd(NCPUS), got = MSK_CPU_NONE;
		snap_take(m, s);
		int rc;
		switch (rnd(10)) {
		case 0:
			rc = msk_matrix_online(m, cpu);
			break;
		case 1:
			rc = msk_matrix_offline(m, cpu);
			break;
		case 2:
			rc = rnd(2) ? msk_matrix_reserve(m) : msk_matrix_remove_reserved(m);
			break;
		case 3:
			rc = rnd(2) ? msk_matrix_reserve_managed(m, &mask)
				    : msk_matrix_remove_managed(m, &mask);
			break;
		case 4:
		case 5:
			rc = msk_matrix_alloc(m, &mask, rnd(2), &got);
			if (rc >= 0)
				held[nheld++] = (struct held){ got, (unsigned int)rc, false };
			break;
		case 6:
			rc = msk_matrix_alloc_managed(m, &mask, &got);
			if (rc >= 0)
				held[nheld++] = (struct held){ got, (unsigned int)rc, true };
			break;
		default:
			if (!nheld) {
				rc = msk_matrix_free(m, cpu, 0x20 + rnd(0x18), rnd(2));
				break;
			}
			unsigned int i = rnd(nheld);
			rc = msk_matrix_free(m, held[i].cpu, held[i].bit, held[i].managed);
			assert_int_equal(rc, 0);
			held[i] = held[--nheld];
			break;
		}
		if (rc < 0) {
			assert_string_not_equal(msk_last_error(), "");
			assert_unchanged(m, s);
			failed++;
		} else {
			ok++;
		}
		if (rc >= 0 && got < NCPUS) {
			/* A handed-out vector was free (or a free managed slot) on an online CPU of the mask. */
			assert_true(msk_cpumask_test(&mask, got));
			assert_true(s->c[got].online);
			int before = s->bits[got][rc];
			assert_true(before == MSK_MATRIX_BIT_FREE ||
				    before == MSK_MATRIX_BIT_MANAGED);
		}
		check_invariants(m);
		struct msk_matrix_stats g = stats(m);
		assert_int_equal(g.total_allocated, nheld);
	}
	/* Both outcomes were exercised a good deal. */
	assert_true(ok > STEPS / 4);
	assert_true(failed > STEPS / 10);
	free(s);
	msk_matrix_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_geometry),
		cmocka_unit_test(test_create_out_of_memory),
		cmocka_unit_test(test_fresh_matrix_counts),
		cmocka_unit_test(test_system_vectors_reserved_everywhere),
		cmocka_unit_test(test_system_vector_refused_when_in_use),
		cmocka_unit_test(test_system_vector_respects_reservations),
		cmocka_unit_test(test_lowest_free_vector_first),
		cmocka_unit_test(test_most_free_cpu_chosen),
		cmocka_unit_test(test_ties_go_to_lowest_cpu_of_mask),
		cmocka_unit_test(test_offline_cpus_skipped),
		cmocka_unit_test(test_exhaustion_two_cpus),
		cmocka_unit_test(test_exhaustion_two_cpus_with_syscall_vector),
		cmocka_unit_test(test_enospc_message_lists_at_most_eight_cpus),
		cmocka_unit_test(test_bad_masks_rejected),
		cmocka_unit_test(test_global_reservation_guarantees_allocation),
		cmocka_unit_test(test_reservation_removed_frees_room),
		cmocka_unit_test(test_reserved_allocation_failure_keeps_reservation),
		cmocka_unit_test(test_offline_can_break_reservations),
		cmocka_unit_test(test_managed_reserve_and_alloc),
		cmocka_unit_test(test_managed_free_keeps_slot),
		cmocka_unit_test(test_managed_fewest_allocations_policy),
		cmocka_unit_test(test_managed_reserve_is_all_or_nothing),
		cmocka_unit_test(test_managed_on_offline_cpu),
		cmocka_unit_test(test_remove_managed),
		cmocka_unit_test(test_fixed_assignment),
		cmocka_unit_test(test_free_rejects_bad_vectors),
		cmocka_unit_test(test_free_on_offline_cpu),
		cmocka_unit_test(test_can_offline),
		cmocka_unit_test(test_dump_table),
		cmocka_unit_test(test_random_operations_keep_invariants),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
