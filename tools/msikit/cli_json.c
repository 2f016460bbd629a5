/* SPDX-License-Identifier: MIT */
/*
 * What the command's own JSON (run's extra keys, explore) shares with the
 * report's: strings made well-formed UTF-8 (msk_report_utf8_clean), 64-bit
 * integers written exactly (cJSON's numbers are doubles: 2^53 and past
 * would be rounded) - and the errno text of a failed write or open.
 */
#define _GNU_SOURCE /* strerrorname_np */
#include "cli.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "report/json_str.h"

cJSON *cli_json_str(const char *s)
{
	return report_json_str(s);
}

cJSON *cli_json_u64(uint64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRIu64, v);
	return cJSON_CreateRaw(num);
}

cJSON *cli_json_i64(int64_t v)
{
	char num[24];
	snprintf(num, sizeof(num), "%" PRId64, v);
	return cJSON_CreateRaw(num);
}

bool cli_json_add(cJSON *obj, const char *key, cJSON *item)
{
	if (item && obj && cJSON_AddItemToObject(obj, key, item))
		return true;
	cJSON_Delete(item);
	return false;
}

const char *cli_errno_text(int err, char *buf, size_t size)
{
	const char *name = strerrorname_np(err);
	if (name)
		snprintf(buf, size, "%s (%s)", strerror(err), name);
	else
		snprintf(buf, size, "%s (errno %d)", strerror(err), err);
	return buf;
}
