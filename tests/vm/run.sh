#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots a Debian kernel (6.1 unless KVER says otherwise: a release or a
# series, see tools/kver) under qemu-system-x86_64 (TCG) once, runs the
# VM tests inside (tests/vm/guest.sh), and brings back their TAP output to
# build/vm/out/.  Adds its own TAP file, vm.tap, with what only the host
# can judge (tests/vm/judge.sh): the VM reported in time, every test
# program ran to its end, and the guest kernel log holds no BUG, WARNING,
# oops or lockup.
#
# usage: run.sh [TEST...]     (default: every test)
# env:   KVER (release or series, default 6.1), VM_TIMEOUT (s, whole run),
#        VM_TEST_TIMEOUT (s, one test), VM_OUT (results folder, default
#        build/vm/out), VM_ACCEL (QEMU's -accel, see below), VM_ICOUNT=1
#        (guest time from executed instructions, see below), VM_LOGLEVEL
#        (the guest console's, default 4), VM_SMP (vCPUs, default 2),
#        VM_APPEND (more of the guest kernel's command line, e.g.
#        slub_debug=U,kmalloc-96: a slab growth then names its callers),
#        VM_KOBUILD (a folder of the
#        checkout holding kernel/ and tests/kernel/kmod/ built for KVER,
#        mounted over the checkout's own in the guest: make check's matrix
#        boots run side by side, each with its own modules)
#  Several runs may go at once, each with its own VM_OUT.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
kver=$("$top/tools/kver" "${KVER:-6.1}") || {
	echo "vm: no kernel '${KVER:-6.1}' here: run tools/setup-deps --kernels '${KVER:-6.1}'" >&2
	exit 1
}
# An unpacked kernel (setup-deps --kernels) keeps its modules under kroot.
kroot=$("$top/tools/kver" --root "$kver")
kernel=$("$top/tools/kver" --image "$kver")
vm_timeout=${VM_TIMEOUT:-1500}
test_timeout=${VM_TEST_TIMEOUT:-600}
build=$top/build/vm
out=${VM_OUT:-$build/out}
initrd=$build/initramfs-$kver.cpio.gz

tests=all
[ $# -gt 0 ] && tests=$(echo "$*" | tr ' ' ,)

mkdir -p "$build"
[ -r "$kernel" ] || { echo "vm: $kernel missing: run tools/setup-deps" >&2; exit 1; }
if [ ! -s "$initrd" ] || [ "$top/tests/vm/init" -nt "$initrd" ] ||
   [ "$top/tests/vm/mkinitramfs.sh" -nt "$initrd" ]; then
	# into a file of its own, then renamed: runs side by side may race
	"$top/tests/vm/mkinitramfs.sh" "$kver" "$initrd.$$" "$kroot" &&
		mv -f "$initrd.$$" "$initrd" || { rm -f "$initrd.$$"; exit 1; }
fi
if [ -n "${VM_KOBUILD:-}" ] && [ ! -f "$top/$VM_KOBUILD/kernel/iotsec/iotsec.ko" ]; then
	echo "vm: no modules in $VM_KOBUILD/kernel" >&2
	exit 1
fi
rm -rf "$out"
mkdir -p "$out"

fs() { # id path [readonly]
	printf -- '-fsdev local,id=%s,path=%s,security_model=none,multidevs=remap%s ' \
		"$1" "$2" "${3:+,readonly=on}"
	printf -- '-device virtio-9p-pci,fsdev=%s,mount_tag=%s ' "$1" "$1"
}

# Kernels after 6.1 boot with single-threaded TCG: multi-threaded TCG can
# run a stale int3 that the kernel's text patching (static keys) has already
# replaced on the other vCPU, and the guest dies with "Oops: int3" in early
# boot (seen once in four 7.3 boots, RIP in sched_clock_cpu, the code bytes
# showing the patched instruction).  6.1 has never shown it and keeps the
# faster multi-threaded TCG.
case $kver in
6.1.*) accel=${VM_ACCEL:-tcg} ;;
*) accel=${VM_ACCEL:-tcg,thread=single} ;;
esac
# VM_ICOUNT=1 (make bench): the guest's clock follows the instructions it
# executes (-icount shift=0: one instruction one nanosecond; sleep=on: an
# idle guest skips ahead to its next timer), so a time measured inside
# means the same on any host at any load.  icount needs single-threaded
# TCG.  The simulator's timing model stays in guest time: it stamps a
# command's end as ktime_get() + the modelled time and the driver's waits
# are guest timers, both on the icount clock.
# One vCPU: under icount two vCPUs run round-robin, each for a whole time
# slice, so a spin-wait on one for the other (the boot's TSC sync, IPIs)
# stalls for ages (a 2-vCPU icount boot had not reached the bench after
# 12 minutes).  -rtc clock=vm: the guest's RTC on the same clock.
# VM_SMP: vCPUs (default 2).  Boots that run side by side on a 2-core
# host take one each: two 2-vCPU guests on 2 cores ran 2.5 times slower
# (a vCPU spinning on a lock its preempted sibling holds).
icount=
smp=${VM_SMP:-2}
if [ "${VM_ICOUNT:-0}" = 1 ]; then
	accel=tcg,thread=single
	icount="-icount shift=0,sleep=on -rtc clock=vm"
	smp=1
fi

start=$(date +%s)
# shellcheck disable=SC2046,SC2086 # fs() and $icount are word lists
timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
	-accel "$accel" $icount -cpu max -smp "$smp" -m 2048 \
	-nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=${VM_LOGLEVEL:-4} IOTSEC_TOP=$top ${kroot:+IOTSEC_KROOT=$kroot }${VM_KOBUILD:+IOTSEC_KOBUILD=$VM_KOBUILD }IOTSEC_TESTS=$tests IOTSEC_TEST_TIMEOUT=$test_timeout${icount:+ IOTSEC_ICOUNT=1}${VM_APPEND:+ $VM_APPEND}" \
	$(fs host / ro) $(fs top "$top" ro) $(fs out "$out") -device virtio-rng-pci \
	< /dev/null > "$out/console.log" 2>&1
qrc=$?
echo "vm: $kver ($accel${icount:+ $icount -smp $smp}): guest ran $(( $(date +%s) - start )) s (qemu exit $qrc)"

"$top/tests/vm/judge.sh" "$out" "$qrc" "$vm_timeout" "$test_timeout"
