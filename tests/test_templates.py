"""Templates (Textbausteine): `/reply N :name` and the reply modal's picker, over signed HTTP.

The variant follows the customer's du/Sie (none → `templates_default_address`), `{name}` is the
customer's display name, the reply is signed, checked and audited like every reply.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.store import AuditLog
from tests.harness import AGENT_A, AGENT_B, DeskHarness, desk_config, mention, wait_for
from tests.support.slack_signing import interactivity_body

DU = "Du, eure Hotline ist eine Frechheit, ich warte seit Stunden!"
SIE = ("Sehr geehrte Damen und Herren, können Sie mir erklären, warum ich seit drei Tagen kein "
       "Internet habe? Eine Frechheit!")
NONE = "Seit drei Tagen kein Internet, das ist eine Katastrophe!"
STOERUNG_DU = ("Hallo {name}, in deiner Region gibt es gerade eine Störung. Unsere Technik arbeitet "
               "daran, wir melden uns bei dir, sobald alles wieder läuft.")
STOERUNG_SIE = ("Hallo {name}, in Ihrer Region gibt es gerade eine Störung. Unsere Technik arbeitet "
                "daran, wir melden uns bei Ihnen, sobald alles wieder läuft.")


def claimed_item(desk: DeskHarness, text: str, address: str, mid: str = "1850000000000000700",
                 name: str = "Kunde 501", handle: str = "kunde_501") -> int:
    m = mention(mid=mid, text=text)
    m["author"] = {"id": "501", "handle": handle, "name": name}
    desk.ingest(m)
    desk.process()
    n = desk.rt.items.number_for_mention("twitter", mid)
    assert desk.rt.items.get(n).address == address
    assert "bearbeitest jetzt" in desk.run_command("/claim", str(n), AGENT_A)
    return n


def replies(desk: DeskHarness) -> list[dict[str, Any]]:
    return [json.loads(e["details"]) | {"outcome": e["outcome"]}
            for e in AuditLog(desk.rt.redis).entries() if e["action"] == "reply"]


@pytest.mark.parametrize("text,address,variant", [
    (DU, "du", STOERUNG_DU), (SIE, "sie", STOERUNG_SIE), (NONE, "none", STOERUNG_SIE)])
def test_reply_with_a_template_uses_the_customers_variant(
        desk: DeskHarness, text: str, address: str, variant: str) -> None:
    n = claimed_item(desk, text, address)
    answer = desk.run_command("/reply", f"{n} :stoerung", AGENT_A)
    assert "gesendet" in answer and "stoerung" in answer
    sent = desk.x.replies_to("1850000000000000700")
    assert [t["text"] for t in sent] == [variant.format(name="Kunde 501") + " ^AB"]
    assert desk.rt.items.get(n).state == "answered"
    audit = replies(desk)[-1]
    assert audit["outcome"] == "ok" and audit["template"] == "stoerung"
    assert audit["text"] == sent[0]["text"]


@pytest.fixture
def du_by_default(redis_url, slack_api, x_api, graph_api, signing_secret
                  ) -> Iterator[DeskHarness]:
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(templates_default_address="du"))
    yield h
    h.close()


def test_templates_default_address_is_the_variant_for_customers_without_one(
        du_by_default: DeskHarness) -> None:
    n = claimed_item(du_by_default, NONE, "none")
    du_by_default.run_command("/reply", f"{n} :Stoerung", AGENT_A)  # names ignore case
    assert du_by_default.x.posted[-1]["text"] == STOERUNG_DU.format(name="Kunde 501") + " ^AB"


def test_name_falls_back_to_the_handle_and_goes_out_as_written_but_escaped_in_slack(
        desk: DeskHarness) -> None:
    n = claimed_item(desk, DU, "du", name="", handle="kunde_501")
    desk.run_command("/reply", f"{n} :stoerung", AGENT_A)
    assert desk.x.posted[-1]["text"].startswith("Hallo kunde_501, in deiner Region")

    n = claimed_item(desk, SIE, "sie", mid="1850000000000000701", name="Tom & <Jerry>")
    desk.run_command("/reply", f"{n} :stoerung", AGENT_A)
    sent = desk.x.posted[-1]["text"]
    assert sent.startswith("Hallo Tom & <Jerry>, in Ihrer Region")
    item = desk.rt.items.get(n)
    thread = wait_for(lambda: [m["text"] for m in desk.slack.thread(item.channel, item.card_ts)
                               if "geantwortet" in m["text"]], what="thread line")
    assert "Hallo Tom &amp; &lt;Jerry&gt;, in Ihrer Region" in thread[-1]
    assert "<Jerry>" not in thread[-1]


def test_a_template_never_trips_the_du_sie_hold_even_when_the_name_reads_otherwise(
        desk: DeskHarness) -> None:
    n = claimed_item(desk, SIE, "sie", name="Dein Kumpel Du")
    answer = desk.run_command("/reply", f"{n} :stoerung", AGENT_A)
    assert "gesendet" in answer and "Angehalten" not in answer
    assert desk.x.posted[-1]["text"].startswith("Hallo Dein Kumpel Du, in Ihrer Region")


def test_a_template_passes_the_other_checks_like_any_reply(desk: DeskHarness) -> None:
    n = claimed_item(desk, DU, "du", name="Max 0171 2345678")  # a phone number in the name
    assert "Telefonnummer" in desk.run_command("/reply", f"{n} :stoerung", AGENT_A)
    n2 = claimed_item(desk, DU, "du", mid="1850000000000000702", name="Max " * 40)
    assert "zu viel" in desk.run_command("/reply", f"{n2} :stoerung", AGENT_A)
    assert "<@U0AGENT1>" in desk.run_command("/reply", f"{n2} :stoerung", AGENT_B)
    assert desk.x.posted == [] and desk.rt.items.get(n).state == "claimed"


def test_unknown_template_lists_the_templates_and_sends_nothing(desk: DeskHarness) -> None:
    n = claimed_item(desk, DU, "du")
    answer = desk.run_command("/reply", f"{n} :stoerrung", AGENT_A)
    assert "„stoerrung“ gibt es nicht" in answer
    assert "`:stoerung`" in answer and "`:warteschleife`" in answer
    assert desk.x.posted == [] and desk.rt.items.get(n).state == "claimed"
    assert replies(desk)[-1]["outcome"] == "refused:refuse.unknown_template"


def test_a_template_goes_out_alone_and_an_emoji_is_no_template(desk: DeskHarness) -> None:
    n = claimed_item(desk, DU, "du")
    assert "so raus, wie er ist" in desk.run_command("/reply", f"{n} :stoerung und Danke",
                                                      AGENT_A)
    assert desk.x.posted == []
    assert "gesendet" in desk.run_command("/reply", f"{n} :wave: Wir schauen uns das an!",
                                          AGENT_A)
    assert desk.x.posted[-1]["text"] == ":wave: Wir schauen uns das an! ^AB"
    assert "template" not in replies(desk)[-1]


# ----- the reply modal's picker -------------------------------------------------------------

def opened_view(desk: DeskHarness, n: int) -> dict[str, Any]:
    desk.command("/reply", str(n), AGENT_A)
    wait_for(lambda: desk.slack.calls_to("views.open"), what="views.open")
    return desk.slack.views()[-1]


def view_action(desk: DeskHarness, view: dict[str, Any], action: dict[str, Any],
                values: dict[str, Any]) -> None:
    payload = {"type": "block_actions", "user": {"id": AGENT_A, "username": "agent1"},
               "api_app_id": "A0APP", "token": "x", "team": {"id": "T0TEAM"},
               "container": {"type": "view", "view_id": view["id"]}, "trigger_id": "1.2.3",
               "view": {**view, "state": {"values": values}},
               "actions": [{**action, "action_ts": str(time.time())}]}
    assert desk.signed_post(interactivity_body(payload)).status_code == 200


def pick(desk: DeskHarness, view: dict[str, Any], name: str) -> dict[str, Any]:
    """Choose `name` in the picker; returns the view as Slack then shows it."""
    updates = len(desk.slack.calls_to("views.update"))
    option = {"text": {"type": "plain_text", "text": name}, "value": name}
    view_action(desk, view, {"action_id": "template_select", "block_id": "template",
                             "type": "static_select", "selected_option": option},
                {"template": {"template_select": {"type": "static_select",
                                                  "selected_option": option}}})
    wait_for(lambda: len(desk.slack.calls_to("views.update")) > updates, what="views.update")
    return next(v for v in desk.slack.views() if v["id"] == view["id"])


def draft_block(view: dict[str, Any]) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("element", {}).get("action_id") == "draft_input")


def submit(desk: DeskHarness, view: dict[str, Any], draft: str, template: str | None):
    option = {"value": template} if template else None
    values = {draft_block(view)["block_id"]: {"draft_input": {"type": "plain_text_input",
                                                              "value": draft}},
              "template": {"template_select": {"type": "static_select",
                                               "selected_option": option}},
              "override": {"override_box": {"type": "checkboxes", "selected_options": []}}}
    payload = {"type": "view_submission", "user": {"id": AGENT_A}, "team": {"id": "T0TEAM"},
               "api_app_id": "A0APP", "token": "x", "trigger_id": "1.2.3",
               "view": {**view, "state": {"values": values}}}
    return desk.signed_post(interactivity_body(payload))


def test_the_modal_picker_fills_the_draft_with_the_customers_variant(desk: DeskHarness) -> None:
    n = claimed_item(desk, SIE, "sie", name="Frau Schmidt")
    view = opened_view(desk, n)
    picker = next(b for b in view["blocks"] if b.get("block_id") == "template")
    assert picker["optional"] is True and picker["element"]["type"] == "static_select"
    assert [o["value"] for o in picker["element"]["options"]] == ["stoerung", "warteschleife"]
    assert draft_block(view)["element"]["initial_value"] == ""

    shown = pick(desk, view, "stoerung")
    update = desk.slack.calls_to("views.update")[-1].body
    assert update["view_id"] == view["id"]
    filled = STOERUNG_SIE.format(name="Frau Schmidt")
    draft = draft_block(shown)
    assert draft["element"]["initial_value"] == filled
    # a new block_id makes Slack show the new text instead of what was typed before
    assert draft["block_id"] != draft_block(view)["block_id"]
    hint = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "Kunde siezt" in hint and "⚠️" not in hint
    assert next(b for b in shown["blocks"] if b.get("block_id") == "template"
                )["element"]["initial_option"]["value"] == "stoerung"

    resp = submit(desk, shown, filled, "stoerung")
    assert resp.status_code == 200 and resp.text == ""
    wait_for(lambda: desk.x.posted, what="reply sent")
    assert desk.x.posted[-1]["text"] == filled + " ^AB"
    audit = wait_for(lambda: [r for r in replies(desk) if r["outcome"] == "ok"], what="audit")
    assert audit[-1]["template"] == "stoerung" and "edited" not in audit[-1]


def test_picking_again_replaces_the_draft_and_the_live_hint_keeps_the_block(
        desk: DeskHarness) -> None:
    n = claimed_item(desk, DU, "du")
    view = opened_view(desk, n)
    first = pick(desk, view, "stoerung")
    second = pick(desk, first, "warteschleife")
    assert draft_block(second)["element"]["initial_value"].startswith(
        "Hallo Kunde 501, sorry für die lange Wartezeit!")
    assert len({draft_block(v)["block_id"] for v in (view, first, second)}) == 3
    # typing: the live hint re-renders under the same draft block and keeps the chosen template
    updates = len(desk.slack.calls_to("views.update"))
    block = draft_block(second)["block_id"]
    typed = "Hallo Kunde 501, wir schauen sofort nach."
    view_action(desk, second, {"action_id": "draft_input", "block_id": block,
                               "type": "plain_text_input", "value": typed},
                {block: {"draft_input": {"type": "plain_text_input", "value": typed}},
                 "template": {"template_select": {"type": "static_select", "selected_option":
                                                  {"value": "warteschleife"}}}})
    wait_for(lambda: len(desk.slack.calls_to("views.update")) > updates, what="hint update")
    hinted = next(v for v in desk.slack.views() if v["id"] == view["id"])
    assert draft_block(hinted)["block_id"] == block
    assert f"noch {280 - len(typed) - 4} von 280" in json.dumps(hinted["blocks"],
                                                                ensure_ascii=False)


def test_an_edited_template_is_checked_like_free_text_and_audited_as_edited(
        desk: DeskHarness) -> None:
    n = claimed_item(desk, DU, "du")
    view = pick(desk, opened_view(desk, n), "stoerung")
    resp = submit(desk, view, "Hallo Kunde 501, können Sie uns bitte eine DM senden?", "stoerung")
    errors = resp.json()["errors"]
    assert list(errors) == [draft_block(view)["block_id"]] and "Angehalten" in errors[
        draft_block(view)["block_id"]]
    edited = STOERUNG_DU.format(name="Kunde 501").replace("Störung.", "Störung im Festnetz.")
    assert submit(desk, view, edited, "stoerung").status_code == 200
    wait_for(lambda: desk.x.posted, what="reply sent")
    audit = wait_for(lambda: [r for r in replies(desk) if r["outcome"] == "ok"], what="audit")
    assert audit[-1]["template"] == "stoerung" and audit[-1]["edited"] is True


@pytest.fixture
def no_templates(redis_url, slack_api, x_api, graph_api, signing_secret) -> Iterator[DeskHarness]:
    h = DeskHarness(redis_url, slack_api, x_api, graph_api, signing_secret,
                    config=desk_config(templates={"dm_invite_du": "Schreib uns eine DM!"}))
    yield h
    h.close()


def test_without_templates_the_modal_has_no_picker_and_the_command_says_so(
        no_templates: DeskHarness) -> None:
    n = claimed_item(no_templates, DU, "du")
    view = opened_view(no_templates, n)
    assert not any(b.get("block_id") == "template" for b in view["blocks"])
    answer = no_templates.run_command("/reply", f"{n} :stoerung", AGENT_A)
    assert "keine Textbausteine" in answer and no_templates.x.posted == []
    no_templates.run_command("/dm", str(n), AGENT_A)  # the desk's own texts still work
    assert no_templates.x.posted[-1]["text"] == "Schreib uns eine DM! ^AB"
