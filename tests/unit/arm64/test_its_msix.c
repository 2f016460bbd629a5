/* SPDX-License-Identifier: MIT */
/* The ITS MSI parent end to end: PCI function models, MSI-X, masking, MOVI, probe. */
#include "arm64_fixture.h"

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

static void test_probe_programs_the_its(void **state)
{
	struct am *m = *state;
	uint64_t v;
	assert_msk_ok(msk_bus_read(m->bus, ARM64_ITS_BASE + MSK_GITS_CTLR, 4, NULL, &v));
	assert_true(v & MSK_GITS_CTLR_ENABLED);
	assert_msk_ok(msk_bus_read(m->bus, ARM64_ITS_BASE + MSK_GITS_BASER(0), 8, NULL, &v));
	assert_true(v & MSK_GITS_BASER_VALID);
	assert_true(v & MSK_GITS_BASER_INDIRECT); /* two-level, as Linux picks */
	for (unsigned int c = 0; c < AM_NCPUS; c++) {
		struct msk_gic_rd_stats st;
		assert_msk_ok(msk_gic_rd_stats(m->gic, c, &st));
		assert_true(st.lpis_enabled);
	}
	struct msk_its_stats st;
	msk_its_stats(m->gic, &st);
	assert_int_equal(st.errors, 0);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_MAPC], AM_NCPUS);
	assert_int_equal(st.by_opcode[MSK_ITS_CMD_INVALL], AM_NCPUS);
	struct msk_irq_domain *its = msk_platform_msi_parent(m->p);
	assert_string_equal(msk_domain_name(its), "ITS@0x8080000");
	assert_string_equal(msk_domain_name(msk_domain_parent(its)), "GICv3");
	const struct msk_msi_parent_ops *pops = msk_msi_parent_ops(its);
	assert_string_equal(pops->prefix, "ITS-");
	assert_int_equal(pops->chip_flags, MSK_MSI_CHIP_FLAG_SET_EOI);
	assert_true(pops->supported_flags & MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN);
	assert_true(pops->supported_flags & MSK_MSI_FLAG_MULTI_PCI_MSI);
	assert_false(pops->supported_flags & MSK_MSI_FLAG_PCI_IMS);
	assert_int_equal(pops->required_flags, MSK_MSI_FLAG_USE_DEF_DOM_OPS |
						       MSK_MSI_FLAG_USE_DEF_CHIP_OPS |
						       MSK_MSI_FLAG_PCI_MSI_MASK_PARENT);
	struct msk_platform_layout l;
	msk_platform_layout(m->p, &l);
	assert_int_equal(l.its, ARM64_ITS_BASE);
	assert_int_equal(l.redist, ARM64_REDIST_BASE);
	assert_int_equal(l.redist_stride, 0x20000);
	/* Hotplug is wired (test_its_hotplug.c); bad CPUs are refused. */
	assert_msk_error(msk_platform_cpu_offline(m->p, AM_NCPUS), MSK_EINVAL);
}

