// SPDX-License-Identifier: GPL-2.0
/*
 * Authorization to make keys from a chip's slots.
 *
 * A caller may when it has CAP_SYS_ADMIN (in the initial user namespace)
 * or is a member of the chip's key group.  The key group is set by root
 * through the attribute key_group on the chip's I2C device (0644; writing
 * also needs CAP_SYS_ADMIN): a decimal gid, or "none" (the default).  It
 * is kept by the chip's serial number, so that it survives an unbind and
 * rebind of the same chip, until iotsec.ko is unloaded; at most
 * KEY_GROUPS chips have one (-ENOSPC beyond).
 */

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/device.h>
#include <linux/i2c.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uidgid.h>

#include "auth.h"
#include "chip.h"
#include "atecc/wire.h"

#define KEY_GROUPS	16	/* chips with a key group, at most */

/**
 * struct key_group - the key group of one chip
 * @used: the entry holds a chip's group
 * @serial: the chip's serial number
 * @gid: the group
 *
 * A fixed table: nothing to free at unload, whatever sysfs writes race it.
 */
struct key_group {
	bool used;
	u8 serial[ATECC_SN_SIZE];
	kgid_t gid;
};

static struct key_group key_groups[KEY_GROUPS];
static DEFINE_SPINLOCK(key_groups_lock);

static struct key_group *find(const u8 *serial)
{
	unsigned int i;

	for (i = 0; i < KEY_GROUPS; i++)
		if (key_groups[i].used &&
		    !memcmp(key_groups[i].serial, serial, ATECC_SN_SIZE))
			return &key_groups[i];
	return NULL;
}

static kgid_t chip_group(const struct atecc_chip *chip)
{
	struct key_group *g;
	kgid_t gid = INVALID_GID;

	spin_lock(&key_groups_lock);
	g = find(chip->serial);
	if (g)
		gid = g->gid;
	spin_unlock(&key_groups_lock);
	return gid;
}

/* Sets (or with INVALID_GID clears) the chip's key group. */
static int set_chip_group(const struct atecc_chip *chip, kgid_t gid)
{
	struct key_group *g;
	unsigned int i;
	int ret = 0;

	spin_lock(&key_groups_lock);
	g = find(chip->serial);
	for (i = 0; !g && gid_valid(gid) && i < KEY_GROUPS; i++)
		if (!key_groups[i].used)
			g = &key_groups[i];
	if (g) {
		memcpy(g->serial, chip->serial, ATECC_SN_SIZE);
		g->gid = gid;
		g->used = gid_valid(gid);
	} else if (gid_valid(gid)) {
		ret = -ENOSPC;
	}
	spin_unlock(&key_groups_lock);
	return ret;
}

/**
 * atecc_auth_allowed() - may the current task make keys from this chip
 * @chip: the chip
 *
 * The group is tried first, so that a member is not logged by the audit
 * of capable() as using CAP_SYS_ADMIN.
 *
 * Return: true for a member of the chip's key group or CAP_SYS_ADMIN.
 */
bool atecc_auth_allowed(const struct atecc_chip *chip)
{
	kgid_t gid = chip_group(chip);

	if (gid_valid(gid) && in_group_p(gid))
		return true;
	return capable(CAP_SYS_ADMIN);
}

/**
 * atecc_auth_check() - atecc_auth_allowed(), with the refusal logged
 * @chip: the chip
 * @slot: the slot asked for, for the log
 * @what: what was refused, for the log ("key", "generate", ...)
 *
 * Return: 0, or -EACCES with one rate-limited line naming uid, chip, slot.
 */
int atecc_auth_check(const struct atecc_chip *chip, unsigned int slot,
		     const char *what)
{
	if (atecc_auth_allowed(chip))
		return 0;
	dev_notice_ratelimited(chip->dev,
			       "iotsec %s for chip %*phN slot %u refused to uid %u: needs CAP_SYS_ADMIN or the chip's key_group\n",
			       what, ATECC_SN_SIZE, chip->serial, slot,
			       from_kuid_munged(&init_user_ns, current_uid()));
	return -EACCES;
}

static struct atecc_chip *to_chip(struct device *dev)
{
	return i2c_get_clientdata(to_i2c_client(dev));
}

static ssize_t key_group_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	kgid_t gid = chip_group(to_chip(dev));

	if (!gid_valid(gid))
		return sysfs_emit(buf, "none\n");
	return sysfs_emit(buf, "%u\n", from_kgid_munged(current_user_ns(), gid));
}

/* "none" (or an empty line) clears; otherwise a decimal gid. */
static ssize_t key_group_store(struct device *dev,
			       struct device_attribute *attr, const char *buf,
			       size_t count)
{
	struct atecc_chip *chip = to_chip(dev);
	kgid_t gid = INVALID_GID;
	u32 val;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!sysfs_streq(buf, "none") && !sysfs_streq(buf, "")) {
		if (kstrtou32(buf, 10, &val))
			return -EINVAL;
		gid = make_kgid(current_user_ns(), val);
		if (!gid_valid(gid))
			return -EINVAL;
	}
	ret = set_chip_group(chip, gid);
	if (ret)
		return ret;
	if (gid_valid(gid))
		dev_info(dev, "key_group set to gid %u\n", val);
	else
		dev_info(dev, "key_group cleared\n");
	return count;
}
static DEVICE_ATTR_RW(key_group);

static struct attribute *atecc_auth_attrs[] = {
	&dev_attr_key_group.attr,
	NULL,
};

const struct attribute_group atecc_auth_group = {
	.attrs = atecc_auth_attrs,
};
