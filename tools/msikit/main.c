/* SPDX-License-Identifier: MIT */
/* The msikit command (see cli.h). */
#include "cli.h"

int main(int argc, char **argv)
{
	return msk_cli_main(argc, argv);
}
