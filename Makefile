# isatap — hand-written GNU Makefile.
#   make                 build the three programs into $(BUILD)/
#   make check           install missing Debian packages, build, run every test
#   make check SANITIZE=1   the same under AddressSanitizer + UBSan (build-san/)
#   make CC=clang        any C11 compiler; objects go to build-clang/ for clang
#   make install PREFIX=/usr DESTDIR=/tmp/stage
#   make fuzz FUZZ_SECONDS=60   run each libFuzzer target (needs clang)
#   make demo / demo-down       the self-contained demo site (root)
#   make bench / bench-smoke    datapath benchmark (root)
#   make macos MACOS_SDK=DIR    cross-build for macOS (arm64, x86_64) on Linux
# Quiet unless V=1.

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
SBINDIR    ?= $(PREFIX)/sbin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
SYSCONFDIR ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
RUNSTATEDIR ?= $(if $(filter Darwin,$(TARGET_OS)),/var/run,/run)
# Service files: systemd units + sysusers.d on Linux, launchd jobs on macOS.
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR    ?= $(PREFIX)/lib/sysusers.d
LAUNCHDDIR     ?= /Library/LaunchDaemons
# Where the launchd jobs find the programs (Homebrew: its opt/ link, which
# outlives upgrades).
LAUNCHD_SBINDIR ?= $(SBINDIR)
DESTDIR    ?=

CC         ?= cc
PKG_CONFIG ?= pkg-config
SANITIZE   ?=
V          ?= 0

ccname := $(notdir $(firstword $(CC)))
BUILD ?= build$(if $(filter clang%,$(ccname)),-clang)$(if $(SANITIZE),-san)

ifeq ($(V),1)
Q :=
msg = @true
else
Q := @
msg = @printf '  %-7s %s\n' $(1) $(2)
endif

UNAME_S := $(shell uname -s)
# The system the programs are for: this one, or Darwin when `make macos`
# cross-builds (mk/macos.mk).
TARGET_OS ?= $(UNAME_S)

