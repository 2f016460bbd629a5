/* SPDX-License-Identifier: MIT */
/*
 * msk_platform_route on x86: device messages followed through the models
 * and the CPU's vector table to their virq, with and without remapping,
 * through moves, for MSI-X, multi-MSI and IMS; broken messages lost with
 * the data path's reason; no side effects; and the machine's msi-route
 * invariant catching a message that no longer reaches its virq.
 */
#include "x86_fixture.h"

/* Route a device's message; the data path must agree (the handler runs on r.cpu). */
static struct msk_platform_route route(struct xf *f, unsigned int dev, uint64_t addr, uint32_t data)
{
	struct msk_platform_route r;
	assert_msk_ok(msk_platform_route(f->p, msk_pcifn_rid(f->fn[dev]), addr, data, &r));
	assert_string_not_equal(r.detail, "");
	return r;
}

static void expect_virq(struct xf *f, unsigned int dev, const struct msk_pcifn_vector *e,
			unsigned int virq)
{
	struct msk_platform_route r = route(f, dev, e->addr, e->data);
	assert_false(r.lost);
	assert_int_equal(r.virq, virq);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(f->core, virq);
	assert_true(msk_cpumask_test(&eff, r.cpu));
}

/* Send (addr, data) as dev would and check the route's verdict came true. */
static void send_and_compare(struct xf *f, unsigned int dev, uint64_t addr, uint32_t data)
{
	struct msk_platform_route r = route(f, dev, addr, data);
	struct msk_ledger_counts before, after;
	msk_ledger_read(f->ledger, &before);
	unsigned int calls = r.lost ? 0 : atomic_load(&f->calls[r.virq]);
	msk_ledger_raise(f->ledger, 1);
	msk_bus_msi(f->bus, addr, data, msk_pcifn_rid(f->fn[dev]), 1);
	xf_service(f);
	msk_ledger_read(f->ledger, &after);
	if (r.lost) {
		assert_int_equal(after.lost_by_reason[r.reason],
				 before.lost_by_reason[r.reason] + 1);
	} else {
		assert_int_equal(atomic_load(&f->calls[r.virq]), calls + 1);
		assert_int_equal(atomic_load(&f->on_cpu[r.virq]), r.cpu + 1);
	}
	xf_balanced(f);
}

static struct msk_pcifn_vector msix_entry(struct xf *f, unsigned int dev, unsigned int i)
{
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(f->fn[dev], i, &e));
	return e;
}

static void test_vector_domain_messages(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 4, false));
	assert_int_equal(xf_add(&f, 3, 0, false, 8, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f.pdev[0], 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
	unsigned int virq = xf_virq(&f, 0, 0);
	/* Reservation mode: the (masked) entry points at the shutdown vector - nobody's. */
	struct msk_pcifn_vector e = msix_entry(&f, 0, 0);
	struct msk_platform_route r = route(&f, 0, e.addr, e.data);
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_VECTOR_NOT_ASSIGNED);
	assert_non_null(strstr(r.detail, "no irq"));
	send_and_compare(&f, 0, e.addr, e.data);
	/* Requested: a real vector, the virq on the CPU it targets. */
	assert_msk_ok(msk_request_irq(f.core, virq, xf_handler, "q", &f));
	e = msix_entry(&f, 0, 0);
	expect_virq(&f, 0, &e, virq);
	r = route(&f, 0, e.addr, e.data);
	char want[64];
	snprintf(want, sizeof(want), "-> CPU %u virq %u", r.cpu, virq);
	assert_non_null(strstr(r.detail, want));
	send_and_compare(&f, 0, e.addr, e.data);
	/* A move: the new message routes to the new CPU; the old one still reaches the virq. */
	struct msk_pcifn_vector old = e;
	struct msk_cpumask to = msk_cpumask_of((r.cpu + 1) % 4);
	assert_msk_ok(msk_irq_set_affinity(f.core, virq, &to));
	e = msix_entry(&f, 0, 0);
	expect_virq(&f, 0, &e, virq);
	r = route(&f, 0, old.addr, old.data);
	assert_false(r.lost);
	assert_int_equal(r.virq, virq);
	/* After the first interrupt on the new vector and the cleanup, the old one is gone. */
	send_and_compare(&f, 0, e.addr, e.data);
	msk_x86_platform_cleanup(f.p);
	r = route(&f, 0, old.addr, old.data);
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_VECTOR_NOT_ASSIGNED);
	send_and_compare(&f, 0, old.addr, old.data);
	/* Remappable format without remapping; RAM; an illegal vector. */
	send_and_compare(&f, 0, msk_x86_msi_remap_addr(1, true), 0);
	r = route(&f, 0, msk_x86_msi_remap_addr(1, true), 0);
	assert_int_equal(r.reason, MSK_LOSS_IR_DISABLED);
	send_and_compare(&f, 0, XF_RAM_BASE + 0x100000, 0x41);
	send_and_compare(&f, 0, e.addr, 0x0E);
	xf_teardown(&f);
}

