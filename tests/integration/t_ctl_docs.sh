#!/bin/bash
# The documentation against the programs as built, so that neither drifts:
#   - every option in each program's -h appears in its man page's option
#     list, and every isatapctl command has its entry;
#   - every key of isatap.conf(5) is in dist/isatap.conf.example and is
#     accepted by `isatap-control -n`, and every key isatap-control -h
#     names is documented;
#   - the bash completion offers exactly isatapctl's commands, the verbs,
#     the options, and the routers of a daemon (a fake one here);
#   - `make install DESTDIR=...` puts binaries, pages (paths rewritten, still
#     mandoc -Tlint clean), completion and example config in place, and
#     nothing named isatapd; `make uninstall` removes them.
# Needs no root and no network.
. "$(dirname "$0")/lib.sh"

require_bins "$DATAPATH" "$CONTROL" "$CTL"
command -v mandoc >/dev/null || fail_now "mandoc is not installed (dist/deps.sh)"
MAN=$ISATAP_TOP/man

# opts_of PROGRAM: the short option letters and long options of its -h text.
opts_of() {
	local text
	text=$("$1" -h 2>&1)
	grep -oE '(^|[[ ])-[A-Za-z]+' <<<"$text" | sed 's/^[[ ]*-//' | fold -w1 | sort -u
	grep -oE -- '--[a-z][a-z-]*' <<<"$text" | sort -u
}

# documented PAGE OPT: OPT has an entry in the page's lists (.It Fl X ...).
documented() {
	case $2 in
	--*) grep -qE "^\.It .*Fl Fl ${2#--}( |$)" "$1" ;;
	*) grep -qE "^\.It Fl $2( |$)" "$1" ;;
	esac
}

for prog in isatap-control isatap-datapath isatapctl; do
	bin=$BUILD/$prog
	page=$MAN/$prog.8
	n=0
	for o in $(opts_of "$bin"); do
		check "$prog(8) documents ${o/#[^-]/-$o}" documented "$page" "$o"
		n=$((n + 1))
	done
	check "$prog -h lists options ($n)" test "$n" -ge 3
done

# isatapctl's commands, from its own summary.
COMMANDS=$("$CTL" -h | sed -n '/^Commands:/,/^$/p' | awk 'NF && !/^Commands:/ {print $1}')
check "isatapctl -h lists 9 commands" test "$(wc -w <<<"$COMMANDS")" -eq 9
for c in $COMMANDS; do
	check "isatapctl(8) documents the command $c" grep -qE "^\.It Cm $c( |$)" "$MAN/isatapctl.8"
done
for e in router_up router_down default_router_changed address_added address_deprecated \
	address_removed locator_changed datapath_connected datapath_disconnected prl_changed; do
	check "isatapctl(8) documents the event $e" grep -qE "^\.It Cm $e( |$)" "$MAN/isatapctl.8"
	check "docs/API.md has the event $e" grep -q "^| \`$e\`" "$ISATAP_TOP/docs/API.md"
done

# Configuration keys: the page, the example and the parser agree.
KEYS=$(sed -n 's/^\.It Cm \([a-z_]*\) .*/\1/p; s/^\.It Cm \([a-z_]*\)$/\1/p' "$MAN/isatap.conf.5" |
	grep -v -e '^yes$' -e '^no$' -e '^auto$')
check "isatap.conf(5) documents 9 keys" test "$(wc -w <<<"$KEYS")" -eq 9
EXAMPLE=$ISATAP_TOP/dist/isatap.conf.example
for k in $KEYS; do
	check "isatap.conf.example shows $k" grep -qE "^#?$k " "$EXAMPLE"
done
for k in $("$CONTROL" -h 2>&1 | grep -oE '\[[a-z_]+\]' | tr -d '[]'); do
	check "isatap.conf(5) documents $k (isatap-control -h)" grep -qE "^\.It Cm $k( |$)" "$MAN/isatap.conf.5"
done
# Every example line, uncommented, is a valid configuration (one key at a
# time: `router isatap` and `router 192.0.2.254` are both shown).
grep -E '^#?[a-z_]+ ' "$EXAMPLE" | sed 's/^#//' | while read -r k v; do
	[ "$k" = api_group ] && v=root # the example's group need not exist here
	printf '%s %s\n' "$k" "$v" >"$T_TMP/one.conf"
	echo "$k $v"
	"$CONTROL" -n -f "$T_TMP/one.conf" >/dev/null 2>"$T_TMP/one.err" || echo "REFUSED: $(cat "$T_TMP/one.err")"
done >"$T_TMP/keys.txt"
check "isatap-control -n accepts every example line" sh -c "! grep -q REFUSED '$T_TMP/keys.txt' && test \$(wc -l <'$T_TMP/keys.txt') -ge 9"
printf 'no_such_key 1\n' >"$T_TMP/bad.conf"
"$CONTROL" -n -f "$T_TMP/bad.conf" >/dev/null 2>&1
check_eq "isatap.conf(5): an unknown key exits 78" 78 "$?"

