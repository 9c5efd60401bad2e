"""Bluesky source against the Bluesky XRPC emulator and a real redis-server.

Polling (mentions, replies, quotes; checkpoint, restart, overlap, rate limit), threaded
replies, Chat, session refresh, and Bluesky's grapheme-counted length.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from bot.models import Author, Mention
from bot.sources.base import SourceError
from bot.sources.bluesky import NETWORK, BlueskySettings
from bot.sources.bluesky.length import graphemes, reply_length
from bot.sources.bluesky.mentions import epoch_micros
from bot.sources.bluesky.poll import STREAM, BlueskyPoller
from bot.sources.bluesky.replies import BlueskyReplies
from bot.sources.bluesky.session import BlueskySession
from bot.sources.registry import networks
from bot.store import MentionQueue, keys
from bot.store.checkpoints import Checkpoints
from tests.emulators import BlueskyAPI

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
NOTIFICATIONS = "app.bsky.notification.listNotifications"
CREATE_SESSION = "com.atproto.server.createSession"
REFRESH_SESSION = "com.atproto.server.refreshSession"
CREATE_RECORD = "com.atproto.repo.createRecord"
KUNDE = "did:plc:kundekundekundekunde0001"
ANDERE = "did:plc:anderandereanderander002"
FAMILY = "👨‍👩‍👧‍👦"  # four people joined by three ZWJs: 7 code points, 25 bytes


class Clock:
    """A settable epoch clock for the poller (no test sleeps)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Recorder:
    """The real queue's `enqueue`, remembering every mention it was handed."""

    def __init__(self, r: redis.Redis) -> None:
        self.queue = MentionQueue(r)
        self.handed: list[Mention] = []
        self.r = r

    def __call__(self, mention: Mention) -> bool:
        self.handed.append(mention)
        return self.queue.enqueue(mention)

    @property
    def queued(self) -> int:
        return int(self.r.xlen(keys.MENTION_STREAM))


@pytest.fixture
def api() -> Iterator[BlueskyAPI]:
    with BlueskyAPI() as emulator:
        emulator.set_now(T0)
        yield emulator


