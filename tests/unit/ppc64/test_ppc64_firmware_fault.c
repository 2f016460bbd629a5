/* SPDX-License-Identifier: MIT */
/*
 * The "firmware" controller fault on ppc64: the Nth firmware call the
 * drivers make (RTAS ibm,change-msi / ibm,query-interrupt-source-number,
 * H_INT_* hcalls) is refused with RTAS -1 / H_HARDWARE.
 *
 * The sweep runs one device lifecycle - MSI-X allocation, affinity, CPU
 * offline and online, free, a switch to multi-MSI, removal, a new device
 * - with the refusal at every N in turn: the call that meets it fails with
 * -MSK_EIO naming the firmware's report and the device works when it is
 * tried again; paths that cannot fail absorb it; and whatever N, nothing
 * leaks (contract monitor, firmware pool, counters), nothing is lost, the
 * ledger balances, and every live message reaches its own virq.
 */
#include <msikit/cpuhotplug.h>
#include <msikit/fault.h>
#include <msikit/machine.h>

#include "ppc64_fixture.h"

#include <stdio.h>

#include "irqchip/xive.h"

#define NCPUS 4

struct run {
	struct pp *t;
	unsigned int i; /* the function */
	unsigned int failures;
	char error[256]; /* the refused call's error */
};

static bool names_the_refusal(const char *msg)
{
	return strncmp(msg, "EIO: ", 5) == 0 &&
	       (strstr(msg, "failed -1 (hardware error)") || strstr(msg, "failed -1 (H_HARDWARE)"));
}

/* A call failed: it must be the refusal, reported as such, and the only one. */
static void refused(struct run *r, int rc, const char *what)
{
	if (rc != -MSK_EIO || !names_the_refusal(msk_last_error()))
		fail_msg("%s: %d %s", what, rc, msk_last_error());
	r->failures++;
	assert_int_equal(r->failures, 1);
	snprintf(r->error, sizeof(r->error), "%s", msk_last_error());
	pp_balanced(r->t);
}

static unsigned int virq_of(struct run *r, unsigned int v)
{
	int virq = msk_pci_irq_vector(r->t->pdev[r->i], v);
	assert_true(virq > 0);
	return (unsigned int)virq;
}

/* Allocate n vectors of `type`; a refusal leaves no virq and the retry works. */
static void alloc(struct run *r, unsigned int n, unsigned int type)
{
	struct pp *t = r->t;
	int rc = msk_pci_alloc_irq_vectors(t->pdev[r->i], n, n, type, NULL);
	if (rc < 0) {
		refused(r, rc, "alloc_irq_vectors");
		struct msk_core_stats cs;
		msk_core_get_stats(t->core, &cs);
		assert_int_equal(cs.virqs, 0);
		assert_int_equal(pp_counter(t, "xive-mapped"), 0);
		rc = msk_pci_alloc_irq_vectors(t->pdev[r->i], n, n, type, NULL);
	}
	assert_int_equal(rc, (int)n);
	/* Activation routes the source (H_INT_SET_SOURCE_CONFIG) when the handler comes. */
	for (unsigned int v = 0; v < n; v++) {
		unsigned int virq = virq_of(r, v);
		rc = msk_request_irq(t->core, virq, pp_handler, "q", t);
		if (rc < 0) {
			refused(r, rc, "request_irq");
			struct msk_irq_info info;
			assert_msk_ok(msk_irq_get_info(t->core, virq, &info));
			assert_false(info.started);
			pp_check_routes(t, r->i); /* its entry stays masked: not followed */
			rc = msk_request_irq(t->core, virq, pp_handler, "q", t);
		}
		assert_msk_ok(rc);
	}
	pp_check_routes(t, r->i);
}

/* Every vector raised once is handled once: nothing lost anywhere. */
static void traffic(struct run *r, unsigned int n)
{
	struct pp *t = r->t;
	unsigned int before[8];
	for (unsigned int v = 0; v < n; v++)
		before[v] = atomic_load(&t->calls[virq_of(r, v)]);
	for (unsigned int v = 0; v < n; v++)
		assert_msk_ok(msk_pcifn_raise(t->fn[r->i], v));
	pp_service(t);
	for (unsigned int v = 0; v < n; v++)
		assert_int_equal(atomic_load(&t->calls[virq_of(r, v)]), before[v] + 1);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);
}

