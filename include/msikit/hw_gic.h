/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_HW_GIC_H
#define MSIKIT_HW_GIC_H

/*
 * A model of an Arm GICv3 with LPIs: one redistributor (RD) per CPU and one
 * Interrupt Translation Service (ITS), physical LPIs only (no GICv4, no
 * distributor, no SGIs/PPIs/SPIs). The guest programs it exactly as on
 * hardware: MMIO registers on the bus, tables and the command queue in
 * guest RAM. It is safe for an untrusted guest: every access of any size
 * at any offset, any table contents and any command ends in an
 * architected or documented outcome, with bounded work per access.
 *
 * Bus layout (all offsets little-endian):
 *   redist_base + cpu * 0x20000   RD_base frame (64 KiB) then SGI_base frame
 *                                 (64 KiB, RAZ/WI: SGIs/PPIs not modelled)
 *   its_base                      ITS control frame (64 KiB)
 *   its_base + 0x10000            ITS translation frame; GITS_TRANSLATER at
 *                                 its_base + 0x10040
 *
 * Register access rules (both frames): a 64-bit register is accessed by an
 * aligned 8-byte access or an aligned 4-byte access to either half; a
 * 32-bit register by an aligned 4-byte access. Any other size or alignment,
 * and any unassigned offset, reads as zero and ignores writes (counted in
 * msk_its_stats.bad_accesses; the RD SGI_base frames are plain RAZ/WI).
 * GITS_TRANSLATER takes 2- or 4-byte writes (the EventID, zero-extended)
 * and reads as zero.
 *
 * ---- Redistributor -------------------------------------------------------
 * GICR_CTLR: EnableLPIs (bit 0) only; other bits RAZ/WI (RWP reads 0: every
 *   effect is complete when the access returns).
 *   0 -> 1: the RD loads the whole LPI configuration table into the config
 *   cache and, unless PENDBASER.PTZ was written as 1, imports the pending
 *   table: each set bit becomes a pending LPI of weight 0 (no device event
 *   stands behind it). From then on the RD OWNS the pending table: the model
 *   keeps the pending state and writes every change through to RAM (bit
 *   INTID % 8 of byte INTID / 8), never reads it back, and guest writes to it
 *   have no effect on delivery.
 *   1 -> 0 (permitted, IMPLEMENTATION DEFINED architecturally): every LPI
 *   pending in this RD is dropped, its weight lost as "lpis-disabled"; the
 *   RAM table keeps the last state written through. Incoming LPIs for an RD
 *   with EnableLPIs = 0 are lost as "lpis-disabled".
 * GICR_IIDR: MSK_GICR_IIDR_VALUE. GICR_TYPER: PLPIS = 1, VLPIS = 0, DirectLPI = 0,
 *   Last on the last RD, Processor_Number = cpu, CommonLPIAff = 0 (all RDs
 *   share one configuration table), Affinity_Value Aff0 = cpu & 0xff,
 *   Aff1 = cpu >> 8.
 * GICR_WAKER: ProcessorSleep (bit 1) RW, ChildrenAsleep (bit 2) mirrors it;
 *   resets to asleep (0x6) as hardware does. It does not gate delivery.
 * GICR_PROPBASER / GICR_PENDBASER: the layouts of the GICv3 spec (IDbits,
 *   cacheability, shareability, PA); writable only while EnableLPIs = 0,
 *   writes while EnableLPIs = 1 are ignored (architecturally UNPREDICTABLE).
 *   PENDBASER.PTZ is write-only and reads as 0. The LPI range of an RD is
 *   8192 .. 2^(min(IDbits + 1, lpi_id_bits)) - 1; with IDbits + 1 < 14 the
 *   RD has no LPIs (every LPI for it is lost as "lpi-out-of-range").
 * GICR_PIDR2 (0xFFE8): ArchRev 3 (0x3B). Everything else RAZ/WI.
 *
 * LPI configuration: one byte per LPI (priority bits 7:2, Enable bit 0)
 * at PROPBASER.PA + INTID - 8192. The GIC keeps one configuration cache
 * shared by all RDs (CommonLPIAff = 0). It is filled when an RD sets
 * EnableLPIs and refreshed only by INV (one LPI) and INVALL (the whole
 * table, read through the target RD's PROPBASER); a table change without
 * INV/INVALL is not seen (as the architecture permits). An unreadable byte
 * reads as 0 (disabled). A pending LPI that is disabled stays pending
 * (held) and becomes deliverable after it is enabled and invalidated.
 *
 * The CPU interface is msk_gic_ack()/msk_gic_eoi(); the model has no
 * running priority or priority mask, so ack hands out the highest-priority
 * (numerically lowest priority, then lowest INTID) pending enabled LPI.
 *
 * ---- ITS -------------------------------------------------------------------
 * GITS_CTLR: Enabled (bit 0) RW, Quiescent (bit 31) RO = !Enabled (work is
 *   synchronous, nothing is ever in flight). Setting Enabled needs
 *   CBASER.Valid, BASER0.Valid and BASER1.Valid (as KVM); otherwise the write
 *   leaves Enabled at 0. Commands are processed only while Enabled.
 * GITS_TYPER (RO): Physical = 1, Virtual = 0, ITT_entry_size = 7 (8-byte
 *   ITEs), ID_bits = eventid_bits - 1, Devbits = devbits - 1, SEIS = 0,
 *   PTA = 0 (RDbase = processor number), HCC = hcc, CIL = (cidbits < 16),
 *   CIDbits = cidbits - 1 when CIL.
 * GITS_CBASER: Size, Shareability, cacheability, PA[51:12] (4 KiB aligned),
 *   Valid. A write (only while Enabled = 0; ignored otherwise) resets
 *   CREADR and CWRITER to 0 and clears Stalled.
 * GITS_CWRITER: Offset (bits 19:5) RW, Retry (bit 0) write-only. An Offset
 *   beyond the queue is ignored (as KVM). GITS_CREADR (RO): Offset, Stalled.
 * GITS_BASER0 (Type 1, devices) and GITS_BASER1 (Type 4, collections):
 *   Size, Page_Size (4/16/64 KiB; 3 reads back as 2), Shareability,
 *   cacheability, PA, Indirect, Valid writable; Entry_Size (8 bytes) and Type
 *   RO. Writes while Enabled are ignored. GITS_BASER2..7: Type 0, RAZ/WI.
 *   PA follows Page_Size: 4/16 KiB pages use bits 47:12 (aligned to the page
 *   size), 64 KiB pages put PA[47:16] in 47:16 and PA[51:48] in 15:12.
 *   Indirect tables: level-1 entries are 8 bytes, bit 63 Valid, bits 51:12
 *   the level-2 page (aligned to Page_Size); a level-2 page holds
 *   Page_Size / 8 entries.
 * GITS_IIDR: MSK_GITS_IIDR_VALUE. GITS_PIDR2 (0xFFE8): ArchRev 3 (0x3B).
 *
 * In-memory formats (IMPLEMENTATION DEFINED, little-endian 64-bit words):
 *   DTE  bit 63 Valid | bits 51:8 ITT address | bits 4:0 Size (EventIDs =
 *        2^(Size + 1))
 *   CTE  bit 63 Valid | bits 15:0 target processor number
 *   ITE  bit 63 Valid | bits 47:32 ICID | bits 31:0 pINTID (physical)
 * Collections with ICID < hcc are held inside the model, not in RAM. The
 * ITT is not cleared by MAPD: software provides a zeroed ITT (as Linux does).
 *
 * Command queue: 32-byte commands at CBASER.PA; writing CWRITER (and reading
 * CREADR) processes at most `cmds_per_access` commands (default 64), so a
 * long queue drains over several accesses and a driver polling CREADR sees
 * steady progress. An INVALL (which may re-read the whole configuration
 * table) ends its batch. Physical commands MOVI, INT, CLEAR, SYNC, MAPD, MAPC,
 * MAPTI, MAPI, INV, INVALL, MOVALL, DISCARD have their architected effects;
 * every other opcode (GICv4 ones included) is an error
 * (MSK_ITS_E_UNKNOWN_COMMAND). SYNC has nothing to wait for and never fails
 * (unless a failure is injected, msk_its_inject_command_error).
 * MAPD V = 0 and MAPC V = 0 leave pending LPIs pending in their RDs, and
 * MAPC retargeting a mapped collection does not move them (software issues
 * MOVALL for that). Mapping an already mapped (DeviceID, EventID) overwrites
 * its ITE.
 *
 * Errors (codes below) are recorded in a log with opcode and queue offset.
 * Policy MSK_ITS_ERR_SKIP (default, as KVM and QEMU): the failing command
 * has no effect and processing carries on. MSK_ITS_ERR_STALL: CREADR stops
 * at the failing command with Stalled = 1; nothing is processed until
 * software writes CWRITER with Retry = 1, which clears Stalled and executes
 * the command at CREADR again (re-read from RAM, so software may have fixed
 * or replaced it); if it fails again the ITS stalls again. Writing CWRITER
 * without Retry while stalled only updates CWRITER.
 *
 * ---- Translation and event accounting ------------------------------------
 * A write to GITS_TRANSLATER carries the EventID; the DeviceID is the
 * writer's requester ID, through the optional RID -> DeviceID map of the
 * configuration (identity when the map is empty; with a map, an unmatched
 * RID is lost as "devid-out-of-range"). The write's weight (device events)
 * is then delivered by msk_gic_ack(), held pending in an RD, or lost:
 *   its-disabled        GITS_CTLR.Enabled = 0
 *   devid-out-of-range  DeviceID >= 2^devbits or beyond the device table
 *   no-mapping          level-2 page, DTE, ITE or collection not valid
 *   itt-out-of-range    EventID >= 2^(DTE.Size + 1)
 *   table-fault         a table or the pending table lies outside RAM
 *   lpis-disabled       target RD has EnableLPIs = 0
 *   lpi-out-of-range    pINTID outside the target RD's LPI range
 *   no-doorbell         a message write to any other ITS/RD offset
 *   bad-message         a message write to GITS_TRANSLATER of size 1 or 8
 * Events already pending coalesce: the pending LPI's weight grows. INT is a
 * software event: it raises weight 1 in the ledger, then is handled as a
 * translation. CLEAR and DISCARD lose the pending weight ("its-clear",
 * "its-discard"); MOVI and MOVALL carry it to the new RD (adding to a
 * pending LPI there). Destroying the GIC loses what it holds
 * ("device-removed").
 *
 * Threads: every call is thread-safe. The ITS has one mutex (registers,
 * commands, translation); each RD has its own (its registers, its pending
 * state, ack). The ITS takes RD locks, never the reverse, so a CPU acking
 * LPIs never waits for command processing. The notify callback runs with
 * an RD lock held and must not call back into the GIC.
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/hw.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_GIC_LPI_BASE    8192u    /* first LPI INTID */
#define MSK_GIC_MAX_CPUS    512u     /* redistributors per GIC */
#define MSK_GICR_STRIDE	    0x20000u /* RD_base + SGI_base frames */
#define MSK_GITS_FRAME_SIZE 0x20000u /* control + translation frames */
#define MSK_GICR_IIDR_VALUE 0x0100043Bu
#define MSK_GITS_IIDR_VALUE 0x0200043Bu

