"""Bluesky end to end over HTTP: polled mention → one card → claim → signed reply on Bluesky.

The desk as it runs: the real web app with signed Slack requests, a real redis-server, the
Slack emulator and the Bluesky XRPC emulator (session, notifications, posts, createRecord).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.scheduler import worker_jobs
from bot.store import keys
from tests.emulators import BlueskyAPI
from tests.harness import AGENT_A, DeskHarness

CUSTOMER = "did:plc:kundekundekundekunde0001"
TEXT = "@brand.bsky.social seit drei Tagen kein Internet! Könnt ihr endlich mal was tun? Frechheit!"


@pytest.fixture
def bluesky() -> Iterator[BlueskyAPI]:
    with BlueskyAPI() as emulator:
        yield emulator


@pytest.fixture
def harness(redis_url, slack_api, x_api, graph_api, signing_secret, bluesky):
    made: list[DeskHarness] = []

    def make() -> DeskHarness:
        h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                        bluesky_handle=bluesky.handle, bluesky_app_password=bluesky.app_password,
                        bluesky_service_url=bluesky.base_url)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


def poll(h: DeskHarness) -> None:
    """One poll, as the next interval's (the previous poll's lease has run out)."""
    h.rt.redis.delete(keys.lease("poll:bluesky"))
    worker_jobs(h.rt)["poll:bluesky"].run()
    h.process()


def test_a_bluesky_mention_becomes_one_card_and_is_answered_as_a_reply(harness, bluesky) -> None:
    uri = bluesky.add_mention(TEXT, CUSTOMER, "kunde.bsky.social", "Kunde K.")
    desk = harness()
    poll(desk)
    cards = desk.cards("C0FESTNETZ")
    assert len(cards) == 1
    payload = cards[0]["metadata"]["event_payload"]
    assert payload == {"item": 1, "network": "bluesky", "mention_id": uri}
    assert "Bluesky" in str(cards[0]["blocks"])

    assert "#1" in desk.run_command("/claim", "1", AGENT_A)
    answer = desk.run_command("/reply", "1 Das tut uns leid! Wir prüfen deinen Anschluss.",
                              AGENT_A)
    assert "gesendet" in answer and "Bluesky" in answer
    (created,) = bluesky.replies()
    reply, post = created["record"], bluesky.post(uri)
    assert created["repo"] == bluesky.did
    assert reply["text"] == "Das tut uns leid! Wir prüfen deinen Anschluss. ^AB"
    ref = {"uri": uri, "cid": post["cid"]}
    assert {k: reply["reply"]["parent"][k] for k in ("uri", "cid")} == ref
    assert {k: reply["reply"]["root"][k] for k in ("uri", "cid")} == ref
    assert desk.rt.items.get(1).state == "answered"


def test_the_desk_rules_hold_on_bluesky_too(harness, bluesky) -> None:
    bluesky.add_mention(TEXT, CUSTOMER, "kunde.bsky.social", "Kunde K.")
    desk = harness()
    poll(desk)
    desk.run_command("/claim", "1", AGENT_A)
    refused = desk.run_command("/reply", "1 Ruf uns an unter 0171 2345678.", AGENT_A)
    assert "persönliche Daten" in refused
    long = desk.run_command("/reply", "1 " + "Hallo " * 60, AGENT_A)
    assert "300" in long  # Bluesky's limit, counted in graphemes
    held = desk.run_command("/reply", "1 Können Sie uns Ihre Adresse per Chat senden?", AGENT_A)
    assert "duzt" in held  # the customer writes "ihr" (du): the Sie draft is held
    assert bluesky.replies() == []


def test_a_restarted_worker_does_not_repeat_a_bluesky_mention(harness, bluesky) -> None:
    bluesky.add_mention(TEXT, CUSTOMER, "kunde.bsky.social", "Kunde K.")
    first = harness()
    poll(first)
    first.close()
    second = harness()  # a new process's wiring on the same Redis
    poll(second)
    poll(second)
    assert len(second.cards("C0FESTNETZ")) == 1
    assert second.rt.items.get(2) is None
