"""Facebook source against the Graph API emulator and a real redis-server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from bot.models import Author, Mention
from bot.settings import Settings
from bot.sources.base import SourceError
from bot.sources.facebook import NETWORK as FACEBOOK
from bot.sources.facebook.graph import FacebookReplies as FacebookSource
from bot.sources.facebook.graph import make_http
from bot.sources.facebook.poll import FacebookPoller
from bot.store import MentionQueue, keys
from bot.store.checkpoints import Checkpoints
from tests.emulators import GraphAPI

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
POST = "100000000000001_555"
FEED = "GET /:id/feed"


def settings_for(graph_api: GraphAPI) -> Settings:
    return Settings(facebook_graph_url=graph_api.base_url(), facebook_page_id=graph_api.page_id,
                    facebook_page_token="EAAPAGE").network(FACEBOOK)


@pytest.fixture
def r(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def graph(graph_api: GraphAPI) -> GraphAPI:
    graph_api.set_now(NOW)
    graph_api.add_post(POST, "Unser neuer Tarif", created_time=NOW - timedelta(days=2))
    return graph_api


def at(minutes: float) -> datetime:
    return NOW - timedelta(minutes=minutes)


def comment(comment_id: str, created: datetime, post: str = POST, author: str = "9001") -> Mention:
    return Mention("facebook", comment_id, "Kein Netz!", Author(author, "Claudia", "Claudia"),
                   created, conversation_id=post, in_reply_to=post)


def source(graph: GraphAPI, now: datetime = NOW) -> FacebookSource:
    return FacebookSource(make_http(settings_for(graph)), graph.page_id, now=lambda: now)


# ----- replies -----------------------------------------------------------------------------

def test_reply_is_a_comment_on_the_comment(graph: GraphAPI) -> None:
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=at(5))
    posted = source(graph).reply(comment("555_1", at(5)), "Das tut uns leid. ^AB")
    call = graph.last_call("POST /:id/comments")
    assert call.path == "/v21.0/555_1/comments"
    assert call.body == {"message": "Das tut uns leid. ^AB"}
    assert call.auth == "bearer" and call.token == "EAAPAGE"
    assert [c["id"] for c in graph.replies_to("555_1")] == [posted.id]


def test_private_reply_to_a_comment_uses_recipient_comment_id(graph: GraphAPI) -> None:
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=at(5))
    posted = source(graph).private_reply(comment("555_1", at(5)), "Hallo Claudia, hier AB.")
    call = graph.last_call("POST /:id/messages")
    assert call.path == f"/v21.0/{graph.page_id}/messages"
    assert call.headers["content-type"] == "application/json"
    assert call.body == {"recipient": {"comment_id": "555_1"},
                         "message": {"text": "Hallo Claudia, hier AB."}}
    assert call.token == "EAAPAGE"
    assert posted.id == graph.private_replies[0]["message_id"]


def test_private_reply_to_a_visitor_post_uses_recipient_post_id(graph: GraphAPI) -> None:
    graph.add_post("100000000000001_777", "Kein Netz seit Tagen", from_id="9002",
                   from_name="Bernd", created_time=at(3))
    visitor = Mention("facebook", "100000000000001_777", "Kein Netz seit Tagen",
                      Author("9002", "Bernd"), at(3), conversation_id="100000000000001_777")
    source(graph).private_reply(visitor, "Hallo Bernd")
    assert graph.last_call("POST /:id/messages").body["recipient"] == {
        "post_id": "100000000000001_777"}


def test_private_reply_after_seven_days_is_refused_before_calling(graph: GraphAPI) -> None:
    old = NOW - timedelta(days=7, minutes=1)
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=old)
    with pytest.raises(SourceError) as caught:
        source(graph).private_reply(comment("555_1", old), "Hallo")
    assert caught.value.key == "source.fb_private_window"
    assert "7 Tage" in caught.value.reason and not caught.value.retryable
    assert graph.calls_to("POST /:id/messages") == []


def test_graphs_own_window_refusal_gets_the_same_clear_message(graph: GraphAPI) -> None:
    old = NOW - timedelta(days=8)
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=old)
    skewed = source(graph, now=old + timedelta(days=6))  # our clock thinks it is still in time
    with pytest.raises(SourceError) as caught:
        skewed.private_reply(comment("555_1", old), "Hallo")
    assert caught.value.key == "source.fb_private_window"
    assert graph.last_call("POST /:id/messages").status == 400


def test_second_private_reply_to_a_comment_is_explained(graph: GraphAPI) -> None:
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=at(5))
    source(graph).private_reply(comment("555_1", at(5)), "Hallo")
    with pytest.raises(SourceError) as caught:
        source(graph).private_reply(comment("555_1", at(5)), "Nochmal hallo")
    assert caught.value.key == "source.fb_private_once"
    assert len(graph.private_replies) == 1


# ----- polling fallback ----------------------------------------------------------------------

def poller(graph: GraphAPI, r: redis.Redis, now: datetime = NOW) -> FacebookPoller:
    return FacebookPoller(make_http(settings_for(graph)), graph.page_id,
                          Checkpoints(r, "facebook"), now=lambda: now.timestamp())


def test_poll_reads_customers_comments_and_skips_the_pages_own(graph: GraphAPI,
                                                               r: redis.Redis) -> None:
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=at(30))
    graph.add_comment(POST, "555_2", "Wir schauen nach", graph.page_id, "Brand",
                      parent_id="555_1", created_time=at(20))
    graph.add_comment(POST, "555_3", "Immer noch nicht!", "9001", "Claudia", parent_id="555_1",
                      created_time=at(10))
    queue = MentionQueue(r)
    queue.ensure_group()
    assert poller(graph, r).poll(queue.enqueue) == 2
    entries = queue.read("t", count=10, block_ms=None)
    first, follow_up = (e.mention for e in entries)
    assert first is not None and follow_up is not None
    assert (first.id, first.conversation_id, first.in_reply_to) == ("555_1", POST, POST)
    assert (follow_up.id, follow_up.conversation_id, follow_up.in_reply_to) == ("555_3", POST,
                                                                                "555_1")
    assert first.author == Author("9001", "Claudia", "Claudia")
    assert first.created_at == at(30)
    call = graph.last_call(FEED)
    assert call.path == f"/v21.0/{graph.page_id}/feed" and call.token == "EAAPAGE"
    assert "comments.filter(stream)" in call.query["fields"]


def test_poll_checkpoint_survives_restart_without_miss_or_repeat(graph: GraphAPI,
                                                                 r: redis.Redis) -> None:
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=at(30))
    handed: list[str] = []
    queue = MentionQueue(r)

    def enqueue(m: Mention) -> bool:
        handed.append(m.id)
        return queue.enqueue(m)

    assert poller(graph, r).poll(enqueue) == 1
    assert Checkpoints(r, "facebook").get("feed") == str(int(at(30).timestamp()))
    graph.add_comment(POST, "555_4", "Hallo?", "9003", "Dora", created_time=at(1))
    assert poller(graph, r, NOW + timedelta(minutes=5)).poll(enqueue) == 1
    assert poller(graph, r, NOW + timedelta(minutes=10)).poll(enqueue) == 0
    assert "555_4" in handed  # nothing missed; the boundary second is read again on purpose,
    assert r.xlen(keys.MENTION_STREAM) == 2  # and the queue keeps it from repeating


def test_throttled_feed_backs_off_for_the_time_graph_asks(graph: GraphAPI, r: redis.Redis) -> None:
    graph.add_comment(POST, "555_1", "Kein Netz!", "9001", "Claudia", created_time=at(30))
    graph.fail_next(FEED, 429, retry_after=600)  # Graph's way: HTTP 400, code 32, usage header
    queue = MentionQueue(r)
    assert poller(graph, r).poll(queue.enqueue) == 0
    assert Checkpoints(r, "facebook").blocked_until("feed", NOW.timestamp()) == (
        NOW.timestamp() + 600)
    assert poller(graph, r, NOW + timedelta(minutes=9)).poll(queue.enqueue) == 0
    assert len(graph.calls_to(FEED)) == 1
    assert poller(graph, r, NOW + timedelta(minutes=11)).poll(queue.enqueue) == 1


# ----- through the desk: /dm on Facebook -----------------------------------------------------

def complaint_via_webhook(desk, created: datetime) -> None:
    from tests.support.facebook_signing import comment_webhook_body, signed_webhook_headers

    desk.graph.add_post(POST, "Unser neuer Tarif", created_time=created - timedelta(days=1))
    desk.graph.add_comment(POST, "555_1", "Eure Hotline ist eine Frechheit!", "9001", "Claudia",
                           created_time=created)
    body = comment_webhook_body(desk.graph.page_id, POST, "555_1",
                                "Eure Hotline ist eine Frechheit!", "9001", "Claudia",
                                created_time=int(created.timestamp()))
    assert desk.http.post("/webhooks/facebook", content=body,
                          headers=signed_webhook_headers(body, "fb-app-secret")).status_code == 200
    desk.process()


def test_dm_command_replies_publicly_and_privately_on_facebook(desk) -> None:
    from tests.harness import AGENT_A

    complaint_via_webhook(desk, datetime.now(UTC) - timedelta(hours=1))
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/dm", "1 Hallo Claudia, hier ist AB vom Service-Team.", AGENT_A)
    assert "privat" in answer
    invite = desk.graph.last_call("POST /:id/comments")
    assert invite.path == "/v21.0/555_1/comments" and invite.body["message"].endswith(" ^AB")
    private = desk.graph.last_call("POST /:id/messages")
    assert private.path == f"/v21.0/{desk.graph.page_id}/messages"
    assert private.body == {"recipient": {"comment_id": "555_1"},
                            "message": {"text": "Hallo Claudia, hier ist AB vom Service-Team. ^AB"}}
    assert private.token == "EAAPAGE"
    assert desk.rt.items.get(1).state == "private"


def test_dm_command_after_seven_days_explains_the_window(desk) -> None:
    from tests.harness import AGENT_A

    complaint_via_webhook(desk, datetime.now(UTC) - timedelta(days=8))
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/dm", "1", AGENT_A)
    assert "7 Tage" in answer
    assert desk.graph.calls_to("POST /:id/messages") == []
