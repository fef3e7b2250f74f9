/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for VM tests: load and unload our modules, read and write small
 * files (sysfs, debugfs, sysctls), find the simulator's I2C bus.  Header-only; every
 * function returns 0 or a negative errno and never exits.
 *
 * The harness sets IOTSEC_KO_DIR to the directory holding the built .ko
 * files.  Debian's own modules load with modprobe as usual.
 */
#ifndef IOTSEC_TESTS_KMOD_H
#define IOTSEC_TESTS_KMOD_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static inline const char *kmod_dir(void)
{
	const char *d = getenv("IOTSEC_KO_DIR");

	return d ? d : "kernel";
}

/* insmod <IOTSEC_KO_DIR>/<name>/<name>.ko <params> */
static inline int kmod_load(const char *name, const char *params)
{
	char path[512];
	int fd, ret;

	snprintf(path, sizeof(path), "%s/%s/%s.ko", kmod_dir(), name, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, params ? params : "", 0);
	ret = ret ? -errno : 0;
	close(fd);
	return ret;
}

/* rmmod; retries briefly while the module is still busy. */
static inline int kmod_unload(const char *name)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, name, O_NONBLOCK))
			return 0;
		if (errno == ENOENT)
			return -ENOENT;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			return -errno;
		usleep(100000);
	}
	return -EBUSY;
}

static inline bool kmod_loaded(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "/sys/module/%s", name);
	return stat(path, &st) == 0;
}

/* Runs a shell command; returns its exit status or a negative errno. */
static inline int run_cmd(const char *cmd)
{
	int st = system(cmd);

	if (st < 0)
		return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -EINTR;
}

/*
 * modprobe i2c-dev unless its class is there already (loaded or built in):
 * a fork and exec of modprobe over the guest's 9p root costs 0.8 s under
 * TCG, most of a simulator test's set-up.  0, or modprobe's status.
 */
static inline int i2c_dev_up(void)
{
	struct stat st;

	if (stat("/sys/class/i2c-dev", &st) == 0)
		return 0;
	return run_cmd("modprobe i2c-dev");
}

/* Reads up to len bytes as they are (one read); returns bytes read or -errno. */
static inline ssize_t file_read_bin(const char *path, void *buf, size_t len)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* Reads up to len - 1 bytes, NUL-terminates; returns bytes read or -errno. */
static inline ssize_t file_read(const char *path, void *buf, size_t len)
{
	ssize_t n = file_read_bin(path, buf, len - 1);

	if (n >= 0)
		((char *)buf)[n] = '\0';
	return n;
}

/* Writes @s in one write(), the file opened with O_WRONLY | @flags: 0 or -errno. */
static inline int file_write_flags(const char *path, const char *s, int flags)
{
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);

	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

static inline int file_write(const char *path, const char *s)
{
	return file_write_flags(path, s, 0);
}

/*
 * The number after @name on a "name value" or "Name:   value kB" line of
 * @path (the last such line), or -1.
 */
static inline long long file_field(const char *path, const char *name)
{
	char line[256], key[64];
	long long val = -1, v;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63[^: \t]%*[: \t]%lld", key, &v) == 2 &&
		    !strcmp(key, name))
			val = v;
	fclose(f);
	return val;
}

/* Reads a file holding one decimal or 0x number. */
static inline int file_read_ulong(const char *path, unsigned long *val)
{
	char buf[64];
	ssize_t n = file_read(path, buf, sizeof(buf));

	if (n < 0)
		return (int)n;
	*val = strtoul(buf, NULL, 0);
	return 0;
}

/*
 * Finds the I2C bus number of the adapter whose name contains @pattern
 * (for the simulator: "iotsec-sim"); returns it or a negative errno.
 */
static inline int i2c_bus_find(const char *pattern)
{
	struct dirent *de;
	char path[300], name[128];
	int bus = -ENODEV;
	DIR *d = opendir("/sys/bus/i2c/devices");

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "i2c-", 4))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/i2c/devices/%s/name",
			 de->d_name);
		if (file_read(path, name, sizeof(name)) > 0 &&
		    strstr(name, pattern)) {
			bus = atoi(de->d_name + 4);
			break;
		}
	}
	closedir(d);
	return bus;
}

/* Unloads algif_kpp, iotsec and iotsec_sim (those loaded). */
static inline void iotsec_modules_down(void)
{
	kmod_unload("algif_kpp");
	kmod_unload("iotsec");
	kmod_unload("iotsec_sim");
}

#define I2C_DEV_DIR	"/sys/bus/i2c/devices"

/* True when the I2C device @dev ("5-0060") is bound to the iotsec driver. */
static inline bool iotsec_bound(const char *dev)
{
	char path[160], link[256];
	const char *base;
	ssize_t n;

	snprintf(path, sizeof(path), I2C_DEV_DIR "/%s/driver", dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	base = strrchr(link, '/');
	return !strcmp(base ? base + 1 : link, "iotsec");
}

/*
 * The name the client of @dev should have: a device-tree node's compatible
 * ("microchip,atecc608b" -> "atecc608b") where a node made the client (the
 * arm64 VM's overlay, whatever chip the simulator puts there), else
 * "atecc" @model (the simulator's or new_device's client).
 */
static inline void client_name_expected(const char *dev, const char *model,
					char *out, size_t len)
{
	char path[160], compat[64];

	snprintf(path, sizeof(path), I2C_DEV_DIR "/%s/of_node/compatible", dev);
	if (file_read(path, compat, sizeof(compat)) > 0 &&
	    !strncmp(compat, "microchip,", 10))
		snprintf(out, len, "%.*s", (int)(len - 1), compat + 10);
	else
		snprintf(out, len, "atecc%s", model);
}

/* Did a device-tree node make the client at @dev (so no new_device)? */
static inline bool client_from_dt(const char *dev)
{
	char path[160];

	snprintf(path, sizeof(path), I2C_DEV_DIR "/%s/of_node", dev);
	return access(path, F_OK) == 0;
}

static inline double now_ms(void);

/* iotsec_bound() within @ms milliseconds. */
static inline bool iotsec_wait_bound(const char *dev, double ms)
{
	double end = now_ms() + ms;

	do {
		if (iotsec_bound(dev))
			return true;
		usleep(10000);
	} while (now_ms() < end);
	return false;
}

#define ALG_RESTRICT	"/proc/sys/crypto/af_alg_restrict"

/* crypto.af_alg_restrict (7.3): its level, or -1 where there is none. */
static inline int alg_restrict_get(void)
{
	char buf[16], *end;
	long level;

	if (file_read(ALG_RESTRICT, buf, sizeof(buf)) <= 0)
		return -1;
	level = strtol(buf, &end, 10);
	return end == buf ? -1 : (int)level;
}

static inline int alg_restrict_set(int level)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d\n", level);
	return file_write(ALG_RESTRICT, buf);
}

static inline double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

#endif
