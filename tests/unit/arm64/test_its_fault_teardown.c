/* SPDX-License-Identifier: MIT */
/*
 * What the ITS driver does when the ITS keeps failing (the model's hook
 * fails `count` consecutive commands): a DISCARD that fails twice
 * quarantines its event and LPI (never reused, discarded again at
 * teardown, reported as not returned if it outlives the device); a MAPD
 * V=0 that fails twice leaves a zombie DeviceID whose ITT is kept until
 * the DeviceID is prepared again; a SYNC that fails twice after a MAPTI
 * or MOVI undoes it; an INV that fails twice leaves the LPI's cached
 * configuration stale (events held, not lost); a stalled queue whose
 * restarts fail is recovered by the next call; a failing probe leaves
 * nothing behind.
 */
#include "arm64_fixture.h"

#include "irqchip/gic_v3.h"

static struct am M;

static int setup(void **state)
{
	*state = &M;
	return am_setup(&M, true);
}

static int setup_stall(void **state)
{
	struct msk_platform_config c;
	am_config(&c, true);
	c.its.stall_on_error = true;
	*state = &M;
	return am_setup_cfg(&M, &c);
}

static int teardown(void **state)
{
	am_teardown(*state);
	return 0;
}

/* The nth command from now and the count - 1 after it fail. */
static void arm(struct am *m, uint64_t nth, unsigned int count)
{
	assert_msk_ok(msk_its_inject_command_error(m->gic, nth, count));
}

static uint64_t fired(struct am *m)
{
	struct msk_its_injection in;
	msk_its_injection(m->gic, &in);
	return in.fired;
}

static unsigned int vec(struct msk_pci_dev *pdev, unsigned int index)
{
	int v = msk_pci_irq_vector(pdev, index);
	assert_true(v > 0);
	return (unsigned)v;
}

static uint64_t delivered(struct am *m)
{
	struct msk_ledger_counts c;
	msk_ledger_read(m->ledger, &c);
	return c.delivered;
}

/* Two MSI-X vectors of a new device, with handlers; returns the device. */
static struct msk_pci_dev *two_vectors(struct am *m, unsigned int bus)
{
	struct msk_pci_dev *pdev = am_add(m, bus, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	for (unsigned int i = 0; i < 2; i++)
		assert_msk_ok(msk_request_irq(m->core, vec(pdev, i), am_handler, "q", m));
	return pdev;
}

/* free_irq: mask (INV, SYNC: 1, 2), DISCARD + SYNC (3, 4), once more (5, 6): all fail. */
static uint32_t quarantine_vector_1(struct am *m, struct msk_pci_dev *pdev)
{
	uint32_t lpi = am_lpi(m, vec(pdev, 1));
	arm(m, 3, 4);
	assert_msk_ok(msk_free_irq(m->core, vec(pdev, 1)));
	assert_int_equal(fired(m), 4);
	assert_int_equal(am_counter(m, "lpis_quarantined"), 1);
	/* The ITS still translates the event to its LPI. */
	uint32_t intid;
	uint32_t devid = msk_pcifn_rid(m->fn[m->nfn - 1]);
	assert_int_equal(msk_its_lookup(m->gic, devid, 1, &intid, NULL, NULL), 1);
	assert_int_equal(intid, lpi);
	return lpi;
}

static void test_discard_fails_twice_quarantines(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = two_vectors(m, 0x12);
	uint32_t lpi = quarantine_vector_1(m, pdev);
	assert_msk_ok(msk_free_irq(m->core, vec(pdev, 0)));
	uint64_t cmds = am_counter(m, "its_commands");
	assert_msk_ok(msk_pci_free_irq_vectors(pdev)); /* the stale event is not discarded here */
	assert_int_equal(am_counter(m, "its_commands"), cmds);
	/* The device's next allocation does not use the quarantined event. */
	int n = msk_pci_alloc_irq_vectors(pdev, 1, 4, MSK_PCI_IRQ_MSIX, NULL);
	assert_true(n >= 1 && n <= 3);
	for (int i = 0; i < n; i++)
		assert_int_not_equal(am_lpi(m, vec(pdev, (unsigned)i)), lpi);
	assert_msk_ok(msk_pci_free_irq_vectors(pdev));
	/* Teardown discards it again (the ITS works now): everything comes back. */
	assert_msk_ok(msk_platform_pci_remove(m->p, pdev));
	m->pdev[0] = NULL;
	assert_int_equal(am_counter(m, "lpis_quarantined"), 0);
	assert_int_equal(msk_its_lookup(m->gic, 0x1200, 1, NULL, NULL, NULL), 0);
}

static bool violated(struct am *m, enum msk_msi_rule rule, const char *detail)
{
	for (unsigned int i = 0; i < msk_msi_violation_count(m->core); i++) {
		struct msk_msi_violation v;
		assert_msk_ok(msk_msi_get_violation(m->core, i, &v));
		if (v.rule == rule && strstr(v.detail, detail))
			return true;
	}
	return false;
}

/* Take the platform down after a test that left something in the ITS on purpose. */
static void teardown_kept(struct am *m)
{
	for (unsigned int i = 0; i < m->nfn; i++)
		if (m->pdev[i])
			assert_msk_ok(msk_platform_pci_remove(m->p, m->pdev[i]));
	am_balanced(m);
	msk_platform_destroy(m->p);
	for (unsigned int i = 0; i < m->nfn; i++)
		msk_pcifn_destroy(m->fn[i]);
	msk_core_destroy(m->core);
	assert_msk_ok(msk_ledger_check(m->ledger, 0));
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->ledger);
}

