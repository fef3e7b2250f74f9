// SPDX-License-Identifier: GPL-2.0
/*
 * libiotsec-pkcs11: PKCS#11 2.40 over the kernel's iotsec keys.
 *
 * One slot per chip the iotsec driver has bound; the token's objects are
 * the iotsec keys of that chip the calling process may view, their
 * public keys and the certificates the configuration names.  Signing is
 * keyctl_pkey_sign(): the kernel checks the key's permissions and the
 * driver shares the chip between any number of processes.
 *
 * One mutex guards all state (CKF_OS_LOCKING_OK); it is dropped while the
 * chip signs.  After fork() the child must call C_Initialize again: until
 * it does, every call returns CKR_CRYPTOKI_NOT_INITIALIZED.
 */
#define _GNU_SOURCE	/* secure_getenv */
#include <errno.h>
#include <stdio.h>
#include <keyutils.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "p11.h"

#define MAX_SLOTS	16
#define MAX_KEYS	256
#define MAX_SESSIONS	1024
#define SIG_LEN		64	/* r || s */
#define DIGEST_LEN	32
#define DER_MAX		72	/* the key type's max_sig_size: no larger buffer */
#define CONF_DEFAULT	"/etc/iotsec/pkcs11.conf"

struct session {
	int used;
	CK_SLOT_ID slot;
	CK_FLAGS flags;
	CK_OBJECT_HANDLE *found;	/* C_FindObjects results */
	CK_ULONG nfound, pos;
	int finding;
	int signing, busy;
	CK_MECHANISM_TYPE mech;
	CK_OBJECT_HANDLE key;
	struct p11_sha256 sha;
	uint8_t data[DIGEST_LEN];	/* CKM_ECDSA: the digest so far */
	size_t ndata;
};

static struct {
	int init;
	pid_t pid;
	struct p11_conf conf;
	struct p11_chip chips[MAX_SLOTS];
	unsigned int nchips;
	struct p11_key *keys;		/* append-only: handles stay valid */
	unsigned int nkeys;
	struct session *sess;		/* MAX_SESSIONS */
} g;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void fork_prepare(void)
{
	pthread_mutex_lock(&lock);
}

static void fork_parent(void)
{
	pthread_mutex_unlock(&lock);
}

static void fork_child(void)
{
	pthread_mutex_unlock(&lock);
}

