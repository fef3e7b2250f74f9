// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: the P-256 key commands GenKey, Sign, Verify and ECDH, with
 * the slot policies of SlotConfig/KeyConfig.  Slot keys can be used only
 * once the config zone is locked.  The math is in sim_ecc.c.
 */

#include <asm/unaligned.h>
#include <linux/string.h>

#include "sim.h"

/* A slot whose P-256 private key a command may use */
static u8 sim_key_slot(struct sim_chip *chip, u16 slot)
{
	if (slot >= ATECC_NUM_SLOTS)
		return ATECC_ST_PARSE;
	if (!sim_config_locked(chip) || !sim_slot_is_p256_private(chip, slot))
		return ATECC_ST_EXEC;
	return ATECC_ST_SUCCESS;
}

static u8 sim_genkey_tempkey(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_volatile *v = &chip->vol;

	if (!sim_is_608(chip))
		return ATECC_ST_PARSE;
	v->tk_valid = false;
	if (sim_ecc_gen_priv(v->tempkey) || sim_ecc_pub(v->tempkey, job->rsp))
		return ATECC_ST_ECC_FAULT;
	v->tk_valid = true;
	v->tk_source = SIM_TK_GENKEY;
	job->rsp_len = ATECC_PUBKEY_SIZE;
	return ATECC_ST_SUCCESS;
}

/* Before the data lock any key slot; after it, WriteConfig must allow. */
static u8 sim_genkey_slot(struct sim_chip *chip, struct sim_job *job)
{
	u16 slot = job->p2;
	u8 st = sim_key_slot(chip, slot);

	if (st)
		return st;
	if (sim_slot_locked(chip, slot))
		return ATECC_ST_EXEC;
	if (sim_data_locked(chip) &&
	    !(sim_slot_config(chip, slot) & ATECC_SC_WC_GENKEY))
		return ATECC_ST_EXEC;
	if (sim_ecc_gen_priv(job->key) || sim_ecc_pub(job->key, job->rsp))
		return ATECC_ST_ECC_FAULT;
	memcpy(sim_privkey(chip, slot), job->key, ATECC_KEY_SIZE);
	chip->cnt.eeprom_writes++;
	job->rsp_len = ATECC_PUBKEY_SIZE;
	return ATECC_ST_SUCCESS;
}

static u8 sim_genkey_public(struct sim_chip *chip, struct sim_job *job)
{
	u16 slot = job->p2;
	u8 st = sim_key_slot(chip, slot);
	u8 *priv;

	if (st)
		return st;
	priv = sim_privkey(chip, slot);
	if (!(sim_key_config(chip, slot) & ATECC_KC_PUBINFO) ||
	    !sim_ecc_priv_valid(priv))
		return ATECC_ST_EXEC;
	if (sim_ecc_pub(priv, job->rsp))
		return ATECC_ST_ECC_FAULT;
	job->rsp_len = ATECC_PUBKEY_SIZE;
	return ATECC_ST_SUCCESS;
}

u8 sim_cmd_genkey(struct sim_chip *chip, struct sim_job *job)
{
	if (job->len != 0 && job->len != ATECC_GENKEY_OTHER_DATA)
		return ATECC_ST_PARSE;
	switch (job->p1) {
	case ATECC_GENKEY_PRIVATE:
		if (job->p2 == ATECC_KEYID_TEMPKEY)
			return sim_genkey_tempkey(chip, job);
		return sim_genkey_slot(chip, job);
	case ATECC_GENKEY_PUBLIC:
		return sim_genkey_public(chip, job);
	default:
		return ATECC_ST_PARSE;	/* digest modes are not modelled */
	}
}

