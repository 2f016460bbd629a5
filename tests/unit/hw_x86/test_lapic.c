/* SPDX-License-Identifier: MIT */
/*
 * Local APICs and the MSI window without remapping: compatibility-format
 * decode, destinations, delivery modes, priority, EOI, coalescing, TPR,
 * kicks, bad input, and the ledger after every step.
 */
#include "x86_test.h"

static uint32_t phys(uint8_t dest)
{
	return msk_x86_msi_compat_addr(dest, false, false);
}

static uint32_t fixed(uint8_t vector)
{
	return msk_x86_msi_compat_data(vector, MSK_APIC_DM_FIXED, false);
}

static void test_create_rejects_bad_config(void **state)
{
	(void)state;
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct msk_x86 *x86 = NULL;
	assert_msk_ok(msk_ledger_create(&l));
	assert_msk_ok(msk_bus_create(0, 1 << 20, l, &bus));
	struct msk_x86_config cfg = { .ncpus = 0 };
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_EINVAL);
	cfg.ncpus = MSK_MAX_CPUS + 1;
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_EINVAL);
	uint32_t dup[3] = { 1, 2, 1 };
	cfg = (struct msk_x86_config){ .ncpus = 3, .apic_ids = dup };
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_EINVAL);
	uint32_t bcast[2] = { 0, 0xFFFFFFFFu };
	cfg = (struct msk_x86_config){ .ncpus = 2, .apic_ids = bcast };
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_EINVAL);
	cfg = (struct msk_x86_config){ .ncpus = 2, .ir_base = XT_IR_BASE + 0x800 };
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_EINVAL);
	/* VT-d registers on top of RAM: EBUSY, and the window is unmapped again. */
	cfg = (struct msk_x86_config){ .ncpus = 2, .ir_base = 0x1000 };
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_EBUSY);
	assert_null(x86);
	cfg.ir_base = XT_IR_BASE;
	assert_msk_ok(msk_x86_create(bus, &cfg, NULL, &x86));
	assert_int_equal(msk_x86_ncpus(x86), 2);
	assert_true(msk_x86_has_ir(x86));
	/* A second model cannot take the same window. */
	struct msk_x86 *other = NULL;
	cfg.ir_base = 0;
	assert_msk_error(msk_x86_create(bus, &cfg, NULL, &other), MSK_EBUSY);
	assert_msk_ok(msk_x86_destroy(x86));
	assert_msk_ok(msk_x86_create(bus, &cfg, NULL, &other));
	assert_false(msk_x86_has_ir(other));
	struct msk_vtd_state vs;
	assert_msk_error(msk_x86_vtd_state(other, &vs), MSK_ENODEV);
	assert_msk_ok(msk_x86_destroy(other));
	assert_msk_ok(msk_x86_destroy(NULL));
	msk_bus_destroy(bus);
	msk_ledger_destroy(l);
}

static void test_create_fails_cleanly_without_memory(void **state)
{
	(void)state;
	struct msk_ledger *l;
	struct msk_bus *bus;
	assert_msk_ok(msk_ledger_create(&l));
	assert_msk_ok(msk_bus_create(0, 1 << 20, l, &bus));
	struct msk_x86_config cfg = { .ncpus = 4, .ir_base = XT_IR_BASE };
	struct msk_x86 *x86 = NULL;
	msk_fault_reset();
	assert_msk_ok(msk_x86_create(bus, &cfg, NULL, &x86));
	unsigned long n = msk_fault_alloc_count();
	assert_msk_ok(msk_x86_destroy(x86));
	for (unsigned long k = 1; k <= n; k++) {
		x86 = NULL;
		msk_fault_fail_alloc(k);
		assert_msk_error(msk_x86_create(bus, &cfg, NULL, &x86), MSK_ENOMEM);
		assert_null(x86);
		msk_fault_reset();
		/* Nothing was left mapped: the windows can be created again. */
		assert_msk_ok(msk_x86_create(bus, &cfg, NULL, &x86));
		assert_msk_ok(msk_x86_destroy(x86));
	}
	msk_bus_destroy(bus);
	msk_ledger_destroy(l);
}

