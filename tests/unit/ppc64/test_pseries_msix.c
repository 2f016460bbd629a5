/* SPDX-License-Identifier: MIT */
/*
 * pSeries end to end with MSI-X: names and flags, firmware-programmed
 * messages, delivery exactly once through the XIVE, mask/unmask on the
 * ESB, coalescing, affinity, the NVMe pattern, the PE quota, removal.
 */
#include "ppc64_fixture.h"

static int setup(void **state)
{
	struct pp *t = pp_new(4, false, 0);
	pp_add_fn(t, 0, 0, 64);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	pp_free(*state);
	return 0;
}

static void test_domains_names_and_flags(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	struct msk_irq_domain *d = pp_devdom(t, 0);
	assert_string_equal(msk_domain_name(d), "pSeries-PCI-MSIX-0000:01:00.0");
	assert_string_equal(msk_domain_name(msk_domain_parent(d)), "pSeries-MSI");
	assert_ptr_equal(msk_domain_parent(d), msk_platform_msi_parent(t->p));
	assert_string_equal(msk_domain_name(msk_domain_root(d)), "XIVE");
	struct msk_msi_domain_info *info = msk_msi_domain_get_info(d);
	assert_int_equal(info->hwsize, 64);
	uint32_t f = info->flags;
	assert_true(f & MSK_MSI_FLAG_PCI_MSIX);
	assert_true(f & MSK_MSI_FLAG_MSIX_CONTIGUOUS);
	assert_true(f & MSK_MSI_FLAG_PCI_MSI_MASK_PARENT);
	assert_true(f & MSK_MSI_FLAG_USE_DEF_DOM_OPS);
	assert_false(f & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN); /* firmware: all or nothing */
	assert_false(msk_pci_msix_can_alloc_dyn(t->pdev[0]));
	/* prepare asked firmware once, for the whole table; "lisn" resources reported. */
	struct msk_msi_domain_stats st;
	assert_msk_ok(msk_msi_domain_stats(d, &st));
	assert_int_equal(st.prepares, 1);
	assert_int_equal(st.prepared_nvec, 64);
	assert_int_equal(msk_msi_monitor_resources(d, "lisn"), 64);
	struct msk_spapr_fn_info fi = pp_fw_fn(t, 0);
	assert_int_equal(fi.type, MSK_RTAS_TYPE_MSIX);
	assert_int_equal(fi.count, 64);
	assert_int_equal(pp_counter(t, "lisns"), 64);
	/* The flow is fasteoi; the XIVE level's chip data is per LISN. */
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], 3);
	struct msk_irq_info ii;
	assert_msk_ok(msk_irq_get_info(t->core, virq, &ii));
	assert_string_equal(ii.flow_name, "fasteoi");
	struct msk_irq_data *x = msk_irq_get_irq_data(t->core, virq)->parent_data->parent_data;
	assert_string_equal(x->chip->name, "XIVE");
	assert_non_null(x->chip_data);
	unsigned int virq4 = (unsigned int)msk_pci_irq_vector(t->pdev[0], 4);
	assert_ptr_not_equal(
		x->chip_data,
		msk_irq_get_irq_data(t->core, virq4)->parent_data->parent_data->chip_data);
	char buf[128];
	assert_true(msk_domain_debug_show(x->domain, x, buf, sizeof(buf)) > 0);
	assert_non_null(strstr(buf, "lisn: 0x"));
}

