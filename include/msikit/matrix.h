/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_MATRIX_H
#define MSIKIT_MATRIX_H

/*
 * The vector matrix: a per-CPU bitmap allocator for interrupt vectors, as
 * Linux's irq_matrix (kernel/irq/matrix.c) used by the x86 vector domain.
 *
 * Every possible CPU has the same space of `nbits` vectors. Vectors in
 * [alloc_start, alloc_end) are allocatable; everything else belongs to the
 * system. On each CPU a vector is in exactly one state (msk_matrix_bit_state):
 *
 *	system            reserved on every CPU (msk_matrix_assign_system)
 *	free              may be handed out
 *	managed free      a managed slot reserved for a managed interrupt
 *	managed allocated a managed slot in use (msk_matrix_alloc_managed)
 *	allocated         handed out (msk_matrix_alloc / msk_matrix_assign)
 *
 * Counters per CPU: `available` = free vectors of the allocation range,
 * `allocated` = allocated + managed allocated, `managed` = managed slots
 * (free or not), `managed_allocated`. Global: `global_available` = sum of
 * `available` over ONLINE CPUs (offline CPUs never count and are never
 * chosen), `global_reserved` = outstanding global reservations,
 * `total_allocated` = sum of `allocated` over all CPUs.
 *
 * Reservation mode (Linux): a global reservation is a promise, not a
 * vector. The matrix keeps global_available >= global_reserved: a call that
 * would consume an online vector without consuming a reservation (an
 * unreserved allocation, a fixed assignment, a managed reservation, a new
 * system vector) fails with -MSK_ENOSPC when it would break that. Only
 * offlining a CPU can break it (as in Linux, offlining is not refused:
 * check with msk_matrix_can_offline() first); while broken, unreserved
 * consumption fails and reserved allocations still work.
 *
 * Differences from Linux, on purpose: the counters are kept exact on
 * offline CPUs too (Linux does not update `available` of an offline CPU on
 * managed reservation); unreserved consumption cannot eat into global
 * reservations (Linux only checks at reservation time); a managed
 * allocation considers only CPUs with a free managed slot and breaks ties
 * on the lowest CPU (Linux: highest); managed reservation and removal are
 * all-or-nothing; msk_matrix_free() checks its `managed` argument against
 * the slot.
 *
 * Cost: an allocation is a walk over the CPUs of the mask plus a scan of
 * nbits/64 words on the chosen CPU; nothing depends on how many vectors
 * are allocated.
 *
 * Locking: none inside. The caller serialises every call on one matrix,
 * readers (stats, dump) included, with its own lock (Linux: vector_lock).
 */

#include <stdbool.h>
#include <stddef.h>

#include <msikit/cpumask.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSK_MATRIX_MAX_BITS 256u

struct msk_matrix;

/* Global counters and geometry (msk_matrix_stats). */
struct msk_matrix_stats {
	unsigned int nbits, alloc_start, alloc_end;
	unsigned int alloc_size;      /* alloc_end - alloc_start */
	unsigned int system_bits;     /* system vectors, anywhere in the space */
	unsigned int system_in_alloc; /* ... of them inside the allocation range */
	unsigned int ncpus;	      /* possible CPUs */
	unsigned int online_cpus;
	unsigned int global_available; /* free vectors on online CPUs */
	unsigned int global_reserved;  /* outstanding global reservations */
	unsigned int total_allocated;  /* allocated vectors on all CPUs */
};

/* One CPU's counters (msk_matrix_cpu_stats). */
struct msk_matrix_cpu_stats {
	unsigned int available;		/* free vectors in the allocation range */
	unsigned int allocated;		/* including managed_allocated */
	unsigned int managed;		/* managed slots, free or allocated */
	unsigned int managed_allocated; /* managed slots in use */
	bool online;
};

/* The state of one vector on one CPU (msk_matrix_bit_state). */
enum msk_matrix_bit {
	MSK_MATRIX_BIT_OUTSIDE,		  /* outside the allocation range, not system */
	MSK_MATRIX_BIT_SYSTEM,		  /* system vector */
	MSK_MATRIX_BIT_FREE,		  /* allocatable, unused */
	MSK_MATRIX_BIT_MANAGED,		  /* reserved managed slot, unused */
	MSK_MATRIX_BIT_MANAGED_ALLOCATED, /* managed slot in use */
	MSK_MATRIX_BIT_ALLOCATED,	  /* allocated (normal or fixed) */
};

