/* SPDX-License-Identifier: MIT */
/* INTEL-IR-0: VT-d programming, IRTEs, source-id checks, multi-MSI, IMS, affinity. */
#include "x86_fixture.h"

static struct xf F;

static int setup(void **state)
{
	*state = &F;
	return xf_setup(&F, 4, true);
}

static int teardown(void **state)
{
	xf_teardown(*state);
	return 0;
}

static void irte(struct xf *f, unsigned int index, uint64_t *lo, uint64_t *hi)
{
	assert_msk_ok(msk_ram_read64(f->bus, XF_RAM_BASE + index * 16ull, lo));
	assert_msk_ok(msk_ram_read64(f->bus, XF_RAM_BASE + index * 16ull + 8, hi));
}

static void test_unit_programmed_through_registers(void **state)
{
	struct xf *f = *state;
	struct msk_vtd_state st;
	assert_msk_ok(msk_x86_vtd_state(msk_x86_platform_model(f->p), &st));
	assert_true(st.gsts & MSK_VTD_GSTS_IRES);
	assert_true(st.gsts & MSK_VTD_GSTS_IRTPS);
	assert_false(st.gsts & MSK_VTD_GSTS_CFIS); /* compatibility format blocked */
	/* 1 MiB of table: 65536 entries, S = 15, xAPIC (EIME = 0). */
	assert_int_equal(st.irta_latched, XF_RAM_BASE | 15);
	struct msk_irq_domain *ir = msk_domain_find(f->core, "INTEL-IR-0");
	assert_non_null(ir);
	assert_ptr_equal(msk_platform_msi_parent(f->p), ir);
	assert_ptr_equal(msk_domain_parent(ir), msk_domain_find(f->core, "VECTOR"));
	assert_true(msk_domain_flags(ir) & MSK_DOMAIN_FLAG_ISOLATED_MSI);
	assert_int_equal(msk_domain_bus_token(ir), MSK_DOMAIN_BUS_DMAR);
	struct msk_platform_layout lay;
	msk_platform_layout(f->p, &lay);
	assert_int_equal(lay.iommu, MSK_X86_IR_BASE);
	/* A compatibility-format message is blocked while remapping is on. */
	msk_ledger_raise(f->ledger, 1);
	assert_int_equal(msk_bus_msi(f->bus, 0xFEE00000u, 0x41, 0x0100, 1), 0);
	assert_int_equal(xf_lost(f, MSK_LOSS_IR_COMPAT_BLOCKED), 1);
	xf_balanced(f);
}

static void test_irte_written_at_activation(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 3, 0, false, 8, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	struct msk_irq_domain *d =
		msk_msi_get_device_domain(msk_pci_msi_device(f->pdev[0]), MSK_MSI_DEFAULT_DOMAIN);
	assert_string_equal(msk_domain_name(d), "IR-PCI-MSIX-0000:03:00.0");
	assert_int_equal(msk_msi_monitor_resources(d, "irte"), 2);
	unsigned int virq = xf_virq(f, 0, 1);
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	assert_true(v.remapped);
	assert_false(v.assigned);
	uint64_t lo, hi;
	/* Reservation: the IRTE is present and points at the shutdown vector. */
	irte(f, v.irte_index, &lo, &hi);
	assert_true(lo & MSK_IRTE_LO_P);
	assert_int_equal((lo >> MSK_IRTE_LO_V_SHIFT) & 0xff, MSK_X86_SHUTDOWN_VECTOR);
	/* The device holds a remappable message: handle, SHV, data = sub-handle. */
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 1, &e));
	assert_int_equal(e.addr, msk_x86_msi_remap_addr((uint16_t)v.irte_index, true));
	assert_int_equal(e.data, 0);
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
	v = xf_vec(f, virq);
	irte(f, v.irte_index, &lo, &hi);
	assert_true(lo & MSK_IRTE_LO_P);
	assert_int_equal((lo >> MSK_IRTE_LO_V_SHIFT) & 0xff, v.vector);
	assert_int_equal((lo >> 40) & 0xff, v.cpu); /* xAPIC destination in DST[15:8] */
	assert_int_equal(hi & 0xffff, msk_pcifn_rid(f->fn[0]));
	assert_int_equal((hi >> MSK_IRTE_HI_SVT_SHIFT) & 3, MSK_IRTE_SVT_MASKED);
	assert_int_equal((hi >> MSK_IRTE_HI_SQ_SHIFT) & 3, 0);
	/* The message did not change with the vector: only the IRTE did. */
	struct msk_pcifn_vector e2;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 1, &e2));
	assert_int_equal(e2.addr, e.addr);
	assert_int_equal(e2.data, e.data);
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 1));
	assert_int_equal(xf_service(f), 1);
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	struct msk_x86_stats xs;
	msk_x86_stats(msk_x86_platform_model(f->p), &xs);
	assert_int_equal(xs.remapped, 1);
	xf_balanced(f);
	/* Deactivation (free_irq) clears the present bit; free releases the IRTEs. */
	assert_msk_ok(msk_free_irq(f->core, virq));
	irte(f, v.irte_index, &lo, &hi);
	assert_false(lo & MSK_IRTE_LO_P);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[0]));
	assert_int_equal(msk_msi_monitor_resources(d, "irte"), 0);
	assert_int_equal(msk_msi_monitor_resources(d, "vector"), 0);
}

