/* SPDX-License-Identifier: MIT */
/*
 * ITT sizing as Linux does it, checked against what MAPD carried; multi-MSI
 * sized by the capability; non-power-of-two counts; dynamic MSI-X with and
 * without PCI_MSIX_ALLOC_DYN; the per-alloc prepare compat mode (story 2).
 */
#include "arm64_fixture.h"

static struct am M;

static int setup(void **state)
{
	*state = &M;
	return am_setup(&M, true);
}

static int setup_no_dyn(void **state)
{
	*state = &M;
	return am_setup(&M, false);
}

static int teardown(void **state)
{
	am_teardown(*state);
	return 0;
}

static void test_itt_sizing_table(void **state)
{
	struct am *m = *state;
	static const struct {
		unsigned int vectors, entries, bytes;
	} table[] = {
		{ 1, 2, 256 },	 { 2, 2, 256 },	  { 3, 4, 256 },	 { 5, 8, 256 },
		{ 32, 32, 256 }, { 33, 64, 512 }, { 2048, 2048, 16384 },
	};
	for (unsigned int i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		struct msk_pci_dev *pdev = am_add(m, 0x10 + i, 0, 0, table[i].vectors);
		uint32_t devid = (0x10 + i) << 8;
		assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
		/* What MAPD carried, read back from the device table the ITS walks. */
		struct msk_its_device_info info;
		assert_int_equal(msk_its_device(m->gic, devid, &info), 1);
		struct its_device *dev = its_find_device(m->its, devid);
		assert_non_null(dev);
		assert_int_equal(info.nr_events, table[i].entries);
		assert_int_equal(info.itt_addr, dev->itt_pa);
		assert_int_equal(info.itt_addr % 256, 0);
		assert_int_equal(dev->nr_ites, table[i].entries);
		assert_int_equal(dev->itt_bytes, table[i].bytes);
		assert_int_equal(msk_msi_monitor_resources(am_domain(pdev), "itt"), table[i].bytes);
		/* LPIs for the power of two of the vectors (1 for one vector). */
		assert_int_equal(dev->nr_lpis, its_pci_nvecs(devid, table[i].vectors));
		assert_int_equal(its_itt_entries(its_pci_nvecs(devid, table[i].vectors)),
				 table[i].entries);
	}
	assert_int_equal(msk_msi_violation_count(m->core), 0);
}

/* "broken systems where all devices appear as DevID 0": at least 32 events. */
static void test_device_id_0_gets_32_events(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 0, 0, 0, 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(m->gic, 0, &info), 1);
	assert_int_equal(info.nr_events, 32);
	assert_int_equal(its_find_device(m->its, 0)->itt_bytes, 256);
}

/* Multi-MSI: the domain is sized by the capability (the June 2025 fix), 8 LPIs. */
static void test_multi_msi_sized_by_capability(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 5, 0, 8, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 8, MSK_PCI_IRQ_MSI, NULL), 8);
	struct msk_irq_domain *d = am_domain(pdev);
	assert_string_equal(msk_domain_name(d), "ITS-PCI-MSI-0000:05:00.0");
	struct msk_msi_domain_stats st;
	assert_msk_ok(msk_msi_domain_stats(d, &st));
	assert_int_equal(st.prepared_nvec, 8); /* hwsize 1 would have sized the ITT for 1 */
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(m->gic, 0x500, &info), 1);
	assert_int_equal(info.nr_events, 8);
	/* The block is naturally aligned: vector i is EventID base + i, data ORs i in. */
	unsigned int v0 = (unsigned)msk_pci_irq_vector(pdev, 0);
	uint32_t ev0 = am_lpi(m, v0) - its_find_device(m->its, 0x500)->lpi_base;
	assert_int_equal(ev0 % 8, 0);
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, i);
		assert_int_equal(am_lpi(m, virq), am_lpi(m, v0) + i);
		assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "msi", m));
	}
	for (unsigned int i = 0; i < 8; i++)
		assert_msk_ok(msk_pcifn_raise(m->fn[0], i));
	assert_int_equal(am_service_all(m), 8);
	for (unsigned int i = 0; i < 8; i++)
		assert_int_equal(atomic_load(&m->calls[msk_pci_irq_vector(pdev, i)]), 1);
	assert_int_equal(am_lost(m), 0);
	for (unsigned int i = 0; i < 8; i++)
		assert_msk_ok(msk_free_irq(m->core, (unsigned)msk_pci_irq_vector(pdev, i)));
}

