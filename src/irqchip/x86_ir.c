/* SPDX-License-Identifier: MIT */
/*
 * INTEL-IR-0: the VT-d interrupt-remapping domain between the devices'
 * MSI domains and VECTOR (Linux drivers/iommu/intel/irq_remapping.c).
 *
 * The driver reaches the remapping unit only as a kernel does: its
 * registers through bus accesses (IRTA, GCMD/GSTS) and the IRTE table in
 * guest RAM (carved from the platform's table area). Compatibility-format
 * interrupts stay blocked (CFI off).
 *
 * Per virq: one IRTE. An allocation of nr virqs (multi-MSI) takes a
 * naturally aligned block of the next power of two of consecutive IRTEs
 * from a bitmap; virq i of the block uses IRTE base + i and hwirq
 * (base << 16 | i). The device's message is remappable: handle = base,
 * SHV = 1, data = sub-handle i (multi-MSI devices OR the vector number
 * into the data, so vector i lands on IRTE base + i).
 *
 * IRTE contents: present, Fixed delivery, physical destination = the
 * APIC ID of the VECTOR level's CPU (xAPIC format, DST[15:8]), vector =
 * the VECTOR level's vector, SID = the device's requester ID with SVT=01,
 * SQ=00 (all 16 bits checked). Written at activation (also a reserving
 * one: it then carries the shutdown vector), rewritten - the low half
 * only, one atomic 64-bit store - on every affinity change, which never
 * changes the device's message (MSK_IRQ_SET_MASK_OK_DONE); cleared (P=0)
 * at deactivation and free.
 */
#include "irqchip/x86_internal.h"

#include <msikit/pci.h>

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define IR_MAX_ENTRIES 65536u
#define IR_POLL_LIMIT  1000u

struct x86_ir {
	uint64_t regs;	      /* register block */
	uint64_t table;	      /* IRTE table in guest RAM */
	unsigned int entries; /* 2^(S+1) */
	unsigned int s;
	uint64_t *bitmap; /* used IRTEs, under vector_lock */
	unsigned int used;
};

/* A block of consecutive IRTEs shared by the virqs of one allocation. */
struct ir_block {
	unsigned int base, size, refs;
};

/* Per virq at the INTEL-IR-0 level. */
struct ir_data {
	struct x86_vector *p;
	struct ir_block *blk;
	unsigned int index;	 /* blk->base + sub_handle */
	unsigned int sub_handle; /* i in the block */
	uint16_t sid;		 /* the device's requester ID */
	bool present;		 /* IRTE written with P=1 */
	struct msk_irq_domain *dev_domain;
};

/* ---- registers ---------------------------------------------------------------------- */

static uint64_t reg_read(struct x86_vector *p, unsigned int off, unsigned int size)
{
	uint64_t v = 0;
	msk_bus_read(p->bus, p->ir->regs + off, size, NULL, &v);
	return v;
}

static void reg_write(struct x86_vector *p, unsigned int off, uint64_t v, unsigned int size)
{
	msk_bus_write(p->bus, p->ir->regs + off, v, size, NULL);
}

/* Write GCMD and wait until GSTS shows `bit` == `want`. */
static int gcmd_wait(struct x86_vector *p, uint32_t cmd, uint32_t bit, bool want)
{
	reg_write(p, MSK_VTD_GCMD_REG, cmd, 4);
	for (unsigned int i = 0; i < IR_POLL_LIMIT; i++) {
		uint32_t sts = (uint32_t)reg_read(p, MSK_VTD_GSTS_REG, 4);
		if (!!(sts & bit) == want)
			return 0;
	}
	return msk_err(MSK_EIO, "INTEL-IR-0: GSTS bit 0x%x did not become %d after GCMD 0x%x", bit,
		       want, cmd);
}

/* ---- the IRTE bitmap ------------------------------------------------------------------ */

static bool bit_test(const uint64_t *b, unsigned int i)
{
	return (b[i / 64] >> (i % 64)) & 1;
}

/* A naturally aligned free block of `size` (a power of two) IRTEs, or -1. */
static int find_block(const struct x86_ir *ir, unsigned int size)
{
	for (unsigned int base = 0; base + size <= ir->entries; base += size) {
		unsigned int k = 0;
		while (k < size && !bit_test(ir->bitmap, base + k))
			k++;
		if (k == size)
			return (int)base;
	}
	return -1;
}

static void set_range(struct x86_ir *ir, unsigned int base, unsigned int size, bool used)
{
	for (unsigned int i = base; i < base + size; i++) {
		if (used)
			ir->bitmap[i / 64] |= 1ull << (i % 64);
		else
			ir->bitmap[i / 64] &= ~(1ull << (i % 64));
	}
	ir->used = used ? ir->used + size : ir->used - size;
}

