# ---- the macOS cross-build, on Linux (included by the Makefile) ----------------
#   make macos MACOS_SDK=DIR      arm64 (macOS 11+) and x86_64 (macOS 10.15+)
# programs in build-macos-arm64/ and build-macos-x86_64/, linked against the
# SDK's libSystem with Debian's clang and ld64.lld; libuv and jansson are built
# for macOS from Debian's own source packages into MACOS_DEPS (outside the
# tree, kept between runs: dist/macos/cross-deps.sh). dist/macos/check-macho.py
# then checks that no header came from outside the SDK, that every program
# loads libSystem alone and leaves no symbol undefined that libSystem does
# not export, and that the arm64 ones are signed.
#   make macos-ci                 the same when an SDK is found, else one
# SKIPPED line (.ci/run).
# Without MACOS_SDK, an SDK is looked for in these places, in this order (the
# first with an SDKSettings.json wins); README "macOS" says how to put one there.
MACOS_SDK_DIRS ?= /opt/MacOSX.sdk $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/isatap/MacOSX.sdk
MACOS_SDK      ?= $(firstword $(foreach d,$(MACOS_SDK_DIRS),$(if $(wildcard $(d)/SDKSettings.json),$(d))))
MACOS_DEPS     ?= /var/cache/isatap-macos
# ARCH:minimum macOS. arm64 Macs start at 11; 10.15 is the oldest x86_64
# macOS the SDK's libSystem and our calls (getentropy, LOCAL_PEERPID) allow.
MACOS_TARGETS  ?= arm64:11.0 x86_64:10.15
LLVM_BIN       ?= /usr/lib/llvm-14/bin
# -mlinker-version: clang passes -platform_version (minimum and SDK version
# in LC_BUILD_VERSION) only to an ld64 it believes new enough.
LD64_LLD       ?= $(firstword $(wildcard $(LLVM_BIN)/ld64.lld /usr/bin/ld64.lld-14 /usr/bin/ld64.lld))

macos_arch = $(firstword $(subst :, ,$(1)))
macos_min  = $(lastword $(subst :, ,$(1)))

macos:
	@if [ -z "$(MACOS_SDK)" ] || [ ! -f "$(MACOS_SDK)/SDKSettings.json" ]; then \
		echo "make macos: no macOS SDK: set MACOS_SDK=DIR, or unpack one at $(firstword $(MACOS_SDK_DIRS)) (README, macOS)" >&2; \
		exit 1; fi
	@dist/deps.sh macos
	@LLVM_BIN='$(LLVM_BIN)' dist/macos/cross-deps.sh '$(MACOS_SDK)' '$(MACOS_DEPS)' $(MACOS_TARGETS)
	@for t in $(MACOS_TARGETS); do \
		$(MAKE) --no-print-directory macos-one MACOS_ARCH=$${t%%:*} MACOS_MIN=$${t#*:} || exit 1; done
	@python3 dist/macos/check-macho.py '$(MACOS_SDK)' '$(LLVM_BIN)' '$(MACOS_DEPS)' \
		$(foreach t,$(MACOS_TARGETS),$(call macos_arch,$(t)):build-macos-$(call macos_arch,$(t)))

# One architecture: the ordinary rules, for Darwin. The host's include and
# library paths are cleared and pkg-config sees only the cross-built
# libraries, so nothing of the Linux system reaches the build.
macos-one:
	@env -u LIBRARY_PATH -u CPATH -u C_INCLUDE_PATH \
		PKG_CONFIG_LIBDIR='$(MACOS_DEPS)/$(MACOS_ARCH)/lib/pkgconfig' PKG_CONFIG_PATH= \
		$(MAKE) --no-print-directory TARGET_OS=Darwin BUILD=build-macos-$(MACOS_ARCH) \
		CC='$(LLVM_BIN)/clang --target=$(MACOS_ARCH)-apple-macos$(MACOS_MIN) -isysroot $(MACOS_SDK)' \
		AR='$(LLVM_BIN)/llvm-ar' \
		LDFLAGS='-fuse-ld=lld --ld-path=$(LD64_LLD) -mlinker-version=711' all

macos-ci:
	@if [ -n "$(MACOS_SDK)" ] && [ -f "$(MACOS_SDK)/SDKSettings.json" ]; then \
		$(MAKE) --no-print-directory macos MACOS_SDK='$(MACOS_SDK)'; \
	else echo "SKIPPED: macOS cross-build: no SDK (set MACOS_SDK)"; fi

# The Homebrew formula, with this checkout as its source (dist/homebrew):
# build/homebrew/isatap.rb, for a local tap (README, macOS).
homebrew-formula:
	@mkdir -p build/homebrew
	@sed -e 's|@SRCDIR@|$(CURDIR)|g' -e "s|@BRANCH@|$$(git rev-parse --abbrev-ref HEAD)|g" \
		dist/homebrew/isatap.rb.in >build/homebrew/isatap.rb
	@echo "  FORMULA build/homebrew/isatap.rb"
