/* SPDX-License-Identifier: MIT */
/*
 * XIVE routing: EAS and END outcomes, weights (coalescing, EOI
 * re-notification, what is held where), event queues in RAM (generation,
 * wrap, overflow, guest scribbles), the CPU side (take), the PHB MSI
 * window, and the model's configuration calls.
 */
#include "xive_fixture.h"

#define EOI(f, lisn)  fx_load((f), (lisn), MSK_XIVE_ESB_LOAD_EOI)
#define PQ00(f, lisn) fx_load((f), (lisn), MSK_XIVE_ESB_SET_PQ_00)

/* A source that is off (reset state, or claimed) drops triggers. */
static void test_off_source_drops(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 6, 12);
	assert_msk_ok(msk_xive_source_claim(f->x, 3));
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(f->x, 3, &si));
	assert_true(si.eas.valid);
	assert_true(si.eas.masked);
	assert_int_equal(si.pq, MSK_XIVE_PQ_OFF);
	fx_raise(f, 3, 4);
	fx_raise(f, 9, 2); /* never claimed: off as well */
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_OFF), 6);
	assert_int_equal(fx_pq(f, 3), MSK_XIVE_PQ_OFF);
	assert_int_equal(msk_xive_held(f->x), 0);
	fx_balanced(f);
	fx_free(f);
}

/*
 * A source masked in its EAS but enabled at the ESB: the first trigger
 * moves to P = 1 and is lost at the router; later ones coalesce and are
 * held; after unmasking, the EOI delivers them.
 */
static void test_eas_masked_is_pending(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 2, 4, 12);
	struct msk_xive_eas eas = {
		.valid = true, .masked = true, .cpu = 2, .prio = 4, .eisn = 77
	};
	assert_msk_ok(msk_xive_set_eas(f->x, 10, &eas));
	PQ00(f, 10);
	fx_raise(f, 10, 3);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_EAS_MASKED), 3);
	assert_int_equal(fx_pq(f, 10), MSK_XIVE_PQ_PENDING);
	fx_raise(f, 10, 5);
	fx_raise(f, 10, 1);
	assert_int_equal(fx_pq(f, 10), MSK_XIVE_PQ_QUEUED);
	assert_int_equal(fx_src_held(f, 10), 6);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_OFF), 0);
	fx_balanced(f);
	eas.masked = false;
	assert_msk_ok(msk_xive_set_eas(f->x, 10, &eas));
	assert_int_equal(EOI(f, 10), 1);
	uint32_t eisn;
	unsigned int prio;
	assert_int_equal(fx_take(f, 2, &eisn, &prio), 6);
	assert_int_equal(eisn, 77);
	assert_int_equal(prio, 4);
	fx_balanced(f);
	fx_free(f);
}

static void test_invalid_eas_and_no_queue(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	PQ00(f, 20); /* enabled at the ESB, EAS never set */
	fx_raise(f, 20, 2);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_INVALID_SOURCE), 2);
	assert_int_equal(fx_pq(f, 20), MSK_XIVE_PQ_PENDING);
	fx_route(f, 21, 1, 3, 5); /* END (1, 3) has no queue */
	PQ00(f, 21);
	fx_raise(f, 21, 4);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_NO_QUEUE), 4);
	assert_int_equal(fx_pq(f, 21), MSK_XIVE_PQ_PENDING);
	/* A LISN beyond the sources. */
	msk_ledger_raise(f->l, 8);
	assert_msk_error(msk_xive_trigger(f->x, FX_SOURCES, 8), MSK_ENOENT);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_INVALID_SOURCE), 10);
	fx_balanced(f);
	fx_free(f);
}

