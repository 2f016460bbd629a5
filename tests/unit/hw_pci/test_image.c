/* SPDX-License-Identifier: MIT */
/*
 * PCI functions built from config-space images: the real ones captured
 * from a Linux 6.18 KVM guest (checked against that guest's lspci -vvv),
 * and hand-made malformed ones.
 */
#include "pci_harness.h"

#include <dirent.h>
#include <stdio.h>

#define MACHINE "/../../data/real-machines/kvm-virtio-linux618"

static void data_path(char *out, size_t cap, const char *rel)
{
	const char *file = __FILE__;
	const char *slash = strrchr(file, '/');
	int dirlen = slash ? (int)(slash - file) : 1;
	snprintf(out, cap, "%.*s%s%s", dirlen, slash ? file : ".", MACHINE, rel);
}

static size_t read_file(const char *path, uint8_t *buf, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(buf, 1, cap, f);
	fclose(f);
	return n;
}

static unsigned long read_hex_file(const char *dir, const char *name)
{
	char path[2048], text[64] = { 0 };
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	read_file(path, (uint8_t *)text, sizeof(text) - 1);
	return strtoul(text, NULL, 16);
}

/* What lspci -vvv says about one function. */
struct lspci_fn {
	bool found, msix, msix_enabled, bus_master, mem;
	unsigned int count, table_bar, pba_bar;
	unsigned long table_off, pba_off;
	unsigned long long region0;
	unsigned long region0_kib;
	bool region0_64;
};

static struct lspci_fn lspci_lookup(const char *bdf_short)
{
	struct lspci_fn l = { 0 };
	char path[1024], line[512];
	data_path(path, sizeof(path), "/lspci-vvv.txt");
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	bool in = false;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] != '\t' && line[0] != '\n') {
			in = strncmp(line, bdf_short, strlen(bdf_short)) == 0;
			l.found |= in;
			continue;
		}
		if (!in)
			continue;
		char *s;
		if ((s = strstr(line, "MSI-X: Enable"))) {
			l.msix = true;
			l.msix_enabled = s[13] == '+';
			assert_int_equal(sscanf(strstr(s, "Count="), "Count=%u", &l.count), 1);
		} else if ((s = strstr(line, "Vector table: BAR="))) {
			assert_int_equal(sscanf(s, "Vector table: BAR=%u offset=%lx", &l.table_bar,
						&l.table_off),
					 2);
		} else if ((s = strstr(line, "PBA: BAR="))) {
			assert_int_equal(
				sscanf(s, "PBA: BAR=%u offset=%lx", &l.pba_bar, &l.pba_off), 2);
		} else if ((s = strstr(line, "Region 0: Memory at "))) {
			assert_int_equal(sscanf(s, "Region 0: Memory at %llx", &l.region0), 1);
			l.region0_64 = strstr(s, "(64-bit") != NULL;
			assert_int_equal(sscanf(strstr(s, "[size="), "[size=%luK]", &l.region0_kib),
					 1);
		} else if ((s = strstr(line, "Control: I/O"))) {
			l.mem = strstr(s, "Mem+") != NULL;
			l.bus_master = strstr(s, "BusMaster+") != NULL;
		}
	}
	fclose(f);
	return l;
}

static unsigned int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	unsigned int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

