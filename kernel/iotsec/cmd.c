// SPDX-License-Identifier: GPL-2.0
/*
 * One function per chip command: build the packet fields, run it through
 * the transport, hand back the answer.  The caller holds a sequence
 * (atecc_seq_begin()); nothing here takes locks or sleeps by itself.
 */

#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "chip.h"
#include "cmd.h"
#include "atecc/crc.h"
#include "i2c.h"
#include "atecc/wire.h"

/**
 * atecc_addr_config() - Read/Write param2 for a config zone byte offset
 * @offset: 0-127; the 4-byte word (or 32-byte block) holding it is addressed
 *
 * Return: the param2 value.
 */
u16 atecc_addr_config(unsigned int offset)
{
	return (offset / ATECC_BLOCK) << ATECC_ADDR_BLOCK_SHIFT |
	       (offset % ATECC_BLOCK) / ATECC_WORD;
}

/**
 * atecc_addr_data() - Read/Write param2 for a byte offset in a data slot
 * @slot: 0-15
 * @offset: byte offset in the slot; block = offset / 32, word in the block
 *	= (offset % 32) / 4
 *
 * Return: the param2 value.
 */
u16 atecc_addr_data(unsigned int slot, unsigned int offset)
{
	return (offset / ATECC_BLOCK) << ATECC_ADDR_DATA_BLOCK_SHIFT |
	       slot << ATECC_ADDR_SLOT_SHIFT |
	       (offset % ATECC_BLOCK) / ATECC_WORD;
}

/**
 * atecc_cmd_info_revision() - Info mode 0: the device revision
 * @chip: the chip, inside a sequence
 * @rev: 00 00 50 00 (508A), 00 00 60 02 (608A), 00 00 60 03 (608B)...
 *
 * Return: 0 or a negative errno.
 */
int atecc_cmd_info_revision(struct atecc_chip *chip, u8 rev[4])
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_INFO,
		.param1 = ATECC_INFO_REVISION,
		.out = rev,
		.out_len = 4,
	};

	return atecc_i2c_execute(chip, &cmd);
}

static bool zone_len_ok(u8 zone, size_t len)
{
	return (zone & ~ATECC_ZONE_MASK) == 0 && zone != ATECC_ZONE_MASK &&
	       (len == ATECC_WORD || len == ATECC_BLOCK);
}

/**
 * atecc_cmd_read() - Read 4 or 32 bytes in the clear
 * @chip: the chip, inside a sequence
 * @zone: ATECC_ZONE_CONFIG, _OTP or _DATA
 * @addr: from atecc_addr_config() or atecc_addr_data() (OTP offsets are
 *	encoded as config ones)
 * @buf: @len bytes
 * @len: 4 or 32
 *
 * Return: 0; -EPERM when the zone or slot may not be read (e.g. data before
 * the data zone is locked, a secret slot); -EINVAL for bad arguments.
 */
int atecc_cmd_read(struct atecc_chip *chip, u8 zone, u16 addr, u8 *buf,
		   size_t len)
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_READ,
		.param1 = zone | (len == ATECC_BLOCK ? ATECC_ZONE_32 : 0),
		.param2 = addr,
		.out = buf,
		.out_len = len,
	};

	if (!zone_len_ok(zone, len))
		return -EINVAL;
	return atecc_i2c_execute(chip, &cmd);
}

/**
 * atecc_cmd_write() - Write 4 or 32 bytes in the clear
 * @chip: the chip, inside a sequence
 * @zone: ATECC_ZONE_CONFIG, _OTP or _DATA
 * @addr: as for atecc_cmd_read()
 * @buf: @len bytes
 * @len: 4 or 32
 *
 * Return: 0; -EPERM when the zone, slot or lock state forbids the write.
 */
int atecc_cmd_write(struct atecc_chip *chip, u8 zone, u16 addr,
		    const u8 *buf, size_t len)
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_WRITE,
		.param1 = zone | (len == ATECC_BLOCK ? ATECC_ZONE_32 : 0),
		.param2 = addr,
		.data = buf,
		.data_len = len,
	};

	if (!zone_len_ok(zone, len))
		return -EINVAL;
	return atecc_i2c_execute(chip, &cmd);
}

/**
 * atecc_cmd_read_config() - the whole config zone, as four 32-byte Reads
 * @chip: the chip, inside a sequence
 * @config: 128 bytes
 *
 * Return: 0 or a negative errno.
 */
int atecc_cmd_read_config(struct atecc_chip *chip,
			  u8 config[ATECC_CONFIG_SIZE])
{
	unsigned int off;
	int ret = 0;

	for (off = 0; off < ATECC_CONFIG_SIZE && !ret; off += ATECC_BLOCK)
		ret = atecc_cmd_read(chip, ATECC_ZONE_CONFIG,
				     atecc_addr_config(off), config + off,
				     ATECC_BLOCK);
	return ret;
}

