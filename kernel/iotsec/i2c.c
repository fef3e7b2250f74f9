// SPDX-License-Identifier: GPL-2.0
/*
 * I2C transport, the one I/O path to the chip.
 *
 * A command goes out as word address 0x03 + count, opcode, param1, param2
 * (little-endian), data, CRC.  The chip then NACKs its address until it is
 * done, so completion is found by polling: the first read goes out near the
 * command's expected time (timing.c), later ones every 1 % of its datasheet
 * maximum (0.2-1 ms) until twice that maximum (plus 10 ms).  A poll reads
 * the count byte; the rest of the group follows in a second read, and
 * count and CRC are checked.  The waits have little timer slack: an
 * hrtimer with a range fires at its end when nothing else wakes the CPU,
 * and all of that slack would be latency.
 *
 * Failures are retried a bounded number of times: a NACKed command is sent
 * again (after a re-wake the second time), a garbled answer is read again
 * from its start and then the command is resent, and so are the statuses
 * that ask for it.  A chip that is still busy at the deadline is resynced
 * (sleep, then wake until its own watchdog must have fired) before
 * -ETIMEDOUT is returned.  The chip is put to sleep after a transport error.
 * A wake is tried three times; a chip that answered before and now NACKs
 * every wake read is tried until its watchdog must have ended a stall.
 *
 * Between sequences the chip goes idle (keeps TempKey, stops the watchdog),
 * but not at once: it stays awake for IDLE_DELAY_MS after a sequence, so a
 * burst of sequences pays for one wake (tWHI and the wake read), not one
 * each.  The idle always comes IDLE_WDT_ROOM_MS before the watchdog budget
 * runs out, and a sequence that finds the budget spent anyway (a late work
 * item) idles first: an idle the chip NACKs means it fell asleep, and the
 * volatile state is then known lost.
 */

#include <linux/delay.h>
#include <linux/err.h>
#include <linux/i2c.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/property.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "chip.h"
#include "atecc/crc.h"
#include "i2c.h"
#include "timing.h"
#include "atecc/wire.h"

#define DEFAULT_BUS_HZ		100000
#define WAKE_TOKEN_MAX		8
#define WAKE_TRIES		3
#define WAKE_RETRY_MS		10
#define TRIES			3
#define POLL_SLACK_MS		10	/* polls end at twice the maximum + this */
#define SLEEP_SLACK_US		50	/* timer slack of each wait */
#define WDT_LONG_MS		5000	/* long watchdog: ~10-13 s, unconfirmed */
#define WDT_MARGIN_MS		20
#define IDLE_DELAY_MS		100	/* awake this long after a sequence */
#define IDLE_WDT_ROOM_MS	200	/* idle this long before the budget ends */

/* What follows a failed attempt. */
enum next {
	FINAL,		/* give up with this error */
	RESEND,		/* the command did not run: send it again */
	REDO,		/* it may have run or the state may be gone: send it
			 * again, unless it consumes volatile state (then the
			 * whole sequence restarts: -EAGAIN)
			 */
};

struct xfer {
	struct atecc_chip *chip;
	struct atecc_cmd *cmd;
	const char *name;
	unsigned int attempt;
	bool retry;
	bool chip_said;		/* the failure is the chip's status */
	unsigned int send_nacks;
	unsigned int polls;
	u64 busy_ns;
	ktime_t sent;
	int len;
	u8 buf[1 + ATECC_CMD_MAX];
	u8 rsp[ATECC_RSP_MAX];
};

static const struct status_info {
	u8 status;
	int err;
	enum next next;
	const char *text;
} statuses[] = {
	{ ATECC_ST_MISCOMPARE,	-EBADMSG,	FINAL,	"miscompare" },
	{ ATECC_ST_PARSE,	-EINVAL,	FINAL,	"parse error" },
	{ ATECC_ST_ECC_FAULT,	-EAGAIN,	REDO,	"ECC fault" },
	{ ATECC_ST_SELFTEST,	-EIO,		FINAL,	"self-test failure" },
	{ ATECC_ST_HEALTH,	-EIO,		REDO,	"RNG health test failure" },
	{ ATECC_ST_EXEC,	-EPERM,		FINAL,	"execution error" },
	{ ATECC_ST_WAKE,	-EIO,		REDO,	"chip restarted" },
	{ ATECC_ST_WATCHDOG,	-ETIMEDOUT,	RESEND,	"watchdog about to expire" },
	{ ATECC_ST_COMM,	-EIO,		RESEND,	"communication error" },
};

