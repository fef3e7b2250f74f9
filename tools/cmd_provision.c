// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec provision: a factory-fresh chip made into a device identity,
 * through the driver's provisioning attributes (kernel/iotsec/provision.c), never
 * through /dev/i2c.  Every check runs before the first write; --dry-run and
 * every refusal leave the chip untouched.
 *
 * The steps: write the profile's config words, read them back and compare,
 * lock the config zone with its CRC, make the keys, lock the data zone,
 * lock the slots the profile names.  A chip whose config zone is already
 * locked with exactly this profile (a run that stopped half-way) resumes
 * at the keys.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "iotsec-tool.h"
#include "profile.h"
#include "atecc/crc.h"

#define STEPS 6

struct prov {
	char dev[256];
	char serial[32];
	u8 chip[ATECC_CONFIG_SIZE];
	u8 image[ATECC_CONFIG_SIZE];
	struct profile profile;
	bool resume;
	int step;
};

static void chomp(char *s)
{
	s[strcspn(s, "\n")] = '\0';
}

/* The chip named by --chip (device or serial), or the only one bound. */
static int find_chip(const char *want, struct prov *pv)
{
	char sn[32];
	struct dirent *de;
	int n = 0, len;
	DIR *d = opendir(IOTSEC_DRV);

	if (!d) {
		fprintf(stderr, "iotsec: no chip driver (modprobe iotsec)\n");
		return -1;
	}
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, '-'))
			continue;
		len = drv_attr_read(de->d_name, "serial_number", sn, sizeof(sn) - 1);
		if (len < 0)
			continue;
		sn[len] = '\0';
		chomp(sn);
		if (want && strcmp(want, de->d_name) && strcasecmp(want, sn))
			continue;
		if (n++ == 0) {
			snprintf(pv->dev, sizeof(pv->dev), "%s", de->d_name);
			snprintf(pv->serial, sizeof(pv->serial), "%s", sn);
		}
	}
	closedir(d);
	if (n == 1)
		return 0;
	if (!n)
		fprintf(stderr, want ? "iotsec: no chip %s\n" : "iotsec: no chip bound%s\n",
			want ? want : "");
	else
		fprintf(stderr, "iotsec: %d chips: name one with --chip DEVICE|SERIAL (iotsec info)\n",
			n);
	return -1;
}

static int read_config(const struct prov *pv, u8 *cfg)
{
	int n = drv_attr_read(pv->dev, "config", cfg, ATECC_CONFIG_SIZE);

	if (n == ATECC_CONFIG_SIZE)
		return 0;
	fprintf(stderr, "iotsec: %s: reading the config zone: %s\n", pv->dev,
		n < 0 ? strerror(-n) : "short read");
	return -1;
}

/* Fresh, or resumable with this profile; anything else is refused. */
static int check_state(struct prov *pv)
{
	const u8 *c = pv->chip;

	if (c[ATECC_CFG_LOCK_VALUE] != ATECC_UNLOCKED) {
		fprintf(stderr, "iotsec: refused: chip %s is already provisioned (data zone locked)\n",
			pv->serial);
		return -1;
	}
	if (c[ATECC_CFG_LOCK_CONFIG] == ATECC_UNLOCKED)
		return 0;
	if (!profile_matches(&pv->profile, c)) {
		fprintf(stderr, "iotsec: refused: chip %s has its config zone locked with another configuration\n",
			pv->serial);
		return -1;
	}
	pv->resume = true;
	return 0;
}

static void explain(const struct prov *pv)
{
	const struct profile *p = &pv->profile;
	unsigned int n;

	printf("chip %s (%s): %s\n", pv->serial, pv->dev, pv->resume ?
	       "config zone already locked with this profile: resuming at the keys" :
	       "factory-fresh (config and data zones unlocked)");
	profile_print(p, pv->image);
	printf("\nLocked for ever by this run:\n");
	if (!pv->resume)
		printf("  the config zone (CRC %04x): every slot's policy above\n",
		       atecc_crc16(pv->image, ATECC_CONFIG_SIZE));
	printf("  the data and OTP zones\n");
	for (n = 0; n < ATECC_NUM_SLOTS; n++)
		if (p->slot[n].lock)
			printf("  slot %u\n", n);
	printf("Keys made in the chip, never readable, never replaced:");
	for (n = 0; n < ATECC_NUM_SLOTS; n++)
		if (p->slot[n].genkey)
			printf(" %u", n);
	printf("\n");
}

static void progress(struct prov *pv, const char *what)
{
	printf("[%d/%d] %s\n", ++pv->step, STEPS, what);
	fflush(stdout);
}

static int failed(const char *what, int err)
{
	fprintf(stderr, "iotsec: %s: %s (the kernel log says why)\n", what,
		strerror(-err));
	return -1;
}

