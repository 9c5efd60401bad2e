"""The desk on a Redis Cluster of three primaries (issue 15), through the same doors as Slack.

The cluster is three real `redis-server --cluster-enabled yes` processes on loopback, the slots
assigned by the test (`tests/support/redis_server.py`). The end-to-end tests of
`test_desk_flow` (ingest, card, claim, signed reply, refusals, dedupe), `test_timers_flow`
(warning, breach, re-escalation, a worker down past the due time) and `test_incidents` (a
storm on one card, one answer per member, members out and in, resolve) and `test_reply_outcome`
(a reply whose outcome was lost) run here unchanged, against
a `desk` built with `REDIS_MODE=cluster`: a script, MULTI or multi-key command whose keys
span two slots fails them with CROSSSLOT. The summary follows.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import httpx
import pytest
from redis.cluster import key_slot

from bot.entry.worker import Worker
from bot.reports import post_summary
from bot.store import keys
from tests import test_desk_flow, test_incidents, test_reply_outcome, test_timers_flow
from tests.harness import AGENT_A, INGEST_TOKEN, DeskHarness, desk_config, mention, wait_for
from tests.support.redis_server import RedisCluster
from tests.test_redis_sentinel import cards_by_marker
from tests.test_reply_outcome import replied  # noqa: F401  (the REPLIES' fixture)

# the end-to-end tests that run unchanged on the cluster (those that build only `desk`)
FLOW = ["test_negative_mention_becomes_one_card_with_escaped_text",
        "test_positive_mention_is_counted_not_posted",
        "test_unmatched_mention_goes_to_default_channel",
        "test_claim_then_signed_reply_on_x", "test_reply_on_facebook_is_a_comment_reply",
        "test_second_claimer_is_told_who_holds_it", "test_only_the_holder_may_reply",
        "test_stranger_is_refused_and_nothing_changes",
        "test_ingest_rejects_bad_lines_keeps_good_ones_and_dedupes"]
TIMERS = ["test_warning_then_breach_pings_leads_card_turns_red_then_escalates_again",
          "test_item_answered_in_time_gets_no_ping",
          "test_worker_down_past_due_fires_the_breach_once_when_back"]
INCIDENTS = ["test_a_storm_becomes_one_incident_and_unrelated_complaints_keep_their_cards",
             "test_one_template_answers_every_member_in_its_own_form_once",
             "test_a_member_can_be_taken_out_and_a_card_put_in",
             "test_resolving_an_incident_resolves_its_members"]
# a reply whose outcome a failover lost: the attempt lives in the item (its slot), WAITed
REPLIES = ["test_a_second_reply_after_a_lost_outcome_is_held_with_the_question",
           "test_it_arrived_answers_the_item_as_of_the_first_reply",
           "test_it_did_not_arrive_lets_the_agent_send_again_once"]
for _name in REPLIES:
    globals()[_name] = getattr(test_reply_outcome, _name)
for _name in INCIDENTS:
    globals()[_name] = getattr(test_incidents, _name)
for _name in FLOW:
    globals()[_name] = getattr(test_desk_flow, _name)
for _name in TIMERS:
    globals()[_name] = getattr(test_timers_flow, _name)


@pytest.fixture(scope="module")
def cluster() -> Iterator[RedisCluster]:
    with RedisCluster(3) as c:
        yield c


@pytest.fixture
def redis_url(cluster: RedisCluster) -> str:
    cluster.flush()
    return cluster.url


@pytest.fixture
def desk(request: pytest.FixtureRequest, redis_url: str, slack_api, x_api, graph_api,
         signing_secret) -> Iterator[DeskHarness]:
    """The desk on the cluster, configured as in the test's own module."""
    origin = request.function.__module__
    config = None
    if origin == test_timers_flow.__name__:
        config = desk_config(**test_timers_flow.FAST)
    elif origin == test_incidents.__name__:
        config = desk_config(templates={"stoerung": test_incidents.STOERUNG},
                             storm={"min_mentions": 5, "window": "10m"})
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret, config=config,
                    redis_mode="cluster")
    yield h
    h.close()


