/* SPDX-License-Identifier: MIT */
/*
 * The ITS command queue: fetching 32-byte commands from guest RAM between
 * CREADR and CWRITER (a bounded batch per register access), executing
 * them, the error policy (skip or stall), and the injected command error
 * (msk_its_inject_command_error). Callers hold its.lock.
 */
#include "hw/arm64/gic.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"

/* A decoded command: the four little-endian doublewords. */
struct cmd {
	uint64_t dw[4];
};

static uint8_t cmd_op(const struct cmd *c)
{
	return (uint8_t)c->dw[0];
}
static uint32_t cmd_devid(const struct cmd *c)
{
	return (uint32_t)(c->dw[0] >> 32);
}
static uint32_t cmd_eventid(const struct cmd *c)
{
	return (uint32_t)c->dw[1];
}
static uint32_t cmd_pintid(const struct cmd *c)
{
	return (uint32_t)(c->dw[1] >> 32);
}
static unsigned int cmd_size(const struct cmd *c)
{
	return (unsigned int)(c->dw[1] & 0x1F);
}
static uint32_t cmd_icid(const struct cmd *c)
{
	return (uint32_t)(c->dw[2] & 0xFFFF);
}
static uint64_t cmd_itt(const struct cmd *c)
{
	return c->dw[2] & DTE_ITT_MASK;
}
static uint64_t cmd_rd(const struct cmd *c, int dw)
{
	return (c->dw[dw] >> 16) & 0xFFFFFFFFFull; /* bits 51:16: processor number (PTA = 0) */
}
static bool cmd_valid(const struct cmd *c)
{
	return c->dw[2] >> 63;
}

static bool id_fits(uint64_t id, unsigned int bits)
{
	return bits >= 32 || id < (1ull << bits);
}

void its_log_error(struct msk_gic *gic, uint32_t code, uint8_t opcode, uint64_t offset)
{
	struct its *its = &gic->its;
	struct msk_its_error *e = &its->log[its->log_next % MSK_ITS_ERROR_LOG_SIZE];
	e->code = code;
	e->opcode = opcode;
	e->offset = (uint32_t)offset;
	its->log_next++;
}

static uint32_t do_mapd(struct msk_gic *gic, const struct cmd *c)
{
	if (!id_fits(cmd_devid(c), gic->cfg.devbits))
		return MSK_ITS_E_MAPD_DEVICE_OOR;
	if (cmd_valid(c) && cmd_size(c) + 1 > gic->cfg.eventid_bits)
		return MSK_ITS_E_MAPD_ITTSIZE_OOR;
	uint64_t dte = cmd_valid(c) ? DTE_VALID | cmd_itt(c) | cmd_size(c) : 0;
	switch (its_write_dte(gic, cmd_devid(c), dte)) {
	case WALK_OK:
		return 0;
	case WALK_FAULT:
		return MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MAPD);
	default: /* beyond the table, or no level-2 page */
		return MSK_ITS_E_MAPD_DEVICE_OOR;
	}
}

static uint32_t do_mapc(struct msk_gic *gic, const struct cmd *c)
{
	if (!id_fits(cmd_icid(c), gic->cfg.cidbits))
		return MSK_ITS_E_MAPC_COLLECTION_OOR;
	if (cmd_valid(c) && cmd_rd(c, 2) >= gic->cfg.nr_cpus)
		return MSK_ITS_E_MAPC_PROCNUM_OOR;
	uint64_t cte = cmd_valid(c) ? CTE_VALID | cmd_rd(c, 2) : 0;
	switch (its_write_cte(gic, cmd_icid(c), cte)) {
	case WALK_OK:
		return 0;
	case WALK_FAULT:
		return MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MAPC);
	default:
		return MSK_ITS_E_MAPC_COLLECTION_OOR;
	}
}

