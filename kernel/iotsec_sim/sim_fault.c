// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: fault injection.  One fault is pending per chip at a time,
 * written as "<kind> [count=K] [op=0xNN|wake]" (see Documentation/sim.rst).
 * It applies to the next K commands, to the next K commands with that
 * opcode, or with op=wake to the next K wakes (a write reaching the chip
 * while it is asleep or idle); each use counts in faults_injected.  The
 * bus kinds fail a whole transfer at the adapter instead, before the chip
 * sees it.
 */

#include <linux/errno.h>
#include <linux/i2c.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "sim.h"

static const char * const sim_fault_names[] = {
	[SIM_FAULT_NONE] = "none",
	[SIM_FAULT_NACK] = "nack",
	[SIM_FAULT_CRC] = "crc",
	[SIM_FAULT_COUNT] = "count",
	[SIM_FAULT_EXEC] = "exec_error",
	[SIM_FAULT_STALL] = "stall",
	[SIM_FAULT_WATCHDOG] = "watchdog",
	[SIM_FAULT_BUS_EBUSY] = "bus_ebusy",
	[SIM_FAULT_BUS_ETIMEDOUT] = "bus_etimedout",
	[SIM_FAULT_BUS_STRETCH] = "bus_stretch",
};

static bool sim_fault_is_bus(enum sim_fault_kind kind)
{
	return kind == SIM_FAULT_BUS_EBUSY || kind == SIM_FAULT_BUS_ETIMEDOUT ||
	       kind == SIM_FAULT_BUS_STRETCH;
}

static char *sim_next_token(char **s)
{
	char *tok;

	do {
		tok = strsep(s, " \t\n");
	} while (tok && !*tok);
	return tok;
}

static int sim_fault_option(struct sim_fault *f, const char *tok)
{
	u8 op;

	if (str_has_prefix(tok, "count=")) {
		if (kstrtouint(tok + strlen("count="), 0, &f->count) ||
		    !f->count)
			return -EINVAL;
		return 0;
	}
	if (!strcmp(tok, "op=wake")) {
		f->op = SIM_FAULT_WAKE_OP;
		return 0;
	}
	if (str_has_prefix(tok, "op=")) {
		if (kstrtou8(tok + strlen("op="), 0, &op))
			return -EINVAL;
		f->op = op;
		return 0;
	}
	return -EINVAL;
}

/*
 * A wake has no execution and no watchdog of its own to fire: exec_error
 * and watchdog mean nothing there.
 */
static bool sim_fault_wake_ok(enum sim_fault_kind kind)
{
	return kind != SIM_FAULT_EXEC && kind != SIM_FAULT_WATCHDOG;
}

/* Parses "<kind> [count=K] [op=0xNN|wake]" or "none"; buf is modified. */
int sim_fault_parse(struct sim_fault *fault, char *buf)
{
	struct sim_fault f = { .count = 1, .op = SIM_FAULT_ANY_OP };
	char *tok = sim_next_token(&buf);
	int kind, ret;

	if (!tok)
		return -EINVAL;
	kind = match_string(sim_fault_names, ARRAY_SIZE(sim_fault_names), tok);
	if (kind < 0)
		return -EINVAL;
	f.kind = kind;
	while ((tok = sim_next_token(&buf))) {
		if (f.kind == SIM_FAULT_NONE)
			return -EINVAL;
		ret = sim_fault_option(&f, tok);
		if (ret)
			return ret;
	}
	if (f.op == SIM_FAULT_WAKE_OP && !sim_fault_wake_ok(f.kind))
		return -EINVAL;
	if (f.kind == SIM_FAULT_NONE)
		f.count = 0;
	*fault = f;
	return 0;
}

int sim_fault_format(const struct sim_fault *f, char *buf, size_t len)
{
	if (f->kind == SIM_FAULT_NONE || !f->count)
		return scnprintf(buf, len, "none\n");
	if (f->op == SIM_FAULT_ANY_OP)
		return scnprintf(buf, len, "%s count=%u\n",
				 sim_fault_names[f->kind], f->count);
	if (f->op == SIM_FAULT_WAKE_OP)
		return scnprintf(buf, len, "%s count=%u op=wake\n",
				 sim_fault_names[f->kind], f->count);
	return scnprintf(buf, len, "%s count=%u op=0x%02x\n",
			 sim_fault_names[f->kind], f->count, f->op);
}

