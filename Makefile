# SPDX-License-Identifier: GPL-2.0
#
# iotsec: kernel modules (kernel/), library (libiotsec/), tools (tools/).
#
#   make          build everything
#   make check    install what is missing, build, run host and VM tests
#   make check KERNELS="6.1 6.12 7.3"   (or make check-kernels) the same,
#                 and the kernel-facing VM tests on each further kernel;
#                 ARM64=1 adds the arm64 board VM (make check-arm64); CI
#                 (.ci/run) runs both
#   make demo     install what is missing, build, run the demo in the VM
#   make bench    install what is missing, build, run the chip bench in the VM
#   make lint     checkpatch --strict, sparse, -Werror userspace builds
#   make clean

KVER ?= $(shell tools/kver)
export KVER
# Where KVER's modules build: an installed kernel's headers, or the
# prepared source tree of one setup-deps --kernels unpacked.
KDIR ?= $(shell tools/kver --root $(KVER))/lib/modules/$(KVER)/build
# The matrix: the full VM suite boots 6.1; each further kernel of KERNELS
# gets its own boot for MATRIX_TESTS (the kernel-facing tests: the interop
# rows are long and stay on 6.1), TAP files build/tap/vm-SERIES-NAME.tap.
KERNELS ?= 6.1
# The module sources: kbuild builds in its M= folder, so each further
# kernel of the matrix (build/mod-SERIES/) and arm64 (build/arm64/) build
# in a copy, and their boots can run side by side.
KSRC := $(shell find kernel tests/kernel/kmod \( -name '*.[ch]' ! -name '*.mod.c' \) -o -name Kbuild -o -name Makefile)
MATRIX_TESTS ?= sim_test driver_test crypto_test keytype_test kpp_test env_test \
	rekey_test restrict_test session_test tls_test
MATRIX_EXTRA := $(filter-out 6.1,$(KERNELS))
# The matrix boots run side by side, so one vCPU each, as the 6.1 boots:
# with two, each guest ran both vCPUs on one host thread (single-threaded
# TCG) beside the other guest, and CI saw 7.3's sim_test held up twice
# (a test past its 30 s limit; the simulated chip run out of its 1.3 s
# watchdog).  SMP runs in the arm64 board VM (2 vCPUs, alone).
MATRIX_SMP ?= 1

B := build
SRCTAR := /usr/src/linux-source-6.1.tar.xz
KSFT := $(B)/ksft/kselftest_harness.h
CHECKPATCH := $(B)/lint/checkpatch.pl

CC ?= gcc
WFLAGS := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
# UBSan pedantic: also float casts and divisions, strict bounds (trailing
# arrays too); gcc's undefined has pointer-overflow already, but only
# clang reports NULL + 0 (the fuzz targets, FUZZ_SAN).
SANFLAGS := -fsanitize=address,undefined,float-cast-overflow,float-divide-by-zero,bounds-strict \
	-fno-sanitize-recover=all -fno-omit-frame-pointer
# Protocol facts (atecc/wire.h, crc.h, config_lint.h) and the AF_ALG kpp ABI
# come from kernel/include only.
KINC := -Ikernel/include -Ikernel/include/uapi
TEST_CPPFLAGS := -isystem $(B)/ksft -Itests/include $(KINC) -Ilibiotsec/src -Ilibiotsec/include
TEST_LDLIBS := -lcrypto -lpthread -lkcapi -lkeyutils