/* External sign: the digest comes from TempKey (pass-through) or MsgDigBuf */
static u8 sim_sign_message(struct sim_chip *chip, u8 mode, const u8 **msg)
{
	struct sim_volatile *v = &chip->vol;

	switch (mode & ~ATECC_SIGN_INCLUDE_SN) {
	case ATECC_SIGN_EXTERNAL:
		if (!v->tk_valid || v->tk_source != SIM_TK_INPUT)
			return ATECC_ST_EXEC;
		*msg = v->tempkey;
		return ATECC_ST_SUCCESS;
	case ATECC_SIGN_EXTERNAL | ATECC_SIGN_SRC_MSGDIG:
		if (!sim_is_608(chip))
			return ATECC_ST_PARSE;
		if (!v->md_valid)
			return ATECC_ST_EXEC;
		*msg = v->msgdig;
		return ATECC_ST_SUCCESS;
	default:
		return ATECC_ST_PARSE;	/* internal sign is not modelled */
	}
}

u8 sim_cmd_sign(struct sim_chip *chip, struct sim_job *job)
{
	const u8 *msg = NULL;
	u8 *priv;
	u8 st;

	if (job->len || job->p2 >= ATECC_NUM_SLOTS)
		return ATECC_ST_PARSE;
	st = sim_sign_message(chip, job->p1, &msg);
	if (st)
		return st;
	st = sim_key_slot(chip, job->p2);
	if (st)
		return st;
	priv = sim_privkey(chip, job->p2);
	if (!(sim_slot_config(chip, job->p2) & ATECC_SC_EXT_SIGN) ||
	    !sim_ecc_priv_valid(priv))
		return ATECC_ST_EXEC;
	if (sim_ecc_sign(priv, msg, job->rsp))
		return ATECC_ST_ECC_FAULT;
	job->rsp_len = ATECC_SIG_SIZE;
	return ATECC_ST_SUCCESS;
}

/* Verify stored: a P-256 public key in a 72-byte slot */
static u8 sim_stored_pubkey(struct sim_chip *chip, u16 slot, u8 *pub)
{
	u16 kc;
	const u8 *p;

	if (slot >= ATECC_NUM_SLOTS)
		return ATECC_ST_PARSE;
	kc = sim_key_config(chip, slot);
	if (!sim_config_locked(chip) || (kc & ATECC_KC_PRIVATE) ||
	    ATECC_KC_KEYTYPE(kc) != ATECC_KEYTYPE_P256 ||
	    sim_slot_size(slot) < ATECC_PUB_STORED_SIZE)
		return ATECC_ST_EXEC;
	p = &chip->data[sim_slot_offset(slot)];
	memcpy(pub, p + ATECC_PUB_PAD, 32);
	memcpy(pub + 32, p + 2 * ATECC_PUB_PAD + 32, 32);
	return ATECC_ST_SUCCESS;
}

static u8 sim_verify_key(struct sim_chip *chip, struct sim_job *job, u8 mode,
			 const u8 **pub)
{
	if (mode == ATECC_VERIFY_EXTERNAL) {
		if (job->p2 != ATECC_VERIFY_CURVE_P256 ||
		    job->len != ATECC_SIG_SIZE + ATECC_PUBKEY_SIZE)
			return ATECC_ST_PARSE;
		*pub = job->data + ATECC_SIG_SIZE;
		return ATECC_ST_SUCCESS;
	}
	if (mode != ATECC_VERIFY_STORED || job->len != ATECC_SIG_SIZE)
		return ATECC_ST_PARSE;
	*pub = job->rsp;	/* scratch: the response is a status */
	return sim_stored_pubkey(chip, job->p2, job->rsp);
}

u8 sim_cmd_verify(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_volatile *v = &chip->vol;
	bool msgdig = job->p1 & ATECC_VERIFY_SRC_MSGDIG;
	const u8 *pub = NULL;
	int ret;
	u8 st;

	if (msgdig && !sim_is_608(chip))
		return ATECC_ST_PARSE;
	st = sim_verify_key(chip, job, job->p1 & ~ATECC_VERIFY_SRC_MSGDIG, &pub);
	if (st)
		return st;
	if (msgdig ? !v->md_valid : !v->tk_valid)
		return ATECC_ST_EXEC;
	ret = sim_ecc_verify(pub, msgdig ? v->msgdig : v->tempkey, job->data);
	if (ret == -EBADMSG)
		return ATECC_ST_MISCOMPARE;
	return ret ? ATECC_ST_EXEC : ATECC_ST_SUCCESS;
}

