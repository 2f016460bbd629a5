/* SPDX-License-Identifier: MIT */
/*
 * The flow: what happens to one interrupt at its descriptor.
 *
 * MSI is edge-triggered: an event that cannot be handled right now must be
 * remembered, not dropped, and handled exactly once later. The descriptor's
 * delivery state is one 64-bit atomic word: flags in the low half
 * (DISABLED, MASKED, INPROGRESS, PENDING) and, in the high half, the weight
 * of the events held pending. Holding an event adds its weight and sets
 * PENDING in one compare-and-swap; replaying clears both in one, so a held
 * event is replayed exactly once by whoever clears it.
 *
 *  - Common case (not blocked, nothing running): CAS INPROGRESS on, run the
 *    handler, then CAS INPROGRESS off - unless PENDING was set meanwhile
 *    and the irq is not blocked, in which case the same CPU replays it
 *    first ("the running CPU handles what arrived while it ran").
 *  - Blocked (disabled, masked) or running elsewhere: under the
 *    descriptor lock, hold the event (PENDING + weight). A disabled irq is
 *    masked at the chip now (lazy disable).
 *  - Unblocking (enable, unmask, request) replays a held event on the
 *    control thread, on behalf of the irq's effective CPU, unless a CPU is
 *    running the handler: that CPU's loop replays it.
 *
 * Edge flow acks at entry, fasteoi flow sends EOI at exit, on every path
 * (held or handled), as the controller expects; replays do neither (they
 * are not taken from a controller).
 */
#include "core/internal.h"

#include <sched.h>

#include "core/handler_ctx.h"

_Thread_local unsigned int msk_in_handler;

bool msk_in_interrupt(void)
{
	return msk_in_handler != 0;
}

#define FLAGS(s)   ((uint32_t)(s))
#define WEIGHT(s)  ((uint32_t)((s) >> 32))
#define WEIGHT_ONE (1ull << 32)

static inline uint64_t load_state(struct msk_irq_desc *desc)
{
	return atomic_load_explicit((_Atomic uint64_t *)&desc->fstate, memory_order_acquire);
}

/*
 * Sequentially consistent: claiming INPROGRESS and then reading the action
 * (or DISABLED) pairs with free_irq/disable, which change the action or
 * DISABLED and then wait for INPROGRESS to clear. That is a store->load
 * pattern on both sides; only seq_cst orders it (on x86 the CAS is a locked
 * instruction anyway, so this costs nothing here).
 */
static inline bool cas_state(struct msk_irq_desc *desc, uint64_t *old, uint64_t new)
{
	return atomic_compare_exchange_weak_explicit((_Atomic uint64_t *)&desc->fstate, old, new,
						     memory_order_seq_cst, memory_order_acquire);
}

static void chip_ack(struct msk_irq_desc *desc)
{
	const struct msk_irq_chip *chip = desc->irq_data.chip;
	if (desc->flow == MSK_FLOW_EDGE && chip && chip->irq_ack)
		chip->irq_ack(&desc->irq_data);
}

static void chip_eoi(struct msk_irq_desc *desc)
{
	const struct msk_irq_chip *chip = desc->irq_data.chip;
	if (desc->flow == MSK_FLOW_FASTEOI && chip && chip->irq_eoi)
		chip->irq_eoi(&desc->irq_data);
}

/* Run the handler once for `weight` events and account for them. */
static inline enum msk_flow_result run_action(struct msk_irq_desc *desc, unsigned int cpu,
					      uint32_t weight)
{
	struct msk_core *core = desc->core;
	struct msk_irqaction *act = msk_rcu_deref(&desc->action);
	enum msk_irqreturn r = MSK_IRQ_NONE;
	if (act) {
		/*
		 * Only the owner of INPROGRESS runs handlers of this descriptor,
		 * so the count needs no locked add: a relaxed load and store
		 * (ordered between owners by the INPROGRESS hand-over) suffice.
		 */
		uint64_t n = atomic_load_explicit(&desc->kstat[cpu], memory_order_relaxed);
		atomic_store_explicit(&desc->kstat[cpu], n + 1, memory_order_relaxed);
		msk_in_handler++;
		r = act->handler(desc->irq_data.virq, cpu, act->dev_id);
		msk_in_handler--;
	}
	if (r == MSK_IRQ_HANDLED) {
		msk_ledger_deliver(core->ledger, weight);
		return MSK_FLOW_HANDLED;
	}
	atomic_fetch_add_explicit(&desc->spurious, 1, memory_order_relaxed);
	msk_ledger_lose(core->ledger, act ? MSK_LOSS_UNHANDLED : MSK_LOSS_NO_HANDLER, weight);
	return act ? MSK_FLOW_UNHANDLED : MSK_FLOW_NO_HANDLER;
}

/*
 * With INPROGRESS owned by this thread: replay held events while the irq
 * can run, then give INPROGRESS up.
 */
