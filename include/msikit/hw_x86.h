/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_HW_X86_H
#define MSIKIT_HW_X86_H

/*
 * x86 interrupt hardware: the local APICs of a set of CPUs, the MSI window
 * at 0xFEE00000 through which devices reach them, and optionally an Intel
 * VT-d interrupt-remapping unit with its register block and its interrupt
 * remapping table (IRTE table) in guest RAM.
 *
 *   device --msk_bus_msi()--> MSI window --compatibility format--> LAPICs
 *                                 |
 *                                 +--remappable format--> VT-d: IRTE in RAM --> LAPICs
 *
 * An OS (or a guest) programs the model only as it would program hardware:
 * VT-d registers through msk_bus_read/msk_bus_write at cfg.ir_base, IRTEs
 * through RAM writes, device messages through msk_bus_msi. A CPU runtime
 * takes interrupts with msk_x86_take() and ends them with msk_x86_eoi().
 *
 * Local APICs
 *   Each CPU has a 256-bit IRR and ISR. A message accepted for vector v
 *   sets IRR[v]; events coalesce: a vector already pending adds its weight
 *   to the pending weight. take() moves the highest pending vector whose
 *   priority class (v[7:4]) is above the processor priority class to the
 *   ISR and hands out its weight; eoi() clears the highest ISR bit.
 *   Processor priority = max(TPR, highest ISR vector) as on hardware
 *   (TPR is set with msk_x86_set_tpr, like a CR8 write; 0 by default).
 *   The xAPIC/x2APIC register page is not modelled.
 *
 *   Delivery of a message (compatibility format or a remapped IRTE):
 *   * Delivery mode Fixed (0) and Lowest Priority (1) are delivered. SMI
 *     (2), NMI (4), INIT (5), ExtINT (7) and the reserved codes 3 and 6
 *     are not vectored interrupts in this model: the message is lost as
 *     "apic-delivery-mode".
 *   * Vectors 0-15 are illegal: lost as "apic-illegal-vector" (the APIC
 *     error "received illegal vector"; no ESR is modelled).
 *   * Destination, 8-bit (compatibility format, IRTE with EIME=0):
 *     physical: the CPU whose APIC ID equals it; 0xFF is a broadcast to
 *     every CPU. Logical: the flat model; a CPU with APIC ID n < 8 has the
 *     logical ID 1 << n, other CPUs have logical ID 0 (unreachable in
 *     logical mode); the destination is the set of CPUs whose logical ID
 *     ANDs non-zero with it.
 *   * Destination, 32-bit (IRTE with EIME=1, x2APIC): physical: the CPU
 *     with that APIC ID; logical: cluster model, dest[31:16] = cluster,
 *     dest[15:0] = member mask, a CPU's cluster is id >> 4 and its member
 *     bit 1 << (id & 15); 0xFFFFFFFF is a broadcast in both modes.
 *   * No CPU matches: lost as "apic-no-target".
 *   * Lowest Priority delivery mode, or RH=1 with logical destination
 *     mode: one CPU of the set receives it, the one with the lowest
 *     processor priority, ties going to the lowest CPU index (no focus
 *     processor check). Otherwise every CPU of the set receives it.
 *   * A message delivered to several CPUs stands for its weight once:
 *     the lowest-numbered receiving CPU gets the weight, the others get
 *     the vector with weight 0.
 *   * The trigger mode bit is ignored: a level-triggered message is
 *     accepted like an edge (no TMR, no EOI broadcast).
 *   * Compatibility-format address bits 11:5 (virtual extended
 *     destination ID) and data bits 31:16 are ignored.
 *
 * MSI window [0xFEE00000, +1 MiB)
 *   A message write (attrs.is_msi) of 4 bytes is decoded by address bit 4:
 *   0 = compatibility format, 1 = remappable format. A message write of
 *   any other size is lost as "bad-message". CPU (non-message) accesses
 *   read 0 and writes are ignored. Remappable-format messages with no
 *   remapping unit, or while GSTS.IRES=0, are lost as "ir-disabled".
 *   Compatibility-format messages while GSTS.IRES=1 are blocked (fault
 *   0x25, "ir-compat-blocked") unless GSTS.CFIS=1 and IRTA.EIME=0, in
 *   which case they pass through untranslated.
 *
 * VT-d interrupt remapping unit (register block of 4 KiB at cfg.ir_base)
 *   Registers follow the VT-d specification layout (offsets below):
 *   VER, CAP (NFR = 8 fault recording registers at FRO = 0x200, PI=0),
 *   ECAP (IR=1, EIM=1, QI=0), GCMD/GSTS (IRE/IRES, SIRTP/IRTPS, CFI/CFIS),
 *   FSTS (PFO RW1C, PPF, FRI), FECTL/FEDATA/FEADDR/FEUADDR (the fault
 *   event message), IRTA, and the fault recording registers (128 bits
 *   each: FI[63:48] = interrupt index, SID in bits 79:64, FR in 103:96,
 *   F in 127, W1C). DMA remapping is not modelled: its command bits (TE,
 *   SRTP, QIE, WBF, SFL, EAFL) are ignored and their status bits read 0;
 *   every other offset reads 0 and ignores writes.
 *   Accesses must be 4 or 8 bytes and naturally aligned; any other
 *   access reads 0 and a write is ignored. An 8-byte access at offset o
 *   acts as a 4-byte access at o followed by one at o + 4. GCMD reads as 0.
 *   A device message write that lands on the register block is lost as
 *   "no-doorbell" and has no effect.
 *
 *   GCMD.SIRTP latches IRTA (table base 63:12, EIME 11, size 2^(S+1)
 *   entries from S in 3:0) and sets GSTS.IRTPS; later IRTA writes change
 *   nothing until the next SIRTP. GCMD.IRE and GCMD.CFI set IRES and CFIS
 *   to the written value. Every GCMD write takes effect at once, so GSTS
 *   reflects it when the write returns. With IRES=1 but no table pointer
 *   ever latched, every remappable request faults 0x23.
 *
 *   No interrupt entry cache: the IRTE is read from RAM on every message,
 *   so an IRTE change is visible to the next message and no invalidation
 *   interface (QI, IEC invalidation) is needed or offered. The 128-bit
 *   IRTE is read as two single-copy-atomic 64-bit halves (low, then
 *   high); software changing both halves of a live IRTE must order its
 *   writes as on hardware (e.g. clear P first).
 *
 *   Translation of a remappable message (VT-d fault reason in brackets,
 *   ledger reason after the arrow):
 *     handle = addr[19:5] | addr[2] << 15; SHV = addr[3];
 *     SHV=1 and data[31:16] != 0                 [0x20] -> irte-reserved
 *     no table pointer latched                   [0x23] -> ir-table-invalid
 *     index = handle (+ data[15:0] if SHV=1)
 *     index >= 2^(S+1)                           [0x21] -> irte-out-of-range
 *     IRTE not entirely in guest RAM             [0x23] -> ir-table-invalid
 *     IRTE.P = 0                                 [0x22] -> irte-not-present
 *     reserved IRTE bits set: 14:12, 31:24, 127:84; with EIME=0 also 39:32
 *     and 63:48; IM=1 (posted interrupts are not supported, CAP.PI=0, so
 *     IM is reserved); SVT=11                    [0x24] -> irte-reserved
 *     source-id check fails                      [0x26] -> irte-sid-mismatch
 *   Source-id check against the message's requester ID (rid): SVT=00 none;
 *   SVT=01 compare rid with SID under the SQ mask (SQ=00 all 16 bits, 01
 *   ignore bit 2, 10 ignore bits 2:1, 11 ignore bits 2:0); SVT=10 bus range,
 *   SID[15:8] = first bus, SID[7:0] = last bus, pass if first <= rid[15:8]
 *   <= last (the Linux / specification order). A message whose requester
 *   ID is not a 16-bit RID (e.g. MSK_RID_CPU) fails SVT=01 and SVT=10.
 *   Success: delivered to the LAPICs with the IRTE's DST, DM, RH, DLM, V
 *   (DST[15:8] with EIME=0, all 32 bits with EIME=1).
 *
 *   Every fault loses the message's weight with the reason above and logs
 *   a fault record, except that FPD=1 in the IRTE suppresses the record of
 *   the faults the specification calls qualified (0x22, 0x24, 0x26); the
 *   message is dropped either way. Records fill the registers in a ring;
 *   a fault finding its next register still holding F=1, or arriving
 *   while FSTS.PFO=1, is not recorded and sets PFO. Recording a fault
 *   while FSTS.PPF=0 sets FSTS.FRI to its register and raises a fault
 *   event: FECTL.IP is set, and if FECTL.IM=0 the message FEADDR/FEDATA is
 *   sent to the LAPICs at once (compatibility format, never remapped,
 *   weight 0: it stands for no device event) and IP is cleared. Clearing
 *   IM while IP=1 sends it then. IP is also cleared when software has
 *   cleared every F bit and PFO.
 *
 * Events and the ledger: a message carries a weight (msikit/ledger.h).
 * It ends lost (msk_ledger_lose on the bus's ledger, reasons above), or
 * pending in an IRR (counted by msk_x86_held()), from where take() hands
 * it out: the caller then owns the weight (delivers it to a handler).
 *
 * CPU notification: when a CPU's highest deliverable vector changes to a
 * new vector because a message arrived, an EOI or a TPR change, the
 * model calls notify.kick(ctx, cpu), with that CPU's APIC lock held (the
 * callee must not call back into the model). Kicks are edge
 * notifications: a runtime takes until take() returns 0. take() itself
 * never kicks; eoi() and set_tpr() may kick the same CPU before they
 * return.
 *
 * Threads: every call is thread-safe. Each CPU's APIC has its own lock;
 * the VT-d registers have one lock; translation reads the latched table
 * pointer atomically and IRTEs from RAM without a lock. Message writes,
 * register accesses, RAM writes, take/eoi may run concurrently from any
 * threads.
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/cpumask.h>
#include <msikit/hw.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the MSI window and message formats -------------------------------- */

