/* SPDX-License-Identifier: MIT */
/*
 * msk_platform_route for arm64: where a device's message goes, without
 * side effects. The hardware half is the GIC model's own decision
 * (msk_gic_msi_route: the code the data path runs, in probe mode); the OS
 * half is what arm64_cpu_service does with the INTID the CPU acknowledges:
 * the GICv3 root domain's reverse map. An address the GIC does not decode
 * is lost by the bus as msk_bus_msi loses it (RAM: "msi-to-ram"; nothing,
 * or a PCI BAR, which drops messages: "no-doorbell").
 */
#include "platform/arm64.h"

#include <stdio.h>
#include <string.h>

#include <msikit/hw_gic.h>

static void lose(struct msk_platform_route *out, enum msk_loss reason, const char *detail)
{
	out->lost = true;
	out->reason = reason;
	snprintf(out->detail, sizeof(out->detail), "%s", detail);
}

int arm64_route(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		struct msk_platform_route *out)
{
	struct msk_gic_msi_route r;
	if (!msk_gic_msi_route(arm64_platform_gic(p), addr, requester_id, data, &r)) {
		bool ram = msk_ram_contains(p->bus, addr, 4);
		char why[96];
		snprintf(why, sizeof(why), "0x%llx is %s, not the ITS", (unsigned long long)addr,
			 ram ? "RAM" : "no interrupt controller");
		lose(out, ram ? MSK_LOSS_MSI_TO_RAM : MSK_LOSS_NO_DOORBELL, why);
		return 0;
	}
	if (r.lost) {
		lose(out, r.reason, r.detail);
		return 0;
	}
	out->cpu = r.cpu;
	uint64_t pend = 0;
	if (msk_gic_lpi_pending(arm64_platform_gic(p), r.cpu, r.intid, &pend) > 0)
		out->held = pend; /* pending in the RD, not acknowledged */
	const char *held = r.waits ? " (held: LPI disabled)" : "";
	struct msk_irq_domain *root = arm64_platform_root(p);
	if (!root) { /* bare: the guest takes raw INTIDs */
		snprintf(out->detail, sizeof(out->detail),
			 "DeviceID 0x%x EventID %u -> LPI %u ICID %u -> CPU %u%s", r.devid,
			 r.eventid, r.intid, r.icid, r.cpu, held);
		return 0;
	}
	/* arm64_cpu_service: ack -> msk_domain_handle_irq(root, INTID) -> its descriptor. */
	struct msk_irq_data *d = msk_domain_find_mapping(root, r.intid);
	if (!d && !r.waits) {
		char why[96];
		snprintf(why, sizeof(why), "DeviceID 0x%x EventID %u -> LPI %u: no virq", r.devid,
			 r.eventid, r.intid);
		lose(out, MSK_LOSS_NO_DESCRIPTOR, why);
		return 0;
	}
	if (!d) { /* held in the RD; lost "no-descriptor" only if ever enabled and taken */
		snprintf(out->detail, sizeof(out->detail),
			 "DeviceID 0x%x EventID %u -> LPI %u -> CPU %u: no virq%s", r.devid,
			 r.eventid, r.intid, r.cpu, held);
		return 0;
	}
	out->virq = d->virq;
	snprintf(out->detail, sizeof(out->detail),
		 "DeviceID 0x%x EventID %u -> LPI %u ICID %u -> CPU %u -> virq %u%s", r.devid,
		 r.eventid, r.intid, r.icid, r.cpu, d->virq, held);
	return 0;
}
