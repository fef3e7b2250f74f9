#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the test VM by `make demo` (tests/vm/guest.sh).
# Until the simulator and the TLS library exist it shows the ground the
# project stands on: kernel TLS, AF_ALG and the crypto self-tests.
set -u
top=${IOTSEC_TOP:?}
say() { printf '\n== %s\n' "$*"; }

say "kernel $(uname -r) booted under QEMU; host root mounted read-only"
say "the environment check (tests/kernel/env_test.c)"
"$top/build/tests/kernel/env_test" | grep -E '^(ok|not ok)'
say "crypto providers the library will use"
awk '/^name/ { n = $3 } /^driver/ { d = $3 } /^selftest/ { s = $3 }
     /^$/ && n ~ /^(ecdh-nist-p256|gcm\(aes\)|sha256)$/ { print "  " n " -> " d " (selftest " s ")" }' /proc/crypto
say "kTLS sockets configured: $(awk '/TlsTxSw|TlsRxSw/ { printf "%s=%s ", $1, $2 }' /proc/net/tls_stat)"
