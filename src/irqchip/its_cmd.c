/* SPDX-License-Identifier: MIT */
/*
 * The ITS command writer: 32-byte commands in the queue in guest RAM,
 * CWRITER advanced, CREADR polled until the ITS consumed them (as Linux's
 * its_send_single_command / its_wait_for_range_completion).
 *
 * Errors: a stalling ITS shows CREADR.Stalled at the failing command; the
 * driver replaces it with a SYNC and restarts the queue with
 * CWRITER.Retry. An ITS that skips failing commands (SEIS = 0) leaves no
 * trace in its registers; where real hardware would raise a System Error
 * carrying the code, the driver reads the model's error log
 * (msk_its_errors) - the stand-in for that report. Either way the caller
 * gets -MSK_EIO naming the command and the error.
 */
#include "irqchip/its.h"

#include <stdio.h>
#include <string.h>

#include "base/error.h"

#define DEV(d)	       ((uint64_t)(d) << 32)
#define ITS_MAX_BATCH  8u
#define ITS_MAX_POLLS  100000u
#define ITS_MAX_STALLS 16u /* retries of a stalled batch before giving up */

void its_encode_mapd(struct its_cmd *c, uint32_t devid, unsigned int size_bits, uint64_t itt,
		     bool valid)
{
	c->dw[0] = MSK_ITS_CMD_MAPD | DEV(devid);
	c->dw[1] = size_bits ? size_bits - 1 : 0; /* Size: EventIDs = 2^(Size + 1) */
	c->dw[2] = (valid ? 1ull << 63 : 0) | (itt & 0x000FFFFFFFFFFF00ull);
	c->dw[3] = 0;
}

void its_encode_mapc(struct its_cmd *c, unsigned int icid, unsigned int rd, bool valid)
{
	c->dw[0] = MSK_ITS_CMD_MAPC;
	c->dw[1] = 0;
	c->dw[2] = (valid ? 1ull << 63 : 0) | (uint64_t)rd << 16 | (icid & 0xFFFFu);
	c->dw[3] = 0;
}

void its_encode_mapti(struct its_cmd *c, uint32_t devid, uint32_t event, uint32_t intid,
		      unsigned int icid)
{
	c->dw[0] = MSK_ITS_CMD_MAPTI | DEV(devid);
	c->dw[1] = (uint64_t)intid << 32 | event;
	c->dw[2] = icid & 0xFFFFu;
	c->dw[3] = 0;
}

void its_encode_movi(struct its_cmd *c, uint32_t devid, uint32_t event, unsigned int icid)
{
	c->dw[0] = MSK_ITS_CMD_MOVI | DEV(devid);
	c->dw[1] = event;
	c->dw[2] = icid & 0xFFFFu;
	c->dw[3] = 0;
}

void its_encode_event(struct its_cmd *c, uint8_t op, uint32_t devid, uint32_t event)
{
	c->dw[0] = op | DEV(devid);
	c->dw[1] = event;
	c->dw[2] = 0;
	c->dw[3] = 0;
}

void its_encode_invall(struct its_cmd *c, unsigned int icid)
{
	c->dw[0] = MSK_ITS_CMD_INVALL;
	c->dw[1] = 0;
	c->dw[2] = icid & 0xFFFFu;
	c->dw[3] = 0;
}

void its_encode_sync(struct its_cmd *c, unsigned int rd)
{
	c->dw[0] = MSK_ITS_CMD_SYNC;
	c->dw[1] = 0;
	c->dw[2] = (uint64_t)rd << 16;
	c->dw[3] = 0;
}

const char *its_cmd_name(uint8_t op)
{
	switch (op) {
	case MSK_ITS_CMD_MOVI:
		return "MOVI";
	case MSK_ITS_CMD_INT:
		return "INT";
	case MSK_ITS_CMD_CLEAR:
		return "CLEAR";
	case MSK_ITS_CMD_SYNC:
		return "SYNC";
	case MSK_ITS_CMD_MAPD:
		return "MAPD";
	case MSK_ITS_CMD_MAPC:
		return "MAPC";
	case MSK_ITS_CMD_MAPTI:
		return "MAPTI";
	case MSK_ITS_CMD_MAPI:
		return "MAPI";
	case MSK_ITS_CMD_INV:
		return "INV";
	case MSK_ITS_CMD_INVALL:
		return "INVALL";
	case MSK_ITS_CMD_MOVALL:
		return "MOVALL";
	case MSK_ITS_CMD_DISCARD:
		return "DISCARD";
	default:
		return "?";
	}
}

