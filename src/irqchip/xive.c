/* SPDX-License-Identifier: MIT */
/*
 * The XIVE root driver: bring-up (H_INT_RESET, one queue per CPU in guest
 * RAM), the root domain, the CPU side (take from the queue, entry path),
 * and removal.
 */
#include "irqchip/xive_internal.h"

#include <string.h>

#include <msikit/domain.h>

#include "base/alloc.h"
#include "base/error.h"

int64_t xive_hcall(struct xive_drv *x, uint64_t opcode, uint64_t a0, uint64_t a1, uint64_t a2,
		   uint64_t a3, uint64_t a4, uint64_t *rets)
{
	uint64_t args[5] = { a0, a1, a2, a3, a4 };
	return msk_spapr_hcall(x->fw, opcode, args, 5, rets);
}

int64_t xive_hcall_cannot_fail(struct xive_drv *x, uint64_t opcode, uint64_t a0, uint64_t a1,
			       uint64_t a2, uint64_t a3, uint64_t a4)
{
	uint64_t rets[MSK_HCALL_NRETS];
	int64_t h = xive_hcall(x, opcode, a0, a1, a2, a3, a4, rets);
	if (h == MSK_H_HARDWARE)
		h = xive_hcall(x, opcode, a0, a1, a2, a3, a4, rets);
	return h;
}

const char *xive_hcall_name(int64_t h)
{
	switch (h) {
	case MSK_H_SUCCESS:
		return "H_SUCCESS";
	case MSK_H_HARDWARE:
		return "H_HARDWARE";
	case MSK_H_FUNCTION:
		return "H_FUNCTION";
	case MSK_H_PRIVILEGE:
		return "H_PRIVILEGE";
	case MSK_H_PARAMETER:
		return "H_PARAMETER";
	case MSK_H_P2:
		return "H_P2";
	case MSK_H_P3:
		return "H_P3";
	case MSK_H_P4:
		return "H_P4";
	case MSK_H_P5:
		return "H_P5";
	case MSK_H_STATE:
		return "H_STATE";
	default:
		return "unknown";
	}
}

