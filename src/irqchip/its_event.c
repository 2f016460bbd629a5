/* SPDX-License-Identifier: MIT */
/*
 * The mappings the ITS driver keeps in the ITS, and what it does when the
 * ITS fails a command (a command error: skipped, or the queue stalled and
 * restarted; either way the failed command had no effect).
 *
 *  map (MAPTI)       can fail: -MSK_EIO, the event as it was (a MAPTI
 *                    applied whose SYNCs both failed is taken back with
 *                    unmap); a reservation-mode activation maps at
 *                    allocation and again at request_irq
 *  move (MOVI)       can fail: -MSK_EIO, the event stays where it was;
 *                    CPU hotplug's forced moves are tried twice, since a
 *                    failure there leaves the LPI on a dying CPU
 *  inv (INV)         cannot fail (mask/unmask): tried twice; after that
 *                    the GIC's cached configuration of the LPI is stale
 *                    until the next INV of it (a disabled LPI is held
 *                    pending, not lost)
 *  unmap (DISCARD)   cannot fail (deactivate/free): tried twice; after
 *                    that the ITS may still translate the event and an RD
 *                    may still hold its LPI pending, so the event and its
 *                    LPI are quarantined (EV_STALE): no allocation uses
 *                    the event, the device's teardown discards it once
 *                    more, and an LPI still quarantined then is never
 *                    returned to the LPI allocator. The contract monitor
 *                    sees it as an "lpi" the device domain did not return.
 *  retire (MAPD V=0) cannot fail (teardown): tried twice; after that the
 *                    ITS still reads the ITT, so it is kept (a zombie
 *                    device, "itt" not returned) until the DeviceID is
 *                    prepared again, which first retries MAPD V=0.
 *
 * Every call here runs with its->lock held. The bookkeeping (mapped, col,
 * cpu_lpis) always follows what the ITS did, which the error report says.
 */
#include "irqchip/its.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define ITS_TRIES 2u /* attempts at a command that cannot be allowed to fail */

static void set_mapped(struct its *its, struct its_device *dev, uint32_t ev, unsigned int cpu)
{
	if (dev->mapped[ev] == EV_MAPPED)
		its->cpu_lpis[dev->col[ev]]--;
	else if (dev->mapped[ev] == EV_STALE)
		atomic_fetch_sub(&its->lpis_quarantined, 1); /* a fresh ITE for the same owner */
	dev->mapped[ev] = EV_MAPPED;
	dev->col[ev] = (uint16_t)cpu;
	its->cpu_lpis[cpu]++;
}

int its_event_map(struct its *its, struct its_device *dev, uint32_t ev, unsigned int cpu)
{
	struct its_cmd mapti;
	bool applied, was_unmapped = dev->mapped[ev] == EV_UNMAPPED;
	its_encode_mapti(&mapti, dev->devid, ev, dev->lpi_base + ev, cpu);
	int rc = its_send_sync(its, &mapti, cpu, &applied);
	if (applied)
		set_mapped(its, dev, ev, cpu);
	/*
	 * Mapped but never confirmed: the caller sees a failure, so take the
	 * mapping back - unless the event was mapped before (a reservation-mode
	 * activation being redone), which stays the vector's own.
	 */
	if (rc < 0 && applied && was_unmapped)
		its_event_unmap(its, dev, ev);
	return rc;
}

/* One MOVI + SYNC; the bookkeeping follows the ITS. */
static int movi(struct its *its, struct its_device *dev, uint32_t ev, unsigned int cpu,
		bool *applied)
{
	struct its_cmd c;
	its_encode_movi(&c, dev->devid, ev, cpu);
	int rc = its_send_sync(its, &c, cpu, applied);
	if (*applied)
		set_mapped(its, dev, ev, cpu);
	return rc;
}

int its_event_move(struct its *its, struct its_device *dev, uint32_t ev, unsigned int cpu,
		   unsigned int tries)
{
	unsigned int from = dev->col[ev];
	bool applied = false;
	int rc = 0;
	for (unsigned int t = 0; t < tries && !applied; t++) {
		rc = movi(its, dev, ev, cpu, &applied);
		if (rc == 0)
			return 0;
	}
	if (applied) {
		/* Moved but never confirmed: move it back, so a failure leaves it where it was. */
		char why[256];
		const char *m = msk_last_error(), *colon = strstr(m, ": ");
		snprintf(why, sizeof(why), "%s", colon ? colon + 2 : m); /* without "EIO: " */
		movi(its, dev, ev, from, &applied);
		msk_err(MSK_EIO, "%s", why);
	}
	return rc;
}

