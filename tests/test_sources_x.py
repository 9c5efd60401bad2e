"""X source against the X API v2 emulator and a real redis-server: polling, replies, DMs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
import redis
import requests

from bot.errors import NetworkError
from bot.models import Author, Mention
from bot.settings import Settings
from bot.sources.base import SourceError
from bot.sources.x import NETWORK as X
from bot.sources.x.poll import XPoller
from bot.sources.x.replies import XReplies as XSource
from bot.sources.x.replies import make_client
from bot.store import MentionQueue, keys
from bot.store.checkpoints import Checkpoints
from tests.emulators import XAPI

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC).timestamp()
MENTIONS = "GET /2/users/:id/mentions"
QUERY = "telekom -is:retweet lang:de"


class Clock:
    """A settable epoch clock for the poller (no test sleeps)."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def settings_for(x_api: XAPI, **overrides: str) -> Settings:
    values = {"x_api_url": x_api.base_url, "x_bearer_token": "x-bearer", "x_consumer_key": "ck",
              "x_consumer_secret": "cs", "x_access_token": "at", "x_access_token_secret": "ats"}
    values.update(overrides)
    return Settings(**values).network(X)


@pytest.fixture
def r(redis_url: str) -> redis.Redis:
    return redis.Redis.from_url(redis_url, decode_responses=True)


@pytest.fixture
def clock(x_api: XAPI) -> Clock:
    x_api.set_now(T0)
    return Clock(T0)


class Recorder:
    """The real queue's `enqueue`, remembering every mention it was handed."""

    def __init__(self, r: redis.Redis) -> None:
        self.queue = MentionQueue(r)
        self.handed: list[Mention] = []

    def __call__(self, mention: Mention) -> bool:
        self.handed.append(mention)
        return self.queue.enqueue(mention)

    @property
    def ids(self) -> list[str]:
        return [m.id for m in self.handed]


def new_poller(x_api: XAPI, r: redis.Redis, clock: Callable[[], float], *, query: str | None = None,
               brand_id: str | None = "1000") -> XPoller:
    """A poller as a freshly started worker builds it (new client, state only in Redis)."""
    client = make_client(settings_for(x_api), return_type=requests.Response)
    return XPoller(client, Checkpoints(r, "x"), brand_id=brand_id, query=query, now=clock)


def seed_mentions(x_api: XAPI, first: int, count: int, author: str = "501") -> list[str]:
    ids = [str(1850000000000000000 + n) for n in range(first, first + count)]
    for tid in ids:
        x_api.add_mention(tid, f"@brand kein Internet ({tid})", author, f"kunde_{author}",
                          f"Kunde {author}")
    return ids


def test_mentions_are_normalised_with_author_url_and_conversation(x_api: XAPI, r: redis.Redis,
                                                                  clock: Clock) -> None:
    x_api.add_mention("1850000000000000001", "@brand Seit Tagen kein Netz!", "501", "kunde_a",
                      "Kunde A", created_at="2026-11-25T08:15:00Z")
    x_api.add_mention("1850000000000000002", "@brand Immer noch nicht!", "501", "kunde_a",
                      "Kunde A", in_reply_to="1850000000000000001")
    got = Recorder(r)
    assert new_poller(x_api, r, clock).poll(got) == 2
    first, second = got.handed
    assert first == Mention(
        network="twitter", id="1850000000000000001", text="@brand Seit Tagen kein Netz!",
        author=Author("501", "kunde_a", "Kunde A"),
        created_at=datetime(2026, 11, 25, 8, 15, tzinfo=UTC),
        url="https://x.com/kunde_a/status/1850000000000000001",
        conversation_id="1850000000000000001", in_reply_to="", found_by="mention")
    assert second.in_reply_to == "1850000000000000001"
    assert second.conversation_id == "1850000000000000001"
    call = x_api.last_call(MENTIONS)
    assert call.path == "/2/users/1000/mentions"
    assert call.auth == "bearer" and call.token == "x-bearer"
    assert call.query["expansions"] == "author_id"
    assert {"author_id", "conversation_id", "created_at", "referenced_tweets"} <= set(
        call.query["tweet.fields"].split(","))
    assert call.query["user.fields"] == "username,name"
    assert "since_id" not in call.query


def test_checkpoint_survives_a_worker_restart_without_miss_or_repeat(x_api: XAPI, r: redis.Redis,
                                                                     clock: Clock) -> None:
    got = Recorder(r)
    before = seed_mentions(x_api, 1, 3)
    assert new_poller(x_api, r, clock).poll(got) == 3
    assert Checkpoints(r, "x").get("mentions") == before[-1]

    after = seed_mentions(x_api, 10, 2)  # arrive while the worker is down
    restarted = new_poller(x_api, r, clock)
    assert restarted.poll(got) == 2
    assert x_api.last_call(MENTIONS).query["since_id"] == before[-1]
    assert restarted.poll(got) == 0

    assert got.ids == before + after  # each once, oldest first: nothing missed, nothing repeated
    assert r.xlen(keys.MENTION_STREAM) == 5


