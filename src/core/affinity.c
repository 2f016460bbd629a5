/* SPDX-License-Identifier: MIT */
/*
 * Spreading vectors over CPUs (include/msikit/affinity.h): even CPU groups,
 * the vector count a driver gets, and the per-vector masks with
 * pre/post vectors, sets and the managed flag. One NUMA node, no SMT.
 */
#include <msikit/affinity.h>

#include <limits.h>

#include "base/error.h"

/*
 * Hands out the groups of one spreading one by one: with ngroups <= ncpus,
 * group g takes the next `per` CPUs, plus one while g < extra; with more
 * groups than CPUs, group g takes CPU number g mod ncpus.
 */
struct grouper {
	const struct msk_cpumask *cpus;
	unsigned int ngroups, ncpus, per, extra;
	unsigned int g;	  /* next group */
	unsigned int cpu; /* next CPU to hand out */
};

static void grouper_init(struct grouper *gr, const struct msk_cpumask *cpus, unsigned int ngroups)
{
	gr->cpus = cpus;
	gr->ngroups = ngroups;
	gr->ncpus = msk_cpumask_weight(cpus);
	gr->per = ngroups <= gr->ncpus ? gr->ncpus / ngroups : 1;
	gr->extra = ngroups <= gr->ncpus ? gr->ncpus % ngroups : 0;
	gr->g = 0;
	gr->cpu = msk_cpumask_first(cpus);
}

/* The next group's mask (the caller asks at most ngroups times). */
static void grouper_next(struct grouper *gr, struct msk_cpumask *mask)
{
	unsigned int n = gr->per + (gr->g < gr->extra);
	msk_cpumask_clear(mask);
	for (unsigned int k = 0; k < n; k++) {
		msk_cpumask_set(mask, gr->cpu);
		gr->cpu = msk_cpumask_next(gr->cpus, gr->cpu + 1);
		if (gr->cpu == MSK_CPU_NONE) /* only when reusing CPUs round robin */
			gr->cpu = msk_cpumask_first(gr->cpus);
	}
	gr->g++;
}

int msk_affinity_group_cpus(const struct msk_cpumask *cpus, unsigned int ngroups,
			    struct msk_cpumask *out)
{
	if (!cpus || !out)
		return msk_err(MSK_EINVAL, "group CPUs: NULL argument");
	if (msk_cpumask_empty(cpus))
		return msk_err(MSK_EINVAL, "group CPUs: no CPU to spread %u groups over", ngroups);
	if (!ngroups)
		return msk_err(MSK_EINVAL, "group CPUs: 0 groups");
	struct grouper gr;
	grouper_init(&gr, cpus, ngroups);
	for (unsigned int g = 0; g < ngroups; g++)
		grouper_next(&gr, &out[g]);
	return 0;
}

int msk_irq_calc_affinity_vectors(unsigned int minvec, unsigned int maxvec,
				  const struct msk_irq_affinity *affd, unsigned int ncpus)
{
	if (!affd)
		return msk_err(MSK_EINVAL, "affinity vectors: no affinity descriptor");
	if (minvec > maxvec || maxvec > INT_MAX)
		return msk_err(MSK_EINVAL, "affinity vectors: bad range %u..%u", minvec, maxvec);
	if (ncpus == 0 || ncpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "affinity vectors: %u CPUs, must be 1..%u", ncpus,
			       MSK_MAX_CPUS);
	unsigned long long resv = (unsigned long long)affd->pre_vectors + affd->post_vectors;
	if (resv > minvec)
		return 0;
	unsigned int room = maxvec - (unsigned int)resv;
	unsigned int set_vecs = affd->calc_sets ? room : ncpus;
	return (int)resv + (int)(set_vecs < room ? set_vecs : room);
}

/* The sets in force for affvecs managed vectors: the callback's, the caller's or one. */
static void effective_sets(struct msk_irq_affinity *affd, unsigned int affvecs,
			   unsigned int *nr_sets, unsigned int *sizes)
{
	if (affd->calc_sets)
		affd->calc_sets(affd, affvecs);
	if (!affd->calc_sets && affd->nr_sets == 0) {
		*nr_sets = 1;
		sizes[0] = affvecs;
		return;
	}
	*nr_sets = affd->nr_sets;
	for (unsigned int i = 0; i < affd->nr_sets && i < MSK_IRQ_AFFINITY_MAX_SETS; i++)
		sizes[i] = affd->set_size[i];
}

int msk_irq_create_affinity_masks(unsigned int nvecs, struct msk_irq_affinity *affd,
				  const struct msk_cpumask *possible,
				  const struct msk_cpumask *default_affinity,
				  struct msk_irq_affinity_desc *out)
{
	if (!affd || !possible || !default_affinity || (nvecs && !out))
		return msk_err(MSK_EINVAL, "affinity masks: NULL argument");
	if (nvecs > INT_MAX)
		return msk_err(MSK_EINVAL, "affinity masks: %u vectors", nvecs);
	if (msk_cpumask_empty(possible) || msk_cpumask_empty(default_affinity))
		return msk_err(MSK_EINVAL, "affinity masks: empty %s CPU mask",
			       msk_cpumask_empty(possible) ? "possible" : "default affinity");
	unsigned long long resv = (unsigned long long)affd->pre_vectors + affd->post_vectors;
	unsigned int affvecs = nvecs > resv ? nvecs - (unsigned int)resv : 0;
	unsigned int nr_sets, sizes[MSK_IRQ_AFFINITY_MAX_SETS];
	effective_sets(affd, affvecs, &nr_sets, sizes);
	if (nr_sets > MSK_IRQ_AFFINITY_MAX_SETS)
		return msk_err(MSK_EINVAL, "affinity masks: %u sets, at most %u", nr_sets,
			       MSK_IRQ_AFFINITY_MAX_SETS);

	if (!affvecs) {
		/* Linux returns NULL: no vector gets a spread or managed mask. */
		for (unsigned int v = 0; v < nvecs; v++) {
			out[v].mask = *default_affinity;
			out[v].is_managed = false;
		}
		return 0;
	}

	unsigned long long used = 0;
	for (unsigned int i = 0; i < nr_sets; i++) {
		if (!sizes[i])
			return msk_err(MSK_EINVAL, "affinity masks: set %u of %u is empty", i,
				       nr_sets);
		used += sizes[i];
	}
	if (used > affvecs)
		return msk_err(MSK_EINVAL,
			       "affinity masks: %u sets of %llu vectors in all, only %u managed "
			       "vectors (%u - %u pre - %u post)",
			       nr_sets, used, affvecs, nvecs, affd->pre_vectors,
			       affd->post_vectors);

	unsigned int v = 0;
	for (; v < affd->pre_vectors; v++)
		out[v].mask = *default_affinity;
	for (unsigned int i = 0; i < nr_sets; i++) {
		struct grouper gr;
		grouper_init(&gr, possible, sizes[i]);
		for (unsigned int g = 0; g < sizes[i]; g++)
			grouper_next(&gr, &out[v++].mask);
	}
	for (; v < nvecs; v++) /* managed vectors the sets left over, then post vectors */
		out[v].mask = *default_affinity;
	for (v = 0; v < nvecs; v++)
		out[v].is_managed = v >= affd->pre_vectors && v < affd->pre_vectors + affvecs;
	return (int)affvecs;
}