/* ---- IRTEs in RAM ------------------------------------------------------------------------ */

static uint64_t irte_addr(struct x86_ir *ir, unsigned int index)
{
	return ir->table + (uint64_t)index * 16;
}

static uint64_t irte_lo(struct x86_vector *p, struct msk_irq_data *irqd)
{
	struct msk_irq_data *vd = irqd->parent_data;
	struct x86_apicd *a = vd->chip_data;
	uint64_t vector = atomic_load(&a->vector), cpu = atomic_load(&a->cpu);
	return MSK_IRTE_LO_P | (uint64_t)MSK_APIC_DM_FIXED << MSK_IRTE_LO_DLM_SHIFT |
	       vector << MSK_IRTE_LO_V_SHIFT |
	       ((uint64_t)x86_apic_id(p, (unsigned int)cpu) & 0xFF) << (MSK_IRTE_LO_DST_SHIFT + 8);
}

static uint64_t irte_hi(const struct ir_data *ird)
{
	return (uint64_t)ird->sid | (uint64_t)0 << MSK_IRTE_HI_SQ_SHIFT |
	       (uint64_t)MSK_IRTE_SVT_MASKED << MSK_IRTE_HI_SVT_SHIFT;
}

/* Write a whole IRTE: the high half first, then the low half with P. */
static void irte_write(struct x86_vector *p, struct msk_irq_data *irqd)
{
	struct ir_data *ird = irqd->chip_data;
	uint64_t at = irte_addr(p->ir, ird->index);
	if (!ird->present)
		msk_ram_write64(p->bus, at + 8, irte_hi(ird));
	msk_ram_write64(p->bus, at, irte_lo(p, irqd));
	ird->present = true;
}

static void irte_clear(struct x86_vector *p, struct ir_data *ird)
{
	uint64_t at = irte_addr(p->ir, ird->index);
	msk_ram_write64(p->bus, at, 0); /* P = 0 first: the entry is dead */
	msk_ram_write64(p->bus, at + 8, 0);
	ird->present = false;
}

/* ---- the chip --------------------------------------------------------------------------- */

static int ir_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct ir_data *ird = d->chip_data;
	struct x86_vector *p = ird->p;
	int rc = msk_irq_chip_set_affinity_parent(d, mask, force);
	if (rc < 0)
		return rc;
	pthread_mutex_lock(&p->vector_lock);
	if (ird->present)
		irte_write(p, d); /* the low half only: one atomic store */
	pthread_mutex_unlock(&p->vector_lock);
	return MSK_IRQ_SET_MASK_OK_DONE;
}

static void ir_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	struct ir_data *ird = d->chip_data;
	msg->address_lo = msk_x86_msi_remap_addr((uint16_t)ird->blk->base, true);
	msg->address_hi = 0;
	msg->data = ird->sub_handle;
}

static const struct msk_irq_chip ir_chip = {
	.name = "INTEL-IR",
	.irq_ack = msk_irq_chip_ack_parent,
	.irq_set_affinity = ir_set_affinity,
	.irq_compose_msi_msg = ir_compose,
};

/* ---- the domain ---------------------------------------------------------------------------- */

static struct x86_vector *plat_of(struct msk_irq_domain *d)
{
	return msk_domain_host_data(d);
}

static void ir_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	struct x86_vector *p = plat_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *irqd = msk_domain_get_irq_data(d, virq + i);
		struct ir_data *ird = irqd ? irqd->chip_data : NULL;
		if (!ird)
			continue;
		pthread_mutex_lock(&p->vector_lock);
		irte_clear(p, ird);
		struct ir_block *blk = ird->blk;
		if (--blk->refs == 0) {
			set_range(p->ir, blk->base, blk->size, false);
			msk_free(blk);
		}
		pthread_mutex_unlock(&p->vector_lock);
		if (ird->dev_domain)
			msk_msi_monitor_resource(ird->dev_domain, "irte", -1);
		msk_free(ird);
		msk_domain_reset_irq_data(irqd);
	}
	msk_domain_free_irqs_parent(d, virq, nr);
}

