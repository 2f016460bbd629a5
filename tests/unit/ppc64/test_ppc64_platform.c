/* SPDX-License-Identifier: MIT */
/*
 * The ppc64 platform object: creation and its failures, layout, counters,
 * queue placement, bare mode, what is not supported, destruction.
 */
#include "ppc64_fixture.h"

static void test_create_rejects_bad_table_area(void **state)
{
	struct pp *t = pp_machine(2);
	struct msk_platform *p;
	struct msk_platform_config cfg = pp_config(2, false);
	cfg.table_base = PP_RAM_SIZE - 0x1000; /* runs past the end of RAM */
	assert_msk_error(msk_platform_create("ppc64", t->core, t->bus, &cfg, &p), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "must be RAM"));
	cfg = pp_config(2, false);
	cfg.table_size = 0x1800; /* not two 4 KiB queues */
	assert_msk_error(msk_platform_create("ppc64", t->core, t->bus, &cfg, &p), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "event queues"));
	/* Nothing stayed mapped or registered: a good configuration works now. */
	cfg = pp_config(2, false);
	assert_msk_ok(msk_platform_create("ppc64", t->core, t->bus, &cfg, &t->p));
	assert_non_null(msk_domain_find(t->core, "XIVE"));
	pp_free(t);
}

/* A second platform on the same core: the domain names are taken; nothing is left over. */
static void test_second_platform_on_a_core_fails_cleanly(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	struct msk_bus *bus2;
	assert_msk_ok(msk_bus_create(0, PP_RAM_SIZE, t->l, &bus2));
	struct msk_platform *p2;
	struct msk_platform_config cfg = pp_config(2, false);
	assert_msk_error(msk_platform_create("ppc64", t->core, bus2, &cfg, &p2), MSK_EEXIST);
	msk_bus_destroy(bus2); /* every region was unmapped again */
	struct msk_core_stats cs;
	msk_core_get_stats(t->core, &cs);
	assert_int_equal(cs.domains, 2);
	pp_free(t);
}

static void test_layout_and_counters(void **state)
{
	struct pp *t = pp_new(3, false, 0);
	struct msk_platform_layout l;
	msk_platform_layout(t->p, &l);
	assert_int_equal(l.esb, MSK_PPC64_ESB_BASE);
	assert_int_equal(l.esb_stride, 0x20000);
	assert_int_equal(l.msi_window, MSK_PPC64_MSI_WINDOW);
	assert_int_equal(l.its, 0);
	uint64_t trig, mgmt;
	assert_msk_ok(msk_xive_esb_pages(msk_ppc64_platform_xive(t->p), 5, &trig, &mgmt));
	assert_int_equal(trig, l.esb + 5 * l.esb_stride);
	assert_int_equal(msk_xive_msi_window(msk_ppc64_platform_xive(t->p)), l.msi_window);
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(pp_counter(t, "pe-quota"), MSK_PPC64_PE_QUOTA_DEF);
	assert_int_equal(pp_counter(t, "ipis"), 3);
	assert_int_equal(pp_counter(t, "lisn-pool-free"), MSK_PPC64_NR_SOURCES - 3);
	struct msk_platform_counter two[2];
	assert_int_equal(msk_platform_counters(t->p, two, 2), 2);
	assert_null(msk_ppc64_platform_xive(NULL));
	pp_free(t);
}

/* Queues: 64 KiB each when the area holds them, else 4 KiB; every one configured. */
static void test_queue_placement(void **state)
{
	struct msk_platform_config cfg = pp_config(4, false);
	cfg.table_base = PP_TABLE + 0x800; /* unaligned start: queues are aligned up */
	cfg.table_size = 0x6000;
	struct pp *t = pp_new_cfg(cfg);
	struct msk_xive *x = msk_ppc64_platform_xive(t->p);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		struct msk_xive_end_info e;
		assert_msk_ok(msk_xive_get_queue(x, cpu, 6, &e));
		assert_true(e.enqueue);
		assert_true(e.ucond);
		assert_int_equal(e.qshift, 12);
		assert_int_equal(e.qaddr, PP_TABLE + 0x1000 + 0x1000ull * cpu);
	}
	char buf[128];
	msk_domain_debug_show(msk_domain_find(t->core, "XIVE"), NULL, buf, sizeof(buf));
	assert_non_null(strstr(buf, "4 x 4096 bytes"));
	pp_free(t);

	t = pp_new(2, false, 0);
	struct msk_xive_end_info e;
	assert_msk_ok(msk_xive_get_queue(msk_ppc64_platform_xive(t->p), 1, 6, &e));
	assert_int_equal(e.qshift, 16);
	pp_free(t);
}

