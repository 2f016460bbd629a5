/* SPDX-License-Identifier: MIT */
/*
 * ITS tables: decoding GITS_BASER<n> (flat or two-level), and reading and
 * writing device and collection table entries in guest RAM (formats in
 * include/msikit/hw_gic.h). Callers hold its.lock.
 */
#include "hw/arm64/gic.h"

/* Writable bits: Size, Page_Size, Shareability, PA, caches, Indirect, Valid. */
#define BASER_RW_MASK                                                                  \
	(0xFFull | (3ull << 8) | (3ull << 10) | 0x0000FFFFFFFFF000ull | (7ull << 53) | \
	 (7ull << 59) | MSK_GITS_BASER_INDIRECT | MSK_GITS_BASER_VALID)
#define L1E_ADDR_MASK 0x000FFFFFFFFFF000ull

static const unsigned int baser_type[2] = { MSK_GITS_BASER_TYPE_DEVICE,
					    MSK_GITS_BASER_TYPE_COLLECTION };

uint64_t its_baser_read(const struct msk_gic *gic, unsigned int n)
{
	if (n > 1)
		return 0;
	return gic->its.baser[n] | (uint64_t)(ITS_ENTRY_SIZE - 1) << 48 |
	       (uint64_t)baser_type[n] << 56;
}

void its_baser_write(struct msk_gic *gic, unsigned int n, uint64_t value)
{
	if (n > 1)
		return;
	value &= BASER_RW_MASK;
	if (((value >> MSK_GITS_BASER_PSZ_SHIFT) & 3) == 3) /* reserved: read back 64 KiB */
		value &= ~(1ull << MSK_GITS_BASER_PSZ_SHIFT);
	gic->its.baser[n] = value;
}

static uint64_t page_size(uint64_t baser)
{
	return 4096ull << (2 * ((baser >> MSK_GITS_BASER_PSZ_SHIFT) & 3));
}

static uint64_t table_pa(uint64_t baser)
{
	uint64_t psz = page_size(baser);
	if (psz == 65536)
		return (baser & 0x0000FFFFFFFF0000ull) | ((baser >> 12) & 0xFull) << 48;
	return baser & 0x0000FFFFFFFFF000ull & ~(psz - 1);
}

enum its_walk its_table_entry(const struct msk_gic *gic, unsigned int n, uint64_t id,
			      uint64_t *addr)
{
	uint64_t baser = gic->its.baser[n];
	if (!(baser & MSK_GITS_BASER_VALID))
		return WALK_INVALID;
	uint64_t psz = page_size(baser);
	uint64_t bytes = ((baser & MSK_GITS_BASER_SIZE) + 1) * psz;
	uint64_t base = table_pa(baser);
	if (!(baser & MSK_GITS_BASER_INDIRECT)) {
		if (id >= bytes / ITS_ENTRY_SIZE)
			return WALK_RANGE;
		*addr = base + id * ITS_ENTRY_SIZE;
		return WALK_OK;
	}
	uint64_t per_page = psz / ITS_ENTRY_SIZE;
	uint64_t l1 = id / per_page;
	if (l1 >= bytes / 8)
		return WALK_RANGE;
	uint64_t l1e;
	if (msk_ram_read64(gic->bus, base + l1 * 8, &l1e) < 0)
		return WALK_FAULT;
	if (!(l1e & MSK_GITS_L1E_VALID))
		return WALK_NO_L2;
	*addr = (l1e & L1E_ADDR_MASK & ~(psz - 1)) + (id % per_page) * ITS_ENTRY_SIZE;
	return WALK_OK;
}

static bool id_fits(uint64_t id, unsigned int bits)
{
	return bits >= 32 || id < (1ull << bits);
}

enum its_walk its_read_dte(const struct msk_gic *gic, uint32_t devid, uint64_t *dte)
{
	uint64_t addr;
	*dte = 0;
	if (!id_fits(devid, gic->cfg.devbits))
		return WALK_RANGE;
	enum its_walk w = its_table_entry(gic, 0, devid, &addr);
	if (w != WALK_OK)
		return w;
	return msk_ram_read64(gic->bus, addr, dte) < 0 ? WALK_FAULT : WALK_OK;
}

enum its_walk its_write_dte(struct msk_gic *gic, uint32_t devid, uint64_t dte)
{
	uint64_t addr;
	if (!id_fits(devid, gic->cfg.devbits))
		return WALK_RANGE;
	enum its_walk w = its_table_entry(gic, 0, devid, &addr);
	if (w != WALK_OK)
		return w;
	return msk_ram_write64(gic->bus, addr, dte) < 0 ? WALK_FAULT : WALK_OK;
}

enum its_walk its_read_cte(const struct msk_gic *gic, uint32_t icid, uint64_t *cte)
{
	uint64_t addr;
	*cte = 0;
	if (!id_fits(icid, gic->cfg.cidbits))
		return WALK_RANGE;
	if (icid < gic->cfg.hcc) {
		uint32_t e = gic->its.hcc_cte[icid];
		*cte = (e & (1u << 31) ? CTE_VALID : 0) | (e & CTE_RD_MASK);
		return WALK_OK;
	}
	enum its_walk w = its_table_entry(gic, 1, icid, &addr);
	if (w != WALK_OK)
		return w;
	return msk_ram_read64(gic->bus, addr, cte) < 0 ? WALK_FAULT : WALK_OK;
}

enum its_walk its_write_cte(struct msk_gic *gic, uint32_t icid, uint64_t cte)
{
	uint64_t addr;
	if (!id_fits(icid, gic->cfg.cidbits))
		return WALK_RANGE;
	if (icid < gic->cfg.hcc) {
		gic->its.hcc_cte[icid] =
			(cte & CTE_VALID ? 1u << 31 : 0) | (uint32_t)(cte & CTE_RD_MASK);
		return WALK_OK;
	}
	enum its_walk w = its_table_entry(gic, 1, icid, &addr);
	if (w != WALK_OK)
		return w;
	return msk_ram_write64(gic->bus, addr, cte) < 0 ? WALK_FAULT : WALK_OK;
}