static int ir_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *argp)
{
	struct x86_vector *p = plat_of(d);
	struct msk_msi_alloc_info *arg = argp;
	if (!arg || !arg->desc || !arg->desc->dev || !arg->flags)
		return msk_err(MSK_EINVAL, "INTEL-IR-0: virq %u: not a PCI MSI allocation", virq);
	struct msk_pci_dev *pdev = msk_device_bus_data(arg->desc->dev);
	if (!pdev)
		return msk_err(MSK_EINVAL, "INTEL-IR-0: device %s is not a PCI device",
			       msk_device_name(arg->desc->dev));
	uint16_t sid = msk_pci_rid(pdev);
	unsigned int size = 1;
	while (size < nr)
		size <<= 1;
	struct ir_block *blk = msk_calloc(1, sizeof(*blk));
	struct ir_data **ird = msk_calloc(nr, sizeof(*ird));
	bool ok = blk && ird;
	for (unsigned int i = 0; ok && i < nr; i++)
		ok = (ird[i] = msk_calloc(1, sizeof(**ird))) != NULL;
	int rc = 0;
	if (!ok) {
		rc = msk_err(MSK_ENOMEM, "INTEL-IR-0: %u IRTEs", nr);
		goto fail;
	}
	rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
	if (rc < 0)
		goto fail;
	pthread_mutex_lock(&p->vector_lock);
	int base = size <= p->ir->entries ? find_block(p->ir, size) : -1;
	if (base >= 0)
		set_range(p->ir, (unsigned int)base, size, true);
	unsigned int used = p->ir->used, entries = p->ir->entries;
	pthread_mutex_unlock(&p->vector_lock);
	if (base < 0) {
		rc = msk_err(MSK_ENOSPC, "INTEL-IR-0: no block of %u free IRTEs (%u of %u in use)",
			     size, used, entries);
		msk_domain_free_irqs_parent(d, virq, nr);
		goto fail;
	}
	blk->base = (unsigned int)base;
	blk->size = size;
	blk->refs = nr;
	struct msk_irq_data *top = msk_desc_irq_data(msk_domain_get_irq_data(d, virq)->desc);
	struct msk_irq_domain *dev_domain =
		top && msk_msi_domain_get_info(top->domain) ? top->domain : NULL;
	for (unsigned int i = 0; i < nr; i++) {
		ird[i]->p = p;
		ird[i]->blk = blk;
		ird[i]->sub_handle = i;
		ird[i]->index = blk->base + i;
		ird[i]->sid = sid;
		ird[i]->dev_domain = dev_domain;
		msk_domain_set_hwirq_and_chip(d, virq + i, (uint64_t)blk->base << 16 | i, &ir_chip,
					      ird[i]);
	}
	if (dev_domain)
		msk_msi_monitor_resource(dev_domain, "irte", nr);
	msk_free(ird);
	return 0;
fail:
	for (unsigned int i = 0; ird && i < nr; i++)
		msk_free(ird[i]);
	msk_free(ird);
	msk_free(blk);
	return rc;
}

static int ir_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct x86_vector *p = plat_of(d);
	pthread_mutex_lock(&p->vector_lock);
	irte_write(p, irqd);
	pthread_mutex_unlock(&p->vector_lock);
	return 0;
}

static void ir_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	struct x86_vector *p = plat_of(d);
	pthread_mutex_lock(&p->vector_lock);
	irte_clear(p, irqd->chip_data);
	pthread_mutex_unlock(&p->vector_lock);
}

static void ir_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			  size_t size)
{
	struct x86_vector *p = plat_of(d);
	pthread_mutex_lock(&p->vector_lock);
	if (!irqd) {
		snprintf(buf, size, "IRTEs: %u of %u in use, table at 0x%llx", p->ir->used,
			 p->ir->entries, (unsigned long long)p->ir->table);
	} else {
		struct ir_data *ird = irqd->chip_data;
		if (ird)
			snprintf(buf, size, "irte: %u sub_handle: %u sid: %04x present: %d",
				 ird->index, ird->sub_handle, ird->sid, ird->present);
		else
			snprintf(buf, size, "%s", "");
	}
	pthread_mutex_unlock(&p->vector_lock);
}

static const struct msk_irq_domain_ops ir_ops = {
	.alloc = ir_alloc,
	.free = ir_free,
	.activate = ir_activate,
	.deactivate = ir_deactivate,
	.debug_show = ir_debug_show,
};

static const struct msk_msi_parent_ops ir_msi_parent_ops = {
	.supported_flags = MSK_MSI_FLAG_PCI_MSIX | MSK_MSI_FLAG_PCI_MSIX_ALLOC_DYN |
			   MSK_MSI_FLAG_MULTI_PCI_MSI | MSK_MSI_FLAG_PCI_IMS,
	.required_flags = MSK_MSI_FLAG_USE_DEF_DOM_OPS | MSK_MSI_FLAG_USE_DEF_CHIP_OPS,
	.chip_flags = MSK_MSI_CHIP_FLAG_SET_ACK,
	.bus_select_token = MSK_DOMAIN_BUS_DMAR,
	.prefix = "IR-",
	.init_dev_msi_info = msk_msi_parent_init_dev_msi_info,
};

