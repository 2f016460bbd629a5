/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_X86_VTD_H
#define MSK_HW_X86_VTD_H

/* The VT-d interrupt-remapping unit's state, shared by vtd_*.c. */

#include "hw/x86/x86.h"

/*
 * What the translation path needs, packed in one word that register
 * writes publish atomically: the latched IRTA (base 63:12, EIME 11, S 3:0)
 * plus status flags in IRTA's reserved bits 10:4.
 */
#define VTD_ST_IRES	 (1ull << 4)
#define VTD_ST_CFIS	 (1ull << 5)
#define VTD_ST_IRTPS	 (1ull << 6)
#define VTD_ST_IRTA_MASK (MSK_VTD_IRTA_BASE_MASK | MSK_VTD_IRTA_EIME | MSK_VTD_IRTA_S_MASK)

struct msk_vtd {
	struct msk_x86 *x86;
	pthread_mutex_t lock;
	/* Register state, under lock. */
	uint64_t irta;	/* as written */
	uint32_t fsts;	/* PFO and FRI; PPF is derived from the F bits */
	uint32_t fectl; /* IM, IP */
	uint32_t fedata, feaddr, feuaddr;
	uint64_t frcd_lo[MSK_VTD_NFR], frcd_hi[MSK_VTD_NFR];
	unsigned int next_frcd; /* ring index of the next fault record */
	/* Published under lock, read by translation without it. */
	_Atomic uint64_t state;
	/* Counters. */
	_Atomic uint64_t remapped;
	_Atomic uint64_t faults[MSK_VTD_FR_COUNT];
	_Atomic uint64_t recorded, suppressed, overflowed, events;
	/*
	 * Fault injection (msk_x86_vtd_inject_irte_fault): armed under lock,
	 * counted lock-free by translation; inj_what under lock.
	 */
	_Atomic uint64_t inj_nth, inj_seen, inj_fired;
	char inj_what[128];
	bool inj_ever; /* under lock */
};

/* What the unit makes of a message while remapping is on (msk_vtd_translate). */
struct msk_vtd_xlate {
	bool fault;		      /* blocked with a fault ... */
	enum msk_vtd_fault_reason fr; /* ... of this reason */
	bool fpd;		      /* the fetched IRTE has FPD set */
	bool injected;		      /* the fault is the injected one */
	uint32_t index;		      /* interrupt index (0 for a compatibility-format request) */
	struct msk_apic_irq irq;      /* no fault: the interrupt for the APICs */
};

/* GSTS as software reads it, from a state word. */
uint32_t msk_vtd_gsts_of(uint64_t state);

/* vtd_ir.c */
/*
 * Translate a message while remapping is on: a fault or an interrupt in
 * *out. Returns false if it passes untranslated (remapping disabled, or
 * a compatibility-format message that CFIS lets through). With `probe`
 * nothing changes anywhere (the fault injection is neither counted nor
 * fired); otherwise only the injection's counters change.
 */
bool msk_vtd_translate(struct msk_vtd *v, uint32_t addr, uint32_t data, uint32_t rid, bool probe,
		       struct msk_vtd_xlate *out);

/* vtd_fault.c */
/* The ledger reason of a VT-d fault reason. */
enum msk_loss msk_vtd_fault_loss(enum msk_vtd_fault_reason fr);
/*
 * A translation fault: lose `weight` with the ledger reason of `fr`, and
 * log a fault record for requester `rid` and interrupt index `index`
 * unless `fpd` is set and `fr` is a qualified fault. Takes the lock.
 */
void msk_vtd_fault(struct msk_vtd *v, enum msk_vtd_fault_reason fr, uint32_t rid, uint32_t index,
		   bool fpd, uint32_t weight);
/* Register accessors for the fault registers; called with the lock held. */
uint32_t msk_vtd_fsts_read(const struct msk_vtd *v);
void msk_vtd_fsts_write(struct msk_vtd *v, uint32_t val);
void msk_vtd_fectl_write(struct msk_vtd *v, uint32_t val);
uint32_t msk_vtd_frcd_read(const struct msk_vtd *v, unsigned int idx, unsigned int dword);
void msk_vtd_frcd_write(struct msk_vtd *v, unsigned int idx, unsigned int dword, uint32_t val);

#endif
