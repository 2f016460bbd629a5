/* SPDX-License-Identifier: MIT */
/* Config space of the PCI function model: header, BARs, access rules, creation. */
#include "pci_harness.h"

static struct msk_pcifn_config base_cfg(void)
{
	struct msk_pcifn_config c = {
		.bus = 0x3a,
		.dev = 0x1f,
		.fn = 7,
		.vendor_id = 0x8086,
		.device_id = 0x0b25,
		.subsys_vendor_id = 0x1af4,
		.subsys_id = 0x1100,
		.revision = 0x42,
		.class_code = 0x088000,
		.msi_vectors = 4,
		.msi_64bit = true,
		.msix_entries = 9,
	};
	return c;
}

static void test_header(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	struct rig *r = rig_with(&c);
	struct msk_pcifn *fn = r->fn;
	assert_int_equal(cfg_rd(fn, 0x00, 4), 0x0b258086);
	assert_int_equal(cfg_rd(fn, 0x08, 4), 0x08800042);
	assert_int_equal(cfg_rd(fn, 0x0E, 1), 0);
	assert_int_equal(cfg_rd(fn, 0x2C, 4), 0x11001af4);
	assert_int_equal(cfg_rd(fn, 0x06, 2), 0x0010);
	assert_int_equal(cfg_rd(fn, 0x34, 1), 0x80);
	assert_int_equal(cfg_rd(fn, 0x81, 1), 0xA0);
	assert_int_equal(cfg_rd(fn, 0xA1, 1), 0);
	assert_int_equal(cfg_rd(fn, 0x3D, 1), 0);
	assert_int_equal(msk_pcifn_rid(fn), 0x3a << 8 | 0x1f << 3 | 7);
	/* Read-only: IDs, class, header type, status, capability pointer. */
	for (unsigned int off = 0; off < 0x40; off += 4) {
		if (off == 0x04 || off == 0x0C || (off >= 0x10 && off < 0x28) || off == 0x3C)
			continue;
		uint64_t before = cfg_rd(fn, off, 4);
		cfg_wr(fn, off, 0xFFFFFFFF, 4);
		cfg_wr(fn, off, 0, 4);
		assert_int_equal(cfg_rd(fn, off, 4), before);
	}
	/* RW storage: cache line size and interrupt line; pin stays 0. */
	cfg_wr(fn, 0x0C, 0x10, 1);
	assert_int_equal(cfg_rd(fn, 0x0C, 1), 0x10);
	cfg_wr(fn, 0x3C, 0xFFFF, 2);
	assert_int_equal(cfg_rd(fn, 0x3C, 2), 0x00FF);
	/* Extended config space reads 0 and ignores writes. */
	cfg_wr(fn, 0x100, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(fn, 0x100, 4), 0);
	assert_int_equal(cfg_rd(fn, 0xFFC, 4), 0);
	rig_free(r);
}

static void test_command_bits(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	struct rig *r = rig_with(&c);
	assert_int_equal(cfg_rd(r->fn, 0x04, 2), 0);
	cfg_wr(r->fn, 0x04, 0xFFFF, 2);
	assert_int_equal(cfg_rd(r->fn, 0x04, 2), 0x0406);
	cfg_wr(r->fn, 0x05, 0x00, 1);
	assert_int_equal(cfg_rd(r->fn, 0x04, 2), 0x0006);
	/* A dword write at 0x04 also hits Status, which stays read-only. */
	cfg_wr(r->fn, 0x04, 0xFFFF0000, 4);
	assert_int_equal(cfg_rd(r->fn, 0x04, 4), 0x00100000);
	rig_free(r);
}

