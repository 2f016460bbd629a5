/* SPDX-License-Identifier: MIT */
/* The VECTOR domain as MSI parent: names, reservation mode, messages, exhaustion. */
#include "x86_fixture.h"

static struct xf F;

static int setup4(void **state)
{
	*state = &F;
	return xf_setup(&F, 4, false);
}

static int setup2(void **state)
{
	*state = &F;
	return xf_setup(&F, 2, false);
}

static int teardown(void **state)
{
	xf_teardown(*state);
	return 0;
}

static void test_domains_and_names(void **state)
{
	struct xf *f = *state;
	struct msk_irq_domain *v = msk_domain_find(f->core, "VECTOR");
	assert_non_null(v);
	assert_ptr_equal(msk_platform_msi_parent(f->p), v);
	assert_null(msk_domain_find(f->core, "INTEL-IR-0"));
	assert_true(msk_domain_flags(v) & MSK_DOMAIN_FLAG_MSI_PARENT);
	assert_false(msk_domain_flags(v) & MSK_DOMAIN_FLAG_ISOLATED_MSI);
	assert_string_equal(msk_msi_parent_ops(v)->prefix, "");
	assert_int_equal(xf_add(f, 1, 0, false, 16, 4), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	struct msk_irq_domain *d =
		msk_msi_get_device_domain(msk_pci_msi_device(f->pdev[0]), MSK_MSI_DEFAULT_DOMAIN);
	assert_string_equal(msk_domain_name(d), "PCI-MSIX-0000:01:00.0");
	uint32_t fl = msk_msi_domain_get_info(d)->flags;
	assert_true(fl & MSK_MSI_FLAG_PCI_MSIX);
	assert_true(fl & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN);
	assert_true(fl & MSK_MSI_FLAG_USE_DEF_DOM_OPS);
	assert_true(fl & MSK_MSI_FLAG_USE_DEF_CHIP_OPS);
	assert_false(fl & MSK_MSI_FLAG_PCI_IMS);
	assert_int_equal(msk_msi_monitor_resources(d, "vector"), 2);
	/* No IMS without remapping. */
	struct msk_pci_ims_store store = { .bar = 2, .offset = 0, .entries = 4 };
	assert_msk_error(msk_pci_create_ims_domain(f->pdev[0], &store, NULL), MSK_ENOTSUP);
	struct msk_platform_layout lay;
	msk_platform_layout(f->p, &lay);
	assert_int_equal(lay.msi, MSK_X86_MSI_BASE);
	assert_int_equal(lay.iommu, 0);
	xf_balanced(f);
}

/* Allocated != assigned: a reservation until request, the real vector then. */
static void test_reservation_mode(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 1, 0, false, 8, 0), 0);
	struct msk_matrix_stats ms0, ms;
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms0));
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms));
	assert_int_equal(ms.global_reserved, ms0.global_reserved + 4);
	assert_int_equal(ms.total_allocated, ms0.total_allocated);
	unsigned int virq = xf_virq(f, 0, 1);
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	assert_false(v.assigned);
	assert_true(v.reserved);
	assert_true(v.can_reserve);
	assert_int_equal(v.vector, MSK_X86_SHUTDOWN_VECTOR);
	/* The early activation wrote a message aimed at the shutdown vector; entry masked. */
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 1, &e));
	assert_int_equal(e.data & 0xff, MSK_X86_SHUTDOWN_VECTOR);
	assert_true(e.masked);
	/* An event now is held by the device, not lost. */
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 1));
	assert_int_equal(msk_pcifn_held(f->fn[0]), 1);
	xf_balanced(f);

	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q1", f));
	v = xf_vec(f, virq);
	assert_true(v.assigned);
	assert_false(v.reserved);
	assert_true(v.vector >= 0x20 && v.vector < 0xEC && v.vector != 0x80);
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms));
	assert_int_equal(ms.global_reserved, ms0.global_reserved + 3);
	assert_int_equal(ms.total_allocated, ms0.total_allocated + 1);
	/* Compatibility format: 0xFEE00000 | APIC ID << 12, data = vector. */
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 1, &e));
	assert_int_equal(e.addr, 0xFEE00000u | v.cpu << 12);
	assert_int_equal(e.data, v.vector);
	assert_false(e.masked);
	assert_int_equal(xf_service(f), 1); /* the held event, once */
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	assert_int_equal(atomic_load(&f->on_cpu[virq]), v.cpu + 1);
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 1));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 2);
	/* free_irq: back to a reservation. */
	assert_msk_ok(msk_free_irq(f->core, virq));
	v = xf_vec(f, virq);
	assert_false(v.assigned);
	assert_true(v.reserved);
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms));
	assert_int_equal(ms.global_reserved, ms0.global_reserved + 4);
	assert_int_equal(ms.total_allocated, ms0.total_allocated);
	xf_balanced(f);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[0]));
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms));
	assert_int_equal(ms.global_reserved, ms0.global_reserved);
}

