/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 model as a whole: configuration, creation and teardown, the
 * LPI configuration cache shared by the redistributors, register access
 * helpers and the introspection calls.
 */
#include "hw/arm64/gic.h"

#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

static int check_config(struct msk_gic_config *c)
{
	if (!c->nr_cpus)
		c->nr_cpus = 1;
	if (!c->lpi_id_bits)
		c->lpi_id_bits = 16;
	if (!c->devbits)
		c->devbits = 16;
	if (!c->eventid_bits)
		c->eventid_bits = 16;
	if (!c->cidbits)
		c->cidbits = 16;
	if (!c->cmds_per_access)
		c->cmds_per_access = 64;
	if (c->nr_cpus > MSK_GIC_MAX_CPUS)
		return msk_err(MSK_EINVAL, "gic: %u CPUs, at most %u", c->nr_cpus,
			       MSK_GIC_MAX_CPUS);
	if (c->lpi_id_bits < 14 || c->lpi_id_bits > 20)
		return msk_err(MSK_EINVAL, "gic: lpi_id_bits %u not in 14..20", c->lpi_id_bits);
	if (c->devbits > 32 || c->eventid_bits > 32)
		return msk_err(MSK_EINVAL, "gic: devbits %u / eventid_bits %u above 32", c->devbits,
			       c->eventid_bits);
	if (c->cidbits > 16 || c->hcc > 255)
		return msk_err(MSK_EINVAL, "gic: cidbits %u (max 16) or hcc %u (max 255)",
			       c->cidbits, c->hcc);
	if (c->cmds_per_access > 4096)
		return msk_err(MSK_EINVAL, "gic: cmds_per_access %u above 4096",
			       c->cmds_per_access);
	if (c->error_policy != MSK_ITS_ERR_SKIP && c->error_policy != MSK_ITS_ERR_STALL)
		return msk_err(MSK_EINVAL, "gic: unknown ITS error policy %d",
			       (int)c->error_policy);
	if ((c->redist_base | c->its_base) & 0xFFFF)
		return msk_err(MSK_EINVAL,
			       "gic: redist_base 0x%llx / its_base 0x%llx not 64 KiB aligned",
			       (unsigned long long)c->redist_base, (unsigned long long)c->its_base);
	if (c->nr_id_maps > MSK_ITS_MAX_ID_MAPS)
		return msk_err(MSK_EINVAL, "gic: %u RID maps, at most %u", c->nr_id_maps,
			       MSK_ITS_MAX_ID_MAPS);
	for (unsigned int i = 0; i < c->nr_id_maps; i++) {
		const struct msk_its_id_map *m = &c->id_map[i];
		if (!m->count || (uint64_t)m->rid_base + m->count > (1ull << 32) ||
		    (uint64_t)m->devid_base + m->count > (1ull << 32))
			return msk_err(MSK_EINVAL,
				       "gic: RID map %u [0x%x, +%u) -> 0x%x is empty or wraps", i,
				       m->rid_base, m->count, m->devid_base);
	}
	return 0;
}

static void free_gic(struct msk_gic *gic)
{
	if (gic->rd) {
		for (unsigned int c = 0; c < gic->cfg.nr_cpus; c++) {
			struct gicr *rd = &gic->rd[c];
			if (rd->chunks) {
				for (unsigned int i = 0; i < gic->nr_chunks; i++)
					msk_free(rd->chunks[i]);
				msk_free(rd->chunks);
			}
			pthread_mutex_destroy(&rd->lock);
		}
		msk_free(gic->rd);
	}
	pthread_mutex_destroy(&gic->its.lock);
	msk_free(gic->its.hcc_cte);
	msk_free((void *)gic->lpi_cfg);
	msk_free(gic);
}

static struct msk_gic *alloc_gic(const struct msk_gic_config *cfg)
{
	struct msk_gic *gic = msk_calloc(1, sizeof(*gic));
	if (!gic)
		return NULL;
	gic->cfg = *cfg;
	gic->lpi_limit = 1u << cfg->lpi_id_bits;
	gic->nr_chunks = (gic->lpi_limit - MSK_GIC_LPI_BASE) >> LPI_CHUNK_SHIFT;
	pthread_mutex_init(&gic->its.lock, NULL);
	gic->lpi_cfg = msk_calloc(gic->lpi_limit - MSK_GIC_LPI_BASE, 1);
	gic->rd = msk_calloc(cfg->nr_cpus, sizeof(*gic->rd));
	if (cfg->hcc)
		gic->its.hcc_cte = msk_calloc(cfg->hcc, sizeof(*gic->its.hcc_cte));
	if (!gic->lpi_cfg || !gic->rd || (cfg->hcc && !gic->its.hcc_cte)) {
		free_gic(gic);
		return NULL;
	}
	for (unsigned int c = 0; c < cfg->nr_cpus; c++) {
		struct gicr *rd = &gic->rd[c];
		pthread_mutex_init(&rd->lock, NULL);
		rd->cpu = c;
		rd->waker = MSK_GICR_WAKER_SLEEP | MSK_GICR_WAKER_ASLEEP;
		rd->chunks = msk_calloc(gic->nr_chunks, sizeof(*rd->chunks));
		if (!rd->chunks) {
			free_gic(gic);
			return NULL;
		}
	}
	return gic;
}

