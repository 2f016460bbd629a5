/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_MSI_H
#define MSIKIT_MSI_H

/*
 * The MSI core: per-device MSI domains under MSI parent domains (the
 * design Linux adopted from 6.2 on).
 *
 * A device (struct msk_device) names an MSI *parent* domain - the
 * interrupt controller's (or remapping unit's) domain that knows how to
 * build MSI hierarchies. The device gets up to MSK_MSI_MAX_DOMAINS
 * per-device MSI domains ("slots": 0 = PCI MSI or MSI-X, 1 = IMS), each
 * created from a template and a hwsize:
 *
 *  1. the template (chip, ops, info, alloc_info) is copied;
 *  2. the parent's msi_parent_ops accept, restrict or force flags and fill
 *     in defaults (init_dev_msi_info);
 *  3. the domain is named "<prefix><chip name>-<device>", e.g.
 *     "IR-PCI-MSIX-0000:01:00.0" or "ITS-PCI-MSI-0000:02:00.0";
 *  4. msi_prepare runs exactly once, with nvec = hwsize, filling the
 *     template's alloc_info; every later allocation copies that.
 *
 * Vectors are then allocated and freed, by range or one index at a time,
 * at any time; the domain outlives "free all vectors". It goes away (and
 * msi_teardown runs, exactly once) when the device removes it.
 *
 * The contract monitor watches every device domain: prepare once per
 * lifetime, teardown once at removal, nothing allocated after teardown,
 * every controller resource returned at removal, no post_free undoing
 * prepare while the domain lives. A breach becomes a violation record;
 * nothing aborts.
 *
 * Locking: each device has a (recursive) descriptor lock; every call here
 * takes it. Bus layers hold it across composite operations with
 * msk_msi_lock_descs()/msk_msi_unlock_descs().
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/domain.h>
#include <msikit/irq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* --- flags ------------------------------------------------------------------------------ */

/*
 * MSI flags (our own values). Bits 0-15 are generic and never removed by a
 * parent; bits 16-31 depend on what the parent supports.
 */
#define MSK_MSI_FLAG_USE_DEF_DOM_OPS	 (1u << 0) /* fill missing ops with defaults */
#define MSK_MSI_FLAG_USE_DEF_CHIP_OPS	 (1u << 1) /* default set_affinity etc. */
#define MSK_MSI_FLAG_ACTIVATE_EARLY	 (1u << 2) /* activate at allocation (message valid) */
#define MSK_MSI_FLAG_MUST_REACTIVATE	 (1u << 3) /* reservation mode: real activation at request */
#define MSK_MSI_FLAG_ALLOC_SIMPLE_DESCS	 (1u << 4) /* core creates 1-vector descriptors */
#define MSK_MSI_FLAG_FREE_MSI_DESCS	 (1u << 5) /* core frees descriptors on free */
#define MSK_MSI_FLAG_PCI_MSI_MASK_PARENT (1u << 6) /* device mask also masks the parent */
#define MSK_MSI_GENERIC_FLAGS_MASK	 0x0000ffffu
#define MSK_MSI_FLAG_MULTI_PCI_MSI	 (1u << 16) /* more than one vector for plain MSI */
#define MSK_MSI_FLAG_PCI_MSIX		 (1u << 17) /* MSI-X */
#define MSK_MSI_FLAG_MSIX_CONTIGUOUS	 (1u << 18) /* MSI-X entries must be 0..n-1 */
#define MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN	 (1u << 19) /* vectors added/removed after enable */
#define MSK_MSI_FLAG_PCI_IMS		 (1u << 20) /* IMS domains allowed */
#define MSK_MSI_FLAG_NO_AFFINITY	 (1u << 21) /* no per-vector steering */
#define MSK_MSI_FLAG_NO_MASK		 (1u << 22) /* never touch mask bits */
#define MSK_MSI_FLAG_LEVEL_CAPABLE	 (1u << 23)
#define MSK_MSI_DOMAIN_FLAGS_MASK	 0xffff0000u

