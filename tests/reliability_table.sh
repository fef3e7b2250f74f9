#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The reliability table of issue 17, from the "# RELIAB|KIND|NAME|STATE|TEXT"
# lines the reliability tests (tests/kernel/reliab_*_test.sh, lib/reliab.sh)
# put in their TAP output: the fault matrix (side and command x fault), the
# load figures, the lifetime rows, the soak deltas, the bad-certificate rows
# and the fuzz executions.  STATE pass, retry, error: green; na: not
# applicable (said why); todo: a known defect (its TAP line is a TODO); FAIL
# or a section with no rows from a test that ran (its TAP file is given):
# red; a test not given is "not run here".  Exits 1 on any red cell.
#
# usage: reliability_table.sh FILE.tap...
#   fuzz rows: KIND "fuzz", NAME the target, TEXT its executions and crashes,
#   from fuzz.tap (tests/fuzz/run.sh).
awk -F'|' '
	FNR == 1 { f = FILENAME; sub(/.*\//, "", f); sub(/\.tap$/, "", f); ran[f] = 1 }
	/^# RELIAB\|/ {
		kind = $2; name = $3; st = $(NF - 1); txt = $NF
		if (kind == "fault") {
			# NAME is "side|op|kind": fields 3, 4, 5
			key = $3 " " $4
			if (!(key in seen)) { seen[key] = 1; rows[nr++] = key }
			if (!($5 in kseen)) { kseen[$5] = 1; kinds[nk++] = $5 }
			cell[key, $5] = st
			if (st == "FAIL") red++
			if (st == "FAIL" || st == "todo")
				notes[nn++] = st " " $3 " " $4 " " $5 ": " txt
			nfault++
			next
		}
		if (kind == "info") { info[ni++] = name ": " txt; next }
		line[kind, cnt[kind]++] = sprintf("  %-5s %s: %s", st == "FAIL" ? "RED" : \
			st == "todo" ? "TODO" : st == "na" ? "n/a" : "ok", name, txt)
		if (st == "FAIL") red++
	}
	function sym(s) {
		if (s == "retry") return "retry"
		if (s == "error") return "error"
		if (s == "na") return "n/a"
		if (s == "todo") return "TODO"
		if (s == "FAIL") return "RED"
		if (s == "") return "-"
		return s
	}
	# A section is red without rows when its test ran (its TAP file is
	# given) and said nothing: it died.  Not given: not in this suite.
	function section(k, title, t, i) {
		print title
		if (!cnt[k]) {
			if (!(t in ran)) print "  (not run here: " t ")"
			else { print "  RED   no results (" t " died)"; red++ }
		}
		for (i = 0; i < cnt[k]; i++) print line[k, i]
		print ""
	}
	END {
		print ""
		print "Reliability (issue 17)"
		print "======================"
		print "Fault matrix: one fault injected into a live handshake; retry = the"
		print "handshake completed, error = a clean error with internal_error to the peer,"
		print "n/a = not applicable, - = not in this form (make check: each fault once;"
		print "make stress: every command x every fault, both sides)"
		if (!nfault && !("reliab_fault_test" in ran)) print "  (not run here: reliab_fault_test)"
		else if (!nfault) { print "  RED   no results (reliab_fault_test died)"; red++ }
		else {
			printf "  %-16s", ""
			for (j = 0; j < nk; j++) printf " %-10s", kinds[j]
			printf "\n"
			for (i = 0; i < nr; i++) {
				printf "  %-16s", rows[i]
				for (j = 0; j < nk; j++) printf " %-10s", sym(cell[rows[i], kinds[j]])
				printf "\n"
			}
			for (i = 0; i < nn; i++) print "  " notes[i]
		}
		for (i = 0; i < ni; i++) print "  " info[i]
		print ""
		section("load", "Concurrency", "reliab_load_test")
		section("life", "Lifetime (unbind, rmmod)", "reliab_life_test")
		section("soak", "Soak", "reliab_load_test")
		section("cert", "Bad certificates", "reliab_certs_test")
		section("fuzz", "Fuzzing", "fuzz")
		if (red) print red " red cell(s)"
		else print "no red cell"
		exit red ? 1 : 0
	}' "$@"