static void set_affinity(struct run *r, unsigned int v, unsigned int cpu)
{
	struct pp *t = r->t;
	unsigned int virq = virq_of(r, v);
	struct msk_cpumask want = msk_cpumask_of(cpu);
	struct msk_cpumask was = msk_irq_get_effective_affinity(t->core, virq);
	int rc = msk_irq_set_affinity(t->core, virq, &want);
	if (rc < 0) {
		refused(r, rc, "set_affinity");
		struct msk_cpumask now = msk_irq_get_effective_affinity(t->core, virq);
		assert_true(
			msk_cpumask_equal(&was, &now)); /* still where it was, and routed there */
		pp_check_routes(t, r->i);
		rc = msk_irq_set_affinity(t->core, virq, &want);
	}
	assert_msk_ok(rc);
	struct msk_cpumask eff = msk_irq_get_effective_affinity(t->core, virq);
	assert_true(msk_cpumask_test(&eff, cpu));
}

/*
 * CPU 1 goes. It cannot be refused: a refused retarget of one of its
 * sources, or of its queue's removal, is tried once more and goes through.
 */
static void offline(struct run *r, unsigned int n)
{
	struct pp *t = r->t;
	assert_msk_ok(msk_platform_cpu_offline(t->p, 1));
	assert_int_equal(pp_counter(t, "xive-queues"), NCPUS - 1);
	for (unsigned int v = 0; v < n; v++) {
		struct msk_cpumask eff = msk_irq_get_effective_affinity(t->core, virq_of(r, v));
		assert_false(msk_cpumask_test(&eff, 1));
	}
	pp_check_routes(t, r->i);
}

/* CPU 1 comes back; a refused queue configuration keeps it offline until tried again. */
static void online(struct run *r)
{
	struct pp *t = r->t;
	int rc = msk_platform_cpu_online(t->p, 1);
	if (rc < 0) {
		refused(r, rc, "cpu_online");
		assert_non_null(strstr(r->error, "H_INT_SET_QUEUE_CONFIG cpu=1"));
		struct msk_cpumask on = msk_core_online_cpus(t->core);
		assert_false(msk_cpumask_test(&on, 1));
		rc = msk_platform_cpu_online(t->p, 1);
	}
	assert_msk_ok(rc);
	assert_int_equal(pp_counter(t, "xive-queues"), NCPUS);
}

static void release(struct run *r, unsigned int n)
{
	pp_free_irqs(r->t, r->i, n);
	assert_msk_ok(msk_pci_free_irq_vectors(r->t->pdev[r->i]));
	pp_balanced(r->t);
}

/* The whole lifecycle; returns the firmware calls made. */
static uint64_t lifecycle(uint64_t nth, struct run *r)
{
	struct pp *t = pp_new(NCPUS, false, 0);
	memset(r, 0, sizeof(*r));
	r->t = t;
	r->i = pp_add_fn(t, 0, 4, 8);
	int64_t pool = pp_counter(t, "lisn-pool-free");
	assert_msk_ok(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_DEFAULT, nth));

	alloc(r, 4, MSK_PCI_IRQ_MSIX);
	traffic(r, 4);
	set_affinity(r, 0, 2);
	set_affinity(r, 1, 1);
	offline(r, 4);
	traffic(r, 4);
	online(r);
	set_affinity(r, 2, 1);
	traffic(r, 4);
	release(r, 4);
	alloc(r, 4, MSK_PCI_IRQ_MSI); /* MSI-X torn down (firmware release), MSI prepared */
	traffic(r, 4);
	release(r, 4);
	pp_remove_fn(t, r->i);

	struct msk_platform_fault_state fs;
	msk_platform_fault_state(t->p, &fs);
	assert_int_equal(fs.kind, MSK_PLATFORM_FAULT_FIRMWARE);
	assert_int_equal(fs.nth, nth);
	uint64_t seen = fs.seen;
	if (nth <= seen) {
		assert_int_equal(fs.fired, 1);
		assert_true(fs.what[0] != '\0');
	} else {
		assert_int_equal(fs.fired, 0);
		assert_int_equal(r->failures, 0);
	}
	/* Nothing leaked, whatever was refused. */
	assert_int_equal(msk_msi_violation_count(t->core), 0);
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(pp_counter(t, "lisn-pool-free"), pool);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 0);
	assert_int_equal(pp_counter(t, "xive-mapped"), 0);
	assert_int_equal(pp_counter(t, "pci-functions"), 0);
	assert_int_equal(pp_counter(t, "xive-queues"), NCPUS);
	struct msk_core_stats cs;
	msk_core_get_stats(t->core, &cs);
	assert_int_equal(cs.virqs, 0);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_balanced(t);

	/* And the machine works: a new device, vectors, traffic. */
	r->i = pp_add_fn(t, 1, 0, 4);
	alloc(r, 4, MSK_PCI_IRQ_MSIX);
	traffic(r, 4);
	release(r, 4);
	pp_free(t);
	return seen;
}

