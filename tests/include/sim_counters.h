/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the simulator's debugfs counters from VM tests
 * (Documentation/sim.rst: one "name value" line per counter).
 */
#ifndef IOTSEC_TESTS_SIM_COUNTERS_H
#define IOTSEC_TESTS_SIM_COUNTERS_H

#include <stdio.h>
#include <string.h>

#define SIM_DEBUGFS	"/sys/kernel/debug/iotsec_sim"

/* The value of counter @name of chip @chip, or -1. */
static inline long long sim_counter(int chip, const char *name)
{
	char path[128], line[128], key[64];
	long long val = -1, v;
	FILE *f;

	snprintf(path, sizeof(path), SIM_DEBUGFS "/chip%d/counters", chip);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %lld", key, &v) == 2 && !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

#endif