/* Triggers while P = 1 coalesce; the EOI with Q = 1 carries their weight. */
static void test_coalescing_and_eoi_renotify(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 5, 12);
	fx_route(f, 1, 0, 5, 0x101);
	PQ00(f, 1);
	fx_raise(f, 1, 1);
	fx_raise(f, 1, 2);
	fx_raise(f, 1, 3);
	assert_int_equal(fx_src_held(f, 1), 5);
	assert_int_equal(fx_outstanding(f, 0, 5), 1);
	assert_int_equal(msk_xive_held(f->x), 6);
	fx_balanced(f);
	uint32_t eisn;
	assert_int_equal(fx_take(f, 0, &eisn, NULL), 1);
	assert_int_equal(eisn, 0x101);
	assert_int_equal(EOI(f, 1), 1); /* Q was set: notify again */
	assert_int_equal(fx_pq(f, 1), MSK_XIVE_PQ_PENDING);
	assert_int_equal(fx_src_held(f, 1), 0);
	assert_int_equal(fx_take(f, 0, &eisn, NULL), 5);
	assert_int_equal(EOI(f, 1), 0);
	assert_int_equal(fx_pq(f, 1), MSK_XIVE_PQ_RESET);
	fx_nothing_to_take(f, 0);
	assert_int_equal(fx_delivered(f), 6);
	fx_balanced(f);
	fx_free(f);
}

/* Linux's MSI EOI: SET_PQ_00, and if Q was set, a trigger store. */
static void test_linux_eoi_flow_carries_weight(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 3, 6, 12);
	fx_route(f, 2, 3, 6, 2);
	PQ00(f, 2);
	fx_raise(f, 2, 1);
	fx_raise(f, 2, 9);
	assert_int_equal(fx_take(f, 3, NULL, NULL), 1);
	uint64_t old = PQ00(f, 2);
	assert_int_equal(old, MSK_XIVE_PQ_QUEUED);
	assert_int_equal(fx_src_held(f, 2), 9); /* SET_PQ keeps the weight */
	fx_balanced(f);
	fx_store_trig(f, 2); /* the re-trigger: a CPU store, weight 0 of its own */
	assert_int_equal(fx_take(f, 3, NULL, NULL), 9);
	fx_balanced(f);
	fx_free(f);
}

/*
 * Masking at the ESB (SET_PQ_01 from QUEUED) clears Q: the coalesced
 * weight is lost "xive-q-dropped" (Linux's mask keeps only P); the entry
 * that set P is still taken, and the next notification carries only its own.
 */
static void test_mask_drops_q_weight(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 0, 12);
	fx_route(f, 4, 0, 0, 4);
	PQ00(f, 4);
	fx_raise(f, 4, 1);
	fx_raise(f, 4, 2);
	assert_int_equal(fx_load(f, 4, MSK_XIVE_ESB_SET_PQ_01), MSK_XIVE_PQ_QUEUED);
	fx_raise(f, 4, 7); /* off: dropped */
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_OFF), 7);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_Q_DROPPED), 2);
	assert_int_equal(fx_src_held(f, 4), 0);
	fx_balanced(f);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 1);
	PQ00(f, 4); /* unmask */
	fx_raise(f, 4, 3);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 3);
	fx_balanced(f);
	/* SET_PQ_10 from QUEUED (unmask with a saved P) drops Q as well; SET_PQ_11 keeps it. */
	fx_raise(f, 4, 4);
	assert_int_equal(fx_load(f, 4, MSK_XIVE_ESB_SET_PQ_11), MSK_XIVE_PQ_QUEUED);
	assert_int_equal(fx_src_held(f, 4), 4);
	assert_int_equal(fx_load(f, 4, MSK_XIVE_ESB_SET_PQ_10), MSK_XIVE_PQ_QUEUED);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_Q_DROPPED), 6);
	assert_int_equal(fx_src_held(f, 4), 0);
	fx_balanced(f);
	/* Freeing a source that holds weight loses it. */
	EOI(f, 4);
	fx_raise(f, 4, 1);
	fx_raise(f, 4, 6);
	assert_int_equal(fx_src_held(f, 4), 6);
	assert_msk_ok(msk_xive_source_free(f->x, 4));
	assert_int_equal(fx_lost(f, MSK_LOSS_FREED_WHILE_PENDING), 6);
	assert_int_equal(fx_pq(f, 4), MSK_XIVE_PQ_OFF);
	struct msk_xive_eas eas;
	assert_msk_ok(msk_xive_get_eas(f->x, 4, &eas));
	assert_false(eas.valid);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 1); /* its queued entry stays */
	fx_balanced(f);
	fx_free(f);
}

