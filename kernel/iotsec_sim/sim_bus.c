// SPDX-License-Identifier: GPL-2.0
/*
 * iotsec_sim: the bus side of a chip.  master_xfer hands each message to
 * the chip at its address; the chip ACKs or NACKs it according to its
 * power state (asleep, idle, awake), the wake delay, the watchdog and the
 * command it is busy with.  Nothing runs on timers: every transfer first
 * asks "what state is the chip in now?" against ktime.
 *
 * A NACK of the address phase returns -ENXIO, a NACK of a data byte -EIO,
 * both unless the message carries I2C_M_IGNORE_NAK.  The STOP at the end
 * of the transfer (or an I2C_M_STOP message) starts a received command.
 * A pending bus fault (sim_fault.c) fails a transfer before any of this,
 * whatever I2C_M_IGNORE_NAK says: it is not a NACK.  Any write that
 * reaches a chip while it is asleep or idle is a wake (its address byte
 * holds SDA low long enough); an op=wake fault changes what that wake does.
 */

#include <linux/delay.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/string.h>

#include "sim.h"

#define SIM_NACK_ADDR	(-ENXIO)
#define SIM_NACK_DATA	(-EIO)

static const char * const sim_power_names[] = {
	[SIM_ASLEEP] = "asleep",
	[SIM_IDLE] = "idle",
	[SIM_AWAKE] = "awake",
};

const char *sim_power_name(enum sim_power power)
{
	return sim_power_names[power];
}

static unsigned int sim_watchdog_ms(const struct sim_chip *chip)
{
	if (chip->config[ATECC_CFG_CHIPMODE] & ATECC_CHIPMODE_WDT_LONG)
		return ATECC_WATCHDOG_LONG_MS;
	return ATECC_WATCHDOG_MS;
}

static void sim_io_reset(struct sim_chip *chip)
{
	chip->in_len = 0;
	chip->in_done = false;
	chip->exec_pending = false;
	chip->out_valid = false;
	chip->out_len = 0;
	chip->out_pos = 0;
}

/* Sleep, watchdog: all volatile state is lost. */
void sim_power_down(struct sim_chip *chip)
{
	chip->power = SIM_ASLEEP;
	sim_io_reset(chip);
	memzero_explicit(&chip->vol, sizeof(chip->vol));
}

/* Idle keeps TempKey, the message digest and alternate key buffers. */
static void sim_idle(struct sim_chip *chip)
{
	chip->power = SIM_IDLE;
	sim_io_reset(chip);
	chip->cnt.idles++;
}

/* Lazily applies the watchdog: called before every look at the chip. */
void sim_tick(struct sim_chip *chip, ktime_t now)
{
	if (chip->power != SIM_AWAKE || ktime_before(now, chip->wdt_at))
		return;
	sim_power_down(chip);
	chip->cnt.watchdogs++;
}

static void sim_wake(struct sim_chip *chip, ktime_t now)
{
	chip->power = SIM_AWAKE;
	chip->ready_at = ktime_add_us(now, ATECC_TWHI_US);
	chip->wdt_at = ktime_add_ms(now, sim_watchdog_ms(chip));
	chip->busy_until = chip->ready_at;
	sim_io_reset(chip);
	sim_set_status(chip, ATECC_ST_WAKE);
	chip->cnt.wakes++;
}

/*
 * A write reached the chip while it was asleep or idle.  The op=wake
 * faults: nack, the chip stays as it was (the pulse did not wake it);
 * crc and count, the wake reply is corrupted as a command reply would be;
 * stall, the chip wakes but answers nothing (NACKs every message) until
 * its watchdog puts it to sleep, 1.3 s later.
 */
static void sim_wake_pulse(struct sim_chip *chip, ktime_t now)
{
	enum sim_fault_kind fault = sim_fault_take_wake(chip);

	if (fault == SIM_FAULT_NACK)
		return;
	sim_wake(chip, now);
	if (fault == SIM_FAULT_STALL) {
		chip->out_valid = false;
		chip->busy_until = chip->wdt_at;
	} else {
		sim_corrupt(chip, fault);
	}
}

static int sim_read(struct sim_chip *chip, struct i2c_msg *msg)
{
	unsigned int n = 0;

	if (!chip->out_valid)
		return SIM_NACK_ADDR;
	if (chip->out_pos < chip->out_len) {
		n = min_t(unsigned int, msg->len, chip->out_len - chip->out_pos);
		memcpy(msg->buf, &chip->out[chip->out_pos], n);
		chip->out_pos += n;
	}
	/* Past the end of the group: unconfirmed, we send 0xFF */
	memset(msg->buf + n, 0xff, msg->len - n);
	return 0;
}

/* The nack fault hits the write that carries the command's opcode. */
static bool sim_nack_fault(struct sim_chip *chip, const u8 *buf,
			   unsigned int n)
{
	unsigned int at = chip->in_len;

	if (chip->in_done || at > 1 || at + n <= 1)
		return false;
	return sim_fault_take(chip, SIM_FAULT_NACK, buf[1 - at]);
}

static void sim_fifo_byte(struct sim_chip *chip, u8 b)
{
	chip->in[chip->in_len++] = b;
	if (chip->in_len == 1 && (b < ATECC_GROUP_MIN || b > ATECC_CMD_MAX))
		chip->in_done = true;	/* answered with a comm error */
	else if (chip->in_len == chip->in[0])
		chip->in_done = true;
	chip->exec_pending = chip->in_done;
}

