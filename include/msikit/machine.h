/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_MACHINE_H
#define MSIKIT_MACHINE_H

/*
 * A machine: everything one scenario runs on.
 *
 *	ledger <- bus (RAM + MMIO) <- platform (models + drivers, msikit/platform.h)
 *	                           <- PCI functions (msikit/hw_pci.h) + their OS views
 *	core (virqs, domains, MSI core) <- the drivers
 *	runtime (msikit/sim.h): virtual time, CPUs, actors, the seeded PRNG
 *
 * Memory map (m:layout()):
 *	[MSK_MACHINE_RAM_BASE, + ram_size)   guest RAM; the first
 *	                                     MSK_MACHINE_TABLE_SIZE bytes are the
 *	                                     platform drivers' (ITS tables, IRTEs,
 *	                                     queues); the rest is free for scripts
 *	[MSK_MACHINE_PCI_MMIO, + _SIZE)      PCI BARs, assigned by the machine's
 *	                                     "firmware" when a function is added
 *	the platform's own regions           see struct msk_platform_layout
 *
 * With an OS (the default) the platform's drivers program the models and
 * the runtime's CPUs take interrupts through msk_platform_cpu_service().
 * A bare machine (cfg.bare) has only the models: the caller is the guest
 * (docs/interfaces.md, "Hardware access") and takes interrupts with msk_platform_cpu_take();
 * the platform counts the weight it hands out as delivered.
 *
 * Model switches (the "before" forms of the seed stories):
 *  - msi = MSK_MACHINE_MSI_GLOBAL: one PCI/MSI domain shared by every
 *    device (the pre-6.2 model, src/compat/): no vector can be added after
 *    MSI-X is enabled, no IMS; devices grow by disable, free, enable again.
 *  - prepare = MSK_MSI_PREPARE_PER_ALLOC: msi_prepare at every allocation,
 *    with that allocation's count (msk_msi_set_prepare_mode).
 *  - its.alloc_dyn, pseries.post_free: the platform's own switches.
 *
 * Invariants, checked by msk_machine_check() and after every runtime step:
 *  - "ledger-balance": raised == delivered + held + lost, held = what the
 *    core, the platform and every PCI function hold;
 *  - "msix-message": every allocated, unmasked MSI-X entry of a device
 *    holds the message its hierarchy composed for it (the descriptor's);
 *  - "msi-route": every active message (unmasked MSI-X entry, enabled MSI
 *    vector - not masked, by its mask bit or, without per-vector masking,
 *    by the OS - unmasked IMS slot with a virq), followed through the models
 *    (msk_platform_route), reaches its own descriptor's virq on a CPU of
 *    its effective affinity, when the platform can follow messages;
 *  - the MSI contract monitor's rules (msk_msi_violation_count()),
 *    including "resources-returned" at device removal.
 *
 * Fault injection (cfg.faults), every choice drawn from the seed:
 *  - alloc_fail = N: the Nth msikit heap allocation after the machine is
 *    built fails (msikit/fault.h); alloc_fail_random: N drawn in [1, 256];
 *  - cpu_offline: one CPU other than 0 goes offline through the platform
 *    at a step drawn in [1, 64] (or at cpu_offline_step), when the
 *    platform supports hotplug and the CPU is not offline already (nor
 *    the last one online);
 *  - controller = N: the Nth controller operation after the machine is
 *    built fails as the hardware would report it (msk_platform_fault_arm):
 *    an ITS command error on arm64, a firmware refusal on ppc64, an IRTE
 *    fetch fault on x86 with IR; controller_random: N drawn in [1, 64].
 *    A platform without that fault makes machine creation fail (ENOTSUP).
 *
 * Threads: a machine is driven by one thread (the runtime's).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/hw.h>
#include <msikit/hw_pci.h>
#include <msikit/irq.h>
#include <msikit/ledger.h>
#include <msikit/msi.h>
#include <msikit/pci.h>
#include <msikit/platform.h>
#include <msikit/sim.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_MACHINE_RAM_BASE	  0x400000000ull /* 16 GiB: clear of every platform's MMIO */
#define MSK_MACHINE_RAM_DEFAULT	  (1ull << 30)
#define MSK_MACHINE_TABLE_SIZE	  (64ull << 20) /* the drivers' part of RAM */
#define MSK_MACHINE_PCI_MMIO	  0xC0000000ull
#define MSK_MACHINE_PCI_MMIO_SIZE 0x30000000ull

