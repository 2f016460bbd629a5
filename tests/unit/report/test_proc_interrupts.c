/* SPDX-License-Identifier: MIT */
/*
 * The interrupts table against a real /proc/interrupts (Linux 6.18, a
 * 2-CPU KVM guest with five virtio functions using MSI-X per-device
 * domains; tests/data/real-machines/kvm-virtio-linux618/).
 *
 * The test parses the file's device rows (virq, per-CPU counts, chip,
 * hwirq, flow, handler name), rebuilds the same machine in a core - an
 * "IO-APIC" root domain for the legacy rows, the test MSI parent with no
 * prefix for the PCI-MSIX-<BDF> per-device domains, placeholders for the
 * virqs the kernel allocated but does not list - delivers every counted
 * interrupt on its CPU, and checks that the table reproduces the file's
 * header and device rows byte for byte.
 */
#include "report_test.h"

#define MAX_ROWS 64

struct row {
	unsigned int virq;
	uint64_t counts[8];
	char chip[64];
	uint64_t hwirq;
	char flow[16];
	char action[64];
};

struct real {
	char *text;
	size_t device_part; /* bytes of the header and device rows */
	unsigned int ncpus;
	struct row rows[MAX_ROWS];
	unsigned int nrows;
};

/* Parse one device row; false for the architecture rows (NMI:, LOC: ...). */
static bool parse_row(const char *line, unsigned int ncpus, struct row *r)
{
	memset(r, 0, sizeof(*r));
	char *end;
	unsigned long virq = strtoul(line, &end, 10);
	if (end == line || *end != ':')
		return false;
	r->virq = (unsigned int)virq;
	const char *p = end + 1;
	for (unsigned int c = 0; c < ncpus; c++) {
		r->counts[c] = strtoull(p, &end, 10);
		assert_true(end != p);
		p = end;
	}
	int used = 0;
	assert_int_equal(sscanf(p, " %63s %n", r->chip, &used), 1);
	p += used;
	r->hwirq = strtoull(p, &end, 10);
	assert_int_equal(*end, '-');
	p = end + 1;
	assert_int_equal(sscanf(p, "%15s %n", r->flow, &used), 1);
	p += used;
	size_t len = strcspn(p, "\n");
	assert_true(len < sizeof(r->action));
	memcpy(r->action, p, len);
	return true;
}

static void load_real(struct real *re)
{
	char path[1024];
	rt_source_path("tests/data/real-machines/kvm-virtio-linux618/proc_interrupts.txt", path,
		       sizeof(path));
	memset(re, 0, sizeof(*re));
	re->text = rt_read_file(path, NULL);
	assert_non_null(re->text);
	/* Header: one "CPUn" per online CPU. */
	const char *line = re->text;
	for (const char *p = strstr(line, "CPU"); p && p < strchr(line, '\n');
	     p = strstr(p + 3, "CPU"))
		re->ncpus++;
	assert_int_equal(re->ncpus, 2);
	line = strchr(line, '\n') + 1;
	while (*line && parse_row(line, re->ncpus, &re->rows[re->nrows])) {
		re->nrows++;
		assert_true(re->nrows < MAX_ROWS);
		line = strchr(line, '\n') + 1;
	}
	re->device_part = (size_t)(line - re->text);
	assert_int_equal(re->nrows, 19);
}

/* --- the machine --------------------------------------------------------------------------- */

static const struct msk_irq_chip ioapic_chip = { .name = "IO-APIC" };
static const struct msk_irq_chip filler_chip = { .name = "FILLER" };

/* arg: the hwirq (uint64_t *); NULL: hwirq = virq. */
static int plain_alloc(struct msk_irq_domain *d, unsigned int virq, unsigned int nr, void *arg)
{
	const struct msk_irq_chip *chip = msk_domain_host_data(d);
	uint64_t hw = arg ? *(uint64_t *)arg : virq;
	return msk_domain_set_hwirq_and_chip(d, virq, hw, chip, NULL);
}

