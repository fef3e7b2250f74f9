// SPDX-License-Identifier: GPL-2.0
/*
 * Command execution times.
 *
 * The maxima are the datasheet execution-time tables (508A; 608 at clock
 * divider M0/M1/M2, the latter chosen by ChipMode bits 7:3), shared with
 * the simulator in atecc/exec_times.h.  No typical
 * times are published, so the first completion poll of a command starts at
 * TYPICAL_PCT of its maximum and then follows what the chip did: a first
 * poll that already finds the answer moves the next one earlier, a command
 * that needed more polls moves it towards the time actually observed.  Short
 * polls cover the rest, up to the maximum plus a margin (see i2c.c).
 */

#include <linux/kernel.h>
#include <linux/mutex.h>
#include <linux/string.h>

#include "chip.h"
#include "timing.h"
#include "atecc/exec_times.h"
#include "atecc/wire.h"

#define TYPICAL_PCT		45
#define POLL_PER_MAX		100	/* poll every 1 % of the maximum, */
#define POLL_MIN_US		200	/* but no more often than this */
#define POLL_MAX_US		1000	/* and no less often than this */
struct op_time {
	u8 opcode;
	bool keeps_state;	/* leaves TempKey and the other buffers alone */
	const char *name;
};

/* Last row: any opcode not listed (SelfTest-sized, to be safe). */
static const struct op_time op_times[ATECC_TIMED_OPS] = {
	{ ATECC_OP_INFO,	 true,	"Info" },
	{ ATECC_OP_READ,	 true,	"Read" },
	{ ATECC_OP_WRITE,	 false,	"Write" },
	{ ATECC_OP_LOCK,	 false,	"Lock" },
	{ ATECC_OP_RANDOM,	 false,	"Random" },
	{ ATECC_OP_NONCE,	 false,	"Nonce" },
	{ ATECC_OP_GENKEY,	 false,	"GenKey" },
	{ ATECC_OP_SIGN,	 false,	"Sign" },
	{ ATECC_OP_VERIFY,	 false,	"Verify" },
	{ ATECC_OP_ECDH,	 false,	"ECDH" },
	{ ATECC_OP_SHA,		 false,	"SHA" },
	{ ATECC_OP_COUNTER,	 false,	"Counter" },
	{ ATECC_OP_UPDATE_EXTRA, false,	"UpdateExtra" },
	{ 0,			 false,	"command" },
};

static unsigned int row(u8 opcode)
{
	unsigned int i;

	for (i = 0; i < ATECC_TIMED_OPS - 1; i++)
		if (op_times[i].opcode == opcode)
			break;
	return i;
}

/* A divider between the documented ones counts as the slower one. */
static enum atecc_exec_col clock_col(const struct atecc_chip *chip)
{
	u8 div = ATECC_CHIPMODE_CLKDIV(chip->config[ATECC_CFG_CHIPMODE]);

	if (chip->model == ATECC508A)
		return ATECC_EXEC_508A;
	if (div == ATECC_CLKDIV_M0)
		return ATECC_EXEC_608_M0;
	return div <= ATECC_CLKDIV_M1 ? ATECC_EXEC_608_M1 : ATECC_EXEC_608_M2;
}

/*
 * The maximum of a row at the chip's column.  The last row, any opcode
 * not listed, gets the longest command's, SelfTest's (the 508A, which has
 * no SelfTest, its M0 time).
 */
static unsigned int row_max_ms(const struct atecc_chip *chip, unsigned int i)
{
	enum atecc_exec_col col = chip->timing.clock_col;

	if (i < ATECC_TIMED_OPS - 1)
		return atecc_exec_max_ms(op_times[i].opcode, col);
	if (col == ATECC_EXEC_508A)
		col = ATECC_EXEC_608_M0;
	return atecc_exec_max_ms(ATECC_OP_SELFTEST, col);
}

/**
 * atecc_timing_init() - start the estimates from the datasheet
 * @chip: the chip; its model and, once read, its config zone set the column
 *
 * Called again after the model or the config zone is known; estimates
 * already learned are kept unless the column changed.
 */
void atecc_timing_init(struct atecc_chip *chip)
{
	struct atecc_timing *t = &chip->timing;
	unsigned int i, col = clock_col(chip);

	if (t->ready && t->clock_col == col)
		return;
	t->clock_col = col;
	t->ready = true;
	for (i = 0; i < ATECC_TIMED_OPS; i++)
		t->est_us[i] = row_max_ms(chip, i) * 10 * TYPICAL_PCT;
}

/**
 * atecc_op_name() - the datasheet name of an opcode, for messages
 * @opcode: ATECC_OP_*
 *
 * Return: a static string ("command" for unknown opcodes).
 */
const char *atecc_op_name(u8 opcode)
{
	return op_times[row(opcode)].name;
}

/**
 * atecc_op_keeps_state() - whether a command leaves the volatile state alone
 * @opcode: ATECC_OP_*
 *
 * Only Info and Read are known to; every other command is assumed to change
 * TempKey or the digest buffers.
 *
 * Return: true for Info and Read.
 */
bool atecc_op_keeps_state(u8 opcode)
{
	return op_times[row(opcode)].keeps_state;
}