enum msk_machine_msi_model {
	MSK_MACHINE_MSI_PER_DEVICE = 0, /* per-device MSI domains (6.2+) */
	MSK_MACHINE_MSI_GLOBAL = 1,	/* one PCI/MSI domain for all devices (before) */
};

struct msk_machine_config {
	const char *arch;   /* "x86", "arm64", "ppc64", or a registered arch */
	unsigned int ncpus; /* default 4 */
	uint64_t seed;	    /* default 1 */
	bool bare;	    /* models only: the caller is the guest */
	enum msk_machine_msi_model msi;
	enum msk_msi_prepare_mode prepare;
	uint64_t ram_size; /* default MSK_MACHINE_RAM_DEFAULT; > MSK_MACHINE_TABLE_SIZE */
	struct {
		bool ir;
	} x86;
	struct {
		bool alloc_dyn; /* default true */
		unsigned int devbits, idbits;
	} its;
	struct {
		bool post_free; /* free_hook = "post_free" */
		unsigned int pe_quota;
	} pseries;
	struct {
		unsigned long alloc_fail; /* 0: none */
		bool alloc_fail_random;
		bool cpu_offline;
		uint64_t cpu_offline_step; /* 0: drawn from the seed */
		uint64_t controller;	   /* the Nth controller operation fails; 0: none */
		bool controller_random;	   /* N drawn in [1, 64] */
		enum msk_platform_fault_kind controller_kind; /* DEFAULT: the platform's own */
	} faults;
	uint64_t max_steps; /* per msk_machine_run(); 0: the runtime's default */
};

/* Fill cfg with the defaults above (arch NULL: the caller must set it). */
void msk_machine_config_init(struct msk_machine_config *cfg);

struct msk_machine;
struct msk_machine_dev;

/* A platform constructor, as msk_platform_create() would call it. */
typedef int (*msk_platform_create_fn)(struct msk_core *core, struct msk_bus *bus,
				      const struct msk_platform_config *cfg,
				      struct msk_platform **out);

/*
 * Make an extra architecture name known to msk_machine_create() (an
 * embedder's own platform, or a test platform); consulted before the
 * built-in ones. At most 8 names; registering a name again replaces it.
 * Returns 0, -MSK_EINVAL or -MSK_ENOSPC. Not thread-safe: call at start-up.
 */
int msk_machine_register_arch(const char *arch, msk_platform_create_fn create);

/*
 * Build a machine: ledger, bus with RAM, core, platform (with drivers
 * unless bare), the compat switches, the runtime, fault injection armed.
 * Returns 0; -MSK_EINVAL (bad config, unknown arch), -MSK_ENOTSUP (that
 * arch's platform is not built: msk_last_error() says so), -MSK_ENOMEM,
 * or the platform's error. Nothing remains on failure.
 */
int msk_machine_create(const struct msk_machine_config *cfg, struct msk_machine **out);

/*
 * Take the machine apart: removes every device (OS view, then function),
 * the platform, the core, the bus, the ledger. Handlers still installed
 * are freed first. Fault injection is disarmed. NULL is ignored.
 */
void msk_machine_destroy(struct msk_machine *m);

const struct msk_machine_config *msk_machine_config(const struct msk_machine *m);
struct msk_core *msk_machine_core(struct msk_machine *m);
struct msk_bus *msk_machine_bus(struct msk_machine *m);
struct msk_ledger *msk_machine_ledger(struct msk_machine *m);
struct msk_platform *msk_machine_platform(struct msk_machine *m);
struct msk_sim *msk_machine_sim(struct msk_machine *m);

