/* SPDX-License-Identifier: MIT */
/*
 * Fuzz target for machines (msikit/machine.h) driven the way an OS and its
 * drivers drive them, through the public API only (the calls the Lua
 * scenario layer makes, tools/msikit/lua_device.c and lua_machine.c).
 *
 * The input's first bytes choose a machine: arch, CPUs, x86 remapping, the
 * MSI model (per-device / global), the prepare mode, its.alloc_dyn,
 * pseries.post_free, the seed, and maybe an allocation fault (the Nth
 * heap allocation fails) and a controller fault. A platform that cannot
 * arm a controller fault makes machine creation fail cleanly: the input
 * is skipped. The rest is a sequence of operations: plug PCI functions
 * (MSI, MSI-X, IMS of various sizes), allocate and free vectors
 * (alloc_irq_vectors, dynamic MSI-X, IMS), request and free handlers,
 * enable/disable, mask/unmask, set affinity, CPU hotplug, device raises of
 * any index (allocated or not), actors raising while the runtime runs,
 * runtime runs, device removal.
 *
 * Oracles, after every operation: msk_machine_check() (ledger balance,
 * msix-message, msi-route), no invariant failure recorded by the runtime,
 * no CPU service error, no MSI contract violation (the fuzzer uses the API
 * correctly or gets a clean error, so a violation is a library bug),
 * handlers never claim more than was delivered. A call that fails must
 * leave the state as it was: the ledger, the held weight, the virqs and
 * their handlers, each device's MSI state and descriptors, the online
 * CPUs. At the end every device is removed (contract: every resource
 * returned) and the machine destroyed (LSan finds what leaked).
 *
 * Bounded: MAX_OPS operations, MAX_DEVS devices, at most MAX_STEPS runtime
 * steps per run, at most MAX_RAISES events per raise.
 *
 * The seed corpus (tests/fuzz/corpus/machine/) is made by
 * tests/fuzz/gen_corpus_machine.py.
 */
#include <msikit.h>
#include <msikit/fault.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_OPS	     256
#define MAX_DEVS     8
#define MAX_HANDLERS 96
#define MAX_ACTORS   8
#define MAX_STEPS    2000
#define MAX_RAISES   16

#define CHECK(cond)                            \
	do {                                   \
		if (!(cond))                   \
			fail(__LINE__, #cond); \
	} while (0)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct input *in, unsigned int bytes)
{
	uint64_t v = 0;
	for (unsigned int i = 0; i < bytes && in->n; i++) {
		v |= (uint64_t)in->p[0] << (8 * i);
		in->p++;
		in->n--;
	}
	return v;
}

/* A handler installed by the fuzzer; dev_id points here. */
struct handler {
	bool used;
	unsigned int virq;
	unsigned int dev; /* index in devs[] */
	uint8_t mode;	  /* what the handler does (see irq_handler) */
	uint64_t calls, claimed;
};

struct dev {
	struct msk_machine_dev *d;
	unsigned int gen; /* changes at every add/remove of this slot */
};

/* An actor raising one vector of one device, sleeping between raises. */
struct actor {
	bool used;
	unsigned int dev, gen;
	bool ims;
	unsigned int index, left, sleep;
};

struct ctx {
	struct msk_machine *m;
	struct msk_core *core;
	struct dev devs[MAX_DEVS];
	unsigned int ndevs, gens;
	struct handler h[MAX_HANDLERS];
	struct actor actors[MAX_ACTORS];
	const char *op; /* the operation running, for failure messages */
	unsigned int opno;
	bool trace; /* FUZZ_MACHINE_TRACE set: every operation on stderr */
};

static struct ctx C;

static void describe(const struct msk_machine_config *c)
{
	fprintf(stderr,
		"  machine: %s, %u CPUs, ir %d, msi %s, prepare %s, alloc_dyn %d, post_free %d, "
		"seed %llu, alloc_fail %lu, controller %llu, cpu_offline %d\n",
		c->arch, c->ncpus, c->x86.ir, c->msi ? "global" : "per-device",
		c->prepare ? "per-alloc" : "per-device", c->its.alloc_dyn, c->pseries.post_free,
		(unsigned long long)c->seed, c->faults.alloc_fail,
		(unsigned long long)c->faults.controller, c->faults.cpu_offline);
}