static void test_bar_sizing(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	c.msix_entries = 0;
	c.bar_size[0] = 0x4000;
	c.bar_size[1] = 0x100000;
	c.bar_flags[1] = MSK_PCIFN_BAR_PREFETCH;
	c.bar_size[2] = 1ull << 34;
	c.bar_flags[2] = MSK_PCIFN_BAR_64 | MSK_PCIFN_BAR_PREFETCH;
	c.bar_size[4] = 0x1000;
	c.bar_flags[4] = MSK_PCIFN_BAR_64;
	struct rig *r = rig_with(&c);
	struct msk_pcifn *fn = r->fn;
	/* Linux's __pci_read_base: save, write all-ones, read, restore. */
	static const uint32_t want[6] = {
		0xFFFFC000, 0xFFF00008, 0x0000000C, 0xFFFFFFFC, 0xFFFFF004, 0xFFFFFFFF,
	};
	for (unsigned int i = 0; i < 6; i++) {
		uint64_t saved = cfg_rd(fn, 0x10 + 4 * i, 4);
		cfg_wr(fn, 0x10 + 4 * i, 0xFFFFFFFF, 4);
		assert_int_equal(cfg_rd(fn, 0x10 + 4 * i, 4), want[i]);
		cfg_wr(fn, 0x10 + 4 * i, saved, 4);
		assert_int_equal(cfg_rd(fn, 0x10 + 4 * i, 4), saved);
	}
	/* Type bits are read-only; low address bits below the size read 0. */
	cfg_wr(fn, 0x10, 0x12345671, 4);
	assert_int_equal(cfg_rd(fn, 0x10, 4), 0x12344000);
	cfg_wr(fn, 0x18, 0x00000000, 4);
	cfg_wr(fn, 0x1C, 0x00000005, 4);
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(fn, 2, &bi));
	assert_int_equal(bi.size, 1ull << 34);
	assert_int_equal(bi.address, 4ull << 32);
	assert_false(bi.decoded);
	assert_msk_ok(msk_pcifn_bar_info(fn, 3, &bi));
	assert_int_equal(bi.size, 0); /* upper half */
	assert_msk_error(msk_pcifn_bar_info(fn, 6, &bi), MSK_EINVAL);
	/* Expansion ROM is not implemented. */
	cfg_wr(fn, 0x30, 0xFFFFF801, 4);
	assert_int_equal(cfg_rd(fn, 0x30, 4), 0);
	rig_free(r);
}

static void test_unimplemented_bars_read_zero(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	c.msix_entries = 0;
	struct rig *r = rig_with(&c);
	for (unsigned int i = 0; i < 6; i++) {
		cfg_wr(r->fn, 0x10 + 4 * i, 0xFFFFFFFF, 4);
		assert_int_equal(cfg_rd(r->fn, 0x10 + 4 * i, 4), 0);
		struct msk_pcifn_bar_info bi;
		assert_msk_ok(msk_pcifn_bar_info(r->fn, i, &bi));
		assert_int_equal(bi.size, 0);
	}
	rig_free(r);
}

static void test_derived_bar_sizes(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	c.msix_entries = 2048; /* 32 KiB table + 256 B PBA at 32 KiB -> 64 KiB */
	c.ims_entries = 300;   /* 4800 B -> 8 KiB, next free BAR */
	struct rig *r = rig_with(&c);
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 0, &bi));
	assert_int_equal(bi.size, 0x10000);
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 1, &bi));
	assert_int_equal(bi.size, 0x2000);
	struct msk_pcifn_ims_state is;
	assert_msk_ok(msk_pcifn_ims_state(r->fn, &is));
	assert_int_equal(is.bar, 1);
	assert_int_equal(is.offset, 0);
	assert_int_equal(is.entries, 300);
	cfg_wr(r->fn, 0x10, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, 0x10, 4), 0xFFFF0000);
	rig_free(r);
}

static void test_access_sizes_and_offsets(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	struct rig *r = rig_with(&c);
	struct msk_pcifn *fn = r->fn;
	/* Unaligned reads assemble bytes. */
	uint64_t b[8];
	for (unsigned int i = 0; i < 8; i++)
		b[i] = cfg_rd(fn, i, 1);
	assert_int_equal(cfg_rd(fn, 0x01, 4), b[1] | b[2] << 8 | b[3] << 16 | b[4] << 24);
	assert_int_equal(cfg_rd(fn, 0x00, 8), b[0] | b[1] << 8 | b[2] << 16 | b[3] << 24 |
						      b[4] << 32 | b[5] << 40 | b[6] << 48 |
						      b[7] << 56);
	/* An unaligned write: device ID high byte, Command, Status low byte. */
	cfg_wr(fn, 0x03, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(fn, 0x04, 2), 0x0406);
	assert_int_equal(cfg_rd(fn, 0x02, 2), 0x0b25);
	/* 8-byte writes are two dwords. */
	unsigned int p = find_cap(fn, 0x05);
	cfg_wr(fn, p + 4, 0x00000001FEE01000ull, 8);
	assert_int_equal(cfg_rd(fn, p + 4, 8), 0x00000001FEE01000ull);
	/* Out of range or bad size: EINVAL, nothing changes, reads all-ones. */
	uint64_t v = 0;
	assert_msk_error(msk_pcifn_cfg_read(fn, 0x1000, 1, &v), MSK_EINVAL);
	assert_int_equal(v, 0xFF);
	assert_msk_error(msk_pcifn_cfg_read(fn, 0xFFE, 4, &v), MSK_EINVAL);
	assert_int_equal(v, 0xFFFFFFFF);
	assert_msk_error(msk_pcifn_cfg_read(fn, 0, 3, &v), MSK_EINVAL);
	assert_msk_error(msk_pcifn_cfg_write(fn, 0xFFD, 0, 4), MSK_EINVAL);
	assert_msk_error(msk_pcifn_cfg_write(fn, 0x04, 0, 0), MSK_EINVAL);
	assert_msk_error(msk_pcifn_cfg_write(fn, ~0u, 0, 1), MSK_EINVAL);
	assert_int_equal(cfg_rd(fn, 0x04, 2), 0x0406);
	/* Every byte of the 4 KiB answers. */
	for (unsigned int off = 0; off < 0x1000; off++)
		assert_msk_ok(msk_pcifn_cfg_read(fn, off, 1, &v));
	rig_free(r);
}

