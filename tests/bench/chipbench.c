// SPDX-License-Identifier: GPL-2.0
/*
 * chipbench: what chip operations cost through the iotsec driver, as a
 * ratio to the time the simulator models for the commands they cause.
 *
 * Run by tests/bench/bench.sh in the VM, with iotsec_sim (timing on),
 * iotsec and algif_kpp loaded, the chip's hwrng current and an iotsec key.
 * For each operation, each sample is timed around the call that makes it;
 * the simulator's counters are read before and after (outside the timed
 * window), so the modelled time is that of exactly the commands the sample
 * caused.  A sample whose counters show other commands (the hwrng core's
 * own fill thread uses the chip now and then) or that met a busy chip is
 * thrown away and taken again.
 *
 *   Random  read(/dev/hwrng, 64 bytes): the hwrng core always asks its
 *           driver for 64 bytes on x86-64 (RNG_BUFFER_SIZE), which the
 *           driver serves with two Randoms in one sequence
 *   Sign    keyctl_pkey_sign() with the iotsec key: Nonce, Sign
 *   GenKey  kpp_keygen() on ecdh-nist-p256-iotsec: GenKey into
 *           TempKey (setsockopt, accept, keygen op, read)
 *   ECDH    kpp_derive() with the generator as the peer's key:
 *           ECDH from TempKey; the secret must equal our public X
 *
 * usage: chipbench -H                   print the table header
 *        chipbench -k KEY [-d DIR] [-n RANDOM,SIGN,ECDH] [-w WARMUP] [-v]
 *
 * Prints one table row per operation for the simulator's current
 * timing_pct: mean times, the ratio of the sums (mean), the median and the
 * largest ratio of single samples, and PASS when the median meets the
 * target (a stall of the shared host under TCG moves the mean and the
 * maximum, not the median); -v lists every timed sample on stderr.  Exit status: 0 when
 * everything was measured (whether or not the targets are met: this is a
 * benchmark), 1 on bad usage or setup, 2 when an operation could not be
 * measured.
 */
#include <errno.h>
#include <fcntl.h>
#include <keyutils.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kmod.h"
#include "simctl.h"
#include "kpp.h"

#define CHIP_DIR	"/sys/kernel/debug/iotsec_sim/chip0"
#define KPP_DRIVER	"ecdh-nist-p256-iotsec"
#define SIGN_INFO	"enc=x962 hash=sha256"
#define RNG_READ	64
#define TARGET		1.10
#define MAX_SAMPLES	1000
#define RETRIES		20	/* disturbed samples tolerated per operation */
#define QUIET_TRIES	100	/* 10 ms waits for a busy chip */

/* Datasheet maxima (ms): 508A, 608 at clock divider M0 (Documentation/
 * atecc608.rst), what a driver sleeping the maximum waits.
 */
static const unsigned int max_ms_508a[SIM_OPS] = {
	2, 23, 29, 115, 60, 72, 58, 5, 26, 32, 9, 20,
};
static const unsigned int max_ms_608[SIM_OPS] = {
	5, 23, 20, 115, 115, 105, 75, 5, 45, 35, 36, 25,
};

struct row {
	const char *name;
	unsigned int expect[SIM_OPS];	/* commands one sample causes */
	unsigned int n;
	double meas_us[MAX_SAMPLES];
	double model_us[MAX_SAMPLES];
	double max_us;			/* sum of datasheet maxima, all samples */
	unsigned int discarded;
};

struct bench {
	const char *dir;
	const unsigned int *max_ms;
	unsigned int pct;
	long key;
	int rng_fd;
	struct kpp kpp;
	uint8_t pub[KPP_P256_PUB];
	bool verbose;
};

/* The P-256 generator, X || Y: a peer key whose secret is our own X. */
static const uint8_t p256_g[KPP_P256_PUB] = {
	0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
	0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0,
	0xf4, 0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2,
	0xfe, 0x1a, 0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16,
	0x2b, 0xce, 0x33, 0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68,
	0x37, 0xbf, 0x51, 0xf5,
};

