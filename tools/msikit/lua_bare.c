/* SPDX-License-Identifier: MIT */
/*
 * Hardware access (docs/interfaces.md, "Hardware access"): the script as the guest OS of a bare
 * machine (os = false), or as an inspector of a machine with an OS. Every
 * access goes where the hardware would send it: the bus (MMIO regions and
 * RAM), a function's config space and BARs, a CPU's interrupt interface.
 * Values are Lua integers (64-bit); sizes are 1, 2, 4 or 8.
 */
#include "lua_msikit.h"

#include <string.h>

#define CPU_MT "msikit.cpu"

static void set_addr(lua_State *L, const char *k, uint64_t v)
{
	if (!v)
		return;
	lua_pushinteger(L, (lua_Integer)v);
	lua_setfield(L, -2, k);
}

/* m:layout() --> { ram, ram_size, pci_mmio, pci_mmio_size, msi, iommu, its, redist, ... } */
int lmsk_layout(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	struct msk_machine_layout lay;
	msk_machine_layout(lm->m, &lay);
	lua_createtable(L, 0, 12);
	set_addr(L, "ram", lay.ram);
	set_addr(L, "ram_size", lay.ram_size);
	set_addr(L, "pci_mmio", lay.pci_mmio);
	set_addr(L, "pci_mmio_size", lay.pci_mmio_size);
	set_addr(L, "msi", lay.platform.msi);
	set_addr(L, "iommu", lay.platform.iommu);
	set_addr(L, "its", lay.platform.its);
	set_addr(L, "redist", lay.platform.redist);
	set_addr(L, "redist_stride", lay.platform.redist_stride);
	set_addr(L, "esb", lay.platform.esb);
	set_addr(L, "esb_stride", lay.platform.esb_stride);
	set_addr(L, "msi_window", lay.platform.msi_window);
	return 1;
}

/* The message of a failed access: the library's, or one naming the access. */
static const char *access_error(int rc, const char *what, uint64_t where, char *buf, size_t size)
{
	if (msk_last_error_code() == rc && *msk_last_error())
		return msk_last_error();
	snprintf(buf, size, "%s: %s at 0x%llx", msk_errname(rc), what, (unsigned long long)where);
	return buf;
}

/* A read's value; with a failure (the hardware's all-ones/zero answer) plus the error. */
static int push_read(lua_State *L, struct lrun *run, int rc, uint64_t v, const char *what,
		     uint64_t where)
{
	lua_pushinteger(L, (lua_Integer)v);
	if (rc == 0)
		return 1;
	char buf[160];
	const char *msg = access_error(rc, what, where, buf, sizeof(buf));
	strlist_add(&run->res->errors, msg);
	lua_pushstring(L, msg);
	return 2;
}

static int push_write(lua_State *L, struct lrun *run, int rc, const char *what, uint64_t where)
{
	if (rc == 0) {
		lua_pushboolean(L, 1);
		return 1;
	}
	char buf[160];
	const char *msg = access_error(rc, what, where, buf, sizeof(buf));
	strlist_add(&run->res->errors, msg);
	lua_pushnil(L);
	lua_pushstring(L, msg);
	return 2;
}

int lmsk_mmio_read(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	uint64_t addr = (uint64_t)luaL_checkinteger(L, 2);
	unsigned int size = (unsigned int)lmsk_check_size(L, 3);
	uint64_t v = 0;
	msk_clear_error();
	int rc = msk_bus_read(msk_machine_bus(lm->m), addr, size, NULL, &v);
	return push_read(L, lm->run, rc, v, "no device answers a read", addr);
}

int lmsk_mmio_write(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	uint64_t addr = (uint64_t)luaL_checkinteger(L, 2);
	uint64_t value = (uint64_t)luaL_checkinteger(L, 3);
	unsigned int size = (unsigned int)lmsk_check_size(L, 4);
	lmsk_charge_ram(L, lm->run, msk_machine_bus(lm->m));
	msk_clear_error();
	return push_write(L, lm->run,
			  msk_bus_write(msk_machine_bus(lm->m), addr, value, size, NULL),
			  "no device takes a write", addr);
}

static int ram_check(lua_State *L, struct lmachine *lm, uint64_t addr, unsigned int size)
{
	if (msk_ram_contains(msk_machine_bus(lm->m), addr, size))
		return 0;
	return lmsk_failf(L, lm->run, MSK_EFAULT, "[0x%llx, +%u) is not RAM",
			  (unsigned long long)addr, size);
}

int lmsk_mem_read(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	uint64_t addr = (uint64_t)luaL_checkinteger(L, 2);
	unsigned int size = (unsigned int)lmsk_check_size(L, 3);
	int n = ram_check(L, lm, addr, size);
	if (n)
		return n;
	uint8_t b[8] = { 0 };
	msk_ram_read(msk_machine_bus(lm->m), addr, b, size);
	uint64_t v = 0;
	for (unsigned int i = 0; i < size; i++) /* guest RAM is little-endian */
		v |= (uint64_t)b[i] << (8 * i);
	lua_pushinteger(L, (lua_Integer)v);
	return 1;
}

int lmsk_mem_write(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	uint64_t addr = (uint64_t)luaL_checkinteger(L, 2);
	uint64_t value = (uint64_t)luaL_checkinteger(L, 3);
	unsigned int size = (unsigned int)lmsk_check_size(L, 4);
	int n = ram_check(L, lm, addr, size);
	if (n)
		return n;
	lmsk_charge_ram(L, lm->run, msk_machine_bus(lm->m));
	uint8_t b[8];
	for (unsigned int i = 0; i < size; i++)
		b[i] = (uint8_t)(value >> (8 * i));
	return push_write(L, lm->run, msk_ram_write(msk_machine_bus(lm->m), addr, b, size),
			  "RAM write", addr);
}

