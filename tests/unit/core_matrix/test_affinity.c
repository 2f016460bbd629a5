/* SPDX-License-Identifier: MIT */
/* Affinity spreading: CPU groups, vector counts, per-vector masks and the managed flag. */
#include "msk_test.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#define MAXV 20

static struct msk_cpumask cpus(const char *list)
{
	struct msk_cpumask m;
	if (msk_cpumask_parse(list, &m) < 0)
		fail_msg("bad CPU list %s", list);
	return m;
}

static const char *fmt(const struct msk_cpumask *m, char *buf)
{
	return msk_cpumask_format(m, buf, 128);
}

/* ---- the table ------------------------------------------------------------- */

struct mask_case {
	const char *name;
	unsigned int nvecs, pre, post;
	const char *possible, *dflt;
	unsigned int nr_sets, sets[MSK_IRQ_AFFINITY_MAX_SETS];
	int ret;		 /* number of managed vectors */
	const char *masks[MAXV]; /* one per vector */
	const char *managed;	 /* 'M' managed, 'U' not, one per vector */
};

/* clang-format off */
static const struct mask_case cases[] = {
	{ "8 vectors, 1 pre, 4 CPUs: more vectors than CPUs, round robin",
	  8, 1, 0, "0-3", "0-3", 0, { 0 }, 7,
	  { "0-3", "0", "1", "2", "3", "0", "1", "2" }, "UMMMMMMM" },
	{ "4 vectors, 8 CPUs: two CPUs each",
	  4, 0, 0, "0-7", "0-7", 0, { 0 }, 4,
	  { "0-1", "2-3", "4-5", "6-7" }, "MMMM" },
	{ "16 vectors, 2 pre, 1 post, 4 CPUs",
	  16, 2, 1, "0-3", "0-3", 0, { 0 }, 13,
	  { "0-3", "0-3", "0", "1", "2", "3", "0", "1", "2", "3", "0", "1", "2", "3", "0",
	    "0-3" }, "UUMMMMMMMMMMMMMU" },
	{ "1 vector, 4 CPUs: all of them",
	  1, 0, 0, "0-3", "0-3", 0, { 0 }, 1,
	  { "0-3" }, "M" },
	{ "3 vectors, 1 pre, 1 post, 2 CPUs",
	  3, 1, 1, "0-1", "0-1", 0, { 0 }, 1,
	  { "0-1", "0-1", "0-1" }, "UMU" },
	{ "3 vectors, 8 CPUs: 3, 3, 2",
	  3, 0, 0, "0-7", "0-7", 0, { 0 }, 3,
	  { "0-2", "3-5", "6-7" }, "MMM" },
	{ "5 vectors, 8 CPUs: the first three get one more",
	  5, 0, 0, "0-7", "0-7", 0, { 0 }, 5,
	  { "0-1", "2-3", "4-5", "6", "7" }, "MMMMM" },
	{ "default affinity differs from the possible CPUs",
	  4, 1, 1, "0-3", "2", 0, { 0 }, 2,
	  { "2", "0-1", "2-3", "2" }, "UMMU" },
	{ "sparse possible CPUs",
	  2, 0, 0, "0,2,4,6,8", "0", 0, { 0 }, 2,
	  { "0,2,4", "6,8" }, "MM" },
	{ "sparse possible CPUs, more vectors",
	  7, 0, 0, "1,5,9", "1", 0, { 0 }, 7,
	  { "1", "5", "9", "1", "5", "9", "1" }, "MMMMMMM" },
	{ "two sets: 4 default queues, 2 read queues",
	  7, 1, 0, "0-3", "0", 2, { 4, 2 }, 6,
	  { "0", "0", "1", "2", "3", "0-1", "2-3" }, "UMMMMMM" },
	{ "three sets over 6 CPUs",
	  6, 0, 0, "0-5", "0-5", 3, { 1, 2, 3 }, 6,
	  { "0-5", "0-2", "3-5", "0-1", "2-3", "4-5" }, "MMMMMM" },
	{ "sets adding up to less: the rest default but managed",
	  6, 0, 1, "0-3", "0-3", 2, { 2, 1 }, 5,
	  { "0-1", "2-3", "0-3", "0-3", "0-3", "0-3" }, "MMMMMU" },
	{ "a set larger than the CPUs",
	  7, 1, 0, "0-2", "0-2", 1, { 6 }, 6,
	  { "0-2", "0", "1", "2", "0", "1", "2" }, "UMMMMMM" },
	{ "pre + post use all vectors: Linux returns NULL",
	  2, 1, 1, "0-3", "0-3", 0, { 0 }, 0,
	  { "0-3", "0-3" }, "UU" },
	{ "pre + post exceed the vectors",
	  3, 2, 2, "0-3", "1", 0, { 0 }, 0,
	  { "1", "1", "1" }, "UUU" },
	{ "only pre vectors",
	  2, 2, 0, "0-3", "0-3", 0, { 0 }, 0,
	  { "0-3", "0-3" }, "UU" },
	{ "256 CPUs, 3 vectors",
	  3, 0, 0, "0-255", "0-255", 0, { 0 }, 3,
	  { "0-85", "86-170", "171-255" }, "MMM" },
};
/* clang-format on */

