#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make tests: reliab_certs_test's root and chains (badcerts.sh), once per
# build, into DIR (build/reliab/certs).  The test itself adds dev.pem for
# the chip's key in the guest.
# usage: mkcerts.sh DIR
set -eu
lib=$(cd "$(dirname "$0")" && pwd)
. "$lib/pki.sh"
. "$lib/badcerts.sh"
rm -rf "$1"
mkdir -p "$1"
pki_ca "$1" root
badcerts_make "$1"
test -f "$1/done"