/* More than 2^32 - 1 held at a source: a notification carries the maximum. */
static void test_huge_weights(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 1, 1, 12);
	fx_route(f, 5, 1, 1, 5);
	PQ00(f, 5);
	fx_raise(f, 5, 1);
	fx_raise(f, 5, UINT32_MAX);
	fx_raise(f, 5, UINT32_MAX);
	assert_int_equal(fx_src_held(f, 5), 2ull * UINT32_MAX);
	fx_balanced(f);
	assert_int_equal(fx_take(f, 1, NULL, NULL), 1);
	assert_int_equal(EOI(f, 5), 1);
	assert_int_equal(fx_src_held(f, 5), UINT32_MAX);
	assert_int_equal(fx_take(f, 1, NULL, NULL), UINT32_MAX);
	fx_balanced(f);
	PQ00(f, 5);
	fx_store_trig(f, 5);
	assert_int_equal(fx_take(f, 1, NULL, NULL), UINT32_MAX);
	assert_int_equal(msk_xive_held(f->x), 0);
	fx_balanced(f);
	fx_free(f);
}

/* The EQ in RAM: big-endian words, generation 1 then 0 after the wrap. */
static void test_eq_generation_and_wrap(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 2, 3, 12); /* 1024 entries */
	fx_route(f, 6, 2, 3, 0x7FFFFFFF);
	PQ00(f, 6);
	struct msk_xive_end_info e;
	for (uint32_t i = 0; i < 1024 + 10; i++) {
		fx_raise(f, 6, 1);
		uint32_t slot = i % 1024;
		uint32_t word = fx_eq_word(f, 2, 3, slot);
		assert_int_equal(word, (i < 1024 ? 0x80000000u : 0) | 0x7FFFFFFF);
		uint32_t eisn;
		assert_int_equal(fx_take(f, 2, &eisn, NULL), 1);
		assert_int_equal(eisn, 0x7FFFFFFF);
		EOI(f, 6);
		if (i == 1023) {
			assert_msk_ok(msk_xive_get_queue(f->x, 2, 3, &e));
			assert_int_equal(e.windex, 0);
			assert_false(e.generation);
			assert_int_equal(e.cindex, 0);
			assert_true(e.toggle);
		}
	}
	assert_msk_ok(msk_xive_get_queue(f->x, 2, 3, &e));
	assert_int_equal(e.windex, 10);
	assert_int_equal(e.cindex, 10);
	assert_int_equal(e.entries, 1024);
	fx_nothing_to_take(f, 2);
	/* The EISN is 31 bits. */
	fx_route(f, 6, 2, 3, 0xFFFFFFFF);
	struct msk_xive_eas eas;
	assert_msk_ok(msk_xive_get_eas(f->x, 6, &eas));
	assert_int_equal(eas.eisn, 0x7FFFFFFF);
	fx_balanced(f);
	fx_free(f);
}

/* A full queue refuses entries; taking one makes room again. */
static void test_queue_overflow(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 2, 12);
	fx_route(f, 8, 0, 2, 8);
	for (uint32_t i = 0; i < 1024; i++) {
		PQ00(f, 8);
		fx_raise(f, 8, 2);
	}
	assert_int_equal(fx_outstanding(f, 0, 2), 1024);
	assert_int_equal(msk_xive_held(f->x), 2048);
	PQ00(f, 8);
	fx_raise(f, 8, 3);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_QUEUE_OVERFLOW), 3);
	assert_int_equal(fx_eq_word(f, 0, 2, 0), 0x80000008); /* not overwritten */
	fx_balanced(f);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 2);
	PQ00(f, 8);
	fx_raise(f, 8, 4);
	assert_int_equal(fx_eq_word(f, 0, 2, 0), 0x00000008); /* second lap */
	for (uint32_t i = 0; i < 1023; i++)
		assert_int_equal(fx_take(f, 0, NULL, NULL), 2);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 4);
	fx_nothing_to_take(f, 0);
	fx_balanced(f);
	fx_free(f);
}

