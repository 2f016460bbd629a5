/* SPDX-License-Identifier: MIT */
/*
 * From the rows of /proc/interrupts (and sysfs, /proc/irq) to PCI
 * functions and their vectors.
 *
 * Which rows are PCI MSI/MSI-X vectors, and of which function and index:
 *  - Linux 6.2+ per-device domains name the chip after the function:
 *    "[prefix]PCI-MSIX-<bdf>" / "[prefix]PCI-MSI-<bdf>", hwirq = the index;
 *  - before, one global domain: chip "[prefix]PCI-MSI" (x86) or "ITS-MSI"
 *    (arm64) for MSI and MSI-X alike, hwirq = segment << 27 | RID << 11 |
 *    index (Linux pci_msi_domain_calc_hwirq);
 *  - any other chip (XIVE-IRQ, the 3.x "PCI-MSI-edge"): only through
 *    sysfs msi_irqs/, the index being the rank of the irq among the
 *    function's (they are allocated in index order).
 * The prefix names the platform: "IR-" x86 with interrupt remapping,
 * none x86, "ITS-" arm64, "pSeries-"/XIVE/XICS ppc64.
 *
 * Managed (affinity-spread) queues are told by their drivers' names:
 * nvme<N>q<K> with K >= 1 (q0 is the admin queue), virtio-blk's
 * virtio<N>-req.<K>, virtio-scsi's virtio<N>-request. Their device is
 * allocated with affinity = { pre, post }: the vectors before and after
 * the queues. A driver spreads its queues over the *possible* CPUs and
 * NVMe asks for no more queues than there are: queues beyond the CPUs
 * listed in the header mean CPUs that were possible but not online.
 */
#include "import.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Replay budget: about 0.1 us of a 2-core VM per vector-check (see imp_cost). */
#define COST_BUDGET    100000000ull
#define COST_PER_EVENT 14u /* the runtime's own work per event, in vector-checks */

/* --- names -------------------------------------------------------------------------- */

/* "<prefix><digits><suffix>..." : skip the prefix and digits; NULL if it does not match. */
static const char *after_digits(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);
	if (strncmp(s, prefix, n) != 0 || !isdigit((unsigned char)s[n]))
		return NULL;
	s += n;
	while (isdigit((unsigned char)*s))
		s++;
	return s;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Is this action name a managed queue of a driver that spreads its queues? */
static bool managed_queue(const char *name)
{
	const char *s = after_digits(name, "nvme");
	if (s && *s == 'q' && all_digits(s + 1))
		return strtoul(s + 1, NULL, 10) != 0; /* q0: the admin queue */
	s = after_digits(name, "virtio");
	if (s && strncmp(s, "-req.", 5) == 0 && all_digits(s + 5))
		return true; /* virtio-blk */
	if (s &&
	    (strcmp(s, "-request") == 0 || (strncmp(s, "-request.", 9) == 0 && all_digits(s + 9))))
		return true; /* virtio-scsi */
	return false;
}

/* --- functions ---------------------------------------------------------------------- */

/* bus:dev.fn of a canonical "0000:bb:dd.f" (segment 0000 only: the others are skipped). */
static unsigned int rid_of(const char *bdf)
{
	unsigned int seg, bus, dev, fn;
	if (sscanf(bdf, "%4x:%2x:%2x.%1x", &seg, &bus, &dev, &fn) != 4)
		return 0;
	return (bus & 0xff) << 8 | (dev & 31) << 3 | (fn & 7);
}

static struct imp_dev *find_dev(struct imp *im, const char *bdf)
{
	struct imp_dev *d = im->by_rid ? im->by_rid[rid_of(bdf)] : NULL;
	return d && strcmp(d->bdf, bdf) == 0 ? d : NULL;
}

static struct imp_dev *add_dev(struct imp *im, const char *bdf, bool msix)
{
	if (!im->by_rid && !(im->by_rid = calloc(65536, sizeof(*im->by_rid))))
		return NULL;
	if (im->ndevs % 32 == 0) {
		struct imp_dev **d = realloc(im->devs, (im->ndevs + 32) * sizeof(*d));
		if (!d)
			return NULL;
		im->devs = d;
	}
	struct imp_dev *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	snprintf(d->bdf, sizeof(d->bdf), "%s", bdf);
	d->msix = msix;
	im->devs[im->ndevs++] = d;
	im->by_rid[rid_of(bdf)] = d;
	return d;
}