/* Linux's E_ITS_* name of an error code, or "" for the model's own codes. */
static const char *error_name(uint32_t code)
{
	switch (code) {
	case MSK_ITS_E_MOVI_UNMAPPED_INTERRUPT:
		return "E_ITS_MOVI_UNMAPPED_INTERRUPT";
	case MSK_ITS_E_MOVI_UNMAPPED_COLLECTION:
		return "E_ITS_MOVI_UNMAPPED_COLLECTION";
	case MSK_ITS_E_INT_UNMAPPED_INTERRUPT:
		return "E_ITS_INT_UNMAPPED_INTERRUPT";
	case MSK_ITS_E_CLEAR_UNMAPPED_INTERRUPT:
		return "E_ITS_CLEAR_UNMAPPED_INTERRUPT";
	case MSK_ITS_E_MAPD_DEVICE_OOR:
		return "E_ITS_MAPD_DEVICE_OOR";
	case MSK_ITS_E_MAPD_ITTSIZE_OOR:
		return "E_ITS_MAPD_ITTSIZE_OOR";
	case MSK_ITS_E_MAPC_PROCNUM_OOR:
		return "E_ITS_MAPC_PROCNUM_OOR";
	case MSK_ITS_E_MAPC_COLLECTION_OOR:
		return "E_ITS_MAPC_COLLECTION_OOR";
	case MSK_ITS_E_MAPTI_UNMAPPED_DEVICE:
		return "E_ITS_MAPTI_UNMAPPED_DEVICE";
	case MSK_ITS_E_MAPTI_ID_OOR:
		return "E_ITS_MAPTI_ID_OOR";
	case MSK_ITS_E_MAPTI_PHYSICALID_OOR:
		return "E_ITS_MAPTI_PHYSICALID_OOR";
	case MSK_ITS_E_INV_UNMAPPED_INTERRUPT:
		return "E_ITS_INV_UNMAPPED_INTERRUPT";
	case MSK_ITS_E_INVALL_UNMAPPED_COLLECTION:
		return "E_ITS_INVALL_UNMAPPED_COLLECTION";
	case MSK_ITS_E_MOVALL_PROCNUM_OOR:
		return "E_ITS_MOVALL_PROCNUM_OOR";
	case MSK_ITS_E_DISCARD_UNMAPPED_INTERRUPT:
		return "E_ITS_DISCARD_UNMAPPED_INTERRUPT";
	case MSK_ITS_E_QUEUE_FAULT:
		return "(command queue fault)";
	default:
		break;
	}
	switch (code & 0xFFu) { /* the model's own codes, per command (hw_gic.h) */
	case 0xFF:
		return "(unknown command)";
	case 0xFE:
		return "(table fault)";
	case 0xFC:
		return "(ITS internal error)";
	default:
		return "";
	}
}

/* "MAPTI (DeviceID 0x100, EventID 5)" */
static void describe(const struct its_cmd *c, char *buf, size_t size)
{
	uint8_t op = (uint8_t)c->dw[0];
	switch (op) {
	case MSK_ITS_CMD_MAPC:
	case MSK_ITS_CMD_INVALL:
		snprintf(buf, size, "%s (ICID %u)", its_cmd_name(op),
			 (unsigned)(c->dw[2] & 0xFFFF));
		break;
	case MSK_ITS_CMD_SYNC:
		snprintf(buf, size, "SYNC (RD %llu)", (unsigned long long)(c->dw[2] >> 16));
		break;
	case MSK_ITS_CMD_MAPD:
		snprintf(buf, size, "MAPD (DeviceID 0x%x, %s)", (unsigned)(c->dw[0] >> 32),
			 (c->dw[2] >> 63) ? "valid" : "unmap");
		break;
	default:
		snprintf(buf, size, "%s (DeviceID 0x%x, EventID %u)", its_cmd_name(op),
			 (unsigned)(c->dw[0] >> 32), (unsigned)c->dw[1]);
	}
}

static uint64_t its_read(struct its *its, uint64_t off)
{
	uint64_t v = ~0ull;
	msk_bus_read(its->bus, its->base + off, 8, NULL, &v);
	return v;
}

static void its_write(struct its *its, uint64_t off, uint64_t v)
{
	msk_bus_write(its->bus, its->base + off, v, 8, NULL);
}

struct failure {
	int index;     /* batch index of the first failing command, -1 = none */
	uint32_t code; /* its error code, 0 if unknown */
	bool stalled;
};

static void note(struct failure *f, int index, uint32_t code, bool stalled)
{
	if (f->index < 0 || index < f->index) {
		f->index = index;
		f->code = code;
		f->stalled = stalled;
	}
}

/* Batch index of the command at queue offset `off`, or -1. */
static int index_at(const uint64_t *offs, unsigned int n, uint64_t off)
{
	for (unsigned int i = 0; i < n; i++)
		if (offs[i] == off)
			return (int)i;
	return -1;
}

/* Restart a queue stalled at `at` (one of ours): the failing command becomes a SYNC. */
static void restart(struct its *its, uint64_t at)
{
	struct its_cmd sync;
	its_encode_sync(&sync, its->gic->procnum[0]);
	msk_ram_write(its->bus, its->cq_pa + at, sync.dw, 32);
	its_write(its, MSK_GITS_CWRITER, its->cq_wr | MSK_GITS_CWRITER_RETRY);
}

