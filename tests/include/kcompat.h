/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel integer names for userspace, so that pure kernel headers
 * (kernel/include/atecc/crc.h, kernel/include/atecc/wire.h) compile unchanged in host and VM tests.
 */
#ifndef IOTSEC_TESTS_KCOMPAT_H
#define IOTSEC_TESTS_KCOMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;

#endif
