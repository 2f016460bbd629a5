/* SPDX-License-Identifier: MIT */
/*
 * Machines (msikit/machine.h): building one from a config (ledger, bus,
 * core, platform, compat switches, runtime), taking it apart, the arch
 * registry, CPU service and hotplug.
 */
#include "sim/machine_internal.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/error.h"
#include "compat/compat.h"

#define MAX_ARCHS 8

static struct {
	char name[16];
	msk_platform_create_fn create;
} archs[MAX_ARCHS];

int msk_machine_register_arch(const char *arch, msk_platform_create_fn create)
{
	if (!arch || !*arch || strlen(arch) >= sizeof(archs[0].name) || !create)
		return msk_err(MSK_EINVAL, "machine: an arch needs a short name and a constructor");
	int free_slot = -1;
	for (int i = 0; i < MAX_ARCHS; i++) {
		if (archs[i].create && strcmp(archs[i].name, arch) == 0) {
			archs[i].create = create;
			return 0;
		}
		if (!archs[i].create && free_slot < 0)
			free_slot = i;
	}
	if (free_slot < 0)
		return msk_err(MSK_ENOSPC, "machine: %d archs registered already", MAX_ARCHS);
	snprintf(archs[free_slot].name, sizeof(archs[free_slot].name), "%s", arch);
	archs[free_slot].create = create;
	return 0;
}

static int create_platform(struct msk_machine *m, const struct msk_platform_config *pc)
{
	for (int i = 0; i < MAX_ARCHS; i++)
		if (archs[i].create && strcmp(archs[i].name, m->arch) == 0) {
			if (pc->ncpus > msk_core_nr_cpus(m->core))
				return msk_err(MSK_EINVAL, "platform %s: %u CPUs", m->arch,
					       pc->ncpus);
			return archs[i].create(m->core, m->bus, pc, &m->plat);
		}
	return msk_platform_create(m->arch, m->core, m->bus, pc, &m->plat);
}

void msk_machine_config_init(struct msk_machine_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->ncpus = 4;
	cfg->seed = 1;
	cfg->ram_size = MSK_MACHINE_RAM_DEFAULT;
	cfg->its.alloc_dyn = true;
}

static void kick(void *ctx, unsigned int cpu)
{
	struct msk_machine *m = ctx;
	msk_sim_kick(m->sim, cpu);
}

static int cpu_service(void *ctx, unsigned int cpu)
{
	struct msk_machine *m = ctx;
	m->ctx_cpu = (int)cpu;
	m->ctx_virq = 0;
	int r = msk_platform_cpu_service(m->plat, cpu, 1);
	if (r < 0)
		machine_note(&m->svc, NULL, "CPU %u: %s", cpu, msk_last_error());
	m->ctx_cpu = -1;
	m->ctx_virq = 0;
	return r;
}

static int check_config(const struct msk_machine_config *cfg)
{
	if (!cfg->arch || !*cfg->arch)
		return msk_err(MSK_EINVAL, "machine: no arch (x86, arm64, ppc64)");
	if (strlen(cfg->arch) >= 16)
		return msk_err(MSK_EINVAL, "machine: unknown arch \"%s\"", cfg->arch);
	if (cfg->ncpus < 1 || cfg->ncpus > MSK_MAX_CPUS)
		return msk_err(MSK_EINVAL, "machine: %u CPUs (1..%u)", cfg->ncpus, MSK_MAX_CPUS);
	if (cfg->ram_size <= MSK_MACHINE_TABLE_SIZE || cfg->ram_size > (1ull << 40))
		return msk_err(MSK_EINVAL,
			       "machine: RAM of %llu bytes (more than %llu, at most 1 TiB)",
			       (unsigned long long)cfg->ram_size,
			       (unsigned long long)MSK_MACHINE_TABLE_SIZE);
	if (cfg->bare && cfg->msi == MSK_MACHINE_MSI_GLOBAL)
		return msk_err(MSK_EINVAL, "machine: msi = global is an OS model; a bare machine "
					   "has no OS");
	if (cfg->msi != MSK_MACHINE_MSI_PER_DEVICE && cfg->msi != MSK_MACHINE_MSI_GLOBAL)
		return msk_err(MSK_EINVAL, "machine: bad msi model %d", (int)cfg->msi);
	if (cfg->prepare != MSK_MSI_PREPARE_PER_DEVICE && cfg->prepare != MSK_MSI_PREPARE_PER_ALLOC)
		return msk_err(MSK_EINVAL, "machine: bad prepare mode %d", (int)cfg->prepare);
	return 0;
}

