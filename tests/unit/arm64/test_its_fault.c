/* SPDX-License-Identifier: MIT */
/*
 * The ITS fails one command (the platform's controller fault, "its-command")
 * at every point of a device's life, under both error policies: a call that
 * hits it fails with a clean -MSK_EIO naming the ITS's report and leaves
 * nothing behind, so the same call works again; the paths that cannot fail
 * (mask, unmask, deactivate, free, teardown, forced moves at CPU offline)
 * absorb it. After every step: the ledger balances, nothing is lost, every
 * active message reaches its own virq on a CPU of its effective affinity
 * (msk_platform_route); at the end every event was delivered, the
 * controller counters are back at zero, the contract monitor saw every
 * resource returned, and a new device works.
 */
#include "arm64_fixture.h"

#include <stdio.h>

enum { DEV_A, DEV_B }; /* A: MSI-X (managed + dynamic), B: multi-MSI */

struct life {
	struct am *m;
	uint64_t raised;
	unsigned int eio; /* calls that failed because of the fault, then worked */
	char failed[256];
};

static struct msk_platform_fault_state fault(struct am *m)
{
	struct msk_platform_fault_state st;
	msk_platform_fault_state(m->p, &st);
	return st;
}

/* Every active MSI-X entry / MSI vector of a device reaches its own virq. */
static void check_routes(struct am *m, unsigned int i)
{
	struct msk_pci_dev *pdev = m->pdev[i];
	if (!pdev)
		return;
	uint16_t rid = msk_pcifn_rid(m->fn[i]);
	struct msk_pcifn_msi_state msi;
	assert_msk_ok(msk_pcifn_msi_state(m->fn[i], &msi));
	for (unsigned int k = 0; k < 8; k++) {
		int virq = msk_pci_irq_vector(pdev, k);
		uint64_t addr;
		uint32_t data;
		struct msk_pcifn_vector v;
		if (virq <= 0)
			continue;
		if (msi.enabled) {
			if (k >= msi.vectors_enabled || (msi.pvm && (msi.mask & (1u << k))))
				continue;
			addr = msi.addr;
			data = (uint32_t)((msi.data & ~(msi.vectors_enabled - 1)) | k);
		} else {
			if (msk_pcifn_msix_entry(m->fn[i], k, &v) < 0 || v.masked)
				continue;
			addr = v.addr;
			data = v.data;
		}
		struct msk_platform_route r;
		assert_msk_ok(msk_platform_route(m->p, rid, addr, data, &r));
		if (r.lost || r.virq != (unsigned)virq)
			fail_msg("vector %u (virq %d): %s %s", k, virq,
				 r.lost ? msk_loss_name(r.reason) : "reaches another virq",
				 r.detail);
		struct msk_cpumask eff = msk_irq_get_effective_affinity(m->core, (unsigned)virq);
		assert_true(msk_cpumask_test(&eff, r.cpu));
	}
}

static void check(struct life *l)
{
	am_balanced(l->m);
	assert_int_equal(am_lost(l->m), 0);
	check_routes(l->m, DEV_A);
	check_routes(l->m, DEV_B);
}

/*
 * Run a step; if it fails, it must be the injected fault, as a clean
 * -MSK_EIO naming the ITS's internal error, and the same step then works.
 */
static void step(struct life *l, int (*fn)(struct life *))
{
	uint64_t fired = fault(l->m).fired;
	int rc = fn(l);
	if (rc < 0) {
		if (rc != -MSK_EIO || fault(l->m).fired == fired)
			fail_msg("step failed without the fault: %s", msk_last_error());
		assert_non_null(strstr(msk_last_error(), "ITS@0x8080000: command "));
		assert_non_null(strstr(msk_last_error(), "(ITS internal error)"));
		snprintf(l->failed, sizeof(l->failed), "%s", msk_last_error());
		l->eio++;
		check(l);
		rc = fn(l);
		if (rc < 0)
			fail_msg("the step failed again: %s", msk_last_error());
	}
	check(l);
}

static void raise_service(struct life *l, unsigned int dev, unsigned int index)
{
	assert_msk_ok(msk_pcifn_raise(l->m->fn[dev], index));
	l->raised++;
	am_service_all(l->m);
}

static unsigned int vec(struct life *l, unsigned int dev, unsigned int index)
{
	int v = msk_pci_irq_vector(l->m->pdev[dev], index);
	assert_true(v > 0);
	return (unsigned)v;
}

/* ---- the lifecycle -------------------------------------------------------------- */

