// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: Read, Write and Lock on the config, OTP and data zones, with
 * the lock rules of the real part: config always readable and writable
 * only while unlocked (never bytes 0-15 and 84-87); data and OTP written
 * only after the config lock, read only after the data lock; private keys
 * never read, secret slots not read in the clear (encrypted I/O is not
 * modelled).
 */

#include <asm/unaligned.h>
#include <linux/string.h>

#include "atecc/crc.h"
#include "sim.h"

struct sim_addr {
	u8 zone;
	u8 *base;		/* zone or slot start */
	unsigned int off;	/* byte offset from base */
	unsigned int len;	/* 4 or 32 */
	unsigned int slot;	/* data zone only */
};

static unsigned int sim_addr_off(u16 block, u16 offset, unsigned int len)
{
	return block * ATECC_BLOCK + (len == ATECC_WORD ? offset * ATECC_WORD : 0);
}

static u8 sim_addr_small(struct sim_chip *chip, u16 p2, struct sim_addr *a)
{
	unsigned int size;

	if (p2 & ~ATECC_ADDR_SMALL_MASK)
		return ATECC_ST_PARSE;
	a->off = sim_addr_off(p2 >> ATECC_ADDR_BLOCK_SHIFT,
			      p2 & ATECC_ADDR_WORD_MASK, a->len);
	if (a->zone == ATECC_ZONE_CONFIG) {
		a->base = chip->config;
		size = ATECC_CONFIG_SIZE;
	} else {
		a->base = chip->otp;
		size = ATECC_OTP_SIZE;
	}
	return a->off + a->len <= size ? ATECC_ST_SUCCESS : ATECC_ST_PARSE;
}

static u8 sim_addr_data(struct sim_chip *chip, u16 p2, struct sim_addr *a)
{
	if (p2 & ATECC_ADDR_DATA_RSVD)
		return ATECC_ST_PARSE;
	a->slot = (p2 >> ATECC_ADDR_SLOT_SHIFT) & (ATECC_NUM_SLOTS - 1);
	a->off = sim_addr_off(p2 >> ATECC_ADDR_DATA_BLOCK_SHIFT,
			      p2 & ATECC_ADDR_WORD_MASK, a->len);
	a->base = &chip->data[sim_slot_offset(a->slot)];
	if (a->off + a->len > sim_slot_size(a->slot))
		return ATECC_ST_PARSE;
	return ATECC_ST_SUCCESS;
}

/* Decodes param1 (zone, size) and param2 (address) of Read and Write */
static u8 sim_addr_decode(struct sim_chip *chip, struct sim_job *job,
			  struct sim_addr *a)
{
	a->zone = job->p1 & ATECC_ZONE_MASK;
	a->len = job->p1 & ATECC_ZONE_32 ? ATECC_BLOCK : ATECC_WORD;
	switch (a->zone) {
	case ATECC_ZONE_CONFIG:
	case ATECC_ZONE_OTP:
		return sim_addr_small(chip, job->p2, a);
	case ATECC_ZONE_DATA:
		return sim_addr_data(chip, job->p2, a);
	default:
		return ATECC_ST_PARSE;
	}
}

static u8 sim_read_allowed(struct sim_chip *chip, const struct sim_addr *a)
{
	if (a->zone == ATECC_ZONE_CONFIG)
		return ATECC_ST_SUCCESS;
	if (!sim_data_locked(chip))
		return ATECC_ST_EXEC;
	if (a->zone == ATECC_ZONE_OTP)
		return ATECC_ST_SUCCESS;
	if (sim_key_config(chip, a->slot) & ATECC_KC_PRIVATE)
		return ATECC_ST_EXEC;
	if (sim_slot_config(chip, a->slot) & ATECC_SC_IS_SECRET)
		return ATECC_ST_EXEC;
	return ATECC_ST_SUCCESS;
}

u8 sim_cmd_read(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_addr a;
	u8 st;

	if (job->len || (job->p1 & ~(ATECC_ZONE_MASK | ATECC_ZONE_32)))
		return ATECC_ST_PARSE;
	st = sim_addr_decode(chip, job, &a);
	if (st)
		return st;
	st = sim_read_allowed(chip, &a);
	if (st)
		return st;
	memcpy(job->rsp, a.base + a.off, a.len);
	job->rsp_len = a.len;
	return ATECC_ST_SUCCESS;
}

static bool sim_cfg_protected(unsigned int byte)
{
	return byte < ATECC_CFG_I2C_ADDRESS ||
	       (byte >= ATECC_CFG_USER_EXTRA && byte <= ATECC_CFG_LOCK_CONFIG);
}

/* A 4-byte write of a protected word fails; a block skips those bytes. */
static u8 sim_write_config(struct sim_chip *chip, const struct sim_addr *a,
			   const u8 *in)
{
	unsigned int i;

	if (sim_config_locked(chip))
		return ATECC_ST_EXEC;
	if (a->len == ATECC_WORD && sim_cfg_protected(a->off))
		return ATECC_ST_EXEC;
	for (i = 0; i < a->len; i++)
		if (!sim_cfg_protected(a->off + i))
			chip->config[a->off + i] = in[i];
	return ATECC_ST_SUCCESS;
}

