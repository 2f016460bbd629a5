/* SPDX-License-Identifier: MIT */
#ifndef MSK_BUS_PCI_INTERNAL_H
#define MSK_BUS_PCI_INTERNAL_H

/* Private state of the PCI MSI layer (src/bus/pci). */

#include <msikit/pci.h>

#include <stdbool.h>
#include <stdint.h>

/* Config-space registers and bits (PCI Local Bus / PCIe base spec). */
#define PCI_COMMAND		 0x04
#define PCI_COMMAND_MEMORY	 0x0002
#define PCI_COMMAND_MASTER	 0x0004
#define PCI_STATUS		 0x06
#define PCI_STATUS_CAP_LIST	 0x0010
#define PCI_CAPABILITY_LIST	 0x34
#define PCI_CAP_ID_MSI		 0x05
#define PCI_CAP_ID_MSIX		 0x11

#define PCI_MSI_FLAGS		 2
#define PCI_MSI_FLAGS_ENABLE	 0x0001
#define PCI_MSI_FLAGS_QMASK	 0x000e /* Multiple Message Capable */
#define PCI_MSI_FLAGS_QSIZE	 0x0070 /* Multiple Message Enable */
#define PCI_MSI_FLAGS_64BIT	 0x0080
#define PCI_MSI_FLAGS_MASKBIT	 0x0100
#define PCI_MSI_ADDRESS_LO	 4
#define PCI_MSI_ADDRESS_HI	 8
#define PCI_MSI_DATA_32		 8
#define PCI_MSI_DATA_64		 12
#define PCI_MSI_MASK_32		 12
#define PCI_MSI_MASK_64		 16

#define PCI_MSIX_FLAGS		 2
#define PCI_MSIX_FLAGS_QSIZE	 0x07ff
#define PCI_MSIX_FLAGS_MASKALL	 0x4000
#define PCI_MSIX_FLAGS_ENABLE	 0x8000
#define PCI_MSIX_TABLE		 4
#define PCI_MSIX_PBA		 8
#define PCI_MSIX_BIR		 0x7

#define PCI_MSIX_ENTRY_SIZE	 16
#define PCI_MSIX_ENTRY_LOWER	 0x0
#define PCI_MSIX_ENTRY_UPPER	 0x4
#define PCI_MSIX_ENTRY_DATA	 0x8
#define PCI_MSIX_ENTRY_CTRL	 0xc
#define PCI_MSIX_ENTRY_CTRL_MASK 0x1

struct msk_pci_dev {
	struct msk_core *core;
	struct msk_device *dev; /* the MSI core's device */
	const struct msk_pci_access *acc;
	void *acc_ctx;
	char name[32];
	uint16_t rid;

	/* MSI capability */
	unsigned int msi_cap;
	bool msi_64, msi_pvm;
	unsigned int msi_vectors; /* 1 << MMC */
	/* MSI-X capability */
	unsigned int msix_cap;
	unsigned int msix_entries;
	unsigned int table_bar;
	uint64_t table_off;
	/* IMS store */
	bool ims;
	struct msk_pci_ims_store ims_store;

	bool msi_enabled, msix_enabled;
	unsigned int nvec;
};

/* pci_dev.c: config access with errors reported by the caller's context. */
uint32_t pci_cfg_read(struct msk_pci_dev *p, unsigned int off, unsigned int size);
void pci_cfg_write(struct msk_pci_dev *p, unsigned int off, uint32_t value, unsigned int size);
uint32_t pci_bar_read32(struct msk_pci_dev *p, unsigned int bar, uint64_t off);
void pci_bar_write32(struct msk_pci_dev *p, unsigned int bar, uint64_t off, uint32_t value);
void pci_set_master(struct msk_pci_dev *p);

/* pci_chip.c: device-domain templates and their chips. */
void pci_msix_template(struct msk_msi_domain_template *t);
void pci_msi_template(struct msk_msi_domain_template *t);
void pci_ims_template(struct msk_msi_domain_template *t);
/* MSI-X entry mask bit through the table (cached in desc->pci.mask). */
void pci_msix_mask_entry(struct msk_pci_dev *p, struct msk_msi_desc *desc, bool mask);

/* pci_msix.c / pci_msi.c */
int pci_msix_enable(struct msk_pci_dev *p, unsigned int nvec,
		    const struct msk_irq_affinity_desc *masks);
void pci_msix_disable(struct msk_pci_dev *p);
int pci_msi_enable(struct msk_pci_dev *p, unsigned int nvec,
		   const struct msk_irq_affinity_desc *masks);
void pci_msi_disable(struct msk_pci_dev *p);
/* Make sure slot 0 holds a domain of this kind (replacing the other kind). */
int pci_setup_domain(struct msk_pci_dev *p, bool msix);

#endif