/* Write the names of the flags set in `flags` ("PCI_MSIX|ACTIVATE_EARLY"). */
char *msk_msi_flags_format(uint32_t flags, char *buf, unsigned long size);

/* Chip flags of msi_parent_ops: default the child chip's eoi/ack to the parent. */
#define MSK_MSI_CHIP_FLAG_SET_EOI (1u << 0)
#define MSK_MSI_CHIP_FLAG_SET_ACK (1u << 1)

/* Domain slots of a device. */
enum msk_msi_domid {
	MSK_MSI_DEFAULT_DOMAIN = 0,   /* PCI MSI or MSI-X */
	MSK_MSI_SECONDARY_DOMAIN = 1, /* IMS */
	MSK_MSI_MAX_DOMAINS = 2,
};

#define MSK_MSI_ANY_INDEX  UINT32_MAX /* "the first free index" */
#define MSK_MSI_MAX_HWSIZE 65536u

/* --- descriptors -------------------------------------------------------------------------- */

struct msk_device;

/* PCI details of a descriptor, owned by the PCI layer. */
struct msk_pci_msi_desc {
	bool is_msix;
	bool is_64;
	bool can_mask;
	bool is_virtual;   /* MSI-X index beyond the table (never written) */
	uint8_t multiple;  /* MSI: log2 of allocated vectors */
	uint8_t multi_cap; /* MSI: log2 of capable vectors */
	uint32_t mask;	   /* MSI mask register / MSI-X vector control (cached) */
};

/* One MSI message source: an MSI block, an MSI-X entry or an IMS slot. */
struct msk_msi_desc {
	unsigned int irq;	/* first virq; 0 = not associated */
	unsigned int nvec_used; /* virqs covered (>1 only for multi-MSI) */
	uint32_t msi_index;	/* index in its domain */
	struct msk_device *dev;
	struct msk_msi_msg msg;			/* the message last written (cache) */
	struct msk_irq_affinity_desc *affinity; /* nvec_used entries, or NULL */
	uint64_t icookie; /* instance cookie from the allocating caller (IMS) */
	struct msk_pci_msi_desc pci;
};

/* What allocation passes down the hierarchy (Linux msi_alloc_info_t). */
struct msk_msi_alloc_info {
	struct msk_msi_desc *desc;
	uint64_t hwirq;
	uint32_t flags;
	union {
		uint64_t ul;
		void *ptr;
	} scratchpad[2];
};

/* --- domain info, ops, template, parent ops --------------------------------------------------- */

struct msk_msi_domain_info;

struct msk_msi_domain_ops {
	uint64_t (*get_hwirq)(struct msk_msi_domain_info *info, struct msk_msi_alloc_info *arg);
	int (*msi_init)(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			unsigned int virq, uint64_t hwirq, struct msk_msi_alloc_info *arg);
	void (*msi_free)(struct msk_irq_domain *d, struct msk_msi_domain_info *info,
			 unsigned int virq);
	/* Once per domain at creation (nvec = hwsize); fills arg for every allocation. */
	int (*msi_prepare)(struct msk_irq_domain *d, struct msk_device *dev, unsigned int nvec,
			   struct msk_msi_alloc_info *arg);
	/* Once at removal: undo prepare (arg is the template's alloc_info). */
	void (*msi_teardown)(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg);
	void (*prepare_desc)(struct msk_irq_domain *d, struct msk_msi_alloc_info *arg,
			     struct msk_msi_desc *desc);
	void (*set_desc)(struct msk_msi_alloc_info *arg, struct msk_msi_desc *desc);
	/*
	 * The pre-6.18 hook, after every free of a range. Kept to replay the
	 * pSeries conversion bug; the monitor flags it when it undoes prepare.
	 */
	void (*msi_post_free)(struct msk_irq_domain *d, struct msk_device *dev);
};

struct msk_msi_domain_info {
	uint32_t flags; /* MSK_MSI_FLAG_* */
	enum msk_bus_token bus_token;
	unsigned int hwsize; /* index space [0, hwsize) */
	struct msk_msi_domain_ops *ops;
	struct msk_irq_chip *chip;
	void *chip_data;
	void *data;			       /* the domain's (bus layer's) data */
	struct msk_msi_alloc_info *alloc_data; /* the prepared template */
	struct msk_device *dev;
};