/*
 * An entry still aimed at the shutdown vector: the core refuses to unmask
 * a reserved-only virq; unmasked behind its back (the table written
 * directly), the event is lost as such.
 */
static void test_shutdown_vector_loses(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 1, 0, false, 4, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = xf_virq(f, 0, 0);
	assert_int_equal(msk_irq_unmask(f->core, virq), -MSK_EINVAL);
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[0], 0, &e));
	assert_true(e.masked);
	struct msk_pcifn_msix_state st;
	assert_msk_ok(msk_pcifn_msix_state(f->fn[0], &st));
	assert_msk_ok(msk_pcifn_bar_write(f->fn[0], st.table_bar, st.table_offset + 12, 0, 4));
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	assert_int_equal(xf_service(f), 1);
	assert_int_equal(xf_lost(f, MSK_LOSS_VECTOR_NOT_ASSIGNED), 1);
	assert_int_equal(atomic_load(&f->calls[virq]), 0);
	xf_balanced(f);
}

/* No multi-MSI without remapping: the request shrinks to one vector. */
static void test_multi_msi_refused(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 2, 8, true, 0, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 8, MSK_PCI_IRQ_MSI, NULL), 1);
	struct msk_irq_domain *d =
		msk_msi_get_device_domain(msk_pci_msi_device(f->pdev[0]), MSK_MSI_DEFAULT_DOMAIN);
	assert_string_equal(msk_domain_name(d), "PCI-MSI-0000:02:00.0");
	assert_false(msk_msi_domain_get_info(d)->flags & MSK_MSI_FLAG_MULTI_PCI_MSI);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[0]));
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev[0], 2, 8, MSK_PCI_IRQ_MSI, NULL),
			 MSK_ENOSPC);
	/* The single vector works end to end (MSI with per-vector masking). */
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 1, 1, MSK_PCI_IRQ_MSI, NULL), 1);
	unsigned int virq = xf_virq(f, 0, 0);
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "msi", f));
	assert_msk_ok(msk_pcifn_raise(f->fn[0], 0));
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), 1);
	xf_balanced(f);
}

/* Requested vectors spread: the CPU with the most free vectors is chosen. */
static void test_most_free_policy(void **state)
{
	struct xf *f = *state;
	assert_int_equal(xf_add(f, 1, 0, false, 64, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 40, 40, MSK_PCI_IRQ_MSIX, NULL), 40);
	unsigned int per_cpu[4] = { 0 };
	for (unsigned int i = 0; i < 40; i++) {
		unsigned int virq = xf_virq(f, 0, i);
		assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
		per_cpu[xf_vec(f, virq).cpu]++;
	}
	for (unsigned int c = 0; c < 4; c++) {
		assert_int_equal(per_cpu[c], 10);
		struct msk_matrix_cpu_stats cs;
		assert_msk_ok(msk_x86_platform_matrix_cpu_stats(f->p, c, &cs));
		assert_int_equal(cs.allocated, 10);
	}
	char dump[2048];
	assert_true(msk_x86_platform_matrix_dump(f->p, dump, sizeof(dump)) > 0);
	assert_non_null(strstr(dump, "CPU"));
	for (unsigned int i = 0; i < 40; i++) {
		assert_msk_ok(msk_pcifn_raise(f->fn[0], i));
	}
	assert_int_equal(xf_service(f), 40);
	for (unsigned int i = 0; i < 40; i++)
		assert_int_equal(atomic_load(&f->calls[xf_virq(f, 0, i)]), 1);
	xf_balanced(f);
}

/* Many devices on 2 CPUs until the vectors run out, then recovery. */
static void test_exhaustion_and_recovery(void **state)
{
	struct xf *f = *state;
	struct msk_matrix_stats ms0, ms;
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms0));
	assert_int_equal(ms0.global_available, 2 * 203); /* [0x20, 0xEC) minus 0x80 */
	unsigned int dev = 0;
	for (; dev < 6; dev++) {
		assert_int_equal(xf_add(f, 1 + dev, 0, false, 64, 0), (int)dev);
		assert_int_equal(
			msk_pci_alloc_irq_vectors(f->pdev[dev], 64, 64, MSK_PCI_IRQ_MSIX, NULL),
			64);
		for (unsigned int i = 0; i < 64; i++)
			assert_msk_ok(
				msk_request_irq(f->core, xf_virq(f, dev, i), xf_handler, "q", f));
	}
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms0));
	assert_int_equal(ms0.total_allocated, 384);
	assert_int_equal(ms0.global_available, 22);
	assert_int_equal(xf_add(f, 7, 0, false, 64, 0), 6);
	assert_msk_error(msk_pci_alloc_irq_vectors(f->pdev[6], 64, 64, MSK_PCI_IRQ_MSIX, NULL),
			 MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "room for 22 vectors"));
	/* Nothing leaked: the matrix is as before the failed call. */
	assert_msk_ok(msk_x86_platform_matrix_stats(f->p, &ms));
	assert_int_equal(ms.total_allocated, ms0.total_allocated);
	assert_int_equal(ms.global_reserved, ms0.global_reserved);
	assert_int_equal(ms.global_available, ms0.global_available);
	/* What fits is taken: 22. */
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[6], 1, 64, MSK_PCI_IRQ_MSIX, NULL), 22);
	/* One more: the vector domain's message names every CPU and its count
	 * (the 22 free vectors are all promised to the reservations). */
	struct msk_msi_map m = msk_pci_msix_alloc_irq_at(f->pdev[6], MSK_MSI_ANY_INDEX, NULL);
	assert_int_equal(m.index, -MSK_ENOSPC);
	assert_non_null(strstr(msk_last_error(), "CPU 0: 11 available, CPU 1: 11 available"));
	assert_non_null(strstr(msk_last_error(), "22 already reserved"));
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[6]));
	/* Free one device: room again. */
	xf_free_handlers(f, 2);
	assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[2]));
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[6], 64, 64, MSK_PCI_IRQ_MSIX, NULL), 64);
	for (unsigned int i = 0; i < 64; i++)
		assert_msk_ok(msk_request_irq(f->core, xf_virq(f, 6, i), xf_handler, "q", f));
	for (unsigned int i = 0; i < 64; i += 7)
		assert_msk_ok(msk_pcifn_raise(f->fn[6], i));
	xf_service(f);
	for (unsigned int i = 0; i < 64; i += 7)
		assert_int_equal(atomic_load(&f->calls[xf_virq(f, 6, i)]), 1);
	xf_balanced(f);
}

