"""`/escalate N [note]` and `/queue`: parse → ack() → one desk call → private answer."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot.actions import Outcome
from bot.commands import item_args
from bot.desk import Desk
from bot.messages import say
from bot.slack.cards import escape
from bot.timers import QueueRow, escalate, format_duration, open_queue
from handlers.common import run_action


def render_queue(rows: list[QueueRow], more: int, channel: str, lang: str) -> str:
    """The `/queue` answer: one line per item, nearest due first."""
    if not rows:
        return say("queue.empty", lang, channel=channel)
    lines = [say("queue.header", lang, channel=channel)]
    for r in rows:
        due = (say("queue.due_in", lang, left=format_duration(r.left, lang)) if r.left.total_seconds() > 0
               else say("queue.overdue", lang, late=format_duration(-r.left, lang)))
        holder = f"<@{r.holder}>" if r.holder else say("timer.nobody", lang)
        lines.append(say("queue.line", lang, number=r.number, network=say(f"network.{r.network}", lang),
                         handle=escape(r.handle), due=due, holder=holder))
    if more:
        lines.append(say("queue.more", lang, more=more))
    return "\n".join(lines)


def register(app: App, desk: Desk) -> None:
    lang = desk.config.language

    @app.command("/escalate")
    def escalate_cmd(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()

        def call() -> Outcome:
            args = item_args(command.get("text"), "[Notiz]")
            return escalate(desk, command["user_id"], args.number, args.text)

        run_action(respond, lang, "/escalate", call, "[Notiz]")

    @app.command("/queue")
    def queue_cmd(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        channel = command.get("channel_id", "")

        def call() -> Outcome:
            rows, more = open_queue(desk, command["user_id"], channel)
            return Outcome("queue.text", {"text": render_queue(rows, more, channel, lang)})

        run_action(respond, lang, "/queue", call)