# Bash completion, against a fake daemon that serves routers.list.
COMPLETION=$ISATAP_TOP/completion/isatapctl.bash
check "completion: bash -n" bash -n "$COMPLETION"
FAKE=$T_TMP/fake.sock
printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"routers":[{"ipv4":"192.0.2.254"},{"ipv4":"192.0.2.252"}]}}' \
	>"$T_TMP/reply.json"
printf '#!/bin/sh\nread -r request\ncat "%s"\n' "$T_TMP/reply.json" >"$T_TMP/fake.sh"
chmod +x "$T_TMP/fake.sh"
socat "UNIX-LISTEN:$FAKE,fork" "EXEC:$T_TMP/fake.sh" >/dev/null 2>&1 &
T_PIDS+=("$!")
wait_for 5 test -S "$FAKE"
comp() {
	# shellcheck disable=SC1090
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _isatapctl; echo "${COMPREPLY[*]}"' \
		_ "$COMPLETION" "$CTL" "$@"
}
check_eq "completion: commands" "$(echo $COMMANDS)" "$(comp "")"
check_eq "completion: a prefix" "routers router" "$(comp ro)"
check_eq "completion: router verbs" "add del" "$(comp -s "$FAKE" router "")"
check_eq "completion: router del offers the daemon's routers" "192.0.2.254 192.0.2.252" "$(comp -s "$FAKE" router del "")"
check_eq "completion: solicit offers the daemon's routers" "192.0.2.252" "$(comp --socket="$FAKE" solicit 192.0.2.252)"
check_eq "completion: options" "--json --json=pretty --json=short" "$(comp --js)"
check_eq "completion: nothing after status" "" "$(comp status "")"
check_eq "completion: no daemon, no routers, no error" "" "$(comp -s "$T_TMP/none.sock" router del "")"

# make install / uninstall into a staging directory. `-o all`: install what
# this run built, never rebuild it with other flags (SANITIZE=1 runs).
STAGE=$T_TMP/stage
make -C "$ISATAP_TOP" --no-print-directory -s -o all BUILD="$BUILD" install DESTDIR="$STAGE" PREFIX=/usr \
	>"$T_TMP/install.log" 2>&1
check_eq "make install DESTDIR=... PREFIX=/usr: exit 0" 0 "$?"
for f in usr/bin/isatapctl usr/sbin/isatap-control usr/sbin/isatap-datapath \
	usr/share/man/man8/isatapctl.8 usr/share/man/man8/isatap-control.8 \
	usr/share/man/man8/isatap-datapath.8 usr/share/man/man5/isatap.conf.5 \
	usr/share/bash-completion/completions/isatapctl usr/share/doc/isatap/isatap.conf.example; do
	check "installed /$f" test -s "$STAGE/$f"
done
check "installed binaries are executable" test -x "$STAGE/usr/bin/isatapctl" -a -x "$STAGE/usr/sbin/isatap-datapath"
check_eq "nothing installed is named isatapd" "" "$(find "$STAGE" -name '*isatapd*')"
check "installed pages: mandoc -Tlint clean" mandoc -Tlint -Wwarning "$STAGE"/usr/share/man/man*/*
check "installed isatap.conf(5) names /etc/isatap/isatap.conf" grep -q '^\.Pa /etc/isatap/isatap.conf' "$STAGE/usr/share/man/man5/isatap.conf.5"
make -C "$ISATAP_TOP" --no-print-directory -s -o all BUILD="$BUILD" install DESTDIR="$T_TMP/local" PREFIX=/usr/local \
	>>"$T_TMP/install.log" 2>&1
check "PREFIX=/usr/local: the pages name /usr/local/etc/isatap/isatap.conf" \
	grep -q '^\.Pa /usr/local/etc/isatap/isatap.conf' "$T_TMP/local/usr/local/share/man/man5/isatap.conf.5"
make -C "$ISATAP_TOP" --no-print-directory -s BUILD="$BUILD" uninstall DESTDIR="$STAGE" PREFIX=/usr \
	>>"$T_TMP/install.log" 2>&1
check_eq "make uninstall leaves no file" "" "$(find "$STAGE" -type f)"

# The launchd jobs (macOS) against the programs' own options: each option a
# job passes is one its program's -h lists (the same source on both systems).
for plist in "$ISATAP_TOP"/dist/launchd/*.plist; do
	args=$(python3 -c 'import plistlib, sys; print(" ".join(plistlib.load(open(sys.argv[1], "rb"))["ProgramArguments"]))' "$plist")
	for prog in isatap-datapath isatap-control; do
		line=$(grep -oE "@SBINDIR@/$prog( [^&]*)?" <<<"$args" | head -n 1)
		[ -n "$line" ] || continue
		known=$(opts_of "$BUILD/$prog" | tr '\n' ' ')
		for o in $(grep -oE '(^| )-[A-Za-z]+' <<<"${line#*/$prog}" | tr -d ' -' | fold -w1); do
			check "$(basename "$plist"): $prog takes -$o" grep -qw -- "$o" <<<"$known"
		done
	done
done

t_done
