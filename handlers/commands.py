"""Slash-command listeners: parse → ack() → one desk call → private answer.

Every command acks at once with an empty body: `register` returns their names, so the web
may answer them before Bolt runs (`bot.entry.ack_first`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.desk import Desk, Outcome
from bot.errors import DeskRefusal
from bot.messages import say
from bot.slack.board import find_text, queue_text
from bot.slack.command_text import (
    ItemArgs,
    item_args,
    slack_unescape,
    template_ref,
    user_and_note,
)
from handlers.common import open_reply_modal, run_action, tell

Listener = TypeVar("Listener", bound=Callable[..., None])


def register(app: App, desk: Desk) -> frozenset[str]:
    """Attach the slash commands; returns their names (each acks empty, first thing)."""
    lang, work, answers = desk.config.language, desk.workflow, desk.answers
    names: set[str] = set()

    def slash(name: str) -> Callable[[Listener], Listener]:
        names.add(name)
        return cast("Callable[[Listener], Listener]", app.command(name))

    def simple(name: str, call: Callable[[str, ItemArgs], Outcome], usage: str = "") -> None:
        @slash(f"/{name}")
        def listener(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
            ack()
            run_action(respond, lang, f"/{name}",
                       lambda: call(command["user_id"], item_args(command.get("text"))), usage)

    simple("claim", lambda u, a: work.claim(u, a.number))
    simple("release", lambda u, a: work.release(u, a.number))
    simple("resolve", lambda u, a: work.resolve(u, a.number))
    simple("dm", lambda u, a: answers.move_to_private(u, a.number, a.text), "usage.text")
    simple("noreply", lambda u, a: work.no_reply(u, a.number, a.text), "usage.reason")
    simple("escalate", lambda u, a: work.escalate(u, a.number, a.text), "usage.note")
    simple("label", lambda u, a: desk.labels.label(u, a.number, a.text), "usage.label")  # issue 14

    @slash("/assign")
    def assign(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def call() -> Outcome:
            args = item_args(command.get("text"))
            ref = user_and_note(args.rest)
            if ref is None:
                raise DeskRefusal("refuse.user_ref", number=args.number)
            return work.assign(command["user_id"], args.number, *ref)

        run_action(respond, lang, "/assign", call, "usage.agent_note")

    # ----- the whole customer (issue 16) ------------------------------------------------------
    customers = desk.customers
    simple("note", lambda u, a: customers.note(u, a.number, a.text), "usage.note_text")
    simple("wait", lambda u, a: customers.wait(u, a.number, a.text), "usage.note")

    @slash("/find")
    def find(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def call() -> Outcome:
            found = customers.find(command["user_id"], slack_unescape(command.get("text") or ""))
            return Outcome("queue.text", {"text": find_text(found, lang, desk.config.timezone)})

        run_action(respond, lang, "/find", call)

    @slash("/kuerzel")
    def kuerzel(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/kuerzel",
                   lambda: work.set_kuerzel(command["user_id"], command.get("text") or ""))

    @slash("/queue")
    def queue(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def call() -> Outcome:
            q = desk.queries.queue(command["user_id"], command.get("channel_id", ""))
            return Outcome("queue.text", {"text": queue_text(q, lang, desk.config.timezone)})

        run_action(respond, lang, "/queue", call)

    @slash("/desk")
    def desk_cmd(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        text = (command.get("text") or "").strip().lower()
        if text in ("", "help", "hilfe"):
            tell(respond, f"{say('help', lang)}\n{say('help.customer', lang)}")
        elif text in ("stats", "zahlen"):
            tell(respond, say("stats", lang, **desk.queries.today_stats()))
        else:
            tell(respond, say("refuse.unknown_command", lang, text=text[:50]))

    @slash("/reply")
    def reply(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user = command["user_id"]

        def call() -> Outcome | None:
            args = item_args(command.get("text"))
            if not args.text.strip():  # no text: the modal with its live hints
                open_reply_modal(desk, client, command["trigger_id"], user, args.number)
                return None
            ref = template_ref(args.text)  # `:stoerung`; `:D danke` stays text
            if ref and (not ref.rest or answers.knows_template(ref.name)):
                return answers.reply_template(user, args.number, ref.name, ref.rest)
            return answers.reply(user, args.number, args.text)

        run_action(respond, lang, "/reply", call, "usage.reply")

    return frozenset(names)