static void test_destroy_retries_after_enomem(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, true);
	/* Unmapping the VT-d registers fails: nothing changes. */
	msk_fault_reset();
	msk_fault_fail_alloc(1);
	assert_msk_error(msk_x86_destroy(t.x86), MSK_ENOMEM);
	assert_int_equal(xt_rd32(&t, MSK_VTD_VER_REG), 0x10);
	/* The registers go, the window stays: the model still works. */
	msk_fault_fail_alloc(2);
	assert_msk_error(msk_x86_destroy(t.x86), MSK_ENOMEM);
	msk_fault_reset();
	uint64_t v;
	assert_int_equal(msk_bus_read(t.bus, XT_IR_BASE, 4, NULL, &v), -MSK_EFAULT);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x40), 0, 1));
	xt_expect(&t, 0, 0x40, 1);
	xt_check_ledger(&t);
	/* The retry completes. */
	assert_msk_ok(msk_x86_destroy(t.x86));
	assert_int_equal(msk_bus_msi(t.bus, phys(0), fixed(0x40), 0, 0), -MSK_EFAULT);
	msk_bus_destroy(t.bus);
	msk_ledger_destroy(t.ledger);
}

static void test_physical_destination(void **state)
{
	(void)state;
	struct xt t;
	const uint32_t ids[4] = { 0, 2, 5, 7 };
	xt_setup_ids(&t, 4, ids, false);
	assert_msk_ok(xt_msi(&t, phys(5), fixed(0x41), 0x0100, 3));
	xt_check_ledger(&t);
	assert_int_equal(msk_x86_held(t.x86), 3);
	xt_expect_none(&t, 0);
	xt_expect_none(&t, 1);
	xt_expect_none(&t, 3);
	xt_expect(&t, 2, 0x41, 3);
	assert_int_equal(msk_x86_held(t.x86), 0);
	/* Address bits 11:5 and 1:0 and data bits 31:16 are ignored. */
	assert_msk_ok(xt_msi(&t, phys(7) | 0xFE0 | 3, 0xABCD0000 | fixed(0x42), 0x0100, 1));
	xt_expect(&t, 3, 0x42, 1);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.messages, 2);
	assert_int_equal(s.compat, 2);
	assert_int_equal(s.remappable, 0);
	xt_teardown(&t);
}

static void test_physical_broadcast_weight_on_first_cpu(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 3, false);
	assert_msk_ok(xt_msi(&t, phys(0xFF), fixed(0x60), 0x0100, 5));
	xt_check_ledger(&t);
	xt_expect(&t, 0, 0x60, 5);
	xt_expect(&t, 1, 0x60, 0);
	xt_expect(&t, 2, 0x60, 0);
	xt_teardown(&t);
}

static void test_logical_flat(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 10, false);
	uint32_t addr = msk_x86_msi_compat_addr(0x0A, true, false); /* CPUs 1 and 3 */
	assert_msk_ok(xt_msi(&t, addr, fixed(0x50), 0x0100, 4));
	xt_expect(&t, 1, 0x50, 4);
	xt_expect(&t, 3, 0x50, 0);
	for (unsigned int c = 0; c < 10; c++)
		xt_expect_none(&t, c);
	/* 0xFF reaches the CPUs with a logical ID: APIC IDs 0..7, not 8 and 9. */
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(0xFF, true, false), fixed(0x51), 0, 2));
	xt_expect(&t, 0, 0x51, 2);
	for (unsigned int c = 1; c < 8; c++)
		xt_expect(&t, c, 0x51, 0);
	xt_expect_none(&t, 8);
	xt_expect_none(&t, 9);
	xt_teardown(&t);
}

static void test_lowest_priority_arbitration(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 4, false);
	uint32_t set = msk_x86_msi_compat_addr(0x0E, true, false); /* CPUs 1, 2, 3 */
	uint32_t lowest = msk_x86_msi_compat_data(0x70, MSK_APIC_DM_LOWEST, false);
	/* All idle: the lowest CPU of the set. */
	assert_msk_ok(xt_msi(&t, set, lowest, 0, 1));
	xt_expect(&t, 1, 0x70, 1);
	xt_expect_none(&t, 2);
	/* CPU 1 raises its TPR: CPU 2 has the lowest priority now. */
	assert_msk_ok(msk_x86_set_tpr(t.x86, 1, 0x30));
	assert_msk_ok(xt_msi(&t, set, lowest, 0, 1));
	xt_expect(&t, 2, 0x70, 1);
	/* CPU 2 and 3 busy with higher classes than CPU 1's TPR: CPU 1 wins. */
	assert_msk_ok(xt_msi(&t, phys(2), fixed(0x90), 0, 1));
	assert_msk_ok(xt_msi(&t, phys(3), fixed(0x80), 0, 1));
	uint8_t v;
	uint64_t w;
	assert_int_equal(xt_take(&t, 2, &v, &w), 1);
	assert_int_equal(xt_take(&t, 3, &v, &w), 1);
	assert_msk_ok(xt_msi(&t, set, lowest, 0, 1));
	xt_expect(&t, 1, 0x70, 1);
	assert_int_equal(msk_x86_eoi(t.x86, 2), 0x90);
	assert_int_equal(msk_x86_eoi(t.x86, 3), 0x80);
	/* Fixed with RH=1 in logical mode is redirected to one CPU as well. */
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(0x0E, true, true), fixed(0x71), 0, 2));
	xt_expect(&t, 2, 0x71, 2); /* CPU 1 still has TPR 0x30 */
	xt_expect_none(&t, 3);
	/* RH=1 in physical mode changes nothing: a broadcast reaches all. */
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(0xFF, false, true), fixed(0x72), 0, 1));
	for (unsigned int c = 0; c < 4; c++)
		xt_expect(&t, c, 0x72, c == 0 ? 1 : 0);
	xt_teardown(&t);
}

