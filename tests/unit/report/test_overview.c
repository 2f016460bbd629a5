/* SPDX-License-Identifier: MIT */
/*
 * The overview: the machine in one line and a row per device, busiest
 * first, cut at max_devices with a line counting the rest; the CPUs that
 * took interrupts as a list, or a count when the list is long; a device
 * with virqs in two domains; bad arguments.
 */
#include "report_test.h"

static char *overview(struct msk_core *core, const struct msk_report_overview_opts *opts)
{
	struct msk_report_src src = { .core = core };
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink out = msk_report_sink_buf(&buf);
	assert_msk_ok(msk_report_write_overview(snap, opts, &out));
	char *text = strdup(buf.data);
	msk_report_buf_free(&buf);
	msk_report_snapshot_free(snap);
	return text;
}

static void test_devices_busiest_first(void **state)
{
	struct rt_scenario *r = *state;
	char *text = overview(r->tp.core, NULL);
	/*
	 * The counts of the interrupts table: 0000:01:00.0 3+2+5+1 = 11 on CPUs 0-3 (the
	 * no-handler events are not counted); 0000:02:00.0 4 rx on CPU1 and the IMS slot's one
	 * (not claimed) on CPU3, in two domains (tx is held); 0000:03:00.0 2 on CPU2.
	 */
	static const char want[] =
		"machine: 4 CPUs (online 0-3), 5 domains, 12 virqs (8 with a handler), 3 devices\n"
		"device        vectors  interrupts  on CPUs                   domain\n"
		"0000:01:00.0        4          11  0-3                       "
		"TEST-PCI-MSIX-0000:01:00.0\n"
		"0000:02:00.0        4           5  1,3                       (several)\n"
		"0000:03:00.0        4           2  2                         "
		"TEST-PCI-MSI-0000:03:00.0\n";
	assert_string_equal(text, want);
	free(text);
}

static void test_cut_at_max_devices(void **state)
{
	struct rt_scenario *r = *state;
	struct msk_report_overview_opts opts = { .max_devices = 2, .more_hint = "see the table" };
	char *text = overview(r->tp.core, &opts);
	assert_non_null(strstr(text, "0000:02:00.0"));
	assert_null(strstr(text, "0000:03:00.0"));
	assert_non_null(strstr(text, "\n... 1 more device (4 virqs), see the table\n"));
	free(text);
	opts.more_hint = NULL;
	opts.max_devices = 1;
	text = overview(r->tp.core, &opts);
	assert_non_null(strstr(text, "\n... 2 more devices (8 virqs)\n"));
	free(text);
}

/* Many CPUs: the list of those that took interrupts becomes a count. */
static void test_long_cpu_lists_are_counted(void **state)
{
	(void)state;
	struct tp tp;
	struct msk_ledger *ledger;
	assert_msk_ok(msk_ledger_create(&ledger));
	assert_msk_ok(tp_create(&tp, 64, 4096, RT_SUPPORTED, ledger));
	struct msk_device *dev;
	assert_msk_ok(msk_device_create(tp.core, "0000:05:00.0", tp.domain, NULL, &dev));
	struct msk_msi_domain_template msix;
	tp_template(&msix, "PCI-MSIX", MSK_DOMAIN_BUS_PCI_DEVICE_MSIX, RT_MSIX_FLAGS);
	assert_msk_ok(msk_msi_create_device_domain(dev, 0, &msix, 8, NULL, NULL));
	assert_msk_ok(msk_msi_domain_alloc_irqs_range(dev, 0, 0, 0));
	unsigned int virq = msk_msi_get_virq(dev, 0, 0);
	assert_msk_ok(msk_request_irq(tp.core, virq, rt_handled, "q0", NULL));
	for (unsigned int c = 0; c < 64; c += 2) { /* 0,2,4,...: a list far over 24 characters */
		msk_ledger_raise(ledger, 1);
		msk_handle_irq(tp.core, c, virq, 1);
	}
	char *text = overview(tp.core, NULL);
	assert_non_null(strstr(text, "machine: 64 CPUs (online 0-63), "));
	assert_non_null(strstr(text, "0000:05:00.0        1          32  32 CPUs "));
	free(text);
	assert_msk_ok(msk_free_irq(tp.core, virq));
	assert_msk_ok(msk_device_destroy(dev));
	tp_destroy(&tp);
	msk_ledger_destroy(ledger);
}

static void test_bad_arguments(void **state)
{
	(void)state;
	struct msk_report_buf buf = { 0 };
	struct msk_report_sink out = msk_report_sink_buf(&buf);
	assert_int_equal(msk_report_write_overview(NULL, NULL, &out), -MSK_EINVAL);
	assert_null(buf.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_devices_busiest_first, rt_setup, rt_teardown),
		cmocka_unit_test_setup_teardown(test_cut_at_max_devices, rt_setup, rt_teardown),
		cmocka_unit_test(test_long_cpu_lists_are_counted),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
