"""Redis modes (issue 15) in process: the client factory, the key layout upgrade, and the WAIT
for a replica before `/ingest` answers (real redis-servers: a primary and its replica)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis

from bot.errors import ConfigError
from bot.store import connect, keys
from bot.store.layout import LAYOUT, legacy_name, upgrade
from tests.harness import DeskHarness, mention, wait_for
from tests.support.redis_server import RedisServer


def test_the_factory_names_the_variable_that_is_wrong() -> None:
    with pytest.raises(ConfigError, match="REDIS_MODE"):
        connect("", mode="replicated")
    with pytest.raises(ConfigError, match="REDIS_SENTINEL_MASTER"):
        connect(mode="sentinel", sentinels="127.0.0.1:26379")
    with pytest.raises(ConfigError, match="REDIS_SENTINELS"):
        connect(mode="sentinel", sentinels="localhost", master="desk")
    with pytest.raises(ConfigError, match="REDIS_URL"):
        connect("", mode="cluster")


def test_keys_written_before_the_hash_tag_are_renamed_once(redis_url: str) -> None:
    r = connect(redis_url)
    r.hset("at:item:7", mapping={"state": "new"})
    r.xadd("at:stream:mentions", {"mention": "{}"})
    r.set("at:seen:twitter:1", "1")
    r.xadd(keys.AUDIT_STREAM, {"a": "1"})
    for spread in (keys.lease("summary"), keys.idempotency("t"), keys.checkpoint("x", "mentions")):
        r.set(spread, "1")
    assert legacy_name(keys.lease("summary")) is None
    assert upgrade(r) == 3
    assert r.hget(keys.item(7), "state") == "new"
    assert r.xlen(keys.MENTION_STREAM) == 1 and r.exists(keys.seen("twitter", "1"))
    assert r.exists(keys.lease("summary"), keys.idempotency("t"), keys.AUDIT_STREAM,
                    keys.checkpoint("x", "mentions")) == 4
    assert r.get(LAYOUT) == "15"
    r.set("at:item:8", "x")  # written by an old process after the upgrade: left alone
    assert upgrade(r) == 0


@pytest.fixture
def replicated() -> Iterator[tuple[RedisServer, RedisServer]]:
    with RedisServer() as primary:
        replica = RedisServer(extra_args=["--replicaof", "127.0.0.1", str(primary.port)])
        with replica:
            # both sides: the replica has loaded the data, and the primary counts it online
            # (what WAIT counts; it can trail the replica's view by a moment)
            wait_for(lambda: replica.client().info("replication")["master_link_status"] == "up"
                     and primary.client().info("replication").get("slave0", {}).get("state")
                     == "online", 20, "the replica in sync")
            yield primary, replica


def test_ingest_answers_only_once_a_replica_has_the_mention_else_503(
        replicated: tuple[RedisServer, RedisServer], slack_api, x_api, graph_api,
        signing_secret) -> None:
    primary, replica = replicated
    h = DeskHarness(primary.url, slack_api, x_api, graph_api, signing_secret)
    try:
        assert h.ingest(mention(mid="1850000000000015001"), publish=False).status_code == 200
        assert replica.client().xlen(keys.MENTION_STREAM) == 1  # there before the answer
        replica.pause()
        try:
            refused = h.ingest(mention(mid="1850000000000015002"), publish=False)
        finally:
            replica.pause(False)
        assert refused.status_code == 503
        assert "no replica confirmed the write" in refused.json()["reason"]
        again = h.ingest(mention(mid="1850000000000015002"), publish=False)
        assert again.status_code == 200  # sent again: accepted (or a duplicate), never lost
    finally:
        h.close()


def test_a_duplicate_is_acknowledged_only_once_the_first_acceptance_is_on_a_replica(
        replicated: tuple[RedisServer, RedisServer]) -> None:
    """A caller whose first try got 503 (no replica in time) sends again, through another
    connection (another web process): "duplicate" must not be the answer until a replica holds
    the mention, or a failover right after would lose what was acknowledged."""
    from bot.models import parse_mention
    from bot.store.queue import MentionQueue
    from bot.store.replication import ReplicaTimeout, Replication

    primary, replica = replicated
    r1, r2 = primary.client(), primary.client()

    def queue(r: redis.Redis, timeout_ms: int) -> MentionQueue:
        return MentionQueue(r, Replication(r, timeout_ms=timeout_ms))

    # short waits while the replica is frozen; long ones where it must answer (a loaded CI)
    first, other = queue(r1, 300), queue(r2, 300)
    m = parse_mention(mention(mid="1850000000000015101"))
    queue(r2, 10_000).enqueue(parse_mention(mention(mid="1850000000000015100")))  # r2 wrote
    replica.pause()
    try:
        with pytest.raises(ReplicaTimeout):
            first.enqueue(m)  # on the primary only: 503
        with pytest.raises(ReplicaTimeout):
            other.enqueue(m)  # the same mention again: still only on the primary
    finally:
        replica.pause(False)
    assert queue(r2, 10_000).enqueue(m) is False  # now a duplicate a replica holds
    assert replica.client().exists(keys.seen("twitter", m.id)) == 1


def test_scripts_resent_to_a_server_that_does_not_have_them_are_loaded_there(
        redis_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipeline's EVALSHAs go out without asking SCRIPT EXISTS first (one round trip less
    per write). A server without the scripts (restarted, or the promoted replica redis-py's
    retry after a lost connection reaches) answers NOSCRIPT to all of them: the queue then
    builds its pipeline again and sends it with the scripts loaded (a 500 with a traceback in
    `/ingest` before)."""
    import redis
    from redis.client import Pipeline

    from bot.models import parse_mention
    from bot.store.queue import MentionQueue

    r = redis.Redis.from_url(redis_url, decode_responses=True)
    queue = MentionQueue(r)
    loads: list[int] = []
    load = Pipeline.load_scripts

    def counted(self: Pipeline) -> None:
        loads.append(1)
        load(self)

    monkeypatch.setattr(Pipeline, "load_scripts", counted)
    first = parse_mention(mention(mid="1850000000000015201"))
    second = parse_mention(mention(mid="1850000000000015202"))
    third = parse_mention(mention(mid="1850000000000015203"))
    r.script_flush()
    assert queue.enqueue_many([first]) == [True]
    assert len(loads) == 1  # a server without them: NOSCRIPT, then loaded
    assert queue.enqueue_many([second]) == [True]
    assert len(loads) == 1  # cached now: sent straight away, never asked for beforehand
    r.script_flush()  # as on a promoted replica
    assert queue.enqueue_many([second, third]) == [False, True]
    assert len(loads) == 2
    assert r.xlen(keys.MENTION_STREAM) >= 2


