/* SPDX-License-Identifier: GPL-2.0 */
/*
 * iotsec_sim: a virtual I2C adapter with simulated ATECC508A/608A/608B
 * chips behind it.  Internal declarations shared by the sim_*.c files.
 *
 * Locking: each chip has a mutex that guards everything in struct
 * sim_chip below it.  The I2C core serialises master_xfer per adapter;
 * debugfs handlers run concurrently with it and take the same mutex.
 */
#ifndef IOTSEC_SIM_H
#define IOTSEC_SIM_H

#include <crypto/sha2.h>
#include <linux/atomic.h>
#include <linux/i2c.h>
#include <linux/ktime.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <linux/version.h>

#include "atecc/wire.h"

/* LINUX_VERSION_CODE from its parts, for the version tests of sim*.c */
#define SIM_KERNEL	KERNEL_VERSION(LINUX_VERSION_MAJOR,		\
				       LINUX_VERSION_PATCHLEVEL,	\
				       LINUX_VERSION_SUBLEVEL)

#define SIM_MAX_CHIPS		8
#define SIM_BASE_ADDR		0x60
#define SIM_BUS_HZ		100000

enum sim_model {
	SIM_508A,
	SIM_608A,
	SIM_608B,
};

enum sim_power {
	SIM_ASLEEP,
	SIM_IDLE,
	SIM_AWAKE,
};

/* Where the current TempKey came from */
enum sim_tk_source {
	SIM_TK_RANDOM,		/* Nonce random mode */
	SIM_TK_INPUT,		/* Nonce pass-through */
	SIM_TK_GENKEY,		/* GenKey 0xFFFF: an ephemeral private key */
	SIM_TK_ECDH,		/* ECDH with TempKey as destination */
};

enum sim_fault_kind {
	SIM_FAULT_NONE,
	SIM_FAULT_NACK,
	SIM_FAULT_CRC,
	SIM_FAULT_COUNT,
	SIM_FAULT_EXEC,
	SIM_FAULT_STALL,
	SIM_FAULT_WATCHDOG,
	SIM_FAULT_BUS_EBUSY,		/* master_xfer returns -EBUSY */
	SIM_FAULT_BUS_ETIMEDOUT,	/* master_xfer returns -ETIMEDOUT */
	SIM_FAULT_BUS_STRETCH,		/* master_xfer takes SIM_STRETCH_MS */
};

#define SIM_FAULT_ANY_OP	(-1)
#define SIM_FAULT_WAKE_OP	(-2)	/* op=wake: the wake, not a command */
/* bus_stretch: how long the stretched transfer holds the bus */
#define SIM_STRETCH_MS		4000
#define SIM_BUS_STRETCH		1	/* from sim_fault_take_bus() */

struct sim_fault {
	enum sim_fault_kind kind;
	unsigned int count;
	int op;				/* opcode, SIM_FAULT_ANY_OP or
					 * SIM_FAULT_WAKE_OP
					 */
};

#define SIM_NUM_OPS		12

struct sim_counters {
	u64 wakes;
	u64 sleeps;
	u64 idles;
	u64 watchdogs;
	u64 eeprom_writes;
	u64 faults_injected;
	u64 crc_errors;
	u64 seed_updates;		/* Random/Nonce asking for a seed update */
	u64 ops[SIM_NUM_OPS];
	u64 op_us[SIM_NUM_OPS];
};

/* Everything a sleep (or the watchdog) wipes; idle keeps it */
struct sim_volatile {
	u8 tempkey[64];
	bool tk_valid;
	enum sim_tk_source tk_source;
	u8 msgdig[64];
	bool md_valid;
	u8 altkey[32];
	bool ak_valid;
#if KERNEL_VERSION(6, 17, 0) <= SIM_KERNEL
	struct sha256_ctx sha;		/* the library's context from 6.17 */
#else
	struct sha256_state sha;
#endif
	bool sha_active;
};

struct sim_chip {
	struct mutex lock;		/* guards everything below */
	unsigned int index;
	u8 addr;
	enum sim_model model;
	struct i2c_client *client;
	struct dentry *dir;

	/* EEPROM */
	u8 config[ATECC_CONFIG_SIZE];
	u8 data[ATECC_DATA_SIZE];
	u8 otp[ATECC_OTP_SIZE];
	u32 counter[2];
	bool latch;

	/* Power and I/O state, evaluated lazily against ktime */
	enum sim_power power;
	ktime_t ready_at;		/* wake + tWHI */
	ktime_t wdt_at;			/* watchdog fires */
	ktime_t busy_until;		/* command execution ends */
	u8 in[ATECC_CMD_MAX];
	unsigned int in_len;
	bool in_done;			/* COUNT bytes received */
	bool exec_pending;		/* run it at the next STOP */
	u8 out[ATECC_RSP_MAX];
	unsigned int out_len;
	unsigned int out_pos;
	bool out_valid;
	struct sim_volatile vol;