static void test_not_supported_here(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	uint64_t id, w;
	assert_msk_error(msk_platform_cpu_take(t->p, 0, &id, &w), MSK_ENOTSUP);
	/* Hotplug is wired (test_ppc64_hotplug.c): a bad CPU, and a double online. */
	assert_msk_error(msk_platform_cpu_offline(t->p, 2), MSK_EINVAL);
	assert_msk_error(msk_platform_cpu_online(t->p, 1), MSK_EALREADY);
	assert_msk_error(msk_platform_cpu_service(t->p, 2, 1), MSK_EINVAL);
	assert_int_equal(msk_platform_cpu_service(t->p, 1, 16), 0);
	pp_free(t);
}

/* Bare: the models only; the guest programs them with hcalls and ESB accesses. */
static void test_bare_mode(void **state)
{
	struct pp *t = pp_new_cfg(pp_config(2, true));
	assert_null(msk_platform_msi_parent(t->p));
	assert_null(msk_domain_find(t->core, "XIVE"));
	assert_msk_error(msk_platform_cpu_service(t->p, 0, 1), MSK_ENOTSUP);
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 1;
	c.vendor_id = 0x1014;
	c.msix_entries = 2;
	c.manual_bars = true;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
	assert_msk_ok(msk_pcifn_create(t->bus, &c, &fn));
	assert_msk_error(msk_platform_pci_add(t->p, fn, &pdev), MSK_ENOTSUP);
	msk_pcifn_destroy(fn);

	/* The guest routes IPI LISN 1 to CPU 1 and triggers it by a store. */
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint64_t rets[MSK_HCALL_NRETS];
	uint64_t q[5] = { MSK_H_INT_EQ_ALWAYS_NOTIFY, 1, 6, 0x200000, 12 };
	assert_int_equal(msk_spapr_hcall(fw, MSK_H_INT_SET_QUEUE_CONFIG, q, 5, rets),
			 MSK_H_SUCCESS);
	uint64_t s[5] = { MSK_H_INT_SRC_SET_EISN, 1, 1, 6, 0x1234 };
	assert_int_equal(msk_spapr_hcall(fw, MSK_H_INT_SET_SOURCE_CONFIG, s, 5, rets),
			 MSK_H_SUCCESS);
	struct msk_platform_layout l;
	msk_platform_layout(t->p, &l);
	uint64_t mgmt = l.esb + l.esb_stride + (1ull << MSK_PPC64_ESB_SHIFT), v;
	assert_msk_ok(msk_bus_read(t->bus, mgmt + MSK_XIVE_ESB_SET_PQ_00, 8, NULL, &v));
	assert_msk_ok(msk_bus_write(t->bus, l.esb + l.esb_stride, 0, 8, NULL));
	assert_true(atomic_load(&t->kicks[1]) > 0);
	uint64_t id = 0, w = 99;
	assert_int_equal(msk_platform_cpu_take(t->p, 0, &id, &w), 0);
	assert_int_equal(msk_platform_cpu_take(t->p, 1, &id, &w), 1);
	assert_int_equal(id, 0x1234);
	assert_int_equal(w, 0); /* a CPU store carries no device event */
	assert_int_equal(msk_platform_cpu_take(t->p, 1, &id, &w), 0);
	assert_msk_error(msk_platform_cpu_take(t->p, 2, &id, &w), MSK_EINVAL);
	pp_balanced(t);
	pp_free(t);
}

/* Destroy refuses while a handler is installed, then works once it is freed. */
static void test_destroy_with_devices_attached(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int f = pp_add_fn(t, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	pp_request(t, f, 1);
	msk_platform_destroy(t->p);
	assert_non_null(strstr(msk_last_error(), "still in use"));
	assert_non_null(msk_domain_find(t->core, "pSeries-MSI"));
	assert_msk_ok(msk_pcifn_raise(t->fn[f], 0)); /* still fully working */
	assert_int_equal(pp_service(t), 1);
	pp_free_irqs(t, f, 1);
	/* Devices still attached (vectors allocated, no handler) are detached by destroy. */
	msk_platform_destroy(t->p);
	t->pdev[f] = NULL;
	t->p = NULL;
	assert_null(msk_domain_find(t->core, "XIVE"));
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	msk_pcifn_destroy(t->fn[f]);
	t->fn[f] = NULL;
	assert_int_equal(pp_counts(t).delivered, 1);
	assert_msk_ok(msk_ledger_check(t->l, 0));
	msk_core_destroy(t->core);
	msk_bus_destroy(t->bus);
	msk_ledger_destroy(t->l);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_table_area),
		cmocka_unit_test(test_second_platform_on_a_core_fails_cleanly),
		cmocka_unit_test(test_layout_and_counters),
		cmocka_unit_test(test_queue_placement),
		cmocka_unit_test(test_not_supported_here),
		cmocka_unit_test(test_bare_mode),
		cmocka_unit_test(test_destroy_with_devices_attached),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
