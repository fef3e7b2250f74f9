// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers the commands share.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "iotsec-tool.h"

int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (!n)
				errno = EIO;
			return -1;
		}
		buf += n;
		len -= n;
	}
	return 0;
}


int parse_opts_table(int argc, char **argv, const struct opt *opts, size_t n,
		     void *dst, const char *cmd)
{
	struct option lo[OPTS_MAX + 1];
	char *base = dst;
	size_t i;
	int c;

	if (n > OPTS_MAX)
		usage(cmd);
	memset(lo, 0, sizeof(lo));
	for (i = 0; i < n; i++) {
		lo[i].name = opts[i].name;
		lo[i].has_arg = opts[i].flag ? no_argument : required_argument;
		lo[i].val = 256 + (int)i;
	}
	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		if (c < 256 || c >= 256 + (int)n)
			usage(cmd);
		i = c - 256;
		if (opts[i].flag)
			*(int *)(base + opts[i].off) = 1;
		else
			*(const char **)(base + opts[i].off) = optarg;
	}
	return optind;
}

int drv_attr_read(const char *dev, const char *name, void *buf, size_t len)
{
	char path[512];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), IOTSEC_DRV "/%s/%s", dev, name);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? -errno : (int)n;
}

int drv_attr_write(const char *dev, const char *name, const void *buf,
		   size_t len)
{
	char path[512];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), IOTSEC_DRV "/%s/%s", dev, name);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	err = n < 0 ? errno : 0;
	close(fd);
	if (err)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int drv_attr_text(const char *dev, const char *name, char *buf, size_t len)
{
	int n = drv_attr_read(dev, name, buf, len - 1);

	if (n < 0)
		return n;
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return 0;
}
