"""The daily summary for the leads: gathered from the items, posted once a day.

The worker's `daily_summary` job and `python -m bot summary` both come here; the figures
themselves are computed purely in `bot.summary`.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.summary import DailyFigures, compute, render

if TYPE_CHECKING:
    from bot.entry.runtime import Runtime


def gather(rt: Runtime, day: date) -> DailyFigures:
    tz = ZoneInfo(rt.config.timezone)
    start = datetime.combine(day, datetime.min.time(), tz)
    numbers = rt.items.numbers_seen_between(start, start + timedelta(days=1))
    items = [i for i in (rt.items.get(n) for n in numbers) if i is not None]
    return compute(day.isoformat(), items, rt.items.counts(day.isoformat()),
                   rt.desk.clock, rt.config.targets, rt.items.open_count())


def post_summary(rt: Runtime, day: date, s: DailyFigures | None = None) -> str:
    """Post the day's summary (`s` when already gathered) to the summary channel."""
    s = s or gather(rt, day)
    text = render(s, rt.config.language, dict(rt.config.agents))
    channel = rt.config.summary.channel or rt.config.channels.default
    rt.slack.post_message(channel, text)
    rt.audit.record("scheduler", "summary", None, "ok", day=day.isoformat(), channel=channel)
    return text


def daily_job(rt: Runtime) -> None:
    """Post today's summary once at `summary.at`; a Redis lease makes it once across workers."""
    tz = ZoneInfo(rt.config.timezone)
    now = rt.desk.now().astimezone(tz)
    if now.time() < rt.config.summary.at_time:
        return
    day = now.date()
    lease = f"summary:{day.isoformat()}"
    if rt.leases.take(lease, 3 * 86400 * 1000):
        try:
            post_summary(rt, day)
        except Exception:
            rt.leases.release(lease)  # let the next tick (any worker) try again
            raise
