#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the reliability tests (issue 17), sourced after vmtest.sh:
#   reliab_start NAME "$@"     own_session, reliab_env, a work folder $d
#                              (/tmp/NAME.XXXXXX) and the EXIT trap: kills
#                              $spid, $side_pids, slab_hold's holder and
#                              the jobs, touches
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
#   keys_base                  sets $kbase, the keys a row may leave behind:
#                              the count once it stops falling (after the
#                              test's own keys are made)
#   keys_leak WHY-VAR          after a row: adds "keys A -> B" to the
#                              variable named WHY-VAR when more than $kbase
#                              are left (then $kbase moves up, so that one
#                              leak fails one row)
#   nfds PID                   open fds of PID
#   slab_total                 active objects over all slab caches
#   slab_snap                  "cache objects objects-per-slab" lines,
#                              sorted (the first call starts slab_hold,
#                              which keeps the shrink files open), after the
#                              reclaimable caches are dropped and every
#                              cache shrunk (its CPU slabs flushed)
#   slab_leak BEFORE MIN       the caches grown since the slab_snap file
#                              BEFORE by MIN objects or more and by more
#                              than a slab ("cache +N ..."), the process
#                              and file caches left out; a growth is
#                              looked at again every 10 s for up to 70 s
#                              and printed only if it stays (with
#                              its allocation sites when the guest
#                              tracks them: VM_APPEND=slub_debug=U,...)
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
	slab_holder=
	trap reliab_cleanup EXIT
}

: "${top:?reliab.sh is sourced after vmtest.sh}"

