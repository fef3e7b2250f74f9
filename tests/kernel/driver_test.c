// SPDX-License-Identifier: GPL-2.0
/*
 * The chip driver (iotsec.ko) against the simulator (iotsec_sim.ko), in the
 * VM.  Binding one and three chips of each model; sysfs against the
 * simulator's own config dump; the hwrng (rngtest, one per chip, none on a
 * factory-fresh chip); a fault matrix: each fault the simulator can inject,
 * on each command the driver issues at probe (Info, Read) and for the hwrng
 * (Random), and each wake fault (op=wake) at probe and for the hwrng,
 * ends in a retry that succeeds or in a clean errno, in bounded time, and
 * the next operation works; unbind and rmmod, idle and under a
 * reader blocked on /dev/hwrng; concurrent readers without corruption; a
 * burst of sequences shares one wake and the chip idles soon after.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kcompat.h"
#include "atecc/wire.h"
#include "kselftest_harness.h"
#include "kmod.h"
#include "simctl.h"

#define DRV_DIR		"/sys/bus/i2c/drivers/iotsec"
#define RNG_DIR		"/sys/class/misc/hw_random"
#define MAX_CHIPS	8
#define SIM_ADDR	0x60
#define BOUND_MS	5000.0		/* any operation must end within this */
#define RNG_READ	256
#define SN_HEX		(2 * ATECC_SN_SIZE + 1)
#define IDLE_WAIT_US	500000	/* the driver idles the chip 0.1 s after use */

struct env {
	int bus;
	int n;
	char dev[MAX_CHIPS][32];
	u8 cfg[MAX_CHIPS][ATECC_CONFIG_SIZE];
	char serial[MAX_CHIPS][SN_HEX];
	char rng[MAX_CHIPS][64];
};

static int sim_config(int chip, u8 *cfg)
{
	char path[128], buf[ATECC_CONFIG_SIZE + 1];
	ssize_t n;

	sim_path(path, sizeof(path), chip, "config");
	n = file_read(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n != ATECC_CONFIG_SIZE)
		return -EIO;
	memcpy(cfg, buf, ATECC_CONFIG_SIZE);
	return 0;
}

/* Reads a sysfs attribute of chip i; strips one trailing newline. */
static int dev_attr(const struct env *e, int i, const char *attr, char *buf,
		    size_t len)
{
	char path[160];
	ssize_t n;

	snprintf(path, sizeof(path), I2C_DEV_DIR "/%s/%s", e->dev[i], attr);
	n = file_read(path, buf, len);
	if (n < 0)
		return (int)n;
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

static int drv_write(const char *file, const char *dev)
{
	char path[128];

	snprintf(path, sizeof(path), DRV_DIR "/%s", file);
	return file_write(path, dev);
}

static void serial_hex(const u8 *cfg, char *out)
{
	static const int at[ATECC_SN_SIZE] = { 0, 1, 2, 3, 8, 9, 10, 11, 12 };
	int i;

	for (i = 0; i < ATECC_SN_SIZE; i++)
		sprintf(out + 2 * i, "%02x", cfg[at[i]]);
}

/* Loads the driver, then the simulator with n chips; waits until bound. */
static int env_up(struct env *e, int n, const char *model, int provisioned)
{
	char params[128];
	int i, ret;

	memset(e, 0, sizeof(*e));
	iotsec_modules_down();
	ret = kmod_load("iotsec", NULL);
	if (ret)
		return ret;
	snprintf(params, sizeof(params),
		 "chips=%d model=%s provisioned=%d instantiate=1", n, model,
		 provisioned);
	e->bus = sim_bus_up(params);
	ret = e->bus < 0 ? e->bus : 0;
	e->n = n;
	for (i = 0; !ret && i < n; i++) {
		snprintf(e->dev[i], sizeof(e->dev[i]), "%d-%04x", e->bus,
			 SIM_ADDR + i);
		ret = sim_config(i, e->cfg[i]);
		serial_hex(e->cfg[i], e->serial[i]);
		snprintf(e->rng[i], sizeof(e->rng[i]), "iotsec-%s",
			 e->serial[i]);
		if (!ret && !iotsec_wait_bound(e->dev[i], BOUND_MS))
			ret = -ETIMEDOUT;
	}
	if (ret)
		iotsec_modules_down();
	return ret;
}

static bool rng_listed(const char *name)
{
	char buf[2048], *tok, *save = NULL;

	if (file_read(RNG_DIR "/rng_available", buf, sizeof(buf)) < 0)
		return false;
	for (tok = strtok_r(buf, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save))
		if (!strcmp(tok, name))
			return true;
	return false;
}

static int rng_select(const char *name)
{
	char cur[128];
	int ret = file_write(RNG_DIR "/rng_current", name);

	if (ret)
		return ret;
	if (file_read(RNG_DIR "/rng_current", cur, sizeof(cur)) < 0)
		return -EIO;
	cur[strcspn(cur, "\n")] = '\0';
	return strcmp(cur, name) ? -ENOENT : 0;
}

/* One read() of /dev/hwrng; *err is its errno when it returns -1. */
static ssize_t hwrng_read_once(void *buf, size_t len, int *err)
{
	ssize_t n;
	int fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);

	*err = 0;
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	n = read(fd, buf, len);
	if (n < 0)
		*err = errno;
	close(fd);
	return n;
}