static void fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_machine: line %d, op %u (%s): %s\n", line, C.opno, C.op ? C.op : "-",
		what);
	fprintf(stderr, "fuzz_machine: last error: %s\n", msk_last_error());
	if (C.m) {
		describe(msk_machine_config(C.m));
		for (unsigned int i = 0; i < msk_machine_invariant_count(C.m); i++)
			fprintf(stderr, "  invariant: %s\n", msk_machine_invariant(C.m, i));
		for (unsigned int i = 0; i < msk_machine_service_error_count(C.m); i++)
			fprintf(stderr, "  service error: %s\n", msk_machine_service_error(C.m, i));
		unsigned int nv = msk_msi_violation_count(C.core);
		for (unsigned int i = 0; i < nv && i < 8; i++) {
			struct msk_msi_violation v;
			if (msk_msi_get_violation(C.core, i, &v) == 0)
				fprintf(stderr, "  violation %s: %s %s: %s\n",
					msk_msi_rule_name(v.rule), v.device, v.domain, v.detail);
		}
	}
	abort();
}

/* --- state snapshots: a failed call changes nothing --------------------------------------- */

#define SNAP_VIRQS 512

struct snap {
	struct msk_ledger_counts lc;
	uint64_t held;
	unsigned int ndevs;
	struct msk_cpumask online;
	struct msk_pci_state ps[MAX_DEVS];
	unsigned int descs[MAX_DEVS][2];
	unsigned int nvirqs;
	unsigned int virqs[SNAP_VIRQS]; /* the first SNAP_VIRQS, with handler bit 31 */
};

static int collect_virq(void *ctx, unsigned int virq)
{
	struct snap *s = ctx;
	if (s->nvirqs < SNAP_VIRQS)
		s->virqs[s->nvirqs] = virq;
	s->nvirqs++;
	return 0;
}

static void take_snap(struct snap *s)
{
	memset(s, 0, sizeof(*s));
	msk_ledger_read(msk_machine_ledger(C.m), &s->lc);
	s->held = msk_core_held(msk_machine_core(C.m)) + msk_machine_models_held(C.m);
	s->ndevs = msk_machine_dev_count(C.m);
	s->online = msk_core_online_cpus(C.core);
	for (unsigned int i = 0; i < C.ndevs; i++) {
		struct msk_pci_dev *p = msk_machine_dev_pci(C.devs[i].d);
		msk_pci_get_state(p, &s->ps[i]);
		for (unsigned int dom = 0; dom < 2; dom++)
			s->descs[i][dom] = msk_msi_desc_count(msk_pci_msi_device(p), dom, false);
	}
	msk_core_for_each_irq(C.core, collect_virq, s);
	for (unsigned int i = 0; i < s->nvirqs && i < SNAP_VIRQS; i++) {
		struct msk_irq_info info;
		if (msk_irq_get_info(C.core, s->virqs[i], &info) == 0 && info.action_name)
			s->virqs[i] |= 1u << 31;
	}
}

static void check_unchanged(const struct snap *a)
{
	struct snap b;
	take_snap(&b);
	CHECK(a->lc.raised == b.lc.raised && a->lc.delivered == b.lc.delivered &&
	      a->lc.lost == b.lc.lost);
	CHECK(a->held == b.held);
	CHECK(a->ndevs == b.ndevs);
	CHECK(msk_cpumask_equal(&a->online, &b.online));
	for (unsigned int i = 0; i < C.ndevs; i++) {
		CHECK(a->ps[i].msi_enabled == b.ps[i].msi_enabled);
		CHECK(a->ps[i].msix_enabled == b.ps[i].msix_enabled);
		CHECK(a->ps[i].nvec == b.ps[i].nvec);
		CHECK(a->ps[i].ims == b.ps[i].ims);
		CHECK(a->descs[i][0] == b.descs[i][0] && a->descs[i][1] == b.descs[i][1]);
	}
	CHECK(a->nvirqs == b.nvirqs);
	CHECK(memcmp(a->virqs, b.virqs, sizeof(a->virqs)) == 0);
}

/* --- the oracles --------------------------------------------------------------------------- */

