#!/usr/bin/env python3
"""Helpers for the benchmarks in tests/bench: curl commands replaying what hfrun sent, request parity, reports.

Standard library only. Subcommands:
  curl-cmd   build one curl command line that repeats the requests hfrun made (from the emulator log)
  compare    check that two slices of the emulator log are the same requests
  measure    run commands interleaved (A B A B ...): wall time, CPU time and peak RSS of each run
  first-output  run commands interleaved: time from spawn to the first stdout byte and to a marker
             (the first token) on stdout
  report     print the side-by-side table and one machine-readable line per figure
  download-report  the table of tests/bench/download_bench.sh: best wall, MB/s and peak RSS per tool and
             case, and the speed ratios against their targets
"""
import argparse
import hashlib
import json
import os
import select
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

# Headers curl computes itself (or that carry the token); everything else is passed verbatim.
SKIP = {"host", "content-length", "authorization"}


def read_log(path, start, end):
    lines = Path(path).read_text().splitlines()[start:end]
    return [json.loads(line) for line in lines if line.strip()]


def body_candidates(dry_run_files, files):
    """sha256 -> curl argument for each body we know how to send (dry-run inline bodies, input files)."""
    out = {}
    for f in files:
        digest = hashlib.sha256(Path(f).read_bytes()).hexdigest()
        out[digest] = ["--data-binary", "@" + f]
    for d in dry_run_files:
        for line in Path(d).read_text().splitlines():
            if not line.startswith("curl "):
                continue
            words = shlex.split(line)
            for i, w in enumerate(words[:-1]):
                if w == "--data-binary" and not words[i + 1].startswith("@"):
                    data = words[i + 1]
                    out[hashlib.sha256(data.encode()).hexdigest()] = ["--data-binary", data]
    return out


def curl_args(entry, base_urls, token, bodies):
    url = base_urls[entry["role"]] + entry["path"] + ("?" + entry["query"] if entry["query"] else "")
    args = ["-s", "-o", "/dev/null"]
    headers = entry["headers"]
    if entry["method"] not in ("GET", "POST"):
        args += ["-X", entry["method"]]
    for name, value in sorted(headers.items()):
        if name in SKIP:
            continue
        if name == "accept-encoding":
            # --compressed sends curl's own list (the same libcurl) and decodes the reply like hfrun does.
            args.append("--compressed")
            continue
        args += ["-H", f"{name}: {value}"]
    if "accept" not in headers:
        args += ["-H", "Accept:"]  # the curl tool adds "Accept: */*"; libcurl (hfrun) does not
    if "user-agent" not in headers:
        args += ["-H", "User-Agent:"]
    if "authorization" in headers:
        args += ["-H", f"Authorization: Bearer {token}"]
    if entry["body_size"] > 0:
        body = bodies.get(entry["body_sha256"])
        if body is None:
            sys.exit(f"bench_helper: no known body with sha256 {entry['body_sha256']} for {url}")
        args += body
    elif entry["method"] == "POST":
        args += ["--data-binary", ""]
    args.append(url)
    return args


def cmd_curl(a):
    entries = read_log(a.log, a.start, a.end)
    if not entries:
        sys.exit("bench_helper: hfrun made no request")
    base_urls = json.loads(Path(a.ports).read_text())
    token = base_urls["token"]
    bodies = body_candidates(a.dry_run or [], a.file or [])
    words = [a.curl]
    for i, e in enumerate(entries):
        if i:
            words.append("--next")
        words += curl_args(e, base_urls, token, bodies)
    print(shlex.join(words))


def comparable(e):
    return {k: e[k] for k in ("role", "method", "path", "query", "headers", "body_size", "body_sha256", "status")}


def cmd_compare(a):
    x = [comparable(e) for e in read_log(a.log, a.a_start, a.a_end)]
    y = [comparable(e) for e in read_log(a.log, a.b_start, a.b_end)]
    if x == y:
        print(f"identical ({len(x)} request(s): method, URL, every header, body sha256, status)")
        return
    print("DIFFERENT:")
    for i in range(max(len(x), len(y))):
        ex = x[i] if i < len(x) else None
        ey = y[i] if i < len(y) else None
        if ex != ey:
            print(f"  request {i}: hfrun={json.dumps(ex)}")
            print(f"  request {i}: curl ={json.dumps(ey)}")
    sys.exit(1)


