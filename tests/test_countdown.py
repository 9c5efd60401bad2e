"""The live countdown on the card (issue 13): business minutes left, redrawn only when what the
card says changes, within `chat.update`'s budget, and paused outside business hours."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.clock import BusinessClock
from bot.desk.countdown import countdown, next_redraw, shown_left
from bot.store import keys
from tests.harness import DeskHarness, desk_config, mention
from tests.test_summary_chart import ManualClock
from tests.test_timers import T0, Rig, config

BERLIN = ZoneInfo("Europe/Berlin")
HOURS = {"mon-fri": "08:00-20:00", "holidays": "none"}


def local(day: date, hh: int, mm: int, ss: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm, ss), BERLIN)


def next_friday() -> date:
    today = datetime.now(BERLIN).date()
    return today + timedelta(days=(4 - today.weekday()) % 7 + 7)


def redraws(clock: BusinessClock, start: datetime, due: datetime) -> list[datetime]:
    times, t = [], start
    while (t := next_redraw(clock, due, t)) is not None:  # type: ignore[assignment]
        times.append(t)
    return times


def test_a_20_minute_target_is_redrawn_seven_times_rounded_up_to_its_step() -> None:
    clock = BusinessClock.always()
    due = T0 + timedelta(minutes=20)
    got = redraws(clock, T0, due)
    assert [(t - T0) / timedelta(minutes=1) for t in got] == [5, 10, 15, 16, 17, 18, 19]
    shown = [countdown(clock, due, t).left / timedelta(minutes=1) for t in [T0, *got]]
    assert shown == [20, 15, 10, 5, 4, 3, 2, 1]
    assert shown_left(timedelta(minutes=13, seconds=20)) == timedelta(minutes=15)
    assert shown_left(timedelta(minutes=4, seconds=1)) == timedelta(minutes=5)
    assert len(redraws(clock, T0, T0 + timedelta(minutes=40))) == 11


def test_outside_business_hours_the_countdown_pauses_until_the_desk_opens() -> None:
    clock = BusinessClock.from_config(HOURS)
    fri = next_friday()
    start = local(fri, 19, 50)
    due = clock.add(start, timedelta(minutes=20))  # 10 min on Friday, 10 on Monday
    monday = fri + timedelta(days=3)
    assert due == local(monday, 8, 10)
    got = redraws(clock, start, due)
    assert got[:3] == [local(fri, 19, 55), local(fri, 20, 0), local(monday, 8, 0)]
    paused = countdown(clock, due, local(fri + timedelta(days=1), 12, 0))
    assert paused.left == timedelta(minutes=10) and paused.paused_until == local(monday, 8, 0)
    assert countdown(clock, due, local(monday, 8, 0, 1)).paused_until is None


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(local(next_friday(), 19, 50))


@pytest.fixture
def desk(redis_url, slack_api, x_api, graph_api, signing_secret,
         clock: ManualClock) -> Iterator[DeskHarness]:
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(business_hours=HOURS), now=clock)
    yield h
    h.close()


def due_line(desk: DeskHarness) -> str:
    item = desk.rt.items.get(1)
    assert item is not None
    blocks = desk.slack.message(item.channel, item.card_ts)["blocks"]
    [line] = [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]
              if "fällig" in e["text"]]
    return str(line)


def test_the_card_counts_down_in_business_minutes_and_pauses_over_the_weekend(
        desk: DeskHarness, clock: ManualClock) -> None:
    desk.ingest(mention(text="Seit drei Tagen kein Internet, eine Frechheit!",
                        created_at=clock().isoformat()))
    desk.process()
    monday = (clock() + timedelta(days=3)).astimezone(BERLIN).strftime("%d.%m.")
    assert due_line(desk) == f"Antwort fällig bis {monday} 08:10 · noch 20 Min."
    clock.advance(minutes=4)
    desk.rt.timers.tick()
    assert desk.slack.calls_to("chat.update") == []  # nothing the card says has changed
    clock.advance(minutes=1, seconds=1)
    desk.rt.timers.tick()
    assert due_line(desk) == f"Antwort fällig bis {monday} 08:10 · noch 15 Min."
    clock.advance(minutes=5)  # 20:00:01, Friday: closed
    desk.rt.timers.tick()
    assert due_line(desk) == (f"Antwort fällig bis {monday} 08:10 · noch 10 Min. · "
                              "pausiert bis Mo 08:00")
    updates = len(desk.slack.calls_to("chat.update"))
    for _ in range(5):  # the weekend (to Sunday 22:00): ticks change nothing
        clock.advance(hours=10)
        desk.rt.timers.tick()
    assert len(desk.slack.calls_to("chat.update")) == updates
    clock.t = local(next_friday() + timedelta(days=3), 8, 0, 1)
    desk.rt.timers.tick()
    assert due_line(desk) == f"Antwort fällig bis {monday} 08:10 · noch 10 Min."
    assert desk.rt.desk.watch.store.next_countdown(1) == local(
        next_friday() + timedelta(days=3), 8, 5).timestamp()  # 5 min left: the next step


def test_countdowns_stay_within_the_budget_and_give_way_to_state_changes(redis_url: str) -> None:
    rig = Rig(redis_url, config(targets={"twitter": "20m", "facebook": "40m"}))
    rig.service = rig.new_service(cards_per_tick=5, card_updates_per_minute=30)
    numbers = [rig.item(mid=str(i)) for i in range(60)]
    per_minute: Counter[int] = Counter()
    for second in range(0, 21 * 60, 2):  # a tick every 2 s for 21 minutes
        before = len(rig.refreshed)
        rig.service.tick(rig.clock.at(second))
        per_minute[second // 60] += len(rig.refreshed) - before
    assert max(per_minute.values()) <= 30
    assert sum(per_minute.values()) < 60 * 7  # overdue redraws coalesced, not queued up
    assert rig.r.zcard(keys.COUNTDOWN) == 0  # all past due: nothing left to redraw
    # a change of state is drawn before any countdown waiting for the budget
    rig.r.delete(keys.CARD_UPDATES, keys.CARD_COUNTDOWN)  # the breaches' marks, still waiting
    rig.r.sadd(keys.CARD_COUNTDOWN, *numbers[1:])
    rig.service.store.mark_card(numbers[0])
    assert numbers[0] in rig.service.store.take_cards(10_000, 30, 5)