static bool unlocked_pattern(const u8 *p)
{
	static const u8 pat[4] = { 0xff, 0xff, 0x00, 0x00 };
	int i;

	for (i = 0; i < ATECC_RANDOM_SIZE; i++)
		if (p[i] != pat[i % 4])
			return false;
	return true;
}

/* ---- probe: one and three chips, every model, fresh and provisioned ---- */

FIXTURE(probe)
{
	struct env e;
};

FIXTURE_VARIANT(probe)
{
	int chips;
	const char *model;
	int provisioned;
	const char *revision;
};

FIXTURE_VARIANT_ADD(probe, one_608b)
{
	.chips = 1, .model = "608b", .provisioned = 1, .revision = "00006003",
};

FIXTURE_VARIANT_ADD(probe, three_608b)
{
	.chips = 3, .model = "608b", .provisioned = 1, .revision = "00006003",
};

FIXTURE_VARIANT_ADD(probe, one_608a)
{
	.chips = 1, .model = "608a", .provisioned = 1, .revision = "00006002",
};

FIXTURE_VARIANT_ADD(probe, one_508a)
{
	.chips = 1, .model = "508a", .provisioned = 1, .revision = "00005000",
};

FIXTURE_VARIANT_ADD(probe, fresh_608b)
{
	.chips = 1, .model = "608b", .provisioned = 0, .revision = "00006003",
};

FIXTURE_VARIANT_ADD(probe, three_fresh_608a)
{
	.chips = 3, .model = "608a", .provisioned = 0, .revision = "00006002",
};