/* Room for vector index (< IMP_MAX_VECTORS) in d->vec: 0, or -1 when out of memory. */
static int vec_room(struct imp_dev *d, unsigned int index)
{
	if (index < d->vcap)
		return 0;
	unsigned int cap = d->vcap ? d->vcap : 8;
	while (cap <= index)
		cap *= 2;
	struct imp_vector *v = realloc(d->vec, cap * sizeof(*v));
	if (!v)
		return -1;
	memset(v + d->vcap, 0, (cap - d->vcap) * sizeof(*v));
	d->vec = v;
	d->vcap = cap;
	return 0;
}

/* "0000:01:00.0" -> segment and the canonical lower-case form; false if malformed. */
static bool parse_bdf(const char *s, size_t len, unsigned int *seg, char out[16])
{
	unsigned int bus, dev, fn;
	char tail, buf[16];
	if (len != 12)
		return false;
	memcpy(buf, s, 12);
	buf[12] = '\0';
	if (sscanf(buf, "%4x:%2x:%2x.%1x%c", seg, &bus, &dev, &fn, &tail) != 4 || dev > 31 ||
	    fn > 7 || !isxdigit((unsigned char)buf[0]) || buf[4] != ':' || buf[7] != ':')
		return false;
	snprintf(out, 16, "%04x:%02x:%02x.%x", *seg, bus, dev, fn);
	return true;
}

enum chip_kind { CHIP_OTHER, CHIP_PER_DEVICE, CHIP_GLOBAL };

/*
 * What a chip name says: a per-device domain (the function's address
 * follows "PCI-MSIX-"/"PCI-MSI-" at *rest), the global domain, or
 * neither; and the platform its prefix names.
 */
static enum chip_kind chip_kind(const char *chip, const char **rest, bool *msix, const char **arch,
				bool *ir)
{
	const char *pd = strstr(chip, "PCI-MSIX-");
	size_t kl = 9;
	if (!pd) {
		pd = strstr(chip, "PCI-MSI-");
		kl = 8;
	}
	size_t plen = pd ? (size_t)(pd - chip) : 0;
	*ir = false;
	*arch = NULL;
	*msix = kl == 9;
	*rest = pd ? pd + kl : NULL;
	size_t cl = strlen(chip);
	enum chip_kind k = CHIP_OTHER;
	if (pd && isxdigit((unsigned char)pd[kl]) && strchr(pd + kl, ':')) {
		k = CHIP_PER_DEVICE; /* Linux 6.2+ */
	} else if (strcmp(chip, "ITS-MSI") == 0) {
		k = CHIP_GLOBAL;
		*arch = "arm64";
	} else if (cl >= 7 && strcmp(chip + cl - 7, "PCI-MSI") == 0 &&
		   strncmp(chip, "pSeries", 7) != 0) {
		k = CHIP_GLOBAL; /* x86 before 6.2 (pSeries numbers its hwirqs otherwise) */
		plen = cl - 7;
	}
	if (k != CHIP_OTHER && !*arch) {
		*ir = plen == 3 && strncmp(chip, "IR-", 3) == 0;
		*arch = plen == 4 && strncmp(chip, "ITS-", 4) == 0 ? "arm64"
			: strncmp(chip, "pSeries", 7) == 0	   ? "ppc64"
								   : "x86";
	} else if (k == CHIP_OTHER && (strstr(chip, "XIVE") || strstr(chip, "XICS") ||
				       strncmp(chip, "pSeries", 7) == 0)) {
		*arch = "ppc64";
	}
	return k;
}