static void test_refusal_at_every_call_of_a_lifecycle(void **state)
{
	struct run r;
	uint64_t calls = lifecycle(UINT64_MAX, &r);
	assert_true(calls > 30);
	unsigned int reported = 0;
	for (uint64_t n = 1; n <= calls + 1; n++) {
		uint64_t seen = lifecycle(n, &r);
		reported += r.failures;
		/* A refusal absorbed by a retry costs exactly one more call. */
		if (n <= calls && !r.failures)
			assert_int_equal(seen, calls + 1);
	}
	/* Most calls are on paths that can fail and say so. */
	assert_true(reported > calls / 2);
	print_message("%llu firmware calls: %u refusals reported by the call, %llu absorbed\n",
		      (unsigned long long)calls, reported, (unsigned long long)(calls - reported));
}

/*
 * A firmware that keeps refusing: the release at teardown is tried twice,
 * never more; the LISNs stay where they are and the books say so - the
 * monitor reports resources-returned, the function holds them stranded -
 * until the next grant replaces them.
 */
static void test_persistent_refusal_at_teardown(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int i = pp_add_fn(t, 0, 4, 8);
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	int64_t pool = pp_counter(t, "lisn-pool-free");
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[i]));
	struct msk_irq_domain *msix_domain = pp_devdom(t, i);

	msk_spapr_fault_arm(fw, 1, 1000);
	/* The switch to MSI tears the MSI-X domain down, then prepares MSI: refused too. */
	int rc = msk_pci_alloc_irq_vectors(t->pdev[i], 1, 1, MSK_PCI_IRQ_MSI, NULL);
	assert_int_equal(rc, -MSK_EIO);
	assert_non_null(
		strstr(msk_last_error(), "ibm,change-msi(MSI, 4) failed -1 (hardware error)"));
	struct msk_spapr_fault_state fs;
	msk_spapr_fault_state(fw, &fs);
	assert_int_equal(fs.seen, 3); /* release, its one retry, the refused prepare */
	assert_true(pp_devdom(t, i) != msix_domain);
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_RESOURCES_RETURNED), 1);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 8);
	assert_int_equal(pp_counter(t, "lisns"), 8);
	assert_int_equal(pp_fw_fn(t, i).count, 8);

	/* The firmware recovers: the MSI grant replaces what it kept. */
	msk_spapr_fault_arm(fw, 0, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 1, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 0);
	assert_int_equal(pp_fw_fn(t, i).count, 4);
	assert_int_equal(pp_fw_fn(t, i).type, MSK_RTAS_TYPE_MSI);
	pp_request(t, i, 4);
	for (unsigned int v = 0; v < 4; v++)
		assert_msk_ok(msk_pcifn_raise(t->fn[i], v));
	assert_int_equal(pp_service(t), 4);
	pp_check_routes(t, i);
	pp_free_irqs(t, i, 4);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[i]));

	/* Refused at removal as well: the firmware reclaims a removed function's MSIs. */
	msk_spapr_fault_arm(fw, 1, 1000);
	pp_remove_fn(t, i);
	msk_spapr_fault_state(fw, &fs);
	assert_int_equal(fs.seen, 2);
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_RESOURCES_RETURNED), 2);
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(pp_counter(t, "lisn-pool-free"), pool);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 0);
	msk_spapr_fault_arm(fw, 0, 0);
	pp_balanced(t);
	pp_free(t);
}

