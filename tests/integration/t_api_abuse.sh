#!/bin/bash
# A hostile local user against isatap-control's JSON-RPC socket (issue 8,
# "API abuse"; docs/API.md): malformed JSON, duplicate keys, unknown methods,
# members and params, wrong types, a 1 MiB line, 500 concurrent idle clients,
# clients and subscribers that never read, changes from an unauthorized uid.
# Each is answered with the documented JSON-RPC error or disconnected, other
# clients keep being served, and the daemon's RSS stays bounded (figures
# printed).
#
#   ist-h-api  192.0.2.1 on a veth; isatap-datapath (-U nobody -u daemon) and
#              isatap-control as nobody with -G daemon (uid daemon may change
#              state, uid nobody may only read); router 192.0.2.254 (absent)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tools/hostile-lib.sh"
require_root
require_bins "$DATAPATH" "$CONTROL"
command -v jq >/dev/null || fail_now "jq missing (make deps)"

NS=ist-h-api
RUN=$T_TMP/run
mkdir -p "$RUN"
chown nobody "$RUN"
ns_add $NS
ip -n $NS link add api0 type veth peer name api1
ip -n $NS link set api1 up
ip -n $NS addr add 192.0.2.1/24 dev api0
ip -n $NS link set api0 up

bg_ns $NS "$T_TMP/dp.log" "$DATAPATH" -d -i isatap0 -s "$RUN/dp.sock" -U nobody -u daemon
wait_for 10 test -S "$RUN/dp.sock" || fail_now "datapath did not start: $(tail -n 5 "$T_TMP/dp.log")"
bg_ns $NS "$T_TMP/ctl.log" setpriv --reuid=nobody --regid=nogroup --clear-groups \
	"$CONTROL" -d -r 192.0.2.254 -l auto -G daemon -D "$RUN/dp.sock" -s "$RUN/ctl.sock"
CTL_PID=$BG_PID
wait_for 10 test -S "$RUN/ctl.sock" || fail_now "control did not start: $(tail -n 5 "$T_TMP/ctl.log")"
# The process to measure is isatap-control itself, not setpriv/ip netns exec.
for i in $(seq 20); do
	CPID=$(pgrep -f -P "$CTL_PID" isatap-control || true)
	[ -z "$CPID" ] && [ "$(cat /proc/$CTL_PID/comm 2>/dev/null)" = isatap-control ] && CPID=$CTL_PID
	[ -n "$CPID" ] && break
	sleep 0.1
done
while [ -n "$CPID" ] && [ "$(cat /proc/$CPID/comm)" != isatap-control ]; do
	CPID=$(pgrep -P "$CPID" | head -n 1)
done
[ -n "$CPID" ] || fail_now "no isatap-control process"

# api USER CMD ARGS...: the abuse client as USER.
api() {
	local u=$1
	shift
	in_ns $NS setpriv --reuid="$u" --regid="$(id -g "$u")" --clear-groups \
		$PY "$TOOLS/isatap-apiabuse.py" "$RUN/ctl.sock" "$@"
}
rpc() { api nobody rpc "$@"; }
# code LINE: the error code of the reply to LINE ("ok" for a result, EOF...).
code() {
	rpc "$1" | head -n 1 | jq -r 'if .error then .error.code else "ok" end' 2>/dev/null || echo "not-json"
}
served() { rpc '{"jsonrpc":"2.0","method":"status","id":7}' | jq -e '.id == 7 and .result.version == 1' >/dev/null; }
rss0=$(rss_kb $CPID)
peak=$rss0
sample() { local r; r=$(rss_kb $CPID); [ "$r" -gt "$peak" ] && peak=$r; echo "     control RSS now $r KiB ($1)"; }

check "status answered for uid nobody (baseline)" served
# apic NAME: one of the daemon's own API counters (stats: counters.control.api).
apic() { rpc '{"jsonrpc":"2.0","method":"stats","id":1}' | jq ".result.counters.control.api.$1"; }

# ---- malformed requests: a JSON-RPC error, the connection stays usable ---------------
check_eq "truncated JSON -> -32700" -32700 "$(code '{"jsonrpc":"2.0","method":"status","id":1')"
check_eq "not JSON at all -> -32700" -32700 "$(code 'hello isatap')"
check_eq "invalid UTF-8 -> -32700" -32700 "$(code $'{"jsonrpc":"2.0","method":"st\xff\xfeatus","id":1}')"
check_eq "a JSON array -> -32600" -32600 "$(code '[1,2,3]')"
check_eq "a JSON string -> -32600" -32600 "$(code '"status"')"
check_eq "a JSON number -> -32600" -32600 "$(code '42')"
check_eq "null -> -32600" -32600 "$(code 'null')"
check_eq "duplicate key (method twice) -> -32700 (jansson rejects it while parsing)" -32700 \
	"$(code '{"jsonrpc":"2.0","method":"status","method":"routers.add","id":1}')"