def test_the_cluster_client_spreads_keys_over_three_primaries(desk: DeskHarness,
                                                              cluster: RedisCluster) -> None:
    """The desk's keys sit in one slot; spread families land on other nodes."""
    desk.ingest(mention(text="Seit drei Tagen kein Internet, eine Frechheit!"))
    desk.process()
    assert desk.rt.items.get(1) is not None
    slots = {key_slot(k.encode()) for k in (keys.item(1), keys.MENTION_STREAM, keys.TIMERS,
                                            keys.seen("twitter", "x"), keys.OPEN_ITEMS)}
    assert len(slots) == 1
    spread = {key_slot(k.encode()) * 3 // 16384 for k in
              (keys.AUDIT_STREAM, keys.WORKER_BEATS, keys.lease("a"), keys.lease("b"),
               keys.idempotency("t1"), keys.idempotency("t2"), keys.pace("C0ALERTS"),
               keys.pace("C0MOBIL"), keys.checkpoint("x", "mentions"))}
    assert len(spread) == 3  # every node holds some of them
    held = 0
    for node in cluster.nodes:
        with node.client() as conn:
            held += int(conn.dbsize()) > 0
    assert held >= 2


def test_claim_reply_and_summary_on_the_cluster(desk: DeskHarness) -> None:
    desk.ingest(mention(text="Seit drei Tagen kein Internet, eine Frechheit!"))
    desk.process()
    assert "bearbeitest jetzt #1" in desk.run_command("/claim", "1", AGENT_A)
    assert "gesendet" in desk.run_command("/reply", "1 Das tut uns leid, wir prüfen das!",
                                          AGENT_A)
    day = datetime.now(desk.rt.desk.tz).date()
    text = post_summary(desk.rt, day)
    assert "1 beantwortet" in text and "Ziel erreicht 100 %" in text
    channel = desk.rt.config.summary.channel or desk.rt.config.channels.default
    wait_for(lambda: any(m.get("text") == text for m in desk.slack.messages(channel)), 5,
             "the summary in Slack")


def test_with_replicas_ingest_answers_once_the_desk_slots_replica_holds_it(
        slack_api, x_api, graph_api, signing_secret) -> None:
    """Three primaries with a replica each: `/ingest` WAITs on the node that owns the desk's
    slot, through the connection that wrote; its replica frozen (SIGSTOP): 503, then 200 when
    sent again. A card is posted only after the replica holds who posts it."""
    with RedisCluster(3, replicas=1) as cluster:
        owner = key_slot(keys.MENTION_STREAM.encode()) * 3 // 16384
        replica = cluster.replicas[owner]
        h = DeskHarness(cluster.url, slack_api, x_api, graph_api, signing_secret,
                        redis_mode="cluster")
        try:
            first = mention(mid="1850000000000015301", text="Seit drei Tagen kein Internet!")
            assert h.ingest(first, publish=False).status_code == 200
            with replica.client() as conn:
                conn.execute_command("READONLY")
                assert conn.xlen(keys.MENTION_STREAM) == 1  # there before the answer
            replica.pause()
            try:
                refused = h.ingest(mention(mid="1850000000000015302"), publish=False)
                h.process()  # the first mention's card waits for the replica too
                assert h.cards("C0FESTNETZ") == [] and h.cards() == []
            finally:
                replica.pause(False)
            assert refused.status_code == 503
            assert "no replica confirmed the write" in refused.json()["reason"]
            again = h.ingest(mention(mid="1850000000000015302"), publish=False)
            assert again.status_code == 200
            rescuer = Worker(h.rt, name="rescuer", reclaim_idle_ms=0, lanes=0)
            wait_for(lambda: rescuer.drain() >= 0
                     and len(h.cards("C0FESTNETZ")) + len(h.cards()) == 2, 20, "both cards")
        finally:
            h.close()


