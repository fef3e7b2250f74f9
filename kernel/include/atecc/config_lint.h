/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The configuration rules that keep a private key inside the chip.
 *
 * One list for both sides: the driver refuses to lock a config zone that
 * breaks a rule (Documentation/provisioning.rst), and `iotsec provision`
 * checks its profile with the same code before it writes anything, to say
 * why.  The rules (facts and sources: Documentation/provisioning.rst), for
 * a slot whose KeyConfig says Private:
 *
 *  KEY_TYPE        KeyType is not P-256: the "key" is ordinary slot data.
 *  KEY_READABLE    IsSecret clear: Read returns the key once data is locked.
 *  KEY_WRITABLE    WriteConfig Always or PubInvalid: a plain Write may
 *                  replace the key without authorisation.
 *  KEY_PRIVWRITE   PrivWrite allowed: the key can come from outside.
 *  ECDH_READABLE   WriteECDH set while the secret's target slot (N | 1) is
 *                  readable, or is the key's own slot (N odd).
 *  GENKEY_FOREVER  GenKey allowed but the slot is not Lockable: anyone on
 *                  the bus can replace the key, and that can never be shut.
 *
 * And for the zone as a whole (atecc_lint_zone()), which the bound
 * driver must still find after the lock:
 *
 *  ADDR_FROM_EXTRA ChipMode bit 0: the 608 takes its I2C address from
 *                  UserExtraAdd (byte 85) after the next sleep.
 *  ADDR_CHANGED    I2C_Address (byte 16, bits 7:1) is not the address the
 *                  chip answers at now.
 *
 * Free of kernel-only headers (like crc.h): userspace includes it after
 * defining u8 and u16.
 */
#ifndef IOTSEC_CONFIG_LINT_H
#define IOTSEC_CONFIG_LINT_H

#include "wire.h"

enum atecc_lint_rule {
	ATECC_LINT_KEY_TYPE,
	ATECC_LINT_KEY_READABLE,
	ATECC_LINT_KEY_WRITABLE,
	ATECC_LINT_KEY_PRIVWRITE,
	ATECC_LINT_ECDH_READABLE,
	ATECC_LINT_GENKEY_FOREVER,
	ATECC_LINT_RULES
};

static inline u16 atecc_lint_word(const u8 *config, unsigned int off)
{
	return config[off] | config[off + 1] << 8;
}

static inline u16 atecc_lint_sc(const u8 *config, unsigned int slot)
{
	return atecc_lint_word(config, ATECC_CFG_SLOTCONFIG + 2 * slot);
}

static inline u16 atecc_lint_kc(const u8 *config, unsigned int slot)
{
	return atecc_lint_word(config, ATECC_CFG_KEYCONFIG + 2 * slot);
}

/* Whether ECDH with this key can leave a secret where Read finds it. */
static inline bool atecc_lint_ecdh_leaks(const u8 *config, unsigned int slot)
{
	u16 sc = atecc_lint_sc(config, slot);

	if (!(sc & ATECC_SC_ECDH) || !(sc & ATECC_SC_WRITE_ECDH))
		return false;
	if (slot & 1)
		return true;
	return !(atecc_lint_sc(config, slot + 1) & ATECC_SC_IS_SECRET);
}

/**
 * atecc_lint_slot() - the rules a slot breaks
 * @config: the 128-byte config zone
 * @slot: 0-15
 *
 * Return: a bit mask, BIT(rule) for each &enum atecc_lint_rule broken;
 * 0 for a slot that is not a private key or one that is safe.
 */
