#!/usr/bin/env python3
"""Prints the benchmark table from the JSON files run.sh wrote, and decides the exit code.

Targets (issue 8) are ratios to the pgbench figures measured in the same run. In --smoke mode no target is
judged; the exit code is 1 only when a scenario is broken: no successful operation at all, or more than half
of its operations failed. Outside smoke mode the same rule applies (slow numbers are reported, not fatal).
"""
import argparse
import json
import os
import platform
import sys
import time

# scenario -> (pgbench figure, minimum ratio) from issue 8; None: no throughput target.
TARGETS = {
    "userinfo": ("select_only", 0.25),
    "refresh": ("tpcb", 0.40),
    "client_credentials": ("tpcb", 0.50),
    "signin": ("tpcb", 0.12),
    "passkey": ("tpcb", 0.10),
    "oidc_signin": ("tpcb", None),
    "introspect": ("select_only", None),
    "discovery": ("select_only", None),
}
P99_LIMIT_MS = 50
# Issue 24: server CPU per operation (ms), for a refresh and for a whole sign-in (all its requests).
CPU_LIMIT_MS = {"refresh": 1.5, "signin": 2.5, "passkey": 3.0}
IDLE_RSS_LIMIT_MB = 150
READY_LIMIT_S = 2.0
BASE_NAMES = {"tpcb": "TPC-B", "select_only": "select"}


