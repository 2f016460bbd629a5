/* SPDX-License-Identifier: MIT */
#ifndef MSK_BASE_INJECTION_H
#define MSK_BASE_INJECTION_H

/*
 * A model's injected fault (a test and simulation hook): operations nth ..
 * nth + count - 1, counted from arming, fail. The model serialises every
 * call under its own lock; it fills `what` when its first failure fires.
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct msk_injection {
	uint64_t nth;	/* 0: disarmed */
	uint64_t count; /* consecutive operations that fail from nth */
	uint64_t seen;	/* operations counted since arming (while armed) */
	uint64_t fired; /* operations failed since arming */
	char what[128]; /* the first one that failed */
};

/* Arm (nth >= 1: resets the record, count 0 means 1) or disarm (nth 0: keeps it). */
static inline void msk_injection_arm(struct msk_injection *in, uint64_t nth, uint64_t count)
{
	if (nth) {
		memset(in, 0, sizeof(*in));
		in->count = count ? count : 1;
	}
	in->nth = nth;
}

/* Count one operation; true when it is to fail. */
static inline bool msk_injection_hit(struct msk_injection *in)
{
	if (!in->nth)
		return false;
	uint64_t n = ++in->seen;
	if (n < in->nth || n - in->nth >= in->count)
		return false;
	in->fired++;
	return true;
}

#endif
