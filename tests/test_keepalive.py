"""The Slack client keeps its connection (issue 15), against the Slack emulator over HTTP.

What it must still do as slack-sdk's own transport did: answer errors the same way (HTTP 429
retried after Retry-After, a 5xx on a post not repeated, `ok: false` as `SlackApiError`), never
post on a connection the server has closed, and work from several threads at once.
"""

from __future__ import annotations

import logging
import threading

import pytest
from slack_sdk.errors import SlackApiError

from bot.settings import Settings
from bot.slack.client import make_client
from tests.emulators import SlackAPI


def _client(slack: SlackAPI, *, safe_to_repeat: bool = True):  # type: ignore[no-untyped-def]
    settings = Settings(slack_bot_token="xoxb-test-token", slack_api_url=slack.base_url)
    return make_client(settings, safe_to_repeat=safe_to_repeat)


def _posts(slack: SlackAPI) -> list[int]:
    return [c.peer for c in slack.calls_to("chat.postMessage")]


def test_posts_one_after_another_share_one_connection(slack_api: SlackAPI) -> None:
    client = _client(slack_api)
    for i in range(20):
        assert client.chat_postMessage(channel="C1", text=f"Karte {i}")["ok"]
    peers = _posts(slack_api)
    assert len(peers) == 20 and len(set(peers)) == 1
    assert len(slack_api.messages("C1")) == 20


def test_a_connection_the_server_closed_is_not_used_again(slack_api: SlackAPI) -> None:
    client = _client(slack_api, safe_to_repeat=False)  # as cards are posted: no blind repeat
    client.chat_postMessage(channel="C1", text="vorher")
    assert slack_api.close_connections() == 1
    for i in range(3):
        client.chat_postMessage(channel="C1", text=f"nachher {i}")
    first, *after = _posts(slack_api)
    assert len(after) == 3 and first not in after and len(set(after)) == 1
    assert [m["text"] for m in slack_api.messages("C1")] == [
        "vorher", "nachher 0", "nachher 1", "nachher 2"]  # each exactly once


def test_a_server_that_closes_after_each_answer_still_gets_every_post(
        slack_api: SlackAPI) -> None:
    slack_api.fail_next("chat.postMessage", 200, times=3, headers={"Connection": "close"},
                        body={"ok": True}, commit=True)  # stored, answered, then closed
    client = _client(slack_api, safe_to_repeat=False)
    for i in range(5):
        client.chat_postMessage(channel="C1", text=f"Karte {i}")
    peers = _posts(slack_api)
    assert len(set(peers[:4])) == 4  # a new connection after each "Connection: close"
    assert peers[3] == peers[4]      # then kept again
    assert len(slack_api.messages("C1")) == 5


def test_errors_are_answered_as_before(slack_api: SlackAPI) -> None:
    client = _client(slack_api, safe_to_repeat=False)
    slack_api.fail_next("chat.postMessage", 429, retry_after=1)
    assert client.chat_postMessage(channel="C1", text="nach 429")["ok"]  # retried
    slack_api.fail_next("chat.postMessage", 500)
    with pytest.raises(SlackApiError) as failed:
        client.chat_postMessage(channel="C1", text="nach 500")  # a post is not repeated
    assert failed.value.response.status_code == 500
    with pytest.raises(SlackApiError) as refused:
        client.chat_postMessage(channel="", text="kein Kanal")
    assert refused.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="weiter")["ok"]
    assert [m["text"] for m in slack_api.messages("C1")] == ["nach 429", "weiter"]
    assert len(set(_posts(slack_api))) <= 2  # the 429 and the errors kept the connection


def test_threads_post_at_once_each_on_a_connection_of_its_own(slack_api: SlackAPI) -> None:
    client = _client(slack_api)
    errors: list[BaseException] = []

    def post(n: int) -> None:
        try:
            for i in range(10):
                client.chat_postMessage(channel=f"C{n}", text=f"{n}-{i}")
        except BaseException as exc:  # shown below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(len(slack_api.messages(f"C{n}")) == 10 for n in range(4))
    assert len(set(_posts(slack_api))) <= 4  # at most one connection per thread


def test_unreachable_slack_is_a_connection_error_the_retry_handlers_know(
        slack_api: SlackAPI) -> None:
    client = _client(slack_api)
    client.chat_postMessage(channel="C1", text="da")
    slack_api.stop()
    from urllib.error import URLError
    with pytest.raises(URLError):
        client.chat_postMessage(channel="C1", text="weg")


def test_the_sdk_never_formats_a_request_body_for_its_debug_line(slack_api: SlackAPI) -> None:
    """slack-sdk builds its debug line (the whole request body: customer texts) whenever its
    logger's own level is unset, whatever the effective level: ours is never below INFO, even
    with the root logger at DEBUG."""
    root = logging.getLogger()
    before = root.level
    root.setLevel(logging.DEBUG)
    try:
        client = _client(slack_api)
    finally:
        root.setLevel(before)
    assert client.logger.level >= logging.INFO
    assert client.chat_postMessage(channel="C1", text="Karte")["ok"]
