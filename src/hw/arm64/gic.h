/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_ARM64_GIC_H
#define MSK_HW_ARM64_GIC_H

/*
 * Internals of the GICv3 model (see include/msikit/hw_gic.h for the
 * behaviour). Files by concern:
 *   gic.c        creation, the shared LPI configuration cache, introspection
 *   gicr.c       redistributor registers, pending state, ack/EOI
 *   its_regs.c   ITS control/translation frame registers
 *   its_tables.c BASER decoding and the DTE/CTE/ITE formats in guest RAM
 *   its_cmd.c    the command queue and every command
 *   its_xlate.c  translation of (DeviceID, EventID) to an LPI in an RD
 *
 * Locking: its.lock, then at most two RD locks in CPU order. Counters read
 * without a lock are atomics.
 */

#include "base/injection.h"
#include <msikit/hw_gic.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- redistributors ------------------------------------------------------ */

#define LPI_CHUNK_SHIFT 10
#define LPI_CHUNK	(1u << LPI_CHUNK_SHIFT)

/* Pending state of LPI_CHUNK consecutive LPIs, allocated on first use. */
struct lpi_chunk {
	uint64_t bits[LPI_CHUNK / 64];
	uint64_t weight[LPI_CHUNK];
	unsigned int n; /* bits set */
};

struct gicr {
	pthread_mutex_t lock;
	unsigned int cpu;
	bool lpis_enabled;
	uint64_t propbaser, pendbaser;
	uint32_t waker;
	uint32_t lpi_end;	   /* first INTID beyond this RD's LPIs (while enabled) */
	struct lpi_chunk **chunks; /* gic->nr_chunks slots */
	_Atomic uint64_t pending, held;
	_Atomic uint64_t acks, eois, kicks;
};

/* ---- ITS ------------------------------------------------------------------ */

struct its {
	pthread_mutex_t lock;
	uint32_t ctlr;
	uint64_t cbaser, cwriter, creadr; /* offsets only */
	bool stalled;
	uint64_t baser[2]; /* 0: devices, 1: collections (writable bits) */
	uint32_t *hcc_cte; /* cfg.hcc in-ITS collection entries (CTE format, low 32 bits) */
	struct msk_its_error log[MSK_ITS_ERROR_LOG_SIZE];
	uint64_t log_next;	     /* total errors recorded */
	struct msk_injection inject; /* msk_its_inject_command_error; under its.lock */
	_Atomic uint64_t commands, by_opcode[16], stalls, translations, dropped;
};

struct msk_gic {
	struct msk_bus *bus;
	struct msk_ledger *ledger;
	struct msk_gic_config cfg;
	uint32_t lpi_limit; /* 2^cfg.lpi_id_bits */
	unsigned int nr_chunks;
	_Atomic uint8_t *lpi_cfg; /* configuration cache, index INTID - 8192 */
	struct gicr *rd;
	struct its its;
	_Atomic uint64_t held;
	_Atomic uint64_t bad_accesses;
	bool its_mapped, rd_mapped;
};

/* ---- gic.c ---------------------------------------------------------------- */

/* Cached configuration byte of an LPI below gic->lpi_limit. */
uint8_t gic_lpi_cfg(const struct msk_gic *gic, uint32_t intid);

/* Is a 4- or 8-byte access at `off` a legal access to a register at `reg` of `width` bytes? */
bool gic_reg_access(uint64_t off, unsigned int size, uint64_t reg, unsigned int width);

/* The 4/8-byte window of a 64-bit register value selected by an access. */
uint64_t gic_reg_read64(uint64_t reg_val, uint64_t off, unsigned int size);
uint64_t gic_reg_write64(uint64_t reg_val, uint64_t off, unsigned int size, uint64_t value);

/* ---- gicr.c --------------------------------------------------------------- */

/* Ledger calls for 64-bit weights (split into 32-bit pieces). */
void gic_lose(struct msk_gic *gic, enum msk_loss reason, uint64_t weight);
void gic_deliver(struct msk_gic *gic, uint64_t weight);

extern const struct msk_mmio_ops gicr_mmio_ops;

/*
 * Make `intid` pending in RD `cpu` with `weight`, or lose the weight with
 * the reason. Caller holds no RD lock. Returns true when it is pending.
 */
bool gicr_set_pending(struct msk_gic *gic, unsigned int cpu, uint32_t intid, uint64_t weight);

/*
 * What gicr_set_pending would do, without doing it: MSK_LOSS__COUNT when
 * the RD would take intid (then *enabled = its cached Enable bit), else
 * the loss reason. Caller holds no RD lock.
 */
enum msk_loss gicr_probe(struct msk_gic *gic, unsigned int cpu, uint32_t intid, bool *enabled);

/* Drop the pending state of `intid` in RD `cpu`, losing its weight as `reason`. */
void gicr_clear_pending(struct msk_gic *gic, unsigned int cpu, uint32_t intid,
			enum msk_loss reason);