/*
 * The model keeps a weight per outstanding entry, growing its record as
 * the queue fills: its own backing store of the queue the guest
 * configured, not subject to fault injection. With every allocation
 * failing, the record still grows past its first 64 slots and nothing is
 * lost.
 */
static void test_weight_record_out_of_memory(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 3, 16);
	fx_route(f, 9, 0, 3, 9);
	msk_fault_reset();
	msk_fault_fail_alloc_from(1);
	for (uint32_t n = 0; n < 65; n++) {
		PQ00(f, 9);
		fx_raise(f, 9, n == 64 ? 2 : 1);
	}
	assert_int_equal(msk_fault_alloc_count(), 0);
	msk_fault_reset();
	assert_int_equal(fx_lost(f, MSK_LOSS_INJECTED), 0);
	assert_int_equal(fx_outstanding(f, 0, 3), 65);
	for (uint32_t i = 0; i < 64; i++)
		assert_int_equal(fx_take(f, 0, NULL, NULL), 1);
	assert_int_equal(fx_take(f, 0, NULL, NULL), 2);
	fx_balanced(f);
	fx_free(f);
}

/* A queue page written while every allocation fails: RAM backs it, nothing is lost. */
static void test_queue_page_out_of_memory(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 1, 3, 12);
	fx_route(f, 9, 1, 3, 9);
	PQ00(f, 9);
	msk_fault_reset();
	msk_fault_fail_alloc_from(1);
	fx_raise(f, 9, 3);
	msk_fault_reset();
	assert_int_equal(fx_lost(f, MSK_LOSS_TABLE_FAULT), 0);
	assert_int_equal(fx_outstanding(f, 1, 3), 1);
	assert_int_equal(fx_take(f, 1, NULL, NULL), 3);
	fx_balanced(f);
	fx_free(f);
}

/* Priority 0 is taken first; each CPU sees only its own queues. */
static void test_take_order(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 1, 7, 12);
	fx_queue(f, 1, 2, 12);
	fx_queue(f, 1, 0, 12);
	fx_queue(f, 3, 0, 12);
	fx_route(f, 30, 1, 7, 30);
	fx_route(f, 31, 1, 2, 31);
	fx_route(f, 32, 1, 0, 32);
	fx_route(f, 33, 3, 0, 33);
	for (uint32_t l = 30; l <= 33; l++) {
		PQ00(f, l);
		fx_raise(f, l, l);
	}
	assert_int_equal(atomic_load(&f->kicks[1]), 3);
	assert_int_equal(atomic_load(&f->kicks[3]), 1);
	uint32_t eisn;
	unsigned int prio;
	assert_int_equal(fx_take(f, 1, &eisn, &prio), 32);
	assert_int_equal(prio, 0);
	assert_int_equal(fx_take(f, 1, &eisn, &prio), 31);
	assert_int_equal(prio, 2);
	assert_int_equal(fx_take(f, 1, &eisn, &prio), 30);
	assert_int_equal(prio, 7);
	fx_nothing_to_take(f, 1);
	fx_nothing_to_take(f, 0);
	assert_int_equal(fx_take(f, 3, &eisn, &prio), 33);
	uint32_t w;
	assert_msk_error(msk_xive_take(f->x, FX_CPUS, &eisn, &prio, &w), MSK_EINVAL);
	fx_balanced(f);
	fx_free(f);
}

/*
 * The guest owns the queue memory. A forged valid entry is taken with
 * weight 0 and moves the consumer ahead of the producer: the model's next
 * entry lands behind it, unseen, and stays held.
 */
static void test_guest_forges_entry(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 1, 12);
	assert_msk_ok(msk_ram_write32(f->bus, FX_QPAGE(0, 1), __builtin_bswap32(0x80000042)));
	uint32_t eisn;
	assert_int_equal(fx_take(f, 0, &eisn, NULL), 0);
	assert_int_equal(eisn, 0x42);
	fx_balanced(f);
	fx_route(f, 40, 0, 1, 40);
	PQ00(f, 40);
	fx_raise(f, 40, 5);
	assert_int_equal(fx_eq_word(f, 0, 1, 0), 0x80000028);
	fx_nothing_to_take(f, 0);
	assert_int_equal(msk_xive_held(f->x), 5);
	fx_balanced(f);
	/* Resetting the queue loses what it held. */
	assert_msk_ok(msk_xive_set_queue(f->x, 0, 1, 0, 0, false));
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_QUEUE_RESET), 5);
	assert_int_equal(msk_xive_held(f->x), 0);
	fx_nothing_to_take(f, 0);
	fx_balanced(f);
	fx_free(f);
}

