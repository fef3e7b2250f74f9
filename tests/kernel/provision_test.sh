#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# `iotsec provision` and the driver's provisioning attributes on two
# factory-fresh simulated chips: every refusal (lint, no --yes, no
# CAP_SYS_ADMIN, not fresh, the kernel's own checks) leaves the EEPROM
# write counter as it was; a full run locks the zones and makes the keys;
# the new identity key then serves a mutual TLS session with openssl; a run
# stopped after the config lock resumes.
# TAP output; runs in the VM (tests/vm), root, modules in IOTSEC_KO_DIR.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
own_session "$@"

scratch prov	# $d; at exit $bg ended, the modules down, $d removed

dbg=$sim_dir
drv=$drv_dir
writes() { sim_count "$1" eeprom_writes; }
count() { sim_count "$1" "$2"; }

modules_up "chips=2 provisioned=0" 2 algif_kpp
dev0=$(basename $drv/*-0060)
dev1=$(basename $drv/*-0061)
sys0=$drv/$dev0
sys1=$drv/$dev1
sn0=$(cat "$sys0/serial_number")
prov() { "$tool" provision "$@" > "$d/out" 2> "$d/err"; }
put() { printf '%s\n' "$2" | tee "$1" > /dev/null; }	# errors: strerror

"$tool" info --json > "$d/info.json"
check "info --json: two chips, both unlocked, 16 slots each" \
	test "$(jq -c '[length, ([.[] | .config_locked, .data_locked] | any),
			 ([.[] | .slots | length] | unique)]' "$d/info.json")" = '[2,false,[16]]'

# --- refusals: nothing is written -------------------------------------------
w0=$(writes 0)
prov --yes
rc=$?
check "two chips and no --chip: refused (rc $rc), names --chip" \
	sh -c "[ $rc -ne 0 ] && grep -q -- '--chip' '$d/err'"
prov --chip "$sn0" --dry-run
rc=$?
check "--dry-run by serial: rc 0, shows what is locked for ever" \
	sh -c "[ $rc -eq 0 ] && grep -q 'Locked for ever' '$d/out' && grep -q 'nothing written' '$d/out'"
grep -q "slot 0" "$d/out" || diag "$d/out" "$d/err"
prov --chip "$dev0"
rc=$?
check "without --yes: refused (rc $rc), asks for --yes" \
	sh -c "[ $rc -ne 0 ] && grep -q -- '--yes' '$d/err'"
prov --chip "$dev0" --profile nosuch
check "unknown built-in profile: usage error (rc $?)" test $? -eq 2

profile() { # file, lines... (slots 0-15 as in "default", then the lines)
	f=$d/$1
	shift
	{
		echo "slot 0 0x8087 0x0013 genkey"
		for s in 1 2 3 4; do echo "slot $s 0x8087 0x0013 genkey"; done
		for s in 5 6 7 8; do echo "slot $s 0x0000 0x003c"; done
		for s in 9 10 11 12 13 14 15; do echo "slot $s 0x0000 0x0030"; done
	} | awk -v over="$(printf '%s\n' "$@")" '
		BEGIN { split(over, o, "\n"); for (i in o) { split(o[i], w, " ");
			if (w[1] == "slot") r[w[2]] = o[i]; else extra = extra o[i] "\n" } }
		$1 == "slot" && ($2 in r) { print r[$2]; delete r[$2]; next }
		{ print } END { for (s in r) print r[s]; printf "%s", extra }' > "$f"
}
refusal() { # description, expected text, profile lines...
	what=$1 text=$2
	shift 2
	profile bad.profile "$@"
	prov --chip "$dev0" --profile "$d/bad.profile" --yes
	rc=$?
	if [ $rc -ne 0 ] && grep -q "$text" "$d/err" &&
	   grep -q "nothing written" "$d/err"; then
		ok "lint refuses $what"
	else
		nok "lint refuses $what (rc $rc)"
		diag "$d/err" "$d/bad.profile"
	fi
}
profile good.profile
prov --chip "$dev0" --profile "$d/good.profile" --dry-run
check "a profile file equal to the built-in default passes the lint" test $? -eq 0
refusal "a readable key (IsSecret clear)" "slot 0: IsSecret clear" \
	"slot 0 0x8007 0x0013 genkey"
refusal "a private key that is not P-256" "slot 0: private key of a type" \
	"slot 0 0x8087 0x0019 genkey"
refusal "a key plain Write may replace" "slot 0: plain Write allowed" \
	"slot 0 0x0087 0x0013 genkey"
refusal "a key PrivWrite may bring in" "slot 0: PrivWrite allowed" \
	"slot 0 0x4087 0x0013 genkey"
refusal "ECDH secrets written to a readable slot" "slot 0: WriteECDH" \
	"slot 0 0x808f 0x0013 genkey" "slot 1 0x0000 0x003c"
refusal "GenKey in a slot that can never be locked" "slot 1: GenKey allowed, slot not Lockable" \
	"slot 1 0x2087 0x0013 genkey"
refusal "GenKey left open after provisioning" "slot 1: GenKey stays allowed" \
	"slot 1 0x2087 0x0033 genkey"
refusal "a key slot without genkey" "slot 2: private-key slot without genkey" \
	"slot 2 0x8087 0x0013"
refusal "lock on a slot that is not Lockable" "slot 3: lock asked" \
	"slot 3 0x8087 0x0013 genkey lock"
refusal "ChipMode moving the I2C address" "ChipMode bit 0" "chipmode 0x01"
printf 'slot 16 0x8087 0x0013 genkey\n' > "$d/bad.profile"
prov --chip "$dev0" --profile "$d/bad.profile" --yes
rc=$?
check "a profile line that does not parse: rc 2, line number given" \
	sh -c "[ $rc -eq 2 ] && grep -q 'bad.profile:1:' '$d/err'"
setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
	"$tool" provision --chip "$dev0" --yes > "$d/out" 2> "$d/err"
rc=$?
check "without CAP_SYS_ADMIN: refused (rc $rc), says why" \
	sh -c "[ $rc -ne 0 ] && grep -q CAP_SYS_ADMIN '$d/err'"
check "every refusal and the dry run: EEPROM writes unchanged ($w0 -> $(writes 0)), config unlocked" \
	test "$(writes 0)" -eq "$w0" -a "$(cat "$sys0/config_locked")" = 0

# --- the driver's own checks ------------------------------------------------
cat "$sys0/config" > "$d/fresh.bin"
check "config attribute: 128 bytes, as the chip has them" \
	cmp -s "$d/fresh.bin" "$dbg/chip0/config"
crc=$("$tool" provision --chip "$dev0" --dry-run | sed -n 's/.*config zone (CRC \([0-9a-f]*\)).*/\1/p')
put "$sys0/lock_config" "$crc" 2> "$d/err"
check "lock_config with a CRC that is not the zone's: refused (EBADMSG)" \
	sh -c "grep -q 'Bad message' '$d/err' && [ \$(cat $sys0/config_locked) = 0 ]"
# slot 0 readable (SlotConfig 0x8007), written straight through the attribute
{ head -c 20 "$d/fresh.bin"; printf '\007\200'; tail -c +23 "$d/fresh.bin"; } > "$d/bad.bin"
w1=$(writes 0)
dd if="$d/bad.bin" of="$sys0/config" bs=128 count=1 2> "$d/err"
check "config write: only the changed word is written ($w1 -> $(writes 0))" \
	test "$(writes 0)" -eq $((w1 + 1))
dmesg -c > /dev/null
put "$sys0/lock_config" 0000 2> "$d/err"
check "lock_config on a zone that breaks a rule: refused (EPERM), reason logged" \
	sh -c "grep -q 'not permitted' '$d/err' && dmesg | grep -q 'lock refused: slot 0: IsSecret clear'"
dd if="$d/fresh.bin" of="$sys0/config" bs=128 count=1 2> /dev/null
check "the fresh zone written back" cmp -s "$sys0/config" "$d/fresh.bin"
# the zone rules: the chip must stay at the address the driver is bound to
zone_refusal() { # what, dmesg text, file
	dd if="$3" of="$sys0/config" bs=128 count=1 2> /dev/null
	dmesg -c > /dev/null
	put "$sys0/lock_config" 0000 2> "$d/err"
	check "lock_config with $1: refused (EPERM), reason logged, still unlocked" \
		sh -c "grep -q 'not permitted' '$d/err' && dmesg | grep -q 'lock refused: $2' &&
		       [ \$(cat $sys0/config_locked) = 0 ] && cmp -s '$3' '$dbg/chip0/config'"
	dd if="$d/fresh.bin" of="$sys0/config" bs=128 count=1 2> /dev/null
}
{ head -c 19 "$d/fresh.bin"; printf '\001'; tail -c +21 "$d/fresh.bin"; } > "$d/mode.bin"
zone_refusal "ChipMode bit 0 (address from UserExtraAdd)" "ChipMode bit 0" "$d/mode.bin"
{ head -c 16 "$d/fresh.bin"; printf '\302'; tail -c +18 "$d/fresh.bin"; } > "$d/addr.bin"
zone_refusal "I2C_Address 0xC2 on a chip at 0x60" "I2C_Address" "$d/addr.bin"
check "the fresh zone written back again" cmp -s "$sys0/config" "$d/fresh.bin"
{ printf '\377'; tail -c +2 "$d/fresh.bin"; } > "$d/sn.bin"
dd if="$d/sn.bin" of="$sys0/config" bs=128 count=1 2> "$d/err"
check "config write changing the serial number: refused (EINVAL)" \
	grep -q "Invalid argument" "$d/err"
w1=$(writes 0)
put "$sys0/genkey" 0 2> "$d/e1"
put "$sys0/lock_data" 1 2> "$d/e2"
put "$sys0/lock_slot" 0 2> "$d/e3"
check "genkey, lock_data, lock_slot before the config lock: refused, nothing written" \
	sh -c "grep -q 'not permitted' '$d/e1' && grep -q 'not permitted' '$d/e2' &&
	       grep -q 'not permitted' '$d/e3' && [ $(writes 0) -eq $w1 ]"
setpriv --inh-caps=-sys_admin --bounding-set=-sys_admin \
	sh -c "dd if='$d/fresh.bin' of='$sys0/config' bs=128 count=1" 2> "$d/err"
check "config write without CAP_SYS_ADMIN: EPERM" grep -q "not permitted" "$d/err"

# --- a full run ---------------------------------------------------------------
w1=$(writes 0)
g1=$(count 0 genkey)
prov --chip "$dev0" --yes
rc=$?
if [ $rc -eq 0 ] && grep -q '^\[6/6\]' "$d/out"; then
	ok "provision --yes: six steps, rc 0"
else
	nok "provision --yes (rc $rc)"
	diag "$d/out" "$d/err"
fi
check "config and data zones locked" \
	test "$(cat "$sys0/config_locked")$(cat "$sys0/data_locked")" = 11
check "GenKey ran for the five key slots (genkey $g1 -> $(count 0 genkey), with the checks)" \
	test "$(count 0 genkey)" -ge $((g1 + 5))
"$tool" info --json | jq -e --arg sn "$sn0" '.[] | select(.serial_number == $sn) |
	.config_locked and .data_locked and .slots[0].private_key and .slots[0].secret and
	.slots[0].slot_config == "0x8087"' > /dev/null
check "info --json: locked, slot 0 a secret private key (0x8087)" test $? -eq 0
grep "slot  0:" "$sys0/slot_config" | grep -q "private key P-256 secret"
check "slot 0 is a secret P-256 key" test $? -eq 0
grep -q "iotsec-$sn0" /sys/class/misc/hw_random/rng_available
check "hwrng registered once the config zone is locked" test $? -eq 0
w1=$(writes 0)
prov --chip "$dev0" --yes
rc=$?
check "a provisioned chip: refused (rc $rc), EEPROM writes unchanged" \
	sh -c "[ $rc -ne 0 ] && grep -q 'already provisioned' '$d/err' && [ $(writes 0) -eq $w1 ]"
key=$(keyctl add iotsec device "chip=$sn0 slot=0" @s 2> "$d/err")
check "the key type takes the new key" test -n "$key"
for s in 1 2 3 4; do
	k=$(keyctl add iotsec "spare$s" "chip=$sn0 slot=$s" @s) && keyctl pipe "$k"
done > "$d/spares.der" 2> "$d/err"
keyctl pipe "$key" >> "$d/spares.der"
check "slots 0-4 each hold their own key (5 distinct public keys)" \
	test "$(od -An -v -tx1 -w91 "$d/spares.der" | sort -u | wc -l)" -eq 5
keyctl add iotsec again "chip=$sn0 slot=0 generate" @s > /dev/null 2>&1
check "the identity key can never be replaced (generate refused)" test $? -ne 0

# --- the new key serves a mutual TLS session ---------------------------------
keyctl pipe "$key" | openssl pkey -pubin -inform DER -out "$d/dev.pub" 2> /dev/null
pki_ca "$d" root && pki_leaf "$d" srv root "DNS:server.test" &&
	pki_leaf_for_pubkey "$d" dev root "$d/dev.pub" "DNS:device.test"
rm -f "$d/s.out" "$d/c.out"
{ echo "hello provisioned device"; wait_for "$d/s.out" "new identity"; } |
	openssl s_server -accept 4440 -tls1_3 -Verify 1 -CAfile "$d/root.pem" \
		-cert "$d/srv.pem" -key "$d/srv.key" -groups P-256 -naccept 1 \
		-quiet > "$d/s.out" 2> "$d/s.err" &
bg="$bg $!"
wait_port 4440
{ echo "hello from the new identity"; wait_for "$d/c.out" "provisioned"; } |
	dev_connect 60 4440 server.test > "$d/c.out" 2> "$d/c.err"
rc=$?
wait
if [ $rc -eq 0 ] && grep -q "hello provisioned" "$d/c.out" &&
   grep -q "hello from the new identity" "$d/s.out"; then
	ok "the provisioned key: mutual TLS 1.3 with openssl s_server -Verify"
else
	nok "the provisioned key: mutual TLS 1.3 (rc $rc)"
	diag "$d/c.err" "$d/s.err" "$d/c.out" "$d/s.out"
fi

# --- a run stopped after the config lock resumes -------------------------------
echo "exec_error count=1 op=0x40" > "$dbg/chip1/fault"
prov --chip "$dev1" --yes
rc=$?
check "GenKey failing: stops (rc $rc) with the config zone locked, data unlocked" \
	test $rc -ne 0 -a "$(cat "$sys1/config_locked")$(cat "$sys1/data_locked")" = 10
prov --chip "$dev1" --yes
rc=$?
if [ $rc -eq 0 ] && grep -q "resuming" "$d/out" &&
   [ "$(cat "$sys1/data_locked")" = 1 ]; then
	ok "the next run resumes at the keys and finishes"
else
	nok "resume (rc $rc)"
	diag "$d/out" "$d/err"
fi

echo "1..$n"
[ $fails -eq 0 ]
