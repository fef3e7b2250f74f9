// SPDX-License-Identifier: GPL-2.0
/*
 * The roots' keyring of a configuration (cert.h, struct cert_trust):
 * made once, by the first caller, and the same for every later one and
 * every thread; closed to further links; gone when the roots change or
 * the configuration is freed; and made anew in the child of a fork(),
 * whose process keyring is not its parent's, without touching the
 * parent's.  The keyrings are real (the host kernel's), with no
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

TEST_HARNESS_MAIN