def test_an_agents_sends_are_on_a_replica_before_they_go_out(
        replicated: tuple[RedisServer, RedisServer]) -> None:
    """What lets a failover not send twice or lose a queued answer: a reply's attempt, an
    incident member's sending mark and the queued member answers are on the replica before the
    call returns; with the replica frozen they are refused, and the attempt and the mark are
    taken back (nothing went out, so a retry may send)."""
    from bot.models import ReplyAttempt, parse_mention
    from bot.store.answers import AnswerQueue
    from bot.store.items import ItemStore
    from bot.store.replication import ReplicaTimeout, Replication

    primary, replica = replicated
    r = redis.Redis.from_url(primary.url, decode_responses=True)  # as the desk connects
    quick = Replication(r, timeout_ms=300)
    items, answers = ItemStore(r, quick), AnswerQueue(r, quick)
    now = datetime.now(UTC)
    number, _ = items.create(parse_mention(mention(mid="1850000000000015201")),
                             sentiment="negative", score=0.9, address="sie", channel="C0ALERTS",
                             seen_at=now, due_at=now)
    replica.pause()
    try:
        with pytest.raises(ReplicaTimeout):
            items.start_reply(number, ReplyAttempt("U1", 1.0, "reply"))
        with pytest.raises(ReplicaTimeout):
            answers.start_sending(number)
        with pytest.raises(ReplicaTimeout):
            answers.enqueue(99, [number], "U1", "", "Sorry!")
    finally:
        replica.pause(False)
    assert r.hget(keys.item(number), "reply_attempt") is None  # taken back
    assert r.exists(keys.answer_sending(number)) == 0
    slow = Replication(r, timeout_ms=10_000)  # where the replica must answer (a loaded CI)
    items, answers = ItemStore(r, slow), AnswerQueue(r, slow)
    assert items.start_reply(number, ReplyAttempt("U1", 2.0, "reply")).outcome == "mine"
    assert answers.start_sending(number) is True
    answers.enqueue(99, [number], "U1", "", "Sorry!")
    held = redis.Redis.from_url(replica.url, decode_responses=True)  # it holds them already
    assert held.hget(keys.item(number), "reply_attempt") == "U1 2.000 reply"
    assert held.exists(keys.answer_sending(number)) == 1
    assert held.xlen(keys.ANSWER_STREAM) >= 1
    again = items.start_reply(number, ReplyAttempt("U2", 3.0, "reply"))
    assert (again.outcome, again.before) == ("unknown", ReplyAttempt("U1", 2.0, "reply"))
