// SPDX-License-Identifier: GPL-2.0
/*
 * What the module shows: the chips the iotsec driver has bound (sysfs),
 * the iotsec keys the calling process may view (/proc/keys, which lists
 * exactly those), and the configuration file that may narrow the keys
 * down and give each its certificate.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <keyutils.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "p11.h"

#define DRV	"/sys/bus/i2c/drivers/iotsec"

static const uint8_t spki_hdr[P11_SPKI_HDR] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00,
};

static int attr(const char *dev, const char *name, char *buf, size_t len)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), DRV "/%s/%s", dev, name);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	return 0;
}

static int is_serial(const char *s)
{
	size_t i;

	for (i = 0; i < P11_SERIAL_LEN; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = tolower((unsigned char)*s);
}

int p11_scan_chips(struct p11_chip *out, int max)
{
	char sn[64], rev[64];
	struct dirent *de;
	int n = 0;
	DIR *d;

	d = opendir(DRV);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d)) && n < max) {
		if (!strchr(de->d_name, '-') || strlen(de->d_name) >= sizeof(out->dev))
			continue;
		if (attr(de->d_name, "serial_number", sn, sizeof(sn)) ||
		    strlen(sn) != P11_SERIAL_LEN || !is_serial(sn))
			continue;
		lower(sn);
		memset(&out[n], 0, sizeof(out[n]));
		memcpy(out[n].serial, sn, P11_SERIAL_LEN + 1);
		strcpy(out[n].dev, de->d_name);
		/* RevNum bytes 2: 0x50 ATECC508A, 0x60 ATECC608A/B. */
		if (!attr(de->d_name, "revision", rev, sizeof(rev)) && strlen(rev) == 8 &&
		    !strncmp(rev + 4, "50", 2))
			strcpy(out[n].model, "ATECC508A");
		else if (strlen(rev) == 8 && !strncmp(rev + 4, "60", 2))
			strcpy(out[n].model, "ATECC608");
		else
			strcpy(out[n].model, "ATECCx08");
		out[n].present = 1;
		n++;
	}
	closedir(d);
	return n;
}

/* "<description>: chip <serial> slot <n>" as the key type describes a
 * live key; a key on a gone chip, or stale, has a suffix and is skipped. */
static int parse_desc(const char *s, struct p11_key *k)
{
	const char *p = NULL, *q;
	char *end;
	unsigned long slot;

	for (q = strstr(s, ": chip "); q; q = strstr(q + 1, ": chip "))
		p = q;
	if (!p)
		return -EINVAL;
	p += strlen(": chip ");
	if (!is_serial(p) || strncmp(p + P11_SERIAL_LEN, " slot ", 6))
		return -EINVAL;
	memcpy(k->chip, p, P11_SERIAL_LEN);
	k->chip[P11_SERIAL_LEN] = '\0';
	lower(k->chip);
	p += P11_SERIAL_LEN + 6;
	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	slot = strtoul(p, &end, 10);
	if (*end || slot > 15)
		return -EINVAL;
	k->slot = slot;
	return 0;
}

static const struct p11_conf_entry *conf_find(const struct p11_conf *conf,
					      const char *desc)
{
	size_t i;

	for (i = 0; i < conf->n; i++)
		if (!strcmp(conf->e[i].desc, desc))
			return &conf->e[i];
	return NULL;
}

/* The key's own description, from keyctl_describe: "type;uid;gid;perm;desc". */
static int describe(int32_t id, char *desc, size_t len)
{
	char buf[512], *p;
	long n;
	int i;

	n = keyctl_describe(id, buf, sizeof(buf));
	if (n < 0)
		return -errno;
	if ((size_t)n > sizeof(buf))
		return -ENAMETOOLONG;
	buf[sizeof(buf) - 1] = '\0';
	if (strncmp(buf, "iotsec;", 7))
		return -EINVAL;
	for (p = buf, i = 0; i < 4; i++) {
		p = strchr(p, ';');
		if (!p)
			return -EINVAL;
		p++;
	}
	if (strlen(p) >= len)
		return -ENAMETOOLONG;
	strcpy(desc, p);
	return 0;
}

static void read_pub(struct p11_key *k)
{
	uint8_t buf[P11_SPKI_LEN + 1];
	long n = keyctl_read(k->serial, (char *)buf, sizeof(buf));

	k->have_pub = n == P11_SPKI_LEN && !memcmp(buf, spki_hdr, P11_SPKI_HDR) &&
		      buf[P11_SPKI_HDR] == 0x04;
	if (k->have_pub)
		memcpy(k->spki, buf, P11_SPKI_LEN);
}

