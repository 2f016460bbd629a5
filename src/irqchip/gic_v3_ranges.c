/* SPDX-License-Identifier: MIT */
/* First-fit free-range allocator with merge on free (see gic_v3_ranges.h). */
#include "irqchip/gic_v3_ranges.h"

#include <stdbool.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

int gic_ranges_init(struct gic_ranges *rs, uint64_t base, uint64_t size)
{
	memset(rs, 0, sizeof(*rs));
	if (!size || base + size - 1 < base)
		return msk_err(MSK_EINVAL, "ranges: empty or wrapping span");
	rs->r = msk_calloc(4, sizeof(*rs->r));
	if (!rs->r)
		return msk_err(MSK_ENOMEM, "ranges: out of memory");
	rs->cap = 4;
	rs->n = 1;
	rs->r[0].start = base;
	rs->r[0].len = size;
	rs->base = base;
	rs->size = size;
	rs->free = size;
	return 0;
}

void gic_ranges_destroy(struct gic_ranges *rs)
{
	msk_free(rs->r);
	memset(rs, 0, sizeof(*rs));
}

/* Make room for `want` ranges. */
static int reserve(struct gic_ranges *rs, size_t want)
{
	if (want <= rs->cap)
		return 0;
	size_t cap = rs->cap * 2 > want ? rs->cap * 2 : want;
	struct gic_range *r = msk_realloc(rs->r, cap * sizeof(*r));
	if (!r)
		return msk_err(MSK_ENOMEM, "ranges: out of memory for %zu ranges", cap);
	rs->r = r;
	rs->cap = cap;
	return 0;
}

static void insert_at(struct gic_ranges *rs, size_t i, uint64_t start, uint64_t len)
{
	memmove(&rs->r[i + 1], &rs->r[i], (rs->n - i) * sizeof(rs->r[0]));
	rs->r[i].start = start;
	rs->r[i].len = len;
	rs->n++;
}

static void remove_at(struct gic_ranges *rs, size_t i)
{
	memmove(&rs->r[i], &rs->r[i + 1], (rs->n - i - 1) * sizeof(rs->r[0]));
	rs->n--;
}

int gic_ranges_alloc(struct gic_ranges *rs, uint64_t len, uint64_t align, uint64_t *out)
{
	if (!len || !align || (align & (align - 1)))
		return msk_err(MSK_EINVAL, "ranges: bad request of %llu aligned to %llu",
			       (unsigned long long)len, (unsigned long long)align);
	/* Every live allocation may add one free range when it returns, plus the split below. */
	if (reserve(rs, rs->live + 3) < 0)
		return -MSK_ENOMEM;
	for (size_t i = 0; i < rs->n; i++) {
		struct gic_range *f = &rs->r[i];
		uint64_t at = (f->start + align - 1) & ~(align - 1);
		if (at < f->start || at - f->start >= f->len || f->len - (at - f->start) < len)
			continue;
		uint64_t head = at - f->start, tail = f->len - head - len;
		if (head && tail) {
			f->len = head;
			insert_at(rs, i + 1, at + len, tail);
		} else if (head) {
			f->len = head;
		} else if (tail) {
			f->start += len;
			f->len = tail;
		} else {
			remove_at(rs, i);
		}
		rs->free -= len;
		rs->live++;
		*out = at;
		return 0;
	}
	return msk_err(MSK_ENOSPC, "ranges: no free run of %llu (aligned %llu), largest %llu",
		       (unsigned long long)len, (unsigned long long)align,
		       (unsigned long long)gic_ranges_largest(rs));
}

int gic_ranges_free(struct gic_ranges *rs, uint64_t start, uint64_t len)
{
	if (!len || start < rs->base || start - rs->base > rs->size ||
	    rs->size - (start - rs->base) < len)
		return msk_err(MSK_EINVAL, "ranges: [0x%llx, +0x%llx) is outside the span",
			       (unsigned long long)start, (unsigned long long)len);
	/* First free range starting after `start`. */
	size_t lo = 0, hi = rs->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (rs->r[mid].start <= start)
			lo = mid + 1;
		else
			hi = mid;
	}
	struct gic_range *prev = lo ? &rs->r[lo - 1] : NULL;
	struct gic_range *next = lo < rs->n ? &rs->r[lo] : NULL;
	if ((prev && prev->start + prev->len > start) || (next && start + len > next->start))
		return msk_err(MSK_EINVAL, "ranges: [0x%llx, +0x%llx) is already free",
			       (unsigned long long)start, (unsigned long long)len);
	bool join_prev = prev && prev->start + prev->len == start;
	bool join_next = next && start + len == next->start;
	/* Room was reserved at allocation; only a range never handed out can need more. */
	if (!join_prev && !join_next && reserve(rs, rs->n + 1) < 0)
		return -MSK_ENOMEM;
	if (join_prev && join_next) {
		rs->r[lo - 1].len += len + rs->r[lo].len;
		remove_at(rs, lo);
	} else if (join_prev) {
		rs->r[lo - 1].len += len;
	} else if (join_next) {
		rs->r[lo].start = start;
		rs->r[lo].len += len;
	} else {
		insert_at(rs, lo, start, len);
	}
	rs->free += len;
	if (rs->live)
		rs->live--;
	return 0;
}

uint64_t gic_ranges_largest(const struct gic_ranges *rs)
{
	uint64_t best = 0;
	for (size_t i = 0; i < rs->n; i++)
		if (rs->r[i].len > best)
			best = rs->r[i].len;
	return best;
}
