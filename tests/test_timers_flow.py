"""Timers end to end: real redis-server, the Slack emulator, signed commands, worker processes.

Targets of a few seconds with `always` business hours; the real APScheduler tick job fires them.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.scheduler import Job, start_scheduler
from bot.store import keys
from tests.harness import AGENT_A, STRANGER, DeskHarness, desk_config, mention, wait_for
from tests.support.processes import stop_processes
from tests.support.workers import consumers, start_workers, worker_logs

ANGRY = "Eure Hotline ist eine Frechheit, seit Stunden in der Warteschleife!"
CHANNELS = ("C0ALERTS", "C0FESTNETZ", "C0MOBIL")
FAST = {"targets": {"twitter": "3s", "facebook": "8s"}, "warn_at": 0.5}


@pytest.fixture
def desk(redis_url, slack_api, x_api, graph_api, signing_secret) -> Iterator[DeskHarness]:
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(**FAST))
    yield h
    h.close()


def ticking(h: DeskHarness) -> Any:
    """The worker's timer job on a real scheduler (stop it with `.shutdown()`)."""
    assert h.rt.timers is not None
    return start_scheduler(h.rt, {"timers": Job(timedelta(seconds=0.5), h.rt.timers.tick)})


def card_ts(h: DeskHarness, number: int) -> str:
    return str(h.rt.items.get(number).card_ts)


def timer_lines(h: DeskHarness, number: int) -> list[str]:
    """The bot's warning/escalation lines in the item's card thread."""
    item = h.rt.items.get(number)
    return [m["text"] for m in h.slack.thread(item.channel, item.card_ts)
            if m["text"][:1] in ("⏳", "🔴", "📣")]


def card_json(h: DeskHarness, number: int, channel: str = "C0ALERTS") -> str:
    return json.dumps(h.slack.message(channel, card_ts(h, number))["blocks"], ensure_ascii=False)


def test_warning_then_breach_pings_leads_card_turns_red_then_escalates_again(
        desk: DeskHarness) -> None:
    desk.ingest(mention(text=ANGRY))
    desk.process()
    scheduler = ticking(desk)
    try:
        warn = wait_for(lambda: timer_lines(desk, 1), 3, "warning")
        assert re.fullmatch(r"⏳ #1: noch [0-2] Sek\. bis zum Antwortziel\. Zuständig: noch niemand\.",
                            warn[0]), warn
        wait_for(lambda: "🟡" in card_json(desk, 1), 3, "yellow card")
        breach = wait_for(lambda: timer_lines(desk, 1)[1:], 3, "breach")[0]
        assert breach.startswith("🔴 #1: Antwortziel (3 Sek.) überschritten. <@U0LEAD1>")
        wait_for(lambda: "🔴" in card_json(desk, 1) and "Ziel überschritten" in card_json(desk, 1),
                 3, "red card")
        again = wait_for(lambda: timer_lines(desk, 1)[2:], 5, "re-escalation")[0]
        assert "erneute Eskalation" in again and "<@U0LEAD1>" in again
    finally:
        scheduler.shutdown(wait=False)
    assert len(timer_lines(desk, 1)) == 3


def test_item_answered_in_time_gets_no_ping(desk: DeskHarness) -> None:
    desk.ingest(mention(text=ANGRY))
    desk.process()
    scheduler = ticking(desk)
    try:
        desk.run_command("/claim", "1", AGENT_A)
        assert "gesendet" in desk.run_command("/reply", "1 Das tut uns leid, wir helfen!", AGENT_A)
        time.sleep(3.6)
    finally:
        scheduler.shutdown(wait=False)
    assert timer_lines(desk, 1) == []
    assert desk.rt.redis.zcard(keys.TIMERS) == 0


def test_worker_down_past_due_fires_the_breach_once_when_back(desk: DeskHarness) -> None:
    desk.ingest(mention(text=ANGRY))
    desk.process()
    wait_for(lambda: desk.rt.desk.now() > desk.rt.items.get(1).due_at, 4, "due time to pass")
    scheduler = ticking(desk)
    try:
        wait_for(lambda: timer_lines(desk, 1), 3, "breach")
        time.sleep(1.2)
    finally:
        scheduler.shutdown(wait=False)
    lines = timer_lines(desk, 1)
    assert len(lines) == 1 and "überschritten" in lines[0]


