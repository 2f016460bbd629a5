/* SPDX-License-Identifier: MIT */
/*
 * GICv3 under concurrency: devices write GITS_TRANSLATER from several
 * threads while a driver thread issues commands (MOVI, INV, INT, CLEAR,
 * DISCARD + MAPTI, MOVALL) and every CPU acks. The ledger must balance at
 * the end; run under TSan by `make tsan`.
 */
#include "gic_guest.h"

#include <pthread.h>

#define NCPU	 4
#define NDEV	 3
#define NEV	 8
#define MSIS	 20000
#define CMD_LOOP 1500

struct world {
	struct guest *g;
	_Atomic int stop;
	_Atomic int failed;
	_Atomic uint64_t acked;
};

static uint32_t lpi_of(uint32_t dev, uint32_t ev)
{
	return 8192 + dev * NEV + ev;
}

static void *device_thread(void *arg)
{
	struct world *w = arg;
	static _Atomic unsigned int next_dev;
	uint32_t dev = atomic_fetch_add(&next_dev, 1) % NDEV;
	unsigned int seed = dev * 7919 + 1;
	for (int i = 0; i < MSIS; i++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t ev = (seed >> 16) % (NEV + 1); /* NEV: beyond the ITT */
		msk_ledger_raise(w->g->ledger, 1);
		if (msk_bus_msi(w->g->bus, G_ITS_BASE + MSK_GITS_TRANSLATER, ev, dev, 1) < 0)
			atomic_store(&w->failed, 1);
	}
	return NULL;
}

static void *cpu_thread(void *arg)
{
	struct world *w = arg;
	static _Atomic unsigned int next_cpu;
	unsigned int cpu = atomic_fetch_add(&next_cpu, 1) % NCPU;
	while (!atomic_load(&w->stop)) {
		uint32_t intid;
		uint64_t weight;
		int rc = msk_gic_ack(w->g->gic, cpu, &intid, &weight);
		if (rc < 0)
			atomic_store(&w->failed, 1);
		if (rc == 1) {
			atomic_fetch_add(&w->acked, weight);
			msk_gic_eoi(w->g->gic, cpu, intid);
		}
	}
	return NULL;
}

/* The driver: commands through the bus only, no cmocka asserts off the main thread. */
static void t_cmd(struct world *w, uint64_t d0, uint64_t d1, uint64_t d2, uint64_t d3)
{
	struct guest *g = w->g;
	uint64_t dw[4] = { d0, d1, d2, d3 };
	if (msk_ram_write(g->bus, G_QUEUE + g->wr, dw, sizeof(dw)) < 0)
		atomic_store(&w->failed, 1);
	g->wr = (g->wr + 32) % g->qbytes;
	msk_bus_write(g->bus, G_ITS_BASE + MSK_GITS_CWRITER, g->wr, 8, NULL);
	for (int polls = 0;; polls++) {
		uint64_t r;
		msk_bus_read(g->bus, G_ITS_BASE + MSK_GITS_CREADR, 8, NULL, &r);
		if ((r & MSK_GITS_OFFSET_MASK) == g->wr)
			return;
		if (polls > 100000) {
			atomic_store(&w->failed, 1);
			return;
		}
	}
}

