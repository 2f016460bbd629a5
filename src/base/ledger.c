/* SPDX-License-Identifier: MIT */
/* The event ledger: counts of raised, delivered and lost device events. */
#include <msikit/ledger.h>

#include <inttypes.h>
#include <stdatomic.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

struct msk_ledger {
	_Atomic uint64_t raised;
	_Atomic uint64_t delivered;
	_Atomic uint64_t lost[MSK_LOSS__COUNT];
	msk_ledger_observer_fn observer;
	void *observer_ctx;
};

static const char *const loss_names[MSK_LOSS__COUNT] = {
	[MSK_LOSS_MSIX_DISABLED] = "msix-disabled",
	[MSK_LOSS_MSI_DISABLED] = "msi-disabled",
	[MSK_LOSS_NO_MSI_MODE] = "no-msi-mode",
	[MSK_LOSS_BUS_MASTER_OFF] = "bus-master-off",
	[MSK_LOSS_VECTOR_OUT_OF_RANGE] = "vector-out-of-range",
	[MSK_LOSS_DEVICE_REMOVED] = "device-removed",
	[MSK_LOSS_NO_DOORBELL] = "no-doorbell",
	[MSK_LOSS_MSI_TO_RAM] = "msi-to-ram",
	[MSK_LOSS_BAD_MESSAGE] = "bad-message",
	[MSK_LOSS_VECTOR_NOT_ASSIGNED] = "vector-not-assigned",
	[MSK_LOSS_APIC_NO_TARGET] = "apic-no-target",
	[MSK_LOSS_APIC_ILLEGAL_VECTOR] = "apic-illegal-vector",
	[MSK_LOSS_IRTE_NOT_PRESENT] = "irte-not-present",
	[MSK_LOSS_IRTE_SID_MISMATCH] = "irte-sid-mismatch",
	[MSK_LOSS_IRTE_OUT_OF_RANGE] = "irte-out-of-range",
	[MSK_LOSS_IRTE_RESERVED] = "irte-reserved",
	[MSK_LOSS_IR_COMPAT_BLOCKED] = "ir-compat-blocked",
	[MSK_LOSS_IR_TABLE_INVALID] = "ir-table-invalid",
	[MSK_LOSS_ITS_DISABLED] = "its-disabled",
	[MSK_LOSS_NO_MAPPING] = "no-mapping",
	[MSK_LOSS_DEVID_OUT_OF_RANGE] = "devid-out-of-range",
	[MSK_LOSS_ITT_OUT_OF_RANGE] = "itt-out-of-range",
	[MSK_LOSS_LPIS_DISABLED] = "lpis-disabled",
	[MSK_LOSS_TABLE_FAULT] = "table-fault",
	[MSK_LOSS_XIVE_OFF] = "xive-off",
	[MSK_LOSS_XIVE_INVALID_SOURCE] = "xive-invalid-source",
	[MSK_LOSS_XIVE_EAS_MASKED] = "xive-eas-masked",
	[MSK_LOSS_XIVE_NO_QUEUE] = "xive-no-queue",
	[MSK_LOSS_XIVE_QUEUE_OVERFLOW] = "xive-queue-overflow",
	[MSK_LOSS_NO_DESCRIPTOR] = "no-descriptor",
	[MSK_LOSS_NO_HANDLER] = "no-handler",
	[MSK_LOSS_UNHANDLED] = "unhandled",
	[MSK_LOSS_FREED_WHILE_PENDING] = "freed-while-pending",
	[MSK_LOSS_CPU_OFFLINE] = "cpu-offline",
	[MSK_LOSS_INJECTED] = "injected-fault",
	[MSK_LOSS_APIC_DELIVERY_MODE] = "apic-delivery-mode",
	[MSK_LOSS_IR_DISABLED] = "ir-disabled",
	[MSK_LOSS_ITS_CLEAR] = "its-clear",
	[MSK_LOSS_ITS_DISCARD] = "its-discard",
	[MSK_LOSS_LPI_OUT_OF_RANGE] = "lpi-out-of-range",
	[MSK_LOSS_XIVE_QUEUE_RESET] = "xive-queue-reset",
	[MSK_LOSS_DEVICE_RESET] = "device-reset",
	[MSK_LOSS_PENDING_OVERFLOW] = "pending-overflow",
	[MSK_LOSS_XIVE_Q_DROPPED] = "xive-q-dropped",
};

