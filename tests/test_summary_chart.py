"""The summary leads look at (issue 13): a PNG chart uploaded into the summary's thread through
Slack's external upload flow, the current Kürzel, the weekly summary, and every figure
recomputed from the audit trail alone. Real redis-server, the Slack emulator, signed commands.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.chart import CHART_SIZE
from bot.entry.worker import Worker
from bot.reports import gather, gather_from_audit, post_summary, weekly_job
from bot.summary import render
from tests.harness import AGENT_A, AGENT_B, LEAD, DeskHarness, desk_config, mention
from tests.test_summary_audit import _run

ANGRY = "Seit drei Tagen kein Internet, eine Frechheit!"
HAPPY = "Danke, der Techniker war super freundlich und schnell!"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class ManualClock:
    """The desk's clock: starts at the real time (mentions carry it), moves when told."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = start or datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.t

    def advance(self, **delta: float) -> datetime:
        self.t += timedelta(**delta)
        return self.t


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def desk(redis_url, slack_api, x_api, graph_api, signing_secret,
         clock: ManualClock) -> Iterator[DeskHarness]:
    # the emulator takes posts as fast as they come (pacing is tests/test_post_ceiling.py's)
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(targets={"twitter": "20m", "facebook": "40m"}), now=clock,
                    slack_channel_interval_ms=0)
    # the script names items by number: one intake per channel at a time, as with a paced
    # Slack, so they are numbered in arrival order (unpaced, two run at once and may swap)
    h.worker = Worker(h.rt, name="test-worker", depth=1)
    yield h
    h.close()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (the first chunk, right after the signature)."""
    assert data[:8] == PNG_SIGNATURE, data[:8]
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def angry(n: int, network: str = "twitter", author: str = "501", **extra: Any) -> dict[str, Any]:
    return mention(mid=f"18500000000000000{n:02d}", text=ANGRY, network=network,
                   author=author, **extra)


def test_summary_posts_its_chart_as_png_into_the_summary_thread_via_external_upload(
        desk: DeskHarness, clock: ManualClock) -> None:
    desk.ingest(angry(1))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    clock.advance(minutes=12)
    desk.run_command("/reply", "1 Das tut uns leid, wir prüfen das!", AGENT_A)
    day = clock().astimezone(desk.rt.desk.tz).date()

    text = post_summary(desk.rt, day)

    summary = desk.slack.messages("C0LEADS")[-1]
    assert summary["text"] == text and "1 beantwortet" in text
    get_url = desk.slack.last_call("files.getUploadURLExternal")
    upload = desk.slack.last_call("upload_url")
    complete = desk.slack.last_call("files.completeUploadExternal")
    order = [c.route for c in desk.slack.calls]
    assert (order.index("files.getUploadURLExternal") < order.index("upload_url")
            < order.index("files.completeUploadExternal"))
    assert int(get_url.params["length"]) == len(upload.raw)
    assert complete.params["channel_id"] == "C0LEADS"
    assert complete.params["thread_ts"] == summary["ts"]
    [uploaded] = desk.slack.uploaded_files("C0LEADS")
    assert uploaded.thread_ts == summary["ts"] and uploaded.data is not None
    assert png_size(uploaded.data) == CHART_SIZE
    assert uploaded.filename == f"summary-{day.isoformat()}.png" and uploaded.alt_txt
    [shared] = desk.slack.thread("C0LEADS", summary["ts"])
    assert shared["files"][0]["id"] == uploaded.id
    assert shared["files"][0]["mimetype"] == "image/png"
    [entry] = [e for e in desk.rt.audit.entries() if e["action"] == "summary"]
    assert json.loads(entry["details"])["chart"] == "uploaded"


def test_a_refused_upload_keeps_the_text_and_is_audited(desk: DeskHarness,
                                                        clock: ManualClock) -> None:
    desk.slack.fail_next("files.completeUploadExternal", 200,
                         body={"ok": False, "error": "not_in_channel"})
    day = clock().astimezone(desk.rt.desk.tz).date()
    post_summary(desk.rt, day)
    assert len(desk.slack.messages("C0LEADS")) == 1
    [entry] = [e for e in desk.rt.audit.entries() if e["action"] == "summary"]
    assert json.loads(entry["details"])["chart"] == "failed:not_in_channel"


def scripted_day(desk: DeskHarness, clock: ManualClock) -> None:
    """A day on the desk touching every kind of audit entry the figures are made of."""
    desk.run_command("/kuerzel", "ZZ", AGENT_A)  # replaces AB from desk.yaml
    desk.ingest(angry(1), angry(2, author="502"), angry(3, author="503"),
                angry(4, "facebook", author="504"), angry(5, author="505"),
                mention(mid="1850000000000000099", text=HAPPY, author="599"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    desk.run_command("/claim", "2", AGENT_B)
    desk.run_command("/claim", "3", AGENT_A)
    desk.run_command("/claim", "5", AGENT_B)
    desk.run_command("/release", "5", AGENT_B)
    desk.run_command("/assign", f"5 <@{AGENT_A}>", LEAD)
    clock.advance(minutes=7)
    desk.run_command("/reply", "1 Das tut uns leid, wir prüfen das!", AGENT_A)
    desk.run_command("/noreply", "2 spam", AGENT_B)
    clock.advance(minutes=18)  # 25 min: #3, #5 (twitter, 20 min) are overdue
    desk.rt.timers.tick()
    desk.run_command("/reply", "3 Das tut uns leid, wir schauen nach!", AGENT_A)
    # the customer of #1 writes again: #1 is open again, its clock restarted
    desk.ingest(mention(mid="1850000000000000077", text="Immer noch kein Netz, was ist los?",
                        author="501", in_reply_to="1850000000000000001"))
    desk.process()
    clock.advance(minutes=5)
    desk.run_command("/reply", "1 Wir haben den Techniker informiert.", AGENT_A)
    desk.run_command("/dm", "5", AGENT_A)
    # five alike made a storm: incident #6 (with #4 still open) is closed without reply
    desk.run_command("/claim", "6", AGENT_B)
    desk.run_command("/noreply", "6 spam", AGENT_B)


def test_summary_from_the_audit_trail_equals_the_live_one(desk: DeskHarness,
                                                          clock: ManualClock) -> None:
    scripted_day(desk, clock)
    day = clock().astimezone(desk.rt.desk.tz).date()

    live, audited = gather(desk.rt, day), gather_from_audit(desk.rt, day)

    assert live == audited
    assert render(live, "de") == render(audited, "de")
    twitter = live.networks["twitter"]
    assert (twitter.items, twitter.answered, twitter.breached_unanswered) == (4, 3, 0)
    assert live.networks["facebook"].items == 1 and live.open_backlog == 0
    assert live.counts["ingested"] == 7 and live.counts["sentiment:negative"] >= 5
    assert live.noreply_reasons["spam"] == 2  # #2, and #4 with its incident
    assert live.kuerzel == {AGENT_A: "ZZ"}  # the agents in the figures, with today's Kürzel
    assert f"<@{AGENT_A}> (ZZ)" in render(live, "de", dict(desk.config.agents))
    assert sum(live.items_per_hour) == 5 and sum(live.answers_per_hour) == 3
    # #1 answered again after the follow-up (its answer time is the latest), #3 after the
    # breach, #5 moved to DM
    assert sorted(r.minutes for r in live.responses) == pytest.approx([25, 30, 30])


def test_a_breach_without_answer_counts_the_same_from_the_audit(desk: DeskHarness,
                                                                clock: ManualClock) -> None:
    desk.ingest(angry(1))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    clock.advance(minutes=21)
    desk.rt.timers.tick()
    desk.run_command("/noreply", "1 troll", AGENT_A)
    day = clock().astimezone(desk.rt.desk.tz).date()
    live = gather(desk.rt, day)
    assert live.networks["twitter"].breached_unanswered == 1
    assert live == gather_from_audit(desk.rt, day)


def test_cli_from_audit_prints_the_figures_the_live_summary_prints(
        desk: DeskHarness, clock: ManualClock, tmp_path: Path) -> None:
    scripted_day(desk, clock)
    day = clock().astimezone(desk.rt.desk.tz).date().isoformat()
    chart = tmp_path / "chart.png"
    live = _run(["summary", "--print", "--date", day, "--chart", str(chart)], desk, tmp_path)
    audited = _run(["summary", "--from-audit", "--date", day], desk, tmp_path)
    assert live.returncode == 0 and audited.returncode == 0, live.stderr + audited.stderr
    assert json.loads(live.stderr.splitlines()[-1]) == json.loads(audited.stderr.splitlines()[-1])
    assert live.stdout == audited.stdout and "(ZZ)" in live.stdout
    assert png_size(chart.read_bytes()) == CHART_SIZE
    assert desk.slack.messages("C0LEADS") == []  # --from-audit posts nothing


def monday_clock(hour: int) -> ManualClock:
    """A clock on the Monday after next at `hour`:00 in the desk's time zone."""
    today = datetime.now(ZoneInfo("Europe/Berlin")).date()
    monday = today + timedelta(days=14 - today.weekday())
    return ManualClock(datetime.combine(monday, time(hour), ZoneInfo("Europe/Berlin")))


