"""Bolt listeners, thin: each parses Slack input, calls one desk operation, renders the answer.

`register(app, desk)` is the one place that attaches them; importing a module does nothing.
"""

from __future__ import annotations

from slack_bolt import App

from bot.desk import Desk
from handlers import actions, commands, home, modals

__all__ = ["register"]


def register(app: App, desk: Desk) -> frozenset[str]:
    """Attach every listener to `app`; returns the slash commands, all of which ack() at once
    with nothing, as every block action does (`bot.entry.ack_first` answers them early)."""
    names = commands.register(app, desk)
    actions.register(app, desk)
    modals.register(app, desk)
    home.register(app, desk)
    return names
