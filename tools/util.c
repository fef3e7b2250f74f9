// SPDX-License-Identifier: GPL-2.0
/*
 * Small helpers the commands share.
 */
#include <errno.h>
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

