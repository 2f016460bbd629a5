/* SPDX-License-Identifier: MIT */
/*
 * pSeries with plain MSI: a multi-MSI block from the firmware (power of
 * two, LISN block aligned, the device ORs the vector into the data), the
 * quota on MSI, and switching between MSI-X and MSI (teardown, prepare).
 */
#include "ppc64_fixture.h"

static void test_multi_msi_block_from_firmware(void **state)
{
	struct pp *t = pp_new(4, false, 0);
	unsigned int f = pp_add_fn(t, 0, 8, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 1, 8, MSK_PCI_IRQ_MSI, NULL), 8);
	struct msk_irq_domain *d = pp_devdom(t, f);
	assert_string_equal(msk_domain_name(d), "pSeries-PCI-MSI-0000:01:00.0");
	assert_true(msk_msi_domain_get_info(d)->flags & MSK_MSI_FLAG_MULTI_PCI_MSI);
	struct msk_spapr_fn_info fi = pp_fw_fn(t, f);
	assert_int_equal(fi.type, MSK_RTAS_TYPE_MSI);
	assert_int_equal(fi.count, 8);
	assert_int_equal(fi.first_lisn % 8, 0); /* aligned: vector k lands on first + k */
	/* The capability holds the firmware's message; MME = 8 vectors. */
	struct msk_pcifn_msi_state ms;
	msk_pcifn_msi_state(t->fn[f], &ms);
	assert_true(ms.enabled);
	assert_int_equal(ms.vectors_enabled, 8);
	assert_int_equal(ms.addr, MSK_PPC64_MSI_WINDOW);
	assert_int_equal(ms.data, fi.first_lisn);
	for (unsigned int k = 0; k < 8; k++)
		assert_int_equal(pp_lisn(t, f, k), fi.first_lisn + k);
	pp_request(t, f, 8);
	for (unsigned int k = 0; k < 8; k++)
		for (unsigned int n = 0; n <= k; n++)
			assert_msk_ok(msk_pcifn_raise(t->fn[f], k));
	pp_service(t);
	for (unsigned int k = 0; k < 8; k++) {
		unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[f], k);
		assert_int_equal(msk_irq_count(t->core, virq, 0) + msk_irq_count(t->core, virq, 1) +
					 msk_irq_count(t->core, virq, 2) +
					 msk_irq_count(t->core, virq, 3),
				 atomic_load(&t->calls[virq]));
		assert_true(atomic_load(&t->calls[virq]) >= 1);
	}
	struct msk_ledger_counts c = pp_counts(t);
	assert_int_equal(c.raised, 36);
	assert_int_equal(c.delivered, 36);
	assert_int_equal(c.lost, 0);
	pp_balanced(t);
	/* Per-vector masking through the capability and the ESB. */
	unsigned int v5 = (unsigned int)msk_pci_irq_vector(t->pdev[f], 5);
	unsigned int before = atomic_load(&t->calls[v5]);
	assert_msk_ok(msk_irq_mask(t->core, v5));
	assert_int_equal(pp_pq(t, fi.first_lisn + 5), MSK_XIVE_PQ_OFF);
	assert_msk_ok(msk_pcifn_raise(t->fn[f], 5));
	assert_int_equal(msk_pcifn_held(t->fn[f]), 1);
	assert_msk_ok(msk_irq_unmask(t->core, v5));
	pp_service(t);
	assert_int_equal(atomic_load(&t->calls[v5]), before + 1);
	pp_balanced(t);
	pp_free_irqs(t, f, 8);
	pp_remove_fn(t, f);
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	pp_free(t);
}

/* The quota applies to MSI too: a block that does not fit becomes one vector. */
static void test_multi_msi_beyond_quota(void **state)
{
	struct pp *t = pp_new(2, false, 4);
	unsigned int f = pp_add_fn(t, 0, 8, 0);
	/* The 8-vector block is refused (ENOSPC); the MSI core retries with one. */
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 1, 8, MSK_PCI_IRQ_MSI, NULL), 1);
	assert_int_equal(pp_fw_fn(t, f).count, 4);
	assert_int_equal(msk_msi_monitor_resources(pp_devdom(t, f), "lisn"), 4);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[f]));
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 4, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	pp_request(t, f, 4);
	for (unsigned int k = 0; k < 4; k++)
		assert_msk_ok(msk_pcifn_raise(t->fn[f], k));
	assert_int_equal(pp_service(t), 4);
	assert_int_equal(pp_counts(t).delivered, 4);
	pp_free_irqs(t, f, 4);
	pp_balanced(t);
	pp_free(t);
}

/* MSI-X, then MSI: the domain is replaced - teardown gives MSI-X back, prepare asks MSI. */
static void test_switch_msix_to_msi(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int f = pp_add_fn(t, 0, 4, 16);
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint32_t base, count;
	msk_spapr_msi_range(fw, &base, &count);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 1, 16, MSK_PCI_IRQ_MSIX, NULL), 16);
	assert_int_equal(pp_fw_fn(t, f).type, MSK_RTAS_TYPE_MSIX);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[f]));
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 1, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	struct msk_spapr_fn_info fi = pp_fw_fn(t, f);
	assert_int_equal(fi.type, MSK_RTAS_TYPE_MSI);
	assert_int_equal(fi.count, 4);
	assert_int_equal(msk_spapr_pool_free(fw), count - fi.block);
	/* The firmware cleared the MSI-X table when it released MSI-X. */
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(t->fn[f], 0, &e));
	assert_int_equal(e.addr, 0);
	pp_request(t, f, 4);
	assert_msk_ok(msk_pcifn_raise(t->fn[f], 3));
	assert_int_equal(pp_service(t), 1);
	assert_int_equal(pp_counts(t).delivered, 1);
	pp_free_irqs(t, f, 4);
	pp_remove_fn(t, f);
	assert_int_equal(msk_spapr_pool_free(fw), count);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	pp_balanced(t);
	pp_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_multi_msi_block_from_firmware),
		cmocka_unit_test(test_multi_msi_beyond_quota),
		cmocka_unit_test(test_switch_msix_to_msi),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
