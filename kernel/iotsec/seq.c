// SPDX-License-Identifier: GPL-2.0
/*
 * Command sequences: one lock hold, one wake (re-woken only through idle,
 * which keeps TempKey), idle soon after the end.  And every chip flow the
 * rest of the module needs, each written once here: random bytes, the
 * config zone, GenKey (with its reruns), sign, verify, and the kpp's
 * GenKey into TempKey and ECDH from it.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "chip.h"
#include "cmd.h"
#include "i2c.h"
#include "timing.h"
#include "atecc/wire.h"

#define SEQ_RUNS		3	/* reruns after a lost TempKey */
#define GENKEY_RUNS		3	/* GenKey reruns after an ECC fault */
#define TEMPKEY_HOLD_MAX_MS	600000U

/*
 * How long after its GenKey a kpp key in TempKey keeps the driver's own
 * Random away.  The default is libiotsec's handshake timeout: a handshake
 * whose peer answers within it keeps its key, however busy the peer.
 */
static unsigned int tempkey_hold_ms = 30000;
module_param(tempkey_hold_ms, uint, 0644);
MODULE_PARM_DESC(tempkey_hold_ms,
		 "ms a kpp key in TempKey keeps the hwrng and the seed-update Random waiting (default 30000, at most 600000)");

/* The lock is held: go on unless the chip is gone. */
static int seq_locked(struct atecc_chip *chip)
{
	if (chip->dead) {
		mutex_unlock(&chip->lock);
		return -ENODEV;
	}
	atecc_i2c_resume(chip);
	return 0;
}

/**
 * atecc_seq_begin() - start a command sequence: take the chip
 * @chip: the chip
 *
 * The chip is woken by the first command, unless a recent sequence left it
 * awake.  Every atecc_cmd_*() call until atecc_seq_end() runs under this
 * one lock hold.
 *
 * Return: 0, -EINTR (signal while waiting), -ENODEV (chip removed).
 */
int atecc_seq_begin(struct atecc_chip *chip)
{
	if (mutex_lock_interruptible(&chip->lock))
		return -EINTR;
	return seq_locked(chip);
}

/**
 * atecc_seq_try_begin() - atecc_seq_begin() unless the chip is busy
 * @chip: the chip
 *
 * Return: 0, -EBUSY (someone else holds it), -ENODEV (chip removed).
 */
int atecc_seq_try_begin(struct atecc_chip *chip)
{
	if (!mutex_trylock(&chip->lock))
		return -EBUSY;
	return seq_locked(chip);
}

/**
 * atecc_seq_end() - end a sequence: unlock; the chip idles (TempKey kept)
 *	shortly after, unless another sequence comes first
 * @chip: the chip
 *
 * While TempKey holds a key someone is to use (atecc_seq_state_hold()),
 * the idle comes now: the idle work runs in a kworker, which a busy CPU
 * (real-time tasks, or a guest starved by its host) may hold off past the
 * chip's watchdog, and a chip that sleeps loses TempKey.  The next
 * sequence then costs a wake, about 2 ms.
 */
void atecc_seq_end(struct atecc_chip *chip)
{
	bool held = atecc_seq_state_valid(chip, chip->link.tk_hold);

	if (!chip->dead && held)
		atecc_i2c_idle(chip);
	else if (!chip->dead)
		atecc_i2c_idle_later(chip);
	mutex_unlock(&chip->lock);
}

/**
 * atecc_seq_reserve() - make room for commands that must share one wake
 * @chip: the chip, inside a sequence
 * @opcodes: the commands about to run
 * @n: how many
 *
 * Sums their datasheet maximum times; if the current wake cannot hold them
 * before the watchdog, the chip is re-woken now, before any state exists.
 *
 * Return: 0, or -ETIMEDOUT if they cannot fit in any wake.
 */
