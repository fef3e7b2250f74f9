// SPDX-License-Identifier: GPL-2.0
/*
 * The "iotsec" key type (Documentation/keytype.rst).
 *
 * A key names one chip and one slot holding a P-256 private key, and keeps
 * the public half, read from the chip when the key is added.  The private
 * key never leaves the chip: keyctl read gives the public key as
 * SubjectPublicKeyInfo, pkey_sign runs the chip's Sign and pkey_verify the
 * chip's Verify with the cached public key.
 *
 * Lifetime.  A key holds a reference on its struct atecc_chip, not on the
 * device: after unbind (or the simulator's rmmod) the struct lives on,
 * marked dead, and every operation on the key returns -ENODEV.  A chip that
 * comes back is a new struct; old keys keep the dead one until they are
 * added again.  A key made with "generate" makes the older keys of the same
 * slot stale (-ESTALE): their cached public key no longer matches the slot.
 *
 * Module exit.  unregister_key_type() destroys the payload of every iotsec
 * key, referenced or not.  An operation therefore holds a reference on this
 * module from its start to its end: while one runs, rmmod fails (busy), and
 * once the module is going no operation starts.  keyctl read and describe
 * are covered by key->sem and the keys' dead flag instead.
 */

#include <linux/err.h>
#include <linux/kernel.h>
#include <linux/key-type.h>
#include <linux/keyctl.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "auth.h"
#include "chip.h"
#include "cmd.h"
#include "compat.h"
#include "ecdsa_der.h"
#include "keytype.h"
#include "p256.h"
#include "atecc/wire.h"

#define PAYLOAD_MAX	128	/* longer payloads are refused */
#define KEY_BITS	256
#define DIGEST_SIZE	ATECC_KEY_SIZE
#define PAYLOAD_SEP	" \t\n"

/* SubjectPublicKeyInfo { id-ecPublicKey, prime256v1 }, BIT STRING header */
static const u8 spki_prefix[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d,
	0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01,
	0x07, 0x03, 0x42, 0x00,
};

#define SPKI_POINT	0x04	/* uncompressed point */
#define SPKI_SIZE	(sizeof(spki_prefix) + 1 + ATECC_PUBKEY_SIZE)

/* The P-256 group order n, big-endian: r and s must lie in [1, n - 1]. */
static const u8 p256_order[ATECC_KEY_SIZE] = {
	0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84,
	0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
};

/**
 * struct chipkey - the payload of an iotsec key
 * @chip: the chip, referenced; dead (-ENODEV) once its device goes
 * @serial: the chip's serial number, for describe
 * @slot: 0-15
 * @generate: the payload asked for a new key, made by instantiate
 * @stale: a newer key was generated in the slot; under chipkeys_lock
 * @node: entry in chipkeys, from preparse to destroy
 * @pubkey: X || Y of the slot's key
 */
struct chipkey {
	struct atecc_chip *chip;
	u8 serial[ATECC_SN_SIZE];
	u8 slot;
	bool generate;
	bool stale;
	struct list_head node;
	u8 pubkey[ATECC_PUBKEY_SIZE];
};

/*
 * Every chipkey, so that a generate can mark the older keys of its slot
 * stale.  Entries are added and marked with the chip's lock held, so a key
 * whose public key was read before a GenKey is always there to be marked.
 * Lock order: chip->lock, then chipkeys_lock.
 */
static LIST_HEAD(chipkeys);
static DEFINE_MUTEX(chipkeys_lock);

/**
 * struct request - the payload string, parsed
 * @serial: chip=<18 hex digits>
 * @index: chip=<decimal index>, or -1 when named by serial
 * @slot: slot=<decimal>; may be out of range (checked after parsing)
 * @have_chip: chip= seen
 * @have_slot: slot= seen
 * @generate: the word generate seen
 */
struct request {
	u8 serial[ATECC_SN_SIZE];
	int index;
	unsigned int slot;
	bool have_chip;
	bool have_slot;
	bool generate;
};