def test_all_pages_newer_than_the_checkpoint_are_read(x_api: XAPI, r: redis.Redis,
                                                      clock: Clock) -> None:
    got = Recorder(r)
    seed_mentions(x_api, 0, 1)
    new_poller(x_api, r, clock).poll(got)
    burst = seed_mentions(x_api, 100, 230)
    assert new_poller(x_api, r, clock).poll(got) == 230
    calls = x_api.calls_to(MENTIONS)[1:]
    assert len(calls) == 3
    assert "pagination_token" not in calls[0].query
    assert all(c.query.get("pagination_token") for c in calls[1:])
    assert got.ids[1:] == burst
    assert Checkpoints(r, "x").get("mentions") == burst[-1]


def test_first_run_reads_only_the_newest_page(x_api: XAPI, r: redis.Redis, clock: Clock) -> None:
    ids = seed_mentions(x_api, 0, 150)
    got = Recorder(r)
    assert new_poller(x_api, r, clock).poll(got) == 100
    assert got.ids == ids[50:]
    assert len(x_api.calls_to(MENTIONS)) == 1


def test_429_backs_off_until_reset_and_keeps_the_checkpoint(x_api: XAPI, r: redis.Redis,
                                                            clock: Clock) -> None:
    got = Recorder(r)
    old = seed_mentions(x_api, 1, 1)
    new_poller(x_api, r, clock).poll(got)
    waiting = seed_mentions(x_api, 5, 2)
    x_api.fail_next(MENTIONS, 429, retry_after=120)

    assert new_poller(x_api, r, clock).poll(got) == 0  # no exception
    assert Checkpoints(r, "x").get("mentions") == old[-1]
    assert Checkpoints(r, "x").blocked_until("mentions", clock()) == T0 + 120

    calls = len(x_api.calls_to(MENTIONS))
    clock.now = T0 + 60
    assert new_poller(x_api, r, clock).poll(got) == 0  # a restarted worker waits as well
    assert len(x_api.calls_to(MENTIONS)) == calls

    clock.now = T0 + 121
    x_api.set_now(clock.now)
    assert new_poller(x_api, r, clock).poll(got) == 2
    assert x_api.last_call(MENTIONS).query["since_id"] == old[-1]
    assert got.ids == old + waiting


def test_a_spent_window_is_not_called_again_before_reset(x_api: XAPI, r: redis.Redis,
                                                         clock: Clock) -> None:
    x_api.set_rate_limit(MENTIONS, 450, remaining=1)
    seed_mentions(x_api, 1, 1)
    poller = new_poller(x_api, r, clock)
    assert poller.poll(Recorder(r)) == 1
    seed_mentions(x_api, 2, 1)
    assert poller.poll(Recorder(r)) == 0
    assert len(x_api.calls_to(MENTIONS)) == 1
    assert all(c.status != 429 for c in x_api.calls)


def test_rate_limit_in_the_middle_of_paging_keeps_the_checkpoint(x_api: XAPI, r: redis.Redis,
                                                                 clock: Clock) -> None:
    got = Recorder(r)
    old = seed_mentions(x_api, 0, 1)
    new_poller(x_api, r, clock).poll(got)
    burst = seed_mentions(x_api, 100, 150)
    x_api.set_rate_limit(MENTIONS, 450, remaining=1)  # page 1 passes, page 2 would be refused
    new_poller(x_api, r, clock).poll(got)
    assert Checkpoints(r, "x").get("mentions") == old[-1]
    assert x_api.calls_to(MENTIONS)[-1].status == 200

    clock.now = T0 + 15 * 60 + 1
    x_api.set_now(clock.now)
    new_poller(x_api, r, clock).poll(got)
    assert Checkpoints(r, "x").get("mentions") == burst[-1]
    assert r.xlen(keys.MENTION_STREAM) == 151  # the queue kept the re-read page from repeating
    assert sorted(set(got.ids)) == sorted(old + burst)


def test_search_finds_posts_and_skips_the_brands_own(x_api: XAPI, r: redis.Redis,
                                                     clock: Clock) -> None:
    x_api.add_tweet("1850000000000000007", "Die Telekom hat schon wieder Störung", "502",
                    "kunde_b", "Kunde B")
    x_api.add_tweet("1850000000000000008", "Telekom hilft: wir schauen nach", "1000", "brand",
                    "Brand Service")
    x_api.add_tweet("1850000000000000009", "Telekom is great", "503", "kunde_c", "C", lang="en")
    got = Recorder(r)
    new_poller(x_api, r, clock, query=QUERY).poll(got)
    assert got.ids == ["1850000000000000007"]
    assert got.handed[0].url == "https://x.com/kunde_b/status/1850000000000000007"
    call = x_api.last_call("GET /2/tweets/search/recent")
    assert call.query["query"] == QUERY and call.query["expansions"] == "author_id"
    assert Checkpoints(r, "x").get("search") == "1850000000000000008"


