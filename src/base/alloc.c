/* SPDX-License-Identifier: MIT */
/* Heap allocation with per-thread fault injection. */
#include "base/alloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local unsigned long alloc_count;
static _Thread_local unsigned long injected_count;
static _Thread_local unsigned long fail_at; /* absolute count that fails; 0 = off */
static _Thread_local bool fail_sticky;

void msk_fault_fail_alloc(unsigned long nth)
{
	fail_at = nth ? alloc_count + nth : 0;
	fail_sticky = false;
}

void msk_fault_fail_alloc_from(unsigned long nth)
{
	fail_at = nth ? alloc_count + nth : 0;
	fail_sticky = nth != 0;
}

unsigned long msk_fault_alloc_count(void)
{
	return alloc_count;
}

unsigned long msk_fault_injected_count(void)
{
	return injected_count;
}

void msk_fault_reset(void)
{
	alloc_count = 0;
	injected_count = 0;
	fail_at = 0;
	fail_sticky = false;
}

/* Counts one allocation; true if it must fail. */
static bool should_fail(void)
{
	alloc_count++;
	if (!fail_at || alloc_count < fail_at)
		return false;
	if (alloc_count == fail_at || fail_sticky) {
		injected_count++;
		return true;
	}
	return false;
}

void *msk_malloc(size_t size)
{
	if (should_fail())
		return NULL;
	return malloc(size ? size : 1);
}

void *msk_calloc(size_t n, size_t size)
{
	if (should_fail())
		return NULL;
	return calloc(n ? n : 1, size ? size : 1);
}

void *msk_realloc(void *p, size_t size)
{
	if (should_fail())
		return NULL;
	return realloc(p, size ? size : 1);
}

char *msk_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = msk_malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

void *msk_malloc_nofault(size_t size)
{
	return malloc(size ? size : 1);
}

void *msk_calloc_nofault(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void *msk_realloc_nofault(void *p, size_t size)
{
	return realloc(p, size ? size : 1);
}

void msk_free(void *p)
{
	free(p);
}

