/* SPDX-License-Identifier: MIT */
/*
 * Fault injection in the pSeries firmware model (a test and simulation
 * hook, msk_spapr_fault_arm): the Nth firmware call the OS makes is
 * refused the way PAPR reports a failing platform - RTAS status -1
 * "hardware error", hcall H_HARDWARE - with no effect at all.
 */
#include "hw/ppc64/spapr_internal.h"

#include <stdio.h>
#include <string.h>

void msk_spapr_fault_arm(struct msk_spapr *fw, uint64_t nth, uint64_t count)
{
	pthread_mutex_lock(&fw->lock);
	msk_injection_arm(&fw->fault, nth, count);
	pthread_mutex_unlock(&fw->lock);
}

void msk_spapr_fault_state(struct msk_spapr *fw, struct msk_spapr_fault_state *out)
{
	pthread_mutex_lock(&fw->lock);
	const struct msk_injection *f = &fw->fault;
	memset(out, 0, sizeof(*out));
	out->nth = f->nth;
	out->count = f->nth ? f->count : 0;
	out->seen = f->seen;
	out->fired = f->fired;
	snprintf(out->what, sizeof(out->what), "%s", f->what);
	pthread_mutex_unlock(&fw->lock);
}

bool spapr_fault_hit(struct msk_spapr *fw)
{
	return msk_injection_hit(&fw->fault);
}

static const char *hcall_name(uint64_t opcode)
{
	switch (opcode) {
	case MSK_H_INT_GET_SOURCE_INFO:
		return "H_INT_GET_SOURCE_INFO";
	case MSK_H_INT_SET_SOURCE_CONFIG:
		return "H_INT_SET_SOURCE_CONFIG";
	case MSK_H_INT_GET_SOURCE_CONFIG:
		return "H_INT_GET_SOURCE_CONFIG";
	case MSK_H_INT_GET_QUEUE_INFO:
		return "H_INT_GET_QUEUE_INFO";
	case MSK_H_INT_SET_QUEUE_CONFIG:
		return "H_INT_SET_QUEUE_CONFIG";
	case MSK_H_INT_GET_QUEUE_CONFIG:
		return "H_INT_GET_QUEUE_CONFIG";
	case MSK_H_INT_ESB:
		return "H_INT_ESB";
	case MSK_H_INT_SYNC:
		return "H_INT_SYNC";
	case MSK_H_INT_RESET:
		return "H_INT_RESET";
	default:
		return "hcall";
	}
}

void spapr_fault_note_hcall(struct msk_spapr *fw, uint64_t opcode, const uint64_t *a)
{
	struct msk_injection *f = &fw->fault;
	if (f->fired != 1)
		return;
	typedef unsigned long long ull;
	const char *name = hcall_name(opcode);
	switch (opcode) {
	case MSK_H_INT_SET_SOURCE_CONFIG:
		snprintf(f->what, sizeof(f->what),
			 "%s lisn 0x%llx target %llu prio %llu eisn 0x%llx -> H_HARDWARE", name,
			 (ull)a[1], (ull)a[2], (ull)a[3], (ull)a[4]);
		break;
	case MSK_H_INT_SET_QUEUE_CONFIG:
		snprintf(f->what, sizeof(f->what),
			 "%s target %llu prio %llu qpage 0x%llx qsize %llu -> H_HARDWARE", name,
			 (ull)a[1], (ull)a[2], (ull)a[3], (ull)a[4]);
		break;
	case MSK_H_INT_GET_QUEUE_INFO:
	case MSK_H_INT_GET_QUEUE_CONFIG:
		snprintf(f->what, sizeof(f->what), "%s target %llu prio %llu -> H_HARDWARE", name,
			 (ull)a[1], (ull)a[2]);
		break;
	case MSK_H_INT_ESB:
		snprintf(f->what, sizeof(f->what), "%s lisn 0x%llx %s at 0x%llx -> H_HARDWARE",
			 name, (ull)a[1], (a[0] & MSK_H_INT_ESB_STORE) ? "store" : "load",
			 (ull)a[2]);
		break;
	case MSK_H_INT_RESET:
		snprintf(f->what, sizeof(f->what), "%s -> H_HARDWARE", name);
		break;
	default: /* the source calls */
		snprintf(f->what, sizeof(f->what), "%s lisn 0x%llx -> H_HARDWARE", name, (ull)a[1]);
		break;
	}
}

void spapr_fault_note_rtas(struct msk_spapr *fw, const char *name, const uint32_t *args,
			   unsigned int nargs)
{
	struct msk_injection *f = &fw->fault;
	if (f->fired != 1)
		return;
	if (nargs < 4) {
		snprintf(f->what, sizeof(f->what), "RTAS %s -> hardware error", name);
		return;
	}
	/* config_addr = bus << 16 | devfn << 8 */
	unsigned int bus = (args[0] >> 16) & 0xff, dev = (args[0] >> 11) & 0x1f,
		     fn = (args[0] >> 8) & 7;
	if (strcmp(name, MSK_RTAS_CHANGE_MSI) == 0 && nargs >= 5)
		snprintf(f->what, sizeof(f->what),
			 "RTAS %s %02x:%02x.%u function %u count %u -> hardware error", name, bus,
			 dev, fn, args[3], args[4]);
	else
		snprintf(f->what, sizeof(f->what),
			 "RTAS %s %02x:%02x.%u index %u -> hardware error", name, bus, dev, fn,
			 args[3]);
}