FIXTURE_SETUP(probe)
{
	int ret = env_up(&self->e, variant->chips, variant->model,
			 variant->provisioned);

	ASSERT_EQ(0, ret) TH_LOG("loading the modules: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(probe)
{
	iotsec_modules_down();
}

TEST_F(probe, binds_every_chip)
{
	char name[32] = "", want[32];
	int i;

	for (i = 0; i < self->e.n; i++) {
		EXPECT_TRUE(iotsec_bound(self->e.dev[i])) TH_LOG("%s", self->e.dev[i]);
		ASSERT_EQ(0, dev_attr(&self->e, i, "name", name, sizeof(name)));
		client_name_expected(self->e.dev[i], variant->model, want,
				     sizeof(want));
		EXPECT_STREQ(want, name);
	}
}

TEST_F(probe, sysfs_equals_simulator)
{
	char buf[64], rev[9];
	const u8 *cfg;
	int i;

	for (i = 0; i < self->e.n; i++) {
		cfg = self->e.cfg[i];
		ASSERT_EQ(0, dev_attr(&self->e, i, "serial_number", buf,
				      sizeof(buf)));
		EXPECT_STREQ(self->e.serial[i], buf);
		ASSERT_EQ(0, dev_attr(&self->e, i, "revision", buf,
				      sizeof(buf)));
		EXPECT_STREQ(variant->revision, buf);
		snprintf(rev, sizeof(rev), "%02x%02x%02x%02x",
			 cfg[ATECC_CFG_REVNUM], cfg[ATECC_CFG_REVNUM + 1],
			 cfg[ATECC_CFG_REVNUM + 2], cfg[ATECC_CFG_REVNUM + 3]);
		EXPECT_STREQ(rev, buf) TH_LOG("config bytes 4-7 vs Info");
		ASSERT_EQ(0, dev_attr(&self->e, i, "config_locked", buf,
				      sizeof(buf)));
		EXPECT_EQ(cfg[ATECC_CFG_LOCK_CONFIG] == ATECC_LOCKED, atoi(buf));
		EXPECT_EQ(variant->provisioned, atoi(buf));
		ASSERT_EQ(0, dev_attr(&self->e, i, "data_locked", buf,
				      sizeof(buf)));
		EXPECT_EQ(cfg[ATECC_CFG_LOCK_VALUE] == ATECC_LOCKED, atoi(buf));
		EXPECT_EQ(variant->provisioned, atoi(buf));
	}
	for (i = 1; i < self->e.n; i++)
		EXPECT_NE(0, strcmp(self->e.serial[0], self->e.serial[i]));
}

static u16 le16(const u8 *p)
{
	return p[0] | p[1] << 8;
}

TEST_F(probe, slot_config_equals_simulator)
{
	unsigned int slot, sc, kc;
	char buf[4096], *line, *save = NULL;
	const u8 *cfg;
	int i, locked, lines;

	for (i = 0; i < self->e.n; i++) {
		cfg = self->e.cfg[i];
		ASSERT_EQ(0, dev_attr(&self->e, i, "slot_config", buf,
				      sizeof(buf)));
		lines = 0;
		for (line = strtok_r(buf, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save), lines++) {
			ASSERT_EQ(4, sscanf(line,
					    "slot %u: SlotConfig 0x%x KeyConfig 0x%x locked %d",
					    &slot, &sc, &kc, &locked))
				TH_LOG("line: %s", line);
			ASSERT_EQ((unsigned int)lines, slot);
			EXPECT_EQ(le16(&cfg[ATECC_CFG_SLOTCONFIG + 2 * slot]), sc);
			EXPECT_EQ(le16(&cfg[ATECC_CFG_KEYCONFIG + 2 * slot]), kc);
			EXPECT_EQ(!(le16(&cfg[ATECC_CFG_SLOT_LOCKED]) &
				    (1u << slot)), locked);
		}
		EXPECT_EQ(ATECC_NUM_SLOTS, lines);
	}
}

/* A factory-fresh chip returns FF FF 00 00...: no hwrng for it. */
TEST_F(probe, hwrng_only_when_config_locked)
{
	int i;

	for (i = 0; i < self->e.n; i++)
		EXPECT_EQ(variant->provisioned, rng_listed(self->e.rng[i]))
			TH_LOG("%s in rng_available", self->e.rng[i]);
}

/* ---- one provisioned chip: hwrng, unbind, rmmod, concurrency ---- */

FIXTURE(chip1)
{
	struct env e;
};

FIXTURE_SETUP(chip1)
{
	int ret = env_up(&self->e, 1, "608b", 1);

	ASSERT_EQ(0, ret) TH_LOG("loading the modules: %s", strerror(-ret));
	ASSERT_EQ(0, rng_select(self->e.rng[0]));
}

FIXTURE_TEARDOWN(chip1)
{
	iotsec_modules_down();
}

TEST_F(chip1, hwrng_gives_random_data_only)
{
	u8 a[64], b[64];
	int err;

	ASSERT_EQ(64, hwrng_read_once(a, sizeof(a), &err)) TH_LOG("%s", strerror(err));
	ASSERT_EQ(64, hwrng_read_once(b, sizeof(b), &err));
	EXPECT_FALSE(unlocked_pattern(a));
	EXPECT_FALSE(unlocked_pattern(a + 32));
	EXPECT_NE(0, memcmp(a, b, sizeof(a)));
	/* the upstream sha204a bug: a count byte 0x23 at each 32-byte start */
	EXPECT_FALSE(a[0] == 0x23 && a[32] == 0x23 && b[0] == 0x23 &&
		     b[32] == 0x23);
}

#define RNGTEST_BLOCKS	100

/* Runs rngtest over RNGTEST_BLOCKS blocks: the failed blocks, or -1. */
static int rngtest_failures(struct __test_metadata *_metadata)
{
	const char *log = "/tmp/iotsec-rngtest.log";
	char cmd[128], buf[4096], *p;
	unsigned int ok = 0, bad = 0;
	int rc;

	snprintf(cmd, sizeof(cmd), "rngtest -c %d < /dev/hwrng 2> %s",
		 RNGTEST_BLOCKS, log);
	rc = run_cmd(cmd);
	if (file_read(log, buf, sizeof(buf)) > 0) {
		p = strstr(buf, "FIPS 140-2 successes:");
		if (p)
			sscanf(p, "FIPS 140-2 successes: %u", &ok);
		p = strstr(buf, "FIPS 140-2 failures:");
		if (p)
			sscanf(p, "FIPS 140-2 failures: %u", &bad);
	}
	TH_LOG("rngtest exit %d, FIPS 140-2 successes %u failures %u", rc, ok,
	       bad);
	if (ok + bad != RNGTEST_BLOCKS || (rc && !bad))
		return -1;
	return bad;
}

/*
 * A perfect source fails a FIPS 140-2 block about 0.065 % of the time
 * (rngtest over /dev/urandom: 13 of 20000), so 100 blocks show a failure
 * about one run in sixteen.  Then a second 100 decides: at most 3 failed
 * blocks in the 200 (a perfect source exceeds that about once in 80000
 * runs; a broken one, a stuck byte or a count byte in the data, fails
 * nearly every block).
 */
TEST_F_TIMEOUT(chip1, rngtest_passes, 600)
{
	int first, second;

	if (run_cmd("command -v rngtest > /dev/null"))
		SKIP(return, "rngtest (rng-tools5) not installed");
	first = rngtest_failures(_metadata);
	ASSERT_LE(0, first) TH_LOG("rngtest did not test %d blocks",
				   RNGTEST_BLOCKS);
	if (!first)
		return;
	second = rngtest_failures(_metadata);
	ASSERT_LE(0, second);
	ASSERT_GE(3, first + second)
		TH_LOG("%d of %d blocks failed", first + second,
		       2 * RNGTEST_BLOCKS);
}

/*
 * The chip stays awake between the sequences of a burst (one wake, not one
 * per sequence) and goes idle, not to sleep, soon after the last one.  The
 * hwrng core's fill thread may add a wake of its own just before the burst.
 */
TEST_F(chip1, burst_shares_one_wake_then_idle)
{
	char path[128], state[1024];
	u8 buf[64];
	int err, i;

	usleep(IDLE_WAIT_US);
	ASSERT_EQ(0, sim_write(0, "counters", "0"));
	for (i = 0; i < 8; i++)
		ASSERT_EQ(64, hwrng_read_once(buf, sizeof(buf), &err))
			TH_LOG("%s", strerror(err));
	EXPECT_LE(16, sim_counter(0, "random"));
	EXPECT_LE(1, sim_counter(0, "wakes"));
	EXPECT_GE(2, sim_counter(0, "wakes"));
	usleep(IDLE_WAIT_US);
	sim_path(path, sizeof(path), 0, "state");
	ASSERT_LT(0, file_read(path, state, sizeof(state)));
	EXPECT_NE(NULL, strstr(state, "power idle")) TH_LOG("%s", state);
	EXPECT_EQ(0, sim_counter(0, "sleeps"));
	EXPECT_EQ(0, sim_counter(0, "watchdogs"));
}

TEST_F(chip1, unbind_bind_idle)
{
	char buf[64];
	double t0 = now_ms();

	ASSERT_EQ(0, drv_write("unbind", self->e.dev[0]));
	EXPECT_FALSE(iotsec_bound(self->e.dev[0]));
	EXPECT_FALSE(rng_listed(self->e.rng[0]));
	ASSERT_EQ(0, drv_write("bind", self->e.dev[0]));
	EXPECT_LT(now_ms() - t0, BOUND_MS);
	ASSERT_EQ(0, dev_attr(&self->e, 0, "serial_number", buf, sizeof(buf)));
	EXPECT_STREQ(self->e.serial[0], buf);
	EXPECT_TRUE(rng_listed(self->e.rng[0]));
}

TEST_F(chip1, rmmod_idle)
{
	double t0 = now_ms();

	ASSERT_EQ(0, kmod_unload("iotsec"));
	EXPECT_LT(now_ms() - t0, BOUND_MS);
	EXPECT_FALSE(kmod_loaded("iotsec"));
	EXPECT_FALSE(rng_listed(self->e.rng[0]));
}

struct reader {
	pthread_t tid;
	int stop;
	int done;
	int err;
	long long bytes;
};

static void *reader_fn(void *arg)
{
	struct reader *r = arg;
	char buf[64];
	ssize_t n;
	int fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		r->err = errno;
	} else {
		while (!__atomic_load_n(&r->stop, __ATOMIC_ACQUIRE)) {
			n = read(fd, buf, sizeof(buf));
			if (n < 0) {
				r->err = errno;
				break;
			}
			r->bytes += n;
		}
		close(fd);
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Starts a reader; returns once it has read something. */
static int reader_start(struct reader *r)
{
	double end = now_ms() + BOUND_MS;

	memset(r, 0, sizeof(*r));
	if (pthread_create(&r->tid, NULL, reader_fn, r))
		return -EAGAIN;
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) &&
	       __atomic_load_n(&r->bytes, __ATOMIC_RELAXED) < 256 &&
	       now_ms() < end)
		usleep(10000);
	return 0;
}

/* Stops the reader; false if it does not end within BOUND_MS. */
static bool reader_stop(struct reader *r)
{
	double end = now_ms() + BOUND_MS;

	__atomic_store_n(&r->stop, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			return false;
		usleep(10000);
	}
	pthread_join(r->tid, NULL);
	return true;
}

TEST_F_TIMEOUT(chip1, unbind_while_reading, 60)
{
	struct reader r;
	double ms;

	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	ASSERT_EQ(0, reader_start(&r));
	EXPECT_LT(0, r.bytes) TH_LOG("reader: %s", strerror(r.err));
	ms = now_ms();
	ASSERT_EQ(0, drv_write("unbind", self->e.dev[0]));
	ms = now_ms() - ms;
	TH_LOG("unbind with a reader: %.0f ms", ms);
	EXPECT_LT(ms, BOUND_MS);
	ASSERT_TRUE(reader_stop(&r)) TH_LOG("reader still blocked");
	EXPECT_TRUE(r.err == 0 || r.err == ENODEV) TH_LOG("%s", strerror(r.err));
	ASSERT_EQ(0, drv_write("bind", self->e.dev[0]));
	EXPECT_TRUE(rng_listed(self->e.rng[0]));
}

TEST_F_TIMEOUT(chip1, rmmod_while_reading, 60)
{
	struct reader r;
	double ms;

	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	ASSERT_EQ(0, reader_start(&r));
	EXPECT_LT(0, r.bytes) TH_LOG("reader: %s", strerror(r.err));
	ms = now_ms();
	ASSERT_EQ(0, kmod_unload("iotsec"));
	ms = now_ms() - ms;
	TH_LOG("rmmod with a reader: %.0f ms", ms);
	EXPECT_LT(ms, BOUND_MS);
	EXPECT_FALSE(kmod_loaded("iotsec"));
	ASSERT_TRUE(reader_stop(&r)) TH_LOG("reader still blocked");
	EXPECT_TRUE(r.err == 0 || r.err == ENODEV) TH_LOG("%s", strerror(r.err));
}

struct worker {
	pthread_t tid;
	const struct env *e;
	int id;
	double end;
	long long ops;
	long long errors;
	char what[128];
};

static const char * const worker_attrs[] = {
	"serial_number", "config_locked", "data_locked", "slot_config",
	"revision",
};

/* One sysfs read, checked against what the chip holds; 0 or -1. */
static int worker_sysfs(struct worker *w, long long k)
{
	const char *attr = worker_attrs[k % 5];
	char buf[4096];
	int ret = dev_attr(w->e, 0, attr, buf, sizeof(buf));

	if (ret) {
		snprintf(w->what, sizeof(w->what), "%s: %s", attr, strerror(-ret));
		return -1;
	}
	if ((!strcmp(attr, "serial_number") && strcmp(buf, w->e->serial[0])) ||
	    (strstr(attr, "_locked") && strcmp(buf, "1")) ||
	    (!strcmp(attr, "slot_config") && strncmp(buf, "slot  0:", 8))) {
		snprintf(w->what, sizeof(w->what), "%s: '%.40s'", attr, buf);
		return -1;
	}
	return 0;
}

static void *worker_fn(void *arg)
{
	struct worker *w = arg;
	u8 buf[64];
	long long k;
	int err;

	for (k = w->id; now_ms() < w->end; k++) {
		if (hwrng_read_once(buf, sizeof(buf), &err) != sizeof(buf) ||
		    unlocked_pattern(buf)) {
			w->errors++;
			snprintf(w->what, sizeof(w->what), "hwrng: %s",
				 strerror(err));
		}
		if (worker_sysfs(w, k))
			w->errors++;
		w->ops += 2;
	}
	return NULL;
}

TEST_F_TIMEOUT(chip1, concurrent_users_no_corruption, 120)
{
	struct worker w[4];
	long long crc0, crc1;
	int i;

	ASSERT_EQ(0, sim_write(0, "timing", "1"));
	crc0 = sim_counter(0, "crc_errors");
	ASSERT_LE(0, crc0);
	for (i = 0; i < 4; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].e = &self->e;
		w[i].id = i;
		w[i].end = now_ms() + 10000;
		ASSERT_EQ(0, pthread_create(&w[i].tid, NULL, worker_fn, &w[i]));
	}
	for (i = 0; i < 4; i++) {
		pthread_join(w[i].tid, NULL);
		TH_LOG("thread %d: %lld operations, %lld errors %s", i, w[i].ops,
		       w[i].errors, w[i].what);
		EXPECT_LT(0, w[i].ops);
		EXPECT_EQ(0, w[i].errors);
	}
	crc1 = sim_counter(0, "crc_errors");
	EXPECT_EQ(crc0, crc1) TH_LOG("the chip saw corrupted commands");
}

