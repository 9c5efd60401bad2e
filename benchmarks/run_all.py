"""Run every benchmark in benchmarks/ and print one table (`make bench`).

    .venv/bin/python benchmarks/run_all.py [--quick] [--timeout 1800] [NAME ...]

Each script runs as its own process, as a person would run it, from the repository root; its
output is shown as it comes. The table at the end has each benchmark's key figures, its wall time
and ok / failed / skipped. `--quick` passes each script its smaller settings (a smoke run in a
minute or two, figures not comparable with the documented ones). A new script in benchmarks/ runs
too, without arguments, and its last output line stands in for its figures until it is added to
BENCHMARKS below. `timers_bench.py` and `find_bench.py` run without `REDIS_URL`: they flush the
Redis they are given, so here they always start their own throw-away redis-server.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _ack_latency(out: str) -> str:
    rows = re.findall(r"^\| `(.+?)` \| ([\d.]+) \| ([\d.]+) \| ([\d.]+) \|$", out, re.M)
    return "; ".join(f"{name} p50 {p50} / p99 {p99} ms" for name, p50, p99, _ in rows)


def _timers(out: str) -> str:
    figures = []
    if idle := re.search(r"nothing due .*?\| ([\d.]+) ms / ([\d.]+) ms", out):
        figures.append(f"idle tick p99 {idle[2]} ms")
    if due := re.search(r"one tick, ([\d,]+) due .*?\| (\d+) ms", out):
        figures.append(f"{due[1]} due in {due[2]} ms")
    if late := re.search(r"lateness.*?\| ([\d.]+) s / ([\d.]+) s / ([\d.]+) s", out):
        figures.append(f"ping late p99 {late[2]} s")
    return "; ".join(figures)


def _sentiment(out: str) -> str:
    rows = re.findall(r"^(\w+)\s+this model \([\d.]+s\)\s+(\d+)\s+([\d.]+)\s+([\d.]+)", out, re.M)
    return "; ".join(f"{split} macro-F1 {f1} (n={n})" for split, n, _, f1 in rows)


def _throughput(out: str) -> str:
    found = re.search(r"= ([\d,]+) texts/s .*target ([\d,]+) texts/s: (.+)$", out, re.M)
    return f"{found[1]} texts/s on one core (target {found[2]}: {found[3]})" if found else ""


def _find(out: str) -> str:  # issue 16
    found = re.search(r"all queries: p50 ([\d.]+) ms, p99 ([\d.]+) ms \(target p99 < (\d+) ms: (\w+)",
                      out)
    items = re.search(r"over ([\d,]+) items", out)
    return (f"/find over {items[1] if items else '?'} items p50 {found[1]} / p99 {found[2]} ms "
            f"(target < {found[3]} ms: {found[4]})") if found else ""
def _load(out: str) -> str:
    """benchmarks/load.py (issue 15): cards/s per worker and ack p99 per Redis mode."""
    figures = []
    for mode, workers, per in re.findall(r"^\| (\w+) \| (\d+) \| [\d,]+ \| [\d,]+ \| [\d,]+ \| "
                                         r"([\d,]+) \|", out, re.M):
        figures.append(f"{mode} {workers}w {per}/s/worker")
    for mode, p99, ack in re.findall(r"^\| (\w+) \| \d+ \| [\d,]+ at [\d.]+/s \| \| \| \| [\d]+ \| "
                                     r"(\d+) \| \d+ \| (\d+) \|", out, re.M):
        figures.append(f"{mode} card p99 {p99} ms, ack p99 {ack} ms")
    return "; ".join(figures)


def _slack_client(out: str) -> str:  # issue 15
    found = re.search(r"keep-alive / slack-sdk: CPU ([\d.]+), wall ([\d.]+)", out)
    return f"keep-alive / slack-sdk per post: CPU {found[1]}, wall {found[2]}" if found else ""


def _worker_cpu(out: str) -> str:  # issue 15
    found = re.search(r"median ([\d,]+) cards/s, ([\d.]+) ms CPU per card", out)
    return f"one worker {found[1]} cards/s, {found[2]} ms CPU per card" if found else ""


@dataclass(frozen=True)
class Benchmark:
    """How to run one script fully and quickly, and how to read its key figures off its output."""

    full: tuple[str, ...]
    quick: tuple[str, ...]
    figures: Callable[[str], str]
    skipped_when: str = ""  # printed by the script when it has nothing to measure (exit 0)


BENCHMARKS = {
    "ack_latency.py": Benchmark((), ("--requests", "100"), _ack_latency),
    "load.py": Benchmark((), ("--modes", "single", "--mentions", "500", "--workers", "1",
                              "--paced", "50", "--rate", "5", "--commands", "50"), _load),
    "worker_cpu.py": Benchmark((), ("--mentions", "500", "--runs", "1"), _worker_cpu),
    "slack_client.py": Benchmark((), ("--posts", "100", "--rounds", "2"), _slack_client),
    "timers_bench.py": Benchmark((), ("--items", "10000", "--due", "200", "--late-items", "60"),
                                 _timers),
    "triage_sentiment.py": Benchmark((), (), _sentiment, skipped_when="Skipping the sentiment"),
    "triage_throughput.py": Benchmark((), ("--seconds", "1"), _throughput),
    # issue 13: its last line ("summary: …") carries the figures
    "summary_bench.py": Benchmark((), ("--items", "2000"), lambda out: ""),
    "find_bench.py": Benchmark((), ("--items", "10000", "--open", "500", "--queries", "50"),
                               _find),  # issue 16
}
UNKNOWN = Benchmark((), (), lambda out: "")


@dataclass(frozen=True)
class Result:
    name: str
    status: str
    figures: str
    seconds: float


def run(script: Path, bench: Benchmark, quick: bool, timeout: float) -> Result:
    """Run one script, echoing its output, and read its figures."""
    env = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    extra = bench.quick if quick else bench.full
    args = [sys.executable, str(script), *extra]
    print(f"\n==> {' '.join([str(script.relative_to(ROOT)), *extra])}", flush=True)
    started = time.perf_counter()
    lines: list[str] = []
    timed_out = threading.Event()
    with subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as proc:

        def stop() -> None:
            timed_out.set()
            proc.kill()

        watchdog = threading.Timer(timeout, stop)
        watchdog.start()
        try:
            assert proc.stdout is not None
            for line in proc.stdout:  # stderr (progress) goes straight to the terminal
                print(f"    {line}", end="", flush=True)
                lines.append(line)
            code = proc.wait()
        finally:
            watchdog.cancel()
    seconds = time.perf_counter() - started
    out = "".join(lines)
    if code != 0:
        status = f"timeout ({timeout:.0f} s)" if timed_out.is_set() else f"failed (exit {code})"
        return Result(script.stem, status, _last_line(out), seconds)
    if bench.skipped_when and bench.skipped_when in out:
        return Result(script.stem, "skipped", _first_line(out), seconds)
    return Result(script.stem, "ok", bench.figures(out) or _last_line(out), seconds)


def _first_line(out: str) -> str:
    return next((line.strip() for line in out.splitlines() if line.strip()), "")


def _last_line(out: str) -> str:
    return next((line.strip() for line in reversed(out.splitlines()) if line.strip()), "(no output)")


def table(results: list[Result]) -> str:
    rows = [("benchmark", "key figures", "wall time", "result")]
    rows += [(r.name, r.figures, f"{r.seconds:.1f} s", r.status) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
             for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smaller settings: a smoke run")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per benchmark")
    parser.add_argument("names", nargs="*", help="only these (e.g. ack_latency)")
    args = parser.parse_args(argv)
    scripts = sorted(p for p in HERE.glob("*.py") if p.name != Path(__file__).name)
    if args.names:
        scripts = [p for p in scripts if p.stem in args.names or p.name in args.names]
        if not scripts:
            parser.error(f"no benchmark named {' '.join(args.names)}")
    started = time.perf_counter()
    results = [run(p, BENCHMARKS.get(p.name, UNKNOWN), args.quick, args.timeout) for p in scripts]
    print(f"\nBenchmarks ({'quick' if args.quick else 'full'} settings, Python "
          f"{sys.version.split()[0]}, {os.cpu_count()} CPUs, {time.perf_counter() - started:.0f} s):")
    print(table(results))
    return 0 if all(r.status in ("ok", "skipped") for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
