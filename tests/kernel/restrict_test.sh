#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# An unprivileged user with a granted chip key (keyauth_test's recipe)
# makes mutual TLS 1.3 with openssl s_server -Verify 1, on any kernel;
# the tool says which backend ran the handshake's crypto (libcrypto,
# AUTO's, whatever 7.3's crypto.af_alg_restrict allows), and nothing else
# (libkcapi prints nothing on the way).  With af_alg_restrict=2 (AF_ALG
# off): no ECDHE, the error says so, and our server tells the client
# with internal_error.  TAP output; runs in the VM (tests/vm), root.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# so that the keys we add are ours to use

d=$(mktemp -d /tmp/restrict.XXXXXX)
chmod 1777 "$d"
sysctl=/proc/sys/crypto/af_alg_restrict
level0=$(cat "$sysctl" 2> /dev/null || echo none)
cleanup() {
	[ "$level0" = none ] || echo "$level0" > "$sysctl"
	modules_down
	rm -rf "$d"
}
trap cleanup EXIT

# sh -c "$2" as uid $1 (no groups) in a session keyring of its own, in $d.
as_uid() {
	(cd "$d" && setpriv --reuid="$1" --regid="$1" --clear-groups \
		keyctl session - sh -c "$2")
}

if ! command -v setpriv > /dev/null; then
	echo "1..0 # SKIP setpriv (util-linux) not installed"
	exit 0
fi
modules_up "chips=1 provisioned=1" 1 algif_kpp
modprobe tls 2> /dev/null	# the ULP loads for CAP_NET_ADMIN only
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
pki_chip_set "$d" "$key"
chmod 644 "$d"/*.pem
keyctl chown "$key" 1000
keyctl setperm "$key" 0x3f1b0000	# possessor all; user view read search link
check "set-up: the chip key granted to uid 1000, level $level0" \
	test -s "$d/dev.pem"
echo "# $(uname -r), crypto.af_alg_restrict: $level0"

# uid 1000's iotsec connect to s_server; its streams in $d/c.{out,err}.
# The stdin scripts run here (wait_for bounds every wait), not as uid 1000.
connect_1000() { # stdin-script
	{ eval "$1"; } | as_uid 1000 "keyctl link $key @s > /dev/null &&
		timeout 120 $tool connect 127.0.0.1:4433 --ca root.pem \
		--cert dev.pem --key $key --name server.test" \
		> "$d/c.out" 2> "$d/c.err"
}
s_server() { # stdin-script
	{ eval "$1"; } | openssl s_server -accept 4433 -tls1_3 -Verify 1 \
		-CAfile "$d/root.pem" -cert "$d/srv.pem" -key "$d/srv.key" \
		-groups P-256 -naccept 1 -quiet > "$d/s.out" 2> "$d/s.err" &
}

# --- the level the kernel starts with (7.3: 1) -----------------------------
rm -f "$d"/*.out "$d"/*.err
s_server 'echo from-server; sleep 1; wait_for "$d/s.out" from-1000'
srv=$!
wait_port 4433
connect_1000 'echo from-1000; wait_for "$d/c.out" from-server'
rc=$?
sleep 1
kill "$srv" 2> /dev/null	# gone already, unless the client never connected
wait
if [ $rc -eq 0 ] && grep -q from-server "$d/c.out" && grep -q from-1000 "$d/s.out"; then
	ok "uid 1000, granted key: mutual TLS 1.3 with openssl s_server -Verify 1, data both ways"
else
	nok "uid 1000, granted key: mutual TLS 1.3 with openssl s_server -Verify 1 (rc $rc)"
	diag "$d/c.err" "$d/s.err"
fi
be=$(sed -n 's/^iotsec: handshake crypto: //p' "$d/c.err")
want="user (libcrypto)"	# AUTO, the tool's: libcrypto on every kernel
check "handshake crypto ran in: $be (want $want)" [ "$be" = "$want" ]
# Only the two lines of a session that worked: nothing from libkcapi.
extra=$(grep -v -e '^iotsec: TLS 1.3 ' -e '^iotsec: handshake crypto: ' \
	-e '^Joined session keyring: ' "$d/c.err" | wc -l)
check "nothing else on stderr ($extra other lines, none from libkcapi)" [ "$extra" -eq 0 ]
diag "$d/c.err"

# --- af_alg_restrict=2: AF_ALG off ------------------------------------------
if [ "$level0" = none ]; then
	echo "1..$n"
	[ "$fails" -eq 0 ]
	exit
fi
echo 2 > "$sysctl"
rm -f "$d"/*.out "$d"/*.err
s_server "sleep 5"
srv=$!
wait_port 4433
connect_1000 "echo from-1000"
rc=$?
kill "$srv" 2> /dev/null	# the client may fail before it connects
wait
if [ $rc -eq 1 ] && grep -q 'handshake failed: AF_ALG is off in this kernel: no ECDHE key (algif_kpp), no handshake' "$d/c.err" &&
   [ "$(grep -vc '^Joined session keyring: ' "$d/c.err")" -eq 1 ]; then
	ok "af_alg_restrict=2, client: one line, 'AF_ALG is off in this kernel: no ECDHE key'"
else
	nok "af_alg_restrict=2, client: one line, 'AF_ALG is off in this kernel: no ECDHE key' (rc $rc)"
	diag "$d/c.err"
fi

# Our server has read the ClientHello: the client hears internal_error.
rm -f "$d"/*.out "$d"/*.err
as_uid 1000 "keyctl link $key @s > /dev/null &&
	timeout 60 $tool serve 4434 --once --ca root.pem --cert dev.pem --key $key" \
	< /dev/null > "$d/v.out" 2> "$d/v.err" &
wait_port 4434
echo hi | timeout 60 openssl s_client -connect 127.0.0.1:4434 -tls1_3 \
	-cert "$d/cli.pem" -key "$d/cli.key" -CAfile "$d/root.pem" \
	-groups P-256 > "$d/o.out" 2> "$d/o.err"
wait
if grep -q 'AF_ALG is off in this kernel' "$d/v.err" &&
   grep -q 'alert internal error' "$d/o.err"; then
	ok "af_alg_restrict=2, server: the error said, internal_error to the client"
else
	nok "af_alg_restrict=2, server: the error said, internal_error to the client"
	diag "$d/v.err" "$d/o.err"
fi
echo "$level0" > "$sysctl"

echo "1..$n"
[ "$fails" -eq 0 ]
