/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hwrng "iotsec-<serial>" backed by the chip's Random command.
 */
#ifndef IOTSEC_RNG_H
#define IOTSEC_RNG_H

struct atecc_chip;

void atecc_rng_register(struct atecc_chip *chip);
void atecc_rng_unregister(struct atecc_chip *chip);

#endif /* IOTSEC_RNG_H */
