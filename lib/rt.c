/* SPDX-License-Identifier: MIT */
/*
 * rt.c - what a latency-sensitive driver sets once at start, in one call
 * (udrv_rt_apply()): its thread's scheduling policy and CPU, its memory
 * locked, and its interrupt's CPU (on PREEMPT_RT the interrupt's thread
 * follows it). No thread of its own: the calling thread and the kernel's
 * settings only. udrv_rt_parse() reads the one-flag form the CLIs take.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* The Linux interrupt of @irq's UIO node: the /proc/interrupts line whose
 * action (its last word) is the node's name, as the UIO core registers it. */
static int linux_irq(const struct udrv_irq *irq, unsigned int *out)
{
	const char *name = NULL;
	char path[UDRV_PATH], line[1024];
	FILE *f;
	int ret;

	for (unsigned int i = 0; i < irq->dev->e.nnodes; i++)
		if (irq->dev->e.nodes[i].uio == irq->uio)
			name = irq->dev->e.nodes[i].name;
	if (!name || (ret = udrv__path(path, sizeof(path), "/proc/interrupts")))
		return udrv__fail(-ENOENT, "uio%u: no name to find its interrupt by", irq->uio);
	f = fopen(path, "re");
	if (!f)
		return udrv__fail(-errno, "%s: %s", path, strerror(errno));
	ret = udrv__fail(-ENOENT, "%s: no interrupt named '%s'", path, name);
	while (fgets(line, sizeof(line), f)) {
		char *end = line + strcspn(line, "\n"), *last;
		unsigned long n;

		*end = '\0';
		last = strrchr(line, ' ');
		n = strtoul(line, &end, 10);
		if (last && *end == ':' && !strcmp(last + 1, name)) {
			*out = (unsigned int)n;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

UDRV_API int udrv_rt_apply(const struct udrv_rt_opts *opts, struct udrv_irq *irq)
{
	char path[UDRV_PATH], cpu[16];
	unsigned int n = 0;
	int ret;

	if (!opts || opts->priority < 0 || opts->priority > 99 || opts->cpu < -1 ||
	    opts->cpu >= CPU_SETSIZE)
		return udrv__fail(-EINVAL, "real-time settings: priority 0..99, cpu -1..%d",
				  CPU_SETSIZE - 1);
	if (opts->lock_memory && mlockall(MCL_CURRENT | MCL_FUTURE))
		return udrv__fail(-errno, "mlockall: %s", strerror(errno));
	if (opts->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(opts->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return udrv__fail(-errno, "pinning the thread to CPU %d: %s", opts->cpu,
					  strerror(errno));
	}
	if (opts->priority) {
		struct sched_param p = { .sched_priority = opts->priority };

		if (sched_setscheduler(0, SCHED_FIFO, &p))
			return udrv__fail(-errno, "SCHED_FIFO %d: %s%s", opts->priority,
					  strerror(errno), errno == EPERM ?
					  " (needs CAP_SYS_NICE or an RLIMIT_RTPRIO)" : "");
	}
	if (!irq || opts->cpu < 0)
		return 0;
	if ((ret = linux_irq(irq, &n)) ||
	    (ret = udrv__path(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", n)))
		return ret;
	snprintf(cpu, sizeof(cpu), "%d", opts->cpu);
	if ((ret = udrv__write_attr(path, cpu)))
		return udrv__fail(ret, "%s: writing %s: %s%s", path, cpu, strerror(-ret),
				  ret == -EACCES ? " (root only)" : "");
	return 0;
}

UDRV_API int udrv_rt_parse(const char *spec, struct udrv_rt_opts *out)
{
	struct udrv_rt_opts o = { .cpu = -1 };
	char buf[128], *save = NULL;

	if (!spec || !out || strlen(spec) >= sizeof(buf))
		return udrv__fail(-EINVAL, "real-time settings: give fifo=PRIO,cpu=N,mlock");
	strcpy(buf, spec);
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		uint64_t v;

		if (!strcmp(w, "mlock"))
			o.lock_memory = true;
		else if (!strncmp(w, "fifo=", 5) && !udrv_parse_u64(w + 5, &v, NULL) && v >= 1 && v <= 99)
			o.priority = (int)v;
		else if (!strncmp(w, "cpu=", 4) && !udrv_parse_u64(w + 4, &v, NULL) && v < CPU_SETSIZE)
			o.cpu = (int)v;
		else
			return udrv__fail(-EINVAL, "real-time settings: '%s' is none of fifo=1..99, "
					  "cpu=N, mlock", w);
	}
	*out = o;
	return 0;
}