reliab_cleanup() {
	for _p in $spid $side_pids ${slab_holder:-}; do kill "$_p" 2>/dev/null; done
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

# Prints the command's number once it stops falling (read every SECONDS,
# TRIES times at most).
settled() { # tries seconds command...
	_n=$1 _s=$2
	shift 2
	_v=$("$@")
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		sleep "$_s"
		_x=$("$@")
		[ "$_x" -lt "$_v" ] || break
		_v=$_x
		_i=$((_i + 1))
	done
	echo "$_v"
}

keys_base() { kbase=$(settled 10 0.1 nkeys); }

keys_leak() { # why-variable
	_k1=$(keys_settle "$kbase")
	[ "$_k1" -le "$kbase" ] && return 0
	eval "_w=\${$1:-}"
	eval "$1=\"\${_w:+\$_w; }keys $kbase -> $_k1\""
	kbase=$_k1
}

nfds() { ls "/proc/$1/fd" 2>/dev/null | wc -l; }

slab_total() {
	awk 'NR > 2 { s += $2 } END { print s + 0 }' /proc/slabinfo
}

kmalloc_sum() { awk '$1 ~ /^kmalloc-/ { s += $2 } END { print s + 0 }' /proc/slabinfo; }

# Holds every cache's shrink file open for the rest of the test.  An open
# of a sysfs file allocates the file's kernfs_open_node (kmalloc-96) only
# when no one else has the file open, and the last close frees it by
# kfree_rcu: 5 s later on 6.1, later still in a loaded guest, where a
# snapshot's own 262 opens were still counted (CI: kmalloc-96 +53, then
# +94 after 70 s of snapshots).  With the files held, those opens neither
# make nor free one.  reliab_cleanup kills the holder; if it cannot
# start, the snapshots go on without it.
slab_hold() {
	[ -z "${slab_holder:-}" ] || return 0
	rm -f "$d/slab.held"
	# (and notes, once, the caches whose objects are counted exactly)
	bash -c 'for f in /sys/kernel/slab/*/store_user; do
			read -r u < "$f" && [ "$u" = 1 ] && basename "${f%/*}"
		done > "$2"
		for f in /sys/kernel/slab/*/shrink; do
			exec {fd}> "$f" || exit 1
		done
		: > "$1"
		exec sleep 1000000' slab_hold "$d/slab.held" "$d/slab.exact" > /dev/null 2>&1 &
	slab_holder=$!
	_i=0
	while [ ! -e "$d/slab.held" ] && [ "$_i" -lt 100 ]; do
		kill -0 "$slab_holder" 2>/dev/null || break
		sleep 0.1
		_i=$((_i + 1))
	done
	[ -e "$d/slab.held" ] ||
		echo "# slab: the shrink files could not be held open" >&2
}

slab_snap() {
	slab_hold
	sync
	echo 2 > /proc/sys/vm/drop_caches
	# SLUB counts the free objects of the CPUs' slabs as active: flush
	# them (and drop empty slabs) first, so that the count is the objects
	# in use
	for _s in /sys/kernel/slab/*/shrink; do
		echo 1 > "$_s" 2>/dev/null
	done
	# Each of those opens left its kernfs_open_node (kmalloc-96, one per
	# cache: 262 on 6.1) to kfree_rcu, which 6.1 frees 5 s later: seen
	# as +205 kmalloc-96 between two snapshots.  Dropping the slab caches
	# again runs kfree_rcu's shrinker (the batch goes to RCU now); then
	# after 1 s the kmalloc caches are read until they stop falling
	# (6 s more at most).
	echo 2 > /proc/sys/vm/drop_caches
	sleep 1
	settled 12 0.5 kmalloc_sum > /dev/null
	awk 'NR > 2 { print $1, $2, $5 }' /proc/slabinfo | sort
}

# Left out: the caches of processes and files (they come and go with the
# test's own commands: seq_file with every open /proc file; maple_node,
# the tree of a process's mappings), TIME_WAIT
# and request sockets, and vmap_area (vmalloc areas, module loads among
# them, are freed lazily, in batches).
# SLUB counts the free objects of the slabs a CPU holds as in use, and the
# snapshot's own commands take slabs onto the CPU again right after the
# shrink: a cache that is not tracked must grow by more than one slab
# (seen on 6.1 with no leak: kmalloc-96 +43, two more slabs taken, for
# the whole 70 s).  A cache with allocation tracking (slub_debug=U, which
# make check and make stress boot with for kmalloc-*: VM_LEAK_APPEND)
# keeps no CPU slabs, and its count is exact: a row's worth is a growth.
slab_grown() { # before after min
	join "$1" "$2" | awk -v k="$3" -v ex="$d/slab.exact" '
		BEGIN { while ((getline c < ex) > 0) exact[c] = 1 }
		$1 !~ /^(tw_sock|request_sock|dentry|.*inode|kernfs|radix_tree|buffer_head|vm_area|anon_vma|filp|pid|cred|task|mm_struct|signal|sighand|files|fs_cache|sock_inode|lsm|ebitmap|seq_file|vmap_area|maple_node)/ &&
		$4 - $2 >= k && ($1 in exact || $4 - $2 > $3) { printf "%s +%d ", $1, $4 - $2 }'
}

# Freed late is not a leak: a closed TCP socket may linger (FIN_WAIT,
# then TIME_WAIT for 60 s) with what hangs on it, and kfree_rcu frees in
# batches that a loaded TCG guest runs late.  Seen: +98 kmalloc-512 and
# +82 kmalloc-64 right after 50 handshakes.  So a growth is looked at
# again for up to 70 s; what is still there then is reported.
slab_leak() { # before min
	_w=0
	while :; do
		slab_snap > "$1.now"
		_g=$(slab_grown "$1" "$1.now" "$2")
		if [ -z "$_g" ]; then
			[ "$_w" -eq 0 ] || echo "# slab: the growth was gone after $_w s" >&2
			return 0
		fi
		if [ "$_w" -eq 0 ]; then
			echo "# slab: grown right after: $_g($(grep '^TCP:' /proc/net/sockstat))" >&2
			slab_callers $_g >&2
		fi
		if [ "$_w" -ge 70 ]; then
			echo "$_g"
			return 0
		fi
		sleep 10
		_w=$((_w + 10))
	done
}

# How many caches slab_hold found tracked (counted exactly).
slab_tracked() { wc -l < "$d/slab.exact" 2>/dev/null || echo 0; }

# With the guest booted with slub_debug=U,CACHE (VM_APPEND), each grown
# cache's busiest allocation sites: where a leak comes from.
slab_callers() { # "cache +N" words, as slab_grown prints them
	for _c in "$@"; do
		case $_c in +*) continue ;; esac
		# debugfs from 5.14 on, sysfs before
		_f=/sys/kernel/debug/slab/$_c/alloc_traces
		[ -e "$_f" ] || _f=/sys/kernel/slab/$_c/alloc_calls
		grep -E '^ *[0-9]+ ' "$_f" 2> /dev/null | sort -rn | head -n 6 |
			sed "s|^ *|# slab: $_c from |"
	done
}

# Each exec in the guest costs (its binary comes over 9p under TCG): one
# od, tr and awk for all the files together.  The hex of their bytes is
# one line (a secret written raw), and their text is matched too (a
# secret written as hex, in any case).
secrets_in() { # keylog files...
	_kl=$1
	shift
	[ -s "$_kl" ] || return 0
	_fs=
	for _f in "$@"; do
		[ -f "$_f" ] && _fs="$_fs $_f"
	done
	[ -n "$_fs" ] || return 0
	# shellcheck disable=SC2086	# mktemp's folders, no blanks
	od -An -tx1 -v $_fs | tr -d ' \n' > "$_kl.hex"
	echo >> "$_kl.hex"
	# shellcheck disable=SC2086
	awk -v raw="$_kl.hex" -v fs="$_fs" '
		NR == FNR { if (NF >= 3) sec[tolower($3)] = $1; next }
		{
			l = tolower($0)
			for (s in sec)
				if (index(l, s)) {
					print "# secret " sec[s] " in " \
						(FILENAME == raw ? "the bytes of" fs : FILENAME)
					bad = 1
				}
		}
		END { exit bad }' "$_kl" "$_kl.hex" $_fs
	_rc=$?
	rm -f "$_kl.hex"
	return $_rc
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