# Libraries through pkg-config; '=' so that they are looked up when a recipe
# runs, after `make deps` may have installed them.
PKGS_CONTROL  = libuv jansson $(if $(filter Linux,$(TARGET_OS)),libmnl)
PKGS_DATAPATH = $(if $(filter Linux,$(TARGET_OS)),libmnl libcap-ng) $(HAVE_SECCOMP)
PKGS_CTL      = jansson
# On a Mac CMocka is only there for `make unit` (brew install cmocka): the
# programs must build without it, and one missing package empties a whole
# pkg-config query.
PKGS_TEST     = $(if $(filter Darwin,$(TARGET_OS)),$(shell $(PKG_CONFIG) --exists cmocka 2>/dev/null && echo cmocka),cmocka)
HAVE_SECCOMP  = $(if $(filter Linux,$(TARGET_OS)),$(shell $(PKG_CONFIG) --exists libseccomp 2>/dev/null && echo libseccomp))
# glibc's libresolv answers DNS with TTLs on Linux; on macOS the queries go to
# mDNSResponder through dns_sd, in libSystem (control/dns_darwin.c).
LIBS_RESOLV   = $(if $(filter Linux,$(TARGET_OS)),-lresolv)
pkgcflags     = $(shell $(PKG_CONFIG) --cflags $(1) 2>/dev/null)
pkglibs       = $(shell $(PKG_CONFIG) --libs $(1) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla -Wno-unused-parameter
comma := ,
SANFLAGS := $(if $(SANITIZE),-fsanitize=address$(comma)undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -D_GNU_SOURCE -I. -Iproto -Icommon \
	-DSYSCONFDIR='"$(SYSCONFDIR)"' -DRUNSTATEDIR='"$(RUNSTATEDIR)"' \
	$(if $(HAVE_SECCOMP),-DHAVE_SECCOMP) $(OS_CFLAGS) -MMD -MP
# macOS lacks a few Linux calls the shared code makes (SOCK_CLOEXEC and
# SOCK_NONBLOCK in socket(), accept4, getrandom): common/compat_darwin.h.
OS_CFLAGS = $(if $(filter Darwin,$(TARGET_OS)),-include common/compat_darwin.h)
ALL_LDFLAGS = $(LDFLAGS) $(SANFLAGS)

# ---- sources ----------------------------------------------------------------
# The OS edges are one file per system: *_linux.c or *_darwin.c (and the
# datapath's event loop: evloop_linux.c or evloop_kqueue.c); the rest is
# shared, the platform-neutral halves of the macOS code included, so that
# they are unit-tested here.
OTHER_OS_SRC := $(if $(filter Darwin,$(TARGET_OS)),%_linux.c,%_darwin.c datapath/evloop_kqueue.c)
os_src = $(filter-out $(OTHER_OS_SRC),$(1))
PROTO_SRC    := $(wildcard proto/*.c)
COMMON_SRC   := $(call os_src,$(wildcard common/*.c))
CORE_SRC     := $(wildcard control/core/*.c)
CONTROL_SRC  := $(call os_src,$(filter-out control/main.c,$(wildcard control/*.c)))
DATAPATH_SRC := $(call os_src,$(filter-out datapath/main.c,$(wildcard datapath/*.c)))
CTL_SRC      := $(call os_src,$(filter-out ctl/main.c,$(wildcard ctl/*.c)))
TESTLIB_SRC  := $(wildcard tests/unit/lib/*.c)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

LIB_PROTO    := $(BUILD)/libproto.a
LIB_COMMON   := $(BUILD)/libcommon.a
LIB_CORE     := $(BUILD)/libcontrolcore.a
LIB_CONTROL  := $(BUILD)/libcontrol.a
LIB_DATAPATH := $(BUILD)/libdatapath.a
LIB_CTL      := $(BUILD)/libctl.a
LIB_TESTLIB  := $(BUILD)/libtestutil.a

PROGS := $(BUILD)/isatap-datapath $(BUILD)/isatap-control $(BUILD)/isatapctl
UNIT_TESTS := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(wildcard tests/unit/test_*.c))

.PHONY: all check unit man-lint deps clean install uninstall fuzz fuzz-build fuzz-check \
	integration tools demo demo-down bench bench-smoke format format-check macos macos-one macos-ci homebrew-formula
.DEFAULT_GOAL := all
# Keep test objects: they are intermediate files of pattern rules.
.SECONDARY:

all: $(PROGS)

# Rebuild everything when the compiler or flags change.
$(BUILD)/.flags: FORCE
	@mkdir -p $(BUILD)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@
FORCE:

$(BUILD)/obj/%.o: %.c $(BUILD)/.flags
	$(call msg,CC,$<)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(call pkgcflags,$(PKGS_CONTROL) $(PKGS_DATAPATH) $(PKGS_TEST)) -c -o $@ $<

define lib_rule
$(1): $(call obj,$(2))
	$$(call msg,AR,$$@)
	@rm -f $$@
	$$(Q)$$(AR) rcs $$@ $$^
endef
$(eval $(call lib_rule,$(LIB_PROTO),$(PROTO_SRC)))
$(eval $(call lib_rule,$(LIB_COMMON),$(COMMON_SRC)))
$(eval $(call lib_rule,$(LIB_CORE),$(CORE_SRC)))
$(eval $(call lib_rule,$(LIB_CONTROL),$(CONTROL_SRC)))
$(eval $(call lib_rule,$(LIB_DATAPATH),$(DATAPATH_SRC)))
$(eval $(call lib_rule,$(LIB_CTL),$(CTL_SRC)))
$(eval $(call lib_rule,$(LIB_TESTLIB),$(TESTLIB_SRC)))

$(BUILD)/isatap-datapath: $(call obj,datapath/main.c) $(LIB_DATAPATH) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_DATAPATH))

$(BUILD)/isatap-control: $(call obj,control/main.c) $(LIB_CONTROL) $(LIB_CORE) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_CONTROL)) $(LIBS_RESOLV) -lm

$(BUILD)/isatapctl: $(call obj,ctl/main.c) $(LIB_CTL) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_CTL))

# ---- unit tests: tests/unit/test_<area>_*.c, linked by area -------------------
$(BUILD)/tests/test_proto_%: $(BUILD)/obj/tests/unit/test_proto_%.o $(LIB_TESTLIB) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_TEST))
$(BUILD)/tests/test_common_%: $(BUILD)/obj/tests/unit/test_common_%.o $(LIB_TESTLIB) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_TEST))
$(BUILD)/tests/test_core_%: $(BUILD)/obj/tests/unit/test_core_%.o $(LIB_TESTLIB) $(LIB_CORE) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_TEST)) -lm
$(BUILD)/tests/test_control_%: $(BUILD)/obj/tests/unit/test_control_%.o $(LIB_TESTLIB) $(LIB_CONTROL) $(LIB_CORE) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_TEST) $(PKGS_CONTROL)) $(LIBS_RESOLV) -lm
$(BUILD)/tests/test_dp_%: $(BUILD)/obj/tests/unit/test_dp_%.o $(LIB_TESTLIB) $(LIB_DATAPATH) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_TEST) $(PKGS_DATAPATH))
$(BUILD)/tests/test_ctl_%: $(BUILD)/obj/tests/unit/test_ctl_%.o $(LIB_TESTLIB) $(LIB_CTL) $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(call pkglibs,$(PKGS_TEST) $(PKGS_CTL))

# ---- test tools: tests/tools/<name>.c -> $(BUILD)/tests/tools/<name> ----------
TOOLS := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
$(BUILD)/tests/tools/%: $(BUILD)/obj/tests/tools/%.o $(LIB_PROTO) $(LIB_COMMON)
	$(call msg,LD,$@)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^
tools: $(TOOLS)

# The unit tests read ../shared-independent vectors from tests/vectors/.
unit: $(UNIT_TESTS)
	@ASAN_OPTIONS=detect_leaks=1 tests/run-unit $(UNIT_TESTS)

# ---- fuzzing (clang + libFuzzer) ---------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_CHECK_SECONDS ?= 20
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BUILD   := build-fuzz
FUZZ_BINS    := $(patsubst tests/fuzz/%.c,$(FUZZ_BUILD)/%,$(FUZZ_SRC))
FUZZ_CFLAGS  := -std=gnu11 -g -O1 -D_GNU_SOURCE -I. -Iproto -Icommon $(WARN) \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

$(FUZZ_BUILD)/%: tests/fuzz/%.c $(PROTO_SRC) $(wildcard proto/*.h)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(PROTO_SRC)

# isatapctl's handling of the daemon's replies (fuzz_ctl_*): the ctl code and jansson.
FUZZ_CTL_SRC := $(CTL_SRC) $(COMMON_SRC) $(PROTO_SRC)
$(FUZZ_BUILD)/fuzz_ctl_%: tests/fuzz/fuzz_ctl_%.c $(FUZZ_CTL_SRC) $(wildcard ctl/*.h proto/*.h)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DRUNSTATEDIR='"$(RUNSTATEDIR)"' $(call pkgcflags,$(PKGS_CTL)) \
		-o $@ $< $(FUZZ_CTL_SRC) $(call pkglibs,$(PKGS_CTL))

# isatap-control's parsers of outside text (fuzz_control_*): JSON-RPC requests,
# the configuration file, DNS answers.
FUZZ_CONTROL_SRC := control/jsonrpc.c control/conf.c control/dns.c $(COMMON_SRC) $(PROTO_SRC)
$(FUZZ_BUILD)/fuzz_control_%: tests/fuzz/fuzz_control_%.c $(FUZZ_CONTROL_SRC) $(wildcard control/*.h proto/*.h)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -DSYSCONFDIR='"$(SYSCONFDIR)"' -DRUNSTATEDIR='"$(RUNSTATEDIR)"' \
		$(call pkgcflags,libuv jansson) -o $@ $< $(FUZZ_CONTROL_SRC) $(call pkglibs,libuv jansson) -lresolv

# The datapath's message server and tables, without main.c and the OS edges.
FUZZ_DPCTL_SRC := datapath/ctlsock.c datapath/state.c datapath/fwd.c datapath/clock.c \
	datapath/nd_in.c \
	$(wildcard datapath/offload*.c) \
	$(COMMON_SRC) $(PROTO_SRC)
$(FUZZ_BUILD)/fuzz_dp_ctlsock: tests/fuzz/fuzz_dp_ctlsock.c $(FUZZ_DPCTL_SRC) $(wildcard datapath/*.h proto/*.h)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_DPCTL_SRC)

# The datapath's pure offload code (segmentation, coalescing): no I/O.
FUZZ_DP_SRC := $(wildcard datapath/offload*.c) $(PROTO_SRC)
$(FUZZ_BUILD)/fuzz_dp_%: tests/fuzz/fuzz_dp_%.c $(FUZZ_DP_SRC) $(wildcard datapath/offload.h proto/*.h tests/fuzz/fuzz.h)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< $(FUZZ_DP_SRC)

# The macOS code's platform-neutral parsers: XNU routing-socket messages
# (common/rtmsg.c) and raw-socket datagrams in XNU's byte order
# (datapath/raw_order.c).
$(FUZZ_BUILD)/fuzz_rtmsg: tests/fuzz/fuzz_rtmsg.c common/rtmsg.c common/rtmsg.h tests/fuzz/fuzz.h
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< common/rtmsg.c
$(FUZZ_BUILD)/fuzz_raw_order: tests/fuzz/fuzz_raw_order.c datapath/raw_order.c datapath/raw_order.h $(PROTO_SRC)
	$(call msg,FUZZCC,$@)
	@mkdir -p $(FUZZ_BUILD)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ $< datapath/raw_order.c $(PROTO_SRC)

fuzz-build: $(FUZZ_BINS)
fuzz: fuzz-build
	@tests/fuzz/run $(FUZZ_SECONDS) $(FUZZ_BINS)
fuzz-check:
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MAKE) --no-print-directory fuzz-build && tests/fuzz/run $(FUZZ_CHECK_SECONDS) $(FUZZ_BINS); \
	else echo "SKIPPED: fuzz targets ($(FUZZ_CC) not installed)"; fi

# ---- documentation ------------------------------------------------------------
MANPAGES := $(wildcard man/*.[0-9])
man-lint:
	$(call msg,MANDOC,"$(MANPAGES)")
	$(Q)if [ -n "$(MANPAGES)" ]; then mandoc -Tlint -Wwarning $(MANPAGES); fi

# ---- integration (root, network namespaces) ----------------------------------
integration: all $(TOOLS)
	@BUILD=$(BUILD) tests/integration/run

# ---- the test command -----------------------------------------------------------
# `make check` works on a fresh Debian 12 machine as root: it installs what is
# missing first, then builds and runs everything in a fresh make.
check:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory check-run

check-run: all $(UNIT_TESTS) $(TOOLS)
	@tests/run-all $(BUILD)

deps:
	@dist/deps.sh

# ---- demo and benchmark ----------------------------------------------------------
# `make demo` on a fresh Debian 12 (root): packages first, then a fresh make
# (pkg-config must see them; tools: dpclient configures the demo's router),
# then the site.
demo:
	@dist/deps.sh demo
	@$(MAKE) --no-print-directory -s all tools
	@BUILD=$(BUILD) demo/demo.sh up
demo-down:
	@demo/demo.sh down
bench: all $(TOOLS)
	@BUILD=$(BUILD) bench/bench.sh
bench-smoke: all $(TOOLS)
	@BUILD=$(BUILD) bench/bench.sh --smoke

# ---- install ------------------------------------------------------------------------
install: all
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8
	install -m 0755 $(BUILD)/isatap-datapath $(BUILD)/isatap-control $(DESTDIR)$(SBINDIR)/
	install -m 0755 $(BUILD)/isatapctl $(DESTDIR)$(BINDIR)/
	# The pages name the default paths; they follow SYSCONFDIR, RUNSTATEDIR, DATADIR.
	for m in $(MANPAGES); do sed -e 's|/etc/isatap/|$(SYSCONFDIR)/isatap/|g' \
		-e 's|/run/isatap/|$(RUNSTATEDIR)/isatap/|g' -e 's|/usr/share/doc/isatap/|$(DATADIR)/doc/isatap/|g' \
		$$m >$(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} && chmod 0644 $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/} || exit 1; done
	if [ -f completion/isatapctl.bash ]; then install -d $(DESTDIR)$(DATADIR)/bash-completion/completions && \
		install -m 0644 completion/isatapctl.bash $(DESTDIR)$(DATADIR)/bash-completion/completions/isatapctl; fi
	if [ -f dist/isatap.conf.example ]; then install -d $(DESTDIR)$(DATADIR)/doc/isatap && \
		install -m 0644 dist/isatap.conf.example $(DESTDIR)$(DATADIR)/doc/isatap/; fi
ifeq ($(TARGET_OS),Darwin)
	install -d $(DESTDIR)$(LAUNCHDDIR)
	for j in isatap.datapath isatap.control; do \
		sed 's|@SBINDIR@|$(LAUNCHD_SBINDIR)|g' dist/launchd/$$j.plist >$(DESTDIR)$(LAUNCHDDIR)/$$j.plist && \
		chmod 0644 $(DESTDIR)$(LAUNCHDDIR)/$$j.plist || exit 1; done
else
	install -d $(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR)
	for u in isatap-datapath isatap-control; do \
		sed 's|@SBINDIR@|$(SBINDIR)|g' dist/systemd/$$u.service >$(DESTDIR)$(SYSTEMDUNITDIR)/$$u.service && \
		chmod 0644 $(DESTDIR)$(SYSTEMDUNITDIR)/$$u.service || exit 1; done
	install -m 0644 dist/sysusers.d/isatap.conf $(DESTDIR)$(SYSUSERSDIR)/isatap.conf
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/isatap-datapath $(DESTDIR)$(SBINDIR)/isatap-control $(DESTDIR)$(BINDIR)/isatapctl
	for m in $(MANPAGES); do rm -f $(DESTDIR)$(MANDIR)/man$${m##*.}/$${m##*/}; done
	rm -f $(DESTDIR)$(DATADIR)/bash-completion/completions/isatapctl
	rm -rf $(DESTDIR)$(DATADIR)/doc/isatap
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/isatap-datapath.service $(DESTDIR)$(SYSTEMDUNITDIR)/isatap-control.service
	rm -f $(DESTDIR)$(SYSUSERSDIR)/isatap.conf
	rm -f $(DESTDIR)$(LAUNCHDDIR)/isatap.datapath.plist $(DESTDIR)$(LAUNCHDDIR)/isatap.control.plist

format:
	clang-format -i $(shell git ls-files '*.c' '*.h')
format-check:
	@clang-format --dry-run -Werror $(shell git ls-files '*.c' '*.h')

clean:
	rm -rf build build-clang build-san build-clang-san build-fuzz build-macos-arm64 build-macos-x86_64

include mk/bpf.mk
include mk/macos.mk

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
