/* SPDX-License-Identifier: MIT */
/*
 * msk_x86_apic_read: a CPU's local APIC registers (ID, TPR, PPR, ISR, IRR)
 * as the OS reads them, following what messages, take, EOI and TPR do;
 * bad CPUs and offsets refused with the output untouched.
 */
#include "x86_test.h"

static uint32_t rd(struct xt *t, unsigned int cpu, unsigned int reg)
{
	uint32_t v = 0xDEADBEEFu;
	assert_msk_ok(msk_x86_apic_read(t->x86, cpu, reg, &v));
	return v;
}

static uint32_t irr_of(struct xt *t, unsigned int cpu, unsigned int vector)
{
	return rd(t, cpu, MSK_X86_APIC_IRR + vector / 32 * 0x10) >> (vector % 32) & 1;
}

static uint32_t isr_of(struct xt *t, unsigned int cpu, unsigned int vector)
{
	return rd(t, cpu, MSK_X86_APIC_ISR + vector / 32 * 0x10) >> (vector % 32) & 1;
}

static void test_irr_isr_follow_take_and_eoi(void **state)
{
	(void)state;
	struct xt t;
	xt_setup(&t, 2, false);
	uint32_t addr = msk_x86_msi_compat_addr(1, false, false);
	/* Vectors in different 32-bit registers, one of them the last (0xFF). */
	assert_msk_ok(
		xt_msi(&t, addr, msk_x86_msi_compat_data(0x41, MSK_APIC_DM_FIXED, false), 0, 1));
	assert_msk_ok(
		xt_msi(&t, addr, msk_x86_msi_compat_data(0xFF, MSK_APIC_DM_FIXED, false), 0, 2));
	assert_int_equal(irr_of(&t, 1, 0x41), 1);
	assert_int_equal(irr_of(&t, 1, 0xFF), 1);
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_IRR + 0x20), 1u << 1);	/* 0x41 = 64 + 1 */
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_IRR + 0x70), 1u << 31); /* 0xFF = 224 + 31 */
	assert_int_equal(rd(&t, 0, MSK_X86_APIC_IRR + 0x20), 0);	/* not CPU 0's */
	uint8_t v;
	uint64_t w;
	/* Take moves the highest from IRR to ISR; PPR follows its class. */
	assert_int_equal(xt_take(&t, 1, &v, &w), 1);
	assert_int_equal(v, 0xFF);
	assert_int_equal(irr_of(&t, 1, 0xFF), 0);
	assert_int_equal(isr_of(&t, 1, 0xFF), 1);
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_PPR), 0xF0);
	assert_int_equal(msk_x86_eoi(t.x86, 1), 0xFF);
	assert_int_equal(isr_of(&t, 1, 0xFF), 0);
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_PPR), 0);
	/* TPR reads back, and PPR is max(TPR, ISR class). */
	assert_msk_ok(msk_x86_set_tpr(t.x86, 1, 0x23));
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_TPR), 0x23);
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_PPR), 0x23);
	xt_expect(&t, 1, 0x41, 1);
	for (unsigned int i = 0; i < 8; i++) {
		assert_int_equal(rd(&t, 1, MSK_X86_APIC_IRR + i * 0x10), 0);
		assert_int_equal(rd(&t, 1, MSK_X86_APIC_ISR + i * 0x10), 0);
	}
	xt_teardown(&t);
}

static void test_id_and_bad_reads(void **state)
{
	(void)state;
	struct xt t;
	uint32_t ids[2] = { 7, 200 };
	xt_setup_ids(&t, 2, ids, false);
	assert_int_equal(rd(&t, 0, MSK_X86_APIC_ID), 7u << 24);
	assert_int_equal(rd(&t, 1, MSK_X86_APIC_ID), 200u << 24);
	uint32_t v = 0x1234;
	assert_msk_error(msk_x86_apic_read(t.x86, 2, MSK_X86_APIC_IRR, &v), MSK_EINVAL);
	assert_msk_error(msk_x86_apic_read(t.x86, 0, MSK_X86_APIC_IRR + 4, &v), MSK_EINVAL);
	assert_msk_error(msk_x86_apic_read(t.x86, 0, MSK_X86_APIC_IRR + 0x80, &v), MSK_EINVAL);
	assert_msk_error(msk_x86_apic_read(t.x86, 0, 0x300, &v),
			 MSK_EINVAL); /* ICR: not modelled */
	assert_msk_error(msk_x86_apic_read(t.x86, 0, 0, &v), MSK_EINVAL);
	assert_msk_error(msk_x86_apic_read(t.x86, 0, MSK_X86_APIC_ID, NULL), MSK_EINVAL);
	assert_int_equal(v, 0x1234);
	xt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_irr_isr_follow_take_and_eoi),
		cmocka_unit_test(test_id_and_bad_reads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
