// SPDX-License-Identifier: GPL-2.0
/*
 * Host tests for the provisioning rules (kernel/include/atecc/config_lint.h, shared by
 * the driver and the tool) and for tools/profile.c: each rule on a config
 * zone image, the built-in profile, profile files and their errors.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kcompat.h"
#include "../../tools/profile.c"
#include "kselftest_harness.h"

/* A factory-fresh zone as the simulator makes it (sim_config.c). */
static void fresh(u8 *cfg)
{
	unsigned int n;

	memset(cfg, 0, ATECC_CONFIG_SIZE);
	cfg[0] = 0x01;
	cfg[1] = 0x23;
	cfg[ATECC_CFG_LOCK_VALUE] = ATECC_UNLOCKED;
	cfg[ATECC_CFG_LOCK_CONFIG] = ATECC_UNLOCKED;
	cfg[ATECC_CFG_SLOT_LOCKED] = 0xff;
	cfg[ATECC_CFG_SLOT_LOCKED + 1] = 0xff;
	for (n = 0; n < ATECC_NUM_SLOTS; n++) {
		put16(&cfg[ATECC_CFG_SLOTCONFIG + 2 * n], n <= 4 ? 0x2087 : 0);
		put16(&cfg[ATECC_CFG_KEYCONFIG + 2 * n], n <= 4 ? 0x0033 :
		      n <= 8 ? 0x003c : 0x0030);
	}
}

static unsigned int lint_with(u16 sc0, u16 kc0, u16 sc1)
{
	u8 cfg[ATECC_CONFIG_SIZE];

	fresh(cfg);
	put16(&cfg[ATECC_CFG_SLOTCONFIG], sc0);
	put16(&cfg[ATECC_CFG_KEYCONFIG], kc0);
	put16(&cfg[ATECC_CFG_SLOTCONFIG + 2], sc1);
	return atecc_lint_slot(cfg, 0);
}

#define RULE(r) (1u << ATECC_LINT_##r)

TEST(lint_each_rule)
{
	EXPECT_EQ(0u, lint_with(0x8087, 0x0013, 0x8087));	/* permanent key */
	EXPECT_EQ(0u, lint_with(0x2087, 0x0033, 0x8087));	/* GenKey, lockable */
	EXPECT_EQ(RULE(KEY_READABLE), lint_with(0x8007, 0x0013, 0x8087));
	EXPECT_EQ(RULE(KEY_TYPE), lint_with(0x8087, 0x0019, 0x8087));
	EXPECT_EQ(RULE(KEY_WRITABLE), lint_with(0x0087, 0x0013, 0x8087));
	EXPECT_EQ(RULE(KEY_WRITABLE), lint_with(0x1087, 0x0013, 0x8087));
	EXPECT_EQ(RULE(KEY_PRIVWRITE), lint_with(0x4087, 0x0013, 0x8087));
	EXPECT_EQ(RULE(GENKEY_FOREVER), lint_with(0x2087, 0x0013, 0x8087));
	/* WriteECDH: fine into a secret slot 1, refused into a readable one */
	EXPECT_EQ(0u, lint_with(0x808f, 0x0013, 0x8087));
	EXPECT_EQ(RULE(ECDH_READABLE), lint_with(0x808f, 0x0013, 0x0000));
	/* WriteECDH without ECDH allowed does nothing */
	EXPECT_EQ(0u, lint_with(0x808b, 0x0013, 0x0000));
	/* several at once */
	EXPECT_EQ(RULE(KEY_READABLE) | RULE(KEY_WRITABLE),
		  lint_with(0x0007, 0x0013, 0x8087));
	/* not a private key: never a finding */
	EXPECT_EQ(0u, lint_with(0x0000, 0x003c, 0x0000));
}

TEST(lint_ecdh_from_odd_slot)
{
	u8 cfg[ATECC_CONFIG_SIZE];

	fresh(cfg);
	put16(&cfg[ATECC_CFG_SLOTCONFIG + 2 * 3], 0x808f);
	put16(&cfg[ATECC_CFG_KEYCONFIG + 2 * 3], 0x0013);
	EXPECT_EQ(RULE(ECDH_READABLE), atecc_lint_slot(cfg, 3));
}

TEST(every_rule_has_text)
{
	unsigned int r;

	for (r = 0; r < ATECC_LINT_RULES; r++)
		EXPECT_NE(0, strcmp(atecc_lint_text(r), "unknown rule"));
	EXPECT_STREQ("unknown rule", atecc_lint_text(ATECC_LINT_RULES));
}

#define ZONE(r) (1u << ATECC_LINT_##r)

