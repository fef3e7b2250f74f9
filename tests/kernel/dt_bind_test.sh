#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The driver bound from the device tree, on a kernel with CONFIG_OF (the
# arm64 VM, tests/vm/arm64/run.sh): the board's "iotsec,i2c-sim"
# controller, enabled by dts/iotsec-generic.dtso with an ATECC608B at 0x60
# under it, gives the simulator's adapter its node; the I2C core makes the
# client from the child node (no new_device write, no client made by the
# simulator), its modalias is the OF one and resolves to iotsec through
# the driver's of_match_table aliases, the driver binds, and a mutual TLS
# 1.3 session with openssl s_server completes with the chip's key.  The
# kernel log stays clean.  Skips where the tree has no such node (amd64).
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"

node=/proc/device-tree/i2c-sim
if [ ! -d "$node" ]; then
	echo "ok 1 - driver bound from the device tree # SKIP no iotsec,i2c-sim node (the arm64 VM has one)"
	echo "1..1"
	exit 0
fi

d=$(mktemp -d /tmp/dtbind.XXXXXX)
cleanup() {
	pkill -f "openssl s_server" 2>/dev/null
	modules_down
	rm -rf "$d"
}
trap cleanup EXIT
dmesg -c > /dev/null

dtstr() { tr -d '\0' < "$1" 2>/dev/null; }

# --- the tree the VM booted with -----------------------------------------
check "device tree: i2c-sim is iotsec,i2c-sim, enabled by the overlay" \
	test "$(dtstr $node/compatible)" = iotsec,i2c-sim -a \
	     "$(dtstr $node/status)" = okay
check "device tree: atecc608b@60 under it, microchip,atecc608b at reg 0x60" \
	test "$(dtstr $node/atecc608b@60/compatible)" = microchip,atecc608b -a \
	     "$(od -An -tx1 $node/atecc608b@60/reg | tr -d ' \n')" = 00000060
pdev=$(grep -l '^OF_FULLNAME=/i2c-sim$' /sys/bus/platform/devices/*/uevent 2>/dev/null |
	head -n 1)
pdev=${pdev%/uevent}
check "a platform device for the node" test -n "$pdev"

# --- the simulator takes the node; the core makes the client ---------------
modules_down
insmod "$ko/iotsec_sim/iotsec_sim.ko" provisioned=1 ||
	{ nok "insmod iotsec_sim"; echo "1..$n"; exit 1; }
adap=$(ls -d "$pdev"/i2c-* 2>/dev/null | head -n 1)
check "the simulator's adapter sits under the platform device" \
	test -n "$adap" -a "$(cat "$adap/name" 2>/dev/null)" = iotsec-sim
bus=${adap##*/i2c-}
client=/sys/bus/i2c/devices/$bus-0060
check "the adapter carries the node (of_node -> /i2c-sim)" \
	test "$(dtstr "$adap/of_node/name")" = i2c-sim
check "client $bus-0060 made from the child node" \
	test "$(dtstr "$client/of_node/compatible")" = microchip,atecc608b
nclients=$(ls -d /sys/bus/i2c/devices/"$bus"-* 2>/dev/null | wc -l)
check "no other client on the adapter (none from the simulator: $nclients)" \
	test "$nclients" -eq 1
alias=$(cat "$client/modalias" 2>/dev/null)
echo "# modalias: $alias"
case $alias in
of:N*Cmicrochip,atecc608b*) ok "modalias is the device tree's (of:...Cmicrochip,atecc608b)" ;;
*) nok "modalias is the device tree's (got '$alias')" ;;
esac
check "unbound before the driver loads" test ! -e "$client/driver"

# modprobe resolves that alias to iotsec from the driver's OF table only
# (MODULE_DEVICE_TABLE(of)); i2c ids would give i2c:atecc608b.
rel=$(uname -r)
mkdir -p "$d/m/lib/modules/$rel/extra"
cp "$ko/iotsec/iotsec.ko" "$d/m/lib/modules/$rel/extra/"
depmod -b "$d/m" "$rel" 2> /dev/null
got=$(modprobe -d "$d/m" -R "$alias" 2>&1)
check "modprobe resolves the modalias to iotsec (got '$got')" test "$got" = iotsec
grep -q "alias of:N\*T\*Cmicrochip,atecc608b" "$d/m/lib/modules/$rel/modules.alias"
check "modules.alias has iotsec's of:N*T*Cmicrochip,atecc608b" test $? -eq 0

