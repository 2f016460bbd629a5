/* SPDX-License-Identifier: MIT */
/*
 * Placeholder constructor until the arm64 drivers land (this file goes away
 * with them): creating a arm64 platform fails with a clear error.
 */
#include <msikit/platform.h>

#include "base/error.h"

int msk_arm64_platform_create(struct msk_core *core, struct msk_bus *bus,
			      const struct msk_platform_config *cfg, struct msk_platform **out)
{
	(void)core;
	(void)bus;
	(void)cfg;
	(void)out;
	return msk_err(MSK_ENOTSUP, "the arm64 platform drivers are not built yet");
}