#define MSK_X86_MSI_BASE 0xFEE00000ull
#define MSK_X86_MSI_SIZE 0x100000ull

/* Address bits, both formats. */
#define MSK_X86_MSI_ADDR_REMAPPABLE (1u << 4) /* interrupt format: 1 = remappable */
/* Compatibility format. */
#define MSK_X86_MSI_ADDR_DEST_SHIFT 12 /* destination ID in bits 19:12 */
#define MSK_X86_MSI_ADDR_RH	    (1u << 3)
#define MSK_X86_MSI_ADDR_DM_LOGICAL (1u << 2)
/* Remappable format. */
#define MSK_X86_MSI_ADDR_SHV (1u << 3) /* sub-handle valid */

/* Data, compatibility format. */
#define MSK_X86_MSI_DATA_VECTOR_MASK 0xFFu
#define MSK_X86_MSI_DATA_DLM_SHIFT   8 /* delivery mode in bits 10:8 */
#define MSK_X86_MSI_DATA_LEVEL	     (1u << 14)
#define MSK_X86_MSI_DATA_TRIGGER     (1u << 15)

/* Delivery modes (MSI data 10:8, IRTE DLM). */
#define MSK_APIC_DM_FIXED  0u
#define MSK_APIC_DM_LOWEST 1u
#define MSK_APIC_DM_SMI	   2u
#define MSK_APIC_DM_NMI	   4u
#define MSK_APIC_DM_INIT   5u
#define MSK_APIC_DM_EXTINT 7u

