// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration: what stays the same across sessions.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "session.h"
#include "sign.h"

static time_t wall_clock(void)
{
	return time(NULL);
}

IOTSEC_EXPORT int iotsec_config_new(struct iotsec_config **cfg)
{
	struct iotsec_config *c = calloc(1, sizeof(*c));

	if (c) {
		c->trust = calloc(1, sizeof(*c->trust));
		c->tkeys = calloc(1, sizeof(*c->tkeys));
		c->tcache = calloc(1, sizeof(*c->tcache));
	}
	if (!c || !c->trust || !c->tkeys || !c->tcache) {
		if (c) {
			free(c->trust);
			free(c->tkeys);
			free(c->tcache);
		}
		free(c);
		return -ENOMEM;
	}
	cert_trust_init(c->trust);
	ticket_keys_init(c->tkeys);
	ticket_cache_init(c->tcache);
	c->ticket_lifetime = TICKET_LIFETIME_DEFAULT;
	c->timeout_ms = 30000;
	c->n_suites = 3;
	c->suites[0] = TLS_AES_128_GCM_SHA256;
	c->suites[1] = TLS_AES_256_GCM_SHA384;
	c->suites[2] = TLS_CHACHA20_POLY1305_SHA256;
	/*
	 * The kernel's software ECDHE: half the handshake time and twice a
	 * chip's handshakes of the TempKey (Documentation/libiotsec.rst,
	 * "ECDHE placement"); "ecdh-nist-p256" asks for the chip.
	 */
	snprintf(c->ecdh_alg, sizeof(c->ecdh_alg), "ecdh-nist-p256-generic");
	c->now = wall_clock;
	*cfg = c;
	return 0;
}

IOTSEC_EXPORT void iotsec_config_free(struct iotsec_config *cfg)
{
	if (!cfg)
		return;
	cert_trust_destroy(cfg->trust);
	free(cfg->trust);
	ticket_keys_destroy(cfg->tkeys);
	free(cfg->tkeys);
	ticket_cache_destroy(cfg->tcache);
	free(cfg->tcache);
	pem_list_free(&cfg->roots);
	pem_list_free(&cfg->chain);
	explicit_bzero(cfg, sizeof(*cfg));
	free(cfg);
}

/*
 * Reads at most max certificates into l, which changes only on success:
 * a failed call leaves the configuration as it was.
 */
static int load(struct pem_list *l, const char *path, unsigned int max)
{
	struct pem_list got;
	int ret;

	memset(&got, 0, sizeof(got));
	ret = pem_read_file(path, "CERTIFICATE", &got);
	if (ret == 0)
		ret = -ENOENT;	/* a file without a certificate */
	else if (ret > 0 && got.count > max)
		ret = -E2BIG;
	if (ret < 0) {
		pem_list_free(&got);
		return ret;
	}
	pem_list_free(l);
	*l = got;
	explicit_bzero(&got, sizeof(got));
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_root_ca_file(struct iotsec_config *cfg,
						 const char *path)
{
	int ret = load(&cfg->roots, path, PEM_MAX_BLOCKS);

	/*
	 * The keyring made from the roots before goes (no session may run
	 * while the configuration changes); the next session makes one.
	 */
	if (!ret)
		cert_trust_drop(cfg->trust);
	return ret;
}

int config_roots_ring(const struct iotsec_config *cfg, key_serial_t *ring)
{
	struct cert_der roots[PEM_MAX_BLOCKS];
	unsigned int i;

	for (i = 0; i < cfg->roots.count && i < PEM_MAX_BLOCKS; i++) {
		roots[i].p = cfg->roots.blocks[i].der;
		roots[i].len = cfg->roots.blocks[i].len;
	}
	return cert_trust_get(cfg->trust, roots, i, ring);
}

IOTSEC_EXPORT int iotsec_config_set_cert_chain_file(struct iotsec_config *cfg,
						    const char *path)
{
	return load(&cfg->chain, path, MSG_CERTS_MAX);
}

IOTSEC_EXPORT int iotsec_config_set_key(struct iotsec_config *cfg,
					int32_t key_serial)
{
	if (key_serial <= 0)
		return -EINVAL;
	cfg->key = key_serial;
	/* once per configuration, not per signature; else at each one */
	cfg->key_sig_max = sign_query(key_serial);
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_peer_name(struct iotsec_config *cfg,
					      const char *name)
{
	if (name && strlen(name) > MSG_HOST_MAX)
		return -ENAMETOOLONG;
	snprintf(cfg->peer_name, sizeof(cfg->peer_name), "%s", name ? name : "");
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_any_peer(struct iotsec_config *cfg,
					     int any)
{
	cfg->any_peer = any != 0;
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_timeout(struct iotsec_config *cfg,
					    unsigned int ms)
{
	/* poll() takes an int of milliseconds: about 24.8 days at most. */
	if (!ms || ms > INT_MAX)
		return -EINVAL;
	cfg->timeout_ms = ms;
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_ciphersuites(struct iotsec_config *cfg,
						 const char *list)
{
	static const uint16_t ids[] = { TLS_AES_128_GCM_SHA256,
		TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256 };
	uint16_t got[MSG_SUITES_MAX];
	const char *p = list;
	size_t len, i;
	int n = 0;

	while (p && *p) {
		len = strcspn(p, ":");
		for (i = 0; i < 3; i++)
			if (strlen(suite_find(ids[i])->name) == len &&
			    !strncmp(suite_find(ids[i])->name, p, len))
				break;
		if (i == 3 || n == MSG_SUITES_MAX)
			return -EINVAL;
		got[n++] = ids[i];
		p += len + (p[len] == ':');
	}
	if (!n)
		return -EINVAL;
	memcpy(cfg->suites, got, n * sizeof(got[0]));
	cfg->n_suites = n;
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_ecdh(struct iotsec_config *cfg,
					 const char *alg)
{
	if (!alg || !*alg || strlen(alg) >= sizeof(cfg->ecdh_alg))
		return -EINVAL;
	snprintf(cfg->ecdh_alg, sizeof(cfg->ecdh_alg), "%s", alg);
	return 0;
}

IOTSEC_EXPORT int iotsec_config_set_crypto(struct iotsec_config *cfg,
					   unsigned int crypto)
{
	if (crypto != IOTSEC_CRYPTO_AUTO && crypto != IOTSEC_CRYPTO_KERNEL &&
	    crypto != IOTSEC_CRYPTO_USER)
		return -EINVAL;
	cfg->crypto = crypto;
	return 0;
}

/* The session's getter sits with the setter: both are the backend choice. */
IOTSEC_EXPORT unsigned int iotsec_session_crypto(const struct iotsec_session *s)
{
	return s->hash.used;
}
