/* SPDX-License-Identifier: GPL-2.0 */
#ifndef IOTSEC_TOOL_H
#define IOTSEC_TOOL_H

#include <stddef.h>

struct command {
	int (*action)(int argc, char **argv);
	const char *name;
	const char *format;
};

void usage(const char *name) __attribute__((noreturn));
int cmd_connect(int argc, char **argv);
int cmd_csr(int argc, char **argv);
/* A key serial, or an iotsec key's description (cmd_tls.c); or -errno. */
int find_key(const char *key);
int cmd_serve(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_provision(int argc, char **argv);
int cmd_pkcs11_uri(int argc, char **argv);
/* write(2) until done, through EINTR (util.c); 0 or -1 with errno. */
int write_all(int fd, const char *buf, size_t len);

#endif
