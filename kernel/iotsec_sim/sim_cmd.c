// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: the commands that touch neither zones nor keys: Info,
 * Random, Nonce, SHA and Counter.  Each handler returns a status byte;
 * ATECC_ST_SUCCESS with job->rsp_len > 0 means "send job->rsp".
 */

#include <asm/unaligned.h>
#include <crypto/sha2.h>
#include <linux/random.h>
#include <linux/string.h>

#include "sim.h"

/* Until the config zone is locked the RNG gives FF FF 00 00 x 8. */
static void sim_rng(struct sim_chip *chip, u8 *out)
{
	unsigned int i;

	if (sim_config_locked(chip)) {
		get_random_bytes(out, ATECC_RANDOM_SIZE);
		return;
	}
	for (i = 0; i < ATECC_RANDOM_SIZE; i += 4)
		put_unaligned_be32(0xffff0000, &out[i]);
}

static u16 sim_info_state(const struct sim_chip *chip)
{
	const struct sim_volatile *v = &chip->vol;
	u16 state = 0;

	if (!v->tk_valid)
		return 0;
	state |= ATECC_STATE_TK_VALID;
	if (v->tk_source == SIM_TK_INPUT)
		state |= ATECC_STATE_TK_SOURCE;
	if (v->tk_source == SIM_TK_GENKEY)
		state |= ATECC_STATE_TK_GENKEY;
	return state;
}

static bool sim_key_valid(struct sim_chip *chip, unsigned int slot)
{
	return sim_slot_is_p256_private(chip, slot) &&
	       sim_ecc_priv_valid(sim_privkey(chip, slot));
}

static u8 sim_info_latch(struct sim_chip *chip, struct sim_job *job)
{
	if (!sim_is_608(chip))
		return ATECC_ST_PARSE;
	if (job->p2 & ~(ATECC_INFO_LATCH_SET | 1))
		return ATECC_ST_PARSE;
	if (job->p2 & ATECC_INFO_LATCH_SET)
		chip->latch = job->p2 & 1;
	job->rsp[0] = chip->latch;
	return ATECC_ST_SUCCESS;
}

u8 sim_cmd_info(struct sim_chip *chip, struct sim_job *job)
{
	if (job->len)
		return ATECC_ST_PARSE;
	job->rsp_len = ATECC_INFO_SIZE;
	switch (job->p1) {
	case ATECC_INFO_REVISION:
		sim_revision(chip, job->rsp);
		return ATECC_ST_SUCCESS;
	case ATECC_INFO_KEYVALID:
		if (job->p2 >= ATECC_NUM_SLOTS)
			return ATECC_ST_PARSE;
		job->rsp[0] = sim_key_valid(chip, job->p2);
		return ATECC_ST_SUCCESS;
	case ATECC_INFO_STATE:
		put_unaligned_le16(sim_info_state(chip), job->rsp);
		return ATECC_ST_SUCCESS;
	case ATECC_INFO_LATCH:
		return sim_info_latch(chip, job);
	default:
		return ATECC_ST_PARSE;
	}
}

u8 sim_cmd_random(struct sim_chip *chip, struct sim_job *job)
{
	if (job->len || job->p1 > ATECC_NONCE_RANDOM_NOSEED)
		return ATECC_ST_PARSE;
	if (job->p1 == ATECC_NONCE_RANDOM)
		chip->cnt.seed_updates++;
	sim_rng(chip, job->rsp);
	job->rsp_len = ATECC_RANDOM_SIZE;
	return ATECC_ST_SUCCESS;
}

/* TempKey = SHA-256(RandOut ‖ NumIn ‖ 0x16 ‖ mode ‖ 0x00) */
static u8 sim_nonce_random(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_volatile *v = &chip->vol;
	bool use_tk = job->p2 & ATECC_NONCE_USE_TEMPKEY;
	u8 msg[ATECC_NONCE_MSG_SIZE];

	if (job->len != ATECC_NONCE_NUMIN || (job->p2 & ~ATECC_NONCE_USE_TEMPKEY))
		return ATECC_ST_PARSE;
	if (use_tk && !sim_is_608(chip))
		return ATECC_ST_PARSE;
	if (use_tk && !v->tk_valid)
		return ATECC_ST_EXEC;
	if (use_tk)
		memcpy(msg, v->tempkey, ATECC_KEY_SIZE);
	else
		sim_rng(chip, msg);
	memcpy(job->rsp, msg, ATECC_RANDOM_SIZE);
	memcpy(&msg[32], job->data, ATECC_NONCE_NUMIN);
	msg[52] = ATECC_OP_NONCE;
	msg[53] = job->p1;
	msg[54] = 0;
	sha256(msg, sizeof(msg), v->tempkey);
	memzero_explicit(msg, sizeof(msg));
	if (use_tk)
		memcpy(job->rsp, v->tempkey, ATECC_KEY_SIZE);
	else
		v->tk_source = SIM_TK_RANDOM;
	v->tk_valid = true;
	job->rsp_len = ATECC_RANDOM_SIZE;
	return ATECC_ST_SUCCESS;
}

