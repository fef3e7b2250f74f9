/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 6.12 moved <asm/unaligned.h> to <linux/unaligned.h>.  This folder is
 * searched after the kernel's own (-idirafter in the Kbuild files), so it
 * is reached only on kernels that no longer have <asm/unaligned.h>.
 */
#ifndef IOTSEC_COMPAT_ASM_UNALIGNED_H
#define IOTSEC_COMPAT_ASM_UNALIGNED_H

#include <linux/unaligned.h>

#endif /* IOTSEC_COMPAT_ASM_UNALIGNED_H */
