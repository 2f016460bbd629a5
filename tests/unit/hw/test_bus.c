/* SPDX-License-Identifier: MIT */
/* Guest RAM and the system bus: decode, MMIO regions, message writes. */
#include "msk_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

struct doorbell {
	_Atomic unsigned int writes;
	uint64_t last_off, last_val;
	struct msk_bus_attrs last_attrs;
	_Atomic unsigned int reads;
};

static uint64_t db_read(void *opaque, uint64_t off, unsigned int size,
			const struct msk_bus_attrs *attrs)
{
	struct doorbell *d = opaque;
	d->reads++;
	return 0x1122334455667788ull + off + size;
}

static void db_write(void *opaque, uint64_t off, uint64_t value, unsigned int size,
		     const struct msk_bus_attrs *attrs)
{
	struct doorbell *d = opaque;
	d->writes++;
	d->last_off = off;
	d->last_val = value;
	d->last_attrs = *attrs;
}

static const struct msk_mmio_ops db_ops = { db_read, db_write };

static void test_ram(void **state)
{
	(void)state;
	struct msk_bus *bus;
	assert_msk_ok(msk_bus_create(0x40000000, 1ull << 30, NULL, &bus));
	uint64_t v;
	assert_msk_ok(msk_bus_read(bus, 0x40001000, 8, NULL, &v));
	assert_int_equal(v, 0);
	assert_int_equal(msk_ram_resident(bus), 0); /* reads allocate nothing */
	assert_msk_ok(msk_bus_write(bus, 0x40000ffe, 0xaabbccdd, 4, NULL)); /* crosses a page */
	assert_msk_ok(msk_bus_read(bus, 0x40000ffe, 4, NULL, &v));
	assert_int_equal(v, 0xaabbccdd);
	assert_msk_ok(msk_bus_read(bus, 0x40001000, 2, NULL, &v));
	assert_int_equal(v, 0xaabb);
	assert_int_equal(msk_ram_resident(bus), 8192);
	uint8_t buf[100], out[100];
	for (int i = 0; i < 100; i++)
		buf[i] = (uint8_t)i;
	assert_msk_ok(msk_ram_write(bus, 0x40002003, buf, sizeof(buf)));
	assert_msk_ok(msk_ram_read(bus, 0x40002003, out, sizeof(out)));
	assert_memory_equal(buf, out, sizeof(buf));
	/* Outside RAM. */
	assert_int_equal(msk_ram_write64(bus, 0x3ffffffc, 1), -MSK_EFAULT);
	assert_int_equal(msk_ram_read64(bus, 0x40000000 + (1ull << 30) - 4, &v), -MSK_EFAULT);
	assert_int_equal(v, 0);
	assert_false(msk_ram_contains(bus, 0x40000000 + (1ull << 30), 1));
	assert_true(msk_ram_contains(bus, 0x40000000, 1ull << 30));
	msk_bus_destroy(bus);
	/* Bad RAM geometry. */
	assert_msk_error(msk_bus_create(0x1001, 4096, NULL, &bus), MSK_EINVAL);
	assert_msk_error(msk_bus_create(0, 1ull << 41, NULL, &bus), MSK_EINVAL);
}

