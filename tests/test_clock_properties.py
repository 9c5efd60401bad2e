"""Laws the business clock must obey, checked with hypothesis on random weekly hours.

Besides the algebraic laws, an independent oracle (local wall time -> open?, checked in
half-hour steps of real time) pins down what `elapsed` and `is_open` must return.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.clock import DAYS, BusinessClock

BERLIN = ZoneInfo("Europe/Berlin")
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
HALF_HOUR = timedelta(minutes=30)
ZERO = timedelta(0)
SECOND = timedelta(seconds=1)
DAY_S = 86400
FAST = settings(max_examples=200, deadline=None)
# DST start/end 2026 and 2027, Christmas 2026: where bugs like to live
HOT_SPOTS = [datetime(2026, 3, 29, 1), datetime(2026, 10, 25, 1), datetime(2026, 12, 24),
             datetime(2027, 3, 28, 1), datetime(2027, 10, 31, 1)]  # fmt: skip
# Hour boundaries on the half hour; 02:30 lies in the DST gap or the repeated hour, where
# "first instant the clock shows it" and "wall time inside a range" legitimately differ.
BOUNDARIES = [m for m in range(0, 1441, 30) if m != 150]


@dataclass(frozen=True)
class Case:
    """A clock built from config, and the plain facts to check it against."""

    clock: BusinessClock
    week: tuple[tuple[tuple[int, int], ...], ...]
    holidays: Any
    closed: frozenset[date]

    def open_at(self, t: datetime) -> bool:
        local = t.astimezone(BERLIN)
        if local.date() in self.closed or local.date() in self.holidays:
            return False
        minute = local.hour * 60 + local.minute
        return any(start <= minute < end for start, end in self.week[local.weekday()])


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _spec(week: Any) -> dict[str, Any]:
    return {
        day: ", ".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in ranges) or "closed"
        for day, ranges in zip(DAYS, week, strict=True)
    }


@st.composite
def cases(draw: st.DrawFn, region: str | None = None) -> Case:
    week = []
    for _ in DAYS:
        cuts = sorted(draw(st.lists(st.sampled_from(BOUNDARIES), unique=True, max_size=6)))
        week.append(tuple(zip(cuts[::2], cuts[1::2], strict=False)))
    if not any(week):
        week[draw(st.integers(0, 6))] = ((480, 1200),)
    region = region or draw(st.sampled_from(["none", "DE", "DE-NW", "DE-BY"]))
    closed = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=4))
    spec = _spec(week)
    spec.update(holidays=region, closed=[d.isoformat() for d in closed])
    country, _, subdiv = region.partition("-")
    hols = {} if region == "none" else holidays.country_holidays(country, subdiv=subdiv or None)
    return Case(BusinessClock.from_config(spec), tuple(week), hols, closed)


DESK = BusinessClock.from_config(
    {"mon-fri": "08:00-20:00", "sat": "09:00-18:00", "holidays": "DE-NW", "closed": ["2026-12-24"]}
)
clocks = st.one_of(
    st.just(DESK),
    st.just(BusinessClock.from_config({"mon-sun": "00:00-24:00"})),
    cases().map(lambda case: case.clock),
)
moments = st.one_of(
    st.integers(0, 2 * 365 * DAY_S).map(lambda s: EPOCH + timedelta(seconds=s)),
    st.builds(
        lambda spot, s: spot.replace(tzinfo=UTC) + timedelta(seconds=s),
        st.sampled_from(HOT_SPOTS),
        st.integers(-3 * DAY_S, 3 * DAY_S) | st.integers(-3 * 3600, 3 * 3600),
    ),
)
durations = st.integers(0, 10 * DAY_S).map(lambda s: timedelta(seconds=s))
spans = st.integers(0, 4 * DAY_S).map(lambda s: timedelta(seconds=s))


def oracle_elapsed(case: Case, a: datetime, b: datetime) -> timedelta:
    """Open time in [a, b), summed over half hours of real time (Berlin's offsets are whole
    hours and boundaries fall on half hours, so each UTC half hour is wholly open or closed)."""
    total, t = ZERO, EPOCH + (a - EPOCH) // HALF_HOUR * HALF_HOUR
    while t < b:
        if case.open_at(t):
            total += min(t + HALF_HOUR, b) - max(t, a)
        t += HALF_HOUR
    return total


@FAST
@given(cases(), moments, spans)
def test_elapsed_agrees_with_the_wall_clock_oracle(case, a, span):
    assert case.clock.elapsed(a, a + span) == oracle_elapsed(case, a, a + span)


@FAST
@given(cases(), moments)
def test_is_open_agrees_with_the_wall_clock_oracle(case, t):
    assert case.clock.is_open(t) == case.open_at(t)
    assert case.clock.is_open(t.astimezone(BERLIN)) == case.open_at(t)


@FAST
@given(clocks, moments, durations, st.booleans())
def test_elapsed_undoes_add(clock, a, d, local_input):
    due = clock.add(a.astimezone(BERLIN) if local_input else a, d)
    assert clock.elapsed(a, due) == d


@FAST
@given(clocks, moments, durations.filter(bool))
def test_add_returns_the_earliest_moment(clock, a, d):
    due = clock.add(a, d)
    assert clock.elapsed(a, due - SECOND) < d


@FAST
@given(clocks, moments, spans, durations)
def test_add_is_monotonic_in_the_start(clock, a, gap, d):
    assert clock.add(a, d) <= clock.add(a + gap, d)


@FAST
@given(clocks, moments, durations, durations)
def test_add_is_monotonic_in_the_duration(clock, a, d1, d2):
    assert clock.add(a, d1) <= clock.add(a, d1 + d2)


@FAST
@given(clocks, moments, spans, spans)
def test_elapsed_is_additive(clock, a, ab, bc):
    b, c = a + ab, a + ab + bc
    assert clock.elapsed(a, c) == clock.elapsed(a, b) + clock.elapsed(b, c)


@FAST
@given(clocks, moments, moments)
def test_elapsed_is_between_zero_and_wall_time(clock, a, b):
    assert ZERO <= clock.elapsed(a, b) <= max(b - a, ZERO)
    if b <= a:
        assert clock.elapsed(a, b) == ZERO


@FAST
@given(clocks, moments)
def test_next_open_is_add_zero_and_is_open(clock, t):
    opening = clock.next_open(t)
    assert opening == clock.add(t, ZERO)
    assert opening >= t
    assert clock.is_open(opening)
    assert clock.elapsed(t, opening) == ZERO
    assert clock.is_open(t) == (opening == t)


NW_HOLIDAYS = sorted(holidays.country_holidays("DE", subdiv="NW", years=[2026, 2027]))


@FAST
@given(cases(region="DE-NW"), st.sampled_from(NW_HOLIDAYS), spans, spans, durations)
def test_holidays_and_closed_days_contribute_nothing(case, holiday, x, y, d):
    closed_days = sorted({holiday, *case.closed})
    for day in closed_days:
        begin = datetime.combine(day, datetime.min.time(), tzinfo=BERLIN)
        end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=BERLIN)
        assert case.clock.elapsed(begin, end) == ZERO
        inside = min(begin.astimezone(UTC) + x % (end - begin), end)
        assert case.clock.next_open(inside) >= end
        weekly_open = timedelta(minutes=sum(e - s for day in case.week for s, e in day))
        if d <= weekly_open * 40:  # within add()'s 400-day search horizon
            assert case.clock.add(begin, d) >= end
    # the same week without holidays is open at least as long
    a = datetime.combine(holiday, datetime.min.time(), tzinfo=BERLIN).astimezone(UTC) - x
    plain = BusinessClock.from_config(_spec(case.week))
    assert case.clock.elapsed(a, a + x + y) <= plain.elapsed(a, a + x + y)


@FAST
@given(moments, durations, moments, st.booleans())
def test_an_always_clock_is_plain_time(a, d, b, local_input):
    for clock in (BusinessClock.always(), BusinessClock.from_config("always")):
        start = a.astimezone(BERLIN) if local_input else a
        assert clock.add(start, d) == a + d
        assert clock.elapsed(start, b) == max(b - a, ZERO)
        assert clock.is_open(start)