static void test_quarantine_outlives_the_device(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = two_vectors(m, 0x12);
	uint32_t lpi = quarantine_vector_1(m, pdev);
	assert_msk_ok(msk_free_irq(m->core, vec(pdev, 0)));
	assert_msk_ok(msk_pci_free_irq_vectors(pdev));
	/* Teardown: DISCARD + SYNC twice more, all failing; MAPD V=0 works. */
	arm(m, 1, 4);
	assert_msk_ok(msk_platform_pci_remove(m->p, pdev));
	m->pdev[0] = NULL;
	assert_int_equal(fired(m), 4);
	assert_int_equal(am_counter(m, "its_devices"), 0);
	assert_int_equal(am_counter(m, "lpis"), 0);
	assert_int_equal(am_counter(m, "lpis_quarantined"), 1);
	/* Not silent: the device domain did not return that LPI. */
	assert_true(violated(m, MSK_MSI_RULE_RESOURCES_RETURNED, "1 lpi still held"));
	/* Never handed out again: single-LPI devices get the LPIs around it. */
	for (unsigned int b = 0x20; b < 0x23; b++) {
		struct msk_pci_dev *p = am_add(m, b, 0, 0, 1);
		assert_int_equal(msk_pci_alloc_irq_vectors(p, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
		assert_int_not_equal(am_lpi(m, vec(p, 0)), lpi);
		assert_msk_ok(msk_pci_free_irq_vectors(p));
	}
	teardown_kept(m);
}

static void test_unmap_device_fails_twice_zombie(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 0x13, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	assert_msk_ok(msk_pci_free_irq_vectors(pdev));
	struct gic_ram *ram = arm64_platform_ram(m->p);
	uint64_t in_use = ram->in_use;
	arm(m, 1, 2);
	assert_msk_ok(msk_platform_pci_remove(m->p, pdev));
	m->pdev[0] = NULL;
	/* The DTE still points at the ITT: both stay. */
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(m->gic, 0x1300, &info), 1);
	assert_int_equal(ram->in_use, in_use);
	assert_int_equal(am_counter(m, "its_devices"), 1);
	assert_int_equal(am_counter(m, "lpis"), 0);
	assert_true(violated(m, MSK_MSI_RULE_RESOURCES_RETURNED, "256 itt still held"));
	assert_false(violated(m, MSK_MSI_RULE_RESOURCES_RETURNED, "lpi still held"));
	/* The same DeviceID again: preparing it first retries MAPD V=0. */
	assert_msk_ok(msk_platform_pci_add(m->p, m->fn[0], &m->pdev[0]));
	pdev = m->pdev[0];
	arm(m, 1, 2);
	assert_msk_error(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "DeviceID 0x1300 is still mapped to the ITT of "
						 "a removed device"));
	assert_int_equal(am_counter(m, "its_devices"), 1);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_int_equal(am_counter(m, "its_devices"), 1); /* the zombie went, the new one came */
	unsigned int v = vec(pdev, 0);
	assert_msk_ok(msk_request_irq(m->core, v, am_handler, "q", m));
	uint64_t d = delivered(m);
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 0));
	am_service_all(m);
	assert_int_equal(delivered(m), d + 1);
	assert_msk_ok(msk_free_irq(m->core, v));
	assert_msk_ok(msk_platform_pci_remove(m->p, pdev));
	m->pdev[0] = NULL;
	assert_int_equal(ram->in_use, in_use - 256); /* the ITT is back */
	assert_int_equal(am_counter(m, "its_devices"), 0);
	teardown_kept(m);
}

