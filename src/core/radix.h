/* SPDX-License-Identifier: MIT */
#ifndef MSK_CORE_RADIX_H
#define MSK_CORE_RADIX_H

/*
 * A sparse map from integer keys (< 2^key_bits) to non-NULL pointers,
 * built of fixed-size nodes of 2^chunk_bits slots. Readers look up under
 * RCU without locks; writers are serialised by the caller. Interior nodes
 * are created on demand and kept until msk_radix_fini(), so a lookup never
 * meets a freed node.
 */

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct msk_radix_node;

struct msk_radix {
	unsigned int key_bits, chunk_bits, depth;
	struct msk_radix_node *_Atomic root;
	size_t nodes, entries;
};

/* 0 or -MSK_EINVAL (key_bits 1..32, chunk_bits 1..16). Allocates nothing. */
int msk_radix_init(struct msk_radix *r, unsigned int key_bits, unsigned int chunk_bits);
/* Free every node (no readers may remain). The values are not touched. */
void msk_radix_fini(struct msk_radix *r);
/* The value for key, or NULL. RCU read side; inline for the entry path. */
static inline void *msk_radix_lookup(const struct msk_radix *r, uint64_t key);
/* Store val (non-NULL) at an empty key: 0, -MSK_EEXIST, -MSK_ERANGE, -MSK_ENOMEM. */
int msk_radix_insert(struct msk_radix *r, uint64_t key, void *val);
/* Empty a key; returns the old value (NULL if none). */
void *msk_radix_erase(struct msk_radix *r, uint64_t key);
/*
 * The value at the smallest key >= from, with that key in *key; NULL when
 * there is none. Skips empty subtrees. Writer side (or RCU read side).
 */
void *msk_radix_next(const struct msk_radix *r, uint64_t from, uint64_t *key);
/* Heap bytes used by nodes. */
size_t msk_radix_bytes(const struct msk_radix *r);

struct msk_radix_node {
	void *_Atomic slot[1]; /* 2^chunk_bits slots */
};

static inline void *msk_radix_lookup(const struct msk_radix *r, uint64_t key)
{
	if (key >> r->key_bits)
		return NULL;
	struct msk_radix_node *n =
		atomic_load_explicit(&((struct msk_radix *)r)->root, memory_order_acquire);
	unsigned int shift = (r->depth - 1) * r->chunk_bits;
	size_t mask = ((size_t)1 << r->chunk_bits) - 1;
	while (n) {
		void *v =
			atomic_load_explicit(&n->slot[(key >> shift) & mask], memory_order_acquire);
		if (shift == 0)
			return v;
		shift -= r->chunk_bits;
		n = v;
	}
	return NULL;
}

#endif
