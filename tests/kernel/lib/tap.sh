#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TAP helpers for the VM's shell tests, sourced after set -u:
#   ok TEXT, nok TEXT       one result line; $n counts them, $fails the failures
#   check TEXT CMD...       ok when CMD succeeds, else nok
#   diag FILE...            the files as TAP comments
# A test ends with: echo "1..$n"; [ "$fails" -eq 0 ]

n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
diag() { sed 's/^/# /' "$@"; }
check() { # description, command...
	what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}
