/* SPDX-License-Identifier: MIT */
#ifndef MSK_COMPAT_COMPAT_H
#define MSK_COMPAT_COMPAT_H

/*
 * The pre-6.2 behaviours, switchable per machine (the "before" forms of
 * the seed stories). Prepare-per-allocation lives in the MSI core
 * (msk_msi_set_prepare_mode); this is the global PCI/MSI domain.
 */

#include <msikit/domain.h>
#include <msikit/msi.h>

/*
 * One PCI/MSI domain for every device: "<parent prefix>PCI-MSI" stacked on
 * the platform's MSI parent, every device's vectors passing through it
 * (hwirq = requester ID << 11 | vector index, as Linux's
 * pci_msi_domain_calc_hwirq). Devices attach to it instead of to the
 * platform's parent. What it cannot do is what the old model could not:
 * it offers neither PCI_MSIX_ALLOC_DYN (no vector after MSI-X is enabled)
 * nor IMS; a device grows by disabling, freeing and enabling again.
 *
 * The per-device level the PCI layer puts on top of it is the old
 * pci_msi chip: it writes each device's own table (Linux reached it
 * through desc->dev); it holds no controller resource of its own.
 *
 * Returns 0, -MSK_EINVAL (parent is not an MSI parent), -MSK_ENOMEM, or
 * the core's error (-MSK_EEXIST: the name is taken).
 */
int msk_compat_global_msi_create(struct msk_irq_domain *parent, struct msk_irq_domain **out);

/* Is d a global PCI/MSI domain made by msk_compat_global_msi_create()? */
bool msk_compat_is_global_msi(const struct msk_irq_domain *d);

#endif