@pytest.fixture
def r(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def clock() -> Clock:
    return Clock(T0.timestamp())


def settings_for(api: BlueskyAPI, **overrides: str) -> BlueskySettings:
    values = {"handle": api.handle, "app_password": api.app_password,
              "service_url": api.base_url}
    values.update(overrides)
    return BlueskySettings(**values)


def new_poller(api: BlueskyAPI, r: redis.Redis, clock: Clock, **settings: str) -> BlueskyPoller:
    """A poller as a freshly started worker builds it (new session, state only in Redis)."""
    return BlueskyPoller(BlueskySession(settings_for(api, **settings)),
                         Checkpoints(r, "bluesky"), now=clock)


def new_replies(api: BlueskyAPI, **settings: str) -> BlueskyReplies:
    return BlueskyReplies(BlueskySession(settings_for(api, **settings)))


def seed(api: BlueskyAPI, count: int, *, start: datetime = T0, step: timedelta = timedelta(0),
         author: str = KUNDE) -> list[str]:
    """`count` mentions, oldest first; `step` apart (default: 1 ms apart, as indexed)."""
    uris = []
    for n in range(count):
        when = start + step * n if step else None
        uris.append(api.add_mention(f"@brand.bsky.social kein Netz ({n})", author,
                                    "kunde.bsky.social", "Kunde", indexed_at=when,
                                    created_at=when))
    return uris


def mention_for(api: BlueskyAPI, uri: str, r: redis.Redis, clock: Clock) -> Mention:
    """The Mention the poller makes of `uri` (polls once)."""
    got = Recorder(r)
    new_poller(api, r, clock).poll(got)
    return next(m for m in got.handed if m.id == uri)


# ----- the network spec ----------------------------------------------------------------------
def test_registry_finds_bluesky_and_its_settings_come_from_the_environment(
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert networks()["bluesky"] is NETWORK
    assert (NETWORK.label, NETWORK.config_key, NETWORK.private_channel) == ("Bluesky", "bluesky",
                                                                            "Chat")
    assert NETWORK.default_target == timedelta(minutes=30)
    assert not BlueskySettings().configured
    monkeypatch.setenv("BLUESKY_HANDLE", "brand.example")
    monkeypatch.setenv("BLUESKY_APP_PASSWORD", "abcd-efgh-ijkl-mnop")
    settings = BlueskySettings()
    assert settings.configured
    assert settings.service_url == "https://bsky.social"
    assert NETWORK.options().poll_every == timedelta(seconds=60)


def test_the_package_imports_no_sdk_until_a_factory_runs() -> None:
    code = ("import sys, bot.sources.bluesky as b; b.NETWORK.reply_limit('x'); "
            "print(sorted(m for m in sys.modules if m.startswith('atproto')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----- length --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "expected"), [
    ("Hallo", 5),
    (FAMILY, 1),                   # ZWJ sequence
    ("e\u0301", 1),                # e + combining acute
    ("a\u0308\u0323", 1),          # a + two combining marks
    ("🇩🇪🇦🇹", 2),                 # two flags (regional-indicator pairs)
    ("👍🏽", 1),                    # emoji + skin tone modifier
    ("한국어", 3),                  # precomposed Hangul syllables
    ("\u1100\u1161\u11a8", 1),     # the same syllable from conjoining jamo
    ("\r\n", 1),
])
def test_graphemes_are_extended_grapheme_clusters(text: str, expected: int) -> None:
    assert graphemes(text) == expected


def test_reply_limit_counts_300_graphemes_not_code_points() -> None:
    assert NETWORK.reply_limit(FAMILY * 100) == (100, 300)  # 700 code points, 2,500 bytes
    assert NETWORK.reply_limit("x" * 300) == (300, 300)
    assert NETWORK.reply_limit("x" * 301) == (301, 300)
    assert NETWORK.reply_limit("e\u0301" * 300) == (300, 300)  # 600 code points


def test_a_text_within_300_graphemes_but_over_3000_bytes_is_over_the_limit() -> None:
    text = FAMILY * 200  # 200 graphemes, 5,000 bytes
    length, limit = NETWORK.reply_limit(text)
    assert graphemes(text) == 200 and length > limit
    assert reply_length(FAMILY * 120) == 120  # exactly 3,000 bytes: allowed, graphemes shown
    assert reply_length(FAMILY * 120 + "x") == 301  # 3,001 bytes: one too many


def test_the_emulated_pds_agrees_with_the_length_rule(api: BlueskyAPI, r: redis.Redis,
                                                      clock: Clock) -> None:
    uri = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    mention = mention_for(api, uri, r, clock)
    replies = new_replies(api)
    text = "ok " + FAMILY * 119  # 122 graphemes, 2,978 bytes
    assert NETWORK.reply_limit(text)[0] <= 300
    replies.reply(mention, text)
    with pytest.raises(SourceError) as refused:
        replies.reply(mention, FAMILY * 121)  # 3,025 bytes: refused before calling
    assert refused.value.key == "source.refused"
    assert len(api.calls_to(CREATE_RECORD)) == 1


# ----- polling -------------------------------------------------------------------------------
def test_a_mention_becomes_a_mention_with_uri_did_handle_url_and_thread(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    root = api.add_mention("@brand.bsky.social Seit Tagen kein Netz!", KUNDE, "kunde.bsky.social",
                           "Kunde Eins", created_at="2026-11-25T08:15:00.000Z")
    follow_up = api.add_mention("@brand.bsky.social Immer noch nicht!", ANDERE, "andere.bsky.social",
                                reply_to=root)
    got = Recorder(r)
    assert new_poller(api, r, clock).poll(got) == 2
    first, second = got.handed
    rkey = root.rsplit("/", 1)[1]
    assert first == Mention(
        network="bluesky", id=root, text="@brand.bsky.social Seit Tagen kein Netz!",
        author=Author(KUNDE, "kunde.bsky.social", "Kunde Eins"),
        created_at=datetime(2026, 11, 25, 8, 15, tzinfo=UTC),
        url=f"https://bsky.app/profile/kunde.bsky.social/post/{rkey}",
        conversation_id=root, in_reply_to="")
    assert root.startswith(f"at://{KUNDE}/app.bsky.feed.post/")
    assert second.id == follow_up
    assert (second.conversation_id, second.in_reply_to) == (root, root)
    assert second.author == Author(ANDERE, "andere.bsky.social", "")
    call = api.last_call(NOTIFICATIONS)
    assert call.auth == "bearer"
    assert call.query["limit"] == "100"
    assert api.array_params(NOTIFICATIONS)["reasons"] == ["mention", "reply", "quote"]


def test_replies_to_the_brand_and_quotes_are_mentions_likes_are_not(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    ours = api.add_brand_post("Wartungsarbeiten heute Nacht.")
    answer = api.add_reply("Und wann ist das vorbei?", KUNDE, "kunde.bsky.social", parent=ours)
    nested = api.add_reply("Das frage ich mich auch", ANDERE, "andere.bsky.social", parent=answer)
    quote = api.add_quote("Schon wieder?!", ANDERE, "andere.bsky.social", quoted=ours)
    api.add_like(ANDERE, "andere.bsky.social", ours)
    got = Recorder(r)
    assert new_poller(api, r, clock).poll(got) == 2
    assert [m.id for m in got.handed] == [answer, quote]  # `nested` answers the customer, not us
    reply, quoting = got.handed
    assert (reply.conversation_id, reply.in_reply_to) == (ours, ours)
    assert (quoting.conversation_id, quoting.in_reply_to) == (quote, "")
    assert nested not in [m.id for m in got.handed]


def test_the_brands_own_posts_are_never_mentions(api: BlueskyAPI, r: redis.Redis,
                                                 clock: Clock) -> None:
    api.add_mention("@brand.bsky.social Test", api.did, api.handle, "Brand Service")
    customer = api.add_mention("@brand.bsky.social Hallo", KUNDE, "kunde.bsky.social")
    got = Recorder(r)
    assert new_poller(api, r, clock).poll(got) == 1
    assert [m.id for m in got.handed] == [customer]


def test_second_poll_enqueues_nothing_and_one_login_serves_both(api: BlueskyAPI, r: redis.Redis,
                                                                clock: Clock) -> None:
    uris = seed(api, 3)
    got = Recorder(r)
    poller = new_poller(api, r, clock)
    assert poller.poll(got) == 3
    assert [m.id for m in got.handed] == uris  # oldest first
    stored = Checkpoints(r, "bluesky").get(STREAM)
    assert stored == str(epoch_micros(datetime.fromisoformat(
        api.post(uris[-1])["record"]["createdAt"].replace("Z", "+00:00"))))
    assert poller.poll(got) == 0
    assert got.queued == 3
    assert len(api.calls_to(CREATE_SESSION)) == 1
    assert len(api.calls_to(NOTIFICATIONS)) == 2


def test_a_restarted_worker_neither_repeats_nor_misses(api: BlueskyAPI, r: redis.Redis,
                                                       clock: Clock) -> None:
    got = Recorder(r)
    before = seed(api, 3)
    assert new_poller(api, r, clock).poll(got) == 3
    after = seed(api, 2)  # arrive while the worker is down
    assert new_poller(api, r, clock).poll(got) == 2
    assert got.queued == 5
    assert {m.id for m in got.handed} == set(before + after)
    assert new_poller(api, r, clock).poll(got) == 0
    assert got.queued == 5


def test_first_run_reads_only_the_newest_page_later_runs_page_to_the_checkpoint(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    history = seed(api, 150, start=T0 - timedelta(hours=3), step=timedelta(minutes=1))
    got = Recorder(r)
    assert new_poller(api, r, clock).poll(got) == 100  # one page: no flood of old posts
    assert len(api.calls_to(NOTIFICATIONS)) == 1
    assert history[49] not in {m.id for m in got.handed}

    fresh = seed(api, 230)  # more than two pages while the worker is down
    api.clear_calls()
    assert new_poller(api, r, clock).poll(got) == 230
    pages = api.calls_to(NOTIFICATIONS)
    assert len(pages) == 3
    assert "cursor" not in pages[0].query and pages[1].query["cursor"]
    assert [m.id for m in got.handed[-230:]] == fresh  # oldest first
    assert history[49] not in {m.id for m in got.handed}  # history stays out


def test_a_post_indexed_late_below_the_checkpoint_is_still_caught(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    """Bluesky's notification time is the earlier of createdAt and indexing: the overlap."""
    got = Recorder(r)
    api.add_mention("@brand.bsky.social eins", KUNDE, "kunde.bsky.social",
                    created_at=T0, indexed_at=T0 + timedelta(seconds=1))
    assert new_poller(api, r, clock).poll(got) == 1
    late = api.add_mention("@brand.bsky.social zwei", ANDERE, "andere.bsky.social",
                           created_at=T0 - timedelta(seconds=20),
                           indexed_at=T0 + timedelta(seconds=30))
    assert new_poller(api, r, clock).poll(got) == 1
    caught = next(m for m in got.handed if m.id == late)
    assert caught.created_at == T0 - timedelta(seconds=20)
    assert got.queued == 2


def test_a_429_backs_off_until_ratelimit_reset_and_keeps_the_checkpoint(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    got = Recorder(r)
    seed(api, 2)
    poller = new_poller(api, r, clock)
    assert poller.poll(got) == 2
    checkpoint = Checkpoints(r, "bluesky").get(STREAM)
    seed(api, 1)
    api.fail_next(NOTIFICATIONS, 429, retry_after=120)
    assert poller.poll(got) == 0
    assert Checkpoints(r, "bluesky").get(STREAM) == checkpoint
    assert Checkpoints(r, "bluesky").blocked_until(STREAM, clock.now) == clock.now + 120
    calls = len(api.calls_to(NOTIFICATIONS))
    clock.now += 60
    assert poller.poll(got) == 0  # still backing off: no call at all
    assert len(api.calls_to(NOTIFICATIONS)) == calls
    clock.now += 61
    assert poller.poll(got) == 1


def test_other_failures_are_logged_without_text_and_keep_the_checkpoint(
        api: BlueskyAPI, r: redis.Redis, clock: Clock, caplog: pytest.LogCaptureFixture) -> None:
    got = Recorder(r)
    seed(api, 1)
    poller = new_poller(api, r, clock)
    poller.poll(got)
    checkpoint = Checkpoints(r, "bluesky").get(STREAM)
    api.add_mention("@brand.bsky.social geheime Kundennummer 4711", ANDERE, "andere.bsky.social")
    api.fail_next(NOTIFICATIONS, 502)
    with caplog.at_level(logging.INFO):
        assert poller.poll(got) == 0
        assert poller.poll(got) == 1
    assert Checkpoints(r, "bluesky").get(STREAM) != checkpoint
    logged = caplog.text
    assert "poll failed (NetworkError)" in logged
    assert "4711" not in logged and "andere" not in logged and ANDERE not in logged


def test_a_wrong_app_password_backs_off_instead_of_spending_the_daily_logins(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    seed(api, 1)
    poller = new_poller(api, r, clock, app_password="wrong")
    assert poller.poll(Recorder(r)) == 0
    assert api.last_call(CREATE_SESSION).status == 401
    assert Checkpoints(r, "bluesky").get(STREAM) is None
    assert Checkpoints(r, "bluesky").blocked_until(STREAM, clock.now) == clock.now + 15 * 60
    clock.now += 60
    assert poller.poll(Recorder(r)) == 0
    assert len(api.calls_to(CREATE_SESSION)) == 1
    uri = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    mention = Mention("bluesky", uri, "x", Author(KUNDE, "kunde.bsky.social"), T0)
    with pytest.raises(SourceError) as refused:
        new_replies(api, app_password="wrong").reply(mention, "Hallo")
    assert refused.value.key == "source.refused" and not refused.value.retryable
    assert "BLUESKY_APP_PASSWORD" in refused.value.params["detail"]


# ----- replies -------------------------------------------------------------------------------
def test_a_reply_lands_in_the_thread_with_root_and_parent_refs(api: BlueskyAPI, r: redis.Redis,
                                                               clock: Clock) -> None:
    root = api.add_mention("@brand.bsky.social Kein Netz in Köln", KUNDE, "kunde.bsky.social")
    middle = api.add_reply("Bei mir auch nicht", ANDERE, "andere.bsky.social", parent=root)
    asking = api.add_mention("@brand.bsky.social was ist da los?", ANDERE, "andere.bsky.social",
                             reply_to=middle)
    mention = mention_for(api, asking, r, clock)
    text = "Hallo! Wir prüfen das, Details: https://brand.example/status ^AB"
    posted = new_replies(api).reply(mention, text)

    [reply] = api.replies()
    record = reply["record"]
    assert record["text"] == text
    assert record["reply"]["parent"] == {"uri": asking, "cid": api.post(asking)["cid"],
                                         "$type": "com.atproto.repo.strongRef"}
    assert record["reply"]["root"] == {"uri": root, "cid": api.post(root)["cid"],
                                       "$type": "com.atproto.repo.strongRef"}
    assert reply["repo"] == api.did and reply["collection"] == "app.bsky.feed.post"
    assert record["createdAt"]
    [link] = record["facets"]
    assert link["features"][0]["uri"] == "https://brand.example/status"
    assert posted.id == reply["uri"]
    assert posted.url == f"https://bsky.app/profile/brand.bsky.social/post/{reply['uri'].rsplit('/', 1)[1]}"
    assert api.last_call("app.bsky.feed.getPosts").query["uris"] == asking


def test_a_reply_to_the_thread_root_uses_it_as_root_and_parent(api: BlueskyAPI, r: redis.Redis,
                                                               clock: Clock) -> None:
    root = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    new_replies(api).reply(mention_for(api, root, r, clock), "Wir melden uns. ^AB")
    ref = {"uri": root, "cid": api.post(root)["cid"], "$type": "com.atproto.repo.strongRef"}
    assert api.replies()[0]["record"]["reply"] == {"root": ref, "parent": ref,
                                                   "$type": "app.bsky.feed.post#replyRef"}


def test_refusals_and_outages_become_source_errors(api: BlueskyAPI, r: redis.Redis,
                                                   clock: Clock) -> None:
    uri = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    mention = mention_for(api, uri, r, clock)
    replies = new_replies(api)

    api.fail_next(CREATE_RECORD, 429, retry_after=300)
    with pytest.raises(SourceError) as limited:
        replies.reply(mention, "eins")
    assert limited.value.key == "source.rate_limited" and limited.value.retryable
    assert limited.value.params["reset"] == (T0 + timedelta(minutes=5)).strftime("%H:%M UTC")

    api.fail_next(CREATE_RECORD, 500)
    with pytest.raises(SourceError) as broken:
        replies.reply(mention, "zwei")
    assert broken.value.key == "source.refused" and broken.value.retryable

    api.limit_replies(uri)
    with pytest.raises(SourceError) as gated:
        replies.reply(mention, "drei")
    assert gated.value.key == "source.refused" and not gated.value.retryable
    assert api.replies() == []

    gone = Mention("bluesky", f"at://{KUNDE}/app.bsky.feed.post/3kzzzzzzzzz22", "x",
                   Author(KUNDE, "kunde.bsky.social"), T0, conversation_id="")
    with pytest.raises(SourceError) as missing:
        replies.reply(gone, "vier")
    assert missing.value.key == "source.refused" and "not found" in missing.value.params["detail"]


def test_an_unreachable_pds_is_retryable(api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    uri = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    mention = mention_for(api, uri, r, clock)
    closed = BlueskyAPI().start()
    dead_url = closed.base_url
    closed.stop()
    with pytest.raises(SourceError) as down:
        new_replies(api, service_url=dead_url).reply(mention, "Hallo")
    assert down.value.key == "source.unreachable" and down.value.retryable


# ----- chat ----------------------------------------------------------------------------------
def test_private_reply_opens_the_convo_and_sends_through_the_chat_proxy(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    uri = api.add_mention("@brand.bsky.social Meine Rechnung stimmt nicht", KUNDE,
                          "kunde.bsky.social")
    mention = mention_for(api, uri, r, clock)
    posted = new_replies(api).private_reply(mention, "Schreib uns bitte deine Kundennummer. ^AB")
    [message] = api.messages()
    assert message["text"] == "Schreib uns bitte deine Kundennummer. ^AB"
    assert message["members"] == sorted([api.did, KUNDE]) and message["sender"] == api.did
    assert posted.id == message["id"]
    assert posted.url == f"https://bsky.app/messages/{message['convo_id']}"
    for route in ("chat.bsky.convo.getConvoForMembers", "chat.bsky.convo.sendMessage"):
        assert api.last_call(route).headers["atproto-proxy"] == "did:web:api.bsky.chat#bsky_chat"
    assert api.last_call("chat.bsky.convo.getConvoForMembers").query["members"] == KUNDE
    assert "atproto-proxy" not in api.last_call(CREATE_SESSION).headers


@pytest.mark.parametrize("close", [BlueskyAPI.disable_chat, BlueskyAPI.chat_from_following_only])
def test_a_customer_who_takes_no_chat_from_us_is_private_closed(
        api: BlueskyAPI, r: redis.Redis, clock: Clock, close: object) -> None:
    uri = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    mention = mention_for(api, uri, r, clock)
    close(api, KUNDE)  # type: ignore[operator]
    with pytest.raises(SourceError) as closed:
        new_replies(api).private_reply(mention, "Hallo")
    assert closed.value.key == "source.private_closed"
    assert closed.value.params == {"channel": "Chat"} and not closed.value.retryable
    assert api.messages() == []


def test_an_app_password_without_dm_access_is_no_private(r: redis.Redis, clock: Clock) -> None:
    with BlueskyAPI(dm_access=False) as api:
        uri = api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
        mention = mention_for(api, uri, r, clock)
        with pytest.raises(SourceError) as refused:
            new_replies(api).private_reply(mention, "Hallo")
    assert refused.value.key == "source.no_private"
    assert refused.value.params["channel"] == "Chat"
    assert "Bad token method" in refused.value.params["detail"]


# ----- session -------------------------------------------------------------------------------
def test_an_expired_access_token_is_refreshed_and_the_call_succeeds(
        api: BlueskyAPI, r: redis.Redis, clock: Clock) -> None:
    api.add_mention("@brand.bsky.social Hilfe", KUNDE, "kunde.bsky.social")
    poller = new_poller(api, r, clock)
    got = Recorder(r)
    poller.poll(got)
    replies = new_replies(api)
    replies.reply(got.handed[0], "eins")

    api.expire_access_tokens()
    seed(api, 1)
    assert poller.poll(got) == 1
    replies.reply(got.handed[0], "zwei")
    api.expire_access_tokens()
    replies.private_reply(got.handed[0], "drei")  # the chat clone shares the refreshed session

    assert [r["record"]["text"] for r in api.replies()] == ["eins", "zwei"]
    assert [m["text"] for m in api.messages()] == ["drei"]
    expired = [c for c in api.calls if c.status == 400]
    assert {c.route for c in expired} == {NOTIFICATIONS, "app.bsky.feed.getPosts",
                                          "chat.bsky.convo.getConvoForMembers"}
    assert len(api.calls_to(REFRESH_SESSION)) == 3
    assert len(api.calls_to(CREATE_SESSION)) == 2  # one login per poller / replier object


def test_a_spent_refresh_token_means_logging_in_again(api: BlueskyAPI, r: redis.Redis,
                                                      clock: Clock) -> None:
    seed(api, 1)
    poller = new_poller(api, r, clock)
    assert poller.poll(Recorder(r)) == 1
    api.expire_access_tokens()
    api.revoke_refresh_tokens()
    seed(api, 1)
    assert poller.poll(Recorder(r)) == 1
    assert api.last_call(REFRESH_SESSION).status == 400
    assert len(api.calls_to(CREATE_SESSION)) == 2
