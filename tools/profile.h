/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Provisioning profiles: what `iotsec provision` writes into a config zone,
 * which slots get a key made in the chip, which slots are locked; and the
 * checks made on a profile before anything is written.
 */
#ifndef IOTSEC_TOOL_PROFILE_H
#define IOTSEC_TOOL_PROFILE_H

#include <stdbool.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;

#include "atecc/wire.h"

#define PROFILE_NAME_MAX 64

struct profile_slot {
	u16 slot_config;
	u16 key_config;
	bool set;		/* listed by the profile; else the chip's words stay */
	bool genkey;		/* a private key is made in the chip */
	bool lock;		/* the slot is locked after the data lock */
	char use[48];		/* for people */
};

struct profile {
	char name[PROFILE_NAME_MAX];
	u8 chip_mode;
	struct profile_slot slot[ATECC_NUM_SLOTS];
};

int profile_load(const char *name_or_file, struct profile *p);
void profile_apply(const struct profile *p, const u8 *chip, u8 *image);
bool profile_matches(const struct profile *p, const u8 *config);
int profile_lint(const struct profile *p, const u8 *image);
void profile_print(const struct profile *p, const u8 *image);
const char *profile_builtin_names(void);

#endif
