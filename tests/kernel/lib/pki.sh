#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# A test PKI made with openssl, sourced by VM tests and the demo:
#   pki_ca DIR NAME                 a P-256 root CA (DIR/NAME.pem, .key)
#   pki_leaf DIR NAME CA SAN [ARGS] a P-256 leaf with a software key
#   pki_leaf_for_pubkey DIR NAME CA PUBPEM SAN   a leaf for a key we do
#                                   not hold (the chip's), via -force_pubkey
#   pki_chip_set DIR KEY             root, srv and cli leaves, and dev.pem for
#                                   the chip key KEY's public key (dev.pub)
#   pki_sign_csr DIR NAME CA CSR SAN   the CA issues DIR/NAME.pem from a
#                                   PKCS#10 request (iotsec csr's)
# SAN is e.g. "DNS:server.test,IP:127.0.0.1"; extra ARGS go to openssl x509.

pki_ca() {
	openssl ecparam -name prime256v1 -genkey -noout -out "$1/$2.key" 2>/dev/null &&
	openssl req -new -x509 -key "$1/$2.key" -out "$1/$2.pem" -days 3650 \
		-subj "/CN=$2" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
}

# pki_sign DIR NAME CA SAN CSR_OR_PUB [ARGS...]: the CA signs a leaf.
pki_ext() {
	printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$1"
}

pki_leaf() {
	dir=$1 name=$2 ca=$3 san=$4
	shift 4
	openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null &&
	openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr" 2>/dev/null &&
	pki_ext "$san" > "$dir/$name.ext" &&
	openssl x509 -req -in "$dir/$name.csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
		-CAcreateserial -extfile "$dir/$name.ext" -out "$dir/$name.pem" \
		-days 365 "$@" 2>/dev/null
}

pki_leaf_for_pubkey() {
	dir=$1 name=$2 ca=$3 pub=$4 san=$5
	pki_ext "$san" > "$dir/$name.ext" &&
	openssl x509 -new -subj "/CN=$name" -force_pubkey "$pub" \
		-CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" -extfile "$dir/$name.ext" \
		-out "$dir/$name.pem" -days 365 2>/dev/null
}

pki_chip_set() { # dir key
	keyctl pipe "$2" > "$1/dev.der" &&
	openssl pkey -pubin -inform DER -in "$1/dev.der" -out "$1/dev.pub" 2>/dev/null &&
	pki_ca "$1" root &&
	pki_leaf "$1" srv root "DNS:server.test,IP:127.0.0.1" &&
	pki_leaf "$1" cli root "DNS:client.test" &&
	pki_leaf_for_pubkey "$1" dev root "$1/dev.pub" "DNS:device.test,IP:127.0.0.1"
}

pki_sign_csr() {
	dir=$1 name=$2 ca=$3 csr=$4 san=$5
	pki_ext "$san" > "$dir/$name.ext" &&
	openssl x509 -req -in "$csr" -CA "$dir/$ca.pem" -CAkey "$dir/$ca.key" \
		-CAcreateserial -extfile "$dir/$name.ext" -out "$dir/$name.pem" \
		-days 365 2>/dev/null
}

# pki_leaf_dates DIR NAME CA SAN START END: a leaf valid from START to END
# (YYYYMMDDHHMMSSZ), signed with openssl ca, for date tests.
pki_leaf_dates() {
	dir=$1 name=$2 ca=$3 san=$4 start=$5 end=$6
	mkdir -p "$dir/ca-$name" && : > "$dir/ca-$name/index.txt" &&
	printf '[ca]\ndefault_ca=c\n[c]\ndatabase=%s\nnew_certs_dir=%s\nserial=%s\ndefault_md=sha256\npolicy=p\ncopy_extensions=none\n[p]\ncommonName=supplied\n' \
		"$dir/ca-$name/index.txt" "$dir/ca-$name" "$dir/ca-$name/serial" > "$dir/ca-$name/ca.cnf" &&
	echo 01 > "$dir/ca-$name/serial" &&
	openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$name.key" 2>/dev/null &&
	openssl req -new -key "$dir/$name.key" -subj "/CN=$name" -out "$dir/$name.csr" 2>/dev/null &&
	pki_ext "$san" > "$dir/$name.ext" &&
	openssl ca -batch -config "$dir/ca-$name/ca.cnf" -cert "$dir/$ca.pem" \
		-keyfile "$dir/$ca.key" -in "$dir/$name.csr" -out "$dir/$name.pem" \
		-startdate "$start" -enddate "$end" -extfile "$dir/$name.ext" \
		-notext 2>/dev/null
}