static u8 sim_nonce_load_to(struct sim_chip *chip, u8 target,
			    const u8 *in, unsigned int size)
{
	struct sim_volatile *v = &chip->vol;

	switch (target) {
	case 0:
		memcpy(v->tempkey, in, size);
		v->tk_valid = true;
		v->tk_source = SIM_TK_INPUT;
		return ATECC_ST_SUCCESS;
	case ATECC_NONCE_TARGET_MSGDIG:
		memcpy(v->msgdig, in, size);
		v->md_valid = true;
		return ATECC_ST_SUCCESS;
	case ATECC_NONCE_TARGET_ALTKEY:
		if (size != sizeof(v->altkey))
			return ATECC_ST_PARSE;
		memcpy(v->altkey, in, size);
		v->ak_valid = true;
		return ATECC_ST_SUCCESS;
	default:
		return ATECC_ST_PARSE;
	}
}

/* Pass-through: 32 (or, 608, 64) bytes into TempKey or a buffer */
static u8 sim_nonce_load(struct sim_chip *chip, struct sim_job *job)
{
	u8 allowed = ATECC_NONCE_CALC_MASK | ATECC_NONCE_64 | ATECC_NONCE_TARGET_MASK;
	unsigned int size = job->p1 & ATECC_NONCE_64 ? 64 : 32;

	if (!sim_is_608(chip) && job->p1 != ATECC_NONCE_PASSTHROUGH)
		return ATECC_ST_PARSE;
	if ((job->p1 & ~allowed) || job->len != size)
		return ATECC_ST_PARSE;
	return sim_nonce_load_to(chip, job->p1 & ATECC_NONCE_TARGET_MASK,
				 job->data, size);
}

u8 sim_cmd_nonce(struct sim_chip *chip, struct sim_job *job)
{
	switch (job->p1) {
	case ATECC_NONCE_RANDOM:
		chip->cnt.seed_updates++;
		return sim_nonce_random(chip, job);
	case ATECC_NONCE_RANDOM_NOSEED:
		return sim_nonce_random(chip, job);
	default:
		if ((job->p1 & ATECC_NONCE_CALC_MASK) != ATECC_NONCE_PASSTHROUGH)
			return ATECC_ST_PARSE;
		return sim_nonce_load(chip, job);
	}
}

static u8 sim_sha_end(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_volatile *v = &chip->vol;

	if (job->len >= ATECC_SHA_BLOCK || job->p2 != job->len)
		return ATECC_ST_PARSE;
	if (!v->sha_active)
		return ATECC_ST_EXEC;
	sha256_update(&v->sha, job->data, job->len);
	sha256_final(&v->sha, job->rsp);
	v->sha_active = false;
	job->rsp_len = SHA256_DIGEST_SIZE;
	return ATECC_ST_SUCCESS;
}

static u8 sim_sha_step(struct sim_chip *chip, struct sim_job *job, u8 mode)
{
	struct sim_volatile *v = &chip->vol;

	switch (mode) {
	case ATECC_SHA_START:
		if (job->len)
			return ATECC_ST_PARSE;
		sha256_init(&v->sha);
		v->sha_active = true;
		return ATECC_ST_SUCCESS;
	case ATECC_SHA_UPDATE:
		if (job->len != ATECC_SHA_BLOCK)
			return ATECC_ST_PARSE;
		if (!v->sha_active)
			return ATECC_ST_EXEC;
		sha256_update(&v->sha, job->data, ATECC_SHA_BLOCK);
		return ATECC_ST_SUCCESS;
	case ATECC_SHA_END:
		return sim_sha_end(chip, job);
	default:
		return ATECC_ST_PARSE;
	}
}

/* SHA start/update/end; the digest is always returned, never stored */
u8 sim_cmd_sha(struct sim_chip *chip, struct sim_job *job)
{
	u8 mode = job->p1 & ATECC_SHA_MODE_MASK;
	u8 target = job->p1 & ATECC_SHA_TARGET_MASK;

	if (job->p1 & ~(ATECC_SHA_MODE_MASK | ATECC_SHA_TARGET_MASK))
		return ATECC_ST_PARSE;
	if (target && (!sim_is_608(chip) || mode != ATECC_SHA_END ||
		       target == ATECC_NONCE_TARGET_ALTKEY))
		return ATECC_ST_PARSE;
	return sim_sha_step(chip, job, mode);
}

u8 sim_cmd_counter(struct sim_chip *chip, struct sim_job *job)
{
	u32 *c;

	if (job->len || job->p2 > 1)
		return ATECC_ST_PARSE;
	c = &chip->counter[job->p2];
	if (job->p1 == ATECC_COUNTER_INCREMENT) {
		if (*c >= ATECC_COUNTER_MAX)
			return ATECC_ST_EXEC;
		(*c)++;
		chip->cnt.eeprom_writes++;
	} else if (job->p1 != ATECC_COUNTER_READ) {
		return ATECC_ST_PARSE;
	}
	put_unaligned_le32(*c, job->rsp);
	job->rsp_len = 4;
	return ATECC_ST_SUCCESS;
}
