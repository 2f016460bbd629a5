/* SPDX-License-Identifier: MIT */
/* Thread registration and grace periods over liburcu (membarrier flavour). */
#include "base/rcu.h"

#include <pthread.h>
#include <stdlib.h>

_Thread_local bool msk_rcu_registered;
#ifdef MSK_TSAN
char msk_rcu_tsan_token;
#endif

static pthread_key_t unregister_key;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;

static void unregister_at_exit(void *unused)
{
	(void)unused;
	if (msk_rcu_registered) {
		urcu_memb_unregister_thread();
		msk_rcu_registered = false;
	}
}

static void make_key(void)
{
	if (pthread_key_create(&unregister_key, unregister_at_exit) != 0)
		abort(); /* cannot happen short of exhausting keys at start-up */
}

void msk_rcu_register_slow(void)
{
	pthread_once(&key_once, make_key);
	urcu_memb_register_thread();
	msk_rcu_registered = true;
	/* Any non-NULL value makes the destructor run at thread exit. */
	pthread_setspecific(unregister_key, &msk_rcu_registered);
}

void msk_rcu_synchronize(void)
{
	urcu_memb_synchronize_rcu();
#ifdef MSK_TSAN
	__tsan_acquire(&msk_rcu_tsan_token);
#endif
}

static void call_rcu_trampoline(struct rcu_head *h)
{
	msk_rcu_head *m = caa_container_of(h, msk_rcu_head, head);
#ifdef MSK_TSAN
	__tsan_acquire(&msk_rcu_tsan_token);
	__tsan_acquire(m); /* pairs with the release in msk_call_rcu */
#endif
	m->fn(m);
}

void msk_call_rcu(msk_rcu_head *head, void (*fn)(msk_rcu_head *head))
{
	if (__builtin_expect(!msk_rcu_registered, 0))
		msk_rcu_register_slow();
	head->fn = fn;
#ifdef MSK_TSAN
	/* liburcu's queue to its call_rcu thread is invisible to TSan. */
	__tsan_release(head);
#endif
	urcu_memb_call_rcu(&head->head, call_rcu_trampoline);
}

void msk_rcu_barrier(void)
{
	if (__builtin_expect(!msk_rcu_registered, 0))
		msk_rcu_register_slow();
	urcu_memb_barrier();
#ifdef MSK_TSAN
	__tsan_acquire(&msk_rcu_tsan_token);
#endif
}
