#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libiotsec against TLS 1.3 stacks that share no code with it or with each
# other: Go crypto/tls and Java JSSE (tests/peers, built on the host by
# make tests), plus OpenSSL and GnuTLS where cheap.  Both directions, the
# identity key in the simulated chip:
#   - each of the three cipher suites, data both ways, each side's exit 0;
#   - a HelloRetryRequest (the peer client has no P-256 share);
#   - a session JSSE ends as applications do (close(): user_canceled, then
#     close_notify: a closure, RFC 8446 6.1): exit 0 on our side;
#   - refusals checked on the PEER's side: the peer must name the alert we
#     sent (unknown_ca, bad_certificate, certificate_required), not fail
#     to decrypt it; and the peer's refusals named on ours.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# our own session keyring, for the chip key we add

d=$(mktemp -d /tmp/interop.XXXXXX)
bg=""
cleanup() {
	for p in $bg; do
		kill "$p" 2>/dev/null
	done
	wait
	modules_down
	rm -rf "$d"
}
trap cleanup EXIT

t0=$(date +%s)
row_ok() { ok "$1"; echo "# at $(( $(date +%s) - t0 )) s"; }
row_nok() { nok "$1"; echo "# at $(( $(date +%s) - t0 )) s"; }

# Waits (at most 120 s) for a file to exist.
hold() { # file
	i=0
	while [ ! -e "$1" ] && [ $i -lt 1200 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

go_peer() { timeout 180 "$top/build/peers/tlspeer" "$@"; }
# A small JIT level and the serial collector: much faster under TCG.
java_peer() {
	timeout 180 java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k \
		-cp "$top/build/peers/java" TlsPeer "$@"
}
peer_key() { # stack name: Java reads PKCS#8
	if [ "$1" = java ]; then echo "$d/$2.p8"; else echo "$d/$2.key"; fi
}
# The peer client's groups, P-256 last so that it has no P-256 share: Go
# shares its first group only; JSSE its first of each kind (one XDH, one
# ECDHE), hence P-384 before P-256.
hrr_groups() {
	if [ "$1" = java ]; then
		echo "-groups x25519,secp384r1,secp256r1"
	else
		echo "-curves X25519:P-256"
	fi
}

# --- set-up: a provisioned chip, its key in the keyring, a test PKI ------
modules_up "chips=1 provisioned=1" 1 algif_kpp
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
dev=$(ls -d "$drv_dir"/*-006* | head -n 1)
chmod 711 "$d"	# uid 1000 opens what it is named (certificates)
keyctl pipe "$key" > "$d/dev.der"
openssl pkey -pubin -inform DER -in "$d/dev.der" -out "$d/dev.pub" 2>/dev/null
pki_ca "$d" root
pki_ca "$d" other
pki_leaf "$d" srv root "DNS:server.test,IP:127.0.0.1"
pki_leaf "$d" cli root "DNS:client.test"
pki_leaf "$d" othersrv other "DNS:server.test"
pki_leaf "$d" othercli other "DNS:client.test"
pki_leaf_for_pubkey "$d" dev root "$d/dev.pub" "DNS:device.test,IP:127.0.0.1"
for k in srv cli othersrv othercli; do
	openssl pkcs8 -topk8 -nocrypt -in "$d/$k.key" -out "$d/$k.p8"
done
head -c 20000 /dev/urandom > "$d/msg.o"	# what we send: two records
head -c 30000 /dev/urandom > "$d/msg.p"	# what the peer sends
check "set-up: chip key, certificates, peers built" \
	test -s "$d/dev.pem" -a -x "$top/build/peers/tlspeer" \
	     -a -f "$top/build/peers/java/TlsPeer.class" -a -s "$d/srv.p8"

# --- the runners ------------------------------------------------------------
# Ours run as root with root's key, or (runas=as_1000 ukey=dev) as uid
# 1000 with a key of its own: the chip's key_group lets gid 1000 in.
runas="" ukey=$key
as_1000() { # command...: as uid/gid 1000, no other groups, its own session
	setpriv --reuid=1000 --regid=1000 --clear-groups keyctl session - sh -c \
		'keyctl add iotsec dev "chip=0 slot=0" @s > /dev/null && exec "$@"' sh "$@"
}
# peer_server STACK ARGS...: the peer's server on 4433, in the background;
# stdin msg.p; p.out, p.err, p.rc, then p.done.
peer_server() {
	stack=$1
	shift
	rm -f "$d/p.out" "$d/p.err" "$d/p.rc" "$d/p.done"
	{ "${stack}_peer" server 4433 "$@" < "$d/msg.p" > "$d/p.out" 2> "$d/p.err"
	  echo $? > "$d/p.rc"; touch "$d/p.done"; } &
	ppid=$!
	bg="$bg $ppid"
	wait_port 4433 60	# a JVM under TCG needs more than 10 s
}
# our_client [--hold] ARGS...: iotsec connect to 4433, stdin msg.o (held
# open until the peer is done with --hold); o.out, o.err, $orc.
our_client() {
	h=""
	[ "${1:-}" = --hold ] && h=1 && shift
	{ cat "$d/msg.o"; [ -n "$h" ] && hold "$d/p.done"; } |
		$runas timeout 180 "$tool" connect 127.0.0.1:4433 --ca "$d/root.pem" \
			--cert "$d/dev.pem" --key "$ukey" "$@" > "$d/o.out" 2> "$d/o.err"
	orc=$?
	wait "$ppid"
	prc=$(cat "$d/p.rc" 2>/dev/null || echo none)
}
# our_server [--hold] ARGS...: iotsec serve --once on 4434 in the
# background.  peer_client STACK ARGS...: the peer's client to it.
our_server() {
	h=""
	[ "${1:-}" = --hold ] && h=1 && shift
	rm -f "$d/o.out" "$d/o.err" "$d/o.rc" "$d/p.done"
	{ { cat "$d/msg.o"; [ -n "$h" ] && hold "$d/p.done"; } |
		$runas timeout 180 "$tool" serve 4434 --once --ca "$d/root.pem" \
			--cert "$d/dev.pem" --key "$ukey" "$@" > "$d/o.out" 2> "$d/o.err"
	  echo $? > "$d/o.rc"; } &
	opid=$!
	bg="$bg $opid"
	wait_port 4434 60
}
peer_client() {
	stack=$1
	shift
	rm -f "$d/p.out" "$d/p.err"
	"${stack}_peer" client 127.0.0.1:4434 "$@" < "$d/msg.p" > "$d/p.out" 2> "$d/p.err"
	prc=$?
	touch "$d/p.done"
	wait "$opid"
	orc=$(cat "$d/o.rc" 2>/dev/null || echo none)
}
show() {
	echo "# ours (rc $orc):"
	diag "$d/o.err"
	echo "# peer (rc $prc):"
	diag "$d/p.err"
	# A time-out: who was still connected, and to what.
	if [ "$orc" = 124 ] || [ "$prc" = 124 ]; then
		ss -tn | diag
	fi
}
# Data both ways, both sides exit 0.
judge_pair() { # description, extra peer stderr pattern or ""
	if [ "$orc" = 0 ] && [ "$prc" = 0 ] && cmp -s "$d/msg.p" "$d/o.out" &&
	   cmp -s "$d/msg.o" "$d/p.out" && { [ -z "$2" ] || grep -q "$2" "$d/p.err"; }; then
		row_ok "$1"
	else
		row_nok "$1"
		show
	fi
}
# We refused: the peer names our alert (and no decryption error); ours too.
judge_refusal() { # description, alert
	if [ "$orc" != 0 ] && grep -q "alert received: $2\$" "$d/p.err" &&
	   ! grep -q "bad_record_mac" "$d/p.err" && grep -q "sent: $2" "$d/o.err"; then
		row_ok "$1"
	else
		row_nok "$1"
		show
	fi
}
# The peer refused: we name its alert.
judge_refused() { # description, alert
	if [ "$orc" != 0 ] && [ "$prc" != 0 ] && grep -q "from peer: $2" "$d/o.err"; then
		row_ok "$1"
	else
		row_nok "$1"
		show
	fi
}

suites="TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"
for stack in go java; do
	sk=$(peer_key $stack srv)
	ck=$(peer_key $stack cli)
	osk=$(peer_key $stack othersrv)
	ock=$(peer_key $stack othercli)

	# --- the three suites, both directions ----------------------------
	# The AES-128 client sends no P-256 share: a HelloRetryRequest.  JSSE's
	# AES-256 rows end as applications do, with close() before reading to
	# the end: user_canceled, then close_notify, a closure (RFC 8446 6.1)
	# after which our side exits 0.
	for s in $suites; do
		close="" hold="" what=""
		if [ $stack = java ] && [ $s = TLS_AES_256_GCM_SHA384 ]; then
			close="-expect $(stat -c %s "$d/msg.o")"
			hold=--hold
			what=", peer closes (user_canceled, close_notify): exit 0"
		fi
		# shellcheck disable=SC2086
		peer_server $stack -ca "$d/root.pem" -cert "$d/srv.pem" -key "$sk" \
			-suite $s $close
		# shellcheck disable=SC2086
		our_client $hold --name server.test --ciphersuites $s
		judge_pair "$stack server <- our client, $s$what" "handshake done: $s"

		groups="" hrr="" want="handshake done: $s"
		if [ $s = TLS_AES_128_GCM_SHA256 ]; then
			groups=$(hrr_groups $stack)
			hrr=", after a HelloRetryRequest (no P-256 share)"
			want="client hellos sent: 2"
		fi
		# shellcheck disable=SC2086
		our_server $hold --ciphersuites $s
		# shellcheck disable=SC2086
		peer_client $stack -ca "$d/root.pem" -cert "$d/cli.pem" -key "$ck" \
			-name device.test -suite $s $groups $close
		judge_pair "$stack client -> our server, $s$hrr$what" "$want"
	done

	# --- our refusals, named by the peer ------------------------------
	peer_server $stack -ca "$d/root.pem" -cert "$d/othersrv.pem" -key "$osk"
	our_client --name server.test
	judge_refusal "$stack server with a certificate from another root: it gets unknown_ca" unknown_ca

	# (JVMs are slow under TCG: the two rows after this one are Go's
	# only; they take the same paths on our side as the one before.)
	if [ $stack = go ]; then
		peer_server $stack -ca "$d/root.pem" -cert "$d/srv.pem" -key "$sk"
		our_client --name other.test
		judge_refusal "$stack server under another name: it gets bad_certificate" \
			bad_certificate
	fi

	our_server
	peer_client $stack -ca "$d/root.pem" -name device.test
	judge_refusal "$stack client without a certificate: it gets certificate_required" \
		certificate_required

	if [ $stack = go ]; then
		our_server
		peer_client $stack -ca "$d/root.pem" -cert "$d/othercli.pem" -key "$ock" \
			-name device.test
		judge_refusal "$stack client with a certificate from another root: it gets unknown_ca" \
			unknown_ca
	fi

	# A peer whose CertificateVerify does not verify (Go spoils its own
	# signature's last byte): our check of the peer's proof of key, in
	# the process with the key the kernel linked (libiotsec/src/sign.h).
	# A hostile peer meets an unprivileged process: ours run as uid 1000.
	if [ $stack = go ]; then
		echo 1000 > "$dev/key_group"
		runas=as_1000 ukey=dev
		peer_server $stack -ca "$d/root.pem" -cert "$d/srv.pem" -key "$sk" -bad-cv
		our_client --name server.test
		judge_refusal "$stack server whose CertificateVerify does not verify: it gets decrypt_error" \
			decrypt_error

		our_server
		peer_client $stack -ca "$d/root.pem" -cert "$d/cli.pem" -key "$ck" \
			-name device.test -bad-cv
		judge_refusal "$stack client whose CertificateVerify does not verify: it gets decrypt_error" \
			decrypt_error
		runas="" ukey=$key
		echo none > "$dev/key_group"
	fi

	# --- the peer's refusals, named by us (Go only: slow JVMs) -------
	[ $stack = go ] || continue
	want=bad_certificate
	peer_server $stack -ca "$d/other.pem" -cert "$d/srv.pem" -key "$sk"
	our_client --name server.test
	judge_refused "$stack server trusting another root refuses our client: $want" $want

	our_server
	peer_client $stack -ca "$d/other.pem" -cert "$d/cli.pem" -key "$ck" -name device.test
	judge_refused "$stack client trusting another root refuses our server: $want" $want
done

# --- OpenSSL and GnuTLS clients: our refusals, named by them --------------
our_server
{ cat "$d/msg.p"; hold "$d/o.rc"; } |
	timeout 60 openssl s_client -connect 127.0.0.1:4434 -tls1_3 -CAfile "$d/root.pem" \
		-ign_eof > "$d/p.out" 2> "$d/p.err"
prc=$?
wait "$opid"
orc=$(cat "$d/o.rc")
if grep -q "SSL alert number 116" "$d/p.err" && ! grep -qi "bad record mac" "$d/p.err"; then
	row_ok "openssl s_client without a certificate: it gets certificate_required"
else
	row_nok "openssl s_client without a certificate: it gets certificate_required"
	show
fi

our_server
{ cat "$d/msg.p"; hold "$d/o.rc"; } |
	timeout 60 openssl s_client -connect 127.0.0.1:4434 -tls1_3 -CAfile "$d/root.pem" \
		-ign_eof -cert "$d/othercli.pem" -key "$d/othercli.key" > "$d/p.out" 2> "$d/p.err"
prc=$?
wait "$opid"
orc=$(cat "$d/o.rc")
if grep -q "SSL alert number 48" "$d/p.err" && ! grep -qi "bad record mac" "$d/p.err"; then
	row_ok "openssl s_client with a certificate from another root: it gets unknown_ca"
else
	row_nok "openssl s_client with a certificate from another root: it gets unknown_ca"
	show
fi

our_server
{ cat "$d/msg.p"; hold "$d/o.rc"; } |
	timeout 60 gnutls-cli --x509cafile "$d/root.pem" --verify-hostname device.test \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP256R1" \
		-p 4434 127.0.0.1 > "$d/p.out" 2> "$d/p.err"
prc=$?
wait "$opid"
orc=$(cat "$d/o.rc")
if grep -q "Received alert \[116\]" "$d/p.out" "$d/p.err" &&
   ! grep -qi "decryption has failed\|MAC verification" "$d/p.out" "$d/p.err"; then
	row_ok "gnutls-cli without a certificate: it gets certificate_required"
else
	row_nok "gnutls-cli without a certificate: it gets certificate_required"
	show
	tail -5 "$d/p.out" | diag
fi

echo "1..$n"
[ "$fails" -eq 0 ]
