/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_PLATFORM_H
#define MSIKIT_PLATFORM_H

/*
 * A platform: one architecture's interrupt hardware models plus the
 * drivers that program them, wired to a core and a bus.
 *
 *   x86   : local APICs + MSI window (+ VT-d remapping unit); drivers:
 *           VECTOR (MSI parent) (+ INTEL-IR-0, prefix "IR-")
 *   arm64 : GICv3 redistributors + ITS; drivers: GICv3 root + ITS MSI parent
 *           (prefix "ITS-")
 *   ppc64 : XIVE + pSeries firmware; drivers: XIVE root + pSeries MSI
 *           parent (prefix "pSeries-")
 *
 * Drivers reach the models only through MMIO registers, tables and
 * command queues in guest RAM (carved from [table_base, table_base +
 * table_size)), and firmware calls - as a kernel would.
 *
 * The CPU side: a model signals (cfg.notify) that a CPU may have something
 * to take; whoever runs that CPU calls msk_platform_cpu_service(), which
 * takes pending interrupts from the model and runs the core's entry path
 * (root domain reverse map -> flow -> handler) with their weights.
 *
 * A bare platform (cfg.bare) has the models and no drivers: the caller is
 * the guest OS (docs/interfaces.md, "Hardware access"); msk_platform_cpu_take() hands out raw
 * vectors / INTIDs / EISNs.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/hw.h>
#include <msikit/irq.h>
#include <msikit/pci.h>

#ifdef __cplusplus
extern "C" {
#endif

struct msk_pcifn;
struct msk_platform;

struct msk_platform_config {
	unsigned int ncpus;
	bool bare;	     /* models only, no drivers */
	uint64_t table_base; /* guest RAM the drivers may use for their tables */
	uint64_t table_size;
	struct msk_cpu_notify notify; /* from the models: "CPU c may have work" */
	struct {
		bool ir; /* VT-d interrupt remapping (INTEL-IR-0 between devices and VECTOR) */
	} x86;
	struct {
		bool alloc_dyn; /* ITS parent offers PCI_MSIX_ALLOC_DYN (seed RFC; default true) */
		unsigned int devbits;  /* 0: default 16 */
		unsigned int idbits;   /* EventID bits, 0: default 16 */
		bool stall_on_error;   /* command errors stall instead of being skipped */
		unsigned int lpi_bits; /* LPI INTID bits 14..20, 0: 16 (Linux's cap) */
	} its;
	struct {
		bool post_free;	       /* replay the first conversion: RTAS disable on every free */
		unsigned int pe_quota; /* MSIs per PE; 0: default 256 */
	} pseries;
};

/* Addresses of a platform, for scripts and VMM-style access (m:layout()). */
struct msk_platform_layout {
	uint64_t msi;		/* x86: 0xFEE00000 */
	uint64_t iommu;		/* x86 with IR: VT-d registers */
	uint64_t its;		/* arm64: ITS control frame (TRANSLATER at +0x10040) */
	uint64_t redist;	/* arm64: CPU 0's RD_base */
	uint64_t redist_stride; /* arm64: 0x20000 */
	uint64_t esb;		/* ppc64: ESB pages */
	uint64_t esb_stride;
	uint64_t msi_window; /* ppc64: PHB MSI window */
};

/* A controller counter for reports ("lpis", "vectors", "irtes", ...). */
struct msk_platform_counter {
	char name[32];
	int64_t value;
};

/*
 * Controller faults (seeded fault injection, msikit/machine.h): the Nth
 * operation of a kind, counted from arming, fails the way that hardware or
 * firmware reports a failure, once.
 */
enum msk_platform_fault_kind {
	MSK_PLATFORM_FAULT_DEFAULT = 0, /* the platform's own kind */
	/* arm64: the Nth ITS command completes with an error (skip or stall, per the ITS) */
	MSK_PLATFORM_FAULT_ITS_COMMAND,
	/* ppc64: the Nth RTAS call / hcall the OS makes is refused with a hardware error */
	MSK_PLATFORM_FAULT_FIRMWARE,
	/* x86 with IR: the Nth remapped request faults fetching its IRTE (recorded, blocked) */
	MSK_PLATFORM_FAULT_IRTE,
	MSK_PLATFORM_FAULT__COUNT
};

