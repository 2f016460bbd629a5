/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_HW_H
#define MSIKIT_HW_H

/*
 * The base of the hardware models: guest-physical memory and the system
 * bus that connects CPUs, devices and interrupt controllers.
 *
 * A machine has one bus: a RAM range (sparse: pages exist once written)
 * plus MMIO regions that models map (PCI BARs, the x86 MSI window, the ITS
 * frames, XIVE ESB pages). CPUs (the OS or a guest) and devices reach a
 * model only through bus accesses, like on real hardware; a model walks its
 * in-memory tables (ITS device table, IRTE table, END queues) through the
 * RAM accessors below, never through MMIO.
 *
 * A device signals an interrupt by a message write: msk_bus_msi(). The
 * write carries the device's requester ID and a weight (how many device
 * events it stands for, see msikit/ledger.h). An MMIO region that receives
 * a message write owns its weight from then on: it must deliver, hold or
 * lose it. A message that reaches RAM or no region at all is lost by the
 * bus ("msi-to-ram", "no-doorbell").
 *
 * Models are safe for untrusted input: any access of any size at any
 * address returns or is ignored as the hardware would do, never an
 * out-of-bounds access or a crash. Threads: every call here is thread-safe.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/ledger.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The requester ID of an access made by a CPU rather than a PCI function. */
#define MSK_RID_CPU 0xFFFFFFFFu

/* Who made an access, and (for message writes) what it carries. */
struct msk_bus_attrs {
	uint32_t requester_id; /* PCI RID (bus << 8 | dev << 3 | fn) or MSK_RID_CPU */
	uint32_t weight;       /* device events a message write stands for; 0 otherwise */
	bool is_msi;	       /* a device's interrupt message write */
};

/*
 * An MMIO region's handlers. `off` is relative to the region base and
 * `size` is 1, 2, 4 or 8; the bus never splits or merges accesses and does
 * not check alignment: the model decides what odd accesses do (following
 * its spec: ignore, read as zero or all-ones, report an error).
 * A read handler returns the value (zero-extended to 64 bits).
 */
struct msk_mmio_ops {
	uint64_t (*read)(void *opaque, uint64_t off, unsigned int size,
			 const struct msk_bus_attrs *attrs);
	void (*write)(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		      const struct msk_bus_attrs *attrs);
};

struct msk_bus;

/*
 * A bus with RAM at [ram_base, ram_base + ram_size) (ram_size may be 0)
 * and a ledger (may be NULL) that message losses are reported to.
 * ram_size is at most 1 TiB; pages are allocated only when written.
 * Returns 0, -MSK_EINVAL or -MSK_ENOMEM.
 */
int msk_bus_create(uint64_t ram_base, uint64_t ram_size, struct msk_ledger *ledger,
		   struct msk_bus **out);

/* Destroy a bus; every region must have been unmapped. */
void msk_bus_destroy(struct msk_bus *bus);

struct msk_ledger *msk_bus_ledger(const struct msk_bus *bus);
uint64_t msk_bus_ram_base(const struct msk_bus *bus);
uint64_t msk_bus_ram_size(const struct msk_bus *bus);

/*
 * Map an MMIO region [base, base + size) named `name` (for messages).
 * Fails with -MSK_EBUSY if it overlaps RAM or another region,
 * -MSK_EINVAL for size 0 or wrap-around, -MSK_ENOMEM.
 */
int msk_bus_map(struct msk_bus *bus, uint64_t base, uint64_t size, const struct msk_mmio_ops *ops,
		void *opaque, const char *name);

/*
 * Unmap the region that starts at base. When it returns, no handler of
 * that region runs or will run, so its opaque may be freed.
 * -MSK_ENOENT if no region starts there.
 */
int msk_bus_unmap(struct msk_bus *bus, uint64_t base);

/*
 * A CPU (or the OS model) reads or writes `size` bytes (1, 2, 4, 8) at
 * addr. RAM: little-endian, any alignment. MMIO: the region's handler.
 * Nothing there: reads give all-ones and -MSK_EFAULT; writes are dropped
 * with -MSK_EFAULT. attrs may be NULL (a CPU access).
 */
int msk_bus_read(struct msk_bus *bus, uint64_t addr, unsigned int size,
		 const struct msk_bus_attrs *attrs, uint64_t *value);
int msk_bus_write(struct msk_bus *bus, uint64_t addr, uint64_t value, unsigned int size,
		  const struct msk_bus_attrs *attrs);

/*
 * A device's interrupt message: a 32-bit write of `data` to `addr` with
 * the device's requester ID and weight. Returns 0 when an MMIO region took
 * it (it owns the weight now); otherwise the weight is lost in the ledger
 * ("msi-to-ram" or "no-doorbell") and -MSK_EFAULT is returned.
 */
int msk_bus_msi(struct msk_bus *bus, uint64_t addr, uint32_t data, uint32_t requester_id,
		uint32_t weight);

/*
 * RAM access for models walking tables and queues in guest memory
 * (device "DMA"). Little-endian. Naturally aligned 1/2/4/8-byte accesses
 * are single-copy atomic (like real memory). Outside RAM: -MSK_EFAULT and
 * reads give zero. Untouched RAM reads as zero.
 */
int msk_ram_read(struct msk_bus *bus, uint64_t addr, void *buf, size_t len);
int msk_ram_write(struct msk_bus *bus, uint64_t addr, const void *buf, size_t len);
int msk_ram_read64(struct msk_bus *bus, uint64_t addr, uint64_t *value);
int msk_ram_read32(struct msk_bus *bus, uint64_t addr, uint32_t *value);
int msk_ram_write64(struct msk_bus *bus, uint64_t addr, uint64_t value);
int msk_ram_write32(struct msk_bus *bus, uint64_t addr, uint32_t value);

/* Is [addr, addr + len) entirely RAM? */
bool msk_ram_contains(const struct msk_bus *bus, uint64_t addr, uint64_t len);

/* Bytes of RAM actually backed by pages (written at least once). */
uint64_t msk_ram_resident(const struct msk_bus *bus);

/*
 * An interrupt controller tells the CPU runtime that CPU `cpu` may have
 * something to take (its highest pending interrupt changed). The runtime
 * then calls the controller's "take" for that CPU. May be called with
 * the controller's internal locks held: the callee must not call back
 * into the controller.
 */
struct msk_cpu_notify {
	void (*kick)(void *ctx, unsigned int cpu);
	void *ctx;
};

#ifdef __cplusplus
}
#endif
#endif