/* Redistributor register offsets (RD_base frame). */
#define MSK_GICR_CTLR		   0x0000u
#define MSK_GICR_IIDR		   0x0004u
#define MSK_GICR_TYPER		   0x0008u
#define MSK_GICR_WAKER		   0x0014u
#define MSK_GICR_PROPBASER	   0x0070u
#define MSK_GICR_PENDBASER	   0x0078u
#define MSK_GICR_PIDR2		   0xFFE8u

#define MSK_GICR_CTLR_ENABLE_LPIS  (1u << 0)
#define MSK_GICR_TYPER_PLPIS	   (1ull << 0)
#define MSK_GICR_TYPER_LAST	   (1ull << 4)
#define MSK_GICR_TYPER_PROCNUM(v)  (((v) >> 8) & 0xFFFFu)
#define MSK_GICR_WAKER_SLEEP	   (1u << 1)
#define MSK_GICR_WAKER_ASLEEP	   (1u << 2)
#define MSK_GICR_PROPBASER_IDBITS  0x1Full
#define MSK_GICR_PROPBASER_PA_MASK 0x000FFFFFFFFFF000ull
#define MSK_GICR_PENDBASER_PA_MASK 0x000FFFFFFFFF0000ull
#define MSK_GICR_PENDBASER_PTZ	   (1ull << 62)
#define MSK_GIC_LPI_PROP_ENABLE	   0x01u
#define MSK_GIC_LPI_PROP_GROUP1	   0x02u
#define MSK_GIC_LPI_PROP_PRIO(b)   ((b)&0xFCu)

