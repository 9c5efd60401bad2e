"""Slash-command text as plain values. Pure and total: never raises but `UsageError`."""

from __future__ import annotations

import re
from dataclasses import dataclass

_NUMBER = re.compile(r"^\s*#?(\d{1,9})(?:\s+(.*))?\s*$", re.DOTALL)
_TEMPLATE = re.compile(r"^:([^\W_][\w-]*)(?:\s+(.*))?$", re.DOTALL)
_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


class UsageError(ValueError):
    """The command text does not start with an item number."""


_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")


def slack_unescape(text: str) -> str:
    """Slack's escaped command text back to what the agent typed.

    Slack sends `&amp; &lt; &gt;` for `& < >`, links as `<https://…>` or `<https://…|label>`,
    users as `<@U…|name>`, channels as `<#C…|name>` and `<!here>`.
    """

    def link(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        # people, channels and @here become plain names: on X "@name" or "#name" would tag
        # or link someone else
        if target.startswith(("@", "#")):
            return label or target[1:]
        if target.startswith("!"):
            return label or target[1:].split("^")[0]
        if target.startswith("mailto:"):
            return label or target[len("mailto:"):]
        return target if not label or label == target else label if target.endswith(label) \
            else target

    return _LINK.sub(link, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


@dataclass(frozen=True)
class ItemArgs:
    number: int
    rest: str  # as Slack sent it (escaped): for `<@U…>` references

    @property
    def text(self) -> str:
        """The free text as the agent typed it (Slack's escaping undone)."""
        return slack_unescape(self.rest)


def item_args(text: str | None) -> ItemArgs:
    """`17 text…` or `#17 text…` → ItemArgs(17, "text…")."""
    m = _NUMBER.match(text or "")
    if not m:
        raise UsageError(text or "")
    return ItemArgs(int(m.group(1)), (m.group(2) or "").strip())


@dataclass(frozen=True)
class TemplateRef:
    name: str
    rest: str  # anything after the name (a template goes out alone)


def template_ref(text: str) -> TemplateRef | None:
    """`:stoerung` → TemplateRef("stoerung", ""); None unless `text` starts with ':' and a
    name. An emoji such as `:wave: Hallo` is no template (the name ends at the second ':')."""
    m = _TEMPLATE.match(text.strip())
    return TemplateRef(m.group(1), (m.group(2) or "").strip()) if m else None


def user_ref(text: str) -> str | None:
    """`<@U123|name>` → `U123`; None if `text` is not a user mention."""
    m = _USER.match(text.strip())
    return m.group(1) if m else None


def user_and_note(text: str) -> tuple[str, str] | None:
    """`<@U123|name> note…` → (`U123`, `note…` as typed); None if it does not start with a
    user mention (`/assign N @agent [note]`, issue 16)."""
    head, _, rest = text.strip().partition(" ")
    user = user_ref(head)
    return (user, slack_unescape(rest.strip())) if user else None
