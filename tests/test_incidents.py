"""Incidents over HTTP: a storm becomes one card; one answer reaches every member, once each.

Real web app with signed Slack requests, real redis-server, the Slack and X emulators.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.store import keys
from tests.harness import AGENT_A, AGENT_B, DeskHarness, creations_lost, desk_config, mention

STOERUNG = {"du": "Hallo {name}, sorry! In Köln ist gerade eine Störung, wir arbeiten dran.",
            "sie": "Hallo {name}, entschuldigen Sie bitte! In Köln ist gerade eine Störung, "
                   "wir arbeiten daran."}
DU = ["@telekom_hilft seit heute Morgen kein Internet in Köln, was ist bei euch los?? {n}",
      "kein Internet in Köln seit heute früh, habt ihr eine Störung? {n}",
      "@telekom_hilft Internet in Köln komplett weg, könnt ihr mal sagen was los ist {n}",
      "Köln: kein Internet seit heute Morgen. Ist bei euch eine Störung? {n}"]
SIE = ["Sehr geehrte Telekom, seit heute Morgen habe ich in Köln kein Internet. Können Sie "
       "mir sagen, was los ist? {n}",
       "Guten Tag, in Köln ist seit heute früh das Internet weg. Haben Sie eine Störung? {n}",
       "Können Sie mir bitte sagen, wann das Internet in Köln wieder geht? Seit heute Morgen "
       "nichts, unmöglich! {n}"]
UNRELATED = ["Der Techniker ist schon wieder nicht gekommen, Termin drei Mal verschoben!",
             "Meine Rechnung ist doppelt abgebucht worden, das ist eine Frechheit.",
             "Router seit zwei Wochen bestellt und immer noch nicht geliefert, unglaublich."]


def storm(count: int, start: int = 1) -> Iterator[dict[str, Any]]:
    """`count` complaints about one outage, half du, half Sie, varied wording."""
    du, sie = itertools.cycle(DU), itertools.cycle(SIE)
    for i in range(start, start + count):
        text = (next(du) if i % 2 else next(sie)).format(n=f"#{i}" if i % 3 else "")
        yield mention(mid=f"18500000000000{i:05d}", text=text.strip(), author=str(700 + i))


PACED = "paced"  # a test marked so posts at Slack's pace (its burst would meet 429s otherwise)


@pytest.fixture
def desk(request: pytest.FixtureRequest, redis_url, slack_api, x_api, graph_api,
         signing_secret) -> Iterator[DeskHarness]:
    config = desk_config(templates={"stoerung": STOERUNG}, storm={"min_mentions": 5,
                                                                   "window": "10m"})
    # the emulator takes a few posts as fast as they come (pacing is test_post_ceiling's)
    paced = request.node.get_closest_marker(PACED) is not None
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret, config=config,
                    slack_channel_interval_ms=1000 if paced else 0)
    yield h
    h.close()


def top_level(desk: DeskHarness, channel: str = "C0FESTNETZ") -> list[dict[str, Any]]:
    return [m for m in desk.slack.messages(channel) if not m.get("thread_ts")]


def incident_cards(desk: DeskHarness, channel: str = "C0FESTNETZ") -> list[dict[str, Any]]:
    return [m for m in top_level(desk, channel)
            if (m.get("metadata") or {}).get("event_payload", {}).get("incident")]


def answer_all(desk: DeskHarness, rounds: int = 50) -> None:
    """Run the worker's `answers` job until nothing is queued (or `rounds` are up)."""
    for _ in range(rounds):
        sent = desk.rt.desk.incidents.send_answers("test-worker", batch=50)
        pending = desk.rt.redis.xpending(keys.ANSWER_STREAM, keys.ANSWER_GROUP)["pending"]
        if not sent and not pending:
            return
        if not sent:
            time.sleep(0.05)  # a network asked us to wait


