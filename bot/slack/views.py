"""Block Kit for modals and ephemeral prompts the listeners show (pure builders)."""

from __future__ import annotations

from typing import Any

from bot.desk.outcomes import DraftHint
from bot.desk.workflow import reason_label
from bot.markup import QUOTE_LIMIT, clip, escape
from bot.messages import say
from bot.models import Item

REPLY_MODAL = "reply_modal"
NOREPLY_MODAL = "noreply_modal"


def _t(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text[:150], "emoji": True}


def draft_hint(hint: DraftHint, lang: str) -> str:
    """The live hint under the draft: address form to use, length left, signature."""
    parts = [say("modal.customer", lang, form=say(f"address.{hint.address}", lang))]
    if hint.length:
        parts.append(say("modal.left", lang, left=hint.length[1] - hint.length[0],
                         limit=hint.length[1]))
    parts.append(say("modal.signature", lang, signature=hint.signature))
    if hint.mismatch:
        parts.append(say("modal.mismatch", lang, draft=hint.mismatch))
    return " · ".join(parts)


def reply_modal(item: Item, hint: DraftHint, draft: str, lang: str) -> dict[str, Any]:
    quoted = clip("\n".join("> " + line for line in
                            escape(clip(item.mention.text, QUOTE_LIMIT)).splitlines()), 2900)
    return {
        "type": "modal",
        "callback_id": REPLY_MODAL,
        "private_metadata": str(item.number),
        "title": _t(say("modal.reply_title", lang, number=item.number)),
        "submit": _t(say("modal.send", lang)),
        "close": _t(say("modal.cancel", lang)),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "verbatim": True,
                                         "text": f"*@{escape(item.mention.author.handle)}*\n{quoted}"}},
            {"type": "input", "block_id": "draft", "dispatch_action": True,
             "label": _t(say("modal.draft", lang)),
             "element": {"type": "plain_text_input", "action_id": "draft_input", "multiline": True,
                         "initial_value": draft,
                         "dispatch_action_config": {"trigger_actions_on": ["on_character_entered"]}}},
            {"type": "context", "block_id": "hint",
             "elements": [{"type": "mrkdwn", "text": draft_hint(hint, lang)}]},
            {"type": "input", "block_id": "override", "optional": True,
             "label": _t(say("modal.override_label", lang)),
             "element": {"type": "checkboxes", "action_id": "override_box", "options": [
                 {"text": _t(say("modal.override", lang)), "value": "override"}]}},
        ],
    }


def noreply_modal(number: int, reasons: tuple[str, ...], lang: str) -> dict[str, Any]:
    options = [{"text": _t(reason_label(r, lang)), "value": r} for r in reasons]
    return {
        "type": "modal", "callback_id": NOREPLY_MODAL, "private_metadata": str(number),
        "title": _t(say("modal.noreply_title", lang, number=number)),
        "submit": _t(say("modal.close_item", lang)), "close": _t(say("modal.cancel", lang)),
        "blocks": [
            {"type": "input", "block_id": "reason", "label": _t(say("modal.reason", lang)),
             "element": {"type": "static_select", "action_id": "reason_select",
                         "options": options}},
            {"type": "input", "block_id": "note", "optional": True,
             "label": _t(say("modal.reason_other", lang)),
             "element": {"type": "plain_text_input", "action_id": "note_input"}},
        ],
    }


def held_reply_blocks(lang: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The ephemeral 'held for du/Sie' prompt with its deliberate override button."""
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": say("hold.address", lang, **params)}},
        {"type": "actions", "elements": [{
            "type": "button", "action_id": "reply_override", "style": "danger",
            "text": _t(say("button.send_anyway", lang)), "value": str(params["number"]),
            "confirm": {"title": _t(say("button.send_anyway", lang)),
                        "text": _t(say("modal.override_confirm", lang)),
                        "confirm": _t(say("button.send_anyway", lang)),
                        "deny": _t(say("modal.cancel", lang))},
        }]},
    ]
