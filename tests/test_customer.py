"""The whole customer (issue 16), through the production doors: earlier contacts on the card and
in App Home, internal notes, waiting for the customer, `/find`, handover with a note.

Real redis-server, the Bolt app over HTTP with signed requests, the Slack and X emulators.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.errors import ConfigError
from bot.privacy import Customer
from bot.store import AuditLog, keys
from tests.harness import (
    AGENT_A,
    AGENT_B,
    LEAD,
    STRANGER,
    DeskHarness,
    desk_config,
    mention,
    wait_for,
)
from tests.support.processes import stop_processes
from tests.support.slack_signing import interactivity_body
from tests.support.workers import consumers, start_workers, worker_logs
from tests.test_timers_flow import ANGRY, FAST, ticking, timer_lines


def card(desk: DeskHarness, number: int) -> dict[str, Any]:
    item = desk.rt.items.get(number)
    return desk.slack.message(item.channel, item.card_ts)


def card_json(desk: DeskHarness, number: int) -> str:
    return json.dumps(card(desk, number)["blocks"], ensure_ascii=False)


def thread_texts(desk: DeskHarness, number: int) -> list[str]:
    item = desk.rt.items.get(number)
    return [m["text"] for m in desk.slack.thread(item.channel, item.card_ts)]


def audit(desk: DeskHarness, action: str) -> list[dict[str, str]]:
    return [e for e in AuditLog(desk.rt.redis).entries() if e["action"] == action]


def archive_link(desk: DeskHarness, number: int) -> str:
    item = desk.rt.items.get(number)
    return f"https://slack.com/archives/{item.channel}/p{item.card_ts.replace('.', '')}"


# ----- history --------------------------------------------------------------------------------
def test_third_contact_in_a_week_shows_3_with_a_link_to_the_previous_card(
        redis_url, slack_api, x_api, graph_api, signing_secret) -> None:
    start = datetime.now(UTC) - timedelta(days=110)
    clock = [start]
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    now=lambda: clock[0])
    try:
        def contact(mid: str, at: datetime, author: str = "501", network: str = "twitter",
                    text: str = ANGRY) -> int:
            clock[0] = at
            m = mention(mid=mid, text=text, author=author, network=network)
            m["created_at"] = at.isoformat()
            h.ingest(m)
            h.process()
            n = h.rt.items.number_for_mention(network, mid)
            assert n is not None
            return n

        week = start + timedelta(days=100)
        old = contact("1850000000000000301", start)  # outside `history.days` (90)
        first = contact("1850000000000000302", week)
        contact("1850000000000000303", week + timedelta(days=1), author="777")  # someone else
        contact("1850000000000000304", week + timedelta(days=2), network="facebook")  # same id
        second = contact("1850000000000000305", week + timedelta(days=4))
        h.run_command("/claim", str(second), AGENT_A)
        h.run_command("/noreply", f"{second} spam", AGENT_A)
        third = contact("1850000000000000306", week + timedelta(days=7))

        blocks = card_json(h, third)
        assert "3. Kontakt in 7 Tagen" in blocks
        date = (week + timedelta(days=4)).astimezone(h.rt.desk.tz).strftime("%d.%m.")
        assert f"zuletzt #{second} (keine Antwort: Spam, {date})" in blocks
        assert f"<{archive_link(h, second)}|Karte #{second}>" in blocks
        assert f"#{old}" not in blocks and f"#{first}" not in blocks  # only the last is linked
        assert "Kontakt" not in card_json(h, first)  # a first contact in the window shows none
        assert "2. Kontakt in 4 Tagen" in card_json(h, second)

        # App Home's item view lists the whole history, with its cards
        _, rid = h.click("history", third, AGENT_A)
        assert "App-Startseite" in h.answer(rid)
        home = json.dumps(h.slack.home_view(AGENT_A)["blocks"], ensure_ascii=False)
        assert f"Verlauf zu #{third}" in home and "Frühere Kontakte (2 in 7 Tagen)" in home
        assert archive_link(h, second) in home and archive_link(h, first) in home
        assert archive_link(h, old) not in home
        assert home.index(archive_link(h, second)) < home.index(archive_link(h, first))
        assert [e["actor"] for e in audit(h, "history")] == [AGENT_A]
    finally:
        h.close()


# ----- notes ------------------------------------------------------------------------------------
def test_note_goes_into_the_thread_marked_internal_never_to_x_and_into_the_history(
        desk: DeskHarness) -> None:
    desk.ingest(mention(mid="1850000000000000401", text=ANGRY))
    desk.process()
    x_before = len(desk.x.calls)
    answer = desk.run_command("/note", "1 Kunde ruft morgen an, Vertrag <@U0LEAD1> prüfen", AGENT_A)
    assert "Interne Notiz zu #1 gespeichert" in answer
    line = wait_for(lambda: [t for t in thread_texts(desk, 1) if "Interne Notiz" in t], 3,
                    "note line")[0]
    assert line.startswith("🔒 *Interne Notiz* von <@U0AGENT1>: Kunde ruft morgen an")

    # the button opens a modal; its submit is a note too
    desk.click("note", 1, AGENT_B)
    call = wait_for(lambda: desk.slack.calls_to("views.open"), what="views.open")[-1]
    view = call.body["view"] if isinstance(call.body["view"], dict) else json.loads(
        call.body["view"])
    assert view["callback_id"] == "note_modal"
    values = {"note": {"note_input": {"type": "plain_text_input", "value": "Rückruf erledigt"}}}
    resp = desk.signed_post(interactivity_body({
        "type": "view_submission", "user": {"id": AGENT_B}, "team": {"id": "T0TEAM"},
        "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
        "view": {**view, "id": "V1", "state": {"values": values}}}))
    assert resp.status_code == 200 and resp.text == ""
    wait_for(lambda: any("Rückruf erledigt" in t for t in thread_texts(desk, 1)), 3, "2nd note")

    assert "Bitte einen Text" in desk.run_command("/note", "1", AGENT_A)
    assert "nicht als Agent" in desk.run_command("/note", "1 hallo", STRANGER)
    assert len(desk.x.calls) == x_before  # no call at all reached X
    notes = audit(desk, "note")
    assert [(e["actor"], e["outcome"]) for e in notes] == [
        (AGENT_A, "ok"), (AGENT_B, "ok"), (AGENT_A, "refused:refuse.note_empty"),
        (STRANGER, "refused:refuse.not_agent")]
    assert "Kunde ruft" not in json.dumps(notes)  # audited without its words

    # the customer's next contact shows the notes in its history
    desk.ingest(mention(mid="1850000000000000402", text=ANGRY))
    desk.process()
    desk.click("history", 2, AGENT_A)
    home = wait_for(lambda: desk.slack.home_view(AGENT_A), 3, "home")
    text = json.dumps(home["blocks"], ensure_ascii=False)
    assert "Kunde ruft morgen an" in text and "Rückruf erledigt" in text
    assert len(desk.x.calls) == x_before


# ----- waiting for the customer -----------------------------------------------------------------
def test_wait_pauses_the_clock_and_the_customers_answer_restarts_it(
        redis_url, slack_api, x_api, graph_api, signing_secret) -> None:
    fast = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                       config=desk_config(**FAST))  # a 3 s target, warning at half of it
    try:
        _wait_and_come_back(fast)
    finally:
        fast.close()


def _wait_and_come_back(fast: DeskHarness) -> None:
    root = "1850000000000000501"
    fast.ingest(mention(mid=root, text=ANGRY))
    fast.process()
    fast.run_command("/claim", "1", AGENT_A)
    assert "nicht als Agent" in fast.run_command("/wait", "1", STRANGER)
    answer = fast.run_command("/wait", "1 DM mit Vertragsnummer angefragt", AGENT_A)
    assert "wartet auf den Kunden" in answer
    item = fast.rt.items.get(1)
    assert item.state == "waiting" and item.holder == AGENT_A
    assert [m.split(":")[1] for m in fast.rt.desk.watch.store.pending(1)] == ["wait"]
    assert "⏸️" in card_json(fast, 1) and "Wartet auf Antwort des Kunden" in card_json(fast, 1)
    assert any("wartet bei #1 auf den Kunden" in t and "Vertragsnummer" in t
               for t in thread_texts(fast, 1))
    assert "wartet schon" in fast.run_command("/wait", "1", AGENT_A)
    # still the holder's: App Home lists it as waiting, /queue below the open ones
    home = json.dumps(wait_for(lambda: fast.slack.home_view(AGENT_A), 3, "home")["blocks"],
                      ensure_ascii=False)
    assert "warten auf Kund*innen" in home and "*#1*" in home and "wartet bis" in home
    queue = fast.run_command("/queue", "", AGENT_A, channel=item.channel)
    assert "Warten auf Kund*innen" in queue and "#1 ·" in queue and "bis " in queue

    scheduler = ticking(fast)
    try:
        time.sleep(4.5)  # past the 3 s target: waiting, so no warning and no breach
        assert timer_lines(fast, 1) == []
        assert fast.rt.items.get(1).timer_state == ""

        # the customer answers in the conversation: open again, clock running, holder told
        fast.ingest(mention(mid="1850000000000000502", text="Hier ist die Nummer, bitte helft!",
                            in_reply_to=root))
        fast.process()
        item = fast.rt.items.get(1)
        assert item.state == "claimed" and item.holder == AGENT_A
        assert "🔔 <@U0AGENT1> Der Kunde hat geantwortet: #1 ist wieder offen" in "\n".join(
            thread_texts(fast, 1))
        assert "Warten auf" not in fast.run_command("/queue", "", AGENT_A, channel=item.channel)
        assert fast.rt.items.waiting() == []
        lines = wait_for(lambda: timer_lines(fast, 1)[1:], 6, "warning and breach again")
        assert timer_lines(fast, 1)[0].startswith("⏳") and lines[0].startswith("🔴")
    finally:
        scheduler.shutdown(wait=False)
    follow = [e for e in audit(fast, "follow_up") if e["item"] == "1"]
    assert json.loads(follow[-1]["details"]).get("resumed") is True
    assert [e["outcome"] for e in audit(fast, "wait")] == [
        "refused:refuse.not_agent", "ok", "refused:refuse.already_waiting"]


def test_wait_max_closes_each_waiting_item_once_across_three_worker_processes(
        redis_url, slack_api, x_api, graph_api, signing_secret, tmp_path: Path) -> None:
    short = {"wait_max": "3s", "targets": {"twitter": "1h", "facebook": "1h"},
             "storm": {"min_mentions": 50, "window": "10m"}}  # five alike: no incident
    desk = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                       config=desk_config(**short))  # the web app: the workers' desk.yaml
    procs = start_workers(redis_url, slack_api.base_url, tmp_path, 3, **short)
    try:
        # a start takes seconds (imports, model load), far longer on a loaded machine
        wait_for(lambda: consumers(desk.rt.redis, keys.MENTION_STREAM, keys.MENTION_GROUP) >= 3,
                 90, "three workers consuming")
        desk.ingest(*[mention(mid=str(950 + i), text=ANGRY, author=str(650 + i))
                      for i in range(5)])
        wait_for(lambda: len(desk.cards()) == 5, 30, "five cards")
        for n in range(1, 6):
            desk.run_command("/claim", str(n), AGENT_A)
            assert "wartet auf den Kunden" in desk.run_command("/wait", str(n), AGENT_A)
        wait_for(lambda: all(desk.rt.items.get(n).state == "resolved" for n in range(1, 6)), 30,
                 "five closed")
        time.sleep(1.5)  # every worker ticks a few more times
    finally:
        stop_processes(procs)
        desk.close()
    logs = worker_logs(tmp_path, 3)
    closed = audit(desk, "wait_expired")
    assert sorted(int(e["item"]) for e in closed) == [1, 2, 3, 4, 5], logs[-2000:]
    for n in range(1, 6):
        item = desk.rt.items.get(n)
        assert item.reason == "no_answer_from_customer"
        assert len([t for t in thread_texts(desk, n) if t.startswith("⌛")]) == 1
        wait_for(lambda n=n: "keine Antwort vom Kunden" in card_json(desk, n), 3, "card updated")
    assert desk.rt.redis.zcard(keys.TIMERS) == 0


# ----- search ---------------------------------------------------------------------------------
def test_find_lists_matching_items_open_first_newest_first_privately(desk: DeskHarness) -> None:
    texts = {
        "601": ("Mein Router blinkt rot, eine Katastrophe, nichts geht!", "7001"),
        "602": ("Der Router ist schon wieder kaputt, Frechheit!", "7002"),
        "603": ("Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!", "7003"),
        "604": ("Router-Störung seit gestern, das ist unfassbar schlecht!", "7001"),
    }
    for mid, (text, author) in texts.items():
        desk.ingest(mention(mid=mid, text=text, author=author))
        desk.process()
    n = {mid: desk.rt.items.number_for_mention("twitter", mid) for mid in texts}
    desk.run_command("/claim", str(n["604"]), AGENT_A)
    desk.run_command("/noreply", f"{n['604']} duplicate", AGENT_A)  # closed, newest

    resp, rid = desk.command("/find", "router", AGENT_A)
    assert resp.status_code == 200
    answer = desk.answer(rid)
    body = desk.slack.responses(rid)[-1]
    assert body["response_type"] == "ephemeral"
    lines = answer.splitlines()
    assert lines[0].startswith("Treffer für „router“")
    found = [int(ln.split("|Karte #")[1].split(">")[0]) for ln in lines[1:]]
    assert found == [n["602"], n["601"], n["604"]]  # open newest first, then the closed one
    assert archive_link(desk, n["602"]) in lines[1]

    assert "Treffer" in (a := desk.run_command("/find", "Störung", AGENT_A)) and \
        f"Karte #{n['604']}>" in a  # umlauts folded: Störung finds "Router-Störung"
    by_handle = desk.run_command("/find", "@Kunde_7001", AGENT_A)
    assert [int(x.split(">")[0]) for x in by_handle.split("|Karte #")[1:]] == [n["601"], n["604"]]
    both = desk.run_command("/find", "@kunde_7001 blinkt", AGENT_A)
    assert [int(x.split(">")[0]) for x in both.split("|Karte #")[1:]] == [n["601"]]
    assert "Keine Treffer" in desk.run_command("/find", "glasfaser", AGENT_A)
    assert "Wonach suchen" in desk.run_command("/find", "die und", AGENT_A)
    assert "nicht als Agent" in desk.run_command("/find", "router", STRANGER)
    assert [e["outcome"] for e in audit(desk, "find")][:2] == ["ok", "ok"]

    # an erasure takes the customer out of the index
    desk.rt.desk.privacy.erase(Customer("twitter", "7001"), "DSB")
    assert "Keine Treffer" in desk.run_command("/find", "@kunde_7001", AGENT_A)
    after = desk.run_command("/find", "router", AGENT_A)
    assert [int(x.split(">")[0]) for x in after.split("|Karte #")[1:]] == [n["602"]]


# ----- handover ---------------------------------------------------------------------------------
def test_assign_with_a_note_hands_over_in_the_thread_and_pings_the_new_holder(
        desk: DeskHarness) -> None:
    desk.ingest(mention(mid="1850000000000000701", text=ANGRY))
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/assign", "1 <@U0AGENT2|bea> Kunde will Rückruf &amp; Gutschrift",
                              LEAD)
    assert "jetzt bei <@U0AGENT2>" in answer
    line = wait_for(lambda: [t for t in thread_texts(desk, 1) if "übergeben" in t], 3,
                    "handover line")[0]
    assert line == ("<@U0LEAD1> hat #1 an <@U0AGENT2> übergeben. <@U0AGENT2>, Übergabe-Notiz: "
                    "Kunde will Rückruf &amp; Gutschrift")
    assert desk.rt.items.get(1).holder == AGENT_B
    details = json.loads(audit(desk, "assign")[-1]["details"])
    assert details == {"agent": AGENT_B, "note": True}
    desk.run_command("/assign", "1 <@U0AGENT1>", LEAD)  # without a note: as before
    assert any(t == "<@U0LEAD1> hat #1 an <@U0AGENT1> gegeben." for t in thread_texts(desk, 1))
    assert "als @-Erwähnung" in desk.run_command("/assign", "1 bea bitte", LEAD)


# ----- desk.yaml and business days --------------------------------------------------------------
def test_wait_max_counts_business_days_over_weekends_and_holidays() -> None:
    from bot.clock import BusinessClock
    from bot.desk.customers import wait_deadline

    clock = BusinessClock.from_config({"mon-fri": "08:00-20:00", "holidays": "DE-NW"},
                                      timezone="Europe/Berlin")
    berlin = ZoneInfo("Europe/Berlin")
    thursday = datetime(2026, 12, 17, 15, 30, tzinfo=berlin)
    # Fri, Mon, Tue
    assert wait_deadline(clock, thursday, timedelta(days=3)) == datetime(
        2026, 12, 22, 15, 30, tzinfo=berlin)
    # Wed 23rd + 3: Thu 24th counts (no holiday in NW), Christmas Day (Fri) and the weekend
    # do not: Mon 28th, Tue 29th
    assert wait_deadline(clock, datetime(2026, 12, 23, 10, 0, tzinfo=berlin),
                         timedelta(days=3)) == datetime(2026, 12, 29, 10, 0, tzinfo=berlin)
    # after hours it waits for the next opening; a duration counts business time
    assert wait_deadline(clock, datetime(2026, 12, 17, 21, 0, tzinfo=berlin),
                         timedelta(days=1)) == datetime(2026, 12, 21, 8, 0, tzinfo=berlin)
    assert wait_deadline(clock, datetime(2026, 12, 18, 19, 0, tzinfo=berlin),
                         timedelta(hours=2)) == datetime(2026, 12, 21, 9, 0, tzinfo=berlin)


def test_desk_yaml_history_and_wait_max_are_validated_and_named() -> None:
    assert desk_config().history.days == timedelta(days=90)
    assert desk_config().wait_max == timedelta(days=3)
    assert desk_config(history={"days": 7}, wait_max="4h").wait_max == timedelta(hours=4)
    for bad, field in (({"history": {"days": "soon"}}, "history.days"),
                       ({"wait_max": "bald"}, "wait_max"), ({"history": {"weeks": 2}}, "history")):
        with pytest.raises(ConfigError) as err:
            desk_config(**bad)
        assert field in str(err.value)


def test_search_index_walk_and_full_intersection_agree(redis_url) -> None:
    """The closed page comes from a walk of the smallest set, or (words that rarely meet) from
    a full intersection: both give the same items, open ones apart, newest first."""
    import redis as redis_lib

    from bot.store.search import SearchIndex

    r = redis_lib.Redis.from_url(redis_url, decode_responses=True)
    index = SearchIndex(r)
    for n in range(1, 301):
        index.add(n, ["telekom"] + (["stoerung"] if n % 2 else []) + (["glasfaser"] if n < 8
                                                                      else []), f"k{n % 5}")
    r.zadd(keys.OPEN_ITEMS, {"3": 1, "5": 2, "290": 3})
    rare = index.find(["telekom", "glasfaser"], walk=10)  # walk gives up: full intersection
    assert rare == index.find(["glasfaser", "telekom"], walk=10_000) == ([5, 3], [7, 6, 4, 2, 1])
    assert index.find(["telekom", "stoerung"], limit=3) == ([5, 3], [299, 297, 295])
    assert index.find(["stoerung"], handle="k0", limit=3, walk=2) == ([5], [295, 285, 275])
    assert index.find(["telekom", "nirgends"]) == ([], [])
    assert not list(r.scan_iter(match=keys.find_scratch("*")))
    index.remove(7, ["telekom", "glasfaser"], "k2")
    assert index.find(["glasfaser"])[1] == [6, 4, 2, 1]


def test_find_files_items_made_before_the_index_once(desk: DeskHarness) -> None:
    """Items from before `/find` existed (made without being filed) are filed by the worker's
    backfill job, in batches, once across workers; anonymised ones stay out."""
    from bot.models import parse_mention
    from bot.scheduler import worker_jobs

    now = desk.rt.desk.now()
    old = []
    for i, text in enumerate(["Mein Router blinkt rot, Katastrophe!", "Router kaputt, Frechheit!",
                              "Router seit Wochen kaputt, unfassbar!"]):
        number, _ = desk.rt.items.create(
            parse_mention(mention(mid=f"18500000000007{i:05d}", text=text, author=str(7100 + i))),
            sentiment="negative", score=0.9, address="sie", channel="C0ALERTS", seen_at=now,
            due_at=now)
        old.append(number)
    desk.rt.items.set_fields(old[2], anonymised_at=now.isoformat())
    assert "Keine Treffer" in desk.run_command("/find", "router", AGENT_A)
    first, second = worker_jobs(desk.rt)["search_backfill"], worker_jobs(desk.rt)["search_backfill"]
    assert first.run() == 3 and second.run() == 0  # the other worker: the lease is taken
    desk.rt.leases.release("find-backfill")
    assert first.run() == 0  # done for good
    answer = desk.run_command("/find", "router", AGENT_A)
    assert [int(ln.split(" ")[0][1:]) for ln in answer.splitlines()[1:]] == [old[1], old[0]]
    desk.ingest(mention(mid="1850000000000079999", text="Router tot, Frechheit!", author="7199"))
    desk.process()  # a new item is filed when it is made
    assert len(desk.run_command("/find", "router", AGENT_A).splitlines()) == 4  # header + 3
