// SPDX-License-Identifier: GPL-2.0
/*
 * Kernel TLS (see ktls.h).  TLS 1.3 nonce layout in the kernel: salt is
 * the first 4 bytes of the 12-byte write IV and iv the last 8; for
 * ChaCha20-Poly1305 the whole IV goes in iv and there is no salt.
 */
#include <errno.h>
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

int ktls_install(int fd, enum ktls_dir dir, const struct suite *s,
		 const uint8_t *key, const uint8_t iv[12])
{
	union {
		struct tls12_crypto_info_aes_gcm_128 g128;
		struct tls12_crypto_info_aes_gcm_256 g256;
		struct tls12_crypto_info_chacha20_poly1305 cc;
	} ci;

	memset(&ci, 0, sizeof(ci));
	switch (s->ktls_cipher) {
	case TLS_CIPHER_AES_GCM_128:
		ci.g128.info.version = TLS_1_3_VERSION;
		ci.g128.info.cipher_type = TLS_CIPHER_AES_GCM_128;
		memcpy(ci.g128.salt, iv, 4);
		memcpy(ci.g128.iv, iv + 4, 8);
		memcpy(ci.g128.key, key, 16);
		return set(fd, dir, &ci.g128, sizeof(ci.g128));
	case TLS_CIPHER_AES_GCM_256:
		ci.g256.info.version = TLS_1_3_VERSION;
		ci.g256.info.cipher_type = TLS_CIPHER_AES_GCM_256;
		memcpy(ci.g256.salt, iv, 4);
		memcpy(ci.g256.iv, iv + 4, 8);
		memcpy(ci.g256.key, key, 32);
		return set(fd, dir, &ci.g256, sizeof(ci.g256));
	case TLS_CIPHER_CHACHA20_POLY1305:
		ci.cc.info.version = TLS_1_3_VERSION;
		ci.cc.info.cipher_type = TLS_CIPHER_CHACHA20_POLY1305;
		memcpy(ci.cc.iv, iv, 12);
		memcpy(ci.cc.key, key, 32);
		return set(fd, dir, &ci.cc, sizeof(ci.cc));
	}
	return -EINVAL;
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
