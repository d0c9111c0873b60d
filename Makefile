# SPDX-License-Identifier: GPL-2.0
#
# make            the module for every supported kernel found (installed
#                 amd64 ones, and the arm64 ones scripts/setup-arm64
#                 unpacked, cross-compiled), and the tool
# make KVER=R     the module for kernel release R only (a release ending in
#                 -hashgate-debug gets DEBUG: selftests run at load)
# make check      every test: host unit tests, then the kernel suite in a VM
#                 on each supported kernel; ends with "N passed, N failed"
# make demo       the module enforcing in a VM, with events shown
# make demo ARCH=arm64
#                 the same in an arm64 VM (qemu-system-aarch64, TCG):
#                 scripts/setup-arm64 first if its downloads are missing,
#                 then the arm64 cross build (HASHGATE_DEMO_KERNEL=6.1|6.12
#                 picks the guest kernel, for either arch)
# make bench      the benchmarks in VMs (Documentation/performance.rst)
# make bench ARCH=arm64
#                 the exec and library storms on arm64 6.1 and 6.12 under
#                 qemu-system-aarch64 (TCG), into
#                 Documentation/perf/results-arm64.txt: qemu on an x86 host
#                 shows neither arm64 memory ordering nor real cost
# make lint       checkpatch --strict on module/ and tests/kernel/,
#                 kernel-doc on module/, the module with W=1 and sparse
#                 (C=2) on each kernel, -Werror build of the tool
# make mutations  deliberate bugs (tests/mutations/), each must fail its tests
# make deb        Debian packages hashgate and hashgate-dkms in build/deb/,
#                 checked with lintian
# make install    the tool, its man page and the module for each kernel
#                 built for the host's arch (DESTDIR honoured; depmod run
#                 when DESTDIR is empty)
# make ARCH=arm64 tool tests
#                 the tool and the test programs cross-built for aarch64
#                 into build/arm64/ (after scripts/setup-arm64), for
#                 scripts/vm-run --arch arm64; the module is not built
# make SIGNING_CERT=cert.pem
#                 embed that certificate: the module then trusts it and
#                 accepts only allowlists signed with its key
# make ARCH=arm64 modules
#                 the module for Debian 12's arm64 6.1 and 6.12 kernels,
#                 both flavours (cloud-arm64, which the tests boot, and
#                 arm64, which servers run), cross-compiled against the
#                 headers extracted in build/arm64/root (KVER=R: R only)

TOP := $(CURDIR)
BUILD := $(TOP)/build

# The kernels: Debian 12's 6.1 and 6.12 amd64 cloud kernels that are
# installed, and the arm64 ones whose headers scripts/setup-arm64 unpacked
# (both flavours: cloud-arm64, which the tests boot, and arm64, which
# servers run), cross-compiled; ARCH=arm64: those only. Objects go to
# build/<release>/, which the release names keep apart.
ARM64_HEADERS ?= $(TOP)/build/arm64/root/usr/src
KVERS_ARM64 := $(patsubst linux-headers-%,%,$(notdir $(wildcard \
	$(ARM64_HEADERS)/linux-headers-6.1.*-arm64 \
	$(ARM64_HEADERS)/linux-headers-6.12.*-arm64)))
ifeq ($(ARCH),arm64)
KVERS ?= $(KVERS_ARM64)
else
KVERS ?= $(notdir $(wildcard /lib/modules/6.1.*-cloud-amd64 /lib/modules/6.12.*-cloud-amd64)) \
	$(KVERS_ARM64)
endif
CROSS_COMPILE ?= aarch64-linux-gnu-
# A release is arm64 when its name says so (-arm64, -cloud-arm64).
kdir = $(if $(filter %-arm64,$(1)),$(ARM64_HEADERS)/linux-headers-$(1),/lib/modules/$(1)/build)
karch = $(if $(filter %-arm64,$(1)),ARCH=arm64 CROSS_COMPILE=$(CROSS_COMPILE))
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
	$(MAKE) -C $(call kdir,$*) M=$(BUILD)/$* $(call karch,$*) \
		$(if $(filter %-hashgate-debug,$*),HASHGATE_DEBUG=y) modules

# ARCH=arm64: cross-built against the arm64 -dev packages that
# scripts/setup-arm64 unpacked into build/arm64/root (not installed: they
# would pin the host's amd64 libraries). -rpath-link lets ld find the
# libraries those link in turn; the guest finds them where vm-run puts them.
ifeq ($(ARCH),arm64)
ARM64_ROOT := $(BUILD)/arm64/root
ARM64_LIBDIRS := $(ARM64_ROOT)/usr/lib/aarch64-linux-gnu $(ARM64_ROOT)/lib/aarch64-linux-gnu
TARGET_OUT := $(BUILD)/arm64
CROSS := CC=aarch64-linux-gnu-gcc \
	CPPFLAGS="-I$(ARM64_ROOT)/usr/include -I$(ARM64_ROOT)/usr/include/aarch64-linux-gnu" \
	LDFLAGS="$(foreach d,$(ARM64_LIBDIRS),-L$(d) -Wl,-rpath-link,$(d))"
else
TARGET_OUT := $(BUILD)
CROSS :=
endif

tool:
ifeq ($(ARCH),arm64)
	@test -f $(BUILD)/arm64/done || { echo "no arm64 sysroot: run scripts/setup-arm64" >&2; exit 1; }
endif
	$(MAKE) -C userspace O=$(TARGET_OUT) $(CROSS)

# The signed fixtures are compiled by the host's tool, whatever the target.
tests: tool
ifeq ($(ARCH),arm64)
	$(MAKE) -C userspace O=$(BUILD) ARCH=
endif
	$(MAKE) -C tests/kernel O=$(TARGET_OUT) HOST_TOOL=$(BUILD)/hashgate $(CROSS) \
		$(if $(filter arm64,$(ARCH)),SYSROOT=$(ARM64_ROOT))

setup:
	scripts/setup

PREFIX ?= /usr
install: all
	install -D -m 0755 $(BUILD)/hashgate $(DESTDIR)$(PREFIX)/sbin/hashgate
	install -D -m 0644 userspace/man/hashgate.8 \
		$(DESTDIR)$(PREFIX)/share/man/man8/hashgate.8
	install -D -m 0644 userspace/man/hashgate.conf.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/hashgate.conf.5
	for k in $(if $(filter arm64,$(ARCH)),$(KVERS),$(filter-out %-arm64,$(KVERS))); do \
		install -D -m 0644 $(BUILD)/$$k/hashgate.ko \
			$(DESTDIR)/lib/modules/$$k/updates/hashgate.ko || exit 1; \
		[ -n "$(DESTDIR)" ] || depmod -a $$k; \
	done

check:
	scripts/check

demo:
	scripts/demo $(if $(filter arm64,$(ARCH)),--arch arm64)

lint:
	scripts/lint

bench:
	scripts/bench/run $(if $(filter arm64,$(ARCH)),--arch arm64)

mutations:
	scripts/mutations

deb:
	scripts/deb $(if $(filter arm64,$(ARCH)),--arch arm64)

# The arm64 cross builds go too; what scripts/setup-arm64 unpacked stays.
clean:
	rm -rf $(BUILD)/6.* $(BUILD)/hashgate $(BUILD)/tests $(BUILD)/obj $(BUILD)/asan $(BUILD)/vm
	rm -rf $(BUILD)/arm64/hashgate $(BUILD)/arm64/obj $(BUILD)/arm64/tests