static uint32_t do_mapti(struct msk_gic *gic, const struct cmd *c)
{
	uint8_t op = cmd_op(c);
	uint64_t dte;
	switch (its_read_dte(gic, cmd_devid(c), &dte)) {
	case WALK_OK:
		break;
	case WALK_FAULT:
		return MSK_ITS_E_TABLE_FAULT(op);
	default:
		return MSK_ITS_E_MAPTI_UNMAPPED_DEVICE;
	}
	if (!(dte & DTE_VALID))
		return MSK_ITS_E_MAPTI_UNMAPPED_DEVICE;
	uint32_t eventid = cmd_eventid(c);
	if ((uint64_t)eventid >= (2ull << (dte & DTE_SIZE_MASK)))
		return MSK_ITS_E_MAPTI_ID_OOR;
	uint32_t intid = op == MSK_ITS_CMD_MAPI ? eventid : cmd_pintid(c);
	if (intid < MSK_GIC_LPI_BASE || intid >= gic->lpi_limit)
		return MSK_ITS_E_MAPTI_PHYSICALID_OOR;
	if (!id_fits(cmd_icid(c), gic->cfg.cidbits))
		return MSK_ITS_E_MAPC_COLLECTION_OOR;
	uint64_t ite = ITE_VALID | (uint64_t)cmd_icid(c) << 32 | intid;
	uint64_t addr = (dte & DTE_ITT_MASK) + (uint64_t)eventid * ITS_ENTRY_SIZE;
	if (msk_ram_write64(gic->bus, addr, ite) < 0)
		return MSK_ITS_E_TABLE_FAULT(op);
	return 0;
}

/*
 * Resolve the (DeviceID, EventID) of a command whose target must be a
 * mapped event in a mapped collection; `unmapped` is its error code.
 */
static uint32_t resolve_event(struct msk_gic *gic, const struct cmd *c, uint32_t unmapped,
			      struct its_route *r)
{
	enum its_resolve res = its_resolve(gic, cmd_devid(c), cmd_eventid(c), r);
	if (res == RES_OK)
		return 0;
	return res == RES_FAULT ? MSK_ITS_E_TABLE_FAULT(cmd_op(c)) : unmapped;
}

static uint32_t do_int(struct msk_gic *gic, const struct cmd *c)
{
	struct its_route r;
	uint32_t err = resolve_event(gic, c, MSK_ITS_E_INT_UNMAPPED_INTERRUPT, &r);
	if (err)
		return err;
	msk_ledger_raise(gic->ledger, 1); /* a software-generated event */
	if (gicr_set_pending(gic, r.cpu, r.intid, 1))
		atomic_fetch_add(&gic->its.translations, 1);
	else
		atomic_fetch_add(&gic->its.dropped, 1);
	return 0;
}

static uint32_t do_clear(struct msk_gic *gic, const struct cmd *c)
{
	struct its_route r;
	uint32_t err = resolve_event(gic, c, MSK_ITS_E_CLEAR_UNMAPPED_INTERRUPT, &r);
	if (!err)
		gicr_clear_pending(gic, r.cpu, r.intid, MSK_LOSS_ITS_CLEAR);
	return err;
}

static uint32_t do_discard(struct msk_gic *gic, const struct cmd *c)
{
	struct its_route r;
	uint32_t err = resolve_event(gic, c, MSK_ITS_E_DISCARD_UNMAPPED_INTERRUPT, &r);
	if (err)
		return err;
	if (msk_ram_write64(gic->bus, r.ite_addr, 0) < 0)
		return MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_DISCARD);
	gicr_clear_pending(gic, r.cpu, r.intid, MSK_LOSS_ITS_DISCARD);
	return 0;
}

static uint32_t do_inv(struct msk_gic *gic, const struct cmd *c)
{
	struct its_route r;
	uint32_t err = resolve_event(gic, c, MSK_ITS_E_INV_UNMAPPED_INTERRUPT, &r);
	if (!err)
		gicr_invalidate(gic, r.cpu, false, r.intid);
	return err;
}

/* The RD of a mapped collection, or an error code (`unmapped` or a fault). */
static uint32_t collection_rd(struct msk_gic *gic, uint8_t op, uint32_t icid, uint32_t unmapped,
			      unsigned int *cpu)
{
	uint64_t cte;
	enum its_walk w = its_read_cte(gic, icid, &cte);
	if (w == WALK_FAULT)
		return MSK_ITS_E_TABLE_FAULT(op);
	if (w != WALK_OK || !(cte & CTE_VALID) || (cte & CTE_RD_MASK) >= gic->cfg.nr_cpus)
		return unmapped;
	*cpu = (unsigned int)(cte & CTE_RD_MASK);
	return 0;
}

static uint32_t do_invall(struct msk_gic *gic, const struct cmd *c)
{
	unsigned int cpu;
	uint32_t err = collection_rd(gic, MSK_ITS_CMD_INVALL, cmd_icid(c),
				     MSK_ITS_E_INVALL_UNMAPPED_COLLECTION, &cpu);
	if (!err)
		gicr_invalidate(gic, cpu, true, 0);
	return err;
}

