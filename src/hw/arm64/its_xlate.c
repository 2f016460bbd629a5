/* SPDX-License-Identifier: MIT */
/*
 * ITS translation: (DeviceID, EventID) -> DTE -> ITE -> collection -> RD,
 * used by GITS_TRANSLATER writes, by the commands that name an event, by
 * msk_its_lookup() and by msk_gic_msi_route(). The decision is one pure
 * function (its_msg_decide); the data path applies it (losing the weight
 * with the reason listed in include/msikit/hw_gic.h, or making the LPI
 * pending), the route probe only reports it.
 */
#include "hw/arm64/gic.h"

#include <stdio.h>
#include <string.h>

enum its_resolve its_resolve(const struct msk_gic *gic, uint32_t devid, uint32_t eventid,
			     struct its_route *r)
{
	r->collection_mapped = false;
	switch (its_read_dte(gic, devid, &r->dte)) {
	case WALK_OK:
		break;
	case WALK_RANGE:
		return RES_DEVID_RANGE;
	case WALK_FAULT:
		return RES_FAULT;
	default:
		return RES_NO_DEVICE;
	}
	if (!(r->dte & DTE_VALID))
		return RES_NO_DEVICE;
	if ((uint64_t)eventid >= (2ull << (r->dte & DTE_SIZE_MASK)))
		return RES_EVENT_RANGE;
	r->ite_addr = (r->dte & DTE_ITT_MASK) + (uint64_t)eventid * ITS_ENTRY_SIZE;
	if (msk_ram_read64(gic->bus, r->ite_addr, &r->ite) < 0)
		return RES_FAULT;
	if (!(r->ite & ITE_VALID))
		return RES_NO_ITE;
	r->intid = (uint32_t)r->ite;
	r->icid = (uint32_t)(r->ite >> 32) & 0xFFFFu;
	uint64_t cte;
	enum its_walk w = its_read_cte(gic, r->icid, &cte);
	if (w == WALK_FAULT)
		return RES_FAULT;
	if (w != WALK_OK || !(cte & CTE_VALID) || (cte & CTE_RD_MASK) >= gic->cfg.nr_cpus)
		return RES_NO_COLLECTION;
	r->collection_mapped = true;
	r->cpu = (unsigned int)(cte & CTE_RD_MASK);
	return RES_OK;
}

enum msk_loss its_resolve_loss(enum its_resolve res)
{
	switch (res) {
	case RES_DEVID_RANGE:
		return MSK_LOSS_DEVID_OUT_OF_RANGE;
	case RES_EVENT_RANGE:
		return MSK_LOSS_ITT_OUT_OF_RANGE;
	case RES_FAULT:
		return MSK_LOSS_TABLE_FAULT;
	default:
		return MSK_LOSS_NO_MAPPING;
	}
}

/* DeviceID of a requester; false when the RID map has no entry for it. */
static bool rid_to_devid(const struct msk_gic *gic, uint32_t rid, uint32_t *devid)
{
	if (!gic->cfg.nr_id_maps) {
		*devid = rid;
		return true;
	}
	for (unsigned int i = 0; i < gic->cfg.nr_id_maps; i++) {
		const struct msk_its_id_map *m = &gic->cfg.id_map[i];
		if (rid >= m->rid_base && rid - m->rid_base < m->count) {
			*devid = m->devid_base + (rid - m->rid_base);
			return true;
		}
	}
	return false;
}

void its_msg_resolve(const struct msk_gic *gic, uint32_t devid, uint32_t eventid, struct its_msg *m)
{
	m->have_devid = true;
	m->devid = devid;
	m->eventid = eventid;
	m->res = RES_OK;
	if (!(gic->its.ctlr & MSK_GITS_CTLR_ENABLED)) {
		m->reason = MSK_LOSS_ITS_DISABLED;
		return;
	}
	m->res = its_resolve(gic, devid, eventid, &m->r);
	m->reason = m->res == RES_OK ? MSK_LOSS__COUNT : its_resolve_loss(m->res);
}

void its_msg_decide(const struct msk_gic *gic, uint64_t value, unsigned int size, uint32_t rid,
		    struct its_msg *m)
{
	memset(m, 0, sizeof(*m));
	if (size != 2 && size != 4) {
		m->bad_size = true;
		m->reason = MSK_LOSS_BAD_MESSAGE;
		return;
	}
	uint32_t devid;
	if (!rid_to_devid(gic, rid, &devid)) {
		m->reason = MSK_LOSS_DEVID_OUT_OF_RANGE;
		return;
	}
	its_msg_resolve(gic, devid, (uint32_t)(size == 2 ? value & 0xFFFFu : value & 0xFFFFFFFFu),
			m);
}

void its_translater_write(struct msk_gic *gic, uint64_t value, unsigned int size,
			  const struct msk_bus_attrs *attrs)
{
	struct its *its = &gic->its;
	struct its_msg m;
	pthread_mutex_lock(&its->lock);
	its_msg_decide(gic, value, size, attrs->requester_id, &m);
	if (m.reason != MSK_LOSS__COUNT) {
		gic_lose(gic, m.reason, attrs->weight);
		atomic_fetch_add(m.bad_size ? &gic->bad_accesses : &its->dropped, 1);
	} else if (gicr_set_pending(gic, m.r.cpu, m.r.intid, attrs->weight)) {
		atomic_fetch_add(&its->translations, 1);
	} else {
		atomic_fetch_add(&its->dropped, 1);
	}
	pthread_mutex_unlock(&its->lock);
}