static void *driver_thread(void *arg)
{
	struct world *w = arg;
	unsigned int seed = 42;
	for (int i = 0; i < CMD_LOOP; i++) {
		seed = seed * 1103515245u + 12345u;
		uint32_t dev = (seed >> 8) % NDEV, ev = (seed >> 12) % NEV;
		uint32_t col = (seed >> 20) % NCPU;
		switch ((seed >> 24) % 7) {
		case 0:
			t_cmd(w, MSK_ITS_CMD_MOVI | DEV(dev), ev, col, 0);
			break;
		case 1:
			t_cmd(w, MSK_ITS_CMD_INV | DEV(dev), ev, 0, 0);
			break;
		case 2:
			t_cmd(w, MSK_ITS_CMD_INT | DEV(dev), ev, 0, 0);
			break;
		case 3:
			t_cmd(w, MSK_ITS_CMD_CLEAR | DEV(dev), ev, 0, 0);
			break;
		case 4:
			t_cmd(w, MSK_ITS_CMD_DISCARD | DEV(dev), ev, 0, 0);
			t_cmd(w, MSK_ITS_CMD_MAPTI | DEV(dev), (uint64_t)lpi_of(dev, ev) << 32 | ev,
			      col, 0);
			break;
		case 5:
			t_cmd(w, MSK_ITS_CMD_MOVALL, 0, (uint64_t)col << 16,
			      (uint64_t)((col + 1) % NCPU) << 16);
			break;
		default:
			t_cmd(w, MSK_ITS_CMD_INVALL, 0, col, 0);
			break;
		}
		t_cmd(w, MSK_ITS_CMD_SYNC, 0, (uint64_t)col << 16, 0);
	}
	return NULL;
}

static void test_translate_while_commanding(void **state)
{
	(void)state;
	struct msk_gic_config cfg = { .nr_cpus = NCPU };
	struct guest *g = g_boot(&cfg);
	for (uint32_t d = 0; d < NDEV; d++) {
		g_mapd(g, d, 3, true);
		for (uint32_t e = 0; e < NEV; e++) {
			g_mapti(g, d, e, lpi_of(d, e), (d + e) % NCPU);
			g_prop(g, lpi_of(d, e), (uint8_t)(e * 0x20), true);
		}
	}
	for (uint32_t c = 0; c < NCPU; c++)
		g_invall(g, c);
	struct world w = { .g = g };
	pthread_t dev[NDEV], cpu[NCPU], drv;
	for (int i = 0; i < NCPU; i++)
		assert_int_equal(pthread_create(&cpu[i], NULL, cpu_thread, &w), 0);
	for (int i = 0; i < NDEV; i++)
		assert_int_equal(pthread_create(&dev[i], NULL, device_thread, &w), 0);
	assert_int_equal(pthread_create(&drv, NULL, driver_thread, &w), 0);
	for (int i = 0; i < NDEV; i++)
		pthread_join(dev[i], NULL);
	pthread_join(drv, NULL);
	atomic_store(&w.stop, 1);
	for (int i = 0; i < NCPU; i++)
		pthread_join(cpu[i], NULL);
	assert_int_equal(atomic_load(&w.failed), 0);
	/* Everything still pending is enabled: drain it. */
	uint64_t weight, drained = 0;
	for (unsigned int c = 0; c < NCPU; c++)
		while (g_ack(g, c, &weight) != 1023)
			drained += weight;
	assert_int_equal(msk_gic_held(g->gic), 0);
	struct msk_ledger_counts lc;
	msk_ledger_read(g->ledger, &lc);
	assert_int_equal(lc.delivered, atomic_load(&w.acked) + drained);
	assert_true(lc.raised >= (uint64_t)NDEV * MSIS);
	assert_true(lc.lost_by_reason[MSK_LOSS_ITT_OUT_OF_RANGE] > 0);
	assert_true(lc.delivered > 0);
	struct msk_its_stats st;
	msk_its_stats(g->gic, &st);
	print_message(
		"raised %llu delivered %llu lost %llu (itt-out-of-range %llu, its-clear %llu, "
		"its-discard %llu, no-mapping %llu); %llu commands, %llu translations\n",
		(unsigned long long)lc.raised, (unsigned long long)lc.delivered,
		(unsigned long long)lc.lost,
		(unsigned long long)lc.lost_by_reason[MSK_LOSS_ITT_OUT_OF_RANGE],
		(unsigned long long)lc.lost_by_reason[MSK_LOSS_ITS_CLEAR],
		(unsigned long long)lc.lost_by_reason[MSK_LOSS_ITS_DISCARD],
		(unsigned long long)lc.lost_by_reason[MSK_LOSS_NO_MAPPING],
		(unsigned long long)st.commands, (unsigned long long)st.translations);
	g_balanced(g);
	g_destroy(g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_translate_while_commanding),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
