/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Provisioning attributes on the chip's I2C device (provision.c).
 */
#ifndef IOTSEC_PROVISION_H
#define IOTSEC_PROVISION_H

#include <linux/sysfs.h>

extern const struct attribute_group atecc_provision_group;

#endif /* IOTSEC_PROVISION_H */
