#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 17, the fault matrix: every chip command a handshake sends and
# every fault the simulator injects (Documentation/sim.rst, "fault"), once,
# into a live handshake of our client (iotsec connect -> openssl s_server)
# and of our server (openssl s_client -> iotsec serve, one long-running
# server process for all cells).  A cell passes when the handshake
# completed (the driver retried) or failed cleanly: our side says
# "handshake failed", the peer reports the alert we sent (internal_error)
# or never saw a ClientHello; within the 30 s handshake limit; no key left
# in /proc/keys, no fd left in the server; the next handshake on the same
# chip succeeds; and no traffic secret of either handshake (the peer's
# -keylogfile) shows in our output or the kernel log.  Commands a
# handshake does not send (measured on a clean one first) are reported as
# such.  TAP; one "# RELIAB|fault|..." line per cell for the table.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
. "$top/tests/kernel/lib/reliab.sh"
reliab_start rfault "$@"

# Defects found by this test (issue 17), fixed in libiotsec/src/hs.c's
# hs_send_failure_alert(): a chip stall (the driver's -ETIMEDOUT) was taken
# for the handshake's time limit and no alert went out; a chip failure in
# our server's ECDH sent its alert in the clear after the ServerHello,
# where the client reads only protected records.  A server Sign failure
# reaches openssl s_client as a readable internal_error (seen in the VM).
CPORT=4460
SPORT=4461
LIMIT_S=35	# the library's 30 s handshake limit, and room
OPS=${RELIAB_FAULT_OPS:-"wake random nonce genkey ecdh sign info read"}
KINDS=${RELIAB_FAULT_KINDS:-"nack crc count exec_error stall watchdog ebusy etimedout"}
NEXT=${RELIAB_FAULT_NEXT:-errors}	# make stress: always
SIDES=${RELIAB_FAULT_SIDES:-alternate}	# make stress: both
# short (make check): each fault kind once, into the next command of the
# cycle that the side's handshake sends, the sides in turn; matrix (make
# stress, or a developer's run): every command x every fault
FORM=${RELIAB_FAULT_FORM:-short}

opcode() {
	case $1 in
	random) echo 0x1b ;; nonce) echo 0x16 ;; genkey) echo 0x40 ;;
	ecdh) echo 0x43 ;; sign) echo 0x41 ;; info) echo 0x30 ;;
	read) echo 0x02 ;; wake) echo wake ;; *) echo none ;;
	esac
}

modules_up "chips=1 provisioned=1" 1 algif_kpp
sim=$sim_dir/chip0
# Keep the kernel's hwrng thread off the chip: a fault meant for the
# handshake's Random must not be used by it, nor its reads counted as the
# handshake's.  6.2 and later take "none"; on 6.1 the thread reads
# whatever rng is current, so QEMU's virtio-rng (tests/vm/run.sh; its
# module is loaded by this test only) is made current for the test.
hw=/sys/class/misc/hw_random
echo none > "$hw/rng_current" 2>/dev/null
case $(cat "$hw/rng_current" 2>/dev/null) in
iotsec*)
	if modprobe virtio_rng 2>/dev/null; then
		trap 'rmmod virtio_rng 2>/dev/null; reliab_cleanup' EXIT
		for _r in $(cat "$hw/rng_available"); do
			case $_r in virtio_rng*) echo "$_r" > "$hw/rng_current" ;; esac
		done
	fi ;;
esac
echo "# hwrng: $(cat "$hw/rng_current" 2>/dev/null)"
echo 0 > "$sim/timing"
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
pki_chip_set "$d" "$key"
check "set-up: chip key and device certificate" test -s "$d/dev.pem"

# --- one client handshake: rc, el (s), files c.out c.err s.err kl ---------
client_hs() {
	rm -f "$d/kl" "$d/c.out" "$d/c.err" "$d/s.err"
	openssl s_server -accept $CPORT -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -groups P-256 -naccept 1 -www \
		-keylogfile "$d/kl" > "$d/s.out" 2> "$d/s.err" < /dev/null &
	_sp=$!
	wait_port $CPORT
	_t0=$(date +%s%N)
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 60 "$tool" connect 127.0.0.1:$CPORT \
		--ca "$d/root.pem" --cert "$d/dev.pem" --key "$key" --name server.test \
		--ecdh ecdh-nist-p256 > "$d/c.out" 2> "$d/c.err"
	rc=$?
	el=$(( ($(date +%s%N) - _t0) / 1000000 ))
	client_ok=0
	[ $rc -eq 0 ] && grep -q "TLS 1.3 .* with 'server.test'" "$d/c.err" && client_ok=1
	# after a failure the peer's report of our alert is read: give the
	# server its time to print it and end (3 s at most)
	_i=0
	while [ $client_ok -eq 0 ] && kill -0 $_sp 2>/dev/null && [ $_i -lt 30 ] &&
	      ! grep -qi "alert" "$d/s.err"; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill $_sp 2>/dev/null
	wait $_sp 2>/dev/null
}

