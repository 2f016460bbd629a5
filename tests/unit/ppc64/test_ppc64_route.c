/* SPDX-License-Identifier: MIT */
/*
 * msk_platform_route on ppc64: MSI-X and multi-MSI messages reach their
 * virq on their CPU; broken or masked messages are lost with the reason
 * the data path uses (checked by sending the same message for real);
 * coalesced ones are held, not lost; and following a message changes
 * nothing - no state, no ledger entry, no firmware call.
 */
#include <msikit/machine.h>

#include "ppc64_fixture.h"

#include <stdio.h>

static struct msk_platform_route route(struct pp *t, unsigned int i, uint64_t addr, uint32_t data)
{
	struct msk_platform_route r;
	assert_msk_ok(msk_platform_route(t->p, msk_pcifn_rid(t->fn[i]), addr, data, &r));
	return r;
}

/* Send (addr, data) from function i for real; the fate must be what route said. */
static void agrees(struct pp *t, unsigned int i, uint64_t addr, uint32_t data)
{
	struct msk_platform_route r = route(t, i, addr, data);
	struct msk_ledger_counts before = pp_counts(t);
	unsigned int calls = r.virq ? atomic_load(&t->calls[r.virq]) : 0;
	msk_ledger_raise(t->l, 1);
	msk_bus_msi(t->bus, addr, data, msk_pcifn_rid(t->fn[i]), 1);
	pp_service(t);
	struct msk_ledger_counts after = pp_counts(t);
	if (r.lost) {
		assert_int_equal(after.lost_by_reason[r.reason],
				 before.lost_by_reason[r.reason] + 1);
	} else {
		assert_int_equal(after.lost, before.lost);
		assert_int_equal(atomic_load(&t->calls[r.virq]), calls + 1);
		assert_int_equal(msk_irq_count(t->core, r.virq, r.cpu) > 0, 1);
	}
	pp_balanced(t);
}

static void test_msix_and_msi_reach_their_virqs(void **state)
{
	struct pp *t = pp_new(4, false, 0);
	unsigned int a = pp_add_fn(t, 0, 0, 8);
	unsigned int b = pp_add_fn(t, 1, 8, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[a], 6, 6, MSK_PCI_IRQ_MSIX, NULL), 6);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[b], 4, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	pp_request(t, a, 6);
	pp_request(t, b, 4);
	assert_int_equal(pp_check_routes(t, a), 6);
	assert_int_equal(pp_check_routes(t, b), 4);

	/* The trace: PE, LISN, PQ, END, EISN, virq. */
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(t->fn[a], 3, &v));
	struct msk_platform_route r = route(t, a, v.addr, v.data);
	uint32_t lisn = pp_lisn(t, a, 3);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[a], 3);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(t->core, virq);
	assert_true(msk_cpumask_test(&eff, r.cpu));
	char want[96];
	snprintf(want, sizeof(want),
		 "PE 0x%x LISN 0x%x PQ 00 -> CPU %u prio 6 EISN 0x%x -> virq %u", pp_fw_fn(t, a).pe,
		 lisn, r.cpu, lisn, virq);
	assert_string_equal(r.detail, want);

	/* A new affinity moves the route with it. */
	unsigned int cpu = (r.cpu + 1) % 4;
	struct msk_cpumask one = msk_cpumask_of(cpu);
	assert_msk_ok(msk_irq_set_affinity(t->core, virq, &one));
	assert_int_equal(route(t, a, v.addr, v.data).cpu, cpu);
	agrees(t, a, v.addr, v.data);

	/* The ESB trigger page of the LISN is the same source as the MSI window. */
	uint64_t trig;
	assert_msk_ok(msk_xive_esb_pages(msk_ppc64_platform_xive(t->p), lisn, &trig, NULL));
	r = route(t, a, trig, 0);
	assert_false(r.lost);
	assert_int_equal(r.virq, virq);
	agrees(t, a, trig, 0);
	pp_free_irqs(t, a, 6);
	pp_free_irqs(t, b, 4);
	pp_free(t);
}