/* The platform and MSI model the chips name (one warning if they disagree). */
static void find_platform(struct imp *im)
{
	bool warned = false;
	for (unsigned int i = 0; i < im->proc.nrows; i++) {
		const struct imp_row *r = &im->proc.rows[i];
		const char *rest, *arch;
		bool msix, ir;
		enum chip_kind k = chip_kind(r->chip, &rest, &msix, &arch, &ir);
		if (!arch || (k == CHIP_OTHER && !imp_sysfs_irq(&im->sysfs, r->irq)))
			continue;
		if (!im->arch[0]) {
			snprintf(im->arch, sizeof(im->arch), "%s", arch);
			im->ir = ir;
			snprintf(im->chip_example, sizeof(im->chip_example), "%s", r->chip);
		} else if ((strcmp(im->arch, arch) != 0 || im->ir != ir) && !warned) {
			imp_warn("%s:%u: chips %s and %s name two platforms: the scenario is %s%s",
				 im->proc.path, r->line, im->chip_example, r->chip, im->arch,
				 im->ir ? " with interrupt remapping" : "");
			warned = true;
		}
		if (k == CHIP_PER_DEVICE)
			im->model = IMP_MODEL_PER_DEVICE;
		else if (k == CHIP_GLOBAL && im->model == IMP_MODEL_UNKNOWN)
			im->model = IMP_MODEL_GLOBAL;
	}
	if (!im->arch[0])
		snprintf(im->arch, sizeof(im->arch), "x86");
	if (im->model == IMP_MODEL_UNKNOWN)
		im->model = IMP_MODEL_PER_DEVICE;
	const char *arch = im->arch_override ? im->arch_override : im->arch;
	/* x86: xAPIC IDs 0..254 (255 is the broadcast) */
	im->cpu_limit = strcmp(arch, "x86") == 0 ? 255 : MSK_MAX_CPUS;
}

bool imp_row_wanted(void *ctx, const struct imp_row *r)
{
	const struct imp *im = ctx;
	const char *rest, *arch;
	bool msix, ir;
	return chip_kind(r->chip, &rest, &msix, &arch, &ir) != CHIP_OTHER ||
	       imp_sysfs_irq(&im->sysfs, r->irq);
}

/* Where a row belongs: 1 found (bdf, msix, index), 0 not a PCI MSI row, -1 bad (reported). */
static int classify(struct imp *im, const struct imp_row *r, char bdf[16], bool *msix,
		    unsigned int *index, bool *kind_known, bool *index_known)
{
	const char *path = im->proc.path;
	const char *chip = r->chip, *rest, *arch;
	unsigned int seg = 0;
	bool ir;
	*kind_known = *index_known = true;
	enum chip_kind k = chip_kind(chip, &rest, msix, &arch, &ir);
	if (k == CHIP_PER_DEVICE) {
		if (!parse_bdf(rest, strlen(rest), &seg, bdf))
			return imp_fail(path, r->line,
					"irq %u: chip %s: a PCI address like 0000:01:00.0 should "
					"follow %.*s",
					r->irq, chip, (int)(rest - chip), chip);
		if (!r->has_hwirq)
			return imp_fail(path, r->line, "irq %u: chip %s without a vector index",
					r->irq, chip);
		*index = r->hwirq < IMP_MAX_VECTORS ? (unsigned int)r->hwirq : IMP_MAX_VECTORS;
	} else if (k == CHIP_GLOBAL && r->has_hwirq) {
		/* before 6.2: one global domain; the hwirq says which function */
		seg = (unsigned int)(r->hwirq >> 27);
		unsigned int rid = (unsigned int)(r->hwirq >> 11) & 0xffff;
		snprintf(bdf, 16, "%04x:%02x:%02x.%x", seg & 0xffff, rid >> 8, (rid >> 3) & 31,
			 rid & 7);
		*index = (unsigned int)(r->hwirq & 0x7ff);
		*msix = true;
		*kind_known = false;
	} else {
		const struct imp_msi_irq *s = imp_sysfs_irq(&im->sysfs, r->irq);
		if (!s)
			return 0; /* IO-APIC, timers, IPIs, other buses */
		snprintf(bdf, 16, "%s", s->bdf);
		sscanf(bdf, "%4x", &seg);
		*msix = s->msix;
		*index = 0;
		*index_known = false;
	}
	const struct imp_msi_irq *s = imp_sysfs_irq(&im->sysfs, r->irq);
	if (s && strcmp(s->bdf, bdf) != 0)
		return imp_fail(path, r->line,
				"irq %u: the chip says function %s, but it is in msi_irqs/ of %s "
				"(two different boots?)",
				r->irq, bdf, s->bdf);
	if (s && !*kind_known) {
		*msix = s->msix;
		*kind_known = true;
	}
	if (seg != 0) {
		if (!im->skipped_rows++)
			imp_warn("%s:%u: irq %u of %s: PCI segment %04x is not modelled (only "
				 "0000): its vectors are skipped, as any outside segment 0000",
				 path, r->line, r->irq, bdf, seg);
		return 0;
	}
	return 1;
}

