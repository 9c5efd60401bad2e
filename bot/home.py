"""The App Home view: my claimed items and the team's unclaimed ones, nearest due first."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot.messages import say
from bot.models import State
from bot.slack.cards import CardContext, escape

if TYPE_CHECKING:
    from bot.desk import Desk
    from bot.models import Item

MAX_ROWS = 25  # a Home view holds at most 100 blocks


def _row(item: Item, ctx: CardContext, buttons: list[str]) -> list[dict[str, Any]]:
    m = item.mention
    due = ctx.local(item.due_at) if item.due_at else "–"
    due_key = "card.due_overdue" if item.timer_state == "breached" else "card.due"
    text = (f"*#{item.number}* · {say(f'network.{m.network}', ctx.lang)} · "
            f"@{escape(m.author.handle)} · {say(due_key, ctx.lang, due=due)}\n"
            f"{escape(m.text[:200])}")
    blocks: list[dict[str, Any]] = [{"type": "section",
                                     "text": {"type": "mrkdwn", "text": text, "verbatim": True}}]
    blocks.append({"type": "actions", "elements": [
        {"type": "button", "action_id": a, "value": str(item.number),
         "text": {"type": "plain_text", "text": say(f"button.{a}", ctx.lang)}} for a in buttons]})
    return blocks


def home_view(desk: Desk, user: str) -> dict[str, Any]:
    lang = desk.config.language
    if not desk.is_agent(user):  # customers' posts are for the team only
        return {"type": "home", "blocks": [{"type": "section", "text": {
            "type": "mrkdwn", "text": say("refuse.not_agent", lang, leads=desk.leads_text())}}]}
    ctx = CardContext(lang, desk.config.timezone)
    mine, unclaimed = [], []
    for n in desk.items.open_numbers(500):
        item = desk.items.get(n)
        if item is None:
            continue
        if item.state == State.CLAIMED and item.holder == user:
            mine.append(item)
        elif item.state == State.NEW:
            unclaimed.append(item)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": say("home.mine", lang)}}]
    for item in mine[:MAX_ROWS]:
        blocks += _row(item, ctx, ["reply", "dm", "noreply"])
    if not mine:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": say("home.none_mine", lang)}]})
    blocks.append({"type": "divider"})
    blocks.append({"type": "header",
                   "text": {"type": "plain_text", "text": say("home.unclaimed", lang)}})
    for item in unclaimed[:MAX_ROWS]:
        blocks += _row(item, ctx, ["claim"])
    if not unclaimed:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": say("home.none_unclaimed", lang)}]})
    return {"type": "home", "blocks": blocks[:100]}