/* How a busy, idle or sleeping chip answers a read: its address NACKed. */
static bool nacked(int err)
{
	return err == -ENXIO || err == -EREMOTEIO || err == -EIO ||
	       err == -EAGAIN;
}

/*
 * What a transfer returned, as this transport's errno.  Bus drivers may
 * return -EBUSY (stm32f7: bus busy) or -EINPROGRESS; up the stack those
 * mean "queued" to a crypto API caller, which would then wait for ever
 * for a completion that never comes.  They are I/O errors here, handled
 * (retried) like a NACK.  A short transfer is one too.
 */
static int bus_errno(struct atecc_chip *chip, int err)
{
	if (err == -EBUSY || err == -EINPROGRESS) {
		dev_dbg(chip->dev, "bus driver returned %pe, taken as -EIO\n",
			ERR_PTR(err));
		return -EIO;
	}
	return err;
}

static int bus_result(struct atecc_chip *chip, int ret, int len)
{
	if (ret == len)
		return 0;
	return ret < 0 ? bus_errno(chip, ret) : -EIO;
}

static int bus_write(struct atecc_chip *chip, const u8 *buf, int len)
{
	return bus_result(chip, i2c_master_send(chip->client,
						(const char *)buf, len), len);
}

static int bus_read(struct atecc_chip *chip, u8 *buf, int len)
{
	return bus_result(chip, i2c_master_recv(chip->client, (char *)buf,
						len), len);
}

static int word_address(struct atecc_chip *chip, u8 wa)
{
	return bus_write(chip, &wa, 1);
}

/*
 * The volatile state is about to go (@why, by the command @op if not
 * NULL): if that voids the held TempKey key, remember why for the ECDH
 * that will find it gone.
 */
static void hold_voided(struct atecc_link *l, const char *why,
			const char *op)
{
	if (l->tk_hold && l->tk_hold == l->tk_serial &&
	    l->tk_epoch == l->epoch && !l->tk_lost) {
		l->tk_lost = why;
		l->tk_lost_op = op;
	}
}

/**
 * atecc_i2c_sleep() - put the chip to sleep; its volatile state is lost
 * @chip: the chip; caller holds its lock
 *
 * Sent whatever the transport believes, as error recovery; errors are
 * ignored (a sleeping chip NACKs).
 */
void atecc_i2c_sleep(struct atecc_chip *chip)
{
	int ret = word_address(chip, ATECC_WA_SLEEP);

	if (ret)
		dev_dbg(chip->dev, "sleep: %pe (ignored)\n", ERR_PTR(ret));
	hold_voided(&chip->link, "the chip was put to sleep (error recovery)",
		    NULL);
	chip->link.awake = false;
	chip->link.epoch++;
}

/**
 * atecc_i2c_idle() - end a sequence: idle keeps TempKey, stops the watchdog
 * @chip: the chip; caller holds its lock
 */
void atecc_i2c_idle(struct atecc_chip *chip)
{
	int ret;

	if (!chip->link.awake)
		return;
	chip->link.awake = false;
	ret = word_address(chip, ATECC_WA_IDLE);
	if (ret) {
		dev_dbg(chip->dev, "idle: %pe\n", ERR_PTR(ret));
		hold_voided(&chip->link, "an idle the chip did not take", NULL);
		chip->link.epoch++;
	}
}

static bool fits(const struct atecc_chip *chip, unsigned int ms)
{
	s64 awake_ms = ktime_ms_delta(ktime_get(), chip->link.woke_at);

	return awake_ms + ms + WDT_MARGIN_MS <= chip->link.budget_ms;
}

static void idle_work_fn(struct work_struct *work)
{
	struct atecc_link *l = container_of(to_delayed_work(work),
					    struct atecc_link, idle_work);
	struct atecc_chip *chip = container_of(l, struct atecc_chip, link);

	mutex_lock(&chip->lock);
	if (!chip->dead)
		atecc_i2c_idle(chip);
	mutex_unlock(&chip->lock);
}

/**
 * atecc_i2c_idle_later() - end a sequence: idle the chip soon, not now
 * @chip: the chip; caller holds its lock
 *
 * The idle comes IDLE_DELAY_MS from now, or earlier to stay well inside
 * the watchdog budget; at once if that is already near.
 */