/* --- CPUs -------------------------------------------------------------------------------------- */

struct lcpu {
	struct lmachine *lm;
	unsigned int cpu;
};

int lmsk_cpu(lua_State *L)
{
	struct lmachine *lm = lmsk_check_machine(L, 1);
	lua_Integer c = luaL_checkinteger(L, 2);
	luaL_argcheck(L, c >= 0 && c < (lua_Integer)msk_machine_config(lm->m)->ncpus, 2,
		      "no such CPU");
	struct lcpu *p = lua_newuserdatauv(L, sizeof(*p), 0);
	p->lm = lm;
	p->cpu = (unsigned int)c;
	luaL_setmetatable(L, CPU_MT);
	return 1;
}

/* cpu:take() --> vector/INTID/hwirq, weight | nil (nothing pending) | nil, err */
static int cpu_take(lua_State *L)
{
	struct lcpu *p = luaL_checkudata(L, 1, CPU_MT);
	struct lmachine *lm = lmsk_live(L, p->lm);
	uint64_t id = 0, weight = 0;
	int rc = msk_platform_cpu_take(msk_machine_platform(lm->m), p->cpu, &id, &weight);
	if (rc < 0)
		return lmsk_fail(L, lm->run);
	if (rc == 0) {
		lua_pushnil(L);
		return 1;
	}
	lua_pushinteger(L, (lua_Integer)id);
	lua_pushinteger(L, (lua_Integer)weight);
	return 2;
}

static int cpu_tostring(lua_State *L)
{
	struct lcpu *p = luaL_checkudata(L, 1, CPU_MT);
	lua_pushfstring(L, "msikit.cpu(%d)", (int)p->cpu);
	return 1;
}

/* --- a function's config space and BARs ----------------------------------------------------------- */

static struct msk_pcifn *fn_of(lua_State *L, struct ldevice **dvp)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	*dvp = dv;
	return dv->d ? msk_machine_dev_fn(dv->d) : NULL;
}

static int removed(lua_State *L, struct ldevice *dv)
{
	return lmsk_failf(L, dv->lm->run, MSK_ENODEV, "PCI %s was removed", dv->name);
}

int lmsk_dev_cfg_read(lua_State *L)
{
	struct ldevice *dv;
	struct msk_pcifn *fn = fn_of(L, &dv);
	lua_Integer off = luaL_checkinteger(L, 2);
	unsigned int size = (unsigned int)lmsk_check_size(L, 3);
	luaL_argcheck(L, off >= 0 && off < MSK_PCIFN_CFG_SIZE, 2, "config offset 0..4095");
	if (!fn)
		return removed(L, dv);
	uint64_t v = 0;
	msk_clear_error();
	int rc = msk_pcifn_cfg_read(fn, (unsigned)off, size, &v);
	return push_read(L, dv->lm->run, rc, v, "config read", (uint64_t)off);
}

int lmsk_dev_cfg_write(lua_State *L)
{
	struct ldevice *dv;
	struct msk_pcifn *fn = fn_of(L, &dv);
	lua_Integer off = luaL_checkinteger(L, 2);
	uint64_t value = (uint64_t)luaL_checkinteger(L, 3);
	unsigned int size = (unsigned int)lmsk_check_size(L, 4);
	luaL_argcheck(L, off >= 0 && off < MSK_PCIFN_CFG_SIZE, 2, "config offset 0..4095");
	if (!fn)
		return removed(L, dv);
	msk_clear_error();
	return push_write(L, dv->lm->run, msk_pcifn_cfg_write(fn, (unsigned)off, value, size),
			  "config write", (uint64_t)off);
}

int lmsk_dev_bar_read(lua_State *L)
{
	struct ldevice *dv;
	struct msk_pcifn *fn = fn_of(L, &dv);
	lua_Integer bar = luaL_checkinteger(L, 2);
	uint64_t off = (uint64_t)luaL_checkinteger(L, 3);
	unsigned int size = (unsigned int)lmsk_check_size(L, 4);
	luaL_argcheck(L, bar >= 0 && bar < MSK_PCIFN_NUM_BARS, 2, "BAR 0..5");
	if (!fn)
		return removed(L, dv);
	uint64_t v = 0;
	msk_clear_error();
	int rc = msk_pcifn_bar_read(fn, (unsigned)bar, off, size, &v);
	return push_read(L, dv->lm->run, rc, v, "BAR read", off);
}

int lmsk_dev_bar_write(lua_State *L)
{
	struct ldevice *dv;
	struct msk_pcifn *fn = fn_of(L, &dv);
	lua_Integer bar = luaL_checkinteger(L, 2);
	uint64_t off = (uint64_t)luaL_checkinteger(L, 3);
	uint64_t value = (uint64_t)luaL_checkinteger(L, 4);
	unsigned int size = (unsigned int)lmsk_check_size(L, 5);
	luaL_argcheck(L, bar >= 0 && bar < MSK_PCIFN_NUM_BARS, 2, "BAR 0..5");
	if (!fn)
		return removed(L, dv);
	msk_clear_error();
	return push_write(L, dv->lm->run, msk_pcifn_bar_write(fn, (unsigned)bar, off, value, size),
			  "BAR write", off);
}

void lmsk_bare_register(lua_State *L)
{
	static const luaL_Reg methods[] = { { "take", cpu_take }, { NULL, NULL } };
	luaL_newmetatable(L, CPU_MT);
	lmsk_set_methods(L, "cpu", methods);
	lua_pushcfunction(L, cpu_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