static void test_counters_and_bad_calls(void **state)
{
	struct xf *f = *state;
	struct msk_platform_counter c[16];
	size_t n = msk_platform_counters(f->p, c, 16);
	assert_true(n >= 8);
	assert_string_equal(c[0].name, "vectors");
	struct msk_x86_irq_vector v;
	assert_msk_error(msk_x86_platform_irq_vector(f->p, 12345, &v), MSK_EINVAL);
	uint64_t id, w;
	assert_msk_error(msk_platform_cpu_take(f->p, 0, &id, &w), MSK_ENOTSUP);
	assert_msk_error(msk_platform_cpu_service(f->p, 9, 1), MSK_EINVAL);
	assert_non_null(msk_x86_platform_model(f->p));
}

/* Bare mode: only the models; the caller takes raw vectors. */
static void test_bare_platform(void **state)
{
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	assert_msk_ok(msk_ledger_create(&l));
	assert_msk_ok(msk_bus_create(XF_RAM_BASE, XF_RAM_SIZE, l, &bus));
	struct msk_core_config cc = { .nr_cpus = 2, .ledger = l };
	assert_msk_ok(msk_core_create(&cc, &core));
	struct msk_platform_config pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 2;
	pc.bare = true;
	assert_msk_ok(msk_platform_create("x86", core, bus, &pc, &p));
	assert_null(msk_platform_msi_parent(p));
	assert_null(msk_domain_find(core, "VECTOR"));
	assert_msk_error(msk_platform_cpu_service(p, 0, 1), MSK_ENOTSUP);
	assert_msk_error(msk_platform_cpu_offline(p, 1), MSK_ENOTSUP);
	struct msk_matrix_stats ms;
	assert_msk_error(msk_x86_platform_matrix_stats(p, &ms), MSK_EINVAL);
	msk_ledger_raise(l, 3);
	assert_msk_ok(msk_bus_msi(bus, msk_x86_msi_compat_addr(1, false, false),
				  msk_x86_msi_compat_data(0x41, MSK_APIC_DM_FIXED, false), 0x100,
				  3));
	assert_int_equal(msk_platform_held(p), 3);
	uint64_t id = 0, w = 0;
	assert_int_equal(msk_platform_cpu_take(p, 0, &id, &w), 0);
	assert_int_equal(msk_platform_cpu_take(p, 1, &id, &w), 1);
	assert_int_equal(id, 0x41);
	assert_int_equal(w, 3);
	/* Taking it delivers it: the bare platform's guest is the consumer. */
	assert_msk_ok(msk_ledger_check(l, msk_platform_held(p)));
	/* It was ended: the next one of lower priority is deliverable. */
	msk_ledger_raise(l, 1);
	msk_bus_msi(bus, msk_x86_msi_compat_addr(1, false, false), 0x31, 0x100, 1);
	assert_int_equal(msk_platform_cpu_take(p, 1, &id, &w), 1);
	assert_int_equal(id, 0x31);
	assert_msk_ok(msk_ledger_check(l, msk_platform_held(p)));
	msk_platform_destroy(p);
	msk_core_destroy(core);
	msk_bus_destroy(bus);
	msk_ledger_destroy(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_domains_and_names, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_reservation_mode, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_shutdown_vector_loses, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_multi_msi_refused, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_most_free_policy, setup4, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion_and_recovery, setup2, teardown),
		cmocka_unit_test_setup_teardown(test_counters_and_bad_calls, setup4, teardown),
		cmocka_unit_test(test_bare_platform),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
