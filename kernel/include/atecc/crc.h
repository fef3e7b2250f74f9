/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The ATECC CRC-16: polynomial 0x8005, register starts at zero, each byte
 * fed least significant bit first into a non-reflected register, no final
 * XOR, sent little-endian.  It covers count through the last data byte.
 * atecc_packet() lays out the command packet it closes.
 *
 * Kept free of kernel-only headers so the host unit tests compile it as is.
 */
#ifndef IOTSEC_CRC_H
#define IOTSEC_CRC_H

#include "wire.h"

static inline u16 atecc_crc16(const u8 *buf, size_t len)
{
	u16 reg = 0;
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			u16 in = (buf[i] >> bit) & 1;
			u16 top = reg >> 15;

			reg <<= 1;
			if (in != top)
				reg ^= 0x8005;
		}
	}
	return reg;
}

/* Append the CRC of buf[0..len) at buf[len], buf[len + 1]. */
static inline void atecc_crc16_put(u8 *buf, size_t len)
{
	u16 crc = atecc_crc16(buf, len);

	buf[len] = crc & 0xff;
	buf[len + 1] = crc >> 8;
}

/* True when the two bytes after buf[0..len) hold its CRC. */
static inline bool atecc_crc16_ok(const u8 *buf, size_t len)
{
	u16 crc = atecc_crc16(buf, len);

	return buf[len] == (crc & 0xff) && buf[len + 1] == (crc >> 8);
}

/*
 * A command packet in @buf: word address, count, opcode, param1, param2
 * (little-endian), @len data bytes, CRC.  @buf holds ATECC_CMD_MAX + 1
 * bytes and @len is at most ATECC_CMD_MAX - ATECC_CMD_MIN (the caller
 * checks).  Returns the bytes to write.
 */
static inline size_t atecc_packet(u8 *buf, u8 op, u8 p1, u16 p2,
				  const u8 *data, size_t len)
{
	size_t count = ATECC_CMD_MIN + len, i;

	buf[0] = ATECC_WA_COMMAND;
	buf[1] = count;
	buf[2] = op;
	buf[3] = p1;
	buf[4] = p2 & 0xff;
	buf[5] = p2 >> 8;
	for (i = 0; i < len; i++)
		buf[6 + i] = data[i];
	atecc_crc16_put(buf + 1, count - ATECC_CRC_SIZE);
	return count + 1;
}

#endif /* IOTSEC_CRC_H */
