#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The demo, run inside the test VM by `make demo` (tests/vm/guest.sh): a
# factory-fresh simulated ATECC608B, provisioned through the iotsec driver
# (identity key made in the chip, zones locked); the key in the kernel
# keyring; a certificate request signed by the chip, which a test CA turns
# into the device certificate; an `openssl s_server` demanding a client
# certificate; and the iotsec client: mutual TLS 1.3, data over kernel TLS.
set -u
top=${IOTSEC_TOP:?}
ko=${IOTSEC_KO_DIR:?}
tool=$top/build/tools/iotsec
. "$top/tests/kernel/lib/pki.sh"
[ -n "${IOTSEC_DEMO_SESSION:-}" ] || IOTSEC_DEMO_SESSION=1 exec keyctl session - sh "$0"

say() { printf '\n== %s\n' "$*"; }
fail() { echo "demo: $*" >&2; exit 1; }
sim=/sys/kernel/debug/iotsec_sim/chip0
d=$(mktemp -d /tmp/demo.XXXXXX)

say "kernel $(uname -r) under QEMU; loading the simulator, the driver, AF_ALG kpp"
insmod "$ko/iotsec_sim/iotsec_sim.ko" chips=1 model=608b provisioned=0 || fail "iotsec_sim"
insmod "$ko/iotsec/iotsec.ko" || fail "iotsec"
insmod "$ko/algif_kpp/algif_kpp.ko" || fail "algif_kpp"
for _ in $(seq 50); do
	set -- /sys/bus/i2c/drivers/iotsec/*-0060
	[ -e "$1" ] && break
	sleep 0.1
done
"$tool" info | head -n 3

say "provisioning the factory-fresh chip (iotsec provision --yes)"
"$tool" provision --yes 2>&1 | sed -n '/^chip /p;/^\[/,$p' | sed 's/^/  /'
[ "$(cat /sys/bus/i2c/drivers/iotsec/*-0060/data_locked)" = 1 ] ||
	fail "provisioning"
writes=$(awk '$1 == "eeprom_writes" { print $2 }' "$sim/counters")
echo "  (EEPROM writes for provisioning: $writes)"

say "crypto providers (highest priority wins)"
awk '/^name/ { n = $3 } /^driver/ { dr = $3 } /^priority/ { p = $3 }
     /^selftest/ { s = $3 }
     /^$/ && dr ~ /iotsec/ { print "  " n " -> " dr " (priority " p ", selftest " s ")" }' /proc/crypto

say "the chip's identity key (slot 0) in the kernel keyring"
key=$(keyctl add iotsec device "chip=0 slot=0" @s) || fail "keyctl add"
keyctl describe "$key"
keyctl pipe "$key" | openssl pkey -pubin -inform DER -out "$d/dev.pub" || fail "keyctl read"
openssl pkey -pubin -in "$d/dev.pub" -noout -text | sed -n '1,2p'
echo "  (the private key never leaves the chip; keyctl read gives the public key)"

say "a certificate request signed by the chip (iotsec csr)"
"$tool" csr --key "$key" --subject "/O=iotsec demo/CN=device.test" \
	--out "$d/device.csr" || fail "iotsec csr"
openssl req -in "$d/device.csr" -verify -noout -subject 2>&1 | sed 's/^/  /'

say "a test CA issues the device certificate from that request"
pki_ca "$d" root && pki_leaf "$d" server root "DNS:server.test,IP:127.0.0.1" &&
	pki_sign_csr "$d" device root "$d/device.csr" "DNS:device.test" ||
	fail "test PKI"
openssl x509 -in "$d/device.pem" -noout -subject -issuer | sed 's/^/  /'
openssl x509 -in "$d/device.pem" -noout -pubkey | cmp -s - "$d/dev.pub" ||
	fail "the certificate is not for the chip's key"
echo "  (its public key is the chip's slot 0 key)"

say "openssl s_server -Verify 1 (mutual TLS 1.3, P-256, ECDSA)"
echo 0 > "$sim/counters"
tx0=$(awk '$1 == "TlsTxSw" { print $2 }' /proc/net/tls_stat)
# Each side keeps its input open until it has heard the other (60 s at most).
wait_text() { # file text
	for _ in $(seq 600); do
		grep -q "$2" "$1" 2> /dev/null && return 0
		sleep 0.1
	done
	return 1
}
{ echo "hello device, this is openssl"; wait_text "$d/server.out" "hello server"; } |
	openssl s_server -accept 4433 -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/server.pem" -key "$d/server.key" -groups P-256 \
		-naccept 1 -quiet > "$d/server.out" 2> "$d/server.err" &
for _ in $(seq 100); do
	ss -Hltn 'sport = :4433' | grep -q LISTEN && break
	sleep 0.1
done

say "iotsec connect 127.0.0.1:4433 (libiotsec)"
{ echo "hello server, this is the device"; wait_text "$d/client.out" "hello device"; } |
	"$tool" connect 127.0.0.1:4433 --ca "$d/root.pem" --cert "$d/device.pem" \
		--key "$key" --name server.test > "$d/client.out" 2> "$d/client.err"
rc=$?
wait
sed 's/^/  client: /' "$d/client.err"
sed 's/^/  received: /' "$d/client.out"
sed 's/^/  server received: /' "$d/server.out"
tx1=$(awk '$1 == "TlsTxSw" { print $2 }' /proc/net/tls_stat)
say "what carried it"
echo "  kTLS sockets configured (TlsTxSw): $tx0 -> $tx1"
echo "  chip commands during the session:"
awk '$2 > 0 && $1 !~ /_us$/ { printf "    %-14s %s\n", $1, $2 }' "$sim/counters"
echo "  EEPROM writes during the session: $(awk '$1 == "eeprom_writes" { print $2 }' "$sim/counters")"
[ $rc -eq 0 ] && grep -q "hello device" "$d/client.out" &&
	grep -q "hello server" "$d/server.out" || fail "the session did not complete"
say "act two: mosquitto, unmodified, signs with the same chip key (PKCS#11)"
# libiotsec-pkcs11.so shows the keyring's iotsec keys as PKCS#11 objects;
# OpenSSL's libp11 engine loads it for mosquitto's clients.
printf 'cert %s device\n' "$d/device.pem" > "$d/pkcs11.conf"
export IOTSEC_PKCS11_CONF="$d/pkcs11.conf" PKCS11_MODULE_PATH="$top/build/lib/libiotsec-pkcs11.so"
uri=$("$tool" pkcs11-uri | grep 'type=private$' | head -n 1) || fail "iotsec pkcs11-uri"
echo "  the key's URI (iotsec pkcs11-uri): $uri"
printf 'listener 8883 127.0.0.1\ncafile %s\ncertfile %s\nkeyfile %s\nrequire_certificate true\ntls_version tlsv1.3\nallow_anonymous true\npersistence false\nuser root\n' \
	"$d/root.pem" "$d/server.pem" "$d/server.key" > "$d/mosquitto.conf"
mosquitto -c "$d/mosquitto.conf" > "$d/mosquitto.log" 2>&1 &
mq=$!
for _ in $(seq 300); do
	ss -Hltn 'sport = :8883' | grep -q LISTEN && break
	sleep 0.1
done
echo "  mosquitto broker on 127.0.0.1:8883, client certificates required"
# mosquitto's clients open --key as a file first (upstream issue 2650).
mkdir -p "$d/mq" && : > "$d/mq/$uri"
echo 0 > "$sim/counters"
(cd "$d/mq" && timeout 120 mosquitto_pub -h 127.0.0.1 -p 8883 --cafile "$d/root.pem" \
	--cert "$d/device.pem" --tls-engine pkcs11 --keyform engine --key "$uri" \
	-t demo/device -r -m "hello broker, signed by the chip") || fail "mosquitto_pub"
echo "  mosquitto_pub --tls-engine pkcs11 --key \"$uri\": published"
(cd "$d/mq" && timeout 120 mosquitto_sub -h 127.0.0.1 -p 8883 --cafile "$d/root.pem" \
	--cert "$d/device.pem" --tls-engine pkcs11 --keyform engine --key "$uri" \
	-t demo/device -C 1 -W 60) > "$d/sub.out" || fail "mosquitto_sub"
sed 's/^/  mosquitto_sub received: /' "$d/sub.out"
echo "  chip Sign commands for the two connections: $(awk '$1 == "sign" { print $2 }' "$sim/counters")"
kill "$mq"
wait "$mq" 2> /dev/null
grep -q "signed by the chip" "$d/sub.out" || fail "the message did not arrive"
say "done: a fresh chip provisioned, its key certified from a chip-signed request, mutual TLS 1.3, data over kernel TLS; mosquitto with the same key through PKCS#11"
rm -rf "$d"
