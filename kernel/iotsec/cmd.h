/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The chip's commands, for the crypto providers, the key type, the hwrng
 * and provisioning.
 *
 * Three layers:
 *  - sequences: atecc_seq_begin() takes the chip's lock (and checks that
 *    the chip is still there), atecc_seq_end() unlocks; the chip goes idle
 *    shortly after unless another sequence comes first.
 *    Commands inside one sequence share the chip's volatile state (TempKey):
 *    nothing else runs in between, and the transport re-wakes through idle,
 *    which keeps that state.  If the state is lost anyway (a watchdog, a
 *    resync after an error) a command that needs it fails with -EAGAIN and
 *    the caller reruns the sequence from its start.
 *    TempKey may also outlive a sequence (a kpp key): a ticket names it
 *    (atecc_seq_state_ticket()) and a later sequence asks whether it is
 *    still there (atecc_seq_state_valid(): no command that may change
 *    TempKey, no failed command, no sleep since).  A hold
 *    (atecc_seq_state_hold()) asks the driver's own Random commands to
 *    spare it for a while.
 *  - atecc_cmd_*(): one chip command each, called inside a sequence.
 *  - one-shot helpers (atecc_random(), atecc_sign_digest(), ...) that run a
 *    whole sequence, with the checks and the -EAGAIN reruns.
 *
 * All return 0 or a negative errno (see atecc_i2c_execute() and
 * Documentation/atecc608.rst for what the chip's statuses become).
 */
#ifndef IOTSEC_CMD_H
#define IOTSEC_CMD_H

#include <linux/types.h>

#include "chip.h"
#include "atecc/wire.h"

/* sequences (seq.c) */
int atecc_seq_begin(struct atecc_chip *chip);
int atecc_seq_try_begin(struct atecc_chip *chip);
void atecc_seq_end(struct atecc_chip *chip);
int atecc_seq_reserve(struct atecc_chip *chip, const u8 *opcodes,
		      unsigned int n);
u64 atecc_seq_state_ticket(struct atecc_chip *chip);
bool atecc_seq_state_valid(struct atecc_chip *chip, u64 ticket);
void atecc_seq_state_hold(struct atecc_chip *chip, u64 ticket);
void atecc_seq_state_release(struct atecc_chip *chip, u64 ticket);

/* address encoding of Read/Write param2 (cmd.c) */
u16 atecc_addr_config(unsigned int offset);
u16 atecc_addr_data(unsigned int slot, unsigned int offset);

/* single commands, inside a sequence (cmd.c) */
int atecc_cmd_info_revision(struct atecc_chip *chip, u8 rev[4]);
int atecc_cmd_read(struct atecc_chip *chip, u8 zone, u16 addr, u8 *buf,
		   size_t len);
int atecc_cmd_read_config(struct atecc_chip *chip,
			  u8 config[ATECC_CONFIG_SIZE]);
int atecc_cmd_write(struct atecc_chip *chip, u8 zone, u16 addr,
		    const u8 *buf, size_t len);
int atecc_cmd_lock_config(struct atecc_chip *chip,
			  const u8 config[ATECC_CONFIG_SIZE]);
int atecc_cmd_lock_data(struct atecc_chip *chip);
int atecc_cmd_lock_slot(struct atecc_chip *chip, unsigned int slot);
int atecc_cmd_random(struct atecc_chip *chip, u8 out[ATECC_RANDOM_SIZE]);
int atecc_cmd_nonce_passthrough(struct atecc_chip *chip,
				const u8 in[ATECC_KEY_SIZE]);
int atecc_cmd_nonce_msgdig(struct atecc_chip *chip,
			   const u8 in[ATECC_KEY_SIZE]);
int atecc_cmd_genkey(struct atecc_chip *chip, u8 mode, u16 key_id,
		     u8 pubkey[ATECC_PUBKEY_SIZE]);
int atecc_cmd_sign_external(struct atecc_chip *chip, unsigned int slot,
			    bool msgdig, u8 sig[ATECC_SIG_SIZE]);
int atecc_cmd_ecdh(struct atecc_chip *chip, u8 mode, u16 key_id,
		   const u8 peer[ATECC_PUBKEY_SIZE], u8 *out, size_t *out_len);

/* whole sequences (seq.c) */
int atecc_random(struct atecc_chip *chip, u8 *out, size_t len, bool wait);
int atecc_read_config(struct atecc_chip *chip, u8 config[ATECC_CONFIG_SIZE]);
int atecc_genkey(struct atecc_chip *chip, u8 mode, u16 key_id,
		 u8 pubkey[ATECC_PUBKEY_SIZE]);	/* inside a sequence */
int atecc_genkey_public(struct atecc_chip *chip, unsigned int slot,
			u8 pubkey[ATECC_PUBKEY_SIZE]);
int atecc_sign_digest(struct atecc_chip *chip, unsigned int slot,
		      const u8 digest[ATECC_KEY_SIZE], u8 sig[ATECC_SIG_SIZE]);
int atecc_genkey_tempkey(struct atecc_chip *chip,
			 u8 pubkey[ATECC_PUBKEY_SIZE], u64 *ticket);
int atecc_ecdh_tempkey(struct atecc_chip *chip, u64 ticket,
		       const u8 peer[ATECC_PUBKEY_SIZE],
		       u8 secret[ATECC_KEY_SIZE]);

#endif /* IOTSEC_CMD_H */
