/* SPDX-License-Identifier: MIT */
/*
 * The XIVE root driver and the pSeries parent built directly (not through
 * the platform): on a XIVE that offers Store-EOI, and the drivers' own
 * error paths.
 */
#include "msk_test.h"

#include <msikit/hw_pci.h>
#include <msikit/hw_xive.h>
#include <msikit/platform_ppc64.h>

#include <stdlib.h>

#include "irqchip/pseries.h"
#include "irqchip/xive.h"
#include "platform/ppc64.h"

#define RAM (16ull << 20)

struct rig {
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_xive *x;
	struct msk_spapr *fw;
	struct xive_drv *xd;
	struct pseries_msi *ps;
	struct ppc64_phb phb; /* the board's part: functions registered with the firmware */
	_Atomic unsigned int calls;
};

static enum msk_irqreturn handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct rig *r = dev_id;
	atomic_fetch_add(&r->calls, 1);
	return MSK_IRQ_HANDLED;
}

static struct rig *rig_new(bool store_eoi)
{
	struct rig *r = calloc(1, sizeof(*r));
	assert_non_null(r);
	assert_msk_ok(msk_ledger_create(&r->l));
	assert_msk_ok(msk_bus_create(0, RAM, r->l, &r->bus));
	struct msk_core_config cc = { .nr_cpus = 2, .ledger = r->l };
	assert_msk_ok(msk_core_create(&cc, &r->core));
	struct msk_xive_config xc = {
		.nr_sources = 64,
		.nr_cpus = 2,
		.esb_base = MSK_PPC64_ESB_BASE,
		.esb_shift = 12,
		.msi_window_base = MSK_PPC64_MSI_WINDOW,
		.msi_window_size = 0x1000,
		.store_eoi = store_eoi,
	};
	assert_msk_ok(msk_xive_create(r->bus, &xc, &r->x));
	struct msk_spapr_config sc = { .ipi_count = 2 };
	assert_msk_ok(msk_spapr_create(r->x, &sc, &r->fw));
	struct xive_drv_config dc = { r->core, r->bus, r->x, r->fw, 2, 0x10000, 0x20000 };
	assert_msk_ok(xive_drv_create(&dc, &r->xd));
	struct pseries_msi_config pc = { r->core,	 r->x, r->fw, xive_drv_domain(r->xd),
					 MSK_PPC64_BUID, false };
	assert_msk_ok(pseries_msi_create(&pc, &r->ps));
	ppc64_phb_init(&r->phb, r->fw, MSK_PPC64_BUID, r->ps);
	return r;
}

static void rig_free(struct rig *r)
{
	assert_msk_ok(ppc64_phb_detach_all(&r->phb));
	ppc64_phb_fini(&r->phb);
	assert_msk_ok(pseries_msi_destroy(r->ps));
	assert_msk_ok(xive_drv_destroy(r->xd));
	msk_spapr_destroy(r->fw);
	msk_xive_destroy(r->x);
	msk_core_destroy(r->core);
	msk_bus_destroy(r->bus);
	msk_ledger_destroy(r->l);
	free(r);
}

static struct msk_pcifn *new_fn(struct rig *r, unsigned int msix)
{
	struct msk_pcifn_config c;
	memset(&c, 0, sizeof(c));
	c.bus = 3;
	c.vendor_id = 0x1014;
	c.msix_entries = msix;
	c.manual_bars = true;
	struct msk_pcifn *fn;
	assert_msk_ok(msk_pcifn_create(r->bus, &c, &fn));
	return fn;
}

