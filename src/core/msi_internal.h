/* SPDX-License-Identifier: MIT */
#ifndef MSK_CORE_MSI_INTERNAL_H
#define MSK_CORE_MSI_INTERNAL_H

/* Private structures of the MSI core (msi_*.c). */

#include <msikit/msi.h>

#include "core/internal.h"

#define MSI_MON_KINDS 8

/* A descriptor with the core's private bookkeeping. */
struct msi_desc_priv {
	struct msk_msi_desc pub;
	uint64_t gen; /* the allocation call that associated it */
	bool simple;  /* created by the core (ALLOC_SIMPLE_DESCS / alloc_irq_at) */
};

/* What the monitor knows about one device domain. */
struct msi_mon {
	struct msk_msi_domain_stats st;
	bool torn_down;
	bool post_free_since_prepare; /* a post_free ran and no prepare since */
	bool post_free_flagged;
	struct {
		char kind[16];
		int64_t count;
	} res[MSI_MON_KINDS];
};

/* The copy of a template a device domain lives on (Linux's "bundle"). */
struct msi_bundle {
	struct msk_msi_domain_template t;
	char name[96];
	struct msk_device *dev;
	unsigned int domid;
	bool per_alloc_prepare; /* compat: prepare at every allocation */
	struct msi_mon mon;
};

struct msi_slot {
	struct msk_irq_domain *domain; /* NULL: empty */
	struct msi_bundle *bundle;
	struct msk_radix descs; /* msi_index -> struct msi_desc_priv */
};

struct msk_device {
	struct msk_core *core;
	char *name;
	struct msk_irq_domain *parent;
	void *bus_data;
	pthread_mutex_t lock; /* recursive: the descriptor lock */
	uint64_t gen;	      /* allocation call counter */
	struct msi_slot slot[MSK_MSI_MAX_DOMAINS];
};

#define MSI_MAX_VIOLATIONS 256

struct msk_msi_core {
	pthread_mutex_t lock; /* violations, sequence */
	enum msk_msi_prepare_mode prepare_mode;
	uint64_t sequence;
	unsigned int nviol;
	struct msk_msi_violation viol[MSI_MAX_VIOLATIONS];
	void (*hook)(void *ctx, const struct msk_msi_violation *v);
	void *hook_ctx;
};

/* msi_domain.c */
bool msk_msi_is_device_domain(const struct msk_irq_domain *d);
struct msi_bundle *msk_msi_bundle_of(struct msk_irq_domain *d);

/* msi_device.c */
struct msk_msi_desc *msi_desc_lookup(struct msk_device *dev, unsigned int domid, uint32_t index);
/* Create a core-owned (simple) descriptor. */
struct msi_desc_priv *msi_desc_new(struct msk_device *dev, unsigned int domid, uint32_t index,
				   const struct msk_msi_desc *init,
				   const struct msk_irq_affinity_desc *aff);
void msi_desc_erase(struct msk_device *dev, unsigned int domid, struct msi_desc_priv *p);
/* fn for each descriptor with first <= index <= last, in index order (lock held). */
int msi_for_range(struct msk_device *dev, unsigned int domid, uint32_t first, uint32_t last,
		  int (*fn)(void *ctx, struct msk_msi_desc *desc), void *ctx);
/* Index bound of a slot: its domain's hwsize, else MSK_MSI_MAX_HWSIZE. */
uint32_t msi_slot_hwsize(struct msk_device *dev, unsigned int domid);

/* msi_monitor.c */
uint64_t msi_mon_event(struct msk_core *core);
void msi_mon_violation(struct msk_core *core, enum msk_msi_rule rule, const char *device,
		       const char *domain, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void msi_mon_check_removal(struct msi_bundle *b, struct msk_irq_domain *d);

#endif
