#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the test VM's initramfs: busybox-static, the virtio and 9p modules
# of the Debian kernel KVER (in load order; those built in are left out,
# compressed ones are unpacked for busybox's insmod) and tests/vm/init.  The
# guest then mounts the host's root read-only over 9p and switch_roots into
# it.  ROOT is where an unpacked kernel's lib/modules is (tools/kver --root).
#
# usage: mkinitramfs.sh KVER OUTPUT.cpio.gz [ROOT]
# env:   VM_BUSYBOX (default /bin/busybox), VM_INIT (default tests/vm/init):
#        tests/vm/arm64/run.sh gives the arm64 root's busybox and its init
set -eu
kver=$1
out=$2
root=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/lib/mod" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/newroot"
cp "${VM_BUSYBOX:-/bin/busybox}" "$stage/bin/busybox"
cp "${VM_INIT:-$here/init}" "$stage/init"
chmod 755 "$stage/init"

# Load order as modprobe resolves it; each module once.
deps=$(for m in virtio_pci 9pnet_virtio 9p; do
	modprobe ${root:+-d "$root"} -S "$kver" --show-depends "$m" || exit 1
done) || { echo "mkinitramfs: modules missing for $kver" >&2; exit 1; }
printf '%s\n' "$deps" |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r ko; do
		case $ko in
		*.ko.xz) name=$(basename "$ko" .xz); xz -dc "$ko" > "$stage/lib/mod/$name" ;;
		*.ko.zst) name=$(basename "$ko" .zst); zstd -qdc "$ko" > "$stage/lib/mod/$name" ;;
		*) name=$(basename "$ko"); cp "$ko" "$stage/lib/mod/" ;;
		esac
		echo "$name" >> "$stage/lib/mod/order"
	done
touch "$stage/lib/mod/order"

(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