static void run_case(const struct mask_case *c)
{
	struct msk_irq_affinity affd = { .pre_vectors = c->pre, .post_vectors = c->post };
	affd.nr_sets = c->nr_sets;
	memcpy(affd.set_size, c->sets, sizeof(affd.set_size));
	struct msk_cpumask possible = cpus(c->possible), dflt = cpus(c->dflt);
	struct msk_irq_affinity_desc out[MAXV + 1];
	memset(out, 0x5a, sizeof(out));
	int rc = msk_irq_create_affinity_masks(c->nvecs, &affd, &possible, &dflt, out);
	if (rc != c->ret)
		fail_msg("%s: returned %d (%s), want %d", c->name, rc, msk_last_error(), c->ret);
	assert_int_equal(strlen(c->managed), c->nvecs);
	for (unsigned int v = 0; v < c->nvecs; v++) {
		char got[128];
		fmt(&out[v].mask, got);
		if (strcmp(got, c->masks[v]))
			fail_msg("%s: vector %u mask %s, want %s", c->name, v, got, c->masks[v]);
		if (out[v].is_managed != (c->managed[v] == 'M'))
			fail_msg("%s: vector %u is_managed %d, want %c", c->name, v,
				 out[v].is_managed, c->managed[v]);
	}
	/* Nothing written past nvecs. */
	const unsigned char *tail = (const unsigned char *)&out[c->nvecs];
	for (size_t i = 0; i < sizeof(out[0]); i++)
		assert_int_equal(tail[i], 0x5a);
	/* Static sets are not rewritten. */
	assert_int_equal(affd.nr_sets, c->nr_sets);
}

static void test_mask_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static void test_zero_vectors(void **state)
{
	(void)state;
	struct msk_irq_affinity affd = { 0 };
	struct msk_cpumask all = cpus("0-3");
	assert_int_equal(msk_irq_create_affinity_masks(0, &affd, &all, &all, NULL), 0);
}

/* ---- calc_sets ------------------------------------------------------------- */

struct calls {
	unsigned int n, last_affvecs;
};

/* Like NVMe: a third of the queues (at least one when there are two) read queues. */
static void nvme_like_sets(struct msk_irq_affinity *affd, unsigned int affvecs)
{
	struct calls *calls = affd->priv;
	calls->n++;
	calls->last_affvecs = affvecs;
	unsigned int reads = affvecs >= 2 ? (affvecs / 3 ? affvecs / 3 : 1) : 0;
	affd->nr_sets = reads ? 2 : 1;
	affd->set_size[0] = affvecs - reads;
	affd->set_size[1] = reads;
}