/* A compatibility-format message address for an 8-bit destination. */
static inline uint32_t msk_x86_msi_compat_addr(uint8_t dest, bool logical, bool rh)
{
	return (uint32_t)MSK_X86_MSI_BASE | (uint32_t)dest << MSK_X86_MSI_ADDR_DEST_SHIFT |
	       (rh ? MSK_X86_MSI_ADDR_RH : 0) | (logical ? MSK_X86_MSI_ADDR_DM_LOGICAL : 0);
}

/* A compatibility-format message data word. */
static inline uint32_t msk_x86_msi_compat_data(uint8_t vector, unsigned int delivery_mode,
					       bool level)
{
	return vector | (delivery_mode & 7u) << MSK_X86_MSI_DATA_DLM_SHIFT |
	       (level ? MSK_X86_MSI_DATA_TRIGGER | MSK_X86_MSI_DATA_LEVEL : 0);
}

/* A remappable-format message address for a 16-bit handle. */
static inline uint32_t msk_x86_msi_remap_addr(uint16_t handle, bool shv)
{
	return (uint32_t)MSK_X86_MSI_BASE | (uint32_t)(handle & 0x7FFFu) << 5 |
	       MSK_X86_MSI_ADDR_REMAPPABLE | (shv ? MSK_X86_MSI_ADDR_SHV : 0) |
	       (uint32_t)(handle >> 15) << 2;
}

