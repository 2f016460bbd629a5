/* SPDX-License-Identifier: MIT */
/*
 * The H_INT_* hypervisor calls of the pSeries firmware model. Each call
 * validates its arguments in QEMU's order (hw/intc/spapr_xive.c) and
 * answers PAPR's codes; the table is in msikit/hw_xive.h at
 * msk_spapr_hcall.
 *
 * Deviations from QEMU, on purpose: a priority is compared as a whole
 * 64-bit value (QEMU truncates it to 8 bits, so 0x100 passes as 0);
 * H_INT_ESB rejects any offset >= the ESB page size (QEMU compares with
 * the size of the page pair, so its larger offsets reach past the
 * management page); H_INT_GET_QUEUE_CONFIG reports the
 * generation as flag 0x2 (PAPR's bit 62; QEMU shifts it to 1 << 62);
 * H_INT_GET_QUEUE_INFO returns 0 as the END ESB page (END ESBs are not
 * modelled).
 */
#include "hw/ppc64/spapr_internal.h"

#include <string.h>

#define PRIO_GUEST_MAX 6 /* priority 7 is the hypervisor's */

/* Is lisn a claimed source (EAS valid)? Its EAS goes to *eas. Else H_P2. */
static bool source_ok(struct msk_spapr *fw, uint64_t lisn, struct msk_xive_eas *eas)
{
	if (lisn >= msk_xive_nr_sources(fw->xive))
		return false;
	return msk_xive_get_eas(fw->xive, (uint32_t)lisn, eas) == 0 && eas->valid;
}

static bool prio_ok(uint64_t prio)
{
	return prio <= PRIO_GUEST_MAX;
}

static bool target_ok(struct msk_spapr *fw, uint64_t target)
{
	return target < msk_xive_nr_cpus(fw->xive);
}

static int64_t get_source_info(struct msk_spapr *fw, const uint64_t *a, uint64_t *r)
{
	struct msk_xive_eas eas;
	if (a[0])
		return MSK_H_PARAMETER;
	if (!source_ok(fw, a[1], &eas))
		return MSK_H_P2;
	uint64_t trigger, mgmt;
	msk_xive_esb_pages(fw->xive, (uint32_t)a[1], &trigger, &mgmt);
	r[0] = msk_xive_store_eoi(fw->xive) ? MSK_H_INT_SRC_STORE_EOI : 0;
	r[1] = mgmt;
	r[2] = trigger;
	r[3] = msk_xive_esb_shift(fw->xive);
	return MSK_H_SUCCESS;
}

static int64_t set_source_config(struct msk_spapr *fw, const uint64_t *a)
{
	uint64_t flags = a[0], lisn = a[1], target = a[2], prio = a[3], eisn = a[4];
	struct msk_xive_eas eas;
	if (flags & ~(MSK_H_INT_SRC_MASK | MSK_H_INT_SRC_SET_EISN))
		return MSK_H_PARAMETER;
	if (!source_ok(fw, lisn, &eas))
		return MSK_H_P2;
	if (prio == MSK_H_INT_PRIO_MASKED) {
		struct msk_xive_eas reset = { .valid = true, .masked = true };
		msk_xive_set_eas(fw->xive, (uint32_t)lisn, &reset);
		return MSK_H_SUCCESS;
	}
	if (!prio_ok(prio))
		return MSK_H_P4;
	if (!target_ok(fw, target))
		return MSK_H_P3;
	eas.masked = flags & MSK_H_INT_SRC_MASK;
	eas.cpu = (uint32_t)target;
	eas.prio = (uint8_t)prio;
	if (flags & MSK_H_INT_SRC_SET_EISN)
		eas.eisn = (uint32_t)eisn & 0x7FFFFFFFu;
	msk_xive_set_eas(fw->xive, (uint32_t)lisn, &eas);
	return MSK_H_SUCCESS;
}