static void register_atfork(void)
{
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* Under the lock: whether this process initialized the library. */
static int ready(void)
{
	return g.init && g.pid == getpid();
}

#define ENTER()						\
	do {						\
		pthread_mutex_lock(&lock);		\
		if (!ready()) {				\
			pthread_mutex_unlock(&lock);	\
			return CKR_CRYPTOKI_NOT_INITIALIZED; \
		}					\
	} while (0)

static CK_RV leave(CK_RV rv)
{
	pthread_mutex_unlock(&lock);
	return rv;
}

static void pad(CK_UTF8CHAR *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	memset(dst, ' ', len);
	memcpy(dst, src, n < len ? n : len);
}

/* --- state ------------------------------------------------------------------ */

static void free_state(void)
{
	unsigned int i;

	if (g.sess)
		for (i = 0; i < MAX_SESSIONS; i++)
			free(g.sess[i].found);
	free(g.sess);
	free(g.keys);
	p11_conf_free(&g.conf);
	memset(&g, 0, sizeof(g));
}

/* New chips get the next slot IDs; a chip that went away keeps its slot,
 * without a token. */
static void refresh_chips(void)
{
	struct p11_chip now[MAX_SLOTS];
	unsigned int i, j;
	int n = p11_scan_chips(now, MAX_SLOTS);

	if (n < 0)
		n = 0;
	for (i = 0; i < g.nchips; i++)
		g.chips[i].present = 0;
	for (j = 0; j < (unsigned int)n; j++) {
		for (i = 0; i < g.nchips; i++)
			if (!strcmp(g.chips[i].serial, now[j].serial))
				break;
		if (i == g.nchips) {
			if (g.nchips == MAX_SLOTS)
				continue;
			g.nchips++;
		}
		g.chips[i] = now[j];
	}
}

static void refresh_keys(void)
{
	struct p11_key *now, *k, *nk;
	unsigned int i;
	int n, j;

	now = malloc(MAX_KEYS * sizeof(*now));
	if (!now)
		return;
	n = p11_scan_keys(&g.conf, now, MAX_KEYS);
	for (i = 0; i < g.nkeys; i++)
		g.keys[i].present = 0;
	for (j = 0; j < n; j++) {
		for (i = 0; i < g.nkeys; i++)
			if (g.keys[i].serial == now[j].serial)
				break;
		if (i == g.nkeys) {
			if (g.nkeys == MAX_KEYS)
				continue;
			nk = realloc(g.keys, (g.nkeys + 1) * sizeof(*nk));
			if (!nk)
				break;
			g.keys = nk;
			g.nkeys++;
		}
		k = &g.keys[i];
		*k = now[j];
		k->present = 1;
	}
	free(now);
}

static int slot_ok(CK_SLOT_ID slot)
{
	return slot < g.nchips;
}

static struct session *get_session(CK_SESSION_HANDLE h, CK_RV *rv)
{
	struct session *s;

	if (!h || h > MAX_SESSIONS || !g.sess[h - 1].used) {
		*rv = CKR_SESSION_HANDLE_INVALID;
		return NULL;
	}
	s = &g.sess[h - 1];
	if (!g.chips[s->slot].present) {
		*rv = CKR_DEVICE_REMOVED;
		return NULL;
	}
	*rv = CKR_OK;
	return s;
}

/* The key and kind of an object handle on @slot, or NULL. */
static struct p11_key *get_object(CK_SLOT_ID slot, CK_OBJECT_HANDLE h, int *kind)
{
	struct p11_key *k;
	CK_ULONG i;

	if (!h)
		return NULL;
	i = (h - 1) / P11_KINDS;
	*kind = (h - 1) % P11_KINDS;
	if (i >= g.nkeys)
		return NULL;
	k = &g.keys[i];
	if (!k->present || strcmp(k->chip, g.chips[slot].serial) ||
	    !p11_obj_exists(k, *kind))
		return NULL;
	return k;
}

/* Called locked: the object @obj seen from session @h, or NULL with *rv. */
static struct p11_key *session_object(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj,
				      int *kind, CK_RV *rv)
{
	struct session *s = get_session(h, rv);
	struct p11_key *k;

	if (!s)
		return NULL;
	k = get_object(s->slot, obj, kind);
	if (!k)
		*rv = CKR_OBJECT_HANDLE_INVALID;
	return k;
}

static void end_ops(struct session *s)
{
	free(s->found);
	s->found = NULL;
	s->finding = 0;
	s->signing = 0;
	memset(&s->sha, 0, sizeof(s->sha));
	s->ndata = 0;
}

/* --- general -------------------------------------------------------------- */

CK_RV C_Initialize(CK_VOID_PTR pInitArgs)
{
	CK_C_INITIALIZE_ARGS *a = pInitArgs;
	const char *path;
	CK_RV rv = CKR_OK;

	if (a) {
		if (a->pReserved)
			return CKR_ARGUMENTS_BAD;
		if (a->CreateMutex || a->DestroyMutex || a->LockMutex || a->UnlockMutex) {
			if (!a->CreateMutex || !a->DestroyMutex || !a->LockMutex ||
			    !a->UnlockMutex)
				return CKR_ARGUMENTS_BAD;
			if (!(a->flags & CKF_OS_LOCKING_OK))
				return CKR_CANT_LOCK;	/* only OS locking here */
		}
	}
	pthread_once(&atfork_once, register_atfork);
	pthread_mutex_lock(&lock);
	if (ready())
		return leave(CKR_CRYPTOKI_ALREADY_INITIALIZED);
	if (g.init)		/* inherited across fork(): start afresh */
		free_state();
	path = secure_getenv("IOTSEC_PKCS11_CONF");
	if (!path || !*path)
		path = CONF_DEFAULT;
	g.sess = calloc(MAX_SESSIONS, sizeof(*g.sess));
	if (!g.sess) {
		rv = CKR_HOST_MEMORY;
	} else if (p11_conf_load(path, &g.conf)) {
		rv = CKR_GENERAL_ERROR;
	} else {
		g.init = 1;
		g.pid = getpid();
		refresh_chips();
	}
	if (rv != CKR_OK)
		free_state();
	return leave(rv);
}

CK_RV C_Finalize(CK_VOID_PTR pReserved)
{
	unsigned int i;

	if (pReserved)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	for (;;) {	/* a C_Sign in another thread ends first */
		for (i = 0; i < MAX_SESSIONS && !g.sess[i].busy; i++)
			;
		if (i == MAX_SESSIONS)
			break;
		pthread_mutex_unlock(&lock);
		usleep(1000);
		pthread_mutex_lock(&lock);
		if (!ready())
			return leave(CKR_CRYPTOKI_NOT_INITIALIZED);
	}
	free_state();
	return leave(CKR_OK);
}

CK_RV C_GetInfo(CK_INFO_PTR info)
{
	if (!info)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	pad(info->manufacturerID, sizeof(info->manufacturerID), "iotsec");
	pad(info->libraryDescription, sizeof(info->libraryDescription),
	    "iotsec kernel keyring keys");
	info->libraryVersion.major = 0;
	info->libraryVersion.minor = 1;
	return leave(CKR_OK);
}

/* --- slots and tokens --------------------------------------------------------- */

CK_RV C_GetSlotList(CK_BBOOL tokenPresent, CK_SLOT_ID_PTR list, CK_ULONG_PTR count)
{
	CK_ULONG n = 0, i;
	CK_RV rv = CKR_OK;

	if (!count)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!list)		/* the count first: the list follows it */
		refresh_chips();
	for (i = 0; i < g.nchips; i++) {
		if (tokenPresent && !g.chips[i].present)
			continue;
		if (list && n < *count)
			list[n] = i;
		n++;
	}
	if (list && n > *count)
		rv = CKR_BUFFER_TOO_SMALL;
	*count = n;
	return leave(rv);
}