static int sim_command_bytes(struct sim_chip *chip, const u8 *buf,
			     unsigned int n)
{
	unsigned int i;

	if (sim_nack_fault(chip, buf, n))
		return SIM_NACK_ADDR;
	chip->out_valid = false;
	for (i = 0; i < n; i++) {
		if (chip->in_done)
			return SIM_NACK_DATA;	/* beyond COUNT */
		sim_fifo_byte(chip, buf[i]);
	}
	return 0;
}

static int sim_write(struct sim_chip *chip, struct i2c_msg *msg)
{
	if (!msg->len)
		return 0;
	switch (msg->buf[0]) {
	case ATECC_WA_RESET:
		chip->in_len = 0;
		chip->in_done = false;
		chip->exec_pending = false;
		chip->out_pos = 0;
		return 0;
	case ATECC_WA_SLEEP:
		sim_power_down(chip);
		chip->cnt.sleeps++;
		return 0;
	case ATECC_WA_IDLE:
		sim_idle(chip);
		return 0;
	case ATECC_WA_COMMAND:
		return sim_command_bytes(chip, msg->buf + 1, msg->len - 1);
	default:
		return SIM_NACK_DATA;
	}
}

static int sim_chip_msg(struct sim_chip *chip, struct i2c_msg *msg,
			ktime_t now)
{
	bool rd = msg->flags & I2C_M_RD;

	sim_tick(chip, now);
	if (chip->power != SIM_AWAKE) {
		if (!rd)
			sim_wake_pulse(chip, now);
		return SIM_NACK_ADDR;
	}
	if (ktime_before(now, chip->busy_until))
		return SIM_NACK_ADDR;	/* tWHI, or executing */
	return rd ? sim_read(chip, msg) : sim_write(chip, msg);
}

/* General call (address 0): wakes every chip, nobody ACKs. */
static int sim_general_call(struct sim_chip *chips, unsigned int n,
			    struct i2c_msg *msg, ktime_t now)
{
	unsigned int i;

	if (msg->flags & I2C_M_RD)
		return SIM_NACK_ADDR;
	for (i = 0; i < n; i++) {
		mutex_lock(&chips[i].lock);
		sim_tick(&chips[i], now);
		if (chips[i].power != SIM_AWAKE)
			sim_wake_pulse(&chips[i], now);
		mutex_unlock(&chips[i].lock);
	}
	return SIM_NACK_ADDR;
}

static struct sim_chip *sim_find(struct sim_chip *chips, unsigned int n,
				 u16 addr)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (chips[i].addr == addr)
			return &chips[i];
	return NULL;
}

static int sim_msg(struct sim_chip *chips, unsigned int n, struct i2c_msg *msg)
{
	ktime_t now = ktime_get();
	struct sim_chip *chip;
	int ret;

	if (msg->flags & (I2C_M_TEN | I2C_M_RECV_LEN | I2C_M_REV_DIR_ADDR))
		return -EOPNOTSUPP;
	if (msg->addr == 0)
		return sim_general_call(chips, n, msg, now);
	chip = sim_find(chips, n, msg->addr);
	if (!chip)
		return SIM_NACK_ADDR;
	mutex_lock(&chip->lock);
	ret = sim_chip_msg(chip, msg, now);
	mutex_unlock(&chip->lock);
	return ret;
}

/* STOP: a chip holding a complete command starts executing it. */
static void sim_stop(struct sim_chip *chips, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		ktime_t now = ktime_get();

		mutex_lock(&chips[i].lock);
		sim_tick(&chips[i], now);
		if (chips[i].exec_pending) {
			chips[i].exec_pending = false;
			sim_exec(&chips[i], now);
		}
		mutex_unlock(&chips[i].lock);
	}
}

static int sim_xfer(struct i2c_adapter *adap, struct i2c_msg *msgs, int num)
{
	struct sim_bus *bus = i2c_get_adapdata(adap);
	struct sim_chip *chips = bus->chips;
	unsigned int n = bus->nchips;
	int i, ret = 0;

	if (num > 0 && msgs[0].addr) {
		struct sim_chip *chip = sim_find(chips, n, msgs[0].addr);

		if (chip) {
			mutex_lock(&chip->lock);
			ret = sim_fault_take_bus(chip, &msgs[0]);
			mutex_unlock(&chip->lock);
			if (ret == SIM_BUS_STRETCH) {
				/* unlocked: debugfs still reads the chip */
				msleep(SIM_STRETCH_MS);
				ret = 0;
			}
			if (ret)
				return ret;	/* the chip saw nothing */
		}
	}
	for (i = 0; i < num; i++) {
		ret = sim_msg(chips, n, &msgs[i]);
		if (ret && ret != -EOPNOTSUPP &&
		    (msgs[i].flags & I2C_M_IGNORE_NAK)) {
			if (msgs[i].flags & I2C_M_RD)
				memset(msgs[i].buf, 0xff, msgs[i].len);
			ret = 0;
		}
		if (ret)
			break;
		if (msgs[i].flags & I2C_M_STOP)
			sim_stop(chips, n);
	}
	sim_stop(chips, n);
	return ret ? ret : num;
}

static u32 sim_func(struct i2c_adapter *adap)
{
	return I2C_FUNC_I2C | I2C_FUNC_SMBUS_EMUL | I2C_FUNC_PROTOCOL_MANGLING;
}

const struct i2c_algorithm sim_algo = {
	.master_xfer = sim_xfer,
	.functionality = sim_func,
};
