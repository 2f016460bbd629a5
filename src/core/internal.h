/* SPDX-License-Identifier: MIT */
#ifndef MSK_CORE_INTERNAL_H
#define MSK_CORE_INTERNAL_H

/* Private structures of the generic core, shared by the files of src/core only. */

#include <msikit/domain.h>
#include <msikit/irq.h>

#include <pthread.h>
#include <stdatomic.h>

#include "base/rcu.h"
#include "core/radix.h"

/*
 * Delivery state of a descriptor (desc->fstate), changed with atomic
 * compare-and-swap so the common delivery path takes no lock. Control
 * paths change DISABLED/MASKED under desc->lock; PENDING may be set by any
 * CPU (under desc->lock) and is cleared only by whoever replays it.
 */
#define F_DISABLED   (1u << 0) /* depth > 0 */
#define F_MASKED     (1u << 1) /* masked at the chip */
#define F_INPROGRESS (1u << 2) /* a handler runs (on some CPU, or a replay) */
#define F_PENDING    (1u << 3) /* an event is held for replay */
#define F_BLOCKED    (F_DISABLED | F_MASKED)

/* Control state of a descriptor (desc->cstate), under desc->lock. */
#define C_ACTIVATED    (1u << 0)
#define C_STARTED      (1u << 1)
#define C_MANAGED      (1u << 2)
#define C_CAN_RESERVE  (1u << 3)
#define C_LAZY_MASKED  (1u << 4) /* masked by the flow because it was disabled */
#define C_AFFINITY_SET (1u << 5) /* affinity given at allocation or by the user */
#define C_MANAGED_SHUTDOWN (1u << 6) /* managed, shut down by CPU hotplug (cpuhotplug.c) */

struct msk_irqaction {
	msk_irq_handler_fn handler;
	void *dev_id;
	char *name;
	msk_rcu_head rcu;
};

/*
 * The fields the delivery path reads come first so that, with the outermost
 * irq_data's virq/hwirq/chip, they share one cache line; the per-CPU counts
 * trail the descriptor in the same allocation.
 */
struct msk_irq_desc {
	/* F_* flags in bits 0-31, weight of held events in bits 32-63 (flow.c) */
	_Atomic uint64_t fstate;
	struct msk_irqaction *_Atomic action;
	struct msk_core *core;
	struct msk_irq_data irq_data; /* outermost level */
	enum msk_flow_type flow;

	pthread_mutex_t lock; /* control paths and the delivery slow path */
	unsigned int depth;
	uint32_t cstate;
	struct msk_cpumask affinity;
	struct msk_cpumask effective;
	void *msi_desc;
	char *dev_name;

	_Atomic uint64_t spurious;
	_Atomic uint64_t replayed;
	unsigned int nlevels; /* irq_data levels, including the embedded one */
	msk_rcu_head rcu;
	_Atomic uint64_t kstat[]; /* per-CPU handled counts */
};

struct msk_irq_domain {
	struct msk_core *core;
	char *name;
	const struct msk_irq_domain_ops *ops;
	struct msk_irq_domain *parent;
	void *host_data;
	uint64_t hwirq_max;
	enum msk_bus_token bus_token;
	unsigned int flags;
	unsigned int depth;    /* 0 for a root */
	unsigned int children; /* domains whose parent this is */
	unsigned int mapcount; /* virqs with a level in this domain */
	struct msk_radix revmap;
	const struct msk_msi_parent_ops *msi_parent_ops; /* MSI parents only (msi.h) */
	struct msk_irq_domain *next;			 /* registry list, creation order */
};

struct msk_core {
	unsigned int nr_cpus;
	unsigned int nr_irqs;
	struct msk_ledger *ledger;

	/*
	 * The control lock: allocation, freeing, activation, the domain
	 * registry, and the hand-over between them and the manage calls.
	 */
	pthread_mutex_t lock;
	uint64_t *virq_bitmap;	 /* allocated virqs; bit 0 always set */
	uint64_t *virq_full;	 /* bit w set: virq_bitmap[w] is full (a summary for searches) */
	unsigned int alloc_hint; /* no free virq below it */
	struct msk_radix descs;	 /* virq -> desc, RCU readable */
	struct msk_irq_domain *domains;
	struct msk_irq_domain *domains_tail;

	_Atomic uint64_t online[MSK_CPU_WORDS];
	_Atomic uint64_t held_weight;
	_Atomic uint64_t nr_virqs, nr_irq_data, nr_domains, nr_actions, nr_revmap;
	_Atomic uint64_t bytes;

	struct msk_msi_core *msi; /* the MSI core's per-core state (msi_monitor.c) */
};

struct msk_msi_parent_ops;
struct msk_msi_core;
/* msi_monitor.c: create / free the MSI core's per-core state. */
int msk_msi_core_init(struct msk_core *core);
void msk_msi_core_fini(struct msk_core *core);

/* irqdesc.c */
int msk_virq_range_alloc(struct msk_core *core, unsigned int nr, unsigned int *first);
void msk_virq_range_release(struct msk_core *core, unsigned int first, unsigned int nr);
bool msk_virq_is_allocated(const struct msk_core *core, unsigned int virq);
struct msk_irq_desc *msk_desc_alloc(struct msk_core *core, unsigned int virq,
				    struct msk_irq_domain *domain,
				    const struct msk_irq_affinity_desc *aff);
/* Free a descriptor that was never published (no readers can see it). */
void msk_desc_free_now(struct msk_irq_desc *desc);
/* Free a published-then-unpublished descriptor after a grace period. */
void msk_desc_free_rcu(struct msk_irq_desc *desc);
struct msk_cpumask msk_online_mask(const struct msk_core *core);

/* flow.c */
int msk_flow_handle(struct msk_irq_desc *desc, unsigned int cpu, uint32_t weight);
/*
 * Replay a held event if the descriptor can run now. Called by control
 * paths without desc->lock held, on the given CPU's behalf.
 */
void msk_flow_check_replay(struct msk_irq_desc *desc, unsigned int cpu);
/* Drop held events (freeing): report them lost. Returns the weight dropped. */
uint32_t msk_flow_drop_pending(struct msk_irq_desc *desc, enum msk_loss reason);
/* Wait until no handler of desc runs on any CPU. */
void msk_flow_wait_idle(struct msk_irq_desc *desc);

/* manage.c / chip.c: chip operations on the outermost level, desc->lock held. */
void msk_chip_mask_locked(struct msk_irq_desc *desc);
void msk_chip_unmask_locked(struct msk_irq_desc *desc);

/* manage.c: start (unmask) / shut down (mask) a virq; desc->lock held. */
int msk_startup_locked(struct msk_irq_desc *desc);
void msk_shutdown_locked(struct msk_irq_desc *desc);

/* domain.c */
int msk_activate_locked(struct msk_irq_desc *desc, bool reserve);
void msk_deactivate_locked(struct msk_irq_desc *desc);

/* The CPU to account a control-path replay to: first effective, else first online. */
unsigned int msk_desc_replay_cpu(struct msk_irq_desc *desc);

static inline void msk_stat_add(_Atomic uint64_t *c, int64_t d)
{
	atomic_fetch_add_explicit(c, (uint64_t)d, memory_order_relaxed);
}

#endif
