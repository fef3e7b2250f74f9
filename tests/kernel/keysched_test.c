// SPDX-License-Identifier: GPL-2.0
/* The RFC 8448 key schedule test, in the VM: hashes go through AF_ALG. */
#include "../unit/keysched_test.c"
