"""Worked cases for the business clock: the desk's week, DST, Christmas, config errors."""

import time as stopwatch
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import BusinessClock, ClockConfigError

BERLIN = ZoneInfo("Europe/Berlin")
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DESK = BusinessClock.from_config(
    {"mon-fri": "08:00-20:00", "sat": "09:00-18:00", "holidays": "DE-NW", "closed": ["2026-12-24"]}
)
ROUND_THE_CLOCK = BusinessClock.from_config({"mon-sun": "00:00-24:00"})
DAILY = BusinessClock.from_config({"mon-sun": "08:00-20:00"})


def berlin(*args: int, fold: int = 0) -> datetime:
    return datetime(*args, tzinfo=BERLIN, fold=fold)  # type: ignore[misc]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# --- the desk's ordinary week -------------------------------------------------------------


def test_friday_evening_mention_with_20_minutes_is_due_saturday_morning():
    friday = berlin(2026, 11, 27, 19, 50)
    assert friday.weekday() == 4
    assert DESK.add(friday, 20 * MIN) == berlin(2026, 11, 28, 9, 10)


def test_saturday_closes_at_18_so_a_late_mention_waits_until_monday():
    assert DESK.is_open(berlin(2026, 11, 27, 18, 30))  # Friday
    assert not DESK.is_open(berlin(2026, 11, 28, 18, 30))  # Saturday
    due = DESK.add(berlin(2026, 11, 28, 17, 50), 20 * MIN)
    assert due == berlin(2026, 11, 30, 8, 10)
    assert due.astimezone(BERLIN).weekday() == 0
    assert DESK.elapsed(berlin(2026, 11, 28), berlin(2026, 11, 29)) == 9 * HOUR


def test_mention_at_night_starts_its_clock_at_the_next_opening():
    night = berlin(2026, 11, 24, 3, 12)
    assert not DESK.is_open(night)
    assert DESK.next_open(night) == berlin(2026, 11, 24, 8, 0)
    assert DESK.elapsed(night, berlin(2026, 11, 24, 8, 0)) == timedelta(0)
    assert DESK.add(night, 20 * MIN) == berlin(2026, 11, 24, 8, 20)
    assert DESK.add(night, timedelta(0)) == DESK.next_open(night)


def test_hours_are_half_open_so_a_target_may_fall_due_at_closing_time():
    assert DESK.is_open(berlin(2026, 11, 27, 8, 0))
    assert not DESK.is_open(berlin(2026, 11, 27, 20, 0))
    assert DESK.add(berlin(2026, 11, 27, 19, 40), 20 * MIN) == berlin(2026, 11, 27, 20, 0)
    assert DESK.next_open(berlin(2026, 11, 27, 20, 0)) == berlin(2026, 11, 28, 9, 0)


def test_several_ranges_a_day_skip_the_lunch_break():
    lunch = BusinessClock.from_config({"mon-fri": "08:00-12:00, 13:00-20:00"})
    assert lunch == BusinessClock.from_config({"mon-fri": ["08:00-12:00", "13:00-20:00"]})
    assert not lunch.is_open(berlin(2026, 11, 25, 12, 30))
    assert lunch.add(berlin(2026, 11, 25, 11, 50), 20 * MIN) == berlin(2026, 11, 25, 13, 10)
    assert lunch.elapsed(berlin(2026, 11, 25), berlin(2026, 11, 26)) == 11 * HOUR


def test_next_open_returns_the_same_instant_when_open_and_results_are_utc():
    t = berlin(2026, 11, 25, 10, 0)
    assert DESK.next_open(t) == t
    assert DESK.add(t, MIN).tzinfo is UTC
    assert DESK.add(t.astimezone(UTC), MIN) == DESK.add(t, MIN)


# --- DST ------------------------------------------------------------------------------------


def test_dst_start_makes_a_round_the_clock_day_23_hours_long():
    assert ROUND_THE_CLOCK.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == 23 * HOUR
    assert ROUND_THE_CLOCK.add(berlin(2026, 3, 29, 1, 30), HOUR) == berlin(2026, 3, 29, 3, 30)
    assert ROUND_THE_CLOCK.add(berlin(2026, 3, 29, 1, 30), HOUR) == utc(2026, 3, 29, 1, 30)


