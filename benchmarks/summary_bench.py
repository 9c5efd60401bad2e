"""The summary and the countdown of issue 13, measured without Redis or Slack.

    .venv/bin/python benchmarks/summary_bench.py [--items 20000]

- `--from-audit`: replaying the audit trail of `--items` items (a post, a claim and a reply
  each, plus two mentions that made no card) and computing one day's figures;
- the chart: drawing the PNG (matplotlib, Agg) of a busy day;
- the countdown: redraws per item for each target, and how many open items the timer-driven
  `chat.update` budget (30 per minute) keeps redrawn on time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.chart import chart_png
from bot.clock import BusinessClock
from bot.desk.countdown import next_redraw
from bot.replay import replay
from bot.summary import compute

DAY = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)  # 08:00 in Berlin
BUDGET_PER_MINUTE = 30  # TargetWatch.card_updates_per_minute


def audit(items: int) -> list[dict[str, str]]:
    """The audit lines of `items` items spread over one day's 12 open hours."""
    rows: list[dict[str, str]] = []
    for n in range(1, items + 1):
        seen = DAY + timedelta(seconds=(n * 43_200) // items)
        net = "twitter" if n % 3 else "facebook"
        answered = seen + timedelta(minutes=5 + n % 40)
        day = seen.date().isoformat()
        rows += [
            {"action": "counted", "actor": "intake", "item": "", "outcome": "ok",
             "details": json.dumps({"network": net, "sentiment": "neutral", "day": day})}
        ] * 2
        rows.append({"action": "post", "actor": "intake", "item": str(n), "outcome": "ok",
                     "details": json.dumps({"network": net, "mention": str(n), "channel": "C",
                                            "created": seen.isoformat(), "seen": seen.isoformat(),
                                            "sentiment": "negative", "day": day})})
        rows.append({"action": "claim", "actor": f"U{n % 7}", "item": str(n), "outcome": "ok",
                     "details": "{}"})
        rows.append({"action": "reply", "actor": f"U{n % 7}", "item": str(n), "outcome": "ok",
                     "details": json.dumps({"answered_at": answered.isoformat()})})
    return rows


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--items", type=int, default=20_000)
    args = p.parse_args()
    clock = BusinessClock.always()
    targets = {"twitter": timedelta(minutes=20), "facebook": timedelta(minutes=40)}

    rows = audit(args.items)
    started = time.perf_counter()
    r = replay(rows)
    figures = compute(DAY.date().isoformat(), r.seen_between(DAY - timedelta(hours=7),
                                                             DAY + timedelta(hours=17)),
                      r.counts.get(DAY.date().isoformat(), {}), clock, targets, len(r.open))
    replay_s = time.perf_counter() - started
    assert sum(f.items for f in figures.networks.values()) == args.items

    chart_png(figures, "de")  # the first drawing loads fonts
    times = []
    for _ in range(5):
        started = time.perf_counter()
        png = chart_png(figures, "de")
        times.append(time.perf_counter() - started)

    redraws = {}
    for net, target in targets.items():
        t, count = DAY, 0
        while (nxt := next_redraw(clock, DAY + target, t)) is not None:
            t, count = nxt, count + 1
        redraws[net] = (count, count / (target / timedelta(minutes=1)))

    print("| measure | result |")
    print("|---|---|")
    print(f"| `--from-audit`: replay {len(rows):,} audit lines ({args.items:,} items) and "
          f"compute the day | {replay_s:.2f} s |")
    print(f"| chart PNG ({len(png):,} bytes), median of 5 | {statistics.median(times) * 1000:.0f} ms |")
    for net, (count, rate) in redraws.items():
        print(f"| countdown redraws per {net} item ({targets[net] / timedelta(minutes=1):.0f} min) "
              f"| {count} ({rate:.2f}/min) |")
    worst = max(rate for _, rate in redraws.values())
    print(f"| open items kept on time by {BUDGET_PER_MINUTE} updates/min (all at the worst rate) "
          f"| {BUDGET_PER_MINUTE / worst:.0f} |")
    print(f"summary: replay {replay_s:.2f} s for {args.items:,} items; chart "
          f"{statistics.median(times) * 1000:.0f} ms; countdown {BUDGET_PER_MINUTE / worst:.0f} "
          f"open items on time")


if __name__ == "__main__":
    main()