/* Check one sysfs function against lspci, with and without keep_state. */
static void check_function(struct rig *r, const char *devdir, const char *name)
{
	unsigned int dom, bus, dev, func;
	assert_int_equal(sscanf(name, "%x:%x:%x.%x", &dom, &bus, &dev, &func), 4);
	char bdf_short[16], path[2048];
	snprintf(bdf_short, sizeof(bdf_short), "%02x:%02x.%x", bus, dev, func);
	struct lspci_fn l = lspci_lookup(bdf_short);
	assert_true(l.found);

	uint8_t img[4096];
	snprintf(path, sizeof(path), "%s/config", devdir);
	size_t len = read_file(path, img, sizeof(img));
	assert_true(len == 256 || len == 4096);

	for (int keep = 0; keep <= 1; keep++) {
		struct msk_pcifn_image_opts o = {
			.bus = bus, .dev = dev, .fn = func, .keep_state = keep, .manual_bars = true
		};
		struct msk_pcifn *fn;
		assert_msk_ok(msk_pcifn_create_from_image(r->bus, img, len, &o, &fn));
		assert_int_equal(cfg_rd(fn, 0, 2), read_hex_file(devdir, "vendor"));
		assert_int_equal(cfg_rd(fn, 2, 2), read_hex_file(devdir, "device"));
		assert_int_equal(cfg_rd(fn, 9, 4) & 0xFFFFFF, read_hex_file(devdir, "class"));
		assert_int_equal(msk_pcifn_rid(fn), bus << 8 | dev << 3 | func);
		struct msk_pcifn_msix_state ms;
		assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
		assert_int_equal(ms.cap != 0, l.msix);
		if (l.msix) {
			assert_int_equal(ms.entries, l.count);
			assert_int_equal(ms.table_bar, l.table_bar);
			assert_int_equal(ms.table_offset, l.table_off);
			assert_int_equal(ms.pba_bar, l.pba_bar);
			assert_int_equal(ms.pba_offset, l.pba_off);
			/* Every vector was in use in the guest. */
			snprintf(path, sizeof(path), "%s/msi_irqs", devdir);
			assert_int_equal(count_entries(path), l.count);
			/* The BAR size we derive is the size lspci reports. */
			struct msk_pcifn_bar_info bi;
			assert_msk_ok(msk_pcifn_bar_info(fn, 0, &bi));
			assert_int_equal(bi.size, (uint64_t)l.region0_kib * 1024);
			assert_int_equal(!!(bi.flags & MSK_PCIFN_BAR_64), l.region0_64);
			assert_int_equal(bi.address, keep ? l.region0 : 0);
			assert_int_equal(ms.enabled, keep && l.msix_enabled);
			/* Reset state of the table regardless of the image. */
			for (unsigned int k = 0; k < ms.entries; k++)
				assert_int_equal(tbl_rd(fn, k, 3), 1);
		}
		uint64_t cmd = cfg_rd(fn, 4, 2);
		assert_int_equal(!!(cmd & 4), keep && l.bus_master);
		assert_int_equal(!!(cmd & 2), keep && l.mem);
		/* Everything outside the live registers reads as captured. */
		struct msk_pcifn_msi_state mi;
		assert_msk_ok(msk_pcifn_msi_state(fn, &mi));
		for (unsigned int off = 0x40; off < len; off++) {
			bool live = (ms.cap && off >= ms.cap + 2 && off < ms.cap + 4) ||
				    (mi.cap && off >= mi.cap && off < mi.cap + 24);
			if (!live)
				assert_int_equal(cfg_rd(fn, off, 1), img[off]);
		}
		msk_pcifn_destroy(fn);
	}
}

static void test_real_images_match_lspci(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	char dir[1024];
	data_path(dir, sizeof(dir), "/sys_bus_pci_devices");
	DIR *d = opendir(dir);
	assert_non_null(d);
	unsigned int n = 0, with_msix = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		char devdir[1400];
		snprintf(devdir, sizeof(devdir), "%s/%s", dir, e->d_name);
		check_function(r, devdir, e->d_name);
		char path[2048];
		snprintf(path, sizeof(path), "%s/msi_irqs", devdir);
		with_msix += count_entries(path) > 0;
		n++;
	}
	closedir(d);
	assert_int_equal(n, 6);
	assert_int_equal(with_msix, 5);
	rig_free(r);
}

static size_t load(const char *dev, uint8_t img[4096])
{
	char path[1024], rel[128];
	snprintf(rel, sizeof(rel), "/sys_bus_pci_devices/%s/config", dev);
	data_path(path, sizeof(path), rel);
	return read_file(path, img, 4096);
}

