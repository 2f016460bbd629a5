/* SPDX-License-Identifier: MIT */
/*
 * demo: build a three-level interrupt hierarchy with the generic core,
 * deliver interrupts through it and print what happened:
 *
 *	PCI-MSIX-0000:01:00.0   (per-device MSI domain, hwirq = MSI-X index)
 *	  -> DEMO-IR            (a remapping level, hwirq = table slot)
 *	    -> DEMO-VECTOR      (root: hwirq = vector number, per CPU)
 *
 * Events raised while an irq is disabled or masked are held and replayed
 * exactly once; the ledger accounts for every event.
 */
#include <stdio.h>
#include <string.h>

#include <msikit.h>

#define NCPUS 4

/* --- root: a vector per irq -------------------------------------------------------- */

struct root {
	unsigned int next_vector;
};

static int root_set_affinity(struct msk_irq_data *d, const struct msk_cpumask *mask, bool force)
{
	struct msk_cpumask one = msk_cpumask_of(msk_cpumask_first(mask));
	msk_irq_data_update_effective_affinity(d, &one);
	return MSK_IRQ_SET_MASK_OK;
}

static void root_compose(struct msk_irq_data *d, struct msk_msi_msg *msg)
{
	unsigned int cpu = msk_cpumask_first(msk_irq_data_effective_affinity(d));
	msg->address_lo = 0xfee00000u | ((cpu == MSK_CPU_NONE ? 0 : cpu) << 12);
	msg->address_hi = 0;
	msg->data = (uint32_t)d->hwirq;
}

static const struct msk_irq_chip root_chip = {
	.name = "DEMO-VECTOR",
	.irq_set_affinity = root_set_affinity,
	.irq_compose_msi_msg = root_compose,
};

static int root_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	struct root *r = msk_domain_host_data(d);
	for (unsigned int i = 0; i < nr; i++) {
		int rc = msk_domain_set_hwirq_and_chip(d, virq + i, r->next_vector++, &root_chip,
						       NULL);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static void root_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq + i));
}

static int root_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	return root_set_affinity(irqd, msk_irq_data_affinity(irqd), false) < 0 ? -MSK_EIO : 0;
}

static const struct msk_irq_domain_ops root_ops = {
	.alloc = root_alloc,
	.free = root_free,
	.activate = root_activate,
};

/* --- a remapping level: forwards everything to its parent ------------------------------ */

static const struct msk_irq_chip ir_chip = {
	.name = "DEMO-IR",
	.irq_set_affinity = msk_irq_chip_set_affinity_parent,
};

static int ir_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	int rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < nr; i++) {
		struct msk_irq_data *p = msk_domain_get_irq_data(msk_domain_parent(d), virq + i);
		msk_domain_set_hwirq_and_chip(d, virq + i, 0x100 + p->hwirq, &ir_chip, NULL);
	}
	return 0;
}

static void ir_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_free_irqs_common(d, virq, nr);
}

static const struct msk_irq_domain_ops ir_ops = { .alloc = ir_alloc, .free = ir_free };

/* --- the per-device domain: "writes" the message into its MSI-X table ------------------- */

static struct msk_msi_msg table[8];
static int table_mask[8];

static void dev_mask(struct msk_irq_data *d)
{
	table_mask[d->hwirq] = 1;
}

static void dev_unmask(struct msk_irq_data *d)
{
	table_mask[d->hwirq] = 0;
}

static void dev_write(struct msk_irq_data *d, const struct msk_msi_msg *msg)
{
	table[d->hwirq] = *msg;
}

static const struct msk_irq_chip dev_chip = {
	.name = "PCI-MSIX-0000:01:00.0",
	.irq_mask = dev_mask,
	.irq_unmask = dev_unmask,
	.irq_set_affinity = msk_irq_chip_set_affinity_parent,
	.irq_write_msi_msg = dev_write,
};

