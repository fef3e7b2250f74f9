#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb's packages installed as a user would, in the amd64 VM (make
# check-deb): the guest's root is the host's, read-only, so the test lays
# an overlay (tmpfs upper) over it and chroots there; everything it
# installs is gone at power-off.  dpkg -i of the four packages, DKMS builds
# the modules for the running kernel in the postinst, modprobe iotsec finds
# the DKMS build (updates/dkms) and pulls algif_kpp (modprobe.d softdep),
# the simulator gives it a chip, and the installed iotsec command's info
# lists it.  Listed in tests/kernel/stress-only (the DKMS build under TCG
# takes minutes).  TAP.
set -u
. "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"

debs=$top/build/deb
set -- "$debs"/*.deb
if [ ! -f "$1" ]; then
	echo "ok 1 - packages install # SKIP no packages in build/deb (make deb)"
	echo "1..1"
	exit 0
fi
rel=$(uname -r)
o=/tmp/debroot
m=$o/m
cleanup() {
	chroot "$m" modprobe -r iotsec iotsec_sim algif_kpp 2>/dev/null
	for p in run/debs tmp dev/pts dev sys proc; do
		umount "$m/$p" 2>/dev/null
	done
	umount "$m" 2>/dev/null
}
trap cleanup EXIT
modules_down

mkdir -p "$o/u" "$o/w" "$m"
mount -t overlay overlay -o "lowerdir=/,upperdir=$o/u,workdir=$o/w" "$m"
check "overlay over the read-only root" test $? -eq 0
mount -t proc proc "$m/proc" && mount -t sysfs sys "$m/sys" &&
	mount --bind /dev "$m/dev" && mount --bind /dev/pts "$m/dev/pts" &&
	mount -t tmpfs tmp "$m/tmp" && mkdir -p "$m/run/debs" &&
	mount --bind "$debs" "$m/run/debs"
check "proc, sys, dev, tmp and the packages in the chroot" test $? -eq 0
in_root() { chroot "$m" env PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root "$@"; }

# a fresh system has none of this
in_root dpkg --purge iotsec-dkms iotsec-tools libiotsec-dev libiotsec0 > /dev/null 2>&1
rm -rf "$m/var/lib/dkms/iotsec" "$m/lib/modules/$rel/updates/dkms"/iotsec*.ko \
	"$m/lib/modules/$rel/updates/dkms"/algif_kpp.ko
start=$(date +%s)
# the names as the chroot sees them (no shell there expands a glob)
pkgs=$(cd "$debs" && ls libiotsec0_*.deb libiotsec-dev_*.deb iotsec-tools_*.deb \
	iotsec-dkms_*.deb | sed 's|^|/run/debs/|')
# shellcheck disable=SC2086
in_root dpkg -i $pkgs > /tmp/dpkg.log 2>&1
rc=$?
echo "# dpkg -i and the DKMS build took $(( $(date +%s) - start )) s"
[ $rc -eq 0 ] || tail -n 30 /tmp/dpkg.log | diag
check "dpkg -i of the four packages" test $rc -eq 0
for p in libiotsec0 libiotsec-dev iotsec-tools iotsec-dkms; do
	st=$(in_root dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null)
	check "$p installed ($st)" test "$st" = installed
done
in_root dkms status -m iotsec -k "$rel" 2>/dev/null | grep -q 'installed$'
check "dkms status: iotsec installed for $rel" test $? -eq 0
path=$(in_root modinfo -n iotsec 2>/dev/null)
case $path in
/lib/modules/"$rel"/updates/dkms/iotsec.ko*) ok "modinfo -n iotsec: the DKMS build ($path)" ;;
*) nok "modinfo -n iotsec: the DKMS build (got '$path')" ;;
esac
check "/etc/modules-load.d/iotsec.conf, /etc/modprobe.d/iotsec.conf installed" \
	test -s "$m/etc/modules-load.d/iotsec.conf" -a -s "$m/etc/modprobe.d/iotsec.conf"
check "overlays installed (/usr/share/iotsec/overlays/iotsec-rpi-i2c1.dtbo)" \
	test -s "$m/usr/share/iotsec/overlays/iotsec-rpi-i2c1.dtbo"

in_root modprobe iotsec_sim provisioned=1 && in_root modprobe iotsec
check "modprobe iotsec_sim, modprobe iotsec" test $? -eq 0
check "algif_kpp came with iotsec (softdep)" test -d /sys/module/algif_kpp
i=0
while ! ls -d "$drv_dir"/*-0060 > /dev/null 2>&1 && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
info=$(in_root /usr/bin/iotsec info --json 2>&1)
echo "$info" | in_root jq -e 'length == 1 and .[0].config_locked' > /dev/null 2>&1
rc=$?
[ $rc -eq 0 ] || echo "# iotsec info: $info"
check "the installed iotsec info lists the simulated chip" test $rc -eq 0
in_root dpkg -r iotsec-dkms > /tmp/dpkg-r.log 2>&1 || true
in_root modprobe -r iotsec iotsec_sim algif_kpp 2>/dev/null
check "dpkg -r iotsec-dkms removes the DKMS modules" \
	test ! -e "$m/lib/modules/$rel/updates/dkms/iotsec.ko"

echo "1..$n"
[ "$fails" -eq 0 ]
