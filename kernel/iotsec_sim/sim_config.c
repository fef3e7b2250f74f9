// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: the configuration zone a chip starts with (factory-fresh or
 * provisioned), its serial number, and helpers that decode the slot
 * policies from it.  Layouts are documented in Documentation/sim.rst.
 */

#include <asm/unaligned.h>
#include <linux/random.h>
#include <linux/string.h>

#include "sim.h"

/* Factory-fresh policy: slots 0-4 keys, 5-8 data, 9-15 public keys */
#define SC_KEY_GENKEY		0x2087	/* sign+ECDH, secret, GenKey only */
#define SC_KEY_PERMANENT	0x8087	/* sign+ECDH, secret, never written */
#define SC_DATA_ALWAYS		0x0000	/* clear read, always write */
#define SC_DATA_READONLY	0x8000	/* clear read, never written */
#define SC_SECRET_ALWAYS	0x0080	/* no read, always write */
#define KC_P256_PRIV		0x0013	/* private, PubInfo, P-256 */
#define KC_P256_PRIV_LOCKABLE	0x0033
#define KC_DATA_LOCKABLE	0x003c	/* key type 7 (data), lockable */
#define KC_AES_LOCKABLE		0x0038	/* key type 6 (AES), lockable */
#define KC_P256_PUB_LOCKABLE	0x0030	/* P-256 public key, lockable */

struct sim_slot_policy {
	u16 slot_config;
	u16 key_config;
};

static const struct sim_slot_policy sim_fresh_slots[ATECC_NUM_SLOTS] = {
	[0 ... 4] = { SC_KEY_GENKEY, KC_P256_PRIV_LOCKABLE },
	[5 ... 8] = { SC_DATA_ALWAYS, KC_DATA_LOCKABLE },
	[9 ... 15] = { SC_DATA_ALWAYS, KC_P256_PUB_LOCKABLE },
};

/* Trust&GO-like: permanent key in slot 0, GenKey keys in 1-4 */
static const struct sim_slot_policy sim_prov_slots[ATECC_NUM_SLOTS] = {
	[0] = { SC_KEY_PERMANENT, KC_P256_PRIV },
	[1 ... 4] = { SC_KEY_GENKEY, KC_P256_PRIV_LOCKABLE },
	[5] = { SC_DATA_READONLY, KC_DATA_LOCKABLE },
	[6] = { SC_SECRET_ALWAYS, KC_AES_LOCKABLE },
	[7] = { SC_DATA_READONLY, KC_DATA_LOCKABLE },
	[8] = { SC_DATA_ALWAYS, KC_DATA_LOCKABLE },
	[9 ... 15] = { SC_DATA_ALWAYS, KC_P256_PUB_LOCKABLE },
};

static const u8 sim_revision_bytes[][4] = {
	[SIM_508A] = { 0x00, 0x00, 0x50, 0x00 },
	[SIM_608A] = { 0x00, 0x00, 0x60, 0x02 },
	[SIM_608B] = { 0x00, 0x00, 0x60, 0x03 },
};

/* Info Revision, also stored in config bytes 4-7 */
void sim_revision(const struct sim_chip *chip, u8 *out)
{
	memcpy(out, sim_revision_bytes[chip->model], 4);
}

bool sim_is_608(const struct sim_chip *chip)
{
	return chip->model != SIM_508A;
}

unsigned int sim_slot_offset(unsigned int slot)
{
	if (slot <= 8)
		return slot * ATECC_SLOT_SMALL;
	return 8 * ATECC_SLOT_SMALL + ATECC_SLOT_BIG + (slot - 9) * ATECC_SLOT_PUB;
}

unsigned int sim_slot_size(unsigned int slot)
{
	if (slot < 8)
		return ATECC_SLOT_SMALL;
	return slot == 8 ? ATECC_SLOT_BIG : ATECC_SLOT_PUB;
}

u16 sim_slot_config(const struct sim_chip *chip, unsigned int slot)
{
	return get_unaligned_le16(&chip->config[ATECC_CFG_SLOTCONFIG + 2 * slot]);
}

u16 sim_key_config(const struct sim_chip *chip, unsigned int slot)
{
	return get_unaligned_le16(&chip->config[ATECC_CFG_KEYCONFIG + 2 * slot]);
}

bool sim_config_locked(const struct sim_chip *chip)
{
	return chip->config[ATECC_CFG_LOCK_CONFIG] != ATECC_UNLOCKED;
}