/* Addresses of this machine. */
struct msk_machine_layout {
	uint64_t ram, ram_size; /* free guest RAM (after the drivers' tables) */
	uint64_t pci_mmio, pci_mmio_size;
	struct msk_platform_layout platform;
};
void msk_machine_layout(struct msk_machine *m, struct msk_machine_layout *out);

/* --- devices -------------------------------------------------------------------------------- */

struct msk_machine_pci_config {
	unsigned int bus, dev, fn; /* the BDF (segment 0) */
	uint16_t vendor_id, device_id;
	unsigned int msi;  /* MSI vectors: 0, 1, 2, 4, 8, 16, 32 */
	bool msi_64bit;	   /* default true */
	bool msi_mask;	   /* per-vector masking; default true */
	unsigned int msix; /* MSI-X table entries: 0..2048 */
	unsigned int ims;  /* IMS entries: 0..MSK_PCIFN_IMS_MAX */
	enum msk_pcifn_while_disabled while_disabled;
};

/* Defaults: 00:00.0, vendor 0x1af4 device 0x1000 (overwrite), 64-bit maskable MSI. */
void msk_machine_pci_config_init(struct msk_machine_pci_config *cfg);

/*
 * Plug a PCI function in: the function model on the bus, its BARs
 * assigned in the PCI MMIO window and decoded, then (unless bare) the
 * platform attaches it and the OS view exists. Returns 0; -MSK_EEXIST
 * (BDF taken), -MSK_EINVAL (bad capabilities), -MSK_ENOSPC (no room for
 * the BARs), -MSK_ENOMEM, or the platform's error; nothing remains then.
 */
int msk_machine_pci_add(struct msk_machine *m, const struct msk_machine_pci_config *cfg,
			struct msk_machine_dev **out);

/*
 * Surprise-free hot removal: the OS view goes (vectors freed, domains
 * removed: the contract monitor checks nothing leaked), then the function
 * (what it still holds is lost "device-removed"). Handlers must have been
 * freed (-MSK_EBUSY otherwise, nothing changed).
 */
int msk_machine_pci_remove(struct msk_machine *m, struct msk_machine_dev *dev);

/* "0000:01:00.0" */
const char *msk_machine_dev_name(const struct msk_machine_dev *dev);
struct msk_pcifn *msk_machine_dev_fn(struct msk_machine_dev *dev);
/* The OS view (NULL on a bare machine). */
struct msk_pci_dev *msk_machine_dev_pci(struct msk_machine_dev *dev);

/*
 * Adding one MSI-X vector after enable has one way: the PCI layer's
 * msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(dev), index, affinity), as
 * Linux's pci_msix_alloc_irq_at(). Under msi = global it fails with
 * -MSK_ENOTSUP (the global PCI/MSI domain has no dynamic MSI-X).
 */

/*
 * Create the IMS domain of a device over its IMS store (entries: at most
 * what the function has). Under msi = global: -MSK_ENOTSUP.
 */
int msk_machine_ims_domain(struct msk_machine *m, struct msk_machine_dev *dev,
			   unsigned int entries);

/* --- running -------------------------------------------------------------------------------- */

/* Run the runtime until idle (msk_sim_run). */
int msk_machine_run(struct msk_machine *m);

/*
 * CPU hotplug through the platform's drivers; the runtime stops or
 * resumes servicing that CPU. -MSK_EINVAL (bad CPU, last online CPU),
 * -MSK_ENOTSUP (the platform has no hotplug), or the platform's error.
 * When the platform reports an error for some virq (one that could not be
 * moved off, or restarted) but the CPU did change state in the core, the
 * runtime follows the core and the error is still returned.
 */
int msk_machine_cpu_offline(struct msk_machine *m, unsigned int cpu);
int msk_machine_cpu_online(struct msk_machine *m, unsigned int cpu);

