/* SPDX-License-Identifier: MIT */
/*
 * The "irte" controller fault on the x86 platform and the OS side of it:
 * arming through msk_platform_fault_arm, the Nth remapped request of a
 * whole device lifecycle faulting (swept over N), the DMAR fault handler
 * reading, logging and clearing the record, nothing leaked, the device
 * usable right after; control operations that never count; the handler
 * under overflow and CPU hotplug.
 */
#include "x86_fixture.h"

#include <pthread.h>
#include <sched.h>

static int64_t counter(struct xf *f, const char *name)
{
	struct msk_platform_counter c[32];
	size_t n = msk_platform_counters(f->p, c, 32);
	for (size_t i = 0; i < n; i++)
		if (strcmp(c[i].name, name) == 0)
			return c[i].value;
	fail_msg("no counter %s", name);
	return -1;
}

static struct msk_platform_fault_state fault_state(struct xf *f)
{
	struct msk_platform_fault_state st;
	msk_platform_fault_state(f->p, &st);
	return st;
}

static void no_fault_pending(struct xf *f)
{
	struct msk_vtd_state st;
	assert_msk_ok(msk_x86_vtd_state(msk_x86_platform_model(f->p), &st));
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++)
		assert_false(st.frcd[i].hi & MSK_VTD_FRCD_HI_F);
	assert_int_equal(st.fsts & (MSK_VTD_FSTS_PPF | MSK_VTD_FSTS_PFO), 0);
}

static void clean(struct xf *f)
{
	xf_balanced(f);
	assert_int_equal(msk_msi_violation_count(f->core), 0);
}

/* ---- arming ------------------------------------------------------------------------------- */

static void test_kinds_and_errors(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 2, false));
	struct msk_platform_fault_state st = fault_state(&f);
	assert_int_equal(st.kind, MSK_PLATFORM_FAULT_DEFAULT);
	/* No remapping, no IRTEs: nothing to arm, and the message says why. */
	assert_msk_error(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_DEFAULT, 1), MSK_ENOTSUP);
	assert_msk_error(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_IRTE, 1), MSK_ENOTSUP);
	assert_non_null(strstr(msk_last_error(), "x86.ir = true"));
	assert_int_equal(counter(&f, "ir_faults"), 0);
	xf_teardown(&f);

	assert_msk_ok(xf_setup(&f, 2, true));
	assert_msk_error(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_ITS_COMMAND, 1),
			 MSK_ENOTSUP);
	assert_non_null(strstr(msk_last_error(), "\"irte\""));
	assert_msk_error(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT__COUNT, 1), MSK_EINVAL);
	st = fault_state(&f);
	assert_int_equal(st.kind, MSK_PLATFORM_FAULT_DEFAULT);
	assert_int_equal(st.nth, 0);
	/* DEFAULT picks the platform's own kind. */
	assert_msk_ok(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_DEFAULT, 7));
	st = fault_state(&f);
	assert_int_equal(st.kind, MSK_PLATFORM_FAULT_IRTE);
	assert_int_equal(st.nth, 7);
	assert_int_equal(st.seen, 0);
	assert_int_equal(st.fired, 0);
	/* Disarmed: the report stays. */
	assert_msk_ok(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_IRTE, 0));
	st = fault_state(&f);
	assert_int_equal(st.kind, MSK_PLATFORM_FAULT_IRTE);
	assert_int_equal(st.nth, 0);
	xf_teardown(&f);
}

/* ---- the lifecycle sweep -------------------------------------------------------------------- */

/* One run of the lifecycle with the fault armed at N. */
struct sweep {
	struct xf *f;
	uint64_t nth;
	uint64_t requests; /* remapped requests sent so far */
	bool fired;
	uint16_t fired_sid;
	unsigned int fired_index;
};

/*
 * The device raises one vector: a remapped request. If it is the Nth, it
 * must be lost (and only it), recorded, serviced by the fault handler;
 * the very next raise of the same vector is delivered.
 */
