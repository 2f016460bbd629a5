/* SPDX-License-Identifier: MIT */
/*
 * m:pci{} and the device's methods: vectors (alloc_vectors, alloc_at,
 * IMS), handlers, the device raising events, masking, removal.
 *
 * A vector is named by its index (MSI-X table index or MSI vector) or, for
 * IMS, by {ims = slot}.
 */
#include "lua_msikit.h"

#include <stdlib.h>
#include <string.h>

#define DEVICE_MT "msikit.device"

struct ldevice *lmsk_check_device(lua_State *L, int idx)
{
	struct ldevice *dv = luaL_checkudata(L, idx, DEVICE_MT);
	lmsk_live(L, dv->lm);
	return dv;
}

/* The device's OS view, or NULL with nil, err pushed (*nret = 2). */
static struct msk_pci_dev *os_view(lua_State *L, struct ldevice *dv, int *nret)
{
	if (!dv->d || !dv->lm->m) {
		*nret = lmsk_failf(L, dv->lm->run, MSK_ENODEV, "PCI %s was removed", dv->name);
		return NULL;
	}
	struct msk_pci_dev *p = msk_machine_dev_pci(dv->d);
	if (!p)
		*nret = lmsk_failf(L, dv->lm->run, MSK_ENOTSUP,
				   "PCI %s: a bare machine has no OS driving it (os = false)",
				   dv->name);
	return p;
}

struct vref {
	bool ims;
	lua_Integer index;
};

static struct vref check_vref(lua_State *L, int arg)
{
	struct vref r = { false, 0 };
	if (lua_type(L, arg) == LUA_TTABLE) {
		static const char *const keys[] = { "ims", NULL };
		lmsk_check_keys(L, arg, "vector {ims = i}", keys);
		r.ims = true;
		r.index =
			lmsk_opt_int(L, arg, "vector {ims = i}", "ims", -1, 0, MSK_MSI_MAX_HWSIZE);
		if (r.index < 0)
			luaL_argerror(L, arg, "{ims = i} needs the IMS slot i");
		return r;
	}
	int isint = 0;
	r.index = lua_tointegerx(L, arg, &isint);
	if (!isint || lua_type(L, arg) != LUA_TNUMBER)
		luaL_argerror(L, arg, "a vector index or {ims = slot}");
	if (r.index < 0 || r.index >= MSK_MSI_MAX_HWSIZE)
		luaL_argerror(L, arg, "vector index out of range");
	return r;
}

/* The virq of a vector, or 0 with nil, err pushed. */
static unsigned int vref_virq(lua_State *L, struct ldevice *dv, struct vref r, int *nret)
{
	struct msk_pci_dev *p = os_view(L, dv, nret);
	if (!p)
		return 0;
	if (r.ims) {
		unsigned int v = msk_msi_get_virq(msk_pci_msi_device(p), MSK_MSI_SECONDARY_DOMAIN,
						  (uint32_t)r.index);
		if (!v)
			*nret = lmsk_failf(L, dv->lm->run, MSK_ENOENT,
					   "PCI %s has no IMS vector %d", dv->name, (int)r.index);
		return v;
	}
	int v = msk_pci_irq_vector(p, (unsigned int)r.index);
	if (v <= 0) {
		*nret = lmsk_fail(L, dv->lm->run);
		return 0;
	}
	return (unsigned int)v;
}

/* --- m:pci{} --------------------------------------------------------------------------------- */

static void parse_bdf(lua_State *L, const char *s, struct msk_machine_pci_config *pc)
{
	unsigned int seg = 0, bus, dev, fn;
	char tail;
	if (sscanf(s, "%4x:%2x:%2x.%1x%c", &seg, &bus, &dev, &fn, &tail) == 4 ||
	    (seg = 0, sscanf(s, "%2x:%2x.%1x%c", &bus, &dev, &fn, &tail) == 3)) {
		if (seg != 0)
			luaL_error(L, "pci{}: bdf \"%s\": only PCI segment 0000 is modelled", s);
		if (dev > 31 || fn > 7)
			luaL_error(L, "pci{}: bdf \"%s\": device 0..1f, function 0..7", s);
		pc->bus = bus;
		pc->dev = dev;
		pc->fn = fn;
		return;
	}
	luaL_error(L, "pci{}: bdf \"%s\" is not like \"0000:01:00.0\"", s);
}

