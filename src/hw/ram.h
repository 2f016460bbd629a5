/* SPDX-License-Identifier: MIT */
#ifndef MSK_HW_RAM_H
#define MSK_HW_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct leaf;

/* Sparse guest RAM (see ram.c). Embedded in the bus. */
struct msk_ram {
	uint64_t base, size;
	uint64_t nleaves;
	struct leaf *_Atomic *leaves;
	_Atomic uint64_t resident;
};

int msk_ram_init(struct msk_ram *ram, uint64_t base, uint64_t size);
void msk_ram_fini(struct msk_ram *ram);
bool msk_ram_range_ok(const struct msk_ram *ram, uint64_t addr, uint64_t len);
/* Out of range: -MSK_EFAULT without a message (callers add context). */
int msk_ram_get(struct msk_ram *ram, uint64_t addr, void *buf, size_t len);
int msk_ram_put(struct msk_ram *ram, uint64_t addr, const void *buf, size_t len);

#endif