static void test_msix_cap_read_only(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	struct rig *r = rig_with(&c);
	unsigned int p = find_cap(r->fn, 0x11);
	uint64_t t = cfg_rd(r->fn, p + 4, 4), pba = cfg_rd(r->fn, p + 8, 4);
	cfg_wr(r->fn, p + 2, 0xFFFF, 2);
	assert_int_equal(cfg_rd(r->fn, p + 2, 2), 0xC000 | 8);
	cfg_wr(r->fn, p + 2, 0x0000, 2);
	assert_int_equal(cfg_rd(r->fn, p + 2, 2), 8);
	cfg_wr(r->fn, p + 4, 0xFFFFFFFF, 4);
	cfg_wr(r->fn, p + 8, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, p + 4, 4), t);
	assert_int_equal(cfg_rd(r->fn, p + 8, 4), pba);
	/* The high byte alone, as some drivers write it. */
	cfg_wr(r->fn, p + 3, 0x80, 1);
	struct msk_pcifn_msix_state ms;
	assert_msk_ok(msk_pcifn_msix_state(r->fn, &ms));
	assert_true(ms.enabled);
	assert_false(ms.function_mask);
	rig_free(r);
}

static void test_bad_configs(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	struct msk_pcifn *fn = NULL;
	struct msk_pcifn_config c;
#define BAD(mutation)                                                            \
	do {                                                                     \
		c = base_cfg();                                                  \
		mutation;                                                        \
		assert_msk_error(msk_pcifn_create(r->bus, &c, &fn), MSK_EINVAL); \
		assert_null(fn);                                                 \
	} while (0)
	BAD(c.dev = 32);
	BAD(c.fn = 8);
	BAD(c.bus = 256);
	BAD(c.vendor_id = 0xFFFF);
	BAD(c.class_code = 0x1000000);
	BAD(c.msi_vectors = 3);
	BAD(c.msi_vectors = 64);
	BAD(c.msix_entries = 2049);
	BAD(c.ims_entries = MSK_PCIFN_IMS_MAX + 1);
	BAD(c.msix_while_disabled = (enum msk_pcifn_while_disabled)2);
	BAD(c.bar_flags[0] = 0x10);
	BAD(c.bar_flags[5] = MSK_PCIFN_BAR_64);
	BAD((c.bar_flags[0] = MSK_PCIFN_BAR_64, c.bar_size[1] = 4096));
	BAD(c.bar_size[0] = 0x1800);	 /* not a power of two */
	BAD(c.bar_size[0] = 0x800);	 /* below 4 KiB */
	BAD(c.bar_size[0] = 1ull << 32); /* too big for 32-bit */
	BAD((c.bar_size[0] = 1ull << 49, c.bar_flags[0] = MSK_PCIFN_BAR_64));
	BAD(c.bar_flags[3] = MSK_PCIFN_BAR_PREFETCH); /* flags on an empty BAR */
	BAD(c.msix_table = ((struct msk_pcifn_loc){ true, 6, 0 }));
	BAD(c.msix_table = ((struct msk_pcifn_loc){ true, 0, 4 }));
	BAD((c.bar_flags[0] = MSK_PCIFN_BAR_64,
	     c.msix_table = ((struct msk_pcifn_loc){ true, 1, 0 })));
	BAD((c.msix_table = ((struct msk_pcifn_loc){ true, 0, 0 }), c.bar_size[0] = 4096,
	     c.msix_pba = ((struct msk_pcifn_loc){ true, 0, 4096 })));
	BAD((c.msix_entries = 0, c.msix_table = ((struct msk_pcifn_loc){ true, 0, 0 })));
	BAD(c.msix_table = ((struct msk_pcifn_loc){ true, 0, 0xFFFFFF00 })); /* no room for PBA */
	BAD(c.ims = ((struct msk_pcifn_loc){ true, 2, 0 }));
	BAD((c.ims_entries = 4, c.ims = ((struct msk_pcifn_loc){ true, 0, 0 }),
	     c.msix_table = ((struct msk_pcifn_loc){ true, 0, 0x20 })));
	BAD((c.bar_size[0] = c.bar_size[1] = c.bar_size[2] = c.bar_size[3] = c.bar_size[4] =
		     c.bar_size[5] = 4096));
	BAD((c.ims_entries = 8,
	     c.bar_size[1] = c.bar_size[2] = c.bar_size[3] = c.bar_size[4] = c.bar_size[5] = 4096));
#undef BAD
	assert_msk_error(msk_pcifn_create(NULL, &c, &fn), MSK_EINVAL);
	assert_msk_error(msk_pcifn_create(r->bus, NULL, &fn), MSK_EINVAL);
	/* A message that says what is wrong. */
	c = base_cfg();
	c.msi_vectors = 3;
	msk_pcifn_create(r->bus, &c, &fn);
	assert_non_null(strstr(msk_last_error(), "3 MSI vectors"));
	rig_free(r);
}

