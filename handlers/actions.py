"""Card and prompt button listeners: the same desk calls as the slash commands."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.commands import item_args
from bot.desk import Desk
from handlers.common import run_action
from handlers.views import noreply_modal, open_reply_modal, reply_modal


def _number(body: dict[str, Any]) -> int:
    """The item number a button carries; a malformed one gets the usual usage answer."""
    return item_args(str(body["actions"][0].get("value", ""))).number


def _user(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def register(app: App, desk: Desk) -> None:
    lang = desk.config.language

    @app.action("claim")
    def claim(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/claim", lambda: desk.claim(_user(body), _number(body)))

    @app.action("dm")
    def dm(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/dm", lambda: desk.move_to_private(_user(body), _number(body)))

    @app.action("reply_override")
    def reply_override(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/reply",
                   lambda: desk.override_held_reply(_user(body), _number(body)))

    @app.action("open_post")
    def open_post(ack: Ack) -> None:
        ack()

    @app.action("reply")
    def reply(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user = _user(body)

        run_action(respond, lang, "/reply", lambda: open_reply_modal(
            desk, client, body["trigger_id"], user, _number(body)))

    @app.action("noreply")
    def noreply(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        user = _user(body)

        def open_modal() -> None:
            number = _number(body)
            desk.held_item(user, "noreply", number)
            client.views_open(trigger_id=body["trigger_id"], view=noreply_modal(desk, number))

        run_action(respond, lang, "/noreply", open_modal)

    @app.action("draft_input")
    def draft_input(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Live hint: re-render the modal's hint for the draft typed so far."""
        ack()
        view = body["view"]
        number = int(view["private_metadata"])
        item = desk.items.get(number)
        if item is None:
            return
        draft = body["actions"][0].get("value") or ""
        client.views_update(view_id=view["id"], hash=view.get("hash"),
                            view=reply_modal(desk, item, _user(body), draft))
