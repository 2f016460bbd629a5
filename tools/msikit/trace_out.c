/* SPDX-License-Identifier: MIT */
/*
 * The ledger's observer of a scenario run: every fate (raised, delivered,
 * lost) is counted per device (the run's `ledger` view and the losses of
 * the DOT picture) and, with --trace, written as one CSV row naming the
 * device, its MSI index, the virq and the CPU (docs/report.md). It also
 * draws the progress line of a long run on a terminal.
 */
#include "lua_msikit.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PROGRESS_EVERY 4096u /* events between two looks at the clock */

static double now_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void lmsk_trace_start(struct lrun *run)
{
	struct ltrace *t = &run->trace;
	bool first = t->started == 0;
	/* A later machine starts the fates afresh (the report describes it alone). */
	run->res->nr_fates = 0;
	t->last = 0;
	t->raise_virq = 0;
	if (t->map)
		memset(t->map, 0, t->map_cap * sizeof(*t->map));
	t->started = now_seconds();
	if (first && run->opts->trace)
		fputs("time,step,event,reason,weight,cpu,actor,device,index,virq\n",
		      run->opts->trace);
}

/* The fate counters of a device, created on first use; NULL when out of memory. */
static struct scn_fate *fate_of(struct lrun *run, const char *device)
{
	struct scn_result *res = run->res;
	char key[sizeof(res->fates[0].device)]; /* as the fate keeps it, however long the name */
	snprintf(key, sizeof(key), "%s", device ? device : "");
	device = key;
	struct ltrace *t = &run->trace;
	/* Most events are the last one's device: look there first (by name: strings move). */
	if (t->last < res->nr_fates && strcmp(res->fates[t->last].device, device) == 0)
		return &res->fates[t->last];
	for (unsigned int i = 0; i < res->nr_fates; i++)
		if (strcmp(res->fates[i].device, device) == 0) {
			t->last = i;
			return &res->fates[i];
		}
	if (res->nr_fates == t->fates_cap) {
		unsigned int cap = t->fates_cap ? t->fates_cap * 2 : 8;
		struct scn_fate *v = realloc(res->fates, cap * sizeof(*v));
		if (!v)
			return NULL;
		res->fates = v;
		t->fates_cap = cap;
	}
	struct scn_fate *f = &res->fates[res->nr_fates];
	memset(f, 0, sizeof(*f));
	snprintf(f->device, sizeof(f->device), "%s", device);
	t->last = res->nr_fates++;
	return f;
}

/* Remember which device and index a virq was raised for (0: not known). */
static void map_virq(struct ltrace *t, unsigned int virq, unsigned int fate, int index)
{
	if (!virq || virq > MSK_TRACE_MAX_VIRQ)
		return;
	if (virq >= t->map_cap) {
		unsigned int cap = t->map_cap ? t->map_cap : 64;
		while (cap <= virq)
			cap *= 2;
		struct ltrace_virq *v = realloc(t->map, cap * sizeof(*v));
		if (!v)
			return;
		memset(v + t->map_cap, 0, (cap - t->map_cap) * sizeof(*v));
		t->map = v;
		t->map_cap = cap;
	}
	t->map[virq] = (struct ltrace_virq){ .known = true, .fate = fate, .index = index };
}

static const struct ltrace_virq *virq_origin(const struct ltrace *t, unsigned int virq)
{
	return virq && virq < t->map_cap && t->map[virq].known ? &t->map[virq] : NULL;
}

/* The CPU a virq is steered to (its effective affinity), or -1. */
static int target_cpu(struct lrun *run, unsigned int virq)
{
	if (!virq || !run->machine || !run->machine->m)
		return -1;
	struct msk_irq_data *d = msk_irq_get_irq_data(msk_machine_core(run->machine->m), virq);
	if (!d)
		return -1;
	unsigned int cpu = msk_cpumask_first(msk_irq_data_effective_affinity(d));
	return cpu == MSK_CPU_NONE ? -1 : (int)cpu;
}

