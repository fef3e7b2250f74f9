// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec(1): the chips, and mutual TLS 1.3 sessions with a chip key.
 *
 * A sorted table of commands; each checks its arguments (usage: exit 2),
 * does its work (failure: a message and exit 1) and exits 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iotsec-tool.h"

static const struct command commands[] = {
	{ cmd_connect, "connect", "HOST:PORT --ca FILE --cert FILE --key KEY [--name NAME] [--ecdh ALG] [--ciphersuites LIST] [--sess-in FILE] [--sess-out FILE]" },
	{ cmd_csr, "csr", "--key KEY --subject /TYPE=VALUE/... [--out FILE]" },
	{ cmd_info, "info", "[--json]" },
	{ cmd_pkcs11_uri, "pkcs11-uri", "[--module PATH]" },
	{ cmd_provision, "provision", "[--chip DEVICE|SERIAL] [--profile NAME|FILE] [--dry-run | --yes]" },
	{ cmd_serve, "serve", "PORT --ca FILE --cert FILE --key KEY [--name NAME] [--ecdh ALG] [--ciphersuites LIST] [--once] [--no-tickets]" },
};

void usage(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!name || !strcmp(name, commands[i].name))
			fprintf(stderr, "usage: iotsec %s %s\n", commands[i].name,
				commands[i].format);
	exit(2);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		usage(NULL);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].action(argc - 1, argv + 1);
	fprintf(stderr, "iotsec: unknown command '%s'\n", argv[1]);
	usage(NULL);
	return 2;
}
