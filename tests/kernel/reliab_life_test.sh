#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Issue 17, lifetime: the chip goes away under live sessions.  With the
# simulator's timing on (a handshake keeps the chip busy for ~0.3 s),
# handshakes of `iotsec connect` run back to back while the driver is
# unbound, while iotsec.ko is removed, and while iotsec_sim.ko is removed;
# and a kTLS session moves data (256 KiB; make stress 1 MiB) meanwhile.  Each: the
# handshakes caught end in a clean error ("handshake failed" or a key
# error, none past the 30 s limit), the data session is untouched (kTLS
# does not need the chip), then the driver is bound or loaded again, a new
# key is added and new sessions work.  At the end: no key left in
# /proc/keys, no slab cache grown by a round's worth.  TAP, with
# "# RELIAB|life|..." lines for the table.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
. "$top/tests/kernel/lib/reliab.sh"
reliab_start rlife "$@"
ROUNDS=${RELIAB_LIFE_ROUNDS:-1}
BYTES=${RELIAB_LIFE_BYTES:-262144}	# a kTLS session's data (make stress: 1 MiB)
HALF=$((BYTES / 2))
PARTS=${RELIAB_LIFE_PARTS:-"loop data"}	# a developer's run may take one
PORT=4490
DPORT=4491

pki_ca "$d" root
pki_leaf "$d" srv root "DNS:server.test,IP:127.0.0.1"
head -c "$BYTES" /dev/urandom > "$d/big"
head -c "$HALF" "$d/big" > "$d/big.1"
tail -c +$((HALF + 1)) "$d/big" > "$d/big.2"

