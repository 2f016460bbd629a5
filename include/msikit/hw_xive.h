/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_HW_XIVE_H
#define MSIKIT_HW_XIVE_H

/*
 * POWER XIVE interrupt controller model and the pSeries (PAPR) firmware
 * interface in front of it: RTAS ibm,change-msi and
 * ibm,query-interrupt-source-number, and the H_INT_* hypervisor calls.
 *
 * ---- XIVE (msk_xive_*) -----------------------------------------------------
 *
 * N interrupt sources, numbered by LISN 0..N-1. Each has:
 *
 *   * a 2-bit ESB state PQ (P = 0x2, Q = 0x1). Reset state 01 = "off".
 *
 *	| PQ | trigger                      | EOI                          |
 *	| 00 | -> 10, notify                | stays 00                     |
 *	| 01 | stays 01, dropped (xive-off) | stays 01                     |
 *	| 10 | -> 11, coalesced             | -> 00                        |
 *	| 11 | stays 11, coalesced          | -> 10, notify again          |
 *
 *   * two ESB pages on the bus, each 2^esb_shift bytes: source n's even
 *     page (trigger page) is at esb_base + (2n << esb_shift), its odd page
 *     (management page) right after it. The operation is chosen by the low
 *     12 bits of the offset in the page (every 4 KiB of a 64 KiB page
 *     behaves the same):
 *
 *	trigger page, store     anything: trigger
 *	trigger page, load      all-ones, no effect
 *	management page, load   0x000-0x7FF EOI, returns 1 if it notified again, else 0
 *	                        0x800-0xBFF GET, returns PQ
 *	                        0xC00-0xFFF SET_PQ_00/01/10/11 (by 0x100 steps), returns old PQ
 *	management page, store  0x000-0x3FF trigger
 *	                        0x400-0x7FF Store-EOI (only if store_eoi; else ignored)
 *	                        0x800-0xBFF ignored (undefined)
 *	                        0xC00-0xFFF SET_PQ as for loads (store data ignored)
 *
 *     Access sizes: the architected accesses are 8 bytes, naturally
 *     aligned (values are the numbers a big-endian load/store carries).
 *     A 4-byte aligned store to a trigger page also triggers (a PCI
 *     function writing its 32-bit message there). Every other access
 *     (1/2 bytes, 4 bytes elsewhere, unaligned) has no effect: loads
 *     return all-ones, stores are ignored.
 *
 *   * an EAS: valid, masked, target END (CPU, priority 0..7) and EISN
 *     (31 bits, the event data written into the queue).
 *
 * One END per (CPU, priority): an event queue of 2^qshift bytes in guest
 * RAM, holding 32-bit big-endian entries (generation << 31 | EISN). The
 * producer starts at index 0 with generation 1, writes the entry at the
 * index, advances it, and flips the generation when the index wraps. The
 * consumer (msk_xive_take) reads like Linux: toggle starts at 0, an entry
 * is valid when its bit 31 differs from the toggle, the toggle flips when
 * the consumer index wraps.
 *
 * Notification path of a trigger: the PQ transition decides whether to
 * notify; the notification reads the EAS (invalid: lost
 * "xive-invalid-source"; masked: lost "xive-eas-masked"), then the END (no
 * queue: lost "xive-no-queue"; queue full: lost "xive-queue-overflow"),
 * writes the EQ entry and kicks the target CPU. In the three "lost" cases
 * the source stays in P = 1, as on hardware (the ESB moved before the
 * router looked): further triggers coalesce into Q until the source is
 * EOIed or its PQ set. This is "masked but pending", unlike a source that
 * is off (PQ = 01), which drops every trigger.
 *
 * Queue full: the model tracks what the CPU has taken; when every slot of
 * the queue holds an entry not yet taken, a new notification is not
 * written and its weight is lost ("xive-queue-overflow"). Real hardware
 * would overwrite the oldest entry, flipping its generation so the whole
 * queue looks empty to the OS; the model refuses instead.
 *
 * Event weights (msikit/ledger.h). Where the model holds weight:
 *
 *   * at a source: the weight of triggers that arrived while P = 1
 *     (coalesced in Q) and that no notification has carried yet. The next
 *     notification of the source - whatever produces it: EOI with Q = 1,
 *     a trigger from PQ = 00 (e.g. the OS's re-trigger store after
 *     SET_PQ_00 returned Q = 1), H_INT_ESB - carries all of it (up to
 *     2^32 - 1 per notification; any excess stays held). SET_PQ_00 and
 *     SET_PQ_11 keep it; SET_PQ_01 or SET_PQ_10 from QUEUED (11) clear Q
 *     and lose it "xive-q-dropped" (nothing can re-send it). Freeing the source (msk_xive_source_free, firmware
 *     release) loses it as "freed-while-pending". P = 1 itself holds no
 *     weight: the notification that set P carried its weight on.
 *   * in an EQ slot: the weight of each notification written to a queue
 *     and not yet taken. Reconfiguring or resetting the queue loses it as
 *     "xive-queue-reset".
 *
 * So raised == delivered + msk_xive_held() + lost holds exactly, with
 * "delivered" reported by whoever consumes what msk_xive_take() returns.
 *
 * Not modelled: LSIs (every source is an MSI/edge source), END-level ESB
 * coalescing (every enqueue kicks the CPU, as with the unconditional-notify
 * flag Linux always sets; the flag is stored and reported), CPPR (take
 * returns the most favoured entry whatever the CPU is doing), escalation,
 * and the TIMA itself (msk_xive_take combines the ack and the OS's queue
 * scan).
 *
 * Device messages: an optional PHB MSI window on the bus. A 4- or 8-byte
 * store there triggers the source whose LISN is the (low 32 bits of the)
 * data, with the message's weight; the address within the window and the
 * requester ID are not checked. An unknown LISN loses the weight as
 * "xive-invalid-source"; other access sizes are ignored and a message
 * weight they carry is lost as "bad-message". Loads read all-ones. A
 * message weight that reaches an ESB page access that does not trigger is
 * lost as "bad-message" too.
 *
 * Threads: every call is thread-safe (one mutex per instance). The CPU
 * kick runs after the mutex is released.
 *
 * ---- pSeries firmware (msk_spapr_*) ------------------------------------------
 *
 * The hypervisor side of a pSeries partition on top of one XIVE:
 *
 *   * LISN layout: [0, ipi_count) are claimed at creation for IPIs (the
 *     "ibm,xive-lisn-ranges" an OS allocates its IPIs from); the MSI pool
 *     [msi_base, msi_base + msi_count) serves ibm,change-msi; other LISNs
 *     are never claimed.
 *   * PCI functions are registered with their BUID and config address
 *     (bus << 16 | devfn << 8) and a callback that writes an MSI or MSI-X
 *     message into the device (the firmware does not know the PCI model).
 *     Functions belong to PEs (partitionable endpoints) that share an MSI
 *     quota; by default each function is its own PE.
 *   * RTAS ibm,change-msi (see msk_spapr_rtas_call for the exact answers):
 *     all or nothing per function. A request the function cannot get in
 *     full (capability size, PE quota, free LISNs) answers status 0 with
 *     count = what is available and changes nothing. Otherwise the previous
 *     allocation is released and a block of LISNs is taken from the pool,
 *     claimed (EAS valid and masked, PQ off) and programmed into the
 *     device: message address = the XIVE's MSI window, data = LISN
 *     (MSI-X entry i gets first LISN + i; an MSI block is aligned to its
 *     power-of-two size so vector k lands on first LISN + k). Count 0
 *     releases everything: the LISNs go back to the pool, unclaimed (EAS
 *     invalid, PQ off), so H_INT_* calls on them answer H_P2.
 *   * H_INT_* hcalls with PAPR's return codes, in QEMU's validation order.
 *
 * Threads: every call is thread-safe; hcalls and RTAS calls are
 * serialised on the firmware's mutex (the XIVE's nests inside it). The
 * device callbacks run with that mutex held and must not call into the
 * firmware; so may the XIVE's CPU kick (an H_INT_ESB that notifies),
 * which must not make hcalls or RTAS calls either.
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/hw.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- XIVE ---------------------------------------------------------------- */