/*
 * Violations that are library bugs. The "before" models reproduce old
 * kernels on purpose and break the rules they were fixed for: prepare at
 * every allocation (prepare-once, prepare-size), pSeries post_free
 * (post-free-undid-prepare). Every other rule holds in every model.
 */
static unsigned int contract_violations(void)
{
	const struct msk_machine_config *cfg = msk_machine_config(C.m);
	unsigned int n = msk_msi_violation_count(C.core), bugs = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct msk_msi_violation v;
		if (msk_msi_get_violation(C.core, i, &v) < 0) {
			bugs += n - i; /* beyond what is kept: cannot tell */
			break;
		}
		bool by_design =
			(cfg->prepare == MSK_MSI_PREPARE_PER_ALLOC &&
			 (v.rule == MSK_MSI_RULE_PREPARE_ONCE ||
			  v.rule == MSK_MSI_RULE_PREPARE_SIZE)) ||
			(cfg->pseries.post_free && v.rule == MSK_MSI_RULE_POST_FREE_UNDID_PREPARE);
		bugs += !by_design;
	}
	return bugs;
}

static void check_machine(void)
{
	CHECK(msk_machine_check(C.m) == 0);
	CHECK(msk_machine_invariant_count(C.m) == 0);
	CHECK(msk_machine_service_error_count(C.m) == 0);
	CHECK(contract_violations() == 0);
	uint64_t claimed = 0;
	for (unsigned int i = 0; i < MAX_HANDLERS; i++)
		claimed += C.h[i].claimed;
	struct msk_ledger_counts lc;
	msk_ledger_read(msk_machine_ledger(C.m), &lc);
	CHECK(claimed <= lc.delivered);
}

/* --- handlers ------------------------------------------------------------------------------ */

/*
 * mode & 3: 0 claim; 1 "not mine" (lost "unhandled"); 2 claim and
 * disable itself (nosync, allowed in a handler); 3 claim after trying
 * calls a handler may not make, which must be refused.
 */
static enum msk_irqreturn irq_handler(unsigned int virq, unsigned int cpu, void *dev_id)
{
	struct handler *h = dev_id;
	CHECK(h->used && h->virq == virq);
	CHECK(msk_in_interrupt());
	h->calls++;
	switch (h->mode & 3) {
	case 1:
		return MSK_IRQ_NONE;
	case 2:
		CHECK(msk_irq_disable_nosync(C.core, virq) == 0);
		break;
	case 3: {
		CHECK(msk_free_irq(C.core, virq) < 0);
		struct msk_pci_dev *p = msk_machine_dev_pci(C.devs[h->dev].d);
		CHECK(msk_pci_alloc_irq_vectors(p, 1, 1, MSK_PCI_IRQ_MSIX | MSK_PCI_IRQ_MSI, NULL) <
		      0);
		CHECK(msk_pci_free_irq_vectors(p) < 0);
		break;
	}
	default:
		break;
	}
	h->claimed++;
	return MSK_IRQ_HANDLED;
}

static struct handler *handler_of(unsigned int virq)
{
	for (unsigned int i = 0; i < MAX_HANDLERS; i++)
		if (C.h[i].used && C.h[i].virq == virq)
			return &C.h[i];
	return NULL;
}

/* A driver unbinding: free the handlers of one device (or all, dev < 0). */
static void free_handlers(int dev)
{
	for (unsigned int i = 0; i < MAX_HANDLERS; i++) {
		struct handler *h = &C.h[i];
		if (!h->used || (dev >= 0 && h->dev != (unsigned int)dev))
			continue;
		CHECK(msk_free_irq(C.core, h->virq) == 0);
		h->used = false;
	}
}

/* --- picking things ------------------------------------------------------------------------- */

static int pick_dev(struct input *in)
{
	unsigned int b = (unsigned int)take(in, 1);
	return C.ndevs ? (int)(b % C.ndevs) : -1;
}

static struct msk_pci_dev *pdev_of(int dev)
{
	return msk_machine_dev_pci(C.devs[dev].d);
}

/* A CPU mask from one byte: bit k = CPU k; never empty (CPU 0 then). */
static struct msk_cpumask pick_mask(uint8_t b)
{
	struct msk_cpumask mask;
	msk_cpumask_clear(&mask);
	for (unsigned int c = 0; c < 8; c++)
		if (b >> c & 1)
			msk_cpumask_set(&mask, c);
	if (msk_cpumask_empty(&mask))
		msk_cpumask_set(&mask, 0);
	return mask;
}