def test_a_storm_becomes_one_incident_and_unrelated_complaints_keep_their_cards(desk) -> None:
    desk.ingest(*storm(12), *(mention(mid=f"18600000000000000{i}", text=t, author=str(900 + i))
                              for i, t in enumerate(UNRELATED)))
    desk.process()
    (card,) = incident_cards(desk)
    number = card["metadata"]["event_payload"]["item"]
    incident = desk.rt.items.get(number)
    members = desk.rt.desk.incidents.store.members(number)
    assert incident.is_incident and len(members) == 12
    # the storm's first four had cards before the fifth opened the incident: they stay
    assert len(top_level(desk)) <= 1 + 4 + len(UNRELATED)
    for i, _ in enumerate(UNRELATED):
        n = desk.rt.items.number_for_mention("twitter", f"18600000000000000{i}")
        assert desk.rt.items.get(n).incident is None and desk.rt.items.get(n).card_ts
    assert all(desk.rt.items.get(m).incident == number for m in members)
    desk.rt.desk.watch.flush_cards(datetime.now(UTC) + timedelta(minutes=1))
    assert "12 Meldungen" in str(desk.slack.message("C0FESTNETZ", card["ts"])["blocks"])


def test_a_storm_mention_whose_item_a_failover_lost_joins_when_taken_in_again(desk) -> None:
    """As `test_resilience`'s lost item, for a mention an open incident takes in: not
    acknowledged as joined while its item is gone; taken in again, it joins."""
    from bot.entry.worker import Worker

    desk.ingest(*storm(6))
    desk.process()
    (card,) = incident_cards(desk)
    number = card["metadata"]["event_payload"]["item"]
    before = len(desk.rt.desk.incidents.store.members(number))
    desk.ingest(*storm(1, start=7))
    with creations_lost(desk):
        assert Worker(desk.rt, name="w", lanes=0).step(block_ms=100) == 0
    assert len(desk.rt.desk.incidents.store.members(number)) == before
    assert desk.rt.queue.backlog() == 1
    assert Worker(desk.rt, name="w", lanes=0).step(block_ms=100) == 1
    members = desk.rt.desk.incidents.store.members(number)
    assert len(members) == before + 1
    assert all(desk.rt.items.get(m).incident == number for m in members)
    assert len(incident_cards(desk)) == 1


def test_one_template_answers_every_member_in_its_own_form_once(desk) -> None:
    desk.ingest(*storm(10))
    desk.process()
    number = incident_cards(desk)[0]["metadata"]["event_payload"]["item"]
    assert f"#{number}" in desk.run_command("/claim", str(number), AGENT_A)
    answer = desk.run_command("/reply", f"{number} :stoerung", AGENT_A)
    assert "10 Meldungen" in answer
    answer_all(desk)
    for m in storm(10):
        item = desk.rt.items.get(desk.rt.items.number_for_mention("twitter", m["id"]))
        (reply,) = desk.x.replies_to(m["id"])
        variant = STOERUNG["du" if item.address == "du" else "sie"]  # none: the default, sie
        assert reply["text"] == variant.format(name=m["author"]["name"]) + " ^AB"
        assert item.state == "answered" and item.answered_by == AGENT_A
    assert desk.rt.items.get(number).state == "answered"
    answer_all(desk)  # nothing is sent twice
    assert len(desk.x.posted) == 10


def test_free_text_on_a_mixed_incident_is_refused_with_a_hint(desk) -> None:
    desk.ingest(*storm(8))
    desk.process()
    number = incident_cards(desk)[0]["metadata"]["event_payload"]["item"]
    desk.run_command("/claim", str(number), AGENT_A)
    answer = desk.run_command("/reply", f"{number} Wir arbeiten dran!", AGENT_A)
    assert "Vorlage" in answer and ":stoerung" in answer
    assert desk.x.posted == []
    unknown = desk.run_command("/reply", f"{number} :gibtsnicht", AGENT_A)
    assert "stoerung" in unknown and desk.x.posted == []


def test_a_member_can_be_taken_out_and_a_card_put_in(desk) -> None:
    desk.ingest(*storm(8))
    desk.process()
    number = incident_cards(desk)[0]["metadata"]["event_payload"]["item"]
    member = desk.rt.desk.incidents.store.members(number)[-1]
    resp, rid = desk.click("incident_leave", member, AGENT_B, channel="C0FESTNETZ")
    assert resp.status_code == 200 and "eigene Karte" in desk.answer(rid)
    item = desk.rt.items.get(member)
    assert item.incident is None and item.card_ts
    resp, rid = desk.click("incident_join", member, AGENT_B, channel="C0FESTNETZ",
                           value=f"{member}:{number}")  # the button carries both numbers
    assert f"gehört jetzt zu Störung #{number}" in desk.answer(rid)
    assert desk.rt.items.get(member).incident == number


