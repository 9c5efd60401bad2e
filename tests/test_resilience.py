"""Nothing lost, nothing posted twice: Slack 5xx after the post landed, Redis restarts, crashed
workers."""

from __future__ import annotations

import json

from bot.entry.worker import MAX_DELIVERIES, Worker
from bot.store import keys
from tests.harness import DeskHarness, mention, wait_for
from tests.support.redis_server import RedisServer


def test_post_that_landed_despite_a_5xx_is_not_posted_again(desk: DeskHarness) -> None:
    desk.slack.fail_next("chat.postMessage", 503, commit=True)
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.process()
    cards = desk.cards()
    assert len(cards) == 1
    assert desk.rt.items.get(1).card_ts == cards[0]["ts"]
    assert len(desk.slack.calls_to("chat.postMessage")) == 1


def test_post_that_failed_with_a_5xx_is_posted_once_on_retry(desk: DeskHarness) -> None:
    desk.slack.fail_next("chat.postMessage", 500)
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.process()
    assert len(desk.cards()) == 1


def test_slack_429_is_retried_after_retry_after(desk: DeskHarness) -> None:
    desk.slack.fail_next("chat.postMessage", 429, retry_after=1)
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.process()
    assert len(desk.cards()) == 1
    assert [c.status for c in desk.slack.calls_to("chat.postMessage")] == [429, 200]


def test_entry_of_a_crashed_worker_is_reclaimed_and_posted_once(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.rt.queue.ensure_group()
    crashed = desk.rt.queue.read("crashed-worker", count=10, block_ms=100)  # read, never acked
    assert len(crashed) == 1
    rescuer = Worker(desk.rt, name="rescuer", reclaim_idle_ms=0)
    assert rescuer.step(block_ms=100) == 1
    assert len(desk.cards()) == 1
    assert desk.rt.queue.backlog() == 0


def test_intake_twice_for_the_same_mention_posts_once(desk: DeskHarness) -> None:
    from bot.models import parse_mention

    m = parse_mention(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.rt.desk.intake(m)
    desk.rt.desk.intake(m)
    assert len(desk.cards()) == 1


DIFFERENT_COMPLAINTS = (
    "Seit zwei Tagen kein Internet, eine Frechheit!",
    "Mein Router ist nach dem Update kaputt, unglaublich.",
    "Glasfaser-Anschluss seit Monaten versprochen und nichts passiert, eine Zumutung.",
    "Festnetz-Rechnung doppelt abgebucht, das ist Betrug!",
    "DSL-Vertrag gekündigt und trotzdem weiter abgebucht. Ärgerlich!",
)


def test_redis_restart_with_aof_loses_nothing(slack_api, x_api, graph_api, signing_secret) -> None:
    with RedisServer(appendonly=True) as server:
        h = DeskHarness(server.url, slack_api, x_api, graph_api, signing_secret)
        try:
            # five different complaints (five alike would be one incident card)
            for i, text in enumerate(DIFFERENT_COMPLAINTS):
                h.ingest(mention(mid=f"18500000000000003{i:02d}", text=text))
            server.restart()  # a crash: killed, started again on the same port and files
            assert h.rt.redis.xlen(keys.MENTION_STREAM) == 5
            h.process()
            assert len(h.cards("C0FESTNETZ")) == 5
            server.restart()
            assert sorted(h.rt.items.open_numbers()) == [1, 2, 3, 4, 5]
        finally:
            h.close()


def test_a_very_long_mention_still_gets_a_card_within_slacks_limits(desk: DeskHarness) -> None:
    text = "Seit drei Tagen kein Internet, eine Frechheit! " + "bla " * 1500
    desk.ingest(mention(network="facebook", mid="99_1", text=text))
    desk.process()
    card = desk.cards("C0FESTNETZ")[0]
    for block in card["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert "…" in json.dumps(card["blocks"], ensure_ascii=False)


def test_blocks_refused_by_slack_fall_back_to_a_plain_text_card(desk: DeskHarness) -> None:
    desk.slack.fail_next("chat.postMessage", 200, body={"ok": False, "error": "invalid_blocks"})
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.process()
    posted = desk.slack.messages("C0ALERTS")
    assert len(posted) == 1 and "#1" in posted[0]["text"]
    assert desk.rt.items.get(1).card_ts == posted[0]["ts"]


def test_an_entry_that_keeps_failing_is_parked_not_retried_forever(desk: DeskHarness) -> None:
    desk.slack.fail_next("chat.postMessage", 200, times=50,
                         body={"ok": False, "error": "channel_not_found"})
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    worker = Worker(desk.rt, name="w", reclaim_idle_ms=0)
    for _ in range(MAX_DELIVERIES + 1):
        worker.step(block_ms=50)
    assert desk.rt.redis.xlen(keys.DEAD_LETTERS) == 1
    assert desk.rt.queue.backlog() == 0
    dead = desk.rt.redis.xrange(keys.DEAD_LETTERS)[0][1]
    assert "channel_not_found" in dead["reason"] and "Warteschleife" in dead["mention"]
    outcomes = [e["outcome"] for e in desk.rt.audit.entries()]
    assert "failed:dead_letter" in outcomes


def test_a_failed_card_update_after_a_reply_still_reports_success(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.process()
    desk.run_command("/claim", "1", "U0AGENT1")
    desk.slack.fail_next("chat.update", 200, times=5, body={"ok": False, "error": "message_not_found"})
    answer = desk.run_command("/reply", "1 Das tut uns leid, wir prüfen das!", "U0AGENT1")
    assert "gesendet" in answer
    assert desk.rt.items.get(1).state == "answered"
    assert "1" in desk.rt.redis.smembers(keys.CARD_UPDATES)  # the worker updates it later


def test_a_worker_recreates_the_group_when_redis_comes_back_empty(
        slack_api, x_api, graph_api, signing_secret, caplog) -> None:
    """Redis restarted without persistence loses the stream and the group: NOGROUP on every
    read. The running worker recreates both and a mention ingested afterwards gets its card."""
    import threading

    with RedisServer() as server:  # no AOF, no snapshots: a restart comes back empty
        h = DeskHarness(server.url, slack_api, x_api, graph_api, signing_secret)
        stop = threading.Event()
        worker = Worker(h.rt, name="survivor")
        thread = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        thread.start()
        try:
            h.ingest(mention(mid="1850000000000000101", text="Seit zwei Tagen kein Internet!"))
            wait_for(lambda: h.cards("C0FESTNETZ"), 15, "card before the restart")
            server.restart()
            assert not h.rt.redis.exists(keys.item(1))  # it really came back empty
            assert h.ingest(mention(mid="1850000000000000102",
                                    text="Schon wieder kein Internet, eine Frechheit!")
                            ).status_code == 200
            wait_for(lambda: len(h.cards("C0FESTNETZ")) == 2, 15, "card after the restart")
            wait_for(lambda: h.rt.queue.backlog() == 0, 5, "acknowledged after its card")
        finally:
            stop.set()
            thread.join(10)
            h.close()
    recreated = [r for r in caplog.records if "recreated" in r.getMessage()]
    assert len(recreated) == 1


def test_backlog_counts_a_stream_that_lost_its_group(desk: DeskHarness) -> None:
    """Mentions ingested into an emptied Redis before any worker recreated the group are
    backlog, not 0 (the symptom that hid the NOGROUP loop)."""
    desk.rt.redis.flushall()
    desk.ingest(mention(mid="1850000000000000103"), mention(mid="1850000000000000104"))
    assert desk.rt.queue.backlog() == 2
    assert desk.process() == 2
    assert desk.rt.queue.backlog() == 0
