/* SPDX-License-Identifier: MIT */
/*
 * The interrupts table at its edges: no virqs, 256 CPUs, an offline CPU,
 * chip names longer (and shorter) than the column, a nameless chip, the
 * fasteoi flow, the virq column growing past 999, rows without handler,
 * and the ERR line. Expected lines are composed here from the kernel's
 * format strings, independently of the writer.
 */
#include "report_test.h"

/* A one-level domain; arg: the hwirq (uint64_t *), NULL: 0. */
struct plain {
	struct msk_irq_chip chip;
	enum msk_flow_type flow;
};

static int plain_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	struct plain *p = msk_domain_host_data(d);
	uint64_t hw = arg ? *(uint64_t *)arg : 0;
	for (unsigned int i = 0; i < nr; i++) {
		int rc = msk_domain_set_hwirq_and_chip(d, virq + i, hw + i, &p->chip, NULL);
		if (rc < 0)
			return rc;
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq + i), p->flow);
	}
	return 0;
}

static void plain_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static const struct msk_irq_domain_ops plain_ops = { .alloc = plain_alloc, .free = plain_free };

static struct msk_irq_domain *mkplain(struct msk_core *core, const char *name, struct plain *p)
{
	struct msk_irq_domain *d;
	struct msk_irq_domain_info info = { .name = name, .ops = &plain_ops, .host_data = p };
	assert_msk_ok(msk_domain_create(core, &info, &d));
	return d;
}

static char *table_of(struct msk_core *core, unsigned int flags)
{
	struct msk_report_src src = { .core = core };
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	int rc;
	char *text = rt_render(snap, RT_TABLE, flags, &rc);
	assert_msk_ok(rc);
	msk_report_snapshot_free(snap);
	return text;
}

/* The kernel's header for the given online CPUs. */
static void header(char *buf, size_t size, int prec, const unsigned int *cpus, unsigned int n)
{
	size_t len = (size_t)snprintf(buf, size, "%*s", prec + 8, "");
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, size - len, "CPU%-8d", (int)cpus[i]);
	snprintf(buf + len, size - len, "\n");
}

static void test_no_irqs_prints_the_header_only(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 3 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	char *t = table_of(core, MSK_REPORT_TABLE_ALL_IRQS);
	assert_string_equal(t, "           CPU0       CPU1       CPU2       \n");
	free(t);
	t = table_of(core, MSK_REPORT_TABLE_ERR);
	assert_string_equal(t, "           CPU0       CPU1       CPU2       \n"
			       "ERR:          0\n");
	free(t);
	msk_core_destroy(core);
}

static void test_256_cpus_and_an_offline_one(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = MSK_MAX_CPUS };
	assert_msk_ok(msk_core_create(&cfg, &core));
	static struct plain p = { .chip = { .name = "WIDE" } };
	struct msk_irq_domain *d = mkplain(core, "WIDE", &p);
	unsigned int virq;
	uint64_t hw = 9;
	assert_msk_ok(msk_domain_alloc_irqs(d, 1, &hw, NULL, &virq));
	assert_msk_ok(msk_request_irq(core, virq, rt_handled, "wide", NULL));
	for (unsigned int c = 0; c < MSK_MAX_CPUS; c++)
		for (unsigned int k = 0; k < c % 5; k++)
			msk_handle_irq(core, c, virq, 1);
	assert_msk_ok(msk_core_set_cpu_online(core, 100, false));

	static char want[16384];
	static unsigned int cpus[MSK_MAX_CPUS];
	unsigned int n = 0;
	for (unsigned int c = 0; c < MSK_MAX_CPUS; c++)
		if (c != 100)
			cpus[n++] = c;
	header(want, sizeof(want), 3, cpus, n);
	size_t len = strlen(want);
	len += (size_t)snprintf(want + len, sizeof(want) - len, "%*d:", 3, (int)virq);
	for (unsigned int i = 0; i < n; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len, " %10u", cpus[i] % 5);
	snprintf(want + len, sizeof(want) - len, " %8s %*lu-%-8s  %s\n", "WIDE", 3, 9ul, "edge",
		 "wide");
	char *t = table_of(core, 0);
	assert_string_equal(t, want);
	/* Every line is as wide as the columns say. */
	assert_int_equal(strcspn(t, "\n"), 3 + 8 + 11 * (MSK_MAX_CPUS - 1));
	free(t);
	msk_core_destroy(core);
}

