// SPDX-License-Identifier: GPL-2.0
/*
 * Provisioning through the driver, so that `iotsec provision` never needs
 * /dev/i2c and never fights the driver for the chip.  Attributes on the
 * chip's I2C device; every write needs CAP_SYS_ADMIN:
 *
 *   config       (bin, 128 bytes) read: the config zone, as cached.
 *                write: the whole zone at offset 0, only while unlocked;
 *                bytes 0-15 and 84-87 must equal the chip's; the words
 *                that differ are written, 4 bytes at a time.
 *   lock_config  write the CRC-16 (hex) of the zone as checked: refused
 *                when the zone breaks a rule of config_lint.h (EPERM) or
 *                differs from what was checked (EBADMSG).
 *   genkey       write a slot number: a new private key, made in the chip;
 *                only after the config lock and before the data lock.
 *   lock_data    write 1: refused while a key slot that can never get a
 *                key later holds none (ENOKEY).
 *   lock_slot    write a slot number: lock that slot, after the data lock.
 *
 * Each step runs as one sequence under the chip's lock; the lock bytes are
 * read again inside it, so a step never acts on a stale view.
 */

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/i2c.h>
#include <linux/kernel.h>
#include <linux/sysfs.h>

#include "chip.h"
#include "cmd.h"
#include "compat.h"
#include "atecc/config_lint.h"
#include "atecc/crc.h"
#include "provision.h"
#include "atecc/wire.h"

static struct atecc_chip *to_chip(struct device *dev)
{
	return i2c_get_clientdata(to_i2c_client(dev));
}

/* Bytes Write never changes: identity and the lock/extra word. */
static bool fixed_byte(unsigned int off)
{
	return off < ATECC_CFG_I2C_ADDRESS ||
	       (off >= ATECC_CFG_USER_EXTRA && off <= ATECC_CFG_LOCK_CONFIG);
}

static int check_fixed(const u8 *want, const u8 *have)
{
	unsigned int off;

	for (off = 0; off < ATECC_CONFIG_SIZE; off++)
		if (fixed_byte(off) && want[off] != have[off])
			return -EINVAL;
	return 0;
}

/*
 * Inside a sequence: the chip's config zone into @cfg, @locked when the
 * zone is already locked.
 */
static int read_unlocked_config(struct atecc_chip *chip, u8 *cfg, int locked)
{
	int ret = atecc_cmd_read_config(chip, cfg);

	if (ret)
		return ret;
	return cfg[ATECC_CFG_LOCK_CONFIG] == ATECC_UNLOCKED ? 0 : locked;
}

/* Inside a sequence: the words of @want that differ from the chip's. */
static int write_config(struct atecc_chip *chip, const u8 *want)
{
	u8 have[ATECC_CONFIG_SIZE];
	unsigned int off, n = 0;
	int ret;

	ret = read_unlocked_config(chip, have, -EROFS);
	if (ret)
		return ret;
	ret = check_fixed(want, have);
	for (off = ATECC_CFG_I2C_ADDRESS; !ret && off < ATECC_CONFIG_SIZE;
	     off += ATECC_WORD) {
		if (fixed_byte(off) || !memcmp(&want[off], &have[off], ATECC_WORD))
			continue;
		ret = atecc_cmd_write(chip, ATECC_ZONE_CONFIG,
				      atecc_addr_config(off), &want[off],
				      ATECC_WORD);
		n += !ret;
	}
	if (n)
		dev_info(chip->dev, "provisioning: %u config words written\n", n);
	return ret;
}

static ssize_t config_read(struct file *file, struct kobject *kobj,
			   atecc_bin_attr *attr, char *buf, loff_t off,
			   size_t count)
{
	struct atecc_chip *chip = to_chip(kobj_to_dev(kobj));
	u8 cfg[ATECC_CONFIG_SIZE];
	int ret;

	if (off >= ATECC_CONFIG_SIZE)
		return 0;
	count = min_t(size_t, count, ATECC_CONFIG_SIZE - off);
	ret = atecc_read_config(chip, cfg);
	if (ret)
		return ret;
	memcpy(buf, cfg + off, count);
	return count;
}

