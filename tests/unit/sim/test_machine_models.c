/* SPDX-License-Identifier: MIT */
/*
 * The real platforms under the machine's model switches (msi = global,
 * prepare = per-alloc, pseries.post_free) and fault injection meeting a
 * scenario's own hotplug, and what a handler may do. Each test is a
 * regression found by tests/fuzz/fuzz_machine.c or fuzz_lua.c (their
 * reproducers are in the corpora as bug-*).
 */
#include "msk_test.h"

static unsigned int calls;

static enum msk_irqreturn count_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	calls++;
	return MSK_IRQ_HANDLED;
}

static struct msk_machine *make(const char *arch, enum msk_machine_msi_model msi,
				enum msk_msi_prepare_mode prepare)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = arch;
	cfg.msi = msi;
	cfg.prepare = prepare;
	struct msk_machine *m = NULL;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	return m;
}

static struct msk_machine_dev *add(struct msk_machine *m, unsigned int msix)
{
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = msix;
	struct msk_machine_dev *d = NULL;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &d));
	return d;
}

/* Every violation of a rule no model breaks on purpose. */
static unsigned int violations_of(struct msk_machine *m, enum msk_msi_rule rule)
{
	struct msk_core *core = msk_machine_core(m);
	unsigned int n = 0;
	for (unsigned int i = 0; i < msk_msi_violation_count(core); i++) {
		struct msk_msi_violation v;
		assert_msk_ok(msk_msi_get_violation(core, i, &v));
		n += v.rule == rule;
	}
	return n;
}

/*
 * msi = global on arm64: the device domains sit on the global PCI/MSI
 * domain, not on the ITS. The ITS's msi_prepare took the device domain's
 * parent for the ITS (a heap overflow, then a deadlock on a "mutex" that
 * was not one); it now finds the ITS below it.
 */
static void test_its_global_model(void **state)
{
	struct msk_machine *m = make("arm64", MSK_MACHINE_MSI_GLOBAL, MSK_MSI_PREPARE_PER_DEVICE);
	struct msk_machine_dev *d = add(m, 8);
	struct msk_pci_dev *p = msk_machine_dev_pci(d);
	struct msk_core *core = msk_machine_core(m);
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	calls = 0;
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int virq = (unsigned int)msk_pci_irq_vector(p, i);
		assert_msk_ok(msk_request_irq(core, virq, count_handler, "q", NULL));
		assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), i));
	}
	assert_msk_ok(msk_machine_run(m));
	assert_int_equal(calls, 4);
	assert_msk_ok(msk_machine_check(m));
	/* Growing the old way: free all, allocate more (prepare again, same DeviceID). */
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_free_irq(core, (unsigned int)msk_pci_irq_vector(p, i)));
	assert_msk_ok(msk_pci_free_irq_vectors(p));
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 8, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	assert_msk_ok(msk_machine_pci_remove(m, d));
	assert_int_equal(msk_msi_violation_count(core), 0);
	msk_machine_destroy(m);
}

/*
 * pSeries with prepare = per-alloc: every allocation prepares a new
 * firmware grant. The grant of the previous one was never given back
 * (nor its memory freed): "lisn still held after msi_teardown" and a leak.
 */
static void test_pseries_per_alloc_gives_grants_back(void **state)
{
	struct msk_machine *m =
		make("ppc64", MSK_MACHINE_MSI_PER_DEVICE, MSK_MSI_PREPARE_PER_ALLOC);
	struct msk_machine_dev *d = add(m, 16);
	struct msk_pci_dev *p = msk_machine_dev_pci(d);
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_msk_ok(msk_pci_free_irq_vectors(p));
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 2, 8, MSK_PCI_IRQ_MSIX, NULL), 8);
	struct msk_irq_domain *dom =
		msk_msi_get_device_domain(msk_pci_msi_device(p), MSK_MSI_DEFAULT_DOMAIN);
	assert_int_equal(msk_msi_monitor_resources(dom, "lisn"), 8); /* the latest grant only */
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), 7));
	assert_msk_ok(msk_machine_run(m));
	assert_msk_ok(msk_machine_check(m));
	assert_msk_ok(msk_pci_free_irq_vectors(p));
	assert_msk_ok(msk_machine_pci_remove(m, d));
	assert_int_equal(violations_of(m, MSK_MSI_RULE_RESOURCES_RETURNED), 0);
	msk_machine_destroy(m);
}

static enum msk_sim_req spin(void *ctx, unsigned int id, uint64_t *ticks)
{
	int *left = ctx;
	*ticks = 1;
	return --*left > 0 ? MSK_SIM_SLEEP : MSK_SIM_DONE;
}

static const struct msk_sim_actor_ops spin_ops = { spin, NULL };

/*
 * faults.cpu_offline when the scenario took that CPU offline itself: the
 * fault has nothing to do. It used to record a CPU service error ("CPU 1
 * is offline already"), failing a scenario that did nothing wrong.
 */
static void test_cpu_offline_fault_after_the_scenarios_own_hotplug(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "arm64";
	cfg.ncpus = 2; /* the fault's CPU is 1 */
	cfg.faults.cpu_offline = true;
	cfg.faults.cpu_offline_step = 3;
	struct msk_machine *m = NULL;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	assert_msk_ok(msk_machine_cpu_offline(m, 1));
	int left = 10;
	assert_msk_ok(msk_sim_spawn(msk_machine_sim(m), &spin_ops, &left, NULL));
	assert_msk_ok(msk_machine_run(m));
	struct msk_machine_faults f;
	msk_machine_faults(m, &f);
	assert_int_equal(f.cpu_offlined, 1);
	assert_int_equal(f.cpu_offline_rc, -MSK_EALREADY);
	assert_int_equal(msk_machine_service_error_count(m), 0);
	/* Online again, it is still the scenario's: the fault fired once. */
	assert_msk_ok(msk_machine_cpu_online(m, 1));
	struct msk_cpumask online = msk_core_online_cpus(msk_machine_core(m));
	assert_true(msk_cpumask_test(&online, 1));
	msk_machine_destroy(m);
}

static struct msk_machine *checking; /* the machine the handler below checks */
static int check_rc;

static enum msk_irqreturn checking_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	check_rc = msk_machine_check(checking);
	return MSK_IRQ_HANDLED;
}

/*
 * msk_machine_check() from a handler (found by fuzz_lua: m:check() in a Lua
 * handler): the handler's event is in flight, neither held nor delivered,
 * so the ledger "did not balance" and the machine was marked broken (the
 * command's exit 3). It is refused there now.
 */
static void test_no_check_from_a_handler(void **state)
{
	struct msk_machine *m = make("x86", MSK_MACHINE_MSI_PER_DEVICE, MSK_MSI_PREPARE_PER_DEVICE);
	struct msk_machine_dev *d = add(m, 4);
	struct msk_pci_dev *p = msk_machine_dev_pci(d);
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(p, 0);
	checking = m;
	check_rc = 0;
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, checking_handler, "q", NULL));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), 0));
	assert_msk_ok(msk_machine_run(m));
	assert_int_equal(check_rc, -MSK_EPERM);
	assert_false(msk_machine_ledger_broken(m));
	assert_int_equal(msk_machine_invariant_count(m), 0);
	assert_msk_ok(msk_machine_check(m));
	msk_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_its_global_model),
		cmocka_unit_test(test_pseries_per_alloc_gives_grants_back),
		cmocka_unit_test(test_cpu_offline_fault_after_the_scenarios_own_hotplug),
		cmocka_unit_test(test_no_check_from_a_handler),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
