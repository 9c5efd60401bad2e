"""The emulators and fixtures behave like the real services, driven by the real clients."""

from __future__ import annotations

import json
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import redis
import requests
import tweepy
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.signature import SignatureVerifier

from tests.emulators import XAPI, GraphAPI, SlackAPI
from tests.support.facebook_signing import sign_webhook
from tests.support.redis_server import RedisServer
from tests.support.slack_signing import (
    block_actions_payload,
    interactivity_body,
    signed_headers,
    slash_body,
)
from tests.support.x_transport import redirect_session

TOKEN = "xoxb-test-token"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


# -- Slack ------------------------------------------------------------------------------------
@pytest.fixture
def slack(slack_api: SlackAPI) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack_api.base_url)


def test_slack_post_update_and_thread_are_stored_and_recorded(
    slack_api: SlackAPI, slack: WebClient
) -> None:
    metadata = {"event_type": "desk_item", "event_payload": {"item": 17}}
    card = slack.chat_postMessage(channel="C0ALERTS", text="#17", metadata=metadata,
                                  blocks=[{"type": "section",
                                           "text": {"type": "mrkdwn", "text": "#17"}}])
    reply = slack.chat_postMessage(channel="C0ALERTS", text="claimed", thread_ts=card["ts"])
    slack.chat_update(channel="C0ALERTS", ts=card["ts"], text="#17 claimed")

    assert card["ts"] < reply["ts"]
    assert card["message"]["metadata"] == metadata
    [stored] = slack_api.messages("C0ALERTS")
    assert stored["text"] == "#17 claimed" and stored["reply_count"] == 1
    assert [m["text"] for m in slack_api.thread("C0ALERTS", card["ts"])] == ["claimed"]
    replies = slack.conversations_replies(channel="C0ALERTS", ts=card["ts"])
    assert [m["text"] for m in replies["messages"]] == ["#17 claimed", "claimed"]
    posted = slack_api.calls_to("chat.postMessage")[0]
    assert posted.body["metadata"] == metadata and posted.token == TOKEN
    assert posted.body["blocks"][0]["type"] == "section"


def test_slack_external_upload_flow_of_files_upload_v2_keeps_the_bytes(
    slack_api: SlackAPI, slack: WebClient
) -> None:
    data = bytes(range(256)) * 3  # not text: the upload URL takes raw bytes
    parent = slack.chat_postMessage(channel="C0LEADS", text="summary")
    done = slack.files_upload_v2(channel="C0LEADS", thread_ts=parent["ts"], file=data,
                                 filename="chart.bin", title="Chart", alt_txt="a chart")
    [f] = slack_api.uploaded_files("C0LEADS")
    assert done["file"]["id"] == f.id and f.data == data and f.length == len(data)
    assert (f.title, f.alt_txt, f.thread_ts) == ("Chart", "a chart", parent["ts"])
    assert slack_api.thread("C0LEADS", parent["ts"])[0]["files"][0]["name"] == "chart.bin"
    with pytest.raises(SlackApiError, match="thread_not_found"):
        slack.files_upload_v2(channel="C0LEADS", thread_ts="1.000001", file=data,
                              filename="x.bin")
    ticket = slack.files_getUploadURLExternal(filename="y.bin", length=3)
    with pytest.raises(SlackApiError, match="file_not_found"):  # no bytes posted yet
        slack.files_completeUploadExternal(files=[{"id": ticket["file_id"]}],
                                           channel_id="C0LEADS")
    assert httpx.post(ticket["upload_url"], content=b"toolong").status_code == 200
    with pytest.raises(SlackApiError, match="file_upload_size_mismatch"):
        slack.files_completeUploadExternal(files=[{"id": ticket["file_id"]}])


def test_slack_update_of_unknown_message_is_message_not_found(slack: WebClient) -> None:
    with pytest.raises(SlackApiError) as error:
        slack.chat_update(channel="C0ALERTS", ts="1.000100", text="x")
    assert error.value.response["error"] == "message_not_found"


