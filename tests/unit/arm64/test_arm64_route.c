/* SPDX-License-Identifier: MIT */
/*
 * msk_platform_route on arm64: the message of every allocated vector
 * (MSI-X, dynamic MSI-X, multi-MSI) reaches its own virq on its effective
 * CPU; broken messages are lost with the reason the data path then
 * reports; a disabled LPI is held, not lost; the probe has no side effect
 * (ledger, counters, pending state, the armed controller fault).
 */
#include "arm64_fixture.h"

#define TRANSLATER (ARM64_ITS_BASE + MSK_GITS_TRANSLATER)

static struct am M;

static int setup(void **state)
{
	*state = &M;
	return am_setup(&M, true);
}

static int teardown(void **state)
{
	am_teardown(*state);
	return 0;
}

struct snap {
	struct msk_ledger_counts ledger;
	struct msk_its_stats its;
	struct msk_platform_counter counters[16];
	struct msk_platform_fault_state fault;
	uint64_t held;
};

static void snap(struct am *m, struct snap *s)
{
	memset(s, 0, sizeof(*s));
	msk_ledger_read(m->ledger, &s->ledger);
	msk_its_stats(m->gic, &s->its);
	msk_platform_counters(m->p, s->counters, 16);
	msk_platform_fault_state(m->p, &s->fault);
	s->held = am_held(m);
}

/*
 * Route the message, check the probe changed nothing, then send it and
 * check the data path agrees: the same loss reason, or the handler of the
 * same virq ran on the same CPU (or the event waits, held).
 */
static struct msk_platform_route agrees(struct am *m, uint32_t rid, uint64_t addr, uint32_t data)
{
	struct snap a, b;
	struct msk_platform_route r;
	snap(m, &a);
	assert_msk_ok(msk_platform_route(m->p, rid, addr, data, &r));
	snap(m, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	unsigned int calls = r.virq ? m->calls[r.virq] : 0;
	msk_ledger_raise(m->ledger, 1);
	msk_bus_msi(m->bus, addr, data, rid, 1);
	am_service_all(m);
	struct msk_ledger_counts c;
	msk_ledger_read(m->ledger, &c);
	if (r.lost) {
		assert_int_equal(c.lost_by_reason[r.reason], a.ledger.lost_by_reason[r.reason] + 1);
	} else if (strstr(r.detail, "(held: LPI disabled)")) {
		assert_int_equal(c.lost, a.ledger.lost);
		assert_int_equal(am_held(m), a.held + 1);
	} else {
		assert_int_equal(c.delivered, a.ledger.delivered + 1);
		assert_int_equal(m->calls[r.virq], calls + 1);
		assert_int_equal(m->on_cpu[r.virq], r.cpu + 1);
	}
	am_balanced(m);
	return r;
}

static void test_vectors_reach_their_virq(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *x = am_add(m, 0x41, 0, 0, 8);
	struct msk_pci_dev *y = am_add(m, 0x42, 0, 4, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(x, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	struct msk_msi_map dyn = msk_pci_msix_alloc_irq_at(x, 6, NULL);
	assert_int_equal(dyn.index, 6);
	assert_int_equal(msk_pci_alloc_irq_vectors(y, 4, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	unsigned int vx[3] = { (unsigned)msk_pci_irq_vector(x, 0),
			       (unsigned)msk_pci_irq_vector(x, 1), dyn.virq };
	unsigned int idx[3] = { 0, 1, 6 };
	for (unsigned int i = 0; i < 3; i++) {
		assert_msk_ok(msk_request_irq(m->core, vx[i], am_handler, "x", m));
		struct msk_pcifn_vector e;
		assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], idx[i], &e));
		struct msk_platform_route r = agrees(m, 0x4100, e.addr, e.data);
		assert_false(r.lost);
		assert_int_equal(r.virq, vx[i]);
		struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, vx[i]);
		assert_true(msk_cpumask_test(&eff, r.cpu));
		char want[96];
		snprintf(want, sizeof(want),
			 "DeviceID 0x4100 EventID %u -> LPI %u ICID %u -> CPU %u -> virq %u", i,
			 am_lpi(m, vx[i]), r.cpu, r.cpu, vx[i]);
		assert_string_equal(r.detail, want);
	}
	/* Multi-MSI: the function ORs the vector number into the data. */
	struct msk_pcifn_msi_state st;
	assert_msk_ok(msk_pcifn_msi_state(m->fn[1], &st));
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int v = (unsigned)msk_pci_irq_vector(y, i);
		assert_msk_ok(msk_request_irq(m->core, v, am_handler, "y", m));
		struct msk_platform_route r = agrees(m, 0x4200, st.addr, (uint32_t)(st.data | i));
		assert_int_equal(r.virq, v);
	}
	/* A moved vector is followed to its new CPU. */
	struct msk_cpumask three = msk_cpumask_of(3);
	assert_msk_ok(msk_irq_set_affinity(m->core, vx[0], &three));
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], 0, &e));
	assert_int_equal(agrees(m, 0x4100, e.addr, e.data).cpu, 3);
	for (unsigned int i = 0; i < 3; i++)
		assert_msk_ok(msk_free_irq(m->core, vx[i]));
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_free_irq(m->core, (unsigned)msk_pci_irq_vector(y, i)));
}

