"""The daily summary's figures and the audit export, against a real redis-server."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

from bot.clock import BusinessClock
from bot.models import Author, Item, Mention, State
from bot.summary import compute, render
from tests.harness import AGENT_A, AGENT_B, ROOT, DeskHarness, mention

T0 = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def item(n: int, network: str, answered_after: int | None, by: str = AGENT_A,
         state: State = State.ANSWERED, reason: str = "") -> Item:
    m = Mention(network, str(n), "Kein Netz!", Author("1", "k"), T0)
    return Item(n, m, "negative", 0.9, "du", "C0ALERTS", state=state, holder=by, seen_at=T0,
                answered_at=T0 + timedelta(minutes=answered_after) if answered_after else None,
                answered_by=by if answered_after else "", reason=reason)


def test_summary_figures_per_network_and_agent() -> None:
    items = [item(1, "twitter", 10), item(2, "twitter", 30, AGENT_B), item(3, "facebook", 35),
             item(4, "twitter", None, state=State.NOREPLY, reason="spam"),
             item(5, "facebook", None, state=State.CLAIMED)]
    s = compute("2026-11-24", items, {"ingested": 12, "sentiment:negative": 5},
                BusinessClock.always(), {"twitter": timedelta(minutes=20),
                                         "facebook": timedelta(minutes=40)}, open_backlog=1)
    assert s.networks["twitter"].items == 3 and s.networks["twitter"].answered == 2
    assert s.networks["twitter"].hit_rate == 0.5
    assert s.networks["facebook"].hit_rate == 1.0
    assert s.agents[AGENT_A].answered == 2 and s.agents[AGENT_B].in_target == 0
    assert s.noreply_reasons["spam"] == 1
    text = render(s, "de", {AGENT_A: "AB"})
    assert "12 Erwähnungen" in text and "Ziel erreicht 50 %" in text and "(AB)" in text
    assert "target met" in render(s, "en", {})


def test_summary_counts_business_minutes_only() -> None:
    clock = BusinessClock.from_config({"mon-fri": "08:00-20:00", "holidays": "none"})
    fri_evening = datetime(2026, 11, 27, 18, 50, tzinfo=UTC)  # 19:50 in Berlin
    m = Mention("twitter", "9", "x", Author("1", "k"), fri_evening)
    it = Item(9, m, "negative", 0.9, "du", "C", state=State.ANSWERED, seen_at=fri_evening,
              answered_at=datetime(2026, 11, 30, 7, 5, tzinfo=UTC), answered_by=AGENT_A)
    s = compute("2026-11-27", [it], {}, clock, {"twitter": timedelta(minutes=20)}, 0)
    assert s.networks["twitter"].median == 15  # 10 min Friday + 5 min Monday
    assert s.networks["twitter"].hit_rate == 1.0


def _run(args: list[str], desk: DeskHarness, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw["business_hours"] = "always"
    cfg = tmp_path / "desk.yaml"
    cfg.write_text(yaml.safe_dump(raw))
    env = {"PATH": os.environ.get("PATH", ""), "REDIS_URL": desk.settings.redis_url,
           "DESK_CONFIG": str(cfg), "HOME": os.environ.get("HOME", "")}  # HOME: matplotlib's cache
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


def test_audit_export_csv_and_jsonl_has_every_action(desk: DeskHarness, tmp_path: Path) -> None:
    desk.ingest(mention(text="Seit drei Tagen kein Internet, eine Frechheit!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    desk.run_command("/claim", "1", AGENT_B)
    out = _run(["audit", "--format", "jsonl"], desk, tmp_path)
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [(r["actor"], r["action"], r["outcome"]) for r in rows] == [
        ("intake", "post", "ok"), (AGENT_A, "claim", "ok"),
        (AGENT_B, "claim", "refused:refuse.held_by_other")]
    assert all(r["item"] == "1" for r in rows)
    out = _run(["audit", "--format", "csv", "--since", "2000-01-01"], desk, tmp_path)
    table = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(table) == 3 and table[1]["actor"] == AGENT_A
    future = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert _run(["audit", "--since", future], desk, tmp_path).stdout == ""
    bad = _run(["audit", "--since", "gestern"], desk, tmp_path)
    assert bad.returncode == 2 and "--since" in bad.stderr


def test_summary_print_from_redis(desk: DeskHarness, tmp_path: Path) -> None:
    desk.ingest(mention(text="Seit drei Tagen kein Internet, eine Frechheit!"))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    desk.run_command("/reply", "1 Das tut uns leid, wir prüfen das!", AGENT_A)
    day = datetime.now(desk.rt.desk.tz).date().isoformat()
    chart = tmp_path / "chart.svg"
    out = _run(["summary", "--print", "--date", day, "--chart", str(chart)], desk, tmp_path)
    assert out.returncode == 0, out.stderr
    assert "1 beantwortet" in out.stdout and "Ziel erreicht 100 %" in out.stdout
    assert "<svg" in chart.read_text()  # .svg: SVG; any other ending: PNG (issue 13)


def test_audit_details_are_json_objects_and_broken_desk_yaml_exits_2(desk: DeskHarness,
                                                                     tmp_path: Path) -> None:
    desk.ingest(mention(text="Seit drei Tagen kein Internet, eine Frechheit!"))
    desk.process()
    rows = [json.loads(x) for x in _run(["audit"], desk, tmp_path).stdout.splitlines()]
    assert rows[0]["details"]["network"] == "twitter"
    bad = tmp_path / "bad.yaml"
    bad.write_text("channels: {default: C0X}\ntargets: {twitter: zwanzig}\n")
    env = {"PATH": os.environ.get("PATH", ""), "REDIS_URL": desk.settings.redis_url,
           "DESK_CONFIG": str(bad)}
    out = subprocess.run([sys.executable, "-m", "bot", "audit"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 2 and "targets" in out.stderr and "Traceback" not in out.stderr


def test_items_that_breached_without_answer_count_against_the_hit_rate() -> None:
    missed = item(6, "twitter", None, state=State.NOREPLY, reason="troll")
    missed = missed.with_(timer_state="breached")
    s = compute("2026-11-24", [item(1, "twitter", 10), missed], {}, BusinessClock.always(),
                {"twitter": timedelta(minutes=20)}, 0)
    assert s.networks["twitter"].hit_rate == 0.5
    assert s.networks["twitter"].breached_unanswered == 1
    assert "überschritten ohne Antwort 1" in render(s, "de", {})