def test_slack_scripted_429_is_retried_by_rate_limit_handler(
    slack_api: SlackAPI, monkeypatch: pytest.MonkeyPatch
) -> None:
    sleeps: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", types.SimpleNamespace(sleep=sleeps.append))
    client = WebClient(token=TOKEN, base_url=slack_api.base_url,
                       retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    slack_api.fail_next("chat.postMessage", 429, retry_after=3)

    response = client.chat_postMessage(channel="C0ALERTS", text="hallo")

    assert response["ok"]
    assert [c.status for c in slack_api.calls_to("chat.postMessage")] == [429, 200]
    assert len(sleeps) == 1 and 3 <= sleeps[0] < 4  # Retry-After honoured
    assert len(slack_api.messages("C0ALERTS")) == 1


def test_slack_strict_channel_rate_answers_429_within_a_second_and_records_accepted_posts(
    slack_api: SlackAPI, slack: WebClient
) -> None:
    slack_api.enforce_channel_rate(1.0)
    card = slack.chat_postMessage(channel="C0ALERTS", text="#1")
    for thread_ts in (None, card["ts"]):  # a thread reply counts against the channel as well
        with pytest.raises(SlackApiError) as error:
            slack.chat_postMessage(channel="C0ALERTS", text="too soon", thread_ts=thread_ts)
        assert error.value.response.status_code == 429
        assert error.value.response["error"] == "ratelimited"
        assert error.value.response.headers["Retry-After"] == "1"
    other = slack.chat_postMessage(channel="C0MOBIL", text="#2")  # another channel: its own
    time.sleep(1.0)
    reply = slack.chat_postMessage(channel="C0ALERTS", text="later", thread_ts=card["ts"])

    assert slack_api.rate_limited == 2
    accepted = slack_api.accepted_posts()
    assert [(p.channel, p.ts, p.thread_ts) for p in accepted] == [
        ("C0ALERTS", card["ts"], None), ("C0MOBIL", other["ts"], None),
        ("C0ALERTS", reply["ts"], card["ts"])]
    assert accepted[2].at - accepted[0].at >= 1.0
    assert [m["text"] for m in slack_api.messages("C0ALERTS", include_replies=True)] == [
        "#1", "later"]  # refused posts store nothing
    slack_api.enforce_channel_rate(None)
    slack.chat_postMessage(channel="C0ALERTS", text="no limit")
    assert slack_api.rate_limited == 2


def test_slack_committed_500_stores_the_message_but_loses_the_answer(
    slack_api: SlackAPI, slack: WebClient
) -> None:
    slack_api.fail_next("/api/chat.postMessage", 500, commit=True)
    with pytest.raises(SlackApiError):
        slack.chat_postMessage(channel="C0ALERTS", text="#17")
    assert [m["text"] for m in slack_api.messages("C0ALERTS")] == ["#17"]
    assert slack_api.last_call().status == 500


def test_slack_errors_auth_unknown_method_and_trigger(slack_api: SlackAPI) -> None:
    bad = WebClient(token="nope", base_url=slack_api.base_url)
    with pytest.raises(SlackApiError, match="invalid_auth"):
        bad.auth_test()
    good = WebClient(token=TOKEN, base_url=slack_api.base_url)
    with pytest.raises(SlackApiError, match="unknown_method"):
        good.api_call("chat.frobnicate")
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        good.views_open(trigger_id="", view={"type": "modal", "blocks": []})
    view = good.views_open(trigger_id="1.2.t", view={"type": "modal", "callback_id": "reply",
                                                     "title": {"type": "plain_text",
                                                               "text": "Reply"}, "blocks": []})
    good.views_update(view_id=view["view"]["id"], view={"type": "modal", "blocks": []})
    assert slack_api.views()[0]["callback_id"] == "reply"


def test_slack_form_bodies_ephemeral_permalink_and_users(slack_api: SlackAPI) -> None:
    slack_api.add_user("U0AGENT1", "anna", email="anna@example.com")
    slack_api.add_usergroup("S0LEADS", ["U0LEAD1"])
    blocks = json.dumps([{"type": "divider"}])
    posted = httpx.post(slack_api.base_url + "chat.postMessage",
                        data={"token": TOKEN, "channel": "C1", "blocks": blocks}).json()
    client = WebClient(token=TOKEN, base_url=slack_api.base_url)

    assert slack_api.last_call("chat.postMessage").body["blocks"] == [{"type": "divider"}]
    assert client.chat_postEphemeral(channel="C1", user="U0AGENT1", text="held")["message_ts"]
    assert slack_api.ephemerals(user="U0AGENT1")[0]["text"] == "held"
    link = client.chat_getPermalink(channel="C1", message_ts=posted["ts"])["permalink"]
    assert link.endswith("/archives/C1/p" + posted["ts"].replace(".", ""))
    assert client.users_info(user="U0AGENT1")["user"]["profile"]["email"] == "anna@example.com"
    assert client.usergroups_users_list(usergroup="S0LEADS")["users"] == ["U0LEAD1"]


def test_slack_response_url_is_recorded_and_works_five_times(slack_api: SlackAPI) -> None:
    url = slack_api.response_url("cmd-1")
    statuses = [httpx.post(url, json={"text": f"#{n}"}).status_code for n in range(6)]
    assert statuses == [200] * 5 + [404]
    assert slack_api.responses("cmd-1")[0] == {"text": "#0"}


def test_signed_headers_match_slack_sdk_verifier(signing_secret: str) -> None:
    body = slash_body("/claim", "17", "U0AGENT1", "C0ALERTS")
    headers = signed_headers(body, signing_secret)
    verifier = SignatureVerifier(signing_secret)
    assert verifier.is_valid_request(body, headers)
    old = signed_headers(body, signing_secret, timestamp=int(time.time()) - 600)
    assert not verifier.is_valid_request(body, old)
    action = interactivity_body(block_actions_payload("claim", "17", "U1", "C1", "1.000100"))
    assert verifier.is_valid_request(action, signed_headers(action, signing_secret))


# -- Redis ------------------------------------------------------------------------------------
def test_redis_url_starts_empty(redis_url: str) -> None:
    conn = redis.Redis.from_url(redis_url)
    assert conn.dbsize() == 0
    conn.set("left-behind", "1")  # the next test's flush removes it


def test_redis_restart_with_aof_keeps_keys() -> None:
    with RedisServer(appendonly=True) as server:
        port = server.port
        server.client().set("desk:item:17", "claimed")
        server.restart()
        assert server.port == port
        assert server.client().get("desk:item:17") == b"claimed"


# -- X API v2 ---------------------------------------------------------------------------------
@pytest.fixture
def x_client(x_api: XAPI) -> Iterator[tweepy.Client]:
    client = tweepy.Client(bearer_token="app-bearer", consumer_key="ck", consumer_secret="cs",
                           access_token="1000-at", access_token_secret="ats")
    redirect_session(client.session, x_api.base_url)
    yield client
    client.session.close()


def seed_mentions(x_api: XAPI, count: int) -> None:
    for n in range(1, count + 1):
        x_api.add_mention(str(1850000000000000000 + n), f"@brand Funkloch {n}", "501",
                          "kunde_a", "Kunde A", created_at=NOW)


def test_x_mentions_since_id_pages_and_author_expansion(
    x_api: XAPI, x_client: tweepy.Client
) -> None:
    seed_mentions(x_api, 7)
    fields = ["conversation_id", "created_at", "in_reply_to_user_id", "referenced_tweets"]
    first = x_client.get_users_mentions("1000", since_id="1850000000000000001", max_results=5,
                                        expansions=["author_id"], tweet_fields=fields)
    second = x_client.get_users_mentions("1000", since_id="1850000000000000001", max_results=5,
                                         pagination_token=first.meta["next_token"],
                                         expansions=["author_id"], tweet_fields=fields)

    assert [t.id for t in first.data] == [1850000000000000000 + n for n in (7, 6, 5, 4, 3)]
    assert first.meta["newest_id"] == "1850000000000000007"
    assert first.includes["users"][0].username == "kunde_a"
    assert first.data[0].conversation_id == 1850000000000000007
    assert [t.id for t in second.data] == [1850000000000000002]
    assert "next_token" not in second.meta
    call = x_api.last_call("/2/users/:id/mentions")
    assert call.auth == "bearer" and call.query["since_id"] == "1850000000000000001"
    assert int(call.query["max_results"]) == 5


def test_x_reply_and_dm_use_user_auth(x_api: XAPI, x_client: tweepy.Client) -> None:
    seed_mentions(x_api, 1)
    reply = x_client.create_tweet(text="Wir helfen gern ^AB",
                                  in_reply_to_tweet_id="1850000000000000001")
    x_client.create_direct_message(participant_id="501", text="Schreib uns per DM")

    assert reply.data["text"] == "Wir helfen gern ^AB"
    [posted] = x_api.replies_to("1850000000000000001")
    assert posted["text"] == "Wir helfen gern ^AB"
    call = x_api.last_call("POST /2/tweets")
    assert call.auth == "oauth1" and call.token == "1000-at" and call.status == 201
    assert call.body == {"text": "Wir helfen gern ^AB",
                         "reply": {"in_reply_to_tweet_id": "1850000000000000001"}}
    assert x_api.dms[0]["participant_id"] == "501"


def test_x_reply_to_post_that_does_not_mention_brand_is_forbidden(
    x_api: XAPI, x_client: tweepy.Client
) -> None:
    x_api.add_tweet("1850000000000000099", "Funkloch hier", "502", "kunde_b", "Kunde B")
    with pytest.raises(tweepy.Forbidden, match="not been mentioned"):
        x_client.create_tweet(text="Hallo", in_reply_to_tweet_id="1850000000000000099")


def test_x_scripted_429_carries_reset_and_rate_headers(
    x_api: XAPI, x_client: tweepy.Client
) -> None:
    seed_mentions(x_api, 1)
    x_api.fail_next("/2/users/:id/mentions", 429, retry_after=30)
    with pytest.raises(tweepy.TooManyRequests) as error:
        x_client.get_users_mentions("1000")
    assert error.value.reset_time == pytest.approx(time.time() + 30, abs=2)
    ok = requests.get(f"{x_api.base_url}/2/users/1000/mentions",
                      headers={"Authorization": "Bearer app"}, timeout=5)
    assert ok.status_code == 200 and int(ok.headers["x-rate-limit-remaining"]) >= 0
    assert {"x-rate-limit-limit", "x-rate-limit-reset"} <= set(ok.headers.keys()) | {
        k.lower() for k in ok.headers}


def test_x_spent_window_answers_429_until_reset(x_api: XAPI, x_client: tweepy.Client) -> None:
    x_api.set_now(1_800_000_000)
    x_api.set_rate_limit("GET /2/users/:id/mentions", limit=2, remaining=1)
    x_client.get_users_mentions("1000")
    with pytest.raises(tweepy.TooManyRequests) as error:
        x_client.get_users_mentions("1000")
    assert error.value.reset_time == 1_800_000_000 + 900
    x_api.set_now(1_800_000_000 + 900)
    assert x_client.get_users_mentions("1000").meta == {"result_count": 0}


def test_x_search_recent_filters_query_and_since_id(
    x_api: XAPI, x_client: tweepy.Client
) -> None:
    x_api.add_tweet("1850000000000000010", "telekom Funkloch", "502", "kunde_b", "Kunde B",
                    created_at=datetime.now(UTC))
    x_api.add_tweet("1850000000000000011", "telekom super", "503", "kunde_c", "Kunde C",
                    created_at=datetime.now(UTC), lang="en")
    found = x_client.search_recent_tweets("telekom -is:retweet lang:de",
                                          expansions=["author_id"])
    assert [t.id for t in found.data] == [1850000000000000010]
    none = x_client.search_recent_tweets("telekom", since_id="1850000000000000011")
    assert none.data is None and none.meta == {"result_count": 0}


# -- Graph API --------------------------------------------------------------------------------
def seed_feed(graph_api: GraphAPI, comment_time: datetime = NOW) -> None:
    graph_api.add_post("100000000000001_1", "Neuer Tarif", created_time=NOW - timedelta(days=1))
    graph_api.add_comment("100000000000001_1", "1_11", "Kein Netz!", "7001", "Kunde F",
                          created_time=comment_time)
    graph_api.add_comment("100000000000001_1", "1_12", "Immer noch", "7001", "Kunde F",
                          parent_id="1_11", created_time=comment_time)


def test_graph_feed_nests_comments_and_records_token(graph_api: GraphAPI) -> None:
    seed_feed(graph_api)
    fields = "id,message,created_time,comments.filter(stream){id,message,from,parent,created_time}"
    feed = httpx.get(f"{graph_api.base_url()}/{graph_api.page_id}/feed",
                     params={"fields": fields, "access_token": "page-token"}).json()

    [post] = feed["data"]
    comments = post["comments"]["data"]
    assert [c["id"] for c in comments] == ["1_11", "1_12"]
    assert comments[1]["parent"]["id"] == "1_11" and "parent" not in comments[0]
    assert comments[0]["from"] == {"id": "7001", "name": "Kunde F"}
    assert graph_api.last_call("/:id/feed").token == "page-token"


def test_graph_comment_reply_and_single_private_reply(graph_api: GraphAPI) -> None:
    seed_feed(graph_api)
    graph_api.set_now(NOW + timedelta(hours=1))
    base = graph_api.base_url()
    auth = {"Authorization": "Bearer page-token"}
    created = httpx.post(f"{base}/1_11/comments", data={"message": "Wir helfen ^AB"},
                         headers=auth)
    body = {"recipient": {"comment_id": "1_11"}, "message": {"text": "Hallo per PN"}}
    first = httpx.post(f"{base}/{graph_api.page_id}/messages", json=body, headers=auth)
    second = httpx.post(f"{base}/{graph_api.page_id}/messages", json=body, headers=auth)

    assert created.status_code == 200 and "id" in created.json()
    assert graph_api.replies_to("1_11")[0]["message"] == "Wir helfen ^AB"
    assert first.status_code == 200 and first.json()["message_id"]
    assert second.status_code == 400
    assert second.json()["error"]["code"] == 10900
    assert second.json()["error"]["type"] == "OAuthException"
    assert graph_api.private_replies[0]["text"] == "Hallo per PN"


def test_graph_private_reply_after_seven_days_is_refused(graph_api: GraphAPI) -> None:
    seed_feed(graph_api)
    graph_api.set_now(NOW + timedelta(days=7, seconds=1))
    answer = httpx.post(f"{graph_api.base_url()}/{graph_api.page_id}/messages",
                        params={"access_token": "t"},
                        json={"recipient": {"comment_id": "1_11"}, "message": {"text": "Hi"}})
    assert answer.status_code == 400 and answer.json()["error"]["code"] == 10900
    assert graph_api.private_replies == []


def test_graph_missing_token_and_scripted_throttle(graph_api: GraphAPI) -> None:
    seed_feed(graph_api)
    assert httpx.get(f"{graph_api.base_url()}/1_11").json()["error"]["code"] == 2500
    graph_api.fail_next("/:id/feed", 429, retry_after=120)
    throttled = httpx.get(f"{graph_api.base_url()}/{graph_api.page_id}/feed",
                          params={"access_token": "t"})
    assert throttled.status_code == 400 and throttled.json()["error"]["code"] == 32
    usage = json.loads(throttled.headers["x-business-use-case-usage"])
    assert usage[graph_api.page_id][0]["estimated_time_to_regain_access"] == 2


def test_sign_webhook_is_hmac_sha256_hex() -> None:
    # Known vector: HMAC-SHA256("key", "The quick brown fox jumps over the lazy dog").
    signature = sign_webhook(b"The quick brown fox jumps over the lazy dog", "key")
    assert signature == ("sha256=f7bc83f430538424b13298e6aa6fb143"
                         "ef4d59a14946175997479dbc2d1a3cd8")


def test_each_emulator_instance_has_its_own_state() -> None:
    with SlackAPI() as one, SlackAPI() as two, XAPI() as x, GraphAPI() as graph:
        WebClient(token=TOKEN, base_url=one.base_url).chat_postMessage(channel="C1", text="a")
        assert one.port != two.port and two.calls == [] and two.messages("C1") == []
        assert x.calls == [] and graph.calls == []