static u8 sim_data_write_allowed(struct sim_chip *chip,
				 const struct sim_addr *a)
{
	u16 sc = sim_slot_config(chip, a->slot);

	if (!sim_config_locked(chip))
		return ATECC_ST_EXEC;
	if (!sim_data_locked(chip))
		return ATECC_ST_SUCCESS;
	if (sim_key_config(chip, a->slot) & ATECC_KC_PRIVATE)
		return ATECC_ST_EXEC;
	if (sc & ATECC_SC_WC_MASK)	/* only WriteConfig "Always" */
		return ATECC_ST_EXEC;
	if (sim_slot_locked(chip, a->slot))
		return ATECC_ST_EXEC;
	if ((sc & ATECC_SC_IS_SECRET) && a->len != ATECC_BLOCK)
		return ATECC_ST_EXEC;
	return ATECC_ST_SUCCESS;
}

/* OTP: written after the config lock, read-only after the data lock */
static u8 sim_write_otp_allowed(struct sim_chip *chip)
{
	if (!sim_config_locked(chip) || sim_data_locked(chip))
		return ATECC_ST_EXEC;
	return ATECC_ST_SUCCESS;
}

static u8 sim_write_zone(struct sim_chip *chip, const struct sim_addr *a,
			 const u8 *in)
{
	u8 st;

	if (a->zone == ATECC_ZONE_CONFIG)
		return sim_write_config(chip, a, in);
	if (a->zone == ATECC_ZONE_OTP)
		st = sim_write_otp_allowed(chip);
	else
		st = sim_data_write_allowed(chip, a);
	if (st)
		return st;
	memcpy(a->base + a->off, in, a->len);
	return ATECC_ST_SUCCESS;
}

u8 sim_cmd_write(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_addr a;
	u8 st;

	/* Encrypted writes (bit 6, with a MAC) are not modelled */
	if (job->p1 & ~(ATECC_ZONE_MASK | ATECC_ZONE_32))
		return ATECC_ST_PARSE;
	st = sim_addr_decode(chip, job, &a);
	if (st)
		return st;
	if (job->len != a.len)
		return ATECC_ST_PARSE;
	st = sim_write_zone(chip, &a, job->data);
	if (!st)
		chip->cnt.eeprom_writes++;
	return st;
}

static u8 sim_lock_config(struct sim_chip *chip, struct sim_job *job)
{
	if (sim_config_locked(chip))
		return ATECC_ST_EXEC;
	if (!(job->p1 & ATECC_LOCK_NOCRC) &&
	    job->p2 != atecc_crc16(chip->config, ATECC_CONFIG_SIZE))
		return ATECC_ST_EXEC;
	chip->config[ATECC_CFG_LOCK_CONFIG] = ATECC_LOCKED;
	return ATECC_ST_SUCCESS;
}

/* Data-zone summary: CRC over all slots in order, then the OTP zone */
static int sim_data_crc(struct sim_chip *chip, u16 *crc)
{
	u8 *buf = sim_kzalloc(ATECC_DATA_SIZE + ATECC_OTP_SIZE);

	if (!buf)
		return -ENOMEM;
	memcpy(buf, chip->data, ATECC_DATA_SIZE);
	memcpy(buf + ATECC_DATA_SIZE, chip->otp, ATECC_OTP_SIZE);
	*crc = atecc_crc16(buf, ATECC_DATA_SIZE + ATECC_OTP_SIZE);
	sim_kfree(buf);
	return 0;
}

static u8 sim_lock_data(struct sim_chip *chip, struct sim_job *job)
{
	u16 crc;

	if (!sim_config_locked(chip) || sim_data_locked(chip))
		return ATECC_ST_EXEC;
	if (!(job->p1 & ATECC_LOCK_NOCRC)) {
		if (sim_data_crc(chip, &crc) || job->p2 != crc)
			return ATECC_ST_EXEC;
	}
	chip->config[ATECC_CFG_LOCK_VALUE] = ATECC_LOCKED;
	return ATECC_ST_SUCCESS;
}

static u8 sim_lock_slot(struct sim_chip *chip, struct sim_job *job)
{
	unsigned int slot = (job->p1 & ATECC_LOCK_SLOT_BITS) >> ATECC_LOCK_SLOT_SHIFT;
	u16 unlocked;

	if (!sim_data_locked(chip) || sim_slot_locked(chip, slot))
		return ATECC_ST_EXEC;
	if (!(sim_key_config(chip, slot) & ATECC_KC_LOCKABLE))
		return ATECC_ST_EXEC;
	unlocked = get_unaligned_le16(&chip->config[ATECC_CFG_SLOT_LOCKED]);
	put_unaligned_le16(unlocked & ~BIT(slot),
			   &chip->config[ATECC_CFG_SLOT_LOCKED]);
	return ATECC_ST_SUCCESS;
}

u8 sim_cmd_lock(struct sim_chip *chip, struct sim_job *job)
{
	u8 zone = job->p1 & ATECC_LOCK_ZONE_MASK;
	u8 st;

	if (job->len || (job->p1 & ATECC_LOCK_RESERVED))
		return ATECC_ST_PARSE;
	if (zone != ATECC_LOCK_SLOT && (job->p1 & ATECC_LOCK_SLOT_BITS))
		return ATECC_ST_PARSE;
	switch (zone) {
	case ATECC_LOCK_CONFIG:
		st = sim_lock_config(chip, job);
		break;
	case ATECC_LOCK_DATA:
		st = sim_lock_data(chip, job);
		break;
	case ATECC_LOCK_SLOT:
		st = sim_lock_slot(chip, job);
		break;
	default:
		return ATECC_ST_PARSE;
	}
	if (!st)
		chip->cnt.eeprom_writes++;
	return st;
}
