/* SPDX-License-Identifier: MIT */
/*
 * Expected violations: msikit.expect_violation(rule [, device]) and the part
 * of a run's verdict that judges them (scenario.c's finish() calls
 * scn_expected_judge() before the report is taken).
 *
 * A name is one of three kinds:
 *  - a contract-monitor rule (msk_msi_rule_name: "prepare-once", ...):
 *    matched against the monitor's recorded violations, by device if given;
 *  - an invariant ("msix-message", "msi-route"): matched against the
 *    machine's recorded invariant failures ("rule: detail"), the device
 *    found in the detail if given;
 *  - a loss reason (msk_loss_name: "msix-disabled", ...): matched when the
 *    ledger lost at least one event for that reason (the ledger counts by
 *    reason, not by device: a device argument is refused for a loss).
 *
 * Strict accounting holds in a run that called expect_violation or declared
 * a story (msikit.story{}): there every violation, broken invariant and lost
 * event must have been expected, and every expectation must have happened;
 * each one that is not is a failed expectation naming it. Other runs keep
 * the plain rules: any violation or broken invariant fails, losses are
 * reported and do not fail by themselves.
 */
#include "lua_msikit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const invariant_names[] = { "msix-message", "msi-route", NULL };

static enum scn_expect_kind kind_of(const char *name)
{
	for (int r = 0; r < MSK_MSI_RULE__COUNT; r++)
		if (strcmp(name, msk_msi_rule_name((enum msk_msi_rule)r)) == 0)
			return SCN_EXPECT_RULE;
	for (int i = 0; invariant_names[i]; i++)
		if (strcmp(name, invariant_names[i]) == 0)
			return SCN_EXPECT_INVARIANT;
	for (int r = 0; r < MSK_LOSS__COUNT; r++)
		if (strcmp(name, msk_loss_name((enum msk_loss)r)) == 0)
			return SCN_EXPECT_LOSS;
	return SCN_EXPECT_UNKNOWN;
}

/* Every accepted name, for the message of an unknown one. */
static void known_names(char *buf, size_t size)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int r = 0; r < MSK_MSI_RULE__COUNT && n < size; r++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? ", " : "",
				      msk_msi_rule_name((enum msk_msi_rule)r));
	for (int i = 0; invariant_names[i] && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, ", %s", invariant_names[i]);
	for (int r = 0; r < MSK_LOSS__COUNT && n < size; r++)
		n += (size_t)snprintf(buf + n, size - n, ", %s", msk_loss_name((enum msk_loss)r));
}

int lmsk_expect_violation(lua_State *L)
{
	struct lrun *run = lua_touserdata(L, lua_upvalueindex(1));
	const char *rule = luaL_checkstring(L, 1);
	const char *device = luaL_optstring(L, 2, NULL);
	enum scn_expect_kind kind = kind_of(rule);
	if (kind == SCN_EXPECT_UNKNOWN) {
		char names[1200];
		known_names(names, sizeof(names));
		return luaL_error(L,
				  "msikit.expect_violation: no rule, invariant or loss reason "
				  "named \"%s\" (one of: %s)",
				  rule, names);
	}
	if (kind == SCN_EXPECT_LOSS && device)
		return luaL_error(L,
				  "msikit.expect_violation: \"%s\" is a loss reason. the ledger "
				  "counts losses per reason, not per device (leave the device out)",
				  rule);
	if (device && strlen(device) >= sizeof(((struct scn_expected *)0)->device))
		return luaL_error(L, "msikit.expect_violation: device \"%s\" is too long", device);
	struct scn_expectations *e = &run->res->expected;
	if (e->n == e->cap) {
		unsigned int cap = e->cap ? e->cap * 2 : 8;
		struct scn_expected *v = cap <= 4096 ? realloc(e->v, cap * sizeof(*v)) : NULL;
		if (!v)
			return luaL_error(L, "msikit.expect_violation: too many expectations");
		e->v = v;
		e->cap = cap;
	}
	struct scn_expected *x = &e->v[e->n++];
	memset(x, 0, sizeof(*x));
	x->kind = kind;
	snprintf(x->rule, sizeof(x->rule), "%s", rule);
	if (device)
		snprintf(x->device, sizeof(x->device), "%s", device);
	luaL_where(L, 1);
	snprintf(x->where, sizeof(x->where), "%s", lua_tostring(L, -1));
	lua_pop(L, 1);
	run->res->expect_total++;
	return 0;
}