static void test_lost_messages_name_the_data_path_reason(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int a = pp_add_fn(t, 0, 0, 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[a], 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	pp_request(t, a, 3); /* vector 3: allocated, not started (ESB off) */
	uint64_t window = MSK_PPC64_MSI_WINDOW;
	struct {
		uint64_t addr;
		uint32_t data;
		enum msk_loss reason;
	} cases[] = {
		{ window, pp_lisn(t, a, 3), MSK_LOSS_XIVE_OFF },
		{ window, MSK_PPC64_NR_SOURCES, MSK_LOSS_XIVE_INVALID_SOURCE },
		{ window, MSK_PPC64_NR_SOURCES - 1, MSK_LOSS_XIVE_OFF }, /* never claimed */
		{ 0x2000, pp_lisn(t, a, 0), MSK_LOSS_MSI_TO_RAM },
		{ 0x7000000000ull, pp_lisn(t, a, 0), MSK_LOSS_NO_DOORBELL },
		{ MSK_PPC64_ESB_BASE + (1ull << MSK_PPC64_ESB_SHIFT), 0, MSK_LOSS_BAD_MESSAGE },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		struct msk_platform_route r = route(t, a, cases[k].addr, cases[k].data);
		if (!r.lost || r.reason != cases[k].reason)
			fail_msg("case %zu: %s %s (%s)", k, r.lost ? "lost" : "reaches",
				 msk_loss_name(r.reason), r.detail);
		assert_non_null(strstr(r.detail, "PE 0x"));
		agrees(t, a, cases[k].addr, cases[k].data);
	}
	/* A source the firmware routes to an EISN no virq maps: the core loses it. */
	uint32_t lisn = pp_lisn(t, a, 3) + 1; /* granted (8 LISNs), never allocated */
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	uint64_t args[5] = { MSK_H_INT_SRC_SET_EISN, lisn, 1, 6, 0x777 }, rets[MSK_HCALL_NRETS];
	assert_int_equal(msk_spapr_hcall(fw, MSK_H_INT_SET_SOURCE_CONFIG, args, 5, rets),
			 MSK_H_SUCCESS);
	uint64_t mgmt;
	assert_msk_ok(msk_xive_esb_pages(msk_ppc64_platform_xive(t->p), lisn, NULL, &mgmt));
	uint64_t old;
	assert_msk_ok(msk_bus_read(t->bus, mgmt + MSK_XIVE_ESB_SET_PQ_00, 8, NULL, &old));
	struct msk_platform_route r = route(t, a, window, lisn);
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_NO_DESCRIPTOR);
	assert_int_equal(r.cpu, 1);
	assert_non_null(strstr(r.detail, "EISN 0x777 -> virq 0"));
	agrees(t, a, window, lisn);
	pp_free_irqs(t, a, 3);
	pp_free(t);
}