/* ITS register offsets (from its_base). */
#define MSK_GITS_CTLR		       0x0000u
#define MSK_GITS_IIDR		       0x0004u
#define MSK_GITS_TYPER		       0x0008u
#define MSK_GITS_CBASER		       0x0080u
#define MSK_GITS_CWRITER	       0x0088u
#define MSK_GITS_CREADR		       0x0090u
#define MSK_GITS_BASER(n)	       (0x0100u + 8u * (n))
#define MSK_GITS_PIDR2		       0xFFE8u
#define MSK_GITS_TRANSLATER	       0x10040u

#define MSK_GITS_CTLR_ENABLED	       (1u << 0)
#define MSK_GITS_CTLR_QUIESCENT	       (1u << 31)
#define MSK_GITS_CBASER_VALID	       (1ull << 63)
#define MSK_GITS_CBASER_PA_MASK	       0x000FFFFFFFFFF000ull
#define MSK_GITS_CBASER_SIZE	       0xFFull
#define MSK_GITS_CWRITER_RETRY	       1ull
#define MSK_GITS_CREADR_STALLED	       1ull
#define MSK_GITS_OFFSET_MASK	       0xFFFE0ull
#define MSK_GITS_BASER_VALID	       (1ull << 63)
#define MSK_GITS_BASER_INDIRECT	       (1ull << 62)
#define MSK_GITS_BASER_TYPE(v)	       (((v) >> 56) & 7u)
#define MSK_GITS_BASER_ESIZE(v)	       ((((v) >> 48) & 0x1Fu) + 1u)
#define MSK_GITS_BASER_PSZ_SHIFT       8
#define MSK_GITS_BASER_PSZ_4K	       (0ull << 8)
#define MSK_GITS_BASER_PSZ_16K	       (1ull << 8)
#define MSK_GITS_BASER_PSZ_64K	       (2ull << 8)
#define MSK_GITS_BASER_SIZE	       0xFFull
#define MSK_GITS_BASER_TYPE_DEVICE     1u
#define MSK_GITS_BASER_TYPE_COLLECTION 4u
#define MSK_GITS_L1E_VALID	       (1ull << 63)