/* An entry the guest erases blocks the queue, as it would block the OS. */
static void test_guest_erases_entry(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 2, 1, 12);
	fx_route(f, 41, 2, 1, 41);
	PQ00(f, 41);
	fx_raise(f, 41, 5);
	assert_msk_ok(msk_ram_write32(f->bus, FX_QPAGE(2, 1), 0));
	fx_nothing_to_take(f, 2);
	PQ00(f, 41);
	fx_raise(f, 41, 6);
	assert_int_equal(fx_eq_word(f, 2, 1, 1), 0x80000029);
	fx_nothing_to_take(f, 2);
	assert_int_equal(fx_outstanding(f, 2, 1), 2);
	assert_int_equal(msk_xive_held(f->x), 11);
	fx_balanced(f);
	/* Reconfiguring it elsewhere loses both; the new queue works. */
	assert_msk_ok(msk_xive_set_queue(f->x, 2, 1, 0x3000000, 12, true));
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_QUEUE_RESET), 11);
	PQ00(f, 41);
	fx_raise(f, 41, 7);
	assert_int_equal(fx_take(f, 2, NULL, NULL), 7);
	fx_balanced(f);
	fx_free(f);
}

/* Device messages through the PHB MSI window. */
static void test_msi_window(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 2, 6, 12);
	fx_route(f, 0x41, 2, 6, 0x41);
	PQ00(f, 0x41);
	msk_ledger_raise(f->l, 3 + 4 + 6);
	assert_msk_ok(msk_bus_msi(f->bus, FX_MSI_WINDOW, 0x41, 0x0108, 3));
	uint32_t eisn;
	assert_int_equal(fx_take(f, 2, &eisn, NULL), 3);
	assert_int_equal(eisn, 0x41);
	assert_msk_ok(msk_bus_msi(f->bus, FX_MSI_WINDOW + 0x10, FX_SOURCES + 5, 0x0108, 4));
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_INVALID_SOURCE), 4);
	struct msk_bus_attrs dev = { .requester_id = 0x0108, .weight = 6, .is_msi = true };
	assert_msk_ok(msk_bus_write(f->bus, FX_MSI_WINDOW, 0x41, 2, &dev));
	assert_int_equal(fx_lost(f, MSK_LOSS_BAD_MESSAGE), 6);
	uint64_t v;
	assert_msk_ok(msk_bus_read(f->bus, FX_MSI_WINDOW, 4, NULL, &v));
	assert_int_equal(v, 0xFFFFFFFF);
	/* A CPU's 8-byte store: LISN = low 32 bits, no weight. */
	EOI(f, 0x41);
	assert_msk_ok(msk_bus_write(f->bus, FX_MSI_WINDOW, 0xFFFFFFFF00000041ull, 8, NULL));
	assert_int_equal(fx_take(f, 2, &eisn, NULL), 0);
	fx_balanced(f);
	fx_free(f);
}

