/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who may use a chip's keys: CAP_SYS_ADMIN, or a member of the group the
 * administrator names for the chip in its sysfs attribute key_group.  See
 * Documentation/keytype.rst, "Authorization".
 */
#ifndef IOTSEC_AUTH_H
#define IOTSEC_AUTH_H

#include <linux/sysfs.h>
#include <linux/types.h>

struct atecc_chip;

extern const struct attribute_group atecc_auth_group;

bool atecc_auth_allowed(const struct atecc_chip *chip);
int atecc_auth_check(const struct atecc_chip *chip, unsigned int slot,
		     const char *what);

#endif /* IOTSEC_AUTH_H */
