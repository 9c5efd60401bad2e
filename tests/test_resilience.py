"""Nothing lost, nothing posted twice: Slack 5xx after the post landed, Redis restarts, crashed
workers."""

from __future__ import annotations

from bot.store import keys
from bot.worker import Worker
from tests.harness import DeskHarness, mention
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


def test_redis_restart_with_aof_loses_nothing(slack_api, x_api, graph_api, signing_secret) -> None:
    with RedisServer(appendonly=True) as server:
        h = DeskHarness(server.url, slack_api, x_api, graph_api, signing_secret)
        try:
            for i in range(5):
                h.ingest(mention(mid=f"18500000000000003{i:02d}",
                                 text=f"Seit {i + 2} Tagen kein Internet, eine Frechheit!"))
            server.restart()  # a crash: killed, started again on the same port and files
            assert h.rt.redis.xlen(keys.MENTION_STREAM) == 5
            h.process()
            assert len(h.cards("C0FESTNETZ")) == 5
            server.restart()
            assert sorted(h.rt.items.open_numbers()) == [1, 2, 3, 4, 5]
        finally:
            h.close()