int atecc_seq_reserve(struct atecc_chip *chip, const u8 *opcodes,
		      unsigned int n)
{
	unsigned int i, ms = 0;

	for (i = 0; i < n; i++)
		ms += atecc_timing_max_ms(chip, opcodes[i]);
	return atecc_i2c_reserve(chip, ms);
}

/**
 * atecc_seq_state_ticket() - name what TempKey holds now
 * @chip: the chip, inside a sequence, right after the command that made
 *	TempKey (e.g. GenKey into TempKey)
 *
 * Return: a ticket for atecc_seq_state_valid(), 0 if TempKey is gone.
 */
u64 atecc_seq_state_ticket(struct atecc_chip *chip)
{
	struct atecc_link *l = &chip->link;

	lockdep_assert_held(&chip->lock);
	return l->tk_epoch == l->epoch ? l->tk_serial : 0;
}

/**
 * atecc_seq_state_valid() - does TempKey still hold what a ticket names
 * @chip: the chip, inside a (possibly later) sequence
 * @ticket: from atecc_seq_state_ticket()
 *
 * True when no command that may change TempKey has run, no command has
 * failed, and the chip has not slept since the ticket was taken.  Info,
 * Read and, on the 608, Nonce into the message digest buffer and Sign from
 * it leave TempKey alone (atecc_op_keeps_tempkey()); idle keeps it.
 *
 * Return: true when TempKey is still there.
 */
bool atecc_seq_state_valid(struct atecc_chip *chip, u64 ticket)
{
	struct atecc_link *l = &chip->link;

	lockdep_assert_held(&chip->lock);
	return ticket && ticket == l->tk_serial && l->tk_epoch == l->epoch;
}

/**
 * atecc_seq_state_hold() - ask the driver to spare a key in TempKey
 * @chip: the chip, inside the sequence that took @ticket
 * @ticket: from atecc_seq_state_ticket()
 *
 * For tempkey_hold_ms from now, as long as the ticket is valid, the
 * driver's own Random commands leave it alone: a signature leaves out its
 * seed-update Random and the hwrng waits (what Random does to TempKey is
 * not documented, so a Random voids the ticket).  Commands that change
 * TempKey for certain, sleep, the watchdog and errors still void it.  One
 * hold per chip: a new one replaces the old.
 */
void atecc_seq_state_hold(struct atecc_chip *chip, u64 ticket)
{
	struct atecc_link *l = &chip->link;

	lockdep_assert_held(&chip->lock);
	l->tk_hold = ticket;
	l->tk_lost = NULL;
	l->tk_held_at = ktime_get();
}

/**
 * atecc_seq_state_release() - end atecc_seq_state_hold() early
 * @chip: the chip (not inside a sequence)
 * @ticket: the ticket held; another chip user's hold is left alone
 */
void atecc_seq_state_release(struct atecc_chip *chip, u64 ticket)
{
	mutex_lock(&chip->lock);
	if (ticket && chip->link.tk_hold == ticket)
		chip->link.tk_hold = 0;
	mutex_unlock(&chip->lock);
}

/* A held TempKey key that the driver's own Random must spare. */
static bool tempkey_held(struct atecc_chip *chip)
{
	struct atecc_link *l = &chip->link;

	return atecc_seq_state_valid(chip, l->tk_hold) &&
	       ktime_ms_delta(ktime_get(), l->tk_held_at) <
	       min(READ_ONCE(tempkey_hold_ms), TEMPKEY_HOLD_MAX_MS);
}

/* An unlocked config zone makes Random return FF FF 00 00 repeated. */
static bool unlocked_pattern(const u8 *buf)
{
	unsigned int i;

	for (i = 0; i < ATECC_RANDOM_SIZE; i++)
		if (buf[i] != (i % 4 < 2 ? 0xff : 0x00))
			return false;
	return true;
}

