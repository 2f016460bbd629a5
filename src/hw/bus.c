/* SPDX-License-Identifier: MIT */
/*
 * The system bus: address decode over RAM and MMIO regions, and the
 * delivery of devices' message writes. The region set is an immutable
 * sorted array replaced as a whole on map/unmap and read under RCU, so
 * accesses from CPUs and devices take no lock.
 */
#include <msikit/hw.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "base/rcu.h"
#include "hw/ram.h"

struct region {
	uint64_t base, size;
	const struct msk_mmio_ops *ops;
	void *opaque;
	char name[40];
};

struct region_set {
	msk_rcu_head rcu;
	unsigned int n;
	struct region r[];
};

struct msk_bus {
	struct msk_ram ram;
	struct msk_ledger *ledger;
	pthread_mutex_t lock; /* serialises map/unmap */
	struct region_set *_Atomic regions;
};

static const struct msk_bus_attrs cpu_attrs = { .requester_id = MSK_RID_CPU };

int msk_bus_create(uint64_t ram_base, uint64_t ram_size, struct msk_ledger *ledger,
		   struct msk_bus **out)
{
	struct msk_bus *bus = msk_calloc(1, sizeof(*bus));
	if (!bus)
		return msk_err(MSK_ENOMEM, "bus: out of memory");
	int rc = msk_ram_init(&bus->ram, ram_base, ram_size);
	if (rc < 0) {
		msk_free(bus);
		return rc;
	}
	struct region_set *empty = msk_calloc(1, sizeof(*empty));
	if (!empty) {
		msk_ram_fini(&bus->ram);
		msk_free(bus);
		return msk_err(MSK_ENOMEM, "bus: out of memory");
	}
	pthread_mutex_init(&bus->lock, NULL);
	atomic_init(&bus->regions, empty);
	bus->ledger = ledger;
	*out = bus;
	return 0;
}

void msk_bus_destroy(struct msk_bus *bus)
{
	if (!bus)
		return;
	msk_free(atomic_load(&bus->regions));
	pthread_mutex_destroy(&bus->lock);
	msk_ram_fini(&bus->ram);
	msk_free(bus);
}

struct msk_ledger *msk_bus_ledger(const struct msk_bus *bus)
{
	return bus->ledger;
}

uint64_t msk_bus_ram_base(const struct msk_bus *bus)
{
	return bus->ram.base;
}

uint64_t msk_bus_ram_size(const struct msk_bus *bus)
{
	return bus->ram.size;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

static void free_set(msk_rcu_head *head)
{
	msk_free(caa_container_of(head, struct region_set, rcu));
}

int msk_bus_map(struct msk_bus *bus, uint64_t base, uint64_t size, const struct msk_mmio_ops *ops,
		void *opaque, const char *name)
{
	if (!size || base + size - 1 < base || !ops)
		return msk_err(MSK_EINVAL, "bus: bad region %s [0x%llx, +0x%llx)",
			       name ? name : "?", (unsigned long long)base,
			       (unsigned long long)size);
	if (bus->ram.size && overlaps(base, size, bus->ram.base, bus->ram.size))
		return msk_err(MSK_EBUSY, "bus: region %s at 0x%llx overlaps RAM",
			       name ? name : "?", (unsigned long long)base);
	pthread_mutex_lock(&bus->lock);
	struct region_set *old = atomic_load(&bus->regions);
	for (unsigned int i = 0; i < old->n; i++) {
		if (overlaps(base, size, old->r[i].base, old->r[i].size)) {
			pthread_mutex_unlock(&bus->lock);
			return msk_err(MSK_EBUSY, "bus: region %s at 0x%llx overlaps %s",
				       name ? name : "?", (unsigned long long)base, old->r[i].name);
		}
	}
	struct region_set *set = msk_malloc(sizeof(*set) + (old->n + 1) * sizeof(set->r[0]));
	if (!set) {
		pthread_mutex_unlock(&bus->lock);
		return msk_err(MSK_ENOMEM, "bus: out of memory mapping %s", name ? name : "?");
	}
	unsigned int j = 0, i = 0;
	for (; i < old->n && old->r[i].base < base; i++)
		set->r[j++] = old->r[i];
	struct region *r = &set->r[j++];
	memset(r, 0, sizeof(*r));
	r->base = base;
	r->size = size;
	r->ops = ops;
	r->opaque = opaque;
	snprintf(r->name, sizeof(r->name), "%s", name ? name : "mmio");
	for (; i < old->n; i++)
		set->r[j++] = old->r[i];
	set->n = j;
	msk_rcu_assign(&bus->regions, set);
	pthread_mutex_unlock(&bus->lock);
	msk_call_rcu(&old->rcu, free_set);
	return 0;
}

int msk_bus_unmap(struct msk_bus *bus, uint64_t base)
{
	pthread_mutex_lock(&bus->lock);
	struct region_set *old = atomic_load(&bus->regions);
	unsigned int k = old->n;
	for (unsigned int i = 0; i < old->n; i++)
		if (old->r[i].base == base)
			k = i;
	if (k == old->n) {
		pthread_mutex_unlock(&bus->lock);
		return msk_err(MSK_ENOENT, "bus: no region at 0x%llx", (unsigned long long)base);
	}
	struct region_set *set = msk_malloc(sizeof(*set) + old->n * sizeof(set->r[0]));
	if (!set) {
		pthread_mutex_unlock(&bus->lock);
		return msk_err(MSK_ENOMEM, "bus: out of memory unmapping 0x%llx",
			       (unsigned long long)base);
	}
	unsigned int j = 0;
	for (unsigned int i = 0; i < old->n; i++)
		if (i != k)
			set->r[j++] = old->r[i];
	set->n = j;
	msk_rcu_assign(&bus->regions, set);
	pthread_mutex_unlock(&bus->lock);
	/* After this no reader can still be inside the removed region's handlers. */
	msk_rcu_synchronize();
	msk_free(old);
	return 0;
}

/* The region containing addr in set, or NULL. Caller holds the RCU read lock. */
static const struct region *find(const struct region_set *set, uint64_t addr)
{
	unsigned int lo = 0, hi = set->n;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;
		const struct region *r = &set->r[mid];
		if (addr < r->base)
			hi = mid;
		else if (addr - r->base >= r->size)
			lo = mid + 1;
		else
			return r;
	}
	return NULL;
}