static uint32_t do_movi(struct msk_gic *gic, const struct cmd *c)
{
	struct its_route r;
	enum its_resolve res = its_resolve(gic, cmd_devid(c), cmd_eventid(c), &r);
	if (res == RES_FAULT)
		return MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MOVI);
	if (res == RES_NO_COLLECTION)
		return MSK_ITS_E_MOVI_UNMAPPED_COLLECTION;
	if (res != RES_OK)
		return MSK_ITS_E_MOVI_UNMAPPED_INTERRUPT;
	unsigned int to;
	uint32_t err = collection_rd(gic, MSK_ITS_CMD_MOVI, cmd_icid(c),
				     MSK_ITS_E_MOVI_UNMAPPED_COLLECTION, &to);
	if (err)
		return err;
	uint64_t ite = (r.ite & ~(0xFFFFull << 32)) | (uint64_t)cmd_icid(c) << 32;
	if (msk_ram_write64(gic->bus, r.ite_addr, ite) < 0)
		return MSK_ITS_E_TABLE_FAULT(MSK_ITS_CMD_MOVI);
	gicr_move_pending(gic, r.cpu, to, false, r.intid);
	return 0;
}

static uint32_t do_movall(struct msk_gic *gic, const struct cmd *c)
{
	uint64_t from = cmd_rd(c, 2), to = cmd_rd(c, 3);
	if (from >= gic->cfg.nr_cpus || to >= gic->cfg.nr_cpus)
		return MSK_ITS_E_MOVALL_PROCNUM_OOR;
	gicr_move_pending(gic, (unsigned int)from, (unsigned int)to, true, 0);
	return 0;
}

void its_cmd_describe(const uint64_t dw[4], char *buf, size_t size)
{
	struct cmd c;
	memcpy(c.dw, dw, sizeof(c.dw));
	uint8_t op = cmd_op(&c);
	unsigned int dev = cmd_devid(&c), ev = cmd_eventid(&c), icid = cmd_icid(&c);
	switch (op) {
	case MSK_ITS_CMD_MAPD:
		if (cmd_valid(&c))
			snprintf(buf, size, "MAPD DeviceID 0x%x V=1 ITT 0x%llx Size %u", dev,
				 (unsigned long long)cmd_itt(&c), cmd_size(&c));
		else
			snprintf(buf, size, "MAPD DeviceID 0x%x V=0", dev);
		break;
	case MSK_ITS_CMD_MAPC:
		if (cmd_valid(&c))
			snprintf(buf, size, "MAPC ICID %u V=1 -> RD %llu", icid,
				 (unsigned long long)cmd_rd(&c, 2));
		else
			snprintf(buf, size, "MAPC ICID %u V=0", icid);
		break;
	case MSK_ITS_CMD_MAPTI:
		snprintf(buf, size, "MAPTI DeviceID 0x%x EventID %u -> LPI %u ICID %u", dev, ev,
			 cmd_pintid(&c), icid);
		break;
	case MSK_ITS_CMD_MAPI:
		snprintf(buf, size, "MAPI DeviceID 0x%x EventID %u ICID %u", dev, ev, icid);
		break;
	case MSK_ITS_CMD_MOVI:
		snprintf(buf, size, "MOVI DeviceID 0x%x EventID %u -> ICID %u", dev, ev, icid);
		break;
	case MSK_ITS_CMD_INT:
	case MSK_ITS_CMD_CLEAR:
	case MSK_ITS_CMD_INV:
	case MSK_ITS_CMD_DISCARD:
		snprintf(buf, size, "%s DeviceID 0x%x EventID %u",
			 op == MSK_ITS_CMD_INT	   ? "INT"
			 : op == MSK_ITS_CMD_CLEAR ? "CLEAR"
			 : op == MSK_ITS_CMD_INV   ? "INV"
						   : "DISCARD",
			 dev, ev);
		break;
	case MSK_ITS_CMD_INVALL:
		snprintf(buf, size, "INVALL ICID %u", icid);
		break;
	case MSK_ITS_CMD_MOVALL:
		snprintf(buf, size, "MOVALL RD %llu -> RD %llu", (unsigned long long)cmd_rd(&c, 2),
			 (unsigned long long)cmd_rd(&c, 3));
		break;
	case MSK_ITS_CMD_SYNC:
		snprintf(buf, size, "SYNC RD %llu", (unsigned long long)cmd_rd(&c, 2));
		break;
	default:
		snprintf(buf, size, "command 0x%02x", op);
	}
}