static ssize_t config_write(struct file *file, struct kobject *kobj,
			    atecc_bin_attr *attr, char *buf, loff_t off,
			    size_t count)
{
	struct atecc_chip *chip = to_chip(kobj_to_dev(kobj));
	int ret, reread;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (off != 0 || count != ATECC_CONFIG_SIZE)
		return -EINVAL;
	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	ret = write_config(chip, buf);
	reread = atecc_chip_refresh_config(chip);
	if (!ret)
		ret = reread;
	atecc_seq_end(chip);
	return ret ? ret : count;
}
static BIN_ATTR_RW(config, ATECC_CONFIG_SIZE);

/* Inside a sequence, with the zone just read: every rule, each logged. */
static int lint_config(struct atecc_chip *chip, const u8 *cfg)
{
	unsigned int slot, rule, broken;
	int ret = 0;

	broken = atecc_lint_zone(cfg, chip->client->addr);
	for (rule = 0; rule < ATECC_LINT_ZONE_RULES; rule++) {
		if (!(broken & (1u << rule)))
			continue;
		dev_err(chip->dev, "lock refused: %s\n",
			atecc_lint_zone_text(rule));
		ret = -EPERM;
	}
	for (slot = 0; slot < ATECC_NUM_SLOTS; slot++) {
		broken = atecc_lint_slot(cfg, slot);
		for (rule = 0; rule < ATECC_LINT_RULES; rule++) {
			if (!(broken & (1u << rule)))
				continue;
			dev_err(chip->dev, "lock refused: slot %u: %s\n", slot,
				atecc_lint_text(rule));
			ret = -EPERM;
		}
	}
	return ret;
}

static int lock_config(struct atecc_chip *chip, u16 checked)
{
	u8 cfg[ATECC_CONFIG_SIZE];
	u16 crc;
	int ret;

	ret = read_unlocked_config(chip, cfg, -EALREADY);
	if (ret)
		return ret;
	ret = lint_config(chip, cfg);
	if (ret)
		return ret;
	crc = atecc_crc16(cfg, ATECC_CONFIG_SIZE);
	if (crc != checked) {
		dev_err(chip->dev, "lock refused: the config zone's CRC is %04x, not the %04x checked\n",
			crc, checked);
		return -EBADMSG;
	}
	ret = atecc_cmd_lock_config(chip, cfg);
	if (!ret)
		dev_info(chip->dev, "provisioning: config zone locked (CRC %04x)\n",
			 crc);
	return ret;
}

/* Runs @step as one sequence, then reloads the cache (and the hwrng). */
static ssize_t run_step(struct device *dev, size_t count,
			int (*step)(struct atecc_chip *chip, unsigned int arg),
			unsigned int arg)
{
	struct atecc_chip *chip = to_chip(dev);
	int ret, reload;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	ret = step(chip, arg);
	atecc_seq_end(chip);
	reload = atecc_chip_reload(chip);
	if (!ret)
		ret = reload;
	return ret ? ret : count;
}

static int lock_config_step(struct atecc_chip *chip, unsigned int crc)
{
	return lock_config(chip, crc);
}

static ssize_t lock_config_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	u16 crc;

	if (kstrtou16(buf, 16, &crc))
		return -EINVAL;
	return run_step(dev, count, lock_config_step, crc);
}
static DEVICE_ATTR_WO(lock_config);

static bool p256_private(const struct atecc_chip *chip, unsigned int slot)
{
	u16 kc = atecc_key_config(chip, slot);

	return (kc & ATECC_KC_PRIVATE) &&
	       ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_P256;
}

static int genkey_step(struct atecc_chip *chip, unsigned int slot)
{
	u8 pub[ATECC_PUBKEY_SIZE];
	int ret;

	ret = atecc_chip_refresh_config(chip);
	if (ret)
		return ret;
	if (!chip->config_locked || chip->data_locked)
		return -EPERM;
	if (!p256_private(chip, slot))
		return -EINVAL;
	ret = atecc_genkey(chip, ATECC_GENKEY_PRIVATE, slot, pub);
	if (!ret)
		dev_info(chip->dev, "provisioning: new P-256 key in slot %u\n",
			 slot);
	return ret;
}

