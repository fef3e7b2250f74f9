// SPDX-License-Identifier: GPL-2.0
/*
 * Registration of the crypto providers, and the job runner behind their
 * requests.
 *
 * A request that carries CRYPTO_TFM_REQ_MAY_SLEEP runs at once in the
 * caller's context and returns its result.  Any other request (testmgr's,
 * Bluetooth's, anything from softirq) is queued on an unbound workqueue
 * and the call returns -EINPROGRESS; the worker completes it, with bottom
 * halves disabled like a hardware driver's completion.  Neither path ever
 * gives -EINPROGRESS or -EBUSY as a job's result (they mean "queued").
 */

#include <linux/bottom_half.h>
#include <linux/crypto.h>
#include <linux/err.h>
#include <linux/errno.h>
#include <linux/printk.h>
#include <linux/workqueue.h>

#include "crypto.h"

static struct workqueue_struct *atecc_crypto_wq;

/*
 * To a crypto API caller -EINPROGRESS and -EBUSY mean "queued"; as a
 * result of work that is over they would leave it waiting for ever.
 */
static int job_result(int err)
{
	if (err != -EINPROGRESS && err != -EBUSY)
		return err;
	pr_warn_ratelimited("a job ended with %pe, completed as -EIO\n",
			    ERR_PTR(err));
	return -EIO;
}

/*
 * Completions run with bottom halves disabled, as a hardware driver's
 * would (from its interrupt or tasklet): callers may rely on it.
 */
static void job_work(struct work_struct *work)
{
	struct atecc_job *job = container_of(work, struct atecc_job, work);
	int err = job_result(job->run(job));

	local_bh_disable();
	job->done(job, err);
	local_bh_enable();
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
		return job_result(job->run(job));
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