CK_RV C_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO_PTR info)
{
	char text[128];

	if (!info)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!slot_ok(slot))
		return leave(CKR_SLOT_ID_INVALID);
	memset(info, 0, sizeof(*info));
	snprintf(text, sizeof(text), "iotsec %s at I2C %s", g.chips[slot].model,
		 g.chips[slot].dev);
	pad(info->slotDescription, sizeof(info->slotDescription), text);
	pad(info->manufacturerID, sizeof(info->manufacturerID), "iotsec");
	info->flags = CKF_HW_SLOT | (g.chips[slot].present ? CKF_TOKEN_PRESENT : 0);
	return leave(CKR_OK);
}

CK_RV C_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
	if (!info)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!slot_ok(slot))
		return leave(CKR_SLOT_ID_INVALID);
	if (!g.chips[slot].present)
		return leave(CKR_TOKEN_NOT_PRESENT);
	memset(info, 0, sizeof(*info));
	pad(info->label, sizeof(info->label), g.chips[slot].serial);
	pad(info->manufacturerID, sizeof(info->manufacturerID), "Microchip via iotsec");
	pad(info->model, sizeof(info->model), g.chips[slot].model);
	/* 16 characters: the serial number's last 16 hex digits. */
	pad(info->serialNumber, sizeof(info->serialNumber),
	    g.chips[slot].serial + P11_SERIAL_LEN - sizeof(info->serialNumber));
	info->flags = CKF_TOKEN_INITIALIZED | CKF_WRITE_PROTECTED;
	info->ulMaxSessionCount = CK_EFFECTIVELY_INFINITE;
	info->ulSessionCount = CK_UNAVAILABLE_INFORMATION;
	info->ulMaxRwSessionCount = 0;
	info->ulRwSessionCount = 0;
	info->ulMaxPinLen = 0;
	info->ulMinPinLen = 0;
	info->ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	info->hardwareVersion.major = 1;
	info->firmwareVersion.major = 1;
	pad(info->utcTime, sizeof(info->utcTime), "");
	return leave(CKR_OK);
}

static const CK_MECHANISM_TYPE mech_list[] = { CKM_ECDSA, CKM_ECDSA_SHA256 };

CK_RV C_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE_PTR list, CK_ULONG_PTR count)
{
	const CK_ULONG n = sizeof(mech_list) / sizeof(mech_list[0]);
	CK_RV rv = CKR_OK;

	if (!count)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!slot_ok(slot))
		return leave(CKR_SLOT_ID_INVALID);
	if (!g.chips[slot].present)
		return leave(CKR_TOKEN_NOT_PRESENT);
	if (list && *count < n)
		rv = CKR_BUFFER_TOO_SMALL;
	else if (list)
		memcpy(list, mech_list, sizeof(mech_list));
	*count = n;
	return leave(rv);
}