/**
 * msk_machine_models_held() - event weight the hardware models hold now
 * @m: the machine
 *
 * What the platform's models and every PCI function hold (pending bits,
 * latched events), without the core: the core's own held events are
 * msk_core_held(msk_machine_core(m)). This is exactly what a report's
 * msk_report_src.held_extra wants (the report adds the core's itself):
 *
 *	struct msk_report_src src = { .core = msk_machine_core(m),
 *				      .ledger = msk_machine_ledger(m),
 *				      .held_extra = msk_machine_models_held(m) };
 *
 * The ledger balances when raised == delivered + lost + the core's held +
 * this. (Until 0.1.0, msk_machine_held() returned the sum of both, which
 * made the natural report set-up count the core's held events twice.)
 *
 * Context: any thread; the counts are a snapshot.
 * Return: the held weight; 0 for a NULL machine.
 */
uint64_t msk_machine_models_held(struct msk_machine *m);

/*
 * Check the invariants now (see the top). Returns 0, or -MSK_EIO with the
 * first broken one in msk_last_error(); every broken invariant is also
 * recorded (once per rule and device) for msk_machine_invariant().
 * -MSK_EPERM from an interrupt handler (nothing checked or recorded: the
 * handler's event is in flight, the ledger cannot balance there).
 */
int msk_machine_check(struct msk_machine *m);

/* Invariant failures recorded so far: "rule: detail". */
unsigned int msk_machine_invariant_count(const struct msk_machine *m);
const char *msk_machine_invariant(const struct msk_machine *m, unsigned int i);
/* Did the ledger balance fail (an internal error, not a scenario failure)? */
bool msk_machine_ledger_broken(const struct msk_machine *m);

/* Errors of the platform's CPU service (negative returns), as messages. */
unsigned int msk_machine_service_error_count(const struct msk_machine *m);
const char *msk_machine_service_error(const struct msk_machine *m, unsigned int i);

/* What fault injection did: allocations failed, CPU taken offline (or -1). */
struct msk_machine_faults {
	unsigned long alloc_fail_at; /* the N armed (0: none) */
	unsigned long allocs_failed;
	int cpu_offlined;
	uint64_t cpu_offline_step;
	/* The platform's answer; -MSK_EALREADY: the CPU (or every other one) was offline already */
	int cpu_offline_rc;
	struct msk_platform_fault_state controller; /* nth 0: none armed */
};
void msk_machine_faults(const struct msk_machine *m, struct msk_machine_faults *out);

/* Disarm allocation fault injection (before reports are written). */
void msk_machine_faults_disarm(struct msk_machine *m);

/* --- trace ---------------------------------------------------------------------------------- */

/* One fate recorded in the ledger, with where and when it happened. */
struct msk_machine_event {
	uint64_t time, step;
	char kind; /* 'r'aised, 'd'elivered, 'l'ost */
	enum msk_loss reason;
	uint32_t weight;
	int cpu;	    /* the CPU taking interrupts at the time, or -1 */
	int actor;	    /* the actor running at the time, or -1 */
	const char *device; /* the device being driven (raise, remove), or NULL */
	int index;	    /* its vector index, or -1 */
	unsigned int virq;  /* the virq whose handler ran last on that CPU step, or 0 */
};

/* Call fn for every ledger fate (NULL: stop). The callback must not call into the machine. */
void msk_machine_set_trace(struct msk_machine *m,
			   void (*fn)(void *ctx, const struct msk_machine_event *ev), void *ctx);

/*
 * Tell the trace what is being driven: a device and vector index (a
 * raise), or NULL/-1 to clear; and the virq a handler is running for.
 */
void msk_machine_trace_context(struct msk_machine *m, const char *device, int index);
void msk_machine_trace_virq(struct msk_machine *m, unsigned int virq);

/* Per-device iteration (creation order). */
unsigned int msk_machine_dev_count(const struct msk_machine *m);
struct msk_machine_dev *msk_machine_dev_at(struct msk_machine *m, unsigned int i);

#ifdef __cplusplus
}
#endif
#endif
