// SPDX-License-Identifier: GPL-2.0
/*
 * The I2C client driver: probe (wake, Info revision, config zone), remove,
 * the chip's lifetime (kref; dead flag under its lock) and the registry of
 * chips that later code looks chips up in.
 *
 * A factory-fresh chip (config zone unlocked) binds like any other: sysfs
 * shows its state and provisioning can use it.  Key use is refused later,
 * and the hwrng stays unregistered while the chip's Random only returns its
 * fixed unlocked pattern.
 */

#include <linux/device.h>
#include <linux/i2c.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "chip.h"
#include "cmd.h"
#include "compat.h"
#include "i2c.h"
#include "rng.h"
#include "sysfs.h"
#include "timing.h"
#include "atecc/wire.h"

static LIST_HEAD(chips);
static DEFINE_MUTEX(chips_lock);

static const char * const model_names[] = {
	[ATECC508A] = "ATECC508A",
	[ATECC608A] = "ATECC608A",
	[ATECC608B] = "ATECC608B",
};

/**
 * atecc_model_name() - "ATECC608B" etc.
 * @chip: the chip
 *
 * Return: a static string.
 */
const char *atecc_model_name(const struct atecc_chip *chip)
{
	return model_names[chip->model];
}

static void release(struct kref *ref)
{
	struct atecc_chip *chip = container_of(ref, struct atecc_chip, ref);

	put_device(chip->dev);
	mutex_destroy(&chip->lock);
	kfree(chip);
}

/**
 * atecc_chip_get() - take another reference
 * @chip: a chip the caller already holds a reference to
 */
void atecc_chip_get(struct atecc_chip *chip)
{
	kref_get(&chip->ref);
}

/**
 * atecc_chip_put() - drop a reference; the last one frees the chip
 * @chip: the chip, or NULL
 */
void atecc_chip_put(struct atecc_chip *chip)
{
	if (chip)
		kref_put(&chip->ref, release);
}

/**
 * atecc_chip_get_by_serial() - find a bound chip by its serial number
 * @sn: the 9-byte serial (config bytes 0-3, 8-12)
 *
 * Return: the chip with a reference (drop it with atecc_chip_put()), or
 * NULL.  The chip may be removed later: its commands then return -ENODEV.
 */
struct atecc_chip *atecc_chip_get_by_serial(const u8 sn[ATECC_SN_SIZE])
{
	struct atecc_chip *chip, *found = NULL;

	mutex_lock(&chips_lock);
	list_for_each_entry(chip, &chips, node) {
		if (!memcmp(chip->serial, sn, ATECC_SN_SIZE)) {
			found = chip;
			kref_get(&chip->ref);
			break;
		}
	}
	mutex_unlock(&chips_lock);
	return found;
}

/**
 * atecc_chip_get_by_index() - the idx-th bound chip, in probe order
 * @idx: 0 for the first
 *
 * Return: the chip with a reference (drop it with atecc_chip_put()), or
 * NULL.
 */
struct atecc_chip *atecc_chip_get_by_index(int idx)
{
	struct atecc_chip *chip, *found = NULL;

	mutex_lock(&chips_lock);
	list_for_each_entry(chip, &chips, node) {
		if (idx-- == 0) {
			found = chip;
			kref_get(&chip->ref);
			break;
		}
	}
	mutex_unlock(&chips_lock);
	return found;
}

static bool locked_byte(const u8 *config, unsigned int offset)
{
	return config[offset] == ATECC_LOCKED;
}

/* Caller holds the chip's lock. */
static void apply_config(struct atecc_chip *chip, const u8 *config)
{
	memcpy(chip->config, config, ATECC_CONFIG_SIZE);
	memcpy(chip->serial, &config[ATECC_CFG_SN03], 4);
	memcpy(&chip->serial[4], &config[ATECC_CFG_SN48], 5);
	chip->config_locked = locked_byte(config, ATECC_CFG_LOCK_CONFIG);
	chip->data_locked = locked_byte(config, ATECC_CFG_LOCK_VALUE);
	atecc_timing_init(chip);
	atecc_i2c_set_budget(chip);
}

/**
 * atecc_chip_read_locks() - refresh the lock bytes from the chip
 * @chip: the chip, inside a sequence
 *
 * Reads config bytes 84-91 (UserExtra, UserExtraAdd, LockValue, LockConfig,
 * SlotLocked, ChipOptions) and updates the cache and the lock flags.
 *
 * Return: 0 or a negative errno.
 */
int atecc_chip_read_locks(struct atecc_chip *chip)
{
	u8 cfg[ATECC_CONFIG_SIZE];
	unsigned int off;
	int ret = 0;

	memcpy(cfg, chip->config, sizeof(cfg));
	for (off = ATECC_CFG_USER_EXTRA; off < ATECC_CFG_SLOT_LOCKED + 4 && !ret;
	     off += ATECC_WORD)
		ret = atecc_cmd_read(chip, ATECC_ZONE_CONFIG,
				     atecc_addr_config(off), &cfg[off],
				     ATECC_WORD);
	if (!ret)
		apply_config(chip, cfg);
	return ret;
}

/**
 * atecc_chip_refresh_config() - read the whole config zone into the cache
 * @chip: the chip, inside a sequence
 *
 * Return: 0 or a negative errno (the cache is then unchanged).
 */