static int add_row(struct imp *im, const struct imp_row *r)
{
	char bdf[16] = "";
	bool msix = true, kind_known = false, index_known = false;
	unsigned int index = 0;
	int c = classify(im, r, bdf, &msix, &index, &kind_known, &index_known);
	if (c <= 0)
		return c;
	const char *path = im->proc.path;
	struct imp_dev *d = find_dev(im, bdf);
	if (!d) {
		d = add_dev(im, bdf, msix);
		if (!d)
			return imp_fail(path, r->line, "out of memory");
		d->kind_guessed = !kind_known;
	} else if (kind_known && !d->kind_guessed && d->msix != msix) {
		return imp_fail(path, r->line, "irq %u: %s uses both MSI and MSI-X", r->irq, bdf);
	} else if (kind_known && d->kind_guessed) {
		d->msix = msix;
		d->kind_guessed = false;
	}
	if (!index_known) { /* rows come in irq order: the first free index is the rank */
		for (index = 0; index < d->vcap && d->vec[index].present; index++)
			;
	}
	unsigned int limit = d->msix ? IMP_MAX_VECTORS : 32;
	if (index >= limit)
		return imp_fail(path, r->line, "irq %u: %s vector %llu: %s has at most %u vectors",
				r->irq, bdf, (unsigned long long)(index_known ? r->hwirq : index),
				d->msix ? "MSI-X" : "MSI", limit);
	if (im->nvectors == IMP_MAX_TOTAL_VECTORS)
		return imp_fail(path, r->line,
				"irq %u: more than %u PCI MSI vectors: too many to import", r->irq,
				IMP_MAX_TOTAL_VECTORS);
	if (vec_room(d, index) < 0)
		return imp_fail(path, r->line, "out of memory");
	struct imp_vector *v = &d->vec[index];
	if (v->present)
		return imp_fail(path, r->line, "irq %u: %s vector %u is irq %u already (line %u)",
				r->irq, bdf, index, v->irq, v->line);
	v->present = true;
	v->irq = r->irq;
	v->line = r->line;
	v->index_inferred = !index_known;
	v->name = strdup(r->name);
	v->real = calloc(MSK_MAX_CPUS, sizeof(*v->real));
	v->count = calloc(MSK_MAX_CPUS, sizeof(*v->count));
	if (!v->name || !v->real || !v->count)
		return imp_fail(path, r->line, "out of memory");
	for (unsigned int col = 0; col < im->proc.ncols; col++) {
		uint64_t *slot = &v->real[im->proc.col_cpu[col] % im->cpu_limit];
		if (*slot > UINT64_MAX - r->counts[col] ||
		    im->real_total > UINT64_MAX - r->counts[col])
			return imp_fail(path, r->line, "irq %u: counts overflow 64 bits", r->irq);
		*slot += r->counts[col];
		im->real_total += r->counts[col];
	}
	if (index + 1 > d->nvec)
		d->nvec = index + 1;
	im->nvectors++;
	if (!index_known)
		im->ninferred_index++;
	return 0;
}

/* --- managed queues, CPUs, affinity -------------------------------------------------- */

