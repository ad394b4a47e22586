/* SPDX-License-Identifier: MIT */
/*
 * rt.c - what a latency-sensitive driver sets once at start, in one call
 * (udrv_rt_apply()): its thread's scheduling policy and CPU, its memory
 * locked, and its interrupt's CPU (on PREEMPT_RT the interrupt's thread
 * follows it). No thread of its own: the calling thread and the kernel's
 * settings only. udrv_rt_parse() reads the one-flag form the CLIs take.
 *
 * An interrupt its controller cannot move (the BCM2836's ARMCTRL lines stay
 * on CPU 0) keeps its CPU; its thread (every handler has one on PREEMPT_RT)
 * is then pinned to the CPU that serves it: left to the scheduler, the hard
 * interrupt wakes it on another, idle CPU through an inter-processor
 * interrupt (rpi3@6.12-rt: 34 us from the timer's match to the driver, 15 us
 * pinned).
 */
#include <dirent.h>
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
		return udrv_error(-ENOENT, "uio%u: no name to find its interrupt by", irq->uio);
	f = fopen(path, "re");
	if (!f)
		return udrv_error(-errno, "%s: %s", path, strerror(errno));
	ret = udrv_error(-ENOENT, "%s: no interrupt named '%s'", path, name);
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

/* The CPU that serves interrupt @n: its effective affinity's first CPU, or
 * its affinity's first where the kernel keeps no effective one. */
static int serving_cpu(unsigned int n)
{
	char path[UDRV_PATH], buf[256];
	const char *attr[] = { "effective_affinity_list", "smp_affinity_list" };

	for (size_t i = 0; i < 2; i++) {
		uint64_t cpu;

		if (udrv__path(path, sizeof(path), "/proc/irq/%u/%s", n, attr[i]) ||
		    udrv__read_file(path, buf, sizeof(buf)) < 0)
			continue;
		buf[strcspn(buf, "-,\n")] = '\0';
		if (!udrv_parse_u64(buf, &cpu, NULL) && cpu < CPU_SETSIZE)
			return (int)cpu;
	}
	return 0;
}

/* Pin the threads of interrupt @n ("irq/N-name", PREEMPT_RT or threadirqs)
 * to @cpu; how many there were, or -errno. */
static int pin_irq_threads(unsigned int n, int cpu)
{
	char path[UDRV_PATH], comm[32], prefix[24];
	int count = 0, ret = 0;
	struct dirent *e;
	cpu_set_t set;
	DIR *d;

	if ((ret = udrv__path(path, sizeof(path), "/proc")))
		return ret;
	d = opendir(path);
	if (!d)
		return udrv_error(-errno, "%s: %s", path, strerror(errno));
	snprintf(prefix, sizeof(prefix), "irq/%u-", n);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	while (!ret && (e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 ||
		    udrv__path(path, sizeof(path), "/proc/%ld/comm", pid) ||
		    udrv__read_file(path, comm, sizeof(comm)) < 0 ||
		    strncmp(comm, prefix, strlen(prefix)))
			continue;
		if (sched_setaffinity((pid_t)pid, sizeof(set), &set))
			ret = udrv_error(-errno, "pinning %.*s to CPU %d: %s",
					 (int)strcspn(comm, "\n"), comm, cpu, strerror(errno));
		count++;
	}
	closedir(d);
	return ret ? ret : count;
}

UDRV_API int udrv_rt_apply(const struct udrv_rt_opts *opts, struct udrv_irq *irq)
{
	char path[UDRV_PATH], cpu[16];
	unsigned int n = 0;
	int ret;

	if (!opts || opts->priority < 0 || opts->priority > 99 || opts->cpu < -1 ||
	    opts->cpu >= CPU_SETSIZE)
		return udrv_error(-EINVAL, "real-time settings: priority 0..99, cpu -1..%d",
				  CPU_SETSIZE - 1);
	if (opts->lock_memory && mlockall(MCL_CURRENT | MCL_FUTURE))
		return udrv_error(-errno, "mlockall: %s", strerror(errno));
	if (opts->cpu >= 0) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(opts->cpu, &set);
		if (sched_setaffinity(0, sizeof(set), &set))
			return udrv_error(-errno, "pinning the thread to CPU %d: %s", opts->cpu,
					  strerror(errno));
	}
	if (opts->priority) {
		struct sched_param p = { .sched_priority = opts->priority };

		if (sched_setscheduler(0, SCHED_FIFO, &p))
			return udrv_error(-errno, "SCHED_FIFO %d: %s%s", opts->priority,
					  strerror(errno), errno == EPERM ?
					  " (needs CAP_SYS_NICE or an RLIMIT_RTPRIO)" : "");
	}
	if (!irq || opts->cpu < 0)
		return 0;
	if ((ret = linux_irq(irq, &n)) ||
	    (ret = udrv__path(path, sizeof(path), "/proc/irq/%u/smp_affinity_list", n)))
		return ret;
	snprintf(cpu, sizeof(cpu), "%d", opts->cpu);
	ret = udrv__write_attr(path, cpu);
	if (ret == -EIO || ret == -EPERM) {
		/* Its controller serves it on a fixed CPU: keep its thread there. */
		ret = pin_irq_threads(n, serving_cpu(n));
		return ret < 0 ? ret : 1;
	}
	if (ret)
		return udrv_error(ret, "%s: writing %s: %s%s", path, cpu, strerror(-ret),
				  ret == -EACCES ? " (root only)" : "");
	return 0;
}

UDRV_API int udrv_rt_parse(const char *spec, struct udrv_rt_opts *out)
{
	struct udrv_rt_opts o = { .cpu = -1 };
	char buf[128], *save = NULL;

	if (!spec || !out || strlen(spec) >= sizeof(buf))
		return udrv_error(-EINVAL, "real-time settings: give fifo=PRIO,cpu=N,mlock");
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
			return udrv_error(-EINVAL, "real-time settings: '%s' is none of fifo=1..99, "
					  "cpu=N, mlock", w);
	}
	*out = o;
	return 0;
}
