/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_AFFINITY_H
#define MSIKIT_AFFINITY_H

/*
 * Spreading interrupt vectors over CPUs, as Linux's kernel/irq/affinity.c
 * and lib/group_cpus.c: a device asks for nvecs vectors of which the first
 * `pre_vectors` and the last `post_vectors` are housekeeping vectors
 * (default affinity, not managed) and the ones between are queue vectors,
 * spread evenly over the possible CPUs, set by set, and managed (the core
 * keeps their affinity and shuts them down when their CPUs go away).
 *
 * One NUMA node: msikit machines have no topology, so the spreading is
 * Linux's grouping within one node without SMT siblings: with V groups and
 * C CPUs (V <= C) every group gets C/V consecutive CPUs, the first C mod V
 * groups one more. With V > C, where Linux leaves groups C..V-1 with empty
 * masks (it never spreads a present CPU twice), msikit reuses CPUs round
 * robin: group g gets CPU number g mod C, so every group has exactly one
 * CPU and every CPU serves floor(V/C) or ceil(V/C) groups.
 *
 * Pure functions: no state, callable from any thread.
 */

#include <stdbool.h>

#include <msikit/cpumask.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_IRQ_AFFINITY_MAX_SETS 4u

/*
 * What a driver asks for (Linux struct irq_affinity). Sets: with calc_sets
 * NULL and nr_sets 0 the managed vectors form one set (Linux's default);
 * with calc_sets NULL and nr_sets > 0 the caller's sets are used as they
 * are; with calc_sets set it is called with the number of managed vectors
 * and fills nr_sets and set_size (as a Linux driver's callback does, e.g.
 * NVMe splitting default and read queues).
 */
struct msk_irq_affinity {
	unsigned int pre_vectors;  /* first vectors: default affinity, not managed */
	unsigned int post_vectors; /* last vectors: default affinity, not managed */
	unsigned int nr_sets;	   /* 0..MSK_IRQ_AFFINITY_MAX_SETS */
	unsigned int set_size[MSK_IRQ_AFFINITY_MAX_SETS];
	void (*calc_sets)(struct msk_irq_affinity *affd, unsigned int affvecs);
	void *priv; /* for calc_sets */
};

/* One vector's affinity (Linux struct irq_affinity_desc). */
struct msk_irq_affinity_desc {
	struct msk_cpumask mask;
	bool is_managed;
};

/*
 * Split the CPUs of `cpus` into `ngroups` groups as described above and
 * write the masks to out[0..ngroups-1]. Returns 0; -MSK_EINVAL when cpus is
 * empty or ngroups is 0 (out untouched).
 */
int msk_affinity_group_cpus(const struct msk_cpumask *cpus, unsigned int ngroups,
			    struct msk_cpumask *out);

/*
 * How many vectors a driver asking for minvec..maxvec should get (Linux
 * irq_calc_affinity_vectors): resv = pre + post; 0 when resv > minvec;
 * otherwise resv + min(sets, maxvec - resv) where sets = maxvec - resv with
 * a calc_sets callback, else `ncpus` (possible CPUs; static sets do not
 * change this). Returns the count (>= 0); -MSK_EINVAL for a NULL affd,
 * minvec > maxvec, or ncpus not in 1..MSK_MAX_CPUS.
 */
int msk_irq_calc_affinity_vectors(unsigned int minvec, unsigned int maxvec,
				  const struct msk_irq_affinity *affd, unsigned int ncpus);

/*
 * The affinity of each of nvecs vectors (Linux irq_create_affinity_masks),
 * written to out[0..nvecs-1]: vectors [0, pre) and [nvecs - post, nvecs) get
 * `default_affinity`, not managed; vectors [pre, nvecs - post) are managed
 * and set by set spread over `possible` (msk_affinity_group_cpus); managed
 * vectors left over when the sets add up to less get `default_affinity`
 * (still managed, as Linux).
 *
 * When no vector is left for spreading (nvecs <= pre + post) Linux returns
 * NULL and the caller allocates the vectors without affinity; here every
 * vector gets `default_affinity`, not managed, and the call returns 0.
 * calc_sets is called in that case too (as Linux).
 *
 * Returns the number of managed vectors (0 meaning "Linux: NULL");
 * -MSK_EINVAL (message says which) for a NULL argument, an empty `possible`
 * or `default_affinity`, more than MSK_IRQ_AFFINITY_MAX_SETS sets, a set of
 * size 0, or sets adding up to more than the managed vectors. out is not
 * touched on failure (affd may have been changed by its calc_sets).
 */
int msk_irq_create_affinity_masks(unsigned int nvecs, struct msk_irq_affinity *affd,
				  const struct msk_cpumask *possible,
				  const struct msk_cpumask *default_affinity,
				  struct msk_irq_affinity_desc *out);

#ifdef __cplusplus
}
#endif
#endif
