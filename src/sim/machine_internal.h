/* SPDX-License-Identifier: MIT */
#ifndef MSK_SIM_MACHINE_INTERNAL_H
#define MSK_SIM_MACHINE_INTERNAL_H

/* Private state of a machine (src/sim/machine*.c). */

#include <msikit/machine.h>

#define MACHINE_MAX_NOTES 64 /* invariant failures and service errors kept */

struct msk_machine_dev {
	struct msk_machine *m;
	char name[16]; /* "0000:01:00.0" */
	unsigned int bus, dev, fn;
	struct msk_pcifn *pcifn;
	struct msk_pci_dev *pdev; /* NULL on a bare machine */
};

struct machine_notes {
	unsigned int n;
	char *msg[MACHINE_MAX_NOTES];
	char *key[MACHINE_MAX_NOTES]; /* "rule/device": recorded once */
};

struct msk_machine {
	struct msk_machine_config cfg;
	char arch[16];
	struct msk_ledger *ledger;
	struct msk_bus *bus;
	struct msk_core *core;
	struct msk_platform *plat;
	struct msk_irq_domain *global; /* msi = global */
	struct msk_sim *sim;

	struct msk_machine_dev **devs;
	unsigned int ndevs, devcap;
	uint64_t bar_next;

	struct machine_notes inv; /* invariant failures */
	bool ledger_broken;
	struct machine_notes svc; /* CPU service errors */

	struct msk_machine_faults faults;
	unsigned long fault_armed; /* allocations until the injected failure, counted from arming */
	unsigned long fault_left;  /* while paused: what is left of fault_armed */
	bool controller_disarmed;  /* faults.controller holds the final state */
	bool route_unsupported;	   /* the platform cannot follow messages */

	void (*trace)(void *ctx, const struct msk_machine_event *ev);
	void *trace_ctx;
	const char *ctx_device;
	int ctx_index;
	int ctx_cpu;
	unsigned int ctx_virq;
};

/* machine_check.c */
void machine_note(struct machine_notes *n, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void machine_notes_free(struct machine_notes *n);
void machine_ledger_observer(void *ctx, char kind, enum msk_loss reason, uint32_t weight);
int machine_after_step(void *ctx, const struct msk_sim_step *step);
/* msk_sim_config.quiescent: the nothing-stranded invariant (machine_check.c). */
int machine_quiescent(void *ctx);
int machine_arm_faults(struct msk_machine *m);
/*
 * Hardware that cannot fail (a function's BARs being decoded or going
 * away with the function) runs with allocation fault injection paused;
 * what was left of the countdown resumes afterwards.
 */
void machine_faults_pause(struct msk_machine *m);
void machine_faults_resume(struct msk_machine *m);

/* machine_pci.c */
void machine_remove_all_devices(struct msk_machine *m);

#endif