static int build(struct msk_machine *m)
{
	const struct msk_machine_config *cfg = &m->cfg;
	int rc = msk_ledger_create(&m->ledger);
	if (rc < 0)
		return rc;
	msk_ledger_set_observer(m->ledger, machine_ledger_observer, m);
	rc = msk_bus_create(MSK_MACHINE_RAM_BASE, cfg->ram_size, m->ledger, &m->bus);
	if (rc < 0)
		return rc;
	struct msk_core_config cc = { .nr_cpus = cfg->ncpus, .ledger = m->ledger };
	rc = msk_core_create(&cc, &m->core);
	if (rc < 0)
		return rc;
	msk_msi_set_prepare_mode(m->core, cfg->prepare);
	struct msk_sim_config sc = {
		.seed = cfg->seed,
		.ncpus = cfg->ncpus,
		.max_steps = cfg->max_steps,
		.cpu_service = cfg->bare ? NULL : cpu_service,
		.after_step = machine_after_step,
		.quiescent = machine_quiescent,
		.ctx = m,
	};
	rc = msk_sim_create(&sc, &m->sim);
	if (rc < 0)
		return rc;
	struct msk_platform_config pc = {
		.ncpus = cfg->ncpus,
		.bare = cfg->bare,
		.table_base = MSK_MACHINE_RAM_BASE,
		.table_size = MSK_MACHINE_TABLE_SIZE,
		.notify = { .kick = kick, .ctx = m },
	};
	pc.x86.ir = cfg->x86.ir;
	pc.its.alloc_dyn = cfg->its.alloc_dyn;
	pc.its.devbits = cfg->its.devbits;
	pc.its.idbits = cfg->its.idbits;
	pc.pseries.post_free = cfg->pseries.post_free;
	pc.pseries.pe_quota = cfg->pseries.pe_quota;
	rc = create_platform(m, &pc);
	if (rc < 0) {
		m->plat = NULL;
		return rc;
	}
	if (cfg->msi == MSK_MACHINE_MSI_GLOBAL) {
		rc = msk_compat_global_msi_create(msk_platform_msi_parent(m->plat), &m->global);
		if (rc < 0)
			return rc;
		msk_platform_set_device_msi_parent(m->plat, m->global);
	}
	return 0;
}

int msk_machine_create(const struct msk_machine_config *cfg, struct msk_machine **out)
{
	if (!cfg || !out)
		return msk_err(MSK_EINVAL, "machine: missing argument");
	int rc = check_config(cfg);
	if (rc < 0)
		return rc;
	struct msk_machine *m = msk_calloc(1, sizeof(*m));
	if (!m)
		return msk_err(MSK_ENOMEM, "machine: out of memory");
	m->cfg = *cfg;
	snprintf(m->arch, sizeof(m->arch), "%s", cfg->arch);
	m->cfg.arch = m->arch;
	m->bar_next = MSK_MACHINE_PCI_MMIO;
	m->ctx_cpu = -1;
	m->ctx_index = -1;
	m->faults.cpu_offlined = -1;
	rc = build(m);
	if (rc == 0)
		rc = machine_arm_faults(m);
	if (rc < 0) {
		/* Keep the message of the failure, not of the teardown. */
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", msk_last_error());
		msk_machine_destroy(m);
		return msk_err(-rc, "%s", strchr(msg, ':') ? strchr(msg, ':') + 2 : msg);
	}
	*out = m;
	return 0;
}

struct virq_list {
	unsigned int *v;
	unsigned int n, cap;
	struct msk_core *core;
};

