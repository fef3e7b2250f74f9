/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ATECC508A/608A/608B wire protocol: what goes over I2C, nothing else.
 *
 * Shared by the chip driver, the simulator, the tool and the tests; they
 * must agree on the protocol, never on each other's internals.  Every
 * protocol fact any of them uses lives here (the execution times in
 * exec_times.h, the CRC in crc.h, the key-safety rules in config_lint.h);
 * what a side does with a fact (retries, margins, budgets) stays with it.
 * Facts and their sources are in Documentation/atecc608.rst (from the
 * ATECC608 TNG/TFLX datasheets).  Multi-byte parameters are little-endian
 * on the wire.  Free of kernel-only headers: userspace includes it too.
 */
#ifndef IOTSEC_WIRE_H
#define IOTSEC_WIRE_H

/* Word address: first byte of every write */
#define ATECC_WA_RESET		0x00
#define ATECC_WA_SLEEP		0x01
#define ATECC_WA_IDLE		0x02
#define ATECC_WA_COMMAND	0x03

/* Opcodes */
#define ATECC_OP_COUNTER	0x24
#define ATECC_OP_ECDH		0x43
#define ATECC_OP_GENKEY		0x40
#define ATECC_OP_INFO		0x30
#define ATECC_OP_LOCK		0x17
#define ATECC_OP_NONCE		0x16
#define ATECC_OP_RANDOM		0x1B
#define ATECC_OP_READ		0x02
#define ATECC_OP_SELFTEST	0x77	/* 608 */
#define ATECC_OP_SHA		0x47
#define ATECC_OP_SIGN		0x41
#define ATECC_OP_UPDATE_EXTRA	0x20
#define ATECC_OP_VERIFY		0x45
#define ATECC_OP_WRITE		0x12

/* Status codes (byte 1 of a 4-byte group) */
#define ATECC_ST_SUCCESS	0x00
#define ATECC_ST_MISCOMPARE	0x01
#define ATECC_ST_PARSE		0x03
#define ATECC_ST_ECC_FAULT	0x05
#define ATECC_ST_SELFTEST	0x07
#define ATECC_ST_HEALTH		0x08
#define ATECC_ST_EXEC		0x0F
#define ATECC_ST_WAKE		0x11
#define ATECC_ST_WATCHDOG	0xEE
#define ATECC_ST_COMM		0xFF

/* Framing */
#define ATECC_CMD_HDR		5	/* count, opcode, param1, param2 (2) */
#define ATECC_CRC_SIZE		2
#define ATECC_CMD_MIN		7	/* count .. crc, no data */
#define ATECC_CMD_MAX		155
#define ATECC_RSP_STATUS	4	/* count, status, crc (2) */
#define ATECC_RSP_MAX		75
#define ATECC_GROUP_MIN		4	/* shortest group the chip accepts */

/* Read/Write param2: config and OTP block << 3 | word; data block << 8 |
 * slot << 3 | word (word: 4-byte access only)
 */
#define ATECC_ADDR_WORD_MASK	0x0007
#define ATECC_ADDR_BLOCK_SHIFT	3	/* config and OTP */
#define ATECC_ADDR_SMALL_MASK	0x001f	/* config and OTP: block, word */
#define ATECC_ADDR_SLOT_SHIFT	3	/* data */
#define ATECC_ADDR_DATA_BLOCK_SHIFT 8	/* data */
#define ATECC_ADDR_DATA_RSVD	0x0080

/* Read/Write zone byte (param1) */
#define ATECC_ZONE_CONFIG	0x00
#define ATECC_ZONE_OTP		0x01
#define ATECC_ZONE_DATA		0x02
#define ATECC_ZONE_MASK		0x03
#define ATECC_ZONE_32		0x80	/* 32-byte access, else 4 */
#define ATECC_ZONE_ENC		0x40	/* Write: encrypted input + MAC */

/* Lock param1 */
#define ATECC_LOCK_CONFIG	0x00
#define ATECC_LOCK_DATA		0x01
#define ATECC_LOCK_SLOT		0x02	/* | slot << 2 */
#define ATECC_LOCK_ZONE_MASK	0x03
#define ATECC_LOCK_SLOT_SHIFT	2
#define ATECC_LOCK_SLOT_BITS	0x3c
#define ATECC_LOCK_RESERVED	0x40
#define ATECC_LOCK_NOCRC	0x80