/*
 * A vector reference: a device and a selector byte. Bits 7:6 of the
 * selector: 0/1 an MSI/MSI-X vector (index in bits 5:0), 2 an IMS slot,
 * 3 a larger index from two more bytes (bit 15: IMS) or a virq that does
 * not exist. Returns the virq, or 0 (and *bad the virq to try) when the
 * reference names nothing.
 */
static unsigned int pick_virq(struct input *in, int *dev_out, unsigned int *bad)
{
	int dev = pick_dev(in);
	uint8_t sel = (uint8_t)take(in, 1);
	unsigned int index = sel & 63;
	bool ims = (sel >> 6) == 2;
	*bad = 0;
	*dev_out = dev;
	if ((sel >> 6) == 3) {
		unsigned int v = (unsigned int)take(in, 2);
		if (v == 0xFFFF) {
			*bad = sel & 1 ? 0 : (1u << 24) + (sel & 63);
			return 0;
		}
		ims = v >> 15;
		index = (v & 0x7FFF) % (ims ? 600 : 2100);
	}
	if (dev < 0)
		return 0;
	struct msk_pci_dev *p = pdev_of(dev);
	if (ims)
		return msk_msi_get_virq(msk_pci_msi_device(p), MSK_MSI_SECONDARY_DOMAIN, index);
	int v = msk_pci_irq_vector(p, index);
	return v > 0 ? (unsigned int)v : 0;
}

/* --- operations ------------------------------------------------------------------------------ */

static const unsigned int msi_sizes[8] = { 0, 1, 2, 4, 8, 16, 32, 0 };
static const unsigned int msix_sizes[16] = { 0,	 0,  1,	 2,  3,	  4,   8,    16,
					     17, 32, 64, 65, 128, 256, 1024, 2048 };
static const unsigned int ims_sizes[8] = { 0, 0, 1, 2, 4, 16, 64, 600 };

static int op_add(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1), c1 = (uint8_t)take(in, 1), c2 = (uint8_t)take(in, 1);
	struct msk_machine_pci_config pc;
	msk_machine_pci_config_init(&pc);
	pc.bus = 1 + (b & 15);
	pc.dev = (b >> 4) & 1;
	pc.fn = (b >> 5) & 7;
	pc.msi = msi_sizes[c1 & 7];
	pc.msix = msix_sizes[(c1 >> 3) & 15];
	pc.ims = ims_sizes[c2 & 7];
	pc.while_disabled = (c2 >> 3) & 1 ? MSK_PCIFN_MSIX_LATCH : MSK_PCIFN_MSIX_DROP;
	pc.msi_64bit = !((c2 >> 4) & 1);
	pc.msi_mask = !((c2 >> 5) & 1);
	if (C.ndevs == MAX_DEVS)
		return 0;
	struct msk_machine_dev *d = NULL;
	int rc = msk_machine_pci_add(C.m, &pc, &d);
	if (rc < 0)
		return rc;
	CHECK(d && msk_machine_dev_pci(d));
	C.devs[C.ndevs].d = d;
	C.devs[C.ndevs].gen = ++C.gens;
	C.ndevs++;
	return 0;
}

static int op_alloc_vectors(struct input *in)
{
	int dev = pick_dev(in);
	uint8_t a = (uint8_t)take(in, 1), b = (uint8_t)take(in, 1), f = (uint8_t)take(in, 1);
	uint8_t pp = (uint8_t)take(in, 1);
	/* min 0 and min > max are errors the layer must refuse; max up to 2048 */
	unsigned int min = a & 0x3F;
	unsigned int max = b & 0x80 ? 1u + (b & 0x7F) * 17u : min + (b & 0x3F);
	unsigned int flags = 0;
	if (f & 1)
		flags |= MSK_PCI_IRQ_MSI;
	if (f & 2)
		flags |= MSK_PCI_IRQ_MSIX;
	if (f & 4)
		flags |= MSK_PCI_IRQ_AFFINITY;
	if (!(f & 3) && !(f & 8))
		flags |= MSK_PCI_IRQ_MSI | MSK_PCI_IRQ_MSIX;
	struct msk_irq_affinity affd;
	memset(&affd, 0, sizeof(affd));
	affd.pre_vectors = pp & 7;
	affd.post_vectors = (pp >> 3) & 7;
	if (pp & 0x40) {
		affd.nr_sets = 2;
		affd.set_size[0] = 1 + ((pp >> 3) & 3);
		affd.set_size[1] = 1 + (pp & 3);
	}
	if (dev < 0)
		return 0;
	int n = msk_pci_alloc_irq_vectors(pdev_of(dev), min, max, flags,
					  (flags & MSK_PCI_IRQ_AFFINITY) && !(pp & 0x80) ? &affd
											 : NULL);
	if (n >= 0)
		CHECK((unsigned int)n >= min && (unsigned int)n <= max);
	return n < 0 ? n : 0;
}