/* "its-command", "firmware", "irte" ("default" for 0); NULL when out of range. */
const char *msk_platform_fault_name(enum msk_platform_fault_kind kind);
/* The kind of a name above, or -MSK_EINVAL. */
int msk_platform_fault_parse(const char *name, enum msk_platform_fault_kind *out);

struct msk_platform_fault_state {
	enum msk_platform_fault_kind kind; /* DEFAULT: nothing armed since creation */
	uint64_t nth;			   /* the N armed (0: disarmed) */
	uint64_t seen;			   /* operations of that kind since arming */
	uint64_t fired;			   /* injected failures (0 or 1) */
	char what[128];			   /* the operation that failed ("MAPTI ...") */
};

/*
 * Where a device's message goes, followed through the models without
 * changing them (msk_platform_route).
 */
struct msk_platform_route {
	bool lost;	      /* the message would be lost ... */
	enum msk_loss reason; /* ... for this reason */
	unsigned int cpu;     /* otherwise: the CPU that takes it */
	unsigned int virq;    /* and the virq its OS runs for it (0: none) */
	char detail[96];      /* how it got there ("IRTE 5 -> CPU 1 vector 0x22") */
	/*
	 * Event weight the controller holds on that path and has not handed to
	 * a CPU (ppc64: coalesced at the XIVE source; arm64: the LPI pending in
	 * its redistributor; 0 on x86, which holds events only in a CPU's IRR,
	 * which the simulator's idle sweep empties).
	 */
	uint64_t held;
};

struct msk_platform_ops {
	const char *arch;
	void (*destroy)(struct msk_platform *p);
	struct msk_irq_domain *(*msi_parent)(struct msk_platform *p);
	int (*cpu_service)(struct msk_platform *p, unsigned int cpu, unsigned int max);
	int (*cpu_take)(struct msk_platform *p, unsigned int cpu, uint64_t *id, uint64_t *weight);
	uint64_t (*held)(struct msk_platform *p);
	int (*cpu_offline)(struct msk_platform *p, unsigned int cpu);
	int (*cpu_online)(struct msk_platform *p, unsigned int cpu);
	int (*pci_add)(struct msk_platform *p, struct msk_pcifn *fn, struct msk_pci_dev **out);
	int (*pci_remove)(struct msk_platform *p, struct msk_pci_dev *pdev);
	void (*layout)(struct msk_platform *p, struct msk_platform_layout *out);
	size_t (*counters)(struct msk_platform *p, struct msk_platform_counter *out, size_t max);
	/* Optional: controller faults (kind is never DEFAULT here; nth 0 disarms). */
	int (*fault_arm)(struct msk_platform *p, enum msk_platform_fault_kind kind, uint64_t nth);
	void (*fault_state)(struct msk_platform *p, struct msk_platform_fault_state *out);
	enum msk_platform_fault_kind (*fault_default)(struct msk_platform *p);
	/* Optional: follow a message (msk_platform_route). */
	int (*route)(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		     struct msk_platform_route *out);
};

/* Every platform starts with this (arch implementations embed it first). */
struct msk_platform {
	const struct msk_platform_ops *ops;
	struct msk_core *core;
	struct msk_bus *bus;
	struct msk_platform_config cfg;
	/*
	 * Where new devices attach (msk_platform_device_msi_parent): NULL
	 * means msi_parent; a machine may stack a compat domain on it.
	 */
	struct msk_irq_domain *device_msi_parent;
};

/*
 * Create the platform of an architecture ("x86", "arm64", "ppc64") on a
 * core and a bus (the bus's ledger receives the models' losses).
 * -MSK_EINVAL (unknown arch, bad config), -MSK_ENOTSUP (arch not built),
 * -MSK_ENOMEM, or a driver's probe error; nothing remains on failure.
 */
int msk_platform_create(const char *arch, struct msk_core *core, struct msk_bus *bus,
			const struct msk_platform_config *cfg, struct msk_platform **out);
