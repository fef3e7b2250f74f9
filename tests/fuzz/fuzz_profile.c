// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the provisioning profile parser (tools/profile.c), on
 * the file `iotsec provision --profile FILE` reads.  The input is that
 * file (a memfd, read through its /proc/self/fd name as any file is); a
 * profile that loads is applied to a factory-fresh config zone, linted,
 * matched and printed, as `iotsec provision` does.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz.h"
#include "profile.h"

static int fd = -1;
static char path[32];
static u8 chip[ATECC_CONFIG_SIZE];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	fd = memfd_create("profile", 0);
	FUZZ_CHECK(fd >= 0);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	chip[ATECC_CFG_LOCK_VALUE] = ATECC_UNLOCKED;
	chip[ATECC_CFG_LOCK_CONFIG] = ATECC_UNLOCKED;
	chip[ATECC_CFG_SLOT_LOCKED] = 0xff;
	chip[ATECC_CFG_SLOT_LOCKED + 1] = 0xff;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	u8 image[ATECC_CONFIG_SIZE];
	struct profile p;

	FUZZ_CHECK(!ftruncate(fd, 0) &&
		   pwrite(fd, data, size, 0) == (ssize_t)size);
	if (profile_load(path, &p))
		return 0;
	FUZZ_CHECK(memchr(p.name, 0, sizeof(p.name)));
	profile_apply(&p, chip, image);
	profile_lint(&p, image);
	FUZZ_CHECK(profile_matches(&p, image));
	profile_print(&p, image);
	return 0;
}
