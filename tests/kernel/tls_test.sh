#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libiotsec against peers no one here wrote (openssl s_server/s_client,
# gnutls-cli), with the identity key in the simulated chip: mutual TLS
# 1.3, 1 MiB each way over kTLS, kTLS counters, and the refusal table.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# so that the keys we add are ours to use

d=$(mktemp -d /tmp/tls.XXXXXX)
cleanup() {
	pkill -f "openssl s_server" 2>/dev/null
	pkill -f "iotsec serve" 2>/dev/null
	modules_down
	rm -rf "$d"
}
trap cleanup EXIT

# Waits for a file to grow to a size; gives up after 60 s or on $d/stop.
wait_size() { # file bytes
	i=0
	while [ "$(stat -c %s "$1" 2>/dev/null || echo 0)" -lt "$2" ]; do
		i=$((i + 1))
		[ $i -gt 600 ] || [ -e "$d/stop" ] && return 1
		sleep 0.1
	done
}

stat_tls() { awk -v k="$1" '$1 == k { print $2 }' /proc/net/tls_stat; }

# --- set-up: a provisioned chip, its key in the keyring, a test PKI ------
modules_up "chips=1 provisioned=1" 1 algif_kpp
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
echo "# chip key $key: $(keyctl describe "$key" 2>&1)"
pki_chip_set "$d" "$key"	# root; srv, cli; dev for the chip's key
pki_ca "$d" other
pki_leaf "$d" othersrv other "DNS:server.test"
pki_leaf_dates "$d" old root "DNS:server.test" 20200101000000Z 20210101000000Z
pki_leaf_dates "$d" future root "DNS:server.test" 20990101000000Z 20991231000000Z
head -c 1048576 /dev/urandom > "$d/big.c"
head -c 1048576 /dev/urandom > "$d/big.s"
check "set-up: chip key, device certificate for the chip's public key" \
	test -s "$d/dev.pem"

# 6.1's keyctl_pkey_verify hands the signature over padded to 72 bytes:
# DER signatures of 70 and 71 bytes must verify all the same.
openssl x509 -in "$d/srv.pem" -outform DER -out "$d/srv.der"
certkey=$(keyctl padd asymmetric srv @s < "$d/srv.der")
bad=0
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16; do
	echo "message $i" | openssl dgst -sha256 -binary > "$d/dg"
	openssl pkeyutl -sign -inkey "$d/srv.key" -in "$d/dg" -out "$d/sig" 2>/dev/null
	keyctl pkey_verify "$certkey" 0 "$d/dg" "$d/sig" enc=x962 hash=sha256 ||
		{ bad=$((bad + 1)); echo "# failed: $(stat -c %s "$d/sig")-byte signature"; }
done
check "keyctl pkey_verify with our ecdsa: 16 OpenSSL signatures of any DER length" \
	test "$bad" -eq 0

client() { # extra args...; stdin: data
	"$tool" connect 127.0.0.1:4433 --ca "$d/root.pem" --cert "$d/dev.pem" \
		--key "$key" "$@"
}

# Our client sends "hi" to the s_server just started on 4433 (client
# ARGS...), its exit status in $rc and its stderr in $d/c.err.
hi_to_s_server() { # client args...
	wait_port 4433
	echo hi | timeout 30 "$tool" connect 127.0.0.1:4433 --ca "$d/root.pem" \
		--cert "$d/dev.pem" --key "$key" "$@" > /dev/null 2> "$d/c.err"
	rc=$?
	wait
}

# Our server once on 4434 with the chip key (stderr in $d/s.err), and
# openssl s_client ARGS... sending it "hi" (stderr in $d/c.err).
s_client_to_ours() { # s_client args...
	timeout 60 "$tool" serve 4434 --once --ca "$d/root.pem" --cert "$d/dev.pem" \
		--key "$key" < /dev/null > /dev/null 2> "$d/s.err" &
	wait_port 4434
	echo hi | timeout 30 openssl s_client -connect 127.0.0.1:4434 "$@" \
		> /dev/null 2> "$d/c.err"
	wait
}

s_server() { # cert key extra-args...
	cert=$1 k=$2
	shift 2
	openssl s_server -accept 4433 -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$cert" -key "$k" -groups P-256 -sigalgs ECDSA+SHA256 \
		-naccept 1 -quiet "$@"
}