static bool sim_ecdh_mode_ok(const struct sim_chip *chip, u8 mode)
{
	if (mode == ATECC_ECDH_COMPAT)
		return true;
	if (!sim_is_608(chip) || (mode & ATECC_ECDH_ENCRYPT))
		return false;
	if (mode & ~(ATECC_ECDH_DST_MASK | ATECC_ECDH_SRC_TEMPKEY))
		return false;
	mode &= ATECC_ECDH_DST_MASK;
	return mode == ATECC_ECDH_DST_TEMPKEY || mode == ATECC_ECDH_DST_OUTPUT;
}

/* The private key: a slot with ECDH allowed, or TempKey from GenKey */
static u8 sim_ecdh_source(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_volatile *v = &chip->vol;
	u8 st;

	if (job->p1 & ATECC_ECDH_SRC_TEMPKEY) {
		bool ok = v->tk_valid && v->tk_source == SIM_TK_GENKEY;

		v->tk_valid = false;	/* used up, whatever happens */
		if (!ok)
			return ATECC_ST_EXEC;
		memcpy(job->key, v->tempkey, ATECC_KEY_SIZE);
		return ATECC_ST_SUCCESS;
	}
	st = sim_key_slot(chip, job->p2);
	if (st)
		return st;
	if (!(sim_slot_config(chip, job->p2) & ATECC_SC_ECDH) ||
	    !sim_ecc_priv_valid(sim_privkey(chip, job->p2)))
		return ATECC_ST_EXEC;
	memcpy(job->key, sim_privkey(chip, job->p2), ATECC_KEY_SIZE);
	return ATECC_ST_SUCCESS;
}

/* Compatibility mode with WriteECDH: the secret goes to slot N | 1 */
static bool sim_ecdh_to_slot(struct sim_chip *chip, struct sim_job *job)
{
	return job->p1 == ATECC_ECDH_COMPAT &&
	       (sim_slot_config(chip, job->p2) & ATECC_SC_WRITE_ECDH);
}

static u8 sim_ecdh_deliver(struct sim_chip *chip, struct sim_job *job)
{
	struct sim_volatile *v = &chip->vol;
	u16 opts = 0;

	if (sim_ecdh_to_slot(chip, job)) {
		if (job->p2 & 1)
			return ATECC_ST_EXEC;
		memcpy(&chip->data[sim_slot_offset(job->p2 | 1)], job->secret,
		       ATECC_KEY_SIZE);
		chip->cnt.eeprom_writes++;
		return ATECC_ST_SUCCESS;
	}
	if ((job->p1 & ATECC_ECDH_DST_MASK) == ATECC_ECDH_DST_TEMPKEY) {
		memcpy(v->tempkey, job->secret, ATECC_KEY_SIZE);
		v->tk_valid = true;
		v->tk_source = SIM_TK_ECDH;
		return ATECC_ST_SUCCESS;
	}
	if (sim_is_608(chip))
		opts = get_unaligned_le16(&chip->config[ATECC_CFG_CHIPOPTIONS]);
	if (opts & ATECC_CHIPOPT_ECDH_PROT)
		return ATECC_ST_EXEC;	/* clear output forbidden */
	memcpy(job->rsp, job->secret, ATECC_KEY_SIZE);
	job->rsp_len = ATECC_KEY_SIZE;
	return ATECC_ST_SUCCESS;
}

/* An invalid peer point is answered with 0x0F (execution error). */
u8 sim_cmd_ecdh(struct sim_chip *chip, struct sim_job *job)
{
	u8 st;

	if (job->len != ATECC_PUBKEY_SIZE || !sim_ecdh_mode_ok(chip, job->p1))
		return ATECC_ST_PARSE;
	if (!(job->p1 & ATECC_ECDH_SRC_TEMPKEY) &&
	    job->p2 >= ATECC_NUM_SLOTS)
		return ATECC_ST_PARSE;
	st = sim_ecdh_source(chip, job);
	if (st)
		return st;
	if (sim_ecc_ecdh(job->key, job->data, job->secret))
		return ATECC_ST_EXEC;
	return sim_ecdh_deliver(chip, job);
}