/* ---- VT-d registers (offsets in the 4 KiB block) ------------------------ */

#define MSK_VTD_REG_SIZE       0x1000u
#define MSK_VTD_VER_REG	       0x000u /* 32: version, reads 0x10 (1.0) */
#define MSK_VTD_CAP_REG	       0x008u /* 64 */
#define MSK_VTD_ECAP_REG       0x010u /* 64 */
#define MSK_VTD_GCMD_REG       0x018u /* 32, write-only */
#define MSK_VTD_GSTS_REG       0x01Cu /* 32, read-only */
#define MSK_VTD_FSTS_REG       0x034u /* 32 */
#define MSK_VTD_FECTL_REG      0x038u /* 32 */
#define MSK_VTD_FEDATA_REG     0x03Cu /* 32 */
#define MSK_VTD_FEADDR_REG     0x040u /* 32 */
#define MSK_VTD_FEUADDR_REG    0x044u /* 32 */
#define MSK_VTD_IRTA_REG       0x0B8u /* 64 */
#define MSK_VTD_FRCD_REG       0x200u /* first fault recording register (CAP.FRO * 16) */
#define MSK_VTD_NFR	       8u     /* fault recording registers (CAP.NFR + 1) */

#define MSK_VTD_CAP_FRO_SHIFT  24 /* CAP 33:24: FRCD offset / 16 */
#define MSK_VTD_CAP_NFR_SHIFT  40 /* CAP 47:40: number of FRCDs - 1 */
#define MSK_VTD_CAP_PI	       (1ull << 59)
#define MSK_VTD_ECAP_QI	       (1ull << 1)
#define MSK_VTD_ECAP_IR	       (1ull << 3)
#define MSK_VTD_ECAP_EIM       (1ull << 4)

#define MSK_VTD_GCMD_CFI       (1u << 23)
#define MSK_VTD_GCMD_SIRTP     (1u << 24)
#define MSK_VTD_GCMD_IRE       (1u << 25)
#define MSK_VTD_GSTS_CFIS      (1u << 23)
#define MSK_VTD_GSTS_IRTPS     (1u << 24)
#define MSK_VTD_GSTS_IRES      (1u << 25)

#define MSK_VTD_FSTS_PFO       (1u << 0)
#define MSK_VTD_FSTS_PPF       (1u << 1)
#define MSK_VTD_FSTS_FRI_SHIFT 8 /* 15:8 */
#define MSK_VTD_FECTL_IP       (1u << 30)
#define MSK_VTD_FECTL_IM       (1u << 31)

#define MSK_VTD_IRTA_EIME      (1ull << 11)
#define MSK_VTD_IRTA_S_MASK    0xFull
#define MSK_VTD_IRTA_BASE_MASK (~0xFFFull)

/* Fault recording register: low and high 64-bit halves. */
#define MSK_VTD_FRCD_LO_INDEX_SHIFT 48 /* FI[63:48]: interrupt index */
#define MSK_VTD_FRCD_HI_SID_MASK    0xFFFFull
#define MSK_VTD_FRCD_HI_FR_SHIFT    32 /* fault reason, bits 39:32 */
#define MSK_VTD_FRCD_HI_F	    (1ull << 63)

