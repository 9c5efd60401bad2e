"""What every listener shares: run one desk call and tell the actor the outcome privately."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient

from bot.desk import Desk, Outcome, store_unreachable
from bot.errors import DeskRefusal
from bot.messages import say
from bot.slack.command_text import UsageError
from bot.slack.views import held_reply_blocks, reply_modal, unknown_reply_blocks

log = logging.getLogger(__name__)

# a held reply comes with its buttons: du/Sie with the one that sends it anyway, an earlier
# reply's unknown outcome with the two that settle it
HELD_PROMPTS: dict[str, Callable[[str, dict[str, Any]], list[dict[str, Any]]]] = {
    "hold.address": held_reply_blocks, "hold.reply_unknown": unknown_reply_blocks}


def with_fallback(respond: Callable[..., Any], client: WebClient, channel: str | None,
                  user: str | None) -> Callable[..., Any]:
    """`respond` (response_url: 5 uses, 30 minutes) that falls back to `chat.postEphemeral`
    when the URL is spent, expired or unreachable, so the actor is always told."""

    def answer(text: str = "", **kwargs: Any) -> Any:
        try:
            resp = respond(text=text, **kwargs)
            if getattr(resp, "status_code", 200) < 300:
                return resp
        except Exception as exc:
            log.warning("response_url failed (%s); answering with chat.postEphemeral",
                        type(exc).__name__)
        if channel and user:
            try:
                return client.chat_postEphemeral(channel=channel, user=user, text=text,
                                                 blocks=kwargs.get("blocks"))
            except Exception as exc:
                log.warning("could not tell %s privately (%s)", user, type(exc).__name__)
        return None

    return answer


def tell(respond: Callable[..., Any], text: str,
         blocks: list[dict[str, Any]] | None = None) -> None:
    """A private answer to the actor (ephemeral, leaves the original message alone)."""
    if blocks:
        respond(text=text, response_type="ephemeral", replace_original=False, blocks=blocks)
    else:
        respond(text=text, response_type="ephemeral", replace_original=False)


def run_action(respond: Callable[..., Any], lang: str, command: str,
               call: Callable[[], Outcome | None], usage: str = "") -> Outcome | None:
    """Run `call`; render its outcome or refusal; never let an exception reach Bolt.

    `usage` is the catalogue key of what follows the item number (`usage.reply`, …).
    """
    try:
        outcome = call()
    except UsageError:
        rest = f" {say(usage, lang)}" if usage else ""
        tell(respond, say("refuse.bad_number", lang, command=command, rest=rest))
        return None
    except DeskRefusal as exc:
        prompt = HELD_PROMPTS.get(exc.key)
        held = prompt(lang, exc.params) if prompt is not None else None
        tell(respond, say(exc.key, lang, **exc.params), held)
        return None
    except Exception as exc:
        if store_unreachable(exc):  # Redis is down: a known state, told as such, no traceback
            log.warning("desk action %s: Redis unreachable (%s)", command, type(exc).__name__)
            tell(respond, say("error.unavailable", lang))
            return None
        log.exception("desk action %s failed", command)
        tell(respond, say("error.internal", lang))
        return None
    if outcome is not None:
        tell(respond, say(outcome.key, lang, **outcome.params))
    return outcome


def open_reply_modal(desk: Desk, client: WebClient, trigger_id: str, user: str,
                     number: int) -> None:
    """Open the reply modal (holder only; on submit the same checks as the command)."""
    item = desk.workflow.held_item(user, "reply", number)
    client.views_open(trigger_id=trigger_id, view=reply_modal(
        item, desk.queries.hint(item, user, ""), "", desk.config.language,
        templates=desk.queries.template_names()))