CK_RV C_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE type, CK_MECHANISM_INFO_PTR info)
{
	if (!info)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!slot_ok(slot))
		return leave(CKR_SLOT_ID_INVALID);
	if (!g.chips[slot].present)
		return leave(CKR_TOKEN_NOT_PRESENT);
	if (type != CKM_ECDSA && type != CKM_ECDSA_SHA256)
		return leave(CKR_MECHANISM_INVALID);
	info->ulMinKeySize = 256;
	info->ulMaxKeySize = 256;
	info->flags = CKF_HW | CKF_SIGN | CKF_EC_F_P | CKF_EC_NAMEDCURVE | CKF_EC_UNCOMPRESS;
	return leave(CKR_OK);
}

/* --- sessions --------------------------------------------------------------- */

CK_RV C_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify,
		    CK_SESSION_HANDLE_PTR ph)
{
	unsigned int i;

	(void)app;
	(void)notify;
	if (!ph)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!slot_ok(slot))
		return leave(CKR_SLOT_ID_INVALID);
	if (!g.chips[slot].present)
		return leave(CKR_TOKEN_NOT_PRESENT);
	if (!(flags & CKF_SERIAL_SESSION))
		return leave(CKR_SESSION_PARALLEL_NOT_SUPPORTED);
	if (flags & CKF_RW_SESSION)
		return leave(CKR_TOKEN_WRITE_PROTECTED);
	for (i = 0; i < MAX_SESSIONS && g.sess[i].used; i++)
		;
	if (i == MAX_SESSIONS)
		return leave(CKR_SESSION_COUNT);
	memset(&g.sess[i], 0, sizeof(g.sess[i]));
	g.sess[i].used = 1;
	g.sess[i].slot = slot;
	g.sess[i].flags = flags;
	*ph = i + 1;
	refresh_keys();
	return leave(CKR_OK);
}

CK_RV C_CloseSession(CK_SESSION_HANDLE h)
{
	struct session *s;

	ENTER();
	if (!h || h > MAX_SESSIONS || !g.sess[h - 1].used)
		return leave(CKR_SESSION_HANDLE_INVALID);
	s = &g.sess[h - 1];
	end_ops(s);
	s->used = 0;
	return leave(CKR_OK);
}

CK_RV C_CloseAllSessions(CK_SLOT_ID slot)
{
	unsigned int i;

	ENTER();
	if (!slot_ok(slot))
		return leave(CKR_SLOT_ID_INVALID);
	for (i = 0; i < MAX_SESSIONS; i++) {
		if (g.sess[i].used && g.sess[i].slot == slot) {
			end_ops(&g.sess[i]);
			g.sess[i].used = 0;
		}
	}
	return leave(CKR_OK);
}

CK_RV C_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO_PTR info)
{
	struct session *s;
	CK_RV rv;

	if (!info)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = get_session(h, &rv);
	if (!s)
		return leave(rv);
	info->slotID = s->slot;
	info->state = CKS_RO_PUBLIC_SESSION;
	info->flags = s->flags;
	info->ulDeviceError = 0;
	return leave(CKR_OK);
}

/* No PIN: the keyring's permissions decide who signs.  Logging in is
 * accepted (applications that always log in keep working) and changes
 * nothing. */
CK_RV C_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR_PTR pin, CK_ULONG len)
{
	CK_RV rv;

	(void)pin;
	(void)len;
	ENTER();
	if (!get_session(h, &rv))
		return leave(rv);
	if (user != CKU_USER && user != CKU_SO && user != CKU_CONTEXT_SPECIFIC)
		return leave(CKR_USER_TYPE_INVALID);
	if (user == CKU_SO)
		return leave(CKR_SESSION_READ_ONLY_EXISTS);
	return leave(CKR_OK);
}

CK_RV C_Logout(CK_SESSION_HANDLE h)
{
	CK_RV rv;

	ENTER();
	get_session(h, &rv);
	return leave(rv);
}

/* --- objects ---------------------------------------------------------------- */

CK_RV C_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n)
{
	struct session *s;
	unsigned int i;
	int kind;
	CK_RV rv;

	if (n && !t)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = get_session(h, &rv);
	if (!s)
		return leave(rv);
	if (s->finding)
		return leave(CKR_OPERATION_ACTIVE);
	refresh_keys();
	s->found = malloc((g.nkeys * P11_KINDS + 1) * sizeof(*s->found));
	if (!s->found)
		return leave(CKR_HOST_MEMORY);
	s->nfound = 0;
	s->pos = 0;
	for (i = 0; i < g.nkeys; i++) {
		if (!g.keys[i].present || strcmp(g.keys[i].chip, g.chips[s->slot].serial))
			continue;
		for (kind = 0; kind < P11_KINDS; kind++)
			if (p11_obj_match(&g.keys[i], kind, t, n))
				s->found[s->nfound++] = (CK_OBJECT_HANDLE)i * P11_KINDS + kind + 1;
	}
	s->finding = 1;
	return leave(CKR_OK);
}

