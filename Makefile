# SPDX-License-Identifier: GPL-2.0
#
# make            the module for every supported kernel found, and the tool
# make KVER=R     the module for kernel release R only (a release ending in
#                 -hashgate-debug gets DEBUG: selftests run at load)
# make check      every test: host unit tests, then the kernel suite in a VM
#                 on each supported kernel; ends with "N passed, N failed"
# make demo       the module enforcing in a VM, with events shown
# make lint       checkpatch --strict on module/ and tests/kernel/,
#                 kernel-doc on module/, the module with W=1 and sparse
#                 (C=2) on each kernel, -Werror build of the tool
# make mutations  deliberate bugs (tests/mutations/), each must fail its tests
# make deb        Debian packages hashgate and hashgate-dkms in build/deb/,
#                 checked with lintian
# make install    the tool, its man page and the module for each kernel
#                 built (DESTDIR honoured; depmod run when DESTDIR is empty)
# make SIGNING_CERT=cert.pem
#                 embed that certificate: the module then trusts it and
#                 accepts only allowlists signed with its key
# make ARCH=arm64 modules
#                 the module for Debian 12's arm64 6.1 and 6.12 cloud
#                 kernels, cross-compiled against the headers extracted in
#                 build/arm64/root (KVER=R: release R only)

TOP := $(CURDIR)
BUILD := $(TOP)/build

ifeq ($(ARCH),arm64)
# Cross-compiled against the extracted arm64 headers; objects still go to
# build/<release>/, which the -arm64 release names keep apart.
ARM64_HEADERS ?= $(TOP)/build/arm64/root/usr/src
KVERS ?= $(patsubst linux-headers-%,%,$(notdir $(wildcard \
	$(ARM64_HEADERS)/linux-headers-6.1.*-cloud-arm64 \
	$(ARM64_HEADERS)/linux-headers-6.12.*-cloud-arm64)))
kdir = $(ARM64_HEADERS)/linux-headers-$(1)
CROSS_COMPILE ?= aarch64-linux-gnu-
KBUILD_ARCH := ARCH=arm64 CROSS_COMPILE=$(CROSS_COMPILE)
else
# Debian 12's 6.1 and 6.12 cloud kernels, whichever are installed.
KVERS ?= $(notdir $(wildcard /lib/modules/6.1.*-cloud-amd64 /lib/modules/6.12.*-cloud-amd64))
kdir = /lib/modules/$(1)/build
KBUILD_ARCH :=
endif
ifdef KVER
KVERS := $(KVER)
endif

MODULE_SRCS := Kbuild $(wildcard module/*.c module/*.h module/*.S module/uapi/*.h \
		module/selftest/*.c module/arch/*/*)

.PHONY: all modules tool tests check demo lint clean setup install bench mutations deb

all: modules tool

# Each kernel gets its own copy of the sources: kbuild writes objects next
# to them, and two kernels must not share objects.
modules: $(foreach k,$(KVERS),$(BUILD)/$(k)/hashgate.ko)

# Rebuilt when SIGNING_CERT changes too: embed-certs only touches its
# output when the certificates differ.
.PHONY: FORCE
$(BUILD)/%/hashgate.ko: $(MODULE_SRCS) FORCE
	@test -d $(call kdir,$*) || { echo "no headers for $*: run scripts/setup" >&2; exit 1; }
	@mkdir -p $(BUILD)/$*/module/uapi $(BUILD)/$*/module/selftest
	@cp -p Kbuild $(BUILD)/$*/
	@cp -p module/*.c module/*.h module/*.S $(BUILD)/$*/module/
	@cp -p module/uapi/*.h $(BUILD)/$*/module/uapi/
	@cp -p module/selftest/*.c $(BUILD)/$*/module/selftest/
	@cp -rp module/arch $(BUILD)/$*/module/
	@scripts/embed-certs $(BUILD)/$*/module/embedded_certs.der $(SIGNING_CERT)
	$(MAKE) -C $(call kdir,$*) M=$(BUILD)/$* $(KBUILD_ARCH) \
		$(if $(filter %-hashgate-debug,$*),HASHGATE_DEBUG=y) modules

tool:
	$(MAKE) -C userspace O=$(BUILD)

tests: tool
	$(MAKE) -C tests/kernel O=$(BUILD)

setup:
	scripts/setup

PREFIX ?= /usr
install: all
	install -D -m 0755 $(BUILD)/hashgate $(DESTDIR)$(PREFIX)/sbin/hashgate
	install -D -m 0644 userspace/man/hashgate.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/hashgate.8
	install -D -m 0644 userspace/man/hashgate.conf.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/hashgate.conf.5
	for k in $(KVERS); do \
		install -D -m 0644 $(BUILD)/$$k/hashgate.ko \
			$(DESTDIR)/lib/modules/$$k/updates/hashgate.ko || exit 1; \
		[ -n "$(DESTDIR)" ] || depmod -a $$k; \
	done

check:
	scripts/check

demo:
	scripts/demo

lint:
	scripts/lint

bench:
	scripts/bench/run

mutations:
	scripts/mutations

deb:
	scripts/deb

clean:
	rm -rf $(BUILD)/6.* $(BUILD)/hashgate $(BUILD)/tests $(BUILD)/obj $(BUILD)/asan $(BUILD)/vm
