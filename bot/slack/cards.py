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

from bot.desk.outcomes import Contact, Contacts, Countdown, IncidentView
from bot.durations import format_duration
from bot.markup import NAME_LIMIT, QUOTE_LIMIT, clip, escape
from bot.messages import CATALOGUE, say
from bot.models import Item, State
from bot.sources.registry import label
from bot.triage.labels import LABELS

METADATA_EVENT = "alert_team_item"
_STATE_ICON = {
    State.NEW: "🆕", State.CLAIMED: "🙋", State.ANSWERED: "✅", State.PRIVATE: "✉️",
    State.NOREPLY: "🚫", State.RESOLVED: "☑️", State.WAITING: "⏸️",
}
_TIMER_ICON = {"warned": "🟡", "breached": "🔴"}


@dataclass(frozen=True)
class CardContext:
    """What a card needs besides the item: language, time zone, the item's timing."""

    lang: str = "de"
    timezone: str = "Europe/Berlin"
    response_time: timedelta | None = None  # business time to the first answer, once answered
    countdown: Countdown | None = None      # an open item's time left, as of drawing (issue 13)

    def local(self, t: datetime) -> str:
        return t.astimezone(ZoneInfo(self.timezone)).strftime("%d.%m. %H:%M")

    def weekday_time(self, t: datetime) -> str:
        """`Mo 08:00`: the weekday and time of `t`, local."""
        local = t.astimezone(ZoneInfo(self.timezone))
        return f"{say('weekday.short', self.lang).split()[local.weekday()]} {local:%H:%M}"


def _mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text, "verbatim": True}


def settle_buttons(number: int, lang: str) -> list[dict[str, Any]]:
    """*Angekommen* / *Nicht angekommen* for a reply whose outcome is unknown (on the card and
    in the prompt of a reply held for it)."""
    return [_button("reply_arrived", number, lang), _button("reply_not_arrived", number, lang)]


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
    due, shown = ctx.local(item.due_at), ctx.countdown
    if item.timer_state == "breached" or shown is None:
        key = "card.due_overdue" if item.timer_state == "breached" else "card.due"
        return [_mrkdwn(say(key, ctx.lang, due=due))]
    left = format_duration(shown.left, ctx.lang)
    if shown.paused_until is not None:
        return [_mrkdwn(say("card.countdown_paused", ctx.lang, due=due, left=left,
                            until=ctx.weekday_time(shown.paused_until)))]
    return [_mrkdwn(say("card.countdown", ctx.lang, due=due, left=left))]


def card_text(item: Item, ctx: CardContext) -> str:
    """Plain-text fallback (notifications, screen readers)."""
    m = item.mention
    if item.is_incident:
        return escape(f"#{item.number} 🚨 {m.text[:150]}")
    return escape(f"#{item.number} @{m.author.handle}: {m.text[:150]}")


def card_link(channel: str, ts: str, label: str) -> str:
    """A link to a message: Slack's archive URL (opens in the workspace that has it), built
    from the channel and ts the desk stores, so no `chat.getPermalink` call per card."""
    return f"<https://slack.com/archives/{channel}/p{ts.replace('.', '')}|{label}>"


def contact_link(c: Contact, lang: str) -> str:
    """A link to an earlier item's card (`#N` alone while it has no card)."""
    label = say("history.link", lang, number=c.number)
    return card_link(c.channel, c.card_ts, label) if c.card_ts else f"#{c.number}"


def contact_outcome(c: Contact, lang: str) -> str:
    """An earlier item's state, with its reason when it closed with one."""
    state = say(f"state.{c.state}", lang)
    if c.reason and c.state in (State.NOREPLY.value, State.RESOLVED.value):
        key = f"reason.{c.reason}"
        return f"{state}: {say(key, lang) if key in CATALOGUE else escape(c.reason)}"
    return state


def days_text(days: int, lang: str) -> str:
    return say("history.days_one", lang) if days == 1 else say("history.days_many", lang,
                                                                 days=days)


def history_line(history: Contacts, ctx: CardContext) -> str:
    """`📇 3. Kontakt in 7 Tagen · zuletzt #12 (erledigt, 24.11.) · Karte #12`."""
    last = history.earlier[0]
    date = ctx.local(last.seen_at).split(" ")[0] if last.seen_at else "–"
    return say("card.history", ctx.lang, ordinal=history.ordinal,
               days=days_text(history.days, ctx.lang), last=last.number,
               outcome=contact_outcome(last, ctx.lang), date=date,
               link=contact_link(last, ctx.lang))


def card_blocks(item: Item, ctx: CardContext, open_incident: int | None = None,
                history: Contacts | None = None) -> list[dict[str, Any]]:
    """The card for `item` in its current state (`open_incident`: its channel's open incident,
    offered as a button; `history`: the customer's earlier contacts)."""
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
    quote = blocks[2]
    if history is not None and history.earlier:  # at a glance, right under the author
        blocks.insert(2, {"type": "context", "elements": [_mrkdwn(history_line(history, ctx))]})
    if m.url:
        quote["accessory"] = {
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
        if item.reason:  # e.g. no answer from the customer after waiting (issue 16)
            why = (say(f"reason.{item.reason}", lang) if f"reason.{item.reason}" in CATALOGUE
                   else escape(item.reason))
            status.append(_mrkdwn(say("card.closed_reason", lang, reason=why)))
    if item.state == State.WAITING and item.extra.get("wait_until"):
        until = ctx.local(datetime.fromisoformat(item.extra["wait_until"]))
        status.append(_mrkdwn(say("card.waiting", lang, until=until)))
    if item.incident:
        status.append(_mrkdwn(say("card.member_of", lang, incident=item.incident)))
    if status:
        blocks.append({"type": "context", "elements": status})
    unknown = item.reply_unknown  # issue 15: a crash or a failover lost what followed a send
    if unknown is not None:
        blocks.append({"type": "section", "text": _mrkdwn(say(
            "card.reply_unknown", lang, by=f"<@{unknown.by}>", at=ctx.local(unknown.sent),
            network=label(m.network)))})
        blocks.append({"type": "actions", "block_id": f"unknown-{item.number}",
                       "elements": settle_buttons(item.number, lang)})
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
    # notes and history while the item is worked on (issue 16); a closed card keeps only the
    # label menu: `/note N` still works on it
    if not item.incident and (item.is_open or item.state == State.WAITING):
        blocks.append({"type": "actions", "block_id": f"more-{item.number}", "elements": [
            _button("note", item.number, lang), _button("history", item.number, lang)]})
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
