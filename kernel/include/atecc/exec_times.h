/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The datasheet maximum execution time of each command, per part and, on
 * the 608, per clock divider (ChipMode bits 7:3, ATECC_CLKDIV_M0/M1/M2).
 *
 * One table for both sides: the driver polls for completion against it
 * and the simulator stays busy for (a percentage of) it.  Which column a
 * config zone selects, and what an opcode without a row gets, is each
 * side's own policy.  Facts and sources: Documentation/atecc608.rst.
 *
 * Free of kernel-only headers (like wire.h).  Include it only where the
 * table is used (the driver's timing.c, the simulator's sim_exec.c).
 */
#ifndef IOTSEC_EXEC_TIMES_H
#define IOTSEC_EXEC_TIMES_H

#include "wire.h"

enum atecc_exec_col {
	ATECC_EXEC_508A,
	ATECC_EXEC_608_M0,
	ATECC_EXEC_608_M1,
	ATECC_EXEC_608_M2,
	ATECC_EXEC_COLS
};

/* Milliseconds, one column per enum atecc_exec_col; 0: no such command */
static const struct atecc_exec_time {
	u8 opcode;
	unsigned short max_ms[ATECC_EXEC_COLS];
} atecc_exec_times[] = {
	{ ATECC_OP_INFO,	 {   2,   5,   5,    5 } },
	{ ATECC_OP_READ,	 {   5,   5,   5,    5 } },
	{ ATECC_OP_WRITE,	 {  26,  45,  45,   45 } },
	{ ATECC_OP_LOCK,	 {  32,  35,  35,   35 } },
	{ ATECC_OP_RANDOM,	 {  23,  23,  23,   23 } },
	{ ATECC_OP_NONCE,	 {  29,  20,  20,   20 } },
	{ ATECC_OP_GENKEY,	 { 115, 115, 215,  653 } },
	{ ATECC_OP_SIGN,	 {  60, 115, 220,  665 } },
	{ ATECC_OP_VERIFY,	 {  72, 105, 295, 1085 } },
	{ ATECC_OP_ECDH,	 {  58,  75, 172,  531 } },
	{ ATECC_OP_SHA,		 {   9,  36,  42,   75 } },
	{ ATECC_OP_COUNTER,	 {  20,  25,  25,   25 } },
	{ ATECC_OP_UPDATE_EXTRA, {  10,  10,  10,   10 } },
	{ ATECC_OP_SELFTEST,	 {   0, 250, 625, 2324 } },
	{ 0 }	/* end; no command has opcode 0 */
};

/**
 * atecc_exec_max_ms() - datasheet maximum execution time of a command
 * @opcode: ATECC_OP_*
 * @col: the part and clock divider
 *
 * Return: milliseconds; 0 for an opcode without a row, or one the part
 * does not have (SelfTest on the 508A).
 */
static inline unsigned int atecc_exec_max_ms(u8 opcode,
					     enum atecc_exec_col col)
{
	const struct atecc_exec_time *t;

	if (col >= ATECC_EXEC_COLS)
		return 0;
	for (t = atecc_exec_times; t->opcode; t++)
		if (t->opcode == opcode)
			return t->max_ms[col];
	return 0;
}

#endif /* IOTSEC_EXEC_TIMES_H */