/* The captured virtio-blk function, driven the way Linux drives it, over the bus. */
static void test_real_image_linux_flow(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	uint8_t img[4096];
	size_t len = load("0000:00:02.0", img);
	struct msk_pcifn_image_opts o = { .bus = 0, .dev = 2, .fn = 0 };
	assert_msk_ok(msk_pcifn_create_from_image(r->bus, img, len, &o, &r->fn));
	struct msk_pcifn *fn = r->fn;
	/* Firmware: size BAR0 (64-bit), place it where the guest had it, enable. */
	cfg_wr(fn, 0x10, 0xFFFFFFFF, 4);
	cfg_wr(fn, 0x14, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(fn, 0x10, 4), 0xFFF80004);
	assert_int_equal(cfg_rd(fn, 0x14, 4), 0xFFFFFFFF);
	cfg_wr(fn, 0x10, 0x00080000, 4);
	cfg_wr(fn, 0x14, 0x40, 4);
	cmd_set(fn, 0x0002 | 0x0004 | 0x0400);
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(fn, 0, &bi));
	assert_true(bi.decoded);
	assert_int_equal(bi.decoded_at, 0x4000080000ull);
	/* The driver: ENABLE|MASKALL, entries through MMIO, unmask, clear MASKALL. */
	unsigned int p = find_cap(fn, 0x11);
	assert_int_equal(p, 0x98);
	cfg_wr(fn, p + 2, 0xC000 | cfg_rd(fn, p + 2, 2), 2);
	uint64_t table = 0x4000080000ull + 0x8000;
	for (unsigned int k = 0; k < 2; k++) {
		assert_msk_ok(msk_bus_write(r->bus, table + 16 * k, DB_BASE + 0x100 * k, 8, NULL));
		assert_msk_ok(msk_bus_write(r->bus, table + 16 * k + 8, 0x20 + k, 4, NULL));
		assert_msk_ok(msk_bus_write(r->bus, table + 16 * k + 12, 0, 4, NULL));
	}
	cfg_wr(fn, p + 2, cfg_rd(fn, p + 2, 2) & ~0x4000ull, 2);
	assert_msk_ok(msk_pcifn_raise(fn, 1));
	assert_int_equal(db_last(r)->addr, DB_BASE + 0x100);
	assert_int_equal(db_last(r)->data, 0x21);
	assert_int_equal(db_last(r)->rid, 2 << 3);
	/* Masked through MMIO: the PBA (at BAR0 + 0x48000) shows it. */
	assert_msk_ok(msk_bus_write(r->bus, table + 12, 1, 4, NULL));
	assert_msk_ok(msk_pcifn_raise(fn, 0));
	uint64_t v;
	assert_msk_ok(msk_bus_read(r->bus, 0x4000080000ull + 0x48000, 8, NULL, &v));
	assert_int_equal(v, 1);
	assert_msk_ok(msk_bus_write(r->bus, table + 12, 0, 4, NULL));
	assert_int_equal(db_last(r)->data, 0x20);
	assert_balanced(r);
	rig_free(r);
}

static void test_host_bridge_image(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	uint8_t img[4096];
	size_t len = load("0000:00:00.0", img);
	assert_int_equal(len, 4096);
	assert_msk_ok(msk_pcifn_create_from_image(r->bus, img, len, NULL, &r->fn));
	assert_int_equal(cfg_rd(r->fn, 0, 4), 0x0d578086);
	assert_int_equal(find_cap(r->fn, 0x05), 0);
	assert_int_equal(find_cap(r->fn, 0x11), 0);
	assert_msk_error(msk_pcifn_raise(r->fn, 0), MSK_EINVAL);
	for (unsigned int i = 0; i < 6; i++) {
		struct msk_pcifn_bar_info bi;
		assert_msk_ok(msk_pcifn_bar_info(r->fn, i, &bi));
		assert_int_equal(bi.size, 0);
	}
	assert_string_equal(msk_pcifn_name(r->fn), "00:00.0");
	rig_free(r);
}

/* A minimal valid image: type 0, capabilities on, BAR0 32-bit memory. */
static void blank(uint8_t *img)
{
	memset(img, 0, 256);
	img[0] = 0x34, img[1] = 0x12, img[2] = 0x78, img[3] = 0x56;
	img[6] = 0x10;
	img[0x34] = 0x40;
}

static void put_msix(uint8_t *img, unsigned int p, unsigned int next, unsigned int n,
		     uint32_t table, uint32_t pba)
{
	img[p] = 0x11;
	img[p + 1] = (uint8_t)next;
	img[p + 2] = (uint8_t)(n - 1);
	img[p + 3] = (uint8_t)((n - 1) >> 8);
	for (int i = 0; i < 4; i++) {
		img[p + 4 + i] = (uint8_t)(table >> (8 * i));
		img[p + 8 + i] = (uint8_t)(pba >> (8 * i));
	}
}

static struct msk_pcifn *from(struct rig *r, const uint8_t *img, size_t len)
{
	struct msk_pcifn *fn = NULL;
	assert_msk_ok(msk_pcifn_create_from_image(r->bus, img, len, NULL, &fn));
	return fn;
}

