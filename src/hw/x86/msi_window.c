/* SPDX-License-Identifier: MIT */
/*
 * The MSI window [0xFEE00000, +1 MiB): receives devices' message writes,
 * decodes the compatibility format, hands the remappable format (and, while
 * remapping is on, the compatibility format) to the VT-d unit.
 */
#include "hw/x86/x86.h"

void msk_x86_compat_decode(uint32_t addr, uint32_t data, struct msk_apic_irq *out)
{
	out->dest = (addr >> MSK_X86_MSI_ADDR_DEST_SHIFT) & 0xFFu;
	out->x2apic = false;
	out->logical = (addr & MSK_X86_MSI_ADDR_DM_LOGICAL) != 0;
	out->redir_hint = (addr & MSK_X86_MSI_ADDR_RH) != 0;
	out->delivery_mode = (data >> MSK_X86_MSI_DATA_DLM_SHIFT) & 7u;
	out->vector = (uint8_t)(data & MSK_X86_MSI_DATA_VECTOR_MASK);
}

/* CPU reads: there is no xAPIC register page here. */
static uint64_t msi_read(void *opaque, uint64_t off, unsigned int size,
			 const struct msk_bus_attrs *attrs)
{
	return 0;
}

static void msi_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		      const struct msk_bus_attrs *attrs)
{
	struct msk_x86 *x86 = opaque;
	if (!attrs->is_msi)
		return; /* a CPU store: ignored */
	atomic_fetch_add_explicit(&x86->messages, 1, memory_order_relaxed);
	if (size != 4) {
		msk_ledger_lose(x86->ledger, MSK_LOSS_BAD_MESSAGE, attrs->weight);
		return;
	}
	uint32_t addr = (uint32_t)(MSK_X86_MSI_BASE + off);
	uint32_t data = (uint32_t)value;
	if (addr & MSK_X86_MSI_ADDR_REMAPPABLE) {
		atomic_fetch_add_explicit(&x86->remappable, 1, memory_order_relaxed);
		if (!x86->vtd ||
		    !msk_vtd_intercept(x86->vtd, addr, data, attrs->requester_id, attrs->weight))
			msk_ledger_lose(x86->ledger, MSK_LOSS_IR_DISABLED, attrs->weight);
		return;
	}
	atomic_fetch_add_explicit(&x86->compat, 1, memory_order_relaxed);
	if (x86->vtd && msk_vtd_intercept(x86->vtd, addr, data, attrs->requester_id, attrs->weight))
		return;
	struct msk_apic_irq irq;
	msk_x86_compat_decode(addr, data, &irq);
	msk_lapic_deliver(x86, &irq, attrs->weight);
}

const struct msk_mmio_ops msk_x86_msi_ops = { msi_read, msi_write };