static void sim_fault_use(struct sim_chip *chip)
{
	struct sim_fault *f = &chip->fault;

	if (!--f->count)
		f->kind = SIM_FAULT_NONE;
	chip->cnt.faults_injected++;
}

/* Uses up one count of a pending command fault of this kind matching op. */
bool sim_fault_take(struct sim_chip *chip, enum sim_fault_kind kind, u8 op)
{
	struct sim_fault *f = &chip->fault;

	if (f->kind != kind || !f->count || f->op == SIM_FAULT_WAKE_OP)
		return false;
	if (f->op != SIM_FAULT_ANY_OP && f->op != op)
		return false;
	sim_fault_use(chip);
	return true;
}

/*
 * The pending op=wake fault that applies when a write reaches the chip
 * while it is asleep or idle, i.e. wakes it: nack, crc, count or stall
 * (sim_bus.c applies it); the bus kinds are taken before, at the adapter.
 */
enum sim_fault_kind sim_fault_take_wake(struct sim_chip *chip)
{
	enum sim_fault_kind kind = chip->fault.kind;

	if (chip->fault.op != SIM_FAULT_WAKE_OP || !chip->fault.count ||
	    kind == SIM_FAULT_NONE || sim_fault_is_bus(kind))
		return SIM_FAULT_NONE;
	sim_fault_use(chip);
	return kind;
}

/* The pending fault that applies when a command with this opcode runs */
enum sim_fault_kind sim_fault_take_exec(struct sim_chip *chip, u8 op)
{
	enum sim_fault_kind kind = chip->fault.kind;

	if (kind == SIM_FAULT_NONE || kind == SIM_FAULT_NACK ||
	    sim_fault_is_bus(kind))
		return SIM_FAULT_NONE;
	return sim_fault_take(chip, kind, op) ? kind : SIM_FAULT_NONE;
}

/*
 * A bus fault, seen by the adapter before the chip sees anything: the
 * transfer whose first message is @msg fails as a bus driver's would
 * (stm32f7 returns -EBUSY on a busy bus, most drivers -ETIMEDOUT when a
 * transfer does not finish), or is stretched: it takes SIM_STRETCH_MS
 * before the chip sees it, then goes through (a slave holding SCL low, a
 * slow multi-master bus), and the caller holds the chip that long.  With
 * op=0xNN, only a command write carrying that opcode counts; with op=wake,
 * only a transfer that starts with a write while the chip is asleep or
 * idle (its wake token; the chip then stays as it was); without, every
 * transfer to the chip counts.
 *
 * Return: the errno to return from master_xfer, SIM_BUS_STRETCH, or 0.
 */
int sim_fault_take_bus(struct sim_chip *chip, const struct i2c_msg *msg)
{
	enum sim_fault_kind kind = chip->fault.kind;
	bool cmd = !(msg->flags & I2C_M_RD) && msg->len >= 3 &&
		   msg->buf[0] == ATECC_WA_COMMAND;

	if (!sim_fault_is_bus(kind) || !chip->fault.count)
		return 0;
	if (chip->fault.op == SIM_FAULT_WAKE_OP) {
		if (msg->flags & I2C_M_RD)
			return 0;
		sim_tick(chip, ktime_get());
		if (chip->power == SIM_AWAKE)
			return 0;
		sim_fault_use(chip);
	} else {
		if (chip->fault.op != SIM_FAULT_ANY_OP &&
		    (!cmd || msg->buf[2] != chip->fault.op))
			return 0;
		if (!sim_fault_take(chip, kind, cmd ? msg->buf[2] : 0))
			return 0;
	}
	if (kind == SIM_FAULT_BUS_STRETCH)
		return SIM_BUS_STRETCH;
	return kind == SIM_FAULT_BUS_EBUSY ? -EBUSY : -ETIMEDOUT;
}