static void test_calc_sets_callback(void **state)
{
	(void)state;
	struct calls calls = { 0 };
	struct msk_irq_affinity affd = { .pre_vectors = 1,
					 .calc_sets = nvme_like_sets,
					 .priv = &calls };
	struct msk_cpumask all = cpus("0-3"), zero = cpus("0");
	struct msk_irq_affinity_desc out[8];
	assert_int_equal(msk_irq_create_affinity_masks(7, &affd, &all, &zero, out), 6);
	assert_int_equal(calls.n, 1);
	assert_int_equal(calls.last_affvecs, 6);
	assert_int_equal(affd.nr_sets, 2);
	const char *want[] = { "0", "0", "1", "2", "3", "0-1", "2-3" };
	char got[128];
	for (unsigned int v = 0; v < 7; v++) {
		assert_string_equal(fmt(&out[v].mask, got), want[v]);
		assert_int_equal(out[v].is_managed, v > 0);
	}
	/* Reused with fewer vectors: the callback recomputes. */
	assert_int_equal(msk_irq_create_affinity_masks(3, &affd, &all, &zero, out), 2);
	assert_int_equal(calls.last_affvecs, 2);
	assert_string_equal(fmt(&out[1].mask, got), "0-3");
	assert_string_equal(fmt(&out[2].mask, got), "0-3");
	/* Called even when nothing is left to spread, as Linux. */
	assert_int_equal(msk_irq_create_affinity_masks(1, &affd, &all, &zero, out), 0);
	assert_int_equal(calls.n, 3);
	assert_int_equal(calls.last_affvecs, 0);
	assert_string_equal(fmt(&out[0].mask, got), "0");
	assert_false(out[0].is_managed);
}

static void too_many_sets(struct msk_irq_affinity *affd, unsigned int affvecs)
{
	affd->nr_sets = MSK_IRQ_AFFINITY_MAX_SETS + 1;
	(void)affvecs;
}

/* ---- errors ---------------------------------------------------------------- */

static void expect_einval_untouched(unsigned int nvecs, struct msk_irq_affinity *affd,
				    const struct msk_cpumask *possible,
				    const struct msk_cpumask *dflt, const char *msg)
{
	struct msk_irq_affinity_desc out[MAXV], ref[MAXV];
	memset(out, 0xa5, sizeof(out));
	memcpy(ref, out, sizeof(out));
	assert_msk_error(msk_irq_create_affinity_masks(nvecs, affd, possible, dflt, out),
			 MSK_EINVAL);
	assert_memory_equal(out, ref, sizeof(out));
	if (msg)
		assert_string_equal(msk_last_error(), msg);
}

static void test_mask_errors(void **state)
{
	(void)state;
	struct msk_cpumask all = cpus("0-3"), empty;
	msk_cpumask_clear(&empty);
	struct msk_irq_affinity affd = { .nr_sets = 5 };
	expect_einval_untouched(4, &affd, &all, &all, "EINVAL: affinity masks: 5 sets, at most 4");
	affd = (struct msk_irq_affinity){ .nr_sets = 2, .set_size = { 3, 0 } };
	expect_einval_untouched(4, &affd, &all, &all,
				"EINVAL: affinity masks: set 1 of 2 is empty");
	affd = (struct msk_irq_affinity){ .pre_vectors = 1, .nr_sets = 2, .set_size = { 3, 2 } };
	expect_einval_untouched(
		5, &affd, &all, &all,
		"EINVAL: affinity masks: 2 sets of 5 vectors in all, only 4 managed "
		"vectors (5 - 1 pre - 0 post)");
	affd = (struct msk_irq_affinity){ .calc_sets = too_many_sets };
	expect_einval_untouched(4, &affd, &all, &all, "EINVAL: affinity masks: 5 sets, at most 4");
	affd = (struct msk_irq_affinity){ 0 };
	expect_einval_untouched(4, &affd, &empty, &all,
				"EINVAL: affinity masks: empty possible CPU mask");
	expect_einval_untouched(4, &affd, &all, &empty,
				"EINVAL: affinity masks: empty default affinity CPU mask");
	expect_einval_untouched(4, NULL, &all, &all, NULL);
	expect_einval_untouched(4, &affd, NULL, &all, NULL);
	expect_einval_untouched(4, &affd, &all, NULL, NULL);
	assert_msk_error(msk_irq_create_affinity_masks(4, &affd, &all, &all, NULL), MSK_EINVAL);
	expect_einval_untouched(UINT_MAX, &affd, &all, &all, NULL);
}

