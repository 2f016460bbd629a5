/* SPDX-License-Identifier: MIT */
/*
 * Command errors become a clean -MSK_EIO naming the command, under both
 * error policies of the ITS (skip: found in the error report; stall: seen
 * in CREADR.Stalled, the queue restarted past it), and the driver keeps
 * working. Also: DeviceIDs beyond the ITS, table RAM exhaustion, bare mode.
 */
#include "arm64_fixture.h"

static struct am M;

static int setup_skip(void **state)
{
	*state = &M;
	return am_setup(&M, true);
}

static int setup_stall(void **state)
{
	struct msk_platform_config c;
	am_config(&c, true);
	c.its.stall_on_error = true;
	*state = &M;
	return am_setup_cfg(&M, &c);
}

static int teardown(void **state)
{
	am_teardown(*state);
	return 0;
}

/* Level-1 device table entry of a DeviceID (the driver's two-level table). */
static uint64_t l1_entry(struct am *m, uint32_t devid)
{
	return m->its->dt_pa + (devid / (ITS_PAGE_64K / m->its->dt_esz)) * 8;
}

static void mapti_error_is_reported(struct am *m, bool stall)
{
	struct msk_pci_dev *pdev = am_add(m, 0x21, 0, 0, 16);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	/* Guest memory goes bad under the driver: the DeviceID's level-2 page vanishes. */
	uint64_t l1;
	assert_msk_ok(msk_ram_read64(m->bus, l1_entry(m, 0x2100), &l1));
	assert_msk_ok(msk_ram_write64(m->bus, l1_entry(m, 0x2100), 0));
	struct msk_msi_map v = msk_pci_msix_alloc_irq_at(pdev, 3, NULL);
	assert_int_equal(v.index, -MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "MAPTI (DeviceID 0x2100, EventID 1)"));
	assert_non_null(strstr(msk_last_error(), "E_ITS_MAPTI_UNMAPPED_DEVICE"));
	assert_non_null(strstr(msk_last_error(), stall ? "stalled" : "skipped"));
	assert_int_equal(am_counter(m, "its_cmd_errors"), 1);
	assert_int_equal(am_counter(m, "lpis"), 1); /* nothing left behind */
	struct msk_its_stats st;
	msk_its_stats(m->gic, &st);
	assert_int_equal(st.stalls, stall ? 1 : 0);
	uint64_t r;
	assert_msk_ok(msk_bus_read(m->bus, ARM64_ITS_BASE + MSK_GITS_CREADR, 8, NULL, &r));
	assert_false(r & MSK_GITS_CREADR_STALLED);
	/* Memory repaired: the queue still works. */
	assert_msk_ok(msk_ram_write64(m->bus, l1_entry(m, 0x2100), l1));
	v = msk_pci_msix_alloc_irq_at(pdev, 3, NULL);
	assert_int_equal(v.index, 3);
	assert_msk_ok(msk_request_irq(m->core, v.virq, am_handler, "v3", m));
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 3));
	assert_int_equal(am_service_all(m), 1);
	assert_msk_ok(msk_free_irq(m->core, v.virq));
	assert_int_equal(am_counter(m, "its_cmd_errors"), 1);
}

static void test_error_skipped_by_the_its(void **state)
{
	mapti_error_is_reported(*state, false);
}

static void test_error_stalls_the_its(void **state)
{
	mapti_error_is_reported(*state, true);
}

static void test_device_id_beyond_the_its(void **state)
{
	struct msk_platform_config c;
	am_config(&c, true);
	c.its.devbits = 8;
	struct am *m = *state;
	am_teardown(m);
	assert_int_equal(am_setup_cfg(m, &c), 0);
	struct msk_pci_dev *pdev = am_add(m, 0x1, 0, 0, 4); /* RID 0x100 >= 2^8 */
	assert_msk_error(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), MSK_ERANGE);
	assert_non_null(strstr(msk_last_error(), "beyond the ITS's 8 DeviceID bits"));
	assert_int_equal(am_counter(m, "its_devices"), 0);
}

static void test_table_ram_exhausted(void **state)
{
	struct msk_platform_config c;
	am_config(&c, true);
	struct am *m = *state;
	am_teardown(m);
	/* Room for the GIC tables and the ITS, not for one more level-2 page. */
	c.table_size = 0x10000 /* prop */ + AM_NCPUS * 0x10000 + 0x10000 /* L1 */ +
		       0x10000 /* collections */ + 0x10000 /* queue */ + 0x1000;
	assert_int_equal(am_setup_cfg(m, &c), 0);
	struct msk_pci_dev *pdev = am_add(m, 0x1, 0, 0, 4);
	assert_msk_error(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "level 2"));
	assert_int_equal(am_counter(m, "its_devices"), 0);
	assert_int_equal(am_counter(m, "lpis"), 0);
}

static void test_bad_configs_refused(void **state)
{
	struct am *m = *state;
	struct msk_platform_config c;
	struct msk_platform *p;
	msk_platform_destroy(m->p); /* frees the GIC's addresses */
	am_config(&c, true);
	c.its.lpi_bits = 21;
	assert_msk_error(msk_platform_create("arm64", m->core, m->bus, &c, &p), MSK_EINVAL);
	am_config(&c, true);
	c.table_base = 0x1000; /* not RAM */
	assert_msk_error(msk_platform_create("arm64", m->core, m->bus, &c, &p), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "is not guest RAM"));
	am_config(&c, true);
	c.table_size = 0x20000; /* not even the LPI tables */
	assert_msk_error(msk_platform_create("arm64", m->core, m->bus, &c, &p), MSK_ENOSPC);
	/* Nothing remains: the same platform can be created now. */
	am_config(&c, true);
	assert_msk_ok(msk_platform_create("arm64", m->core, m->bus, &c, &m->p));
	m->its = arm64_platform_its(m->p);
	m->gic = arm64_platform_gic(m->p);
}

static void test_bare_platform_hands_out_raw_intids(void **state)
{
	struct am *m = *state;
	struct msk_platform_config c;
	am_config(&c, true);
	c.bare = true;
	am_teardown(m);
	assert_int_equal(am_setup_cfg(m, &c), 0);
	assert_null(msk_platform_msi_parent(m->p));
	assert_null(m->its);
	assert_msk_error(msk_platform_cpu_service(m->p, 0, 1), MSK_ENOTSUP);
	uint64_t id, w;
	assert_int_equal(msk_platform_cpu_take(m->p, 0, &id, &w), 0);
	/* The guest programs the GIC itself: nothing is enabled yet, so an MSI is lost. */
	msk_ledger_raise(m->ledger, 1);
	msk_bus_msi(m->bus, ARM64_ITS_BASE + MSK_GITS_TRANSLATER, 0, 0x100, 1);
	assert_int_equal(am_lost(m), 1);
	assert_int_equal(am_counter(m, "its_devices"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_error_skipped_by_the_its, setup_skip,
						teardown),
		cmocka_unit_test_setup_teardown(test_error_stalls_the_its, setup_stall, teardown),
		cmocka_unit_test_setup_teardown(test_device_id_beyond_the_its, setup_skip,
						teardown),
		cmocka_unit_test_setup_teardown(test_table_ram_exhausted, setup_skip, teardown),
		cmocka_unit_test_setup_teardown(test_bad_configs_refused, setup_skip, teardown),
		cmocka_unit_test_setup_teardown(test_bare_platform_hands_out_raw_intids, setup_skip,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
