"""Block Kit for modals and ephemeral prompts the listeners show (pure builders)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.desk.outcomes import DraftHint
from bot.desk.workflow import reason_label
from bot.markup import QUOTE_LIMIT, clip, escape
from bot.messages import say
from bot.models import Item
from bot.slack.cards import settle_buttons
from bot.sources.registry import label

REPLY_MODAL = "reply_modal"
NOREPLY_MODAL = "noreply_modal"
NOTE_MODAL = "note_modal"  # issue 16
DRAFT_ACTION = "draft_input"
TEMPLATE_ACTION = "template_select"
DRAFT_BLOCK = "draft"


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


def reply_modal(item: Item, hint: DraftHint, draft: str, lang: str, *,
                templates: Sequence[str] = (), template: str = "",
                draft_block: str = DRAFT_BLOCK) -> dict[str, Any]:
    """The reply modal: the customer's post, a template picker (when desk.yaml has templates),
    the draft with its live hint, and the deliberate du/Sie override.

    Slack keeps what was typed into an input across `views.update` while its block_id stays;
    a template replaces the draft by giving the draft block a new id (`next_draft_block`).
    """
    quoted = clip("\n".join("> " + line for line in
                            escape(clip(item.mention.text, QUOTE_LIMIT)).splitlines()), 2900)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "verbatim": True,
                                     "text": f"*@{escape(item.mention.author.handle)}*\n{quoted}"}},
    ]
    if templates:
        options = [{"text": _t(name[:75]), "value": name} for name in templates[:100]]
        picker: dict[str, Any] = {"type": "static_select", "action_id": TEMPLATE_ACTION,
                                  "placeholder": _t(say("modal.template_pick", lang)),
                                  "options": options}
        chosen = next((o for o in options if o["value"] == template), None)
        if chosen:
            picker["initial_option"] = chosen
        blocks.append({"type": "input", "block_id": "template", "optional": True,
                       "dispatch_action": True, "label": _t(say("modal.template", lang)),
                       "element": picker})
    blocks += [
        {"type": "input", "block_id": draft_block, "dispatch_action": True,
         "label": _t(say("modal.draft", lang)),
         "element": {"type": "plain_text_input", "action_id": DRAFT_ACTION, "multiline": True,
                     "initial_value": draft,
                     "dispatch_action_config": {"trigger_actions_on": ["on_character_entered"]}}},
        {"type": "context", "block_id": "hint",
         "elements": [{"type": "mrkdwn", "text": draft_hint(hint, lang)}]},
        {"type": "input", "block_id": "override", "optional": True,
         "label": _t(say("modal.override_label", lang)),
         "element": {"type": "checkboxes", "action_id": "override_box", "options": [
             {"text": _t(say("modal.override", lang)), "value": "override"}]}},
    ]
    return {
        "type": "modal",
        "callback_id": REPLY_MODAL,
        "private_metadata": str(item.number),
        "title": _t(say("modal.reply_title", lang, number=item.number)),
        "submit": _t(say("modal.send", lang)),
        "close": _t(say("modal.cancel", lang)),
        "blocks": blocks,
    }


def draft_block_of(view: dict[str, Any]) -> str:
    """The block_id of the draft input in a reply modal as Slack sent it back."""
    for block in view.get("blocks") or []:
        if (block.get("element") or {}).get("action_id") == DRAFT_ACTION:
            return str(block.get("block_id") or DRAFT_BLOCK)
    return DRAFT_BLOCK


def next_draft_block(view: dict[str, Any]) -> str:
    """A fresh block_id for the draft, so Slack shows a new initial value (`draft-1`, …)."""
    _, _, count = draft_block_of(view).partition("-")
    return f"{DRAFT_BLOCK}-{int(count) + 1 if count.isdigit() else 1}"


@dataclass(frozen=True)
class ReplyForm:
    """What the reply modal holds: the draft (and its block), the override, the template."""

    draft: str
    draft_block: str
    override: bool
    template: str


def reply_form(view: dict[str, Any]) -> ReplyForm:
    """Read the reply modal's state (a submission or a block action's view)."""
    draft, block, override, template = "", draft_block_of(view), False, ""
    for block_id, actions in ((view.get("state") or {}).get("values") or {}).items():
        for action_id, value in actions.items():
            if action_id == DRAFT_ACTION:
                draft, block = value.get("value") or "", block_id
            elif action_id == TEMPLATE_ACTION:
                template = (value.get("selected_option") or {}).get("value") or ""
            elif action_id == "override_box":
                override = any(o.get("value") == "override"
                               for o in value.get("selected_options") or [])
    return ReplyForm(draft, block, override, template)


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


def unknown_reply_blocks(lang: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """The ephemeral 'an earlier reply may have gone out' prompt: the agent checks the network
    and says whether it arrived."""
    return [
        {"type": "section", "text": {"type": "mrkdwn",
                                     "text": say("hold.reply_unknown", lang, **params)}},
        {"type": "actions", "elements": settle_buttons(int(params["number"]), lang)},
    ]


MEMBERS_PER_BLOCK = 12   # a section holds 3,000 characters
MEMBERS_SHOWN = 12 * 40  # a modal holds 100 blocks


def members_modal(incident: Item, members: list[Item], lang: str) -> dict[str, Any]:
    """Every report of an incident, newest first: number, network, handle, text (clipped)."""
    shown = members[::-1][:MEMBERS_SHOWN]
    lines = [f"*#{m.number}* {label(m.mention.network)} @{escape(clip(m.mention.author.handle, 60))}"
             f" · {say(f'state.{m.state.value}', lang)}: "
             f"{escape(clip(' '.join(m.mention.text.split()), 180))}" for m in shown]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "verbatim": True,
                                     "text": clip("\n".join(lines[i:i + MEMBERS_PER_BLOCK]), 2990)}}
        for i in range(0, len(lines), MEMBERS_PER_BLOCK)]
    if len(members) > len(shown):
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": say(
            "modal.members_more", lang, more=len(members) - len(shown))}]})
    return {"type": "modal", "title": _t(say("modal.members_title", lang, number=incident.number)),
            "close": _t(say("modal.members_close", lang)), "blocks": blocks[:100]}


def note_modal(number: int, lang: str) -> dict[str, Any]:
    """An internal note on item `number` (issue 16): one text field, saved to the thread only."""
    return {
        "type": "modal", "callback_id": NOTE_MODAL, "private_metadata": str(number),
        "title": _t(say("modal.note_title", lang, number=number)[:24]),
        "submit": _t(say("modal.save", lang)), "close": _t(say("modal.cancel", lang)),
        "blocks": [
            {"type": "input", "block_id": "note", "label": _t(say("modal.note_label", lang)),
             "element": {"type": "plain_text_input", "action_id": "note_input",
                         "multiline": True, "max_length": 2000}},
        ],
    }