static void test_remapped_messages(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 4, true));
	assert_int_equal(xf_add(&f, 3, 0, false, 8, 8), 0);
	assert_int_equal(xf_add(&f, 5, 8, true, 0, 0), 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(f.pdev[0], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int virq = xf_virq(&f, 0, 1);
	assert_msk_ok(msk_request_irq(f.core, virq, xf_handler, "q", &f));
	struct msk_pcifn_vector e = msix_entry(&f, 0, 1);
	expect_virq(&f, 0, &e, virq);
	struct msk_platform_route r = route(&f, 0, e.addr, e.data);
	char want[32];
	snprintf(want, sizeof(want), "IRTE %u ->", xf_vec(&f, virq).irte_index);
	assert_non_null(strstr(r.detail, want));
	send_and_compare(&f, 0, e.addr, e.data);
	/* Moves rewrite the IRTE: the same message now reaches the new CPU. */
	struct msk_cpumask to = msk_cpumask_of((r.cpu + 1) % 4);
	assert_msk_ok(msk_irq_set_affinity(f.core, virq, &to));
	r = route(&f, 0, e.addr, e.data);
	assert_int_equal(r.cpu, (xf_vec(&f, virq).cpu));
	send_and_compare(&f, 0, e.addr, e.data);
	/* Multi-MSI: the function ORs the vector number into the data: sub-handles. */
	assert_int_equal(msk_pci_alloc_irq_vectors(f.pdev[1], 8, 8, MSK_PCI_IRQ_MSI, NULL), 8);
	struct msk_pcifn_msi_state ms;
	assert_msk_ok(msk_pcifn_msi_state(f.fn[1], &ms));
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int v = xf_virq(&f, 1, i);
		assert_msk_ok(msk_request_irq(f.core, v, xf_handler, "msi", &f));
		struct msk_pcifn_vector m = { .addr = ms.addr, .data = ms.data | i };
		expect_virq(&f, 1, &m, v);
		send_and_compare(&f, 1, m.addr, m.data);
	}
	/* IMS. */
	struct msk_pci_ims_store store = { .bar = 2, .offset = 0, .entries = 8 };
	assert_msk_ok(msk_pci_create_ims_domain(f.pdev[0], &store, NULL));
	struct msk_msi_map ims = msk_pci_ims_alloc_irq(f.pdev[0], 3, NULL);
	assert_msk_ok(msk_request_irq(f.core, ims.virq, xf_handler, "ims", &f));
	struct msk_pcifn_vector ie;
	assert_msk_ok(msk_pcifn_ims_entry(f.fn[0], (unsigned int)ims.index, &ie));
	expect_virq(&f, 0, &ie, ims.virq);
	/* Broken: another requester, the compatibility format, a free IRTE, beyond the table. */
	r = route(&f, 1, e.addr, e.data);
	assert_int_equal(r.reason, MSK_LOSS_IRTE_SID_MISMATCH);
	send_and_compare(&f, 1, e.addr, e.data);
	r = route(&f, 0, msk_x86_msi_compat_addr(0, false, false), 0x41);
	assert_int_equal(r.reason, MSK_LOSS_IR_COMPAT_BLOCKED);
	send_and_compare(&f, 0, msk_x86_msi_compat_addr(0, false, false), 0x41);
	assert_msk_ok(msk_free_irq(f.core, virq));
	r = route(&f, 0, e.addr, e.data);
	assert_int_equal(r.reason, MSK_LOSS_IRTE_NOT_PRESENT);
	send_and_compare(&f, 0, e.addr, e.data);
	send_and_compare(&f, 0, e.addr, 0x10000);
	assert_msk_ok(msk_free_irq(f.core, ims.virq));
	assert_msk_ok(msk_pci_ims_free_irq(f.pdev[0], ims));
	xf_teardown(&f);
}

/* Routing changes nothing: counters, model statistics, the ledger, the fault registers. */
static void test_no_side_effects(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 2, true));
	assert_int_equal(xf_add(&f, 3, 0, false, 4, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f.pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_msk_ok(msk_request_irq(f.core, xf_virq(&f, 0, 0), xf_handler, "q", &f));
	assert_msk_ok(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_IRTE, 1));
	struct msk_platform_counter c0[32], c1[32];
	struct msk_x86_stats s0, s1;
	struct msk_vtd_state v0, v1;
	struct msk_ledger_counts l0, l1;
	memset(&v0, 0, sizeof(v0)); /* padding */
	memset(&v1, 0, sizeof(v1));
	size_t n0 = msk_platform_counters(f.p, c0, 32);
	msk_x86_stats(msk_x86_platform_model(f.p), &s0);
	assert_msk_ok(msk_x86_vtd_state(msk_x86_platform_model(f.p), &v0));
	msk_ledger_read(f.ledger, &l0);
	struct msk_pcifn_vector e = msix_entry(&f, 0, 0);
	const uint64_t addrs[] = { e.addr, msk_x86_msi_remap_addr(99, true),
				   msk_x86_msi_compat_addr(0, false, false), 0 };
	for (unsigned int i = 0; i < 4; i++) {
		struct msk_platform_route r;
		assert_msk_ok(msk_platform_route(f.p, 0x0300, addrs[i], e.data, &r));
		assert_msk_ok(msk_platform_route(f.p, 0x0400, addrs[i], e.data, &r));
	}
	size_t n1 = msk_platform_counters(f.p, c1, 32);
	msk_x86_stats(msk_x86_platform_model(f.p), &s1);
	assert_msk_ok(msk_x86_vtd_state(msk_x86_platform_model(f.p), &v1));
	msk_ledger_read(f.ledger, &l1);
	assert_int_equal(n0, n1);
	assert_memory_equal(c0, c1, n0 * sizeof(c0[0]));
	assert_memory_equal(&s0, &s1, sizeof(s0));
	assert_memory_equal(&v0, &v1, sizeof(v0));
	assert_memory_equal(&l0, &l1, sizeof(l0));
	struct msk_platform_fault_state st;
	msk_platform_fault_state(f.p, &st);
	assert_int_equal(st.seen, 0);
	assert_int_equal(st.fired, 0);
	xf_teardown(&f);
}

