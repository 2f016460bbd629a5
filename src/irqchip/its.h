/* SPDX-License-Identifier: MIT */
#ifndef MSK_IRQCHIP_ITS_H
#define MSK_IRQCHIP_ITS_H

/*
 * The GICv3 ITS driver and its MSI parent domain (see gic_v3.h for the
 * files). One mutex (its->lock) serialises the command queue, the device
 * list, the LPI allocator and the device table, as Linux's its->lock and
 * dev_alloc_lock do; it is taken from control paths and from chip
 * callbacks (mask/unmask/set_affinity), never while waiting for delivery.
 */

#include <msikit/msi.h>

#include "irqchip/gic_v3.h"

/* One device domain using an ITS device (several when DeviceIDs alias). */
struct its_user {
	struct msk_irq_domain *domain;
	unsigned int prepares; /* > 1: per-alloc prepare reused the device */
};

/*
 * What the driver knows the ITS holds for one event (its_device.mapped).
 * STALE: a DISCARD failed (twice), so the ITS may still translate the
 * event to its LPI and an RD may still hold that LPI pending: the event
 * and its LPI are quarantined - never handed to another vector or device
 * (its_event.c).
 */
enum its_event_state {
	EV_UNMAPPED = 0,
	EV_MAPPED = 1, /* MAPTI issued: active, counted in cpu_lpis[col] */
	EV_STALE = 2,
};

/* A DeviceID mapped in the ITS (Linux struct its_device). */
struct its_device {
	uint32_t devid;
	unsigned int nvecs;   /* prepared for (power of two) */
	unsigned int nr_ites; /* ITT entries: max(2, nvecs) */
	uint64_t itt_pa, itt_bytes;
	uint32_t lpi_base;
	unsigned int nr_lpis; /* events usable: LPIs granted (may be < nvecs) */
	unsigned int events_used;
	uint8_t *used;	 /* per event: allocated */
	uint8_t *mapped; /* per event: enum its_event_state */
	uint16_t *col;	 /* per event: target CPU / collection */
	struct its_user *users;
	unsigned int nr_users;
	struct its_device *next;
};

/* A command as written to the queue, and its name for messages. */
struct its_cmd {
	uint64_t dw[4];
};

#define ITS_QUEUE_BYTES 0x10000u /* 64 KiB, 2048 commands, as Linux */
#define ITS_PAGE_64K	0x10000u

struct its {
	pthread_mutex_t lock;
	struct msk_bus *bus;
	struct msk_gic *model; /* for the error log only (the stand-in for SEI reports) */
	struct gic_v3 *gic;
	uint64_t base;
	uint64_t typer;
	unsigned int ite_size, id_bits, dev_bits;
	bool stall_policy; /* the ITS stalls on errors (learnt from CREADR.Stalled) */
	/* command queue */
	uint64_t cq_pa;
	uint64_t cq_wr; /* our CWRITER offset */
	/* device table (indirect: level 1 + 64 KiB level-2 pages on demand; or flat) */
	unsigned int dev_baser;
	bool dt_indirect;
	uint64_t dt_pa, dt_bytes, dt_esz;
	uint64_t *dt_l2; /* level-2 page per level-1 entry (0 = none) */
	uint64_t dt_l1_entries;
	/* collection table (flat) */
	unsigned int coll_baser;
	uint64_t ct_pa, ct_bytes;
	/* LPIs */
	struct gic_ranges lpis;
	unsigned int *cpu_lpis; /* per CPU: active LPIs targeted there */
	struct its_device *devices;
	struct its_device *zombies; /* MAPD V=0 failed: the ITS still reads their ITTs */
	/* the MSI parent */
	struct msk_irq_domain *domain;
	struct msk_msi_parent_ops pops;
	char name[32];
	_Atomic bool dead;	    /* the model is gone: touch no hardware */
	void (*release)(void *ctx); /* called when the core removes the domain */
	void *release_ctx;
	/* counters */
	_Atomic uint64_t nr_devices, lpis_in_use, cmd_errors, commands;
	_Atomic uint64_t lpis_quarantined; /* LPIs kept out of use: their DISCARD failed */
};

/* ---- its.c ------------------------------------------------------------------------ */

/*
 * Probe and enable the ITS at `base`: read GITS_TYPER, program the device
 * and collection tables and the command queue in guest RAM, enable it, map
 * one collection per CPU (MAPC + INVALL). 0 or an error; nothing remains
 * on failure.
 */
int its_probe(struct its *its, struct gic_v3 *gic, struct msk_gic *model, uint64_t base);

/* Disable the ITS and free its tables (the domain is gone or detached). */
void its_fini(struct its *its);

/* Make sure the device table can hold DeviceID devid (level-2 page). Lock held. */
int its_device_table_prepare(struct its *its, uint32_t devid);

/* ---- its_cmd.c --------------------------------------------------------------------- */

void its_encode_mapd(struct its_cmd *c, uint32_t devid, unsigned int size_bits, uint64_t itt,
		     bool valid);
void its_encode_mapc(struct its_cmd *c, unsigned int icid, unsigned int rd, bool valid);
void its_encode_mapti(struct its_cmd *c, uint32_t devid, uint32_t event, uint32_t intid,
		      unsigned int icid);
