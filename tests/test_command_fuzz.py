"""Slash-command parsing fuzzed: no text makes a listener raise, and every answer is in time."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_bolt import BoltRequest

from bot.entry.web import create_bolt_app
from bot.slack.command_text import UsageError, item_args
from tests.harness import AGENT_A, DeskHarness
from tests.support.slack_signing import signed_headers, slash_body

COMMANDS = ["/claim", "/reply", "/dm", "/noreply", "/release", "/resolve", "/assign",
            "/kuerzel", "/desk", "/escalate", "/queue"]
texts = st.one_of(
    st.text(max_size=300),
    st.from_regex(r"#?[0-9]{1,12}( .{0,80})?", fullmatch=True),
    st.sampled_from(["", " ", "#", "1", "#1 ", "0", "-1", "1e9", "１", "<@U0AGENT2>", "1 <@U0X|y>",
                     "999999999999999999999", "1 \u0000", "\n1\n", "<!channel>"]),
)


@given(st.text(max_size=200))
def test_item_args_is_total(text: str) -> None:
    try:
        args = item_args(text)
    except UsageError:
        return
    assert args.number >= 0 and isinstance(args.rest, str)


@pytest.fixture(scope="module")
def app_and_desk(redis_server) -> Iterator[tuple]:
    from tests.emulators import XAPI, GraphAPI, SlackAPI

    redis_server.flush()
    with SlackAPI() as slack, XAPI() as x, GraphAPI() as graph:
        h = DeskHarness(redis_server.url, slack, x, graph, "fuzz-secret")
        h.ingest({"network": "twitter", "id": "1", "text": "Kein Internet seit Tagen, Frechheit!",
                  "author": {"id": "9", "handle": "k"}, "created_at": "2026-11-24T09:00:00Z"})
        h.process()
        yield create_bolt_app(h.rt, process_before_response=True), h, slack
        h.close()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                   HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(COMMANDS), text=texts)
def test_no_command_text_raises_or_answers_late(app_and_desk, command: str, text: str) -> None:
    app, _, slack = app_and_desk
    body = slash_body(command, text, AGENT_A, "C0ALERTS", response_url=slack.response_url("fz"))
    headers = signed_headers(body, "fuzz-secret")
    started = time.monotonic()
    resp = app.dispatch(BoltRequest(body=body.decode(), headers=headers))
    assert resp.status == 200, resp.body  # an exception in a listener would answer 500
    assert time.monotonic() - started < 3.0  # the whole listener ran within Slack's 3 s


@pytest.mark.parametrize("sent,typed", [
    ("Tarif S &amp; M &lt;3", "Tarif S & M <3"),
    ("Infos: <https://www.telekom.de/hilfe>", "Infos: https://www.telekom.de/hilfe"),
    ("siehe <http://telekom.de/hilfe|telekom.de/hilfe>", "siehe telekom.de/hilfe"),
    ("frag <@U0AGENT2|anna>", "frag anna"),
    ("im <#C0ALERTS|alerts>", "im alerts"),
    ("<!here> bitte", "here bitte"),
    ("schreib an <mailto:a@b.de|a@b.de>", "schreib an a@b.de"),
])
def test_slack_escaping_is_undone_before_anything_is_checked_or_sent(sent: str, typed: str) -> None:
    assert item_args(f"17 {sent}").text == typed
