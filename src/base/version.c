/* SPDX-License-Identifier: MIT */
#include <msikit/version.h>

const char *msk_version(void)
{
	return MSK_VERSION;
}
