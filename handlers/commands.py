"""Slash-command listeners: parse → ack() → one desk call → private answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.commands import item_args
from bot.desk import Desk
from handlers.common import run_action


def register(app: App, desk: Desk) -> None:
    lang = desk.config.language

    @app.command("/claim")
    def claim(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/claim",
                   lambda: desk.claim(command["user_id"], item_args(command.get("text")).number))

    @app.command("/reply")
    def reply(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def call() -> Any:
            args = item_args(command.get("text"), "Antworttext")
            return desk.reply(command["user_id"], args.number, args.rest)

        run_action(respond, lang, "/reply", call, "Antworttext")