/* Interrupt-remapping fault reasons. */
enum msk_vtd_fault_reason {
	MSK_VTD_FR_REQ_RESERVED = 0x20,	  /* reserved bits in the request */
	MSK_VTD_FR_INDEX_OOR = 0x21,	  /* index >= table size */
	MSK_VTD_FR_NOT_PRESENT = 0x22,	  /* IRTE.P clear */
	MSK_VTD_FR_TABLE_INVALID = 0x23,  /* table access failed */
	MSK_VTD_FR_IRTE_RESERVED = 0x24,  /* reserved bits in a present IRTE */
	MSK_VTD_FR_COMPAT_BLOCKED = 0x25, /* compatibility format while blocked */
	MSK_VTD_FR_SID = 0x26,		  /* source-id validation failed */
};
#define MSK_VTD_FR_FIRST 0x20u
#define MSK_VTD_FR_COUNT 7u

/* IRTE (128 bits: lo = bits 63:0, hi = bits 127:64), remapped format. */
#define MSK_IRTE_LO_P	       (1ull << 0)
#define MSK_IRTE_LO_FPD	       (1ull << 1)
#define MSK_IRTE_LO_DM_LOGICAL (1ull << 2)
#define MSK_IRTE_LO_RH	       (1ull << 3)
#define MSK_IRTE_LO_TM_LEVEL   (1ull << 4)
#define MSK_IRTE_LO_DLM_SHIFT  5 /* 7:5 */
#define MSK_IRTE_LO_IM	       (1ull << 15)
#define MSK_IRTE_LO_V_SHIFT    16 /* 23:16 */
#define MSK_IRTE_LO_DST_SHIFT  32 /* 63:32; xAPIC: APIC ID in 47:40 */
#define MSK_IRTE_HI_SQ_SHIFT   16 /* 17:16 */
#define MSK_IRTE_HI_SVT_SHIFT  18 /* 19:18 */
#define MSK_IRTE_SVT_NONE      0u
#define MSK_IRTE_SVT_MASKED    1u
#define MSK_IRTE_SVT_BUS_RANGE 2u

/* ---- the model ---------------------------------------------------------- */

struct msk_x86;

struct msk_x86_config {
	unsigned int ncpus; /* 1..MSK_MAX_CPUS */
	const uint32_t
		*apic_ids; /* ncpus distinct APIC IDs (not 0xFFFFFFFF); NULL: CPU c has ID c */
	uint64_t ir_base;  /* VT-d register block, 4 KiB aligned; 0: no remapping unit */
};

/*
 * Build the LAPICs of cfg->ncpus CPUs, map the MSI window on `bus` and,
 * if cfg->ir_base != 0, a VT-d unit's registers there (reset state: IR
 * disabled, no table pointer, FECTL.IM=1). Losses go to the bus's ledger.
 * notify may be NULL (no kicks); it is copied.
 * Returns 0, -MSK_EINVAL (bad CPU count, duplicate or reserved APIC ID,
 * unaligned ir_base), -MSK_EBUSY (a window overlaps RAM or a region),
 * -MSK_ENOMEM. Nothing is mapped on failure, except if the bus cannot
 * even unmap a window again (out of memory twice): then the half-built
 * model stays mapped and alive, and is leaked.
 */
int msk_x86_create(struct msk_bus *bus, const struct msk_x86_config *cfg,
		   const struct msk_cpu_notify *notify, struct msk_x86 **out);

/*
 * Unmap the windows and free the model; pending weight is simply dropped
 * (account for it first: msk_x86_held()). When it returns 0 no handler of
 * the model runs any more. -MSK_ENOMEM if the bus could not unmap a
 * region: the model is then still valid (it may have lost its VT-d
 * register mapping already) and destroy may be called again.
 * NULL is accepted (returns 0).
 */
int msk_x86_destroy(struct msk_x86 *x86);

/* Number of CPUs. */
unsigned int msk_x86_ncpus(const struct msk_x86 *x86);

/* Is there a VT-d remapping unit? */
bool msk_x86_has_ir(const struct msk_x86 *x86);

