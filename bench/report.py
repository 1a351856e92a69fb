#!/usr/bin/env python3
"""Turns bench.sh's raw figures into the table, the gates and bench/results.json.

Input: lines "round<TAB>path<TAB>key<TAB>value". Every figure is reported as the
median over the rounds; ratios to veth are taken within each round first (the
paths of one round ran back to back), then the median of those is reported.

Exit status: 0, 1 when a correctness gate failed, 2 when figures are missing
(a path that did not run is a broken setup, not a slow one).
"""
import argparse
import json
import statistics
import sys
from collections import defaultdict

# The targets, per ISATAP path, as (top-level key, comparison, bound, text).
# Missing one is a WARN line, never a failure: speed depends on the machine.
# Issue 16 for the fast path (the default, "isatap"); issue 7's for the
# user-space path ("isatap-user"), which must stay where it was.
TARGETS = {
    "isatap": [
        ("fastpath_active", ">=", 1, "the fast path carries it (fastpath.active at both ends)"),
        ("tcp1_ratio_veth", ">=", 0.8, "TCP 1 stream >= 0.8 x plain veth"),
        ("tcp1_ratio_openvpn", ">=", 20.0, "TCP 1 stream >= 20 x OpenVPN-none"),
        ("cpu_ratio_veth", "<=", 1.5, "CPU-seconds per GB <= 1.5 x plain veth's"),
        ("cpu_s_per_gb", "<=", 0.6, "<= 0.6 CPU-seconds per GB (bench processes, or machine)"),
        ("udp64_ratio_veth", ">=", 0.8, "64-byte UDP >= 0.8 x plain veth"),
        ("added_rtt_us", "<=", 20.0, "added idle RTT <= 20 us"),
        ("datapath_rss_kb", "<=", 4096, "datapath RSS <= 4 MB"),
        ("control_rss_kb", "<=", 6144, "control RSS <= 6 MB"),
    ],
    "isatap-user": [
        ("tcp1_ratio_veth", ">=", 0.15, "TCP 1 stream >= 0.15 x plain veth"),
        ("tcp1_ratio_openvpn", ">=", 3.0, "TCP 1 stream >= 3 x OpenVPN-none"),
        ("cpu_s_per_gb", "<=", 2.5, "<= 2.5 CPU-seconds per GB (bench processes, or machine)"),
        ("udp64_ratio_veth", ">=", 0.45, "64-byte UDP >= 0.45 x plain veth"),
        ("added_rtt_us", "<=", 60.0, "added idle RTT <= 60 us"),
        ("datapath_rss_kb", "<=", 4096, "datapath RSS <= 4 MB"),
        ("control_rss_kb", "<=", 6144, "control RSS <= 6 MB"),
    ],
}
ISATAP_PATHS = ("isatap", "isatap-user")


def load(path):
    data = defaultdict(lambda: defaultdict(dict))  # path -> round -> key -> value
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or parts[3] == "":
                continue
            rnd, p, key, val = parts
            try:
                data[p][int(rnd)][key] = float(val)
            except ValueError:
                continue
    return data


def derive(data):
    """Per-round figures computed from the raw ones."""
    for rounds in data.values():
        for fig in rounds.values():
            gb = fig.get("tcp1_bytes", 0) / 1e9
            if gb > 0:
                fig["system_cpu_s_per_gb"] = fig["tcp1_sys_cpu_s"] / gb
                if "tcp1_bench_cpu_s" in fig:
                    fig["bench_cpu_s_per_gb"] = fig["tcp1_bench_cpu_s"] / gb
                # The bench's own processes when they could be counted
                # apart (a shared machine's other load is not ours).
                fig["cpu_s_per_gb"] = fig.get("bench_cpu_s_per_gb", fig["system_cpu_s_per_gb"])
                if "tcp1_tunnel_cpu_s" in fig:
                    fig["tunnel_cpu_s_per_gb"] = fig["tcp1_tunnel_cpu_s"] / gb
    veth = data.get("veth", {})
    for p, rounds in data.items():
        for r, fig in rounds.items():
            ref = veth.get(r, {})
            for k in ("tcp1_gbps", "tcp4_gbps", "udp64_pps", "cpu_s_per_gb",
                      "system_cpu_s_per_gb", "bench_cpu_s_per_gb"):
                if k in fig and ref.get(k):
                    fig[k + "_ratio_veth"] = fig[k] / ref[k]
            for k in ("rtt_avg_us", "rtt_p50_us", "rtt_p99_us"):
                if k in fig and k in ref:
                    fig["added_" + k] = fig[k] - ref[k]
            ovpn = data.get("openvpn", {}).get(r, {})
            if "tcp1_gbps" in fig and ovpn.get("tcp1_gbps"):
                fig["tcp1_ratio_openvpn"] = fig["tcp1_gbps"] / ovpn["tcp1_gbps"]