static int op_free_vectors(struct input *in)
{
	int dev = pick_dev(in);
	if (dev < 0)
		return 0;
	return msk_pci_free_irq_vectors(pdev_of(dev));
}

static int op_msix_alloc_at(struct input *in)
{
	int dev = pick_dev(in);
	unsigned int v = (unsigned int)take(in, 2);
	uint8_t a = (uint8_t)take(in, 1);
	uint32_t index = v == 0xFFFF || (v & 0x8000) ? MSK_MSI_ANY_INDEX : v % 2100;
	struct msk_irq_affinity_desc aff = { .mask = pick_mask(a), .is_managed = false };
	if (dev < 0)
		return 0;
	struct msk_msi_map map = msk_pci_msix_alloc_irq_at(msk_machine_dev_pci(C.devs[dev].d),
							   index, a & 0x80 ? &aff : NULL);
	if (map.index < 0) {
		CHECK(map.virq == 0);
		return map.index;
	}
	CHECK(map.virq > 0);
	CHECK(index == MSK_MSI_ANY_INDEX || (uint32_t)map.index == index);
	CHECK(msk_pci_irq_vector(pdev_of(dev), (unsigned int)map.index) == (int)map.virq);
	return 0;
}

static int op_msix_free(struct input *in)
{
	int dev = pick_dev(in);
	unsigned int index = (unsigned int)take(in, 2) % 2100;
	if (dev < 0)
		return 0;
	struct msk_pci_dev *p = pdev_of(dev);
	int virq = msk_pci_irq_vector(p, index);
	if (virq <= 0)
		return virq < 0 ? virq : -MSK_EINVAL;
	struct msk_msi_map map = { (int)index, (unsigned int)virq };
	return msk_pci_msix_free_irq(p, map);
}

static int op_ims_domain(struct input *in)
{
	int dev = pick_dev(in);
	unsigned int entries = (unsigned int)take(in, 2) % 700;
	if (dev < 0)
		return 0;
	return msk_machine_ims_domain(C.m, C.devs[dev].d, entries);
}

static int op_ims_alloc(struct input *in)
{
	int dev = pick_dev(in);
	uint8_t a = (uint8_t)take(in, 1);
	uint64_t cookie = take(in, 1);
	struct msk_irq_affinity_desc aff = { .mask = pick_mask(a), .is_managed = false };
	if (dev < 0)
		return 0;
	struct msk_pci_dev *p = pdev_of(dev);
	struct msk_msi_map map = msk_pci_ims_alloc_irq(p, cookie, a & 0x80 ? &aff : NULL);
	if (map.index < 0) {
		CHECK(map.virq == 0);
		return map.index;
	}
	CHECK(map.virq > 0);
	CHECK(msk_msi_get_virq(msk_pci_msi_device(p), MSK_MSI_SECONDARY_DOMAIN,
			       (uint32_t)map.index) == map.virq);
	return 0;
}

static int op_ims_free(struct input *in)
{
	int dev = pick_dev(in);
	unsigned int slot = (unsigned int)take(in, 2) % 700;
	if (dev < 0)
		return 0;
	struct msk_pci_dev *p = pdev_of(dev);
	unsigned int virq = msk_msi_get_virq(msk_pci_msi_device(p), MSK_MSI_SECONDARY_DOMAIN, slot);
	struct msk_msi_map map = { (int)slot, virq };
	if (!virq)
		map.virq = 1u << 24; /* a virq that is not this slot's: refused */
	return msk_pci_ims_free_irq(p, map);
}