def test_brand_account_is_asked_once_when_not_configured(x_api: XAPI, r: redis.Redis,
                                                         clock: Clock) -> None:
    seed_mentions(x_api, 1, 1)
    poller = new_poller(x_api, r, clock, brand_id=None)
    poller.poll(Recorder(r))
    poller.poll(Recorder(r))
    me = x_api.calls_to("GET /2/users/me")
    assert len(me) == 1 and me[0].auth == "oauth1" and me[0].token == "at"
    assert x_api.last_call(MENTIONS).path == "/2/users/1000/mentions"


def test_an_outage_is_logged_not_raised(x_api: XAPI, r: redis.Redis, clock: Clock) -> None:
    seed_mentions(x_api, 1, 1)
    x_api.fail_next(MENTIONS, 503)
    poller = new_poller(x_api, r, clock)
    assert poller.poll(Recorder(r)) == 0
    assert Checkpoints(r, "x").get("mentions") is None
    assert poller.poll(Recorder(r)) == 1


# ----- replies and direct messages ---------------------------------------------------------------

def mention_of(tweet_id: str, author: str = "501") -> Mention:
    return Mention("twitter", tweet_id, "@brand kein Netz", Author(author, f"kunde_{author}"),
                   datetime.now(UTC))


def source(x_api: XAPI) -> XSource:
    return XSource(make_client(settings_for(x_api)))


def test_reply_is_create_tweet_in_reply_to_with_user_context(x_api: XAPI) -> None:
    x_api.add_mention("1850000000000000001", "@brand kein Netz", "501", "kunde_a", "Kunde A")
    posted = source(x_api).reply(mention_of("1850000000000000001"), "Das tut uns leid! ^AB")
    call = x_api.last_call("POST /2/tweets")
    assert call.body == {"text": "Das tut uns leid! ^AB",
                         "reply": {"in_reply_to_tweet_id": "1850000000000000001"}}
    assert call.auth == "oauth1" and call.token == "at"
    assert posted.id == x_api.replies_to("1850000000000000001")[0]["id"]


def test_private_reply_is_a_direct_message_to_the_author(x_api: XAPI) -> None:
    posted = source(x_api).private_reply(mention_of("1850000000000000001"), "Hallo, hier ist AB.")
    call = x_api.last_call("POST /2/dm_conversations/with/:participant_id/messages")
    assert call.path == "/2/dm_conversations/with/501/messages"
    assert call.body == {"text": "Hallo, hier ist AB."}
    assert call.auth == "oauth1" and call.token == "at"
    assert posted.id == x_api.dms[0]["dm_event_id"]
    assert posted.url == f"https://x.com/messages/{x_api.dms[0]['dm_conversation_id']}"


def test_closed_dms_raise_a_clear_network_error(x_api: XAPI) -> None:
    x_api.block_dms("501")
    with pytest.raises(SourceError) as caught:
        source(x_api).private_reply(mention_of("1850000000000000001"), "Hallo")
    assert caught.value.key == "source.x_dm_closed"
    assert "Direktnachrichten" in caught.value.reason and not caught.value.retryable
    assert x_api.dms == []


def test_reply_to_a_post_that_does_not_mention_us_is_explained(x_api: XAPI) -> None:
    x_api.add_tweet("1850000000000000003", "Telekom Störung", "502", "kunde_b", "B")
    with pytest.raises(SourceError) as caught:
        source(x_api).reply(mention_of("1850000000000000003", "502"), "Hallo")
    assert caught.value.key == "source.x_not_mentioned"


def test_rate_limited_reply_is_retryable(x_api: XAPI) -> None:
    x_api.add_mention("1850000000000000001", "@brand kein Netz", "501", "kunde_a", "Kunde A")
    x_api.fail_next("POST /2/tweets", 429, retry_after=60)
    with pytest.raises(NetworkError) as caught:
        source(x_api).reply(mention_of("1850000000000000001"), "Hallo")
    assert caught.value.retryable and "Ratenlimit" in caught.value.reason


def test_reply_limit_counts_like_x() -> None:
    assert X.reply_limit("a" * 250 + " https://example.com/very/long/path x") == (276, 280)
    assert X.reply_limit("😀") == (2, 280)


# ----- through the desk: worker restart and /dm --------------------------------------------------

@pytest.fixture
def harness(redis_url, slack_api, x_api, graph_api, signing_secret):
    from tests.harness import DeskHarness

    made: list[DeskHarness] = []

    def make() -> DeskHarness:
        made.append(DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret))
        return made[-1]

    yield make
    for h in made:
        h.close()


