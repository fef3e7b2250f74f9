/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TCP on the loopback for the VM tests and their clients: a connection to
 * a local peer (openssl s_server, a test's own thread) that may not be
 * listening yet.  Header-only, no libiotsec.
 */
#ifndef IOTSEC_TESTS_TCP_H
#define IOTSEC_TESTS_TCP_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

/*
 * Connects to 127.0.0.1:@port, up to 100 tries @step_ms apart (a peer
 * still starting, or between two accepts): the socket, or -errno
 * (-ECONNREFUSED when no try connected).
 */
static inline int tcp_dial(int port, unsigned int step_ms)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd, i;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	for (i = 0; i < 100; i++) {
		fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			return fd;
		close(fd);
		usleep(step_ms * 1000);
	}
	return -ECONNREFUSED;
}

#endif