# --- our client, openssl s_server, 1 MiB each way -------------------------
tx0=$(stat_tls TlsTxSw)
rx0=$(stat_tls TlsRxSw)
# 1 MiB each way with the default suite; the two others move 128 KiB (the
# emulated CPU makes OpenSSL's side slow, and they share the same code).
head -c 131072 "$d/big.c" > "$d/mid.c"
head -c 131072 "$d/big.s" > "$d/mid.s"
for run in TLS_AES_128_GCM_SHA256:big:1048576 TLS_AES_256_GCM_SHA384:mid:131072 \
	   TLS_CHACHA20_POLY1305_SHA256:mid:131072; do
	suite=${run%%:*}
	size=${run##*:}
	f=${run#*:}
	f=${f%%:*}
	rm -f "$d/s.out" "$d/c.out"
	{ cat "$d/$f.s"; wait_size "$d/s.out" "$size"; } |
		s_server "$d/srv.pem" "$d/srv.key" -ciphersuites "$suite" \
			> "$d/s.out" 2> "$d/s.err" &
	wait_port 4433
	{ cat "$d/$f.c"; wait_size "$d/c.out" "$size"; } |
		dev_connect 120 4433 server.test > "$d/c.out" 2> "$d/c.err"
	rc=$?
	[ $rc -ne 0 ] && touch "$d/stop" && pkill -f "openssl s_server"
	wait
	rm -f "$d/stop"
	if [ $rc -eq 0 ] && cmp -s "$d/$f.s" "$d/c.out" && cmp -s "$d/$f.c" "$d/s.out"; then
		ok "client -> openssl s_server -Verify, $suite, $size bytes each way"
	else
		nok "client -> openssl s_server -Verify, $suite, $size bytes each way (rc $rc)"
		diag "$d/c.err" "$d/s.err"
	fi
done
grep -q "kernel TLS" "$d/c.err" && grep -q "$suite" "$d/c.err"
check "client reports the cipher and kernel TLS" test $? -eq 0
check "kTLS sockets configured grew (TlsTxSw, TlsRxSw)" \
	test "$(stat_tls TlsTxSw)" -gt "$tx0" -a "$(stat_tls TlsRxSw)" -gt "$rx0"

# --- openssl s_client against our server, 1 MiB each way ------------------
rm -f "$d/s.out" "$d/c.out"
{ cat "$d/big.s"; wait_size "$d/s.out" 1048576; } |
	timeout 120 "$tool" serve 4434 --once --ca "$d/root.pem" --cert "$d/dev.pem" \
		--key "$key" > "$d/s.out" 2> "$d/s.err" &
wait_port 4434
timeout 120 openssl s_client -connect 127.0.0.1:4434 -tls1_3 -cert "$d/cli.pem" \
	-key "$d/cli.key" -CAfile "$d/root.pem" -verify_return_error \
	-verify_hostname device.test -groups P-256 -quiet \
	< "$d/big.c" > "$d/c.out" 2> "$d/c.err"
wait
if cmp -s "$d/big.s" "$d/c.out" && cmp -s "$d/big.c" "$d/s.out"; then
	ok "openssl s_client -cert -> our server, 1 MiB each way"
else
	nok "openssl s_client -cert -> our server, 1 MiB each way"
	diag "$d/s.err" "$d/c.err"
fi

# --- gnutls-cli against our server ----------------------------------------
head -c 65536 /dev/urandom > "$d/small"
rm -f "$d/s.out" "$d/c.out"
{ cat "$d/small"; wait_size "$d/s.out" 65536; } |
	timeout 60 "$tool" serve 4435 --once --ca "$d/root.pem" --cert "$d/dev.pem" \
		--key "$key" > "$d/s.out" 2> "$d/s.err" &
wait_port 4435
{ cat "$d/small"; wait_size "$d/c.out" 65536; } |
	timeout 60 gnutls-cli --x509cafile "$d/root.pem" --x509certfile "$d/cli.pem" \
		--x509keyfile "$d/cli.key" --verify-hostname device.test \
		--priority "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP256R1" \
		--logfile "$d/c.log" -p 4435 127.0.0.1 > "$d/c.out" 2> "$d/c.err"
wait
if cmp -s "$d/small" "$d/s.out" && cmp -s "$d/small" "$d/c.out"; then
	ok "gnutls-cli -> our server, 64 KiB each way"
else
	nok "gnutls-cli -> our server, 64 KiB each way"
	diag "$d/s.err"
	tail -5 "$d/c.log" "$d/c.err" | diag
fi

# --- HelloRetryRequest: a client whose only share is X25519 ---------------
timeout 60 "$tool" serve 4436 --once --ca "$d/root.pem" --cert "$d/dev.pem" \
	--key "$key" < /dev/null > "$d/s.out" 2> "$d/s.err" &
wait_port 4436
echo "after a retry" | timeout 60 openssl s_client -connect 127.0.0.1:4436 -tls1_3 \
	-groups X25519:P-256 -cert "$d/cli.pem" -key "$d/cli.key" \
	-CAfile "$d/root.pem" -verify_return_error -msg > "$d/c.out" 2> "$d/c.err"
wait
# -msg shows two ClientHellos when the server asked for a retry.
if grep -q "after a retry" "$d/s.out" && [ "$(grep -c '>>> .*ClientHello' "$d/c.out")" -eq 2 ] &&
   grep -q "TLS 1.3" "$d/s.err"; then
	ok "openssl s_client sharing only X25519 gets a HelloRetryRequest, then P-256"
else
	nok "openssl s_client sharing only X25519 gets a HelloRetryRequest, then P-256"
	diag "$d/s.err"
	grep -i "retry\|alert" "$d/c.out" | head -5 | diag
fi

# --- refusals: each ends with the right alert and error -------------------
refuse() { # description, expected text in our stderr, server cert, key, client args...
	desc=$1 want=$2 cert=$3 k=$4
	shift 4
	echo | s_server "$cert" "$k" > /dev/null 2> "$d/s.err" &
	hi_to_s_server "$@"
	if [ $rc -ne 0 ] && grep -q "$want" "$d/c.err"; then
		ok "refused: $desc ($want)"
	else
		nok "refused: $desc (rc $rc, want $want)"
		diag "$d/c.err"
	fi
}
refuse "server certificate from another root" "sent: unknown_ca" \
	"$d/othersrv.pem" "$d/othersrv.key" --name server.test
refuse "expired server certificate" "sent: certificate_expired" \
	"$d/old.pem" "$d/old.key" --name server.test
refuse "server certificate not yet valid" "sent: certificate_expired" \
	"$d/future.pem" "$d/future.key" --name server.test
refuse "wrong server name" "sent: bad_certificate" \
	"$d/srv.pem" "$d/srv.key" --name other.test

# A TLS 1.2-only server.
echo | openssl s_server -accept 4433 -tls1_2 -cert "$d/srv.pem" -key "$d/srv.key" \
	-naccept 1 -quiet > /dev/null 2> "$d/s.err" &
hi_to_s_server
check "refused: TLS 1.2-only server (protocol_version)" \
	sh -c "[ $rc -ne 0 ] && grep -q 'protocol_version' '$d/c.err'"

# A TLS 1.2-only client against our server.
s_client_to_ours -tls1_2 -cert "$d/cli.pem" -key "$d/cli.key"
check "refused: TLS 1.2-only client gets protocol_version" \
	sh -c "grep -q 'protocol version' '$d/c.err' && grep -q 'protocol_version' '$d/s.err'"

# A client without a certificate.
s_client_to_ours -tls1_3 -CAfile "$d/root.pem"
check "refused: client without a certificate (certificate_required)" \
	grep -q 'sent: certificate_required' "$d/s.err"

# RSA peers (RFC 8446 4.4.2.2).  We offer and accept one signature scheme,
# ecdsa_secp256r1_sha256, so neither side gets as far as our P-256 check:
# an RSA leaf under the same root, for both roles.
openssl req -new -newkey rsa:2048 -nodes -keyout "$d/rsa.key" -subj "/CN=rsa" \
	-out "$d/rsa.csr" 2>/dev/null &&
	pki_ext "DNS:server.test,DNS:client.test,IP:127.0.0.1" > "$d/rsa.ext" &&
	openssl x509 -req -in "$d/rsa.csr" -CA "$d/root.pem" -CAkey "$d/root.key" \
		-CAcreateserial -extfile "$d/rsa.ext" -out "$d/rsa.pem" -days 365 2>/dev/null

# An RSA-only server has nothing to sign with for us: it aborts first.
echo | openssl s_server -accept 4433 -tls1_3 -cert "$d/rsa.pem" -key "$d/rsa.key" \
	-naccept 1 -quiet > /dev/null 2> "$d/s.err" &
hi_to_s_server --name server.test
if [ $rc -ne 0 ] && grep -q 'from peer: handshake_failure' "$d/c.err"; then
	ok "refused: RSA-only server (handshake_failure from the peer)"
else
	nok "refused: RSA-only server (rc $rc, want handshake_failure from the peer)"
	diag "$d/c.err" "$d/s.err"
fi

# A client whose only certificate is RSA has none for our request: it sends
# an empty Certificate, and our server ends with certificate_required.
s_client_to_ours -tls1_3 -cert "$d/rsa.pem" -key "$d/rsa.key" -CAfile "$d/root.pem"
if grep -q 'sent: certificate_required' "$d/s.err"; then
	ok "refused: client with an RSA certificate sends none (certificate_required)"
else
	nok "refused: client with an RSA certificate sends none (certificate_required)"
	diag "$d/s.err" "$d/c.err"
fi

# A peer's KeyUpdate: tests/kernel/rekey_test.sh, on every kernel.

echo "1..$n"
[ "$fails" -eq 0 ]
