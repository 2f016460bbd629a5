/* SPDX-License-Identifier: MIT */
/*
 * ITS translation: (DeviceID, EventID) -> DTE -> ITE -> collection -> RD,
 * used by GITS_TRANSLATER writes, by the commands that name an event and
 * by msk_its_lookup(). Every failed translation loses its weight with the
 * reason listed in include/msikit/hw_gic.h.
 */
#include "hw/arm64/gic.h"

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

void its_translate_locked(struct msk_gic *gic, uint32_t devid, uint32_t eventid, uint64_t weight)
{
	struct its *its = &gic->its;
	struct its_route r;
	if (!(its->ctlr & MSK_GITS_CTLR_ENABLED)) {
		gic_lose(gic, MSK_LOSS_ITS_DISABLED, weight);
		atomic_fetch_add(&its->dropped, 1);
		return;
	}
	enum its_resolve res = its_resolve(gic, devid, eventid, &r);
	if (res != RES_OK) {
		gic_lose(gic, its_resolve_loss(res), weight);
		atomic_fetch_add(&its->dropped, 1);
		return;
	}
	if (gicr_set_pending(gic, r.cpu, r.intid, weight))
		atomic_fetch_add(&its->translations, 1);
	else
		atomic_fetch_add(&its->dropped, 1);
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

void its_translater_write(struct msk_gic *gic, uint64_t value, unsigned int size,
			  const struct msk_bus_attrs *attrs)
{
	uint32_t devid;
	if (size != 2 && size != 4) {
		gic_lose(gic, MSK_LOSS_BAD_MESSAGE, attrs->weight);
		atomic_fetch_add(&gic->bad_accesses, 1);
		return;
	}
	if (!rid_to_devid(gic, attrs->requester_id, &devid)) {
		gic_lose(gic, MSK_LOSS_DEVID_OUT_OF_RANGE, attrs->weight);
		atomic_fetch_add(&gic->its.dropped, 1);
		return;
	}
	uint32_t eventid = (uint32_t)(size == 2 ? value & 0xFFFFu : value & 0xFFFFFFFFu);
	pthread_mutex_lock(&gic->its.lock);
	its_translate_locked(gic, devid, eventid, attrs->weight);
	pthread_mutex_unlock(&gic->its.lock);
}
