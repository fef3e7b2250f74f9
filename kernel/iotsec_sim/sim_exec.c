// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: running a received command.  Checks the group (count, CRC),
 * applies a pending fault, refuses what cannot finish before the watchdog,
 * dispatches by opcode, and leaves the response in the output buffer with
 * the chip busy until the modelled execution time has passed.
 */

#include <asm/unaligned.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "atecc/crc.h"
#include "atecc/exec_times.h"
#include "sim.h"

struct sim_op {
	u8 op;
	const char *name;
	sim_handler_t run;
};

/* The commands modelled; their times are the datasheet maxima */
static const struct sim_op sim_ops[SIM_NUM_OPS] = {
	{ ATECC_OP_INFO, "info", sim_cmd_info },
	{ ATECC_OP_RANDOM, "random", sim_cmd_random },
	{ ATECC_OP_NONCE, "nonce", sim_cmd_nonce },
	{ ATECC_OP_GENKEY, "genkey", sim_cmd_genkey },
	{ ATECC_OP_SIGN, "sign", sim_cmd_sign },
	{ ATECC_OP_VERIFY, "verify", sim_cmd_verify },
	{ ATECC_OP_ECDH, "ecdh", sim_cmd_ecdh },
	{ ATECC_OP_READ, "read", sim_cmd_read },
	{ ATECC_OP_WRITE, "write", sim_cmd_write },
	{ ATECC_OP_LOCK, "lock", sim_cmd_lock },
	{ ATECC_OP_SHA, "sha", sim_cmd_sha },
	{ ATECC_OP_COUNTER, "counter", sim_cmd_counter },
};

const char *sim_op_name(unsigned int idx)
{
	return sim_ops[idx].name;
}

static int sim_op_find(u8 op)
{
	int i;

	for (i = 0; i < SIM_NUM_OPS; i++)
		if (sim_ops[i].op == op)
			return i;
	return -1;
}

/* Column of the time table: 508A, or the 608's ChipMode clock divider */
static enum atecc_exec_col sim_time_col(const struct sim_chip *chip)
{
	if (!sim_is_608(chip))
		return ATECC_EXEC_508A;
	switch (ATECC_CHIPMODE_CLKDIV(chip->config[ATECC_CFG_CHIPMODE])) {
	case ATECC_CLKDIV_M1:
		return ATECC_EXEC_608_M1;
	case ATECC_CLKDIV_M2:
		return ATECC_EXEC_608_M2;
	default:
		return ATECC_EXEC_608_M0;
	}
}

/* Modelled execution time in microseconds, timing_pct applied */
static u64 sim_op_us(const struct sim_chip *chip, int idx)
{
	return (u64)atecc_exec_max_ms(sim_ops[idx].op, sim_time_col(chip)) * 10 *
	       chip->timing_pct;
}

static void sim_set_out(struct sim_chip *chip, unsigned int len)
{
	chip->out[0] = len;
	atecc_crc16_put(chip->out, len - ATECC_CRC_SIZE);
	chip->out_len = len;
	chip->out_pos = 0;
	chip->out_valid = true;
}

void sim_set_status(struct sim_chip *chip, u8 status)
{
	chip->out[1] = status;
	sim_set_out(chip, ATECC_RSP_STATUS);
}

static void sim_set_data(struct sim_chip *chip, const u8 *data,
			 unsigned int n)
{
	memcpy(&chip->out[1], data, n);
	sim_set_out(chip, n + 1 + ATECC_CRC_SIZE);
}

/* The crc and count faults, on the reply in the output buffer */
void sim_corrupt(struct sim_chip *chip, enum sim_fault_kind kind)
{
	if (!chip->out_valid)
		return;
	if (kind == SIM_FAULT_CRC) {
		chip->out[chip->out_len - 2] ^= 0xff;
		chip->out[chip->out_len - 1] ^= 0xff;
	} else if (kind == SIM_FAULT_COUNT) {
		chip->out[0]++;
	}
}