# (Re)loads the modules, adds the chip key, makes the device certificate
# for its public key (a reloaded simulator has a new slot-0 key).
up() {
	modules_up "chips=1 provisioned=1" 1 algif_kpp
	echo 1 > "$sim_dir/chip0/timing"
	new_key
}
new_key() {
	keyctl clear @s
	key=$(keyctl add iotsec device "chip=0 slot=0" @s) || return 1
	keyctl pipe "$key" > "$d/dev.der" &&
	openssl pkey -pubin -inform DER -in "$d/dev.der" -out "$d/dev.pub" 2>/dev/null &&
	pki_leaf_for_pubkey "$d" dev root "$d/dev.pub" "DNS:device.test"
}
dev=$(basename "$(ls -d $drv_dir/*-0060 2>/dev/null | head -n 1)")
wait_bound() {
	_i=0
	while ! ls -d $drv_dir/*-0060 > /dev/null 2>&1 && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	dev=$(basename "$(ls -d $drv_dir/*-0060 2>/dev/null | head -n 1)")
}

peer_up() {
	openssl s_server -accept $PORT -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -groups P-256 -www \
		-keylogfile "$d/kl" < /dev/null > /dev/null 2> "$d/peer.err" &
	wait_port $PORT
}

hs_once() { # -> 0 on a completed handshake; appends the outcome to $d/res
	_t0=$(date +%s)
	printf 'GET / HTTP/1.0\r\n\r\n' | timeout 60 "$tool" connect 127.0.0.1:$PORT \
		--ca "$d/root.pem" --cert "$d/dev.pem" --key "$key" --name server.test \
		--ecdh ecdh-nist-p256 > /dev/null 2> "$d/hs.err"
	_rc=$?
	cat "$d/hs.err" >> "$d/all.err"
	_el=$(( $(date +%s) - _t0 ))
	if [ $_rc -eq 0 ]; then
		echo "ok $_el" >> "$d/res"
	elif grep -q "handshake failed\|iotsec: key\|cannot connect" "$d/hs.err"; then
		echo "clean $_el $(head -n 1 "$d/hs.err")" >> "$d/res"
	else
		echo "unclean $_el rc=$_rc $(head -n 1 "$d/hs.err")" >> "$d/res"
	fi
	return $_rc
}

loop_up() {
	: > "$d/res"
	rm -f "$d/stop"
	( while [ ! -e "$d/stop" ]; do hs_once; done ) &
	spid=$!
	# the first handshake under way
	sleep 1
}
loop_down() {
	touch "$d/stop"
	wait "$spid" 2>/dev/null
	spid=
}

# judge LABEL: the loop's handshakes around the event, then a new session.
judge() {
	label=$1
	nok_=$(grep -c '^ok' "$d/res")
	nclean=$(grep -c '^clean' "$d/res")
	nbad=$(grep -c '^unclean' "$d/res")
	slow=$(awk '$2 > 35' "$d/res" | wc -l)
	after=fail
	hs_once && after=ok
	txt="caught: $nok_ completed, $nclean clean errors, $nbad unclean, $slow over 35 s; new session after: $after"
	why=
	[ "$nbad" -eq 0 ] || why="unclean ends: $(grep '^unclean' "$d/res" | head -n 1)"
	[ "$slow" -eq 0 ] || why="${why:+$why; }a handshake hung"
	[ "$after" = ok ] || why="${why:+$why; }no new session: $(head -n 1 "$d/hs.err")"
	verdict life "$label" pass "$txt" "$why" ||
		{ sort "$d/res" | cut -c1-100 | uniq -c | head -n 5 | diag; diag "$d/hs.err"; }
}

up
wait_bound
peer_up
k_start=$(nkeys)
hs_once
check "set-up: a handshake before anything goes away" test $? -eq 0
# Warm-up: each event once, idle, and a session after it, before the slab
# baseline: what the kernel allocates the first time and keeps (the
# crypto instances the modules' registrations and kTLS bring, kernfs
# nodes) is not a leak of ours; what grows with the rounds is.
echo "$dev" > "$drv_dir/unbind" && echo "$dev" > "$drv_dir/bind"
wait_bound
rmmod algif_kpp iotsec && insmod "$ko/iotsec/iotsec.ko" && insmod "$ko/algif_kpp/algif_kpp.ko"
wait_bound
rmmod iotsec_sim && insmod "$ko/iotsec_sim/iotsec_sim.ko" chips=1 provisioned=1
wait_bound
echo 1 > "$sim_dir/chip0/timing"
new_key
hs_once
check "set-up: warm-up (each event once, idle), then a handshake" test $? -eq 0
slab_snap > "$d/slab0"

r=1
while [ $r -le "$ROUNDS" ]; do
	case $PARTS in *loop*)
	# --- unbind mid-handshake, bind again ---------------------------------
	loop_up
	echo "$dev" > "$drv_dir/unbind"
	sleep 2
	loop_down
	echo "$dev" > "$drv_dir/bind"
	wait_bound
	new_key
	judge "round $r: driver unbound mid-handshake, bound again"

	# --- rmmod iotsec mid-handshake (busy is a clean answer), insmod -------
	loop_up
	i=0
	rmrc=1
	while [ $i -lt 20 ]; do
		rmmod iotsec 2> "$d/rmmod.err" && { rmrc=0; break; }
		sleep 0.2
		i=$((i + 1))
	done
	loop_down
	[ $rmrc -eq 0 ] || { rmmod algif_kpp 2>/dev/null; rmmod iotsec 2>> "$d/rmmod.err" && rmrc=0; }
	insmod "$ko/iotsec/iotsec.ko"
	lsmod | grep -q '^algif_kpp' || insmod "$ko/algif_kpp/algif_kpp.ko"
	wait_bound
	new_key
	echo 1 > "$sim_dir/chip0/timing"
	if [ $rmrc -eq 0 ]; then
		judge "round $r: iotsec.ko removed mid-handshake, loaded again"
	else
		verdict life "round $r: iotsec.ko removed mid-handshake, loaded again" pass "" \
			"rmmod iotsec never succeeded once idle: $(tail -n 1 "$d/rmmod.err")"
	fi

	# --- rmmod iotsec_sim mid-handshake (the chip's bus goes away) ---------
	loop_up
	rmmod iotsec_sim 2> "$d/rmmod.err"
	rmrc=$?
	sleep 2
	loop_down
	lsmod | grep -q '^iotsec_sim' && rmmod iotsec_sim 2>> "$d/rmmod.err" && rmrc=0
	insmod "$ko/iotsec_sim/iotsec_sim.ko" chips=1 provisioned=1
	wait_bound
	echo 1 > "$sim_dir/chip0/timing"
	new_key
	if [ $rmrc -eq 0 ]; then
		judge "round $r: iotsec_sim.ko removed mid-handshake, loaded again"
	else
		verdict life "round $r: iotsec_sim.ko removed mid-handshake, loaded again" pass "" \
			"rmmod iotsec_sim failed: $(tail -n 1 "$d/rmmod.err")"
	fi

	;; esac
	# --- a kTLS session carrying data while the chip goes away ---------------
	case $PARTS in *data*) evs="unbind rmmod_iotsec rmmod_sim" ;; *) evs= ;; esac
	for ev in $evs; do
		rm -f "$d/s.out"
		wait_size() {
			_i=0
			while [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -lt "$2" ] && [ $_i -lt 600 ]; do
				sleep 0.1
				_i=$((_i + 1))
			done
		}
		wait_size "$d/s.out" "$BYTES" |
			openssl s_server -accept $DPORT -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
				-cert "$d/srv.pem" -key "$d/srv.key" -groups P-256 -naccept 1 -quiet \
				> "$d/s.out" 2> "$d/s.err" &
		dsp=$!
		wait_port $DPORT
		{ cat "$d/big.1"; sleep 3; cat "$d/big.2"; } |
			timeout 120 "$tool" connect 127.0.0.1:$DPORT --ca "$d/root.pem" \
				--cert "$d/dev.pem" --key "$key" --name server.test \
				> /dev/null 2> "$d/c.err" &
		cpid=$!
		wait_size "$d/s.out" "$HALF"
		evrc=0
		case $ev in
		unbind) echo "$dev" > "$drv_dir/unbind" || evrc=1 ;;
		rmmod_iotsec) rmmod algif_kpp iotsec 2> "$d/ev.err" || evrc=1 ;;
		rmmod_sim) rmmod iotsec_sim 2> "$d/ev.err" || evrc=1 ;;
		esac
		wait $cpid
		crc=$?
		# the peer ends once its input does (all the data in, or 60 s);
		# not a bare wait: peer_up's server runs on in the background
		_i=0
		while kill -0 $dsp 2>/dev/null && [ $_i -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		kill $dsp 2>/dev/null
		wait $dsp 2>/dev/null
		why=
		[ $crc -eq 0 ] || why="client rc $crc: $(tail -n 1 "$d/c.err")"
		cmp -s "$d/big" "$d/s.out" || why="${why:+$why; }data differ ($(stat -c %s "$d/s.out" 2>/dev/null) bytes came)"
		# back to a bound driver and a key
		case $ev in
		unbind) [ $evrc -eq 0 ] && echo "$dev" > "$drv_dir/bind" ;;
		rmmod_iotsec)
			lsmod | grep -q '^iotsec ' || insmod "$ko/iotsec/iotsec.ko"
			lsmod | grep -q '^algif_kpp' || insmod "$ko/algif_kpp/algif_kpp.ko" ;;
		rmmod_sim)
			lsmod | grep -q '^iotsec_sim' || insmod "$ko/iotsec_sim/iotsec_sim.ko" chips=1 provisioned=1 ;;
		esac
		wait_bound
		echo 1 > "$sim_dir/chip0/timing"
		new_key
		after=fail
		hs_once && after=ok
		[ "$after" = ok ] || why="${why:+$why; }no new session after"
		evtxt="done"
		[ $evrc -eq 0 ] || evtxt="refused: $(tail -n 1 "$d/ev.err" 2>/dev/null)"
		verdict life "round $r: kTLS session moving $BYTES bytes during $ev" pass \
			"$ev $evtxt; the data intact; new session after: $after" "$why" ||
			{ diag "$d/c.err"; tail -n 3 "$d/s.err" | diag; }
	done
	r=$((r + 1))
done

dmesg > "$d/dmesg"
check "no traffic secret in our output or the kernel log" \
	secrets_in "$d/kl" "$d/dmesg" "$d/all.err"

# --- leaks over everything above ------------------------------------------
# (lib/reliab.sh, slab_leak: what is left out, and why a growth is
# looked at again before it counts)
k_end=$(keys_settle "$k_start")
grow=$(slab_leak "$d/slab0" $((ROUNDS * 10)))
txt="keys $k_start -> $k_end; slab caches grown by >= $((ROUNDS * 10)) objects (an untracked one: and by more than a slab): ${grow:-none} ($(slab_tracked) caches tracked)"
why=
[ "$k_end" -le "$k_start" ] || why="keys left"
[ -z "$grow" ] || why="${why:+$why; }slab growth"
verdict life "no leak after $ROUNDS round(s) of unbind/rmmod" pass "$txt" "$why"

echo "1..$n"
[ "$fails" -eq 0 ]
