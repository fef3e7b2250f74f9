#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 17, load and soak: N processes x M mutual handshakes of our client
# (build/tests/reliab/reliab_hs, libiotsec) on one simulated chip with its
# timing on, then on 2 chips (half the processes each), while hwrng reads,
# `iotsec info` and keyctl pkey_verify on the chip key run beside them:
# 0 failed handshakes, no EKEYEXPIRED, no failed side job; the fairness
# figure (slowest process / fastest) and handshakes/s against the chip-bound
# limit (1 / the modelled chip time of one handshake, from the simulator's
# *_us counters around a lone handshake).  Then the soak: K handshakes in
# one process (RSS and fds flat) and K/2 in fresh `iotsec connect`
# processes, with keys (/proc/keys) and slab objects (/proc/slabinfo)
# flat across each.  Short forms by default; make stress sets the long
# ones in build/reliab/env.  TAP, plus "# RELIAB|..." lines for the table.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
. "$top/tests/kernel/lib/reliab.sh"
reliab_start rload "$@"

PROCS=${RELIAB_PROCS:-4}
HS=${RELIAB_HS:-5}
PROCS2=${RELIAB_PROCS2:-4}
HS2=${RELIAB_HS2:-5}
SOAK=${RELIAB_SOAK:-50}
SOAK_FRESH=${RELIAB_SOAK_FRESH:-$((SOAK / 2))}
hs=$top/build/tests/reliab/reliab_hs
# The load rounds ask for the chip's TempKey (GenKey + ECDH on the chip):
# its sharing between handshakes is what they test.  The soaks run the
# library's default (the kernel's software ECDHE).
ECDH=ecdh-nist-p256
# Defects this test found (issue 17): a handshake's ECDH failed with
# EKEYEXPIRED when a side job (keyctl pkey_verify running the chip's
# Verify, or a Random) got between GenKey and ECDH.  The key type's verify
# is now software (p256.c), a transform that cannot own TempKey gets a
# software key (ecdh.c), and a held key keeps the hwrng waiting for up to
# tempkey_hold_ms (30 s; it was 5 s, which a loaded guest outlasted): an
# EKEYEXPIRED is a red cell, printed with the driver's line naming what
# took the key.  make stress runs this test's boot under -icount: a host
# that stalls the vCPU past the chip's 1.3 s watchdog is not the driver's
# to survive (Documentation/testing.rst).
BASE=4470

[ -x "$hs" ] || { echo "not ok 1 - $hs missing (make all builds it)"; echo "1..1"; exit 1; }
modules_up "chips=2 provisioned=1" 2 algif_kpp
key0=$(keyctl add iotsec dev0 "chip=0 slot=0" @s)
key1=$(keyctl add iotsec dev1 "chip=1 slot=0" @s)
pki_ca "$d" root
pki_leaf "$d" srv root "DNS:server.test,IP:127.0.0.1"
key_of() { # chip: its key's id
	if [ "$1" = 0 ]; then echo "$key0"; else echo "$key1"; fi
}
for c in 0 1; do
	k=$(key_of $c)
	keyctl pipe "$k" > "$d/dev$c.der"
	openssl pkey -pubin -inform DER -in "$d/dev$c.der" -out "$d/dev$c.pub" 2>/dev/null
	pki_leaf_for_pubkey "$d" "dev$c" root "$d/dev$c.pub" "DNS:device$c.test"
	echo 1 > "$sim_dir/chip$c/timing"
done
check "set-up: two chips, their keys and certificates" test -s "$d/dev0.pem" -a -s "$d/dev1.pem"

peer() { # port count
	openssl s_server -accept "$1" -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -groups P-256 -naccept "$2" -www \
		-keylogfile "$d/kl.$1" \
		< /dev/null > /dev/null 2> "$d/peer.$1.err" &
	peer_pids="$peer_pids $!"
}
peer_pids=
peers_stop() {
	for p in $peer_pids; do kill "$p" 2>/dev/null; done
	# not a bare wait: slab_hold's holder runs until the end
	for p in $peer_pids; do wait "$p" 2>/dev/null; done
	peer_pids=
}
peers_down() { # the peers are done (or waiting for a client that failed)
	sleep 0.5
	peers_stop
}

us_total() { # chip: the sum of every *_us counter
	awk '$1 ~ /_us$/ { s += $2 } END { print s + 0 }' "$sim_dir/chip$1/counters"
}

# --- the chip floor of one handshake ---------------------------------------
peer $BASE 3
wait_port $BASE
u0=$(us_total 0)
"$hs" -k "$key0" -r "$d/root.pem" -c "$d/dev0.pem" -p $BASE -n 3 -w 0 -e "$ECDH" \
	> "$d/solo" 2> "$d/solo.err"
src=$?
u1=$(us_total 0)
peers_down
floor_us=$(( (u1 - u0) / 3 ))
check "3 lone handshakes on chip 0 (chip floor ${floor_us} us each)" \
	test $src -eq 0 -a "$floor_us" -gt 0
[ $src -eq 0 ] || diag "$d/solo.err"
[ "$floor_us" -gt 0 ] || floor_us=1

