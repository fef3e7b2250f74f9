#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots Debian 12's arm64 6.1 kernel under qemu-system-aarch64 -M virt
# (TCG) with the device tree of a board that has the simulator's I2C
# controller and the project's generic overlay applied, runs VM tests
# inside (tests/vm/guest.sh, from the arm64 root tools/arm64/setup
# unpacked) and brings back their TAP output to build/arm64/vm/out/, with
# vm.tap from tests/vm/judge.sh.  Needs make arm64 first.
#
# The device tree: QEMU's own (-M virt,dumpdtb=, same machine options),
# decompiled, sim-bus.dtsi appended, compiled with -@, then
#   fdtoverlay -i board.dtb -o iotsec-virt.dtb dts/iotsec-generic.dtbo
# and booted with -dtb.
#
# usage: run.sh [TEST...]     (default: driver, crypto, key type, dt_bind,
#                            session: a mutual TLS session with the chip key)
# env:   VM_TIMEOUT (s, whole run), VM_TEST_TIMEOUT (s, one test), VM_OUT
set -u
top=$(cd "$(dirname "$0")/../../.." && pwd)
here=$top/tests/vm/arm64
base=${IOTSEC_ARM64:-/var/lib/iotsec/arm64}
build=$top/build/arm64/vm
out=${VM_OUT:-$build/out}
vm_timeout=${VM_TIMEOUT:-2400}
test_timeout=${VM_TEST_TIMEOUT:-900}
tests=$(echo "${*:-driver_test crypto_test keytype_test dt_bind_test session_test}" | tr ' ' ,)

die() { echo "vm-arm64: $*" >&2; exit 1; }
[ -f "$base/.iotsec-ready" ] || die "no arm64 tree under $base: tools/setup-deps --arm64"
kver=$(awk '$1 == "kernel" { print $2 }' "$base/.iotsec-ready")
kernel=$base/kernel/boot/vmlinuz-$kver
[ -r "$kernel" ] || die "$kernel missing: tools/setup-deps --arm64"
[ -f "$top/build/arm64/kernel/iotsec/iotsec.ko" ] || die "no arm64 modules: make arm64"
mkdir -p "$build" || exit 1

# The machine, the same for dumpdtb and the boot (the DTB has the memory
# and the CPUs).  pauth-impdef: QEMU's cheap pointer-authentication hash,
# much faster under TCG than the architected one.
mtype=virt
machine="-cpu max,pauth-impdef=on -smp 2 -m 2048"

# --- the device tree ------------------------------------------------------
dtb=$build/iotsec-virt.dtb
# shellcheck disable=SC2086
qemu-system-aarch64 -M "$mtype,dumpdtb=$build/virt.dtb" $machine -nographic \
	> "$build/dumpdtb.log" 2>&1 || die "dumpdtb: $(cat "$build/dumpdtb.log")"
{
	dtc -q -I dtb -O dts "$build/virt.dtb" && cat "$here/sim-bus.dtsi"
} > "$build/board.dts" || die "decompiling the virt DTB"
dtc -q -@ -I dts -O dtb -o "$build/board.dtb" "$build/board.dts" ||
	die "compiling the board tree"
dtc -q -@ -I dts -O dtb -o "$build/iotsec-generic.dtbo" "$top/dts/iotsec-generic.dtso" ||
	die "compiling dts/iotsec-generic.dtso"
fdtoverlay -i "$build/board.dtb" -o "$dtb" "$build/iotsec-generic.dtbo" ||
	die "fdtoverlay"

# --- the initramfs: the arm64 busybox, its init, the 9p modules ------------
initrd=$build/initramfs-$kver.cpio.gz
if [ ! -s "$initrd" ] || [ "$here/init" -nt "$initrd" ] ||
   [ "$top/tests/vm/mkinitramfs.sh" -nt "$initrd" ] ||
   [ "$base/.iotsec-ready" -nt "$initrd" ]; then
	VM_BUSYBOX=$base/root/usr/bin/busybox VM_INIT=$here/init \
		"$top/tests/vm/mkinitramfs.sh" "$kver" "$initrd" "$base/root" || exit 1
fi

rm -rf "$out"
mkdir -p "$out" || exit 1
fs() { # id path [readonly]
	printf -- '-fsdev local,id=%s,path=%s,security_model=none,multidevs=remap%s ' \
		"$1" "$2" "${3:+,readonly=on}"
	printf -- '-device virtio-9p-pci,fsdev=%s,mount_tag=%s ' "$1" "$1"
}

start=$(date +%s)
# shellcheck disable=SC2046,SC2086
timeout -k 10 "$vm_timeout" qemu-system-aarch64 -M "$mtype" $machine -accel tcg \
	-nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" -dtb "$dtb" \
	-append "console=ttyAMA0 panic=-1 loglevel=4 IOTSEC_TOP=/top IOTSEC_TESTS=$tests IOTSEC_TEST_TIMEOUT=$test_timeout" \
	$(fs root "$base/root" ro) $(fs top "$top" ro) $(fs out "$out") \
	< /dev/null > "$out/console.log" 2>&1
qrc=$?
echo "vm-arm64: $kver: guest ran $(( $(date +%s) - start )) s (qemu exit $qrc)"
"$top/tests/vm/judge.sh" "$out" "$qrc" "$vm_timeout" "$test_timeout"