static void dev_raise(struct sweep *s, unsigned int dev, unsigned int virq, bool ims,
		      unsigned int index)
{
	struct xf *f = s->f;
	unsigned int calls = atomic_load(&f->calls[virq]);
	uint64_t lost = xf_lost(f, MSK_LOSS_IR_TABLE_INVALID);
	if (ims)
		assert_msk_ok(msk_pcifn_ims_raise(f->fn[dev], index));
	else
		assert_msk_ok(msk_pcifn_raise(f->fn[dev], index));
	s->requests++;
	xf_service(f);
	struct msk_ledger_counts c;
	msk_ledger_read(f->ledger, &c);
	struct msk_x86_irq_vector v = xf_vec(f, virq);
	if (s->requests != s->nth) {
		assert_int_equal(atomic_load(&f->calls[virq]), calls + 1);
		assert_int_equal(c.lost, s->fired ? 1 : 0);
		clean(f);
		return;
	}
	/* The Nth: blocked, lost with the IRTE fetch reason, nothing else lost. */
	assert_int_equal(atomic_load(&f->calls[virq]), calls);
	assert_int_equal(xf_lost(f, MSK_LOSS_IR_TABLE_INVALID), lost + 1);
	assert_int_equal(c.lost, 1);
	s->fired = true;
	s->fired_sid = msk_pcifn_rid(f->fn[dev]);
	s->fired_index = v.irte_index;
	/* The OS serviced it: read, logged, cleared. */
	assert_int_equal(counter(f, "ir_faults"), 1);
	assert_int_equal(counter(f, "ir_fault_events"), 1);
	no_fault_pending(f);
	struct msk_x86_ir_fault log[2];
	assert_int_equal(msk_x86_platform_ir_fault_log(f->p, log, 2), 1);
	assert_int_equal(log[0].reason, MSK_VTD_FR_TABLE_INVALID);
	assert_int_equal(log[0].sid, s->fired_sid);
	assert_int_equal(log[0].index, v.irte_index);
	assert_non_null(strstr(log[0].text, "fault reason 0x23"));
	struct msk_platform_fault_state st = fault_state(f);
	assert_int_equal(st.fired, 1);
	char want[64];
	snprintf(want, sizeof(want), "IRTE %u fetch for %02x:00.0", v.irte_index,
		 s->fired_sid >> 8);
	assert_non_null(strstr(st.what, want));
	clean(f);
	/* Usable at once: the same vector again is delivered. */
	if (ims)
		assert_msk_ok(msk_pcifn_ims_raise(f->fn[dev], index));
	else
		assert_msk_ok(msk_pcifn_raise(f->fn[dev], index));
	s->requests++;
	xf_service(f);
	assert_int_equal(atomic_load(&f->calls[virq]), calls + 1);
	clean(f);
}

static unsigned int request(struct xf *f, unsigned int virq)
{
	assert_msk_ok(msk_request_irq(f->core, virq, xf_handler, "q", f));
	return virq;
}

/*
 * pci add, MSI-X alloc + request + raise, dynamic alloc_at, a move, IMS,
 * multi-MSI on a second function, then every free and the removal. With
 * raises = false only the control operations run.
 */
static void lifecycle(struct sweep *s, bool raises)
{
	struct xf *f = s->f;
	assert_int_equal(xf_add(f, 3, 0, false, 16, 8), 0);
	assert_int_equal(xf_add(f, 5, 4, true, 0, 0), 1);
	clean(f);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[0], 3, 3, MSK_PCI_IRQ_MSIX, NULL), 3);
	for (unsigned int i = 0; i < 3; i++) {
		unsigned int virq = request(f, xf_virq(f, 0, i));
		if (raises)
			dev_raise(s, 0, virq, false, i);
	}
	struct msk_msi_map dyn = msk_pci_msix_alloc_irq_at(f->pdev[0], 7, NULL);
	assert_int_equal(dyn.index, 7);
	request(f, dyn.virq);
	if (raises)
		dev_raise(s, 0, dyn.virq, false, 7);
	unsigned int v0 = xf_virq(f, 0, 0);
	struct msk_cpumask to = msk_cpumask_of((xf_vec(f, v0).cpu + 1) % f->ncpus);
	assert_msk_ok(msk_irq_set_affinity(f->core, v0, &to));
	if (raises)
		dev_raise(s, 0, v0, false, 0);
	struct msk_pci_ims_store store = { .bar = 2, .offset = 0, .entries = 8 };
	assert_msk_ok(msk_pci_create_ims_domain(f->pdev[0], &store, NULL));
	struct msk_msi_map ims = msk_pci_ims_alloc_irq(f->pdev[0], 1, NULL);
	assert_true(ims.index >= 0);
	request(f, ims.virq);
	if (raises)
		dev_raise(s, 0, ims.virq, true, (unsigned int)ims.index);
	assert_int_equal(msk_pci_alloc_irq_vectors(f->pdev[1], 4, 4, MSK_PCI_IRQ_MSI, NULL), 4);
	for (unsigned int i = 0; i < 4; i++) {
		unsigned int virq = request(f, xf_virq(f, 1, i));
		if (raises)
			dev_raise(s, 1, virq, false, i);
	}
	clean(f);
	/* Tear everything down again. */
	assert_msk_ok(msk_free_irq(f->core, dyn.virq));
	assert_msk_ok(msk_pci_msix_free_irq(f->pdev[0], dyn));
	assert_msk_ok(msk_free_irq(f->core, ims.virq));
	assert_msk_ok(msk_pci_ims_free_irq(f->pdev[0], ims));
	for (unsigned int d = 0; d < 2; d++) {
		xf_free_handlers(f, d);
		assert_msk_ok(msk_pci_free_irq_vectors(f->pdev[d]));
		assert_msk_ok(msk_platform_pci_remove(f->p, f->pdev[d]));
		f->pdev[d] = NULL;
		msk_pcifn_destroy(f->fn[d]);
		f->fn[d] = NULL;
		clean(f);
	}
	f->nfn = 0;
}

