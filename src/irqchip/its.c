/* SPDX-License-Identifier: MIT */
/*
 * ITS probe (Linux its_probe_one / its_alloc_tables / its_cpu_init_collection):
 * GITS_TYPER decides the entry sizes and ID widths; the device table is
 * two-level (64 KiB level-2 pages allocated when a DeviceID first needs
 * one) when the ITS keeps BASER.Indirect, else flat; the collection table
 * is flat; the command queue is 64 KiB. Then the ITS is enabled and each
 * CPU gets collection ICID = CPU, mapped to its redistributor.
 */
#include "irqchip/its.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define BASER_PAGES_MAX 256u
/* Inner-shareable, write-back cacheable (RaWaWb), as Linux asks first. */
#define ITS_ATTRS ((1ull << 10) | (7ull << 59))

static uint64_t rd64(struct its *its, uint64_t off)
{
	uint64_t v = ~0ull;
	msk_bus_read(its->bus, its->base + off, 8, NULL, &v);
	return v;
}

static uint32_t rd32(struct its *its, uint64_t off)
{
	uint64_t v = ~0ull;
	msk_bus_read(its->bus, its->base + off, 4, NULL, &v);
	return (uint32_t)v;
}

static void wr64(struct its *its, uint64_t off, uint64_t v)
{
	msk_bus_write(its->bus, its->base + off, v, 8, NULL);
}

static void wr32(struct its *its, uint64_t off, uint32_t v)
{
	msk_bus_write(its->bus, its->base + off, v, 4, NULL);
}

/* Program BASER<n> with a table of `pages` 64 KiB pages at pa; returns what reads back. */
static uint64_t baser_write(struct its *its, unsigned int n, uint64_t pa, uint64_t pages,
			    bool indirect)
{
	uint64_t v = MSK_GITS_BASER_VALID | ITS_ATTRS | MSK_GITS_BASER_PSZ_64K |
		     (pa & 0x0000FFFFFFFF0000ull) | ((pa >> 48) & 0xF) << 12 | (pages - 1);
	if (indirect)
		v |= MSK_GITS_BASER_INDIRECT;
	wr64(its, MSK_GITS_BASER(n), v);
	return rd64(its, MSK_GITS_BASER(n));
}

static int device_table(struct its *its)
{
	uint64_t esz = its->dt_esz;
	uint64_t ids = 1ull << its->dev_bits;
	uint64_t per_page = ITS_PAGE_64K / esz;
	/* Two-level first, as Linux does when the ITS supports it. */
	its->dt_l1_entries = (ids + per_page - 1) / per_page;
	uint64_t bytes = its->dt_l1_entries * 8;
	uint64_t pages = (bytes + ITS_PAGE_64K - 1) / ITS_PAGE_64K;
	if (pages <= BASER_PAGES_MAX) {
		its->dt_bytes = pages * ITS_PAGE_64K;
		its->dt_l2 = msk_calloc(its->dt_l1_entries, sizeof(*its->dt_l2));
		if (!its->dt_l2)
			return msk_err(MSK_ENOMEM, "%s: out of memory", its->name);
		int rc = gic_ram_alloc(its->gic->ram, its->dt_bytes, ITS_PAGE_64K,
				       "ITS device table (level 1)", &its->dt_pa);
		if (rc < 0)
			return rc;
		uint64_t got = baser_write(its, its->dev_baser, its->dt_pa, pages, true);
		if ((got & MSK_GITS_BASER_VALID) && (got & MSK_GITS_BASER_INDIRECT)) {
			its->dt_indirect = true;
			return 0;
		}
		gic_ram_free(its->gic->ram, its->dt_pa, its->dt_bytes);
		msk_free(its->dt_l2);
		its->dt_l2 = NULL;
		its->dt_pa = 0;
	}
	/* Flat. */
	bytes = ids * esz;
	pages = (bytes + ITS_PAGE_64K - 1) / ITS_PAGE_64K;
	if (pages > BASER_PAGES_MAX)
		return msk_err(
			MSK_ENOTSUP,
			"%s: a flat device table for %u DeviceID bits needs %llu pages (max %u)",
			its->name, its->dev_bits, (unsigned long long)pages, BASER_PAGES_MAX);
	its->dt_bytes = pages * ITS_PAGE_64K;
	int rc = gic_ram_alloc(its->gic->ram, its->dt_bytes, ITS_PAGE_64K, "ITS device table",
			       &its->dt_pa);
	if (rc < 0)
		return rc;
	uint64_t got = baser_write(its, its->dev_baser, its->dt_pa, pages, false);
	if (!(got & MSK_GITS_BASER_VALID))
		return msk_err(MSK_EIO, "%s: BASER%u did not take the device table", its->name,
			       its->dev_baser);
	return 0;
}