check_eq "duplicate key inside params -> -32700" -32700 \
	"$(code '{"jsonrpc":"2.0","method":"solicit","params":{"router":"192.0.2.254","router":"192.0.2.9"},"id":1}')"
check_eq "unknown method -> -32601" -32601 "$(code '{"jsonrpc":"2.0","method":"shutdown","id":1}')"
check_eq "method as a number -> -32600" -32600 "$(code '{"jsonrpc":"2.0","method":5,"id":1}')"
check_eq "jsonrpc 1.0 -> -32600" -32600 "$(code '{"jsonrpc":"1.0","method":"status","id":1}')"
check_eq "missing jsonrpc member -> -32600" -32600 "$(code '{"method":"status","id":1}')"
check_eq "unknown member -> -32600" -32600 "$(code '{"jsonrpc":"2.0","method":"status","id":1,"sudo":true}')"
check_eq "id as an object -> -32600" -32600 "$(code '{"jsonrpc":"2.0","method":"status","id":{"a":1}}')"
check_eq "unknown param of status -> -32602" -32602 "$(code '{"jsonrpc":"2.0","method":"status","params":{"verbose":true},"id":1}')"
check_eq "params as a string -> -32602 or -32600" ok "$(c=$(code '{"jsonrpc":"2.0","method":"status","params":"x","id":1}'); case $c in -32602 | -32600) echo ok ;; *) echo "$c" ;; esac)"
check_eq "routers.list with params -> -32602" -32602 "$(code '{"jsonrpc":"2.0","method":"routers.list","params":{"all":1},"id":1}')"
check_eq "deeply nested arrays (20 000) -> -32700" -32700 \
	"$(code "$(printf '%*s' 20000 '' | tr ' ' '[')")"
rpc '{"jsonrpc":"2.0","method":"status"' '{"jsonrpc":"2.0","method":"status","id":9}' >"$T_TMP/reuse.out"
check "after a parse error the same connection is still served" \
	jq -se '.[1].id == 9 and .[1].result.version == 1' "$T_TMP/reuse.out"
rpc '{"jsonrpc":"2.0","method":"stats"}' '{"jsonrpc":"2.0","method":"status","id":3}' >"$T_TMP/notif.out"
check_eq "a notification (no id) gets no reply within 3 s; the next request's does" "TIMEOUT 3" \
	"$(head -n 1 "$T_TMP/notif.out") $(sed -n 2p "$T_TMP/notif.out" | jq -r .id 2>/dev/null)"

# ---- changes only for root or the group ------------------------------------------------
for m in '"routers.add","params":{"router":"192.0.2.9"}' '"routers.remove","params":{"router":"192.0.2.254"}' \
	'"prl.refresh"' '"solicit"'; do
	check_eq "uid nobody: $(echo "$m" | cut -d'"' -f2) -> -32000 not permitted" -32000 \
		"$(code "{\"jsonrpc\":\"2.0\",\"method\":$m,\"id\":1}")"
done
check_eq "PRL unchanged by the refused changes" "192.0.2.254" \
	"$(rpc '{"jsonrpc":"2.0","method":"routers.list","id":1}' | jq -r '.result.routers | map(.ipv4) | join(",")')"
out=$(api daemon rpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"192.0.2.9"},"id":1}' \
	'{"jsonrpc":"2.0","method":"routers.remove","params":{"router":"192.0.2.9"},"id":2}')
check_eq "uid daemon (in group daemon, -G): add then remove allowed" "true true" \
	"$(echo "$out" | jq -r '.result.added // .result.removed' | tr '\n' ' ' | sed 's/ $//')"
check_eq "group member: routers.add 224.0.0.1 -> -32602" -32602 \
	"$(api daemon rpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"224.0.0.1"},"id":1}' | jq .error.code)"
check_eq "group member: routers.add with a 300-octet name -> -32602" -32602 \
	"$(api daemon rpc "{\"jsonrpc\":\"2.0\",\"method\":\"routers.add\",\"params\":{\"router\":\"$(printf 'a%.0s' $(seq 300))\"},\"id\":1}" | jq .error.code)"