static void progress(struct lrun *run, const struct msk_machine_event *ev)
{
	struct ltrace *t = &run->trace;
	if (++t->events % PROGRESS_EVERY)
		return;
	double el = now_seconds() - t->started;
	if (el < 1.0)
		return;
	fprintf(stderr, "\rmsikit: %s: step %llu, time %llu, %llu events, %.0f s ", run->opts->file,
		(unsigned long long)ev->step, (unsigned long long)ev->time,
		(unsigned long long)t->events, el);
	t->progress_shown = true;
}

static const char *fate_name(char kind)
{
	return kind == 'r' ? "raised" : kind == 'd' ? "delivered" : "lost";
}

static void write_row(FILE *f, const struct msk_machine_event *ev, int cpu, const char *device,
		      int index, unsigned int virq)
{
	fprintf(f, "%llu,%llu,%s,%s,%u,", (unsigned long long)ev->time,
		(unsigned long long)ev->step, fate_name(ev->kind),
		ev->kind == 'l' ? msk_loss_name(ev->reason) : "", ev->weight);
	if (cpu >= 0)
		fprintf(f, "%d", cpu);
	fputc(',', f);
	if (ev->actor >= 0)
		fprintf(f, "%d", ev->actor);
	fprintf(f, ",%s,", device ? device : "");
	if (index >= 0)
		fprintf(f, "%d", index);
	fputc(',', f);
	if (virq)
		fprintf(f, "%u", virq);
	fputc('\n', f);
}

void lmsk_trace_event(void *ctx, const struct msk_machine_event *ev)
{
	struct lrun *run = ctx;
	struct ltrace *t = &run->trace;
	const char *device = ev->device;
	int index = ev->index;
	unsigned int virq = ev->virq;
	if (device) /* a raise (maybe from a handler): the vector the binding looked up */
		virq = t->raise_virq;
	const struct ltrace_virq *o = device ? NULL : virq_origin(t, virq);
	if (o) { /* delivered or lost on a CPU: the device it was raised for */
		device = run->res->fates[o->fate].device;
		index = o->index;
	}
	struct scn_fate *f = t->frozen ? NULL : fate_of(run, device);
	if (f) {
		if (ev->kind == 'r') {
			f->raised += ev->weight;
			if (device)
				map_virq(t, virq, (unsigned int)(f - run->res->fates), index);
		} else if (ev->kind == 'd') {
			f->delivered += ev->weight;
		} else {
			f->lost += ev->weight;
			if ((unsigned int)ev->reason < MSK_LOSS__COUNT)
				f->lost_by_reason[ev->reason] += ev->weight;
		}
	}
	if (run->opts->trace) {
		/* The CPU that took it, else the one its virq is steered to. */
		int cpu = ev->cpu >= 0 && ev->kind != 'r' ? ev->cpu : target_cpu(run, virq);
		write_row(run->opts->trace, ev, cpu, device && *device ? device : NULL, index,
			  virq);
	}
	if (run->opts->progress && !t->frozen)
		progress(run, ev);
}

void lmsk_trace_raise(struct ldevice *dv, bool ims, unsigned int index, bool begin)
{
	struct lmachine *lm = dv->lm;
	if (!begin) {
		msk_machine_trace_context(lm->m, NULL, -1);
		lm->run->trace.raise_virq = 0;
		return;
	}
	/* Looked up without recording an error (0: no vector there). */
	struct msk_pci_dev *p = dv->d ? msk_machine_dev_pci(dv->d) : NULL;
	lm->run->trace.raise_virq =
		p ? msk_msi_get_virq(msk_pci_msi_device(p),
				     ims ? MSK_MSI_SECONDARY_DOMAIN : MSK_MSI_DEFAULT_DOMAIN, index)
		  : 0;
	msk_machine_trace_context(lm->m, ims ? dv->ims_name : dv->name, (int)index);
}

void lmsk_trace_end(struct lrun *run)
{
	if (run->trace.progress_shown)
		fputs("\r\033[K", stderr);
	free(run->trace.map);
	memset(&run->trace, 0, sizeof(run->trace));
}
