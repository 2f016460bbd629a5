/* SPDX-License-Identifier: MIT */
/* The guest RAM the GICv3/ITS drivers carve their tables from. */
#include "irqchip/gic_v3.h"

#include <string.h>

#include "base/error.h"

int gic_ram_init(struct gic_ram *ram, struct msk_bus *bus, uint64_t base, uint64_t size)
{
	memset(ram, 0, sizeof(*ram));
	if (!size || !msk_ram_contains(bus, base, size))
		return msk_err(MSK_EINVAL, "arm64: table RAM [0x%llx, +0x%llx) is not guest RAM",
			       (unsigned long long)base, (unsigned long long)size);
	int rc = gic_ranges_init(&ram->ranges, base, size);
	if (rc < 0)
		return rc;
	pthread_mutex_init(&ram->lock, NULL);
	ram->bus = bus;
	return 0;
}

void gic_ram_destroy(struct gic_ram *ram)
{
	gic_ranges_destroy(&ram->ranges);
	pthread_mutex_destroy(&ram->lock);
}

static int zero(struct msk_bus *bus, uint64_t pa, uint64_t bytes)
{
	static const uint8_t zeros[4096];
	while (bytes) {
		size_t n = bytes < sizeof(zeros) ? (size_t)bytes : sizeof(zeros);
		int rc = msk_ram_write(bus, pa, zeros, n);
		if (rc < 0)
			return rc;
		pa += n;
		bytes -= n;
	}
	return 0;
}

int gic_ram_alloc(struct gic_ram *ram, uint64_t bytes, uint64_t align, const char *what,
		  uint64_t *pa)
{
	pthread_mutex_lock(&ram->lock);
	int rc = gic_ranges_alloc(&ram->ranges, bytes, align, pa);
	if (rc == 0)
		ram->in_use += bytes;
	uint64_t free = ram->ranges.free, largest = gic_ranges_largest(&ram->ranges);
	pthread_mutex_unlock(&ram->lock);
	if (rc == -MSK_ENOSPC)
		return msk_err(MSK_ENOSPC,
			       "arm64: no room for the %s (%llu bytes, %llu-aligned) in table RAM: "
			       "%llu of %llu bytes free, largest run %llu",
			       what, (unsigned long long)bytes, (unsigned long long)align,
			       (unsigned long long)free, (unsigned long long)ram->ranges.size,
			       (unsigned long long)largest);
	if (rc < 0)
		return rc;
	rc = zero(ram->bus, *pa, bytes);
	if (rc < 0) {
		gic_ram_free(ram, *pa, bytes);
		return msk_err(MSK_EFAULT, "arm64: cannot clear the %s at 0x%llx", what,
			       (unsigned long long)*pa);
	}
	return 0;
}

void gic_ram_free(struct gic_ram *ram, uint64_t pa, uint64_t bytes)
{
	pthread_mutex_lock(&ram->lock);
	if (gic_ranges_free(&ram->ranges, pa, bytes) == 0)
		ram->in_use -= bytes;
	pthread_mutex_unlock(&ram->lock);
}