def run_once(argv):
    """One whole process, bare: wall ms (spawn to reap) and user+sys ms from its rusage."""
    t0 = time.perf_counter_ns()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = (time.perf_counter_ns() - t0) / 1e6
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, wall, (usage.ru_utime + usage.ru_stime) * 1000


def peak_rss(argv, rss_file):
    """Peak RSS KiB of one run, from /usr/bin/time in a separate run.

    Not from our own wait4(): Linux carries the high-water mark of the forking process's memory
    across execve, so a child of this Python process would report Python's RSS. /usr/bin/time is
    small (~2 MiB); it is kept out of the timed runs because it adds ~5-8 ms of its own start-up."""
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", rss_file, "--"] + argv,
                          stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return proc.returncode, int(Path(rss_file).read_text().split()[-1])


def cmd_measure(a):
    """Interleaving puts the noise of a shared machine on every command alike, which
    back-to-back blocks per command (hyperfine's order) do not."""
    cmds = []
    for line in Path(a.spec).read_text().splitlines():
        name, command = line.split("\t", 1)
        cmds.append((name, shlex.split(command)))
    results = {name: {"wall_ms": [], "cpu_ms": [], "rss_kib": []} for name, _ in cmds}
    for i in range(a.warmup + a.runs):
        for name, argv in cmds:
            code, wall, cpu = run_once(argv)
            code_rss, rss = peak_rss(argv, a.out + ".rss")
            if code != 0 or code_rss != 0:
                sys.exit(f"bench_helper: {name} exited with {code or code_rss}")
            if i >= a.warmup:
                r = results[name]
                r["wall_ms"].append(wall)
                r["cpu_ms"].append(cpu)
                r["rss_kib"].append(rss)
    Path(a.out).write_text(json.dumps(results))


def first_output_once(argv, marker):
    """Spawn to the first stdout byte, spawn to the first appearance of marker, spawn to reap (ms).

    stdout is read with select + os.read as the child writes it, so a stream's first token is timed
    when it reaches the pipe, not when the process ends."""
    t0 = time.perf_counter_ns()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    fd = proc.stdout.fileno()
    buf = b""
    first_byte = first_marker = None
    while True:
        select.select([fd], [], [])
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        now = (time.perf_counter_ns() - t0) / 1e6
        if first_byte is None:
            first_byte = now
        buf += chunk
        if first_marker is None and marker in buf:
            first_marker = now
    proc.stdout.close()
    code = proc.wait()
    wall = (time.perf_counter_ns() - t0) / 1e6
    return code, first_byte, first_marker, wall


def cmd_first_output(a):
    cmds = []
    for line in Path(a.spec).read_text().splitlines():
        name, marker, command = line.split("\t", 2)
        cmds.append((name, marker.encode(), shlex.split(command)))
    results = {name: {"first_byte_ms": [], "first_token_ms": [], "wall_ms": []} for name, _, _ in cmds}
    for i in range(a.warmup + a.runs):
        for name, marker, argv in cmds:
            code, first_byte, first_marker, wall = first_output_once(argv, marker)
            if code != 0 or first_marker is None:
                sys.exit(f"bench_helper: {name} exited with {code}" if code else
                         f"bench_helper: {name} never printed {marker!r}")
            if i >= a.warmup:
                r = results[name]
                r["first_byte_ms"].append(first_byte)
                r["first_token_ms"].append(first_marker)
                r["wall_ms"].append(wall)
    Path(a.out).write_text(json.dumps(results))


def cmd_hyperfine_summary(a):
    for r in json.loads(Path(a.json).read_text())["results"]:
        print(f"  {r['command']:18} median {statistics.median(r['times']) * 1000:6.1f}  mean {r['mean'] * 1000:6.1f} "
              f"± {r['stddev'] * 1000:5.1f}  user+sys {(r['user'] + r['system']) * 1000:6.1f}")