# --- side jobs: hwrng reads, iotsec info, keyctl pkey_verify --------------
rngdir=/sys/class/misc/hw_random
rng=$(tr ' ' '\n' < "$rngdir/rng_available" | grep '^iotsec-' | head -n 1)
[ -n "$rng" ] && echo "$rng" > "$rngdir/rng_current"
echo "message" | openssl dgst -sha256 -binary > "$d/dg"
keyctl pkey_sign "$key0" 0 "$d/dg" enc=x962 hash=sha256 > "$d/sig" 2> /dev/null
side_up() {
	: > "$d/side.bad"; : > "$d/side.n"
	( while [ ! -e "$d/side.stop" ]; do
		if [ "$(dd if=/dev/hwrng bs=32 count=1 2>/dev/null | wc -c)" -eq 32 ]; then
			echo r >> "$d/side.n"; else echo "hwrng read" >> "$d/side.bad"; fi
		sleep 0.2
	done ) &
	side_pids="$!"
	( while [ ! -e "$d/side.stop" ]; do
		if "$tool" info > /dev/null 2>&1; then echo i >> "$d/side.n"
		else echo "iotsec info" >> "$d/side.bad"; fi
		sleep 0.5
	done ) &
	side_pids="$side_pids $!"
	( while [ ! -e "$d/side.stop" ]; do
		if keyctl pkey_verify "$key0" 0 "$d/dg" "$d/sig" enc=x962 hash=sha256 \
			2>> "$d/side.verr"; then echo v >> "$d/side.n"
		else echo "pkey_verify" >> "$d/side.bad"; fi
		sleep 0.5
	done ) &
	side_pids="$side_pids $!"
}
side_down() {
	touch "$d/side.stop"
	for p in $side_pids; do wait "$p" 2>/dev/null; done
	side_pids=
	rm -f "$d/side.stop"
}

