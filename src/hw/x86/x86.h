/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_X86_X86_H
#define MSK_HW_X86_X86_H

/*
 * Internals of the x86 interrupt hardware model (msikit/hw_x86.h):
 *   lapic.c       per-CPU IRR/ISR, take/EOI/TPR, destination resolution
 *   msi_window.c  the 0xFEE00000 window: message decode and dispatch
 *   vtd_regs.c    the VT-d register block
 *   vtd_ir.c      interrupt remapping: IRTE fetch, checks, delivery; the
 *                 IRTE fetch fault injection hook
 *   vtd_fault.c   fault recording registers and the fault event
 *   route.c       following a message without side effects (msk_x86_route)
 *   x86.c         creation, destruction, counters
 *
 * Lock order: VT-d register lock -> one APIC lock. An APIC lock is never
 * held while taking another lock of the model.
 */

#include <msikit/hw_x86.h>

#include <pthread.h>
#include <stdatomic.h>

/* An interrupt as the APIC bus carries it, after decode or remapping. */
struct msk_apic_irq {
	uint32_t dest;	       /* 8-bit xAPIC or 32-bit x2APIC destination */
	bool x2apic;	       /* dest is a 32-bit x2APIC destination */
	bool logical;	       /* destination mode */
	bool redir_hint;       /* RH */
	uint8_t delivery_mode; /* MSK_APIC_DM_* */
	uint8_t vector;
};

struct msk_lapic {
	pthread_mutex_t lock;
	uint32_t apic_id; /* immutable */
	/* Under lock: */
	uint8_t tpr;
	uint64_t irr[4], isr[4];
	uint64_t weight[256];
	/* Written under lock, read without it: */
	_Atomic unsigned int ppr; /* for lowest-priority arbitration */
	_Atomic uint64_t held;
	_Atomic uint64_t accepted, coalesced, taken, eois;
};

struct msk_vtd;

struct msk_x86 {
	struct msk_bus *bus;
	struct msk_ledger *ledger;
	struct msk_cpu_notify notify;
	unsigned int ncpus;
	struct msk_vtd *vtd; /* NULL: no remapping unit */
	uint64_t ir_base;
	bool msi_mapped, vtd_mapped;
	_Atomic uint64_t messages, compat, remappable;
	struct msk_lapic cpu[]; /* ncpus */
};

/* lapic.c */
void msk_lapic_init(struct msk_lapic *l, uint32_t apic_id);
void msk_lapic_fini(struct msk_lapic *l);

/* Where an APIC-bus interrupt goes (msk_lapic_resolve). */
struct msk_lapic_target {
	bool lost;		/* no CPU accepts it ... */
	enum msk_loss reason;	/* ... for this reason */
	bool one;		/* one CPU of the destination set (lowest priority) */
	unsigned int first;	/* the CPU that gets the weight */
	struct msk_cpumask set; /* every CPU that gets the vector */
};
/*
 * Resolve `irq` against the APICs without changing them: the delivery
 * mode and vector checks, the destination set, and the lowest-priority
 * arbitration as it would come out now (from the published PPRs).
 */
void msk_lapic_resolve(const struct msk_x86 *x86, const struct msk_apic_irq *irq,
		       struct msk_lapic_target *out);
/*
 * Deliver `irq` carrying `weight` to the CPUs it addresses, or lose the
 * weight with the reason the header describes. Takes APIC locks one at a
 * time; callable with the VT-d register lock held.
 */
void msk_lapic_deliver(struct msk_x86 *x86, const struct msk_apic_irq *irq, uint32_t weight);

/* msi_window.c */
extern const struct msk_mmio_ops msk_x86_msi_ops;
/* Decode a compatibility-format (address, data) pair. */
void msk_x86_compat_decode(uint32_t addr, uint32_t data, struct msk_apic_irq *out);

/* vtd_regs.c */
extern const struct msk_mmio_ops msk_vtd_mmio_ops;
int msk_vtd_create(struct msk_x86 *x86, struct msk_vtd **out);
void msk_vtd_destroy(struct msk_vtd *v);
void msk_vtd_get_state(struct msk_vtd *v, struct msk_vtd_state *out);
void msk_vtd_get_stats(struct msk_vtd *v, struct msk_x86_stats *out);

/* vtd_ir.c */
/*
 * Offer a message to the remapping unit. Returns true if the unit took
 * it (translated and delivered, or faulted and lost); false if it passes
 * untranslated: remapping disabled, or a compatibility-format message
 * that CFIS lets through.
 */
bool msk_vtd_intercept(struct msk_vtd *v, uint32_t addr, uint32_t data, uint32_t rid,
		       uint32_t weight);

#endif
