#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs as PID 1 inside the test VM, in the host's root (read-only) with a
# writable /tmp.  Loads the kernel modules the project stands on, runs each
# VM test with a time limit, writes one TAP file per test and the kernel log
# to /run/iotsec-out, then powers off.  The host side (run.sh) judges.
#
# Environment from the kernel command line: IOTSEC_TOP (checkout),
# IOTSEC_TESTS (space-separated test names, or "all"), IOTSEC_TEST_TIMEOUT.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/tmp LANG=C.UTF-8
out=/run/iotsec-out
top=${IOTSEC_TOP:?}
tests=$(echo "${IOTSEC_TESTS:-all}" | tr , " ")
limit=${IOTSEC_TEST_TIMEOUT:-600}
export IOTSEC_KO_DIR="$top/kernel"
export IOTSEC_TOP="$top"

# PID 1 must never exit (that panics the kernel): power off, then wait
# without starting any program: executables live on the 9p root, which
# is going away (an exec there during shutdown died with SIGBUS).
poweroff_now() {
	sync
	echo o > /proc/sysrq-trigger
	while :; do
		:
	done
}
trap poweroff_now EXIT

exec > "$out/guest.log" 2>&1
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs shm /dev/shm
# What udev makes on a running system and devtmpfs does not: bash's <(...)
# needs /dev/fd (dkms tests with it whether /proc is mounted).
[ -e /dev/fd ] || ln -s /proc/self/fd /dev/fd
for i in 0:stdin 1:stdout 2:stderr; do
	[ -e "/dev/${i#*:}" ] || ln -s "/proc/self/fd/${i%%:*}" "/dev/${i#*:}"
done
ip link set lo up
hostname iotsec-vm
# IMA (Debian's kernels have it, no policy at boot) keeps a copy of every
# key added in the first 5 minutes, for a policy that may come
# (CONFIG_IMA_QUEUE_EARLY_BOOT_KEYS); a test that counts slab objects then
# sees them grow (seen: kmalloc-512 from ima_queue_key).  A policy loaded
# ends the queue: one rule that measures nothing new.
if mount -t securityfs securityfs /sys/kernel/security 2>/dev/null ||
   [ -e /sys/kernel/security/ima ]; then
	[ -w /sys/kernel/security/ima/policy ] &&
		echo "dont_measure fsmagic=0x01021994" > /sys/kernel/security/ima/policy 2>/dev/null
fi
# Autoload inside the guest must find the host root's modprobe.
echo /sbin/modprobe > /proc/sys/kernel/modprobe
for m in af_alg algif_hash algif_skcipher algif_aead algif_rng crypto_user \
	 ecdh_generic gcm tls; do
	modprobe "$m" || echo "guest: modprobe $m failed"
done
# gcm's GHASH: a module of its own on 6.1 and 6.12, none by that name on
# 7.3 (the gcm tests say so if GCM does not work).
modprobe -q ghash-generic 2>/dev/null || true
echo "guest: kernel $(uname -r), modules loaded"

# One test: a kselftest binary or a TAP shell script.
run_one() {
	name=$1
	path=$2
	start=$(date +%s)
	echo "guest: running $name"
	( cd /tmp && timeout -k 10 "$limit" "$path" ) > "$out/$name.tap" 2>&1
	rc=$?
	echo "$rc" > "$out/$name.rc"
	echo "guest: $name exit $rc after $(( $(date +%s) - start )) s"
}

# "all" leaves out the tests listed in tests/kernel/stress-only (make
# stress names them).
want() {
	if [ "$tests" = all ]; then
		! grep -qx "$1" "$top/tests/kernel/stress-only" 2>/dev/null
		return
	fi
	for t in $tests; do
		[ "$t" = "$1" ] && return 0
	done
	return 1
}

if [ "$tests" = demo ]; then
	echo "guest: running the demo"
	timeout -k 10 "$limit" sh "$top/tests/demo.sh" > "$out/demo.log" 2>&1
	echo "$?" > "$out/demo.rc"
	tests=none
fi

if [ "$tests" = bench ]; then
	echo "guest: running the bench"
	timeout -k 10 "$limit" sh "$top/tests/bench/bench.sh" > "$out/bench.log" 2>&1
	echo "$?" > "$out/bench.rc"
	tests=none
fi

for path in "$top"/build/tests/kernel/*_test "$top"/tests/kernel/*_test.sh; do
	[ -x "$path" ] || continue
	name=$(basename "$path" .sh)
	want "$name" && run_one "$name" "$path"
done

# The clock the tests' time limits ran on (TCG boots have ended on
# tsc-early, tsc or hpet): a test that timed out is read against it.
echo "guest: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null)"
dmesg > "$out/dmesg.txt"
echo ok > "$out/done"