static int op_request(struct input *in)
{
	int dev;
	unsigned int bad;
	unsigned int virq = pick_virq(in, &dev, &bad);
	uint8_t mode = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	unsigned int slot = 0;
	while (slot < MAX_HANDLERS && C.h[slot].used)
		slot++;
	if (slot == MAX_HANDLERS)
		return 0;
	struct handler *other = virq ? handler_of(virq) : NULL;
	struct handler *h = &C.h[slot];
	memset(h, 0, sizeof(*h));
	h->virq = virq ? virq : bad;
	h->dev = (unsigned int)dev;
	h->mode = mode;
	h->used = true; /* a replay on request runs the handler at once */
	int rc = msk_request_irq(C.core, h->virq, irq_handler, "fuzz", h);
	if (rc < 0) {
		h->used = false;
		return rc;
	}
	CHECK(virq && !other); /* no virq, or one with a handler already: refused */
	return 0;
}

static int op_free_irq(struct input *in)
{
	int dev;
	unsigned int bad;
	unsigned int virq = pick_virq(in, &dev, &bad);
	if (dev < 0)
		return 0;
	struct handler *h = virq ? handler_of(virq) : NULL;
	int rc = msk_free_irq(C.core, virq ? virq : bad);
	if (rc == 0) {
		CHECK(h);
		h->used = false;
	} else {
		CHECK(!h);
	}
	return rc;
}

static int op_enable(struct input *in)
{
	int dev;
	unsigned int bad;
	unsigned int virq = pick_virq(in, &dev, &bad);
	uint8_t how = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	if (!virq)
		virq = bad;
	switch (how & 3) {
	case 0:
		return msk_irq_enable(C.core, virq);
	case 1:
		return msk_irq_disable(C.core, virq);
	case 2:
		return msk_irq_disable_nosync(C.core, virq);
	default:
		return msk_synchronize_irq(C.core, virq);
	}
}

static int op_mask(struct input *in)
{
	int dev;
	unsigned int bad;
	unsigned int virq = pick_virq(in, &dev, &bad);
	uint8_t how = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	if (!virq)
		virq = bad;
	return how & 1 ? msk_irq_unmask(C.core, virq) : msk_irq_mask(C.core, virq);
}

static int op_affinity(struct input *in)
{
	int dev;
	unsigned int bad;
	unsigned int virq = pick_virq(in, &dev, &bad);
	uint8_t a = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	struct msk_cpumask mask = pick_mask(a);
	if (!virq)
		virq = bad;
	struct msk_cpumask before = msk_irq_get_affinity(C.core, virq);
	struct msk_cpumask eff_before = msk_irq_get_effective_affinity(C.core, virq);
	int rc = msk_irq_set_affinity(C.core, virq, &mask);
	if (rc < 0) {
		struct msk_cpumask after = msk_irq_get_affinity(C.core, virq);
		struct msk_cpumask eff_after = msk_irq_get_effective_affinity(C.core, virq);
		CHECK(msk_cpumask_equal(&before, &after));
		CHECK(msk_cpumask_equal(&eff_before, &eff_after));
	}
	return rc;
}

static int op_hotplug(struct input *in)
{
	uint8_t b = (uint8_t)take(in, 1);
	unsigned int cpu = (b & 0x3F) % 9; /* CPU 8 never exists */
	return b & 0x80 ? msk_machine_cpu_online(C.m, cpu) : msk_machine_cpu_offline(C.m, cpu);
}

static int op_raise(struct input *in)
{
	int dev = pick_dev(in);
	unsigned int v = (unsigned int)take(in, 2);
	uint8_t cnt = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	bool ims = v >> 15;
	unsigned int index = (v & 0x7FFF) % (ims ? 700 : 2100);
	if (!(v & 0x4000))
		index &= 63;
	unsigned int count = 1 + (cnt & (MAX_RAISES - 1));
	uint32_t weight = cnt & 0x80 ? 1 + (cnt >> 4 & 7) : 1;
	if (cnt == 0xFF)
		weight = 0; /* refused: an event weighs at least 1 */
	struct msk_pcifn *fn = msk_machine_dev_fn(C.devs[dev].d);
	msk_machine_trace_context(C.m, msk_machine_dev_name(C.devs[dev].d), (int)index);
	int rc = 0;
	for (unsigned int k = 0; k < count && rc == 0; k++)
		rc = ims ? msk_pcifn_ims_raise_weight(fn, index, weight)
			 : msk_pcifn_raise_weight(fn, index, weight);
	msk_machine_trace_context(C.m, NULL, -1);
	return rc;
}

