#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# libiotsec-pkcs11.so with applications no one here wrote, all from
# Debian: pkcs11-tool (OpenSC), p11tool and gnutls-cli (GnuTLS), openssl
# s_client with the libp11 engine, mosquitto and its clients; the chip key
# held by the kernel keyring (simulated chip); then a process without the
# key's permission, and the configuration.  Signing under load:
# pkcs11_load_test.sh.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# the chip key in a session keyring of our own
mod=$top/build/lib/libiotsec-pkcs11.so

udir=$(mktemp -d /tmp/p11pub.XXXXXX)	# for the unprivileged user
chmod 755 "$udir"
scratch p11 "$udir"

# The peer just started in the background ($!) is $spid, ended at exit;
# waits until it listens on PORT.
peer_up() { # port
	spid=$!
	bg="$bg $spid"
	wait_port "$1" 120
}

# gnutls-cli with the chip key by URI through our module, the device
# certificate, to 127.0.0.1:PORT: sends "from gnutls-cli", ends when the
# peer's REPLY has come; its output in $d/OUT.c.out and $d/OUT.c.err.
gnutls_p11() { # port server-name priority out reply
	{ echo "from gnutls-cli"; wait_for "$d/$4.c.out" "$5"; } |
		timeout 60 gnutls-cli --provider "$mod" --x509cafile "$d/root.pem" \
			--x509certfile "$d/dev.pem" --x509keyfile "$uri" \
			--verify-hostname "$2" --priority "$3" -p "$1" 127.0.0.1 \
			> "$d/$4.c.out" 2> "$d/$4.c.err"
}

signs() { sim_count 0 sign; }