CK_RV C_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR out, CK_ULONG max,
		    CK_ULONG_PTR count)
{
	struct session *s;
	CK_ULONG n = 0;
	CK_RV rv;

	if (!count || (max && !out))
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = get_session(h, &rv);
	if (!s)
		return leave(rv);
	if (!s->finding)
		return leave(CKR_OPERATION_NOT_INITIALIZED);
	while (n < max && s->pos < s->nfound)
		out[n++] = s->found[s->pos++];
	*count = n;
	return leave(CKR_OK);
}

CK_RV C_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	struct session *s;
	CK_RV rv;

	ENTER();
	s = get_session(h, &rv);
	if (!s)
		return leave(rv);
	if (!s->finding)
		return leave(CKR_OPERATION_NOT_INITIALIZED);
	free(s->found);
	s->found = NULL;
	s->finding = 0;
	return leave(CKR_OK);
}

CK_RV C_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ATTRIBUTE_PTR t,
			  CK_ULONG n)
{
	struct p11_key *k;
	int kind;
	CK_RV rv;

	if (n && !t)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	k = session_object(h, obj, &kind, &rv);
	return leave(k ? p11_obj_get(k, kind, t, n) : rv);
}

CK_RV C_GetObjectSize(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE obj, CK_ULONG_PTR size)
{
	int kind;
	CK_RV rv;

	if (!size)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	if (!session_object(h, obj, &kind, &rv))
		return leave(rv);
	*size = CK_UNAVAILABLE_INFORMATION;
	return leave(CKR_OK);
}

/* --- signing ---------------------------------------------------------------- */

CK_RV C_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM_PTR mech, CK_OBJECT_HANDLE key)
{
	struct keyctl_pkey_query q;
	struct session *s;
	struct p11_key *k;
	int kind;
	CK_RV rv;

	if (!mech)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = get_session(h, &rv);
	if (!s)
		return leave(rv);
	if (s->signing)
		return leave(CKR_OPERATION_ACTIVE);
	if (mech->mechanism != CKM_ECDSA && mech->mechanism != CKM_ECDSA_SHA256)
		return leave(CKR_MECHANISM_INVALID);
	if (mech->ulParameterLen)
		return leave(CKR_MECHANISM_PARAM_INVALID);
	k = get_object(s->slot, key, &kind);
	if (!k)
		return leave(CKR_KEY_HANDLE_INVALID);
	if (kind != P11_PRIV)
		return leave(CKR_KEY_TYPE_INCONSISTENT);
	/* No chip I/O: the kernel's permission check (search), and that the
	 * key is alive, before anything is hashed or sent. */
	if (keyctl_pkey_query(k->serial, "enc=x962 hash=sha256", &q) < 0)
		return leave(p11_errno_rv(errno));
	if (!(q.supported_ops & KEYCTL_SUPPORTS_SIGN))
		return leave(CKR_KEY_FUNCTION_NOT_PERMITTED);
	s->signing = 1;
	s->mech = mech->mechanism;
	s->key = key;
	s->ndata = 0;
	p11_sha256_init(&s->sha);
	return leave(CKR_OK);
}

static CK_RV add_data(struct session *s, const uint8_t *p, CK_ULONG len)
{
	if (s->mech == CKM_ECDSA_SHA256) {
		p11_sha256_update(&s->sha, p, len);
		return CKR_OK;
	}
	if (len > DIGEST_LEN - s->ndata)
		return CKR_DATA_LEN_RANGE;
	memcpy(s->data + s->ndata, p, len);
	s->ndata += len;
	return CKR_OK;
}

/*
 * Called locked, with the data in; ends the operation unless the caller
 * only asks for the length or gave too small a buffer.  The lock is
 * dropped while the chip signs (the session is busy meanwhile).
 */