static void test_set_queue_errors(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 1, 1, 16);
	struct msk_xive_end_info before, after;
	assert_msk_ok(msk_xive_get_queue(f->x, 1, 1, &before));
	assert_msk_error(msk_xive_set_queue(f->x, 1, 1, 0x10000, 11, true), MSK_EINVAL);
	assert_msk_error(msk_xive_set_queue(f->x, 1, 1, 0x10000, 25, true), MSK_EINVAL);
	assert_msk_error(msk_xive_set_queue(f->x, 1, 1, 0x10800, 12, true), MSK_EINVAL);
	assert_msk_error(msk_xive_set_queue(f->x, 1, 1, FX_RAM_SIZE, 12, true), MSK_EFAULT);
	assert_msk_error(msk_xive_set_queue(f->x, 1, 1, FX_RAM_SIZE - 0x1000, 16, true),
			 MSK_EINVAL);
	assert_msk_error(msk_xive_set_queue(f->x, FX_CPUS, 1, 0x10000, 12, true), MSK_EINVAL);
	assert_msk_error(msk_xive_set_queue(f->x, 1, 8, 0x10000, 12, true), MSK_EINVAL);
	assert_msk_ok(msk_xive_get_queue(f->x, 1, 1, &after));
	assert_memory_equal(&before, &after, sizeof(before));
	assert_true(after.enqueue);
	assert_int_equal(after.qshift, 16);
	assert_int_equal(after.entries, 16384);
	assert_true(after.generation);
	assert_msk_error(msk_xive_get_queue(f->x, 1, 8, &after), MSK_EINVAL);
	/*
	 * Configuring a queue is the guest setting up hardware: the model's
	 * record of it is not subject to fault injection (an H_INT_SET_QUEUE_CONFIG
	 * never fails for an allocation the OS did not make).
	 */
	msk_fault_fail_alloc_from(1);
	assert_msk_ok(msk_xive_set_queue(f->x, 1, 1, 0x20000, 12, false));
	msk_fault_reset();
	assert_msk_ok(msk_xive_get_queue(f->x, 1, 1, &after));
	assert_int_equal(after.qshift, 12);
	fx_free(f);
}

static void test_set_eas_errors(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_route(f, 3, 2, 2, 9);
	struct msk_xive_eas bad = { .valid = true, .cpu = FX_CPUS, .prio = 0 };
	assert_msk_error(msk_xive_set_eas(f->x, 3, &bad), MSK_EINVAL);
	bad.cpu = 0;
	bad.prio = 8;
	assert_msk_error(msk_xive_set_eas(f->x, 3, &bad), MSK_EINVAL);
	bad.prio = 0;
	assert_msk_error(msk_xive_set_eas(f->x, FX_SOURCES, &bad), MSK_EINVAL);
	struct msk_xive_eas eas;
	assert_msk_ok(msk_xive_get_eas(f->x, 3, &eas));
	assert_true(eas.valid);
	assert_int_equal(eas.cpu, 2);
	assert_int_equal(eas.prio, 2);
	assert_int_equal(eas.eisn, 9);
	assert_msk_error(msk_xive_get_eas(f->x, FX_SOURCES, &eas), MSK_EINVAL);
	assert_msk_error(msk_xive_source_claim(f->x, FX_SOURCES), MSK_EINVAL);
	assert_msk_error(msk_xive_source_free(f->x, FX_SOURCES), MSK_EINVAL);
	uint64_t v = 0;
	assert_msk_error(msk_xive_esb_access(f->x, FX_SOURCES, 0, false, &v), MSK_EINVAL);
	assert_msk_error(msk_xive_esb_access(f->x, 3, 0x10000, false, &v), MSK_EINVAL);
	assert_msk_ok(msk_xive_esb_access(f->x, 3, MSK_XIVE_ESB_GET + 4, false, &v));
	assert_int_equal(v, ~0ull); /* unaligned: no effect */
	assert_msk_ok(msk_xive_esb_access(f->x, 3, MSK_XIVE_ESB_SET_PQ_10, false, &v));
	assert_int_equal(v, MSK_XIVE_PQ_OFF);
	assert_int_equal(fx_pq(f, 3), MSK_XIVE_PQ_PENDING);
	fx_free(f);
}

/* The router reset of H_INT_RESET. */
static void test_reset_router(void **state)
{
	(void)state;
	struct fx *f = fx_new(16, false);
	fx_queue(f, 0, 3, 12);
	fx_route(f, 50, 0, 3, 50);
	PQ00(f, 50);
	fx_raise(f, 50, 2);
	fx_raise(f, 50, 3);
	msk_xive_reset_router(f->x);
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_QUEUE_RESET), 2);
	struct msk_xive_source_info si;
	assert_msk_ok(msk_xive_get_source(f->x, 50, &si));
	assert_true(si.eas.valid);
	assert_true(si.eas.masked);
	assert_int_equal(si.eas.eisn, 0);
	assert_int_equal(si.pq, MSK_XIVE_PQ_QUEUED); /* the ESB is not the router */
	assert_int_equal(si.held, 3);
	assert_msk_ok(msk_xive_get_source(f->x, 51, &si));
	assert_false(si.eas.valid);
	assert_int_equal(fx_outstanding(f, 0, 3), 0);
	assert_int_equal(EOI(f, 50), 1); /* masked now: lost at the router */
	assert_int_equal(fx_lost(f, MSK_LOSS_XIVE_EAS_MASKED), 3);
	fx_balanced(f);
	fx_free(f);
}

