/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_X86_INTERNAL_H
#define MSK_IRQCHIP_X86_INTERNAL_H

/*
 * The x86 drivers' private state, shared by x86_vector.c (VECTOR),
 * x86_ir.c (INTEL-IR-0) and x86_dmar.c (the remapping unit's fault event,
 * DMAR-MSI). The board (src/platform/x86.c: the CPU service, hotplug,
 * controller faults; x86_route.c: following messages) embeds a struct
 * x86_vector and reads it through this header; the drivers know nothing
 * of the board.
 *
 * Locks: vector_lock protects the matrix, every apic_data's assignment
 * fields, the cleanup list, the parked vectors and the IRTE allocator. It
 * is the innermost lock of the control paths (core lock -> descriptor
 * lock -> vector_lock) and the delivery path takes it only after the entry
 * path has returned (cleanup), never while it holds a core lock. The
 * per-CPU vector tables are read lock-free under RCU.
 */

#include <msikit/domain.h>
#include <msikit/hw_x86.h>
#include <msikit/matrix.h>
#include <msikit/msi.h>

#include <pthread.h>
#include <stdatomic.h>

#include "base/rcu.h"

#define X86_NR_VECTORS	    256u
#define X86_FIRST_VECTOR    0x20u /* FIRST_EXTERNAL_VECTOR */
#define X86_FIRST_SYSTEM    0xECu /* LOCAL_TIMER_VECTOR = FIRST_SYSTEM_VECTOR */
#define X86_SYSCALL_VECTOR  0x80u
#define X86_SHUTDOWN_VECTOR 0xEFu /* VECTOR_SHUTDOWN: where unassigned irqs point */

struct x86_vector;

/*
 * Per virq at the VECTOR level (Linux struct apic_chip_data). The state
 * machine of the assignment:
 *
 *   RESERVED  (can_reserve, has_reserved): a global reservation, the
 *             message points at the shutdown vector;
 *   MANAGED   (is_managed, !has_vector): managed slots on every CPU of the
 *             mask, the message points at the shutdown vector;
 *   ASSIGNED  (has_vector): a real vector on `cpu`; a move may be in
 *             progress.
 *
 * At most one previous vector (prev_vector, prev_cpu) waits for release,
 * in the cleanup list through the node embedded here (Linux's clist): the
 * old vector of a move, or the vector of a deactivation that an interrupt
 * was still pending on. It is released once the move has completed (no
 * move_in_progress) and it is neither pending nor in service on its CPU.
 * Nothing is allocated to retire a vector, so a forced move (hotplug) and
 * a deactivation cannot fail; a vector they must retire while the record
 * is taken is parked on its CPU instead (struct x86_parked).
 *
 * vector and cpu are atomics: the acknowledge on the delivery path reads
 * them (move completion) while control paths change them under vector_lock.
 */
struct x86_apicd {
	struct x86_vector *p;
	unsigned int virq;
	_Atomic unsigned int vector; /* current vector (the shutdown vector when none) */
	_Atomic unsigned int cpu;    /* its CPU */
	unsigned int prev_vector;    /* waiting for release (0: none; then on the list) */
	unsigned int prev_cpu;
	struct x86_apicd *clist_next;	/* the cleanup list, under vector_lock */
	struct x86_apicd **clist_pprev; /* NULL: not on it */
	_Atomic bool move_in_progress;	/* new vector assigned, no interrupt on it yet */
	bool is_managed;
	bool can_reserve;
	bool has_reserved; /* holds a global reservation */
	bool has_vector;   /* holds a real vector (vector, cpu) */
	bool has_slots;	   /* holds managed slots on managed_mask */
	struct msk_cpumask managed_mask;
	struct msk_irq_domain *dev_domain; /* for the contract monitor (NULL: none) */
	msk_rcu_head rcu;
};

/*
 * Per CPU: vectors parked - given up by their irq while an interrupt on
 * them was still pending or in service, with the irq's one cleanup record
 * already taken. A parked vector stays allocated in the matrix (no other
 * irq can get it) and its table entry keeps naming its irq (the pending
 * interrupt is delivered there) until the cleanup pass finds it idle; an
 * irq that is freed first leaves the entry empty (the interrupt is then
 * lost as vector-not-assigned, never handed to another irq). Linux frees
 * such a vector at once and takes the interrupt as spurious.
 */
struct x86_parked {
	uint64_t bits[X86_NR_VECTORS / 64];
	uint64_t managed[X86_NR_VECTORS / 64]; /* ... of which managed slots */
};

/* The interrupt remapping unit's driver state (x86_ir.c). */
struct x86_ir;
/* The remapping unit's fault event interrupt (x86_dmar.c). */
struct x86_dmar;

#define X86_DMAR_LOG 16u /* faults the DMAR-MSI handler keeps */

/*
 * One remapping fault as the fault handler logged it (the board copies it
 * into struct msk_x86_ir_fault).
 */
struct x86_ir_fault {
	uint8_t reason; /* VT-d fault reason, 0x20..0x26 */
	uint16_t sid;	/* requester ID of the faulting request */
	uint16_t index; /* its interrupt index */
	char text[128]; /* "INTR-REMAP: device [01:00.0] index 0x5: fault reason 0x23: ..." */
};

/*
 * The x86 drivers' state: the VECTOR domain (matrix, per-CPU vector
 * tables, cleanup) and, with remapping, INTEL-IR-0 and DMAR-MSI. What the
 * board hands in (core, bus, model, ncpus, the VT-d register block and the
 * table area in guest RAM) is set before x86_vector_init().
 */