static int alloc_a(struct life *l) /* prepare: MAPD; activate: MAPTI + SYNC */
{
	struct msk_irq_affinity affd = { 0 };
	int n = msk_pci_alloc_irq_vectors(l->m->pdev[DEV_A], 4, 4,
					  MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_AFFINITY, &affd);
	return n < 0 ? n : 0;
}

/* request_irq once (a retry skips the vectors that got their handler). */
static int request(struct life *l, unsigned int dev, unsigned int index)
{
	struct msk_irq_info info;
	unsigned int v = vec(l, dev, index);
	assert_msk_ok(msk_irq_get_info(l->m->core, v, &info));
	return info.action_name ? 0 : msk_request_irq(l->m->core, v, am_handler, "q", l->m);
}

/* Reservation mode: activate for real (MAPTI + SYNC again), unmask (INV + SYNC). */
static int request_a(struct life *l)
{
	for (unsigned int i = 0; i < 4; i++) {
		int rc = request(l, DEV_A, i);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < 4; i++)
		raise_service(l, DEV_A, i);
	return 0;
}

static int alloc_at_a(struct life *l) /* dynamic MSI-X: MAPTI + SYNC */
{
	if (msk_pci_irq_vector(l->m->pdev[DEV_A], 5) <= 0) {
		struct msk_msi_map map = msk_pci_msix_alloc_irq_at(l->m->pdev[DEV_A], 5, NULL);
		if (map.index < 0)
			return map.index;
	}
	int rc = request(l, DEV_A, 5);
	if (rc == 0)
		raise_service(l, DEV_A, 5);
	return rc;
}

static int affinity_a(struct life *l) /* MOVI + SYNC */
{
	struct msk_cpumask three = msk_cpumask_of(3); /* moved away again at CPU 3's offline */
	int rc = msk_irq_set_affinity(l->m->core, vec(l, DEV_A, 5), &three);
	if (rc == 0) {
		raise_service(l, DEV_A, 5);
		assert_int_equal(l->m->on_cpu[vec(l, DEV_A, 5)], 4);
	}
	return rc;
}

static int mask_a(struct life *l) /* INV + SYNC twice; the event held meanwhile */
{
	unsigned int v = vec(l, DEV_A, 5);
	assert_msk_ok(msk_irq_mask(l->m->core, v));
	assert_msk_ok(msk_pcifn_raise(l->m->fn[DEV_A], 5));
	l->raised++;
	am_service_all(l->m);
	assert_msk_ok(msk_irq_unmask(l->m->core, v));
	am_service_all(l->m);
	return 0;
}

static int offline_3(struct life *l) /* vector 5: forced MOVI (tried twice); managed: DISCARD */
{
	int rc = msk_platform_cpu_offline(l->m->p, 3);
	if (rc == 0) {
		for (unsigned int i = 0; i < 4; i++)
			raise_service(l, DEV_A,
				      i); /* the one managed on CPU 3 waits in the device */
		raise_service(l, DEV_A, 5);
	}
	return rc;
}

static int online_3(struct life *l) /* managed restart: MAPTI + SYNC */
{
	struct msk_cpumask on = msk_core_online_cpus(l->m->core);
	if (msk_cpumask_test(&on, 3)) /* a failed restart: go round again */
		assert_msk_ok(msk_platform_cpu_offline(l->m->p, 3));
	int rc = msk_platform_cpu_online(l->m->p, 3);
	if (rc == 0) {
		am_service_all(l->m);
		for (unsigned int i = 0; i < 4; i++)
			raise_service(l, DEV_A, i);
	}
	return rc;
}

static int free_a(struct life *l) /* mask INV, DISCARD + SYNC */
{
	for (unsigned int i = 0; i < 6; i++)
		if (i != 4)
			assert_msk_ok(msk_free_irq(l->m->core, vec(l, DEV_A, i)));
	return msk_pci_free_irq_vectors(l->m->pdev[DEV_A]);
}

static int msi_b(struct life *l) /* multi-MSI: MAPD, MAPTI x4, INV x4, DISCARD x4 */
{
	if (msk_pci_irq_vector(l->m->pdev[DEV_B], 0) <= 0) {
		int n = msk_pci_alloc_irq_vectors(l->m->pdev[DEV_B], 4, 4, MSK_PCI_IRQ_MSI, NULL);
		if (n < 0)
			return n;
	}
	for (unsigned int i = 0; i < 4; i++) {
		int rc = request(l, DEV_B, i);
		if (rc < 0)
			return rc;
	}
	for (unsigned int i = 0; i < 4; i++)
		raise_service(l, DEV_B, i);
	check(l);
	for (unsigned int i = 0; i < 4; i++)
		assert_msk_ok(msk_free_irq(l->m->core, vec(l, DEV_B, i)));
	return msk_pci_free_irq_vectors(l->m->pdev[DEV_B]);
}