static void test_mmio_and_msi(void **state)
{
	(void)state;
	struct msk_ledger *l;
	struct msk_bus *bus;
	struct doorbell d = { 0 };
	assert_msk_ok(msk_ledger_create(&l));
	assert_msk_ok(msk_bus_create(0, 1ull << 20, l, &bus));
	assert_msk_error(msk_bus_map(bus, 0x1000, 0x1000, &db_ops, &d, "in-ram"), MSK_EBUSY);
	assert_msk_ok(msk_bus_map(bus, 0xfee00000, 0x100000, &db_ops, &d, "msi"));
	assert_msk_error(msk_bus_map(bus, 0xfeeff000, 0x2000, &db_ops, &d, "overlap"), MSK_EBUSY);
	assert_msk_error(msk_bus_map(bus, 0x1000000, 0, &db_ops, &d, "empty"), MSK_EINVAL);
	assert_msk_ok(msk_bus_map(bus, 0x2000000, 0x1000, &db_ops, &d, "other"));

	uint64_t v;
	assert_msk_ok(msk_bus_read(bus, 0xfee00010, 4, NULL, &v));
	assert_int_equal(v, (0x1122334455667788ull + 0x10 + 4) & 0xffffffff);
	assert_int_equal(msk_bus_read(bus, 0x3000000, 4, NULL, &v), -MSK_EFAULT);
	assert_int_equal(v, 0xffffffff);
	assert_msk_error(msk_bus_read(bus, 0xfee00000, 3, NULL, &v), MSK_EINVAL);

	assert_msk_ok(msk_bus_msi(bus, 0xfee01004, 0x41, 0x0108, 3));
	assert_int_equal(d.last_off, 0x1004);
	assert_int_equal(d.last_val, 0x41);
	assert_true(d.last_attrs.is_msi);
	assert_int_equal(d.last_attrs.requester_id, 0x0108);
	assert_int_equal(d.last_attrs.weight, 3);

	msk_ledger_raise(l, 3 + 2 + 4);
	assert_int_equal(msk_bus_msi(bus, 0x9000000, 1, 0x0108, 2), -MSK_EFAULT);
	assert_int_equal(msk_bus_msi(bus, 0x100, 0xdead, 0x0108, 4), -MSK_EFAULT);
	assert_msk_ok(msk_ram_read32(bus, 0x100, (uint32_t *)&v));
	assert_int_equal((uint32_t)v, 0xdead); /* the write did land in RAM */
	struct msk_ledger_counts c;
	msk_ledger_read(l, &c);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_NO_DOORBELL], 2);
	assert_int_equal(c.lost_by_reason[MSK_LOSS_MSI_TO_RAM], 4);
	assert_msk_ok(msk_ledger_check(l, 3)); /* the doorbell holds 3 */

	assert_msk_ok(msk_bus_unmap(bus, 0xfee00000));
	assert_msk_error(msk_bus_unmap(bus, 0xfee00000), MSK_ENOENT);
	assert_int_equal(msk_bus_msi(bus, 0xfee01004, 0x41, 0x0108, 1), -MSK_EFAULT);
	assert_msk_ok(msk_bus_unmap(bus, 0x2000000));
	msk_bus_destroy(bus);
	msk_ledger_destroy(l);
}

/* Readers hammer a region while another thread maps and unmaps regions. */
struct race {
	struct msk_bus *bus;
	_Atomic int stop;
	struct doorbell db;
};

static void *race_reader(void *arg)
{
	struct race *r = arg;
	uint64_t v, n = 0;
	while (!atomic_load(&r->stop) || n < 1000) {
		msk_bus_read(r->bus, 0x10000000, 4, NULL, &v);
		msk_bus_read(r->bus, 0x20000000 + (n % 16) * 0x1000, 4, NULL, &v);
		n++;
	}
	return NULL;
}

static void test_map_while_reading(void **state)
{
	(void)state;
	struct race r = { 0 };
	struct doorbell dbs[16] = { 0 };
	assert_msk_ok(msk_bus_create(0, 0, NULL, &r.bus));
	assert_msk_ok(msk_bus_map(r.bus, 0x10000000, 0x1000, &db_ops, &r.db, "fixed"));
	pthread_t t[2];
	for (int i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, race_reader, &r);
	for (int round = 0; round < 50; round++) {
		for (int i = 0; i < 16; i++)
			assert_msk_ok(msk_bus_map(r.bus, 0x20000000 + i * 0x1000, 0x1000, &db_ops,
						  &dbs[i], "dyn"));
		for (int i = 0; i < 16; i++)
			assert_msk_ok(msk_bus_unmap(r.bus, 0x20000000 + i * 0x1000));
	}
	atomic_store(&r.stop, 1);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_msk_ok(msk_bus_unmap(r.bus, 0x10000000));
	msk_bus_destroy(r.bus);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram),
		cmocka_unit_test(test_mmio_and_msi),
		cmocka_unit_test(test_map_while_reading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
