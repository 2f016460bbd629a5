/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_IRQ_H
#define MSIKIT_IRQ_H

/*
 * The generic interrupt core: one instance (struct msk_core) owns a sparse
 * virq number space with its descriptors, the registry of interrupt domains
 * (msikit/domain.h) and the set of CPUs. It knows no hardware.
 *
 * A virq has one descriptor. The descriptor embeds the outermost level of
 * the virq's irq_data chain; each deeper domain level adds one irq_data
 * linked by parent_data, holding that level's hwirq, chip and chip data.
 *
 * Threads and locks:
 *  - The delivery path (msk_handle_irq, msk_domain_handle_irq) takes no lock
 *    in the common case: lookups are RCU reads, flow state is atomic. It may
 *    run on any number of threads at once, one "CPU" each.
 *  - Control calls (allocation, request/free, enable/disable, affinity) are
 *    serialised by the core; they may be called from any thread, and
 *    msk_irq_disable_nosync() also from a handler.
 *  - Descriptors are reclaimed only after every delivery that could see
 *    them has finished.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/cpumask.h>
#include <msikit/ledger.h>

#ifdef __cplusplus
extern "C" {
#endif

struct msk_core;
struct msk_irq_desc;
struct msk_irq_domain;
struct msk_irq_chip;

/* The default and the largest virq space; virq 0 is never a valid virq. */
#define MSK_DEFAULT_NR_IRQS (1u << 20)
#define MSK_MAX_NR_IRQS	    (1u << 24)

/* An MSI message as a device writes it. */
struct msk_msi_msg {
	uint32_t address_lo;
	uint32_t address_hi;
	uint32_t data;
};

/* One level of a virq's domain hierarchy. */
struct msk_irq_data {
	unsigned int virq;		  /* the same at every level */
	uint64_t hwirq;			  /* local to this level's domain */
	const struct msk_irq_chip *chip;  /* this level's chip (NULL: not set up) */
	void *chip_data;		  /* this level's private data */
	struct msk_irq_domain *domain;	  /* this level's domain */
	struct msk_irq_data *parent_data; /* next inner level; NULL at the root */
	struct msk_irq_desc *desc;	  /* the descriptor that owns the chain */
};

/* Return values of irq_set_affinity (negative: an error code). */
enum msk_set_mask_result {
	MSK_IRQ_SET_MASK_OK = 0,	/* done; the core copies the mask */
	MSK_IRQ_SET_MASK_OK_NOCOPY = 1, /* done; the chip stored the mask itself */
	MSK_IRQ_SET_MASK_OK_DONE = 2,	/* done; the message is unchanged (children skip) */
};

/*
 * Chip callbacks, named after the event they serve; all optional. They
 * are called with the descriptor's lock held, except irq_ack and irq_eoi,
 * which the flow calls lock-free on the delivery path. A callback must
 * not call the msk_irq_* control functions of its own virq (they take that
 * lock); it reads state through its irq_data (msk_irq_data_affinity() ...).
 */
struct msk_irq_chip {
	const char *name;
	void (*irq_mask)(struct msk_irq_data *d);
	void (*irq_unmask)(struct msk_irq_data *d);
	void (*irq_ack)(struct msk_irq_data *d);
	void (*irq_eoi)(struct msk_irq_data *d);
	/* startup/shutdown default to unmask/mask when absent. */
	int (*irq_startup)(struct msk_irq_data *d);
	void (*irq_shutdown)(struct msk_irq_data *d);
	/* Returns enum msk_set_mask_result or a negative error. */
	int (*irq_set_affinity)(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force);
	void (*irq_compose_msi_msg)(struct msk_irq_data *d, struct msk_msi_msg *msg);
	void (*irq_write_msi_msg)(struct msk_irq_data *d, const struct msk_msi_msg *msg);
	unsigned int flags; /* MSK_IRQCHIP_* */
};

/* --- the core --------------------------------------------------------------- */

struct msk_core_config {
	unsigned int nr_cpus;	   /* 1 .. MSK_MAX_CPUS; all online at start */
	unsigned int nr_irqs;	   /* virq space size; 0 = MSK_DEFAULT_NR_IRQS */
	struct msk_ledger *ledger; /* deliveries and losses are reported here; may be NULL */
};

/* Create a core. Returns 0, -MSK_EINVAL (bad config) or -MSK_ENOMEM. */
int msk_core_create(const struct msk_core_config *cfg, struct msk_core **out);

/*
 * Destroy a core: frees every remaining virq (its handler first) and
 * removes every domain, children before parents, calling their free and
 * destroy callbacks. NULL is ignored.
 */
void msk_core_destroy(struct msk_core *core);

unsigned int msk_core_nr_cpus(const struct msk_core *core);
unsigned int msk_core_nr_irqs(const struct msk_core *core);
struct msk_ledger *msk_core_ledger(const struct msk_core *core);

/* The online CPUs. */
struct msk_cpumask msk_core_online_cpus(const struct msk_core *core);

