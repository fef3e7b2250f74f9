#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Boots a Debian kernel (6.1 unless KVER says otherwise: a release or a
# series, see tools/kver) under qemu-system-x86_64 (TCG) once, runs the
# VM tests inside (tests/vm/guest.sh), and brings back their TAP output to
# build/vm/out/.  Adds its own TAP file, vm.tap, with what only the host
# can judge: the VM reported in time, every test program ran to its end,
# and the guest kernel log holds no BUG, WARNING, oops or lockup.
#
# usage: run.sh [TEST...]     (default: every test)
# env:   KVER (release or series, default 6.1), VM_TIMEOUT (s, whole run),
#        VM_TEST_TIMEOUT (s, one test), VM_OUT (results folder, default
#        build/vm/out)
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
	"$top/tests/vm/mkinitramfs.sh" "$kver" "$initrd" "$kroot" || exit 1
fi
rm -rf "$out"
mkdir -p "$out"

fs() { # id path [readonly]
	printf -- '-fsdev local,id=%s,path=%s,security_model=none,multidevs=remap%s ' \
		"$1" "$2" "${3:+,readonly=on}"
	printf -- '-device virtio-9p-pci,fsdev=%s,mount_tag=%s ' "$1" "$1"
}

start=$(date +%s)
# shellcheck disable=SC2046
timeout -k 10 "$vm_timeout" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 2 -m 2048 \
	-nographic -no-reboot -nic none \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyS0 panic=-1 loglevel=4 IOTSEC_TOP=$top ${kroot:+IOTSEC_KROOT=$kroot }IOTSEC_TESTS=$tests IOTSEC_TEST_TIMEOUT=$test_timeout" \
	$(fs host / ro) $(fs top "$top" ro) $(fs out "$out") \
	< /dev/null > "$out/console.log" 2>&1
qrc=$?
echo "vm: $kver: guest ran $(( $(date +%s) - start )) s (qemu exit $qrc)"

# --- judge what only the host can see -------------------------------------
n=0
fails=0
tap() { # ok|not-ok description
	n=$((n + 1))
	if [ "$1" = ok ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		fails=$((fails + 1))
	fi
}
{
	if [ -f "$out/done" ]; then
		tap ok "vm: guest reported"
	else
		tail -n 20 "$out/console.log" | sed 's/^/# console: /'
		[ -f "$out/guest.log" ] && tail -n 10 "$out/guest.log" | sed 's/^/# guest: /'
		tap not-ok "vm: guest reported (qemu exit $qrc, limit ${vm_timeout}s)"
	fi
	for rc in "$out"/*.rc; do
		[ -f "$rc" ] || continue
		name=$(basename "$rc" .rc)
		code=$(cat "$rc")
		case $code in
		0|4) tap ok "vm: $name exited $code" ;;
		124|137) tap not-ok "vm: $name timed out after ${test_timeout}s" ;;
		*) tap not-ok "vm: $name exited $code" ;;
		esac
	done
	pat='BUG:|WARNING:|Oops|general protection|Call Trace|blocked for more than|soft lockup|hard LOCKUP|rcu.*stall|Kernel panic'
	bad=$(cat "$out/dmesg.txt" "$out/console.log" 2>/dev/null | grep -E "$pat" | sort -u)
	if [ ! -s "$out/dmesg.txt" ]; then
		tap not-ok "vm: kernel log clean (no kernel log came back)"
	elif [ -z "$bad" ]; then
		tap ok "vm: kernel log clean"
	else
		echo "$bad" | head -n 20 | sed 's/^/# kernel: /'
		tap not-ok "vm: kernel log clean"
		grep -E -A 25 "$pat" "$out/dmesg.txt" 2>/dev/null |
			head -n 60 | sed 's/^/# trace: /'
	fi
	echo "1..$n"
} > "$out/vm.tap"
cat "$out/vm.tap"
[ "$fails" -eq 0 ]
