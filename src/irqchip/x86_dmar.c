/* SPDX-License-Identifier: MIT */
/*
 * The VT-d fault event interrupt (Linux drivers/iommu/intel/dmar.c:
 * dmar_set_interrupt, dmar_fault; the DMAR-MSI irq domain of
 * arch/x86/kernel/apic/msi.c).
 *
 * The remapping unit reports faults by recording them in its fault
 * recording registers and sending the fault event message programmed in
 * FEDATA/FEADDR/FEUADDR, gated by FECTL.IM. The IR driver allocates one
 * virq for it in "DMAR-MSI", a domain with VECTOR as parent: activation
 * writes the vector's compatibility-format message into the FE
 * registers (never remapped: the unit sends it untranslated), mask and
 * unmask are FECTL.IM, an affinity change rewrites the message. The
 * handler, like Linux's, reads FSTS and, if a primary fault is pending,
 * walks the records from FSTS.FRI: reads reason, source-id and index,
 * clears F (write 1 to clear), logs the fault, and goes on while the next
 * record holds one; then it writes FSTS back to clear PFO. A fault
 * recorded after that raises a new event: faults are never left
 * unserviced.
 *
 * Instead of a kernel log, the handler keeps the last X86_DMAR_LOG faults
 * (x86_dmar_fault_log, msk_x86_platform_ir_fault_log) and counts them ("ir_faults").
 */
#include "irqchip/x86_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"

#define FRCD_F	     (1u << 31) /* bit 127: dword 3, bit 31 */
#define FRCD_FR_MASK 0xFFu	/* bits 103:96: dword 3, bits 7:0 */

struct x86_dmar {
	struct x86_vector *p;
	uint64_t regs;	   /* the unit's register block */
	unsigned int fro;  /* offset of the first fault recording register */
	unsigned int nfr;  /* number of fault recording registers */
	unsigned int virq; /* the fault event virq (0: none) */
	/* Linux's register_lock: FE* programming, the record walk, the log. */
	pthread_mutex_t lock;
	struct x86_ir_fault log[X86_DMAR_LOG]; /* a ring, log[serviced % X86_DMAR_LOG] next */
	uint64_t serviced;		       /* records read and cleared */
	uint64_t overflows;		       /* FSTS.PFO found set */
	uint64_t events;		       /* handler runs */
};

/* What each interrupt-remapping fault reason means (reason - 0x20). */
static const char *const reason_text[MSK_VTD_FR_COUNT] = {
	"reserved fields set in the interrupt request",
	"interrupt index beyond the remapping table",
	"IRTE not present",
	"error reading the remapping table at IRTA",
	"reserved fields set in the IRTE",
	"compatibility-format interrupt blocked",
	"source-id verification failed",
};

static uint32_t rd32(struct x86_dmar *dm, unsigned int off)
{
	uint64_t v = 0;
	msk_bus_read(dm->p->bus, dm->regs + off, 4, NULL, &v);
	return (uint32_t)v;
}

static uint64_t rd64(struct x86_dmar *dm, unsigned int off)
{
	uint64_t v = 0;
	msk_bus_read(dm->p->bus, dm->regs + off, 8, NULL, &v);
	return v;
}

static void wr32(struct x86_dmar *dm, unsigned int off, uint32_t v)
{
	msk_bus_write(dm->p->bus, dm->regs + off, v, 4, NULL);
}

/* Log one fault record (dm->lock held). */
static void log_fault(struct x86_dmar *dm, uint8_t reason, uint16_t sid, uint16_t index)
{
	struct x86_ir_fault *f = &dm->log[dm->serviced % X86_DMAR_LOG];
	f->reason = reason;
	f->sid = sid;
	f->index = index;
	unsigned int r = reason - MSK_VTD_FR_FIRST;
	snprintf(f->text, sizeof(f->text),
		 "INTR-REMAP: device [%02x:%02x.%u] index 0x%x: fault reason 0x%02x: %s", sid >> 8,
		 (sid >> 3) & 0x1Fu, sid & 7u, index, reason,
		 r < MSK_VTD_FR_COUNT ? reason_text[r] : "unknown reason");
	dm->serviced++;
}

/*
 * Read, log and clear every pending primary fault record, then clear
 * FSTS (Linux dmar_fault); `event`: called for a fault event. The walk
 * ends at the first record without F: it only goes on while faults keep
 * arriving faster than they are cleared.
 */
