/* SPDX-License-Identifier: MIT */
/* Hierarchical allocation, activation order, free order, rollback. */
#include "msk_test.h"
#include "test_hier.h"

#include <string.h>

static int setup(void **state)
{
	static struct th t;
	if (th_create(&t, 4, NULL) < 0)
		return -1;
	*state = &t;
	return 0;
}

static int teardown(void **state)
{
	th_destroy(*state);
	return 0;
}

static void assert_no_live(struct th *t)
{
	struct msk_core_stats st;
	msk_core_get_stats(t->core, &st);
	assert_int_equal(th_live(t), 0);
	assert_int_equal(st.virqs, 0);
	assert_int_equal(st.irq_data, 0);
	assert_int_equal(st.revmap_entries, 0);
	assert_int_equal(st.actions, 0);
	for (int i = 0; i < TH_LEVELS; i++)
		assert_int_equal(msk_domain_mapcount(t->lv[i].domain), 0);
}

static void test_alloc_three_levels(void **state)
{
	struct th *t = *state;
	unsigned int virq;
	th_log_clear(t);
	assert_msk_ok(th_alloc(t, 4, 10, &virq));
	assert_true(virq >= 1);
	/* Outermost called first, which recursed to the root: the root finishes first. */
	char want[512];
	snprintf(want, sizeof(want),
		 "alloc ROOT %u;alloc ROOT %u;alloc ROOT %u;alloc ROOT %u;"
		 "alloc MID %u;alloc MID %u;alloc MID %u;alloc MID %u;"
		 "alloc DEV %u;alloc DEV %u;alloc DEV %u;alloc DEV %u;",
		 virq, virq + 1, virq + 2, virq + 3, virq, virq + 1, virq + 2, virq + 3, virq,
		 virq + 1, virq + 2, virq + 3);
	assert_string_equal(t->log, want);
	assert_int_equal(th_live(t), 12);

	/* Every level has its own hwirq, chip and mapping. */
	for (unsigned int i = 0; i < 4; i++) {
		struct msk_irq_data *dev = msk_irq_get_irq_data(t->core, virq + i);
		assert_non_null(dev);
		assert_int_equal(dev->hwirq, 10 + i);
		assert_ptr_equal(dev->domain, t->lv[TH_DEV].domain);
		struct msk_irq_data *mid = dev->parent_data, *root = mid->parent_data;
		assert_ptr_equal(mid->domain, t->lv[TH_MID].domain);
		assert_ptr_equal(root->domain, t->lv[TH_ROOT].domain);
		assert_null(root->parent_data);
		assert_int_equal(mid->hwirq, 0x1000 + root->hwirq);
		assert_ptr_equal(msk_domain_find_mapping(t->lv[TH_ROOT].domain, root->hwirq), root);
		assert_ptr_equal(msk_domain_find_mapping(t->lv[TH_DEV].domain, 10 + i), dev);
		assert_ptr_equal(msk_domain_get_irq_data(t->lv[TH_MID].domain, virq + i), mid);
	}
	assert_int_equal(msk_domain_mapcount(t->lv[TH_ROOT].domain), 4);

	/* Activation: root first, outward. Deactivation: outermost first. */
	th_log_clear(t);
	assert_msk_ok(msk_irq_activate(t->core, virq, false));
	snprintf(want, sizeof(want), "activate ROOT %u;activate MID %u;activate DEV %u;", virq,
		 virq, virq);
	assert_string_equal(t->log, want);
	assert_int_equal(t->lv[TH_DEV].writes, 1);
	th_log_clear(t);
	assert_msk_ok(msk_irq_activate(t->core, virq, false)); /* already active: no-op */
	assert_string_equal(t->log, "");

	/* Free: deactivate outermost first, then free outermost first per virq. */
	th_log_clear(t);
	assert_msk_ok(msk_domain_free_irqs(t->core, virq, 1));
	snprintf(want, sizeof(want),
		 "deactivate DEV %u;deactivate MID %u;deactivate ROOT %u;"
		 "free DEV %u;free MID %u;free ROOT %u;",
		 virq, virq, virq, virq, virq, virq);
	assert_string_equal(t->log, want);
	assert_null(msk_irq_to_desc(t->core, virq));
	assert_msk_ok(msk_domain_free_irqs(t->core, virq + 1, 3));
	assert_no_live(t);
}

