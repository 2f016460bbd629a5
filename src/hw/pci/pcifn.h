/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_PCI_PCIFN_H
#define MSK_HW_PCI_PCIFN_H

/*
 * Internals of the PCI function model (include/msikit/hw_pci.h), split by
 * concern:
 *   layout.c   validation, default placement and BAR sizing
 *   image.c    decoding a real config-space image into a layout
 *   cfgspace.c config-space bytes: building, write masks, accesses
 *   table.c    BAR MMIO: MSI-X table, PBA, IMS store
 *   bar.c      BAR dispatch and decoding on the bus
 *   event.c    raising events, pending slots, sending messages
 *   pcifn.c    creation, reset, destruction, introspection
 */

#include <msikit/hw_pci.h>

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Standard config-space offsets. */
#define PCI_VENDOR_ID	  0x00
#define PCI_COMMAND	  0x04
#define PCI_STATUS	  0x06
#define PCI_REVISION	  0x08
#define PCI_CACHE_LINE	  0x0C
#define PCI_HEADER_TYPE	  0x0E
#define PCI_BAR0	  0x10
#define PCI_SUBSYS_VENDOR 0x2C
#define PCI_ROM		  0x30
#define PCI_CAP_PTR	  0x34
#define PCI_INT_LINE	  0x3C
#define PCI_INT_PIN	  0x3D
#define PCI_HDR_END	  0x40

#define PCI_CMD_MEMORY	  0x0002u
#define PCI_CMD_MASTER	  0x0004u
#define PCI_CMD_INTX_DIS  0x0400u
#define PCI_STATUS_CAPS	  0x0010u
#define PCI_STATUS_INTX	  0x0008u
#define PCI_STATUS_RW1C	  0xF900u

#define PCI_CAP_ID_PCIE	  0x10
#define PCI_CAP_ID_MSI	  0x05
#define PCI_CAP_ID_MSIX	  0x11

/* MSI Message Control bits. */
#define MSI_CTL_ENABLE 0x0001u
#define MSI_CTL_MMC    0x000Eu
#define MSI_CTL_MME    0x0070u
#define MSI_CTL_64     0x0080u
#define MSI_CTL_PVM    0x0100u

/* MSI-X Message Control bits. */
#define MSIX_CTL_QSIZE	0x07FFu
#define MSIX_CTL_FMASK	0x4000u
#define MSIX_CTL_ENABLE 0x8000u

/* PCI Express capability (v2, endpoint): only what FLR needs. */
#define PCIE_CAP_SIZE	0x3C
#define PCIE_DEVCAP	0x04
#define PCIE_DEVCAP_FLR (1u << 28)
#define PCIE_DEVCTL	0x08
#define PCIE_DEVCTL_FLR 0x8000u

/* Where the synthesised capabilities live. */
#define SYNTH_PCIE_CAP	0x40
#define SYNTH_MSI_CAP	0x80
#define SYNTH_MSIX_CAP	0xA0

#define MSIX_ENTRY_SIZE 16u
#define MSIX_CTRL_MASK	0x1u
#define IMS_CTRL_RW	0xFFFFF009u /* mask, PASID enable, PASID */

/* One BAR slot of the layout. */
struct pcifn_bar_layout {
	uint64_t size;	    /* 0: not implemented */
	unsigned int flags; /* MSK_PCIFN_BAR_* */
	bool upper;	    /* upper dword of the 64-bit BAR below */
	bool io;	    /* an I/O BAR in an image: not modelled, can hold nothing */
	bool size_given;
};

/* Everything fixed at creation: geometry of the function. */
struct pcifn_layout {
	struct pcifn_bar_layout bar[MSK_PCIFN_NUM_BARS];
	unsigned int msi_cap, msi_mmc; /* msi_mmc = log2(vectors capable) */
	bool msi_64, msi_pvm;
	unsigned int msix_cap, msix_n;
	struct msk_pcifn_loc msix_table, msix_pba;
	enum msk_pcifn_while_disabled policy;
	unsigned int ims_n;
	struct msk_pcifn_loc ims;
	unsigned int pcie_cap;
	bool manual_bars;
};

/* An MSI-X table entry or IMS entry and its pending slot. */
struct pcifn_slot {
	uint32_t addr_lo, addr_hi, data, ctrl;
	uint32_t weight; /* held weight; nonzero = pending */
	uint64_t sent;
};

/* What an event or a released pending slot turns into, acted on unlocked. */
struct pcifn_out {
	enum { OUT_NONE, OUT_SEND, OUT_LOSE } kind;
	enum msk_loss reason;
	uint32_t weight;
	uint64_t addr;
	uint32_t data;
};

struct pcifn_bar_ctx {
	struct msk_pcifn *fn;
	unsigned int bar;
};

struct msk_pcifn {
	struct msk_bus *bus;
	struct msk_ledger *ledger;
	char name[32];
	uint16_t rid;
	struct pcifn_layout lay;

	pthread_mutex_t lock; /* everything below up to map_lock */
	uint8_t cfg[MSK_PCIFN_CFG_SIZE];
	uint8_t reset_cfg[MSK_PCIFN_CFG_SIZE];
	uint8_t wmask[256]; /* RW bits; 0x100+ is read-only */
	struct pcifn_slot *msix;
	struct pcifn_slot *ims;
	uint32_t msi_weight[MSK_PCIFN_MSI_MAX];
	uint64_t msi_sent[MSK_PCIFN_MSI_MAX];
	unsigned int msix_pending, ims_pending;
	uint64_t held;
	struct msk_pcifn_stats stats; /* .held unused: see held */