void msk_platform_destroy(struct msk_platform *p);

/* The MSI parent devices use (NULL on a bare platform). */
struct msk_irq_domain *msk_platform_msi_parent(struct msk_platform *p);

/*
 * The MSI parent domain a device attached now must get: the platform's
 * own, unless the machine stacked another on it (the global PCI/MSI
 * domain of msi = "global"). pci_add implementations create the device's
 * OS view with this parent. Setting NULL restores the platform's own.
 * A device domain's parent may then be that stacked domain: the ops a
 * platform installs in device domains reach their own level with
 * msk_domain_get_irq_data(own_domain, virq) (or msk_domain_root() for a
 * root parent), not with msk_domain_parent(device_domain).
 */
struct msk_irq_domain *msk_platform_device_msi_parent(struct msk_platform *p);
void msk_platform_set_device_msi_parent(struct msk_platform *p, struct msk_irq_domain *d);

/*
 * Take up to max pending interrupts on cpu and run each through the entry
 * path (or, bare: -MSK_ENOTSUP). Returns how many were taken (0: nothing
 * pending). Call from the thread that runs that CPU.
 */
int msk_platform_cpu_service(struct msk_platform *p, unsigned int cpu, unsigned int max);

/* Bare platforms: take one raw interrupt (1), or nothing (0). */
int msk_platform_cpu_take(struct msk_platform *p, unsigned int cpu, uint64_t *id, uint64_t *weight);

/* Event weight the platform's models hold (pending in controllers). */
uint64_t msk_platform_held(struct msk_platform *p);

/* CPU hotplug through the drivers (migrate or shut down vectors). */
int msk_platform_cpu_offline(struct msk_platform *p, unsigned int cpu);
int msk_platform_cpu_online(struct msk_platform *p, unsigned int cpu);

/*
 * Attach a PCI function: whatever the platform needs (firmware
 * registration on pSeries, DeviceID mapping on arm64), then the OS view
 * with msk_platform_device_msi_parent() as its MSI parent.
 */
int msk_platform_pci_add(struct msk_platform *p, struct msk_pcifn *fn, struct msk_pci_dev **out);
int msk_platform_pci_remove(struct msk_platform *p, struct msk_pci_dev *pdev);

void msk_platform_layout(struct msk_platform *p, struct msk_platform_layout *out);
size_t msk_platform_counters(struct msk_platform *p, struct msk_platform_counter *out, size_t max);

/*
 * Arm a controller fault: the nth operation of that kind from now fails
 * (nth 0 disarms). DEFAULT picks the platform's own kind. -MSK_ENOTSUP
 * when the platform has no such fault (x86 without IR has no IRTEs),
 * -MSK_EINVAL for a bad kind.
 */
int msk_platform_fault_arm(struct msk_platform *p, enum msk_platform_fault_kind kind, uint64_t nth);
/* What the armed fault did (all zero when the platform has none). */
void msk_platform_fault_state(struct msk_platform *p, struct msk_platform_fault_state *out);

/*
 * Follow a message the device with requester_id writes (data to addr)
 * as the hardware would - remapping table, ITS tables, XIVE tables - and
 * the OS's entry path, without side effects: which CPU takes it and which
 * virq runs, or why it would be lost. Reads guest memory only. 0, or
 * -MSK_ENOTSUP (the platform cannot tell; bare platforms answer with
 * virq 0).
 */
int msk_platform_route(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		       struct msk_platform_route *out);

/* Per-architecture constructors (used by msk_platform_create). */
int msk_x86_platform_create(struct msk_core *core, struct msk_bus *bus,
			    const struct msk_platform_config *cfg, struct msk_platform **out);
int msk_arm64_platform_create(struct msk_core *core, struct msk_bus *bus,
			      const struct msk_platform_config *cfg, struct msk_platform **out);
int msk_ppc64_platform_create(struct msk_core *core, struct msk_bus *bus,
			      const struct msk_platform_config *cfg, struct msk_platform **out);

#ifdef __cplusplus
}
#endif
#endif