static int bench_path(const struct bench *b, const char *file, char *path,
		    size_t len)
{
	return snprintf(path, len, "%s/%s", b->dir, file) < (int)len ? 0 :
								      -ENAMETOOLONG;
}

/* Whether the simulated chip is executing a command (someone else's). */
static bool chip_busy(const struct bench *b)
{
	char path[256], buf[1024];

	if (bench_path(b, "state", path, sizeof(path)) ||
	    file_read(path, buf, sizeof(buf)) < 0)
		return false;
	return strstr(buf, "\nbusy 1\n") != NULL;
}

static int wait_quiet(const struct bench *b)
{
	int i;

	for (i = 0; i < QUIET_TRIES; i++) {
		if (!chip_busy(b))
			return 0;
		usleep(10000);
	}
	return -EBUSY;
}

/* Adds one sample if the counters moved by exactly row->expect. */
static bool sample_take(struct bench *b, struct row *r, double us,
			const struct sim_ops *c0, const struct sim_ops *c1)
{
	double model = 0, max = 0;
	unsigned int i;

	for (i = 0; i < SIM_OPS; i++) {
		if (c1->n[i] - c0->n[i] != r->expect[i])
			return false;
		model += c1->us[i] - c0->us[i];
		max += r->expect[i] * b->max_ms[i] * 1000.0;
	}
	if (model <= 0 || r->n >= MAX_SAMPLES)
		return false;
	if (b->verbose)
		fprintf(stderr, "chipbench: %u%% %s: %.0f us, modelled %.0f us\n",
			b->pct, r->name, us, model);
	r->meas_us[r->n] = us;
	r->model_us[r->n] = model;
	r->max_us += max;
	r->n++;
	return true;
}

static void delta_print(const char *what, const struct sim_ops *c0,
			const struct sim_ops *c1)
{
	unsigned int i;

	fprintf(stderr, "chipbench: %s: commands seen:", what);
	for (i = 0; i < SIM_OPS; i++)
		if (c1->n[i] != c0->n[i])
			fprintf(stderr, " %s %llu", sim_op_names[i],
				c1->n[i] - c0->n[i]);
	fprintf(stderr, "\n");
}

/* ---- the operations; each returns 0 or -errno ---- */

static int do_random(struct bench *b)
{
	uint8_t buf[RNG_READ];
	ssize_t n = read(b->rng_fd, buf, sizeof(buf));

	if (n < 0)
		return -errno;
	return n == sizeof(buf) ? 0 : -EIO;
}

static int do_sign(struct bench *b)
{
	uint8_t dgst[32], sig[72];
	long n;

	memset(dgst, 0x5a, sizeof(dgst));
	n = keyctl_pkey_sign(b->key, SIGN_INFO, dgst, sizeof(dgst), sig,
			     sizeof(sig));
	if (n < 0)
		return -errno;
	return n > 8 ? 0 : -EIO;
}

static int do_keygen(struct bench *b)
{
	return kpp_keygen(&b->kpp, b->pub);
}

static int do_derive(struct bench *b)
{
	uint8_t secret[KPP_P256_SECRET];
	int ret = kpp_derive(&b->kpp, p256_g, secret);

	if (!ret && memcmp(secret, b->pub, sizeof(secret)))
		ret = -EBADMSG;	/* d * G must be our own public key */
	return ret;
}

/*
 * One timed call between two counter reads.  Return: 1 sample taken, 0
 * disturbed (take it again), -errno the operation failed.
 */