/* The firmware wrote each entry; the hierarchy composes the same message. */
static void test_messages_are_the_firmwares(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	struct msk_spapr_fn_info fi = pp_fw_fn(t, 0);
	for (unsigned int v = 0; v < 8; v++) {
		struct msk_pcifn_vector e;
		assert_msk_ok(msk_pcifn_msix_entry(t->fn[0], v, &e));
		assert_int_equal(e.addr, MSK_PPC64_MSI_WINDOW);
		assert_int_equal(e.data, fi.first_lisn + v);
		assert_int_equal(e.data, pp_lisn(t, 0, v));
		/* The OS's cached copy (debug_show of the device level) agrees. */
		unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], v);
		struct msk_irq_data *top = msk_irq_get_irq_data(t->core, virq);
		char buf[128], want[128];
		msk_domain_debug_show(top->domain, top, buf, sizeof(buf));
		snprintf(want, sizeof(want),
			 "address_hi: 0x%08x address_lo: 0x%08x msg_data: 0x%08x",
			 (uint32_t)(MSK_PPC64_MSI_WINDOW >> 32), (uint32_t)MSK_PPC64_MSI_WINDOW,
			 fi.first_lisn + v);
		assert_string_equal(buf, want);
		assert_true(e.masked); /* until the vector is started */
	}
	/* Deactivation only drops the cache: the device keeps the firmware's message. */
	pp_request(t, 0, 1);
	pp_free_irqs(t, 0, 1);
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(t->fn[0], 0, &e));
	assert_int_equal(e.addr, MSK_PPC64_MSI_WINDOW);
	assert_int_equal(e.data, fi.first_lisn);
}

static void test_delivery_exactly_once(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 16, MSK_PCI_IRQ_MSIX, NULL), 16);
	pp_request(t, 0, 16);
	for (unsigned int v = 0; v < 16; v++) {
		uint32_t lisn = pp_lisn(t, 0, v);
		assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_RESET); /* started: ESB on */
		assert_msk_ok(msk_pcifn_raise(t->fn[0], v));
		assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_PENDING);
	}
	pp_balanced(t);
	assert_int_equal(pp_service(t), 16);
	for (unsigned int v = 0; v < 16; v++) {
		unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], v);
		assert_int_equal(atomic_load(&t->calls[virq]), 1);
		assert_int_equal(pp_pq(t, pp_lisn(t, 0, v)), MSK_XIVE_PQ_RESET); /* EOIed */
	}
	assert_int_equal(pp_service(t), 0);
	struct msk_ledger_counts c = pp_counts(t);
	assert_int_equal(c.raised, 16);
	assert_int_equal(c.delivered, 16);
	assert_int_equal(c.lost, 0);
	/* The sources were spread over the CPUs, and the CPUs were kicked. */
	unsigned int kicked = 0;
	for (unsigned int cpu = 0; cpu < 4; cpu++)
		kicked += atomic_load(&t->kicks[cpu]) > 0;
	assert_int_equal(kicked, 4);
	pp_balanced(t);
	pp_free_irqs(t, 0, 16);
}

/* A second event while the first is queued coalesces in Q; the EOI re-triggers it. */
static void test_coalesced_event_is_retriggered_by_eoi(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, 0, 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], 0);
	uint32_t lisn = pp_lisn(t, 0, 0);
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_QUEUED);
	pp_balanced(t);
	assert_int_equal(pp_service(t), 2); /* the entry, then the re-triggered one */
	assert_int_equal(atomic_load(&t->calls[virq]), 2);
	assert_int_equal(pp_counts(t).delivered, 2);
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_RESET);
	pp_balanced(t);
	pp_free_irqs(t, 0, 1);
}

/* Masked: the ESB is off, the device holds the events; unmask: once. */
static void test_mask_holds_then_delivers_once(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	pp_request(t, 0, 2);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], 1);
	uint32_t lisn = pp_lisn(t, 0, 1);
	assert_msk_ok(msk_irq_mask(t->core, virq));
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_OFF);
	for (int i = 0; i < 3; i++)
		assert_msk_ok(msk_pcifn_raise(t->fn[0], 1));
	assert_int_equal(msk_pcifn_held(t->fn[0]), 3); /* PBA: the entry is masked too */
	assert_int_equal(pp_service(t), 0);
	assert_int_equal(atomic_load(&t->calls[virq]), 0);
	pp_balanced(t);
	assert_msk_ok(msk_irq_unmask(t->core, virq));
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_PENDING);
	assert_int_equal(pp_service(t), 1);
	assert_int_equal(atomic_load(&t->calls[virq]), 1); /* once, for three events */
	struct msk_ledger_counts c = pp_counts(t);
	assert_int_equal(c.delivered, 3);
	assert_int_equal(c.lost, 0);
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_RESET);
	pp_balanced(t);
	pp_free_irqs(t, 0, 2);
}