static void test_sync_fails_twice_or_once(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 0x14, 0, 0, 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	/* Twice (MAPTI 1, SYNC 2 and 3 fail): completed unconfirmed, taken back (DISCARD). */
	arm(m, 2, 2);
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(pdev, 3, NULL);
	assert_int_equal(map.index, -MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "MAPTI (DeviceID 0x1400, EventID 1) completed, "
						 "its SYNC failed twice"));
	enum msk_loss why;
	assert_int_equal(msk_its_lookup(m->gic, 0x1400, 1, NULL, NULL, &why), 0);
	assert_int_equal(why, MSK_LOSS_NO_MAPPING);
	assert_int_equal(am_counter(m, "lpis"), 1);
	assert_int_equal(am_counter(m, "its_cmd_errors"), 2);
	map = msk_pci_msix_alloc_irq_at(pdev, 3, NULL);
	assert_int_equal(map.index, 3);
	assert_msk_ok(msk_request_irq(m->core, map.virq, am_handler, "q", m));
	uint64_t d = delivered(m);
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 3));
	am_service_all(m);
	assert_int_equal(delivered(m), d + 1);
	assert_msk_ok(msk_free_irq(m->core, map.virq));
	/* Once: the SYNC is re-issued and the allocation works. */
	arm(m, 2, 1);
	map = msk_pci_msix_alloc_irq_at(pdev, 4, NULL);
	assert_int_equal(map.index, 4);
	assert_int_equal(am_counter(m, "its_cmd_errors"), 3);
	assert_int_equal(msk_its_lookup(m->gic, 0x1400, 2, NULL, NULL, NULL), 1);
}

static void test_move_unconfirmed_moves_back(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = two_vectors(m, 0x15);
	unsigned int v = vec(pdev, 0), from = 2, to = 3;
	struct msk_cpumask dest = msk_cpumask_of(from);
	assert_msk_ok(msk_irq_set_affinity(m->core, v, &dest));
	dest = msk_cpumask_of(to);
	arm(m, 2, 2); /* MOVI 1, SYNC 2 and 3 fail; MOVI back 4, SYNC 5 */
	assert_msk_error(msk_irq_set_affinity(m->core, v, &dest), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "MOVI (DeviceID 0x1500, EventID 0) completed"));
	struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, v);
	assert_true(msk_cpumask_test(&eff, from) && msk_cpumask_weight(&eff) == 1);
	unsigned int cpu;
	assert_int_equal(msk_its_lookup(m->gic, 0x1500, 0, NULL, &cpu, NULL), 1);
	assert_int_equal(cpu, from);
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 0));
	am_service_all(m);
	assert_int_equal(m->on_cpu[v], from + 1);
	/* A hotplug (forced) move is tried twice: MOVI 1 fails, SYNC 2, MOVI 3, SYNC 4. */
	arm(m, 1, 1);
	assert_msk_ok(msk_platform_cpu_offline(m->p, from));
	eff = msk_irq_get_effective_affinity(m->core, v);
	assert_false(msk_cpumask_test(&eff, from));
	assert_int_equal(fired(m), 1);
	assert_msk_ok(msk_platform_cpu_online(m->p, from));
	/* Both tries failing: the offline reports it, the LPI stays on the offline CPU. */
	eff = msk_cpumask_of(from);
	assert_msk_ok(msk_irq_set_affinity(m->core, v, &eff));
	arm(m, 1, 4);
	assert_msk_error(msk_platform_cpu_offline(m->p, from), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "MOVI (DeviceID 0x1500, EventID 0) failed"));
	eff = msk_irq_get_effective_affinity(m->core, v);
	assert_true(msk_cpumask_test(&eff, from));
	uint64_t d = delivered(m);
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 0));
	assert_int_equal(msk_platform_held(m->p), 1); /* pending there: held, not lost */
	assert_msk_ok(msk_platform_cpu_online(m->p, from));
	am_service_all(m);
	assert_int_equal(delivered(m), d + 1);
	assert_int_equal(m->on_cpu[v], from + 1);
	for (unsigned int i = 0; i < 2; i++)
		assert_msk_ok(msk_free_irq(m->core, vec(pdev, i)));
	assert_int_equal(am_lost(m), 0);
}

