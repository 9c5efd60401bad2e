"""Data-protection rules (DSGVO), pure: when an item has expired, what an anonymised item
keeps, and how one customer is recognised in what is stored.

An anonymised item keeps the figures and the fact of each action (state, timestamps, network,
holder, who answered and when, reason codes), so a daily summary computed later still adds
up. It loses everything that says who wrote what: text, handle, name, author id, the post's
id, URL and conversation, the reply's text, and the ids of our own posts in that conversation
(kept only as "there was one"). Item fields this module does not know are dropped: a field
added later is private until someone decides otherwise.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.models import State

CLOSED_STATES = (State.ANSWERED, State.PRIVATE, State.NOREPLY, State.RESOLVED)
ERASED_REASON = "erased"  # the reason code of an open item closed by an erasure
STANDARD_REASONS = frozenset({"spam", "troll", "solved", "no_question", "duplicate", ERASED_REASON})

# item fields kept as they are: figures, times, who on the team did what
KEPT = frozenset({
    "sentiment", "score", "address", "channel", "state", "holder", "card_ts", "card_attempt",
    "seen_at", "due_at", "answered_at", "answered_by", "timer_state", "claimed_at", "closed_at",
    "resolved_at", "pending_since", "anonymised_at", "anonymised_for",
    "kind", "incident", "answering_by", "answering_template",  # incidents and their members
})
FACTS = frozenset({"reply_id", "private_id", "invite_id",  # our posts' ids: kept as "-"
                   "answer_failed"})  # a member's failed answer: that it failed
TEXTS = frozenset({"reply_text", "answering_text"})  # words to customers: the marker
ACTIVITY = ("seen_at", "claimed_at", "answered_at", "closed_at", "resolved_at", "pending_since")
MIN_TEXT_TRACE = 20  # a customer's text is looked for inside other texts from this length on


@dataclass(frozen=True)
class Customer:
    """One customer as a network knows them: the network's name and its author id."""

    network: str
    author_id: str

    def wrote(self, mention: Any) -> bool:
        """True for a decoded mention (a dict as stored) written by this customer."""
        if not isinstance(mention, dict):
            return False
        author = mention.get("author")
        return (mention.get("network") == self.network and isinstance(author, dict)
                and str(author.get("id", "")) == self.author_id)


