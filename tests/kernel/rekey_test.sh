#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# TLS 1.3 KeyUpdate (RFC 8446 4.6.3) over kTLS, with peers no one here
# wrote.  On Linux 6.14 and later (the kernel lists TlsRxRekeyOk in
# /proc/net/tls_stat): openssl s_server's "k" and "K" into `iotsec
# connect`, openssl s_client's "K" into `iotsec serve`, and `iotsec
# connect` starting one (SIGUSR1: iotsec_session_key_update() asking the
# peer to answer); data carried across each in both directions, and the
# kernel's rekey counters grow.  Before 6.14: a peer's KeyUpdate ends the
# session with IOTSEC_E_PEER_KEYUPDATE after the data before it, and a
# KeyUpdate of ours is refused with IOTSEC_E_NO_REKEY, the session going on.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# so that the keys we add are ours to use

d=$(mktemp -d /tmp/rekey.XXXXXX)
cleanup() {
	modules_down
	rm -rf "$d"
}
trap cleanup EXIT

stat_tls() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat; }

# Each row's output, kept for the diagnosis of a failed row; $d/end
# holds "end" once the row's client has exited: the peers' inputs stay
# open until then (s_server and s_client end the session when theirs ends).
fresh() { rm -f "$d"/*.out "$d"/*.err "$d/end"; }
done_row() { echo end > "$d/end"; }
show() {
	for f in "$d"/*.out "$d"/*.err; do
		echo "# -- $(basename "$f")"
		tail -n 8 "$f" | sed 's/^/# /'
	done
}
# The client ended well: status 0, or the peer's close without
# close_notify (s_server's way without -quiet) and no other complaint.
clean_end() { # rc err-file
	[ "$1" -eq 0 ] && return 0
	[ "$1" -eq 1 ] && ! grep -v -e 'TLS 1.3' -e 'handshake crypto' \
		-e 'KeyUpdate sent' -e 'without close_notify' "$2" | grep -q .
}

modules_up "chips=1 provisioned=1" 1 algif_kpp
modprobe tls 2> /dev/null
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
pki_chip_set "$d" "$key"
check "set-up: chip key, device certificate for the chip's public key" \
	test -s "$d/dev.pem"
if grep -q '^TlsRxRekeyOk' /proc/net/tls_stat; then
	rekey=1
	echo "# $(uname -r): kTLS rekeys (TlsRxRekeyOk listed)"
else
	rekey=0
	echo "# $(uname -r): kTLS cannot rekey (no TlsRxRekeyOk)"
fi

s_server() { # openssl s_server, not -quiet: it obeys "k" and "K" then
	openssl s_server -accept 4433 -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -groups P-256 -naccept 1
}
# iotsec connect to s_server, its arguments before the tool's own.
set -- 127.0.0.1:4433 --ca "$d/root.pem" --cert "$d/dev.pem" --key "$key" \
	--name server.test
# Both rekey counters' growth since the last mark.
mark() { rx0=$(stat_tls TlsRxRekeyOk); tx0=$(stat_tls TlsTxRekeyOk); }
grown() { # rx tx: at least these many
	rx=$(( $(stat_tls TlsRxRekeyOk) - rx0 ))
	tx=$(( $(stat_tls TlsTxRekeyOk) - tx0 ))
	[ "$rx" -ge "$1" ] && [ "$tx" -ge "$2" ]
}

# --- the peer's KeyUpdate, s_server into our client ---------------------
# "k": the server's sending key moves on; "K": it also asks us to move
# ours.  s_server's first line waits for our handshake to end (the row
# before 6.14 below says why); each command goes alone (s_server reads it
# as one line), once the data before it has arrived; data after each goes
# both ways.
if [ $rekey -eq 1 ]; then
	fresh
	mark
	{ wait_for "$d/c.err" 'TLS 1.3'; echo s-one; wait_for "$d/c.out" s-one
	  sleep 1; echo k; sleep 1
	  echo s-two; wait_for "$d/c.out" s-two; sleep 1; echo K; sleep 1
	  echo s-three; wait_for "$d/end" end; } |
		s_server > "$d/s.out" 2> "$d/s.err" &
	wait_port 4433
	{ echo c-one; wait_for "$d/c.out" s-three; echo c-two
	  wait_for "$d/s.out" c-two; } | timeout 120 "$tool" connect "$@" > "$d/c.out" 2> "$d/c.err"
	rc=$?
	done_row
	wait
	if clean_end $rc "$d/c.err" && grep -q s-one "$d/c.out" && grep -q s-two "$d/c.out" &&
	   grep -q s-three "$d/c.out" && grep -q c-one "$d/s.out" &&
	   grep -q c-two "$d/s.out"; then
		ok "s_server k, K into iotsec connect: data before, between and after, both ways"
	else
		nok "s_server k, K into iotsec connect: data before, between and after, both ways (rc $rc)"
		show
	fi
	if grown 2 1; then
		ok "TlsRxRekeyOk +$rx (k, K), TlsTxRekeyOk +$tx (our answer to K)"
	else
		nok "TlsRxRekeyOk +$rx (want 2), TlsTxRekeyOk +$tx (want 1)"
	fi

	# --- s_client's K into our server ----------------------------------
	fresh
	mark
	{ echo s-one; wait_for "$d/v.out" c-two; echo s-two
	  wait_for "$d/end" end; } |
		timeout 120 "$tool" serve 4434 --once --ca "$d/root.pem" \
			--cert "$d/dev.pem" --key "$key" > "$d/v.out" 2> "$d/v.err" &
	wait_port 4434
	{ echo c-one; wait_for "$d/v.out" c-one; wait_for "$d/o.out" s-one
	  sleep 1; echo K; sleep 1; echo c-two; wait_for "$d/o.out" s-two; } |
		timeout 120 openssl s_client -connect 127.0.0.1:4434 -tls1_3 \
			-cert "$d/cli.pem" -key "$d/cli.key" -CAfile "$d/root.pem" \
			-groups P-256 > "$d/o.out" 2> "$d/o.err"
	done_row
	wait
	if grep -q c-one "$d/v.out" && grep -q c-two "$d/v.out" &&
	   grep -q s-one "$d/o.out" && grep -q s-two "$d/o.out"; then
		ok "s_client K into iotsec serve: data before and after, both ways"
	else
		nok "s_client K into iotsec serve: data before and after, both ways"
		show
	fi
	if grown 1 1; then
		ok "serve: TlsRxRekeyOk +$rx, TlsTxRekeyOk +$tx (K and our answer)"
	else
		nok "serve: TlsRxRekeyOk +$rx, TlsTxRekeyOk +$tx (want 1 and 1)"
	fi
fi

# --- our KeyUpdate: iotsec connect on SIGUSR1 ----------------------------
# It asks the peer to answer (update_requested): on 6.14+ both directions
# move on; before, nothing is sent and the session goes on.  OpenSSL
# answers before its next data record (RFC 8446 4.6.3 asks no sooner), so
# each KeyUpdate of ours is followed by data from s_server.
fresh
mark
mkfifo "$d/cin"
{ echo s-one; wait_for "$d/s.out" c-two; echo s-two
  wait_for "$d/s.out" c-three; echo s-three; wait_for "$d/end" end; } |
	s_server > "$d/s.out" 2> "$d/s.err" &
wait_port 4433
timeout 120 "$tool" connect "$@" < "$d/cin" > "$d/c.out" 2> "$d/c.err" &
tpid=$!
# pkill -P: the signal goes to timeout's child, the client, only.
{ echo c-one; wait_for "$d/c.out" s-one; pkill -USR1 -P $tpid
  wait_for "$d/c.err" KeyUpdate; echo c-two; wait_for "$d/c.out" s-two
  pkill -USR1 -P $tpid; sleep 2; echo c-three; wait_for "$d/c.out" s-three
} > "$d/cin"
wait $tpid
rc=$?
done_row
wait
data_ok() {
	grep -q s-one "$d/c.out" && grep -q s-two "$d/c.out" &&
	grep -q s-three "$d/c.out" &&
	grep -q c-one "$d/s.out" && grep -q c-two "$d/s.out" &&
	grep -q c-three "$d/s.out"
}
if [ $rekey -eq 1 ]; then
	if clean_end $rc "$d/c.err" && data_ok &&
	   [ "$(grep -c 'KeyUpdate sent' "$d/c.err")" -eq 2 ]; then
		ok "iotsec connect sends KeyUpdate twice (SIGUSR1): data before and after, both ways"
	else
		nok "iotsec connect sends KeyUpdate twice (SIGUSR1): data before and after, both ways (rc $rc)"
		show
	fi
	if grown 2 2; then
		ok "TlsTxRekeyOk +$tx (ours), TlsRxRekeyOk +$rx (s_server's answers)"
	else
		nok "TlsTxRekeyOk +$tx, TlsRxRekeyOk +$rx (want 2 and 2)"
	fi
else
	if data_ok && [ "$(grep -c 'KeyUpdate: kernel TLS cannot rekey before Linux 6.14' "$d/c.err")" -eq 2 ] &&
	   grep -q 'KeyUpdate: kernel TLS cannot rekey before Linux 6.14' "$d/c.err"; then
		ok "iotsec connect on SIGUSR1: IOTSEC_E_NO_REKEY said, nothing sent, the session goes on"
	else
		nok "iotsec connect on SIGUSR1: IOTSEC_E_NO_REKEY said, nothing sent, the session goes on (rc $rc)"
		show
	fi
fi

# --- before 6.14: the peer's KeyUpdate ends the session cleanly ---------
# Both inputs stay open until the client has reported the KeyUpdate.
# s_server's line goes in once our client has finished its handshake: a
# line read before that makes s_server finish the handshake inside
# SSL_write (its "hello" then leaves before our Finished is read), and the
# SSL_read that takes our Finished then waits for data our client never
# sends, so s_server never reads the "k" (4 runs in 9 on 6.12; CI once).
if [ $rekey -eq 0 ]; then
	fresh
	{ wait_for "$d/c.err" 'TLS 1.3'; echo hello; wait_for "$d/c.out" hello
	  sleep 1; echo k
	  wait_for "$d/end" end; } |
		s_server > "$d/s.out" 2> "$d/s.err" &
	wait_port 4433
	wait_for "$d/c.err" KeyUpdate | timeout 90 "$tool" connect "$@" > "$d/c.out" 2> "$d/c.err"
	rc=$?
	done_row
	wait
	if [ $rc -eq 1 ] && grep -q hello "$d/c.out" &&
	   grep -q 'peer sent KeyUpdate: kernel TLS cannot rekey before Linux 6.14' "$d/c.err"; then
		ok "peer KeyUpdate: data before it delivered, then IOTSEC_E_PEER_KEYUPDATE"
	else
		nok "peer KeyUpdate: data before it delivered, then IOTSEC_E_PEER_KEYUPDATE (rc $rc)"
		show
	fi
fi

echo "1..$n"
[ "$fails" -eq 0 ]