void atecc_i2c_idle_later(struct atecc_chip *chip)
{
	struct atecc_link *l = &chip->link;
	s64 room;

	if (!l->awake)
		return;
	room = (s64)l->budget_ms - IDLE_WDT_ROOM_MS -
	       ktime_ms_delta(ktime_get(), l->woke_at);
	if (room <= 0) {
		atecc_i2c_idle(chip);
		return;
	}
	mod_delayed_work(system_wq, &l->idle_work,
			 msecs_to_jiffies(min_t(s64, room, IDLE_DELAY_MS)));
}

/**
 * atecc_i2c_resume() - start a sequence on a chip that may still be awake
 * @chip: the chip; caller holds its lock
 *
 * If the chip was left awake so long that its watchdog may have fired (the
 * idle work ran late), idle it now: the chip NACKs the idle if it fell
 * asleep, which marks the volatile state lost before anyone relies on it.
 */
void atecc_i2c_resume(struct atecc_chip *chip)
{
	if (chip->link.awake && !fits(chip, 0))
		atecc_i2c_idle(chip);
}

/**
 * atecc_i2c_idle_flush() - idle the chip now if an idle is pending
 * @chip: the chip; caller must not hold its lock
 */
void atecc_i2c_idle_flush(struct atecc_chip *chip)
{
	flush_delayed_work(&chip->link.idle_work);
}

/**
 * atecc_i2c_idle_cancel() - drop a pending idle, wait for a running one
 * @chip: the chip, marked dead or never registered; caller must not hold
 *	its lock
 */
void atecc_i2c_idle_cancel(struct atecc_chip *chip)
{
	cancel_delayed_work_sync(&chip->link.idle_work);
}

/* How a wake attempt failed */
enum wake_err {
	WAKE_TOKEN,	/* the bus driver failed the wake token */
	WAKE_NACK,	/* the wake read was NACKed */
	WAKE_BUS,	/* the wake read failed otherwise */
	WAKE_ANSWER,	/* the answer was no good status group */
};

/*
 * 0 when the chip answers the wake with status 0x11; rsp holds the answer.
 * Else *why says what failed, and the errno is the bus driver's own.
 */
static int wake_once(struct atecc_chip *chip, u8 *rsp, enum wake_err *why,
		     ktime_t *woke)
{
	u8 token[WAKE_TOKEN_MAX] = { 0 };
	int ret;

	/* the watchdog runs from the pulse: a late answer shortens the wake */
	*woke = ktime_get();
	/*
	 * Asleep, the chip NACKs: only the SDA low time matters.  Any other
	 * error (-EBUSY: another master holds the bus, -ETIMEDOUT) means
	 * the pulse may never have gone out: no answer to read then.
	 */
	ret = i2c_transfer_buffer_flags(chip->client, (char *)token,
					chip->link.wake_len, I2C_M_IGNORE_NAK);
	if (ret < 0 && !nacked(ret)) {
		*why = WAKE_TOKEN;
		return ret;
	}
	usleep_range(ATECC_TWHI_US, ATECC_TWHI_US + 50);
	ret = i2c_master_recv(chip->client, (char *)rsp, ATECC_RSP_STATUS);
	if (ret != ATECC_RSP_STATUS) {
		ret = ret < 0 ? ret : -EIO;
		*why = nacked(ret) ? WAKE_NACK : WAKE_BUS;
		return ret;
	}
	*why = WAKE_ANSWER;
	if (rsp[0] != ATECC_RSP_STATUS || !atecc_crc16_ok(rsp, 2))
		return -EPROTO;
	return rsp[1] == ATECC_ST_WAKE ? 0 : -EPROTO;
}

/* One line, ratelimited; the wake answer holds no secret. */
static void wake_failed(struct atecc_chip *chip, const char *name, int err,
			enum wake_err why, const u8 *rsp, unsigned int tries)
{
	if (why == WAKE_TOKEN)
		dev_err_ratelimited(chip->dev,
				    "%s: the wake token did not go out (%u tries, I2C error %pe)\n",
				    name, tries, ERR_PTR(err));
	else if (why != WAKE_ANSWER)
		dev_err_ratelimited(chip->dev,
				    "%s: chip did not answer the wake (%u tries, I2C error %pe)\n",
				    name, tries, ERR_PTR(err));
	else if (rsp[0] != ATECC_RSP_STATUS)
		dev_err_ratelimited(chip->dev,
				    "%s: wake answer is not a status group (count 0x%02x, %u tries)\n",
				    name, rsp[0], tries);
	else if (!atecc_crc16_ok(rsp, 2))
		dev_err_ratelimited(chip->dev,
				    "%s: wake answer CRC error (%u tries)\n",
				    name, tries);
	else
		dev_err_ratelimited(chip->dev,
				    "%s: wake answered with status 0x%02x, not 0x11 (%u tries)\n",
				    name, rsp[1], tries);
}

