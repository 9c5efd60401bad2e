"""Durations: as desk.yaml writes them (`90s`, `20m`, `1h30m`; `180d` for retention periods) and
as people read them. Pure."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.messages import say

_DURATION = re.compile(r"^\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?\s*$")
_DAYS = re.compile(r"^\s*(\d+)\s*d\s*$")


def parse_duration(value: object) -> timedelta:
    """Parse ``90s``, ``20m``, ``1h``, ``1h30m`` (or a number of seconds) into a timedelta."""
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return timedelta(seconds=float(value))
    if isinstance(value, str):
        m = _DURATION.match(value)
        if m and any(m.groups()):
            h, mi, s = (int(g or 0) for g in m.groups())
            total = timedelta(hours=h, minutes=mi, seconds=s)
            if total > timedelta(0):
                return total
    raise ValueError(f"{value!r} is not a duration like 90s, 20m, 1h or 1h30m")


def parse_days(value: object) -> timedelta:
    """Parse a period in whole days, ``180d``, at least one day.

    Only the ``d`` form is accepted: a bare number in desk.yaml could mean days or seconds, and
    a retention period is the wrong place to guess.
    """
    if isinstance(value, timedelta) and value >= timedelta(days=1):
        return value
    if isinstance(value, str):
        m = _DAYS.match(value)
        if m and int(m.group(1)) >= 1:
            return timedelta(days=int(m.group(1)))
    raise ValueError(f"{value!r} is not a number of days like 180d (at least 1d)")


def format_duration(d: timedelta, lang: str = "de") -> str:
    """`45 Sek.`, `12 Min.`, `1 Std. 5 Min.` (rounded up to whole minutes past one minute)."""
    s = max(0, int(d.total_seconds()))
    if s < 60:
        return say("dur.seconds", lang, s=s)
    m = -(-s // 60)
    if m < 60:
        return say("dur.minutes", lang, m=m)
    return say("dur.hours", lang, h=m // 60, m=m % 60)