static int remove_all(struct life *l) /* MAPD V=0 */
{
	for (unsigned int i = 0; i < 2; i++) {
		assert_msk_ok(msk_platform_pci_remove(l->m->p, l->m->pdev[i]));
		l->m->pdev[i] = NULL;
	}
	return 0;
}

static int (*const lifecycle[])(struct life *) = {
	alloc_a,   request_a, alloc_at_a, affinity_a, mask_a,
	offline_3, online_3,  free_a,	  msi_b,      remove_all,
};

static uint64_t delivered(struct am *m)
{
	struct msk_ledger_counts c;
	msk_ledger_read(m->ledger, &c);
	return c.delivered;
}

/* A new device after the fault: allocate, deliver, free, remove. */
static void new_device_works(struct am *m)
{
	struct msk_pci_dev *pdev = am_add(m, 0x30, 0, 0, 4);
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 2, 2, MSK_PCI_IRQ_MSIX, NULL), 2);
	unsigned int v = (unsigned)msk_pci_irq_vector(pdev, 1);
	assert_msk_ok(msk_request_irq(m->core, v, am_handler, "c", m));
	uint64_t d = delivered(m);
	assert_msk_ok(msk_pcifn_raise(m->fn[m->nfn - 1], 1));
	am_service_all(m);
	assert_int_equal(delivered(m), d + 1);
	assert_msk_ok(msk_free_irq(m->core, v));
}

/* One lifecycle with the nth command failing (0: none); returns the commands it ran. */
static uint64_t run(bool stall, uint64_t nth, unsigned int *eio, char *failed, size_t size)
{
	static struct am m;
	struct msk_platform_config c;
	am_config(&c, true);
	c.its.stall_on_error = stall;
	assert_int_equal(am_setup_cfg(&m, &c), 0);
	am_add(&m, 0x10, 0, 0, 8);
	am_add(&m, 0x11, 0, 4, 0);
	struct life l = { &m, 0, 0, "" };
	assert_msk_ok(
		msk_platform_fault_arm(m.p, MSK_PLATFORM_FAULT_DEFAULT, nth ? nth : UINT64_MAX));
	for (unsigned int s = 0; s < sizeof(lifecycle) / sizeof(lifecycle[0]); s++)
		step(&l, lifecycle[s]);
	struct msk_platform_fault_state st = fault(&m);
	assert_int_equal(st.kind, MSK_PLATFORM_FAULT_ITS_COMMAND);
	assert_int_equal(st.fired, nth ? 1 : 0);
	assert_int_equal(delivered(&m), l.raised);
	assert_int_equal(am_counter(&m, "lpis"), 0);
	assert_int_equal(am_counter(&m, "its_devices"), 0);
	assert_int_equal(am_counter(&m, "lpis_quarantined"), 0);
	assert_int_equal(am_counter(&m, "its_cmd_errors"), nth ? 1 : 0);
	for (unsigned int i = 0; i < msk_msi_violation_count(m.core); i++) {
		struct msk_msi_violation v;
		assert_msk_ok(msk_msi_get_violation(m.core, i, &v));
		fail_msg("contract violation %s: %s", msk_msi_rule_name(v.rule), v.detail);
	}
	new_device_works(&m);
	am_teardown(&m);
	*eio = l.eio;
	snprintf(failed, size, "%s", l.failed);
	return st.seen;
}

static void sweep(bool stall)
{
	unsigned int eio;
	char failed[256];
	uint64_t total = run(stall, 0, &eio, failed, sizeof(failed));
	assert_true(total > 60); /* every kind of command, several times */
	unsigned int calls_failed = 0;
	for (uint64_t n = 1; n <= total; n++) {
		run(stall, n, &eio, failed, sizeof(failed));
		assert_true(eio <= 1);
		calls_failed += eio;
		if (n == 1) /* the first command: MAPD of device A at its first allocation */
			assert_non_null(strstr(failed, "command MAPD (DeviceID 0x1000, valid)"));
	}
	/* Some faults fail the call, others are absorbed (SYNC re-issued, retries). */
	assert_true(calls_failed > 0 && calls_failed < total);
}

static void test_every_command_fails_skip(void **state)
{
	(void)state;
	sweep(false);
}

static void test_every_command_fails_stall(void **state)
{
	(void)state;
	sweep(true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_command_fails_skip),
		cmocka_unit_test(test_every_command_fails_stall),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
