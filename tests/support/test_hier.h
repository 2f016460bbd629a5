/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_HIER_H
#define MSK_TEST_HIER_H

/*
 * A three-level test hierarchy for core tests:
 *
 *	DEV (outermost, hwirq = index passed in arg)
 *	  -> MID (hwirq = 0x1000 + root hwirq, forwards to ROOT)
 *	    -> ROOT (root, hwirq from a free-list; composes the message)
 *
 * Each level logs alloc/free/activate/deactivate into a shared event log
 * (for order checks), counts the objects it holds (for leak checks) and
 * can be told to fail at a given virq index (fault injection).
 */

#include <msikit.h>

#define TH_LEVELS 3
enum th_level { TH_ROOT = 0, TH_MID = 1, TH_DEV = 2 };

struct th_level_state {
	struct msk_irq_domain *domain;
	int fail_alloc_index;	 /* -1: never; else the index in the alloc call that fails */
	int fail_activate;	 /* fail the next activation at this level */
	unsigned int live;	 /* objects held (one per allocated virq) */
	unsigned int masked;	 /* mask calls minus unmask calls (DEV only) */
	unsigned int acks, eois; /* ROOT chip */
	unsigned int writes;	 /* DEV write_msi_msg */
};

struct th {
	struct msk_core *core;
	struct th_level_state lv[TH_LEVELS];
	char log[8192];
	unsigned int root_hw[4096]; /* root hwirq allocator: 0 free, else virq */
	struct msk_cpumask last_affinity;
	unsigned int affinity_calls;
};

/* Build the hierarchy on a new core with nr_cpus CPUs. */
int th_create(struct th *t, unsigned int nr_cpus, struct msk_ledger *ledger);
/* The same with a virq space of nr_irqs (0 = default). */
int th_create_sized(struct th *t, unsigned int nr_cpus, unsigned int nr_irqs,
		    struct msk_ledger *ledger);
void th_destroy(struct th *t);

/* Allocate nr virqs in DEV with hwirqs starting at first_index. */
int th_alloc(struct th *t, unsigned int nr, unsigned int first_index, unsigned int *virq);

/* Total live objects over all levels. */
unsigned int th_live(const struct th *t);

/* Forget the event log. */
void th_log_clear(struct th *t);

#endif