int p11_scan_keys(const struct p11_conf *conf, struct p11_key *out, int max)
{
	char line[1024], type[16];
	struct p11_key *k;
	unsigned int id;
	int n = 0, off;
	FILE *f;

	f = fopen("/proc/keys", "re");
	if (!f)
		return -errno;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		off = 0;
		if (sscanf(line, "%x %*s %*s %*s %*s %*s %*s %15s %n", &id, type, &off) != 2 ||
		    !off || strcmp(type, "iotsec"))
			continue;
		k = &out[n];
		memset(k, 0, sizeof(*k));
		k->serial = (int32_t)id;
		if (parse_desc(line + off, k) || describe(k->serial, k->desc, sizeof(k->desc)))
			continue;
		k->conf = conf_find(conf, k->desc);
		if (conf->n && !k->conf)
			continue;
		read_pub(k);
		if (k->conf && k->conf->cert && k->have_pub &&
		    (k->conf->ci.spki.len != P11_SPKI_LEN ||
		     memcmp(k->conf->cert + k->conf->ci.spki.off, k->spki, P11_SPKI_LEN))) {
			fprintf(stderr, "iotsec-pkcs11: %s: not the certificate of key '%s'\n",
				k->conf->cert_file, k->desc);
			k->conf = NULL;
		}
		n++;
	}
	fclose(f);
	return n;
}

/* --- the configuration ---------------------------------------------------- */

static char *skip(char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static int load_cert(struct p11_conf_entry *e)
{
	uint8_t buf[65536];
	size_t len;
	FILE *f;
	int ret;

	f = fopen(e->cert_file, "re");
	if (!f)
		return -errno;
	len = fread(buf, 1, sizeof(buf), f);
	ret = ferror(f) ? -EIO : len == sizeof(buf) ? -EFBIG : 0;
	fclose(f);
	if (!ret)
		ret = p11_cert_load(buf, len, &e->cert, &e->cert_len);
	if (!ret && p11_cert_parse(e->cert, e->cert_len, &e->ci)) {
		free(e->cert);
		e->cert = NULL;
		ret = -EINVAL;
	}
	return ret;
}

/* One line: "key DESCRIPTION" or "cert FILE DESCRIPTION". */
static int conf_line(struct p11_conf *conf, char *p)
{
	struct p11_conf_entry *e, *ne;
	char *file = NULL, *end;
	size_t n;

	if (!strncmp(p, "cert", 4) && (p[4] == ' ' || p[4] == '\t')) {
		file = skip(p + 4);
		end = file + strcspn(file, " \t");
		if (!*end)
			return -EINVAL;
		*end = '\0';
		p = skip(end + 1);
	} else if (!strncmp(p, "key", 3) && (p[3] == ' ' || p[3] == '\t')) {
		p = skip(p + 3);
	} else {
		return -EINVAL;
	}
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		p[--n] = '\0';
	if (!n || n >= sizeof(((struct p11_key *)0)->desc) || conf_find(conf, p))
		return -EINVAL;
	ne = realloc(conf->e, (conf->n + 1) * sizeof(*ne));
	if (!ne)
		return -ENOMEM;
	conf->e = ne;
	e = &ne[conf->n];
	memset(e, 0, sizeof(*e));
	e->desc = strdup(p);
	e->cert_file = file ? strdup(file) : NULL;
	conf->n++;
	if (!e->desc || (file && !e->cert_file))
		return -ENOMEM;
	return file ? load_cert(e) : 0;
}

int p11_conf_load(const char *path, struct p11_conf *conf)
{
	char line[1024], *p;
	int ret = 0, lineno = 0;
	FILE *f;

	conf->e = NULL;
	conf->n = 0;
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		ret = -errno;
		fprintf(stderr, "iotsec-pkcs11: %s: %s\n", path, strerror(-ret));
		return ret;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = -E2BIG;
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		p = skip(line);
		if (!*p || *p == '#')
			continue;
		ret = conf_line(conf, p);
	}
	fclose(f);
	if (ret) {
		fprintf(stderr, "iotsec-pkcs11: %s:%d: %s\n", path, lineno,
			ret == -EINVAL ? "expected 'key DESCRIPTION' or 'cert FILE DESCRIPTION' "
			"(each description once), or a certificate file that is not PEM or DER X.509"
			: strerror(-ret));
		p11_conf_free(conf);
	}
	return ret;
}

void p11_conf_free(struct p11_conf *conf)
{
	size_t i;

	for (i = 0; i < conf->n; i++) {
		free(conf->e[i].desc);
		free(conf->e[i].cert_file);
		free(conf->e[i].cert);
	}
	free(conf->e);
	conf->e = NULL;
	conf->n = 0;
}
