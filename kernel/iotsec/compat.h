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

/*
 * ecc_make_pub_key() and crypto_ecdh_shared_secret() take the private key
 * as big-endian bytes in u64s up to 6.9, as native digits from 6.10
 * (crypto/ecc.c of 6.1 swaps it, 6.12's and 7.3's do not).
 */
#if KERNEL_VERSION(6, 10, 0) <= ATECC_KERNEL
#define ATECC_ECC_PRIV_DIGITS	1
#else
#define ATECC_ECC_PRIV_DIGITS	0
#endif

/*
 * 7.x moved hex2bin() and its kin from <linux/kernel.h> to <linux/hex.h>
 * (a version test, not __has_include, which sparse does not know).
 */
#if KERNEL_VERSION(7, 0, 0) <= ATECC_KERNEL
#include <linux/hex.h>
#endif

/*
 * sysfs binary attributes: the callbacks and the group's bin_attrs take a
 * const struct bin_attribute from 6.17 (6.13 to 6.16 had both kinds side
 * by side, as read_new/bin_attrs_new; checked on 6.12 and 7.3 only).
 */
#if KERNEL_VERSION(6, 17, 0) <= ATECC_KERNEL
#define atecc_bin_attr		const struct bin_attribute
#else
#define atecc_bin_attr		struct bin_attribute
#endif

/*
 * Signature algorithms: up to 6.12 ECDSA is an akcipher (sign and verify
 * on scatterlists, the verify input a DER signature followed by the
 * digest).  6.13 moved it to struct sig_alg (crypto/internal/sig.h):
 * synchronous calls on plain buffers, a raw struct ecdsa_raw_sig, with DER
 * decoded by the x962() template (checked on 7.3).  There the provider
 * ranks below the kernel's ecdsa-nist-p256-generic (100): see ecdsa.c.
 */
#if KERNEL_VERSION(6, 13, 0) <= ATECC_KERNEL
#define ATECC_SIG_ALG		1
#define ATECC_SIG_PRIORITY	50
#else
#define ATECC_SIG_ALG		0
#endif

#endif /* IOTSEC_COMPAT_H */
