"""Timers on a real redis-server with a manual clock: warn, breach, re-escalation, exactly once."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
import yaml

from bot.config import DeskConfig, config_from_dict
from bot.desk.publisher import Publisher
from bot.desk.watch import TargetWatch as TimerService
from bot.durations import format_duration
from bot.markup import lead_ping
from bot.models import Author, Mention, State
from bot.slack.board import SlackBoard
from bot.store import AuditLog, ItemStore, keys
from bot.store.timers import TimerEntry, TimerStore

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def config(**overrides: Any) -> DeskConfig:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[], targets={"twitter": "40s", "facebook": "80s"},
               warn_at=0.5, leads=["U0LEAD1"])
    raw.update(overrides)
    return config_from_dict(raw)


class Clock:
    def __init__(self, t: datetime = T0) -> None:
        self.t = t

    def __call__(self) -> datetime:
        return self.t

    def at(self, seconds: float) -> datetime:
        self.t = T0 + timedelta(seconds=seconds)
        return self.t


class RecordingSlack:
    """The SlackPort side the timers use; `fail` makes thread posts raise."""

    def __init__(self) -> None:
        self.lines: list[tuple[str, str, str]] = []
        self.refreshed: list[int] = []  # item numbers whose card was updated
        self.fail = False
        self._lock = threading.Lock()

    def post_card(self, *args: Any, **kwargs: Any) -> str:
        return "1.0"

    def update_card(self, channel: str, ts: str, blocks: Any, text: str) -> None:
        with self._lock:
            self.refreshed.append(int(ts.split(".")[1]))

    def post_thread(self, channel: str, thread_ts: str, text: Any) -> str:
        text = text() if callable(text) else text
        if self.fail:
            raise OSError("slack down")
        with self._lock:
            self.lines.append((channel, thread_ts, text))
        return "2.0"

    def texts(self, number: int | None = None) -> list[str]:
        return [t for _, _, t in self.lines if number is None or re.search(rf"#{number}\b", t)]


class Rig:
    """Items in Redis plus any number of TimerService instances sharing it (like workers)."""

    def __init__(self, url: str, cfg: DeskConfig | None = None) -> None:
        self.url, self.cfg = url, cfg or config()
        self.clock, self.slack = Clock(), RecordingSlack()
        self.r = redis.Redis.from_url(url, decode_responses=True)
        self.items = ItemStore(self.r)
        self.refreshed = self.slack.refreshed
        self.service = self.new_service()

    def new_service(self, **kwargs: Any) -> TimerService:
        """Another worker's timers: the real publisher and board over the recording Slack."""
        r = redis.Redis.from_url(self.url, decode_responses=True)
        items, timers, clock = ItemStore(r), TimerStore(r), self.cfg.business_clock()
        board = SlackBoard(self.slack, "de", self.cfg.timezone)  # type: ignore[arg-type]
        publisher = Publisher(items, AuditLog(r), board, timers, clock, "de", self.clock,
                              home=lambda user: None)  # type: ignore[arg-type,return-value]
        return TimerService(timers, items, self.cfg, publisher, clock, now=self.clock, **kwargs)

    def item(self, mid: str = "1", network: str = "twitter", created: float = 0) -> int:
        created_at = T0 + timedelta(seconds=created)
        m = Mention(network, mid, "Kein Internet!", Author("501", "kunde"), created_at)
        due = created_at + self.cfg.target_for(network)
        n, _ = self.items.create(m, sentiment="negative", score=0.9, address="du",
                                 channel="C0ALERTS", seen_at=created_at, due_at=due)
        self.items.set_fields(n, card_ts=f"100.{n}")
        self.service.start(self.get(n))
        return n

    def get(self, n: int) -> Any:
        item = self.items.get(n)
        assert item is not None
        return item


@pytest.fixture
def rig(redis_url: str) -> Rig:
    return Rig(redis_url)


def test_start_schedules_warning_at_warn_share_and_breach_at_due(rig: Rig) -> None:
    n = rig.item()
    pending = rig.service.store.pending(n)
    due = (T0 + timedelta(seconds=40)).timestamp()
    assert pending == {f"{n}:warn:{int(due * 1000)}": due - 20, f"{n}:breach:{int(due * 1000)}": due}