int lmsk_device_new(lua_State *L, struct lmachine *lm, int t)
{
	static const char *const keys[] = { "bdf",    "name",		"msi",	     "msix",
					    "ims",    "while_disabled", "msi_64bit", "msi_mask",
					    "vendor", "device",		NULL };
	static const char *const policy[] = { "drop", "latch", NULL };
	const char *w = "pci{}";
	lmsk_check_keys(L, t, w, keys);
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	const char *bdf = lmsk_opt_string(L, t, w, "bdf", NULL);
	if (bdf)
		parse_bdf(L, bdf, &pc);
	else
		pc.bus = lm->next_bus;
	const char *driver = lmsk_opt_string(L, t, w, "name", NULL);
	pc.msi = (unsigned int)lmsk_opt_int(L, t, w, "msi", 0, 0, 32);
	if (pc.msi & (pc.msi - 1))
		luaL_error(L, "pci{}: msi = %d: MSI offers 1, 2, 4, 8, 16 or 32 vectors",
			   (int)pc.msi);
	pc.msix = (unsigned int)lmsk_opt_int(L, t, w, "msix", 0, 0, MSK_PCIFN_MSIX_MAX);
	pc.ims = (unsigned int)lmsk_opt_int(L, t, w, "ims", 0, 0, MSK_PCIFN_IMS_MAX);
	pc.while_disabled = lmsk_opt_choice(L, t, w, "while_disabled", policy, 0)
				    ? MSK_PCIFN_MSIX_LATCH
				    : MSK_PCIFN_MSIX_DROP;
	pc.msi_64bit = lmsk_opt_bool(L, t, w, "msi_64bit", true);
	pc.msi_mask = lmsk_opt_bool(L, t, w, "msi_mask", true);
	pc.vendor_id = (uint16_t)lmsk_opt_int(L, t, w, "vendor", 0x1af4, 1, 0xfffe);
	pc.device_id = (uint16_t)lmsk_opt_int(L, t, w, "device", 0x1000, 0, 0xffff);
	if (msk_in_interrupt())
		return lmsk_failf(L, lm->run, MSK_EPERM, "m:pci from an interrupt handler");
	struct ldevice *dv = lua_newuserdatauv(L, sizeof(*dv), 0);
	memset(dv, 0, sizeof(*dv));
	luaL_setmetatable(L, DEVICE_MT);
	dv->lm = lm;
	if (msk_machine_pci_add(lm->m, &pc, &dv->d) < 0) {
		dv->d = NULL;
		return lmsk_fail(L, lm->run);
	}
	if (!bdf || pc.bus >= lm->next_bus)
		lm->next_bus = pc.bus + 1;
	snprintf(dv->name, sizeof(dv->name), "%s", msk_machine_dev_name(dv->d));
	snprintf(dv->ims_name, sizeof(dv->ims_name), "%s/ims", dv->name);
	snprintf(dv->driver, sizeof(dv->driver), "%s", driver ? driver : dv->name);
	return 1;
}

/* --- vectors ----------------------------------------------------------------------------------- */

