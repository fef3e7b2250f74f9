// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: the adapter described by the device tree (CONFIG_OF only).
 *
 * A node with compatible "iotsec,i2c-sim" becomes a platform device when
 * the kernel populates the tree.  This platform driver claims the first
 * such device and lends its node to the simulator's adapter, which then
 * sits under it in sysfs exactly as a SoC's controller does.  The I2C core
 * turns the node's children into clients when the adapter is added, so an
 * ATECC608B child (compatible "microchip,atecc608b", reg = <0x60>) binds
 * the driver through its of_match_table with no new_device write and no
 * client made by the simulator (it makes clients only for the chips at
 * addresses the tree does not describe).  Without such a node the
 * simulator keeps its software node and makes its own clients (sim_main.c).
 *
 * Manual unbind is suppressed: the adapter borrows the device's node for
 * the module's lifetime, and the device stays bound until unload.
 */

#include <linux/device.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/platform_device.h>
#include <linux/property.h>

#include "sim.h"

static struct platform_device *sim_of_pdev;

static int sim_of_probe(struct platform_device *pdev)
{
	if (sim_of_pdev) {
		dev_err(&pdev->dev, "one simulated adapter only (%pOF has it)\n",
			sim_of_pdev->dev.of_node);
		return -EBUSY;
	}
	sim_of_pdev = pdev;
	return 0;
}

static const struct of_device_id sim_of_ids[] = {
	{ .compatible = "iotsec,i2c-sim" },
	{ }
};
MODULE_DEVICE_TABLE(of, sim_of_ids);

static struct platform_driver sim_of_driver = {
	.driver = {
		.name = "iotsec-i2c-sim",
		.of_match_table = sim_of_ids,
		.suppress_bind_attrs = true,
	},
	.probe = sim_of_probe,
};

/**
 * sim_of_init() - give the adapter the tree's node, if the tree has one
 * @adap: the simulator's adapter, not yet added
 *
 * Registers the platform driver; a matching device present since boot is
 * probed during registration.
 *
 * Return: 1 if @adap now carries a device-tree node (its children are the
 * clients), 0 if the tree has none, or a negative errno.
 */
int sim_of_init(struct i2c_adapter *adap)
{
	int ret;

	ret = platform_driver_register(&sim_of_driver);
	if (ret)
		return ret;
	if (!sim_of_pdev)
		return 0;
	adap->dev.parent = &sim_of_pdev->dev;
	device_set_node(&adap->dev, dev_fwnode(&sim_of_pdev->dev));
	return 1;
}

/**
 * sim_of_exit() - release the platform device, after the adapter is gone
 */
void sim_of_exit(void)
{
	platform_driver_unregister(&sim_of_driver);
	sim_of_pdev = NULL;
}
