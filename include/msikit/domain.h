/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_DOMAIN_H
#define MSIKIT_DOMAIN_H

/*
 * Interrupt domains and hierarchical allocation.
 *
 * A domain translates its own hwirq numbers; a hierarchy is a chain of
 * domains from the outermost (e.g. a per-device MSI domain) to a root (the
 * interrupt controller the CPU talks to). Allocating `nr` virqs in a
 * domain:
 *
 *  1. reserves `nr` consecutive virqs and their descriptors, with one
 *     irq_data per level of the hierarchy;
 *  2. calls the outermost domain's alloc(); each level fills in its own
 *     irq_data (hwirq, chip, chip data: msk_domain_set_hwirq_and_chip) and
 *     recurses into its parent with msk_domain_alloc_irqs_parent(), down
 *     to the root;
 *  3. records every level's hwirq -> irq_data mapping (the reverse map the
 *     interrupt entry path uses at the root), and publishes the virqs.
 *
 * Activation goes from the root outwards (each level programs its
 * hardware), deactivation and freeing from the outermost level inwards.
 *
 * The contract for a level's alloc(): on success every one of the nr virqs
 * is set up at this level and all levels below; on failure the level has
 * undone everything it did, including its parent allocation (call
 * msk_domain_free_irqs_parent() when failing after the parent succeeded).
 * The core then releases the descriptors, so a failure at any level and
 * any index leaves nothing behind. The core also refuses (and undoes) an
 * alloc() that "succeeds" but leaves a level without a chip or maps a
 * hwirq twice in one domain.
 *
 * Locking: alloc/free/activate/deactivate callbacks run under the core's
 * control lock; they must not call back into allocation of other virqs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/affinity.h>
#include <msikit/irq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Allocation affinity: struct msk_irq_affinity_desc (msikit/affinity.h). */

struct msk_irq_domain_ops {
	/* Set up [virq, virq + nr) at this level and below. 0 or -errno. */
	int (*alloc)(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg);
	/* Undo alloc for [virq, virq + nr) at this level and below. */
	void (*free)(struct msk_irq_domain *d, unsigned int virq, unsigned int nr);
	/*
	 * Program this level's hardware for one virq (parents are already
	 * active). reserve: only reserve resources (x86 reservation mode).
	 */
	int (*activate)(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve);
	void (*deactivate)(struct msk_irq_domain *d, struct msk_irq_data *irqd);
	/*
	 * Text for the domain tree view (optional): about one virq at this
	 * level, or about the domain itself when irqd is NULL. Called by
	 * reports, possibly with the control lock held: it must only read.
	 */
	void (*debug_show)(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			   size_t size);
	/* Called once when the domain is removed, to release host_data (optional). */
	void (*destroy)(struct msk_irq_domain *d);
};

/* Domain flags (msk_irq_domain_info.flags). */
#define MSK_DOMAIN_FLAG_MSI	      (1u << 0) /* implements MSI */
#define MSK_DOMAIN_FLAG_MSI_PARENT    (1u << 1) /* children are per-device MSI domains */
#define MSK_DOMAIN_FLAG_MSI_DEVICE    (1u << 2) /* is a per-device MSI domain */
#define MSK_DOMAIN_FLAG_ISOLATED_MSI  (1u << 3) /* hardware validates the MSI source (IR) */
#define MSK_DOMAIN_FLAG_MSI_IMMUTABLE (1u << 4) /* message does not change with affinity */

/* Bus tokens: what kind of domain this is (shown in names and reports). */
enum msk_bus_token {
	MSK_DOMAIN_BUS_ANY = 0,
	MSK_DOMAIN_BUS_WIRED,
	MSK_DOMAIN_BUS_GENERIC_MSI,
	MSK_DOMAIN_BUS_PCI_MSI, /* a global PCI/MSI domain (pre-6.2 model) */
	MSK_DOMAIN_BUS_NEXUS,
	MSK_DOMAIN_BUS_PCI_DEVICE_MSI,
	MSK_DOMAIN_BUS_PCI_DEVICE_MSIX,
	MSK_DOMAIN_BUS_PCI_DEVICE_IMS,
	MSK_DOMAIN_BUS_DMAR, /* interrupt remapping */
	MSK_DOMAIN_BUS__COUNT
};

/* "ANY", "PCI_DEVICE_MSIX", ... */
const char *msk_bus_token_name(enum msk_bus_token token);

struct msk_irq_domain_info {
	const char *name;		      /* unique in the core; copied */
	const struct msk_irq_domain_ops *ops; /* required: alloc and free */
	struct msk_irq_domain *parent;	      /* NULL: a root domain */
	void *host_data;		      /* the domain's private data */
	uint64_t hwirq_max;		      /* hwirqs are < this; 0 = 2^32 */
	enum msk_bus_token bus_token;
	unsigned int flags; /* MSK_DOMAIN_FLAG_* */
};

/*
 * Create and register a domain. Returns 0, -MSK_EINVAL (no name, no
 * ops/alloc/free, hwirq_max > 2^32, parent of another core), -MSK_EEXIST
 * (name taken) or -MSK_ENOMEM. Takes the control lock.
 */
int msk_domain_create(struct msk_core *core, const struct msk_irq_domain_info *info,
		      struct msk_irq_domain **out);

/*
 * Remove a domain: calls ops->destroy and frees it. -MSK_EBUSY while it
 * has mapped virqs or child domains (state unchanged).
 */
int msk_domain_remove(struct msk_irq_domain *d);

/* The domain with that name, or NULL. */
struct msk_irq_domain *msk_domain_find(struct msk_core *core, const char *name);