/* ---- group_cpus ------------------------------------------------------------ */

/* Every split of C CPUs (dense or every third) into V groups follows the rule. */
static void test_group_cpus_property(void **state)
{
	(void)state;
	struct msk_cpumask out[64];
	for (unsigned int stride = 1; stride <= 3; stride += 2) {
		for (unsigned int ncpus = 1; ncpus <= 24; ncpus++) {
			struct msk_cpumask set;
			unsigned int list[24];
			msk_cpumask_clear(&set);
			for (unsigned int i = 0; i < ncpus; i++) {
				list[i] = 7 + i * stride;
				msk_cpumask_set(&set, list[i]);
			}
			for (unsigned int v = 1; v <= 40; v++) {
				assert_msk_ok(msk_affinity_group_cpus(&set, v, out));
				unsigned int next = 0, uses[24] = { 0 };
				for (unsigned int g = 0; g < v; g++) {
					unsigned int w = msk_cpumask_weight(&out[g]);
					if (v <= ncpus) {
						/* The first C mod V groups get ceil(C/V), in CPU order. */
						unsigned int want =
							ncpus / v + (g < ncpus % v ? 1 : 0);
						assert_int_equal(w, want);
						for (unsigned int k = 0; k < w; k++)
							assert_true(msk_cpumask_test(&out[g],
										     list[next++]));
					} else {
						assert_int_equal(w, 1);
						assert_true(
							msk_cpumask_test(&out[g], list[g % ncpus]));
						uses[g % ncpus]++;
					}
				}
				if (v <= ncpus)
					assert_int_equal(next, ncpus); /* disjoint cover */
				else
					for (unsigned int i = 0; i < ncpus; i++)
						assert_true(uses[i] == v / ncpus ||
							    uses[i] == (v + ncpus - 1) / ncpus);
			}
		}
	}
}

static void test_group_cpus_errors(void **state)
{
	(void)state;
	struct msk_cpumask out[2], ref[2], all = cpus("0-3"), empty;
	msk_cpumask_clear(&empty);
	memset(out, 0xa5, sizeof(out));
	memcpy(ref, out, sizeof(out));
	assert_msk_error(msk_affinity_group_cpus(&empty, 2, out), MSK_EINVAL);
	assert_string_equal(msk_last_error(), "EINVAL: group CPUs: no CPU to spread 2 groups over");
	assert_msk_error(msk_affinity_group_cpus(&all, 0, out), MSK_EINVAL);
	assert_msk_error(msk_affinity_group_cpus(NULL, 2, out), MSK_EINVAL);
	assert_msk_error(msk_affinity_group_cpus(&all, 2, NULL), MSK_EINVAL);
	assert_memory_equal(out, ref, sizeof(out));
}

/* ---- calc_affinity_vectors --------------------------------------------------- */