static int parse_chip(const char *val, struct request *req)
{
	if (req->have_chip)
		return -EINVAL;
	req->have_chip = true;
	if (strlen(val) == 2 * ATECC_SN_SIZE) {
		req->index = -1;
		return hex2bin(req->serial, val, ATECC_SN_SIZE) ? -EINVAL : 0;
	}
	if (kstrtoint(val, 10, &req->index) || req->index < 0)
		return -EINVAL;
	return 0;
}

static int parse_slot(const char *val, struct request *req)
{
	int ret;

	if (req->have_slot)
		return -EINVAL;
	req->have_slot = true;
	ret = kstrtouint(val, 10, &req->slot);
	if (ret == -ERANGE)
		req->slot = UINT_MAX;	/* reported as out of range */
	else if (ret)
		return -EINVAL;
	return 0;
}

static int parse_token(char *tok, struct request *req)
{
	char *val = strchr(tok, '=');

	if (!val) {
		if (strcmp(tok, "generate") || req->generate)
			return -EINVAL;
		req->generate = true;
		return 0;
	}
	*val++ = '\0';
	if (!strcmp(tok, "chip"))
		return parse_chip(val, req);
	if (!strcmp(tok, "slot"))
		return parse_slot(val, req);
	return -EINVAL;
}

/*
 * "chip=<serial>|<index> slot=<n> [generate]", tokens in any order,
 * separated by blanks.  Syntax errors are -EINVAL, a slot beyond 15 -ERANGE.
 */