def test_dst_end_makes_a_round_the_clock_day_25_hours_long():
    assert ROUND_THE_CLOCK.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * HOUR
    start = berlin(2026, 10, 25, 1, 30)
    # compare in UTC: Python never finds a repeated-hour time equal to one in another zone
    assert ROUND_THE_CLOCK.add(start, HOUR) == berlin(2026, 10, 25, 2, 30).astimezone(UTC)
    assert ROUND_THE_CLOCK.add(start, HOUR) == utc(2026, 10, 25, 0, 30)  # 02:30 first time
    assert ROUND_THE_CLOCK.add(start, 2 * HOUR) == utc(2026, 10, 25, 1, 30)  # 02:30 again
    assert ROUND_THE_CLOCK.is_open(berlin(2026, 10, 25, 2, 30, fold=1))
    assert BusinessClock.always().is_open(berlin(2026, 10, 25, 2, 30, fold=1))


def test_normal_hours_keep_their_local_times_across_dst_changes():
    # Saturday before each change, 17:50 + 20 min -> Monday 08:10 local, in the new offset
    assert DESK.add(berlin(2026, 3, 28, 17, 50), 20 * MIN) == utc(2026, 3, 30, 6, 10)
    assert DESK.add(berlin(2026, 10, 24, 17, 50), 20 * MIN) == utc(2026, 10, 26, 7, 10)
    assert DAILY.next_open(utc(2026, 3, 29, 5, 0)) == utc(2026, 3, 29, 6, 0)
    assert DAILY.next_open(utc(2026, 10, 25, 5, 0)) == utc(2026, 10, 25, 7, 0)
    for day in (29, 30):
        assert DAILY.elapsed(berlin(2026, 3, day), berlin(2026, 3, day + 1)) == 12 * HOUR
    assert DAILY.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 12 * HOUR


def test_a_boundary_inside_the_dst_gap_is_the_moment_the_clock_jumps():
    night = BusinessClock.from_config({"sun": "02:30-04:00"})
    assert night.next_open(berlin(2026, 3, 29)) == utc(2026, 3, 29, 1, 0)  # 03:00 CEST
    assert night.elapsed(berlin(2026, 3, 29), berlin(2026, 3, 30)) == HOUR


# --- holidays and closed days -------------------------------------------------------------


def test_christmas_eve_closed_and_holidays_push_a_late_mention_to_monday():
    due = DESK.add(berlin(2026, 12, 23, 19, 50), 20 * MIN)
    assert due == berlin(2026, 12, 28, 8, 10)
    assert due.astimezone(BERLIN).weekday() == 0
    assert DESK.elapsed(berlin(2026, 12, 24), berlin(2026, 12, 28)) == timedelta(0)
    assert not DESK.is_open(berlin(2026, 12, 26, 10, 0))  # a Saturday, but a holiday


def test_the_subdivision_decides_regional_holidays():
    corpus_christi = berlin(2026, 6, 4, 10, 0)  # a holiday in NW, not nationwide
    assert not DESK.is_open(corpus_christi)
    germany = BusinessClock.from_config({"mon-fri": "08:00-20:00", "holidays": "DE"})
    assert germany.is_open(corpus_christi)
    assert not germany.is_open(berlin(2026, 12, 25, 10, 0))
    no_holidays = BusinessClock.from_config({"mon-fri": "08:00-20:00", "holidays": "none"})
    assert no_holidays.is_open(berlin(2026, 12, 25, 10, 0))


def test_closed_dates_from_the_argument_join_those_in_the_spec():
    clock = BusinessClock.from_config(
        {"mon-fri": "08:00-20:00", "closed": ["2026-12-30"]}, closed=[date(2026, 12, 31)]
    )
    assert not clock.is_open(berlin(2026, 12, 30, 10, 0))
    assert not clock.is_open(berlin(2026, 12, 31, 10, 0))
    assert clock.is_open(berlin(2026, 12, 29, 10, 0))


# --- always, guards, efficiency -----------------------------------------------------------


@pytest.mark.parametrize(
    "clock", [BusinessClock.always(), BusinessClock.from_config("always")], ids=["always()", "cfg"]
)
def test_always_is_plain_time_even_across_dst(clock):
    start = berlin(2026, 3, 29, 1, 30)
    assert clock.add(start, HOUR) == utc(2026, 3, 29, 1, 30)
    assert clock.elapsed(berlin(2026, 10, 25), berlin(2026, 10, 26)) == 25 * HOUR
    assert clock.is_open(berlin(2026, 12, 25, 3, 0))


def test_naive_datetimes_and_negative_durations_are_refused():
    with pytest.raises(ValueError, match="naive"):
        DESK.add(datetime(2026, 11, 25, 10, 0), MIN)
    with pytest.raises(ValueError, match="naive"):
        DESK.elapsed(datetime(2026, 11, 25), berlin(2026, 11, 26))
    with pytest.raises(ValueError, match="negative"):
        DESK.add(berlin(2026, 11, 25), -MIN)