static inline unsigned int atecc_lint_slot(const u8 *config,
					   unsigned int slot)
{
	u16 sc = atecc_lint_sc(config, slot);
	u16 kc = atecc_lint_kc(config, slot);
	u16 wc = sc & ATECC_SC_WC_MASK;
	unsigned int broken = 0;

	if (!(kc & ATECC_KC_PRIVATE))
		return 0;
	if (ATECC_KC_KEYTYPE(kc) != ATECC_KEYTYPE_P256)
		broken |= 1u << ATECC_LINT_KEY_TYPE;
	if (!(sc & ATECC_SC_IS_SECRET))
		broken |= 1u << ATECC_LINT_KEY_READABLE;
	if (wc == ATECC_SC_WC_ALWAYS || wc == ATECC_SC_WC_PUB_INVALID)
		broken |= 1u << ATECC_LINT_KEY_WRITABLE;
	if (sc & ATECC_SC_WC_PRIVWRITE)
		broken |= 1u << ATECC_LINT_KEY_PRIVWRITE;
	if (atecc_lint_ecdh_leaks(config, slot))
		broken |= 1u << ATECC_LINT_ECDH_READABLE;
	if ((sc & ATECC_SC_WC_GENKEY) && !(kc & ATECC_KC_LOCKABLE))
		broken |= 1u << ATECC_LINT_GENKEY_FOREVER;
	return broken;
}

enum atecc_lint_zone_rule {
	ATECC_LINT_ADDR_FROM_EXTRA,
	ATECC_LINT_ADDR_CHANGED,
	ATECC_LINT_ZONE_RULES
};

#define ATECC_LINT_CHIPMODE_ADDR_FROM_EXTRA	0x01

/**
 * atecc_lint_zone() - the zone-wide rules a config zone breaks
 * @config: the 128-byte config zone
 * @addr: the 7-bit I2C address the chip answers at now
 *
 * Return: a bit mask, BIT(rule) for each &enum atecc_lint_zone_rule
 * broken; 0 when the chip stays where it is.
 */
static inline unsigned int atecc_lint_zone(const u8 *config, u8 addr)
{
	unsigned int broken = 0;

	if (config[ATECC_CFG_CHIPMODE] & ATECC_LINT_CHIPMODE_ADDR_FROM_EXTRA)
		broken |= 1u << ATECC_LINT_ADDR_FROM_EXTRA;
	if ((config[ATECC_CFG_I2C_ADDRESS] >> 1) != addr)
		broken |= 1u << ATECC_LINT_ADDR_CHANGED;
	return broken;
}

/**
 * atecc_lint_zone_text() - one line on what a broken zone rule does
 * @rule: an &enum atecc_lint_zone_rule
 *
 * Return: a constant string.
 */
static inline const char *atecc_lint_zone_text(unsigned int rule)
{
	static const char * const text[ATECC_LINT_ZONE_RULES] = {
		[ATECC_LINT_ADDR_FROM_EXTRA] = "ChipMode bit 0: address from UserExtraAdd",
		[ATECC_LINT_ADDR_CHANGED] = "I2C_Address is not the address the chip has now",
	};

	return rule < ATECC_LINT_ZONE_RULES ? text[rule] : "unknown rule";
}

/**
 * atecc_lint_text() - one line on what a broken rule allows
 * @rule: an &enum atecc_lint_rule
 *
 * Return: a constant string.
 */
static inline const char *atecc_lint_text(unsigned int rule)
{
	static const char * const text[ATECC_LINT_RULES] = {
		[ATECC_LINT_KEY_TYPE] = "private key of a type other than P-256",
		[ATECC_LINT_KEY_READABLE] = "IsSecret clear: the private key would be readable",
		[ATECC_LINT_KEY_WRITABLE] = "plain Write allowed: the key could be replaced",
		[ATECC_LINT_KEY_PRIVWRITE] = "PrivWrite allowed: the key could come from outside",
		[ATECC_LINT_ECDH_READABLE] = "WriteECDH stores ECDH secrets in a readable slot",
		[ATECC_LINT_GENKEY_FOREVER] = "GenKey allowed, slot not Lockable: key replaceable",
	};

	return rule < ATECC_LINT_RULES ? text[rule] : "unknown rule";
}

#endif /* IOTSEC_CONFIG_LINT_H */
