/* SPDX-License-Identifier: MIT */
#ifndef MSIKIT_H
#define MSIKIT_H

/* msikit: everything. Each header below is usable on its own. */
#include <msikit/version.h>
#include <msikit/error.h>
#include <msikit/fault.h>
#include <msikit/cpumask.h>
#include <msikit/matrix.h>
#include <msikit/affinity.h>
#include <msikit/ledger.h>
#include <msikit/hw.h>
#include <msikit/irq.h>
#include <msikit/domain.h>
#include <msikit/msi.h>
#include <msikit/pci.h>
#include <msikit/hw_x86.h>
#include <msikit/hw_gic.h>
#include <msikit/hw_xive.h>
#include <msikit/hw_pci.h>
#include <msikit/report.h>
#include <msikit/platform.h>
#include <msikit/irqchip_x86.h>
#include <msikit/cpuhotplug.h>
#include <msikit/platform_ppc64.h>
#include <msikit/sim.h>
#include <msikit/machine.h>

#endif