/* Info modes */
#define ATECC_INFO_REVISION	0x00
#define ATECC_INFO_KEYVALID	0x01
#define ATECC_INFO_STATE	0x02
#define ATECC_INFO_LATCH	0x04	/* 608: param2 bit 1 set, bit 0 value */
#define ATECC_INFO_LATCH_SET	0x0002
#define ATECC_INFO_SIZE		4	/* data bytes of every Info answer */

/* Info State word, little-endian (data bytes 0 and 1) */
#define ATECC_STATE_TK_VALID	0x0080
#define ATECC_STATE_TK_SOURCE	0x1000	/* 1 = input (pass-through) */
#define ATECC_STATE_TK_GENKEY	0x4000

/* Nonce modes */
#define ATECC_NONCE_RANDOM	0x00
#define ATECC_NONCE_RANDOM_NOSEED 0x01
#define ATECC_NONCE_PASSTHROUGH	0x03
#define ATECC_NONCE_CALC_MASK	0x03	/* bits 1:0: random or pass-through */
#define ATECC_NONCE_64		0x20	/* 608: 64-byte pass-through */
#define ATECC_NONCE_TARGET_MASK	0xC0	/* bits 7:6, 608: where it goes */
#define ATECC_NONCE_TARGET_MSGDIG 0x40	/* message digest buffer */
#define ATECC_NONCE_TARGET_ALTKEY 0x80	/* alternate key buffer */
#define ATECC_NONCE_MSGDIG	(ATECC_NONCE_PASSTHROUGH | \
				 ATECC_NONCE_TARGET_MSGDIG)	/* 0x43 */
#define ATECC_NONCE_NUMIN	20
#define ATECC_NONCE_USE_TEMPKEY	0x8000	/* param2, 608: TempKey for RandOut */
#define ATECC_NONCE_MSG_SIZE	55	/* hashed: RandOut, NumIn, op, mode, 0 */

/* GenKey modes and the TempKey key id (608) */
#define ATECC_GENKEY_PUBLIC	0x00
#define ATECC_GENKEY_PRIVATE	0x04
#define ATECC_KEYID_TEMPKEY	0xFFFF
#define ATECC_GENKEY_OTHER_DATA	3	/* optional data bytes */

/* Sign modes */
#define ATECC_SIGN_EXTERNAL	0x80
#define ATECC_SIGN_SRC_MSGDIG	0x20	/* 608: message digest buffer */
#define ATECC_SIGN_INCLUDE_SN	0x40

/* Verify modes; external key id is the curve */
#define ATECC_VERIFY_STORED	0x00
#define ATECC_VERIFY_EXTERNAL	0x02
#define ATECC_VERIFY_SRC_MSGDIG	0x20	/* 608: message digest buffer */
#define ATECC_VERIFY_CURVE_P256	0x0004

/* ECDH modes: bit0 source TempKey, bit1 encrypt, bits 3:2 destination */
#define ATECC_ECDH_COMPAT	0x00	/* slot key, clear output (or slot|1) */
#define ATECC_ECDH_SRC_TEMPKEY	0x01
#define ATECC_ECDH_ENCRYPT	0x02
#define ATECC_ECDH_DST_MASK	0x0C
#define ATECC_ECDH_DST_TEMPKEY	0x08
#define ATECC_ECDH_DST_OUTPUT	0x0C

/* SHA modes */
#define ATECC_SHA_START		0x00
#define ATECC_SHA_UPDATE	0x01
#define ATECC_SHA_END		0x02
#define ATECC_SHA_MODE_MASK	0x07
#define ATECC_SHA_TARGET_MASK	0xC0	/* 608, End: where the digest goes */
#define ATECC_SHA_TARGET_OUTPUT	0xC0
#define ATECC_SHA_BLOCK		64

/* Counter modes; the largest value a counter reaches */
#define ATECC_COUNTER_READ	0x00
#define ATECC_COUNTER_INCREMENT	0x01
#define ATECC_COUNTER_MAX	2097151

/* Sizes */
#define ATECC_SN_SIZE		9
#define ATECC_CONFIG_SIZE	128
#define ATECC_OTP_SIZE		64
#define ATECC_DATA_SIZE		1208	/* 8 x 36 + 416 + 7 x 72 */
#define ATECC_NUM_SLOTS		16
#define ATECC_BLOCK		32
#define ATECC_WORD		4
#define ATECC_KEY_SIZE		32
#define ATECC_PUBKEY_SIZE	64
#define ATECC_SIG_SIZE		64
#define ATECC_RANDOM_SIZE	32