def load(path):
    with open(path) as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--smoke", default="0")
    parser.add_argument("--seconds", default="?")
    parser.add_argument("--warmup", default="?")
    parser.add_argument("--concurrency", default="?")
    parser.add_argument("--load", default="?")
    parser.add_argument("--order", default="")
    parser.add_argument("--chart", default="", help="write the peers ratio chart (SVG) to this path")
    args = parser.parse_args()
    smoke = args.smoke == "1"
    results = args.results
    pg = load(os.path.join(results, "pgbench.json"))

    mem_kb = next((int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal:")), 0)
    print()
    print(f"# AuthServer benchmark {'(smoke: no thresholds)' if smoke else ''}".rstrip())
    print(f"{time.strftime('%Y-%m-%d %H:%M %Z')}; {os.cpu_count()} CPUs, {mem_kb / 1048576:.1f} GiB; {platform.platform()}; "
          f"load average at the end {args.load}")
    print(f"{args.seconds}s measured per scenario after {args.warmup}s warm-up; {args.concurrency} connections/workers; "
          f"pgbench (scale {pg['scale']}, {pg['clients']} clients): TPC-B {pg['tpcb']:.0f} tps, select-only {pg['select_only']:.0f} tps")
    print()
    header = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "CPU s/1000", "stmts/op (commits)", "peak RSS MB", "ratio", "target", "met"]
    rows = []
    broken = []
    missed = []
    for name in args.order.split():
        if name in ("footprint", "peers", "two_instances"):
            continue
        path = os.path.join(results, f"{name}.json")
        if not os.path.exists(path):
            broken.append(f"{name}: no result")
            rows.append([name, "-", "-", "-", "-", "-", "-", "-", "-", "-", "BROKEN"])
            continue
        r = load(path)
        base, minimum = TARGETS.get(name, (None, None))
        if r.get("skipped"):
            target = f">= {minimum:.2f} x {BASE_NAMES[base]}" if minimum else "-"
            rows.append([name, "-", "-", "-", "-", "-", "-", "-", "-", target, "skipped: " + r["skipped"]])
            continue
        requests, errors = r["requests"], r["errors"]
        rps = r["rps"]
        label = name if r.get("unit", "requests") == "requests" else f"{name} ({r['unit']})"
        cpu = r.get("server_cpu_s")
        cpu_per_1000 = f"{cpu / requests * 1000:.2f}" if cpu is not None and requests > 0 else "-"
        rss = r.get("server_peak_rss_kb")
        ratio = rps / pg[base] if base and pg.get(base) else None
        checks = []
        if minimum is not None:
            checks.append(("rate", ratio >= minimum))
        checks.append(("errors", errors == 0))
        p99 = r.get("p99_ms")
        # A sign-in is several requests: the latency target applies to each of them.
        step_p99 = max((s["p99_ms"] for s in r.get("steps", {}).values() if s.get("p99_ms") is not None), default=None)
        request_p99 = step_p99 if r.get("unit") == "sign-ins" and step_p99 is not None else p99
        checks.append(("p99", request_p99 is not None and request_p99 <= P99_LIMIT_MS))
        cpu_limit = CPU_LIMIT_MS.get(name)
        if cpu_limit is not None:
            checks.append(("cpu", cpu is not None and requests > 0 and cpu / requests * 1000 <= cpu_limit))
        failed = [c for c, ok in checks if not ok]
        met = "-" if smoke else ("yes" if not failed else "no: " + ", ".join(failed))
        if not smoke and failed:
            missed.append(f"{name}: " + ", ".join(failed))
        target = (f">= {minimum:.2f} x {BASE_NAMES[base]}" if minimum is not None else "-") + f", p99 <= {P99_LIMIT_MS}"
        if cpu_limit is not None:
            target += f", CPU <= {cpu_limit} ms"
        rows.append([
            label, f"{rps:.0f}", fmt(r.get("p50_ms")), fmt(p99) + (f" ({fmt(step_p99)}/req)" if r.get("unit") == "sign-ins" else ""),
            str(errors), cpu_per_1000, statements_cell(r), f"{rss / 1024:.0f}" if rss else "-",
            f"{ratio:.2f} x {BASE_NAMES[base]}" if ratio is not None else "-", target, met,
        ])
        ok = r.get("ok", requests)
        if ok <= 0 or errors > ok:
            broken.append(f"{name}: {ok} successful, {errors} errors")
        for sample in r.get("error_samples", [])[:3]:
            print(f"  {name} error sample: {sample}", file=sys.stderr)
    if rows:
        print_table(header, rows)

    footprint_path = os.path.join(results, "footprint.json")
    if os.path.exists(footprint_path):
        f = load(footprint_path)
        sweep = load(os.path.join(results, "footprint-sweep.json"))
        first_mb, restart_mb = f["first_idle_rss_kb"] / 1024, f["restart_idle_rss_kb"] / 1024
        sweep_mb = sweep["server_peak_rss_kb"] / 1024
        print()
        print("footprint (scenario 7)")
        fp_rows = [
            ["idle RSS after the first start (empty database)", f"{first_mb:.0f} MB", f"<= {IDLE_RSS_LIMIT_MB} MB", judge(smoke, first_mb <= IDLE_RSS_LIMIT_MB)],
            [f"idle RSS after a restart with {f['sessions']:,} active sessions", f"{restart_mb:.0f} MB", f"<= {IDLE_RSS_LIMIT_MB} MB",
             judge(smoke, restart_mb <= IDLE_RSS_LIMIT_MB)],
            [f"peak RSS, userinfo over those sessions ({sweep['requests']:,} req, {sweep['rps']:.0f}/s, {sweep['errors']} errors)",
             f"{sweep_mb:.0f} MB", "-", "-"],
            ["start to /health/ready, first start (migrations, key generation)", f"{f['first_ready_s']:.2f} s", "-", "-"],
            [f"start to /health/ready, restart with {f['sessions']:,} sessions", f"{f['restart_ready_s']:.2f} s", f"<= {READY_LIMIT_S:.0f} s",
             judge(smoke, f["restart_ready_s"] <= READY_LIMIT_S)],
        ]
        print_table(["measure", "value", "target", "met"], fp_rows)
        if not smoke:
            if first_mb > IDLE_RSS_LIMIT_MB or restart_mb > IDLE_RSS_LIMIT_MB:
                missed.append("footprint: idle RSS")
            if f["restart_ready_s"] > READY_LIMIT_S:
                missed.append("footprint: start to ready")
        if sweep["ok"] <= 0 or sweep["errors"] > sweep["ok"]:
            broken.append(f"footprint sweep: {sweep['ok']} successful, {sweep['errors']} errors")

    broken += print_two_instances(results)

    peers_missed, peers_broken = print_peers(results, smoke, args.chart)
    missed += peers_missed
    broken += peers_broken

    print()
    if missed:
        print("targets missed: " + "; ".join(missed))
    if broken:
        print("BROKEN: " + "; ".join(broken))
        return 1
    return 0


TWO_INSTANCE_SCENARIOS = ["userinfo", "refresh", "signin"]


def print_two_instances(results):
    """Issue 24: one against two server processes on one PostgreSQL, same run, same load; returns broken."""
    rows, broken = [], []
    for name in TWO_INSTANCE_SCENARIOS:
        two_path = os.path.join(results, f"two-{name}.json")
        if not os.path.exists(two_path):
            continue
        one_path = os.path.join(results, f"{name}.json")
        one = load(one_path) if os.path.exists(one_path) else None
        two = load(two_path)
        cpu = lambda r: f"{r['server_cpu_s'] / r['requests'] * 1000:.2f}" if r and r.get("server_cpu_s") is not None and r["requests"] else "-"
        rows.append([name, f"{one['rps']:.0f}" if one else "-", f"{two['rps']:.0f}", f"{two['rps'] / one['rps']:.2f}" if one and one["rps"] else "-",
                     cpu(one), cpu(two), fmt(two.get("p99_ms")), statements_cell(two), str(two["errors"])])
        if two.get("ok", two["requests"]) <= 0 or two["errors"] > two.get("ok", two["requests"]):
            broken.append(f"two instances {name}: {two.get('ok', 0)} successful, {two['errors']} errors")
        for sample in two.get("error_samples", [])[:2]:
            print(f"  two instances {name} error sample: {sample}", file=sys.stderr)
    if rows:
        print()
        print("two instances on one PostgreSQL (issue 24): the same load split over two server processes on this machine "
              "(same CPUs: this shows overhead, not speed-up); CPU is both processes' per operation")
        print_table(["scenario", "1 instance req/s", "2 instances req/s", "2 / 1", "CPU ms/op (1)", "CPU ms/op (2)", "p99 ms (2)",
                     "stmts/op (2)", "errors (2)"], rows)
    return broken


# Issues 11 and 24: ours against the peers, same run. scenario -> minimum ratio ours / oidc-provider. userinfo is
# the OpenID Connect userinfo endpoint with a bearer token, refresh the rotation of a refresh token (the C# driver).
PEERS = ["ours", "oidc-provider", "openiddict-stock"]
PEER_SCENARIOS = {"discovery": 1.5, "client_credentials": 1.0, "introspect": 1.0, "userinfo": 1.0, "refresh": 1.0}
PEER_IDLE_RSS_MAX_RATIO = 1.5
PEER_READY_LIMIT_S = 1.5


def print_peers(results, smoke, chart=""):
    """The peers table (bench/peers): returns (missed, broken)."""
    folder = os.path.join(results, "peers")
    if not os.path.isdir(folder):
        return [], []
    missed, broken, rows = [], [], []
    data = {}
    for server in PEERS:
        for name in PEER_SCENARIOS:
            path = os.path.join(folder, f"{server}.{name}.json")
            if os.path.exists(path):
                data[(server, name)] = load(path)
            else:
                broken.append(f"peers {server} {name}: no result")
    for name, minimum in PEER_SCENARIOS.items():
        ours = data.get(("ours", name))
        for server in PEERS:
            r = data.get((server, name))
            if r is None:
                rows.append([name, server] + ["-"] * 8)
                continue
            cpu = f"{r['server_cpu_s'] / r['requests'] * 1000:.2f}" if r["requests"] else "-"
            if server == "ours":
                ratio, target, met = "-", f">= {minimum:.1f} x oidc-provider, 0 errors", "-"
                if not smoke:
                    op = data.get(("oidc-provider", name))
                    ok = op is not None and r["rps"] >= minimum * op["rps"] and r["errors"] == 0
                    met = "yes" if ok else "no"
                    if not ok:
                        missed.append(f"peers {name}: ours {r['rps']:.0f}/s vs oidc-provider {op['rps'] if op else 0:.0f}/s, {r['errors']} errors")
            else:
                ratio = f"{ours['rps'] / r['rps']:.2f}" if ours and r["rps"] else "-"
                target, met = "-", "-"
            rows.append([name, server, f"{r['rps']:.0f}", fmt(r.get("p50_ms")), fmt(r.get("p99_ms")), str(r["errors"]), cpu,
                         f"{r['server_peak_rss_kb'] / 1024:.0f}", ratio, target, met])
            if r.get("ok", 0) <= 0 or r["errors"] > r.get("ok", 0):
                broken.append(f"peers {server} {name}: {r.get('ok', 0)} successful, {r['errors']} errors")
            for sample in r.get("error_samples", [])[:2]:
                print(f"  peers {server} {name} error sample: {sample}", file=sys.stderr)
    print()
    print("peers (issue 11): same machine, same PostgreSQL cluster, wrk with the same connections; ratio = ours / that server's req/s")
    config_path = os.path.join(folder, "config.json")
    if os.path.exists(config_path):
        c = load(config_path)
        print(f"per server: {c['warmup_s']}s mixed warm-up, then per scenario {c['scenario_warmup_s']}s warm-up and {c['seconds']}s measured; "
              f"{c['tokens']} tokens introspected in turn")
    print_table(["scenario", "server", "req/s", "p50 ms", "p99 ms", "errors", "CPU s/1000", "peak RSS MB", "ours / this", "target (ours)", "met"], rows)

    if chart:
        write_chart(chart, data, smoke)

    # aspnet-bare is no peer: the runtime and ASP.NET Core alone, the floor of any .NET server's footprint.
    foot = {s: load(os.path.join(folder, f"{s}.json")) for s in PEERS + ["aspnet-bare"] if os.path.exists(os.path.join(folder, f"{s}.json"))}
    rows = []
    for server, f in foot.items():
        idle_mb = f["idle_rss_kb"] / 1024
        ours = foot.get("ours")
        ratio = f"{ours['idle_rss_kb'] / f['idle_rss_kb']:.2f}" if ours and server != "ours" else "-"
        label = "bare ASP.NET Core (floor, no load)" if server == "aspnet-bare" else server
        rows.append([label, f"{idle_mb:.0f}", f"{f['ready_s']:.2f}", ratio])
    print()
    print_table(["server", "idle RSS MB", "start -> ready s", "ours / this (idle RSS)"], rows)
    ours, op = foot.get("ours"), foot.get("oidc-provider")
    if ours and op:
        rss_ok = ours["idle_rss_kb"] <= PEER_IDLE_RSS_MAX_RATIO * op["idle_rss_kb"]
        ready_ok = ours["ready_s"] <= PEER_READY_LIMIT_S
        print(f"targets (ours): idle RSS <= {PEER_IDLE_RSS_MAX_RATIO} x oidc-provider: {judge(smoke, rss_ok)}; "
              f"start -> ready <= {PEER_READY_LIMIT_S} s: {judge(smoke, ready_ok)}")
        if not smoke:
            if not rss_ok:
                missed.append("peers: idle RSS vs oidc-provider")
            if not ready_ok:
                missed.append("peers: start to ready")
    return missed, broken


def write_chart(path, data, smoke):
    """A horizontal bar chart (plain SVG, no dependencies): ours / peer req/s per scenario, with the target line."""
    bars = []
    for name, minimum in PEER_SCENARIOS.items():
        ours = data.get(("ours", name))
        for server in PEERS[1:]:
            peer = data.get((server, name))
            if ours and peer and peer["rps"]:
                bars.append((f"{name} vs {server}", ours["rps"] / peer["rps"], minimum if server == "oidc-provider" else None))
    if not bars:
        return
    # Log scale: 0.5x and 2x are the same distance from parity, and a 10x bar does not flatten the others.
    import math
    lo, hi = 0.25, max(max(b[1] for b in bars), 2.0) * 1.5
    left, width, row, height = 280, 420, 34, 60 + 34 * len(bars)
    x = lambda v: left + width * (math.log(max(v, lo)) - math.log(lo)) / (math.log(hi) - math.log(lo))
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 60}" height="{height + 30}" font-family="sans-serif" font-size="13">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="10" y="22" font-size="15" font-weight="bold">Ours / peer, requests per second (same run{", smoke" if smoke else ""}; log scale; higher is better)</text>']
    for i, (label, ratio, target) in enumerate(bars):
        y = 40 + i * row
        color = "#2e7d32" if target is None or ratio >= target else "#c62828"
        if target is None:
            color = "#1565c0"
        out.append(f'<text x="{left - 8}" y="{y + 17}" text-anchor="end">{label}</text>')
        out.append(f'<rect x="{left}" y="{y + 4}" width="{x(ratio) - left:.1f}" height="{row - 10}" fill="{color}"/>')
        out.append(f'<text x="{x(ratio) + 5:.1f}" y="{y + 17}">{ratio:.2f}x</text>')
        if target is not None:
            out.append(f'<line x1="{x(target):.1f}" y1="{y}" x2="{x(target):.1f}" y2="{y + row - 2}" stroke="black" stroke-dasharray="4,3"/>')
    out.append(f'<line x1="{x(1):.1f}" y1="36" x2="{x(1):.1f}" y2="{height - 20}" stroke="#888"/>')
    out.append(f'<text x="{x(1):.1f}" y="{height - 5}" text-anchor="middle" fill="#555">1.0x (parity)</text>')
    out.append(f'<text x="10" y="{height + 20}" fill="#555">dashed: target vs oidc-provider; red: missed, green: met, blue: no target</text>')
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def statements_cell(r):
    """Statements per operation sent to PostgreSQL (BEGIN and COMMIT included), and the COMMITs among them."""
    if r.get("statements_per_op") is None:
        return "-"
    return f"{r['statements_per_op']:.1f} ({r.get('commits_per_op', 0):.1f})"


def judge(smoke, ok):
    return "-" if smoke else ("yes" if ok else "no")


def fmt(value):
    return "-" if value is None else f"{value:.1f}"


def print_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda cells: "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in rows:
        print(line(row))


if __name__ == "__main__":
    sys.exit(main())
