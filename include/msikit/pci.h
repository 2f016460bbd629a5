/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_PCI_H
#define MSIKIT_PCI_H

/*
 * The PCI MSI layer: the calls a driver makes, with Linux's semantics
 * (drivers/pci/msi), on per-device MSI domains.
 *
 * A struct msk_pci_dev is the OS's view of one PCI function. It reaches
 * the function only through config space and BAR MMIO (struct
 * msk_pci_access; msk_pci_dev_create_pcifn() binds it to msikit's PCI
 * function model), exactly as a kernel would: capabilities are found by
 * walking the capability list, the MSI-X table is programmed through the
 * BAR with the entry masked while its message changes, Multiple Message
 * Enable is set for multi-MSI, Bus Master Enable is turned on.
 *
 * Domains: the function's MSI-X domain ("<prefix>PCI-MSIX-<bdf>", hwsize =
 * table size) or MSI domain ("<prefix>PCI-MSI-<bdf>", hwsize = the
 * capability's vector count) is created at the first allocation and kept
 * across msk_pci_free_irq_vectors(); switching between MSI and MSI-X
 * replaces it; msk_pci_dev_destroy() removes it (msi_teardown). An IMS
 * domain ("<prefix>IMS-<bdf>") can sit beside the MSI-X one.
 *
 * All calls take the device's descriptor lock; none may be made from an
 * interrupt handler (-MSK_EPERM).
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/affinity.h>
#include <msikit/msi.h>

#ifdef __cplusplus
extern "C" {
#endif

struct msk_pcifn;
struct msk_pci_dev;

/* How the layer reaches the function: config space and BAR MMIO. */
struct msk_pci_access {
	int (*cfg_read)(void *ctx, unsigned int off, unsigned int size, uint64_t *value);
	int (*cfg_write)(void *ctx, unsigned int off, uint64_t value, unsigned int size);
	int (*bar_read)(void *ctx, unsigned int bar, uint64_t off, unsigned int size,
			uint64_t *value);
	int (*bar_write)(void *ctx, unsigned int bar, uint64_t off, uint64_t value,
			 unsigned int size);
};

/* alloc_irq_vectors flags (Linux PCI_IRQ_*). */
#define MSK_PCI_IRQ_MSI	     (1u << 1)
#define MSK_PCI_IRQ_MSIX     (1u << 2)
#define MSK_PCI_IRQ_AFFINITY (1u << 3)

/*
 * Create the OS view of a function: `name` is its "DDDD:BB:DD.F" name,
 * `rid` its requester ID, msi_parent the MSI parent domain its interrupts
 * go to (platform: VECTOR, INTEL-IR-0, ITS, pSeries). Reads the capability
 * list. Returns 0, -MSK_EINVAL (bad argument, unreadable header, a
 * malformed MSI/MSI-X capability), -MSK_ENOMEM.
 */
int msk_pci_dev_create(struct msk_core *core, struct msk_irq_domain *msi_parent, const char *name,
		       uint16_t rid, const struct msk_pci_access *acc, void *acc_ctx,
		       struct msk_pci_dev **out);

/* The same for msikit's PCI function model, named "<segment>:<bb:dd.f>". */
int msk_pci_dev_create_pcifn(struct msk_core *core, struct msk_irq_domain *msi_parent,
			     struct msk_pcifn *fn, unsigned int segment, struct msk_pci_dev **out);

/*
 * Device removal: turn MSI/MSI-X off, free every vector, remove the
 * domains (teardown), free the view. Handlers must have been freed:
 * -MSK_EBUSY otherwise, nothing changed.
 */
int msk_pci_dev_destroy(struct msk_pci_dev *pdev);

const char *msk_pci_name(const struct msk_pci_dev *pdev);
uint16_t msk_pci_rid(const struct msk_pci_dev *pdev);
struct msk_device *msk_pci_msi_device(struct msk_pci_dev *pdev);

/* Capability sizes: vectors of the MSI capability / entries of the MSI-X table, or -MSK_EINVAL. */
int msk_pci_msi_vec_count(struct msk_pci_dev *pdev);
int msk_pci_msix_vec_count(struct msk_pci_dev *pdev);

