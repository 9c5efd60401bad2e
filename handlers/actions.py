"""Card button listeners: the same desk calls as the slash commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.desk import Desk
from bot.messages import say
from handlers.common import run_action, tell


def _number(body: dict[str, Any]) -> int:
    return int(body["actions"][0]["value"])


def register(app: App, desk: Desk) -> None:
    lang = desk.config.language

    @app.action("claim")
    def claim(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/claim", lambda: desk.claim(body["user"]["id"], _number(body)))

    @app.action("open_post")
    def open_post(ack: Ack) -> None:
        ack()

    @app.action("reply")
    def reply(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        n = _number(body)
        tell(respond, say("hint.reply", lang, number=n))
