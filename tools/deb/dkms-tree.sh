#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Lays out the DKMS source tree of the modules: DEST/Kbuild, include/,
# iotsec/, iotsec_sim/, algif_kpp/ (sources only, no build products) and
# dkms.conf with VERSION put in.  make dkms-install and the iotsec-dkms
# package (tools/deb/build.sh) both use it.
#
# usage: dkms-tree.sh DEST VERSION
set -eu
dest=$(realpath -m "$1")
version=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$dest"
mkdir -p "$dest"
cd "$top/kernel"
find Kbuild include iotsec iotsec_sim algif_kpp \
	\( -name '*.[ch]' ! -name '*.mod.c' \) -o -name Kbuild |
	while read -r f; do
		mkdir -p "$dest/$(dirname "$f")"
		cp "$f" "$dest/$f"
		chmod 644 "$dest/$f"
	done
sed "s/@VERSION@/$version/" dkms.conf > "$dest/dkms.conf"
