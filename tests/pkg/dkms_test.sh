#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# DKMS for every kernel given (make check-dkms: each one with headers in
# /lib/modules/*/build): the source tree of tools/deb/dkms-tree.sh is
# added, built and installed with dkms into scratch trees (--sourcetree,
# --dkmstree, --installtree under build/dkms), so the system's modules are
# untouched.  Per kernel: dkms install succeeds, the three modules are in
# updates/dkms (.ko, or .ko.xz where the kernel's own are compressed) with
# that kernel's vermagic, dkms status says installed.
# Host side, root, needs dkms.  Prints TAP.
#
# usage: dkms_test.sh VERSION KVER...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/kernel/lib/tap.sh"
version=$1
shift
if ! command -v dkms > /dev/null; then
	echo "ok 1 - dkms # SKIP dkms not installed (tools/setup-deps --arm64)"
	echo "1..1"
	exit 0
fi
s=$top/build/dkms
rm -rf "$s"
mkdir -p "$s/src" "$s/tree" "$s/inst"
o="--sourcetree $s/src --dkmstree $s/tree --installtree $s/inst"
"$top/tools/deb/dkms-tree.sh" "$s/src/iotsec-$version" "$version"
# shellcheck disable=SC2086
dkms add -m iotsec -v "$version" $o > "$s/add.log" 2>&1
rc=$?
[ $rc -eq 0 ] || diag "$s/add.log"
check "dkms add iotsec/$version" test $rc -eq 0
for k in "$@"; do
	mkdir -p "$s/inst/$k"
	# shellcheck disable=SC2086
	dkms install -m iotsec -v "$version" -k "$k" $o --no-depmod > "$s/$k.log" 2>&1
	rc=$?
	[ $rc -eq 0 ] || tail -n 20 "$s/$k.log" | diag
	check "$k: dkms build and install" test $rc -eq 0
	bad=
	for m in iotsec iotsec_sim algif_kpp; do
		# .ko, or .ko.xz where the kernel compresses its modules (6.12)
		f=$(ls "$s/inst/$k/updates/dkms/$m.ko"* 2>/dev/null | head -n 1)
		vm=$(modinfo -F vermagic "$f" 2>/dev/null)
		case $vm in
		"$k "*) ;;
		*) bad="$bad $m($vm)" ;;
		esac
	done
	check "$k: iotsec, iotsec_sim, algif_kpp in updates/dkms, vermagic $k${bad:+ (bad:$bad)}" \
		test -z "$bad"
	# shellcheck disable=SC2086
	dkms status -m iotsec -v "$version" -k "$k" $o 2>/dev/null | grep -q 'installed$'
	check "$k: dkms status installed" test $? -eq 0
done
echo "1..$n"
[ "$fails" -eq 0 ]
