/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_CPUHOTPLUG_H
#define MSIKIT_CPUHOTPLUG_H

/*
 * CPU hotplug, the generic part (Linux kernel/irq/cpuhotplug.c and the
 * managed-interrupt restart of kernel/irq/manage.c). Platforms call these
 * from their msk_platform_cpu_offline/online after their own checks (x86:
 * the vector matrix can take the CPU's vectors), and finish their part
 * afterwards (x86: drain the CPU's APIC, release its old vectors).
 *
 * Offline (msk_irq_cpu_offline): the CPU leaves the core's online mask,
 * then every activated virq whose effective affinity contains it is
 * handled like Linux's migrate_one_irq():
 *   - managed, and no other CPU of its affinity is online: marked
 *     "managed shutdown", shut down (masked) and deactivated; its disable
 *     depth goes up by one, so no handler runs for it; its affinity is kept;
 *   - otherwise it is moved by the chip (irq_set_affinity with force) to
 *     the online CPUs of its affinity - or, when none is left, to every
 *     online CPU, and its affinity becomes that ("broken affinity").
 *
 * Online (msk_irq_cpu_online): the CPU joins the online mask, then every
 * managed virq whose affinity contains it and that was shut down by
 * hotplug gets its depth back (and is enabled at depth 0); a managed virq
 * with a handler that is not started (shut down, or requested while all
 * its CPUs were offline) is activated and started again. A virq still
 * disabled by its driver stays disabled: it is started (unmasked) but its
 * handler does not run until msk_irq_enable(); events held meanwhile are
 * replayed once.
 *
 * Both calls take the core's control lock and run the chips' callbacks;
 * not from a handler. The caller makes sure the CPU's own delivery thread
 * does not run meanwhile.
 */

#include <msikit/irq.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a hotplug call did. */
struct msk_hotplug_stats {
	unsigned int migrated; /* moved to other CPUs (including broken ones) */
	unsigned int broken;   /* ... of them with no online CPU left in their affinity */
	unsigned int shutdown; /* managed virqs shut down */
	unsigned int started;  /* managed virqs started again */
	unsigned int failed;   /* the chip refused: they still target the CPU */
};

/*
 * Take `cpu` offline in the core's view and move or shut down its virqs
 * (above). Fills *st when non-NULL. Returns 0; -MSK_EINVAL (no such CPU,
 * or the last online CPU; nothing changed); -MSK_EALREADY (already
 * offline; nothing changed); or the first chip error when some virqs could
 * not be moved (the CPU is offline anyway, as in Linux; st->failed says
 * how many).
 */
int msk_irq_cpu_offline(struct msk_core *core, unsigned int cpu, struct msk_hotplug_stats *st);

/*
 * Bring `cpu` online in the core's view and restart its managed virqs
 * (above). Returns 0; -MSK_EINVAL (no such CPU); -MSK_EALREADY (already
 * online; nothing changed); or the first activation error (that virq stays
 * shut down, the others are started).
 */
int msk_irq_cpu_online(struct msk_core *core, unsigned int cpu, struct msk_hotplug_stats *st);

#ifdef __cplusplus
}
#endif
#endif
