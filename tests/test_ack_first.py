"""Slash commands and button presses answered before Bolt runs (`bot.entry.ack_first`).

The figures (200 commands at once: ack p50/p99) are `benchmarks/load.py`'s; these tests show
what the early answer must not change: a forged request is still refused, what no listener
handles still gets Bolt's answer, a modal's field errors still reach Slack, the listener's work
still happens, and a stopping web process still runs what it already answered.
"""

from __future__ import annotations

import json
import threading
import time

import yaml
from slack_bolt import Ack, App, BoltRequest
from slack_sdk import WebClient

from bot.entry.ack_first import AckFirst, kind_of
from bot.entry.web import ack_first
from tests.emulators import SlackAPI
from tests.harness import AGENT_A, ROOT, DeskHarness, mention, wait_for
from tests.support.slack_signing import interactivity_body, signed_headers, slash_body

SECRET = "ack-first-secret"


def click_body(kind: str = "block_actions") -> bytes:
    return interactivity_body({"type": kind, "user": {"id": AGENT_A}, "actions": []})


def test_kind_of_tells_commands_interactions_and_events_apart() -> None:
    assert kind_of(slash_body("/claim", "1", AGENT_A, "C0ALERTS")) == "command"
    assert kind_of(click_body()) == "block_actions"
    assert kind_of(click_body("view_submission")) == "view_submission"
    assert kind_of(b"payload=%7Bnot-json") == "interaction"
    assert kind_of(json.dumps({"type": "event_callback"}).encode()) == "event"


def early(commands: frozenset[str] = frozenset({"/claim"}), backlog: int = 8,
          slack: SlackAPI | None = None) -> AckFirst:
    client = WebClient(token="xoxb-test", **({"base_url": slack.base_url} if slack else {}))
    app = App(signing_secret=SECRET, client=client, token_verification_enabled=False,
              process_before_response=True)
    return AckFirst(app, SECRET, commands, backlog=backlog)


def test_only_signed_commands_it_knows_and_button_presses_are_answered_early() -> None:
    a = early()
    claim = slash_body("/claim", "1", AGENT_A, "C0ALERTS")
    assert a.takes(claim, signed_headers(claim, SECRET)) == "command"
    assert a.takes(claim, signed_headers(claim, "another-secret")) is None  # Bolt says 401
    assert a.takes(claim, signed_headers(claim, SECRET, int(time.time()) - 3600)) is None
    unknown = slash_body("/unbekannt", "1", AGENT_A, "C0ALERTS")
    assert a.takes(unknown, signed_headers(unknown, SECRET)) is None  # Bolt's own answer
    ssl_check = b"ssl_check=1&token=x&command=%2Fclaim"
    assert a.takes(ssl_check, signed_headers(ssl_check, SECRET)) is None
    click = click_body()
    assert a.takes(click, signed_headers(click, SECRET)) == "block_actions"
    submit = click_body("view_submission")  # may answer with field errors: Bolt's
    assert a.takes(submit, signed_headers(submit, SECRET)) is None
    event = json.dumps({"type": "event_callback", "event_id": "Ev1"}).encode()
    assert a.takes(event, signed_headers(event, SECRET)) is None


def test_a_full_backlog_sends_requests_through_bolt_again() -> None:
    a = early(backlog=0)
    claim = slash_body("/claim", "1", AGENT_A, "C0ALERTS")
    assert a.takes(claim, signed_headers(claim, SECRET)) is None


def test_stopping_runs_what_was_answered_and_not_yet_run(slack_api: SlackAPI) -> None:
    ran: list[str] = []
    release = threading.Event()
    a = early(slack=slack_api)

    @a.bolt.command("/claim")
    def claim(ack: Ack, command: dict) -> None:
        ack()
        release.wait(5)
        ran.append(command["text"])

    for n in range(3):
        body = slash_body("/claim", str(n), AGENT_A, "C0ALERTS")
        headers = {k.lower(): v for k, v in signed_headers(body, SECRET).items()}
        assert a.takes(body, headers) == "command"
        a.run_later(lambda body=body, headers=headers: BoltRequest(body=body.decode(),
                                                                    headers=headers),
                    body, 0.001, "command")
    time.sleep(0.3)
    assert ran == []  # answered, still waiting on their work
    release.set()
    a.close(timeout=10)
    assert sorted(ran) == ["0", "1", "2"]


def test_the_manifest_commands_are_exactly_the_ones_answered_early(desk: DeskHarness) -> None:
    manifest = yaml.safe_load((ROOT / "slack-manifest.yml").read_text(encoding="utf-8"))
    declared = {c["command"] for c in manifest["features"]["slash_commands"]}
    assert ack_first(desk.rt).commands == declared


def test_over_http_answered_empty_then_done_and_forgeries_still_refused(
        desk: DeskHarness) -> None:
    desk.ingest(mention("7001"))
    desk.process()
    desk.slack.latency["response_url"] = 1.0  # the private answer is slow to arrive
    resp, rid = desk.command("/claim", "1", AGENT_A)
    assert (resp.status_code, resp.text) == (200, "")
    assert desk.slack.responses(rid) == []  # answered before the listener's work was done
    desk.slack.latency.clear()
    assert "#1" in desk.answer(rid)
    wait_for(lambda: desk.rt.items.get(1).holder == AGENT_A, 5, "claimed")

    body = slash_body("/release", "1", AGENT_A, "C0ALERTS")
    forged = desk.signed_post(body, headers={"X-Slack-Signature": "v0=" + "0" * 64})
    assert forged.status_code == 401
    time.sleep(0.3)
    assert desk.rt.items.get(1).holder == AGENT_A  # a forged /release changed nothing

    resp, _ = desk.command("/unbekannt", "1", AGENT_A)
    assert resp.status_code == 404  # Bolt: no listener for it