def cmd_report(a):
    out = Path(a.out)
    res = json.loads((out / "measure.json").read_text())
    pairs = [p.split(":", 1) for p in a.pairs]
    ok = True
    rows = []
    machine = []
    med = statistics.median
    for name, label in pairs:
        h, c = res[f"hfrun-{name}"], res[f"{a.baseline}-{name}"]
        hw, cw = med(h["wall_ms"]), med(c["wall_ms"])
        hc, cc = med(h["cpu_ms"]), med(c["cpu_ms"])
        hr, cr = med(h["rss_kib"]), med(c["rss_kib"])
        wr, rr = hw / cw, hr / cr
        # Per-round ratios cancel the machine's drift, which both tools of one round share.
        paired = med(x / y for x, y in zip(h["wall_ms"], c["wall_ms"]))
        rss_target = a.rss_target if a.rss_target is not None else a.target
        passed = wr <= a.target and rr <= rss_target
        ok = ok and passed
        rows.append((label, hw, cw, wr, hc, cc, hr / 1024, cr / 1024, rr, len(h["wall_ms"]), "yes" if passed else "NO",
                     paired, hc / cc))
        for tool, r, w, cpu, rss in (("hfrun", h, hw, hc, hr), (a.baseline, c, cw, cc, cr)):
            q = statistics.quantiles(r["wall_ms"], n=4)
            machine.append(f"BENCH figure={name} tool={tool} wall_ms_median={w:.2f} wall_ms_q1={q[0]:.2f} wall_ms_q3={q[2]:.2f} "
                           f"cpu_ms_median={cpu:.2f} rss_kib_median={rss:.0f} runs={len(r['wall_ms'])}")
        machine.append(f"BENCH figure={name} ratio_wall={wr:.3f} ratio_wall_paired={paired:.3f} ratio_cpu={hc / cc:.3f} ratio_rss={rr:.3f} "
                       f"target={a.target} rss_target={rss_target} pass={'yes' if passed else 'no'}")
    b = a.baseline
    rss_goal = a.rss_target if a.rss_target is not None else a.target
    print(f"Small calls: whole process, hfrun vs {a.baseline_label or b}; medians of interleaved runs")
    print(f"| call | hfrun wall ms | {b} wall ms | wall ratio | paired wall ratio | hfrun CPU ms | {b} CPU ms "
          f"| CPU ratio | hfrun peak RSS MiB | {b} peak RSS MiB | RSS ratio | runs | wall ≤ {a.target}×, RSS ≤ {rss_goal}× |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]:.1f} | {r[2]:.1f} | {r[3]:.2f} | {r[11]:.2f} | {r[4]:.1f} | {r[5]:.1f} | {r[12]:.2f} "
              f"| {r[6]:.1f} | {r[7]:.1f} "
              f"| {r[8]:.2f} | {r[9]} | {r[10]} |")
    big = out / "big.txt"
    if big.exists():
        print()
        print("Large uploads: peak RSS of the whole process")
        print(f"| upload | tool | peak RSS MiB (median) | wall s (median) | exit codes | runs | RSS ≤ {a.rss_limit_mib} MiB |")
        print("|---|---|---:|---:|---|---:|:-:|")
        groups = {}
        for line in big.read_text().splitlines():
            name, tool, label, rss, wall, code = line.split("\t")
            groups.setdefault((name, tool, label), []).append((int(rss), float(wall), code))
        for (name, tool, label), runs in groups.items():
            rss = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            codes = ",".join(sorted({r[2] for r in runs}))
            verdict = "—"
            if tool == "hfrun":
                verdict = "yes" if rss / 1024 <= a.rss_limit_mib else "NO"
                ok = ok and verdict == "yes"
            print(f"| {label} | {tool} | {rss / 1024:.1f} | {wall:.2f} | {codes} | {len(runs)} | {verdict} |")
            machine.append(f"BENCH figure={name} tool={tool} rss_kib_median={rss:.0f} wall_s_median={wall:.3f} "
                           f"exit={codes} runs={len(runs)}"
                           + (f" target_rss_mib={a.rss_limit_mib} pass={'yes' if verdict == 'yes' else 'no'}"
                              if tool == "hfrun" else ""))
    first = out / "first_output.json"
    if first.exists():
        fo = json.loads(first.read_text())
        print()
        print(f"Streams: spawn to the first token on stdout, hfrun vs {a.baseline}; medians of interleaved runs")
        print(f"| stream | hfrun first token ms | {b} first token ms | overhead ms | paired overhead ms "
              f"| hfrun first byte ms | {b} first byte ms | hfrun wall ms | {b} wall ms | runs "
              f"| overhead ≤ {a.first_target_ms:g} ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:-:|")
        for name, label in (p.split(":", 1) for p in a.first_pairs or []):
            h, c = fo[f"hfrun-{name}"], fo[f"{b}-{name}"]
            ht, ct = med(h["first_token_ms"]), med(c["first_token_ms"])
            paired = med(x - y for x, y in zip(h["first_token_ms"], c["first_token_ms"]))
            passed = ht - ct <= a.first_target_ms
            ok = ok and passed
            print(f"| {label} | {ht:.1f} | {ct:.1f} | {ht - ct:+.1f} | {paired:+.1f} | {med(h['first_byte_ms']):.1f} "
                  f"| {med(c['first_byte_ms']):.1f} | {med(h['wall_ms']):.1f} | {med(c['wall_ms']):.1f} "
                  f"| {len(h['first_token_ms'])} | {'yes' if passed else 'NO'} |")
            for tool, r in (("hfrun", h), (b, c)):
                machine.append(f"BENCH figure={name} tool={tool} first_token_ms_median={med(r['first_token_ms']):.2f} "
                               f"first_byte_ms_median={med(r['first_byte_ms']):.2f} wall_ms_median={med(r['wall_ms']):.2f} "
                               f"runs={len(r['first_token_ms'])}")
            machine.append(f"BENCH figure={name} first_token_overhead_ms={ht - ct:.2f} first_token_overhead_ms_paired={paired:.2f} "
                           f"target_ms={a.first_target_ms:g} pass={'yes' if passed else 'no'}")
    print()
    for m in machine:
        print(m)
    print(f"BENCH all_targets_met={'yes' if ok else 'no'}")


