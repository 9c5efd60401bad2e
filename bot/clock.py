"""Business-time arithmetic: weekly opening hours, a time zone, public holidays, closed dates.

Pure: aware datetimes in, aware UTC datetimes out; nothing here reads the wall clock.
Opening hours are local wall-clock times. Each open range of a local day becomes one interval
of real (UTC) time, so a DST change inside open hours makes that day an hour shorter or longer.
A boundary that falls into a DST gap is the moment the clock jumps; one in a repeated hour is
its first occurrence. Intervals are half-open: open at 08:00:00, closed at 20:00:00.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_lib

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEARCH_DAYS = 400  # add()/next_open() give up when this many days pass with no open time
_RANGE = re.compile(r"(\d\d):(\d\d)\s*-\s*(\d\d):(\d\d)")
_ONE_SECOND = timedelta(seconds=1)

Ranges = tuple[tuple[int, int], ...]  # (start, end) minutes after local midnight, end <= 1440
_ALL_DAY: tuple[Ranges, ...] = (((0, 1440),),) * 7


class ClockConfigError(ValueError):
    """A `business_hours` setting that cannot be used; `field` names it, `reason` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@lru_cache(maxsize=256)
def _holiday_dates(country: str, subdiv: str | None, year: int) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdiv, years=year))


@dataclass(frozen=True)
class BusinessClock:
    """When the desk is open, and how much open time lies between two moments."""

    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    week: tuple[Ranges, ...] = ((),) * 7  # Monday first
    holiday_region: tuple[str, str | None] | None = None  # (country, subdivision)
    closed: frozenset[date] = frozenset()
    always_open: bool = False

    @classmethod
    def always(cls) -> BusinessClock:
        """Open 24/7: business time is plain time."""
        return cls(week=_ALL_DAY, always_open=True)

    @classmethod
    def from_config(
        cls,
        spec: str | Mapping[str, Any],
        timezone: str = "Europe/Berlin",
        closed: Sequence[date | str] = (),
    ) -> BusinessClock:
        """Build from desk.yaml's `business_hours` value (the word "always" or a mapping)."""
        try:
            tz = ZoneInfo(timezone)
        except (KeyError, ValueError, TypeError, OSError):
            raise ClockConfigError("timezone", f"{timezone!r} is not a known time zone") from None
        if isinstance(spec, str) and spec.strip().lower() == "always":
            return cls(tz=tz, week=_ALL_DAY, always_open=True)
        if not isinstance(spec, Mapping):
            raise ClockConfigError("business_hours", f"{spec!r} is neither 'always' nor a mapping")
        week: list[Ranges | None] = [None] * 7
        region, closed_dates = None, set(_parse_dates("business_hours.closed", closed))
        for key, value in spec.items():
            name, word = f"business_hours.{key}", str(key).strip().lower()
            if word == "holidays":
                region = _parse_region(name, value)
            elif word == "closed":
                closed_dates.update(_parse_dates(name, value))
            else:
                days, ranges = _parse_days(name, key), _parse_ranges(name, value)
                for day in days:
                    if week[day] is not None:
                        raise ClockConfigError(name, f"{DAYS[day]} is already set by another key")
                    week[day] = ranges
        if not any(week):
            raise ClockConfigError("business_hours", "no open hours in the whole week")
        return cls(tz, tuple(r or () for r in week), region, frozenset(closed_dates))

    def is_open(self, t: datetime) -> bool:
        """Whether the desk is open at `t`."""
        return self.next_open(t) == _utc(t)  # UTC both sides: see the test on DST end

    def next_open(self, t: datetime) -> datetime:
        """`t` (in UTC) if open, else the next opening."""
        return self.add(t, timedelta(0))

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The earliest moment by which `duration` of business time has passed after `start`."""
        if duration < timedelta(0):
            raise ValueError(f"negative duration {duration}")
        start = _utc(start)
        if self.always_open:
            return start + duration
        left, t = duration, start
        while True:  # window by window: sparse hours may need more than one to add up
            last, found = self._local_date(t) + timedelta(days=SEARCH_DAYS), False
            for begin, end in self._intervals(t, last):
                found, begin = True, max(begin, t)
                if begin + left <= end:
                    return begin + left
                left -= end - begin
                t = end
            if not found:
                raise ValueError(f"no business hours within {SEARCH_DAYS} days after {t}")
            t = max(t, datetime.combine(last + timedelta(days=1), time(), self.tz).astimezone(UTC))

    def add_days(self, start: datetime, days: int) -> datetime:
        """The same local time `days` business days after `start` (days with open hours that
        are neither holidays nor closed), moved to the next opening if the desk is closed then.
        Open 24/7: plain days."""
        if days < 0:
            raise ValueError(f"negative days {days}")
        start = _utc(start)
        if self.always_open:
            return start + timedelta(days=days)
        local = start.astimezone(self.tz)
        day, left = local.date(), days
        for _ in range(days * 7 + SEARCH_DAYS):
            if left == 0:
                break
            day += timedelta(days=1)
            if self.week[day.weekday()] and not self._is_closed_day(day):
                left -= 1
        if left:
            raise ValueError(f"no {days} business days within reach after {start}")
        wall = datetime.combine(day, local.time().replace(tzinfo=None)).replace(tzinfo=self.tz)
        return self.next_open(wall)

    def elapsed(self, a: datetime, b: datetime) -> timedelta:
        """Business time in [a, b); zero if b <= a."""
        a, b = _utc(a), _utc(b)
        if b <= a:
            return timedelta(0)
        if self.always_open:
            return b - a
        total = timedelta(0)
        for begin, end in self._intervals(a, self._local_date(b) + timedelta(days=1)):
            if begin >= b:
                break
            total += min(end, b) - max(begin, a)
        return total

    def closes_at(self, t: datetime) -> datetime | None:
        """When the desk, open at `t`, next closes (UTC); None if it is closed at `t` or never
        closes (`always`, or not within `SEARCH_DAYS`). Back-to-back ranges count as one."""
        t = _utc(t)
        if self.always_open:
            return None
        closing: datetime | None = None
        for begin, end in self._intervals(t, self._local_date(t) + timedelta(days=SEARCH_DAYS)):
            if closing is None and begin > t:
                return None
            if closing is not None and begin > closing:
                return closing
            closing = end if closing is None else max(closing, end)
        return None

    def _intervals(self, t: datetime, last: date) -> Iterator[tuple[datetime, datetime]]:
        """Open intervals (UTC) that end after `t`, in order, for local days up to `last`."""
        day = self._local_date(t)
        while day <= last:
            if not self._is_closed_day(day):
                for start, end in self.week[day.weekday()]:
                    begin, finish = self._to_utc(day, start), self._to_utc(day, end)
                    if finish > max(begin, t):
                        yield begin, finish
            day += timedelta(days=1)

    def _is_closed_day(self, day: date) -> bool:
        if day in self.closed:
            return True
        return self.holiday_region is not None and day in _holiday_dates(*self.holiday_region, day.year)

    def _local_date(self, t: datetime) -> date:
        return t.astimezone(self.tz).date()

    def _to_utc(self, day: date, minute: int) -> datetime:
        """The first instant at which the local clock shows `minute` after midnight of `day`."""
        wall = datetime.combine(day, time()) + timedelta(minutes=minute)
        hi = wall.replace(tzinfo=self.tz).astimezone(UTC)
        if hi.astimezone(self.tz).replace(tzinfo=None) == wall:
            return hi
        # `wall` lies in a DST gap: bisect for the instant the clock jumps past it
        lo = wall.replace(tzinfo=self.tz, fold=1).astimezone(UTC)
        while hi - lo > _ONE_SECOND:
            mid = lo + timedelta(seconds=(hi - lo) // _ONE_SECOND // 2)
            if mid.astimezone(self.tz).replace(tzinfo=None) >= wall:
                hi = mid
            else:
                lo = mid
        return hi


def _utc(t: datetime) -> datetime:
    if t.utcoffset() is None:
        raise ValueError(f"naive datetime {t}: business time needs an aware one")
    return t.astimezone(UTC)


def _parse_days(name: str, key: Any) -> list[int]:
    """'mon', 'mon-fri', 'sat,sun', 'fri-mon' (wraps) -> weekday numbers."""
    days: list[int] = []
    for part in str(key).lower().replace(" ", "").split(","):
        first, _, final = part.partition("-")
        if first not in DAYS or (final and final not in DAYS):
            raise ClockConfigError(name, f"unknown key {key!r}: use days like mon-fri, sat,sun")
        a, b = DAYS.index(first), DAYS.index(final or first)
        days.extend((a + i) % 7 for i in range((b - a) % 7 + 1))
    return days


def _parse_ranges(name: str, value: Any) -> Ranges:
    """'08:00-12:00, 13:00-20:00' (or a list of ranges, or closed/off) -> sorted minute pairs."""
    if value is False or (isinstance(value, str) and value.strip().lower() in ("closed", "off")):
        return ()  # YAML 1.1 reads a bare `off` as False
    parts = value if isinstance(value, list) else str(value).split(",")
    ranges: list[tuple[int, int]] = []
    for part in parts:
        m = _RANGE.fullmatch(str(part).strip())
        if not m:
            raise ClockConfigError(name, f"{part!r} is not a time range like 09:00-18:00")
        h1, m1, h2, m2 = map(int, m.groups())
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if h1 > 23 or m1 > 59 or m2 > 59 or end > 1440 or end <= start:
            raise ClockConfigError(name, f"{part!r} must end after it starts, by 24:00")
        ranges.append((start, end))
    ranges.sort()
    for (_, end), (start, _) in pairwise(ranges):
        if start < end:
            raise ClockConfigError(name, f"ranges overlap in {value!r}")
    return tuple(ranges)


def _parse_region(name: str, value: Any) -> tuple[str, str | None] | None:
    """'DE-NW', 'DE' or 'none' -> (country, subdivision) checked against `holidays`."""
    if value is None or value is False or str(value).strip().lower() == "none":
        return None
    country, _, subdiv = str(value).strip().upper().partition("-")
    try:
        holidays_lib.country_holidays(country, subdiv=subdiv or None)
    except NotImplementedError:
        raise ClockConfigError(name, f"unknown country or subdivision {value!r}") from None
    return country, subdiv or None


def _parse_dates(name: str, values: Any) -> list[date]:
    if isinstance(values, (str, bytes, Mapping)) or not isinstance(values, Iterable):
        raise ClockConfigError(name, f"{values!r} is not a list of dates like 2026-12-24")
    dates = []
    for i, value in enumerate(values):
        if isinstance(value, datetime):
            raise ClockConfigError(f"{name}[{i}]", f"{value!r} is not a date like 2026-12-24")
        try:
            dates.append(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError:
            raise ClockConfigError(f"{name}[{i}]", f"{value!r} is not a date like 2026-12-24") from None
    return dates