void its_event_inv(struct its *its, struct its_device *dev, uint32_t ev)
{
	struct its_cmd inv;
	bool applied = false;
	its_encode_event(&inv, MSK_ITS_CMD_INV, dev->devid, ev);
	for (unsigned int t = 0; t < ITS_TRIES && !applied; t++)
		its_send_sync(its, &inv, dev->col[ev], &applied);
}

void its_event_unmap(struct its *its, struct its_device *dev, uint32_t ev)
{
	if (dev->mapped[ev] == EV_UNMAPPED)
		return;
	struct its_cmd discard;
	bool applied = false;
	its_encode_event(&discard, MSK_ITS_CMD_DISCARD, dev->devid, ev);
	for (unsigned int t = 0; t < ITS_TRIES && !applied; t++)
		its_send_sync(its, &discard, dev->col[ev], &applied);
	if (applied) {
		if (dev->mapped[ev] == EV_MAPPED)
			its->cpu_lpis[dev->col[ev]]--;
		else
			atomic_fetch_sub(&its->lpis_quarantined, 1);
		dev->mapped[ev] = EV_UNMAPPED;
	} else if (dev->mapped[ev] == EV_MAPPED) {
		its->cpu_lpis[dev->col[ev]]--; /* no longer active: the LPI waits in quarantine */
		dev->mapped[ev] = EV_STALE;
		atomic_fetch_add(&its->lpis_quarantined, 1);
	}
}

/* MAPD V = 0 for a device, tried twice. */
static int device_unmap(struct its *its, struct its_device *dev)
{
	struct its_cmd unmap;
	its_encode_mapd(&unmap, dev->devid, 1, 0, false);
	int rc = 0;
	for (unsigned int t = 0; t < ITS_TRIES; t++) {
		rc = its_send(its, &unmap, 1, NULL);
		if (rc == 0)
			break;
	}
	return rc;
}

void its_device_free(struct its *its, struct its_device *dev)
{
	if (dev->itt_pa)
		gic_ram_free(its->gic->ram, dev->itt_pa, dev->itt_bytes);
	its_lpi_free(&its->lpis, dev->lpi_base, dev->nr_lpis);
	msk_free(dev->used);
	msk_free(dev->mapped);
	msk_free(dev->col);
	msk_free(dev->users);
	msk_free(dev);
}

/* Return the device's LPIs except the quarantined ones; how many went back. */
static uint64_t free_lpis(struct its *its, struct its_device *dev)
{
	uint64_t freed = 0;
	unsigned int run = 0; /* first event of the current run of returnable LPIs */
	for (unsigned int ev = 0; ev <= dev->nr_lpis; ev++) {
		if (ev < dev->nr_lpis && dev->mapped[ev] != EV_STALE)
			continue;
		its_lpi_free(&its->lpis, dev->lpi_base + run, ev - run);
		freed += ev - run;
		run = ev + 1;
	}
	dev->nr_lpis = 0; /* what is left is quarantined for good */
	return freed;
}

void its_device_retire(struct its *its, struct its_device *dev, uint64_t *lpis, uint64_t *itt)
{
	for (unsigned int ev = 0; ev < dev->nr_lpis; ev++)
		if (dev->mapped[ev] == EV_STALE)
			its_event_unmap(its, dev, ev); /* the teardown's own retry */
	int rc = device_unmap(its, dev);
	uint64_t freed = free_lpis(its, dev);
	if (lpis)
		*lpis = freed;
	if (itt)
		*itt = rc == 0 ? dev->itt_bytes : 0;
	if (rc == 0) {
		atomic_fetch_sub(&its->nr_devices, 1);
		its_device_free(its, dev);
		return;
	}
	/* The DTE still points at the ITT: keep it until a MAPD V = 0 works. */
	dev->next = its->zombies;
	its->zombies = dev;
}

int its_zombie_reap(struct its *its, uint32_t devid)
{
	struct its_device **pp = &its->zombies;
	while (*pp && (*pp)->devid != devid)
		pp = &(*pp)->next;
	if (!*pp)
		return 0;
	struct its_device *dev = *pp;
	if (device_unmap(its, dev) < 0)
		return msk_err_context("%s: DeviceID 0x%x is still mapped to the ITT of a removed "
				       "device",
				       its->name, devid);
	*pp = dev->next;
	atomic_fetch_sub(&its->nr_devices, 1);
	its_device_free(its, dev);
	return 0;
}
