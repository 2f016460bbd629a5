/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_HW_PCI_H
#define MSIKIT_HW_PCI_H

/*
 * A PCI function model (type 0 header) with an MSI capability, an MSI-X
 * capability (table + PBA in memory BARs) and an IDXD-style Interrupt
 * Message Store, as a VMM would expose it to an untrusted guest. The guest
 * (or msikit's PCI layer playing the OS) programs it only through config
 * space and BAR MMIO; the device side signals events with
 * msk_pcifn_raise() / msk_pcifn_ims_raise().
 *
 * Config space (4 KiB). Accesses of 1, 2 or 4 bytes at any offset; an
 * access is applied as the dword-bounded pieces it covers (like an ECAM
 * split), each piece taking effect before the next. 8-byte accesses are
 * accepted as two dword accesses, low then high. Implemented registers:
 *   0x00 vendor/device, 0x08 revision/class, 0x2C subsystem IDs: RO.
 *   0x04 Command: only Memory Space Enable (bit 1), Bus Master Enable
 *        (bit 2) and INTx Disable (bit 10) are RW; the rest reads 0.
 *   0x06 Status: RO; bit 4 (capability list) set when a capability exists.
 *   0x0C cache line size: RW storage. 0x3C interrupt line: RW storage.
 *   0x3D interrupt pin: 0 (INTx is not modelled).
 *   0x10-0x24 BARs: memory BARs only (32- or 64-bit, optionally
 *        prefetchable) with the sizing protocol (address bits below the
 *        size read 0, type bits RO); unimplemented BARs and the expansion
 *        ROM BAR read 0.
 *   Capabilities: PCI Express (optional, only to offer Function Level
 *   Reset), MSI, MSI-X with exactly the RW bits of the PCI spec (see below);
 *   everything else RO. Writes to RO bits are ignored. 0x100-0xFFF reads 0
 *   (or the bytes of a 4 KiB image, RO).
 *
 * MSI (cap ID 0x05): Message Control bits 0 (enable) and 6:4 (MME) RW, MME
 * clamped to MMC; Message Address bits 1:0 hard-wired 0; Upper Address
 * only when 64-bit capable; 16-bit Message Data (no extended data); with
 * per-vector masking, Mask bits RW for the capable vectors only and
 * Pending bits RO. Vector k of 2^MME is sent with data (data & ~(N-1)) | k.
 *
 * MSI-X (cap ID 0x11): Message Control bits 14 (function mask) and 15
 * (enable) RW, Table Size and locators RO. Table entries are 16 bytes
 * (address low with bits 1:0 hard-wired 0, address high, data, vector
 * control with only bit 0 (mask) RW). Table and PBA accept naturally
 * aligned 4- and 8-byte accesses; an 8-byte write is the low dword then
 * the high dword, mask transitions evaluated after each. Any other size or
 * alignment: writes are ignored, reads return 0. The PBA is read-only.
 * Reset: every entry masked, everything else zero.
 *
 * IMS: N entries of 16 bytes in a BAR, laid out like MSI-X entries
 * (address low/high, data, control). Control bit 0 = mask, bit 3 = PASID
 * enable and bits 31:12 = PASID are RW storage (PASID is not used);
 * other bits read 0. Same access rules as the MSI-X table. IDXD does not
 * document a pending-bit array; this model latches: an event on a masked
 * entry is held and sent once when the entry is unmasked. IMS is
 * independent of the MSI / MSI-X enables (only Bus Master Enable gates it).
 * Reset: every entry masked, everything else zero.
 *
 * Other BAR bytes read 0 and ignore writes. Changing an entry's address or
 * data while it is unmasked is undefined by the spec; here the change
 * applies to the next message sent.
 *
 * Events. msk_pcifn_raise(fn, k) first counts the event in the bus's
 * ledger, then:
 *   Bus Master Enable clear              -> lost "bus-master-off"
 *   MSI-X enabled (wins if MSI is too)   -> k >= table size: lost
 *     "vector-out-of-range"; masked (function mask or entry mask): PBA bit
 *     set, weight held (accumulating); else the message is written.
 *   MSI enabled                          -> k >= 2^MME: lost
 *     "vector-out-of-range"; per-vector masked: pending bit set, weight
 *     held; else the message is written.
 *   neither, function has MSI-X          -> policy drop: lost
 *     "msix-disabled"; policy latch: as if function-masked (PBA bit set).
 *   neither, no MSI-X capability         -> lost "no-msi-mode".
 * A held weight is sent exactly once, in one message carrying the whole
 * weight, when the vector becomes deliverable (entry unmask, function mask
 * clear, MSI-X/MSI enable, MME raised); if Bus Master Enable is clear at
 * that moment the weight is lost "bus-master-off". Pending bits set while
 * MSI-X (or MSI) was enabled stay held when it is disabled, and are sent
 * once it is enabled again and the vector is unmasked. A weight that would
 * overflow a pending slot (2^32 - 1) is lost "pending-overflow".
 * A message write that reaches one of this function's own BARs (a
 * misprogrammed address) is not applied: its weight is lost "no-doorbell".
 *
 * Reset (msk_pcifn_reset, or Initiate FLR in the PCI Express capability)
 * returns config space, the MSI-X table, the PBA and IMS to their reset
 * state; held weights are lost "device-reset". Destruction loses them as
 * "device-removed".
 *
 * BAR decoding: unless created with manual_bars, the function decodes each
 * implemented BAR on its bus (msk_bus_map) at the address programmed in
 * its BAR register whenever Command.Memory Space Enable is set, and stops
 * decoding (msk_bus_unmap) when it is cleared or the address changes. If
 * the bus refuses the mapping (the address overlaps RAM or another
 * region), that BAR is simply not decoded until the next config write.
 * msk_pcifn_bar_read/write reach a BAR directly, whatever Memory Space
 * Enable says (a VMM's own path to the device).
 *
 * Threads: every call is thread-safe (one mutex per function; messages are
 * written with no lock held, so a doorbell may call back into the
 * function). Calls that can map or unmap BARs (msk_pcifn_create*,
 * msk_pcifn_cfg_write, msk_pcifn_reset, msk_pcifn_destroy) must not be
 * made from inside a bus MMIO handler (msk_bus_unmap waits for them).
 * While another thread is delivering, a weight may briefly be neither held
 * nor yet delivered (a message in flight).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/hw.h>
#include <msikit/ledger.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_PCIFN_CFG_SIZE  4096u
#define MSK_PCIFN_NUM_BARS  6u
#define MSK_PCIFN_MSI_MAX   32u
#define MSK_PCIFN_MSIX_MAX  2048u
#define MSK_PCIFN_IMS_MAX   16384u
#define MSK_PCIFN_BAR_MIN   4096ull
#define MSK_PCIFN_BAR32_MAX (1ull << 31)
#define MSK_PCIFN_BAR64_MAX (1ull << 48)

/* msk_pcifn_config.bar_flags[] bits. */
#define MSK_PCIFN_BAR_64       0x1u /* 64-bit memory BAR (uses the next slot too) */
#define MSK_PCIFN_BAR_PREFETCH 0x2u /* prefetchable */