/*
 * CPU `cpu` takes its highest deliverable interrupt: the vector moves from
 * IRR to ISR and its pending weight is handed to the caller (who then owns
 * it in the ledger's sense). Returns 1 with *vector and *weight set, 0 if
 * nothing is deliverable (outputs unchanged), -MSK_EINVAL for a bad CPU.
 * The weight may be 0 (a copy of a multi-CPU message or a VT-d fault
 * event) and may exceed 32 bits after much coalescing.
 */
int msk_x86_take(struct msk_x86 *x86, unsigned int cpu, uint8_t *vector, uint64_t *weight);

/*
 * End of interrupt on `cpu`: clear its highest ISR bit. Returns that
 * vector (16..255), -MSK_ENOENT if the ISR is empty (nothing changes, as
 * an EOI write with nothing in service), -MSK_EINVAL for a bad CPU.
 * May kick `cpu` if an interrupt becomes deliverable.
 */
int msk_x86_eoi(struct msk_x86 *x86, unsigned int cpu);

/*
 * Set the task priority of `cpu` (0..255, the CR8/TPR value): vectors of a
 * class <= tpr >> 4 are held back. Returns 0 or -MSK_EINVAL (bad CPU).
 * May kick `cpu` if lowering it makes an interrupt deliverable.
 */
int msk_x86_set_tpr(struct msk_x86 *x86, unsigned int cpu, uint8_t tpr);

/* Total weight pending in every CPU's IRR (ISR entries were handed out). */
uint64_t msk_x86_held(const struct msk_x86 *x86);

/* xAPIC register offsets (Intel SDM vol. 3, "Local APIC Register Address Map"). */
#define MSK_X86_APIC_ID	 0x020u /* bits 31:24: the xAPIC ID (an x2APIC ID's low 8 bits) */
#define MSK_X86_APIC_TPR 0x080u
#define MSK_X86_APIC_PPR 0x0A0u
#define MSK_X86_APIC_ISR 0x100u /* 8 registers, 0x10 apart: vectors 32*i .. 32*i+31 */
#define MSK_X86_APIC_IRR 0x200u /* likewise */

/*
 * msk_x86_apic_read - read CPU `cpu`'s local APIC register at offset reg
 * (one of MSK_X86_APIC_*; ISR and IRR as MSK_X86_APIC_IRR + vector / 32 *
 * 0x10), as the OS reads its own APIC (Linux's apic_read()). The state
 * is read at one instant: a message accepted meanwhile sets its IRR bit
 * before or after, never half.
 * Context: any thread; takes the APIC's lock briefly.
 * Return: 0 with *val set; -MSK_EINVAL for a bad CPU or a register this
 * model does not implement (*val unchanged).
 */
int msk_x86_apic_read(const struct msk_x86 *x86, unsigned int cpu, unsigned int reg, uint32_t *val);

/* One CPU's APIC, for tests and reports. */
struct msk_x86_cpu_state {
	uint32_t apic_id;
	uint8_t tpr;
	uint8_t ppr;		 /* processor priority: max(TPR, ISRV & 0xF0) */
	uint64_t irr[4], isr[4]; /* bit v of word v / 64 */
	uint64_t weight[256];	 /* pending weight per IRR vector */
	uint64_t held;		 /* sum of weight[] */
	uint64_t accepted;	 /* messages accepted into the IRR */
	uint64_t coalesced;	 /* ... of which found the vector already pending */
	uint64_t taken;		 /* successful take() calls */
	uint64_t eois;		 /* EOIs that cleared an ISR bit */
};

/* Copy CPU `cpu`'s APIC state. 0 or -MSK_EINVAL (bad CPU; *out unchanged). */
int msk_x86_cpu_state(const struct msk_x86 *x86, unsigned int cpu, struct msk_x86_cpu_state *out);

/* Counters of the window and the remapping unit, for tests and reports. */
struct msk_x86_stats {
	uint64_t messages;		   /* message writes that reached the window */
	uint64_t compat;		   /* ... in compatibility format (4-byte) */
	uint64_t remappable;		   /* ... in remappable format (4-byte) */
	uint64_t remapped;		   /* remappable messages translated by an IRTE */
	uint64_t faults[MSK_VTD_FR_COUNT]; /* by reason - MSK_VTD_FR_FIRST */
	uint64_t faults_recorded;	   /* written to a fault recording register */
	uint64_t faults_suppressed;	   /* not recorded because of IRTE.FPD */
	uint64_t faults_overflowed;	   /* not recorded: FSTS.PFO or no free register */
	uint64_t fault_events;		   /* fault event messages sent to the LAPICs */
};

