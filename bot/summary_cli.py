"""`python -m bot summary` and the worker's daily job: gather, compute, post or print."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.config import DeskConfig
from bot.errors import ConfigError
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.store import keys
from bot.summary import Summary, as_dict, chart_svg, compute, render


def gather(rt: Runtime, day: date) -> Summary:
    tz = ZoneInfo(rt.config.timezone)
    start = datetime.combine(day, datetime.min.time(), tz)
    numbers = rt.items.numbers_seen_between(start, start + timedelta(days=1))
    items = [i for i in (rt.items.get(n) for n in numbers) if i is not None]
    return compute(day.isoformat(), items, rt.items.counts(day.isoformat()),
                   rt.desk.clock, rt.config.targets, len(rt.items.open_numbers(100000)))


def post_summary(rt: Runtime, day: date, s: Summary | None = None) -> str:
    """Post the day's summary (`s` when already gathered) to the summary channel."""
    s = s or gather(rt, day)
    text = render(s, rt.config.language, dict(rt.config.agents))
    channel = rt.config.summary.channel or rt.config.channels.default
    rt.desk.slack.post_message(channel, text)
    rt.audit.record("scheduler", "summary", None, "ok", day=day.isoformat(), channel=channel)
    return text


def daily_job(rt: Runtime) -> None:
    """Post today's summary once at `summary.at`; a Redis lease makes it once across workers."""
    tz = ZoneInfo(rt.config.timezone)
    now = rt.desk.now().astimezone(tz)
    if now.time() < rt.config.summary.at_time:
        return
    day = now.date()
    lease = keys.lease(f"summary:{day.isoformat()}")
    if rt.redis.set(lease, "1", nx=True, ex=3 * 86400):
        try:
            post_summary(rt, day)
        except Exception:
            rt.redis.delete(lease)  # let the next tick (any worker) try again
            raise


def main(settings: Settings, config: DeskConfig, args: argparse.Namespace) -> int:
    try:
        day = date.fromisoformat(args.date) if args.date else datetime.now(
            ZoneInfo(config.timezone)).date()
    except ValueError:
        raise ConfigError("--date", f"{args.date!r} is not a date like 2026-11-24") from None
    rt = build_runtime(settings, config)
    s = gather(rt, day)
    if args.chart:
        with open(args.chart, "w", encoding="utf-8") as fh:
            fh.write(chart_svg(s))
    if args.print_only or not settings.slack_bot_token:
        print(render(s, config.language, dict(config.agents)))
        print(json.dumps(as_dict(s), ensure_ascii=False), file=sys.stderr)
        return 0
    post_summary(rt, day, s)
    return 0
