/* SPDX-License-Identifier: MIT */
/*
 * Concurrency: devices trigger sources (directly and through the MSI
 * window) and CPUs take and EOI, while another thread reconfigures
 * everything through RTAS, hcalls and ESB accesses. Nothing deadlocks,
 * TSan sees no race, and the ledger balances exactly at the end.
 */
#include "xive_fixture.h"

#include <pthread.h>
#include <sched.h>

#define DEV    0x010000u
#define ROUNDS 20000u
#define LISNS  64u

struct run {
	struct fx *f;
	_Atomic int reconfig_done; /* devices run until then (and ROUNDS times at least) */
	_Atomic int stop;
	_Atomic unsigned long taken;
};

/* A small deterministic generator per thread. */
static uint32_t next(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 8;
}

static void *device_direct(void *arg)
{
	struct run *r = arg;
	uint32_t s = 1;
	for (unsigned int i = 0; i < ROUNDS || !atomic_load(&r->reconfig_done); i++) {
		uint32_t w = 1 + next(&s) % 3;
		msk_ledger_raise(r->f->l, w);
		msk_xive_trigger(r->f->x, next(&s) % (LISNS + 2), w);
	}
	return NULL;
}

static void *device_msi(void *arg)
{
	struct run *r = arg;
	uint32_t s = 2;
	for (unsigned int i = 0; i < ROUNDS || !atomic_load(&r->reconfig_done); i++) {
		uint32_t w = 1 + next(&s) % 3;
		msk_ledger_raise(r->f->l, w);
		msk_bus_msi(r->f->bus, FX_MSI_WINDOW, next(&s) % (LISNS + 2), 0x0100, w);
	}
	return NULL;
}

struct cpu_arg {
	struct run *r;
	uint32_t cpu;
};

/* A CPU: take, deliver, EOI the source (EISN = LISN) like Linux. */
static void *cpu_loop(void *arg)
{
	struct cpu_arg *c = arg;
	struct fx *f = c->r->f;
	while (!atomic_load(&c->r->stop)) {
		uint32_t eisn, w;
		unsigned int prio;
		if (msk_xive_take(f->x, c->cpu, &eisn, &prio, &w) != 1) {
			sched_yield();
			continue;
		}
		msk_ledger_deliver(f->l, w);
		atomic_fetch_add(&c->r->taken, 1);
		if (eisn < FX_SOURCES) {
			uint64_t v, mgmt;
			msk_xive_esb_pages(f->x, eisn, NULL, &mgmt);
			msk_bus_read(f->bus, mgmt + MSK_XIVE_ESB_SET_PQ_00, 8, NULL, &v);
			if (v & 1) /* Q was set: re-trigger */
				msk_bus_write(f->bus, mgmt - (1ull << 16), 0, 8, NULL);
		}
	}
	return NULL;
}

/*
 * The OS reconfiguring: vectors come and go (every 16th round), queues
 * move or disappear, sources are re-routed and re-enabled, and now and
 * then everything is reset.
 */
static void *reconfig(void *arg)
{
	struct run *r = arg;
	struct fx *f = r->f;
	uint32_t s = 3, rets[4], n = 0;
	uint64_t h[MSK_HCALL_NRETS];
	/* At least ROUNDS / 20 rounds, and more until the CPUs took something. */
	for (unsigned int i = 0;
	     i < ROUNDS / 20 || (atomic_load(&r->taken) < 100 && i < 100 * ROUNDS); i++) {
		if (i % 16 == 0) {
			n = (next(&s) % 4) ? 1 + next(&s) % 16 : 0;
			fx_change_msi(f, DEV, MSK_RTAS_MSI_FN_MSIX, n, i, rets);
		}
		uint32_t cpu = next(&s) % FX_CPUS;
		uint64_t qsize = (next(&s) % 8) ? 12 : 0;
		fx_hcall(f, MSK_H_INT_SET_QUEUE_CONFIG, 1, cpu, 6,
			 FX_QPAGE(cpu, 6) + (i % 2) * 0x1000, qsize, h);
		for (uint32_t v = 0; v < n; v++) {
			uint32_t lisn;
			if (fx_query(f, DEV, v, &lisn) != 0)
				break;
			fx_hcall(f, MSK_H_INT_SET_SOURCE_CONFIG, MSK_H_INT_SRC_SET_EISN, lisn,
				 next(&s) % FX_CPUS, 6, lisn, h);
			if (next(&s) % 4 == 0)
				fx_hcall(f, MSK_H_INT_ESB, 0, lisn, MSK_XIVE_ESB_SET_PQ_00, 0, 0,
					 h);
		}
		if (i % 200 == 199)
			fx_hcall(f, MSK_H_INT_RESET, 0, 0, 0, 0, 0, h);
		sched_yield();
	}
	atomic_store(&r->reconfig_done, 1);
	return NULL;
}

static void test_concurrent_trigger_take_reconfigure(void **state)
{
	(void)state;
	struct run r = { .f = fx_new(16, false) };
	struct fx *f = r.f;
	/* 64 LISNs: 4 IPIs and a 60-LISN MSI pool. */
	struct msk_spapr_config cfg = { .ipi_count = 4, .msi_base = 4, .msi_count = LISNS - 4 };
	assert_msk_ok(msk_spapr_create(f->x, &cfg, &f->fw));
	struct fake_dev *d = fake_dev_new(0, 16);
	fx_add_dev(f, DEV, MSK_SPAPR_PE_OWN, d);
	uint64_t h[MSK_HCALL_NRETS];
	for (uint32_t c = 0; c < FX_CPUS; c++)
		assert_int_equal(
			fx_hcall(f, MSK_H_INT_SET_QUEUE_CONFIG, 1, c, 6, FX_QPAGE(c, 6), 12, h),
			MSK_H_SUCCESS);
	pthread_t dev[2], cpu[FX_CPUS], rc;
	struct cpu_arg ca[FX_CPUS];
	pthread_create(&dev[0], NULL, device_direct, &r);
	pthread_create(&dev[1], NULL, device_msi, &r);
	for (uint32_t c = 0; c < FX_CPUS; c++) {
		ca[c] = (struct cpu_arg){ &r, c };
		pthread_create(&cpu[c], NULL, cpu_loop, &ca[c]);
	}
	pthread_create(&rc, NULL, reconfig, &r);
	pthread_join(rc, NULL);
	pthread_join(dev[0], NULL);
	pthread_join(dev[1], NULL);
	atomic_store(&r.stop, 1);
	for (uint32_t c = 0; c < FX_CPUS; c++)
		pthread_join(cpu[c], NULL);
	/* Drain what is left in the queues, then check every event's fate. */
	for (uint32_t c = 0; c < FX_CPUS; c++) {
		uint32_t eisn, w;
		unsigned int prio;
		while (msk_xive_take(f->x, c, &eisn, &prio, &w) == 1)
			msk_ledger_deliver(f->l, w);
	}
	fx_balanced(f);
	struct msk_ledger_counts cnt;
	msk_ledger_read(f->l, &cnt);
	assert_true(cnt.raised >= 2 * ROUNDS);
	assert_true(atomic_load(&r.taken) >= 100);
	assert_true(cnt.delivered > 0);
	assert_true(cnt.lost > 0);
	assert_msk_ok(msk_spapr_remove_function(f->fw, FX_BUID, DEV));
	fx_balanced(f);
	fx_free(f);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_concurrent_trigger_take_reconfigure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