/* Prepare's rollback of a grant (a query refused) is a release that cannot fail either. */
static void test_refused_query_rolls_the_grant_back(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	unsigned int i = pp_add_fn(t, 0, 0, 8);
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	int64_t pool = pp_counter(t, "lisn-pool-free");
	/* Calls: change-msi, query 0, query 1 (refused), release (refused), its retry. */
	msk_spapr_fault_arm(fw, 3, 2);
	int rc = msk_pci_alloc_irq_vectors(t->pdev[i], 2, 2, MSK_PCI_IRQ_MSIX, NULL);
	assert_int_equal(rc, -MSK_EIO);
	assert_non_null(strstr(msk_last_error(),
			       "ibm,query-interrupt-source-number(1) failed -1 (hardware error)"));
	assert_int_equal(pp_counter(t, "lisns"), 0);
	assert_int_equal(pp_counter(t, "lisn-pool-free"), pool);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 0);
	assert_null(pp_devdom(t, i));
	/* Both the query and the release refused for good: the grant stays stranded. */
	msk_spapr_fault_arm(fw, 3, 3);
	rc = msk_pci_alloc_irq_vectors(t->pdev[i], 2, 2, MSK_PCI_IRQ_MSIX, NULL);
	assert_int_equal(rc, -MSK_EIO);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 8);
	assert_int_equal(pp_counter(t, "lisns"), 8);
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_RESOURCES_RETURNED), 0);
	msk_spapr_fault_arm(fw, 0, 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	assert_int_equal(pp_counter(t, "lisns-stranded"), 0);
	assert_int_equal(pp_counter(t, "lisns"), 8);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[i]));
	pp_remove_fn(t, i);
	assert_int_equal(pp_counter(t, "lisn-pool-free"), pool);
	pp_free(t);
}

/* post_free: a refused disable leaves the grant with the domain; the next allocation works. */
static void test_post_free_refused(void **state)
{
	struct pp *t = pp_new(2, true, 0);
	unsigned int i = pp_add_fn(t, 0, 0, 4);
	struct msk_spapr *fw = msk_ppc64_platform_firmware(t->p);
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	msk_spapr_fault_arm(fw, 1, 1000);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[i]));
	struct msk_spapr_fault_state fs;
	msk_spapr_fault_state(fw, &fs);
	assert_int_equal(fs.seen, 2); /* the disable and its retry */
	msk_spapr_fault_arm(fw, 0, 0);
	assert_int_equal(pp_counter(t, "lisns"), 4);
	/* The firmware still knows the LISNs: unlike the seed's lock-up, this works. */
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	pp_request(t, i, 2);
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 1));
	assert_int_equal(pp_service(t), 1);
	pp_free_irqs(t, i, 2);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[i]));
	assert_int_equal(pp_counter(t, "lisns"), 0); /* this disable went through */
	pp_remove_fn(t, i);
	assert_int_equal(pp_violations(t, MSK_MSI_RULE_RESOURCES_RETURNED), 0);
	pp_free(t);
}

/* The platform's fault interface. */
static void test_platform_fault_interface(void **state)
{
	struct pp *t = pp_new(2, false, 0);
	struct msk_platform_fault_state fs;
	msk_platform_fault_state(t->p, &fs);
	assert_int_equal(fs.kind, MSK_PLATFORM_FAULT_DEFAULT);
	assert_int_equal(fs.nth, 0);
	assert_msk_error(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_ITS_COMMAND, 1),
			 MSK_ENOTSUP);
	assert_msk_error(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_IRTE, 1), MSK_ENOTSUP);
	assert_msk_error(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT__COUNT, 1), MSK_EINVAL);
	assert_msk_ok(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_FIRMWARE, 2));
	unsigned int i = pp_add_fn(t, 0, 0, 4);
	int rc = msk_pci_alloc_irq_vectors(t->pdev[i], 1, 1, MSK_PCI_IRQ_MSIX, NULL);
	assert_int_equal(rc, -MSK_EIO);
	msk_platform_fault_state(t->p, &fs);
	assert_int_equal(fs.kind, MSK_PLATFORM_FAULT_FIRMWARE);
	assert_int_equal(fs.nth, 2);
	assert_int_equal(fs.fired, 1);
	assert_string_equal(fs.what, "RTAS ibm,query-interrupt-source-number 01:00.0 index 0 -> "
				     "hardware error");
	/* Disarmed: the report stays; nothing else is refused. */
	assert_msk_ok(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_DEFAULT, 0));
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	struct msk_platform_fault_state after;
	msk_platform_fault_state(t->p, &after);
	assert_int_equal(after.nth, 0);
	assert_int_equal(after.fired, 1);
	assert_int_equal(after.seen, fs.seen);
	assert_string_equal(after.what, fs.what);
	assert_msk_ok(msk_pci_free_irq_vectors(t->pdev[i]));
	pp_free(t);
}