int msk_gic_create(struct msk_bus *bus, const struct msk_gic_config *cfg, struct msk_gic **out)
{
	if (!bus || !cfg || !out)
		return msk_err(MSK_EINVAL, "gic: NULL bus, config or result");
	struct msk_gic_config c = *cfg;
	int rc = check_config(&c);
	if (rc < 0)
		return rc;
	struct msk_gic *gic = alloc_gic(&c);
	if (!gic)
		return msk_err(MSK_ENOMEM, "gic: out of memory for %u CPUs, %u LPI INTID bits",
			       c.nr_cpus, c.lpi_id_bits);
	gic->bus = bus;
	gic->ledger = msk_bus_ledger(bus);
	rc = msk_bus_map(bus, c.redist_base, (uint64_t)c.nr_cpus * MSK_GICR_STRIDE, &gicr_mmio_ops,
			 gic, "gicr");
	if (rc < 0) {
		free_gic(gic);
		return msk_err_context("gic: redistributors at 0x%llx",
				       (unsigned long long)c.redist_base);
	}
	rc = msk_bus_map(bus, c.its_base, MSK_GITS_FRAME_SIZE, &its_mmio_ops, gic, "gits");
	if (rc < 0) {
		msk_bus_unmap(bus, c.redist_base);
		free_gic(gic);
		return msk_err_context("gic: ITS at 0x%llx", (unsigned long long)c.its_base);
	}
	*out = gic;
	return 0;
}

void msk_gic_destroy(struct msk_gic *gic)
{
	if (!gic)
		return;
	msk_bus_unmap(gic->bus, gic->cfg.its_base);
	msk_bus_unmap(gic->bus, gic->cfg.redist_base);
	gicr_drop_all(gic, MSK_LOSS_DEVICE_REMOVED);
	free_gic(gic);
}

unsigned int msk_gic_nr_cpus(const struct msk_gic *gic)
{
	return gic->cfg.nr_cpus;
}

uint64_t msk_gic_held(const struct msk_gic *gic)
{
	return atomic_load(&((struct msk_gic *)gic)->held);
}

uint8_t gic_lpi_cfg(const struct msk_gic *gic, uint32_t intid)
{
	return atomic_load_explicit(&gic->lpi_cfg[intid - MSK_GIC_LPI_BASE], memory_order_relaxed);
}

int msk_gic_lpi_config(const struct msk_gic *gic, uint32_t intid)
{
	if (intid < MSK_GIC_LPI_BASE || intid >= gic->lpi_limit)
		return msk_err(MSK_EINVAL, "gic: INTID %u is not an LPI below %u", intid,
			       gic->lpi_limit);
	return gic_lpi_cfg(gic, intid);
}

/* ---- register access helpers -------------------------------------------- */

bool gic_reg_access(uint64_t off, unsigned int size, uint64_t reg, unsigned int width)
{
	if (width == 8)
		return (size == 8 && off == reg) || (size == 4 && (off == reg || off == reg + 4));
	return size == 4 && off == reg;
}

uint64_t gic_reg_read64(uint64_t reg_val, uint64_t off, unsigned int size)
{
	if (size == 8)
		return reg_val;
	return (off & 4) ? reg_val >> 32 : reg_val & 0xFFFFFFFFull;
}

uint64_t gic_reg_write64(uint64_t reg_val, uint64_t off, unsigned int size, uint64_t value)
{
	if (size == 8)
		return value;
	if (off & 4)
		return (reg_val & 0xFFFFFFFFull) | (value << 32);
	return (reg_val & ~0xFFFFFFFFull) | (value & 0xFFFFFFFFull);
}

/* ---- introspection -------------------------------------------------------- */

int msk_gic_rd_stats(const struct msk_gic *gic, unsigned int cpu, struct msk_gic_rd_stats *out)
{
	if (cpu >= gic->cfg.nr_cpus)
		return msk_err(MSK_EINVAL, "gic: CPU %u >= %u redistributors", cpu,
			       gic->cfg.nr_cpus);
	struct gicr *rd = &gic->rd[cpu];
	pthread_mutex_lock(&rd->lock);
	out->lpis_enabled = rd->lpis_enabled;
	pthread_mutex_unlock(&rd->lock);
	out->pending = atomic_load(&rd->pending);
	out->held = atomic_load(&rd->held);
	out->acks = atomic_load(&rd->acks);
	out->eois = atomic_load(&rd->eois);
	out->kicks = atomic_load(&rd->kicks);
	return 0;
}

