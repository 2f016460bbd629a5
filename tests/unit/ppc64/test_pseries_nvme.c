/* SPDX-License-Identifier: MIT */
/*
 * The two pSeries stories of 2025 (linux-msi.md section 10, items 7 and
 * 12; seed 000): the post_free conversion that broke NVMe boot, and the
 * NVMe with 129 MSI-X vectors on a PE with a quota of 128.
 */
#include "ppc64_fixture.h"

/* --- post_free: the first version of the conversion ------------------------------------------- */

static void test_post_free_then_allocate_fails_cleanly(void **state)
{
	struct pp *t = pp_new(2, true, 0);
	unsigned int f = pp_add_fn(t, 0, 0, 32);
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint32_t base, count;
	msk_spapr_msi_range(fw, &base, &count);

	/* 1. nvme_setup_io_queues: one vector first. */
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	uint32_t lisn0 = pp_lisn(t, f, 0);
	pp_request(t, f, 1);
	assert_msk_ok(msk_pcifn_raise(t->fn[f], 0));
	assert_int_equal(pp_service(t), 1);
	pp_free_irqs(t, f, 1);
	struct msk_irq_domain *d = pp_devdom(t, f);
	assert_int_equal(msk_msi_monitor_resources(d, "lisn"), 32);

	/* 2. free: post_free disables MSI in firmware - prepare's work is gone. */
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[f]));
	assert_int_equal(pp_fw_fn(t, f).count, 0);
	assert_int_equal(msk_spapr_pool_free(fw), count);
	assert_int_equal(msk_msi_monitor_resources(d, "lisn"), 0);
	assert_int_equal(msk_msi_violation_count(t->core), 0); /* nothing has failed yet */

	/* 3. allocate again: prepare does not run again, the source lookup fails. */
	int rc = msk_pci_alloc_irq_vectors(t->pdev[f], 1, 8, MSK_PCI_IRQ_MSIX, NULL);
	assert_int_equal(rc, -MSK_EIO);
	const char *msg = msk_last_error();
	print_message("the failure, as msikit reports it: %s\n", msg);
	char want[64];
	snprintf(want, sizeof(want), "H_INT_GET_SOURCE_INFO lisn=0x%x failed -55", lisn0);
	if (!strstr(msg, want))
		fail_msg("error \"%s\" lacks \"%s\"", msg, want);
	assert_non_null(strstr(msg, "EIO"));
	assert_non_null(strstr(msg, "0000:01:00.0"));
	/* The contract monitor names the rule. */
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_POST_FREE_UNDID_PREPARE), 1);
	struct msk_msi_violation v;
	assert_msk_ok(msk_msi_get_violation(t->core, 0, &v));
	assert_string_equal(msk_msi_rule_name(v.rule), "post-free-undid-prepare");
	assert_string_equal(v.domain, "pSeries-PCI-MSIX-0000:01:00.0");
	assert_non_null(strstr(v.detail, "H_INT_GET_SOURCE_INFO"));
	struct msk_msi_domain_stats st;
	assert_msk_ok(msk_msi_domain_stats(d, &st));
	assert_int_equal(st.prepares, 1);
	assert_int_equal(st.post_frees, 1);
	assert_int_equal(st.failed_allocs, 1);

	/* Nothing leaked: no virq, no XIVE mapping, MSI-X off, the pool full. */
	struct msk_core_stats cs;
	msk_core_get_stats(t->core, &cs);
	assert_int_equal(cs.virqs, 0);
	assert_int_equal(cs.revmap_entries, 0);
	assert_int_equal(pp_counter(t, "xive-mapped"), 0);
	struct msk_pci_state ps;
	msk_pci_get_state(t->pdev[f], &ps);
	assert_false(ps.msix_enabled);
	assert_int_equal(msk_spapr_pool_free(fw), count);

	/* Later calls still answer. */
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[f]));
	assert_msk_error(msk_pci_irq_vector(t->pdev[f], 0), MSK_EINVAL);
	assert_int_equal(msk_platform_cpu_service(t->p, 0, 8), 0);
	pp_remove_fn(t, f);
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_RESOURCES_RETURNED), 0);
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_TEARDOWN_ONCE), 0);
	assert_int_equal(msk_msi_violation_count(t->core), 1);
	struct msk_ledger_counts c = pp_counts(t);
	assert_int_equal(c.delivered, 1);
	assert_int_equal(c.lost, 0);
	pp_balanced(t);
	pp_free(t);
}

