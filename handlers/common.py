"""What every listener shares: run one desk call and tell the actor the outcome privately."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from bot.actions import Outcome
from bot.commands import UsageError
from bot.errors import DeskRefusal
from bot.messages import say

log = logging.getLogger(__name__)


def tell(respond: Callable[..., Any], text: str) -> None:
    """A private answer to the actor (ephemeral, leaves the original message alone)."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def run_action(respond: Callable[..., Any], lang: str, command: str,
               call: Callable[[], Outcome | None], rest_hint: str = "") -> Outcome | None:
    """Run `call`; render its outcome or refusal; never let an exception reach Bolt."""
    try:
        outcome = call()
    except UsageError as exc:
        tell(respond, say("refuse.bad_number", lang, command=command,
                          rest=f" {exc.rest_hint}" if exc.rest_hint else ""))
        return None
    except DeskRefusal as exc:
        tell(respond, say(exc.key, lang, **exc.params))
        return None
    except Exception:
        log.exception("desk action %s failed", command)
        tell(respond, say("error.internal", lang))
        return None
    if outcome is not None:
        tell(respond, say(outcome.key, lang, **outcome.params))
    return outcome
