/* SPDX-License-Identifier: MIT */
/*
 * msikit-test: the msikit command with the test-only "test" arch
 * registered (tests/support/test_platform.c). MSIKIT_TEST_ARCH=test makes
 * every machine{} of a scenario use it, whatever arch the scenario names:
 * the shipped scenarios run against the documented API before the real
 * platforms are built.
 */
#include <stdlib.h>

#include "cli.h"
#include "test_platform.h"

int main(int argc, char **argv)
{
	if (test_platform_register() < 0)
		return CLI_EXIT_INTERNAL;
	const char *arch = getenv("MSIKIT_TEST_ARCH");
	if (arch && *arch)
		msk_cli_arch_override = arch;
	return msk_cli_main(argc, argv);
}
