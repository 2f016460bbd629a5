/* SPDX-License-Identifier: MIT */
/*
 * Machines on the test platform: building and taking apart, devices, the
 * path of an event through the runtime, the compat models, invariants,
 * fault injection, determinism of a whole machine.
 */
#include "msk_test.h"
#include "test_msi_parent.h"
#include "test_platform.h"

#include <stdlib.h>

static int calls[4096];

static enum msk_irqreturn count_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	calls[virq % 4096]++;
	return MSK_IRQ_HANDLED;
}

static struct msk_machine *make(struct msk_machine_config *cfg)
{
	struct msk_machine *m = NULL;
	assert_msk_ok(msk_machine_create(cfg, &m));
	return m;
}

static struct msk_machine *make_test(uint64_t seed)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "test";
	cfg.seed = seed;
	return make(&cfg);
}

static struct msk_machine_dev *add(struct msk_machine *m, unsigned int bus, unsigned int msix,
				   unsigned int ims)
{
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = bus;
	pc.msix = msix;
	pc.msi = 4;
	pc.ims = ims;
	struct msk_machine_dev *d = NULL;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &d));
	return d;
}

static void balanced(struct msk_machine *m)
{
	assert_msk_ok(msk_machine_check(m));
	assert_int_equal(msk_machine_invariant_count(m), 0);
}

static int setup(void **state)
{
	memset(calls, 0, sizeof(calls));
	return test_platform_register();
}

/* --- building ----------------------------------------------------------------------------- */

static void test_unbuilt_platform_says_so(void **state)
{
	const char *arches[] = { "x86", "arm64", "ppc64" };
	for (int i = 0; i < 3; i++) {
		struct msk_machine_config cfg;
		msk_machine_config_init(&cfg);
		cfg.arch = arches[i];
		struct msk_machine *m = NULL;
		int rc = msk_machine_create(&cfg, &m);
		if (rc == 0) { /* that platform has landed */
			msk_machine_destroy(m);
			continue;
		}
		assert_int_equal(rc, -MSK_ENOTSUP);
		assert_non_null(strstr(msk_last_error(), "platform drivers are not built yet"));
		assert_non_null(strstr(msk_last_error(), arches[i]));
		assert_null(m);
	}
}

static void test_bad_configs(void **state)
{
	struct msk_machine_config cfg;
	struct msk_machine *m = NULL;
	msk_machine_config_init(&cfg);
	assert_msk_error(msk_machine_create(&cfg, &m), MSK_EINVAL); /* no arch */
	cfg.arch = "vax";
	assert_msk_error(msk_machine_create(&cfg, &m), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "vax"));
	cfg.arch = "test";
	cfg.ncpus = 0;
	assert_msk_error(msk_machine_create(&cfg, &m), MSK_EINVAL);
	cfg.ncpus = 2;
	cfg.ram_size = 4096;
	assert_msk_error(msk_machine_create(&cfg, &m), MSK_EINVAL);
	cfg.ram_size = MSK_MACHINE_RAM_DEFAULT;
	cfg.bare = true;
	cfg.msi = MSK_MACHINE_MSI_GLOBAL;
	assert_msk_error(msk_machine_create(&cfg, &m), MSK_EINVAL);
	assert_null(m);
	assert_msk_error(msk_machine_register_arch("", test_platform_create), MSK_EINVAL);
	assert_msk_error(msk_machine_register_arch("x", NULL), MSK_EINVAL);
}

