/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_LEDGER_H
#define MSIKIT_LEDGER_H

/*
 * The ledger: every event a device raises gets exactly one fate. It is
 * delivered to a handler, still held somewhere (a pending bit: MSI-X PBA,
 * APIC IRR, LPI pending table, XIVE PQ, a descriptor's PENDING state), or
 * lost with a reason. The invariant is
 *
 *	raised == delivered + held + lost
 *
 * where `held` is what the models and the core report holding right now.
 *
 * Events coalesce: a pending bit that is set again holds two events and the
 * one interrupt it eventually produces delivers both. So every message
 * write, pending slot and interrupt carries a *weight*: how many device
 * events it stands for (1 for a fresh event). Whoever drops a weighted
 * thing reports its weight as lost; whoever runs a handler reports it as
 * delivered.
 *
 * All calls are thread-safe and accept a NULL ledger (then they do nothing),
 * so models work without one.
 */

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Why an event was lost. Names (msk_loss_name) are the report's keys. */
enum msk_loss {
	MSK_LOSS_MSIX_DISABLED,	      /* "msix-disabled": raised while MSI-X off, policy drop */
	MSK_LOSS_MSI_DISABLED,	      /* "msi-disabled" */
	MSK_LOSS_NO_MSI_MODE,	      /* "no-msi-mode": neither MSI nor MSI-X enabled */
	MSK_LOSS_BUS_MASTER_OFF,      /* "bus-master-off": Command.BME clear */
	MSK_LOSS_VECTOR_OUT_OF_RANGE, /* "vector-out-of-range": index beyond what is enabled */
	MSK_LOSS_DEVICE_REMOVED,      /* "device-removed" */
	MSK_LOSS_NO_DOORBELL,	      /* "no-doorbell": message to an address nothing decodes */
	MSK_LOSS_MSI_TO_RAM,	      /* "msi-to-ram": message landed in RAM */
	MSK_LOSS_BAD_MESSAGE,	      /* "bad-message": malformed size/alignment */
	MSK_LOSS_VECTOR_NOT_ASSIGNED, /* "vector-not-assigned": APIC vector with no irq */
	MSK_LOSS_APIC_NO_TARGET,      /* "apic-no-target": destination ID matches no CPU */
	MSK_LOSS_APIC_ILLEGAL_VECTOR, /* "apic-illegal-vector": vector 0-15 */
	MSK_LOSS_IRTE_NOT_PRESENT,    /* "irte-not-present" */
	MSK_LOSS_IRTE_SID_MISMATCH,   /* "irte-sid-mismatch" */
	MSK_LOSS_IRTE_OUT_OF_RANGE,   /* "irte-out-of-range" */
	MSK_LOSS_IRTE_RESERVED,	      /* "irte-reserved": reserved bits in request or IRTE */
	MSK_LOSS_IR_COMPAT_BLOCKED,   /* "ir-compat-blocked": compatibility format while blocked */
	MSK_LOSS_IR_TABLE_INVALID,    /* "ir-table-invalid": IRTE table fetch failed */
	MSK_LOSS_ITS_DISABLED,	      /* "its-disabled" */
	MSK_LOSS_NO_MAPPING,	      /* "no-mapping": device, event or collection not mapped */
	MSK_LOSS_DEVID_OUT_OF_RANGE,  /* "devid-out-of-range" */
	MSK_LOSS_ITT_OUT_OF_RANGE,    /* "itt-out-of-range": EventID beyond the ITT */
	MSK_LOSS_LPIS_DISABLED,	      /* "lpis-disabled": GICR_CTLR.EnableLPIs clear */
	MSK_LOSS_TABLE_FAULT,	      /* "table-fault": a table in guest memory was unreadable */
	MSK_LOSS_XIVE_OFF,	      /* "xive-off": trigger on a source in PQ=01 */
	MSK_LOSS_XIVE_INVALID_SOURCE, /* "xive-invalid-source" */
	MSK_LOSS_XIVE_EAS_MASKED,     /* "xive-eas-masked" */
	MSK_LOSS_XIVE_NO_QUEUE,	      /* "xive-no-queue": END invalid or queue not configured */
	MSK_LOSS_XIVE_QUEUE_OVERFLOW, /* "xive-queue-overflow" */
	MSK_LOSS_NO_DESCRIPTOR,	      /* "no-descriptor": no virq for the hwirq */
	MSK_LOSS_NO_HANDLER,	      /* "no-handler": irq has no action */
	MSK_LOSS_UNHANDLED,	      /* "unhandled": every handler returned NONE */
	MSK_LOSS_FREED_WHILE_PENDING, /* "freed-while-pending": irq freed holding events */
	MSK_LOSS_CPU_OFFLINE,	      /* "cpu-offline" */
	MSK_LOSS_INJECTED,	      /* "injected-fault": dropped by fault injection */
	MSK_LOSS_APIC_DELIVERY_MODE,  /* "apic-delivery-mode": NMI/SMI/INIT/ExtINT/reserved mode */
	MSK_LOSS_IR_DISABLED,	      /* "ir-disabled": remappable message, remapping off */
	MSK_LOSS_ITS_CLEAR,	      /* "its-clear": pending LPI cleared by an ITS CLEAR */
	MSK_LOSS_ITS_DISCARD,	      /* "its-discard": pending LPI dropped by an ITS DISCARD */
	MSK_LOSS_LPI_OUT_OF_RANGE,    /* "lpi-out-of-range": INTID beyond the RD's LPI tables */
	MSK_LOSS_XIVE_QUEUE_RESET, /* "xive-queue-reset": EQ entry not taken when its queue was reset */
	MSK_LOSS_DEVICE_RESET,	   /* "device-reset": held by a function that was reset (FLR) */
	MSK_LOSS_PENDING_OVERFLOW, /* "pending-overflow": a pending slot's weight would exceed 2^32-1 */
	MSK_LOSS_XIVE_Q_DROPPED, /* "xive-q-dropped": coalesced trigger (Q) cleared by SET_PQ_01/10 */
	MSK_LOSS__COUNT
};

