/* SPDX-License-Identifier: MIT */
/*
 * The GICv3 root: redistributor LPI setup (GICR_PROPBASER, GICR_PENDBASER,
 * EnableLPIs, as Linux's its_cpu_init_lpis) and the root domain "GICv3"
 * whose hwirqs are LPI INTIDs. The entry path looks an acknowledged INTID
 * up there; the chip's irq_eoi writes the EOI of the CPU running it.
 */
#include "irqchip/gic_v3.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

/* ---- the CPU interface of the calling thread ---------------------------------- */

static _Thread_local struct {
	struct gic_v3 *g;
	unsigned int cpu;
	bool eoi;
} cur;

void gic_v3_cpu_enter(struct gic_v3 *g, unsigned int cpu)
{
	cur.g = g;
	cur.cpu = cpu;
	cur.eoi = false;
}

bool gic_v3_cpu_exit(void)
{
	bool eoi = cur.eoi;
	cur.g = NULL;
	return eoi;
}

/* ---- registers ------------------------------------------------------------------- */

static uint64_t rd_addr(struct gic_v3 *g, unsigned int cpu, uint64_t off)
{
	return g->redist_base + (uint64_t)cpu * MSK_GICR_STRIDE + off;
}

static int rd_read(struct gic_v3 *g, unsigned int cpu, uint64_t off, unsigned int size, uint64_t *v)
{
	return msk_bus_read(g->bus, rd_addr(g, cpu, off), size, NULL, v);
}

static int rd_write(struct gic_v3 *g, unsigned int cpu, uint64_t off, uint64_t v, unsigned int size)
{
	return msk_bus_write(g->bus, rd_addr(g, cpu, off), v, size, NULL);
}

int gic_v3_lpi_config(struct gic_v3 *g, uint32_t intid, bool enabled)
{
	if (atomic_load(&g->dead))
		return 0;
	if (intid < MSK_GIC_LPI_BASE || intid - MSK_GIC_LPI_BASE >= g->prop_bytes)
		return msk_err(MSK_EINVAL, "GICv3: INTID %u is not an LPI", intid);
	uint8_t b = (uint8_t)(GIC_V3_LPI_PRIO | MSK_GIC_LPI_PROP_GROUP1 |
			      (enabled ? MSK_GIC_LPI_PROP_ENABLE : 0));
	return msk_ram_write(g->bus, g->prop_pa + intid - MSK_GIC_LPI_BASE, &b, 1);
}

/* One redistributor: wake it, point it at the tables, enable LPIs. */
static int rd_init(struct gic_v3 *g, unsigned int cpu)
{
	uint64_t typer, v;
	if (rd_read(g, cpu, MSK_GICR_TYPER, 8, &typer) < 0)
		return msk_err(MSK_ENODEV, "GICv3: no redistributor for CPU %u at 0x%llx", cpu,
			       (unsigned long long)rd_addr(g, cpu, 0));
	if (!(typer & MSK_GICR_TYPER_PLPIS))
		return msk_err(MSK_ENODEV, "GICv3: redistributor %u has no physical LPIs", cpu);
	g->procnum[cpu] = (unsigned int)MSK_GICR_TYPER_PROCNUM(typer);
	rd_read(g, cpu, MSK_GICR_CTLR, 4, &v);
	if (v & MSK_GICR_CTLR_ENABLE_LPIS)
		return msk_err(MSK_EBUSY, "GICv3: redistributor %u already has LPIs enabled", cpu);
	/* Inner-shareable, write-back cacheable, as Linux programs them. */
	uint64_t attrs = (1ull << 10) | (7ull << 7);
	rd_write(g, cpu, MSK_GICR_WAKER, 0, 4);
	rd_write(g, cpu, MSK_GICR_PROPBASER, g->prop_pa | attrs | (g->lpi_bits - 1), 8);
	rd_write(g, cpu, MSK_GICR_PENDBASER, g->pend_pa[cpu] | attrs | MSK_GICR_PENDBASER_PTZ, 8);
	rd_read(g, cpu, MSK_GICR_PROPBASER, 8, &v);
	if ((v & MSK_GICR_PROPBASER_PA_MASK) != g->prop_pa)
		return msk_err(MSK_EIO, "GICv3: redistributor %u did not take PROPBASER", cpu);
	rd_write(g, cpu, MSK_GICR_CTLR, MSK_GICR_CTLR_ENABLE_LPIS, 4);
	rd_read(g, cpu, MSK_GICR_CTLR, 4, &v);
	if (!(v & MSK_GICR_CTLR_ENABLE_LPIS))
		return msk_err(MSK_EIO, "GICv3: redistributor %u did not enable LPIs", cpu);
	return 0;
}

/* ---- the root domain ------------------------------------------------------------- */

