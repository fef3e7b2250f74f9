#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`'s closing table, on the host, over the bench.log of its
# three boots: one wall-clock boot and two under QEMU's -icount (guest time
# from executed instructions, so a figure means the same at any host
# load).  hsbench and tls.sh print "ROW name value [min max]" lines; this
# puts each figure beside its goal:
#   icount rows: judged on both icount boots, which must also agree within
#     2 % (repeat = |a - b| / mean); the wall boot's value is shown beside.
#   wall rows (bulk data over kTLS, wall-clock by nature): the median of the
#     wall boot's runs, with their spread (min-max).
# A benchmark: MISS is reported, not failed; exit status 1 only when a
# figure is missing (it could not be measured).
#
# usage: table.sh WALL_DIR ICOUNT1_DIR ICOUNT2_DIR
set -u
[ $# -eq 3 ] || { echo "usage: table.sh WALL ICOUNT1 ICOUNT2" >&2; exit 1; }
for d in "$@"; do
	[ -r "$d/bench.log" ] || echo "table: $d/bench.log missing" >&2
done
{
	for i in 1 2 3; do
		eval "d=\${$i}"
		# shellcheck disable=SC2154 # d set by eval
		sed -n "s/^ROW /$i /p" "$d/bench.log" 2>/dev/null
	done
} | awk '
	BEGIN {
		# name, label, kind (icount, wall, info), goal (op value)
		n = 0
		r[++n] = "own_floor|own/floor (handshake vs chip floor)|icount|<= 1.05"
		r[++n] = "own_floor_chip|  own/floor, chip ECDHE|info|-"
		r[++n] = "sw_ratio|software cost / libssl client (CPU)|icount|<= 0.5"
		r[++n] = "sw_ratio_chip|  software cost, chip ECDHE|info|-"
		r[++n] = "sw_ms|  ours: CPU - chip exec, ms|info|-"
		r[++n] = "ossl_ms|  libssl client: CPU, ms|info|-"
		r[++n] = "syscalls|syscalls per handshake|icount|<= 40"
		r[++n] = "resumed_full|resumed/full handshake time|icount|<= 0.05"
		r[++n] = "resumed_full_chip|  resumed / full with chip ECDHE|info|-"
		r[++n] = "resumed_chip_full_chip|  resumed/full, both chip ECDHE|info|-"
		r[++n] = "full_sw_ecdh_ms|full handshake, default (sw) ECDHE, ms|info|-"
		r[++n] = "full_chip_ecdh_ms|full handshake, chip ECDHE, ms|info|-"
		r[++n] = "chipbound_1|chip-bound ratio, 1 client|info|-"
		r[++n] = "chipbound_2|chip-bound ratio, 2 clients|info|-"
		r[++n] = "chipbound_4|chip-bound ratio, 4 clients|info|-"
		r[++n] = "chipbound_8|chip-bound ratio, 8 clients|icount|>= 0.95"
		r[++n] = "bulk_write|kTLS write()/openssl (bulk)|wall|>= 1.0"
		r[++n] = "bulk_sendfile|kTLS sendfile()/openssl (bulk)|wall|>= 1.3"
		r[++n] = "backend|backend (iotsec_session_crypto)|text|-"
	}
	{ v[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5 }
	function meets(x, goal,   g) {
		split(goal, g, " ")
		return g[1] == "<=" ? x + 0 <= g[2] + 0 : x + 0 >= g[2] + 0
	}
	function fmt(x) {
		if (x == "")
			return "-"
		return sprintf(x + 0 >= 100 ? "%.1f" : "%.3f", x)
	}
	END {
		printf "\n%-38s %-8s %-17s %8s %8s %7s  %s\n", "make bench", "goal",
			"wall", "icount1", "icount2", "repeat", "result"
		pass = miss = 0
		for (i = 1; i <= n; i++) {
			split(r[i], f, "|")
			name = f[1]; kind = f[3]; goal = f[4]
			a = v[1, name]; b = v[2, name]; c = v[3, name]
			if (kind == "text") {
				printf "%-38s %-8s %-17s %8s %8s %7s  %s\n", f[2], goal,
					a == "" ? "-" : a, b == "" ? "-" : b,
					c == "" ? "-" : c, "", ""
				continue
			}
			if (kind == "wall") {
				if (a == "") { res = "not measured"; lost = 1 }
				else res = meets(a, goal) ? "PASS" : "MISS"
				w = a == "" ? "-" : sprintf("%.2f (%.2f-%.2f)", a,
					lo[1, name], hi[1, name])
				printf "%-38s %-8s %-17s %8s %8s %7s  %s\n", f[2], goal,
					w, "", "", "", res
			} else {
				rep = ""
				if (b != "" && c != "" && b + c > 0)
					rep = sprintf("%.1f %%", 200 * (b > c ? b - c : c - b) / (b + c))
				res = "-"
				if (kind == "icount") {
					if (b == "" || c == "") { res = "not measured"; lost = 1 }
					else if (!meets(b, goal) || !meets(c, goal)) res = "MISS"
					else if (rep + 0 > 2) res = "MISS (repeat > 2 %)"
					else res = "PASS"
				}
				printf "%-38s %-8s %-17s %8s %8s %7s  %s\n", f[2], goal,
					fmt(a), fmt(b), fmt(c), rep, res
			}
			if (res ~ /^PASS/) pass++
			else if (res ~ /^MISS/) miss++
		}
		printf "%d PASS, %d MISS (icount rows judged on both icount boots and their\n", pass, miss
		printf "repeat; wall rows on the median of the wall boot, spread min-max of its runs)\n"
		exit lost
	}'