#define MSK_XIVE_PRIORITIES  8		/* priorities 0 (most favoured) .. 7 */
#define MSK_XIVE_MAX_SOURCES (1u << 20) /* LISN space limit of the model */
#define MSK_XIVE_MAX_CPUS    4096u

/* ESB PQ states. */
#define MSK_XIVE_PQ_RESET   0x0 /* 00: enabled, idle */
#define MSK_XIVE_PQ_OFF	    0x1 /* 01: off (masked at the source) */
#define MSK_XIVE_PQ_PENDING 0x2 /* 10: notified, awaiting EOI */
#define MSK_XIVE_PQ_QUEUED  0x3 /* 11: notified and triggered again */

/* ESB page offsets (low 12 bits of the offset in the page). */
#define MSK_XIVE_ESB_LOAD_EOI  0x000
#define MSK_XIVE_ESB_STORE_EOI 0x400
#define MSK_XIVE_ESB_GET       0x800
#define MSK_XIVE_ESB_SET_PQ_00 0xC00
#define MSK_XIVE_ESB_SET_PQ_01 0xD00
#define MSK_XIVE_ESB_SET_PQ_10 0xE00
#define MSK_XIVE_ESB_SET_PQ_11 0xF00

/* Event queue sizes: log2 of the queue size in bytes. */
#define MSK_XIVE_QSHIFT_MIN 12
#define MSK_XIVE_QSHIFT_MAX 24

