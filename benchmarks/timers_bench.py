"""Timer benchmark on a real Redis: 100,000 open items' timers, tick cost, ping lateness.

    .venv/bin/python benchmarks/timers_bench.py [--items 100000] [--due 1000] [--write]

Uses `REDIS_URL` (its data is flushed!) or starts a throw-away redis-server on a free port.
Measures, with the production `TargetWatch` and `TimerStore` and a Slack port that only
records (so Slack's own latency and per-channel pacing are not part of the figures):
1. one tick when nothing is due (median and p99 of many ticks);
2. one tick when 1,000 entries are due (claim, item read, atomic state change, thread post,
   card mark, done);
3. how late pings fire: items due over the next seconds, three workers ticking every
   second as the APScheduler job does; lateness = post time - due time (p50/p99/max).
`--write` puts the figures into benchmarks/TIMERS.md between its markers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
import yaml
from apscheduler.schedulers.background import BackgroundScheduler

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.config import DeskConfig, config_from_dict  # noqa: E402
from bot.desk.publisher import Publisher  # noqa: E402
from bot.desk.watch import TargetWatch  # noqa: E402
from bot.models import Author, Mention  # noqa: E402
from bot.scheduler import JOB_DEFAULTS, TIMER_TICK  # noqa: E402
from bot.slack.board import SlackBoard  # noqa: E402
from bot.store import AuditLog, ItemStore, keys  # noqa: E402
from bot.store.timers import TimerStore  # noqa: E402

MARK_BEGIN, MARK_END = "<!-- bench:begin -->", "<!-- bench:end -->"


class RecordingSlack:
    """Records thread posts with the wall-clock time they were made."""

    def __init__(self) -> None:
        self.posts: list[tuple[float, str]] = []
        self._lock = threading.Lock()

    def post_card(self, *args: Any, **kwargs: Any) -> str:
        return "1.0"

    def update_card(self, *args: Any) -> None:
        return None

    def post_thread(self, channel: str, thread_ts: str, text: Any) -> str:
        text = text() if callable(text) else text
        with self._lock:
            self.posts.append((time.time(), text))
        return "1.1"


def config() -> DeskConfig:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[], targets={"twitter": "20m", "facebook": "40m"},
               warn_at=0.75)
    return config_from_dict(raw)


def service(url: str, cfg: DeskConfig, slack: RecordingSlack, **kw: Any) -> TargetWatch:
    """The production watch, publisher and board over a Slack port that only records."""
    r = redis.Redis.from_url(url, decode_responses=True)
    now = kw.pop("now", lambda: datetime.now(UTC))
    items, timers, clock = ItemStore(r), TimerStore(r), cfg.business_clock()
    board = SlackBoard(slack, cfg.language, cfg.timezone)  # type: ignore[arg-type]
    publisher = Publisher(items, AuditLog(r), board, timers, clock, cfg.language, now,
                          home=lambda user: None)  # type: ignore[arg-type,return-value]
    return TargetWatch(timers, items, cfg, publisher, clock, now=now, **kw)


def seed(url: str, cfg: DeskConfig, count: int, due_at: list[datetime]) -> list[int]:
    """`count` open items with cards; item i is due at `due_at[i]`; timers started."""
    r = redis.Redis.from_url(url, decode_responses=True)
    items, svc = ItemStore(r), service(url, cfg, RecordingSlack())
    numbers = []
    pipe_every = 2000
    for i in range(count):
        due = due_at[i]
        created = due - cfg.target_for("twitter")
        m = Mention("twitter", f"b{i}", "Kein Internet!", Author(str(i), f"k{i}"), created)
        n, _ = items.create(m, sentiment="negative", score=0.9, address="du",
                            channel=f"C0CH{i % 20:02d}", seen_at=created, due_at=due)
        items.set_fields(n, card_ts=f"1.{n}")
        item = items.get(n)
        assert item is not None
        svc.start(item)
        numbers.append(n)
        if i % pipe_every == 0:
            print(f"\r  seeding {i}/{count}", end="", file=sys.stderr)
    print(f"\r  seeded {count} items            ", file=sys.stderr)
    return numbers


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def bench(url: str, n_items: int, n_due: int, late_items: int) -> dict[str, Any]:
    r = redis.Redis.from_url(url, decode_responses=True)
    r.flushall()
    cfg = config()
    now = datetime.now(UTC)
    far = [now + timedelta(hours=2, seconds=i % 3600) for i in range(n_items)]
    seed(url, cfg, n_items, far)
    out: dict[str, Any] = {"items": n_items, "entries": r.zcard(keys.TIMERS),
                           "redis": r.info("server")["redis_version"]}

    idle = service(url, cfg, RecordingSlack())
    idle.tick(now)
    samples = []
    for _ in range(2000):
        t0 = time.perf_counter()
        idle.tick(now)
        samples.append((time.perf_counter() - t0) * 1e3)
    out["idle_p50_ms"], out["idle_p99_ms"] = statistics.median(samples), pct(samples, 99)

    # 1,000 entries due now: move the first items' due time into the past (real start()).
    items = ItemStore(r)
    past = now - timedelta(minutes=21)
    for n in range(1, n_due + 1):
        items.set_fields(n, due_at=past.isoformat())
        it = items.get(n)
        assert it is not None
        idle.start(it)
    busy_slack = RecordingSlack()
    busy = service(url, cfg, busy_slack, max_per_tick=10_000)
    t0 = time.perf_counter()
    report = busy.tick(now)
    out["due_tick_ms"] = (time.perf_counter() - t0) * 1e3
    out["due_fired"] = report.fired
    out["due_posts"] = len(busy_slack.posts)

    # Lateness: items falling due over the next seconds, three workers ticking every second.
    r.flushall()
    start = datetime.now(UTC) + timedelta(seconds=3)
    spread = 20.0
    dues = [start + timedelta(seconds=spread * i / late_items) for i in range(late_items)]
    seed(url, cfg, late_items, dues)
    slack = RecordingSlack()
    schedulers = []
    for _ in range(3):  # three workers, each with the production job settings
        sched = BackgroundScheduler(job_defaults=JOB_DEFAULTS, timezone="UTC")
        sched.add_job(service(url, cfg, slack).tick, "interval",
                      seconds=TIMER_TICK.total_seconds(), id="timers")
        sched.start()
        schedulers.append(sched)
        time.sleep(0.3)
    deadline = time.time() + 3 + spread + 5
    while time.time() < deadline and sum(t.startswith("🔴") for _, t in slack.posts) < late_items:
        time.sleep(0.1)
    for sched in schedulers:
        sched.shutdown(wait=True)
    due_by_number = {n: d.timestamp() for n, d in zip(range(1, late_items + 1), dues, strict=True)}
    lateness = []
    for at, text in slack.posts:
        if text.startswith("🔴"):
            number = int(text.split("#", 1)[1].split(":", 1)[0])
            lateness.append(at - due_by_number[number])
    out["late_count"] = len(lateness)
    out["late_p50_s"], out["late_p99_s"] = statistics.median(lateness), pct(lateness, 99)
    out["late_max_s"] = max(lateness)
    return out


def render(o: dict[str, Any]) -> str:
    return "\n".join([
        f"Measured {datetime.now(UTC):%Y-%m-%d} on Redis {o['redis']}, {os.cpu_count()} CPUs, "
        f"Python {sys.version.split()[0]}.",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| timer entries in `at:timers` ({o['items']:,} open items) | {o['entries']:,} | |",
        f"| one tick, nothing due (p50 / p99 of 2,000) | {o['idle_p50_ms']:.2f} ms / "
        f"{o['idle_p99_ms']:.2f} ms | < 5 ms |",
        f"| one tick, {o['due_fired']:,} due (claim, check, fire, mark card) | "
        f"{o['due_tick_ms']:.0f} ms | |",
        f"| breach ping lateness, {o['late_count']} items, 3 workers, 1 s tick (p50 / p99 / max) | "
        f"{o['late_p50_s']:.2f} s / {o['late_p99_s']:.2f} s / {o['late_max_s']:.2f} s | ≤ 5 s |",
    ])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--items", type=int, default=100_000)
    ap.add_argument("--due", type=int, default=1000)
    ap.add_argument("--late-items", type=int, default=300)
    ap.add_argument("--write", action="store_true", help="update benchmarks/TIMERS.md")
    args = ap.parse_args()
    url = os.environ.get("REDIS_URL", "")
    server = None
    if not url:
        from tests.support.redis_server import RedisServer

        server = RedisServer().start()
        url = server.url
    try:
        figures = bench(url, args.items, args.due, args.late_items)
    finally:
        if server:
            server.stop()
    text = render(figures)
    print(text)
    if args.write:
        doc = ROOT / "benchmarks" / "TIMERS.md"
        body = doc.read_text()
        head, _, rest = body.partition(MARK_BEGIN)
        _, _, tail = rest.partition(MARK_END)
        doc.write_text(f"{head}{MARK_BEGIN}\n{text}\n{MARK_END}{tail}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