/* P set: the event coalesces at the source; it reaches its virq at the EOI - held, not lost. */
static void test_coalesced_is_not_lost(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int a = pp_add_fn(t, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[a], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	pp_request(t, a, 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(t->pdev[a], 0);
	assert_msk_ok(msk_pcifn_raise(t->fn[a], 0)); /* PQ 00 -> 10, in the queue */
	uint32_t lisn = pp_lisn(t, a, 0);
	assert_int_equal(pp_pq(t, lisn), MSK_XIVE_PQ_PENDING);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(t->fn[a], 0, &v));
	struct msk_platform_route r = route(t, a, v.addr, v.data);
	assert_false(r.lost);
	assert_int_equal(r.virq, virq);
	assert_non_null(strstr(r.detail, "PQ 10 (held)"));
	assert_msk_ok(msk_pcifn_raise(t->fn[a], 0)); /* coalesces: PQ 11 */
	r = route(t, a, v.addr, v.data);
	assert_false(r.lost);
	assert_non_null(strstr(r.detail, "PQ 11 (held)"));
	pp_service(t);
	assert_int_equal(atomic_load(&t->calls[virq]), 2);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
	pp_free_irqs(t, a, 1);
	pp_free(t);
}

/* Following messages changes nothing and is no firmware call. */
static void test_route_has_no_side_effects(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int a = pp_add_fn(t, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[a], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	pp_request(t, a, 2);
	assert_msk_ok(msk_pcifn_raise(t->fn[a], 1));
	assert_msk_ok(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_FIRMWARE, 1000));
	struct msk_platform_fault_state f0, f1;
	msk_platform_fault_state(t->p, &f0);
	struct msk_ledger_counts c0 = pp_counts(t), c1;
	uint64_t held0 = msk_platform_held(t->p);
	struct msk_platform_counter k0[16], k1[16];
	size_t n0 = msk_platform_counters(t->p, k0, 16);
	struct msk_xive_source_info s0[8], s1[8];
	uint32_t base = pp_lisn(t, a, 0);
	for (uint32_t l = 0; l < 8; l++)
		assert_msk_ok(msk_xive_get_source(msk_ppc64_platform_xive(t->p), base + l, &s0[l]));
	msk_clear_error();
	for (uint32_t data = 0; data < 64; data++) {
		struct msk_platform_route r;
		assert_msk_ok(msk_platform_route(t->p, 0x100, MSK_PPC64_MSI_WINDOW, data, &r));
		assert_msk_ok(msk_platform_route(t->p, 0xFFFFFFFF, 0x1000, data, &r));
		assert_msk_ok(msk_platform_route(t->p, 0x100, MSK_PPC64_ESB_BASE + data * 0x8000ull,
						 data, &r));
	}
	assert_string_equal(msk_last_error(), "");
	msk_platform_fault_state(t->p, &f1);
	assert_memory_equal(&f0, &f1, sizeof(f0));
	c1 = pp_counts(t);
	assert_memory_equal(&c0, &c1, sizeof(c0));
	assert_int_equal(msk_platform_held(t->p), held0);
	size_t n1 = msk_platform_counters(t->p, k1, 16);
	assert_int_equal(n0, n1);
	assert_memory_equal(k0, k1, n0 * sizeof(k0[0]));
	for (uint32_t l = 0; l < 8; l++) {
		assert_msk_ok(msk_xive_get_source(msk_ppc64_platform_xive(t->p), base + l, &s1[l]));
		assert_int_equal(s0[l].pq, s1[l].pq);
		assert_int_equal(s0[l].held, s1[l].held);
	}
	assert_int_equal(atomic_load(&t->kicks[0]) + atomic_load(&t->kicks[1]), 1);
	pp_service(t);
	pp_free_irqs(t, a, 2);
	pp_free(t);
}

/* Bare: where the message goes in the XIVE, no OS to name a virq. */
static void test_bare_route(void **state)
{
	struct pp *t = pp_new_cfg(pp_config(2, true));
	struct msk_xive *x = msk_ppc64_platform_xive(t->p);
	struct msk_xive_eas eas = { .valid = true, .cpu = 1, .prio = 5, .eisn = 0x55 };
	assert_msk_ok(msk_xive_set_eas(x, 100, &eas));
	uint64_t mgmt, old;
	assert_msk_ok(msk_xive_esb_pages(x, 100, NULL, &mgmt));
	assert_msk_ok(msk_bus_read(t->bus, mgmt + MSK_XIVE_ESB_SET_PQ_00, 8, NULL, &old));
	assert_msk_ok(msk_xive_set_queue(x, 1, 5, 0x200000, 12, true));
	struct msk_platform_route r;
	assert_msk_ok(msk_platform_route(t->p, 0x100, MSK_PPC64_MSI_WINDOW, 100, &r));
	assert_false(r.lost);
	assert_int_equal(r.cpu, 1);
	assert_int_equal(r.virq, 0);
	assert_string_equal(r.detail, "no PE LISN 0x64 PQ 00 -> CPU 1 prio 5 EISN 0x55");
	assert_msk_ok(msk_xive_set_queue(x, 1, 5, 0, 0, false));
	assert_msk_ok(msk_platform_route(t->p, 0x100, MSK_PPC64_MSI_WINDOW, 100, &r));
	assert_true(r.lost);
	assert_int_equal(r.reason, MSK_LOSS_XIVE_NO_QUEUE);
	pp_free(t);
}

static enum msk_irqreturn nop(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

/*
 * The machine's msi-route invariant on an MSI without per-vector masking:
 * a vector the OS has not started is off at its XIVE source (its messages
 * would be lost "xive-off") and is not followed; a started one is, and a
 * source routed away from its virq is reported.
 */
static void test_machine_invariant_msi_without_masking(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "ppc64";
	cfg.ncpus = 2;
	struct msk_machine *m;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msi = 2;
	pc.msi_mask = false;
	struct msk_machine_dev *dev;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &dev));
	struct msk_pci_dev *pdev = msk_machine_dev_pci(dev);
	struct msk_core *core = msk_machine_core(m);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSI, NULL), 2);
	assert_msk_ok(msk_machine_check(m));
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 1);
	assert_msk_ok(msk_request_irq(core, virq, nop, "q", NULL));
	assert_msk_ok(msk_machine_check(m));
	/* Route the started vector's source to another EISN behind the OS's back. */
	struct msk_platform_route r;
	struct msk_pcifn_msi_state st;
	assert_msk_ok(msk_pcifn_msi_state(msk_machine_dev_fn(dev), &st));
	uint32_t data = (uint32_t)((st.data & ~1u) | 1u);
	assert_msk_ok(msk_platform_route(msk_machine_platform(m),
					 msk_pcifn_rid(msk_machine_dev_fn(dev)), st.addr, data,
					 &r));
	assert_int_equal(r.virq, virq);
	uint64_t args[5] = { MSK_H_INT_SRC_SET_EISN, data, r.cpu, 6, 0x999 }, rets[MSK_HCALL_NRETS];
	assert_int_equal(msk_spapr_hcall(msk_ppc64_platform_firmware(msk_machine_platform(m)),
					 MSK_H_INT_SET_SOURCE_CONFIG, args, 5, rets),
			 MSK_H_SUCCESS);
	assert_msk_error(msk_machine_check(m), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "msi-route"));
	assert_non_null(strstr(msk_last_error(), "no-descriptor"));
	assert_msk_ok(msk_free_irq(core, virq));
	msk_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_msix_and_msi_reach_their_virqs),
		cmocka_unit_test(test_lost_messages_name_the_data_path_reason),
		cmocka_unit_test(test_coalesced_is_not_lost),
		cmocka_unit_test(test_route_has_no_side_effects),
		cmocka_unit_test(test_bare_route),
		cmocka_unit_test(test_machine_invariant_msi_without_masking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