/*
 * Allocate between min and max vectors: MSI-X first (flags MSIX), then MSI
 * (flags MSI). With MSK_PCI_IRQ_AFFINITY, vectors are spread over the CPUs
 * (affd: pre/post vectors and sets; NULL = none) and the spread ones are
 * managed. When the parent has room for fewer, retries with that many while
 * it stays >= min. Returns the number allocated (min..max), or, as Linux
 * 6.12 pci_alloc_irq_vectors_affinity() (drivers/pci/msi/api.c, msi.c):
 *  -MSK_ERANGE   min > max (__pci_enable_msix_range/__pci_enable_msi_range);
 *  -MSK_EINVAL   min == 0 (Linux: pci_msi_supported(dev, 0) on the MSI path;
 *                its MSI-X path lets min 0 through, msikit refuses it on
 *                both), no such capability (pci_msi(x)_vec_count), MSI or
 *                MSI-X already enabled;
 *  -MSK_ENOSPC   the capability has fewer than min vectors (max beyond the
 *                table is clamped, not refused), the parent has room for
 *                fewer than min, or neither MSI nor MSI-X asked for (Linux
 *                returns its initial -ENOSPC);
 *  -MSK_EPERM    called from an interrupt handler (msikit only);
 * or another error of the hierarchy; nothing stays allocated on failure.
 * Context: process context (not from a handler); takes the device's
 * descriptor lock.
 */
int msk_pci_alloc_irq_vectors(struct msk_pci_dev *pdev, unsigned int min, unsigned int max,
			      unsigned int flags, const struct msk_irq_affinity *affd);

/*
 * The virq of vector nr: MSI-X table index nr, or MSI vector nr (< the
 * enabled count). -MSK_EINVAL otherwise.
 */
int msk_pci_irq_vector(struct msk_pci_dev *pdev, unsigned int nr);

/*
 * Free every MSI/MSI-X vector and turn MSI/MSI-X off. The domain stays.
 * -MSK_EBUSY (a handler is installed) leaves everything as it was.
 */
int msk_pci_free_irq_vectors(struct msk_pci_dev *pdev);

/* Can MSI-X vectors be added and removed while MSI-X is enabled? */
bool msk_pci_msix_can_alloc_dyn(struct msk_pci_dev *pdev);

/*
 * Add one MSI-X vector at a table index (or MSK_MSI_ANY_INDEX) while MSI-X
 * is enabled. affinity may be NULL. Failure: index = -errno, virq = 0:
 * -MSK_ENOTSUP (MSI-X not enabled or the parent has no dynamic
 * allocation), -MSK_ERANGE, -MSK_EBUSY, -MSK_ENOSPC.
 */
struct msk_msi_map msk_pci_msix_alloc_irq_at(struct msk_pci_dev *pdev, uint32_t index,
					     const struct msk_irq_affinity_desc *affinity);

/*
 * Remove one MSI-X vector (added by msk_pci_msix_alloc_irq_at() or not);
 * MSI-X stays enabled. -MSK_ENOTSUP (MSI-X not enabled, or the parent has
 * no dynamic allocation: as in Linux, its vectors go all at once with
 * msk_pci_free_irq_vectors()), -MSK_EINVAL (no such vector).
 */
int msk_pci_msix_free_irq(struct msk_pci_dev *pdev, struct msk_msi_map map);

/* Where an IDXD-style Interrupt Message Store lives: 16-byte entries in a BAR. */
struct msk_pci_ims_store {
	unsigned int bar;
	uint64_t offset;
	unsigned int entries; /* hwsize of the IMS domain */
};

/*
 * Create the function's IMS domain beside its MSI/MSI-X one. tmpl NULL:
 * the built-in template for an IDXD-style store (entry mask bit 0 of the
 * control word); otherwise the driver's own template (its chip writes the
 * store). -MSK_ENOTSUP when the parent does not allow IMS (e.g. x86 without
 * remapping), -MSK_EEXIST if it exists.
 */
int msk_pci_create_ims_domain(struct msk_pci_dev *pdev, const struct msk_pci_ims_store *store,
			      const struct msk_msi_domain_template *tmpl);

/* Allocate one IMS vector at the first free slot; icookie travels with it (e.g. a PASID). */
struct msk_msi_map msk_pci_ims_alloc_irq(struct msk_pci_dev *pdev, uint64_t icookie,
					 const struct msk_irq_affinity_desc *affinity);
int msk_pci_ims_free_irq(struct msk_pci_dev *pdev, struct msk_msi_map map);

/* What the layer believes about the function (for reports and tests). */
struct msk_pci_state {
	bool msi_enabled, msix_enabled;
	unsigned int nvec;		/* vectors enabled (MSI) / allocated (MSI-X) */
	unsigned int msi_cap, msix_cap; /* config offsets, 0 = absent */
	unsigned int msi_vectors;	/* capability count */
	unsigned int msix_entries;
	bool ims;
};
void msk_pci_get_state(struct msk_pci_dev *pdev, struct msk_pci_state *out);

#ifdef __cplusplus
}
#endif
#endif