# --- one server handshake against the long-running iotsec serve ----------
start_server() {
	: > "$d/srv.err"
	timeout 3000 "$tool" serve $SPORT --ca "$d/root.pem" --cert "$d/dev.pem" \
		--key "$key" --ecdh ecdh-nist-p256 < /dev/null > "$d/srv.out" 2> "$d/srv.err" &
	spid=$!
	wait_port $SPORT
}

server_hs() {
	rm -f "$d/kl" "$d/p.err" "$d/p.out"
	_l0=$(wc -l < "$d/srv.err")
	_n0=$(grep -c "TLS 1.3 .* with '" "$d/srv.err")
	_f0=$(grep -c "handshake failed" "$d/srv.err")
	_t0=$(date +%s%N)
	timeout 60 openssl s_client -connect 127.0.0.1:$SPORT -tls1_3 -brief -ign_eof \
		-cert "$d/cli.pem" -key "$d/cli.key" -CAfile "$d/root.pem" \
		-verify_return_error -verify_hostname device.test -groups P-256 \
		-keylogfile "$d/kl" < /dev/null > "$d/p.out" 2> "$d/p.err"
	rc=$?
	el=$(( ($(date +%s%N) - _t0) / 1000000 ))
	# our server's verdict on this connection
	_i=0
	while [ "$(grep -c "TLS 1.3 .* with '\|handshake failed" "$d/srv.err")" -le \
		$((_n0 + _f0)) ] && [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	server_ok=0
	[ "$(grep -c "TLS 1.3 .* with '" "$d/srv.err")" -gt "$_n0" ] &&
		grep -q "CONNECTION ESTABLISHED" "$d/p.err" && server_ok=1
	tail -n +$((_l0 + 1)) "$d/srv.err" > "$d/c.err"	# this connection's lines
}

# The counters' per-command totals as "name count" lines.
ops_now() {
	for o in random nonce genkey ecdh sign info read; do
		echo "$o $(sim_count 0 "$o")"
	done
}
op_delta() { # before-file after-file op
	echo $(( $(awk -v o="$3" '$1 == o { print $2 }' "$2") - \
		 $(awk -v o="$3" '$1 == o { print $2 }' "$1") ))
}

# --- clean handshakes first: what a handshake sends ----------------------
# The kernel's hwrng thread (rng_core) reads the chip's Random at times of
# its own (64 bytes, two Randoms, once a minute on 6.1, whose rng_current
# takes no "none" and whose quality 0 does not stop the thread); a read
# that falls into a counted handshake must not make Random a command the
# handshake sends (seen: random:2, then the random cells "fault not
# used"; and in make stress's slower guest a loop of two handshakes took a
# minute, so both counts caught the thread).  With the thread on another
# rng (above) one count is enough; else a count is kept only if the
# thread did not run meanwhile (its context switches unchanged), up to
# four tries a side; else the smallest.  On a 608 a handshake sends no
# Random: the library draws its randoms from getrandom(), the driver's
# seed-update Random goes only with the first signature after probe.  The
# chip's Random under faults is driver_test's (/dev/hwrng).
hwrng_runs() { # "pid:context switches" of the hwrng thread, or none
	_p=$(pgrep -x hwrng | head -n 1)
	if [ -n "$_p" ]; then
		echo "$_p:$(awk '/ctxt_switches/ { s += $2 } END { print s + 0 }' "/proc/$_p/status" 2> /dev/null)"
	else
		echo none
	fi
}
echo "# hwrng thread: $(hwrng_runs)"
start_server
# our server's first handshake also makes what it keeps (its ticket keys,
# the chip's first signature): the commands counted are those after it
server_hs
cfail=0
sfail=0
count() { # side: sets $cnt, "wake:N op:N ..." of one handshake, and $clean
	# (1: the hwrng thread did not run meanwhile)
	_h0=$(hwrng_runs)
	ops_now > "$d/ops.a"
	_w0=$(sim_count 0 wakes)
	if [ "$1" = client ]; then
		client_hs
		[ $client_ok -eq 1 ] || cfail=$((cfail + 1))
	else
		server_hs
		[ $server_ok -eq 1 ] || sfail=$((sfail + 1))
	fi
	_u="wake:$(( $(sim_count 0 wakes) - _w0 ))"
	ops_now > "$d/ops.b"
	for _o in random nonce genkey ecdh sign info read; do
		_u="$_u $_o:$(op_delta "$d/ops.a" "$d/ops.b" "$_o")"
	done
	cnt=$_u
	clean=0
	case $(cat "$hw/rng_current" 2>/dev/null) in
	iotsec*) [ "$(hwrng_runs)" = "$_h0" ] && clean=1 ;;
	*) clean=1 ;;	# the thread reads another rng
	esac
}
fewer() { # two counts: each command's smaller number
	echo "$1 $2" | tr ' ' '\n' | awk -F: '!($1 in n) { o[++k] = $1; n[$1] = $2 }
		$2 < n[$1] { n[$1] = $2 } END { for (i = 1; i <= k; i++) printf "%s%s:%d", i > 1 ? " " : "", o[i], n[o[i]] }'
}
measure() { # side: sets $used
	used=
	for _t in 1 2 3 4; do
		count "$1"
		if [ $clean -eq 1 ]; then
			used=$cnt
			return
		fi
		echo "# $1 handshake $_t: the hwrng thread ran meanwhile ($cnt)"
		if [ -z "$used" ]; then used=$cnt; else used=$(fewer "$used" "$cnt"); fi
	done
}
measure client
used_c=$used
measure server
used_s=$used
check "clean client handshakes (iotsec connect -> openssl s_server): $cfail failed" test $cfail -eq 0
check "clean server handshakes (openssl s_client -> iotsec serve): $sfail failed" test $sfail -eq 0
[ $client_ok -eq 1 ] || diag "$d/c.err" "$d/s.err"
[ $server_ok -eq 1 ] || diag "$d/srv.err" "$d/p.err"
echo "# commands per client handshake: $used_c"
echo "# commands per server handshake: $used_s"
row info "commands per handshake" info "client $used_c; server $used_s"
keys_base	# after the first handshakes made what they keep (the user keyrings)
uses() { # side op: how many the clean handshake sent
	if [ "$1" = client ]; then _u=$used_c; else _u=$used_s; fi
	echo "$_u" | tr ' ' '\n' | awk -F: -v o="$2" '$1 == o { print $2 }'
}