static int parse(const void *data, size_t len, struct request *req)
{
	char *buf, *p, *tok;
	int ret = 0;

	memset(req, 0, sizeof(*req));
	if (!data || !len || len > PAYLOAD_MAX || memchr(data, '\0', len))
		return -EINVAL;
	buf = kmemdup_nul(data, len, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while (!ret && (tok = strsep(&p, PAYLOAD_SEP)))
		if (*tok)
			ret = parse_token(tok, req);
	kfree(buf);
	if (!ret && (!req->have_chip || !req->have_slot))
		ret = -EINVAL;
	if (!ret && req->slot >= ATECC_NUM_SLOTS)
		ret = -ERANGE;
	return ret;
}

static int refuse(struct atecc_chip *chip, unsigned int slot, int err,
		  const char *why)
{
	dev_info_ratelimited(chip->dev, "iotsec key for slot %u refused: %s\n",
			     slot, why);
	return err;
}

/*
 * Whether the slot can be an iotsec key, from the cached config zone; with
 * @generate, whether a new key may be made there.  No I/O.  Caller holds
 * the chip (inside a sequence).
 */
static int check_slot(struct atecc_chip *chip, unsigned int slot,
		      bool generate)
{
	u16 kc = atecc_key_config(chip, slot);
	u16 sc = atecc_slot_config(chip, slot);

	if (!chip->config_locked || !chip->data_locked)
		return refuse(chip, slot, -ENOKEY,
			      "the chip is not provisioned (zones unlocked)");
	if (!(kc & ATECC_KC_PRIVATE) ||
	    ATECC_KC_KEYTYPE(kc) != ATECC_KEYTYPE_P256)
		return refuse(chip, slot, -ENOKEY,
			      "KeyConfig is not a P-256 private key");
	if (!(sc & ATECC_SC_EXT_SIGN))
		return refuse(chip, slot, -EPERM,
			      "SlotConfig does not allow external signing");
	if (kc & ATECC_KC_REQ_AUTH)
		return refuse(chip, slot, -EOPNOTSUPP,
			      "KeyConfig requires an authorization key");
	if (!(sc & ATECC_SC_IS_SECRET))
		return refuse(chip, slot, -EPERM,
			      "SlotConfig IsSecret clear, the private key is readable");
	if (!generate) {
		if (!(kc & ATECC_KC_PUBINFO))
			return refuse(chip, slot, -EPERM,
				      "KeyConfig PubInfo clear: no public key");
		return 0;
	}
	if (!(sc & ATECC_SC_WC_GENKEY))
		return refuse(chip, slot, -EPERM,
			      "generate: WriteConfig does not allow GenKey");
	if (sc & ATECC_SC_WC_PRIVWRITE)
		return refuse(chip, slot, -EPERM,
			      "generate: WriteConfig allows PrivWrite, the key could be replaced");
	if (atecc_slot_locked(chip, slot))
		return refuse(chip, slot, -EPERM, "generate: the slot is locked");
	return 0;
}

static void track(struct chipkey *ck)
{
	mutex_lock(&chipkeys_lock);
	list_add_tail(&ck->node, &chipkeys);
	mutex_unlock(&chipkeys_lock);
}

/*
 * After a GenKey, with the chip's lock still held: the other keys of the
 * slot hold an old public key, this one the slot's.  GenKeys on one chip
 * are serialized by its lock, so the key of the last one is the one left
 * valid, even if a concurrent generate had marked it stale before its own
 * GenKey ran.
 */
static void track_newest(struct chipkey *ck)
{
	struct chipkey *other;

	mutex_lock(&chipkeys_lock);
	list_for_each_entry(other, &chipkeys, node)
		if (other->chip == ck->chip && other->slot == ck->slot)
			WRITE_ONCE(other->stale, true);
	WRITE_ONCE(ck->stale, false);
	list_add_tail(&ck->node, &chipkeys);
	mutex_unlock(&chipkeys_lock);
}

/*
 * Instantiate without generate (the key is allocated, its quota charged):
 * check the slot, read its public key (GenKey mode 0, which writes
 * nothing).
 */
static int vet(struct chipkey *ck)
{
	int ret = atecc_seq_begin(ck->chip);

	if (ret)
		return ret;
	ret = check_slot(ck->chip, ck->slot, false);
	if (!ret) {
		ret = atecc_genkey(ck->chip, ATECC_GENKEY_PUBLIC, ck->slot,
				   ck->pubkey);
		if (ret == -EPERM)
			ret = refuse(ck->chip, ck->slot, -ENOKEY,
				     "no valid key in the slot (add with generate to make one)");
	}
	if (!ret)
		track(ck);
	atecc_seq_end(ck->chip);
	return ret;
}

/*
 * Instantiate with generate: the checks, the slot lock read again, then
 * GenKey, all in one sequence.
 */
static int generate(struct chipkey *ck)
{
	int ret = atecc_seq_begin(ck->chip);

	if (ret)
		return ret;
	ret = check_slot(ck->chip, ck->slot, true);
	if (!ret)
		ret = atecc_chip_read_locks(ck->chip);
	if (!ret)
		ret = check_slot(ck->chip, ck->slot, true);
	if (!ret)
		ret = atecc_genkey(ck->chip, ATECC_GENKEY_PRIVATE, ck->slot,
				   ck->pubkey);
	if (!ret)
		track_newest(ck);
	atecc_seq_end(ck->chip);
	if (!ret)
		dev_info(ck->chip->dev, "new P-256 key generated in slot %u\n",
			 ck->slot);
	return ret;
}

static void chipkey_free(struct chipkey *ck)
{
	if (!ck)
		return;
	mutex_lock(&chipkeys_lock);
	list_del_init(&ck->node);
	mutex_unlock(&chipkeys_lock);
	atecc_chip_put(ck->chip);
	kfree(ck);
}

static int chipkey_preparse(struct key_preparsed_payload *prep)
{
	struct request req;
	struct chipkey *ck;
	int ret;

	ret = parse(prep->data, prep->datalen, &req);
	if (ret)
		return ret;
	ck = kzalloc(sizeof(*ck), GFP_KERNEL);
	if (!ck)
		return -ENOMEM;
	INIT_LIST_HEAD(&ck->node);
	if (req.index < 0)
		ck->chip = atecc_chip_get_by_serial(req.serial);
	else
		ck->chip = atecc_chip_get_by_index(req.index);
	if (!ck->chip) {
		kfree(ck);
		return -ENODEV;
	}
	ck->slot = req.slot;
	ck->generate = req.generate;
	memcpy(ck->serial, ck->chip->serial, ATECC_SN_SIZE);
	prep->payload.data[0] = ck;
	prep->quotalen = sizeof(*ck);
	/* before any chip command: the key is allocated (quota) after this */
	return atecc_auth_check(ck->chip, ck->slot,
				req.generate ? "generate" : "key");
}

static void chipkey_free_preparse(struct key_preparsed_payload *prep)
{
	chipkey_free(prep->payload.data[0]);
}

static int chipkey_instantiate(struct key *key,
			       struct key_preparsed_payload *prep)
{
	struct chipkey *ck = prep->payload.data[0];
	int ret;

	if (!ck)
		return -EINVAL;
	ret = ck->generate ? generate(ck) : vet(ck);
	if (ret)
		return ret;
	/* pkey_verify runs on it in software: a full public key check */
	ret = p256_point_check(ck->pubkey);
	if (ret) {
		dev_err_ratelimited(ck->chip->dev,
				    "slot %u: the chip's public key is not a valid P-256 point\n",
				    ck->slot);
		return ret == -ENOMEM ? ret : -EPROTO;
	}
	return generic_key_instantiate(key, prep);
}

static void chipkey_destroy(struct key *key)
{
	chipkey_free(key->payload.data[0]);
	key->payload.data[0] = NULL;
}

/*
 * /proc/keys calls this under key_serial_lock, which also orders it after
 * the garbage collector's marking of the keys of an unregistered type as
 * dead, and before their payload is destroyed.
 */
static void chipkey_describe(const struct key *key, struct seq_file *m)
{
	const struct chipkey *ck = key->payload.data[0];

	seq_puts(m, key->description);
	if (!key_is_positive(key) || test_bit(KEY_FLAG_DEAD, &key->flags) ||
	    !ck)
		return;
	seq_printf(m, ": chip %*phN slot %u", ATECC_SN_SIZE, ck->serial,
		   ck->slot);
	if (READ_ONCE(ck->chip->dead))
		seq_puts(m, " (chip gone)");
	else if (READ_ONCE(ck->stale))
		seq_puts(m, " (stale)");
}

/*
 * keyctl read: the public key as DER SubjectPublicKeyInfo, also once the
 * chip is gone; not once the slot has a newer key.  key->sem held.
 */
static long chipkey_read(const struct key *key, char *buffer, size_t buflen)
{
	const struct chipkey *ck = key->payload.data[0];
	size_t off = sizeof(spki_prefix);

	if (READ_ONCE(ck->stale))
		return -ESTALE;
	if (buffer && buflen >= SPKI_SIZE) {
		memcpy(buffer, spki_prefix, off);
		buffer[off] = SPKI_POINT;
		memcpy(buffer + off + 1, ck->pubkey, ATECC_PUBKEY_SIZE);
	}
	return SPKI_SIZE;
}

/*
 * An operation holds a reference on the module (see the comment at the
 * top).  -ENODEV once the module, the key type or the chip is going or
 * gone, -ESTALE once the slot has a newer key.
 */
static struct chipkey *op_begin(struct key *key)
{
	struct chipkey *ck;
	int ret = 0;

	if (!try_module_get(THIS_MODULE))
		return ERR_PTR(-ENODEV);
	ck = key->payload.data[0];
	if (test_bit(KEY_FLAG_DEAD, &key->flags) || !ck)
		ret = -ENODEV;
	else if (READ_ONCE(ck->chip->dead))
		ret = -ENODEV;
	else if (READ_ONCE(ck->stale))
		ret = -ESTALE;
	if (ret) {
		module_put(THIS_MODULE);
		return ERR_PTR(ret);
	}
	return ck;
}

static void op_end(struct key *key)
{
	module_put(THIS_MODULE);
}

/*
 * enc=x962 (the query also accepts the default, raw, and answers for
 * x962); hash=sha256 or none: the digest is exactly 32 bytes.
 */
static int check_info(const struct kernel_pkey_params *params, bool query)
{
	const char *enc = params->encoding ? params->encoding : "raw";

	if (strcmp(enc, "x962") && (!query || strcmp(enc, "raw")))
		return -EINVAL;
	if (params->hash_algo && strcmp(params->hash_algo, "sha256"))
		return -EINVAL;
	return 0;
}

static int chipkey_query(const struct kernel_pkey_params *params,
			 struct kernel_pkey_query *info)
{
	struct chipkey *ck;
	int ret;

	ret = check_info(params, true);
	if (ret)
		return ret;
	ck = op_begin(params->key);
	if (IS_ERR(ck))
		return PTR_ERR(ck);
	op_end(params->key);
	info->supported_ops = KEYCTL_SUPPORTS_SIGN | KEYCTL_SUPPORTS_VERIFY;
	info->key_size = KEY_BITS;
	info->max_data_size = DIGEST_SIZE;
	info->max_sig_size = ECDSA_P256_DER_MAX;
	info->max_enc_size = 0;
	info->max_dec_size = 0;
	return 0;
}

/* Sign only: the chip signs the digest, the signature goes out as DER. */
static int chipkey_eds_op(struct kernel_pkey_params *params, const void *in,
			  void *out)
{
	u8 rs[ECDSA_P256_RAW];
	struct chipkey *ck;
	int ret;

	if (params->op != kernel_pkey_sign)
		return -EOPNOTSUPP;
	ret = check_info(params, false);
	if (ret)
		return ret;
	if (params->in_len != DIGEST_SIZE)
		return -EINVAL;
	ck = op_begin(params->key);
	if (IS_ERR(ck))
		return PTR_ERR(ck);
	ret = atecc_sign_digest(ck->chip, ck->slot, in, rs);
	op_end(params->key);
	if (!ret)
		ret = ecdsa_der_encode(rs, out, params->out_len);
	return ret;
}

static bool scalar_in_range(const u8 *v)
{
	return memchr_inv(v, 0, ATECC_KEY_SIZE) &&
	       memcmp(v, p256_order, ATECC_KEY_SIZE) < 0;
}

/*
 * The signature's length is taken from its DER header: 6.1's
 * keyctl_pkey_verify() overwrites in2_len with max_sig_size (in2_len and
 * out_len share a union) and copies that many bytes from the caller, so
 * in2_len is only an upper bound.
 */
static int decode_sig(const struct kernel_pkey_params *params,
		      const u8 *der, u8 *rs)
{
	size_t len;
	int ret;

	if (params->in2_len < 2 || der[1] & 0x80)
		return -EBADMSG;
	len = 2 + der[1];
	if (len > params->in2_len)
		return -EBADMSG;
	ret = ecdsa_der_decode(der, len, rs);
	if (ret)
		return ret;
	if (!scalar_in_range(rs) || !scalar_in_range(rs + ATECC_KEY_SIZE))
		return -EKEYREJECTED;
	return 0;
}

/*
 * In software on the key's public key (p256.c): no chip command, so a
 * verify neither changes TempKey nor waits for the chip.  0 or
 * -EKEYREJECTED.
 */
static int chipkey_verify(struct kernel_pkey_params *params, const void *in,
			  const void *in2)
{
	u8 rs[ECDSA_P256_RAW], z[P256_BYTES];
	struct chipkey *ck;
	int ret;

	ret = check_info(params, false);
	if (ret)
		return ret;
	if (params->in_len != DIGEST_SIZE)
		return -EINVAL;
	ret = decode_sig(params, in2, rs);
	if (ret)
		return ret;
	ck = op_begin(params->key);
	if (IS_ERR(ck))
		return PTR_ERR(ck);
	p256_digest(in, DIGEST_SIZE, z);
	ret = p256_verify(ck->pubkey, z, rs);
	op_end(params->key);
	return ret == -EBADMSG ? -EKEYREJECTED : ret;
}

static struct key_type key_type_iotsec = {
	.name			= "iotsec",
	.def_datalen		= sizeof(struct chipkey),
	.preparse		= chipkey_preparse,
	.free_preparse		= chipkey_free_preparse,
	.instantiate		= chipkey_instantiate,
	.destroy		= chipkey_destroy,
	.describe		= chipkey_describe,
	.read			= chipkey_read,
	.asym_query		= chipkey_query,
	.asym_eds_op		= chipkey_eds_op,
	.asym_verify_signature	= chipkey_verify,
};

/**
 * atecc_keytype_register() - register the key type "iotsec"
 *
 * Call once the I2C driver is registered.
 *
 * Return: 0 or a negative errno (-EEXIST if the name is taken).
 */
int atecc_keytype_register(void)
{
	return register_key_type(&key_type_iotsec);
}

/**
 * atecc_keytype_unregister() - unregister it; destroys every iotsec key
 *
 * Call before the I2C driver goes.  Waits for operations in progress.
 */
void atecc_keytype_unregister(void)
{
	unregister_key_type(&key_type_iotsec);
}
