# ---- before the first compile: are the libraries there? (included by the Makefile)
# On a machine where `make deps` has not run yet, the build would stop at the
# first #include of a missing header with a bare compiler error. Instead this
# asks pkg-config for each library the goals need and, when some are missing,
# stops with one line naming the packages that provide them and `make deps`.
# It runs once per make, before any object (every object depends on
# $(BUILD)/.flags); `make deps`, `make check` and `make demo` (which install
# first, then build in a fresh make), `make clean` and `make help` do not
# reach it. Not for TARGET_OS=Darwin on Linux: `make macos` builds its own
# libraries for the Mac (dist/macos/cross-deps.sh) and checks them itself.
# When unit tests are among the goals CMocka is needed too; libseccomp is
# optional (HAVE_SECCOMP), so a missing one is a note, not a stop.

# pkg-config name=the package that installs its .pc file, on Debian and in
# Homebrew (a name with no entry is printed as it is).
DEB_PKG_MAP  := libuv=libuv1-dev jansson=libjansson-dev libmnl=libmnl-dev \
	libcap-ng=libcap-ng-dev libseccomp=libseccomp-dev cmocka=libcmocka-dev
BREW_PKG_MAP := libuv=libuv jansson=jansson cmocka=cmocka

# The libraries the goals need (the default goal builds only the programs).
DEPS_UNIT_GOALS := unit check-run
DEPS_NEED = $(sort $(PKGS_CONTROL) $(PKGS_DATAPATH) $(PKGS_CTL) \
	$(if $(filter $(DEPS_UNIT_GOALS) $(UNIT_TESTS),$(MAKECMDGOALS)),cmocka))

# The compiler's package: gcc for cc and gcc, clang for clang; none known
# for another.
deps_cc_pkg = $(if $(filter cc gcc gcc-%,$(ccname)),gcc,$(if $(filter clang clang-%,$(ccname)),clang))
# clang's sanitizer runtimes are a package of their own on Debian 12.
deps_san_pkg = $(if $(filter clang%,$(ccname)),libclang-rt-$$($(CC) -dumpversion | cut -d. -f1)-dev,libgcc-12-dev)

# deps_scan MAP: sets $missing (packages) and $libs (pkg-config names) in
# the recipe's shell for each needed library pkg-config does not know.
deps_scan = for p in $(DEPS_NEED); do $(PKG_CONFIG) --exists $$p 2>/dev/null && continue; \
	libs="$$libs $$p"; pkg=$$p; for m in $(1); do [ "$${m%%=*}" = $$p ] && pkg=$${m\#*=}; done; \
	missing="$$missing $$pkg"; done

.PHONY: deps-check
ifeq ($(TARGET_OS)$(UNAME_S),DarwinLinux)
deps-check:
else ifeq ($(UNAME_S),Darwin)
deps-check:
	@missing=; libs=; \
	command -v $(firstword $(PKG_CONFIG)) >/dev/null 2>&1 || missing=" pkg-config"; \
	$(call deps_scan,$(BREW_PKG_MAP)); \
	if [ -n "$$missing" ]; then \
		echo "make: missing Homebrew packages:$$missing (not found:$$libs); brew install$$missing" >&2; exit 1; fi
else
deps-check:
	@missing=; libs=; \
	command -v $(firstword $(CC)) >/dev/null 2>&1 || { [ -n "$(deps_cc_pkg)" ] || \
		{ echo "make: the compiler $(firstword $(CC)) is not installed (CC=$(CC))" >&2; exit 1; }; \
		missing=" $(deps_cc_pkg)"; }; \
	command -v $(firstword $(PKG_CONFIG)) >/dev/null 2>&1 || missing="$$missing pkg-config"; \
	$(call deps_scan,$(DEB_PKG_MAP)); \
	if [ -n "$(SANITIZE)" ] && [ -z "$$missing" ] && ! echo 'int main(void) { return 0; }' | \
		$(CC) $(SANFLAGS) -x c -o /dev/null - >/dev/null 2>&1; then \
		missing=" $(deps_san_pkg)"; libs=" ASan/UBSan runtimes for $(ccname)"; fi; \
	if [ -n "$$missing" ]; then \
		echo "make: missing Debian packages:$$missing$${libs:+ (not found:$$libs)}; \`make deps' installs them (as root)" >&2; \
		exit 1; fi; \
	$(PKG_CONFIG) --exists libseccomp 2>/dev/null || \
		echo "make: note: libseccomp-dev is missing, the datapath builds without its own seccomp filter (\`make deps' installs it)" >&2
endif

$(BUILD)/.flags: | deps-check