/* run_step() with the slot number written (EINVAL unless 0-15) */
static ssize_t run_slot_step(struct device *dev, const char *buf,
			     size_t count,
			     int (*step)(struct atecc_chip *chip,
					 unsigned int slot))
{
	unsigned int slot;

	if (kstrtouint(buf, 10, &slot) || slot >= ATECC_NUM_SLOTS)
		return -EINVAL;
	return run_step(dev, count, step, slot);
}

static ssize_t genkey_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	return run_slot_step(dev, buf, count, genkey_step);
}
static DEVICE_ATTR_WO(genkey);

/*
 * A key slot that GenKey may not write after the data lock must hold its
 * key by then: GenKey mode 0 (public key from the stored private key,
 * writes nothing) fails on an empty slot.  Slots without PubInfo cannot be
 * checked this way and are let through.
 */
static int check_keys_present(struct atecc_chip *chip)
{
	u8 pub[ATECC_PUBKEY_SIZE];
	unsigned int slot;
	int ret;

	for (slot = 0; slot < ATECC_NUM_SLOTS; slot++) {
		if (!p256_private(chip, slot) ||
		    (atecc_slot_config(chip, slot) & ATECC_SC_WC_GENKEY) ||
		    !(atecc_key_config(chip, slot) & ATECC_KC_PUBINFO))
			continue;
		ret = atecc_cmd_genkey(chip, ATECC_GENKEY_PUBLIC, slot, pub);
		if (ret == -EPERM) {
			dev_err(chip->dev, "data lock refused: slot %u holds no key and could never get one\n",
				slot);
			return -ENOKEY;
		}
		if (ret)
			return ret;
	}
	return 0;
}

static int lock_data_step(struct atecc_chip *chip, unsigned int unused)
{
	int ret = atecc_chip_refresh_config(chip);

	if (ret)
		return ret;
	if (!chip->config_locked)
		return -EPERM;
	if (chip->data_locked)
		return -EALREADY;
	ret = check_keys_present(chip);
	if (!ret)
		ret = atecc_cmd_lock_data(chip);
	if (!ret)
		dev_info(chip->dev, "provisioning: data zone locked\n");
	return ret;
}

static ssize_t lock_data_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	bool yes;

	if (kstrtobool(buf, &yes) || !yes)
		return -EINVAL;
	return run_step(dev, count, lock_data_step, 0);
}
static DEVICE_ATTR_WO(lock_data);

static int lock_slot_step(struct atecc_chip *chip, unsigned int slot)
{
	int ret = atecc_chip_refresh_config(chip);

	if (ret)
		return ret;
	if (!chip->data_locked ||
	    !(atecc_key_config(chip, slot) & ATECC_KC_LOCKABLE))
		return -EPERM;
	if (atecc_slot_locked(chip, slot))
		return -EALREADY;
	ret = atecc_cmd_lock_slot(chip, slot);
	if (!ret)
		dev_info(chip->dev, "provisioning: slot %u locked\n", slot);
	return ret;
}

static ssize_t lock_slot_store(struct device *dev,
			       struct device_attribute *attr,
			       const char *buf, size_t count)
{
	return run_slot_step(dev, buf, count, lock_slot_step);
}
static DEVICE_ATTR_WO(lock_slot);

static struct attribute *provision_attrs[] = {
	&dev_attr_lock_config.attr,
	&dev_attr_genkey.attr,
	&dev_attr_lock_data.attr,
	&dev_attr_lock_slot.attr,
	NULL,
};

static atecc_bin_attr *provision_bin_attrs[] = {
	&bin_attr_config,
	NULL,
};

const struct attribute_group atecc_provision_group = {
	.attrs = provision_attrs,
	.bin_attrs = provision_bin_attrs,
};
