// SPDX-License-Identifier: GPL-2.0
/*
 * Attributes on the chip's I2C device:
 *   serial_number  18 hex digits (config bytes 0-3, 8-12)
 *   revision       Info revision, 8 hex digits (00006003 = ATECC608B)
 *   config_locked  1/0 (LockConfig, byte 87, is 0x00)
 *   data_locked    1/0 (LockValue, byte 86, is 0x00)
 *   slot_config    one line per slot
 *   key_group      the group whose members may add keys (auth.c)
 *
 * All world-readable, so none of them talks to the chip: they show the
 * driver's cache of the config zone, taken under the chip's lock.  The
 * cache is read at probe and again, under the lock, by every step that
 * changes the zone (provision.c), so it is what the chip holds.  A read
 * therefore neither waits for a command sequence to end nor delays one
 * more than a copy, and never rewrites the cache.
 */

#include <linux/device.h>
#include <linux/i2c.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>

#include "auth.h"
#include "chip.h"
#include "cmd.h"
#include "provision.h"
#include "sysfs.h"
#include "atecc/wire.h"

static struct atecc_chip *to_chip(struct device *dev)
{
	return i2c_get_clientdata(to_i2c_client(dev));
}

static ssize_t serial_number_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%*phN\n", ATECC_SN_SIZE, to_chip(dev)->serial);
}
static DEVICE_ATTR_RO(serial_number);

static ssize_t revision_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%4phN\n", to_chip(dev)->revision);
}
static DEVICE_ATTR_RO(revision);

/*
 * The chip's lock, for a look at the cache only: no command, no wake (so
 * not atecc_seq_begin(), which may idle a chip left awake).
 */
static int cache_lock(struct atecc_chip *chip)
{
	if (mutex_lock_interruptible(&chip->lock))
		return -EINTR;
	if (chip->dead) {
		mutex_unlock(&chip->lock);
		return -ENODEV;
	}
	return 0;
}

/* One lock flag from the cache, or a negative errno. */
static int cached_lock(struct device *dev, bool data)
{
	struct atecc_chip *chip = to_chip(dev);
	int ret = cache_lock(chip);

	if (ret)
		return ret;
	ret = data ? chip->data_locked : chip->config_locked;
	mutex_unlock(&chip->lock);
	return ret;
}

static ssize_t config_locked_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	int ret = cached_lock(dev, false);

	return ret < 0 ? ret : sysfs_emit(buf, "%d\n", ret);
}
static DEVICE_ATTR_RO(config_locked);

static ssize_t data_locked_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	int ret = cached_lock(dev, true);

	return ret < 0 ? ret : sysfs_emit(buf, "%d\n", ret);
}
static DEVICE_ATTR_RO(data_locked);

static const char *slot_kind(u16 kc)
{
	if (kc & ATECC_KC_PRIVATE)
		return ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_P256 ?
		       "private key P-256" : "private key";
	if (ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_P256)
		return "public key P-256";
	if (ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_AES)
		return "AES key";
	return "data";
}

static int emit_slot(const struct atecc_chip *chip, unsigned int slot,
		     char *buf, int at)
{
	u16 sc = atecc_slot_config(chip, slot);
	u16 kc = atecc_key_config(chip, slot);
	bool key = kc & ATECC_KC_PRIVATE;

	return sysfs_emit_at(buf, at,
			     "slot %2u: SlotConfig 0x%04x KeyConfig 0x%04x locked %d %s%s%s%s%s%s%s\n",
			     slot, sc, kc, atecc_slot_locked(chip, slot),
			     slot_kind(kc),
			     sc & ATECC_SC_IS_SECRET ? " secret" : " readable",
			     key && (sc & ATECC_SC_EXT_SIGN) ? " ext-sign" : "",
			     key && (sc & ATECC_SC_INT_SIGN) ? " int-sign" : "",
			     key && (sc & ATECC_SC_ECDH) ? " ecdh" : "",
			     key && (sc & ATECC_SC_WRITE_ECDH) ?
			     " ecdh-to-next-slot" : "",
			     key && (sc & ATECC_SC_WC_GENKEY) ? " genkey" : "");
}

static ssize_t slot_config_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	struct atecc_chip *chip = to_chip(dev);
	unsigned int slot;
	int ret, len = 0;

	ret = cache_lock(chip);
	if (ret)
		return ret;
	for (slot = 0; slot < ATECC_NUM_SLOTS; slot++)
		len += emit_slot(chip, slot, buf, len);
	mutex_unlock(&chip->lock);
	return len;
}
static DEVICE_ATTR_RO(slot_config);

static struct attribute *atecc_attrs[] = {
	&dev_attr_serial_number.attr,
	&dev_attr_revision.attr,
	&dev_attr_config_locked.attr,
	&dev_attr_data_locked.attr,
	&dev_attr_slot_config.attr,
	NULL,
};

static const struct attribute_group atecc_group = {
	.attrs = atecc_attrs,
};

const struct attribute_group *atecc_sysfs_groups[] = {
	&atecc_group,
	&atecc_provision_group,
	&atecc_auth_group,
	NULL,
};