# --- the driver binds from the tree ----------------------------------------
insmod "$ko/iotsec/iotsec.ko" && insmod "$ko/algif_kpp/algif_kpp.ko"
check "insmod iotsec, algif_kpp" test $? -eq 0
i=0
while [ ! -e "$client/driver" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
check "driver iotsec bound to $bus-0060" \
	test "$(basename "$(readlink "$client/driver" 2>/dev/null)")" = iotsec
dmesg | grep -q "$bus-0060: ATECC608B revision 00006003"
check "probe talked to the chip over the tree's adapter (ATECC608B, revision 6003)" \
	test $? -eq 0
info=$(timeout 60 "$tool" info --json 2>&1)
echo "$info" | jq -e --arg dev "$bus-0060" \
	'length == 1 and .[0].device == $dev and .[0].config_locked' > /dev/null 2>&1
rc=$?
[ $rc -eq 0 ] || echo "# iotsec info: $info"
check "iotsec info: one chip, $bus-0060, provisioned" test $rc -eq 0

# --- mutual TLS 1.3 with the chip's key ---------------------------------------
key=$(keyctl add iotsec device "chip=0 slot=0" @s 2>&1)
check "chip key in the keyring ($key)" test -n "$key" -a "$key" -gt 0 2>/dev/null
keyctl pipe "$key" > "$d/dev.der" 2>/dev/null
openssl pkey -pubin -inform DER -in "$d/dev.der" -out "$d/dev.pub" 2>/dev/null
pki_ca "$d" root
pki_leaf "$d" srv root "DNS:server.test,IP:127.0.0.1"
pki_leaf_for_pubkey "$d" dev root "$d/dev.pub" "DNS:device.test"
check "test PKI, device certificate for the chip's public key" test -s "$d/dev.pem"
echo "from the server" > "$d/s.in"
{ cat "$d/s.in"; sleep 30; } |
	timeout 120 openssl s_server -accept 4433 -tls1_3 -Verify 1 \
		-CAfile "$d/root.pem" -cert "$d/srv.pem" -key "$d/srv.key" \
		-groups P-256 -naccept 1 > "$d/s.out" 2> "$d/s.err" &
wait_port 4433
echo "from the board" | timeout 120 "$tool" connect 127.0.0.1:4433 \
	--ca "$d/root.pem" --cert "$d/dev.pem" --key "$key" --name server.test \
	> "$d/c.out" 2> "$d/c.err"
rc=$?
pkill -f "openssl s_server" 2>/dev/null
wait
if [ $rc -eq 0 ] && grep -q "from the server" "$d/c.out" &&
   grep -q "from the board" "$d/s.out" && grep -q "depth=0 CN *= *dev" "$d/s.err"; then
	ok "mutual TLS 1.3 with openssl s_server -Verify, chip key, data both ways"
else
	nok "mutual TLS 1.3 with openssl s_server -Verify (rc $rc)"
	diag "$d/c.err" "$d/s.err" "$d/s.out"
fi
grep -q "kernel TLS" "$d/c.err"
check "the record layer went to kernel TLS" test $? -eq 0

# --- reload: the node's client comes back -----------------------------------
modules_down
modules_up "provisioned=1" 1
adap=$(ls -d "$pdev"/i2c-* 2>/dev/null | head -n 1)
client=/sys/bus/i2c/devices/${adap##*/i2c-}-0060
check "after reload, ${client##*/} from the tree again, bound" \
	test "$(basename "$(readlink "$client/driver" 2>/dev/null)")" = iotsec

pat='BUG:|WARNING:|Oops|Call Trace|refcount_t|iotsec.*(error|fail)'
bad=$(dmesg | grep -v 'module verification failed' | grep -E "$pat")
[ -z "$bad" ] || echo "$bad" | sed 's/^/# kernel: /'
check "kernel log clean during the test" test -z "$bad"

echo "1..$n"
[ "$fails" -eq 0 ]