static int64_t get_source_config(struct msk_spapr *fw, const uint64_t *a, uint64_t *r)
{
	struct msk_xive_eas eas;
	if (a[0])
		return MSK_H_PARAMETER;
	if (!source_ok(fw, a[1], &eas))
		return MSK_H_P2;
	r[0] = eas.cpu;
	r[1] = eas.masked ? MSK_H_INT_PRIO_MASKED : eas.prio;
	r[2] = eas.eisn;
	return MSK_H_SUCCESS;
}

/* Common checks of the queue calls: flags, then priority, then target. */
static int64_t queue_args(struct msk_spapr *fw, const uint64_t *a, uint64_t allowed_flags)
{
	if (a[0] & ~allowed_flags)
		return MSK_H_PARAMETER;
	if (!prio_ok(a[2]))
		return MSK_H_P3;
	if (!target_ok(fw, a[1]))
		return MSK_H_P2;
	return MSK_H_SUCCESS;
}

static int64_t get_queue_info(struct msk_spapr *fw, const uint64_t *a, uint64_t *r)
{
	int64_t rc = queue_args(fw, a, 0);
	if (rc != MSK_H_SUCCESS)
		return rc;
	struct msk_xive_end_info e;
	msk_xive_get_queue(fw->xive, (uint32_t)a[1], (unsigned int)a[2], &e);
	r[0] = 0;
	r[1] = e.qshift;
	return MSK_H_SUCCESS;
}

static int64_t set_queue_config(struct msk_spapr *fw, const uint64_t *a)
{
	int64_t rc = queue_args(fw, a, MSK_H_INT_EQ_ALWAYS_NOTIFY);
	if (rc != MSK_H_SUCCESS)
		return rc;
	uint64_t qpage = a[3], qsize = a[4];
	switch (qsize) {
	case 0:
		break;
	case 12:
	case 16:
	case 21:
	case 24:
		if (qpage & ((1ull << qsize) - 1))
			return MSK_H_P4;
		if (!msk_ram_contains(msk_xive_bus(fw->xive), qpage, 1ull << qsize))
			return MSK_H_P4;
		break;
	default:
		return MSK_H_P5;
	}
	if (msk_xive_set_queue(fw->xive, (uint32_t)a[1], (unsigned int)a[2], qpage,
			       (unsigned int)qsize, a[0] & MSK_H_INT_EQ_ALWAYS_NOTIFY) < 0)
		return MSK_H_HARDWARE; /* out of memory */
	return MSK_H_SUCCESS;
}

static int64_t get_queue_config(struct msk_spapr *fw, const uint64_t *a, uint64_t *r)
{
	int64_t rc = queue_args(fw, a, MSK_H_INT_EQ_DEBUG);
	if (rc != MSK_H_SUCCESS)
		return rc;
	struct msk_xive_end_info e;
	msk_xive_get_queue(fw->xive, (uint32_t)a[1], (unsigned int)a[2], &e);
	bool debug = a[0] & MSK_H_INT_EQ_DEBUG;
	r[0] = (e.ucond ? MSK_H_INT_EQ_ALWAYS_NOTIFY : 0) |
	       (debug && e.generation ? MSK_H_INT_EQ_GENERATION : 0);
	r[1] = e.enqueue ? e.qaddr : 0;
	r[2] = e.qshift;
	r[3] = debug ? e.windex : 0;
	return MSK_H_SUCCESS;
}

static int64_t int_esb(struct msk_spapr *fw, const uint64_t *a, uint64_t *r)
{
	uint64_t flags = a[0], lisn = a[1], offset = a[2], data = a[3];
	struct msk_xive_eas eas;
	if (flags & ~MSK_H_INT_ESB_STORE)
		return MSK_H_PARAMETER;
	if (!source_ok(fw, lisn, &eas))
		return MSK_H_P2;
	if (offset >= (1ull << msk_xive_esb_shift(fw->xive)))
		return MSK_H_P3;
	bool store = flags & MSK_H_INT_ESB_STORE;
	msk_xive_esb_access(fw->xive, (uint32_t)lisn, offset, store, &data);
	r[0] = store ? ~0ull : data;
	return MSK_H_SUCCESS;
}