/* Does injection fail this command (counted here)? Fills `what` for the first. */
static bool injected(struct msk_gic *gic, const struct cmd *c)
{
	struct msk_injection *in = &gic->its.inject;
	if (!msk_injection_hit(in))
		return false;
	if (in->fired == 1) {
		char cmd[96];
		its_cmd_describe(c->dw, cmd, sizeof(cmd));
		snprintf(in->what, sizeof(in->what), "%s (queue offset 0x%llx)", cmd,
			 (unsigned long long)gic->its.creadr);
	}
	return true;
}

int msk_its_inject_command_error(struct msk_gic *gic, uint64_t nth, unsigned int count)
{
	if (nth && !count)
		return msk_err(MSK_EINVAL, "its: inject a command error at %llu for 0 commands",
			       (unsigned long long)nth);
	pthread_mutex_lock(&gic->its.lock);
	msk_injection_arm(&gic->its.inject, nth, count);
	pthread_mutex_unlock(&gic->its.lock);
	return 0;
}

void msk_its_injection(const struct msk_gic *gic, struct msk_its_injection *out)
{
	struct its *its = (struct its *)&gic->its;
	pthread_mutex_lock(&its->lock);
	out->nth = its->inject.nth;
	out->count = (unsigned int)its->inject.count;
	out->seen = its->inject.seen;
	out->fired = its->inject.fired;
	memcpy(out->what, its->inject.what, sizeof(out->what));
	pthread_mutex_unlock(&its->lock);
}

/* Execute one command; 0 or its error code. */
static uint32_t execute(struct msk_gic *gic, const struct cmd *c)
{
	uint8_t op = cmd_op(c);
	atomic_fetch_add(&gic->its.commands, 1);
	if (op < 16)
		atomic_fetch_add(&gic->its.by_opcode[op], 1);
	if (injected(gic, c))
		return MSK_ITS_E_INTERNAL(op); /* before any effect: the command has none */
	switch (op) {
	case MSK_ITS_CMD_MAPD:
		return do_mapd(gic, c);
	case MSK_ITS_CMD_MAPC:
		return do_mapc(gic, c);
	case MSK_ITS_CMD_MAPTI:
	case MSK_ITS_CMD_MAPI:
		return do_mapti(gic, c);
	case MSK_ITS_CMD_MOVI:
		return do_movi(gic, c);
	case MSK_ITS_CMD_INT:
		return do_int(gic, c);
	case MSK_ITS_CMD_CLEAR:
		return do_clear(gic, c);
	case MSK_ITS_CMD_DISCARD:
		return do_discard(gic, c);
	case MSK_ITS_CMD_INV:
		return do_inv(gic, c);
	case MSK_ITS_CMD_INVALL:
		return do_invall(gic, c);
	case MSK_ITS_CMD_MOVALL:
		return do_movall(gic, c);
	case MSK_ITS_CMD_SYNC:
		return 0; /* every earlier effect is already visible */
	default:
		return MSK_ITS_E_UNKNOWN_COMMAND(op);
	}
}

void its_process_queue(struct msk_gic *gic)
{
	struct its *its = &gic->its;
	if (!(its->ctlr & MSK_GITS_CTLR_ENABLED) || its->stalled)
		return;
	uint64_t qsize = ((its->cbaser & MSK_GITS_CBASER_SIZE) + 1) * 4096;
	uint64_t base = its->cbaser & MSK_GITS_CBASER_PA_MASK;
	for (unsigned int budget = gic->cfg.cmds_per_access; budget && its->creadr != its->cwriter;
	     budget--) {
		struct cmd c;
		uint32_t err;
		uint8_t op = 0;
		if (msk_ram_read(gic->bus, base + its->creadr, c.dw, sizeof(c.dw)) < 0) {
			err = MSK_ITS_E_QUEUE_FAULT;
		} else {
			op = cmd_op(&c);
			err = execute(gic, &c);
			if (op == MSK_ITS_CMD_INVALL)
				budget = 1; /* it may read a whole table: it ends the batch */
		}
		if (err) {
			its_log_error(gic, err, op, its->creadr);
			if (gic->cfg.error_policy == MSK_ITS_ERR_STALL) {
				its->stalled = true;
				atomic_fetch_add(&its->stalls, 1);
				return;
			}
		}
		its->creadr = (its->creadr + 32) % qsize;
	}
}
