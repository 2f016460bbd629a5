/* SPDX-License-Identifier: MIT */
/* Names the reports print: domain kinds and domain flags. */
#include "report/internal.h"

#include <stdio.h>

static const char *const kind_names[] = {
	[MSK_REPORT_KIND_MSI_DEVICE] = "msi-device", [MSK_REPORT_KIND_REMAP] = "remap",
	[MSK_REPORT_KIND_MSI_PARENT] = "msi-parent", [MSK_REPORT_KIND_ROOT] = "root",
	[MSK_REPORT_KIND_OTHER] = "other",
};

const char *msk_report_kind_name(enum msk_report_kind kind)
{
	if ((unsigned int)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "?";
	return kind_names[kind];
}

static const struct {
	unsigned int flag;
	const char *name;
} domain_flags[] = {
	{ MSK_DOMAIN_FLAG_MSI, "MSI" },
	{ MSK_DOMAIN_FLAG_MSI_PARENT, "MSI_PARENT" },
	{ MSK_DOMAIN_FLAG_MSI_DEVICE, "MSI_DEVICE" },
	{ MSK_DOMAIN_FLAG_ISOLATED_MSI, "ISOLATED_MSI" },
	{ MSK_DOMAIN_FLAG_MSI_IMMUTABLE, "MSI_IMMUTABLE" },
};

/* Append "|name" (or "name" first); false when it does not fit (buf unchanged then). */
static bool append(char *buf, size_t size, size_t *used, const char *name)
{
	int n = snprintf(buf + *used, size - *used, "%s%s", *used ? "|" : "", name);
	if (n < 0 || *used + (size_t)n >= size) {
		buf[*used] = '\0';
		return false;
	}
	*used += (size_t)n;
	return true;
}

char *msk_report_domain_flags_format(unsigned int flags, char *buf, size_t size)
{
	if (!buf || !size)
		return buf;
	size_t used = 0;
	buf[0] = '\0';
	unsigned int known = 0;
	for (size_t i = 0; i < sizeof(domain_flags) / sizeof(domain_flags[0]); i++) {
		known |= domain_flags[i].flag;
		if ((flags & domain_flags[i].flag) &&
		    !append(buf, size, &used, domain_flags[i].name))
			return buf;
	}
	for (unsigned int bit = 0; bit < 32; bit++) {
		unsigned int m = 1u << bit;
		if (!(flags & m) || (known & m))
			continue;
		char hex[16];
		snprintf(hex, sizeof(hex), "0x%x", m);
		if (!append(buf, size, &used, hex))
			return buf;
	}
	return buf;
}