static enum msk_irqreturn count_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static void test_activation_failure_rolls_back(void **state)
{
	struct th *t = *state;
	unsigned int virq;
	assert_msk_ok(th_alloc(t, 1, 0, &virq));
	t->lv[TH_DEV].fail_activate = 1;
	th_log_clear(t);
	assert_msk_error(msk_irq_activate(t->core, virq, false), MSK_EIO);
	char want[256];
	snprintf(want, sizeof(want),
		 "activate ROOT %u;activate MID %u;deactivate MID %u;deactivate ROOT %u;", virq,
		 virq, virq, virq);
	assert_string_equal(t->log, want);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(t->core, virq, &info));
	assert_false(info.activated);
	/* Request activates: a failing activation leaves no handler behind. */
	t->lv[TH_MID].fail_activate = 1;
	assert_msk_error(msk_request_irq(t->core, virq, count_handler, "x", NULL), MSK_EIO);
	assert_msk_ok(msk_irq_get_info(t->core, virq, &info));
	assert_null(info.action_name);
	assert_msk_ok(msk_domain_free_irqs(t->core, virq, 1)); /* no handler: no EBUSY */
	t->lv[TH_MID].fail_activate = 0;
	assert_no_live(t);
}

/* Fail each level at each index of an 8-virq allocation: nothing may remain. */
static void test_fault_every_level_every_index(void **state)
{
	struct th *t = *state;
	const unsigned int nr = 8;
	for (int lv = 0; lv < TH_LEVELS; lv++) {
		for (unsigned int idx = 0; idx < nr; idx++) {
			t->lv[lv].fail_alloc_index = (int)idx;
			unsigned int virq = 0;
			int rc = th_alloc(t, nr, 0, &virq);
			assert_true(rc < 0);
			assert_string_not_equal(msk_last_error(), "");
			t->lv[lv].fail_alloc_index = -1;
			assert_no_live(t);
			for (unsigned int hw = 0; hw < 4096; hw++)
				assert_int_equal(t->root_hw[hw], 0);
		}
	}
	/* The space is intact: the next allocation gets the first virqs again. */
	unsigned int virq;
	assert_msk_ok(th_alloc(t, nr, 0, &virq));
	assert_int_equal(virq, 1);
	assert_msk_ok(msk_domain_free_irqs(t->core, virq, nr));
	assert_no_live(t);
}

/* Fail every heap allocation the core makes during an allocation, in turn. */
static void test_enomem_every_allocation_site(void **state)
{
	struct th *t = *state;
	unsigned int virq;
	msk_fault_reset();
	assert_msk_ok(th_alloc(t, 3, 0, &virq));
	unsigned long n = msk_fault_alloc_count();
	assert_true(n > 3);
	assert_msk_ok(msk_domain_free_irqs(t->core, virq, 3));
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		int rc = th_alloc(t, 3, 0, &virq);
		msk_fault_reset();
		if (rc ==
		    0) { /* the failing site was not on this path (e.g. a radix node existed) */
			assert_msk_ok(msk_domain_free_irqs(t->core, virq, 3));
			continue;
		}
		assert_int_equal(rc, -MSK_ENOMEM);
		assert_no_live(t);
	}
}

/* A domain whose alloc "succeeds" without setting up its level is refused. */
static int lazy_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	return msk_domain_alloc_irqs_parent(d, virq, nr, arg);
}

static void lazy_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_free_irqs_common(d, virq, nr);
}