struct msk_msi_domain_template {
	char name[48]; /* chip name, e.g. "PCI-MSIX" */
	struct msk_irq_chip chip;
	struct msk_msi_domain_ops ops;
	struct msk_msi_domain_info info;
	struct msk_msi_alloc_info alloc_info;
};

struct msk_msi_parent_ops {
	uint32_t supported_flags;
	uint32_t required_flags;
	uint32_t chip_flags; /* MSK_MSI_CHIP_FLAG_* */
	enum msk_bus_token bus_select_token;
	const char *prefix; /* "IR-", "ITS-", "pSeries-", "" */
	/*
	 * Restrict or extend a new child's info (flags, chip, ops). Return
	 * false to refuse the child (with msk_err() for the reason).
	 * real_parent is the topmost MSI parent (for stacked parents).
	 */
	bool (*init_dev_msi_info)(struct msk_device *dev, struct msk_irq_domain *domain,
				  struct msk_irq_domain *real_parent,
				  struct msk_msi_domain_info *info);
};

/*
 * Mark domain d as an MSI parent with these ops (kept by reference).
 * -MSK_EINVAL for NULL arguments.
 */
int msk_msi_set_parent_ops(struct msk_irq_domain *d, const struct msk_msi_parent_ops *ops);
const struct msk_msi_parent_ops *msk_msi_parent_ops(const struct msk_irq_domain *d);

/*
 * The common parent policy (Linux msi_lib_init_dev_msi_info): keep the
 * generic flags, keep only the supported domain flags, force the required
 * ones, default eoi/ack to the parent per chip_flags, install the default
 * set_affinity unless NO_AFFINITY. Parents call it from init_dev_msi_info.
 */
bool msk_msi_lib_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				   struct msk_irq_domain *real_parent,
				   struct msk_msi_domain_info *info);

/*
 * For stacked parents (remapping over vectors): delegate to the parent
 * domain's init_dev_msi_info with the same real_parent.
 */
bool msk_msi_parent_init_dev_msi_info(struct msk_device *dev, struct msk_irq_domain *domain,
				      struct msk_irq_domain *real_parent,
				      struct msk_msi_domain_info *info);

/*
 * Default chip set_affinity of MSI domains: the parent decides; unless it
 * says OK_DONE (message unchanged), recompose and rewrite the message.
 */
int msk_msi_domain_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force);

/* The msi_domain_info of an MSI device domain (NULL for other domains). */
struct msk_msi_domain_info *msk_msi_domain_get_info(struct msk_irq_domain *d);

/* --- devices -------------------------------------------------------------------------------- */

/*
 * A device that uses MSI: a name (the PCI BDF, e.g. "0000:01:00.0") and
 * its MSI parent domain. The bus layer's data rides in `bus_data`.
 * Returns 0, -MSK_EINVAL (no name, parent is not an MSI parent) or
 * -MSK_ENOMEM.
 */
int msk_device_create(struct msk_core *core, const char *name, struct msk_irq_domain *msi_parent,
		      void *bus_data, struct msk_device **out);

/*
 * Remove a device: frees every vector of every slot (handlers must be
 * freed first: -MSK_EBUSY otherwise, nothing changed), removes its domains
 * (teardown), checks the monitor's removal rules, frees the device.
 */
int msk_device_destroy(struct msk_device *dev);

const char *msk_device_name(const struct msk_device *dev);
struct msk_core *msk_device_core(const struct msk_device *dev);
struct msk_irq_domain *msk_device_msi_parent(const struct msk_device *dev);
void *msk_device_bus_data(const struct msk_device *dev);

void msk_msi_lock_descs(struct msk_device *dev);
void msk_msi_unlock_descs(struct msk_device *dev);

/* --- device domains ----------------------------------------------------------------------------- */

