// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel TLS (see ktls.h).  TLS 1.3 nonce layout in the kernel: salt is
 * the first 4 bytes of the 12-byte write IV and iv the last 8; for
 * ChaCha20-Poly1305 the whole IV goes in iv and there is no salt.
 */
#include <errno.h>
#include <stddef.h>
#include <linux/tls.h>
#include <linux/version.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>

#include "iotsec.h"
#include "internal.h"
#include "ktls.h"

#ifndef SOL_TLS
#define SOL_TLS 282
#endif
#ifndef TCP_ULP
#define TCP_ULP 31
#endif

int ktls_attach(int fd)
{
	if (!setsockopt(fd, IPPROTO_TCP, TCP_ULP, "tls", sizeof("tls")))
		return 0;
	/* ENOENT: no tls module, and we may not load it (no CAP_NET_ADMIN) */
	if (errno == ENOENT)
		return IOTSEC_LIB_ERR(IOTSEC_E_NO_KTLS);
	return -errno;
}

static int set(int fd, enum ktls_dir dir, void *info, size_t len)
{
	int ret = setsockopt(fd, SOL_TLS, dir, info, len) ? -errno : 0;

	explicit_bzero(info, len);
	return ret;
}

/*
 * Where each kTLS cipher's crypto_info (linux/tls.h) keeps its parts: the
 * 12-byte write IV is salt_len bytes of salt, then iv.
 */
struct ktls_layout {
	uint16_t cipher;
	size_t size;
	size_t salt, salt_len, iv, iv_len, key, key_len;
};

#define KTLS_FIELD(t, f)	offsetof(struct t, f), sizeof(((struct t *)0)->f)
#define KTLS_GCM(c, t)	{ c, sizeof(struct t), KTLS_FIELD(t, salt), \
			  KTLS_FIELD(t, iv), KTLS_FIELD(t, key) }

static const struct ktls_layout ktls_layouts[] = {
	KTLS_GCM(TLS_CIPHER_AES_GCM_128, tls12_crypto_info_aes_gcm_128),
	KTLS_GCM(TLS_CIPHER_AES_GCM_256, tls12_crypto_info_aes_gcm_256),
	{ TLS_CIPHER_CHACHA20_POLY1305,
	  sizeof(struct tls12_crypto_info_chacha20_poly1305), 0, 0,
	  KTLS_FIELD(tls12_crypto_info_chacha20_poly1305, iv),
	  KTLS_FIELD(tls12_crypto_info_chacha20_poly1305, key) },
};

static const struct ktls_layout *ktls_layout(uint16_t cipher)
{
	size_t i;

	for (i = 0; i < sizeof(ktls_layouts) / sizeof(ktls_layouts[0]); i++)
		if (ktls_layouts[i].cipher == cipher)
			return &ktls_layouts[i];
	return NULL;
}

int ktls_install(int fd, enum ktls_dir dir, const struct suite *s,
		 const uint8_t *key, const uint8_t iv[12])
{
	const struct ktls_layout *l = ktls_layout(s->ktls_cipher);
	union {
		struct tls_crypto_info info;
		struct tls12_crypto_info_aes_gcm_128 g128;
		struct tls12_crypto_info_aes_gcm_256 g256;
		struct tls12_crypto_info_chacha20_poly1305 cc;
	} ci;
	uint8_t *p = (uint8_t *)&ci;

	if (!l || l->salt_len + l->iv_len != 12 || l->key_len != s->keylen)
		return -EINVAL;
	memset(&ci, 0, sizeof(ci));
	ci.info.version = TLS_1_3_VERSION;
	ci.info.cipher_type = l->cipher;
	memcpy(p + l->salt, iv, l->salt_len);
	memcpy(p + l->iv, iv + l->salt_len, l->iv_len);
	memcpy(p + l->key, key, l->key_len);
	return set(fd, dir, &ci, l->size);
}

ssize_t ktls_send_record(int fd, uint8_t type, const void *data, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(type))];
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_TLS;
	c->cmsg_type = TLS_SET_RECORD_TYPE;
	c->cmsg_len = CMSG_LEN(sizeof(type));
	*CMSG_DATA(c) = type;
	n = sendmsg(fd, &msg, MSG_NOSIGNAL);
	return n < 0 ? -errno : n;
}

ssize_t ktls_recv_record(int fd, uint8_t *type, void *buf, size_t len,
			 int flags)
{
	char cbuf[CMSG_SPACE(sizeof(*type))];
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = cbuf, .msg_controllen = sizeof(cbuf),
	};
	struct cmsghdr *c;
	ssize_t n;

	n = recvmsg(fd, &msg, flags);
	if (n < 0)
		return -errno;
	*type = 23;	/* application data carries no cmsg */
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
		if (c->cmsg_level == SOL_TLS &&
		    c->cmsg_type == TLS_GET_RECORD_TYPE)
			*type = *CMSG_DATA(c);
	return n;
}

/* The running kernel's release is at least major.minor. */
static bool release_at_least(unsigned int major, unsigned int minor)
{
	unsigned int ma, mi;
	struct utsname u;

	if (uname(&u) || sscanf(u.release, "%u.%u", &ma, &mi) != 2)
		return false;
	return KERNEL_VERSION(ma, mi, 0) >= KERNEL_VERSION(major, minor, 0);
}

/*
 * Linux 6.14 added TLS 1.3 rekeying and, with it, the TlsTxRekeyOk counter
 * of /proc/net/tls_stat: its presence answers without side effects (a
 * trial setsockopt() would count a rekey error).  Without procfs, the
 * release decides.
 */
bool ktls_can_rekey(void)
{
	char line[128];
	bool found = false;
	FILE *f = fopen("/proc/net/tls_stat", "re");

	if (!f)
		return release_at_least(6, 14);
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, "TlsTxRekeyOk", 12);
	fclose(f);
	return found;
}