struct msk_xive;

struct msk_xive_config {
	uint32_t nr_sources;	  /* 1 .. MSK_XIVE_MAX_SOURCES */
	uint32_t nr_cpus;	  /* 1 .. MSK_XIVE_MAX_CPUS */
	uint64_t esb_base;	  /* bus address of LISN 0's trigger page, page aligned */
	unsigned int esb_shift;	  /* log2 of one ESB page: 12 or 16; 0 = 16 */
	uint64_t msi_window_base; /* PHB MSI window (used when msi_window_size != 0) */
	uint64_t msi_window_size;
	bool store_eoi;		      /* sources advertise and honour Store-EOI */
	struct msk_cpu_notify notify; /* kick when a CPU's queue got an entry (may be NULL) */
};

/*
 * Create a XIVE on `bus` and map its ESB pages (and MSI window) there.
 * All sources start off (PQ 01) with invalid EASs; no END has a queue.
 * Returns 0, -MSK_EINVAL (bad geometry: zero or too many sources/CPUs,
 * esb_shift not 12/16, misaligned or wrapping base), -MSK_EBUSY (a region
 * overlaps RAM or another region) or -MSK_ENOMEM; nothing is left mapped.
 */
int msk_xive_create(struct msk_bus *bus, const struct msk_xive_config *cfg, struct msk_xive **out);

/*
 * Unmap and free a XIVE. Weight it still holds disappears with it (nothing
 * is reported to the ledger). NULL is ignored.
 */
void msk_xive_destroy(struct msk_xive *x);

/* The configuration a XIVE was created with (any time, no lock taken). */
struct msk_bus *msk_xive_bus(const struct msk_xive *x);
uint32_t msk_xive_nr_sources(const struct msk_xive *x);
uint32_t msk_xive_nr_cpus(const struct msk_xive *x);
unsigned int msk_xive_esb_shift(const struct msk_xive *x);
/* Bus address of the MSI window, or 0 when there is none. */
uint64_t msk_xive_msi_window(const struct msk_xive *x);
bool msk_xive_store_eoi(const struct msk_xive *x);

/*
 * Bus addresses of a source's trigger and management pages.
 * -MSK_EINVAL if lisn is out of range (outputs unchanged).
 */
int msk_xive_esb_pages(const struct msk_xive *x, uint32_t lisn, uint64_t *trigger, uint64_t *mgmt);

/*
 * A trigger of source `lisn` carrying `weight` events, as a device or the
 * PHB would deliver it. The model owns the weight from the call on.
 * Returns 0 when the trigger reached the source (whatever became of it),
 * -MSK_ENOENT for a LISN out of range (weight lost "xive-invalid-source").
 */
int msk_xive_trigger(struct msk_xive *x, uint32_t lisn, uint32_t weight);

/*
 * A CPU access to source `lisn`'s management page at `offset` (< page
 * size), as an 8-byte load (store == false; *value receives the result)
 * or store (*value is the data). This is what H_INT_ESB does without
 * MMIO (an offset that is not a multiple of 8 has no effect, as for
 * MMIO; loads then give all-ones). -MSK_EINVAL for a LISN or offset out
 * of range (nothing changes).
 */