/* The first expectation of that kind and name that covers device (NULL: any). */
static struct scn_expected *match(struct scn_expectations *e, enum scn_expect_kind kind,
				  const char *rule, const char *device, const char *text)
{
	for (unsigned int i = 0; i < e->n; i++) {
		struct scn_expected *x = &e->v[i];
		if (x->kind != kind || strcmp(x->rule, rule) != 0)
			continue;
		if (x->device[0] && !(device && strcmp(device, x->device) == 0) &&
		    !(text && strstr(text, x->device)))
			continue;
		return x;
	}
	return NULL;
}

static void fail(struct scn_result *res, const char *msg)
{
	res->expect_total++;
	res->expect_failed++;
	strlist_add(&res->expect_failures, msg);
}

/* The rule name of an invariant note "rule: detail" (after "invariant "). */
static bool invariant_rule(const char *note, char *rule, size_t size)
{
	const char *s = strncmp(note, "invariant ", 10) == 0 ? note + 10 : NULL;
	const char *colon = s ? strchr(s, ':') : NULL;
	if (!colon || (size_t)(colon - s) >= size)
		return false;
	memcpy(rule, s, (size_t)(colon - s));
	rule[colon - s] = '\0';
	return true;
}

bool scn_expected_judge(struct scn_result *res, struct msk_core *core, struct msk_ledger *ledger)
{
	struct scn_expectations *e = &res->expected;
	bool strict = e->n > 0 || res->story.declared;
	if (!strict)
		return false;
	char msg[700];
	unsigned int nviol = msk_msi_violation_count(core), kept = 0;
	for (unsigned int i = 0; i < nviol; i++) {
		struct msk_msi_violation v;
		if (msk_msi_get_violation(core, i, &v) < 0)
			break;
		kept++;
		const char *name = msk_msi_rule_name(v.rule);
		struct scn_expected *x = match(e, SCN_EXPECT_RULE, name, v.device, NULL);
		if (x) {
			x->hits++;
			continue;
		}
		/* One failure per rule and device: the first occurrence and how many. */
		unsigned int times = 0;
		bool seen = false;
		for (unsigned int j = 0; j < nviol && !seen; j++) {
			struct msk_msi_violation w;
			if (msk_msi_get_violation(core, j, &w) < 0)
				break;
			if (w.rule == v.rule && strcmp(w.device, v.device) == 0) {
				seen = j < i;
				times++;
			}
		}
		if (seen)
			continue;
		snprintf(msg, sizeof(msg),
			 "unexpected violation %s (%u time%s): device %s, domain %s: %s", name,
			 times, times == 1 ? "" : "s", v.device, v.domain, v.detail);
		fail(res, msg);
	}
	if (kept < nviol) {
		snprintf(msg, sizeof(msg),
			 "%u violations beyond the %u the monitor keeps cannot be matched",
			 nviol - kept, kept);
		fail(res, msg);
	}
	for (unsigned int i = 0; i < res->invariants.n; i++) {
		char rule[48];
		const char *note = res->invariants.v[i];
		struct scn_expected *x = invariant_rule(note, rule, sizeof(rule))
						 ? match(e, SCN_EXPECT_INVARIANT, rule, NULL, note)
						 : NULL;
		if (x) {
			x->hits++;
			res->invariants_expected++;
		}
	}
	if (ledger) {
		struct msk_ledger_counts c;
		msk_ledger_read(ledger, &c);
		for (int r = 0; r < MSK_LOSS__COUNT; r++) {
			if (!c.lost_by_reason[r])
				continue;
			const char *name = msk_loss_name((enum msk_loss)r);
			struct scn_expected *x = match(e, SCN_EXPECT_LOSS, name, NULL, NULL);
			if (x) { /* a loss happened once per event lost */
				uint64_t n = c.lost_by_reason[r];
				x->hits += n > UINT32_MAX - x->hits ? UINT32_MAX - x->hits : (unsigned)n;
				continue;
			}
			snprintf(msg, sizeof(msg), "unexpected loss: %llu events lost \"%s\"",
				 (unsigned long long)c.lost_by_reason[r], name);
			fail(res, msg);
		}
	}
	for (unsigned int i = 0; i < e->n; i++) {
		struct scn_expected *x = &e->v[i];
		if (x->hits)
			continue;
		res->expect_failed++;
		snprintf(msg, sizeof(msg), "%sexpected violation %s%s%s did not happen", x->where,
			 x->rule, x->device[0] ? " on device " : "", x->device);
		strlist_add(&res->expect_failures, msg);
	}
	return true; /* every violation is expected or a failed expectation now */
}

void scn_expectations_free(struct scn_expectations *e)
{
	free(e->v);
	memset(e, 0, sizeof(*e));
}