/*
 * Mark a CPU online or offline in the core's view. This only changes the
 * mask; moving interrupts off a CPU is the job of the hotplug code that
 * calls it. -MSK_EINVAL for a CPU >= nr_cpus or the last online CPU.
 */
int msk_core_set_cpu_online(struct msk_core *core, unsigned int cpu, bool online);

/* Counts of live objects, for leak checks and reports. */
struct msk_core_stats {
	uint64_t virqs;	   /* allocated virqs (= live descriptors) */
	uint64_t irq_data; /* heap irq_data levels (beyond the embedded one) */
	uint64_t domains;
	uint64_t actions;	 /* installed handlers */
	uint64_t revmap_entries; /* hwirq -> irq_data mappings over all domains */
	uint64_t held_weight;	 /* event weight held in descriptors' pending state */
	uint64_t bytes;		 /* heap bytes of descriptors, levels, maps */
};
void msk_core_get_stats(const struct msk_core *core, struct msk_core_stats *out);

/* Event weight held in pending state by the core (for the ledger balance). */
uint64_t msk_core_held(const struct msk_core *core);

/* --- descriptors -------------------------------------------------------------- */

/*
 * The descriptor of a virq, or NULL. Safe from any thread; the pointer is
 * valid while the virq stays allocated (the caller's business), or inside
 * an RCU read section.
 */
struct msk_irq_desc *msk_irq_to_desc(struct msk_core *core, unsigned int virq);

/* The outermost irq_data of a virq, or NULL. */
struct msk_irq_data *msk_irq_get_irq_data(struct msk_core *core, unsigned int virq);

struct msk_irq_data *msk_desc_irq_data(struct msk_irq_desc *desc);
unsigned int msk_desc_virq(const struct msk_irq_desc *desc);

/* Descriptor state as seen by reports (snapshot; may change right after). */
struct msk_irq_info {
	unsigned int virq;
	const char *action_name; /* handler name, or NULL when none */
	const char *flow_name;	 /* "edge", "fasteoi" */
	const char *dev_name;	 /* set by the allocator (e.g. the PCI device), or NULL */
	unsigned int depth;	 /* disable depth */
	bool activated, started, masked, disabled, pending, managed, reserved_mode;
	uint32_t pending_weight;
	struct msk_cpumask affinity;	       /* requested */
	struct msk_cpumask effective_affinity; /* what the hardware targets */
	uint64_t spurious;		       /* no handler, or all handlers said NONE */
	uint64_t replayed;		       /* pending events replayed */
};
int msk_irq_get_info(struct msk_core *core, unsigned int virq, struct msk_irq_info *out);

/* Per-CPU handled-interrupt count of a virq (0 for a bad virq or CPU). */
uint64_t msk_irq_count(struct msk_core *core, unsigned int virq, unsigned int cpu);

/*
 * Call fn for every allocated virq in ascending order until it returns
 * non-zero (which is then returned). Takes the control lock: fn must not
 * allocate or free virqs.
 */
int msk_core_for_each_irq(struct msk_core *core, int (*fn)(void *ctx, unsigned int virq),
			  void *ctx);

/* Free-form per-descriptor pointers for the layers above the core. */
void msk_desc_set_msi_desc(struct msk_irq_desc *desc, void *msi_desc);
void *msk_desc_msi_desc(const struct msk_irq_desc *desc);
/* The name reports show for the owner (copied; NULL clears). */
int msk_desc_set_dev_name(struct msk_irq_desc *desc, const char *name);

/* --- flow ------------------------------------------------------------------------ */

/* How a descriptor handles an interrupt. Both are edge-like (MSI). */
enum msk_flow_type {
	MSK_FLOW_EDGE,	  /* ack at entry (handle_edge_irq) */
	MSK_FLOW_FASTEOI, /* eoi at exit (handle_fasteoi_irq for edge-like LPIs, XIVE) */
};

/* Set by a domain during alloc (outermost level's descriptor). */
void msk_irq_data_set_flow(struct msk_irq_data *d, enum msk_flow_type flow);

/* What became of one interrupt entry. */
enum msk_flow_result {
	MSK_FLOW_HANDLED = 0,	 /* a handler ran and claimed it (maybe with replays) */
	MSK_FLOW_PENDING = 1,	 /* held: disabled, masked or running elsewhere */
	MSK_FLOW_UNHANDLED = 2,	 /* every handler returned NONE (lost, "unhandled") */
	MSK_FLOW_NO_HANDLER = 3, /* nothing requested (lost, "no-handler") */
	MSK_FLOW_NO_DESC = 4,	 /* no descriptor (lost, "no-descriptor") */
};

/*
 * The interrupt entry path. `cpu` is the CPU taking the interrupt (each
 * CPU index must be used by one thread at a time), `weight` the number of
 * device events it stands for (1 for a plain interrupt; see
 * msikit/ledger.h). Runs the descriptor's flow: an interrupt that arrives
 * while the virq is disabled, masked or already running on another CPU is
 * remembered as pending and replayed exactly once when that ends.
 * Returns an enum msk_flow_result; never fails otherwise.
 */