/* Another requester ID sending the same message, and messages to absent IRTEs. */
static void test_sid_mismatch_and_absent_entries(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 3, 0, false, 8, 0), 0);
	assert_int_equal(xf_add(f, 4, 0, false, 8, 0), 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = xf_virq(f, 0, 0);
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 0, &e));
	/* Function 04:00.0 forges 03:00.0's message: source-id validation drops it. */
	msk_ledger_raise(f->ledger, 1);
	assert_int_equal(msk_bus_msi(f->bus, e.addr, e.data, msk_pcifn_rid(f->fn[1]), 1), 0);
	assert_int_equal(xf_lost(f, MSK_LOSS_IRTE_SID_MISMATCH), 1);
	/* The right RID passes. */
	msk_ledger_raise(f->ledger, 1);
	assert_int_equal(msk_bus_msi(f->bus, e.addr, e.data, msk_pcifn_rid(f->fn[0]), 1), 0);
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	/* A handle nobody allocated: not present. */
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	msk_ledger_raise(f->ledger, 1);
	msk_bus_msi(f->bus, msk_x86_msi_remap_addr((uint16_t)(v.irte_index + 100), true), 0,
		    msk_pcifn_rid(f->fn[0]), 1);
	assert_int_equal(xf_lost(f, MSK_LOSS_IRTE_NOT_PRESENT), 1);
	/* After free_irq the entry is gone too (a stale message in flight). */
	assert_msk_ok(msk_free_irq(f->core, virq));
	msk_ledger_raise(f->ledger, 1);
	msk_bus_msi(f->bus, e.addr, e.data, msk_pcifn_rid(f->fn[0]), 1);
	assert_int_equal(xf_lost(f, MSK_LOSS_IRTE_NOT_PRESENT), 2);
	/* The faults were recorded, and the fault handler read and cleared them. */
	xf_service(f);
	struct msk_vtd_state st;
	assert_msk_ok(msk_x86_vtd_state(msk_x86_platform_model(f->p), &st));
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++)
		assert_false(st.frcd[i].hi & MSK_VTD_FRCD_HI_F);
	assert_int_equal(st.fsts & (MSK_VTD_FSTS_PPF | MSK_VTD_FSTS_PFO), 0);
	struct msk_x86_ir_fault log[4];
	assert_int_equal(msk_x86_platform_ir_fault_log(f->p, log, 4), 3);
	assert_int_equal(log[0].reason, MSK_VTD_FR_SID);
	assert_int_equal(log[0].sid, msk_pcifn_rid(f->fn[1]));
	assert_int_equal(log[0].index, v.irte_index);
	assert_int_equal(log[1].reason, MSK_VTD_FR_NOT_PRESENT);
	assert_int_equal(log[1].index, v.irte_index + 100);
	assert_int_equal(log[2].reason, MSK_VTD_FR_NOT_PRESENT);
	assert_int_equal(log[2].index, v.irte_index);
	xf_balanced(f);
}

