/* SPDX-License-Identifier: GPL-2.0 */
/*
 * I2C transport: wake, framing, completion polling, retries, idle and
 * sleep, status to errno.  The one I/O path to the chip; everything else
 * builds a struct atecc_cmd and calls atecc_i2c_execute() with the chip's
 * lock held (see the sequence API in cmd.h).
 */
#ifndef IOTSEC_I2C_H
#define IOTSEC_I2C_H

#include <linux/ktime.h>
#include <linux/types.h>
#include <linux/workqueue.h>

struct atecc_chip;

/* Commands that consume volatile state (TempKey, digest buffers) built by
 * an earlier command of the same wake: never re-woken before or during,
 * a lost state is reported as -EAGAIN so the whole sequence can rerun.
 */
#define ATECC_CMD_USES_STATE	BIT(0)
/* A bare success status is an acceptable answer to a data command. */
#define ATECC_CMD_STATUS_OK	BIT(1)

/**
 * struct atecc_cmd - one command and its answer
 * @opcode: ATECC_OP_*
 * @param1: mode / zone byte
 * @param2: key id / address, sent little-endian
 * @data: command data (may be NULL when @data_len is 0)
 * @data_len: at most ATECC_CMD_MAX - ATECC_CMD_MIN bytes
 * @out: buffer for the answer's data bytes (NULL when @out_len is 0)
 * @out_len: data bytes a successful answer carries; 0 for status-only
 * @rsp_len: set on success: data bytes actually returned (0 or @out_len)
 * @flags: ATECC_CMD_*
 */
struct atecc_cmd {
	u8 opcode;
	u8 param1;
	u16 param2;
	const u8 *data;
	size_t data_len;
	u8 *out;
	size_t out_len;
	size_t rsp_len;
	unsigned int flags;
};

/**
 * struct atecc_link - what the transport knows about the chip's state
 * @bus_hz: SCL rate assumed for the wake pulse
 * @wake_len: zero bytes in the wake token
 * @awake: a wake succeeded and no idle/sleep/error followed
 * @answered: a wake succeeded once since probe: the chip is there
 * @woke_at: time of that wake: the watchdog runs from it
 * @quiet_until: the chip may stay busy (NACK) until then; wakes keep trying
 * @budget_ms: how long after a wake a command may still end
 * @epoch: bumped whenever the volatile state may have been lost (sleep,
 *	watchdog, resync, an idle the chip did not take)
 * @state_epoch: @epoch when a command last changed some volatile state
 *	(TempKey, a digest buffer, the SHA context)
 * @tk_serial: bumped by every command that may change TempKey (see
 *	atecc_op_keeps_tempkey()) and by every command that failed
 * @tk_epoch: @epoch when @tk_serial last moved
 * @tk_hold: a TempKey ticket whose key someone still needs (a kpp key,
 *	atecc_seq_state_hold()), 0 for none
 * @tk_held_at: when @tk_hold was taken: the driver's own Random commands
 *	spare it for the module parameter tempkey_hold_ms from then
 * @tk_lost: what voided @tk_hold while it was held (static strings, for
 *	the ECDH's log line: @tk_lost, then the command @tk_lost_op if any),
 *	NULL while it holds
 * @tk_lost_op: see @tk_lost
 * @idle_work: idles the chip a while after the last sequence (the chip
 *	stays awake in between, so the next sequence needs no wake)
 */
struct atecc_link {
	u32 bus_hz;
	u8 wake_len;
	bool awake;
	bool answered;
	ktime_t woke_at;
	ktime_t quiet_until;
	unsigned int budget_ms;
	u64 epoch;
	u64 state_epoch;
	u64 tk_serial;
	u64 tk_epoch;
	u64 tk_hold;
	ktime_t tk_held_at;
	const char *tk_lost;
	const char *tk_lost_op;
	bool seeded;		/* a seed-update Random ran since probe */
	struct delayed_work idle_work;
};

int atecc_i2c_init(struct atecc_chip *chip);
void atecc_i2c_set_budget(struct atecc_chip *chip);
int atecc_i2c_execute(struct atecc_chip *chip, struct atecc_cmd *cmd);
int atecc_i2c_reserve(struct atecc_chip *chip, unsigned int ms);
void atecc_i2c_idle(struct atecc_chip *chip);
void atecc_i2c_idle_later(struct atecc_chip *chip);
void atecc_i2c_resume(struct atecc_chip *chip);
void atecc_i2c_idle_flush(struct atecc_chip *chip);
void atecc_i2c_idle_cancel(struct atecc_chip *chip);
void atecc_i2c_sleep(struct atecc_chip *chip);
void atecc_i2c_power_down(struct atecc_chip *chip);

#endif /* IOTSEC_I2C_H */
