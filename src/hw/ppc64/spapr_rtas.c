/* SPDX-License-Identifier: MIT */
/*
 * RTAS calls of the pSeries firmware model: ibm,change-msi and
 * ibm,query-interrupt-source-number (answers documented in
 * msikit/hw_xive.h, at msk_spapr_rtas_call).
 */
#include "hw/ppc64/spapr_internal.h"

#include <string.h>

#include "base/error.h"

/* Clear `n` messages of `type` from index `from` (best effort). */
static void clear_msgs(struct spapr_fn *fn, unsigned int type, uint32_t from, uint32_t n)
{
	bool msix = type == MSK_RTAS_TYPE_MSIX;
	for (uint32_t i = from; i < n; i++)
		fn->ops.write_msi_msg(fn->ctx, msix, i, 0, 0);
}

/* Messages programmed for an allocation: MSI has one, MSI-X one per entry. */
static uint32_t msgs_of(unsigned int type, uint32_t count)
{
	return type == MSK_RTAS_TYPE_MSI ? 1 : type == MSK_RTAS_TYPE_MSIX ? count : 0;
}

/*
 * Replace fn's allocation by `count` interrupts of `type` (availability
 * checked by the caller) and program the device. Returns the RTAS status.
 */
static int32_t change(struct msk_spapr *fw, struct spapr_fn *fn, unsigned int type, uint32_t count)
{
	unsigned int old_type = fn->type;
	uint32_t old_msgs = msgs_of(fn->type, fn->count);
	spapr_release(fw, fn);
	if (!spapr_allocate(fw, fn, type, count)) {
		clear_msgs(fn, old_type, 0, old_msgs);
		return MSK_RTAS_HW_ERROR;
	}
	uint64_t addr = msk_xive_msi_window(fw->xive);
	bool msix = type == MSK_RTAS_TYPE_MSIX;
	uint32_t n = msgs_of(type, count);
	for (uint32_t i = 0; i < n; i++) {
		if (fn->ops.write_msi_msg(fn->ctx, msix, i, addr, fn->first + i) < 0) {
			clear_msgs(fn, type, 0, i);
			clear_msgs(fn, old_type, old_type == type ? i : 0, old_msgs);
			spapr_release(fw, fn);
			return MSK_RTAS_HW_ERROR;
		}
	}
	/* Entries of the old allocation that the new one did not overwrite. */
	clear_msgs(fn, old_type, old_type == type ? n : 0, old_msgs);
	return MSK_RTAS_SUCCESS;
}