/*
 * Create the per-device MSI domain of slot domid (see the top of this
 * file). hwsize 0 means MSK_MSI_MAX_HWSIZE. Errors: -MSK_EINVAL (bad
 * slot, hwsize, template), -MSK_EEXIST (slot in use), -MSK_ENOTSUP (the
 * parent refused), -MSK_ENOMEM, or msi_prepare's error; on failure nothing
 * remains (no domain, no prepare left undone).
 */
int msk_msi_create_device_domain(struct msk_device *dev, unsigned int domid,
				 const struct msk_msi_domain_template *tmpl, unsigned int hwsize,
				 void *domain_data, void *chip_data);

/*
 * Remove slot domid's domain: teardown once, then the domain goes. Its
 * vectors must have been freed (-MSK_EBUSY otherwise). No-op (0) for an
 * empty slot.
 */
int msk_msi_remove_device_domain(struct msk_device *dev, unsigned int domid);

/* The domain in a slot, or NULL. */
struct msk_irq_domain *msk_msi_get_device_domain(struct msk_device *dev, unsigned int domid);

/* --- descriptors and allocation ---------------------------------------------------------------- */

/*
 * Insert a descriptor (copied from init, affinity array copied) at
 * init->msi_index. -MSK_ERANGE (index >= hwsize of the slot's domain, or >
 * MSK_MSI_MAX_HWSIZE when there is none yet), -MSK_EEXIST, -MSK_ENOMEM.
 */
int msk_msi_insert_desc(struct msk_device *dev, unsigned int domid,
			const struct msk_msi_desc *init);

/* Free the descriptors in [first, last] that have no virq. */
void msk_msi_free_descs(struct msk_device *dev, unsigned int domid, uint32_t first, uint32_t last);

/* The descriptor at index, or NULL (valid while the descriptor lock is held). */
struct msk_msi_desc *msk_msi_find_desc(struct msk_device *dev, unsigned int domid, uint32_t index);

/*
 * Call fn for each descriptor of the slot in index order; stops at a
 * non-zero return (returned). fn may free the descriptor it is given.
 */
int msk_msi_for_each_desc(struct msk_device *dev, unsigned int domid,
			  int (*fn)(void *ctx, struct msk_msi_desc *desc), void *ctx);

/* Number of descriptors, and of those with a virq. */
unsigned int msk_msi_desc_count(struct msk_device *dev, unsigned int domid, bool associated);

/*
 * Allocate virqs for every descriptor in [first, last] without one (with
 * ALLOC_SIMPLE_DESCS, descriptors are created first). Returns 0; a
 * negative error; or a positive count: the parent could only provide that
 * many vectors, retry with at most that many. On any non-zero return the
 * whole range is freed again.
 */
int msk_msi_domain_alloc_irqs_range(struct msk_device *dev, unsigned int domid, uint32_t first,
				    uint32_t last);

/*
 * Allocate every descriptor of the slot that has no virq (the PCI
 * enable path). Same returns as the range call.
 */
int msk_msi_domain_alloc_irqs_all(struct msk_device *dev, unsigned int domid);

/* Success: index >= 0 and virq > 0. Failure: index = -errno, virq = 0. */
struct msk_msi_map {
	int index;
	unsigned int virq;
};

/*
 * Create one descriptor at index (or the first free one for
 * MSK_MSI_ANY_INDEX), let the domain's prepare_desc complete it, and
 * allocate (and early-activate) its virq. `init` may give PCI details
 * (NULL: zeroed). On failure nothing remains.
 */
struct msk_msi_map msk_msi_domain_alloc_irq_at(struct msk_device *dev, unsigned int domid,
					       uint32_t index,
					       const struct msk_irq_affinity_desc *affinity,
					       uint64_t icookie, const struct msk_msi_desc *init);

/*
 * Free the virqs of the descriptors in [first, last] (handlers must be
 * freed: -MSK_EBUSY otherwise, nothing freed). The domain stays.
 */
int msk_msi_domain_free_irqs_range(struct msk_device *dev, unsigned int domid, uint32_t first,
				   uint32_t last);