/* Bring-up: a refused H_INT_RESET or queue configuration fails creation and leaves no queue. */
static void test_probe_refused(void **state)
{
	struct pp *t = pp_machine(4);
	struct msk_xive_config xc = {
		.nr_sources = 64,
		.nr_cpus = 4,
		.esb_base = MSK_PPC64_ESB_BASE,
		.esb_shift = 16,
		.msi_window_base = MSK_PPC64_MSI_WINDOW,
		.msi_window_size = 0x1000,
	};
	struct msk_xive *x;
	struct msk_spapr *fw;
	assert_msk_ok(msk_xive_create(t->bus, &xc, &x));
	struct msk_spapr_config sc = { .ipi_count = 4 };
	assert_msk_ok(msk_spapr_create(x, &sc, &fw));
	struct xive_drv_config dc = { t->core, t->bus, x, fw, 4, PP_TABLE, PP_TABLE_SIZE };
	/* Calls: H_INT_RESET, then one H_INT_SET_QUEUE_CONFIG per CPU. */
	for (uint64_t n = 1; n <= 5; n++) {
		struct xive_drv *xd = NULL;
		msk_spapr_fault_arm(fw, n, 1);
		assert_int_equal(xive_drv_create(&dc, &xd), -MSK_EIO);
		assert_non_null(
			strstr(msk_last_error(), n == 1 ? "H_INT_RESET failed -1 (H_HARDWARE)"
							: "failed -1 (H_HARDWARE)"));
		for (unsigned int c = 0; c < 4; c++) {
			struct msk_xive_end_info e;
			assert_msk_ok(msk_xive_get_queue(x, c, XIVE_DRV_PRIO, &e));
			assert_false(e.enqueue);
		}
		struct msk_core_stats cs;
		msk_core_get_stats(t->core, &cs);
		assert_int_equal(cs.domains, 0);
	}
	struct xive_drv *xd;
	msk_spapr_fault_arm(fw, 0, 0);
	assert_msk_ok(xive_drv_create(&dc, &xd));
	/* Removal refused once per queue: retried, every queue goes. */
	msk_spapr_fault_arm(fw, 1, 1);
	assert_msk_ok(xive_drv_destroy(xd));
	for (unsigned int c = 0; c < 4; c++) {
		struct msk_xive_end_info e;
		assert_msk_ok(msk_xive_get_queue(x, c, XIVE_DRV_PRIO, &e));
		assert_false(e.enqueue);
	}
	msk_spapr_destroy(fw);
	msk_xive_destroy(x);
	t->p = NULL;
	msk_core_destroy(t->core);
	msk_bus_destroy(t->bus);
	msk_ledger_destroy(t->l);
	free(t);
}

/* Hotplug on a bare platform has no drivers to do it; faults still arm (the guest's calls). */
static void test_bare(void **state)
{
	struct pp *t = pp_new_cfg(pp_config(2, true));
	assert_msk_error(msk_platform_cpu_offline(t->p, 1), MSK_ENOTSUP);
	assert_msk_error(msk_platform_cpu_online(t->p, 1), MSK_ENOTSUP);
	assert_msk_ok(msk_platform_fault_arm(t->p, MSK_PLATFORM_FAULT_DEFAULT, 1));
	uint64_t a[1] = { 0 }, r[MSK_HCALL_NRETS];
	assert_int_equal(
		msk_spapr_hcall(msk_ppc64_platform_firmware(t->p), MSK_H_INT_RESET, a, 1, r),
		MSK_H_HARDWARE);
	struct msk_platform_fault_state fs;
	msk_platform_fault_state(t->p, &fs);
	assert_string_equal(fs.what, "H_INT_RESET -> H_HARDWARE");
	pp_free(t);
}

/*
 * A managed vector whose restart at CPU online is refused stays shut down
 * with its events held in the device; the next time a CPU of its affinity
 * comes online it starts and they are delivered.
 */