/* The zone rules the driver's lock_config applies (the chip at 0x60). */
TEST(lint_zone_keeps_the_chip_at_its_address)
{
	u8 cfg[ATECC_CONFIG_SIZE];
	unsigned int r;

	fresh(cfg);
	cfg[ATECC_CFG_I2C_ADDRESS] = 0x60 << 1;
	EXPECT_EQ(0u, atecc_lint_zone(cfg, 0x60));
	/* bit 0 of I2C_Address is not part of the address */
	cfg[ATECC_CFG_I2C_ADDRESS] = 0x60 << 1 | 1;
	EXPECT_EQ(0u, atecc_lint_zone(cfg, 0x60));
	/* a Trust&GO part answers at 0x35 */
	cfg[ATECC_CFG_I2C_ADDRESS] = 0x6a;
	EXPECT_EQ(0u, atecc_lint_zone(cfg, 0x35));
	EXPECT_EQ(ZONE(ADDR_CHANGED), atecc_lint_zone(cfg, 0x60));
	cfg[ATECC_CFG_I2C_ADDRESS] = 0x61 << 1;
	EXPECT_EQ(ZONE(ADDR_CHANGED), atecc_lint_zone(cfg, 0x60));
	cfg[ATECC_CFG_I2C_ADDRESS] = 0x60 << 1;
	cfg[ATECC_CFG_CHIPMODE] = 0x01;
	EXPECT_EQ(ZONE(ADDR_FROM_EXTRA), atecc_lint_zone(cfg, 0x60));
	/* the other ChipMode bits (watchdog, clock divider) are no finding */
	cfg[ATECC_CFG_CHIPMODE] = 0x04 | 0x28;
	EXPECT_EQ(0u, atecc_lint_zone(cfg, 0x60));
	cfg[ATECC_CFG_CHIPMODE] = 0x01;
	cfg[ATECC_CFG_I2C_ADDRESS] = 0x00;
	EXPECT_EQ(ZONE(ADDR_FROM_EXTRA) | ZONE(ADDR_CHANGED),
		  atecc_lint_zone(cfg, 0x60));
	for (r = 0; r < ATECC_LINT_ZONE_RULES; r++)
		EXPECT_NE(0, strcmp(atecc_lint_zone_text(r), "unknown rule"));
	EXPECT_STREQ("unknown rule",
		     atecc_lint_zone_text(ATECC_LINT_ZONE_RULES));
}

TEST(default_profile_passes_on_a_fresh_chip)
{
	u8 cfg[ATECC_CONFIG_SIZE], image[ATECC_CONFIG_SIZE];
	struct profile p;

	fresh(cfg);
	ASSERT_EQ(0, profile_load("default", &p));
	profile_apply(&p, cfg, image);
	EXPECT_EQ(0, profile_lint(&p, image));
	EXPECT_EQ(0x87, image[ATECC_CFG_SLOTCONFIG]);
	EXPECT_EQ(0x80, image[ATECC_CFG_SLOTCONFIG + 1]);
	EXPECT_EQ(0, memcmp(image, cfg, 16));	/* identity untouched */
	EXPECT_FALSE(profile_matches(&p, cfg));
	EXPECT_TRUE(profile_matches(&p, image));
	/* the fresh zone itself breaks the profile rules (keys not made) */
	EXPECT_LT(0, profile_lint(&p, cfg));
}

static int load_text(const char *text, struct profile *p)
{
	char path[] = "/tmp/profile_test.XXXXXX";
	int fd = mkstemp(path), ret;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return -2;
	close(fd);
	ret = profile_load(path, p);
	unlink(path);
	return ret;
}

TEST(profile_file_parses)
{
	struct profile p;

	ASSERT_EQ(0, load_text("# a comment\nchipmode 0x04\n"
			       "slot 0 0x8087 0x0013 genkey use \"id # not a comment\"\n"
			       "slot 1 0x2087 0x0033 genkey lock\n"
			       "  slot 15 32768 0x30   \n\n", &p));
	EXPECT_EQ(0x04, p.chip_mode);
	EXPECT_TRUE(p.slot[0].genkey);
	EXPECT_FALSE(p.slot[0].lock);
	EXPECT_STREQ("id # not a comment", p.slot[0].use);
	EXPECT_TRUE(p.slot[1].lock);
	EXPECT_EQ(0x8000, p.slot[15].slot_config);
	EXPECT_FALSE(p.slot[2].set);
}

TEST(profile_file_errors)
{
	static const char * const bad[] = {
		"slot 16 0x8087 0x0013\n",		/* no such slot */
		"slot 0 0x18087 0x0013\n",		/* over 16 bits */
		"slot 0 0x8087\n",			/* missing word */
		"slot 0 0x8087 0x0013 genkay\n",	/* unknown flag */
		"slot 0 0x8087 0x0013\nslot 0 0x8087 0x0013\n", /* twice */
		"chipmode 0x100\n",
		"chipmode\n",
		"slots 0 0x8087 0x0013\n",
		"slot 0 0x8087 0x0013 use \"unterminated\n",
		"slot 0 0x8087 0x0013 use \"this text is far too long for the use field of a slot\"\n",
	};
	struct profile p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(-1, load_text(bad[i], &p)) TH_LOG("accepted: %s", bad[i]);
	EXPECT_EQ(-1, profile_load("nosuch", &p));
	EXPECT_EQ(-1, profile_load("/nonexistent/profile", &p));
}

TEST(profile_rules_refuse)
{
	u8 cfg[ATECC_CONFIG_SIZE], image[ATECC_CONFIG_SIZE];
	struct profile p;

	fresh(cfg);
	/* GenKey left open (no lock): refused; with lock: accepted */
	ASSERT_EQ(0, load_text("slot 0 0x2087 0x0033 genkey\n"
			       "slot 1 0x8087 0x0013 genkey\nslot 2 0x8087 0x0013 genkey\n"
			       "slot 3 0x8087 0x0013 genkey\nslot 4 0x8087 0x0013 genkey\n", &p));
	profile_apply(&p, cfg, image);
	EXPECT_EQ(1, profile_lint(&p, image));
	p.slot[0].lock = true;
	EXPECT_EQ(0, profile_lint(&p, image));
	/* a key slot without genkey; genkey on data; lock on non-Lockable */
	p.slot[1].genkey = false;
	p.slot[5].genkey = true;
	p.slot[2].lock = true;
	EXPECT_EQ(3, profile_lint(&p, image));
	/* ChipMode bit 0 */
	p.slot[1].genkey = true;
	p.slot[5].genkey = false;
	p.slot[2].lock = false;
	p.chip_mode = 0x01;
	profile_apply(&p, cfg, image);
	EXPECT_EQ(1, profile_lint(&p, image));
}

TEST_HARNESS_MAIN