static int timed(struct bench *b, struct row *r, int (*fn)(struct bench *),
		 bool keep)
{
	struct sim_ops c0, c1;
	double t0, t1;
	int ret;

	if (wait_quiet(b))
		return 0;
	ret = sim_ops_read(b->dir, &c0);
	if (ret)
		return ret;
	t0 = now_ms();
	ret = fn(b);
	t1 = now_ms();
	if (ret)
		return ret;
	ret = sim_ops_read(b->dir, &c1);
	if (ret)
		return ret;
	if (!keep)
		return 1;
	if (sample_take(b, r, (t1 - t0) * 1000.0, &c0, &c1))
		return 1;
	if (!r->discarded++)
		delta_print(r->name, &c0, &c1);
	return 0;
}

/* keygen then derive on a fresh transform, each timed on its own. */
static int kpp_once(struct bench *b, struct row *kg, struct row *dh,
		    bool keep)
{
	int ret = kpp_open(&b->kpp, KPP_DRIVER);

	if (ret) {
		fprintf(stderr, "chipbench: bind %s: %s\n", KPP_DRIVER,
			strerror(-ret));
		return ret;
	}
	ret = timed(b, kg, do_keygen, keep);
	if (ret == 1)
		ret = timed(b, dh, do_derive, keep);
	kpp_close(&b->kpp);
	if (ret != -EKEYEXPIRED)
		return ret;
	/* TempKey lost to another user in between: take both again */
	if (!dh->discarded++)
		fprintf(stderr, "chipbench: %s: TempKey taken by another user\n",
			dh->name);
	return 0;
}

/*
 * What one measurement takes: one timed call of @fn into row @r, or with
 * @dh a keygen (row @r) then a derive (row @dh) on a fresh transform.
 */
struct job {
	struct row *r, *dh;
	int (*fn)(struct bench *b);
};

static int job_once(struct bench *b, const struct job *j, bool keep)
{
	if (j->dh)
		return kpp_once(b, j->r, j->dh, keep);
	return timed(b, j->r, j->fn, keep);
}

/*
 * @warmup untimed then @iters timed runs of @j, a few retries allowed;
 * a disturbed keygen leaves the two kpp rows uneven: that is fine.
 */
static int measure(struct bench *b, const struct job *j, const char *what,
		   unsigned int iters, unsigned int warmup)
{
	unsigned int done = 0, tries = 0;
	int ret;

	while (done < warmup + iters) {
		if (tries++ > warmup + iters + RETRIES)
			return -EAGAIN;
		ret = job_once(b, j, done >= warmup);
		if (ret < 0) {
			fprintf(stderr, "chipbench: %s: %s\n", what,
				strerror(-ret));
			return ret;
		}
		done += ret;
	}
	return 0;
}

static int measure_simple(struct bench *b, struct row *r,
			  int (*fn)(struct bench *), unsigned int iters,
			  unsigned int warmup)
{
	const struct job j = { .r = r, .fn = fn };

	return measure(b, &j, r->name, iters, warmup);
}

static int measure_kpp(struct bench *b, struct row *kg, struct row *dh,
		       unsigned int iters, unsigned int warmup)
{
	const struct job j = { .r = kg, .dh = dh };

	return measure(b, &j, "GenKey/ECDH", iters, warmup);
}

/* ---- the table ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void header_print(void)
{
	printf("%-4s %-24s %3s %11s %11s %6s %6s %6s %11s %7s %s\n",
	       "pct", "operation (commands)", "n", "measured", "modelled",
	       "mean", "median", "max", "fixed-sleep", "target", "result");
}

static void row_print(const struct bench *b, const struct row *r)
{
	double meas = 0, model = 0, ratios[MAX_SAMPLES], median;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		meas += r->meas_us[i];
		model += r->model_us[i];
		ratios[i] = r->meas_us[i] / r->model_us[i];
	}
	qsort(ratios, r->n, sizeof(ratios[0]), cmp_double);
	median = r->n % 2 ? ratios[r->n / 2] :
			    (ratios[r->n / 2 - 1] + ratios[r->n / 2]) / 2;
	printf("%-4u %-24s %3u %8.2f ms %8.2f ms %6.3f %6.3f %6.3f %11.2f %7s %s\n",
	       b->pct, r->name, r->n, meas / r->n / 1000, model / r->n / 1000,
	       meas / model, median, ratios[r->n - 1], r->max_us / model,
	       "<=1.10", median <= TARGET ? "PASS" : "MISS");
	if (r->discarded)
		printf("     (%s: %u disturbed samples taken again)\n",
		       r->name, r->discarded);
}

/* ---- setup ---- */

