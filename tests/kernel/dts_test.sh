#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# The device-tree overlays in dts/: each compiles with dtc -@, applies with
# fdtoverlay to a small base tree that has labelled i2c0/i2c1 controllers,
# and leaves an ATECC608B node (compatible, reg, status) on the right bus.
# Also: the binding's example compiles and names the compatibles the driver
# matches.  With dtschema (dt-doc-validate, dt-mk-schema, dt-validate): the
# binding YAMLs are valid schemas and each overlay applied to the base tree
# validates against them (and a tree with a stray property does not).
# Needs device-tree-compiler (dtc, fdtoverlay, fdtget); runs on the host or
# in the VM.  Prints TAP.
top=$(cd "$(dirname "$0")/../.." && pwd)
dts=$top/dts
binding=$top/Documentation/devicetree/bindings/crypto/microchip,atecc608b.yaml
driver=$top/kernel/iotsec/chip.c

for tool in dtc fdtoverlay fdtget; do
	if ! command -v $tool >/dev/null 2>&1; then
		echo "1..0 # SKIP $tool not installed (device-tree-compiler)"
		exit 0
	fi
done

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

# expect DESC WANT CMD...: the command's output must equal WANT
expect() {
	desc=$1 want=$2
	shift 2
	got=$("$@" 2>&1)
	[ "$got" = "$want" ]
	rc=$?
	[ $rc = 0 ] || echo "# $desc: got '$got', want '$want'"
	ok $rc "$desc"
}

base_tree() {
	cat <<'EOF'
/dts-v1/;

/ {
	compatible = "iotsec,test-board";
	model = "iotsec overlay test board";
	#address-cells = <1>;
	#size-cells = <1>;

	soc {
		compatible = "simple-bus";
		#address-cells = <1>;
		#size-cells = <1>;
		ranges;

		i2c0: i2c@7e205000 {
			compatible = "brcm,bcm2835-i2c";
			reg = <0x7e205000 0x200>;
			#address-cells = <1>;
			#size-cells = <0>;
			status = "disabled";
		};

		i2c1: i2c@7e804000 {
			compatible = "brcm,bcm2835-i2c";
			reg = <0x7e804000 0x200>;
			#address-cells = <1>;
			#size-cells = <0>;
			status = "disabled";
		};
	};
};
EOF
}

# check_overlay NAME BUS OTHER_BUS: the overlay puts the chip on BUS only
check_overlay() {
	name=$1 bus=/soc/$2 other=/soc/$3
	dtbo=$tmp/$name.dtbo out=$tmp/$name.dtb node=$bus/atecc608b@60

	dtc -q -@ -I dts -O dtb -o "$dtbo" "$dts/$name.dtso"
	ok $? "$name: compiles with dtc -@"
	fdtoverlay -i "$tmp/base.dtb" -o "$out" "$dtbo"
	ok $? "$name: applies to the base tree with fdtoverlay"
	expect "$name: compatible" "microchip,atecc608b" \
		fdtget -t s "$out" "$node" compatible
	expect "$name: reg" "60" fdtget -t x "$out" "$node" reg
	expect "$name: status" "okay" fdtget -t s "$out" "$node" status
	expect "$name: bus enabled" "okay" fdtget -t s "$out" "$bus" status
	subs=$(fdtget -l "$out" "$other") && ! echo "$subs" | grep -q atecc
	ok $? "$name: nothing added to $3"
}

base_tree > "$tmp/base.dts"
base_tree | sed 's/i2c1: //' > "$tmp/nolabel.dts"

echo "1..24"
dtc -q -@ -I dts -O dtb -o "$tmp/base.dtb" "$tmp/base.dts"
ok $? "base tree with labels i2c0, i2c1 compiles"

check_overlay iotsec-rpi-i2c1 i2c@7e804000 i2c@7e205000
expect "iotsec-rpi-i2c1: bus clock-frequency" "100000" \
	fdtget -t u "$tmp/iotsec-rpi-i2c1.dtb" /soc/i2c@7e804000 clock-frequency
check_overlay iotsec-generic i2c@7e205000 i2c@7e804000

dtc -q -@ -I dts -O dtb -o "$tmp/nolabel.dtb" "$tmp/nolabel.dts" &&
	! fdtoverlay -i "$tmp/nolabel.dtb" -o "$tmp/x.dtb" \
		"$tmp/iotsec-rpi-i2c1.dtbo" 2>/dev/null
ok $? "iotsec-rpi-i2c1: refused by a tree without an i2c1 label"

# The binding's example, wrapped into a tree of its own.
{
	echo '/dts-v1/;'
	echo '/ {'
	sed -n '/^examples:/,$p' "$binding" | sed -n '/^    /s/^    //p'
	echo '};'
} > "$tmp/example.dts"
dtc -q -I dts -O dtb -o "$tmp/example.dtb" "$tmp/example.dts" &&
	[ "$(fdtget -t s "$tmp/example.dtb" /i2c/crypto@60 compatible)" = \
	  "microchip,atecc608b" ]
ok $? "binding example compiles"

# Every compatible the driver matches is in the binding, and back.
drv=$(sed -n 's/.*\.compatible = "\([^"]*\)".*/\1/p' "$driver" | sort)
yml=$(sed -n '/^  compatible:/,/^  [a-z]/s/^      - \(.*\)$/\1/p' "$binding" |
	sort)
[ -n "$drv" ] && [ "$drv" = "$yml" ]
rc=$?
[ $rc = 0 ] ||
	echo "# driver: $(echo "$drv" | tr '\n' ' '), binding: $(echo "$yml" | tr '\n' ' ')"
ok $rc "binding compatibles equal the driver's"

# dtschema: the bindings, then the merged trees against them.
bindings=$top/Documentation/devicetree/bindings
if ! command -v dt-validate > /dev/null 2>&1; then
	for _ in 1 2 3 4 5; do
		n=$((n + 1))
		echo "ok $n - dtschema # SKIP dtschema not installed"
	done
	[ $failed = 0 ]
	exit
fi
(cd "$bindings" && for y in */*.yaml; do dt-doc-validate "$y" || exit 1; done) \
	> "$tmp/doc.log" 2>&1
rc=$?
[ $rc = 0 ] || sed 's/^/# /' "$tmp/doc.log"
ok $rc "dtschema: dt-doc-validate on every binding"
dt-mk-schema -j "$bindings" > "$tmp/schema.json" 2> "$tmp/mk.log"
ok $? "dtschema: dt-mk-schema of the bindings"
# validate NAME DTB: dt-validate has nothing to say about our nodes
validate() {
	dt-validate -s "$tmp/schema.json" "$2" > "$tmp/v.log" 2>&1
	! grep -E 'i2c-sim|atecc|crypto@' "$tmp/v.log" > "$tmp/v.bad"
	rc=$?
	[ $rc = 0 ] || sed 's/^/# /' "$tmp/v.bad"
	ok $rc "dtschema: $1"
}
validate "iotsec-rpi-i2c1 on the base tree matches the binding" "$tmp/iotsec-rpi-i2c1.dtb"
validate "iotsec-generic on the base tree matches the binding" "$tmp/iotsec-generic.dtb"
cp "$tmp/iotsec-generic.dtb" "$tmp/stray.dtb"
fdtput -t s "$tmp/stray.dtb" /soc/i2c@7e205000/atecc608b@60 stray yes
dt-validate -s "$tmp/schema.json" "$tmp/stray.dtb" 2>&1 | grep -q "'stray'"
ok $? "dtschema: a stray property on the chip's node is reported"

[ $failed = 0 ]
