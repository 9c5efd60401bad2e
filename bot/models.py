"""Plain values that cross module boundaries: the ingested `Mention` and the desk `Item`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from bot.errors import MentionError

if TYPE_CHECKING:
    from bot.clock import BusinessClock

@dataclass(frozen=True)
class Author:
    id: str
    handle: str
    name: str = ""


@dataclass(frozen=True)
class Mention:
    """One public post about the brand, normalised from any source."""

    network: str
    id: str
    text: str
    author: Author
    created_at: datetime
    url: str = ""
    conversation_id: str = ""
    in_reply_to: str = ""
    found_by: str = ""  # "search": found by a search query, X allows no reply to it

    @property
    def replyable(self) -> bool:
        """False for posts found only by search: X refuses replies to them (since 2026)."""
        return self.found_by != "search"

    @property
    def key(self) -> str:
        """Deduplication key: network plus the network's own id."""
        return f"{self.network}:{self.id}"

    def to_json(self) -> str:
        """The mention as stored with its item (`mention_from_json` reads it back)."""
        d: dict[str, Any] = {name: getattr(self, name) for name in _MENTION_FIELDS}
        d["author"] = {name: getattr(self.author, name) for name in _AUTHOR_FIELDS}
        d["created_at"] = self.created_at.isoformat()
        return json.dumps(d, ensure_ascii=False, separators=(",", ":"))


# field names in declaration order: `to_json` without `asdict`'s deep copy (a card's hot path)
_MENTION_FIELDS = tuple(f.name for f in fields(Mention))
_AUTHOR_FIELDS = tuple(f.name for f in fields(Author))


def _req_str(obj: dict[str, Any], name: str, where: str = "") -> str:
    v = obj.get(name)
    if isinstance(v, int) and not isinstance(v, bool):
        v = str(v)
    if not isinstance(v, str) or not v.strip():
        raise MentionError(f"field {where}{name!r} is missing or empty")
    return v


def _handle(author: dict[str, Any], handle_optional: bool) -> str:
    """Handles are required where the network has them; Facebook users have none, so their
    name (or id) stands in."""
    if handle_optional and not author.get("handle"):
        return str(author.get("name") or author.get("id") or "")
    return _req_str(author, "handle", "author.")


def parse_mention(obj: Any, networks: Mapping[str, bool] | None = None) -> Mention:
    """Validate one decoded JSON object against the mention schema (see README).

    `networks` maps each accepted network to whether its authors may lack a handle
    (`bot.ingest` passes the registry's); None accepts any network (our own stream).
    """
    if not isinstance(obj, dict):
        raise MentionError("a mention must be a JSON object")
    network = _req_str(obj, "network")
    if networks is not None and network not in networks:
        raise MentionError(f"network {network!r} is unknown (use one of: {', '.join(networks)})")
    mid = _req_str(obj, "id")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise MentionError("field 'text' is missing or empty")
    author = obj.get("author")
    if not isinstance(author, dict):
        raise MentionError("field 'author' must be an object with id and handle")
    created_raw = _req_str(obj, "created_at")
    try:
        created = datetime.fromisoformat(created_raw.replace("Z", "+00:00"))
    except ValueError:
        raise MentionError(f"created_at {created_raw!r} is not an ISO 8601 time") from None
    if created.tzinfo is None:
        raise MentionError(f"created_at {created_raw!r} has no UTC offset (add e.g. +01:00 or Z)")
    optional: dict[str, str] = {}
    found_by = obj.get("found_by") or ""
    if found_by not in ("", "mention", "search"):
        raise MentionError(f"found_by {found_by!r} is unknown (use mention or search)")
    optional["found_by"] = str(found_by)
    for name in ("url", "conversation_id", "in_reply_to"):
        v = obj.get(name)
        if v is not None and not isinstance(v, str | int):
            raise MentionError(f"field {name!r} must be a string")
        optional[name] = "" if v is None else str(v)
    return Mention(
        network=network,
        id=mid,
        text=text,
        author=Author(
            id=_req_str(author, "id", "author."),
            handle=_handle(author, networks.get(network, False) if networks is not None
                           else not author.get("handle")),
            name=str(author.get("name") or ""),
        ),
        created_at=created,
        **optional,
    )


def mention_from_json(raw: str) -> Mention:
    return parse_mention(json.loads(raw))


class State(StrEnum):
    NEW = "new"
    CLAIMED = "claimed"
    ANSWERED = "answered"
    PRIVATE = "private"
    NOREPLY = "noreply"
    RESOLVED = "resolved"
    WAITING = "waiting"  # the team waits for the customer: no response clock (issue 16)


OPEN_STATES = (State.NEW, State.CLAIMED)


@dataclass(frozen=True)
class Item:
    """A negative mention on the desk: its number `#N`, state and who holds it."""

    number: int
    mention: Mention
    sentiment: str
    score: float
    address: str
    channel: str
    state: State = State.NEW
    holder: str = ""
    card_ts: str = ""
    seen_at: datetime | None = None
    due_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str = ""
    reply_id: str = ""
    reply_text: str = ""
    reason: str = ""
    timer_state: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def with_(self, **changes: Any) -> Item:
        return replace(self, **changes)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_incident(self) -> bool:
        """An incident: one card for many who say the same thing (its members are items)."""
        return self.extra.get("kind") == "incident"

    @property
    def incident(self) -> int | None:
        """The incident this item belongs to, if any."""
        n = self.extra.get("incident")
        return int(n) if n else None

    @property
    def reply_unknown(self) -> ReplyAttempt | None:
        """The reply attempt whose outcome nobody knows, once it is shown on the card
        (`Answers.show_unsettled`) and while it is not settled."""
        shown = self.extra.get("reply_unknown", "")
        if not self.is_open or not shown or shown != self.extra.get("reply_attempt"):
            return None
        return ReplyAttempt.parse(shown)


def first_response(item: Item, clock: BusinessClock) -> timedelta | None:
    """Business time from the customer's post to the first answer (public or private)."""
    if item.answered_at is None:
        return None
    start = min(item.mention.created_at, item.seen_at or item.mention.created_at)
    return clock.elapsed(start, item.answered_at)


@dataclass(frozen=True)
class ReplyAttempt:
    """A public reply (`action`: reply or dm) `by` sent at `at` (epoch s)."""

    by: str
    at: float
    action: str

    def __str__(self) -> str:
        return f"{self.by} {self.at:.3f} {self.action}"

    @property
    def sent(self) -> datetime:
        """When it was sent (UTC)."""
        return datetime.fromtimestamp(self.at, UTC)

    @property
    def iso(self) -> str:
        """When it was sent, as stored times are (ISO, UTC)."""
        return self.sent.isoformat()

    @classmethod
    def parse(cls, value: str) -> ReplyAttempt | None:
        by, at, action = ([*value.split(" "), "", "", ""])[:3]
        return cls(by, float(at or 0), action or "reply") if by else None