/*
 * Wakes the chip: at least WAKE_TRIES attempts, and more while it may still
 * be stuck busy (quiet_until).  An awake chip holding some other answer is
 * put to sleep before the next try.  A chip that answered a wake before
 * and now NACKed every wake read of WAKE_TRIES may be stuck busy (a wake
 * it took but did not finish, a command it still runs): it ignores wakes
 * until its watchdog ends that, so the tries go on until the watchdog
 * must have fired, ATECC_WATCHDOG_MAX_MS after the first try.  A chip
 * never seen (probe) is not waited for: absent is the likelier reason.
 * *tries says how many were needed.
 */
static int wake(struct atecc_chip *chip, const char *name,
		unsigned int *tries)
{
	struct atecc_link *l = &chip->link;
	ktime_t first = ktime_get(), woke;
	bool all_nacked = true;
	u8 rsp[ATECC_RSP_STATUS];
	enum wake_err why;
	int ret;

	for (*tries = 1;; ++*tries) {
		ret = wake_once(chip, rsp, &why, &woke);
		if (!ret) {
			l->awake = true;
			l->answered = true;
			l->woke_at = woke;
			return 0;
		}
		if (why == WAKE_ANSWER)
			atecc_i2c_sleep(chip);
		all_nacked &= why == WAKE_NACK;
		if (*tries == WAKE_TRIES && all_nacked && l->answered) {
			ktime_t wdt = ktime_add_ms(first, ATECC_WATCHDOG_MAX_MS +
						   WDT_MARGIN_MS);

			if (ktime_before(l->quiet_until, wdt))
				l->quiet_until = wdt;
		}
		if (*tries >= WAKE_TRIES &&
		    !ktime_before(ktime_get(), l->quiet_until))
			break;
		msleep(WAKE_RETRY_MS);
	}
	wake_failed(chip, name, ret, why, rsp, *tries);
	return ret == -EPROTO ? -EIO : bus_errno(chip, ret);
}

/**
 * atecc_i2c_power_down() - leave the chip asleep (on remove)
 * @chip: the chip; caller holds its lock
 *
 * An idle chip ignores everything but a wake, so wake it first.
 */
void atecc_i2c_power_down(struct atecc_chip *chip)
{
	unsigned int tries;

	if (!chip->link.awake && wake(chip, "sleep", &tries))
		return;
	atecc_i2c_sleep(chip);
}

static __printf(4, 5) int fail(struct xfer *x, int err, enum next next,
			       const char *fmt, ...)
{
	bool restart = next == REDO && (x->cmd->flags & ATECC_CMD_USES_STATE);
	struct va_format vaf;
	va_list args;

	if (restart) {
		err = -EAGAIN;
		next = FINAL;
	}
	x->retry = next != FINAL && x->attempt < TRIES;
	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	if (x->retry)
		dev_warn_ratelimited(x->chip->dev, "%s: %pV; retrying\n",
				     x->name, &vaf);
	else if (err == -EAGAIN && restart)
		dev_warn_ratelimited(x->chip->dev,
				     "%s: %pV; it uses volatile state: the sequence must restart\n",
				     x->name, &vaf);
	else
		dev_err_ratelimited(x->chip->dev, "%s failed: %pV (%pe)\n",
				    x->name, &vaf, ERR_PTR(err));
	va_end(args);
	return err;
}

static int frame(struct xfer *x)
{
	struct atecc_cmd *cmd = x->cmd;

	if (cmd->data_len > ATECC_CMD_MAX - ATECC_CMD_MIN ||
	    cmd->out_len > ATECC_RSP_MAX - ATECC_RSP_STATUS + 1 ||
	    cmd->out_len == 1)
		return -EINVAL;
	x->len = atecc_packet(x->buf, cmd->opcode, cmd->param1, cmd->param2,
			      cmd->data, cmd->data_len);
	return 0;
}