static int random_fill(struct atecc_chip *chip, u8 *out, size_t len)
{
	u8 buf[ATECC_RANDOM_SIZE];
	size_t n;
	int ret = 0;

	while (len && !ret) {
		ret = atecc_cmd_random(chip, buf);
		if (!ret && unlocked_pattern(buf)) {
			dev_err_ratelimited(chip->dev,
					    "Random: the chip returns its fixed unlocked-config pattern, refusing it\n");
			ret = -EIO;
		}
		n = min_t(size_t, len, ATECC_RANDOM_SIZE);
		if (!ret)
			memcpy(out, buf, n);
		out += n;
		len -= n;
	}
	memzero_explicit(buf, sizeof(buf));
	return ret;
}

/**
 * atecc_random() - random bytes from the chip's Random command
 * @chip: the chip (not inside a sequence)
 * @out: @len bytes; only the 32 data bytes of each answer are used
 * @len: any length; one Random per 32 bytes, all in one sequence
 * @wait: if false and the chip is busy, return -EBUSY at once
 *
 * The fixed pattern an unlocked chip returns is refused with -EIO.  While
 * TempKey holds a key someone needs (atecc_seq_state_hold()), nothing is
 * sent and -EBUSY is returned: try again later.
 *
 * Return: 0, -EBUSY (chip busy, or a held TempKey), another errno.
 */
int atecc_random(struct atecc_chip *chip, u8 *out, size_t len, bool wait)
{
	int ret = wait ? atecc_seq_begin(chip) : atecc_seq_try_begin(chip);

	if (ret)
		return ret;
	ret = tempkey_held(chip) ? -EBUSY : random_fill(chip, out, len);
	atecc_seq_end(chip);
	return ret;
}

/**
 * atecc_read_config() - the config zone, from the driver's cache
 * @chip: the chip (not inside a sequence)
 * @config: 128 bytes
 *
 * For the world-readable ``config`` attribute: no command is sent (any
 * user could otherwise keep the chip busy) and the cache is not
 * rewritten.  The cache is read at probe and again, under the chip's lock,
 * by every provisioning step, so it is what the chip holds.
 *
 * Return: 0, -EINTR (signal while waiting), -ENODEV (chip removed).
 */
int atecc_read_config(struct atecc_chip *chip, u8 config[ATECC_CONFIG_SIZE])
{
	if (mutex_lock_interruptible(&chip->lock))
		return -EINTR;
	if (chip->dead) {
		mutex_unlock(&chip->lock);
		return -ENODEV;
	}
	memcpy(config, chip->config, ATECC_CONFIG_SIZE);
	mutex_unlock(&chip->lock);
	return 0;
}

static int keys_usable(struct atecc_chip *chip)
{
	if (chip->config_locked && chip->data_locked)
		return 0;
	dev_err_ratelimited(chip->dev,
			    "key use refused: the %s zone is not locked (provision the chip first)\n",
			    chip->config_locked ? "data" : "config");
	return -ENOKEY;
}

/* A P-256 private key slot whose SlotConfig has the bit @need. */
static int key_slot_ok(struct atecc_chip *chip, unsigned int slot, u16 need,
		       const char *what)
{
	u16 kc, sc;
	int ret;

	if (slot >= ATECC_NUM_SLOTS)
		return -EINVAL;
	ret = keys_usable(chip);
	if (ret)
		return ret;
	kc = atecc_key_config(chip, slot);
	sc = atecc_slot_config(chip, slot);
	if (!(kc & ATECC_KC_PRIVATE) ||
	    ATECC_KC_KEYTYPE(kc) != ATECC_KEYTYPE_P256) {
		dev_err_ratelimited(chip->dev,
				    "slot %u holds no P-256 private key (KeyConfig 0x%04x)\n",
				    slot, kc);
		return -ENOKEY;
	}
	if (!(sc & need)) {
		dev_err_ratelimited(chip->dev,
				    "slot %u does not allow %s (SlotConfig 0x%04x)\n",
				    slot, what, sc);
		return -EPERM;
	}
	return 0;
}

