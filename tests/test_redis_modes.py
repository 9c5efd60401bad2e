"""Redis modes (issue 15) in process: the client factory, the key layout upgrade, and the WAIT
for a replica before `/ingest` answers (real redis-servers: a primary and its replica)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
            wait_for(lambda: replica.client().info("replication")["master_link_status"] == "up",
                     20, "the replica in sync")
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
