// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the crypto providers, and the job runner behind their
 * requests.
 *
 * A request that carries CRYPTO_TFM_REQ_MAY_SLEEP runs at once in the
 * caller's context and returns its result.  Any other request (testmgr's,
 * Bluetooth's, anything from softirq) is queued on an unbound workqueue
 * and the call returns -EINPROGRESS; the worker completes it.
 */

#include <linux/crypto.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/workqueue.h>

#include "crypto.h"

static struct workqueue_struct *atecc_crypto_wq;

static void job_work(struct work_struct *work)
{
	struct atecc_job *job = container_of(work, struct atecc_job, work);

	job->done(job, job->run(job));
}

/**
 * atecc_job_submit() - run a request's job now or on the workqueue
 * @job: the job, inside the request's context
 * @req_flags: the request's flags (crypto_async_request.flags)
 *
 * Return: the job's result when it ran at once; -EINPROGRESS when it was
 * queued (@job->done() completes the request later).
 */
int atecc_job_submit(struct atecc_job *job, u32 req_flags)
{
	if (req_flags & CRYPTO_TFM_REQ_MAY_SLEEP)
		return job->run(job);
	INIT_WORK(&job->work, job_work);
	queue_work(atecc_crypto_wq, &job->work);
	return -EINPROGRESS;
}

/**
 * atecc_crypto_init() - register ecdh-nist-p256 and ecdsa-nist-p256
 *
 * Each registration runs the crypto manager's self-tests, and this waits
 * for them.  They must not meet a chip (main.c registers these first).
 *
 * Return: 0 or a negative errno (nothing stays registered).
 */
int atecc_crypto_init(void)
{
	int ret;

	atecc_crypto_wq = alloc_workqueue("iotsec_crypto", WQ_UNBOUND, 0);
	if (!atecc_crypto_wq)
		return -ENOMEM;
	ret = atecc_kpp_register();
	if (ret) {
		pr_err("registering ecdh-nist-p256 failed (%pe)\n",
		       ERR_PTR(ret));
		goto err_wq;
	}
	ret = atecc_sig_register();
	if (ret) {
		pr_err("registering ecdsa-nist-p256 failed (%pe)\n",
		       ERR_PTR(ret));
		goto err_kpp;
	}
	/*
	 * 6.1 waits for the self-tests inside each registration; 7.3 only
	 * schedules them, and a lookup by name waits for them.  Wait here,
	 * before main.c registers the chip driver, so that the tests never
	 * meet a chip (an ECDH test vector without a private key would
	 * generate one in a chip's TempKey).
	 */
	if (!crypto_has_alg("ecdh-nist-p256-iotsec", 0, 0) ||
	    !crypto_has_alg("ecdsa-nist-p256-iotsec", 0, 0))
		pr_warn("a provider failed its self-tests\n");
	return 0;

err_kpp:
	atecc_kpp_unregister();
err_wq:
	destroy_workqueue(atecc_crypto_wq);
	return ret;
}

/**
 * atecc_crypto_exit() - unregister both algorithms
 *
 * Every transform holds a module reference, so no request is in flight by
 * the time module exit runs.
 */
void atecc_crypto_exit(void)
{
	atecc_sig_unregister();
	atecc_kpp_unregister();
	destroy_workqueue(atecc_crypto_wq);
}