FAILOVER_MENTIONS = 200
@pytest.mark.timeout(300)
def test_a_primary_killed_mid_stream_loses_no_accepted_mention(
        slack_api, x_api, graph_api, signing_secret, caplog: pytest.LogCaptureFixture) -> None:
    """Three primaries with a replica each. While mentions come in through `/ingest`, the
    primary of the desk's slot is SIGKILLed half way: the cluster promotes its replica, and the
    same web app and worker follow by themselves, logging an outage (no traceback). Every
    mention `/ingest` accepted becomes exactly one card; a refused one is sent again, as a
    caller does."""
    with RedisCluster(3, replicas=1) as cluster:
        owner = key_slot(keys.MENTION_STREAM.encode()) * 3 // 16384
        config = desk_config(storm={"min_mentions": 100_000, "window": "1m"})  # a card each
        h = DeskHarness(cluster.url, slack_api, x_api, graph_api, signing_secret, config=config,
                        redis_mode="cluster", slack_channel_interval_ms=0)  # Slack unpaced
        worker = Worker(h.rt, name="w-failover", reclaim_idle_ms=3000)
        stop = threading.Event()
        running = threading.Thread(target=worker.run, args=(stop,), daemon=True)
        running.start()
        accepted: set[str] = set()
        refused: Counter[int] = Counter()
        lock, killed = threading.Lock(), threading.Event()
        base = f"http://127.0.0.1:{h.port}"

        def send(i: int) -> None:
            marker = f"FALL-{i}"
            body = json.dumps(mention(mid=str(1870000000000000000 + i), author=str(2000 + i),
                                      text=f"Seit Tagen kein Internet, eine Frechheit! {marker}"))
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                try:
                    r = httpx.post(f"{base}/ingest", content=body, timeout=15,
                                   headers={"Authorization": f"Bearer {INGEST_TOKEN}"})
                except httpx.HTTPError:
                    r = None
                if r is not None and r.status_code == 200:
                    with lock:
                        accepted.add(marker)
                        if len(accepted) >= FAILOVER_MENTIONS // 2 and not killed.is_set():
                            killed.set()
                            cluster.nodes[owner].crash()  # SIGKILL the desk slot's primary
                    return
                with lock:
                    refused[r.status_code if r is not None else 0] += 1
                time.sleep(0.25)

        try:
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(send, range(FAILOVER_MENTIONS)))
            assert killed.is_set()
            promoted = cluster.replicas[owner].client()
            wait_for(lambda: promoted.info("replication")["role"] == "master", 30,
                     "the replica promoted")
            try:
                wait_for(lambda: set(cards_by_marker(slack_api)) >= accepted, 90,
                         "a card for every accepted mention")
            except AssertionError:
                missing = sorted(accepted - set(cards_by_marker(slack_api)))
                raise AssertionError(f"{len(missing)} accepted without card: {missing[:20]}; "
                                     f"refused {dict(refused)}") from None
            time.sleep(1)  # a late duplicate would show up now
            twice = {m: n for m, n in cards_by_marker(slack_api).items() if n > 1}
            assert not twice, f"posted twice across the failover: {twice}"
            assert running.is_alive(), "the worker died"
            after = mention(mid="1879999999999999999", author="99",
                            text="Immer noch kein Internet, Frechheit! FALL-after")
            assert h.ingest(after, publish=False).status_code == 200
            wait_for(lambda: cards_by_marker(slack_api)["FALL-after"] == 1, 30,
                     "the card after the failover")
            crashes = [r.getMessage() for r in caplog.records if r.exc_info]
            assert not crashes, f"a failover is an outage, not a crash: {crashes}"
        finally:
            stop.set()
            running.join(10)
            h.close()