#define LIFECYCLE_REQUESTS 10u /* 3 MSI-X + 1 dynamic + 1 after the move + 1 IMS + 4 MSI */

static void test_sweep_over_lifecycle(void **state)
{
	(void)state;
	for (uint64_t nth = 1; nth <= LIFECYCLE_REQUESTS + 1; nth++) {
		struct xf f;
		assert_msk_ok(xf_setup(&f, 4, true));
		int64_t vectors = counter(&f, "vectors");
		int64_t reserved = counter(&f, "vectors_reserved");
		assert_msk_ok(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_IRTE, nth));
		struct sweep s = { .f = &f, .nth = nth };
		lifecycle(&s, true);
		struct msk_platform_fault_state st = fault_state(&f);
		assert_int_equal(s.fired, nth <= LIFECYCLE_REQUESTS);
		assert_int_equal(st.fired, s.fired);
		assert_int_equal(st.seen, s.requests);
		assert_int_equal(counter(&f, "ir_faults"), s.fired);
		assert_int_equal(xf_lost(&f, MSK_LOSS_IR_TABLE_INVALID), s.fired);
		/* Everything came back: no vector, no IRTE, no reservation left behind. */
		msk_x86_platform_cleanup(f.p);
		assert_int_equal(counter(&f, "vectors"), vectors);
		assert_int_equal(counter(&f, "vectors_reserved"), reserved);
		assert_int_equal(counter(&f, "irtes"), 0);
		no_fault_pending(&f);
		xf_teardown(&f);
	}
}