int msk_xive_esb_access(struct msk_xive *x, uint32_t lisn, uint64_t offset, bool store,
			uint64_t *value);

/* An EAS, decoded. */
struct msk_xive_eas {
	bool valid;
	bool masked;
	uint32_t cpu;  /* target END = (cpu, prio) */
	uint8_t prio;  /* 0..7 */
	uint32_t eisn; /* 31 bits */
};

/*
 * Program (set) or read (get) a source's EAS: what the hypervisor does;
 * the guest reaches it through H_INT_SET/GET_SOURCE_CONFIG. The PQ state
 * and held weight are not touched. eisn is truncated to 31 bits.
 * -MSK_EINVAL for a LISN, CPU or priority out of range (nothing changes).
 */
int msk_xive_set_eas(struct msk_xive *x, uint32_t lisn, const struct msk_xive_eas *eas);
int msk_xive_get_eas(struct msk_xive *x, uint32_t lisn, struct msk_xive_eas *out);

/*
 * Claim a source: EAS := valid + masked (target CPU 0, priority 0,
 * EISN 0), PQ := off. Weight held at the source stays held.
 * -MSK_EINVAL for a LISN out of range.
 */
int msk_xive_source_claim(struct msk_xive *x, uint32_t lisn);

/*
 * Free a source: EAS := invalid, PQ := off; weight held at the source is
 * lost as "freed-while-pending". Entries it already put in queues stay
 * there. -MSK_EINVAL for a LISN out of range.
 */
int msk_xive_source_free(struct msk_xive *x, uint32_t lisn);

/*
 * Configure the event queue of END (cpu, prio): 2^qshift bytes at qaddr
 * (qshift 12..24, qaddr aligned to 2^qshift, entirely in RAM), index 0,
 * generation 1, consumer reset; `ucond` is the unconditional-notify flag
 * (stored and reported only). qshift == 0 removes the queue. Entries of
 * the previous queue not yet taken are lost ("xive-queue-reset").
 * Returns 0, -MSK_EINVAL (CPU/priority/size/alignment), -MSK_EFAULT (not
 * in RAM) or -MSK_ENOMEM; nothing changes on failure.
 */
int msk_xive_set_queue(struct msk_xive *x, uint32_t cpu, unsigned int prio, uint64_t qaddr,
		       unsigned int qshift, bool ucond);

/*
 * Reset the routing tables (what H_INT_RESET does): every valid EAS
 * becomes valid + masked with target CPU 0, priority 0, EISN 0; invalid
 * ones stay invalid; every END loses its queue (entries not taken are
 * lost, "xive-queue-reset"). PQ states and weight held at sources are
 * unchanged, as in QEMU, where the sources are not part of the router.
 */
void msk_xive_reset_router(struct msk_xive *x);

/* An END's state, for H_INT_GET_QUEUE_* and for tests. */
struct msk_xive_end_info {
	bool enqueue; /* a queue is configured */
	bool ucond;   /* unconditional-notify flag */
	uint64_t qaddr;
	unsigned int qshift;  /* 0 when no queue */
	uint32_t entries;     /* 2^(qshift - 2) */
	uint32_t windex;      /* producer index */
	bool generation;      /* producer generation bit */
	uint32_t cindex;      /* consumer index (msk_xive_take) */
	bool toggle;	      /* consumer toggle */
	uint32_t outstanding; /* entries written and not taken */
	uint64_t held;	      /* weight of those entries */
};

/* -MSK_EINVAL for a CPU or priority out of range. */
int msk_xive_get_queue(struct msk_xive *x, uint32_t cpu, unsigned int prio,
		       struct msk_xive_end_info *out);

/*
 * The simulated CPU `cpu` acknowledges its most favoured pending
 * interrupt: for priority 0 (most favoured) to 7, it reads its queue's
 * entry at the consumer index from guest RAM with the generation protocol
 * the OS uses; the first valid one is taken: the consumer index advances
 * and *eisn, *prio and *weight receive the entry's EISN, the priority and
 * the weight the model held for that slot (0 for an entry the model did
 * not write, e.g. one the guest forged in RAM). This combines the TIMA
 * acknowledge with the OS's queue scan. The weight is no longer held by
 * the model: the caller reports it delivered (or lost) in the ledger.
 * Returns 1 when an entry was taken, 0 when none is pending (outputs
 * unchanged), -MSK_EINVAL for a CPU out of range.
 */
