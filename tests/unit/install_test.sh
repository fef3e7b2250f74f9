#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# make install into a scratch DESTDIR, then use what it installed the way
# a user would: pkg-config finds iotsec.pc, a small program builds against
# the header and links the shared library (and the static one with the
# private libraries pkg-config names), and runs.  TAP; run from the top of
# the tree by "make unit" (usage: install_test.sh BUILD_DIR).
set -u
b=${1:-build}
n=0
fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
check() { # description, command...
	what=$1
	shift
	if "$@"; then ok "$what"; else nok "$what"; fi
}

d=$(mktemp -d /tmp/install_test.XXXXXX)
trap 'rm -rf "$d"' EXIT
root=$d/root
usr=$root/usr

if ${MAKE:-make} --no-print-directory -s B="$b" install DESTDIR="$root" PREFIX=/usr \
	> "$d/make.log" 2>&1; then
	ok "make install DESTDIR=... PREFIX=/usr"
else
	nok "make install DESTDIR=... PREFIX=/usr"
	sed 's/^/# /' "$d/make.log" | tail -n 20
fi

missing=
for f in include/iotsec.h lib/libiotsec.so.0 lib/libiotsec.a \
	 lib/pkgconfig/iotsec.pc bin/iotsec share/man/man1/iotsec.1 \
	 share/man/man7/iotsec.7 share/man/man7/iotsec-keytype.7; do
	[ -s "$usr/$f" ] || missing="$missing $f"
done
for f in libiotsec/man/*.3; do
	[ -s "$usr/share/man/man3/${f##*/}" ] || missing="$missing man3/${f##*/}"
done
[ -z "$missing" ] || echo "# missing:$missing"
check "header, libraries, iotsec.pc, tool and every man page installed" \
	test -z "$missing"
# The man3 aliases are ".so man3/page.3" stubs: they resolve once installed.
if command -v man > /dev/null; then
	bad=
	for f in "$usr"/share/man/man*/*; do
		sec=${f%/*}
		sec=${sec##*/man}
		page=${f##*/}
		w=$(cd "$usr/share/man" && LC_ALL=C.UTF-8 MANWIDTH=80 \
			man --warnings -M "$usr/share/man" "$sec" "${page%.*}" 2>&1 > /dev/null)
		[ -z "$w" ] || { bad="$bad $page"; echo "$w" | sed 's/^/# /'; }
	done
	check "every installed man page renders without a warning" test -z "$bad"
else
	ok "every installed man page renders without a warning # SKIP no man(1)"
fi
check "libiotsec.so is a symbolic link to libiotsec.so.0" \
	test "$(readlink "$usr/lib/libiotsec.so")" = libiotsec.so.0
check "the shared library's SONAME is libiotsec.so.0" \
	sh -c "readelf -d '$usr/lib/libiotsec.so.0' | grep -q 'SONAME.*\[libiotsec.so.0\]'"

# pkg-config as a user of the installed tree sees it.
pc() { PKG_CONFIG_PATH=$usr/lib/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root pkg-config "$@"; }
version=$(sed -n 's/^IOTSEC_\([0-9.]*\) {.*/\1/p' libiotsec/src/libiotsec.map | tail -n 1)
check "pkg-config --modversion iotsec is the map's version ($version)" \
	test "$(pc --modversion iotsec 2>&1)" = "$version"
flags=$(pc --cflags --libs iotsec 2>&1 | sed 's/ *$//')
echo "# pkg-config --cflags --libs iotsec: $flags"
check "pkg-config --cflags --libs iotsec: the installed header and library" \
	test "$flags" = "-I$usr/include -L$usr/lib -liotsec"
static=$(pc --static --libs iotsec 2>&1 | sed 's/ *$//')
echo "# pkg-config --static --libs iotsec: $static"
check "pkg-config --static --libs iotsec adds libkcapi and libkeyutils" \
	sh -c "echo ' $static ' | grep -q ' -lkcapi ' && echo ' $static ' | grep -q ' -lkeyutils '"

cat > "$d/prog.c" <<'EOF'
#include <stdio.h>
#include <iotsec.h>

int main(void)
{
	struct iotsec_config *cfg;
	int ret = iotsec_config_new(&cfg);

	printf("%s\n", iotsec_strerror(ret));
	iotsec_config_free(cfg);
	return ret != 0;
}
EOF
# The flags are split into words on purpose, here and below.
# shellcheck disable=SC2086
if ${CC:-cc} -Wall -Wextra -Werror "$d/prog.c" -o "$d/prog" $flags 2> "$d/cc.log" &&
   [ "$(LD_LIBRARY_PATH=$usr/lib "$d/prog")" = success ] &&
   LD_LIBRARY_PATH=$usr/lib ldd "$d/prog" | grep -q "$usr/lib/libiotsec.so.0"; then
	ok "a program built with pkg-config's flags runs on the installed libiotsec.so.0"
else
	nok "a program built with pkg-config's flags runs on the installed libiotsec.so.0"
	sed 's/^/# /' "$d/cc.log"
fi
# shellcheck disable=SC2046
if ${CC:-cc} -Wall -Wextra -Werror $(pc --cflags iotsec) "$d/prog.c" \
	"$usr/lib/libiotsec.a" $(pc --static --libs-only-l iotsec | sed 's/-liotsec//') \
	-o "$d/prog-static" 2> "$d/cc.log" && [ "$("$d/prog-static")" = success ]; then
	ok "a program links libiotsec.a with pkg-config --static's libraries"
else
	nok "a program links libiotsec.a with pkg-config --static's libraries"
	sed 's/^/# /' "$d/cc.log"
fi

echo "1..$n"
[ "$fails" -eq 0 ]
