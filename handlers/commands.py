"""Slash-command listeners: parse → ack() → one desk call → private answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.actions import Outcome
from bot.commands import item_args, user_ref
from bot.desk import Desk
from bot.errors import DeskRefusal
from bot.messages import say
from handlers.common import run_action, tell
from handlers.views import open_reply_modal


def register(app: App, desk: Desk) -> None:
    lang = desk.config.language

    def simple(name: str, call: Any, hint: str = "") -> None:
        @app.command(f"/{name}")
        def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
            ack()
            run_action(respond, lang, f"/{name}",
                       lambda: call(command["user_id"], item_args(command.get("text"), hint)),
                       hint)

    simple("claim", lambda u, a: desk.claim(u, a.number))
    simple("release", lambda u, a: desk.release(u, a.number))
    simple("resolve", lambda u, a: desk.resolve(u, a.number))
    simple("dm", lambda u, a: desk.move_to_private(u, a.number, a.text), "[Text]")
    simple("noreply", lambda u, a: desk.no_reply(u, a.number, a.text), "spam")

    @app.command("/assign")
    def assign(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def call() -> Outcome:
            args = item_args(command.get("text"), "@agent")
            agent = user_ref(args.rest)
            if agent is None:
                raise DeskRefusal("refuse.user_ref", number=args.number)
            return desk.assign(command["user_id"], args.number, agent)

        run_action(respond, lang, "/assign", call, "@agent")

    @app.command("/kuerzel")
    def kuerzel(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/kuerzel",
                   lambda: desk.set_kuerzel(command["user_id"], command.get("text") or ""))

    @app.command("/desk")
    def desk_cmd(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        text = (command.get("text") or "").strip().lower()
        if text in ("", "help", "hilfe"):
            tell(respond, say("help", lang))
        elif text in ("stats", "zahlen"):
            tell(respond, say("stats", lang, **desk.today_stats()))
        else:
            tell(respond, say("refuse.unknown_command", lang, text=text[:50]))

    @app.command("/reply")
    def reply(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user = command["user_id"]

        def call() -> Outcome | None:
            args = item_args(command.get("text"), "Antworttext")
            if not args.text.strip():  # no text: the modal with its live hints
                open_reply_modal(desk, client, command["trigger_id"], user, args.number)
                return None
            return desk.reply(user, args.number, args.text)

        run_action(respond, lang, "/reply", call, "Antworttext")