def test_every_report_of_an_incident_is_reachable_from_its_card(desk) -> None:
    desk.ingest(*storm(20))
    desk.process()
    card = incident_cards(desk)[0]
    number = card["metadata"]["event_payload"]["item"]
    assert "Alle Meldungen" in str(card["blocks"]) and "weitere" in str(card["blocks"])
    resp, rid = desk.click("incident_members", number, AGENT_B, channel="C0FESTNETZ")
    assert resp.status_code == 200
    view = wait_for_view(desk)
    text = " ".join(b["text"]["text"] for b in view["blocks"] if b["type"] == "section")
    for member in desk.rt.desk.incidents.store.members(number):
        assert f"*#{member}*" in text
    _, rid = desk.click("incident_members", number, "U0NOBODY", channel="C0FESTNETZ")
    assert "nicht als Agent" in desk.answer(rid)


def wait_for_view(desk: DeskHarness) -> dict[str, Any]:
    from tests.harness import wait_for

    call = wait_for(lambda: desk.slack.calls_to("views.open"), 5, "views.open")[-1]
    return dict(call.body["view"])


def test_resolving_an_incident_resolves_its_members(desk) -> None:
    desk.ingest(*storm(6))
    desk.process()
    number = incident_cards(desk)[0]["metadata"]["event_payload"]["item"]
    desk.run_command("/claim", str(number), AGENT_A)
    answer = desk.run_command("/noreply", f"{number} solved", AGENT_A)
    assert "6 Meldungen" in answer
    members = desk.rt.desk.incidents.store.members(number)
    assert {desk.rt.items.get(m).state for m in members} == {"noreply"}
    assert desk.rt.items.get(number).state == "noreply"