	/* Knobs */
	bool timing;
	unsigned int timing_pct;
	struct sim_fault fault;
	struct sim_counters cnt;
};

/* One decoded command and its response, allocated per execution */
struct sim_job {
	u8 op;
	u8 p1;
	u16 p2;
	const u8 *data;
	unsigned int len;
	u8 rsp[ATECC_RSP_MAX];
	unsigned int rsp_len;
	u8 key[ATECC_KEY_SIZE];		/* scratch for key material */
	u8 secret[ATECC_KEY_SIZE];
};

/* The adapter's private data: the chips behind it */
struct sim_bus {
	struct sim_chip *chips;
	unsigned int nchips;
};

typedef u8 (*sim_handler_t)(struct sim_chip *chip, struct sim_job *job);

/* sim_main.c */
extern atomic_t sim_allocs;
void *sim_kzalloc(size_t size);
void sim_kfree(const void *p);
struct ecc_point *sim_point_alloc(void);
void sim_point_free(struct ecc_point *p);
const char *sim_model_name(enum sim_model model);

/* sim_config.c */
int sim_config_init(struct sim_chip *chip, bool provisioned);
unsigned int sim_slot_offset(unsigned int slot);
unsigned int sim_slot_size(unsigned int slot);
u16 sim_slot_config(const struct sim_chip *chip, unsigned int slot);
u16 sim_key_config(const struct sim_chip *chip, unsigned int slot);
bool sim_config_locked(const struct sim_chip *chip);
bool sim_data_locked(const struct sim_chip *chip);
bool sim_slot_locked(const struct sim_chip *chip, unsigned int slot);
bool sim_is_608(const struct sim_chip *chip);
void sim_revision(const struct sim_chip *chip, u8 *out);
u8 *sim_privkey(struct sim_chip *chip, unsigned int slot);
bool sim_slot_is_p256_private(const struct sim_chip *chip, unsigned int slot);

/* sim_bus.c */
extern const struct i2c_algorithm sim_algo;
void sim_tick(struct sim_chip *chip, ktime_t now);
void sim_power_down(struct sim_chip *chip);
const char *sim_power_name(enum sim_power power);

/* sim_exec.c */
void sim_exec(struct sim_chip *chip, ktime_t start);
const char *sim_op_name(unsigned int idx);
void sim_set_status(struct sim_chip *chip, u8 status);
void sim_corrupt(struct sim_chip *chip, enum sim_fault_kind kind);

/* sim_cmd.c */
u8 sim_cmd_info(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_random(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_nonce(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_sha(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_counter(struct sim_chip *chip, struct sim_job *job);

/* sim_zone.c */
u8 sim_cmd_read(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_write(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_lock(struct sim_chip *chip, struct sim_job *job);

/* sim_key.c */
u8 sim_cmd_genkey(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_sign(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_verify(struct sim_chip *chip, struct sim_job *job);
u8 sim_cmd_ecdh(struct sim_chip *chip, struct sim_job *job);

/* sim_ecc.c: P-256, all values big-endian byte strings */
int sim_ecc_gen_priv(u8 *priv);
bool sim_ecc_priv_valid(const u8 *priv);
int sim_ecc_pub(const u8 *priv, u8 *pub);
int sim_ecc_sign(const u8 *priv, const u8 *digest, u8 *sig);
int sim_ecc_verify(const u8 *pub, const u8 *digest, const u8 *sig);
int sim_ecc_ecdh(const u8 *priv, const u8 *peer, u8 *secret);

/* sim_fault.c */
int sim_fault_parse(struct sim_fault *fault, char *buf);
int sim_fault_format(const struct sim_fault *fault, char *buf, size_t len);
bool sim_fault_take(struct sim_chip *chip, enum sim_fault_kind kind, u8 op);
enum sim_fault_kind sim_fault_take_exec(struct sim_chip *chip, u8 op);
enum sim_fault_kind sim_fault_take_wake(struct sim_chip *chip);
int sim_fault_take_bus(struct sim_chip *chip, const struct i2c_msg *msg);

/* sim_of.c: the adapter a device-tree node describes (CONFIG_OF) */
#if IS_ENABLED(CONFIG_OF)
int sim_of_init(struct i2c_adapter *adap);
void sim_of_exit(void);
#else
static inline int sim_of_init(struct i2c_adapter *adap)
{
	return 0;
}

static inline void sim_of_exit(void)
{
}
#endif

/* sim_debugfs.c */
void sim_debugfs_init(struct sim_chip *chips, unsigned int n);
void sim_debugfs_exit(void);

#endif /* IOTSEC_SIM_H */