static CK_RV finish(struct session *s, CK_BYTE_PTR sig, CK_ULONG_PTR len)
{
	uint8_t digest[DIGEST_LEN], der[DER_MAX];
	struct p11_key *k;
	int32_t serial;
	int kind, err;
	long n;

	if (!sig) {
		*len = SIG_LEN;
		return CKR_OK;
	}
	if (*len < SIG_LEN) {
		*len = SIG_LEN;
		return CKR_BUFFER_TOO_SMALL;
	}
	s->signing = 0;
	/* The chip signs 32-byte digests, neither truncated nor padded (as
	 * the key type wants): CKM_ECDSA takes a SHA-256 digest. */
	if (s->mech == CKM_ECDSA && s->ndata != DIGEST_LEN)
		return CKR_DATA_LEN_RANGE;
	k = get_object(s->slot, s->key, &kind);
	if (!k)
		return CKR_KEY_HANDLE_INVALID;
	if (s->mech == CKM_ECDSA_SHA256)
		p11_sha256_final(&s->sha, digest);
	else
		memcpy(digest, s->data, DIGEST_LEN);
	serial = k->serial;
	s->busy = 1;
	pthread_mutex_unlock(&lock);
	n = keyctl_pkey_sign(serial, "enc=x962 hash=sha256", digest, DIGEST_LEN, der,
			     sizeof(der));
	err = errno;
	pthread_mutex_lock(&lock);
	s->busy = 0;
	memset(digest, 0, sizeof(digest));
	if (n < 0)
		return p11_errno_rv(err);
	if (p11_sig_to_raw(der, n, sig))
		return CKR_DEVICE_ERROR;
	*len = SIG_LEN;
	return CKR_OK;
}

/* The session of a signing call, active and not busy in another thread. */
static struct session *sign_session(CK_SESSION_HANDLE h, CK_RV *rv)
{
	struct session *s = get_session(h, rv);

	if (!s)
		return NULL;
	if (!s->signing) {
		*rv = CKR_OPERATION_NOT_INITIALIZED;
		return NULL;
	}
	if (s->busy) {
		*rv = CKR_OPERATION_ACTIVE;
		return NULL;
	}
	return s;
}

CK_RV C_Sign(CK_SESSION_HANDLE h, CK_BYTE_PTR data, CK_ULONG len, CK_BYTE_PTR sig,
	     CK_ULONG_PTR siglen)
{
	struct session *s;
	CK_RV rv;

	if ((len && !data) || !siglen)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = sign_session(h, &rv);
	if (!s)
		return leave(rv);
	if (!sig)
		return leave(finish(s, NULL, siglen));
	if (*siglen < SIG_LEN)
		return leave(finish(s, sig, siglen));
	rv = add_data(s, data, len);
	if (rv != CKR_OK) {
		s->signing = 0;
		return leave(rv);
	}
	return leave(finish(s, sig, siglen));
}

CK_RV C_SignUpdate(CK_SESSION_HANDLE h, CK_BYTE_PTR part, CK_ULONG len)
{
	struct session *s;
	CK_RV rv;

	if (len && !part)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = sign_session(h, &rv);
	if (!s)
		return leave(rv);
	rv = add_data(s, part, len);
	if (rv != CKR_OK)
		s->signing = 0;
	return leave(rv);
}

CK_RV C_SignFinal(CK_SESSION_HANDLE h, CK_BYTE_PTR sig, CK_ULONG_PTR siglen)
{
	struct session *s;
	CK_RV rv;

	if (!siglen)
		return CKR_ARGUMENTS_BAD;
	ENTER();
	s = sign_session(h, &rv);
	if (!s)
		return leave(rv);
	return leave(finish(s, sig, siglen));
}

/* --- what this token does not do -------------------------------------------- */

/* @rv once initialized. */
static CK_RV status(CK_RV rv)
{
	ENTER();
	return leave(rv);
}

#define NOT_SUPPORTED(name, args)			\
	CK_RV name args					\
	{						\
		return status(CKR_FUNCTION_NOT_SUPPORTED); \
	}
#define WRITE_PROTECTED(name, args)			\
	CK_RV name args					\
	{						\
		return status(CKR_TOKEN_WRITE_PROTECTED); \
	}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
WRITE_PROTECTED(C_InitToken, (CK_SLOT_ID a, CK_UTF8CHAR_PTR b, CK_ULONG c, CK_UTF8CHAR_PTR d))
WRITE_PROTECTED(C_InitPIN, (CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c))
WRITE_PROTECTED(C_SetPIN, (CK_SESSION_HANDLE a, CK_UTF8CHAR_PTR b, CK_ULONG c,
			   CK_UTF8CHAR_PTR d, CK_ULONG e))