/* ---- two chips: each its own hwrng ---- */

FIXTURE(chip2)
{
	struct env e;
};

FIXTURE_SETUP(chip2)
{
	int ret = env_up(&self->e, 2, "608b", 1);

	ASSERT_EQ(0, ret) TH_LOG("loading the modules: %s", strerror(-ret));
}

FIXTURE_TEARDOWN(chip2)
{
	iotsec_modules_down();
}

TEST_F(chip2, each_chip_has_its_own_hwrng)
{
	long long before[2], after[2];
	u8 buf[RNG_READ];
	int i, j, err;

	ASSERT_NE(0, strcmp(self->e.rng[0], self->e.rng[1]));
	for (i = 0; i < 2; i++) {
		ASSERT_TRUE(rng_listed(self->e.rng[i])) TH_LOG("%s", self->e.rng[i]);
		ASSERT_EQ(0, rng_select(self->e.rng[i]));
		for (j = 0; j < 2; j++)
			before[j] = sim_counter(j, "random");
		ASSERT_EQ(RNG_READ, hwrng_read_once(buf, sizeof(buf), &err))
			TH_LOG("%s: %s", self->e.rng[i], strerror(err));
		for (j = 0; j < 2; j++)
			after[j] = sim_counter(j, "random");
		EXPECT_LT(before[i], after[i]);
		EXPECT_EQ(before[1 - i], after[1 - i]) TH_LOG("wrong chip used");
	}
}