static void test_inv_fails_twice(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = two_vectors(m, 0x16);
	unsigned int v = vec(pdev, 0);
	uint32_t lpi = am_lpi(m, v);
	/* Mask: the configuration byte says disabled, the GIC's cache still enabled. */
	arm(m, 1, 4);
	assert_msk_ok(msk_irq_mask(m->core, v));
	assert_int_equal(msk_gic_lpi_config(m->gic, lpi) & MSK_GIC_LPI_PROP_ENABLE, 1);
	assert_msk_ok(msk_irq_unmask(m->core, v));
	assert_int_equal(msk_gic_lpi_config(m->gic, lpi) & MSK_GIC_LPI_PROP_ENABLE, 1);
	/* Unmask: the cache stays disabled; an event waits pending in the RD. */
	assert_msk_ok(msk_irq_mask(m->core, v));
	arm(m, 1, 4);
	assert_msk_ok(msk_irq_unmask(m->core, v));
	assert_int_equal(msk_gic_lpi_config(m->gic, lpi) & MSK_GIC_LPI_PROP_ENABLE, 0);
	uint64_t d = delivered(m);
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 0));
	am_service_all(m);
	assert_int_equal(delivered(m), d);
	assert_int_equal(msk_platform_held(m->p), 1);
	struct msk_pcifn_vector e;
	assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], 0, &e));
	struct msk_platform_route r;
	assert_msk_ok(msk_platform_route(m->p, 0x1600, e.addr, e.data, &r));
	assert_false(r.lost);
	assert_int_equal(r.virq, v);
	assert_non_null(strstr(r.detail, "(held: LPI disabled)"));
	/* The next mask/unmask refreshes it: delivered, nothing lost. */
	assert_msk_ok(msk_irq_mask(m->core, v));
	assert_msk_ok(msk_irq_unmask(m->core, v));
	am_service_all(m);
	assert_int_equal(delivered(m), d + 1);
	assert_int_equal(am_lost(m), 0);
	for (unsigned int i = 0; i < 2; i++)
		assert_msk_ok(msk_free_irq(m->core, vec(pdev, i)));
}

static void test_stall_restarts_that_fail(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 0x17, 0, 0, 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	/* MAPTI stalls; the SYNC replacing it fails twice more, then the queue drains. */
	arm(m, 1, 3);
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(pdev, 2, NULL);
	assert_int_equal(map.index, -MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "the queue stalled; restarted past it"));
	struct msk_its_stats st;
	msk_its_stats(m->gic, &st);
	assert_int_equal(st.stalls, 3);
	/* Twenty failures: the call gives up with the queue stalled ... */
	arm(m, 1, 20);
	map = msk_pci_msix_alloc_irq_at(pdev, 2, NULL);
	assert_int_equal(map.index, -MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "restarts failed, left stalled"));
	uint64_t r;
	assert_msk_ok(msk_bus_read(m->bus, ARM64_ITS_BASE + MSK_GITS_CREADR, 8, NULL, &r));
	assert_true(r & MSK_GITS_CREADR_STALLED);
	/* ... and the next call restarts it (three more failures) and works. */
	map = msk_pci_msix_alloc_irq_at(pdev, 2, NULL);
	if (map.index < 0)
		fail_msg("%s (fired %llu)", msk_last_error(), (unsigned long long)fired(m));
	assert_int_equal(map.index, 2);
	assert_int_equal(fired(m), 20);
	assert_msk_ok(msk_request_irq(m->core, map.virq, am_handler, "q", m));
	uint64_t d = delivered(m);
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 2));
	am_service_all(m);
	assert_int_equal(delivered(m), d + 1);
	assert_msk_ok(msk_free_irq(m->core, map.virq));
	assert_int_equal(am_counter(m, "lpis_quarantined"), 0);
}