/* Command opcodes (DW0[7:0]). */
enum msk_its_cmd {
	MSK_ITS_CMD_MOVI = 0x01,
	MSK_ITS_CMD_INT = 0x03,
	MSK_ITS_CMD_CLEAR = 0x04,
	MSK_ITS_CMD_SYNC = 0x05,
	MSK_ITS_CMD_MAPD = 0x08,
	MSK_ITS_CMD_MAPC = 0x09,
	MSK_ITS_CMD_MAPTI = 0x0A,
	MSK_ITS_CMD_MAPI = 0x0B,
	MSK_ITS_CMD_INV = 0x0C,
	MSK_ITS_CMD_INVALL = 0x0D,
	MSK_ITS_CMD_MOVALL = 0x0E,
	MSK_ITS_CMD_DISCARD = 0x0F,
};

/*
 * Command error codes (0x01_CC_RR). The first group is architected (as
 * Linux's E_ITS_* names them); the last three are this model's own.
 */
#define MSK_ITS_E_MOVI_UNMAPPED_INTERRUPT    0x010107u
#define MSK_ITS_E_MOVI_UNMAPPED_COLLECTION   0x010109u
#define MSK_ITS_E_INT_UNMAPPED_INTERRUPT     0x010307u
#define MSK_ITS_E_CLEAR_UNMAPPED_INTERRUPT   0x010507u
#define MSK_ITS_E_MAPD_DEVICE_OOR	     0x010801u
#define MSK_ITS_E_MAPD_ITTSIZE_OOR	     0x010802u
#define MSK_ITS_E_MAPC_PROCNUM_OOR	     0x010902u
#define MSK_ITS_E_MAPC_COLLECTION_OOR	     0x010903u
#define MSK_ITS_E_MAPTI_UNMAPPED_DEVICE	     0x010A04u
#define MSK_ITS_E_MAPTI_ID_OOR		     0x010A05u
#define MSK_ITS_E_MAPTI_PHYSICALID_OOR	     0x010A06u
#define MSK_ITS_E_INV_UNMAPPED_INTERRUPT     0x010C07u
#define MSK_ITS_E_INVALL_UNMAPPED_COLLECTION 0x010D09u
#define MSK_ITS_E_MOVALL_PROCNUM_OOR	     0x010E01u
#define MSK_ITS_E_DISCARD_UNMAPPED_INTERRUPT 0x010F07u
/* Model-defined: unknown or unsupported (GICv4) opcode CC. */
#define MSK_ITS_E_UNKNOWN_COMMAND(op) (0x0100FFu | ((uint32_t)(op)&0xFFu) << 8)
/* Model-defined: a table entry the command needs lies outside RAM. */
#define MSK_ITS_E_TABLE_FAULT(op) (0x0100FEu | ((uint32_t)(op)&0xFFu) << 8)
/* Model-defined: the command itself could not be read (queue outside RAM). */
#define MSK_ITS_E_QUEUE_FAULT 0x01FFFDu
/*
 * Model-defined: the ITS failed the command for a reason of its own (an
 * "internal error"), not because of anything software wrote. The GICv3
 * architecture leaves command-error codes and their reporting
 * IMPLEMENTATION DEFINED; real ITSs raise such errors for RAS events (an
 * uncorrectable error in a cache or table walk the ITS cannot attribute
 * to the command's arguments). Reusing a code the command type raises for
 * a software mistake (E_ITS_MAPTI_UNMAPPED_DEVICE for a device that is
 * mapped) would tell the driver something false about its own tables, so
 * the model reports 0x01_CC_FC: CC the opcode, FC "internal error". It is
 * raised only by fault injection (msk_its_inject_command_error); the
 * failed command has no effect, and the error policy applies as for any
 * other error.
 */
