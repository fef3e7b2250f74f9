// SPDX-License-Identifier: GPL-2.0
/*
 * Provisioning profiles: the built-in ones and profile files, applied to a
 * config zone image and checked (kernel/include/atecc/config_lint.h, shared with the
 * driver, plus the rules only a profile can break).
 *
 * A profile file, one statement per line, '#' starts a comment:
 *   chipmode 0x00
 *   slot N SLOTCONFIG KEYCONFIG [genkey] [lock] [use "TEXT"]
 * Slots not listed keep the words the chip has.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "atecc/config_lint.h"

#define SC_KEY_PERMANENT	0x8087	/* sign+ECDH, secret, never written */
#define SC_DATA			0x0000	/* clear read, clear write */
#define KC_P256_PRIV		0x0013	/* private, PubInfo, P-256 */
#define KC_DATA			0x003c	/* data, lockable */
#define KC_P256_PUB		0x0030	/* P-256 public key, lockable */

static void set_slot(struct profile *p, unsigned int n, u16 sc, u16 kc,
		     bool genkey, const char *use)
{
	struct profile_slot *s = &p->slot[n];

	s->slot_config = sc;
	s->key_config = kc;
	s->set = true;
	s->genkey = genkey;
	snprintf(s->use, sizeof(s->use), "%s", use);
}

/*
 * "default": slot 0 the device identity, slots 1-4 more keys of the same
 * kind (all made in the chip, never readable, never replaced), slots 5-8
 * data (slot 8, 416 bytes, for certificates), 9-15 P-256 public keys.
 */
static void profile_default(struct profile *p)
{
	unsigned int n;

	snprintf(p->name, sizeof(p->name), "default");
	p->chip_mode = 0x00;
	set_slot(p, 0, SC_KEY_PERMANENT, KC_P256_PRIV, true,
		 "identity key (sign, ECDH)");
	for (n = 1; n <= 4; n++)
		set_slot(p, n, SC_KEY_PERMANENT, KC_P256_PRIV, true,
			 "spare key (sign, ECDH)");
	for (n = 5; n <= 8; n++)
		set_slot(p, n, SC_DATA, KC_DATA, false,
			 n == 8 ? "data (certificates)" : "data");
	for (n = 9; n < ATECC_NUM_SLOTS; n++)
		set_slot(p, n, SC_DATA, KC_P256_PUB, false, "public key");
}

static const struct {
	const char *name;
	void (*fill)(struct profile *p);
} builtins[] = {
	{ "default", profile_default },
};

const char *profile_builtin_names(void)
{
	return "default";
}

static char *skip_space(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

static int parse_u16(const char *tok, u16 *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(tok, &end, 0);
	if (errno || *end || end == tok || v > 0xffff)
		return -1;
	*out = v;
	return 0;
}

static int parse_flags(char *rest, struct profile_slot *s)
{
	char *tok, *q;

	for (;;) {
		rest = skip_space(rest);
		if (!*rest)
			return 0;
		if (!strncmp(rest, "use", 3) && isspace((unsigned char)rest[3])) {
			rest = skip_space(rest + 3);
			q = *rest == '"' ? strchr(rest + 1, '"') : NULL;
			if (!q || (size_t)(q - rest - 1) >= sizeof(s->use))
				return -1;
			snprintf(s->use, sizeof(s->use), "%.*s",
				 (int)(q - rest - 1), rest + 1);
			rest = q + 1;
			continue;
		}
		tok = rest;
		rest += strcspn(rest, " \t");
		if (*rest)
			*rest++ = '\0';
		if (!strcmp(tok, "genkey"))
			s->genkey = true;
		else if (!strcmp(tok, "lock"))
			s->lock = true;
		else
			return -1;
	}
}

static int parse_slot_line(char *args, struct profile *p)
{
	char num[8], sc[16], kc[16];
	unsigned int n;
	int used = 0;
	u16 v;

	if (sscanf(args, "%7s %15s %15s%n", num, sc, kc, &used) != 3 ||
	    parse_u16(num, &v) || v >= ATECC_NUM_SLOTS)
		return -1;
	n = v;
	if (p->slot[n].set)
		return -1;
	memset(&p->slot[n], 0, sizeof(p->slot[n]));
	if (parse_u16(sc, &p->slot[n].slot_config) ||
	    parse_u16(kc, &p->slot[n].key_config))
		return -1;
	p->slot[n].set = true;
	return parse_flags(args + used, &p->slot[n]);
}

static int parse_line(char *line, struct profile *p)
{
	char *hash = strchr(line, '#');
	char *s;
	u16 mode;

	if (hash && !memchr(line, '"', hash - line))
		*hash = '\0';
	s = skip_space(line);
	s[strcspn(s, "\r\n")] = '\0';
	if (!*s)
		return 0;
	if (!strncmp(s, "slot", 4) && isspace((unsigned char)s[4]))
		return parse_slot_line(s + 5, p);
	if (!strncmp(s, "chipmode", 8) && isspace((unsigned char)s[8])) {
		if (parse_u16(skip_space(s + 9), &mode) || mode > 0xff)
			return -1;
		p->chip_mode = mode;
		return 0;
	}
	return -1;
}

static int profile_read_file(const char *path, struct profile *p)
{
	char line[256];
	unsigned int n = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "iotsec: profile %s: %s\n", path, strerror(errno));
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		n++;
		if (!strchr(line, '\n') && !feof(f)) {
			fprintf(stderr, "iotsec: %s:%u: line too long\n", path, n);
			fclose(f);
			return -1;
		}
		if (parse_line(line, p)) {
			fprintf(stderr, "iotsec: %s:%u: cannot parse this line (see iotsec(1), PROFILES)\n",
				path, n);
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* A built-in name, or a file (any name with a '/' or a '.'). */
int profile_load(const char *name, struct profile *p)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		if (!strcmp(name, builtins[i].name)) {
			builtins[i].fill(p);
			return 0;
		}
	}
	if (strchr(name, '/') || strchr(name, '.'))
		return profile_read_file(name, p);
	fprintf(stderr, "iotsec: no built-in profile '%s' (built in: %s; a file name needs a '/' or a '.')\n",
		name, profile_builtin_names());
	return -1;
}