def cmd_download_report(a):
    """Best-of-N, not medians: a download's wall time only gets worse from noise on a shared machine."""
    runs = {}
    cases = {}
    for line in Path(a.results).read_text().splitlines():
        case, label, tool, _run, wall, rss, size, cpu = line.split("\t")
        cases.setdefault(case, label)
        runs.setdefault((case, tool), []).append((float(wall), int(rss), int(size), float(cpu)))
    best = {k: min(r[0] for r in v) for k, v in runs.items()}
    ok = True
    machine = []
    print("Downloads: whole process, best wall of the runs, MB/s = 10^6 bytes/s and CPU (user + sys) of that run, "
          "peak RSS the largest of the runs")
    print("| case | tool | best wall s | MB/s | CPU s | peak RSS MiB | runs |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for (case, tool), v in runs.items():
        size = v[0][2]
        rss = max(r[1] for r in v) / 1024
        cpu = min(v)[3]
        mbps = size / best[(case, tool)] / 1e6
        print(f"| {cases[case]} | {tool} | {best[(case, tool)]:.2f} | {mbps:.0f} | {cpu:.2f} | {rss:.1f} | {len(v)} |")
        machine.append(f"BENCH figure=download-{case} tool={tool} wall_s_best={best[(case, tool)]:.3f} "
                       f"mb_per_s={mbps:.1f} cpu_s={cpu:.2f} rss_kib_max={rss * 1024:.0f} bytes={size} runs={len(v)}")
    print()
    print("| ratio | value | target | met |")
    print("|---|---:|---:|:-:|")
    for spec in a.ratio or []:
        # NAME:CASE:TOOL:BASELINE:TARGET, the speed of TOOL over BASELINE (baseline wall / tool wall)
        name, case, tool, base, target = spec.split(":")
        value = best[(case, base)] / best[(case, tool)]
        passed = value >= float(target)
        ok = ok and passed
        print(f"| {name} | {value:.2f}x | >= {float(target):g}x | {'yes' if passed else 'NO'} |")
        machine.append(f"BENCH ratio={name} value={value:.3f} target={target} pass={'yes' if passed else 'no'}")
    for spec in a.rss_limit or []:
        tool, limit = spec.split(":")
        rss = max(r[1] for (_, t), v in runs.items() if t == tool for r in v) / 1024
        passed = rss <= float(limit)
        ok = ok and passed
        print(f"| {tool} peak RSS, every case | {rss:.1f} MiB | <= {float(limit):g} MiB | {'yes' if passed else 'NO'} |")
        machine.append(f"BENCH rss tool={tool} rss_mib_max={rss:.1f} target_mib={limit} pass={'yes' if passed else 'no'}")
    print()
    for m in machine:
        print(m)
    print(f"BENCH all_targets_met={'yes' if ok else 'no'}")


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("curl-cmd")
    c.add_argument("--log", required=True)
    c.add_argument("--start", type=int, required=True)
    c.add_argument("--end", type=int, required=True)
    c.add_argument("--ports", required=True)
    c.add_argument("--curl", default="curl")
    c.add_argument("--dry-run", action="append")
    c.add_argument("--file", action="append")
    c.set_defaults(fn=cmd_curl)
    m = sub.add_parser("compare")
    m.add_argument("--log", required=True)
    for k in ("a_start", "a_end", "b_start", "b_end"):
        m.add_argument("--" + k.replace("_", "-"), dest=k, type=int, required=True)
    m.set_defaults(fn=cmd_compare)
    ms = sub.add_parser("measure")
    ms.add_argument("--spec", required=True, help="lines NAME<TAB>COMMAND (split like a POSIX shell, no shell run)")
    ms.add_argument("--runs", type=int, default=30)
    ms.add_argument("--warmup", type=int, default=3)
    ms.add_argument("--out", required=True)
    ms.set_defaults(fn=cmd_measure)
    fo = sub.add_parser("first-output")
    fo.add_argument("--spec", required=True, help="lines NAME<TAB>MARKER<TAB>COMMAND (the first token is the first MARKER on stdout)")
    fo.add_argument("--runs", type=int, default=30)
    fo.add_argument("--warmup", type=int, default=3)
    fo.add_argument("--out", required=True)
    fo.set_defaults(fn=cmd_first_output)
    hs = sub.add_parser("hyperfine-summary")
    hs.add_argument("json")
    hs.set_defaults(fn=cmd_hyperfine_summary)
    r = sub.add_parser("report")
    r.add_argument("--out", required=True)
    r.add_argument("--pairs", nargs="+", required=True, help="name:label")
    r.add_argument("--target", type=float, default=1.5, help="largest hfrun/baseline wall ratio")
    r.add_argument("--rss-target", type=float, default=None, help="largest RSS ratio (default: --target)")
    r.add_argument("--baseline", default="curl", help="the measured name prefix of the other side")
    r.add_argument("--baseline-label", default="", help="how the table names the baseline")
    r.add_argument("--rss-limit-mib", type=float, default=32)
    r.add_argument("--first-pairs", nargs="+", help="name:label of the streams in OUT/first_output.json")
    r.add_argument("--first-target-ms", type=float, default=5, help="largest first-token overhead over the baseline")
    r.set_defaults(fn=cmd_report)
    dr = sub.add_parser("download-report")
    dr.add_argument("--results", required=True, help="lines CASE<TAB>LABEL<TAB>TOOL<TAB>RUN<TAB>WALL_S<TAB>RSS_KIB<TAB>BYTES<TAB>CPU_S")
    dr.add_argument("--ratio", action="append", help="NAME:CASE:TOOL:BASELINE:TARGET (speed of TOOL over BASELINE)")
    dr.add_argument("--rss-limit", action="append", help="TOOL:MIB, the largest peak RSS of TOOL in any case")
    dr.set_defaults(fn=cmd_download_report)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