# libiotsec: one static and one shared library from libiotsec/src.
LIB_SRC := $(wildcard libiotsec/src/*.c)
LIB_OBJ := $(LIB_SRC:libiotsec/src/%.c=$(B)/lib/obj/%.o)
LIB_A := $(B)/lib/libiotsec.a
LIB_SO := $(B)/lib/libiotsec.so.0
LIB_MAP := libiotsec/src/libiotsec.map
LIB_CFLAGS := $(CFLAGS) $(WFLAGS) -fPIC -fvisibility=hidden -Ilibiotsec/include -Ilibiotsec/src -Ikernel/include/uapi
LIB_LDLIBS := -lkcapi -lkeyutils -lcrypto
# The version is the map's last node (IOTSEC_0.1 -> 0.1), as keyutils does.
LIB_VERSION := $(shell sed -n 's/^IOTSEC_\([0-9.]*\) {.*/\1/p' $(LIB_MAP) | tail -n 1)
# make install: DESTDIR and these may be given on the command line.
PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
# Host unit tests link one archive of the library code with a kernel that
# has no AF_ALG (tests/unit/kcapi_off.c in place of *_kcapi.c): the real
# libcrypto backend runs (plain and ASan/UBSan builds).
UNIT_LIB := $(filter-out %_kcapi.c,$(LIB_SRC)) tests/unit/kcapi_off.c
UNIT_A := $(B)/unit/libiotsec-host.a
UNIT_SAN_A := $(B)/unit-san/libiotsec-host.a

UNIT_SRC := $(wildcard tests/unit/*_test.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit/%)
UNIT_SAN := $(UNIT_SRC:tests/unit/%.c=$(B)/unit-san/%)
VMT_SRC := $(wildcard tests/kernel/*_test.c)
VMT_BIN := $(VMT_SRC:tests/kernel/%.c=$(B)/tests/kernel/%)

all: modules lib tools tests

TOOL_SRC := $(wildcard tools/*.c)
TOOL := $(B)/tools/iotsec

tools: $(TOOL)

$(TOOL): $(TOOL_SRC) $(wildcard tools/*.h) $(LIB_A) $(wildcard kernel/include/atecc/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) -Ilibiotsec/include -Ikernel/include $(TOOL_SRC) $(LIB_A) -o $@ $(LIB_LDLIBS)

lib: $(LIB_A) $(LIB_SO)

$(B)/lib/obj/%.o: libiotsec/src/%.c $(wildcard libiotsec/src/*.h libiotsec/include/*.h)
	@mkdir -p $(@D)
	$(CC) $(LIB_CFLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(LIB_OBJ) $(LIB_MAP)
	$(CC) -shared -Wl,-soname,libiotsec.so.0 -Wl,--version-script=$(LIB_MAP) -Wl,-z,defs $(LIB_OBJ) -o $@ $(LIB_LDLIBS)
	ln -sf libiotsec.so.0 $(B)/lib/libiotsec.so

# libiotsec-pkcs11.so: the PKCS#11 module over iotsec keys (libiotsec/pkcs11;
# PKCS#11 types from p11-kit's pkcs11.h).  It exports only the C_* set; make
# install puts it in LIBDIR/pkcs11 with a p11-kit module file naming it.
P11_SRC := $(wildcard libiotsec/pkcs11/*.c)
P11_SO := $(B)/lib/libiotsec-pkcs11.so
P11_MAP := libiotsec/pkcs11/libiotsec-pkcs11.map
P11_MODDIR ?= $(PREFIX)/share/p11-kit/modules

# It carries its own copy of libiotsec's PEM decoder (hidden, as the rest).
P11_LIBSRC := libiotsec/src/pem.c libiotsec/src/codec.c
$(P11_SO): $(P11_SRC) $(P11_LIBSRC) $(wildcard libiotsec/pkcs11/*.h) $(P11_MAP)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) -Ilibiotsec/src -fPIC -fvisibility=hidden -shared -Wl,-soname,libiotsec-pkcs11.so \
		-Wl,--version-script=$(P11_MAP) -Wl,-z,defs $(P11_SRC) $(P11_LIBSRC) -o $@ -lkeyutils -lpthread

lib: $(P11_SO)
install: install-pkcs11
install-pkcs11: $(P11_SO)
	install -d $(DESTDIR)$(LIBDIR)/pkcs11 $(DESTDIR)$(P11_MODDIR)
	install -m 755 $(P11_SO) $(DESTDIR)$(LIBDIR)/pkcs11/
	sed 's|@MODULE@|$(LIBDIR)/pkcs11/libiotsec-pkcs11.so|' libiotsec/pkcs11/iotsec.module.in \
		> $(DESTDIR)$(P11_MODDIR)/iotsec.module
.PHONY: install-pkcs11

# A PKCS#11 application signing in a loop, for tests/kernel/pkcs11_test.sh.
P11_SIGN := $(B)/tests/kernel/pkcs11_sign
$(P11_SIGN): tests/kernel/pkcs11_sign.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $< -o $@ -lcrypto -lpthread
tests: $(P11_SIGN)

# Its pure parts and its API without a chip, on the host.
UNIT_KSRC_pkcs11_test := $(P11_SRC)
UNIT_KINC_pkcs11_test := -Ilibiotsec/pkcs11

# The library, its header, pkg-config file and man pages, and the tool.
install: lib tools
	install -d $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 644 libiotsec/include/iotsec.h $(DESTDIR)$(INCLUDEDIR)/
	install -m 755 $(LIB_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf libiotsec.so.0 $(DESTDIR)$(LIBDIR)/libiotsec.so
	install -m 644 $(LIB_A) $(DESTDIR)$(LIBDIR)/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
		-e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(LIB_VERSION)|' \
		libiotsec/iotsec.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/iotsec.pc
	install -m 644 libiotsec/man/*.3 $(DESTDIR)$(MANDIR)/man3/
	install -m 644 libiotsec/man/*.7 $(DESTDIR)$(MANDIR)/man7/
	install -m 755 $(TOOL) $(DESTDIR)$(BINDIR)/
	install -m 644 tools/iotsec.1 $(DESTDIR)$(MANDIR)/man1/

modules:
	$(MAKE) -C kernel KVER=$(KVER) KDIR=$(KDIR)
	$(MAKE) -C tests/kernel/kmod KVER=$(KVER) KDIR=$(KDIR)

# TLS peers for tests/kernel/interop_test.sh: Go crypto/tls and Java JSSE,
# standard libraries only, built offline on the host (the VM runs them).
PEERS := $(B)/peers/tlspeer $(B)/peers/java/TlsPeer.class
tests: $(UNIT_BIN) $(UNIT_SAN) $(VMT_BIN) $(PEERS)

$(B)/peers/tlspeer: tests/peers/tlspeer.go
	@mkdir -p $(@D)
	GOCACHE=$(CURDIR)/$(B)/peers/gocache GOPATH=$(CURDIR)/$(B)/peers/gopath \
		GO111MODULE=off GOFLAGS= GOPROXY=off go build -o $@ $<
$(B)/peers/java/TlsPeer.class: tests/peers/TlsPeer.java
	@mkdir -p $(@D)
	javac -Xlint:all -Werror -d $(@D) $<

deps:
	@tools/setup-deps $(if $(MATRIX_EXTRA),--kernels "$(MATRIX_EXTRA)") $(if $(filter 1,$(ARM64)),--arm64)

# kselftest_harness.h and checkpatch.pl come from Debian's linux-source-6.1.
$(KSFT) $(CHECKPATCH): $(SRCTAR)
	@rm -rf $(B)/src && mkdir -p $(B)/src $(B)/ksft $(B)/lint
	tar -xJf $(SRCTAR) -C $(B)/src --strip-components=1 \
		linux-source-6.1/tools/testing/selftests/kselftest_harness.h \
		linux-source-6.1/tools/testing/selftests/kselftest.h \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch
	cp $(B)/src/tools/testing/selftests/*.h $(B)/ksft/
	cp $(B)/src/scripts/* $(B)/lint/
	@rm -rf $(B)/src

UNIT_HDRS = $(KSFT) $(wildcard kernel/include/atecc/*.h libiotsec/src/*.h libiotsec/include/*.h tests/include/*.h tests/unit/*.h tools/profile.[ch])

$(B)/unit/obj/%.o: %.c $(UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $(TEST_CPPFLAGS) -c $< -o $@

$(B)/unit-san/obj/%.o: %.c $(UNIT_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $(SANFLAGS) $(TEST_CPPFLAGS) -c $< -o $@

$(UNIT_A): $(UNIT_LIB:%.c=$(B)/unit/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(UNIT_SAN_A): $(UNIT_LIB:%.c=$(B)/unit-san/obj/%.o)
	rm -f $@ && ar rcs $@ $^

# Kernel code that is pure and tested on the host as its own unit.
UNIT_KSRC_ecdsa_der_test := kernel/iotsec/ecdsa_der.c
UNIT_KINC_ecdsa_der_test := -Ikernel/iotsec -include kcompat.h

.SECONDEXPANSION:
$(B)/unit/%: tests/unit/%.c $(UNIT_HDRS) $(UNIT_A) $$(UNIT_KSRC_$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $(TEST_CPPFLAGS) $(UNIT_KINC_$*) $< $(UNIT_KSRC_$*) $(UNIT_A) -o $@ $(TEST_LDLIBS)

$(B)/unit-san/%: tests/unit/%.c $(UNIT_HDRS) $(UNIT_SAN_A) $$(UNIT_KSRC_$$*)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $(SANFLAGS) $(TEST_CPPFLAGS) $(UNIT_KINC_$*) $< $(UNIT_KSRC_$*) $(UNIT_SAN_A) -o $@ $(TEST_LDLIBS)

# VM tests link the real library (AF_ALG hashing and all).
$(B)/tests/kernel/%: tests/kernel/%.c $(KSFT) $(LIB_A) $(wildcard tests/include/*.h kernel/include/*/*.h kernel/include/uapi/linux/*.h)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) $(TEST_CPPFLAGS) $< $(LIB_A) -o $@ $(TEST_LDLIBS)

# Host tests: each unit test plain and under ASan/UBSan, one TAP file each.
unit: $(UNIT_BIN) $(UNIT_SAN)
	@mkdir -p $(B)/tap
	@for t in $(UNIT_BIN) $(UNIT_SAN); do \
		n=$$(echo $$t | sed 's,^$(B)/,,;s,/,-,g'); \
		$$t > $(B)/tap/$$n.tap 2>&1; rc=$$?; \
		case $$rc in 0|4) ;; *) tail -n 30 $(B)/tap/$$n.tap | sed 's/^/# /'; \
			echo "not ok 1 $$n exited $$rc" ;; esac >> $(B)/tap/$$n.tap; \
	done
	@tests/unit/install_test.sh $(B) > $(B)/tap/unit-install_test.tap 2>&1; true

# VM tests on the Debian 6.1 kernel.  make vm VM_TESTS="A B": one boot for
# those.  Otherwise the suite (every tests/kernel/*_test.c and *_test.sh but
# stress-only's) in two boots side by side, one vCPU each (CI has two
# cores; two 2-vCPU guests on them ran 2.5 times slower).  VM_SHARD2 is
# the second boot's share (build/vm/out-2, its vm.tap named vm-2.tap).
VM_ALL := $(filter-out $(shell cat tests/kernel/stress-only), \
	$(sort $(basename $(notdir $(wildcard tests/kernel/*_test.c tests/kernel/*_test.sh)))))
VM_SHARD2 ?= reliab_certs_test reliab_fault_test reliab_life_test reliab_load_test \
	restrict_test resume_test tls_test
# The boots of the leak tests (reliab_life_test, reliab_load_test: the
# second here, both of make stress) track every kmalloc cache's
# allocations: SLUB then keeps no CPU slabs for them, their counts of
# objects in use are exact, and a growth names its callers
# (tests/kernel/lib/reliab.sh, slab_grown; testing.rst).
VM_LEAK_APPEND ?= slub_debug=U,kmalloc-*
# The boots use the library, the tool and the peers as well as the modules.
vm: all
	@rm -rf $(B)/vm/out-2
	@$(if $(VM_TESTS),tests/vm/run.sh $(VM_TESTS) > /dev/null; true, \
		VM_SMP=1 tests/vm/run.sh $(filter-out $(VM_SHARD2),$(VM_ALL)) > /dev/null & \
		VM_SMP=1 VM_OUT=$(CURDIR)/$(B)/vm/out-2 VM_APPEND="$(strip $(VM_LEAK_APPEND) $(VM_APPEND))" \
			tests/vm/run.sh $(filter $(VM_SHARD2),$(VM_ALL)) > /dev/null; \
		wait; true)

check: deps
	@rm -f $(B)/reliab/env	# short forms (make stress writes the long ones)
	@$(MAKE) --no-print-directory all
	@rm -rf $(B)/tap && mkdir -p $(B)/tap
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory fuzz-check
	@$(MAKE) --no-print-directory lint-tap
	@$(MAKE) --no-print-directory vm
	@cp $(B)/vm/out/*.tap $(B)/tap/ 2>/dev/null; true
	@for f in $(B)/vm/out-2/*.tap; do \
		[ -f "$$f" ] || continue; n=$$(basename $$f); \
		[ $$n = vm.tap ] && n=vm-2.tap; cp $$f $(B)/tap/$$n; \
	done
	@$(if $(MATRIX_EXTRA),$(MAKE) --no-print-directory lib tools tests)
	@for k in $(MATRIX_EXTRA); do \
		$(MAKE) --no-print-directory vm-kernel SERIES=$$k & \
	done; wait
	@$(if $(filter 1,$(ARM64)),$(MAKE) --no-print-directory arm64-vm)
	@$(MAKE) --no-print-directory reliability-table
	@tests/summary.sh $(B)/tap/*.tap

check-kernels:
	@$(MAKE) --no-print-directory check KERNELS="6.1 6.12 7.3"

# One further kernel of the matrix: its modules (built in a copy,
# build/mod-SERIES/, so that the kernels' boots run side by side), one boot
# for MATRIX_TESTS, TAP files named apart.
vm-kernel: lib tools tests
	@mkdir -p $(B)/tap
	@k=$$(tools/kver $(SERIES)) || { \
		echo "not ok 1 vm-$(SERIES): no such kernel (tools/setup-deps --kernels $(SERIES))" \
			> $(B)/tap/vm-$(SERIES)-missing.tap; exit 0; }; \
	kb=$(B)/mod-$(SERIES); kd=$$(tools/kver --root $$k)/lib/modules/$$k/build; \
	mkdir -p $$kb && cp -u --parents $(KSRC) $$kb/ && \
	{ $(MAKE) -C $$kd M=$(CURDIR)/$$kb/kernel modules && \
	  $(MAKE) -C $$kd M=$(CURDIR)/$$kb/tests/kernel/kmod modules; } > $(B)/modules-$(SERIES).log 2>&1 || { \
		tail -n 20 $(B)/modules-$(SERIES).log | sed 's/^/# /' > $(B)/tap/vm-$(SERIES)-modules.tap; \
		echo "not ok 1 vm-$(SERIES): modules build for $$k" >> $(B)/tap/vm-$(SERIES)-modules.tap; exit 0; }; \
	! grep -E '(warning|error):' $(B)/modules-$(SERIES).log > $(B)/tap/vm-$(SERIES)-warnings.tap; \
	if [ -s $(B)/tap/vm-$(SERIES)-warnings.tap ]; then \
		sed -i 's/^/# /' $(B)/tap/vm-$(SERIES)-warnings.tap; \
		echo "not ok 1 vm-$(SERIES): modules build warning-free" >> $(B)/tap/vm-$(SERIES)-warnings.tap; \
	else echo "ok 1 vm-$(SERIES): modules build warning-free" > $(B)/tap/vm-$(SERIES)-warnings.tap; fi; \
	KVER=$$k VM_SMP=$(MATRIX_SMP) VM_KOBUILD=$$kb VM_OUT=$(CURDIR)/$(B)/vm/out-$(SERIES) tests/vm/run.sh $(MATRIX_TESTS) > /dev/null; \
	for f in $(B)/vm/out-$(SERIES)/*.tap; do \
		[ -f "$$f" ] && cp "$$f" $(B)/tap/vm-$(SERIES)-$$(basename $$f); \
	done; true

demo: deps
	@$(MAKE) --no-print-directory all
	@tests/vm/run.sh demo > $(B)/demo-vm.tap; rc=$$?; \
		cat $(B)/vm/out/demo.log 2>/dev/null; \
		[ $$rc -eq 0 ] || { cat $(B)/demo-vm.tap; exit 1; }

# The bench, in the VM: chipbench (driver time vs the simulator's modelled
# time), hsbench (handshakes vs the chip floor, vs a libssl client, resumed,
# concurrent, kTLS bulk data).  Three boots: one wall-clock (everything), two
# under QEMU's -icount (VM_ICOUNT=1: the handshake figures, in guest time
# that follows executed instructions), each into build/bench/BOOT/; then
# tests/bench/table.sh's table over the three, every row with its goal.
BENCH := $(B)/bench/chipbench $(B)/bench/hsbench
BENCH_BOOTS := wall icount1 icount2

$(BENCH): $(B)/bench/%: tests/bench/%.c $(LIB_A) $(wildcard tests/include/*.h libiotsec/src/kpp.h libiotsec/include/*.h)
	@mkdir -p $(@D)
	$(CC) -O2 $(WFLAGS) -Ilibiotsec/include -Ilibiotsec/src $(KINC) -Itests/include $< $(LIB_A) -o $@ -lkeyutils -lkcapi -lssl -lcrypto -lpthread

bench: deps
	@$(MAKE) --no-print-directory all $(BENCH)
	@rc=0; for boot in $(BENCH_BOOTS); do \
		case $$boot in icount*) ic=1 ;; *) ic=0 ;; esac; \
		echo "=== make bench: $$boot boot"; \
		VM_ICOUNT=$$ic VM_OUT=$(B)/bench/$$boot VM_TIMEOUT=$${VM_TIMEOUT:-2400} \
			VM_TEST_TIMEOUT=$${VM_TEST_TIMEOUT:-1800} \
			tests/vm/run.sh bench > $(B)/bench/$$boot.tap || \
			{ cat $(B)/bench/$$boot.tap; rc=1; }; \
		cat $(B)/bench/$$boot/bench.log 2>/dev/null; \
	done; \
	tests/bench/table.sh $(addprefix $(B)/bench/,$(BENCH_BOOTS)) || rc=1; \
	exit $$rc

# --- issue 17: reliability (faults, load, lifetime, soak, bad certificates).
# The tests are tests/kernel/reliab_*_test.sh; make check runs their short
# forms in its VM boot (the tests' defaults), make stress the long forms
# (build/reliab/env, read by the tests) in two boots of their own side by
# side, one vCPU each (STRESS_SHARD2 in the second: the load test alone is
# as long as the other three; that boot under QEMU's -icount, so that its
# rates and the simulated chip's 1.3 s watchdog run in guest time whatever
# the host's load: a host that kept the vCPU off its core for 1.35 s once
# put the chip to sleep under a handshake, see testing.rst); both print
# tests/reliability_table.sh's table.  reliab_hs is their multi-handshake
# client.
RELIAB_HS := $(B)/tests/reliab/reliab_hs
RELIAB_TESTS := reliab_fault_test reliab_load_test reliab_life_test reliab_certs_test
STRESS_TIMEOUT ?= 14400
STRESS_SHARD2 ?= reliab_load_test

tests: $(RELIAB_HS) $(B)/reliab/certs/done

# reliab_certs_test's chains, made here once (a second; two minutes of
# openssl runs in the TCG guest).
$(B)/reliab/certs/done: tests/kernel/lib/mkcerts.sh tests/kernel/lib/badcerts.sh tests/kernel/lib/pki.sh
	@tests/kernel/lib/mkcerts.sh $(@D)

$(RELIAB_HS): tests/kernel/reliab_hs.c $(LIB_A) libiotsec/include/iotsec.h tests/include/tcp.h
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(WFLAGS) -Itests/include -Ilibiotsec/include $< $(LIB_A) -o $@ $(LIB_LDLIBS)

stress: deps
	@$(MAKE) --no-print-directory all
	@mkdir -p $(B)/reliab && printf '%s\n' 'RELIAB_PROCS=8' 'RELIAB_HS=100' \
		'RELIAB_PROCS2=8' 'RELIAB_HS2=100' 'RELIAB_SOAK=2000' 'RELIAB_SOAK_FRESH=2000' \
		'RELIAB_LIFE_ROUNDS=10' 'RELIAB_FAULT_FORM=matrix' 'RELIAB_FAULT_NEXT=always' \
		'RELIAB_FAULT_SIDES=both' 'RELIAB_CERT_SIDES=both' 'RELIAB_LIFE_BYTES=1048576' > $(B)/reliab/env
	@rm -rf $(B)/vm/stress $(B)/vm/stress-2; \
	for o in stress stress-2; do \
		case $$o in stress) t="$(filter-out $(STRESS_SHARD2),$(RELIAB_TESTS))" ic=0 ;; \
			*) t="$(STRESS_SHARD2)" ic=1 ;; esac; \
		VM_ICOUNT=$$ic VM_SMP=1 VM_OUT=$(CURDIR)/$(B)/vm/$$o VM_TEST_TIMEOUT=$(STRESS_TIMEOUT) \
			VM_APPEND="$(strip $(VM_LEAK_APPEND) $(VM_APPEND))" \
			VM_TIMEOUT=$$(($(STRESS_TIMEOUT) * 3)) tests/vm/run.sh $$t > /dev/null & \
	done; wait; rm -f $(B)/reliab/env; \
	[ -f $(B)/vm/stress-2/vm.tap ] && mv $(B)/vm/stress-2/vm.tap $(B)/vm/stress-2/vm-2.tap; \
	tests/reliability_table.sh $(B)/vm/stress/*.tap $(B)/vm/stress-2/*.tap; rc=$$?; \
	tests/summary.sh $(B)/vm/stress/*.tap $(B)/vm/stress-2/*.tap || rc=1; exit $$rc

.PHONY: stress

# --- issue 17: libFuzzer targets (tests/fuzz/) for every parser that takes
# outside bytes, built with clang and ASan/UBSan on the host archive's
# sources.  make fuzz FUZZ_SECONDS=N runs each N s; make check runs each
# FUZZ_CHECK_SECONDS on the seeds and the regression inputs (TAP in
# build/tap/fuzz.tap, rows for the reliability table).
FUZZ_CC ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 2
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS := -g -O1 $(WFLAGS) $(FUZZ_SAN) $(TEST_CPPFLAGS) -Itools -Ikernel/iotsec
FUZZ_MSG := client_hello server_hello encrypted_extensions certificate_request \
	certificate certificate_verify finished key_update new_session_ticket
FUZZ_TARGETS := record $(FUZZ_MSG) x509 pem csr_subject profile ecdsa_der ticket
FUZZ_BIN := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
FUZZ_A := $(B)/fuzz/libiotsec-fuzz.a
FUZZ_LIB := $(UNIT_LIB) tools/profile.c tools/der.c tools/util.c
FUZZ_DEFS_ecdsa_der := -include kcompat.h kernel/iotsec/ecdsa_der.c
$(foreach t,$(FUZZ_MSG),$(eval FUZZ_DEFS_$(t) := -DFUZZ_NAME='"$(t)"'))
fuzz_src = tests/fuzz/fuzz_$(if $(filter $(1),$(FUZZ_MSG)),msg,$(1)).c

$(B)/fuzz/obj/%.o: %.c $(UNIT_HDRS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_A): $(FUZZ_LIB:%.c=$(B)/fuzz/obj/%.o)
	rm -f $@ && ar rcs $@ $^

$(FUZZ_BIN): $(B)/fuzz/%: $$(call fuzz_src,$$*) tests/fuzz/fuzz.h $(FUZZ_A) $(UNIT_HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer $(call fuzz_src,$*) $(FUZZ_DEFS_$*) \
		$(FUZZ_A) -o $@ $(TEST_LDLIBS)

fuzz-build: $(FUZZ_BIN)

fuzz: $(FUZZ_BIN)
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS) > $(B)/fuzz/fuzz.tap; rc=$$?; \
		cat $(B)/fuzz/fuzz.tap; exit $$rc

# make check's short run, one TAP file in build/tap.
fuzz-check: $(FUZZ_BIN)
	@mkdir -p $(B)/tap
	@tests/fuzz/run.sh $(FUZZ_CHECK_SECONDS) $(FUZZ_TARGETS) > $(B)/tap/fuzz.tap 2>&1; true

.PHONY: fuzz fuzz-build fuzz-check

# The table of the reliability rows in build/tap (make check), its verdict
# one TAP file so that tests/summary.sh counts a red cell.
reliability-table:
	@tests/reliability_table.sh $(B)/tap/*.tap > $(B)/reliability.txt; rc=$$?; \
		cat $(B)/reliability.txt; \
		if [ $$rc -eq 0 ]; then echo "ok 1 reliability table: no red cell"; \
		else echo "not ok 1 reliability table: $$(tail -n 1 $(B)/reliability.txt)"; \
		fi > $(B)/tap/reliability.tap

.PHONY: reliability-table

SH_FILES = $(shell git ls-files | xargs awk 'FNR == 1 && /^\#! ?\/bin\/(ba)?sh/ { print FILENAME } { nextfile }')
lint: $(CHECKPATCH)
	perl $(CHECKPATCH) --strict --no-tree --terse --quiet -f $(filter-out %.mod.c,$(wildcard kernel/*/*.c kernel/*/*.h kernel/include/*/*.h kernel/include/uapi/linux/*.h tests/kernel/kmod/*.c))
	$(MAKE) -C kernel KVER=$(KVER) sparse 2>&1 | tee $(B)/sparse.log
	@! grep -E '(warning|error):' $(B)/sparse.log
	$(if $(SH_FILES),shellcheck -S warning $(SH_FILES),@echo "lint: no git checkout, shellcheck skipped")
	@$(MAKE) --no-print-directory tests

# make check's form: make lint's verdict as one TAP line, its output kept.
lint-tap:
	@mkdir -p $(B)/tap
	@if $(MAKE) --no-print-directory lint > $(B)/lint.log 2>&1; then \
		echo "ok 1 lint: checkpatch --strict, sparse, shellcheck"; \
	else grep -E '^[^ ]+:[0-9]+:|(warning|error):|^In |SC[0-9]{4}' $(B)/lint.log | head -n 20 | sed 's/^/# /'; \
		echo "not ok 1 lint: checkpatch --strict, sparse, shellcheck (build/lint.log)"; \
	fi > $(B)/tap/lint.tap

clean:
	-$(MAKE) -C kernel KVER=$(KVER) KDIR=$(KDIR) clean
	-$(MAKE) -C tests/kernel/kmod KVER=$(KVER) KDIR=$(KDIR) clean
	rm -rf $(B)

.PHONY: all lib tools modules tests deps unit vm check check-kernels vm-kernel demo bench lint lint-tap clean install

# --- issue 20: arm64, the device tree, DKMS, Debian packages.
# make arm64 cross-builds the modules (against Debian 12's arm64 6.1
# headers that tools/setup-deps --arm64 unpacks), the library, the tool
# and the VM test programs into build/arm64/; make check-arm64 boots that
# kernel under qemu-system-aarch64 -M virt with the board tree plus
# dts/iotsec-generic.dtso (tests/vm/arm64/run.sh); TAP files
# build/tap/arm64-*.tap.  Not part of make check (see the README).
ARM64_ROOT ?= /var/lib/iotsec/arm64
ARM64_KVER = $(shell awk '$$1 == "kernel" { print $$2 }' $(ARM64_ROOT)/.iotsec-ready 2>/dev/null)
ARM64_KDIR = $(ARM64_ROOT)/kernel/usr/src/linux-headers-$(ARM64_KVER)
ARM64_CC := aarch64-linux-gnu-gcc
ARM64_B := $(B)/arm64
ARM64_TESTS ?= driver_test crypto_test keytype_test dt_bind_test session_test
# The module sources, copied to build/arm64/ (kbuild builds in its M= folder,
# which must not be the amd64 one).
ARM64_KSRC := $(KSRC)
ARM64_KCOPY := $(ARM64_KSRC:%=$(ARM64_B)/%)
ARM64_USER := $(ARM64_B)/tools/iotsec $(ARM64_B)/lib/libiotsec.so.0 \
	$(VMT_SRC:tests/kernel/%.c=$(ARM64_B)/tests/kernel/%)

$(ARM64_KCOPY): $(ARM64_B)/%: %
	@mkdir -p $(@D) && cp $< $@

deps-arm64:
	@tools/setup-deps --arm64

arm64: deps-arm64 $(ARM64_KCOPY)
	$(MAKE) -C $(ARM64_KDIR) M=$(CURDIR)/$(ARM64_B)/kernel ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules
	$(MAKE) -C $(ARM64_KDIR) M=$(CURDIR)/$(ARM64_B)/tests/kernel/kmod ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- modules
	@$(MAKE) --no-print-directory B=$(ARM64_B) CC=$(ARM64_CC) $(ARM64_USER)

# arm64-vm: the boot, TAP files build/tap/arm64-*.tap (make check ARM64=1
# counts them in its closing line); check-arm64 alone has its own.
arm64-vm: arm64
	@mkdir -p $(B)/tap && rm -f $(B)/tap/arm64-*.tap
	@tests/vm/arm64/run.sh $(ARM64_TESTS) > /dev/null; \
	for f in $(ARM64_B)/vm/out/*.tap; do \
		[ -f "$$f" ] && cp "$$f" $(B)/tap/arm64-$$(basename $$f); \
	done; true

check-arm64: arm64-vm
	@tests/summary.sh $(B)/tap/arm64-*.tap

# DKMS: the modules' source in /usr/src/iotsec-VERSION, built and installed
# for each kernel with headers (DKMS_KERNELS), rebuilt on kernel upgrades.
# check-dkms does the same into scratch trees under build/dkms.
DKMS_VERSION := $(LIB_VERSION)
DKMS_KERNELS ?= $(patsubst /lib/modules/%/build,%,$(wildcard /lib/modules/*/build))

