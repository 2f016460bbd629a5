/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_IRQCHIP_X86_H
#define MSIKIT_IRQCHIP_X86_H

/*
 * The x86 platform's drivers beyond msikit/platform.h: inspection of the
 * vector assignment of a virq, the vector matrix and the models, for
 * tests, reports and VMM-style callers. See docs/platform-x86.md.
 *
 * Domains: "VECTOR" (root, MSI parent without remapping, no prefix) and,
 * with cfg.x86.ir, "INTEL-IR-0" (prefix "IR-") between the devices and
 * VECTOR, and "DMAR-MSI" above VECTOR for the remapping unit's fault
 * event interrupt ("dmar0"). Vectors come from a matrix of 256 vectors per CPU allocating
 * from [0x20, 0xEC) with 0x80 reserved as a system vector (203 usable
 * vectors per CPU); CPU c has APIC ID c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <msikit/matrix.h>
#include <msikit/platform.h>

#ifdef __cplusplus
extern "C" {
#endif

struct msk_x86;

/* Where unassigned (reserved or managed-shutdown) interrupts point. */
#define MSK_X86_SHUTDOWN_VECTOR 0xEFu
/* The VT-d register block of a platform with remapping. */
#define MSK_X86_IR_BASE 0xFED90000ull

/* The vector assignment of one virq (Linux's debugfs vector view). */
struct msk_x86_irq_vector {
	bool assigned;			    /* holds a real vector (vector, cpu) */
	bool reserved;			    /* holds a global reservation (reservation mode) */
	bool managed;			    /* managed slots on the CPUs of its mask */
	bool can_reserve;		    /* allocated in reservation mode */
	bool move_in_progress;		    /* moved, no interrupt on the new vector yet */
	unsigned int cleanup_pending;	    /* 1: its previous vector waits for release */
	unsigned int vector, cpu;	    /* MSK_X86_SHUTDOWN_VECTOR when not assigned */
	unsigned int prev_vector, prev_cpu; /* valid while move_in_progress */
	bool remapped;			    /* has an IRTE */
	unsigned int irte_index, sub_handle;
};

/*
 * The vector view of `virq` into *out. Call while the virq stays
 * allocated (not concurrently with its free). Returns 0; -MSK_EINVAL (not
 * an x86 platform with drivers, or virq without a VECTOR level). Changes
 * nothing.
 */
int msk_x86_platform_irq_vector(struct msk_platform *p, unsigned int virq,
				struct msk_x86_irq_vector *out);

/* The x86 model of an x86 platform (bare or not), or NULL. */
struct msk_x86 *msk_x86_platform_model(struct msk_platform *p);

/*
 * Matrix counters (global, and CPU `cpu`'s) of an x86 platform with
 * drivers. 0, or -MSK_EINVAL (no matrix, no such CPU). Changes nothing.
 */
int msk_x86_platform_matrix_stats(struct msk_platform *p, struct msk_matrix_stats *out);
int msk_x86_platform_matrix_cpu_stats(struct msk_platform *p, unsigned int cpu,
				      struct msk_matrix_cpu_stats *out);

/* msk_matrix_dump() of the platform's matrix (0 without drivers). */
size_t msk_x86_platform_matrix_dump(struct msk_platform *p, char *buf, size_t size);

/*
 * One fault record the remapping unit's fault handler read and cleared
 * (what Linux logs as "INTR-REMAP: ... fault index ... fault reason ...").
 */
struct msk_x86_ir_fault {
	uint8_t reason; /* VT-d fault reason, 0x20..0x26 (enum msk_vtd_fault_reason) */
	uint16_t sid;	/* requester ID of the faulting request */
	uint16_t index; /* its interrupt index */
	char text[128]; /* "INTR-REMAP: device [01:00.0] index 0x5: fault reason 0x23: ..." */
};

/*
 * The most recent fault records the handler serviced (at most the last
 * 16), oldest first: copies up to max into out and returns how many.
 * 0 for a platform without remapping or drivers. Any thread; changes
 * nothing. The total is the "ir_faults" counter.
 */
size_t msk_x86_platform_ir_fault_log(struct msk_platform *p, struct msk_x86_ir_fault *out,
				     size_t max);

/*
 * Release old vectors whose interrupt moved and which are no longer
 * pending (the cleanup the CPU service also runs after each interrupt).
 * Any thread, not from a handler. Returns how many were released.
 */
unsigned int msk_x86_platform_cleanup(struct msk_platform *p);

#ifdef __cplusplus
}
#endif
#endif