/* Move the pending state of `intid` (or of every LPI when all) from RD a to b. */
void gicr_move_pending(struct msk_gic *gic, unsigned int from, unsigned int to, bool all,
		       uint32_t intid);

/* Re-read one LPI's (or every LPI's) configuration through RD cpu's PROPBASER. */
void gicr_invalidate(struct msk_gic *gic, unsigned int cpu, bool all, uint32_t intid);

/* Drop every pending LPI of every RD as `reason` (destroy). */
void gicr_drop_all(struct msk_gic *gic, enum msk_loss reason);

/* ---- its_regs.c ----------------------------------------------------------- */

extern const struct msk_mmio_ops its_mmio_ops;

/* ---- its_tables.c --------------------------------------------------------- */

enum its_walk {
	WALK_OK,
	WALK_RANGE,   /* id beyond the table (or the ID width) */
	WALK_NO_L2,   /* level-1 entry not valid */
	WALK_FAULT,   /* table memory outside RAM */
	WALK_INVALID, /* BASER not valid */
};

#define ITS_ENTRY_SIZE 8u
#define DTE_VALID      (1ull << 63)
#define DTE_ITT_MASK   0x000FFFFFFFFFFF00ull
#define DTE_SIZE_MASK  0x1Full
#define CTE_VALID      (1ull << 63)
#define CTE_RD_MASK    0xFFFFull
#define ITE_VALID      (1ull << 63)

/* Register value of BASER<n> as read by software. */
uint64_t its_baser_read(const struct msk_gic *gic, unsigned int n);

/* Write BASER<n> (n = 0, 1) while the ITS is disabled. */
void its_baser_write(struct msk_gic *gic, unsigned int n, uint64_t value);

/* RAM address of entry `id` of table BASER<n>, or why there is none. */
enum its_walk its_table_entry(const struct msk_gic *gic, unsigned int n, uint64_t id,
			      uint64_t *addr);

/* Read a DTE / CTE. ICIDs below hcc read the in-ITS table. */
enum its_walk its_read_dte(const struct msk_gic *gic, uint32_t devid, uint64_t *dte);
enum its_walk its_read_cte(const struct msk_gic *gic, uint32_t icid, uint64_t *cte);
enum its_walk its_write_dte(struct msk_gic *gic, uint32_t devid, uint64_t dte);
enum its_walk its_write_cte(struct msk_gic *gic, uint32_t icid, uint64_t cte);

/* ---- its_xlate.c ---------------------------------------------------------- */

/* A resolved (DeviceID, EventID). */
struct its_route {
	uint64_t dte;
	uint64_t ite_addr;
	uint64_t ite;
	uint32_t intid;
	uint32_t icid;
	bool collection_mapped;
	unsigned int cpu; /* valid when collection_mapped */
};

enum its_resolve {
	RES_OK,
	RES_DEVID_RANGE,
	RES_NO_DEVICE,
	RES_EVENT_RANGE,
	RES_NO_ITE,
	RES_NO_COLLECTION, /* ITE valid; collection unmapped (route filled but !collection_mapped) */
	RES_FAULT,
};

/* Walk DTE, ITE and CTE. Caller holds its.lock (or accepts a racy snapshot). */
enum its_resolve its_resolve(const struct msk_gic *gic, uint32_t devid, uint32_t eventid,
			     struct its_route *r);

/* The loss reason for a failed resolution. */
enum msk_loss its_resolve_loss(enum its_resolve res);

/*
 * The ITS's decision for a message write reaching GITS_TRANSLATER, shared
 * by the data path and msk_gic_msi_route(): pure, its.lock held.
 */
struct its_msg {
	enum msk_loss reason; /* MSK_LOSS__COUNT: translated (r valid) */
	bool bad_size;	      /* the write's size is not 2 or 4 */
	bool have_devid;      /* the RID map gave a DeviceID */
	uint32_t devid, eventid;
	enum its_resolve res;
	struct its_route r;
};

/* Decide a write of `size` bytes of `value` by requester rid (its.lock held). */
void its_msg_decide(const struct msk_gic *gic, uint64_t value, unsigned int size, uint32_t rid,
		    struct its_msg *m);

/* Decide (devid, eventid) past the RID map (its.lock held). */
void its_msg_resolve(const struct msk_gic *gic, uint32_t devid, uint32_t eventid,
		     struct its_msg *m);

/* A message write arriving at GITS_TRANSLATER. */
void its_translater_write(struct msk_gic *gic, uint64_t value, unsigned int size,
			  const struct msk_bus_attrs *attrs);

/* ---- its_cmd.c ------------------------------------------------------------ */

/* Process up to cfg.cmds_per_access commands. Caller holds its.lock. */
void its_process_queue(struct msk_gic *gic);

/* Record a command error in the log. Caller holds its.lock. */
void its_log_error(struct msk_gic *gic, uint32_t code, uint8_t opcode, uint64_t offset);

/* Name a command precisely ("MAPTI DeviceID 0x100 EventID 3 -> LPI 8195 ICID 1"). */
void its_cmd_describe(const uint64_t dw[4], char *buf, size_t size);

#endif