static void test_broken_messages_lost_as_the_data_path_loses_them(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *x = am_add(m, 0x43, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(x, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int v = (unsigned)msk_pci_irq_vector(x, 0);
	assert_msk_ok(msk_request_irq(m->core, v, am_handler, "x", m));
	struct msk_platform_route r = agrees(m, 0x4300, AM_RAM_BASE + 0x1000, 0);
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_MSI_TO_RAM);
	r = agrees(m, 0x4300, 0xFEE00000, 0);
	assert_int_equal(r.reason, MSK_LOSS_NO_DOORBELL);
	assert_non_null(strstr(r.detail, "no interrupt controller"));
	r = agrees(m, 0x4300, ARM64_ITS_BASE + 0x40, 0);
	assert_int_equal(r.reason, MSK_LOSS_NO_DOORBELL);
	r = agrees(m, 0x4300, ARM64_REDIST_BASE, 0);
	assert_int_equal(r.reason, MSK_LOSS_NO_DOORBELL);
	r = agrees(m, 0x4400, TRANSLATER, 0); /* no device 0x4400 */
	assert_int_equal(r.reason, MSK_LOSS_NO_MAPPING);
	assert_string_equal(r.detail, "DeviceID 0x4400 EventID 0: device not mapped");
	r = agrees(m, 0x4300, TRANSLATER, 4); /* ITT of 4 events */
	assert_int_equal(r.reason, MSK_LOSS_ITT_OUT_OF_RANGE);
	r = agrees(m, 0x4300, TRANSLATER, 3); /* in the ITT, not mapped */
	assert_int_equal(r.reason, MSK_LOSS_NO_MAPPING);
	/* Allocated, not requested: the LPI is disabled, the event waits pending. */
	r = agrees(m, 0x4300, TRANSLATER, 1);
	assert_false(r.lost);
	assert_int_equal(r.virq, (unsigned)msk_pci_irq_vector(x, 1));
	assert_non_null(strstr(r.detail, "(held: LPI disabled)"));
	assert_msk_ok(msk_free_irq(m->core, v));
	assert_msk_ok(msk_pci_free_irq_vectors(x)); /* drops what vector 1 held */
}

/* An event the ITS still translates after its vector is gone (quarantined). */
static void test_lpi_without_virq(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *x = am_add(m, 0x45, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(x, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int v = (unsigned)msk_pci_irq_vector(x, 0);
	assert_msk_ok(msk_request_irq(m->core, v, am_handler, "x", m));
	assert_msk_ok(msk_its_inject_command_error(m->gic, 3, 4)); /* both DISCARDs of free_irq */
	assert_msk_ok(msk_free_irq(m->core, v));
	assert_msk_ok(msk_pci_free_irq_vectors(x));
	assert_int_equal(am_counter(m, "lpis_quarantined"), 1);
	/* Masked at free_irq: the LPI is disabled, so the event is held, for no virq. */
	struct msk_platform_route r = agrees(m, 0x4500, TRANSLATER, 0);
	assert_false(r.lost);
	assert_int_equal(r.virq, 0);
	assert_non_null(strstr(r.detail, ": no virq (held: LPI disabled)"));
	/* Teardown discards it (the pending LPI with it) and gives the LPI back. */
	assert_msk_ok(msk_platform_pci_remove(m->p, x));
	m->pdev[0] = NULL;
	assert_int_equal(am_counter(m, "lpis_quarantined"), 0);
	struct msk_ledger_counts c;
	msk_ledger_read(m->ledger, &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_ITS_DISCARD], 1);
}

static void test_route_does_not_count_as_a_command(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *x = am_add(m, 0x46, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(x, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_msk_ok(msk_platform_fault_arm(m->p, MSK_PLATFORM_FAULT_ITS_COMMAND, 1));
	struct msk_platform_route r;
	for (int i = 0; i < 10; i++)
		assert_msk_ok(msk_platform_route(m->p, 0x4600, TRANSLATER, 0, &r));
	struct msk_platform_fault_state st;
	msk_platform_fault_state(m->p, &st);
	assert_int_equal(st.seen, 0);
	assert_int_equal(st.fired, 0);
	assert_msk_ok(msk_platform_fault_arm(m->p, MSK_PLATFORM_FAULT_DEFAULT, 0));
	/* Other kinds are not this platform's. */
	assert_msk_error(msk_platform_fault_arm(m->p, MSK_PLATFORM_FAULT_IRTE, 1), MSK_ENOTSUP);
	assert_msk_error(msk_platform_fault_arm(m->p, MSK_PLATFORM_FAULT_FIRMWARE, 1), MSK_ENOTSUP);
	assert_msk_ok(msk_pci_free_irq_vectors(x));
}

static void test_bare_platform(void **state)
{
	struct am *m = *state;
	struct msk_platform_config c;
	am_config(&c, true);
	c.bare = true;
	am_teardown(m);
	assert_int_equal(am_setup_cfg(m, &c), 0);
	struct msk_platform_route r;
	assert_msk_ok(msk_platform_route(m->p, 0x100, TRANSLATER, 0, &r));
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_ITS_DISABLED);
	assert_string_equal(r.detail, "DeviceID 0x100 EventID 0: ITS disabled");
	/* The fault is the model's: a bare platform has it too. */
	assert_msk_ok(msk_platform_fault_arm(m->p, MSK_PLATFORM_FAULT_DEFAULT, 5));
	struct msk_platform_fault_state st;
	msk_platform_fault_state(m->p, &st);
	assert_int_equal(st.kind, MSK_PLATFORM_FAULT_ITS_COMMAND);
	assert_int_equal(st.nth, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vectors_reach_their_virq, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_broken_messages_lost_as_the_data_path_loses_them, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lpi_without_virq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_does_not_count_as_a_command, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bare_platform, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