static void plain_free(struct msk_irq_domain *d, unsigned int virq, unsigned int nr)
{
	msk_domain_reset_irq_data(msk_domain_get_irq_data(d, virq));
}

static const struct msk_irq_domain_ops plain_ops = { .alloc = plain_alloc, .free = plain_free };

struct machine {
	struct tp tp;
	struct msk_irq_domain *ioapic, *filler;
	struct msk_device *dev[8];
	unsigned int ndev;
};

static struct msk_device *device_for(struct machine *m, const char *bdf)
{
	for (unsigned int i = 0; i < m->ndev; i++)
		if (strcmp(msk_device_name(m->dev[i]), bdf) == 0)
			return m->dev[i];
	assert_true(m->ndev < 8);
	struct msk_device *dev;
	assert_msk_ok(msk_device_create(m->tp.core, bdf, m->tp.domain, NULL, &dev));
	struct msk_msi_domain_template msix;
	tp_template(&msix, "PCI-MSIX", MSK_DOMAIN_BUS_PCI_DEVICE_MSIX, RT_MSIX_FLAGS);
	assert_msk_ok(msk_msi_create_device_domain(dev, 0, &msix, 64, NULL, NULL));
	m->dev[m->ndev++] = dev;
	return dev;
}

/* Allocate the next virq for a row; it must be the row's number. */
static unsigned int alloc_row(struct machine *m, const struct row *r)
{
	unsigned int virq = 0;
	if (strncmp(r->chip, "PCI-MSIX-", 9) == 0) {
		struct msk_device *dev = device_for(m, r->chip + 9);
		struct msk_msi_map map =
			msk_msi_domain_alloc_irq_at(dev, 0, (uint32_t)r->hwirq, NULL, 0, NULL);
		assert_true(map.index >= 0);
		virq = map.virq;
	} else {
		assert_string_equal(r->chip, "IO-APIC");
		assert_msk_ok(msk_domain_alloc_irqs(m->ioapic, 1, (void *)&r->hwirq, NULL, &virq));
	}
	assert_int_equal(virq, r->virq);
	return virq;
}

static void build(struct machine *m, const struct real *re)
{
	memset(m, 0, sizeof(*m));
	assert_msk_ok(tp_create(&m->tp, re->ncpus, 4096, RT_SUPPORTED, NULL));
	m->tp.pops.prefix = ""; /* x86 without remapping: "PCI-MSIX-<BDF>" */
	struct msk_irq_domain_info io = { .name = "IO-APIC",
					  .ops = &plain_ops,
					  .host_data = (void *)&ioapic_chip,
					  .hwirq_max = 24 };
	struct msk_irq_domain_info fill = { .name = "FILLER",
					    .ops = &plain_ops,
					    .host_data = (void *)&filler_chip };
	assert_msk_ok(msk_domain_create(m->tp.core, &io, &m->ioapic));
	assert_msk_ok(msk_domain_create(m->tp.core, &fill, &m->filler));
	unsigned int next = 1;
	for (unsigned int i = 0; i < re->nrows; i++) {
		const struct row *r = &re->rows[i];
		/* Virqs the kernel has but does not list (no handler): placeholders. */
		for (; next < r->virq; next++) {
			unsigned int v;
			assert_msk_ok(msk_domain_alloc_irqs(m->filler, 1, NULL, NULL, &v));
			assert_int_equal(v, next);
		}
		unsigned int virq = alloc_row(m, r);
		next = virq + 1;
		assert_msk_ok(msk_request_irq(m->tp.core, virq, rt_handled, r->action, NULL));
		for (unsigned int c = 0; c < re->ncpus; c++)
			for (uint64_t k = 0; k < r->counts[c]; k++)
				assert_int_equal(msk_handle_irq(m->tp.core, c, virq, 1),
						 MSK_FLOW_HANDLED);
	}
}

