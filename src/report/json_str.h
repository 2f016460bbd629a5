/* SPDX-License-Identifier: MIT */
#ifndef MSK_REPORT_JSON_STR_H
#define MSK_REPORT_JSON_STR_H

/*
 * report_json_str() - a cJSON string of s made well-formed UTF-8
 * @s: any bytes, NUL-terminated, or NULL
 *
 * The one place strings enter the report's JSON (json.c) and the
 * command's own (tools/msikit/cli_json.c): each byte that is not part of a
 * well-formed UTF-8 sequence becomes U+FFFD (msk_report_utf8_clean()).
 *
 * Context: any thread. Return: a new item (JSON null for NULL), or NULL
 * when out of memory.
 */
struct cJSON;
struct cJSON *report_json_str(const char *s);

#endif
