// SPDX-License-Identifier: GPL-2.0
/*
 * The roots' keyring of a configuration (cert.h, struct cert_trust):
 * made once, by the first caller, and the same for every later one and
 * every thread; closed to further links; gone when the roots change or
 * the configuration is freed; and made anew in the child of a fork(),
 * whose process keyring is not its parent's, without touching the
 * parent's; and alive for every thread whatever the thread that made it
 * did (Linux keeps the process keyring per thread: the ring used to die
 * with the worker thread that ran the first handshake, and a session
 * freed in another thread could not drop its ring).  The keyrings are real (the host kernel's), with no
 * certificates in them: adding one would need the kernel's X.509 and
 * ECDSA, which the VM tests cover.  Skipped where keyrings are not
 * allowed (some container sandboxes refuse add_key).
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cert.h"
#include "iotsec.h"
#include "session.h"
#include "kselftest_harness.h"

#define THREADS 8

static bool keyrings_work(void)
{
	key_serial_t k = add_key("keyring", "cert_trust_test", NULL, 0,
				 KEY_SPEC_PROCESS_KEYRING);

	if (k < 0)
		return false;
	keyctl_invalidate(k);
	return true;
}

/* The key still exists (and the caller may see it). */
static bool alive(key_serial_t k)
{
	char *d = NULL;
	bool ok = keyctl_describe_alloc(k, &d) >= 0;

	free(d);
	return ok;
}

TEST(made_once_then_shared)
{
	struct cert_trust t;
	key_serial_t a = 0, b = 0;

	if (!keyrings_work())
		SKIP(return, "no keyrings here (add_key: %s)", strerror(errno));
	cert_trust_init(&t);
	ASSERT_EQ(0, cert_trust_get(&t, NULL, 0, &a));
	ASSERT_GT(a, 0);
	ASSERT_EQ(0, cert_trust_get(&t, NULL, 0, &b));
	EXPECT_EQ(a, b);
	/* Nothing more goes into the trust anchors. */
	EXPECT_GT(0, add_key("user", "intruder", "x", 1, a));
	EXPECT_EQ(EPERM, errno);
	cert_trust_drop(&t);
	EXPECT_FALSE(alive(a));
	/* Dropped, then wanted again: a new one. */
	ASSERT_EQ(0, cert_trust_get(&t, NULL, 0, &b));
	EXPECT_GT(b, 0);
	EXPECT_NE(a, b);
	cert_trust_destroy(&t);
	EXPECT_FALSE(alive(b));
}

struct racer {
	struct cert_trust *t;
	pthread_barrier_t *go;
	key_serial_t ring;
	int ret;
};

static void *race(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->go);
	r->ret = cert_trust_get(r->t, NULL, 0, &r->ring);
	return NULL;
}

TEST(threads_share_one)
{
	struct racer r[THREADS];
	pthread_t th[THREADS];
	pthread_barrier_t go;
	struct cert_trust t;
	int i;

	if (!keyrings_work())
		SKIP(return, "no keyrings here (add_key: %s)", strerror(errno));
	cert_trust_init(&t);
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, THREADS));
	for (i = 0; i < THREADS; i++) {
		r[i] = (struct racer){ .t = &t, .go = &go };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, race, &r[i]));
	}
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < THREADS; i++) {
		EXPECT_EQ(0, r[i].ret);
		EXPECT_GT(r[i].ring, 0);
		EXPECT_EQ(r[0].ring, r[i].ring);
	}
	pthread_barrier_destroy(&go);
	cert_trust_destroy(&t);
	EXPECT_FALSE(alive(r[0].ring));
}

TEST(fork_child_makes_its_own)
{
	struct cert_trust t;
	key_serial_t parent, child;
	int status;
	pid_t pid;

	if (!keyrings_work())
		SKIP(return, "no keyrings here (add_key: %s)", strerror(errno));
	cert_trust_init(&t);
	ASSERT_EQ(0, cert_trust_get(&t, NULL, 0, &parent));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		/* exit status: 0 fine, else which check failed */
		if (cert_trust_get(&t, NULL, 0, &child) || child <= 0)
			_exit(1);
		if (child == parent)
			_exit(2);
		cert_trust_destroy(&t);
		if (alive(child))
			_exit(3);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The child neither used nor dropped ours. */
	EXPECT_TRUE(alive(parent));
	ASSERT_EQ(0, cert_trust_get(&t, NULL, 0, &child));
	EXPECT_EQ(parent, child);
	cert_trust_destroy(&t);
	EXPECT_FALSE(alive(parent));
}