static void test_cap_walk_safety(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	uint8_t img[256];
	struct msk_pcifn_msix_state ms;

	/* A loop: 0x40 -> 0x50 (MSI-X) -> 0x40; the low pointer bits are ignored. */
	blank(img);
	img[0x40] = 0x09, img[0x41] = 0x53;
	put_msix(img, 0x50, 0x40, 4, 0x0, 0x800);
	struct msk_pcifn *fn = from(r, img, sizeof(img));
	assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
	assert_int_equal(ms.cap, 0x50);
	msk_pcifn_destroy(fn);

	/* A capability pointing at itself, MSI-X never reached. */
	blank(img);
	img[0x40] = 0x09, img[0x41] = 0x40;
	put_msix(img, 0x60, 0, 4, 0, 0x800);
	fn = from(r, img, sizeof(img));
	assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
	assert_int_equal(ms.cap, 0);
	msk_pcifn_destroy(fn);

	/* A pointer into the header ends the list; low pointer bits are ignored. */
	blank(img);
	img[0x34] = 0x43;
	img[0x40] = 0x09, img[0x41] = 0x20;
	put_msix(img, 0x20 + 0x40, 0, 4, 0, 0x800);
	fn = from(r, img, sizeof(img));
	assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
	assert_int_equal(ms.cap, 0);
	msk_pcifn_destroy(fn);

	/* The longest possible list (every dword 0x40..0xF0) is walked to its end. */
	blank(img);
	for (unsigned int p = 0x40; p < 0xF0; p += 4)
		img[p] = 0x09, img[p + 1] = (uint8_t)(p + 4);
	put_msix(img, 0xF0, 0, 2, 0, 0x800);
	fn = from(r, img, sizeof(img));
	assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
	assert_int_equal(ms.cap, 0xF0);
	assert_int_equal(ms.entries, 2);
	msk_pcifn_destroy(fn);

	/* Status without the capability bit: the list is not looked at. */
	blank(img);
	img[6] = 0;
	put_msix(img, 0x40, 0, 4, 0, 0x800);
	fn = from(r, img, sizeof(img));
	assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
	assert_int_equal(ms.cap, 0);
	msk_pcifn_destroy(fn);

	/* Two MSI-X capabilities: the first one counts, the second is plain bytes. */
	blank(img);
	put_msix(img, 0x40, 0x50, 4, 0, 0x800);
	put_msix(img, 0x50, 0, 8, 0x2, 0x802);
	fn = from(r, img, sizeof(img));
	assert_msk_ok(msk_pcifn_msix_state(fn, &ms));
	assert_int_equal(ms.cap, 0x40);
	assert_int_equal(ms.entries, 4);
	cfg_wr(fn, 0x52, 0xC000, 2);
	assert_int_equal(cfg_rd(fn, 0x52, 2), 7);
	msk_pcifn_destroy(fn);
	rig_free(r);
}