static int dev_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	unsigned int first_index = *(unsigned int *)arg;
	int rc = msk_domain_alloc_irqs_parent(d, virq, nr, arg);
	if (rc < 0)
		return rc;
	for (unsigned int i = 0; i < nr; i++)
		msk_domain_set_hwirq_and_chip(d, virq + i, first_index + i, &dev_chip, NULL);
	return 0;
}

static int dev_activate(struct msk_irq_domain *d, struct msk_irq_data *irqd, bool reserve)
{
	struct msk_msi_msg msg;
	int rc = msk_irq_chip_compose_msi_msg(irqd, &msg);
	if (rc == 0)
		dev_write(irqd, &msg);
	return rc;
}

static const struct msk_irq_domain_ops dev_ops = {
	.alloc = dev_alloc,
	.free = ir_free,
	.activate = dev_activate,
};

/* --- handlers -------------------------------------------------------------------------------- */

static enum msk_irqreturn nvme_queue(unsigned int virq, unsigned int cpu, void *dev_id)
{
	printf("    handler %-8s virq %u on CPU %u\n", (const char *)dev_id, virq, cpu);
	return MSK_IRQ_HANDLED;
}

static void show(struct msk_core *core, unsigned int first, unsigned int nr)
{
	printf("\n  %4s  %-22s %6s  %-6s %-6s %-6s %-6s %-4s %s\n", "virq", "chip", "hwirq", "CPU0",
	       "CPU1", "CPU2", "CPU3", "flow", "name");
	for (unsigned int v = first; v < first + nr; v++) {
		struct msk_irq_info info;
		if (msk_irq_get_info(core, v, &info) < 0)
			continue;
		struct msk_irq_data *d = msk_irq_get_irq_data(core, v);
		printf("  %4u: %-22s %6llu ", v, d->chip->name, (unsigned long long)d->hwirq);
		for (unsigned int c = 0; c < NCPUS; c++)
			printf(" %-6llu", (unsigned long long)msk_irq_count(core, v, c));
		printf("%-4s %s\n", info.flow_name, info.action_name ? info.action_name : "-");
	}
	printf("\n");
}

static void raise(struct msk_core *core, struct msk_ledger *l, unsigned int cpu, unsigned int virq,
		  const char *why)
{
	static const char *const fate[] = { "handled", "held pending", "unhandled", "no handler",
					    "no descriptor" };
	msk_ledger_raise(l, 1);
	int rc = msk_handle_irq(core, cpu, virq, 1);
	printf("  raise virq %u on CPU %u (%s): %s\n", virq, cpu, why,
	       rc >= 0 && rc <= 4 ? fate[rc] : msk_strerror(rc));
}

/*
 * The msikit command links this file without its main (MSK_EXAMPLE_NO_MAIN)
 * and shows it when the seed stories cannot run yet.
 */
