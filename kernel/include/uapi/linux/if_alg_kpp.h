/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * AF_ALG "kpp" socket type (algif_kpp.ko): the constants of libkcapi's
 * kcapi_kpp_* wire protocol.  They extend <linux/if_alg.h>, which on 6.1
 * stops at ALG_SET_DRBG_ENTROPY (6) and ALG_OP_ENCRYPT (1).  The numbers
 * are libkcapi's (lib/internal.h), not those of the never-merged kernel
 * patch series, which used 6/7/8 for the three options.
 *
 * ALG_SET_PUBKEY (7) collides with ALG_SET_KEY_BY_KEY_SERIAL, which Linux
 * 6.2 added with the same value; algif_kpp never uses either.
 * ALG_SET_DH_PARAMETERS and ALG_SET_ECDH_CURVE are defined for libkcapi
 * compatibility only: on 6.1 af_alg.ko answers both with -ENOPROTOOPT
 * before an AF_ALG type can see them (Documentation/algif_kpp.rst).
 *
 * Usable from kernel and user space alike.
 */
#ifndef _UAPI_IOTSEC_IF_ALG_KPP_H
#define _UAPI_IOTSEC_IF_ALG_KPP_H

#include <linux/if_alg.h>

/* setsockopt(SOL_ALG) option names */
#ifndef ALG_SET_PUBKEY
#define ALG_SET_PUBKEY			7
#endif
#ifndef ALG_SET_DH_PARAMETERS
#define ALG_SET_DH_PARAMETERS		8
#endif
#ifndef ALG_SET_ECDH_CURVE
#define ALG_SET_ECDH_CURVE		9
#endif

/* ALG_SET_OP control-message operations */
#ifndef ALG_OP_KEYGEN
#define ALG_OP_KEYGEN			4
#endif
#ifndef ALG_OP_SSGEN
#define ALG_OP_SSGEN			5
#endif

#endif /* _UAPI_IOTSEC_IF_ALG_KPP_H */
