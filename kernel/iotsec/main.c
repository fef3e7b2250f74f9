// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec: Microchip ATECC508A/608A/608B secure element driver.
 * Module init and exit only: what registers, in order.
 */

#include <linux/i2c.h>
#include <linux/module.h>

#include "chip.h"
#include "crypto.h"
#include "keytype.h"

static int __init iotsec_init(void)
{
	/* first: the self-tests then see no chip and test the software path */
	int ret = atecc_crypto_init();

	if (ret)
		return ret;
	ret = i2c_add_driver(&atecc_i2c_driver);
	if (ret) {
		pr_err("I2C driver registration failed (%pe)\n", ERR_PTR(ret));
		atecc_crypto_exit();
		return ret;
	}
	ret = atecc_keytype_register();
	if (ret) {
		pr_err("key type registration failed (%pe)\n", ERR_PTR(ret));
		i2c_del_driver(&atecc_i2c_driver);
		atecc_crypto_exit();
	}
	return ret;
}

static void __exit iotsec_exit(void)
{
	atecc_keytype_unregister();
	i2c_del_driver(&atecc_i2c_driver);
	atecc_crypto_exit();
}

module_init(iotsec_init);
module_exit(iotsec_exit);

MODULE_DESCRIPTION("Microchip ATECC508A/608A/608B secure element");
MODULE_AUTHOR("The iotsec authors");
MODULE_LICENSE("GPL");