/* Control operations never fetch an IRTE: they never count, whatever N. */
static void test_control_path_never_counts(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 4, true));
	assert_msk_ok(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_IRTE, 1));
	struct sweep s = { .f = &f, .nth = 1 };
	lifecycle(&s, false);
	assert_msk_ok(msk_platform_cpu_offline(f.p, 2));
	assert_msk_ok(msk_platform_cpu_online(f.p, 2));
	struct msk_platform_fault_state st = fault_state(&f);
	assert_int_equal(st.seen, 0);
	assert_int_equal(st.fired, 0);
	/* The first request does. */
	assert_int_equal(xf_add(&f, 7, 0, false, 2, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f.pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	request(&f, xf_virq(&f, 0, 0));
	struct sweep s2 = { .f = &f, .nth = 1 };
	dev_raise(&s2, 0, xf_virq(&f, 0, 0), false, 0);
	assert_true(s2.fired);
	xf_teardown(&f);
}

/* ---- the fault handler -------------------------------------------------------------------- */

/* The fault event interrupt: its domain, its message in the FE registers, unmasked. */
static void test_fault_event_interrupt(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 4, true));
	struct msk_irq_domain *d = msk_domain_find(f.core, "DMAR-MSI");
	assert_non_null(d);
	assert_ptr_equal(msk_domain_parent(d), msk_domain_find(f.core, "VECTOR"));
	/* The platform's only virq. */
	unsigned int virq = 0;
	for (unsigned int v = 1; v < 64 && !virq; v++)
		if (msk_irq_get_irq_data(f.core, v))
			virq = v;
	assert_true(virq > 0);
	struct msk_irq_info info;
	assert_msk_ok(msk_irq_get_info(f.core, virq, &info));
	assert_string_equal(info.action_name, "dmar0");
	assert_true(info.started);
	struct msk_x86_irq_vector v = xf_vec(&f, virq);
	assert_true(v.assigned);
	assert_false(v.remapped);
	uint64_t addr, data, fectl;
	assert_msk_ok(msk_bus_read(f.bus, MSK_X86_IR_BASE + MSK_VTD_FEADDR_REG, 4, NULL, &addr));
	assert_msk_ok(msk_bus_read(f.bus, MSK_X86_IR_BASE + MSK_VTD_FEDATA_REG, 4, NULL, &data));
	assert_msk_ok(msk_bus_read(f.bus, MSK_X86_IR_BASE + MSK_VTD_FECTL_REG, 4, NULL, &fectl));
	assert_int_equal(addr, msk_x86_msi_compat_addr((uint8_t)v.cpu, false, false));
	assert_int_equal(data & 0xFF, v.vector);
	assert_int_equal(fectl & MSK_VTD_FECTL_IM, 0);
	/* Masked while disabled: a fault then only sets IP; enabling sends it. */
	assert_msk_ok(msk_irq_disable(f.core, virq));
	assert_msk_ok(msk_irq_mask(f.core, virq));
	msk_ledger_raise(f.ledger, 1);
	msk_bus_msi(f.bus, msk_x86_msi_remap_addr(300, true), 0, 0x0300, 1);
	xf_service(&f);
	assert_int_equal(counter(&f, "ir_faults"), 0);
	assert_msk_ok(msk_bus_read(f.bus, MSK_X86_IR_BASE + MSK_VTD_FECTL_REG, 4, NULL, &fectl));
	assert_true(fectl & MSK_VTD_FECTL_IP);
	assert_msk_ok(msk_irq_unmask(f.core, virq));
	assert_msk_ok(msk_irq_enable(f.core, virq));
	xf_service(&f);
	assert_int_equal(counter(&f, "ir_faults"), 1);
	assert_int_equal(xf_lost(&f, MSK_LOSS_IRTE_NOT_PRESENT), 1);
	no_fault_pending(&f);
	xf_teardown(&f);
}

/* More faults than records: PFO, the handler clears it, later faults are recorded again. */
static void test_overflow_then_recorded_again(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 2, true));
	for (unsigned int i = 0; i < MSK_VTD_NFR + 4; i++) {
		msk_ledger_raise(f.ledger, 1);
		msk_bus_msi(f.bus, msk_x86_msi_remap_addr((uint16_t)(100 + i), true), 0, 0x0300, 1);
	}
	struct msk_vtd_state st;
	assert_msk_ok(msk_x86_vtd_state(msk_x86_platform_model(f.p), &st));
	assert_true(st.fsts & MSK_VTD_FSTS_PFO);
	xf_service(&f);
	assert_int_equal(counter(&f, "ir_faults"), MSK_VTD_NFR);
	assert_int_equal(counter(&f, "ir_fault_overflows"), 1);
	no_fault_pending(&f);
	struct msk_x86_ir_fault log[MSK_VTD_NFR];
	assert_int_equal(msk_x86_platform_ir_fault_log(f.p, log, MSK_VTD_NFR), MSK_VTD_NFR);
	for (unsigned int i = 0; i < MSK_VTD_NFR; i++) {
		assert_int_equal(log[i].reason, MSK_VTD_FR_NOT_PRESENT);
		assert_int_equal(log[i].index, 100 + i);
	}
	/* Recording again: the next fault is serviced too. */
	msk_ledger_raise(f.ledger, 1);
	msk_bus_msi(f.bus, msk_x86_msi_remap_addr(200, true), 0, 0x0300, 1);
	xf_service(&f);
	assert_int_equal(counter(&f, "ir_faults"), MSK_VTD_NFR + 1);
	assert_int_equal(msk_x86_platform_ir_fault_log(f.p, log, 1), 1);
	assert_int_equal(log[0].index, 200);
	assert_int_equal(xf_lost(&f, MSK_LOSS_IRTE_NOT_PRESENT), MSK_VTD_NFR + 5);
	/* The log keeps the last 16. */
	struct msk_x86_ir_fault all[32];
	assert_int_equal(msk_x86_platform_ir_fault_log(f.p, all, 32), MSK_VTD_NFR + 1);
	assert_int_equal(msk_x86_platform_ir_fault_log(f.p, NULL, 0), 0);
	assert_int_equal(msk_x86_platform_ir_fault_log(NULL, all, 32), 0);
	clean(&f);
	xf_teardown(&f);
}