static void test_malformed_images(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	uint8_t img[264]; /* room for a capability that runs past 0xFF */
	struct msk_pcifn *fn = NULL;
	struct msk_pcifn_image_opts o = { 0 };
#define BAD(mutation)                                                                            \
	do {                                                                                     \
		blank(img);                                                                      \
		memset(&o, 0, sizeof(o));                                                        \
		mutation;                                                                        \
		assert_msk_error(msk_pcifn_create_from_image(r->bus, img, sizeof(img), &o, &fn), \
				 MSK_EINVAL);                                                    \
		assert_null(fn);                                                                 \
	} while (0)
	BAD(img[0] = img[1] = 0xFF);		     /* vendor 0xFFFF: nothing there */
	BAD(img[0x0E] = 0x01);			     /* a bridge */
	BAD((img[0x40] = 0x05, img[0x42] = 6 << 1)); /* MSI MMC 6: reserved */
	BAD((img[0x34] = 0xF0, img[0xF0] = 0x05, img[0xF2] = 0x80, img[0xF3] = 0x01));
	BAD((img[0x34] = 0xF8, put_msix(img, 0xF8, 0, 4, 0, 0x800)));
	BAD(put_msix(img, 0x40, 0, 4, 6, 0x800));		      /* table BIR 6 */
	BAD(put_msix(img, 0x40, 0, 4, 0, 0x807));		      /* PBA BIR 7 */
	BAD(put_msix(img, 0x40, 0, 16, 0, 0x80));		      /* PBA inside the table */
	BAD((put_msix(img, 0x40, 0, 4, 0, 0x800), img[0x10] = 0x01)); /* in an I/O BAR */
	BAD((put_msix(img, 0x40, 0, 4, 0, 0x800), img[0x10] = 0x02)); /* reserved type */
	BAD((put_msix(img, 0x40, 0, 4, 1, 0x801), img[0x10] = 0x04)); /* upper half */
	BAD(img[0x24] = 0x04);					      /* 64-bit BAR in slot 5 */
	BAD((img[0x10] = 0x04, o.bar_size[1] = 4096));
	BAD((put_msix(img, 0x40, 0, 4, 0x7FFFFFF8, 0x800))); /* needs a 4 GiB 32-bit BAR */
	BAD((put_msix(img, 0x40, 0, 4, 0, 0x800), o.bar_size[0] = 2048));
	BAD((put_msix(img, 0x40, 0, 4, 0, 0x800), o.bar_size[0] = 4096, o.bar_size[1] = 8192,
	     img[0x14] = 0x01));
	BAD((img[0x40] = 0x05, img[0x41] = 0x48, put_msix(img, 0x48, 0, 4, 0, 0x800)));
	BAD(o.ims_entries = 4); /* IMS without a location */
	BAD((o.ims_entries = MSK_PCIFN_IMS_MAX + 1,
	     o.ims = ((struct msk_pcifn_loc){ true, 0, 0 })));
	BAD(o.fn = 8);
	BAD(o.msix_while_disabled = (enum msk_pcifn_while_disabled)7);
#undef BAD
	blank(img);
	assert_msk_error(msk_pcifn_create_from_image(r->bus, img, 63, NULL, &fn), MSK_EINVAL);
	assert_msk_error(msk_pcifn_create_from_image(r->bus, img, 4097, NULL, &fn), MSK_EINVAL);
	assert_msk_error(msk_pcifn_create_from_image(r->bus, NULL, 256, NULL, &fn), MSK_EINVAL);
	assert_null(fn);
	rig_free(r);
}

static void test_image_options(void **state)
{
	(void)state;
	struct rig *r = rig_new();
	uint8_t img[256];
	blank(img);
	put_msix(img, 0x40, 0, 4, 0, 0x800);
	img[0x10] = 0x0C; /* 64-bit prefetchable */
	struct msk_pcifn_image_opts o = {
		.name = "vf0",
		.bus = 2,
		.bar_size = { [0] = 1 << 20, [2] = 1 << 14 },
		.ims_entries = 64,
		.ims = { true, 2, 0x1000 },
		.msix_while_disabled = MSK_PCIFN_MSIX_LATCH,
	};
	assert_msk_ok(msk_pcifn_create_from_image(r->bus, img, sizeof(img), &o, &r->fn));
	struct msk_pcifn_bar_info bi;
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 0, &bi));
	assert_int_equal(bi.size, 1 << 20);
	assert_int_equal(bi.flags, MSK_PCIFN_BAR_64 | MSK_PCIFN_BAR_PREFETCH);
	assert_msk_ok(msk_pcifn_bar_info(r->fn, 2, &bi));
	assert_int_equal(bi.size, 1 << 14);
	assert_int_equal(bi.flags, 0);
	cfg_wr(r->fn, 0x18, 0xFFFFFFFF, 4);
	assert_int_equal(cfg_rd(r->fn, 0x18, 4), 0xFFFFC000);
	struct msk_pcifn_msix_state ms;
	assert_msk_ok(msk_pcifn_msix_state(r->fn, &ms));
	assert_int_equal(ms.while_disabled, MSK_PCIFN_MSIX_LATCH);
	cmd_set(r->fn, 0x4);
	assert_msk_ok(msk_pcifn_raise(r->fn, 3));
	assert_int_equal(msk_pcifn_held(r->fn), 1);
	assert_msk_ok(msk_pcifn_ims_raise(r->fn, 63));
	assert_int_equal(msk_pcifn_held(r->fn), 2);
	assert_string_equal(msk_pcifn_name(r->fn), "vf0");
	assert_int_equal(msk_pcifn_rid(r->fn), 0x200);
	assert_balanced(r);
	rig_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_images_match_lspci),
		cmocka_unit_test(test_real_image_linux_flow),
		cmocka_unit_test(test_host_bridge_image),
		cmocka_unit_test(test_cap_walk_safety),
		cmocka_unit_test(test_malformed_images),
		cmocka_unit_test(test_image_options),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