#define MSK_ITS_E_INTERNAL(op) (0x0100FCu | ((uint32_t)(op)&0xFFu) << 8)

/* What the ITS does with a command that fails (see above). */
enum msk_its_error_policy {
	MSK_ITS_ERR_SKIP = 0,
	MSK_ITS_ERR_STALL = 1,
};

/* RIDs [rid_base, rid_base + count) become DeviceIDs devid_base + (rid - rid_base). */
struct msk_its_id_map {
	uint32_t rid_base;
	uint32_t devid_base;
	uint32_t count;
};

#define MSK_ITS_MAX_ID_MAPS 8u

/* A GIC's shape. Zero fields take the defaults in brackets. */
struct msk_gic_config {
	unsigned int nr_cpus;	      /* redistributors, 1..MSK_GIC_MAX_CPUS [1] */
	uint64_t redist_base;	      /* CPU 0's RD_base; 64 KiB aligned */
	uint64_t its_base;	      /* ITS control frame; 64 KiB aligned */
	unsigned int lpi_id_bits;     /* INTID bits of the RDs, 14..20 [16] */
	unsigned int devbits;	      /* ITS DeviceID bits, 1..32 [16] */
	unsigned int eventid_bits;    /* ITS EventID bits, 1..32 [16] */
	unsigned int cidbits;	      /* ICID bits, 1..16 [16] (16 = CIL 0) */
	unsigned int hcc;	      /* collections held in the ITS, 0..255 [0] */
	unsigned int cmds_per_access; /* commands per CWRITER write/CREADR read, 1..4096 [64] */
	enum msk_its_error_policy error_policy; /* [MSK_ITS_ERR_SKIP] */
	struct msk_its_id_map id_map[MSK_ITS_MAX_ID_MAPS];
	unsigned int nr_id_maps;      /* 0 = DeviceID is the requester ID */
	struct msk_cpu_notify notify; /* optional: a CPU may have an LPI to ack */
	/*
	 * false: msk_gic_ack reports the weight delivered (the caller is the
	 * CPU). true: ack hands the weight over without a ledger entry; the
	 * OS's interrupt core that runs the handler reports its fate (the
	 * arm64 platform with drivers).
	 */
	bool ack_hands_over;
};

struct msk_gic;

/*
 * Create a GIC on `bus` and map its RD and ITS regions. The config is
 * copied. Returns 0, -MSK_EINVAL (a field out of range, or misaligned
 * base), -MSK_EBUSY (the regions overlap RAM or another region) or
 * -MSK_ENOMEM; nothing is mapped on failure.
 */
int msk_gic_create(struct msk_bus *bus, const struct msk_gic_config *cfg, struct msk_gic **out);