int msk_xive_take(struct msk_xive *x, uint32_t cpu, uint32_t *eisn, unsigned int *prio,
		  uint32_t *weight);

/* Weight the model holds now: at sources plus in queue slots (see above). */
uint64_t msk_xive_held(struct msk_xive *x);

/* Where a device's message would go (msk_xive_route). */
struct msk_xive_route {
	bool lost;	      /* the message would be lost ... */
	enum msk_loss reason; /* ... for this reason */
	bool window;	      /* it hit the MSI window (else an ESB page) */
	bool source;	      /* it triggers a source: lisn and pq are valid */
	bool coalesced;	      /* P is set: held at the source, notified by its EOI */
	uint32_t lisn;	      /* the source it triggers */
	uint8_t pq;	      /* that source's PQ now */
	uint32_t cpu;	      /* the END it reaches (when not lost) */
	unsigned int prio;
	uint32_t eisn; /* the EQ entry it would produce */
};

/*
 * Follow a device's 4-byte message write of `data` to bus address `addr`
 * through the XIVE exactly as a real one is handled - MSI window or ESB
 * page decoding, the source's PQ, its EAS, the END and its queue - with no
 * effect at all: no state change, no ledger entry, no kick. The PQ decides:
 * 01 loses it ("xive-off"); 00 notifies now (a full queue loses it,
 * "xive-queue-overflow"); 10/11 coalesce it (held, not lost), and the
 * route continues to where the notification the source's EOI sends would
 * go with the tables as they are. Returns 1 with *out filled when addr is
 * in one of the XIVE's regions, 0 (out zeroed) when it is not.
 */
int msk_xive_route(struct msk_xive *x, uint64_t addr, uint32_t data, struct msk_xive_route *out);

/* A source's state, for tests and reports. */
struct msk_xive_source_info {
	uint8_t pq;
	uint64_t held; /* weight held at the source */
	struct msk_xive_eas eas;
};

/* -MSK_EINVAL for a LISN out of range. */
int msk_xive_get_source(struct msk_xive *x, uint32_t lisn, struct msk_xive_source_info *out);

/* ---- pSeries firmware ---------------------------------------------------- */

/* PAPR hcall return codes. */
#define MSK_H_SUCCESS	0
#define MSK_H_HARDWARE	(-1)
#define MSK_H_FUNCTION	(-2)
#define MSK_H_PRIVILEGE (-3)
#define MSK_H_PARAMETER (-4)
#define MSK_H_P2	(-55)
#define MSK_H_P3	(-56)
#define MSK_H_P4	(-57)
#define MSK_H_P5	(-58)
#define MSK_H_STATE	(-75)

/* XIVE hcall opcodes. */
#define MSK_H_INT_GET_SOURCE_INFO	0x3A8
#define MSK_H_INT_SET_SOURCE_CONFIG	0x3AC
#define MSK_H_INT_GET_SOURCE_CONFIG	0x3B0
#define MSK_H_INT_GET_QUEUE_INFO	0x3B4
#define MSK_H_INT_SET_QUEUE_CONFIG	0x3B8
#define MSK_H_INT_GET_QUEUE_CONFIG	0x3BC
#define MSK_H_INT_SET_OS_REPORTING_LINE 0x3C0
#define MSK_H_INT_GET_OS_REPORTING_LINE 0x3C4
#define MSK_H_INT_ESB			0x3C8
#define MSK_H_INT_SYNC			0x3CC
#define MSK_H_INT_RESET			0x3D0

