/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Command execution times: the datasheet maxima per part and clock divider,
 * the driver's running estimate of when a command is done (where the first
 * completion poll goes), and per-command statistics for benchmarks.
 */
#ifndef IOTSEC_TIMING_H
#define IOTSEC_TIMING_H

#include <linux/types.h>

struct atecc_chip;

/* One row per opcode the driver knows, plus one for all others. */
#define ATECC_TIMED_OPS		14

/**
 * struct atecc_op_stats - what one opcode cost through the driver
 * @count: commands that completed successfully
 * @failures: commands that ended in an error (after any retries)
 * @retries: resends and re-reads, whatever their outcome
 * @polls: completion polls the chip answered with a NACK (still busy)
 * @busy_ns: sum over successful commands of the time from the end of the
 *	command write to the first read the chip answered (its execution time
 *	as seen by the host, rounded up to the poll interval)
 * @total_ns: sum over successful commands of the whole transport call:
 *	wake if needed, write, waits, polls, read, checks, retries
 */
struct atecc_op_stats {
	u64 count;
	u64 failures;
	u64 retries;
	u64 polls;
	u64 busy_ns;
	u64 total_ns;
};

/**
 * struct atecc_timing - per-chip timing state
 * @est_us: when to poll first, per opcode row, in microseconds
 * @stats: per opcode row
 * @clock_col: 0 for the 508A, 1-3 for the 608 clock divider M0/M1/M2
 * @ready: @est_us holds estimates for @clock_col
 */
struct atecc_timing {
	u32 est_us[ATECC_TIMED_OPS];
	struct atecc_op_stats stats[ATECC_TIMED_OPS];
	u8 clock_col;
	bool ready;
};

void atecc_timing_init(struct atecc_chip *chip);
const char *atecc_op_name(u8 opcode);
bool atecc_op_keeps_state(u8 opcode);
bool atecc_op_keeps_tempkey(u8 opcode, u8 mode);
unsigned int atecc_timing_max_ms(const struct atecc_chip *chip, u8 opcode);
unsigned int atecc_timing_first_poll_us(const struct atecc_chip *chip,
					u8 opcode);
unsigned int atecc_timing_poll_us(const struct atecc_chip *chip, u8 opcode);
void atecc_timing_learn(struct atecc_chip *chip, u8 opcode, u32 busy_us,
			unsigned int polls);
struct atecc_op_stats *atecc_timing_stats(struct atecc_chip *chip,
					  u8 opcode);

int atecc_stats_get(struct atecc_chip *chip, u8 opcode,
		    struct atecc_op_stats *out);
void atecc_stats_reset(struct atecc_chip *chip);

#endif /* IOTSEC_TIMING_H */