static int lock(struct atecc_chip *chip, u8 mode, u16 summary)
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_LOCK,
		.param1 = mode,
		.param2 = summary,
	};

	return atecc_i2c_execute(chip, &cmd);
}

/**
 * atecc_cmd_lock_config() - lock the config zone, for ever
 * @chip: the chip, inside a sequence
 * @config: the 128 bytes the chip is expected to hold (bytes 86/87 still
 *	0x55); their CRC goes along and the chip refuses the lock if its own
 *	content differs
 *
 * Return: 0; -EPERM when already locked or the content differs (a chip
 * answering miscompare instead gives -EBADMSG).
 */
int atecc_cmd_lock_config(struct atecc_chip *chip,
			  const u8 config[ATECC_CONFIG_SIZE])
{
	return lock(chip, ATECC_LOCK_CONFIG,
		    atecc_crc16(config, ATECC_CONFIG_SIZE));
}

/**
 * atecc_cmd_lock_data() - lock the data and OTP zones, for ever
 * @chip: the chip, inside a sequence
 *
 * Sent without a summary: which bytes the data-zone CRC covers is not
 * documented publicly.
 *
 * Return: 0; -EPERM when already locked or the config zone is not.
 */
int atecc_cmd_lock_data(struct atecc_chip *chip)
{
	return lock(chip, ATECC_LOCK_DATA | ATECC_LOCK_NOCRC, 0);
}

/**
 * atecc_cmd_lock_slot() - lock one slot (its KeyConfig must be Lockable)
 * @chip: the chip, inside a sequence
 * @slot: 0-15
 *
 * Return: 0; -EPERM when the slot is not lockable or already locked.
 */
int atecc_cmd_lock_slot(struct atecc_chip *chip, unsigned int slot)
{
	if (slot >= ATECC_NUM_SLOTS)
		return -EINVAL;
	return lock(chip, ATECC_LOCK_SLOT | slot << ATECC_LOCK_SLOT_SHIFT, 0);
}

/**
 * atecc_cmd_random() - Random: 32 bytes
 * @chip: the chip, inside a sequence
 * @out: the 32 random bytes; while the config zone is unlocked the chip
 *	returns FF FF 00 00 repeated instead (see atecc_random())
 *
 * Mode 0 (seed update) may write the RNG seed to EEPROM, mode 1 uses the
 * stored seed (Documentation/atecc608.rst, "The RNG seed"): mode 0 is sent
 * once per chip after probe, until it has succeeded; mode 1 after that.
 *
 * Return: 0 or a negative errno.
 */
int atecc_cmd_random(struct atecc_chip *chip, u8 out[ATECC_RANDOM_SIZE])
{
	bool seed = !chip->link.seeded;
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_RANDOM,
		.param1 = seed ? ATECC_NONCE_RANDOM : ATECC_NONCE_RANDOM_NOSEED,
		.out = out,
		.out_len = ATECC_RANDOM_SIZE,
	};
	int ret = atecc_i2c_execute(chip, &cmd);

	/* an unlocked chip's fixed pattern comes from no seed at all */
	if (!ret && seed && chip->config_locked)
		chip->link.seeded = true;
	return ret;
}

static int nonce_load(struct atecc_chip *chip, u8 mode, const u8 *in)
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_NONCE,
		.param1 = mode,
		.data = in,
		.data_len = ATECC_KEY_SIZE,
	};

	return atecc_i2c_execute(chip, &cmd);
}

/**
 * atecc_cmd_nonce_passthrough() - load 32 bytes (a digest) into TempKey
 * @chip: the chip, inside a sequence
 * @in: the value
 *
 * Return: 0 or a negative errno.
 */
int atecc_cmd_nonce_passthrough(struct atecc_chip *chip,
				const u8 in[ATECC_KEY_SIZE])
{
	return nonce_load(chip, ATECC_NONCE_PASSTHROUGH, in);
}

/**
 * atecc_cmd_nonce_msgdig() - load 32 bytes (a digest) into the message
 *	digest buffer (608; Nonce mode 0x43); TempKey is left alone
 * @chip: the chip, inside a sequence
 * @in: the value
 *
 * Return: 0 or a negative errno (-EINVAL, a parse error, on a 508A).
 */
int atecc_cmd_nonce_msgdig(struct atecc_chip *chip,
			   const u8 in[ATECC_KEY_SIZE])
{
	return nonce_load(chip, ATECC_NONCE_MSGDIG, in);
}