struct x86_vector {
	struct msk_core *core;
	struct msk_bus *bus;
	struct msk_x86 *x86;
	unsigned int ncpus;
	uint64_t ir_regs;    /* the VT-d register block (x86_ir_init, x86_dmar_init) */
	uint64_t table_base; /* guest RAM the drivers carve tables from */
	uint64_t table_size;

	pthread_mutex_t vector_lock;
	struct msk_matrix *matrix;
	struct x86_apicd *_Atomic *table; /* [cpu * 256 + vector], RCU readable */
	struct x86_apicd *cleanup;	  /* the cleanup list, under vector_lock */
	struct x86_parked *parked;	  /* [cpu], under vector_lock */
	_Atomic unsigned int nrecords;	  /* vectors waiting: on the list + parked */
	unsigned int nparked;		  /* parked vectors, under vector_lock */
	struct msk_cpumask dying;	  /* CPUs being taken offline: no IRR wait */

	struct msk_irq_domain *vector_domain;
	struct msk_irq_domain *ir_domain; /* NULL without remapping */
	struct x86_ir *ir;
	struct msk_irq_domain *dmar_domain; /* the fault event's "DMAR-MSI" (with remapping) */
	struct x86_dmar *dmar;

	/* Counters (reports, tests). */
	_Atomic uint64_t not_assigned; /* interrupts on vectors without descriptor */
	_Atomic uint64_t moves, moves_completed, cleaned;
	_Atomic uint64_t
		moves_forced; /* moves in progress ended by force (hotplug, deactivation) */
	_Atomic uint64_t taken;
};

/* ---- x86_vector.c ---------------------------------------------------------------- */

/* Create the VECTOR domain and make it an MSI parent. 0 or -errno. */
int x86_vector_init(struct x86_vector *p);
/* Free the matrix and the tables (domains are gone). */
void x86_vector_fini(struct x86_vector *p);
/*
 * CPU `cpu` was drained and is offline (in p->dying): end the moves away
 * from it and release every vector waiting for cleanup there. vector_lock held.
 */
void x86_vector_flush_cpu_locked(struct x86_vector *p, unsigned int cpu);

/*
 * x86_vector_is_live - would Linux's vector_irq entry for (cpu, vector),
 * which names a here, still name a's descriptor (a is activated), rather
 * than VECTOR_SHUTDOWN (a was deactivated since)?
 * Context: any; takes vector_lock.
 * Return: true if it does.
 */
bool x86_vector_is_live(struct x86_vector *p, struct x86_apicd *a, unsigned int cpu,
			unsigned int vector);
/* Run the cleanup pass (takes vector_lock). */
void x86_vector_cleanup(struct x86_vector *p);
/* Cleanup pass with vector_lock held. */
void x86_vector_cleanup_locked(struct x86_vector *p);
/* Is a's previous vector on the cleanup list? vector_lock held. */
static inline bool x86_apicd_on_cleanup(const struct x86_apicd *a)
{
	return a->clist_pprev != NULL;
}
/* The apic_data of a virq's VECTOR level, or NULL. */
struct x86_apicd *x86_vector_apicd(struct x86_vector *p, unsigned int virq);
/* The per-CPU table slot. */
static inline struct x86_apicd *_Atomic *x86_slot(struct x86_vector *p, unsigned int cpu,
						  unsigned int vector)
{
	return &p->table[(size_t)cpu * X86_NR_VECTORS + vector];
}
/* The APIC ID of a CPU (identity mapping). */
static inline uint32_t x86_apic_id(struct x86_vector *p, unsigned int cpu)
{
	(void)p;
	return cpu;
}
/*
 * The interrupt being handled on this thread (set by the CPU service
 * around the entry path; the VECTOR acknowledge reads it to complete moves).
 */
struct x86_current {
	struct x86_vector *p;
	unsigned int cpu, vector;
};
extern _Thread_local struct x86_current x86_cur;

/* ---- x86_ir.c -------------------------------------------------------------------- */

/* Program the VT-d unit and create INTEL-IR-0 above VECTOR. 0 or -errno. */
int x86_ir_init(struct x86_vector *p);
/* Turn remapping off and free the driver state (domains are gone already). */
void x86_ir_fini(struct x86_vector *p);
/* IRTEs in use and the table size, for counters. */
void x86_ir_counts(struct x86_vector *p, unsigned int *used, unsigned int *size);
/* A virq's IRTE (vector_lock held), for msk_x86_platform_irq_vector(). false: not remapped. */
bool x86_ir_lookup(struct x86_vector *p, unsigned int virq, unsigned int *index,
		   unsigned int *sub_handle);

/* ---- x86_dmar.c ------------------------------------------------------------------ */

/*
 * Set up the remapping unit's fault event: the "DMAR-MSI" domain above
 * VECTOR, its virq with the fault handler installed ("dmar0"), and a
 * first pass over faults recorded before. 0 or -errno; what was set up
 * is undone by x86_dmar_fini().
 */
int x86_dmar_init(struct x86_vector *p);
/* Free the fault event virq and its domain. 0, or -MSK_EBUSY (then kept). */
int x86_dmar_fini(struct x86_vector *p);
/*
 * x86_dmar_fault_log - the most recent faults the handler logged, oldest first.
 * Context: any; takes the fault event's lock.
 * Return: how many were copied (at most max; 0 without remapping).
 */
size_t x86_dmar_fault_log(struct x86_vector *p, struct x86_ir_fault *out, size_t max);
/* Fault records serviced, overflows seen, fault events handled (0 without IR). */
void x86_dmar_counts(struct x86_vector *p, uint64_t *faults, uint64_t *overflows, uint64_t *events);

#endif