/**
 * atecc_genkey() - GenKey, rerun after ECC faults
 * @chip: the chip, inside a sequence
 * @mode: as for atecc_cmd_genkey()
 * @key_id: as for atecc_cmd_genkey()
 * @pubkey: as for atecc_cmd_genkey()
 *
 * An ECC fault means the chip drew an invalid key: it is asked again, up
 * to GENKEY_RUNS times in all.
 *
 * Return: 0 or a negative errno, as for atecc_cmd_genkey().
 */
int atecc_genkey(struct atecc_chip *chip, u8 mode, u16 key_id,
		 u8 pubkey[ATECC_PUBKEY_SIZE])
{
	int ret, run = 0;

	do
		ret = atecc_cmd_genkey(chip, mode, key_id, pubkey);
	while (ret == -EAGAIN && ++run < GENKEY_RUNS);
	return ret;
}

/**
 * atecc_genkey_public() - the public key of a stored private key
 * @chip: the chip (not inside a sequence)
 * @slot: private-key slot whose KeyConfig has PubInfo set
 * @pubkey: X || Y
 *
 * Return: 0; -ENOKEY when the chip is not provisioned; other errors.
 */
int atecc_genkey_public(struct atecc_chip *chip, unsigned int slot,
			u8 pubkey[ATECC_PUBKEY_SIZE])
{
	int ret;

	if (slot >= ATECC_NUM_SLOTS)
		return -EINVAL;
	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	ret = keys_usable(chip);
	if (!ret)
		ret = atecc_cmd_genkey(chip, ATECC_GENKEY_PUBLIC, slot, pubkey);
	atecc_seq_end(chip);
	return ret;
}

/*
 * 508A: Random (as Microchip's library does), Nonce pass-through into
 * TempKey, Sign external from TempKey.
 * 608: the digest goes to the message digest buffer (Nonce 0x43) and Sign
 * takes it from there (0xA0), which leaves TempKey alone; a seed-update
 * Random comes first only while the chip has had none since probe (it may
 * write EEPROM, see atecc_cmd_random()), and not while TempKey holds a key
 * someone needs (atecc_seq_state_hold()), since what Random does to
 * TempKey is not documented.
 */
static int sign_once(struct atecc_chip *chip, unsigned int slot,
		     const u8 *digest, u8 *sig)
{
	bool msgdig = chip->model != ATECC508A;
	bool seed = !msgdig || (!chip->link.seeded && !tempkey_held(chip));
	u8 rnd[ATECC_RANDOM_SIZE];
	u8 ops[3];
	unsigned int n = 0;
	int ret;

	if (seed)
		ops[n++] = ATECC_OP_RANDOM;
	ops[n++] = ATECC_OP_NONCE;
	ops[n++] = ATECC_OP_SIGN;
	ret = atecc_seq_reserve(chip, ops, n);
	if (!ret && seed)
		ret = atecc_cmd_random(chip, rnd);
	if (!ret)
		ret = msgdig ? atecc_cmd_nonce_msgdig(chip, digest) :
			       atecc_cmd_nonce_passthrough(chip, digest);
	if (!ret)
		ret = atecc_cmd_sign_external(chip, slot, msgdig, sig);
	memzero_explicit(rnd, sizeof(rnd));
	return ret;
}

/**
 * atecc_sign_digest() - ECDSA P-256 signature of a digest with a slot key
 * @chip: the chip (not inside a sequence)
 * @slot: private-key slot allowing external signing
 * @digest: 32 bytes (e.g. SHA-256 of the message)
 * @sig: R || S
 *
 * In one wake: Random, Nonce pass-through, Sign on a 508A; on a 608 the
 * digest goes through the message digest buffer and TempKey is left alone
 * (see sign_once()).  Rerun if the digest was lost.
 *
 * Return: 0; -ENOKEY (chip not provisioned, no key in the slot); -EPERM
 * (the slot may not sign); other errors from the chip or the bus.
 */
