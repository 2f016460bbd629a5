/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_GIC_V3_H
#define MSK_IRQCHIP_GIC_V3_H

/*
 * The GICv3 drivers (OS side) of the arm64 platform. Files by concern:
 *   gic_v3_ranges.c  first-fit range allocator (LPIs, guest RAM)
 *   gic_v3_ram.c     the guest RAM the drivers carve their tables from
 *   gic_v3.c         redistributor LPI setup and the root domain "GICv3"
 *   its.c            ITS probe: BASERs, command queue, collections
 *   its_cmd.c        the command writer (queue, CWRITER, CREADR, errors)
 *   its_event.c      the mappings, and what the driver does when a command fails
 *   its_lpi.c        LPI ranges per device (first fit, halving)
 *   its_msi.c        the ITS MSI parent (per-device ITTs, MAPD/MAPTI/...)
 * The board that creates the models and these drivers (CPU service,
 * faults, msk_platform_route) is src/platform/arm64.c and arm64_route.c.
 *
 * Every access to the hardware goes through msk_bus_read/msk_bus_write on
 * the model's registers and msk_ram_* on tables in guest RAM.
 */

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <msikit/domain.h>
#include <msikit/hw.h>
#include <msikit/hw_gic.h>
#include <msikit/irq.h>

#include "irqchip/gic_v3_ranges.h"

/* ---- guest RAM for tables (gic_v3_ram.c) ----------------------------------- */

struct gic_ram {
	pthread_mutex_t lock;
	struct msk_bus *bus;
	struct gic_ranges ranges;
	uint64_t in_use; /* bytes handed out */
};

/* Manage [base, base + size) of guest RAM. -MSK_EINVAL (not all RAM), -MSK_ENOMEM. */
int gic_ram_init(struct gic_ram *ram, struct msk_bus *bus, uint64_t base, uint64_t size);
void gic_ram_destroy(struct gic_ram *ram);

/*
 * Carve `bytes` aligned to `align` (a power of two) and zero them, as the
 * GIC requires of fresh tables. -MSK_ENOSPC (with the sizes in the message)
 * or -MSK_ENOMEM; nothing taken on failure.
 */
int gic_ram_alloc(struct gic_ram *ram, uint64_t bytes, uint64_t align, const char *what,
		  uint64_t *pa);
void gic_ram_free(struct gic_ram *ram, uint64_t pa, uint64_t bytes);

/* ---- the GICv3 root (gic_v3.c) --------------------------------------------- */

#define GIC_V3_LPI_PRIO 0xA0u /* Linux's default LPI priority */

struct gic_v3 {
	struct msk_core *core;
	struct msk_bus *bus;
	struct msk_gic *model; /* the CPU interface (ack/EOI are system registers) */
	struct gic_ram *ram;
	uint64_t redist_base;
	unsigned int ncpus;
	unsigned int lpi_bits; /* INTID bits: LPIs are 8192 .. 2^lpi_bits - 1 */
	uint64_t prop_pa, prop_bytes;
	uint64_t *pend_pa; /* per CPU */
	uint64_t pend_bytes;
	unsigned int *procnum; /* GICR_TYPER.Processor_Number per CPU */
	struct msk_irq_domain *domain;
	_Atomic bool dead;	    /* the model is gone: touch no hardware */
	void (*release)(void *ctx); /* called when the core removes the domain */
	void *release_ctx;
};

/* What the ITS passes to the root's alloc: the first LPI of the block. */
struct gic_v3_fwspec {
	uint32_t intid;
};

/*
 * Program every redistributor (LPI configuration and pending tables from
 * ram, EnableLPIs) and create the root domain "GICv3". 0 or an error with
 * a message; on failure nothing remains (tables freed, no domain).
 */
int gic_v3_init(struct gic_v3 *g, struct msk_core *core, struct msk_bus *bus, struct msk_gic *model,
		struct gic_ram *ram, uint64_t redist_base, unsigned int ncpus,
		unsigned int lpi_bits);

/* Free the tables (after the domain is gone or detached). */
void gic_v3_fini(struct gic_v3 *g);

/* Write LPI intid's configuration byte in RAM (enabled or not, default priority). */
int gic_v3_lpi_config(struct gic_v3 *g, uint32_t intid, bool enabled);

/*
 * The CPU interface as the entry path sees it: the calling thread runs CPU
 * `cpu` between enter and exit, so the root chip's irq_eoi knows which
 * CPU's ICC_EOIR it writes. exit returns whether an EOI was written.
 */
void gic_v3_cpu_enter(struct gic_v3 *g, unsigned int cpu);
bool gic_v3_cpu_exit(void);

#endif
