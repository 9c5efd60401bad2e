"""Issue 14: labels in one click (/label and the card's menu), stored as training examples,
closed as no reply for `kein`, erased with the customer."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from bot.privacy import Customer
from bot.store.labels import LabelStore
from tests.harness import AGENT_A, AGENT_B, DeskHarness, mention, wait_for
from tests.support.slack_signing import interactivity_body


def select(desk: DeskHarness, number: int, value: str, user: str) -> httpx.Response:
    """Pick `value` in the card's label menu, as Slack sends it."""
    payload: dict[str, Any] = {
        "type": "block_actions", "user": {"id": user, "username": user.lower()},
        "api_app_id": "A0APP", "token": "x", "team": {"id": "T0TEAM"},
        "container": {"type": "message", "message_ts": "1.1", "channel_id": "C0ALERTS"},
        "trigger_id": "1337.42.trigger", "channel": {"id": "C0ALERTS"},
        "response_url": desk.slack.response_url(f"sel{number}{value}"),
        "actions": [{"action_id": "label", "block_id": f"item-{number}", "type": "static_select",
                     "selected_option": {"value": value, "text": {"type": "plain_text",
                                                                  "text": value}},
                     "action_ts": str(time.time())}],
    }
    return desk.signed_post(interactivity_body(payload))


_ids = iter(range(10_000, 99_999))


def posted(desk: DeskHarness, *texts: str, author: str = "601") -> list[int]:
    ms = [mention(f"18600000000000{next(_ids)}", t, author=author) for t in texts]
    desk.ingest(*ms)
    desk.process()
    numbers = [desk.rt.items.number_for_mention("twitter", m["id"]) for m in ms]
    assert all(n is not None for n in numbers)
    return [n for n in numbers if n is not None]


def test_label_kein_closes_as_not_a_case_and_stores_a_training_example(desk: DeskHarness) -> None:
    (n,) = posted(desk, "Telekom Baskets verlieren schon wieder, eine Katastrophe!")
    answer = desk.run_command("/label", f"{n} kein", AGENT_A)
    assert "kein Fall" in answer
    item = desk.rt.items.get(n)
    assert item is not None and item.state.value == "noreply" and item.reason == "not_a_case"
    (example,) = LabelStore(desk.rt.redis).all()
    assert (example.item, example.label, example.by) == (n, "kein", AGENT_A)
    assert example.text.startswith("Telekom Baskets") and example.model == "sentiment-v2"
    assert example.sentiment == "neutral" and example.at
    audit = [e for e in desk.rt.audit.entries() if e["action"] == "label"]
    assert json.loads(audit[-1]["details"])["model"] == "sentiment-v2"


def test_every_card_carries_the_label_menu_and_the_model_version(desk: DeskHarness) -> None:
    (n,) = posted(desk, "Seit drei Tagen kein Internet, das ist eine Katastrophe!")
    item = desk.rt.items.get(n)
    assert item is not None
    blocks = desk.cards(item.channel)[-1]["blocks"]
    menus = [e for b in blocks if b["type"] == "actions" for e in b["elements"]
             if e.get("action_id") == "label"]
    assert [o["value"] for o in menus[0]["options"]] == [
        f"{n}:{x}" for x in ("kein", "negativ", "du", "sie", "daten", "keine-daten")]
    context = json.dumps(blocks[1], ensure_ascii=False)
    assert "Modell sentiment-v2" in context


def test_the_menu_labels_in_one_click_and_a_later_label_of_a_group_replaces(
        desk: DeskHarness) -> None:
    (n,) = posted(desk, "Könnt ihr mir helfen? Seit Tagen kein Netz, Frechheit!")
    assert select(desk, n, f"{n}:sie", AGENT_A).status_code == 200
    wait_for(lambda: LabelStore(desk.rt.redis).for_item(n), what="label stored")
    assert select(desk, n, f"{n}:du", AGENT_B).status_code == 200
    wait_for(lambda: [e.label for e in LabelStore(desk.rt.redis).for_item(n)] == ["du"],
             what="label replaced")
    (example,) = LabelStore(desk.rt.redis).for_item(n)
    assert example.by == AGENT_B
    item = desk.rt.items.get(n)
    assert item is not None and item.is_open  # only `kein` closes


def test_an_unknown_label_changes_nothing_and_says_which_exist(desk: DeskHarness) -> None:
    (n,) = posted(desk, "Seit drei Tagen kein Internet, das ist eine Katastrophe!")
    answer = desk.run_command("/label", f"{n} vielleicht", AGENT_A)
    assert "keine-daten" in answer
    assert LabelStore(desk.rt.redis).count() == 0


def test_erasure_removes_the_customers_labels_and_export_shows_them(desk: DeskHarness) -> None:
    (gone,) = posted(desk, "Seit drei Tagen kein Internet, Katastrophe!", author="lbl-erase")
    (stays,) = posted(desk, "Schon wieder kein Netz, eine Frechheit!", author="lbl-stays")
    desk.run_command("/label", f"{gone} negativ", AGENT_A)
    desk.run_command("/label", f"{stays} negativ", AGENT_A)
    customer = Customer("twitter", "lbl-erase")
    exported = desk.rt.desk.privacy.export(customer, "test")
    assert [e["item"] for e in exported["labels"]] == [gone]
    report = desk.rt.desk.privacy.erase(customer, "test")
    assert report.labels == 1
    assert [e.item for e in LabelStore(desk.rt.redis).all()] == [stays]
    raw = json.dumps(desk.rt.redis.hgetall("at:labels"), ensure_ascii=False)
    assert "lbl-erase" not in raw and "Katastrophe" not in raw