WRITE_PROTECTED(C_CreateObject, (CK_SESSION_HANDLE a, CK_ATTRIBUTE_PTR b, CK_ULONG c,
				 CK_OBJECT_HANDLE_PTR d))
WRITE_PROTECTED(C_CopyObject, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b, CK_ATTRIBUTE_PTR c,
			       CK_ULONG d, CK_OBJECT_HANDLE_PTR e))
WRITE_PROTECTED(C_DestroyObject, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b))
WRITE_PROTECTED(C_SetAttributeValue, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b,
				      CK_ATTRIBUTE_PTR c, CK_ULONG d))
WRITE_PROTECTED(C_GenerateKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_ATTRIBUTE_PTR c,
				CK_ULONG d, CK_OBJECT_HANDLE_PTR e))
WRITE_PROTECTED(C_GenerateKeyPair, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
				    CK_ATTRIBUTE_PTR c, CK_ULONG d, CK_ATTRIBUTE_PTR e,
				    CK_ULONG f, CK_OBJECT_HANDLE_PTR g_,
				    CK_OBJECT_HANDLE_PTR h))
WRITE_PROTECTED(C_UnwrapKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c,
			      CK_BYTE_PTR d, CK_ULONG e, CK_ATTRIBUTE_PTR f, CK_ULONG g_,
			      CK_OBJECT_HANDLE_PTR h))
WRITE_PROTECTED(C_DeriveKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c,
			      CK_ATTRIBUTE_PTR d, CK_ULONG e, CK_OBJECT_HANDLE_PTR f))
NOT_SUPPORTED(C_WaitForSlotEvent, (CK_FLAGS a, CK_SLOT_ID_PTR b, CK_VOID_PTR c))
NOT_SUPPORTED(C_GetOperationState, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_SetOperationState, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
				    CK_OBJECT_HANDLE d, CK_OBJECT_HANDLE e))
NOT_SUPPORTED(C_EncryptInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_Encrypt, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
			  CK_ULONG_PTR e))
NOT_SUPPORTED(C_EncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
				CK_ULONG_PTR e))
NOT_SUPPORTED(C_EncryptFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_DecryptInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_Decrypt, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
			  CK_ULONG_PTR e))
NOT_SUPPORTED(C_DecryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
				CK_ULONG_PTR e))
NOT_SUPPORTED(C_DecryptFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_DigestInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b))
NOT_SUPPORTED(C_Digest, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
			 CK_ULONG_PTR e))
NOT_SUPPORTED(C_DigestUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c))
NOT_SUPPORTED(C_DigestKey, (CK_SESSION_HANDLE a, CK_OBJECT_HANDLE b))
NOT_SUPPORTED(C_DigestFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG_PTR c))
NOT_SUPPORTED(C_SignRecoverInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_SignRecover, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
			      CK_ULONG_PTR e))
NOT_SUPPORTED(C_VerifyInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_Verify, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
			 CK_ULONG e))
NOT_SUPPORTED(C_VerifyUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c))
NOT_SUPPORTED(C_VerifyFinal, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c))
NOT_SUPPORTED(C_VerifyRecoverInit, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b,
				    CK_OBJECT_HANDLE c))
NOT_SUPPORTED(C_VerifyRecover, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c, CK_BYTE_PTR d,
				CK_ULONG_PTR e))
NOT_SUPPORTED(C_DigestEncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
				      CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DecryptDigestUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
				      CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_SignEncryptUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
				    CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_DecryptVerifyUpdate, (CK_SESSION_HANDLE a, CK_BYTE_PTR b, CK_ULONG c,
				      CK_BYTE_PTR d, CK_ULONG_PTR e))
NOT_SUPPORTED(C_WrapKey, (CK_SESSION_HANDLE a, CK_MECHANISM_PTR b, CK_OBJECT_HANDLE c,
			  CK_OBJECT_HANDLE d, CK_BYTE_PTR e, CK_ULONG_PTR f))
#pragma GCC diagnostic pop

/* No CKF_RNG: the chip's generator is the kernel's hwrng. */
CK_RV C_SeedRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR seed, CK_ULONG len)
{
	(void)h;
	(void)seed;
	(void)len;
	return status(CKR_RANDOM_SEED_NOT_SUPPORTED);
}

CK_RV C_GenerateRandom(CK_SESSION_HANDLE h, CK_BYTE_PTR out, CK_ULONG len)
{
	(void)h;
	(void)out;
	(void)len;
	return status(CKR_RANDOM_NO_RNG);
}