# --- N processes x M handshakes ------------------------------------------
load() { # label procs hs chips
	label=$1 np=$2 nh=$3 nc=$4
	i=0
	while [ $i -lt "$np" ]; do
		peer $((BASE + 10 + i)) "$nh"
		i=$((i + 1))
	done
	i=0
	while [ $i -lt "$np" ]; do
		wait_port $((BASE + 10 + i))
		i=$((i + 1))
	done
	k0=$(nkeys)
	side_up
	t0=$(date +%s%N)
	pids=
	i=0
	while [ $i -lt "$np" ]; do
		c=$((i % nc))
		"$hs" -k "$(key_of $c)" -r "$d/root.pem" -c "$d/dev$c.pem" -p $((BASE + 10 + i)) \
			-n "$nh" -w 0 -t 60000 -e "$ECDH" > "$d/hs.$i.out" 2> "$d/hs.$i.err" &
		pids="$pids $!"
		i=$((i + 1))
	done
	for p in $pids; do wait "$p"; done
	wall_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
	side_down
	peers_stop
	set -- $(cat "$d"/hs.*.out | awk '
		{ n += $2; okc += $4; f += $6; e += $8
		  if (min == "" || $10 < min) min = $10; if ($10 > max) max = $10 }
		END { printf "%d %d %d %d %.3f %.3f\n", n, okc, f, e, min, max }')
	okn=$2 failn=$3 expn=$4 tmin=$5 tmax=$6
	want=$((np * nh))
	fair=$(awk -v a="$tmax" -v b="$tmin" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
	rate=$(awk -v n="$okn" -v ms="$wall_ms" 'BEGIN { printf "%.2f", (ms > 0) ? n * 1000 / ms : 0 }')
	limit=$(awk -v c="$nc" -v us="$floor_us" 'BEGIN { printf "%.2f", c * 1e6 / us }')
	pct=$(awk -v r="$rate" -v l="$limit" 'BEGIN { printf "%.0f", (l > 0) ? 100 * r / l : 0 }')
	nside=$(wc -l < "$d/side.n")
	nbad=$(wc -l < "$d/side.bad")
	txt="$okn/$want ok, $expn EKEYEXPIRED, fairness $fair, $rate hs/s = $pct% of the chip-bound $limit hs/s; side jobs $nside ok, $nbad failed"
	echo "# $label: $txt"
	why=
	[ "$okn" -eq "$want" ] && [ "$failn" -eq 0 ] || why="$((want - okn)) handshakes failed"
	[ "$nbad" -eq 0 ] || why="${why:+$why; }$nbad side jobs failed"
	[ "$expn" -eq 0 ] || why="${why:+$why; }$expn EKEYEXPIRED"
	if ! verdict load "$label" pass "$txt" "$why"; then
		cat "$d"/hs.*.err | sort | uniq -c | head -n 10 | diag
		sort "$d/side.bad" | uniq -c | diag
		head -n 3 "$d/side.verr" 2>/dev/null | diag
		# the driver names what took a kpp key from TempKey
		dmesg | grep -a 'ECDH refused' | tail -n 3 | diag
	fi
	k1=$(keys_settle "$k0")
	check "$label: no key left (/proc/keys $k0 -> $k1)" test "$k1" -le "$k0"
	dmesg > "$d/dmesg"
	cat "$d"/kl.* > "$d/kl" 2>/dev/null
	check "$label: no traffic secret in our errors or the kernel log" \
		secrets_in "$d/kl" "$d/dmesg" "$d"/hs.*
	rm -f "$d"/hs.* "$d/side.verr" "$d"/kl.*
}

load "1 chip, $PROCS procs x $HS handshakes" "$PROCS" "$HS" 1
load "2 chips, $PROCS2 procs x $HS2 handshakes" "$PROCS2" "$HS2" 2

# --- soak -------------------------------------------------------------------
echo 0 > "$sim_dir/chip0/timing"
echo 0 > "$sim_dir/chip1/timing"
# Caches that grew by at least half the handshake count (one object per
# handshake, or more) and stay grown (lib/reliab.sh, slab_leak).
peer $((BASE + 1)) "$SOAK"
wait_port $((BASE + 1))
slab_snap > "$d/slab0"
k0=$(nkeys)
"$hs" -k "$key0" -r "$d/root.pem" -c "$d/dev0.pem" -p $((BASE + 1)) -n "$SOAK" -w 10 \
	> "$d/soak" 2> "$d/soak.err"
src=$?
peers_down
k1=$(keys_settle "$k0")
grow=$(slab_leak "$d/slab0" $((SOAK / 2)))
set -- $(cat "$d/soak")
# hs N ok K fail F ekeyexpired E secs S rss0 R0 rss1 R1 fds0 D0 fds1 D1
#    file0 F0 file1 F1 jump J at A
okn=${4:-0} rss0=${12:-0} rss1=${14:-0} fds0=${16:-0} fds1=${18:-0}
file0=${20:-0} file1=${22:-0} jump=${24:-0} jat=${26:--1}
drss=$((rss1 - rss0 - jump))
if [ "$jump" -gt 0 ]; then jtxt="largest step +$jump at handshake $jat"; else jtxt="no rise"; fi
txt="$okn/$SOAK ok, anon RSS ${rss0} -> ${rss1} KiB ($jtxt; file-backed ${file0} -> ${file1}), fds $fds0 -> $fds1, keys $k0 -> $k1, slab growth: ${grow:-none} ($(slab_tracked) caches tracked)"
echo "# soak, one process: $txt"
# RSS: the anonymous part, less its largest single step (2000-handshake
# soaks grew RSS by about 600 KiB in some runs and not at all in others:
# a one-time rise, about two thirds of it file-backed library pages; the step and the
# file-backed part are shown, not judged).  A leak of 32 bytes or more per
# handshake still grows the rest by more than 64 KiB over 2000 (of about
# 1.3 KiB per handshake over the short form's 45).
if [ $src -eq 0 ] && [ "$okn" -eq "$SOAK" ] && [ "$drss" -le 64 ] &&
   [ "$fds1" -eq "$fds0" ] && [ "$k1" -le "$k0" ] && [ -z "$grow" ]; then
	ok "soak, $SOAK handshakes in one process: $txt"
	row soak "one process, $SOAK handshakes" pass "$txt"
else
	nok "soak, $SOAK handshakes in one process: $txt"
	row soak "one process, $SOAK handshakes" FAIL "$txt"
	sort "$d/soak.err" | uniq -c | head -n 5 | diag
fi

peer $((BASE + 2)) "$SOAK_FRESH"
wait_port $((BASE + 2))
slab_snap > "$d/slab0"
k0=$(nkeys)
okn=0
i=0
while [ $i -lt "$SOAK_FRESH" ]; do
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 60 "$tool" connect 127.0.0.1:$((BASE + 2)) \
		--ca "$d/root.pem" --cert "$d/dev0.pem" --key "$key0" --name server.test \
		> /dev/null 2> "$d/fresh.err" && okn=$((okn + 1))
	i=$((i + 1))
done
peers_down
k1=$(keys_settle "$k0")
grow=$(slab_leak "$d/slab0" $((SOAK_FRESH / 2)))
txt="$okn/$SOAK_FRESH ok, keys $k0 -> $k1, slab growth: ${grow:-none} ($(slab_tracked) caches tracked)"
echo "# soak, fresh processes: $txt"
if [ "$okn" -eq "$SOAK_FRESH" ] && [ "$k1" -le "$k0" ] && [ -z "$grow" ]; then
	ok "soak, $SOAK_FRESH fresh iotsec connect processes: $txt"
	row soak "fresh processes, $SOAK_FRESH handshakes" pass "$txt"
else
	nok "soak, $SOAK_FRESH fresh iotsec connect processes: $txt"
	row soak "fresh processes, $SOAK_FRESH handshakes" FAIL "$txt"
	diag "$d/fresh.err"
fi

dmesg > "$d/dmesg"
cat "$d"/kl.* > "$d/kl" 2>/dev/null
check "soak: no traffic secret in our output or the kernel log" \
	secrets_in "$d/kl" "$d/dmesg" "$d/soak" "$d/soak.err" "$d/fresh.err"

echo "1..$n"
[ "$fails" -eq 0 ]