/* Wake if needed; a command that would outlive the watchdog gets a fresh
 * wake (idle first: TempKey survives idle).
 */
static int prepare(struct xfer *x)
{
	struct atecc_chip *chip = x->chip;
	struct atecc_link *l = &chip->link;
	unsigned int max_ms = atecc_timing_max_ms(chip, x->cmd->opcode);
	unsigned int tries;
	int ret;

	if ((x->cmd->flags & ATECC_CMD_USES_STATE) &&
	    l->state_epoch != l->epoch)
		return fail(x, -EAGAIN, REDO, "chip slept since the state was made");
	if (l->awake && !fits(chip, max_ms))
		atecc_i2c_idle(chip);
	if (l->awake)
		return 0;
	ret = wake(chip, x->name, &tries);
	if (ret)
		x->retry = false;
	return ret;
}

static int send(struct xfer *x)
{
	int ret = bus_write(x->chip, x->buf, x->len);

	x->sent = ktime_get();
	if (!ret)
		return 0;
	if (nacked(ret) && !x->send_nacks++)
		return fail(x, ret, RESEND, "command NACKed (%pe)", ERR_PTR(ret));
	/* Maybe asleep (watchdog, brown-out): resynchronise. */
	atecc_i2c_sleep(x->chip);
	return fail(x, ret, REDO, "I2C error %pe writing the command",
		    ERR_PTR(ret));
}

/*
 * No answer by the deadline: busy too long, or asleep after a watchdog.
 * Sleep, then wake until the chip's watchdog must have ended any stall.
 * A chip that wakes at once had been asleep: the command was lost.
 */
static int timeout(struct xfer *x, unsigned int max_ms)
{
	struct atecc_chip *chip = x->chip;
	s64 waited = ktime_ms_delta(ktime_get(), x->sent);
	unsigned int tries;
	int ret;

	chip->link.quiet_until = ktime_add_ms(chip->link.woke_at,
					      ATECC_WATCHDOG_MAX_MS + WDT_MARGIN_MS);
	atecc_i2c_sleep(chip);
	ret = wake(chip, x->name, &tries);
	if (!ret && tries == 1)
		return fail(x, -ETIMEDOUT, REDO,
			    "no answer after %lld ms: the chip was asleep",
			    waited);
	return fail(x, -ETIMEDOUT, FINAL,
		    "still busy after %lld ms (maximum %u ms), resync %s",
		    waited, max_ms, ret ? "failed" : "done");
}

static int await(struct xfer *x)
{
	struct atecc_chip *chip = x->chip;
	u8 op = x->cmd->opcode;
	unsigned int max_ms = atecc_timing_max_ms(chip, op);
	unsigned int first = atecc_timing_first_poll_us(chip, op);
	unsigned int every = atecc_timing_poll_us(chip, op);
	ktime_t deadline = ktime_add_ms(x->sent, 2 * max_ms + POLL_SLACK_MS);
	unsigned int polls = 0;
	int ret;

	if (first)
		usleep_range(first, first + SLEEP_SLACK_US);
	while ((ret = bus_read(chip, x->rsp, 1))) {
		if (!nacked(ret)) {
			atecc_i2c_sleep(chip);
			return fail(x, ret, REDO, "I2C error %pe polling",
				    ERR_PTR(ret));
		}
		if (ktime_after(ktime_get(), deadline))
			return timeout(x, max_ms);
		polls++;
		x->polls++;
		usleep_range(every, every + SLEEP_SLACK_US);
	}
	x->busy_ns = ktime_to_ns(ktime_sub(ktime_get(), x->sent));
	atecc_timing_learn(chip, op, div_u64(x->busy_ns, NSEC_PER_USEC),
			   polls);
	return 0;
}

/* Reads the group after its count byte; checks count and CRC. */
static int read_group(struct xfer *x)
{
	size_t want = x->cmd->out_len ? x->cmd->out_len + 3 : ATECC_RSP_STATUS;
	u8 count = x->rsp[0];
	int ret;

	if (count != ATECC_RSP_STATUS && count != want)
		return -EMSGSIZE;
	ret = bus_read(x->chip, &x->rsp[1], count - 1);
	if (ret)
		return ret;
	return atecc_crc16_ok(x->rsp, count - ATECC_CRC_SIZE) ? 0 : -EBADMSG;
}

