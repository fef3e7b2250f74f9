/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Driving and reading the simulator from VM tests, one copy for all of
 * them (Documentation/sim.rst): its debugfs folder, a chip's files, its
 * counters ("name value" lines).
 */
#ifndef IOTSEC_TESTS_SIMCTL_H
#define IOTSEC_TESTS_SIMCTL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "kmod.h"

#define SIM_DIR		"/sys/kernel/debug/iotsec_sim"

/* Mounts debugfs if need be; 0 once the simulator's folder is there. */
static inline int debugfs_up(void)
{
	struct stat st;

	if (!stat(SIM_DIR, &st))
		return 0;
	if (mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL) &&
	    errno != EBUSY)
		return -errno;
	return stat(SIM_DIR, &st) ? -errno : 0;
}

/*
 * Loads iotsec_sim with @params, mounts debugfs if need be; returns the
 * simulator's I2C bus number or a negative errno.
 */
static inline int sim_bus_up(const char *params)
{
	int ret = kmod_load("iotsec_sim", params);

	if (!ret)
		ret = debugfs_up();
	return ret ? ret : i2c_bus_find("iotsec-sim");
}

/* The path of file @file of simulated chip @chip. */
static inline void sim_path(char *buf, size_t len, int chip, const char *file)
{
	snprintf(buf, len, SIM_DIR "/chip%d/%s", chip, file);
}

/* Writes @val to file @file of simulated chip @chip: 0 or -errno. */
static inline int sim_write(int chip, const char *file, const char *val)
{
	char path[128];

	sim_path(path, sizeof(path), chip, file);
	return file_write(path, val);
}

/* The value of counter @name of chip @chip, or -1. */
static inline long long sim_counter(int chip, const char *name)
{
	char path[128];

	sim_path(path, sizeof(path), chip, "counters");
	return file_field(path, name);
}

/* The commands the simulator counts, each with its time ("<name>_us"). */
enum sim_op { SIM_INFO, SIM_RANDOM, SIM_NONCE, SIM_GENKEY, SIM_SIGN,
	      SIM_VERIFY, SIM_ECDH, SIM_READ, SIM_WRITE, SIM_LOCK, SIM_SHA,
	      SIM_COUNTER, SIM_OPS };

static const char *const sim_op_names[SIM_OPS] = {
	"info", "random", "nonce", "genkey", "sign", "verify", "ecdh",
	"read", "write", "lock", "sha", "counter",
};

struct sim_ops {
	unsigned long long n[SIM_OPS];	/* commands run */
	unsigned long long us[SIM_OPS];	/* their modelled time */
};

/* Reads @chip_dir/counters (a chip's debugfs folder) into @c. */
static inline int sim_ops_read(const char *chip_dir, struct sim_ops *c)
{
	char path[256], buf[4096], name[32], *line, *save;
	unsigned long long val;
	unsigned int i;
	size_t len;
	ssize_t n;

	memset(c, 0, sizeof(*c));
	if (snprintf(path, sizeof(path), "%s/counters", chip_dir) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	n = file_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%31s %llu", name, &val) != 2)
			continue;
		len = strlen(name);
		for (i = 0; i < SIM_OPS; i++) {
			if (!strcmp(name, sim_op_names[i]))
				c->n[i] = val;
			else if (len == strlen(sim_op_names[i]) + 3 &&
				 !strncmp(name, sim_op_names[i], len - 3) &&
				 !strcmp(name + len - 3, "_us"))
				c->us[i] = val;
		}
	}
	return 0;
}

#endif