# --- set-up: the chip, its key in our session keyring, a test PKI --------
modules_up "chips=1 provisioned=1" 1 algif_kpp
serial=$(cat "$drv_dir"/*-0060/serial_number)
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
keyctl pipe "$key" > "$d/dev.der"
openssl pkey -pubin -inform DER -in "$d/dev.der" -out "$d/dev.pub" 2>/dev/null
pki_ca "$d" root
pki_leaf "$d" srv root "DNS:server.test,IP:127.0.0.1"
pki_leaf_for_pubkey "$d" dev root "$d/dev.pub" "DNS:device.test,IP:127.0.0.1"
printf '# the chip key and its certificate\ncert %s device\n' "$d/dev.pem" > "$d/pkcs11.conf"
export IOTSEC_PKCS11_CONF="$d/pkcs11.conf"
check "set-up: chip $serial, key $key, device certificate, $mod" \
	test -s "$d/dev.pem" -a -s "$mod" -a -n "$serial"

# --- iotsec pkcs11-uri ----------------------------------------------------
"$tool" pkcs11-uri > "$d/uris" 2> "$d/uris.err"
uri=$(grep 'type=private$' "$d/uris" | head -n 1)
cat "$d/uris" | diag
if [ "$uri" = "pkcs11:token=$serial;id=%00;object=device;type=private" ] &&
   grep -qx "pkcs11:token=$serial;id=%00;object=device;type=cert" "$d/uris"; then
	ok "iotsec pkcs11-uri: the key's and the certificate's URIs"
else
	nok "iotsec pkcs11-uri: the key's and the certificate's URIs"
	diag "$d/uris.err"
	uri="pkcs11:token=$serial;object=device;type=private"
fi

# --- OpenSC pkcs11-tool ---------------------------------------------------
pkcs11-tool --module "$mod" -L -M > "$d/L" 2>&1
if grep -q "token label *: $serial" "$d/L" && grep -q "token manufacturer *: Microchip via iotsec" "$d/L" &&
   [ "$(grep -c 'Slot [0-9]' "$d/L")" -eq 1 ]; then
	ok "pkcs11-tool -L: one slot, token labelled with the chip's serial"
else
	nok "pkcs11-tool -L: one slot, token labelled with the chip's serial"
	diag "$d/L"
fi
if grep -q 'ECDSA, keySize={256,256}, hw, sign' "$d/L" &&
   grep -q 'ECDSA-SHA256, keySize={256,256}, hw, sign' "$d/L" &&
   [ "$(grep -c 'keySize=' "$d/L")" -eq 2 ] && ! grep -q 'verify\|encrypt\|derive' "$d/L"; then
	ok "pkcs11-tool -M: ECDSA and ECDSA-SHA256, sign only"
else
	nok "pkcs11-tool -M: ECDSA and ECDSA-SHA256, sign only"
	diag "$d/L"
fi
pkcs11-tool --module "$mod" -O > "$d/O" 2>&1
diag "$d/O"
if grep -q "Private Key Object; EC" "$d/O" && grep -q "Public Key Object; EC  EC_POINT 256 bits" "$d/O" &&
   grep -q "Certificate Object; type = X.509 cert" "$d/O" &&
   [ "$(grep -c 'label: *device$' "$d/O")" -eq 3 ] && [ "$(grep -c 'ID: *00$' "$d/O")" -eq 3 ] &&
   grep -q "Access: *sensitive, never extractable" "$d/O"; then
	ok "pkcs11-tool -O: private key (sensitive, never extractable), public key, certificate; one label, one ID"
else
	nok "pkcs11-tool -O: private key (sensitive, never extractable), public key, certificate; one label, one ID"
fi
pkcs11-tool --module "$mod" --read-object --type pubkey --id 00 -o "$d/p11pub.der" > /dev/null 2>&1
check "pkcs11-tool --read-object --type pubkey: the key's keyctl read public key" \
	cmp -s "$d/p11pub.der" "$d/dev.der"
pkcs11-tool --module "$mod" --read-object --type cert --id 00 -o "$d/p11cert.der" > /dev/null 2>&1
openssl x509 -in "$d/dev.pem" -outform DER -out "$d/dev.crt.der"
check "pkcs11-tool --read-object --type cert: the configured certificate" \
	cmp -s "$d/p11cert.der" "$d/dev.crt.der"
echo "a message for the chip" > "$d/msg"
openssl dgst -sha256 -binary "$d/msg" > "$d/dg"
s0=$(signs)
pkcs11-tool --module "$mod" --sign -m ECDSA --id 00 -i "$d/dg" -o "$d/sig" \
	--signature-format openssl > "$d/sign.out" 2>&1
s1=$(signs)
if openssl pkeyutl -verify -pubin -inkey "$d/dev.pub" -in "$d/dg" -sigfile "$d/sig" > /dev/null 2>&1 &&
   [ "$s1" -eq $((s0 + 1)) ]; then
	ok "pkcs11-tool --sign -m ECDSA: openssl verifies; one chip Sign"
else
	nok "pkcs11-tool --sign -m ECDSA: openssl verifies; one chip Sign ($s0 -> $s1)"
	diag "$d/sign.out"
fi
echo "another message" > "$d/msg2"
openssl dgst -sha256 -binary "$d/msg2" > "$d/dg2"
check "openssl rejects that signature for another digest" \
	sh -c "! openssl pkeyutl -verify -pubin -inkey '$d/dev.pub' -in '$d/dg2' -sigfile '$d/sig' > /dev/null 2>&1"
head -c 20 /dev/urandom > "$d/short"
pkcs11-tool --module "$mod" --sign -m ECDSA --id 00 -i "$d/short" -o "$d/sig3" > "$d/sign3.out" 2>&1
check "pkcs11-tool --sign -m ECDSA of 20 bytes: CKR_DATA_LEN_RANGE (no truncation, no padding)" \
	grep -q CKR_DATA_LEN_RANGE "$d/sign3.out"

# --- GnuTLS p11tool ------------------------------------------------------
p11tool --provider "$mod" --list-all "pkcs11:token=$serial" > "$d/p11tool" 2>&1
diag "$d/p11tool"
if grep -q "Type: Private key (EC/ECDSA-SECP256R1)" "$d/p11tool" &&
   grep -q "Type: Public key (EC/ECDSA-SECP256R1)" "$d/p11tool" &&
   grep -q "Type: X.509 Certificate (EC/ECDSA-SECP256R1)" "$d/p11tool" &&
   [ "$(grep -c 'Label: device' "$d/p11tool")" -eq 3 ] &&
   grep -q "URL: pkcs11:.*token=$serial;id=%00;object=device;type=private" "$d/p11tool"; then
	ok "p11tool --list-all: the same three objects"
else
	nok "p11tool --list-all: the same three objects"
fi
# What GnuTLS read of the private key: sensitive, never extractable.
if grep -q "Flags: CKA_NEVER_EXTRACTABLE; CKA_SENSITIVE;" "$d/p11tool" &&
   ! grep -q "CKA_EXTRACTABLE" "$d/p11tool"; then
	ok "p11tool: the private key is CKA_SENSITIVE and CKA_NEVER_EXTRACTABLE"
else
	nok "p11tool: the private key is CKA_SENSITIVE and CKA_NEVER_EXTRACTABLE"
fi
# p11-kit finds the module through its module file (user configuration,
# which p11-kit reads for users other than root).
mkdir -p "$udir/.config/pkcs11/modules"
sed "s|@MODULE@|$mod|" "$top/libiotsec/pkcs11/iotsec.module.in" \
	> "$udir/.config/pkcs11/modules/iotsec.module"
chmod -R a+rX "$udir"
HOME=$udir IOTSEC_PKCS11_CONF=$udir/none.conf \
	setpriv --reuid=65534 --regid=65534 --clear-groups p11tool --list-tokens \
	> "$d/tokens" 2>&1
check "p11-kit, through iotsec.module: p11tool --list-tokens shows the chip's token" \
	grep -q "URL: pkcs11:model=ATECC.*;manufacturer=Microchip%20via%20iotsec;serial=.*;token=$serial" "$d/tokens"
grep -q "URL:.*token=$serial" "$d/tokens" || diag "$d/tokens"

# --- openssl s_client with the libp11 engine: mutual TLS 1.3 --------------
export PKCS11_MODULE_PATH="$mod"	# libp11's engine loads our module
{ echo "from the server"; wait_for "$d/s.out" "from the chip's client"; } |
	timeout 150 openssl s_server -accept 4433 -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -verify_return_error \
		-naccept 1 > "$d/s.out" 2> "$d/s.err" &
peer_up 4433
s0=$(signs)
{ echo "from the chip's client"; wait_for "$d/c.out" "from the server"; } |
	timeout 60 openssl s_client -connect 127.0.0.1:4433 -tls1_3 -engine pkcs11 \
		-keyform engine -key "$uri" -cert "$d/dev.pem" -CAfile "$d/root.pem" \
		-verify_return_error -verify_hostname server.test > "$d/c.out" 2> "$d/c.err"
s1=$(signs)
wait "$spid" 2>/dev/null
if grep -q "from the chip's client" "$d/s.out" && grep -q "from the server" "$d/c.out" &&
   grep -q "TLSv1.3" "$d/c.out" && grep -q "depth=0 CN = dev" "$d/s.err" &&
   [ "$s1" -gt "$s0" ]; then
	ok "openssl s_client -engine pkcs11 -key pkcs11:... -> s_server -Verify 1: mutual TLS 1.3, chip signed"
else
	nok "openssl s_client -engine pkcs11 -key pkcs11:... -> s_server -Verify 1: mutual TLS 1.3, chip signed ($s0 -> $s1)"
	tail -n 15 "$d/c.err" "$d/s.err" | diag
	grep -iE "subject|Protocol|error" "$d/s.out" "$d/c.out" | head -n 10 | diag
fi

# --- gnutls-cli with the key by URI, against iotsec serve ----------------
head -c 4096 /dev/urandom > "$d/small"
{ echo "from iotsec serve"; wait_for "$d/g.s.out" "from gnutls-cli" 150; } |
	{ timeout 150 "$tool" serve 4434 --once --ca "$d/root.pem" --cert "$d/dev.pem" \
		--key "$key" > "$d/g.s.out" 2> "$d/g.s.err"; echo "iotsec serve exit $?" >> "$d/g.s.err"; } &
peer_up 4434
gnutls_p11 4434 device.test "NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP256R1" \
	g "from iotsec serve"
wait "$spid" 2>/dev/null
if grep -q "from gnutls-cli" "$d/g.s.out" && grep -q "from iotsec serve" "$d/g.c.out" &&
   grep -q "TLS 1.3" "$d/g.s.err"; then
	ok "gnutls-cli --x509keyfile pkcs11:... -> iotsec serve: mutual TLS 1.3"
else
	nok "gnutls-cli --x509keyfile pkcs11:... -> iotsec serve: mutual TLS 1.3"
	diag "$d/g.s.err"
	tail -n 15 "$d/g.c.out" "$d/g.c.err" | diag
fi

# The same client against openssl s_server -Verify 1.
{ echo "from the server"; wait_for "$d/g2.c.out" "from the server"; } |
	timeout 150 openssl s_server -accept 4435 -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -verify_return_error -naccept 1 \
		> "$d/g2.s.out" 2> "$d/g2.s.err" &
peer_up 4435
gnutls_p11 4435 server.test "NORMAL:-VERS-ALL:+VERS-TLS1.3" g2 "from the server"
wait "$spid" 2>/dev/null
if grep -q "from gnutls-cli" "$d/g2.s.out" && grep -q "from the server" "$d/g2.c.out" &&
   grep -q "depth=0 CN = dev" "$d/g2.s.err"; then
	ok "gnutls-cli --x509keyfile pkcs11:... -> openssl s_server -Verify 1: mutual TLS 1.3"
else
	nok "gnutls-cli --x509keyfile pkcs11:... -> openssl s_server -Verify 1: mutual TLS 1.3"
	tail -n 10 "$d/g2.c.out" "$d/g2.c.err" "$d/g2.s.err" | diag
fi

# --- mosquitto: a broker requiring client certificates ---------------------
cat > "$d/mosquitto.conf" <<EOF
listener 8883 127.0.0.1
cafile $d/root.pem
certfile $d/srv.pem
keyfile $d/srv.key
require_certificate true
tls_version tlsv1.3
allow_anonymous true
persistence false
user root
log_dest file $d/mosquitto.log
log_type all
EOF
mosquitto -c "$d/mosquitto.conf" > "$d/mq.out" 2>&1 &
mpid=$!
bg="$bg $mpid"
wait_port 8883 120
# mosquitto 2.0.11's clients fopen() --key before they learn that it is
# an engine key (upstream issue 2650, pull request 1820): they run where a
# file of that name exists.
mkdir -p "$d/mq" && : > "$d/mq/$uri"
mq() { # mosquitto_pub|mosquitto_sub args...: with the chip key through the module
	prog=$1
	shift
	(cd "$d/mq" && timeout 90 "$prog" -h 127.0.0.1 -p 8883 --cafile "$d/root.pem" --cert "$d/dev.pem" \
		--tls-engine pkcs11 --keyform engine --key "$uri" "$@")
}
s0=$(signs)
mq mosquitto_pub -t iotsec/test -r -m "hello from the chip" > "$d/pub.out" 2>&1
prc=$?
mq mosquitto_sub -t iotsec/test -C 1 -W 60 > "$d/sub.out" 2> "$d/sub.err"
src=$?
s1=$(signs)
if [ $prc -eq 0 ] && [ $src -eq 0 ] && grep -qx "hello from the chip" "$d/sub.out" &&
   [ "$s1" -ge $((s0 + 2)) ]; then
	ok "mosquitto_pub and mosquitto_sub --tls-engine pkcs11 --key pkcs11:...: the message, both chip-signed"
else
	nok "mosquitto_pub and mosquitto_sub --tls-engine pkcs11 --key pkcs11:... (pub $prc, sub $src, signs $s0 -> $s1)"
	diag "$d/pub.out" "$d/sub.err"
	tail -n 15 "$d/mosquitto.log" | diag
fi
timeout 30 mosquitto_pub -h 127.0.0.1 -p 8883 --cafile "$d/root.pem" -t iotsec/test \
	-m "no certificate" > "$d/nocert.out" 2>&1
rc=$?
mq mosquitto_sub -t iotsec/test -C 1 -W 30 > "$d/sub2.out" 2>&1
check "the broker refuses a client without a certificate (the retained message unchanged)" \
	sh -c "[ $rc -ne 0 ] && grep -qx 'hello from the chip' '$d/sub2.out'"
kill "$mpid" 2>/dev/null
wait "$mpid" 2>/dev/null

# --- a process without the key's permission ---------------------------------
# Another uid in its own session keyring: it may view and read the key
# ("other": view, read) but not search it, which every keyctl_pkey_* needs.
perm=$(keyctl rdescribe "$key" | cut -d';' -f4)
keyctl setperm "$key" 0x3f000003
cp "$d/dg" "$d/dev.pem" "$udir/"
printf 'cert %s device\n' "$udir/dev.pem" > "$udir/pkcs11.conf"
chmod -R a+rX "$udir"
s0=$(signs)
HOME=$udir IOTSEC_PKCS11_CONF=$udir/pkcs11.conf \
	setpriv --reuid=65534 --regid=65534 --clear-groups keyctl session - \
	pkcs11-tool --module "$mod" --sign -m ECDSA --label device -i "$udir/dg" -o /dev/null \
	> "$d/noperm" 2>&1
rc=$?
s1=$(signs)
HOME=$udir IOTSEC_PKCS11_CONF=$udir/pkcs11.conf \
	setpriv --reuid=65534 --regid=65534 --clear-groups keyctl session - \
	pkcs11-tool --module "$mod" -O > "$d/noperm.O" 2>&1
keyctl setperm "$key" "0x$perm"
diag "$d/noperm"
check "another uid may see the key but gets CKR_KEY_FUNCTION_NOT_PERMITTED, and no chip Sign" \
	sh -c "[ $rc -ne 0 ] && grep -q 'CKR_KEY_FUNCTION_NOT_PERMITTED' '$d/noperm' &&
	       grep -q 'Private Key Object; EC' '$d/noperm.O' && [ $s1 -eq $s0 ]"
pkcs11-tool --module "$mod" --sign -m ECDSA --id 00 -i "$d/dg" -o "$d/sig4" \
	--signature-format openssl > /dev/null 2>&1
check "the owner signs again once the permissions are back" \
	sh -c "openssl pkeyutl -verify -pubin -inkey '$d/dev.pub' -in '$d/dg' -sigfile '$d/sig4' > /dev/null 2>&1"

# --- the configuration ----------------------------------------------------
printf 'key other\n' > "$d/only-other.conf"
IOTSEC_PKCS11_CONF=$d/only-other.conf pkcs11-tool --module "$mod" -O > "$d/O2" 2>&1
check "a configuration naming other keys hides this one" \
	sh -c "! grep -q 'Object' '$d/O2'"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/x.key" \
	-subj /CN=x -out "$d/x.pem" -days 1 2>/dev/null
printf 'cert %s device\n' "$d/x.pem" > "$d/wrong.conf"
IOTSEC_PKCS11_CONF=$d/wrong.conf pkcs11-tool --module "$mod" -O > "$d/O3" 2>&1
check "a certificate for another key is not shown as the key's" \
	sh -c "grep -q 'not the certificate of key' '$d/O3' && ! grep -q 'Certificate Object' '$d/O3'"

echo "1..$n"
[ "$fails" -eq 0 ]