/* A bare platform: the CPU that takes it, no virq. */
static void test_bare(void **state)
{
	(void)state;
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *p;
	assert_msk_ok(msk_ledger_create(&ledger));
	assert_msk_ok(msk_bus_create(XF_RAM_BASE, XF_RAM_SIZE, ledger, &bus));
	struct msk_core_config cc = { .nr_cpus = 2, .ledger = ledger };
	assert_msk_ok(msk_core_create(&cc, &core));
	struct msk_platform_config pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 2;
	pc.bare = true;
	pc.x86.ir = true;
	pc.table_base = XF_RAM_BASE;
	pc.table_size = XF_TABLE_SIZE;
	assert_msk_ok(msk_platform_create("x86", core, bus, &pc, &p));
	struct msk_platform_route r;
	assert_msk_ok(
		msk_platform_route(p, 0x0300, msk_x86_msi_compat_addr(1, false, false), 0x41, &r));
	assert_false(r.lost);
	assert_int_equal(r.cpu, 1);
	assert_int_equal(r.virq, 0);
	/* Remapping is the guest's to enable. */
	assert_msk_ok(msk_platform_route(p, 0x0300, msk_x86_msi_remap_addr(1, true), 0, &r));
	assert_int_equal(r.reason, MSK_LOSS_IR_DISABLED);
	/* The fault exists on a bare machine too (the model has IRTEs). */
	assert_msk_ok(msk_platform_fault_arm(p, MSK_PLATFORM_FAULT_DEFAULT, 1));
	msk_platform_destroy(p);
	msk_core_destroy(core);
	msk_bus_destroy(bus);
	msk_ledger_destroy(ledger);
}

/* ---- the machine's msi-route invariant on x86 ----------------------------------------------- */

static enum msk_irqreturn nop(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

static void test_machine_invariant(void **state)
{
	(void)state;
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "x86";
	cfg.x86.ir = true;
	struct msk_machine *m = NULL;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 3;
	pc.msix = 4;
	struct msk_machine_dev *d = NULL;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &d));
	struct msk_pci_dev *pdev = msk_machine_dev_pci(d);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 1);
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, nop, "q", NULL));
	assert_msk_ok(msk_machine_check(m));
	/* Clear the IRTE's present bit behind the driver's back: the message is dead. */
	struct msk_x86_irq_vector v;
	assert_msk_ok(msk_x86_platform_irq_vector(msk_machine_platform(m), virq, &v));
	struct msk_bus *bus = msk_machine_bus(m);
	uint64_t at = MSK_MACHINE_RAM_BASE + 16ull * v.irte_index, lo;
	assert_msk_ok(msk_ram_read64(bus, at, &lo));
	assert_msk_ok(msk_ram_write64(bus, at, lo & ~MSK_IRTE_LO_P));
	assert_msk_error(msk_machine_check(m), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "msi-route"));
	assert_non_null(strstr(msk_last_error(), "irte-not-present"));
	assert_int_equal(msk_machine_invariant_count(m), 1);
	assert_msk_ok(msk_ram_write64(bus, at, lo));
	assert_msk_ok(msk_free_irq(msk_machine_core(m), virq));
	assert_msk_ok(msk_machine_pci_remove(m, d));
	msk_machine_destroy(m);

	/* faults.controller: armed at creation with IR, refused without. */
	cfg.faults.controller = 5;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_faults mf;
	msk_machine_faults(m, &mf);
	assert_int_equal(mf.controller.kind, MSK_PLATFORM_FAULT_IRTE);
	assert_int_equal(mf.controller.nth, 5);
	msk_machine_destroy(m);
	cfg.x86.ir = false;
	assert_msk_error(msk_machine_create(&cfg, &m), MSK_ENOTSUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_domain_messages),
		cmocka_unit_test(test_remapped_messages),
		cmocka_unit_test(test_no_side_effects),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_machine_invariant),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
