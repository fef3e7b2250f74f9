// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: module parameters, the virtual I2C adapter, the chips behind
 * it and (optionally) one I2C client per chip, so that the real driver
 * binds as it would from a device tree.  Where the device tree has an
 * "iotsec,i2c-sim" node (sim_of.c), the adapter carries that node, the
 * node's children are the clients of the chips at their addresses, and
 * the simulator makes clients for the other chips only.
 *
 * Chip state lives in a static array, like the i2c-stub's: the only
 * dynamic allocations are per command and are counted in sim_allocs, so a
 * leak shows up in debugfs and at unload.
 */

#include <linux/math.h>	/* 7.3's crypto/internal/ecc.h needs it first */
#include <crypto/internal/ecc.h>
#include <linux/bug.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/property.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "sim.h"

static unsigned int chips = 1;
module_param(chips, uint, 0444);
MODULE_PARM_DESC(chips, "Number of simulated chips, 1..8 (default 1)");

static char *model = "608b";
module_param(model, charp, 0444);
MODULE_PARM_DESC(model, "Chip model: 608b (default), 608a or 508a");

static unsigned int provisioned;
module_param(provisioned, uint, 0444);
MODULE_PARM_DESC(provisioned,
		 "0: factory-fresh, unlocked (default); 1: locked, key in slot 0");

static unsigned int instantiate = 1;
module_param(instantiate, uint, 0444);
MODULE_PARM_DESC(instantiate,
		 "1: create an I2C client per chip the device tree does not describe (default); 0: leave it to new_device");

atomic_t sim_allocs = ATOMIC_INIT(0);

static struct sim_chip sim_chips[SIM_MAX_CHIPS];
static struct sim_bus sim_bus = { .chips = sim_chips };
static enum sim_model sim_model_id;

static const struct property_entry sim_props[] = {
	PROPERTY_ENTRY_U32("clock-frequency", SIM_BUS_HZ),
	{ }
};

static const struct software_node sim_swnode = {
	.name = "iotsec-sim",
	.properties = sim_props,
};

static struct i2c_adapter sim_adapter = {
	.owner = THIS_MODULE,
	.algo = &sim_algo,
	.name = "iotsec-sim",
};

static const char * const sim_models[] = {
	[SIM_508A] = "508a",
	[SIM_608A] = "608a",
	[SIM_608B] = "608b",
};

static const char * const sim_types[] = {
	[SIM_508A] = "atecc508a",
	[SIM_608A] = "atecc608a",
	[SIM_608B] = "atecc608b",
};

void *sim_kzalloc(size_t size)
{
	void *p = kzalloc(size, GFP_KERNEL);

	if (p)
		atomic_inc(&sim_allocs);
	return p;
}

/* Frees and wipes: jobs and points may hold key material. */
void sim_kfree(const void *p)
{
	if (!p)
		return;
	atomic_dec(&sim_allocs);
	kfree_sensitive(p);
}

struct ecc_point *sim_point_alloc(void)
{
	struct ecc_point *p = ecc_alloc_point(ECC_CURVE_NIST_P256_DIGITS);

	if (p)
		atomic_inc(&sim_allocs);
	return p;
}

void sim_point_free(struct ecc_point *p)
{
	if (!p)
		return;
	atomic_dec(&sim_allocs);
	ecc_free_point(p);
}

const char *sim_model_name(enum sim_model m)
{
	return sim_models[m];
}

static int sim_check_params(void)
{
	int i;

	if (chips < 1 || chips > SIM_MAX_CHIPS) {
		pr_err("chips=%u: must be 1..%d\n", chips, SIM_MAX_CHIPS);
		return -EINVAL;
	}
	if (provisioned > 1) {
		pr_err("provisioned=%u: must be 0 or 1\n", provisioned);
		return -EINVAL;
	}
	if (instantiate > 1) {
		pr_err("instantiate=%u: must be 0 or 1\n", instantiate);
		return -EINVAL;
	}
	i = model ? match_string(sim_models, ARRAY_SIZE(sim_models), model) : -1;
	if (i < 0) {
		pr_err("model=%s: must be 608b, 608a or 508a\n",
		       model ? model : "(null)");
		return -EINVAL;
	}
	sim_model_id = i;
	return 0;
}

