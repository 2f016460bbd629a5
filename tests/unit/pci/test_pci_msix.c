/* SPDX-License-Identifier: MIT */
/* The PCI layer over the PCI function model: MSI-X, dynamic MSI-X, IMS. */
#include "pci_fixture.h"

static struct pf F;

static int setup(void **state)
{
	*state = &F;
	return pf_setup(&F, PF_SUPPORTED, 4096) || pf_add(&F, 0, false, 64, 0, MSK_PCIFN_MSIX_DROP);
}

static int setup_no_dyn(void **state)
{
	*state = &F;
	return pf_setup(&F, MSK_MSI_FLAG_PCI_MSIX, 4096) ||
	       pf_add(&F, 0, false, 64, 0, MSK_PCIFN_MSIX_DROP);
}

static int teardown(void **state)
{
	pf_teardown(*state);
	return 0;
}

static void test_msix_enable_programs_the_table(void **state)
{
	struct pf *f = *state;
	assert_int_equal(msk_pci_msix_vec_count(f->pdev), 64);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	struct msk_irq_domain *d =
		msk_msi_get_device_domain(msk_pci_msi_device(f->pdev), MSK_MSI_DEFAULT_DOMAIN);
	assert_string_equal(msk_domain_name(d), "TEST-PCI-MSIX-0000:01:00.0");
	assert_int_equal(msk_msi_domain_get_info(d)->hwsize, 64); /* the table, not the request */
	assert_int_equal(f->tp.last_prepare_nvec, 64);
	struct msk_pcifn_msix_state st;
	msk_pcifn_msix_state(f->fn, &st);
	assert_true(st.enabled);
	assert_false(st.function_mask);
	for (unsigned int i = 0; i < 8; i++) {
		int virq = msk_pci_irq_vector(f->pdev, i);
		assert_true(virq > 0);
		struct msk_irq_data *top = msk_irq_get_irq_data(f->tp.core, (unsigned)virq);
		struct msk_pcifn_vector v;
		assert_msk_ok(msk_pcifn_msix_entry(f->fn, i, &v));
		/* The entry holds the message the hierarchy composed, and is masked. */
		assert_int_equal(v.addr & 0xfff00000u, TP_DOORBELL);
		assert_int_equal(v.data, top->parent_data->hwirq);
		assert_true(v.masked);
	}
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn, 40, &v));
	assert_true(v.masked); /* unallocated entries stay masked */
	assert_msk_error(msk_pci_irq_vector(f->pdev, 8), MSK_EINVAL);
	/* Already enabled. */
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 1, 2, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_EINVAL);
	pf_balanced(f);
}

static void test_event_before_request_is_held_then_delivered_once(void **state)
{
	struct pf *f = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	unsigned int virq = (unsigned)msk_pci_irq_vector(f->pdev, 2);
	assert_msk_ok(msk_pcifn_raise(f->fn, 2));
	assert_msk_ok(msk_pcifn_raise(f->fn, 2));
	assert_int_equal(msk_pcifn_held(f->fn), 2); /* PBA: the entry is masked */
	pf_balanced(f);
	assert_msk_ok(msk_request_irq(f->tp.core, virq, pf_handler, "q2", f));
	/* Startup unmasked the entry: the device sent the pending message once. */
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	assert_int_equal(msk_pcifn_held(f->fn), 0);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.delivered, 2);
	assert_msk_ok(msk_pcifn_raise(f->fn, 2));
	assert_int_equal(atomic_load(&f->calls[virq]), 2);
	/* Masking through the core masks the entry: held in the device, then once. */
	assert_msk_ok(msk_irq_mask(f->tp.core, virq));
	assert_msk_ok(msk_pcifn_raise(f->fn, 2));
	assert_int_equal(msk_pcifn_held(f->fn), 1);
	assert_msk_ok(msk_irq_unmask(f->tp.core, virq));
	assert_int_equal(atomic_load(&f->calls[virq]), 3);
	pf_balanced(f);
	assert_msk_ok(msk_free_irq(f->tp.core, virq));
}

