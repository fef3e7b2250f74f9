// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: iotsec_config_ticket_import() on a blob, what an
 * application reads back from the file iotsec_session_ticket_export()'s
 * bytes went to (iotsec connect --sess-in): parsed, checked for its
 * lifetime and suite, kept in a fresh configuration's cache, then freed.
 * The clock stands at the seeds' issue time plus a minute, so that a
 * well-formed blob reaches the cache.
 */
#include <errno.h>

#include "fuzz.h"
#include "iotsec.h"
#include "session.h"

/* The seeds (tests/fuzz/corpus/ticket) were issued at 1700000000. */
static time_t seed_clock(void)
{
	return 1700000060;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iotsec_config *cfg;
	int ret;

	if (iotsec_config_new(&cfg))
		return 0;
	cfg->now = seed_clock;
	ret = iotsec_config_ticket_import(cfg, size ? data : (const uint8_t *)"",
					  size);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -ESTALE || ret == -ENOMEM);
	iotsec_config_free(cfg);
	return 0;
}
