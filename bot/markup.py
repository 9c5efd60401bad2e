"""Slack's text markup for plain values: escaping, clipping, mentions. Pure.

The desk writes thread lines and refusals as catalogue text with these in it; the board
(`bot.slack`) renders cards with them too, so both escape a customer's words the same way.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.messages import say

QUOTE_LIMIT = 2800  # a section's text may hold 3,000 characters; leave room for quoting
NAME_LIMIT = 200


def clip(text: str, limit: int) -> str:
    """`text` cut to `limit` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def escape(text: str) -> str:
    """Escape Slack's control characters (&, <, >) so text renders literally."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(ref: str) -> str:
    """Markup that pings a user (`U…`/`W…`) or a user group (`S…`)."""
    return f"<!subteam^{ref}>" if ref.startswith("S") else f"<@{ref}>"


def lead_ping(leads: Sequence[str], lang: str = "de") -> str:
    """The leads as mentions: `<@U…>` for users, `<!subteam^S…>` for a user group."""
    return ", ".join(mention(x) for x in leads if x) or say("leads.fallback", lang)