static void test_layout_and_devices(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_layout lay;
	msk_machine_layout(m, &lay);
	assert_int_equal(lay.ram, MSK_MACHINE_RAM_BASE + MSK_MACHINE_TABLE_SIZE);
	assert_int_equal(lay.ram_size, MSK_MACHINE_RAM_DEFAULT - MSK_MACHINE_TABLE_SIZE);
	assert_int_equal(lay.platform.msi, TP_DOORBELL);
	struct msk_machine_dev *d = add(m, 1, 64, 0);
	assert_string_equal(msk_machine_dev_name(d), "0000:01:00.0");
	assert_non_null(msk_machine_dev_pci(d));
	/* The firmware placed the MSI-X BAR in the window and the function decodes it. */
	struct msk_pcifn_msix_state st;
	msk_pcifn_msix_state(msk_machine_dev_fn(d), &st);
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(msk_machine_dev_fn(d), st.table_bar, &bi));
	assert_true(bi.decoded);
	assert_true(bi.address >= MSK_MACHINE_PCI_MMIO);
	uint64_t v = 0;
	assert_msk_ok(
		msk_bus_read(msk_machine_bus(m), bi.address + st.table_offset + 12, 4, NULL, &v));
	assert_int_equal(v, 1); /* an entry's vector control: masked at reset */
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	struct msk_machine_dev *dup = NULL;
	assert_msk_error(msk_machine_pci_add(m, &pc, &dup), MSK_EEXIST);
	pc.dev = 32;
	assert_msk_error(msk_machine_pci_add(m, &pc, &dup), MSK_EINVAL);
	assert_int_equal(msk_machine_dev_count(m), 1);
	assert_ptr_equal(msk_machine_dev_at(m, 0), d);
	assert_null(msk_machine_dev_at(m, 1));
	balanced(m);
	msk_machine_destroy(m);
}

/* --- an event's path ------------------------------------------------------------------------ */

static void test_raise_is_taken_by_the_cpu_when_the_machine_runs(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_dev *d = add(m, 1, 16, 0);
	struct msk_pci_dev *pdev = msk_machine_dev_pci(d);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	struct msk_irq_domain *dom =
		msk_msi_get_device_domain(msk_pci_msi_device(pdev), MSK_MSI_DEFAULT_DOMAIN);
	assert_string_equal(msk_domain_name(dom), "TEST-PCI-MSIX-0000:01:00.0");
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 2);
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, count_handler, "q2", NULL));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), 2));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), 2));
	/* Pending at the CPU, not handled yet: time has not run. */
	assert_int_equal(calls[virq], 0);
	assert_int_equal(msk_platform_held(msk_machine_platform(m)), 2);
	balanced(m);
	assert_msk_ok(msk_machine_run(m));
	assert_int_equal(calls[virq], 1); /* coalesced: one interrupt for both */
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(m), &c);
	assert_int_equal(c.raised, 2);
	assert_int_equal(c.delivered, 2);
	balanced(m);
	/* A machine may be destroyed with handlers installed. */
	msk_machine_destroy(m);
}

struct rec {
	char buf[8192];
	size_t len;
};

static void record(void *ctx, const struct msk_machine_event *ev)
{
	struct rec *r = ctx;
	int n = snprintf(r->buf + r->len, sizeof(r->buf) - r->len, "%llu/%llu %c %s %u cpu%d %s;",
			 (unsigned long long)ev->time, (unsigned long long)ev->step, ev->kind,
			 ev->kind == 'l' ? msk_loss_name(ev->reason) : "-", ev->weight, ev->cpu,
			 ev->device ? ev->device : "-");
	if (n > 0 && r->len + (size_t)n < sizeof(r->buf))
		r->len += (size_t)n;
}

/* Several CPUs with work: the order they take it in follows the seed. */
static void traced_run(uint64_t seed, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	struct msk_machine *m = make_test(seed);
	msk_machine_set_trace(m, record, r);
	struct msk_machine_dev *d = add(m, 1, 16, 0);
	struct msk_pci_dev *pdev = msk_machine_dev_pci(d);
	struct msk_irq_affinity affd = { 0 };
	/* Managed spreading: one vector per CPU. */
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 8,
						   MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, &affd),
			 4);
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_request_irq(msk_machine_core(m),
					      (unsigned)msk_pci_irq_vector(pdev, i), count_handler,
					      "q", NULL));
	for (unsigned int k = 0; k < 12; k++) {
		msk_machine_trace_context(m, msk_machine_dev_name(d), (int)(k % 4));
		assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), k % 4));
		if (k % 4 == 3)
			assert_msk_ok(msk_machine_run(m));
	}
	msk_machine_trace_context(m, NULL, -1);
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), 15)); /* not allocated: masked, held */
	assert_msk_ok(msk_machine_run(m));
	balanced(m);
	msk_machine_destroy(m);
}