def median(rounds, key):
    vals = [fig[key] for fig in rounds.values() if key in fig]
    return statistics.median(vals) if vals else None


def fmt(v, spec):
    return "-" if v is None else format(v, spec)


ROWS = [
    # label, key, format, ratio key (or None)
    ("TCP 1 stream, Gb/s", "tcp1_gbps", ".2f", "tcp1_gbps_ratio_veth"),
    ("TCP 4 streams, Gb/s", "tcp4_gbps", ".2f", "tcp4_gbps_ratio_veth"),
    ("UDP 64 B, kpkt/s rx", "udp64_kpps", ".0f", "udp64_pps_ratio_veth"),
    ("machine CPU-s per GB", "system_cpu_s_per_gb", ".2f", "system_cpu_s_per_gb_ratio_veth"),
    ("bench CPU-s per GB", "bench_cpu_s_per_gb", ".2f", "bench_cpu_s_per_gb_ratio_veth"),
    ("tunnel CPU-s per GB", "tunnel_cpu_s_per_gb", ".2f", None),
    ("RTT avg, us", "rtt_avg_us", ".0f", "added_rtt_avg_us"),
    ("RTT median, us", "rtt_p50_us", ".0f", "added_rtt_p50_us"),
    ("RTT p99, us", "rtt_p99_us", ".0f", "added_rtt_p99_us"),
    ("tunnel RSS, kB", "tunnel_rss_kb", ".0f", None),
    ("control RSS, kB", "control_rss_kb", ".0f", None),
    ("TCP retransmits (1 str)", "tcp1_retransmits", ".0f", None),
    ("UDP lost (sent-recvd)", "udp64_lost", ".0f", None),
    ("TCP out-of-order queued", "tcp_ofo_queued", ".0f", None),
    ("outer IPv4 fragments", "outer_fragments", ".0f", None),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--rounds", type=int, required=True)
    ap.add_argument("--secs", type=float, required=True)
    ap.add_argument("--paths", required=True)
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--note", default="")
    a = ap.parse_args()

    paths = a.paths.split(",")
    data = load(a.raw)
    for rounds in data.values():
        for fig in rounds.values():
            if "udp64_pps" in fig:
                fig["udp64_kpps"] = fig["udp64_pps"] / 1000
    derive(data)
    med = {p: {} for p in paths}
    for p in paths:
        keys = set()
        for fig in data.get(p, {}).values():
            keys.update(fig)
        for k in keys:
            med[p][k] = median(data[p], k)

    # The table: one column per path, ratios to veth beside the tunnels.
    head = f"{'':26}" + "".join(
        f"{p:>12}" + ("" if p == "veth" else f"{'vs veth':>9}") for p in paths)
    print()
    print(head)
    for label, key, spec, rkey in ROWS:
        if all(med[p].get(key) is None for p in paths):
            continue
        line = f"{label:26}"
        for p in paths:
            line += f"{fmt(med[p].get(key), spec):>12}"
            if p != "veth":
                rv = med[p].get(rkey) if rkey else None
                if rkey and rkey.startswith("added_"):
                    line += f"{fmt(rv, '+.0f'):>9}"
                else:
                    line += f"{fmt(rv, '.3f') + ('x' if rv is not None else ''):>9}"
        print(line)
    print()

    # Correctness gates: every path, every round.
    failed = False
    missing = []
    need = ["tcp1_gbps", "tcp4_gbps", "udp64_pps", "rtt_avg_us", "csum_errors"]
    for p in paths:
        for r in range(1, a.rounds + 1):
            fig = data.get(p, {}).get(r, {})
            for k in need + (["drops_total"] if p in ISATAP_PATHS else []):
                if k not in fig:
                    missing.append(f"{p} round {r}: {k}")
    for p in paths:
        rounds = data.get(p, {})
        csum = sum(f.get("csum_errors", 0) for f in rounds.values())
        ooo = sum(f.get("udp64_out_of_order", 0) for f in rounds.values())
        bad = sum(f.get("drops_unexpected", 0) for f in rounds.values())
        drops = sum(f.get("drops_total", 0) for f in rounds.values())
        ok = csum == 0 and ooo == 0 and bad == 0
        failed |= not ok
        extra = ""
        if any("drops_total" in f for f in rounds.values()):
            extra = f", datapath drops {drops:.0f} (unexpected {bad:.0f})"
        print(f"{'GATE' if ok else 'FAIL'} {p}: bad checksums delivered {csum:.0f}, "
              f"UDP out-of-order {ooo:.0f}{extra}")
    for m in missing:
        print(f"FAIL missing figure: {m}")
    # Where the packets went (sums over the rounds, both ends): the fast
    # path's own counters beside the packets carried in and out.
    for p in ISATAP_PATHS:
        ctr = defaultdict(float)
        for fig in data.get(p, {}).values():
            for k, v in fig.items():
                if k.startswith("ctr_"):
                    ctr[k[4:]] += v
        if ctr:
            print(f"{p}: counters over the run: " +
                  ", ".join(f"{k} {ctr[k]:.0f}" for k in sorted(ctr)))

    def summary(iv):
        fp = iv.get("fastpath_active")
        return {
            "fastpath_active": None if fp is None else fp >= 1,
            "tcp1_gbps": iv.get("tcp1_gbps"),
            "tcp1_ratio_veth": iv.get("tcp1_gbps_ratio_veth"),
            "tcp1_ratio_openvpn": iv.get("tcp1_ratio_openvpn"),
            "tcp4_ratio_veth": iv.get("tcp4_gbps_ratio_veth"),
            "udp64_ratio_veth": iv.get("udp64_pps_ratio_veth"),
            "cpu_s_per_gb": iv.get("cpu_s_per_gb"),
            "cpu_ratio_veth": iv.get("cpu_s_per_gb_ratio_veth"),
            "system_cpu_s_per_gb": iv.get("system_cpu_s_per_gb"),
            "bench_cpu_s_per_gb": iv.get("bench_cpu_s_per_gb"),
            "datapath_cpu_s_per_gb": iv.get("tunnel_cpu_s_per_gb"),
            "added_rtt_us": iv.get("added_rtt_avg_us"),
            "added_rtt_p50_us": iv.get("added_rtt_p50_us"),
            "added_rtt_p99_us": iv.get("added_rtt_p99_us"),
            "datapath_rss_kb": iv.get("tunnel_rss_kb"),
            "control_rss_kb": iv.get("control_rss_kb"),
        }

    # One summary per ISATAP path, the same keys; the fast path's is also
    # the top level (as before there was a user-space path beside it).
    by_path = {p: summary(med[p]) for p in ISATAP_PATHS if p in paths}
    top = by_path.get("isatap", summary({}))
    targets = []
    for p in ISATAP_PATHS:
        if p not in paths:
            continue
        for key, op, bound, text in TARGETS[p]:
            v = by_path[p].get(key)
            if v is None:
                print(f"WARN target not measured: {p}: {text}")
                targets.append({"path": p, "target": text, "value": None, "met": False})
                continue
            v = float(v)
            met = v >= bound if op == ">=" else v <= bound
            shown = f"{v:.0f}" if abs(v) >= 100 else f"{v:.3g}"
            print(f"{'ok  ' if met else 'WARN'} target {p}: {text}: {shown} ({'met' if met else 'missed'})")
            targets.append({"path": p, "target": text, "value": v, "met": met})

    result = dict(top)
    result.update({
        "version": 2,
        "isatap_user": by_path.get("isatap-user"),
        "targets": targets,
        "smoke": a.smoke,
        "rounds": a.rounds,
        "seconds_per_run": a.secs,
        "note": a.note,
        "paths": paths,
        "medians": med,
        "per_round": {p: {str(r): fig for r, fig in sorted(data.get(p, {}).items())}
                      for p in paths},
        "gates_passed": not failed,
        "complete": not missing,
    })
    with open(a.out, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    if a.note:
        print(f"bench: {a.note}")
    print(f"bench: wrote {a.out}")
    if failed:
        return 1
    if missing:
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
