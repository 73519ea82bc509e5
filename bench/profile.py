#!/usr/bin/env python3
"""Summarizes a `perf record -g` CPU profile of the server (bench/run.sh with BENCH_PROFILE_DIR).

    python3 bench/profile.py PERF_DATA [--top N]

Prints where the server's CPU time went, three ways:
  1. by thread kind (request threads, tiered JIT, GC, sockets...);
  2. by library (JIT-compiled .NET code, OpenSSL's libcrypto, the runtime, the kernel...);
  3. on request threads, by the component that asked for it: each sample is charged to the nearest frame,
     walking from the leaf towards the root, that belongs to one of our own or a third-party assembly (so
     time spent in the base library or the runtime on behalf of EF Core is EF Core's). Samples in libcrypto
     are charged to "crypto (libcrypto)": OpenSSL has no frame pointers, so its callers cannot be unwound.
and the hottest JIT-compiled methods (self time).

The server must run with DOTNET_PerfMapEnabled=1 (names of JIT-compiled code, in /tmp/perf-PID.map) and
DOTNET_EnableWriteXorExecute=0 (otherwise that code runs from an anonymous double mapping perf cannot name).
Unlike a .NET EventPipe thread-time trace, perf samples only threads that are on a CPU, so a thread that
waits (the finalizer, the socket poller, an idle pool thread) costs nothing here.
"""
import collections
import re
import subprocess
import sys

COMPONENTS = [
    ("AuthServer", "our code (AuthServer)"),
    ("OpenIddict", "OpenIddict"),
    ("Microsoft.IdentityModel", "IdentityModel (JWT/JWE)"),
    ("Microsoft.EntityFrameworkCore", "EF Core"),
    ("Npgsql", "Npgsql"),
    ("Microsoft.AspNetCore", "ASP.NET Core"),
    ("System.Text.Json", "System.Text.Json"),
    ("Microsoft.Extensions", "Microsoft.Extensions (DI, logging, caching)"),
    ("System.Net", "sockets (System.Net)"),
]
ASSEMBLY = re.compile(r"\[([A-Za-z0-9_.]+)\] ")


def read_samples(path):
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,tid,ip,sym,dso"],
                         capture_output=True, text=True, check=True).stdout
    samples, frames, comm = [], None, None
    for line in out.split("\n"):
        if not line.strip():
            if frames is not None:
                samples.append((comm, frames))
            frames = None
            continue
        if not line.startswith(("\t", " ")):
            comm = re.sub(r"\s+\d+$", "", line.strip())
            frames = []
            continue
        frames.append(line.strip())
    if frames is not None:
        samples.append((comm, frames))
    return samples


def dso_of(frame):
    m = re.search(r"\(([^()]*)\)$", frame)
    name = m.group(1) if m else "?"
    if name.startswith("/tmp/perf-") or "[JIT]" in frame:
        return "JIT-compiled .NET code"
    if "kallsyms" in name:
        return "kernel"
    return name.rsplit("/", 1)[-1]


def method_of(frame):
    m = re.search(r"\] (\S+?)\(", frame)
    return m.group(1) if m else None


def component_of(frames):
    if "libcrypto" in frames[0]:
        return "crypto (libcrypto)"
    for frame in frames:
        m = ASSEMBLY.search(frame)
        if not m:
            continue
        for prefix, label in COMPONENTS:
            if m.group(1).startswith(prefix):
                return label
    return "base library / runtime (no caller known)"


def table(title, counter, total, top):
    print(f"\n{title}")
    for key, value in counter.most_common(top):
        print(f"  {100 * value / total:5.1f}%  {key}")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    top = int(sys.argv[sys.argv.index("--top") + 1]) if "--top" in sys.argv else 15
    samples = read_samples(sys.argv[1])
    if not samples:
        print("no samples")
        return
    total = len(samples)
    threads, dsos, components, methods = (collections.Counter() for _ in range(4))
    for comm, frames in samples:
        kind = re.sub(r"\s*\d+$", "", comm.split(":")[-1]).strip() or comm
        threads[kind] += 1
        if not frames:
            continue
        dsos[dso_of(frames[0])] += 1
        if "TP Worker" in comm or "Sockets" in comm:
            components[component_of(frames)] += 1
        if (name := method_of(frames[0])) is not None:
            methods[name] += 1
    print(f"{total} samples")
    table("by thread", threads, total, top)
    table("by library (self time)", dsos, total, top)
    table("request threads, by the component that asked (share of all samples)", components, total, top)
    table("hottest JIT-compiled methods (self time)", methods, total, top)


if __name__ == "__main__":
    main()