static void destroy(struct machine *m)
{
	for (unsigned int i = 0; i < m->ndev; i++) {
		struct msk_device *dev = m->dev[i];
		for (uint32_t idx = 0; idx < 64; idx++) {
			unsigned int virq = msk_msi_get_virq(dev, 0, idx);
			if (virq)
				assert_msk_ok(msk_free_irq(m->tp.core, virq));
		}
		assert_msk_ok(msk_device_destroy(dev));
	}
	tp_destroy(&m->tp);
}

/* --- tests -------------------------------------------------------------------------------------- */

static void test_parse_real_rows(void **state)
{
	struct real re;
	load_real(&re);
	/* Spot checks that the parser reads the file as the kernel wrote it. */
	assert_int_equal(re.rows[0].virq, 24);
	assert_string_equal(re.rows[0].chip, "IO-APIC");
	assert_int_equal(re.rows[0].hwirq, 5);
	assert_string_equal(re.rows[0].action, "ACPI:Ged");
	const struct row *q = &re.rows[11]; /* 36: virtio1-req.0 */
	assert_int_equal(q->virq, 36);
	assert_int_equal(q->counts[1], 175237);
	assert_string_equal(q->chip, "PCI-MSIX-0000:00:02.0");
	assert_int_equal(q->hwirq, 1);
	assert_string_equal(q->flow, "edge");
	assert_string_equal(q->action, "virtio1-req.0");
	unsigned int msix = 0;
	for (unsigned int i = 0; i < re.nrows; i++)
		msix += strncmp(re.rows[i].chip, "PCI-MSIX-", 9) == 0;
	assert_int_equal(msix, 16);
	free(re.text);
}

static void test_table_matches_real_file(void **state)
{
	struct real re;
	load_real(&re);
	struct machine m;
	build(&m, &re);
	struct msk_report_src src = { .core = m.tp.core };
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	int rc;
	char *table = rt_render(snap, RT_TABLE, 0, &rc);
	assert_msk_ok(rc);
	/* The header and every device row, byte for byte. */
	char *want = strndup(re.text, re.device_part);
	if (strcmp(table, want) != 0)
		print_error("real:\n%s\nours:\n%s\n", want, table);
	assert_string_equal(table, want);
	/* The placeholders are allocated but, like the kernel's, not listed. */
	assert_int_equal(snap->nr_irqs, 43);
	free(want);
	free(table);
	msk_report_snapshot_free(snap);
	destroy(&m);
	free(re.text);
}

/* Row by row, the chip, hwirq and name columns equal the real ones in place and width. */
static void test_columns_match_row_by_row(void **state)
{
	struct real re;
	load_real(&re);
	struct machine m;
	build(&m, &re);
	struct msk_report_src src = { .core = m.tp.core };
	struct msk_report_snapshot *snap;
	assert_msk_ok(msk_report_snapshot_take(&src, &snap));
	int rc;
	char *table = rt_render(snap, RT_TABLE, 0, &rc);
	assert_msk_ok(rc);
	const char *ours = strchr(table, '\n') + 1, *real = strchr(re.text, '\n') + 1;
	for (unsigned int i = 0; i < re.nrows; i++) {
		size_t lo = strcspn(ours, "\n"), lr = strcspn(real, "\n");
		/* Columns after the counts: prec + 1 + 11 per CPU + 1. */
		size_t from = 3 + 1 + 11 * re.ncpus + 1;
		assert_true(lo > from && lr > from);
		assert_int_equal(lo, lr);
		assert_memory_equal(ours + from, real + from, lr - from);
		ours += lo + 1;
		real += lr + 1;
	}
	free(table);
	msk_report_snapshot_free(snap);
	destroy(&m);
	free(re.text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_rows),
		cmocka_unit_test(test_table_matches_real_file),
		cmocka_unit_test(test_columns_match_row_by_row),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