static const struct msk_irq_domain_ops lazy_ops = { .alloc = lazy_alloc, .free = lazy_free };

static void test_broken_domain_is_refused(void **state)
{
	struct th *t = *state;
	struct msk_irq_domain *lazy;
	struct msk_irq_domain_info info = { .name = "LAZY",
					    .ops = &lazy_ops,
					    .parent = t->lv[TH_ROOT].domain };
	assert_msk_ok(msk_domain_create(t->core, &info, &lazy));
	unsigned int virq;
	assert_msk_error(msk_domain_alloc_irqs(lazy, 2, NULL, NULL, &virq), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "without a chip"));
	assert_no_live(t);
	/* A parent with children cannot go; a leaf can. */
	assert_msk_error(msk_domain_remove(t->lv[TH_ROOT].domain), MSK_EBUSY);
	assert_msk_ok(msk_domain_remove(lazy));
}

static void test_duplicate_hwirq_is_refused(void **state)
{
	struct th *t = *state;
	unsigned int a, b;
	assert_msk_ok(th_alloc(t, 1, 7, &a));
	/* Same DEV index again: the DEV level would map hwirq 7 twice. */
	assert_msk_error(th_alloc(t, 1, 7, &b), MSK_EEXIST);
	assert_int_equal(th_live(t), 3);
	assert_msk_ok(msk_domain_free_irqs(t->core, a, 1));
	assert_no_live(t);
}

static void test_registry(void **state)
{
	struct th *t = *state;
	assert_ptr_equal(msk_domain_find(t->core, "TEST-MID"), t->lv[TH_MID].domain);
	assert_null(msk_domain_find(t->core, "nope"));
	assert_ptr_equal(msk_domain_root(t->lv[TH_DEV].domain), t->lv[TH_ROOT].domain);
	struct msk_irq_domain *dup;
	struct msk_irq_domain_info info = { .name = "TEST-MID", .ops = &lazy_ops };
	assert_msk_error(msk_domain_create(t->core, &info, &dup), MSK_EEXIST);
	info.name = NULL;
	assert_msk_error(msk_domain_create(t->core, &info, &dup), MSK_EINVAL);
	info.name = "x";
	info.ops = NULL;
	assert_msk_error(msk_domain_create(t->core, &info, &dup), MSK_EINVAL);
	assert_string_equal(msk_bus_token_name(MSK_DOMAIN_BUS_PCI_DEVICE_MSIX), "PCI_DEVICE_MSIX");
	unsigned int virq;
	assert_msk_ok(th_alloc(t, 1, 0, &virq));
	assert_msk_error(msk_domain_remove(t->lv[TH_DEV].domain), MSK_EBUSY);
	assert_msk_ok(msk_domain_free_irqs(t->core, virq, 1));
}

static void test_entry_path_revmap(void **state)
{
	struct th *t = *state;
	unsigned int virq;
	assert_msk_ok(th_alloc(t, 1, 0, &virq));
	uint64_t roothw = msk_irq_get_irq_data(t->core, virq)->parent_data->parent_data->hwirq;
	/* No handler yet: counted as no-handler. */
	assert_int_equal(msk_domain_handle_irq(t->lv[TH_ROOT].domain, 0, roothw, 1),
			 MSK_FLOW_NO_HANDLER);
	assert_int_equal(msk_domain_handle_irq(t->lv[TH_ROOT].domain, 0, 4000, 1),
			 MSK_FLOW_NO_DESC);
	assert_msk_ok(msk_domain_free_irqs(t->core, virq, 1));
	assert_int_equal(msk_domain_handle_irq(t->lv[TH_ROOT].domain, 0, roothw, 1),
			 MSK_FLOW_NO_DESC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_alloc_three_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_activation_failure_rolls_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fault_every_level_every_index, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_enomem_every_allocation_site, setup, teardown),
		cmocka_unit_test_setup_teardown(test_broken_domain_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_hwirq_is_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_entry_path_revmap, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