static void find_managed(struct imp *im, struct imp_dev *d)
{
	unsigned int first = IMP_MAX_VECTORS, last = 0, queues = 0;
	for (unsigned int i = 0; i < d->nvec; i++)
		if (d->vec[i].present && managed_queue(d->vec[i].name)) {
			if (first == IMP_MAX_VECTORS)
				first = i;
			last = i;
			queues++;
		}
	if (!queues)
		return;
	for (unsigned int i = first; i <= last; i++)
		if (d->vec[i].present && !managed_queue(d->vec[i].name)) {
			imp_warn("%s: vector %u (%s) sits between managed queues: the function is "
				 "imported without affinity spreading",
				 d->bdf, i, d->vec[i].name);
			return;
		}
	if (last - first + 1 > im->cpu_limit) {
		imp_warn("%s: %u managed queues, more than the %u CPUs the simulator has: "
			 "imported without affinity spreading",
			 d->bdf, last - first + 1, im->cpu_limit);
		return;
	}
	d->managed = true;
	d->pre = first;
	d->post = d->nvec - 1 - last;
	for (unsigned int i = first; i <= last; i++)
		if (d->vec[i].present) {
			d->vec[i].managed = true;
			im->nmanaged++;
		}
	/* The spreading covers the possible CPUs, one queue at least each. */
	if (last - first + 1 > im->possible)
		im->possible = last - first + 1;
}

static unsigned int top_cpu(const struct msk_cpumask *m)
{
	unsigned int c, top = 0;
	msk_for_each_cpu(c, m) top = c;
	return top;
}

static void settle_cpus(struct imp *im)
{
	unsigned int need = im->real_cpus > im->cpu_limit ? im->cpu_limit : im->real_cpus;
	if (im->possible > need)
		need = im->possible;
	for (unsigned int i = 0; i < im->ndevs; i++)
		for (unsigned int k = 0; k < im->devs[i]->nvec; k++) {
			const struct imp_vector *v = &im->devs[i]->vec[k];
			if (v->has_smp && top_cpu(&v->smp) + 1 > need)
				need = top_cpu(&v->smp) + 1;
			if (v->has_eff && top_cpu(&v->eff) + 1 > need)
				need = top_cpu(&v->eff) + 1;
		}
	im->ncpus = need > im->cpu_limit ? im->cpu_limit : need;
}

/* Without /proc/irq: the CPU that took most of a vector's interrupts (lowest on a tie). */
static void infer_affinity(struct imp *im, struct imp_vector *v)
{
	if (v->has_eff || v->has_smp) {
		v->aff_src = IMP_AFF_PROC_IRQ;
		return;
	}
	unsigned int best = MSK_CPU_NONE;
	for (unsigned int c = 0; c < im->ncpus; c++)
		if (v->real[c] && (best == MSK_CPU_NONE || v->real[c] > v->real[best]))
			best = c;
	if (best == MSK_CPU_NONE)
		return;
	v->aff_src = IMP_AFF_COUNTS;
	v->eff = msk_cpumask_of(best);
	v->smp = v->eff;
	v->has_eff = v->has_smp = true;
	im->ninferred_aff++;
}

static int by_bdf(const void *a, const void *b)
{
	return strcmp((*(struct imp_dev *const *)a)->bdf, (*(struct imp_dev *const *)b)->bdf);
}

