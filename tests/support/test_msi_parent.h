/* SPDX-License-Identifier: MIT */
#ifndef MSK_TEST_MSI_PARENT_H
#define MSK_TEST_MSI_PARENT_H

/*
 * A test MSI parent: a root domain ("TEST-PARENT", prefix "TEST-") that
 * behaves like an ITS-style controller. msi_prepare sizes a per-device
 * table for nvec entries (like an ITT; stored in scratchpad[0]); each
 * vector takes a slot in it and a hwirq from a global pool; teardown frees
 * the table. Knobs make it misbehave on purpose (leak, post_free, quota).
 */

#include <msikit.h>

#define TP_MAX_TABLES 256 /* tables tracked (prepared and not torn down) */

struct tp_devtable {
	unsigned int size; /* entries prepared */
	unsigned int used;
	unsigned char *slot; /* slot in use */
};

struct tp {
	struct msk_core *core;
	struct msk_irq_domain *domain;
	struct msk_msi_parent_ops pops;
	unsigned int pool_size; /* hwirqs available */
	unsigned char pool[4096];
	unsigned int pool_used;
	/* knobs */
	bool leak;	     /* teardown forgets to return the table's resources */
	bool post_free_bug;  /* install msi_post_free that frees the table (pSeries bug) */
	unsigned int quota;  /* 0: none; else prepare caps the table (pSeries quota) */
	int affinity_result; /* what set_affinity returns */
	int fail_prepare;    /* prepare fails with this code */
	struct tp_devtable *tables[TP_MAX_TABLES]; /* every table prepared and not torn down */
	struct msk_bus *bus;			   /* doorbell mapped here, if attached */
	unsigned int nr_cpus;
	/* observations */
	unsigned int prepares, teardowns, post_frees;
	unsigned int last_prepare_nvec;
	unsigned int activations, reserve_activations, deactivations;
};

int tp_create(struct tp *t, unsigned int nr_cpus, unsigned int pool_size, uint32_t supported,
	      struct msk_ledger *ledger);

/* The same on an existing core (the caller owns the core; see tp_free_tables). */
int tp_init(struct tp *t, struct msk_core *core, unsigned int nr_cpus, unsigned int pool_size,
	    uint32_t supported);

/* Free the tables prepared and never torn down (tp_destroy does it too). */
void tp_free_tables(struct tp *t);

/*
 * Map the parent's doorbell on a bus at 0xfee00000 (1 MiB): a message
 * write there (address bits 19:12 = CPU, data = hwirq) enters the core
 * through msk_domain_handle_irq() on that CPU, with the message's weight.
 * Other writes are ignored; a message for a CPU that does not exist is
 * lost ("apic-no-target").
 */
int tp_attach_doorbell(struct tp *t, struct msk_bus *bus);
#define TP_DOORBELL 0xfee00000ull
void tp_destroy(struct tp *t);

/* Device-side template of a PCI-MSIX-like domain recording its table writes. */
struct tp_devchip {
	struct msk_msi_msg msg[2048];
	unsigned char masked[2048];
	unsigned int writes;
};
void tp_template(struct msk_msi_domain_template *tmpl, const char *name, enum msk_bus_token token,
		 uint32_t flags);
extern struct tp_devchip tp_dev;

#endif