/* Snapshot of the counters (each counter read atomically). */
void msk_x86_stats(const struct msk_x86 *x86, struct msk_x86_stats *out);

/* The remapping unit's architectural state, for tests and reports. */
struct msk_vtd_state {
	uint32_t gsts, fsts, fectl;
	uint64_t irta;	       /* IRTA_REG as last written */
	uint64_t irta_latched; /* the table pointer SIRTP latched (valid if GSTS.IRTPS) */
	struct {
		uint64_t lo, hi;
	} frcd[MSK_VTD_NFR];
};

/* Copy the VT-d state. 0, or -MSK_ENODEV without a remapping unit. */
int msk_x86_vtd_state(const struct msk_x86 *x86, struct msk_vtd_state *out);

/*
 * Where a message would go, followed through the model without changing
 * it (msk_x86_route): lost with the reason the data path would give, or
 * the CPU that would get its weight and the vector.
 */
struct msk_x86_route {
	bool lost;	      /* the message would be lost ... */
	enum msk_loss reason; /* ... for this reason */
	uint8_t fault;	      /* the VT-d fault reason that would block it (0: none) */
	bool remapped;	      /* translated by an IRTE ... */
	uint32_t irte_index;  /* ... this one */
	unsigned int cpu;     /* not lost: the CPU that gets the weight */
	uint8_t vector;	      /* and the vector it takes */
	char detail[72];      /* the translation, e.g. "IRTE 5 -> dest 0x01 vector 0x22 -> CPU 1" */
};

/*
 * Follow a 4-byte message write of `data` to `addr` by requester `rid` as
 * msk_bus_msi() would deliver it: RAM or no doorbell, the MSI window's
 * decode, the remapping unit (table pointer, IRTE in guest RAM, its
 * checks), the APICs' delivery rules (lowest-priority arbitration as it
 * would come out now). Changes nothing: no fault record, no counter, no
 * ledger entry, and the injected IRTE fault below is neither counted nor
 * fired. Reads guest RAM. Returns 0 (*out filled) or -MSK_EINVAL (NULL
 * arguments).
 */
int msk_x86_route(struct msk_x86 *x86, uint32_t rid, uint64_t addr, uint32_t data,
		  struct msk_x86_route *out);

/* ---- fault injection (a test and simulation hook, not hardware) --------- */

/*
 * Arm an IRTE fetch fault: the nth remappable request from now that gets
 * as far as fetching its IRTE (remapping on, request decoded, table
 * pointer latched, index in range) faults as if reading the interrupt
 * remapping table had failed: reason 0x23 ("error accessing the table
 * pointed to by IRTA") is recorded for its requester and index (IRTE.FPD
 * cannot suppress it: the entry was never read), the fault event is
 * raised, the request is blocked and its weight lost as
 * "ir-table-invalid". Once: later requests are translated normally.
 * Arming resets the counts; nth = 0 disarms and keeps them for reports.
 * Messages in flight on other threads while arming may or may not count.
 * 0, or -MSK_ENODEV without a remapping unit.
 */
int msk_x86_vtd_inject_irte_fault(struct msk_x86 *x86, uint64_t nth);

/* The state of the injection above. */
struct msk_vtd_injection {
	bool ever;	/* armed at least once since creation */
	uint64_t nth;	/* armed N (0: disarmed) */
	uint64_t seen;	/* IRTE fetches counted since arming */
	uint64_t fired; /* 0 or 1 */
	char what[128]; /* the request that faulted, e.g. "IRTE 5 fetch for 01:00.0 (...)" */
};

/* Copy the injection state. 0, or -MSK_ENODEV without a remapping unit. */
int msk_x86_vtd_injection(const struct msk_x86 *x86, struct msk_vtd_injection *out);

#ifdef __cplusplus
}
#endif
#endif