/* The fault event follows its vector when its CPU goes offline. */
static void test_fault_event_follows_hotplug(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 4, true));
	unsigned int virq = 0;
	for (unsigned int v = 1; v < 64 && !virq; v++)
		if (msk_irq_get_irq_data(f.core, v))
			virq = v;
	unsigned int from = xf_vec(&f, virq).cpu;
	assert_msk_ok(msk_platform_cpu_offline(f.p, from));
	struct msk_x86_irq_vector v = xf_vec(&f, virq);
	assert_int_not_equal(v.cpu, from);
	uint64_t addr;
	assert_msk_ok(msk_bus_read(f.bus, MSK_X86_IR_BASE + MSK_VTD_FEADDR_REG, 4, NULL, &addr));
	assert_int_equal(addr, msk_x86_msi_compat_addr((uint8_t)v.cpu, false, false));
	msk_ledger_raise(f.ledger, 1);
	msk_bus_msi(f.bus, msk_x86_msi_remap_addr(9, true), 0, 0x0300, 1);
	xf_service(&f);
	assert_int_equal(counter(&f, "ir_faults"), 1);
	assert_int_equal(msk_irq_count(f.core, virq, v.cpu), 1);
	assert_msk_ok(msk_platform_cpu_online(f.p, from));
	clean(&f);
	xf_teardown(&f);
}

/* Bring-up with the fault event interrupt unwinds from every failed allocation. */
static void test_create_under_allocation_failure(void **state)
{
	(void)state;
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	assert_msk_ok(msk_ledger_create(&ledger));
	assert_msk_ok(msk_bus_create(XF_RAM_BASE, XF_RAM_SIZE, ledger, &bus));
	struct msk_core_config cc = { .nr_cpus = 2, .ledger = ledger };
	assert_msk_ok(msk_core_create(&cc, &core));
	struct msk_platform_config pc;
	memset(&pc, 0, sizeof(pc));
	pc.ncpus = 2;
	pc.table_base = XF_RAM_BASE;
	pc.table_size = XF_TABLE_SIZE;
	pc.x86.ir = true;
	struct msk_platform *p = NULL;
	msk_fault_reset();
	assert_msk_ok(msk_platform_create("x86", core, bus, &pc, &p));
	unsigned long n = msk_fault_alloc_count();
	msk_platform_destroy(p);
	for (unsigned long k = 1; k <= n; k++) {
		msk_fault_reset();
		msk_fault_fail_alloc(k);
		p = NULL;
		int rc = msk_platform_create("x86", core, bus, &pc, &p);
		unsigned long injected = msk_fault_injected_count();
		msk_fault_reset();
		if (rc == 0) {
			/* Past the last allocation (the first run also set up per-thread state). */
			assert_int_equal(injected, 0);
			msk_platform_destroy(p);
			break;
		}
		assert_int_equal(rc, -MSK_ENOMEM);
		assert_null(p);
		struct msk_core_stats cs;
		msk_core_get_stats(core, &cs);
		assert_int_equal(cs.virqs, 0);
		assert_int_equal(cs.domains, 0);
		assert_int_equal(cs.actions, 0);
	}
	msk_core_destroy(core);
	msk_bus_destroy(bus);
	msk_ledger_destroy(ledger);
}

/* Teardown when someone freed dmar0's handler first (a machine frees every handler). */
static void test_teardown_after_handler_freed(void **state)
{
	(void)state;
	for (int freed = 0; freed < 2; freed++) {
		struct xf f;
		assert_msk_ok(xf_setup(&f, 2, true));
		struct msk_core_stats cs;
		msk_core_get_stats(f.core, &cs);
		assert_int_equal(cs.virqs, 1);
		assert_int_equal(cs.actions, 1);
		if (freed)
			assert_msk_ok(msk_free_irq(f.core, 1)); /* the platform's only virq */
		msk_platform_destroy(f.p);
		msk_core_get_stats(f.core, &cs);
		assert_int_equal(cs.virqs, 0);
		assert_int_equal(cs.actions, 0);
		assert_int_equal(cs.domains, 0);
		msk_core_destroy(f.core);
		msk_bus_destroy(f.bus);
		msk_ledger_destroy(f.ledger);
	}
}

/* ---- threads: faults recorded while the handler runs are never left behind ------------------ */

#define STORM 600

