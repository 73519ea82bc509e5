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
    "introspect": ("select_only", None),
    "discovery": ("select_only", None),
}
P99_LIMIT_MS = 50
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
    header = ["scenario", "req/s", "p50 ms", "p99 ms", "errors", "CPU s/1000", "peak RSS MB", "ratio", "target", "met"]
    rows = []
    broken = []
    missed = []
    for name in args.order.split():
        if name == "footprint":
            continue
        path = os.path.join(results, f"{name}.json")
        if not os.path.exists(path):
            broken.append(f"{name}: no result")
            rows.append([name, "-", "-", "-", "-", "-", "-", "-", "-", "BROKEN"])
            continue
        r = load(path)
        base, minimum = TARGETS.get(name, (None, None))
        if r.get("skipped"):
            target = f">= {minimum:.2f} x {BASE_NAMES[base]}" if minimum else "-"
            rows.append([name, "-", "-", "-", "-", "-", "-", "-", target, "skipped: " + r["skipped"]])
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
        failed = [c for c, ok in checks if not ok]
        met = "-" if smoke else ("yes" if not failed else "no: " + ", ".join(failed))
        if not smoke and failed:
            missed.append(f"{name}: " + ", ".join(failed))
        target = (f">= {minimum:.2f} x {BASE_NAMES[base]}" if minimum is not None else "-") + f", p99 <= {P99_LIMIT_MS}"
        rows.append([
            label, f"{rps:.0f}", fmt(r.get("p50_ms")), fmt(p99) + (f" ({fmt(step_p99)}/req)" if r.get("unit") == "sign-ins" else ""),
            str(errors), cpu_per_1000, f"{rss / 1024:.0f}" if rss else "-",
            f"{ratio:.2f} x {BASE_NAMES[base]}" if ratio is not None else "-", target, met,
        ])
        ok = r.get("ok", requests)
        if ok <= 0 or errors > ok:
            broken.append(f"{name}: {ok} successful, {errors} errors")
        for sample in r.get("error_samples", [])[:3]:
            print(f"  {name} error sample: {sample}", file=sys.stderr)
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

    print()
    if missed:
        print("targets missed: " + "; ".join(missed))
    if broken:
        print("BROKEN: " + "; ".join(broken))
        return 1
    return 0


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