/**
 * atecc_cmd_genkey() - GenKey
 * @chip: the chip, inside a sequence
 * @mode: ATECC_GENKEY_PRIVATE (new key) or ATECC_GENKEY_PUBLIC (public key
 *	of the stored one)
 * @key_id: slot, or ATECC_KEYID_TEMPKEY (608 only) for an ephemeral key
 *	that stays in TempKey
 * @pubkey: the 64-byte public key X || Y; NULL for digest-only modes
 *
 * Return: 0; -EPERM when the slot's config or lock forbids it; -EAGAIN
 * after repeated ECC faults (the chip drew an invalid key: try again).
 */
int atecc_cmd_genkey(struct atecc_chip *chip, u8 mode, u16 key_id,
		     u8 pubkey[ATECC_PUBKEY_SIZE])
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_GENKEY,
		.param1 = mode,
		.param2 = key_id,
		.out = pubkey,
		.out_len = pubkey ? ATECC_PUBKEY_SIZE : 0,
	};

	return atecc_i2c_execute(chip, &cmd);
}

/**
 * atecc_cmd_sign_external() - sign a digest loaded by Nonce with a slot key
 * @chip: the chip, inside a sequence, after atecc_cmd_nonce_passthrough()
 *	(digest in TempKey) or atecc_cmd_nonce_msgdig() (608)
 * @slot: private-key slot allowing external signing
 * @msgdig: the digest is in the message digest buffer (mode 0xA0, 608;
 *	TempKey is left alone), else in TempKey (mode 0x80)
 * @sig: R || S, 64 bytes
 *
 * Return: 0; -EPERM (slot config, digest not loaded); -EAGAIN when the
 * chip lost the digest since the Nonce: rerun the sequence.
 */
int atecc_cmd_sign_external(struct atecc_chip *chip, unsigned int slot,
			    bool msgdig, u8 sig[ATECC_SIG_SIZE])
{
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_SIGN,
		.param1 = ATECC_SIGN_EXTERNAL |
			  (msgdig ? ATECC_SIGN_SRC_MSGDIG : 0),
		.param2 = slot,
		.out = sig,
		.out_len = ATECC_SIG_SIZE,
		.flags = ATECC_CMD_USES_STATE,
	};

	if (slot >= ATECC_NUM_SLOTS)
		return -EINVAL;
	return atecc_i2c_execute(chip, &cmd);
}

/**
 * atecc_cmd_ecdh() - ECDH with a peer public key
 * @chip: the chip, inside a sequence
 * @mode: bit 0 private key from TempKey (after GenKey into TempKey, 608),
 *	bit 1 encrypted output, bits 3:2 destination (ATECC_ECDH_COMPAT:
 *	clear output or slot|1 by the slot's WriteECDH bit;
 *	ATECC_ECDH_DST_OUTPUT; ATECC_ECDH_DST_TEMPKEY; 0x04 slot)
 * @key_id: private-key slot (0 when the key is in TempKey)
 * @peer: peer public key X || Y
 * @out: the secret: 32 bytes, 64 when encrypted (secret || nonce); may be
 *	NULL when @mode sends it to TempKey or a slot
 * @out_len: set to the bytes returned (0 when the chip kept the secret)
 *
 * Return: 0; -EPERM (slot policy, invalid peer point); -EAGAIN when the
 *	key was in TempKey and TempKey was lost; other errors.
 */
int atecc_cmd_ecdh(struct atecc_chip *chip, u8 mode, u16 key_id,
		   const u8 peer[ATECC_PUBKEY_SIZE], u8 *out, size_t *out_len)
{
	u8 dst = mode & ATECC_ECDH_DST_MASK;
	struct atecc_cmd cmd = {
		.opcode = ATECC_OP_ECDH,
		.param1 = mode,
		.param2 = key_id,
		.data = peer,
		.data_len = ATECC_PUBKEY_SIZE,
		.out = out,
	};
	int ret;

	if (dst == ATECC_ECDH_COMPAT || dst == ATECC_ECDH_DST_OUTPUT)
		cmd.out_len = mode & ATECC_ECDH_ENCRYPT ? 2 * ATECC_KEY_SIZE :
						    ATECC_KEY_SIZE;
	if (dst == ATECC_ECDH_COMPAT)
		cmd.flags |= ATECC_CMD_STATUS_OK;
	if (mode & ATECC_ECDH_SRC_TEMPKEY)
		cmd.flags |= ATECC_CMD_USES_STATE;
	if (cmd.out_len && !out)
		return -EINVAL;
	ret = atecc_i2c_execute(chip, &cmd);
	if (!ret && out_len)
		*out_len = cmd.rsp_len;
	return ret;
}

