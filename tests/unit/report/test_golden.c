/* SPDX-License-Identifier: MIT */
/*
 * The four views and the summary of the fixed scenario (report_test.h)
 * against the golden files in tests/data/golden/ (MSK_UPDATE_GOLDEN=1
 * rewrites them; see report_test.h).
 */
#include "report_test.h"

struct fx {
	struct rt_scenario r;
	struct msk_report_snapshot *snap;
};

static int setup(void **state)
{
	static struct fx f;
	rt_build(&f.r);
	struct msk_report_src src = rt_src(&f.r);
	assert_msk_ok(msk_report_snapshot_take(&src, &f.snap));
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	msk_report_snapshot_free(f->snap);
	rt_destroy(&f->r);
	return 0;
}

static void check_view(struct fx *f, enum rt_view view, unsigned int flags, const char *golden)
{
	int rc;
	char *text = rt_render(f->snap, view, flags, &rc);
	assert_msk_ok(rc);
	rt_assert_golden(golden, text);
	free(text);
}

static void test_the_scenario_is_what_the_goldens_show(void **state)
{
	struct fx *f = *state;
	/* The facts the golden files rest on, checked against the core directly. */
	assert_int_equal(f->r.tp.pool_used, 12);
	assert_int_equal(msk_msi_violation_count(f->r.tp.core), 1);
	assert_msk_ok(msk_ledger_check(f->r.ledger, msk_core_held(f->r.tp.core)));
	struct msk_ledger_counts c;
	msk_ledger_read(f->r.ledger, &c);
	assert_int_equal(c.raised, 22);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_NO_HANDLER], 2);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_UNHANDLED], 1);
	assert_int_equal(msk_core_held(f->r.tp.core), 1);
	assert_int_equal(f->snap->nr_irqs, 12);
	assert_int_equal(f->snap->nr_domains, 5);
}

static void test_table(void **state)
{
	check_view(*state, RT_TABLE, 0, "report-interrupts.txt");
}

static void test_table_all_irqs_and_err(void **state)
{
	check_view(*state, RT_TABLE, MSK_REPORT_TABLE_ALL_IRQS | MSK_REPORT_TABLE_ERR,
		   "report-interrupts-all.txt");
}

static void test_tree(void **state)
{
	check_view(*state, RT_TREE, 0, "report-tree.txt");
}

static void test_json(void **state)
{
	check_view(*state, RT_JSON, 0, "report.json");
}

static void test_dot(void **state)
{
	check_view(*state, RT_DOT, 0, "report.dot");
}

static void test_summary(void **state)
{
	check_view(*state, RT_SUMMARY, 0, "report-summary.txt");
}

/* The same core twice gives the same text: nothing depends on addresses or time. */
static void test_deterministic(void **state)
{
	struct fx *f = *state;
	struct msk_report_src src = rt_src(&f->r);
	struct msk_report_snapshot *again;
	assert_msk_ok(msk_report_snapshot_take(&src, &again));
	for (int v = RT_TABLE; v <= RT_SUMMARY; v++) {
		int rc1, rc2;
		char *a = rt_render(f->snap, (enum rt_view)v, 0, &rc1);
		char *b = rt_render(again, (enum rt_view)v, 0, &rc2);
		assert_int_equal(rc1, rc2);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	msk_report_snapshot_free(again);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_the_scenario_is_what_the_goldens_show, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_all_irqs_and_err, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
