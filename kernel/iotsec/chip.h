/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One ATECC508A/608A/608B: identity, cached config zone, lock, lifetime,
 * and the global registry through which the crypto providers, the key type
 * and provisioning find a chip.
 */
#ifndef IOTSEC_CHIP_H
#define IOTSEC_CHIP_H

#include <linux/hw_random.h>
#include <linux/i2c.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>

#include "i2c.h"
#include "timing.h"
#include "atecc/wire.h"

enum atecc_model {
	ATECC508A,
	ATECC608A,
	ATECC608B,
};

/* "iotsec-" + 18 hex digits + NUL */
#define ATECC_RNG_NAME_SIZE	(7 + 2 * ATECC_SN_SIZE + 1)

/**
 * struct atecc_chip - one secure element
 * @client: the I2C client; valid (referenced) for the life of this struct,
 *	but never used for I/O once @dead is set
 * @dev: &client->dev, for messages
 * @model: from the Info revision (the device id only gives the default)
 * @revision: Info revision bytes, e.g. 00 00 60 03
 * @serial: config bytes 0-3 then 8-12
 * @config: the config zone as last read (bytes 84-91 refreshed on demand)
 * @config_locked: LockConfig (byte 87) is 0x00
 * @data_locked: LockValue (byte 86) is 0x00
 * @lock: serialises every use of the chip; held across a command sequence
 * @ref: the struct lives while references exist, even after remove
 * @dead: set under @lock on remove; every later use gets -ENODEV
 * @node: entry in the registry
 * @link: transport state (see i2c.h); under @lock
 * @timing: execution-time estimates and statistics; under @lock
 * @rng: the hwrng, registered only while the config zone is locked
 * @rng_registered: @rng is registered
 * @rng_closed: the chip is going away: never register @rng again
 * @rng_name: "iotsec-<serial>"
 */
struct atecc_chip {
	struct i2c_client *client;
	struct device *dev;
	enum atecc_model model;
	u8 revision[4];
	u8 serial[ATECC_SN_SIZE];
	u8 config[ATECC_CONFIG_SIZE];
	bool config_locked;
	bool data_locked;
	struct mutex lock;	/* see @lock above */
	struct kref ref;
	bool dead;
	struct list_head node;
	struct atecc_link link;
	struct atecc_timing timing;
	struct hwrng rng;
	bool rng_registered;
	bool rng_closed;
	char rng_name[ATECC_RNG_NAME_SIZE];
};

extern struct i2c_driver atecc_i2c_driver;

const char *atecc_model_name(const struct atecc_chip *chip);
struct atecc_chip *atecc_chip_get_by_serial(const u8 sn[ATECC_SN_SIZE]);
struct atecc_chip *atecc_chip_get_by_index(int idx);
void atecc_chip_get(struct atecc_chip *chip);
void atecc_chip_put(struct atecc_chip *chip);
int atecc_chip_refresh_config(struct atecc_chip *chip);
int atecc_chip_reload(struct atecc_chip *chip);
int atecc_chip_read_locks(struct atecc_chip *chip);

/**
 * atecc_slot_config() - SlotConfig word of a slot, from the cached config
 * @chip: the chip
 * @slot: 0-15
 *
 * Return: the 16-bit SlotConfig.
 */
static inline u16 atecc_slot_config(const struct atecc_chip *chip,
				    unsigned int slot)
{
	const u8 *p = &chip->config[ATECC_CFG_SLOTCONFIG + 2 * slot];

	return p[0] | p[1] << 8;
}

/**
 * atecc_key_config() - KeyConfig word of a slot, from the cached config
 * @chip: the chip
 * @slot: 0-15
 *
 * Return: the 16-bit KeyConfig.
 */
static inline u16 atecc_key_config(const struct atecc_chip *chip,
				   unsigned int slot)
{
	const u8 *p = &chip->config[ATECC_CFG_KEYCONFIG + 2 * slot];

	return p[0] | p[1] << 8;
}

/**
 * atecc_slot_locked() - whether a slot is individually locked (SlotLocked
 * bit clear), from the cached config
 * @chip: the chip
 * @slot: 0-15
 *
 * Return: true when locked.
 */
static inline bool atecc_slot_locked(const struct atecc_chip *chip,
				     unsigned int slot)
{
	const u8 *p = &chip->config[ATECC_CFG_SLOT_LOCKED];
	u16 bits = p[0] | p[1] << 8;

	return !(bits & BIT(slot));
}

#endif /* IOTSEC_CHIP_H */
