#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Runs libFuzzer targets (build/fuzz/TARGET, tests/fuzz/fuzz_*.c) for
# SECONDS each on their seeds (tests/fuzz/corpus/TARGET) and their
# regression inputs (tests/fuzz/regress/TARGET: every crash found, kept),
# growing a working corpus in build/fuzz/corpus/TARGET.  First every
# regression input runs once on its own.  TAP, one result per target, with
# "# RELIAB|fuzz|TARGET|STATE|TEXT" rows for tests/reliability_table.sh; a
# crash leaves its input in build/fuzz/crash/ and fails the target.
#
# usage: tests/fuzz/run.sh SECONDS TARGET...
# env:   FUZZ_RUNS=N: each target stops after N executions, or after
#        SECONDS if that comes first (the long run: make fuzz
#        FUZZ_RUNS=10000000 FUZZ_SECONDS=3600)
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=$1
shift
b=$top/build/fuzz
mkdir -p "$b/crash" "$b/log"
echo "1..$#"
i=0 total=0 red=0
for t in "$@"; do
	i=$((i + 1))
	bin=$b/$t
	seeds=$top/tests/fuzz/corpus/$t
	reg=$top/tests/fuzz/regress/$t
	log=$b/log/$t.log
	mkdir -p "$b/corpus/$t"
	if [ ! -x "$bin" ] || [ ! -d "$seeds" ]; then
		echo "not ok $i fuzz $t: no target or no seeds"
		echo "# RELIAB|fuzz|$t|FAIL|not built"
		red=1
		continue
	fi
	rc=0 extra=
	[ -d "$reg" ] && extra=$reg
	if [ -d "$reg" ] && [ -n "$(ls -A "$reg")" ]; then
		"$bin" "$reg"/* > "$log.regress" 2>&1 || rc=$?
		if [ $rc -ne 0 ]; then
			sed 's/^/# /' "$log.regress" | tail -n 30
			echo "not ok $i fuzz $t: a regression input crashes again (exit $rc)"
			echo "# RELIAB|fuzz|$t|FAIL|regression input crashes"
			red=1
			continue
		fi
	fi
	t0=$(date +%s)
	"$bin" -max_total_time="$secs" ${FUZZ_RUNS:+-runs="$FUZZ_RUNS"} -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=1024 -artifact_prefix="$b/crash/$t-" \
		"$b/corpus/$t" "$seeds" $extra \
		> "$log" 2>&1 || rc=$?
	took=$(($(date +%s) - t0))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	cov=$(sed -n 's/^#[0-9]*.*DONE *cov: *\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	units=$(ls "$b/corpus/$t" | wc -l)
	if [ $rc -ne 0 ] || [ -z "$execs" ]; then
		grep -E 'ERROR|SUMMARY|does not hold|artifact|Test unit written' "$log" |
			head -n 10 | sed 's/^/# /'
		echo "not ok $i fuzz $t: crashed (exit $rc, input in build/fuzz/crash/)"
		echo "# RELIAB|fuzz|$t|FAIL|crash after ${execs:-?} executions (see $log)"
		red=1
		continue
	fi
	total=$((total + execs))
	echo "ok $i fuzz $t: $execs executions in $took s, 0 crashes"
	echo "# RELIAB|fuzz|$t|pass|$execs executions in $took s, 0 crashes, cov ${cov:-?}, corpus $units"
done
echo "# fuzz: $total executions in all"
exit $red