static void fire_all(struct am *m, struct msk_pci_dev *pdev, unsigned int fn, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, i);
		assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "v", m));
		assert_msk_ok(msk_pcifn_raise(m->fn[fn], i));
	}
	assert_int_equal(am_service_all(m), n);
	for (unsigned int i = 0; i < n; i++) {
		unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, i);
		assert_int_equal(atomic_load(&m->calls[virq]), 1);
		assert_msk_ok(msk_free_irq(m->core, virq));
	}
}

static void test_non_power_of_two_counts(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *a = am_add(m, 6, 0, 0, 5);
	assert_int_equal(msk_pci_alloc_irq_vectors(a, 5, 5, MSK_PCI_IRQ_MSIX, NULL), 5);
	assert_int_equal(its_find_device(m->its, 0x600)->nr_ites, 8);
	fire_all(m, a, 0, 5);
	struct msk_pci_dev *b = am_add(m, 7, 0, 0, 12);
	assert_int_equal(msk_pci_alloc_irq_vectors(b, 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
	assert_int_equal(its_find_device(m->its, 0x700)->nr_ites, 16);
	fire_all(m, b, 1, 3);
	/* Multi-MSI with 3 of 4: a 4-aligned block, 3 vectors. */
	struct msk_pci_dev *c = am_add(m, 8, 0, 4, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(c, 3, 3, MSK_PCI_IRQ_MSI, NULL), 3);
	assert_int_equal(its_find_device(m->its, 0x800)->nr_ites, 4);
	fire_all(m, c, 2, 3);
	assert_int_equal(am_counter(m, "lpis"), 11);
	assert_int_equal(am_lost(m), 0);
}

/* Story 4 "after": vectors added while others fire; nothing lost, nothing rewritten. */
static void test_dynamic_msix_while_others_fire(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 9, 0, 0, 64);
	assert_true(msk_pci_msix_can_alloc_dyn(pdev));
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	struct msk_pcifn_vector before[4];
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, i);
		assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "nic", m));
		msk_pcifn_msix_entry(m->fn[0], i, &before[i]);
	}
	struct msk_msi_map added[20];
	for (unsigned int r = 0; r < 20; r++) {
		assert_msk_ok(msk_pcifn_raise(m->fn[0], r % 4));
		added[r] = msk_pci_msix_alloc_irq_at(pdev, 40 + r, NULL);
		assert_int_equal(added[r].index, (int)(40 + r));
		assert_msk_ok(msk_pcifn_raise(m->fn[0], (r + 1) % 4));
		assert_msk_ok(msk_request_irq(m->core, added[r].virq, am_handler, "roce", m));
		assert_msk_ok(msk_pcifn_raise(m->fn[0], 40 + r));
		am_service_all(m);
		assert_int_equal(atomic_load(&m->calls[added[r].virq]), 1);
	}
	unsigned int nic = 0;
	for (unsigned int i = 0; i < 4; i++) {
		struct msk_pcifn_vector after;
		msk_pcifn_msix_entry(m->fn[0], i, &after);
		assert_int_equal(after.addr, before[i].addr);
		assert_int_equal(after.data, before[i].data);
		nic += atomic_load(&m->calls[msk_pci_irq_vector(pdev, i)]);
	}
	assert_int_equal(nic, 40);
	assert_int_equal(am_lost(m), 0);
	struct msk_msi_domain_stats st;
	msk_msi_domain_stats(am_domain(pdev), &st);
	assert_int_equal(st.prepares, 1);
	assert_int_equal(its_find_device(m->its, 0x900)->nr_ites, 64); /* sized once, for all */
	for (unsigned int r = 0; r < 20; r++) {
		assert_msk_ok(msk_free_irq(m->core, added[r].virq));
		assert_msk_ok(msk_pci_msix_free_irq(pdev, added[r]));
	}
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_free_irq(m->core, (unsigned)msk_pci_irq_vector(pdev, i)));
	assert_int_equal(msk_msi_violation_count(m->core), 0);
}

