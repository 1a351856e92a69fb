#!/bin/sh
# Installs the Debian packages isatap needs to build and to run its tests
# (`make deps`, called by `make check`). Does nothing when all are present.
# `dist/deps.sh demo` (called by `make demo`) installs only what the build and
# the demo site need; `dist/deps.sh macos` (`make macos`) what the macOS
# cross-build needs.
# On macOS it prints the Homebrew line instead.
set -eu

BUILD_PKGS="gcc libc6-dev make pkg-config libuv1-dev libjansson-dev libcmocka-dev libmnl-dev \
libcap-ng-dev libseccomp-dev clang llvm libbpf-dev bpftool"
TEST_PKGS="clang libclang-rt-14-dev clang-format git mandoc iproute2 iputils-ping procps psmisc python3 \
python3-scapy tcpdump tshark radvd dnsmasq-base socat jq valgrind iperf3 openvpn libcap2-bin curl \
busybox-static systemd python3-seccomp ethtool"
# The real ISATAP router of ../shared/peers (qemu + Debian's kernel): it installs
# these itself, but needs modinfo (kmod) without checking for it. busybox-static
# above (not busybox, which conflicts with it) serves both the peer's initramfs
# and the demo's HTTP server (busybox httpd). systemd: tests/service-check runs
# systemd-analyze verify and systemd-sysusers (nothing is started), and
# python3-seccomp to run the daemons under the units' SystemCallFilter=.
# tshark decodes what the suites capture (an implementation independent of ours).
# dnsmasq-base, not dnsmasq: the tests and the demo run their own instances in
# namespaces; the full package would also enable a resolver on the host.
PEER_PKGS="kmod qemu-system-x86 cpio xz-utils zstd util-linux"
# demo/demo.sh: router advertisements, DNS, an HTTP server, the client's tools;
# ethtool: the demo and t_fastpath turn veth checksum offload off where a
# user-space path receives what the kernel fast path sent.
DEMO_PKGS="iproute2 iputils-ping procps util-linux radvd dnsmasq-base busybox-static curl jq ethtool"
# `make macos` (mk/macos.mk): clang and ld64.lld (lld) for the Mach-O programs,
# llvm-ar/llvm-nm/llvm-otool (llvm), apt-get source's dpkg-source (dpkg-dev)
# for libuv's and jansson's sources, python3 for dist/macos/check-macho.py.
MACOS_PKGS="clang lld llvm dpkg-dev python3"

WANT="$BUILD_PKGS $TEST_PKGS $PEER_PKGS"
[ "${1:-}" = demo ] && WANT="$BUILD_PKGS $DEMO_PKGS"
[ "${1:-}" = macos ] && WANT="$MACOS_PKGS"

case "$(uname -s)" in
Darwin)
	echo "On macOS: brew install libuv jansson cmocka pkg-config mandoc"
	exit 0
	;;
esac

if ! command -v dpkg-query >/dev/null 2>&1; then
	echo "deps: not a Debian system; install by hand: $WANT" >&2
	exit 0
fi

missing=""
for p in $WANT; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing" >&2
	echo "deps: run as root: apt-get install$missing" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