static void test_msix_delivered_once_on_the_mapped_cpu(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 1, 0, 0, 8);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	struct msk_irq_domain *d = am_domain(pdev);
	assert_string_equal(msk_domain_name(d), "ITS-PCI-MSIX-0000:01:00.0");
	struct its_device *dev = its_find_device(m->its, 0x100);
	assert_non_null(dev);
	assert_int_equal(msk_msi_monitor_resources(d, "lpi"), dev->nr_lpis);
	assert_int_equal(msk_msi_monitor_resources(d, "itt"), dev->itt_bytes);
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, i);
		assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "q", m));
		/* The message: GITS_TRANSLATER and the EventID. */
		struct msk_pcifn_vector v;
		assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], i, &v));
		assert_int_equal(v.addr, ARM64_ITS_BASE + MSK_GITS_TRANSLATER);
		uint32_t lpi = am_lpi(m, virq);
		assert_int_equal(v.data, lpi - dev->lpi_base);
		/* The ITS routes (DeviceID = RID, EventID) to that LPI on the effective CPU. */
		uint32_t intid;
		unsigned int cpu;
		enum msk_loss why;
		assert_int_equal(msk_its_lookup(m->gic, 0x100, v.data, &intid, &cpu, &why), 1);
		assert_int_equal(intid, lpi);
		struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, virq);
		assert_int_equal(msk_cpumask_weight(&eff), 1);
		assert_true(msk_cpumask_test(&eff, cpu));
		/* Raise: nothing on the other CPUs, once on that one. */
		assert_msk_ok(msk_pcifn_raise(m->fn[0], i));
		for (unsigned int c = 0; c < AM_NCPUS; c++)
			if (c != cpu)
				assert_int_equal(msk_platform_cpu_service(m->p, c, 100), 0);
		assert_int_equal(msk_platform_cpu_service(m->p, cpu, 100), 1);
		assert_int_equal(atomic_load(&m->calls[virq]), 1);
		assert_int_equal(atomic_load(&m->on_cpu[virq]), cpu + 1);
		assert_int_equal(am_service_all(m), 0);
		struct msk_gic_rd_stats st;
		msk_gic_rd_stats(m->gic, cpu, &st);
		assert_int_equal(st.acks, st.eois); /* every ack ended */
	}
	assert_int_equal(am_lost(m), 0);
	assert_int_equal(am_counter(m, "lpis"), 4);
	assert_int_equal(am_counter(m, "its_devices"), 1);
	assert_int_equal(am_counter(m, "its_cmd_errors"), 0);
	am_balanced(m);
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_free_irq(m->core, (unsigned)msk_pci_irq_vector(pdev, i)));
}

/* The LPI itself is disabled: a message that reaches the ITS stays pending in the RD. */
static void test_disabled_lpi_waits_for_unmask(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 2, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "q", m));
	uint32_t lpi = am_lpi(m, virq);
	assert_true(msk_gic_lpi_config(m->gic, lpi) & MSK_GIC_LPI_PROP_ENABLE);
	assert_msk_ok(msk_irq_mask(m->core, virq));
	/* Config byte cleared and invalidated through the ITS (INV), as Linux does. */
	assert_false(msk_gic_lpi_config(m->gic, lpi) & MSK_GIC_LPI_PROP_ENABLE);
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], 0, &v));
	assert_true(v.masked); /* PCI_MSI_MASK_PARENT: the entry too */
	/* A message that still reaches the ITS (as from a device ignoring its mask). */
	msk_ledger_raise(m->ledger, 1);
	assert_msk_ok(msk_bus_msi(m->bus, v.addr, v.data, 0x200, 1));
	struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, virq);
	unsigned int cpu = msk_cpumask_first(&eff);
	assert_int_equal(msk_gic_lpi_pending(m->gic, cpu, lpi, NULL), 1);
	assert_int_equal(am_service_all(m), 0);
	assert_int_equal(atomic_load(&m->calls[virq]), 0);
	/* And one through the device: held in the PBA. */
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 0));
	assert_int_equal(msk_pcifn_held(m->fn[0]), 1);
	am_balanced(m);
	assert_msk_ok(msk_irq_unmask(m->core, virq));
	assert_int_equal(am_service_all(m), 1); /* both events coalesce into one LPI */
	assert_int_equal(atomic_load(&m->calls[virq]), 1);
	assert_int_equal(am_service_all(m), 0);
	struct msk_ledger_counts c;
	msk_ledger_read(m->ledger, &c);
	assert_int_equal(c.delivered, 2);
	assert_int_equal(c.lost, 0);
	am_balanced(m);
	assert_msk_ok(msk_free_irq(m->core, virq));
}