/* What msk_matrix_can_offline() found. */
struct msk_matrix_offline_check {
	unsigned int to_move;	/* non-managed vectors allocated on the CPU */
	unsigned int available; /* free vectors on the other online CPUs */
	unsigned int reserved;	/* global reservations outstanding */
	/* after the move fewer vectors than reservations would remain free */
	bool reservations_at_risk;
};

/*
 * Create a matrix of `nbits` vectors per CPU (1..MSK_MATRIX_MAX_BITS) that
 * allocates from [alloc_start, alloc_end) (alloc_start < alloc_end <= nbits)
 * on `ncpus` possible CPUs (1..MSK_MAX_CPUS), all offline, nothing
 * reserved. x86: (256, 0x20, 0xEC, ncpus). Returns 0 and *out, or
 * -MSK_EINVAL (bad geometry) / -MSK_ENOMEM; *out untouched on failure.
 */
int msk_matrix_create(unsigned int nbits, unsigned int alloc_start, unsigned int alloc_end,
		      unsigned int ncpus, struct msk_matrix **out);

/* Free the matrix, whatever is still allocated. NULL is ignored. */
void msk_matrix_destroy(struct msk_matrix *m);

/*
 * Reserve vector `bit` as a system vector on every CPU (x86: 0x80 for
 * 32-bit syscalls, 0xEC..0xFF, the ISA vectors 0x30..0x3F). Inside the
 * allocation range it stops being available on every CPU. Returns 0;
 * -MSK_EINVAL if bit >= nbits; -MSK_EEXIST if it already is a system
 * vector; -MSK_EBUSY if some CPU has it allocated or as a managed slot;
 * -MSK_ENOSPC if it would leave fewer free vectors than global
 * reservations. Nothing changes on failure.
 */
int msk_matrix_assign_system(struct msk_matrix *m, unsigned int bit);

/*
 * msk_matrix_assign_system() for `count` vectors from `first`, all or
 * nothing (e.g. the 16 ISA vectors: first = 0x30, count = 16). Same errors.
 */
int msk_matrix_assign_system_range(struct msk_matrix *m, unsigned int first, unsigned int count);

/*
 * Bring CPU `cpu` online: its free vectors join global_available and it
 * can be chosen. Returns 0; -MSK_EINVAL (no such CPU); -MSK_EALREADY
 * (already online; nothing changes).
 */
int msk_matrix_online(struct msk_matrix *m, unsigned int cpu);

/*
 * Take CPU `cpu` offline: it is no longer chosen and its free vectors
 * leave global_available. Vectors allocated on it stay allocated until
 * freed (the caller moves their interrupts first, then frees them). Never
 * refused for lack of space: ask msk_matrix_can_offline() before.
 * Returns 0; -MSK_EINVAL (no such CPU); -MSK_EALREADY (already offline).
 */
int msk_matrix_offline(struct msk_matrix *m, unsigned int cpu);

/*
 * Could online CPU `cpu` go offline, i.e. can the other online CPUs take
 * its allocated non-managed vectors (managed ones are shut down, not
 * moved)? Like Linux's lapic_can_unplug_cpu(), a count check: the masks
 * of the interrupts are not known here. Fills *check when non-NULL (also on
 * -MSK_ENOSPC). Returns 0 (reservations_at_risk may still be set: then
 * requests of reserved interrupts may fail later); -MSK_ENOSPC "CPU 3 has
 * 40 vectors, 12 available on the other online CPUs"; -MSK_EINVAL (no such
 * CPU, or offline). Changes nothing.
 */
int msk_matrix_can_offline(const struct msk_matrix *m, unsigned int cpu,
			   struct msk_matrix_offline_check *check);

/*
 * Take one global reservation: a later msk_matrix_alloc(.., reserved=true)
 * is guaranteed a vector on some online CPU. Returns 0; -MSK_ENOSPC when
 * every free vector on the online CPUs is already reserved.
 */
int msk_matrix_reserve(struct msk_matrix *m);

/* Give back one global reservation. Returns 0; -MSK_EINVAL when none is held. */
int msk_matrix_remove_reserved(struct msk_matrix *m);