static void test_same_seed_same_trace(void **state)
{
	struct rec *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	traced_run(5, a);
	traced_run(5, b);
	assert_string_equal(a->buf, b->buf);
	assert_non_null(strstr(a->buf, "0/0 r - 1 cpu-1 0000:01:00.0;"));
	assert_non_null(strstr(a->buf, " d - 1 cpu"));
	int differ = 0;
	for (uint64_t s = 6; s < 30 && !differ; s++) {
		traced_run(s, b);
		differ = strcmp(a->buf, b->buf) != 0;
	}
	assert_true(differ);
	free(a);
	free(b);
}

static void test_remove_needs_handlers_freed_and_loses_what_is_held(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_dev *d = add(m, 2, 8, 0);
	struct msk_pci_dev *pdev = msk_machine_dev_pci(d);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, count_handler, "q0", NULL));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), 1)); /* entry 1 masked: held */
	assert_msk_error(msk_machine_pci_remove(m, d), MSK_EBUSY);
	assert_int_equal(msk_machine_dev_count(m), 1);
	assert_msk_ok(msk_free_irq(msk_machine_core(m), virq));
	assert_msk_ok(msk_machine_pci_remove(m, d));
	assert_int_equal(msk_machine_dev_count(m), 0);
	struct msk_ledger_counts c;
	msk_ledger_read(msk_machine_ledger(m), &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_DEVICE_REMOVED], 1);
	assert_int_equal(msk_msi_violation_count(msk_machine_core(m)), 0);
	struct msk_core_stats cs;
	msk_core_get_stats(msk_machine_core(m), &cs);
	assert_int_equal(cs.virqs, 0);
	balanced(m);
	msk_machine_destroy(m);
}

/* --- the compat models ----------------------------------------------------------------------- */

static void test_global_model(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "test";
	cfg.msi = MSK_MACHINE_MSI_GLOBAL;
	struct msk_machine *m = make(&cfg);
	struct msk_irq_domain *g = msk_domain_find(msk_machine_core(m), "TEST-PCI-MSI");
	assert_non_null(g);
	assert_int_equal(msk_domain_bus_token(g), MSK_DOMAIN_BUS_PCI_MSI);
	struct msk_machine_dev *a = add(m, 1, 16, 64), *b = add(m, 2, 16, 0);
	struct msk_pci_dev *pa = msk_machine_dev_pci(a), *pb = msk_machine_dev_pci(b);
	assert_ptr_equal(msk_device_msi_parent(msk_pci_msi_device(pa)), g);
	assert_false(msk_pci_msix_can_alloc_dyn(pa));
	assert_int_equal(msk_pci_alloc_irq_vectors(pa, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	assert_int_equal(msk_pci_alloc_irq_vectors(pb, 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
	assert_int_equal(msk_domain_mapcount(g), 5); /* both devices' vectors in one domain */
	/* No vector after enable, no IMS: clear errors. */
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(a), 5, NULL);
	assert_int_equal(map.index, -MSK_ENOTSUP);
	assert_non_null(strstr(msk_last_error(), "msi=global"));
	assert_msk_error(msk_machine_ims_domain(m, a, 16), MSK_ENOTSUP);
	assert_non_null(strstr(msk_last_error(), "IMS"));
	/* Growing: disable, free, enable again with more. */
	assert_msk_ok(msk_pci_free_irq_vectors(pa));
	assert_int_equal(msk_pci_alloc_irq_vectors(pa, 6, 6, MSK_PCI_IRQ_MSIX, NULL), 6);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pa, 5);
	struct msk_irq_data *top = msk_irq_get_irq_data(msk_machine_core(m), virq);
	assert_ptr_equal(top->parent_data->domain, g);
	assert_int_equal(top->parent_data->hwirq, (1u << 8) << 11 | 5); /* rid 01:00.0, index 5 */
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, count_handler, "q5", NULL));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(a), 5));
	assert_msk_ok(msk_machine_run(m));
	assert_int_equal(calls[virq], 1);
	balanced(m);
	msk_machine_destroy(m);
}

/*
 * The global model over the real platforms: the device level's prepare must
 * find the controller below the global domain (the ITS once took the global
 * domain for itself and crashed); ppc64 refuses the model cleanly.
 */
static void test_global_model_on_real_platforms(void **state)
{
	static const char *const archs[] = { "x86", "arm64" };
	for (size_t i = 0; i < sizeof(archs) / sizeof(archs[0]); i++) {
		struct msk_machine_config cfg;
		msk_machine_config_init(&cfg);
		cfg.arch = archs[i];
		cfg.ncpus = 2;
		cfg.msi = MSK_MACHINE_MSI_GLOBAL;
		struct msk_machine *m = make(&cfg);
		struct msk_machine_dev *a = add(m, 1, 8, 0);
		struct msk_pci_dev *pa = msk_machine_dev_pci(a);
		assert_int_equal(msk_pci_alloc_irq_vectors(pa, 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
		unsigned int virq = (unsigned int)msk_pci_irq_vector(pa, 2);
		assert_msk_ok(
			msk_request_irq(msk_machine_core(m), virq, count_handler, "q2", NULL));
		assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(a), 2));
		assert_msk_ok(msk_machine_run(m));
		assert_int_equal(calls[virq], 1);
		calls[virq] = 0;
		assert_msk_ok(msk_free_irq(msk_machine_core(m), virq));
		assert_msk_ok(msk_pci_free_irq_vectors(pa));
		balanced(m);
		msk_machine_destroy(m);
	}
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "ppc64";
	cfg.msi = MSK_MACHINE_MSI_GLOBAL;
	struct msk_machine *m = make(&cfg);
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = 8;
	struct msk_machine_dev *d = NULL;
	assert_msk_error(msk_machine_pci_add(m, &pc, &d), MSK_ENOTSUP);
	msk_machine_destroy(m);
}

static void test_per_device_model_allows_dynamic_and_ims(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_dev *a = add(m, 1, 16, 64);
	struct msk_pci_dev *pa = msk_machine_dev_pci(a);
	assert_true(msk_pci_msix_can_alloc_dyn(pa));
	assert_int_equal(msk_pci_alloc_irq_vectors(pa, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(a), 9, NULL);
	assert_int_equal(map.index, 9);
	assert_msk_ok(msk_machine_ims_domain(m, a, 32));
	assert_msk_error(msk_machine_ims_domain(m, a, 32), MSK_EEXIST);
	struct msk_msi_map ims = msk_pci_ims_alloc_irq(pa, 0, NULL);
	assert_int_equal(ims.index, 0);
	assert_non_null(msk_domain_find(msk_machine_core(m), "TEST-IMS-0000:01:00.0"));
	struct msk_machine_dev *b = add(m, 2, 16, 0);
	assert_msk_error(msk_machine_ims_domain(m, b, 4), MSK_ENODEV);
	assert_msk_error(msk_machine_ims_domain(m, a, 65), MSK_EINVAL);
	balanced(m);
	msk_machine_destroy(m);
}

static void test_prepare_per_alloc_sizes_for_the_first_count(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "test";
	cfg.prepare = MSK_MSI_PREPARE_PER_ALLOC;
	struct msk_machine *m = make(&cfg);
	struct msk_machine_dev *a = add(m, 1, 16, 0);
	struct msk_pci_dev *pa = msk_machine_dev_pci(a);
	assert_int_equal(msk_pci_alloc_irq_vectors(pa, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	/* The table was prepared for 2: a vector at index 8 does not fit. */
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(a), 8, NULL);
	assert_true(map.index < 0);
	balanced(m);
	msk_machine_destroy(m);
}

/* --- hotplug, invariants, faults ----------------------------------------------------------------- */

static void test_cpu_offline_moves_work(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_dev *a = add(m, 1, 16, 0);
	struct msk_pci_dev *pa = msk_machine_dev_pci(a);
	assert_int_equal(msk_pci_alloc_irq_vectors(pa, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pa, 0);
	struct msk_cpumask two = msk_cpumask_of(2);
	assert_msk_ok(msk_irq_set_affinity(msk_machine_core(m), virq, &two));
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, count_handler, "q0", NULL));
	assert_msk_ok(msk_machine_cpu_offline(m, 2));
	assert_false(msk_sim_cpu_online(msk_machine_sim(m), 2));
	struct msk_cpumask eff = msk_irq_get_effective_affinity(msk_machine_core(m), virq);
	assert_false(msk_cpumask_test(&eff, 2));
	assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(a), 0));
	assert_msk_ok(msk_machine_run(m));
	assert_int_equal(calls[virq], 1);
	assert_int_equal(msk_irq_count(msk_machine_core(m), virq, 2), 0);
	assert_msk_error(msk_machine_cpu_offline(m, 2), MSK_EINVAL);
	assert_msk_error(msk_machine_cpu_offline(m, 9), MSK_EINVAL);
	assert_msk_ok(msk_machine_cpu_online(m, 2));
	assert_msk_error(msk_machine_cpu_online(m, 2), MSK_EINVAL);
	balanced(m);
	msk_machine_destroy(m);
}