/* Masked after the XIVE queued it: the core holds it, the EOI keeps the ESB off. */
static void test_mask_with_entry_in_queue(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, 0, 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], 0);
	uint32_t lisn = pp_lisn(t, 0, 0);
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	assert_msk_ok(msk_irq_mask(t->core, virq));
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_OFF);
	assert_int_equal(pp_service(t), 1); /* taken, held by the core */
	assert_int_equal(atomic_load(&t->calls[virq]), 0);
	assert_int_equal(msk_core_held(t->core), 1);
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_OFF); /* EOI while masked: still off */
	pp_balanced(t);
	assert_msk_ok(msk_irq_unmask(t->core, virq));
	assert_int_equal(atomic_load(&t->calls[virq]), 1); /* the core replayed it */
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_RESET);
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	assert_int_equal(pp_service(t), 1);
	assert_int_equal(atomic_load(&t->calls[virq]), 2);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
	pp_free_irqs(t, 0, 1);
}

/* Mask and unmask while the entry waits in the queue: P is restored (SET_PQ_10). */
static void test_unmask_restores_p_of_a_queued_entry(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, 0, 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], 0);
	uint32_t lisn = pp_lisn(t, 0, 0);
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	assert_msk_ok(msk_irq_mask(t->core, virq));
	assert_msk_ok(msk_irq_unmask(t->core, virq));
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_PENDING);
	/* A new event coalesces (P set) instead of queuing a second entry. */
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_QUEUED);
	assert_int_equal(pp_service(t), 2);
	assert_int_equal(atomic_load(&t->calls[virq]), 2);
	assert_int_equal(pp_counts(t).delivered, 2);
	pp_balanced(t);
	pp_free_irqs(t, 0, 1);
}

/* Affinity moves the source with H_INT_SET_SOURCE_CONFIG; the message stays. */
static void test_affinity_retargets_the_source(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, 0, 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[0], 0);
	uint32_t lisn = pp_lisn(t, 0, 0);
	struct msk_pcifn_vector before;
	msk_pcifn_msix_entry(t->fn[0], 0, &before);
	for (unsigned int cpu = 0; cpu < 4; cpu++) {
		struct msk_cpumask m = msk_cpumask_of(cpu);
		assert_msk_ok(msk_irq_set_affinity(t->core, virq, &m));
		struct msk_cpumask eff = msk_irq_get_effective_affinity(t->core, virq);
		assert_true(msk_cpumask_equal(&eff, &m));
		uint64_t rets[MSK_HCALL_NRETS], args[2] = { 0, lisn };
		assert_int_equal(msk_spapr_hcall(msk_ppc64_platform_firmware(t->p),
						 MSK_H_INT_GET_SOURCE_CONFIG, args, 2, rets),
				 MSK_H_SUCCESS);
		assert_int_equal(rets[0], cpu);
		assert_int_equal(rets[1], 6);
		assert_int_equal(rets[2], lisn); /* EISN = LISN */
		assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
		for (unsigned int other = 0; other < 4; other++)
			if (other != cpu)
				assert_int_equal(msk_platform_cpu_service(t->p, other, 8), 0);
		assert_int_equal(msk_platform_cpu_service(t->p, cpu, 8), 1);
		assert_int_equal(msk_irq_count(t->core, virq, cpu), 1);
	}
	struct msk_pcifn_vector after;
	msk_pcifn_msix_entry(t->fn[0], 0, &after);
	assert_int_equal(after.addr, before.addr);
	assert_int_equal(after.data, before.data);
	pp_balanced(t);
	pp_free_irqs(t, 0, 1);
}

