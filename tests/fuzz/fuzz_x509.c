// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: x509_parse() on a DER certificate, then every check a
 * handshake makes on a parsed one (x509_check_leaf() for both purposes,
 * with and without a name, x509_check_ca() at three depths,
 * x509_name_match() with each name the certificate holds).  Every span
 * the parser returns must lie inside the input.
 */
#include <arpa/inet.h>
#include <string.h>

#include "fuzz.h"
#include "x509.h"

static const uint8_t *lo, *hi;

static void span_in(const struct x509_span *s)
{
	FUZZ_CHECK(!s->len || (s->p >= lo && s->p + s->len <= hi));
}

static void names(const struct x509_cert *c)
{
	char name[INET6_ADDRSTRLEN + 256];
	unsigned int i;

	FUZZ_CHECK(c->n_names <= X509_MAX_NAMES);
	for (i = 0; i < c->n_names; i++) {
		const struct x509_name *n = &c->names[i];

		span_in(&n->v);
		if (n->type == X509_NAME_IP) {
			FUZZ_CHECK(n->v.len == 4 || n->v.len == 16);
			inet_ntop(n->v.len == 4 ? AF_INET : AF_INET6, n->v.p,
				  name, sizeof(name));
		} else if (n->v.len < 256) {
			memcpy(name, n->v.p, n->v.len);
			name[n->v.len] = '\0';
		} else {
			continue;
		}
		x509_name_match(c, name);
		x509_check_leaf(c, c->not_before, X509_PURPOSE_SERVER, name);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = {
		"server.test", "a.server.test", "127.0.0.1", "::1", "", ".",
	};
	struct x509_cert c;
	unsigned int i;

	if (x509_parse(data, size, &c))
		return 0;
	lo = data;
	hi = data + size;
	span_in(&c.raw), span_in(&c.tbs), span_in(&c.serial);
	span_in(&c.issuer), span_in(&c.subject), span_in(&c.spki);
	span_in(&c.key), span_in(&c.sig), span_in(&c.cn);
	FUZZ_CHECK(c.raw.p == data && c.raw.len == size);
	names(&c);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		x509_name_match(&c, fixed[i]);
	x509_check_leaf(&c, c.not_after + 1, X509_PURPOSE_CLIENT, NULL);
	x509_check_leaf(&c, 1764000000, X509_PURPOSE_SERVER, "server.test");
	for (i = 0; i < 3; i++)
		x509_check_ca(&c, c.not_before, i);
	return 0;
}
