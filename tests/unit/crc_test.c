// SPDX-License-Identifier: GPL-2.0
/*
 * The chip's CRC-16 (kernel/include/atecc/crc.h) against the vectors of the ATECC608
 * facts sheet, section 1.5: the first four were captured from real
 * devices, the rest follow from the same algorithm.
 */
#include <stdio.h>
#include <string.h>

#include "kcompat.h"
#include "atecc/crc.h"
#include "kselftest_harness.h"

struct vector {
	const char *data;	/* hex, the covered bytes */
	const char *crc;	/* hex, the two bytes on the wire */
};

static const struct vector vectors[] = {
	{ "0411", "3343" },			/* wake OK */
	{ "0730000000", "035d" },		/* Info revision command */
	{ "0700006002", "8038" },		/* Info response, 608A */
	{ "2301238805000060028197baf6ee015d00c00000008320872"
	  "08f20c48f8f8f8f8f", "90a8" },	/* 35-byte config read */
	{ "0700006003", "83bb" },		/* Info response, 608B */
	{ "0700005000", "0391" },		/* Info response, 508A */
	{ "0400", "0340" }, { "0401", "00c3" }, { "0403", "8342" },
	{ "0405", "c343" }, { "0407", "40c2" }, { "0408", "60c0" },
	{ "040f", "2342" }, { "04ee", "3141" }, { "04ff", "0142" },
	{ "0702001500", "175d" },		/* Read config word 0x15 */
	{ "0702800000", "09ad" },		/* Read config block 0 */
	{ "071b000000", "24cd" },		/* Random */
	{ "0740040200", "8507" },		/* GenKey slot 2 */
	{ "0717800000", "398d" },		/* Lock config, no CRC */
	{ "0717810000", "3a07" },		/* Lock data, no CRC */
};

static size_t unhex(const char *hex, u8 *out)
{
	size_t n = 0;

	for (; hex[0] && hex[1]; hex += 2)
		sscanf(hex, "%2hhx", &out[n++]);
	return n;
}

TEST(facts_sheet_vectors)
{
	u8 buf[64], want[2];
	size_t i, n;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		n = unhex(vectors[i].data, buf);
		unhex(vectors[i].crc, want);
		atecc_crc16_put(buf, n);
		EXPECT_EQ(want[0], buf[n]) TH_LOG("vector %zu (%s)", i, vectors[i].data);
		EXPECT_EQ(want[1], buf[n + 1]) TH_LOG("vector %zu (%s)", i, vectors[i].data);
		EXPECT_TRUE(atecc_crc16_ok(buf, n));
	}
}

TEST(empty_input_is_zero)
{
	EXPECT_EQ(0, atecc_crc16(NULL, 0));
}

TEST(single_bit_flip_detected)
{
	u8 buf[8] = { 0x07, 0x30, 0x00, 0x00, 0x00 };
	int byte, bit;

	atecc_crc16_put(buf, 5);
	for (byte = 0; byte < 7; byte++) {
		for (bit = 0; bit < 8; bit++) {
			buf[byte] ^= 1 << bit;
			EXPECT_FALSE(atecc_crc16_ok(buf, 5));
			buf[byte] ^= 1 << bit;
		}
	}
	EXPECT_TRUE(atecc_crc16_ok(buf, 5));
}

/* Plain CRC-16/ARC (reflected) is the classic mistake: it must differ. */
TEST(not_crc16_arc)
{
	u8 buf[2] = { 0x04, 0x11 };
	u16 arc = 0;
	int i, b;

	for (i = 0; i < 2; i++) {
		arc ^= buf[i];
		for (b = 0; b < 8; b++)
			arc = (arc & 1) ? (arc >> 1) ^ 0xA001 : arc >> 1;
	}
	EXPECT_NE(arc, atecc_crc16(buf, 2));
}

TEST_HARNESS_MAIN
