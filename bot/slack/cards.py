"""Block Kit for desk items: the card, its thread lines, and a Block Kit Builder link.

Pure: an `Item` and a `CardContext` in, JSON-ready dicts out. Customer text is escaped so a
customer writing `<!channel>` pings no one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.desk.outcomes import IncidentView
from bot.markup import NAME_LIMIT, QUOTE_LIMIT, clip, escape
from bot.messages import say
from bot.models import Item, State
from bot.sources.registry import label
from bot.triage.labels import LABELS

METADATA_EVENT = "alert_team_item"
_STATE_ICON = {
    State.NEW: "🆕", State.CLAIMED: "🙋", State.ANSWERED: "✅", State.PRIVATE: "✉️",
    State.NOREPLY: "🚫", State.RESOLVED: "☑️",
}
_TIMER_ICON = {"warned": "🟡", "breached": "🔴"}


@dataclass(frozen=True)
class CardContext:
    """What a card needs besides the item: language, time zone, the item's timing."""

    lang: str = "de"
    timezone: str = "Europe/Berlin"
    response_time: timedelta | None = None  # business time to the first answer, once answered

    def local(self, t: datetime) -> str:
        return t.astimezone(ZoneInfo(self.timezone)).strftime("%d.%m. %H:%M")


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def _button(action: str, number: int, lang: str, style: str | None = None) -> dict[str, Any]:
    b: dict[str, Any] = {
        "type": "button",
        "action_id": action,
        "text": {"type": "plain_text", "text": say(f"button.{action}", lang)},
        "value": str(number),
    }
    if style:
        b["style"] = style
    return b


def _due(item: Item, ctx: CardContext) -> list[dict[str, Any]]:
    """The due time of an open item (or that it was missed), as a context element."""
    if not (item.is_open and item.due_at):
        return []
    key = "card.due_overdue" if item.timer_state == "breached" else "card.due"
    return [_mrkdwn(say(key, ctx.lang, due=ctx.local(item.due_at)))]


def card_text(item: Item, ctx: CardContext) -> str:
    """Plain-text fallback (notifications, screen readers)."""
    m = item.mention
    if item.is_incident:
        return escape(f"#{item.number} 🚨 {m.text[:150]}")
    return escape(f"#{item.number} @{m.author.handle}: {m.text[:150]}")