static int collection_table(struct its *its, uint64_t esz)
{
	uint64_t pages = ((uint64_t)its->gic->ncpus * esz + ITS_PAGE_64K - 1) / ITS_PAGE_64K;
	its->ct_bytes = pages * ITS_PAGE_64K;
	int rc = gic_ram_alloc(its->gic->ram, its->ct_bytes, ITS_PAGE_64K, "ITS collection table",
			       &its->ct_pa);
	if (rc < 0)
		return rc;
	uint64_t got = baser_write(its, its->coll_baser, its->ct_pa, pages, false);
	if (!(got & MSK_GITS_BASER_VALID))
		return msk_err(MSK_EIO, "%s: BASER%u did not take the collection table", its->name,
			       its->coll_baser);
	return 0;
}

int its_device_table_prepare(struct its *its, uint32_t devid)
{
	if (its->dev_bits < 32 && devid >> its->dev_bits)
		return msk_err(MSK_ERANGE, "%s: DeviceID 0x%x beyond the ITS's %u DeviceID bits",
			       its->name, devid, its->dev_bits);
	if (!its->dt_indirect || atomic_load(&its->dead))
		return 0;
	uint64_t idx = devid / (ITS_PAGE_64K / its->dt_esz);
	if (its->dt_l2[idx])
		return 0;
	uint64_t pa;
	int rc = gic_ram_alloc(its->gic->ram, ITS_PAGE_64K, ITS_PAGE_64K,
			       "ITS device table (level 2)", &pa);
	if (rc < 0)
		return rc;
	rc = msk_ram_write64(its->bus, its->dt_pa + idx * 8, MSK_GITS_L1E_VALID | pa);
	if (rc < 0) {
		gic_ram_free(its->gic->ram, pa, ITS_PAGE_64K);
		return rc;
	}
	its->dt_l2[idx] = pa;
	return 0;
}

static void free_tables(struct its *its)
{
	struct gic_ram *ram = its->gic->ram;
	if (its->dt_l2)
		for (uint64_t i = 0; i < its->dt_l1_entries; i++)
			if (its->dt_l2[i])
				gic_ram_free(ram, its->dt_l2[i], ITS_PAGE_64K);
	msk_free(its->dt_l2);
	its->dt_l2 = NULL;
	if (its->dt_pa)
		gic_ram_free(ram, its->dt_pa, its->dt_bytes);
	if (its->ct_pa)
		gic_ram_free(ram, its->ct_pa, its->ct_bytes);
	if (its->cq_pa)
		gic_ram_free(ram, its->cq_pa, ITS_QUEUE_BYTES);
	its->dt_pa = its->ct_pa = its->cq_pa = 0;
	msk_free(its->cpu_lpis);
	its->cpu_lpis = NULL;
	if (its->lpis.r)
		gic_ranges_destroy(&its->lpis);
}

