/* SPDX-License-Identifier: MIT */
#ifndef MSK_BASE_RCU_H
#define MSK_BASE_RCU_H

/*
 * RCU for msikit: readers (the interrupt delivery path) never block and
 * take no lock; writers publish new objects with msk_rcu_assign() and free
 * old ones with msk_call_rcu()/after msk_rcu_synchronize().
 *
 * Grace periods come from liburcu's membarrier flavour (urcu-memb), whose
 * read side is a few plain instructions. Threads are registered with
 * liburcu on their first read-side section and unregistered when they
 * exit, so any thread may call into msikit.
 *
 * Pointers are published and read with C11 atomics (release / acquire) so
 * that ThreadSanitizer sees the ordering; TSan cannot see liburcu's
 * membarrier-based grace periods, so under TSan every read-side unlock is a
 * release and every reclamation an acquire on one shared token.
 */

#include <stdatomic.h>
#include <stdbool.h>

#if defined(__SANITIZE_THREAD__)
#define MSK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define MSK_TSAN 1
#endif
#endif

/*
 * Inline read-side primitives (small functions), except under TSan: the
 * inlined liburcu code hands the grace-period futex between readers and
 * the waiter with plain volatile accesses, which TSan reports as races;
 * out of line they run in the uninstrumented library.
 */
#if !defined(_LGPL_SOURCE) && !defined(MSK_TSAN)
#define _LGPL_SOURCE
#endif
#include <urcu/urcu-memb.h>

#ifdef MSK_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
extern char msk_rcu_tsan_token;
#endif

extern _Thread_local bool msk_rcu_registered;
void msk_rcu_register_slow(void);

static inline void msk_rcu_read_lock(void)
{
	if (__builtin_expect(!msk_rcu_registered, 0))
		msk_rcu_register_slow();
	urcu_memb_read_lock();
}

static inline void msk_rcu_read_unlock(void)
{
#ifdef MSK_TSAN
	__tsan_release(&msk_rcu_tsan_token);
#endif
	urcu_memb_read_unlock();
}

/* Wait until every read-side section that began before the call has ended. */
void msk_rcu_synchronize(void);

/*
 * Deferred reclamation: embed an msk_rcu_head in the object and
 * msk_call_rcu(&obj->rcu, free_fn); free_fn runs after a grace period on
 * liburcu's call_rcu thread.
 */
typedef struct msk_rcu_head {
	struct rcu_head head;
	void (*fn)(struct msk_rcu_head *head);
} msk_rcu_head;
void msk_call_rcu(msk_rcu_head *head, void (*fn)(msk_rcu_head *head));

/* Wait until every msk_call_rcu() callback queued so far has run. */
void msk_rcu_barrier(void);

/* Publish / read an RCU-protected pointer. `slot` is a `T *_Atomic *`. */
#define msk_rcu_assign(slot, val) atomic_store_explicit((slot), (val), memory_order_release)
#define msk_rcu_deref(slot)	  atomic_load_explicit((slot), memory_order_acquire)

#endif