int msk_handle_irq(struct msk_core *core, unsigned int cpu, unsigned int virq, uint32_t weight);

/* --- manage: handlers, enable/disable, affinity ----------------------------------- */

enum msk_irqreturn {
	MSK_IRQ_NONE = 0, /* not mine */
	MSK_IRQ_HANDLED = 1,
};

/*
 * True while the calling thread runs an interrupt handler (or a replay).
 * Calls that wait or allocate refuse with -MSK_EPERM then.
 */
bool msk_in_interrupt(void);

/* A handler runs on `cpu`; it may call msk_irq_disable_nosync(). */
typedef enum msk_irqreturn (*msk_irq_handler_fn)(unsigned int virq, unsigned int cpu, void *dev_id);

/*
 * Install the handler of an allocated virq and start it: activate its
 * hierarchy if needed, unmask, and replay any event held pending.
 * Returns 0, -MSK_EINVAL (no such virq, NULL handler), -MSK_EBUSY (already
 * has a handler), or the activation's error (nothing installed then).
 */
int msk_request_irq(struct msk_core *core, unsigned int virq, msk_irq_handler_fn handler,
		    const char *name, void *dev_id);

/*
 * Shut the virq down (mask, deactivate), remove its handler and wait until
 * no handler of it runs. Events held pending stay pending for the next
 * request. -MSK_EINVAL for a virq without handler. Must not be called from
 * that virq's handler.
 */
int msk_free_irq(struct msk_core *core, unsigned int virq);

/*
 * Disable with depth: the first disable stops handlers from running (lazy:
 * the chip is masked only if an interrupt arrives meanwhile; it is held
 * pending); msk_irq_disable() also waits for a running handler.
 * msk_irq_enable() undoes one disable and, at depth 0, unmasks and replays
 * a held event. -MSK_EINVAL for a bad virq or an unbalanced enable.
 */
int msk_irq_disable(struct msk_core *core, unsigned int virq);
int msk_irq_disable_nosync(struct msk_core *core, unsigned int virq);
int msk_irq_enable(struct msk_core *core, unsigned int virq);

/*
 * Mask / unmask at the chip (for drivers and tests that mask explicitly).
 * An interrupt arriving while masked is held pending and replayed exactly
 * once on unmask. Unmask refuses (-MSK_EINVAL, nothing changed) a virq
 * that is not activated: reserved only (x86 reservation mode, before
 * request) or shut down (managed, its CPUs offline) - it has no target.
 * Each reaches the chip only on a change, as Linux's mask_irq()/unmask_irq().
 */
int msk_irq_mask(struct msk_core *core, unsigned int virq);
int msk_irq_unmask(struct msk_core *core, unsigned int virq);

/*
 * Wait until no handler of this virq runs on any CPU. Must not be called
 * from that virq's handler.
 */
int msk_synchronize_irq(struct msk_core *core, unsigned int virq);

/*
 * Set the requested affinity through the chip hierarchy. The mask must
 * contain an online CPU. The effective affinity is what the chip chose
 * (msk_irq_data_update_effective_affinity). -MSK_EINVAL (bad mask or virq),
 * -MSK_EPERM (managed virq), -MSK_ENOSYS (no chip can set affinity), or
 * the chip's error; on failure both masks are unchanged.
 */
int msk_irq_set_affinity(struct msk_core *core, unsigned int virq, const struct msk_cpumask *mask);

/* Called by chips from irq_set_affinity/activate to record their choice. */
void msk_irq_data_update_effective_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask);

/* The requested / effective affinity of a virq (empty mask for a bad virq). */
struct msk_cpumask msk_irq_get_affinity(struct msk_core *core, unsigned int virq);
struct msk_cpumask msk_irq_get_effective_affinity(struct msk_core *core, unsigned int virq);

/* --- helpers for chips of stacked domains ----------------------------------------- */

/* Forward to the parent level's chip (no-op when absent). */
void msk_irq_chip_mask_parent(struct msk_irq_data *d);
void msk_irq_chip_unmask_parent(struct msk_irq_data *d);
void msk_irq_chip_ack_parent(struct msk_irq_data *d);
void msk_irq_chip_eoi_parent(struct msk_irq_data *d);
/* -MSK_ENOSYS when no parent chip sets affinity. */
int msk_irq_chip_set_affinity_parent(struct msk_irq_data *d, const struct msk_cpumask *mask,
				     bool force);
/*
 * Compose the MSI message of a virq: the first level, from d inwards, whose
 * chip has irq_compose_msi_msg composes it. -MSK_ENOSYS when none does.
 */
int msk_irq_chip_compose_msi_msg(struct msk_irq_data *d, struct msk_msi_msg *msg);

#ifdef __cplusplus
}
#endif
#endif
