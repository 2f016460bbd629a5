/* SPDX-License-Identifier: MIT */
/*
 * The limit options of the subcommands that run scenarios (run, explore):
 * --max-instructions N, --max-memory BYTES, --max-guest-ram BYTES,
 * --timeout SECONDS, --allow-system. 0 lifts a limit.
 */
#include "cli.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* BYTES: a whole number, optionally followed by K, M or G (powers of 1024). */
static bool parse_bytes(const char *s, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno)
		return false;
	unsigned int shift = 0;
	if (*end == 'K' || *end == 'k')
		shift = 10;
	else if (*end == 'M' || *end == 'm')
		shift = 20;
	else if (*end == 'G' || *end == 'g')
		shift = 30;
	if (shift)
		end++;
	if (*end || (shift && v > (UINT64_MAX >> shift)))
		return false;
	*out = (uint64_t)v << shift;
	return true;
}

static bool parse_seconds(const char *s, double *out)
{
	if (!s || *s < '0' || *s > '9')
		return false;
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0)
		return false;
	*out = v;
	return true;
}

int cli_limits_set(struct scn_limits *lim, const char *name, const char *value)
{
	if (strcmp(name, "--allow-system") == 0) {
		lim->sandbox = SCN_SANDBOX_SYSTEM;
		return 1;
	}
	static const char *const names[] = { "--max-instructions", "--max-memory",
					     "--max-guest-ram", "--timeout", NULL };
	int k = 0;
	while (names[k] && strcmp(name, names[k]) != 0)
		k++;
	if (!names[k])
		return 0;
	uint64_t n = 0;
	double secs = 0;
	bool ok;
	switch (k) {
	case 0:
		ok = cli_parse_u64(value, &n);
		if (ok)
			lim->instructions = n;
		break;
	case 1:
		ok = parse_bytes(value, &n) && n <= SIZE_MAX;
		if (ok)
			lim->memory = (size_t)n;
		break;
	case 2:
		ok = parse_bytes(value, &n);
		if (ok)
			lim->ram = n;
		break;
	default:
		ok = parse_seconds(value, &secs);
		if (ok)
			lim->timeout = secs;
		break;
	}
	if (!ok) {
		cli_error("%s needs %s (0: no limit)", name,
			  k == 0   ? "a whole number"
			  : k == 3 ? "a number of seconds"
				   : "a size in bytes, with K, M or G");
		return -1;
	}
	return 1;
}
