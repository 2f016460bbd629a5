/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_XIVE_INTERNAL_H
#define MSK_IRQCHIP_XIVE_INTERNAL_H

/* Private state of the XIVE root driver (xive.c, xive_irq.c). */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <msikit/hw.h>

#include "irqchip/xive.h"

struct xive_drv {
	struct msk_core *core;
	struct msk_bus *bus;
	struct msk_spapr *fw;
	struct msk_xive *xive; /* the CPU interface: msk_xive_take */
	struct msk_irq_domain *domain;
	unsigned int ncpus;
	uint32_t nr_sources;
	unsigned int qshift;   /* log2 bytes of each CPU's queue */
	uint64_t qbase;	       /* CPU c's queue at qbase + (c << qshift) */
	pthread_mutex_t lock;  /* targets[], queue[] */
	unsigned int *targets; /* sources routed to each CPU (for spreading) */
	bool *queue;	       /* CPU c has its event queue configured */
};

/* One LISN as this driver knows it: the chip_data of its XIVE level. */
struct xive_irq {
	struct xive_drv *drv;
	uint32_t lisn;
	uint64_t trig; /* trigger page (bus address) */
	uint64_t mgmt; /* management (EOI) page */
	bool store_eoi;
	pthread_mutex_t lock; /* ESB state changes and the two flags below */
	bool masked;	      /* ESB set off by irq_mask */
	bool saved_p;	      /* P was set when masked: an entry may still be queued */
	int target;	      /* routed CPU, -1 when not routed (not activated) */
};

/*
 * xive_irq_resend - Linux's xive_irq_retrigger() for an entry flushed from
 * a queue: saved P cleared, PQ set to 11 and EOIed - done here as PQ 00
 * then a store to the trigger page (the same end state, PQ 10, and one
 * notification), the store standing for the entry's `weight` events.
 * Context: neither xd->lock nor drv->lock held.
 */
void xive_irq_resend(struct xive_irq *xd, uint32_t weight);

/* An hcall with up to five inputs; outputs in rets[MSK_HCALL_NRETS]. */
int64_t xive_hcall(struct xive_drv *x, uint64_t opcode, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4, uint64_t *rets);

/*
 * The same on a path that cannot fail (deactivation, queue removal): a
 * hardware error is retried once - bounded, and enough for a transient
 * refusal; the final answer is returned for the caller to stay consistent.
 */
int64_t xive_hcall_cannot_fail(struct xive_drv *x, uint64_t opcode, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3, uint64_t a4);

/* "H_HARDWARE", "H_P2", ... for an hcall return code. */
const char *xive_hcall_name(int64_t h);

/* The "XIVE" domain's ops (xive_irq.c). */
extern const struct msk_irq_domain_ops xive_domain_ops;

#endif
