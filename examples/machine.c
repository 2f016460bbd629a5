/* SPDX-License-Identifier: MIT */
/*
 * machine: the library as an embedder uses it. An x86 machine with one PCI
 * function, four MSI-X vectors allocated the way a driver does
 * (pci_alloc_irq_vectors), one handler each, a fifth vector added while
 * MSI-X is enabled (pci_msix_alloc_irq_at), one event on each vector and
 * one on a masked vector (held by the function until it is unmasked), then
 * the report: every event delivered or held, the ledger balanced.
 *
 * Build against an installed msikit:
 *	cc machine.c $(pkg-config --cflags --libs msikit) -o machine
 */
#include <stdio.h>

#include <msikit.h>

static unsigned int handled;

static enum msk_irqreturn on_irq(unsigned int virq, unsigned int cpu, void *dev_id)
{
	handled++;
	return MSK_IRQ_HANDLED;
}

static int fail(const char *what)
{
	fprintf(stderr, "machine: %s: %s\n", what, msk_last_error());
	return 1;
}

static int drive(struct msk_machine *m)
{
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1;
	pc.msix = 16;
	struct msk_machine_dev *dev;
	if (msk_machine_pci_add(m, &pc, &dev) < 0)
		return fail("pci_add");
	struct msk_pci_dev *pdev = msk_machine_dev_pci(dev);
	struct msk_core *core = msk_machine_core(m);
	int n = msk_pci_alloc_irq_vectors(pdev, 1, 4, MSK_PCI_IRQ_MSIX, NULL);
	if (n < 0)
		return fail("alloc_irq_vectors");
	struct msk_msi_map added = msk_pci_msix_alloc_irq_at(pdev, MSK_MSI_ANY_INDEX, NULL);
	if (added.index < 0)
		return fail("msix_alloc_irq_at");
	for (int i = 0; i <= added.index; i++)
		if (msk_request_irq(core, (unsigned int)msk_pci_irq_vector(pdev, (unsigned int)i),
				    on_irq, "example", NULL) < 0)
			return fail("request_irq");
	if (msk_irq_mask(core, added.virq) < 0)
		return fail("mask");
	for (int i = 0; i <= added.index; i++)
		if (msk_pcifn_raise(msk_machine_dev_fn(dev), (unsigned int)i) < 0)
			return fail("raise");
	if (msk_machine_run(m) < 0)
		return fail("run");
	printf("%d vectors + 1 added at index %d, %u interrupts handled, 1 held\n", n, added.index,
	       handled);
	return 0;
}

int main(void)
{
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = "x86";
	cfg.ncpus = 4;
	struct msk_machine *m;
	if (msk_machine_create(&cfg, &m) < 0)
		return fail("machine_create");
	int rc = drive(m);
	struct msk_report_snapshot *snap = NULL;
	/* The models' held events; the report adds the core's own (msk_core_held). */
	struct msk_report_src src = { .core = msk_machine_core(m),
				      .ledger = msk_machine_ledger(m),
				      .held_extra = msk_machine_models_held(m),
				      .arch = "x86" };
	if (rc == 0 && msk_report_snapshot_take(&src, &snap) < 0)
		rc = fail("report");
	if (rc == 0) {
		struct msk_report_sink out = msk_report_sink_file(stdout);
		msk_report_write_summary(snap, &out);
		rc = msk_report_passed(snap) ? 0 : 1;
	}
	msk_report_snapshot_free(snap);
	msk_machine_destroy(m);
	return rc;
}
