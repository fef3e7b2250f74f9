/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel crypto API providers: kpp ecdh-nist-p256 (kpp.c) and
 * ecdsa-nist-p256 (sig.c: akcipher on 6.1, sig_alg from 6.13), registered
 * once at module init, and the job runner their requests share: chip
 * commands sleep, so a request that may not sleep runs on a workqueue and
 * completes asynchronously.  Documentation/crypto-providers.rst.
 */
#ifndef IOTSEC_CRYPTO_H
#define IOTSEC_CRYPTO_H

#include <linux/types.h>
#include <linux/workqueue.h>

#define ATECC_CRYPTO_PRIORITY	300	/* generic ecdh/ecdsa: 100 */

/**
 * struct atecc_job - one crypto request's work, run where it may sleep
 * @work: for the workqueue
 * @run: does the work; returns 0 or a negative errno
 * @done: completes the request with @run's result (workqueue path only)
 */
struct atecc_job {
	struct work_struct work;
	int (*run)(struct atecc_job *job);
	void (*done)(struct atecc_job *job, int err);
};

int atecc_job_submit(struct atecc_job *job, u32 req_flags);

int atecc_crypto_init(void);
void atecc_crypto_exit(void);

int atecc_kpp_register(void);
void atecc_kpp_unregister(void);
int atecc_sig_register(void);
void atecc_sig_unregister(void);

#endif /* IOTSEC_CRYPTO_H */
