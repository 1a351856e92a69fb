#!/bin/sh
# Builds libuv and jansson for macOS, from Debian's own source packages (the
# versions of the libuv1-dev and libjansson-dev installed here, else the
# archive's), as static libraries for `make macos`:
#   dist/macos/cross-deps.sh SDK CACHE ARCH:MIN...     e.g. arm64:11.0 x86_64:10.15
# Output: CACHE/ARCH/{include,lib/libuv.a,lib/libjansson.a,lib/pkgconfig/*.pc}.
# CACHE is outside the tree (the Makefile's MACOS_DEPS, /var/cache/isatap-macos
# by default); nothing is rebuilt while the sources, the SDK, the compiler and
# this script stay the same (CACHE/ARCH/stamp).
#
# The sources come with `apt-get source`, which needs a deb-src entry: when
# there is none, one is added for the archive(s) the machine's own apt sources
# name (root only), and apt-get update run. The libraries are compiled here
# from their own source lists (libuv's CMakeLists.txt APPLE branch, jansson's
# src/*.c), with their configuration headers written for macOS: no cmake or
# autotools cross-configuration, nothing from the Linux system headers.
set -eu

SDK=$1
CACHE=$2
shift 2
LLVM_BIN=${LLVM_BIN:-/usr/lib/llvm-14/bin}
CC_BIN=$LLVM_BIN/clang
AR_BIN=$LLVM_BIN/llvm-ar

die() {
	echo "cross-deps: $*" >&2
	exit 1
}

[ -f "$SDK/SDKSettings.json" ] || die "$SDK is not a macOS SDK (no SDKSettings.json)"
[ -x "$CC_BIN" ] && [ -x "$AR_BIN" ] || die "no $CC_BIN or $AR_BIN (dist/deps.sh macos)"
mkdir -p "$CACHE/src"
LOG=$CACHE/build.log
: >"$LOG"

# ---- the sources -----------------------------------------------------------
# Adds deb-src twins of the machine's deb entries (deb822 .sources and
# one-line .list files alike), in a file of our own.
add_deb_src() {
	out=/etc/apt/sources.list.d/isatap-deb-src.sources
	[ "$(id -u)" = 0 ] || die "no deb-src entry in the apt sources; as root, add one for the archive /etc/apt/sources.list* uses, or run this as root"
	{
		echo "# Added by isatap's dist/macos/cross-deps.sh: the source packages of the"
		echo "# archives the deb entries beside this file name (apt-get source libuv1 jansson)."
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] && [ "$f" != "$out" ] || continue
			# Each stanza whose Types has deb, again as deb-src.
			awk 'BEGIN { RS = ""; ORS = "" }
			{
				n = split($0, line, "\n"); deb = 0; text = ""
				for (i = 1; i <= n; i++) {
					if (line[i] ~ /^[[:space:]]*#/)
						continue
					if (line[i] ~ /^Types:/) {
						deb = line[i] ~ /[:[:space:]]deb([[:space:]]|$)/
						line[i] = "Types: deb-src"
					}
					text = text line[i] "\n"
				}
				if (deb) print text "\n"
			}' "$f"
		done
	} >"$out.tmp"
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		sed -n 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f"
	done >/etc/apt/sources.list.d/isatap-deb-src.list.tmp
	mv "$out.tmp" "$out"
	if [ -s /etc/apt/sources.list.d/isatap-deb-src.list.tmp ]; then
		mv /etc/apt/sources.list.d/isatap-deb-src.list.tmp /etc/apt/sources.list.d/isatap-deb-src.list
	else
		rm -f /etc/apt/sources.list.d/isatap-deb-src.list.tmp
	fi
	echo "cross-deps: added deb-src entries ($out); apt-get update"
	apt-get update -qq >>"$LOG" 2>&1 || die "apt-get update failed (see $LOG)"
}

have_deb_src() {
	grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/
}