/* Store-EOI: the EOI is one store; a coalesced event is re-notified by it. */
static void test_store_eoi(void **state)
{
	struct rig *r = rig_new(true);
	struct msk_pcifn *fn = new_fn(r, 4);
	struct msk_pci_dev *pdev;
	assert_msk_ok(ppc64_phb_attach(&r->phb, fn, &pdev));
	assert_int_equal(msk_pci_alloc_irq_vectors(pdev, 4, 4, MSK_PCI_IRQ_MSIX, NULL), 4);
	unsigned int virq = (unsigned int)msk_pci_irq_vector(pdev, 2);
	assert_msk_ok(msk_request_irq(r->core, virq, handler, "s", r));
	struct msk_irq_data *x = msk_irq_get_irq_data(r->core, virq)->parent_data->parent_data;
	char buf[128];
	msk_domain_debug_show(x->domain, x, buf, sizeof(buf));
	assert_non_null(strstr(buf, "eoi: store"));
	uint32_t lisn = (uint32_t)x->hwirq;
	assert_msk_ok(msk_pcifn_raise(fn, 2));
	assert_msk_ok(msk_pcifn_raise(fn, 2));
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(r->x, lisn, &si));
	assert_int_equal(si.pq, MSK_XIVE_PQ_QUEUED);
	int taken = 0;
	for (unsigned int cpu = 0; cpu < 2; cpu++)
		for (int n; (n = xive_drv_service(r->xd, cpu, 8)) > 0;)
			taken += n;
	assert_int_equal(taken, 2);
	assert_int_equal(atomic_load(&r->calls), 2);
	assert_msk_ok(msk_xive_get_source(r->x, lisn, &si));
	assert_int_equal(si.pq, MSK_XIVE_PQ_RESET);
	struct msk_ledger_counts c;
	msk_ledger_read(r->l, &c);
	assert_int_equal(c.delivered, 2);
	assert_int_equal(c.lost, 0);
	assert_msk_ok(msk_ledger_check(r->l, msk_xive_held(r->x) + msk_core_held(r->core) +
						     msk_pcifn_held(fn)));
	/* The root cannot go while the parent sits on it. */
	assert_msk_error(xive_drv_destroy(r->xd), MSK_EBUSY);
	/* Nor the parent while a function is attached, nor the function with a handler. */
	assert_msk_error(pseries_msi_destroy(r->ps), MSK_EBUSY);
	assert_msk_error(ppc64_phb_detach_all(&r->phb), MSK_EBUSY);
	assert_int_equal(pseries_attached(r->ps), 1);
	assert_msk_ok(msk_free_irq(r->core, virq));
	assert_msk_ok(ppc64_phb_detach(&r->phb, pdev));
	assert_msk_error(ppc64_phb_detach(&r->phb, pdev), MSK_ENOENT);
	assert_msk_error(pseries_pci_detach(r->ps, pdev), MSK_ENOENT);
	assert_int_equal(pseries_attached(r->ps), 0);
	msk_pcifn_destroy(fn);
	rig_free(r);
}

/* A child asking the root for a LISN beyond the XIVE, or with no LISN at all. */
static enum msk_irqreturn unused(unsigned int virq, unsigned int cpu, void *d)
{
	return MSK_IRQ_NONE;
}

static void test_root_refuses_bad_lisns(void **state)
{
	struct rig *r = rig_new(false);
	struct msk_irq_domain *root = xive_drv_domain(r->xd);
	unsigned int virq;
	struct xive_fwspec beyond = { 64 };
	assert_msk_error(msk_domain_alloc_irqs(root, 1, &beyond, NULL, &virq), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "beyond the 64 sources"));
	assert_msk_error(msk_domain_alloc_irqs(root, 1, NULL, NULL, &virq), MSK_EINVAL);
	/* An unclaimed LISN: the firmware answers H_P2 and the error says so. */
	struct xive_fwspec unclaimed = { 40 };
	assert_msk_error(msk_domain_alloc_irqs(root, 1, &unclaimed, NULL, &virq), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "H_INT_GET_SOURCE_INFO lisn=0x28 failed -55"));
	/* The second of two fails: the first is undone, nothing stays mapped. */
	struct xive_fwspec pair = { 1 };
	assert_msk_error(msk_domain_alloc_irqs(root, 2, &pair, NULL, &virq), MSK_EIO);
	assert_non_null(strstr(msk_last_error(), "lisn=0x2 failed -55"));
	assert_int_equal(msk_domain_mapcount(root), 0);
	/* An IPI LISN (claimed by the firmware) works as a plain root interrupt. */
	struct xive_fwspec ipi = { 1 };
	assert_msk_ok(msk_domain_alloc_irqs(root, 1, &ipi, NULL, &virq));
	assert_msk_ok(msk_request_irq(r->core, virq, unused, "ipi", r));
	uint64_t trig, mgmt;
	assert_msk_ok(msk_xive_esb_pages(r->x, 1, &trig, &mgmt));
	assert_msk_ok(msk_bus_write(r->bus, trig, 0, 8, NULL));
	int taken = 0;
	for (unsigned int cpu = 0; cpu < 2; cpu++)
		taken += xive_drv_service(r->xd, cpu, 4);
	assert_int_equal(taken, 1);
	assert_int_equal(msk_irq_count(r->core, virq, 0) + msk_irq_count(r->core, virq, 1), 1);
	assert_msk_ok(msk_free_irq(r->core, virq));
	assert_msk_ok(msk_domain_free_irqs(r->core, virq, 1));
	struct msk_core_stats cs;
	msk_core_get_stats(r->core, &cs);
	assert_int_equal(cs.virqs, 0);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_store_eoi),
		cmocka_unit_test(test_root_refuses_bad_lisns),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
