/* SPDX-License-Identifier: MIT */
/*
 * The machine's controller fault on arm64 (faults.controller = N), for
 * every N over a device's life on a machine: pci add, MSI-X allocation,
 * dynamic MSI-X, MSI, free, remove. After every step the machine's own
 * invariants hold (msk_machine_check: ledger balance, msix-message,
 * msi-route); a call that fails is a clean EIO and works again; at the end
 * nothing is held by the ITS and the contract monitor saw nothing leak.
 */
#include "msk_test.h"

#include <stdio.h>
#include <string.h>

#include <msikit.h>

struct run {
	struct msk_machine *m;
	struct msk_machine_dev *dev[2];
	unsigned int eio;
};

static int64_t counter(struct msk_machine *m, const char *name)
{
	struct msk_platform_counter c[16];
	size_t n = msk_platform_counters(msk_machine_platform(m), c, 16);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return -1;
}

static void checked(struct run *r)
{
	if (msk_machine_check(r->m) < 0)
		fail_msg("%s", msk_last_error());
	assert_int_equal(msk_machine_invariant_count(r->m), 0);
}

/* A step that fails only by the injected fault, cleanly, and then works. */
static void step(struct run *r, int (*fn)(struct run *))
{
	int rc = fn(r);
	if (rc < 0) {
		assert_int_equal(rc, -MSK_EIO);
		assert_non_null(strstr(msk_last_error(), "(ITS internal error)"));
		r->eio++;
		checked(r);
		rc = fn(r);
		if (rc < 0)
			fail_msg("again: %s", msk_last_error());
	}
	checked(r);
}

static struct msk_pci_dev *pdev(struct run *r, unsigned int i)
{
	return msk_machine_dev_pci(r->dev[i]);
}

static int add(struct run *r)
{
	struct msk_machine_pci_config c;
	msk_machine_pci_config_init(&c);
	c.bus = 2;
	c.msix = 8;
	assert_msk_ok(msk_machine_pci_add(r->m, &c, &r->dev[0]));
	c.bus = 3;
	c.msix = 0;
	c.msi = 4;
	assert_msk_ok(msk_machine_pci_add(r->m, &c, &r->dev[1]));
	return 0;
}

static int msix(struct run *r)
{
	if (msk_pci_irq_vector(pdev(r, 0), 0) > 0)
		return 0;
	int n = msk_pci_alloc_irq_vectors(pdev(r, 0), 3, 3, MSK_PCI_IRQ_MSIX, NULL);
	return n < 0 ? n : 0;
}

static int dynamic(struct run *r)
{
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(r->dev[0]), 6, NULL);
	return map.index < 0 ? map.index : 0;
}

static int msi(struct run *r)
{
	int n = msk_pci_alloc_irq_vectors(pdev(r, 1), 4, 4, MSK_PCI_IRQ_MSI, NULL);
	return n < 0 ? n : 0;
}

static int free_all(struct run *r)
{
	assert_msk_ok(msk_pci_free_irq_vectors(pdev(r, 0)));
	assert_msk_ok(msk_pci_free_irq_vectors(pdev(r, 1)));
	return 0;
}

static int remove_all(struct run *r)
{
	for (unsigned int i = 0; i < 2; i++)
		assert_msk_ok(msk_machine_pci_remove(r->m, r->dev[i]));
	return 0;
}

static int (*const life[])(struct run *) = { add, msix, dynamic, msi, free_all, remove_all };

/* One life with faults.controller = nth (0: none); returns the commands it ran. */
static uint64_t one(uint64_t nth, unsigned int *eio)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "arm64";
	cfg.faults.controller = nth ? nth : UINT64_MAX;
	struct run r = { 0 };
	assert_msk_ok(msk_machine_create(&cfg, &r.m));
	for (unsigned int s = 0; s < sizeof(life) / sizeof(life[0]); s++)
		step(&r, life[s]);
	struct msk_machine_faults f;
	msk_machine_faults(r.m, &f);
	assert_int_equal(f.controller.kind, MSK_PLATFORM_FAULT_ITS_COMMAND);
	assert_int_equal(f.controller.fired, nth ? 1 : 0);
	if (nth)
		assert_string_not_equal(f.controller.what, "");
	assert_int_equal(counter(r.m, "lpis"), 0);
	assert_int_equal(counter(r.m, "its_devices"), 0);
	assert_int_equal(counter(r.m, "lpis_quarantined"), 0);
	assert_int_equal(msk_msi_violation_count(msk_machine_core(r.m)), 0);
	msk_machine_destroy(r.m);
	*eio = r.eio;
	return f.controller.seen;
}

static void test_every_n_on_a_machine(void **state)
{
	(void)state;
	unsigned int eio, failed = 0;
	uint64_t total = one(0, &eio);
	assert_true(total > 20);
	for (uint64_t n = 1; n <= total; n++) {
		one(n, &eio);
		failed += eio;
	}
	assert_true(failed > 0);
}

/* The report: what failed, and that nth 0 keeps it. */
static void test_fault_state_report(void **state)
{
	(void)state;
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "arm64";
	cfg.faults.controller = 1;
	struct msk_machine *m;
	assert_msk_ok(msk_machine_create(&cfg, &m));
	struct msk_machine_pci_config c;
	msk_machine_pci_config_init(&c);
	c.bus = 2;
	c.msix = 4;
	struct msk_machine_dev *d;
	assert_msk_ok(msk_machine_pci_add(m, &c, &d));
	assert_msk_error(
		msk_pci_alloc_irq_vectors(msk_machine_dev_pci(d), 1, 1, MSK_PCI_IRQ_MSIX, NULL),
		MSK_EIO);
	msk_machine_faults_disarm(m);
	struct msk_machine_faults f;
	msk_machine_faults(m, &f); /* the report keeps what was armed */
	assert_int_equal(f.controller.nth, 1);
	assert_int_equal(f.controller.fired, 1);
	assert_int_equal(f.controller.seen, 1);
	assert_non_null(strstr(f.controller.what, "MAPD DeviceID 0x200 V=1 ITT 0x"));
	struct msk_platform_fault_state st; /* the platform: disarmed, the rest kept */
	msk_platform_fault_state(msk_machine_platform(m), &st);
	assert_int_equal(st.nth, 0);
	assert_int_equal(st.fired, 1);
	assert_int_equal(st.seen, 1);
	assert_string_equal(st.what, f.controller.what);
	assert_int_equal(
		msk_pci_alloc_irq_vectors(msk_machine_dev_pci(d), 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	assert_msk_ok(msk_machine_check(m));
	msk_machine_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_n_on_a_machine),
		cmocka_unit_test(test_fault_state_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