CK_RV C_GetFunctionStatus(CK_SESSION_HANDLE h)
{
	(void)h;
	return status(CKR_FUNCTION_NOT_PARALLEL);
}

CK_RV C_CancelFunction(CK_SESSION_HANDLE h)
{
	(void)h;
	return status(CKR_FUNCTION_NOT_PARALLEL);
}

/* --- the function list ------------------------------------------------------ */

static CK_FUNCTION_LIST functions = {
	.version = { 2, 40 },
	.C_Initialize = C_Initialize,
	.C_Finalize = C_Finalize,
	.C_GetInfo = C_GetInfo,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = C_GetSlotList,
	.C_GetSlotInfo = C_GetSlotInfo,
	.C_GetTokenInfo = C_GetTokenInfo,
	.C_GetMechanismList = C_GetMechanismList,
	.C_GetMechanismInfo = C_GetMechanismInfo,
	.C_InitToken = C_InitToken,
	.C_InitPIN = C_InitPIN,
	.C_SetPIN = C_SetPIN,
	.C_OpenSession = C_OpenSession,
	.C_CloseSession = C_CloseSession,
	.C_CloseAllSessions = C_CloseAllSessions,
	.C_GetSessionInfo = C_GetSessionInfo,
	.C_GetOperationState = C_GetOperationState,
	.C_SetOperationState = C_SetOperationState,
	.C_Login = C_Login,
	.C_Logout = C_Logout,
	.C_CreateObject = C_CreateObject,
	.C_CopyObject = C_CopyObject,
	.C_DestroyObject = C_DestroyObject,
	.C_GetObjectSize = C_GetObjectSize,
	.C_GetAttributeValue = C_GetAttributeValue,
	.C_SetAttributeValue = C_SetAttributeValue,
	.C_FindObjectsInit = C_FindObjectsInit,
	.C_FindObjects = C_FindObjects,
	.C_FindObjectsFinal = C_FindObjectsFinal,
	.C_EncryptInit = C_EncryptInit,
	.C_Encrypt = C_Encrypt,
	.C_EncryptUpdate = C_EncryptUpdate,
	.C_EncryptFinal = C_EncryptFinal,
	.C_DecryptInit = C_DecryptInit,
	.C_Decrypt = C_Decrypt,
	.C_DecryptUpdate = C_DecryptUpdate,
	.C_DecryptFinal = C_DecryptFinal,
	.C_DigestInit = C_DigestInit,
	.C_Digest = C_Digest,
	.C_DigestUpdate = C_DigestUpdate,
	.C_DigestKey = C_DigestKey,
	.C_DigestFinal = C_DigestFinal,
	.C_SignInit = C_SignInit,
	.C_Sign = C_Sign,
	.C_SignUpdate = C_SignUpdate,
	.C_SignFinal = C_SignFinal,
	.C_SignRecoverInit = C_SignRecoverInit,
	.C_SignRecover = C_SignRecover,
	.C_VerifyInit = C_VerifyInit,
	.C_Verify = C_Verify,
	.C_VerifyUpdate = C_VerifyUpdate,
	.C_VerifyFinal = C_VerifyFinal,
	.C_VerifyRecoverInit = C_VerifyRecoverInit,
	.C_VerifyRecover = C_VerifyRecover,
	.C_DigestEncryptUpdate = C_DigestEncryptUpdate,
	.C_DecryptDigestUpdate = C_DecryptDigestUpdate,
	.C_SignEncryptUpdate = C_SignEncryptUpdate,
	.C_DecryptVerifyUpdate = C_DecryptVerifyUpdate,
	.C_GenerateKey = C_GenerateKey,
	.C_GenerateKeyPair = C_GenerateKeyPair,
	.C_WrapKey = C_WrapKey,
	.C_UnwrapKey = C_UnwrapKey,
	.C_DeriveKey = C_DeriveKey,
	.C_SeedRandom = C_SeedRandom,
	.C_GenerateRandom = C_GenerateRandom,
	.C_GetFunctionStatus = C_GetFunctionStatus,
	.C_CancelFunction = C_CancelFunction,
	.C_WaitForSlotEvent = C_WaitForSlotEvent,
};

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR list)
{
	if (!list)
		return CKR_ARGUMENTS_BAD;
	*list = &functions;
	return CKR_OK;
}