static int setup(struct bench *b)
{
	char path[256], buf[1024];
	unsigned long val;

	if (bench_path(b, "timing", path, sizeof(path)) ||
	    file_read_ulong(path, &val) || val != 1) {
		fprintf(stderr, "chipbench: %s: simulator timing is not on\n",
			path);
		return -EINVAL;
	}
	if (bench_path(b, "timing_pct", path, sizeof(path)) ||
	    file_read_ulong(path, &val) || !val) {
		fprintf(stderr, "chipbench: cannot read %s\n", path);
		return -EINVAL;
	}
	b->pct = (unsigned int)val;
	if (bench_path(b, "state", path, sizeof(path)) ||
	    file_read(path, buf, sizeof(buf)) < 0) {
		fprintf(stderr, "chipbench: cannot read %s\n", path);
		return -EINVAL;
	}
	b->max_ms = strstr(buf, "model 508a") ? max_ms_508a : max_ms_608;
	b->rng_fd = open("/dev/hwrng", O_RDONLY | O_CLOEXEC);
	if (b->rng_fd < 0) {
		fprintf(stderr, "chipbench: /dev/hwrng: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: chipbench -H | -k KEY [-d SIMDIR] [-n RANDOM,SIGN,ECDH] [-w WARMUP] [-v]\n");
	exit(1);
}

int main(int argc, char **argv)
{
	static struct row rnd = { .name = "Random (2 x Random)",
				  .expect = { [SIM_RANDOM] = 2 } };
	static struct row sig = { .name = "Sign (Nonce,Sign)",
				  .expect = { [SIM_NONCE] = 1, [SIM_SIGN] = 1 } };
	static struct row kg = { .name = "GenKey (kpp keygen)",
				 .expect = { [SIM_GENKEY] = 1 } };
	static struct row dh = { .name = "ECDH (kpp derive)",
				 .expect = { [SIM_ECDH] = 1 } };
	struct bench b = { .dir = CHIP_DIR, .rng_fd = -1 };
	unsigned int n_rnd = 40, n_sig = 20, n_dh = 20, warmup = 5;
	int opt, ret;

	while ((opt = getopt(argc, argv, "Hk:d:n:vw:")) != -1) {
		switch (opt) {
		case 'H':
			header_print();
			return 0;
		case 'k':
			b.key = strtol(optarg, NULL, 0);
			break;
		case 'd':
			b.dir = optarg;
			break;
		case 'n':
			if (sscanf(optarg, "%u,%u,%u", &n_rnd, &n_sig,
				   &n_dh) != 3)
				usage();
			break;
		case 'v':
			b.verbose = true;
			break;
		case 'w':
			warmup = (unsigned int)strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	if (b.key <= 0 || !n_rnd || !n_sig || !n_dh ||
	    n_rnd > MAX_SAMPLES || n_sig > MAX_SAMPLES || n_dh > MAX_SAMPLES)
		usage();
	if (setup(&b))
		return 1;
	ret = measure_simple(&b, &rnd, do_random, n_rnd, warmup);
	if (!ret)
		ret = measure_simple(&b, &sig, do_sign, n_sig, warmup);
	if (!ret)
		ret = measure_kpp(&b, &kg, &dh, n_dh, warmup);
	close(b.rng_fd);
	if (ret || !kg.n || !dh.n) {
		fprintf(stderr, "chipbench: could not measure at %u %%\n",
			b.pct);
		return 2;
	}
	row_print(&b, &rnd);
	row_print(&b, &sig);
	row_print(&b, &dh);
	row_print(&b, &kg);
	return 0;
}
