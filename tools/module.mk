# SPDX-License-Identifier: GPL-2.0
#
# Out-of-tree build of the modules in $(CURDIR) (its Kbuild) against an
# installed kernel's headers, never the running kernel's: this host may
# run another kernel entirely.  KVER defaults to Debian 12's 6.1
# (tools/kver).  Included by kernel/Makefile and tests/kernel/kmod/Makefile,
# which set TOP (the checkout) first.

KVER ?= $(shell $(TOP)/tools/kver)
KDIR ?= /lib/modules/$(KVER)/build

all: modules

modules:
	@test -d "$(KDIR)" || { echo "kernel headers for '$(KVER)' not found: run tools/setup-deps" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

.PHONY: all modules clean
