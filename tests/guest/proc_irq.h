/* SPDX-License-Identifier: MIT */
/*
 * proc_irq.h - a UIO node's Linux interrupt as the guest suites look it up:
 * its number from /proc/interrupts (the line whose action, the last word, is
 * the node's name) and the kernel threads that serve it ("irq/N-name": on
 * PREEMPT_RT, with threadirqs, or the UIO core's own since Linux 6.10).
 */
#ifndef PROC_IRQ_H
#define PROC_IRQ_H

#include <dirent.h>
#include <stdio.h>
#include <string.h>

/* The number of the interrupt named @name, or -1. */
static inline int proc_irq_number(const char *name)
{
	char line[512];
	int irq = -1;
	FILE *f = fopen("/proc/interrupts", "r");

	while (f && irq < 0 && fgets(line, sizeof(line), f)) {
		char *last;

		line[strcspn(line, "\n")] = '\0';
		last = strrchr(line, ' ');
		if (!last || strcmp(last + 1, name) || sscanf(line, " %d:", &irq) != 1)
			irq = -1;
	}
	if (f)
		fclose(f);
	return irq;
}

/* Call @fn(pid, comm, @data) for each thread of interrupt @irq; how many. */
static inline int proc_irq_threads(int irq, void (*fn)(const char *pid, const char *comm, void *data),
				   void *data)
{
	char prefix[32], path[300], comm[64];
	struct dirent *e;
	int n = 0;
	DIR *d = opendir("/proc");

	snprintf(prefix, sizeof(prefix), "irq/%d-", irq);
	while (d && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f) && !strncmp(comm, prefix, strlen(prefix))) {
			comm[strcspn(comm, "\n")] = '\0';
			if (fn)
				fn(e->d_name, comm, data);
			n++;
		}
		fclose(f);
	}
	if (d)
		closedir(d);
	return n;
}

#endif