int atecc_chip_refresh_config(struct atecc_chip *chip)
{
	u8 cfg[ATECC_CONFIG_SIZE];
	int ret = atecc_cmd_read_config(chip, cfg);

	if (!ret)
		apply_config(chip, cfg);
	return ret;
}

/**
 * atecc_chip_reload() - read the config zone again (after provisioning)
 * @chip: the chip (not inside a sequence)
 *
 * Refreshes the cache and the lock flags; registers the hwrng once the
 * config zone is locked.
 *
 * Return: 0 or a negative errno.
 */
int atecc_chip_reload(struct atecc_chip *chip)
{
	int ret;

	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	ret = atecc_chip_refresh_config(chip);
	atecc_seq_end(chip);
	if (!ret && chip->config_locked)
		atecc_rng_register(chip);
	return ret;
}

static int identify(struct atecc_chip *chip)
{
	const u8 *rev = chip->revision;
	enum atecc_model model;

	if (rev[2] == ATECC_REV_FAMILY_508)
		model = ATECC508A;
	else if (rev[2] == ATECC_REV_FAMILY_608)
		model = rev[3] <= ATECC_REV_STEP_608A ? ATECC608A : ATECC608B;
	else
		return dev_err_probe(chip->dev, -ENODEV,
				     "Info revision %4phN is not an ATECC508A/608A/608B\n",
				     rev);
	chip->model = model;
	if (strncasecmp(chip->client->name, model_names[model],
			strlen(model_names[model])))
		dev_info(chip->dev, "instantiated as %s, the chip is an %s\n",
			 chip->client->name, model_names[model]);
	atecc_timing_init(chip);
	return 0;
}

/* Info revision, then the config zone, in one sequence. */
static int read_identity(struct atecc_chip *chip)
{
	int ret;

	ret = atecc_seq_begin(chip);
	if (ret)
		return ret;
	ret = atecc_cmd_info_revision(chip, chip->revision);
	if (!ret)
		ret = identify(chip);
	if (!ret)
		ret = atecc_chip_refresh_config(chip);
	atecc_seq_end(chip);
	return ret;
}

static struct atecc_chip *chip_alloc(struct i2c_client *client)
{
	struct atecc_chip *chip = kzalloc(sizeof(*chip), GFP_KERNEL);

	if (!chip)
		return NULL;
	chip->client = client;
	chip->dev = get_device(&client->dev);
	chip->model = ATECC608B;
	mutex_init(&chip->lock);
	kref_init(&chip->ref);
	INIT_LIST_HEAD(&chip->node);
	atecc_timing_init(chip);
	return chip;
}

static void announce(struct atecc_chip *chip)
{
	dev_info(chip->dev, "%s revision %4phN serial %9phN, config zone %s, data zone %s\n",
		 atecc_model_name(chip), chip->revision, chip->serial,
		 chip->config_locked ? "locked" : "unlocked",
		 chip->data_locked ? "locked" : "unlocked");
	if (!chip->config_locked)
		dev_info(chip->dev, "config zone unlocked: keys and hwrng unavailable until the chip is provisioned\n");
}

static int atecc_probe(struct i2c_client *client)
{
	struct atecc_chip *chip;
	int ret;

	if (!i2c_check_functionality(client->adapter, I2C_FUNC_I2C))
		return dev_err_probe(&client->dev, -ENODEV,
				     "adapter %s cannot do plain I2C transfers\n",
				     client->adapter->name);
	chip = chip_alloc(client);
	if (!chip)
		return -ENOMEM;
	ret = atecc_i2c_init(chip);
	if (!ret)
		ret = read_identity(chip);
	if (ret) {
		atecc_i2c_idle_flush(chip);
		atecc_chip_put(chip);
		return ret;
	}
	i2c_set_clientdata(client, chip);
	mutex_lock(&chips_lock);
	list_add_tail(&chip->node, &chips);
	mutex_unlock(&chips_lock);
	announce(chip);
	if (chip->config_locked)
		atecc_rng_register(chip);
	return 0;
}

static void atecc_remove(struct i2c_client *client)
{
	struct atecc_chip *chip = i2c_get_clientdata(client);

	mutex_lock(&chips_lock);
	list_del_init(&chip->node);
	mutex_unlock(&chips_lock);
	atecc_rng_unregister(chip);
	mutex_lock(&chip->lock);
	atecc_i2c_power_down(chip);
	chip->dead = true;
	mutex_unlock(&chip->lock);
	atecc_i2c_idle_cancel(chip);
	atecc_chip_put(chip);
}

static const struct i2c_device_id atecc_ids[] = {
	{ "atecc508a" },
	{ "atecc608a" },
	{ "atecc608b" },
	{ }
};
MODULE_DEVICE_TABLE(i2c, atecc_ids);

/* Not wrapped in of_match_ptr(): ACPI PRP0001 matches it without CONFIG_OF. */
static const struct of_device_id atecc_of_ids[] = {
	{ .compatible = "microchip,atecc608b" },
	{ .compatible = "atmel,atecc608a" },
	{ .compatible = "atmel,atecc508a" },
	{ }
};
MODULE_DEVICE_TABLE(of, atecc_of_ids);

struct i2c_driver atecc_i2c_driver = {
	.driver = {
		.name = KBUILD_MODNAME,
		.of_match_table = atecc_of_ids,
		.dev_groups = atecc_sysfs_groups,
	},
	.atecc_i2c_probe_member = atecc_probe,
	.remove = atecc_remove,
	.id_table = atecc_ids,
};
