// SPDX-License-Identifier: GPL-2.0
/*
 * The chip's RNG as a hwrng named "iotsec-<serial>".
 *
 * Each Random command gives 32 bytes; only those data bytes are handed on
 * (never the count, status or CRC around them).  While the config zone is
 * unlocked the chip answers Random with the fixed pattern FF FF 00 00...,
 * so the hwrng is registered only for a chip whose config zone is locked,
 * and the pattern is refused with -EIO should it ever appear anyway.
 *
 * While TempKey holds a key the kpp still needs (held for at most a few
 * seconds, see atecc_seq_state_hold()), no Random is sent: a read that may
 * not wait returns nothing, one that may waits RNG_DEFER_MS and returns
 * nothing, and the hwrng core asks again later.  Random's effect on
 * TempKey is not documented, so the driver counts it as destroying it.
 *
 * Quality 512 (half a bit of entropy credited per bit): the chip's RNG is a
 * DRBG fed by an internal noise source that the host cannot observe or
 * test, so full credit would rest on the vendor's word alone; half credit
 * still lets the chip help seed the kernel's pool early.
 */

#include <linux/hw_random.h>
#include <linux/kernel.h>
#include <linux/mutex.h>

#include "chip.h"
#include "cmd.h"
#include "rng.h"
#include "atecc/wire.h"

#define RNG_QUALITY		512
#define RNG_MAX_READ		(2 * ATECC_RANDOM_SIZE)
#define RNG_DEFER_MS		20	/* a waiting read's pause for TempKey */

/* Guards rng_registered and rng.name/closed of every chip. */
static DEFINE_MUTEX(rng_lock);

static int atecc_rng_read(struct hwrng *rng, void *data, size_t max,
			  bool wait)
{
	struct atecc_chip *chip = container_of(rng, struct atecc_chip, rng);
	size_t len = min_t(size_t, max, RNG_MAX_READ);
	int ret;

	if (!len)
		return 0;
	ret = atecc_random(chip, data, len, wait);
	if (ret == -EBUSY) {	/* chip busy, or its TempKey held */
		if (wait)
			hwrng_msleep(rng, RNG_DEFER_MS);
		return 0;
	}
	return ret ? ret : len;
}

/**
 * atecc_rng_register() - register the chip's hwrng if not yet done
 * @chip: a chip whose config zone is locked
 *
 * Failure only costs the hwrng; it is logged, not returned.  After
 * atecc_rng_unregister() the chip's hwrng is never registered again.
 */
void atecc_rng_register(struct atecc_chip *chip)
{
	int ret;

	mutex_lock(&rng_lock);
	if (chip->rng_registered || chip->rng_closed)
		goto out;
	snprintf(chip->rng_name, sizeof(chip->rng_name), "iotsec-%*phN",
		 ATECC_SN_SIZE, chip->serial);
	chip->rng.name = chip->rng_name;
	chip->rng.read = atecc_rng_read;
	chip->rng.quality = RNG_QUALITY;
	ret = hwrng_register(&chip->rng);
	if (ret)
		dev_err(chip->dev, "hwrng %s not registered (%pe)\n",
			chip->rng_name, ERR_PTR(ret));
	else
		chip->rng_registered = true;
out:
	mutex_unlock(&rng_lock);
}

/**
 * atecc_rng_unregister() - remove the hwrng (waits for readers to leave)
 * @chip: the chip; its lock must not be held (a reader may wait for it)
 */
void atecc_rng_unregister(struct atecc_chip *chip)
{
	mutex_lock(&rng_lock);
	chip->rng_closed = true;
	if (chip->rng_registered)
		hwrng_unregister(&chip->rng);
	chip->rng_registered = false;
	mutex_unlock(&rng_lock);
}