static void test_calc_affinity_vectors(void **state)
{
	(void)state;
	struct calls calls = { 0 };
	const struct {
		unsigned int min, max, pre, post, ncpus;
		bool calc_sets;
		int want;
	} t[] = {
		{ 1, 8, 1, 0, 4, false, 5 },	 /* 1 + min(4 CPUs, 7) */
		{ 1, 3, 1, 0, 4, false, 3 },	 /* 1 + min(4, 2) */
		{ 2, 8, 1, 1, 4, false, 6 },	 /* 2 + 4 */
		{ 1, 8, 1, 1, 4, false, 0 },	 /* resv 2 > min 1 */
		{ 3, 3, 1, 1, 4, false, 3 },	 /* 2 + min(4, 1) */
		{ 1, 64, 0, 0, 256, false, 64 }, /* capped by max */
		{ 1, 300, 0, 0, 256, false, 256 },
		{ 1, 16, 1, 0, 4, true, 16 }, /* calc_sets: everything up to max */
		{ 0, 0, 0, 0, 4, false, 0 },
		{ 5, 9, 0, 0, 2, false, 2 }, /* below min: the caller checks (Linux: -ENOSPC) */
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct msk_irq_affinity affd = { .pre_vectors = t[i].pre,
						 .post_vectors = t[i].post,
						 .calc_sets =
							 t[i].calc_sets ? nvme_like_sets : NULL,
						 .priv = &calls };
		int got = msk_irq_calc_affinity_vectors(t[i].min, t[i].max, &affd, t[i].ncpus);
		if (got != t[i].want)
			fail_msg("case %zu: got %d (%s), want %d", i, got, msk_last_error(),
				 t[i].want);
	}
	assert_int_equal(calls.n, 0); /* counting does not call calc_sets */
	struct msk_irq_affinity affd = { 0 };
	assert_msk_error(msk_irq_calc_affinity_vectors(4, 3, &affd, 4), MSK_EINVAL);
	assert_string_equal(msk_last_error(), "EINVAL: affinity vectors: bad range 4..3");
	assert_msk_error(msk_irq_calc_affinity_vectors(1, 4, &affd, 0), MSK_EINVAL);
	assert_msk_error(msk_irq_calc_affinity_vectors(1, 4, &affd, MSK_MAX_CPUS + 1), MSK_EINVAL);
	assert_msk_error(msk_irq_calc_affinity_vectors(1, 4, NULL, 4), MSK_EINVAL);
	assert_msk_error(msk_irq_calc_affinity_vectors(1, UINT_MAX, &affd, 4), MSK_EINVAL);
	affd.pre_vectors = UINT_MAX; /* no overflow of pre + post */
	affd.post_vectors = 2;
	assert_int_equal(msk_irq_calc_affinity_vectors(1, 4, &affd, 4), 0);
}

/* What pci_alloc_irq_vectors_affinity does: count, then spread. */
static void test_count_then_spread(void **state)
{
	(void)state;
	struct msk_irq_affinity affd = { .pre_vectors = 1 };
	struct msk_cpumask possible = cpus("0-7");
	struct msk_irq_affinity_desc out[32];
	int n = msk_irq_calc_affinity_vectors(2, 32, &affd, msk_cpumask_weight(&possible));
	assert_int_equal(n, 9);
	assert_int_equal(
		msk_irq_create_affinity_masks((unsigned int)n, &affd, &possible, &possible, out),
		8);
	char got[128], want[8];
	assert_string_equal(fmt(&out[0].mask, got), "0-7");
	assert_false(out[0].is_managed);
	for (unsigned int v = 1; v < 9; v++) {
		snprintf(want, sizeof(want), "%u", v - 1);
		assert_string_equal(fmt(&out[v].mask, got), want);
		assert_true(out[v].is_managed);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mask_table),
		cmocka_unit_test(test_zero_vectors),
		cmocka_unit_test(test_calc_sets_callback),
		cmocka_unit_test(test_mask_errors),
		cmocka_unit_test(test_group_cpus_property),
		cmocka_unit_test(test_group_cpus_errors),
		cmocka_unit_test(test_calc_affinity_vectors),
		cmocka_unit_test(test_count_then_spread),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