/* Data zone slots: 0-7 small, 8 big, 9-15 public-key sized */
#define ATECC_SLOT_SMALL	36
#define ATECC_SLOT_BIG		416
#define ATECC_SLOT_PUB		72
#define ATECC_PRIVKEY_PAD	4	/* a private key follows 4 pad bytes */
#define ATECC_PUB_PAD		4	/* stored public key: pad X pad Y */
#define ATECC_PUB_STORED_SIZE	72

/* Config zone byte offsets */
#define ATECC_CFG_SN03		0
#define ATECC_CFG_REVNUM	4
#define ATECC_CFG_SN48		8
#define ATECC_CFG_AES_ENABLE	13
#define ATECC_CFG_I2C_ENABLE	14
#define ATECC_CFG_I2C_ADDRESS	16
#define ATECC_CFG_CHIPMODE	19
#define ATECC_CFG_SLOTCONFIG	20
#define ATECC_CFG_COUNTERS	52
#define ATECC_CFG_LAST_KEY_USE	68	/* 508A */
#define ATECC_CFG_USER_EXTRA	84
#define ATECC_CFG_USER_EXTRA_ADD 85
#define ATECC_CFG_LOCK_VALUE	86
#define ATECC_CFG_LOCK_CONFIG	87
#define ATECC_CFG_SLOT_LOCKED	88
#define ATECC_CFG_CHIPOPTIONS	90
#define ATECC_CFG_KEYCONFIG	96
#define ATECC_LOCKED		0x00
#define ATECC_UNLOCKED		0x55

/* ChipMode (608; the 508A's watchdog bit assumed the same) */
#define ATECC_CHIPMODE_WDT_LONG	0x04
#define ATECC_CHIPMODE_CLKDIV(m) (((m) >> 3) & 0x1f)	/* bits 7:3 */
#define ATECC_CLKDIV_M0		0x00
#define ATECC_CLKDIV_M1		0x05
#define ATECC_CLKDIV_M2		0x0D

/* ChipOptions (608, little-endian 16-bit value) */
#define ATECC_CHIPOPT_ECDH_PROT	0x0300	/* bits 9:8: ECDH output protection */

/* SlotConfig bits (little-endian 16-bit value) */
#define ATECC_SC_EXT_SIGN	0x0001
#define ATECC_SC_INT_SIGN	0x0002
#define ATECC_SC_ECDH		0x0004
#define ATECC_SC_WRITE_ECDH	0x0008
#define ATECC_SC_IS_SECRET	0x0080
#define ATECC_SC_WRITE_KEY_SHIFT 8
#define ATECC_SC_WC_SHIFT	12
#define ATECC_SC_WC_MASK	0xf000	/* WriteConfig */
#define ATECC_SC_WC_ALWAYS	0x0000
#define ATECC_SC_WC_PUB_INVALID	0x1000
#define ATECC_SC_WC_GENKEY	0x2000
#define ATECC_SC_WC_PRIVWRITE	0x4000

/* KeyConfig bits */
#define ATECC_KC_PRIVATE	0x0001
#define ATECC_KC_PUBINFO	0x0002
#define ATECC_KC_KEYTYPE(kc)	(((kc) >> 2) & 7)
#define ATECC_KEYTYPE_P256	4
#define ATECC_KEYTYPE_AES	6
#define ATECC_KC_LOCKABLE	0x0020
#define ATECC_KC_REQ_RANDOM	0x0040
#define ATECC_KC_REQ_AUTH	0x0080

/* Revision bytes (Info mode 0, byte 2 and 3) */
#define ATECC_REV_508A		0x5000
#define ATECC_REV_608A		0x6002
#define ATECC_REV_608B		0x6003
#define ATECC_REV_FAMILY_508	0x50	/* byte 2 */
#define ATECC_REV_FAMILY_608	0x60
#define ATECC_REV_STEP_608A	0x02	/* byte 3: 608A up to this, then 608B */

/* Bus, wake timing (microseconds) and watchdog (milliseconds) */
#define ATECC_BUS_HZ_MAX	1000000
#define ATECC_TWLO_US		60
#define ATECC_TWHI_US		1500
#define ATECC_WATCHDOG_MS	1300	/* typical */
#define ATECC_WATCHDOG_MIN_MS	700
#define ATECC_WATCHDOG_MAX_MS	1700
#define ATECC_WATCHDOG_LONG_MS	13000	/* ChipMode long watchdog, 608 */

#endif /* IOTSEC_WIRE_H */