/* hcall flag bits (PAPR numbers bits from the MSB: IBM bit 63 = 0x1). */
#define MSK_H_INT_SRC_STORE_EOI	   0x1ull /* GET_SOURCE_INFO out */
#define MSK_H_INT_SRC_TRIGGER	   0x2ull /* GET_SOURCE_INFO out: mgmt page also triggers */
#define MSK_H_INT_SRC_LSI	   0x4ull /* GET_SOURCE_INFO out */
#define MSK_H_INT_SRC_H_INT_ESB	   0x8ull /* GET_SOURCE_INFO out: use H_INT_ESB */
#define MSK_H_INT_SRC_MASK	   0x1ull /* SET_SOURCE_CONFIG in: mask in the EAS */
#define MSK_H_INT_SRC_SET_EISN	   0x2ull /* SET_SOURCE_CONFIG in: set the EISN */
#define MSK_H_INT_EQ_ALWAYS_NOTIFY 0x1ull /* SET_/GET_QUEUE_CONFIG */
#define MSK_H_INT_EQ_DEBUG	   0x1ull /* GET_QUEUE_CONFIG in */
#define MSK_H_INT_EQ_GENERATION	   0x2ull /* GET_QUEUE_CONFIG out (with DEBUG) */
#define MSK_H_INT_ESB_STORE	   0x1ull /* H_INT_ESB in */
#define MSK_H_INT_PRIO_MASKED	   0xFFu  /* priority "masked / reset" */

/* Outputs an hcall may write (rets must have room for this many). */
#define MSK_HCALL_NRETS 4

/* RTAS status codes. */
#define MSK_RTAS_SUCCESS     0
#define MSK_RTAS_HW_ERROR    (-1)
#define MSK_RTAS_BUSY	     (-2)
#define MSK_RTAS_PARAM_ERROR (-3)

/* ibm,change-msi function codes and interrupt types. */
#define MSK_RTAS_MSI_FN_QUERY  0
#define MSK_RTAS_MSI_FN_CHANGE 1
#define MSK_RTAS_MSI_FN_MSI    3
#define MSK_RTAS_MSI_FN_MSIX   4
#define MSK_RTAS_MSI_FN_MSI32  5
#define MSK_RTAS_TYPE_NONE     0
#define MSK_RTAS_TYPE_MSI      1
#define MSK_RTAS_TYPE_MSIX     2

#define MSK_RTAS_CHANGE_MSI    "ibm,change-msi"
#define MSK_RTAS_QUERY_SOURCE  "ibm,query-interrupt-source-number"

/* A PE number asking for a PE of the function's own. */
#define MSK_SPAPR_PE_OWN 0xFFFFFFFFu

struct msk_spapr;

/*
 * A PCI function as the firmware sees it. write_msi_msg programs MSI
 * (msix false; index 0) or MSI-X table entry `index`: address 0 / data 0
 * clears it. Returns 0 or a negative code (then the firmware answers
 * "hardware error" and rolls back). max_msi: vectors the MSI capability
 * can take (0 = no MSI capability, else 1..32, a power of two); max_msix:
 * MSI-X table size (0 = no MSI-X capability, else 1..2048).
 */
struct msk_spapr_fn_ops {
	int (*write_msi_msg)(void *ctx, bool msix, unsigned int index, uint64_t addr,
			     uint32_t data);
	unsigned int max_msi;
	unsigned int max_msix;
};

struct msk_spapr_config {
	uint32_t ipi_count; /* LISNs [0, ipi_count) claimed for IPIs */
	uint32_t msi_base;  /* MSI pool; msi_count == 0: [ipi_count, nr_sources) */
	uint32_t msi_count;
	uint32_t pe_quota; /* default MSI quota per PE; 0 = no quota */
};

/*
 * Create the firmware of a partition whose interrupt controller is `xive`
 * (which it does not own; destroy the firmware first). Claims the IPI
 * LISNs. XIVE exploitation mode starts negotiated (see
 * msk_spapr_set_xive_mode). Returns 0, -MSK_EINVAL (ranges outside the
 * XIVE, overlapping, MSI pool empty, or the XIVE has no MSI window) or
 * -MSK_ENOMEM.
 */
int msk_spapr_create(struct msk_xive *xive, const struct msk_spapr_config *cfg,
		     struct msk_spapr **out);

/*
 * Destroy the firmware. Every LISN it claimed - allocations still held and
 * the IPIs - is freed in the XIVE (weight held at those sources is lost,
 * "freed-while-pending"); device messages are left as they are. NULL is
 * ignored.
 */
void msk_spapr_destroy(struct msk_spapr *fw);