/* Find the BASER of each type, program tables and queue, enable. */
static int setup(struct its *its)
{
	its->typer = rd64(its, MSK_GITS_TYPER);
	if (!(its->typer & 1))
		return msk_err(MSK_ENODEV, "%s: GITS_TYPER 0x%llx: no physical LPIs", its->name,
			       (unsigned long long)its->typer);
	if (its->typer & (1ull << 19))
		return msk_err(MSK_ENOTSUP, "%s: PTA = 1 (RDbase as addresses) is not supported",
			       its->name);
	its->ite_size = (unsigned)((its->typer >> 4) & 0xF) + 1;
	its->id_bits = (unsigned)((its->typer >> 8) & 0x1F) + 1;
	its->dev_bits = (unsigned)((its->typer >> 13) & 0x1F) + 1;
	if (rd32(its, MSK_GITS_CTLR) & MSK_GITS_CTLR_ENABLED) {
		wr32(its, MSK_GITS_CTLR, 0);
		if (!(rd32(its, MSK_GITS_CTLR) & MSK_GITS_CTLR_QUIESCENT))
			return msk_err(MSK_EBUSY, "%s: does not quiesce", its->name);
	}
	bool have_dev = false, have_coll = false;
	uint64_t coll_esz = 8;
	for (unsigned int n = 0; n < 8; n++) {
		uint64_t v = rd64(its, MSK_GITS_BASER(n));
		unsigned int type = MSK_GITS_BASER_TYPE(v);
		if (type == MSK_GITS_BASER_TYPE_DEVICE && !have_dev) {
			have_dev = true;
			its->dev_baser = n;
			its->dt_esz = MSK_GITS_BASER_ESIZE(v);
		} else if (type == MSK_GITS_BASER_TYPE_COLLECTION && !have_coll) {
			have_coll = true;
			its->coll_baser = n;
			coll_esz = MSK_GITS_BASER_ESIZE(v);
		}
	}
	if (!have_dev || !have_coll)
		return msk_err(MSK_ENODEV, "%s: no device or collection BASER", its->name);
	int rc = device_table(its);
	if (rc == 0)
		rc = collection_table(its, coll_esz);
	if (rc == 0)
		rc = gic_ram_alloc(its->gic->ram, ITS_QUEUE_BYTES, ITS_PAGE_64K,
				   "ITS command queue", &its->cq_pa);
	if (rc < 0)
		return rc;
	wr64(its, MSK_GITS_CBASER,
	     MSK_GITS_CBASER_VALID | ITS_ATTRS | its->cq_pa | (ITS_QUEUE_BYTES / 4096 - 1));
	if (!(rd64(its, MSK_GITS_CBASER) & MSK_GITS_CBASER_VALID))
		return msk_err(MSK_EIO, "%s: CBASER did not take the command queue", its->name);
	its->cq_wr = 0;
	wr64(its, MSK_GITS_CWRITER, 0);
	wr32(its, MSK_GITS_CTLR, MSK_GITS_CTLR_ENABLED);
	if (!(rd32(its, MSK_GITS_CTLR) & MSK_GITS_CTLR_ENABLED))
		return msk_err(MSK_EIO, "%s: GITS_CTLR.Enabled does not stick", its->name);
	for (unsigned int c = 0; c < its->gic->ncpus; c++) {
		struct its_cmd mapc, invall;
		its_encode_mapc(&mapc, c, its->gic->procnum[c], true);
		rc = its_send_sync(its, &mapc, c, NULL);
		if (rc == 0) {
			its_encode_invall(&invall, c);
			rc = its_send(its, &invall, 1, NULL);
		}
		if (rc < 0) /* the probe fails: the ITS is disabled and its tables freed */
			return msk_err_context("%s: collection of CPU %u", its->name, c);
	}
	return 0;
}

int its_probe(struct its *its, struct gic_v3 *gic, struct msk_gic *model, uint64_t base)
{
	memset(its, 0, sizeof(*its));
	its->bus = gic->bus;
	its->gic = gic;
	its->model = model;
	its->base = base;
	snprintf(its->name, sizeof(its->name), "ITS@0x%llx", (unsigned long long)base);
	pthread_mutex_init(&its->lock, NULL);
	int rc = gic_ranges_init(&its->lpis, MSK_GIC_LPI_BASE,
				 (1ull << gic->lpi_bits) - MSK_GIC_LPI_BASE);
	its->cpu_lpis = msk_calloc(gic->ncpus, sizeof(*its->cpu_lpis));
	if (rc == 0 && !its->cpu_lpis)
		rc = msk_err(MSK_ENOMEM, "%s: out of memory", its->name);
	if (rc == 0)
		rc = setup(its);
	if (rc < 0) {
		wr32(its, MSK_GITS_CTLR, 0);
		free_tables(its);
		pthread_mutex_destroy(&its->lock);
		return rc;
	}
	return 0;
}

static void free_devices(struct its_device **list)
{
	while (*list) {
		struct its_device *dev = *list;
		*list = dev->next;
		msk_free(dev->used);
		msk_free(dev->mapped);
		msk_free(dev->col);
		msk_free(dev->users);
		msk_free(dev);
	}
}

void its_fini(struct its *its)
{
	if (!atomic_load(&its->dead))
		wr32(its, MSK_GITS_CTLR, 0);
	/* The ITS is off (or gone): ITTs and LPIs go with the tables. */
	free_devices(&its->devices);
	free_devices(&its->zombies);
	free_tables(its);
	pthread_mutex_destroy(&its->lock);
}
