/* SPDX-License-Identifier: MIT */
/*
 * Following a message through the model without side effects
 * (msk_x86_route): the same decode, translation and APIC resolution the
 * data path runs (msk_x86_compat_decode, msk_vtd_translate in probe mode,
 * msk_lapic_resolve), with the outcome written down instead of acted on.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "hw/x86/vtd.h"

static void lost(struct msk_x86_route *out, enum msk_loss reason)
{
	out->lost = true;
	out->reason = reason;
}

/* Append to the detail text (truncating quietly). */
__attribute__((format(printf, 2, 3))) static void note(struct msk_x86_route *out, const char *fmt,
						       ...)
{
	size_t used = strlen(out->detail);
	if (used + 1 >= sizeof(out->detail))
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(out->detail + used, sizeof(out->detail) - used, fmt, ap);
	va_end(ap);
}

/* The APIC side: which CPU would take irq, or why none. */
static void resolve(struct msk_x86 *x86, const struct msk_apic_irq *irq, struct msk_x86_route *out)
{
	note(out, " dest 0x%02x vector 0x%02x", irq->dest, irq->vector);
	struct msk_lapic_target t;
	msk_lapic_resolve(x86, irq, &t);
	if (t.lost) {
		lost(out, t.reason);
		if (t.reason == MSK_LOSS_APIC_NO_TARGET)
			note(out, ": no CPU");
		else if (t.reason == MSK_LOSS_APIC_DELIVERY_MODE)
			note(out, ": delivery mode %u", irq->delivery_mode);
		else
			note(out, ": illegal");
		return;
	}
	out->cpu = t.first;
	out->vector = irq->vector;
	note(out, " -> CPU %u", t.first);
}

/* A remappable-format message (remapping may be off). */
static void remappable(struct msk_x86 *x86, uint32_t rid, uint32_t addr, uint32_t data,
		       struct msk_x86_route *out)
{
	struct msk_vtd_xlate x;
	if (!x86->vtd || !msk_vtd_translate(x86->vtd, addr, data, rid, true, &x)) {
		lost(out, MSK_LOSS_IR_DISABLED);
		note(out, "remappable format, remapping off");
		return;
	}
	if (x.fault) {
		lost(out, msk_vtd_fault_loss(x.fr));
		out->fault = (uint8_t)x.fr;
		note(out, "IRTE %u: VT-d fault 0x%02x", x.index, (unsigned int)x.fr);
		return;
	}
	out->remapped = true;
	out->irte_index = x.index;
	note(out, "IRTE %u ->", x.index);
	resolve(x86, &x.irq, out);
}

int msk_x86_route(struct msk_x86 *x86, uint32_t rid, uint64_t addr, uint32_t data,
		  struct msk_x86_route *out)
{
	if (!x86 || !out)
		return msk_err(MSK_EINVAL, "x86 route: missing argument");
	memset(out, 0, sizeof(*out));
	out->cpu = MSK_CPU_NONE;
	if (addr < MSK_X86_MSI_BASE || addr - MSK_X86_MSI_BASE >= MSK_X86_MSI_SIZE) {
		/* The bus's own verdict: RAM takes the write, anything else is no doorbell. */
		bool ram = msk_ram_contains(x86->bus, addr, 4);
		lost(out, ram ? MSK_LOSS_MSI_TO_RAM : MSK_LOSS_NO_DOORBELL);
		snprintf(out->detail, sizeof(out->detail), "0x%llx is %s", (unsigned long long)addr,
			 ram ? "RAM" : "no interrupt doorbell");
		return 0;
	}
	uint32_t a = (uint32_t)addr;
	if (a & MSK_X86_MSI_ADDR_REMAPPABLE) {
		remappable(x86, rid, a, data, out);
		return 0;
	}
	struct msk_vtd_xlate x;
	if (x86->vtd && msk_vtd_translate(x86->vtd, a, data, rid, true, &x)) {
		/* Remapping on and compatibility format not let through. */
		lost(out, msk_vtd_fault_loss(x.fr));
		out->fault = (uint8_t)x.fr;
		note(out, "compatibility format blocked: VT-d fault 0x%02x", (unsigned int)x.fr);
		return 0;
	}
	struct msk_apic_irq irq;
	msk_x86_compat_decode(a, data, &irq);
	note(out, "compat");
	resolve(x86, &irq, out);
	return 0;
}