static void service_faults(struct x86_dmar *dm, bool event)
{
	pthread_mutex_lock(&dm->lock);
	if (event)
		dm->events++;
	uint32_t fsts = rd32(dm, MSK_VTD_FSTS_REG);
	if (fsts & MSK_VTD_FSTS_PPF) {
		unsigned int i = (fsts >> MSK_VTD_FSTS_FRI_SHIFT) & 0xFFu;
		if (i >= dm->nfr)
			i = 0;
		for (;;) {
			unsigned int off = dm->fro + i * 16;
			uint32_t hi = rd32(dm, off + 12);
			if (!(hi & FRCD_F))
				break;
			uint16_t sid = (uint16_t)(rd32(dm, off + 8) & MSK_VTD_FRCD_HI_SID_MASK);
			uint64_t lo = rd64(dm, off);
			wr32(dm, off + 12, FRCD_F);
			log_fault(dm, (uint8_t)(hi & FRCD_FR_MASK), sid,
				  (uint16_t)(lo >> MSK_VTD_FRCD_LO_INDEX_SHIFT));
			i = (i + 1) % dm->nfr;
		}
	}
	/* Clear the rest: PFO (write 1 to clear); PPF follows the F bits. */
	fsts = rd32(dm, MSK_VTD_FSTS_REG);
	if (fsts & MSK_VTD_FSTS_PFO)
		dm->overflows++;
	wr32(dm, MSK_VTD_FSTS_REG, fsts);
	pthread_mutex_unlock(&dm->lock);
}

static enum msk_irqreturn dmar_fault(unsigned int virq, unsigned int cpu, void *dev_id)
{
	service_faults(dev_id, true);
	return MSK_IRQ_HANDLED;
}

/* ---- the chip and the domain ---------------------------------------------------------- */

static void dmar_mask(struct msk_irq_data *d)
{
	struct x86_dmar *dm = d->chip_data;
	pthread_mutex_lock(&dm->lock);
	wr32(dm, MSK_VTD_FECTL_REG, MSK_VTD_FECTL_IM);
	pthread_mutex_unlock(&dm->lock);
}

static void dmar_unmask(struct msk_irq_data *d)
{
	struct x86_dmar *dm = d->chip_data;
	pthread_mutex_lock(&dm->lock);
	wr32(dm, MSK_VTD_FECTL_REG, 0);
	pthread_mutex_unlock(&dm->lock);
}

static void dmar_write_msg(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	struct x86_dmar *dm = d->chip_data;
	pthread_mutex_lock(&dm->lock);
	wr32(dm, MSK_VTD_FEDATA_REG, msg->data);
	wr32(dm, MSK_VTD_FEADDR_REG, msg->address_lo);
	wr32(dm, MSK_VTD_FEUADDR_REG, msg->address_hi);
	pthread_mutex_unlock(&dm->lock);
}

static const struct msk_irq_chip dmar_chip = {
	.name = "DMAR-MSI",
	.irq_mask = dmar_mask,
	.irq_unmask = dmar_unmask,
	.irq_ack = msk_irq_chip_ack_parent,
	.irq_set_affinity = msk_msi_domain_set_affinity,
	.irq_write_msi_msg = dmar_write_msg,
};

static int dmar_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	struct x86_dmar *dm = msk_domain_host_data(d);
	if (nr != 1)
		return msk_err(MSK_EINVAL, "DMAR-MSI: %u virqs for one fault event", nr);
	int rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
	if (rc < 0)
		return rc;
	rc = msk_domain_set_hwirq_and_chip(d, virq, 0, &dmar_chip, dm);
	if (rc < 0) {
		msk_domain_free_irqs_parent(d, virq, nr);
		return rc;
	}
	msk_irq_data_set_flow(msk_domain_get_irq_data(d, virq), MSK_FLOW_EDGE);
	return 0;
}

/* Program the fault event message with what VECTOR composes. */
static int dmar_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct msk_msi_msg msg;
	int rc = msk_irq_chip_compose_msi_msg(irqd, &msg);
	if (rc < 0)
		return rc;
	dmar_write_msg(irqd, &msg);
	return 0;
}

static void dmar_deactivate(struct msk_irq_domain *d, struct msk_irq_data *irqd)
{
	static const struct msk_msi_msg none = { 0, 0, 0 };
	dmar_write_msg(irqd, &none); /* an event now reaches no APIC */
}

static void dmar_debug_show(struct msk_irq_domain *d, struct msk_irq_data *irqd, char *buf,
			    size_t size)
{
	struct x86_dmar *dm = msk_domain_host_data(d);
	pthread_mutex_lock(&dm->lock);
	if (!irqd)
		snprintf(buf, size, "fault records: %u at 0x%x, serviced: %llu, overflows: %llu",
			 dm->nfr, dm->fro, (unsigned long long)dm->serviced,
			 (unsigned long long)dm->overflows);
	else
		snprintf(buf, size, "fault events handled: %llu", (unsigned long long)dm->events);
	pthread_mutex_unlock(&dm->lock);
}