/* ---- faults: each kind on each command of probe and hwrng ---- */

enum via { VIA_PROBE, VIA_RNG };

FIXTURE(fault)
{
	struct env e;
};

FIXTURE_VARIANT(fault)
{
	const char *kind;
	int op;		/* an opcode, or OP_WAKE */
	const char *op_name;
	enum via via;
	int err;	/* 0: a retry must succeed */
	int count;	/* the fault's count=, 0 for 1 */
	int settle_ms;	/* before the next operation */
};

#define OP_WAKE		(-1)

#define FAULT(k, o, v, e)						\
	FIXTURE_VARIANT_ADD(fault, k##_##o)				\
	{								\
		.kind = #k, .op = ATECC_OP_##o, .op_name = #o,		\
		.via = v, .err = e,					\
	}

FAULT(nack, INFO, VIA_PROBE, 0);
FAULT(nack, READ, VIA_PROBE, 0);
FAULT(nack, RANDOM, VIA_RNG, 0);
FAULT(crc, INFO, VIA_PROBE, 0);
FAULT(crc, READ, VIA_PROBE, 0);
FAULT(crc, RANDOM, VIA_RNG, 0);
FAULT(count, INFO, VIA_PROBE, 0);
FAULT(count, READ, VIA_PROBE, 0);
FAULT(count, RANDOM, VIA_RNG, 0);
FAULT(exec_error, INFO, VIA_PROBE, EPERM);
FAULT(exec_error, READ, VIA_PROBE, EPERM);
FAULT(exec_error, RANDOM, VIA_RNG, EPERM);
FAULT(stall, INFO, VIA_PROBE, ETIMEDOUT);
FAULT(stall, READ, VIA_PROBE, ETIMEDOUT);
FAULT(stall, RANDOM, VIA_RNG, ETIMEDOUT);
FAULT(watchdog, INFO, VIA_PROBE, 0);
FAULT(watchdog, READ, VIA_PROBE, 0);
FAULT(watchdog, RANDOM, VIA_RNG, 0);

/*
 * The wake (op=wake, Documentation/sim.rst): one failed wake is retried;
 * a stalled wake is retried until the chip's watchdog ends the stall,
 * except at probe, where a chip that never answered is taken as absent
 * (-ENXIO; it answers once its watchdog fired).  A wake that keeps
 * failing ends the command with the I2C error, or -EIO for a bad answer
 * or a busy bus.
 */
#define WAKE_FAULT(k, v, n, e, s)					\
	FIXTURE_VARIANT_ADD(fault, k##_wake_##v##_##n)			\
	{								\
		.kind = #k, .op = OP_WAKE, .op_name = "wake", .via = v,	\
		.count = n, .err = e, .settle_ms = s,			\
	}

WAKE_FAULT(nack, VIA_PROBE, 1, 0, 0);
WAKE_FAULT(nack, VIA_RNG, 1, 0, 0);
WAKE_FAULT(crc, VIA_PROBE, 1, 0, 0);
WAKE_FAULT(crc, VIA_RNG, 1, 0, 0);
WAKE_FAULT(count, VIA_PROBE, 1, 0, 0);
WAKE_FAULT(count, VIA_RNG, 1, 0, 0);
WAKE_FAULT(stall, VIA_PROBE, 1, ENXIO, 1800);
WAKE_FAULT(stall, VIA_RNG, 1, 0, 0);
WAKE_FAULT(bus_ebusy, VIA_PROBE, 1, 0, 0);
WAKE_FAULT(bus_ebusy, VIA_RNG, 1, 0, 0);
WAKE_FAULT(bus_etimedout, VIA_PROBE, 1, 0, 0);
WAKE_FAULT(bus_etimedout, VIA_RNG, 1, 0, 0);
WAKE_FAULT(nack, VIA_RNG, 1000, ENXIO, 0);
WAKE_FAULT(crc, VIA_RNG, 3, EIO, 0);
WAKE_FAULT(count, VIA_RNG, 3, EIO, 0);
WAKE_FAULT(stall, VIA_RNG, 2, ENXIO, 1800);
WAKE_FAULT(bus_ebusy, VIA_RNG, 3, EIO, 0);
WAKE_FAULT(bus_etimedout, VIA_RNG, 3, ETIMEDOUT, 0);

FIXTURE_SETUP(fault)
{
	int ret = env_up(&self->e, 1, "608b", 1);

	ASSERT_EQ(0, ret) TH_LOG("loading the modules: %s", strerror(-ret));
	if (variant->via == VIA_RNG) {
		ASSERT_EQ(0, rng_select(self->e.rng[0]));
		usleep(200000);	/* let the hwrng fill thread take its first read */
	}
}

FIXTURE_TEARDOWN(fault)
{
	iotsec_modules_down();
}

/* The operation the fault hits; returns 0, an errno, or -1 (short read). */
static int fault_op(const struct env *e, enum via via)
{
	u8 buf[RNG_READ];
	ssize_t n;
	int err;

	if (via == VIA_PROBE)
		return -drv_write("bind", e->dev[0]);
	n = hwrng_read_once(buf, sizeof(buf), &err);
	if (n == RNG_READ)
		return 0;
	return n < 0 ? err : -1;
}

/* The next operation: bound with the right serial, or a full hwrng read. */
static bool next_op_works(const struct env *e, enum via via)
{
	char buf[64];
	u8 rnd[RNG_READ];
	int err;

	if (via == VIA_RNG)
		return hwrng_read_once(rnd, sizeof(rnd), &err) == RNG_READ;
	if (!iotsec_bound(e->dev[0]) && drv_write("bind", e->dev[0]))
		return false;
	return !dev_attr(e, 0, "serial_number", buf, sizeof(buf)) &&
	       !strcmp(buf, e->serial[0]);
}

/* The chip is asleep or idle: the next command needs a wake. */
static bool chip_not_awake(void)
{
	char path[128], buf[1024];
	int i;

	sim_path(path, sizeof(path), 0, "state");
	for (i = 0; i < 100; i++) {
		if (file_read(path, buf, sizeof(buf)) > 0 &&
		    !strstr(buf, "power awake"))
			return true;
		usleep(10000);
	}
	return false;
}

TEST_F_TIMEOUT(fault, ends_cleanly_and_next_works, 60)
{
	int count = variant->count ? variant->count : 1;
	long long injected;
	char spec[64];
	double ms;
	bool next;
	int res;

	if (variant->op == OP_WAKE)
		snprintf(spec, sizeof(spec), "%s count=%d op=wake",
			 variant->kind, count);
	else
		snprintf(spec, sizeof(spec), "%s count=%d op=0x%02x",
			 variant->kind, count, variant->op);
	if (variant->via == VIA_PROBE)
		ASSERT_EQ(0, drv_write("unbind", self->e.dev[0]));
	if (variant->op == OP_WAKE)
		ASSERT_TRUE(chip_not_awake());
	injected = sim_counter(0, "faults_injected");
	ASSERT_EQ(0, sim_write(0, "fault", spec));
	ms = now_ms();
	res = fault_op(&self->e, variant->via);
	ms = now_ms() - ms;
	injected = sim_counter(0, "faults_injected") - injected;
	ASSERT_EQ(0, sim_write(0, "fault", "none"));
	usleep(variant->settle_ms * 1000);
	next = next_op_works(&self->e, variant->via);
	TH_LOG("| %-13s | %-6s | %-5s | %4d | %-24s | %6.0f ms | %4lld used | next %s |",
	       variant->kind, variant->op_name,
	       variant->via == VIA_PROBE ? "probe" : "hwrng", count,
	       !res ? "ok (retried)" : res < 0 ? "short read" : strerror(res),
	       ms, injected, next ? "ok" : "FAILED");
	if (count == 1) {
		EXPECT_EQ(1, injected) TH_LOG("the fault did not hit");
	} else {
		/* each try uses one (a stall one per watchdog period) */
		EXPECT_LE(count < 3 ? count : 3, injected)
			TH_LOG("not retried, or the fault did not hit");
		EXPECT_GE(count, injected);
	}
	EXPECT_LT(ms, BOUND_MS);
	if (variant->err) {
		EXPECT_TRUE(res == variant->err || res == -1)
			TH_LOG("want %s", strerror(variant->err));
	} else {
		EXPECT_EQ(0, res) TH_LOG("%s", strerror(res));
	}
	EXPECT_TRUE(next);
}

TEST_HARNESS_MAIN