static void test_non_vectored_delivery_modes_lost(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, false);
	const unsigned int modes[] = { MSK_APIC_DM_SMI,	 3, MSK_APIC_DM_NMI,
				       MSK_APIC_DM_INIT, 6, MSK_APIC_DM_EXTINT };
	for (unsigned int i = 0; i < 6; i++)
		assert_msk_ok(xt_msi(&t, phys(0), msk_x86_msi_compat_data(0x40, modes[i], false), 0,
				     i + 1));
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_DELIVERY_MODE), 1 + 2 + 3 + 4 + 5 + 6);
	xt_expect_none(&t, 0);
	xt_check_ledger(&t);
	xt_teardown(&t);
}

static void test_illegal_vectors_lost(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, false);
	for (unsigned int v = 0; v < 16; v++)
		assert_msk_ok(xt_msi(&t, phys(0xFF), fixed((uint8_t)v), 0, 2));
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_ILLEGAL_VECTOR), 32); /* once per message */
	xt_expect_none(&t, 0);
	xt_expect_none(&t, 1);
	struct msk_x86_cpu_state cs;
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.irr[0], 0);
	assert_int_equal(cs.accepted, 0);
	/* 16 is the first legal vector, and class 1 is above PPR 0. */
	assert_msk_ok(xt_msi(&t, phys(1), fixed(16), 0, 1));
	xt_expect(&t, 1, 16, 1);
	xt_teardown(&t);
}

static void test_no_target_lost(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 4, false);
	assert_msk_ok(xt_msi(&t, phys(9), fixed(0x40), 0, 1));
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(0x00, true, false), fixed(0x40), 0, 2));
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(0x30, true, false), fixed(0x40), 0, 4));
	assert_msk_ok(xt_msi(&t, msk_x86_msi_compat_addr(0x30, true, false),
			     msk_x86_msi_compat_data(0x40, MSK_APIC_DM_LOWEST, false), 0, 8));
	assert_int_equal(xt_lost(&t, MSK_LOSS_APIC_NO_TARGET), 15);
	for (unsigned int c = 0; c < 4; c++)
		xt_expect_none(&t, c);
	xt_teardown(&t);
}

static void test_priority_and_eoi_order(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x31), 0, 1));
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x75), 0, 1));
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x52), 0, 1));
	uint8_t v;
	uint64_t w;
	assert_int_equal(xt_take(&t, 0, &v, &w), 1);
	assert_int_equal(v, 0x75);
	xt_expect_none(&t, 0); /* 0x52 and 0x31 are below class 7 */
	struct msk_x86_cpu_state cs;
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.ppr, 0x70);
	/* A higher class preempts the one in service. */
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x90), 0, 1));
	assert_int_equal(xt_take(&t, 0, &v, &w), 1);
	assert_int_equal(v, 0x90);
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.isr[2], (1ull << (0x90 - 128)));
	assert_int_equal(cs.isr[1], (1ull << (0x75 - 64)));
	/* EOI clears the highest in-service vector first. */
	assert_int_equal(msk_x86_eoi(t.x86, 0), 0x90);
	xt_expect_none(&t, 0);
	assert_int_equal(msk_x86_eoi(t.x86, 0), 0x75);
	xt_expect(&t, 0, 0x52, 1);
	xt_expect(&t, 0, 0x31, 1);
	xt_expect_none(&t, 0);
	xt_teardown(&t);
}

static void test_same_class_waits_for_eoi(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x41), 0, 1));
	uint8_t v;
	uint64_t w;
	assert_int_equal(xt_take(&t, 0, &v, &w), 1);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x4F), 0, 1));
	xt_expect_none(&t, 0);
	assert_int_equal(msk_x86_eoi(t.x86, 0), 0x41);
	xt_expect(&t, 0, 0x4F, 1);
	xt_teardown(&t);
}