/*
 * The outcome of the client-architecture-support negotiation: with
 * exploitation false every H_INT_* hcall answers H_FUNCTION.
 */
void msk_spapr_set_xive_mode(struct msk_spapr *fw, bool exploitation);

/*
 * Register PCI function (buid, config_addr = bus << 16 | devfn << 8) in PE
 * `pe` of that BUID (MSK_SPAPR_PE_OWN: a fresh PE of its own; a new PE
 * gets the default quota). ops is copied; ctx is passed to the callback.
 * Returns 0, -MSK_EINVAL (config_addr has other bits, no callback,
 * max_msi not 0 or a power of two <= 32, max_msix > 2048), -MSK_EEXIST or
 * -MSK_ENOMEM.
 */
int msk_spapr_add_function(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr, uint32_t pe,
			   const struct msk_spapr_fn_ops *ops, void *ctx);

/*
 * Device removal: release the function's interrupts (LISNs back to the
 * pool, freed in the XIVE; the device is not called) and forget it.
 * -MSK_ENOENT if it is not registered.
 */
int msk_spapr_remove_function(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr);

/*
 * Set the MSI quota of PE `pe` of `buid` (0 = no quota). A quota below
 * what the PE uses takes effect for later requests only.
 * -MSK_ENOENT if no registered function is in that PE.
 */
int msk_spapr_set_pe_quota(struct msk_spapr *fw, uint64_t buid, uint32_t pe, uint32_t quota);

/*
 * A hypervisor call: `opcode` with inputs args[0..nargs) (R4...; missing
 * inputs read as 0). Outputs go to rets[0..MSK_HCALL_NRETS) (R4...);
 * every output a call does not produce, and all of them on failure, is 0.
 * A NULL rets answers MSK_H_PARAMETER. Otherwise the PAPR code, checks in
 * this order (QEMU's), the first failing one deciding:
 *
 *   every H_INT_*    exploitation mode off                   H_FUNCTION
 *                    reserved flag bits set                  H_PARAMETER
 *   source calls     lisn >= sources, or its EAS not valid   H_P2
 *   SET_SOURCE_CONF  priority 0xFF: EAS := valid + masked,
 *                    target/priority/EISN 0, success         (no more checks)
 *                    priority not 0..6                       H_P4
 *                    target not a CPU                        H_P3
 *   queue calls      priority not 0..6                       H_P3
 *                    target not a CPU                        H_P2
 *   SET_QUEUE_CONF   qsize not 0/12/16/21/24                 H_P5
 *                    qpage not aligned to 2^qsize            H_P4
 *                    queue not entirely in RAM               H_P4
 *                    host out of memory (not fault-injected)  H_HARDWARE
 *   H_INT_ESB        offset >= ESB page size                 H_P3
 *   unknown opcode, H_INT_SET/GET_OS_REPORTING_LINE           H_FUNCTION
 *
 * An armed fault (msk_spapr_fault_arm) answers H_HARDWARE for an
 * implemented H_INT_* call before any check but the exploitation mode.
 *
 * Outputs: GET_SOURCE_INFO: flags (Store-EOI 0x1 when configured), the
 * management page, the trigger page, log2 page size. GET_SOURCE_CONFIG:
 * target, priority (0xFF when masked), EISN. GET_QUEUE_INFO: 0 (END ESB
 * pages are not modelled), log2 queue size or 0. GET_QUEUE_CONFIG: flags
 * (ALWAYS_NOTIFY; with DEBUG, GENERATION), queue address, log2 size,
 * write index (DEBUG only). H_INT_ESB: the loaded value, all-ones for a
 * store. Priority 7 is reserved for the hypervisor. No call ever answers
 * H_BUSY, H_LONG_BUSY_* or H_STATE.
 */
int64_t msk_spapr_hcall(struct msk_spapr *fw, uint64_t opcode, const uint64_t *args,
			unsigned int nargs, uint64_t *rets);