def test_nothing_fires_before_the_warning(rig: Rig) -> None:
    rig.item()
    assert rig.service.tick(rig.clock.at(19.9)).fired == 0
    assert rig.slack.lines == []


def test_warning_names_nobody_and_time_left_and_marks_the_card(rig: Rig) -> None:
    n = rig.item()
    report = rig.service.tick(rig.clock.at(21))
    assert report.fired == 1 and report.cards == 1
    assert rig.slack.lines == [("C0ALERTS", f"100.{n}", f"⏳ #{n}: noch 19 Sek. bis zum Antwortziel. "
                                "Zuständig: noch niemand.")]
    assert rig.get(n).timer_state == "warned"
    assert rig.refreshed == [n]
    assert rig.service.tick(rig.clock.at(22)).fired == 0


def test_warning_names_the_holder(rig: Rig) -> None:
    n = rig.item()
    rig.items.transition(n, allowed=(State.NEW,), state="claimed", holder="U0AGENT1")
    rig.service.tick(rig.clock.at(25))
    assert "Zuständig: <@U0AGENT1>" in rig.slack.texts(n)[0]


def test_breach_pings_the_leads_and_turns_the_card_red(rig: Rig) -> None:
    n = rig.item()
    rig.service.tick(rig.clock.at(21))
    rig.service.tick(rig.clock.at(40))
    breach = rig.slack.texts(n)[-1]
    assert breach.startswith(f"🔴 #{n}: Antwortziel (40 Sek.) überschritten. <@U0LEAD1>")
    assert rig.get(n).timer_state == "breached"
    assert rig.refreshed == [n, n]


def test_user_group_leads_are_pinged_as_subteam(redis_url: str) -> None:
    rig = Rig(redis_url, config(leads=["S0LEADS", "U0LEAD2"]))
    n = rig.item()
    rig.service.tick(rig.clock.at(41))
    assert "<!subteam^S0LEADS>, <@U0LEAD2>" in rig.slack.texts(n)[-1]


def test_still_open_a_full_target_later_is_escalated_again_and_again(rig: Rig) -> None:
    n = rig.item()
    for t in (21, 40, 60, 79.9):
        rig.service.tick(rig.clock.at(t))
    assert len(rig.slack.texts(n)) == 2
    rig.service.tick(rig.clock.at(80))
    again = rig.slack.texts(n)[-1]
    assert again.startswith(f"🔴 #{n} ist seit 40 Sek. über dem Ziel und noch offen. <@U0LEAD1>")
    rig.service.tick(rig.clock.at(120))
    assert len(rig.slack.texts(n)) == 4
    assert rig.service.tick(rig.clock.at(121)).fired == 0


def test_answered_item_never_fires(rig: Rig) -> None:
    n = rig.item()
    rig.items.transition(n, allowed=(State.NEW,), close=True, state="answered")
    rig.service.stop(n)
    for t in (21, 40, 80, 200):
        rig.service.tick(rig.clock.at(t))
    assert rig.slack.lines == []
    assert rig.r.zcard(keys.TIMERS) == 0 and not rig.r.exists(keys.timer_entries(n))


def test_closed_item_does_not_fire_even_if_stop_was_missed(rig: Rig) -> None:
    n = rig.item()
    rig.items.transition(n, allowed=(State.NEW,), close=True, state="noreply")
    report = rig.service.tick(rig.clock.at(100))
    assert report.fired == 0 and report.skipped == 2
    assert rig.slack.lines == [] and rig.get(n).timer_state == ""


def test_follow_up_restarts_the_clock_and_old_entries_do_not_fire(rig: Rig) -> None:
    n = rig.item()
    rig.service.tick(rig.clock.at(21))  # warned for the first question
    new_start = T0 + timedelta(seconds=30)
    new_due = new_start + timedelta(seconds=40)
    rig.items.transition(n, allowed=(State.NEW,), due_at=new_due.isoformat(), timer_state="",
                         pending_since=new_start.isoformat())
    rig.service.start(rig.get(n))
    assert rig.service.tick(rig.clock.at(45)).fired == 0  # old breach (40 s) is gone
    rig.service.tick(rig.clock.at(50))
    rig.service.tick(rig.clock.at(70))
    texts = rig.slack.texts(n)
    assert len(texts) == 3 and "noch 20 Sek." in texts[1] and "überschritten" in texts[2]


