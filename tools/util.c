// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers the commands share.
 */
#include <errno.h>
#include <getopt.h>
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