/* The answer is readable again from its start after word address 0x00. */
static int reread_group(struct xfer *x)
{
	int ret = word_address(x->chip, ATECC_WA_RESET);

	if (!ret)
		ret = bus_read(x->chip, x->rsp, 1);
	return ret ? ret : read_group(x);
}

static int receive(struct xfer *x)
{
	int ret = read_group(x);

	if (ret == -EMSGSIZE || ret == -EBADMSG) {
		atecc_timing_stats(x->chip, x->cmd->opcode)->retries++;
		ret = reread_group(x);
	}
	if (ret == -EMSGSIZE)
		return fail(x, -EIO, REDO, "bad answer count %u, twice",
			    x->rsp[0]);
	if (ret == -EBADMSG)
		return fail(x, -EIO, REDO, "answer CRC error, twice");
	if (ret)
		return fail(x, ret, REDO, "I2C error %pe reading the answer",
			    ERR_PTR(ret));
	return 0;
}

static const struct status_info *status_info(u8 status)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++)
		if (statuses[i].status == status)
			return &statuses[i];
	return NULL;
}

static int chip_status(struct xfer *x, u8 st)
{
	const struct status_info *s = status_info(st);

	x->chip_said = true;
	if (!s)
		return fail(x, -EPROTO, FINAL, "unknown status 0x%02x", st);
	if (st == ATECC_ST_MISCOMPARE) {
		dev_dbg(x->chip->dev, "%s: miscompare\n", x->name);
		return -EBADMSG;
	}
	if (st == ATECC_ST_WATCHDOG)
		atecc_i2c_idle(x->chip);	/* the next wake restarts it */
	if (st == ATECC_ST_WAKE)
		atecc_i2c_sleep(x->chip);
	return fail(x, s->err, s->next, "chip status 0x%02x (%s)", st,
		    s->text);
}

static int deliver(struct xfer *x)
{
	struct atecc_cmd *cmd = x->cmd;
	u8 count = x->rsp[0];

	if (count != ATECC_RSP_STATUS) {
		memcpy(cmd->out, &x->rsp[1], cmd->out_len);
		cmd->rsp_len = cmd->out_len;
		return 0;
	}
	if (x->rsp[1] != ATECC_ST_SUCCESS)
		return chip_status(x, x->rsp[1]);
	if (cmd->out_len && !(cmd->flags & ATECC_CMD_STATUS_OK)) {
		x->chip_said = true;
		return fail(x, -EPROTO, FINAL, "success status but no data");
	}
	cmd->rsp_len = 0;
	return 0;
}

static int attempt(struct xfer *x)
{
	int ret = prepare(x);

	if (!ret)
		ret = send(x);
	if (!ret)
		ret = await(x);
	if (!ret)
		ret = receive(x);
	return ret ? ret : deliver(x);
}

/* Every ticket for the TempKey of before is void (@why, a static string). */
static void tempkey_changed(struct atecc_link *l, const char *why,
			    const char *op)
{
	hold_voided(l, why, op);
	l->tk_serial++;
	l->tk_epoch = l->epoch;
}

/*
 * Statistics, and what the command did to the volatile state: a command
 * that may have changed TempKey voids its tickets, and so does any failed
 * command (a chip status, or a transport error, after which the chip was
 * also put to sleep): what it did before failing is unknown.
 */
static void account(struct xfer *x, ktime_t start, int ret)
{
	struct atecc_op_stats *st = atecc_timing_stats(x->chip, x->cmd->opcode);
	struct atecc_link *l = &x->chip->link;

	st->polls += x->polls;
	if (ret) {
		st->failures++;
		tempkey_changed(l, "a failed command: ", x->name);
		return;
	}
	st->count++;
	st->busy_ns += x->busy_ns;
	st->total_ns += ktime_to_ns(ktime_sub(ktime_get(), start));
	if (!atecc_op_keeps_state(x->cmd->opcode))
		l->state_epoch = l->epoch;
	if (!atecc_op_keeps_tempkey(x->cmd->opcode, x->cmd->param1))
		tempkey_changed(l, "a command that may change TempKey: ",
				x->name);
	dev_dbg(x->chip->dev, "%s: %llu us busy, %u busy polls, attempt %u\n",
		x->name, div_u64(x->busy_ns, NSEC_PER_USEC), x->polls,
		x->attempt);
}