void its_encode_movi(struct its_cmd *c, uint32_t devid, uint32_t event, unsigned int icid);
void its_encode_event(struct its_cmd *c, uint8_t op, uint32_t devid, uint32_t event);
void its_encode_invall(struct its_cmd *c, unsigned int icid);
void its_encode_sync(struct its_cmd *c, unsigned int rd);

/* "MAPTI" etc. */
const char *its_cmd_name(uint8_t opcode);

/*
 * Write `n` commands to the queue, advance CWRITER and poll CREADR until
 * the ITS consumed them. A command the ITS rejected gives -MSK_EIO naming
 * the command and the error, and *failed (may be NULL) = its batch index,
 * else -1; the rejected command had no effect, every other one was
 * executed (the ITS skips the failing command, or the driver restarts a
 * stalled queue past it, replacing it with a SYNC). A queue that stays
 * stalled through ITS_MAX_STALLS restarts is left so (-MSK_EIO; the
 * commands behind the stalled one run when the next call restarts it); a
 * queue that makes no progress gives -MSK_EIO. Lock held. Returns 0 at
 * once when the ITS is gone (platform destroyed).
 */
int its_send(struct its *its, const struct its_cmd *cmds, unsigned int n, int *failed);

/*
 * One command followed by a SYNC of the RD of `cpu` (as Linux does). A
 * SYNC that fails alone is issued again once. 0, or -MSK_EIO; *applied
 * (may be NULL) says whether the command took effect: false when it
 * failed (nothing changed), true when it completed but no SYNC did.
 */
int its_send_sync(struct its *its, const struct its_cmd *cmd, unsigned int cpu, bool *applied);

/* ---- its_lpi.c ------------------------------------------------------------------------ */

/*
 * LPIs for a device: the first free run of `want`, halving the request
 * until something fits (Linux its_lpi_alloc). -MSK_ENOSPC when not even
 * one LPI is free.
 */
int its_lpi_alloc(struct gic_ranges *lpis, unsigned int want, uint32_t *base, unsigned int *got);
void its_lpi_free(struct gic_ranges *lpis, uint32_t base, unsigned int nr);

/* ---- its_event.c ------------------------------------------------------------------------ */

/*
 * The mappings the driver keeps in the ITS, each with what it does when a
 * command fails (lock held; the bookkeeping always follows what the ITS
 * did). Calls that can fail roll back and return -MSK_EIO; those that
 * cannot (unmap, INV) try twice and then keep the driver consistent.
 */

/* MAPTI event -> its LPI on cpu's collection, + SYNC. 0, or -MSK_EIO and the event as it was. */
int its_event_map(struct its *its, struct its_device *dev, uint32_t ev, unsigned int cpu);

/*
 * MOVI a mapped event to cpu's collection, + SYNC, up to `tries` times.
 * 0, or -MSK_EIO with the event where it was (dev->col is the truth).
 */
int its_event_move(struct its *its, struct its_device *dev, uint32_t ev, unsigned int cpu,
		   unsigned int tries);

/* INV + SYNC of a mapped event after its configuration byte changed; tried twice. */
void its_event_inv(struct its *its, struct its_device *dev, uint32_t ev);

/* DISCARD + SYNC (cannot fail): tried twice, then the event is quarantined (EV_STALE). */
void its_event_unmap(struct its *its, struct its_device *dev, uint32_t ev);

/*
 * Take a device out of the ITS after its last user (it is on no list):
 * quarantined events are discarded again, MAPD V = 0 (tried twice), then
 * what the ITS can no longer reach is freed. Events still quarantined keep
 * their LPIs out of the allocator for good; if MAPD V = 0 failed the
 * device stays a zombie (its ITT kept, its->zombies) until its DeviceID is
 * prepared again or the ITS goes. *lpis and *itt (may be NULL) get what
 * was returned, for the contract monitor.
 */
void its_device_retire(struct its *its, struct its_device *dev, uint64_t *lpis, uint64_t *itt);

/*
 * Before DeviceID devid is mapped again: MAPD V = 0 for a zombie with that
 * DeviceID and free it. 0 (none, or reaped) or -MSK_EIO (still mapped).
 */
int its_zombie_reap(struct its *its, uint32_t devid);

/* Free a device's memory: ITT (when itt_pa), LPIs [lpi_base, +nr_lpis), arrays. */
void its_device_free(struct its *its, struct its_device *dev);

/* ---- its_msi.c -------------------------------------------------------------------------- */

/* Create the ITS MSI parent domain. 0 or an error (nothing remains). */
int its_msi_init(struct its *its, struct msk_core *core, bool alloc_dyn);

/* The device mapped with that DeviceID, or NULL. Lock held. */
struct its_device *its_find_device(struct its *its, uint32_t devid);

/* Linux's ITT sizing: events for nvec vectors of DeviceID devid (PCI prepare + ITS). */
unsigned int its_pci_nvecs(uint32_t devid, unsigned int nvec);
unsigned int its_itt_entries(unsigned int nvecs);
uint64_t its_itt_bytes(unsigned int entries, unsigned int ite_size);

#endif