static void put16(u8 *at, u16 v)
{
	at[0] = v & 0xff;
	at[1] = v >> 8;
}

/* The chip's zone with the profile's words in place. */
void profile_apply(const struct profile *p, const u8 *chip, u8 *image)
{
	unsigned int n;

	memcpy(image, chip, ATECC_CONFIG_SIZE);
	image[ATECC_CFG_CHIPMODE] = p->chip_mode;
	for (n = 0; n < ATECC_NUM_SLOTS; n++) {
		if (!p->slot[n].set)
			continue;
		put16(&image[ATECC_CFG_SLOTCONFIG + 2 * n], p->slot[n].slot_config);
		put16(&image[ATECC_CFG_KEYCONFIG + 2 * n], p->slot[n].key_config);
	}
}

/* Whether a zone holds the profile's words (to resume after the lock). */
bool profile_matches(const struct profile *p, const u8 *config)
{
	u8 image[ATECC_CONFIG_SIZE];

	profile_apply(p, config, image);
	return !memcmp(image, config, ATECC_CONFIG_SIZE);
}

static bool is_p256_private(u16 kc)
{
	return (kc & ATECC_KC_PRIVATE) &&
	       ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_P256;
}

static int refuse(unsigned int slot, const char *why)
{
	fprintf(stderr, "iotsec: refused: slot %u: %s\n", slot, why);
	return 1;
}

/* The rules only a profile can break: what it does to each slot. */
static int lint_steps(const struct profile *p, const u8 *image,
		      unsigned int n)
{
	u16 sc = atecc_lint_sc(image, n);
	u16 kc = atecc_lint_kc(image, n);
	bool key = is_p256_private(kc);
	int bad = 0;

	if (p->slot[n].genkey && !key)
		bad += refuse(n, "genkey asked for a slot that is not a P-256 private key");
	if (p->slot[n].lock && !(kc & ATECC_KC_LOCKABLE))
		bad += refuse(n, "lock asked for a slot whose KeyConfig is not Lockable");
	if (key && !p->slot[n].genkey)
		bad += refuse(n, "private-key slot without genkey: it would hold no key");
	if (key && (sc & ATECC_SC_WC_GENKEY) && !p->slot[n].lock)
		bad += refuse(n, "GenKey stays allowed: anyone on the bus could replace the key (add lock)");
	return bad;
}

/* Every refusal on stderr; returns how many. */
int profile_lint(const struct profile *p, const u8 *image)
{
	unsigned int n, rule, broken;
	int bad = 0;

	if (image[ATECC_CFG_CHIPMODE] & ATECC_LINT_CHIPMODE_ADDR_FROM_EXTRA) {
		fprintf(stderr, "iotsec: refused: ChipMode bit 0 would move the chip to another I2C address\n");
		bad++;
	}
	for (n = 0; n < ATECC_NUM_SLOTS; n++) {
		broken = atecc_lint_slot(image, n);
		for (rule = 0; rule < ATECC_LINT_RULES; rule++)
			if (broken & (1u << rule))
				bad += refuse(n, atecc_lint_text(rule));
		bad += lint_steps(p, image, n);
	}
	return bad;
}

static const char *slot_use(const struct profile *p, const u8 *image,
			    unsigned int n)
{
	u16 kc = atecc_lint_kc(image, n);

	if (p->slot[n].set && p->slot[n].use[0])
		return p->slot[n].use;
	if (is_p256_private(kc))
		return "private key";
	if (ATECC_KC_KEYTYPE(kc) == ATECC_KEYTYPE_P256)
		return "public key";
	return "data";
}

void profile_print(const struct profile *p, const u8 *image)
{
	unsigned int n;

	printf("profile %s, ChipMode 0x%02x\n", p->name, image[ATECC_CFG_CHIPMODE]);
	printf("slot  SlotConfig  KeyConfig  steps          use\n");
	for (n = 0; n < ATECC_NUM_SLOTS; n++)
		printf("%4u  0x%04x      0x%04x     %-6s %-6s  %s\n", n,
		       atecc_lint_sc(image, n), atecc_lint_kc(image, n),
		       p->slot[n].genkey ? "genkey" : "",
		       p->slot[n].lock ? "lock" : "", slot_use(p, image, n));
}