bool sim_data_locked(const struct sim_chip *chip)
{
	return chip->config[ATECC_CFG_LOCK_VALUE] != ATECC_UNLOCKED;
}

bool sim_slot_locked(const struct sim_chip *chip, unsigned int slot)
{
	u16 unlocked = get_unaligned_le16(&chip->config[ATECC_CFG_SLOT_LOCKED]);

	return !(unlocked & BIT(slot));
}

bool sim_slot_is_p256_private(const struct sim_chip *chip, unsigned int slot)
{
	u16 kc = sim_key_config(chip, slot);

	return (kc & ATECC_KC_PRIVATE) &&
	       ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_P256;
}

/* The 32-byte scalar of a key slot (PrivWrite layout: 4 pad bytes first) */
u8 *sim_privkey(struct sim_chip *chip, unsigned int slot)
{
	return &chip->data[sim_slot_offset(slot) + ATECC_PRIVKEY_PAD];
}

/* SN[0:1] = 01 23, SN[8] = EE; SN[7] is the chip index, the rest random */
static void sim_config_serial(struct sim_chip *chip)
{
	u8 *cfg = chip->config;

	cfg[ATECC_CFG_SN03] = 0x01;
	cfg[ATECC_CFG_SN03 + 1] = 0x23;
	get_random_bytes(&cfg[ATECC_CFG_SN03 + 2], 2);
	get_random_bytes(&cfg[ATECC_CFG_SN48], 3);
	cfg[ATECC_CFG_SN48 + 3] = chip->index;
	cfg[ATECC_CFG_SN48 + 4] = 0xee;
}

static void sim_config_slots(struct sim_chip *chip,
			     const struct sim_slot_policy *slots)
{
	unsigned int i;

	for (i = 0; i < ATECC_NUM_SLOTS; i++) {
		put_unaligned_le16(slots[i].slot_config,
				   &chip->config[ATECC_CFG_SLOTCONFIG + 2 * i]);
		put_unaligned_le16(slots[i].key_config,
				   &chip->config[ATECC_CFG_KEYCONFIG + 2 * i]);
	}
}

/* Counters read as zero in the usual encoding; kept in chip->counter */
static void sim_config_counters(u8 *cfg)
{
	memset(&cfg[ATECC_CFG_COUNTERS], 0xff, 4);
	memset(&cfg[ATECC_CFG_COUNTERS + 8], 0xff, 4);
}

static void sim_config_fresh(struct sim_chip *chip)
{
	u8 *cfg = chip->config;

	memset(cfg, 0, ATECC_CONFIG_SIZE);
	sim_config_serial(chip);
	sim_revision(chip, &cfg[ATECC_CFG_REVNUM]);
	cfg[ATECC_CFG_AES_ENABLE] = sim_is_608(chip) ? 0x01 : 0x00;
	cfg[ATECC_CFG_I2C_ENABLE] = 0x01;
	cfg[ATECC_CFG_I2C_ADDRESS] = chip->addr << 1;
	cfg[ATECC_CFG_CHIPMODE] = 0x00;
	sim_config_slots(chip, sim_fresh_slots);
	sim_config_counters(cfg);
	if (!sim_is_608(chip))
		memset(&cfg[ATECC_CFG_LAST_KEY_USE], 0xff, 16);
	cfg[ATECC_CFG_LOCK_VALUE] = ATECC_UNLOCKED;
	cfg[ATECC_CFG_LOCK_CONFIG] = ATECC_UNLOCKED;
	put_unaligned_le16(0xffff, &cfg[ATECC_CFG_SLOT_LOCKED]);
}

static int sim_config_provision(struct sim_chip *chip)
{
	int ret;

	sim_config_slots(chip, sim_prov_slots);
	ret = sim_ecc_gen_priv(sim_privkey(chip, 0));
	if (ret)
		return ret;
	chip->config[ATECC_CFG_LOCK_VALUE] = ATECC_LOCKED;
	chip->config[ATECC_CFG_LOCK_CONFIG] = ATECC_LOCKED;
	return 0;
}

/* Fills the EEPROM of a chip; the data zone and OTP start as zeros. */
int sim_config_init(struct sim_chip *chip, bool provisioned)
{
	memset(chip->data, 0, sizeof(chip->data));
	memset(chip->otp, 0, sizeof(chip->otp));
	sim_config_fresh(chip);
	if (!provisioned)
		return 0;
	return sim_config_provision(chip);
}
