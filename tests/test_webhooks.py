"""`GET|POST /webhooks/facebook` through the real web app: handshake, signature, replay."""

from __future__ import annotations

import json

import pytest

from bot.store import keys
from tests.harness import DeskHarness
from tests.support.facebook_signing import comment_webhook_body, signed_webhook_headers

APP_SECRET = "fb-app-secret"  # the harness's FACEBOOK_APP_SECRET
VERIFY_TOKEN = "fb-verify"    # the harness's FACEBOOK_VERIFY_TOKEN
POST = "100000000000001_555"


def complaint(desk: DeskHarness, comment_id: str = "555_1", **kw: object) -> bytes:
    return comment_webhook_body(desk.graph.page_id, POST, comment_id,
                                "Seit drei Tagen kein Netz, eine Katastrophe!", "9001", "Claudia",
                                **kw)  # type: ignore[arg-type]


def deliver(desk: DeskHarness, body: bytes, headers: dict[str, str] | None = None):
    return desk.http.post("/webhooks/facebook", content=body,
                          headers=headers if headers is not None
                          else signed_webhook_headers(body, APP_SECRET))


def queued(desk: DeskHarness) -> int:
    return int(desk.rt.redis.xlen(keys.MENTION_STREAM))


def test_verification_handshake_echoes_the_challenge(desk: DeskHarness) -> None:
    resp = desk.http.get("/webhooks/facebook", params={
        "hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1158201444"})
    assert resp.status_code == 200 and resp.text == "1158201444"


@pytest.mark.parametrize("params", [
    {"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "1"},
    {"hub.mode": "unsubscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"},
    {"hub.challenge": "1"},
])
def test_verification_with_a_wrong_token_or_mode_is_403(desk: DeskHarness,
                                                        params: dict[str, str]) -> None:
    resp = desk.http.get("/webhooks/facebook", params=params)
    assert resp.status_code == 403 and "1" not in resp.text


def test_signed_delivery_is_ingested_and_becomes_a_card(desk: DeskHarness) -> None:
    resp = deliver(desk, complaint(desk))
    assert resp.status_code == 200 and resp.json() == {"accepted": 1, "duplicate": 0}
    desk.process()
    item = desk.rt.items.get(1)
    assert item is not None
    m = item.mention
    assert (m.network, m.id, m.conversation_id, m.in_reply_to) == ("facebook", "555_1", POST, POST)
    assert m.author.id == "9001" and m.author.name == "Claudia"
    assert len(desk.cards("C0MOBIL")) == 1  # routed by "netz"


def forged_headers(kind: str, body: bytes) -> dict[str, str]:
    if kind == "missing":
        return {"Content-Type": "application/json"}
    if kind == "garbage":
        return {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + "0" * 64}
    if kind == "other-body":
        return signed_webhook_headers(body + b" ", APP_SECRET)
    if kind == "sha1-only":
        return {"Content-Type": "application/json",
                "X-Hub-Signature": signed_webhook_headers(body, APP_SECRET)["X-Hub-Signature-256"]}
    return signed_webhook_headers(body, "not-the-app-secret")


@pytest.mark.parametrize("kind", ["missing", "garbage", "other-body", "sha1-only", "wrong-secret"])
def test_forged_or_unsigned_delivery_is_401_and_nothing_is_ingested(desk: DeskHarness,
                                                                    kind: str) -> None:
    body = complaint(desk)
    assert deliver(desk, body, forged_headers(kind, body)).status_code == 401
    assert queued(desk) == 0
    assert desk.rt.redis.keys(keys.webhook_delivery("*")) == []


def test_replayed_delivery_is_not_ingested_twice(desk: DeskHarness) -> None:
    body = complaint(desk)
    assert deliver(desk, body).json() == {"accepted": 1, "duplicate": 0}
    assert deliver(desk, body).json() == {"accepted": 0, "duplicate": 1}
    ttl = desk.rt.redis.ttl(desk.rt.redis.keys(keys.webhook_delivery("*"))[0])
    assert 35 * 3600 < ttl <= 36 * 3600
    # Meta may also send the same change inside a different delivery: the queue dedupes it.
    batched = json.loads(body)
    batched["entry"][0]["time"] += 60
    assert deliver(desk, json.dumps(batched).encode()).json() == {"accepted": 0, "duplicate": 1}
    desk.process()
    assert queued(desk) == 1
    assert len(desk.cards("C0MOBIL")) == 1


def test_the_pages_own_comment_and_other_changes_are_ignored(desk: DeskHarness) -> None:
    own = comment_webhook_body(desk.graph.page_id, POST, "555_2", "Wir helfen gern!",
                               desk.graph.page_id, "Brand", parent_id="555_1")
    edited = complaint(desk, "555_3", verb="edited")
    for body in (own, edited):
        assert deliver(desk, body).json() == {"accepted": 0, "duplicate": 0}
    assert queued(desk) == 0


def test_visitor_post_is_ingested_as_its_own_conversation(desk: DeskHarness) -> None:
    delivery = {"object": "page", "entry": [{"id": desk.graph.page_id, "time": 1764000000,
                "changes": [{"field": "feed", "value": {
                    "from": {"id": "9002", "name": "Bernd"}, "item": "status",
                    "post_id": "100000000000001_777", "verb": "add", "published": 1,
                    "created_time": 1764000000, "message": "Kein Internet seit Tagen!"}}]}]}
    body = json.dumps(delivery).encode()
    assert deliver(desk, body).json()["accepted"] == 1
    desk.process()
    item = desk.rt.items.get(1)
    assert item is not None
    assert item.mention.conversation_id == item.mention.id == "100000000000001_777"
