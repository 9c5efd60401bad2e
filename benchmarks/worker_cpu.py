"""One worker's CPU per card: what bounds a worker's throughput (issue 15).

    .venv/bin/python benchmarks/worker_cpu.py [--mentions 3000] [--runs 3] [--lanes 8]

`load.py` measures the desk as it runs (web, workers, Redis and the Slack emulator as
processes), where a worker shares the two cores with everything else. This one isolates the
worker: a throw-away redis-server, the Slack emulator without rate limits in a process of its
own, `--mentions` distinct negative mentions queued beforehand (storms out of reach: one card
each), then one `Worker` in this process drains them, `--runs` times. Printed per run and as
the median: cards/s, and this process's CPU time per card (`time.process_time`, every thread).
500 cards/s on one core needs at most 2 ms per card.

Machines differ (this one ran the same code at 2.6 ms per card one day and 6.5 the next), so
it also times a fixed pure-Python loop (a million additions) and prints the CPU per card in
units of that loop: a figure that compares across machines better than milliseconds do.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import mention  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

EMULATOR = """
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.emulators import SlackAPI
slack = SlackAPI().__enter__()
print(slack.base_url, flush=True)
sys.stdin.read()  # until the benchmark closes our stdin
"""


def desk_config(workdir: Path) -> Path:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[],
               storm={"min_mentions": 1_000_000, "window": "1m"})  # one card per mention
    path = workdir / "desk.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


@contextmanager
def slack_in_a_process() -> Iterator[str]:
    """The Slack emulator (no rate limits) in a process of its own; yields its base URL."""
    emulator = subprocess.Popen([sys.executable, "-c", EMULATOR, str(ROOT)], cwd=ROOT,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert emulator.stdout is not None
        yield emulator.stdout.readline().strip()
    finally:
        emulator.kill()
        emulator.wait()


def reference_ms() -> float:
    """CPU ms of a million additions in a Python loop (median of five): this machine's pace."""
    times = []
    for _ in range(5):
        start, total = time.process_time(), 0
        for i in range(1_000_000):
            total += i
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)


def one_run(server: RedisServer, slack_url: str, config: Path, n: int, lanes: int,
            run: int) -> tuple[float, float]:
    """(cards/s, CPU ms per card) of one worker draining `n` queued mentions."""
    server.flush()
    os.environ.update({"DESK_CONFIG": str(config), "SLACK_API_URL": slack_url,
                       "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": "bench",
                       "SLACK_CHANNEL_INTERVAL_MS": "0", "REDIS_URL": server.url,
                       "HEARTBEAT_INTERVAL": "1"})
    from bot.config import load_config
    from bot.entry.runtime import build_runtime
    from bot.entry.worker import Worker
    from bot.ingest import ingest_lines
    from bot.settings import Settings

    settings = Settings()
    rt = build_runtime(settings, load_config(settings.desk_config))
    ingest_lines([json.dumps(mention(i, f"cpu{run}-")) for i in range(n)], rt.queue)
    worker = Worker(rt, name=f"bench-{run}", lanes=lanes)
    wall, cpu = time.perf_counter(), time.process_time()
    done = worker.drain()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if done != n:
        raise RuntimeError(f"{done} of {n} entries acknowledged")
    return n / wall, cpu / n * 1000


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--mentions", type=int, default=3000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--lanes", type=int, default=8, help="lane threads (0: one after another)")
    args = p.parse_args()
    with (slack_in_a_process() as slack_url, RedisServer() as server,
          tempfile.TemporaryDirectory() as tmp):
        config = desk_config(Path(tmp))
        rates, cpus = [], []
        for run in range(args.runs):
            rate, cpu = one_run(server, slack_url, config, args.mentions, args.lanes, run)
            rates.append(rate)
            cpus.append(cpu)
            print(f"run {run + 1}: {args.mentions:,} cards, {rate:,.0f} cards/s, "
                  f"{cpu:.2f} ms CPU per card", flush=True)
    cpu = statistics.median(cpus)
    ref = reference_ms()
    print(f"this machine: the reference loop takes {ref:.0f} ms; a card costs {cpu / ref:.3f} "
          "of it")
    print(f"one worker ({args.lanes} lanes, Python {sys.version.split()[0]}): median "
          f"{statistics.median(rates):,.0f} cards/s, {cpu:.2f} ms CPU per card "
          f"(500/s on one core needs ≤ 2 ms: {'met' if cpu <= 2 else 'not met'})")


if __name__ == "__main__":
    main()