/* What an event raised while MSI-X (and MSI) is disabled becomes. */
enum msk_pcifn_while_disabled {
	MSK_PCIFN_MSIX_DROP = 0,  /* lost "msix-disabled" */
	MSK_PCIFN_MSIX_LATCH = 1, /* PBA bit set, as if function-masked */
};

/* Where a structure lives: BAR index (0-5) and byte offset. */
struct msk_pcifn_loc {
	bool set; /* false: the model chooses (see msk_pcifn_create) */
	unsigned int bar;
	uint32_t offset; /* 8-byte aligned */
};

/* A function built from scratch. Zero-initialise, then fill in. */
struct msk_pcifn_config {
	const char *name;	   /* for messages; NULL: "BB:DD.F" */
	unsigned int bus, dev, fn; /* bus 0-255, device 0-31, function 0-7 */
	uint16_t vendor_id, device_id;
	uint16_t subsys_vendor_id, subsys_id;
	uint8_t revision;
	uint32_t class_code; /* 24 bits: class, subclass, prog-if */

	unsigned int msi_vectors; /* 0 = no MSI cap; else 1, 2, 4, 8, 16 or 32 */
	bool msi_64bit;		  /* 64-bit address capable */
	bool msi_pvm;		  /* per-vector masking capable */

	unsigned int msix_entries; /* 0 = no MSI-X cap; else 1..2048 */
	struct msk_pcifn_loc msix_table, msix_pba;
	enum msk_pcifn_while_disabled msix_while_disabled;

	unsigned int ims_entries; /* 0 = no IMS; else 1..MSK_PCIFN_IMS_MAX */
	struct msk_pcifn_loc ims;

	uint64_t bar_size[MSK_PCIFN_NUM_BARS]; /* 0 = derived from contents */
	unsigned int bar_flags[MSK_PCIFN_NUM_BARS];

	bool pcie_flr;	  /* add a PCI Express cap offering FLR */
	bool manual_bars; /* never decode BARs on the bus */
};