# The directory of source package $1 in CACHE/src, fetched when missing.
# $2: the binary package whose installed version to match, when installed.
fetch_src() {
	pkg=$1
	want=$(dpkg-query -W -f='${Version}' "$2" 2>/dev/null || true)
	want=${want%+b[0-9]*} # a binNMU's source is the version before it
	if [ -n "$want" ]; then
		upstream=${want#*:}
		upstream=${upstream%-*}
		d=$CACHE/src/$pkg-$upstream
		[ -f "$d/.isatap-version" ] && [ "$(cat "$d/.isatap-version")" = "$want" ] && {
			echo "$d"
			return
		}
	fi
	command -v apt-get >/dev/null && command -v dpkg-source >/dev/null ||
		die "need apt-get and dpkg-source (dpkg-dev) to fetch $pkg's source"
	have_deb_src || add_deb_src >&2
	tmp=$CACHE/src/.fetch-$pkg
	rm -rf "$tmp"
	mkdir -p "$tmp"
	(cd "$tmp" && apt-get source -qq -o APT::Sandbox::User=root "$pkg${want:+=$want}") >>"$LOG" 2>&1 ||
		die "apt-get source $pkg${want:+=$want} failed (see $LOG)"
	dir=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[ -n "$dir" ] || die "apt-get source $pkg unpacked nothing"
	ver=$(dpkg-parsechangelog -l "$dir/debian/changelog" -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' "$dir/debian/changelog")
	upstream=${ver#*:}
	upstream=${upstream%-*}
	d=$CACHE/src/$pkg-$upstream
	rm -rf "$d"
	mv "$dir" "$d"
	echo "$ver" >"$d/.isatap-version"
	rm -rf "$tmp"
	echo "$d"
}

UV_SRC=$(fetch_src libuv1 libuv1-dev)
JANSSON_SRC=$(fetch_src jansson libjansson-dev)

# libuv's own list for Apple (CMakeLists.txt: uv_sources, the non-Windows
# list, and the APPLE branches). A file it no longer has stops the build.
UV_FILES="src/fs-poll.c src/idna.c src/inet.c src/random.c src/strscpy.c src/strtok.c
src/threadpool.c src/timer.c src/uv-common.c src/uv-data-getter-setters.c src/version.c
src/unix/async.c src/unix/core.c src/unix/dl.c src/unix/fs.c src/unix/getaddrinfo.c
src/unix/getnameinfo.c src/unix/loop-watcher.c src/unix/loop.c src/unix/pipe.c src/unix/poll.c
src/unix/process.c src/unix/random-devurandom.c src/unix/signal.c src/unix/stream.c
src/unix/tcp.c src/unix/thread.c src/unix/tty.c src/unix/udp.c src/unix/proctitle.c
src/unix/bsd-ifaddrs.c src/unix/kqueue.c src/unix/random-getentropy.c
src/unix/darwin-proctitle.c src/unix/darwin.c src/unix/fsevents.c"
UV_DEFS="-D_FILE_OFFSET_BITS=64 -D_LARGEFILE_SOURCE -D_DARWIN_UNLIMITED_SELECT=1 -D_DARWIN_USE_64_BIT_INODE=1"
for f in $UV_FILES; do
	[ -f "$UV_SRC/$f" ] && grep -q "${f#src/}" "$UV_SRC/CMakeLists.txt" ||
		die "libuv $(cat "$UV_SRC/.isatap-version"): $f is no longer in its source list"
done

# jansson's configuration for macOS (what its CMake checks find there).
jansson_config() {
	d=$1
	mkdir -p "$d"
	sed -e 's/@json_inline@/inline/' -e 's/@json_have_long_long@/1/' \
		-e 's/@json_have_localeconv@/1/' -e 's/@json_have_atomic_builtins@/1/' \
		-e 's/@json_have_sync_builtins@/1/' \
		"$JANSSON_SRC/src/jansson_config.h.in" >"$d/jansson_config.h"
	cat >"$d/jansson_private_config.h" <<'CFG'
/* macOS 10.15+ (libSystem), for jansson: written by isatap's cross-deps.sh. */
#define HAVE_FCNTL_H 1
#define HAVE_SCHED_H 1
#define HAVE_UNISTD_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_SYS_STAT_H 1
#define HAVE_SYS_TIME_H 1
#define HAVE_SYS_TYPES_H 1
#define HAVE_STDINT_H 1
#define HAVE_CLOSE 1
#define HAVE_GETPID 1
#define HAVE_GETTIMEOFDAY 1
#define HAVE_OPEN 1
#define HAVE_READ 1
#define HAVE_SCHED_YIELD 1
#define HAVE_SYNC_BUILTINS 1
#define HAVE_ATOMIC_BUILTINS 1
#define HAVE_LOCALE_H 1
#define HAVE_SETLOCALE 1
#define HAVE_INT32_T 1
#define HAVE_UINT32_T 1
#define HAVE_UINT16_T 1
#define HAVE_UINT8_T 1
#define HAVE_SSIZE_T 1
#define USE_URANDOM 1
#define INITIAL_HASHTABLE_ORDER 3
CFG
}

stamp_of() {
	{
		cat "$UV_SRC/.isatap-version" "$JANSSON_SRC/.isatap-version"
		echo "$1"
		cat "$SDK/SDKSettings.json"
		"$CC_BIN" --version
		cat "$0"
	} | cksum
}

for spec in "$@"; do
	arch=${spec%%:*}
	min=${spec#*:}
	out=$CACHE/$arch
	stamp=$(stamp_of "$spec")
	[ -f "$out/stamp" ] && [ "$(cat "$out/stamp")" = "$stamp" ] && continue
	echo "  DEPS    libuv $(cat "$UV_SRC/.isatap-version"), jansson $(cat "$JANSSON_SRC/.isatap-version") for $arch-apple-macos$min"
	rm -rf "$out"
	mkdir -p "$out/obj/uv" "$out/obj/jansson" "$out/include" "$out/lib/pkgconfig"
	cflags="--target=$arch-apple-macos$min -isysroot $SDK -O2 -g"
	for f in $UV_FILES; do
		o=$out/obj/uv/$(echo "$f" | tr / _).o
		# shellcheck disable=SC2086
		env -u CPATH -u C_INCLUDE_PATH "$CC_BIN" $cflags $UV_DEFS -I"$UV_SRC/include" -I"$UV_SRC/src" \
			-c "$UV_SRC/$f" -o "$o" >>"$LOG" 2>&1 || die "libuv: $f failed (see $LOG)"
	done
	"$AR_BIN" rcs "$out/lib/libuv.a" "$out"/obj/uv/*.o
	jansson_config "$out/obj/jansson/cfg"
	for f in "$JANSSON_SRC"/src/*.c; do
		# shellcheck disable=SC2086
		env -u CPATH -u C_INCLUDE_PATH "$CC_BIN" $cflags -DHAVE_CONFIG_H \
			-I"$out/obj/jansson/cfg" -I"$JANSSON_SRC/src" \
			-c "$f" -o "$out/obj/jansson/$(basename "$f" .c).o" >>"$LOG" 2>&1 ||
			die "jansson: $f failed (see $LOG)"
	done
	"$AR_BIN" rcs "$out/lib/libjansson.a" "$out"/obj/jansson/*.o
	cp "$UV_SRC"/include/uv.h "$out/include/"
	cp -R "$UV_SRC"/include/uv "$out/include/"
	cp "$JANSSON_SRC/src/jansson.h" "$out/obj/jansson/cfg/jansson_config.h" "$out/include/"
	for lib in libuv:uv jansson:jansson; do
		name=${lib%%:*}
		cat >"$out/lib/pkgconfig/$name.pc" <<PC
prefix=$out
Name: $name
Description: $name for $arch-apple-macos$min, static (isatap cross-deps)
Version: 0
Cflags: -I\${prefix}/include
Libs: \${prefix}/lib/lib${lib#*:}.a
PC
	done
	echo "$stamp" >"$out/stamp"
done