/* Multi-MSI through consecutive IRTEs addressed by sub-handles. */
static void test_multi_msi_with_remapping(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 5, 8, true, 0, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 8, MSK_PCI_IRQ_MSI, NULL), 8);
	struct msk_irq_domain *d =
		msk_msi_get_device_domain(msk_pci_msi_device(f->pdev[0]), MSK_MSI_DEFAULT_DOMAIN);
	assert_string_equal(msk_domain_name(d), "IR-PCI-MSI-0000:05:00.0");
	assert_int_equal(msk_msi_monitor_resources(d, "irte"), 8);
	unsigned int base = xf_vec(f, xf_virq(f, 0, 0)).irte_index;
	assert_int_equal(base % 8, 0); /* a naturally aligned block */
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int virq = xf_virq(f, 0, i);
		struct msk_x86_irq_vector v = xf_vec(f, virq);
		assert_int_equal(v.irte_index, base + i);
		assert_int_equal(v.sub_handle, i);
		assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "mq", f));
	}
	struct msk_pcifn_msi_state ms;
	assert_msk_ok(msk_pcifn_msi_state(f->fn[0], &ms));
	assert_int_equal(ms.addr, msk_x86_msi_remap_addr((uint16_t)base, true));
	for (unsigned int i = 0; i < 8; i++)
		assert_msk_ok(msk_pcifn_raise(f->fn[0], i));
	assert_int_equal(xf_service(f), 8);
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int virq = xf_virq(f, 0, i);
		assert_int_equal(atomic_load(&f->calls[virq]), 1);
		assert_int_equal(atomic_load(&f->on_cpu[virq]), xf_vec(f, virq).cpu + 1);
	}
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	assert_int_equal(c.lost, 0);
	xf_balanced(f);
}

/* IMS exists only behind remapping. */
static void test_ims_with_remapping(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 6, 0, false, 4, 16), 0);
	struct msk_pci_ims_store store = { .bar = 2, .offset = 0, .entries = 16 };
	assert_msk_ok(msk_pci_create_ims_domain(f->pdev[0], &store, NULL));
	struct msk_msi_map m = msk_pci_ims_alloc_irq(f->pdev[0], 42, NULL);
	assert_true(m.index >= 0);
	struct msk_irq_domain *d =
		msk_msi_get_device_domain(msk_pci_msi_device(f->pdev[0]), MSK_MSI_SECONDARY_DOMAIN);
	assert_string_equal(msk_domain_name(d), "IR-IMS-0000:06:00.0");
	assert_int_equal(msk_msi_monitor_resources(d, "irte"), 1);
	assert_msk_ok(msk_request_irq(f->core, m.virq, xf_handler, "ims", f));
	assert_msk_ok(msk_pcifn_ims_raise(f->fn[0], (unsigned int)m.index));
	assert_int_equal(xf_service(f), 1);
	assert_int_equal(atomic_load(&f->calls[m.virq]), 1);
	assert_msk_ok(msk_free_irq(f->core, m.virq));
	assert_msk_ok(msk_pci_ims_free_irq(f->pdev[0], m));
	assert_int_equal(msk_msi_monitor_resources(d, "irte"), 0);
	xf_balanced(f);
}

/* Affinity changes rewrite the IRTE and never the device's message. */
static void test_affinity_rewrites_irte_only(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 3, 0, false, 4, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = xf_virq(f, 0, 0);
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
	struct msk_pcifn_vector before, after;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 0, &before));
	struct msk_x86_irq_vector v0 = xf_vec(f, virq);
	unsigned int target = (v0.cpu + 1) % 4;
	struct msk_cpumask m = msk_cpumask_of(target);
	assert_msk_ok(msk_irq_set_affinity(f->core, virq, &m));
	struct msk_x86_irq_vector v1 = xf_vec(f, virq);
	assert_int_equal(v1.cpu, target);
	assert_true(v1.move_in_progress);
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 0, &after));
	assert_int_equal(after.addr, before.addr);
	assert_int_equal(after.data, before.data);
	uint64_t lo, hi;
	irte(f, v1.irte_index, &lo, &hi);
	assert_int_equal((lo >> MSK_IRTE_LO_V_SHIFT) & 0xff, v1.vector);
	assert_int_equal((lo >> 40) & 0xff, target);
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	xf_service(f);
	assert_int_equal(atomic_load(&f->on_cpu[virq]), target + 1);
	v1 = xf_vec(f, virq);
	assert_false(v1.move_in_progress);
	assert_int_equal(v1.cleanup_pending, 0);
	xf_balanced(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unit_programmed_through_registers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_irte_written_at_activation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sid_mismatch_and_absent_entries, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_multi_msi_with_remapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ims_with_remapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_affinity_rewrites_irte_only, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
