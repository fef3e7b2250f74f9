#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make deb: four Debian packages from a built tree, into OUT:
#   iotsec-dkms     (all)  the modules' source for DKMS (tools/deb/dkms-tree.sh),
#                          /etc/modules-load.d/iotsec.conf, /etc/modprobe.d/
#                          iotsec.conf, the overlays (.dtso and .dtbo) in
#                          /usr/share/iotsec/overlays
#   libiotsec0      (ARCH) libiotsec.so.0
#   libiotsec-dev   (ARCH) header, libiotsec.so, libiotsec.a, iotsec.pc, man 3/7
#   iotsec-tools    (ARCH) the iotsec command, iotsec(1), the PKCS#11 module
# made with make install (DESTDIR) and dpkg-deb; Depends of the ARCH
# packages from dpkg-shlibdeps.  Then lintian on each; its errors and
# warnings fail the build.
#
# usage: build.sh OUT VERSION [ARCH]   (ARCH: amd64 default, or arm64 with
#                                       make arm64's build/arm64)
set -eu
out=$(realpath -m "$1")
version=$2
arch=${3:-$(dpkg --print-architecture)}
top=$(cd "$(dirname "$0")/../.." && pwd)
here=$top/tools/deb
triplet=$(dpkg-architecture -a"$arch" -qDEB_HOST_MULTIARCH 2>/dev/null)
maint="iotsec maintainers <maintainers@users.noreply.r-seed-26e497ac.example>"
s=$out/stage
rm -rf "$out"
mkdir -p "$s"

b=build
cross=
if [ "$arch" != "$(dpkg --print-architecture)" ]; then
	b=build/$arch
	cross=$(dpkg-architecture -a"$arch" -qDEB_HOST_GNU_TYPE 2>/dev/null)-
fi
make -s -C "$top" B="$b" ${cross:+CC=${cross}gcc} install DESTDIR="$s/all" PREFIX=/usr \
	LIBDIR="/usr/lib/$triplet" P11_MODDIR=/usr/share/p11-kit/modules
# as dh_strip and dh_fixperms would: no debug symbols, libraries not executable
for f in "$s/all/usr/bin/iotsec" "$s/all/usr/lib/$triplet/libiotsec.so.0" \
	 "$s/all/usr/lib/$triplet/pkcs11/libiotsec-pkcs11.so"; do
	"${cross}strip" --strip-unneeded --remove-section=.comment --remove-section=.note "$f"
done
"${cross}strip" --strip-debug "$s/all/usr/lib/$triplet/libiotsec.a"
chmod 644 "$s/all/usr/lib/$triplet/libiotsec.so.0" "$s/all/usr/lib/$triplet/pkcs11/libiotsec-pkcs11.so"

# pkg NAME: an empty package tree with its doc folder
pkg() {
	d=$s/$1
	mkdir -p "$d/DEBIAN" "$d/usr/share/doc/$1"
	cp "$here/copyright" "$d/usr/share/doc/$1/copyright"
	sed "s/@VERSION@/$version/; s/@PACKAGE@/$1/; s/@MAINT@/$maint/" "$here/changelog.in" |
		gzip -9n > "$d/usr/share/doc/$1/changelog.gz"
}

# move NAME PATH...: files from the make install tree into a package
move() {
	name=$1
	shift
	for f in "$@"; do
		mkdir -p "$s/$name/$(dirname "$f")"
		mv "$s/all/$f" "$s/$name/$f"
	done
}

# control NAME ARCH DEPENDS DESCRIPTION...: DEBIAN/control and md5sums
control() {
	name=$1 a=$2 deps=$3
	shift 3
	d=$s/$name
	find "$d/usr/share/man" -type f ! -name '*.gz' -exec gzip -9n {} + 2>/dev/null || true
	size=$(du -sk --exclude=DEBIAN "$d" | cut -f1)
	{
		echo "Package: $name"
		echo "Version: $version"
		echo "Architecture: $a"
		echo "Maintainer: $maint"
		echo "Installed-Size: $size"
		[ -z "$deps" ] || echo "Depends: $deps"
		echo "Section: $section"
		echo "Priority: optional"
		echo "Homepage: https://iotsec.invalid/"
		echo "Description: $1"
		shift
		for l in "$@"; do echo " $l"; done
	} > "$d/DEBIAN/control"
	(cd "$d" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
		sort -z | xargs -0 md5sum > DEBIAN/md5sums)
	find "$d" -type d -exec chmod 755 {} +
	dpkg-deb --root-owner-group -Zxz --build "$d" "$out/${name}_${version}_$a.deb" > /dev/null
}