const char *msk_loss_name(enum msk_loss reason)
{
	if ((unsigned)reason >= MSK_LOSS__COUNT || !loss_names[reason])
		return "?";
	return loss_names[reason];
}

int msk_loss_from_name(const char *name)
{
	for (int i = 0; i < MSK_LOSS__COUNT; i++)
		if (loss_names[i] && strcmp(loss_names[i], name) == 0)
			return i;
	return msk_err(MSK_EINVAL, "unknown loss reason \"%s\"", name);
}

int msk_ledger_create(struct msk_ledger **out)
{
	struct msk_ledger *l = msk_calloc(1, sizeof(*l));
	if (!l)
		return msk_err(MSK_ENOMEM, "ledger: out of memory");
	*out = l;
	return 0;
}

void msk_ledger_destroy(struct msk_ledger *l)
{
	msk_free(l);
}

void msk_ledger_reset(struct msk_ledger *l)
{
	if (!l)
		return;
	atomic_store(&l->raised, 0);
	atomic_store(&l->delivered, 0);
	for (int i = 0; i < MSK_LOSS__COUNT; i++)
		atomic_store(&l->lost[i], 0);
}

void msk_ledger_raise(struct msk_ledger *l, uint32_t weight)
{
	if (!l || !weight)
		return;
	atomic_fetch_add_explicit(&l->raised, weight, memory_order_relaxed);
	if (l->observer)
		l->observer(l->observer_ctx, 'r', MSK_LOSS__COUNT, weight);
}

void msk_ledger_deliver(struct msk_ledger *l, uint32_t weight)
{
	if (!l || !weight)
		return;
	atomic_fetch_add_explicit(&l->delivered, weight, memory_order_relaxed);
	if (l->observer)
		l->observer(l->observer_ctx, 'd', MSK_LOSS__COUNT, weight);
}

void msk_ledger_lose(struct msk_ledger *l, enum msk_loss reason, uint32_t weight)
{
	if (!l || !weight)
		return;
	if ((unsigned)reason >= MSK_LOSS__COUNT)
		reason = MSK_LOSS_INJECTED;
	atomic_fetch_add_explicit(&l->lost[reason], weight, memory_order_relaxed);
	if (l->observer)
		l->observer(l->observer_ctx, 'l', reason, weight);
}

void msk_ledger_read(const struct msk_ledger *l, struct msk_ledger_counts *out)
{
	memset(out, 0, sizeof(*out));
	if (!l)
		return;
	struct msk_ledger *m = (struct msk_ledger *)l;
	out->raised = atomic_load(&m->raised);
	out->delivered = atomic_load(&m->delivered);
	for (int i = 0; i < MSK_LOSS__COUNT; i++) {
		out->lost_by_reason[i] = atomic_load(&m->lost[i]);
		out->lost += out->lost_by_reason[i];
	}
}

int msk_ledger_check(const struct msk_ledger *l, uint64_t held)
{
	struct msk_ledger_counts c;
	msk_ledger_read(l, &c);
	if (c.raised != c.delivered + held + c.lost)
		return msk_err(MSK_EIO,
			       "ledger does not balance: raised %" PRIu64 " != delivered %" PRIu64
			       " + held %" PRIu64 " + lost %" PRIu64,
			       c.raised, c.delivered, held, c.lost);
	return 0;
}

void msk_ledger_set_observer(struct msk_ledger *l, msk_ledger_observer_fn fn, void *ctx)
{
	if (!l)
		return;
	l->observer = fn;
	l->observer_ctx = ctx;
}