static void test_managed_restart_refused(void **state)
{
	struct pp *t = pp_new(4, false, 0);
	unsigned int i = pp_add_fn(t, 0, 0, 8);
	struct msk_irq_affinity affd = { 0 };
	assert_int_equal(msk_pci_alloc_irq_vectors(t->pdev[i], 4, 4,
						   MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, &affd),
			 4);
	pp_request(t, i, 4);
	unsigned int v2 = (unsigned int)msk_pci_irq_vector(t->pdev[i], 2);
	assert_msk_ok(msk_platform_cpu_offline(t->p, 2));
	/* Online: the queue configuration is call 1, the vector's activation call 2. */
	msk_spapr_fault_arm(msk_ppc64_platform_firmware(t->p), 2, 1);
	int rc = msk_platform_cpu_online(t->p, 2);
	assert_int_equal(rc, -MSK_EIO);
	assert_true(names_the_refusal(msk_last_error()));
	struct msk_cpumask on = msk_core_online_cpus(t->core);
	assert_true(msk_cpumask_test(&on, 2));
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(t->core, v2, &info));
	assert_false(info.started);
	assert_msk_ok(msk_pcifn_raise(t->fn[i], 2));
	pp_service(t);
	assert_int_equal(atomic_load(&t->calls[v2]), 0);
	assert_int_equal(pp_counts(t).lost, 0);
	assert_int_equal(pp_fn_held(t), 1); /* pending in the device */
	pp_balanced(t);
	assert_msk_ok(msk_platform_cpu_offline(t->p, 2));
	assert_msk_ok(msk_platform_cpu_online(t->p, 2));
	pp_service(t);
	assert_int_equal(atomic_load(&t->calls[v2]), 1);
	assert_int_equal(msk_irq_count(t->core, v2, 2), 1);
	assert_int_equal(pp_counts(t).lost, 0);
	pp_check_routes(t, i);
	pp_balanced(t);
	pp_free_irqs(t, i, 4);
	pp_free(t);
}

static enum msk_irqreturn nop_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	return MSK_IRQ_HANDLED;
}

/*
 * On a machine, a CPU the core took offline although a source could not
 * be moved (the firmware kept refusing) is offline for the runtime too; a
 * CPU whose queue the firmware would not configure stays offline for both.
 */
static void test_machine_follows_the_core(void **state)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "ppc64";
	struct msk_machine *m;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = 4;
	struct msk_machine_dev *dev;
	assert_msk_ok(msk_machine_pci_add(m, &pc, &dev));
	struct msk_pci_dev *pdev = msk_machine_dev_pci(dev);
	struct msk_core *core = msk_machine_core(m);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 0);
	assert_msk_ok(msk_request_irq(core, virq, nop_handler, "q", NULL));
	struct msk_cpumask one = msk_cpumask_of(1);
	assert_msk_ok(msk_irq_set_affinity(core, virq, &one));
	struct msk_platform *p = msk_machine_platform(m);

	/* The retarget refused twice (it is tried once more): the source stays on CPU 1. */
	msk_spapr_fault_arm(msk_ppc64_platform_firmware(p), 1, 2);
	assert_msk_error(msk_machine_cpu_offline(m, 1), MSK_EIO);
	msk_spapr_fault_arm(msk_ppc64_platform_firmware(p), 0, 0);
	struct msk_cpumask on = msk_core_online_cpus(core);
	assert_false(msk_cpumask_test(&on, 1));
	assert_false(msk_sim_cpu_online(msk_machine_sim(m), 1));
	assert_msk_ok(msk_machine_check(m));
	/* Moved by hand, the source leaves CPU 1; the queue is removed at the next offline. */
	struct msk_cpumask zero = msk_cpumask_of(0);
	assert_msk_ok(msk_irq_set_affinity(core, virq, &zero));
	assert_msk_ok(msk_machine_cpu_online(m, 1));
	assert_msk_ok(msk_machine_cpu_offline(m, 1));

	assert_msk_ok(msk_platform_fault_arm(p, MSK_PLATFORM_FAULT_FIRMWARE, 1));
	assert_msk_error(msk_machine_cpu_online(m, 1), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "CPU 1 stays offline"));
	on = msk_core_online_cpus(core);
	assert_false(msk_cpumask_test(&on, 1));
	assert_false(msk_sim_cpu_online(msk_machine_sim(m), 1));
	assert_msk_ok(msk_machine_cpu_online(m, 1));
	assert_true(msk_sim_cpu_online(msk_machine_sim(m), 1));
	assert_msk_ok(msk_machine_check(m));
	assert_msk_ok(msk_free_irq(core, virq));
	msk_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refusal_at_every_call_of_a_lifecycle),
		cmocka_unit_test(test_persistent_refusal_at_teardown),
		cmocka_unit_test(test_refused_query_rolls_the_grant_back),
		cmocka_unit_test(test_post_free_refused),
		cmocka_unit_test(test_platform_fault_interface),
		cmocka_unit_test(test_probe_refused),
		cmocka_unit_test(test_bare),
		cmocka_unit_test(test_machine_follows_the_core),
		cmocka_unit_test(test_managed_restart_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