const char *msk_domain_name(const struct msk_irq_domain *d);
struct msk_irq_domain *msk_domain_parent(const struct msk_irq_domain *d);
struct msk_irq_domain *msk_domain_root(const struct msk_irq_domain *d);
struct msk_core *msk_domain_core(const struct msk_irq_domain *d);
void *msk_domain_host_data(const struct msk_irq_domain *d);
void msk_domain_set_host_data(struct msk_irq_domain *d, void *host_data);
unsigned int msk_domain_flags(const struct msk_irq_domain *d);
enum msk_bus_token msk_domain_bus_token(const struct msk_irq_domain *d);
uint64_t msk_domain_hwirq_max(const struct msk_irq_domain *d);
/* Number of virqs currently mapped in this domain. */
unsigned int msk_domain_mapcount(const struct msk_irq_domain *d);

/*
 * The domain's debug text (its ops->debug_show) about irqd, one level of a
 * virq in this domain, or about the domain itself when irqd is NULL,
 * written into buf and always terminated when size > 0. Returns the length
 * of the text: 0 when the domain has no debug_show, irqd belongs to
 * another domain, or buf is NULL or size 0 (buf is then "" if it can be).
 * For reports: call it while irqd stays allocated (for example from an
 * msk_core_for_each_irq() callback). Changes nothing.
 */
size_t msk_domain_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			     size_t size);

/*
 * Call fn for every domain, parents before children (creation order within
 * a level), until fn returns non-zero (returned).
 */
int msk_core_for_each_domain(struct msk_core *core, int (*fn)(void *ctx, struct msk_irq_domain *d),
			     void *ctx);

/*
 * Allocate nr (>= 1) consecutive virqs in domain d and set them up at every
 * level; `arg` is passed to d's alloc (its meaning is d's business);
 * `affinity` is NULL or an array of nr entries. On success *virq is the
 * first. Errors: -MSK_EINVAL (nr 0 or beyond the space), -MSK_ENOSYS,
 * -MSK_ENOSPC (no run of nr free virqs), -MSK_ENOMEM, -MSK_EEXIST, or the
 * domains' error. On failure nothing is left allocated at any level.
 */
int msk_domain_alloc_irqs(struct msk_irq_domain *d, unsigned int nr, void *arg,
			  const struct msk_irq_affinity_desc *affinity, unsigned int *virq);

/*
 * Free [virq, virq + nr): deactivate, free every level, release the
 * descriptors (after concurrent deliveries finish). Every virq must be
 * allocated and have no handler: otherwise -MSK_EINVAL / -MSK_EBUSY and
 * nothing is freed. Events still held pending are lost
 * ("freed-while-pending").
 */
int msk_domain_free_irqs(struct msk_core *core, unsigned int virq, unsigned int nr);

/*
 * Activate a virq's hierarchy, root first (no-op when already active).
 * reserve: ask the root only to reserve (x86 reservation mode). On failure
 * the levels already activated are deactivated again.
 */
int msk_irq_activate(struct msk_core *core, unsigned int virq, bool reserve);
/* Deactivate, outermost first (no-op when not active). */
int msk_irq_deactivate(struct msk_core *core, unsigned int virq);

/* --- for domain implementations (inside alloc/free/activate) ----------------------- */

/* This domain's level of virq's chain, or NULL. */
struct msk_irq_data *msk_domain_get_irq_data(struct msk_irq_domain *d, unsigned int virq);

/* Fill this level. -MSK_EINVAL if virq has no level for d or hwirq >= hwirq_max. */
int msk_domain_set_hwirq_and_chip(struct msk_irq_domain *d, unsigned int virq, uint64_t hwirq,
				  const struct msk_irq_chip *chip, void *chip_data);

/* Clear this level (hwirq 0, no chip, no chip data). */
void msk_domain_reset_irq_data(struct msk_irq_data *d);

/* Recurse into the parent's alloc. -MSK_EINVAL for a root domain. */
int msk_domain_alloc_irqs_parent(struct msk_irq_domain *d, unsigned int virq, unsigned int nr,
				 void *arg);
/* Recurse into the parent's free (no-op for a root domain). */
void msk_domain_free_irqs_parent(struct msk_irq_domain *d, unsigned int virq, unsigned int nr);
/* Reset this level for [virq, virq + nr) and free the parent. */
void msk_domain_free_irqs_common(struct msk_irq_domain *d, unsigned int virq, unsigned int nr);

/*
 * The irq_data mapped to hwirq in domain d, or NULL (RCU-safe; for the
 * entry path and for domains checking for duplicates).
 */
struct msk_irq_data *msk_domain_find_mapping(struct msk_irq_domain *d, uint64_t hwirq);

/*
 * The interrupt entry path of a root domain: look up hwirq's virq and run
 * its flow as msk_handle_irq() does. A hwirq with no mapping is lost
 * ("no-descriptor") and gives MSK_FLOW_NO_DESC.
 */
int msk_domain_handle_irq(struct msk_irq_domain *root, unsigned int cpu, uint64_t hwirq,
			  uint32_t weight);

/* Mark a virq as allowing reservation mode (set by the parent during alloc). */
void msk_irq_data_set_can_reserve(struct msk_irq_data *d, bool can_reserve);
/* Is the virq kernel-managed (from its allocation affinity)? */
bool msk_irq_data_is_managed(const struct msk_irq_data *d);
/*
 * The affinity requested at allocation or by set_affinity, and the one the
 * chips chose. For callbacks: they run with the descriptor lock held, so
 * they must use these rather than msk_irq_get_affinity() and friends
 * (which take that lock).
 */
const struct msk_cpumask *msk_irq_data_affinity(const struct msk_irq_data *d);
const struct msk_cpumask *msk_irq_data_effective_affinity(const struct msk_irq_data *d);

#ifdef __cplusplus
}
#endif
#endif