static void test_create_errors(void **state)
{
	(void)state;
	struct msk_bus *bus;
	struct msk_xive *x;
	assert_msk_ok(msk_bus_create(0, FX_RAM_SIZE, NULL, &bus));
	struct msk_xive_config cfg = { .nr_sources = 16, .nr_cpus = 2, .esb_base = FX_ESB_BASE };
	cfg.nr_sources = 0;
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.nr_sources = MSK_XIVE_MAX_SOURCES + 1;
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.nr_sources = 16;
	cfg.nr_cpus = 0;
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.nr_cpus = 2;
	cfg.esb_shift = 13;
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.esb_shift = 12;
	cfg.esb_base = FX_ESB_BASE + 0x800;
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.esb_base = ~0ull - 0xFFFF; /* wraps */
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.esb_base = 0x100000; /* in RAM */
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EBUSY);
	cfg.esb_base = FX_ESB_BASE;
	cfg.msi_window_base = 0x2000; /* in RAM: the ESB mapping is undone */
	cfg.msi_window_size = 0x1000;
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EBUSY);
	cfg.msi_window_base = ~0ull - 0x7FF; /* wraps */
	assert_msk_error(msk_xive_create(bus, &cfg, &x), MSK_EINVAL);
	cfg.msi_window_base = FX_MSI_WINDOW;
	/* Out of memory at each allocation: nothing left behind. */
	msk_fault_reset();
	assert_msk_ok(msk_xive_create(bus, &cfg, &x));
	unsigned long n = msk_fault_alloc_count();
	msk_xive_destroy(x);
	assert_true(n >= 5); /* instance, sources, ENDs, two bus mappings */
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		int rc = msk_xive_create(bus, &cfg, &x);
		msk_fault_reset();
		if (rc != -MSK_ENOMEM)
			fail_msg("allocation %lu failed: create returned %d", k, rc);
	}
	assert_msk_ok(msk_xive_create(bus, &cfg, &x));
	assert_int_equal(msk_xive_nr_sources(x), 16);
	assert_int_equal(msk_xive_nr_cpus(x), 2);
	assert_int_equal(msk_xive_esb_shift(x), 12);
	assert_int_equal(msk_xive_msi_window(x), FX_MSI_WINDOW);
	assert_ptr_equal(msk_xive_bus(x), bus);
	msk_xive_destroy(x);
	msk_xive_destroy(NULL);
	msk_bus_destroy(bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_off_source_drops),
		cmocka_unit_test(test_eas_masked_is_pending),
		cmocka_unit_test(test_invalid_eas_and_no_queue),
		cmocka_unit_test(test_coalescing_and_eoi_renotify),
		cmocka_unit_test(test_linux_eoi_flow_carries_weight),
		cmocka_unit_test(test_mask_drops_q_weight),
		cmocka_unit_test(test_huge_weights),
		cmocka_unit_test(test_eq_generation_and_wrap),
		cmocka_unit_test(test_queue_overflow),
		cmocka_unit_test(test_weight_record_out_of_memory),
		cmocka_unit_test(test_queue_page_out_of_memory),
		cmocka_unit_test(test_take_order),
		cmocka_unit_test(test_guest_forges_entry),
		cmocka_unit_test(test_guest_erases_entry),
		cmocka_unit_test(test_msi_window),
		cmocka_unit_test(test_set_queue_errors),
		cmocka_unit_test(test_set_eas_errors),
		cmocka_unit_test(test_reset_router),
		cmocka_unit_test(test_create_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