static void test_coalescing_weights(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x40), 0, 2));
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x40), 0, 3));
	struct msk_x86_cpu_state cs;
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.accepted, 2);
	assert_int_equal(cs.coalesced, 1);
	assert_int_equal(cs.weight[0x40], 5);
	assert_int_equal(cs.held, 5);
	assert_true(cs.irr[1] & 1);
	uint8_t v;
	uint64_t w;
	assert_int_equal(xt_take(&t, 0, &v, &w), 1);
	assert_int_equal(w, 5);
	/* The same vector again while in service: pending once more. */
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x40), 0, 7));
	xt_check_ledger(&t);
	xt_expect_none(&t, 0);
	assert_int_equal(msk_x86_eoi(t.x86, 0), 0x40);
	xt_expect(&t, 0, 0x40, 7);
	/* Weights beyond 32 bits add up. */
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x41), 0, UINT32_MAX));
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x41), 0, UINT32_MAX));
	xt_expect(&t, 0, 0x41, 2ull * UINT32_MAX);
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.taken, 3);
	assert_int_equal(cs.eois, 3);
	xt_teardown(&t);
}

static void test_tpr_holds_back_low_classes(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	assert_msk_ok(msk_x86_set_tpr(t.x86, 0, 0x45));
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x4A), 0, 1));
	xt_expect_none(&t, 0);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x55), 0, 1));
	xt_expect(&t, 0, 0x55, 1);
	xt_expect_none(&t, 0);
	struct msk_x86_cpu_state cs;
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.tpr, 0x45);
	assert_int_equal(cs.ppr, 0x45);
	unsigned int kicks = atomic_load(&t.kicks[0]);
	assert_msk_ok(msk_x86_set_tpr(t.x86, 0, 0));
	assert_int_equal(atomic_load(&t.kicks[0]), kicks + 1);
	xt_expect(&t, 0, 0x4A, 1);
	xt_teardown(&t);
}

static void test_kicks_on_new_deliverable_vector(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, false);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x40), 0, 1));
	assert_int_equal(atomic_load(&t.kicks[0]), 1);
	assert_int_equal(atomic_load(&t.kicks[1]), 0);
	/* A lower vector does not change what is deliverable: no kick. */
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x30), 0, 1));
	assert_int_equal(atomic_load(&t.kicks[0]), 1);
	/* A higher one does. */
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x50), 0, 1));
	assert_int_equal(atomic_load(&t.kicks[0]), 2);
	/* Taking never kicks; nothing is deliverable until the EOI, which kicks. */
	uint8_t v;
	uint64_t w;
	assert_int_equal(xt_take(&t, 0, &v, &w), 1);
	assert_int_equal(atomic_load(&t.kicks[0]), 2);
	assert_msk_ok(xt_msi(&t, phys(0), fixed(0x51), 0, 1)); /* same class: held back */
	assert_int_equal(atomic_load(&t.kicks[0]), 2);
	assert_int_equal(msk_x86_eoi(t.x86, 0), 0x50);
	assert_int_equal(atomic_load(&t.kicks[0]), 3);
	xt_expect(&t, 0, 0x51, 1);
	assert_int_equal(atomic_load(&t.kicks[0]), 4); /* its EOI made 0x40 deliverable */
	xt_expect(&t, 0, 0x40, 1);
	xt_expect(&t, 0, 0x30, 1);
	assert_int_equal(atomic_load(&t.kicks[0]), 5);
	xt_teardown(&t);
}

static void test_bad_cpu_and_empty_eoi(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, false);
	uint8_t v = 7;
	uint64_t w = 9;
	assert_msk_error(msk_x86_take(t.x86, 2, &v, &w), MSK_EINVAL);
	assert_int_equal(v, 7);
	assert_int_equal(w, 9);
	assert_msk_error(msk_x86_eoi(t.x86, 2), MSK_EINVAL);
	assert_msk_error(msk_x86_set_tpr(t.x86, 5, 0), MSK_EINVAL);
	struct msk_x86_cpu_state cs;
	memset(&cs, 0x5A, sizeof(cs));
	assert_msk_error(msk_x86_cpu_state(t.x86, 2, &cs), MSK_EINVAL);
	assert_int_equal(cs.apic_id, 0x5A5A5A5A);
	/* EOI with nothing in service changes nothing. */
	assert_msk_ok(xt_msi(&t, phys(1), fixed(0x40), 0, 1));
	assert_msk_error(msk_x86_eoi(t.x86, 1), MSK_ENOENT);
	xt_expect(&t, 1, 0x40, 1);
	xt_teardown(&t);
}

