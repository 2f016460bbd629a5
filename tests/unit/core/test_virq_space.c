/* SPDX-License-Identifier: MIT */
/*
 * The virq allocator: first fit over the whole space, whatever the
 * history of allocations and frees, checked against a reference model;
 * and a large space filled and punched through.
 */
#include "msk_test.h"

static const struct msk_irq_chip chip = { .name = "VS" };

static int vs_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_set_hwirq_and_chip(d, virq + i, virq + i, &chip, NULL);
	return 0;
}

static void vs_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static const struct msk_irq_domain_ops ops = { .alloc = vs_alloc, .free = vs_free };

static struct msk_irq_domain *make(struct msk_core **core, unsigned int nr_irqs)
{
	struct msk_core_config cfg = { .nr_cpus = 1, .nr_irqs = nr_irqs };
	struct msk_irq_domain *d;
	struct msk_irq_domain_info info = { .name = "VS", .ops = &ops, .hwirq_max = nr_irqs };
	assert_msk_ok(msk_core_create(&cfg, core));
	assert_msk_ok(msk_domain_create(*core, &info, &d));
	return d;
}

/* First fit in the reference: the lowest v >= 1 with [v, v + nr) all free. */
static int ref_first_fit(const unsigned char *used, unsigned int size, unsigned int nr)
{
	for (unsigned int v = 1; v + nr <= size; v++) {
		unsigned int k = 0;
		while (k < nr && !used[v + k])
			k++;
		if (k == nr)
			return (int)v;
		v += k;
	}
	return -1;
}

static void test_first_fit_against_reference(void **state)
{
	(void)state;
	const unsigned int size = 777; /* not a multiple of 64: the padded tail counts */
	struct msk_core *core;
	struct msk_irq_domain *d = make(&core, size);
	static unsigned char used[777];
	static unsigned int start_of[777], len_of[777];
	memset(used, 0, sizeof(used));
	uint32_t s = 99;
	for (int step = 0; step < 6000; step++) {
		s ^= s << 13;
		s ^= s >> 17;
		s ^= s << 5;
		unsigned int nr = 1 + s % 70;
		if ((s >> 8) % 3) {
			int want = ref_first_fit(used, size, nr);
			unsigned int got;
			int rc = msk_domain_alloc_irqs(d, nr, NULL, NULL, &got);
			if (want < 0) {
				assert_int_equal(rc, -MSK_ENOSPC);
				continue;
			}
			assert_msk_ok(rc);
			assert_int_equal(got, (unsigned)want);
			memset(used + got, 1, nr);
			start_of[got] = got;
			len_of[got] = nr;
		} else {
			/* Free a random allocated run (from its start). */
			unsigned int v = 1 + (s >> 12) % (size - 1);
			while (v < size && !(used[v] && start_of[v] == v && len_of[v]))
				v++;
			if (v >= size)
				continue;
			assert_msk_ok(msk_domain_free_irqs(core, v, len_of[v]));
			memset(used + v, 0, len_of[v]);
			len_of[v] = 0;
		}
	}
	msk_core_destroy(core);
}

static void test_large_space(void **state)
{
	(void)state;
	struct msk_core *core;
	struct msk_irq_domain *d = make(&core, 1u << 18);
	unsigned int v, first;
	assert_msk_ok(msk_domain_alloc_irqs(d, 60000, NULL, NULL, &first));
	assert_int_equal(first, 1);
	/* Punch a one-virq hole low down; later singles fill it, then go to the end. */
	assert_msk_ok(msk_domain_free_irqs(core, 100, 1));
	assert_msk_ok(msk_domain_alloc_irqs(d, 2, NULL, NULL, &v));
	assert_int_equal(v, 60001); /* the hole is too small for 2 */
	assert_msk_ok(msk_domain_alloc_irqs(d, 1, NULL, NULL, &v));
	assert_int_equal(v, 100);
	assert_msk_ok(msk_domain_alloc_irqs(d, 1, NULL, NULL, &v));
	assert_int_equal(v, 60003);
	/* Fill the space exactly, then one more is ENOSPC. */
	unsigned int left = (1u << 18) - 1 - 60003;
	assert_msk_ok(msk_domain_alloc_irqs(d, left, NULL, NULL, &v));
	assert_msk_error(msk_domain_alloc_irqs(d, 1, NULL, NULL, &v), MSK_ENOSPC);
	msk_core_destroy(core);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_fit_against_reference),
		cmocka_unit_test(test_large_space),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
