#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The chains of reliab_certs_test (issue 17), made with openssl:
#   badcerts_make DIR   every good and bad chain under DIR/root (DIR/root.pem
#                       and .key must be there), as DIR/NAME.leaf (the
#                       chain's first certificate), NAME.extra (the others)
#                       and NAME.key; then DIR/done
# The host makes them once per build (make tests: build/reliab/certs, by
# tests/kernel/lib/mkcerts.sh): about forty openssl runs, two minutes in
# the TCG guest and a second here.  The test makes them itself when the
# folder is not there.
badcerts_make() { # dir
	d=$1
	pki_ca "$d" other
	# one openssl run each
	# issue NAME ISSUER EXT [KEY]: a certificate for NAME from ISSUER (a name
	# in $d, or "self") with the extension lines EXT (printf format).  KEY:
	# "new" (a P-256 key of its own: every CA, so that no two share a key
	# identifier), "p384", "rsa", or by default the one key all leaves share.
	openssl ecparam -name prime256v1 -genkey -noout -out "$d/lk.key" 2>/dev/null
	issue() {
		name=$1 iss=$2 ext=$3 kt=${4:-shared}
		printf "[req]\ndistinguished_name=dn\nx509_extensions=ext\n[dn]\n[ext]\n$ext" > "$d/$name.cnf"
		case $kt in
		shared) cp "$d/lk.key" "$d/$name.key"; set -- -key "$d/$name.key" ;;
		new) set -- -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$d/$name.key" ;;
		p384) set -- -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$d/$name.key" ;;
		rsa) set -- -newkey rsa:2048 -nodes -keyout "$d/$name.key" ;;
		esac
		[ "$iss" = self ] || set -- "$@" -CA "$d/$iss.pem" -CAkey "$d/$iss.key"
		openssl req -new -x509 -config "$d/$name.cnf" -subj "/CN=$name" -days 365 \
			"$@" -out "$d/$name.pem" 2>/dev/null
	}
	LEAF='basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:peer.test,IP:127.0.0.1\n'
	CA='basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
	cat_pems() { # out in...
		_o=$1
		shift
		for _c in "$@"; do cat "$d/$_c.pem"; done > "$d/$_o.chain"
	}

	issue good root "$LEAF"
	issue int root "$CA" new
	issue good_i int "$LEAF"
	issue other_leaf other "$LEAF"
	pki_leaf_dates "$d" expired root "DNS:peer.test,IP:127.0.0.1" 20200101000000Z 20210101000000Z
	pki_leaf_dates "$d" future root "DNS:peer.test,IP:127.0.0.1" 20990101000000Z 20991231000000Z
	issue int_noca root 'keyUsage=critical,keyCertSign,cRLSign\n' new
	issue leaf_noca int_noca "$LEAF"
	issue int_nobc root 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,keyCertSign\n' new
	issue leaf_nobc int_nobc "$LEAF"
	issue int_noks root 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,cRLSign\n' new
	issue leaf_noks int_noks "$LEAF"
	issue int_pl0 root 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign\n' new
	issue int_pl0b int_pl0 "$CA" new
	issue leaf_pl int_pl0b "$LEAF"
	issue leaf_ca root 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,digitalSignature,keyCertSign\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:peer.test,IP:127.0.0.1\n'
	issue srvonly root 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:peer.test,IP:127.0.0.1\n'
	issue clionly root 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=DNS:peer.test,IP:127.0.0.1\n'
	issue crit root "${LEAF}1.3.6.1.4.1.55555.1=critical,DER:05:00\n"
	issue wrongname root 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:elsewhere.test\n'
	issue wrongip root 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=IP:127.0.0.2\n'
	issue p384 root "$LEAF" p384
	issue rsa root "$LEAF" rsa
	issue selfleaf self "$LEAF"
	# A chain of 9 (the limit is 8: CERT_CHAIN_MAX): 8 intermediates.
	prev=root
	for i in 1 2 3 4 5 6 7 8; do
		issue "lc$i" "$prev" "$CA" new
		prev=lc$i
	done
	issue long "$prev" "$LEAF"
	cat_pems long long lc8 lc7 lc6 lc5 lc4 lc3 lc2 lc1
	# Two intermediates, root -> ia -> ib -> leaf, sent out of order.
	issue ia root "$CA" new
	issue ib ia "$CA" new
	issue leaf_ab ib "$LEAF"
	cat_pems ooo leaf_ab ia ib
	cat_pems dup good_i int int
	# A bad signature: the last byte of the DER (inside the signature) flipped.
	openssl x509 -in "$d/good.pem" -outform DER -out "$d/badsig.der"
	sz=$(stat -c %s "$d/badsig.der")
	last=$(od -An -tu1 -j $((sz - 1)) -N 1 "$d/badsig.der" | tr -d ' ')
	head -c $((sz - 1)) "$d/badsig.der" > "$d/badsig.tmp"
	printf "\\$(printf '%03o' $((last ^ 1)))" >> "$d/badsig.tmp"
	openssl x509 -inform DER -in "$d/badsig.tmp" -out "$d/badsig.pem" 2>/dev/null
	cp "$d/good.key" "$d/badsig.key"
	for c in good good_i other_leaf expired future leaf_noca leaf_nobc leaf_noks leaf_pl \
		 leaf_ca srvonly clionly crit wrongname wrongip p384 rsa selfleaf badsig; do
		[ -f "$d/$c.chain" ] || cp "$d/$c.pem" "$d/$c.chain"
	done
	cat_pems good_i good_i int
	cat_pems leaf_noca leaf_noca int_noca
	cat_pems leaf_nobc leaf_nobc int_nobc
	cat_pems leaf_noks leaf_noks int_noks
	cat_pems leaf_pl leaf_pl int_pl0b int_pl0
	cp "$d/leaf_ab.key" "$d/ooo.key"
	cp "$d/good_i.key" "$d/dup.key"
	# NAME.leaf: the chain's first certificate; NAME.extra: the others.
	for c in "$d"/*.chain; do
		b=${c%.chain}
		awk -v l="$b.leaf" -v x="$b.extra" '/BEGIN CERT/ { k++ } { print > (k == 1 ? l : x) }' "$c"
		[ -f "$b.extra" ] || : > "$b.extra"
	done
	test -s "$d/badsig.pem" -a -s "$d/long.chain" -a -s "$d/ooo.chain" -a \
		-s "$d/leaf_pl.chain" -a -s "$d/p384.pem" -a -s "$d/rsa.pem" &&
		: > "$d/done"
}