/* The probe's MAPC / INVALL failing: probe fails, nothing remains; a SYNC is re-issued. */
static void test_probe_fails_cleanly(void **state)
{
	(void)state;
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_gic *model;
	assert_msk_ok(msk_ledger_create(&ledger));
	assert_msk_ok(msk_bus_create(AM_RAM_BASE, AM_RAM_SIZE, ledger, &bus));
	struct msk_core_config cc = { .nr_cpus = AM_NCPUS, .ledger = ledger };
	assert_msk_ok(msk_core_create(&cc, &core));
	struct msk_gic_config gc = { .nr_cpus = AM_NCPUS,
				     .redist_base = ARM64_REDIST_BASE,
				     .its_base = ARM64_ITS_BASE };
	assert_msk_ok(msk_gic_create(bus, &gc, &model));
	static struct gic_ram ram;
	static struct gic_v3 gic;
	static struct its its;
	assert_msk_ok(gic_ram_init(&ram, bus, AM_TABLES, AM_TABLES_SZ));
	assert_msk_ok(gic_v3_init(&gic, core, bus, model, &ram, ARM64_REDIST_BASE, AM_NCPUS, 16));
	uint64_t in_use = ram.in_use;
	unsigned int failed = 0;
	/* Per CPU: MAPC, SYNC, INVALL. */
	for (uint64_t nth = 1; nth <= 3 * AM_NCPUS; nth++) {
		assert_msk_ok(msk_its_inject_command_error(model, nth, 1));
		int rc = its_probe(&its, &gic, model, ARM64_ITS_BASE);
		if (rc == 0) {
			assert_true(nth % 3 == 2); /* a SYNC: re-issued */
			its_fini(&its);
		} else {
			assert_int_equal(rc, -MSK_EIO);
			assert_true(nth % 3 != 2);
			assert_non_null(strstr(msk_last_error(), "(ITS internal error)"));
			assert_non_null(strstr(msk_last_error(), "collection of CPU"));
			failed++;
		}
		assert_int_equal(ram.in_use, in_use);
		uint64_t ctlr;
		assert_msk_ok(msk_bus_read(bus, ARM64_ITS_BASE + MSK_GITS_CTLR, 4, NULL, &ctlr));
		assert_false(ctlr & MSK_GITS_CTLR_ENABLED);
	}
	assert_int_equal(failed, 2 * AM_NCPUS);
	assert_msk_ok(msk_its_inject_command_error(model, 0, 0));
	assert_msk_ok(its_probe(&its, &gic, model, ARM64_ITS_BASE));
	its_fini(&its);
	msk_domain_remove(gic.domain);
	gic_v3_fini(&gic);
	gic_ram_destroy(&ram);
	msk_gic_destroy(model);
	msk_core_destroy(core);
	msk_bus_destroy(bus);
	msk_ledger_destroy(ledger);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discard_fails_twice_quarantines, setup,
						teardown),
		cmocka_unit_test_setup(test_quarantine_outlives_the_device, setup),
		cmocka_unit_test_setup(test_unmap_device_fails_twice_zombie, setup),
		cmocka_unit_test_setup_teardown(test_sync_fails_twice_or_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_move_unconfirmed_moves_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inv_fails_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stall_restarts_that_fail, setup_stall,
						teardown),
		cmocka_unit_test(test_probe_fails_cleanly),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