static void test_message_invariant_catches_a_corrupted_entry(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_dev *a = add(m, 1, 16, 0);
	struct msk_pci_dev *pa = msk_machine_dev_pci(a);
	assert_int_equal(msk_pci_alloc_irq_vectors(pa, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pa, 0);
	assert_msk_ok(msk_request_irq(msk_machine_core(m), virq, count_handler, "q0", NULL));
	balanced(m);
	struct msk_pcifn_msix_state st;
	msk_pcifn_msix_state(msk_machine_dev_fn(a), &st);
	/* A rogue write changes the data of the live, unmasked entry 0. */
	assert_msk_ok(msk_pcifn_bar_write(msk_machine_dev_fn(a), st.table_bar, st.table_offset + 8,
					  0x777, 4));
	assert_msk_error(msk_machine_check(m), MSK_EIO);
	assert_int_equal(msk_machine_invariant_count(m), 1);
	assert_non_null(strstr(msk_machine_invariant(m, 0), "msix-message"));
	assert_false(msk_machine_ledger_broken(m));
	msk_machine_check(m); /* recorded once */
	assert_int_equal(msk_machine_invariant_count(m), 1);
	msk_machine_destroy(m);
}

static void test_ledger_invariant_catches_an_imbalance(void **state)
{
	struct msk_machine *m = make_test(1);
	msk_ledger_raise(msk_machine_ledger(m), 1); /* an event nobody accounts for */
	assert_msk_error(msk_machine_check(m), MSK_EIO);
	assert_true(msk_machine_ledger_broken(m));
	assert_non_null(strstr(msk_machine_invariant(m, 0), "ledger-balance"));
	msk_machine_destroy(m);
}

/* Every allocation of building a device and its vectors fails in turn: nothing breaks. */
static void test_alloc_faults_leave_a_consistent_machine(void **state)
{
	for (unsigned long n = 1; n <= 120; n++) {
		struct msk_machine_config cfg;
		msk_machine_config_init(&cfg);
		cfg.arch = "test";
		cfg.faults.alloc_fail = n;
		struct msk_machine *m = make(&cfg);
		struct msk_machine_pci_config pc;
		msk_machine_pci_config_init(&pc);
		pc.bus = 1;
		pc.msix = 8;
		struct msk_machine_dev *d = NULL;
		if (msk_machine_pci_add(m, &pc, &d) == 0) {
			struct msk_pci_dev *p = msk_machine_dev_pci(d);
			int r = msk_pci_alloc_irq_vectors(p, 1, 4, MSK_PCI_IRQ_MSIX, NULL);
			if (r > 0) {
				unsigned int virq = (unsigned int)msk_pci_irq_vector(p, 0);
				if (msk_request_irq(msk_machine_core(m), virq, count_handler, "q",
						    NULL) == 0)
					msk_pcifn_raise(msk_machine_dev_fn(d), 0);
			}
			msk_machine_run(m);
		}
		struct msk_machine_faults f;
		msk_machine_faults(m, &f);
		assert_int_equal(f.alloc_fail_at, n);
		assert_msk_ok(msk_machine_check(m));
		msk_machine_destroy(m);
	}
	msk_fault_reset();
}

static void test_random_faults_follow_the_seed(void **state)
{
	struct msk_machine_faults f1, f2;
	for (int k = 0; k < 2; k++) {
		struct msk_machine_config cfg;
		msk_machine_config_init(&cfg);
		cfg.arch = "test";
		cfg.seed = 77;
		cfg.faults.alloc_fail_random = true;
		cfg.faults.cpu_offline = true;
		struct msk_machine *m = make(&cfg);
		msk_machine_faults(m, k ? &f2 : &f1);
		msk_machine_destroy(m);
	}
	assert_int_equal(f1.alloc_fail_at, f2.alloc_fail_at);
	assert_int_equal(f1.cpu_offlined, f2.cpu_offlined);
	assert_int_equal(f1.cpu_offline_step, f2.cpu_offline_step);
	assert_true(f1.alloc_fail_at >= 1 && f1.alloc_fail_at <= 256);
	assert_true(f1.cpu_offlined >= 1 && f1.cpu_offlined < 4);
	msk_fault_reset();
}

static enum msk_sim_req spin(void *ctx, unsigned int id, uint64_t *ticks)
{
	int *left = ctx;
	*ticks = 1;
	return --*left > 0 ? MSK_SIM_SLEEP : MSK_SIM_DONE;
}

static const struct msk_sim_actor_ops spin_ops = { spin, NULL };

static void test_cpu_offline_fault_happens_at_its_step(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "test";
	cfg.faults.cpu_offline = true;
	cfg.faults.cpu_offline_step = 5;
	struct msk_machine *m = make(&cfg);
	int left = 10;
	assert_msk_ok(msk_sim_spawn(msk_machine_sim(m), &spin_ops, &left, NULL));
	assert_msk_ok(msk_machine_run(m));
	struct msk_machine_faults f;
	msk_machine_faults(m, &f);
	assert_int_equal(f.cpu_offline_rc, 0);
	struct msk_cpumask online = msk_core_online_cpus(msk_machine_core(m));
	assert_false(msk_cpumask_test(&online, (unsigned)f.cpu_offlined));
	msk_machine_destroy(m);
}

/* --- bare ------------------------------------------------------------------------------------ */

static void test_bare_machine_guest_takes_raw_interrupts(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "test";
	cfg.bare = true;
	struct msk_machine *m = make(&cfg);
	assert_null(msk_platform_msi_parent(msk_machine_platform(m)));
	struct msk_machine_dev *d = add(m, 1, 4, 0);
	assert_null(msk_machine_dev_pci(d));
	struct msk_pcifn *fn = msk_machine_dev_fn(d);
	/* The guest: Bus Master, MSI-X entry 1 -> CPU 3 hwirq 0x42, unmasked, MSI-X on. */
	uint64_t cmd = 0;
	msk_pcifn_cfg_read(fn, 4, 2, &cmd);
	assert_msk_ok(msk_pcifn_cfg_write(fn, 4, cmd | 6, 2));
	struct msk_pcifn_msix_state st;
	msk_pcifn_msix_state(fn, &st);
	uint64_t e = st.table_offset + 16;
	assert_msk_ok(msk_pcifn_bar_write(fn, st.table_bar, e, TP_DOORBELL | 3u << 12, 4));
	assert_msk_ok(msk_pcifn_bar_write(fn, st.table_bar, e + 8, 0x42, 4));
	assert_msk_ok(msk_pcifn_bar_write(fn, st.table_bar, e + 12, 0, 4));
	assert_msk_ok(msk_pcifn_cfg_write(fn, st.cap + 2, 0x8000, 2));
	assert_msk_ok(msk_pcifn_raise(fn, 1));
	assert_msk_ok(msk_machine_run(m)); /* nobody services CPUs on a bare machine */
	uint64_t id = 0, w = 0;
	assert_int_equal(msk_platform_cpu_take(msk_machine_platform(m), 0, &id, &w), 0);
	assert_int_equal(msk_platform_cpu_take(msk_machine_platform(m), 3, &id, &w), 1);
	assert_int_equal(id, 0x42);
	assert_int_equal(w, 1);
	balanced(m);
	msk_machine_destroy(m);
}

/* The held count as an embedder uses it: .held_extra = msk_machine_models_held(m) balances. */
static void test_report_balances_with_core_and_model_held(void **state)
{
	struct msk_machine *m = make_test(1);
	struct msk_machine_dev *d = add(m, 1, 8, 0);
	struct msk_pci_dev *p = msk_machine_dev_pci(d);
	struct msk_core *core = msk_machine_core(m);
	assert_int_equal(msk_pci_alloc_irq_vectors(p, 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
	unsigned int virq[3];
	for (unsigned int i = 0; i < 3; i++) {
		virq[i] = (unsigned int)msk_pci_irq_vector(p, i);
		assert_msk_ok(msk_request_irq(core, virq[i], count_handler, "q", NULL));
	}
	/* Vector 0 delivered; vector 1 held by the core (disabled); vector 2 by the function (masked). */
	assert_msk_ok(msk_irq_disable(core, virq[1]));
	assert_msk_ok(msk_irq_mask(core, virq[2]));
	for (unsigned int i = 0; i < 3; i++)
		assert_msk_ok(msk_pcifn_raise(msk_machine_dev_fn(d), i));
	assert_msk_ok(msk_machine_run(m));
	uint64_t models = msk_machine_models_held(m), in_core = msk_core_held(core);
	assert_true(models >= 1 && in_core >= 1);
	assert_int_equal(models + in_core, 2);

	struct msk_report_src src = { .core = core,
				      .ledger = msk_machine_ledger(m),
				      .held_extra = msk_machine_models_held(m) };
	struct msk_report_snapshot *snap = NULL;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	assert_int_equal(snap->ledger.counts.raised, 3);
	assert_int_equal(snap->ledger.counts.delivered, 1);
	assert_int_equal(snap->ledger.held, 2);
	assert_true(snap->ledger.balanced);
	assert_true(msk_report_passed(snap));
	msk_report_snapshot_free(snap);
	balanced(m); /* the machine's own invariant agrees */
	assert_int_equal(msk_machine_models_held(NULL), 0);
	msk_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_unbuilt_platform_says_so, setup),
		cmocka_unit_test_setup(test_report_balances_with_core_and_model_held, setup),
		cmocka_unit_test_setup(test_bad_configs, setup),
		cmocka_unit_test_setup(test_layout_and_devices, setup),
		cmocka_unit_test_setup(test_raise_is_taken_by_the_cpu_when_the_machine_runs, setup),
		cmocka_unit_test_setup(test_same_seed_same_trace, setup),
		cmocka_unit_test_setup(test_remove_needs_handlers_freed_and_loses_what_is_held,
				       setup),
		cmocka_unit_test_setup(test_global_model, setup),
		cmocka_unit_test_setup(test_global_model_on_real_platforms, setup),
		cmocka_unit_test_setup(test_per_device_model_allows_dynamic_and_ims, setup),
		cmocka_unit_test_setup(test_prepare_per_alloc_sizes_for_the_first_count, setup),
		cmocka_unit_test_setup(test_cpu_offline_moves_work, setup),
		cmocka_unit_test_setup(test_message_invariant_catches_a_corrupted_entry, setup),
		cmocka_unit_test_setup(test_ledger_invariant_catches_an_imbalance, setup),
		cmocka_unit_test_setup(test_alloc_faults_leave_a_consistent_machine, setup),
		cmocka_unit_test_setup(test_random_faults_follow_the_seed, setup),
		cmocka_unit_test_setup(test_cpu_offline_fault_happens_at_its_step, setup),
		cmocka_unit_test_setup(test_bare_machine_guest_takes_raw_interrupts, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