/* A bad count or CRC is answered with 0xFF before anything else. */
static bool sim_group_ok(struct sim_chip *chip, u8 *status)
{
	u8 count = chip->in[0];

	if (count < ATECC_GROUP_MIN || count > ATECC_CMD_MAX) {
		*status = ATECC_ST_COMM;
		return false;
	}
	if (!atecc_crc16_ok(chip->in, count - ATECC_CRC_SIZE)) {
		chip->cnt.crc_errors++;
		*status = ATECC_ST_COMM;
		return false;
	}
	*status = ATECC_ST_PARSE;
	return count >= ATECC_CMD_MIN;
}

/* Faults that replace the command; true when the command must not run */
static bool sim_fault_preempts(struct sim_chip *chip, enum sim_fault_kind kind)
{
	switch (kind) {
	case SIM_FAULT_EXEC:
		sim_set_status(chip, ATECC_ST_EXEC);
		return true;
	case SIM_FAULT_STALL:
		chip->out_valid = false;
		chip->busy_until = chip->wdt_at;
		return true;
	case SIM_FAULT_WATCHDOG:
		sim_power_down(chip);
		chip->cnt.watchdogs++;
		return true;
	default:
		return false;
	}
}

static void sim_run(struct sim_chip *chip, int idx)
{
	struct sim_job *job = sim_kzalloc(sizeof(*job));
	u8 status;

	if (!job) {
		sim_set_status(chip, ATECC_ST_EXEC);
		return;
	}
	job->op = chip->in[1];
	job->p1 = chip->in[2];
	job->p2 = get_unaligned_le16(&chip->in[3]);
	job->data = &chip->in[ATECC_CMD_HDR];
	job->len = chip->in[0] - ATECC_CMD_MIN;
	status = sim_ops[idx].run(chip, job);
	if (status == ATECC_ST_SUCCESS && job->rsp_len)
		sim_set_data(chip, job->rsp, job->rsp_len);
	else
		sim_set_status(chip, status);
	sim_kfree(job);
}

/*
 * The host's time to compute a command is not the chip's: a chip is done
 * within its modelled time.  What the computation took beyond that (a
 * slow or loaded host, TCG: seconds for P-256 on an emulated arm64) moves
 * the watchdog on by as much, so that a driver does not see a chip that
 * ran out of its own watchdog because the host was slow.
 */
static void sim_discount_host(struct sim_chip *chip)
{
	ktime_t now = ktime_get();

	if (ktime_after(now, chip->busy_until))
		chip->wdt_at = ktime_add(chip->wdt_at,
					 ktime_sub(now, chip->busy_until));
}

/* Executes the command in chip->in; called at the STOP that ends it. */
void sim_exec(struct sim_chip *chip, ktime_t start)
{
	enum sim_fault_kind fault;
	u64 us, busy_us;
	u8 status;
	int idx;

	chip->in_len = 0;
	chip->in_done = false;
	if (!sim_group_ok(chip, &status)) {
		sim_set_status(chip, status);
		return;
	}
	fault = sim_fault_take_exec(chip, chip->in[1]);
	if (sim_fault_preempts(chip, fault))
		return;
	idx = sim_op_find(chip->in[1]);
	if (idx < 0) {
		sim_set_status(chip, ATECC_ST_PARSE);
		sim_corrupt(chip, fault);
		return;
	}
	us = sim_op_us(chip, idx);
	busy_us = chip->timing ? us : 0;
	if (ktime_after(ktime_add_us(start, busy_us), chip->wdt_at)) {
		sim_set_status(chip, ATECC_ST_WATCHDOG);
	} else {
		sim_run(chip, idx);
		chip->cnt.ops[idx]++;
		chip->cnt.op_us[idx] += us;
		chip->busy_until = ktime_add_us(start, busy_us);
		sim_discount_host(chip);
	}
	sim_corrupt(chip, fault);
}
