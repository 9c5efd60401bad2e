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


# ----- the daily "Lob" digest (issue 14) --------------------------------------------------------
PRAISE_LINES = 30


def praise_text(rt: Runtime, day: date) -> tuple[str, int]:
    """The day's positive mentions (those triage did not post) as one message, and how many."""
    from bot.markup import clip, escape
    from bot.messages import say
    from bot.sources.registry import label

    tz, lang = ZoneInfo(rt.config.timezone), rt.config.language
    start = datetime.combine(day, datetime.min.time(), tz)
    praise = [d for d in rt.desk.dropped.since(start.timestamp(),
                                               (start + timedelta(days=1)).timestamp())
              if d.sentiment == "positive"]
    lines = [say("praise.header", lang, count=len(praise))]
    for d in praise[:PRAISE_LINES]:
        lines.append(say("praise.line", lang, network=label(d.mention.network),
                         handle=escape(d.mention.author.handle),
                         text=escape(clip(" ".join(d.mention.text.split()), 280))))
    if len(praise) > PRAISE_LINES:
        lines.append(say("praise.more", lang, more=len(praise) - PRAISE_LINES))
    return "\n".join(lines), len(praise)


def praise_job(rt: Runtime) -> int | None:
    """Post the day's praise once at `praise.at` to `praise.channel` (lease `praise:<day>`);
    nothing on a day without praise. Returns how many were posted, None when not due."""
    if rt.config.praise is None:
        return None
    now = rt.desk.now().astimezone(ZoneInfo(rt.config.timezone))
    if now.time() < rt.config.praise.at_time:
        return None
    day = now.date()
    lease = f"praise:{day.isoformat()}"
    if not rt.leases.take(lease, 3 * 86400 * 1000):
        return None
    try:
        text, count = praise_text(rt, day)
        if count:
            rt.slack.post_message(rt.config.praise.channel, text)
        rt.audit.record("scheduler", "praise", None, "ok", day=day.isoformat(), count=count,
                        channel=rt.config.praise.channel)
        return count
    except Exception:
        rt.leases.release(lease)
        raise