/* --- actors ---------------------------------------------------------------------------------- */

static enum msk_sim_req actor_resume(void *ctx, unsigned int id, uint64_t *ticks)
{
	struct actor *a = ctx;
	CHECK(a->used);
	CHECK(!msk_in_interrupt());
	if (!a->left || a->dev >= C.ndevs || C.devs[a->dev].gen != a->gen)
		return MSK_SIM_DONE; /* done, or its device went away */
	struct msk_pcifn *fn = msk_machine_dev_fn(C.devs[a->dev].d);
	int rc = a->ims ? msk_pcifn_ims_raise(fn, a->index) : msk_pcifn_raise(fn, a->index);
	if (rc < 0)
		return MSK_SIM_DONE;
	a->left--;
	*ticks = a->sleep;
	return a->sleep ? MSK_SIM_SLEEP : MSK_SIM_YIELD;
}

static void actor_release(void *ctx, unsigned int id)
{
	struct actor *a = ctx;
	a->used = false;
}

static const struct msk_sim_actor_ops actor_ops = { actor_resume, actor_release };

static int op_spawn(struct input *in)
{
	int dev = pick_dev(in);
	uint8_t s = (uint8_t)take(in, 1), n = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	unsigned int slot = 0;
	while (slot < MAX_ACTORS && C.actors[slot].used)
		slot++;
	if (slot == MAX_ACTORS)
		return 0;
	struct actor *a = &C.actors[slot];
	*a = (struct actor){
		.used = true,
		.dev = (unsigned int)dev,
		.gen = C.devs[dev].gen,
		.ims = s >> 7,
		.index = s & 0x3F,
		.left = 1 + (n & 31),
		.sleep = n >> 5,
	};
	int rc = msk_sim_spawn(msk_machine_sim(C.m), &actor_ops, a, NULL);
	if (rc < 0)
		a->used = false;
	return rc;
}

static int op_run(struct input *in)
{
	int rc = msk_machine_run(C.m);
	CHECK(rc == 0 || rc == -MSK_E2BIG);
	return 0;
}

static int op_remove(struct input *in)
{
	int dev = pick_dev(in);
	uint8_t how = (uint8_t)take(in, 1);
	if (dev < 0)
		return 0;
	bool has_handlers = false;
	for (unsigned int i = 0; i < MAX_HANDLERS; i++)
		has_handlers |= C.h[i].used && C.h[i].dev == (unsigned int)dev;
	if (how & 1)
		free_handlers(dev); /* the driver unbinds first */
	struct snap s;
	take_snap(&s);
	int rc = msk_machine_pci_remove(C.m, C.devs[dev].d);
	if (rc < 0) {
		CHECK(rc != -MSK_EBUSY || has_handlers);
		check_unchanged(&s);
		return rc;
	}
	CHECK(!has_handlers || (how & 1));
	/* The handler slots of a removed device are gone; later devices move down. */
	for (unsigned int i = 0; i < MAX_HANDLERS; i++)
		if (C.h[i].used && C.h[i].dev > (unsigned int)dev)
			C.h[i].dev--;
	for (unsigned int i = 0; i < MAX_ACTORS; i++)
		if (C.actors[i].used && C.actors[i].dev > (unsigned int)dev)
			C.actors[i].dev--;
	memmove(&C.devs[dev], &C.devs[dev + 1],
		(C.ndevs - (unsigned int)dev - 1) * sizeof(C.devs[0]));
	C.ndevs--;
	return 0;
}

struct op {
	const char *name;
	int (*fn)(struct input *in);
	bool pure_on_failure; /* a failure must leave the state unchanged */
};

