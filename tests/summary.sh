#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Reads TAP files (kselftest or plain) and prints the failures, then one
# closing line "N passed, N failed, N skipped".  A file whose plan promises
# more results than it holds counts the missing ones as failed; a file with
# no result at all counts as one failure.  "not ok ... # TODO" (a known
# defect) counts as skipped.  Exits 1 when anything failed.
#
# usage: summary.sh FILE.tap...
pass=0 fail=0 skip=0
for f in "$@"; do
	[ -f "$f" ] || continue
	name=$(basename "$f" .tap)
	set -- $(awk -v name="$name" '
		/^#/ && !/^# +(RUN|OK) / { if (nb < 25) buf[nb++] = $0 }
		/^(not )?ok [0-9]+/ {
			n++
			if ($1 == "not" && $0 ~ /# *TODO/) s++	# a known defect (TAP TODO)
			else if ($1 == "not") {
				f++
				for (i = 0; i < nb; i++) print "    " buf[i] > "/dev/stderr"
				print "FAIL " name ": " $0 > "/dev/stderr"
			}
			else if ($0 ~ /# *SKIP/) s++
			else p++
			nb = 0
		}
		/^1\.\.[0-9]+/ { sub(/^1\.\./, ""); plan = $0 + 0 }
		END {
			if (n == 0) { f++; print "FAIL " name ": no TAP results" > "/dev/stderr" }
			else if (plan > n) {
				f += plan - n
				print "FAIL " name ": " plan - n " results missing" > "/dev/stderr"
			}
			print p + 0, f + 0, s + 0
		}' "$f")
	pass=$((pass + $1)) fail=$((fail + $2)) skip=$((skip + $3))
done 2>&1
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