struct storm {
	struct xf *f;
	_Atomic bool stop;
	unsigned int cpu;
};

static void *service_thread(void *arg)
{
	struct storm *s = arg;
	while (!atomic_load(&s->stop))
		msk_platform_cpu_service(s->f->p, s->cpu, 64);
	return NULL;
}

static void *device_thread(void *arg)
{
	struct storm *s = arg;
	for (int i = 0; i < STORM; i++)
		msk_pcifn_raise(s->f->fn[0], 0);
	return NULL;
}

/*
 * A misprogrammed device hammering an absent IRTE: a fault per message,
 * in bursts of 3 that wait (a bounded while) for the handler to catch up,
 * so that recording and servicing interleave.
 */
static void *forger_thread(void *arg)
{
	struct storm *s = arg;
	struct msk_x86 *x86 = msk_x86_platform_model(s->f->p);
	for (int i = 0; i < STORM; i++) {
		msk_ledger_raise(s->f->ledger, 1);
		msk_bus_msi(s->f->bus, msk_x86_msi_remap_addr(300, true), 0, 0x0400, 1);
		if (i % 3 != 2)
			continue;
		for (int spin = 0; spin < 20000; spin++) {
			struct msk_x86_stats st;
			msk_x86_stats(x86, &st);
			if (counter(s->f, "ir_faults") >= (int64_t)st.faults_recorded)
				break;
			sched_yield();
		}
	}
	return NULL;
}

static void test_fault_storm_with_concurrent_cpus(void **state)
{
	(void)state;
	struct xf f;
	assert_msk_ok(xf_setup(&f, 2, true));
	assert_int_equal(xf_add(&f, 3, 0, false, 4, 0), 0);
	assert_int_equal(msk_pci_alloc_irq_vectors(f.pdev[0], 1, 1, MSK_PCI_IRQ_MSIX, NULL), 1);
	request(&f, xf_virq(&f, 0, 0));
	assert_msk_ok(msk_platform_fault_arm(f.p, MSK_PLATFORM_FAULT_IRTE, STORM));
	struct storm cpu[2] = { { .f = &f, .cpu = 0 }, { .f = &f, .cpu = 1 } };
	struct storm src = { .f = &f };
	pthread_t tc[2], td, tf;
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&tc[i], NULL, service_thread, &cpu[i]), 0);
	assert_int_equal(pthread_create(&td, NULL, device_thread, &src), 0);
	assert_int_equal(pthread_create(&tf, NULL, forger_thread, &src), 0);
	pthread_join(td, NULL);
	pthread_join(tf, NULL);
	for (int i = 0; i < 2; i++) {
		atomic_store(&cpu[i].stop, true);
		pthread_join(tc[i], NULL);
	}
	xf_service(&f);
	/* Exactly one injected fault, on the device's or the forger's request. */
	struct msk_platform_fault_state fs = fault_state(&f);
	assert_int_equal(fs.fired, 1);
	unsigned int on_device = strstr(fs.what, "for 03:00.0") != NULL;
	assert_true(on_device || strstr(fs.what, "IRTE 300 fetch for 04:00.0"));
	assert_int_equal(xf_lost(&f, MSK_LOSS_IR_TABLE_INVALID), 1);
	assert_int_equal(xf_lost(&f, MSK_LOSS_IRTE_NOT_PRESENT), STORM - 1 + on_device);
	/* Every fault the unit recorded was serviced; the rest overflowed, none is pending. */
	struct msk_x86_stats st;
	msk_x86_stats(msk_x86_platform_model(f.p), &st);
	assert_int_equal(st.faults_recorded + st.faults_overflowed, STORM + on_device);
	assert_int_equal(counter(&f, "ir_faults"), st.faults_recorded);
	assert_true(counter(&f, "ir_fault_events") > 1); /* serviced while faults kept coming */
	no_fault_pending(&f);
	clean(&f);
	xf_teardown(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds_and_errors),
		cmocka_unit_test(test_sweep_over_lifecycle),
		cmocka_unit_test(test_control_path_never_counts),
		cmocka_unit_test(test_fault_event_interrupt),
		cmocka_unit_test(test_overflow_then_recorded_again),
		cmocka_unit_test(test_fault_event_follows_hotplug),
		cmocka_unit_test(test_create_under_allocation_failure),
		cmocka_unit_test(test_teardown_after_handler_freed),
		cmocka_unit_test(test_fault_storm_with_concurrent_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