/* Story 4 "before": upstream Linux today, no ALLOC_DYN on the ITS. */
static void test_no_dynamic_msix_without_alloc_dyn(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 9, 0, 0, 64);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	assert_false(msk_pci_msix_can_alloc_dyn(pdev));
	struct msk_msi_map m5 = msk_pci_msix_alloc_irq_at(pdev, 5, NULL);
	assert_int_equal(m5.index, -MSK_ENOTSUP);
	assert_int_equal(m5.virq, 0);
	assert_false(msk_msi_parent_ops(msk_platform_msi_parent(m->p))->supported_flags &
		     MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN);
}

/*
 * Story 2 "before": prepare per allocation. The first allocation (1 vector)
 * sizes the device (ITT of 2, 1 LPI); the next prepare reuses the device
 * without resizing, as Linux did, so a vector at index 5 finds no event.
 */
static void test_per_alloc_prepare_sizes_by_the_first_count(void **state)
{
	struct am *m = *state;
	msk_msi_set_prepare_mode(m->core, MSK_MSI_PREPARE_PER_ALLOC);
	struct msk_pci_dev *pdev = am_add(m, 0x0a, 0, 0, 64);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(m->gic, 0xa00, &info), 1);
	assert_int_equal(info.nr_events, 2);
	struct its_device *dev = its_find_device(m->its, 0xa00);
	assert_int_equal(dev->nr_lpis, 1);
	struct msk_msi_map at5 = msk_pci_msix_alloc_irq_at(pdev, 5, NULL);
	assert_int_equal(at5.index, -MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "ITT of 2 entries prepared for 1 vectors"));
	assert_int_equal(dev->users[0].prepares, 2); /* prepared again, reused, not resized */
	assert_int_equal(msk_its_device(m->gic, 0xa00, &info), 1);
	assert_int_equal(info.nr_events, 2);
	/* The monitor names what went wrong. */
	bool size_rule = false;
	for (unsigned int i = 0; i < msk_msi_violation_count(m->core); i++) {
		struct msk_msi_violation v;
		msk_msi_get_violation(m->core, i, &v);
		size_rule |= v.rule == MSK_MSI_RULE_PREPARE_SIZE;
	}
	assert_true(size_rule);
	/* The first vector still works, and nothing leaks at removal. */
	unsigned int v0 = (unsigned)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(m->core, v0, am_handler, "v0", m));
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 0));
	assert_int_equal(am_service_all(m), 1);
	assert_msk_ok(msk_free_irq(m->core, v0));
}

/* Story 2 "after": prepared once with hwsize, any vector up to hwsize works. */
static void test_per_device_prepare_any_vector_works(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 0x0a, 0, 0, 64);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	struct msk_msi_map at5 = msk_pci_msix_alloc_irq_at(pdev, 5, NULL);
	assert_int_equal(at5.index, 5);
	struct msk_msi_map at63 = msk_pci_msix_alloc_irq_at(pdev, 63, NULL);
	assert_int_equal(at63.index, 63);
	assert_msk_ok(msk_request_irq(m->core, at63.virq, am_handler, "v63", m));
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 63));
	assert_int_equal(am_service_all(m), 1);
	assert_int_equal(atomic_load(&m->calls[at63.virq]), 1);
	assert_msk_ok(msk_free_irq(m->core, at63.virq));
	assert_int_equal(msk_msi_violation_count(m->core), 0);
}

/* Two domains on one DeviceID (switching MSI -> MSI-X replaces the domain). */
static void test_switching_msi_to_msix_remaps_the_device(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 0x0b, 0, 4, 16);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 4, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	assert_int_equal(its_find_device(m->its, 0xb00)->nr_ites, 4);
	assert_msk_ok(msk_pci_free_irq_vectors(pdev));
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 8, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	assert_int_equal(its_find_device(m->its, 0xb00)->nr_ites, 16);
	assert_int_equal(am_counter(m, "its_devices"), 1);
	fire_all(m, pdev, 0, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_itt_sizing_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_id_0_gets_32_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multi_msi_sized_by_capability, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_non_power_of_two_counts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dynamic_msix_while_others_fire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_dynamic_msix_without_alloc_dyn,
						setup_no_dyn, teardown),
		cmocka_unit_test_setup_teardown(test_per_alloc_prepare_sizes_by_the_first_count,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_per_device_prepare_any_vector_works, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_switching_msi_to_msix_remaps_the_device, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