/*
 * An RTAS call by name with 32-bit argument and return cells. Returns 0
 * when the call ran (rets[0] holds the RTAS status, see below),
 * -MSK_ENOENT for an unknown name (rets[0] = -3 if nrets > 0),
 * -MSK_EINVAL for rets == NULL, nrets == 0 or args == NULL with nargs > 0.
 *
 * "ibm,change-msi": nargs 6 (config_addr, BUID hi, BUID lo, function,
 * count, sequence), nrets 3 or 4 (status, count, next sequence, type).
 * Functions: 0 query (our definition: reports the current count and type,
 * changes nothing), 1 change (MSI if the function has MSI, else MSI-X),
 * 3 MSI, 4 MSI-X, 5 MSI with a 32-bit address; count 0 releases all.
 * Status: -3 for bad nargs/nrets, unknown function or device, a function
 * code not 0/1/3/4/5, or a type the device lacks; -1 for a release with
 * nothing allocated, when nothing at all is available, for function 5
 * when the MSI window is above 4 GiB, or when the device callback failed
 * (then the function is left with nothing allocated); else 0.
 *
 * "ibm,query-interrupt-source-number": nargs 4 (config_addr, BUID hi,
 * BUID lo, vector index), nrets 3 (status, LISN, sense: 1 = edge).
 * Status -3 for bad nargs/nrets or an unknown device, -1 when nothing is
 * allocated or the index is >= the count.
 *
 * Either call answers -1 with nothing changed when an armed fault
 * (msk_spapr_fault_arm) refuses it.
 */
int msk_spapr_rtas_call(struct msk_spapr *fw, const char *name, const uint32_t *args,
			unsigned int nargs, uint32_t *rets, unsigned int nrets);

/* A function's allocation, for tests and reports. */
struct msk_spapr_fn_info {
	uint32_t pe;
	unsigned int type; /* MSK_RTAS_TYPE_* */
	uint32_t count;	   /* interrupts allocated */
	uint32_t first_lisn;
	uint32_t block;	   /* LISNs reserved in the pool (MSI: power of two >= count) */
	uint32_t pe_quota; /* 0 = none */
	uint32_t pe_used;  /* interrupts allocated by all functions of the PE */
};

/* -MSK_ENOENT if the function is not registered. */
int msk_spapr_get_function(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr,
			   struct msk_spapr_fn_info *out);

/*
 * The PE of function (buid, config_addr), for traces: true and *pe set,
 * or false (nothing recorded, *pe unchanged) when it is not registered.
 */
bool msk_spapr_function_pe(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr, uint32_t *pe);

/* Free LISNs in the MSI pool. */
uint32_t msk_spapr_pool_free(struct msk_spapr *fw);

/* The IPI and MSI LISN ranges. */
void msk_spapr_ipi_range(const struct msk_spapr *fw, uint32_t *base, uint32_t *count);
void msk_spapr_msi_range(const struct msk_spapr *fw, uint32_t *base, uint32_t *count);

/*
 * Fault injection - a test and simulation hook, not part of PAPR. Armed,
 * the firmware counts the firmware calls the OS makes (every
 * msk_spapr_rtas_call by a known name; every msk_spapr_hcall of an H_INT_*
 * call the model implements, in exploitation mode; not the registration
 * calls msk_spapr_add_function & co, which stand for the hypervisor's own
 * configuration) and refuses calls nth .. nth + count - 1 as a failing
 * platform does: RTAS status -1 ("hardware error"), hcall H_HARDWARE,
 * every other output 0, before any argument check and with no effect at
 * all. The model never answers "busy" for them: an OS that retries busy
 * statuses must not retry these.
 */
struct msk_spapr_fault_state {
	uint64_t nth;	/* the first call refused (0: disarmed) */
	uint64_t count; /* consecutive calls refused from nth (0 when disarmed) */
	uint64_t seen;	/* calls counted since arming */
	uint64_t fired; /* calls refused since arming */
	char what[128]; /* the first refused call, e.g. "H_INT_SET_SOURCE_CONFIG lisn 0x12 ..." */
};

/*
 * Arm: nth >= 1 refuses calls nth .. nth + count - 1 counted from now
 * (count 0 means 1) and resets seen, fired and what. nth 0 disarms:
 * counting stops, seen/fired/what stay for the report.
 */
void msk_spapr_fault_arm(struct msk_spapr *fw, uint64_t nth, uint64_t count);

/* What the fault did so far (all zero when it was never armed). */
void msk_spapr_fault_state(struct msk_spapr *fw, struct msk_spapr_fault_state *out);

#ifdef __cplusplus
}
#endif
#endif