void msk_its_stats(const struct msk_gic *gic, struct msk_its_stats *out)
{
	struct its *its = (struct its *)&gic->its;
	memset(out, 0, sizeof(*out));
	out->commands = atomic_load(&its->commands);
	for (int i = 0; i < 16; i++)
		out->by_opcode[i] = atomic_load(&its->by_opcode[i]);
	out->stalls = atomic_load(&its->stalls);
	out->translations = atomic_load(&its->translations);
	out->dropped = atomic_load(&its->dropped);
	out->bad_accesses = atomic_load(&((struct msk_gic *)gic)->bad_accesses);
	pthread_mutex_lock(&its->lock);
	out->errors = its->log_next;
	pthread_mutex_unlock(&its->lock);
}

unsigned int msk_its_errors(const struct msk_gic *gic, struct msk_its_error *out, unsigned int max)
{
	struct its *its = (struct its *)&gic->its;
	pthread_mutex_lock(&its->lock);
	uint64_t n =
		its->log_next < MSK_ITS_ERROR_LOG_SIZE ? its->log_next : MSK_ITS_ERROR_LOG_SIZE;
	if (n > max)
		n = max;
	for (uint64_t i = 0; i < n; i++)
		out[i] = its->log[(its->log_next - n + i) % MSK_ITS_ERROR_LOG_SIZE];
	pthread_mutex_unlock(&its->lock);
	return (unsigned int)n;
}

uint32_t msk_its_last_error(const struct msk_gic *gic)
{
	struct its *its = (struct its *)&gic->its;
	pthread_mutex_lock(&its->lock);
	uint32_t code =
		its->log_next ? its->log[(its->log_next - 1) % MSK_ITS_ERROR_LOG_SIZE].code : 0;
	pthread_mutex_unlock(&its->lock);
	return code;
}

static void dte_info(uint32_t devid, uint64_t dte, struct msk_its_device_info *out)
{
	out->devid = devid;
	out->itt_addr = dte & DTE_ITT_MASK;
	out->nr_events = 2ull << (dte & DTE_SIZE_MASK);
}

int msk_its_device(const struct msk_gic *gic, uint32_t devid, struct msk_its_device_info *out)
{
	struct its *its = (struct its *)&gic->its;
	uint64_t dte = 0;
	pthread_mutex_lock(&its->lock);
	enum its_walk w = its_read_dte(gic, devid, &dte);
	pthread_mutex_unlock(&its->lock);
	if (w == WALK_FAULT || w == WALK_INVALID)
		return msk_err(MSK_EFAULT, "its: device table unreadable for DeviceID 0x%x", devid);
	if (w != WALK_OK || !(dte & DTE_VALID))
		return 0;
	dte_info(devid, dte, out);
	return 1;
}

unsigned int msk_its_mapped_devices(const struct msk_gic *gic, struct msk_its_device_info *out,
				    unsigned int max, uint64_t scan_limit)
{
	struct its *its = (struct its *)&gic->its;
	unsigned int found = 0;
	uint64_t limit = gic->cfg.devbits >= 32 ? (1ull << 32) : (1ull << gic->cfg.devbits);
	pthread_mutex_lock(&its->lock);
	for (uint64_t id = 0, scanned = 0; id < limit && found < max && scanned < scan_limit;
	     scanned++) {
		uint64_t addr, dte;
		enum its_walk w = its_table_entry(gic, 0, id, &addr);
		if (w == WALK_RANGE || w == WALK_INVALID)
			break;
		if (w == WALK_NO_L2 || w == WALK_FAULT) {
			/* Skip the rest of this level-2 page. */
			uint64_t psz = 4096ull << (2 * ((its_baser_read(gic, 0) >> 8) & 3));
			uint64_t per = psz / ITS_ENTRY_SIZE;
			id = (id / per + 1) * per;
			continue;
		}
		if (msk_ram_read64(gic->bus, addr, &dte) == 0 && (dte & DTE_VALID))
			dte_info((uint32_t)id, dte, &out[found++]);
		id++;
	}
	pthread_mutex_unlock(&its->lock);
	return found;
}

int msk_its_lookup(const struct msk_gic *gic, uint32_t devid, uint32_t eventid, uint32_t *intid,
		   unsigned int *cpu, enum msk_loss *reason)
{
	struct its *its = (struct its *)&gic->its;
	struct its_msg m;
	memset(&m, 0, sizeof(m));
	pthread_mutex_lock(&its->lock);
	its_msg_resolve(gic, devid, eventid, &m);
	pthread_mutex_unlock(&its->lock);
	if (m.reason != MSK_LOSS__COUNT) {
		if (reason)
			*reason = m.reason;
		return 0;
	}
	if (intid)
		*intid = m.r.intid;
	if (cpu)
		*cpu = m.r.cpu;
	return 1;
}