int its_send(struct its *its, const struct its_cmd *cmds, unsigned int n, int *failed)
{
	if (failed)
		*failed = -1;
	if (atomic_load(&its->dead))
		return 0;
	if (n == 0 || n > ITS_MAX_BATCH)
		return msk_err(MSK_EINVAL, "%s: batch of %u commands", its->name, n);
	uint64_t offs[ITS_MAX_BATCH];
	struct msk_its_stats before;
	msk_its_stats(its->model, &before);
	for (unsigned int i = 0; i < n; i++) {
		offs[i] = its->cq_wr;
		if (msk_ram_write(its->bus, its->cq_pa + its->cq_wr, cmds[i].dw, 32) < 0)
			return msk_err(MSK_EFAULT, "%s: command queue at 0x%llx is not RAM",
				       its->name, (unsigned long long)its->cq_pa);
		its->cq_wr = (its->cq_wr + 32) % ITS_QUEUE_BYTES;
	}
	atomic_fetch_add(&its->commands, n);
	its_write(its, MSK_GITS_CWRITER, its->cq_wr);
	struct failure f = { -1, 0, false };
	unsigned int polls = 0, stalls = 0;
	for (;;) {
		uint64_t r = its_read(its, MSK_GITS_CREADR);
		if (r & MSK_GITS_CREADR_STALLED) {
			/*
			 * At one of ours, or at a SYNC an earlier call gave up on
			 * (k < 0). The replacing SYNC may fail too: it stalls again.
			 */
			uint64_t at = r & MSK_GITS_OFFSET_MASK;
			int k = index_at(offs, n, at);
			if (k >= 0)
				note(&f, k, msk_its_last_error(its->model), true);
			if (++stalls > ITS_MAX_STALLS) {
				if (failed)
					*failed = f.index >= 0 ? f.index : 0;
				return msk_err(
					MSK_EIO,
					"%s: queue stalled at 0x%llx: %u restarts failed, left "
					"stalled",
					its->name, (unsigned long long)at, ITS_MAX_STALLS);
			}
			restart(its, at);
			continue;
		}
		if ((r & MSK_GITS_OFFSET_MASK) == its->cq_wr)
			break;
		if (++polls > ITS_MAX_POLLS)
			return msk_err(
				MSK_EIO, "%s: command queue stuck (CREADR 0x%llx, CWRITER 0x%llx)",
				its->name, (unsigned long long)r, (unsigned long long)its->cq_wr);
	}
	/*
	 * Which of ours failed: the error report names the queue offset. An
	 * error at another offset came from restarting a queue an earlier
	 * call left stalled: counted, but not this batch's failure.
	 */
	struct msk_its_stats after;
	msk_its_stats(its->model, &after);
	uint64_t errs = after.errors - before.errors;
	if (errs) {
		struct msk_its_error log[MSK_ITS_ERROR_LOG_SIZE];
		unsigned int got = msk_its_errors(
			its->model, log,
			errs < MSK_ITS_ERROR_LOG_SIZE ? (unsigned)errs : MSK_ITS_ERROR_LOG_SIZE);
		for (unsigned int i = 0; i < got; i++) {
			int k = index_at(offs, n, log[i].offset);
			if (k >= 0)
				note(&f, k, log[i].code, f.stalled);
		}
		atomic_fetch_add(&its->cmd_errors, errs);
	}
	if (f.index < 0)
		return 0;
	if (failed)
		*failed = f.index;
	char what[96];
	describe(&cmds[f.index], what, sizeof(what));
	const char *en = error_name(f.code);
	return msk_err(MSK_EIO, "%s: command %s failed: error 0x%06x%s%s (%s)", its->name, what,
		       f.code, *en ? " " : "", en,
		       f.stalled ? "the queue stalled; restarted past it" : "the ITS skipped it");
}

int its_send_sync(struct its *its, const struct its_cmd *cmd, unsigned int cpu, bool *applied)
{
	struct its_cmd b[2] = { *cmd };
	its_encode_sync(&b[1], its->gic->procnum[cpu]);
	int failed;
	int rc = its_send(its, b, 2, &failed);
	if (applied)
		*applied = rc == 0 || failed == 1;
	if (rc == 0 || failed != 1)
		return rc;
	/*
	 * Only the SYNC failed: the command completed (the ITS reported no
	 * error for it) and a SYNC has no effect of its own, so issuing
	 * another is always safe. If that fails too the command stays
	 * applied but unconfirmed, and the caller gets the error.
	 */
	rc = its_send(its, &b[1], 1, NULL);
	if (rc < 0) {
		char what[96];
		describe(cmd, what, sizeof(what));
		return msk_err_context("%s completed, its SYNC failed twice", what);
	}
	return 0;
}
