"""`python -m bot dead-letters`: parked mentions listed without customer text, sent back once.

The CLI runs as a subprocess against the test's real redis-server (REDIS_URL); the mentions
are parked by the real worker after five failed deliveries (Slack answers channel_not_found).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bot.entry.worker import MAX_DELIVERIES, Worker
from bot.store import keys
from tests.harness import ROOT, DeskHarness, mention

TEXTS = ("Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!",
         "Seit drei Tagen kein Internet, Kundennummer 12345678, Frechheit!")


def dead_letters(desk: DeskHarness, *args: str) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "USER": "ops-anna",
           "REDIS_URL": desk.settings.redis_url}
    return subprocess.run([sys.executable, "-m", "bot", "dead-letters", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)


def park_two(desk: DeskHarness) -> list[str]:
    """Two mentions that fail five times each; returns their dead-letter ids, 201's first
    (lanes may park them in either order)."""
    desk.slack.fail_next("chat.postMessage", 200, times=100,
                         body={"ok": False, "error": "channel_not_found"})
    desk.ingest(mention(mid="1850000000000000201", text=TEXTS[0]),
                mention(mid="1850000000000000202", text=TEXTS[1]))
    worker = Worker(desk.rt, name="w", reclaim_idle_ms=0)
    for _ in range(MAX_DELIVERIES + 1):
        worker.step(block_ms=50)
    desk.slack.clear_failures()  # the bot was invited to the channel
    parked = desk.rt.redis.xrange(keys.DEAD_LETTERS)
    return [entry_id for entry_id, fields in sorted(
        parked, key=lambda row: json.loads(row[1]["mention"])["id"])]


def test_the_list_shows_ids_times_and_reasons_but_no_customer_text(desk: DeskHarness) -> None:
    ids = park_two(desk)
    assert len(ids) == 2
    out = dead_letters(desk)
    assert out.returncode == 0, out.stderr
    rows = out.stdout.splitlines()
    assert rows[0].split()[:2] == ["ID", "PARKED"] and len(rows) == 3
    by_id = {row.split()[0]: row for row in rows[1:]}
    for dead_id, mid in zip(ids, ("201", "202"), strict=True):
        row = by_id[dead_id]
        assert f"twitter:1850000000000000{mid}" in row and "channel_not_found" in row
    for word in ("Hotline", "Warteschleife", "Internet", "12345678", "kunde_501"):
        assert word not in out.stdout  # nothing the customers wrote, nor who they are
    assert "alert_team_dead_letters 2" in desk.http.get("/metrics").text


def test_retry_requeues_one_atomically_past_the_dedupe_and_audits_it(desk: DeskHarness) -> None:
    first, second = park_two(desk)
    before = desk.rt.redis.xlen(keys.MENTION_STREAM)
    out = dead_letters(desk, "--retry", first)
    assert out.returncode == 0, out.stderr
    assert f"requeued: {first} -> " in out.stdout
    assert [i for i, _ in desk.rt.redis.xrange(keys.DEAD_LETTERS)] == [second]
    assert desk.rt.redis.xlen(keys.MENTION_STREAM) == before + 1  # in one of the two, always
    assert desk.process() == 1
    cards = desk.cards()
    assert len(cards) == 1 and "Warteschleife" in json.dumps(cards[0], ensure_ascii=False)
    audit = [e for e in desk.rt.audit.entries() if e["action"] == "dead_letter"]
    assert [(e["actor"], e["outcome"]) for e in audit] == [("cli:ops-anna", "requeued")]
    assert json.loads(audit[0]["details"])["mention"] == "twitter:1850000000000000201"
    assert "alert_team_dead_letters 1" in desk.http.get("/metrics").text

    again = dead_letters(desk, "--retry", first)  # already back in the queue
    assert again.returncode == 1 and "unknown id" in again.stderr


def test_retry_of_an_unknown_or_malformed_id_exits_1(desk: DeskHarness) -> None:
    park_two(desk)
    for bad in ("1-0", "not-an-id", "99999999999999-0"):
        out = dead_letters(desk, "--retry", bad)
        assert out.returncode == 1, bad
        assert "unknown id" in out.stderr
    assert desk.rt.redis.xlen(keys.DEAD_LETTERS) == 2


def test_all_requeues_every_parked_mention_and_each_gets_its_card(desk: DeskHarness) -> None:
    park_two(desk)
    out = dead_letters(desk, "--all")
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("requeued: ") == 2 and "2 erneut eingereiht / requeued" in out.stdout
    assert desk.rt.redis.xlen(keys.DEAD_LETTERS) == 0
    desk.process()
    assert len(desk.cards()) + len(desk.cards("C0FESTNETZ")) == 2
    assert dead_letters(desk).stdout.startswith("Keine geparkten Mentions / no dead letters")
    assert dead_letters(desk, "--all").stdout.strip() == "0 erneut eingereiht / requeued"
