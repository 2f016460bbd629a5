/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_PPC64_XIVE_INTERNAL_H
#define MSK_HW_PPC64_XIVE_INTERNAL_H

/*
 * XIVE model internals shared by xive.c (instance, bus regions,
 * introspection), xive_esb.c (PQ state machine, ESB and MSI-window
 * accesses) and xive_router.c (EAS/END, event queues, take).
 *
 * Everything below is protected by msk_xive.lock.
 */

#include <msikit/hw_xive.h>

#include <pthread.h>
#include <stdint.h>

struct xive_source {
	uint8_t pq; /* MSK_XIVE_PQ_* */
	bool eas_valid;
	bool eas_masked;
	uint8_t eas_prio; /* 0..7 */
	uint32_t eas_cpu;
	uint32_t eas_eisn; /* 31 bits */
	uint64_t held;	   /* coalesced weight no notification has carried yet */
};

/*
 * An END's event queue. The weights of entries written and not taken are
 * a FIFO (ring `w` of `cap` slots starting at `head`, `count` long): the
 * i-th one belongs to queue slot (windex - count + i) mod entries, since
 * the producer fills consecutive slots and only the oldest is taken.
 */
struct xive_end {
	uint64_t qaddr;
	uint8_t qshift; /* 0: no queue */
	bool ucond;
	bool gen;	 /* producer generation */
	bool toggle;	 /* consumer toggle */
	uint32_t windex; /* producer index */
	uint32_t cindex; /* consumer index */
	uint32_t *w;	 /* weights of outstanding entries */
	uint32_t cap, head, count;
	uint64_t held; /* sum of w[] */
};

struct msk_xive {
	struct msk_bus *bus;
	struct msk_ledger *ledger;
	uint32_t nr_sources, nr_cpus;
	uint64_t esb_base, esb_size;
	unsigned int esb_shift;
	uint64_t msi_base, msi_size;
	bool store_eoi;
	struct msk_cpu_notify notify;
	pthread_mutex_t lock;
	struct xive_source *src; /* nr_sources */
	struct xive_end *end;	 /* nr_cpus * MSK_XIVE_PRIORITIES */
	uint64_t held;		 /* sum of every source's and END's held */
};

/* A CPU to kick once the lock is dropped; cpu == UINT32_MAX: none. */
struct xive_kick {
	uint32_t cpu;
};

static inline struct xive_end *xive_end_of(struct msk_xive *x, uint32_t cpu, unsigned int prio)
{
	return &x->end[(uint64_t)cpu * MSK_XIVE_PRIORITIES + prio];
}

/* xive_esb.c ---------------------------------------------------------------- */

extern const struct msk_mmio_ops msk_xive_esb_ops;
extern const struct msk_mmio_ops msk_xive_msi_ops;

/*
 * What the ESB state machine does with a trigger in state pq (table in
 * msikit/hw_xive.h); *next receives the new PQ. Pure: the real trigger and
 * msk_xive_route share it.
 */
enum xive_pq_effect {
	XIVE_PQ_NOTIFY,	  /* 00 -> 10: the source notifies now */
	XIVE_PQ_DROP,	  /* 01: off, the event is lost ("xive-off") */
	XIVE_PQ_COALESCE, /* 1x -> 11: held at the source until its EOI notifies */
};
enum xive_pq_effect xive_pq_trigger(uint8_t pq, uint8_t *next);

/*
 * A device message of `size` bytes carrying `value` at offset `off` of the
 * MSI window: MSK_LOSS__COUNT with *lisn the source it triggers, or why
 * it triggers nothing. Pure.
 */
enum msk_loss xive_msi_decode(const struct msk_xive *x, unsigned int size, uint64_t value,
			      uint32_t *lisn);

/*
 * A store of `size` bytes at offset `off` of the ESB region: false when
 * the access has no effect at all (out of range, bad size or alignment),
 * else true with the source, the page and the offset in the page. Pure.
 */
bool xive_esb_store_decode(const struct msk_xive *x, uint64_t off, unsigned int size,
			   uint32_t *lisn, bool *mgmt, uint64_t *pgoff);

/* Is a store at page offset pgoff of a trigger (mgmt false) or management page a trigger? */
bool xive_esb_store_triggers(bool mgmt, uint64_t pgoff);

/* A trigger of source s with weight w (lock held). */
void xive_trigger_locked(struct msk_xive *x, uint32_t lisn, uint32_t w, struct xive_kick *k);

/*
 * One access to source lisn's page (mgmt or trigger) at page offset `off`
 * with the architected meaning (lock held); for stores *value is the data
 * and `w` the weight a device message carries, for loads *value receives
 * the result.
 */
void xive_esb_op_locked(struct msk_xive *x, uint32_t lisn, bool mgmt, uint64_t off, bool store,
			uint64_t *value, uint32_t w, struct xive_kick *k);

/* xive_router.c ------------------------------------------------------------- */

/*
 * Where a notification of source lisn goes: MSK_LOSS__COUNT with *e its
 * END, or why it cannot be enqueued (EAS invalid or masked, no queue;
 * with `room`, a full queue too - a notification now, not one a later EOI
 * sends). No side effect; lock held. The real notification and
 * msk_xive_route share it.
 */
enum msk_loss xive_dest_locked(struct msk_xive *x, uint32_t lisn, bool room, struct xive_end **e);

/*
 * Forward a notification of source lisn carrying weight w through its EAS
 * and END (lock held). Loses w with the right reason when it cannot be
 * enqueued; records the CPU to kick in *k.
 */
void xive_notify_locked(struct msk_xive *x, uint32_t lisn, uint32_t w, struct xive_kick *k);

/* Drop an END's queue, losing what it holds ("xive-queue-reset"). */
void xive_end_reset_locked(struct msk_xive *x, struct xive_end *e);

/* Kick the CPU recorded in k (lock not held). */
void xive_kick(struct msk_xive *x, const struct xive_kick *k);

#endif
