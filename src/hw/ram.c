/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM: sparse 4 KiB pages behind a two-level directory. Pages and
 * directory leaves are installed lock-free (compare-and-swap) on first
 * write and live until the bus is destroyed; reads of untouched memory
 * return zero without allocating. Every access goes through relaxed
 * atomics, so concurrent guests, devices and models never race in the C
 * sense, and aligned accesses are single-copy atomic as on hardware.
 */
#include "hw/ram.h"

#include <stdatomic.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "msikit's memory model assumes a little-endian host"
#endif

#define PAGE_SHIFT 12
#define PAGE_SIZE  (1ull << PAGE_SHIFT)
#define LEAF_SHIFT 12 /* pages per directory leaf */
#define LEAF_PAGES (1ull << LEAF_SHIFT)
#define RAM_MAX	   (1ull << 40)

struct leaf {
	uint8_t *_Atomic page[LEAF_PAGES];
};

int msk_ram_init(struct msk_ram *ram, uint64_t base, uint64_t size)
{
	memset(ram, 0, sizeof(*ram));
	if (size > RAM_MAX || base + size < base || (base | size) & (PAGE_SIZE - 1))
		return msk_err(MSK_EINVAL,
			       "RAM [0x%llx, +0x%llx) must be page aligned and at most 1 TiB",
			       (unsigned long long)base, (unsigned long long)size);
	ram->base = base;
	ram->size = size;
	if (!size)
		return 0;
	uint64_t pages = size >> PAGE_SHIFT;
	ram->nleaves = (pages + LEAF_PAGES - 1) >> LEAF_SHIFT;
	ram->leaves = msk_calloc(ram->nleaves, sizeof(*ram->leaves));
	if (!ram->leaves)
		return msk_err(MSK_ENOMEM, "RAM directory for %llu MiB",
			       (unsigned long long)(size >> 20));
	return 0;
}

void msk_ram_fini(struct msk_ram *ram)
{
	for (uint64_t i = 0; i < ram->nleaves; i++) {
		struct leaf *l = atomic_load(&ram->leaves[i]);
		if (!l)
			continue;
		for (uint64_t p = 0; p < LEAF_PAGES; p++)
			msk_free(atomic_load(&l->page[p]));
		msk_free(l);
	}
	msk_free(ram->leaves);
	memset(ram, 0, sizeof(*ram));
}

bool msk_ram_range_ok(const struct msk_ram *ram, uint64_t addr, uint64_t len)
{
	if (!ram->size || addr < ram->base)
		return false;
	uint64_t off = addr - ram->base;
	return off < ram->size && len <= ram->size - off;
}

/* The page holding addr (inside RAM), or NULL; allocate it if `create`. */
static uint8_t *page_of(struct msk_ram *ram, uint64_t addr, bool create)
{
	uint64_t pfn = (addr - ram->base) >> PAGE_SHIFT;
	struct leaf *_Atomic *lslot = &ram->leaves[pfn >> LEAF_SHIFT];
	struct leaf *l = atomic_load_explicit(lslot, memory_order_acquire);
	if (!l) {
		if (!create)
			return NULL;
		struct leaf *n = msk_calloc_nofault(1, sizeof(*n));
		if (!n)
			return NULL;
		struct leaf *expected = NULL;
		if (atomic_compare_exchange_strong_explicit(
			    lslot, &expected, n, memory_order_acq_rel, memory_order_acquire)) {
			l = n;
		} else {
			msk_free(n);
			l = expected;
		}
	}
	uint8_t *_Atomic *pslot = &l->page[pfn & (LEAF_PAGES - 1)];
	uint8_t *p = atomic_load_explicit(pslot, memory_order_acquire);
	if (!p && create) {
		uint8_t *n = msk_calloc_nofault(1, PAGE_SIZE);
		if (!n)
			return NULL;
		uint8_t *expected = NULL;
		if (atomic_compare_exchange_strong_explicit(
			    pslot, &expected, n, memory_order_acq_rel, memory_order_acquire)) {
			p = n;
			atomic_fetch_add_explicit(&ram->resident, PAGE_SIZE, memory_order_relaxed);
		} else {
			msk_free(n);
			p = expected;
		}
	}
	return p;
}

/* Load `size` (1/2/4/8) bytes at a naturally aligned addr. */
static uint64_t load_aligned(const uint8_t *p, unsigned int size)
{
	switch (size) {
	case 1:
		return __atomic_load_n(p, __ATOMIC_RELAXED);
	case 2:
		return __atomic_load_n((const uint16_t *)p, __ATOMIC_RELAXED);
	case 4:
		return __atomic_load_n((const uint32_t *)p, __ATOMIC_RELAXED);
	default:
		return __atomic_load_n((const uint64_t *)p, __ATOMIC_RELAXED);
	}
}

static void store_aligned(uint8_t *p, uint64_t v, unsigned int size)
{
	switch (size) {
	case 1:
		__atomic_store_n(p, (uint8_t)v, __ATOMIC_RELAXED);
		break;
	case 2:
		__atomic_store_n((uint16_t *)p, (uint16_t)v, __ATOMIC_RELAXED);
		break;
	case 4:
		__atomic_store_n((uint32_t *)p, (uint32_t)v, __ATOMIC_RELAXED);
		break;
	default:
		__atomic_store_n((uint64_t *)p, v, __ATOMIC_RELAXED);
		break;
	}
}

/* Largest access (8/4/2/1) that is aligned at addr and fits in len. */
static unsigned int chunk(uint64_t addr, size_t len)
{
	for (unsigned int s = 8; s > 1; s >>= 1)
		if (!(addr & (s - 1)) && len >= s)
			return s;
	return 1;
}

int msk_ram_get(struct msk_ram *ram, uint64_t addr, void *buf, size_t len)
{
	uint8_t *out = buf;
	if (!msk_ram_range_ok(ram, addr, len)) {
		memset(buf, 0, len);
		return -MSK_EFAULT;
	}
	while (len) {
		unsigned int s = chunk(addr, len);
		const uint8_t *page = page_of(ram, addr, false);
		uint64_t v =
			page ? load_aligned(page + ((addr - ram->base) & (PAGE_SIZE - 1)), s) : 0;
		memcpy(out, &v, s);
		out += s;
		addr += s;
		len -= s;
	}
	return 0;
}

int msk_ram_put(struct msk_ram *ram, uint64_t addr, const void *buf, size_t len)
{
	const uint8_t *in = buf;
	if (!msk_ram_range_ok(ram, addr, len))
		return -MSK_EFAULT;
	while (len) {
		unsigned int s = chunk(addr, len);
		uint8_t *page = page_of(ram, addr, true);
		if (!page)
			return msk_err(MSK_ENOMEM, "RAM page at 0x%llx", (unsigned long long)addr);
		uint64_t v = 0;
		memcpy(&v, in, s);
		store_aligned(page + ((addr - ram->base) & (PAGE_SIZE - 1)), v, s);
		in += s;
		addr += s;
		len -= s;
	}
	return 0;
}