def test_escalate_pings_the_leads_with_the_note_and_is_audited(redis_url, slack_api, x_api,
                                                                graph_api, signing_secret) -> None:
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(leads=["S0LEADS"]))
    try:
        h.ingest(mention(text=ANGRY))
        h.process()
        assert "alarmiert" in h.run_command("/escalate", "#1 droht mit <!channel> Kündigung", AGENT_A)
        line = wait_for(lambda: timer_lines(h, 1), 3, "escalation line")[0]
        assert line == ("📣 <!subteam^S0LEADS>: <@U0AGENT1> eskaliert #1. "
                        "Notiz: droht mit channel Kündigung")  # no <!channel>: no ping
        assert "nicht als Agent" in h.run_command("/escalate", "1", STRANGER)
        assert "gibt es nicht" in h.run_command("/escalate", "99", AGENT_A)
        assert "z. B. `/escalate 17" in h.run_command("/escalate", "", AGENT_A)
        audit = [e for e in h.rt.audit.entries() if e["action"] == "escalate"]
        assert [(e["actor"], e["outcome"]) for e in audit] == [
            (AGENT_A, "ok"), (STRANGER, "refused:refuse.not_agent"),
            (AGENT_A, "refused:refuse.unknown_item")]
        assert len(timer_lines(h, 1)) == 1
    finally:
        h.close()


def test_queue_lists_the_callers_channel_nearest_due_first(desk: DeskHarness) -> None:
    desk.ingest(mention(mid="11", text=ANGRY, network="facebook", author="7"),
                mention(mid="12", text=ANGRY, author="8"),
                mention(mid="13", text="Seit drei Tagen kein Internet, eine Katastrophe!"))
    desk.process()
    # channels are served side by side, so numbers follow the stream only within a channel
    fb, x, festnetz = (desk.rt.items.number_for_mention(net, mid) for net, mid in
                       (("facebook", "11"), ("twitter", "12"), ("twitter", "13")))
    answer = desk.run_command("/queue", "", AGENT_A)
    lines = answer.splitlines()
    assert lines[0] == "Offene Fälle in <#C0ALERTS>, nächste Fälligkeit zuerst:"
    assert [ln.split(" · ")[0] for ln in lines[1:]] == [f"#{x}", f"#{fb}"]  # X (3 s) first
    assert "@kunde_8" in lines[1] and "fällig in" in lines[1] and "noch niemand" in lines[1]
    assert f"#{festnetz}" not in answer  # routed to C0FESTNETZ
    assert "Keine offenen Fälle" in desk.run_command("/queue", "", AGENT_A, channel="C0MOBIL")
    assert "nicht als Agent" in desk.run_command("/queue", "", STRANGER)


# ----- several worker processes -----------------------------------------------------------------
def test_three_worker_processes_fire_each_ping_exactly_once(desk: DeskHarness,
                                                            tmp_path: Path) -> None:
    procs = start_workers(desk.settings.redis_url, desk.slack.base_url, tmp_path, 3,
                          targets={"twitter": "4s", "facebook": "8s"}, warn_at=0.5)
    try:
        wait_for(lambda: consumers(desk.rt.redis, keys.MENTION_STREAM, keys.MENTION_GROUP) >= 3,
                 15, "three workers consuming")
        texts = [ANGRY, "Seit drei Tagen kein Internet, eine Katastrophe!",
                 "Schon wieder kein Netz am Handy, unfassbar schlecht!"]  # three channels
        desk.ingest(*[mention(mid=str(900 + i), text=texts[i % 3], author=str(600 + i))
                      for i in range(6)])
        wait_for(lambda: sum(len(desk.cards(c)) for c in CHANNELS) == 6, 8, "six cards")
        numbers = list(range(1, 7))
        wait_for(lambda: all(len(timer_lines(desk, n)) >= 2 for n in numbers), 8, "six breaches")
        time.sleep(1.0)
    finally:
        stop_processes(procs)
    logs = worker_logs(tmp_path, 3)
    for n in numbers:
        kinds = [t[0] for t in timer_lines(desk, n)]
        assert kinds == ["⏳", "🔴"], (n, timer_lines(desk, n), logs[-2000:])
