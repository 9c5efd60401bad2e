"""What the desk needs from the outside, as protocols: the board (Slack) and the timers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from bot.desk.outcomes import Card, Home
from bot.models import Item


class Board(Protocol):
    """Where items are shown (`bot.slack.board.SlackBoard`, or the demo's console)."""

    def post_card(self, card: Card, *, since: float | None = None) -> str:
        """Post the card once (`since`: an earlier attempt began then); returns its ts."""

    def update_card(self, card: Card) -> None:
        """Show the item's current state on its card."""

    def post_thread(self, item: Item, text: str | Callable[[], str]) -> str:
        """A line in the card's thread; a callable is rendered when the post goes out."""

    def publish_home(self, home: Home) -> None:
        """Re-draw one agent's App Home."""

    def post_message(self, channel: str, text: str) -> str:
        """A plain message (the daily summary, alerts)."""


class TimerPort(Protocol):
    """Response-target timers (`bot.desk.watch.TargetWatch`). The desk starts and stops them."""

    def start(self, item: Item, *, ride: bool = False) -> None:
        """(Re)schedule the warning and breach for `item.due_at` (`ride`: with the next round
        trip of the worker's intake)."""

    def stop(self, number: int) -> None:
        """The item needs no answer now (answered, private, no reply, resolved)."""