def test_start_twice_or_after_firing_fires_nothing_twice(rig: Rig) -> None:
    n = rig.item()
    rig.service.start(rig.get(n))
    rig.service.tick(rig.clock.at(21))
    rig.service.start(rig.get(n))  # e.g. an intake retried after a crash
    rig.service.tick(rig.clock.at(22))
    rig.service.tick(rig.clock.at(41))
    rig.service.start(rig.get(n))
    rig.service.tick(rig.clock.at(42))
    assert len(rig.slack.texts(n)) == 2


def test_worker_down_past_due_fires_the_breach_once_when_back(rig: Rig) -> None:
    n = rig.item()
    report = rig.service.tick(rig.clock.at(150))  # down through warn, breach and two more targets
    assert report.fired == 1
    assert len(rig.slack.texts(n)) == 1 and "überschritten" in rig.slack.texts(n)[0]
    for t in (151, 155, 159):
        assert rig.service.tick(rig.clock.at(t)).fired == 0
    rig.service.tick(rig.clock.at(160))  # the next full target after the return
    assert len(rig.slack.texts(n)) == 2


def test_entry_claimed_by_a_crashed_worker_fires_once_after_its_lease(rig: Rig) -> None:
    n = rig.item()
    crashed = rig.new_service(lease_s=30)
    assert len(crashed.store.claim(rig.clock.at(41).timestamp(), 30)) == 2  # …and dies
    assert rig.service.tick(rig.clock.at(50)).fired == 0
    rig.service.tick(rig.clock.at(72))
    assert len(rig.slack.texts(n)) == 1 and "überschritten" in rig.slack.texts(n)[0]
    assert rig.service.tick(rig.clock.at(75)).fired == 0


def test_slack_failure_is_retried_after_the_lease_not_lost(redis_url: str) -> None:
    rig = Rig(redis_url)
    rig.service = rig.new_service(lease_s=10)
    n = rig.item()
    rig.slack.fail = True
    assert rig.service.tick(rig.clock.at(41)).failed == 1
    rig.slack.fail = False
    assert rig.service.tick(rig.clock.at(45)).fired == 0
    assert rig.service.tick(rig.clock.at(52)).fired == 1
    assert len(rig.slack.texts(n)) == 1


def test_item_without_card_yet_fires_once_its_card_exists(rig: Rig) -> None:
    n = rig.item()
    rig.items.set_fields(n, card_ts="")
    assert rig.service.tick(rig.clock.at(41)).fired == 0
    rig.items.set_fields(n, card_ts="100.1")
    assert rig.service.tick(rig.clock.at(45)).fired == 0
    assert rig.service.tick(rig.clock.at(46)).fired == 1
    assert rig.slack.lines == [("C0ALERTS", "100.1", rig.slack.texts(n)[0])]
    assert "überschritten" in rig.slack.texts(n)[0]


def test_three_services_in_threads_fire_each_entry_exactly_once(rig: Rig) -> None:
    numbers = [rig.item(mid=str(i), created=i % 7) for i in range(150)]
    services = [rig.new_service(batch=7) for _ in range(3)]
    step = threading.Barrier(3)

    def run(s: TimerService) -> None:
        for t in range(0, 95):  # three workers ticking the same second, in lockstep
            step.wait()
            s.tick(T0 + timedelta(seconds=t))

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for n in numbers:
        texts = rig.slack.texts(n)
        assert [t[0] for t in texts] == ["⏳", "🔴", "🔴"], (n, texts)  # warn, breach, +1 target
        assert "überschritten" in texts[1] and "erneute Eskalation" in texts[2]