/**
 * atecc_i2c_execute() - run one command, with wake, polling and retries
 * @chip: the chip; caller holds its lock (inside atecc_seq_begin/end)
 * @cmd: the command; on success its answer is in @cmd->out
 *
 * Return: 0, or a negative errno: the chip's status mapped as documented in
 * Documentation/atecc608.rst (-EBADMSG miscompare, -EINVAL
 * parse error, -EPERM execution error, -EAGAIN ECC fault or lost volatile
 * state, -EIO self-test, health or communication failure, -ETIMEDOUT no
 * answer), an I2C error (never -EBUSY or -EINPROGRESS, which would mean
 * "queued" to a crypto API caller: the transport makes them -EIO), or
 * -ENODEV once the chip is gone.
 */
int atecc_i2c_execute(struct atecc_chip *chip, struct atecc_cmd *cmd)
{
	struct xfer x = {
		.chip = chip,
		.cmd = cmd,
		.name = atecc_op_name(cmd->opcode),
	};
	ktime_t start = ktime_get();
	int ret;

	lockdep_assert_held(&chip->lock);
	if (chip->dead)
		return -ENODEV;
	ret = frame(&x);
	if (ret)
		return ret;
	do {
		x.attempt++;
		x.retry = false;
		x.chip_said = false;
		ret = attempt(&x);
		if (ret && x.retry)
			atecc_timing_stats(chip, cmd->opcode)->retries++;
	} while (ret && x.retry);
	account(&x, start, ret);
	if (ret && !x.chip_said)
		atecc_i2c_sleep(chip);
	memzero_explicit(&x, sizeof(x));
	return ret;
}

/**
 * atecc_i2c_reserve() - make sure the next @ms fit before the watchdog
 * @chip: the chip; caller holds its lock
 * @ms: the summed maximum times of the commands about to run
 *
 * Return: 0, or -ETIMEDOUT when @ms can never fit in one wake.
 */
int atecc_i2c_reserve(struct atecc_chip *chip, unsigned int ms)
{
	if (ms + WDT_MARGIN_MS > chip->link.budget_ms) {
		dev_err_ratelimited(chip->dev,
				    "a %u ms sequence cannot fit in one wake (watchdog budget %u ms)\n",
				    ms, chip->link.budget_ms);
		return -ETIMEDOUT;
	}
	if (chip->link.awake && !fits(chip, ms))
		atecc_i2c_idle(chip);
	return 0;
}

/**
 * atecc_i2c_set_budget() - how long a wake may last, from ChipMode bit 2
 * @chip: the chip (config zone as read, or zeroed before the first read)
 *
 * The datasheet minimum of the 1.3 s watchdog, 0.7 s, unless ChipMode
 * selects the long watchdog.
 */
void atecc_i2c_set_budget(struct atecc_chip *chip)
{
	bool long_wdt = chip->config[ATECC_CFG_CHIPMODE] &
			ATECC_CHIPMODE_WDT_LONG;

	chip->link.budget_ms = long_wdt ? WDT_LONG_MS : ATECC_WATCHDOG_MIN_MS;
}

/**
 * atecc_i2c_init() - bus speed and wake token for a new chip
 * @chip: the chip; @chip->client set
 *
 * The speed is the adapter's "clock-frequency" (DT or ACPI), else 100 kHz
 * is assumed; faster than 1 MHz is refused.
 *
 * Return: 0 or -EINVAL.
 */
int atecc_i2c_init(struct atecc_chip *chip)
{
	struct device *adev = &chip->client->adapter->dev;
	u32 hz = 0;

	INIT_DELAYED_WORK(&chip->link.idle_work, idle_work_fn);
	if (device_property_read_u32(adev, "clock-frequency", &hz))
		hz = i2c_acpi_find_bus_speed(adev);
	if (!hz) {
		hz = DEFAULT_BUS_HZ;
		dev_dbg(chip->dev, "bus speed unknown, assuming %u Hz\n", hz);
	}
	if (hz > ATECC_BUS_HZ_MAX) {
		dev_err(chip->dev, "bus runs at %u Hz, the chip allows 1 MHz at most\n",
			hz);
		return -EINVAL;
	}
	chip->link.bus_hz = hz;
	chip->link.wake_len = DIV_ROUND_UP(DIV_ROUND_UP(ATECC_TWLO_US * hz,
							USEC_PER_SEC), 8);
	chip->link.wake_len = clamp_t(u8, chip->link.wake_len, 1,
				      WAKE_TOKEN_MAX);
	chip->link.epoch = 1;
	atecc_i2c_set_budget(chip);
	return 0;
}