check_eq "group member: routers.add with an extra param -> -32602" -32602 \
	"$(api daemon rpc '{"jsonrpc":"2.0","method":"routers.add","params":{"router":"192.0.2.9","force":true},"id":1}' | jq .error.code)"

tl0=$(apic too_long)
# ---- a 1 MiB line ---------------------------------------------------------------------------
api nobody bigline $((1024 * 1024)) nl >"$T_TMP/big1.out"
check_eq "1 MiB line (newline-ended): -32600, then disconnected" "-32600 closed" \
	"$(head -n 1 "$T_TMP/big1.out" | jq -r '.error.code' 2>/dev/null) $(tail -n 1 "$T_TMP/big1.out")"
api nobody bigline $((1024 * 1024)) >"$T_TMP/big2.out"
check_eq "1 MiB without a newline: -32600, then disconnected" "-32600 closed" \
	"$(head -n 1 "$T_TMP/big2.out" | jq -r '.error.code' 2>/dev/null) $(tail -n 1 "$T_TMP/big2.out")"
api nobody bigline $((64 * 1024)) nl >"$T_TMP/big3.out"
check_eq "a line of exactly 64 KiB is parsed (unknown member -> -32600), connection kept" "-32600 open" \
	"$(head -n 1 "$T_TMP/big3.out" | jq -r '.error.code' 2>/dev/null) $(tail -n 1 "$T_TMP/big3.out")"
check "other clients served after the long lines" served
check_eq "the daemon counted both over-long lines (api.too_long)" "+2" "+$(($(apic too_long) - tl0))"
sample "after 1 MiB lines"

# ---- 500 concurrent idle clients ------------------------------------------------------
ulimit -n 4096
rf0=$(apic refused_full)
api nobody idle 500 8 >"$T_TMP/idle.out" &
IDLE=$!
sleep 4
sample "500 clients connected"
rss_idle=$(rss_kb $CPID)
wait $IDLE
echo "     $(cat "$T_TMP/idle.out")"
check_eq "500 idle clients: 64 held and served, 436 refused" "connected=500 refused=436 open=64 served=64" \
	"$(cat "$T_TMP/idle.out")"
sleep 0.5
check "served again once the idle clients are gone" served
check_eq "the daemon counted 436 refusals (api.refused_full)" "+436" "+$(($(apic refused_full) - rf0))"

# ---- clients that never read --------------------------------------------------------------
sd0=$(apic slow_dropped)
api nobody noread 20000 >"$T_TMP/noread.out" &
NR=$!
sleep 1
check "status served while a client floods requests and never reads" served
wait $NR
check "a client that never reads is disconnected (its queue is capped)" grep -q ' closed$' "$T_TMP/noread.out"
echo "     $(cat "$T_TMP/noread.out")"
sample "after the non-reader"
api nobody subscribe-noread 8 >"$T_TMP/sub.out" &
SUB=$!
sleep 0.5
# Events for the subscriber: a group member adds and removes a router 1500 times.
ops=()
for i in $(seq 1500); do
	ops+=('{"jsonrpc":"2.0","method":"routers.add","params":{"router":"192.0.2.9"},"id":1}'
		'{"jsonrpc":"2.0","method":"routers.remove","params":{"router":"192.0.2.9"},"id":2}')
done
api daemon rpc "${ops[@]}" >"$T_TMP/churn.out"
check "3000 changes by a group member all answered while a subscriber never reads" \
	test "$(grep -c '"result"' "$T_TMP/churn.out")" = 3000
check "status served during the churn" served
wait $SUB
echo "     subscriber that never read: $(cat "$T_TMP/sub.out")"
check "the subscriber that never read was disconnected" grep -qx closed "$T_TMP/sub.out"
check_eq "both non-readers counted as slow and dropped (api.slow_dropped)" "+2" "+$(($(apic slow_dropped) - sd0))"
sample "after the event churn"

rss1=$(rss_kb $CPID)
echo "     control RSS: start $rss0 KiB, with 500 clients $rss_idle KiB, peak sampled $peak KiB, end $rss1 KiB"
if grep -q __asan_init "$CONTROL"; then
	# ASan keeps freed memory in quarantine (256 MiB by default): RSS says
	# nothing about the daemon's own bounds in a sanitized build.
	echo "     (ASan build: RSS bounds not asserted)"
else
	check "RSS bounded: peak sampled <= 32 MiB" test "$peak" -le 32768
	check "RSS back within 8 MiB of the start ($rss0 -> $rss1 KiB)" test $((rss1 - rss0)) -le 8192
fi
check "isatap-control still running" alive $CPID
check "still served at the end" served
t_done
