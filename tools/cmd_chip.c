// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec info: the chips the driver has bound, from sysfs.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>

#include "iotsec-tool.h"
#include "profile.h"	/* u8, u16, wire.h */

static u16 word(const u8 *cfg, unsigned int off)
{
	return cfg[off] | cfg[off + 1] << 8;
}

/* "slots":[...] from the config zone (the config attribute), for --json. */
static void json_slots(const char *dev)
{
	u8 cfg[ATECC_CONFIG_SIZE];
	unsigned int n;
	u16 sc, kc;

	if (drv_attr_read(dev, "config", cfg, sizeof(cfg)) != sizeof(cfg))
		return;
	printf(",\"slots\":[");
	for (n = 0; n < ATECC_NUM_SLOTS; n++) {
		sc = word(cfg, ATECC_CFG_SLOTCONFIG + 2 * n);
		kc = word(cfg, ATECC_CFG_KEYCONFIG + 2 * n);
		printf("%s{\"slot\":%u,\"slot_config\":\"0x%04x\",\"key_config\":\"0x%04x\","
		       "\"private_key\":%s,\"secret\":%s,\"locked\":%s}", n ? "," : "",
		       n, sc, kc, kc & ATECC_KC_PRIVATE ? "true" : "false",
		       sc & ATECC_SC_IS_SECRET ? "true" : "false",
		       word(cfg, ATECC_CFG_SLOT_LOCKED) & (1u << n) ? "false" : "true");
	}
	printf("]");
}

static void show(const char *dev, int json, int first)
{
	char sn[64] = "", rev[64] = "", cl[8] = "", dl[8] = "", slots[4096] = "";

	drv_attr_text(dev, "serial_number", sn, sizeof(sn));
	drv_attr_text(dev, "revision", rev, sizeof(rev));
	drv_attr_text(dev, "config_locked", cl, sizeof(cl));
	drv_attr_text(dev, "data_locked", dl, sizeof(dl));
	drv_attr_text(dev, "slot_config", slots, sizeof(slots));
	if (json) {
		printf("%s{\"device\":\"%s\",\"serial_number\":\"%s\",\"revision\":\"%s\","
		       "\"config_locked\":%s,\"data_locked\":%s", first ? "" : ",",
		       dev, sn, rev, cl[0] == '1' ? "true" : "false",
		       dl[0] == '1' ? "true" : "false");
		json_slots(dev);
		printf("}");
		return;
	}
	printf("%s: serial %s revision %s config %s data %s\n%s\n", dev, sn, rev,
	       cl[0] == '1' ? "locked" : "UNLOCKED",
	       dl[0] == '1' ? "locked" : "UNLOCKED", slots);
}

int cmd_info(int argc, char **argv)
{
	int json = argc == 2 && !strcmp(argv[1], "--json");
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (argc > 2 || (argc == 2 && !json))
		usage("info");
	d = opendir(IOTSEC_DRV);
	if (!d) {
		fprintf(stderr, "iotsec: no chip driver (modprobe iotsec)\n");
		return 1;
	}
	if (json)
		printf("[");
	while ((de = readdir(d)))
		if (strchr(de->d_name, '-'))
			show(de->d_name, json, n++ == 0);
	closedir(d);
	if (json)
		printf("]\n");
	if (!n)
		fprintf(stderr, "iotsec: no chip bound\n");
	return n ? 0 : 1;
}