static const struct op ops[] = {
	{ "pci_add", op_add, true },
	{ "alloc_irq_vectors", op_alloc_vectors, true },
	{ "free_irq_vectors", op_free_vectors, true },
	{ "msix_alloc_irq_at", op_msix_alloc_at, true },
	{ "msix_free_irq", op_msix_free, true },
	{ "ims_domain", op_ims_domain, true },
	{ "ims_alloc_irq", op_ims_alloc, true },
	{ "ims_free_irq", op_ims_free, true },
	{ "request_irq", op_request, true },
	{ "free_irq", op_free_irq, true },
	{ "enable/disable", op_enable, true },
	{ "mask/unmask", op_mask, true },
	{ "set_affinity", op_affinity, true },
	{ "cpu hotplug", op_hotplug, true },
	{ "raise", op_raise, false }, /* events before a refused one stay raised */
	{ "run", op_run, false },
	{ "spawn", op_spawn, true },
	{ "remove", op_remove, false }, /* checks its own failure */
	{ "run", op_run, false },
	{ "raise", op_raise, false },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

/* --- the machine ------------------------------------------------------------------------------ */

static const char *const arches[3] = { "x86", "arm64", "ppc64" };

static int make_machine(struct input *in)
{
	uint8_t h0 = (uint8_t)take(in, 1), h1 = (uint8_t)take(in, 1), h2 = (uint8_t)take(in, 1);
	struct msk_machine_config cfg;
	msk_machine_config_init(&cfg);
	cfg.arch = arches[(h0 & 3) % 3];
	cfg.ncpus = 1 + ((h0 >> 2) & 7);
	cfg.x86.ir = (h0 >> 5) & 1;
	cfg.msi = (h0 >> 6) & 1 ? MSK_MACHINE_MSI_GLOBAL : MSK_MACHINE_MSI_PER_DEVICE;
	cfg.prepare = h0 >> 7 ? MSK_MSI_PREPARE_PER_ALLOC : MSK_MSI_PREPARE_PER_DEVICE;
	cfg.its.alloc_dyn = !(h1 & 1);
	cfg.pseries.post_free = (h1 >> 1) & 1;
	cfg.seed = h2 | (uint64_t)(h1 >> 7) << 8;
	cfg.max_steps = MAX_STEPS;
	if ((h1 >> 2) & 1)
		cfg.faults.alloc_fail = 1 + take(in, 2) % 4096;
	if (((h1 >> 3) & 7) == 7)
		cfg.faults.controller = 1 + take(in, 1) % 64;
	if ((h1 >> 6) & 1)
		cfg.faults.cpu_offline = true;
	if (C.trace)
		describe(&cfg);
	int rc = msk_machine_create(&cfg, &C.m);
	if (rc < 0) {
		/* Only what a valid configuration may meet: a fault the platform lacks. */
		CHECK(rc == -MSK_ENOTSUP && cfg.faults.controller);
		C.m = NULL;
	}
	return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	memset(&C, 0, sizeof(C));
	C.trace = getenv("FUZZ_MACHINE_TRACE") != NULL;
	struct input in = { data, size };
	if (make_machine(&in) < 0)
		return 0;
	C.core = msk_machine_core(C.m);
	check_machine();
	for (C.opno = 0; C.opno < MAX_OPS && in.n; C.opno++) {
		const struct op *op = &ops[take(&in, 1) % NOPS];
		C.op = op->name;
		struct snap s;
		if (op->pure_on_failure)
			take_snap(&s);
		int rc = op->fn(&in);
		if (C.trace)
			fprintf(stderr, "op %u %s: %d%s%s\n", C.opno, op->name, rc,
				rc < 0 ? " " : "", rc < 0 ? msk_last_error() : "");
		if (rc < 0 && op->pure_on_failure)
			check_unchanged(&s);
		check_machine();
	}
	/* Take everything apart the way drivers and hotplug would. */
	C.op = "teardown";
	int rc = msk_machine_run(C.m);
	CHECK(rc == 0 || rc == -MSK_E2BIG);
	check_machine();
	while (C.ndevs) {
		free_handlers((int)C.ndevs - 1);
		CHECK(msk_machine_pci_remove(C.m, C.devs[C.ndevs - 1].d) == 0);
		C.ndevs--;
		check_machine();
	}
	msk_machine_destroy(C.m);
	C.m = NULL;
	return 0;
}