/**
 * atecc_op_keeps_tempkey() - whether a command leaves TempKey alone
 * @opcode: ATECC_OP_*
 * @mode: its param1
 *
 * Info and Read; and the 608 commands that name another buffer in their
 * mode: a Nonce pass-through whose target (bits 7:6) is the message digest
 * or alternate key buffer (0x43, 0x63, 0x83), and an external Sign whose
 * message is the message digest buffer (bit 5: 0xA0, 0xE0).  Every other
 * command is assumed to change TempKey, Random included: what Random does
 * to TempKey is not documented.  A 508A refuses those 608 modes (parse
 * error), and a failed command counts as a change whatever it was.
 *
 * Return: true when TempKey is known to survive the command.
 */
bool atecc_op_keeps_tempkey(u8 opcode, u8 mode)
{
	u8 target = mode & ATECC_NONCE_TARGET_MASK;

	switch (opcode) {
	case ATECC_OP_NONCE:
		return (mode & ATECC_NONCE_CALC_MASK) ==
		       ATECC_NONCE_PASSTHROUGH &&
		       (target == ATECC_NONCE_TARGET_MSGDIG ||
			target == ATECC_NONCE_TARGET_ALTKEY);
	case ATECC_OP_SIGN:
		return (mode & ATECC_SIGN_EXTERNAL) &&
		       (mode & ATECC_SIGN_SRC_MSGDIG);
	default:
		return atecc_op_keeps_state(opcode);
	}
}

/**
 * atecc_timing_max_ms() - datasheet maximum execution time of a command
 * @chip: the chip (its model and clock divider choose the column)
 * @opcode: ATECC_OP_*
 *
 * Return: milliseconds.
 */
unsigned int atecc_timing_max_ms(const struct atecc_chip *chip, u8 opcode)
{
	return row_max_ms(chip, row(opcode));
}

/**
 * atecc_timing_first_poll_us() - how long to wait before the first poll
 * @chip: the chip
 * @opcode: ATECC_OP_*
 *
 * Return: microseconds.
 */
unsigned int atecc_timing_first_poll_us(const struct atecc_chip *chip,
					u8 opcode)
{
	return chip->timing.est_us[row(opcode)];
}

/**
 * atecc_timing_poll_us() - how long to wait between completion polls
 * @chip: the chip
 * @opcode: ATECC_OP_*
 *
 * 1 % of the datasheet maximum, 0.2-1 ms: the answer is found at most that
 * late.  A poll the chip NACKs costs about 0.1 ms of a 100 kHz bus.
 *
 * Return: microseconds.
 */
unsigned int atecc_timing_poll_us(const struct atecc_chip *chip, u8 opcode)
{
	unsigned int us = atecc_timing_max_ms(chip, opcode) * USEC_PER_MSEC /
			  POLL_PER_MAX;

	return clamp_t(unsigned int, us, POLL_MIN_US, POLL_MAX_US);
}

/**
 * atecc_timing_learn() - move the first-poll estimate after a command
 * @chip: the chip
 * @opcode: ATECC_OP_*
 * @busy_us: time from the end of the command write to the answer
 * @polls: polls that found the chip still busy
 *
 * With no busy poll the answer may have been ready well before, so the
 * estimate shrinks by a quarter; otherwise it moves halfway towards just
 * under the observed time.  It never exceeds the datasheet maximum.
 */
void atecc_timing_learn(struct atecc_chip *chip, u8 opcode, u32 busy_us,
			unsigned int polls)
{
	u32 *est = &chip->timing.est_us[row(opcode)];
	u32 max_us = atecc_timing_max_ms(chip, opcode) * 1000;

	if (!polls)
		*est -= *est / 4;
	else
		*est = (*est + busy_us - busy_us / 16) / 2;
	*est = min(*est, max_us);
}

/**
 * atecc_timing_stats() - the statistics row of an opcode
 * @chip: the chip; caller holds its lock
 * @opcode: ATECC_OP_*
 *
 * Return: the row (shared by all opcodes without one of their own).
 */
struct atecc_op_stats *atecc_timing_stats(struct atecc_chip *chip, u8 opcode)
{
	return &chip->timing.stats[row(opcode)];
}

/**
 * atecc_stats_get() - copy what one opcode has cost so far
 * @chip: the chip
 * @opcode: ATECC_OP_*; opcodes without a row of their own share one
 * @out: filled in
 *
 * For benchmarks: compare @out->total_ns / @out->count with the execution
 * time the chip (or the simulator's timing model) needs.
 *
 * Return: 0, or -EINTR if interrupted while waiting for the chip's lock.
 */
int atecc_stats_get(struct atecc_chip *chip, u8 opcode,
		    struct atecc_op_stats *out)
{
	if (mutex_lock_interruptible(&chip->lock))
		return -EINTR;
	*out = *atecc_timing_stats(chip, opcode);
	mutex_unlock(&chip->lock);
	return 0;
}

/**
 * atecc_stats_reset() - zero the statistics of every opcode
 * @chip: the chip
 */
void atecc_stats_reset(struct atecc_chip *chip)
{
	mutex_lock(&chip->lock);
	memset(chip->timing.stats, 0, sizeof(chip->timing.stats));
	mutex_unlock(&chip->lock);
}