/* Zero [addr, addr + len) of guest RAM (a fresh queue must hold no valid entry). */
static int zero_ram(struct msk_bus *bus, uint64_t addr, uint64_t len)
{
	static const uint8_t zeros[4096];
	for (uint64_t off = 0; off < len; off += sizeof(zeros)) {
		uint64_t n = len - off < sizeof(zeros) ? len - off : sizeof(zeros);
		int rc = msk_ram_write(bus, addr + off, zeros, (size_t)n);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Remove CPU c's queue (drv->lock held or no one else running); false if the firmware kept it. */
static bool queue_off(struct xive_drv *x, unsigned int c)
{
	if (!x->queue[c])
		return true;
	int64_t h =
		xive_hcall_cannot_fail(x, MSK_H_INT_SET_QUEUE_CONFIG, 0, c, XIVE_DRV_PRIO, 0, 0);
	if (h == MSK_H_SUCCESS)
		x->queue[c] = false;
	return !x->queue[c];
}

/* Zero CPU c's queue page and configure it (drv->lock held or no one else running). */
static int queue_on(struct xive_drv *x, unsigned int c)
{
	if (x->queue[c])
		return 0;
	uint64_t qpage = x->qbase + ((uint64_t)c << x->qshift);
	if (zero_ram(x->bus, qpage, 1ull << x->qshift) < 0)
		return msk_err(MSK_EINVAL, "XIVE: queue of CPU %u at 0x%llx is not RAM", c,
			       (unsigned long long)qpage);
	uint64_t rets[MSK_HCALL_NRETS];
	int64_t h = xive_hcall(x, MSK_H_INT_SET_QUEUE_CONFIG, MSK_H_INT_EQ_ALWAYS_NOTIFY, c,
			       XIVE_DRV_PRIO, qpage, x->qshift, rets);
	if (h != MSK_H_SUCCESS)
		return msk_err(MSK_EIO,
			       "XIVE: H_INT_SET_QUEUE_CONFIG cpu=%u prio=%u qpage=0x%llx qsize=%u "
			       "failed %lld (%s)",
			       c, XIVE_DRV_PRIO, (unsigned long long)qpage, x->qshift, (long long)h,
			       xive_hcall_name(h));
	x->queue[c] = true;
	return 0;
}

/* Remove every queue configured (teardown and rollback). */
static void reset_queues(struct xive_drv *x)
{
	for (unsigned int c = 0; c < x->ncpus; c++)
		queue_off(x, c);
}

/*
 * The queues live in the table area: one naturally aligned 2^qshift block
 * per CPU, 64 KiB each (Linux's page size on POWER) when the area holds
 * them, else 4 KiB.
 */
static int place_queues(struct xive_drv *x, uint64_t base, uint64_t size)
{
	static const unsigned int shifts[] = { 16, 12 };
	for (size_t i = 0; i < sizeof(shifts) / sizeof(shifts[0]); i++) {
		uint64_t q = 1ull << shifts[i];
		uint64_t first = (base + q - 1) & ~(q - 1);
		if (first < base || first - base > size)
			continue;
		if ((size - (first - base)) / q >= x->ncpus) {
			x->qshift = shifts[i];
			x->qbase = first;
			return 0;
		}
	}
	return msk_err(MSK_EINVAL,
		       "XIVE: table area [0x%llx, +0x%llx) cannot hold %u event queues of 4 KiB",
		       (unsigned long long)base, (unsigned long long)size, x->ncpus);
}

static int setup_queues(struct xive_drv *x)
{
	uint64_t rets[MSK_HCALL_NRETS];
	int64_t h = xive_hcall(x, MSK_H_INT_RESET, 0, 0, 0, 0, 0, rets);
	if (h != MSK_H_SUCCESS)
		return msk_err(MSK_EIO, "XIVE: H_INT_RESET failed %lld (%s)", (long long)h,
			       xive_hcall_name(h));
	for (unsigned int c = 0; c < x->ncpus; c++) {
		int rc = queue_on(x, c);
		if (rc < 0) {
			reset_queues(x);
			return rc;
		}
	}
	return 0;
}

int xive_drv_create(const struct xive_drv_config *cfg, struct xive_drv **out)
{
	if (!cfg || !cfg->core || !cfg->bus || !cfg->xive || !cfg->fw || !out || cfg->ncpus == 0 ||
	    cfg->ncpus > msk_xive_nr_cpus(cfg->xive))
		return msk_err(MSK_EINVAL, "XIVE: bad driver configuration");
	struct xive_drv *x = msk_calloc(1, sizeof(*x));
	unsigned int *targets = msk_calloc(cfg->ncpus, sizeof(*targets));
	bool *queue = msk_calloc(cfg->ncpus, sizeof(*queue));
	if (!x || !targets || !queue) {
		msk_free(x);
		msk_free(targets);
		msk_free(queue);
		return msk_err(MSK_ENOMEM, "XIVE: driver state");
	}
	x->core = cfg->core;
	x->bus = cfg->bus;
	x->fw = cfg->fw;
	x->xive = cfg->xive;
	x->ncpus = cfg->ncpus;
	x->nr_sources = msk_xive_nr_sources(cfg->xive);
	x->targets = targets;
	x->queue = queue;
	pthread_mutex_init(&x->lock, NULL);
	int rc = place_queues(x, cfg->table_base, cfg->table_size);
	if (rc == 0)
		rc = setup_queues(x);
	if (rc < 0)
		goto fail;
	struct msk_irq_domain_info info = {
		.name = "XIVE",
		.ops = &xive_domain_ops,
		.host_data = x,
		.hwirq_max = x->nr_sources,
		.bus_token = MSK_DOMAIN_BUS_ANY,
	};
	rc = msk_domain_create(cfg->core, &info, &x->domain);
	if (rc < 0) {
		reset_queues(x);
		goto fail;
	}
	*out = x;
	return 0;
fail:
	pthread_mutex_destroy(&x->lock);
	msk_free(queue);
	msk_free(targets);
	msk_free(x);
	return rc;
}

int xive_drv_destroy(struct xive_drv *x)
{
	if (!x)
		return 0;
	int rc = msk_domain_remove(x->domain);
	if (rc < 0)
		return rc;
	/* A queue the firmware refuses to remove stays configured: nothing routes to it. */
	reset_queues(x);
	pthread_mutex_destroy(&x->lock);
	msk_free(x->queue);
	msk_free(x->targets);
	msk_free(x);
	return 0;
}

struct msk_irq_domain *xive_drv_domain(struct xive_drv *x)
{
	return x->domain;
}

unsigned int xive_drv_queue_shift(const struct xive_drv *x)
{
	return x->qshift;
}

unsigned int xive_drv_queues(struct xive_drv *x)
{
	unsigned int n = 0;
	pthread_mutex_lock(&x->lock);
	for (unsigned int c = 0; c < x->ncpus; c++)
		n += x->queue[c];
	pthread_mutex_unlock(&x->lock);
	return n;
}

void xive_drv_cpu_down(struct xive_drv *x, unsigned int cpu)
{
	if (cpu >= x->ncpus)
		return;
	pthread_mutex_lock(&x->lock);
	/* A source the core could not move away still sends here: keep its queue. */
	if (x->targets[cpu] == 0)
		queue_off(x, cpu);
	pthread_mutex_unlock(&x->lock);
}

int xive_drv_cpu_up(struct xive_drv *x, unsigned int cpu)
{
	if (cpu >= x->ncpus)
		return msk_err(MSK_EINVAL, "XIVE: no queue for CPU %u (%u CPUs)", cpu, x->ncpus);
	pthread_mutex_lock(&x->lock);
	int rc = queue_on(x, cpu);
	pthread_mutex_unlock(&x->lock);
	return rc;
}

unsigned int xive_drv_virq_of(struct xive_drv *x, uint32_t eisn)
{
	struct msk_irq_data *d = msk_domain_find_mapping(x->domain, eisn);
	return d ? d->virq : 0;
}

/* Bound on the entries a flush takes (a queue holds far fewer). */
#define FLUSH_LIMIT 65536u

int xive_drv_flush_cpu(struct xive_drv *x, unsigned int cpu)
{
	int taken = 0;
	struct msk_ledger *ledger = msk_bus_ledger(x->bus);
	while ((unsigned int)taken < FLUSH_LIMIT) {
		uint32_t eisn, weight;
		unsigned int prio;
		if (msk_xive_take(x->xive, cpu, &eisn, &prio, &weight) <= 0)
			break;
		taken++;
		struct msk_irq_data *d = msk_domain_find_mapping(x->domain, eisn);
		struct xive_irq *xd = d ? d->chip_data : NULL;
		if (!xd) {
			if (weight)
				msk_ledger_lose(ledger, MSK_LOSS_NO_DESCRIPTOR, weight);
			continue;
		}
		pthread_mutex_lock(&x->lock);
		bool stays = xd->target == (int)cpu;
		pthread_mutex_unlock(&x->lock);
		if (stays) {
			msk_domain_handle_irq(x->domain, cpu, eisn, weight);
			continue;
		}
		xive_irq_resend(xd, weight);
	}
	return taken;
}

int xive_drv_service(struct xive_drv *x, unsigned int cpu, unsigned int max)
{
	int taken = 0;
	while ((unsigned int)taken < max) {
		uint32_t eisn, weight;
		unsigned int prio;
		int rc = msk_xive_take(x->xive, cpu, &eisn, &prio, &weight);
		if (rc < 0)
			return rc;
		if (rc == 0)
			break;
		/*
		 * The model's take is the TIMA acknowledge plus the queue scan.
		 * EISN = LISN = hwirq of the root; the flow sends the EOI.
		 */
		msk_domain_handle_irq(x->domain, cpu, eisn, weight);
		taken++;
	}
	return taken;
}