static int collect_cb(void *ctx, unsigned int virq)
{
	struct virq_list *l = ctx;
	if (l->n == l->cap) {
		unsigned int cap = l->cap ? l->cap * 2 : 64;
		unsigned int *v = msk_realloc(l->v, cap * sizeof(*v));
		if (!v)
			return 1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = virq;
	return 0;
}

/* Free every handler still installed (a driver unbinding before removal). */
static void free_all_handlers(struct msk_machine *m)
{
	struct virq_list l = { .core = m->core };
	msk_core_for_each_irq(m->core, collect_cb, &l); /* holds the control lock: only collect */
	for (unsigned int i = 0; i < l.n; i++) {
		struct msk_irq_info info;
		if (msk_irq_get_info(m->core, l.v[i], &info) == 0 && info.action_name)
			msk_free_irq(m->core, l.v[i]);
	}
	msk_free(l.v);
}

void msk_machine_destroy(struct msk_machine *m)
{
	if (!m)
		return;
	msk_machine_faults_disarm(m);
	if (m->core && !m->cfg.bare)
		free_all_handlers(m);
	machine_remove_all_devices(m);
	if (m->global) {
		msk_platform_set_device_msi_parent(m->plat, NULL);
		msk_domain_remove(m->global);
	}
	msk_platform_destroy(m->plat);
	msk_core_destroy(m->core);
	msk_sim_destroy(m->sim);
	msk_bus_destroy(m->bus);
	msk_ledger_destroy(m->ledger);
	machine_notes_free(&m->inv);
	machine_notes_free(&m->svc);
	msk_free(m->devs);
	msk_free(m);
}

const struct msk_machine_config *msk_machine_config(const struct msk_machine *m)
{
	return &m->cfg;
}

struct msk_core *msk_machine_core(struct msk_machine *m)
{
	return m->core;
}

struct msk_bus *msk_machine_bus(struct msk_machine *m)
{
	return m->bus;
}

struct msk_ledger *msk_machine_ledger(struct msk_machine *m)
{
	return m->ledger;
}

struct msk_platform *msk_machine_platform(struct msk_machine *m)
{
	return m->plat;
}

struct msk_sim *msk_machine_sim(struct msk_machine *m)
{
	return m->sim;
}

void msk_machine_layout(struct msk_machine *m, struct msk_machine_layout *out)
{
	memset(out, 0, sizeof(*out));
	out->ram = MSK_MACHINE_RAM_BASE + MSK_MACHINE_TABLE_SIZE;
	out->ram_size = m->cfg.ram_size - MSK_MACHINE_TABLE_SIZE;
	out->pci_mmio = MSK_MACHINE_PCI_MMIO;
	out->pci_mmio_size = MSK_MACHINE_PCI_MMIO_SIZE;
	msk_platform_layout(m->plat, &out->platform);
}

int msk_machine_run(struct msk_machine *m)
{
	return msk_sim_run(m->sim);
}

static int check_cpu(struct msk_machine *m, unsigned int cpu)
{
	if (cpu >= m->cfg.ncpus)
		return msk_err(MSK_EINVAL, "machine: no CPU %u (it has %u)", cpu, m->cfg.ncpus);
	return 0;
}

int msk_machine_cpu_offline(struct msk_machine *m, unsigned int cpu)
{
	int rc = check_cpu(m, cpu);
	if (rc < 0)
		return rc;
	struct msk_cpumask online = msk_core_online_cpus(m->core);
	if (!msk_cpumask_test(&online, cpu))
		return msk_err(MSK_EINVAL, "machine: CPU %u is offline already", cpu);
	if (msk_cpumask_weight(&online) == 1)
		return msk_err(MSK_EINVAL, "machine: CPU %u is the last one online", cpu);
	rc = msk_platform_cpu_offline(m->plat, cpu);
	online = msk_core_online_cpus(m->core);
	if (rc < 0 && msk_cpumask_test(&online, cpu))
		return rc; /* refused before anything changed */
	/*
	 * The core's view follows, whether or not the platform's hotplug code
	 * set it; and the runtime follows the core, also when some virq could
	 * not be moved (rc < 0 then, the CPU is offline anyway, as in Linux).
	 */
	if (msk_cpumask_test(&online, cpu))
		msk_core_set_cpu_online(m->core, cpu, false);
	msk_sim_set_cpu_online(m->sim, cpu, false);
	return rc;
}

int msk_machine_cpu_online(struct msk_machine *m, unsigned int cpu)
{
	int rc = check_cpu(m, cpu);
	if (rc < 0)
		return rc;
	struct msk_cpumask online = msk_core_online_cpus(m->core);
	if (msk_cpumask_test(&online, cpu))
		return msk_err(MSK_EINVAL, "machine: CPU %u is online already", cpu);
	rc = msk_platform_cpu_online(m->plat, cpu);
	online = msk_core_online_cpus(m->core);
	if (rc < 0 && !msk_cpumask_test(&online, cpu))
		return rc; /* the CPU stays offline */
	/* Online in the core, even if a managed virq failed to restart: run it. */
	if (!msk_cpumask_test(&online, cpu))
		msk_core_set_cpu_online(m->core, cpu, true);
	msk_sim_set_cpu_online(m->sim, cpu, true);
	msk_sim_kick(m->sim, cpu); /* what waited there can be taken now */
	return rc;
}
