"""Slash-command listeners: parse → ack() → one desk call → private answer."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.actions import Outcome
from bot.commands import UsageError, item_args, user_ref
from bot.desk import Desk
from bot.errors import DeskRefusal
from bot.messages import say
from handlers.common import run_action, tell
from handlers.views import held_reply_blocks, reply_modal

log = logging.getLogger(__name__)


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
        try:
            args = item_args(command.get("text"), "Antworttext")
        except UsageError:
            tell(respond, say("refuse.bad_number", lang, command="/reply", rest=" Antworttext"))
            return
        if not args.text.strip():
            run_action(respond, lang, "/reply", lambda: _open_reply_modal(
                desk, client, command["trigger_id"], user, args.number), "Antworttext")
            return
        try:
            outcome = desk.reply(user, args.number, args.text)
        except DeskRefusal as exc:
            if exc.key == "hold.address":
                respond(text=say(exc.key, lang, **exc.params), response_type="ephemeral",
                        replace_original=False, blocks=held_reply_blocks(lang, exc.params))
                return
            tell(respond, say(exc.key, lang, **exc.params))
            return
        except Exception:
            log.exception("/reply failed")
            tell(respond, say("error.internal", lang))
            return
        tell(respond, say(outcome.key, lang, **outcome.params))


def _open_reply_modal(desk: Desk, client: WebClient, trigger_id: str, user: str,
                      number: int) -> None:
    """Open the reply modal (holder only, same checks as the command on submit)."""
    item = desk.held_item(user, "reply", number)
    client.views_open(trigger_id=trigger_id, view=reply_modal(desk, item, user, ""))
