/* SPDX-License-Identifier: MIT */
#ifndef MSK_BASE_ALLOC_H
#define MSK_BASE_ALLOC_H

#include <stddef.h>
#include <msikit/fault.h>

/*
 * All heap allocation in msikit goes through these, so that fault injection
 * (msikit/fault.h) reaches every allocation site. They return NULL on
 * failure and do not record an error: the caller knows the context and
 * reports it with msk_err(MSK_ENOMEM, ...).
 */
void *msk_malloc(size_t size);
void *msk_calloc(size_t n, size_t size);
void *msk_realloc(void *p, size_t size);

/*
 * The same without fault injection: they neither count nor consume an
 * injected failure (machine{ faults = { alloc = N } }), which is meant for
 * the interrupt code under test where a kernel allocates. For two kinds of
 * memory only:
 *  - the simulator's own bookkeeping (the runtime's actor table, its
 *    queues): the harness running the code under test;
 *  - backing store of modelled hardware that exists once the guest has
 *    configured it (RAM pages, a redistributor's pending state, an event
 *    queue's weight records), filled in lazily on delivery paths: the
 *    hardware they stand for cannot fail an access.
 * Freed with msk_free(). Context: any, including delivery paths.
 * Return: the memory, or NULL only when the host itself is out of memory.
 */
void *msk_malloc_nofault(size_t size);
void *msk_calloc_nofault(size_t n, size_t size);
void *msk_realloc_nofault(void *p, size_t size);

char *msk_strdup(const char *s);
void msk_free(void *p);

#endif