static int d_alloc_vectors(lua_State *L)
{
	static const char *const keys[] = { "min", "max", "type", "affinity", NULL };
	static const char *const types[] = { "any", "msix", "msi", NULL };
	static const char *const akeys[] = { "pre", "post", NULL };
	struct ldevice *dv = lmsk_check_device(L, 1);
	const char *w = "alloc_vectors{}";
	luaL_checktype(L, 2, LUA_TTABLE);
	lmsk_check_keys(L, 2, w, keys);
	lua_Integer min = lmsk_opt_int(L, 2, w, "min", 1, 1, MSK_MSI_MAX_HWSIZE);
	lua_Integer max = lmsk_opt_int(L, 2, w, "max", min, 1, MSK_MSI_MAX_HWSIZE);
	int type = lmsk_opt_choice(L, 2, w, "type", types, 0);
	unsigned int flags = type == 0	 ? MSK_PCI_IRQ_MSI | MSK_PCI_IRQ_MSIX
			     : type == 1 ? MSK_PCI_IRQ_MSIX
					 : MSK_PCI_IRQ_MSI;
	struct msk_irq_affinity affd;
	memset(&affd, 0, sizeof(affd));
	lua_getfield(L, 2, "affinity");
	bool aff = !lua_isnil(L, -1);
	if (aff) {
		int a = lua_absindex(L, -1);
		lmsk_check_keys(L, a, "alloc_vectors{}.affinity", akeys);
		affd.pre_vectors =
			(unsigned)lmsk_opt_int(L, a, "affinity", "pre", 0, 0, MSK_MSI_MAX_HWSIZE);
		affd.post_vectors =
			(unsigned)lmsk_opt_int(L, a, "affinity", "post", 0, 0, MSK_MSI_MAX_HWSIZE);
		flags |= MSK_PCI_IRQ_AFFINITY;
	}
	lua_pop(L, 1);
	int nret;
	struct msk_pci_dev *p = os_view(L, dv, &nret);
	if (!p)
		return nret;
	int n = msk_pci_alloc_irq_vectors(p, (unsigned)min, (unsigned)max, flags,
					  aff ? &affd : NULL);
	if (n < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushinteger(L, n);
	return 1;
}

static int d_free_vectors(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	int nret;
	struct msk_pci_dev *p = os_view(L, dv, &nret);
	if (!p)
		return nret;
	if (msk_pci_free_irq_vectors(p) < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int d_can_alloc_dyn(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct msk_pci_dev *p = dv->d ? msk_machine_dev_pci(dv->d) : NULL;
	lua_pushboolean(L, p && msk_pci_msix_can_alloc_dyn(p));
	return 1;
}

/* Optional {cpus = {...}}: a non-managed affinity for one vector. */
static bool opt_affinity(lua_State *L, int arg, struct ldevice *dv,
			 struct msk_irq_affinity_desc *out)
{
	if (lua_isnoneornil(L, arg))
		return false;
	static const char *const keys[] = { "cpus", NULL };
	luaL_checktype(L, arg, LUA_TTABLE);
	lmsk_check_keys(L, arg, "{cpus = ...}", keys);
	lua_getfield(L, arg, "cpus");
	memset(out, 0, sizeof(*out));
	lmsk_check_cpus(L, -1, "{cpus = ...}", msk_machine_config(dv->lm->m)->ncpus, &out->mask);
	lua_pop(L, 1);
	return true;
}

static int d_alloc_at(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	uint32_t index;
	if (lua_type(L, 2) == LUA_TSTRING && strcmp(lua_tostring(L, 2), "any") == 0) {
		index = MSK_MSI_ANY_INDEX;
	} else if (lua_type(L, 2) == LUA_TSTRING) {
		return luaL_argerror(L, 2, "an MSI-X index or \"any\"");
	} else {
		lua_Integer i = luaL_checkinteger(L, 2);
		luaL_argcheck(L, i >= 0 && i < MSK_PCIFN_MSIX_MAX, 2, "an MSI-X index or \"any\"");
		index = (uint32_t)i;
	}
	struct msk_irq_affinity_desc aff;
	bool has_aff = dv->lm->m && opt_affinity(L, 3, dv, &aff);
	int nret;
	if (!os_view(L, dv, &nret))
		return nret;
	struct msk_msi_map map =
		msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(dv->d), index, has_aff ? &aff : NULL);
	if (map.index < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushinteger(L, map.index);
	lua_pushinteger(L, map.virq);
	return 2;
}

static int d_free_at(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	lua_Integer i = luaL_checkinteger(L, 2);
	luaL_argcheck(L, i >= 0 && i < MSK_PCIFN_MSIX_MAX, 2, "an MSI-X index");
	int nret;
	struct msk_pci_dev *p = os_view(L, dv, &nret);
	if (!p)
		return nret;
	int virq = msk_pci_irq_vector(p, (unsigned int)i);
	if (virq <= 0)
		return lmsk_fail(L, dv->lm->run);
	struct msk_msi_map map = { (int)i, (unsigned int)virq };
	if (msk_pci_msix_free_irq(p, map) < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int d_ims_domain(lua_State *L)
{
	static const char *const keys[] = { "size", NULL };
	struct ldevice *dv = lmsk_check_device(L, 1);
	luaL_checktype(L, 2, LUA_TTABLE);
	lmsk_check_keys(L, 2, "ims_domain{}", keys);
	lua_Integer size = lmsk_opt_int(L, 2, "ims_domain{}", "size", -1, 1, MSK_PCIFN_IMS_MAX);
	if (size < 0)
		return luaL_error(L, "ims_domain{}: size is required");
	int nret;
	if (!os_view(L, dv, &nret))
		return nret;
	if (msk_machine_ims_domain(dv->lm->m, dv->d, (unsigned)size) < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int d_ims_alloc(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct msk_irq_affinity_desc aff;
	bool has_aff = dv->lm->m && opt_affinity(L, 2, dv, &aff);
	int nret;
	struct msk_pci_dev *p = os_view(L, dv, &nret);
	if (!p)
		return nret;
	struct msk_msi_map map = msk_pci_ims_alloc_irq(p, 0, has_aff ? &aff : NULL);
	if (map.index < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushinteger(L, map.index);
	lua_pushinteger(L, map.virq);
	return 2;
}

static int d_ims_free(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	lua_Integer i = luaL_checkinteger(L, 2);
	luaL_argcheck(L, i >= 0 && i < MSK_PCIFN_IMS_MAX, 2, "an IMS slot");
	int nret;
	struct vref r = { true, i };
	unsigned int virq = vref_virq(L, dv, r, &nret);
	if (!virq)
		return nret;
	struct msk_msi_map map = { (int)i, virq };
	if (msk_pci_ims_free_irq(msk_machine_dev_pci(dv->d), map) < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int d_virq(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct vref r = check_vref(L, 2);
	int nret;
	unsigned int virq = vref_virq(L, dv, r, &nret);
	if (!virq)
		return nret;
	lua_pushinteger(L, virq);
	return 1;
}

/* --- handlers, events, masking ------------------------------------------------------------------- */

static int d_request(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct vref r = check_vref(L, 2);
	const char *name = luaL_optstring(L, 3, NULL);
	if (!lua_isnoneornil(L, 4))
		luaL_checktype(L, 4, LUA_TFUNCTION);
	int nret;
	unsigned int virq = vref_virq(L, dv, r, &nret);
	if (!virq)
		return nret;
	char defname[64];
	if (!name) {
		snprintf(defname, sizeof(defname), "%s-%s%d", dv->driver, r.ims ? "ims" : "q",
			 (int)r.index);
		name = defname;
	}
	return lmsk_handler_request(L, dv->lm, dv->name, virq, name, lua_isnoneornil(L, 4) ? 0 : 4);
}

static int d_free_irq(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct vref r = check_vref(L, 2);
	int nret;
	unsigned int virq = vref_virq(L, dv, r, &nret);
	if (!virq)
		return nret;
	if (lmsk_handler_free(dv->lm, virq) < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

/*
 * d:raise(v [, count [, { every = t }]]): `count` events at once (one
 * weighted event: they coalesce), or a train of them, one every t ticks
 * (lua_train.c).
 */
static int d_raise(lua_State *L)
{
	static const char *const keys[] = { "every", NULL };
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct vref r = check_vref(L, 2);
	lua_Integer count = luaL_optinteger(L, 3, 1);
	luaL_argcheck(L, count >= 1 && count <= UINT32_MAX, 3, "count must be 1..4294967295");
	lua_Integer every = 0;
	if (!lua_isnoneornil(L, 4)) {
		lmsk_check_keys(L, 4, "d:raise options", keys);
		every = lmsk_opt_int(L, 4, "d:raise options", "every", 0, 1, INT64_MAX);
	}
	/* A train is `count` interrupts of work; a weighted raise is one. */
	lmsk_charge(L, dv->lm->run, every ? (uint64_t)count : 1);
	if (msk_in_interrupt()) /* where a livelock would be (a handler raising again) */
		lmsk_where(dv->lm->run, L, 0, dv->lm->run->livelock_where,
			   sizeof(dv->lm->run->livelock_where));
	if (!dv->d || !dv->lm->m)
		return lmsk_failf(L, dv->lm->run, MSK_ENODEV, "PCI %s was removed", dv->name);
	struct msk_pcifn *fn = msk_machine_dev_fn(dv->d);
	uint32_t weight = every ? 1 : (uint32_t)count;
	lmsk_trace_raise(dv, r.ims, (unsigned)r.index, true);
	int rc = r.ims ? msk_pcifn_ims_raise_weight(fn, (unsigned)r.index, weight)
		       : msk_pcifn_raise_weight(fn, (unsigned)r.index, weight);
	lmsk_trace_raise(dv, r.ims, (unsigned)r.index, false);
	if (rc < 0)
		return lmsk_fail(L, dv->lm->run);
	if (every)
		return lmsk_train_start(L, 1, r.ims, (unsigned)r.index, (uint64_t)count,
					(uint64_t)every);
	lua_pushboolean(L, 1);
	return 1;
}

static int mask_op(lua_State *L, bool mask)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	struct vref r = check_vref(L, 2);
	int nret;
	unsigned int virq = vref_virq(L, dv, r, &nret);
	if (!virq)
		return nret;
	struct msk_core *core = msk_machine_core(dv->lm->m);
	if ((mask ? msk_irq_mask(core, virq) : msk_irq_unmask(core, virq)) < 0)
		return lmsk_fail(L, dv->lm->run);
	lua_pushboolean(L, 1);
	return 1;
}

static int d_mask(lua_State *L)
{
	return mask_op(L, true);
}

static int d_unmask(lua_State *L)
{
	return mask_op(L, false);
}

static int d_remove(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	if (!dv->d || !dv->lm->m)
		return lmsk_failf(L, dv->lm->run, MSK_ENODEV, "PCI %s was removed", dv->name);
	if (msk_in_interrupt())
		return lmsk_failf(L, dv->lm->run, MSK_EPERM,
				  "PCI %s: removal from an interrupt handler", dv->name);
	/* The driver unbinds: its handlers go, then the device. */
	lmsk_handlers_free_device(dv->lm, dv->name);
	if (msk_machine_pci_remove(dv->lm->m, dv->d) < 0)
		return lmsk_fail(L, dv->lm->run);
	dv->d = NULL;
	lua_pushboolean(L, 1);
	return 1;
}

static int d_name(lua_State *L)
{
	lua_pushstring(L, lmsk_check_device(L, 1)->name);
	return 1;
}

static int d_state(lua_State *L)
{
	struct ldevice *dv = lmsk_check_device(L, 1);
	int nret;
	struct msk_pci_dev *p = os_view(L, dv, &nret);
	if (!p)
		return nret;
	struct msk_pci_state st;
	msk_pci_get_state(p, &st);
	lua_createtable(L, 0, 6);
	lua_pushboolean(L, st.msi_enabled);
	lua_setfield(L, -2, "msi_enabled");
	lua_pushboolean(L, st.msix_enabled);
	lua_setfield(L, -2, "msix_enabled");
	lua_pushinteger(L, st.nvec);
	lua_setfield(L, -2, "nvec");
	lua_pushinteger(L, st.msi_vectors);
	lua_setfield(L, -2, "msi_vectors");
	lua_pushinteger(L, st.msix_entries);
	lua_setfield(L, -2, "msix_entries");
	lua_pushboolean(L, st.ims);
	lua_setfield(L, -2, "ims");
	return 1;
}

static int d_tostring(lua_State *L)
{
	struct ldevice *dv = luaL_checkudata(L, 1, DEVICE_MT); /* works once the machine is gone */
	lua_pushfstring(L, "msikit.device(%s%s)", dv->name,
			!dv->lm->m ? ", gone"
			: dv->d	   ? ""
				   : ", removed");
	return 1;
}

void lmsk_device_register(lua_State *L)
{
	static const luaL_Reg methods[] = {
		{ "alloc_vectors", d_alloc_vectors },
		{ "free_vectors", d_free_vectors },
		{ "can_alloc_dyn", d_can_alloc_dyn },
		{ "alloc_at", d_alloc_at },
		{ "free_at", d_free_at },
		{ "ims_domain", d_ims_domain },
		{ "ims_alloc", d_ims_alloc },
		{ "ims_free", d_ims_free },
		{ "virq", d_virq },
		{ "request", d_request },
		{ "free_irq", d_free_irq },
		{ "raise", d_raise },
		{ "mask", d_mask },
		{ "unmask", d_unmask },
		{ "remove", d_remove },
		{ "name", d_name },
		{ "state", d_state },
		{ "cfg_read", lmsk_dev_cfg_read },
		{ "cfg_write", lmsk_dev_cfg_write },
		{ "bar_read", lmsk_dev_bar_read },
		{ "bar_write", lmsk_dev_bar_write },
		{ NULL, NULL },
	};
	luaL_newmetatable(L, DEVICE_MT);
	lmsk_set_methods(L, "device", methods);
	lua_pushcfunction(L, d_tostring);
	lua_setfield(L, -2, "__tostring");
	lua_pop(L, 1);
}
