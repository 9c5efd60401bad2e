"""App Home as Block Kit: my claimed items and the team's unclaimed ones, nearest due first."""

from __future__ import annotations

from typing import Any

from bot.desk.outcomes import Home, ItemView
from bot.desk.watch import waiting_until
from bot.markup import clip, escape
from bot.messages import say
from bot.models import Item
from bot.slack.cards import CardContext, contact_link, contact_outcome, days_text
from bot.sources.registry import label

MAX_ROWS = 25  # a Home view holds at most 100 blocks


def _row(item: Item, ctx: CardContext, buttons: list[str]) -> list[dict[str, Any]]:
    m = item.mention
    due = ctx.local(item.due_at) if item.due_at else "–"
    due_key = "card.due_overdue" if item.timer_state == "breached" else "card.due"
    text = (f"*#{item.number}* · {label(m.network)} · "
            f"@{escape(m.author.handle)} · {say(due_key, ctx.lang, due=due)}\n"
            f"{escape(m.text[:200])}")
    blocks: list[dict[str, Any]] = [{"type": "section",
                                     "text": {"type": "mrkdwn", "text": text, "verbatim": True}}]
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "action_id": a, "value": str(item.number),
         "text": {"type": "plain_text", "text": say(f"button.{a}", ctx.lang)}} for a in buttons]})
    return blocks


def home_view(home: Home, ctx: CardContext) -> dict[str, Any]:
    """The Home tab for `home.user`; a non-agent sees who to ask, no customer's post."""
    lang = ctx.lang
    if home.mine is None or home.unclaimed is None:
        return {"type": "home", "blocks": [{"type": "section", "text": {
            "type": "mrkdwn", "text": say("refuse.not_agent", lang, leads=home.leads)}}]}
    blocks: list[dict[str, Any]] = focus_blocks(home.focus, ctx) if home.focus else []
    blocks.append(
        {"type": "header", "text": {"type": "plain_text", "text": say("home.mine", lang)}})
    for item in home.mine[:MAX_ROWS]:
        blocks += _row(item, ctx, ["reply", "dm", "noreply"])
    if not home.mine:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": say("home.none_mine", lang)}]})
    if home.waiting:  # issue 16: held, but the clock stopped until the customer writes
        blocks.append({"type": "header",
                       "text": {"type": "plain_text", "text": say("home.waiting", lang)}})
        for item in home.waiting[:MAX_ROWS // 2]:
            until = waiting_until(item)
            blocks += _row(item, ctx, [])[:1]  # acting on it: its card (or /resolve N)
            blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": say(
                "home.waiting_until", lang, until=ctx.local(until) if until else "–")}]})
    blocks.append({"type": "divider"})
    blocks.append({"type": "header",
                   "text": {"type": "plain_text", "text": say("home.unclaimed", lang)}})
    for item in home.unclaimed[:MAX_ROWS]:
        blocks += _row(item, ctx, ["claim"])
    if not home.unclaimed:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": say("home.none_unclaimed", lang)}]})
    blocks += _dropped(home, ctx)
    return {"type": "home", "blocks": blocks[:100]}


def _section(lines: list[str]) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip("\n".join(lines), 2990),
                                        "verbatim": True}}


def focus_blocks(view: ItemView, ctx: CardContext) -> list[dict[str, Any]]:
    """One item on top of App Home (issue 16): the post, its internal notes, and every earlier
    contact of the customer within `history.days`, each with its outcome, notes and card."""
    lang, item = ctx.lang, view.item
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text",
                                    "text": say("home.focus", lang, number=item.number)}},
        *_row(item, ctx, [])[:1]]
    if view.notes:
        blocks.append(_section([say("home.notes", lang)] + [
            say("home.note", lang, at=ctx.local(n.at), user=n.user, text=escape(n.text))
            for n in view.notes]))
    history = view.history
    if not history.earlier:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": say(
            "home.no_contacts", lang, days=view.window_days)}]})
    else:
        lines = [say("home.contacts", lang, count=len(history.earlier),
                     days=days_text(history.days, lang))]
        for c in history.earlier:
            lines.append(say("home.contact", lang, link=contact_link(c, lang),
                             date=ctx.local(c.seen_at) if c.seen_at else "–",
                             outcome=contact_outcome(c, lang),
                             text=escape(clip(" ".join(c.text.split()), 120))))
            lines += ["    🔒 " + say("home.note", lang, at=ctx.local(n.at), user=n.user,
                                      text=escape(clip(n.text, 200))) for n in c.notes]
        for start in range(0, len(lines), 12):  # a section holds 3,000 characters
            blocks.append(_section(lines[start:start + 12]))
    blocks.append({"type": "divider"})
    return blocks[:40]
DROPPED_ACTION = "dropped_card"


def _dropped(home: Home, ctx: CardContext) -> list[dict[str, Any]]:
    """Issue 14: the newest mentions triage did not post, each with "doch ein Fall → Karte"
    (placed last, so a full Home cuts these first)."""
    lang = ctx.lang
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        {"type": "header", "text": {"type": "plain_text", "text": say("home.dropped", lang)}}]
    for d in home.dropped:
        m = d.mention
        text = (f"{label(m.network)} · @{escape(m.author.handle)} · {d.sentiment} "
                f"({d.score:.2f})\n{escape(m.text[:200])}")
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text,
                                                   "verbatim": True},
                       "accessory": {"type": "button", "action_id": DROPPED_ACTION,
                                     "value": d.key, "text": {"type": "plain_text", "text": say(
                                         "button.dropped_card", lang)}}})
    if not home.dropped:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": say("home.none_dropped", lang)}]})
    return blocks