int atecc_sign_digest(struct atecc_chip *chip, unsigned int slot,
		      const u8 digest[ATECC_KEY_SIZE], u8 sig[ATECC_SIG_SIZE])
{
	int ret, run;

	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	ret = key_slot_ok(chip, slot, ATECC_SC_EXT_SIGN, "external signing");
	run = 0;
	if (!ret)
		do
			ret = sign_once(chip, slot, digest, sig);
		while (ret == -EAGAIN && ++run < SEQ_RUNS);
	atecc_seq_end(chip);
	return ret;
}

/**
 * atecc_genkey_tempkey() - a new key pair whose private key stays in TempKey
 * @chip: the chip (not inside a sequence); a 608
 * @pubkey: the public key X || Y
 * @ticket: set on success: the ticket of that TempKey
 *	(atecc_seq_state_ticket()), held (atecc_seq_state_hold())
 *
 * For atecc_ecdh_tempkey(), in a later sequence.
 *
 * Return: 0; -EAGAIN when TempKey was already lost again; other errors.
 */
int atecc_genkey_tempkey(struct atecc_chip *chip,
			 u8 pubkey[ATECC_PUBKEY_SIZE], u64 *ticket)
{
	int ret = atecc_seq_begin(chip);

	if (ret)
		return ret;
	ret = atecc_genkey(chip, ATECC_GENKEY_PRIVATE, ATECC_KEYID_TEMPKEY,
			   pubkey);
	if (!ret) {
		*ticket = atecc_seq_state_ticket(chip);
		atecc_seq_state_hold(chip, *ticket);
	}
	atecc_seq_end(chip);
	if (!ret && !*ticket)
		ret = -EAGAIN;
	return ret;
}

/* One line for a kpp key found gone: what voided it, and when. */
static void ecdh_lost_log(struct atecc_chip *chip, u64 ticket)
{
	struct atecc_link *l = &chip->link;
	const char *why, *op;

	lockdep_assert_held(&chip->lock);
	if (ticket != l->tk_hold) {	/* released, or another key's hold */
		dev_warn_ratelimited(chip->dev,
				     "ECDH refused (-EKEYEXPIRED): the ephemeral key left TempKey after its hold ended\n");
		return;
	}
	why = l->tk_lost ? l->tk_lost : "the chip lost it";
	op = l->tk_lost_op ? l->tk_lost_op : "";
	dev_warn_ratelimited(chip->dev,
			     "ECDH refused (-EKEYEXPIRED): the ephemeral key left TempKey: %s%s (GenKey %lld ms before)\n",
			     why, op, ktime_ms_delta(ktime_get(), l->tk_held_at));
}

/**
 * atecc_ecdh_tempkey() - ECDH with the key atecc_genkey_tempkey() made
 * @chip: the chip (not inside a sequence)
 * @ticket: from atecc_genkey_tempkey()
 * @peer: peer public key X || Y
 * @secret: the shared secret
 *
 * Only if TempKey still holds the key the ticket names; the chip uses the
 * key up either way (ECDH from TempKey invalidates it).
 *
 * Return: 0; -EKEYEXPIRED when TempKey no longer holds that key (nothing
 * was computed with another one); -EINTR before anything was sent; other
 * errors.
 */
int atecc_ecdh_tempkey(struct atecc_chip *chip, u64 ticket,
		       const u8 peer[ATECC_PUBKEY_SIZE],
		       u8 secret[ATECC_KEY_SIZE])
{
	size_t len = 0;
	int ret;

	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	if (!atecc_seq_state_valid(chip, ticket))
		ret = -EKEYEXPIRED;
	else
		ret = atecc_cmd_ecdh(chip, ATECC_ECDH_SRC_TEMPKEY |
				     ATECC_ECDH_DST_OUTPUT, 0, peer, secret,
				     &len);
	if (ret == -EAGAIN)	/* TempKey lost under the command */
		ret = -EKEYEXPIRED;
	if (ret == -EKEYEXPIRED)
		ecdh_lost_log(chip, ticket);
	atecc_seq_end(chip);
	if (!ret && len != ATECC_KEY_SIZE)
		ret = -EPROTO;
	return ret;
}
