"""Nothing lost, nothing posted twice: Slack 5xx after the post landed, Redis restarts, crashed
workers."""

from __future__ import annotations

import json
import threading
import time

from bot.entry.worker import MAX_DELIVERIES, Worker
from bot.store import keys
from tests.harness import DeskHarness, creations_lost, mention, wait_for
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


def test_a_mention_whose_item_a_failover_lost_is_taken_in_again(desk: DeskHarness) -> None:
    """Redis failed over between the item's creation (on the old primary only) and its card's
    start (retried on the promoted replica, which never got the item). The entry must not be
    acknowledged without a card; taken in again, it becomes one card. (Seen in the Sentinel
    failover test: accepted mentions in the stream, acknowledged, with no item and no card.)"""
    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    with creations_lost(desk):
        assert Worker(desk.rt, name="w", lanes=0).step(block_ms=100) == 0  # not acknowledged
    assert desk.cards() == []
    assert desk.rt.queue.backlog() == 1
    assert Worker(desk.rt, name="w", lanes=0).step(block_ms=100) == 1  # its own pending first
    assert len(desk.cards()) == 1
    assert desk.rt.queue.backlog() == 0
    assert desk.rt.items.get(1).card_ts == desk.cards()[0]["ts"]


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


def test_two_workers_handed_the_same_mention_post_one_card(desk: DeskHarness) -> None:
    """After a failover lost a delivery (or a slow worker's entry was reclaimed) two workers
    hold the same entry: the second waits for the first's card instead of posting its own."""
    from bot.desk.publisher import posting_as

    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.rt.queue.ensure_group()
    [entry] = desk.rt.queue.read("w1", count=10, block_ms=100)
    first, second = Worker(desk.rt, name="w1", lanes=0), Worker(desk.rt, name="w2",
                                                               reclaim_idle_ms=0, lanes=0)
    desk.rt.heartbeats.beat("w1")
    desk.slack.latency["chat.postMessage"] = 1.5  # w1's post is on its way for a while

    def post_as_w1() -> None:
        with posting_as("w1"):
            assert first.handle(entry)

    slow = threading.Thread(target=post_as_w1)
    slow.start()
    wait_for(lambda: desk.rt.redis.hget(keys.item(1), "card_poster") == "w1", 5, "w1 posting")
    assert second.step(block_ms=100) == 0  # busy: not acknowledged, not posted
    slow.join()
    assert len(desk.cards()) == 1
    desk.slack.latency.clear()
    assert second.step(block_ms=100) == 1  # looked again: the card is there, acknowledged
    assert len(desk.cards()) == 1
    assert len(desk.slack.calls_to("chat.postMessage")) == 1
    assert desk.rt.queue.backlog() == 0


def test_a_gone_posters_card_is_taken_over_after_its_lease(desk: DeskHarness) -> None:
    """A worker that died while posting (no heartbeat): after the lease another posts, looking
    for the card first; the item's record of who posts is cleared once it is out."""
    from bot.desk.publisher import CARD_LEASE_S

    desk.ingest(mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!"))
    desk.rt.queue.ensure_group()
    desk.rt.queue.read("dead", count=10, block_ms=100)
    m = mention(text="Eure Hotline ist eine Frechheit, seit Stunden Warteschleife!")
    from bot.models import parse_mention

    number, _ = desk.rt.items.create(parse_mention(m), sentiment="negative", score=0.9,
                                     address="sie", channel="C0ALERTS",
                                     seen_at=desk.rt.desk.now(), due_at=desk.rt.desk.now())
    long_ago = time.time() - CARD_LEASE_S - 5
    desk.rt.items.start_card(number, "dead", long_ago)
    rescuer = Worker(desk.rt, name="rescuer", reclaim_idle_ms=0, lanes=0)
    assert rescuer.step(block_ms=100) == 1
    assert len(desk.cards()) == 1
    assert desk.slack.calls_to("conversations.history")  # looked before posting
    assert desk.rt.redis.hget(keys.item(number), "card_poster") is None
    assert desk.rt.items.get(number).card_ts == desk.cards()[0]["ts"]


def test_start_card_gives_the_card_to_one_poster(desk: DeskHarness) -> None:
    from bot.models import parse_mention

    number, _ = desk.rt.items.create(parse_mention(mention()), sentiment="negative", score=0.9,
                                     address="sie", channel="C0ALERTS",
                                     seen_at=desk.rt.desk.now(), due_at=desk.rt.desk.now())
    items = desk.rt.items
    assert items.start_card(number, "a", 100.0).outcome == "mine"
    assert items.start_card(number, "b", 101.0) == items.start_card(number, "b", 102.0)
    assert items.start_card(number, "b", 103.0).outcome == "busy"
    again = items.start_card(number, "a", 104.0)  # the same poster again: its own, look first
    assert (again.outcome, again.value) == ("mine", "100.000")
    assert items.start_card(number, "b", 105.0, take_over_from="c").outcome == "busy"
    assert items.start_card(number, "b", 106.0, take_over_from="a").outcome == "mine"
    items.release_card(number, "a")  # no longer a's: changes nothing
    assert items.start_card(number, "c", 107.0).outcome == "busy"
    items.card_posted(number, "1764000000.000100")
    done = items.start_card(number, "c", 108.0)
    assert (done.outcome, done.value) == ("posted", "1764000000.000100")
    assert items.start_card(999, "c", 108.0).outcome == "missing"


def test_an_earlier_card_is_found_behind_hundreds_of_newer_messages(desk: DeskHarness) -> None:
    """Looking before posting again pages back through the channel (a burst of cards went out
    while a failover passed), not just the newest 200 messages."""
    slack = desk.rt.slack
    ts = slack.post_card(7, "C0ALERTS", [], "Fall #7", {"event_type": "alert_team_item",
                                                        "event_payload": {"item": 7}})
    for i in range(450):  # straight to Slack, unpaced
        slack.client.chat_postMessage(channel="C0ALERTS", text=f"später {i}")
    assert slack.find_card(7, "C0ALERTS", time.time() - 60) == ts
    assert len(desk.slack.calls_to("conversations.history")) == 3
    assert slack.find_card(8, "C0ALERTS", time.time() - 60) is None
