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
/*
 * One long option of a command (util.c): --NAME VALUE stores the string at
 * offset OFF of the command's option struct, --NAME alone (a flag) sets
 * the int there to 1.
 */
struct opt {
	const char *name;
	size_t off;
	int flag;
};

#define OPT_STR(name, type, field)	{ name, offsetof(type, field), 0 }
#define OPT_FLAG(name, type, field)	{ name, offsetof(type, field), 1 }

/*
 * getopt_long over @opts (at most OPTS_MAX) into the struct at @dst;
 * an unknown option is usage(@cmd).  Returns optind.
 */
#define OPTS_MAX	16
#define OPTS_N(a)	(sizeof(a) / sizeof((a)[0]))
int parse_opts_table(int argc, char **argv, const struct opt *opts, size_t n,
		     void *dst, const char *cmd);
/*
 * The driver's attributes of chip @dev (util.c), one read() or write():
 * drv_attr_read gives the bytes read, drv_attr_write 0 when all of @len
 * went, drv_attr_text @buf NUL-terminated without its newline and 0; or
 * -errno.
 */
#define IOTSEC_DRV	"/sys/bus/i2c/drivers/iotsec"
int drv_attr_read(const char *dev, const char *name, void *buf, size_t len);
int drv_attr_write(const char *dev, const char *name, const void *buf,
		   size_t len);
int drv_attr_text(const char *dev, const char *name, char *buf, size_t len);
/* write(2) until done, through EINTR (util.c); 0 or -1 with errno. */
int write_all(int fd, const char *buf, size_t len);

#endif
