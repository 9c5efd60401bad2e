"""Posting at Slack's ceiling: a burst of cards over several channels, 1 and 3 workers.

    .venv/bin/python benchmarks/post_ceiling.py [--mentions 240] [--channels 4]
        [--workers 1 3] [--runs 5] [--busy 0] [--checkout PATH] [--write]

Starts a throw-away redis-server and, per run, the Slack emulator in strict mode (a second
`chat.postMessage` into a channel within 1 s of the previous accepted one is answered 429 with
Retry-After, stricter than Slack, which allows short bursts) and N real `python -m bot worker`
processes. Once every worker consumes, the whole burst is queued at once (`--mentions`
negative mentions spread evenly over `--channels` channels by their keywords, shuffled; see
`tests/support/burst.py`). A run ends when every mention has a card.

Per run it prints the time from queueing to the end of the last card's 1-s slot, cards/s, that
rate as a share of the ceiling (channels × 1 post/s: the ceiling's time is the busiest
channel's card count in seconds), the 429s, duplicate cards, lost mentions and order
inversions within channels; then min and median per worker count.

`--busy N` runs N CPU-bound processes beside the workers (a busy machine). `--kill-after K`
SIGKILLs the first worker once K cards are posted (the others reclaim its entries after 60 s:
the share of the ceiling then means little; duplicates and lost mentions do). `--checkout PATH`
runs the workers from another checkout of the project (e.g. an older commit, for comparison).
`--write` puts the summary into README.md between the post-ceiling markers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import redis
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.models import parse_mention  # noqa: E402
from bot.store import MentionQueue, keys  # noqa: E402
from tests.emulators import SlackAPI  # noqa: E402
from tests.support.burst import (  # noqa: E402
    BurstReport,
    burst_config,
    burst_mentions,
    check_texts,
    report,
    without_channel,
)
from tests.support.processes import stop_processes  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402

MARK_BEGIN, MARK_END = "<!-- post-ceiling:begin -->", "<!-- post-ceiling:end -->"
BURN = "import time\nwhile True:\n    sum(range(10000))\n"


def consumers(r: redis.Redis) -> int:
    try:
        return len(r.xinfo_consumers(keys.MENTION_STREAM, keys.MENTION_GROUP))
    except redis.ResponseError:  # the first worker creates the group
        return 0


def one_run(url: str, config: Path, checkout: Path, workers: int, total: int, channels: int,
            seed: int, logdir: Path, kill_after: int = 0) -> BurstReport:
    r = redis.Redis.from_url(url, decode_responses=True)
    r.flushall()
    mentions = burst_mentions(total, channels, seed=seed, prefix=f"{seed:02d}")
    with SlackAPI(strict_rate=1.0) as slack:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("X_", "FACEBOOK_", "SLACK_", "REDIS_", "DESK_"))}
        env.update(REDIS_URL=url, SLACK_API_URL=slack.base_url, SLACK_BOT_TOKEN="xoxb-bench",
                   DESK_CONFIG=str(config), PYTHONPATH=str(checkout), LOG_LEVEL="WARNING")
        logs = [(logdir / f"worker-{workers}-{seed}-{i}.log").open("wb") for i in range(workers)]
        procs = [subprocess.Popen([sys.executable, "-m", "bot", "worker"], cwd=checkout,
                                  env=env, stdout=subprocess.DEVNULL, stderr=log)
                 for log in logs]
        try:
            deadline = time.monotonic() + 60
            while consumers(r) < workers:
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError(f"workers did not start; see {logdir}")
                time.sleep(0.05)
            queue = MentionQueue(r)
            parsed = [parse_mention(without_channel(m)) for m in mentions]
            started = time.time()
            for m in parsed:
                queue.enqueue(m)
            deadline = time.monotonic() + 2 * total / channels + 90
            while time.monotonic() < deadline:
                got = report(slack, mentions, started)
                if kill_after and got.cards >= kill_after and procs[0].poll() is None:
                    procs[0].kill()
                    print(f"  SIGKILLed a worker after {got.cards} cards", flush=True)
                if got.cards - got.duplicates >= total and queue.backlog() == 0:
                    break
                time.sleep(0.1)
            time.sleep(2.0)  # a late duplicate would show up here
        finally:
            stop_processes(procs)
            for log in logs:
                log.close()
        return report(slack, mentions, started)


def render(results: dict[int, list[BurstReport]], args: argparse.Namespace,
           redis_version: str, loads: list[float]) -> str:
    busy = f", {args.busy} CPU-bound processes beside them" if args.busy else ""
    busy += f", a worker SIGKILLed after {args.kill_after} cards" if args.kill_after else ""
    busy += (f"; 1-min load average {min(loads):.1f}–{max(loads):.1f} during the runs"
             if loads else "")
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d} on {os.cpu_count()} CPUs (shared), Redis "
        f"{redis_version}, Python {sys.version.split()[0]}: {args.mentions} mentions over "
        f"{args.channels} channels queued at once, {args.runs} runs per worker count{busy}; "
        f"Slack = the strict emulator (1 post/s per channel, no burst).",
        "",
        "| workers | share of the ceiling, min / median | cards/s, min / median | 429s "
        "| duplicates | lost | order inversions |",
        "|---|---|---|---|---|---|---|",
    ]
    for workers, runs in results.items():
        shares = [r.ceiling_share * 100 for r in runs]
        rates = [r.rate for r in runs]
        lines.append(
            f"| {workers} | {min(shares):.1f} % / {statistics.median(shares):.1f} % "
            f"| {min(rates):.2f} / {statistics.median(rates):.2f} "
            f"| {sum(r.rate_limited for r in runs)} | {sum(r.duplicates for r in runs)} "
            f"| {sum(r.lost for r in runs)} | {sum(r.inversions for r in runs)} |")
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mentions", type=int, default=240)
    ap.add_argument("--channels", type=int, default=4)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 3])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--busy", type=int, default=0, help="CPU-bound processes beside the workers")
    ap.add_argument("--kill-after", type=int, default=0, help="SIGKILL a worker after K cards")
    ap.add_argument("--checkout", type=Path, default=ROOT, help="run the workers from here")
    ap.add_argument("--write", action="store_true", help="update README.md between markers")
    args = ap.parse_args()
    bad = check_texts()
    if bad:
        print("burst texts no longer route/triage as expected:\n" + "\n".join(bad))
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="post-ceiling-"))
    config = tmp / "desk.yaml"
    config.write_text(yaml.safe_dump(burst_config(), allow_unicode=True))
    burners = [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(args.busy)]
    results: dict[int, list[BurstReport]] = {}
    loads: list[float] = []
    try:
        with RedisServer() as server:
            version = str(server.client().info("server")["redis_version"])
            print("workers run  cards  seconds  cards/s  ceiling%  429s  dup  lost  inversions")
            for workers in args.workers:
                for run in range(args.runs):
                    got = one_run(server.url, config, args.checkout.resolve(), workers,
                                  args.mentions, args.channels, seed=run + 1, logdir=tmp,
                                  kill_after=args.kill_after)
                    results.setdefault(workers, []).append(got)
                    loads.append(os.getloadavg()[0])
                    print(f"{workers:7d} {run + 1:3d} {got.cards:6d} {got.elapsed_s:8.1f} "
                          f"{got.rate:8.2f} {got.ceiling_share * 100:8.1f} "
                          f"{got.rate_limited:5d} {got.duplicates:4d} {got.lost:5d} "
                          f"{got.inversions:11d}   load {loads[-1]:.1f}", flush=True)
    finally:
        stop_processes(burners)
    text = render(results, args, version, loads)
    print()
    print(text)
    print(f"(worker logs in {tmp})")
    if args.write:
        doc = ROOT / "README.md"
        body = doc.read_text()
        head, found, rest = body.partition(MARK_BEGIN)
        if not found:
            print("README.md has no post-ceiling markers")
            return 1
        _, _, tail = rest.partition(MARK_END)
        doc.write_text(f"{head}{MARK_BEGIN}\n{text}\n{MARK_END}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