# ----- the same with processes, one SIGKILLed half way -----------------------------------------
def test_answers_survive_a_worker_killed_half_way_none_twice_none_skipped(
        tmp_path, redis_url, slack_api, x_api) -> None:
    import json
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx
    import redis as redis_lib
    import yaml

    from tests.harness import ROOT, wait_for
    from tests.support.processes import stop_processes
    from tests.support.slack_signing import signed_headers, slash_body

    raw = yaml.safe_load((ROOT / "config" / "desk.yaml").read_text())
    raw.update(business_hours="always", closed=[], templates={"stoerung": STOERUNG},
               storm={"min_mentions": 5, "window": "10m"})
    (tmp_path / "desk.yaml").write_text(yaml.safe_dump(raw, allow_unicode=True))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DESK_CONFIG": str(tmp_path / "desk.yaml"),
           "REDIS_URL": redis_url, "SLACK_API_URL": slack_api.base_url,
           "SLACK_BOT_TOKEN": "xoxb-proc", "SLACK_SIGNING_SECRET": "sec", "INGEST_TOKEN": "tok",
           "X_API_URL": x_api.base_url, "X_CONSUMER_KEY": "ck", "X_CONSUMER_SECRET": "cs",
           "X_ACCESS_TOKEN": "at", "X_ACCESS_TOKEN_SECRET": "ats", "X_USER_ID": x_api.me["id"],
           "PORT": str(port), "WORKER_RECLAIM_MS": "1500"}
    mentions = list(storm(30))
    for m in mentions:
        x_api.add_mention(m["id"], m["text"], m["author"]["id"], m["author"]["handle"],
                          m["author"]["name"])

    def start(cmd: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen([sys.executable, "-m", "bot", cmd], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    procs = [start("web"), start("worker"), start("worker")]
    base = f"http://127.0.0.1:{port}"
    r = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    try:
        def up() -> bool:
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                return True
            except httpx.HTTPError:
                return False

        wait_for(up, 30, "web up")
        body = "\n".join(json.dumps(m, ensure_ascii=False) for m in mentions).encode()
        assert httpx.post(f"{base}/ingest", content=body, timeout=10,
                          headers={"Authorization": "Bearer tok"}).status_code == 200

        def incident() -> int | None:
            found = r.zrevrange(keys.incidents_open("C0FESTNETZ"), 0, 0)
            return int(found[0]) if found and r.zcard(keys.incident_members(int(found[0]))) == 30 \
                else None

        try:
            number = wait_for(incident, 60, "one incident with all 30")
        except AssertionError:
            items = {n: r.hgetall(keys.item(n)) for n in range(1, 40)}
            raise AssertionError(str({
                "incidents": r.zrange(keys.incidents_open("C0FESTNETZ"), 0, -1),
                "items": {n: (h.get("kind"), h.get("incident"), bool(h.get("card_ts")))
                          for n, h in items.items() if h},
                "audit": [e[1].get("action") + ":" + e[1].get("item", "") for e in
                          r.xrange(keys.AUDIT_STREAM)][-80:]})) from None

        def command(text: str, cmd: str, rid: str) -> str:
            b = slash_body(cmd, text, AGENT_A, "C0FESTNETZ", response_url=slack_api.response_url(rid))
            assert httpx.post(f"{base}/slack/events", content=b, timeout=5,
                              headers=signed_headers(b, "sec")).status_code == 200
            return str(wait_for(lambda: slack_api.responses(rid), 10, rid)[-1]["text"])

        assert f"#{number}" in command(str(number), "/claim", "c1")
        x_api.latency["POST /2/tweets"] = 0.1
        assert "30 Meldungen" in command(f"{number} :stoerung", "/reply", "c2")
        wait_for(lambda: len(x_api.posted) >= 10, 30, "ten answers out")
        procs[1].send_signal(signal.SIGKILL)  # one worker dies half way
        procs[1].wait(5)

        def settled() -> bool:
            states = [r.hget(keys.item(int(m)), "state") for m in
                      r.zrange(keys.incident_members(number), 0, -1)]
            failed = [m for m in r.zrange(keys.incident_members(number), 0, -1)
                      if r.hget(keys.item(int(m)), "answer_failed")]
            return states.count("answered") + len(failed) == 30

        wait_for(settled, 60, "every member answered or listed")
        time.sleep(1)
    finally:
        stop_processes(procs)
    replies = {m["id"]: len(x_api.replies_to(m["id"])) for m in mentions}
    assert set(replies.values()) <= {0, 1}, replies  # none twice
    uncertain = [m for m in r.zrange(keys.incident_members(number), 0, -1)
                 if r.hget(keys.item(int(m)), "answer_failed")]
    assert len(uncertain) <= 1  # at most the one in flight when the worker died: listed
    # none skipped: every member but that one has its answer. The one in flight was marked as
    # being sent before its post; the SIGKILL usually lands during the post (it reached X) but
    # may land just before it: then it has none, and is listed as uncertain, never sent blindly
    unanswered = [mid for mid, n in replies.items() if n == 0]
    assert len(unanswered) <= 1, replies
    for mid in unanswered:
        member = r.get(keys.item_for_mention("twitter", mid))
        assert member is not None and [member] == uncertain, (mid, uncertain)
        assert r.hget(keys.item(int(member)), "answer_failed") == "uncertain"


# ----- an outage storm against a Slack as strict as Slack: 1 post/s per channel ----------------
OTHER_FESTNETZ = ["Mein Router ist nach dem Update kaputt, unglaublich.",
                  "Glasfaser-Anschluss seit Monaten versprochen und nichts passiert, eine Zumutung.",
                  "Festnetz-Rechnung doppelt abgebucht, das ist Betrug!",
                  "DSL-Vertrag gekündigt und trotzdem weiter abgebucht. Ärgerlich!",
                  "Der Techniker für meinen Festnetzanschluss ist zum dritten Mal nicht gekommen, "
                  "Frechheit."]


@pytest.mark.paced
def test_150_complaints_about_one_outage_make_one_card_and_one_answer_each(desk) -> None:
    desk.slack.enforce_channel_rate(1.0)  # a second post within 1 s of the last: 429
    complaints = list(storm(150))
    others = [mention(mid=f"18700000000000000{i}", text=t, author=str(950 + i))
              for i, t in enumerate(OTHER_FESTNETZ)]
    started = time.monotonic()
    for k in range(0, 150, 15):  # 150 + 5 within 15 s, the unrelated ones in between
        batch = complaints[k:k + 15] + ([others[k // 30]] if k % 30 == 0 else [])
        assert desk.ingest(*batch).status_code == 200
        desk.process()
    assert time.monotonic() - started < 60
    posts = top_level(desk)
    assert len(posts) <= 20, len(posts)
    (card,) = incident_cards(desk)
    number = card["metadata"]["event_payload"]["item"]
    assert desk.rt.desk.incidents.store.member_count(number) == 150
    for m in others:  # the unrelated ones keep cards of their own
        item = desk.rt.items.get(desk.rt.items.number_for_mention("twitter", m["id"]))
        assert item.incident is None and item.card_ts

    desk.run_command("/claim", str(number), AGENT_A, channel="C0FESTNETZ")
    # X allows 100 posts per 15 minutes here: the other 50 wait for the next window
    desk.x.set_rate_limit("POST /2/tweets", 100)
    desk.rt.desk.incidents.retry_after_s = 0.2
    assert "150 Meldungen" in desk.run_command("/reply", f"{number} :stoerung", AGENT_A,
                                               channel="C0FESTNETZ")
    answer_all(desk, rounds=20)
    assert len(desk.x.posted) == 100  # the rest queued, none dropped, none failed
    assert desk.rt.desk.publisher.incidents.view(desk.rt.items.get(number)).failed == []
    desk.x.set_now(time.time() + 16 * 60)  # X's next window
    answer_all(desk, rounds=100)
    forms = set()
    for m in complaints:
        item = desk.rt.items.get(desk.rt.items.number_for_mention("twitter", m["id"]))
        (reply,) = desk.x.replies_to(m["id"])  # once each, in reply to its own post
        form = "du" if item.address == "du" else "sie"
        forms.add(form)
        assert reply["text"] == STOERUNG[form].format(name=m["author"]["name"]) + " ^AB"
    assert forms == {"du", "sie"} and len(desk.x.posted) == 150


def test_the_storm_check_compares_with_the_newest_candidates(redis_url: str) -> None:
    """More candidates in the window than the check reads (300): the newest are read, where a
    storm forming now is, oldest first; gone ones are dropped from the candidates."""
    import redis

    from bot.store.incidents import IncidentStore
    from bot.store.items import ItemStore

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    store = IncidentStore(r)
    for n in range(1, 351):
        store.note_single("C0ALERTS", n, 1000.0 + n)
    newest = store.recent_singles("C0ALERTS", since=1000.0, limit=300)
    assert newest == list(range(51, 351))
    assert store.recent_singles("C0ALERTS", since=1340.0) == list(range(340, 351))
    candidates, finished = ItemStore(r).unplaced_texts([340, 341])
    assert (candidates, finished) == ([], [340, 341])  # no such items: never candidates again
    store.drop_singles("C0ALERTS", finished)
    assert store.recent_singles("C0ALERTS", since=1340.0) == list(range(342, 351))


def test_a_storm_beyond_the_in_flight_margin_takes_in_the_mentions_the_pre_check_let_by(
        redis_url, slack_api, x_api, graph_api, signing_secret) -> None:
    """Storms larger than the margin of intakes in flight: the first mentions pass the storm
    pre-check without a lock or a read (its count rode the item's creation, the note the card's
    round trip, as in the worker); they are candidates all the same, and the last one opens
    the incident with all of them."""
    from bot.desk.incidents import IN_FLIGHT
    from bot.models import parse_mention
    from bot.store.riding import ride_along

    n = IN_FLIGHT + 6
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(storm={"min_mentions": n, "window": "10m"}),
                    slack_channel_interval_ms=0)
    try:
        for m in storm(n):
            with ride_along(h.rt.redis):  # as the worker runs an intake
                h.rt.desk.intake(parse_mention(m))
        opened = h.rt.redis.zrange(keys.incidents_open("C0FESTNETZ"), 0, -1)
        assert len(opened) == 1, f"{len(top_level(h))} cards, no incident"
        assert h.rt.redis.zcard(keys.incident_members(int(opened[0]))) == n
        assert len(incident_cards(h)) == 1
    finally:
        h.close()