static void test_level_trigger_accepted_as_edge(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	assert_msk_ok(
		xt_msi(&t, phys(0), msk_x86_msi_compat_data(0x40, MSK_APIC_DM_FIXED, true), 0, 2));
	xt_expect(&t, 0, 0x40, 2);
	xt_teardown(&t);
}

static void test_window_cpu_access_and_bad_messages(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	uint64_t v = 1;
	for (unsigned int size = 1; size <= 8; size *= 2) {
		assert_msk_ok(msk_bus_read(t.bus, MSK_X86_MSI_BASE + 8, size, NULL, &v));
		assert_int_equal(v, 0);
		assert_msk_ok(msk_bus_write(t.bus, phys(0), fixed(0x40), size, NULL));
	}
	struct msk_x86_cpu_state cs;
	assert_msk_ok(msk_x86_cpu_state(t.x86, 0, &cs));
	assert_int_equal(cs.accepted, 0);
	/* A message write that is not 4 bytes is malformed. */
	struct msk_bus_attrs a = { .requester_id = 0x100, .weight = 3, .is_msi = true };
	msk_ledger_raise(t.ledger, 6);
	assert_msk_ok(msk_bus_write(t.bus, phys(0), fixed(0x40), 2, &a));
	assert_msk_ok(msk_bus_write(t.bus, phys(0), fixed(0x40), 8, &a));
	assert_int_equal(xt_lost(&t, MSK_LOSS_BAD_MESSAGE), 6);
	xt_expect_none(&t, 0);
	/* A 4-byte one through the same path is a message. */
	msk_ledger_raise(t.ledger, 3);
	assert_msk_ok(msk_bus_write(t.bus, phys(0), fixed(0x40), 4, &a));
	xt_expect(&t, 0, 0x40, 3);
	xt_teardown(&t);
}

static void test_remappable_without_unit_lost(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 1, false);
	assert_msk_ok(xt_msi(&t, xt_remap_addr(0), 0, 0x100, 4));
	assert_int_equal(xt_lost(&t, MSK_LOSS_IR_DISABLED), 4);
	xt_expect_none(&t, 0);
	struct msk_x86_stats s;
	msk_x86_stats(t.x86, &s);
	assert_int_equal(s.remappable, 1);
	assert_int_equal(s.remapped, 0);
	xt_teardown(&t);
}

static void test_many_cpus_and_held(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, MSK_MAX_CPUS, false);
	assert_msk_ok(xt_msi(&t, phys(0xFF), fixed(0x40), 0, 9));
	assert_msk_ok(xt_msi(&t, phys(200), fixed(0x41), 0, 2));
	assert_int_equal(msk_x86_held(t.x86), 11);
	xt_check_ledger(&t);
	xt_expect(&t, 200, 0x41, 2);
	for (unsigned int c = 0; c < MSK_MAX_CPUS; c++)
		xt_expect(&t, c, 0x40, c == 0 ? 9 : 0);
	assert_int_equal(msk_x86_held(t.x86), 0);
	struct msk_x86_cpu_state cs;
	assert_msk_ok(msk_x86_cpu_state(t.x86, 255, &cs));
	assert_int_equal(cs.apic_id, 255);
	xt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_rejects_bad_config),
		cmocka_unit_test(test_create_fails_cleanly_without_memory),
		cmocka_unit_test(test_destroy_retries_after_enomem),
		cmocka_unit_test(test_physical_destination),
		cmocka_unit_test(test_physical_broadcast_weight_on_first_cpu),
		cmocka_unit_test(test_logical_flat),
		cmocka_unit_test(test_lowest_priority_arbitration),
		cmocka_unit_test(test_non_vectored_delivery_modes_lost),
		cmocka_unit_test(test_illegal_vectors_lost),
		cmocka_unit_test(test_no_target_lost),
		cmocka_unit_test(test_priority_and_eoi_order),
		cmocka_unit_test(test_same_class_waits_for_eoi),
		cmocka_unit_test(test_coalescing_weights),
		cmocka_unit_test(test_tpr_holds_back_low_classes),
		cmocka_unit_test(test_kicks_on_new_deliverable_vector),
		cmocka_unit_test(test_bad_cpu_and_empty_eoi),
		cmocka_unit_test(test_level_trigger_accepted_as_edge),
		cmocka_unit_test(test_window_cpu_access_and_bad_messages),
		cmocka_unit_test(test_remappable_without_unit_lost),
		cmocka_unit_test(test_many_cpus_and_held),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