# Can the simulator inject this kind at all?  Sets $spell to the name it
# takes (the adapter's -EBUSY/-ETIMEDOUT may come under another name).
injectable() { # kind code
	case $1 in
	ebusy) names="ebusy bus_ebusy bus_busy" ;;
	etimedout) names="etimedout bus_etimedout bus_timeout" ;;
	*) names=$1 ;;
	esac
	for spell in $names; do
		if echo "$spell op=$2" > "$sim/fault" 2>/dev/null; then
			echo none > "$sim/fault"
			return 0
		fi
	done
	return 1
}

# --- the matrix -------------------------------------------------------------
ncell=0
cell() { # side op kind
	side=$1 op=$2 kind=$3 code=$(opcode "$2")
	name="$side $op $kind"
	if [ "$code" = none ]; then
		ok "$name # SKIP no such command"
		row fault "$side|$op|$kind" na "no such command"
		return
	fi
	if ! injectable "$kind" "$code"; then
		ok "$name # SKIP the simulator cannot inject '$kind'"
		row fault "$side|$op|$kind" na "not injectable"
		return
	fi
	if [ "$(uses "$side" "$op")" = 0 ]; then
		ok "$name: a $side handshake sends no $op"
		row fault "$side|$op|$kind" na "not sent by a $side handshake"
		return
	fi
	_c0=$(date +%s%N)
	ncell=$((ncell + 1))
	echo "reliab_fault_test: cell $ncell" > /dev/kmsg
	fd0=$(nfds "$spid")
	fi0=$(sim_count 0 faults_injected)
	echo "$spell op=$code" > "$sim/fault"
	if [ "$side" = client ]; then
		client_hs
		done_ok=$client_ok
		peer=$d/s.err
	else
		server_hs
		done_ok=$server_ok
		peer=$d/p.err
	fi
	cp "$d/kl" "$d/kl.fault" 2>/dev/null || : > "$d/kl.fault"
	cp "$peer" "$d/peer.fault" 2>/dev/null || : > "$d/peer.fault"
	peer=$d/peer.fault
	cp "$d/c.err" "$d/our.err"
	cp "$d/c.out" "$d/our.out" 2>/dev/null || : > "$d/our.out"
	used=$(( $(sim_count 0 faults_injected) - fi0 ))
	left=$(cat "$sim/fault")
	echo none > "$sim/fault"
	# the outcome
	why=
	if [ "$done_ok" -eq 1 ]; then
		outcome="completed"
	elif grep -q "handshake failed" "$d/our.err"; then
		al=$(sed -n 's/.*handshake failed: //p' "$d/our.err" | tail -n 1)
		# a local failure: internal_error (RFC 8446 6.2), once past the
		# ClientHello (the client's key share comes before it)
		if grep -q "TLS alert sent:" "$d/our.err" &&
		   ! grep -q "TLS alert sent: internal_error" "$d/our.err"; then
			why="we sent another alert than internal_error"
		elif grep -q "TLS alert from peer" "$d/our.err"; then
			why="the peer refused us"
		elif [ "$side" = server ] || grep -q TRAFFIC_SECRET "$d/kl.fault"; then
			grep -qi "alert internal error" "$peer" ||
				why="the peer got no internal_error alert"
		fi
		outcome="clean error: $al"
	else
		outcome="unclean end (rc $rc)"
		why="no 'handshake failed' from our side"
	fi
	[ "$el" -gt $((LIMIT_S * 1000)) ] && why="${why:+$why; }took ${el} ms"
	[ "$used" -ge 1 ] || why="${why:+$why; }fault not used (left: $left)"
	# leaks
	if [ "$side" = server ]; then
		fd1=$(nfds "$spid")
		[ "$fd1" -eq "$fd0" ] || why="${why:+$why; }server fds $fd0 -> $fd1"
	fi
	# the next handshake on the same chip (short form: after an error
	# only; a completed handshake ran the commands after the fault)
	if [ "$NEXT" = always ] || [ "$done_ok" -ne 1 ]; then
		if [ "$side" = client ]; then client_hs; nx=$client_ok; else server_hs; nx=$server_ok; fi
		[ "$nx" -eq 1 ] || why="${why:+$why; }next handshake failed"
	fi
	keys_leak why
	dmesg | sed -n "/reliab_fault_test: cell $ncell\$/,\$p" > "$d/dmesg"	# this cell's lines
	cat "$d/kl" >> "$d/kl.fault" 2>/dev/null
	[ "$side" = server ] && cp "$d/srv.err" "$d/our.err"
	secrets_in "$d/kl.fault" "$d/our.err" "$d/our.out" "$d/c.err" "$d/dmesg" ||
		why="${why:+$why; }secret in our output or the kernel log"
	txt="$outcome, ${el} ms"
	echo "# $name: cell $(( ($(date +%s%N) - _c0) / 1000000 )) ms"
	case $outcome in completed) st=retry ;; *) st=error ;; esac
	if ! verdict fault "$side|$op|$kind" "$st" "$txt" "$why"; then
		tail -n 4 "$d/our.err" | diag
		tail -n 4 "$peer" | diag
	fi
}