def test_weekly_summary_posts_once_on_monday_morning_week_over_week(
        redis_url, slack_api, x_api, graph_api, signing_secret) -> None:
    clock = monday_clock(7)
    desks = [DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                         config=desk_config(), now=clock) for _ in range(2)]
    first = desks[0]
    try:
        clock.advance(days=-6)  # Tuesday of last week: two items, one answered
        first.ingest(angry(1, created_at=clock().isoformat()),
                     angry(2, author="502", created_at=clock().isoformat()))
        first.process()
        first.run_command("/claim", "1", AGENT_A)
        clock.advance(minutes=10)
        first.run_command("/reply", "1 Das tut uns leid!", AGENT_A)
        clock.advance(days=6, minutes=-10)  # Monday 07:00: too early
        for d in desks:
            weekly_job(d.rt)
        assert slack_api.messages("C0LEADS") == []
        clock.advance(hours=1, minutes=5)  # 08:05: both workers check (twice), one posts
        for d in desks * 2:
            weekly_job(d.rt)
        [weekly] = slack_api.messages("C0LEADS")
    finally:
        for d in desks:
            d.close()
    assert weekly["text"].startswith("*Wochenzusammenfassung")
    assert "2 (0) Karten, 1 (0) beantwortet" in weekly["text"]
    assert "X: Median 10 (–) Min., Ziel erreicht 100 % (–)" in weekly["text"]

