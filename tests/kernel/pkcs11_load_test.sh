#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libiotsec-pkcs11.so under load (simulated chip): two processes signing
# in parallel through the module, 100 times each, every signature checked
# by OpenSSL; then threads of one process, each with its own session.
# The chip serializes; nothing may fail.  The clients: pkcs11_test.sh.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# the chip key in a session keyring of our own
mod=$top/build/lib/libiotsec-pkcs11.so
signer=$top/build/tests/kernel/pkcs11_sign

scratch p11load
signs() { sim_count 0 sign; }

modules_up "chips=1 provisioned=1" 1
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
# An empty configuration: every iotsec key this process may view.
: > "$d/pkcs11.conf"
export IOTSEC_PKCS11_CONF="$d/pkcs11.conf"
check "set-up: chip key $key, $mod, $signer" test -n "$key" -a -s "$mod" -a -x "$signer"

s0=$(signs)
start=$(date +%s)
"$signer" "$mod" device 100 > "$d/par1" 2>&1 &
p1=$!
"$signer" "$mod" device 100 > "$d/par2" 2>&1 &
p2=$!
wait "$p1"
r1=$?
wait "$p2"
r2=$?
s1=$(signs)
echo "# $(( $(date +%s) - start )) s; chip Sign commands: $s0 -> $s1"
cat "$d/par1" "$d/par2" | diag
check "two processes, 100 CKM_ECDSA_SHA256 signatures each in parallel: 0 failures, all verified" \
	test "$r1" -eq 0 -a "$r2" -eq 0
check "... and exactly 200 chip Sign commands" test "$s1" -eq $((s0 + 200))

"$signer" "$mod" device 10 4 > "$d/thr" 2>&1
rc=$?
diag "$d/thr"
check "one process, 4 threads with a session each, 10 signatures each: 0 failures" test $rc -eq 0

# The signer must fail when it should: a key it cannot find.
"$signer" "$mod" "no such key" 1 > "$d/none" 2>&1
rc=$?
diag "$d/none"
check "the signer fails for a key that is not there" test $rc -ne 0

echo "1..$n"
[ "$fails" -eq 0 ]