/* post_free mode without the NVMe pattern: allocate, use, remove is fine. */
static void test_post_free_single_use_is_fine(void **state)
{
	struct pp *t = pp_new(2, true, 0);
	unsigned int f = pp_add_fn(t, 0, 0, 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[f], 1, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	pp_request(t, f, 8);
	for (unsigned int v = 0; v < 8; v++)
		assert_msk_ok(msk_pcifn_raise(t->fn[f], v));
	assert_int_equal(pp_service(t), 8);
	pp_free_irqs(t, f, 8);
	pp_remove_fn(t, f);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint32_t base, count;
	msk_spapr_msi_range(fw, &base, &count);
	assert_int_equal(msk_spapr_pool_free(fw), count);
	assert_int_equal(pp_counts(t).delivered, 8);
	pp_balanced(t);
	pp_free(t);
}

/* --- the PE quota (Dec 2025) -------------------------------------------------------------------- */

static void test_129_vectors_on_a_128_quota_get_128(void **state)
{
	struct pp *t = pp_new(4, false, 128);
	unsigned int f = pp_add_fn(t, 0, 0, 129);
	assert_int_equal(pp_counter(t, "pe-quota"), 128);
	int n = msk_pci_alloc_irq_vectors(t->pdev[f], 1, 129, MSK_PCI_IRQ_MSIX, NULL);
	assert_int_equal(n, 128);
	struct msk_irq_domain *d = pp_devdom(t, f);
	assert_int_equal(msk_msi_domain_get_info(d)->hwsize, 129); /* prepare(hwsize) worked */
	struct msk_msi_domain_stats st;
	assert_msk_ok(msk_msi_domain_stats(d, &st));
	assert_int_equal(st.prepares, 1);
	assert_int_equal(msk_msi_monitor_resources(d, "lisn"), 128);
	struct msk_spapr_fn_info fi = pp_fw_fn(t, f);
	assert_int_equal(fi.count, 128);
	assert_int_equal(fi.pe_quota, 128);
	struct msk_pci_state ps;
	msk_pci_get_state(t->pdev[f], &ps);
	assert_true(ps.msix_enabled);
	assert_int_equal(ps.nvec, 128);
	assert_msk_error(msk_pci_irq_vector(t->pdev[f], 128), MSK_EINVAL);
	/* All 128 work. */
	pp_request(t, f, 128);
	for (unsigned int v = 0; v < 128; v++)
		assert_msk_ok(msk_pcifn_raise(t->fn[f], v));
	assert_int_equal(pp_service(t), 128);
	struct msk_ledger_counts c = pp_counts(t);
	assert_int_equal(c.delivered, 128);
	assert_int_equal(c.lost, 0);
	pp_balanced(t);
	/* Asking for all 129 at least fails as ENOSPC, leaving nothing behind. */
	pp_free_irqs(t, f, 128);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[f]));
	assert_msk_error(msk_pci_alloc_irq_vectors(t->pdev[f], 129, 129, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_ENOSPC);
	struct msk_core_stats cs;
	msk_core_get_stats(t->core, &cs);
	assert_int_equal(cs.virqs, 0);
	pp_remove_fn(t, f);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	pp_free(t);
}

/* Two functions: each its own PE with its own quota. */
static void test_quota_is_per_pe(void **state)
{
	struct pp *t = pp_new(2, false, 16);
	unsigned int a = pp_add_fn(t, 0, 0, 32);
	unsigned int b = pp_add_fn(t, 1, 0, 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[a], 4, 32, MSK_PCI_IRQ_MSIX, NULL), 16);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[b], 1, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	assert_int_equal(pp_counter(t, "lisns"), 24);
	assert_int_equal(pp_counter(t, "pci-functions"), 2);
	pp_remove_fn(t, b);
	assert_int_equal(pp_counter(t, "lisns"), 16);
	pp_remove_fn(t, a);
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	pp_balanced(t);
	pp_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_post_free_then_allocate_fails_cleanly),
		cmocka_unit_test(test_post_free_single_use_is_fine),
		cmocka_unit_test(test_129_vectors_on_a_128_quota_get_128),
		cmocka_unit_test(test_quota_is_per_pe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