/*
 * Unmap the regions and free the GIC. Every LPI still pending is lost as
 * "device-removed". No other call on this GIC may run concurrently.
 */
void msk_gic_destroy(struct msk_gic *gic);

/*
 * CPU `cpu` acknowledges its highest-priority pending enabled LPI: its
 * pending state is cleared (in the model and in the RAM pending table),
 * its weight reported delivered in the ledger (unless cfg.ack_hands_over)
 * and returned in *weight
 * (may be 0 for a pending bit imported from RAM). Returns 1 with *intid
 * set, 0 when nothing is deliverable (*intid = 1023, the spurious INTID;
 * *weight = 0), -MSK_EINVAL for a bad cpu. weight may be NULL.
 */
int msk_gic_ack(struct msk_gic *gic, unsigned int cpu, uint32_t *intid, uint64_t *weight);

/*
 * End of interrupt for an LPI `cpu` acknowledged. LPIs have no active
 * state and the model keeps no running priority, so this only counts
 * (msk_gic_rd_stats.eois). Returns 0, or -MSK_EINVAL for a bad cpu or an
 * INTID that is not an LPI of this GIC (nothing counted).
 */
int msk_gic_eoi(struct msk_gic *gic, unsigned int cpu, uint32_t intid);

/* Sum of the weights of every LPI pending in every RD. */
uint64_t msk_gic_held(const struct msk_gic *gic);

/* The number of redistributors. */
unsigned int msk_gic_nr_cpus(const struct msk_gic *gic);

/* ---- introspection (tests, reports) ------------------------------------ */

struct msk_gic_rd_stats {
	bool lpis_enabled;
	uint64_t pending; /* LPIs pending now */
	uint64_t held;	  /* their total weight */
	uint64_t acks;	  /* LPIs handed out by msk_gic_ack */
	uint64_t eois;
	uint64_t kicks; /* notify calls for this CPU */
};

/* Counters of RD `cpu`. 0 or -MSK_EINVAL (bad cpu; *out unchanged). */
int msk_gic_rd_stats(const struct msk_gic *gic, unsigned int cpu, struct msk_gic_rd_stats *out);

/*
 * Is `intid` pending in RD `cpu`? Returns 1 (with its weight in *weight
 * unless NULL), 0, or -MSK_EINVAL for a bad cpu.
 */
int msk_gic_lpi_pending(const struct msk_gic *gic, unsigned int cpu, uint32_t intid,
			uint64_t *weight);

/*
 * The cached configuration byte of LPI `intid` (what delivery uses, which
 * may differ from RAM until INV/INVALL). Returns the byte (0..255) or
 * -MSK_EINVAL when intid is not an LPI of this GIC.
 */
int msk_gic_lpi_config(const struct msk_gic *gic, uint32_t intid);

struct msk_its_error {
	uint32_t code;	 /* MSK_ITS_E_* */
	uint8_t opcode;	 /* DW0[7:0] of the failing command */
	uint32_t offset; /* its queue offset (CREADR) */
};

#define MSK_ITS_ERROR_LOG_SIZE 64u

struct msk_its_stats {
	uint64_t commands;	/* commands executed (successfully or not) */
	uint64_t by_opcode[16]; /* executed commands per physical opcode 0x00..0x0F */
	uint64_t errors;	/* command errors recorded (the log keeps the last 64) */
	uint64_t stalls;	/* times the queue stalled */
	uint64_t translations;	/* TRANSLATER writes and INTs that made an LPI pending */
	uint64_t dropped;	/* TRANSLATER writes and INTs that were lost */
	uint64_t bad_accesses;	/* register accesses ignored for size/alignment/offset */
};

/* A snapshot of the ITS counters. */
void msk_its_stats(const struct msk_gic *gic, struct msk_its_stats *out);

/*
 * Copy up to `max` of the most recent command errors, oldest first, into
 * out. Returns the number copied (at most MSK_ITS_ERROR_LOG_SIZE).
 */
unsigned int msk_its_errors(const struct msk_gic *gic, struct msk_its_error *out, unsigned int max);

/* The most recent command error code, or 0 if none. */
uint32_t msk_its_last_error(const struct msk_gic *gic);

struct msk_its_device_info {
	uint32_t devid;
	uint64_t itt_addr;
	uint64_t nr_events; /* 2^(Size + 1) */
};