/*
 * Reserve one managed slot (the lowest free vector) on every CPU of `mask`,
 * online or not, all or nothing. Returns 0; -MSK_EINVAL (empty mask, or a
 * CPU >= ncpus); -MSK_ENOSPC naming the first CPU without a free vector, or
 * when the slots on online CPUs would leave fewer free vectors than global
 * reservations. Nothing changes on failure.
 */
int msk_matrix_reserve_managed(struct msk_matrix *m, const struct msk_cpumask *mask);

/*
 * Release one unallocated managed slot on every CPU of `mask`, all or
 * nothing. Returns 0; -MSK_EINVAL (bad mask, or a CPU without a managed
 * slot); -MSK_EBUSY (a CPU whose managed slots are all allocated: free one
 * first). Nothing changes on failure.
 */
int msk_matrix_remove_managed(struct msk_matrix *m, const struct msk_cpumask *mask);

/*
 * Allocate a vector on the online CPU of `mask` with the most available
 * vectors (ties: the lowest CPU), the lowest free vector there. With
 * `reserved`, consume one global reservation (taken earlier with
 * msk_matrix_reserve). Returns the vector (>= alloc_start) and *cpu;
 * -MSK_EINVAL (empty mask, CPU >= ncpus, `reserved` without a
 * reservation); -MSK_ENOSPC when no online CPU of the mask has a free
 * vector (the message lists every CPU of the mask with its count, or
 * "offline"), or when an unreserved allocation would eat into global
 * reservations. Nothing changes on failure (*cpu untouched).
 */
int msk_matrix_alloc(struct msk_matrix *m, const struct msk_cpumask *mask, bool reserved,
		     unsigned int *cpu);

/*
 * Allocate a managed vector from the managed slots reserved earlier: on the
 * online CPU of `mask` with a free managed slot and the fewest managed
 * allocations (ties: the lowest CPU), its lowest free managed slot. Returns
 * the vector and *cpu; -MSK_EINVAL (bad mask); -MSK_ENOSPC naming each CPU
 * (offline, no managed slot, all slots allocated). Nothing changes on failure.
 */
int msk_matrix_alloc_managed(struct msk_matrix *m, const struct msk_cpumask *mask,
			     unsigned int *cpu);

/*
 * Allocate the fixed vector `bit` on CPU `cpu` (online or not), e.g. a
 * legacy vector. Returns 0; -MSK_EINVAL (bad CPU, bit outside the
 * allocation range); -MSK_EBUSY (the vector is not free on that CPU);
 * -MSK_ENOSPC (would eat into global reservations). Free it with
 * msk_matrix_free(.., managed=false). Nothing changes on failure.
 */
int msk_matrix_assign(struct msk_matrix *m, unsigned int cpu, unsigned int bit);

/*
 * Free vector `bit` on CPU `cpu`. A managed vector (managed = true) goes
 * back to its reserved managed slot, so it does not become available (as
 * Linux); remove the slot with msk_matrix_remove_managed(). Works on
 * offline CPUs. Returns 0; -MSK_EINVAL (bad CPU or bit, vector not
 * allocated, or `managed` not matching the slot). Nothing changes on failure.
 */
int msk_matrix_free(struct msk_matrix *m, unsigned int cpu, unsigned int bit, bool managed);

/* Global counters and geometry into *out. Changes nothing. */
void msk_matrix_stats(const struct msk_matrix *m, struct msk_matrix_stats *out);

/* CPU `cpu`'s counters into *out. Returns 0 or -MSK_EINVAL (no such CPU). */
int msk_matrix_cpu_stats(const struct msk_matrix *m, unsigned int cpu,
			 struct msk_matrix_cpu_stats *out);

/*
 * The state (enum msk_matrix_bit, >= 0) of vector `bit` on CPU `cpu`, or
 * -MSK_EINVAL for a bad CPU or bit.
 */
int msk_matrix_bit_state(const struct msk_matrix *m, unsigned int cpu, unsigned int bit);

/*
 * Print the matrix like Linux's debugfs domain file: the global counters,
 * the system vectors, then one row per online CPU
 *
 *	 | CPU | avl | man | mac | act | vectors
 *	     0   203     1     0     2  32-33
 *
 * (avl = available, man = managed slots, mac = managed allocated, act =
 * allocated, vectors = the allocated ones as a list). Writes at most `size`
 * bytes including the NUL (buf may be NULL when size is 0). Returns the
 * length the whole text needs, without the NUL, like snprintf.
 */
size_t msk_matrix_dump(const struct msk_matrix *m, char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif
