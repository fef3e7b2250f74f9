#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Builds the test VM's initramfs: busybox-static, the virtio and 9p modules
# of the Debian kernel KVER (in load order) and tests/vm/init.  The guest
# then mounts the host's root read-only over 9p and switch_roots into it.
#
# usage: mkinitramfs.sh KVER OUTPUT.cpio.gz
set -eu
kver=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage/bin" "$stage/lib/mod" "$stage/proc" "$stage/sys" \
	"$stage/dev" "$stage/newroot"
cp /bin/busybox "$stage/bin/busybox"
cp "$here/init" "$stage/init"
chmod 755 "$stage/init"

# Load order as modprobe resolves it; each module once.
for m in virtio_pci 9pnet_virtio 9p; do
	modprobe -S "$kver" --show-depends "$m"
done |
	awk '$1 == "insmod" && !seen[$2]++ { print $2 }' |
	while read -r ko; do
		cp "$ko" "$stage/lib/mod/"
		basename "$ko" >> "$stage/lib/mod/order"
	done
test -s "$stage/lib/mod/order"

(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