static void test_affinity_moves_a_pending_lpi(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 3, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, 1);
	assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "q", m));
	struct msk_cpumask one = msk_cpumask_of(0);
	assert_msk_ok(msk_irq_set_affinity(m->core, virq, &one));
	uint32_t lpi = am_lpi(m, virq);
	struct msk_pcifn_vector before, after;
	assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], 1, &before));
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 1));
	assert_int_equal(msk_gic_lpi_pending(m->gic, 0, lpi, NULL), 1);
	struct msk_its_stats s0, s1;
	msk_its_stats(m->gic, &s0);
	struct msk_cpumask three = msk_cpumask_of(3);
	assert_msk_ok(msk_irq_set_affinity(m->core, virq, &three));
	msk_its_stats(m->gic, &s1);
	assert_int_equal(s1.by_opcode[MSK_ITS_CMD_MOVI] - s0.by_opcode[MSK_ITS_CMD_MOVI], 1);
	assert_int_equal(s1.by_opcode[MSK_ITS_CMD_SYNC] - s0.by_opcode[MSK_ITS_CMD_SYNC], 1);
	/* The pending state moved with it. */
	assert_int_equal(msk_gic_lpi_pending(m->gic, 0, lpi, NULL), 0);
	assert_int_equal(msk_gic_lpi_pending(m->gic, 3, lpi, NULL), 1);
	assert_int_equal(msk_platform_cpu_service(m->p, 0, 100), 0);
	assert_int_equal(msk_platform_cpu_service(m->p, 3, 100), 1);
	assert_int_equal(atomic_load(&m->calls[virq]), 1);
	assert_int_equal(atomic_load(&m->on_cpu[virq]), 4);
	assert_int_equal(am_service_all(m), 0);
	/* The device's message never changed (OK_DONE: no rewrite). */
	assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], 1, &after));
	assert_int_equal(after.addr, before.addr);
	assert_int_equal(after.data, before.data);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, virq);
	assert_true(msk_cpumask_equal(&eff, &three));
	/* Later events go to CPU 3 directly. */
	assert_msk_ok(msk_pcifn_raise(m->fn[0], 1));
	assert_int_equal(msk_platform_cpu_service(m->p, 3, 100), 1);
	assert_int_equal(atomic_load(&m->calls[virq]), 2);
	assert_int_equal(am_lost(m), 0);
	am_balanced(m);
	assert_msk_ok(msk_free_irq(m->core, virq));
}

/* Freeing a vector: shutdown masks, deactivation DISCARDs the ITE. */
static void test_free_discards_and_unmaps(void **state)
{
	struct am *m = *state;
	struct msk_pci_dev *pdev = am_add(m, 4, 0, 0, 16);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	unsigned int virq = (unsigned)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(m->core, virq, am_handler, "q", m));
	struct msk_pcifn_vector v;
	assert_msk_ok(msk_pcifn_msix_entry(m->fn[0], 0, &v));
	assert_msk_ok(msk_free_irq(m->core, virq));
	assert_msk_ok(msk_pci_free_irq_vectors(pdev));
	enum msk_loss why;
	assert_int_equal(msk_its_lookup(m->gic, 0x400, v.data, NULL, NULL, &why), 0);
	assert_int_equal(why, MSK_LOSS_NO_MAPPING); /* ITE discarded, device still mapped */
	struct msk_its_device_info info;
	assert_int_equal(msk_its_device(m->gic, 0x400, &info), 1); /* the domain lives */
	assert_int_equal(am_counter(m, "lpis"), 0);
	assert_msk_ok(msk_platform_pci_remove(m->p, pdev));
	m->pdev[0] = NULL;
	assert_int_equal(msk_its_device(m->gic, 0x400, &info), 0); /* MAPD valid = 0 */
	assert_int_equal(am_counter(m, "its_devices"), 0);
	assert_int_equal(msk_msi_violation_count(m->core), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_probe_programs_the_its, setup, teardown),
		cmocka_unit_test_setup_teardown(test_msix_delivered_once_on_the_mapped_cpu, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_disabled_lpi_waits_for_unmask, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_affinity_moves_a_pending_lpi, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_discards_and_unmaps, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
