/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version test of the module lives here.  Built and tested on
 * Debian's 6.1; later kernels are kept compiling by the switches below.
 *
 * ATECC_KERNEL is LINUX_VERSION_CODE spelled from its parts, so that the
 * version tests of this out-of-tree module read like the kernel's own.
 */
#ifndef IOTSEC_COMPAT_H
#define IOTSEC_COMPAT_H

#include <linux/version.h>

#define ATECC_KERNEL	KERNEL_VERSION(LINUX_VERSION_MAJOR,		\
				       LINUX_VERSION_PATCHLEVEL,	\
				       LINUX_VERSION_SUBLEVEL)

/*
 * struct i2c_driver: 6.1 calls the one-argument probe .probe_new; 6.3 gave
 * .probe that signature and 6.6 removed .probe_new.
 */
#if KERNEL_VERSION(6, 3, 0) <= ATECC_KERNEL
#define atecc_i2c_probe_member	probe
#else
#define atecc_i2c_probe_member	probe_new
#endif

#endif /* IOTSEC_COMPAT_H */
