#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Common set-up of the VM's shell tests, one copy for all of them.  A test
# starts with:
#   set -u
#   . "${IOTSEC_TOP:?}/tests/kernel/lib/vmtest.sh"
#   own_session "$@"          (optional: re-run in a session keyring of its own)
# and gets:
#   top, ko, tool             the checkout, the module folder, the iotsec command
#   modules_up SIM_PARAMS N [algif_kpp]
#                             (re)loads iotsec_sim with SIM_PARAMS, iotsec (and
#                             algif_kpp), waits for N chips to bind at 0x60..;
#                             on failure prints a failed set-up and exits 1
#   modules_down              unloads all three
#   scratch NAME [DIR...]     $d, a new folder /tmp/NAME.XXXXXX; at exit the
#                             processes listed in $bg are ended, the modules
#                             unloaded, $d and the DIRs removed
#   sim_count CHIP NAME       a simulator counter (Documentation/sim.rst)
#   wait_port PORT [SECS]     0 once something listens on TCP PORT, 1 after
#                             SECS (default 10)
#   wait_for FILE PATTERN [SECS]
#                             0 once FILE holds PATTERN (grep), 1 after SECS
#                             (default 60)
#   dev_connect SECS PORT NAME [ARGS...]
#                             the iotsec client to 127.0.0.1:PORT as the device:
#                             chip key $key, $d/dev.pem, trusting $d/root.pem,
#                             server name NAME, under timeout SECS
# plus tap.sh (ok, nok, check, diag) and pki.sh (the test PKI).
top=${IOTSEC_TOP:?}
ko=${IOTSEC_KO_DIR:?}
tool=$top/build/tools/iotsec
sim_dir=/sys/kernel/debug/iotsec_sim
drv_dir=/sys/bus/i2c/drivers/iotsec
. "$top/tests/kernel/lib/tap.sh"
. "$top/tests/kernel/lib/pki.sh"

own_session() {
	[ -n "${IOTSEC_OWN_SESSION:-}" ] && return 0
	IOTSEC_OWN_SESSION=1 exec keyctl session - sh "$0" "$@"
}

modules_down() { rmmod algif_kpp iotsec iotsec_sim 2>/dev/null; }

scratch() { # name [dir...]
	d=$(mktemp -d "/tmp/$1.XXXXXX")
	shift
	scratch_dirs="$*"
	bg=""
	trap scratch_end EXIT
}

scratch_end() {
	for _p in $bg; do
		kill "$_p" 2> /dev/null
	done
	modules_down
	# shellcheck disable=SC2086	# the folders are mktemp's, no blanks
	rm -rf "$d" $scratch_dirs
}

modules_up() { # sim-params chips [algif_kpp]
	modules_down	# left by an earlier test
	# shellcheck disable=SC2086
	if ! insmod "$ko/iotsec_sim/iotsec_sim.ko" $1 ||
	   ! insmod "$ko/iotsec/iotsec.ko" ||
	   { [ -n "${3:-}" ] && ! insmod "$ko/algif_kpp/algif_kpp.ko"; }; then
		echo "not ok 1 - set-up: loading the modules"
		echo "1..1"
		exit 1
	fi
	_i=0
	while [ "$(ls -d $drv_dir/*-006* 2>/dev/null | wc -l)" -lt "$2" ] &&
	      [ $_i -lt 50 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
}

sim_count() { awk -v k="$2" '$1 == k { print $2 }' "$sim_dir/chip$1/counters"; }

wait_for() { # file pattern [seconds]
	_w=0
	while ! grep -q "$2" "$1" 2> /dev/null; do
		_w=$((_w + 1))
		[ $_w -gt $((${3:-60} * 10)) ] && return 1
		sleep 0.1
	done
}

wait_port() { # port [seconds]
	_i=0
	while ! ss -Hltn "sport = :$1" | grep -q LISTEN; do
		_i=$((_i + 1))
		[ $_i -gt $((${2:-10} * 10)) ] && return 1
		sleep 0.1
	done
}

dev_connect() { # secs port name [args...]
	_t=$1 _p=$2 _n=$3
	shift 3
	timeout "$_t" "$tool" connect "127.0.0.1:$_p" --ca "$d/root.pem" \
		--cert "$d/dev.pem" --key "${key:?}" --name "$_n" "$@"
}