static void change_msi(struct msk_spapr *fw, const uint32_t *args, unsigned int nargs,
		       uint32_t *rets, unsigned int nrets)
{
	if (nargs != 6 || (nrets != 3 && nrets != 4)) {
		rets[0] = (uint32_t)MSK_RTAS_PARAM_ERROR;
		return;
	}
	uint64_t buid = (uint64_t)args[1] << 32 | args[2];
	uint32_t func = args[3], req = args[4], seq = args[5];
	struct spapr_fn *fn = spapr_find_fn(fw, buid, args[0]);
	if (!fn) {
		rets[0] = (uint32_t)MSK_RTAS_PARAM_ERROR;
		return;
	}
	unsigned int type = MSK_RTAS_TYPE_NONE;
	switch (func) {
	case MSK_RTAS_MSI_FN_QUERY:
		rets[0] = MSK_RTAS_SUCCESS;
		rets[1] = fn->count;
		rets[2] = seq + 1;
		if (nrets > 3)
			rets[3] = fn->type;
		return;
	case MSK_RTAS_MSI_FN_CHANGE:
		type = fn->ops.max_msi	  ? MSK_RTAS_TYPE_MSI
		       : fn->ops.max_msix ? MSK_RTAS_TYPE_MSIX
					  : MSK_RTAS_TYPE_NONE;
		break;
	case MSK_RTAS_MSI_FN_MSI:
	case MSK_RTAS_MSI_FN_MSI32:
		type = fn->ops.max_msi ? MSK_RTAS_TYPE_MSI : MSK_RTAS_TYPE_NONE;
		break;
	case MSK_RTAS_MSI_FN_MSIX:
		type = fn->ops.max_msix ? MSK_RTAS_TYPE_MSIX : MSK_RTAS_TYPE_NONE;
		break;
	default:
		break;
	}
	if (type == MSK_RTAS_TYPE_NONE) {
		rets[0] = (uint32_t)MSK_RTAS_PARAM_ERROR;
		return;
	}
	if (req == 0) {
		if (fn->type == MSK_RTAS_TYPE_NONE) {
			rets[0] = (uint32_t)MSK_RTAS_HW_ERROR;
			return;
		}
		uint32_t old_msgs = msgs_of(fn->type, fn->count);
		unsigned int old_type = fn->type;
		spapr_release(fw, fn);
		clear_msgs(fn, old_type, 0, old_msgs);
		rets[0] = MSK_RTAS_SUCCESS;
		rets[1] = 0;
		rets[2] = seq + 1;
		if (nrets > 3)
			rets[3] = type;
		return;
	}
	uint32_t avail = spapr_available(fw, fn, type);
	if (avail == 0 ||
	    (func == MSK_RTAS_MSI_FN_MSI32 && msk_xive_msi_window(fw->xive) > UINT32_MAX - 3)) {
		rets[0] = (uint32_t)MSK_RTAS_HW_ERROR;
		return;
	}
	if (req > avail) {
		/* All or nothing: say what is available, allocate nothing. */
		rets[0] = MSK_RTAS_SUCCESS;
		rets[1] = avail;
		rets[2] = seq + 1;
		if (nrets > 3)
			rets[3] = type;
		return;
	}
	int32_t status = change(fw, fn, type, req);
	rets[0] = (uint32_t)status;
	if (status != MSK_RTAS_SUCCESS)
		return;
	rets[1] = req;
	rets[2] = seq + 1;
	if (nrets > 3)
		rets[3] = type;
}

static void query_source(struct msk_spapr *fw, const uint32_t *args, unsigned int nargs,
			 uint32_t *rets, unsigned int nrets)
{
	if (nargs != 4 || nrets != 3) {
		rets[0] = (uint32_t)MSK_RTAS_PARAM_ERROR;
		return;
	}
	uint64_t buid = (uint64_t)args[1] << 32 | args[2];
	const struct spapr_fn *fn = spapr_find_fn(fw, buid, args[0]);
	if (!fn) {
		rets[0] = (uint32_t)MSK_RTAS_PARAM_ERROR;
		return;
	}
	if (!fn->count || args[3] >= fn->count) {
		rets[0] = (uint32_t)MSK_RTAS_HW_ERROR;
		return;
	}
	rets[0] = MSK_RTAS_SUCCESS;
	rets[1] = fn->first + args[3];
	rets[2] = 1; /* edge */
}

int msk_spapr_rtas_call(struct msk_spapr *fw, const char *name, const uint32_t *args,
			unsigned int nargs, uint32_t *rets, unsigned int nrets)
{
	if (!rets || !nrets || (!args && nargs) || !name)
		return msk_err(MSK_EINVAL, "rtas: %s: no room for the status or no arguments",
			       name ? name : "(null)");
	memset(rets, 0, nrets * sizeof(*rets));
	void (*call)(struct msk_spapr *, const uint32_t *, unsigned int, uint32_t *, unsigned int) =
		NULL;
	if (strcmp(name, MSK_RTAS_CHANGE_MSI) == 0)
		call = change_msi;
	else if (strcmp(name, MSK_RTAS_QUERY_SOURCE) == 0)
		call = query_source;
	if (!call) {
		rets[0] = (uint32_t)MSK_RTAS_PARAM_ERROR;
		return msk_err(MSK_ENOENT, "rtas: unknown call \"%s\"", name);
	}
	pthread_mutex_lock(&fw->lock);
	if (spapr_fault_hit(fw)) {
		spapr_fault_note_rtas(fw, name, args, nargs);
		rets[0] = (uint32_t)MSK_RTAS_HW_ERROR; /* refused: nothing changes */
	} else {
		call(fw, args, nargs, rets, nrets);
	}
	pthread_mutex_unlock(&fw->lock);
	return 0;
}