static void test_dynamic_alloc_while_others_fire(void **state)
{
	struct pf *f = *state;
	assert_true(msk_pci_msix_can_alloc_dyn(f->pdev));
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int v0 = (unsigned)msk_pci_irq_vector(f->pdev, 0);
	assert_msk_ok(msk_request_irq(f->tp.core, v0, pf_handler, "nic0", f));
	struct msk_pcifn_vector before;
	msk_pcifn_msix_entry(f->fn, 0, &before);
	for (unsigned int round = 0; round < 20; round++) {
		assert_msk_ok(msk_pcifn_raise(f->fn, 0));
		struct msk_msi_map m =
			msk_pci_msix_alloc_irq_at(f->pdev, 10 + round, NULL); /* at an index */
		assert_int_equal(m.index, (int)(10 + round));
		assert_msk_ok(msk_pcifn_raise(f->fn, 0));
		assert_msk_ok(msk_request_irq(f->tp.core, m.virq, pf_handler, "rdma", f));
		assert_msk_ok(msk_pcifn_raise(f->fn, 10 + round));
		assert_int_equal(atomic_load(&f->calls[m.virq]), 1);
	}
	struct msk_msi_map any = msk_pci_msix_alloc_irq_at(f->pdev, MSK_MSI_ANY_INDEX, NULL);
	assert_int_equal(any.index, 2);
	/* The active vector's message never changed, and nothing was lost. */
	struct msk_pcifn_vector after;
	msk_pcifn_msix_entry(f->fn, 0, &after);
	assert_int_equal(after.addr, before.addr);
	assert_int_equal(after.data, before.data);
	assert_int_equal(atomic_load(&f->calls[v0]), 40);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.lost, 0);
	assert_int_equal(f->tp.prepares, 1);
	/* Remove one; errors for bad maps. */
	assert_msk_ok(msk_pci_msix_free_irq(f->pdev, any));
	assert_msk_error(msk_pci_msix_free_irq(f->pdev, any), MSK_EINVAL); /* double free */
	struct msk_msi_map bogus = { 7, 999 };
	assert_msk_error(msk_pci_msix_free_irq(f->pdev, bogus), MSK_EINVAL); /* unallocated */
	struct msk_msi_map m = msk_pci_msix_alloc_irq_at(f->pdev, 64, NULL);
	assert_int_equal(m.index, -MSK_ERANGE); /* index >= hwsize */
	m = msk_pci_msix_alloc_irq_at(f->pdev, 10, NULL);
	assert_int_equal(m.index, -MSK_EBUSY);
	for (unsigned int i = 0; i < 20; i++)
		assert_msk_ok(
			msk_free_irq(f->tp.core, (unsigned)msk_pci_irq_vector(f->pdev, 10 + i)));
	assert_msk_ok(msk_free_irq(f->tp.core, v0));
	pf_balanced(f);
}

static void test_no_dynamic_allocation(void **state)
{
	struct pf *f = *state;
	assert_false(msk_pci_msix_can_alloc_dyn(f->pdev));
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	assert_false(msk_pci_msix_can_alloc_dyn(f->pdev));
	struct msk_msi_map m = msk_pci_msix_alloc_irq_at(f->pdev, 5, NULL);
	assert_int_equal(m.index, -MSK_ENOTSUP);
	assert_non_null(strstr(msk_last_error(), "PCI_MSIX_ALLOC_DYN"));
	/* Nor can one vector be freed alone (found by fuzz_machine: on pSeries with
	   post_free the firmware then cleared the messages of the vectors left). */
	int v1 = msk_pci_irq_vector(f->pdev, 1);
	struct msk_msi_map one = { 1, (unsigned int)v1 };
	assert_msk_error(msk_pci_msix_free_irq(f->pdev, one), MSK_ENOTSUP);
	assert_int_equal(msk_pci_irq_vector(f->pdev, 1), v1);
	struct msk_pci_state st;
	msk_pci_get_state(f->pdev, &st);
	assert_true(st.msix_enabled);
	assert_int_equal(st.nvec, 2);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
}

/* The NVMe pattern: 1 vector, free, N vectors - one domain, one prepare. */
static void test_nvme_pattern(void **state)
{
	struct pf *f = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
	struct msk_pcifn_msix_state st;
	msk_pcifn_msix_state(f->fn, &st);
	assert_false(st.enabled);
	assert_non_null(msk_msi_get_device_domain(msk_pci_msi_device(f->pdev), 0));
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 32, MSK_PCI_IRQ_MSIX, NULL), 32);
	assert_int_equal(f->tp.prepares, 1);
	assert_int_equal(f->tp.teardowns, 0);
	assert_int_equal(msk_msi_violation_count(f->tp.core), 0);
}

/* The controller has room for 5: the request shrinks instead of failing. */
static void test_shrinks_to_what_fits(void **state)
{
	struct pf *f = *state;
	f->tp.pool_size = 5;
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev, 1, 16, MSK_PCI_IRQ_MSIX, NULL), 5);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev));
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev, 6, 16, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_ENOSPC);
	assert_int_equal(f->tp.pool_used, 0);
	struct msk_pcifn_msix_state st;
	msk_pcifn_msix_state(f->fn, &st);
	assert_false(st.enabled); /* a failed enable leaves MSI-X off */
}

static void test_affinity_spreads_managed_vectors(void **state)
{
	struct pf *f = *state;
	struct msk_irq_affinity affd = { .pre_vectors = 1 };
	int n = msk_pci_alloc_irq_vectors(f->pdev, 2, 16, MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY,
					  &affd);
	assert_int_equal(n, 5); /* 1 pre vector + one per CPU */
	struct msk_irq_info info;
	assert_msk_ok(
		msk_irq_get_info(f->tp.core, (unsigned)msk_pci_irq_vector(f->pdev, 0), &info));
	assert_false(info.managed);
	for (unsigned int i = 1; i < 5; i++) {
		unsigned int v = (unsigned)msk_pci_irq_vector(f->pdev, i);
		assert_msk_ok(msk_irq_get_info(f->tp.core, v, &info));
		assert_true(info.managed);
		assert_int_equal(msk_cpumask_weight(&info.affinity), 1);
		assert_true(msk_cpumask_test(&info.affinity, i - 1));
	}
}