static int sim_chips_init(void)
{
	struct sim_chip *chip;
	unsigned int i;
	int ret;

	for (i = 0; i < chips; i++) {
		chip = &sim_chips[i];
		mutex_init(&chip->lock);
		chip->index = i;
		chip->addr = SIM_BASE_ADDR + i;
		chip->model = sim_model_id;
		chip->timing_pct = 100;
		chip->power = SIM_ASLEEP;
		ret = sim_config_init(chip, provisioned);
		if (ret)
			return ret;
	}
	return 0;
}

static void sim_chips_wipe(void)
{
	unsigned int i;

	for (i = 0; i < chips; i++) {
		mutex_destroy(&sim_chips[i].lock);
		memzero_explicit(&sim_chips[i], sizeof(sim_chips[i]));
	}
}

/* 1: the adapter carries a device-tree node, whose children are its clients */
static bool sim_from_dt;

static int sim_adapter_add(void)
{
	int ret;

	ret = sim_of_init(&sim_adapter);
	if (ret < 0)
		return ret;
	sim_from_dt = ret;
	if (!sim_from_dt) {
		ret = software_node_register(&sim_swnode);
		if (ret)
			goto err_of;
		sim_adapter.dev.fwnode = software_node_fwnode(&sim_swnode);
	}
	sim_bus.nchips = chips;
	i2c_set_adapdata(&sim_adapter, &sim_bus);
	ret = i2c_add_adapter(&sim_adapter);
	if (!ret)
		return 0;
	if (!sim_from_dt)
		software_node_unregister(&sim_swnode);
err_of:
	sim_of_exit();
	return ret;
}

static void sim_adapter_del(void)
{
	i2c_del_adapter(&sim_adapter);
	if (!sim_from_dt)
		software_node_unregister(&sim_swnode);
	sim_of_exit();
}

static void sim_clients_del(void)
{
	unsigned int i;

	for (i = 0; i < chips; i++) {
		i2c_unregister_device(sim_chips[i].client);
		sim_chips[i].client = NULL;
	}
}

static int sim_client_at(struct device *dev, void *data)
{
	struct i2c_client *client = i2c_verify_client(dev);

	return client && client->addr == *(u16 *)data;
}

/* Has the device tree made a client at @addr (a child node's reg)? */
static bool sim_addr_described(u16 addr)
{
	return sim_from_dt &&
	       device_for_each_child(&sim_adapter.dev, &addr, sim_client_at);
}

/*
 * One client per chip, but where a child node of the tree is one already:
 * that chip binds from the tree, the others as from new_device.
 */
static int sim_clients_add(void)
{
	struct i2c_board_info info = { };
	struct i2c_client *client;
	unsigned int i;

	strscpy(info.type, sim_types[sim_model_id], sizeof(info.type));
	for (i = 0; i < chips; i++) {
		info.addr = sim_chips[i].addr;
		if (sim_addr_described(info.addr))
			continue;
		client = i2c_new_client_device(&sim_adapter, &info);
		if (IS_ERR(client)) {
			pr_err("chip%u: client at 0x%02x: %ld\n", i, info.addr,
			       PTR_ERR(client));
			sim_clients_del();
			return PTR_ERR(client);
		}
		sim_chips[i].client = client;
	}
	return 0;
}

static int __init sim_init(void)
{
	int ret;

	ret = sim_check_params();
	if (ret)
		return ret;
	ret = sim_chips_init();
	if (ret)
		goto err_chips;
	ret = sim_adapter_add();
	if (ret)
		goto err_chips;
	sim_debugfs_init(sim_chips, chips);
	if (instantiate) {
		ret = sim_clients_add();
		if (ret)
			goto err_adapter;
	}
	pr_info("%u x %s on %s, %s%s\n", chips, sim_types[sim_model_id],
		dev_name(&sim_adapter.dev),
		provisioned ? "provisioned" : "factory-fresh",
		sim_from_dt ? ", clients from the device tree" : "");
	return 0;

err_adapter:
	sim_debugfs_exit();
	sim_adapter_del();
err_chips:
	sim_chips_wipe();
	return ret;
}

static void __exit sim_exit(void)
{
	int left;

	sim_debugfs_exit();
	sim_clients_del();
	sim_adapter_del();
	sim_chips_wipe();
	left = atomic_read(&sim_allocs);
	pr_info("unloaded, %d allocations outstanding\n", left);
	WARN(left, "iotsec_sim: %d allocations leaked\n", left);
}

module_init(sim_init);
module_exit(sim_exit);

MODULE_AUTHOR("iotsec project");
MODULE_DESCRIPTION("Simulated ATECC508A/608A/608B secure elements on a virtual I2C bus");
MODULE_LICENSE("GPL");
