"""Card and prompt button listeners: the same desk calls as the slash commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.desk import Desk, Outcome
from bot.slack.cards import LABEL_ACTION
from bot.slack.command_text import item_args
from bot.slack.home import DROPPED_ACTION
from bot.slack.views import (
    DRAFT_ACTION,
    DRAFT_BLOCK,
    TEMPLATE_ACTION,
    members_modal,
    next_draft_block,
    noreply_modal,
    note_modal,
    reply_form,
    reply_modal,
)
from handlers.common import open_reply_modal, run_action


def _number(body: dict[str, Any]) -> int:
    """The item number a button carries; a malformed one gets the usual usage answer."""
    return item_args(str(body["actions"][0].get("value", ""))).number


def _user(body: dict[str, Any]) -> str:
    return str(body["user"]["id"])


def _number_button(lang: str, command: str, call: Callable[[str, int], Outcome]
                   ) -> Callable[[Ack, dict[str, Any], Respond], None]:
    """A listener for a button carrying an item number: `call(user, number)`, answered like
    the slash command `command`."""
    def listener(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, command, lambda: call(_user(body), _number(body)))

    return listener


def register(app: App, desk: Desk) -> None:
    lang, work, answers = desk.config.language, desk.workflow, desk.answers

    # buttons that carry an item number and do what a slash command does
    for action_id, (command, call) in {
        "claim": ("/claim", work.claim),
        "dm": ("/dm", answers.move_to_private),
        "reply_override": ("/reply", answers.override_held_reply),
        "reply_arrived": ("/reply", answers.reply_arrived),
        "reply_not_arrived": ("/reply", answers.reply_not_arrived),
        "incident_leave": ("/claim", desk.incidents.take_out),
        "incident_retry": ("/reply", desk.incidents.retry),
    }.items():
        app.action(action_id)(_number_button(lang, command, call))

    @app.action("incident_join")
    def incident_join(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """The value is `<member>:<incident>`."""
        ack()

        def call() -> Outcome:
            member, _, incident = str(body["actions"][0].get("value", "")).partition(":")
            return desk.incidents.put_in(_user(body), item_args(member).number,
                                         item_args(incident).number)

        run_action(respond, lang, "/claim", call)

    @app.action("incident_members")
    def incident_members(ack: Ack, body: dict[str, Any], respond: Respond,
                         client: WebClient) -> None:
        ack()

        def open_modal() -> None:
            incident, members = desk.incidents.members_for(_user(body), _number(body))
            client.views_open(trigger_id=body["trigger_id"],
                              view=members_modal(incident, members, lang))

        run_action(respond, lang, "/queue", open_modal)

    @app.action(LABEL_ACTION)
    def label(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """The card's label menu (issue 14): the option's value is `<item>:<label>`."""
        ack()
        value = str((body["actions"][0].get("selected_option") or {}).get("value", ""))
        number, _, name = value.partition(":")
        run_action(respond, lang, "/label", lambda: desk.labels.label(
            _user(body), item_args(number).number, name), "usage.label")

    @app.action(DROPPED_ACTION)
    def dropped_card(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        """App Home: "doch ein Fall → Karte" for a mention triage did not post (issue 14)."""
        ack()
        user = _user(body)
        if run_action(respond, lang, "/label", lambda: desk.labels.promote(
                user, str(body["actions"][0].get("value", "")))) is not None:
            desk.publisher.refresh_home(user)

    @app.action("open_post")
    def open_post(ack: Ack) -> None:
        ack()

    @app.action("reply")
    def reply(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        run_action(respond, lang, "/reply", lambda: open_reply_modal(
            desk, client, body["trigger_id"], _user(body), _number(body)))

    @app.action("noreply")
    def noreply(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()

        def open_modal() -> None:
            number = _number(body)
            work.held_item(_user(body), "noreply", number)
            client.views_open(trigger_id=body["trigger_id"], view=noreply_modal(
                number, desk.config.noreply_reasons, lang))

        run_action(respond, lang, "/noreply", open_modal)

    # ----- the whole customer (issue 16) ------------------------------------------------------
    @app.action("note")
    def note(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()

        def open_modal() -> None:
            number = _number(body)
            desk.rules.item_for(_user(body), "note", number)
            client.views_open(trigger_id=body["trigger_id"], view=note_modal(number, lang))

        run_action(respond, lang, "/note", open_modal)

    @app.action("history")
    def history(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        run_action(respond, lang, "/find",
                   lambda: desk.customers.show_history(_user(body), _number(body)))

    @app.action(DRAFT_ACTION)
    def draft_input(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """Live hint: re-render the modal's hint for the draft typed so far."""
        ack()
        view, action = body["view"], body["actions"][0]
        draft = action.get("value") or ""
        found = desk.queries.draft(_user(body), int(view["private_metadata"]), draft)
        if found is None:
            return
        item, hint = found
        client.views_update(view_id=view["id"], hash=view.get("hash"), view=reply_modal(
            item, hint, draft, lang, templates=desk.queries.template_names(),
            template=reply_form(view).template, draft_block=action.get("block_id") or DRAFT_BLOCK))

    @app.action(TEMPLATE_ACTION)
    def template_select(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        """The picker: fill the draft with the chosen template in the customer's variant."""
        ack()
        view = body["view"]
        name = (body["actions"][0].get("selected_option") or {}).get("value") or ""
        found = desk.queries.template_draft(_user(body), int(view["private_metadata"]), name)
        if found is None:
            return
        item, text, hint = found
        # no hash: picking a template is deliberate and wins over a live-hint update in flight
        client.views_update(view_id=view["id"], view=reply_modal(
            item, hint, text, lang, templates=desk.queries.template_names(), template=name,
            draft_block=next_draft_block(view)))