static void test_ims_beside_msix(void **state)
{
	struct pf *f = *state;
	/* A second function with an IMS store in BAR 2. */
	struct msk_pcifn *fn2;
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 2;
	c.vendor_id = 0x8086;
	c.msix_entries = 8;
	c.ims_entries = 256;
	c.ims.set = true;
	c.ims.bar = 2;
	c.manual_bars = true;
	assert_msk_ok(msk_pcifn_create(f->bus, &c, &fn2));
	struct msk_pci_dev *p2;
	assert_msk_ok(msk_pci_dev_create_pcifn(f->tp.core, f->tp.domain, fn2, 0, &p2));
	assert_int_equal(msk_pci_alloc_irq_vectors(p2, 1, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	struct msk_pci_ims_store store = { .bar = 2, .offset = 0, .entries = 256 };
	assert_msk_ok(msk_pci_create_ims_domain(p2, &store, NULL));
	assert_msk_error(msk_pci_create_ims_domain(p2, &store, NULL), MSK_EEXIST);
	struct msk_msi_map m[3];
	for (int i = 0; i < 3; i++) {
		m[i] = msk_pci_ims_alloc_irq(p2, 0x1000 + (uint64_t)i, NULL);
		assert_int_equal(m[i].index, i);
		assert_msk_ok(msk_request_irq(f->tp.core, m[i].virq, pf_handler, "wq", f));
	}
	assert_string_equal(msk_domain_name(msk_msi_get_device_domain(msk_pci_msi_device(p2), 1)),
			    "TEST-IMS-0000:02:00.0");
	/* IMS and MSI-X deliver side by side. */
	unsigned int mv = (unsigned)msk_pci_irq_vector(p2, 1);
	assert_msk_ok(msk_request_irq(f->tp.core, mv, pf_handler, "admin", f));
	assert_msk_ok(msk_pcifn_ims_raise(fn2, 1));
	assert_msk_ok(msk_pcifn_raise(fn2, 1));
	assert_int_equal(atomic_load(&f->calls[m[1].virq]), 1);
	assert_int_equal(atomic_load(&f->calls[mv]), 1);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_ims_entry(fn2, 1, &v));
	assert_false(v.masked);
	assert_int_equal(v.addr & 0xfff00000u, TP_DOORBELL);
	/* Removal with handlers installed is refused; then it works. */
	assert_msk_error(msk_pci_dev_destroy(p2), MSK_EBUSY);
	/*
	 * A handler left on IMS alone refuses it too, before MSI-X is touched
	 * (fuzz_machine: the MSI-X vectors were freed and MSI-X disabled, then
	 * the IMS domain refused).
	 */
	assert_msk_ok(msk_free_irq(f->tp.core, mv));
	assert_msk_error(msk_pci_dev_destroy(p2), MSK_EBUSY);
	assert_int_equal(msk_pci_irq_vector(p2, 1), (int)mv);
	assert_msk_ok(msk_pcifn_raise(fn2, 1));
	for (int i = 0; i < 3; i++)
		assert_msk_ok(msk_free_irq(f->tp.core, m[i].virq));
	assert_msk_ok(msk_pci_ims_free_irq(p2, m[0]));
	assert_msk_error(msk_pci_ims_free_irq(p2, m[0]), MSK_EINVAL);
	unsigned int teardowns = f->tp.teardowns;
	assert_msk_ok(msk_pci_dev_destroy(p2));
	assert_int_equal(f->tp.teardowns, teardowns + 2);
	assert_int_equal(msk_msi_violation_count(f->tp.core), 0);
	msk_pcifn_destroy(fn2);
	pf_balanced(f);
}

static void test_ims_refused_without_parent_support(void **state)
{
	struct pf *f = *state;
	struct msk_pci_ims_store store = { .bar = 2, .offset = 0, .entries = 16 };
	assert_msk_error(msk_pci_create_ims_domain(f->pdev, &store, NULL), MSK_ENOTSUP);
	struct msk_msi_map m = msk_pci_ims_alloc_irq(f->pdev, 0, NULL);
	assert_int_equal(m.index, -MSK_ENODEV);
	store.offset = 3;
	assert_msk_error(msk_pci_create_ims_domain(f->pdev, &store, NULL), MSK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msix_enable_programs_the_table, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			test_event_before_request_is_held_then_delivered_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dynamic_alloc_while_others_fire, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_dynamic_allocation, setup_no_dyn, teardown),
		cmocka_unit_test_setup_teardown(test_nvme_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shrinks_to_what_fits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_affinity_spreads_managed_vectors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_ims_beside_msix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ims_refused_without_parent_support,
						setup_no_dyn, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
