/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_PPC64_SPAPR_INTERNAL_H
#define MSK_HW_PPC64_SPAPR_INTERNAL_H

/*
 * pSeries firmware internals shared by spapr.c (instance, functions, PEs,
 * the MSI LISN pool), spapr_rtas.c and spapr_hcall.c. Everything is
 * protected by msk_spapr.lock; the XIVE's own lock nests inside it.
 */

#include "base/injection.h"
#include <msikit/hw_xive.h>

#include <pthread.h>
#include <stdatomic.h>

struct spapr_pe {
	uint64_t buid;
	uint32_t id;
	uint32_t quota; /* 0: none */
	uint32_t used;	/* interrupts allocated by its functions */
	unsigned int nfn;
};

struct spapr_fn {
	uint64_t buid;
	uint32_t config_addr; /* bus << 16 | devfn << 8 */
	struct spapr_pe *pe;
	struct msk_spapr_fn_ops ops;
	void *ctx;
	unsigned int type; /* MSK_RTAS_TYPE_*, NONE when nothing is allocated */
	uint32_t count;	   /* interrupts allocated (claimed LISNs) */
	uint32_t first;	   /* first LISN */
	uint32_t block;	   /* LISNs reserved in the pool from `first` */
};

struct msk_spapr {
	struct msk_xive *xive;
	pthread_mutex_t lock;
	atomic_bool xive_mode;
	uint32_t ipi_count;
	uint32_t msi_base, msi_count;
	uint32_t default_quota;
	uint8_t *pool; /* msi_count entries; 1 = reserved */
	uint32_t pool_free;
	struct spapr_fn **fns;
	unsigned int nfns;
	struct spapr_pe **pes;
	unsigned int npes;
	struct msk_injection fault; /* msk_spapr_fault_arm; under lock */
};

/* The function (buid, config_addr & 0xFFFF00), or NULL. Lock held. */
struct spapr_fn *spapr_find_fn(struct msk_spapr *fw, uint64_t buid, uint32_t config_addr);

/* Release fn's interrupts: LISNs freed and returned, PE usage dropped. Lock held. */
void spapr_release(struct msk_spapr *fw, struct spapr_fn *fn);

/*
 * How many interrupts of `type` fn could get now, counting what it holds
 * as free (its own quota share and LISN block). Lock held.
 */
uint32_t spapr_available(struct msk_spapr *fw, const struct spapr_fn *fn, unsigned int type);

/*
 * Reserve `count` interrupts of `type` for fn (which holds nothing) from
 * the pool, claim them in the XIVE, charge the PE. The caller checked
 * spapr_available(). Returns false if no block fits (nothing changed).
 */
bool spapr_allocate(struct msk_spapr *fw, struct spapr_fn *fn, unsigned int type, uint32_t count);

/*
 * Count one firmware call against the armed fault (lock held). True when
 * this call is to be refused; the caller then answers the hardware error
 * and describes the call with spapr_fault_note_hcall/_rtas.
 */
bool spapr_fault_hit(struct msk_spapr *fw);

/* Describe a refused hcall / RTAS call (the first refusal is kept). Lock held. */
void spapr_fault_note_hcall(struct msk_spapr *fw, uint64_t opcode, const uint64_t *a);
void spapr_fault_note_rtas(struct msk_spapr *fw, const char *name, const uint32_t *args,
			   unsigned int nargs);

#endif
