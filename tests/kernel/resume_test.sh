#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# PSK resumption (RFC 8446 2.2, 4.6.1) with peers no one here wrote, the
# identity key in the simulated chip:
#   - openssl s_client -sess_out, then -sess_in, into `iotsec serve`:
#     "Reused, TLSv1.3", and our server made no chip Sign for it;
#   - `iotsec connect --sess-out`, then --sess-in, to openssl s_server:
#     the tool says "session resumed", 2 key operations, no chip Sign,
#     and (default ECDHE: the kernel's software kpp) no chip command at all;
#   - gnutls-cli --resume into `iotsec serve`; `iotsec connect` resuming
#     with gnutls-serv;
#   - a ticket of another `iotsec serve` (another ticket key) is a full
#     handshake (its one Sign counted: the counter works);
#   - `iotsec serve --no-tickets` sends none (s_client saves no session).
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"	# so that the keys we add are ours to use

scratch resume

signs() { sim_count 0 sign; }
# the commands of a handshake's key operations (Random is the hwrng's)
chipops() { echo $(( $(sim_count 0 nonce) + $(sim_count 0 genkey) + $(sim_count 0 sign) + $(sim_count 0 ecdh) )); }
fresh() { rm -f "$d"/*.out "$d"/*.err "$d/end"; }
done_row() { echo end > "$d/end"; }
show() {
	for f in "$d"/*.out "$d"/*.err; do
		[ -e "$f" ] || continue
		echo "# -- $(basename "$f")"
		tail -n 12 "$f" | sed 's/^/# /'
	done
}
# Ends the background server of a row: its pid is $spid.
stop_server() {
	done_row
	kill "$spid" 2> /dev/null
	wait "$spid" 2> /dev/null
	bg=""
}

modules_up "chips=1 provisioned=1" 1 algif_kpp
modprobe tls 2> /dev/null
key=$(keyctl add iotsec device "chip=0 slot=0" @s)
pki_chip_set "$d" "$key"
check "set-up: chip key, device certificate for the chip's public key" \
	test -s "$d/dev.pem"

prio="NORMAL:-VERS-ALL:+VERS-TLS1.3:-GROUP-ALL:+GROUP-SECP256R1"

# The tool's line for a full handshake: no "(session resumed)" in it.
full_by_tool() { # err-file
	grep -q "TLS 1.3 .*(3 key operations" "$1" && ! grep -q "session resumed" "$1"
}

# iotsec serve on 4434 as the device, for as many connections as come;
# its standard input stays open (and silent) until the row ends.
our_server() { # [args...]
	wait_for "$d/end" end 300 | timeout 300 "$tool" serve 4434 \
		--ca "$d/root.pem" --cert "$d/dev.pem" --key "$key" "$@" \
		> "$d/v.out" 2> "$d/v.err" &
	spid=$!
	bg=$spid
	wait_port 4434
}

# openssl s_client into it: sends LINE, holds its input until our server
# has the line (and a ticket has had time to come), then ends.
s_client() { # line out-name [args...]
	_l=$1 _o=$2
	shift 2
	{ echo "$_l"; wait_for "$d/v.out" "$_l" 30; sleep 1; } |
		timeout 60 openssl s_client -connect 127.0.0.1:4434 -tls1_3 \
			-cert "$d/cli.pem" -key "$d/cli.key" -CAfile "$d/root.pem" \
			-groups P-256 "$@" > "$d/$_o.out" 2> "$d/$_o.err"
}

# --- openssl s_client -sess_out / -sess_in into iotsec serve -------------
fresh
our_server
s_client c-one o1 -sess_out "$d/o.sess"
s0=$(signs)
s_client c-two o2 -sess_in "$d/o.sess"
s1=$(signs)
stop_server
if grep -q "New, TLSv1.3" "$d/o1.out" && test -s "$d/o.sess"; then
	ok "s_client -sess_out: full handshake with iotsec serve, a ticket saved"
else
	nok "s_client -sess_out: full handshake with iotsec serve, a ticket saved"
	show
fi
if grep -q "Reused, TLSv1.3" "$d/o2.out" && grep -q c-two "$d/v.out" &&
   grep -q "session resumed" "$d/v.err"; then
	ok "s_client -sess_in: Reused, TLSv1.3 with iotsec serve, data carried"
else
	nok "s_client -sess_in: Reused, TLSv1.3 with iotsec serve, data carried"
	show
fi
check "iotsec serve made no chip Sign for the resumed handshake ($s0 -> $s1)" \
	test "$s1" -eq "$s0"

# --- another iotsec serve: its ticket key is not the one that sealed ----
fresh
our_server
s0=$(signs)
s_client c-three o3 -sess_in "$d/o.sess"
s1=$(signs)
stop_server
if grep -q "New, TLSv1.3" "$d/o3.out" && grep -q c-three "$d/v.out" &&
   full_by_tool "$d/v.err" && [ "$s1" -eq $((s0 + 1)) ]; then
	ok "a ticket of another iotsec serve: full handshake, one chip Sign"
else
	nok "a ticket of another iotsec serve: full handshake, one chip Sign ($s0 -> $s1)"
	show
fi

# --- iotsec serve --no-tickets: no ticket goes out ----------------------
fresh
rm -f "$d/o4.sess"
our_server --no-tickets
s_client c-four o4 -sess_out "$d/o4.sess"
stop_server
if grep -q "New, TLSv1.3" "$d/o4.out" && grep -q c-four "$d/v.out" &&
   ! test -s "$d/o4.sess"; then
	ok "serve --no-tickets: a full handshake and no ticket (s_client saves no session)"
else
	nok "serve --no-tickets: a full handshake and no ticket (s_client saves no session)"
	show
fi

# --- iotsec connect --sess-out / --sess-in to openssl s_server ----------
# Our client sends LINE, and ends once s_server has it (close_notify).
connect_row() { # port line name out-name [args...]
	_p=$1 _l=$2 _n=$3 _o=$4
	shift 4
	{ echo "$_l"; wait_for "$d/s.out" "$_l" 30; sleep 1; } |
		dev_connect 60 "$_p" "$_n" "$@" > "$d/$_o.out" 2> "$d/$_o.err"
}
resumed_by_tool() { # err-file
	grep -q "TLS 1.3 .*(session resumed).*(2 key operations" "$1"
}

fresh
wait_for "$d/end" end 120 |
	timeout 120 openssl s_server -accept 4433 -tls1_3 -Verify 1 \
		-CAfile "$d/root.pem" -cert "$d/srv.pem" -key "$d/srv.key" \
		-groups P-256 -naccept 2 > "$d/s.out" 2> "$d/s.err" &
spid=$!
bg=$spid
wait_port 4433
s0=$(signs)
connect_row 4433 c-five server.test c1 --sess-out "$d/c.sess"
s1=$(signs)
o1=$(chipops)
connect_row 4433 c-5b server.test c2 --sess-in "$d/c.sess"
s2=$(signs)
o2=$(chipops)
stop_server
if full_by_tool "$d/c1.err" && grep -q "ticket saved" "$d/c1.err" &&
   [ "$s1" -eq $((s0 + 1)) ]; then
	ok "iotsec connect --sess-out: full handshake with s_server (one chip Sign), ticket saved"
else
	nok "iotsec connect --sess-out: full handshake with s_server (one chip Sign), ticket saved ($s0 -> $s1)"
	show
fi
if resumed_by_tool "$d/c2.err" && grep -q c-5b "$d/s.out"; then
	ok "iotsec connect --sess-in: resumed with s_server, 2 key operations, data carried"
else
	nok "iotsec connect --sess-in: resumed with s_server, 2 key operations, data carried"
	show
fi
check "iotsec connect made no chip Sign for the resumed handshake ($s1 -> $s2)" \
	test "$s2" -eq "$s1"
# the default ECDHE is the kernel's software kpp: no GenKey or ECDH either
check "iotsec connect's resumed handshake used the chip not at all (Nonce, GenKey, Sign, ECDH: $o1 -> $o2)" \
	test "$o2" -eq "$o1"

# --- gnutls-cli --resume into iotsec serve -------------------------------
fresh
our_server
s0=$(signs)
# shellcheck disable=SC2094	# gnutls-cli writes what ends its input
wait_for "$d/g.out" "resumed session" 60 |
	timeout 90 gnutls-cli --x509cafile "$d/root.pem" --verify-hostname device.test \
		--x509certfile "$d/cli.pem" --x509keyfile "$d/cli.key" \
		--priority "$prio" --resume --waitresumption -p 4434 127.0.0.1 \
		> "$d/g.out" 2>&1
s1=$(signs)
stop_server
if grep -q "This is a resumed session" "$d/g.out" &&
   grep -q "session resumed" "$d/v.err" && [ "$s1" -eq $((s0 + 1)) ]; then
	ok "gnutls-cli --resume: resumed with iotsec serve (one chip Sign for both handshakes)"
else
	nok "gnutls-cli --resume: resumed with iotsec serve ($s0 -> $s1 chip Signs)"
	show
fi

# --- iotsec connect resuming with gnutls-serv ----------------------------
fresh
wait_for "$d/end" end 120 |
	timeout 120 gnutls-serv -p 4435 --echo --x509cafile "$d/root.pem" \
		--x509certfile "$d/srv.pem" --x509keyfile "$d/srv.key" \
		--require-client-cert --verify-client-cert --priority "$prio" \
		> "$d/s.out" 2> "$d/s.err" &
spid=$!
bg=$spid
wait_port 4435
# gnutls-serv echoes: the line comes back to our client's output.
gconnect() { # line out-name [args...]
	_l=$1 _o=$2
	shift 2
	{ echo "$_l"; wait_for "$d/$_o.out" "$_l" 30; sleep 1; } |
		dev_connect 60 4435 server.test "$@" > "$d/$_o.out" 2> "$d/$_o.err"
}
gconnect c-six n1 --sess-out "$d/n.sess"
s0=$(signs)
gconnect c-seven n2 --sess-in "$d/n.sess"
s1=$(signs)
stop_server
if grep -q "ticket saved" "$d/n1.err" && resumed_by_tool "$d/n2.err" &&
   grep -q c-seven "$d/n2.out" && [ "$s1" -eq "$s0" ]; then
	ok "iotsec connect --sess-in: resumed with gnutls-serv, data echoed, no chip Sign"
else
	nok "iotsec connect --sess-in: resumed with gnutls-serv, data echoed, no chip Sign ($s0 -> $s1)"
	show
fi

echo "1..$n"
[ "$fails" -eq 0 ]
