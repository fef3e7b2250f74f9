#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the reliability tests (issue 17), sourced after vmtest.sh:
#   reliab_start NAME "$@"     own_session, reliab_env, a work folder $d
#                              (/tmp/NAME.XXXXXX) and the EXIT trap: kills
#                              $spid, $side_pids and the jobs, touches
#                              $d/stop, unloads the modules, removes $d
#   reliab_env                 sources $top/build/reliab/env when present
#                              (make stress writes it: the long forms)
#   row KIND NAME... -- STATE TEXT
#                              one line of the reliability table, as a TAP
#                              comment "# RELIAB|KIND|NAME|STATE|TEXT" that
#                              tests/reliability_table.sh collects
#   nkeys                      lines of /proc/keys (keys visible to us)
#   keys_settle N              waits (5 s at most) for /proc/keys to fall
#                              back to N lines: freed keys go by a work item
#   nfds PID                   open fds of PID
#   slab_total                 active objects over all slab caches
#   slab_snap                  "cache objects" lines, sorted, after the
#                              reclaimable caches are dropped
#   secrets_in KEYLOG FILE...  0 when no secret of the NSS key log KEYLOG
#                              occurs in the FILEs, in hex (any case) or raw;
#                              prints the offending file and label
reliab_start() { # name "$@"
	_name=$1
	shift
	own_session "$@"
	reliab_env
	d=$(mktemp -d "/tmp/$_name.XXXXXX")
	spid=
	side_pids=
	trap reliab_cleanup EXIT
}

reliab_cleanup() {
	for _p in $spid $side_pids; do kill "$_p" 2>/dev/null; done
	touch "$d/stop"
	kill $(jobs -p) 2>/dev/null
	modules_down
	rm -rf "$d"
}

reliab_env() {
	[ -f "$top/build/reliab/env" ] && . "$top/build/reliab/env"
	return 0
}

row() { # kind name state text
	echo "# RELIAB|$1|$2|$3|$4"
}

nkeys() { wc -l < /proc/keys; }

keys_settle() { # n
	_i=0
	while [ "$(nkeys)" -gt "$1" ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	nkeys
}

nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

slab_total() {
	awk 'NR > 2 { s += $2 } END { print s + 0 }' /proc/slabinfo
}

slab_snap() {
	sync
	echo 2 > /proc/sys/vm/drop_caches
	sleep 1
	awk 'NR > 2 { print $1, $2 }' /proc/slabinfo | sort
}

# The hex of FILE, one line, lower case.
hexof() { od -An -tx1 -v "$1" | tr -d ' \n'; }

secrets_in() { # keylog files...
	_kl=$1
	shift
	[ -s "$_kl" ] || return 0
	_bad=0
	for _f in "$@"; do
		[ -f "$_f" ] || continue
		# the file as hex (raw bytes) on one line, then its text
		{ hexof "$_f"; echo; tr 'A-F' 'a-f' < "$_f"; } > "$_kl.scan"
		awk -v f="$_f" 'NR == FNR { if (NF >= 3) sec[tolower($3)] = $1; next }
			{ for (s in sec) if (index($0, s)) { print "# secret " sec[s] " in " f; bad = 1 } }
			END { exit bad }' "$_kl" "$_kl.scan" || _bad=1
		rm -f "$_kl.scan"
	done
	return $_bad
}

# Known defects (issue 17): "PATTERN=defect" lines in RELIAB_KNOWN, where
# PATTERN is a shell pattern on "NAME|WHY" (the row's name and what failed),
# so that a known defect hides no other failure of the same row.  A failing row that matches
# is reported as "not ok ... # TODO defect" (the suite stays green, the
# table shows it as a known defect); a passing one as a plain ok.
known() { # name
	echo "${RELIAB_KNOWN:-}" | while read -r _line; do
		_pat=${_line%%=*}
		_why=${_line#*=}
		[ -n "$_pat" ] && [ "$_pat" != "$_line" ] || continue
		# shellcheck disable=SC2254
		case $1 in $_pat) echo "$_why"; break ;; esac
	done
}

# verdict KIND NAME STATE TEXT WHY: the TAP line and the table row; WHY
# empty is a pass (STATE as given), else a failure or a known defect.
verdict() {
	if [ -z "$5" ]; then
		ok "$2: $4"
		row "$1" "$2" "$3" "$4"
		return 0
	fi
	_k=$(known "$2|$5")
	if [ -n "$_k" ]; then
		nok_todo "$2: $4: $5 # TODO $_k"
		row "$1" "$2" todo "$4: $5 (defect: $_k)"
	else
		nok "$2: $4: $5"
		row "$1" "$2" FAIL "$4: $5"
	fi
	return 1
}
# A TODO failure does not count in $fails.
nok_todo() { n=$((n + 1)); echo "not ok $n - $*"; }