struct msk_ledger;

struct msk_ledger_counts {
	uint64_t raised;
	uint64_t delivered;
	uint64_t lost;
	uint64_t lost_by_reason[MSK_LOSS__COUNT];
};

/* "msix-disabled" etc.; "?" for an invalid value. */
const char *msk_loss_name(enum msk_loss reason);

/* The reason with that name, or -MSK_EINVAL. */
int msk_loss_from_name(const char *name);

/* 0 or -MSK_ENOMEM. */
int msk_ledger_create(struct msk_ledger **out);
void msk_ledger_destroy(struct msk_ledger *l);

/* Zero every counter. */
void msk_ledger_reset(struct msk_ledger *l);

void msk_ledger_raise(struct msk_ledger *l, uint32_t weight);
void msk_ledger_deliver(struct msk_ledger *l, uint32_t weight);
void msk_ledger_lose(struct msk_ledger *l, enum msk_loss reason, uint32_t weight);

/* A consistent-enough copy of the counters (each counter read atomically). */
void msk_ledger_read(const struct msk_ledger *l, struct msk_ledger_counts *out);

/*
 * Check raised == delivered + held + lost for the given `held` (the sum of
 * what every model and the core report holding). Returns 0 or -MSK_EIO
 * with a message giving the four numbers.
 */
int msk_ledger_check(const struct msk_ledger *l, uint64_t held);

/*
 * Optional observer, called synchronously for every fate recorded (for
 * traces). kind is 'r'aised, 'd'elivered or 'l'ost; reason is valid for 'l'.
 */
typedef void (*msk_ledger_observer_fn)(void *ctx, char kind, enum msk_loss reason, uint32_t weight);
void msk_ledger_set_observer(struct msk_ledger *l, msk_ledger_observer_fn fn, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