#ifdef MSK_EXAMPLE_NO_MAIN
int msk_example_demo(void);
int msk_example_demo(void)
#else
int main(void)
#endif
{
	struct msk_ledger *ledger;
	struct msk_core *core;
	struct msk_core_config cfg = { .nr_cpus = NCPUS };
	struct root r = { .next_vector = 0x20 };
	struct msk_irq_domain *vec, *ir, *dev;
	if (msk_ledger_create(&ledger) < 0)
		return 3;
	cfg.ledger = ledger;
	struct msk_irq_domain_info vi = {
		.name = "DEMO-VECTOR", .ops = &root_ops, .host_data = &r, .hwirq_max = 256
	};
	struct msk_irq_domain_info ii = { .name = "DEMO-IR",
					  .ops = &ir_ops,
					  .hwirq_max = 0x200,
					  .bus_token = MSK_DOMAIN_BUS_DMAR };
	struct msk_irq_domain_info di = { .name = "PCI-MSIX-0000:01:00.0",
					  .ops = &dev_ops,
					  .hwirq_max = 8,
					  .bus_token = MSK_DOMAIN_BUS_PCI_DEVICE_MSIX,
					  .flags = MSK_DOMAIN_FLAG_MSI_DEVICE };
	if (msk_core_create(&cfg, &core) < 0 || msk_domain_create(core, &vi, &vec) < 0)
		goto fail;
	ii.parent = vec;
	if (msk_domain_create(core, &ii, &ir) < 0)
		goto fail;
	di.parent = ir;
	if (msk_domain_create(core, &di, &dev) < 0)
		goto fail;

	printf("msikit %s demo: a per-device MSI domain over remapping over vectors\n",
	       msk_version());
	printf("\nhierarchy: %s -> %s -> %s\n", msk_domain_name(dev), msk_domain_name(ir),
	       msk_domain_name(vec));

	unsigned int first, index0 = 0;
	if (msk_domain_alloc_irqs(dev, 4, &index0, NULL, &first) < 0)
		goto fail;
	printf("allocated virqs %u-%u (MSI-X entries 0-3)\n", first, first + 3);
	static const char *const names[] = { "nvme0q0", "nvme0q1", "nvme0q2", "nvme0q3" };
	for (unsigned int i = 0; i < 4; i++) {
		struct msk_cpumask m = msk_cpumask_of(i);
		if (msk_irq_set_affinity(core, first + i, &m) < 0 ||
		    msk_request_irq(core, first + i, nvme_queue, names[i], (void *)names[i]) < 0)
			goto fail;
		struct msk_irq_data *d = msk_irq_get_irq_data(core, first + i);
		printf("  virq %u: levels %s/%llu -> %s/0x%llx -> %s/0x%llx; message addr 0x%08x "
		       "data 0x%x\n",
		       first + i, msk_domain_name(d->domain), (unsigned long long)d->hwirq,
		       msk_domain_name(d->parent_data->domain),
		       (unsigned long long)d->parent_data->hwirq,
		       msk_domain_name(d->parent_data->parent_data->domain),
		       (unsigned long long)d->parent_data->parent_data->hwirq, table[i].address_lo,
		       table[i].data);
	}

	printf("\ndelivering:\n");
	for (unsigned int i = 0; i < 4; i++)
		raise(core, ledger, i, first + i, "normal");
	msk_irq_disable(core, first + 1);
	raise(core, ledger, 1, first + 1, "disabled");
	raise(core, ledger, 1, first + 1, "disabled");
	printf("  enable virq %u: the held events are replayed once\n", first + 1);
	msk_irq_enable(core, first + 1);
	msk_irq_mask(core, first + 2);
	raise(core, ledger, 2, first + 2, "masked");
	printf("  unmask virq %u\n", first + 2);
	msk_irq_unmask(core, first + 2);
	raise(core, ledger, 0, 9999, "nobody's virq");

	show(core, first, 4);

	struct msk_ledger_counts c;
	msk_ledger_read(ledger, &c);
	printf("ledger: raised %llu, delivered %llu, held %llu, lost %llu (no-descriptor %llu)\n",
	       (unsigned long long)c.raised, (unsigned long long)c.delivered,
	       (unsigned long long)msk_core_held(core), (unsigned long long)c.lost,
	       (unsigned long long)c.lost_by_reason[MSK_LOSS_NO_DESCRIPTOR]);
	int ok = msk_ledger_check(ledger, msk_core_held(core)) == 0;
	printf("%s\n", ok ? "PASS: every event accounted for" : msk_last_error());

	for (unsigned int i = 0; i < 4; i++)
		msk_free_irq(core, first + i);
	msk_domain_free_irqs(core, first, 4);
	msk_core_destroy(core);
	msk_ledger_destroy(ledger);
	return ok ? 0 : 1;
fail:
	fprintf(stderr, "demo: %s\n", msk_last_error());
	msk_core_destroy(core);
	msk_ledger_destroy(ledger);
	return 3;
}
