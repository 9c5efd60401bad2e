"""Modal submissions: checks before ack() become field errors; the send happens after."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.desk import Desk, store_unreachable
from bot.errors import DeskRefusal
from bot.messages import say
from bot.slack.views import NOREPLY_MODAL, NOTE_MODAL, REPLY_MODAL, reply_form

log = logging.getLogger(__name__)


def _values(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {bid: next(iter(actions.values()), {})
            for bid, actions in view["state"]["values"].items()}


def _notify(client: WebClient, channel: str, user: str, text: str) -> None:
    try:
        client.chat_postEphemeral(channel=channel, user=user, text=text)
    except Exception:
        log.warning("could not tell %s the outcome", user)


def _field_error(exc: Exception, lang: str) -> str:
    """What a refused submit shows under its field (Slack allows 150 characters there); a
    failure that is neither a refusal nor an unreachable Redis is raised again."""
    if isinstance(exc, DeskRefusal):
        return say(exc.key, lang, **exc.params)[:150]
    if store_unreachable(exc):
        return say("error.unavailable", lang)[:150]
    raise exc


def register(app: App, desk: Desk) -> None:
    lang = desk.config.language

    @app.view(REPLY_MODAL)
    def reply_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                     client: WebClient) -> None:
        user = body["user"]["id"]
        number = int(view["private_metadata"])
        form = reply_form(view)
        draft, override, template = form.draft.strip(), form.override, form.template
        try:
            item = desk.answers.check_reply(user, number, draft, override=override,
                                            template=template)
        except Exception as exc:
            ack(response_action="errors", errors={form.draft_block: _field_error(exc, lang)})
            return
        ack()
        try:
            outcome = desk.answers.reply(user, number, draft, override=override,
                                         template=template)
            _notify(client, item.channel, user, say(outcome.key, lang, **outcome.params))
        except DeskRefusal as exc:
            _notify(client, item.channel, user, say(exc.key, lang, **exc.params))

    @app.view(NOREPLY_MODAL)
    def noreply_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                       client: WebClient) -> None:
        user = body["user"]["id"]
        number = int(view["private_metadata"])
        values = _values(view)
        selected = (values.get("reason", {}).get("selected_option") or {}).get("value", "")
        note = (values.get("note", {}).get("value") or "").strip()
        reason = note or selected
        try:
            outcome = desk.workflow.no_reply(user, number, reason)
        except Exception as exc:
            ack(response_action="errors", errors={"reason": _field_error(exc, lang)})
            return
        ack()
        item = outcome.item
        if item is not None:
            _notify(client, item.channel, user, say(outcome.key, lang, **outcome.params))

    # ----- the whole customer (issue 16) ------------------------------------------------------
    @app.view(NOTE_MODAL)
    def note_submit(ack: Ack, body: dict[str, Any], view: dict[str, Any],
                    client: WebClient) -> None:
        user = body["user"]["id"]
        number = int(view["private_metadata"])
        text = (_values(view).get("note", {}).get("value") or "").strip()
        try:
            outcome = desk.customers.note(user, number, text)
        except Exception as exc:
            ack(response_action="errors", errors={"note": _field_error(exc, lang)})
            return
        ack()
        if outcome.item is not None:
            _notify(client, outcome.item.channel, user, say(outcome.key, lang, **outcome.params))