def card_blocks(item: Item, ctx: CardContext, open_incident: int | None = None
                ) -> list[dict[str, Any]]:
    """The card for `item` in its current state (`open_incident`: its channel's open incident,
    offered as a button)."""
    lang, m = ctx.lang, item.mention
    icon = _TIMER_ICON.get(item.timer_state, "") if item.is_open else ""
    header = say(
        "card.header", lang, number=item.number, network=label(m.network),
        state=say(f"state.{item.state.value}", lang),
    )
    author = (f"*{escape(clip(m.author.name or m.author.handle, NAME_LIMIT))}* "
              f"@{escape(clip(m.author.handle, NAME_LIMIT))}")
    quoted = clip("\n".join("> " + line for line in escape(clip(m.text, QUOTE_LIMIT)).splitlines()
                            or [""]), 2990)
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _mrkdwn(f"{_STATE_ICON[item.state]}{icon} *{header}*")},
        {"type": "context", "elements": [
            _mrkdwn(f"{author} · {ctx.local(m.created_at)}"),
            _mrkdwn(say("card.address", lang, form=say(f"address.{item.address}", lang))),
            *_model(item, lang),
        ]},
        {"type": "section", "text": _mrkdwn(quoted)},
    ]
    if m.url:
        blocks[2]["accessory"] = {
            "type": "button", "action_id": "open_post", "url": m.url,
            "text": {"type": "plain_text", "text": say("card.open_post", lang)},
        }
    status = _due(item, ctx)
    if item.state == State.NEW:
        status.append(_mrkdwn(say("card.unclaimed", lang)))
    elif item.state == State.CLAIMED:
        status.append(_mrkdwn(say("card.holder", lang, user=item.holder)))
    elif item.state == State.ANSWERED or (item.state == State.RESOLVED and item.reply_id):
        minutes = int((ctx.response_time or timedelta()).total_seconds() // 60)
        status.append(_mrkdwn(say("card.answered", lang, user=item.answered_by, minutes=minutes)))
    elif item.state == State.PRIVATE:
        status.append(_mrkdwn(say("card.private", lang, user=item.answered_by or item.holder)))
    elif item.state == State.NOREPLY:  # an erasure closes unclaimed items too
        key = "card.noreply" if item.holder else "card.noreply_nobody"
        status.append(_mrkdwn(say(key, lang, user=item.holder, reason=escape(item.reason))))
    if item.state == State.RESOLVED:
        status.append(_mrkdwn(say("card.resolved", lang)))
    if item.incident:
        status.append(_mrkdwn(say("card.member_of", lang, incident=item.incident)))
    if status:
        blocks.append({"type": "context", "elements": status})
    if item.is_open and item.incident:  # the incident's card carries the work
        blocks.append({"type": "actions", "block_id": f"item-{item.number}", "elements": [
            _button("incident_leave", item.number, lang)]})
    elif item.is_open:
        buttons = []
        if item.state == State.NEW:
            buttons.append(_button("claim", item.number, lang, "primary"))
        if m.replyable:
            buttons += [_button(a, item.number, lang) for a in ("reply", "dm", "noreply")]
        else:  # found by search: X allows no reply, so the agent answers on X itself
            buttons.append({"type": "button", "action_id": "open_post", "url": m.url,
                            "text": {"type": "plain_text",
                                     "text": say("button.open_on", lang, network=label(m.network))}})
            buttons.append(_button("noreply", item.number, lang))
        if open_incident:
            join = _button("incident_join", item.number, lang)
            join["text"]["text"] = say("button.incident_join", lang, incident=open_incident)
            join["value"] = f"{item.number}:{open_incident}"
            buttons.append(join)
        buttons.append(label_menu(item.number, lang))
        blocks.append({"type": "actions", "block_id": f"item-{item.number}", "elements": buttons})
    else:  # closed cards can still be labelled (training data)
        blocks.append({"type": "actions", "block_id": f"item-{item.number}",
                       "elements": [label_menu(item.number, lang)]})
    return blocks


# ----- labels (issue 14) ------------------------------------------------------------------------
LABEL_ACTION = "label"


def label_menu(number: int, lang: str) -> dict[str, Any]:
    """The card's label menu (a select: Slack's overflow menu holds at most 5 options, there
    are 6 labels); each option's value is `<item>:<label>`."""
    return {
        "type": "static_select", "action_id": LABEL_ACTION,
        "placeholder": {"type": "plain_text", "text": say("card.label_menu", lang)},
        "options": [{"text": {"type": "plain_text", "text": say(f"label.{name}", lang)},
                     "value": f"{number}:{name}"} for name in LABELS],
    }


def _model(item: Item, lang: str) -> list[dict[str, Any]]:
    """The triage model version that judged the item, for the context line."""
    version = item.extra.get("model")
    return [_mrkdwn(say("card.model", lang, version=escape(version)))] if version else []


def incident_blocks(item: Item, view: IncidentView, ctx: CardContext) -> list[dict[str, Any]]:
    """An incident's card: how many, how far answered, the latest reports, what failed."""
    lang = ctx.lang
    icon = _TIMER_ICON.get(item.timer_state, "") if item.is_open else ""
    header = say("incident.header", lang, number=item.number, count=view.members,
                 state=say(f"state.{item.state.value}", lang))
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": _mrkdwn(f"🚨{icon} *{header}*")},
        {"type": "context", "elements": [
            _mrkdwn(say("incident.progress", lang, answered=view.answered, count=view.members)),
            _mrkdwn(say("incident.hint", lang, number=item.number)),
        ]},
    ]
    quotes = [say("incident.latest", lang)]
    for m in view.latest:
        quotes.append(f"> *#{m.number}* {label(m.mention.network)} "
                      f"@{escape(clip(m.mention.author.handle, NAME_LIMIT))}: "
                      f"{escape(clip(' '.join(m.mention.text.split()), 280))}")
    if view.members > len(view.latest):
        quotes.append(say("incident.more", lang, more=view.members - len(view.latest)))
    blocks.append({"type": "section", "text": _mrkdwn(clip("\n".join(quotes), 2990))})
    status = _due(item, ctx)
    if item.state == State.NEW:
        status.append(_mrkdwn(say("card.unclaimed", lang)))
    elif item.holder:
        status.append(_mrkdwn(say("card.holder", lang, user=item.holder)))
    if status:
        blocks.append({"type": "context", "elements": status})
    failed = view.failed[:10]
    if failed:
        lines = [say("incident.failed", lang, member=n, reason=escape(
            say("incident.uncertain", lang) if reason == "uncertain" else reason))
                 for n, reason in failed]
        blocks.append({"type": "section", "text": _mrkdwn(clip("\n".join(lines), 2990))})
        retry = []
        for n, _ in failed[:5]:
            b = _button("incident_retry", n, lang)
            b["text"]["text"] = say("button.incident_retry", lang, member=n)
            retry.append(b)
        blocks.append({"type": "actions", "block_id": f"retry-{item.number}", "elements": retry})
    buttons: list[dict[str, Any]] = []
    if item.is_open:
        if item.state == State.NEW:
            buttons.append(_button("claim", item.number, lang, "primary"))
        buttons += [_button("reply", item.number, lang), _button("noreply", item.number, lang)]
    buttons.append(_button("incident_members", item.number, lang))  # open or closed
    blocks.append({"type": "actions", "block_id": f"item-{item.number}", "elements": buttons})
    return blocks


def card_metadata(item: Item) -> dict[str, Any]:
    """Message metadata carrying the item id (our idempotency ledger's cross-check)."""
    if item.is_incident:
        return {"event_type": METADATA_EVENT, "event_payload": {"item": item.number,
                                                                "incident": True}}
    return {
        "event_type": METADATA_EVENT,
        "event_payload": {"item": item.number, "network": item.mention.network,
                          "mention_id": item.mention.id},
    }


def builder_link(blocks: list[dict[str, Any]]) -> str:
    """A link that opens `blocks` in Slack's Block Kit Builder."""
    payload = json.dumps({"blocks": blocks}, ensure_ascii=False, separators=(",", ":"))
    return "https://app.slack.com/block-kit-builder/#" + quote(payload, safe="")