/* NVMe: 1 vector, free, N vectors - prepare once, the firmware grant stays valid. */
static void test_nvme_pattern_with_teardown(void **state)
{
	struct pp *t = *state;
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, 0, 1);
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	pp_service(t);
	pp_free_irqs(t, 0, 1);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[0]));
	assert_int_equal(pp_fw_fn(t, 0).count, 64); /* nothing given back on free */
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 32, MSK_PCI_IRQ_MSIX, NULL), 32);
	pp_request(t, 0, 32);
	for (unsigned int v = 0; v < 32; v++)
		assert_msk_ok(msk_pcifn_raise(t->fn[0], v));
	assert_int_equal(pp_service(t), 32);
	for (unsigned int v = 0; v < 32; v++)
		assert_int_equal(atomic_load(&t->calls[msk_pci_irq_vector(t->pdev[0], v)]),
				 v == 0 ? 2 : 1);
	struct msk_ledger_counts c = pp_counts(t);
	assert_int_equal(c.delivered, 33);
	assert_int_equal(c.lost, 0);
	struct msk_msi_domain_stats st;
	assert_msk_ok(msk_msi_domain_stats(pp_devdom(t, 0), &st));
	assert_int_equal(st.prepares, 1);
	assert_int_equal(st.teardowns, 0);
	assert_int_equal(st.post_frees, 0);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	pp_balanced(t);
	pp_free_irqs(t, 0, 32);
}

/* Removal: teardown gives every LISN back; the monitor sees them returned. */
static void test_removal_returns_every_source(void **state)
{
	struct pp *t = *state;
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint32_t base, count;
	msk_spapr_msi_range(fw, &base, &count);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[0], 1, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	assert_int_equal(msk_spapr_pool_free(fw), count - 64);
	uint32_t first = pp_lisn(t, 0, 0);
	pp_request(t, 0, 8);
	assert_msk_ok(msk_pcifn_raise(t->fn[0], 0));
	/* A handler is installed: removal refuses and changes nothing. */
	assert_msk_error(msk_platform_pci_remove(t->p, t->pdev[0]), MSK_EBUSY);
	assert_int_equal(pp_service(t), 1);
	pp_free_irqs(t, 0, 8);
	assert_int_equal(pp_counter(t, "pci-functions"), 1);
	pp_remove_fn(t, 0);
	assert_int_equal(msk_spapr_pool_free(fw), count);
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(pp_counter(t, "pci-functions"), 0);
	assert_int_equal(pp_counter(t, "xive-mapped"), 0);
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	/* The firmware took the sources back: the hcalls no longer know them. */
	uint64_t rets[MSK_HCALL_NRETS], args[2] = { 0, first };
	assert_int_equal(msk_spapr_hcall(fw, MSK_H_INT_GET_SOURCE_INFO, args, 2, rets), MSK_H_P2);
	struct msk_core_stats cs;
	msk_core_get_stats(t->core, &cs);
	assert_int_equal(cs.virqs, 0);
	pp_balanced(t);
	assert_int_equal(pp_counts(t).lost, 0);
}

static void test_device_not_attached_is_a_clean_error(void **state)
{
	struct pp *t = *state;
	/* An OS view under the parent without firmware registration. */
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 2;
	c.vendor_id = 0x1af4;
	c.msix_entries = 4;
	c.manual_bars = true;
	struct msk_pcifn *fn;
	struct msk_pci_dev *pdev;
	assert_msk_ok(msk_pcifn_create(t->bus, &c, &fn));
	assert_msk_ok(
		msk_pci_dev_create_pcifn(t->core, msk_platform_msi_parent(t->p), fn, 0, &pdev));
	assert_msk_error(msk_pci_alloc_irq_vectors(pdev, 1, 4, MSK_PCI_IRQ_MSIX, NULL), MSK_ENODEV);
	assert_non_null(strstr(msk_last_error(), "not known to the firmware"));
	assert_msk_error(msk_platform_pci_remove(t->p, pdev), MSK_ENOENT);
	assert_msk_ok(msk_pci_dev_destroy(pdev));
	msk_pcifn_destroy(fn);
	/* Attaching twice is refused. */
	struct msk_pci_dev *again;
	assert_msk_error(msk_platform_pci_add(t->p, t->fn[0], &again), MSK_EEXIST);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domains_names_and_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_messages_are_the_firmwares, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delivery_exactly_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coalesced_event_is_retriggered_by_eoi, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mask_holds_then_delivers_once, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mask_with_entry_in_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unmask_restores_p_of_a_queued_entry, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_affinity_retargets_the_source, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_nvme_pattern_with_teardown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_removal_returns_every_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_not_attached_is_a_clean_error, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
