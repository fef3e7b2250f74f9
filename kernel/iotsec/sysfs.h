/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Read-only attributes on the chip's I2C device, installed by the driver
 * core (driver dev_groups) after probe and removed before remove.
 */
#ifndef IOTSEC_SYSFS_H
#define IOTSEC_SYSFS_H

struct attribute_group;

extern const struct attribute_group *atecc_sysfs_groups[];

#endif /* IOTSEC_SYSFS_H */