# The matrix: each (command, fault) pair on one side, the sides in turn
# (so each side gets half of every row and column); make stress: both.
matrix() {
	i=0
	for op in $OPS; do
		for kind in $KINDS; do
			i=$((i + 1))
			if [ "$SIDES" = both ]; then
				sides="client server"
			elif [ "$SIDES" != alternate ]; then
				sides=$SIDES	# one side only (a developer's run)
			elif [ $((i % 2)) -eq 1 ]; then
				sides=client
			else
				sides=server
			fi
			for side in $sides; do
				kill -0 "$spid" 2>/dev/null || start_server
				cell "$side" "$op" "$kind"
			done
		done
	done
}

# The short form: fault kind j into the j-th command of the cycle OPS that
# the side's handshake sends and the simulator can fault that way, client
# and server in turn: every kind once, every command about once.
short_form() {
	# shellcheck disable=SC2086
	set -- $OPS
	nops=$#
	p=0
	j=0
	for kind in $KINDS; do
		if [ $((j % 2)) -eq 0 ]; then side=client; else side=server; fi
		j=$((j + 1))
		t=0
		op=
		while [ $t -lt $nops ]; do
			# the ((p + t) mod nops)-th of OPS
			_k=$(( (p + t) % nops ))
			for o in $OPS; do
				[ $_k -eq 0 ] && { op=$o; break; }
				_k=$((_k - 1))
			done
			t=$((t + 1))
			[ "$(opcode "$op")" != none ] && [ "$(uses "$side" "$op")" != 0 ] &&
				injectable "$kind" "$(opcode "$op")" && break
			op=
		done
		p=$(( (p + t) % nops ))
		if [ -z "$op" ]; then
			ok "$side $kind # SKIP no command the simulator can fault so"
			continue
		fi
		kill -0 "$spid" 2>/dev/null || start_server
		cell "$side" "$op" "$kind"
	done
}

if [ "$FORM" = short ]; then short_form; else matrix; fi

kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
spid=
echo "1..$n"
[ "$fails" -eq 0 ]
