/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_XIVE_H
#define MSK_IRQCHIP_XIVE_H

/*
 * The XIVE root domain of a pSeries partition (the OS side of
 * arch/powerpc/sysdev/xive/{common,spapr}.c).
 *
 * hwirq = LISN. The driver reaches the controller only as a guest does:
 * H_INT_* hcalls to the firmware (source information, routing, queues) and
 * 8-byte loads/stores on the sources' ESB pages. Each CPU gets one event
 * queue at priority XIVE_DRV_PRIO in guest RAM carved from the platform's
 * table area; every source is routed with EISN = LISN, so what a CPU takes
 * from its queue is the hwirq of this domain.
 *
 * Per-LISN state (ESB pages, target, saved P) is the chip_data of the XIVE
 * level of a virq - never descriptor-wide data - and is freed by this
 * level's free op (the 2025 untangling and its kmemleak follow-up).
 *
 * Chip: fasteoi. mask = ESB SET_PQ_01 (remembering P), unmask = SET_PQ_00
 * (or SET_PQ_10 while an entry taken before the mask still awaits its EOI),
 * EOI = Store-EOI when the source offers it, else SET_PQ_00 and a re-trigger
 * store when Q was set; an EOI while masked leaves the ESB off.
 */

#include <stdbool.h>
#include <stdint.h>

#include <msikit/domain.h>
#include <msikit/hw_xive.h>

#define XIVE_DRV_PRIO 6u /* 7 belongs to the hypervisor */

struct xive_drv;

struct xive_drv_config {
	struct msk_core *core;
	struct msk_bus *bus;
	struct msk_xive *xive; /* its geometry and the CPU interface (msk_xive_take) */
	struct msk_spapr *fw;  /* the hcalls go here */
	unsigned int ncpus;    /* CPUs 0..ncpus-1 get a queue */
	uint64_t table_base;   /* guest RAM for the queues */
	uint64_t table_size;
};

/* What a child domain passes to the XIVE root's alloc: the first LISN. */
struct xive_fwspec {
	uint32_t lisn;
};

/*
 * Reset the interrupt routing (H_INT_RESET), give every CPU a zeroed queue
 * (H_INT_SET_QUEUE_CONFIG) and create the root domain "XIVE". Returns 0,
 * -MSK_EINVAL (table area too small or not RAM), -MSK_EIO (an hcall
 * failed: the message names it and its code), -MSK_EEXIST (a domain named
 * "XIVE" exists) or -MSK_ENOMEM; the queues configured are removed again
 * on failure (each removal retried once if the firmware refuses it).
 */
int xive_drv_create(const struct xive_drv_config *cfg, struct xive_drv **out);

/*
 * Remove the root domain and the queues (entries not taken are lost by
 * the model as "xive-queue-reset"). -MSK_EBUSY (nothing changed) while
 * virqs or child domains remain.
 */
int xive_drv_destroy(struct xive_drv *x);

struct msk_irq_domain *xive_drv_domain(struct xive_drv *x);

/*
 * CPU `cpu` takes up to `max` entries from its queue and runs each through
 * the root's entry path with its weight (the EOI comes from the flow).
 * Returns how many were taken. Call from the thread that runs that CPU.
 */
int xive_drv_service(struct xive_drv *x, unsigned int cpu, unsigned int max);

/*
 * xive_drv_flush_cpu - Linux's xive_flush_cpu_queue() (6.12,
 * arch/powerpc/sysdev/xive/common.c, from xive_smp_disable_cpu() after
 * irq_migrate_all_off_this_cpu()): every entry still in the queue of CPU
 * `cpu`, which is going offline, is re-triggered at its source (saved P
 * cleared; PQ reset, then a trigger store standing for the entry's
 * weight), so it reaches the source's new target - or, for a source shut
 * down (EAS masked), is lost there "xive-eas-masked". An entry whose source
 * still targets this CPU (it could not be moved) is handled here, as by
 * xive_drv_service; one without a XIVE mapping is dropped, as Linux does
 * (lost "no-descriptor").
 * Context: the CPU's service thread is stopped (msikit/cpuhotplug.h).
 * Return: the number of entries taken.
 */
int xive_drv_flush_cpu(struct xive_drv *x, unsigned int cpu);

/* Bytes of one queue (log2), for reports. */
unsigned int xive_drv_queue_shift(const struct xive_drv *x);

/* CPUs whose event queue is configured now. */
unsigned int xive_drv_queues(struct xive_drv *x);

/*
 * CPU hotplug (Linux's xive_teardown_cpu / xive_setup_cpu_queues). Down,
 * after the core moved the CPU's sources away and the CPU drained its
 * queue: the queue is removed (H_INT_SET_QUEUE_CONFIG size 0) - unless a
 * source the core could not move still targets the CPU, whose events
 * would be lost without it; a refusal (retried once) leaves the queue
 * configured, which is harmless. Up, before the core restarts anything
 * there: a removed queue is zeroed and configured again; 0, or -MSK_EIO
 * naming the refused hcall (the CPU must then stay offline), -MSK_EINVAL
 * for a CPU this driver does not run.
 */
void xive_drv_cpu_down(struct xive_drv *x, unsigned int cpu);
int xive_drv_cpu_up(struct xive_drv *x, unsigned int cpu);

/*
 * The virq the entry path runs for an EQ entry with this EISN (what
 * xive_drv_service would hand to the root domain), or 0 when there is no
 * mapping (the core would lose it, "no-descriptor"). No side effect.
 */
unsigned int xive_drv_virq_of(struct xive_drv *x, uint32_t eisn);

#endif