/* CAP_SYS_ADMIN in the effective set (the driver checks it on each write). */
static bool have_sys_admin(void)
{
	unsigned long long eff = 0;
	char line[128];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return true;	/* let the driver decide */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return eff & (1ULL << 21);
}

static int step_config(struct prov *pv)
{
	u8 back[ATECC_CONFIG_SIZE];
	char crc[8];
	int err;

	progress(pv, "writing the configuration");
	err = drv_attr_write(pv->dev, "config", pv->image, ATECC_CONFIG_SIZE);
	if (err)
		return failed("writing the config zone", err);
	progress(pv, "reading it back");
	if (read_config(pv, back))
		return -1;
	if (memcmp(back, pv->image, ATECC_CONFIG_SIZE)) {
		fprintf(stderr, "iotsec: the config zone reads back different from what was written: not locked\n");
		return -1;
	}
	snprintf(crc, sizeof(crc), "%04x", atecc_crc16(back, ATECC_CONFIG_SIZE));
	progress(pv, "locking the config zone");
	err = drv_attr_write(pv->dev, "lock_config", crc, strlen(crc));
	return err ? failed("locking the config zone", err) : 0;
}

/* Writes slot number @n to the chip's attribute @name. */
static int write_slot(const struct prov *pv, const char *name, unsigned int n)
{
	char num[8];

	snprintf(num, sizeof(num), "%u", n);
	return drv_attr_write(pv->dev, name, num, strlen(num));
}

/*
 * @name (genkey or lock_slot) for each slot the profile marks for it
 * (@lock: its lock mark, else its genkey mark); @what names a failure,
 * @done follows the slot number on success.
 */
static int write_slots(struct prov *pv, const char *name, bool lock,
		       const char *what, const char *done)
{
	unsigned int n;
	int err;

	for (n = 0; n < ATECC_NUM_SLOTS; n++) {
		if (!(lock ? pv->profile.slot[n].lock :
			     pv->profile.slot[n].genkey))
			continue;
		err = write_slot(pv, name, n);
		if (err)
			return failed(what, err);
		printf("      slot %u%s\n", n, done);
	}
	return 0;
}

static int step_keys(struct prov *pv)
{
	progress(pv, "making the keys in the chip");
	return write_slots(pv, "genkey", false, "GenKey", ": new P-256 key");
}

static int step_locks(struct prov *pv)
{
	int err;

	progress(pv, "locking the data zone");
	err = drv_attr_write(pv->dev, "lock_data", "1", 1);
	if (err)
		return failed("locking the data zone", err);
	progress(pv, "locking slots");
	return write_slots(pv, "lock_slot", true, "locking a slot", " locked");
}

static int provision(struct prov *pv)
{
	if (pv->resume)
		pv->step = 3;
	else if (step_config(pv))
		return -1;
	if (step_keys(pv) || step_locks(pv))
		return -1;
	printf("done: chip %s provisioned. Its identity key: keyctl add iotsec id 'chip=%s slot=0' @u\n",
	       pv->serial, pv->serial);
	return 0;
}

struct prov_opts {
	const char *chip, *profile;
	int dry_run, yes;
};

static void parse_opts(int argc, char **argv, struct prov_opts *o)
{
	static const struct opt opts[] = {
		OPT_STR("chip", struct prov_opts, chip),
		OPT_STR("profile", struct prov_opts, profile),
		OPT_FLAG("dry-run", struct prov_opts, dry_run),
		OPT_FLAG("yes", struct prov_opts, yes),
	};

	memset(o, 0, sizeof(*o));
	o->profile = "default";
	if (parse_opts_table(argc, argv, opts, OPTS_N(opts), o,
			     "provision") != argc || (o->dry_run && o->yes))
		usage("provision");
}

int cmd_provision(int argc, char **argv)
{
	static struct prov pv;
	struct prov_opts o;

	parse_opts(argc, argv, &o);
	if (profile_load(o.profile, &pv.profile))
		return 2;
	if (find_chip(o.chip, &pv) || read_config(&pv, pv.chip) ||
	    check_state(&pv))
		return 1;
	profile_apply(&pv.profile, pv.chip, pv.image);
	if (profile_lint(&pv.profile, pv.image)) {
		fprintf(stderr, "iotsec: nothing written: the profile would not keep its keys safe\n");
		return 1;
	}
	explain(&pv);
	if (o.dry_run) {
		printf("\n--dry-run: nothing written\n");
		return 0;
	}
	if (!o.yes) {
		fprintf(stderr, "\niotsec: nothing written: this cannot be undone; run again with --yes to do it\n");
		return 1;
	}
	if (!have_sys_admin()) {
		fprintf(stderr, "iotsec: nothing written: provisioning needs CAP_SYS_ADMIN (run as root)\n");
		return 1;
	}
	printf("\n");
	return provision(&pv) ? 1 : 0;
}