	pthread_mutex_t map_lock; /* serialises decoding changes; guards the fields below */
	bool mapped[MSK_PCIFN_NUM_BARS];
	uint64_t mapped_at[MSK_PCIFN_NUM_BARS];
	struct pcifn_bar_ctx ctx[MSK_PCIFN_NUM_BARS];
};

/* ---- little-endian config-space helpers ---- */
static inline uint16_t get16(const uint8_t *p, unsigned int off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}
static inline uint32_t get32(const uint8_t *p, unsigned int off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}
static inline void put16(uint8_t *p, unsigned int off, uint16_t v)
{
	p[off] = (uint8_t)v;
	p[off + 1] = (uint8_t)(v >> 8);
}
static inline void put32(uint8_t *p, unsigned int off, uint32_t v)
{
	for (unsigned int i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

/* ---- layout.c ---- */
/* Apply defaults, size the BARs, validate. `synth`: flags on an empty BAR are an error. */
int pcifn_layout_finish(struct pcifn_layout *lay, const char *who, bool synth);
/* Bytes of the MSI capability for this layout (10, 14, 20 or 24). */
unsigned int pcifn_msi_cap_size(bool is64, bool pvm);

/* ---- image.c ---- */
int pcifn_image_decode(const uint8_t *img, size_t len, const struct msk_pcifn_image_opts *opts,
		       const char *who, struct pcifn_layout *lay, uint8_t cfg[MSK_PCIFN_CFG_SIZE]);

/* ---- cfgspace.c ---- */
/* Header and capabilities of a function built from a msk_pcifn_config. */
void pcifn_cfg_synth(const struct msk_pcifn_config *c, const struct pcifn_layout *lay,
		     uint8_t cfg[MSK_PCIFN_CFG_SIZE]);
/* The RW bits of every register the model implements. */
void pcifn_cfg_wmask(const struct pcifn_layout *lay, uint8_t wmask[256]);
/* Register offsets inside the MSI capability. */
unsigned int pcifn_msi_data_off(const struct msk_pcifn *fn);
unsigned int pcifn_msi_mask_off(const struct msk_pcifn *fn);
unsigned int pcifn_msi_pend_off(const struct msk_pcifn *fn);
/* Clamp MME to MMC after a write (lock held). */
void pcifn_msi_clamp(struct msk_pcifn *fn);

/* ---- event.c (lock held unless said otherwise) ---- */
bool pcifn_bme(const struct msk_pcifn *fn);
bool pcifn_msix_enabled(const struct msk_pcifn *fn);
bool pcifn_msix_fmask(const struct msk_pcifn *fn);
bool pcifn_msi_enabled(const struct msk_pcifn *fn);
unsigned int pcifn_msi_mme(const struct msk_pcifn *fn);
/* Global slot numbering for flushes: MSI-X entries, then 32 MSI vectors, then IMS. */
unsigned int pcifn_gidx_ims(const struct msk_pcifn *fn);
/*
 * Send every pending slot in [from, to) that is deliverable now, each once
 * (lock NOT held; takes it per slot).
 */
void pcifn_flush(struct msk_pcifn *fn, unsigned int from, unsigned int to);
/* Act on an outcome (lock NOT held). */
void pcifn_emit(struct msk_pcifn *fn, const struct pcifn_out *out);
/* Count a loss in the function's stats (lock held); the caller reports it. */
void pcifn_count_loss(struct msk_pcifn *fn, enum msk_loss reason, uint64_t weight);
/* Report a 64-bit weight to the ledger in 32-bit pieces (lock NOT held). */
void pcifn_ledger_lose64(struct msk_pcifn *fn, enum msk_loss reason, uint64_t weight);

/* ---- table.c (lock held) ---- */
/* Read / write a naturally aligned dword of the MSI-X table or IMS. */
uint32_t pcifn_slot_read(const struct pcifn_slot *s, unsigned int dword);
/* Returns true when the write cleared the mask bit of a masked entry. */
bool pcifn_slot_write(struct pcifn_slot *s, unsigned int dword, uint32_t v, uint32_t ctrl_rw);
uint32_t pcifn_pba_read32(const struct msk_pcifn *fn, uint64_t dword_index);

/* ---- bar.c ---- */
uint64_t pcifn_bar_address(const struct msk_pcifn *fn, unsigned int bar); /* lock held */
/* Make bus decoding match config space (lock NOT held). `off`: stop decoding everything. */
void pcifn_bars_sync(struct msk_pcifn *fn, bool off);
/* The BAR access itself; off/size already validated against the BAR. */
uint64_t pcifn_bar_do_read(struct msk_pcifn *fn, unsigned int bar, uint64_t off, unsigned int size);
void pcifn_bar_do_write(struct msk_pcifn *fn, unsigned int bar, uint64_t off, uint64_t value,
			unsigned int size);

/* ---- pcifn.c ---- */
/* Back to reset state; returns the weight dropped (lock held; caller reports it). */
uint64_t pcifn_reset_locked(struct msk_pcifn *fn);
/* Reset, report, stop decoding (lock NOT held). */
void pcifn_do_reset(struct msk_pcifn *fn);

#endif
