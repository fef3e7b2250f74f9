#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The host's verdict on one VM run (tests/vm/run.sh, tests/vm/arm64/run.sh),
# written to OUT/vm.tap and printed: the VM reported in time, every test
# program ran to its end, and the guest kernel log holds no BUG, WARNING,
# oops or lockup.  Exit 0 when all hold.
#
# usage: judge.sh OUT QEMU_EXIT VM_TIMEOUT TEST_TIMEOUT
set -u
out=$1
qrc=$2
vm_timeout=$3
test_timeout=$4

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
