"""The board: the desk's outcomes drawn in Slack (cards, threads, App Home, private answers).

`SlackBoard` implements the desk's `Board` port over a `SlackPort` (the real Web API, or the
demo's console), rendering with `cards` and `home`. `queue_text` renders `/queue`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.desk.outcomes import Card, Found, Home, Queue
from bot.durations import format_duration
from bot.markup import clip, escape, mention
from bot.messages import say
from bot.models import Item
from bot.slack.cards import (
    CardContext,
    card_blocks,
    card_link,
    card_metadata,
    card_text,
    incident_blocks,
)
from bot.slack.home import home_view
from bot.slack.poster import SlackPort
from bot.sources.registry import label


class SlackBoard:
    """Draws cards, thread lines and App Home through `slack`."""

    def __init__(self, slack: SlackPort, lang: str, timezone: str) -> None:
        self.slack, self.lang, self.timezone = slack, lang, timezone

    def context(self, card: Card | None = None) -> CardContext:
        if card is None:
            return CardContext(self.lang, self.timezone)
        return CardContext(self.lang, self.timezone, card.response_time, card.countdown)

    def blocks(self, card: Card) -> list[dict[str, Any]]:
        """An item's card, or an incident's."""
        ctx = self.context(card)
        if card.incident is not None:
            return incident_blocks(card.item, card.incident, ctx)
        return card_blocks(card.item, ctx, card.open_incident, card.history)

    def post_card(self, card: Card, *, since: float | None = None) -> str:
        item = card.item
        return self.slack.post_card(item.number, item.channel, self.blocks(card),
                                    card_text(item, self.context(card)), card_metadata(item),
                                    since=since)

    def update_card(self, card: Card) -> None:
        item = card.item
        self.slack.update_card(item.channel, item.card_ts, self.blocks(card),
                               card_text(item, self.context(card)))

    def post_thread(self, item: Item, text: str | Callable[[], str]) -> str:
        return self.slack.post_thread(item.channel, item.card_ts, text)

    def publish_home(self, home: Home) -> None:
        self.slack.publish_home(home.user, home_view(home, self.context()))

    def post_message(self, channel: str, text: str) -> str:
        return self.slack.post_message(channel, text)


def queue_text(queue: Queue, lang: str, timezone: str) -> str:
    """The `/queue` answer: one line per item, nearest due first.

    Time left is business time, so the due time is shown beside it as the card shows it
    ("20 Min. Geschäftszeit, Mo 24.11. 08:20"): at night the two differ by hours.
    """
    if not queue.rows and not queue.waiting:
        return say("queue.empty", lang, channel=queue.channel)
    ctx = CardContext(lang, timezone)
    lines = [say("queue.header", lang, channel=queue.channel)]
    for r in queue.rows:
        due = (say("queue.due_in", lang, left=format_duration(r.left, lang), at=ctx.local(r.due_at))
               if r.left.total_seconds() > 0
               else say("queue.overdue", lang, late=format_duration(-r.left, lang)))
        holder = mention(r.holder) if r.holder else say("timer.nobody", lang)
        lines.append(say("queue.line", lang, number=r.number, network=label(r.network),
                         handle=escape(r.handle), due=due, holder=holder))
    if queue.more:
        lines.append(say("queue.more", lang, more=queue.more))
    if queue.waiting:
        lines.append(say("queue.waiting", lang))
        for w in queue.waiting:
            until = ctx.local(w.until) if w.until else "–"
            holder = mention(w.holder) if w.holder else say("timer.nobody", lang)
            lines.append(say("queue.waiting_line", lang, number=w.number,
                             network=label(w.network), handle=escape(w.handle), until=until,
                             holder=holder))
    return "\n".join(lines)


def find_text(found: Found, lang: str, timezone: str) -> str:
    """The `/find` answer: one line per item with a link to its card (issue 16)."""
    query = escape(found.query)
    if not found.items:
        return say("find.none", lang, query=query)
    ctx = CardContext(lang, timezone)
    lines = [say("find.header", lang, query=query)]
    for item in found.items:
        m = item.mention
        title = say("history.link", lang, number=item.number)
        link = card_link(item.channel, item.card_ts, title) if item.card_ts else f"#{item.number}"
        lines.append(say("find.line", lang, link=link, network=label(m.network),
                         handle=escape(m.author.handle), state=say(f"state.{item.state.value}",
                                                                    lang),
                         date=ctx.local(item.seen_at or m.created_at),
                         text=escape(clip(" ".join(m.text.split()), 80))))
    if found.more:
        lines.append(say("find.more", lang))
    return "\n".join(lines)