def decode(raw: str) -> dict[str, Any] | None:
    """A stored mention as a dict, or None when it is not one."""
    try:
        value = json.loads(raw)
    except (TypeError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def _time(value: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(value)
    except ValueError:
        return None
    return t if t.tzinfo else None


def last_activity(fields: Mapping[str, str]) -> datetime | None:
    """The latest thing that happened to an item: seen, claimed, answered, closed, resolved, or
    a customer's follow-up."""
    times = [t for k in ACTIVITY if (v := fields.get(k)) and (t := _time(v)) is not None]
    return max(times) if times else None


def is_anonymised(fields: Mapping[str, str]) -> bool:
    return bool(fields.get("anonymised_at"))


def is_incident(fields: Mapping[str, str]) -> bool:
    """An incident item: many customers' item in one; its mention is a copy of one member's
    post (the representative), so that customer's erasure replaces only the mention."""
    return fields.get("kind") == "incident"


def expired(fields: Mapping[str, str], cutoff: datetime) -> bool:
    """Closed, not yet anonymised, and nothing has happened to it since `cutoff`.

    Open items never expire: the customer is still waiting for an answer.
    """
    if is_anonymised(fields) or fields.get("state") not in {s.value for s in CLOSED_STATES}:
        return False
    last = last_activity(fields)
    return last is not None and last < cutoff


def closing_as_erased(at: datetime) -> dict[str, str]:
    """The fields that close an open item whose customer asked to be erased: no reply, reason
    `erased` (counted as such in the summary)."""
    return {"state": State.NOREPLY.value, "reason": ERASED_REASON, "closed_at": at.isoformat()}


@dataclass(frozen=True)
class Anonymisation:
    """What to write over one item hash: fields to set, fields to drop."""

    set: dict[str, str]
    drop: tuple[str, ...]


@dataclass(frozen=True)
class Markers:
    """What stands where customer data was: `text` for texts, `blank` for ids and names."""

    text: str
    blank: str


def anonymous_mention(raw: str, markers: Markers) -> str:
    """The stored mention with only its network, time and kind left (still a valid mention)."""
    m = decode(raw) or {}
    return json.dumps({
        "network": m.get("network", ""), "id": markers.blank, "text": markers.text,
        "author": {"id": markers.blank, "handle": markers.blank, "name": ""},
        "created_at": m.get("created_at", ""), "url": "", "conversation_id": "",
        "in_reply_to": "", "found_by": m.get("found_by", ""),
    }, ensure_ascii=False, separators=(",", ":"))


def anonymise(fields: Mapping[str, str], markers: Markers, *, at: datetime, why: str,
              reasons: Iterable[str] = ()) -> Anonymisation:
    """What an item hash becomes: see the module docstring. `why` is `retention` or
    `erasure`; `reasons` are the desk's configured no-reply reasons (kept as codes; free text
    is replaced by the marker)."""
    codes = STANDARD_REASONS | set(reasons)
    out = {"mention": anonymous_mention(fields.get("mention", ""), markers),
           "anonymised_at": at.isoformat(), "anonymised_for": why}
    drop: list[str] = []
    for k, v in fields.items():
        if k in KEPT or k in out:
            continue
        if k in FACTS:
            out[k] = "-" if v else ""
        elif k in TEXTS:
            out[k] = markers.text if v else ""
        elif k == "reason":
            out[k] = v if not v or v in codes else markers.text
        else:
            drop.append(k)
    return Anonymisation(out, tuple(sorted(drop)))


def subject_hash(salt: str, customer: Customer) -> str:
    """The customer in an audit line about them: a salted hash, checkable only with the salt."""
    msg = f"{customer.network}:{customer.author_id}".encode()
    return hmac.new(salt.encode(), msg, hashlib.sha256).hexdigest()[:32]


def stream_id(t: datetime) -> str:
    """The first stream id at `t` (stream ids are epoch milliseconds)."""
    return f"{int(t.timestamp() * 1000)}-0"


@dataclass(frozen=True)
class Traces:
    """What identifies one customer in stored values.

    `values` (author id, post ids, `network:id` keys, conversation ids, URLs, handle, name)
    match a whole value only, so a number that happens to equal an author id inside some other
    text matches nothing. Inside texts only `@handle` and the customer's own texts (from
    `MIN_TEXT_TRACE` characters) are looked for.
    """

    values: frozenset[str]
    inside: tuple[str, ...]

    @classmethod
    def of(cls, customer: Customer, mentions: Iterable[Mapping[str, Any]]) -> Traces:
        """The traces of `customer` given the mentions of theirs that are stored."""
        values = {customer.author_id}
        inside: set[str] = set()
        for m in mentions:
            raw_author = m.get("author")
            author: dict[str, Any] = raw_author if isinstance(raw_author, dict) else {}
            for v in (m.get("id"), m.get("url"), m.get("conversation_id"), author.get("handle"),
                      author.get("name")):
                if v:
                    values.add(str(v))
            if m.get("id"):
                values.add(f"{customer.network}:{m['id']}")
            if author.get("handle"):
                inside.add("@" + str(author["handle"]).lower())
            text = str(m.get("text") or "")
            if len(text) >= MIN_TEXT_TRACE:
                inside.add(text.lower())
        return cls(frozenset(values), tuple(sorted(inside)))

    def found_in(self, value: Any) -> bool:
        """True if `value` (a string, or JSON-like lists and dicts of them) carries a trace."""
        if isinstance(value, dict):
            return any(self.found_in(k) or self.found_in(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(self.found_in(v) for v in value)
        if not isinstance(value, str) or not value:
            return False
        if value in self.values:
            return True
        low = value.lower()
        return any(_contains(low, t) for t in self.inside)


def _contains(text: str, trace: str) -> bool:
    """`trace` inside `text`, not as the start of a longer word (`@kunde_a` ≠ `@kunde_ab`)."""
    return re.search(re.escape(trace) + r"(?!\w)", text) is not None
