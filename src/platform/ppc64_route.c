/* SPDX-License-Identifier: MIT */
/*
 * msk_platform_route for ppc64: a device's message followed the way the
 * machine handles it, without side effects - the bus (RAM first, then the
 * XIVE's MSI window or ESB pages), the XIVE (msk_xive_route: the data
 * path's own decoding, PQ, EAS and END checks), then the OS: the XIVE root
 * domain's reverse map, as xive_drv_service hands the EQ entry's EISN to
 * the entry path. The requester's PE comes from the firmware, for the
 * trace only: the PHB model does not check it.
 */
#include "platform/ppc64.h"

#include <stdio.h>
#include <string.h>

/* "PE 0x80000000" for a registered function, "no PE" otherwise. */
static void pe_of(struct ppc64 *pp, uint32_t rid, char *buf, size_t size)
{
	uint32_t pe;
	uint32_t config_addr = (rid >> 8 & 0xff) << 16 | (rid & 0xff) << 8;
	if (rid <= 0xffff && msk_spapr_function_pe(pp->fw, MSK_PPC64_BUID, config_addr, &pe))
		snprintf(buf, size, "PE 0x%x", pe);
	else
		snprintf(buf, size, "no PE");
}

static void lost(struct msk_platform_route *out, enum msk_loss reason)
{
	out->lost = true;
	out->reason = reason;
}

int ppc64_route(struct msk_platform *p, uint32_t requester_id, uint64_t addr, uint32_t data,
		struct msk_platform_route *out)
{
	struct ppc64 *pp = ppc64_of(p);
	char pe[24];
	pe_of(pp, requester_id, pe, sizeof(pe));
	unsigned long long a = addr;
	/* The bus's order: a message that lands in RAM never reaches a region. */
	if (msk_ram_contains(p->bus, addr, 4)) {
		lost(out, MSK_LOSS_MSI_TO_RAM);
		snprintf(out->detail, sizeof(out->detail), "%s: 0x%llx is RAM", pe, a);
		return 0;
	}
	struct msk_xive_route r;
	if (!msk_xive_route(pp->xive, addr, data, &r)) {
		/* The platform maps nothing else a message could be meant for. */
		lost(out, MSK_LOSS_NO_DOORBELL);
		snprintf(out->detail, sizeof(out->detail), "%s: nothing at 0x%llx", pe, a);
		return 0;
	}
	const char *via = r.window ? "MSI window" : "ESB page";
	if (!r.source) { /* lost before reaching a source */
		lost(out, r.reason);
		snprintf(out->detail, sizeof(out->detail), "%s: %s 0x%llx data 0x%x", pe, via, a,
			 data);
		return 0;
	}
	if (r.lost) {
		lost(out, r.reason);
		snprintf(out->detail, sizeof(out->detail), "%s %s LISN 0x%x PQ %u%u", pe, via,
			 r.lisn, r.pq >> 1, r.pq & 1);
		return 0;
	}
	out->cpu = r.cpu;
	out->virq = pp->xdrv ? xive_drv_virq_of(pp->xdrv, r.eisn) : 0;
	struct msk_xive_source_info si;
	if (msk_xive_get_source(pp->xive, r.lisn, &si) == 0)
		out->held = si.held; /* coalesced in Q, not notified yet */
	int n = snprintf(out->detail, sizeof(out->detail),
			 "%s LISN 0x%x PQ %u%u%s -> CPU %u prio %u EISN 0x%x", pe, r.lisn,
			 r.pq >> 1, r.pq & 1, r.coalesced ? " (held)" : "", r.cpu, r.prio, r.eisn);
	if (!pp->xdrv)
		return 0; /* bare: the guest's own EISN, no OS entry path */
	if (!out->virq)
		lost(out, MSK_LOSS_NO_DESCRIPTOR); /* what the core does with an unmapped EISN */
	if (n > 0 && (size_t)n < sizeof(out->detail))
		snprintf(out->detail + n, sizeof(out->detail) - (size_t)n, " -> virq %u",
			 out->virq);
	return 0;
}