/*
 * Look up DeviceID `devid` in the device table in guest RAM (as the ITS
 * would). Returns 1 (mapped; *out filled), 0 (not mapped), or
 * -MSK_EFAULT when the table cannot be read or BASER0 is not valid.
 */
int msk_its_device(const struct msk_gic *gic, uint32_t devid, struct msk_its_device_info *out);

/*
 * Walk the device table and store up to `max` mapped devices in out, in
 * DeviceID order. At most `scan_limit` table entries are examined (bounded
 * work on a guest-sized table). Returns the number stored.
 */
unsigned int msk_its_mapped_devices(const struct msk_gic *gic, struct msk_its_device_info *out,
				    unsigned int max, uint64_t scan_limit);

/*
 * Resolve (devid, eventid) as a translation would, without side effects.
 * Returns 1 with the LPI and the target CPU, 0 when it would be dropped
 * (*reason = the loss reason), never fails otherwise. cpu may be NULL.
 * Only the ITS's part: msk_gic_msi_route() also asks the redistributor.
 */
int msk_its_lookup(const struct msk_gic *gic, uint32_t devid, uint32_t eventid, uint32_t *intid,
		   unsigned int *cpu, enum msk_loss *reason);

/* Where a message write would go (msk_gic_msi_route). */
struct msk_gic_msi_route {
	bool lost;	      /* the write would be lost ... */
	enum msk_loss reason; /* ... for this reason (the one the data path reports) */
	bool translated;      /* it reached GITS_TRANSLATER and its DeviceID was known */
	uint32_t devid, eventid;
	bool mapped;	  /* the ITE was found: intid and icid are valid */
	uint32_t intid;	  /* the LPI */
	uint32_t icid;	  /* its collection */
	unsigned int cpu; /* the target redistributor (not lost) */
	bool waits;	  /* the LPI is disabled in the configuration cache: held pending */
	char detail[96];  /* lost: where it stopped ("DeviceID 0x100 EventID 3: no ITE"); */
			  /* "" otherwise (the fields say where it goes) */
};

/*
 * Follow a device's message write (the 4-byte `data` msk_bus_msi writes
 * to `addr`, requester `rid`) through this GIC exactly as the data path
 * decides it - doorbell, RID -> DeviceID, ITS enable, DTE (flat or
 * two-level), ITE, collection, the target RD's EnableLPIs and LPI range,
 * its pending table, the LPI's cached Enable bit - without side effects:
 * no ledger entry, counter, pending state, cache fill or fault-injection
 * count. Returns 1 when addr lies in one of this GIC's frames (*out
 * filled), 0 when the GIC does not decode addr (*out cleared). The data
 * path's own allocations (pending state, RAM pages) are not subject to
 * fault injection; only a host out of memory could lose there ("table-fault").
 */
int msk_gic_msi_route(const struct msk_gic *gic, uint64_t addr, uint32_t rid, uint32_t data,
		      struct msk_gic_msi_route *out);

/* ---- fault injection (a test and simulation hook) ----------------------- */

/* What the command-error injection armed and did (msk_its_injection). */
struct msk_its_injection {
	uint64_t nth;	    /* armed: the nth command executed from arming fails (0: disarmed) */
	unsigned int count; /* commands that fail from the nth on, consecutively */
	uint64_t seen;	    /* commands executed since arming (while armed) */
	uint64_t fired;	    /* commands failed by injection since arming */
	char what[128];	    /* the first one that failed ("MAPTI DeviceID 0x100 EventID 3 ...") */
};

/*
 * Test and simulation hook, not hardware: the nth command the ITS executes
 * from now on (1 = the next; every executed command counts, SYNC
 * included, and a stalled command retried counts again) and the count - 1
 * commands executed right after it complete with
 * MSK_ITS_E_INTERNAL(opcode) instead of executing: no effect, the error
 * logged and the error policy applied (skipped, or the queue stalled) as
 * for any command error. Arming resets seen/fired/what; nth = 0 disarms
 * and keeps them for a report. Returns 0, or -MSK_EINVAL for count 0 with
 * nth > 0 (nothing changed).
 */
int msk_its_inject_command_error(struct msk_gic *gic, uint64_t nth, unsigned int count);

/* A snapshot of the command-error injection. */
void msk_its_injection(const struct msk_gic *gic, struct msk_its_injection *out);

#ifdef __cplusplus
}
#endif
#endif