def test_polling_job_across_a_worker_restart_posts_each_card_once(harness, x_api: XAPI) -> None:
    from bot.scheduler import worker_jobs

    x_api.add_mention("1850000000000000001", "@brand Seit drei Tagen kein Internet!", "501",
                      "kunde_a", "Kunde A")
    first = harness()
    job = worker_jobs(first.rt)["poll:x"]
    assert job.every.total_seconds() == 60
    job.run()
    first.process()
    first.close()

    x_api.add_mention("1850000000000000002", "@brand Router tot, Frechheit!", "502", "kunde_b",
                      "Kunde B")
    second = harness()  # a new worker process: nothing but Redis survives
    for _ in range(2):  # two intervals later (each poll's lease has run out)
        second.rt.redis.delete(keys.lease("poll:twitter"))
        worker_jobs(second.rt)["poll:x"].run()
    second.process()

    cards = second.cards("C0FESTNETZ")
    assert [c["metadata"]["event_payload"]["item"] for c in cards] == [1, 2]
    assert x_api.calls_to(MENTIONS)[-1].query["since_id"] == "1850000000000000002"


def test_dm_command_posts_the_invite_and_a_direct_message(harness, x_api: XAPI) -> None:
    from tests.harness import AGENT_A

    x_api.add_mention("1850000000000000001", "@brand Eure Hotline ist eine Frechheit!", "501",
                      "kunde_a", "Kunde A")
    desk = harness()
    from bot.scheduler import worker_jobs

    worker_jobs(desk.rt)["poll:x"].run()
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/dm", "1 Hallo, bitte schick uns deine Kundennummer hier.", AGENT_A)
    assert "privat" in answer
    invite = x_api.last_call("POST /2/tweets")
    assert invite.body["reply"] == {"in_reply_to_tweet_id": "1850000000000000001"}
    assert invite.body["text"].endswith(" ^AB") and "Direktnachricht" in invite.body["text"]
    dm = x_api.last_call("POST /2/dm_conversations/with/:participant_id/messages")
    assert dm.path == "/2/dm_conversations/with/501/messages" and dm.auth == "oauth1"
    assert dm.body == {"text": "Hallo, bitte schick uns deine Kundennummer hier. ^AB"}
    assert desk.rt.items.get(1).state == "private"


def test_dm_command_with_closed_dms_tells_the_agent_why(harness, x_api: XAPI) -> None:
    from bot.scheduler import worker_jobs
    from tests.harness import AGENT_A

    x_api.add_mention("1850000000000000001", "@brand Eure Hotline ist eine Frechheit!", "501",
                      "kunde_a", "Kunde A")
    x_api.block_dms("501")
    desk = harness()
    worker_jobs(desk.rt)["poll:x"].run()
    desk.process()
    desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/dm", "1", AGENT_A)
    assert "Direktnachrichten" in answer  # the reason, in the agent's words
    assert x_api.dms == [] and len(x_api.replies_to("1850000000000000001")) == 1


def test_sources_without_credentials_are_skipped_with_one_log_line(caplog) -> None:
    from types import SimpleNamespace

    from bot.config import config_from_dict
    from bot.scheduler import poll_job
    from bot.sources.registry import networks

    rt = SimpleNamespace(settings=Settings(), redis=None,
                         config=config_from_dict({"channels": {"default": "C0ALERTS"}}))
    with caplog.at_level("INFO", logger="bot.scheduler"):
        assert [poll_job(rt, spec) for spec in networks().values()] == [None] * len(networks())
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == len(networks())  # one line per network, nothing else
    assert "X polling skipped" in " ".join(lines) and "Facebook polling skipped" in " ".join(lines)


def test_bearer_token_alone_cannot_post_and_says_which_secrets_are_missing(x_api: XAPI) -> None:
    bearer_only = XSource(make_client(
        Settings(x_api_url=x_api.base_url, x_bearer_token="b").network(X)))
    with pytest.raises(SourceError) as caught:
        bearer_only.reply(mention_of("1850000000000000001"), "Hallo")
    assert "X_ACCESS_TOKEN" in caught.value.reason
    assert x_api.calls == []


def test_several_workers_poll_once_per_interval(desk) -> None:
    """A Redis lease per source: X's rate limit is spent once, not once per worker."""
    from bot.entry.runtime import build_runtime
    from bot.scheduler import worker_jobs

    other = build_runtime(desk.settings, desk.config)  # a second worker process's wiring
    first = worker_jobs(desk.rt)["poll:x"].run
    second = worker_jobs(other)["poll:x"].run
    first()
    second()
    assert len(desk.x.calls_to("GET /2/users/:id/mentions")) == 1
