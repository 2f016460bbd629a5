/* SPDX-License-Identifier: MIT */
/*
 * Every heap allocation of platform creation, device attach and vector
 * allocation fails in turn: the call fails, nothing stays behind (no
 * domain, no virq, no firmware grant, no mapped region), and the machine
 * still works afterwards. ASan checks that nothing leaks.
 */
#include "ppc64_fixture.h"

static void test_platform_creation_under_allocation_failures(void **state)
{
	struct pp *t = pp_machine(2);
	struct msk_platform_config cfg = pp_config(2, false);
	msk_fault_reset();
	assert_msk_ok(msk_platform_create("ppc64", t->core, t->bus, &cfg, &t->p));
	unsigned long n = msk_fault_alloc_count();
	msk_fault_reset();
	msk_platform_destroy(t->p);
	t->p = NULL;
	assert_true(n > 4);
	for (unsigned long k = 1; k <= n; k++) {
		struct msk_platform *p = NULL;
		msk_fault_fail_alloc(k);
		int rc = msk_platform_create("ppc64", t->core, t->bus, &cfg, &p);
		msk_fault_reset();
		if (rc == 0) { /* the failed allocation had a fallback */
			msk_platform_destroy(p);
			continue;
		}
		/* Out of memory here, or in the firmware (an hcall answering H_HARDWARE). */
		if (rc != -MSK_ENOMEM && !(rc == -MSK_EIO && strstr(msk_last_error(), "failed -1")))
			fail_msg("allocation %lu: %d %s", k, rc, msk_last_error());
		struct msk_core_stats cs;
		msk_core_get_stats(t->core, &cs);
		assert_int_equal(cs.domains, 0);
	}
	assert_msk_ok(msk_platform_create("ppc64", t->core, t->bus, &cfg, &t->p));
	pp_free(t);
}

/* Attach a function and allocate its vectors; undo both. */
static int attach_and_alloc(struct pp *t, struct msk_pcifn *fn, struct msk_pci_dev **pdev)
{
	int rc = msk_platform_pci_add(t->p, fn, pdev);
	if (rc < 0)
		return rc;
	rc = msk_pci_alloc_irq_vectors(*pdev, 4, 4, MSK_PCI_IRQ_MSIX, NULL);
	return rc < 0 ? rc : 0;
}

static void test_attach_and_allocate_under_allocation_failures(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 1;
	c.vendor_id = 0x144d;
	c.msix_entries = 4;
	c.manual_bars = true;
	struct msk_pcifn *fn;
	assert_msk_ok(msk_pcifn_create(t->bus, &c, &fn));
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint32_t pool = msk_spapr_pool_free(fw);
	struct msk_pci_dev *pdev = NULL;
	msk_fault_reset();
	assert_msk_ok(attach_and_alloc(t, fn, &pdev));
	unsigned long n = msk_fault_alloc_count();
	msk_fault_reset();
	assert_msk_ok(msk_platform_pci_remove(t->p, pdev));
	for (unsigned long k = 1; k <= n; k++) {
		pdev = NULL;
		msk_fault_fail_alloc(k);
		int rc = attach_and_alloc(t, fn, &pdev);
		msk_fault_reset();
		if (rc < 0) {
			/* The vectors are all there or none is. */
			struct msk_core_stats cs;
			msk_core_get_stats(t->core, &cs);
			assert_int_equal(cs.virqs, 0);
		}
		if (pdev)
			assert_msk_ok(msk_platform_pci_remove(t->p, pdev));
		assert_int_equal(msk_spapr_pool_free(fw), pool);
		assert_int_equal(pp_counter(t, "pci-functions"), 0);
		assert_int_equal(pp_counter(t, "xive-mapped"), 0);
	}
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_RESOURCES_RETURNED), 0);
	/* And it all still works. */
	assert_msk_ok(attach_and_alloc(t, fn, &pdev));
	int virq = msk_pci_irq_vector(pdev, 3);
	assert_msk_ok(msk_request_irq(t->core, (unsigned int)virq, pp_handler, "q", t));
	assert_msk_ok(msk_pcifn_raise(fn, 3));
	assert_int_equal(pp_service(t), 1);
	assert_int_equal(atomic_load(&t->calls[virq]), 1);
	assert_msk_ok(msk_free_irq(t->core, (unsigned int)virq));
	assert_msk_ok(msk_platform_pci_remove(t->p, pdev));
	msk_pcifn_destroy(fn);
	pp_balanced(t);
	pp_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_platform_creation_under_allocation_failures),
		cmocka_unit_test(test_attach_and_allocate_under_allocation_failures),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
