#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`, the TLS part, run by bench.sh inside the test VM with the
# simulator, driver and algif_kpp loaded and an iotsec key for chip 0
# slot 0 (its serial is $1).  A test root certifies that key (dev.pem)
# and a software-key server (srv.pem); then
#   1-2. build/bench/hsbench hs: our client's handshake against a libssl
#        peer, as a ratio to the chip floor (timing_pct 100) and as
#        software overhead (timing 0), its CPU time against a libssl
#        client's (cli.pem, a software key), where its time goes, chip vs
#        software ECDHE, resumption, 1/2/4/8 concurrent clients;
#   3.   bulk data (not under IOTSEC_ICOUNT=1: those rows are wall-clock), server to client over loopback, TLS_AES_128_GCM_SHA256:
#        our server and client over kTLS (write() and sendfile()) against
#        openssl s_server and s_client, in the same boot, interleaved.
# A benchmark: MISS is reported, not failed.  Exit status 1 when something
# could not be measured.
#
# env: BENCH_HS_N (handshakes at timing_pct 100 and at timing 0, default
# 16,32), BENCH_PROFILE (handshakes traced for the profile, default 5, 0
# none), BENCH_CONC_MS (each concurrency step, default 6000), BENCH_MB (bulk size, default 32), BENCH_RUNS (bulk runs of each
# kind, default 3), BENCH_VERBOSE=1.
set -u
top=${IOTSEC_TOP:?}
key=${1:?usage: tls.sh KEY}
bin=$top/build/bench/hsbench
. "$top/tests/kernel/lib/vmtest.sh"	# pki_*, wait_port
mb=${BENCH_MB:-32}
runs=${BENCH_RUNS:-3}
size=$((mb * 1048576))
suite=TLS_AES_128_GCM_SHA256
rc=0

d=$(mktemp -d /tmp/bench.XXXXXX)
trap 'rm -rf "$d"' EXIT

fail() { echo "bench: $*" >&2; exit 1; }

[ -x "$bin" ] || fail "$bin missing: make bench builds it"
# What udev would load on an x86 board for this CPU: without them the
# kernel's gcm(aes) (kTLS, AF_ALG) and sha256 are generic C while OpenSSL
# uses AES-NI and PCLMULQDQ, and the comparison would be unfair.
for m in aesni_intel ghash_clmulni_intel sha256_ssse3; do
	modprobe "$m" 2>/dev/null || echo "bench: modprobe $m failed" >&2
done
if ! { keyctl pipe "$key" > "$d/dev.der" &&
	openssl pkey -pubin -inform DER -in "$d/dev.der" -out "$d/dev.pub" 2>/dev/null &&
	pki_ca "$d" root &&
	pki_leaf "$d" srv root "DNS:server.test,IP:127.0.0.1" &&
	pki_leaf "$d" cli root "DNS:client.test" &&
	pki_leaf_for_pubkey "$d" dev root "$d/dev.pub" "DNS:device.test,IP:127.0.0.1"; }; then
	fail "test PKI"
fi

# The speed of this (emulated) CPU, to read absolute times by.
echo
openssl speed -seconds 1 ecdsap256 2>/dev/null | awk '/256 bits ecdsa/ {
	printf "this CPU: openssl speed ecdsap256: %s sign/s, %s verify/s\n", $(NF - 1), $NF }'

# --- 1, 2: handshakes ------------------------------------------------------
t0=$(date +%s)
echo
"$bin" hs -k "$key" -D "$d" -n "${BENCH_HS_N:-16,32}" -P "${BENCH_PROFILE:-5}" \
	-c "${BENCH_CONC_MS:-6000}" \
	${BENCH_VERBOSE:+-v} || rc=1
echo 0 > /sys/kernel/debug/iotsec_sim/chip0/timing
echo "(handshakes: $(( $(date +%s) - t0 )) s)"
if [ "${IOTSEC_ICOUNT:-0}" = 1 ]; then
	echo "(icount boot: no bulk data, its rows are wall-clock)"
	exit $rc
fi
t0=$(date +%s)

# --- 3: bulk data ----------------------------------------------------------
head -c "$size" /dev/urandom > "$d/data" || fail "no room for $mb MiB in /tmp"
port=4470