static int64_t int_sync(struct msk_spapr *fw, const uint64_t *a)
{
	struct msk_xive_eas eas;
	if (a[0])
		return MSK_H_PARAMETER;
	if (!source_ok(fw, a[1], &eas))
		return MSK_H_P2;
	/* Notifications are synchronous in the model: nothing is in flight. */
	return MSK_H_SUCCESS;
}

static int64_t int_reset(struct msk_spapr *fw, const uint64_t *a)
{
	if (a[0])
		return MSK_H_PARAMETER;
	msk_xive_reset_router(fw->xive);
	return MSK_H_SUCCESS;
}

/* The hcalls dispatch() answers (the others are H_FUNCTION and not counted by faults). */
static bool implemented(uint64_t opcode)
{
	switch (opcode) {
	case MSK_H_INT_GET_SOURCE_INFO:
	case MSK_H_INT_SET_SOURCE_CONFIG:
	case MSK_H_INT_GET_SOURCE_CONFIG:
	case MSK_H_INT_GET_QUEUE_INFO:
	case MSK_H_INT_SET_QUEUE_CONFIG:
	case MSK_H_INT_GET_QUEUE_CONFIG:
	case MSK_H_INT_ESB:
	case MSK_H_INT_SYNC:
	case MSK_H_INT_RESET:
		return true;
	default:
		return false;
	}
}

static int64_t dispatch(struct msk_spapr *fw, uint64_t opcode, const uint64_t *a, uint64_t *r)
{
	switch (opcode) {
	case MSK_H_INT_GET_SOURCE_INFO:
		return get_source_info(fw, a, r);
	case MSK_H_INT_SET_SOURCE_CONFIG:
		return set_source_config(fw, a);
	case MSK_H_INT_GET_SOURCE_CONFIG:
		return get_source_config(fw, a, r);
	case MSK_H_INT_GET_QUEUE_INFO:
		return get_queue_info(fw, a, r);
	case MSK_H_INT_SET_QUEUE_CONFIG:
		return set_queue_config(fw, a);
	case MSK_H_INT_GET_QUEUE_CONFIG:
		return get_queue_config(fw, a, r);
	case MSK_H_INT_ESB:
		return int_esb(fw, a, r);
	case MSK_H_INT_SYNC:
		return int_sync(fw, a);
	case MSK_H_INT_RESET:
		return int_reset(fw, a);
	default: /* H_INT_SET/GET_OS_REPORTING_LINE and unknown opcodes */
		return MSK_H_FUNCTION;
	}
}

int64_t msk_spapr_hcall(struct msk_spapr *fw, uint64_t opcode, const uint64_t *args,
			unsigned int nargs, uint64_t *rets)
{
	if (!rets)
		return MSK_H_PARAMETER;
	memset(rets, 0, MSK_HCALL_NRETS * sizeof(*rets));
	uint64_t a[5] = { 0 };
	for (unsigned int i = 0; args && i < nargs && i < 5; i++)
		a[i] = args[i];
	if (!atomic_load(&fw->xive_mode))
		return MSK_H_FUNCTION;
	/* Serialised with RTAS, which claims and frees sources. */
	pthread_mutex_lock(&fw->lock);
	int64_t rc;
	if (implemented(opcode) && spapr_fault_hit(fw)) {
		spapr_fault_note_hcall(fw, opcode, a);
		rc = MSK_H_HARDWARE; /* refused before any check: nothing changes */
	} else {
		rc = dispatch(fw, opcode, a, rets);
	}
	pthread_mutex_unlock(&fw->lock);
	return rc;
}
