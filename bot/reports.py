"""The daily and weekly summary for the leads: gathered from the items, posted by the worker.

The worker's `daily_summary` and `weekly_summary` jobs and `python -m bot summary` come here;
the figures themselves are computed purely in `bot.summary`. `gather_from_audit` computes the
same figures from the audit trail alone (`bot.replay`), for `summary --from-audit`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from slack_sdk.errors import SlackApiError

from bot.messages import say
from bot.models import Item
from bot.replay import Replayed, replay
from bot.summary import DailyFigures, compute, render, render_week

if TYPE_CHECKING:
    from bot.entry.runtime import Runtime

log = logging.getLogger(__name__)

WEEKLY_AT = time(8, 0)  # Monday, local time: the weekly summary of the week before


def _window(rt: Runtime, first: date, days: int) -> tuple[datetime, datetime]:
    tz = ZoneInfo(rt.config.timezone)
    start = datetime.combine(first, datetime.min.time(), tz)
    return start, datetime.combine(first + timedelta(days=days), datetime.min.time(), tz)


def _figures(rt: Runtime, label: str, items: list[Item], counts: dict[str, int],
             open_backlog: int, kuerzel: dict[str, str]) -> DailyFigures:
    return compute(label, items, counts, rt.desk.clock, rt.config.targets, open_backlog,
                   timezone=rt.config.timezone, kuerzel={**dict(rt.config.agents), **kuerzel})


def _sum_counts(days: list[dict[str, int]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for counts in days:
        for k, v in counts.items():
            total[k] = total.get(k, 0) + v
    return total


def gather(rt: Runtime, day: date, days: int = 1) -> DailyFigures:
    """The figures of `days` days from `day` on, from the items in Redis. The Kürzel are the
    current ones (`/kuerzel` over desk.yaml's)."""
    start, end = _window(rt, day, days)
    numbers = rt.items.numbers_seen_between(start, end)
    items = [i for i in (rt.items.get(n) for n in numbers) if i is not None]
    counts = _sum_counts([rt.items.counts((day + timedelta(d)).isoformat())
                          for d in range(days)])
    return _figures(rt, day.isoformat(), items, counts, rt.items.open_count(),
                    rt.kuerzel.all())


def gather_from_audit(rt: Runtime, day: date, days: int = 1,
                      replayed: Replayed | None = None) -> DailyFigures:
    """The same figures as `gather`, recomputed from the audit trail alone."""
    r = replayed or replay(rt.audit.entries())
    start, end = _window(rt, day, days)
    counts = _sum_counts([r.counts.get((day + timedelta(d)).isoformat(), {})
                          for d in range(days)])
    return _figures(rt, day.isoformat(), r.seen_between(start, end), counts, len(r.open),
                    r.kuerzel)


def _channel(rt: Runtime) -> str:
    return rt.config.summary.channel or rt.config.channels.default


def post_summary(rt: Runtime, day: date, s: DailyFigures | None = None) -> str:
    """Post the day's summary (`s` when already gathered) to the summary channel, and its chart
    (PNG) into the summary's thread. A chart that cannot be uploaded (e.g. the app lacks
    `files:write`) is logged and audited; the text stays posted."""
    from bot.chart import chart_png  # matplotlib loads only where a chart is drawn

    s = s or gather(rt, day)
    lang = rt.config.language
    text = render(s, lang, dict(rt.config.agents))
    channel = _channel(rt)
    ts = rt.slack.post_message(channel, text)
    chart = "uploaded"
    try:
        rt.slack.upload_file(channel, ts, f"summary-{s.day}.png", chart_png(s, lang),
                             title=say("chart.title_hours", lang, day=s.day),
                             alt_text=say("chart.alt", lang, day=s.day))
    except Exception as exc:  # SlackApiError, SlackRequestError (the upload URL), OSError
        error = exc.response.get("error") if isinstance(exc, SlackApiError) else type(exc).__name__
        log.warning("summary chart for %s not uploaded: %s", s.day, error)
        chart = f"failed:{error}"
    rt.audit.record("scheduler", "summary", None, "ok", day=day.isoformat(), channel=channel,
                    chart=chart)
    return text


def _once(rt: Runtime, lease: str, post: Callable[[], object]) -> None:
    """Run `post` once across workers under `lease` (3 days); a failure gives the lease back
    so the next check (any worker) tries again."""
    if rt.leases.take(lease, 3 * 86400 * 1000):
        try:
            post()
        except Exception:
            rt.leases.release(lease)
            raise


def daily_job(rt: Runtime) -> None:
    """Post today's summary once at `summary.at`; a Redis lease makes it once across workers."""
    now = rt.desk.now().astimezone(ZoneInfo(rt.config.timezone))
    if now.time() < rt.config.summary.at_time:
        return
    day = now.date()
    _once(rt, f"summary:{day.isoformat()}", lambda: post_summary(rt, day))


def post_weekly(rt: Runtime, monday: date) -> str:
    """Post the summary of the week starting `monday` against the week before it."""
    this, before = gather(rt, monday, 7), gather(rt, monday - timedelta(days=7), 7)
    end = (monday + timedelta(days=6)).isoformat()
    text = render_week(this, before, rt.config.language, end)
    channel = _channel(rt)
    rt.slack.post_message(channel, text)
    rt.audit.record("scheduler", "weekly_summary", None, "ok", week=monday.isoformat(),
                    channel=channel)
    return text


def weekly_job(rt: Runtime) -> None:
    """On Monday from `WEEKLY_AT` (local), post last week's summary once across workers
    (lease `weekly-summary:<monday>`)."""
    now = rt.desk.now().astimezone(ZoneInfo(rt.config.timezone))
    if now.weekday() != 0 or now.time() < WEEKLY_AT:
        return
    monday = now.date() - timedelta(days=7)
    _once(rt, f"weekly-summary:{monday.isoformat()}", lambda: post_weekly(rt, monday))


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