# One transfer of $d/data, server to client; prints the sink's line
# (bytes, seconds, MiB/s), nothing when it failed.  Every program has
# 120 s (32 MiB at 1 MiB/s is half that).
bulk() { # write|sendfile|openssl
	port=$((port + 1))
	case $1 in
	openssl)
		timeout 120 openssl s_server -accept "$port" -tls1_3 \
			-ciphersuites "$suite" -cert "$d/srv.pem" -key "$d/srv.key" \
			-naccept 1 -quiet < "$d/data" > /dev/null 2> "$d/server.err" &
		;;
	*)
		sf=
		[ "$1" = sendfile ] && sf=-s
		timeout 120 "$bin" serve -k "$key" -D "$d" -p "$port" -f "$d/data" \
			${sf:+"$sf"} 2> "$d/server.err" &
		;;
	esac
	spid=$!
	wait_port "$port" || { echo "bench: $1: no server on $port" >&2; return; }
	if [ "$1" = openssl ]; then
		timeout 120 openssl s_client -connect "127.0.0.1:$port" -tls1_3 \
			-ciphersuites "$suite" -CAfile "$d/root.pem" -quiet \
			< /dev/null 2> "$d/client.err" |
			"$bin" sink -b "$size"
	else
		timeout 120 "$bin" recv -k "$key" -D "$d" -p "$port" \
			2> "$d/client.err" | "$bin" sink -b "$size"
	fi
	wait "$spid" 2>/dev/null
	[ -s "$d/server.err" ] && [ "$1" != openssl ] &&
		sed "s/^/bench: $1 server: /" "$d/server.err" >&2
	return 0
}

: > "$d/bulk"
for run in $(seq "$runs"); do
	for kind in write sendfile openssl; do
		line=$(bulk "$kind")
		[ -n "$line" ] || grep -v '^verify\|^depth\|servername' \
			"$d/client.err" | sed "s/^/bench: $kind client: /" >&2
		echo "$kind ${line:-fail}" >> "$d/bulk"
		[ -n "${BENCH_VERBOSE:-}" ] && echo "bench: run $run $kind: ${line:-fail}" >&2
	done
done

echo
echo "bulk data: $mb MiB server -> client over loopback, $suite, $runs runs of"
echo "each kind interleaved in this boot; MiB/s from the sink's first to last"
echo "byte (handshake not included).  Both ends alike, same file, same sink"
echo "(a pipe into hsbench sink), application buffers 16 KiB:"
echo "  kTLS write()     our server read()s the file, write()s the kTLS socket;"
echo "                   our client read()s the kTLS socket, write()s the pipe"
echo "  kTLS sendfile()  the same, the server sendfile()s the file to the socket"
echo "  openssl          openssl s_server -naccept 1 < file (16 KiB SSL_write)"
echo "                   to openssl s_client -quiet > pipe (userspace TLS both ends)"
gcm=$(awk '/^name/ { n = $3 } /^driver/ { dr = $3 } /^priority/ { p = $3 }
	/^$/ { if (n == "gcm(aes)" && p > best) { best = p; use = dr } }
	END { print use }' /proc/crypto)
flags=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' |
	grep -E '^(aes|pclmulqdq|avx|avx2|vaes|vpclmulqdq)$' | tr '\n' ' ')
echo "kernel gcm(aes) for kTLS: ${gcm:-unknown}; CPU flags (emulated): $flags"
awk -v runs="$runs" '
	function med(k,   n, i, j, t, v) {
		n = 0
		for (i = 1; i <= cnt[k]; i++)
			v[++n] = val[k, i]
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
		return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
	}
	{
		if ($2 == "fail") { bad[$1]++; next }
		val[$1, ++cnt[$1]] = $4
		run[$1, cnt[$1]] = $4
		all[$1] = all[$1] sprintf(" %.1f", $4)
	}
	END {
		printf "%-16s %10s   %s\n", "", "MiB/s", "runs"
		split("write sendfile openssl", ks, " ")
		for (i = 1; i <= 3; i++) {
			k = ks[i]
			if (cnt[k] < runs) { missing = 1 }
			m[k] = cnt[k] ? med(k) : 0
			printf "%-16s %10.1f  %s%s\n", (k == "openssl" ? "openssl" : "kTLS " k "()"),
				m[k], all[k], bad[k] ? sprintf(" (%d failed)", bad[k]) : ""
		}
		if (m["openssl"] > 0) {
			r1 = m["write"] / m["openssl"]
			r2 = m["sendfile"] / m["openssl"]
			# the spread: each run against the openssl run beside it
			for (k = 1; k <= 2; k++) {
				kind = k == 1 ? "write" : "sendfile"
				lo = 1e9; hi = 0
				for (i = 1; i <= runs; i++) {
					if (run[kind, i] == "" || run["openssl", i] == "")
						continue
					r = run[kind, i] / run["openssl", i]
					if (r < lo) lo = r
					if (r > hi) hi = r
				}
				printf "ROW bulk_%s %.4f %.4f %.4f\n", kind,
					(k == 1 ? r1 : r2), lo, hi
			}
			printf "ratio kTLS write()/openssl     %6.2f  target >= 1.0  %s\n",
				r1, (r1 >= 1.0 ? "PASS" : "MISS")
			printf "ratio kTLS sendfile()/openssl  %6.2f  target >= 1.3  %s\n",
				r2, (r2 >= 1.3 ? "PASS" : "MISS")
		}
		exit missing || !m["openssl"] || !m["write"] || !m["sendfile"]
	}' "$d/bulk" || rc=1
echo "(bulk data: $(( $(date +%s) - t0 )) s)"
[ $rc -eq 0 ] || echo "bench: some TLS figures could not be measured" >&2
exit $rc