# shlibdeps FILE...: the Depends line dpkg-shlibdeps computes for them
shlibdeps() {
	mkdir -p "$s/sd/debian"
	printf 'Source: iotsec\n\nPackage: x\nArchitecture: any\n' > "$s/sd/debian/control"
	(cd "$s/sd" && DEB_HOST_ARCH=$arch dpkg-shlibdeps -O -l"$s/libiotsec0/usr/lib/$triplet" "$@" 2>/dev/null) |
		sed -n 's/^shlibs:Depends=//p'
}

lib=usr/lib/$triplet
pkg libiotsec0
move libiotsec0 "$lib/libiotsec.so.0"
mkdir -p "$s/libiotsec0/DEBIAN"
echo "libiotsec 0 libiotsec0 (>= $version)" > "$s/libiotsec0/DEBIAN/shlibs"
echo "activate-noawait ldconfig" > "$s/libiotsec0/DEBIAN/triggers"
section=libs
control libiotsec0 "$arch" "$(shlibdeps "$s/libiotsec0/$lib/libiotsec.so.0")" \
	"TLS 1.3 with a secure-element key, carried by kernel TLS" \
	"libiotsec drives a TLS 1.3 handshake whose identity key stays in an" \
	"ATECC508A/608A/608B secure element (through the iotsec kernel driver" \
	"and keyctl), then hands the record layer to kernel TLS."

pkg libiotsec-dev
move libiotsec-dev usr/include/iotsec.h "$lib/libiotsec.so" "$lib/libiotsec.a" \
	"$lib/pkgconfig/iotsec.pc" usr/share/man/man3 usr/share/man/man7
section=libdevel
control libiotsec-dev "$arch" \
	"libiotsec0 (= $version), libkcapi-dev, libkeyutils-dev, libssl-dev" \
	"TLS 1.3 with a secure-element key (development files)" \
	"The header, the static library, the pkg-config file (iotsec) and" \
	"the manual pages of libiotsec."

pkg iotsec-tools
move iotsec-tools usr/bin/iotsec usr/share/man/man1 "$lib/pkcs11" usr/share/p11-kit
section=utils
control iotsec-tools "$arch" \
	"$(shlibdeps "$s/iotsec-tools/usr/bin/iotsec" "$s/iotsec-tools/$lib/pkcs11/libiotsec-pkcs11.so")" \
	"provision, inspect and use an ATECC608 secure element" \
	"The iotsec command: chip information, provisioning, certificate" \
	"requests signed by the chip, mutual TLS 1.3 client and server with" \
	"the chip's key; and libiotsec-pkcs11, a PKCS#11 module over the" \
	"chip's keys (registered with p11-kit)."

pkg iotsec-dkms
"$here/dkms-tree.sh" "$s/iotsec-dkms/usr/src/iotsec-$version" "$version"
install -D -m 644 "$here/modules-load.conf" "$s/iotsec-dkms/etc/modules-load.d/iotsec.conf"
install -D -m 644 "$here/modprobe.conf" "$s/iotsec-dkms/etc/modprobe.d/iotsec.conf"
ov=$s/iotsec-dkms/usr/share/iotsec/overlays
mkdir -p "$ov"
for f in "$top"/dts/*.dtso; do
	install -m 644 "$f" "$ov/"
	dtc -q -@ -I dts -O dtb -o "$ov/$(basename "$f" .dtso).dtbo" "$f"
done
chmod 644 "$ov"/*.dtbo
printf '/etc/modules-load.d/iotsec.conf\n/etc/modprobe.d/iotsec.conf\n' \
	> "$s/iotsec-dkms/DEBIAN/conffiles"
for m in postinst prerm; do
	sed "s/@VERSION@/$version/" "$here/$m" > "$s/iotsec-dkms/DEBIAN/$m"
	chmod 755 "$s/iotsec-dkms/DEBIAN/$m"
done
section=kernel
control iotsec-dkms all "dkms (>= 3), device-tree-compiler" \
	"iotsec kernel modules (DKMS source)" \
	"iotsec.ko, the ATECC508A/608A/608B driver (crypto API ECDSA and" \
	"ECDH, the \"iotsec\" key type, hwrng), iotsec_sim.ko (a simulated" \
	"chip on a virtual I2C bus) and algif_kpp.ko (AF_ALG kpp), built by" \
	"DKMS for each installed kernel.  Also the module-load configuration" \
	"and the device-tree overlays (/usr/share/iotsec/overlays)."

rm -rf "$s"
fails=0
for d in "$out"/*.deb; do
	if lintian --fail-on error,warning "$d" > "$d.lintian" 2>&1; then
		echo "deb: $(basename "$d"): lintian clean"
	else
		echo "deb: $(basename "$d"): lintian:" >&2
		sed 's/^/  /' "$d.lintian" >&2
		fails=$((fails + 1))
	fi
done
[ "$fails" -eq 0 ]
