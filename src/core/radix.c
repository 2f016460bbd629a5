/* SPDX-License-Identifier: MIT */
/* Sparse RCU-readable radix map (see radix.h). */
#include "core/radix.h"

#include <stdatomic.h>

#include "base/alloc.h"
#include "base/error.h"
#include "base/rcu.h"

static size_t node_size(const struct msk_radix *r)
{
	return sizeof(void *) << r->chunk_bits;
}

int msk_radix_init(struct msk_radix *r, unsigned int key_bits, unsigned int chunk_bits)
{
	if (key_bits < 1 || key_bits > 32 || chunk_bits < 1 || chunk_bits > 16)
		return msk_err(MSK_EINVAL, "radix: %u key bits in chunks of %u", key_bits,
			       chunk_bits);
	r->key_bits = key_bits;
	r->chunk_bits = chunk_bits;
	r->depth = (key_bits + chunk_bits - 1) / chunk_bits;
	atomic_init(&r->root, NULL);
	r->nodes = 0;
	r->entries = 0;
	return 0;
}

static void free_node(struct msk_radix *r, struct msk_radix_node *n, unsigned int level)
{
	if (!n)
		return;
	if (level + 1 < r->depth)
		for (size_t i = 0; i < ((size_t)1 << r->chunk_bits); i++)
			free_node(r, atomic_load_explicit(&n->slot[i], memory_order_relaxed),
				  level + 1);
	msk_free(n);
}

void msk_radix_fini(struct msk_radix *r)
{
	free_node(r, atomic_load(&r->root), 0);
	atomic_store(&r->root, NULL);
	r->nodes = 0;
	r->entries = 0;
}

/* Slot index of key at a level (level 0 = root, holding the top bits). */
static size_t index_at(const struct msk_radix *r, uint64_t key, unsigned int level)
{
	unsigned int shift = (r->depth - 1 - level) * r->chunk_bits;
	return (size_t)(key >> shift) & (((size_t)1 << r->chunk_bits) - 1);
}

static struct msk_radix_node *new_node(struct msk_radix *r)
{
	struct msk_radix_node *n = msk_calloc(1, node_size(r));
	if (n)
		r->nodes++;
	return n;
}

int msk_radix_insert(struct msk_radix *r, uint64_t key, void *val)
{
	if (key >> r->key_bits)
		return -MSK_ERANGE;
	struct msk_radix_node *_Atomic *link = &r->root;
	for (unsigned int level = 0;; level++) {
		struct msk_radix_node *n = atomic_load_explicit(link, memory_order_relaxed);
		if (!n) {
			n = new_node(r);
			if (!n)
				return -MSK_ENOMEM;
			msk_rcu_assign(link, n);
		}
		void *_Atomic *slot = &n->slot[index_at(r, key, level)];
		if (level + 1 == r->depth) {
			if (atomic_load_explicit(slot, memory_order_relaxed))
				return -MSK_EEXIST;
			msk_rcu_assign(slot, val);
			r->entries++;
			return 0;
		}
		link = (struct msk_radix_node * _Atomic *)slot;
	}
}

void *msk_radix_erase(struct msk_radix *r, uint64_t key)
{
	if (key >> r->key_bits)
		return NULL;
	struct msk_radix_node *n = atomic_load_explicit(&r->root, memory_order_relaxed);
	for (unsigned int level = 0; n; level++) {
		void *_Atomic *slot = &n->slot[index_at(r, key, level)];
		void *v = atomic_load_explicit(slot, memory_order_relaxed);
		if (level + 1 == r->depth) {
			if (v) {
				msk_rcu_assign(slot, NULL);
				r->entries--;
			}
			return v;
		}
		n = v;
	}
	return NULL;
}

/* The first entry >= from in the subtree n (level `level`, first key `base`). */
static void *next_in(const struct msk_radix *r, struct msk_radix_node *n, unsigned int level,
		     uint64_t from, uint64_t base, uint64_t *key)
{
	unsigned int shift = (r->depth - 1 - level) * r->chunk_bits;
	size_t nslots = (size_t)1 << r->chunk_bits;
	size_t start = from > base ? (size_t)((from - base) >> shift) : 0;
	for (size_t i = start; i < nslots; i++) {
		void *v = msk_rcu_deref(&n->slot[i]);
		if (!v)
			continue;
		uint64_t k = base + ((uint64_t)i << shift);
		if (level + 1 == r->depth) {
			*key = k;
			return v;
		}
		void *found = next_in(r, v, level + 1, i == start ? from : k, k, key);
		if (found)
			return found;
	}
	return NULL;
}

void *msk_radix_next(const struct msk_radix *r, uint64_t from, uint64_t *key)
{
	if (from >> r->key_bits)
		return NULL;
	struct msk_radix_node *root = msk_rcu_deref(&((struct msk_radix *)r)->root);
	return root ? next_in(r, root, 0, from, 0, key) : NULL;
}

size_t msk_radix_bytes(const struct msk_radix *r)
{
	return r->nodes * node_size(r);
}