static void test_chip_names_longer_and_shorter_than_the_column(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 1 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	static struct plain longp = {
		.chip = { .name = "IR-PCI-MSIX-0000:3d:00.0-with-a-much-longer-name-than-eight" },
		.flow = MSK_FLOW_FASTEOI
	};
	static struct plain shortp = { .chip = { .name = "LAPIC" } };
	static struct plain nameless = { .chip = { .name = NULL } };
	struct msk_irq_domain *dl = mkplain(core, "LONG", &longp);
	struct msk_irq_domain *ds = mkplain(core, "SHORT", &shortp);
	struct msk_irq_domain *dn = mkplain(core, "NAMELESS", &nameless);
	unsigned int a, b, c;
	uint64_t hw_a = 123456789, hw_b = 0;
	assert_msk_ok(msk_domain_alloc_irqs(dl, 1, &hw_a, NULL, &a));
	assert_msk_ok(msk_domain_alloc_irqs(ds, 1, &hw_b, NULL, &b));
	assert_msk_ok(msk_domain_alloc_irqs(dn, 1, NULL, NULL, &c));
	assert_msk_ok(msk_request_irq(core, a, rt_handled, "long", NULL));
	assert_msk_ok(msk_request_irq(core, b, rt_handled, "short", NULL));
	assert_msk_ok(msk_request_irq(core, c, rt_handled, "nameless", NULL));
	msk_handle_irq(core, 0, a, 1);
	char *t = table_of(core, 0);
	assert_string_equal(t,
			    "           CPU0       \n"
			    "  1:          1 IR-PCI-MSIX-0000:3d:00.0-with-a-much-longer-name-than-"
			    "eight 123456789-fasteoi   long\n"
			    "  2:          0    LAPIC   0-edge      short\n"
			    "  3:          0        -   0-edge      nameless\n");
	free(t);
	msk_core_destroy(core);
}

/* The virq column widens with the virq space, as the kernel's with nr_irqs. */
static void test_virq_column_grows(void **state)
{
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = 1 };
	assert_msk_ok(msk_core_create(&cfg, &core));
	static struct plain p = { .chip = { .name = "BIG" } };
	struct msk_irq_domain *d = mkplain(core, "BIG", &p);
	unsigned int first;
	assert_msk_ok(msk_domain_alloc_irqs(d, 998, NULL, NULL, &first));
	assert_int_equal(first, 1);
	assert_msk_ok(msk_request_irq(core, 998, rt_handled, "last", NULL));
	char *t = table_of(core, 0);
	assert_string_equal(t, "           CPU0       \n"
			       "998:          0      BIG 997-edge      last\n");
	free(t);
	/* Virq 999 needs a space of 1000: four digits. */
	unsigned int v;
	uint64_t hw = 998;
	assert_msk_ok(msk_domain_alloc_irqs(d, 1, &hw, NULL, &v));
	assert_int_equal(v, 999);
	t = table_of(core, 0);
	assert_string_equal(t, "            CPU0       \n"
			       " 998:          0      BIG  997-edge      last\n");
	free(t);
	msk_core_destroy(core);
}

static void test_rows_without_handler_and_err(void **state)
{
	struct msk_core *core;
	struct msk_ledger *ledger;
	assert_msk_ok(msk_ledger_create(&ledger));
	struct msk_core_config cfg = { .nr_cpus = 2, .ledger = ledger };
	assert_msk_ok(msk_core_create(&cfg, &core));
	static struct plain p = { .chip = { .name = "X" } };
	struct msk_irq_domain *d = mkplain(core, "X", &p);
	unsigned int v;
	assert_msk_ok(msk_domain_alloc_irqs(d, 3, NULL, NULL, &v));
	assert_msk_ok(msk_request_irq(core, v + 1, rt_not_mine, "nobody", NULL));
	msk_handle_irq(core, 0, v, 1);	   /* no handler: spurious */
	msk_handle_irq(core, 1, v + 1, 1); /* not claimed: spurious, counted */
	char *t = table_of(core, 0);
	assert_string_equal(t, "           CPU0       CPU1       \n"
			       "  2:          0          1        X   1-edge      nobody\n");
	free(t);
	t = table_of(core, MSK_REPORT_TABLE_ALL_IRQS | MSK_REPORT_TABLE_ERR);
	assert_string_equal(t, "           CPU0       CPU1       \n"
			       "  1:          0          0        X   0-edge    \n"
			       "  2:          0          1        X   1-edge      nobody\n"
			       "  3:          0          0        X   2-edge    \n"
			       "ERR:          2\n");
	free(t);
	msk_core_destroy(core);
	msk_ledger_destroy(ledger);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_irqs_prints_the_header_only),
		cmocka_unit_test(test_256_cpus_and_an_offline_one),
		cmocka_unit_test(test_chip_names_longer_and_shorter_than_the_column),
		cmocka_unit_test(test_virq_column_grows),
		cmocka_unit_test(test_rows_without_handler_and_err),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