dkms-install:
	tools/deb/dkms-tree.sh $(DESTDIR)/usr/src/iotsec-$(DKMS_VERSION) $(DKMS_VERSION)
	-dkms remove iotsec/$(DKMS_VERSION) --all > /dev/null 2>&1
	dkms add iotsec/$(DKMS_VERSION)
	for k in $(DKMS_KERNELS); do dkms install iotsec/$(DKMS_VERSION) -k $$k || exit 1; done

check-dkms:
	@mkdir -p $(B)/tap
	@tests/pkg/dkms_test.sh $(DKMS_VERSION) $(DKMS_KERNELS) > $(B)/tap/pkg-dkms.tap 2>&1; true
	@tests/summary.sh $(B)/tap/pkg-dkms.tap

# Debian packages (tools/deb/build.sh): iotsec-dkms, libiotsec0,
# libiotsec-dev, iotsec-tools in build/deb (DEB_ARCH=arm64: from make
# arm64's build), lintian errors and warnings fail.  check-deb installs
# them in the amd64 VM (tests/kernel/deb_install_test.sh).
DEB_ARCH ?= $(shell dpkg --print-architecture)

deb:
	tools/deb/build.sh $(B)/deb$(if $(filter-out amd64,$(DEB_ARCH)),-$(DEB_ARCH)) $(DKMS_VERSION) $(DEB_ARCH)

check-deb: deb
	@mkdir -p $(B)/tap
	@VM_OUT=$(CURDIR)/$(B)/vm/out-deb VM_TEST_TIMEOUT=1800 VM_TIMEOUT=2400 \
		tests/vm/run.sh deb_install_test > /dev/null; \
	for f in $(B)/vm/out-deb/*.tap; do \
		[ -f "$$f" ] && cp "$$f" $(B)/tap/deb-$$(basename $$f); \
	done; true
	@tests/summary.sh $(B)/tap/deb-*.tap

.PHONY: deps-arm64 arm64 arm64-vm check-arm64 dkms-install check-dkms deb check-deb