static void gic_v3_eoi(struct msk_irq_data *d)
{
	struct gic_v3 *g = d->chip_data;
	if (cur.g != g || atomic_load(&g->dead))
		return; /* not on a CPU's entry path (a replay): nothing to end */
	msk_gic_eoi(g->model, cur.cpu, (uint32_t)d->hwirq);
	cur.eoi = true;
}

static const struct msk_irq_chip gic_v3_chip = {
	.name = "GICv3",
	.irq_eoi = gic_v3_eoi,
};

static int gic_v3_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	struct gic_v3 *g = msk_domain_host_data(d);
	const struct gic_v3_fwspec *spec = arg;
	if (!spec || spec->intid < MSK_GIC_LPI_BASE ||
	    (uint64_t)spec->intid + nr > (1ull << g->lpi_bits))
		return msk_err(MSK_EINVAL, "GICv3: LPIs [%u, +%u) out of range",
			       spec ? spec->intid : 0, nr);
	for (unsigned int i = 0; i < nr; i++) {
		int rc = msk_domain_set_hwirq_and_chip(d, virq + i, spec->intid + i, &gic_v3_chip,
						       g);
		if (rc < 0) {
			while (i--)
				msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
			return rc;
		}
		msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq + i), MSK_FLOW_FASTEOI);
	}
	return 0;
}

static void gic_v3_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static void gic_v3_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			      size_t size)
{
	struct gic_v3 *g = msk_domain_host_data(d);
	if (irqd)
		snprintf(buf, size, "lpi: %llu\n", (unsigned long long)irqd->hwirq);
	else
		snprintf(buf, size, "redistributors: %u\nlpi_bits: %u\nprop: 0x%llx\n", g->ncpus,
			 g->lpi_bits, (unsigned long long)g->prop_pa);
}

static void gic_v3_destroy(struct msk_irq_domain *d)
{
	struct gic_v3 *g = msk_domain_host_data(d);
	g->domain = NULL;
	if (g->release)
		g->release(g->release_ctx);
}

static const struct msk_irq_domain_ops gic_v3_ops = {
	.alloc = gic_v3_alloc,
	.free = gic_v3_free,
	.debug_show = gic_v3_debug_show,
	.destroy = gic_v3_destroy,
};

/* ---- setup ---------------------------------------------------------------------- */

static void free_tables(struct gic_v3 *g)
{
	if (g->pend_pa)
		for (unsigned int c = 0; c < g->ncpus; c++)
			if (g->pend_pa[c])
				gic_ram_free(g->ram, g->pend_pa[c], g->pend_bytes);
	if (g->prop_pa)
		gic_ram_free(g->ram, g->prop_pa, g->prop_bytes);
	msk_free(g->pend_pa);
	msk_free(g->procnum);
	g->pend_pa = NULL;
	g->procnum = NULL;
	g->prop_pa = 0;
}

int gic_v3_init(struct gic_v3 *g, struct msk_core *core, struct msk_bus *bus, struct msk_gic *model,
		struct gic_ram *ram, uint64_t redist_base, unsigned int ncpus,
		unsigned int lpi_bits)
{
	memset(g, 0, sizeof(*g));
	g->core = core;
	g->bus = bus;
	g->model = model;
	g->ram = ram;
	g->redist_base = redist_base;
	g->ncpus = ncpus;
	g->lpi_bits = lpi_bits;
	/* One configuration byte per LPI; one pending bit per INTID (64 KiB aligned). */
	g->prop_bytes = (1ull << lpi_bits) - MSK_GIC_LPI_BASE;
	g->pend_bytes = (1ull << lpi_bits) / 8;
	if (g->pend_bytes < 0x10000)
		g->pend_bytes = 0x10000;
	g->pend_pa = msk_calloc(ncpus, sizeof(*g->pend_pa));
	g->procnum = msk_calloc(ncpus, sizeof(*g->procnum));
	if (!g->pend_pa || !g->procnum) {
		free_tables(g);
		return msk_err(MSK_ENOMEM, "GICv3: out of memory");
	}
	int rc = gic_ram_alloc(ram, g->prop_bytes, 0x1000, "LPI configuration table", &g->prop_pa);
	for (unsigned int c = 0; rc == 0 && c < ncpus; c++)
		rc = gic_ram_alloc(ram, g->pend_bytes, 0x10000, "LPI pending table",
				   &g->pend_pa[c]);
	for (unsigned int c = 0; rc == 0 && c < ncpus; c++)
		rc = rd_init(g, c);
	if (rc == 0) {
		struct msk_irq_domain_info info = { .name = "GICv3",
						    .ops = &gic_v3_ops,
						    .host_data = g,
						    .hwirq_max = 1ull << lpi_bits,
						    .bus_token = MSK_DOMAIN_BUS_WIRED };
		rc = msk_domain_create(core, &info, &g->domain);
	}
	if (rc < 0) {
		free_tables(g);
		return rc;
	}
	return 0;
}

void gic_v3_fini(struct gic_v3 *g)
{
	free_tables(g);
}