/* The configuration: new roots drop the ring; so does freeing it. */
TEST(config_roots_change_and_free)
{
	char dir[] = "/tmp/cert_trust_test.XXXXXX", path[64];
	struct iotsec_config *cfg;
	key_serial_t a, b;
	unsigned int n;
	FILE *f;

	if (!keyrings_work())
		SKIP(return, "no keyrings here (add_key: %s)", strerror(errno));
	ASSERT_NE(NULL, mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/root.pem", dir);
	f = fopen(path, "w");
	ASSERT_NE(NULL, f);
	fputs("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
	      f);
	ASSERT_EQ(0, fclose(f));

	ASSERT_EQ(0, iotsec_config_new(&cfg));
	/* no roots yet: an empty ring, as good as any for this test */
	ASSERT_EQ(0, config_roots_ring(cfg, &a));
	ASSERT_EQ(0, config_roots_ring(cfg, &b));
	EXPECT_EQ(a, b);
	/* a failed setter changes nothing */
	EXPECT_EQ(-ENOENT, iotsec_config_set_root_ca_file(cfg, "/nonexistent"));
	EXPECT_TRUE(alive(a));
	EXPECT_EQ(0, iotsec_config_set_root_ca_file(cfg, path));
	EXPECT_FALSE(alive(a));
	EXPECT_EQ(0, cfg->trust->ring);
	/* the roots kept from the kernel, which would not parse "AAAA" */
	n = cfg->roots.count;
	cfg->roots.count = 0;
	ASSERT_EQ(0, config_roots_ring(cfg, &b));
	cfg->roots.count = n;
	EXPECT_NE(a, b);
	iotsec_config_free(cfg);
	EXPECT_FALSE(alive(b));
	unlink(path);
	rmdir(dir);
}

struct worker {
	struct cert_trust *t;
	key_serial_t ring;
	int ret;
	pthread_barrier_t *hold;	/* NULL: return at once */
};

static void *get_ring(void *arg)
{
	struct worker *w = arg;

	w->ret = cert_trust_get(w->t, NULL, 0, &w->ring);
	if (w->hold) {
		pthread_barrier_wait(w->hold);	/* got it */
		pthread_barrier_wait(w->hold);	/* may exit */
	}
	return NULL;
}

/* Waits up to 2 s for the key GC to take k; true if it did. */
static bool gone_soon(key_serial_t k)
{
	int i;

	for (i = 0; i < 200 && alive(k); i++)
		usleep(10000);
	return !alive(k);
}

/*
 * Thread pool: a worker makes the ring and exits before anyone else used
 * it, and its process keyring (the ring's only link) goes with it.  The
 * next worker gets a live ring, not the dead serial.  No process keyring
 * is made by the main thread first (that hid the fault: every thread
 * then shares the main thread's).
 */
TEST(ring_outlives_the_thread_that_made_it)
{
	struct cert_trust t;
	struct worker a = { .t = &t }, b = { .t = &t };
	pthread_t th;

	cert_trust_init(&t);
	ASSERT_EQ(0, pthread_create(&th, NULL, get_ring, &a));
	pthread_join(th, NULL);
	if (a.ret == -EPERM || a.ret == -EACCES || a.ret == -ENOSYS)
		SKIP(return, "keyrings not allowed here (%d)", a.ret);
	ASSERT_EQ(0, a.ret);
	/* Its thread is gone, and with it the only link to the ring. */
	ASSERT_TRUE(gone_soon(a.ring));
	ASSERT_EQ(0, pthread_create(&th, NULL, get_ring, &b));
	pthread_join(th, NULL);
	ASSERT_EQ(0, b.ret);
	EXPECT_NE(a.ring, b.ring);
	EXPECT_TRUE(alive(b.ring));
	cert_trust_destroy(&t);
}

/*
 * Overlap: a second worker gets the ring while the first still runs;
 * then the first exits.  The same ring stays alive for the others, and a
 * third thread (not its maker) frees it for good.
 */
TEST(ring_shared_while_its_maker_exits_and_freed_by_another)
{
	struct cert_trust t;
	pthread_barrier_t hold;
	struct worker a = { .t = &t, .hold = &hold }, b = { .t = &t };
	key_serial_t c;
	pthread_t th;

	cert_trust_init(&t);
	ASSERT_EQ(0, pthread_barrier_init(&hold, NULL, 2));
	ASSERT_EQ(0, pthread_create(&th, NULL, get_ring, &a));
	pthread_barrier_wait(&hold);
	if (a.ret == -EPERM || a.ret == -EACCES || a.ret == -ENOSYS) {
		pthread_barrier_wait(&hold);
		pthread_join(th, NULL);
		SKIP(return, "keyrings not allowed here (%d)", a.ret);
	}
	ASSERT_EQ(0, a.ret);
	/* The main thread (it has no process keyring yet) takes it too. */
	ASSERT_EQ(0, cert_trust_get(&t, NULL, 0, &c));
	EXPECT_EQ(a.ring, c);
	pthread_barrier_wait(&hold);
	pthread_join(th, NULL);
	usleep(200000);		/* the maker's keyring has been put by now */
	EXPECT_TRUE(alive(a.ring));
	/* Another worker still gets the same one. */
	{
		pthread_t th2;

		ASSERT_EQ(0, pthread_create(&th2, NULL, get_ring, &b));
		pthread_join(th2, NULL);
	}
	EXPECT_EQ(0, b.ret);
	EXPECT_EQ(a.ring, b.ring);
	/* Freed from the main thread, which did not make it: gone. */
	cert_trust_destroy(&t);
	EXPECT_TRUE(gone_soon(a.ring));
	pthread_barrier_destroy(&hold);
}

TEST_HARNESS_MAIN