/* Options for a function built from a config-space image. */
struct msk_pcifn_image_opts {
	const char *name; /* NULL: "BB:DD.F" */
	unsigned int bus, dev, fn;
	enum msk_pcifn_while_disabled msix_while_disabled;
	uint64_t bar_size[MSK_PCIFN_NUM_BARS]; /* 0 = derived (see below) */
	unsigned int ims_entries;	       /* optional IMS, location required */
	struct msk_pcifn_loc ims;
	bool keep_state; /* start with the image's RW register values */
	bool manual_bars;
};

struct msk_pcifn;

/*
 * Create a function on `bus` (its messages go there, its losses to the
 * bus's ledger). Validation: device <= 31, function <= 7, class <= 24 bits,
 * MSI vectors a power of two <= 32, MSI-X entries <= 2048, IMS entries <=
 * MSK_PCIFN_IMS_MAX, BAR flags known, a 64-bit BAR not in slot 5 and its
 * upper slot unused, explicit BAR sizes powers of two >= 4 KiB (<= 2 GiB
 * for 32-bit, <= 2^48 for 64-bit), locations 8-byte aligned in a BAR that
 * holds them, MSI-X table / PBA / IMS not overlapping. Defaults: a MSI-X
 * table or PBA without a location goes in the lowest free BAR (table at
 * 0, PBA at max(2 KiB, table size)), then IMS in the next free BAR at 0; a
 * BAR without an explicit size gets the smallest power of two >= 4 KiB
 * that holds its contents. Capabilities: PCI Express at 0x40 (if
 * pcie_flr), MSI at 0x80, MSI-X at 0xA0. The function starts in its reset
 * state. Returns 0; -MSK_EINVAL (bad config, message says what) or
 * -MSK_ENOMEM, and then nothing was created.
 */
int msk_pcifn_create(struct msk_bus *bus, const struct msk_pcifn_config *cfg,
		     struct msk_pcifn **out);

/*
 * Create a function from `len` bytes (64..4096) of config space as read
 * from /sys/bus/pci/devices/.../config. The header must be type 0 with a
 * vendor ID other than 0xFFFF. The capability list is walked safely
 * (pointers below 0x40 end it, loops end it, at most 48 entries); the
 * first MSI and the first MSI-X capability become live registers (their
 * capable/size/locator fields as read; a malformed one is -MSK_EINVAL),
 * every other byte is read-only as read, except that RW1C status bits and
 * the INTx status bit read 0. BARs: memory BARs keep their type bits;
 * one that holds the MSI-X table/PBA (or IMS) gets the smallest power of
 * two >= 4 KiB covering them unless opts->bar_size gives one; a BAR with
 * neither is not implemented (reads 0); I/O BARs are not modelled. With
 * keep_state the RW registers (Command, BAR addresses, MSI and MSI-X
 * control/address/data/mask) start with the image's values; otherwise
 * the function starts in its reset state. The MSI-X table always starts
 * in its reset state (it is not part of config space). Returns 0,
 * -MSK_EINVAL or -MSK_ENOMEM (nothing created).
 */
int msk_pcifn_create_from_image(struct msk_bus *bus, const void *image, size_t len,
				const struct msk_pcifn_image_opts *opts, struct msk_pcifn **out);

/*
 * Remove the function: stop decoding its BARs, lose what it holds
 * ("device-removed"), free it. No other call on fn may run concurrently
 * or later. NULL is ignored.
 */
void msk_pcifn_destroy(struct msk_pcifn *fn);

/*
 * Function Level Reset: config space, MSI-X table, PBA, MSI and IMS state
 * back to reset values (BARs stop decoding); held weights are lost
 * "device-reset". Always returns 0.
 */
int msk_pcifn_reset(struct msk_pcifn *fn);

/* The requester ID, bus << 8 | dev << 3 | fn. */
uint16_t msk_pcifn_rid(const struct msk_pcifn *fn);

/* The name given at creation (or "BB:DD.F"). */
const char *msk_pcifn_name(const struct msk_pcifn *fn);

/*
 * Config space access of `size` 1, 2, 4 or 8 bytes at off (any
 * alignment), off + size <= 4096. Returns 0, or -MSK_EINVAL for a bad size
 * or range (then a read gives all-ones and a write changes nothing).
 */
int msk_pcifn_cfg_read(struct msk_pcifn *fn, unsigned int off, unsigned int size, uint64_t *value);
int msk_pcifn_cfg_write(struct msk_pcifn *fn, unsigned int off, uint64_t value, unsigned int size);

/*
 * A memory access of `size` 1, 2, 4 or 8 bytes at offset off of BAR
 * `bar`, as if it had been decoded (the guest's odd accesses behave as the
 * header says). Returns 0, or -MSK_EINVAL for a BAR index that is not an
 * implemented BAR, a bad size or an access beyond the BAR (then a read
 * gives 0 and a write changes nothing).
 */
int msk_pcifn_bar_read(struct msk_pcifn *fn, unsigned int bar, uint64_t off, unsigned int size,
		       uint64_t *value);