static void test_fault_injection(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	struct msk_pcifn_config c = base_cfg();
	c.ims_entries = 16;
	struct msk_pcifn *fn;
	msk_fault_reset();
	assert_msk_ok(msk_pcifn_create(r->bus, &c, &fn));
	unsigned long n = msk_fault_alloc_count();
	assert_true(n >= 3);
	msk_pcifn_destroy(fn);
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		fn = NULL;
		assert_msk_error(msk_pcifn_create(r->bus, &c, &fn), MSK_ENOMEM);
		assert_null(fn);
	}
	/* The same for a function built from an image. */
	uint8_t img[256] = { 0x86, 0x80, 0x34, 0x12 };
	msk_fault_reset();
	assert_msk_ok(msk_pcifn_create_from_image(r->bus, img, sizeof(img), NULL, &fn));
	n = msk_fault_alloc_count();
	assert_true(n >= 2);
	msk_pcifn_destroy(fn);
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		fn = NULL;
		assert_msk_error(msk_pcifn_create_from_image(r->bus, img, sizeof(img), NULL, &fn),
				 MSK_ENOMEM);
		assert_null(fn);
	}
	msk_fault_reset();
	rig_free(r); /* ASan's leak check proves nothing was left behind */
}

static void test_pcie_flr(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	c.pcie_flr = true;
	struct rig *r = rig_with(&c);
	unsigned int p = find_cap(r->fn, 0x10);
	assert_int_equal(p, 0x40);
	assert_int_equal(cfg_rd(r->fn, 0x34, 1), 0x40);
	assert_int_equal(cfg_rd(r->fn, p + 1, 1), 0x80); /* then MSI, then MSI-X */
	assert_true(cfg_rd(r->fn, p + 4, 4) & (1u << 28));
	/* Device Control is RW except Initiate FLR, which reads 0. */
	cfg_wr(r->fn, p + 8, 0x2810, 2);
	assert_int_equal(cfg_rd(r->fn, p + 8, 2), 0x2810);
	linux_msix_enable(r->fn, 9);
	msix_mask(r->fn, 0, true);
	assert_msk_ok(msk_pcifn_raise_weight(r->fn, 0, 2));
	cfg_wr(r->fn, p + 8, 0xA810, 2);
	assert_int_equal(cfg_rd(r->fn, p + 8, 2), 0);
	assert_int_equal(cfg_rd(r->fn, 0x04, 2), 0);
	assert_int_equal(lost_for(r, MSK_LOSS_DEVICE_RESET), 2);
	assert_int_equal(tbl_rd(r->fn, 0, 3), 1);
	struct msk_pcifn_stats s;
	msk_pcifn_stats(r->fn, &s);
	assert_int_equal(s.resets, 1);
	assert_balanced(r);
	rig_free(r);
}

static void test_names(void **state)
{
	(void)state;
	struct msk_pcifn_config c = base_cfg();
	c.name = "nvme0";
	struct rig *r = rig_with(&c);
	assert_string_equal(msk_pcifn_name(r->fn), "nvme0");
	uint64_t v;
	assert_msk_error(msk_pcifn_cfg_read(r->fn, 0x1000, 4, &v), MSK_EINVAL);
	assert_non_null(strstr(msk_last_error(), "nvme0"));
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header),
		cmocka_unit_test(test_command_bits),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_unimplemented_bars_read_zero),
		cmocka_unit_test(test_derived_bar_sizes),
		cmocka_unit_test(test_access_sizes_and_offsets),
		cmocka_unit_test(test_msix_cap_read_only),
		cmocka_unit_test(test_bad_configs),
		cmocka_unit_test(test_fault_injection),
		cmocka_unit_test(test_pcie_flr),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