/* ---- the route probe ------------------------------------------------------------ */

/* The trace of a decided message, up to where it stopped. */
static void describe(const struct its_msg *m, char *buf, size_t size)
{
	if (m->bad_size) {
		snprintf(buf, size, "GITS_TRANSLATER write of a bad size");
		return;
	}
	if (!m->have_devid) {
		snprintf(buf, size, "no DeviceID for the requester (RID map)");
		return;
	}
	int n = snprintf(buf, size, "DeviceID 0x%x EventID %u", m->devid, m->eventid);
	if (n < 0 || (size_t)n >= size)
		return;
	buf += n;
	size -= (size_t)n;
	if (m->reason == MSK_LOSS_ITS_DISABLED) {
		snprintf(buf, size, ": ITS disabled");
		return;
	}
	switch (m->res) {
	case RES_DEVID_RANGE:
		snprintf(buf, size, ": beyond the device table");
		break;
	case RES_NO_DEVICE:
		snprintf(buf, size, ": device not mapped");
		break;
	case RES_EVENT_RANGE:
		snprintf(buf, size, ": beyond the ITT (%llu events)",
			 2ull << (m->r.dte & DTE_SIZE_MASK));
		break;
	case RES_NO_ITE:
		snprintf(buf, size, ": no ITE");
		break;
	case RES_NO_COLLECTION:
		snprintf(buf, size, " -> LPI %u ICID %u: collection not mapped", m->r.intid,
			 m->r.icid);
		break;
	case RES_FAULT:
		snprintf(buf, size, ": a table lies outside RAM");
		break;
	case RES_OK:
		snprintf(buf, size, " -> LPI %u ICID %u -> RD %u", m->r.intid, m->r.icid, m->r.cpu);
		break;
	}
}

/* The RD's part of a translated message (RD lock only); a refusal is described. */
static void route_rd(struct msk_gic *gic, const struct its_msg *m, struct msk_gic_msi_route *out)
{
	bool enabled = false;
	enum msk_loss why = gicr_probe(gic, out->cpu, out->intid, &enabled);
	if (why == MSK_LOSS__COUNT) {
		out->waits = !enabled;
		return;
	}
	out->lost = true;
	out->reason = why;
	describe(m, out->detail, sizeof(out->detail));
	size_t len = strlen(out->detail);
	snprintf(out->detail + len, sizeof(out->detail) - len, ": %s",
		 why == MSK_LOSS_LPIS_DISABLED	    ? "EnableLPIs = 0"
		 : why == MSK_LOSS_LPI_OUT_OF_RANGE ? "LPI beyond the RD's tables"
						    : "pending table outside RAM");
}

int msk_gic_msi_route(const struct msk_gic *gic_c, uint64_t addr, uint32_t rid, uint32_t data,
		      struct msk_gic_msi_route *out)
{
	struct msk_gic *gic = (struct msk_gic *)gic_c;
	memset(out, 0, sizeof(*out));
	uint64_t its = gic->cfg.its_base, rd = gic->cfg.redist_base;
	uint64_t rd_size = (uint64_t)gic->cfg.nr_cpus * MSK_GICR_STRIDE;
	bool in_its = addr - its < MSK_GITS_FRAME_SIZE, in_rd = addr - rd < rd_size;
	if (!in_its && !in_rd)
		return 0;
	if (!in_its || addr - its != MSK_GITS_TRANSLATER) {
		/* its_write / gicr_write: a message anywhere but the doorbell is dropped. */
		out->lost = true;
		out->reason = MSK_LOSS_NO_DOORBELL;
		snprintf(out->detail, sizeof(out->detail),
			 "%s offset 0x%llx is not GITS_TRANSLATER",
			 in_its ? "ITS" : "redistributor",
			 (unsigned long long)(addr - (in_its ? its : rd)));
		return 1;
	}
	/* As its_translater_write: the ITS lock, then the target RD's. */
	struct its_msg m;
	pthread_mutex_lock(&gic->its.lock);
	its_msg_decide(gic, data, 4, rid, &m);
	out->translated = m.have_devid;
	out->devid = m.devid;
	out->eventid = m.eventid;
	if ((m.res == RES_OK || m.res == RES_NO_COLLECTION) && m.reason != MSK_LOSS_ITS_DISABLED) {
		out->mapped = true;
		out->intid = m.r.intid;
		out->icid = m.r.icid;
	}
	if (m.reason != MSK_LOSS__COUNT) {
		out->lost = true;
		out->reason = m.reason;
		describe(&m, out->detail, sizeof(out->detail));
	} else {
		out->cpu = m.r.cpu;
		route_rd(gic, &m, out);
	}
	pthread_mutex_unlock(&gic->its.lock);
	return 1;
}