def test_add_gives_up_when_nothing_opens_for_400_days():
    mondays = [date(2026, 1, 5) + timedelta(weeks=n) for n in range(104)]
    clock = BusinessClock.from_config({"mon": "08:00-09:00"}, closed=mondays)
    with pytest.raises(ValueError, match="400 days"):
        clock.add(berlin(2026, 1, 1), MIN)
    assert clock.elapsed(berlin(2026, 1, 1), berlin(2027, 12, 1)) == timedelta(0)


def test_a_year_is_counted_exactly_and_quickly():
    began = stopwatch.perf_counter()
    assert ROUND_THE_CLOCK.elapsed(berlin(2026, 1, 1), berlin(2027, 1, 1)) == timedelta(days=365)
    assert ROUND_THE_CLOCK.add(berlin(2026, 1, 1), timedelta(days=365)) == berlin(2027, 1, 1)
    # 2026 in NW: 261 weekdays less 8 holidays and 24.12; 52 Saturdays less 3.10 and 26.12
    assert DESK.elapsed(berlin(2026, 1, 1), berlin(2027, 1, 1)) == (
        (261 - 8 - 1) * 12 * HOUR + (52 - 2) * 9 * HOUR
    )
    assert stopwatch.perf_counter() - began < 0.5


# --- configuration ----------------------------------------------------------------------------


def test_accepted_spellings():
    base = BusinessClock.from_config({"mon-fri": "08:00-20:00", "sat,sun": "10:00-14:00"})
    assert base == BusinessClock.from_config(
        {"Mon-Fri": "08:00 - 20:00", "sat": ["10:00-14:00"], "sun": "10:00-14:00"}
    )
    wrap = BusinessClock.from_config({"fri-mon": "10:00-14:00", "tue": False, "wed": "closed"})
    assert [bool(day) for day in wrap.week] == [True, False, False, False, True, True, True]
    assert BusinessClock.from_config({"mon": "00:00-24:00"}).week[0] == ((0, 1440),)


@pytest.mark.parametrize(
    ("spec", "kwargs", "field", "fragment"),
    [
        ({"sat": "9-18"}, {}, "business_hours.sat", "'9-18' is not a time range like 09:00-18:00"),
        ({"mon-fri": "20:00-08:00"}, {}, "business_hours.mon-fri", "must end after it starts"),
        ({"mon": "08:00-08:00"}, {}, "business_hours.mon", "must end after it starts"),
        ({"mon": "08:00-24:30"}, {}, "business_hours.mon", "by 24:00"),
        ({"mon": "24:00-24:00"}, {}, "business_hours.mon", "must end"),
        ({"mon": "08:61-09:00"}, {}, "business_hours.mon", "must end"),
        ({"mon": "08:00-12:00, 11:00-14:00"}, {}, "business_hours.mon", "overlap"),
        ({"mondays": "08:00-20:00"}, {}, "business_hours.mondays", "unknown key"),
        ({"timezone": "Europe/Berlin"}, {}, "business_hours.timezone", "unknown key"),
        ({"mon-fri": "08:00-20:00", "fri": "09:00-10:00"}, {}, "business_hours.fri", "fri"),
        ({"mon": "08:00-20:00", "holidays": "DE-XX"}, {}, "business_hours.holidays", "DE-XX"),
        ({"mon": "08:00-20:00", "holidays": "XX"}, {}, "business_hours.holidays", "XX"),
        ({"mon": "08:00-20:00", "closed": ["2026-13-01"]}, {}, "business_hours.closed[0]", ""),
        ({"mon": "08:00-20:00", "closed": "2026-12-24"}, {}, "business_hours.closed", "list"),
        ({"mon": "08:00-20:00"}, {"closed": ["soon"]}, "business_hours.closed[0]", "soon"),
        ({"mon": "closed", "sun": "off"}, {}, "business_hours", "no open hours"),
        ({}, {}, "business_hours", "no open hours"),
        ("sometimes", {}, "business_hours", "'sometimes'"),
        ({"mon": "08:00-20:00"}, {"timezone": "Europe/Berlinn"}, "timezone", "Europe/Berlinn"),
        ({"mon": "08:00-20:00"}, {"timezone": "../etc/passwd"}, "timezone", "time zone"),
    ],
)
def test_config_errors_name_the_field(spec, kwargs, field, fragment):
    with pytest.raises(ClockConfigError) as caught:
        BusinessClock.from_config(spec, **kwargs)
    assert caught.value.field == field
    assert str(caught.value).startswith(f"{field}: ")
    assert fragment in str(caught.value)
    assert isinstance(caught.value, ValueError)