static void replay_loop(struct msk_irq_desc *desc, unsigned int cpu)
{
	struct msk_core *core = desc->core;
	uint64_t s = load_state(desc);
	for (;;) {
		if ((FLAGS(s) & F_PENDING) && !(FLAGS(s) & F_BLOCKED) &&
		    msk_rcu_deref(&desc->action)) {
			uint64_t ns = (uint64_t)(FLAGS(s) & ~F_PENDING);
			if (!cas_state(desc, &s, ns))
				continue;
			uint32_t w = WEIGHT(s);
			atomic_fetch_sub_explicit(&core->held_weight, w, memory_order_relaxed);
			atomic_fetch_add_explicit(&desc->replayed, 1, memory_order_relaxed);
			run_action(desc, cpu, w);
			s = load_state(desc);
			continue;
		}
		if (cas_state(desc, &s, s & ~(uint64_t)F_INPROGRESS))
			return;
	}
}

/* Slow path: hold the event, or find that it can run after all (returns -1). */
static int hold_event(struct msk_irq_desc *desc, uint32_t weight)
{
	struct msk_core *core = desc->core;
	pthread_mutex_lock(&desc->lock);
	if (!msk_rcu_deref(&desc->action)) {
		pthread_mutex_unlock(&desc->lock);
		atomic_fetch_add_explicit(&desc->spurious, 1, memory_order_relaxed);
		msk_ledger_lose(core->ledger, MSK_LOSS_NO_HANDLER, weight);
		return MSK_FLOW_NO_HANDLER;
	}
	uint64_t s = load_state(desc);
	for (;;) {
		if (!(FLAGS(s) & (F_BLOCKED | F_INPROGRESS))) {
			pthread_mutex_unlock(&desc->lock);
			return -1;
		}
		uint64_t w = (uint64_t)WEIGHT(s) + weight;
		if (w > UINT32_MAX)
			w = UINT32_MAX; /* cannot happen in practice: 4 billion held events */
		uint64_t ns = (w << 32) | FLAGS(s) | F_PENDING;
		if (cas_state(desc, &s, ns))
			break;
	}
	atomic_fetch_add_explicit(&core->held_weight, weight, memory_order_relaxed);
	/* Lazy disable: a disabled irq that fires is masked at the chip now. */
	if ((FLAGS(s) & F_DISABLED) && !(FLAGS(s) & F_MASKED)) {
		msk_chip_mask_locked(desc);
		desc->cstate |= C_LAZY_MASKED;
	}
	pthread_mutex_unlock(&desc->lock);
	return MSK_FLOW_PENDING;
}

static inline int flow_handle(struct msk_irq_desc *desc, unsigned int cpu, uint32_t weight)
{
	int result;
	chip_ack(desc);
	for (;;) {
		uint64_t s = load_state(desc);
		bool claimed = false;
		while (!(FLAGS(s) & (F_BLOCKED | F_INPROGRESS)) && msk_rcu_deref(&desc->action)) {
			if (cas_state(desc, &s, s | F_INPROGRESS)) {
				claimed = true;
				break;
			}
		}
		if (claimed) {
			result = run_action(desc, cpu, weight);
			replay_loop(desc, cpu);
			break;
		}
		result = hold_event(desc, weight);
		if (result >= 0)
			break;
		/* Unblocked between the check and the lock: try to run it. */
	}
	chip_eoi(desc);
	return result;
}

int msk_flow_handle(struct msk_irq_desc *desc, unsigned int cpu, uint32_t weight)
{
	return flow_handle(desc, cpu, weight);
}

void msk_flow_check_replay(struct msk_irq_desc *desc, unsigned int cpu)
{
	uint64_t s = load_state(desc);
	while ((FLAGS(s) & F_PENDING) && !(FLAGS(s) & (F_BLOCKED | F_INPROGRESS))) {
		if (cas_state(desc, &s, s | F_INPROGRESS)) {
			msk_rcu_read_lock();
			replay_loop(desc, cpu);
			msk_rcu_read_unlock();
			return;
		}
	}
}

uint32_t msk_flow_drop_pending(struct msk_irq_desc *desc, enum msk_loss reason)
{
	uint64_t s = load_state(desc);
	while (!cas_state(desc, &s, (uint64_t)(FLAGS(s) & ~F_PENDING)))
		;
	uint32_t w = WEIGHT(s);
	if (w) {
		atomic_fetch_sub_explicit(&desc->core->held_weight, w, memory_order_relaxed);
		msk_ledger_lose(desc->core->ledger, reason, w);
	}
	return w;
}

int msk_handle_irq(struct msk_core *core, unsigned int cpu, unsigned int virq, uint32_t weight)
{
	if (!core || cpu >= core->nr_cpus)
		return msk_err(MSK_EINVAL, "handle: CPU %u does not exist", cpu);
	msk_rcu_read_lock();
	struct msk_irq_desc *desc =
		virq < core->nr_irqs ? msk_radix_lookup(&core->descs, virq) : NULL;
	int rc;
	if (__builtin_expect(desc != NULL, 1)) {
		rc = flow_handle(desc, cpu, weight);
	} else {
		msk_ledger_lose(core->ledger, MSK_LOSS_NO_DESCRIPTOR, weight);
		rc = MSK_FLOW_NO_DESC;
	}
	msk_rcu_read_unlock();
	return rc;
}

/*
 * Wait for a running handler (any CPU) to finish. Callers changed the
 * action or DISABLED with a seq_cst operation first (see cas_state).
 */
void msk_flow_wait_idle(struct msk_irq_desc *desc)
{
	while (FLAGS(atomic_load_explicit(&desc->fstate, memory_order_seq_cst)) & F_INPROGRESS)
		sched_yield();
}