def test_card_updates_are_coalesced_within_a_shared_budget(redis_url: str) -> None:
    rig = Rig(redis_url)
    rig.service = rig.new_service(cards_per_tick=5, card_updates_per_minute=8)
    other = rig.new_service(cards_per_tick=5, card_updates_per_minute=8)
    numbers = [rig.item(mid=str(i)) for i in range(10)]
    assert rig.service.tick(rig.clock.at(21)).cards == 5  # ten warnings, five updates
    assert other.tick(rig.clock.at(22)).cards == 3  # this minute's budget of 8 is spent
    assert rig.service.tick(rig.clock.at(41)).cards == 0  # ten breaches: marked, not sent
    assert rig.r.scard(keys.CARD_UPDATES) == 10  # one mark per card, however many changes
    assert rig.service.tick(rig.clock.at(60)).cards == 5  # next minute
    assert other.flush_cards(rig.clock.at(61)) == 3
    assert rig.service.flush_cards(rig.clock.at(120)) == 2
    assert rig.r.scard(keys.CARD_UPDATES) == 0
    assert sorted(set(rig.refreshed[8:])) == numbers and len(rig.refreshed) == 18


def test_business_hours_move_the_warning_into_open_time(redis_url: str) -> None:
    cfg = config(business_hours={"mon-fri": "08:00-20:00"}, timezone="Europe/Berlin",
                 targets={"twitter": "20m", "facebook": "40m"}, warn_at=0.75)
    rig = Rig(redis_url, cfg)
    clock = cfg.business_clock()
    created = datetime(2026, 11, 25, 18, 55, tzinfo=UTC)  # 19:55 Berlin, 5 min before closing
    m = Mention("twitter", "9", "Kein Netz!", Author("1", "k"), created)
    due = clock.add(created, timedelta(minutes=20))
    n, _ = rig.items.create(m, sentiment="negative", score=1, address="du", channel="C0ALERTS",
                            seen_at=created, due_at=due)
    rig.service.start(rig.items.get(n))
    warn = min(rig.service.store.pending(n).values())
    assert datetime.fromtimestamp(warn, UTC) == datetime(2026, 11, 26, 7, 10, tzinfo=UTC)


def test_entry_names_round_trip() -> None:
    for e in (TimerEntry(17, "warn", 1764), TimerEntry(17, "breach", 1764),
              TimerEntry(3, "breach", 99, 4)):
        assert TimerEntry.parse(e.member) == e
    assert TimerEntry.parse("17:other:1") is None


@pytest.mark.parametrize("leads,text", [
    (["U0LEAD1"], "<@U0LEAD1>"), (["S0TEAM"], "<!subteam^S0TEAM>"),
    (["U1", "S2"], "<@U1>, <!subteam^S2>"), ([], "Teamleitung"),
])
def test_lead_ping(leads: list[str], text: str) -> None:
    assert lead_ping(leads) == text


@pytest.mark.parametrize("seconds,de,en", [
    (0, "0 Sek.", "0 s"), (59, "59 Sek.", "59 s"), (61, "2 Min.", "2 min"),
    (1200, "20 Min.", "20 min"), (3900, "1 Std. 5 Min.", "1 h 5 min"),
])
def test_format_duration(seconds: int, de: str, en: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == de
    assert format_duration(timedelta(seconds=seconds), "en") == en


def test_queue_rendering_shows_overdue_first_rows_and_the_rest_count() -> None:
    from bot.desk import Queue, QueueRow
    from bot.slack.board import queue_text

    rows = [QueueRow(4, "twitter", "a<b", "", T0, timedelta(seconds=-150)),
            QueueRow(2, "facebook", "c", "U0AGENT1", T0, timedelta(minutes=12))]
    text = queue_text(Queue("C0ALERTS", rows, 3), "de", "Europe/Berlin").splitlines()
    assert text[1] == "#4 · X · @a&lt;b · 🔴 überfällig seit 3 Min. · noch niemand"
    # business minutes beside the due time as the card shows it (issue 12: at night they differ)
    assert text[2] == ("#2 · Facebook · @c · fällig in 12 Min. Geschäftszeit (25.11. 11:00) · "
                       "<@U0AGENT1>")
    assert text[3] == "… und 3 weitere."
