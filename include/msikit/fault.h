/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_FAULT_H
#define MSIKIT_FAULT_H

/*
 * Fault injection, SQLite-style: make the Nth heap allocation that msikit
 * performs on the calling thread fail, to prove that every allocation
 * site unwinds cleanly. A test typically counts the allocations of an
 * operation once, then reruns it failing each one in turn:
 *
 *	msk_fault_reset();
 *	op();                                   // succeeds
 *	unsigned long n = msk_fault_alloc_count();
 *	for (unsigned long k = 1; k <= n; k++) {
 *		msk_fault_fail_alloc(k);        // the k-th allocation from now fails
 *		assert(op() == -MSK_ENOMEM);    // ...and leaves no trace
 *	}
 *
 * The settings are per thread; other threads are unaffected.
 */

#ifdef __cplusplus
extern "C" {
#endif

/* The nth allocation from now fails (1 = the next one); 0 disables. */
void msk_fault_fail_alloc(unsigned long nth);

/* Like msk_fault_fail_alloc(nth), but every allocation from then on fails too. */
void msk_fault_fail_alloc_from(unsigned long nth);

/* Allocations performed by msikit on this thread since the last reset. */
unsigned long msk_fault_alloc_count(void);

/* Allocations that were failed on purpose since the last reset. */
unsigned long msk_fault_injected_count(void);

/* Disable injection and zero both counters. */
void msk_fault_reset(void);

#ifdef __cplusplus
}
#endif
#endif