static bool size_ok(unsigned int size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

int msk_bus_read(struct msk_bus *bus, uint64_t addr, unsigned int size,
		 const struct msk_bus_attrs *attrs, uint64_t *value)
{
	*value = ~0ull;
	if (!size_ok(size))
		return msk_err(MSK_EINVAL, "bus: read of %u bytes at 0x%llx", size,
			       (unsigned long long)addr);
	if (size < 8)
		*value &= (1ull << (8 * size)) - 1;
	if (msk_ram_range_ok(&bus->ram, addr, size)) {
		uint64_t v = 0;
		msk_ram_get(&bus->ram, addr, &v, size);
		*value = v;
		return 0;
	}
	int rc = 0;
	msk_rcu_read_lock();
	const struct region *r = find(msk_rcu_deref(&bus->regions), addr);
	if (r && r->ops->read) {
		uint64_t v =
			r->ops->read(r->opaque, addr - r->base, size, attrs ? attrs : &cpu_attrs);
		*value = size < 8 ? v & ((1ull << (8 * size)) - 1) : v;
	} else if (!r) {
		rc = -MSK_EFAULT;
	}
	msk_rcu_read_unlock();
	return rc;
}

int msk_bus_write(struct msk_bus *bus, uint64_t addr, uint64_t value, unsigned int size,
		  const struct msk_bus_attrs *attrs)
{
	if (!size_ok(size))
		return msk_err(MSK_EINVAL, "bus: write of %u bytes at 0x%llx", size,
			       (unsigned long long)addr);
	if (msk_ram_range_ok(&bus->ram, addr, size))
		return msk_ram_put(&bus->ram, addr, &value, size);
	int rc = 0;
	msk_rcu_read_lock();
	const struct region *r = find(msk_rcu_deref(&bus->regions), addr);
	if (r && r->ops->write)
		r->ops->write(r->opaque, addr - r->base, value, size, attrs ? attrs : &cpu_attrs);
	else if (!r)
		rc = -MSK_EFAULT;
	msk_rcu_read_unlock();
	return rc;
}

int msk_bus_msi(struct msk_bus *bus, uint64_t addr, uint32_t data, uint32_t requester_id,
		uint32_t weight)
{
	const struct msk_bus_attrs attrs = {
		.requester_id = requester_id,
		.weight = weight,
		.is_msi = true,
	};
	if (msk_ram_range_ok(&bus->ram, addr, 4)) {
		msk_ram_put(&bus->ram, addr, &data, 4); /* it is a memory write after all */
		msk_ledger_lose(bus->ledger, MSK_LOSS_MSI_TO_RAM, weight);
		return -MSK_EFAULT;
	}
	msk_rcu_read_lock();
	const struct region *r = find(msk_rcu_deref(&bus->regions), addr);
	if (r && r->ops->write)
		r->ops->write(r->opaque, addr - r->base, data, 4, &attrs);
	msk_rcu_read_unlock();
	if (!r || !r->ops->write) {
		msk_ledger_lose(bus->ledger, MSK_LOSS_NO_DOORBELL, weight);
		return -MSK_EFAULT;
	}
	return 0;
}

int msk_ram_read(struct msk_bus *bus, uint64_t addr, void *buf, size_t len)
{
	return msk_ram_get(&bus->ram, addr, buf, len);
}

int msk_ram_write(struct msk_bus *bus, uint64_t addr, const void *buf, size_t len)
{
	return msk_ram_put(&bus->ram, addr, buf, len);
}

int msk_ram_read64(struct msk_bus *bus, uint64_t addr, uint64_t *value)
{
	return msk_ram_get(&bus->ram, addr, value, 8);
}

int msk_ram_read32(struct msk_bus *bus, uint64_t addr, uint32_t *value)
{
	return msk_ram_get(&bus->ram, addr, value, 4);
}

int msk_ram_write64(struct msk_bus *bus, uint64_t addr, uint64_t value)
{
	return msk_ram_put(&bus->ram, addr, &value, 8);
}

int msk_ram_write32(struct msk_bus *bus, uint64_t addr, uint32_t value)
{
	return msk_ram_put(&bus->ram, addr, &value, 4);
}

bool msk_ram_contains(const struct msk_bus *bus, uint64_t addr, uint64_t len)
{
	return msk_ram_range_ok(&bus->ram, addr, len);
}

uint64_t msk_ram_resident(const struct msk_bus *bus)
{
	return atomic_load(&((struct msk_bus *)bus)->ram.resident);
}