int msk_pcifn_bar_write(struct msk_pcifn *fn, unsigned int bar, uint64_t off, uint64_t value,
			unsigned int size);

/*
 * The device signals vector `index` (MSI-X entry, or MSI vector number)
 * standing for `weight` (>= 1) coalesced events; msk_pcifn_raise is
 * weight 1. What happens is described above. Returns 0 when the event
 * entered the model (whatever its fate), or -MSK_EINVAL (weight 0, or
 * index >= max(MSI-X table size, MSI vectors capable): a device-model bug,
 * not an event; nothing is counted).
 */
int msk_pcifn_raise(struct msk_pcifn *fn, unsigned int index);
int msk_pcifn_raise_weight(struct msk_pcifn *fn, unsigned int index, uint32_t weight);

/* The same for IMS entry `index`; -MSK_EINVAL if index >= IMS entries. */
int msk_pcifn_ims_raise(struct msk_pcifn *fn, unsigned int index);
int msk_pcifn_ims_raise_weight(struct msk_pcifn *fn, unsigned int index, uint32_t weight);

/* Total weight held in pending bits (MSI-X PBA, MSI pending, IMS). */
uint64_t msk_pcifn_held(struct msk_pcifn *fn);

/* ---- introspection (tests, reports) ---------------------------------- */

/* One MSI-X table entry or IMS entry as the device sees it. */
struct msk_pcifn_vector {
	uint64_t addr;
	uint32_t data;
	uint32_t control; /* vector control / IMS control word */
	bool masked;	  /* the entry's own mask bit */
	bool pending;	  /* PBA bit (MSI-X) / latched (IMS) */
	uint32_t pending_weight;
	uint64_t sent; /* messages sent for this entry */
};

/* 0, or -MSK_EINVAL if there is no such entry (out unchanged). */
int msk_pcifn_msix_entry(struct msk_pcifn *fn, unsigned int index, struct msk_pcifn_vector *out);
int msk_pcifn_ims_entry(struct msk_pcifn *fn, unsigned int index, struct msk_pcifn_vector *out);

struct msk_pcifn_msix_state {
	unsigned int cap; /* capability offset, 0 = no MSI-X */
	unsigned int entries;
	bool enabled, function_mask;
	unsigned int table_bar, pba_bar;
	uint32_t table_offset, pba_offset;
	enum msk_pcifn_while_disabled while_disabled;
	unsigned int pending; /* PBA bits set */
};

struct msk_pcifn_msi_state {
	unsigned int cap;			       /* capability offset, 0 = no MSI */
	unsigned int vectors_capable, vectors_enabled; /* 2^MMC, 2^MME */
	bool enabled, is_64bit, pvm;
	uint64_t addr;
	uint16_t data;
	uint32_t mask, pending;
	uint32_t pending_weight[MSK_PCIFN_MSI_MAX];
	uint64_t sent[MSK_PCIFN_MSI_MAX];
};

struct msk_pcifn_ims_state {
	unsigned int entries;
	unsigned int bar;
	uint32_t offset;
	unsigned int pending;
};

/* Copies of the state; 0 always (a function without the capability reports cap 0). */
int msk_pcifn_msix_state(struct msk_pcifn *fn, struct msk_pcifn_msix_state *out);
int msk_pcifn_msi_state(struct msk_pcifn *fn, struct msk_pcifn_msi_state *out);
int msk_pcifn_ims_state(struct msk_pcifn *fn, struct msk_pcifn_ims_state *out);

struct msk_pcifn_bar_info {
	uint64_t size;	    /* 0: not implemented */
	unsigned int flags; /* MSK_PCIFN_BAR_* */
	uint64_t address;   /* programmed in config space */
	bool decoded;	    /* mapped on the bus right now */
	uint64_t decoded_at;
};

/* 0, or -MSK_EINVAL for bar >= 6 (a 64-bit BAR's upper slot reports size 0). */
int msk_pcifn_bar_info(struct msk_pcifn *fn, unsigned int bar, struct msk_pcifn_bar_info *out);

/* Counters since creation. raised == weight_sent + held + lost always. */
struct msk_pcifn_stats {
	uint64_t raised;			/* weight raised */
	uint64_t msgs_msix, msgs_msi, msgs_ims; /* message writes issued */
	uint64_t weight_sent;			/* weight those messages carried */
	uint64_t held;
	uint64_t lost; /* weight the function itself lost */
	uint64_t lost_by_reason[MSK_LOSS__COUNT];
	uint64_t resets;
};

void msk_pcifn_stats(struct msk_pcifn *fn, struct msk_pcifn_stats *out);

#ifdef __cplusplus
}
#endif
#endif
