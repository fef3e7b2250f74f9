#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Makes the fuzzers' seed corpora (tests/fuzz/corpus/TARGET/) from a real
# peer: one mutually authenticated TLS 1.3 handshake between openssl
# s_server and s_client on loopback (P-256, the test PKI of
# tests/kernel/lib/pki.sh), with two NewSessionTickets and a KeyUpdate.
# Both sides run with -msg, which prints every handshake message in hex,
# the encrypted ones decrypted; each becomes a seed of its decoder, its
# records a seed of the record target, the certificates x509/pem seeds,
# the CertificateVerify signatures ecdsa_der seeds.  The CSR subject and
# profile seeds are written out here.  The output is committed (small);
# run this again to refresh it.
#
# usage: tests/fuzz/seeds.sh [OUTDIR]   (default tests/fuzz/corpus)
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/tests/fuzz/corpus}
. "$top/tests/kernel/lib/pki.sh"
d=$(mktemp -d /tmp/fzseed.XXXXXX)
spid=
trap '[ -n "$spid" ] && kill "$spid" 2>/dev/null; rm -rf "$d"' EXIT

pki_ca "$d" ca
pki_leaf "$d" server ca DNS:server.test,IP:127.0.0.1
pki_leaf "$d" client ca DNS:client.test

# A free loopback port.
port=$((20000 + $$ % 20000))
while ss -Hltn "sport = :$port" | grep -q LISTEN; do port=$((port + 1)); done

(sleep 8) | openssl s_server -accept "127.0.0.1:$port" -tls1_3 -cert "$d/server.pem" \
	-key "$d/server.key" -CAfile "$d/ca.pem" -Verify 1 -num_tickets 2 -msg \
	-naccept 1 > "$d/srv.log" 2>&1 &
spid=$!
i=0
until ss -Hltn "sport = :$port" | grep -q LISTEN; do
	i=$((i + 1))
	[ $i -gt 100 ] && { echo "seeds: s_server did not start" >&2; exit 1; }
	sleep 0.1
done
# K: a KeyUpdate asking the server to update too.
(sleep 1; echo K; sleep 1; echo hello; sleep 1) |
	openssl s_client -connect "127.0.0.1:$port" -tls1_3 -cert "$d/client.pem" \
		-key "$d/client.key" -CAfile "$d/ca.pem" -servername server.test \
		-curves P-256 -msg > "$d/cli.log" 2>&1
wait "$spid" || true
spid=

# One file per "Handshake" dump a side received, SIDE-N-NAME.hex (the
# whole message).
split() { # log side
	awk -v dir="$d/msgs" -v side="$2" '
	/^(<<<|>>>) / {
		f = ""
		if ($0 ~ /^<<< .*Handshake \[length/) {
			name = $NF
			n++
			f = sprintf("%s/%s-%02d-%s.hex", dir, side, n, name)
		}
		next
	}
	/^    / && f != "" { print >> f; next }
	{ f = "" }' "$1"
}
mkdir -p "$d/msgs"
split "$d/cli.log" client
split "$d/srv.log" server
[ -n "$(find "$d/msgs" -name '*ClientHello*' | head -n 1)" ] || { echo "seeds: no handshake captured" >&2; exit 1; }

# target message-name: the decoder of each message, body only.
for t in client_hello:ClientHello server_hello:ServerHello \
	 encrypted_extensions:EncryptedExtensions certificate_request:CertificateRequest \
	 certificate:Certificate certificate_verify:CertificateVerify finished:Finished \
	 new_session_ticket:NewSessionTicket key_update:KeyUpdate; do
	target=${t%%:*}
	mkdir -p "$out/$target"
	for f in "$d"/msgs/*-"${t#*:}".hex; do
		[ -f "$f" ] || continue
		b=$(basename "$f" .hex)
		xxd -r -p "$f" | tail -c +5 > "$out/$target/$b"
	done
done

# Records: what a server reads first (ClientHello in a record), and what
# a client reads (ServerHello, change_cipher_spec, then an encrypted
# record of the right size: the target has no keys, so any bytes do).
# The first byte picks the side (even: server, odd: client).
mkdir -p "$out/record"
rec() { # type file
	n=$(xxd -r -p "$2" | wc -c)
	printf "%02x0303%04x" "$1" "$n" | xxd -r -p
	xxd -r -p "$2"
}
ch=$(ls "$d"/msgs/server-*-ClientHello.hex | head -n 1)
sh=$(ls "$d"/msgs/client-*-ServerHello.hex | head -n 1)
ee=$(ls "$d"/msgs/client-*-EncryptedExtensions.hex | head -n 1)
{ printf '\000'; rec 22 "$ch"; } > "$out/record/server-clienthello"
{ printf '\001'; rec 22 "$sh"; printf '\024\003\003\000\001\001'; rec 23 "$ee"; } \
	> "$out/record/client-serverhello"
# Two handshake messages in one record, and one message over two.
{ printf '\001'; cat "$sh" "$sh" > "$d/two.hex"; rec 22 "$d/two.hex"; } > "$out/record/client-two"
xxd -r -p "$ch" > "$d/ch.bin"
half=$(($(wc -c < "$d/ch.bin") / 2))
head -c "$half" "$d/ch.bin" | xxd -p > "$d/h1.hex"
tail -c +$((half + 1)) "$d/ch.bin" | xxd -p > "$d/h2.hex"
{ printf '\000'; rec 22 "$d/h1.hex"; rec 22 "$d/h2.hex"; } > "$out/record/server-split"

# Certificates: DER (from the Certificate messages' entries would need a
# parser here: openssl gives them) and PEM.
mkdir -p "$out/x509" "$out/pem"
for c in ca server client; do
	openssl x509 -in "$d/$c.pem" -outform DER -out "$out/x509/$c.der"
	cp "$d/$c.pem" "$out/pem/$c.pem"
done
cat "$d/server.pem" "$d/ca.pem" > "$out/pem/chain.pem"

# ECDSA signatures: the CertificateVerify bodies minus scheme and length.
mkdir -p "$out/ecdsa_der"
for f in "$out"/certificate_verify/*; do
	tail -c +5 "$f" > "$out/ecdsa_der/$(basename "$f")"
done

# The CSR subject (iotsec csr --subject) and provisioning profiles.
mkdir -p "$out/csr_subject" "$out/profile"
printf '%s' '/C=FI/O=Acme/CN=dev-1' > "$out/csr_subject/basic"
printf '%s' '/CN=a\/b\+c/OU=lab/serialNumber=0123/ST=Uusimaa/L=Espoo' > "$out/csr_subject/escapes"
printf '%s' '/commonName=dev/organizationName=Acme Oy/countryName=SE' > "$out/csr_subject/long-names"
printf '%s' '/CN=t\303\244st' > "$out/csr_subject/utf8"
cat > "$out/profile/tls" <<'EOF'
# a TLS device: one chip key in slot 0, ECDH in slot 2
chipmode 0x00
slot 0 0x2083 0x0033 genkey lock use "TLS client key"
slot 2 0x2083 0x0033 genkey
slot 8 0x0000 0x003c
EOF
printf 'slot 15 0xffff 0x001c\nchipmode 0x01\n' > "$out/profile/short"
