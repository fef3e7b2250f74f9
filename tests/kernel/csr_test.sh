#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# iotsec csr: a PKCS#10 request for the simulated chip's key, signed by the
# chip, judged by OpenSSL (req -verify, the subject, the public key), then
# turned into a certificate by a test CA that verifies against it; a
# flipped byte fails; bad subjects are refused and write nothing.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# so that the keys we add are ours to use

scratch csr

signs() { sim_count 0 sign; }

# DER of the request in $1 (PEM) to $2.
der() { openssl req -in "$1" -outform DER -out "$2" 2>/dev/null; }

# How many files the glob in the arguments matched.
matches() { if [ -e "$1" ]; then echo $#; else echo 0; fi; }

# Flips the low bit of the byte at offset $2 of file $1.
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf %03o $((b ^ 1)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# --- set-up: a provisioned chip, its key in the keyring, a test CA -------
modules_up "chips=1 provisioned=1" 1
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
echo "# chip key $key: $(keyctl describe "$key" 2>&1)"
keyctl pipe "$key" > "$d/key.der"
pki_ca "$d" root
check "set-up: chip key in the keyring, a test CA" \
	test -n "$key" -a -s "$d/key.der" -a -s "$d/root.pem"

# --- the request, to standard output --------------------------------------
subj="/C=FI/O=Acme/CN=dev-1"
s0=$(signs)
"$tool" csr --key "$key" --subject "$subj" > "$d/dev.csr" 2> "$d/err"
rc=$?
if [ $rc -eq 0 ] && head -n 1 "$d/dev.csr" | grep -qx -- "-----BEGIN CERTIFICATE REQUEST-----" &&
   tail -n 1 "$d/dev.csr" | grep -qx -- "-----END CERTIFICATE REQUEST-----"; then
	ok "csr --key SERIAL: exit 0, one PEM CERTIFICATE REQUEST on stdout"
else
	nok "csr --key SERIAL: exit 0, one PEM CERTIFICATE REQUEST on stdout (rc $rc)"
	diag "$d/err"
fi
check "the chip signed it: one Sign command" test "$(signs)" -eq $((s0 + 1))
openssl req -in "$d/dev.csr" -verify -noout > "$d/v.out" 2>&1
check "openssl req -verify: the self-signature verifies" \
	grep -q "verify OK" "$d/v.out"
got=$(openssl req -in "$d/dev.csr" -noout -subject -nameopt compat 2>&1)
check "openssl req -subject gives the subject given ($got)" \
	test "$got" = "subject=$subj"
openssl req -in "$d/dev.csr" -noout -pubkey 2>/dev/null |
	openssl pkey -pubin -outform DER -out "$d/csr-key.der" 2>/dev/null
check "its public key is keyctl read's" cmp -s "$d/csr-key.der" "$d/key.der"
openssl asn1parse -in "$d/dev.csr" > "$d/asn1" 2>&1
check "ecdsa-with-SHA256, version 0, C a PrintableString, O and CN UTF8Strings" \
	sh -c "grep -q 'OBJECT *:ecdsa-with-SHA256' '$d/asn1' &&
	       grep -q 'd=2 .*INTEGER *:00\$' '$d/asn1' &&
	       grep -q 'PRINTABLESTRING *:FI\$' '$d/asn1' &&
	       grep -q 'UTF8STRING *:Acme\$' '$d/asn1' &&
	       grep -q 'UTF8STRING *:dev-1\$' '$d/asn1'"

# --- a CA issues the certificate from it ----------------------------------
pki_ext "DNS:device.test" > "$d/dev.ext"
openssl x509 -req -in "$d/dev.csr" -CA "$d/root.pem" -CAkey "$d/root.key" \
	-CAcreateserial -extfile "$d/dev.ext" -out "$d/dev.pem" -days 365 \
	> "$d/x509.err" 2>&1
if [ -s "$d/dev.pem" ]; then
	ok "openssl x509 -req -CA issues a certificate from the request"
else
	nok "openssl x509 -req -CA issues a certificate from the request"
	diag "$d/x509.err"
fi
if openssl verify -CAfile "$d/root.pem" "$d/dev.pem" > "$d/verify.out" 2>&1 &&
   grep -q ": OK\$" "$d/verify.out"; then
	ok "the certificate verifies against the CA"
else
	nok "the certificate verifies against the CA"
	diag "$d/verify.out"
fi
openssl x509 -in "$d/dev.pem" -noout -pubkey 2>/dev/null |
	openssl pkey -pubin -outform DER -out "$d/cert-key.der" 2>/dev/null
got=$(openssl x509 -in "$d/dev.pem" -noout -subject -nameopt compat 2>&1)
check "the certificate carries the chip's public key and the subject" \
	sh -c "cmp -s '$d/cert-key.der' '$d/key.der' && [ '$got' = 'subject=$subj' ]"

# --- a flipped byte --------------------------------------------------------
der "$d/dev.csr" "$d/dev.der"
size=$(stat -c %s "$d/dev.der")
cp "$d/dev.der" "$d/sig.der"
flip "$d/sig.der" $((size - 1))	# the last byte of the signature's s
cp "$d/dev.der" "$d/cn.der"
off=$(grep -oba "dev-1" "$d/cn.der" | head -n 1 | cut -d: -f1)
flip "$d/cn.der" $((off + 4))	# "dev-1" -> "dev-0"
# OpenSSL 3.0's req -verify exits 0 on a bad signature too: read its verdict.
for f in sig cn; do
	openssl req -inform DER -in "$d/$f.der" -verify -noout > "$d/v.out" 2>&1
	if ! cmp -s "$d/dev.der" "$d/$f.der" && grep -q "verify failure" "$d/v.out" &&
	   ! grep -q "verify OK" "$d/v.out"; then
		ok "a flipped byte in the $f: openssl req -verify says verify failure"
	else
		nok "a flipped byte in the $f: openssl req -verify says verify failure"
		diag "$d/v.out"
	fi
done

# --- --out, by description, escapes and UTF-8 -----------------------------
subj2='/C=DE/ST=Bayern/L=München/O=Acme\/Labs/OU=R\+D/CN=dev-2/serialNumber=0123A1B2'
umask 077
echo old > "$d/out.pem"
"$tool" csr --key device --subject "$subj2" --out "$d/out.pem" > "$d/stdout" 2> "$d/err"
rc=$?
umask 022
mode=$(stat -c %a "$d/out.pem")
if [ $rc -eq 0 ] && [ ! -s "$d/stdout" ] && [ "$mode" = 644 ] &&
   [ "$(matches "$d"/out.pem*)" -eq 1 ] &&
   openssl req -in "$d/out.pem" -verify -noout > /dev/null 2>&1; then
	ok "csr --key DESCRIPTION --out: replaces the file, mode 0644 (umask 077), nothing on stdout, no temporary left"
else
	nok "csr --key DESCRIPTION --out (rc $rc, mode $mode)"
	diag "$d/err"
	ls -l "$d" | diag
fi
# compat prints the subject in the -subj form, bytes above 0x7f as \xHH.
got=$(openssl req -in "$d/out.pem" -noout -subject -nameopt compat 2>&1)
want='subject=/C=DE/ST=Bayern/L=M\xC3\xBCnchen/O=Acme\/Labs/OU=R\+D/CN=dev-2/serialNumber=0123A1B2'
check "escaped '/' and '+', serialNumber: openssl req -subject gives them back ($got)" \
	test "$got" = "$want"
got=$(openssl req -in "$d/out.pem" -noout -subject -nameopt utf8,sep_comma_plus 2>&1)
openssl asn1parse -in "$d/out.pem" > "$d/asn1" 2>&1
check "UTF-8 values as UTF8String, serialNumber as PrintableString ($got)" \
	sh -c "[ '$got' = 'subject=C=DE,ST=Bayern,L=München,O=Acme/Labs,OU=R+D,CN=dev-2,serialNumber=0123A1B2' ] &&
	       grep -q 'UTF8STRING *:München\$' '$d/asn1' &&
	       grep -q 'PRINTABLESTRING *:0123A1B2\$' '$d/asn1'"

# --- refusals: exit non-zero, no file, no signature ------------------------
long64=$(printf 'a%.0s' $(seq 64))
long65=$(printf 'a%.0s' $(seq 65))
check "a 64-character CN is accepted" \
	"$tool" csr --key "$key" --subject "/CN=$long64" --out "$d/cn64.pem"
s0=$(signs)
bad=0
for s in "CN=no-slash" "/" "/C=FI//CN=a" "/CN=a/" "/X=1" "/cn=a" "/CN=" "/C=" \
	 "/C=fi" "/C=FIN" "/C=F1" "/CN=$long65" "/CN=a+b" "/CN=a\\" "/CN" \
	 "/serialNumber=a_b" "/CN=$(printf 'a\tb')" "/CN=$(printf '\377')"; do
	"$tool" csr --key "$key" --subject "$s" --out "$d/bad.pem" > "$d/stdout" 2> "$d/err"
	rc=$?
	if [ $rc -ne 2 ] || [ -e "$d/bad.pem" ] || [ -s "$d/stdout" ] ||
	   ! grep -q "^iotsec: --subject: " "$d/err" ||
	   [ "$(matches "$d"/bad.pem*)" -ne 0 ]; then
		bad=$((bad + 1))
		echo "# subject '$s': rc $rc"
		diag "$d/err"
	fi
done
check "18 bad subjects: exit 2 with a message, no file, nothing on stdout" test $bad -eq 0
check "... and the chip signed nothing for them" test "$(signs)" -eq "$s0"
"$tool" csr --key "$key" --subject "/CN=$long65" > "$d/stdout" 2> "$d/err"
rc=$?
check "a bad subject without --out: exit 2, nothing on stdout" \
	sh -c "[ $rc -eq 2 ] && [ ! -s '$d/stdout' ]"

"$tool" csr --key no-such-key --subject "$subj" --out "$d/bad.pem" 2> "$d/err"
rc=$?
check "an unknown key: exit 1, no file" sh -c "[ $rc -eq 1 ] && [ ! -e '$d/bad.pem' ]"
user=$(keyctl add user notchip "some bytes" @s)
"$tool" csr --key "$user" --subject "$subj" --out "$d/bad.pem" 2> "$d/err"
rc=$?
check "a key that is not an iotsec key: exit 1, no file" \
	sh -c "[ $rc -eq 1 ] && [ ! -e '$d/bad.pem' ] && grep -q 'not an iotsec key' '$d/err'"
"$tool" csr --key "$key" --subject "$subj" --out "$d/no/such/dir.pem" 2> "$d/err"
rc=$?
check "--out in a missing directory: exit 1" test $rc -eq 1
"$tool" csr --key "$key" > /dev/null 2> "$d/err"
rc=$?
check "no --subject: exit 2 with the usage" \
	sh -c "[ $rc -eq 2 ] && grep -q '^usage: iotsec csr' '$d/err'"

echo "1..$n"
[ "$fails" -eq 0 ]
