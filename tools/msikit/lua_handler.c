/* SPDX-License-Identifier: MIT */
/*
 * Interrupt handlers installed from a scenario. A handler runs when a
 * simulated CPU handles the interrupt (or when the core replays a held
 * event); a Lua handler runs on the machine's handler thread under
 * lua_pcall, so an error in it never unwinds through the core: it is
 * recorded and ends the run (exit 2). A handler that returns false says
 * "not mine" (MSK_IRQ_NONE); anything else claims the interrupt.
 * Handlers must not wait: m:sleep/m:run/m:yield and the calls the core
 * refuses in interrupt context answer nil, "EPERM: ...".
 */
#include "lua_msikit.h"

#include <stdlib.h>
#include <string.h>

static enum msk_irqreturn lua_irq_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct lhandler *h = dev_id;
	struct lmachine *lm = h->lm;
	struct lrun *run = lm->run;
	msk_machine_trace_virq(lm->m, virq);
	if (h->fnref == LUA_NOREF || run->handler_error)
		return MSK_IRQ_HANDLED;
	lua_State *T = lm->hthread;
	int top = lua_gettop(T);
	enum msk_irqreturn ret = MSK_IRQ_HANDLED;
	if (!lua_checkstack(T, 4)) {
		run->handler_error = strdup("a handler: no room on the Lua stack");
		return ret;
	}
	lua_rawgeti(T, LUA_REGISTRYINDEX, h->fnref);
	lua_pushinteger(T, virq);
	lua_pushinteger(T, cpu);
	char *err = NULL;
	if (lmsk_pcall(run, T, 2, 1, &err) != LUA_OK) {
		run->handler_error =
			err ? err : strdup("a handler failed (and there is no memory to say how)");
	} else if (lua_type(T, -1) == LUA_TBOOLEAN && !lua_toboolean(T, -1)) {
		ret = MSK_IRQ_NONE;
	}
	lua_settop(T, top);
	return ret;
}

int lmsk_handler_request(lua_State *L, struct lmachine *lm, const char *device, unsigned int virq,
			 const char *name, int fn_idx)
{
	struct lhandler *h = calloc(1, sizeof(*h));
	if (!h)
		return lmsk_failf(L, lm->run, MSK_ENOMEM, "handler of virq %u", virq);
	h->lm = lm;
	h->virq = virq;
	snprintf(h->device, sizeof(h->device), "%s", device);
	h->fnref = LUA_NOREF;
	snprintf(h->name, sizeof(h->name), "%s", name);
	if (fn_idx) {
		lua_pushvalue(L, fn_idx);
		h->fnref = luaL_ref(L, LUA_REGISTRYINDEX);
	}
	if (msk_request_irq(msk_machine_core(lm->m), virq, lua_irq_handler, h->name, h) < 0) {
		luaL_unref(L, LUA_REGISTRYINDEX, h->fnref);
		free(h);
		return lmsk_fail(L, lm->run);
	}
	h->next = lm->handlers;
	lm->handlers = h;
	lua_pushboolean(L, 1);
	return 1;
}

static void drop(struct lmachine *lm, struct lhandler **pp)
{
	struct lhandler *h = *pp;
	*pp = h->next;
	luaL_unref(lm->run->L, LUA_REGISTRYINDEX, h->fnref);
	free(h);
}

int lmsk_handler_free(struct lmachine *lm, unsigned int virq)
{
	struct lhandler **pp = &lm->handlers;
	while (*pp && (*pp)->virq != virq)
		pp = &(*pp)->next;
	int rc = msk_free_irq(msk_machine_core(lm->m), virq);
	if (rc == 0 && *pp)
		drop(lm, pp);
	return rc;
}

void lmsk_handlers_free_device(struct lmachine *lm, const char *device)
{
	struct lhandler **pp = &lm->handlers;
	while (*pp) {
		struct lhandler *h = *pp;
		if (device && strcmp(h->device, device) != 0) {
			pp = &h->next;
			continue;
		}
		if (msk_free_irq(msk_machine_core(lm->m), h->virq) < 0 && device) {
			pp = &h->next; /* refused (from a handler): it stays */
			continue;
		}
		drop(lm, pp);
	}
}