static const struct msk_irq_domain_ops dmar_ops = {
	.alloc = dmar_alloc,
	.free = msk_domain_free_irqs_common,
	.activate = dmar_activate,
	.deactivate = dmar_deactivate,
	.debug_show = dmar_debug_show,
};

/* ---- bring-up and teardown -------------------------------------------------------------- */

int x86_dmar_init(struct x86_vector *p)
{
	struct x86_dmar *dm = msk_calloc(1, sizeof(*dm));
	if (!dm)
		return msk_err(MSK_ENOMEM, "DMAR fault interrupt");
	dm->p = p;
	dm->regs = p->ir_regs;
	pthread_mutex_init(&dm->lock, NULL);
	p->dmar = dm;
	uint64_t cap = rd64(dm, MSK_VTD_CAP_REG);
	dm->fro = (unsigned int)((cap >> MSK_VTD_CAP_FRO_SHIFT) & 0x3FFu) * 16;
	dm->nfr = (unsigned int)((cap >> MSK_VTD_CAP_NFR_SHIFT) & 0xFFu) + 1;
	if (!dm->fro || dm->fro + dm->nfr * 16 > MSK_VTD_REG_SIZE)
		return msk_err(MSK_ENODEV,
			       "DMAR: %u fault recording registers at 0x%x do not fit the "
			       "register block",
			       dm->nfr, dm->fro);
	struct msk_irq_domain_info di = {
		.name = "DMAR-MSI",
		.ops = &dmar_ops,
		.parent = p->vector_domain,
		.host_data = dm,
		.hwirq_max = 1,
		.bus_token = MSK_DOMAIN_BUS_GENERIC_MSI,
		.flags = MSK_DOMAIN_FLAG_MSI,
	};
	int rc = msk_domain_create(p->core, &di, &p->dmar_domain);
	if (rc == 0)
		rc = msk_domain_alloc_irqs(p->dmar_domain, 1, NULL, NULL, &dm->virq);
	if (rc == 0)
		rc = msk_request_irq(p->core, dm->virq, dmar_fault, "dmar0", dm);
	if (rc < 0)
		return msk_err_context("DMAR fault interrupt");
	/* Faults recorded before the handler existed (Linux clears them here too). */
	service_faults(dm, false);
	return 0;
}

int x86_dmar_fini(struct x86_vector *p)
{
	struct x86_dmar *dm = p->dmar;
	if (!dm)
		return 0;
	if (dm->virq) {
		/* Whoever tears a machine down may have freed every handler already. */
		struct msk_irq_info info;
		if (msk_irq_get_info(p->core, dm->virq, &info) == 0 && info.action_name)
			msk_free_irq(p->core, dm->virq);
		if (msk_domain_free_irqs(p->core, dm->virq, 1) == 0)
			dm->virq = 0;
	}
	if (p->dmar_domain && !dm->virq && msk_domain_remove(p->dmar_domain) == 0)
		p->dmar_domain = NULL;
	if (p->dmar_domain)
		return msk_err(MSK_EBUSY, "DMAR-MSI: the fault interrupt could not be released");
	pthread_mutex_destroy(&dm->lock);
	msk_free(dm);
	p->dmar = NULL;
	return 0;
}

void x86_dmar_counts(struct x86_vector *p, uint64_t *faults, uint64_t *overflows, uint64_t *events)
{
	struct x86_dmar *dm = p->dmar;
	*faults = *overflows = *events = 0;
	if (!dm)
		return;
	pthread_mutex_lock(&dm->lock);
	*faults = dm->serviced;
	*overflows = dm->overflows;
	*events = dm->events;
	pthread_mutex_unlock(&dm->lock);
}

size_t x86_dmar_fault_log(struct x86_vector *p, struct x86_ir_fault *out, size_t max)
{
	struct x86_dmar *dm = p->dmar;
	if (!dm || (max && !out))
		return 0;
	pthread_mutex_lock(&dm->lock);
	uint64_t have = dm->serviced < X86_DMAR_LOG ? dm->serviced : X86_DMAR_LOG;
	size_t n = have < max ? (size_t)have : max;
	/* The most recent n, oldest first. */
	for (size_t k = 0; k < n; k++)
		out[k] = dm->log[(dm->serviced - n + k) % X86_DMAR_LOG];
	pthread_mutex_unlock(&dm->lock);
	return n;
}