int msk_msi_domain_free_irqs_all(struct msk_device *dev, unsigned int domid);

/**
 * msk_msi_domain_busy() - would freeing every virq of a slot be refused?
 * @dev: the device
 * @domid: its MSI domain slot
 *
 * For a caller that frees several slots and must change nothing when any
 * of them refuses (removing a device with MSI-X and IMS): check them all
 * first, then free.
 *
 * Context: process context; takes the descriptor lock (nests under it).
 * Return: 0 when no virq of the slot has a handler (or the slot has no
 * domain), -MSK_EBUSY naming the first one that has, -MSK_EINVAL on bad
 * arguments. Changes nothing.
 */
int msk_msi_domain_busy(struct msk_device *dev, unsigned int domid);

/*
 * The virq of index in a slot, or 0. For a multi-MSI block, index i of the
 * block at index 0 gives its i-th virq.
 */
unsigned int msk_msi_get_virq(struct msk_device *dev, unsigned int domid, uint32_t index);

/* --- compatibility switches (the "before" forms of the seed stories) ----------------------------- */

enum msk_msi_prepare_mode {
	MSK_MSI_PREPARE_PER_DEVICE = 0, /* 6.16+: once at domain creation with hwsize */
	MSK_MSI_PREPARE_PER_ALLOC = 1,	/* before: at every allocation with its count */
};

/* Per core; affects domains created afterwards. */
void msk_msi_set_prepare_mode(struct msk_core *core, enum msk_msi_prepare_mode mode);
enum msk_msi_prepare_mode msk_msi_get_prepare_mode(struct msk_core *core);

/* --- the contract monitor ---------------------------------------------------------------------- */

enum msk_msi_rule {
	MSK_MSI_RULE_PREPARE_ONCE,	      /* "prepare-once" */
	MSK_MSI_RULE_TEARDOWN_ONCE,	      /* "teardown-once" */
	MSK_MSI_RULE_ALLOC_AFTER_TEARDOWN,    /* "alloc-after-teardown" */
	MSK_MSI_RULE_RESOURCES_RETURNED,      /* "resources-returned" */
	MSK_MSI_RULE_POST_FREE_UNDID_PREPARE, /* "post-free-undid-prepare" */
	MSK_MSI_RULE_PREPARE_SIZE,	      /* "prepare-size": prepared for fewer than hwsize */
	MSK_MSI_RULE__COUNT
};

const char *msk_msi_rule_name(enum msk_msi_rule rule);

struct msk_msi_violation {
	enum msk_msi_rule rule;
	char device[48];
	char domain[80];
	char detail[200];
	uint64_t sequence; /* position in the monitor's event sequence */
};

/* Violations recorded so far in this core (capped at 256; count is exact). */
unsigned int msk_msi_violation_count(struct msk_core *core);
int msk_msi_get_violation(struct msk_core *core, unsigned int i, struct msk_msi_violation *out);

/* Called synchronously for every new violation (optional). */
void msk_msi_set_violation_hook(struct msk_core *core,
				void (*fn)(void *ctx, const struct msk_msi_violation *v),
				void *ctx);

/*
 * Controllers report the resources a device domain holds ("lpi", "itt",
 * "vector", "irte", "lisn" ...) as they hand them out (+n) and take them
 * back (-n). At removal every kind must be back at zero.
 */
void msk_msi_monitor_resource(struct msk_irq_domain *device_domain, const char *kind,
			      int64_t delta);

/* Resources currently held by a device domain of that kind. */
int64_t msk_msi_monitor_resources(struct msk_irq_domain *device_domain, const char *kind);

/* Per-domain call counts, for reports and tests. */
struct msk_msi_domain_stats {
	unsigned int prepares, teardowns, post_frees;
	uint64_t allocs, frees; /* virqs */
	uint64_t failed_allocs;
	unsigned int prepared_nvec;
};
int msk_msi_domain_stats(struct msk_irq_domain *device_domain, struct msk_msi_domain_stats *out);

#ifdef __cplusplus
}
#endif
#endif