int imp_build(struct imp *im)
{
	const struct imp_proc *p = &im->proc;
	im->model = IMP_MODEL_UNKNOWN;
	find_platform(im);
	im->real_cpus = p->col_cpu[p->ncols - 1] + 1;
	im->folded = im->real_cpus > im->cpu_limit;
	msk_cpumask_clear(&im->online);
	for (unsigned int c = 0; c < p->ncols; c++)
		msk_cpumask_set(&im->online, p->col_cpu[c] % im->cpu_limit);
	for (unsigned int i = 0; i < p->nrows; i++)
		if (add_row(im, &p->rows[i]) < 0)
			return -1;
	if (!im->ndevs)
		return imp_fail(p->path, p->lines ? p->lines : 1,
				"no PCI MSI/MSI-X interrupts in the file%s",
				im->sysfs.dir ? "" : " (rows of other chips need --sysfs)");
	qsort(im->devs, im->ndevs, sizeof(*im->devs), by_bdf);
	bool folded = im->folded;
	for (unsigned int i = 0; i < im->ndevs; i++) {
		struct imp_dev *d = im->devs[i];
		if (im->sysfs.dir && imp_sysfs_read_dev(&im->sysfs, d->bdf, &d->sys) < 0)
			return -1;
		if (d->kind_guessed && (d->sys.has_msix_cap || d->sys.has_msi_cap)) {
			d->msix = d->sys.has_msix_cap && (!d->sys.has_msi_cap || d->nvec > 1);
			d->kind_guessed = d->sys.has_msix_cap && d->sys.has_msi_cap;
		}
		if (!d->msix && d->nvec > 32)
			return imp_fail(p->path, 0, "%s: %u MSI vectors (MSI has at most 32)",
					d->bdf, d->nvec);
		for (unsigned int k = 0; k < d->nvec && im->procirq_dir; k++)
			if (d->vec[k].present &&
			    imp_affinity_read(im->fs, im->procirq_dir, d->vec[k].irq, im->cpu_limit,
					      &d->vec[k], &folded) < 0)
				return -1;
		find_managed(im, d);
	}
	if (folded && !im->folded) {
		imp_warn("%s: CPU lists name CPUs past %u, the most the simulator has: CPU n is "
			 "taken as CPU n mod %u",
			 im->procirq_dir, im->cpu_limit, im->cpu_limit);
	}
	im->folded = folded;
	settle_cpus(im);
	for (unsigned int i = 0; i < im->ndevs; i++)
		for (unsigned int k = 0; k < im->devs[i]->nvec; k++)
			if (im->devs[i]->vec[k].present)
				infer_affinity(im, &im->devs[i]->vec[k]);
	return 0;
}

/* --- the scale ------------------------------------------------------------------------- */

static unsigned int allocated_vectors(const struct imp *im)
{
	unsigned int n = 0;
	for (unsigned int i = 0; i < im->ndevs; i++)
		n += im->devs[i]->nvec;
	return n;
}

static uint64_t scaled(uint64_t n, uint64_t scale)
{
	return n / scale + (n % scale >= (scale + 1) / 2 ? 1 : 0);
}

uint64_t imp_cost(const struct imp *im, uint64_t scale)
{
	uint64_t events = 0;
	for (unsigned int i = 0; i < im->ndevs; i++)
		for (unsigned int k = 0; k < im->devs[i]->nvec; k++) {
			const struct imp_vector *v = &im->devs[i]->vec[k];
			for (unsigned int c = 0; v->present && c < im->ncpus; c++)
				events += scaled(v->real[c], scale);
		}
	uint64_t per = allocated_vectors(im) + COST_PER_EVENT;
	return events > UINT64_MAX / per ? UINT64_MAX : events * per;
}

uint64_t imp_choose_scale(struct imp *im, uint64_t requested)
{
	uint64_t scale = requested;
	if (!scale) {
		scale = 1;
		while (imp_cost(im, scale) > COST_BUDGET && scale < UINT64_MAX / 10)
			scale *= 10;
		im->scale_auto = scale > 1;
	}
	im->scale = scale;
	im->replay_total = 0;
	for (unsigned int i = 0; i < im->ndevs; i++)
		for (unsigned int k = 0; k < im->devs[i]->nvec; k++) {
			struct imp_vector *v = &im->devs[i]->vec[k];
			for (unsigned int c = 0; v->present && c < im->ncpus; c++) {
				uint64_t n = scaled(v->real[c], scale);
				/* d:raise takes at most 2^32-1 per call; the writer splits beyond */
				v->count[c] = n;
				im->replay_total += n;
			}
		}
	return scale;
}

void imp_free(struct imp *im)
{
	for (unsigned int i = 0; i < im->ndevs; i++) {
		struct imp_dev *d = im->devs[i];
		for (unsigned int k = 0; k < d->vcap; k++) {
			free(d->vec[k].name);
			free(d->vec[k].real);
			free(d->vec[k].count);
		}
		free(d->vec);
		free(d);
	}
	free(im->devs);
	free(im->by_rid);
	imp_proc_free(&im->proc);
	imp_sysfs_free(&im->sysfs);
	memset(im, 0, sizeof(*im));
}