/* ---- bring-up and teardown --------------------------------------------------------------- */

int x86_ir_init(struct x86_vector *p)
{
	if (p->table_base & 0xFFF)
		return msk_err(MSK_EINVAL, "INTEL-IR-0: table base 0x%llx is not 4 KiB aligned",
			       (unsigned long long)p->table_base);
	if (p->table_size < 4096 || !msk_ram_contains(p->bus, p->table_base, 4096))
		return msk_err(MSK_EINVAL,
			       "INTEL-IR-0: the table area [0x%llx, +0x%llx) must be RAM of at "
			       "least 4 KiB",
			       (unsigned long long)p->table_base,
			       (unsigned long long)p->table_size);
	struct x86_ir *ir = msk_calloc(1, sizeof(*ir));
	if (!ir)
		return msk_err(MSK_ENOMEM, "INTEL-IR-0");
	p->ir = ir;
	ir->regs = p->ir_regs;
	ir->table = p->table_base;
	/* The largest 2^(S+1) entries of 16 bytes that fit, at most 65536 (S = 15). */
	uint64_t fit = p->table_size / 16;
	if (!msk_ram_contains(p->bus, p->table_base, p->table_size))
		fit = 256;
	ir->entries = 2;
	ir->s = 0;
	while (ir->entries * 2 <= fit && ir->entries < IR_MAX_ENTRIES) {
		ir->entries *= 2;
		ir->s++;
	}
	ir->bitmap = msk_calloc(ir->entries / 64 + 1, sizeof(uint64_t));
	if (!ir->bitmap)
		return msk_err(MSK_ENOMEM, "INTEL-IR-0: bitmap of %u IRTEs", ir->entries);

	if (!(reg_read(p, MSK_VTD_ECAP_REG, 8) & MSK_VTD_ECAP_IR))
		return msk_err(MSK_ENODEV, "INTEL-IR-0: the unit does not offer remapping");
	/* A clean table: every IRTE not present. */
	static const uint8_t zero[4096];
	for (uint64_t off = 0; off < (uint64_t)ir->entries * 16; off += sizeof(zero))
		msk_ram_write(p->bus, ir->table + off, zero, sizeof(zero));
	reg_write(p, MSK_VTD_IRTA_REG, ir->table | ir->s, 8); /* EIME = 0: xAPIC */
	int rc = gcmd_wait(p, MSK_VTD_GCMD_SIRTP, MSK_VTD_GSTS_IRTPS, true);
	if (rc == 0)
		rc = gcmd_wait(p, MSK_VTD_GCMD_IRE, MSK_VTD_GSTS_IRES, true);
	if (rc < 0)
		return rc;

	struct msk_irq_domain_info di = {
		.name = "INTEL-IR-0",
		.ops = &ir_ops,
		.parent = p->vector_domain,
		.host_data = p,
		.bus_token = MSK_DOMAIN_BUS_DMAR,
		.flags = MSK_DOMAIN_FLAG_ISOLATED_MSI,
	};
	rc = msk_domain_create(p->core, &di, &p->ir_domain);
	if (rc == 0)
		rc = msk_msi_set_parent_ops(p->ir_domain, &ir_msi_parent_ops);
	if (rc < 0)
		return rc;
	/* The unit reports its faults through the fault event interrupt. */
	return x86_dmar_init(p);
}

void x86_ir_fini(struct x86_vector *p)
{
	if (!p->ir)
		return;
	if (p->ir->bitmap) /* remapping off, as at shutdown */
		reg_write(p, MSK_VTD_GCMD_REG, 0, 4);
	msk_free(p->ir->bitmap);
	msk_free(p->ir);
	p->ir = NULL;
}

void x86_ir_counts(struct x86_vector *p, unsigned int *used, unsigned int *size)
{
	*used = p->ir ? p->ir->used : 0;
	*size = p->ir ? p->ir->entries : 0;
}

bool x86_ir_lookup(struct x86_vector *p, unsigned int virq, unsigned int *index,
		   unsigned int *sub_handle)
{
	if (!p->ir_domain)
		return false;
	struct msk_irq_data *irqd = msk_domain_get_irq_data(p->ir_domain, virq);
	struct ir_data *ird = irqd ? irqd->chip_data : NULL;
	if (!ird)
		return false;
	*index = ird->index;
	*sub_handle = ird->sub_handle;
	return true;
}
